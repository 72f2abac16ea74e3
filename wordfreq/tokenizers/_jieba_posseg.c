/* wordfreq.tokenizers._jieba, part two: jieba.posseg (0.42.1), compiled.
 *
 * #included by _jieba.c after its segmenting code, whose trie, route
 * (calc_route), Call and emit_token it uses.  It owns:
 *
 *   - PosModel: posseg's HMM (prob_start, prob_trans, prob_emit,
 *     char_state_tab) over its (state, tag) pairs, each pair numbered in the
 *     order of Python's tuples, so that comparing numbers is comparing the
 *     tuples, as viterbi()'s max((prob, state) ...) does on a tie;
 *   - word_tags: jieba's word_tag_tab (load_word_tag over the main
 *     dictionary file, then the user dictionary's tags), as one tag number
 *     per trie node;
 *   - posseg's cut: its blocks (re_han_internal, without jieba.cut's % and
 *     -), __cut_DAG with its buffers through __cut_detail and viterbi(),
 *     __cut_DAG_NO_HMM (single ASCII letters and digits glued as 'eng'),
 *     and the text between blocks (whitespace, then one 'x' per character).
 *
 * The Viterbi computes exactly what posseg/viterbi.py does: V[0][y] =
 * start[y] + emit[y](c); then, from the previous states that have a
 * transition, the states of char_state_tab met with those reachable (all
 * reachable ones if none), each (V[y0] + trans[y0][y]) + emit[y](c),
 * maximised over y0 with ties to the larger y0.  A candidate whose
 * transition is missing is -inf, which never wins where a finite one exists
 * (always, since every state kept is reachable), so only the transitions
 * that exist are walked: for each state y wanted, the bits of its
 * predecessors met with the previous states (two 256-bit masks), each
 * transition read from a matrix by target.  A step after a character
 * missing from char_state_tab has some 60 states on either side; walking
 * the transitions from each previous state took half as long again.
 */

#define POS_MAX_STATES 256
#define POS_WORDS (POS_MAX_STATES / 64)
#define POS_NO_TAG 0xFFFF
#define POS_MIN_FLOAT (-3.14e100) /* posseg.viterbi.MIN_FLOAT: an emission its tables lack */

typedef struct {
    uint64_t w[POS_WORDS];
} StateSet;

static inline int
set_has(const StateSet *s, int y)
{
    return (s->w[y >> 6] >> (y & 63)) & 1;
}

static inline void
set_add(StateSet *s, int y)
{
    s->w[y >> 6] |= (uint64_t)1 << (y & 63);
}

static inline int
set_empty(const StateSet *s)
{
    uint64_t any = 0;
    for (int k = 0; k < POS_WORDS; k++)
        any |= s->w[k];
    return any == 0;
}

static inline int
lowest_bit(uint64_t b)
{
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_ctzll(b);
#else
    int i = 0;
    while (!(b & 1)) {
        b >>= 1;
        i++;
    }
    return i;
#endif
}

/* The states of `s` in increasing order: for (y = set_first(s, &it, &bits); y >= 0; y = set_next(...)) */
typedef struct {
    int word;
    uint64_t bits;
} SetIter;

static inline int
set_next(const StateSet *s, SetIter *it)
{
    while (it->bits == 0) {
        if (++it->word >= POS_WORDS)
            return -1;
        it->bits = s->w[it->word];
    }
    int y = it->word * 64 + lowest_bit(it->bits);
    it->bits &= it->bits - 1;
    return y;
}

static inline SetIter
set_iter(const StateSet *s)
{
    SetIter it = {0, s->w[0]};
    return it;
}

struct PosModelObject {
    PyObject_HEAD
    int n_states;
    unsigned char letter[POS_MAX_STATES]; /* 'B', 'M', 'E' or 'S' */
    uint16_t tag[POS_MAX_STATES];         /* the state's tag, a number into `tags` */
    double start[POS_MAX_STATES];
    StateSet all;                         /* every state (trans_p.keys()) */
    StateSet live;                        /* the states with a transition */
    StateSet reach[POS_MAX_STATES];       /* the states each one has a transition to */
    StateSet into[POS_MAX_STATES];        /* the states that have a transition to each one */
    double *trans_into; /* [y * 256 + y0]: the transition y0 -> y, where into[y] has y0 (a row per target:
                         * 8% quicker than the rows packed by rank, on HMM-heavy text) */
    int32_t *emit_at; /* the emissions of Han character c: emit_state/emit_p[emit_at[c]..emit_at[c+1]] */
    uint16_t *emit_state;
    double *emit_p;
    int32_t *char_set; /* char_state_tab: Han character c's states are char_sets[char_set[c]], -1: none */
    StateSet *char_sets;
    PyObject *tags; /* tuple of str */
};

