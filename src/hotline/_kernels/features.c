/* The act featurizer's two loops over a batch's clauses in C: ``Segmenter._walk`` (each text cut into clause spans)
 * and the walk of ``Featurizer._remembered`` (each clause's feature text looked up in the memo).
 *
 * ``walk`` reads each str's code points in place (PyUnicode_KIND/DATA: no one-character string made per character, no
 * boxed int per position) and cuts where ``Segmenter._unquoted`` cuts: at a separator (a byte per code point in
 * ``seps``), except a point or comma between two digits (``str.isdigit`` of one character: Py_UNICODE_ISDIGIT) and a
 * dash or ellipsis after a one-character word (``text[start:i].strip("—…")`` of length 1) that is not the text's last
 * character. A clause longer than ``long`` is read as ``Segmenter.spans`` reads it when the caller gives the markers
 * and windows (``split``: cut before the markers as ``_split_long`` cuts, windows over a piece still longer); without
 * them the text gets None: the caller reads it with ``Segmenter.spans``.
 *
 * ``remembered`` makes each clause's string (PyUnicode_Substring, as ``text[s:e]``) and looks it up in the memo of
 * its mark, returning the feature texts with the clauses not known in their place, their positions and their marks:
 * what ``_remembered``'s loop leaves for the one ``_abstract`` call over the clauses not known.
 *
 * Module functions, no state: nothing to pickle. Bad arguments raise TypeError/ValueError, never crash. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define POINT 0x2E
#define COMMA 0x2C
#define DASH 0x2014
#define ELLIPSIS 0x2026
#define MARKS 16 /* one-character marks kept per call (a batch's marks are few) */

typedef struct {
    Py_UCS4 cp[MARKS];
    PyObject *str[MARKS];
    int n;
} MarkCache;

/* the one-character string of ``cp`` (a new reference), one object per code point in a call */
static PyObject *
mark_of(MarkCache *cache, Py_UCS4 cp)
{
    for (int j = 0; j < cache->n; j++) {
        if (cache->cp[j] == cp) {
            Py_INCREF(cache->str[j]);
            return cache->str[j];
        }
    }
    PyObject *s = PyUnicode_FromOrdinal((int)cp);
    if (s == NULL)
        return NULL;
    if (cache->n < MARKS) {
        cache->cp[cache->n] = cp;
        cache->str[cache->n] = s;
        cache->n++;
        Py_INCREF(s);
    }
    return s;
}

static void
marks_free(MarkCache *cache)
{
    for (int j = 0; j < cache->n; j++)
        Py_DECREF(cache->str[j]);
    cache->n = 0;
}

static PyObject *
span(Py_ssize_t start, Py_ssize_t end, PyObject *mark)
{
    PyObject *a = PyLong_FromSsize_t(start);
    if (a == NULL)
        return NULL;
    PyObject *b = PyLong_FromSsize_t(end);
    if (b == NULL) {
        Py_DECREF(a);
        return NULL;
    }
    PyObject *t = PyTuple_New(3);
    if (t == NULL) {
        Py_DECREF(a);
        Py_DECREF(b);
        return NULL;
    }
    Py_INCREF(mark);
    PyTuple_SET_ITEM(t, 0, a);
    PyTuple_SET_ITEM(t, 1, b);
    PyTuple_SET_ITEM(t, 2, mark);
    return t;
}

/* ``row.append((start, end, mark))``: 0, or -1 with an exception set */
static int
append_span(PyObject *row, Py_ssize_t start, Py_ssize_t end, PyObject *mark)
{
    PyObject *t = span(start, end, mark);
    if (t == NULL)
        return -1;
    int r = PyList_Append(row, t);
    Py_DECREF(t);
    return r;
}

/* how ``walk`` reads a clause longer than ``long`` (``Segmenter.spans``): cut before the markers (``_split_long``),
 * and each piece still longer read in windows too; ``markers`` NULL: the text is handed back (None) */
typedef struct {
    PyObject *markers;      /* a list of non-empty str, in the markers regex's order (longest first), or NULL */
    Py_ssize_t min_piece, window, stride;
    unsigned char *first;   /* a bit per BMP code point that begins a marker (8192 bytes) */
    int astral;             /* a marker begins past the BMP */
} Long;

/* the length of the first marker that matches data[p:end] at p (the alternation's match there), or 0 */
static Py_ssize_t
marker_at(const Long *lg, int kind, const void *data, Py_ssize_t p, Py_ssize_t end)
{
    Py_UCS4 c = PyUnicode_READ(kind, data, p);
    if (c < 65536 ? !(lg->first[c >> 3] & (1u << (c & 7))) : !lg->astral)
        return 0;  /* (no marker begins with it: most characters) */
    PyObject *markers = lg->markers;
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(markers); k++) {
        PyObject *w = PyList_GET_ITEM(markers, k);
        Py_ssize_t len = PyUnicode_GET_LENGTH(w);
        if (p + len > end || PyUnicode_READ_CHAR(w, 0) != c)
            continue;
        int wk = PyUnicode_KIND(w);
        const void *wd = PyUnicode_DATA(w);
        Py_ssize_t j = 1;
        while (j < len && PyUnicode_READ(wk, wd, j) == PyUnicode_READ(kind, data, p + j))
            j++;
        if (j == len)
            return len;
    }
    return 0;
}

/* ``Segmenter._split_long``: the clause text[start:end] closed by ``mark`` appended to ``row`` in pieces cut at the
 * markers (``markers.finditer(text, start, end)``: each match searched for from the last one's end) that leave at
 * least ``min_piece`` characters on either side; the last piece keeps the mark. 0, or -1 with an exception set */
static int
split_long(PyObject *row, int kind, const void *data, Py_ssize_t start, Py_ssize_t end, PyObject *mark,
           const Long *lg, Py_ssize_t long_, PyObject *empty)
{
    if (PyList_GET_SIZE(lg->markers) == 0 || end - start <= long_)
        return append_span(row, start, end, mark);
    Py_ssize_t last = start;  /* the last cut */
    Py_ssize_t p = start;
    while (p < end) {
        Py_ssize_t len = marker_at(lg, kind, data, p, end);
        if (len == 0) {
            p++;
            continue;
        }
        if (p - last >= lg->min_piece && end - p >= lg->min_piece) {
            if (append_span(row, last, p, empty) < 0)
                return -1;
            last = p;
        }
        p += len;
    }
    return append_span(row, last, end, mark);
}

/* ``Segmenter.spans``' windows: after each clause of ``row`` longer than ``long``, windows of ``window`` characters
 * every ``stride`` from its start, and the one ending where it ends. A new list, or NULL with an exception set */
static PyObject *
add_windows(PyObject *row, const Long *lg, Py_ssize_t long_, PyObject *empty)
{
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t j = 0; j < PyList_GET_SIZE(row); j++) {
        PyObject *t = PyList_GET_ITEM(row, j);
        if (PyList_Append(out, t) < 0)
            goto fail;
        Py_ssize_t a = PyLong_AsSsize_t(PyTuple_GET_ITEM(t, 0)), b = PyLong_AsSsize_t(PyTuple_GET_ITEM(t, 1));
        if (b - a <= long_)
            continue;
        Py_ssize_t last = b - lg->window;
        for (Py_ssize_t w = a; w < last; w += lg->stride)
            if (append_span(out, w, w + lg->window, empty) < 0)
                goto fail;
        if (append_span(out, last, last + lg->window, empty) < 0)
            goto fail;
    }
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

/* one text's spans as a tuple, or None (a clause longer than ``long`` and no ``lg``: the caller reads it); NULL on
 * error */
