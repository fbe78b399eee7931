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
 * so ``len("".join(text.split())) == len(text) - spaces(text)``, without the list of pieces and the joined string.
 *
 * Wrong types raise TypeError (the callers pass a list of str and a str: never met). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

static unsigned char alnum_map[65536]; /* 0: not asked yet, 1: not alnum, 2: alnum */

static Py_ssize_t
spoken_count(PyObject *text)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), count = 0, i;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    if (kind == PyUnicode_1BYTE_KIND) {
        const Py_UCS1 *p = (const Py_UCS1 *)data;
        for (i = 0; i < n; i++) {
            Py_UCS4 c = p[i];
            unsigned char v = alnum_map[c];
            if (!v)
                v = alnum_map[c] = Py_UNICODE_ISALNUM(c) ? 2 : 1;
            count += v - 1;
        }
    }
    else if (kind == PyUnicode_2BYTE_KIND) {
        const Py_UCS2 *p = (const Py_UCS2 *)data;
        for (i = 0; i < n; i++) {
            Py_UCS4 c = p[i];
            unsigned char v = alnum_map[c];
            if (!v)
                v = alnum_map[c] = Py_UNICODE_ISALNUM(c) ? 2 : 1;
            count += v - 1;
        }
    }
    else {
        const Py_UCS4 *p = (const Py_UCS4 *)data;
        for (i = 0; i < n; i++) {
            Py_UCS4 c = p[i];
            if (c < 65536) {
                unsigned char v = alnum_map[c];
                if (!v)
                    v = alnum_map[c] = Py_UNICODE_ISALNUM(c) ? 2 : 1;
                count += v - 1;
            }
            else if (Py_UNICODE_ISALNUM(c))
                count += 1;
        }
    }
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
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), count = 0, i;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    if (kind == PyUnicode_1BYTE_KIND) {
        const Py_UCS1 *p = (const Py_UCS1 *)data;
        for (i = 0; i < n; i++)
            count += Py_UNICODE_ISSPACE(p[i]) ? 1 : 0;
    }
    else if (kind == PyUnicode_2BYTE_KIND) {
        const Py_UCS2 *p = (const Py_UCS2 *)data;
        for (i = 0; i < n; i++)
            count += Py_UNICODE_ISSPACE(p[i]) ? 1 : 0;
    }
    else {
        const Py_UCS4 *p = (const Py_UCS4 *)data;
        for (i = 0; i < n; i++)
            count += Py_UNICODE_ISSPACE(p[i]) ? 1 : 0;
    }
    return PyLong_FromSsize_t(count);
}

static PyMethodDef context_methods[] = {
    {"spoken_counts", (PyCFunction)spoken_counts, METH_O, spoken_counts_doc},
    {"spaces", (PyCFunction)spaces, METH_O, spaces_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef context_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "hotline._kernels.context",
    .m_doc = "Per-call character counts of the call context and normalize_all in C.",
    .m_methods = context_methods,
    .m_size = -1,
};

PyMODINIT_FUNC
PyInit_context(void)
{
    return PyModule_Create(&context_module);
}
