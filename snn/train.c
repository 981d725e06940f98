/* The training loop (dwmtj_snn.h): data, network, Adam, the epochs, and
 * the three files of a run -- the network (out), the log and the
 * checkpoint (out.ckpt) -- kept consistent under a kill at any point.
 *
 * Checkpoint, format 2 (doc/training.md):
 *   text lines  "DWMTJCKPT 2", "epoch E", "adam_t T",
 *               "config K=V,..." (the options that must match on resume),
 *               "params N",
 *               then E log rows "e,loss,accuracy,seconds" (epochs 1..E)
 *   then binary N float32 weights (w then b, layer by layer), N float64
 *   Adam first moments, N float64 second moments (host byte order), and a
 *   64-bit FNV-1a hash of every byte before it, header included.
 * The numbers of the header are canonical decimals (no sign, no leading
 * zero), and each is checked against the run's options: T = E x batches
 * per epoch, N = the network's parameters, the config string equal.
 * (The moments are doubles: stored as float32 they would be rounded, and
 * a resumed run would no longer match an uninterrupted one bit for bit.) */
#define _POSIX_C_SOURCE 200809L

#include "dwmtj_snn.h"
#include "dwmtj_data.h"
#include "dwmtj_file.h"
#include "snn_fail.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define CKPT_MAGIC "DWMTJCKPT"
#define CKPT_VERSION 2
#define LOG_HEADER "epoch,train_loss,test_accuracy,seconds\n"
#define ROW_MAX 128     /* bytes of one log row, at most */
#define CONFIG_MAX 1024 /* bytes of the config string */
#define FNV0 0xCBF29CE484222325ull

void dwmtj_snn_train_defaults(dwmtj_snn_train_options *o, int kind)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->epochs = 1;
    o->seed = 1;
    o->out = o->log = o->data = NULL;
    o->resume = 0;
    o->n_hidden = 2;
    o->hidden[0] = o->hidden[1] = 100;
    o->steps = kind == DWMTJ_KIND_LIF ? 25 : 100;
    o->batch = 32;
    o->train_images = o->test_images = 0;
    o->downsample = 1;
    o->lr = 1e-3;
    o->gain = 1e-3; /* 300 uA leaves a 784-100-100-10 network silent at T = 100 */
    o->dt = 0.1e-9;
    o->input_rate = 5e9;
    o->tau_mem = 1e-9;
    o->sigma = kind == DWMTJ_KIND_DWMTJ_NOISY ? 0.3 : 0.0;
    o->threads = 1;
    o->periphery = DWMTJ_PERIPH_IDEAL;
    dwmtj_cell_defaults(&o->cell);
    o->init = NULL;
}

/* ------------------------------------------------------------- helpers */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* The order of the training images in epoch (1-based). */
static void shuffle(int *perm, int n, uint64_t seed, int epoch)
{
    uint64_t s = seed ^ (0xD1B54A32D192ED03ull * (uint64_t)epoch);
    splitmix(&s);
    for (int k = 0; k < n; k++)
        perm[k] = k;
    for (int k = n - 1; k > 0; k--) {
        int j = (int)(splitmix(&s) % (uint64_t)(k + 1));
        int t = perm[k];
        perm[k] = perm[j];
        perm[j] = t;
    }
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t k = 0; k < n; k++) {
        h ^= c[k];
        h *= 0x100000001B3ull;
    }
    return h;
}

static size_t n_params(const dwmtj_weights *n)
{
    size_t p = 0;
    for (int l = 0; l < n->n_layers; l++)
        p += (size_t)n->size[l] * n->size[l + 1] + n->size[l + 1];
    return p;
}

/* The layer sizes "784-100-100-10" into s (cap bytes); its length, or
 * where it was cut. */
static size_t sizes_string(const dwmtj_weights *n, char *s, size_t cap)
{
    size_t k = 0;
    s[0] = '\0';
    for (int l = 0; l <= n->n_layers && k < cap; l++)
        k += (size_t)snprintf(s + k, cap - k, "%s%d", l ? "-" : "", n->size[l]);
    return k;
}

/* FNV-1a of a network's weights and biases, layer by layer. */
static uint64_t params_hash(const dwmtj_weights *n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (int l = 0; l < n->n_layers; l++) {
        h = fnv(h, n->w[l], sizeof(float) * (size_t)n->size[l] * n->size[l + 1]);
        h = fnv(h, n->b[l], sizeof(float) * (size_t)n->size[l + 1]);
    }
    return h;
}

/* ------------------------------------------------------------- the run */

typedef struct run {
    const dwmtj_snn_train_options *o;
    dwmtj_snn_train_fn cb;
    void *userdata;
    char **error;
    char *ckpt;           /* out + ".ckpt" */
    FILE *log_in_place;   /* a log that is not a regular file (FIFO, device), open for
                             the run; NULL when the log is a regular file or none */
    dwmtj_dataset tr, te; /* training and test sets */
    dwmtj_weights net;    /* the network being trained */
    dwmtj_weights grad;   /* its gradient */
    dwmtj_snn_adam_state adam;
    dwmtj_snn_ws *ws;
    char config[CONFIG_MAX];
    char *logtext;        /* the log's header and the rows of epochs 1..epoch */
    size_t loglen, logcap;/* bytes in logtext, allocated */
    int epoch;            /* epochs done (held by the checkpoint) */
    int batches;          /* Adam steps per epoch */
    dwmtj_snn_train_event ev;
} run;

static int emit(run *r, int stage)
{
    r->ev.stage = stage;
    if (r->cb && r->cb(&r->ev, r->userdata) != 0)
        return snn_fail(r->error, DWMTJ_SNN_ERR_STOPPED, "stopped by the caller");
    return DWMTJ_SNN_OK;
}

static int note(run *r, const char *fmt, const char *file, const char *detail)
{
    char buf[1024];
    snprintf(buf, sizeof buf, fmt, file, detail);
    r->ev.note = buf;
    r->ev.epoch = r->epoch;
    int rc = emit(r, DWMTJ_SNN_TRAIN_REPAIRED);
    r->ev.note = NULL;
    return rc;
}

