/* Tests of the trained-network file format (snn/weights.c,
 * snn/dwmtj_weights.h, doc/weights-format.md).
 *
 * "roundtrip": networks of random weights saved and loaded back bit for
 * bit; the bytes of a saved file checked against the documented layout
 * (offsets worked out here from doc/weights-format.md, not taken from the
 * implementation); the defaults of dwmtj_weights_alloc.
 * "errors": damaged and hand-made files in a scratch directory (mkdtemp):
 * each gives its status and a message that starts with the path and says
 * what is wrong, and leaves the network empty.  Files with deliberate bad
 * contents get a recomputed, valid CRC-32, so that the check of the
 * contents is reached rather than the checksum. */
#define _POSIX_C_SOURCE 200809L

#include "dwmtj_weights.h"
#include "scratch.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

/* ---------------------------------------------------------------- helpers */

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void setup(void)
{
    scratch_make("check_weights");
}

static void teardown(void)
{
    scratch_remove();
}

/* A whole file in memory. */
typedef struct bytes {
    unsigned char *p;
    size_t len;
} bytes;

static bytes read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot read %s", path);
    bytes b = {NULL, 0};
    unsigned char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
        b.p = realloc(b.p, b.len + got);
        ck_assert_ptr_nonnull(b.p);
        memcpy(b.p + b.len, buf, got);
        b.len += got;
    }
    fclose(f);
    return b;
}

