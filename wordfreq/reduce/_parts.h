/* The tables of a count by part, compiled; included by _tables.c after _runs.h (Entry, PackedTable,
 * the orders, row_hash).  wordfreq/chunks/parts.py says what a key is: a row, a separator byte (SEP),
 * then the part's name; a row never holds SEP, so a key splits at its first one.
 *
 *   dispersion(table, sep, min_count, max_rows, totals)
 *                                    the dispersion table (wordfreq/analyses/dispersion.py) of a
 *                                    PackedTable of keys in key order: one streaming pass over each
 *                                    row's keys, which lie together, with each part's tokens known
 *                                    (``totals``, {part: tokens}; None: summed from the keys first);
 *                                    every figure but an unsure Juilland's D rounded here, exactly, in
 *                                    128-bit integers; a DispersionTable in table order;
 *   long_table(table, sep, min_count, max_rows)
 *                                    the long table (wordfreq/tables/long.py) of a PackedTable of keys in
 *                                    key order (or table order): one pass gathers each part's rows and
 *                                    their bytes together, in code-point order of the parts, then each
 *                                    part is ordered by count on its own (in the cache) and cut; a
 *                                    LongTable, which formats its lines without the GIL.
 *
 * Both write their lines (TSV) here, and give Python objects a slice at a time.  No Python object is
 * made per key.
 */

/* --- the parts: names (bytes) to slots, an open-addressing hash table ------------------------------ */

typedef struct {
    const char *name;
    uint32_t len;
    uint64_t hash;
    int64_t tokens;
    Py_ssize_t id;   /* the order it was added in */
    Py_ssize_t rank; /* in code-point order of the names shown */
    const char *shown; /* the name written for it (its own, or the one a code stands for) */
    uint32_t shown_len;
    Py_ssize_t rows; /* the long table's: its rows, and their bytes */
    size_t bytes;
} PartSlot;

typedef struct {
    PartSlot *slots;
    Py_ssize_t *used; /* the slots in use, in the order they were added */
    Py_ssize_t cap, n;
} PartIndex;

static void
parts_free(PartIndex *ix)
{
    PyMem_Free(ix->slots);
    PyMem_Free(ix->used);
    ix->slots = NULL;
    ix->used = NULL;
    ix->cap = ix->n = 0;
}

static int
parts_grow(PartIndex *ix)
{
    Py_ssize_t cap = ix->cap ? ix->cap * 2 : 64;
    PartSlot *slots = PyMem_Calloc(cap, sizeof(PartSlot));
    Py_ssize_t *used = PyMem_Malloc(cap * sizeof(Py_ssize_t));
    if (slots == NULL || used == NULL) {
        PyMem_Free(slots);
        PyMem_Free(used);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < ix->n; i++) {
        const PartSlot *old = &ix->slots[ix->used[i]];
        Py_ssize_t at = (Py_ssize_t)(old->hash & (uint64_t)(cap - 1));
        while (slots[at].name != NULL)
            at = (at + 1) & (cap - 1);
        slots[at] = *old;
        used[i] = at;
    }
    PyMem_Free(ix->slots);
    PyMem_Free(ix->used);
    ix->slots = slots;
    ix->used = used;
    ix->cap = cap;
    return 0;
}

/* The part of id ``id`` (ids number the parts in the order they were added; slots move as it grows) */
static PartSlot *
part_at(const PartIndex *ix, Py_ssize_t id)
{
    return &ix->slots[ix->used[id]];
}

/* The id of the part ``name``, added (with 0 tokens) when ``add``; -1 when absent, -2 with an error. */
static Py_ssize_t
parts_find(PartIndex *ix, const char *name, uint32_t len, int add)
{
    if (ix->cap == 0 || (add && 2 * (ix->n + 1) > ix->cap)) {
        if (!add)
            return -1;
        if (parts_grow(ix) < 0)
            return -2;
    }
    uint64_t h = row_hash(name, len, 0);
    Py_ssize_t at = (Py_ssize_t)(h & (uint64_t)(ix->cap - 1));
    static const char empty = 0;
    for (;;) {
        PartSlot *s = &ix->slots[at];
        if (s->name == NULL) {
            if (!add)
                return -1;
            s->name = len ? name : &empty; /* a name that is there, even when empty */
            s->len = len;
            s->hash = h;
            s->tokens = 0;
            s->shown = s->name;
            s->shown_len = len;
            s->rows = 0;
            s->bytes = 0;
            s->id = ix->n;
            ix->used[ix->n++] = at;
            return s->id;
        }
        if (s->hash == h && s->len == len && memcmp(s->name, name, len) == 0)
            return s->id;
        at = (at + 1) & (ix->cap - 1);
    }
}

static PartIndex *sorting_parts; /* for compare_part_slots: qsort takes no context (the GIL is held) */

static int
compare_part_slots(const void *x, const void *y)
{
    const PartSlot *a = part_at(sorting_parts, *(const Py_ssize_t *)x);
    const PartSlot *b = part_at(sorting_parts, *(const Py_ssize_t *)y);
    uint32_t n = a->shown_len < b->shown_len ? a->shown_len : b->shown_len;
    int r = n ? memcmp(a->shown, b->shown, n) : 0;
    if (r != 0)
        return r < 0 ? -1 : 1;
    return (a->shown_len > b->shown_len) - (a->shown_len < b->shown_len);
}

/* Give each part its rank in code-point order (UTF-8 byte order) of the names; -1 with an error. */
static int
parts_rank(PartIndex *ix)
{
    Py_ssize_t *order = PyMem_Malloc((ix->n > 0 ? ix->n : 1) * sizeof(Py_ssize_t));
    if (order == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t id = 0; id < ix->n; id++)
        order[id] = id;
    sorting_parts = ix;
    qsort(order, (size_t)ix->n, sizeof(Py_ssize_t), compare_part_slots);
    sorting_parts = NULL;
    for (Py_ssize_t r = 0; r < ix->n; r++)
        part_at(ix, order[r])->rank = r;
    PyMem_Free(order);
    return 0;
}

/* Where the row of a key ends (its first ``sep``), or -1 with ValueError when it has none. */
static Py_ssize_t
key_split(const Entry *e, char sep)
{
    const char *at = e->len ? memchr(e->utf8, sep, e->len) : NULL;
    if (at == NULL) {
        PyErr_SetString(PyExc_ValueError, "a key without its part (no separator)");
        return -1;
    }
    return at - e->utf8;
}

