"""A TCP proxy on loopback that holds every request a fixed time: a store some milliseconds away.

    python benchmarks/latency_proxy.py UPSTREAM_PORT DELAY_SECONDS

Listens on a free port of 127.0.0.1 (printed as ``listening on PORT``) and
forwards each connection to ``UPSTREAM_PORT``; every piece of a request is
held ``DELAY_SECONDS`` before it is passed on, answers pass at once.  Each
request thus waits as long as its first byte would on a network with that
one-way delay, which is what sending a GET ahead (or asking for fewer,
larger ranges) can hide.  Every request pays it, on a new connection or on a
kept one (moto's server answers HTTP/1.0, one request per connection;
`plain_s3.py` keeps connections open, and a request sent on one is held
like any other piece).
"""

from __future__ import annotations

import asyncio
import sys


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    try:
        while data := await reader.read(1 << 16):
            if delay:
                await asyncio.sleep(delay)
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        writer.close()


async def _serve(upstream: int, delay: float) -> None:
    async def connect(client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter) -> None:
        server_in, server_out = await asyncio.open_connection("127.0.0.1", upstream)
        await asyncio.gather(_pump(client_in, server_out, delay), _pump(server_in, client_out, 0))

    server = await asyncio.start_server(connect, "127.0.0.1", 0)
    print(f"listening on {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(_serve(int(sys.argv[1]), float(sys.argv[2])))
