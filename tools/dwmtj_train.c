/* dwmtj train: trains the spiking MLP of snn/ (LIF or DW-MTJ neurons) on
 * Fashion-MNIST with surrogate gradients and Adam, one line and one CSV
 * row per epoch, the network saved after every epoch, resumable.
 *
 * Checkpoint FILE.ckpt (next to --out FILE), written atomically after every
 * epoch before FILE itself.  It holds everything --resume needs, exactly:
 *   text lines  "DWMTJCKPT 1", "epoch E", "adam_t T",
 *               "config K=V,..." (the options that must match on resume),
 *               "params N"
 *   then binary N float32 weights (w then b, layer by layer), N float64
 *   Adam first moments, N float64 second moments (host byte order), and a
 *   64-bit FNV-1a hash of those bytes.
 * (The moments are doubles: storing them as float32 weights files would
 * round them, and the resumed run would no longer match an uninterrupted
 * one bit for bit.) */
#define _POSIX_C_SOURCE 200809L

#include "dwmtj_output.h"
#include "dwmtj_data.h"
#include "dwmtj_snn.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int dwmtj_cmd_train(int argc, char **argv);
void dwmtj_usage_train(FILE *f);

#define SUB "train"

/* per-kind defaults (the scalars tests/check_snn.c trains with) */
#define DEF_DT 0.1e-9
#define DEF_LIF_STEPS 25
#define DEF_LIF_TAU 1e-9
#define DEF_DW_STEPS 100
#define DEF_DW_GAIN 1e-3 /* A; 300 uA leaves a 784-100-100-10 network silent at T = 100 */
#define DEF_RATE 5e9
#define DEF_SIGMA 0.3

void dwmtj_usage_train(FILE *f)
{
    fputs("usage: dwmtj train --neuron lif|dwmtj|dwmtj-noisy --epochs N --seed S --out FILE\n"
          "                   [--hidden 100,100] [--steps T] [--batch B] [--train-images N]\n"
          "                   [--test-images N] [--downsample F] [--lr R] [--gain A] [--log FILE.csv]\n"
          "                   [--resume] [--data DIR] [--threads N]\n"
          "\n"
          "Trains a fully connected spiking network (inputs, hidden..., 10 outputs) on\n"
          "Fashion-MNIST with surrogate gradients through time and Adam.  Every epoch\n"
          "visits the first --train-images training images in a shuffled order that\n"
          "depends only on --seed and the epoch, in minibatches of B, then measures the\n"
          "accuracy on the first --test-images test images; it prints one line (epoch,\n"
          "mean training loss, test accuracy, seconds), appends a row to --log and saves\n"
          "the network to FILE (dwmtj weights format, written atomically) and a\n"
          "checkpoint to FILE.ckpt.\n"
          "\n"
          "options:\n"
          "  --neuron KIND       lif: ideal LIF, tau_mem 1 ns, default T 25;\n"
          "                      dwmtj: the scaled DW-MTJ device, gain 1 mA per unit\n"
          "                      weight, default T 100; dwmtj-noisy: the same with\n"
          "                      velocity noise sigma 0.3.  All: dt 0.1 ns, white pixel\n"
          "                      input rate 5 GHz, surrogate slope k 5\n"
          "  --epochs N          epochs in total (with --resume: including those done)\n"
          "  --seed S            seed of the initial weights, the shuffles and the noise\n"
          "  --out FILE          the trained network\n"
          "  --hidden N,N,...    hidden layer sizes (default 100,100)\n"
          "  --steps T           time steps per image (default by --neuron, above)\n"
          "  --batch B           minibatch size (default 32)\n"
          "  --train-images N    train on the first N training images (default all)\n"
          "  --test-images N     test on the first N test images (default all)\n"
          "  --downsample F      average-pool the images F x F (2: 28x28 -> 14x14;\n"
          "                      default 1)\n"
          "  --lr R              Adam learning rate (default 1e-3)\n"
          "  --gain A            DW-MTJ kinds: current per unit weight x spike in A\n"
          "                      (default 1e-3)\n"
          "  --log FILE.csv      epoch,train_loss,test_accuracy,seconds, a row per epoch\n"
          "                      written as it ends (a new run starts the file anew,\n"
          "                      --resume appends)\n"
          "  --resume            continue from FILE.ckpt with the next epoch; the options\n"
          "                      except --epochs, --test-images, --log and --threads must\n"
          "                      be those of the first run; the result is the same as\n"
          "                      an uninterrupted run's\n"
          "  --data DIR          the data set directory (default: $DWMTJ_FASHION_MNIST,\n"
          "                      else " DWMTJ_FASHION_DEFAULT_DIR ")\n"
          "  --threads N         OpenMP threads (default 1); a run is reproducible bit\n"
          "                      for bit for a given N; other N sum the gradients in\n"
          "                      another order (results differ by rounding)\n"
          "  -h, --help          this help\n"
          "\n"
          "exit status: 0 success, 1 failure (data set missing or corrupt, checkpoint\n"
          "missing, corrupt or of other options, training failed), 2 usage, 3 an\n"
          "output file (--out, its .ckpt, --log, standard output) could not be written.\n",
          f);
}