static int log_append(run *r, const char *s)
{
    size_t n = strlen(s);
    if (r->loglen + n + 1 > r->logcap) {
        size_t cap = r->logcap ? 2 * r->logcap : 4096;
        while (cap < r->loglen + n + 1)
            cap *= 2;
        char *p = realloc(r->logtext, cap);
        if (!p)
            return snn_fail(r->error, DWMTJ_SNN_ERR_NOMEM, "out of memory for the log rows");
        r->logtext = p;
        r->logcap = cap;
    }
    memcpy(r->logtext + r->loglen, s, n + 1);
    r->loglen += n;
    return DWMTJ_SNN_OK;
}

/* The log as it must be now: the whole of it to a regular file (replaced
 * whole), from byte `from` of logtext on to one written in place. */
static int log_write(run *r, size_t from)
{
    const char *path = r->o->log;
    if (!path)
        return DWMTJ_SNN_OK;
    if (r->log_in_place) {
        FILE *f = r->log_in_place;
        if (fputs(r->logtext + from, f) == EOF || fflush(f) != 0 || ferror(f))
            return snn_fail(r->error, DWMTJ_SNN_ERR_OUTPUT, "%s: write failed: %s", path,
                            strerror(errno));
        return DWMTJ_SNN_OK;
    }
    char msg[600];
    if (dwmtj_file_write_text(path, r->logtext, DWMTJ_FILE_SYNC | DWMTJ_FILE_REGULAR, msg,
                              sizeof msg) != DWMTJ_FILE_OK)
        return snn_fail(r->error, DWMTJ_SNN_ERR_OUTPUT, "%s", msg);
    return DWMTJ_SNN_OK;
}

/* Opens and drops path, so that an output that cannot be written fails
 * before the data are read. */
static int probe(run *r, const char *path)
{
    dwmtj_file f;
    if (dwmtj_file_open(&f, path, DWMTJ_FILE_SYNC | DWMTJ_FILE_REGULAR) != DWMTJ_FILE_OK)
        return snn_fail(r->error, DWMTJ_SNN_ERR_OUTPUT, "%s", f.error);
    dwmtj_file_abort(&f);
    return DWMTJ_SNN_OK;
}

/* ------------------------------------------------------------- checks */

static int check_options(run *r)
{
    const dwmtj_snn_train_options *o = r->o;
    char **e = r->error;
    if (o->kind < DWMTJ_KIND_LIF || o->kind > DWMTJ_KIND_DWMTJ_THERMAL)
        return snn_fail(e, DWMTJ_SNN_ERR_USAGE,
                        "kind %d, expected 0 (lif), 1 (dwmtj), 2 (dwmtj-noisy) or 3 "
                        "(dwmtj-thermal)", o->kind);
    if (o->epochs < 1 || o->epochs > DWMTJ_SNN_TRAIN_MAX_EPOCHS)
        return snn_fail(e, DWMTJ_SNN_ERR_USAGE, "epochs %d, expected 1..%d", o->epochs,
                        DWMTJ_SNN_TRAIN_MAX_EPOCHS);
    if (!o->out || !*o->out)
        return snn_fail(e, DWMTJ_SNN_ERR_USAGE, "out: no network file given");
    if (o->log && !*o->log)
        return snn_fail(e, DWMTJ_SNN_ERR_USAGE, "log: an empty file name");
    if (o->n_hidden < 1 || o->n_hidden > DWMTJ_W_MAX_LAYERS - 1)
        return snn_fail(e, DWMTJ_SNN_ERR_USAGE, "n_hidden %d, expected 1..%d", o->n_hidden,
                        DWMTJ_W_MAX_LAYERS - 1);
    for (int l = 0; l < o->n_hidden; l++)
        if (o->hidden[l] < 1 || o->hidden[l] > DWMTJ_W_MAX_SIZE)
            return snn_fail(e, DWMTJ_SNN_ERR_USAGE, "hidden layer %d: %d neurons, expected 1..%d",
                            l + 1, o->hidden[l], DWMTJ_W_MAX_SIZE);
    if (o->batch < 1 || o->batch > DWMTJ_SNN_TRAIN_MAX_BATCH)
        return snn_fail(e, DWMTJ_SNN_ERR_USAGE, "batch %d, expected 1..%d", o->batch,
                        DWMTJ_SNN_TRAIN_MAX_BATCH);
    if (o->train_images < 0 || o->test_images < 0)
        return snn_fail(e, DWMTJ_SNN_ERR_USAGE, "%s %d, expected 0 (all) or more",
                        o->train_images < 0 ? "train_images" : "test_images",
                        o->train_images < 0 ? o->train_images : o->test_images);
    if (o->downsample < 1 || o->downsample > DWMTJ_DATA_MAX_SIDE)
        return snn_fail(e, DWMTJ_SNN_ERR_USAGE, "downsample %d, expected 1..%d", o->downsample,
                        DWMTJ_DATA_MAX_SIDE);
    if (!(o->lr > 0.0) || !isfinite(o->lr))
        return snn_fail(e, DWMTJ_SNN_ERR_USAGE, "lr %g, expected a finite number > 0", o->lr);
    if (o->threads < 1 || o->threads > DWMTJ_SNN_TRAIN_MAX_THREADS)
        return snn_fail(e, DWMTJ_SNN_ERR_USAGE, "threads %d, expected 1..%d", o->threads,
                        DWMTJ_SNN_TRAIN_MAX_THREADS);
    return DWMTJ_SNN_OK;
}

/* The scalars of the network of these options (the other fields keep
 * dwmtj_weights_alloc's defaults, which the network file records). */
