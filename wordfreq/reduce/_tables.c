/* wordfreq.reduce._tables: the two table operations that touch every row, compiled.
 *
 * Optional, like the tokenizer: where this extension is not built,
 * wordfreq.table and wordfreq.counting do the same in Python, and
 * tests/test_tables.py checks that both give the same results.
 *
 *   sort_rows(rows)        sorts a list of rows (token, count[, docs]) in
 *                          place, in table order: count descending, then
 *                          token in code-point order (Python's str order);
 *   add_counts(dst, src)   dst[key] += src[key] for every key of src (dicts
 *                          of int), the sum of two partial tables;
 *   pack_counts(dict)      a worker's table as two bytes objects, sorted by
 *                          key: its keys' UTF-8, each after its length
 *                          (uint32, native order), and its counts (int64,
 *                          native order);
 *   sort_pack(pack)        a pack in no order, a key perhaps repeated (the
 *                          n-grams a worker held in C), sorted and summed;
 *   sum_packs(packs)       sorted packs summed into one, merged, not sorted again;
 *   run_lines(pack)        a pack, in any order, as the lines of a spill run;
 *   partition_pack, PackedTable.records, TableMerge
 *                          the spilled reduce's pieces (_runs.h);
 *   merge_packs(packs, min_count, max_rows)
 *                          the sum of packed tables, sorted in table order
 *                          and cut, as a PackedTable, with no Python object
 *                          per row (see "packed tables" below).
 *
 * Code-point order is UTF-8 byte order, so a packed table sorts with memcmp.
 * Receiving two workers' tables of a million rows each as pickled Counters
 * took 1.2 s of unpickling and 0.3 s of summing in the parent, serially
 * (docs/performance.md); packed, they cross as four buffers.
 *
 * Sorting 1.9 million rows took 2.6 s with two stable sorts in Python
 * (most of the whole command's serial tail on HMM-heavy text); comparing
 * code points directly takes a fraction of it.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    PyObject *row;
    long long count;
    uint64_t prefix;   /* the first three code points, 21 bits each: most comparisons end here */
    const void *data;
    Py_ssize_t len;
    int kind;
} Key;

/* a and b's tokens in code-point order */
static int
compare_tokens(const Key *a, const Key *b)
{
    Py_ssize_t n = a->len < b->len ? a->len : b->len;
    if (a->kind == PyUnicode_1BYTE_KIND && b->kind == PyUnicode_1BYTE_KIND) {
        int r = memcmp(a->data, b->data, (size_t)n);
        if (r != 0)
            return r < 0 ? -1 : 1;
    }
    else {
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_UCS4 ca = PyUnicode_READ(a->kind, a->data, i);
            Py_UCS4 cb = PyUnicode_READ(b->kind, b->data, i);
            if (ca != cb)
                return ca < cb ? -1 : 1;
        }
    }
    return (a->len > b->len) - (a->len < b->len);
}

static int
compare_rows(const void *x, const void *y)
{
    const Key *a = x, *b = y;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    if (a->prefix != b->prefix)
        return a->prefix < b->prefix ? -1 : 1;
    return compare_tokens(a, b); /* the same first three code points (or NUL for a missing one) */
}

PyDoc_STRVAR(sort_rows_doc,
"sort_rows(rows) -> None\n\n"
"Sort a list of rows (tuples whose first item is a str and second an int)\n"
"in place: count descending, then token in code-point order.  Raises\n"
"TypeError for another shape and OverflowError for a count beyond 64 bits\n"
"(the list is then left as it was).");

static PyObject *
sort_rows(PyObject *module, PyObject *arg)
{
    if (!PyList_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "rows must be a list");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(arg);
    Key *keys = PyMem_Malloc((n > 0 ? n : 1) * sizeof(Key));
    if (keys == NULL)
        return PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *row = PyList_GET_ITEM(arg, i);
        if (!PyTuple_Check(row) || PyTuple_GET_SIZE(row) < 2 || !PyUnicode_Check(PyTuple_GET_ITEM(row, 0)) ||
            !PyLong_Check(PyTuple_GET_ITEM(row, 1))) {
            PyMem_Free(keys);
            PyErr_SetString(PyExc_TypeError, "a row must be a tuple (str, int, ...)");
            return NULL;
        }
        PyObject *token = PyTuple_GET_ITEM(row, 0);
        long long count = PyLong_AsLongLong(PyTuple_GET_ITEM(row, 1));
        if (count == -1 && PyErr_Occurred()) {
            PyMem_Free(keys);
            return NULL;
        }
        keys[i].row = row;
        keys[i].count = count;
        keys[i].data = PyUnicode_DATA(token);
        keys[i].len = PyUnicode_GET_LENGTH(token);
        keys[i].kind = PyUnicode_KIND(token);
        uint64_t prefix = 0;
        for (Py_ssize_t k = 0; k < 3; k++) {
            Py_UCS4 c = k < keys[i].len ? PyUnicode_READ(keys[i].kind, keys[i].data, k) : 0;
            prefix = (prefix << 21) | c;
        }
        keys[i].prefix = prefix;
    }
    qsort(keys, (size_t)n, sizeof(Key), compare_rows);
    /* The list holds the same rows, in a new order: no reference changes hands. */
    for (Py_ssize_t i = 0; i < n; i++)
        PyList_SET_ITEM(arg, i, keys[i].row);
    PyMem_Free(keys);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(add_counts_doc,
"add_counts(dst, src) -> None\n\n"
"dst[key] = dst.get(key, 0) + value for every key, value of src (dicts,\n"
"e.g. Counters, of int values).");

