/* A set of characters, and where a text first holds one (``CharSet.find``): the scan sre makes with a pattern's info charset before it tries the pattern anywhere
 * (``regexscan.scannable``), at a few instructions a character instead of sre's ~60 (its test of a class of many
 * characters), and none of sre's set-up for a text that holds none (most of a call's texts, for most patterns).
 *
 * The set is what a regex class of the same members holds, for a str pattern with neither re.ASCII nor re.LOCALE:
 * single characters, ranges of code points (lone surrogates are code points like any other), and the categories
 * \d, \w, \s as sre reads them in such a pattern (Py_UNICODE_ISDECIMAL; Py_UNICODE_ISALNUM or "_";
 * Py_UNICODE_ISSPACE). The BMP is one bitmap (the categories folded in when it is built); a character past it is
 * looked up in the sorted ranges, then the categories.
 *
 * Rebuilt from what it was made of when pickled or copied (``__reduce__``). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define CAT_DIGIT 1
#define CAT_WORD 2
#define CAT_SPACE 4
#define CAT_ALL (CAT_DIGIT | CAT_WORD | CAT_SPACE)

typedef struct {
    uint32_t lo, hi;
} Range;

typedef struct {
    PyObject_HEAD
    PyObject *chars;     /* as given (for __reduce__) */
    PyObject *ranges;    /* as given (for __reduce__) */
    int categories;
    uint8_t *bmp;        /* 8192 bytes: bit c of the BMP */
    Range *astral;       /* ranges reaching past the BMP, clipped to it, sorted by lo */
    Py_ssize_t nastral;
} CharSet;

static int
in_category(int categories, Py_UCS4 c)
{
    if ((categories & CAT_DIGIT) && Py_UNICODE_ISDECIMAL(c))
        return 1;
    if ((categories & CAT_WORD) && (Py_UNICODE_ISALNUM(c) || c == '_'))
        return 1;
    if ((categories & CAT_SPACE) && Py_UNICODE_ISSPACE(c))
        return 1;
    return 0;
}

static inline int
holds(const CharSet *s, Py_UCS4 c)
{
    if (c < 65536)
        return (s->bmp[c >> 3] >> (c & 7)) & 1;
    Py_ssize_t lo = 0, hi = s->nastral;
    while (lo < hi) {  /* the first range whose hi is c or more */
        Py_ssize_t mid = (lo + hi) / 2;
        if (s->astral[mid].hi < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < s->nastral && s->astral[lo].lo <= c)
        return 1;
    return s->categories ? in_category(s->categories, c) : 0;
}

static int
range_order(const void *a, const void *b)
{
    uint32_t x = ((const Range *)a)->lo, y = ((const Range *)b)->lo;
    return x < y ? -1 : x > y;
}

static void
set_bits(uint8_t *bmp, uint32_t lo, uint32_t hi)
{
    if (hi > 0xFFFF)
        hi = 0xFFFF;
    for (uint32_t c = lo; c <= hi; c++)
        bmp[c >> 3] |= (uint8_t)(1u << (c & 7));
}

static void
CharSet_dealloc(CharSet *self)
{
    Py_XDECREF(self->chars);
    Py_XDECREF(self->ranges);
    PyMem_Free(self->bmp);
    PyMem_Free(self->astral);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
CharSet_init(CharSet *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"chars", "ranges", "categories", NULL};
    PyObject *chars, *ranges = NULL;
    int categories = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "U|Oi:CharSet", kwlist, &chars, &ranges, &categories))
        return -1;
    if (categories & ~CAT_ALL) {
        PyErr_SetString(PyExc_ValueError, "categories: 1 (\\d), 2 (\\w), 4 (\\s)");
        return -1;
    }
    PyObject *seq = ranges == NULL ? PyTuple_New(0) : PySequence_Tuple(ranges);
    if (seq == NULL)
        return -1;
    Py_ssize_t len = PyUnicode_GET_LENGTH(chars);
    int kind = PyUnicode_KIND(chars);
    const void *data = PyUnicode_DATA(chars);
    Py_ssize_t nranges = PyTuple_GET_SIZE(seq), past = 0;
    for (Py_ssize_t i = 0; i < len; i++)
        past += PyUnicode_READ(kind, data, i) >= 65536;
    uint8_t *bmp = PyMem_Calloc(8192, 1);
    Range *astral = PyMem_Calloc((size_t)(past + nranges + 1), sizeof(Range));
    Py_ssize_t nastral = 0;
    if (bmp == NULL || astral == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t i = 0; i < len; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < 65536)
            set_bits(bmp, c, c);
        else
            astral[nastral++] = (Range){c, c};
    }
    for (Py_ssize_t i = 0; i < nranges; i++) {
        unsigned long lo, hi;
        if (!PyArg_ParseTuple(PyTuple_GET_ITEM(seq, i), "kk;a range is (lo, hi), two code points", &lo, &hi))
            goto fail;
        if (lo > hi || hi > 0x10FFFF) {
            PyErr_SetString(PyExc_ValueError, "a range is (lo, hi) with lo <= hi <= 0x10FFFF");
            goto fail;
        }
        set_bits(bmp, (uint32_t)lo, (uint32_t)hi);
        if (hi > 0xFFFF)
            astral[nastral++] = (Range){lo > 0xFFFF ? (uint32_t)lo : 0x10000u, (uint32_t)hi};
    }
    if (categories) {  /* folded into the BMP's bitmap once; past it, read at each character */
        for (uint32_t c = 0; c < 65536; c++)
            if (in_category(categories, c))
                bmp[c >> 3] |= (uint8_t)(1u << (c & 7));
    }
    /* sorted, overlapping or touching ranges merged: the search above takes the first whose hi is c or more */
    qsort(astral, (size_t)nastral, sizeof(Range), range_order);
    Py_ssize_t kept = 0;
    for (Py_ssize_t i = 0; i < nastral; i++) {
        if (kept > 0 && astral[i].lo <= astral[kept - 1].hi + 1) {
            if (astral[i].hi > astral[kept - 1].hi)
                astral[kept - 1].hi = astral[i].hi;
        }
        else
            astral[kept++] = astral[i];
    }
    PyMem_Free(self->bmp);
    PyMem_Free(self->astral);
    self->bmp = bmp;
    self->astral = astral;
    self->nastral = kept;
    self->categories = categories;
    Py_INCREF(chars);
    Py_XSETREF(self->chars, chars);
    Py_XSETREF(self->ranges, seq);  /* (its reference: the tuple of the ranges given) */
    return 0;