static PyObject *
walk_text(PyObject *text, const unsigned char *seps, Py_ssize_t top, Py_ssize_t long_, MarkCache *cache,
          PyObject *empty, const Long *lg)
{
    if (PyUnicode_READY(text) < 0)
        return NULL;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t size = PyUnicode_GET_LENGTH(text);
    PyObject *row = PyList_New(0);
    if (row == NULL)
        return NULL;
    int has_long = 0;
    Py_ssize_t start = 0;
    for (Py_ssize_t i = 0; i < size; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if ((Py_ssize_t)c >= top || seps[c] == 0)
            continue;
        if (c == POINT || c == COMMA) {
            if (0 < i && i < size - 1 && Py_UNICODE_ISDIGIT(PyUnicode_READ(kind, data, i - 1))
                && Py_UNICODE_ISDIGIT(PyUnicode_READ(kind, data, i + 1)))
                continue;
        }
        else if ((c == DASH || c == ELLIPSIS) && i + 1 < size) {
            /* len(text[start:i].strip("—…")) == 1 */
            Py_ssize_t lo = start, hi = i;
            while (lo < hi) {
                Py_UCS4 x = PyUnicode_READ(kind, data, lo);
                if (x != DASH && x != ELLIPSIS)
                    break;
                lo++;
            }
            while (hi > lo) {
                Py_UCS4 x = PyUnicode_READ(kind, data, hi - 1);
                if (x != DASH && x != ELLIPSIS)
                    break;
                hi--;
            }
            if (hi - lo == 1)
                continue;
        }
        if (i > start) {
            PyObject *mark = mark_of(cache, c);
            if (mark == NULL)
                goto fail;
            int r;
            if (i - start <= long_)
                r = append_span(row, start, i, mark);
            else if (lg == NULL) {
                Py_DECREF(mark);
                Py_DECREF(row);
                Py_RETURN_NONE;
            }
            else {
                r = split_long(row, kind, data, start, i, mark, lg, long_, empty);
                has_long = 1;
            }
            Py_DECREF(mark);
            if (r < 0)
                goto fail;
        }
        else {
            Py_ssize_t n = PyList_GET_SIZE(row);
            if (n > 0) {
                /* a mark right after another: the last clause's mark grows, unless it ends with this one */
                PyObject *last = PyList_GET_ITEM(row, n - 1);
                PyObject *old = PyTuple_GET_ITEM(last, 2);
                Py_ssize_t len = PyUnicode_GET_LENGTH(old);
                if (len == 0 || PyUnicode_READ_CHAR(old, len - 1) != c) {
                    PyObject *ch = mark_of(cache, c);
                    if (ch == NULL)
                        goto fail;
                    PyObject *grown = PyUnicode_Concat(old, ch);
                    Py_DECREF(ch);
                    if (grown == NULL)
                        goto fail;
                    PyObject *t = span(PyLong_AsSsize_t(PyTuple_GET_ITEM(last, 0)),
                                       PyLong_AsSsize_t(PyTuple_GET_ITEM(last, 1)), grown);
                    Py_DECREF(grown);
                    if (t == NULL)
                        goto fail;
                    if (PyList_SetItem(row, n - 1, t) < 0)
                        goto fail;
                }
            }
        }
        start = i + 1;
    }
    if (start < size) {
        int r;
        if (size - start <= long_)
            r = append_span(row, start, size, empty);
        else if (lg == NULL) {
            Py_DECREF(row);
            Py_RETURN_NONE;
        }
        else {
            r = split_long(row, kind, data, start, size, empty, lg, long_, empty);
            has_long = 1;
        }
        if (r < 0)
            goto fail;
    }
    if (has_long) {
        PyObject *all = add_windows(row, lg, long_, empty);
        Py_DECREF(row);
        if (all == NULL)
            return NULL;
        row = all;
    }
    PyObject *out = PyList_AsTuple(row);
    Py_DECREF(row);
    return out;
fail:
    Py_DECREF(row);
    return NULL;
}

PyDoc_STRVAR(walk_doc,
"walk(texts, seps, long, split=None) -> list\n\n"
"``Segmenter._walk``'s rows: each text's (start, end, mark) spans as a tuple. ``seps[c]`` is nonzero for a separator.\n"
"A clause longer than ``long``: with ``split`` (markers, min_piece, window, stride) read as ``Segmenter.spans`` reads\n"
"it (cut before the markers, given as non-empty str in the markers regex's order; windows over a piece still\n"
"longer); without, the text's row is None (the caller reads that text with ``Segmenter.spans``).");

static PyObject *
features_walk(PyObject *self, PyObject *args)
{
    PyObject *texts;
    Py_buffer seps;
    Py_ssize_t long_;
    PyObject *split = Py_None;
    if (!PyArg_ParseTuple(args, "O!y*n|O:walk", &PyList_Type, &texts, &seps, &long_, &split))
        return NULL;
    Long lg = {NULL, 0, 0, 0, NULL, 0};
    if (split != Py_None) {
        PyObject *markers;
        if (!PyArg_ParseTuple(split, "O!nnn:walk's split", &PyList_Type, &markers, &lg.min_piece, &lg.window,
                              &lg.stride)) {
            PyBuffer_Release(&seps);
            return NULL;
        }
        for (Py_ssize_t k = 0; k < PyList_GET_SIZE(markers); k++) {
            PyObject *w = PyList_GET_ITEM(markers, k);
            if (!PyUnicode_Check(w) || PyUnicode_READY(w) < 0 || PyUnicode_GET_LENGTH(w) == 0) {
                if (!PyErr_Occurred())
                    PyErr_SetString(PyExc_ValueError, "walk: the markers are non-empty str");
                PyBuffer_Release(&seps);
                return NULL;
            }
        }
        if (lg.stride < 1) {
            PyErr_SetString(PyExc_ValueError, "walk: a stride of 1 or more");
            PyBuffer_Release(&seps);
            return NULL;
        }
        lg.first = PyMem_Calloc(65536 / 8, 1);
        if (lg.first == NULL) {
            PyBuffer_Release(&seps);
            return PyErr_NoMemory();
        }
        for (Py_ssize_t k = 0; k < PyList_GET_SIZE(markers); k++) {
            Py_UCS4 c = PyUnicode_READ_CHAR(PyList_GET_ITEM(markers, k), 0);
            if (c < 65536)
                lg.first[c >> 3] |= (unsigned char)(1u << (c & 7));
            else
                lg.astral = 1;
        }
        lg.markers = markers;
    }
    PyObject *empty = PyUnicode_FromStringAndSize("", 0);
    PyObject *out = empty == NULL ? NULL : PyList_New(PyList_GET_SIZE(texts));
    if (out == NULL) {
        Py_XDECREF(empty);
        PyMem_Free(lg.first);
        PyBuffer_Release(&seps);
        return NULL;
    }
    MarkCache cache;
    cache.n = 0;
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(texts); k++) {
        PyObject *text = PyList_GET_ITEM(texts, k);
        if (!PyUnicode_Check(text)) {
            PyErr_SetString(PyExc_TypeError, "walk: texts must be str");
            goto fail;
        }
        PyObject *row = walk_text(text, (const unsigned char *)seps.buf, seps.len, long_, &cache, empty,
                                  lg.markers == NULL ? NULL : &lg);
        if (row == NULL)
            goto fail;
        PyList_SET_ITEM(out, k, row);
    }
    marks_free(&cache);
    Py_DECREF(empty);
    PyMem_Free(lg.first);
    PyBuffer_Release(&seps);
    return out;
fail:
    marks_free(&cache);
    Py_DECREF(empty);
    Py_DECREF(out);
    PyMem_Free(lg.first);
    PyBuffer_Release(&seps);
    return NULL;
}

