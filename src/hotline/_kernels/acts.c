/* The act model's n-gram lookup and sums (``SpeakerModel._score`` up to the calibration) in one C call.
 *
 * For a batch of feature texts, every n-gram of every length the key table has (``KeyTable.lengths``, ascending)
 * over the JOINED texts, as ``_score``'s numpy path reads them (an n-gram running from one text into the next belongs
 * to the text it starts in): its key (``hashing.keys``' 64-bit polynomial: ``n`` then, a code point at a time,
 * ``k * MULTIPLIER + code point``, mod 2 ** 64), its vocabulary row (the row of the FIRST of equal keys in the sorted
 * table, as ``searchsorted`` finds it and ``KeyTable.unigrams`` reads it), and the weights of the rows found summed
 * into the text's row of ``out`` bit for bit as numpy sums them:
 *   - per length, a text's rows in position order are summed as ``np.add.reduceat(..., axis=0)`` sums a segment of a
 *     C-contiguous float32 array: the first row, plus (float32) numpy's pairwise sum of the others (``pairwise``
 *     below, numpy's ``FLOAT_pairwise_sum``: under 8 values added one by one from -0.0, up to 128 in 8 running sums
 *     combined ((0+1)+(2+3))+((4+5)+(6+7)) and the rest added one by one, more split in two at a multiple of 8);
 *   - that sum is added (float32) to the text's row, length after length (``z[used] += ...``);
 *   - a text with n-grams found is divided by the square root of their count in float64, rounded to float32
 *     (``z[used] /= np.sqrt(counts[used])[:, None]``: a float32 array divided by a float64 one).
 * Only adds, one division and a square root, all correctly rounded IEEE operations in the same order (no
 * multiply-add to contract): the same bits. The bias and the sigmoid stay in numpy.
 *
 * The table: the keys in an open-addressing hash table (linear probing, slot from the top bits of the key times an
 * odd constant, at most half full), the first row of equal keys kept; key 0 (the hash table's empty mark) is held
 * apart. 1-grams of the BMP are read from an array by code point (the key of a 1-gram is MULTIPLIER + its code point).
 * ``grams`` finds the n-grams of one text the same way for ``SpeakerModel._explain``, each with its weight of one act.
 * Built from the arrays at first use (a few million instructions for the shipped models); ``__reduce__`` rebuilds it
 * from the same arrays. Lengths that are not ascending, or below 1, are refused (ValueError): ``_score``'s numpy path
 * then runs. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define MULTIPLIER 0x100000001B3ull
#define SPREAD 0x9E3779B97F4A7C15ull
#define MAX_LENGTH 64
#define BMP 65536
#define LEVELS 64 /* pairwise sums split in two at most this deep (a text of 2 ** 64 characters) */

typedef struct {
    PyObject_HEAD
    PyObject *keys_obj;   /* what it was built from (for __reduce__) */
    PyObject *rows_obj;
    PyObject *lengths_obj;
    int nlengths;
    int lengths[MAX_LENGTH];
    uint64_t base[MAX_LENGTH];  /* n * MULTIPLIER ** n, the key's term of its length */
    uint64_t *slot_key;   /* 0: free */
    int32_t *slot_row;
    uint64_t mask;
    int shift;
    int32_t zero_row;     /* the row of key 0, -1: not in the table */
    int32_t *unigram;     /* BMP code point -> row of its 1-gram, -1: none */
    int64_t max_row;      /* the largest row (-1: no keys): the weights must have more rows */
} ActsKernel;

static inline int32_t
find(const ActsKernel *k, uint64_t key)
{
    if (key == 0)
        return k->zero_row;
    uint64_t at = (key * SPREAD) >> k->shift;
    for (;;) {
        uint64_t here = k->slot_key[at];
        if (here == key)
            return k->slot_row[at];
        if (here == 0)
            return -1;
        at = (at + 1) & k->mask;
    }
}