static void set_scalars(const dwmtj_snn_train_options *o, dwmtj_weights *n)
{
    n->kind = o->kind;
    n->steps = o->steps;
    n->dt = o->dt;
    n->input_rate = o->input_rate;
    n->seed = o->seed;
    n->periphery = o->periphery;
    n->cell = o->cell;
    if (o->kind == DWMTJ_KIND_LIF) {
        n->tau_mem = o->tau_mem;
        n->sigma = 0.0;
    } else {
        n->gain = o->gain;
        n->sigma = o->kind == DWMTJ_KIND_DWMTJ_NOISY ? o->sigma : 0.0;
    }
}

/* The scalars against the network file's limits, before the data are
 * read: the messages name the field (dt, gain, ...). */
static int check_scalars(run *r)
{
    static const int one[2] = {1, 1};
    dwmtj_weights n;
    char *msg = NULL;
    if (dwmtj_weights_alloc(&n, 1, one) != DWMTJ_W_OK)
        return snn_fail(r->error, DWMTJ_SNN_ERR_NOMEM, "out of memory");
    set_scalars(r->o, &n);
    int rc = dwmtj_weights_check(&n, &msg);
    dwmtj_weights_free(&n);
    if (rc != DWMTJ_W_OK) {
        rc = snn_fail(r->error, DWMTJ_SNN_ERR_USAGE, "%s",
                      msg ? msg : dwmtj_weights_status_string(rc));
        free(msg);
        return rc;
    }
    return DWMTJ_SNN_OK;
}

/* ------------------------------------------------------------- checkpoint */

static void config_string(const dwmtj_snn_train_options *o, const dwmtj_weights *n, char *s,
                          size_t cap)
{
    size_t k = (size_t)snprintf(s, cap, "neuron=%s,sizes=", dwmtj_kind_names[o->kind]);
    if (k < cap)
        k += sizes_string(n, s + k, cap - k);
    if (k < cap)
        snprintf(s + k, cap - k,
                 ",steps=%d,batch=%d,train=%d,downsample=%d,lr=%.17g,gain=%.17g,dt=%.17g,"
                 "rate=%.17g,tau_mem=%.17g,sigma=%.17g,seed=%" PRIu64,
                 n->steps, o->batch, o->train_images, o->downsample, o->lr, n->gain, n->dt,
                 n->input_rate, n->tau_mem, n->sigma, o->seed);
    /* the ideal periphery and random initial weights add nothing, so that
     * older checkpoints resume */
    k = strlen(s);
    if (n->periphery == DWMTJ_PERIPH_CONTINUOUS && k < cap)
        snprintf(s + k, cap - k, ",periphery=continuous");
    k = strlen(s);
    if (n->periphery == DWMTJ_PERIPH_CELL && k < cap)
        snprintf(s + k, cap - k,
                 ",periphery=cell,i_read=%.17g,i_clear=%.17g,t_clear=%.17g,v_write=%.17g,"
                 "t_write=%.17g,t_start=%.17g",
                 n->cell.i_read, n->cell.i_clear, n->cell.t_clear, n->cell.v_write,
                 n->cell.t_write, n->cell.t_start);
    k = strlen(s);
    /* the cell's fields of format version 3, where they are not the defaults */
    if (n->periphery == DWMTJ_PERIPH_CELL && k < cap && dwmtj_cell_has_cmos_rule(&n->cell))
        snprintf(s + k, cap - k, ",i_neg=%.17g,t_sense=%.17g", n->cell.i_neg, n->cell.t_sense);
    k = strlen(s);
    if (o->init && k < cap)
        snprintf(s + k, cap - k, ",init=%016" PRIx64, params_hash(o->init));
}

static void hwrite(FILE *f, uint64_t *h, const void *p, size_t size, size_t n)
{
    fwrite(p, size, n, f);
    *h = fnv(*h, p, size * n);
}

static int ckpt_save(run *r)
{
    const dwmtj_weights *n = &r->net;
    size_t np = n_params(n);
    char head[CONFIG_MAX + 256];
    snprintf(head, sizeof head, CKPT_MAGIC " %d\nepoch %d\nadam_t %ld\nconfig %s\nparams %zu\n",
             CKPT_VERSION, r->epoch, r->adam.t, r->config, np);
    dwmtj_file f;
    if (dwmtj_file_open(&f, r->ckpt, DWMTJ_FILE_SYNC | DWMTJ_FILE_REGULAR) != DWMTJ_FILE_OK)
        return snn_fail(r->error, DWMTJ_SNN_ERR_OUTPUT, "%s", f.error);
    uint64_t h = FNV0;
    const char *rows = r->logtext + strlen(LOG_HEADER);
    hwrite(f.f, &h, head, 1, strlen(head));
    hwrite(f.f, &h, rows, 1, strlen(rows));
    for (int l = 0; l < n->n_layers; l++) {
        hwrite(f.f, &h, n->w[l], sizeof(float), (size_t)n->size[l] * n->size[l + 1]);
        hwrite(f.f, &h, n->b[l], sizeof(float), (size_t)n->size[l + 1]);
    }
    hwrite(f.f, &h, r->adam.m, sizeof(double), np);
    hwrite(f.f, &h, r->adam.v, sizeof(double), np);
    fwrite(&h, sizeof h, 1, f.f);
    if (dwmtj_file_commit(&f) != DWMTJ_FILE_OK)
        return snn_fail(r->error, DWMTJ_SNN_ERR_OUTPUT, "%s", f.error);
    return DWMTJ_SNN_OK;
}

/* A checkpoint being parsed from memory. */
typedef struct cursor {
    const char *p, *end; /* next byte, end of the text that may hold lines */
    char why[CONFIG_MAX + 512]; /* the first thing wrong, naming the field */
} cursor;

/* The next line (without its newline) into *s, *n; 0 when there is none. */
static int next_line(cursor *c, const char **s, size_t *n, size_t max)
{
    const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p) < max + 1
                                            ? (size_t)(c->end - c->p) : max + 1);
    if (!nl)
        return 0;
    *s = c->p;
    *n = (size_t)(nl - c->p);
    c->p = nl + 1;
    return 1;
}

