/* Records written and read.
 *
 * A scorecard's JSON line, written straight from its values (``formats.writers.record_json``): the bytes
 * ``orjson.dumps(record, option=OPT_APPEND_NEWLINE)`` gives for the record, without the dict of every finding and of
 * the record's head made, filled and freed for each call (~4 K instructions a finding), and each string's text
 * written as UTF-8 into the line as it is read (orjson asks CPython for the string's UTF-8 copy, made and kept with
 * the string until it is freed).
 *
 * ``dumps(obj)`` writes, as orjson does (compact, keys in the dict's order, non-ASCII as it is, a newline after):
 *   - None, True, False, an exact int of 64 bits, an exact float, a str or a value of a subclass of str (its text,
 *     with no lone surrogate: orjson refuses one), an exact list, an exact tuple (an array), an exact dict with
 *     exact str keys (orjson refuses others);
 *   - outside any dict (the record's own parts, never a value the user gave): a tuple whose first item is a
 *     ``Shape`` as the object of the shape's keys and the tuple's other items (one a key, in order);
 *   - and there, the list ``pieces`` (``dumps(obj, pieces)``: the very object) as the array of its items,
 *     each a bytes object of JSON already written (the rule outcomes, kept by the writer) copied as it is.
 * It returns None for anything else (an int past 64 bits, a subclass, another type, a float it does not write as
 * orjson surely does, a lone surrogate, nesting past 128): the writer then takes orjson's path, which gives what it
 * always gave (an error included). Floats: NaN and infinities as null, zeros as 0.0 / -0.0; a float that is a
 * decimal of at most 8 places (between 1e-4 and 4e15: every number the outputs round) found by one multiplication,
 * rounding and division per place; any other the shortest repr CPython gives, when in the plain decimal notation
 * (1e-4 to 1e16), which orjson's writes digit for digit (tests/formats/test_records_kernel_s39.py holds both to
 * orjson on random floats); exponents are left to orjson (returns None).
 *
 * Reading (``formats.jsonfmt``): ``huge`` is ``_has_huge_float``'s walk of what orjson decoded, and ``turns`` makes the
 * RawTurn of each turn written as most are (``_plain_turn``: string speaker and text, plain times), None for any other
 * turn, which the Python path then reads (and reports) as before; no dict lookup, strip or float made through
 * compiled Python's generic calls. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define MAX_DEPTH 128
#define NOT_MINE 1

/* ---------------------------------------------------------------- the output buffer */

/* written straight into the bytes object returned (cut to its length at the end: no copy of the line) */
typedef struct {
    PyObject *bytes;
    char *buf;
    Py_ssize_t len, cap;
} Out;

static int
start(Out *o, Py_ssize_t cap)
{
    o->bytes = PyBytes_FromStringAndSize(NULL, cap);
    if (o->bytes == NULL)
        return -1;
    o->buf = PyBytes_AS_STRING(o->bytes);
    o->len = 0;
    o->cap = cap;
    return 0;
}

static int
grow(Out *o, Py_ssize_t more)
{
    Py_ssize_t cap = o->cap;
    while (cap < o->len + more) {
        if (cap > PY_SSIZE_T_MAX / 2) {
            PyErr_NoMemory();
            return -1;
        }
        cap *= 2;
    }
    if (_PyBytes_Resize(&o->bytes, cap) < 0)  /* frees it (and sets it NULL) when it fails */
        return -1;
    o->buf = PyBytes_AS_STRING(o->bytes);
    o->cap = cap;
    return 0;
}

static inline int
reserve(Out *o, Py_ssize_t more)
{
    return o->len + more <= o->cap ? 0 : grow(o, more);
}

/* the bytes written (a new reference; the Out is done with), or NULL */
static PyObject *
finish(Out *o)
{
    PyObject *bytes = o->bytes;
    o->bytes = NULL;
    if (_PyBytes_Resize(&bytes, o->len) < 0)
        return NULL;
    return bytes;
}

