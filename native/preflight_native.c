/* Native kernels of hubspot-preflight, over the buffers of Arrow string or binary arrays (as
 * numpy arrays: the values' bytes and their offsets), the interpreter's lock released meanwhile:
 *
 * - hash_values: a 64-bit hash (XXH64) of each value (validator.keys.hashers);
 * - screen_values: each value's length, first and last byte, and which bytes outside printable
 *   ASCII the values hold (validator.checks._facts.Screen);
 * - key_values: each value trimmed (and lower-cased) as a key and hashed as hash_values does,
 *   where that needs no Unicode tables (validator.keys.keying.cell_keys);
 * - table_add, table_find: a hash table of 64-bit keys with the row where each was first seen,
 *   held in two numpy arrays the caller owns (validator.keys.sets.KeySet);
 * - email_values: each value against the ASCII email grammar, and the facts about it that pick
 *   the values to look at again (validator.formats.text.emails);
 * - class_values: whether each value is made of bytes of given sets, by place (first, later,
 *   last: validator.formats.arrays.byte_class_cells).
 *
 * Optional: where this module was not built, validator.native.kernels is None and the callers do
 * the same work with numpy, polars or pandas. Every offset is checked against the data first: a
 * bad one is a ValueError, never a read outside the buffers. */
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

/* The buffers of objs[0..k), C-contiguous with their item size given (a view asked for with
 * no format may report an item size of 1); buffer i writable where bit i of `writable` is set.
 * Returns 0 with an exception set, every view taken released, where one cannot be had. */
#define LAST(n, k) ((((1u << (n)) - 1u)) << ((k) - (n)))  /* the last n of k buffers */
static int get_buffers(PyObject **objs, Py_buffer *views, int k, unsigned writable) {
    for (int i = 0; i < k; i++) {
        int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | ((writable >> i) & 1u ? PyBUF_WRITABLE : 0);
        if (PyObject_GetBuffer(objs[i], &views[i], flags) < 0) {
            while (i--) PyBuffer_Release(&views[i]);
            return 0;
        }
    }
    return 1;
}

static void release_buffers(Py_buffer *views, int k) {
    for (int i = 0; i < k; i++) PyBuffer_Release(&views[i]);
}

/* Offset i of an offsets buffer of 4- or 8-byte integers. */
static inline int64_t offset_at(const Py_buffer *offsets, Py_ssize_t i) {
    return offsets->itemsize == 4 ? (int64_t)((const int32_t *)offsets->buf)[i] : ((const int64_t *)offsets->buf)[i];
}

/* Whether n values' offsets are usable: 4 or 8 bytes each, at least n + 1 of them, ascending,
 * within the data (a ValueError set where not). Checked without the interpreter's lock. */
static int offsets_ok(const Py_buffer *data, const Py_buffer *offsets, Py_ssize_t n, const char *who) {
    Py_ssize_t width = offsets->itemsize;
    if ((width != 4 && width != 8) || offsets->len / width < n + 1) {
        PyErr_Format(PyExc_ValueError, "%s: offsets of 4 or 8 bytes, one more than the values", who);
        return 0;
    }
    int bad = 0;
    Py_BEGIN_ALLOW_THREADS
    int64_t prev = offset_at(offsets, 0);
    bad = prev < 0;
    for (Py_ssize_t i = 1; i <= n && !bad; i++) {
        int64_t next = offset_at(offsets, i);
        bad = next < prev;
        prev = next;
    }
    bad = bad || prev > (int64_t)data->len;
    Py_END_ALLOW_THREADS
    if (bad) PyErr_Format(PyExc_ValueError, "%s: an offset outside the data", who);
    return !bad;
}

/* hash_values(data, offsets, out, seed): out[i] = XXH64(data[offsets[i]:offsets[i+1]], seed)
 * for each of the len(out) values; offsets of 4 or 8 bytes (the buffer's item size), at least
 * len(out) + 1 of them, each within data. */
