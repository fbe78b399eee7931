/* Per-call counts of the call context (``hotline.inspect.context``) and of ``text.normalize_all`` in one C call each,
 * where the compiled Python walked every character of a call's turns, or made a string per piece of them.
 *
 * ``spoken_counts(texts)``: per text, the characters ``str.isalnum`` holds (``context.spoken_count``). ``isalnum`` of
 * a one-character string is ``Py_UNICODE_ISALNUM`` of its code point (unicodeobject.c), so each code point is asked
 * of it: the BMP's answers kept in a table of a byte per code point (0: not asked yet, 1: no, 2: yes), filled as
 * code points are first met, the rest asked each time (as ``spoken_count`` asks ``isalnum`` past the BMP).
 *
 * ``spaces(text)``: how many characters of ``text`` are whitespace as ``str.split()`` (no separator) takes it:
 * ``Py_UNICODE_ISSPACE`` (the ASCII table below 128, ``_PyUnicode_IsWhitespace`` above), what ``str.split`` tests,
 * so ``len("".join(text.split())) == len(text) - spaces(text)``, without the list of pieces and the joined string;
 * none lies past U+3000 (``LAST_SPACE``), so a hanzi is passed over without a call.
 *
 * ``overlap(text, heard, ignore)``: ``operators._overlap`` (the distinct pairs of letters of ``text`` found in
 * ``heard``, not among ``ignore``, and in how many stretches), the same walk over ``text``; ``pair in heard`` answered
 * by a set of every two adjacent code points of ``heard`` (made at the first pair of letters: a two-character string
 * is in ``heard`` exactly when it is one of them) instead of a search of ``heard`` per pair, and no two-character
 * string made per pair. ``ignore`` (``RestateOp.ignore``, a list of str) read once: only its two-character items can
 * equal a pair.
 *
 * Wrong types raise TypeError (the callers pass lists of str and str: never met). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

static unsigned char alnum_map[65536]; /* 0: not asked yet, 1: not alnum, 2: alnum */

/* The last code point Python's whitespace holds (U+3000, ideographic space: Tools/unicode's list of them, which the
 * tests check against every code point): a hanzi past it is no space without a call into Unicode's tables. */
#define LAST_SPACE 0x3000

/* 1 when str.isalnum holds for the code point: a BMP one read from ``alnum_map`` (filled as code points first come),
 * another asked of Unicode's tables (for text of one or two bytes a character, the compiler drops that branch) */
static inline Py_ssize_t
alnum_of(Py_UCS4 c)
{
    if (c >= 65536)
        return Py_UNICODE_ISALNUM(c) ? 1 : 0;
    unsigned char v = alnum_map[c];
    if (!v)
        v = alnum_map[c] = Py_UNICODE_ISALNUM(c) ? 2 : 1;
    return v - 1;
}

/* 1 when str.split() splits at the code point (none past ``LAST_SPACE``: no look in Unicode's tables for a hanzi) */
static inline Py_ssize_t
space_of(Py_UCS4 c)
{
    return (c <= LAST_SPACE && Py_UNICODE_ISSPACE(c)) ? 1 : 0;
}

/* ``count`` += ``test`` of each of the ``n`` characters at ``data``, read as ``T`` (one loop per kind of text) */
#define COUNT_WHERE(T, test)                                                                                         \
    do {                                                                                                             \
        const T *p = (const T *)data;                                                                                \
        for (Py_ssize_t i = 0; i < n; i++)                                                                           \
            count += test(p[i]);                                                                                     \
    } while (0)

/* ``count``: the characters of ``text`` that ``test`` holds (in a function with ``n``, ``data``, ``kind`` read) */
#define COUNT_TEXT(test)                                                                                             \
    do {                                                                                                             \
        if (kind == PyUnicode_1BYTE_KIND)                                                                            \
            COUNT_WHERE(Py_UCS1, test);                                                                              \
        else if (kind == PyUnicode_2BYTE_KIND)                                                                       \
            COUNT_WHERE(Py_UCS2, test);                                                                              \
        else                                                                                                         \
            COUNT_WHERE(Py_UCS4, test);                                                                              \
    } while (0)

static Py_ssize_t
spoken_count(PyObject *text)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), count = 0;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    COUNT_TEXT(alnum_of);
    return count;
}

PyDoc_STRVAR(spoken_counts_doc,
             "spoken_counts(texts: list[str]) -> list[int]: per text, the characters str.isalnum holds.");

static PyObject *
spoken_counts(PyObject *self, PyObject *texts)
{
    if (!PyList_Check(texts)) {
        PyErr_SetString(PyExc_TypeError, "spoken_counts: a list of str");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(texts), i;
    PyObject *out = PyList_New(n);
    if (out == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        PyObject *text = PyList_GET_ITEM(texts, i);
        if (!PyUnicode_Check(text)) {
            Py_DECREF(out);
            PyErr_SetString(PyExc_TypeError, "spoken_counts: a list of str");
            return NULL;
        }
        PyObject *count = PyLong_FromSsize_t(spoken_count(text));
        if (count == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, i, count);
    }
    return out;
}

PyDoc_STRVAR(spaces_doc, "spaces(text: str) -> int: the characters of text that str.split() splits at.");

static PyObject *
spaces(PyObject *self, PyObject *text)
{
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "spaces: a str");
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), count = 0;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    COUNT_TEXT(space_of);
    return PyLong_FromSsize_t(count);
}

/* ``operators._is_letter`` of code point ``c``: ``str.isalpha`` of it (Py_UNICODE_ISALPHA), the ASCII letters and the
 * common hanzi (U+4E00-U+9FFF, every one a letter) without a look in Unicode's tables, as the Python reads them. */