/* A canonical decimal (digits, no leading zero) of at most max. */
static int canonical(const char *s, size_t n, uint64_t max, uint64_t *v)
{
    if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
        return 0;
    uint64_t x = 0;
    for (size_t k = 0; k < n; k++) {
        if (s[k] < '0' || s[k] > '9')
            return 0;
        unsigned d = (unsigned)(s[k] - '0');
        if (x > (max - d) / 10)
            return 0;
        x = 10 * x + d;
    }
    *v = x;
    return 1;
}

/* The line "name VALUE" with VALUE canonical, 0..max. */
static int field(cursor *c, const char *name, uint64_t max, uint64_t *v)
{
    const char *s;
    size_t n, k = strlen(name);
    if (!next_line(c, &s, &n, 64) || n < k + 1 || memcmp(s, name, k) != 0 || s[k] != ' ') {
        snprintf(c->why, sizeof c->why, "field %s: missing (no line \"%s N\" where it belongs)",
                 name, name);
        return 0;
    }
    if (!canonical(s + k + 1, n - k - 1, max, v)) {
        snprintf(c->why, sizeof c->why,
                 "field %s: '%.*s' is not a whole number from 0 to %" PRIu64
                 " (decimal digits, no sign, no leading zero)",
                 name, (int)(n - k - 1 > 40 ? 40 : n - k - 1), s + k + 1, max);
        return 0;
    }
    return 1;
}

/* Log row e: "e,loss,accuracy,seconds" as this module writes it. */
static int row(cursor *c, int e)
{
    const char *s;
    size_t n;
    if (!next_line(c, &s, &n, ROW_MAX)) {
        snprintf(c->why, sizeof c->why, "log row %d: missing (the header says epoch %d)", e, e);
        return 0;
    }
    char buf[ROW_MAX + 1], *p;
    memcpy(buf, s, n);
    buf[n] = '\0';
    const char *comma = memchr(buf, ',', n);
    uint64_t got;
    int ok = comma && canonical(buf, (size_t)(comma - buf), DWMTJ_SNN_TRAIN_MAX_EPOCHS, &got) &&
             got == (uint64_t)e;
    double v[3];
    p = comma ? (char *)comma : buf;
    for (int k = 0; k < 3 && ok; k++) {
        if (*p != ',') {
            ok = 0;
            break;
        }
        char *q;
        errno = 0;
        v[k] = strtod(p + 1, &q);
        ok = q != p + 1 && errno == 0 && isfinite(v[k]) && v[k] >= 0.0;
        p = q;
    }
    ok = ok && *p == '\0' && v[1] <= 1.0;
    if (!ok)
        snprintf(c->why, sizeof c->why,
                 "log row %d: '%s' is not \"%d,train_loss,test_accuracy,seconds\"", e, buf, e);
    return ok;
}

/* Reads the checkpoint into r (its network and Adam state set up for the
 * options already): r->epoch, the log rows, the weights, the moments. */