static PyObject *hash_values(PyObject *self, PyObject *args) {
    PyObject *objs[3];
    Py_buffer views[3];
    unsigned long long seed;
    if (!PyArg_ParseTuple(args, "OOOK", &objs[0], &objs[1], &objs[2], &seed)) return NULL;
    if (!get_buffers(objs, views, 3, LAST(1, 3))) return NULL;
    Py_buffer data = views[0], offsets = views[1], out = views[2];
    PyObject *result = NULL;
    Py_ssize_t n = out.len / 8;
    if (out.itemsize != 8) {
        PyErr_SetString(PyExc_ValueError, "hash_values: out of 8-byte integers");
        goto done;
    }
    if (!offsets_ok(&data, &offsets, n, "hash_values")) goto done;
    const uint8_t *bytes = (const uint8_t *)data.buf;
    uint64_t *dest = (uint64_t *)out.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t a = offset_at(&offsets, i), b = offset_at(&offsets, i + 1);
        dest[i] = xxh64(bytes + a, (size_t)(b - a), (uint64_t)seed);
    }
    Py_END_ALLOW_THREADS
    result = Py_NewRef(Py_None);
done:
    release_buffers(views, 3);
    return result;
}

/* screen_values(data, offsets, first, last, length, seen): for each of the len(length) values,
 * its length in bytes (int32), its first and last byte (uint8; 0 for an empty value); and
 * seen[b] = 1 for each byte b outside 0x20-0x7E among the values' bytes (seen: 256 uint8, only
 * set, never cleared, so one table can gather several arrays'). A value of 2 GiB or more is
 * refused (the readers' cells are far under). */
static PyObject *screen_values(PyObject *self, PyObject *args) {
    PyObject *objs[6];
    Py_buffer views[6];
    if (!PyArg_ParseTuple(args, "OOOOOO", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4], &objs[5])) return NULL;
    if (!get_buffers(objs, views, 6, LAST(4, 6))) return NULL;
    Py_buffer data = views[0], offsets = views[1], first = views[2], last = views[3], length = views[4],
              seen = views[5];
    PyObject *result = NULL;
    Py_ssize_t n = length.len / 4;
    if (length.itemsize != 4 || first.itemsize != 1 || last.itemsize != 1 || first.len < n || last.len < n
        || seen.len != 256) {
        PyErr_SetString(PyExc_ValueError, "screen_values: length of int32, first and last as long, seen of 256 bytes");
        goto done;
    }
    Py_ssize_t width = offsets.itemsize;
    if ((width != 4 && width != 8) || offsets.len / width < n + 1) {
        PyErr_SetString(PyExc_ValueError, "screen_values: offsets of 4 or 8 bytes, one more than the values");
        goto done;
    }
    const uint8_t *bytes = (const uint8_t *)data.buf;
    uint8_t *f = (uint8_t *)first.buf, *l = (uint8_t *)last.buf, *rare = (uint8_t *)seen.buf;
    int32_t *len = (int32_t *)length.buf;
    int bad = 0, too_long = 0;
    int64_t size = (int64_t)data.len;
    Py_BEGIN_ALLOW_THREADS
    /* each value's length and end bytes, its offsets checked as they are read */
#define SCREEN_OFFSETS(T)                                                              \
    {                                                                                  \
        const T *o = (const T *)offsets.buf;                                           \
        bad = n && (o[0] < 0 || (int64_t)o[n] > size);                                 \
        for (Py_ssize_t i = 0; i < n && !bad; i++) {                                   \
            int64_t a = o[i], b = o[i + 1];                                            \
            if (b < a) { bad = 1; break; }                                             \
            if (b - a > INT32_MAX) { too_long = 1; break; }                            \
            len[i] = (int32_t)(b - a);                                                 \
            f[i] = b > a ? bytes[a] : 0;                                               \
            l[i] = b > a ? bytes[b - 1] : 0;                                           \
        }                                                                              \
    }
    if (width == 4) SCREEN_OFFSETS(int32_t) else SCREEN_OFFSETS(int64_t)