static void
ActsKernel_dealloc(ActsKernel *k)
{
    PyMem_Free(k->slot_key);
    PyMem_Free(k->slot_row);
    PyMem_Free(k->unigram);
    Py_XDECREF(k->keys_obj);
    Py_XDECREF(k->rows_obj);
    Py_XDECREF(k->lengths_obj);
    Py_TYPE(k)->tp_free((PyObject *)k);
}

static int
read_lengths(ActsKernel *k, PyObject *lengths)
{
    Py_ssize_t n = PyList_GET_SIZE(lengths);
    if (n > MAX_LENGTH) {
        PyErr_SetString(PyExc_ValueError, "too many n-gram lengths");
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyList_GET_ITEM(lengths, i);
        if (!PyLong_Check(item)) {
            PyErr_SetString(PyExc_TypeError, "lengths are int");
            return -1;
        }
        long v = PyLong_AsLong(item);
        if (v == -1 && PyErr_Occurred())
            return -1;
        if (v < 1 || v > MAX_LENGTH || (i > 0 && v <= k->lengths[i - 1])) {
            PyErr_SetString(PyExc_ValueError, "lengths must ascend, from 1");
            return -1;
        }
        k->lengths[i] = (int)v;
        uint64_t power = 1;
        for (long j = 0; j < v; j++)
            power *= MULTIPLIER;
        k->base[i] = (uint64_t)v * power;
    }
    k->nlengths = (int)n;
    return 0;
}

static int
build_table(ActsKernel *k, const uint64_t *keys, const int64_t *rows, Py_ssize_t n)
{
    int bits = 4;
    while (((Py_ssize_t)1 << bits) < 2 * n)
        bits++;
    if (bits > 40) {
        PyErr_SetString(PyExc_ValueError, "too many keys");
        return -1;
    }
    uint64_t size = (uint64_t)1 << bits;
    k->shift = 64 - bits;
    k->mask = size - 1;
    k->slot_key = PyMem_Calloc(size, sizeof(uint64_t));
    k->slot_row = PyMem_Malloc(size * sizeof(int32_t));
    k->unigram = PyMem_Malloc(BMP * sizeof(int32_t));
    if (!k->slot_key || !k->slot_row || !k->unigram) {
        PyErr_NoMemory();
        return -1;
    }
    memset(k->unigram, 0xff, BMP * sizeof(int32_t)); /* -1 */
    k->zero_row = -1;
    k->max_row = -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        uint64_t key = keys[i];
        int64_t row = rows[i];
        if (row < 0 || row > INT32_MAX) {
            PyErr_SetString(PyExc_ValueError, "a row out of range");
            return -1;
        }
        if (row > k->max_row)
            k->max_row = row;
        /* equal keys: the first one is kept (the one ``searchsorted`` finds in the sorted keys) */
        if (key - MULTIPLIER < BMP && k->unigram[key - MULTIPLIER] < 0)
            k->unigram[key - MULTIPLIER] = (int32_t)row;
        if (key == 0) {
            if (k->zero_row < 0)
                k->zero_row = (int32_t)row;
            continue;
        }
        uint64_t at = (key * SPREAD) >> k->shift;
        while (k->slot_key[at] != 0 && k->slot_key[at] != key)
            at = (at + 1) & k->mask;
        if (k->slot_key[at] == 0) {
            k->slot_key[at] = key;
            k->slot_row[at] = (int32_t)row;
        }
    }
    return 0;
}

