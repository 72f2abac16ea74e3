/* wordfreq.tables._arrow: columns handed over as Arrow, with no Python object per row.
 *
 *   struct_array(columns, length) -> (schema capsule, array capsule)
 *
 * The two PyCapsules of the Arrow PyCapsule interface ("arrow_schema",
 * "arrow_array"; https://arrow.apache.org/docs/format/CDataInterface/
 * PyCapsuleInterface.html) for a struct array of ``length`` rows whose
 * children are ``columns``: each a tuple (name, format, null_count, buffers),
 * ``format`` an Arrow format string ("U" large UTF-8, "l" int64, "g"
 * float64, "b" boolean) and ``buffers`` a tuple of bytes (or None for an
 * absent validity bitmap) laid out as the Arrow columnar format says.  The
 * arrays point into those bytes objects, which they keep alive until the
 * consumer (pyarrow, polars, DuckDB) releases them: nothing is copied here.
 * The caller (wordfreq.tables.frames) checks the buffers' sizes against ``length``.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARROW_FLAG_NULLABLE 2

struct ArrowSchema {
    const char *format;
    const char *name;
    const char *metadata;
    int64_t flags;
    int64_t n_children;
    struct ArrowSchema **children;
    struct ArrowSchema *dictionary;
    void (*release)(struct ArrowSchema *);
    void *private_data;
};

struct ArrowArray {
    int64_t length;
    int64_t null_count;
    int64_t offset;
    int64_t n_buffers;
    int64_t n_children;
    const void **buffers;
    struct ArrowArray **children;
    struct ArrowArray *dictionary;
    void (*release)(struct ArrowArray *);
    void *private_data;
};

static char *
copy_string(const char *text)
{
    size_t n = strlen(text) + 1;
    char *copy = malloc(n);
    if (copy != NULL)
        memcpy(copy, text, n);
    return copy;
}

static void
release_schema(struct ArrowSchema *schema)
{
    if (schema->release == NULL)
        return;
    for (int64_t i = 0; i < schema->n_children; i++) {
        struct ArrowSchema *child = schema->children[i];
        if (child == NULL)
            continue;
        if (child->release != NULL)
            child->release(child);
        free(child);
    }
    free(schema->children);
    free((void *)schema->format);
    free((void *)schema->name);
    schema->release = NULL;
}

/* A child's private data is the tuple of bytes its buffers point into; the consumer may release it
 * from any thread, after moving it out of its parent. */
static void
release_array(struct ArrowArray *array)
{
    if (array->release == NULL)
        return;
    for (int64_t i = 0; i < array->n_children; i++) {
        struct ArrowArray *child = array->children[i];
        if (child == NULL)
            continue;
        if (child->release != NULL)
            child->release(child);
        free(child);
    }
    free(array->children);
    free((void *)array->buffers);
    if (array->private_data != NULL) {
        PyGILState_STATE gil = PyGILState_Ensure();
        Py_DECREF((PyObject *)array->private_data);
        PyGILState_Release(gil);
    }
    array->release = NULL;
}

static void
schema_capsule_free(PyObject *capsule)
{
    struct ArrowSchema *schema = PyCapsule_GetPointer(capsule, "arrow_schema");
    if (schema == NULL) {
        PyErr_Clear();
        return;
    }
    if (schema->release != NULL)
        schema->release(schema);
    free(schema);
}

static void
array_capsule_free(PyObject *capsule)
{
    struct ArrowArray *array = PyCapsule_GetPointer(capsule, "arrow_array");
    if (array == NULL) {
        PyErr_Clear();
        return;
    }
    if (array->release != NULL)
        array->release(array);
    free(array);
}