#undef SCREEN_OFFSETS
    if (!bad && !too_long && n) {
        /* the bytes outside printable ASCII: a block at a time, every byte of a block that holds
         * one marked in a table of all 256 (no branch a byte), the printable ones dropped after */
        uint8_t all[256] = {0};
        const uint8_t *p = bytes + offset_at(&offsets, 0), *end = bytes + offset_at(&offsets, n);
        while (p < end) {
            size_t block = (size_t)(end - p) < 256 ? (size_t)(end - p) : 256;
            uint8_t any = 0;
            for (size_t j = 0; j < block; j++) any |= (uint8_t)(p[j] - 0x20) > 0x5E;
            if (any)
                for (size_t j = 0; j < block; j++) all[p[j]] = 1;
            p += block;
        }
        for (int c = 0; c < 256; c++)
            if (all[c] && (uint8_t)(c - 0x20) > 0x5E) rare[c] = 1;
    }
    Py_END_ALLOW_THREADS
    if (bad) { PyErr_SetString(PyExc_ValueError, "screen_values: an offset outside the data"); goto done; }
    if (too_long) { PyErr_SetString(PyExc_ValueError, "screen_values: a value of 2 GiB or more"); goto done; }
    result = Py_NewRef(Py_None);
done:
    release_buffers(views, 6);
    return result;
}

/* The ASCII characters Arrow's utf8_trim_whitespace removes: \t \n \v \f \r, 0x1C-0x1F, space. */
static inline int trim_space(uint8_t c) { return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20); }

#define KEY_BUFFER 1024  /* longest value lower-cased here (longer ones are left undecided) */

/* key_values(data, offsets, lower, seed, out, state): each value as a key, for each of the
 * len(state) values: trimmed of whitespace at both ends (and, where lower is true, lower-cased),
 * then hashed (XXH64 with seed, as hash_values). state[i]: 0 blank (nothing left after the
 * trim), 1 keyed (out[i] its hash), 2 undecided: the value ends, once its ASCII spaces are
 * trimmed, in a byte outside ASCII (a Unicode space may be there); lower-cased, it holds one
 * anywhere (Unicode's case mapping) or is over KEY_BUFFER bytes. The caller keys those its own
 * way. Arrow's utf8_trim_whitespace and utf8_lower give the same keys for every value keyed. */
static PyObject *key_values(PyObject *self, PyObject *args) {
    PyObject *objs[4];
    Py_buffer views[4];
    int lower;
    unsigned long long seed;
    if (!PyArg_ParseTuple(args, "OOpKOO", &objs[0], &objs[1], &lower, &seed, &objs[2], &objs[3])) return NULL;
    if (!get_buffers(objs, views, 4, LAST(2, 4))) return NULL;
    Py_buffer data = views[0], offsets = views[1], out = views[2], state = views[3];
    PyObject *result = NULL;
    Py_ssize_t n = state.len;
    if (state.itemsize != 1 || out.itemsize != 8 || out.len / 8 < n) {
        PyErr_SetString(PyExc_ValueError, "key_values: out of 8-byte integers and state of bytes, as many");
        goto done;
    }
    if (!offsets_ok(&data, &offsets, n, "key_values")) goto done;
    const uint8_t *bytes = (const uint8_t *)data.buf;
    uint64_t *dest = (uint64_t *)out.buf;
    uint8_t *st = (uint8_t *)state.buf;
    Py_BEGIN_ALLOW_THREADS
    uint8_t low[KEY_BUFFER];
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t a = offset_at(&offsets, i), b = offset_at(&offsets, i + 1);
        while (a < b && trim_space(bytes[a])) a++;
        while (b > a && trim_space(bytes[b - 1])) b--;
        if (a == b) { st[i] = 0; dest[i] = 0; continue; }
        if (bytes[a] >= 0x80 || bytes[b - 1] >= 0x80) { st[i] = 2; dest[i] = 0; continue; }
        if (!lower) { st[i] = 1; dest[i] = xxh64(bytes + a, (size_t)(b - a), (uint64_t)seed); continue; }
        if (b - a > KEY_BUFFER) { st[i] = 2; dest[i] = 0; continue; }
        uint8_t wide = 0;
        for (int64_t j = a; j < b; j++) {
            uint8_t c = bytes[j];
            wide |= c;
            low[j - a] = (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
        }
        if (wide & 0x80) { st[i] = 2; dest[i] = 0; continue; }
        st[i] = 1;
        dest[i] = xxh64(low, (size_t)(b - a), (uint64_t)seed);
    }
    Py_END_ALLOW_THREADS
    result = Py_NewRef(Py_None);
done:
    release_buffers(views, 4);
    return result;
}

