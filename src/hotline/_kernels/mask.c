/* Where a match of the masking rules may begin (``Heads.find``), read closer than by its first character: by the
 * first few characters a match holds (a look-ahead ending a rule reads on past its end) and by the character before
 * it (a rule opening with a negative look-behind of one character), as ``regexscan.heads`` reads them off the rules'
 * parse. The masker then runs sre's ``match`` only at such places, not sre's search (its scan at ~60 instructions a
 * character, and every rule tried at each digit or Chinese numeral: 一 opens 一下 and 一个 as it opens 一三八…).
 *
 * A rule here is (not_before, sets): a place i passes it when the text holds a character at i + j in sets[j] for
 * each j (a set of -1: any character, but one is there), and, unless i is 0, the character at i - 1 is not in the
 * set not_before (-1: no such set). ``find`` gives the first place from ``start`` on that passes some rule. Up to
 * 64 rules (a bit each).
 *
 * A set is what a regex class of the same members holds, for a str pattern with neither re.ASCII nor re.LOCALE
 * (as ``chars.CharSet``): single characters and ranges of code points (kept as sorted, merged ranges), and the
 * categories \d, \w, \s as sre reads them (Py_UNICODE_ISDECIMAL; Py_UNICODE_ISALNUM or "_"; Py_UNICODE_ISSPACE).
 * The first characters of every rule are also one bitmap of the BMP: most places of a text are passed over at one
 * test of it.
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
#define MAX_RULES 64
#define MAX_DEPTH 16

typedef struct {
    uint32_t lo, hi;
} Range;

typedef struct {
    Range *ranges;  /* sorted, merged */
    Py_ssize_t n;
    int categories;
} Set;

typedef struct {
    Py_ssize_t set;  /* index into the sets */
    uint64_t rules;  /* the rules that read this set here */
} Check;

typedef struct {
    Check *checks;   /* the distinct sets read at this place, with the rules reading each */
    Py_ssize_t n;
    uint64_t need;   /* the rules that read a character here (their sets reach this far) */
    uint64_t any;    /* of those, the rules that take any character here */
} Level;

#define SLOW 255  /* the class of the BMP characters read through the sets (when the classes ran out) */

typedef struct {
    PyObject_HEAD
    PyObject *sets_given;   /* as given (for __reduce__) */
    PyObject *rules_given;  /* as given (for __reduce__) */
    Set *sets;
    Py_ssize_t nsets;
    Level *levels;          /* depth + 1 of them: the last reads the character before (its rules: those killed) */
    int depth;
    uint64_t all;
    int nclasses;
    uint8_t *cls;           /* 65536: a BMP character's class (0: in no set's characters or ranges) */
    uint64_t *table;        /* (depth + 1) x 256: by level and class, the rules the character passes (kills) there */
    uint64_t (*cats)[4];    /* depth + 1: by category bit (1, 2, 4), the rules a character of it passes (kills) there;
                             * [0]: any of them */
    uint8_t *first;         /* 8192 bytes: BMP characters in some rule's first set */
} Heads;

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
holds(const Set *s, Py_UCS4 c)
{
    const Range *r = s->ranges;
    Py_ssize_t n = s->n;
    if (n <= 8) {
        for (Py_ssize_t i = 0; i < n; i++)
            if (r[i].lo <= c && c <= r[i].hi)
                return 1;
    }
    else {
        Py_ssize_t lo = 0, hi = n;
        while (lo < hi) {  /* the first range whose hi is c or more */
            Py_ssize_t mid = (lo + hi) / 2;
            if (r[mid].hi < c)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < n && r[lo].lo <= c)
            return 1;
    }
    return s->categories ? in_category(s->categories, c) : 0;
}

static int
range_order(const void *a, const void *b)
{
    uint32_t x = ((const Range *)a)->lo, y = ((const Range *)b)->lo;
    return x < y ? -1 : x > y;
}

static void
free_fields(Heads *self)
{
    if (self->sets != NULL) {
        for (Py_ssize_t i = 0; i < self->nsets; i++)
            PyMem_Free(self->sets[i].ranges);
        PyMem_Free(self->sets);
    }
    if (self->levels != NULL) {
        for (int j = 0; j <= self->depth; j++)
            PyMem_Free(self->levels[j].checks);
        PyMem_Free(self->levels);
    }
    PyMem_Free(self->cls);
    PyMem_Free(self->table);
    PyMem_Free(self->cats);
    PyMem_Free(self->first);
    self->sets = NULL;
    self->levels = NULL;
    self->cls = NULL;
    self->table = NULL;
    self->cats = NULL;
    self->first = NULL;
    self->nsets = 0;
    self->depth = self->nclasses = 0;
    self->all = 0;
}

