/* The phrase automaton's pass over a call (``CallContext._scan``) in one C call.
 *
 * An Aho-Corasick automaton over the rulebook's phrases, read in code points straight out of each str
 * (PyUnicode_KIND/DATA: no UTF-8 encoding, no list of matches to unpack), which files every match of every turn
 * under each key of its phrase at once: the dict ``_scan`` builds (the same keys in the same order, the same lists
 * of the same (turn, start, end) tuples in the same order) from daachorse's ``find_overlapping``, whose matches come
 * by where they end, those ending at one place longest first: the order of the output links below.
 *
 * Layout. Each code point of a phrase is a symbol 1..n (0: in no phrase, which sends the automaton home); the BMP is
 * read through a table, the rest through a sorted array. The trie's edges sit in one open-addressing hash table keyed
 * by (state, symbol), the root's in a plain array (most steps start there). ``fail`` is the usual failure link;
 * ``first`` the deepest state on a state's failure chain, itself included, where a phrase ends (0: none), and
 * ``next`` the one after it: following them from ``first`` gives the phrases ending at a place, longest first.
 *
 * Rebuilt from its phrases when pickled or copied (``__reduce__``): building takes well under a millisecond for the
 * default rulebook. Empty and repeated phrases are refused (ValueError; daachorse takes them): the caller then keeps
 * the daachorse path, which never meets them from ``compile_rulebook``. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    uint32_t cp;
    uint32_t sym;
} Astral;

typedef struct {
    PyObject_HEAD
    PyObject *phrases;   /* the tuple it was built from (for __reduce__) */
    PyObject *keys;      /* the keys of each phrase, as given (for __reduce__) */
    Py_ssize_t nphrases;
    /* symbols */
    uint32_t *bmp;       /* 65536: code point -> symbol */
    Astral *astral;      /* code points past the BMP, sorted */
    Py_ssize_t nastral;
    uint32_t nsym;       /* symbols 1..nsym */
    /* states: 0 is the root */
    int32_t nstates;
    int32_t *root_next;  /* symbol -> state (0: none), nsym + 1 */
    uint64_t *edge_key;  /* (state << 32 | symbol), EMPTY when free */
    int32_t *edge_to;
    uint64_t edge_mask;
    int edge_shift;
    int32_t *fail;
    int32_t *pattern;    /* the phrase ending at a state, -1: none */
    int32_t *first;      /* first state on the output chain (0: none) */
    int32_t *next;       /* next state on the output chain (0: none) */
    /* phrases */
    Py_ssize_t *length;  /* characters */
    Py_ssize_t *key_at;  /* phrase i's keys: key_of[key_at[i] .. key_at[i + 1]) */
    int32_t *key_of;
    PyObject **key_obj;  /* distinct keys, owned */
    Py_ssize_t nkeys;
} ScanKernel;

#define EMPTY UINT64_MAX

static inline uint64_t
edge_hash(const ScanKernel *k, uint64_t key)
{
    return (key * 0x9E3779B97F4A7C15ull) >> k->edge_shift;
}

static inline int32_t
edge_get(const ScanKernel *k, int32_t state, uint32_t sym)
{
    uint64_t key = ((uint64_t)(uint32_t)state << 32) | sym;
    uint64_t at = edge_hash(k, key);
    for (;;) {
        uint64_t here = k->edge_key[at];
        if (here == key)
            return k->edge_to[at];
        if (here == EMPTY)
            return -1;
        at = (at + 1) & k->edge_mask;
    }
}

static inline void
edge_put(ScanKernel *k, int32_t state, uint32_t sym, int32_t to)
{
    uint64_t key = ((uint64_t)(uint32_t)state << 32) | sym;
    uint64_t at = edge_hash(k, key);
    while (k->edge_key[at] != EMPTY)
        at = (at + 1) & k->edge_mask;
    k->edge_key[at] = key;
    k->edge_to[at] = to;
}

