/* Native kernels of hubspot-preflight: a 64-bit hash (XXH64) of each value of an Arrow string
 * or binary array, from its buffers, the interpreter's lock released meanwhile. Optional: where
 * this module was not built, validator.keys.hashers hashes with polars or pandas. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

static const uint64_t P1 = 0x9E3779B185EBCA87ULL, P2 = 0xC2B2AE3D27D4EB4FULL,
                      P3 = 0x165667B19E3779F9ULL, P4 = 0x85EBCA77C2B2AE63ULL,
                      P5 = 0x27D4EB2F165667C5ULL;

static inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
static inline uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t round1(uint64_t acc, uint64_t in) {
    acc += in * P2; acc = rotl(acc, 31); return acc * P1;
}
static inline uint64_t merge(uint64_t acc, uint64_t v) {
    acc ^= round1(0, v); return acc * P1 + P4;
}

static uint64_t xxh64(const uint8_t *p, size_t len, uint64_t seed) {
    const uint8_t *end = p + len;
    uint64_t h;
    if (len >= 32) {
        const uint8_t *limit = end - 32;
        uint64_t v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;
        do {
            v1 = round1(v1, rd64(p)); v2 = round1(v2, rd64(p + 8));
            v3 = round1(v3, rd64(p + 16)); v4 = round1(v4, rd64(p + 24));
            p += 32;
        } while (p <= limit);
        h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
        h = merge(h, v1); h = merge(h, v2); h = merge(h, v3); h = merge(h, v4);
    } else {
        h = seed + P5;
    }
    h += (uint64_t)len;
    while (p + 8 <= end) { h ^= round1(0, rd64(p)); h = rotl(h, 27) * P1 + P4; p += 8; }
    if (p + 4 <= end) { h ^= (uint64_t)rd32(p) * P1; h = rotl(h, 23) * P2 + P3; p += 4; }
    while (p < end) { h ^= (*p) * P5; h = rotl(h, 11) * P1; p++; }
    h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32;
    return h;
}

/* hash_values(data, offsets, out, seed): out[i] = XXH64(data[offsets[i]:offsets[i+1]], seed)
 * for each of the len(out) values; offsets of 4 or 8 bytes (the buffer's item size), at least
 * len(out) + 1 of them, each within data. */
static PyObject *hash_values(PyObject *self, PyObject *args) {
    Py_buffer data, offsets, out;
    unsigned long long seed;
    if (!PyArg_ParseTuple(args, "y*y*w*K", &data, &offsets, &out, &seed)) return NULL;
    PyObject *result = NULL;
    Py_ssize_t n = out.len / 8, width = offsets.itemsize;
    if ((width != 4 && width != 8) || out.itemsize != 8 || offsets.len / width < n + 1) {
        PyErr_SetString(PyExc_ValueError, "hash_values: offsets of 4 or 8 bytes, one more than the values");
        goto done;
    }
    const uint8_t *bytes = (const uint8_t *)data.buf;
    uint64_t *dest = (uint64_t *)out.buf;
    int bad = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t a, b;
        if (width == 4) { a = ((const int32_t *)offsets.buf)[i]; b = ((const int32_t *)offsets.buf)[i + 1]; }
        else { a = ((const int64_t *)offsets.buf)[i]; b = ((const int64_t *)offsets.buf)[i + 1]; }
        if (a < 0 || b < a || b > data.len) { bad = 1; break; }
        dest[i] = xxh64(bytes + a, (size_t)(b - a), (uint64_t)seed);
    }
    Py_END_ALLOW_THREADS
    if (bad) { PyErr_SetString(PyExc_ValueError, "hash_values: an offset outside the data"); goto done; }
    result = Py_NewRef(Py_None);
done:
    PyBuffer_Release(&data); PyBuffer_Release(&offsets); PyBuffer_Release(&out);
    return result;
}

static PyMethodDef methods[] = {
    {"hash_values", hash_values, METH_VARARGS, "XXH64 of each value of an Arrow string or binary array's buffers."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_preflight_native", NULL, -1, methods};

PyMODINIT_FUNC PyInit__preflight_native(void) { return PyModule_Create(&module); }