static void
Heads_dealloc(Heads *self)
{
    free_fields(self);
    Py_XDECREF(self->sets_given);
    Py_XDECREF(self->rules_given);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* one set from (chars, ranges, categories) */
static int
make_set(PyObject *given, Set *out)
{
    PyObject *chars, *ranges;
    int categories;
    if (!PyTuple_Check(given)) {
        PyErr_SetString(PyExc_TypeError, "a set is (chars, ranges, categories)");
        return -1;
    }
    if (!PyArg_ParseTuple(given, "UOi;a set is (chars, ranges, categories)", &chars, &ranges, &categories))
        return -1;
    if (categories & ~CAT_ALL) {
        PyErr_SetString(PyExc_ValueError, "categories: 1 (\\d), 2 (\\w), 4 (\\s)");
        return -1;
    }
    PyObject *seq = PySequence_Tuple(ranges);
    if (seq == NULL)
        return -1;
    Py_ssize_t nchars = PyUnicode_GET_LENGTH(chars), nranges = PyTuple_GET_SIZE(seq);
    Range *r = PyMem_Calloc((size_t)(nchars + nranges + 1), sizeof(Range));
    if (r == NULL) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t n = 0;
    for (Py_ssize_t i = 0; i < nchars; i++) {
        Py_UCS4 c = PyUnicode_READ_CHAR(chars, i);
        r[n++] = (Range){c, c};
    }
    for (Py_ssize_t i = 0; i < nranges; i++) {
        unsigned long lo, hi;
        if (!PyArg_ParseTuple(PyTuple_GET_ITEM(seq, i), "kk;a range is (lo, hi), two code points", &lo, &hi)) {
            PyMem_Free(r);
            Py_DECREF(seq);
            return -1;
        }
        if (lo > hi || hi > 0x10FFFF) {
            PyErr_SetString(PyExc_ValueError, "a range is (lo, hi) with lo <= hi <= 0x10FFFF");
            PyMem_Free(r);
            Py_DECREF(seq);
            return -1;
        }
        r[n++] = (Range){(uint32_t)lo, (uint32_t)hi};
    }
    Py_DECREF(seq);
    qsort(r, (size_t)n, sizeof(Range), range_order);
    Py_ssize_t kept = 0;  /* overlapping or touching ranges merged */
    for (Py_ssize_t i = 0; i < n; i++) {
        if (kept > 0 && r[i].lo <= r[kept - 1].hi + 1) {
            if (r[i].hi > r[kept - 1].hi)
                r[kept - 1].hi = r[i].hi;
        }
        else
            r[kept++] = r[i];
    }
    out->ranges = r;
    out->n = kept;
    out->categories = categories;
    return 0;
}

/* ``rules`` bit ``bit`` reads set ``set`` in ``checks`` (the distinct sets of one place) */
static void
add_check(Check *checks, Py_ssize_t *n, Py_ssize_t set, uint64_t bit)
{
    for (Py_ssize_t i = 0; i < *n; i++)
        if (checks[i].set == set) {
            checks[i].rules |= bit;
            return;
        }
    checks[*n].set = set;
    checks[*n].rules = bit;
    (*n)++;
}

static void
set_bits(uint8_t *bmp, uint32_t lo, uint32_t hi)
{
    if (hi > 0xFFFF)
        hi = 0xFFFF;
    for (uint32_t c = lo; c <= hi; c++)
        bmp[c >> 3] |= (uint8_t)(1u << (c & 7));
}

/* The classes of the BMP: characters alike in every set's characters and ranges (not its categories) share one, and
 * ``table`` holds, by level and class, the rules such a character passes there (at the last level, the character
 * before: the rules it kills). Made check by check: the characters of a check's set move from their class to the
 * class of the same rules plus the check's (found among those made, or made); past 254 classes, to SLOW. */
static int
make_classes(Heads *self)
{
    int levels = self->depth + 1;
    uint64_t *rows = PyMem_Calloc((size_t)256 * (size_t)levels, sizeof(uint64_t));  /* class c: rows[c * levels + j] */
    self->cls = PyMem_Calloc(65536, 1);
    if (rows == NULL || self->cls == NULL) {
        PyMem_Free(rows);
        PyErr_NoMemory();
        return -1;
    }
    int nclasses = 1;  /* class 0: in no set */
    uint8_t remap[256];
    for (int j = 0; j < levels; j++) {
        const Level *level = &self->levels[j];
        for (Py_ssize_t k = 0; k < level->n; k++) {
            const Check *check = &level->checks[k];
            const Set *set = &self->sets[check->set];
            memset(remap, 0, sizeof remap);  /* 0: not met yet (no class moves to 0) */
            /* its ranges, then (r == n) the characters below 256 of its categories (those past them are read at
             * each character); a character met twice moves to the class it is in */
            for (Py_ssize_t r = 0; r <= set->n; r++) {
                uint32_t lo = r < set->n ? set->ranges[r].lo : 0;
                uint32_t hi = r < set->n ? (set->ranges[r].hi > 0xFFFF ? 0xFFFF : set->ranges[r].hi)
                                         : (set->categories ? 255 : 0);
                if (r == set->n && !set->categories)
                    break;
                for (uint32_t c = lo; c <= hi; c++) {
                    if (r == set->n && !in_category(set->categories, c))
                        continue;
                    uint8_t old = self->cls[c];
                    if (old == SLOW)
                        continue;
                    if (remap[old] == 0) {
                        /* the class of old's rules plus this check's at level j: an existing one, or a new one */
                        uint64_t *from = &rows[(size_t)old * (size_t)levels];
                        int found = 0;
                        for (int x = 1; x < nclasses && !found; x++) {
                            const uint64_t *to = &rows[(size_t)x * (size_t)levels];
                            int same = 1;
                            for (int y = 0; y < levels && same; y++)
                                same = to[y] == (y == j ? from[y] | check->rules : from[y]);
                            if (same)
                                found = x;
                        }
                        if (!found && nclasses < SLOW) {
                            found = nclasses++;
                            uint64_t *to = &rows[(size_t)found * (size_t)levels];
                            memcpy(to, from, sizeof(uint64_t) * (size_t)levels);
                            to[j] |= check->rules;
                        }
                        remap[old] = (uint8_t)(found ? found : SLOW);
                    }
                    self->cls[c] = remap[old];
                }
            }
        }
    }
    /* the table: a rule that reads no character at a level, or any, passes there whatever the class */
    self->table = PyMem_Calloc((size_t)256 * (size_t)levels, sizeof(uint64_t));
    if (self->table == NULL) {
        PyMem_Free(rows);
        PyErr_NoMemory();
        return -1;
    }
    for (int j = 0; j < levels; j++) {
        uint64_t free_ = j < self->depth ? ~self->levels[j].need | self->levels[j].any : 0;
        for (int x = 0; x < nclasses; x++)
            self->table[(size_t)j * 256 + (size_t)x] = rows[(size_t)x * (size_t)levels + (size_t)j] | free_;
    }
    self->nclasses = nclasses;
    PyMem_Free(rows);
    return 0;
}

static int
Heads_init(Heads *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"sets", "rules", NULL};
    PyObject *sets_in, *rules_in;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO:Heads", kwlist, &sets_in, &rules_in))
        return -1;
    PyObject *sets = PySequence_Tuple(sets_in);
    if (sets == NULL)
        return -1;
    PyObject *rules = PySequence_Tuple(rules_in);
    if (rules == NULL) {
        Py_DECREF(sets);
        return -1;
    }
    free_fields(self);
    Py_ssize_t nsets = PyTuple_GET_SIZE(sets), nrules = PyTuple_GET_SIZE(rules);
    if (nrules < 1 || nrules > MAX_RULES) {
        PyErr_SetString(PyExc_ValueError, "rules: 1 to 64");
        goto fail;
    }
    self->sets = PyMem_Calloc((size_t)nsets + 1, sizeof(Set));
    if (self->sets == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t i = 0; i < nsets; i++) {
        if (make_set(PyTuple_GET_ITEM(sets, i), &self->sets[i]) < 0)
            goto fail;
        self->nsets = i + 1;
    }
    /* the rules: (not_before, (set, …)), checked, and the deepest place any reads */
    int depth = 0;
    for (Py_ssize_t r = 0; r < nrules; r++) {
        PyObject *rule = PyTuple_GET_ITEM(rules, r), *reads;
        Py_ssize_t before;
        if (!PyTuple_Check(rule)) {
            PyErr_SetString(PyExc_TypeError, "a rule is (not_before, sets)");
            goto fail;
        }
        if (!PyArg_ParseTuple(rule, "nO!;a rule is (not_before, sets)", &before, &PyTuple_Type, &reads))
            goto fail;
        Py_ssize_t len = PyTuple_GET_SIZE(reads);
        if (len < 1 || len > MAX_DEPTH) {
            PyErr_SetString(PyExc_ValueError, "a rule reads 1 to 16 characters");
            goto fail;
        }
        if (before < -1 || before >= nsets) {
            PyErr_SetString(PyExc_ValueError, "not_before: -1 or a set's index");
            goto fail;
        }
        for (Py_ssize_t j = 0; j < len; j++) {
            Py_ssize_t s = PyLong_AsSsize_t(PyTuple_GET_ITEM(reads, j));
            if (s == -1 && PyErr_Occurred())
                goto fail;
            if (s < -1 || s >= nsets) {
                PyErr_SetString(PyExc_ValueError, "a rule's set: -1 or a set's index");
                goto fail;
            }
        }
        if (len > depth)
            depth = (int)len;
    }
    /* depth levels of the characters from the place on, and one of the character before it */
    self->levels = PyMem_Calloc((size_t)depth + 1, sizeof(Level));
    self->cats = PyMem_Calloc((size_t)depth + 1, sizeof(uint64_t[4]));
    self->first = PyMem_Calloc(8192, 1);
    if (self->levels == NULL || self->cats == NULL || self->first == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    self->depth = depth;
    for (int j = 0; j <= depth; j++) {
        self->levels[j].checks = PyMem_Calloc((size_t)nrules, sizeof(Check));
        if (self->levels[j].checks == NULL) {
            PyErr_NoMemory();
            goto fail;
        }
    }
    int first_categories = 0;
    for (Py_ssize_t r = 0; r < nrules; r++) {
        PyObject *rule = PyTuple_GET_ITEM(rules, r);
        Py_ssize_t before = PyLong_AsSsize_t(PyTuple_GET_ITEM(rule, 0));
        PyObject *reads = PyTuple_GET_ITEM(rule, 1);
        uint64_t bit = (uint64_t)1 << r;
        self->all |= bit;
        if (before >= 0) {
            Level *level = &self->levels[depth];
            level->need |= bit;
            add_check(level->checks, &level->n, before, bit);
        }
        for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(reads); j++) {
            Py_ssize_t s = PyLong_AsSsize_t(PyTuple_GET_ITEM(reads, j));
            Level *level = &self->levels[j];
            level->need |= bit;
            if (s < 0)
                level->any |= bit;
            else
                add_check(level->checks, &level->n, s, bit);
            if (j == 0) {  /* the first characters: one bitmap of the BMP */
                if (s < 0)
                    memset(self->first, 0xFF, 8192);
                else {
                    const Set *set = &self->sets[s];
                    for (Py_ssize_t k = 0; k < set->n; k++)
                        set_bits(self->first, set->ranges[k].lo, set->ranges[k].hi);
                    first_categories |= set->categories;
                }
            }
        }
    }
    for (int j = 0; j <= depth; j++) {  /* the rules a category passes (kills) at each level */
        const Level *level = &self->levels[j];
        for (Py_ssize_t k = 0; k < level->n; k++) {
            int categories = self->sets[level->checks[k].set].categories;
            for (int bit = 1; bit <= 4; bit <<= 1)
                if (categories & bit) {
                    self->cats[j][bit == 4 ? 3 : bit] |= level->checks[k].rules;
                    self->cats[j][0] |= level->checks[k].rules;
                }
        }
    }
    if (first_categories) {  /* folded into the bitmap once */
        for (uint32_t c = 0; c < 65536; c++)
            if (in_category(first_categories, c))
                self->first[c >> 3] |= (uint8_t)(1u << (c & 7));
    }
    if (make_classes(self) < 0)
        goto fail;
    Py_XSETREF(self->sets_given, sets);
    Py_XSETREF(self->rules_given, rules);
    return 0;
fail:
    free_fields(self);
    Py_DECREF(sets);
    Py_DECREF(rules);
    return -1;
}