fail:
    Py_DECREF(seq);
    PyMem_Free(bmp);
    PyMem_Free(astral);
    return -1;
}

static int
ready(const CharSet *self)
{
    if (self->bmp == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "CharSet not initialised");
        return 0;
    }
    return 1;
}

/* the first index from ``start`` on whose character is in ``s`` (-1: none) */
static Py_ssize_t
first_in(const CharSet *s, PyObject *text, Py_ssize_t start)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    const void *data = PyUnicode_DATA(text);
    const uint8_t *bmp = s->bmp;
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND: {
        const Py_UCS1 *p = data;
        for (Py_ssize_t i = start; i < n; i++)
            if ((bmp[p[i] >> 3] >> (p[i] & 7)) & 1)
                return i;
        return -1;
    }
    case PyUnicode_2BYTE_KIND: {
        const Py_UCS2 *p = data;
        for (Py_ssize_t i = start; i < n; i++)
            if ((bmp[p[i] >> 3] >> (p[i] & 7)) & 1)
                return i;
        return -1;
    }
    default: {
        const Py_UCS4 *p = data;
        for (Py_ssize_t i = start; i < n; i++)
            if (holds(s, p[i]))
                return i;
        return -1;
    }
    }
}

/* ``start`` as a pattern's ``pos`` reads it: below 0 is 0 (a start past the end finds nothing) */
static inline Py_ssize_t
start_of(Py_ssize_t start)
{
    return start < 0 ? 0 : start;
}

static PyObject *
CharSet_find(CharSet *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!ready(self))
        return NULL;
    if (nargs < 1 || nargs > 2) {
        PyErr_SetString(PyExc_TypeError, "find(text, start=0)");
        return NULL;
    }
    PyObject *text = args[0];
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "find: text must be str");
        return NULL;
    }
    Py_ssize_t start = 0;
    if (nargs == 2) {
        start = PyLong_AsSsize_t(args[1]);
        if (start == -1 && PyErr_Occurred())
            return NULL;
    }
    start = start_of(start);
    return PyLong_FromSsize_t(first_in(self, text, start));
}

static PyObject *
CharSet_contains_char(CharSet *self, PyObject *arg)
{
    if (!ready(self))
        return NULL;
    if (!PyUnicode_Check(arg) || PyUnicode_GET_LENGTH(arg) != 1) {
        PyErr_SetString(PyExc_TypeError, "holds: one character");
        return NULL;
    }
    return PyBool_FromLong(holds(self, PyUnicode_READ_CHAR(arg, 0)));
}

static PyObject *
CharSet_reduce(CharSet *self, PyObject *Py_UNUSED(ignored))
{
    if (!ready(self))
        return NULL;
    return Py_BuildValue("O(OOi)", (PyObject *)Py_TYPE(self), self->chars, self->ranges, self->categories);
}