static inline int
put(Out *o, const char *s, Py_ssize_t n)
{
    if (reserve(o, n) < 0)
        return -1;
    memcpy(o->buf + o->len, s, (size_t)n);
    o->len += n;
    return 0;
}

/* ---------------------------------------------------------------- strings */

static const char HEX[] = "0123456789abcdef";

/* whether orjson escapes an ASCII character (controls, the quote and the backslash) */
static const unsigned char ESCAPED[128] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

#define escaped(c) (ESCAPED[(c)])

/* the three UTF-8 bytes of each character from U+0800 to U+FFFF (the low three bytes of a word, in the order of the
 * line's bytes), 0 for a lone surrogate; made at the first string of such characters (most of a call's words) */
static uint32_t *utf8_of = NULL;

static int
make_utf8_of(void)
{
    uint32_t *table = PyMem_Malloc(sizeof(uint32_t) * 0x10000);
    if (table == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (uint32_t c = 0; c < 0x10000; c++) {
        uint32_t bytes[3] = {0xE0u | (c >> 12), 0x80u | ((c >> 6) & 0x3F), 0x80u | (c & 0x3F)};
        uint8_t w[4] = {(uint8_t)bytes[0], (uint8_t)bytes[1], (uint8_t)bytes[2], 0};
        memcpy(&table[c], w, 4);
        if (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))
            table[c] = 0;
    }
    utf8_of = table;
    return 0;
}

static inline char *
put_escape(char *p, Py_UCS4 c)
{
    *p++ = '\\';
    switch (c) {
    case '"': *p++ = '"'; break;
    case '\\': *p++ = '\\'; break;
    case '\b': *p++ = 'b'; break;
    case '\t': *p++ = 't'; break;
    case '\n': *p++ = 'n'; break;
    case '\f': *p++ = 'f'; break;
    case '\r': *p++ = 'r'; break;
    default:
        *p++ = 'u';
        *p++ = '0';
        *p++ = '0';
        *p++ = HEX[c >> 4];
        *p++ = HEX[c & 15];
    }
    return p;
}

/* ``s`` as a JSON string; NOT_MINE for a lone surrogate (orjson refuses it) */
static int
write_str(Out *o, PyObject *s)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    if (n > (PY_SSIZE_T_MAX - 2) / 6) {
        PyErr_NoMemory();
        return -1;
    }
    if (reserve(o, 6 * n + 3) < 0)  /* at most 6 bytes a character (\u001f; 4 for one past the BMP), and one spare */
        return -1;
    char *p = o->buf + o->len;
    *p++ = '"';
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    if (kind == PyUnicode_1BYTE_KIND) {
        const Py_UCS1 *u = data;
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_UCS1 c = u[i];
            if (c >= 0x80) {
                *p++ = (char)(0xC0 | (c >> 6));
                *p++ = (char)(0x80 | (c & 0x3F));
            }
            else if (escaped(c))
                p = put_escape(p, c);
            else
                *p++ = (char)c;
        }
    }
    else if (kind == PyUnicode_2BYTE_KIND) {
        const Py_UCS2 *u = data;
        if (utf8_of == NULL && make_utf8_of() < 0)
            return -1;
        const uint32_t *table = utf8_of;
        for (Py_ssize_t i = 0; i < n; i++) {
            uint32_t c = u[i];
            if (c >= 0x800) {  /* its three bytes by one load and one store of four (the line has room: 6 a character) */
                uint32_t w = table[c];
                if (w == 0)  /* a lone surrogate */
                    return NOT_MINE;
                memcpy(p, &w, 4);
                p += 3;
            }
            else if (c >= 0x80) {
                *p++ = (char)(0xC0 | (c >> 6));
                *p++ = (char)(0x80 | (c & 0x3F));
            }
            else if (escaped(c))
                p = put_escape(p, c);
            else
                *p++ = (char)c;
        }
    }
    else {
        const Py_UCS4 *u = data;
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_UCS4 c = u[i];
            if (c >= 0x10000) {
                *p++ = (char)(0xF0 | (c >> 18));
                *p++ = (char)(0x80 | ((c >> 12) & 0x3F));
                *p++ = (char)(0x80 | ((c >> 6) & 0x3F));
                *p++ = (char)(0x80 | (c & 0x3F));
            }
            else if (c >= 0x800) {
                if ((c & 0xFFFFF800) == 0xD800)
                    return NOT_MINE;
                *p++ = (char)(0xE0 | (c >> 12));
                *p++ = (char)(0x80 | ((c >> 6) & 0x3F));
                *p++ = (char)(0x80 | (c & 0x3F));
            }
            else if (c >= 0x80) {
                *p++ = (char)(0xC0 | (c >> 6));
                *p++ = (char)(0x80 | (c & 0x3F));
            }
            else if (escaped(c))
                p = put_escape(p, c);
            else
                *p++ = (char)c;
        }
    }
    *p++ = '"';
    o->len = p - o->buf;
    return 0;
}

