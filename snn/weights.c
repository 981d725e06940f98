/* Trained-network files (dwmtj_weights.h; the format is described byte by
 * byte in doc/weights-format.md).
 *
 * Every field is written byte by byte, little-endian, so a file is the same
 * on every host.  float32 and float64 must be IEEE binary32 and binary64
 * with the same byte order as the integers (checked at compile time as far
 * as C allows).
 *
 * Saving goes through dwmtj_file (util/dwmtj_file.h): PATH.part, fsynced,
 * renamed over PATH, the directory fsynced, so a crash leaves either the
 * old PATH or the new one, never a truncated one; PATH must be (or name
 * through its links) a regular file or nothing.  Loading streams the file through zlib's crc32; the
 * weights are read straight into their arrays, so peak memory is the
 * network itself plus a 64 KiB buffer.
 *
 * Order of the checks in dwmtj_weights_load (the first failing one is
 * reported):
 *   FILE (open/read) -> MAGIC -> VERSION -> TRUNCATED (header) ->
 *   SHAPE (n_layers, header length, sizes, parameter count; but CHECKSUM
 *          when the whole file's CRC-32 does not match, i.e. the header is
 *          damaged rather than written that way) ->
 *   TRUNCATED (data or checksum missing) -> CHECKSUM ->
 *   TRUNCATED (bytes after the checksum) ->
 *   SHAPE (size[0] against input_side) -> VALUE (scalars, then weights). */
#define _POSIX_C_SOURCE 200809L

#include "dwmtj_weights.h"
#include "snn_fail.h"
#include "dwmtj_file.h"
#include "dwmtj.h"

#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <zlib.h>

const char *const dwmtj_kind_names[DWMTJ_KIND_COUNT] = { "lif", "dwmtj", "dwmtj-noisy",
                                                        "dwmtj-thermal" };

_Static_assert(sizeof(float) == 4 && FLT_RADIX == 2 && FLT_MANT_DIG == 24,
               "float must be IEEE binary32");
_Static_assert(sizeof(double) == 8 && DBL_MANT_DIG == 53, "double must be IEEE binary64");

#define MAGIC "DWMTJNET"
#define MAGIC_LEN 8
/* Version 1: no periphery (the ideal one).  Version 2 adds the periphery
 * and the cell's six values after version 1's header; version 3 the cell's
 * i_neg and t_sense after them.  Each network is saved as the lowest
 * version that holds it, so that its file is byte for byte what it was
 * before the later versions existed and older builds still read it: the
 * ideal periphery as version 1, a cell with the symmetric clamp and no
 * sense delay (and the continuous clamp) as version 2. */
#define FORMAT_VERSION 3u
/* magic, version, header length, n_layers */
#define PREFIX_LEN 20
/* header length of version 1: 84 + 4 * n_layers; version 2: 52 more bytes;
 * version 3: 16 more */
#define HEADER_FIXED 84
#define HEADER_V2_EXTRA 52 /* periphery int32, the cell's six float64 */
#define HEADER_V3_EXTRA 16 /* the cell's i_neg and t_sense, float64 */
#define MAX_SIZE DWMTJ_W_MAX_SIZE
#define MAX_STEPS DWMTJ_W_MAX_STEPS
#define MAX_PARAMS DWMTJ_W_MAX_PARAMS
#define MAX_SIDE 46340       /* input_side^2 fits int32 */
#define BUF_LEN 65536        /* I/O buffer, a multiple of 4 */

/* defaults of dwmtj_weights_alloc */
#define DEF_STEPS 25
#define DEF_DT 0.1e-9
#define DEF_GAIN 1e-6
#define DEF_TAU_MEM 2e-9
#define DEF_INPUT_RATE 1e9
#define DEF_SEED 1


/* ------------------------------------------------------ little-endian codec */

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_i32(unsigned char *p, int v)
{
    put_u32(p, (uint32_t)(int32_t)v);
}

static void put_f32(unsigned char *p, float v)
{
    uint32_t u;
    memcpy(&u, &v, 4);
    put_u32(p, u);
}