/* the rules a character passes at level j (at the last level: the rules it kills), of those in ``alive`` */
static inline uint64_t
passed(const Heads *self, int j, Py_UCS4 c, uint64_t alive)
{
    uint64_t got;
    uint8_t x = c < 65536 ? self->cls[c] : SLOW;
    if (x != SLOW)
        got = self->table[(size_t)j * 256 + x];
    else {  /* read through the sets (their categories too: below) */
        const Level *level = &self->levels[j];
        got = j < self->depth ? ~level->need | level->any : 0;
        for (Py_ssize_t k = 0; k < level->n; k++) {
            const Check *check = &level->checks[k];
            if ((check->rules & alive & ~got) && holds(&self->sets[check->set], c))
                got |= check->rules;
        }
        return got;
    }
    const uint64_t *cats = self->cats[j];
    if (c > 255 && (cats[0] & alive & ~got)) {  /* a set's categories: in the classes below 256 only */
        if ((cats[CAT_DIGIT] & alive & ~got) && Py_UNICODE_ISDECIMAL(c))
            got |= cats[CAT_DIGIT];
        if ((cats[CAT_WORD] & alive & ~got) && (Py_UNICODE_ISALNUM(c) || c == '_'))
            got |= cats[CAT_WORD];
        if ((cats[3] & alive & ~got) && Py_UNICODE_ISSPACE(c))
            got |= cats[3];
    }
    return got;
}