/* ---------------------------------------------------------------- numbers */

static int
write_int(Out *o, PyObject *v)
{
    int overflow = 0;
    long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (overflow)
        return NOT_MINE;  /* orjson writes up to 2**64 - 1, and refuses more: its path */
    if (x == -1 && PyErr_Occurred())
        return -1;
    char digits[24];
    int n = 0;
    unsigned long long u = x < 0 ? 0ULL - (unsigned long long)x : (unsigned long long)x;
    do {
        digits[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    if (reserve(o, n + 1) < 0)
        return -1;
    char *p = o->buf + o->len;
    if (x < 0)
        *p++ = '-';
    while (n)
        *p++ = digits[--n];
    o->len = p - o->buf;
    return 0;
}

static const double POW10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};

static int
write_float(Out *o, double x)
{
    if (!isfinite(x))
        return put(o, "null", 4);
    if (x == 0.0)
        return signbit(x) ? put(o, "-0.0", 4) : put(o, "0.0", 3);
    double a = fabs(x);
    if (a >= 1e-4) {
        /* a decimal of d places: n / 10^d is a (IEEE division gives the float nearest the exact quotient, so this n
         * with this d reads back as a); the fewest places first, so the last digit is not 0 (else d - 1 places gave
         * it) and no shorter decimal reads back as a. Below 4e15 (a·10^d) the decimals of d places are more than an
         * ulp apart: this one is the only one, and the shortest repr is it */
        for (int d = 0; d <= 8; d++) {
            double m = a * POW10[d];
            if (!(m < 4e15))
                break;
            double whole = nearbyint(m);
            if (whole / POW10[d] != a)
                continue;
            char digits[24];
            int n = 0;
            unsigned long long u = (unsigned long long)whole;
            do {
                digits[n++] = (char)('0' + (int)(u % 10));
                u /= 10;
            } while (u);
            if (reserve(o, n + d + 4) < 0)
                return -1;
            char *p = o->buf + o->len;
            if (x < 0)
                *p++ = '-';
            if (n <= d) {  /* 0.00ddd */
                *p++ = '0';
                *p++ = '.';
                for (int z = d - n; z > 0; z--)
                    *p++ = '0';
                while (n)
                    *p++ = digits[--n];
            }
            else {
                while (n > d)
                    *p++ = digits[--n];
                *p++ = '.';
                if (d == 0)
                    *p++ = '0';
                while (n)
                    *p++ = digits[--n];
            }
            o->len = p - o->buf;
            return 0;
        }
    }
    char *r = PyOS_double_to_string(x, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
    if (r == NULL)
        return -1;
    int rc = NOT_MINE;
    if (strpbrk(r, "eEni") == NULL)  /* the plain decimal notation: orjson's, digit for digit */
        rc = put(o, r, (Py_ssize_t)strlen(r));
    PyMem_Free(r);
    return rc;
}

/* ---------------------------------------------------------------- shapes */

typedef struct {
    PyObject_HEAD
    PyObject *keys;      /* tuple of str, as given (for __reduce__) */
    Py_ssize_t n;
    PyObject *heads;     /* bytes: for each key, what goes before its value: {"key": for the first, ,"key": after */
    Py_ssize_t *starts;  /* n + 1 offsets into heads */
} Shape;

static PyTypeObject ShapeType;

static void
Shape_dealloc(Shape *self)
{
    Py_XDECREF(self->keys);
    Py_XDECREF(self->heads);
    PyMem_Free(self->starts);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
Shape_init(Shape *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"keys", NULL};
    PyObject *keys;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!:Shape", kwlist, &PyTuple_Type, &keys))
        return -1;
    Py_ssize_t n = PyTuple_GET_SIZE(keys);
    Out out;
    Py_ssize_t *starts = PyMem_Calloc((size_t)n + 1, sizeof(Py_ssize_t));
    if (starts == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    if (start(&out, 64) < 0) {
        PyMem_Free(starts);
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *key = PyTuple_GET_ITEM(keys, i);
        if (!PyUnicode_CheckExact(key)) {
            PyErr_SetString(PyExc_TypeError, "a shape's keys are str");
            goto fail;
        }
        starts[i] = out.len;
        if (put(&out, i ? "," : "{", 1) < 0)
            goto fail;
        int rc = write_str(&out, key);
        if (rc < 0)
            goto fail;
        if (rc == NOT_MINE) {
            PyErr_SetString(PyExc_ValueError, "a shape's key holds a lone surrogate");
            goto fail;
        }
        if (put(&out, ":", 1) < 0)
            goto fail;
    }
    starts[n] = out.len;
    PyObject *heads = finish(&out);
    if (heads == NULL)
        goto fail;
    Py_INCREF(keys);
    Py_XSETREF(self->keys, keys);
    Py_XSETREF(self->heads, heads);
    PyMem_Free(self->starts);
    self->starts = starts;
    self->n = n;
    return 0;
fail:
    Py_XDECREF(out.bytes);
    PyMem_Free(starts);
    return -1;
}

static PyObject *
Shape_reduce(Shape *self, PyObject *Py_UNUSED(ignored))
{
    if (self->keys == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Shape not initialised");
        return NULL;
    }
    return Py_BuildValue("O(O)", (PyObject *)Py_TYPE(self), self->keys);
}

static PyObject *
Shape_keys(Shape *self, void *Py_UNUSED(closure))
{
    if (self->keys == NULL)
        Py_RETURN_NONE;
    Py_INCREF(self->keys);
    return self->keys;
}

static PyMethodDef Shape_methods[] = {
    {"__reduce__", (PyCFunction)Shape_reduce, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Shape_getset[] = {
    {"keys", (getter)Shape_keys, NULL, "the keys, in order", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject ShapeType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "hotline._kernels.records.Shape",
    .tp_basicsize = sizeof(Shape),
    .tp_dealloc = (destructor)Shape_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Shape(keys): the keys of an object that dumps writes from a tuple (the shape, then a value a key)",
    .tp_methods = Shape_methods,
    .tp_getset = Shape_getset,
    .tp_init = (initproc)Shape_init,
    .tp_new = PyType_GenericNew,
};

/* ---------------------------------------------------------------- values */

/* 0 written, -1 an error (set), NOT_MINE not written as orjson surely would */
static int
write_value(Out *o, PyObject *v, PyObject *pieces, int ours, int depth)
{
    if (v == Py_None)
        return put(o, "null", 4);
    if (v == Py_True)
        return put(o, "true", 4);
    if (v == Py_False)
        return put(o, "false", 5);
    PyTypeObject *type = Py_TYPE(v);
    if (type == &PyUnicode_Type)
        return write_str(o, v);
    if (type == &PyFloat_Type)
        return write_float(o, PyFloat_AS_DOUBLE(v));
    if (type == &PyLong_Type)
        return write_int(o, v);
    if (depth >= MAX_DEPTH)
        return NOT_MINE;
    if (type == &PyTuple_Type) {
        Py_ssize_t n = PyTuple_GET_SIZE(v);
        if (ours && n >= 1 && Py_TYPE(PyTuple_GET_ITEM(v, 0)) == &ShapeType) {
            Shape *shape = (Shape *)PyTuple_GET_ITEM(v, 0);
            if (shape->starts == NULL || shape->n != n - 1) {  /* starts: made by __init__ (heads is NULL for no keys) */
                PyErr_SetString(PyExc_ValueError, "a shaped tuple holds a value for each key of its shape");
                return -1;
            }
            if (shape->n == 0)
                return put(o, "{}", 2);
            const char *heads = PyBytes_AS_STRING(shape->heads);
            for (Py_ssize_t i = 0; i < shape->n; i++) {
                if (put(o, heads + shape->starts[i], shape->starts[i + 1] - shape->starts[i]) < 0)
                    return -1;
                int rc = write_value(o, PyTuple_GET_ITEM(v, i + 1), pieces, ours, depth + 1);
                if (rc)
                    return rc;
            }
            return put(o, "}", 1);
        }
        if (put(o, "[", 1) < 0)
            return -1;
        for (Py_ssize_t i = 0; i < n; i++) {
            if (i && put(o, ",", 1) < 0)
                return -1;
            int rc = write_value(o, PyTuple_GET_ITEM(v, i), pieces, ours, depth + 1);
            if (rc)
                return rc;
        }
        return put(o, "]", 1);
    }
    if (ours && v == pieces) {
        if (put(o, "[", 1) < 0)
            return -1;
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(v); i++) {
            PyObject *item = PyList_GET_ITEM(v, i);
            if (Py_TYPE(item) != &PyBytes_Type)
                return NOT_MINE;
            if ((i && put(o, ",", 1) < 0) || put(o, PyBytes_AS_STRING(item), PyBytes_GET_SIZE(item)) < 0)
                return -1;
        }
        return put(o, "]", 1);
    }
    if (type == &PyList_Type) {
        if (put(o, "[", 1) < 0)
            return -1;
        /* by index, its size read each time: nothing here runs Python code, but be safe all the same */
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(v); i++) {
            if (i && put(o, ",", 1) < 0)
                return -1;
            PyObject *item = PyList_GET_ITEM(v, i);
            Py_INCREF(item);
            int rc = write_value(o, item, pieces, ours, depth + 1);
            Py_DECREF(item);
            if (rc)
                return rc;
        }
        return put(o, "]", 1);
    }
    if (type == &PyDict_Type) {
        if (put(o, "{", 1) < 0)
            return -1;
        Py_ssize_t pos = 0, i = 0;
        PyObject *key, *value;
        while (PyDict_Next(v, &pos, &key, &value)) {
            if (Py_TYPE(key) != &PyUnicode_Type)
                return NOT_MINE;
            if (i++ && put(o, ",", 1) < 0)
                return -1;
            int rc = write_str(o, key);
            if (rc)
                return rc;
            if (put(o, ":", 1) < 0)
                return -1;
            Py_INCREF(value);
            rc = write_value(o, value, pieces, 0, depth + 1);  /* a dict's values are never the record's own parts */
            Py_DECREF(value);
            if (rc)
                return rc;
        }
        return put(o, "}", 1);
    }
    if (PyUnicode_Check(v))  /* a subclass of str (a StrEnum: a finding's severity) as its text, as orjson writes it */
        return write_str(o, v);
    return NOT_MINE;
}

/* the room a line starts with: twice the longest of the last lines (at least 4 KB, at most 256 KB), so most lines
 * are written without moving, and each is then cut to its length */
static Py_ssize_t room = 4096;

static PyObject *
records_dumps(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "dumps(obj, pieces)");
        return NULL;
    }
    PyObject *pieces = args[1];
    if (!PyList_CheckExact(pieces)) {
        PyErr_SetString(PyExc_TypeError, "dumps(obj, pieces): pieces is a list of bytes");
        return NULL;
    }
    Out out;
    if (start(&out, room) < 0)
        return NULL;
    int rc = write_value(&out, args[0], pieces, 1, 0);
    if (rc == 0)
        rc = put(&out, "\n", 1);
    if (rc == 0) {
        if (out.len * 2 > room)
            room = out.len < (128 << 10) ? out.len * 2 : (256 << 10);
        return finish(&out);
    }
    Py_XDECREF(out.bytes);
    if (rc == NOT_MINE)
        Py_RETURN_NONE;
    return NULL;
}

/* ---------------------------------------------------------------- huge floats (reading) */

/* ``jsonfmt._has_huge_float``: whether a value orjson decoded (exact dicts, lists, floats…) holds a float of
 * ``limit`` or more either way (or NaN: no float orjson makes), walked with a stack of its own (borrowed
 * references: nothing here runs Python code, the value stays as it is) */
static PyObject *
records_huge(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyFloat_CheckExact(args[1])) {
        PyErr_SetString(PyExc_TypeError, "huge(obj, limit): limit is a float");
        return NULL;
    }
    double limit = PyFloat_AS_DOUBLE(args[1]);
    PyObject *first = args[0];
    if (Py_TYPE(first) == &PyFloat_Type) {
        double x = PyFloat_AS_DOUBLE(first);
        return PyBool_FromLong(!(-limit < x && x < limit));
    }
    PyObject *small[64];
    PyObject **stack = small;
    Py_ssize_t depth = 0, cap = 64;
    int found = 0;
    stack[depth++] = first;
    while (depth && !found) {
        PyObject *item = stack[--depth];
        PyObject *value;
        PyObject **items = NULL;
        Py_ssize_t n = 0, pos = 0;
        int is_dict = Py_TYPE(item) == &PyDict_Type;
        if (!is_dict) {
            if (Py_TYPE(item) != &PyList_Type)
                continue;
            items = PySequence_Fast_ITEMS(item);
            n = PyList_GET_SIZE(item);
        }
        for (Py_ssize_t i = 0;; i++) {
            if (is_dict) {
                if (!PyDict_Next(item, &pos, NULL, &value))
                    break;
            }
            else {
                if (i >= n)
                    break;
                value = items[i];
            }
            PyTypeObject *type = Py_TYPE(value);
            if (type == &PyFloat_Type) {
                double x = PyFloat_AS_DOUBLE(value);
                if (!(-limit < x && x < limit)) {
                    found = 1;
                    break;
                }
            }
            else if (type == &PyDict_Type || type == &PyList_Type) {
                if (depth == cap) {
                    PyObject **more = PyMem_Malloc(sizeof(PyObject *) * (size_t)cap * 2);
                    if (more == NULL) {
                        if (stack != small)
                            PyMem_Free(stack);
                        return PyErr_NoMemory();
                    }
                    memcpy(more, stack, sizeof(PyObject *) * (size_t)depth);
                    if (stack != small)
                        PyMem_Free(stack);
                    stack = more;
                    cap *= 2;
                }
                stack[depth++] = value;
            }
        }
    }
    if (stack != small)
        PyMem_Free(stack);
    return PyBool_FromLong(found);
}

/* ---------------------------------------------------------------- turns as most are written (reading) */

/* ``text.strip()``: the text without the whitespace (``str.isspace``) at either end (the text itself when it has
 * none) */
static PyObject *
stripped(PyObject *text)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), i = 0, j = n;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    while (i < j && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i)))
        i++;
    while (j > i && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, j - 1)))
        j--;
    if (i == 0 && j == n) {
        Py_INCREF(text);
        return text;
    }
    return PyUnicode_Substring(text, i, j);
}