static PyObject *
add_counts(PyObject *module, PyObject *args)
{
    PyObject *dst, *src;
    if (!PyArg_ParseTuple(args, "O!O!:add_counts", &PyDict_Type, &dst, &PyDict_Type, &src))
        return NULL;
    if (dst == src) {
        PyErr_SetString(PyExc_ValueError, "dst and src must be two dicts");
        return NULL;
    }
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(src, &pos, &key, &value)) {
        PyObject *old = PyDict_GetItemWithError(dst, key); /* borrowed */
        if (old == NULL) {
            if (PyErr_Occurred() || PyDict_SetItem(dst, key, value) < 0)
                return NULL;
            continue;
        }
        PyObject *sum = PyNumber_Add(old, value);
        if (sum == NULL)
            return NULL;
        int rc = PyDict_SetItem(dst, key, sum);
        Py_DECREF(sum);
        if (rc < 0)
            return NULL;
    }
    Py_RETURN_NONE;
}

/* --- packed tables -----------------------------------------------------
 *
 * A pack is sorted by token (UTF-8 byte order, which is code-point order):
 * each worker sorts its own table, in parallel with the others, and the
 * parent only merges sorted runs (sequential reads, no hash table) and then
 * orders the rows by count with a counting sort, which is stable and so
 * keeps each count's tokens in order.
 */

typedef struct {
    const char *utf8;
    uint64_t prefix;   /* the first 8 bytes, big-endian, 0-padded: most comparisons end here */
    int64_t count;
    uint32_t len;
} Entry;

static uint64_t
prefix_of(const char *utf8, uint32_t len)
{
    uint64_t prefix = 0;
    for (uint32_t b = 0; b < 8; b++)
        prefix = (prefix << 8) | (b < len ? (unsigned char)utf8[b] : 0);
    return prefix;
}

/* a and b's tokens in UTF-8 byte order */
static int
compare_utf8(const Entry *a, const Entry *b)
{
    if (a->prefix != b->prefix)
        return a->prefix < b->prefix ? -1 : 1;
    uint32_t n = a->len < b->len ? a->len : b->len;
    int r = memcmp(a->utf8, b->utf8, n);
    if (r != 0)
        return r < 0 ? -1 : 1;
    return (a->len > b->len) - (a->len < b->len);
}

static int
compare_utf8_qsort(const void *x, const void *y)
{
    return compare_utf8(x, y);
}

/* table order: count descending, then token */
static int
compare_entries(const void *x, const void *y)
{
    const Entry *a = x, *b = y;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return compare_utf8(a, b);
}

/* Sort ``entries`` by token: a radix sort on the prefixes (one byte a pass,
 * skipping the bytes all prefixes share), then the rows with one prefix by
 * comparison.  ``tmp`` holds n entries.  Ten times faster than qsort on a
 * worker's million rows. */
static void
sort_by_token(Entry *entries, Entry *tmp, Py_ssize_t n)
{
    Entry *src = entries, *dst = tmp;
    for (int shift = 0; shift < 64; shift += 8) {
        Py_ssize_t counts[256] = {0};
        for (Py_ssize_t i = 0; i < n; i++)
            counts[(src[i].prefix >> shift) & 0xFF]++;
        int digits = 0;
        for (int d = 0; d < 256; d++)
            digits += counts[d] != 0;
        if (digits <= 1)
            continue; /* every row has this byte */
        Py_ssize_t pos = 0;
        for (int d = 0; d < 256; d++) {
            Py_ssize_t c = counts[d];
            counts[d] = pos;
            pos += c;
        }
        for (Py_ssize_t i = 0; i < n; i++)
            dst[counts[(src[i].prefix >> shift) & 0xFF]++] = src[i];
        Entry *swap = src;
        src = dst;
        dst = swap;
    }
    if (src != entries)
        memcpy(entries, src, (size_t)n * sizeof(Entry));
    for (Py_ssize_t i = 0; i < n;) {
        Py_ssize_t j = i + 1;
        while (j < n && entries[j].prefix == entries[i].prefix)
            j++;
        if (j - i > 1)
            qsort(entries + i, (size_t)(j - i), sizeof(Entry), compare_utf8_qsort);
        i = j;
    }
}

/* The pack of ``entries`` (n rows, in order, their keys ``size`` bytes with the lengths): (keys, counts). */
static PyObject *
write_pack(const Entry *entries, Py_ssize_t n, Py_ssize_t size)
{
    PyObject *keys = PyBytes_FromStringAndSize(NULL, size);
    PyObject *counts = PyBytes_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(int64_t));
    if (keys == NULL || counts == NULL) {
        Py_XDECREF(keys);
        Py_XDECREF(counts);
        return NULL;
    }
    char *k = PyBytes_AS_STRING(keys);
    char *c = PyBytes_AS_STRING(counts);
    for (Py_ssize_t i = 0; i < n; i++) {
        memcpy(k, &entries[i].len, sizeof(uint32_t));
        memcpy(k + sizeof(uint32_t), entries[i].utf8, entries[i].len);
        k += sizeof(uint32_t) + entries[i].len;
        memcpy(c + i * sizeof(int64_t), &entries[i].count, sizeof(int64_t));
    }
    return Py_BuildValue("(NN)", keys, counts);
}

/* Make each of the n entries' key its bytes and then ``suffix``, in one new buffer (returned, to be
 * freed with PyMem_Free), adding n * suffix_len to *size; NULL with an error. */