/* A hash table of 64-bit keys, open addressing with linear probing, in two arrays of a power
 * of two slots: keys (uint64) and rows (uint32, the row plus one; 0 an empty slot). The caller
 * keeps it under 3/4 full (table_add refuses to fill it further), so every probe ends. */
static inline size_t slot_of(uint64_t key, int bits) {
    return bits ? (size_t)((key * 0x9E3779B97F4A7C15ULL) >> (64 - bits)) : 0;
}

static int table_views(PyObject **objs, Py_buffer *views, int k, unsigned writable, Py_ssize_t *cap, int *bits,
                       const char *who) {
    if (!get_buffers(objs, views, k, writable)) return 0;
    Py_ssize_t slots = views[0].len / 8;
    if (views[0].itemsize != 8 || views[1].itemsize != 4 || views[1].len / 4 != slots || slots < 1
        || (slots & (slots - 1))) {
        PyErr_Format(PyExc_ValueError, "%s: a table of a power of two slots: keys of 8 bytes, rows of 4", who);
        release_buffers(views, k);
        return 0;
    }
    int b = 0;
    while (((Py_ssize_t)1 << b) < slots) b++;
    *cap = slots;
    *bits = b;
    return 1;
}

/* table_add(table_keys, table_rows, used, keys, rows, out) -> (keys added, keys done): each key
 * in turn (rows: int64, each under 2**32 - 3) looked up, and added with its row where it is not
 * there; out[i] (int64) the row where keys[i] was first seen (its own where it was added). `used`
 * is the number of keys in the table: the call stops before a key that would fill it past 3/4,
 * so that the caller grows the table and goes on from there (keys done < len(keys)). */
static PyObject *table_add(PyObject *self, PyObject *args) {
    PyObject *objs[5];
    Py_buffer views[5];
    Py_ssize_t used;
    if (!PyArg_ParseTuple(args, "OOnOOO", &objs[0], &objs[1], &used, &objs[2], &objs[3], &objs[4])) return NULL;
    Py_ssize_t cap;
    int bits;
    if (!table_views(objs, views, 5, 1u | 2u | 16u, &cap, &bits, "table_add")) return NULL;
    PyObject *result = NULL;
    Py_ssize_t m = views[2].len / 8, added = 0, done_keys = 0;
    if (views[2].itemsize != 8 || views[3].itemsize != 8 || views[4].itemsize != 8 || views[3].len / 8 != m
        || views[4].len / 8 != m) {
        PyErr_SetString(PyExc_ValueError, "table_add: keys, rows and out of 8-byte integers, as many");
        goto done;
    }
    uint64_t *tk = (uint64_t *)views[0].buf;
    uint32_t *tr = (uint32_t *)views[1].buf;
    const uint64_t *keys = (const uint64_t *)views[2].buf;
    const int64_t *rows = (const int64_t *)views[3].buf;
    int64_t *out = (int64_t *)views[4].buf;
    int bad = 0, full = 0;
    Py_BEGIN_ALLOW_THREADS
    size_t mask = (size_t)cap - 1;
    for (Py_ssize_t i = 0; i < m && !bad && !full; i++) {
        if (rows[i] < 0 || rows[i] >= (int64_t)UINT32_MAX - 2) { bad = 1; break; }
        if (i + 8 < m) {
            size_t ahead = slot_of(keys[i + 8], bits);
            __builtin_prefetch(&tk[ahead]);
            __builtin_prefetch(&tr[ahead]);
        }
        size_t at = slot_of(keys[i], bits);
        for (Py_ssize_t probes = 0;; probes++) {
            uint32_t r = probes < cap ? tr[at] : 0;
            if (!r) {
                if (probes >= cap || used < 0 || 4 * (used + 1) > 3 * cap) { full = 1; break; }
                tk[at] = keys[i];
                tr[at] = (uint32_t)(rows[i] + 1);
                out[i] = rows[i];
                used++;
                added++;
                break;
            }
            if (tk[at] == keys[i]) { out[i] = (int64_t)r - 1; break; }
            at = (at + 1) & mask;
        }
        if (!full) done_keys = i + 1;
    }
    Py_END_ALLOW_THREADS
    if (bad) { PyErr_SetString(PyExc_ValueError, "table_add: a row under 0 or past 2**32 - 4"); goto done; }
    result = Py_BuildValue("(nn)", added, done_keys);
done:
    release_buffers(views, 5);
    return result;
}

