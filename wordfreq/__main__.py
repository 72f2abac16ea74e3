"""`python -m wordfreq`: the same as the `wordfreq` console script."""

from wordfreq.cli import main

if __name__ == "__main__":
    main()