/* Whether a row's bytes hold one that sorts below ``sep`` (then key order is not row order). */
static int
below_sep(const char *utf8, Py_ssize_t len, char sep)
{
    for (Py_ssize_t i = 0; i < len; i++)
        if ((unsigned char)utf8[i] < (unsigned char)sep)
            return 1;
    return 0;
}

/* --- figures --------------------------------------------------------------------------------------- */

#define SCALE 1000000 /* figures are printed with 6 decimals: wordfreq.analyses.dispersion.DIGITS */

/* num / den x 10^6 (num >= 0, den > 0) rounded half to even */
static int64_t
rounded_ratio(unsigned __int128 num, unsigned __int128 den)
{
    unsigned __int128 scaled = num * SCALE, q = scaled / den, r = scaled % den;
    if (2 * r > den || (2 * r == den && (q & 1)))
        q++;
    return (int64_t)q;
}

/* Write q / 10^6 with 6 decimals at p; the end. */
static char *
write_fixed(char *p, int64_t q)
{
    p = write_int(p, q / SCALE);
    *p++ = '.';
    int64_t frac = q % SCALE;
    for (int d = 5; d >= 0; d--) {
        p[d] = (char)('0' + frac % 10);
        frac /= 10;
    }
    return p + 6;
}

static int
has_tab_or_newline(const char *utf8, Py_ssize_t len)
{
    return memchr(utf8, '\n', len) != NULL || memchr(utf8, '\t', len) != NULL || memchr(utf8, '\r', len) != NULL;
}

/* The arguments both tables take: (table, sep, min_count, max_rows[, totals]); 0, or -1 with an error. */
typedef struct {
    PackedTable *table;
    char sep;
    long long min_count;
    Py_ssize_t max_rows; /* -1: all */
    PyObject *totals;
} TableArgs;

static int
parse_table_args(PyObject *args, const char *format, TableArgs *a)
{
    PyObject *max_rows_obj;
    const char *sep_bytes;
    Py_ssize_t sep_len;
    a->totals = Py_None;
    if (!PyArg_ParseTuple(args, format, &PackedTableType, &a->table, &sep_bytes, &sep_len, &a->min_count,
                          &max_rows_obj, &a->totals))
        return -1;
    if (sep_len != 1) {
        PyErr_SetString(PyExc_ValueError, "sep must be one byte");
        return -1;
    }
    a->sep = sep_bytes[0];
    a->max_rows = -1;
    if (max_rows_obj != Py_None && (a->max_rows = PyLong_AsSsize_t(max_rows_obj)) < 0) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "max_rows must be >= 0");
        return -1;
    }
    return 0;
}

/* --- the dispersion table -------------------------------------------------------------------------- */

typedef struct {
    Entry row;               /* the row (its bytes before the separator) and its count F */
    Py_ssize_t first, keys;  /* its keys in the table: rows[first .. first + keys) */
    int64_t parts, per_million, dp, dp_norm, juilland; /* juilland: -1 until known (an unsure one) */
} Group;

typedef struct {
    PyObject_HEAD
    PyObject *table;   /* the PackedTable (key order) the groups point into */
    const Entry *keys; /* its rows, or our own copy sorted by key */
    Entry *own;
    Py_ssize_t *slot_of; /* each key's part's id */
    PartIndex parts;
    PyObject *names;   /* the totals given, kept alive (their names are the slots') */
    Group *groups;
    Py_ssize_t n;
    int64_t total;
    Py_ssize_t n_parts;
    int has_norm;
} DispersionTable;

static PyTypeObject DispersionTableType;

static int
compare_groups(const void *x, const void *y)
{
    return compare_entries(&((const Group *)x)->row, &((const Group *)y)->row);
}

/* Order ``groups`` (n, in row order) by count descending, stably: a counting sort for the small
 * counts, qsort for the rest. */
static int
sort_groups_by_count(Group *groups, Py_ssize_t n)
{
    Group *out = PyMem_Malloc((n > 0 ? n : 1) * sizeof(Group));
    Py_ssize_t *start = PyMem_Calloc(SMALL_COUNTS, sizeof(Py_ssize_t));
    if (out == NULL || start == NULL) {
        PyMem_Free(out);
        PyMem_Free(start);
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t big = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (groups[i].row.count < SMALL_COUNTS)
            start[groups[i].row.count]++;
        else
            out[big++] = groups[i];
    }
    qsort(out, (size_t)big, sizeof(Group), compare_groups);
    Py_ssize_t pos = big;
    for (Py_ssize_t c = SMALL_COUNTS - 1; c >= 0; c--) {
        Py_ssize_t rows = start[c];
        start[c] = pos;
        pos += rows;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (groups[i].row.count < SMALL_COUNTS)
            out[start[groups[i].row.count]++] = groups[i];
    }
    memcpy(groups, out, (size_t)n * sizeof(Group));
    PyMem_Free(out);
    PyMem_Free(start);
    return 0;
}

/* Juilland's D x 10^6 from the sums of a row's relative frequencies (s1) and their squares (s2) over its
 * k parts of n, or -1 when the bound on their error leaves it unsure (then it is computed exactly, in
 * Python: exact_juilland in wordfreq/analyses/dispersion.py).  X = (n s2 / s1^2 - 1) / (n - 1) is
 * within (1e-12 + k 1e-15)(1/(n-1) + X) of its value (sums of k positive terms in any order, each
 * within a few units in the last place; the bound of juilland_d there, widened for the k terms); where
 * both ends of D = 1 - sqrt(X)'s interval round to the same 6 decimals, so does D. */
static int64_t
juilland_of(double s1, double s2, int64_t k, int64_t n)
{
    double x = ((double)n * s2 / (s1 * s1) - 1) / (double)(n - 1);
    double margin = (1e-12 + (double)k * 1e-15) * (1 / (double)(n - 1) + fabs(x));
    double low = fmax(0.0, 1 - sqrt(x + margin) - 1e-15) * SCALE;
    double high = fmin(1.0, 1 - sqrt(fmax(0.0, x - margin)) + 1e-15) * SCALE;
    double a = floor(low - 1e-9 + 0.5), b = floor(high + 1e-9 + 0.5);
    return a == b ? (int64_t)a : -1;
}