static PyTypeObject PosModelType;

/* A buffer holding `count` items of `item` bytes, or -1 with ValueError naming `what`. */
static int
check_buffer(const Py_buffer *b, Py_ssize_t item, Py_ssize_t count, const char *what)
{
    if (b->len != item * count) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd bytes, got %zd", what, item * count, b->len);
        return -1;
    }
    return 0;
}

static PyObject *
PosModel_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"letters",    "state_tags", "start",     "tags",       "trans_from",
                             "trans_to",   "trans_p",    "emit_state", "emit_char", "emit_p",
                             "char_char",  "char_state", NULL};
    Py_buffer letters, state_tags, start, tf, tt, tp, es, ec, ep, cc, cst;
    PyObject *tags;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "y*y*y*O!y*y*y*y*y*y*y*y*:PosModel", kwlist, &letters,
                                     &state_tags, &start, &PyTuple_Type, &tags, &tf, &tt, &tp, &es, &ec, &ep,
                                     &cc, &cst))
        return NULL;
    Py_buffer *all[] = {&letters, &state_tags, &start, &tf, &tt, &tp, &es, &ec, &ep, &cc, &cst};
    PosModelObject *m = NULL;
    int ns = (int)letters.len;
    Py_ssize_t n_tags = PyTuple_GET_SIZE(tags);
    Py_ssize_t nt = tf.len / 2, ne = es.len / 2, nc = cc.len / 4;
    if (ns < 1 || ns > POS_MAX_STATES) {
        PyErr_SetString(PyExc_ValueError, "between 1 and 256 states");
        goto done;
    }
    for (Py_ssize_t k = 0; k < n_tags; k++) {
        if (!PyUnicode_Check(PyTuple_GET_ITEM(tags, k))) {
            PyErr_SetString(PyExc_TypeError, "tags must be str");
            goto done;
        }
    }
    if (check_buffer(&state_tags, 2, ns, "state_tags") < 0 || check_buffer(&start, 8, ns, "start") < 0 ||
        check_buffer(&tf, 2, nt, "trans_from") < 0 || check_buffer(&tt, 2, nt, "trans_to") < 0 ||
        check_buffer(&tp, 8, nt, "trans_p") < 0 || check_buffer(&es, 2, ne, "emit_state") < 0 ||
        check_buffer(&ec, 4, ne, "emit_char") < 0 || check_buffer(&ep, 8, ne, "emit_p") < 0 ||
        check_buffer(&cc, 4, nc, "char_char") < 0 || check_buffer(&cst, 2, nc, "char_state") < 0)
        goto done;
    const uint16_t *stag = state_tags.buf, *tfrom = tf.buf, *tto = tt.buf, *estate = es.buf, *cstate = cst.buf;
    const uint32_t *echar = ec.buf, *cchar = cc.buf;
    for (int y = 0; y < ns; y++) {
        unsigned char l = ((unsigned char *)letters.buf)[y];
        if ((l != 'B' && l != 'M' && l != 'E' && l != 'S') || stag[y] >= n_tags) {
            PyErr_SetString(PyExc_ValueError, "a state is a letter of BMES and a tag");
            goto done;
        }
    }
    for (Py_ssize_t k = 0; k < nt; k++) {
        if (tfrom[k] >= ns || tto[k] >= ns) {
            PyErr_SetString(PyExc_ValueError, "a transition between unknown states");
            goto done;
        }
    }
    for (Py_ssize_t k = 0; k < ne; k++) {
        if (estate[k] >= ns || !is_han(echar[k])) {
            PyErr_SetString(PyExc_ValueError, "an emission of an unknown state or of no Han character");
            goto done;
        }
    }
    for (Py_ssize_t k = 0; k < nc; k++) {
        if (cstate[k] >= ns || !is_han(cchar[k])) {
            PyErr_SetString(PyExc_ValueError, "char_state_tab: an unknown state or no Han character");
            goto done;
        }
    }
    m = (PosModelObject *)type->tp_alloc(type, 0);
    if (m == NULL)
        goto done;
    m->n_states = ns;
    memcpy(m->letter, letters.buf, ns);
    memcpy(m->tag, stag, ns * sizeof(uint16_t));
    memcpy(m->start, start.buf, ns * sizeof(double));
    Py_INCREF(tags);
    m->tags = tags;
    m->trans_into = PyMem_Calloc((size_t)POS_MAX_STATES * POS_MAX_STATES, sizeof(double));
    m->emit_at = PyMem_Calloc(HAN_COUNT + 1, sizeof(int32_t));
    m->emit_state = PyMem_Malloc((ne + 1) * sizeof(uint16_t));
    m->emit_p = PyMem_Malloc((ne + 1) * sizeof(double));
    m->char_set = PyMem_Malloc(HAN_COUNT * sizeof(int32_t));
    m->char_sets = PyMem_Calloc(HAN_COUNT, sizeof(StateSet));
    if (m->trans_into == NULL || m->emit_at == NULL || m->emit_state == NULL ||
        m->emit_p == NULL || m->char_set == NULL || m->char_sets == NULL) {
        PyErr_NoMemory();
        Py_CLEAR(m);
        goto done;
    }
    for (int y = 0; y < ns; y++)
        set_add(&m->all, y);
    /* transitions: who reaches whom, and their probabilities by target (a later one of the same pair, which
     * a Python dict cannot hold, would replace the earlier) */
    for (Py_ssize_t k = 0; k < nt; k++) {
        set_add(&m->reach[tfrom[k]], tto[k]);
        set_add(&m->into[tto[k]], tfrom[k]);
        set_add(&m->live, tfrom[k]);
        m->trans_into[(size_t)tto[k] * POS_MAX_STATES + tfrom[k]] = ((const double *)tp.buf)[k];
    }
    /* emissions, grouped by character */
    for (Py_ssize_t k = 0; k < ne; k++)
        m->emit_at[echar[k] - HAN_FIRST + 1]++;
    for (int c = 0; c < HAN_COUNT; c++)
        m->emit_at[c + 1] += m->emit_at[c];
    int32_t *fill = PyMem_Malloc(HAN_COUNT * sizeof(int32_t));
    if (fill == NULL) {
        PyErr_NoMemory();
        Py_CLEAR(m);
        goto done;
    }
    memcpy(fill, m->emit_at, HAN_COUNT * sizeof(int32_t));
    for (Py_ssize_t k = 0; k < ne; k++) {
        int32_t at = fill[echar[k] - HAN_FIRST]++;
        m->emit_state[at] = estate[k];
        m->emit_p[at] = ((const double *)ep.buf)[k];
    }
    PyMem_Free(fill);
    for (int c = 0; c < HAN_COUNT; c++)
        m->char_set[c] = -1;
    for (Py_ssize_t k = 0; k < nc; k++) {
        int c = (int)(cchar[k] - HAN_FIRST);
        m->char_set[c] = c;
        set_add(&m->char_sets[c], cstate[k]);
    }