static int ckpt_load(run *r)
{
    const char *path = r->ckpt;
    FILE *f = fopen(path, "rb");
    if (!f)
        return snn_fail(r->error, DWMTJ_SNN_ERR_CHECKPOINT, "%s: cannot resume: %s", path,
                        strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return snn_fail(r->error, DWMTJ_SNN_ERR_CHECKPOINT,
                        "%s: cannot resume: not a regular file", path);
    }
    size_t np = n_params(&r->net);
    size_t data = np * (sizeof(float) + 2 * sizeof(double)) + sizeof(uint64_t);
    uint64_t most = 512 + CONFIG_MAX + (uint64_t)DWMTJ_SNN_TRAIN_MAX_EPOCHS * (ROW_MAX + 1) + data;
    if ((uint64_t)st.st_size > most) {
        fclose(f);
        return snn_fail(r->error, DWMTJ_SNN_ERR_CHECKPOINT,
                        "%s: corrupt checkpoint: %jd bytes, more than any checkpoint of this "
                        "network has (%" PRIu64 ")",
                        path, (intmax_t)st.st_size, most);
    }
    size_t size = (size_t)st.st_size;
    char *buf = malloc(size ? size : 1);
    if (!buf) {
        fclose(f);
        return snn_fail(r->error, DWMTJ_SNN_ERR_NOMEM, "%s: out of memory", path);
    }
    size_t got = fread(buf, 1, size, f);
    int rerr = ferror(f);
    fclose(f);
    if (rerr || got != size) {
        free(buf);
        return snn_fail(r->error, DWMTJ_SNN_ERR_CHECKPOINT, "%s: read error", path);
    }
    uint64_t stored = 0;
    if (size >= sizeof stored)
        memcpy(&stored, buf + size - sizeof stored, sizeof stored);
    int hash_ok = size >= sizeof stored && fnv(FNV0, buf, size - sizeof stored) == stored;

    cursor c = {buf, buf + size, ""};
    const char *s;
    size_t n;
    int rc = DWMTJ_SNN_ERR_CHECKPOINT;
    char magic[32];
    snprintf(magic, sizeof magic, CKPT_MAGIC " %d", CKPT_VERSION);
    if (!next_line(&c, &s, &n, 64) || n < sizeof CKPT_MAGIC ||
        memcmp(s, CKPT_MAGIC " ", sizeof CKPT_MAGIC) != 0) {
        free(buf);
        return snn_fail(r->error, rc, "%s: not a dwmtj train checkpoint (no \"%s\" line first)",
                        path, magic);
    }
    if (n == 11 && !memcmp(s, CKPT_MAGIC " 1", 11)) {
        free(buf);
        return snn_fail(r->error, rc,
                        "%s: a checkpoint of format 1, of an older dwmtj, whose checksum does not "
                        "cover its header: it cannot be resumed safely; train again without "
                        "--resume",
                        path);
    }
    if (n != strlen(magic) || memcmp(s, magic, n) != 0) {
        int len = (int)(n - sizeof CKPT_MAGIC > 20 ? 20 : n - sizeof CKPT_MAGIC);
        rc = snn_fail(r->error, rc, "%s: checkpoint format '%.*s'; this build reads format %d",
                      path, len, s + sizeof CKPT_MAGIC, CKPT_VERSION);
        free(buf);
        return rc;
    }
    uint64_t epoch = 0, t = 0, params = 0;
    int ok = field(&c, "epoch", DWMTJ_SNN_TRAIN_MAX_EPOCHS, &epoch) &&
             field(&c, "adam_t", LONG_MAX, &t);
    if (ok && t != epoch * (uint64_t)r->batches) {
        snprintf(c.why, sizeof c.why,
                 "fields epoch and adam_t disagree: %" PRIu64 " epochs of %d batches are %" PRIu64
                 " Adam steps, adam_t is %" PRIu64,
                 epoch, r->batches, epoch * (uint64_t)r->batches, t);
        ok = 0;
    }
    if (ok) {
        if (!next_line(&c, &s, &n, CONFIG_MAX + 8) || n < 7 || memcmp(s, "config ", 7) != 0) {
            snprintf(c.why, sizeof c.why, "field config: missing");
            ok = 0;
        } else if (n - 7 != strlen(r->config) || memcmp(s + 7, r->config, n - 7) != 0) {
            snprintf(c.why, sizeof c.why,
                     "field config: the checkpoint is of other options:\n  checkpoint: %.*s\n"
                     "  now:        %s",
                     (int)(n - 7), s + 7, r->config);
            ok = 0;
        }
    }
    if (ok && field(&c, "params", UINT64_MAX / 32, &params) && params != np) {
        snprintf(c.why, sizeof c.why,
                 "field params: %" PRIu64 ", but the network of these options has %zu", params,
                 np);
        ok = 0;
    } else if (ok && c.why[0]) {
        ok = 0;
    }
    const char *rows = c.p;
    for (int e = 1; ok && (uint64_t)e <= epoch; e++)
        ok = row(&c, e);
    size_t rows_len = (size_t)(c.p - rows);
    if (ok && (size_t)(c.end - c.p) != data) {
        size_t have = (size_t)(c.end - c.p);
        if (have < data)
            snprintf(c.why, sizeof c.why,
                     "truncated: %zu bytes of weights, moments and checksum, of %zu", have, data);
        else
            snprintf(c.why, sizeof c.why, "%zu byte%s more than its header declares",
                     have - data, have - data == 1 ? "" : "s");
        ok = 0;
    }
    if (!ok || !hash_ok) {
        if (!hash_ok)
            rc = snn_fail(r->error, rc, "%s: corrupt checkpoint: checksum mismatch%s%s", path,
                          ok ? "" : "; ", ok ? "" : c.why);
        else
            rc = snn_fail(r->error, rc, "%s: %s", path, c.why);
        free(buf);
        return rc;
    }

    /* as written: the arrays */
    const unsigned char *p = (const unsigned char *)c.p;
    for (int l = 0; l < r->net.n_layers; l++) {
        size_t nw = (size_t)r->net.size[l] * r->net.size[l + 1], nb = (size_t)r->net.size[l + 1];
        memcpy(r->net.w[l], p, nw * sizeof(float));
        p += nw * sizeof(float);
        memcpy(r->net.b[l], p, nb * sizeof(float));
        p += nb * sizeof(float);
    }
    memcpy(r->adam.m, p, np * sizeof(double));
    p += np * sizeof(double);
    memcpy(r->adam.v, p, np * sizeof(double));
    for (size_t k = 0; k < np; k++)
        if (!isfinite(r->adam.m[k]) || !(r->adam.v[k] >= 0.0) || !isfinite(r->adam.v[k])) {
            free(buf);
            return snn_fail(r->error, rc, "%s: Adam moment %zu is not finite", path, k);
        }
    char *err = NULL;
    if (dwmtj_weights_check(&r->net, &err) != DWMTJ_W_OK) {
        rc = snn_fail(r->error, rc, "%s: %s", path, err ? err : "a weight is not finite");
        free(err);
        free(buf);
        return rc;
    }
    r->adam.t = (long)t;
    r->epoch = (int)epoch;
    r->loglen = 0;
    rc = log_append(r, LOG_HEADER);
    if (rc == DWMTJ_SNN_OK && rows_len) {
        char *copy = malloc(rows_len + 1);
        if (!copy)
            rc = snn_fail(r->error, DWMTJ_SNN_ERR_NOMEM, "out of memory");
        else {
            memcpy(copy, rows, rows_len);
            copy[rows_len] = '\0';
            rc = log_append(r, copy);
            free(copy);
        }
    }
    free(buf);
    return rc;
}

/* ------------------------------------------------------------- resume */

static int same_net(const dwmtj_weights *a, const dwmtj_weights *b)
{
    if (a->n_layers != b->n_layers || a->kind != b->kind || a->steps != b->steps ||
        a->seed != b->seed || a->input_side != b->input_side ||
        memcmp(a->size, b->size, sizeof a->size) != 0)
        return 0;
    const double x[5] = {a->dt, a->gain, a->sigma, a->tau_mem, a->input_rate};
    const double y[5] = {b->dt, b->gain, b->sigma, b->tau_mem, b->input_rate};
    if (memcmp(x, y, sizeof x) != 0 || a->periphery != b->periphery ||
        (a->periphery == DWMTJ_PERIPH_CELL && memcmp(&a->cell, &b->cell, sizeof a->cell) != 0))
        return 0;
    for (int l = 0; l < a->n_layers; l++) {
        size_t nw = (size_t)a->size[l] * a->size[l + 1], nb = (size_t)a->size[l + 1];
        if (memcmp(a->w[l], b->w[l], nw * sizeof(float)) != 0 ||
            memcmp(a->b[l], b->b[l], nb * sizeof(float)) != 0)
            return 0;
    }
    return 1;
}

