/* The spilled reduce's compiled pieces, included by _tables.c (which defines Entry, PackedTable and the
 * orders); wordfreq/reduce/runs.py says how they fit together.
 *
 *   partition_pack(pack, parts, seed)  a pack's rows split by a hash of the row into ``parts`` packs,
 *                                      each in the pack's own order;
 *   PackedTable.attach_docs(pack)      a second value for each row of a merged table (its document
 *                                      count): the value of the same key in a pack sorted by key;
 *   PackedTable.records(start, stop)   rows of a merged table, in table order, as the bytes of a *table
 *                                      file*: per row its length (uint32), its count (int64), its
 *                                      document count (int64, only in a table that has them), its
 *                                      UTF-8, native order;
 *   TableMerge(paths, buffer, words)   the rows of sorted table files merged in table order, read
 *                                      ``buffer`` bytes at a time from each, each record with ``words``
 *                                      int64 after its count (1: its document count); ``take(n)`` gives
 *                                      the next n (fewer at the end) as a PackedTable (and their words:
 *                                      ``set_docs`` gives a table its document counts), so that they are
 *                                      written as TSV or made into Python objects as any merged table's
 *                                      are.
 *
 * The hash is FNV-1a with a 64-bit finaliser, the same in every process and on every machine (a row
 * goes to the same partition wherever it was counted); ``seed`` gives an independent split of one
 * partition that outgrew its budget.
 */