done:
    for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++)
        PyBuffer_Release(all[k]);
    return (PyObject *)m;
}

static void
PosModel_dealloc(PosModelObject *m)
{
    Py_XDECREF(m->tags);
    PyMem_Free(m->trans_into);
    PyMem_Free(m->emit_at);
    PyMem_Free(m->emit_state);
    PyMem_Free(m->emit_p);
    PyMem_Free(m->char_set);
    PyMem_Free(m->char_sets);
    Py_TYPE(m)->tp_free((PyObject *)m);
}

static PyObject *
PosModel_tags(PosModelObject *m, void *closure)
{
    Py_INCREF(m->tags);
    return m->tags;
}

static PyGetSetDef PosModel_getset[] = {
    {"tags", (getter)PosModel_tags, NULL, "the model's tags (a tuple of str); states refer to them by number",
     NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject PosModelType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "wordfreq.tokenizers._jieba.PosModel",
    .tp_doc = "PosModel(letters, state_tags, start, tags, trans_from, trans_to, trans_p, emit_state,\n"
              "emit_char, emit_p, char_char, char_state): jieba.posseg's HMM as packed arrays (see\n"
              "jieba_posseg.py); states numbered in the order of their (letter, tag) tuples.",
    .tp_basicsize = sizeof(PosModelObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PosModel_new,
    .tp_dealloc = (destructor)PosModel_dealloc,
    .tp_getset = PosModel_getset,
};

/* ---- word_tag_tab ------------------------------------------------------------ */

/* The number of tag `tag` in `tags` (a list), appended if new; `index` maps tag -> number. */
static int
tag_number(PyObject *tags, PyObject *index, PyObject *tag)
{
    PyObject *found = PyDict_GetItemWithError(index, tag);
    if (found != NULL)
        return (int)PyLong_AsLong(found);
    if (PyErr_Occurred())
        return -1;
    Py_ssize_t n = PyList_GET_SIZE(tags);
    if (n >= POS_NO_TAG) {
        PyErr_SetString(PyExc_ValueError, "more than 65534 tags");
        return -1;
    }
    PyObject *number = PyLong_FromSsize_t(n);
    int rc = number == NULL ? -1 : PyDict_SetItem(index, tag, number);
    Py_XDECREF(number);
    if (rc < 0 || PyList_Append(tags, tag) < 0)
        return -1;
    return (int)n;
}

/* node_tags[the node of s[0:n]] = tag (a word not in the trie has no node: nothing to do). */
static void
set_node_tag(const DictionaryObject *d, uint16_t *node_tags, const Py_UCS4 *s, Py_ssize_t n, int tag)
{
    const Step *step = n > 0 ? trie_find(d, s, n) : &NO_STEP;
    if (step->flags & STEP_PRESENT)
        node_tags[step->child] = (uint16_t)tag;
}

/* The code points of the UTF-8 s[0:n] into out (room for n), as Python's strict decoder takes them:
 * their number, or -1 where it would fail (overlong forms, surrogates, beyond U+10FFFF, cut short). */
static Py_ssize_t
utf8_strict(const char *s, Py_ssize_t n, Py_UCS4 *out)
{
    const unsigned char *u = (const unsigned char *)s;
    Py_ssize_t i = 0, k = 0;
    while (i < n) {
        unsigned c = u[i];
        if (c < 0x80) {
            out[k++] = c;
            i++;
            continue;
        }
        int more;
        unsigned lo = 0x80, hi = 0xBF; /* the range of the second byte */
        if (c >= 0xC2 && c <= 0xDF) {
            more = 1;
            c &= 0x1F;
        }
        else if (c >= 0xE0 && c <= 0xEF) {
            more = 2;
            lo = c == 0xE0 ? 0xA0 : 0x80;
            hi = c == 0xED ? 0x9F : 0xBF;
            c &= 0x0F;
        }
        else if (c >= 0xF0 && c <= 0xF4) {
            more = 3;
            lo = c == 0xF0 ? 0x90 : 0x80;
            hi = c == 0xF4 ? 0x8F : 0xBF;
            c &= 0x07;
        }
        else {
            return -1;
        }
        if (i + more >= n)
            return -1;
        if (u[i + 1] < lo || u[i + 1] > hi)
            return -1;
        for (int j = 1; j <= more; j++) {
            if (j > 1 && (u[i + j] & 0xC0) != 0x80)
                return -1;
            c = (c << 6) | (u[i + j] & 0x3F);
        }
        out[k++] = c;
        i += more + 1;
    }
    return k;
}

typedef struct {
    const char *bytes;
    Py_ssize_t len;
    int number;
} SeenTag;

PyDoc_STRVAR(word_tags_doc,
"word_tags(dictionary, data, extra, tags) -> bytes\n\n"
"jieba.posseg's word_tag_tab for the dictionary built from main dictionary\n"
"file `data` (and a user dictionary): load_word_tag over data (each line\n"
"stripped, decoded as UTF-8, skipped if empty, else exactly `word freq tag`),\n"
"then extra (a dict word -> tag: the user dictionary's tags).  Gives one\n"
"uint16 per trie node: its tag's number in `tags` (a list of str, to which\n"
"new tags are appended), 0xFFFF for none.  Raises ValueError(line number)\n"
"for a line load_word_tag refuses.");

static PyObject *
word_tags(PyObject *module, PyObject *args)
{
    DictionaryObject *d;
    Py_buffer data;
    PyObject *extra, *tags;
    if (!PyArg_ParseTuple(args, "O!y*O!O!:word_tags", &DictionaryType, &d, &data, &PyDict_Type, &extra,
                          &PyList_Type, &tags))
        return NULL;
    PyObject *result = PyBytes_FromStringAndSize(NULL, d->n_nodes * (Py_ssize_t)sizeof(uint16_t));
    PyObject *index = PyDict_New();
    Py_UCS4 *units = NULL;
    Py_ssize_t cap = 0;
    SeenTag seen[256]; /* the tags met so far, by their bytes: no Python object per line */
    int n_seen = 0;
    if (result == NULL || index == NULL)
        goto error;
    uint16_t *node_tags = (uint16_t *)PyBytes_AS_STRING(result);
    memset(node_tags, 0xFF, d->n_nodes * sizeof(uint16_t));
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(tags); k++) {
        PyObject *number = PyLong_FromSsize_t(k);
        int rc = number == NULL ? -1 : PyDict_SetItem(index, PyList_GET_ITEM(tags, k), number);
        Py_XDECREF(number);
        if (rc < 0)
            goto error;
    }
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
        if (a == b)
            continue;
        /* word, _, tag = line.split(" "): exactly two spaces (a byte ' ' is never inside a character) */
        const char *s1 = memchr(a, ' ', b - a);
        const char *s2 = s1 ? memchr(s1 + 1, ' ', b - s1 - 1) : NULL;
        if (s2 == NULL || memchr(s2 + 1, ' ', b - s2 - 1) != NULL)
            goto bad_line;
        /* the whole line must decode (jieba decodes it first): each part does, as ' ' splits no character */
        if (grow((void **)&units, &cap, b - a + 1, sizeof(Py_UCS4)) < 0)
            goto error;
        if (utf8_strict(s1 + 1, s2 - s1 - 1, units) < 0 || utf8_strict(s2 + 1, b - s2 - 1, units) < 0)
            goto bad_line;
        int number = -1;
        for (int k = 0; k < n_seen; k++) {
            if (seen[k].len == b - s2 - 1 && memcmp(seen[k].bytes, s2 + 1, b - s2 - 1) == 0) {
                number = seen[k].number;
                break;
            }
        }
        if (number < 0) {
            PyObject *tag = PyUnicode_DecodeUTF8(s2 + 1, b - s2 - 1, "strict");
            number = tag == NULL ? -1 : tag_number(tags, index, tag);
            Py_XDECREF(tag);
            if (number < 0)
                goto error;
            if (n_seen < (int)(sizeof(seen) / sizeof(seen[0])))
                seen[n_seen++] = (SeenTag){s2 + 1, b - s2 - 1, number};
        }
        Py_ssize_t n = utf8_strict(a, s1 - a, units);
        if (n < 0)
            goto bad_line;
        set_node_tag(d, node_tags, units, n, number);
        continue;
    bad_line:
        PyErr_Clear();
        PyErr_Format(PyExc_ValueError, "line %zd", lineno);
        goto error;
    }
    Py_ssize_t pos = 0;
    PyObject *word, *tag;
    while (PyDict_Next(extra, &pos, &word, &tag)) {
        if (!PyUnicode_Check(word) || !PyUnicode_Check(tag)) {
            PyErr_SetString(PyExc_TypeError, "extra maps str to str");
            goto error;
        }
        int number = tag_number(tags, index, tag);
        Py_ssize_t n = PyUnicode_GET_LENGTH(word);
        if (number < 0 || grow((void **)&units, &cap, n + 1, sizeof(Py_UCS4)) < 0 ||
            PyUnicode_AsUCS4(word, units, cap, 0) == NULL)
            goto error;
        set_node_tag(d, node_tags, units, n, number);
    }
    Py_DECREF(index);
    PyMem_Free(units);
    PyBuffer_Release(&data);
    return result;
error:
    Py_XDECREF(result);
    Py_XDECREF(index);
    PyMem_Free(units);
    PyBuffer_Release(&data);
    return NULL;
}

