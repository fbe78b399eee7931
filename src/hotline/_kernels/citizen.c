/* The n-grams of a chunk's words for the dissatisfaction model (``satisfaction.prepare_text_buckets``) in one C call.
 *
 * What ``_counted_keys`` and the lines after it compute with numpy, a few passes and a sort of every n-gram of the
 * chunk: for each piece (a call's side's words joined, ``^…$``) every n-gram of 1 to ``ngram_max`` code points that
 * ends inside it, keyed as ``hashing.keys`` keys it (``n · M^n`` plus the polynomial of its code points in M, taken
 * modulo 2^64: the same wrapping unsigned arithmetic numpy's uint64 does), put in its bucket (the key's low bits
 * when ``buckets`` is a power of two, else the key modulo ``buckets``, as numpy's ``%`` of uint64 gives it) and
 * numbered ``owner × buckets + bucket``; then each distinct number once, ascending, with how often it occurs.
 *
 * No sort: a piece's numbers share its owner, and the owners ascend piece after piece, so the chunk's distinct
 * numbers ascending are each piece's distinct buckets ascending, piece after piece. A piece's buckets are counted in
 * a table of ``buckets`` counters, marked in a bitmap, and read back in ascending order by walking the bitmap's
 * words (a few hundred words for the default 16,384 buckets), or, when the piece has few distinct buckets beside the
 * bitmap's size, by sorting those few; either way the counters and marks are cleared as they are read.
 *
 * Alongside, per n, the number of the n-gram starting at each character of the pieces joined, ``crossing`` (the
 * type's largest number) where it runs into the next piece, in text order (``ChunkGrams.numbers``: the drivers of
 * the calls explained read them), and per distinct number its column (the number modulo ``2 × buckets``: the side
 * is the owner's low bit) and its weight ``table[side, count]`` (``_per_side`` of ``_sublinear``'s table; None when
 * a count lies past the table, which the caller then grows). Results are bytearrays read by ``np.frombuffer``.
 *
 * Refused (ValueError, the caller keeps the numpy path): owners not ascending or past ``2 × calls``, numbers that do
 * not fit the chosen width below ``crossing``, more than 2^26 buckets (the counters would not pay). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MULTIPLIER 0x100000001B3ull /* hashing.MULTIPLIER */
#define MAX_BUCKETS (1L << 26)
#define MAX_NGRAM 8

static int
cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* where a number goes in a bytearray of 4- or 8-byte numbers */
static inline void
put_number(char *out, Py_ssize_t at, uint64_t v, int itemsize)
{
    if (itemsize == 4)
        ((uint32_t *)out)[at] = (uint32_t)v;
    else
        ((uint64_t *)out)[at] = v;
}

/* the numbers of a piece's n-grams of one length (``inside`` of them) into ``out`` (numbers of type T), each counted,
 * a bucket met for the first time listed and marked; the polynomial of each kept in ``poly`` for the next length */
#define COUNT_LOOP(T, POLY, BUCKET)                                                                                   \
    for (Py_ssize_t i = 0; i < inside; i++) {                                                                        \
        const uint64_t h = (POLY);                                                                                   \
        poly[i] = h;                                                                                                 \
        const uint64_t key = h + addn;                                                                               \
        const uint32_t b = (uint32_t)(BUCKET);                                                                       \
        ((T *)out)[i] = (T)(first + b);                                                                              \
        if (count[b]++ == 0) {                                                                                       \
            distinct[nd++] = b;                                                                                      \
            bits[b >> 6] |= 1ull << (b & 63);                                                                        \
        }                                                                                                            \
    }

PyDoc_STRVAR(chunk_grams_doc,
"chunk_grams(pieces, owner, buckets, ngram_max, itemsize, calls, table)\n"
"-> (numbers, combined, counts, cols, vals, bounds)\n\n"
"The n-grams of ``pieces`` (``owner[i]``: piece i's 2 × call + side, ascending): per n the number of the n-gram at\n"
"each character of the pieces joined (``crossing`` where it runs into the next piece); each distinct number once,\n"
"ascending (``itemsize`` bytes each), its count (int64), its column (int64) and its weight ``table[side, count]``\n"
"(float64; None when a count lies past the table); where each call's run starts (``calls`` + 1 ints).");