static char *
with_suffix(Entry *entries, Py_ssize_t n, const char *suffix, Py_ssize_t suffix_len, Py_ssize_t *size)
{
    size_t bytes = 1;
    for (Py_ssize_t j = 0; j < n; j++) {
        if ((uint64_t)entries[j].len + (uint64_t)suffix_len > UINT32_MAX) {
            PyErr_SetString(PyExc_OverflowError, "a key is longer than 4 GiB");
            return NULL;
        }
        bytes += entries[j].len + (size_t)suffix_len;
    }
    char *keyed = PyMem_Malloc(bytes);
    if (keyed == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    char *at = keyed;
    for (Py_ssize_t j = 0; j < n; j++) {
        memcpy(at, entries[j].utf8, entries[j].len);
        memcpy(at + entries[j].len, suffix, (size_t)suffix_len);
        entries[j].utf8 = at;
        entries[j].len += (uint32_t)suffix_len;
        entries[j].prefix = prefix_of(at, entries[j].len);
        at += entries[j].len;
    }
    *size += n * suffix_len;
    return keyed;
}

PyDoc_STRVAR(pack_counts_doc,
"pack_counts(counts, suffix=b'') -> (keys, counts)\n\n"
"The dict ``counts`` (str -> int) as two bytes objects, sorted by key in\n"
"code-point order: each key's UTF-8 (then ``suffix``, the same for every\n"
"key: a count by part's, wordfreq/chunks/parts.py) after its length\n"
"(uint32, native order), and the counts (int64, native order).  Raises UnicodeEncodeError\n"
"for a key UTF-8 cannot encode, OverflowError for a count beyond int64 or\n"
"a key beyond 4 GiB, TypeError for another key or value type.");

static PyObject *
pack_counts(PyObject *module, PyObject *args)
{
    PyObject *arg;
    const char *suffix = NULL;
    Py_ssize_t suffix_len = 0;
    if (!PyArg_ParseTuple(args, "O|y#:pack_counts", &arg, &suffix, &suffix_len))
        return NULL;
    if (!PyDict_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "counts must be a dict");
        return NULL;
    }
    Py_ssize_t n = PyDict_GET_SIZE(arg), pos = 0, size = 0, i = 0;
    PyObject *key, *value;
    Entry *entries = PyMem_Malloc((n > 0 ? n : 1) * 2 * sizeof(Entry)); /* and the sort's buffer */
    char *keyed = NULL; /* the keys with their suffix, when there is one */
    if (entries == NULL)
        return PyErr_NoMemory();
    /* The UTF-8 is the str's own cache (made here when not ASCII), alive as long as the dict. */
    while (PyDict_Next(arg, &pos, &key, &value)) {
        if (!PyUnicode_Check(key) || !PyLong_Check(value) || i >= n) {
            PyErr_SetString(PyExc_TypeError, "counts must map str to int");
            goto fail;
        }
        Py_ssize_t len;
        const char *utf8 = PyUnicode_AsUTF8AndSize(key, &len);
        long long count = PyLong_AsLongLong(value);
        if (utf8 == NULL || (count == -1 && PyErr_Occurred()))
            goto fail;
        if ((uint64_t)len > UINT32_MAX) {
            PyErr_SetString(PyExc_OverflowError, "a key is longer than 4 GiB");
            goto fail;
        }
        entries[i].utf8 = utf8;
        entries[i].len = (uint32_t)len;
        entries[i].count = count;
        size += (Py_ssize_t)sizeof(uint32_t) + len;
        i++;
    }
    if (suffix_len > 0 && (keyed = with_suffix(entries, n, suffix, suffix_len, &size)) == NULL)
        goto fail;
    for (Py_ssize_t j = 0; j < n; j++)
        entries[j].prefix = prefix_of(entries[j].utf8, entries[j].len);
    sort_by_token(entries, entries + n, n);
    PyObject *packed = write_pack(entries, n, size);
    PyMem_Free(entries);
    PyMem_Free(keyed);
    return packed;
fail:
    PyMem_Free(entries);
    PyMem_Free(keyed);
    return NULL;
}

typedef struct {
    PyObject_HEAD
    PyObject *packs;   /* the packs' bytes, which the rows point into */
    Entry *rows;       /* in table order */
    int64_t *docs;     /* each row's document count, or NULL for a table of two columns */
    Py_ssize_t n;
    PyObject *tokens;  /* the sum of the counts, an int */
} PackedTable;

static PyTypeObject PackedTableType;

/* The number of rows of ``pack`` (a pair of bytes: keys, counts); -1 with ValueError if it is none. */
static Py_ssize_t
pack_size(PyObject *pack)
{
    if (!PyTuple_Check(pack) || PyTuple_GET_SIZE(pack) != 2 || !PyBytes_Check(PyTuple_GET_ITEM(pack, 0)) ||
        !PyBytes_Check(PyTuple_GET_ITEM(pack, 1)) ||
        PyBytes_GET_SIZE(PyTuple_GET_ITEM(pack, 1)) % sizeof(int64_t) != 0) {
        PyErr_SetString(PyExc_ValueError, "a pack must be a pair of bytes (keys, counts)");
        return -1;
    }
    return PyBytes_GET_SIZE(PyTuple_GET_ITEM(pack, 1)) / (Py_ssize_t)sizeof(int64_t);
}

/* Read a pack into entries (n of them, as `pack_size` says); -1 with ValueError if malformed or, when
 * ``ordered``, out of order. */