/* ---- posseg's cut ---------------------------------------------------------- */

/* Scratch of one call's Viterbi: V of the previous and current positions, the emissions of the
 * current character (POS_MIN_FLOAT where the table has none), the best candidate of each state. */
struct PosScratch {
    double v[2][POS_MAX_STATES];
    double e[POS_MAX_STATES];
    double best[POS_MAX_STATES];
    int16_t from[POS_MAX_STATES];
};

/* re_han_internal's class: jieba.cut's blocks without % and - */
static inline int
is_pos_block(Py_UCS4 c)
{
    return is_han(c) || is_ascii_alnum(c) || c == '+' || c == '#' || c == '&' || c == '.' || c == '_';
}

static inline int
is_num_char(Py_UCS4 c)
{
    return c == '.' || is_ascii_digit(c);
}

/* word_tag_tab.get(s[0:n], 'x') */
static inline int
word_tag_of(const SegmenterObject *seg, const Py_UCS4 *s, Py_ssize_t n)
{
    const Step *step = trie_find(seg->dict, s, n);
    if (step->flags & STEP_PRESENT) {
        uint16_t t = seg->node_tags[step->child];
        if (t != POS_NO_TAG)
            return t;
    }
    return seg->tag_x;
}

/* One pair of posseg's, in order: to the list (tag), or as a token through the tag filter (a dropped
 * one ends an n-gram run), `word/tag` or the word. */