/* the value of the first of ``keys`` that ``d`` holds (borrowed), NULL with no error when none, NULL with one set */
static PyObject *
first_of(PyObject *d, PyObject *keys)
{
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(keys); k++) {
        PyObject *v = PyDict_GetItemWithError(d, PyTuple_GET_ITEM(keys, k));
        if (v != NULL || PyErr_Occurred())
            return v;
    }
    return NULL;
}

/* ``_time``: a time as ``_number`` takes it without a word (a float that is a number and not negative, or an exact
 * int, not negative: to 2**53, past which the Python path converts it), 1 with it in ``*x``; 0 for any other */
static int
plain_time(PyObject *v, double *x)
{
    if (PyFloat_Check(v)) {
        double f = PyFloat_AS_DOUBLE(v);
        if (f - f == 0.0 && f >= 0.0) {
            *x = f;
            return 1;
        }
        return 0;
    }
    if (PyLong_CheckExact(v)) {
        int overflow = 0;
        long long w = PyLong_AsLongLongAndOverflow(v, &overflow);
        if (overflow || w < 0 || w > (1LL << 53))
            return 0;  /* (-1 for an error cannot be: an exact int) */
        *x = (double)w;
        return 1;
    }
    return 0;
}

/* a time of the turn as a float object: the value itself when it is an exact float the scale keeps (1.0) */
static PyObject *
time_object(PyObject *v, double x, double scale)
{
    if (scale == 1.0 && PyFloat_CheckExact(v)) {
        Py_INCREF(v);
        return v;
    }
    return PyFloat_FromDouble(x * scale);
}