static inline int
is_letter(Py_UCS4 c)
{
    if (c < 128)
        return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (c >= 0x4E00 && c <= 0x9FFF)
        return 1;
    return Py_UNICODE_ISALPHA(c) ? 1 : 0;
}

/* A set of pairs of code points (each below 2^21: the pair in 42 bits), open addressing; 0 marks a free place, so a
 * pair is stored with bit 63 set. */
typedef struct {
    uint64_t *slot;
    size_t mask;
    Py_ssize_t used;
} PairSet;

static int
pairs_init(PairSet *set, Py_ssize_t want)
{
    size_t size = 16;
    while (size < (size_t)want * 2 + 2)
        size <<= 1;
    set->slot = (uint64_t *)PyMem_Calloc(size, sizeof(uint64_t));
    if (set->slot == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    set->mask = size - 1;
    set->used = 0;
    return 0;
}

static inline size_t
pair_hash(uint64_t key)
{
    key ^= key >> 29;
    key *= 0x9E3779B97F4A7C15ull;
    return (size_t)(key >> 20);
}

/* 1: added, 0: there already (the set is sized for every pair it will hold: never full) */
static inline int
pairs_add(PairSet *set, uint64_t pair)
{
    uint64_t key = pair | (1ull << 63);
    size_t at = pair_hash(pair) & set->mask;
    while (set->slot[at]) {
        if (set->slot[at] == key)
            return 0;
        at = (at + 1) & set->mask;
    }
    set->slot[at] = key;
    set->used++;
    return 1;
}

static inline int
pairs_has(const PairSet *set, uint64_t pair)
{
    uint64_t key = pair | (1ull << 63);
    size_t at = pair_hash(pair) & set->mask;
    while (set->slot[at]) {
        if (set->slot[at] == key)
            return 1;
        at = (at + 1) & set->mask;
    }
    return 0;
}

#define PAIR(a, b) (((uint64_t)(a) << 21) | (uint64_t)(b))

PyDoc_STRVAR(overlap_doc,
             "overlap(text: str, heard: str, ignore: list[str]) -> tuple[int, int]: operators._overlap.");

static PyObject *
overlap(PyObject *self, PyObject *args)
{
    PyObject *text, *heard, *ignore;
    if (!PyArg_ParseTuple(args, "UUO:overlap", &text, &heard, &ignore))
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), m = PyUnicode_GET_LENGTH(heard), i;
    int kind = PyUnicode_KIND(text), hkind = PyUnicode_KIND(heard);
    const void *data = PyUnicode_DATA(text), *hdata = PyUnicode_DATA(heard);
    PairSet said = {NULL, 0, 0}, shared = {NULL, 0, 0}, skip = {NULL, 0, 0};
    Py_ssize_t pieces = 0;
    int inside = 0, built = 0;
    PyObject *result = NULL;
    /* the pairs not counted: the items of ``ignore`` of two characters (no other equals a pair) */
    PyObject *items = PySequence_Fast(ignore, "overlap: ignore is a list of str");
    if (items == NULL)
        return NULL;
    Py_ssize_t k, nitems = PySequence_Fast_GET_SIZE(items);
    if (pairs_init(&skip, nitems) < 0)
        goto done;
    for (k = 0; k < nitems; k++) {
        PyObject *item = PySequence_Fast_GET_ITEM(items, k);
        if (PyUnicode_Check(item) && PyUnicode_GET_LENGTH(item) == 2)
            pairs_add(&skip, PAIR(PyUnicode_READ_CHAR(item, 0), PyUnicode_READ_CHAR(item, 1)));
    }
    int letter = n > 0 && is_letter(PyUnicode_READ(kind, data, 0));
    for (i = 0; i + 1 < n; i++) {
        Py_UCS4 b = PyUnicode_READ(kind, data, i + 1);
        int following = is_letter(b);
        int hit = 0;
        if (letter && following) {
            if (!built) { /* the pairs of ``heard``, at the first pair of letters (``pair in heard``) */
                if (pairs_init(&said, m) < 0 || pairs_init(&shared, n) < 0)
                    goto done;
                Py_ssize_t j;
                for (j = 0; j + 1 < m; j++)
                    pairs_add(&said, PAIR(PyUnicode_READ(hkind, hdata, j), PyUnicode_READ(hkind, hdata, j + 1)));
                built = 1;
            }
            uint64_t pair = PAIR(PyUnicode_READ(kind, data, i), b);
            hit = pairs_has(&said, pair) && !pairs_has(&skip, pair);
            if (hit) {
                pairs_add(&shared, pair);
                pieces += !inside;
            }
        }
        inside = hit;
        letter = following;
    }
    result = Py_BuildValue("(nn)", shared.used, pieces);
done:
    PyMem_Free(said.slot);
    PyMem_Free(shared.slot);
    PyMem_Free(skip.slot);
    Py_DECREF(items);
    return result;
}

static PyMethodDef context_methods[] = {
    {"spoken_counts", (PyCFunction)spoken_counts, METH_O, spoken_counts_doc},
    {"spaces", (PyCFunction)spaces, METH_O, spaces_doc},
    {"overlap", (PyCFunction)overlap, METH_VARARGS, overlap_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef context_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "hotline._kernels.context",
    .m_doc = "Per-call character counts of the call context, normalize_all and restated in C.",
    .m_methods = context_methods,
    .m_size = -1,
};

PyMODINIT_FUNC
PyInit_context(void)
{
    return PyModule_Create(&context_module);
}