static int
pos_emit(Call *call, const Py_UCS4 *s, Py_ssize_t n, int tag, int space)
{
    const SegmenterObject *seg = call->seg;
    if (call->want == WANT_PAIRS) {
        Py_ssize_t id = table_add(&call->tokens, s, n, 0);
        if (id < 0)
            return -1;
        PyObject *word = entry_str(&call->tokens, &call->tokens.entries[id]);
        if (word == NULL)
            return -1;
        PyObject *pair = PyTuple_Pack(2, word, PyTuple_GET_ITEM(seg->tags, tag));
        int rc = pair == NULL ? -1 : PyList_Append(call->list, pair);
        Py_XDECREF(pair);
        return rc;
    }
    if (space)
        return emit_token(call, s, n, 1);
    if (!seg->tag_keep[tag]) /* no n-gram bridges a dropped tag; a window skips it */
        return call->want == WANT_ROWS && call->win == NULL ? rows_end_line(call) : 0;
    if (!seg->with_tags)
        return emit_token(call, s, n, 0);
    Py_ssize_t len = n + 1 + seg->tag_len[tag];
    if (grow((void **)&call->tagged, &call->tagged_cap, len, sizeof(Py_UCS4)) < 0)
        return -1;
    memcpy(call->tagged, s, n * sizeof(Py_UCS4));
    call->tagged[n] = '/';
    memcpy(call->tagged + n + 1, seg->tag_units + seg->tag_at[tag], seg->tag_len[tag] * sizeof(Py_UCS4));
    return emit_token(call, call->tagged, len, 0);
}