/* ---- Abstracter: ``Featurizer._abstract`` ----
 *
 * The class words' regex (``class_regex``: at each position the first word of the alternation that matches there,
 * the words longest first; a word whose first character is a digit (``str.isdigit``) only where no ASCII digit is
 * before or after it), each match replaced by its symbol, scanning on from the match's end as ``re.sub`` does; then
 * in that result each run ``[0-9][0-9*.]*`` replaced by the number symbol. The words are grouped by their first
 * code point (in the order given), found through a bitmap of the BMP's first characters and a binary search. */

typedef struct {
    PyObject_HEAD
    PyObject *words;        /* the list it was built from (for __reduce__) */
    PyObject *symbols;      /* each word's replacement (for __reduce__) */
    PyObject *number;       /* the number symbol (for __reduce__) */
    Py_ssize_t ngroups;
    Py_UCS4 *first;         /* each group's first code point, sorted */
    Py_ssize_t *group_at;   /* group g's words: member[group_at[g] .. group_at[g + 1]) */
    Py_ssize_t *member;     /* word indices, in the order given within a group */
    unsigned char *guard;   /* per group: its first character is a digit */
    Py_ssize_t nwords;
    Py_ssize_t *word_at;    /* word i: chars[word_at[i] .. word_at[i + 1]) */
    Py_ssize_t *rep_at;     /* its replacement: reps[rep_at[i] .. rep_at[i + 1]) */
    Py_UCS4 *chars;
    Py_UCS4 *reps;
    Py_UCS4 num;
    unsigned char *bmp;     /* 8192 bytes: a bit per BMP code point that starts a word */
} Abstracter;

static void
abstracter_free(Abstracter *a)
{
    PyMem_Free(a->first);
    PyMem_Free(a->group_at);
    PyMem_Free(a->member);
    PyMem_Free(a->guard);
    PyMem_Free(a->word_at);
    PyMem_Free(a->rep_at);
    PyMem_Free(a->chars);
    PyMem_Free(a->reps);
    PyMem_Free(a->bmp);
    a->first = NULL;
    a->group_at = a->member = a->word_at = a->rep_at = NULL;
    a->guard = a->bmp = NULL;
    a->chars = a->reps = NULL;
}

static void
Abstracter_dealloc(Abstracter *a)
{
    abstracter_free(a);
    Py_XDECREF(a->words);
    Py_XDECREF(a->symbols);
    Py_XDECREF(a->number);
    Py_TYPE(a)->tp_free((PyObject *)a);
}

static int
Abstracter_init(Abstracter *a, PyObject *args, PyObject *kwds)
{
    PyObject *words, *symbols, *number;
    if (kwds != NULL && PyDict_GET_SIZE(kwds) > 0) {
        PyErr_SetString(PyExc_TypeError, "Abstracter takes no keyword arguments");
        return -1;
    }
    if (!PyArg_ParseTuple(args, "O!O!U:Abstracter", &PyList_Type, &words, &PyList_Type, &symbols, &number))
        return -1;
    Py_ssize_t n = PyList_GET_SIZE(words);
    if (PyList_GET_SIZE(symbols) != n) {
        PyErr_SetString(PyExc_ValueError, "Abstracter: a symbol per word");
        return -1;
    }
    if (PyUnicode_READY(number) < 0)
        return -1;
    if (PyUnicode_GET_LENGTH(number) != 1) {
        PyErr_SetString(PyExc_ValueError, "Abstracter: the number symbol is one character");
        return -1;
    }
    abstracter_free(a);
    Py_XSETREF(a->words, PyList_GetSlice(words, 0, n));
    Py_XSETREF(a->symbols, PyList_GetSlice(symbols, 0, n));
    Py_INCREF(number);
    Py_XSETREF(a->number, number);
    if (a->words == NULL || a->symbols == NULL)
        return -1;
    words = a->words;
    symbols = a->symbols;
    a->num = PyUnicode_READ_CHAR(number, 0);
    a->nwords = n;
    Py_ssize_t nchars = 0, nreps = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *w = PyList_GET_ITEM(words, i), *r = PyList_GET_ITEM(symbols, i);
        if (!PyUnicode_Check(w) || !PyUnicode_Check(r) || PyUnicode_READY(w) < 0 || PyUnicode_READY(r) < 0) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "Abstracter: words and symbols are str");
            return -1;
        }
        if (PyUnicode_GET_LENGTH(w) == 0) {
            PyErr_SetString(PyExc_ValueError, "Abstracter: an empty word");
            return -1;
        }
        nchars += PyUnicode_GET_LENGTH(w);
        nreps += PyUnicode_GET_LENGTH(r);
    }
    a->word_at = PyMem_Calloc(n + 1, sizeof(Py_ssize_t));
    a->rep_at = PyMem_Calloc(n + 1, sizeof(Py_ssize_t));
    a->chars = PyMem_Calloc(nchars + 1, sizeof(Py_UCS4));
    a->reps = PyMem_Calloc(nreps + 1, sizeof(Py_UCS4));
    a->first = PyMem_Calloc(n + 1, sizeof(Py_UCS4));
    a->group_at = PyMem_Calloc(n + 2, sizeof(Py_ssize_t));
    a->member = PyMem_Calloc(n + 1, sizeof(Py_ssize_t));
    a->guard = PyMem_Calloc(n + 1, 1);
    a->bmp = PyMem_Calloc(65536 / 8, 1);
    if (!a->word_at || !a->rep_at || !a->chars || !a->reps || !a->first || !a->group_at || !a->member || !a->guard
        || !a->bmp) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t at = 0, rat = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *w = PyList_GET_ITEM(words, i), *r = PyList_GET_ITEM(symbols, i);
        a->word_at[i] = at;
        a->rep_at[i] = rat;
        if (PyUnicode_AsUCS4(w, a->chars + at, nchars + 1 - at, 0) == NULL)
            return -1;
        if (PyUnicode_GET_LENGTH(r) > 0 && PyUnicode_AsUCS4(r, a->reps + rat, nreps + 1 - rat, 0) == NULL)
            return -1;
        at += PyUnicode_GET_LENGTH(w);
        rat += PyUnicode_GET_LENGTH(r);
    }
    a->word_at[n] = at;
    a->rep_at[n] = rat;
    /* the groups: distinct first code points, sorted; each one's words in the order given */
    Py_ssize_t ng = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = a->chars[a->word_at[i]];
        Py_ssize_t g = 0;
        while (g < ng && a->first[g] != c)
            g++;
        if (g == ng)
            a->first[ng++] = c;
    }
    /* insertion sort of the first code points (few) */
    for (Py_ssize_t i = 1; i < ng; i++) {
        Py_UCS4 c = a->first[i];
        Py_ssize_t j = i;
        while (j > 0 && a->first[j - 1] > c) {
            a->first[j] = a->first[j - 1];
            j--;
        }
        a->first[j] = c;
    }
    a->ngroups = ng;
    Py_ssize_t m = 0;
    for (Py_ssize_t g = 0; g < ng; g++) {
        Py_UCS4 c = a->first[g];
        a->group_at[g] = m;
        a->guard[g] = Py_UNICODE_ISDIGIT(c) ? 1 : 0;
        for (Py_ssize_t i = 0; i < n; i++)
            if (a->chars[a->word_at[i]] == c)
                a->member[m++] = i;
        if (c < 65536)
            a->bmp[c >> 3] |= (unsigned char)(1u << (c & 7));
    }
    a->group_at[ng] = m;
    return 0;
}