static PyMethodDef CharSet_methods[] = {
    {"find", (PyCFunction)(void (*)(void))CharSet_find, METH_FASTCALL,
     "find(text, start=0): the first index from start on (as a pattern's pos: below 0 is 0) whose character is in the set, or -1"},
    {"holds", (PyCFunction)CharSet_contains_char, METH_O, "holds(ch): whether the character ch is in the set"},
    {"__reduce__", (PyCFunction)CharSet_reduce, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject CharSetType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "hotline._kernels.chars.CharSet",
    .tp_basicsize = sizeof(CharSet),
    .tp_dealloc = (destructor)CharSet_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "CharSet(chars, ranges=(), categories=0): a set of characters, and where a text first holds one",
    .tp_methods = CharSet_methods,
    .tp_init = (initproc)CharSet_init,
    .tp_new = PyType_GenericNew,
};

/* Literals: where the first of some words, or a run of some characters of a least length, begins in a text (the
 * leftmost match of a regex that is the alternation of the words, escaped, and of ``[run]{min_run,}``: ``find``).
 * The words sit sorted by their first code point (ties in the order given); a character that begins none and is no
 * run character is passed over at a bitmap test. */

typedef struct {
    PyObject_HEAD
    PyObject *words;     /* tuple of str, as given (for __reduce__) */
    PyObject *runs;      /* str, as given (for __reduce__) */
    Py_ssize_t min_run;
    uint8_t *starts;     /* 8192 bytes: BMP characters that begin a word or are run characters */
    uint8_t *run_bmp;    /* 8192 bytes: BMP run characters */
    Py_UCS4 *run_astral; /* run characters past the BMP, sorted */
    Py_ssize_t nrun_astral;
    Py_ssize_t nwords;
    PyObject **word;     /* the words sorted by first code point (borrowed from ``words``) */
    Py_UCS4 *word_first;
} Literals;

static inline int
bit(const uint8_t *bmp, Py_UCS4 c)
{
    return (bmp[c >> 3] >> (c & 7)) & 1;
}

static int
ucs4_order(const void *a, const void *b)
{
    Py_UCS4 x = *(const Py_UCS4 *)a, y = *(const Py_UCS4 *)b;
    return x < y ? -1 : x > y;
}

static inline int
is_run(const Literals *s, Py_UCS4 c)
{
    if (c < 65536)
        return bit(s->run_bmp, c);
    Py_ssize_t lo = 0, hi = s->nrun_astral;
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
        if (s->run_astral[mid] < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->nrun_astral && s->run_astral[lo] == c;
}

static void
Literals_clear_fields(Literals *self)
{
    Py_CLEAR(self->words);
    Py_CLEAR(self->runs);
    PyMem_Free(self->starts);
    PyMem_Free(self->run_bmp);
    PyMem_Free(self->run_astral);
    PyMem_Free(self->word);
    PyMem_Free(self->word_first);
    self->starts = self->run_bmp = NULL;
    self->run_astral = self->word_first = NULL;
    self->word = NULL;
    self->nwords = self->nrun_astral = 0;
}

static void
Literals_dealloc(Literals *self)
{
    Literals_clear_fields(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
Literals_init(Literals *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"words", "runs", "min_run", NULL};
    PyObject *words_in, *runs;
    Py_ssize_t min_run;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OUn:Literals", kwlist, &words_in, &runs, &min_run))
        return -1;
    if (min_run < 1) {
        PyErr_SetString(PyExc_ValueError, "min_run: 1 or more");
        return -1;
    }
    PyObject *words = PySequence_Tuple(words_in);
    if (words == NULL)
        return -1;
    Py_ssize_t n = PyTuple_GET_SIZE(words);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *w = PyTuple_GET_ITEM(words, i);
        if (!PyUnicode_Check(w) || PyUnicode_GET_LENGTH(w) == 0) {
            PyErr_SetString(PyExc_ValueError, "words: non-empty str");
            Py_DECREF(words);
            return -1;
        }
    }
    Literals_clear_fields(self);
    self->words = words;
    Py_INCREF(runs);
    self->runs = runs;
    self->min_run = min_run;
    self->nwords = n;
    self->starts = PyMem_Calloc(8192, 1);
    self->run_bmp = PyMem_Calloc(8192, 1);
    Py_ssize_t nruns = PyUnicode_GET_LENGTH(runs);
    self->run_astral = PyMem_Calloc((size_t)nruns + 1, sizeof(Py_UCS4));
    self->word = PyMem_Calloc((size_t)n + 1, sizeof(PyObject *));
    self->word_first = PyMem_Calloc((size_t)n + 1, sizeof(Py_UCS4));
    if (!self->starts || !self->run_bmp || !self->run_astral || !self->word || !self->word_first) {
        Literals_clear_fields(self);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < nruns; i++) {
        Py_UCS4 c = PyUnicode_READ_CHAR(runs, i);
        if (c < 65536) {
            self->run_bmp[c >> 3] |= (uint8_t)(1u << (c & 7));
            self->starts[c >> 3] |= (uint8_t)(1u << (c & 7));
        }
        else
            self->run_astral[self->nrun_astral++] = c;
    }
    qsort(self->run_astral, (size_t)self->nrun_astral, sizeof(Py_UCS4), ucs4_order);
    /* sorted by first code point, stable (an insertion sort: the words are few) */
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *w = PyTuple_GET_ITEM(words, i);
        Py_UCS4 c = PyUnicode_READ_CHAR(w, 0);
        if (c < 65536)
            self->starts[c >> 3] |= (uint8_t)(1u << (c & 7));
        Py_ssize_t j = i;
        while (j > 0 && self->word_first[j - 1] > c) {
            self->word_first[j] = self->word_first[j - 1];
            self->word[j] = self->word[j - 1];
            j--;
        }
        self->word_first[j] = c;
        self->word[j] = w;
    }
    return 0;
}

/* whether ``w`` is in ``text`` at ``at`` (its code points, one by one) */
static inline int
word_at(PyObject *w, int kind, const void *data, Py_ssize_t n, Py_ssize_t at)
{
    Py_ssize_t len = PyUnicode_GET_LENGTH(w);
    if (len > n - at)
        return 0;
    int wkind = PyUnicode_KIND(w);
    const void *wdata = PyUnicode_DATA(w);
    for (Py_ssize_t k = 1; k < len; k++)  /* (the first is known to be there) */
        if (PyUnicode_READ(wkind, wdata, k) != PyUnicode_READ(kind, data, at + k))
            return 0;
    return 1;
}

static PyObject *
Literals_find(Literals *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (self->starts == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Literals not initialised");
        return NULL;
    }
    if (nargs < 1 || nargs > 2 || !PyUnicode_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "find(text: str, start=0)");
        return NULL;
    }
    PyObject *text = args[0];
    Py_ssize_t start = 0;
    if (nargs == 2) {
        start = PyLong_AsSsize_t(args[1]);
        if (start == -1 && PyErr_Occurred())
            return NULL;
    }
    start = start_of(start);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    for (Py_ssize_t i = start; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < 65536 && !bit(self->starts, c))
            continue;
        /* the words that begin with c: the first at or after c in the sorted firsts */
        Py_ssize_t lo = 0, hi = self->nwords;
        while (lo < hi) {
            Py_ssize_t mid = (lo + hi) / 2;
            if (self->word_first[mid] < c)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < self->nwords && self->word_first[lo] == c; lo++)
            if (word_at(self->word[lo], kind, data, n, i))
                return PyLong_FromSsize_t(i);
        if (is_run(self, c)) {
            Py_ssize_t j = i + 1;
            while (j < n && j - i < self->min_run && is_run(self, PyUnicode_READ(kind, data, j)))
                j++;
            if (j - i >= self->min_run)
                return PyLong_FromSsize_t(i);
        }
    }
    return PyLong_FromSsize_t(-1);
}

