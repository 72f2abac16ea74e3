/* wordfreq.tokenizers._jieba: jieba 0.42.1's segmentation, compiled.
 *
 * This module owns the whole of jieba's algorithm for the exact default
 * tokenizer, computed without a Python object per token:
 *
 *   - the prefix dictionary (jieba's FREQ), as a trie: read from a
 *     dictionary file with jieba's gen_pfdict rules (dictionary_from_file),
 *     or copied from a live jieba.Tokenizer's FREQ (dictionary_from_freq),
 *     or read back from its image (dictionary_from_image, the on-disk cache);
 *   - the blocks (re_han_default) and the text between them (re_skip_default);
 *   - the DAG and the route (Tokenizer.calc): the same log(), the same
 *     additions in the same order and the same choice on ties as
 *     max((score, x) ...), so the same route bit for bit;
 *   - __cut_DAG (HMM buffers through finalseg.cut: Viterbi with jieba's
 *     model, same floating point operations and ties, Force_Split_Words),
 *     __cut_DAG_NO_HMM, __cut_all and cut_for_search.
 *
 * A Segmenter gives the tokens of a text three ways: counted
 * (add_counts: one Python string per distinct token, made at the end),
 * listed in order (tokenize: exactly list(jieba.cut(...)), one string object
 * per distinct token, shared), or as the rows of word n-grams line by line
 * (add_rows: token ids, n-grams of ids, one string per distinct row).
 * count_rows counts the n-grams of many texts into one RowTable, which holds
 * them in C until take() gives them all as UTF-8 (a pack, wordfreq.packed):
 * no Python object per row at all.
 *
 * The text is read as code points (UCS-4); any str Python can hold is
 * accepted, lone surrogates and NUL included.  See jieba_compiled.py for the
 * Python side and tests/test_jieba_compiled.py for the proofs.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* ---- character classes (wordfreq.charclasses) --------------- */

#define HAN_FIRST 0x4E00
#define HAN_LAST 0x9FD5
#define HAN_COUNT (HAN_LAST - HAN_FIRST + 1)

static inline int
is_han(Py_UCS4 c)
{
    return c >= HAN_FIRST && c <= HAN_LAST;
}

static inline int
is_ascii_alnum(Py_UCS4 c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static inline int
is_ascii_block_punct(Py_UCS4 c)
{
    return c == '+' || c == '#' || c == '&' || c == '.' || c == '_' || c == '%' || c == '-';
}

static inline int
is_ascii_digit(Py_UCS4 c)
{
    return c >= '0' && c <= '9';
}

static inline int
is_block(Py_UCS4 c)
{
    return is_han(c) || is_ascii_alnum(c) || is_ascii_block_punct(c);
}

static inline int
is_space(Py_UCS4 c)
{
    return Py_UNICODE_ISSPACE(c);
}

/* The end of the run from s[i] of characters in (or, with want 0, out of) a class. */
static inline Py_ssize_t
run_end(const Py_UCS4 *s, Py_ssize_t i, Py_ssize_t n, int (*in_class)(Py_UCS4), int want)
{
    while (i < n && in_class(s[i]) == want)
        i++;
    return i;
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
"of +#&._%- and 8 for whitespace, as this module sees them.");

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
                        (is_space(c) ? CLASS_WHITESPACE : 0));
    }
    return table;
}

/* Make *p (an array of *cap items of `item` bytes) hold at least `need` items. */
static int
grow(void **p, Py_ssize_t *cap, Py_ssize_t need, size_t item)
{
    if (need <= *cap)
        return 0;
    Py_ssize_t size = *cap > 0 ? *cap : 256;
    while (size < need)
        size *= 2;
    void *q = PyMem_Realloc(*p, size * item);
    if (q == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    *p = q;
    *cap = size;
    return 0;
}

/* ---- the prefix dictionary: a trie ------------------------------------ */

/* A node is a string, reached from its parent by one *step* (an edge of
 * the trie) that also holds what the walks need of the node, so that one
 * step is one memory access: whether the string is a key of jieba's FREQ
 * (`present`), whether its frequency is other than 0 (`positive`), and
 * log(freq).  jieba's FREQ holds every prefix of every word (with 0 where
 * the prefix is no word), so the DAG's walk "while frag in FREQ" is a walk
 * down the trie while the steps are present.  The steps from the root by a
 * character of the BMP are an array; the others are in one hash table. */
#define STEP_PRESENT 1
#define STEP_POSITIVE 2

typedef struct {
    double logf;      /* log(freq) as Python computes math.log(freq), when freq > 0 */
    int32_t child;    /* the node this step leads to, 0 for none */
    int32_t flags;    /* STEP_PRESENT, STEP_POSITIVE */
} Step;

typedef struct {
    uint64_t key;     /* (parent << 21 | code point) + 1, 0 for an empty slot */
    Step step;
} Edge;

typedef struct {
    PyObject_HEAD
    Step *root;             /* the steps from the root by U+0000..U+FFFF */
    Edge *edges;            /* all the other steps */
    size_t edge_mask, n_edges;
    long long *freq;        /* FREQ's value, by node */
    Py_ssize_t n_nodes, cap_nodes;
    Py_ssize_t n_present;
    double logtotal;
    PyObject *total;        /* jieba's total, a Python int */
    PyObject *image;        /* the bytes holding root, edges and freq (read only), or NULL: they are ours */
    uint64_t *filter;       /* a bit per hash of an edge's key (NULL while the trie is being built) */
    uint64_t filter_mask;   /* the number of bits - 1 */
} DictionaryObject;

static const Step NO_STEP = {0.0, 0, 0};

static inline uint64_t
mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static inline uint64_t
edge_key(int32_t node, Py_UCS4 c)
{
    return (((uint64_t)node << 21) | c) + 1;
}

/* The bit of the filter for an edge's hash: its high bits (the slot in the
 * hash table is from the low bits). */
static inline uint64_t
filter_bit(uint64_t hash, uint64_t mask)
{
    return (hash >> 24) & mask;
}

/* The step from node by c: NO_STEP when there is none.
 *
 * Most walks of the DAG end on a step that is not in the trie, and the
 * edges' table (2^20 slots of 24 bytes for jieba's dictionary) is far
 * larger than the CPU's caches: the filter, 16 bits per edge (1 MB), says
 * at once, for all but about 6% of the missing steps, that a step is
 * missing, without touching the table. */
static inline const Step *
trie_step(const DictionaryObject *d, int32_t node, Py_UCS4 c)
{
    if (node == 0 && c < 0x10000)
        return &d->root[c];
    uint64_t key = edge_key(node, c);
    uint64_t hash = mix64(key);
    if (d->filter != NULL) {
        uint64_t bit = filter_bit(hash, d->filter_mask);
        if (!(d->filter[bit >> 6] & ((uint64_t)1 << (bit & 63))))
            return &NO_STEP;
    }
    size_t i = (size_t)hash & d->edge_mask;
    for (;;) {
        const Edge *e = &d->edges[i];
        if (e->key == key)
            return &e->step;
        if (e->key == 0)
            return &NO_STEP;
        i = (i + 1) & d->edge_mask;
    }
}

static int
edges_grow(DictionaryObject *d)
{
    size_t size = (d->edge_mask + 1) * 2;
    Edge *edges = PyMem_Calloc(size, sizeof(Edge));
    if (edges == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i <= d->edge_mask; i++) {
        const Edge *e = &d->edges[i];
        if (e->key == 0)
            continue;
        size_t j = (size_t)mix64(e->key) & (size - 1);
        while (edges[j].key != 0)
            j = (j + 1) & (size - 1);
        edges[j] = *e;
    }
    PyMem_Free(d->edges);
    d->edges = edges;
    d->edge_mask = size - 1;
    return 0;
}

/* The step from node by c, made (to a new node, absent from FREQ) if there
 * is none; valid until the next step is made. */
static Step *
trie_make_step(DictionaryObject *d, int32_t node, Py_UCS4 c)
{
    Step *step = (Step *)trie_step(d, node, c);
    if (step->child != 0)
        return step;
    if (d->n_nodes >= INT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "dictionary too large");
        return NULL;
    }
    if (grow((void **)&d->freq, &d->cap_nodes, d->n_nodes + 1, sizeof(long long)) < 0)
        return NULL;
    int32_t id = (int32_t)d->n_nodes++;
    d->freq[id] = 0;
    if (node == 0 && c < 0x10000) {
        step = &d->root[c];
    }
    else {
        /* under 5/8 full: a walk's missing step is found in a probe or two */
        if ((d->n_edges + 1) * 8 > (d->edge_mask + 1) * 5 && edges_grow(d) < 0)
            return NULL;
        uint64_t key = edge_key(node, c);
        size_t i = (size_t)mix64(key) & d->edge_mask;
        while (d->edges[i].key != 0)
            i = (i + 1) & d->edge_mask;
        d->edges[i].key = key;
        d->n_edges++;
        step = &d->edges[i].step;
    }
    step->child = id;
    step->flags = 0;
    step->logf = 0.0;
    return step;
}

/* The step to s[0:n] from the root (NO_STEP when there is none); n > 0. */
static const Step *
trie_find(const DictionaryObject *d, const Py_UCS4 *s, Py_ssize_t n)
{
    const Step *step = &NO_STEP;
    int32_t node = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        step = trie_step(d, node, s[i]);
        node = step->child;
        if (node == 0)
            return &NO_STEP;
    }
    return step;
}

/* FREQ.get(s) is truthy: present with a frequency other than 0. */
static inline int
trie_positive(const DictionaryObject *d, const Py_UCS4 *s, Py_ssize_t n)
{
    return (trie_find(d, s, n)->flags & STEP_POSITIVE) != 0;
}

/* log(freq) exactly as math.log(freq) computes it for a Python int. */
static int
python_log(PyObject *value, double *out)
{
    double x = PyLong_AsDouble(value);
    if (x == -1.0 && PyErr_Occurred())
        return -1;
    if (!(x > 0.0)) {
        PyErr_SetString(PyExc_ValueError, "frequencies must not be negative, and the total must be positive");
        return -1;
    }
    *out = log(x);
    return 0;
}

/* FREQ[s] = freq (a Python int >= 0); with mark_prefixes, as gen_pfdict
 * does, each missing proper prefix of s gets 0. */
static int
dict_set(DictionaryObject *d, const Py_UCS4 *s, Py_ssize_t n, PyObject *freq, int mark_prefixes)
{
    long long value = PyLong_AsLongLong(freq);
    if (value == -1 && PyErr_Occurred())
        return -1;
    if (value < 0) {
        PyErr_SetString(PyExc_ValueError, "negative frequency");
        return -1;
    }
    if (n == 0)
        return 0; /* "" can be a key of FREQ, but no walk ever asks for it */
    Step *step = NULL;
    int32_t node = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        step = trie_make_step(d, node, s[i]);
        if (step == NULL)
            return -1;
        node = step->child;
        if (mark_prefixes && i < n - 1 && !(step->flags & STEP_PRESENT)) {
            step->flags = STEP_PRESENT;
            d->n_present++;
        }
    }
    if (!(step->flags & STEP_PRESENT))
        d->n_present++;
    step->flags = STEP_PRESENT | (value != 0 ? STEP_POSITIVE : 0);
    step->logf = 0.0;
    d->freq[node] = value;
    if (value > 0 && python_log(freq, &step->logf) < 0)
        return -1;
    return 0;
}

static DictionaryObject *dictionary_new_empty(void);

/* The end of building a dictionary: its total, and the filter of its edges
 * (trie_step); no step is made after this. */
static int
dictionary_seal(DictionaryObject *d, PyObject *total)
{
    if (python_log(total, &d->logtotal) < 0)
        return -1;
    Py_INCREF(total);
    Py_XDECREF(d->total);
    d->total = total;
    uint64_t bits = 1 << 16;
    while (bits < 16 * (uint64_t)d->n_edges)
        bits *= 2;
    uint64_t *filter = PyMem_Calloc(bits / 64, sizeof(uint64_t));
    if (filter == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i <= d->edge_mask; i++) {
        if (d->edges[i].key != 0) {
            uint64_t bit = filter_bit(mix64(d->edges[i].key), bits - 1);
            filter[bit >> 6] |= (uint64_t)1 << (bit & 63);
        }
    }
    PyMem_Free(d->filter);
    d->filter = filter;
    d->filter_mask = bits - 1;
    return 0;
}

PyDoc_STRVAR(dictionary_from_freq_doc,
"dictionary_from_freq(freq, total) -> Dictionary\n\n"
"The dictionary of a live jieba.Tokenizer: its FREQ (str -> int, every key\n"
"as given) and its total.  ValueError for a negative frequency or a total\n"
"that is not positive (jieba itself would fail on them).");

static PyObject *
dictionary_from_freq(PyObject *module, PyObject *args)
{
    PyObject *freq, *total;
    if (!PyArg_ParseTuple(args, "O!O!:dictionary_from_freq", &PyDict_Type, &freq, &PyLong_Type, &total))
        return NULL;
    DictionaryObject *d = dictionary_new_empty();
    if (d == NULL)
        return NULL;
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(freq, &pos, &key, &value)) {
        if (!PyUnicode_Check(key) || !PyLong_Check(value)) {
            PyErr_SetString(PyExc_TypeError, "FREQ must map str to int");
            goto error;
        }
        Py_UCS4 *s = PyUnicode_AsUCS4Copy(key);
        if (s == NULL)
            goto error;
        int rc = dict_set(d, s, PyUnicode_GET_LENGTH(key), value, 0);
        PyMem_Free(s);
        if (rc < 0)
            goto error;
    }
    if (dictionary_seal(d, total) < 0)
        goto error;
    return (PyObject *)d;
error:
    Py_DECREF(d);
    return NULL;
}

/* bytes.strip()'s whitespace */
static inline int
is_ascii_strip(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\x0b' || c == '\x0c';
}

PyDoc_STRVAR(dictionary_from_file_doc,
"dictionary_from_file(data) -> Dictionary\n\n"
"The dictionary jieba's gen_pfdict builds from a dictionary file's bytes:\n"
"for each line, stripped and decoded as UTF-8, `word freq [tag]`; FREQ[word]\n"
"= freq, total += freq, and each missing prefix of word gets 0.  Raises\n"
"ValueError(line number) for a line it does not take: one jieba rejects, or\n"
"a frequency written other than as plain ASCII digits (which int() might\n"
"accept): the caller then asks jieba itself.");