/* ``_plain_turn`` of one turn: a new tuple (label, text, start, end) of the RawTurn it makes, Py_None (a new
 * reference) for a turn it leaves to the Python path (which then reads it as ``_plain_turn`` and ``_raw_turn`` do),
 * NULL with an error. (A tuple, not the RawTurn: the compiled reader makes that at a fifth of the cost of a call of
 * its class from here) */
static PyObject *
plain_turn(PyObject *t, PyObject *speakers, PyObject *texts, PyObject *times, PyObject *marks, Py_ssize_t longest)
{
    if (!PyDict_CheckExact(t))
        Py_RETURN_NONE;
    PyObject *found = first_of(t, speakers);
    if (found == NULL && PyErr_Occurred())
        return NULL;
    if (found == NULL || !PyUnicode_CheckExact(found))
        Py_RETURN_NONE;
    if (PyUnicode_GET_LENGTH(found) >= 1) {
        Py_UCS4 c = PyUnicode_READ_CHAR(found, 0);
        if (c == '{' || c == '[')  /* a JSON string in a string: _raw_turn decodes it */
            Py_RETURN_NONE;
    }
    PyObject *text = first_of(t, texts);
    if (text == NULL && PyErr_Occurred())
        return NULL;
    if (text == NULL || !PyUnicode_CheckExact(text))
        Py_RETURN_NONE;
    PyObject *label = NULL, *clean = NULL, *start = NULL, *end = NULL, *result = NULL;
    label = stripped(found);
    if (label == NULL)
        return NULL;
    if (PyUnicode_GET_LENGTH(label) == 0) {
        Py_DECREF(label);
        Py_RETURN_NONE;
    }
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(times); k++) {
        PyObject *keys = PyTuple_GET_ITEM(times, k);  /* (start key, end key, scale) */
        PyObject *s = PyDict_GetItemWithError(t, PyTuple_GET_ITEM(keys, 0));
        if (s == NULL && PyErr_Occurred())
            goto done;
        if (s == NULL || s == Py_None)
            continue;
        PyObject *e = PyDict_GetItemWithError(t, PyTuple_GET_ITEM(keys, 1));
        if (e == NULL && PyErr_Occurred())
            goto done;
        double scale = PyFloat_AsDouble(PyTuple_GET_ITEM(keys, 2));
        if (scale == -1.0 && PyErr_Occurred())
            goto done;
        double first, last;
        if (!plain_time(s, &first))
            goto other;
        double from = first * scale;
        if (e != NULL && e != Py_None) {
            if (!plain_time(e, &last))
                goto other;
            if (last * scale < from)
                goto other;
            end = time_object(e, last, scale);
            if (end == NULL)
                goto done;
        }
        start = time_object(s, first, scale);
        if (start == NULL)
            goto done;
        break;
    }
    /* ``clean_text``: stripped, and empty when it is a silence mark (none is longer than ``longest``) */
    clean = stripped(text);
    if (clean == NULL)
        goto done;
    if (PyUnicode_GET_LENGTH(clean) <= longest) {
        int mark = PySet_Contains(marks, clean);
        if (mark < 0)
            goto done;
        if (mark) {
            Py_SETREF(clean, PyUnicode_New(0, 0));
            if (clean == NULL)
                goto done;
        }
    }
    result = PyTuple_Pack(4, label, clean, start ? start : Py_None, end ? end : Py_None);
    goto done;