static PyObject *
ActsKernel_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *names[] = {"keys", "rows", "lengths", NULL};
    PyObject *keys, *rows, *lengths;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOO!:ActsKernel", names, &keys, &rows, &PyList_Type, &lengths))
        return NULL;
    ActsKernel *k = (ActsKernel *)type->tp_alloc(type, 0);
    if (k == NULL)
        return NULL;
    Py_INCREF(keys);
    k->keys_obj = keys;
    Py_INCREF(rows);
    k->rows_obj = rows;
    k->lengths_obj = PyList_GetSlice(lengths, 0, PyList_GET_SIZE(lengths)); /* a copy: the caller's may change */
    if (k->lengths_obj == NULL || read_lengths(k, k->lengths_obj) < 0) {
        Py_DECREF(k);
        return NULL;
    }
    Py_buffer kv, rv;
    if (PyObject_GetBuffer(keys, &kv, PyBUF_C_CONTIGUOUS) < 0) {
        Py_DECREF(k);
        return NULL;
    }
    if (PyObject_GetBuffer(rows, &rv, PyBUF_C_CONTIGUOUS) < 0) {
        PyBuffer_Release(&kv);
        Py_DECREF(k);
        return NULL;
    }
    int ok = -1;
    if (kv.itemsize != 8 || rv.itemsize != 8 || kv.len != rv.len)
        PyErr_SetString(PyExc_ValueError, "keys (uint64) and rows (int64) of one length");
    else
        ok = build_table(k, (const uint64_t *)kv.buf, (const int64_t *)rv.buf, kv.len / 8);
    PyBuffer_Release(&kv);
    PyBuffer_Release(&rv);
    if (ok < 0) {
        Py_DECREF(k);
        return NULL;
    }
    return (PyObject *)k;
}

/* numpy's pairwise sum (FLOAT_pairwise_sum) of the weights of ``n`` rows, column by column, into ``out``; ``acc``
 * holds the 8 running sums (8 * na), ``spare`` a row per level of splitting */
static void
pairwise(const float *w, Py_ssize_t na, const int32_t *rows, Py_ssize_t n, float *out, float *acc, float *spare)
{
    if (n < 8) {
        for (Py_ssize_t c = 0; c < na; c++)
            out[c] = -0.0f;
        for (Py_ssize_t i = 0; i < n; i++) {
            const float *row = w + (Py_ssize_t)rows[i] * na;
            for (Py_ssize_t c = 0; c < na; c++)
                out[c] += row[c];
        }
    }
    else if (n <= 128) {
        for (int j = 0; j < 8; j++)
            memcpy(acc + j * na, w + (Py_ssize_t)rows[j] * na, na * sizeof(float));
        Py_ssize_t i;
        for (i = 8; i < n - (n % 8); i += 8) {
            for (int j = 0; j < 8; j++) {
                const float *row = w + (Py_ssize_t)rows[i + j] * na;
                float *a = acc + j * na;
                for (Py_ssize_t c = 0; c < na; c++)
                    a[c] += row[c];
            }
        }
        for (Py_ssize_t c = 0; c < na; c++) {
            float a01 = acc[c] + acc[na + c];
            float a23 = acc[2 * na + c] + acc[3 * na + c];
            float a45 = acc[4 * na + c] + acc[5 * na + c];
            float a67 = acc[6 * na + c] + acc[7 * na + c];
            float lo = a01 + a23;
            float hi = a45 + a67;
            out[c] = lo + hi;
        }
        for (; i < n; i++) {
            const float *row = w + (Py_ssize_t)rows[i] * na;
            for (Py_ssize_t c = 0; c < na; c++)
                out[c] += row[c];
        }
    }
    else {
        Py_ssize_t n2 = n / 2;
        n2 -= n2 % 8;
        pairwise(w, na, rows, n2, out, acc, spare + na);
        pairwise(w, na, rows + n2, n - n2, spare, acc, spare + na);
        for (Py_ssize_t c = 0; c < na; c++)
            out[c] += spare[c];
    }
}