/* table_find(table_keys, table_rows, keys, found, rows): found[i] (uint8) 1 where keys[i] is in
 * the table, rows[i] (int64) the row it was first seen at (0 where not found). */
static PyObject *table_find(PyObject *self, PyObject *args) {
    PyObject *objs[5];
    Py_buffer views[5];
    if (!PyArg_ParseTuple(args, "OOOOO", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4])) return NULL;
    Py_ssize_t cap;
    int bits;
    if (!table_views(objs, views, 5, LAST(2, 5), &cap, &bits, "table_find")) return NULL;
    PyObject *result = NULL;
    Py_ssize_t m = views[2].len / 8;
    if (views[2].itemsize != 8 || views[3].itemsize != 1 || views[3].len != m || views[4].itemsize != 8
        || views[4].len / 8 != m) {
        PyErr_SetString(PyExc_ValueError, "table_find: keys of 8-byte integers, found of bytes, rows of 8, as many");
        goto done;
    }
    const uint64_t *tk = (const uint64_t *)views[0].buf;
    const uint32_t *tr = (const uint32_t *)views[1].buf;
    const uint64_t *keys = (const uint64_t *)views[2].buf;
    uint8_t *found = (uint8_t *)views[3].buf;
    int64_t *out = (int64_t *)views[4].buf;
    Py_BEGIN_ALLOW_THREADS
    size_t mask = (size_t)cap - 1;
    for (Py_ssize_t i = 0; i < m; i++) {
        if (i + 8 < m) {
            size_t ahead = slot_of(keys[i + 8], bits);
            __builtin_prefetch(&tk[ahead]);
            __builtin_prefetch(&tr[ahead]);
        }
        size_t at = slot_of(keys[i], bits);
        found[i] = 0;
        out[i] = 0;
        for (Py_ssize_t probes = 0; probes < cap; probes++) {  /* (a full table, which table_add never leaves, ends too) */
            uint32_t r = tr[at];
            if (!r) break;
            if (tk[at] == keys[i]) { found[i] = 1; out[i] = (int64_t)r - 1; break; }
            at = (at + 1) & mask;
        }
    }
    Py_END_ALLOW_THREADS
    result = Py_NewRef(Py_None);
done:
    release_buffers(views, 5);
    return result;
}

/* Byte classes of the email grammar (email_class, filled at import): NOT_ATOM for RE2's \s
 * (\t \n \f \r space) and @ " ( ) , : ; < > [ ] \ , none of which is in a local part
 * (validator.formats.text._ATOM_DOT; \v and other controls are); LDH for a letter, digit or
 * hyphen (a label's inner character), ALNUM for a letter or digit (a label's first and last),
 * ALPHA for a letter (a top-level label's). */