static inline uint32_t
symbol_of(const ScanKernel *k, Py_UCS4 cp)
{
    if (cp < 65536)
        return k->bmp[cp];
    Py_ssize_t lo = 0, hi = k->nastral;
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
        if (k->astral[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < k->nastral && k->astral[lo].cp == cp ? k->astral[lo].sym : 0;
}

static int
astral_order(const void *a, const void *b)
{
    uint32_t x = ((const Astral *)a)->cp, y = ((const Astral *)b)->cp;
    return x < y ? -1 : x > y;
}

/* the state after ``state`` reads ``sym`` (goto, falling back along the failure links) */
static inline int32_t
step(const ScanKernel *k, int32_t state, uint32_t sym)
{
    while (state != 0) {
        int32_t to = edge_get(k, state, sym);
        if (to >= 0)
            return to;
        state = k->fail[state];
    }
    return k->root_next[sym];
}

static void
kernel_free(ScanKernel *k)
{
    PyMem_Free(k->bmp);
    PyMem_Free(k->astral);
    PyMem_Free(k->root_next);
    PyMem_Free(k->edge_key);
    PyMem_Free(k->edge_to);
    PyMem_Free(k->fail);
    PyMem_Free(k->pattern);
    PyMem_Free(k->first);
    PyMem_Free(k->next);
    PyMem_Free(k->length);
    PyMem_Free(k->key_at);
    PyMem_Free(k->key_of);
    if (k->key_obj != NULL) {
        for (Py_ssize_t i = 0; i < k->nkeys; i++)
            Py_XDECREF(k->key_obj[i]);
        PyMem_Free(k->key_obj);
    }
    k->bmp = NULL;
    k->astral = NULL;
    k->root_next = k->fail = k->pattern = k->first = k->next = k->edge_to = k->key_of = NULL;
    k->edge_key = NULL;
    k->length = k->key_at = NULL;
    k->key_obj = NULL;
    k->nkeys = 0;
    Py_CLEAR(k->phrases);
    Py_CLEAR(k->keys);
}

static void
ScanKernel_dealloc(ScanKernel *k)
{
    kernel_free(k);
    Py_TYPE(k)->tp_free((PyObject *)k);
}

/* the symbols: one per distinct code point of the phrases */
static int
build_symbols(ScanKernel *k, PyObject *phrases)
{
    k->bmp = PyMem_Calloc(65536, sizeof(uint32_t));
    if (k->bmp == NULL)
        return -1;
    Py_ssize_t total_astral = 0;
    for (Py_ssize_t i = 0; i < k->nphrases; i++) {
        PyObject *p = PyTuple_GET_ITEM(phrases, i);
        if (PyUnicode_MAX_CHAR_VALUE(p) > 0xFFFF)
            total_astral += PyUnicode_GET_LENGTH(p);
    }
    k->astral = PyMem_Malloc((total_astral ? total_astral : 1) * sizeof(Astral));
    if (k->astral == NULL)
        return -1;
    uint32_t nsym = 0;
    for (Py_ssize_t i = 0; i < k->nphrases; i++) {
        PyObject *p = PyTuple_GET_ITEM(phrases, i);
        int kind = PyUnicode_KIND(p);
        const void *data = PyUnicode_DATA(p);
        Py_ssize_t n = PyUnicode_GET_LENGTH(p);
        for (Py_ssize_t j = 0; j < n; j++) {
            Py_UCS4 cp = PyUnicode_READ(kind, data, j);
            if (cp < 65536) {
                if (k->bmp[cp] == 0)
                    k->bmp[cp] = ++nsym;
            }
            else {
                Py_ssize_t a = 0;
                while (a < k->nastral && k->astral[a].cp != cp)  /* (few: build time only) */
                    a++;
                if (a == k->nastral) {
                    k->astral[a].cp = cp;
                    k->astral[a].sym = ++nsym;
                    k->nastral++;
                }
            }
        }
    }
    qsort(k->astral, (size_t)k->nastral, sizeof(Astral), astral_order);
    k->nsym = nsym;
    return 0;
}

/* the trie, then the failure and output links, breadth first */
static int
build_automaton(ScanKernel *k, PyObject *phrases)
{
    Py_ssize_t chars = 0;
    for (Py_ssize_t i = 0; i < k->nphrases; i++)
        chars += PyUnicode_GET_LENGTH(PyTuple_GET_ITEM(phrases, i));
    if (chars >= INT32_MAX / 2) {
        PyErr_SetString(PyExc_ValueError, "too many phrase characters");
        return -1;
    }
    Py_ssize_t cap = (Py_ssize_t)chars + 1;  /* states at most */
    uint64_t slots = 16;
    int bits = 4;
    while (slots < (uint64_t)cap * 2) {
        slots <<= 1;
        bits++;
    }
    k->edge_mask = slots - 1;
    k->edge_shift = 64 - bits;
    k->edge_key = PyMem_Malloc(slots * sizeof(uint64_t));
    k->edge_to = PyMem_Malloc(slots * sizeof(int32_t));
    k->root_next = PyMem_Calloc(k->nsym + 1, sizeof(int32_t));
    k->fail = PyMem_Calloc(cap, sizeof(int32_t));
    k->pattern = PyMem_Malloc(cap * sizeof(int32_t));
    k->first = PyMem_Calloc(cap, sizeof(int32_t));
    k->next = PyMem_Calloc(cap, sizeof(int32_t));
    k->length = PyMem_Malloc((k->nphrases ? k->nphrases : 1) * sizeof(Py_ssize_t));
    /* build-time only: each state's children as a list (first child, next sibling, symbol), for the walk */
    int32_t *child = PyMem_Calloc(cap, sizeof(int32_t));
    int32_t *sibling = PyMem_Calloc(cap, sizeof(int32_t));
    uint32_t *sym_in = PyMem_Calloc(cap, sizeof(uint32_t));
    int32_t *queue = PyMem_Malloc(cap * sizeof(int32_t));
    int ok = -1;
    if (!k->edge_key || !k->edge_to || !k->root_next || !k->fail || !k->pattern || !k->first || !k->next ||
        !k->length || !child || !sibling || !sym_in || !queue) {
        PyErr_NoMemory();
        goto done;
    }
    memset(k->edge_key, 0xFF, slots * sizeof(uint64_t));
    for (Py_ssize_t s = 0; s < cap; s++)
        k->pattern[s] = -1;
    int32_t nstates = 1;
    for (Py_ssize_t i = 0; i < k->nphrases; i++) {
        PyObject *p = PyTuple_GET_ITEM(phrases, i);
        int kind = PyUnicode_KIND(p);
        const void *data = PyUnicode_DATA(p);
        Py_ssize_t n = PyUnicode_GET_LENGTH(p);
        k->length[i] = n;
        int32_t state = 0;
        for (Py_ssize_t j = 0; j < n; j++) {
            uint32_t sym = symbol_of(k, PyUnicode_READ(kind, data, j));
            int32_t to = state == 0 ? (k->root_next[sym] ? k->root_next[sym] : -1) : edge_get(k, state, sym);
            if (to < 0) {
                to = nstates++;
                if (state == 0)
                    k->root_next[sym] = to;
                else
                    edge_put(k, state, sym, to);
                sym_in[to] = sym;
                sibling[to] = child[state];
                child[state] = to;
            }
            state = to;
        }
        if (k->pattern[state] >= 0) {
            PyErr_Format(PyExc_ValueError, "phrase %zd repeats phrase %d", i, k->pattern[state]);
            goto done;
        }
        k->pattern[state] = (int32_t)i;
    }
    k->nstates = nstates;
    Py_ssize_t head = 0, tail = 0;
    for (int32_t c = child[0]; c != 0; c = sibling[c]) {
        k->fail[c] = 0;
        queue[tail++] = c;
    }
    while (head < tail) {
        int32_t u = queue[head++];
        /* u's failure link is set (shallower): its outputs are u's own phrase, then those of its failure state */
        int32_t f = k->fail[u];
        k->next[u] = k->first[f];
        k->first[u] = k->pattern[u] >= 0 ? u : k->first[f];
        for (int32_t c = child[u]; c != 0; c = sibling[c]) {
            k->fail[c] = step(k, f, sym_in[c]);
            queue[tail++] = c;
        }
    }
    ok = 0;
done:
    PyMem_Free(child);
    PyMem_Free(sibling);
    PyMem_Free(sym_in);
    PyMem_Free(queue);
    return ok;
}

/* each phrase's keys as indices into one table of the distinct keys */
static int
build_keys(ScanKernel *k, PyObject *keys)
{
    PyObject *index = PyDict_New();
    if (index == NULL)
        return -1;
    int ok = -1;
    Py_ssize_t total = 0;
    for (Py_ssize_t i = 0; i < k->nphrases; i++)
        total += PyTuple_GET_SIZE(PyList_GET_ITEM(keys, i));
    k->key_at = PyMem_Malloc((k->nphrases + 1) * sizeof(Py_ssize_t));
    k->key_of = PyMem_Malloc((total ? total : 1) * sizeof(int32_t));
    k->key_obj = PyMem_Calloc(total ? total : 1, sizeof(PyObject *));
    if (!k->key_at || !k->key_of || !k->key_obj) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t at = 0;
    for (Py_ssize_t i = 0; i < k->nphrases; i++) {
        PyObject *row = PyList_GET_ITEM(keys, i);
        k->key_at[i] = at;
        for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(row); j++) {
            PyObject *key = PyTuple_GET_ITEM(row, j);
            if (!PyUnicode_CheckExact(key)) {  /* (exact: hashing and comparing them runs no Python code) */
                PyErr_SetString(PyExc_TypeError, "keys must be str");
                goto done;
            }
            PyObject *found = PyDict_GetItemWithError(index, key);
            Py_ssize_t slot;
            if (found != NULL) {
                slot = PyLong_AsSsize_t(found);
            }
            else {
                if (PyErr_Occurred())
                    goto done;
                slot = k->nkeys;
                PyObject *number = PyLong_FromSsize_t(slot);
                if (number == NULL || PyDict_SetItem(index, key, number) < 0) {
                    Py_XDECREF(number);
                    goto done;
                }
                Py_DECREF(number);
                Py_INCREF(key);
                k->key_obj[k->nkeys++] = key;
            }
            k->key_of[at++] = (int32_t)slot;
        }
    }
    k->key_at[k->nphrases] = at;
    ok = 0;
done:
    Py_DECREF(index);
    return ok;
}

static PyObject *
ScanKernel_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *names[] = {"phrases", "keys", NULL};
    PyObject *phrases, *keys;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!O!:ScanKernel", names, &PyTuple_Type, &phrases, &PyList_Type,
                                     &keys))
        return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(phrases);
    if (PyList_GET_SIZE(keys) != n) {
        PyErr_SetString(PyExc_ValueError, "one tuple of keys per phrase");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *p = PyTuple_GET_ITEM(phrases, i);
        if (!PyUnicode_Check(p) || !PyTuple_Check(PyList_GET_ITEM(keys, i))) {
            PyErr_SetString(PyExc_TypeError, "phrases are str, keys tuples of str");
            return NULL;
        }
        if (PyUnicode_READY(p) < 0)
            return NULL;
        if (PyUnicode_GET_LENGTH(p) == 0) {
            PyErr_SetString(PyExc_ValueError, "an empty phrase");
            return NULL;
        }
    }
    ScanKernel *k = (ScanKernel *)type->tp_alloc(type, 0);
    if (k == NULL)
        return NULL;
    k->nphrases = n;
    Py_INCREF(phrases);
    k->phrases = phrases;
    /* a copy: the caller's list may change later; __reduce__ gives what it was built from */
    k->keys = PyList_GetSlice(keys, 0, n);
    if (k->keys == NULL || build_symbols(k, phrases) < 0 || build_automaton(k, phrases) < 0 ||
        build_keys(k, k->keys) < 0) {
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        Py_DECREF(k);
        return NULL;
    }
    return (PyObject *)k;
}