/* the group of words starting with ``c``, or -1 */
static inline Py_ssize_t
group_of(const Abstracter *a, Py_UCS4 c)
{
    if (c < 65536 && !(a->bmp[c >> 3] & (1u << (c & 7))))
        return -1;
    Py_ssize_t lo = 0, hi = a->ngroups;
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
        if (a->first[mid] < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < a->ngroups && a->first[lo] == c ? lo : -1;
}

#define ASCII_DIGIT(c) ((c) >= '0' && (c) <= '9')

typedef struct {
    Py_UCS4 *buf;
    Py_ssize_t len, cap;
} Out;

static int
out_reserve(Out *o, Py_ssize_t more)
{
    if (o->len + more <= o->cap)
        return 0;
    Py_ssize_t cap = o->cap * 2;
    if (cap < o->len + more)
        cap = o->len + more;
    if (cap < 64)
        cap = 64;
    Py_UCS4 *b = PyMem_Realloc(o->buf, (size_t)cap * sizeof(Py_UCS4));
    if (b == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    o->buf = b;
    o->cap = cap;
    return 0;
}

/* the class words of text[0:n] replaced, appended to ``o`` */
static int
replace_words(const Abstracter *a, int kind, const void *data, Py_ssize_t n, Out *o)
{
    if (out_reserve(o, n) < 0)
        return -1;
    Py_ssize_t i = 0;
    while (i < n) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        Py_ssize_t g = a->ngroups > 0 ? group_of(a, c) : -1;
        if (g >= 0 && !(a->guard[g] && i > 0 && ASCII_DIGIT(PyUnicode_READ(kind, data, i - 1)))) {
            Py_ssize_t hit = -1, len = 0;
            for (Py_ssize_t k = a->group_at[g]; k < a->group_at[g + 1]; k++) {
                Py_ssize_t w = a->member[k];
                const Py_UCS4 *chars = a->chars + a->word_at[w];
                len = a->word_at[w + 1] - a->word_at[w];
                if (i + len > n)
                    continue;
                Py_ssize_t j = 1;
                while (j < len && PyUnicode_READ(kind, data, i + j) == chars[j])
                    j++;
                if (j < len)
                    continue;
                if (a->guard[g] && i + len < n && ASCII_DIGIT(PyUnicode_READ(kind, data, i + len)))
                    continue;
                hit = w;
                break;
            }
            if (hit >= 0) {
                Py_ssize_t rlen = a->rep_at[hit + 1] - a->rep_at[hit];
                if (rlen > len && out_reserve(o, rlen - len + (n - i)) < 0)
                    return -1;
                memcpy(o->buf + o->len, a->reps + a->rep_at[hit], (size_t)rlen * sizeof(Py_UCS4));
                o->len += rlen;
                i += len;
                continue;
            }
        }
        o->buf[o->len++] = c;
        i++;
    }
    return 0;
}

/* the runs [0-9][0-9*.]* of o->buf[from:] replaced by the number symbol, in place */
static void
replace_numbers(const Abstracter *a, Out *o, Py_ssize_t from)
{
    Py_UCS4 *b = o->buf;
    Py_ssize_t i = from, j = from, n = o->len;
    while (i < n) {
        Py_UCS4 c = b[i];
        if (ASCII_DIGIT(c)) {
            i++;
            while (i < n && (ASCII_DIGIT(b[i]) || b[i] == '*' || b[i] == '.'))
                i++;
            b[j++] = a->num;
        }
        else {
            b[j++] = c;
            i++;
        }
    }
    o->len = j;
}

static PyObject *
Abstracter_abstract(Abstracter *a, PyObject *text)
{
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "abstract: a str");
        return NULL;
    }
    if (PyUnicode_READY(text) < 0)
        return NULL;
    Out o = {NULL, 0, 0};
    if (replace_words(a, PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text), &o) < 0) {
        PyMem_Free(o.buf);
        return NULL;
    }
    replace_numbers(a, &o, 0);
    PyObject *out = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, o.buf ? o.buf : (Py_UCS4 *)"", o.len);
    PyMem_Free(o.buf);
    return out;
}

static PyObject *
Abstracter_reduce(Abstracter *a, PyObject *Py_UNUSED(ignored))
{
    if (a->words == NULL) {
        PyErr_SetString(PyExc_ValueError, "Abstracter not initialised");
        return NULL;
    }
    return Py_BuildValue("O(OOO)", Py_TYPE(a), a->words, a->symbols, a->number);
}

static PyMethodDef Abstracter_methods[] = {
    {"abstract", (PyCFunction)Abstracter_abstract, METH_O,
     "``Featurizer._abstract``: class words, then runs of digits, replaced by their symbols."},
    {"__reduce__", (PyCFunction)Abstracter_reduce, METH_NOARGS, "Rebuilt from its words and symbols."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject AbstracterType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "hotline._kernels.features.Abstracter",
    .tp_basicsize = sizeof(Abstracter),
    .tp_dealloc = (destructor)Abstracter_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Abstracter(words, symbols, number): ``Featurizer._abstract`` in C.",
    .tp_methods = Abstracter_methods,
    .tp_init = (initproc)Abstracter_init,
    .tp_new = PyType_GenericNew,
};

/* what a clause's feature text keeps of the mark that closed it (``Featurizer._tail``): '?' when the mark holds one,
 * else '!' when it holds one, else 0 (nothing) */
static Py_UCS4
tail_of(PyObject *mark)
{
    Py_UCS4 tail = 0;
    int kind = PyUnicode_KIND(mark);
    const void *data = PyUnicode_DATA(mark);
    Py_ssize_t n = PyUnicode_GET_LENGTH(mark);
    for (Py_ssize_t i = 0; i < n && tail != '?'; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c == '?' || c == '!')
            tail = c;
    }
    if (tail == '!') {  /* '?' anywhere wins */
        for (Py_ssize_t i = 0; i < n; i++)
            if (PyUnicode_READ(kind, data, i) == '?')
                tail = '?';
    }
    return tail;
}

/* the feature text of the clause ``data[s:e]`` (of ``kind``) closed by a mark of ``tail``: ``^`` + clause + tail +
 * ``$``, abstracted */
static PyObject *
feature_span(const Abstracter *a, int ck, const void *cd, Py_ssize_t s, Py_ssize_t e, Py_UCS4 tail, Out *o)
{
    Py_ssize_t len = e - s;
    o->len = 0;
    if (out_reserve(o, len + 3) < 0)
        return NULL;
    /* "^" + clause + tail + "$" as one text (the words may hold ^ or $, as in Python's joined pieces) */
    Py_UCS4 *piece = PyMem_Malloc((size_t)(len + 3) * sizeof(Py_UCS4));
    if (piece == NULL)
        return PyErr_NoMemory();
    Py_ssize_t p = 0;
    piece[p++] = '^';
    for (Py_ssize_t i = s; i < e; i++)
        piece[p++] = PyUnicode_READ(ck, cd, i);
    if (tail)
        piece[p++] = tail;
    piece[p++] = '$';
    int r = replace_words(a, PyUnicode_4BYTE_KIND, piece, p, o);
    PyMem_Free(piece);
    if (r < 0)
        return NULL;
    replace_numbers(a, o, 0);
    return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, o->buf, o->len);
}

/* a clause's feature text: ``^`` + clause + what its mark keeps (``?``/``!``) + ``$``, abstracted */
static PyObject *
feature_of(const Abstracter *a, PyObject *clause, PyObject *mark, Out *o)
{
    return feature_span(a, PyUnicode_KIND(clause), PyUnicode_DATA(clause), 0, PyUnicode_GET_LENGTH(clause),
                        tail_of(mark), o);
}

PyDoc_STRVAR(remembered_doc,
"remembered(texts, spans, known, abstracter, limit) -> list\n\n"
"``Featurizer._remembered``: for each clause ``texts[k][s:e]`` of ``spans[k]``, its feature text from\n"
"``known[mark][clause]``, or made (``abstracter``) and put there once the walk is over (``known`` cleared first\n"
"when it would hold more than ``limit``).");