static void write_file(const char *path, const unsigned char *p, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    if (len)
        ck_assert_uint_eq(fwrite(p, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void set32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void set64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void setf64(unsigned char *p, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    set64(p, u);
}

static void setf32(unsigned char *p, float v)
{
    uint32_t u;
    memcpy(&u, &v, 4);
    set32(p, u);
}

static double getf64(const unsigned char *p)
{
    uint64_t u = le64(p);
    double v;
    memcpy(&v, &u, 8);
    return v;
}

static float getf32(const unsigned char *p)
{
    uint32_t u = le32(p);
    float v;
    memcpy(&v, &u, 4);
    return v;
}

static uint32_t crc_of(const unsigned char *p, size_t len)
{
    return (uint32_t)crc32(crc32(0L, Z_NULL, 0), p, (uInt)len);
}

/* rewrites the last 4 bytes: the CRC-32 of the bytes before them */
static void fix_crc(bytes *b)
{
    set32(b->p + b->len - 4, crc_of(b->p, b->len - 4));
}

/* SplitMix64 (Steele, Lea, Flood 2014) */
static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* uniform in [-1, 1) */
static float rnd(uint64_t *s)
{
    return (float)((double)(splitmix(s) >> 11) * 0x1.0p-52 - 1.0);
}

static void randomize(dwmtj_weights *n, uint64_t seed)
{
    for (int l = 0; l < n->n_layers; l++) {
        size_t in = (size_t)n->size[l], out = (size_t)n->size[l + 1];
        for (size_t k = 0; k < in * out; k++)
            n->w[l][k] = rnd(&seed);
        for (size_t k = 0; k < out; k++)
            n->b[l][k] = rnd(&seed) * 0.1f;
    }
}

static size_t n_params(const dwmtj_weights *n)
{
    size_t total = 0;
    for (int l = 0; l < n->n_layers; l++)
        total += (size_t)n->size[l + 1] * (size_t)n->size[l] + (size_t)n->size[l + 1];
    return total;
}

/* the documented file length: header 84 + 4 L, 4 bytes per parameter, CRC */
static size_t doc_length(const dwmtj_weights *n)
{
    return 84 + 4 * (size_t)n->n_layers + 4 * n_params(n) + 4;
}

static int is_empty(const dwmtj_weights *n)
{
    dwmtj_weights zero;
    memset(&zero, 0, sizeof zero);
    if (n->n_layers || n->kind || n->steps || n->seed || n->input_side)
        return 0;
    for (int l = 0; l < DWMTJ_W_MAX_LAYERS; l++)
        if (n->w[l] || n->b[l])
            return 0;
    return memcmp(n->size, zero.size, sizeof zero.size) == 0;
}

static void assert_same(const dwmtj_weights *a, const dwmtj_weights *b)
{
    ck_assert_int_eq(a->n_layers, b->n_layers);
    ck_assert_mem_eq(a->size, b->size, sizeof a->size);
    ck_assert_int_eq(a->kind, b->kind);
    ck_assert_int_eq(a->steps, b->steps);
    ck_assert_mem_eq(&a->dt, &b->dt, sizeof(double));
    ck_assert_mem_eq(&a->gain, &b->gain, sizeof(double));
    ck_assert_mem_eq(&a->sigma, &b->sigma, sizeof(double));
    ck_assert_mem_eq(&a->tau_mem, &b->tau_mem, sizeof(double));
    ck_assert_mem_eq(&a->input_rate, &b->input_rate, sizeof(double));
    ck_assert_uint_eq(a->seed, b->seed);
    ck_assert_int_eq(a->input_side, b->input_side);
    for (int l = 0; l < a->n_layers; l++) {
        size_t in = (size_t)a->size[l], out = (size_t)a->size[l + 1];
        ck_assert_int_eq(memcmp(a->w[l], b->w[l], in * out * sizeof(float)), 0);
        ck_assert_int_eq(memcmp(a->b[l], b->b[l], out * sizeof(float)), 0);
    }
    for (int l = a->n_layers; l < DWMTJ_W_MAX_LAYERS; l++) {
        ck_assert_ptr_null(b->w[l]);
        ck_assert_ptr_null(b->b[l]);
    }
}

/* Loads path, expecting status; the message starts with "path: " and
 * contains want (when not NULL); the network is left empty.  Then once
 * more without a message pointer. */
static void expect_load_error(const char *path, int status, const char *want)
{
    dwmtj_weights n;
    memset(&n, 0xa5, sizeof n); /* garbage: load must not read it */
    char *msg = (char *)"unchanged";
    int rc = dwmtj_weights_load(&n, path, &msg);
    ck_assert_msg(rc == status, "%s: status %d (%s), expected %d; message: %s", path, rc,
                  dwmtj_weights_status_string(rc), status, msg ? msg : "(null)");
    ck_assert_msg(is_empty(&n), "%s: network not left empty", path);
    ck_assert_ptr_nonnull(msg);
    size_t plen = strlen(path);
    ck_assert_msg(strncmp(msg, path, plen) == 0 && !strncmp(msg + plen, ": ", 2),
                  "message does not start with the path: %s", msg);
    if (want)
        ck_assert_msg(strstr(msg, want) != NULL, "message \"%s\" lacks \"%s\"", msg, want);
    free(msg);
    memset(&n, 0xa5, sizeof n);
    ck_assert_int_eq(dwmtj_weights_load(&n, path, NULL), status);
    ck_assert(is_empty(&n));
}

/* A saved 196-32-10 network in spath("ok"), and its bytes.  Layout (L = 2):
 * sizes at 20, 24, 28; kind 32, steps 36, dt 40, gain 48, sigma 56,
 * tau_mem 64, input_rate 72, seed 80, input_side 88; data from 92. */
enum {
    S_L = 16, S_SIZE0 = 20, S_SIZE1 = 24, S_KIND = 32, S_STEPS = 36, S_DT = 40,
    S_GAIN = 48, S_SIGMA = 56, S_TAU = 64, S_RATE = 72, S_SEED = 80, S_SIDE = 88,
    S_DATA = 92
};

static bytes small_file(dwmtj_weights *keep)
{
    static const int size[3] = {196, 32, 10};
    dwmtj_weights n;
    ck_assert_int_eq(dwmtj_weights_alloc(&n, 2, size), DWMTJ_W_OK);
    randomize(&n, 77);
    ck_assert_int_eq(dwmtj_weights_save(&n, spath("ok"), NULL), DWMTJ_W_OK);
    bytes b = read_file(spath("ok"));
    ck_assert_uint_eq(b.len, doc_length(&n));
    if (keep)
        *keep = n;
    else
        dwmtj_weights_free(&n);
    return b;
}

/* writes len bytes of b to spath(name) and expects status from loading it */
static void expect_bytes(const char *name, const bytes *b, size_t len, int status,
                         const char *want)
{
    write_file(spath(name), b->p, len);
    expect_load_error(spath(name), status, want);
}

/* ---------------------------------------------------------- roundtrip */

START_TEST(test_roundtrip)
{
    static const int shape_a[4] = {784, 100, 100, 10};
    static const int shape_b[3] = {196, 32, 10};
    int layers = _i == 0 ? 3 : 2;
    const int *shape = _i == 0 ? shape_a : shape_b;

    dwmtj_weights n;
    ck_assert_int_eq(dwmtj_weights_alloc(&n, layers, shape), DWMTJ_W_OK);
    randomize(&n, 1000u + (uint64_t)_i);
    /* scalars away from the defaults, with full 64-bit seed; the second
     * shape with the thermal kind (3), the largest the format knows */
    n.kind = _i == 0 ? DWMTJ_KIND_DWMTJ_NOISY : DWMTJ_KIND_DWMTJ_THERMAL;
    n.steps = 31;
    n.dt = 0.0731e-9;
    n.gain = 3.3e-7;
    n.sigma = 0.05;
    n.tau_mem = 1.7e-9;
    n.input_rate = 7.5e8;
    n.seed = 0xfedcba9876543210u;
    /* awkward floats survive bit for bit */
    n.w[0][0] = -0.0f;
    n.w[0][1] = FLT_TRUE_MIN;
    n.w[0][2] = -FLT_MAX;
    n.b[layers - 1][0] = FLT_MIN;

    const char *path = spath("net.dwmtj");
    char *msg = (char *)"unchanged";
    ck_assert_int_eq(dwmtj_weights_save(&n, path, &msg), DWMTJ_W_OK);
    ck_assert_ptr_null(msg);
    ck_assert(!exists(spath("net.dwmtj.part")));

    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq((size_t)st.st_size, doc_length(&n));
    ck_assert_uint_eq((size_t)st.st_size, _i == 0 ? 358540u : 26632u);

    dwmtj_weights m;
    msg = (char *)"unchanged";
    ck_assert_int_eq(dwmtj_weights_load(&m, path, &msg), DWMTJ_W_OK);
    ck_assert_ptr_null(msg);
    assert_same(&n, &m);

    /* saving over an existing file replaces it */
    m.w[layers - 1][5] = 0.25f;
    m.seed = 2;
    ck_assert_int_eq(dwmtj_weights_save(&m, path, NULL), DWMTJ_W_OK);
    dwmtj_weights k;
    ck_assert_int_eq(dwmtj_weights_load(&k, path, NULL), DWMTJ_W_OK);
    assert_same(&m, &k);
    ck_assert(!exists(spath("net.dwmtj.part")));

    dwmtj_weights_free(&k);
    dwmtj_weights_free(&m);
    dwmtj_weights_free(&n);
    ck_assert(is_empty(&n));
}
END_TEST

/* The bytes of a file, field by field, at the offsets of
 * doc/weights-format.md. */
START_TEST(test_layout)
{
    dwmtj_weights n;
    bytes b = small_file(&n);
    ck_assert_uint_eq(b.len, 92 + 4 * (196 * 32 + 32 + 32 * 10 + 10) + 4);
    ck_assert_mem_eq(b.p, "DWMTJNET", 8);
    ck_assert_uint_eq(le32(b.p + 8), 1);
    ck_assert_uint_eq(le32(b.p + 12), 92);
    ck_assert_uint_eq(le32(b.p + S_L), 2);
    ck_assert_uint_eq(le32(b.p + S_SIZE0), 196);
    ck_assert_uint_eq(le32(b.p + S_SIZE1), 32);
    ck_assert_uint_eq(le32(b.p + 28), 10);
    ck_assert_uint_eq(le32(b.p + S_KIND), DWMTJ_KIND_LIF);
    ck_assert_uint_eq(le32(b.p + S_STEPS), 25);
    ck_assert(getf64(b.p + S_DT) == 0.1e-9);
    ck_assert(getf64(b.p + S_GAIN) == 1e-6);
    ck_assert(getf64(b.p + S_SIGMA) == 0.0);
    ck_assert(getf64(b.p + S_TAU) == 2e-9);
    ck_assert(getf64(b.p + S_RATE) == 1e9);
    ck_assert_uint_eq(le64(b.p + S_SEED), 1);
    ck_assert_uint_eq(le32(b.p + S_SIDE), 14);
    /* layer 0: w (32 x 196, row-major), then b (32); layer 1: w, b */
    const unsigned char *p = b.p + S_DATA;
    ck_assert(getf32(p) == n.w[0][0]);
    ck_assert(getf32(p + 4 * 197) == n.w[0][1 * 196 + 1]);
    ck_assert(getf32(p + 4 * (196 * 32 - 1)) == n.w[0][196 * 32 - 1]);
    p += 4 * 196 * 32;
    ck_assert(getf32(p) == n.b[0][0]);
    ck_assert(getf32(p + 4 * 31) == n.b[0][31]);
    p += 4 * 32;
    ck_assert(getf32(p + 4 * (3 * 32 + 7)) == n.w[1][3 * 32 + 7]);
    p += 4 * 32 * 10;
    ck_assert(getf32(p + 4 * 9) == n.b[1][9]);
    p += 4 * 10;
    ck_assert_ptr_eq(p, b.p + b.len - 4);
    ck_assert_uint_eq(le32(p), crc_of(b.p, b.len - 4));
    free(b.p);
    dwmtj_weights_free(&n);
}
END_TEST

START_TEST(test_alloc_defaults)
{
    static const int mnist[4] = {784, 100, 100, 10};
    static const int other[2] = {100, 10};
    dwmtj_weights n;
    ck_assert_int_eq(dwmtj_weights_alloc(&n, 3, mnist), DWMTJ_W_OK);
    ck_assert_int_eq(n.n_layers, 3);
    ck_assert_int_eq(n.size[0], 784);
    ck_assert_int_eq(n.size[3], 10);
    ck_assert_int_eq(n.kind, DWMTJ_KIND_LIF);
    ck_assert_int_eq(n.steps, 25);
    ck_assert(n.dt == 0.1e-9);
    ck_assert(n.gain == 1e-6);
    ck_assert(n.sigma == 0.0);
    ck_assert(n.tau_mem == 2e-9);
    ck_assert(n.input_rate == 1e9);
    ck_assert_uint_eq(n.seed, 1);
    ck_assert_int_eq(n.input_side, 28);
    for (int l = 0; l < 3; l++) {
        ck_assert_ptr_nonnull(n.w[l]);
        ck_assert_ptr_nonnull(n.b[l]);
        for (int k = 0; k < n.size[l] * n.size[l + 1]; k++)
            ck_assert(n.w[l][k] == 0.0f);
    }
    for (int l = 3; l < DWMTJ_W_MAX_LAYERS; l++)
        ck_assert_ptr_null(n.w[l]);
    dwmtj_weights_free(&n);
    ck_assert(is_empty(&n));
    ck_assert_int_eq(dwmtj_weights_alloc(&n, 1, other), DWMTJ_W_OK);
    ck_assert_int_eq(n.input_side, 0);
    /* input_side 0: any number of inputs saves and loads */
    ck_assert_int_eq(dwmtj_weights_save(&n, spath("x"), NULL), DWMTJ_W_OK);
    dwmtj_weights m;
    ck_assert_int_eq(dwmtj_weights_load(&m, spath("x"), NULL), DWMTJ_W_OK);
    assert_same(&n, &m);
    dwmtj_weights_free(&m);
    dwmtj_weights_free(&n);
    /* the largest number of layers */
    int deep[DWMTJ_W_MAX_LAYERS + 1];
    for (int l = 0; l <= DWMTJ_W_MAX_LAYERS; l++)
        deep[l] = 3 + l;
    ck_assert_int_eq(dwmtj_weights_alloc(&n, DWMTJ_W_MAX_LAYERS, deep), DWMTJ_W_OK);
    randomize(&n, 5);
    ck_assert_int_eq(dwmtj_weights_save(&n, spath("deep"), NULL), DWMTJ_W_OK);
    ck_assert_int_eq(dwmtj_weights_load(&m, spath("deep"), NULL), DWMTJ_W_OK);
    assert_same(&n, &m);
    dwmtj_weights_free(&m);
    dwmtj_weights_free(&n);
}
END_TEST

/* ------------------------------------------------------------- errors */

START_TEST(test_wrong_magic)
{
    bytes b = small_file(NULL);
    b.p[3] = 'x';
    expect_bytes("magic", &b, b.len, DWMTJ_W_ERR_MAGIC, "not a dwmtj network file");
    /* a PNG, and a short file of other bytes */
    static const unsigned char png[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
    write_file(spath("png"), png, 8);
    expect_load_error(spath("png"), DWMTJ_W_ERR_MAGIC, "89 50 4e 47 0d 0a 1a 0a");
    write_file(spath("abc"), (const unsigned char *)"abc", 3);
    expect_load_error(spath("abc"), DWMTJ_W_ERR_MAGIC, NULL);
    free(b.p);
}
END_TEST

START_TEST(test_version)
{
    bytes b = small_file(NULL);
    set32(b.p + 8, 4);
    fix_crc(&b);
    expect_bytes("v4", &b, b.len, DWMTJ_W_ERR_VERSION,
                 "format version 4; this build reads versions 1 to 3");
    set32(b.p + 8, 0);
    expect_bytes("v0", &b, b.len, DWMTJ_W_ERR_VERSION, "version 0");
    /* version 2 with version 1's header: 52 bytes short */
    set32(b.p + 8, 2);
    fix_crc(&b);
    expect_bytes("v2-short", &b, b.len, DWMTJ_W_ERR_SHAPE,
                 "header length 92 bytes, but a version 2 header of 2 layers has 144");
    free(b.p);
}
END_TEST

/* A saved cell network (DWMTJ_PERIPH_CELL, version 2), 196-32-10: version 1's
 * fields, then (doc/weights-format.md) periphery at 92, i_read 96, i_clear
 * 104, t_clear 112, v_write 120, t_write 128, t_start 136; data from 144. */
enum {
    V2_PER = 92, V2_IREAD = 96, V2_ICLEAR = 104, V2_TCLEAR = 112, V2_VWRITE = 120,
    V2_TWRITE = 128, V2_TSTART = 136, V2_DATA = 144
};

static bytes cell_file(dwmtj_weights *keep)
{
    static const int size[3] = {196, 32, 10};
    dwmtj_weights n;
    ck_assert_int_eq(dwmtj_weights_alloc(&n, 2, size), DWMTJ_W_OK);
    randomize(&n, 78);
    n.kind = DWMTJ_KIND_DWMTJ;
    n.steps = 100;
    n.gain = 1e-3;
    n.periphery = DWMTJ_PERIPH_CELL;
    /* away from the defaults, each field its own value */
    n.cell.i_read = 4e-6;
    n.cell.i_clear = 180e-6;
    n.cell.t_clear = 0.75e-9;
    n.cell.v_write = 1.4;
    n.cell.t_write = 1.25e-9;
    n.cell.t_start = 0.2e-9;
    ck_assert_int_eq(dwmtj_weights_save(&n, spath("cell"), NULL), DWMTJ_W_OK);
    bytes b = read_file(spath("cell"));
    ck_assert_uint_eq(b.len, doc_length(&n) + 52);
    if (keep)
        *keep = n;
    else
        dwmtj_weights_free(&n);
    return b;
}

/* Version 2: a cell network saved and loaded back with its periphery and
 * cell bit for bit, its bytes at the documented offsets; an ideal network
 * is still saved as version 1 (test_layout), and version 1 files read as
 * the ideal periphery with the cell's defaults, the shipped networks among
 * them. */
START_TEST(test_v2)
{
    dwmtj_weights n, m;
    bytes b = cell_file(&n);
    ck_assert_uint_eq(le32(b.p + 8), 2);
    ck_assert_uint_eq(le32(b.p + 12), 144);
    ck_assert_uint_eq(le32(b.p + S_KIND), DWMTJ_KIND_DWMTJ);
    ck_assert_uint_eq(le32(b.p + V2_PER), DWMTJ_PERIPH_CELL);
    ck_assert(getf64(b.p + V2_IREAD) == 4e-6);
    ck_assert(getf64(b.p + V2_ICLEAR) == 180e-6);
    ck_assert(getf64(b.p + V2_TCLEAR) == 0.75e-9);
    ck_assert(getf64(b.p + V2_VWRITE) == 1.4);
    ck_assert(getf64(b.p + V2_TWRITE) == 1.25e-9);
    ck_assert(getf64(b.p + V2_TSTART) == 0.2e-9);
    ck_assert(getf32(b.p + V2_DATA) == n.w[0][0]);
    ck_assert_uint_eq(le32(b.p + b.len - 4), crc_of(b.p, b.len - 4));
    ck_assert_int_eq(dwmtj_weights_load(&m, spath("cell"), NULL), DWMTJ_W_OK);
    assert_same(&n, &m);
    ck_assert_int_eq(m.periphery, DWMTJ_PERIPH_CELL);
    ck_assert_mem_eq(&m.cell, &n.cell, sizeof m.cell);
    dwmtj_weights_free(&m);
    /* the same network, ideal: version 1, 52 bytes shorter, cell not stored */
    n.periphery = DWMTJ_PERIPH_IDEAL;
    ck_assert_int_eq(dwmtj_weights_save(&n, spath("ideal"), NULL), DWMTJ_W_OK);
    bytes c = read_file(spath("ideal"));
    ck_assert_uint_eq(le32(c.p + 8), 1);
    ck_assert_uint_eq(c.len, b.len - 52);
    ck_assert_int_eq(dwmtj_weights_load(&m, spath("ideal"), NULL), DWMTJ_W_OK);
    ck_assert_int_eq(m.periphery, DWMTJ_PERIPH_IDEAL);
    dwmtj_cell def;
    dwmtj_cell_defaults(&def);
    ck_assert_mem_eq(&m.cell, &def, sizeof def);
    dwmtj_weights_free(&m);
    /* the continuous clamp: version 2, read back as such (its cell fields
     * are not the rule's but are kept) */
    n.periphery = DWMTJ_PERIPH_CONTINUOUS;
    ck_assert_int_eq(dwmtj_weights_save(&n, spath("cont"), NULL), DWMTJ_W_OK);
    bytes d = read_file(spath("cont"));
    ck_assert_uint_eq(le32(d.p + 8), 2);
    ck_assert_uint_eq(le32(d.p + V2_PER), DWMTJ_PERIPH_CONTINUOUS);
    ck_assert_int_eq(dwmtj_weights_load(&m, spath("cont"), NULL), DWMTJ_W_OK);
    assert_same(&n, &m);
    ck_assert_int_eq(m.periphery, DWMTJ_PERIPH_CONTINUOUS);
    ck_assert_str_eq(dwmtj_periphery_name(m.periphery), "continuous");
    dwmtj_weights_free(&m);
    free(d.p);
    /* an LIF network has no clamp to make continuous */
    char *err = NULL;
    n.kind = DWMTJ_KIND_LIF;
    n.tau_mem = 1e-9;
    ck_assert_int_eq(dwmtj_weights_check(&n, &err), DWMTJ_W_ERR_VALUE);
    ck_assert_msg(err && strstr(err, "periphery 2 (continuous) with LIF neurons"), "%s", err);
    free(err);
    dwmtj_weights_free(&n);
    free(c.p);
    free(b.p);
    /* the shipped networks: the ideal ones version 1 files, dwmtj infer's
     * default (the continuous clamp's) version 2 */
    const char *src = getenv("DWMTJ_SRCDIR");
    static const struct {
        const char *file;
        unsigned version;
        int periphery, inputs;
    } shipped[] = {
        {"networks/dwmtj-fmnist.net", 1, DWMTJ_PERIPH_IDEAL, 784},
        {"networks/dwmtj-fmnist-14.net", 1, DWMTJ_PERIPH_IDEAL, 196},
        {"networks/dwmtj-fmnist-continuous.net", 2, DWMTJ_PERIPH_CONTINUOUS, 784},
    };
    for (size_t k = 0; k < sizeof shipped / sizeof shipped[0] && src; k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", src, shipped[k].file);
        bytes f = read_file(path);
        ck_assert_uint_eq(le32(f.p + 8), shipped[k].version);
        free(f.p);
        ck_assert_int_eq(dwmtj_weights_load(&m, path, NULL), DWMTJ_W_OK);
        ck_assert_int_eq(m.kind, DWMTJ_KIND_DWMTJ);
        ck_assert_int_eq(m.periphery, shipped[k].periphery);
        ck_assert_int_eq(m.size[0], shipped[k].inputs);
        ck_assert_mem_eq(&m.cell, &def, sizeof def);
        dwmtj_weights_free(&m);
    }
    ck_assert_msg(src != NULL, "DWMTJ_SRCDIR is not set: the shipped networks were not read");
}
END_TEST

/* Version 3: a cell with its own negative limit and a sense delay (the
 * cmos cell's rule) adds i_neg at 144 and t_sense at 152, data from 160;
 * saved and loaded back bit for bit; the same cell with the defaults of
 * these two is version 2 again (test_v2, which reads them as defaults);
 * out of range, refused naming the field. */
enum { V3_INEG = 144, V3_TSENSE = 152, V3_DATA = 160 };

START_TEST(test_v3)
{
    dwmtj_weights n, m;
    bytes v2 = cell_file(&n);
    n.cell.i_neg = 15e-6;
    n.cell.t_sense = 0.152e-9;
    ck_assert_int_eq(dwmtj_weights_save(&n, spath("v3"), NULL), DWMTJ_W_OK);
    bytes b = read_file(spath("v3"));
    ck_assert_uint_eq(b.len, v2.len + 16);
    ck_assert_uint_eq(le32(b.p + 8), 3);
    ck_assert_uint_eq(le32(b.p + 12), 160);
    ck_assert(getf64(b.p + V2_TSTART) == 0.2e-9);
    ck_assert(getf64(b.p + V3_INEG) == 15e-6);
    ck_assert(getf64(b.p + V3_TSENSE) == 0.152e-9);
    ck_assert(getf32(b.p + V3_DATA) == n.w[0][0]);
    ck_assert_int_eq(dwmtj_weights_load(&m, spath("v3"), NULL), DWMTJ_W_OK);
    assert_same(&n, &m);
    ck_assert_mem_eq(&m.cell, &n.cell, sizeof m.cell);
    dwmtj_weights_free(&m);
    /* either field alone away from its default makes version 3 */
    n.cell.i_neg = DWMTJ_W_CELL_I_MAX;
    ck_assert_int_eq(dwmtj_weights_save(&n, spath("v3s"), NULL), DWMTJ_W_OK);
    bytes c = read_file(spath("v3s"));
    ck_assert_uint_eq(le32(c.p + 8), 3);
    free(c.p);
    static const struct {
        int off;
        double v;
        const char *want;
    } bad[] = {
        {V3_INEG, 0.0, "cell.i_neg is 0 A, expected above 0 to 0.01 A"},
        {V3_INEG, NAN, "cell.i_neg is nan A"},
        {V3_TSENSE, -1e-12, "cell.t_sense is -1e-12 s, expected from 0 to 1e-06 s"},
        {V3_TSENSE, 2e-6, "cell.t_sense is 2e-06 s"},
    };
    bytes d = {malloc(b.len), b.len};
    ck_assert_ptr_nonnull(d.p);
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        memcpy(d.p, b.p, b.len);
        setf64(d.p + bad[k].off, bad[k].v);
        fix_crc(&d);
        expect_bytes("v3-bad", &d, d.len, DWMTJ_W_ERR_VALUE, bad[k].want);
    }
    /* a version 3 header on version 2's length: 16 bytes short */
    memcpy(d.p, v2.p, v2.len);
    set32(d.p + 8, 3);
    d.len = v2.len;
    fix_crc(&d);
    expect_bytes("v3-short", &d, d.len, DWMTJ_W_ERR_SHAPE,
                 "header length 144 bytes, but a version 3 header of 2 layers has 160");
    free(d.p);
    free(b.p);
    free(v2.p);
    dwmtj_weights_free(&n);
}
END_TEST

/* A version 2 file's periphery and cell values out of range or not
 * finite: refused on load naming the file and the field, and refused on
 * save too. */
START_TEST(test_v2_bad)
{
    dwmtj_weights n;
    bytes b = cell_file(&n);
    bytes c = {malloc(b.len), b.len};
    ck_assert_ptr_nonnull(c.p);
    static const struct {
        int off, i32;
        double v;
        const char *want;
    } bad[] = {
        {V2_PER, 1, 3, "periphery 3, expected 0 (ideal), 1 (cell) or 2 (continuous)"},
        {V2_PER, 1, -1, "periphery -1"},
        {V2_IREAD, 0, NAN, "cell.i_read is nan A"},
        {V2_IREAD, 0, 0.0, "cell.i_read is 0 A, expected above 0 to 0.01 A"},
        {V2_ICLEAR, 0, 1.0, "cell.i_clear is 1 A, expected above 0 to 0.01 A"},
        {V2_TCLEAR, 0, -1e-9, "cell.t_clear is -1e-09 s"},
        {V2_VWRITE, 0, INFINITY, "cell.v_write is inf V"},
        {V2_TWRITE, 0, 0.5e-9, "cell.t_write is 5e-10 s, shorter than the device's t_nuc 1e-09 s"},
        {V2_TWRITE, 0, 2e-6, "cell.t_write is 2e-06 s, expected above 0 to 1e-06 s"},
        {V2_TSTART, 0, -1e-12, "cell.t_start is -1e-12 s, expected from 0 to 1e-06 s"},
        {S_KIND, 1, DWMTJ_KIND_LIF, "periphery 1 (cell) with LIF neurons"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        memcpy(c.p, b.p, b.len);
        if (bad[k].i32)
            set32(c.p + bad[k].off, (uint32_t)(int32_t)bad[k].v);
        else
            setf64(c.p + bad[k].off, bad[k].v);
        if (bad[k].off == S_KIND)
            setf64(c.p + S_TAU, 1e-9); /* a LIF network's own fields fine */
        fix_crc(&c);
        expect_bytes("v2-bad", &c, c.len, DWMTJ_W_ERR_VALUE, bad[k].want);
    }
    /* t_start 0 is allowed (the initial write at the image's start) */
    memcpy(c.p, b.p, b.len);
    setf64(c.p + V2_TSTART, 0.0);
    fix_crc(&c);
    write_file(spath("t0"), c.p, c.len);
    dwmtj_weights m;
    ck_assert_int_eq(dwmtj_weights_load(&m, spath("t0"), NULL), DWMTJ_W_OK);
    ck_assert(m.cell.t_start == 0.0);
    dwmtj_weights_free(&m);
    /* save refuses what load refuses, naming the field */
    n.cell.t_write = 0.9e-9;
    char *msg = NULL;
    ck_assert_int_eq(dwmtj_weights_save(&n, spath("nosave"), &msg), DWMTJ_W_ERR_VALUE);
    ck_assert_msg(msg && strstr(msg, "not saved") && strstr(msg, "cell.t_write"), "%s",
                  msg ? msg : "(null)");
    free(msg);
    ck_assert(!exists(spath("nosave")));
    dwmtj_weights_free(&n);
    free(c.p);
    free(b.p);
}
END_TEST

START_TEST(test_truncated)
{
    bytes b = small_file(NULL);
    /* in the header */
    expect_bytes("t0", &b, 0, DWMTJ_W_ERR_TRUNCATED, "empty file");
    expect_bytes("t5", &b, 5, DWMTJ_W_ERR_TRUNCATED, "5 bytes");
    expect_bytes("t10", &b, 10, DWMTJ_W_ERR_TRUNCATED, "header ends after 10 bytes");
    expect_bytes("t19", &b, 19, DWMTJ_W_ERR_TRUNCATED, "header ends after 19 bytes");
    expect_bytes("t50", &b, 50, DWMTJ_W_ERR_TRUNCATED, "header ends after 50 of its 92 bytes");
    expect_bytes("t91", &b, 91, DWMTJ_W_ERR_TRUNCATED, "91 of its 92");
    /* no data, the middle of the weights, a bias, in and before the CRC */
    expect_bytes("t92", &b, 92, DWMTJ_W_ERR_TRUNCATED, "is 92 bytes");
    expect_bytes("tw", &b, 92 + 4000 + 2, DWMTJ_W_ERR_TRUNCATED,
                 "the file is 4094 bytes, but its header declares 26632");
    expect_bytes("tb", &b, b.len - 50, DWMTJ_W_ERR_TRUNCATED, NULL);
    expect_bytes("tc2", &b, b.len - 2, DWMTJ_W_ERR_TRUNCATED, "26630 bytes");
    expect_bytes("tc4", &b, b.len - 4, DWMTJ_W_ERR_TRUNCATED, "network 196-32-10");
    free(b.p);
}
END_TEST

/* Through a FIFO (no file size known in advance): where the data ends is
 * told from the stream.  A child writes the first len bytes. */
START_TEST(test_truncated_stream)
{
    bytes b = small_file(NULL);
    const char *fifo = spath("fifo");
    struct {
        size_t len;
        int status;
        const char *want;
    } cases[] = {
        {92 + 4000 + 2, DWMTJ_W_ERR_TRUNCATED, "ends after 4094 of 26632 bytes, in the weights of layer 0"},
        {92 + 4 * 196 * 32 + 8, DWMTJ_W_ERR_TRUNCATED, "in the biases of layer 0"},
        {b.len - 4 - 20, DWMTJ_W_ERR_TRUNCATED, "in the biases of layer 1"},
        {b.len - 1, DWMTJ_W_ERR_TRUNCATED, "in the checksum"},
        {b.len, DWMTJ_W_OK, NULL},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        unlink(fifo);
        ck_assert_int_eq(mkfifo(fifo, 0600), 0);
        for (int round = 0; round < 2; round++) {
            pid_t pid = fork();
            ck_assert_int_ge(pid, 0);
            if (pid == 0) {
                FILE *f = fopen(fifo, "wb");
                if (f) {
                    fwrite(b.p, 1, cases[c].len, f);
                    fclose(f);
                }
                _exit(0);
            }
            dwmtj_weights n;
            char *msg = NULL;
            int rc = dwmtj_weights_load(&n, fifo, &msg);
            int st;
            waitpid(pid, &st, 0);
            ck_assert_msg(rc == cases[c].status, "case %zu: status %d, message %s", c, rc,
                          msg ? msg : "(null)");
            if (cases[c].want)
                ck_assert_msg(msg && strstr(msg, cases[c].want), "case %zu: message %s", c,
                              msg ? msg : "(null)");
            if (rc != DWMTJ_W_OK)
                ck_assert(is_empty(&n));
            free(msg);
            dwmtj_weights_free(&n);
        }
    }
    free(b.p);
}
END_TEST

START_TEST(test_checksum)
{
    bytes b = small_file(NULL);
    /* a flipped bit in the weights, in a bias, in the CRC itself */
    b.p[S_DATA + 1234] ^= 0x10;
    expect_bytes("flip", &b, b.len, DWMTJ_W_ERR_CHECKSUM, "checksum mismatch");
    b.p[S_DATA + 1234] ^= 0x10;
    b.p[b.len - 4 - 7] ^= 0x01;
    expect_bytes("flipb", &b, b.len, DWMTJ_W_ERR_CHECKSUM, "the file is corrupt");
    b.p[b.len - 4 - 7] ^= 0x01;
    b.p[b.len - 1] ^= 0x80;
    expect_bytes("flipc", &b, b.len, DWMTJ_W_ERR_CHECKSUM, NULL);
    b.p[b.len - 1] ^= 0x80;
    /* header damage: a scalar, the seed */
    b.p[S_DT + 3] ^= 0x04;
    expect_bytes("fdt", &b, b.len, DWMTJ_W_ERR_CHECKSUM, NULL);
    b.p[S_DT + 3] ^= 0x04;
    /* a size made impossible (32 -> 32 + 2^30): CHECKSUM, not SHAPE */
    b.p[S_SIZE1 + 3] ^= 0x40;
    expect_bytes("fsz", &b, b.len, DWMTJ_W_ERR_CHECKSUM, "1073741856 neurons");
    b.p[S_SIZE1 + 3] ^= 0x40;
    /* a size made smaller (32 -> 0 is impossible; 32 -> 16): the data
     * ends early, the CRC read from the wrong place does not match */
    b.p[S_SIZE1] ^= 0x30;
    expect_bytes("fsm", &b, b.len, DWMTJ_W_ERR_CHECKSUM, NULL);
    b.p[S_SIZE1] ^= 0x30;
    /* n_layers flipped */
    b.p[S_L] ^= 0x20;
    expect_bytes("fl", &b, b.len, DWMTJ_W_ERR_CHECKSUM, "34 weight layers");
    b.p[S_L] ^= 0x20;
    /* undamaged, it loads */
    write_file(spath("good"), b.p, b.len);
    dwmtj_weights n;
    ck_assert_int_eq(dwmtj_weights_load(&n, spath("good"), NULL), DWMTJ_W_OK);
    dwmtj_weights_free(&n);
    free(b.p);
}
END_TEST

START_TEST(test_bad_values)
{
    bytes b = small_file(NULL);
    bytes c = {malloc(b.len), b.len};
    ck_assert_ptr_nonnull(c.p);
#define RESET() memcpy(c.p, b.p, b.len)
    /* a NaN weight (layer 0, output 2, input 5) */
    RESET();
    setf32(c.p + S_DATA + 4 * (2 * 196 + 5), NAN);
    fix_crc(&c);
    expect_bytes("nan", &c, c.len, DWMTJ_W_ERR_VALUE,
                 "weight 397 (output 2, input 5) of layer 0 is nan");
    /* an infinite bias of layer 1 */
    RESET();
    setf32(c.p + c.len - 4 - 4 * 3, -INFINITY);
    fix_crc(&c);
    expect_bytes("inf", &c, c.len, DWMTJ_W_ERR_VALUE, "bias 7 of layer 1 is -inf");
    /* scalars */
    RESET();
    set32(c.p + S_KIND, 4);
    fix_crc(&c);
    expect_bytes("kind", &c, c.len, DWMTJ_W_ERR_VALUE, "neuron kind 4, expected 0..3");
    RESET();
    set32(c.p + S_STEPS, 0);
    fix_crc(&c);
    expect_bytes("steps0", &c, c.len, DWMTJ_W_ERR_VALUE, "0 time steps");
    RESET();
    set32(c.p + S_STEPS, 100001);
    fix_crc(&c);
    expect_bytes("steps", &c, c.len, DWMTJ_W_ERR_VALUE, "100001 time steps");
    RESET();
    setf64(c.p + S_DT, 0.0);
    fix_crc(&c);
    expect_bytes("dt", &c, c.len, DWMTJ_W_ERR_VALUE, "dt is 0");
    RESET();
    setf64(c.p + S_GAIN, INFINITY);
    fix_crc(&c);
    expect_bytes("gain", &c, c.len, DWMTJ_W_ERR_VALUE, "gain is inf");
    RESET();
    setf64(c.p + S_SIGMA, -0.1);
    fix_crc(&c);
    expect_bytes("sigma", &c, c.len, DWMTJ_W_ERR_VALUE, "sigma is -0.1");
    RESET();
    setf64(c.p + S_TAU, NAN);
    fix_crc(&c);
    expect_bytes("tau", &c, c.len, DWMTJ_W_ERR_VALUE, "tau_mem is nan");
    RESET();
    setf64(c.p + S_RATE, -1.0);
    fix_crc(&c);
    expect_bytes("rate", &c, c.len, DWMTJ_W_ERR_VALUE, "input_rate is -1");
    /* finite but implausible: refused, naming the field and its range */
    static const struct {
        int off;
        double v;
        const char *want;
    } far[] = {
        {S_DT, 5e-324, "dt is 4.94066e-324 s, expected 1e-15 to 0.001 s"},
        {S_DT, 1e-16, "dt is 1e-16 s"},
        {S_DT, 1e300, "dt is 1e+300 s, expected 1e-15 to 0.001 s"},
        {S_DT, 2e-3, "dt is 0.002 s"},
        {S_GAIN, 1e308, "gain is 1e+308 A, expected > 0 and at most 1 A"},
        {S_GAIN, 1.5, "gain is 1.5 A"},
        {S_SIGMA, 11.0, "sigma is 11, expected 0 to 10"},
        {S_TAU, 2.0, "tau_mem is 2 s, expected 0 or 1e-15 to 1 s"},
        {S_TAU, 1e-20, "tau_mem is 1e-20 s, expected 0 or 1e-15 to 1 s"},
        {S_RATE, 1e16, "input_rate is 1e+16 Hz, expected 0 to 1e+15 Hz"},
    };
    for (size_t k = 0; k < sizeof far / sizeof far[0]; k++) {
        RESET();
        setf64(c.p + far[k].off, far[k].v);
        fix_crc(&c);
        expect_bytes("far", &c, c.len, DWMTJ_W_ERR_VALUE, far[k].want);
    }
    /* a LIF network needs a membrane time constant */
    RESET();
    setf64(c.p + S_TAU, 0.0);
    fix_crc(&c);
    expect_bytes("lif-tau0", &c, c.len, DWMTJ_W_ERR_VALUE,
                 "tau_mem is 0 s, but a LIF network needs 1e-15 to 1 s");
    /* zero sigma, tau_mem (DW-MTJ) and rate are allowed; any seed */
    RESET();
    set32(c.p + S_KIND, DWMTJ_KIND_DWMTJ);
    setf64(c.p + S_TAU, 0.0);
    setf64(c.p + S_RATE, 0.0);
    set64(c.p + S_SEED, UINT64_MAX);
    fix_crc(&c);
    write_file(spath("zeros"), c.p, c.len);
    dwmtj_weights n;
    ck_assert_int_eq(dwmtj_weights_load(&n, spath("zeros"), NULL), DWMTJ_W_OK);
    ck_assert_uint_eq(n.seed, UINT64_MAX);
    dwmtj_weights_free(&n);
#undef RESET
    free(c.p);
    free(b.p);
}
END_TEST

START_TEST(test_bad_shape)
{
    bytes b = small_file(NULL);
    bytes c = {malloc(b.len), b.len};
    ck_assert_ptr_nonnull(c.p);
#define RESET() memcpy(c.p, b.p, b.len)
    /* input_side does not match size[0] */
    RESET();
    set32(c.p + S_SIDE, 13);
    fix_crc(&c);
    expect_bytes("side", &c, c.len, DWMTJ_W_ERR_SHAPE, "196 inputs, but input_side 13 means 169");
    RESET();
    set32(c.p + S_SIDE, (uint32_t)-14);
    fix_crc(&c);
    expect_bytes("side-", &c, c.len, DWMTJ_W_ERR_SHAPE, "input_side -14");
    /* a layer of 0 neurons, written that way (valid CRC) */
    RESET();
    set32(c.p + S_SIZE1, 0);
    fix_crc(&c);
    expect_bytes("zero", &c, c.len, DWMTJ_W_ERR_SHAPE, "layer 1 has 0 neurons, expected 1..100000");
    RESET();
    set32(c.p + S_SIZE0, 100001);
    fix_crc(&c);
    expect_bytes("big", &c, c.len, DWMTJ_W_ERR_SHAPE, "layer 0 has 100001 neurons");
    /* 9 layers, and 0 */
    RESET();
    set32(c.p + S_L, 9);
    fix_crc(&c);
    expect_bytes("l9", &c, c.len, DWMTJ_W_ERR_SHAPE, "9 weight layers, expected 1..8");
    RESET();
    set32(c.p + S_L, 0);
    fix_crc(&c);
    expect_bytes("l0", &c, c.len, DWMTJ_W_ERR_SHAPE, "0 weight layers");
    /* a header length that does not fit n_layers */
    RESET();
    set32(c.p + 12, 96);
    fix_crc(&c);
    expect_bytes("hl", &c, c.len, DWMTJ_W_ERR_SHAPE, "header length 96 bytes");
    /* more than 2^31 - 1 parameters: 100000-100000-100000 (a header only) */
    RESET();
    set32(c.p + S_SIZE0, 100000);
    set32(c.p + S_SIZE1, 100000);
    set32(c.p + 28, 100000);
    bytes h = {c.p, S_DATA + 4};
    fix_crc(&h);
    expect_bytes("huge", &h, h.len, DWMTJ_W_ERR_SHAPE,
                 "network 100000-100000-100000 has 20000200000 parameters (2e+10), more than the "
                 "2^31 - 1 limit");
#undef RESET
    free(c.p);
    free(b.p);
}
END_TEST

START_TEST(test_trailing)
{
    bytes b = small_file(NULL);
    b.p = realloc(b.p, b.len + 70000);
    ck_assert_ptr_nonnull(b.p);
    memset(b.p + b.len, 0, 70000);
    expect_bytes("tr3", &b, b.len + 3, DWMTJ_W_ERR_TRUNCATED,
                 "3 bytes after the checksum (the file is 26635 bytes, its header declares 26632)");
    expect_bytes("tr70k", &b, b.len + 70000, DWMTJ_W_ERR_TRUNCATED, "70000 bytes after");
    free(b.p);
}
END_TEST

START_TEST(test_files)
{
    /* missing, a directory */
    expect_load_error(spath("missing"), DWMTJ_W_ERR_FILE, "cannot open");
    ck_assert_int_eq(mkdir(spath("dir"), 0700), 0);
    expect_load_error(spath("dir"), DWMTJ_W_ERR_FILE, "is a directory");

    static const int size[3] = {196, 32, 10};
    dwmtj_weights n;
    ck_assert_int_eq(dwmtj_weights_alloc(&n, 2, size), DWMTJ_W_OK);
    /* a directory that does not exist */
    const char *bad = "/nonexistent/dir/net.dwmtj";
    char *msg = NULL;
    ck_assert_int_eq(dwmtj_weights_save(&n, bad, &msg), DWMTJ_W_ERR_FILE);
    ck_assert_ptr_nonnull(msg);
    ck_assert_msg(!strncmp(msg, bad, strlen(bad)) && strstr(msg, "cannot write"), "%s", msg);
    free(msg);
    ck_assert(!exists("/nonexistent/dir/net.dwmtj.part"));
    /* the target is a directory: refused, nothing written */
    msg = NULL;
    ck_assert_int_eq(dwmtj_weights_save(&n, spath("dir"), &msg), DWMTJ_W_ERR_FILE);
    ck_assert_msg(msg && strstr(msg, "is a directory"), "%s", msg ? msg : "(null)");
    free(msg);
    ck_assert(!exists(spath("dir.part")));
    /* a FIFO (or a device): a network file is read back, so it must be a
     * regular file; the FIFO is left as it was (no writer opens it) */
    ck_assert_int_eq(mkfifo(spath("fifo"), 0600), 0);
    msg = NULL;
    ck_assert_int_eq(dwmtj_weights_save(&n, spath("fifo"), &msg), DWMTJ_W_ERR_FILE);
    ck_assert_msg(msg && strstr(msg, "not a regular file"), "%s", msg ? msg : "(null)");
    free(msg);
    struct stat st;
    ck_assert_int_eq(lstat(spath("fifo"), &st), 0);
    ck_assert(S_ISFIFO(st.st_mode));
    ck_assert(!exists(spath("fifo.part")));
    /* a symbolic link to a network file: the file is replaced, the link stays */
    ck_assert_int_eq(dwmtj_weights_save(&n, spath("real"), NULL), DWMTJ_W_OK);
    ck_assert_int_eq(symlink("real", spath("link")), 0);
    n.seed = 99;
    ck_assert_int_eq(dwmtj_weights_save(&n, spath("link"), NULL), DWMTJ_W_OK);
    ck_assert_int_eq(lstat(spath("link"), &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    dwmtj_weights back;
    ck_assert_int_eq(dwmtj_weights_load(&back, spath("real"), NULL), DWMTJ_W_OK);
    ck_assert_uint_eq(back.seed, 99);
    dwmtj_weights_free(&back);
    n.seed = 1;
    /* a failed save leaves an existing file as it was */
    ck_assert_int_eq(dwmtj_weights_save(&n, spath("keep"), NULL), DWMTJ_W_OK);
    bytes before = read_file(spath("keep"));
    n.w[0][0] = NAN;
    msg = NULL;
    ck_assert_int_eq(dwmtj_weights_save(&n, spath("keep"), &msg), DWMTJ_W_ERR_VALUE);
    ck_assert_msg(msg && strstr(msg, "not saved: weight 0"), "%s", msg ? msg : "(null)");
    free(msg);
    ck_assert(!exists(spath("keep.part")));
    bytes after = read_file(spath("keep"));
    ck_assert_uint_eq(after.len, before.len);
    ck_assert_mem_eq(after.p, before.p, before.len);
    free(before.p);
    free(after.p);
    n.w[0][0] = 0.0f;
    /* save refuses what load would refuse */
    n.input_side = 28;
    ck_assert_int_eq(dwmtj_weights_save(&n, spath("s"), NULL), DWMTJ_W_ERR_SHAPE);
    n.input_side = 14;
    n.dt = -1;
    ck_assert_int_eq(dwmtj_weights_save(&n, spath("s"), NULL), DWMTJ_W_ERR_VALUE);
    n.dt = 1e-10;
    n.kind = 7;
    ck_assert_int_eq(dwmtj_weights_save(&n, spath("s"), NULL), DWMTJ_W_ERR_VALUE);
    n.kind = 0;
    n.size[1] = 0;
    ck_assert_int_eq(dwmtj_weights_save(&n, spath("s"), NULL), DWMTJ_W_ERR_SHAPE);
    n.size[1] = 32;
    n.dt = 5e-324;
    msg = NULL;
    ck_assert_int_eq(dwmtj_weights_save(&n, spath("s"), &msg), DWMTJ_W_ERR_VALUE);
    ck_assert_msg(msg && strstr(msg, "not saved: dt is 4.94066e-324 s, expected 1e-15 to 0.001"),
                  "%s", msg ? msg : "(null)");
    free(msg);
    n.dt = 1e-10;
    n.gain = 1e308;
    ck_assert_int_eq(dwmtj_weights_save(&n, spath("s"), NULL), DWMTJ_W_ERR_VALUE);
    n.gain = 1e-3;
    n.tau_mem = 0.0; /* LIF */
    ck_assert_int_eq(dwmtj_weights_save(&n, spath("s"), NULL), DWMTJ_W_ERR_VALUE);
    n.tau_mem = 1e-9;
    ck_assert(!exists(spath("s")));
    ck_assert(!exists(spath("s.part")));
    dwmtj_weights_free(&n);
}
END_TEST

/* The shape limits by themselves, for callers that build a network (train
 * --hidden): the parameter limit is named as such. */
START_TEST(test_check_shape)
{
    static const int ok[4] = {196, 100, 100, 10};
    static const int huge[4] = {196, 100000, 100000, 10};
    static const int zero[3] = {196, 0, 10};
    char *msg = (char *)"unchanged";
    ck_assert_int_eq(dwmtj_weights_check_shape(3, ok, &msg), DWMTJ_W_OK);
    ck_assert_ptr_null(msg);
    /* 196*1e5 + 1e5 + 1e5*1e5 + 1e5 + 1e5*10 + 10 */
    ck_assert_int_eq(dwmtj_weights_check_shape(3, huge, &msg), DWMTJ_W_ERR_SHAPE);
    ck_assert_msg(msg && !strcmp(msg, "network 196-100000-100000-10 has 10020800010 parameters "
                                      "(1e+10), more than the 2^31 - 1 limit"),
                  "%s", msg ? msg : "(null)");
    free(msg);
    ck_assert_int_eq(dwmtj_weights_check_shape(2, zero, &msg), DWMTJ_W_ERR_SHAPE);
    ck_assert_msg(msg && strstr(msg, "layer 1 has 0 neurons, expected 1..100000"), "%s", msg);
    free(msg);
    ck_assert_int_eq(dwmtj_weights_check_shape(9, ok, NULL), DWMTJ_W_ERR_SHAPE);
    /* a whole network in memory: the messages have no file to name */
    dwmtj_weights n;
    ck_assert_int_eq(dwmtj_weights_alloc(&n, 3, ok), DWMTJ_W_OK);
    ck_assert_int_eq(dwmtj_weights_check(&n, &msg), DWMTJ_W_OK);
    ck_assert_ptr_null(msg);
    n.gain = 1e308;
    ck_assert_int_eq(dwmtj_weights_check(&n, &msg), DWMTJ_W_ERR_VALUE);
    ck_assert_msg(msg && !strncmp(msg, "gain is 1e+308 A, expected > 0 and at most 1 A", 46),
                  "%s", msg ? msg : "(null)");
    free(msg);
    n.gain = 1e-3;
    n.w[1][7] = NAN;
    ck_assert_int_eq(dwmtj_weights_check(&n, NULL), DWMTJ_W_ERR_VALUE);
    dwmtj_weights_free(&n);
    ck_assert_int_eq(dwmtj_weights_check(NULL, NULL), DWMTJ_W_ERR_USAGE);
    ck_assert_int_eq(dwmtj_weights_check_shape(3, NULL, &msg), DWMTJ_W_ERR_USAGE);
    free(msg);
}
END_TEST

START_TEST(test_usage)
{
    static const int size[3] = {196, 32, 10};
    dwmtj_weights n;
    char *msg = NULL;
    ck_assert_int_eq(dwmtj_weights_alloc(NULL, 2, size), DWMTJ_W_ERR_USAGE);
    memset(&n, 0xa5, sizeof n);
    ck_assert_int_eq(dwmtj_weights_alloc(&n, 2, NULL), DWMTJ_W_ERR_USAGE);
    ck_assert(is_empty(&n));
    ck_assert_int_eq(dwmtj_weights_alloc(&n, 0, size), DWMTJ_W_ERR_SHAPE);
    ck_assert(is_empty(&n));
    ck_assert_int_eq(dwmtj_weights_alloc(&n, 9, size), DWMTJ_W_ERR_SHAPE);
    static const int zero[3] = {196, 0, 10};
    ck_assert_int_eq(dwmtj_weights_alloc(&n, 2, zero), DWMTJ_W_ERR_SHAPE);
    ck_assert(is_empty(&n));

    ck_assert_int_eq(dwmtj_weights_alloc(&n, 2, size), DWMTJ_W_OK);
    ck_assert_int_eq(dwmtj_weights_save(NULL, spath("x"), &msg), DWMTJ_W_ERR_USAGE);
    ck_assert_ptr_nonnull(msg);
    free(msg);
    ck_assert_int_eq(dwmtj_weights_save(&n, NULL, &msg), DWMTJ_W_ERR_USAGE);
    free(msg);
    ck_assert_int_eq(dwmtj_weights_save(&n, "", NULL), DWMTJ_W_ERR_USAGE);
    float *w1 = n.w[1];
    n.w[1] = NULL;
    ck_assert_int_eq(dwmtj_weights_save(&n, spath("x"), &msg), DWMTJ_W_ERR_USAGE);
    ck_assert_msg(strstr(msg, "weights of layer 1 are NULL"), "%s", msg);
    free(msg);
    n.w[1] = w1;
    ck_assert(!exists(spath("x")));

    ck_assert_int_eq(dwmtj_weights_load(NULL, spath("x"), &msg), DWMTJ_W_ERR_USAGE);
    ck_assert_ptr_nonnull(msg);
    free(msg);
    dwmtj_weights m;
    memset(&m, 0xa5, sizeof m);
    ck_assert_int_eq(dwmtj_weights_load(&m, NULL, &msg), DWMTJ_W_ERR_USAGE);
    ck_assert(is_empty(&m));
    free(msg);
    ck_assert_int_eq(dwmtj_weights_load(&m, "", NULL), DWMTJ_W_ERR_USAGE);

    dwmtj_weights_free(NULL);
    dwmtj_weights_free(&n);
    dwmtj_weights_free(&n); /* twice: emptied by the first */
}
END_TEST

START_TEST(test_status_strings)
{
    static const int all[] = {DWMTJ_W_OK,           DWMTJ_W_ERR_USAGE,     DWMTJ_W_ERR_NOMEM,
                              DWMTJ_W_ERR_FILE,     DWMTJ_W_ERR_MAGIC,     DWMTJ_W_ERR_VERSION,
                              DWMTJ_W_ERR_TRUNCATED, DWMTJ_W_ERR_CHECKSUM, DWMTJ_W_ERR_SHAPE,
                              DWMTJ_W_ERR_VALUE,    DWMTJ_W_ERR_MISMATCH};
    size_t count = sizeof all / sizeof all[0];
    const char *unknown = dwmtj_weights_status_string(12345);
    ck_assert_ptr_nonnull(unknown);
    ck_assert_str_eq(dwmtj_weights_status_string(-310), unknown);
    for (size_t i = 0; i < count; i++) {
        const char *s = dwmtj_weights_status_string(all[i]);
        ck_assert_ptr_nonnull(s);
        ck_assert_str_ne(s, unknown);
        for (size_t j = 0; j < i; j++)
            ck_assert_str_ne(s, dwmtj_weights_status_string(all[j]));
    }
}
END_TEST

/* ------------------------------------------------------------------- main */

static Suite *weights_suite(void)
{
    Suite *s = suite_create("weights");

    TCase *tc = tcase_create("roundtrip");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_roundtrip, 0, 2);
    tcase_add_test(tc, test_layout);
    tcase_add_test(tc, test_alloc_defaults);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_wrong_magic);
    tcase_add_test(tc, test_version);
    tcase_add_test(tc, test_v2);
    tcase_add_test(tc, test_v2_bad);
    tcase_add_test(tc, test_v3);
    tcase_add_test(tc, test_truncated);
    tcase_add_test(tc, test_truncated_stream);
    tcase_add_test(tc, test_checksum);
    tcase_add_test(tc, test_bad_values);
    tcase_add_test(tc, test_bad_shape);
    tcase_add_test(tc, test_trailing);
    tcase_add_test(tc, test_files);
    tcase_add_test(tc, test_check_shape);
    tcase_add_test(tc, test_usage);
    tcase_add_test(tc, test_status_strings);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(weights_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