static int save_net(run *r)
{
    char *err = NULL;
    int st = dwmtj_weights_save(&r->net, r->o->out, &err);
    if (st == DWMTJ_W_OK)
        return DWMTJ_SNN_OK;
    int rc = st == DWMTJ_W_ERR_NOMEM   ? DWMTJ_SNN_ERR_NOMEM
             : st == DWMTJ_W_ERR_FILE  ? DWMTJ_SNN_ERR_OUTPUT
                                       : DWMTJ_SNN_ERR_VALUE;
    rc = snn_fail(r->error, rc, "%s", err ? err : dwmtj_weights_status_string(st));
    free(err);
    return rc;
}

/* out must hold the checkpoint's network (when it holds an epoch). */
static int repair_net(run *r)
{
    if (r->epoch == 0)
        return DWMTJ_SNN_OK;
    dwmtj_weights cur;
    char *err = NULL;
    int st = dwmtj_weights_load(&cur, r->o->out, &err);
    int same = st == DWMTJ_W_OK && same_net(&cur, &r->net);
    dwmtj_weights_free(&cur);
    if (same) {
        free(err);
        return DWMTJ_SNN_OK;
    }
    char why[700];
    const char *what = st == DWMTJ_W_OK ? "it holds other weights" : err ? err : "it does not load";
    size_t plen = strlen(r->o->out);
    if (!strncmp(what, r->o->out, plen) && !strncmp(what + plen, ": ", 2))
        what += plen + 2; /* the loader's message names the file: once is enough */
    snprintf(why, sizeof why, "%d (%s)", r->epoch, what);
    free(err);
    int rc = save_net(r);
    if (rc == DWMTJ_SNN_OK)
        rc = note(r, "%s: did not hold the network of the checkpoint's epoch %s; saved again "
                     "from the checkpoint", r->o->out, why);
    return rc;
}

/* The log must be the header and the checkpoint's rows. */
static int repair_log(run *r)
{
    const char *path = r->o->log;
    if (!path)
        return DWMTJ_SNN_OK;
    if (r->log_in_place) /* cannot be read back: the whole log again */
        return log_write(r, 0);
    FILE *f = fopen(path, "rb");
    char *cur = NULL;
    size_t n = 0;
    int exists = f != NULL;
    if (f) {
        cur = malloc(r->loglen + 2);
        if (!cur) {
            fclose(f);
            return snn_fail(r->error, DWMTJ_SNN_ERR_NOMEM, "out of memory");
        }
        n = fread(cur, 1, r->loglen + 1, f); /* one byte more tells a longer file */
        fclose(f);
    }
    if (exists && n == r->loglen && memcmp(cur, r->logtext, n) == 0) {
        free(cur);
        return DWMTJ_SNN_OK;
    }
    char what[160];
    if (!exists)
        snprintf(what, sizeof what, "was missing");
    else if (n > r->loglen && memcmp(cur, r->logtext, r->loglen) == 0)
        snprintf(what, sizeof what, "had rows past epoch %d, of which the checkpoint knows "
                 "nothing; they are dropped", r->epoch);
    else if (n < r->loglen && memcmp(cur, r->logtext, n) == 0)
        snprintf(what, sizeof what, "lacked rows of epochs up to %d", r->epoch);
    else
        snprintf(what, sizeof what, "did not hold the rows of epochs 1..%d", r->epoch);
    free(cur);
    int rc = log_write(r, 0);
    if (rc == DWMTJ_SNN_OK)
        rc = note(r, "%s: %s; written again from the checkpoint", path, what);
    return rc;
}

/* ------------------------------------------------------------- training */

static int snn_error(run *r, int st, const char *fmt, int a, int b, int c)
{
    char where[128];
    snprintf(where, sizeof where, fmt, a, b, c);
    const char *why = dwmtj_snn_error(r->ws);
    return snn_fail(r->error, st, "%s: %s%s%s", where, dwmtj_snn_status_string(st),
                    *why ? ": " : "", why);
}

static int load_data(run *r, int test, dwmtj_dataset *d)
{
    char *err = NULL;
    int rc = dwmtj_dataset_load_dir(d, r->o->data, test, &err);
    if (rc != DWMTJ_DATA_OK) {
        rc = snn_fail(r->error, rc == DWMTJ_DATA_ERR_NOMEM ? DWMTJ_SNN_ERR_NOMEM
                                                           : DWMTJ_SNN_ERR_DATA,
                      "%s", err ? err : dwmtj_data_status_string(rc));
        free(err);
        return rc;
    }
    int f = r->o->downsample;
    if (f > 1 && dwmtj_dataset_downsample(d, f, d) != DWMTJ_DATA_OK)
        return snn_fail(r->error, DWMTJ_SNN_ERR_USAGE,
                        "downsample %d: does not divide the %dx%d images", f, d->rows, d->cols);
    return DWMTJ_SNN_OK;
}

/* The initial weights from o->init, which must be a network of the
 * options: the same shape and the scalars that give the weights their
 * meaning (a weight is gain x spike of the same device at the same clock);
 * the periphery may differ, which is what fine-tuning for the cell does. */
static int take_init(run *r)
{
    const dwmtj_weights *a = r->o->init, *n = &r->net;
    char *msg = NULL;
    if (dwmtj_weights_check(a, &msg) != DWMTJ_W_OK) {
        int rc = snn_fail(r->error, DWMTJ_SNN_ERR_USAGE, "init: %s", msg ? msg : "invalid");
        free(msg);
        return rc;
    }
    int same = a->n_layers == n->n_layers;
    for (int l = 0; same && l <= n->n_layers; l++)
        same = a->size[l] == n->size[l];
    if (!same) {
        char ga[128], gn[128];
        sizes_string(a, ga, sizeof ga);
        sizes_string(n, gn, sizeof gn);
        return snn_fail(r->error, DWMTJ_SNN_ERR_USAGE,
                        "init: a %s network; the options and data give %s", ga, gn);
    }
    struct { const char *name; double a, n; } f[] = {
        { "kind", a->kind, n->kind },         { "steps", a->steps, n->steps },
        { "dt", a->dt, n->dt },               { "gain", a->gain, n->gain },
        { "input_rate", a->input_rate, n->input_rate }, { "sigma", a->sigma, n->sigma },
        { "tau_mem", n->kind == DWMTJ_KIND_LIF ? a->tau_mem : 0.0,
          n->kind == DWMTJ_KIND_LIF ? n->tau_mem : 0.0 },
    };
    for (size_t k = 0; k < sizeof f / sizeof *f; k++)
        if (f[k].a != f[k].n)
            return snn_fail(r->error, DWMTJ_SNN_ERR_USAGE,
                            "init: %s %.17g; the options give %.17g (train with the "
                            "network's own options)",
                            f[k].name, f[k].a, f[k].n);
    for (int l = 0; l < n->n_layers; l++) {
        memcpy(n->w[l], a->w[l], sizeof(float) * (size_t)n->size[l] * n->size[l + 1]);
        memcpy(n->b[l], a->b[l], sizeof(float) * (size_t)n->size[l + 1]);
    }
    return DWMTJ_SNN_OK;
}