static int
read_pack(PyObject *pack, Entry *entries, Py_ssize_t n, int ordered)
{
    const char *k = PyBytes_AS_STRING(PyTuple_GET_ITEM(pack, 0));
    const char *kend = k + PyBytes_GET_SIZE(PyTuple_GET_ITEM(pack, 0));
    const char *c = PyBytes_AS_STRING(PyTuple_GET_ITEM(pack, 1));
    for (Py_ssize_t j = 0; j < n; j++) {
        uint32_t len;
        if (kend - k < (Py_ssize_t)sizeof len)
            goto malformed;
        memcpy(&len, k, sizeof len);
        k += sizeof len;
        if ((size_t)(kend - k) < len)
            goto malformed;
        entries[j].utf8 = k;
        entries[j].len = len;
        entries[j].prefix = prefix_of(k, len);
        memcpy(&entries[j].count, c + j * sizeof(int64_t), sizeof(int64_t));
        if (ordered && j > 0 && compare_utf8(&entries[j - 1], &entries[j]) >= 0)
            goto malformed;
        k += len;
    }
    if (k == kend)
        return 0;
malformed:
    PyErr_SetString(PyExc_ValueError, "a malformed pack (or one not sorted by token)");
    return -1;
}

/* Write v in decimal at p; the end. */
static char *
write_int(char *p, int64_t v)
{
    char digits[24];
    int nd = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        digits[nd++] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        *p++ = '-';
    while (nd > 0)
        *p++ = digits[--nd];
    return p;
}

/* Lines written into the new bytes ``out`` up to ``p``, cut there (NULL with an error). */
static PyObject *
lines_cut(PyObject *out, const char *p)
{
    if (_PyBytes_Resize(&out, p - PyBytes_AS_STRING(out)) < 0)
        return NULL;
    return out;
}

/* Each row as a line: its token, a tab, its count in decimal (and, with ``docs``, a tab and its
 * document count), then `tail`; None when a token holds a tab or a line feed (the Python writer then
 * says why, or writes it its own way). */
static PyObject *
lines_of(const Entry *rows, const int64_t *docs, Py_ssize_t n, const char *tail)
{
    size_t tail_len = strlen(tail), size = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        const Entry *e = &rows[i];
        if (memchr(e->utf8, '\n', e->len) != NULL || memchr(e->utf8, '\t', e->len) != NULL)
            Py_RETURN_NONE;
        size += e->len + 21 + (docs != NULL ? 21 : 0) + tail_len; /* TAB, up to 20 characters of an int64 */
    }
    PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)size);
    if (out == NULL)
        return NULL;
    char *p = PyBytes_AS_STRING(out);
    for (Py_ssize_t i = 0; i < n; i++) {
        const Entry *e = &rows[i];
        memcpy(p, e->utf8, e->len);
        p += e->len;
        *p++ = '\t';
        p = write_int(p, e->count);
        if (docs != NULL) {
            *p++ = '\t';
            p = write_int(p, docs[i]);
        }
        memcpy(p, tail, tail_len);
        p += tail_len;
    }
    return lines_cut(out, p);
}

/* The rows of ``pack``, in any order, as new entries (*n of them, with room for ``times`` * n), to be
 * freed with PyMem_Free; NULL with an error. */
static Entry *
read_any_pack(PyObject *pack, Py_ssize_t *n, Py_ssize_t times)
{
    *n = pack_size(pack);
    if (*n < 0)
        return NULL;
    Entry *entries = PyMem_Malloc((*n > 0 ? *n : 1) * times * sizeof(Entry));
    if (entries == NULL)
        return (Entry *)PyErr_NoMemory();
    if (read_pack(pack, entries, *n, 0) < 0) {
        PyMem_Free(entries);
        return NULL;
    }
    return entries;
}

PyDoc_STRVAR(run_lines_doc,
"run_lines(pack) -> bytes or None\n\n"
"The rows of a pack, in its order (any order: a RowTable's rows need no\n"
"sorting to be spilled), as lines of a spill run: row, tab, count, tab, 0\n"
"documents, line feed.  None when a row holds a tab or a line feed;\n"
"ValueError for a malformed pack.");

static PyObject *
run_lines(PyObject *module, PyObject *pack)
{
    Py_ssize_t n;
    Entry *entries = read_any_pack(pack, &n, 1);
    if (entries == NULL)
        return NULL;
    PyObject *lines = lines_of(entries, NULL, n, "\t0\n");
    PyMem_Free(entries);
    return lines;
}

PyDoc_STRVAR(sort_pack_doc,
"sort_pack(pack, suffix=b'') -> (keys, counts)\n\n"
"A pack in no order, where a key may come more than once (as\n"
"_jieba.RowTable.take makes them), each key followed by ``suffix``, as a\n"
"pack: sorted by key, each key once\n"
"with the sum of its counts.  Raises OverflowError when a sum goes beyond\n"
"int64, ValueError for a malformed pack.");

static PyObject *
sort_pack(PyObject *module, PyObject *args)
{
    PyObject *pack;
    const char *suffix = NULL;
    Py_ssize_t suffix_len = 0, n, ignored = 0;
    if (!PyArg_ParseTuple(args, "O|y#:sort_pack", &pack, &suffix, &suffix_len))
        return NULL;
    Entry *entries = read_any_pack(pack, &n, 2); /* and the sort's buffer */
    if (entries == NULL)
        return NULL;
    PyObject *packed = NULL;
    char *keyed = NULL;
    if (suffix_len > 0 && (keyed = with_suffix(entries, n, suffix, suffix_len, &ignored)) == NULL)
        goto done;
    sort_by_token(entries, entries + n, n);
    Py_ssize_t kept = 0, size = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (kept > 0 && compare_utf8(&entries[kept - 1], &entries[i]) == 0) {
            if (__builtin_add_overflow(entries[kept - 1].count, entries[i].count, &entries[kept - 1].count)) {
                PyErr_SetString(PyExc_OverflowError, "a count beyond 64 bits");
                goto done;
            }
            continue;
        }
        entries[kept++] = entries[i];
        size += (Py_ssize_t)sizeof(uint32_t) + entries[i].len;
    }
    packed = write_pack(entries, kept, size);