/* the weights buffer when it is what numpy's path reads as float32 rows (else 0: the caller's numpy path runs) */
static int
float_rows(PyObject *obj, Py_buffer *view, int flags)
{
    if (PyObject_GetBuffer(obj, view, flags | PyBUF_FORMAT | PyBUF_STRIDES) < 0)
        return -1;
    const char *f = view->format;
    int is_float = f != NULL && (strcmp(f, "f") == 0 || strcmp(f, "<f") == 0 || strcmp(f, "=f") == 0) &&
                   view->itemsize == 4;
    if (!is_float || view->ndim != 2 || !PyBuffer_IsContiguous(view, 'C')) {
        PyBuffer_Release(view);
        return 0;
    }
    return 1;
}

PyDoc_STRVAR(score_doc,
"score(texts: list[str], weights, out) -> bool\n\n"
"The act sums of each text (``_score`` before the bias and the sigmoid) written into ``out`` (float32, a row per\n"
"text, C-contiguous), from ``weights`` (float32, a row per vocabulary row, C-contiguous). False (``out`` untouched)\n"
"when the weights or ``out`` are not such arrays of matching shapes: numpy's path then runs.");

static PyObject *
ActsKernel_score(ActsKernel *k, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyList_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "score(texts: list[str], weights, out)");
        return NULL;
    }
    PyObject *texts = args[0];
    Py_ssize_t nt = PyList_GET_SIZE(texts);
    Py_ssize_t total = 0;
    for (Py_ssize_t t = 0; t < nt; t++) {
        PyObject *text = PyList_GET_ITEM(texts, t);
        if (!PyUnicode_Check(text)) {
            PyErr_SetString(PyExc_TypeError, "score() takes a list of str");
            return NULL;
        }
        if (PyUnicode_READY(text) < 0)
            return NULL;
        total += PyUnicode_GET_LENGTH(text);
    }
    Py_buffer wv, ov;
    int got = float_rows(args[1], &wv, PyBUF_SIMPLE);
    if (got <= 0)
        return got < 0 ? NULL : Py_NewRef(Py_False);
    got = float_rows(args[2], &ov, PyBUF_WRITABLE);
    if (got <= 0) {
        PyBuffer_Release(&wv);
        return got < 0 ? NULL : Py_NewRef(Py_False);
    }
    Py_ssize_t na = wv.shape[1];
    if (wv.shape[0] <= k->max_row || ov.shape[0] != nt || ov.shape[1] != na) {
        PyBuffer_Release(&wv);
        PyBuffer_Release(&ov);
        Py_RETURN_FALSE;
    }
    const float *w = (const float *)wv.buf;
    float *out = (float *)ov.buf;
    PyObject *result = NULL;
    uint32_t *cp = PyMem_Malloc((total ? total : 1) * sizeof(uint32_t));
    uint64_t *poly = PyMem_Malloc((total ? total : 1) * sizeof(uint64_t));
    Py_ssize_t *start = PyMem_Malloc((nt + 1) * sizeof(Py_ssize_t));
    Py_ssize_t *count = PyMem_Calloc(nt ? nt : 1, sizeof(Py_ssize_t));
    int32_t *found = PyMem_Malloc((total ? total : 1) * sizeof(int32_t));
    float *scratch = PyMem_Malloc((size_t)(10 + LEVELS) * (na ? na : 1) * sizeof(float));
    if (!cp || !poly || !start || !count || !found || !scratch) {
        PyErr_NoMemory();
        goto done;
    }
    float *sum = scratch, *rest = scratch + na, *acc = scratch + 2 * na, *spare = scratch + 10 * na;
    Py_ssize_t at = 0;
    for (Py_ssize_t t = 0; t < nt; t++) {
        PyObject *text = PyList_GET_ITEM(texts, t);
        Py_ssize_t n = PyUnicode_GET_LENGTH(text);
        const void *data = PyUnicode_DATA(text);
        int kind = PyUnicode_KIND(text);
        start[t] = at;
        if (kind == PyUnicode_1BYTE_KIND)
            for (Py_ssize_t i = 0; i < n; i++)
                cp[at++] = ((const Py_UCS1 *)data)[i];
        else if (kind == PyUnicode_2BYTE_KIND)
            for (Py_ssize_t i = 0; i < n; i++)
                cp[at++] = ((const Py_UCS2 *)data)[i];
        else
            for (Py_ssize_t i = 0; i < n; i++)
                cp[at++] = ((const Py_UCS4 *)data)[i];
    }
    start[nt] = total;
    memset(out, 0, (size_t)nt * na * sizeof(float));
    int made = 0; /* the length ``poly`` is the polynomial of */
    for (int li = 0; li < k->nlengths; li++) {
        int n = k->lengths[li];
        if (total < n)
            break; /* (``keys_by_length`` stops there) */
        if (made == 0) {
            for (Py_ssize_t p = 0; p < total; p++)
                poly[p] = cp[p];
            made = 1;
        }
        while (made < n) {
            made++;
            for (Py_ssize_t p = 0; p + made <= total; p++)
                poly[p] = poly[p] * MULTIPLIER + cp[p + made - 1];
        }
        uint64_t base = k->base[li];
        Py_ssize_t last = total - n; /* the last place an n-gram starts */
        for (Py_ssize_t t = 0; t < nt; t++) {
            Py_ssize_t end = start[t + 1] - 1 < last ? start[t + 1] - 1 : last;
            Py_ssize_t m = 0;
            if (n == 1) {
                for (Py_ssize_t p = start[t]; p <= end; p++) {
                    uint32_t c = cp[p];
                    int32_t row = c < BMP ? k->unigram[c] : find(k, (uint64_t)c + base);
                    if (row >= 0)
                        found[m++] = row;
                }
            }
            else {
                for (Py_ssize_t p = start[t]; p <= end; p++) {
                    int32_t row = find(k, poly[p] + base);
                    if (row >= 0)
                        found[m++] = row;
                }
            }
            if (m == 0)
                continue;
            /* reduceat's segment: its first row, plus the pairwise sum of the others */
            memcpy(sum, w + (Py_ssize_t)found[0] * na, na * sizeof(float));
            if (m > 1) {
                pairwise(w, na, found + 1, m - 1, rest, acc, spare);
                for (Py_ssize_t c = 0; c < na; c++)
                    sum[c] += rest[c];
            }
            float *z = out + t * na;
            for (Py_ssize_t c = 0; c < na; c++)
                z[c] += sum[c];
            count[t] += m;
        }
    }
    for (Py_ssize_t t = 0; t < nt; t++) {
        if (count[t] == 0)
            continue;
        double root = sqrt((double)count[t]);
        float *z = out + t * na;
        for (Py_ssize_t c = 0; c < na; c++)
            z[c] = (float)((double)z[c] / root);
    }
    result = Py_NewRef(Py_True);