other:
    Py_INCREF(Py_None);
    result = Py_None;
done:
    Py_XDECREF(label);
    Py_XDECREF(clean);
    Py_XDECREF(start);
    Py_XDECREF(end);
    return result;
}

/* ``turns(items, speakers, texts, times, marks, longest)``: for each item of the list, (label, text, start, end) of the
 * RawTurn ``_plain_turn`` makes of it, or None where the Python path reads it */
static PyObject *
records_turns(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 6 || !PyList_CheckExact(args[0]) || !PyTuple_CheckExact(args[1]) || !PyTuple_CheckExact(args[2])
        || !PyTuple_CheckExact(args[3]) || !PyAnySet_Check(args[4]) || !PyLong_Check(args[5])) {
        PyErr_SetString(PyExc_TypeError, "turns(items: list, speakers: tuple, texts: tuple, times: tuple, "
                                         "marks: frozenset, longest: int)");
        return NULL;
    }
    PyObject *items = args[0], *times = args[3];
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(times); k++) {
        PyObject *keys = PyTuple_GET_ITEM(times, k);
        if (!PyTuple_CheckExact(keys) || PyTuple_GET_SIZE(keys) != 3) {
            PyErr_SetString(PyExc_TypeError, "times: (start key, end key, scale) each");
            return NULL;
        }
    }
    Py_ssize_t longest = PyLong_AsSsize_t(args[5]);
    if (longest == -1 && PyErr_Occurred())
        return NULL;
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(items); i++) {  /* its size read each time (a set lookup may run code) */
        PyObject *t = PyList_GET_ITEM(items, i);
        Py_INCREF(t);
        PyObject *turn = plain_turn(t, args[1], args[2], times, args[4], longest);
        Py_DECREF(t);
        if (turn == NULL || PyList_Append(out, turn) < 0) {
            Py_XDECREF(turn);
            Py_DECREF(out);
            return NULL;
        }
        Py_DECREF(turn);
    }
    return out;
}