done:
    PyMem_Free(entries);
    PyMem_Free(keyed);
    return packed;
}

#define SMALL_COUNTS 65536 /* counts below this are ordered by a counting sort */

static inline int64_t
count_at(const char *element, size_t at)
{
    int64_t c;
    memcpy(&c, element + at, sizeof c);
    return c;
}

/* Order the n elements of ``in`` (each ``size`` bytes, an int64 count at offset ``at``) by count
 * descending into ``out``, keeping their order within a count: a counting sort of the counts below
 * ``limit`` (``start`` holds ``limit``), ``compare`` (count descending, then key) for the others, few;
 * negative counts last.  Inlined where called, so the copies are of a known size. */
static inline __attribute__((always_inline)) void
order_by_count(const void *in, Py_ssize_t n, void *out, size_t size, size_t at, int64_t limit, Py_ssize_t *start,
               int (*compare)(const void *, const void *))
{
    const char *src = in;
    char *dst = out;
    Py_ssize_t big = 0;
    int64_t top = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t c = count_at(src + i * size, at);
        if (c >= 0 && c < limit)
            top = c > top ? c : top;
        else
            memcpy(dst + big++ * size, src + i * size, size);
    }
    qsort(dst, (size_t)big, size, compare);
    Py_ssize_t above = 0; /* rows of a count >= limit, first */
    while (above < big && count_at(dst + above * size, at) >= 0)
        above++;
    Py_ssize_t negative = big - above;
    memmove(dst + (n - negative) * size, dst + above * size, (size_t)negative * size);
    memset(start, 0, (size_t)(top + 1) * sizeof(Py_ssize_t));
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t c = count_at(src + i * size, at);
        if (c >= 0 && c < limit)
            start[c]++;
    }
    Py_ssize_t pos = above;
    for (int64_t c = top; c >= 0; c--) {
        Py_ssize_t rows = start[c];
        start[c] = pos;
        pos += rows;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t c = count_at(src + i * size, at);
        if (c >= 0 && c < limit)
            memcpy(dst + start[c]++ * size, src + i * size, size);
    }
}

/* Order the token-sorted ``entries`` by count descending, keeping the token order within a count.
 * ``out`` holds n entries. */
static void
sort_by_count(const Entry *entries, Py_ssize_t n, Entry *out)
{
    Py_ssize_t *start = PyMem_Malloc(SMALL_COUNTS * sizeof(Py_ssize_t));
    if (start == NULL) { /* no room for the histogram: sort by comparison */
        memcpy(out, entries, (size_t)n * sizeof(Entry));
        qsort(out, (size_t)n, sizeof(Entry), compare_entries);
        return;
    }
    order_by_count(entries, n, out, sizeof(Entry), offsetof(Entry, count), SMALL_COUNTS, start, compare_entries);
    PyMem_Free(start);
}

/* hi * 2**64 + lo as a Python int; NULL with an error. */
static PyObject *
int_of_u128(uint64_t hi, uint64_t lo)
{
    PyObject *h = PyLong_FromUnsignedLongLong(hi), *l = PyLong_FromUnsignedLongLong(lo);
    PyObject *shift = PyLong_FromLong(64);
    PyObject *hs = (h && shift) ? PyNumber_Lshift(h, shift) : NULL;
    PyObject *sum = (hs && l) ? PyNumber_Add(hs, l) : NULL;
    Py_XDECREF(h);
    Py_XDECREF(l);
    Py_XDECREF(shift);
    Py_XDECREF(hs);
    return sum;
}

PyDoc_STRVAR(merge_packs_doc,
"merge_packs(packs, min_count, max_rows, by_key=False) -> PackedTable\n\n"
"The sum of the packed tables ``packs`` (a list of (keys, counts) pairs\n"
"made by pack_counts), in table order (count descending, then token in\n"
"code-point order; with ``by_key``, in key order), without the rows below\n"
"``min_count`` and cut to the first ``max_rows`` (None: all).  Raises OverflowError when a sum goes\n"
"beyond int64, ValueError for a malformed pack.");

/* A pack read one row at a time (its bytes checked as read_pack checks them, and its order). */
typedef struct {
    const char *k, *kend, *c;
    Py_ssize_t left;
    Entry row; /* the current row, while ``more`` */
    int more;
} PackReader;

/* Step ``r`` to its next row; -1 with ValueError if the pack is malformed or out of order. */
static int
pack_next(PackReader *r)
{
    if (r->left == 0) {
        r->more = 0;
        return r->k == r->kend ? 0 : -1;
    }
    uint32_t len;
    if (r->kend - r->k < (Py_ssize_t)sizeof len)
        return -1;
    memcpy(&len, r->k, sizeof len);
    r->k += sizeof len;
    if ((size_t)(r->kend - r->k) < len)
        return -1;
    Entry row = {r->k, prefix_of(r->k, len), 0, len};
    memcpy(&row.count, r->c, sizeof(int64_t));
    if (r->more && compare_utf8(&r->row, &row) >= 0)
        return -1;
    r->row = row;
    r->more = 1;
    r->k += len;
    r->c += sizeof(int64_t);
    r->left--;
    return 0;
}

static int
pack_open(PackReader *r, PyObject *pack, Py_ssize_t rows)
{
    r->k = PyBytes_AS_STRING(PyTuple_GET_ITEM(pack, 0));
    r->kend = r->k + PyBytes_GET_SIZE(PyTuple_GET_ITEM(pack, 0));
    r->c = PyBytes_AS_STRING(PyTuple_GET_ITEM(pack, 1));
    r->left = rows;
    r->more = 0;
    return pack_next(r);
}