/* The network, its gradient, the workspace and Adam for the options. */
static int set_up(run *r, int *n_in)
{
    const dwmtj_snn_train_options *o = r->o;
    int size[DWMTJ_W_MAX_LAYERS + 1], L = o->n_hidden + 1;
    *n_in = r->tr.rows * r->tr.cols;
    size[0] = *n_in;
    for (int l = 0; l < o->n_hidden; l++)
        size[l + 1] = o->hidden[l];
    size[L] = DWMTJ_DATA_CLASSES;
    char *err = NULL;
    int st = dwmtj_weights_check_shape(L, size, &err);
    if (st != DWMTJ_W_OK) {
        char list[96] = "";
        for (int l = 0, k = 0; l < o->n_hidden && k < (int)sizeof list; l++)
            k += snprintf(list + k, sizeof list - (size_t)k, "%s%d", l ? "," : "", o->hidden[l]);
        st = snn_fail(r->error, DWMTJ_SNN_ERR_USAGE, "hidden %s: %s", list,
                      err ? err : dwmtj_weights_status_string(st));
        free(err);
        return st;
    }
    st = dwmtj_weights_alloc(&r->net, L, size);
    if (st == 0)
        st = dwmtj_weights_alloc(&r->grad, L, size);
    if (st != 0)
        return snn_fail(r->error, st == DWMTJ_W_ERR_NOMEM ? DWMTJ_SNN_ERR_NOMEM
                                                         : DWMTJ_SNN_ERR_USAGE,
                        "cannot set up the network: %s", dwmtj_weights_status_string(st));
    set_scalars(o, &r->net);
    r->net.input_side = r->tr.rows == r->tr.cols ? r->tr.rows : 0;
    if (o->init) {
        if ((st = take_init(r)) != 0)
            return st;
    } else if ((st = dwmtj_snn_init_weights(&r->net, o->seed, 1.0)) != 0) {
        return snn_fail(r->error, st, "initial weights: %s", dwmtj_snn_status_string(st));
    }
    if ((st = dwmtj_snn_ws_create(&r->ws, &r->net, o->batch)) != 0)
        return snn_fail(r->error, st, "workspace: %s", dwmtj_snn_status_string(st));
    if ((st = dwmtj_snn_adam_init(&r->adam, &r->net)) != 0)
        return snn_fail(r->error, st, "Adam: %s", dwmtj_snn_status_string(st));
    r->ws->opt.threads = o->threads;
    r->adam.lr = o->lr;
    config_string(o, &r->net, r->config, sizeof r->config);
    r->batches = (o->train_images + o->batch - 1) / o->batch;
    return DWMTJ_SNN_OK;
}

static int epochs(run *r, int n_in)
{
    const dwmtj_snn_train_options *o = r->o;
    int ntr = r->ev.train_images, nte = r->ev.test_images, B = o->batch;
    int *perm = malloc((size_t)ntr * sizeof *perm);
    int *idx = malloc((size_t)B * sizeof *idx), *pred = malloc((size_t)B * sizeof *pred);
    unsigned char *img = malloc((size_t)B * n_in), *lab = malloc((size_t)B);
    int rc = DWMTJ_SNN_OK;
    if (!perm || !idx || !pred || !img || !lab)
        rc = snn_fail(r->error, DWMTJ_SNN_ERR_NOMEM, "out of memory");
    for (int e = r->epoch + 1; e <= o->epochs && rc == DWMTJ_SNN_OK; e++) {
        double t0 = now_s(), loss_sum = 0.0;
        shuffle(perm, ntr, o->seed, e);
        for (int s = 0; s < ntr && rc == DWMTJ_SNN_OK; s += B) {
            int m = ntr - s < B ? ntr - s : B;
            for (int b = 0; b < m; b++) {
                int i = perm[s + b];
                idx[b] = i;
                memcpy(img + (size_t)b * n_in, r->tr.pixels + (size_t)i * n_in, (size_t)n_in);
                lab[b] = r->tr.labels[i];
            }
            double loss;
            int st = dwmtj_snn_loss_grad(r->ws, &r->net, img, idx, m, lab, &loss, &r->grad, NULL);
            if (st == 0)
                st = dwmtj_snn_adam(&r->adam, &r->net, &r->grad);
            if (st != 0)
                rc = snn_error(r, st, "epoch %d, images %d..%d", e, s, s + m - 1);
            else
                loss_sum += loss * m;
        }
        int correct = 0;
        for (int s = 0; s < nte && rc == DWMTJ_SNN_OK; s += B) {
            int m = nte - s < B ? nte - s : B;
            for (int b = 0; b < m; b++)
                idx[b] = DWMTJ_SNN_TEST_KEY0 + s + b;
            int st = dwmtj_snn_forward(r->ws, &r->net, r->te.pixels + (size_t)s * n_in, idx, m,
                                       pred, NULL);
            if (st != 0)
                rc = snn_error(r, st, "epoch %d, test images %d..%d", e, s, s + m - 1);
            for (int b = 0; b < m && st == 0; b++)
                correct += pred[b] == r->te.labels[s + b];
        }
        if (rc != DWMTJ_SNN_OK)
            break;
        r->ev.epoch = e;
        r->ev.loss = loss_sum / ntr;
        r->ev.accuracy = (double)correct / nte;
        r->ev.seconds = now_s() - t0;
        char line[ROW_MAX];
        snprintf(line, sizeof line, "%d,%.6f,%.6f,%.3f\n", e, r->ev.loss, r->ev.accuracy,
                 r->ev.seconds);
        size_t from = r->loglen;
        if ((rc = emit(r, DWMTJ_SNN_TRAIN_TESTED)) != 0 || (rc = save_net(r)) != 0 ||
            (rc = emit(r, DWMTJ_SNN_TRAIN_NET_SAVED)) != 0 || (rc = log_append(r, line)) != 0 ||
            (rc = log_write(r, from)) != 0 || (rc = emit(r, DWMTJ_SNN_TRAIN_LOGGED)) != 0)
            break;
        r->epoch = e;
        if ((rc = ckpt_save(r)) != 0)
            break;
        rc = emit(r, DWMTJ_SNN_TRAIN_EPOCH);
    }
    free(perm);
    free(idx);
    free(pred);
    free(img);
    free(lab);
    return rc;
}