enum { NOT_ATOM = 1, LDH = 2, ALNUM = 4, ALPHA = 8 };
static uint8_t email_class[256];

static void fill_email_class(void) {
    const char *not_atom = "\t\n\f\r @\"(),:;<>[]\\";
    for (const char *c = not_atom; *c; c++) email_class[(uint8_t)*c] |= NOT_ATOM;
    for (int c = '0'; c <= '9'; c++) email_class[c] |= LDH | ALNUM;
    for (int c = 'a'; c <= 'z'; c++) {
        email_class[c] |= LDH | ALNUM | ALPHA;
        email_class[c - 32] |= LDH | ALNUM | ALPHA;
    }
    email_class['-'] |= LDH;
}

/* Whether p[0..n) matches validator.formats.text.EMAIL_ASCII as RE2 matches it: a local part of
 * atom characters (any character but NOT_ATOM's and U+FFFD, UTF-8 ones included), not starting
 * or ending with a dot; one @; labels of ASCII letters, digits and inner hyphens, each followed
 * by a dot; a top-level label of two or more, starting and ending with a letter. `at` is the
 * position of the first @ (n where there is none). */
static int email_ascii(const uint8_t *p, size_t n, size_t at) {
    if (at == 0 || at >= n || p[0] == '.' || p[at - 1] == '.') return 0;
    uint8_t bad = 0;
    for (size_t i = 0; i < at; i++) bad |= email_class[p[i]];
    if (bad & NOT_ATOM) return 0;
    for (size_t i = 0; i + 2 < at; i++)  /* U+FFFD (EF BF BD) */
        if (p[i] == 0xEF && p[i + 1] == 0xBF && p[i + 2] == 0xBD) return 0;
    size_t start = at + 1, labels = 0;
    for (;;) {  /* one label a turn, up to a dot or the end */
        size_t end = start;
        while (end < n && (email_class[p[end]] & LDH)) end++;
        if (end < n && p[end] != '.') return 0;  /* (a byte no label holds) */
        size_t len = end - start;
        if (end == n)  /* the top-level label */
            return labels && len >= 2 && (email_class[p[start]] & ALPHA) && (email_class[p[end - 1]] & ALPHA);
        if (!len || !(email_class[p[start]] & ALNUM) || !(email_class[p[end - 1]] & ALNUM)) return 0;
        labels++;
        start = end + 1;
    }
}

/* email_values' flags of one value p[0..n): the facts (2, 4, 8) in one pass (most bytes are none
 * of . @ " [ or past ASCII), then the grammar (1). */
static uint8_t email_flags(const uint8_t *p, size_t n) {
    uint8_t f = 0;
    size_t at = n;
    for (size_t j = 0; j < n; j++) {
        uint8_t c = p[j];
        if (c >= 0x80) {
            if (at < j) f |= 2;
        } else if (c == '.') {
            if (j + 1 < n && p[j + 1] == '.') f |= 4;
        } else if (c == '@') {
            if (at == n) at = j;
        } else if (c == '"' || c == '[') {
            f |= 8;
        }
    }
    return (uint8_t)(f | (email_ascii(p, n, at) ? 1 : 0));
}

/* email_values(data, offsets, flags): flags[i] (uint8) for each value: 1 it matches EMAIL_ASCII
 * (email_ascii); 2 a character past ASCII follows an @ (text._WIDE_DOMAIN: the Unicode grammar
 * decides it); 4 it holds two dots in a row; 8 it holds a double quote or an opening bracket
 * (RFC 5321's rarer forms, text.rare_emails). */