static PyObject *
features_remembered(PyObject *self, PyObject *args)
{
    PyObject *texts, *spans, *known, *abstracter;
    Py_ssize_t limit;
    if (!PyArg_ParseTuple(args, "O!O!O!O!n:remembered", &PyList_Type, &texts, &PyList_Type, &spans, &PyDict_Type,
                          &known, &AbstracterType, &abstracter, &limit))
        return NULL;
    if (PyList_GET_SIZE(texts) != PyList_GET_SIZE(spans)) {
        PyErr_SetString(PyExc_ValueError, "a row of spans per text");
        return NULL;
    }
    const Abstracter *ab = (const Abstracter *)abstracter;
    if (ab->bmp == NULL) {
        PyErr_SetString(PyExc_ValueError, "Abstracter not initialised");
        return NULL;
    }
    PyObject *mark = NULL;  /* borrowed: the mark read last (kept alive by its span) */
    PyObject *memo = NULL;  /* the memo of ``mark`` (a reference held: a str subclass's __eq__ could edit known) */
    Py_ssize_t *todo = NULL;  /* the positions in ``out`` of the clauses not known */
    PyObject **marks = NULL;  /* the mark of each (borrowed: ``spans`` holds them) */
    Py_ssize_t ntodo = 0, captodo = 0;
    Out o = {NULL, 0, 0};
    PyObject *out = PyList_New(0);
    if (out == NULL)
        goto fail;
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(texts); k++) {
        PyObject *text = PyList_GET_ITEM(texts, k);
        PyObject *row = PyList_GET_ITEM(spans, k);
        if (!PyUnicode_Check(text) || !PyTuple_Check(row)) {
            PyErr_SetString(PyExc_TypeError, "remembered: a str and a tuple of spans per turn");
            goto fail;
        }
        if (PyUnicode_READY(text) < 0)
            goto fail;
        Py_ssize_t size = PyUnicode_GET_LENGTH(text);
        for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(row); j++) {
            PyObject *t = PyTuple_GET_ITEM(row, j);
            if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 3 || !PyLong_Check(PyTuple_GET_ITEM(t, 0))
                || !PyLong_Check(PyTuple_GET_ITEM(t, 1)) || !PyUnicode_Check(PyTuple_GET_ITEM(t, 2))) {
                PyErr_SetString(PyExc_TypeError, "remembered: a span is (int, int, str)");
                goto fail;
            }
            Py_ssize_t s = PyLong_AsSsize_t(PyTuple_GET_ITEM(t, 0));
            Py_ssize_t e = PyLong_AsSsize_t(PyTuple_GET_ITEM(t, 1));
            if ((s == -1 || e == -1) && PyErr_Occurred())
                goto fail;
            PyObject *m = PyTuple_GET_ITEM(t, 2);
            if (PyUnicode_READY(m) < 0)
                goto fail;
            PyObject *clause;
            if (0 <= s && s <= e && e <= size) {
                clause = PyUnicode_Substring(text, s, e);
            }
            else {  /* what ``text[s:e]`` gives (never from the segmenter's spans) */
                PyObject *slice = PySlice_New(PyTuple_GET_ITEM(t, 0), PyTuple_GET_ITEM(t, 1), NULL);
                if (slice == NULL)
                    goto fail;
                clause = PyObject_GetItem(text, slice);
                Py_DECREF(slice);
            }
            if (clause == NULL)
                goto fail;
            if (m != mark) {
                mark = m;
                Py_CLEAR(memo);
                memo = PyDict_GetItemWithError(known, m);
                if (memo == NULL && PyErr_Occurred()) {
                    Py_DECREF(clause);
                    goto fail;
                }
                Py_XINCREF(memo);
                if (memo != NULL && !PyDict_Check(memo)) {
                    Py_DECREF(clause);
                    PyErr_SetString(PyExc_TypeError, "remembered: known holds a dict per mark");
                    goto fail;
                }
            }
            PyObject *got = memo == NULL ? NULL : PyDict_GetItemWithError(memo, clause);
            if (got == NULL && PyErr_Occurred()) {
                Py_DECREF(clause);
                goto fail;
            }
            if (got == NULL) {
                if (ntodo == captodo) {
                    Py_ssize_t cap = captodo ? captodo * 2 : 64;
                    Py_ssize_t *t2 = PyMem_Realloc(todo, (size_t)cap * sizeof(Py_ssize_t));
                    if (t2 != NULL)
                        todo = t2;
                    PyObject **m2 = t2 == NULL ? NULL : PyMem_Realloc(marks, (size_t)cap * sizeof(PyObject *));
                    if (m2 != NULL)
                        marks = m2;
                    if (t2 == NULL || m2 == NULL) {
                        Py_DECREF(clause);
                        PyErr_NoMemory();
                        goto fail;
                    }
                    captodo = cap;
                }
                todo[ntodo] = PyList_GET_SIZE(out);
                marks[ntodo] = m;
                ntodo++;
                got = clause;  /* (the clause, until its feature text is made) */
            }
            int r = PyList_Append(out, got);
            Py_DECREF(clause);
            if (r < 0)
                goto fail;
        }
    }
    Py_CLEAR(memo);
    if (ntodo > 0) {
        /* sum(map(len, known.values())) + len(todo) > limit: forgotten all at once, before the new are added */
        Py_ssize_t held = ntodo, pos = 0;
        PyObject *key, *value;
        while (PyDict_Next(known, &pos, &key, &value)) {
            Py_ssize_t n = PyObject_Length(value);
            if (n < 0)
                goto fail;
            held += n;
        }
        if (held > limit)
            PyDict_Clear(known);
        for (Py_ssize_t i = 0; i < ntodo; i++) {
            PyObject *clause = PyList_GET_ITEM(out, todo[i]);
            PyObject *feature = feature_of(ab, clause, marks[i], &o);
            if (feature == NULL)
                goto fail;
            PyObject *d = PyDict_GetItemWithError(known, marks[i]);
            if (d == NULL) {
                if (PyErr_Occurred()) {
                    Py_DECREF(feature);
                    goto fail;
                }
                PyObject *fresh = PyDict_New();
                if (fresh == NULL || PyDict_SetItem(known, marks[i], fresh) < 0) {
                    Py_XDECREF(fresh);
                    Py_DECREF(feature);
                    goto fail;
                }
                d = fresh;
                Py_DECREF(fresh);  /* (known holds it) */
            }
            if (!PyDict_Check(d)) {
                Py_DECREF(feature);
                PyErr_SetString(PyExc_TypeError, "remembered: known holds a dict per mark");
                goto fail;
            }
            if (PyDict_SetItem(d, clause, feature) < 0) {
                Py_DECREF(feature);
                goto fail;
            }
            PyList_SetItem(out, todo[i], feature);  /* (steals feature; the clause, still in ``d``, lives on) */
        }
    }
    PyMem_Free(o.buf);
    PyMem_Free(todo);
    PyMem_Free(marks);
    return out;
fail:
    Py_XDECREF(memo);
    Py_XDECREF(out);
    PyMem_Free(o.buf);
    PyMem_Free(todo);
    PyMem_Free(marks);
    return NULL;
}

