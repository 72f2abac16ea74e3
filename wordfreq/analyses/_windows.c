/* The windows of the collocates (wordfreq/collocates.py), compiled: the one loop that touches every
 * position of every window.  Python's version is `collocates._add_windows_py`; the two are checked
 * against the naive program by tests/test_collocates.py (hypothesis: random texts and windows). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static PyObject *one;

/* counter[key] += 1 (counter an exact dict or a subclass, key a str). */
static int
increment(PyObject *counter, PyObject *key)
{
    PyObject *old = PyDict_GetItemWithError(counter, key); /* borrowed */
    PyObject *value;
    if (old == NULL) {
        if (PyErr_Occurred())
            return -1;
        value = PyLong_FromLong(1);
    }
    else {
        value = PyNumber_Add(old, one);
    }
    if (value == NULL)
        return -1;
    int failed = PyDict_SetItem(counter, key, value);
    Py_DECREF(value);
    return failed;
}

PyDoc_STRVAR(add_windows_doc,
"add_windows(kept, nodes, left, right, windows, sizes) -> None\n\n"
"For every node index k of a token of kept (nodes: {word: k}): the positions\n"
"within left tokens before or right tokens after a position of k, each once,\n"
"and none of k's own, add 1 to windows[k][kept[j]] for each such position j,\n"
"and their number to sizes[k].  kept: a list of str; windows: a list of\n"
"dicts (Counters); sizes: a list of ints, as long.");

static PyObject *
add_windows(PyObject *module, PyObject *args)
{
    PyObject *kept, *nodes, *windows, *sizes;
    Py_ssize_t left, right;
    if (!PyArg_ParseTuple(args, "O!O!nnO!O!", &PyList_Type, &kept, &PyDict_Type, &nodes, &left, &right,
                          &PyList_Type, &windows, &PyList_Type, &sizes))
        return NULL;
    if (left < 0 || right < 0) {
        PyErr_SetString(PyExc_ValueError, "a window side is at least 0 tokens");
        return NULL;
    }
    Py_ssize_t n_nodes = PyList_GET_SIZE(windows);
    if (PyList_GET_SIZE(sizes) != n_nodes) {
        PyErr_SetString(PyExc_ValueError, "windows and sizes differ in length");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(kept);
    if (n == 0)
        Py_RETURN_NONE;
    Py_ssize_t *node_of = PyMem_Malloc((size_t)n * sizeof(Py_ssize_t));
    char *done = PyMem_Calloc((size_t)n, 1);
    if (node_of == NULL || done == NULL) {
        PyMem_Free(node_of);
        PyMem_Free(done);
        return PyErr_NoMemory();
    }
    Py_ssize_t found = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *token = PyList_GET_ITEM(kept, i);
        if (!PyUnicode_CheckExact(token)) {
            PyErr_SetString(PyExc_TypeError, "kept holds str only");
            goto error;
        }
        PyObject *index = PyDict_GetItemWithError(nodes, token); /* borrowed */
        node_of[i] = -1;
        if (index == NULL) {
            if (PyErr_Occurred())
                goto error;
            continue;
        }
        Py_ssize_t k = PyLong_AsSsize_t(index);
        if (k == -1 && PyErr_Occurred())
            goto error;
        if (k < 0 || k >= n_nodes) {
            PyErr_SetString(PyExc_ValueError, "a node's index is out of range");
            goto error;
        }
        PyObject *counter = PyList_GET_ITEM(windows, k);
        PyObject *size = PyList_GET_ITEM(sizes, k);
        if (!PyDict_Check(counter) || !PyLong_CheckExact(size)) {
            PyErr_SetString(PyExc_TypeError, "windows holds dicts and sizes ints");
            goto error;
        }
        node_of[i] = k;
        found++;
    }
    for (Py_ssize_t p = 0; found > 0 && p < n; p++) {
        Py_ssize_t k = node_of[p];
        if (k < 0 || done[p])
            continue;
        /* Every position of node k, from its first: the union of their windows, walked once. */
        PyObject *counter = PyList_GET_ITEM(windows, k);
        Py_ssize_t covered = 0, positions = 0;
        for (Py_ssize_t q = p; q < n; q++) {
            if (node_of[q] != k)
                continue;
            done[q] = 1;
            found--;
            Py_ssize_t start = q - left > covered ? q - left : covered;
            Py_ssize_t end = right >= n - q ? n : q + right + 1;
            for (Py_ssize_t j = start; j < end; j++) {
                if (node_of[j] == k)
                    continue;
                if (increment(counter, PyList_GET_ITEM(kept, j)) < 0)
                    goto error;
                positions++;
            }
            if (end > covered)
                covered = end;
        }
        PyObject *add = PyLong_FromSsize_t(positions);
        if (add == NULL)
            goto error;
        PyObject *total = PyNumber_Add(PyList_GET_ITEM(sizes, k), add);
        Py_DECREF(add);
        if (total == NULL)
            goto error;
        if (PyList_SetItem(sizes, k, total) < 0) /* steals total, releases the old int */
            goto error;
    }
    PyMem_Free(node_of);
    PyMem_Free(done);
    Py_RETURN_NONE;
error:
    PyMem_Free(node_of);
    PyMem_Free(done);
    return NULL;
}