static PyObject *
dictionary_from_file(PyObject *module, PyObject *args)
{
    Py_buffer data;
    if (!PyArg_ParseTuple(args, "y*:dictionary_from_file", &data))
        return NULL;
    DictionaryObject *d = dictionary_new_empty();
    PyObject *total = NULL;
    Py_UCS4 *units = NULL;
    Py_ssize_t cap = 0;
    long long sum = 0;
    if (d == NULL)
        goto error;
    const char *p = data.buf, *end = p + data.len;
    Py_ssize_t lineno = 0;
    while (p < end) {
        const char *eol = memchr(p, '\n', end - p);
        const char *next = eol ? eol + 1 : end;
        const char *a = p, *b = next;
        lineno++;
        p = next;
        while (a < b && is_ascii_strip(*a))
            a++;
        while (b > a && is_ascii_strip(b[-1]))
            b--;
        PyObject *line = PyUnicode_DecodeUTF8(a, b - a, "strict");
        if (line == NULL)
            goto bad_line;
        Py_ssize_t n = PyUnicode_GET_LENGTH(line);
        if (n > cap) {
            PyMem_Free(units);
            cap = n * 2;
            units = PyMem_Malloc(cap * sizeof(Py_UCS4));
            if (units == NULL) {
                Py_DECREF(line);
                PyErr_NoMemory();
                goto error;
            }
        }
        if (n > 0 && PyUnicode_AsUCS4(line, units, cap, 0) == NULL) {
            Py_DECREF(line);
            goto error;
        }
        Py_DECREF(line);
        /* word, freq = line.split(' ')[:2] */
        Py_ssize_t space = 0;
        while (space < n && units[space] != ' ')
            space++;
        if (space >= n)
            goto bad_line;
        Py_ssize_t f = space + 1, f_end = f;
        while (f_end < n && units[f_end] != ' ')
            f_end++;
        if (f_end == f || f_end - f > 18)
            goto bad_line;
        long long value = 0;
        for (Py_ssize_t i = f; i < f_end; i++) {
            if (units[i] < '0' || units[i] > '9')
                goto bad_line;
            value = value * 10 + (units[i] - '0');
        }
        if (__builtin_add_overflow(sum, value, &sum))
            goto bad_line;
        PyObject *freq = PyLong_FromLongLong(value);
        if (freq == NULL)
            goto error;
        int rc = dict_set(d, units, space, freq, 1);
        Py_DECREF(freq);
        if (rc < 0)
            goto error;
        continue;
    bad_line:
        PyErr_Clear();
        PyErr_Format(PyExc_ValueError, "line %zd", lineno);
        goto error;
    }
    total = PyLong_FromLongLong(sum);
    if (total == NULL || dictionary_seal(d, total) < 0)
        goto error;
    Py_DECREF(total);
    PyMem_Free(units);
    PyBuffer_Release(&data);
    return (PyObject *)d;
error:
    Py_XDECREF(total);
    Py_XDECREF(d);
    PyMem_Free(units);
    PyBuffer_Release(&data);
    return NULL;
}

static PyObject *
Dictionary_get(DictionaryObject *d, PyObject *word)
{
    if (!PyUnicode_Check(word)) {
        PyErr_SetString(PyExc_TypeError, "word must be a str");
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(word);
    Py_UCS4 *s = PyUnicode_AsUCS4Copy(word);
    if (s == NULL)
        return NULL;
    const Step *step = n > 0 ? trie_find(d, s, n) : &NO_STEP;
    PyMem_Free(s);
    if (!(step->flags & STEP_PRESENT))
        Py_RETURN_NONE;
    return PyLong_FromLongLong(d->freq[step->child]);
}

static Py_ssize_t
Dictionary_len(DictionaryObject *d)
{
    return d->n_present;
}

static PyObject *
Dictionary_total(DictionaryObject *d, void *closure)
{
    Py_INCREF(d->total);
    return d->total;
}

/* ---- a dictionary's image: the trie as bytes, for the on-disk cache --- */

/* The image is the header below, then the arrays as they are in memory:
 * root (0x10000 steps), edges (edge_slots), freq (n_nodes).  Indices, not
 * pointers, link them, so a copy is the dictionary.  It is read back by the
 * build that wrote it only (IMAGE_MAGIC changes with the layout; the
 * cache's file name carries it, as IMAGE_FORMAT, and the machine; see
 * dictionary_cache.py). */
#define IMAGE_MAGIC "WFJDIC01"

static PyTypeObject DictionaryType;

typedef struct {
    char magic[8];
    uint64_t edge_slots, n_edges, n_nodes, n_present;
    int64_t total;
    uint64_t checksum; /* of everything after the header */
} ImageHeader;

/* A checksum of the arrays, to catch a truncated or damaged file, not an
 * adversary: four independent FNV-style lanes, word i of the image going to
 * lane i % 4.  checksum_add takes the words in order, in pieces that each
 * begin at a multiple of four words (all but the last piece are multiples). */
typedef struct {
    uint64_t lane[4];
} Checksum;

static void
checksum_add(Checksum *c, const char *p, size_t n)
{
    size_t words = n / 8, i = 0;
    for (; i + 4 <= words; i += 4) {
        for (int k = 0; k < 4; k++) {
            uint64_t w;
            memcpy(&w, p + (i + k) * 8, 8);
            c->lane[k] = (c->lane[k] ^ w) * 0x100000001b3ULL;
        }
    }
    for (int k = 0; k < 4 && i < words; i++, k++) { /* the 0-3 words left: k < 4 always holds */
        uint64_t w;
        memcpy(&w, p + i * 8, 8);
        c->lane[k] = (c->lane[k] ^ w) * 0x100000001b3ULL;
    }
}

static uint64_t
checksum_end(const Checksum *c)
{
    return mix64(c->lane[0] ^ mix64(c->lane[1] ^ mix64(c->lane[2] ^ mix64(c->lane[3]))));
}

static const Checksum CHECKSUM_START = {{0xcbf29ce484222325ULL, 1, 2, 3}};

PyDoc_STRVAR(Dictionary_image_doc,
"image() -> bytes\n\n"
"The dictionary as bytes that dictionary_from_image reads back (in a build\n"
"of this module on this kind of machine).  OverflowError when the total\n"
"does not fit in 64 bits.");

static PyObject *
Dictionary_image(DictionaryObject *d, PyObject *unused)
{
    long long total = PyLong_AsLongLong(d->total);
    if (total == -1 && PyErr_Occurred())
        return NULL;
    size_t root = 0x10000 * sizeof(Step), edges = (d->edge_mask + 1) * sizeof(Edge);
    size_t freq = (size_t)d->n_nodes * sizeof(long long);
    PyObject *out = PyBytes_FromStringAndSize(NULL, sizeof(ImageHeader) + root + edges + freq);
    if (out == NULL)
        return NULL;
    char *p = PyBytes_AS_STRING(out);
    ImageHeader h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, IMAGE_MAGIC, 8);
    h.edge_slots = d->edge_mask + 1;
    h.n_edges = d->n_edges;
    h.n_nodes = (uint64_t)d->n_nodes;
    h.n_present = (uint64_t)d->n_present;
    h.total = total;
    char *body = p + sizeof h;
    memcpy(body, d->root, root);
    memcpy(body + root, d->edges, edges);
    memcpy(body + root + edges, d->freq, freq);
    Checksum sum = CHECKSUM_START;
    checksum_add(&sum, body, root);
    checksum_add(&sum, body + root, edges);
    checksum_add(&sum, body + root + edges, freq);
    h.checksum = checksum_end(&sum);
    memcpy(p, &h, sizeof h);
    return out;
}

static inline int
step_valid(const Step *step, uint64_t n_nodes)
{
    return step->child >= 0 && (uint64_t)step->child < n_nodes &&
           (step->flags & ~(STEP_PRESENT | STEP_POSITIVE)) == 0;
}

PyDoc_STRVAR(dictionary_from_image_doc,
"dictionary_from_image(data) -> Dictionary\n\n"
"The dictionary whose image() data (bytes) is, read in place: it keeps a\n"
"reference to data.  ValueError for anything else: a damaged, truncated or\n"
"foreign image is refused, never trusted.");

static PyObject *
dictionary_from_image(PyObject *module, PyObject *args)
{
    PyObject *data;
    if (!PyArg_ParseTuple(args, "O!:dictionary_from_image", &PyBytes_Type, &data))
        return NULL;
    DictionaryObject *d = NULL;
    PyObject *total = NULL;
    ImageHeader h;
    size_t len = (size_t)PyBytes_GET_SIZE(data), root = 0x10000 * sizeof(Step);
    if (len < sizeof h)
        goto bad;
    memcpy(&h, PyBytes_AS_STRING(data), sizeof h);
    if (memcmp(h.magic, IMAGE_MAGIC, 8) != 0 || h.edge_slots < 0x10000 ||
        (h.edge_slots & (h.edge_slots - 1)) != 0 || h.edge_slots > ((uint64_t)1 << 40) ||
        h.n_edges >= h.edge_slots || h.n_nodes < 1 || h.n_nodes > INT32_MAX || h.n_present > h.n_nodes ||
        h.total <= 0)
        goto bad;
    size_t edges = h.edge_slots * sizeof(Edge), freq = h.n_nodes * sizeof(long long);
    if (len != sizeof h + root + edges + freq)
        goto bad;
    const char *body = PyBytes_AS_STRING(data) + sizeof h;
    if ((uintptr_t)body % 8 != 0) /* never on CPython: the arrays are read in place */
        goto bad;
    /* One pass: the checksum, and every link (to a node that exists; an
     * empty slot left to end every probe). */
    const Step *root_steps = (const Step *)body;
    const Edge *edge_slots = (const Edge *)(body + root);
    Checksum sum = CHECKSUM_START;
    checksum_add(&sum, body, root + edges + freq);
    size_t n_edges = 0;
    for (size_t i = 0; i < 0x10000; i++)
        if (!step_valid(&root_steps[i], h.n_nodes))
            goto bad;
    for (size_t i = 0; i < h.edge_slots; i++) {
        if (edge_slots[i].key == 0)
            continue;
        n_edges++;
        if (!step_valid(&edge_slots[i].step, h.n_nodes))
            goto bad;
    }
    if (checksum_end(&sum) != h.checksum || n_edges != h.n_edges)
        goto bad;
    d = PyObject_New(DictionaryObject, &DictionaryType);
    if (d == NULL)
        goto error;
    Py_INCREF(data);
    d->image = data;
    d->total = NULL;
    d->filter = NULL;
    d->root = (Step *)root_steps;
    d->edges = (Edge *)edge_slots;
    d->freq = (long long *)(body + root + edges);
    d->edge_mask = h.edge_slots - 1;
    d->n_nodes = d->cap_nodes = (Py_ssize_t)h.n_nodes;
    d->n_present = (Py_ssize_t)h.n_present;
    d->n_edges = n_edges;
    total = PyLong_FromLongLong(h.total);
    if (total == NULL || dictionary_seal(d, total) < 0)
        goto error;
    Py_DECREF(total);
    return (PyObject *)d;
bad:
    PyErr_SetString(PyExc_ValueError, "not an image of a dictionary of this build");
error:
    Py_XDECREF(total);
    Py_XDECREF(d);
    return NULL;
}

static void
Dictionary_dealloc(DictionaryObject *d)
{
    PyMem_Free(d->filter);
    if (d->image != NULL) {
        Py_DECREF(d->image);
    }
    else {
        PyMem_Free(d->freq);
        PyMem_Free(d->root);
        PyMem_Free(d->edges);
    }
    Py_XDECREF(d->total);
    Py_TYPE(d)->tp_free((PyObject *)d);
}