/* ---- ClauseMemo: ``ActModel.clause_batch``'s feature texts and act probabilities, clause by clause ----
 *
 * One speaker's memo, in two tables: a clause (its code points, read in place from the turn) and what its feature
 * text keeps of its mark (``tail_of``) -> its row entry; a feature text -> its row entry: the text and its row of act
 * probabilities (float32, ``width`` of them: what ``SpeakerModel.probabilities`` gives the text; many clauses have one
 * text: numbers and class words are abstracted). ``batch`` reads a batch's clauses (``Featurizer._remembered``'s walk
 * over ``spans``), copies the row of each clause it holds into the batch's block, makes the feature text of each
 * clause it does not hold (``feature_span``, as ``_remembered`` makes it; once per batch however often the batch
 * repeats the clause), reads that text's row when it holds the text, has the caller's ``score`` compute the rows of
 * the texts it does not hold (one call, a list of them, each once), and keeps them. A feature text depends on its
 * clause and mark only, and a row on its text only (``probabilities``' cache relies on that too): the same texts and
 * the same bits as ``_remembered`` and ``probabilities``, without a string made, hashed and looked up twice per clause
 * (the clause's and the feature text's) and a bytes row joined per clause.
 *
 * Open-addressing tables (linear probing, at most half full) of entries holding their key's code points; the memo
 * never holds more than ``limit`` clauses (both tables cleared at once when a batch's new clauses would take it past;
 * a row entry is kept with a clause only, so there are no more texts than clauses). Nothing is kept while ``score``
 * runs (another thread may use the memo then): the new entries are put in after it returns, an entry already there
 * (put in meanwhile) kept. A cache: ``__reduce__`` makes an empty one. */

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001B3ull
#define MEMO_SPREAD 0x9E3779B97F4A7C15ull

typedef struct Entry {
    uint64_t hash;
    Py_ssize_t len;           /* the key's code points (``cps``): a clause's, or a row entry's feature text's */
    Py_UCS4 tail;             /* a clause's mark's tail (0 for a row entry) */
    int kept;                 /* (a batch's new entry) put in the memo */
    PyObject *feature;        /* a row entry's feature text, or a new clause's (a reference held); NULL: a kept clause */
    struct Entry *target;     /* a kept clause's row entry */
    Py_ssize_t index;         /* a new clause's or text's place among the batch's new rows (-1: a row the memo held) */
    float *row;               /* a row entry's probabilities (a new clause's: a copy of the row the memo held) */
    Py_UCS4 cps[];
} Entry;

typedef struct {
    Entry **slots;
    Py_ssize_t cap;       /* a power of two, or 0 */
    int shift;
    Py_ssize_t count;
} Table;

typedef struct {
    PyObject_HEAD
    Py_ssize_t width;
    Py_ssize_t limit;
    Table clauses;        /* clause -> its row entry */
    Table rows;           /* feature text -> its row entry */
} ClauseMemo;

static void
entry_free(Entry *x)
{
    Py_XDECREF(x->feature);
    PyMem_Free(x);
}

static void
table_clear(Table *t, int free_entries)
{
    if (free_entries) {
        for (Py_ssize_t i = 0; i < t->cap; i++)
            if (t->slots[i] != NULL)
                entry_free(t->slots[i]);
    }
    PyMem_Free(t->slots);
    t->slots = NULL;
    t->cap = 0;
    t->shift = 64;
    t->count = 0;
}

static void
memo_clear(ClauseMemo *m)
{
    table_clear(&m->clauses, 1);  /* (first: they point at the row entries) */
    table_clear(&m->rows, 1);
}

static inline uint64_t
clause_hash(int kind, const void *data, Py_ssize_t s, Py_ssize_t e, Py_UCS4 tail)
{
    uint64_t h = (FNV_OFFSET ^ tail) * FNV_PRIME;
    if (kind == PyUnicode_1BYTE_KIND)
        for (Py_ssize_t i = s; i < e; i++)
            h = (h ^ ((const Py_UCS1 *)data)[i]) * FNV_PRIME;
    else if (kind == PyUnicode_2BYTE_KIND)
        for (Py_ssize_t i = s; i < e; i++)
            h = (h ^ ((const Py_UCS2 *)data)[i]) * FNV_PRIME;
    else
        for (Py_ssize_t i = s; i < e; i++)
            h = (h ^ ((const Py_UCS4 *)data)[i]) * FNV_PRIME;
    return h;
}

/* the entry of the key data[s:e] with ``tail`` (hashed ``h``), or NULL */
static Entry *
table_find(const Table *t, uint64_t h, int kind, const void *data, Py_ssize_t s, Py_ssize_t e, Py_UCS4 tail)
{
    if (t->cap == 0)
        return NULL;
    Py_ssize_t len = e - s;
    size_t mask = (size_t)t->cap - 1;
    size_t at = (size_t)((h * MEMO_SPREAD) >> t->shift);
    for (;;) {
        Entry *x = t->slots[at];
        if (x == NULL)
            return NULL;
        if (x->hash == h && x->len == len && x->tail == tail) {
            Py_ssize_t i = 0;
            while (i < len && x->cps[i] == PyUnicode_READ(kind, data, s + i))
                i++;
            if (i == len)
                return x;
        }
        at = (at + 1) & mask;
    }
}

/* ``x`` put in a free slot (the table has one: at most half full) */
static void
table_place(Table *t, Entry *x)
{
    size_t mask = (size_t)t->cap - 1;
    size_t at = (size_t)((x->hash * MEMO_SPREAD) >> t->shift);
    while (t->slots[at] != NULL)
        at = (at + 1) & mask;
    t->slots[at] = x;
    t->count++;
}

/* ``x`` put in ``t``, grown first to stay at most half full: 0, or -1 with MemoryError (``x`` not put in) */
static int
table_put(Table *t, Entry *x)
{
    if ((t->count + 1) * 2 > t->cap) {
        Py_ssize_t cap = t->cap ? t->cap * 2 : 16;
        int shift = 64;
        for (Py_ssize_t c = cap; c > 1; c >>= 1)
            shift--;
        Entry **slots = PyMem_Calloc((size_t)cap, sizeof(Entry *));
        if (slots == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        Table grown = {slots, cap, shift, 0};
        for (Py_ssize_t i = 0; i < t->cap; i++)
            if (t->slots[i] != NULL)
                table_place(&grown, t->slots[i]);
        PyMem_Free(t->slots);
        *t = grown;
    }
    table_place(t, x);
    return 0;
}

/* a new entry keyed by data[s:e] and ``tail``, with room for ``floats`` floats of row (none: no row); NULL on error */
static Entry *
entry_new(uint64_t h, int kind, const void *data, Py_ssize_t s, Py_ssize_t e, Py_UCS4 tail, Py_ssize_t floats)
{
    Py_ssize_t len = e - s;
    Entry *x = PyMem_Malloc(sizeof(Entry) + (size_t)len * sizeof(Py_UCS4) + (size_t)floats * sizeof(float));
    if (x == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    x->hash = h;
    x->len = len;
    x->tail = tail;
    x->kept = 0;
    x->feature = NULL;
    x->target = NULL;
    x->index = -1;
    x->row = floats ? (float *)(x->cps + len) : NULL;
    for (Py_ssize_t i = 0; i < len; i++)
        x->cps[i] = PyUnicode_READ(kind, data, s + i);
    return x;
}

/* a growing list of entries: 0, or -1 with MemoryError */
static int
entries_push(Entry ***list, Py_ssize_t *n, Py_ssize_t *cap, Entry *x)
{
    if (*n == *cap) {
        Py_ssize_t c = *cap ? *cap * 2 : 64;
        Entry **grown = PyMem_Realloc(*list, (size_t)c * sizeof(Entry *));
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        *list = grown;
        *cap = c;
    }
    (*list)[(*n)++] = x;
    return 0;
}

static inline uint64_t
text_hash(PyObject *s)
{
    return clause_hash(PyUnicode_KIND(s), PyUnicode_DATA(s), 0, PyUnicode_GET_LENGTH(s), 0);
}

static inline Entry *
row_find(const Table *t, uint64_t h, PyObject *s)
{
    return table_find(t, h, PyUnicode_KIND(s), PyUnicode_DATA(s), 0, PyUnicode_GET_LENGTH(s), 0);
}

static PyObject *
ClauseMemo_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *names[] = {"width", "limit", NULL};
    Py_ssize_t width, limit;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "nn:ClauseMemo", names, &width, &limit))
        return NULL;
    if (width < 1 || width > (1 << 20) || limit < 0) {
        PyErr_SetString(PyExc_ValueError, "ClauseMemo: a width of 1 or more and a limit of 0 or more");
        return NULL;
    }
    ClauseMemo *m = (ClauseMemo *)type->tp_alloc(type, 0);
    if (m == NULL)
        return NULL;
    m->width = width;
    m->limit = limit;
    Table empty = {NULL, 0, 64, 0};
    m->clauses = empty;
    m->rows = empty;
    return (PyObject *)m;
}