static inline void
emissions_set(const PosModelObject *m, double *e, Py_UCS4 c)
{
    for (int32_t k = m->emit_at[c - HAN_FIRST]; k < m->emit_at[c - HAN_FIRST + 1]; k++)
        e[m->emit_state[k]] = m->emit_p[k];
}

static inline void
emissions_clear(const PosModelObject *m, double *e, Py_UCS4 c)
{
    for (int32_t k = m->emit_at[c - HAN_FIRST]; k < m->emit_at[c - HAN_FIRST + 1]; k++)
        e[m->emit_state[k]] = POS_MIN_FLOAT;
}

static inline const StateSet *
char_states(const PosModelObject *m, Py_UCS4 c)
{
    int32_t k = m->char_set[c - HAN_FIRST];
    return k < 0 ? &m->all : &m->char_sets[k];
}

/* posseg's __cut over obs[0:n] (n >= 1 characters of U+4E00..U+9FD5): viterbi(), then the words of
 * its states, each with its last state's tag. */
static int
pos_viterbi(Call *call, const Py_UCS4 *obs, Py_ssize_t n)
{
    const PosModelObject *m = call->seg->pos;
    if (call->pos == NULL) {
        call->pos = PyMem_Malloc(sizeof(PosScratch));
        if (call->pos == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        for (int y = 0; y < POS_MAX_STATES; y++)
            call->pos->e[y] = POS_MIN_FLOAT;
    }
    PosScratch *ps = call->pos;
    if (grow((void **)&call->pback, &call->pback_cap, (n + 1) * POS_MAX_STATES, 1) < 0)
        return -1;
    unsigned char *back = call->pback;
    double *prev = ps->v[0], *cur = ps->v[1];
    StateSet prev_in = *char_states(m, obs[0]);
    emissions_set(m, ps->e, obs[0]);
    SetIter it = set_iter(&prev_in);
    for (int y; (y = set_next(&prev_in, &it)) >= 0;)
        prev[y] = m->start[y] + ps->e[y];
    emissions_clear(m, ps->e, obs[0]);
    for (Py_ssize_t t = 1; t < n; t++) {
        StateSet from, reach = {{0}}, want;
        for (int k = 0; k < POS_WORDS; k++)
            from.w[k] = prev_in.w[k] & m->live.w[k];
        it = set_iter(&from);
        for (int y0; (y0 = set_next(&from, &it)) >= 0;) {
            for (int k = 0; k < POS_WORDS; k++)
                reach.w[k] |= m->reach[y0].w[k];
        }
        const StateSet *here = char_states(m, obs[t]);
        for (int k = 0; k < POS_WORDS; k++)
            want.w[k] = here->w[k] & reach.w[k];
        if (set_empty(&want))
            want = reach;
        if (set_empty(&want)) { /* obs_states = all_states, and max() over no previous state */
            PyErr_SetString(PyExc_ValueError, "max() arg is an empty sequence");
            return -1;
        }
        emissions_set(m, ps->e, obs[t]);
        /* each y's candidates: its predecessors among the previous states, in increasing y0, so that
         * >= gives a tie to the larger y0, as max() does */
        it = set_iter(&want);
        for (int y; (y = set_next(&want, &it)) >= 0;) {
            StateSet both;
            for (int k = 0; k < POS_WORDS; k++)
                both.w[k] = m->into[y].w[k] & from.w[k];
            const double e = ps->e[y];
            const double *into_y = m->trans_into + (size_t)y * POS_MAX_STATES;
            double best = 0.0;
            int best_from = -1;
            for (int k = 0; k < POS_WORDS; k++) {
                for (uint64_t bits = both.w[k]; bits; bits &= bits - 1) {
                    int y0 = k * 64 + lowest_bit(bits);
                    double score = prev[y0] + into_y[y0];
                    score = score + e;
                    if (best_from < 0 || score >= best) {
                        best = score;
                        best_from = y0;
                    }
                }
            }
            ps->best[y] = best;
            ps->from[y] = (int16_t)best_from;
        }
        emissions_clear(m, ps->e, obs[t]);
        unsigned char *bt = back + t * POS_MAX_STATES;
        it = set_iter(&want);
        for (int y; (y = set_next(&want, &it)) >= 0;) {
            cur[y] = ps->best[y];
            bt[y] = (unsigned char)ps->from[y];
        }
        double *swap = prev;
        prev = cur;
        cur = swap;
        prev_in = want;
    }
    int state = -1;
    double best = 0.0;
    it = set_iter(&prev_in);
    for (int y; (y = set_next(&prev_in, &it)) >= 0;) {
        if (state < 0 || prev[y] >= best) {
            best = prev[y];
            state = y;
        }
    }
    /* the route, front to back, in back[0..n-1] (row 0 of back is not used by the walk) */
    unsigned char *route = back + n * POS_MAX_STATES;
    route[n - 1] = (unsigned char)state;
    for (Py_ssize_t t = n - 1; t > 0; t--) {
        state = back[t * POS_MAX_STATES + state];
        route[t - 1] = (unsigned char)state;
    }
    Py_ssize_t begin = 0, next = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned char letter = m->letter[route[i]];
        if (letter == 'B') {
            begin = i;
        }
        else if (letter == 'E') {
            if (pos_emit(call, obs + begin, i + 1 - begin, m->tag[route[i]], 0) < 0)
                return -1;
            next = i + 1;
        }
        else if (letter == 'S') {
            if (pos_emit(call, obs + i, 1, m->tag[route[i]], 0) < 0)
                return -1;
            next = i + 1;
        }
    }
    if (next < n)
        return pos_emit(call, obs + next, n - next, m->tag[route[next]], 0);
    return 0;
}