/* Whether reader a's row comes before reader b's: a min-heap of the packs' readers. */
static int
reader_before(const PackReader *a, const PackReader *b)
{
    return compare_utf8(&a->row, &b->row) < 0;
}

static void
sift_down(PackReader **heap, Py_ssize_t n, Py_ssize_t i)
{
    PackReader *top = heap[i];
    for (;;) {
        Py_ssize_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && reader_before(heap[c + 1], heap[c]))
            c++;
        if (!reader_before(heap[c], top))
            break;
        heap[i] = heap[c];
        i = c;
    }
    heap[i] = top;
}

/* The rows of the packs of the list ``packs`` (each sorted by key), merged into one run sorted by key, a
 * key's counts summed: *src holds them (*n), to be freed with PyMem_Free; -1 with an error (and nothing
 * to free).  All the packs are merged at once, read as they are merged, through a heap of their
 * readers: one pass, in one buffer (a worker merges a pack per task; merged in pairs, the rows went
 * through memory once for each halving). */
static int
merged_rows(PyObject *packs, Entry **src_out, Py_ssize_t *n_out)
{
    Py_ssize_t total = 0, npacks = PyList_GET_SIZE(packs), live = 0, n = 0;
    for (Py_ssize_t i = 0; i < npacks; i++) {
        Py_ssize_t rows = pack_size(PyList_GET_ITEM(packs, i));
        if (rows < 0)
            return -1;
        total += rows;
    }
    Entry *out = PyMem_Malloc((total > 0 ? total : 1) * sizeof(Entry));
    PackReader *readers = PyMem_Malloc((npacks > 0 ? npacks : 1) * sizeof(PackReader));
    PackReader **heap = PyMem_Malloc((npacks > 0 ? npacks : 1) * sizeof(PackReader *));
    if (out == NULL || readers == NULL || heap == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t i = 0; i < npacks; i++) {
        PyObject *pack = PyList_GET_ITEM(packs, i);
        if (pack_open(&readers[i], pack, PyBytes_GET_SIZE(PyTuple_GET_ITEM(pack, 1)) / (Py_ssize_t)sizeof(int64_t)) < 0)
            goto malformed;
        if (readers[i].more)
            heap[live++] = &readers[i];
    }
    for (Py_ssize_t i = live / 2 - 1; i >= 0; i--)
        sift_down(heap, live, i);
    while (live > 0) {
        PackReader *r = heap[0];
        if (n > 0 && compare_utf8(&out[n - 1], &r->row) == 0) { /* the key of another pack's row */
            if (__builtin_add_overflow(out[n - 1].count, r->row.count, &out[n - 1].count)) {
                PyErr_SetString(PyExc_OverflowError, "a count beyond 64 bits");
                goto fail;
            }
        }
        else
            out[n++] = r->row;
        if (pack_next(r) < 0)
            goto malformed;
        if (!r->more)
            heap[0] = heap[--live];
        if (live > 0)
            sift_down(heap, live, 0);
    }
    PyMem_Free(readers);
    PyMem_Free(heap);
    *src_out = out;
    *n_out = n;
    return 0;
malformed:
    PyErr_SetString(PyExc_ValueError, "a malformed pack (or one not sorted by token)");
fail:
    PyMem_Free(out);
    PyMem_Free(readers);
    PyMem_Free(heap);
    return -1;
}

PyDoc_STRVAR(sum_packs_doc,
"sum_packs(packs) -> (keys, counts)\n\n"
"The sum of the packs ``packs`` (a list, each sorted by key) as one pack\n"
"sorted by key: their sorted runs merged, each key once with the sum of its\n"
"counts (what sort_pack gives of them laid end to end, without sorting\n"
"again).  Raises OverflowError when a sum goes beyond int64, ValueError for\n"
"a malformed pack or one out of order.");

static PyObject *
sum_packs(PyObject *module, PyObject *packs)
{
    if (!PyList_Check(packs)) {
        PyErr_SetString(PyExc_TypeError, "packs must be a list");
        return NULL;
    }
    Entry *rows;
    Py_ssize_t n, size = 0;
    if (merged_rows(packs, &rows, &n) < 0)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++)
        size += (Py_ssize_t)sizeof(uint32_t) + rows[i].len;
    PyObject *packed = write_pack(rows, n, size);
    PyMem_Free(rows);
    return packed;
}