struct train_opts {
    int kind, epochs, steps, batch, train_images, test_images, downsample, threads;
    int resume;
    int nhidden, hidden[DWMTJ_W_MAX_LAYERS - 1];
    uint64_t seed;
    double lr;
    double gain;  /* A per unit weight x spike, DW-MTJ kinds */
    const char *out, *log, *data;
};

static const char *const kind_names[] = {"lif", "dwmtj", "dwmtj-noisy"};

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
#define FNV0 0xCBF29CE484222325ull

/* ---- parsing ------------------------------------------------------------ */

static int parse_count(const char *opt, const char *v, long hi, int *out)
{
    long x;
    if (dwmtj_parse_int(v, 1, hi, &x) != 0)
        return dwmtj_usage_error(SUB, "%s: not a positive whole number up to %ld: '%s'", opt,
                                 hi, v);
    *out = (int)x;
    return 0;
}

static int parse_hidden(const char *v, struct train_opts *o)
{
    const char *p = v;
    o->nhidden = 0;
    for (;;) {
        char buf[32];
        size_t n = strcspn(p, ",");
        long x;
        if (n == 0 || n >= sizeof buf || o->nhidden == DWMTJ_W_MAX_LAYERS - 1)
            goto bad;
        memcpy(buf, p, n);
        buf[n] = '\0';
        if (dwmtj_parse_int(buf, 1, 100000, &x) != 0)
            goto bad;
        o->hidden[o->nhidden++] = (int)x;
        if (p[n] == '\0')
            return 0;
        p += n + 1;
    }
bad:
    return dwmtj_usage_error(SUB,
                             "--hidden: not 1 to %d positive layer sizes separated by commas: "
                             "'%s'",
                             DWMTJ_W_MAX_LAYERS - 1, v);
}