/* __cut_detail: Han runs through viterbi(), the rest split by ([\.0-9]+|[a-zA-Z0-9]+), a match 'm'
 * when it starts with . or a digit, else 'eng', the pieces between 'x'.  s holds block characters. */
static int
pos_cut_detail(Call *call, const Py_UCS4 *s, Py_ssize_t n)
{
    const SegmenterObject *seg = call->seg;
    Py_ssize_t i = 0;
    while (i < n) {
        if (is_han(s[i])) {
            Py_ssize_t j = run_end(s, i, n, is_han, 1);
            if (pos_viterbi(call, s + i, j - i) < 0)
                return -1;
            i = j;
            continue;
        }
        Py_ssize_t end = run_end(s, i, n, is_han, 0);
        Py_ssize_t piece = i, j = i;
        while (j < end) {
            Py_ssize_t m;
            int tag;
            if (is_num_char(s[j])) {
                m = run_end(s, j, end, is_num_char, 1);
                tag = seg->tag_m;
            }
            else if (is_ascii_alnum(s[j])) {
                m = run_end(s, j, end, is_ascii_alnum, 1);
                tag = seg->tag_eng;
            }
            else {
                j++;
                continue;
            }
            if (j > piece && pos_emit(call, s + piece, j - piece, seg->tag_x, 0) < 0)
                return -1;
            if (pos_emit(call, s + j, m - j, tag, 0) < 0)
                return -1;
            piece = j = m;
        }
        if (end > piece && pos_emit(call, s + piece, end - piece, seg->tag_x, 0) < 0)
            return -1;
        i = end;
    }
    return 0;
}

