/* wordfreq.tokenizers._speedups: the hot loops of the exact jieba tokenizer, in C.
 *
 * Optional: when this extension is not built (no compiler at install time),
 * wordfreq.tokenizers.speedups has a Python twin of each function, and the
 * tests check that the twins agree.  See that module for the contracts.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* jieba's character classes, as wordfreq.tokenizers.charclasses defines
 * them: Han (U+4E00..U+9FD5), ASCII letters and digits, the other ASCII
 * characters of its blocks, and whitespace (Py_UNICODE_ISSPACE, which is
 * Python's str.isspace and re's \s).  char_classes() below lets the tests
 * check, over every code point, that these are the same. */
#define HAN_FIRST 0x4E00
#define HAN_LAST 0x9FD5

static int
is_han(Py_UCS4 c)
{
    return c >= HAN_FIRST && c <= HAN_LAST;
}

static int
is_ascii_alnum(Py_UCS4 c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int
is_ascii_block_punct(Py_UCS4 c)
{
    return c == '+' || c == '#' || c == '&' || c == '.' || c == '_' || c == '%' || c == '-';
}

#define CLASS_HAN 1
#define CLASS_ASCII_ALNUM 2
#define CLASS_ASCII_PUNCT 4
#define CLASS_WHITESPACE 8
#define N_CODE_POINTS 0x110000

PyDoc_STRVAR(char_classes_doc,
"char_classes() -> bytes\n\n"
"The classes of every code point, one byte each (0x110000 in all): the sum\n"
"of 1 for Han (U+4E00..U+9FD5), 2 for an ASCII letter or digit, 4 for one\n"
"of +#&._%- and 8 for whitespace, as this module's loops see them.");

static PyObject *
char_classes(PyObject *module, PyObject *unused)
{
    PyObject *table = PyBytes_FromStringAndSize(NULL, N_CODE_POINTS);
    if (table == NULL)
        return NULL;
    char *out = PyBytes_AS_STRING(table);
    for (Py_UCS4 c = 0; c < N_CODE_POINTS; c++) {
        out[c] = (char)((is_han(c) ? CLASS_HAN : 0) | (is_ascii_alnum(c) ? CLASS_ASCII_ALNUM : 0) |
                        (is_ascii_block_punct(c) ? CLASS_ASCII_PUNCT : 0) |
                        (Py_UNICODE_ISSPACE(c) ? CLASS_WHITESPACE : 0));
    }
    return table;
}

/* A route step that may belong to an HMM buffer: one character of
 * U+4E00..U+9FD5 or of "+#&._%-", or a run of ASCII letters and digits. */
static int
is_buffer_step(PyObject *step)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(step);
    int kind = PyUnicode_KIND(step);
    const void *data = PyUnicode_DATA(step);
    if (n == 1) {
        Py_UCS4 c = PyUnicode_READ(kind, data, 0);
        return is_han(c) || is_ascii_alnum(c) || is_ascii_block_punct(c);
    }
    if (n == 0 || kind != PyUnicode_1BYTE_KIND)
        return 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!is_ascii_alnum(PyUnicode_READ(kind, data, i)))
            return 0;
    }
    return 1;
}

/* counts[key] += n, removing the key when it reaches zero. */
static int
add_count(PyObject *counts, PyObject *key, long long n)
{
    PyObject *old = PyDict_GetItemWithError(counts, key); /* borrowed */
    long long value = n;
    if (old != NULL) {
        long long have = PyLong_AsLongLong(old);
        if (have == -1 && PyErr_Occurred())
            return -1;
        value += have;
    }
    else if (PyErr_Occurred()) {
        return -1;
    }
    if (value == 0)
        return old != NULL ? PyDict_DelItem(counts, key) : 0;
    PyObject *v = PyLong_FromLongLong(value);
    if (v == NULL)
        return -1;
    int rc = PyDict_SetItem(counts, key, v);
    Py_DECREF(v);
    return rc;
}

/* ---- a small counting table ------------------------------------------ */

/* Counts of strings for one call: open addressing, C integers, a reference
 * to each distinct key.  Counting a chunk's tokens here and then adding the
 * table to the caller's dict touches that large dict once per distinct
 * token, not once per token, and makes no int objects: the route loop ran
 * about 15% faster (whole tokenizer, one process) than with a dict. */
typedef struct {
    PyObject *key;
    Py_hash_t hash;
    long long count;
} Slot;