static PyObject *
Literals_reduce(Literals *self, PyObject *Py_UNUSED(ignored))
{
    if (self->starts == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Literals not initialised");
        return NULL;
    }
    return Py_BuildValue("O(OOn)", (PyObject *)Py_TYPE(self), self->words, self->runs, self->min_run);
}

static PyMethodDef Literals_methods[] = {
    {"find", (PyCFunction)(void (*)(void))Literals_find, METH_FASTCALL,
     "find(text, start=0): the first index from start on (below 0 is 0) where a word, or a run of min_run or more "
     "run characters, begins, or -1"},
    {"__reduce__", (PyCFunction)Literals_reduce, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject LiteralsType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "hotline._kernels.chars.Literals",
    .tp_basicsize = sizeof(Literals),
    .tp_dealloc = (destructor)Literals_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Literals(words, runs, min_run): where the first of the words, or of the runs of min_run or more run "
              "characters, begins in a text",
    .tp_methods = Literals_methods,
    .tp_init = (initproc)Literals_init,
    .tp_new = PyType_GenericNew,
};

static struct PyModuleDef chars_module = {
    PyModuleDef_HEAD_INIT, "hotline._kernels.chars", "A set of characters and where a text first holds one.", -1,
    NULL,
};

PyMODINIT_FUNC
PyInit_chars(void)
{
    if (PyType_Ready(&CharSetType) < 0 || PyType_Ready(&LiteralsType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&chars_module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&CharSetType);
    if (PyModule_AddObject(m, "CharSet", (PyObject *)&CharSetType) < 0) {
        Py_DECREF(&CharSetType);
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(&LiteralsType);
    if (PyModule_AddObject(m, "Literals", (PyObject *)&LiteralsType) < 0) {
        Py_DECREF(&LiteralsType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