static int parse_args(int argc, char **argv, struct train_opts *o, int *help)
{
    memset(o, 0, sizeof *o);
    o->kind = -1;
    o->batch = 32;
    o->downsample = 1;
    o->threads = 1;
    o->lr = 1e-3;
    o->nhidden = 2;
    o->hidden[0] = o->hidden[1] = 100;
    int have_seed = 0;
    *help = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        int m, rc = 0;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            *help = 1;
            return 0;
        }
        if (strcmp(a, "--resume") == 0) {
            o->resume = 1;
            continue;
        }
        if (DWMTJ_OPT("--neuron")) {
            DWMTJ_NEED();
            rc = dwmtj_opt_choice(SUB, "--neuron", v, kind_names, 3, &o->kind);
        } else if (DWMTJ_OPT("--epochs")) {
            DWMTJ_NEED();
            rc = parse_count(a, v, 1000000, &o->epochs);
        } else if (DWMTJ_OPT("--seed")) {
            DWMTJ_NEED();
            if (dwmtj_parse_u64(v, &o->seed) != 0)
                return dwmtj_usage_error(SUB, "--seed: not an unsigned integer: '%s'", v);
            have_seed = 1;
        } else if (DWMTJ_OPT("--out")) {
            DWMTJ_NEED();
            o->out = v;
        } else if (DWMTJ_OPT("--log")) {
            DWMTJ_NEED();
            o->log = v;
        } else if (DWMTJ_OPT("--data")) {
            DWMTJ_NEED();
            o->data = v;
        } else if (DWMTJ_OPT("--hidden")) {
            DWMTJ_NEED();
            rc = parse_hidden(v, o);
        } else if (DWMTJ_OPT("--steps")) {
            DWMTJ_NEED();
            rc = parse_count(a, v, 100000, &o->steps);
        } else if (DWMTJ_OPT("--batch")) {
            DWMTJ_NEED();
            rc = parse_count(a, v, 100000, &o->batch);
        } else if (DWMTJ_OPT("--train-images")) {
            DWMTJ_NEED();
            rc = parse_count(a, v, 100000000, &o->train_images);
        } else if (DWMTJ_OPT("--test-images")) {
            DWMTJ_NEED();
            rc = parse_count(a, v, 100000000, &o->test_images);
        } else if (DWMTJ_OPT("--downsample")) {
            DWMTJ_NEED();
            rc = parse_count(a, v, DWMTJ_DATA_MAX_SIDE, &o->downsample);
        } else if (DWMTJ_OPT("--threads")) {
            DWMTJ_NEED();
            rc = parse_count(a, v, 4096, &o->threads);
        } else if (DWMTJ_OPT("--gain")) {
            DWMTJ_NEED();
            if (dwmtj_parse_number(v, &o->gain) != 0 || !(o->gain > 0.0))
                return dwmtj_usage_error(SUB, "--gain: not a positive number: '%s'", v);
        } else if (DWMTJ_OPT("--lr")) {
            DWMTJ_NEED();
            if (dwmtj_parse_number(v, &o->lr) != 0 || !(o->lr > 0.0))
                return dwmtj_usage_error(SUB, "--lr: not a positive number: '%s'", v);
        } else if (a[0] == '-' && a[1] != '\0') {
            return dwmtj_usage_error(SUB, "unknown option '%s'", a);
        } else {
            return dwmtj_usage_error(SUB, "unexpected argument '%s'", a);
        }
        if (rc)
            return rc;
    }
    if (o->kind < 0)
        return dwmtj_usage_error(SUB, "no --neuron given");
    if (o->epochs < 1)
        return dwmtj_usage_error(SUB, "no --epochs given");
    if (!have_seed)
        return dwmtj_usage_error(SUB, "no --seed given");
    if (!o->out || !*o->out)
        return dwmtj_usage_error(SUB, "no --out given");
    if (o->steps == 0)
        o->steps = o->kind == DWMTJ_KIND_LIF ? DEF_LIF_STEPS : DEF_DW_STEPS;
    return 0;
}

/* ---- checkpoint --------------------------------------------------------- */

static void config_string(const struct train_opts *o, const dwmtj_weights *n, char *s,
                          size_t cap)
{
    size_t k = (size_t)snprintf(s, cap, "neuron=%s,sizes=", kind_names[o->kind]);
    for (int l = 0; l <= n->n_layers && k < cap; l++)
        k += (size_t)snprintf(s + k, cap - k, "%s%d", l ? "-" : "", n->size[l]);
    if (k < cap)
        snprintf(s + k, cap - k,
                 ",steps=%d,batch=%d,train=%d,downsample=%d,lr=%.17g,gain=%.17g,seed=%" PRIu64,
                 o->steps, o->batch, o->train_images, o->downsample, o->lr, n->gain, o->seed);
}

static size_t n_params(const dwmtj_weights *n)
{
    size_t p = 0;
    for (int l = 0; l < n->n_layers; l++)
        p += (size_t)n->size[l] * n->size[l + 1] + n->size[l + 1];
    return p;
}

static int ckpt_save(const char *path, int epoch, const char *config, const dwmtj_weights *n,
                     const dwmtj_snn_adam_state *a)
{
    dwmtj_outfile f;
    if (dwmtj_outfile_open(&f, path) != 0)
        return -1;
    size_t np = n_params(n);
    fprintf(f.f, "DWMTJCKPT 1\nepoch %d\nadam_t %ld\nconfig %s\nparams %zu\n", epoch, a->t,
            config, np);
    uint64_t h = FNV0;
    for (int l = 0; l < n->n_layers; l++) {
        size_t nw = (size_t)n->size[l] * n->size[l + 1], nb = (size_t)n->size[l + 1];
        fwrite(n->w[l], sizeof(float), nw, f.f);
        fwrite(n->b[l], sizeof(float), nb, f.f);
        h = fnv(h, n->w[l], nw * sizeof(float));
        h = fnv(h, n->b[l], nb * sizeof(float));
    }
    fwrite(a->m, sizeof(double), np, f.f);
    fwrite(a->v, sizeof(double), np, f.f);
    h = fnv(h, a->m, np * sizeof(double));
    h = fnv(h, a->v, np * sizeof(double));
    fwrite(&h, sizeof h, 1, f.f);
    return dwmtj_outfile_commit(&f);
}