static int train(run *r)
{
    const dwmtj_snn_train_options *o = r->o;
    int rc;
    if ((rc = check_options(r)) != 0 || (rc = check_scalars(r)) != 0)
        return rc;
    r->ev.checkpoint = r->ckpt;
    /* outputs first, so that a bad one fails before the data are read */
    if ((rc = probe(r, o->out)) != 0 || (rc = probe(r, r->ckpt)) != 0)
        return rc;
    struct stat st;
    if (o->log && stat(o->log, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        /* a FIFO, a device, /dev/stdout: written in place as rows come (opened
         * here, as dwmtj_file cannot follow /dev/stdout to a pipe) */
        if (!(r->log_in_place = fopen(o->log, "w")))
            return snn_fail(r->error, DWMTJ_SNN_ERR_OUTPUT, "%s: cannot write: %s", o->log,
                            strerror(errno));
    } else if (o->log && (rc = probe(r, o->log)) != 0) {
        return rc; /* a regular file, replaced whole as each epoch ends */
    }

    if ((rc = load_data(r, 0, &r->tr)) != 0 || (rc = load_data(r, 1, &r->te)) != 0)
        return rc;
    r->ev.train_images = o->train_images ? o->train_images : r->tr.n;
    r->ev.test_images = o->test_images ? o->test_images : r->te.n;
    if (r->ev.train_images > r->tr.n)
        return snn_fail(r->error, DWMTJ_SNN_ERR_USAGE, "train_images %d: the training set has %d",
                        r->ev.train_images, r->tr.n);
    if (r->ev.test_images > r->te.n)
        return snn_fail(r->error, DWMTJ_SNN_ERR_USAGE, "test_images %d: the test set has %d",
                        r->ev.test_images, r->te.n);
    /* the config records the number of training images as the options give it */
    dwmtj_snn_train_options resolved = *o;
    resolved.train_images = r->ev.train_images;
    r->o = &resolved;
    int n_in;
    if ((rc = set_up(r, &n_in)) != 0)
        goto out;
    r->ev.net = &r->net;
    r->ev.batch = o->batch;

    if (o->resume) {
        if ((rc = ckpt_load(r)) != 0 || (rc = repair_net(r)) != 0 || (rc = repair_log(r)) != 0)
            goto out;
        if (r->epoch >= o->epochs) {
            r->ev.epoch = r->epoch;
            rc = emit(r, DWMTJ_SNN_TRAIN_DONE_ALREADY);
            goto out;
        }
    } else {
        /* epoch 0: a kill during epoch 1 leaves a checkpoint to start over from */
        r->epoch = 0;
        if ((rc = log_append(r, LOG_HEADER)) != 0 || (rc = ckpt_save(r)) != 0 ||
            (rc = log_write(r, 0)) != 0)
            goto out;
    }
    r->ev.first_epoch = r->epoch + 1;
    r->ev.epochs = o->epochs;
    r->ev.epoch = r->epoch + 1;
    if ((rc = emit(r, DWMTJ_SNN_TRAIN_BEGIN)) != 0 || (rc = epochs(r, n_in)) != 0)
        goto out;
    if (r->log_in_place) {
        FILE *f = r->log_in_place;
        r->log_in_place = NULL;
        if (fclose(f) != 0)
            rc = snn_fail(r->error, DWMTJ_SNN_ERR_OUTPUT, "%s: write failed: %s", o->log,
                          strerror(errno));
    }
out:
    r->o = o;
    return rc;
}

int dwmtj_snn_train(const dwmtj_snn_train_options *o, dwmtj_snn_train_fn cb, void *userdata,
                    char **error)
{
    if (error)
        *error = NULL;
    if (!o)
        return snn_fail(error, DWMTJ_SNN_ERR_USAGE, "dwmtj_snn_train: no options");
    run r;
    memset(&r, 0, sizeof r);
    r.o = o;
    r.cb = cb;
    r.userdata = userdata;
    r.error = error;
    int rc = DWMTJ_SNN_OK;
    if (o->out && *o->out) {
        size_t n = strlen(o->out);
        if (!(r.ckpt = malloc(n + sizeof ".ckpt")))
            return snn_fail(error, DWMTJ_SNN_ERR_NOMEM, "out of memory");
        memcpy(r.ckpt, o->out, n);
        memcpy(r.ckpt + n, ".ckpt", sizeof ".ckpt");
    }
    rc = train(&r);
    if (r.log_in_place)
        fclose(r.log_in_place);
    free(r.ckpt);
    free(r.logtext);
    dwmtj_snn_adam_free(&r.adam);
    dwmtj_snn_ws_free(r.ws);
    dwmtj_weights_free(&r.grad);
    dwmtj_weights_free(&r.net);
    dwmtj_dataset_free(&r.tr);
    dwmtj_dataset_free(&r.te);
    return rc;
}