/* Fill child ``i`` of ``schema`` and ``array`` from the tuple ``column``; -1 with an exception set. */
static int
add_column(struct ArrowSchema *schema, struct ArrowArray *array, Py_ssize_t i, PyObject *column,
           Py_ssize_t length)
{
    const char *name, *format;
    Py_ssize_t nulls;
    PyObject *buffers;
    if (!PyArg_ParseTuple(column, "ssnO!:column", &name, &format, &nulls, &PyTuple_Type, &buffers))
        return -1;
    struct ArrowSchema *field = calloc(1, sizeof *field);
    schema->children[i] = field;
    struct ArrowArray *values = calloc(1, sizeof *values);
    array->children[i] = values;
    if (field == NULL || values == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    field->release = release_schema;
    field->flags = ARROW_FLAG_NULLABLE;
    field->format = copy_string(format);
    field->name = copy_string(name);
    Py_ssize_t n = PyTuple_GET_SIZE(buffers);
    values->release = release_array;
    values->length = length;
    values->null_count = nulls;
    values->n_buffers = n;
    values->buffers = calloc(n > 0 ? n : 1, sizeof(void *));
    if (field->format == NULL || field->name == NULL || values->buffers == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t j = 0; j < n; j++) {
        PyObject *buffer = PyTuple_GET_ITEM(buffers, j);
        if (buffer == Py_None) {
            values->buffers[j] = NULL;
        } else if (PyBytes_Check(buffer)) {
            values->buffers[j] = PyBytes_AS_STRING(buffer);
        } else {
            PyErr_SetString(PyExc_TypeError, "a buffer must be bytes or None");
            return -1;
        }
    }
    Py_INCREF(buffers);
    values->private_data = buffers;
    return 0;
}

static PyObject *
struct_array(PyObject *self, PyObject *args)
{
    PyObject *columns;
    Py_ssize_t length;
    if (!PyArg_ParseTuple(args, "O!n:struct_array", &PyTuple_Type, &columns, &length))
        return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(columns);
    struct ArrowSchema *schema = calloc(1, sizeof *schema);
    struct ArrowArray *array = calloc(1, sizeof *array);
    if (schema == NULL || array == NULL) {
        free(schema);
        free(array);
        return PyErr_NoMemory();
    }
    schema->release = release_schema;
    schema->format = copy_string("+s");
    schema->name = copy_string("");
    schema->n_children = n;
    schema->children = calloc(n > 0 ? n : 1, sizeof(struct ArrowSchema *));
    array->release = release_array;
    array->length = length;
    array->n_buffers = 1;  /* a struct array's validity bitmap: absent, no row is null */
    array->buffers = calloc(1, sizeof(void *));
    array->n_children = n;
    array->children = calloc(n > 0 ? n : 1, sizeof(struct ArrowArray *));
    PyObject *schema_capsule = NULL, *array_capsule = NULL;
    if (schema->format == NULL || schema->name == NULL || schema->children == NULL || array->buffers == NULL
        || array->children == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (add_column(schema, array, i, PyTuple_GET_ITEM(columns, i), length) < 0)
            goto fail;
    }
    schema_capsule = PyCapsule_New(schema, "arrow_schema", schema_capsule_free);
    if (schema_capsule == NULL)
        goto fail;
    schema = NULL;  /* the capsule owns it */
    array_capsule = PyCapsule_New(array, "arrow_array", array_capsule_free);
    if (array_capsule == NULL)
        goto fail;
    return Py_BuildValue("(NN)", schema_capsule, array_capsule);
fail:
    Py_XDECREF(schema_capsule);
    if (schema != NULL) {
        release_schema(schema);
        free(schema);
    }
    release_array(array);
    free(array);
    return NULL;
}

static PyMethodDef methods[] = {
    {"struct_array", struct_array, METH_VARARGS,
     "struct_array(columns, length) -> (schema capsule, array capsule): Arrow over the columns' bytes"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "wordfreq.tables._arrow", "Columns handed over as Arrow, no Python object per row.", -1,
    methods,
};

PyMODINIT_FUNC
PyInit__arrow(void)
{
    return PyModule_Create(&module);
}