/* Reads path into n and a (shapes set up by the caller); -1 with a message. */
static int ckpt_load(const char *path, const char *config, dwmtj_weights *n,
                     dwmtj_snn_adam_state *a, int *epoch)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        dwmtj_error("%s: cannot resume: %s", path, strerror(errno));
        return -1;
    }
    char line[4096], cfg[4096];
    long t = -1;
    size_t np = 0;
    int ok = fgets(line, sizeof line, f) && strcmp(line, "DWMTJCKPT 1\n") == 0;
    if (!ok) {
        dwmtj_error("%s: not a dwmtj train checkpoint", path);
        fclose(f);
        return -1;
    }
    ok = fgets(line, sizeof line, f) && sscanf(line, "epoch %d", epoch) == 1 && *epoch >= 1 &&
         fgets(line, sizeof line, f) && sscanf(line, "adam_t %ld", &t) == 1 && t >= 0 &&
         fgets(line, sizeof line, f) && sscanf(line, "config %4095s", cfg) == 1 &&
         fgets(line, sizeof line, f) && sscanf(line, "params %zu", &np) == 1;
    if (!ok) {
        dwmtj_error("%s: corrupt checkpoint header", path);
        fclose(f);
        return -1;
    }
    if (strcmp(cfg, config) != 0 || np != n_params(n)) {
        dwmtj_error("%s: the checkpoint is of other options:\n  checkpoint: %s\n  now:        %s",
                    path, cfg, config);
        fclose(f);
        return -1;
    }
    uint64_t h = FNV0, stored;
    for (int l = 0; l < n->n_layers && ok; l++) {
        size_t nw = (size_t)n->size[l] * n->size[l + 1], nb = (size_t)n->size[l + 1];
        ok = fread(n->w[l], sizeof(float), nw, f) == nw && fread(n->b[l], sizeof(float), nb, f) == nb;
        h = fnv(h, n->w[l], nw * sizeof(float));
        h = fnv(h, n->b[l], nb * sizeof(float));
    }
    ok = ok && fread(a->m, sizeof(double), np, f) == np && fread(a->v, sizeof(double), np, f) == np &&
         fread(&stored, sizeof stored, 1, f) == 1 && fgetc(f) == EOF;
    if (ok) {
        h = fnv(h, a->m, np * sizeof(double));
        h = fnv(h, a->v, np * sizeof(double));
    }
    fclose(f);
    if (!ok || h != stored) {
        dwmtj_error("%s: corrupt checkpoint (%s)", path, ok ? "checksum mismatch" : "truncated");
        return -1;
    }
    a->t = t;
    return 0;
}

/* ---- training ----------------------------------------------------------- */

static int load_data(const struct train_opts *o, int test, dwmtj_dataset *d)
{
    char *err = NULL;
    int rc = dwmtj_dataset_load_dir(d, o->data, test, &err);
    if (rc != DWMTJ_DATA_OK) {
        dwmtj_error("%s", err ? err : dwmtj_data_status_string(rc));
        free(err);
        return DWMTJ_EXIT_SIM;
    }
    if (o->downsample > 1 && dwmtj_dataset_downsample(d, o->downsample, d) != DWMTJ_DATA_OK)
        return dwmtj_usage_error(SUB, "--downsample %d: does not divide the %dx%d images",
                                 o->downsample, d->rows, d->cols);
    return 0;
}

static int probe(const char *path)
{
    dwmtj_outfile f;
    if (dwmtj_outfile_open(&f, path) != 0)
        return -1;
    dwmtj_outfile_abort(&f);
    return 0;
}

static int snn_fail(const char *what, int st)
{
    dwmtj_error("%s: %s", what, dwmtj_snn_status_string(st));
    return DWMTJ_EXIT_SIM;
}