static void
DispersionTable_dealloc(DispersionTable *self)
{
    Py_XDECREF(self->table);
    Py_XDECREF(self->names);
    PyMem_Free(self->own);
    PyMem_Free(self->slot_of);
    PyMem_Free(self->groups);
    parts_free(&self->parts);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* Fill the part index from ``totals`` ({str: int > 0}); -1 with an error. */
static int
parts_of_totals(DispersionTable *self, PyObject *totals)
{
    if (!PyDict_Check(totals)) {
        PyErr_SetString(PyExc_TypeError, "totals must be a dict {part: tokens}");
        return -1;
    }
    Py_INCREF(totals);
    self->names = totals;
    Py_ssize_t pos = 0;
    PyObject *name, *value;
    while (PyDict_Next(totals, &pos, &name, &value)) {
        Py_ssize_t len;
        const char *utf8 = PyUnicode_Check(name) ? PyUnicode_AsUTF8AndSize(name, &len) : NULL;
        if (utf8 == NULL) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "totals must map str to int");
            return -1;
        }
        long long tokens = PyLong_AsLongLong(value);
        if (tokens == -1 && PyErr_Occurred())
            return -1;
        if (tokens <= 0 || (uint64_t)len > UINT32_MAX) {
            PyErr_SetString(PyExc_ValueError, "a part's tokens must be > 0");
            return -1;
        }
        Py_ssize_t slot = parts_find(&self->parts, utf8, (uint32_t)len, 1);
        if (slot < 0)
            return -1;
        part_at(&self->parts, slot)->tokens = tokens;
    }
    return 0;
}

/* The keys' part slots (self->slot_of), the parts added and summed when no totals were given. */
static int
slots_of_keys(DispersionTable *self, Py_ssize_t n, char sep, int add)
{
    self->slot_of = PyMem_Malloc((n > 0 ? n : 1) * sizeof(Py_ssize_t));
    if (self->slot_of == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        const Entry *e = &self->keys[i];
        Py_ssize_t at = key_split(e, sep);
        if (at < 0)
            return -1;
        Py_ssize_t slot = parts_find(&self->parts, e->utf8 + at + 1, e->len - (uint32_t)at - 1, add);
        if (slot == -2)
            return -1;
        if (slot == -1) {
            PyErr_SetString(PyExc_ValueError, "a key of a part that the totals do not hold");
            return -1;
        }
        if (add && __builtin_add_overflow(part_at(&self->parts, slot)->tokens, e->count, &part_at(&self->parts, slot)->tokens)) {
            PyErr_SetString(PyExc_OverflowError, "a part's tokens beyond 64 bits");
            return -1;
        }
        self->slot_of[i] = slot;
    }
    return 0;
}

#define SAFE (((int64_t)1) << 62) /* 2 F T below this: every sum below fits in 128 bits, F T in 64 */

/* One row's figures, from its keys [first, end): -1 with OverflowError when its sums leave the range. */
static int
group_figures(DispersionTable *self, Group *g, Py_ssize_t first, Py_ssize_t end, int64_t smallest)
{
    const int64_t T = self->total, n = self->parts.n;
    int64_t F = 0, present = 0;
    double s1 = 0, s2 = 0;
    for (Py_ssize_t i = first; i < end; i++) {
        int64_t f = self->keys[i].count, t = part_at(&self->parts, self->slot_of[i])->tokens;
        if (f < 0 || __builtin_add_overflow(F, f, &F))
            goto overflow;
        present += t;
        double r = (double)f / (double)t;
        s1 += r;
        s2 += r * r;
    }
    if (F > 0 && (SAFE / 2) / F < T)
        goto overflow;
    unsigned __int128 num = (unsigned __int128)F * (uint64_t)(T - present);
    for (Py_ssize_t i = first; i < end; i++) {
        __int128 d = (__int128)self->keys[i].count * T - (__int128)part_at(&self->parts, self->slot_of[i])->tokens * F;
        num += (unsigned __int128)(d < 0 ? -d : d);
    }
    g->row.count = F;
    g->first = first;
    g->keys = end - first;
    g->parts = end - first;
    g->per_million = rounded_ratio((unsigned __int128)F * SCALE, (unsigned __int128)T);
    g->dp = F ? rounded_ratio(num, (unsigned __int128)2 * F * T) : 0;
    g->dp_norm = self->has_norm && F ? rounded_ratio(num, (unsigned __int128)2 * F * (T - smallest)) : 0;
    g->juilland = self->has_norm ? juilland_of(s1, s2, end - first, n) : 0;
    return 0;
overflow:
    PyErr_SetString(PyExc_OverflowError, "a row's sums beyond 64 bits");
    return -1;
}

/* A new, empty DispersionTable of the rows of ``table``; NULL with an error. */
static DispersionTable *
new_dispersion_table(PyObject *table)
{
    DispersionTable *self = PyObject_New(DispersionTable, &DispersionTableType);
    if (self == NULL)
        return NULL;
    Py_INCREF(table);
    self->table = table;
    self->keys = ((PackedTable *)table)->rows;
    self->own = NULL;
    self->slot_of = NULL;
    self->parts = (PartIndex){NULL, NULL, 0, 0};
    self->names = NULL;
    self->groups = NULL;
    self->n = 0;
    self->total = 0;
    self->n_parts = 0;
    self->has_norm = 0;
    return self;
}

PyDoc_STRVAR(dispersion_doc,
"dispersion(table, sep, min_count, max_rows, totals=None) -> DispersionTable\n\n"
"The dispersion table of ``table``, a PackedTable of keys (row, ``sep``,\n"
"part) in key order (else sorted here first), over the parts of ``totals``\n"
"({part: tokens}; None: the keys' own sums): each row's count, parts and\n"
"figures x 10^6, rows below ``min_count`` left out, in table order, cut to\n"
"``max_rows``.  Juilland's D is -1 where it is unsure (``unsure()``; set it\n"
"with ``set_juilland``).  OverflowError when a sum leaves 64 bits;\n"
"ValueError for a key without ``sep``.");