static uint64_t
row_hash(const char *utf8, uint32_t len, uint64_t seed)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ (seed * 0x9E3779B97F4A7C15ULL);
    for (uint32_t i = 0; i < len; i++) {
        h ^= (unsigned char)utf8[i];
        h *= 0x100000001b3ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

PyDoc_STRVAR(partition_pack_doc,
"partition_pack(pack, parts, seed, sep=b'') -> list of packs\n\n"
"The rows of ``pack`` split into ``parts`` packs by a hash of the row (and\n"
"``seed``), each keeping the pack's order.  With ``sep`` (one byte), a row is\n"
"a key and the hash is of its bytes before its first ``sep`` (all of them\n"
"without one): the keys of one row go to one pack (a count by part's,\n"
"wordfreq/chunks/parts.py).  ValueError for a malformed pack.");

/* How many bytes of a row its hash reads: those before its first ``sep`` with a separator (sep_len 1). */
static uint32_t
hashed_len(const Entry *e, const char *sep, Py_ssize_t sep_len)
{
    if (sep_len != 1 || e->len == 0)
        return e->len;
    const char *at = memchr(e->utf8, sep[0], e->len);
    return at == NULL ? e->len : (uint32_t)(at - e->utf8);
}

static PyObject *
partition_pack(PyObject *module, PyObject *args)
{
    PyObject *pack;
    Py_ssize_t parts, sep_len = 0;
    unsigned long long seed;
    const char *sep = NULL;
    if (!PyArg_ParseTuple(args, "OnK|y#:partition_pack", &pack, &parts, &seed, &sep, &sep_len))
        return NULL;
    if (sep_len > 1) {
        PyErr_SetString(PyExc_ValueError, "sep must be one byte");
        return NULL;
    }
    if (parts < 1 || parts > 65536) {
        PyErr_SetString(PyExc_ValueError, "parts must be 1 to 65536");
        return NULL;
    }
    Py_ssize_t n;
    Entry *entries = read_any_pack(pack, &n, 1);
    if (entries == NULL)
        return NULL;
    PyObject *out = NULL;
    uint32_t *where = PyMem_Malloc((n > 0 ? n : 1) * sizeof(uint32_t));
    Py_ssize_t *rows = PyMem_Calloc(parts, sizeof(Py_ssize_t));
    Py_ssize_t *size = PyMem_Calloc(parts, sizeof(Py_ssize_t));
    char **k = PyMem_Calloc(parts, sizeof(char *));
    char **c = PyMem_Calloc(parts, sizeof(char *));
    if (where == NULL || rows == NULL || size == NULL || k == NULL || c == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        uint32_t hashed = hashed_len(&entries[i], sep, sep_len);
        uint32_t p = (uint32_t)(row_hash(entries[i].utf8, hashed, seed) % (uint64_t)parts);
        where[i] = p;
        rows[p]++;
        size[p] += (Py_ssize_t)sizeof(uint32_t) + entries[i].len;
    }
    out = PyList_New(parts);
    if (out == NULL)
        goto done;
    for (Py_ssize_t p = 0; p < parts; p++) {
        PyObject *keys = PyBytes_FromStringAndSize(NULL, size[p]);
        PyObject *counts = PyBytes_FromStringAndSize(NULL, rows[p] * (Py_ssize_t)sizeof(int64_t));
        PyObject *pair = (keys && counts) ? PyTuple_Pack(2, keys, counts) : NULL;
        Py_XDECREF(keys);
        Py_XDECREF(counts);
        if (pair == NULL) {
            Py_CLEAR(out);
            goto done;
        }
        k[p] = PyBytes_AS_STRING(keys);
        c[p] = PyBytes_AS_STRING(counts);
        PyList_SET_ITEM(out, p, pair);
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        uint32_t p = where[i];
        memcpy(k[p], &entries[i].len, sizeof(uint32_t));
        memcpy(k[p] + sizeof(uint32_t), entries[i].utf8, entries[i].len);
        k[p] += sizeof(uint32_t) + entries[i].len;
        memcpy(c[p], &entries[i].count, sizeof(int64_t));
        c[p] += sizeof(int64_t);
    }
done:
    PyMem_Free(entries);
    PyMem_Free(where);
    PyMem_Free(rows);
    PyMem_Free(size);
    PyMem_Free(k);
    PyMem_Free(c);
    return out;
}

static PyObject *
PackedTable_records(PackedTable *self, PyObject *args)
{
    Py_ssize_t start, stop, size = 0;
    if (parse_range(self, args, "|nn:records", &start, &stop) < 0)
        return NULL;
    Py_ssize_t fixed = (Py_ssize_t)(sizeof(uint32_t) + sizeof(int64_t) * (self->docs != NULL ? 2 : 1));
    for (Py_ssize_t i = start; i < stop; i++)
        size += fixed + self->rows[i].len;
    PyObject *out = PyBytes_FromStringAndSize(NULL, size);
    if (out == NULL)
        return NULL;
    char *p = PyBytes_AS_STRING(out);
    for (Py_ssize_t i = start; i < stop; i++) {
        const Entry *e = &self->rows[i];
        memcpy(p, &e->len, sizeof e->len);
        p += sizeof e->len;
        memcpy(p, &e->count, sizeof e->count);
        p += sizeof e->count;
        if (self->docs != NULL) {
            memcpy(p, &self->docs[i], sizeof(int64_t));
            p += sizeof(int64_t);
        }
        memcpy(p, e->utf8, e->len);
        p += e->len;
    }
    return out;
}

#define MAX_WORDS 8 /* int64 words a record may carry after its count */

static PyObject *
PackedTable_attach_docs(PackedTable *self, PyObject *pack)
{
    Py_ssize_t n = pack_size(pack);
    if (n < 0)
        return NULL;
    Entry *keys = PyMem_Malloc((n > 0 ? n : 1) * sizeof(Entry));
    int64_t *docs = PyMem_Malloc((self->n > 0 ? self->n : 1) * sizeof(int64_t));
    if (keys == NULL || docs == NULL) {
        PyMem_Free(keys);
        PyMem_Free(docs);
        return PyErr_NoMemory();
    }
    if (read_pack(pack, keys, n, 1) < 0) {
        PyMem_Free(keys);
        PyMem_Free(docs);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < self->n; i++) {
        Py_ssize_t lo = 0, hi = n; /* the first key >= the row's */
        while (lo < hi) {
            Py_ssize_t mid = lo + (hi - lo) / 2;
            if (compare_utf8(&keys[mid], &self->rows[i]) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        docs[i] = lo < n && compare_utf8(&keys[lo], &self->rows[i]) == 0 ? keys[lo].count : 0;
    }
    PyMem_Free(keys);
    PyMem_Free(self->docs);
    self->docs = docs;
    Py_RETURN_NONE;
}

static PyObject *
PackedTable_set_docs(PackedTable *self, PyObject *words)
{
    if (!PyBytes_Check(words) || PyBytes_GET_SIZE(words) != self->n * (Py_ssize_t)sizeof(int64_t)) {
        PyErr_SetString(PyExc_ValueError, "docs must be bytes of one int64 a row");
        return NULL;
    }
    int64_t *docs = PyMem_Malloc((self->n > 0 ? self->n : 1) * sizeof(int64_t));
    if (docs == NULL)
        return PyErr_NoMemory();
    memcpy(docs, PyBytes_AS_STRING(words), (size_t)self->n * sizeof(int64_t));
    PyMem_Free(self->docs);
    self->docs = docs;
    Py_RETURN_NONE;
}

typedef struct {
    FILE *file;
    char *utf8;   /* the current row's, ``cap`` bytes */
    uint32_t cap;
    Entry row;
    uint32_t split; /* with groups: where the row's key ends (its first separator) */
    int64_t words[MAX_WORDS];
} Source;

typedef struct {
    PyObject_HEAD
    Source *sources;
    Py_ssize_t k;
    Py_ssize_t *heap;   /* the sources that have a row, a binary heap in table order */
    Py_ssize_t live;
    Py_ssize_t words;   /* int64 words after each record's count */
    int grouped;        /* rows are keys ordered by group (the bytes after sep), then table order */
    char sep;
    Py_ssize_t max_rows; /* with groups: the most rows of a group taken (-1: all) */
    char *group;        /* the last row's group, ``group_len`` bytes (``group_cap`` held) */
    uint32_t group_len, group_cap;
    Py_ssize_t in_group; /* rows of it taken */
} TableMerge;

/* Read the next row of ``s`` into s->row (and its ``words``; with ``grouped``, where its key ends): 1, or
 * 0 at the end of its file, or -1 with an error. */
static int
source_next(Source *s, Py_ssize_t words, int grouped, char sep)
{
    uint32_t len;
    if (fread(&len, sizeof len, 1, s->file) != 1) {
        if (ferror(s->file)) {
            PyErr_SetFromErrno(PyExc_OSError);
            return -1;
        }
        return 0;
    }
    if (len > s->cap || s->utf8 == NULL) { /* never NULL: an empty row's pointer reaches memcpy and memcmp */
        char *grown = PyMem_Realloc(s->utf8, len > 0 ? len : 1);
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        s->utf8 = grown;
        s->cap = len;
    }
    if (fread(&s->row.count, sizeof s->row.count, 1, s->file) != 1 ||
        (words > 0 && fread(s->words, sizeof(int64_t), (size_t)words, s->file) != (size_t)words) ||
        (len > 0 && fread(s->utf8, len, 1, s->file) != 1)) {
        PyErr_SetString(PyExc_ValueError, "a table file ends inside a row");
        return -1;
    }
    s->row.utf8 = s->utf8;
    s->row.len = len;
    s->row.prefix = prefix_of(s->utf8, len);
    if (grouped) {
        const char *at = len ? memchr(s->utf8, sep, len) : NULL;
        if (at == NULL) {
            PyErr_SetString(PyExc_ValueError, "a key without its group (no separator) in a table file");
            return -1;
        }
        s->split = (uint32_t)(at - s->utf8);
    }
    return 1;
}

/* Grouped order: the bytes after the split, then count descending, then the bytes before it. */
static int
compare_grouped(const Source *a, const Source *b)
{
    uint32_t ga = a->row.len - a->split, gb = b->row.len - b->split, n = ga < gb ? ga : gb;
    int r = n ? memcmp(a->row.utf8 + a->split, b->row.utf8 + b->split, n) : 0;
    if (r != 0)
        return r;
    if (ga != gb)
        return ga < gb ? -1 : 1;
    if (a->row.count != b->row.count)
        return a->row.count > b->row.count ? -1 : 1;
    n = a->split < b->split ? a->split : b->split;
    r = n ? memcmp(a->row.utf8, b->row.utf8, n) : 0;
    if (r != 0)
        return r;
    return (a->split > b->split) - (a->split < b->split);
}

static int
heap_less(TableMerge *m, Py_ssize_t a, Py_ssize_t b)
{
    if (m->grouped)
        return compare_grouped(&m->sources[m->heap[a]], &m->sources[m->heap[b]]) < 0;
    return compare_entries(&m->sources[m->heap[a]].row, &m->sources[m->heap[b]].row) < 0;
}

static void
heap_down(TableMerge *m, Py_ssize_t i)
{
    for (;;) {
        Py_ssize_t least = i, l = 2 * i + 1, r = l + 1;
        if (l < m->live && heap_less(m, l, least))
            least = l;
        if (r < m->live && heap_less(m, r, least))
            least = r;
        if (least == i)
            return;
        Py_ssize_t swap = m->heap[i];
        m->heap[i] = m->heap[least];
        m->heap[least] = swap;
        i = least;
    }
}

static void
TableMerge_close_files(TableMerge *self)
{
    for (Py_ssize_t i = 0; self->sources != NULL && i < self->k; i++) {
        if (self->sources[i].file != NULL)
            fclose(self->sources[i].file);
        self->sources[i].file = NULL;
        PyMem_Free(self->sources[i].utf8);
        self->sources[i].utf8 = NULL;
    }
    self->live = 0;
}

static void
TableMerge_dealloc(TableMerge *self)
{
    TableMerge_close_files(self);
    PyMem_Free(self->sources);
    PyMem_Free(self->heap);
    PyMem_Free(self->group);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
TableMerge_init(TableMerge *self, PyObject *args, PyObject *kwds)
{
    PyObject *paths, *max_rows_obj = Py_None;
    Py_ssize_t buffer, words = 0, sep_len = 0;
    const char *sep = NULL;
    if (!PyArg_ParseTuple(args, "O!n|ny#O:TableMerge", &PyList_Type, &paths, &buffer, &words, &sep, &sep_len,
                          &max_rows_obj))
        return -1;
    if (words < 0 || words > MAX_WORDS || sep_len > 1) {
        PyErr_SetString(PyExc_ValueError, "words must be 0 to 8, sep one byte");
        return -1;
    }
    self->words = words;
    self->grouped = sep_len == 1;
    self->sep = sep_len == 1 ? sep[0] : 0;
    self->max_rows = -1;
    if (max_rows_obj != Py_None && (self->max_rows = PyLong_AsSsize_t(max_rows_obj)) < 0) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "max_rows must be >= 0");
        return -1;
    }
    self->group_len = 0;
    self->in_group = 0;
    TableMerge_close_files(self);
    PyMem_Free(self->sources);
    PyMem_Free(self->heap);
    self->k = PyList_GET_SIZE(paths);
    self->sources = PyMem_Calloc(self->k > 0 ? self->k : 1, sizeof(Source));
    self->heap = PyMem_Calloc(self->k > 0 ? self->k : 1, sizeof(Py_ssize_t));
    if (self->sources == NULL || self->heap == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < self->k; i++) {
        PyObject *path_bytes;
        if (!PyUnicode_FSConverter(PyList_GET_ITEM(paths, i), &path_bytes))
            return -1;
        FILE *f = fopen(PyBytes_AS_STRING(path_bytes), "rb");
        Py_DECREF(path_bytes);
        if (f == NULL) {
            PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, PyList_GET_ITEM(paths, i));
            return -1;
        }
        self->sources[i].file = f;
        if (buffer > 0)
            setvbuf(f, NULL, _IOFBF, (size_t)buffer);
        int got = source_next(&self->sources[i], self->words, self->grouped, self->sep);
        if (got < 0)
            return -1;
        if (got)
            self->heap[self->live++] = i;
    }
    for (Py_ssize_t i = self->live / 2 - 1; i >= 0; i--)
        heap_down(self, i);
    return 0;
}

/* With groups: whether the row at hand is beyond its group's ``max_rows`` (counting it); -1 with an
 * error. */
static int
grouped_skip(TableMerge *self, const Source *s)
{
    const char *group = s->row.utf8 + s->split;
    uint32_t len = s->row.len - s->split;
    if (len == self->group_len && memcmp(group, self->group, len) == 0)
        self->in_group++;
    else {
        if (len > self->group_cap) {
            char *grown = PyMem_Realloc(self->group, len);
            if (grown == NULL) {
                PyErr_NoMemory();
                return -1;
            }
            self->group = grown;
            self->group_cap = len;
        }
        memcpy(self->group, group, len);
        self->group_len = len;
        self->in_group = 0;
    }
    return self->max_rows >= 0 && self->in_group >= self->max_rows;
}

static PyObject *
TableMerge_take(TableMerge *self, PyObject *arg)
{
    Py_ssize_t want = PyLong_AsSsize_t(arg);
    if (want == -1 && PyErr_Occurred())
        return NULL;
    if (want < 0)
        want = 0;
    Py_ssize_t cap = want < 4096 ? (want > 0 ? want : 1) : 4096, n = 0, bytes = 0, room = 1 << 16;
    Entry *rows = PyMem_Malloc(cap * sizeof(Entry));
    char *text = PyMem_Malloc(room);
    int64_t *words = NULL; /* the rows' words, ``self->words`` each */
    PyObject *keep = NULL, *tokens = NULL;
    unsigned __int128 sum = 0;
    if (rows == NULL || text == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    words = PyMem_Malloc(cap * (self->words > 0 ? self->words : 1) * sizeof(int64_t));
    if (words == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    while (n < want && self->live > 0) {
        Source *s = &self->sources[self->heap[0]];
        if (self->grouped && grouped_skip(self, s) != 0) {
            if (PyErr_Occurred())
                goto fail;
            goto next; /* beyond its group's max_rows */
        }
        if (n == cap) {
            cap *= 2;
            Entry *grown = PyMem_Realloc(rows, cap * sizeof(Entry));
            int64_t *more = grown == NULL ? NULL : PyMem_Realloc(words, cap * (self->words > 0 ? self->words : 1) * sizeof(int64_t));
            if (grown != NULL)
                rows = grown;
            if (more == NULL) {
                PyErr_NoMemory();
                goto fail;
            }
            words = more;
        }
        memcpy(words + n * self->words, s->words, (size_t)self->words * sizeof(int64_t));
        if (bytes + (Py_ssize_t)s->row.len > room) {
            while (bytes + (Py_ssize_t)s->row.len > room)
                room *= 2;
            char *grown = PyMem_Realloc(text, room);
            if (grown == NULL) {
                PyErr_NoMemory();
                goto fail;
            }
            text = grown;
        }
        memcpy(text + bytes, s->row.utf8, s->row.len);
        rows[n] = s->row;
        rows[n].utf8 = (const char *)(intptr_t)bytes; /* an offset until the text has its home */
        bytes += s->row.len;
        sum += s->row.count;
        n++;
    next:;
        int got = source_next(s, self->words, self->grouped, self->sep);
        if (got < 0)
            goto fail;
        if (!got)
            self->heap[0] = self->heap[--self->live];
        heap_down(self, 0);
    }
    keep = PyBytes_FromStringAndSize(text, bytes);
    if (keep == NULL)
        goto fail;
    PyMem_Free(text);
    text = NULL;
    for (Py_ssize_t i = 0; i < n; i++)
        rows[i].utf8 = PyBytes_AS_STRING(keep) + (intptr_t)rows[i].utf8;
    tokens = int_of_u128((uint64_t)(sum >> 64), (uint64_t)sum); /* counts >= 0 */
    if (tokens == NULL)
        goto fail;
    PackedTable *table = PyObject_New(PackedTable, &PackedTableType);
    if (table == NULL)
        goto fail;
    table->packs = keep;
    table->rows = rows;
    table->docs = NULL;
    table->n = n;
    table->tokens = tokens;
    if (self->words == 0) {
        PyMem_Free(words);
        return (PyObject *)table;
    }
    PyObject *payload = PyBytes_FromStringAndSize((const char *)words, n * self->words * (Py_ssize_t)sizeof(int64_t));
    PyMem_Free(words);
    if (payload == NULL) {
        Py_DECREF(table);
        return NULL;
    }
    return Py_BuildValue("(NN)", table, payload);
fail:
    PyMem_Free(rows);
    PyMem_Free(words);
    PyMem_Free(text);
    Py_XDECREF(keep);
    Py_XDECREF(tokens);
    return NULL;
}

static PyObject *
TableMerge_close(TableMerge *self, PyObject *unused)
{
    TableMerge_close_files(self);
    Py_RETURN_NONE;
}

static PyMethodDef TableMerge_methods[] = {
    {"take", (PyCFunction)TableMerge_take, METH_O,
     "take(n) -> PackedTable of the next n rows in table order (fewer at the end, none after it); with\n"
     "words, (PackedTable, their words: bytes of int64)"},
    {"close", (PyCFunction)TableMerge_close, METH_NOARGS, "close() -> None: close the files"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject TableMergeType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "wordfreq.reduce._tables.TableMerge",
    .tp_basicsize = sizeof(TableMerge),
    .tp_dealloc = (destructor)TableMerge_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "TableMerge(paths, buffer, words=0, sep=b'', max_rows=None): the rows of table files (each in "
              "table order) merged in table order; each record carries ``words`` int64 after its count; with "
              "``sep``, rows are keys in grouped order (the bytes after the first sep, then table order), each "
              "group cut to ``max_rows``.",
    .tp_methods = TableMerge_methods,
    .tp_init = (initproc)TableMerge_init,
    .tp_new = PyType_GenericNew,
};