/* files a match (turn, start, end) under each key of its phrase; ``buckets`` holds the lists made so far, by key */
static inline int
file_hit(ScanKernel *k, PyObject *out, PyObject **buckets, PyObject *turn, int32_t pattern, Py_ssize_t end)
{
    PyObject *hit = PyTuple_New(3);
    if (hit == NULL)
        return -1;
    PyObject *start_obj = PyLong_FromSsize_t(end - k->length[pattern]);
    PyObject *end_obj = PyLong_FromSsize_t(end);
    if (start_obj == NULL || end_obj == NULL) {
        Py_XDECREF(start_obj);
        Py_XDECREF(end_obj);
        Py_DECREF(hit);
        return -1;
    }
    Py_INCREF(turn);
    PyTuple_SET_ITEM(hit, 0, turn);
    PyTuple_SET_ITEM(hit, 1, start_obj);
    PyTuple_SET_ITEM(hit, 2, end_obj);
    int ok = 0;
    for (Py_ssize_t j = k->key_at[pattern]; j < k->key_at[pattern + 1]; j++) {
        int32_t key = k->key_of[j];
        PyObject *bucket = buckets[key];
        if (bucket != NULL) {
            if (PyList_Append(bucket, hit) < 0) {
                ok = -1;
                break;
            }
            continue;
        }
        bucket = PyList_New(1);
        if (bucket == NULL) {
            ok = -1;
            break;
        }
        Py_INCREF(hit);
        PyList_SET_ITEM(bucket, 0, hit);
        int set = PyDict_SetItem(out, k->key_obj[key], bucket);
        Py_DECREF(bucket);  /* (the dict holds it: borrowed in ``buckets`` while ``out`` lives) */
        if (set < 0) {
            ok = -1;
            break;
        }
        buckets[key] = bucket;
    }
    Py_DECREF(hit);
    return ok;
}