static PyObject *
dispersion(PyObject *module, PyObject *args)
{
    TableArgs a;
    if (parse_table_args(args, "O!y#LO|O:dispersion", &a) < 0)
        return NULL;
    PyObject *table_obj = (PyObject *)a.table, *totals = a.totals;
    PackedTable *table = a.table;
    char sep = a.sep;
    long long min_count = a.min_count;
    Py_ssize_t max_rows = a.max_rows;
    DispersionTable *self = new_dispersion_table(table_obj);
    if (self == NULL)
        return NULL;
    Py_ssize_t n = table->n;
    for (Py_ssize_t i = 1; i < n; i++) {
        if (compare_utf8(&table->rows[i - 1], &table->rows[i]) >= 0) { /* not in key order: sort a copy */
            self->own = PyMem_Malloc(2 * n * sizeof(Entry));
            if (self->own == NULL) {
                PyErr_NoMemory();
                goto fail;
            }
            memcpy(self->own, table->rows, n * sizeof(Entry));
            sort_by_token(self->own, self->own + n, n);
            self->keys = self->own;
            break;
        }
    }
    if (totals != Py_None && parts_of_totals(self, totals) < 0)
        goto fail;
    if (slots_of_keys(self, n, sep, totals == Py_None) < 0)
        goto fail;
    int64_t total = 0, smallest = INT64_MAX;
    for (Py_ssize_t i = 0; i < self->parts.n; i++) {
        int64_t t = part_at(&self->parts, i)->tokens;
        if (t <= 0 || __builtin_add_overflow(total, t, &total) || total >= SAFE) {
            PyErr_SetString(t <= 0 ? PyExc_ValueError : PyExc_OverflowError,
                            t <= 0 ? "a part without tokens" : "the tokens beyond 62 bits");
            goto fail;
        }
        if (t < smallest)
            smallest = t;
    }
    self->total = total;
    self->n_parts = self->parts.n;
    self->has_norm = self->parts.n > 1;
    self->groups = PyMem_Malloc((n > 0 ? n : 1) * sizeof(Group));
    if (self->groups == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    int in_row_order = 1;
    for (Py_ssize_t i = 0; i < n;) {
        const Entry *e = &self->keys[i];
        Py_ssize_t len = key_split(e, sep), j = i + 1;
        while (j < n && self->keys[j].len > len && self->keys[j].utf8[len] == sep &&
               memcmp(self->keys[j].utf8, e->utf8, len) == 0)
            j++;
        Group *g = &self->groups[self->n];
        g->row.utf8 = e->utf8;
        g->row.len = (uint32_t)len;
        g->row.prefix = prefix_of(e->utf8, (uint32_t)len);
        if (group_figures(self, g, i, j, smallest) < 0)
            goto fail;
        if (g->row.count >= min_count) {
            if (self->n > 0 && compare_utf8(&self->groups[self->n - 1].row, &g->row) >= 0)
                in_row_order = 0;
            self->n++;
        }
        i = j;
    }
    if (!in_row_order)
        qsort(self->groups, (size_t)self->n, sizeof(Group), compare_groups);
    else if (sort_groups_by_count(self->groups, self->n) < 0)
        goto fail;
    if (max_rows >= 0 && self->n > max_rows)
        self->n = max_rows;
    return (PyObject *)self;
fail:
    Py_DECREF(self);
    return NULL;
}

static Py_ssize_t
DispersionTable_len(DispersionTable *self)
{
    return self->n;
}

static PyObject *
DispersionTable_tsv(DispersionTable *self, PyObject *args)
{
    Py_ssize_t start, stop, size = 0;
    if (slice_range(self->n, args, "|nn:tsv", &start, &stop) < 0)
        return NULL;
    for (Py_ssize_t i = start; i < stop; i++) {
        const Group *g = &self->groups[i];
        if (has_tab_or_newline(g->row.utf8, g->row.len))
            Py_RETURN_NONE;
        if (g->juilland < 0) {
            PyErr_SetString(PyExc_ValueError, "a Juilland's D not yet set");
            return NULL;
        }
        size += g->row.len + 6 * 28 + 1;
    }
    PyObject *out = PyBytes_FromStringAndSize(NULL, size);
    if (out == NULL)
        return NULL;
    char *p = PyBytes_AS_STRING(out);
    for (Py_ssize_t i = start; i < stop; i++) {
        const Group *g = &self->groups[i];
        memcpy(p, g->row.utf8, g->row.len);
        p += g->row.len;
        *p++ = '\t';
        p = write_int(p, g->row.count);
        *p++ = '\t';
        p = write_fixed(p, g->per_million);
        *p++ = '\t';
        p = write_int(p, g->parts);
        *p++ = '\t';
        p = write_fixed(p, g->dp);
        *p++ = '\t';
        if (self->has_norm)
            p = write_fixed(p, g->dp_norm);
        *p++ = '\t';
        if (self->has_norm)
            p = write_fixed(p, g->juilland);
        *p++ = '\n';
    }
    return lines_cut(out, p);
}

static PyObject *
dispersion_row(PyObject *table, Py_ssize_t i)
{
    const DispersionTable *self = (const DispersionTable *)table;
    const Group *g = &self->groups[i];
    if (self->has_norm)
        return Py_BuildValue("(NLLLLLL)", PyUnicode_DecodeUTF8(g->row.utf8, g->row.len, NULL),
                             (long long)g->row.count, (long long)g->per_million, (long long)g->parts,
                             (long long)g->dp, (long long)g->dp_norm, (long long)g->juilland);
    return Py_BuildValue("(NLLLLOO)", PyUnicode_DecodeUTF8(g->row.utf8, g->row.len, NULL),
                         (long long)g->row.count, (long long)g->per_million, (long long)g->parts,
                         (long long)g->dp, Py_None, Py_None);
}

static PyObject *
DispersionTable_rows(DispersionTable *self, PyObject *args)
{
    return rows_list((PyObject *)self, self->n, args, dispersion_row);
}

static PyObject *
DispersionTable_unsure(DispersionTable *self, PyObject *unused)
{
    PyObject *list = PyList_New(0);
    for (Py_ssize_t i = 0; list != NULL && i < self->n; i++) {
        if (self->groups[i].juilland >= 0)
            continue;
        PyObject *index = PyLong_FromSsize_t(i);
        if (index == NULL || PyList_Append(list, index) < 0)
            Py_CLEAR(list);
        Py_XDECREF(index);
    }
    return list;
}

static Py_ssize_t
group_index(DispersionTable *self, PyObject *arg)
{
    Py_ssize_t i = PyLong_AsSsize_t(arg);
    if (i == -1 && PyErr_Occurred())
        return -1;
    if (i < 0 || i >= self->n) {
        PyErr_SetString(PyExc_IndexError, "no such row");
        return -1;
    }
    return i;
}

static PyObject *
DispersionTable_freqs(DispersionTable *self, PyObject *arg)
{
    Py_ssize_t i = group_index(self, arg);
    if (i < 0)
        return NULL;
    const Group *g = &self->groups[i];
    PyObject *list = PyList_New(g->keys);
    for (Py_ssize_t k = 0; list != NULL && k < g->keys; k++) {
        Py_ssize_t at = g->first + k;
        PyObject *pair = Py_BuildValue("(LL)", (long long)self->keys[at].count,
                                       (long long)part_at(&self->parts, self->slot_of[at])->tokens);
        if (pair == NULL)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, k, pair);
    }
    return list;
}