static PyObject *
merge_packs(PyObject *module, PyObject *args)
{
    PyObject *packs, *max_rows_obj;
    long long min_count;
    int by_key = 0;
    if (!PyArg_ParseTuple(args, "O!LO|p:merge_packs", &PyList_Type, &packs, &min_count, &max_rows_obj, &by_key))
        return NULL;
    Py_ssize_t max_rows = -1;
    if (max_rows_obj != Py_None) {
        max_rows = PyLong_AsSsize_t(max_rows_obj);
        if (max_rows == -1 && PyErr_Occurred())
            return NULL;
        if (max_rows < 0) {
            PyErr_SetString(PyExc_ValueError, "max_rows must be >= 0");
            return NULL;
        }
    }
    Entry *src = NULL, *dst = NULL;
    Py_ssize_t n;
    PyObject *tokens = NULL;
    if (merged_rows(packs, &src, &n) < 0)
        return NULL;
    Py_ssize_t kept = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (src[i].count >= min_count)
            src[kept++] = src[i];
    }
    if (by_key) { /* the rows as they are */
        dst = src;
        src = NULL;
    }
    else {
        if ((dst = PyMem_Malloc((kept > 0 ? kept : 1) * sizeof(Entry))) == NULL) {
            PyErr_NoMemory();
            goto fail;
        }
        sort_by_count(src, kept, dst);
    }
    if (max_rows >= 0 && kept > max_rows)
        kept = max_rows;
    uint64_t lo = 0, hi = 0; /* the sum, in 128 bits (counts >= 0; else the sum is made of Python ints) */
    int negative = 0;
    for (Py_ssize_t i = 0; i < kept; i++) {
        if (dst[i].count < 0)
            negative = 1;
        uint64_t before = lo;
        lo += (uint64_t)dst[i].count;
        if (lo < before)
            hi++;
    }
    if (negative) {
        tokens = PyLong_FromLong(0);
        for (Py_ssize_t i = 0; tokens != NULL && i < kept; i++) {
            PyObject *c = PyLong_FromLongLong(dst[i].count);
            PyObject *sum = c == NULL ? NULL : PyNumber_Add(tokens, c);
            Py_XDECREF(c);
            Py_SETREF(tokens, sum);
        }
    }
    else
        tokens = int_of_u128(hi, lo);
    if (tokens == NULL)
        goto fail;
    PyMem_Free(src);
    src = NULL;
    Entry *rows = PyMem_Realloc(dst, (kept > 0 ? kept : 1) * sizeof(Entry));
    if (rows != NULL)
        dst = rows;
    PackedTable *table = PyObject_New(PackedTable, &PackedTableType);
    if (table == NULL)
        goto fail;
    Py_INCREF(packs);
    table->packs = packs;
    table->rows = dst;
    table->docs = NULL;
    table->n = kept;
    table->tokens = tokens;
    return (PyObject *)table;
fail:
    PyMem_Free(src);
    PyMem_Free(dst);
    Py_XDECREF(tokens);
    return NULL;
}

static void
PackedTable_dealloc(PackedTable *self)
{
    Py_XDECREF(self->packs);
    Py_XDECREF(self->tokens);
    PyMem_Free(self->rows);
    PyMem_Free(self->docs);
    PyObject_Free(self);
}

static Py_ssize_t
PackedTable_len(PackedTable *self)
{
    return self->n;
}

/* start and stop (parsed from args by ``format``), clipped to n rows like a slice's (no negative
 * indices) */
static int
slice_range(Py_ssize_t n, PyObject *args, const char *format, Py_ssize_t *start, Py_ssize_t *stop)
{
    *start = 0;
    *stop = n;
    if (!PyArg_ParseTuple(args, format, start, stop))
        return -1;
    if (*start < 0 || *stop < 0) {
        PyErr_SetString(PyExc_ValueError, "start and stop must be >= 0");
        return -1;
    }
    if (*stop > n)
        *stop = n;
    if (*start > *stop)
        *start = *stop;
    return 0;
}

static int
parse_range(PackedTable *self, PyObject *args, const char *format, Py_ssize_t *start, Py_ssize_t *stop)
{
    return slice_range(self->n, args, format, start, stop);
}

/* A table's rows start..stop (parsed from args, of n rows) as a list, row i made by ``row`` (a new
 * reference; NULL with an error): rows() of the packed, dispersion and long tables. */
static PyObject *
rows_list(PyObject *table, Py_ssize_t n, PyObject *args, PyObject *(*row)(PyObject *, Py_ssize_t))
{
    Py_ssize_t start, stop;
    if (slice_range(n, args, "|nn:rows", &start, &stop) < 0)
        return NULL;
    PyObject *list = PyList_New(stop - start);
    for (Py_ssize_t i = start; list != NULL && i < stop; i++) {
        PyObject *item = row(table, i);
        if (item == NULL)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, i - start, item);
    }
    return list;
}

static PyObject *
packed_row(PyObject *table, Py_ssize_t i)
{
    const PackedTable *self = (const PackedTable *)table;
    const Entry *e = &self->rows[i];
    PyObject *token = PyUnicode_DecodeUTF8(e->utf8, e->len, NULL);
    return self->docs == NULL ? Py_BuildValue("(NL)", token, (long long)e->count)
                              : Py_BuildValue("(NLL)", token, (long long)e->count, (long long)self->docs[i]);
}

static PyObject *
PackedTable_rows(PackedTable *self, PyObject *args)
{
    return rows_list((PyObject *)self, self->n, args, packed_row);
}

static PyObject *
PackedTable_tsv(PackedTable *self, PyObject *args)
{
    Py_ssize_t start, stop;
    if (slice_range(self->n, args, "|nn:tsv", &start, &stop) < 0)
        return NULL;
    return lines_of(self->rows + start, self->docs != NULL ? self->docs + start : NULL, stop - start, "\n");
}

static PyObject *
PackedTable_to_dict(PackedTable *self, PyObject *unused)
{
    PyObject *dict = PyDict_New();
    for (Py_ssize_t i = 0; dict != NULL && i < self->n; i++) {
        const Entry *e = &self->rows[i];
        PyObject *key = PyUnicode_DecodeUTF8(e->utf8, e->len, NULL);
        PyObject *value = key == NULL ? NULL : PyLong_FromLongLong(e->count);
        if (value == NULL || PyDict_SetItem(dict, key, value) < 0)
            Py_CLEAR(dict);
        Py_XDECREF(key);
        Py_XDECREF(value);
    }
    return dict;
}