typedef struct {
    Slot *slots;
    Py_ssize_t mask; /* size - 1, the size a power of two */
    Py_ssize_t used;
} Tally;

static int
tally_init(Tally *t, Py_ssize_t size)
{
    t->slots = PyMem_Calloc(size, sizeof(Slot));
    t->mask = size - 1;
    t->used = 0;
    if (t->slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static void
tally_free(Tally *t)
{
    if (t->slots == NULL)
        return;
    for (Py_ssize_t i = 0; i <= t->mask; i++)
        Py_XDECREF(t->slots[i].key);
    PyMem_Free(t->slots);
    t->slots = NULL;
}

static int
same_string(PyObject *a, PyObject *b)
{
    if (a == b)
        return 1;
    Py_ssize_t n = PyUnicode_GET_LENGTH(a);
    int kind = PyUnicode_KIND(a);
    return n == PyUnicode_GET_LENGTH(b) && kind == PyUnicode_KIND(b) &&
           memcmp(PyUnicode_DATA(a), PyUnicode_DATA(b), (size_t)n * kind) == 0;
}

static Slot *
tally_find(Slot *slots, Py_ssize_t mask, PyObject *key, Py_hash_t hash)
{
    size_t i = (size_t)hash & (size_t)mask;
    for (;;) {
        Slot *slot = &slots[i];
        if (slot->key == NULL || (slot->hash == hash && same_string(slot->key, key)))
            return slot;
        i = (i + 1) & (size_t)mask;
    }
}

/* tally[key] += n; key must be a str. */
static int
tally_add(Tally *t, PyObject *key, long long n)
{
    Py_hash_t hash = PyObject_Hash(key);
    if (hash == -1)
        return -1;
    Slot *slot = tally_find(t->slots, t->mask, key, hash);
    if (slot->key != NULL) {
        slot->count += n;
        return 0;
    }
    if ((t->used + 1) * 3 >= (t->mask + 1) * 2) { /* keep it under 2/3 full */
        Py_ssize_t size = (t->mask + 1) * 2;
        Slot *bigger = PyMem_Calloc(size, sizeof(Slot));
        if (bigger == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        for (Py_ssize_t i = 0; i <= t->mask; i++) {
            if (t->slots[i].key != NULL)
                *tally_find(bigger, size - 1, t->slots[i].key, t->slots[i].hash) = t->slots[i];
        }
        PyMem_Free(t->slots);
        t->slots = bigger;
        t->mask = size - 1;
        slot = tally_find(t->slots, t->mask, key, hash);
    }
    Py_INCREF(key);
    slot->key = key;
    slot->hash = hash;
    slot->count = n;
    t->used++;
    return 0;
}

/* counts[key] += count for every key of the tally (zero counts left out). */
static int
tally_add_to(Tally *t, PyObject *counts)
{
    for (Py_ssize_t i = 0; i <= t->mask; i++) {
        Slot *slot = &t->slots[i];
        if (slot->key != NULL && slot->count != 0 && add_count(counts, slot->key, slot->count) < 0)
            return -1;
    }
    return 0;
}

/* Apply a cached delta, a tuple of (token, change) pairs. */
static int
apply_delta(Tally *tally, PyObject *delta)
{
    if (!PyTuple_Check(delta)) {
        PyErr_SetString(PyExc_TypeError, "a delta must be a tuple of (token, change) pairs");
        return -1;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(delta);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *pair = PyTuple_GET_ITEM(delta, i);
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
            PyErr_SetString(PyExc_TypeError, "a delta must be a tuple of (token, change) pairs");
            return -1;
        }
        long long change = PyLong_AsLongLong(PyTuple_GET_ITEM(pair, 1));
        if (change == -1 && PyErr_Occurred())
            return -1;
        PyObject *token = PyTuple_GET_ITEM(pair, 0);
        if (!PyUnicode_Check(token)) {
            PyErr_SetString(PyExc_TypeError, "a delta's tokens must be strings");
            return -1;
        }
        if (tally_add(tally, token, change) < 0)
            return -1;
    }
    return 0;
}

/* The end of a run of buffer steps: steps[start:end]. */
static int
end_run(PyObject *steps, Py_ssize_t start, Py_ssize_t end, PyObject *sep, Tally *tally,
        PyObject *deltas, PyObject *missing)
{
    if (end - start < 2)
        return 0;
    PyObject *run = PyList_GetSlice(steps, start, end);
    if (run == NULL)
        return -1;
    PyObject *key = PyUnicode_Join(sep, run);
    Py_DECREF(run);
    if (key == NULL)
        return -1;
    PyObject *delta = PyDict_GetItemWithError(deltas, key); /* borrowed */
    int rc;
    if (delta != NULL)
        rc = apply_delta(tally, delta);
    else if (PyErr_Occurred())
        rc = -1;
    else
        rc = PyList_Append(missing, key);
    Py_DECREF(key);
    return rc;
}

PyDoc_STRVAR(count_route_doc,
"count_route(steps, counts, deltas) -> list\n\n"
"Count every step of a route into counts; for every buffer (a run of two or\n"
"more buffer steps) whose key (its steps joined by NUL) is in deltas, apply\n"
"the delta; return the keys of the other buffers, in order.");

static PyObject *
count_route(PyObject *module, PyObject *args)
{
    PyObject *steps, *counts, *deltas;
    if (!PyArg_ParseTuple(args, "O!O!O!:count_route", &PyList_Type, &steps, &PyDict_Type, &counts,
                          &PyDict_Type, &deltas))
        return NULL;
    Tally tally;
    if (tally_init(&tally, 4096) < 0)
        return NULL;
    PyObject *missing = PyList_New(0);
    PyObject *sep = PyUnicode_FromOrdinal(0);
    if (missing == NULL || sep == NULL)
        goto error;
    Py_ssize_t n = PyList_GET_SIZE(steps);
    Py_ssize_t start = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *step = PyList_GET_ITEM(steps, i);
        if (!PyUnicode_Check(step)) {
            PyErr_SetString(PyExc_TypeError, "steps must be strings");
            goto error;
        }
        if (tally_add(&tally, step, 1) < 0)
            goto error;
        if (!is_buffer_step(step)) {
            if (end_run(steps, start, i, sep, &tally, deltas, missing) < 0)
                goto error;
            start = i + 1;
        }
    }
    if (end_run(steps, start, n, sep, &tally, deltas, missing) < 0)
        goto error;
    if (tally_add_to(&tally, counts) < 0)
        goto error;
    tally_free(&tally);
    Py_DECREF(sep);
    return missing;
error:
    tally_free(&tally);
    Py_XDECREF(missing);
    Py_XDECREF(sep);
    return NULL;
}

/* ---- jieba.finalseg's Viterbi ------------------------------------------ */

PyDoc_STRVAR(hmm_cut_doc,
"hmm_cut(emit, start, trans, obs) -> list\n\n"
"jieba.finalseg's cut of obs, a run of two or more characters of\n"
"U+4E00..U+9FD5: the most probable B/M/E/S states, then the words they\n"
"mark.  emit holds 4 doubles (B, M, E, S) for every code point of that\n"
"range, in order; start the 4 start probabilities; trans the 8 transitions\n"
"(E>B, S>B, M>M, B>M, S>S, E>S, B>E, M>E).  The same floating point\n"
"operations in the same order, and the same choice on ties, as\n"
"wordfreq.tokenizers.jieba_exact._FinalSeg._han_words.");

static PyObject *
hmm_cut(PyObject *module, PyObject *args)
{
    PyObject *obs;
    Py_buffer emit;
    double s_b, s_m, s_e, s_s;
    double t_eb, t_sb, t_mm, t_bm, t_ss, t_es, t_be, t_me;
    if (!PyArg_ParseTuple(args, "y*(dddd)(dddddddd)U:hmm_cut", &emit, &s_b, &s_m, &s_e, &s_s, &t_eb,
                          &t_sb, &t_mm, &t_bm, &t_ss, &t_es, &t_be, &t_me, &obs))
        return NULL;
    PyObject *words = NULL;
    char *back = NULL, *states = NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(obs);
    const double *table = (const double *)emit.buf;
    if (emit.len != (Py_ssize_t)sizeof(double) * 4 * (HAN_LAST - HAN_FIRST + 1)) {
        PyErr_SetString(PyExc_ValueError, "emit must hold 4 doubles for every code point U+4E00..U+9FD5");
        goto done;
    }
    if (n < 2) {
        PyErr_SetString(PyExc_ValueError, "obs must hold two or more characters");
        goto done;
    }
    int kind = PyUnicode_KIND(obs);
    const void *data = PyUnicode_DATA(obs);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!is_han(PyUnicode_READ(kind, data, i))) {
            PyErr_SetString(PyExc_ValueError, "obs must be characters of U+4E00..U+9FD5");
            goto done;
        }
    }
    back = PyMem_Malloc(4 * n);
    states = PyMem_Malloc(n);
    if (back == NULL || states == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    const double *e = table + 4 * (PyUnicode_READ(kind, data, 0) - HAN_FIRST);
    double v_b = s_b + e[0], v_m = s_m + e[1], v_e = s_e + e[2], v_s = s_s + e[3];
    for (Py_ssize_t t = 1; t < n; t++) {
        e = table + 4 * (PyUnicode_READ(kind, data, t) - HAN_FIRST);
        double a, b, n_b, n_m, n_e, n_s;
        char *p = back + 4 * (t - 1); /* B, M, E, S: the previous state */
        /* max([(score, prev), ...]): a tie goes to the larger state letter. */
        a = v_e + t_eb + e[0];
        b = v_s + t_sb + e[0];
        if (a > b) { n_b = a; p[0] = 'E'; } else { n_b = b; p[0] = 'S'; }
        a = v_m + t_mm + e[1];
        b = v_b + t_bm + e[1];
        if (b > a) { n_m = b; p[1] = 'B'; } else { n_m = a; p[1] = 'M'; }
        a = v_s + t_ss + e[3];
        b = v_e + t_es + e[3];
        if (b > a) { n_s = b; p[3] = 'E'; } else { n_s = a; p[3] = 'S'; }
        a = v_b + t_be + e[2];
        b = v_m + t_me + e[2];
        if (a > b) { n_e = a; p[2] = 'B'; } else { n_e = b; p[2] = 'M'; }
        v_b = n_b; v_m = n_m; v_e = n_e; v_s = n_s;
    }
    char state = v_e > v_s ? 'E' : 'S';
    states[n - 1] = state;
    for (Py_ssize_t t = n - 1; t > 0; t--) {
        int index = state == 'B' ? 0 : state == 'M' ? 1 : state == 'E' ? 2 : 3;
        state = back[4 * (t - 1) + index];
        states[t - 1] = state;
    }
    words = PyList_New(0);
    if (words == NULL)
        goto done;
    Py_ssize_t begin = 0, next = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *word = NULL;
        if (states[i] == 'B') {
            begin = i;
            continue;
        }
        if (states[i] == 'E') {
            word = PyUnicode_Substring(obs, begin, i + 1);
            next = i + 1;
        }
        else if (states[i] == 'S') {
            word = PyUnicode_Substring(obs, i, i + 1);
            next = i + 1;
        }
        else {
            continue;
        }
        if (word == NULL || PyList_Append(words, word) < 0) {
            Py_XDECREF(word);
            Py_CLEAR(words);
            goto done;
        }
        Py_DECREF(word);
    }
    if (next < n) {
        PyObject *word = PyUnicode_Substring(obs, next, n);
        if (word == NULL || PyList_Append(words, word) < 0)
            Py_CLEAR(words);
        Py_XDECREF(word);
    }