static PyMethodDef Dictionary_methods[] = {
    {"get", (PyCFunction)Dictionary_get, METH_O, "get(word) -> int or None: jieba's FREQ.get(word)."},
    {"image", (PyCFunction)Dictionary_image, METH_NOARGS, Dictionary_image_doc},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Dictionary_getset[] = {
    {"total", (getter)Dictionary_total, NULL, "jieba's total", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PySequenceMethods Dictionary_as_sequence = {
    .sq_length = (lenfunc)Dictionary_len,
};

static PyTypeObject DictionaryType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "wordfreq.tokenizers._jieba.Dictionary",
    .tp_doc = "jieba's prefix dictionary (FREQ) and total; len() is the number of keys of FREQ.",
    .tp_basicsize = sizeof(DictionaryObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = (destructor)Dictionary_dealloc,
    .tp_methods = Dictionary_methods,
    .tp_getset = Dictionary_getset,
    .tp_as_sequence = &Dictionary_as_sequence,
};

static DictionaryObject *
dictionary_new_empty(void)
{
    DictionaryObject *d = PyObject_New(DictionaryObject, &DictionaryType);
    if (d == NULL)
        return NULL;
    d->cap_nodes = 1 << 16;
    d->n_nodes = 1; /* the root */
    d->n_present = 0;
    d->n_edges = 0;
    d->edge_mask = (1 << 16) - 1;
    d->total = NULL;
    d->image = NULL;
    d->filter = NULL;
    d->logtotal = 0.0;
    d->freq = PyMem_Calloc(d->cap_nodes, sizeof(long long));
    d->root = PyMem_Calloc(0x10000, sizeof(Step));
    d->edges = PyMem_Calloc(d->edge_mask + 1, sizeof(Edge));
    if (d->freq == NULL || d->root == NULL || d->edges == NULL) {
        Py_DECREF(d);
        PyErr_NoMemory();
        return NULL;
    }
    return d;
}

/* ---- a table of unit sequences: tokens (code points) or n-grams (ids) -- */

typedef struct {
    uint64_t hash;
    Py_ssize_t off;      /* the units, in the arena */
    Py_ssize_t len;
    long long count;
    PyObject *str;       /* the token as a str, made once when needed */
    Py_ssize_t piece_off, piece_len; /* n-grams: what the token stands for (after the filters) */
    signed char kept;    /* n-grams: -1 not asked yet, 0 dropped, 1 kept */
    int32_t node;        /* windows: the node its piece is (an index of Windows.nodes), or -1 */
} Entry;

typedef struct {
    Entry *entries;
    Py_ssize_t n, cap;
    int32_t *index;      /* entry number + 1, 0 for an empty slot */
    size_t mask;
    uint32_t *arena;
    Py_ssize_t arena_len, arena_cap;
} Table;

static int
table_init(Table *t)
{
    t->n = 0;
    t->cap = 1024;
    t->mask = 4096 - 1;
    t->arena_len = 0;
    t->arena_cap = 1 << 16;
    t->entries = PyMem_Malloc(t->cap * sizeof(Entry));
    t->index = PyMem_Calloc(t->mask + 1, sizeof(int32_t));
    t->arena = PyMem_Malloc(t->arena_cap * sizeof(uint32_t));
    if (t->entries == NULL || t->index == NULL || t->arena == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static void
table_free(Table *t)
{
    if (t->entries != NULL) {
        for (Py_ssize_t i = 0; i < t->n; i++)
            Py_XDECREF(t->entries[i].str);
    }
    PyMem_Free(t->entries);
    PyMem_Free(t->index);
    PyMem_Free(t->arena);
    t->entries = NULL;
    t->index = NULL;
    t->arena = NULL;
}

static inline uint64_t
hash_units(const uint32_t *u, Py_ssize_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (uint64_t)n;
    for (Py_ssize_t i = 0; i < n; i++)
        h = (h ^ u[i]) * 0x100000001B3ULL + (h >> 29);
    return mix64(h);
}

static int
table_reindex(Table *t)
{
    size_t size = (t->mask + 1) * 2;
    int32_t *index = PyMem_Calloc(size, sizeof(int32_t));
    if (index == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t e = 0; e < t->n; e++) {
        size_t i = (size_t)t->entries[e].hash & (size - 1);
        while (index[i] != 0)
            i = (i + 1) & (size - 1);
        index[i] = (int32_t)(e + 1);
    }
    PyMem_Free(t->index);
    t->index = index;
    t->mask = size - 1;
    return 0;
}

static int
arena_reserve(Table *t, Py_ssize_t more)
{
    return grow((void **)&t->arena, &t->arena_cap, t->arena_len + more, sizeof(uint32_t));
}

/* The id of the entry for u[0:n] (made if new) with count += add; -1 on error. */
static Py_ssize_t
table_add(Table *t, const uint32_t *u, Py_ssize_t n, long long add)
{
    uint64_t h = hash_units(u, n);
    size_t i = (size_t)h & t->mask;
    for (;;) {
        int32_t e = t->index[i];
        if (e == 0)
            break;
        Entry *x = &t->entries[e - 1];
        if (x->hash == h && x->len == n && memcmp(t->arena + x->off, u, n * sizeof(uint32_t)) == 0) {
            x->count += add;
            return e - 1;
        }
        i = (i + 1) & t->mask;
    }
    if (t->n >= INT32_MAX - 1) {
        PyErr_SetString(PyExc_OverflowError, "too many distinct tokens in one call");
        return -1;
    }
    if (grow((void **)&t->entries, &t->cap, t->n + 1, sizeof(Entry)) < 0 || arena_reserve(t, n) < 0)
        return -1;
    memcpy(t->arena + t->arena_len, u, n * sizeof(uint32_t));
    Entry *x = &t->entries[t->n];
    x->hash = h;
    x->off = t->arena_len;
    x->len = n;
    x->count = add;
    x->str = NULL;
    x->piece_off = t->arena_len;
    x->piece_len = n;
    x->kept = -1;
    x->node = -1;
    t->arena_len += n;
    t->index[i] = (int32_t)(t->n + 1);
    t->n++;
    if ((size_t)t->n * 2 > t->mask + 1 && table_reindex(t) < 0)
        return -1;
    return t->n - 1;
}

/* The id of the entry for u[0:n], or -1 when there is none. */
static Py_ssize_t
table_find(const Table *t, const uint32_t *u, Py_ssize_t n)
{
    uint64_t h = hash_units(u, n);
    size_t i = (size_t)h & t->mask;
    for (;;) {
        int32_t e = t->index[i];
        if (e == 0)
            return -1;
        const Entry *x = &t->entries[e - 1];
        if (x->hash == h && x->len == n && memcmp(t->arena + x->off, u, n * sizeof(uint32_t)) == 0)
            return e - 1;
        i = (i + 1) & t->mask;
    }
}

static PyObject *
units_to_str(const uint32_t *u, Py_ssize_t n)
{
    return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, u, n);
}

/* The entry's token as a str (a borrowed reference, kept by the entry). */
static PyObject *
entry_str(Table *t, Entry *x)
{
    if (x->str == NULL)
        x->str = units_to_str(t->arena + x->off, x->len);
    return x->str;
}

/* counts[key] += n */
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
    PyObject *v = PyLong_FromLongLong(value);
    if (v == NULL)
        return -1;
    int rc = PyDict_SetItem(counts, key, v);
    Py_DECREF(v);
    return rc;
}

/* ---- n-grams of token ids ------------------------------------------------ */

/* The n-grams counted by one call or held by a RowTable.  Those of orders 1
 * and 2 (bigrams, the usual table) are keyed by their ids themselves in one
 * open-addressing table of 16-byte slots, so that counting one is one
 * memory access: in a Table it is three (the index, the entry, the units),
 * and with a worker's half a million bigrams they miss the cache (perf:
 * a quarter of a bigram count).  Longer n-grams go to a Table of id
 * sequences. */
#define NO_ID 0xFFFFFFFFu   /* the second id of an n-gram of order 1 (ids are < INT32_MAX) */
#define EMPTY_KEY UINT64_MAX /* a free slot: no first id is NO_ID */

typedef struct {
    uint64_t key;    /* first id << 32 | second id, or NO_ID */
    long long count;
} Pair;

typedef struct {
    int paired;      /* orders <= 2: in pairs; else in table */
    Pair *pairs;
    size_t mask;
    Py_ssize_t n;
    Table table;
} Grams;

static Pair *
pairs_new(size_t size)
{
    Pair *pairs = PyMem_Malloc(size * sizeof(Pair));
    if (pairs == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    for (size_t i = 0; i < size; i++)
        pairs[i].key = EMPTY_KEY;
    return pairs;
}

static int
grams_init(Grams *g, int paired)
{
    memset(g, 0, sizeof(*g));
    g->paired = paired;
    if (!paired)
        return table_init(&g->table);
    g->mask = 4096 - 1;
    g->pairs = pairs_new(g->mask + 1);
    return g->pairs == NULL ? -1 : 0;
}

static void
grams_free(Grams *g)
{
    PyMem_Free(g->pairs);
    g->pairs = NULL;
    g->n = 0;
    table_free(&g->table);
}

static Py_ssize_t
grams_len(const Grams *g)
{
    return g->paired ? g->n : g->table.n;
}

static Py_ssize_t
table_bytes(const Table *t)
{
    if (t->entries == NULL)
        return 0;
    return t->cap * (Py_ssize_t)sizeof(Entry) + (Py_ssize_t)(t->mask + 1) * (Py_ssize_t)sizeof(int32_t) +
           t->arena_cap * (Py_ssize_t)sizeof(uint32_t);
}

static Py_ssize_t
grams_bytes(const Grams *g)
{
    Py_ssize_t pairs = g->pairs != NULL ? (Py_ssize_t)(g->mask + 1) * (Py_ssize_t)sizeof(Pair) : 0;
    return pairs + table_bytes(&g->table);
}

static int
pairs_grow(Grams *g)
{
    size_t size = (g->mask + 1) * 2;
    Pair *pairs = pairs_new(size);
    if (pairs == NULL)
        return -1;
    for (size_t j = 0; j <= g->mask; j++) {
        if (g->pairs[j].key == EMPTY_KEY)
            continue;
        size_t i = (size_t)mix64(g->pairs[j].key) & (size - 1);
        while (pairs[i].key != EMPTY_KEY)
            i = (i + 1) & (size - 1);
        pairs[i] = g->pairs[j];
    }
    PyMem_Free(g->pairs);
    g->pairs = pairs;
    g->mask = size - 1;
    return 0;
}

/* count += 1 for the n-gram ids[0:n]; -1 on error. */
static inline int
grams_add(Grams *g, const uint32_t *ids, Py_ssize_t n)
{
    if (!g->paired)
        return table_add(&g->table, ids, n, 1) < 0 ? -1 : 0;
    uint64_t key = (uint64_t)ids[0] << 32 | (n == 2 ? ids[1] : NO_ID);
    size_t i = (size_t)mix64(key) & g->mask;
    for (;;) {
        Pair *p = &g->pairs[i];
        if (p->key == key) {
            p->count++;
            return 0;
        }
        if (p->key == EMPTY_KEY)
            break;
        i = (i + 1) & g->mask;
    }
    g->pairs[i].key = key;
    g->pairs[i].count = 1;
    g->n++;
    /* at most half full (if growing fails, the table is still whole: it has free slots) */
    return (size_t)g->n * 2 > g->mask + 1 ? pairs_grow(g) : 0;
}

/* The n-grams one by one, from *pos = 0 on: 1 with the next one's ids (in `two` for a pair), length
 * and count, 0 when there are no more.  The same order every time until the next change. */
static inline int
grams_next(const Grams *g, Py_ssize_t *pos, uint32_t two[2], const uint32_t **ids, Py_ssize_t *len,
           long long *count)
{
    if (!g->paired) {
        if (*pos >= g->table.n)
            return 0;
        const Entry *x = &g->table.entries[(*pos)++];
        *ids = g->table.arena + x->off;
        *len = x->len;
        *count = x->count;
        return 1;
    }
    while (g->pairs != NULL && (size_t)*pos <= g->mask) {
        const Pair *p = &g->pairs[(*pos)++];
        if (p->key == EMPTY_KEY)
            continue;
        two[0] = (uint32_t)(p->key >> 32);
        two[1] = (uint32_t)p->key;
        *ids = two;
        *len = two[1] == NO_ID ? 1 : 2;
        *count = p->count;
        return 1;
    }
    return 0;
}

/* ---- the windows of collocates ------------------------------------------- */

/* What a RowTable of collocates holds besides the table's tokens (wordfreq/analyses/collocates.py):
 * for every node k, R (sizes[k], the positions of the union of its windows in every line, its own
 * positions left out) and o (pairs: (k, token id) -> count).  A line's kept pieces are collected
 * across dropped ones (a window is of the table's tokens: a dropped piece is not there), and counted
 * at its line feed: no window crosses a line, a text or a call. */
typedef struct {
    Table nodes;         /* the node words (pieces, as the filters make them) -> their index */
    Py_ssize_t n_nodes;
    Py_ssize_t left, right;
    Grams pairs;         /* node index << 32 | token id -> o */
    long long *sizes;    /* R of each node */
    int32_t *node_at;    /* scratch: the node of each position of the line, or -1 */
    unsigned char *done;
    uint64_t *keys;      /* scratch: the line's pairs, node << 32 | token id */
    Py_ssize_t node_at_cap, done_cap, keys_cap;
    /* kwic_rows' scratch: a line's code points, the rows' cells and lines */
    Py_UCS4 *units;
    unsigned char *cells, *lines;
    Py_ssize_t units_cap, cells_cap, lines_cap;
} Windows;

static void
windows_free(Windows *w)
{
    if (w == NULL)
        return;
    table_free(&w->nodes);
    grams_free(&w->pairs);
    PyMem_Free(w->sizes);
    PyMem_Free(w->node_at);
    PyMem_Free(w->done);
    PyMem_Free(w->keys);
    PyMem_Free(w->units);
    PyMem_Free(w->cells);
    PyMem_Free(w->lines);
    PyMem_Free(w);
}

/* Windows for the nodes of `words` (a sequence of str), left and right tokens each side. */
static Windows *
windows_new(PyObject *words, Py_ssize_t left, Py_ssize_t right)
{
    PyObject *seq = PySequence_Fast(words, "nodes must be a sequence of str");
    if (seq == NULL)
        return NULL;
    Windows *w = PyMem_Calloc(1, sizeof(Windows));
    Py_UCS4 *units = NULL;
    if (w == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    w->left = left;
    w->right = right;
    if (table_init(&w->nodes) < 0)
        goto fail;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    if (n >= INT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "too many nodes");
        goto fail;
    }
    w->sizes = PyMem_Calloc(n > 0 ? n : 1, sizeof(long long));
    if (w->sizes == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *word = PySequence_Fast_GET_ITEM(seq, k);
        if (!PyUnicode_Check(word)) {
            PyErr_SetString(PyExc_TypeError, "nodes must be a sequence of str");
            goto fail;
        }
        units = PyUnicode_AsUCS4Copy(word);
        if (units == NULL)
            goto fail;
        Py_ssize_t len = PyUnicode_GET_LENGTH(word);
        Py_ssize_t before = w->nodes.n;
        if (table_add(&w->nodes, units, len, 0) < 0)
            goto fail;
        PyMem_Free(units);
        units = NULL;
        if (w->nodes.n == before) {
            PyErr_SetString(PyExc_ValueError, "a node is given twice");
            goto fail;
        }
    }
    w->n_nodes = n;
    Py_DECREF(seq);
    return w;
fail:
    PyMem_Free(units);
    windows_free(w);
    Py_DECREF(seq);
    return NULL;
}

/* ---- segmenting ------------------------------------------------------- */

#define MODE_ACCURATE 0
#define MODE_ALL 1
#define MODE_SEARCH 2

#define WANT_COUNTS 0
#define WANT_LIST 1
#define WANT_ROWS 2
#define WANT_PAIRS 3
#define WANT_PLACES 4
#define WANT_SPANS 5

typedef struct PosModelObject PosModelObject;
typedef struct PosScratch PosScratch;

typedef struct {
    PyObject_HEAD
    DictionaryObject *dict;
    double *emit;           /* 4 doubles (B, M, E, S) for each Han code point */
    double start[4];        /* B, M, E, S */
    double trans[8];        /* E>B, S>B, M>M, B>M, S>S, E>S, B>E, M>E */
    PyObject *force;        /* finalseg.Force_Split_Words, the live set */
    int mode, hmm;
    /* jieba.posseg (_jieba_posseg.c), when pos is not NULL */
    PosModelObject *pos;
    PyObject *tags;         /* tuple of str: the model's tags, then the dictionary's */
    uint16_t *node_tags;    /* word_tag_tab: a tag number per trie node, POS_NO_TAG for none */
    unsigned char *tag_keep; /* per tag: 1 if its tokens are kept */
    Py_UCS4 *tag_units;     /* every tag's code points, one after the other */
    Py_ssize_t *tag_at, *tag_len;
    int with_tags;          /* tokens are word/tag */
    int tag_x, tag_m, tag_eng;
} SegmenterObject;

/* The state of one call: scratch memory and where the tokens go. */
typedef struct {
    SegmenterObject *seg;
    int want;
    Table tokens;
    PyObject *list;          /* WANT_LIST */
    /* WANT_ROWS */
    Grams grams;
    PyObject *keep;          /* None, or piece -> piece or None */
    int low, high;
    uint32_t *line;          /* the ids of the current line's kept run */
    Py_ssize_t line_len, line_cap;
    Windows *win;            /* WANT_ROWS of collocates: the windows too (NULL for n-grams); WANT_PLACES: the nodes */
    /* WANT_PLACES: the text segmented, and where each node is in it (start, end); WANT_SPANS: the text */
    const Py_UCS4 *text;
    Py_ssize_t text_len;
    Py_ssize_t *places;
    Py_ssize_t places_len, places_cap;
    /* WANT_PLACES with `exact` (kwic_rows): the filters keep a token as it is or drop it, so a token that
     * is no node word is skipped before the table; node_lengths (bit n for a word of n code points, bit
     * 63 for 63 or more) and node_firsts (bit c % 64 of each word's first code point) skip most of them
     * without a lookup. */
    int exact;
    uint64_t node_lengths, node_firsts;
    /* scratch */
    double *rv;
    int32_t *rx;
    Py_ssize_t route_cap;
    unsigned char *back;     /* Viterbi: 4 per position */
    Py_ssize_t back_cap;
    Py_UCS4 *buf;            /* all mode's eng_buf */
    Py_ssize_t buf_len, buf_cap;
    /* where in call->text (when set) eng_buf's first piece starts and its last ends: its characters
     * are pieces of the text in order, but may skip those of a dictionary word between them */
    Py_ssize_t buf_first, buf_end;
    /* posseg */
    PosScratch *pos;
    unsigned char *pback;    /* the Viterbi's back pointers, a row of states per position */
    Py_ssize_t pback_cap;
    Py_UCS4 *tagged;         /* a token word/tag */
    Py_ssize_t tagged_cap;
} Call;

static int rows_end_line(Call *call);
static int rows_add(Call *call, Py_ssize_t id);
static int token_kept(Call *call, Py_ssize_t id);

/* Where a token s[0:n] is in call->text, as [*start, *end): all mode's eng_buf spans from its first
 * piece to its last (`buf_first`, `buf_end`); any other token is a piece of the text. */
static void
token_place(const Call *call, const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t *start, Py_ssize_t *end)
{
    if (s == call->buf) {
        *start = call->buf_first;
        *end = call->buf_end;
    }
    else {
        *start = s - call->text;
        *end = *start + n;
    }
}

/* One token of jieba's, in order.  `space` marks the whitespace tokens of
 * re_skip_default (dropped by counting; a line feed ends an n-gram line). */
static int
emit_token(Call *call, const Py_UCS4 *s, Py_ssize_t n, int space)
{
    switch (call->want) {
    case WANT_COUNTS:
        if (space || n == 0)
            return 0;
        return table_add(&call->tokens, s, n, 1) < 0 ? -1 : 0;
    case WANT_LIST: {
        Py_ssize_t id = table_add(&call->tokens, s, n, 0);
        if (id < 0)
            return -1;
        PyObject *str = entry_str(&call->tokens, &call->tokens.entries[id]);
        return str == NULL ? -1 : PyList_Append(call->list, str);
    }
    case WANT_PLACES: {
        if (space || n == 0)
            return 0;
        if (call->exact &&
            (!(call->node_lengths >> (n < 63 ? n : 63) & 1) || !(call->node_firsts >> (s[0] & 63) & 1) ||
             table_find(&call->win->nodes, s, n) < 0))
            return 0;
        Py_ssize_t id = table_add(&call->tokens, s, n, 0);
        if (id < 0)
            return -1;
        int kept = token_kept(call, id);
        if (kept <= 0 || call->tokens.entries[id].node < 0)
            return kept < 0 ? -1 : 0;
        if (grow((void **)&call->places, &call->places_cap, call->places_len + 2, sizeof(Py_ssize_t)) < 0)
            return -1;
        token_place(call, s, n, &call->places[call->places_len], &call->places[call->places_len + 1]);
        call->places_len += 2;
        return 0;
    }
    case WANT_SPANS: {
        if (space || n == 0)
            return 0;
        Py_ssize_t id = table_add(&call->tokens, s, n, 0), start, end;
        if (id < 0)
            return -1;
        PyObject *str = entry_str(&call->tokens, &call->tokens.entries[id]);
        if (str == NULL)
            return -1;
        token_place(call, s, n, &start, &end);
        PyObject *span = Py_BuildValue("(Onn)", str, start, end);
        int rc = span == NULL ? -1 : PyList_Append(call->list, span);
        Py_XDECREF(span);
        return rc;
    }
    default:
        if (space) {
            for (Py_ssize_t i = 0; i < n; i++) {
                if (s[i] == '\n')
                    return rows_end_line(call);
            }
            return 0;
        }
        if (n == 0)
            return 0;
        Py_ssize_t id = table_add(&call->tokens, s, n, 0);
        return id < 0 ? -1 : rows_add(call, id);
    }
}

/* A token of cut(); in search mode, its dictionary 2- and 3-grams first. */
static int
emit_word(Call *call, const Py_UCS4 *s, Py_ssize_t n, int space)
{
    if (call->seg->mode == MODE_SEARCH && n > 2) {
        const DictionaryObject *d = call->seg->dict;
        for (Py_ssize_t i = 0; i + 2 <= n; i++) {
            if (trie_positive(d, s + i, 2) && emit_token(call, s + i, 2, 0) < 0)
                return -1;
        }
        if (n > 3) {
            for (Py_ssize_t i = 0; i + 3 <= n; i++) {
                if (trie_positive(d, s + i, 3) && emit_token(call, s + i, 3, 0) < 0)
                    return -1;
            }
        }
    }
    return emit_token(call, s, n, space);
}

/* finalseg.__cut over a run of n >= 2 characters of U+4E00..U+9FD5, each
 * word through Force_Split_Words. */
static int
emit_force_checked(Call *call, const Py_UCS4 *s, Py_ssize_t n)
{
    PyObject *force = call->seg->force;
    if (n > 1 && force != NULL && PySet_GET_SIZE(force) > 0) {
        PyObject *word = units_to_str(s, n);
        if (word == NULL)
            return -1;
        int found = PySet_Contains(force, word);
        Py_DECREF(word);
        if (found < 0)
            return -1;
        if (found) {
            for (Py_ssize_t i = 0; i < n; i++) {
                if (emit_word(call, s + i, 1, 0) < 0)
                    return -1;
            }
            return 0;
        }
    }
    return emit_word(call, s, n, 0);
}

static int
viterbi_words(Call *call, const Py_UCS4 *obs, Py_ssize_t n)
{
    const SegmenterObject *seg = call->seg;
    const double *t = seg->trans;
    const double t_eb = t[0], t_sb = t[1], t_mm = t[2], t_bm = t[3];
    const double t_ss = t[4], t_es = t[5], t_be = t[6], t_me = t[7];
    if (grow((void **)&call->back, &call->back_cap, 4 * n, 1) < 0)
        return -1;
    unsigned char *back = call->back;
    const double *e = seg->emit + 4 * (obs[0] - HAN_FIRST);
    double v_b = seg->start[0] + e[0], v_m = seg->start[1] + e[1];
    double v_e = seg->start[2] + e[2], v_s = seg->start[3] + e[3];
    for (Py_ssize_t i = 1; i < n; i++) {
        e = seg->emit + 4 * (obs[i] - HAN_FIRST);
        double a, b, n_b, n_m, n_e, n_s;
        unsigned char *p = back + 4 * (i - 1); /* B, M, E, S: the previous state */
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
    /* The states, back to front, written over back[4*i]: the walk reads
     * back[4*(i-1) + ...] before it writes back[4*i]. */
    unsigned char state = v_e > v_s ? 'E' : 'S';
    back[4 * (n - 1)] = state;
    for (Py_ssize_t i = n - 1; i > 0; i--) {
        int index = state == 'B' ? 0 : state == 'M' ? 1 : state == 'E' ? 2 : 3;
        state = back[4 * (i - 1) + index];
        back[4 * (i - 1)] = state;
    }
    Py_ssize_t begin = 0, next = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned char pos = back[4 * i];
        if (pos == 'B') {
            begin = i;
        }
        else if (pos == 'E') {
            if (emit_force_checked(call, obs + begin, i + 1 - begin) < 0)
                return -1;
            next = i + 1;
        }
        else if (pos == 'S') {
            if (emit_force_checked(call, obs + i, 1) < 0)
                return -1;
            next = i + 1;
        }
    }
    if (next < n)
        return emit_force_checked(call, obs + next, n - next);
    return 0;
}

/* finalseg.cut(s): Han runs through the HMM, the rest split by
 * ([a-zA-Z0-9]+(?:\.\d+)?%?), empty pieces dropped.  s holds block
 * characters only. */
static int
finalseg_cut(Call *call, const Py_UCS4 *s, Py_ssize_t n)
{
    Py_ssize_t i = 0;
    while (i < n) {
        if (is_han(s[i])) {
            Py_ssize_t j = run_end(s, i, n, is_han, 1);
            int rc = j - i == 1 ? emit_force_checked(call, s + i, 1) : viterbi_words(call, s + i, j - i);
            if (rc < 0)
                return -1;
            i = j;
            continue;
        }
        /* a non-Han stretch: matches of re_skip, and the pieces between them */
        Py_ssize_t end = run_end(s, i, n, is_han, 0);
        Py_ssize_t piece = i, j = i;
        while (j < end) {
            if (!is_ascii_alnum(s[j])) {
                j++;
                continue;
            }
            Py_ssize_t m = run_end(s, j, end, is_ascii_alnum, 1);
            if (m + 1 < end && s[m] == '.' && is_ascii_digit(s[m + 1]))
                m = run_end(s, m + 2, end, is_ascii_digit, 1);
            if (m < end && s[m] == '%')
                m++;
            if (j > piece && emit_word(call, s + piece, j - piece, 0) < 0)
                return -1;
            if (emit_word(call, s + j, m - j, 0) < 0)
                return -1;
            piece = j = m;
        }
        if (end > piece && emit_word(call, s + piece, end - piece, 0) < 0)
            return -1;
        i = end;
    }
    return 0;
}

/* Tokenizer.calc: route[idx] = max((log(FREQ[b[idx:x+1]] or 1) - logtotal
 * + route[x+1][0], x) for x in DAG[idx]), the DAG walked on the way. */
static int
calc_route(Call *call, const Py_UCS4 *b, Py_ssize_t n)
{
    if (n + 1 > call->route_cap) {
        Py_ssize_t cap = 256;
        while (cap < n + 1)
            cap *= 2;
        double *rv = PyMem_Realloc(call->rv, cap * sizeof(double));
        if (rv != NULL)
            call->rv = rv;
        int32_t *rx = PyMem_Realloc(call->rx, cap * sizeof(int32_t));
        if (rx != NULL)
            call->rx = rx;
        if (rv == NULL || rx == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        call->route_cap = cap;
    }
    const DictionaryObject *d = call->seg->dict;
    const double logtotal = d->logtotal;
    double *rv = call->rv;
    int32_t *rxs = call->rx;
    rv[n] = 0.0;
    rxs[n] = 0;
    for (Py_ssize_t idx = n - 1; idx >= 0; idx--) {
        double best = 0.0;
        Py_ssize_t best_x = -1;
        int32_t node = 0;
        for (Py_ssize_t i = idx; i < n; i++) {
            const Step *step = trie_step(d, node, b[i]);
            if (!(step->flags & STEP_PRESENT))
                break;
            node = step->child;
            if (step->flags & STEP_POSITIVE) {
                double v = step->logf - logtotal + rv[i + 1];
                if (best_x < 0 || v >= best) { /* a tie goes to the larger x */
                    best = v;
                    best_x = i;
                }
            }
        }
        if (best_x < 0) { /* DAG[idx] = [idx], FREQ.get(b[idx]) or 1 = 1 */
            best = 0.0 - logtotal + rv[idx + 1];
            best_x = idx;
        }
        rv[idx] = best;
        rxs[idx] = (int32_t)best_x;
    }
    return 0;
}

/* the end of __cut_DAG's buffer b[start:end] */
static int
flush_buffer(Call *call, const Py_UCS4 *b, Py_ssize_t start, Py_ssize_t end)
{
    Py_ssize_t n = end - start;
    if (n == 1)
        return emit_word(call, b + start, 1, 0);
    if (n < 1)
        return 0;
    if (!trie_positive(call->seg->dict, b + start, n))
        return finalseg_cut(call, b + start, n);
    for (Py_ssize_t i = start; i < end; i++) {
        if (emit_word(call, b + i, 1, 0) < 0)
            return -1;
    }
    return 0;
}

static int
cut_dag(Call *call, const Py_UCS4 *b, Py_ssize_t n)
{
    if (calc_route(call, b, n) < 0)
        return -1;
    const int32_t *rx = call->rx;
    Py_ssize_t x = 0, buf_start = 0, buf_end = 0;
    if (call->seg->hmm) {
        while (x < n) {
            Py_ssize_t y = rx[x] + 1;
            if (y - x == 1) {
                if (buf_end == buf_start)
                    buf_start = x;
                buf_end = y;
            }
            else {
                if (flush_buffer(call, b, buf_start, buf_end) < 0)
                    return -1;
                buf_start = buf_end = 0;
                if (emit_word(call, b + x, y - x, 0) < 0)
                    return -1;
            }
            x = y;
        }
        return flush_buffer(call, b, buf_start, buf_end);
    }
    /* __cut_DAG_NO_HMM: single ASCII letters and digits glued together */
    while (x < n) {
        Py_ssize_t y = rx[x] + 1;
        if (y - x == 1 && is_ascii_alnum(b[x])) {
            if (buf_end == buf_start)
                buf_start = x;
            buf_end = y;
        }
        else {
            if (buf_end > buf_start && emit_word(call, b + buf_start, buf_end - buf_start, 0) < 0)
                return -1;
            buf_start = buf_end = 0;
            if (emit_word(call, b + x, y - x, 0) < 0)
                return -1;
        }
        x = y;
    }
    if (buf_end > buf_start)
        return emit_word(call, b + buf_start, buf_end - buf_start, 0);
    return 0;
}

static int
eng_append(Call *call, const Py_UCS4 *s, Py_ssize_t n)
{
    if (grow((void **)&call->buf, &call->buf_cap, call->buf_len + n, sizeof(Py_UCS4)) < 0)
        return -1;
    if (call->text != NULL) {
        if (call->buf_len == 0)
            call->buf_first = s - call->text;
        call->buf_end = s + n - call->text;
    }
    memcpy(call->buf + call->buf_len, s, n * sizeof(Py_UCS4));
    call->buf_len += n;
    return 0;
}

/* __cut_all */
static int
cut_all_block(Call *call, const Py_UCS4 *b, Py_ssize_t n)
{
    const DictionaryObject *d = call->seg->dict;
    Py_ssize_t old_j = -1;
    int eng_scan = 0;
    call->buf_len = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        if (eng_scan && !is_ascii_alnum(b[k])) {
            eng_scan = 0;
            if (emit_token(call, call->buf, call->buf_len, 0) < 0)
                return -1;
        }
        /* DAG[k]: its first end, and whether it has more than one */
        Py_ssize_t first = -1, count = 0;
        int32_t node = 0;
        for (Py_ssize_t i = k; i < n; i++) {
            const Step *step = trie_step(d, node, b[i]);
            if (!(step->flags & STEP_PRESENT))
                break;
            node = step->child;
            if (step->flags & STEP_POSITIVE) {
                if (count++ == 0)
                    first = i;
            }
        }
        if (count == 0) {
            first = k;
            count = 1;
        }
        if (count == 1 && k > old_j) {
            Py_ssize_t len = first + 1 - k;
            if (is_ascii_alnum(b[k])) {
                if (!eng_scan) {
                    eng_scan = 1;
                    call->buf_len = 0;
                }
                if (eng_append(call, b + k, len) < 0)
                    return -1;
            }
            if (!eng_scan && emit_token(call, b + k, len, 0) < 0)
                return -1;
            old_j = first;
        }
        else {
            node = 0;
            for (Py_ssize_t i = k; i < n; i++) {
                const Step *step = trie_step(d, node, b[i]);
                if (!(step->flags & STEP_PRESENT))
                    break;
                node = step->child;
                if ((step->flags & STEP_POSITIVE) && i > k) {
                    if (emit_token(call, b + k, i + 1 - k, 0) < 0)
                        return -1;
                    old_j = i;
                }
            }
        }
    }
    if (eng_scan)
        return emit_token(call, call->buf, call->buf_len, 0);
    return 0;
}

/* Text between blocks: re_skip_default.split, whitespace tokens as they
 * are; the rest one token per character (accurate, search) or whole, empty
 * pieces included (all). */
static int
cut_between(Call *call, const Py_UCS4 *s, Py_ssize_t n)
{
    int all = call->seg->mode == MODE_ALL;
    Py_ssize_t i = 0, piece = 0;
    for (;;) {
        Py_ssize_t sep = 0;
        if (i < n) {
            if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
                sep = 2;
            else if (is_space(s[i]))
                sep = 1;
            else {
                i++;
                continue;
            }
        }
        if (all) {
            if (emit_token(call, s + piece, i - piece, 0) < 0)
                return -1;
        }
        else {
            for (Py_ssize_t c = piece; c < i; c++) {
                if (emit_word(call, s + c, 1, 0) < 0)
                    return -1;
            }
        }
        if (i >= n)
            return 0;
        if (emit_word(call, s + i, sep, 1) < 0)
            return -1;
        i += sep;
        piece = i;
    }
}

#include "_jieba_posseg.c"

/* jieba.cut(text) / cut_for_search(text) / posseg.cut(text), every token to the call. */
static int
segment(Call *call, const Py_UCS4 *s, Py_ssize_t n)
{
    if (call->seg->pos != NULL)
        return pos_segment(call, s, n);
    Py_ssize_t i = 0;
    while (i < n) {
        int block = is_block(s[i]);
        Py_ssize_t j = run_end(s, i, n, is_block, block);
        int rc = !block                          ? cut_between(call, s + i, j - i)
                 : call->seg->mode == MODE_ALL ? cut_all_block(call, s + i, j - i)
                                                 : cut_dag(call, s + i, j - i);
        if (rc < 0)
            return -1;
        i = j;
    }
    return 0;
}

/* ---- n-gram rows -------------------------------------------------------- */

/* With windows: which node a kept token's piece is, if any. */
static inline void
mark_node(Call *call, Entry *x)
{
    if (call->win != NULL)
        x->node = (int32_t)table_find(&call->win->nodes, call->tokens.arena + x->piece_off, x->piece_len);
}

/* Whether token `id` is kept, asking `keep` once per distinct token. */
static int
token_kept(Call *call, Py_ssize_t id)
{
    Entry *x = &call->tokens.entries[id];
    if (x->kept >= 0)
        return x->kept;
    if (call->keep == Py_None) {
        x->kept = 1;
        mark_node(call, x);
        return 1;
    }
    PyObject *str = entry_str(&call->tokens, x);
    if (str == NULL)
        return -1;
    PyObject *piece = PyObject_CallOneArg(call->keep, str);
    if (piece == NULL)
        return -1;
    if (piece == Py_None) {
        x = &call->tokens.entries[id];
        x->kept = 0;
        Py_DECREF(piece);
        Py_CLEAR(x->str);
        return 0;
    }
    if (!PyUnicode_Check(piece)) {
        Py_DECREF(piece);
        PyErr_SetString(PyExc_TypeError, "keep must return a str or None");
        return -1;
    }
    if (piece != str) { /* the filters changed it (lowercase): its units in the arena */
        Py_ssize_t n = PyUnicode_GET_LENGTH(piece);
        if (arena_reserve(&call->tokens, n) < 0 ||
            (n > 0 && PyUnicode_AsUCS4(piece, call->tokens.arena + call->tokens.arena_len, n, 0) == NULL)) {
            Py_DECREF(piece);
            return -1;
        }
        x = &call->tokens.entries[id];
        x->piece_off = call->tokens.arena_len;
        x->piece_len = n;
        call->tokens.arena_len += n;
    }
    Py_DECREF(piece);
    x->kept = 1;
    mark_node(call, x);
    Py_CLEAR(x->str); /* asked once: the table holds no Python object per token */
    return 1;
}

/* A line's kept tokens (with windows): each counted, and the windows of each node in it walked, each
 * position of their union once and the node's own never; then a new line. */
static int
windows_end_line(Call *call)
{
    Windows *w = call->win;
    const uint32_t *line = call->line;
    Py_ssize_t n = call->line_len;
    call->line_len = 0;
    Py_ssize_t found = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (grams_add(&call->grams, line + i, 1) < 0)
            return -1;
    }
    if (n == 0 || grow((void **)&w->node_at, &w->node_at_cap, n, sizeof(int32_t)) < 0 ||
        grow((void **)&w->done, &w->done_cap, n, 1) < 0)
        return n == 0 ? 0 : -1;
    int32_t *node_at = w->node_at;
    for (Py_ssize_t i = 0; i < n; i++) {
        node_at[i] = call->tokens.entries[line[i]].node;
        found += node_at[i] >= 0;
    }
    if (found == 0)
        return 0;
    memset(w->done, 0, (size_t)n);
    Py_ssize_t m = 0; /* the line's pairs, gathered first */
    for (Py_ssize_t p = 0; found > 0 && p < n; p++) {
        int32_t k = node_at[p];
        if (k < 0 || w->done[p])
            continue;
        /* every position of node k from its first: the union of their windows, walked once */
        Py_ssize_t covered = 0, positions = 0;
        for (Py_ssize_t q = p; q < n; q++) {
            if (node_at[q] != k)
                continue;
            w->done[q] = 1;
            found--;
            Py_ssize_t start = q - w->left > covered ? q - w->left : covered;
            Py_ssize_t end = w->right >= n - q ? n : q + w->right + 1;
            if (end > start && grow((void **)&w->keys, &w->keys_cap, m + (end - start), sizeof(uint64_t)) < 0)
                return -1;
            for (Py_ssize_t j = start; j < end; j++) {
                if (node_at[j] == k)
                    continue;
                w->keys[m++] = (uint64_t)(uint32_t)k << 32 | line[j];
                positions++;
            }
            if (end > covered)
                covered = end;
        }
        w->sizes[k] += positions;
    }
    /* The pairs' table is large and each pair lands at a random slot: ask for all the line's slots
     * before counting any, so that their cache misses overlap instead of following one another. */
    for (Py_ssize_t i = 0; i < m; i++)
        __builtin_prefetch(&w->pairs.pairs[(size_t)mix64(w->keys[i]) & w->pairs.mask], 1);
    for (Py_ssize_t i = 0; i < m; i++) {
        uint32_t key[2] = {(uint32_t)(w->keys[i] >> 32), (uint32_t)w->keys[i]};
        if (grams_add(&w->pairs, key, 2) < 0)
            return -1;
    }
    return 0;
}

/* The n-grams of the current run of kept tokens, then a new run. */
static int
rows_end_line(Call *call)
{
    if (call->win != NULL)
        return windows_end_line(call);
    Py_ssize_t len = call->line_len;
    for (int order = call->low; order <= call->high && order <= len; order++) {
        for (Py_ssize_t start = 0; start + order <= len; start++) {
            if (grams_add(&call->grams, call->line + start, order) < 0)
                return -1;
        }
    }
    call->line_len = 0;
    return 0;
}

static int
rows_add(Call *call, Py_ssize_t id)
{
    int kept = token_kept(call, id);
    if (kept < 0)
        return -1;
    if (!kept) /* no n-gram bridges a dropped token; a window skips it */
        return call->win != NULL ? 0 : rows_end_line(call);
    if (grow((void **)&call->line, &call->line_cap, call->line_len + 1, sizeof(uint32_t)) < 0)
        return -1;
    call->line[call->line_len++] = (uint32_t)id;
    return 0;
}

/* The pieces of the n-gram ids[0:n] joined by one space, as code points, into *buf (grown as needed);
 * its length, or -1 on error. */
static Py_ssize_t
row_units(const Table *tokens, const uint32_t *ids, Py_ssize_t n, Py_UCS4 **buf, Py_ssize_t *cap)
{
    Py_ssize_t need = n - 1;
    for (Py_ssize_t k = 0; k < n; k++)
        need += tokens->entries[ids[k]].piece_len;
    if (grow((void **)buf, cap, need, sizeof(Py_UCS4)) < 0)
        return -1;
    Py_ssize_t at = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        const Entry *x = &tokens->entries[ids[k]];
        if (k > 0)
            (*buf)[at++] = ' ';
        memcpy(*buf + at, tokens->arena + x->piece_off, x->piece_len * sizeof(Py_UCS4));
        at += x->piece_len;
    }
    return at;
}

/* The n-gram ids[0:n] as a str. */
static PyObject *
row_str(const Table *tokens, const uint32_t *ids, Py_ssize_t n)
{
    Py_UCS4 *buf = NULL;
    Py_ssize_t cap = 0;
    Py_ssize_t len = row_units(tokens, ids, n, &buf, &cap);
    PyObject *row = len < 0 ? NULL : units_to_str(buf, len);
    PyMem_Free(buf);
    return row;
}

/* counts[row] += count for every n-gram of `grams`: its pieces joined by a space. */
static int
rows_add_to(const Table *tokens, const Grams *grams, PyObject *counts)
{
    Py_ssize_t pos = 0, len;
    uint32_t two[2];
    const uint32_t *ids;
    long long count;
    while (grams_next(grams, &pos, two, &ids, &len, &count)) {
        PyObject *row = row_str(tokens, ids, len);
        int rc = row == NULL ? -1 : add_count(counts, row, count);
        Py_XDECREF(row);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* ---- a table of n-grams held across calls (RowTable) --------------------- */

/* A worker counts the n-grams of every task into one RowTable and turns it
 * into rows once, at the end (or when the memory budget says spill): no
 * Python object per distinct row per task.  Token ids stay valid as long
 * as the table is not emptied; `busy` refuses a table that a call is
 * counting into (a `keep` that calls back). */
typedef struct {
    PyObject_HEAD
    Table tokens;     /* token code points -> id, with the piece the filters make of it */
    Grams grams;      /* n-grams of ids -> count */
    PyObject *keep;   /* None, or piece -> piece or None */
    int low, high;
    Windows *win;     /* the windows of collocates, or NULL */
    int ready;        /* the tables are allocated (not after take() emptied them) */
    int busy;
} RowTableObject;

static PyTypeObject RowTableType;

static void
row_table_empty(RowTableObject *t)
{
    table_free(&t->tokens);
    grams_free(&t->grams);
    if (t->win != NULL) {
        grams_free(&t->win->pairs);
        memset(t->win->sizes, 0, (t->win->n_nodes > 0 ? t->win->n_nodes : 1) * sizeof(long long));
    }
    t->ready = 0;
}

/* Whether `t` can be counted into or read now (allocating its tables if emptied); -1 with an error if
 * not. */
static int
row_table_use(RowTableObject *t)
{
    if (t->busy) {
        PyErr_SetString(PyExc_RuntimeError, "the RowTable is being counted into");
        return -1;
    }
    if (!t->ready) {
        if (table_init(&t->tokens) < 0 || grams_init(&t->grams, t->high <= 2) < 0 ||
            (t->win != NULL && grams_init(&t->win->pairs, 1) < 0)) {
            row_table_empty(t);
            return -1;
        }
        t->ready = 1;
    }
    return 0;
}

static int
check_orders(int low, int high, PyObject *keep)
{
    if (low < 1 || high < low) {
        PyErr_SetString(PyExc_ValueError, "orders must be 1 <= low <= high");
        return -1;
    }
    if (keep != Py_None && !PyCallable_Check(keep)) {
        PyErr_SetString(PyExc_TypeError, "keep must be None or callable");
        return -1;
    }
    return 0;
}

static PyObject *
RowTable_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"low", "high", "keep", "nodes", "left", "right", NULL};
    int low, high;
    PyObject *keep, *nodes = Py_None;
    Py_ssize_t left = 0, right = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "iiO|Onn:RowTable", kwlist, &low, &high, &keep, &nodes,
                                     &left, &right) ||
        check_orders(low, high, keep) < 0)
        return NULL;
    if (nodes != Py_None && (low != 1 || high != 1 || left < 0 || right < 0)) {
        PyErr_SetString(PyExc_ValueError, "windows are of tokens (orders 1..1), at least 0 each side");
        return NULL;
    }
    Windows *win = NULL;
    if (nodes != Py_None && (win = windows_new(nodes, left, right)) == NULL)
        return NULL;
    RowTableObject *self = (RowTableObject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        windows_free(win);
        return NULL;
    }
    self->win = win;
    Py_INCREF(keep);
    self->keep = keep;
    self->low = low;
    self->high = high;
    return (PyObject *)self;
}