#define SCAN_TEXT(TYPE)                                                                              \
    do {                                                                                             \
        const TYPE *chars = (const TYPE *)data;                                                      \
        int32_t state = 0;                                                                           \
        for (Py_ssize_t i = 0; i < n; i++) {                                                         \
            uint32_t sym = symbol_of(k, chars[i]);                                                   \
            if (sym == 0) {                                                                          \
                state = 0;                                                                           \
                continue;                                                                            \
            }                                                                                        \
            state = step(k, state, sym);                                                             \
            for (int32_t s = k->first[state]; s != 0; s = k->next[s]) {                              \
                if (file_hit(k, out, buckets, turn_obj, k->pattern[s], i + 1) < 0)                   \
                    goto fail;                                                                       \
            }                                                                                        \
        }                                                                                            \
    } while (0)

PyDoc_STRVAR(scan_doc,
"scan(texts: list[str]) -> dict[str, list[tuple[int, int, int]]]\n\n"
"Every match of every phrase in each text, as (text's index, start, end) in characters, under each key of its\n"
"phrase: keys in the order first found, each list by where its matches end, those ending at one place longest\n"
"first. No match spans two texts.");

static PyObject *
ScanKernel_scan(ScanKernel *k, PyObject *texts)
{
    if (!PyList_Check(texts)) {
        PyErr_SetString(PyExc_TypeError, "scan() takes a list of str");
        return NULL;
    }
    PyObject *out = PyDict_New();
    if (out == NULL)
        return NULL;
    Py_ssize_t nt = PyList_GET_SIZE(texts);
    if (nt == 0 || k->nphrases == 0)
        return out;
    PyObject **buckets = PyMem_Calloc(k->nkeys ? k->nkeys : 1, sizeof(PyObject *));
    if (buckets == NULL) {
        Py_DECREF(out);
        return PyErr_NoMemory();
    }
    PyObject *turn_obj = NULL;
    for (Py_ssize_t t = 0; t < PyList_GET_SIZE(texts); t++) {
        PyObject *text = PyList_GET_ITEM(texts, t);
        if (!PyUnicode_Check(text)) {
            PyErr_SetString(PyExc_TypeError, "scan() takes a list of str");
            goto fail;
        }
        if (PyUnicode_READY(text) < 0)
            goto fail;
        Py_ssize_t n = PyUnicode_GET_LENGTH(text);
        const void *data = PyUnicode_DATA(text);
        turn_obj = PyLong_FromSsize_t(t);
        if (turn_obj == NULL)
            goto fail;
        switch (PyUnicode_KIND(text)) {
        case PyUnicode_1BYTE_KIND:
            SCAN_TEXT(Py_UCS1);
            break;
        case PyUnicode_2BYTE_KIND:
            SCAN_TEXT(Py_UCS2);
            break;
        default:
            SCAN_TEXT(Py_UCS4);
            break;
        }
        Py_CLEAR(turn_obj);
    }
    PyMem_Free(buckets);
    return out;
fail:
    Py_XDECREF(turn_obj);
    PyMem_Free(buckets);
    Py_DECREF(out);
    return NULL;
}