static PyObject *email_values(PyObject *self, PyObject *args) {
    PyObject *objs[3];
    Py_buffer views[3];
    if (!PyArg_ParseTuple(args, "OOO", &objs[0], &objs[1], &objs[2])) return NULL;
    if (!get_buffers(objs, views, 3, LAST(1, 3))) return NULL;
    Py_buffer data = views[0], offsets = views[1], flags = views[2];
    PyObject *result = NULL;
    Py_ssize_t n = flags.len;
    if (flags.itemsize != 1) {
        PyErr_SetString(PyExc_ValueError, "email_values: flags of bytes");
        goto done;
    }
    if (!offsets_ok(&data, &offsets, n, "email_values")) goto done;
    const uint8_t *bytes = (const uint8_t *)data.buf;
    uint8_t *out = (uint8_t *)flags.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t a = offset_at(&offsets, i), b = offset_at(&offsets, i + 1);
        out[i] = email_flags(bytes + a, (size_t)(b - a));
    }
    Py_END_ALLOW_THREADS
    result = Py_NewRef(Py_None);
done:
    release_buffers(views, 3);
    return result;
}

/* class_values(data, offsets, first, rest, last, out): out[i] (uint8) 1 where value i is not
 * empty, its first byte is in `first`, every later byte in `rest` and its last byte in `last`
 * (first, rest, last: tables of 256 bytes, nonzero for a byte in the set; last may be None). */
static PyObject *class_values(PyObject *self, PyObject *args) {
    PyObject *objs[6], *last_obj;
    Py_buffer views[6];
    if (!PyArg_ParseTuple(args, "OOOOOO", &objs[0], &objs[1], &objs[2], &objs[3], &last_obj, &objs[5])) return NULL;
    int has_last = last_obj != Py_None;
    objs[4] = has_last ? last_obj : objs[3];  /* (no last set: the rest's table, asked of no byte) */
    if (!get_buffers(objs, views, 6, LAST(1, 6))) return NULL;
    Py_buffer data = views[0], offsets = views[1], out = views[5];
    PyObject *result = NULL;
    Py_ssize_t n = out.len;
    if (out.itemsize != 1 || views[2].len != 256 || views[3].len != 256 || views[4].len != 256) {
        PyErr_SetString(PyExc_ValueError, "class_values: tables of 256 bytes, out of bytes");
        goto done;
    }
    if (!offsets_ok(&data, &offsets, n, "class_values")) goto done;
    const uint8_t *bytes = (const uint8_t *)data.buf, *first = (const uint8_t *)views[2].buf,
                  *rest = (const uint8_t *)views[3].buf, *last = (const uint8_t *)views[4].buf;
    uint8_t *ok = (uint8_t *)out.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t a = offset_at(&offsets, i), b = offset_at(&offsets, i + 1);
        uint8_t good = b > a && first[bytes[a]] && (!has_last || last[bytes[b - 1]]);
        for (int64_t j = a + 1; good && j < b; j++) good = rest[bytes[j]] != 0;
        ok[i] = good;
    }
    Py_END_ALLOW_THREADS
    result = Py_NewRef(Py_None);
done:
    release_buffers(views, 6);
    return result;
}

static PyMethodDef methods[] = {
    {"hash_values", hash_values, METH_VARARGS, "XXH64 of each value of an Arrow string or binary array's buffers."},
    {"screen_values", screen_values, METH_VARARGS, "Length, first and last byte of each value; the rare bytes held."},
    {"key_values", key_values, METH_VARARGS, "Each value trimmed (and lower-cased) as a key, hashed; or left undecided."},
    {"table_add", table_add, METH_VARARGS, "Keys added to a hash table with their rows; the row each was first seen at."},
    {"table_find", table_find, METH_VARARGS, "Keys looked up in a hash table: found, and the row each was first seen at."},
    {"email_values", email_values, METH_VARARGS, "Each value against the ASCII email grammar, with facts that pick values to look at again."},
    {"class_values", class_values, METH_VARARGS, "Whether each value is made of bytes of given sets: first, later, last."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_preflight_native", NULL, -1, methods};

PyMODINIT_FUNC PyInit__preflight_native(void) {
    fill_email_class();
    return PyModule_Create(&module);
}