static void put_f64(unsigned char *p, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    put_u64(p, u);
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const unsigned char *p)
{
    return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

/* a two's-complement int32, without implementation-defined conversions */
static int64_t get_i32(const unsigned char *p)
{
    uint32_t u = get_u32(p);
    return u <= 0x7fffffffu ? (int64_t)u : (int64_t)u - (int64_t)0x100000000;
}

static float get_f32(const unsigned char *p)
{
    uint32_t u = get_u32(p);
    float v;
    memcpy(&v, &u, 4);
    return v;
}

static double get_f64(const unsigned char *p)
{
    uint64_t u = get_u64(p);
    double v;
    memcpy(&v, &u, 8);
    return v;
}

static uLong crc_update(uLong crc, const unsigned char *p, size_t len)
{
    while (len > 0) {
        uInt n = len > 0x40000000u ? 0x40000000u : (uInt)len;
        crc = crc32(crc, p, n);
        p += n;
        len -= n;
    }
    return crc;
}

/* --------------------------------------------------------------- checks */

static uint64_t header_length(int n_layers, uint32_t version)
{
    return HEADER_FIXED + 4 * (uint64_t)n_layers + (version >= 2 ? HEADER_V2_EXTRA : 0) +
           (version >= 3 ? HEADER_V3_EXTRA : 0);
}

/* The version a network is saved as (see FORMAT_VERSION). */
static uint32_t version_of(const dwmtj_weights *n)
{
    if (n->periphery == DWMTJ_PERIPH_IDEAL)
        return 1u;
    if (n->periphery == DWMTJ_PERIPH_CELL && dwmtj_cell_has_cmos_rule(&n->cell))
        return 3u;
    return 2u;
}

/* weights + biases of the given shape (sizes already in range) */
static uint64_t count_params(int n_layers, const int64_t *size)
{
    uint64_t total = 0;
    for (int l = 0; l < n_layers; l++)
        total += (uint64_t)size[l + 1] * (uint64_t)size[l] + (uint64_t)size[l + 1];
    return total;
}

static void describe_shape(char *buf, size_t len, int n_layers, const int64_t *size)
{
    size_t at = 0;
    buf[0] = '\0';
    for (int l = 0; l <= n_layers && at < len; l++) {
        int k = snprintf(buf + at, len - at, "%s%" PRId64, l ? "-" : "", size[l]);
        if (k < 0)
            break;
        at += (size_t)k;
    }
}

/* Checks n_layers, the sizes and the parameter count.  who prefixes the
 * message (the file path; "" for none). */
static int check_shape(int64_t n_layers, const int64_t *size, const char *who, char **error)
{
    const char *sep = *who ? ": " : "";
    if (n_layers < 1 || n_layers > DWMTJ_W_MAX_LAYERS)
        return snn_fail(error, DWMTJ_W_ERR_SHAPE, "%s%s%" PRId64 " weight layers, expected 1..%d",
                    who, sep, n_layers, DWMTJ_W_MAX_LAYERS);
    for (int l = 0; l <= (int)n_layers; l++)
        if (size[l] < 1 || size[l] > MAX_SIZE)
            return snn_fail(error, DWMTJ_W_ERR_SHAPE,
                        "%s%slayer %d has %" PRId64 " neurons, expected 1..%d", who, sep, l,
                        size[l], MAX_SIZE);
    uint64_t total = count_params((int)n_layers, size);
    if (total > MAX_PARAMS) {
        char shape[128];
        describe_shape(shape, sizeof shape, (int)n_layers, size);
        return snn_fail(error, DWMTJ_W_ERR_SHAPE,
                    "%s%snetwork %s has %" PRIu64 " parameters (%.2g), more than the 2^31 - 1 "
                    "limit", who, sep, shape, total, (double)total);
    }
    return DWMTJ_W_OK;
}

static int check_input_side(int64_t input_side, int64_t size0, const char *who, char **error)
{
    if (input_side < 0 || input_side > MAX_SIDE)
        return snn_fail(error, DWMTJ_W_ERR_SHAPE, "%s: input_side %" PRId64 ", expected 0..%d",
                    who, input_side, MAX_SIDE);
    if (input_side != 0 && input_side * input_side != size0)
        return snn_fail(error, DWMTJ_W_ERR_SHAPE,
                    "%s: %" PRId64 " inputs, but input_side %" PRId64
                    " means %" PRId64 " (input_side^2)",
                    who, size0, input_side, input_side * input_side);
    return DWMTJ_W_OK;
}

/* The cell's fields in the order of the header (float64 each, after the
 * periphery), with their ranges (dwmtj_weights.h) and the version that
 * brought them (a file of an earlier version reads their defaults). */
static const struct cell_field {
    const char *name, *unit;
    size_t off;     /* offsetof in dwmtj_cell */
    double lo, hi;  /* range; lo excluded when lo_open */
    int lo_open;
    uint32_t version;
} cell_fields[] = {
    { "cell.i_read", "A", offsetof(dwmtj_cell, i_read), 0.0, DWMTJ_W_CELL_I_MAX, 1, 2 },
    { "cell.i_clear", "A", offsetof(dwmtj_cell, i_clear), 0.0, DWMTJ_W_CELL_I_MAX, 1, 2 },
    { "cell.t_clear", "s", offsetof(dwmtj_cell, t_clear), 0.0, DWMTJ_W_CELL_T_MAX, 1, 2 },
    { "cell.v_write", "V", offsetof(dwmtj_cell, v_write), 0.0, DWMTJ_W_CELL_V_MAX, 1, 2 },
    { "cell.t_write", "s", offsetof(dwmtj_cell, t_write), 0.0, DWMTJ_W_CELL_T_MAX, 1, 2 },
    { "cell.t_start", "s", offsetof(dwmtj_cell, t_start), 0.0, DWMTJ_W_CELL_T_MAX, 0, 2 },
    { "cell.i_neg", "A", offsetof(dwmtj_cell, i_neg), 0.0, DWMTJ_W_CELL_I_MAX, 1, 3 },
    { "cell.t_sense", "s", offsetof(dwmtj_cell, t_sense), 0.0, DWMTJ_W_CELL_T_MAX, 0, 3 },
};
#define N_CELL ((int)(sizeof cell_fields / sizeof cell_fields[0]))

static double *cell_at(dwmtj_cell *c, int k)
{
    return (double *)((char *)c + cell_fields[k].off);
}

static double cell_get(const dwmtj_cell *c, int k)
{
    return *(const double *)((const char *)c + cell_fields[k].off);
}

/* Checks the periphery and, for the cell, its values: each finite and in
 * its range (dwmtj_weights.h), the write at least as long as the device's
 * t_nuc (the network's device, libdwmtj's "scaled" set): a shorter one
 * never nucleates, and the neuron would never fire. */
static int check_periphery(const dwmtj_weights *n, const char *who, char **error)
{
    if (n->periphery != DWMTJ_PERIPH_IDEAL && n->periphery != DWMTJ_PERIPH_CELL &&
        n->periphery != DWMTJ_PERIPH_CONTINUOUS)
        return snn_fail(error, DWMTJ_W_ERR_VALUE,
                        "%s: periphery %d, expected 0 (ideal), 1 (cell) or 2 (continuous)", who,
                        n->periphery);
    if (n->periphery == DWMTJ_PERIPH_IDEAL)
        return DWMTJ_W_OK;
    if (n->periphery == DWMTJ_PERIPH_CONTINUOUS)
        return n->kind == DWMTJ_KIND_LIF
                   ? snn_fail(error, DWMTJ_W_ERR_VALUE,
                              "%s: periphery 2 (continuous) with LIF neurons: the clamp is a "
                              "DW-MTJ neuron's drive's", who)
                   : DWMTJ_W_OK; /* the cell's fields are not read */
    if (n->kind == DWMTJ_KIND_LIF)
        return snn_fail(error, DWMTJ_W_ERR_VALUE,
                        "%s: periphery 1 (cell) with LIF neurons: the cell is a DW-MTJ "
                        "neuron's", who);
    if (n->kind == DWMTJ_KIND_DWMTJ_THERMAL)
        return snn_fail(error, DWMTJ_W_ERR_VALUE,
                        "%s: periphery 1 (cell) with the thermal DW-MTJ kind: the cell's rule "
                        "is worked for the paper-model \"scaled\" device (its write, flat "
                        "track and sense), not for \"scaled-thermal\"", who);
    for (int k = 0; k < N_CELL; k++) {
        const struct cell_field *f = &cell_fields[k];
        double v = cell_get(&n->cell, k);
        int ok = (f->lo_open ? v > f->lo : v >= f->lo) && v <= f->hi;
        if (!ok)
            return snn_fail(error, DWMTJ_W_ERR_VALUE, "%s: %s is %g %s, expected %s %g to %g %s",
                            who, f->name, v, f->unit, f->lo_open ? "above" : "from", f->lo,
                            f->hi, f->unit);
    }
    const dwmtj_cell *c = &n->cell;
    dwmtj_params p;
    if (dwmtj_params_set(&p, "scaled") != DWMTJ_OK)
        return snn_fail(error, DWMTJ_W_ERR_VALUE,
                        "%s: the network's device (libdwmtj's \"scaled\" set) is unknown to "
                        "this build, so cell.t_write cannot be checked against its t_nuc", who);
    if (!(c->t_write >= p.t_nuc))
        return snn_fail(error, DWMTJ_W_ERR_VALUE,
                        "%s: cell.t_write is %g s, shorter than the device's t_nuc %g s (the "
                        "write nucleates t_nuc after its start)",
                        who, c->t_write, p.t_nuc);
    return DWMTJ_W_OK;
}

/* Checks the scalar fields (not the shape).  The ranges keep every
 * derived quantity finite: |a| <= sum of |w| + |b| < 2^31 FLT_MAX, so
 * gain |a| < 1e48 A with gain <= DWMTJ_W_GAIN_MAX; steps x dt <= 100 s. */
static int check_scalars(const dwmtj_weights *n, const char *who, char **error)
{
    if (n->kind < DWMTJ_KIND_LIF || n->kind > DWMTJ_KIND_DWMTJ_THERMAL)
        return snn_fail(error, DWMTJ_W_ERR_VALUE, "%s: neuron kind %d, expected 0..3", who,
                    n->kind);
    if (n->steps < 1 || n->steps > MAX_STEPS)
        return snn_fail(error, DWMTJ_W_ERR_VALUE, "%s: %d time steps, expected 1..%d", who,
                    n->steps, MAX_STEPS);
    /* (!(x >= lo) catches NaN as well) */
    if (!(n->dt >= DWMTJ_W_DT_MIN && n->dt <= DWMTJ_W_DT_MAX))
        return snn_fail(error, DWMTJ_W_ERR_VALUE,
                        "%s: dt is %g s, expected %g to %g s (a time step a circuit can be "
                        "simulated with)",
                        who, n->dt, DWMTJ_W_DT_MIN, DWMTJ_W_DT_MAX);
    if (!(n->gain > 0.0 && n->gain <= DWMTJ_W_GAIN_MAX))
        return snn_fail(error, DWMTJ_W_ERR_VALUE,
                        "%s: gain is %g A, expected > 0 and at most %g A per unit weight x spike",
                        who, n->gain, DWMTJ_W_GAIN_MAX);
    if (!(n->sigma >= 0.0 && n->sigma <= DWMTJ_W_SIGMA_MAX))
        return snn_fail(error, DWMTJ_W_ERR_VALUE, "%s: sigma is %g, expected 0 to %g", who,
                        n->sigma, DWMTJ_W_SIGMA_MAX);
    if (!(n->tau_mem == 0.0 || (n->tau_mem >= DWMTJ_W_DT_MIN && n->tau_mem <= DWMTJ_W_TAU_MAX)))
        return snn_fail(error, DWMTJ_W_ERR_VALUE, "%s: tau_mem is %g s, expected 0 or %g to %g s",
                        who, n->tau_mem, DWMTJ_W_DT_MIN, DWMTJ_W_TAU_MAX);
    if (n->kind == DWMTJ_KIND_LIF && n->tau_mem == 0.0)
        return snn_fail(error, DWMTJ_W_ERR_VALUE,
                        "%s: tau_mem is 0 s, but a LIF network needs %g to %g s", who,
                        DWMTJ_W_DT_MIN, DWMTJ_W_TAU_MAX);
    if (!(n->input_rate >= 0.0 && n->input_rate <= DWMTJ_W_RATE_MAX))
        return snn_fail(error, DWMTJ_W_ERR_VALUE, "%s: input_rate is %g Hz, expected 0 to %g Hz",
                        who, n->input_rate, DWMTJ_W_RATE_MAX);
    return check_periphery(n, who, error);
}

/* Checks that every weight and bias is finite. */
static int check_params(const dwmtj_weights *n, const char *who, char **error)
{
    for (int l = 0; l < n->n_layers; l++) {
        size_t in = (size_t)n->size[l], out = (size_t)n->size[l + 1];
        for (size_t k = 0; k < in * out; k++)
            if (!isfinite(n->w[l][k]))
                return snn_fail(error, DWMTJ_W_ERR_VALUE,
                            "%s: weight %zu (output %zu, input %zu) of layer %d is %g, "
                            "expected a finite number",
                            who, k, k / in, k % in, l, (double)n->w[l][k]);
        for (size_t k = 0; k < out; k++)
            if (!isfinite(n->b[l][k]))
                return snn_fail(error, DWMTJ_W_ERR_VALUE,
                            "%s: bias %zu of layer %d is %g, expected a finite number", who,
                            k, l, (double)n->b[l][k]);
    }
    return DWMTJ_W_OK;
}

/* Everything the loader checks of a network in memory (n_layers in range). */
static int check_all(const dwmtj_weights *n, const char *who, char **error)
{
    int64_t s[DWMTJ_W_MAX_LAYERS + 1];
    for (int l = 0; l <= n->n_layers; l++)
        s[l] = n->size[l];
    int rc = check_shape(n->n_layers, s, who, error);
    if (rc == DWMTJ_W_OK)
        rc = check_input_side(n->input_side, n->size[0], who, error);
    if (rc == DWMTJ_W_OK)
        rc = check_scalars(n, who, error);
    if (rc == DWMTJ_W_OK)
        rc = check_params(n, who, error);
    return rc;
}

/* ----------------------------------------------------------------- alloc */

void dwmtj_weights_free(dwmtj_weights *n)
{
    if (!n)
        return;
    for (int l = 0; l < DWMTJ_W_MAX_LAYERS; l++) {
        free(n->w[l]);
        free(n->b[l]);
    }
    memset(n, 0, sizeof *n);
}

/* Allocates the arrays of a network whose n_layers and size are set
 * (checked); on failure frees what it allocated. */
static int alloc_arrays(dwmtj_weights *n)
{
    for (int l = 0; l < n->n_layers; l++) {
        size_t in = (size_t)n->size[l], out = (size_t)n->size[l + 1];
        n->w[l] = calloc(in * out, sizeof(float));
        n->b[l] = calloc(out, sizeof(float));
        if (!n->w[l] || !n->b[l]) {
            dwmtj_weights_free(n);
            return DWMTJ_W_ERR_NOMEM;
        }
    }
    return DWMTJ_W_OK;
}

int dwmtj_weights_alloc(dwmtj_weights *n, int n_layers, const int *size)
{
    if (!n)
        return DWMTJ_W_ERR_USAGE;
    memset(n, 0, sizeof *n);
    if (!size)
        return DWMTJ_W_ERR_USAGE;
    if (n_layers < 1 || n_layers > DWMTJ_W_MAX_LAYERS)
        return DWMTJ_W_ERR_SHAPE;
    int64_t s[DWMTJ_W_MAX_LAYERS + 1];
    for (int l = 0; l <= n_layers; l++)
        s[l] = size[l];
    int rc = check_shape(n_layers, s, "", NULL);
    if (rc != DWMTJ_W_OK)
        return rc;
    n->n_layers = n_layers;
    for (int l = 0; l <= n_layers; l++)
        n->size[l] = size[l];
    n->kind = DWMTJ_KIND_LIF;
    n->steps = DEF_STEPS;
    n->dt = DEF_DT;
    n->gain = DEF_GAIN;
    n->sigma = 0.0;
    n->tau_mem = DEF_TAU_MEM;
    n->input_rate = DEF_INPUT_RATE;
    n->seed = DEF_SEED;
    n->input_side = size[0] == 784 ? 28 : size[0] == 196 ? 14 : 0;
    n->periphery = DWMTJ_PERIPH_IDEAL;
    dwmtj_cell_defaults(&n->cell);
    return alloc_arrays(n);
}

void dwmtj_cell_defaults(dwmtj_cell *c)
{
    if (!c)
        return;
    c->i_read = 5e-6;
    c->i_clear = 200e-6;
    c->t_clear = 1e-9;
    c->v_write = 1.5;
    c->t_write = 1.2e-9;
    c->t_start = 0.1e-9;
    c->i_neg = DWMTJ_W_CELL_I_MAX;
    c->t_sense = 0.0;
}

int dwmtj_cell_has_cmos_rule(const dwmtj_cell *c)
{
    return c->i_neg != DWMTJ_W_CELL_I_MAX || c->t_sense != 0.0;
}

/* ------------------------------------------------------------------ save */

/* The header of n (n_layers in range) into h; returns its length. */
static size_t encode_header(const dwmtj_weights *n, unsigned char *h)
{
    uint32_t version = version_of(n);
    size_t hl = (size_t)header_length(n->n_layers, version);
    memcpy(h, MAGIC, MAGIC_LEN);
    put_u32(h + 8, version);
    put_u32(h + 12, (uint32_t)hl);
    put_i32(h + 16, n->n_layers);
    for (int l = 0; l <= n->n_layers; l++)
        put_i32(h + 20 + 4 * l, n->size[l]);
    unsigned char *p = h + 24 + 4 * n->n_layers;
    put_i32(p, n->kind);
    put_i32(p + 4, n->steps);
    put_f64(p + 8, n->dt);
    put_f64(p + 16, n->gain);
    put_f64(p + 24, n->sigma);
    put_f64(p + 32, n->tau_mem);
    put_f64(p + 40, n->input_rate);
    put_u64(p + 48, n->seed);
    put_i32(p + 56, n->input_side);
    if (version >= 2) {
        put_i32(p + 60, n->periphery);
        for (int k = 0; k < N_CELL; k++)
            if (cell_fields[k].version <= version)
                put_f64(p + 64 + 8 * k, cell_get(&n->cell, k));
    }
    return hl;
}

/* An output file and the CRC-32 of what was written to it. */
typedef struct writer {
    FILE *f;
    uLong crc;
    int err; /* errno of the first failed write, or -1 */
} writer;

static void wr(writer *w, const unsigned char *p, size_t len)
{
    if (w->err)
        return;
    w->crc = crc_update(w->crc, p, len);
    errno = 0;
    if (fwrite(p, 1, len, w->f) != len)
        w->err = errno ? errno : -1;
}

static void wr_floats(writer *w, const float *v, size_t count, unsigned char *buf)
{
    while (count > 0) {
        size_t k = count > BUF_LEN / 4 ? BUF_LEN / 4 : count;
        for (size_t i = 0; i < k; i++)
            put_f32(buf + 4 * i, v[i]);
        wr(w, buf, 4 * k);
        v += k;
        count -= k;
    }
}

static const char *err_text(int e)
{
    return e > 0 ? strerror(e) : "unknown error";
}

int dwmtj_weights_save(const dwmtj_weights *n, const char *path, char **error)
{
    if (error)
        *error = NULL;
    if (!n)
        return snn_fail(error, DWMTJ_W_ERR_USAGE, "dwmtj_weights_save: the network is NULL");
    if (!path || !*path)
        return snn_fail(error, DWMTJ_W_ERR_USAGE, "dwmtj_weights_save: the path is %s",
                    path ? "empty" : "NULL");
    if (n->n_layers < 1 || n->n_layers > DWMTJ_W_MAX_LAYERS)
        return snn_fail(error, DWMTJ_W_ERR_SHAPE, "%s: not saved: %d weight layers, expected 1..%d",
                    path, n->n_layers, DWMTJ_W_MAX_LAYERS);
    for (int l = 0; l < n->n_layers; l++)
        if (!n->w[l] || !n->b[l])
            return snn_fail(error, DWMTJ_W_ERR_USAGE,
                        "dwmtj_weights_save: %s: the %s of layer %d are NULL", path,
                        n->w[l] ? "biases" : "weights", l);

    /* refuse to write what dwmtj_weights_load would refuse */
    size_t plen = strlen(path);
    char *who = malloc(plen + sizeof ": not saved");
    if (!who)
        return snn_fail(error, DWMTJ_W_ERR_NOMEM, "%s: out of memory", path);
    memcpy(who, path, plen);
    memcpy(who + plen, ": not saved", sizeof ": not saved");
    int rc = check_all(n, who, error);
    free(who);
    if (rc != DWMTJ_W_OK)
        return rc;

    unsigned char *buf = malloc(BUF_LEN);
    if (!buf)
        return snn_fail(error, DWMTJ_W_ERR_NOMEM, "%s: out of memory", path);
    /* read back later: a regular file only, synced before and after the
     * rename so that a crash leaves the old file or the new one */
    dwmtj_file out;
    rc = dwmtj_file_open(&out, path, DWMTJ_FILE_SYNC | DWMTJ_FILE_REGULAR);
    if (rc != DWMTJ_FILE_OK) {
        free(buf);
        return snn_fail(error, rc == DWMTJ_FILE_ERR_NOMEM ? DWMTJ_W_ERR_NOMEM : DWMTJ_W_ERR_FILE,
                        "%s", out.error);
    }

    writer w = {out.f, crc32(0L, Z_NULL, 0), 0};
    size_t hl = encode_header(n, buf);
    wr(&w, buf, hl);
    for (int l = 0; l < n->n_layers; l++) {
        wr_floats(&w, n->w[l], (size_t)n->size[l + 1] * (size_t)n->size[l], buf);
        wr_floats(&w, n->b[l], (size_t)n->size[l + 1], buf);
    }
    unsigned char c[4];
    put_u32(c, (uint32_t)w.crc);
    wr(&w, c, 4);
    free(buf);
    if (w.err) {
        int e = w.err;
        dwmtj_file_abort(&out);
        return snn_fail(error, DWMTJ_W_ERR_FILE, "%s: write error: %s", path, err_text(e));
    }
    rc = dwmtj_file_commit(&out);
    if (rc != DWMTJ_FILE_OK)
        return snn_fail(error, DWMTJ_W_ERR_FILE, "%s", out.error);
    return DWMTJ_W_OK;
}

/* ------------------------------------------------------------------ load */

/* An input file, its CRC-32 so far and the bytes read. */
typedef struct reader {
    const char *path;
    FILE *f;
    uLong crc;
    uint64_t pos;
    int err; /* errno of a read error, or -1 */
} reader;

/* Reads up to len bytes (fewer only at the end of the file or on an
 * error, then r->err is set); the CRC covers them when crc is set. */
static size_t rd(reader *r, unsigned char *p, size_t len, int crc)
{
    size_t got = 0;
    while (got < len && !r->err) {
        errno = 0;
        size_t k = fread(p + got, 1, len - got, r->f);
        got += k;
        if (k == 0) {
            if (ferror(r->f))
                r->err = errno ? errno : -1;
            break;
        }
    }
    if (crc)
        r->crc = crc_update(r->crc, p, got);
    r->pos += got;
    return got;
}

static int read_error(reader *r, char **error)
{
    return snn_fail(error, DWMTJ_W_ERR_FILE, "%s: read error after %" PRIu64 " bytes: %s",
                r->path, r->pos, err_text(r->err));
}

/* Reads the whole file again from its start; returns 1 when the CRC-32 of
 * all its bytes but the last four equals those four (little-endian), 0
 * when not, -1 when that cannot be told (not seekable, read error). */
static int whole_file_crc_ok(FILE *f, unsigned char *buf)
{
    if (fseek(f, 0, SEEK_SET) != 0)
        return -1;
    clearerr(f);
    uLong crc = crc32(0L, Z_NULL, 0);
    unsigned char tail[4];
    size_t held = 0; /* the last bytes seen, not yet in crc */
    for (;;) {
        size_t g = fread(buf, 1, BUF_LEN, f);
        if (g == 0) {
            if (ferror(f))
                return -1;
            break;
        }
        if (held + g <= 4) {
            memcpy(tail + held, buf, g);
            held += g;
            continue;
        }
        size_t emit = held + g - 4;
        size_t et = emit < held ? emit : held;
        crc = crc_update(crc, tail, et);
        size_t eb = emit - et;
        crc = crc_update(crc, buf, eb);
        unsigned char nt[4];
        size_t k = 0;
        for (size_t i = et; i < held; i++)
            nt[k++] = tail[i];
        for (size_t i = eb; i < g; i++)
            nt[k++] = buf[i];
        memcpy(tail, nt, 4);
        held = 4;
    }
    if (held < 4)
        return 0;
    return (uint32_t)crc == get_u32(tail);
}

/* Reads count float32 into v; returns 0, or -1 when the file ends (or a
 * read error stops it) first. */
static int rd_floats(reader *r, float *v, size_t count, unsigned char *buf)
{
    while (count > 0) {
        size_t k = count > BUF_LEN / 4 ? BUF_LEN / 4 : count;
        size_t g = rd(r, buf, 4 * k, 1);
        for (size_t i = 0; i < g / 4; i++)
            v[i] = get_f32(buf + 4 * i);
        if (g < 4 * k)
            return -1;
        v += k;
        count -= k;
    }
    return 0;
}

/* A header that cannot describe a network: reported as SHAPE (message
 * already in *error), unless the file's checksum does not match, which
 * means the header was damaged after it was written: then CHECKSUM. */
static int shape_or_checksum(reader *r, unsigned char *buf, int rc, char **error)
{
    if (whole_file_crc_ok(r->f, buf) != 0)
        return rc;
    if (!error)
        return DWMTJ_W_ERR_CHECKSUM;
    char *was = *error;
    size_t plen = strlen(r->path);
    const char *why = was && strncmp(was, r->path, plen) == 0 && was[plen] == ':' ? was + plen + 2
                      : was                                                   ? was
                                                                              : "?";
    rc = snn_fail(error, DWMTJ_W_ERR_CHECKSUM,
              "%s: checksum mismatch: the file is corrupt (its header reads: %s)", r->path,
              why);
    free(was);
    return rc;
}

/* The body of dwmtj_weights_load: reads r into t (zeroed; its arrays
 * allocated here, freed by the caller on error). */
static int load_file(reader *r, dwmtj_weights *t, unsigned char *buf, int regular,
                     uint64_t file_size, char **error)
{
    const char *path = r->path;
    unsigned char h[HEADER_FIXED + HEADER_V2_EXTRA + HEADER_V3_EXTRA + 4 * DWMTJ_W_MAX_LAYERS];

    /* magic */
    size_t got = rd(r, h, MAGIC_LEN, 1);
    if (r->err)
        return read_error(r, error);
    if (got < MAGIC_LEN && memcmp(h, MAGIC, got) == 0)
        return snn_fail(error, DWMTJ_W_ERR_TRUNCATED,
                    "%s: %s%zu bytes, shorter than any network file (header >= %d bytes)",
                    path, got ? "" : "empty file: ", got, HEADER_FIXED + 4);
    if (memcmp(h, MAGIC, MAGIC_LEN) != 0) {
        char hex[3 * MAGIC_LEN + 1] = "";
        for (size_t i = 0, at = 0; i < got; i++, at = 3 * i - 1)
            snprintf(hex + at, sizeof hex - at, "%s%02x", i ? " " : "", h[i]);
        return snn_fail(error, DWMTJ_W_ERR_MAGIC,
                    "%s: not a dwmtj network file: starts with bytes %s, expected \"%s\"",
                    path, hex, MAGIC);
    }

    /* version, header length, n_layers */
    got += rd(r, h + MAGIC_LEN, PREFIX_LEN - MAGIC_LEN, 1);
    if (r->err)
        return read_error(r, error);
    uint32_t version = got >= 12 ? get_u32(h + 8) : 0;
    if (got >= 12 && (version < 1 || version > FORMAT_VERSION))
        return snn_fail(error, DWMTJ_W_ERR_VERSION,
                    "%s: format version %" PRIu32 "; this build reads versions 1 to %u", path,
                    version, FORMAT_VERSION);
    if (got < PREFIX_LEN)
        return snn_fail(error, DWMTJ_W_ERR_TRUNCATED,
                    "%s: the header ends after %zu bytes (it has at least %d)", path, got,
                    HEADER_FIXED + 4);
    uint32_t hl = get_u32(h + 12);
    int64_t n_layers = get_i32(h + 16);
    if (n_layers < 1 || n_layers > DWMTJ_W_MAX_LAYERS)
        return shape_or_checksum(
            r, buf,
            snn_fail(error, DWMTJ_W_ERR_SHAPE, "%s: %" PRId64 " weight layers, expected 1..%d",
                 path, n_layers, DWMTJ_W_MAX_LAYERS),
            error);
    if (hl != header_length((int)n_layers, version))
        return shape_or_checksum(
            r, buf,
            snn_fail(error, DWMTJ_W_ERR_SHAPE,
                 "%s: header length %" PRIu32 " bytes, but a version %" PRIu32 " header of %" PRId64
                 " layers has %" PRIu64,
                 path, hl, version, n_layers, header_length((int)n_layers, version)),
            error);

    /* the rest of the header */
    got += rd(r, h + PREFIX_LEN, hl - PREFIX_LEN, 1);
    if (r->err)
        return read_error(r, error);
    if (got < hl)
        return snn_fail(error, DWMTJ_W_ERR_TRUNCATED,
                    "%s: the header ends after %zu of its %" PRIu32 " bytes", path, got, hl);
    int64_t size[DWMTJ_W_MAX_LAYERS + 1];
    for (int l = 0; l <= n_layers; l++)
        size[l] = get_i32(h + 20 + 4 * l);
    int rc = check_shape(n_layers, size, path, error);
    if (rc != DWMTJ_W_OK)
        return shape_or_checksum(r, buf, rc, error);

    t->n_layers = (int)n_layers;
    for (int l = 0; l <= n_layers; l++)
        t->size[l] = (int)size[l];
    const unsigned char *p = h + 24 + 4 * n_layers;
    int64_t kind = get_i32(p), steps = get_i32(p + 4), side = get_i32(p + 56);
    /* get_i32 gives values within int32, so these conversions are exact */
    t->kind = (int)kind;
    t->steps = (int)steps;
    t->dt = get_f64(p + 8);
    t->gain = get_f64(p + 16);
    t->sigma = get_f64(p + 24);
    t->tau_mem = get_f64(p + 32);
    t->input_rate = get_f64(p + 40);
    t->seed = get_u64(p + 48);
    t->input_side = (int)side;
    t->periphery = DWMTJ_PERIPH_IDEAL; /* version 1 */
    if (version >= 2) {
        t->periphery = (int)get_i32(p + 60); /* within int32: exact */
        for (int k = 0; k < N_CELL; k++)
            if (cell_fields[k].version <= version)
                *cell_at(&t->cell, k) = get_f64(p + 64 + 8 * k);
    }

    /* the data: known length, so a short regular file is told before the
     * arrays are allocated */
    uint64_t params = count_params((int)n_layers, size);
    uint64_t expected = hl + 4 * params + 4;
    char shape[128];
    describe_shape(shape, sizeof shape, (int)n_layers, size);
    if (regular && file_size < expected)
        return snn_fail(error, DWMTJ_W_ERR_TRUNCATED,
                    "%s: the file is %" PRIu64 " bytes, but its header declares %" PRIu64
                    " (network %s, %" PRIu64 " parameters)",
                    path, file_size, expected, shape, params);
    if (alloc_arrays(t) != DWMTJ_W_OK)
        return snn_fail(error, DWMTJ_W_ERR_NOMEM,
                    "%s: out of memory for the %" PRIu64 " parameters of network %s", path,
                    params, shape);
    for (int l = 0; l < n_layers; l++) {
        size_t in = (size_t)size[l], out = (size_t)size[l + 1];
        const char *what = "weights";
        int short_read = rd_floats(r, t->w[l], in * out, buf);
        if (!short_read) {
            what = "biases";
            short_read = rd_floats(r, t->b[l], out, buf);
        }
        if (r->err)
            return read_error(r, error);
        if (short_read)
            return snn_fail(error, DWMTJ_W_ERR_TRUNCATED,
                        "%s: the file ends after %" PRIu64 " of %" PRIu64
                        " bytes, in the %s of layer %d (network %s)",
                        path, r->pos, expected, what, l, shape);
    }

    /* checksum */
    unsigned char c[4];
    uint32_t computed = (uint32_t)r->crc;
    got = rd(r, c, 4, 0);
    if (r->err)
        return read_error(r, error);
    if (got < 4)
        return snn_fail(error, DWMTJ_W_ERR_TRUNCATED,
                    "%s: the file ends after %" PRIu64 " of %" PRIu64
                    " bytes, in the checksum (network %s)",
                    path, r->pos, expected, shape);
    if (get_u32(c) != computed)
        return snn_fail(error, DWMTJ_W_ERR_CHECKSUM,
                    "%s: checksum mismatch: the file stores CRC-32 0x%08" PRIx32
                    ", its contents give 0x%08" PRIx32 " (the file is corrupt)",
                    path, get_u32(c), computed);

    /* nothing may follow */
    uint64_t trailing = 0;
    for (;;) {
        size_t k = rd(r, buf, BUF_LEN, 0);
        if (r->err)
            return read_error(r, error);
        trailing += k;
        if (k < BUF_LEN)
            break;
    }
    if (trailing)
        return snn_fail(error, DWMTJ_W_ERR_TRUNCATED,
                    "%s: %" PRIu64 " bytes after the checksum (the file is %" PRIu64
                    " bytes, its header declares %" PRIu64 ")",
                    path, trailing, expected + trailing, expected);

    /* the contents, now known to be as written */
    rc = check_input_side(side, size[0], path, error);
    if (rc == DWMTJ_W_OK)
        rc = check_scalars(t, path, error);
    if (rc == DWMTJ_W_OK)
        rc = check_params(t, path, error);
    return rc;
}

int dwmtj_weights_load(dwmtj_weights *n, const char *path, char **error)
{
    if (error)
        *error = NULL;
    if (!n)
        return snn_fail(error, DWMTJ_W_ERR_USAGE, "dwmtj_weights_load: the network is NULL");
    memset(n, 0, sizeof *n);
    if (!path || !*path)
        return snn_fail(error, DWMTJ_W_ERR_USAGE, "dwmtj_weights_load: the path is %s",
                    path ? "empty" : "NULL");

    errno = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        return snn_fail(error, e == ENOMEM ? DWMTJ_W_ERR_NOMEM : DWMTJ_W_ERR_FILE,
                    "%s: cannot open: %s", path, err_text(e));
    }
    struct stat st;
    int regular = 0;
    uint64_t file_size = 0;
    if (fstat(fileno(f), &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            fclose(f);
            return snn_fail(error, DWMTJ_W_ERR_FILE, "%s: is a directory", path);
        }
        regular = S_ISREG(st.st_mode) && st.st_size >= 0;
        file_size = regular ? (uint64_t)st.st_size : 0;
    }
    unsigned char *buf = malloc(BUF_LEN);
    if (!buf) {
        fclose(f);
        return snn_fail(error, DWMTJ_W_ERR_NOMEM, "%s: out of memory", path);
    }
    reader r = {path, f, crc32(0L, Z_NULL, 0), 0, 0};
    dwmtj_weights t;
    memset(&t, 0, sizeof t);
    dwmtj_cell_defaults(&t.cell); /* what an earlier version's file does not hold */
    int rc = load_file(&r, &t, buf, regular, file_size, error);
    free(buf);
    fclose(f);
    if (rc != DWMTJ_W_OK) {
        dwmtj_weights_free(&t);
        return rc;
    }
    *n = t;
    return DWMTJ_W_OK;
}