done:
    PyMem_Free(back);
    PyMem_Free(states);
    PyBuffer_Release(&emit);
    return words;
}

/* ---- all mode --------------------------------------------------------- */

/* Whether word occurs in text at code point index k. */
static int
occurs_at(PyObject *text, Py_ssize_t k, PyObject *word)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(word);
    if (k < 0 || k + n > PyUnicode_GET_LENGTH(text))
        return 0;
    int tkind = PyUnicode_KIND(text), wkind = PyUnicode_KIND(word);
    const void *tdata = PyUnicode_DATA(text), *wdata = PyUnicode_DATA(word);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (PyUnicode_READ(tkind, tdata, k + i) != PyUnicode_READ(wkind, wdata, i))
            return 0;
    }
    return 1;
}

PyDoc_STRVAR(count_all_han_doc,
"count_all_han(text, words, counts) -> None\n\n"
"Add jieba's all-mode tokens of text to counts, given words, rjieba's\n"
"cut_all(text): every dictionary word at every position, by position then\n"
"length (the character alone where no longer word starts, nothing where it\n"
"is in no word), and each run of line feeds once, whole.  jieba's __cut_all\n"
"keeps every word of two or more characters, and the character at each\n"
"position where none starts, unless the longest word at the last position\n"
"before it that had one reaches it; a run of line feeds is kept whole.  text\n"
"is characters of U+4E00..U+9FD5 and line feeds; a word that does not occur\n"
"in text after the previous one raises ValueError.");