int dwmtj_cmd_train(int argc, char **argv)
{
    struct train_opts o;
    int help, code;
    if ((code = parse_args(argc, argv, &o, &help)) != 0)
        return code;
    if (help) {
        dwmtj_usage_train(stdout);
        return fflush(stdout) == 0 ? DWMTJ_EXIT_OK : DWMTJ_EXIT_OUTPUT;
    }

    dwmtj_dataset tr, te;
    dwmtj_weights net, grad;
    dwmtj_snn_adam_state adam;
    dwmtj_snn_ws *ws = NULL;
    FILE *log = NULL;
    int *perm = NULL, *idx = NULL, *pred = NULL;
    unsigned char *img = NULL, *lab = NULL;
    char *ckpt = NULL, config[1024];
    memset(&tr, 0, sizeof tr);
    memset(&te, 0, sizeof te);
    memset(&net, 0, sizeof net);
    memset(&grad, 0, sizeof grad);
    memset(&adam, 0, sizeof adam);

    /* outputs first, so that a bad one fails before the data are read */
    code = DWMTJ_EXIT_OUTPUT;
    size_t plen = strlen(o.out);
    ckpt = malloc(plen + 6);
    if (!ckpt) {
        dwmtj_error("out of memory");
        goto out;
    }
    memcpy(ckpt, o.out, plen);
    memcpy(ckpt + plen, ".ckpt", 6);
    if (probe(o.out) != 0 || probe(ckpt) != 0)
        goto out;
    if (o.log && !(log = fopen(o.log, "a"))) {
        dwmtj_error("%s: cannot write: %s", o.log, strerror(errno));
        goto out;
    }

    if ((code = load_data(&o, 0, &tr)) != 0 || (code = load_data(&o, 1, &te)) != 0)
        goto out;
    code = DWMTJ_EXIT_USAGE;
    if (o.train_images == 0)
        o.train_images = tr.n;
    if (o.test_images == 0)
        o.test_images = te.n;
    if (o.train_images > tr.n) {
        dwmtj_usage_error(SUB, "--train-images %d: the training set has %d", o.train_images, tr.n);
        goto out;
    }
    if (o.test_images > te.n) {
        dwmtj_usage_error(SUB, "--test-images %d: the test set has %d", o.test_images, te.n);
        goto out;
    }

    code = DWMTJ_EXIT_SIM;
    int size[DWMTJ_W_MAX_LAYERS + 1], L = o.nhidden + 1, n_in = tr.rows * tr.cols;
    size[0] = n_in;
    for (int l = 0; l < o.nhidden; l++)
        size[l + 1] = o.hidden[l];
    size[L] = DWMTJ_DATA_CLASSES;
    int st = dwmtj_weights_alloc(&net, L, size);
    if (st == 0)
        st = dwmtj_weights_alloc(&grad, L, size);
    if (st != 0) {
        dwmtj_error("cannot set up the network: %s", dwmtj_weights_status_string(st));
        goto out;
    }
    net.kind = o.kind;
    net.steps = o.steps;
    net.dt = DEF_DT;
    net.input_rate = DEF_RATE;
    net.seed = o.seed;
    net.input_side = tr.rows == tr.cols ? tr.rows : 0;
    if (o.kind == DWMTJ_KIND_LIF) {
        net.tau_mem = DEF_LIF_TAU;
        net.sigma = 0.0;
    } else {
        net.gain = o.gain > 0.0 ? o.gain : DEF_DW_GAIN;
        net.sigma = o.kind == DWMTJ_KIND_DWMTJ_NOISY ? DEF_SIGMA : 0.0;
    }
    if ((st = dwmtj_snn_init_weights(&net, o.seed, 1.0)) != 0)
        code = snn_fail("initial weights", st);
    else if ((st = dwmtj_snn_ws_create(&ws, &net, o.batch)) != 0)
        code = snn_fail("workspace", st);
    else if ((st = dwmtj_snn_adam_init(&adam, &net)) != 0)
        code = snn_fail("Adam", st);
    if (st != 0)
        goto out;
    ws->opt.threads = o.threads;
    adam.lr = o.lr;
    config_string(&o, &net, config, sizeof config);

    int epoch0 = 0;
    if (o.resume) {
        if (ckpt_load(ckpt, config, &net, &adam, &epoch0) != 0)
            goto out;
        if (epoch0 >= o.epochs) {
            printf("%s: %d epochs done already, nothing to do\n", ckpt, epoch0);
            code = fflush(stdout) == 0 ? DWMTJ_EXIT_OK : DWMTJ_EXIT_OUTPUT;
            goto out;
        }
    }
    if (log) {
        code = DWMTJ_EXIT_OUTPUT;
        if (!o.resume && ftruncate(fileno(log), 0) != 0) {
            dwmtj_error("%s: cannot truncate: %s", o.log, strerror(errno));
            goto out;
        }
        /* the stream's offset is the file's length at fopen until it is
         * moved: after the truncation it must be asked again */
        if (fseek(log, 0, SEEK_END) != 0) {
            dwmtj_error("%s: cannot seek: %s", o.log, strerror(errno));
            goto out;
        }
        if (ftell(log) == 0)
            fputs("epoch,train_loss,test_accuracy,seconds\n", log);
        if (fflush(log) != 0) {
            dwmtj_error("%s: write failed: %s", o.log, strerror(errno));
            goto out;
        }
        code = DWMTJ_EXIT_SIM;
    }

    perm = malloc((size_t)o.train_images * sizeof *perm);
    idx = malloc((size_t)o.batch * sizeof *idx);
    pred = malloc((size_t)o.batch * sizeof *pred);
    img = malloc((size_t)o.batch * n_in);
    lab = malloc((size_t)o.batch);
    if (!perm || !idx || !pred || !img || !lab) {
        dwmtj_error("out of memory");
        goto out;
    }
    printf("training %s", kind_names[o.kind]);
    for (int l = 0; l <= L; l++)
        printf("%c%d", l ? '-' : ' ', size[l]);
    printf(", T %d, batch %d, %d training and %d test images, epochs %d..%d\n", o.steps,
           o.batch, o.train_images, o.test_images, epoch0 + 1, o.epochs);
    fflush(stdout);

    for (int e = epoch0 + 1; e <= o.epochs; e++) {
        double t0 = now_s(), loss_sum = 0.0;
        shuffle(perm, o.train_images, o.seed, e);
        for (int s = 0; s < o.train_images; s += o.batch) {
            int m = o.train_images - s < o.batch ? o.train_images - s : o.batch;
            for (int b = 0; b < m; b++) {
                int i = perm[s + b];
                idx[b] = i;
                memcpy(img + (size_t)b * n_in, tr.pixels + (size_t)i * n_in, (size_t)n_in);
                lab[b] = tr.labels[i];
            }
            double loss;
            st = dwmtj_snn_loss_grad(ws, &net, img, idx, m, lab, &loss, &grad, NULL);
            if (st == 0)
                st = dwmtj_snn_adam(&adam, &net, &grad);
            if (st != 0) {
                char what[64];
                snprintf(what, sizeof what, "epoch %d, images %d..%d", e, s, s + m - 1);
                code = snn_fail(what, st);
                goto out;
            }
            loss_sum += loss * m;
        }
        int correct = 0;
        for (int s = 0; s < o.test_images; s += o.batch) {
            int m = o.test_images - s < o.batch ? o.test_images - s : o.batch;
            for (int b = 0; b < m; b++)
                idx[b] = DWMTJ_SNN_TEST_KEY0 + s + b;
            st = dwmtj_snn_forward(ws, &net, te.pixels + (size_t)s * n_in, idx, m, pred, NULL);
            if (st != 0) {
                code = snn_fail("test", st);
                goto out;
            }
            for (int b = 0; b < m; b++)
                correct += pred[b] == te.labels[s + b];
        }
        double loss = loss_sum / o.train_images, acc = (double)correct / o.test_images;
        double secs = now_s() - t0;

        code = DWMTJ_EXIT_OUTPUT;
        char *err = NULL;
        if (ckpt_save(ckpt, e, config, &net, &adam) != 0)
            goto out;
        if ((st = dwmtj_weights_save(&net, o.out, &err)) != 0) {
            dwmtj_error("%s", err ? err : dwmtj_weights_status_string(st));
            free(err);
            goto out;
        }
        printf("epoch %d/%d  loss %.4f  test accuracy %.2f %%  %.1f s\n", e, o.epochs, loss,
               100.0 * acc, secs);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            dwmtj_error("cannot write to standard output");
            goto out;
        }
        if (log) {
            fprintf(log, "%d,%.6f,%.6f,%.3f\n", e, loss, acc, secs);
            if (fflush(log) != 0 || ferror(log)) {
                dwmtj_error("%s: write failed: %s", o.log, strerror(errno));
                goto out;
            }
        }
        code = DWMTJ_EXIT_SIM;
    }
    code = DWMTJ_EXIT_OK;
out:
    if (log && fclose(log) != 0 && code == DWMTJ_EXIT_OK) {
        dwmtj_error("%s: write failed: %s", o.log, strerror(errno));
        code = DWMTJ_EXIT_OUTPUT;
    }
    free(perm);
    free(idx);
    free(pred);
    free(img);
    free(lab);
    free(ckpt);
    dwmtj_snn_adam_free(&adam);
    dwmtj_snn_ws_free(ws);
    dwmtj_weights_free(&grad);
    dwmtj_weights_free(&net);
    dwmtj_dataset_free(&tr);
    dwmtj_dataset_free(&te);
    return code;
}