/* `value` in decimal at o (room for 20 characters); its length. */
static Py_ssize_t
put_decimal(char *o, long long value)
{
    char digits[20];
    int n = 0;
    unsigned long long v = value < 0 ? 0ULL - (unsigned long long)value : (unsigned long long)value;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    Py_ssize_t len = 0;
    if (value < 0)
        o[len++] = '-';
    while (n > 0)
        o[len++] = digits[--n];
    return len;
}

PyDoc_STRVAR(tsv_rows_doc,
"tsv_rows(prefix, base, lines, cells) -> bytes\n\n"
"The TSV rows of a concordance's task: for each row i, prefix (the source and\n"
"a tab, as bytes), base + lines[i] in decimal, then row i of cells (rows that\n"
"each end with a line feed, as _jieba.Segmenter.kwic_rows makes them); lines:\n"
"int64 in native order, as many as cells has rows.");

static PyObject *
tsv_rows(PyObject *module, PyObject *args)
{
    Py_buffer prefix, lines, cells;
    long long base;
    if (!PyArg_ParseTuple(args, "y*Ly*y*", &prefix, &base, &lines, &cells))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t rows = lines.len / (Py_ssize_t)sizeof(long long);
    const char *c = cells.buf;
    if (lines.len % (Py_ssize_t)sizeof(long long) != 0) {
        PyErr_SetString(PyExc_ValueError, "cells and lines do not have the same rows");
        goto done;
    }
    /* each row: the prefix, at most 20 characters of a number, its cells */
    Py_ssize_t size = cells.len + rows * (prefix.len + 20);
    result = PyBytes_FromStringAndSize(NULL, size);
    if (result == NULL)
        goto done;
    char *out = PyBytes_AS_STRING(result), *o = out;
    Py_ssize_t at = 0, r = 0;
    for (; r < rows; r++) {
        long long line;
        memcpy(&line, (const char *)lines.buf + r * sizeof line, sizeof line);
        const char *end = at < cells.len ? memchr(c + at, '\n', cells.len - at) : NULL;
        if (end == NULL)
            break; /* fewer rows in cells than lines: refused below */
        memcpy(o, prefix.buf, prefix.len);
        o += prefix.len;
        o += put_decimal(o, base + line);
        Py_ssize_t len = end - (c + at) + 1;
        memcpy(o, c + at, len);
        o += len;
        at += len;
    }
    if (r != rows || at != cells.len) { /* fewer rows in cells than lines, or more */
        PyErr_SetString(PyExc_ValueError, "cells and lines do not have the same rows");
        Py_CLEAR(result);
        goto done;
    }
    if (_PyBytes_Resize(&result, o - out) < 0)
        result = NULL;
done:
    PyBuffer_Release(&prefix);
    PyBuffer_Release(&lines);
    PyBuffer_Release(&cells);
    return result;
}

/* ---- the collocates' rows ------------------------------------------------ */