static PyObject *
DispersionTable_set_juilland(DispersionTable *self, PyObject *args)
{
    Py_ssize_t i;
    long long q;
    if (!PyArg_ParseTuple(args, "nL:set_juilland", &i, &q))
        return NULL;
    if (i < 0 || i >= self->n || q < 0 || q > SCALE) {
        PyErr_SetString(PyExc_ValueError, "no such row, or D out of [0, 1]");
        return NULL;
    }
    self->groups[i].juilland = q;
    Py_RETURN_NONE;
}

static PyObject *
DispersionTable_get_parts(DispersionTable *self, void *closure)
{
    return PyLong_FromSsize_t(self->n_parts);
}

#define GROUP_WORDS 5 /* parts, per_million, dp, dp_norm, juilland: a dispersion record's words */

static PyObject *
DispersionTable_records(DispersionTable *self, PyObject *args)
{
    Py_ssize_t start, stop, size = 0;
    if (slice_range(self->n, args, "|nn:records", &start, &stop) < 0)
        return NULL;
    for (Py_ssize_t i = start; i < stop; i++)
        size += (Py_ssize_t)(sizeof(uint32_t) + (1 + GROUP_WORDS) * sizeof(int64_t)) + self->groups[i].row.len;
    PyObject *out = PyBytes_FromStringAndSize(NULL, size);
    if (out == NULL)
        return NULL;
    char *p = PyBytes_AS_STRING(out);
    for (Py_ssize_t i = start; i < stop; i++) {
        const Group *g = &self->groups[i];
        int64_t words[1 + GROUP_WORDS] = {g->row.count, g->parts, g->per_million, g->dp, g->dp_norm, g->juilland};
        memcpy(p, &g->row.len, sizeof g->row.len);
        memcpy(p + sizeof g->row.len, words, sizeof words);
        memcpy(p + sizeof g->row.len + sizeof words, g->row.utf8, g->row.len);
        p += sizeof g->row.len + sizeof words + g->row.len;
    }
    return out;
}

PyDoc_STRVAR(dispersion_records_doc,
"dispersion_records(table, words, parts) -> DispersionTable\n\n"
"The dispersion table whose rows are ``table``'s (a PackedTable in table\n"
"order, as TableMerge takes them from files that DispersionTable.records\n"
"wrote) and whose figures are ``words`` (5 int64 a row), over ``parts``\n"
"parts.");

static PyObject *
dispersion_records(PyObject *module, PyObject *args)
{
    PyObject *table_obj;
    const char *words;
    Py_ssize_t words_len, n_parts;
    if (!PyArg_ParseTuple(args, "O!y#n:dispersion_records", &PackedTableType, &table_obj, &words, &words_len,
                          &n_parts))
        return NULL;
    PackedTable *table = (PackedTable *)table_obj;
    if (words_len != table->n * GROUP_WORDS * (Py_ssize_t)sizeof(int64_t)) {
        PyErr_SetString(PyExc_ValueError, "5 words a row");
        return NULL;
    }
    DispersionTable *self = new_dispersion_table(table_obj);
    if (self == NULL)
        return NULL;
    self->n = table->n;
    self->n_parts = n_parts;
    self->has_norm = n_parts > 1;
    self->groups = PyMem_Calloc(table->n > 0 ? table->n : 1, sizeof(Group));
    if (self->groups == NULL) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < table->n; i++) {
        Group *g = &self->groups[i];
        int64_t w[GROUP_WORDS];
        memcpy(w, words + i * (Py_ssize_t)sizeof w, sizeof w);
        g->row = table->rows[i];
        g->parts = w[0];
        g->per_million = w[1];
        g->dp = w[2];
        g->dp_norm = w[3];
        g->juilland = w[4];
    }
    return (PyObject *)self;
}

PyDoc_STRVAR(part_totals_doc,
"part_totals(table, sep) -> {part: tokens}\n\n"
"The sum of the counts of ``table``'s keys (a PackedTable) by part: the\n"
"bytes after each key's first ``sep``.  ValueError for a key without it.");

static PyObject *
part_totals(PyObject *module, PyObject *args)
{
    PyObject *table_obj;
    const char *sep;
    Py_ssize_t sep_len;
    if (!PyArg_ParseTuple(args, "O!y#:part_totals", &PackedTableType, &table_obj, &sep, &sep_len))
        return NULL;
    if (sep_len != 1) {
        PyErr_SetString(PyExc_ValueError, "sep must be one byte");
        return NULL;
    }
    PackedTable *table = (PackedTable *)table_obj;
    PartIndex ix = {NULL, NULL, 0, 0};
    PyObject *out = NULL;
    for (Py_ssize_t i = 0; i < table->n; i++) {
        const Entry *e = &table->rows[i];
        Py_ssize_t at = key_split(e, sep[0]);
        if (at < 0)
            goto done;
        Py_ssize_t id = parts_find(&ix, e->utf8 + at + 1, e->len - (uint32_t)at - 1, 1);
        if (id < 0)
            goto done;
        if (__builtin_add_overflow(part_at(&ix, id)->tokens, e->count, &part_at(&ix, id)->tokens)) {
            PyErr_SetString(PyExc_OverflowError, "a part's tokens beyond 64 bits");
            goto done;
        }
    }
    out = PyDict_New();
    for (Py_ssize_t id = 0; out != NULL && id < ix.n; id++) {
        const PartSlot *slot = part_at(&ix, id);
        PyObject *name = PyUnicode_DecodeUTF8(slot->name, slot->len, NULL);
        PyObject *tokens = name == NULL ? NULL : PyLong_FromLongLong(slot->tokens);
        if (tokens == NULL || PyDict_SetItem(out, name, tokens) < 0)
            Py_CLEAR(out);
        Py_XDECREF(name);
        Py_XDECREF(tokens);
    }
done:
    parts_free(&ix);
    return out;
}