/* the end of posseg's __cut_DAG buffer b[start:end] */
static int
pos_flush_buffer(Call *call, const Py_UCS4 *b, Py_ssize_t start, Py_ssize_t end)
{
    const SegmenterObject *seg = call->seg;
    Py_ssize_t n = end - start;
    if (n < 1)
        return 0;
    if (n == 1)
        return pos_emit(call, b + start, 1, word_tag_of(seg, b + start, 1), 0);
    if (!trie_positive(seg->dict, b + start, n))
        return pos_cut_detail(call, b + start, n);
    for (Py_ssize_t i = start; i < end; i++) {
        if (pos_emit(call, b + i, 1, word_tag_of(seg, b + i, 1), 0) < 0)
            return -1;
    }
    return 0;
}

/* posseg's __cut_DAG and __cut_DAG_NO_HMM over a block */
static int
pos_cut_dag(Call *call, const Py_UCS4 *b, Py_ssize_t n)
{
    const SegmenterObject *seg = call->seg;
    if (calc_route(call, b, n) < 0)
        return -1;
    const int32_t *rx = call->rx;
    Py_ssize_t x = 0, buf_start = 0, buf_end = 0;
    if (seg->hmm) {
        while (x < n) {
            Py_ssize_t y = rx[x] + 1;
            if (y - x == 1) {
                if (buf_end == buf_start)
                    buf_start = x;
                buf_end = y;
            }
            else {
                if (pos_flush_buffer(call, b, buf_start, buf_end) < 0)
                    return -1;
                buf_start = buf_end = 0;
                if (pos_emit(call, b + x, y - x, word_tag_of(seg, b + x, y - x), 0) < 0)
                    return -1;
            }
            x = y;
        }
        return pos_flush_buffer(call, b, buf_start, buf_end);
    }
    while (x < n) {
        Py_ssize_t y = rx[x] + 1;
        if (y - x == 1 && is_ascii_alnum(b[x])) {
            if (buf_end == buf_start)
                buf_start = x;
            buf_end = y;
        }
        else {
            if (buf_end > buf_start && pos_emit(call, b + buf_start, buf_end - buf_start, seg->tag_eng, 0) < 0)
                return -1;
            buf_start = buf_end = 0;
            if (pos_emit(call, b + x, y - x, word_tag_of(seg, b + x, y - x), 0) < 0)
                return -1;
        }
        x = y;
    }
    if (buf_end > buf_start)
        return pos_emit(call, b + buf_start, buf_end - buf_start, seg->tag_eng, 0);
    return 0;
}

/* Text between posseg's blocks: re_skip_internal.split, whitespace tokens as they are ('x'), every
 * other character one 'x' token. */
static int
pos_cut_between(Call *call, const Py_UCS4 *s, Py_ssize_t n)
{
    const int x = call->seg->tag_x;
    Py_ssize_t i = 0;
    while (i < n) {
        Py_ssize_t sep = 0;
        if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
            sep = 2;
        else if (is_space(s[i]))
            sep = 1;
        if (pos_emit(call, s + i, sep ? sep : 1, x, sep > 0) < 0)
            return -1;
        i += sep ? sep : 1;
    }
    return 0;
}

/* jieba.posseg.cut(text), every pair to the call. */
static int
pos_segment(Call *call, const Py_UCS4 *s, Py_ssize_t n)
{
    Py_ssize_t i = 0;
    while (i < n) {
        int block = is_pos_block(s[i]);
        Py_ssize_t j = run_end(s, i, n, is_pos_block, block);
        int rc = block ? pos_cut_dag(call, s + i, j - i) : pos_cut_between(call, s + i, j - i);
        if (rc < 0)
            return -1;
        i = j;
    }
    return 0;
}