/* A cell the csv module would quote in TSV or CSV: it holds a tab, a comma, a quote or a line break
 * (collocates._QUOTED). */
static int
needs_quotes(const char *s, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\t' || c == ',' || c == '"' || c == '\r' || c == '\n')
            return 1;
    }
    return 0;
}

/* `value` as f"{value:.10g}" writes it (the same function of Python's), at o; its length. */
static Py_ssize_t
put_g10(char *o, double value)
{
    char *text = PyOS_double_to_string(value, 'g', 10, 0, NULL);
    if (text == NULL)
        return -1;
    size_t len = strlen(text);
    memcpy(o, text, len);
    PyMem_Free(text);
    return (Py_ssize_t)len;
}

/* The UTF-8 of item i of `list` (a list of str; TypeError naming `what` otherwise), its length in *len. */
static const char *
item_utf8(PyObject *list, Py_ssize_t i, Py_ssize_t *len, const char *what)
{
    PyObject *item = PyList_GET_ITEM(list, i);
    if (!PyUnicode_Check(item)) {
        PyErr_Format(PyExc_TypeError, "%s holds str only", what);
        return NULL;
    }
    return PyUnicode_AsUTF8AndSize(item, len);
}

PyDoc_STRVAR(collocate_rows_doc,
"collocate_rows(prefix, names, delimiter, f_node, o, f_collocate, e, mi, mi3, t, ll, log_dice)\n"
"-> bytes | None\n\n"
"The rows of one node's collocates as write_collocates writes them where no\n"
"cell needs quotes: for each i, prefix (the node and the delimiter, or\n"
"nothing), names[i], o[i], e[i], f_node, f_collocate[i], mi[i], mi3[i], t[i],\n"
"ll[i], log_dice[i] joined by the delimiter (one character), then a line\n"
"feed; the counts in decimal, the measures as f\"{x:.10g}\".  names: a list\n"
"of str; o, f_collocate: int64 buffers, the others float64, as long.  None\n"
"where a name holds a character the csv module quotes (tab, comma, quote,\n"
"CR, LF): the caller writes those rows itself.");

static PyObject *
collocate_rows(PyObject *module, PyObject *args)
{
    Py_buffer prefix, col[8];
    PyObject *names, *result = NULL;
    int delimiter;
    long long f_node;
    memset(col, 0, sizeof col);
    if (!PyArg_ParseTuple(args, "y*O!CLy*y*y*y*y*y*y*y*", &prefix, &PyList_Type, &names, &delimiter, &f_node,
                          &col[0], &col[1], &col[2], &col[3], &col[4], &col[5], &col[6], &col[7]))
        return NULL;
    Py_ssize_t rows = PyList_GET_SIZE(names);
    for (int c = 0; c < 8; c++) {
        if (col[c].len != rows * 8) {
            PyErr_SetString(PyExc_ValueError, "every column has a value per name, of 8 bytes");
            goto done;
        }
    }
    if (delimiter < 1 || delimiter > 127) {
        PyErr_SetString(PyExc_ValueError, "the delimiter is one ASCII character");
        goto done;
    }
    /* each row: the prefix, its name, 3 integers of at most 20 characters, 6 measures of at most 24
     * (a sign, 10 digits, a point, an exponent: 17; "inf", "nan"), 10 delimiters and a line feed */
    Py_ssize_t size = 0;
    for (Py_ssize_t i = 0; i < rows; i++) {
        Py_ssize_t len;
        const char *utf8 = item_utf8(names, i, &len, "names");
        if (utf8 == NULL)
            goto done;
        if (needs_quotes(utf8, len)) {
            Py_INCREF(Py_None);
            result = Py_None;
            goto done;
        }
        size += prefix.len + len + 3 * 20 + 6 * 24 + 11;
    }
    result = PyBytes_FromStringAndSize(NULL, size);
    if (result == NULL)
        goto done;
    char *out = PyBytes_AS_STRING(result), *o = out;
    const char d = (char)delimiter;
    for (Py_ssize_t i = 0; i < rows; i++) {
        Py_ssize_t len;
        const char *utf8 = PyUnicode_AsUTF8AndSize(PyList_GET_ITEM(names, i), &len);
        long long count, f_collocate;
        double x[6];
        memcpy(&count, (const char *)col[0].buf + 8 * i, 8);
        memcpy(&f_collocate, (const char *)col[1].buf + 8 * i, 8);
        for (int c = 0; c < 6; c++)
            memcpy(&x[c], (const char *)col[2 + c].buf + 8 * i, 8);
        memcpy(o, prefix.buf, prefix.len);
        o += prefix.len;
        memcpy(o, utf8, len);
        o += len;
        *o++ = d;
        o += put_decimal(o, count);
        *o++ = d;
        Py_ssize_t n = put_g10(o, x[0]); /* e */
        if (n < 0)
            goto fail;
        o += n;
        *o++ = d;
        o += put_decimal(o, f_node);
        *o++ = d;
        o += put_decimal(o, f_collocate);
        for (int c = 1; c < 6; c++) { /* mi, mi3, t, ll, log_dice */
            *o++ = d;
            if ((n = put_g10(o, x[c])) < 0)
                goto fail;
            o += n;
        }
        *o++ = '\n';
    }
    if (_PyBytes_Resize(&result, o - out) < 0)
        result = NULL;
    goto done;
fail:
    Py_CLEAR(result);
done:
    PyBuffer_Release(&prefix);
    for (int c = 0; c < 8; c++) {
        if (col[c].obj != NULL)
            PyBuffer_Release(&col[c]);
    }
    return result;
}