/* (offsets, utf8, counts): the rows as Arrow's large-UTF-8 and int64 buffers, in table order */
static PyObject *
PackedTable_columns(PackedTable *self, PyObject *unused)
{
    Py_ssize_t n = self->n, total = 0;
    for (Py_ssize_t i = 0; i < n; i++)
        total += self->rows[i].len;
    PyObject *offsets = PyBytes_FromStringAndSize(NULL, (n + 1) * (Py_ssize_t)sizeof(int64_t));
    PyObject *utf8 = PyBytes_FromStringAndSize(NULL, total);
    PyObject *counts = PyBytes_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(int64_t));
    if (offsets == NULL || utf8 == NULL || counts == NULL) {
        Py_XDECREF(offsets);
        Py_XDECREF(utf8);
        Py_XDECREF(counts);
        return NULL;
    }
    char *offset_bytes = PyBytes_AS_STRING(offsets), *text = PyBytes_AS_STRING(utf8);
    char *count_bytes = PyBytes_AS_STRING(counts);
    int64_t at = 0;
    memcpy(offset_bytes, &at, sizeof at);
    for (Py_ssize_t i = 0; i < n; i++) {
        const Entry *e = &self->rows[i];
        memcpy(text + at, e->utf8, e->len);
        at += e->len;
        memcpy(offset_bytes + (i + 1) * sizeof(int64_t), &at, sizeof at);
        memcpy(count_bytes + i * sizeof(int64_t), &e->count, sizeof e->count);
    }
    return Py_BuildValue("(NNN)", offsets, utf8, counts);
}

static PyObject *
PackedTable_pack(PackedTable *self, PyObject *unused)
{
    Py_ssize_t size = 0;
    for (Py_ssize_t i = 0; i < self->n; i++)
        size += (Py_ssize_t)sizeof(uint32_t) + self->rows[i].len;
    return write_pack(self->rows, self->n, size);
}

static PyObject *
PackedTable_get_tokens(PackedTable *self, void *closure)
{
    Py_INCREF(self->tokens);
    return self->tokens;
}

#include "_runs.h"
#include "_parts.h"

static PyMethodDef PackedTable_methods[] = {
    {"rows", (PyCFunction)PackedTable_rows, METH_VARARGS,
     "rows(start=0, stop=len) -> list of (token, count[, docs]), in table order"},
    {"tsv", (PyCFunction)PackedTable_tsv, METH_VARARGS,
     "tsv(start=0, stop=len) -> the rows' 'token<TAB>count<LF>' lines in UTF-8, or None when a token\n"
     "holds a tab or a line feed (the Python writer then decides)"},
    {"to_dict", (PyCFunction)PackedTable_to_dict, METH_NOARGS, "to_dict() -> {token: count}, in table order"},
    {"columns", (PyCFunction)PackedTable_columns, METH_NOARGS,
     "columns() -> (offsets, utf8, counts): the rows as Arrow buffers (int64 offsets, UTF-8, int64)"},
    {"pack", (PyCFunction)PackedTable_pack, METH_NOARGS,
     "pack() -> (keys, counts): the rows, in the table's order, as a pack (a sorted one for a table merged\n"
     "by key)"},
    {"records", (PyCFunction)PackedTable_records, METH_VARARGS,
     "records(start=0, stop=len) -> bytes: the rows, in table order, as a table file's (see _runs.h)"},
    {"set_docs", (PyCFunction)PackedTable_set_docs, METH_O,
     "set_docs(words) -> None: the rows' document counts, one int64 a row (as TableMerge.take gives them\n"
     "with words=1): the table then has three columns"},
    {"attach_docs", (PyCFunction)PackedTable_attach_docs, METH_O,
     "attach_docs(pack) -> None: give each row the count of the same key in ``pack`` (sorted by key; 0\n"
     "where it has none) as its document count: the table then has three columns"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef PackedTable_getset[] = {
    {"tokens", (getter)PackedTable_get_tokens, NULL, "the sum of the counts", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PySequenceMethods PackedTable_as_sequence = {
    .sq_length = (lenfunc)PackedTable_len,
};

static PyTypeObject PackedTableType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "wordfreq.reduce._tables.PackedTable",
    .tp_basicsize = sizeof(PackedTable),
    .tp_dealloc = (destructor)PackedTable_dealloc,
    .tp_as_sequence = &PackedTable_as_sequence,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A merged packed table in table order (made by merge_packs).",
    .tp_methods = PackedTable_methods,
    .tp_getset = PackedTable_getset,
};

static PyMethodDef methods[] = {
    {"sort_rows", sort_rows, METH_O, sort_rows_doc},
    {"add_counts", add_counts, METH_VARARGS, add_counts_doc},
    {"pack_counts", pack_counts, METH_VARARGS, pack_counts_doc},
    {"merge_packs", merge_packs, METH_VARARGS, merge_packs_doc},
    {"sort_pack", sort_pack, METH_VARARGS, sort_pack_doc},
    {"sum_packs", sum_packs, METH_O, sum_packs_doc},
    {"run_lines", run_lines, METH_O, run_lines_doc},
    {"partition_pack", partition_pack, METH_VARARGS, partition_pack_doc},
    {"dispersion", dispersion, METH_VARARGS, dispersion_doc},
    {"long_table", long_table, METH_VARARGS, long_table_doc},
    {"dispersion_records", dispersion_records, METH_VARARGS, dispersion_records_doc},
    {"part_totals", part_totals, METH_VARARGS, part_totals_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "wordfreq.reduce._tables", "The table operations that touch every row, compiled.", -1,
    methods,
};

PyMODINIT_FUNC
PyInit__tables(void)
{
    if (PyType_Ready(&PackedTableType) < 0 || PyType_Ready(&TableMergeType) < 0 ||
        PyType_Ready(&DispersionTableType) < 0 || PyType_Ready(&LongTableType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&PackedTableType);
    if (PyModule_AddObject(m, "PackedTable", (PyObject *)&PackedTableType) < 0) {
        Py_DECREF(&PackedTableType);
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(&TableMergeType);
    if (PyModule_AddObject(m, "TableMerge", (PyObject *)&TableMergeType) < 0) {
        Py_DECREF(&TableMergeType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