static PyObject *
ScanKernel_reduce(ScanKernel *k, PyObject *Py_UNUSED(ignored))
{
    return Py_BuildValue("(O(OO))", (PyObject *)Py_TYPE(k), k->phrases, k->keys);
}

static PyObject *
ScanKernel_states(ScanKernel *k, void *Py_UNUSED(closure))
{
    return PyLong_FromLong(k->nstates);
}

static PyObject *
ScanKernel_phrases(ScanKernel *k, void *Py_UNUSED(closure))
{
    Py_INCREF(k->phrases);
    return k->phrases;
}

static PyMethodDef ScanKernel_methods[] = {
    {"scan", (PyCFunction)ScanKernel_scan, METH_O, scan_doc},
    {"__reduce__", (PyCFunction)ScanKernel_reduce, METH_NOARGS, "Rebuilt from its phrases and keys."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef ScanKernel_getset[] = {
    {"states", (getter)ScanKernel_states, NULL, "the automaton's states, the root included", NULL},
    {"phrases", (getter)ScanKernel_phrases, NULL, "the phrases, by pattern id", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject ScanKernelType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "hotline._kernels.scan.ScanKernel",
    .tp_basicsize = sizeof(ScanKernel),
    .tp_dealloc = (destructor)ScanKernel_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = PyDoc_STR("ScanKernel(phrases: tuple[str, ...], keys: list[tuple[str, ...]]): an Aho-Corasick "
                        "automaton over the phrases, filing matches under each phrase's keys."),
    .tp_methods = ScanKernel_methods,
    .tp_getset = ScanKernel_getset,
    .tp_new = ScanKernel_new,
};

static struct PyModuleDef scan_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "hotline._kernels.scan",
    .m_doc = "The phrase automaton's pass over a call in C (``CallContext._scan``).",
    .m_size = -1,
};

PyMODINIT_FUNC
PyInit_scan(void)
{
    if (PyType_Ready(&ScanKernelType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&scan_module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&ScanKernelType);
    if (PyModule_AddObject(m, "ScanKernel", (PyObject *)&ScanKernelType) < 0) {
        Py_DECREF(&ScanKernelType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