static int
walk_all_han(PyObject *text, PyObject *words, Tally *tally)
{
    Py_ssize_t n_words = PyList_GET_SIZE(words);
    Py_ssize_t k = -1;          /* the position of the current group of words */
    Py_ssize_t prev_len = 0;    /* the length of the group's last word */
    Py_ssize_t group_end = -1;  /* the end (inclusive) of its longest multi-character word */
    PyObject *single = NULL;    /* its one-character word, if any (borrowed) */
    Py_ssize_t old_j = -1;      /* __cut_all's old_j */
    for (Py_ssize_t i = 0; i <= n_words; i++) {
        PyObject *word = i < n_words ? PyList_GET_ITEM(words, i) : NULL;
        Py_ssize_t n = 0;
        if (word != NULL) {
            if (!PyUnicode_Check(word)) {
                PyErr_SetString(PyExc_TypeError, "words must be strings");
                return -1;
            }
            n = PyUnicode_GET_LENGTH(word);
            if (k >= 0 && n > prev_len && occurs_at(text, k, word)) {
                /* a longer word at the same position */
                prev_len = n;
                if (n >= 2) {
                    if (tally_add(tally, word, 1) < 0)
                        return -1;
                    group_end = k + n - 1;
                }
                continue;
            }
        }
        /* The group at k is complete. */
        if (k >= 0) {
            if (group_end >= k) {
                old_j = group_end;
            }
            else if (k > old_j) {
                if (single == NULL) {
                    PyErr_SetString(PyExc_ValueError, "cut_all gave no word at a position");
                    return -1;
                }
                if (tally_add(tally, single, 1) < 0)
                    return -1;
                old_j = k;
            }
        }
        /* The next group starts where its first word next occurs: after k
         * for a dictionary word (one occurring earlier would have been
         * listed there), after the group at k for a run of line feeds
         * (listed once and whole, it overlaps no other token).  rjieba lists
         * nothing where a character is not in the dictionary at all: jieba
         * yields it alone there, as at a position with no word. */
        Py_ssize_t next = PyUnicode_GET_LENGTH(text);
        Py_ssize_t from = k + 1;
        if (word != NULL && n > 0 && k >= 0 && !is_han(PyUnicode_READ_CHAR(word, 0)))
            from = k + prev_len;
        if (word != NULL && occurs_at(text, from, word)) {
            next = from; /* the usual case */
        }
        else if (word != NULL) {
            next = PyUnicode_Find(text, word, from, PyUnicode_GET_LENGTH(text), 1);
            if (next == -2)
                return -1;
            if (next < 0) {
                PyErr_Format(PyExc_ValueError, "cut_all's word %R is not in the text after %zd", word, k);
                return -1;
            }
        }
        for (Py_ssize_t q = k + 1; q < next; q++) {
            if (q > old_j) {
                PyObject *c = PyUnicode_Substring(text, q, q + 1);
                if (c == NULL)
                    return -1;
                int rc = tally_add(tally, c, 1);
                Py_DECREF(c);
                if (rc < 0)
                    return -1;
                old_j = q;
            }
        }
        if (word == NULL)
            break;
        k = next;
        prev_len = n;
        group_end = -1;
        single = NULL;
        if (n >= 2) {
            if (tally_add(tally, word, 1) < 0)
                return -1;
            group_end = k + n - 1;
        }
        else {
            single = word;
        }
    }
    return 0;
}