done:
    PyMem_Free(cp);
    PyMem_Free(poly);
    PyMem_Free(start);
    PyMem_Free(count);
    PyMem_Free(found);
    PyMem_Free(scratch);
    PyBuffer_Release(&wv);
    PyBuffer_Release(&ov);
    return result;
}

PyDoc_STRVAR(grams_doc,
"grams(text: str, longest: int, skip_first: bool, skip_last: bool, weights, col: int)"
" -> list[tuple[int, int, float]] | None\n\n"
"The n-grams of ``text`` found in the table, by start then length (``model._spans``' order), of the table's lengths\n"
"up to ``longest``, without the first or last single character when asked: (start, length, the weight of column\n"
"``col`` of its row, as a Python float). None when the weights are not float32 rows it reads or ``col`` is not a\n"
"column of them: numpy's path then runs.");

static PyObject *
ActsKernel_grams(ActsKernel *k, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 6 || !PyUnicode_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "grams(text, longest, skip_first, skip_last, weights, col)");
        return NULL;
    }
    PyObject *text = args[0];
    if (PyUnicode_READY(text) < 0)
        return NULL;
    Py_ssize_t longest = PyLong_AsSsize_t(args[1]);
    if (longest == -1 && PyErr_Occurred())
        return NULL;
    int skip_first = PyObject_IsTrue(args[2]), skip_last = PyObject_IsTrue(args[3]);
    if (skip_first < 0 || skip_last < 0)
        return NULL;
    Py_ssize_t col = PyLong_AsSsize_t(args[5]);
    if (col == -1 && PyErr_Occurred())
        return NULL;
    Py_buffer wv;
    int got = float_rows(args[4], &wv, PyBUF_SIMPLE);
    if (got <= 0)
        return got < 0 ? NULL : Py_NewRef(Py_None);
    Py_ssize_t na = wv.shape[1];
    if (wv.shape[0] <= k->max_row || col < 0 || col >= na) {
        PyBuffer_Release(&wv);
        Py_RETURN_NONE;
    }
    const float *w = (const float *)wv.buf;
    Py_ssize_t size = PyUnicode_GET_LENGTH(text);
    const void *data = PyUnicode_DATA(text);
    int kind = PyUnicode_KIND(text);
    PyObject *out = PyList_New(0);
    if (out == NULL)
        goto fail;
    for (Py_ssize_t i = 0; i < size; i++) {
        uint64_t poly = 0;
        int made = 0;
        for (int li = 0; li < k->nlengths; li++) {
            int n = k->lengths[li];
            if (n > longest || i + n > size)
                break;
            while (made < n) {
                poly = poly * MULTIPLIER + PyUnicode_READ(kind, data, i + made);
                made++;
            }
            if (n == 1 && ((skip_first && i == 0) || (skip_last && i == size - 1)))
                continue;
            int32_t row = (n == 1 && poly < BMP) ? k->unigram[poly] : find(k, poly + k->base[li]);
            if (row < 0)
                continue;
            PyObject *hit = Py_BuildValue("(nid)", i, n, (double)w[(Py_ssize_t)row * na + col]);
            if (hit == NULL || PyList_Append(out, hit) < 0) {
                Py_XDECREF(hit);
                goto fail;
            }
            Py_DECREF(hit);
        }
    }
    PyBuffer_Release(&wv);
    return out;