/* whether some rule passes at ``i`` of the text (``n`` characters) */
static inline int
passes(const Heads *self, int kind, const void *data, Py_ssize_t n, Py_ssize_t i)
{
    /* the first character, then the one before (inside a number most places fail there), then the rest */
    uint64_t alive = passed(self, 0, PyUnicode_READ(kind, data, i), self->all) & self->all;
    if (alive && i > 0 && self->levels[self->depth].n)
        alive &= ~passed(self, self->depth, PyUnicode_READ(kind, data, i - 1), alive);
    for (int j = 1; j < self->depth && alive; j++) {
        if (i + j >= n) {  /* the rules that read a character here cannot pass */
            alive &= ~self->levels[j].need;
            break;
        }
        alive &= passed(self, j, PyUnicode_READ(kind, data, i + j), alive);
    }
    return alive != 0;
}

static PyObject *
Heads_find(Heads *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (self->table == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Heads not initialised");
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
        if (start < 0)  /* as a pattern's pos: below 0 is 0 */
            start = 0;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    const uint8_t *first = self->first;
    switch (kind) {
    case PyUnicode_1BYTE_KIND: {
        const Py_UCS1 *p = data;
        for (Py_ssize_t i = start; i < n; i++)
            if (((first[p[i] >> 3] >> (p[i] & 7)) & 1) && passes(self, kind, data, n, i))
                return PyLong_FromSsize_t(i);
        break;
    }
    case PyUnicode_2BYTE_KIND: {
        const Py_UCS2 *p = data;
        for (Py_ssize_t i = start; i < n; i++)
            if (((first[p[i] >> 3] >> (p[i] & 7)) & 1) && passes(self, kind, data, n, i))
                return PyLong_FromSsize_t(i);
        break;
    }
    default: {
        const Py_UCS4 *p = data;
        for (Py_ssize_t i = start; i < n; i++)
            if ((p[i] > 0xFFFF || ((first[p[i] >> 3] >> (p[i] & 7)) & 1)) && passes(self, kind, data, n, i))
                return PyLong_FromSsize_t(i);
        break;
    }
    }
    return PyLong_FromSsize_t(-1);
}

static PyObject *
Heads_reduce(Heads *self, PyObject *Py_UNUSED(ignored))
{
    if (self->table == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Heads not initialised");
        return NULL;
    }
    return Py_BuildValue("O(OO)", (PyObject *)Py_TYPE(self), self->sets_given, self->rules_given);
}

static PyMethodDef Heads_methods[] = {
    {"find", (PyCFunction)(void (*)(void))Heads_find, METH_FASTCALL,
     "find(text, start=0): the first place from start on (below 0 is 0) that passes some rule, or -1"},
    {"__reduce__", (PyCFunction)Heads_reduce, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject HeadsType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "hotline._kernels.mask.Heads",
    .tp_basicsize = sizeof(Heads),
    .tp_dealloc = (destructor)Heads_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Heads(sets, rules): where a text first holds a place that passes one of the rules "
              "(not_before, sets): the characters from there in the sets, the one before not in not_before",
    .tp_methods = Heads_methods,
    .tp_init = (initproc)Heads_init,
    .tp_new = PyType_GenericNew,
};

static struct PyModuleDef mask_module = {
    PyModuleDef_HEAD_INIT, "hotline._kernels.mask", "Where a match of the masking rules may begin.", -1, NULL,
};

PyMODINIT_FUNC
PyInit_mask(void)
{
    if (PyType_Ready(&HeadsType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&mask_module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&HeadsType);
    if (PyModule_AddObject(m, "Heads", (PyObject *)&HeadsType) < 0) {
        Py_DECREF(&HeadsType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