static PyObject *
count_all_han(PyObject *module, PyObject *args)
{
    PyObject *text, *words, *counts;
    if (!PyArg_ParseTuple(args, "UO!O!:count_all_han", &text, &PyList_Type, &words, &PyDict_Type,
                          &counts))
        return NULL;
    Tally tally;
    if (tally_init(&tally, 4096) < 0)
        return NULL;
    int rc = walk_all_han(text, words, &tally);
    if (rc == 0)
        rc = tally_add_to(&tally, counts);
    tally_free(&tally);
    if (rc < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* tally[text[start:end]] += 1 */
static int
count_slice(Tally *tally, PyObject *text, Py_ssize_t start, Py_ssize_t end)
{
    PyObject *token = PyUnicode_Substring(text, start, end);
    if (token == NULL)
        return -1;
    int rc = tally_add(tally, token, 1);
    Py_DECREF(token);
    return rc;
}

PyDoc_STRVAR(count_all_doc,
"count_all(text, counts, cut_all) -> None\n\n"
"Add jieba's all-mode tokens of text to counts, where no dictionary word\n"
"holds an ASCII character: each run of characters that are neither block\n"
"characters nor whitespace; each run of ASCII letters and digits and each\n"
"other ASCII block character (+#&._%-); and the Han runs, joined by single\n"
"line feeds, through cut_all (rjieba's) and count_all_han.");

static PyObject *
count_all(PyObject *module, PyObject *args)
{
    PyObject *text, *counts, *cut_all;
    if (!PyArg_ParseTuple(args, "UO!O:count_all", &text, &PyDict_Type, &counts, &cut_all))
        return NULL;
    Tally tally;
    if (tally_init(&tally, 4096) < 0)
        return NULL;
    PyObject *han_text = NULL, *words = NULL, *result = NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t han_len = 0, han_chars = 0;
    Py_ssize_t other_start = -1, ascii_start = -1;
    int in_non_han = 0;
    for (Py_ssize_t i = 0; i <= n; i++) {
        Py_UCS4 c = i < n ? PyUnicode_READ(kind, data, i) : ' ';
        int han = i < n && is_han(c);
        int alnum = is_ascii_alnum(c);
        int block = han || alnum || is_ascii_block_punct(c);
        /* runs of neither block characters nor whitespace */
        if (!block && !Py_UNICODE_ISSPACE(c)) {
            if (other_start < 0)
                other_start = i;
        }
        else if (other_start >= 0) {
            if (count_slice(&tally, text, other_start, i) < 0)
                goto done;
            other_start = -1;
        }
        /* runs of ASCII letters and digits; other ASCII block characters alone */
        if (alnum) {
            if (ascii_start < 0)
                ascii_start = i;
        }
        else {
            if (ascii_start >= 0) {
                if (count_slice(&tally, text, ascii_start, i) < 0)
                    goto done;
                ascii_start = -1;
            }
            if (i < n && is_ascii_block_punct(c) && count_slice(&tally, text, i, i + 1) < 0)
                goto done;
        }
        /* the length of the Han text: Han characters, one line feed a run of others */
        if (i < n) {
            if (han) {
                han_len++;
                han_chars++;
                in_non_han = 0;
            }
            else if (!in_non_han) {
                han_len++;
                in_non_han = 1;
            }
        }
    }
    if (han_chars > 0) {
        han_text = PyUnicode_New(han_len, 0xFFFF);
        if (han_text == NULL)
            goto done;
        Py_UCS2 *out = PyUnicode_2BYTE_DATA(han_text);
        Py_ssize_t j = 0;
        in_non_han = 0;
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, i);
            if (is_han(c)) {
                out[j++] = (Py_UCS2)c;
                in_non_han = 0;
            }
            else if (!in_non_han) {
                out[j++] = '\n';
                in_non_han = 1;
            }
        }
        words = PyObject_CallOneArg(cut_all, han_text);
        if (words == NULL)
            goto done;
        if (!PyList_Check(words)) {
            PyErr_SetString(PyExc_TypeError, "cut_all must return a list");
            goto done;
        }
        if (walk_all_han(han_text, words, &tally) < 0)
            goto done;
    }
    if (tally_add_to(&tally, counts) < 0)
        goto done;
    result = Py_None;
    Py_INCREF(result);
done:
    tally_free(&tally); /* before the words whose references it holds go */
    Py_XDECREF(words);
    Py_XDECREF(han_text);
    return result;
}

static PyMethodDef methods[] = {
    {"count_route", count_route, METH_VARARGS, count_route_doc},
    {"hmm_cut", hmm_cut, METH_VARARGS, hmm_cut_doc},
    {"count_all_han", count_all_han, METH_VARARGS, count_all_han_doc},
    {"count_all", count_all, METH_VARARGS, count_all_doc},
    {"char_classes", char_classes, METH_NOARGS, char_classes_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "wordfreq.tokenizers._speedups",
    "The hot loops of the exact jieba tokenizer, in C.", -1, methods,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    return PyModule_Create(&module);
}