fail:
    Py_XDECREF(out);
    PyBuffer_Release(&wv);
    return NULL;
}

static PyObject *
ActsKernel_reduce(ActsKernel *k, PyObject *Py_UNUSED(ignored))
{
    return Py_BuildValue("(O(OOO))", (PyObject *)Py_TYPE(k), k->keys_obj, k->rows_obj, k->lengths_obj);
}

static PyMethodDef ActsKernel_methods[] = {
    {"score", (PyCFunction)(void (*)(void))ActsKernel_score, METH_FASTCALL, score_doc},
    {"grams", (PyCFunction)(void (*)(void))ActsKernel_grams, METH_FASTCALL, grams_doc},
    {"__reduce__", (PyCFunction)ActsKernel_reduce, METH_NOARGS, "Rebuilt from its keys, rows and lengths."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject ActsKernelType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "hotline._kernels.acts.ActsKernel",
    .tp_basicsize = sizeof(ActsKernel),
    .tp_dealloc = (destructor)ActsKernel_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = PyDoc_STR("ActsKernel(keys, rows, lengths: list[int]): the act model's key table (sorted uint64 keys, "
                        "their int64 vocabulary rows, the n-gram lengths), for ``score``."),
    .tp_methods = ActsKernel_methods,
    .tp_new = ActsKernel_new,
};

static struct PyModuleDef acts_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "hotline._kernels.acts",
    .m_doc = "The act model's n-gram lookup and sums in C (``SpeakerModel._score``).",
    .m_size = -1,
};

PyMODINIT_FUNC
PyInit_acts(void)
{
    if (PyType_Ready(&ActsKernelType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&acts_module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&ActsKernelType);
    if (PyModule_AddObject(m, "ActsKernel", (PyObject *)&ActsKernelType) < 0) {
        Py_DECREF(&ActsKernelType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