static PyMethodDef records_methods[] = {
    {"dumps", (PyCFunction)(void (*)(void))records_dumps, METH_FASTCALL,
     "dumps(obj, pieces): orjson.dumps(obj, option=OPT_APPEND_NEWLINE) of a record (shaped tuples outside dicts as "
     "objects; the list pieces as the array of its bytes, JSON as it is), or None when it is not surely the same"},
    {"huge", (PyCFunction)(void (*)(void))records_huge, METH_FASTCALL,
     "huge(obj, limit): whether a value orjson decoded holds a float of limit or more either way (jsonfmt._has_huge_float)"},
    {"turns", (PyCFunction)(void (*)(void))records_turns, METH_FASTCALL,
     "turns(items, speakers, texts, times, marks, longest): (label, text, start, end) of the RawTurn jsonfmt._plain_turn "
     "makes of each item, or None where it leaves it to the Python path"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef records_module = {
    PyModuleDef_HEAD_INIT, "hotline._kernels.records",
    "A scorecard's JSON line written straight from its values; a record's huge floats and plain turns read.",
    -1, records_methods,
};

PyMODINIT_FUNC
PyInit_records(void)
{
    if (PyType_Ready(&ShapeType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&records_module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&ShapeType);
    if (PyModule_AddObject(m, "Shape", (PyObject *)&ShapeType) < 0) {
        Py_DECREF(&ShapeType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