static void
RowTable_dealloc(RowTableObject *self)
{
    row_table_empty(self);
    windows_free(self->win);
    Py_XDECREF(self->keep);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static Py_ssize_t
RowTable_len(RowTableObject *self)
{
    return self->ready ? grams_len(&self->grams) : 0;
}

static PyObject *
RowTable_nbytes(RowTableObject *self, void *closure)
{
    Py_ssize_t windows = self->win != NULL ? grams_bytes(&self->win->pairs) : 0;
    return PyLong_FromSsize_t(table_bytes(&self->tokens) + grams_bytes(&self->grams) + windows);
}

/* The UTF-8 of u[0:n] into out (room for 4n bytes): its length, or -1 if it holds a surrogate. */
static Py_ssize_t
utf8_of(const uint32_t *u, Py_ssize_t n, unsigned char *out)
{
    unsigned char *o = out;
    for (Py_ssize_t i = 0; i < n; i++) {
        uint32_t c = u[i];
        if (c < 0x80)
            *o++ = (unsigned char)c;
        else if (c < 0x800) {
            *o++ = (unsigned char)(0xC0 | (c >> 6));
            *o++ = (unsigned char)(0x80 | (c & 0x3F));
        }
        else if (c < 0x10000) {
            if (c >= 0xD800 && c <= 0xDFFF)
                return -1;
            *o++ = (unsigned char)(0xE0 | (c >> 12));
            *o++ = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            *o++ = (unsigned char)(0x80 | (c & 0x3F));
        }
        else {
            *o++ = (unsigned char)(0xF0 | (c >> 18));
            *o++ = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
            *o++ = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            *o++ = (unsigned char)(0x80 | (c & 0x3F));
        }
    }
    return o - out;
}

/* UnicodeEncodeError for the row ids[0:n], which UTF-8 cannot encode (encoding it raises it). */
static void
raise_unencodable(const Table *tokens, const uint32_t *ids, Py_ssize_t n)
{
    PyObject *row = row_str(tokens, ids, n);
    if (row != NULL) {
        PyObject *utf8 = PyUnicode_AsUTF8String(row);
        Py_DECREF(row);
        if (utf8 != NULL) { /* not reached: the row holds a surrogate */
            Py_DECREF(utf8);
            PyErr_SetString(PyExc_SystemError, "a row's UTF-8 was refused and then made");
        }
    }
}

/* The key of a window row as code points into *buf (grown as needed): U+FFFF, a space, the node's
 * index and, for o (id not NO_ID), a space and the token's piece; R's key has no piece.  Its length, or
 * -1 on error. */
static Py_ssize_t
window_key(const Table *tokens, uint32_t k, uint32_t id, Py_UCS4 **buf, Py_ssize_t *cap)
{
    char digits[16];
    int nd = snprintf(digits, sizeof digits, "%u", (unsigned)k);
    Py_ssize_t piece = id == NO_ID ? 0 : tokens->entries[id].piece_len;
    Py_ssize_t need = 2 + nd + (id == NO_ID ? 0 : 1 + piece);
    if (grow((void **)buf, cap, need, sizeof(Py_UCS4)) < 0)
        return -1;
    Py_UCS4 *b = *buf;
    Py_ssize_t at = 0;
    b[at++] = 0xFFFF;
    b[at++] = ' ';
    for (int i = 0; i < nd; i++)
        b[at++] = (Py_UCS4)digits[i];
    if (id != NO_ID) {
        b[at++] = ' ';
        memcpy(b + at, tokens->arena + tokens->entries[id].piece_off, piece * sizeof(Py_UCS4));
        at += piece;
    }
    return at;
}

/* The window rows one by one, from *pos = 0 on (o of every (node, token), then R of every node seen):
 * 1 with the next one's key (into *buf) and count, 0 when there are no more, -1 on error. */
static int
windows_next(const Table *tokens, const Windows *w, Py_ssize_t *pos, Py_UCS4 **buf, Py_ssize_t *cap,
             Py_ssize_t *len, long long *count)
{
    uint32_t two[2];
    const uint32_t *ids;
    Py_ssize_t n;
    if (*pos >= 0) {
        if (grams_next(&w->pairs, pos, two, &ids, &n, count)) {
            *len = window_key(tokens, ids[0], ids[1], buf, cap);
            return *len < 0 ? -1 : 1;
        }
        *pos = -1; /* then the nodes: -1 - k */
    }
    for (Py_ssize_t k = -1 - *pos; k < w->n_nodes; k++) {
        if (w->sizes[k] == 0)
            continue;
        *pos = -2 - k;
        *count = w->sizes[k];
        *len = window_key(tokens, (uint32_t)k, NO_ID, buf, cap);
        return *len < 0 ? -1 : 1;
    }
    *pos = -1 - w->n_nodes;
    return 0;
}

/* The window rows as a pack's keys and counts (each key's UTF-8 after its length), in new memory;
 * UnicodeEncodeError for a key UTF-8 cannot encode. */
static int
windows_take(const Table *tokens, const Windows *w, unsigned char **keys, Py_ssize_t *keys_len,
             int64_t **counts, Py_ssize_t *rows)
{
    Py_UCS4 *buf = NULL;
    Py_ssize_t cap = 0, len, keys_cap = 0, counts_cap = 0, pos = 0;
    long long count;
    int rc;
    *keys = NULL;
    *counts = NULL;
    *keys_len = *rows = 0;
    while ((rc = windows_next(tokens, w, &pos, &buf, &cap, &len, &count)) > 0) {
        if (grow((void **)keys, &keys_cap, *keys_len + 4 + 4 * len, 1) < 0 ||
            grow((void **)counts, &counts_cap, *rows + 1, sizeof(int64_t)) < 0)
            goto fail;
        Py_ssize_t bytes = utf8_of(buf, len, *keys + *keys_len + 4);
        if (bytes < 0) { /* a lone surrogate: encoding the key raises the error */
            PyObject *key = units_to_str(buf, len);
            PyObject *utf8 = key == NULL ? NULL : PyUnicode_AsUTF8String(key);
            Py_XDECREF(key);
            if (utf8 != NULL) {
                Py_DECREF(utf8);
                PyErr_SetString(PyExc_SystemError, "a window row's UTF-8 was refused and then made");
            }
            goto fail;
        }
        uint32_t n32 = (uint32_t)bytes;
        memcpy(*keys + *keys_len, &n32, sizeof n32);
        *keys_len += 4 + bytes;
        (*counts)[(*rows)++] = count;
    }
    if (rc < 0)
        goto fail;
    PyMem_Free(buf);
    return 0;
fail:
    PyMem_Free(buf);
    PyMem_Free(*keys);
    PyMem_Free(*counts);
    *keys = NULL;
    *counts = NULL;
    return -1;
}

PyDoc_STRVAR(RowTable_take_doc,
"take() -> (keys, counts)\n\n"
"The rows held, and the table emptied: each row's UTF-8 after its length\n"
"(uint32, native order), and the counts (int64, native order), as a pack\n"
"of wordfreq.packed but in no order, and a row may come more than once\n"
"(two tokens the filters make one piece).  Raises UnicodeEncodeError (the\n"
"table left as it was) for a row UTF-8 cannot encode, OverflowError for a\n"
"row beyond 4 GiB.");

static PyObject *
RowTable_take(RowTableObject *self, PyObject *unused)
{
    if (row_table_use(self) < 0)
        return NULL;
    const Table *tokens = &self->tokens;
    const Grams *grams = &self->grams;
    Py_ssize_t pos, n;
    uint32_t two[2];
    const uint32_t *ids;
    long long count;
    /* Each piece's UTF-8 once (at[2t] its offset in utf8, at[2t + 1] its length, -1 where UTF-8 cannot
     * encode it), then each row is its pieces' bytes joined by spaces. */
    Py_ssize_t *at = PyMem_Malloc((tokens->n + 1) * 2 * sizeof(Py_ssize_t));
    unsigned char *utf8 = PyMem_Malloc(((size_t)tokens->arena_len + 1) * 4);
    PyObject *keys = NULL, *counts = NULL;
    unsigned char *win_keys = NULL;
    int64_t *win_counts = NULL;
    Py_ssize_t win_len = 0, win_rows = 0;
    if (at == NULL || utf8 == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    Py_ssize_t end = 0;
    for (Py_ssize_t t = 0; t < tokens->n; t++) {
        const Entry *x = &tokens->entries[t];
        Py_ssize_t len = x->kept == 1 ? utf8_of(tokens->arena + x->piece_off, x->piece_len, utf8 + end) : 0;
        at[2 * t] = end;
        at[2 * t + 1] = len;
        end += len < 0 ? 0 : len;
    }
    Py_ssize_t size = 0;
    for (pos = 0; grams_next(grams, &pos, two, &ids, &n, &count);) {
        Py_ssize_t len = n - 1;
        for (Py_ssize_t k = 0; k < n; k++) {
            if (at[2 * ids[k] + 1] < 0) {
                raise_unencodable(tokens, ids, n);
                goto fail;
            }
            len += at[2 * ids[k] + 1];
        }
        if ((uint64_t)len > UINT32_MAX) {
            PyErr_SetString(PyExc_OverflowError, "a row is longer than 4 GiB");
            goto fail;
        }
        size += (Py_ssize_t)sizeof(uint32_t) + len;
    }
    if (self->win != NULL && windows_take(tokens, self->win, &win_keys, &win_len, &win_counts, &win_rows) < 0)
        goto fail;
    keys = PyBytes_FromStringAndSize(NULL, size + win_len);
    counts = PyBytes_FromStringAndSize(NULL, (grams_len(grams) + win_rows) * (Py_ssize_t)sizeof(int64_t));
    if (keys == NULL || counts == NULL)
        goto fail;
    char *k = PyBytes_AS_STRING(keys);
    char *c = PyBytes_AS_STRING(counts);
    for (pos = 0; grams_next(grams, &pos, two, &ids, &n, &count);) {
        char *row = k + sizeof(uint32_t);
        for (Py_ssize_t i = 0; i < n; i++) {
            if (i > 0)
                *row++ = ' ';
            Py_ssize_t len = at[2 * ids[i] + 1];
            memcpy(row, utf8 + at[2 * ids[i]], (size_t)len);
            row += len;
        }
        uint32_t len = (uint32_t)(row - k - sizeof(uint32_t));
        memcpy(k, &len, sizeof len);
        k = row;
        int64_t value = count;
        memcpy(c, &value, sizeof value);
        c += sizeof value;
    }
    if (win_rows > 0) {
        memcpy(k, win_keys, (size_t)win_len);
        memcpy(c, win_counts, (size_t)win_rows * sizeof(int64_t));
    }
    PyMem_Free(at);
    PyMem_Free(utf8);
    PyMem_Free(win_keys);
    PyMem_Free(win_counts);
    row_table_empty(self);
    return Py_BuildValue("(NN)", keys, counts);
fail:
    PyMem_Free(at);
    PyMem_Free(utf8);
    PyMem_Free(win_keys);
    PyMem_Free(win_counts);
    Py_XDECREF(keys);
    Py_XDECREF(counts);
    return NULL;
}

PyDoc_STRVAR(RowTable_add_to_doc,
"add_to(counts) -> None\n\n"
"counts[row] += count for every row held (counts a dict, e.g. a Counter),\n"
"and the table emptied: one str per row; what take() cannot pack goes so.");

static PyObject *
RowTable_add_to(RowTableObject *self, PyObject *args)
{
    PyObject *counts;
    if (!PyArg_ParseTuple(args, "O!:add_to", &PyDict_Type, &counts) || row_table_use(self) < 0)
        return NULL;
    self->busy = 1; /* a row's hash or comparison may run Python code */
    int rc = rows_add_to(&self->tokens, &self->grams, counts);
    if (rc == 0 && self->win != NULL) {
        Py_UCS4 *buf = NULL;
        Py_ssize_t cap = 0, len, pos = 0;
        long long count;
        while ((rc = windows_next(&self->tokens, self->win, &pos, &buf, &cap, &len, &count)) > 0) {
            PyObject *key = units_to_str(buf, len);
            rc = key == NULL ? -1 : add_count(counts, key, count);
            Py_XDECREF(key);
            if (rc < 0)
                break;
        }
        PyMem_Free(buf);
    }
    self->busy = 0;
    if (rc < 0)
        return NULL;
    row_table_empty(self);
    Py_RETURN_NONE;
}

static PyMethodDef RowTable_methods[] = {
    {"take", (PyCFunction)RowTable_take, METH_NOARGS, RowTable_take_doc},
    {"add_to", (PyCFunction)RowTable_add_to, METH_VARARGS, RowTable_add_to_doc},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef RowTable_getset[] = {
    {"nbytes", (getter)RowTable_nbytes, NULL, "the memory the table holds, in bytes", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PySequenceMethods RowTable_as_sequence = {
    .sq_length = (lenfunc)RowTable_len,
};

static PyTypeObject RowTableType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "wordfreq.tokenizers._jieba.RowTable",
    .tp_doc = "RowTable(low, high, keep, nodes=None, left=0, right=0): the word n-grams of orders\n"
              "low..high of many texts, counted by Segmenter.count_rows and held in C until take() or\n"
              "add_to(); keep as for add_rows.  With nodes (a sequence of str, orders 1..1): the tokens\n"
              "and the windows of collocates, rows keyed '\\uffff k' (R of nodes[k]) and '\\uffff k\n"
              "piece' (o), a line's dropped pieces skipped (wordfreq/analyses/collocates.py).",
    .tp_basicsize = sizeof(RowTableObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = RowTable_new,
    .tp_dealloc = (destructor)RowTable_dealloc,
    .tp_methods = RowTable_methods,
    .tp_getset = RowTable_getset,
    .tp_as_sequence = &RowTable_as_sequence,
};

/* ---- the Segmenter type --------------------------------------------------- */

static int
call_init(Call *call, SegmenterObject *seg, int want)
{
    memset(call, 0, sizeof(*call));
    call->seg = seg;
    call->want = want;
    if (table_init(&call->tokens) < 0)
        return -1;
    return 0;
}

static void
call_free(Call *call)
{
    table_free(&call->tokens);
    grams_free(&call->grams);
    PyMem_Free(call->line);
    PyMem_Free(call->rv);
    PyMem_Free(call->rx);
    PyMem_Free(call->back);
    PyMem_Free(call->buf);
    PyMem_Free(call->pos);
    PyMem_Free(call->pback);
    PyMem_Free(call->tagged);
    PyMem_Free(call->places);
}

static int
segment_text(Call *call, PyObject *text)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (n == 0)
        return 0;
    if (n >= INT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "a text of 2**31 characters or more, cut it into chunks");
        return -1;
    }
    Py_UCS4 *s = PyUnicode_AsUCS4Copy(text);
    if (s == NULL)
        return -1;
    if (call->want == WANT_SPANS) {
        call->text = s;
        call->text_len = n;
    }
    int rc = segment(call, s, n);
    call->text = NULL;
    PyMem_Free(s);
    return rc;
}

PyDoc_STRVAR(add_counts_doc,
"add_counts(text, counts) -> None\n\n"
"Add to counts (a dict, e.g. a Counter) the count of each token of text that\n"
"is not whitespace: Counter(p for t in tokens for p in t.split()) of jieba's\n"
"tokens.  One str is made per distinct token.");

static PyObject *
Segmenter_add_counts(SegmenterObject *self, PyObject *args)
{
    PyObject *text, *counts;
    if (!PyArg_ParseTuple(args, "UO!:add_counts", &text, &PyDict_Type, &counts))
        return NULL;
    Call call;
    PyObject *result = NULL;
    if (call_init(&call, self, WANT_COUNTS) < 0 || segment_text(&call, text) < 0)
        goto done;
    for (Py_ssize_t e = 0; e < call.tokens.n; e++) {
        Entry *x = &call.tokens.entries[e];
        PyObject *str = entry_str(&call.tokens, x);
        if (str == NULL || add_count(counts, str, x->count) < 0)
            goto done;
    }
    result = Py_None;
    Py_INCREF(result);
done:
    call_free(&call);
    return result;
}

PyDoc_STRVAR(tokenize_doc,
"tokenize(text) -> list\n\n"
"Exactly list(jieba.cut(text, ...)) (or cut_for_search) for this\n"
"segmenter's mode and HMM setting: every token in order, whitespace tokens\n"
"(and, in all mode, the empty pieces between them) included.");

/* The list of a text's tokens (WANT_LIST) or pairs (WANT_PAIRS). */
static PyObject *
segment_to_list(SegmenterObject *self, PyObject *text, int want)
{
    Call call;
    PyObject *list = NULL;
    if (call_init(&call, self, want) < 0)
        goto done;
    call.list = list = PyList_New(0);
    if (list == NULL || segment_text(&call, text) < 0)
        Py_CLEAR(list);
done:
    call_free(&call);
    return list;
}

static PyObject *
Segmenter_tokenize(SegmenterObject *self, PyObject *args)
{
    PyObject *text;
    if (!PyArg_ParseTuple(args, "U:tokenize", &text))
        return NULL;
    return segment_to_list(self, text, WANT_LIST);
}

PyDoc_STRVAR(places_doc,
"places(text) -> list\n\n"
"The tokens of tokenize(text) that are neither whitespace nor empty, in the\n"
"same order, each as (token, start, end): where it is in text.  A token is\n"
"text[start:end], but for all mode's run of ASCII letters and digits (jieba's\n"
"eng_buf), which joins the single pieces of a run in order and skips those\n"
"inside a longer dictionary word ('xQQy' with QQ in the dictionary: QQ, then\n"
"xy): start is where its first piece starts, end where its last ends.");

static PyObject *
Segmenter_places(SegmenterObject *self, PyObject *args)
{
    PyObject *text;
    if (!PyArg_ParseTuple(args, "U:places", &text))
        return NULL;
    if (self->pos != NULL) {
        PyErr_SetString(PyExc_ValueError, "places of tagged words: use tag");
        return NULL;
    }
    return segment_to_list(self, text, WANT_SPANS);
}

PyDoc_STRVAR(tag_doc,
"tag(text) -> list\n\n"
"Exactly [tuple(p) for p in jieba.posseg.cut(text, HMM=hmm)]: every (word,\n"
"tag) pair in order, whitespace included, whatever the tag filter.  Only for\n"
"a segmenter made with pos.");

static PyObject *
Segmenter_tag(SegmenterObject *self, PyObject *args)
{
    PyObject *text;
    if (!PyArg_ParseTuple(args, "U:tag", &text))
        return NULL;
    if (self->pos == NULL) {
        PyErr_SetString(PyExc_ValueError, "this segmenter does not tag (made without pos)");
        return NULL;
    }
    return segment_to_list(self, text, WANT_PAIRS);
}

PyDoc_STRVAR(add_rows_doc,
"add_rows(text, low, high, keep, counts) -> None\n\n"
"Add to counts the word n-grams of every order low..high of text, line by\n"
"line: a row is n consecutive pieces (tokens that are not whitespace) joined\n"
"by one space.  keep is None (every piece kept) or a function called once\n"
"per distinct token, returning the piece to use (e.g. lowercased) or None to\n"
"drop it; no n-gram spans a dropped piece or a line feed.");

static PyObject *
Segmenter_add_rows(SegmenterObject *self, PyObject *args)
{
    PyObject *text, *keep, *counts;
    int low, high;
    if (!PyArg_ParseTuple(args, "UiiOO!:add_rows", &text, &low, &high, &keep, &PyDict_Type, &counts))
        return NULL;
    if (check_orders(low, high, keep) < 0)
        return NULL;
    Call call;
    PyObject *result = NULL;
    if (call_init(&call, self, WANT_ROWS) < 0)
        goto done;
    call.keep = keep;
    call.low = low;
    call.high = high;
    if (grams_init(&call.grams, high <= 2) < 0 || segment_text(&call, text) < 0 || rows_end_line(&call) < 0 ||
        rows_add_to(&call.tokens, &call.grams, counts) < 0)
        goto done;
    result = Py_None;
    Py_INCREF(result);
done:
    call_free(&call);
    return result;
}

/* A call that counts into `table`'s own tables, lent for the call (table_given_back after it). */
static void
table_lent(Call *call, SegmenterObject *seg, int want, RowTableObject *table)
{
    memset(call, 0, sizeof(*call));
    call->seg = seg;
    call->want = want;
    call->keep = table->keep;
    call->low = table->low;
    call->high = table->high;
    call->win = table->win;
    call->tokens = table->tokens;
    call->grams = table->grams;
    table->busy = 1;
}

static void
table_given_back(Call *call, RowTableObject *table)
{
    table->tokens = call->tokens;
    table->grams = call->grams;
    table->busy = 0;
    memset(&call->tokens, 0, sizeof(Table));
    memset(&call->grams, 0, sizeof(Grams));
}

PyDoc_STRVAR(count_rows_doc,
"count_rows(text, table) -> None\n\n"
"Add the word n-grams of text to table (a RowTable), as add_rows adds them\n"
"to a dict, with the table's orders and keep.  Nothing becomes a Python\n"
"object: the table holds token ids across calls.  On an error the table\n"
"holds part of the text's rows.");

static PyObject *
Segmenter_count_rows(SegmenterObject *self, PyObject *args)
{
    PyObject *text;
    RowTableObject *table;
    if (!PyArg_ParseTuple(args, "UO!:count_rows", &text, &RowTableType, &table) || row_table_use(table) < 0)
        return NULL;
    Call call;
    table_lent(&call, self, WANT_ROWS, table);
    int rc = segment_text(&call, text);
    if (rc == 0)
        rc = rows_end_line(&call);
    table_given_back(&call, table);
    call_free(&call);
    if (rc < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* A growing run of bytes. */
typedef struct {
    unsigned char *b;
    Py_ssize_t len, cap;
} Bytes;

/* A cell of a TSV row: u[0:n] in UTF-8, control characters (U+0000..U+001F, U+007F) as spaces and
 * U+DC80..U+DCFF as the bytes they stand for (Python's surrogateescape); 0, or -1 with an error (a
 * lone surrogate surrogateescape cannot write: UnicodeEncodeError). */
static int
put_cell(Bytes *out, const Py_UCS4 *u, Py_ssize_t n)
{
    if (grow((void **)&out->b, &out->cap, out->len + 4 * n + 1, 1) < 0)
        return -1;
    unsigned char *o = out->b + out->len;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = u[i];
        if (c < 0x20 || c == 0x7F) {
            *o++ = ' ';
        }
        else if (c >= 0xDC80 && c <= 0xDCFF) {
            *o++ = (unsigned char)(c - 0xDC00);
        }
        else if (c >= 0xD800 && c <= 0xDFFF) {
            PyObject *text = units_to_str(u + i, 1);
            if (text != NULL) {
                PyObject *utf8 = PyUnicode_AsEncodedString(text, "utf-8", "surrogateescape");
                Py_XDECREF(utf8); /* not made: the error is raised */
                Py_DECREF(text);
            }
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_UnicodeError, "a lone surrogate");
            return -1;
        }
        else if (c < 0x80) {
            *o++ = (unsigned char)c;
        }
        else if (c < 0x800) {
            *o++ = (unsigned char)(0xC0 | (c >> 6));
            *o++ = (unsigned char)(0x80 | (c & 0x3F));
        }
        else if (c < 0x10000) {
            *o++ = (unsigned char)(0xE0 | (c >> 12));
            *o++ = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            *o++ = (unsigned char)(0x80 | (c & 0x3F));
        }
        else {
            *o++ = (unsigned char)(0xF0 | (c >> 18));
            *o++ = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
            *o++ = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            *o++ = (unsigned char)(0x80 | (c & 0x3F));
        }
    }
    out->len = o - out->b;
    return 0;
}

static int
put_byte(Bytes *out, unsigned char c)
{
    if (grow((void **)&out->b, &out->cap, out->len + 1, 1) < 0)
        return -1;
    out->b[out->len++] = c;
    return 0;
}

static int
place_order(const void *a, const void *b)
{
    const Py_ssize_t *x = a, *y = b;
    return x[0] != y[0] ? (x[0] > y[0]) - (x[0] < y[0]) : (x[1] > y[1]) - (x[1] < y[1]);
}

/* The rows of the places call->places in s[0:n], which starts at line `line` of the text, in order of
 * place (all mode's come out of order: its eng_buf after the words inside it): each row's cells
 * appended to *cells, its line (a walk of s counting line feeds) to *lines. */
static int
kwic_cells(Call *call, const Py_UCS4 *s, Py_ssize_t n, int64_t line, Py_ssize_t width, Bytes *cells,
           Bytes *lines)
{
    Py_ssize_t rows = call->places_len / 2;
    if (call->seg->mode == MODE_ALL && rows > 1)
        qsort(call->places, rows, 2 * sizeof(Py_ssize_t), place_order);
    Py_ssize_t scanned = 0, line_start = 0, line_end = -1;
    if (grow((void **)&lines->b, &lines->cap, lines->len + rows * (Py_ssize_t)sizeof(int64_t), 1) < 0)
        return -1;
    for (Py_ssize_t r = 0; r < rows; r++) {
        Py_ssize_t start = call->places[2 * r], end = call->places[2 * r + 1];
        for (; scanned < start; scanned++) {
            if (s[scanned] == '\n') {
                line++;
                line_start = scanned + 1;
            }
        }
        if (line_end < start) {
            line_end = end;
            while (line_end < n && s[line_end] != '\n')
                line_end++;
        }
        Py_ssize_t left = start - line_start > width ? start - width : line_start;
        Py_ssize_t right = line_end - end > width ? end + width : line_end;
        if (put_byte(cells, '\t') < 0 || put_cell(cells, s + left, start - left) < 0 ||
            put_byte(cells, '\t') < 0 || put_cell(cells, s + start, end - start) < 0 ||
            put_byte(cells, '\t') < 0 || put_cell(cells, s + end, right - end) < 0 || put_byte(cells, '\n') < 0)
            return -1;
        memcpy(lines->b + lines->len, &line, sizeof line);
        lines->len += sizeof line;
    }
    call->places_len = 0;
    return 0;
}

/* The rows of the lines of `text` that hold a needle (a tuple of non-empty str), each line segmented
 * alone (its code points copied to *units, grown as needed): the needles found by Python's own search
 * (PyUnicode_Find), and no copy of the whole text made. */
static int
kwic_needled(Call *call, PyObject *text, PyObject *needles, Py_ssize_t width, Py_UCS4 **units,
             Py_ssize_t *units_cap, Bytes *cells, Bytes *lines)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), k = PyTuple_GET_SIZE(needles);
    Py_ssize_t *next = PyMem_Calloc(k > 0 ? k : 1, sizeof(Py_ssize_t));
    int rc = -1, kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    if (next == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t j = 0; j < k; j++) {
        PyObject *w = PyTuple_GET_ITEM(needles, j);
        if (!PyUnicode_Check(w) || PyUnicode_GET_LENGTH(w) == 0) {
            PyErr_SetString(PyExc_TypeError, "needles must be a tuple of non-empty str");
            goto done;
        }
        next[j] = -1; /* where needle j is next (n: nowhere), valid while it is >= at */
    }
    Py_ssize_t at = 0; /* always the start of a line not looked at yet */
    int64_t line = 0;  /* its number */
    while (at < n) {
        Py_ssize_t hit = n;
        for (Py_ssize_t j = 0; j < k; j++) {
            if (next[j] < at) {
                next[j] = PyUnicode_Find(text, PyTuple_GET_ITEM(needles, j), at, n, 1);
                if (next[j] == -2)
                    goto done;
                if (next[j] < 0)
                    next[j] = n;
            }
            if (next[j] < hit)
                hit = next[j];
        }
        if (hit >= n)
            break;
        Py_ssize_t start = at, end = PyUnicode_FindChar(text, '\n', hit, n, 1);
        if (end == -2)
            goto done;
        if (end < 0)
            end = n;
        /* the lines before the hit's: each line feed from at on */
        for (Py_ssize_t i = at;; i = start) {
            Py_ssize_t feed = PyUnicode_FindChar(text, '\n', i, hit, 1);
            if (feed == -2)
                goto done;
            if (feed < 0)
                break;
            line++;
            start = feed + 1;
        }
        if (grow((void **)units, units_cap, end - start + 1, sizeof(Py_UCS4)) < 0)
            goto done;
        for (Py_ssize_t i = start; i < end; i++)
            (*units)[i - start] = PyUnicode_READ(kind, data, i);
        call->text = *units;
        call->text_len = end - start;
        if (segment(call, *units, end - start) < 0 ||
            kwic_cells(call, *units, end - start, line, width, cells, lines) < 0)
            goto done;
        line++;
        at = end + 1;
    }
    rc = 0;
done:
    PyMem_Free(next);
    return rc;
}

PyDoc_STRVAR(kwic_rows_doc,
"kwic_rows(text, table, width, needles=None, exact=False) -> (cells, lines)\n\n"
"The concordance of the nodes of table (a RowTable made with nodes; its keep\n"
"applies) in text, segmented as tokenize(text) (accurate or all mode, no tags):\n"
"for each kept token that is a node, in order of place (as places(text) has\n"
"it), the TSV cells after a row's\n"
"source and line, '\\tleft\\tnode\\tright\\n' (width characters each side, never\n"
"past a line feed; control characters as spaces; UTF-8 with surrogateescape),\n"
"in cells; and the 0-based index of its line in text (int64, native order), in\n"
"lines.  UnicodeEncodeError for a context with a lone surrogate U+D800..U+DC7F\n"
"or U+DD00..U+DFFF.\n\n"
"needles (a tuple of non-empty str): only the lines that hold one of them are\n"
"segmented, each alone (jieba never makes a token across a line feed): the\n"
"caller's word that a line without it cannot hold a node (in all mode, not so\n"
"for a word that starts with an ASCII letter or digit: see places).  exact: the caller's\n"
"word that keep returns each token as it is or None (no lowercasing), so a\n"
"token that is not a node word is no node and skips the table.");

static PyObject *
Segmenter_kwic_rows(SegmenterObject *self, PyObject *args)
{
    PyObject *text, *needles = Py_None;
    RowTableObject *table;
    Py_ssize_t width;
    int exact = 0;
    if (!PyArg_ParseTuple(args, "UO!n|Op:kwic_rows", &text, &RowTableType, &table, &width, &needles, &exact))
        return NULL;
    if (needles != Py_None && !PyTuple_Check(needles)) {
        PyErr_SetString(PyExc_TypeError, "needles must be a tuple of non-empty str, or None");
        return NULL;
    }
    if (self->pos != NULL || self->mode == MODE_SEARCH || table->win == NULL || width < 0) {
        PyErr_SetString(PyExc_ValueError,
                        "kwic_rows needs the accurate or all mode without tags, a table with nodes, a width >= 0");
        return NULL;
    }
    if (row_table_use(table) < 0)
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (n >= INT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "a text of 2**31 characters or more, cut it into chunks");
        return NULL;
    }
    Windows *w = table->win;
    Call call;
    table_lent(&call, self, WANT_PLACES, table); /* a token's filters and node are asked once */
    call.exact = exact;
    const Table *nodes = &w->nodes;
    for (Py_ssize_t i = 0; i < nodes->n; i++) {
        const Entry *x = &nodes->entries[i];
        call.node_lengths |= (uint64_t)1 << (x->len < 63 ? x->len : 63);
        if (x->len > 0)
            call.node_firsts |= (uint64_t)1 << (nodes->arena[x->off] & 63);
    }
    /* The cells and lines are written into the table's scratch, kept from call to call: a worker's
     * tasks reuse the same memory rather than ask the system for fresh pages each time. */
    Bytes cells = {w->cells, 0, w->cells_cap}, lines = {w->lines, 0, w->lines_cap};
    Py_UCS4 *s = NULL;
    int rc = 0;
    if (n > 0 && needles != Py_None) {
        rc = kwic_needled(&call, text, needles, width, &w->units, &w->units_cap, &cells, &lines);
    }
    else if (n > 0) {
        s = PyUnicode_AsUCS4Copy(text);
        call.text = s;
        call.text_len = n;
        rc = s == NULL || segment(&call, s, n) < 0 || kwic_cells(&call, s, n, 0, width, &cells, &lines) < 0 ? -1 : 0;
    }
    table_given_back(&call, table);
    w->cells = cells.b;
    w->cells_cap = cells.cap;
    w->lines = lines.b;
    w->lines_cap = lines.cap;
    PyObject *result = NULL;
    if (rc == 0)
        result = Py_BuildValue("(y#y#)", cells.b != NULL ? (const char *)cells.b : "", cells.len,
                               lines.b != NULL ? (const char *)lines.b : "", lines.len);
    PyMem_Free(s);
    call_free(&call);
    return result;
}