/* ---- the collocates' table, read from the count's packed table ----------- */

static uint64_t
bytes_hash(const unsigned char *p, Py_ssize_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

/* The row of the token key[0:len] in a table's hash of its tokens' rows (slots: row + 1, 0 empty), or -1. */
static int64_t
find_row(const int64_t *slots, size_t mask, const unsigned char *t, const int64_t *offsets,
         const unsigned char *key, Py_ssize_t len)
{
    for (size_t j = (size_t)bytes_hash(key, len) & mask; slots[j] != 0; j = (j + 1) & mask) {
        int64_t row = slots[j] - 1;
        if (offsets[row + 1] - offsets[row] == len && memcmp(t + offsets[row], key, (size_t)len) == 0)
            return row;
    }
    return -1;
}

static const unsigned char *sort_text;
static const int64_t *sort_offsets;

/* qsort: two window rows (their indices) by the bytes of their keys (UTF-8 order is code point order;
 * a node's rows share the prefix up to the collocate). */
static int
by_key(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    int64_t xs = sort_offsets[x], xn = sort_offsets[x + 1] - xs;
    int64_t ys = sort_offsets[y], yn = sort_offsets[y + 1] - ys;
    int c = memcmp(sort_text + xs, sort_text + ys, (size_t)(xn < yn ? xn : yn));
    if (c != 0)
        return c;
    return xn < yn ? -1 : xn > yn;
}

PyDoc_STRVAR(window_table_doc,
"window_table(offsets, utf8, counts, words) -> (n, f, r, blocks)\n\n"
"The table and windows of a collocates' count (collocates.WindowCountOptions)\n"
"from its packed table's columns (PackedTable.columns(): int64 offsets, the\n"
"rows' UTF-8, int64 counts): a row with a space is a window's ('\\uffff k' for\n"
"R of node k, '\\uffff k collocate' for its o), the others the table's tokens.\n"
"n: the sum of the tokens' counts; f, r: for each of words (a list of str)\n"
"its count in the table and its R; blocks: for each node, (collocates, o,\n"
"f_collocate): its collocates (str) in code point order and, as int64\n"
"bytes, their o and their count in the table.  ValueError for a row that is\n"
"not one of these, or a collocate the table does not have.");

static PyObject *
window_table(PyObject *module, PyObject *args)
{
    Py_buffer off, text, cnt;
    PyObject *words, *result = NULL, *f = NULL, *r = NULL, *blocks = NULL;
    if (!PyArg_ParseTuple(args, "y*y*y*O!", &off, &text, &cnt, &PyList_Type, &words))
        return NULL;
    Py_ssize_t rows = cnt.len / 8, k = PyList_GET_SIZE(words);
    int64_t *slots = NULL, *pairs = NULL, *starts = NULL, *fill = NULL, *word_rows = NULL;
    long long *sizes = NULL;
    size_t mask = 0;
    const unsigned char *t = text.buf;
    const int64_t *offsets = off.buf, *counts = cnt.buf;
    if (cnt.len % 8 != 0 || off.len != (rows + 1) * 8) {
        PyErr_SetString(PyExc_ValueError, "offsets, utf8 and counts are not the columns of one table");
        goto done;
    }
    for (Py_ssize_t i = 0; i < rows; i++) {
        if (offsets[i] < 0 || offsets[i] > offsets[i + 1] || offsets[i + 1] > text.len) {
            PyErr_SetString(PyExc_ValueError, "offsets, utf8 and counts are not the columns of one table");
            goto done;
        }
    }
    size_t cap = 16;
    while (cap < (size_t)rows * 2 + 1)
        cap <<= 1;
    mask = cap - 1;
    slots = PyMem_Calloc(cap, sizeof(int64_t));
    starts = PyMem_Calloc((size_t)k + 2, sizeof(int64_t));
    fill = PyMem_Calloc((size_t)k + 1, sizeof(int64_t));
    sizes = PyMem_Calloc((size_t)k + 1, sizeof(long long));
    word_rows = PyMem_Malloc(((size_t)k + 1) * sizeof(int64_t));
    if (slots == NULL || starts == NULL || fill == NULL || sizes == NULL || word_rows == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    /* the tokens in a hash of their bytes; the window rows counted by node */
    long long n = 0;
    Py_ssize_t n_pairs = 0;
    for (Py_ssize_t i = 0; i < rows; i++) {
        const unsigned char *key = t + offsets[i];
        Py_ssize_t len = (Py_ssize_t)(offsets[i + 1] - offsets[i]);
        if (memchr(key, ' ', (size_t)len) == NULL) {
            if (__builtin_add_overflow(n, counts[i], &n)) {
                PyErr_SetString(PyExc_OverflowError, "the table's tokens pass 2**63");
                goto done;
            }
            size_t j = (size_t)bytes_hash(key, len) & mask;
            while (slots[j] != 0)
                j = (j + 1) & mask;
            slots[j] = i + 1;
            continue;
        }
        /* "\uffff k" or "\uffff k collocate" */
        Py_ssize_t at = 4;
        long long node = 0;
        if (len < 5 || memcmp(key, "\xef\xbf\xbf ", 4) != 0)
            goto bad_row;
        while (at < len && key[at] >= '0' && key[at] <= '9' && node <= k)
            node = node * 10 + (key[at++] - '0');
        if (at == 4 || node >= k || (at < len && (key[at] != ' ' || at + 1 == len)))
            goto bad_row;
        if (at == len)
            sizes[node] += counts[i];
        else {
            starts[node + 1]++;
            n_pairs++;
        }
    }
    pairs = PyMem_Malloc(((size_t)n_pairs + 1) * sizeof(int64_t));
    if (pairs == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t node = 0; node < k; node++)
        starts[node + 1] += starts[node];
    for (Py_ssize_t i = 0; i < rows; i++) {
        const unsigned char *key = t + offsets[i];
        Py_ssize_t len = (Py_ssize_t)(offsets[i + 1] - offsets[i]);
        if (memchr(key, ' ', (size_t)len) == NULL)
            continue;
        const unsigned char *space = memchr(key + 4, ' ', (size_t)(len - 4));
        if (space == NULL)
            continue; /* R */
        long long node = 0;
        for (const unsigned char *d = key + 4; d < space; d++)
            node = node * 10 + (*d - '0');
        pairs[starts[node] + fill[node]++] = i;
    }
    sort_text = t;
    sort_offsets = offsets;
    for (Py_ssize_t node = 0; node < k; node++)
        qsort(pairs + starts[node], (size_t)(starts[node + 1] - starts[node]), sizeof(int64_t), by_key);
    /* each word's row in the table, -1 for none */
    for (Py_ssize_t w = 0; w < k; w++) {
        Py_ssize_t len;
        const char *utf8 = item_utf8(words, w, &len, "words");
        if (utf8 == NULL)
            goto done;
        word_rows[w] = find_row(slots, mask, t, offsets, (const unsigned char *)utf8, len);
    }
    f = PyList_New(k);
    r = PyList_New(k);
    blocks = PyList_New(k);
    if (f == NULL || r == NULL || blocks == NULL)
        goto done;
    for (Py_ssize_t w = 0; w < k; w++) {
        PyObject *fw = PyLong_FromLongLong(word_rows[w] < 0 ? 0 : counts[word_rows[w]]);
        PyObject *rw = PyLong_FromLongLong(sizes[w]);
        if (fw == NULL || rw == NULL) {
            Py_XDECREF(fw);
            Py_XDECREF(rw);
            goto done;
        }
        PyList_SET_ITEM(f, w, fw);
        PyList_SET_ITEM(r, w, rw);
        Py_ssize_t m = (Py_ssize_t)(starts[w + 1] - starts[w]);
        PyObject *names = PyList_New(m);
        PyObject *o = PyBytes_FromStringAndSize(NULL, m * 8);
        PyObject *fc = PyBytes_FromStringAndSize(NULL, m * 8);
        PyObject *block = names == NULL || o == NULL || fc == NULL ? NULL : PyTuple_Pack(3, names, o, fc);
        Py_XDECREF(names);
        Py_XDECREF(o);
        Py_XDECREF(fc);
        if (block == NULL)
            goto done;
        PyList_SET_ITEM(blocks, w, block);
        int64_t *o_out = (int64_t *)PyBytes_AS_STRING(o), *f_out = (int64_t *)PyBytes_AS_STRING(fc);
        for (Py_ssize_t p = 0; p < m; p++) {
            int64_t i = pairs[starts[w] + p];
            const unsigned char *key = t + offsets[i];
            const unsigned char *name = (const unsigned char *)memchr(key + 4, ' ', (size_t)(offsets[i + 1] - offsets[i] - 4)) + 1;
            Py_ssize_t len = (Py_ssize_t)(t + offsets[i + 1] - name);
            int64_t row = find_row(slots, mask, t, offsets, name, len);
            if (row < 0) {
                PyErr_SetString(PyExc_ValueError, "a collocate the table does not have");
                goto done;
            }
            PyObject *str = PyUnicode_DecodeUTF8((const char *)name, len, NULL);
            if (str == NULL)
                goto done;
            PyList_SET_ITEM(names, p, str);
            o_out[p] = counts[i];
            f_out[p] = counts[row];
        }
    }
    result = Py_BuildValue("(LOOO)", n, f, r, blocks);
    goto done;
bad_row:
    PyErr_SetString(PyExc_ValueError, "a row with a space that is not a window's");
done:
    Py_XDECREF(f);
    Py_XDECREF(r);
    Py_XDECREF(blocks);
    PyMem_Free(slots);
    PyMem_Free(pairs);
    PyMem_Free(starts);
    PyMem_Free(fill);
    PyMem_Free(sizes);
    PyMem_Free(word_rows);
    PyBuffer_Release(&off);
    PyBuffer_Release(&text);
    PyBuffer_Release(&cnt);
    return result;
}

static PyMethodDef methods[] = {
    {"add_windows", add_windows, METH_VARARGS, add_windows_doc},
    {"tsv_rows", tsv_rows, METH_VARARGS, tsv_rows_doc},
    {"collocate_rows", collocate_rows, METH_VARARGS, collocate_rows_doc},
    {"window_table", window_table, METH_VARARGS, window_table_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "wordfreq._windows", "The windows of the collocates, compiled.", -1, methods,
};

PyMODINIT_FUNC
PyInit__windows(void)
{
    one = PyLong_FromLong(1);
    if (one == NULL)
        return NULL;
    return PyModule_Create(&module);
}