static void
ClauseMemo_dealloc(ClauseMemo *m)
{
    memo_clear(m);
    Py_TYPE(m)->tp_free((PyObject *)m);
}

/* the score's rows (float32, C-contiguous, ``rows`` x ``width``) as a buffer: 1, or 0 with an exception set */
static int
score_rows(PyObject *obj, Py_buffer *view, Py_ssize_t rows, Py_ssize_t width)
{
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return 0;
    const char *f = view->format;
    int ok = f != NULL && (strcmp(f, "f") == 0 || strcmp(f, "<f") == 0 || strcmp(f, "=f") == 0) &&
             view->itemsize == 4 && view->ndim == 2 && view->shape[0] == rows && view->shape[1] == width;
    if (!ok) {
        PyBuffer_Release(view);
        PyErr_SetString(PyExc_ValueError, "ClauseMemo.batch: score gives float32 rows, one per new text");
        return 0;
    }
    return 1;
}

PyDoc_STRVAR(memo_batch_doc,
"batch(texts, spans, abstracter, score) -> tuple[list[str], bytearray] | None\n\n"
"The feature text of each clause ``texts[k][s:e]`` of ``spans[k]`` (``Featurizer._remembered``'s), and their rows of\n"
"probabilities one after another (float32 bytes, ``width`` a row): a clause or text the memo holds is read from it,\n"
"the other texts made and scored by one ``score(new feature texts)`` call (float32 rows, C-contiguous), then kept.\n"
"None when a span is not (int, int, str) within its text: the caller's Python path reads those.");

static PyObject *
ClauseMemo_batch(ClauseMemo *m, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4 || !PyList_Check(args[0]) || !PyList_Check(args[1])
        || !PyObject_TypeCheck(args[2], &AbstracterType)) {
        PyErr_SetString(PyExc_TypeError, "batch(texts: list[str], spans: list, abstracter: Abstracter, score)");
        return NULL;
    }
    PyObject *texts = args[0], *spans = args[1], *score = args[3];
    const Abstracter *ab = (const Abstracter *)args[2];
    if (ab->bmp == NULL) {
        PyErr_SetString(PyExc_ValueError, "Abstracter not initialised");
        return NULL;
    }
    Py_ssize_t nt = PyList_GET_SIZE(texts);
    if (PyList_GET_SIZE(spans) != nt) {
        PyErr_SetString(PyExc_ValueError, "a row of spans per text");
        return NULL;
    }
    /* the clauses counted, and every span checked: (int, int, str) within its text, else the Python path */
    Py_ssize_t n = 0;
    for (Py_ssize_t k = 0; k < nt; k++) {
        PyObject *text = PyList_GET_ITEM(texts, k), *row = PyList_GET_ITEM(spans, k);
        if (!PyUnicode_Check(text) || !PyTuple_Check(row))
            Py_RETURN_NONE;
        if (PyUnicode_READY(text) < 0)
            return NULL;
        Py_ssize_t size = PyUnicode_GET_LENGTH(text);
        for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(row); j++) {
            PyObject *t = PyTuple_GET_ITEM(row, j);
            if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 3 || !PyLong_CheckExact(PyTuple_GET_ITEM(t, 0))
                || !PyLong_CheckExact(PyTuple_GET_ITEM(t, 1)) || !PyUnicode_Check(PyTuple_GET_ITEM(t, 2)))
                Py_RETURN_NONE;
            Py_ssize_t s = PyLong_AsSsize_t(PyTuple_GET_ITEM(t, 0));
            Py_ssize_t e = PyLong_AsSsize_t(PyTuple_GET_ITEM(t, 1));
            if (s == -1 || e == -1) {
                PyErr_Clear();  /* (an int past Py_ssize_t: the Python path) */
                Py_RETURN_NONE;
            }
            if (!(0 <= s && s <= e && e <= size))
                Py_RETURN_NONE;
            if (PyUnicode_READY(PyTuple_GET_ITEM(t, 2)) < 0)
                return NULL;
        }
        n += PyTuple_GET_SIZE(row);
    }
    Py_ssize_t width = m->width;
    size_t rowbytes = (size_t)width * sizeof(float);
    if (n > PY_SSIZE_T_MAX / (Py_ssize_t)rowbytes)
        return PyErr_NoMemory();
    PyObject *out = PyList_New(n);
    PyObject *block = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)(n * rowbytes));
    Py_ssize_t *where = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(Py_ssize_t)); /* a new row's index, or -1 */
    Entry **fresh = NULL;  /* the new clauses, in the order first read (owned here until kept) */
    Py_ssize_t nfresh = 0, capfresh = 0;
    Entry **made = NULL;  /* the new texts (row entries), in the order first read: the rows ``score`` makes */
    Py_ssize_t nmade = 0, capmade = 0;
    Table pending = {NULL, 0, 64, 0};  /* the new clauses by clause (a clause repeated in the batch is made once) */
    Table unscored = {NULL, 0, 64, 0};  /* the new texts by text (a text of several new clauses is scored once) */
    Out o = {NULL, 0, 0};
    PyObject *news = NULL, *scored = NULL, *result = NULL;
    if (out == NULL || block == NULL || where == NULL) {
        if (where == NULL)
            PyErr_NoMemory();
        goto done;
    }
    float *dest = (float *)PyByteArray_AS_STRING(block);
    PyObject *mark = NULL;  /* the mark read last, and its tail */
    Py_UCS4 tail = 0;
    Py_ssize_t r = 0;
    for (Py_ssize_t k = 0; k < nt; k++) {
        PyObject *text = PyList_GET_ITEM(texts, k), *row = PyList_GET_ITEM(spans, k);
        int kind = PyUnicode_KIND(text);
        const void *data = PyUnicode_DATA(text);
        for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(row); j++, r++) {
            PyObject *t = PyTuple_GET_ITEM(row, j);
            Py_ssize_t s = PyLong_AsSsize_t(PyTuple_GET_ITEM(t, 0));
            Py_ssize_t e = PyLong_AsSsize_t(PyTuple_GET_ITEM(t, 1));
            PyObject *mk = PyTuple_GET_ITEM(t, 2);
            if (mk != mark) {
                mark = mk;
                tail = tail_of(mk);
            }
            uint64_t h = clause_hash(kind, data, s, e, tail);
            Entry *x = table_find(&m->clauses, h, kind, data, s, e, tail);
            if (x != NULL) {  /* a clause the memo holds */
                memcpy(dest + r * width, x->target->row, rowbytes);
                where[r] = -1;
                PyList_SET_ITEM(out, r, Py_NewRef(x->target->feature));
                continue;
            }
            x = table_find(&pending, h, kind, data, s, e, tail);
            if (x == NULL) {  /* a new clause: its feature text, and that text's row if the memo holds it */
                x = entry_new(h, kind, data, s, e, tail, width);
                if (x == NULL)
                    goto done;
                if (entries_push(&fresh, &nfresh, &capfresh, x) < 0) {
                    entry_free(x);
                    goto done;
                }
                if (table_put(&pending, x) < 0)
                    goto done;
                x->feature = feature_span(ab, kind, data, s, e, tail, &o);
                if (x->feature == NULL)
                    goto done;
                uint64_t fh = text_hash(x->feature);
                Entry *held = row_find(&m->rows, fh, x->feature);
                if (held != NULL)
                    memcpy(x->row, held->row, rowbytes);  /* (x->index -1) */
                else {
                    Entry *y = row_find(&unscored, fh, x->feature);
                    if (y == NULL) {
                        int fk = PyUnicode_KIND(x->feature);
                        y = entry_new(fh, fk, PyUnicode_DATA(x->feature), 0, PyUnicode_GET_LENGTH(x->feature), 0, width);
                        if (y == NULL)
                            goto done;
                        y->feature = Py_NewRef(x->feature);
                        y->index = nmade;
                        if (entries_push(&made, &nmade, &capmade, y) < 0) {
                            entry_free(y);
                            goto done;
                        }
                        if (table_put(&unscored, y) < 0)
                            goto done;
                    }
                    x->index = y->index;
                }
            }
            where[r] = x->index;
            if (x->index < 0)
                memcpy(dest + r * width, x->row, rowbytes);
            PyList_SET_ITEM(out, r, Py_NewRef(x->feature));
        }
    }
    if (nmade > 0) {
        news = PyList_New(nmade);
        if (news == NULL)
            goto done;
        for (Py_ssize_t i = 0; i < nmade; i++)
            PyList_SET_ITEM(news, i, Py_NewRef(made[i]->feature));
        scored = PyObject_CallOneArg(score, news);
        if (scored == NULL)
            goto done;
        Py_buffer view;
        if (!score_rows(scored, &view, nmade, width))
            goto done;
        for (Py_ssize_t i = 0; i < nmade; i++)
            memcpy(made[i]->row, (const char *)view.buf + i * rowbytes, rowbytes);
        PyBuffer_Release(&view);
        Py_CLEAR(scored);
        Py_CLEAR(news);
        /* (``block`` is this call's own: no other thread has it) */
        dest = (float *)PyByteArray_AS_STRING(block);
        for (Py_ssize_t q = 0; q < n; q++)
            if (where[q] >= 0)
                memcpy(dest + q * width, made[where[q]]->row, rowbytes);
    }
    if (nfresh > 0) {
        /* kept: the memo cleared first when they would take it past ``limit`` (and never past it); each clause with
         * the row entry of its text (the memo's, the batch's new one, or one made of the row the memo held) */
        if (m->clauses.count + nfresh > m->limit)
            memo_clear(m);
        for (Py_ssize_t i = 0; i < nfresh; i++) {
            Entry *x = fresh[i];
            if (m->clauses.count >= m->limit
                || table_find(&m->clauses, x->hash, PyUnicode_4BYTE_KIND, x->cps, 0, x->len, x->tail) != NULL)
                continue;
            uint64_t fh = text_hash(x->feature);
            Entry *y = row_find(&m->rows, fh, x->feature);
            if (y == NULL) {
                if (x->index >= 0)
                    y = made[x->index];  /* (not kept: else the memo would hold its text) */
                else {
                    int fk = PyUnicode_KIND(x->feature);
                    y = entry_new(fh, fk, PyUnicode_DATA(x->feature), 0, PyUnicode_GET_LENGTH(x->feature), 0, width);
                    if (y == NULL)
                        goto done;
                    y->feature = Py_NewRef(x->feature);
                    memcpy(y->row, x->row, rowbytes);
                    if (entries_push(&made, &nmade, &capmade, y) < 0) {
                        entry_free(y);
                        goto done;
                    }
                }
                if (table_put(&m->rows, y) < 0)
                    goto done;
                y->kept = 1;
            }
            if (table_put(&m->clauses, x) < 0)
                goto done;
            x->kept = 1;
            x->target = y;
            Py_CLEAR(x->feature);
        }
    }
    result = PyTuple_Pack(2, out, block);  /* (NULL when it fails: returned as the error) */