static PyObject *
chunk_grams(PyObject *self, PyObject *args)
{
    PyObject *pieces, *owners, *table_obj;
    Py_ssize_t buckets, ngram_max, itemsize, calls;
    if (!PyArg_ParseTuple(args, "O!O!nnnnO:chunk_grams", &PyList_Type, &pieces, &PyList_Type, &owners, &buckets,
                          &ngram_max, &itemsize, &calls, &table_obj))
        return NULL;
    Py_ssize_t npieces = PyList_GET_SIZE(pieces);
    if (PyList_GET_SIZE(owners) != npieces) {
        PyErr_SetString(PyExc_ValueError, "one owner a piece");
        return NULL;
    }
    if (buckets < 1 || buckets > MAX_BUCKETS || ngram_max < 1 || ngram_max > MAX_NGRAM
        || (itemsize != 4 && itemsize != 8) || calls < 0) {
        PyErr_SetString(PyExc_ValueError, "settings out of the kernel's range");
        return NULL;
    }
    Py_buffer view;
    if (PyObject_GetBuffer(table_obj, &view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return NULL;
    if (view.ndim != 2 || view.shape[0] != 2 || view.itemsize != 8 || view.format == NULL
        || strcmp(view.format, "d") != 0) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "the table must be float64, two rows");
        return NULL;
    }
    const double *table = (const double *)view.buf;
    const Py_ssize_t width = view.shape[1];

    /* owners, lengths, and the checks that make the output the numpy path's */
    uint64_t *owner = NULL;
    Py_ssize_t *length = NULL;
    uint32_t *codes = NULL, *count = NULL, *distinct = NULL;
    uint64_t *bits = NULL, *poly = NULL;
    Py_ssize_t *run_start = NULL;
    PyObject *numbers = NULL, *combined = NULL, *counts = NULL, *cols = NULL, *vals = NULL, *bounds = NULL;
    PyObject *result = NULL;
    const uint64_t crossing = itemsize == 4 ? UINT32_MAX : UINT64_MAX;
    owner = PyMem_Malloc(sizeof(uint64_t) * (npieces + 1));
    length = PyMem_Malloc(sizeof(Py_ssize_t) * (npieces + 1));
    run_start = PyMem_Malloc(sizeof(Py_ssize_t) * (npieces + 1));
    if (owner == NULL || length == NULL || run_start == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t total = 0, longest = 0;
    for (Py_ssize_t p = 0; p < npieces; p++) {
        PyObject *piece = PyList_GET_ITEM(pieces, p);
        PyObject *o = PyList_GET_ITEM(owners, p);
        if (!PyUnicode_Check(piece) || !PyLong_Check(o)) {
            PyErr_SetString(PyExc_TypeError, "pieces are str, owners int");
            goto done;
        }
        if (PyUnicode_READY(piece) < 0)
            goto done;
        Py_ssize_t v = PyLong_AsSsize_t(o);
        if (v == -1 && PyErr_Occurred())
            goto done;
        if (v < 0 || v >= 2 * calls || (p > 0 && (uint64_t)v <= owner[p - 1])) {
            PyErr_SetString(PyExc_ValueError, "owners must ascend, below 2 × calls");
            goto done;
        }
        owner[p] = (uint64_t)v;
        length[p] = PyUnicode_GET_LENGTH(piece);
        total += length[p];
        if (length[p] > longest)
            longest = length[p];
    }
    if (npieces) {
        /* the largest number, (last owner + 1) × buckets - 1, must lie below ``crossing`` */
        uint64_t last = owner[npieces - 1] + 1;
        if (last > crossing / (uint64_t)buckets) {
            PyErr_SetString(PyExc_ValueError, "numbers do not fit the width");
            goto done;
        }
    }

    if ((uint64_t)longest * (uint64_t)ngram_max >= UINT32_MAX) { /* a count must fit its 32-bit counter */
        PyErr_SetString(PyExc_ValueError, "a piece too long for the counters");
        goto done;
    }

    /* the per-n arrays of numbers in text order, ``total - n + 1`` long while the text holds an n-gram */
    Py_ssize_t made = 0;
    while (made < ngram_max && total >= made + 1)
        made++;
    numbers = PyList_New(made);
    if (numbers == NULL)
        goto done;
    char *num_out[MAX_NGRAM];
    for (Py_ssize_t n = 1; n <= made; n++) {
        PyObject *b = PyByteArray_FromStringAndSize(NULL, (total - n + 1) * itemsize);
        if (b == NULL)
            goto done;
        PyList_SET_ITEM(numbers, n - 1, b);
        num_out[n - 1] = PyByteArray_AS_STRING(b);
    }
    /* at most every n-gram inside a piece is distinct */
    Py_ssize_t cap = 0;
    for (Py_ssize_t p = 0; p < npieces; p++)
        for (Py_ssize_t n = 1; n <= ngram_max; n++)
            if (length[p] >= n)
                cap += length[p] - n + 1;
    combined = PyByteArray_FromStringAndSize(NULL, cap * itemsize);
    counts = PyByteArray_FromStringAndSize(NULL, cap * 8);
    cols = PyByteArray_FromStringAndSize(NULL, cap * 8);
    vals = PyByteArray_FromStringAndSize(NULL, cap * 8);
    if (combined == NULL || counts == NULL || cols == NULL || vals == NULL)
        goto done;
    char *comb_out = PyByteArray_AS_STRING(combined);
    int64_t *count_out = (int64_t *)PyByteArray_AS_STRING(counts);
    int64_t *col_out = (int64_t *)PyByteArray_AS_STRING(cols);
    double *val_out = (double *)PyByteArray_AS_STRING(vals);

    const Py_ssize_t nwords = (buckets + 63) / 64;
    codes = PyMem_Malloc(sizeof(uint32_t) * (longest + 1));
    poly = PyMem_Malloc(sizeof(uint64_t) * (longest + 1));
    distinct = PyMem_Malloc(sizeof(uint32_t) * ((size_t)longest * ngram_max + 1));
    count = PyMem_Calloc((size_t)buckets, sizeof(uint32_t));
    bits = PyMem_Calloc((size_t)nwords, sizeof(uint64_t));
    if (codes == NULL || poly == NULL || distinct == NULL || count == NULL || bits == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    uint64_t add[MAX_NGRAM + 1];
    {
        uint64_t power = 1;
        for (Py_ssize_t n = 1; n <= ngram_max; n++) {
            power *= MULTIPLIER;
            add[n] = (uint64_t)n * power;
        }
    }
    const int pow2 = (buckets & (buckets - 1)) == 0;
    const uint64_t mask = (uint64_t)buckets - 1;
    int fits = 1; /* every count lies inside the table */
    Py_ssize_t k = 0; /* distinct numbers so far */
    Py_ssize_t base = 0; /* where the piece starts in the pieces joined */
    for (Py_ssize_t p = 0; p < npieces; p++) {
        PyObject *piece = PyList_GET_ITEM(pieces, p);
        const int kind = PyUnicode_KIND(piece);
        const void *data = PyUnicode_DATA(piece);
        const Py_ssize_t len = length[p];
        for (Py_ssize_t i = 0; i < len; i++)
            poly[i] = codes[i] = (uint32_t)PyUnicode_READ(kind, data, i);
        const uint64_t first = owner[p] * (uint64_t)buckets;
        Py_ssize_t nd = 0;
        /* n after n (the arrays' order): the polynomial of the n-gram at each place made from the (n - 1)-gram's */
        for (Py_ssize_t n = 1; n <= made; n++) {
            const Py_ssize_t inside = len - n + 1 > 0 ? len - n + 1 : 0; /* the n-grams ending in the piece */
            char *out = num_out[n - 1] + base * itemsize;
            const uint64_t addn = add[n];
            if (n == 1) {
                if (itemsize == 4) {
                    if (pow2) COUNT_LOOP(uint32_t, poly[i], key & mask)
                    else COUNT_LOOP(uint32_t, poly[i], key % (uint64_t)buckets)
                }
                else {
                    if (pow2) COUNT_LOOP(uint64_t, poly[i], key & mask)
                    else COUNT_LOOP(uint64_t, poly[i], key % (uint64_t)buckets)
                }
            }
            else {
                if (itemsize == 4) {
                    if (pow2) COUNT_LOOP(uint32_t, poly[i] * MULTIPLIER + codes[i + n - 1], key & mask)
                    else COUNT_LOOP(uint32_t, poly[i] * MULTIPLIER + codes[i + n - 1], key % (uint64_t)buckets)
                }
                else {
                    if (pow2) COUNT_LOOP(uint64_t, poly[i] * MULTIPLIER + codes[i + n - 1], key & mask)
                    else COUNT_LOOP(uint64_t, poly[i] * MULTIPLIER + codes[i + n - 1], key % (uint64_t)buckets)
                }
            }
            /* the n-grams running into the next piece (the last piece's: past the text, no entry) */
            const Py_ssize_t stop = len < total - n - base + 1 ? len : total - n - base + 1;
            for (Py_ssize_t i = inside; i < stop; i++)
                put_number(out, i, crossing, (int)itemsize);
        }
        run_start[p] = k;
        const uint64_t side = owner[p] & 1;
        const int64_t col0 = (int64_t)(side * (uint64_t)buckets); /* the side's first column */
        const double *row = table + side * width; /* the side's weights, by count */
        /* each distinct bucket, ascending, written over ``distinct``: the bitmap's words walked, or the few sorted */
        if (nwords <= 8 * nd) {
            Py_ssize_t j = 0;
            for (Py_ssize_t w = 0; w < nwords; w++) {
                uint64_t word = bits[w];
                if (!word)
                    continue;
                bits[w] = 0;
                while (word) {
                    distinct[j++] = (uint32_t)(w * 64 + __builtin_ctzll(word));
                    word &= word - 1;
                }
            }
        }
        else {
            qsort(distinct, (size_t)nd, sizeof(uint32_t), cmp_u32);
            for (Py_ssize_t j = 0; j < nd; j++)
                bits[distinct[j] >> 6] = 0;
        }
        for (Py_ssize_t j = 0; j < nd; j++) {
            const uint32_t b = distinct[j];
            const uint32_t c = count[b];
            count[b] = 0;
            put_number(comb_out, k, first + b, (int)itemsize);
            count_out[k] = c;
            col_out[k] = col0 + b;
            if (c < (uint64_t)width)
                val_out[k] = row[c];
            else
                fits = 0;
            k++;
        }
        base += len;
    }
    if (PyByteArray_Resize(combined, k * itemsize) < 0 || PyByteArray_Resize(counts, k * 8) < 0
        || PyByteArray_Resize(cols, k * 8) < 0 || PyByteArray_Resize(vals, k * 8) < 0)
        goto done;
    /* each call's run starts where its first piece's does (the pieces of the calls before it, all of them) */
    bounds = PyList_New(calls + 1);
    if (bounds == NULL)
        goto done;
    {
        Py_ssize_t p = 0;
        for (Py_ssize_t c = 0; c <= calls; c++) {
            while (p < npieces && owner[p] < 2 * (uint64_t)c)
                p++;
            PyObject *at = PyLong_FromSsize_t(p < npieces ? run_start[p] : k);
            if (at == NULL)
                goto done;
            PyList_SET_ITEM(bounds, c, at);
        }
    }
    if (!fits) {
        Py_DECREF(vals);
        vals = Py_NewRef(Py_None);
    }
    result = PyTuple_Pack(6, numbers, combined, counts, cols, vals, bounds);

done:
    PyBuffer_Release(&view);
    PyMem_Free(owner);
    PyMem_Free(length);
    PyMem_Free(run_start);
    PyMem_Free(codes);
    PyMem_Free(poly);
    PyMem_Free(distinct);
    PyMem_Free(count);
    PyMem_Free(bits);
    Py_XDECREF(numbers);
    Py_XDECREF(combined);
    Py_XDECREF(counts);
    Py_XDECREF(cols);
    Py_XDECREF(vals);
    Py_XDECREF(bounds);
    return result;
}

/* ── the clause statistics of a chunk's calls (``satisfaction.prepare_clause_stats``) ────────────────────────────
 *
 * What ``_maxima``, ``_sums`` and the numpy lines around them compute, in one pass over the clause rows: the rows
 * (float32, ``width`` acts) of every turn with clauses, turn after turn (``blocks``: the calls' blocks, read one
 * after the other as their concatenation), ``sizes[t]`` rows for turn t, and the calls' turns ``bounds[o]`` to
 * ``bounds[o + 1]``. Per call, its ``max`` (each act's strongest probability over its rows: a maximum is exact in
 * any order), ``mean`` (its rows added one after the other in float32, as ``table[a:b].sum(0)`` adds a contiguous
 * first axis, then divided by the count made a float32, as numpy divides two float32 arrays), ``first`` and ``last``
 * (the strongest of each act over its first and last turn's clauses), side by side as one float32 row of 4 × width;
 * per group of ``groups`` (column indices), each turn's strongest over the group's columns, as float64 (zeros for a
 * group without columns). A maximum takes NaN as ``np.maximum`` does (NaN wins).
 *
 * Refused (ValueError, the caller keeps the numpy path): a block that is not a C-contiguous float32 table of ``width``
 * columns, sizes or bounds that do not cover the rows and turns exactly, a column outside the table. */

static inline float
max_f(float acc, float v)
{
    return (acc >= v || acc != acc) ? acc : v; /* ``np.maximum``'s: the first unless the second is larger or NaN */
}

PyDoc_STRVAR(clause_stats_doc,
"clause_stats(blocks, sizes, bounds, width, groups) -> (stats, strongest)\n\n"
"Per call (turns bounds[o]..bounds[o + 1], rows sizes[t] per turn, read from the float32 blocks one after the\n"
"other): max, mean, first and last of each of ``width`` acts (float32, 4 × width per call); per group of column\n"
"indices each turn's strongest (float64).");

static PyObject *
clause_stats(PyObject *self, PyObject *args)
{
    PyObject *blocks, *sizes_obj, *bounds_obj, *groups;
    Py_ssize_t width;
    if (!PyArg_ParseTuple(args, "O!O!O!nO!:clause_stats", &PyList_Type, &blocks, &PyList_Type, &sizes_obj,
                          &PyList_Type, &bounds_obj, &width, &PyList_Type, &groups))
        return NULL;
    const Py_ssize_t nblocks = PyList_GET_SIZE(blocks), nturns = PyList_GET_SIZE(sizes_obj);
    const Py_ssize_t ncalls = PyList_GET_SIZE(bounds_obj) - 1, ngroups = PyList_GET_SIZE(groups);
    if (width < 1 || ncalls < 0) {
        PyErr_SetString(PyExc_ValueError, "width below 1 or no bounds");
        return NULL;
    }
    Py_buffer *views = PyMem_Calloc((size_t)nblocks + 1, sizeof(Py_buffer));
    Py_ssize_t *size = PyMem_Malloc(sizeof(Py_ssize_t) * ((size_t)nturns + 1));
    Py_ssize_t *bound = PyMem_Malloc(sizeof(Py_ssize_t) * ((size_t)ncalls + 2));
    Py_ssize_t *gstart = PyMem_Malloc(sizeof(Py_ssize_t) * ((size_t)ngroups + 1));
    Py_ssize_t *gcols = NULL;
    float *turn_max = NULL, *sum = NULL;
    const float **rowp = NULL;
    double **gout = NULL;
    Py_ssize_t got = 0; /* views held */
    PyObject *stats = NULL, *strongest = NULL, *result = NULL;
    if (views == NULL || size == NULL || bound == NULL || gstart == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t rows = 0;
    for (Py_ssize_t b = 0; b < nblocks; b++) {
        if (PyObject_GetBuffer(PyList_GET_ITEM(blocks, b), &views[b], PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
            PyErr_Clear();
            PyErr_SetString(PyExc_ValueError, "a block without a contiguous buffer");
            goto done;
        }
        got++;
        Py_buffer *v = &views[b];
        if (v->ndim != 2 || v->itemsize != 4 || v->format == NULL || strcmp(v->format, "f") != 0
            || v->shape[1] != width) {
            PyErr_SetString(PyExc_ValueError, "a block must be float32 rows of width acts");
            goto done;
        }
        rows += v->shape[0];
    }
    Py_ssize_t covered = 0;
    for (Py_ssize_t t = 0; t < nturns; t++) {
        PyObject *o = PyList_GET_ITEM(sizes_obj, t);
        Py_ssize_t n = PyLong_Check(o) ? PyLong_AsSsize_t(o) : -1;
        if (n == -1 && PyErr_Occurred())
            goto done;
        if (n < 1 || n > rows - covered) {
            PyErr_SetString(PyExc_ValueError, "sizes must be at least 1 and cover the rows");
            goto done;
        }
        size[t] = n;
        covered += n;
    }
    if (covered != rows) {
        PyErr_SetString(PyExc_ValueError, "sizes must cover the rows");
        goto done;
    }
    for (Py_ssize_t c = 0; c <= ncalls; c++) {
        PyObject *o = PyList_GET_ITEM(bounds_obj, c);
        Py_ssize_t n = PyLong_Check(o) ? PyLong_AsSsize_t(o) : -1;
        if (n == -1 && PyErr_Occurred())
            goto done;
        if (n < 0 || n > nturns || (c == 0 && n != 0) || (c > 0 && n <= bound[c - 1])) {
            PyErr_SetString(PyExc_ValueError, "bounds must ascend from 0, each call with a turn");
            goto done;
        }
        bound[c] = n;
    }
    if (bound[ncalls] != nturns) {
        PyErr_SetString(PyExc_ValueError, "bounds must cover the turns");
        goto done;
    }
    Py_ssize_t ncols = 0;
    for (Py_ssize_t g = 0; g < ngroups; g++) {
        PyObject *cols = PyList_GET_ITEM(groups, g);
        if (!PyList_Check(cols)) {
            PyErr_SetString(PyExc_TypeError, "a group is a list of columns");
            goto done;
        }
        ncols += PyList_GET_SIZE(cols);
    }
    gcols = PyMem_Malloc(sizeof(Py_ssize_t) * ((size_t)ncols + 1));
    rowp = PyMem_Malloc(sizeof(float *) * ((size_t)rows + 1));
    turn_max = PyMem_Malloc(sizeof(float) * (size_t)width);
    sum = PyMem_Malloc(sizeof(float) * (size_t)width);
    gout = PyMem_Calloc((size_t)ngroups + 1, sizeof(double *));
    if (gcols == NULL || rowp == NULL || turn_max == NULL || sum == NULL || gout == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    {
        Py_ssize_t at = 0;
        for (Py_ssize_t g = 0; g < ngroups; g++) {
            PyObject *cols = PyList_GET_ITEM(groups, g);
            gstart[g] = at;
            for (Py_ssize_t j = 0; j < PyList_GET_SIZE(cols); j++) {
                PyObject *o = PyList_GET_ITEM(cols, j);
                Py_ssize_t n = PyLong_Check(o) ? PyLong_AsSsize_t(o) : -1;
                if (n == -1 && PyErr_Occurred())
                    goto done;
                if (n < 0 || n >= width) {
                    PyErr_SetString(PyExc_ValueError, "a column outside the table");
                    goto done;
                }
                gcols[at++] = n;
            }
        }
        gstart[ngroups] = at;
        Py_ssize_t r = 0; /* every row's place, the blocks one after the other */
        for (Py_ssize_t b = 0; b < nblocks; b++)
            for (Py_ssize_t i = 0; i < views[b].shape[0]; i++)
                rowp[r++] = (const float *)views[b].buf + i * width;
    }
    stats = PyByteArray_FromStringAndSize(NULL, ncalls * 4 * width * (Py_ssize_t)sizeof(float));
    strongest = PyList_New(ngroups);
    if (stats == NULL || strongest == NULL)
        goto done;
    for (Py_ssize_t g = 0; g < ngroups; g++) {
        PyObject *b = PyByteArray_FromStringAndSize(NULL, nturns * (Py_ssize_t)sizeof(double));
        if (b == NULL)
            goto done;
        PyList_SET_ITEM(strongest, g, b);
        gout[g] = (double *)PyByteArray_AS_STRING(b);
    }
    float *out = (float *)PyByteArray_AS_STRING(stats);
    Py_ssize_t r = 0;
    for (Py_ssize_t c = 0; c < ncalls; c++) {
        float *cmax = out, *cmean = out + width, *cfirst = out + 2 * width, *clast = out + 3 * width;
        Py_ssize_t count = 0;
        for (Py_ssize_t t = bound[c]; t < bound[c + 1]; t++) {
            const float *row = rowp[r];
            if (t == bound[c]) {
                memcpy(sum, row, sizeof(float) * (size_t)width);
            }
            else {
                for (Py_ssize_t j = 0; j < width; j++)
                    sum[j] += row[j];
            }
            memcpy(turn_max, row, sizeof(float) * (size_t)width);
            for (Py_ssize_t i = 1; i < size[t]; i++) {
                row = rowp[r + i];
                for (Py_ssize_t j = 0; j < width; j++) {
                    sum[j] += row[j];
                    turn_max[j] = max_f(turn_max[j], row[j]);
                }
            }
            r += size[t];
            count += size[t];
            if (t == bound[c])
                memcpy(cmax, turn_max, sizeof(float) * (size_t)width);
            else
                for (Py_ssize_t j = 0; j < width; j++)
                    cmax[j] = max_f(cmax[j], turn_max[j]);
            if (t == bound[c])
                memcpy(cfirst, turn_max, sizeof(float) * (size_t)width);
            if (t == bound[c + 1] - 1)
                memcpy(clast, turn_max, sizeof(float) * (size_t)width);
            for (Py_ssize_t g = 0; g < ngroups; g++) {
                Py_ssize_t a = gstart[g], e = gstart[g + 1];
                if (a == e) {
                    gout[g][t] = 0.0;
                    continue;
                }
                float m = turn_max[gcols[a]];
                for (Py_ssize_t k = a + 1; k < e; k++)
                    m = max_f(m, turn_max[gcols[k]]);
                gout[g][t] = (double)m;
            }
        }
        const float n = (float)count;
        for (Py_ssize_t j = 0; j < width; j++)
            cmean[j] = sum[j] / n;
        out += 4 * width;
    }
    result = PyTuple_Pack(2, stats, strongest);

done:
    for (Py_ssize_t b = 0; b < got; b++)
        PyBuffer_Release(&views[b]);
    PyMem_Free(views);
    PyMem_Free(size);
    PyMem_Free(bound);
    PyMem_Free(gstart);
    PyMem_Free(gcols);
    PyMem_Free(rowp);
    PyMem_Free(turn_max);
    PyMem_Free(sum);
    PyMem_Free(gout);
    Py_XDECREF(stats);
    Py_XDECREF(strongest);
    return result;
}

/* ── the chunk's n-gram weights for the prediction (``SatisfactionModel.predict_chunk``) ───────────────────────────
 *
 * What ``pairs64.take(cols, axis=0).T.copy()`` and the two products after it give, in one pass: for each n-gram
 * bucket ``cols[i]`` with its weight ``vals[i]``, ``weighted = vals[i] × idf[cols[i]]``, its square, and the bucket's
 * text weight, as three float64 rows one after the other (each an IEEE product of the same two doubles numpy
 * multiplies). ``pairs``: (buckets, 2) float64, each bucket's (idf, text weight). Refused (ValueError, the caller keeps
 * numpy): arrays of other types or shapes, a column outside the table. */

PyDoc_STRVAR(weigh_doc,
"weigh(cols, vals, pairs) -> bytearray\n\n"
"vals[i] * pairs[cols[i], 0], its square, and pairs[cols[i], 1], as three float64 rows of len(cols).");

static PyObject *
weigh(PyObject *self, PyObject *args)
{
    PyObject *cols_obj, *vals_obj, *pairs_obj;
    if (!PyArg_ParseTuple(args, "OOO:weigh", &cols_obj, &vals_obj, &pairs_obj))
        return NULL;
    Py_buffer cv, vv, pv;
    int held = 0;
    PyObject *out = NULL;
    if (PyObject_GetBuffer(cols_obj, &cv, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        goto refused;
    held = 1;
    if (PyObject_GetBuffer(vals_obj, &vv, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        goto refused;
    held = 2;
    if (PyObject_GetBuffer(pairs_obj, &pv, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        goto refused;
    held = 3;
    if (cv.ndim != 1 || cv.itemsize != 8 || cv.format == NULL || (strcmp(cv.format, "l") != 0 && strcmp(cv.format, "q") != 0)
        || vv.ndim != 1 || vv.itemsize != 8 || vv.format == NULL || strcmp(vv.format, "d") != 0
        || vv.shape[0] != cv.shape[0]
        || pv.ndim != 2 || pv.shape[1] != 2 || pv.itemsize != 8 || pv.format == NULL || strcmp(pv.format, "d") != 0) {
        PyErr_SetString(PyExc_ValueError, "cols int64, vals float64 of as many, pairs float64 (buckets, 2)");
        goto done;
    }
    {
        const Py_ssize_t m = cv.shape[0], buckets = pv.shape[0];
        const int64_t *cols = (const int64_t *)cv.buf;
        const double *vals = (const double *)vv.buf, *pairs = (const double *)pv.buf;
        for (Py_ssize_t i = 0; i < m; i++)
            if (cols[i] < 0 || cols[i] >= buckets) {
                PyErr_SetString(PyExc_ValueError, "a column outside the table");
                goto done;
            }
        out = PyByteArray_FromStringAndSize(NULL, 3 * m * (Py_ssize_t)sizeof(double));
        if (out == NULL)
            goto done;
        double *weighted = (double *)PyByteArray_AS_STRING(out), *squares = weighted + m, *weights = weighted + 2 * m;
        for (Py_ssize_t i = 0; i < m; i++) {
            const double *pair = pairs + 2 * cols[i];
            const double w = vals[i] * pair[0];
            weighted[i] = w;
            squares[i] = w * w;
            weights[i] = pair[1];
        }
    }
    goto done;
refused:
    PyErr_Clear();
    PyErr_SetString(PyExc_ValueError, "an argument without a contiguous buffer");
done:
    if (held >= 3)
        PyBuffer_Release(&pv);
    if (held >= 2)
        PyBuffer_Release(&vv);
    if (held >= 1)
        PyBuffer_Release(&cv);
    return out;
}

/* ── which texts hold one of some words (``emotion.Words.held``) ───────────────────────────────────────────────────
 *
 * For each text, whether one of the words occurs in it (``any(w in text for w in words)``, the empty word aside:
 * the caller answers that), read character by character: ``marks[c]`` (for code points below its length) says
 * whether c is a word of one character (2: the text holds a word) or opens a longer one (1); there the pair of c and
 * the next character is looked up among ``pairs`` (sorted ``c << 21 | next``, uint64), and each word of that pair
 * (``words[starts[k]:starts[k + 1]]``) compared where it would stand, inside the text. Refused (ValueError, the
 * caller keeps its numpy path): tables of other types or sizes, starts that do not cover the words. */

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

PyDoc_STRVAR(held_doc,
"held(texts, marks, pairs, words, starts) -> list[bool]\n\n"
"Whether each of ``texts`` holds one of the words: ``marks`` (bytes by code point: 2 a word of one character, 1 the\n"
"first of a longer one), ``pairs`` (sorted uint64 first << 21 | second), the longer words by pair (``words``) and\n"
"where each pair's start (``starts``, one more than the pairs).");

static PyObject *
held(PyObject *self, PyObject *args)
{
    PyObject *texts, *words, *starts_obj;
    Py_buffer mv, pv;
    if (!PyArg_ParseTuple(args, "O!y*y*O!O!:held", &PyList_Type, &texts, &mv, &pv, &PyList_Type, &words,
                          &PyList_Type, &starts_obj))
        return NULL;
    PyObject *out = NULL;
    Py_ssize_t *starts = NULL;
    const Py_ssize_t npairs = pv.len / 8, nwords = PyList_GET_SIZE(words);
    if (pv.len % 8 != 0 || PyList_GET_SIZE(starts_obj) != npairs + 1) {
        PyErr_SetString(PyExc_ValueError, "pairs of 8 bytes, one start more than the pairs");
        goto done;
    }
    starts = PyMem_Malloc(sizeof(Py_ssize_t) * ((size_t)npairs + 1));
    if (starts == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k <= npairs; k++) {
        PyObject *o = PyList_GET_ITEM(starts_obj, k);
        Py_ssize_t v = PyLong_Check(o) ? PyLong_AsSsize_t(o) : -1;
        if (v == -1 && PyErr_Occurred())
            goto done;
        if (v < 0 || v > nwords || (k > 0 && v < starts[k - 1]) || (k == 0 && v != 0) || (k == npairs && v != nwords)) {
            PyErr_SetString(PyExc_ValueError, "starts must ascend from 0 to the words");
            goto done;
        }
        starts[k] = v;
    }
    for (Py_ssize_t w = 0; w < nwords; w++)
        if (!PyUnicode_Check(PyList_GET_ITEM(words, w)) || PyUnicode_GET_LENGTH(PyList_GET_ITEM(words, w)) < 2) {
            PyErr_SetString(PyExc_ValueError, "the words are str of two characters or more");
            goto done;
        }
    const unsigned char *marks = (const unsigned char *)mv.buf;
    const Py_ssize_t nmarks = mv.len;
    const uint64_t *pairs = (const uint64_t *)pv.buf;
    const Py_ssize_t ntexts = PyList_GET_SIZE(texts);
    out = PyList_New(ntexts);
    if (out == NULL)
        goto done;
    for (Py_ssize_t t = 0; t < ntexts; t++) {
        PyObject *text = PyList_GET_ITEM(texts, t);
        if (!PyUnicode_Check(text)) {
            PyErr_SetString(PyExc_TypeError, "texts are str");
            Py_CLEAR(out);
            goto done;
        }
        const int kind = PyUnicode_KIND(text);
        const void *data = PyUnicode_DATA(text);
        const Py_ssize_t n = PyUnicode_GET_LENGTH(text);
        int found = 0;
        for (Py_ssize_t i = 0; i < n && !found; i++) {
            const Py_UCS4 c = PyUnicode_READ(kind, data, i);
            if ((Py_ssize_t)c >= nmarks || !marks[c])
                continue;
            if (marks[c] & 2) {
                found = 1;
                break;
            }
            if (i + 1 == n) /* (no word of two characters or more starts at the last) */
                break;
            const uint64_t key = ((uint64_t)c << 21) | (uint64_t)PyUnicode_READ(kind, data, i + 1);
            const uint64_t *at = bsearch(&key, pairs, (size_t)npairs, sizeof(uint64_t), cmp_u64);
            if (at == NULL)
                continue;
            const Py_ssize_t k = at - pairs;
            for (Py_ssize_t w = starts[k]; w < starts[k + 1]; w++) {
                PyObject *word = PyList_GET_ITEM(words, w);
                const Py_ssize_t len = PyUnicode_GET_LENGTH(word);
                if (len > n - i)
                    continue;
                Py_ssize_t match = PyUnicode_Tailmatch(text, word, i, i + len, -1);
                if (match < 0) {
                    Py_CLEAR(out);
                    goto done;
                }
                if (match) {
                    found = 1;
                    break;
                }
            }
        }
        PyList_SET_ITEM(out, t, Py_NewRef(found ? Py_True : Py_False));
    }

done:
    PyBuffer_Release(&mv);
    PyBuffer_Release(&pv);
    PyMem_Free(starts);
    return out;
}

static PyMethodDef citizen_methods[] = {
    {"chunk_grams", (PyCFunction)chunk_grams, METH_VARARGS, chunk_grams_doc},
    {"clause_stats", (PyCFunction)clause_stats, METH_VARARGS, clause_stats_doc},
    {"weigh", (PyCFunction)weigh, METH_VARARGS, weigh_doc},
    {"held", (PyCFunction)held, METH_VARARGS, held_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef citizen_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "hotline._kernels.citizen",
    .m_doc = "The n-grams of a chunk's words for the dissatisfaction model (``prepare_text_buckets``) and the clause "
              "statistics of its calls (``prepare_clause_stats``), their weighted n-grams (``predict_chunk``) and "
              "which citizens say an escalation word (``Words.held``) in C.",
    .m_size = -1,
    .m_methods = citizen_methods,
};

PyMODINIT_FUNC
PyInit_citizen(void)
{
    return PyModule_Create(&citizen_module);
}
