/* The windows of the collocates (wordfreq/collocates.py), compiled: the one loop that touches every
 * position of every window.  Python's version is `collocates._add_windows_py`; the two are checked
 * against the naive program by tests/test_collocates.py (hypothesis: random texts and windows). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdio.h>
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
    Py_ssize_t feeds = 0;
    for (Py_ssize_t i = 0; i < cells.len; i++)
        feeds += c[i] == '\n';
    if (lines.len % (Py_ssize_t)sizeof(long long) != 0 || feeds != rows ||
        (cells.len > 0 && c[cells.len - 1] != '\n')) {
        PyErr_SetString(PyExc_ValueError, "cells and lines do not have the same rows");
        goto done;
    }
    /* each row: the prefix, at most 21 characters of a number, its cells */
    Py_ssize_t size = cells.len + rows * (prefix.len + 21);
    result = PyBytes_FromStringAndSize(NULL, size);
    if (result == NULL)
        goto done;
    char *out = PyBytes_AS_STRING(result), *o = out;
    Py_ssize_t at = 0;
    for (Py_ssize_t r = 0; r < rows; r++) {
        long long line;
        memcpy(&line, (const char *)lines.buf + r * sizeof line, sizeof line);
        memcpy(o, prefix.buf, prefix.len);
        o += prefix.len;
        o += snprintf(o, 22, "%lld", base + line);
        const char *end = memchr(c + at, '\n', cells.len - at);
        Py_ssize_t len = end - (c + at) + 1;
        memcpy(o, c + at, len);
        o += len;
        at += len;
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
        PyObject *name = PyList_GET_ITEM(names, i);
        Py_ssize_t len;
        if (!PyUnicode_Check(name)) {
            PyErr_SetString(PyExc_TypeError, "names holds str only");
            goto done;
        }
        const char *utf8 = PyUnicode_AsUTF8AndSize(name, &len);
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
        o += sprintf(o, "%c%lld%c", d, count, d);
        Py_ssize_t n = put_g10(o, x[0]); /* e */
        if (n < 0)
            goto fail;
        o += n;
        o += sprintf(o, "%c%lld%c%lld", d, f_node, d, f_collocate);
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

static PyMethodDef methods[] = {
    {"add_windows", add_windows, METH_VARARGS, add_windows_doc},
    {"tsv_rows", tsv_rows, METH_VARARGS, tsv_rows_doc},
    {"collocate_rows", collocate_rows, METH_VARARGS, collocate_rows_doc},
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