/* The number of `name` in the tuple `tags`, or -1 with ValueError. */
static int
tag_index(PyObject *tags, const char *name)
{
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(tags); k++) {
        if (PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(tags, k), name) == 0)
            return (int)k;
    }
    PyErr_Format(PyExc_ValueError, "the tags lack %s", name);
    return -1;
}

/* pos = (model, tags, node_tags, keep, with_tags): this segmenter is jieba.posseg's. */
static int
segmenter_set_pos(SegmenterObject *self, PyObject *pos)
{
    PyObject *model, *tags;
    Py_buffer node_tags, keep;
    int with_tags;
    if (!PyArg_ParseTuple(pos, "O!O!y*y*p:pos", &PosModelType, &model, &PyTuple_Type, &tags, &node_tags, &keep,
                          &with_tags))
        return -1;
    int rc = -1;
    const PosModelObject *m = (const PosModelObject *)model;
    Py_ssize_t n_tags = PyTuple_GET_SIZE(tags), n_model = PyTuple_GET_SIZE(m->tags);
    if (self->mode != MODE_ACCURATE) {
        PyErr_SetString(PyExc_ValueError, "posseg has the accurate mode only");
        goto done;
    }
    if (n_tags < n_model || n_tags >= POS_NO_TAG || keep.len != n_tags ||
        node_tags.len != self->dict->n_nodes * (Py_ssize_t)sizeof(uint16_t)) {
        PyErr_SetString(PyExc_ValueError, "pos: tags, node_tags or keep of the wrong size");
        goto done;
    }
    Py_ssize_t units = 0;
    for (Py_ssize_t k = 0; k < n_tags; k++) {
        PyObject *tag = PyTuple_GET_ITEM(tags, k);
        if (!PyUnicode_Check(tag)) {
            PyErr_SetString(PyExc_TypeError, "tags must be str");
            goto done;
        }
        if (k < n_model) {
            int same = PyObject_RichCompareBool(tag, PyTuple_GET_ITEM(m->tags, k), Py_EQ);
            if (same <= 0) {
                if (same == 0)
                    PyErr_SetString(PyExc_ValueError, "tags must begin with the model's tags");
                goto done;
            }
        }
        units += PyUnicode_GET_LENGTH(tag);
    }
    const uint16_t *nt = node_tags.buf;
    for (Py_ssize_t k = 0; k < self->dict->n_nodes; k++) {
        if (nt[k] != POS_NO_TAG && nt[k] >= n_tags) {
            PyErr_SetString(PyExc_ValueError, "node_tags: a tag number out of range");
            goto done;
        }
    }
    self->node_tags = PyMem_Malloc(node_tags.len + 1);
    self->tag_keep = PyMem_Malloc(n_tags + 1);
    self->tag_units = PyMem_Malloc((units + 1) * sizeof(Py_UCS4));
    self->tag_at = PyMem_Malloc((n_tags + 1) * sizeof(Py_ssize_t));
    self->tag_len = PyMem_Malloc((n_tags + 1) * sizeof(Py_ssize_t));
    if (self->node_tags == NULL || self->tag_keep == NULL || self->tag_units == NULL || self->tag_at == NULL ||
        self->tag_len == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    memcpy(self->node_tags, node_tags.buf, node_tags.len);
    memcpy(self->tag_keep, keep.buf, n_tags);
    units = 0;
    for (Py_ssize_t k = 0; k < n_tags; k++) {
        PyObject *tag = PyTuple_GET_ITEM(tags, k);
        Py_ssize_t len = PyUnicode_GET_LENGTH(tag);
        if (len > 0 && PyUnicode_AsUCS4(tag, self->tag_units + units, len, 0) == NULL)
            goto done;
        self->tag_at[k] = units;
        self->tag_len[k] = len;
        units += len;
    }
    if ((self->tag_x = tag_index(tags, "x")) < 0 || (self->tag_m = tag_index(tags, "m")) < 0 ||
        (self->tag_eng = tag_index(tags, "eng")) < 0)
        goto done;
    Py_INCREF(model);
    self->pos = (PosModelObject *)model;
    Py_INCREF(tags);
    self->tags = tags;
    self->with_tags = with_tags;
    rc = 0;
done:
    PyBuffer_Release(&node_tags);
    PyBuffer_Release(&keep);
    return rc;
}

static PyObject *
Segmenter_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"dictionary", "emit", "start", "trans", "force_split", "mode", "hmm", "pos", NULL};
    PyObject *dict, *force, *pos = Py_None;
    Py_buffer emit;
    double start[4], trans[8];
    const char *mode;
    int hmm;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!y*(dddd)(dddddddd)O!sp|O:Segmenter", kwlist,
                                     &DictionaryType, &dict, &emit, &start[0], &start[1], &start[2],
                                     &start[3], &trans[0], &trans[1], &trans[2], &trans[3], &trans[4],
                                     &trans[5], &trans[6], &trans[7], &PySet_Type, &force, &mode, &hmm, &pos))
        return NULL;
    int mode_code = strcmp(mode, "accurate") == 0 ? MODE_ACCURATE
                    : strcmp(mode, "all") == 0    ? MODE_ALL
                    : strcmp(mode, "search") == 0 ? MODE_SEARCH
                                                  : -1;
    if (mode_code < 0 || emit.len != (Py_ssize_t)sizeof(double) * 4 * HAN_COUNT) {
        PyBuffer_Release(&emit);
        PyErr_SetString(PyExc_ValueError,
                        mode_code < 0 ? "mode must be accurate, all or search"
                                      : "emit must hold 4 doubles for every code point U+4E00..U+9FD5");
        return NULL;
    }
    SegmenterObject *self = (SegmenterObject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        PyBuffer_Release(&emit);
        return NULL;
    }
    self->emit = PyMem_Malloc(emit.len);
    if (self->emit == NULL) {
        PyBuffer_Release(&emit);
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    memcpy(self->emit, emit.buf, emit.len);
    PyBuffer_Release(&emit);
    memcpy(self->start, start, sizeof(start));
    memcpy(self->trans, trans, sizeof(trans));
    Py_INCREF(dict);
    self->dict = (DictionaryObject *)dict;
    Py_INCREF(force);
    self->force = force;
    self->mode = mode_code;
    self->hmm = hmm;
    if (pos != Py_None && segmenter_set_pos(self, pos) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

static void
Segmenter_dealloc(SegmenterObject *self)
{
    Py_XDECREF(self->dict);
    Py_XDECREF(self->force);
    Py_XDECREF(self->pos);
    Py_XDECREF(self->tags);
    PyMem_Free(self->node_tags);
    PyMem_Free(self->tag_keep);
    PyMem_Free(self->tag_units);
    PyMem_Free(self->tag_at);
    PyMem_Free(self->tag_len);
    PyMem_Free(self->emit);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef Segmenter_methods[] = {
    {"add_counts", (PyCFunction)Segmenter_add_counts, METH_VARARGS, add_counts_doc},
    {"tokenize", (PyCFunction)Segmenter_tokenize, METH_VARARGS, tokenize_doc},
    {"places", (PyCFunction)Segmenter_places, METH_VARARGS, places_doc},
    {"tag", (PyCFunction)Segmenter_tag, METH_VARARGS, tag_doc},
    {"add_rows", (PyCFunction)Segmenter_add_rows, METH_VARARGS, add_rows_doc},
    {"count_rows", (PyCFunction)Segmenter_count_rows, METH_VARARGS, count_rows_doc},
    {"kwic_rows", (PyCFunction)Segmenter_kwic_rows, METH_VARARGS, kwic_rows_doc},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject SegmenterType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "wordfreq.tokenizers._jieba.Segmenter",
    .tp_doc = "Segmenter(dictionary, emit, start, trans, force_split, mode, hmm, pos=None): jieba's cut in one\n"
              "mode; with pos = (PosModel, tags, node_tags, keep, with_tags), jieba.posseg's cut (see\n"
              "jieba_posseg.py).",
    .tp_basicsize = sizeof(SegmenterObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = Segmenter_new,
    .tp_dealloc = (destructor)Segmenter_dealloc,
    .tp_methods = Segmenter_methods,
};

/* ---- the module --------------------------------------------------------- */

static PyMethodDef methods[] = {
    {"dictionary_from_freq", dictionary_from_freq, METH_VARARGS, dictionary_from_freq_doc},
    {"dictionary_from_file", dictionary_from_file, METH_VARARGS, dictionary_from_file_doc},
    {"dictionary_from_image", dictionary_from_image, METH_VARARGS, dictionary_from_image_doc},
    {"char_classes", char_classes, METH_NOARGS, char_classes_doc},
    {"word_tags", word_tags, METH_VARARGS, word_tags_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "wordfreq.tokenizers._jieba", "jieba 0.42.1's segmentation, compiled.", -1,
    methods,
};

PyMODINIT_FUNC
PyInit__jieba(void)
{
    if (PyType_Ready(&DictionaryType) < 0 || PyType_Ready(&SegmenterType) < 0 ||
        PyType_Ready(&RowTableType) < 0 || PyType_Ready(&PosModelType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&DictionaryType);
    Py_INCREF(&SegmenterType);
    Py_INCREF(&RowTableType);
    Py_INCREF(&PosModelType);
    if (PyModule_AddObject(m, "PosModel", (PyObject *)&PosModelType) < 0 ||
        PyModule_AddStringConstant(m, "IMAGE_FORMAT", IMAGE_MAGIC) < 0 ||
        PyModule_AddObject(m, "Dictionary", (PyObject *)&DictionaryType) < 0 ||
        PyModule_AddObject(m, "Segmenter", (PyObject *)&SegmenterType) < 0 ||
        PyModule_AddObject(m, "RowTable", (PyObject *)&RowTableType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