const char *dwmtj_periphery_name(int periphery)
{
    static const char *const names[] = { "ideal", "cell", "continuous" };
    return periphery >= 0 && periphery < 3 ? names[periphery] : "?";
}

const char *dwmtj_weights_status_string(int status)
{
    switch (status) {
    case DWMTJ_W_OK: return "success";
    case DWMTJ_W_ERR_USAGE: return "bad argument";
    case DWMTJ_W_ERR_NOMEM: return "out of memory";
    case DWMTJ_W_ERR_FILE: return "cannot open, read or write the network file";
    case DWMTJ_W_ERR_MAGIC: return "not a dwmtj network file (wrong magic)";
    case DWMTJ_W_ERR_VERSION: return "network file format version not supported";
    case DWMTJ_W_ERR_TRUNCATED: return "network file shorter or longer than its header declares";
    case DWMTJ_W_ERR_CHECKSUM: return "network file checksum mismatch (corrupt file)";
    case DWMTJ_W_ERR_SHAPE: return "layer sizes out of range or inconsistent";
    case DWMTJ_W_ERR_VALUE: return "a network parameter or weight is out of range or not finite";
    case DWMTJ_W_ERR_MISMATCH: return "the network does not fit what is expected";
    default: return "unknown status";
    }
}

int dwmtj_weights_check_shape(int n_layers, const int *size, char **error)
{
    if (error)
        *error = NULL;
    if (!size)
        return snn_fail(error, DWMTJ_W_ERR_USAGE, "dwmtj_weights_check_shape: size is NULL");
    if (n_layers < 1 || n_layers > DWMTJ_W_MAX_LAYERS) /* before size[] is read */
        return snn_fail(error, DWMTJ_W_ERR_SHAPE, "%d weight layers, expected 1..%d", n_layers,
                        DWMTJ_W_MAX_LAYERS);
    int64_t s[DWMTJ_W_MAX_LAYERS + 1];
    for (int l = 0; l <= n_layers; l++)
        s[l] = size[l];
    return check_shape(n_layers, s, "", error);
}

int dwmtj_weights_check(const dwmtj_weights *n, char **error)
{
    if (error)
        *error = NULL;
    if (!n)
        return snn_fail(error, DWMTJ_W_ERR_USAGE, "dwmtj_weights_check: the network is NULL");
    if (n->n_layers < 1 || n->n_layers > DWMTJ_W_MAX_LAYERS)
        return snn_fail(error, DWMTJ_W_ERR_SHAPE, "%d weight layers, expected 1..%d",
                        n->n_layers, DWMTJ_W_MAX_LAYERS);
    for (int l = 0; l < n->n_layers; l++)
        if (!n->w[l] || !n->b[l])
            return snn_fail(error, DWMTJ_W_ERR_USAGE, "dwmtj_weights_check: the %s of layer %d "
                            "are NULL", n->w[l] ? "biases" : "weights", l);
    int rc = check_all(n, "", error);
    /* the checks prefix "who: "; here there is no who */
    if (rc != DWMTJ_W_OK && error && *error && !strncmp(*error, ": ", 2))
        memmove(*error, *error + 2, strlen(*error + 2) + 1);
    return rc;
}