static PyMethodDef DispersionTable_methods[] = {
    {"records", (PyCFunction)DispersionTable_records, METH_VARARGS,
     "records(start=0, stop=len) -> bytes: the rows as a table file's, each with its 5 figures (TableMerge\n"
     "reads them with words=5)"},
    {"tsv", (PyCFunction)DispersionTable_tsv, METH_VARARGS,
     "tsv(start=0, stop=len) -> the rows' TSV lines (bytes), or None when a row holds a tab or a line break"},
    {"rows", (PyCFunction)DispersionTable_rows, METH_VARARGS,
     "rows(start=0, stop=len) -> list of (row, count, per_million, parts, dp, dp_norm, juilland_d), the\n"
     "figures x 10^6 (None for dp_norm and juilland_d over one part)"},
    {"unsure", (PyCFunction)DispersionTable_unsure, METH_NOARGS,
     "unsure() -> the indices of the rows whose Juilland's D is to be computed exactly"},
    {"freqs", (PyCFunction)DispersionTable_freqs, METH_O, "freqs(i) -> [(f, t)]: row i's counts and its parts' tokens"},
    {"set_juilland", (PyCFunction)DispersionTable_set_juilland, METH_VARARGS, "set_juilland(i, q) -> None"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef DispersionTable_getset[] = {
    {"parts", (getter)DispersionTable_get_parts, NULL, "the number of parts", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PySequenceMethods DispersionTable_as_sequence = {
    .sq_length = (lenfunc)DispersionTable_len,
};

static PyTypeObject DispersionTableType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "wordfreq.reduce._tables.DispersionTable",
    .tp_basicsize = sizeof(DispersionTable),
    .tp_dealloc = (destructor)DispersionTable_dealloc,
    .tp_as_sequence = &DispersionTable_as_sequence,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The dispersion table of a count by part, in table order (made by dispersion).",
    .tp_methods = DispersionTable_methods,
    .tp_getset = DispersionTable_getset,
};

/* --- the long table -------------------------------------------------------------------------------- */

typedef struct {
    const char *row; /* its bytes: in the table's arena (a part's rows together), or in its key */
    int64_t count;
    uint32_t len;
    uint32_t rank; /* its part's */
} LongRow;

typedef struct {
    PyObject_HEAD
    PyObject *table;
    PyObject *names;     /* {code: name} given, kept alive (the names shown point into them) */
    LongRow *rows;
    char *arena;         /* the rows' bytes, each part's together; NULL where the rows point into the keys */
    Py_ssize_t *by_rank; /* the id of the part of each rank */
    Py_ssize_t n;
    PartIndex parts;
    char sep;
    int clean;           /* no row or name holds a tab or a line break */
} LongTable;

/* Show each part whose name is a code in ``names`` ({code: name}) by that name; -1 with an error. */
static int
parts_shown(PartIndex *ix, PyObject *names)
{
    for (Py_ssize_t id = 0; id < ix->n; id++) {
        PartSlot *slot = part_at(ix, id);
        PyObject *code = PyUnicode_DecodeUTF8(slot->name, slot->len, NULL);
        if (code == NULL)
            return -1;
        PyObject *name = PyDict_GetItemWithError(names, code); /* borrowed, alive with names */
        Py_DECREF(code);
        if (name == NULL) {
            if (PyErr_Occurred())
                return -1;
            continue;
        }
        Py_ssize_t len;
        const char *utf8 = PyUnicode_Check(name) ? PyUnicode_AsUTF8AndSize(name, &len) : NULL;
        if (utf8 == NULL) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "names must map str to str");
            return -1;
        }
        slot->shown = utf8;
        slot->shown_len = (uint32_t)len;
    }
    return 0;
}

static PyTypeObject LongTableType;

/* long-table order: part, then count descending, then row */
static int
compare_long_rows(const void *x, const void *y)
{
    const LongRow *a = x, *b = y;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    uint32_t n = a->len < b->len ? a->len : b->len;
    int r = n ? memcmp(a->row, b->row, n) : 0;
    if (r != 0)
        return r < 0 ? -1 : 1;
    return (a->len > b->len) - (a->len < b->len);
}

#define PART_COUNTS 4096 /* a part's counts below this are ordered by a counting sort, the others by qsort */

/* Order the n rows of one part, given in row order, by count descending (row order within a count) into
 * ``out`` (``start`` holds PART_COUNTS; the others are few: each is PART_COUNTS tokens of the part).  A
 * part's rows lie together, so this stays in the cache. */
static void
sort_part_by_count(const LongRow *rows, Py_ssize_t n, LongRow *out, Py_ssize_t *start)
{
    order_by_count(rows, n, out, sizeof(LongRow), offsetof(LongRow, count), PART_COUNTS, start, compare_long_rows);
}

static void
LongTable_dealloc(LongTable *self)
{
    Py_XDECREF(self->table);
    Py_XDECREF(self->names);
    PyMem_Free(self->rows);
    PyMem_Free(self->arena);
    PyMem_Free(self->by_rank);
    parts_free(&self->parts);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

#define NO_PART UINT32_MAX /* a key left out (below min_count) */

/* The rows of ``table``'s kept keys (``ids``: each key's part, or NO_PART), each part's together in the
 * order of the parts' ranks and in the keys' order within a part, their bytes copied into one new arena
 * (self->arena) in that order: one pass over the keys, which stay in their order; a part's rows, its
 * bytes and then its table are then near each other.  -1 with an error. */
static int
rows_by_part(LongTable *self, const PackedTable *table, const uint32_t *ids, LongRow *rows)
{
    Py_ssize_t n_parts = self->parts.n, row = 0;
    size_t byte = 0;
    Py_ssize_t *row_at = PyMem_Malloc((n_parts > 0 ? n_parts : 1) * sizeof(Py_ssize_t));
    size_t *byte_at = PyMem_Malloc((n_parts > 0 ? n_parts : 1) * sizeof(size_t));
    if (row_at == NULL || byte_at == NULL)
        goto no_memory;
    for (Py_ssize_t r = 0; r < n_parts; r++) {
        const PartSlot *part = part_at(&self->parts, self->by_rank[r]);
        row_at[r] = row;
        byte_at[r] = byte;
        row += part->rows;
        byte += part->bytes;
    }
    if ((self->arena = PyMem_Malloc(byte > 0 ? byte : 1)) == NULL)
        goto no_memory;
    for (Py_ssize_t i = 0; i < table->n; i++) {
        if (ids[i] == NO_PART)
            continue;
        const Entry *e = &table->rows[i];
        uint32_t r = (uint32_t)part_at(&self->parts, ids[i])->rank;
        uint32_t len = (uint32_t)((const char *)memchr(e->utf8, self->sep, e->len) - e->utf8);
        char *at = self->arena + byte_at[r];
        memcpy(at, e->utf8, len);
        byte_at[r] += len;
        rows[row_at[r]++] = (LongRow){at, e->count, len, r};
    }
    PyMem_Free(row_at);
    PyMem_Free(byte_at);
    return 0;
no_memory:
    PyMem_Free(row_at);
    PyMem_Free(byte_at);
    PyErr_NoMemory();
    return -1;
}

/* Each part's rows (together, in row order or, with ``by_count``, in table order) in table order and
 * cut to ``max_rows`` (-1: all), moved to the front of ``rows``; the rows kept, or -1 with an error. */
static Py_ssize_t
order_parts(LongTable *self, LongRow *rows, int by_count, Py_ssize_t max_rows)
{
    Py_ssize_t biggest = 0, kept = 0, first = 0;
    for (Py_ssize_t r = 0; r < self->parts.n; r++) {
        Py_ssize_t k = part_at(&self->parts, self->by_rank[r])->rows;
        biggest = k > biggest ? k : biggest;
    }
    LongRow *sorted = by_count ? NULL : PyMem_Malloc((biggest > 0 ? biggest : 1) * sizeof(LongRow));
    Py_ssize_t *start = by_count ? NULL : PyMem_Malloc(PART_COUNTS * sizeof(Py_ssize_t));
    if (!by_count && (sorted == NULL || start == NULL)) {
        PyMem_Free(sorted);
        PyMem_Free(start);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t r = 0; r < self->parts.n; r++) {
        Py_ssize_t k = part_at(&self->parts, self->by_rank[r])->rows;
        const LongRow *part = rows + first;
        if (!by_count) {
            sort_part_by_count(part, k, sorted, start);
            part = sorted;
        }
        Py_ssize_t take = max_rows >= 0 && k > max_rows ? max_rows : k;
        memmove(rows + kept, part, (size_t)take * sizeof(LongRow));
        kept += take;
        first += k;
    }
    PyMem_Free(sorted);
    PyMem_Free(start);
    return kept;
}

PyDoc_STRVAR(long_table_doc,
"long_table(table, sep, min_count, max_rows, names=None) -> LongTable\n\n"
"The long table of ``table``, a PackedTable of keys (row, ``sep``, part) in\n"
"table order or key order: (part, row, count) with parts in code-point order,\n"
"then table order within a part, rows below ``min_count`` left out and each\n"
"part cut to ``max_rows``; a part that is a code in ``names`` ({code: name})\n"
"is shown by its name.  ValueError for a key without ``sep``.");

static PyObject *
long_table(PyObject *module, PyObject *args)
{
    TableArgs a;
    if (parse_table_args(args, "O!y#LO|O:long_table", &a) < 0)
        return NULL;
    PackedTable *table = a.table;
    LongTable *self = PyObject_New(LongTable, &LongTableType);
    if (self == NULL)
        return NULL;
    Py_INCREF(table);
    self->table = (PyObject *)table;
    self->names = NULL;
    self->rows = NULL;
    self->arena = NULL;
    self->by_rank = NULL;
    self->n = 0;
    self->parts = (PartIndex){NULL, NULL, 0, 0};
    self->sep = a.sep;
    self->clean = 1;
    if (a.totals != Py_None) {
        if (!PyDict_Check(a.totals)) {
            PyErr_SetString(PyExc_TypeError, "names must be a dict {code: name}");
            goto fail;
        }
        Py_INCREF(a.totals);
        self->names = a.totals;
    }
    Py_ssize_t n = table->n, kept = 0;
    uint32_t *ids = PyMem_Malloc((n > 0 ? n : 1) * sizeof(uint32_t));
    if (ids == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    /* Table order (count, then key) or key order within a part is row order, unless a row holds a byte
     * below sep: then the rows are sorted by comparison. */
    int by_count = 1, by_key = 1, below = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        const Entry *e = &table->rows[i];
        if (i > 0) {
            by_count = by_count && compare_entries(e - 1, e) < 0;
            by_key = by_key && compare_utf8(e - 1, e) < 0;
        }
        ids[i] = NO_PART;
        if (e->count < a.min_count)
            continue;
        Py_ssize_t at = key_split(e, a.sep);
        if (at < 0)
            goto fail_ids;
        Py_ssize_t id = parts_find(&self->parts, e->utf8 + at + 1, e->len - (uint32_t)at - 1, 1);
        if (id < 0)
            goto fail_ids;
        if (id >= (Py_ssize_t)NO_PART) {
            PyErr_SetString(PyExc_OverflowError, "too many parts");
            goto fail_ids;
        }
        int low = below_sep(e->utf8, at, a.sep); /* tab, line feed and carriage return are below SEP */
        below = below || low;
        if (self->clean && (low || (unsigned char)a.sep <= '\r') && has_tab_or_newline(e->utf8, at))
            self->clean = 0;
        PartSlot *part = part_at(&self->parts, id);
        part->rows++;
        part->bytes += (size_t)at;
        ids[i] = (uint32_t)id;
        kept++;
    }
    if (self->names != NULL && parts_shown(&self->parts, self->names) < 0)
        goto fail_ids;
    for (Py_ssize_t id = 0; id < self->parts.n; id++)
        if (has_tab_or_newline(part_at(&self->parts, id)->shown, part_at(&self->parts, id)->shown_len))
            self->clean = 0;
    if (parts_rank(&self->parts) < 0)
        goto fail_ids;
    self->by_rank = PyMem_Malloc((self->parts.n > 0 ? self->parts.n : 1) * sizeof(Py_ssize_t));
    self->rows = PyMem_Malloc((kept > 0 ? kept : 1) * sizeof(LongRow));
    if (self->by_rank == NULL || self->rows == NULL) {
        PyErr_NoMemory();
        goto fail_ids;
    }
    for (Py_ssize_t id = 0; id < self->parts.n; id++)
        self->by_rank[part_at(&self->parts, id)->rank] = id;
    if ((by_count || by_key) && !below) {
        if (rows_by_part(self, table, ids, self->rows) < 0)
            goto fail_ids;
        PyMem_Free(ids);
        self->n = order_parts(self, self->rows, by_count, a.max_rows);
        if (self->n < 0)
            goto fail;
        return (PyObject *)self;
    }
    for (Py_ssize_t i = 0, k = 0; i < n; i++) { /* the rows in the keys, sorted whole */
        if (ids[i] == NO_PART)
            continue;
        const Entry *e = &table->rows[i];
        uint32_t len = (uint32_t)((const char *)memchr(e->utf8, a.sep, e->len) - e->utf8);
        self->rows[k++] = (LongRow){e->utf8, e->count, len, (uint32_t)part_at(&self->parts, ids[i])->rank};
    }
    PyMem_Free(ids);
    qsort(self->rows, (size_t)kept, sizeof(LongRow), compare_long_rows);
    if (a.max_rows >= 0) { /* the first max_rows of each part */
        Py_ssize_t n_out = 0, in_part = 0;
        for (Py_ssize_t i = 0; i < kept; i++) {
            in_part = (i > 0 && self->rows[i].rank == self->rows[i - 1].rank) ? in_part + 1 : 0;
            if (in_part < a.max_rows)
                self->rows[n_out++] = self->rows[i];
        }
        kept = n_out;
    }
    self->n = kept;
    return (PyObject *)self;
fail_ids:
    PyMem_Free(ids);
fail:
    Py_DECREF(self);
    return NULL;
}

static Py_ssize_t
LongTable_len(LongTable *self)
{
    return self->n;
}

/* The part of row i */
static const PartSlot *
long_part(const LongTable *self, Py_ssize_t i)
{
    return part_at(&self->parts, self->by_rank[self->rows[i].rank]);
}

static PyObject *
LongTable_tsv(LongTable *self, PyObject *args)
{
    Py_ssize_t start, stop, size = 0;
    if (slice_range(self->n, args, "|nn:tsv", &start, &stop) < 0)
        return NULL;
    if (!self->clean)
        Py_RETURN_NONE;
    for (Py_ssize_t i = start; i < stop; i++)
        size += self->rows[i].len + long_part(self, i)->shown_len + 24;
    PyObject *out = PyBytes_FromStringAndSize(NULL, size);
    if (out == NULL)
        return NULL;
    char *p = PyBytes_AS_STRING(out);
    /* Without the GIL: the table does not change once made, so batches are formatted on several
     * threads while another writes (wordfreq/tables/long.py). */
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = start; i < stop; i++) {
        const LongRow *row = &self->rows[i];
        const PartSlot *part = long_part(self, i);
        memcpy(p, part->shown, part->shown_len);
        p += part->shown_len;
        *p++ = '\t';
        memcpy(p, row->row, row->len);
        p += row->len;
        *p++ = '\t';
        p = write_int(p, row->count);
        *p++ = '\n';
    }
    Py_END_ALLOW_THREADS
    return lines_cut(out, p);
}

static PyObject *
long_row(PyObject *table, Py_ssize_t i)
{
    const LongTable *self = (const LongTable *)table;
    const LongRow *r = &self->rows[i];
    const PartSlot *part = long_part(self, i);
    return Py_BuildValue("(NNL)", PyUnicode_DecodeUTF8(part->shown, part->shown_len, NULL),
                         PyUnicode_DecodeUTF8(r->row, r->len, NULL), (long long)r->count);
}

static PyObject *
LongTable_rows(LongTable *self, PyObject *args)
{
    return rows_list((PyObject *)self, self->n, args, long_row);
}

static PyObject *
LongTable_records(LongTable *self, PyObject *args)
{
    Py_ssize_t start, stop, size = 0;
    if (slice_range(self->n, args, "|nn:records", &start, &stop) < 0)
        return NULL;
    for (Py_ssize_t i = start; i < stop; i++) /* a key: the row, sep, the part (as in the keys read) */
        size += (Py_ssize_t)(sizeof(uint32_t) + sizeof(int64_t)) + self->rows[i].len + 1 + long_part(self, i)->len;
    PyObject *out = PyBytes_FromStringAndSize(NULL, size);
    if (out == NULL)
        return NULL;
    char *p = PyBytes_AS_STRING(out);
    for (Py_ssize_t i = start; i < stop; i++) {
        const LongRow *r = &self->rows[i];
        const PartSlot *part = long_part(self, i);
        uint32_t len = r->len + 1 + part->len;
        memcpy(p, &len, sizeof len);
        memcpy(p + sizeof len, &r->count, sizeof r->count);
        p += sizeof len + sizeof r->count;
        memcpy(p, r->row, r->len);
        p[r->len] = self->sep;
        memcpy(p + r->len + 1, part->name, part->len);
        p += len;
    }
    return out;
}

static PyMethodDef LongTable_methods[] = {
    {"records", (PyCFunction)LongTable_records, METH_VARARGS,
     "records(start=0, stop=len) -> bytes: the keys in long-table order, as a table file's (TableMerge reads\n"
     "them grouped by part with sep)"},
    {"tsv", (PyCFunction)LongTable_tsv, METH_VARARGS,
     "tsv(start=0, stop=len) -> the rows' 'part<TAB>row<TAB>count' lines (bytes), or None when one holds a\n"
     "tab or a line break; formatted without the GIL"},
    {"rows", (PyCFunction)LongTable_rows, METH_VARARGS, "rows(start=0, stop=len) -> list of (part, row, count)"},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods LongTable_as_sequence = {
    .sq_length = (lenfunc)LongTable_len,
};

static PyTypeObject LongTableType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "wordfreq.reduce._tables.LongTable",
    .tp_basicsize = sizeof(LongTable),
    .tp_dealloc = (destructor)LongTable_dealloc,
    .tp_as_sequence = &LongTable_as_sequence,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The long table of a count by part (made by long_table).",
    .tp_methods = LongTable_methods,
};