done:  /* the way out, a result made or not: what was not kept is freed */
    for (Py_ssize_t i = 0; i < nfresh; i++)
        if (!fresh[i]->kept)
            entry_free(fresh[i]);
    for (Py_ssize_t i = 0; i < nmade; i++)
        if (!made[i]->kept)
            entry_free(made[i]);
    PyMem_Free(fresh);
    PyMem_Free(made);
    table_clear(&pending, 0);
    table_clear(&unscored, 0);
    PyMem_Free(o.buf);
    PyMem_Free(where);
    Py_XDECREF(news);
    Py_XDECREF(scored);
    Py_XDECREF(out);
    Py_XDECREF(block);
    return result;
}

static PyObject *
ClauseMemo_clear(ClauseMemo *m, PyObject *Py_UNUSED(ignored))
{
    memo_clear(m);
    Py_RETURN_NONE;
}

static Py_ssize_t
ClauseMemo_len(ClauseMemo *m)
{
    return m->clauses.count;
}

static PyObject *
ClauseMemo_reduce(ClauseMemo *m, PyObject *Py_UNUSED(ignored))
{
    return Py_BuildValue("(O(nn))", (PyObject *)Py_TYPE(m), m->width, m->limit);
}

static PyObject *
ClauseMemo_get_width(ClauseMemo *m, void *Py_UNUSED(closure))
{
    return PyLong_FromSsize_t(m->width);
}

static PyObject *
ClauseMemo_get_limit(ClauseMemo *m, void *Py_UNUSED(closure))
{
    return PyLong_FromSsize_t(m->limit);
}

static PyGetSetDef ClauseMemo_getset[] = {
    {"width", (getter)ClauseMemo_get_width, NULL, "probabilities per row", NULL},
    {"limit", (getter)ClauseMemo_get_limit, NULL, "the most clauses kept", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMethodDef ClauseMemo_methods[] = {
    {"batch", (PyCFunction)(void (*)(void))ClauseMemo_batch, METH_FASTCALL, memo_batch_doc},
    {"clear", (PyCFunction)ClauseMemo_clear, METH_NOARGS, "Forget every clause."},
    {"__reduce__", (PyCFunction)ClauseMemo_reduce, METH_NOARGS, "An empty memo of the same width and limit."},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods ClauseMemo_as_sequence = {
    .sq_length = (lenfunc)ClauseMemo_len,
};

static PyTypeObject ClauseMemoType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "hotline._kernels.features.ClauseMemo",
    .tp_basicsize = sizeof(ClauseMemo),
    .tp_dealloc = (destructor)ClauseMemo_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = PyDoc_STR("ClauseMemo(width, limit): one speaker's clauses -> feature texts and act probabilities, "
                        "for ``ActModel.clause_batch``."),
    .tp_methods = ClauseMemo_methods,
    .tp_getset = ClauseMemo_getset,
    .tp_as_sequence = &ClauseMemo_as_sequence,
    .tp_new = ClauseMemo_new,
};

static PyMethodDef features_methods[] = {
    {"walk", features_walk, METH_VARARGS, walk_doc},
    {"remembered", features_remembered, METH_VARARGS, remembered_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef features_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "hotline._kernels.features",
    .m_doc = "The act featurizer's clause walks in C (``Segmenter._walk``, ``Featurizer._remembered``).",
    .m_size = -1,
    .m_methods = features_methods,
};

PyMODINIT_FUNC
PyInit_features(void)
{
    if (PyType_Ready(&AbstracterType) < 0 || PyType_Ready(&ClauseMemoType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&features_module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&AbstracterType);
    if (PyModule_AddObject(m, "Abstracter", (PyObject *)&AbstracterType) < 0) {
        Py_DECREF(&AbstracterType);
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(&ClauseMemoType);
    if (PyModule_AddObject(m, "ClauseMemo", (PyObject *)&ClauseMemoType) < 0) {
        Py_DECREF(&ClauseMemoType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
