/* dwmtj train: the command line of snn's training loop (dwmtj_snn_train,
 * snn/train.c): options, messages, exit codes.  One line per epoch on
 * standard output.
 *
 * Test hook: DWMTJ_TRAIN_CRASH_AT=STAGE:EPOCH makes the process SIGKILL
 * itself at that stage of that epoch (STAGE: begin, tested, net, log,
 * epoch; see enum dwmtj_snn_train_stage), as a crash there would end it;
 * tests/check_cli.c resumes such runs. */
#define _POSIX_C_SOURCE 200809L

#include "dwmtj_output.h"
#include "dwmtj_data.h"
#include "dwmtj_file.h"
#include "dwmtj_infer.h"
#include "dwmtj_snn.h"

#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

int dwmtj_cmd_train(int argc, char **argv);
void dwmtj_usage_train(FILE *f);

#define SUB "train"

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
    fputs("usage: dwmtj train --neuron lif|dwmtj|dwmtj-noisy|dwmtj-thermal --epochs N --seed S\n"
          "                   --out FILE\n"
          "                   [--hidden 100,100] [--steps T] [--batch B] [--train-images N]\n"
          "                   [--test-images N] [--downsample F] [--lr R] [--gain A] [--log FILE.csv]\n"
          "                   [--resume] [--data DIR] [--threads N]\n"
          "                   [--periphery ideal|cell|continuous|cmos]\n"
          "                   [--init NET]\n"
          "\n"
          "Trains a fully connected spiking network (inputs, hidden..., 10 outputs) on\n"
          "Fashion-MNIST with surrogate gradients through time and Adam.  Every epoch\n"
          "visits the first --train-images training images in a shuffled order that\n"
          "depends only on --seed and the epoch, in minibatches of B, then measures the\n"
          "accuracy on the first --test-images test images; it prints one line (epoch,\n"
          "mean training loss, test accuracy, seconds), appends a row to --log and saves\n"
          "the network to FILE (dwmtj weights format) and a checkpoint to FILE.ckpt,\n"
          "each file written whole.\n"
          "\n"
          "options:\n"
          "  --neuron KIND       lif: ideal LIF, tau_mem 1 ns, default T 25;\n"
          "                      dwmtj: the scaled DW-MTJ device, gain 1 mA per unit\n"
          "                      weight, default T 100; dwmtj-noisy: the same with\n"
          "                      velocity noise sigma 0.3; dwmtj-thermal: the\n"
          "                      scaled-thermal device (thermal model, pinned, heated),\n"
          "                      drive clamp 100 uA (doc/operating-point.md), default\n"
          "                      T 100.  All: dt 0.1 ns, white pixel\n"
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
          "                      (default 1e-3, at most 1)\n"
          "  --log FILE.csv      epoch,train_loss,test_accuracy,seconds, a row per epoch\n"
          "                      (the file is replaced whole as each epoch ends; a new\n"
          "                      run starts it anew, --resume goes on with it)\n"
          "  --resume            continue from FILE.ckpt with the next epoch; the options\n"
          "                      except --epochs, --test-images, --log and --threads must\n"
          "                      be those of the first run; FILE and the log are first\n"
          "                      made to hold what the checkpoint holds; the result is\n"
          "                      the same as an uninterrupted run's, however the run\n"
          "                      before ended\n"
          "  --data DIR          the data set directory (default: $DWMTJ_FASHION_MNIST,\n"
          "                      else " DWMTJ_FASHION_DEFAULT_DIR ")\n"
          "  --periphery P       DW-MTJ kinds: the rule the neurons follow, recorded in\n"
          "                      FILE: ideal (default; the write inside the device at\n"
          "                      the clock edge, drive clamped at the edges), cell\n"
          "                      (the neuron cell of doc/cell.md: continuous clamp,\n"
          "                      fire sensed at MTJ_B, clear and write from the\n"
          "                      neuron's own reset, with the dead time they take) or\n"
          "                      continuous (ideal with the drive clamped continuously,\n"
          "                      as dwmtj infer's ideal circuit clamps it) or cmos (the\n"
          "                      cell as the cmos cell's macromodel has it: its negative\n"
          "                      limit, clear, sense delay and write width, from\n"
          "                      $DWMTJ_CELLDIR/cell_cmos_macro.txt, default\n"
          "                      " DWMTJ_CELLDIR ")\n"
          "  --init NET          start from the weights and biases of the network file\n"
          "                      NET instead of random ones (fine-tuning, e.g. an ideal\n"
          "                      network for --periphery cell); NET must have the\n"
          "                      shape, --neuron, --steps and --gain of this run;\n"
          "                      --resume needs the same NET\n"
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

/* dwmtj_periphery, then PERIPH_CMOS: the cell with the cmos macromodel's rule */
static const char *const periphery_names[] = {"ideal", "cell", "continuous", "cmos"};
#define PERIPH_CMOS 3

/* ---- parsing ------------------------------------------------------------ */

/* What the command line gave; 0 / NULL where it gave nothing. */
struct train_args {
    int kind;            /* -1 until --neuron */
    int epochs, steps, batch, train_images, test_images, downsample, threads;
    int resume;
    int periphery;       /* dwmtj_periphery; ideal unless --periphery */
    int have_hidden, nhidden, hidden[DWMTJ_W_MAX_LAYERS - 1];
    int have_seed;
    uint64_t seed;
    double lr, gain;     /* lr 1; gain A; 0 = not given */
    const char *out, *log, *data;
    const char *init;    /* --init: network file of the initial weights */
};

static int parse_count(const char *opt, const char *v, long hi, int *out)
{
    long x;
    if (dwmtj_parse_int(v, 1, hi, &x) != 0)
        return dwmtj_usage_error(SUB, "%s: not a positive whole number up to %ld: '%s'", opt,
                                 hi, v);
    *out = (int)x;
    return 0;
}

static int parse_hidden(const char *v, struct train_args *o)
{
    const char *p = v;
    o->nhidden = 0;
    o->have_hidden = 1;
    for (;;) {
        char buf[32];
        size_t n = strcspn(p, ",");
        long x;
        if (n == 0 || n >= sizeof buf || o->nhidden == DWMTJ_W_MAX_LAYERS - 1)
            goto bad;
        memcpy(buf, p, n);
        buf[n] = '\0';
        if (dwmtj_parse_int(buf, 1, DWMTJ_W_MAX_SIZE, &x) != 0)
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

enum {
    OPT_NEURON = 256, OPT_EPOCHS, OPT_SEED, OPT_OUT, OPT_LOG, OPT_DATA, OPT_HIDDEN, OPT_STEPS,
    OPT_BATCH, OPT_TRAIN, OPT_TEST, OPT_DOWNSAMPLE, OPT_THREADS, OPT_GAIN, OPT_LR, OPT_RESUME,
    OPT_PERIPHERY, OPT_INIT
};

static const struct option long_opts[] = {
    {"neuron", required_argument, NULL, OPT_NEURON},
    {"epochs", required_argument, NULL, OPT_EPOCHS},
    {"seed", required_argument, NULL, OPT_SEED},
    {"out", required_argument, NULL, OPT_OUT},
    {"log", required_argument, NULL, OPT_LOG},
    {"data", required_argument, NULL, OPT_DATA},
    {"hidden", required_argument, NULL, OPT_HIDDEN},
    {"steps", required_argument, NULL, OPT_STEPS},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"train-images", required_argument, NULL, OPT_TRAIN},
    {"test-images", required_argument, NULL, OPT_TEST},
    {"downsample", required_argument, NULL, OPT_DOWNSAMPLE},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"gain", required_argument, NULL, OPT_GAIN},
    {"lr", required_argument, NULL, OPT_LR},
    {"resume", no_argument, NULL, OPT_RESUME},
    {"periphery", required_argument, NULL, OPT_PERIPHERY},
    {"init", required_argument, NULL, OPT_INIT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

static const char *opt_name(int val)
{
    for (const struct option *p = long_opts; p->name; p++)
        if (p->val == val)
            return p->name;
    return "?";
}

static int parse_args(int argc, char **argv, struct train_args *o, int *help)
{
    memset(o, 0, sizeof *o);
    o->kind = -1;
    *help = 0;
    opterr = 0; /* the messages are ours */
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
        const char *v = optarg;
        char opt[32];
        snprintf(opt, sizeof opt, "--%s", opt_name(c));
        int rc = 0;
        switch (c) {
        case 'h':
            *help = 1;
            return 0;
        case OPT_RESUME: o->resume = 1; break;
        case OPT_NEURON:
            rc = dwmtj_opt_choice(SUB, "--neuron", v, dwmtj_kind_names, DWMTJ_KIND_COUNT, &o->kind);
            break;
        case OPT_PERIPHERY:
            rc = dwmtj_opt_choice(SUB, "--periphery", v, periphery_names, 4, &o->periphery);
            break;
        case OPT_EPOCHS: rc = parse_count(opt, v, DWMTJ_SNN_TRAIN_MAX_EPOCHS, &o->epochs); break;
        case OPT_SEED:
            if (dwmtj_parse_u64(v, &o->seed) != 0)
                return dwmtj_usage_error(SUB, "--seed: not an unsigned integer: '%s'", v);
            o->have_seed = 1;
            break;
        case OPT_OUT: o->out = v; break;
        case OPT_LOG: o->log = v; break;
        case OPT_DATA: o->data = v; break;
        case OPT_INIT: o->init = v; break;
        case OPT_HIDDEN: rc = parse_hidden(v, o); break;
        case OPT_STEPS: rc = parse_count(opt, v, DWMTJ_W_MAX_STEPS, &o->steps); break;
        case OPT_BATCH: rc = parse_count(opt, v, DWMTJ_SNN_TRAIN_MAX_BATCH, &o->batch); break;
        case OPT_TRAIN: rc = parse_count(opt, v, 100000000, &o->train_images); break;
        case OPT_TEST: rc = parse_count(opt, v, 100000000, &o->test_images); break;
        case OPT_DOWNSAMPLE: rc = parse_count(opt, v, DWMTJ_DATA_MAX_SIDE, &o->downsample); break;
        case OPT_THREADS: rc = parse_count(opt, v, DWMTJ_SNN_TRAIN_MAX_THREADS, &o->threads); break;
        case OPT_GAIN:
            if (dwmtj_parse_number(v, &o->gain) != 0 || !(o->gain > 0.0))
                return dwmtj_usage_error(SUB, "--gain: not a positive number: '%s'", v);
            break;
        case OPT_LR:
            if (dwmtj_parse_number(v, &o->lr) != 0 || !(o->lr > 0.0))
                return dwmtj_usage_error(SUB, "--lr: not a positive number: '%s'", v);
            break;
        case ':':
            dwmtj_error("%s: option --%s needs a value", SUB, opt_name(optopt));
            return dwmtj_usage_hint(SUB);
        default: /* '?' */
            if (optopt && optopt < 256 && optopt != '?')
                return dwmtj_usage_error(SUB, "unknown option '-%c'", optopt);
            if (strchr(argv[optind - 1], '=') &&
                (!strncmp(argv[optind - 1], "--resume=", 9) || !strncmp(argv[optind - 1], "--help=", 7)))
                return dwmtj_usage_error(SUB, "option '%.*s' takes no value",
                                         (int)strcspn(argv[optind - 1], "="), argv[optind - 1]);
            return dwmtj_usage_error(SUB, "unknown option '%s'", argv[optind - 1]);
        }
        if (rc)
            return rc;
    }
    if (optind < argc)
        return dwmtj_usage_error(SUB, "unexpected argument '%s'", argv[optind]);
    if (o->kind < 0)
        return dwmtj_usage_error(SUB, "no --neuron given");
    if (o->epochs < 1)
        return dwmtj_usage_error(SUB, "no --epochs given");
    if (!o->have_seed)
        return dwmtj_usage_error(SUB, "no --seed given");
    if (!o->out || !*o->out)
        return dwmtj_usage_error(SUB, "no --out given");
    return 0;
}

/* The library's options: its defaults for the kind, then what was given. */
static void to_options(const struct train_args *a, dwmtj_snn_train_options *o)
{
    dwmtj_snn_train_defaults(o, a->kind);
    o->epochs = a->epochs;
    o->seed = a->seed;
    o->out = a->out;
    o->log = a->log;
    o->data = a->data;
    o->resume = a->resume;
    o->periphery = a->periphery == PERIPH_CMOS ? DWMTJ_PERIPH_CELL : a->periphery;
    if (a->have_hidden) {
        o->n_hidden = a->nhidden;
        memcpy(o->hidden, a->hidden, sizeof o->hidden);
    }
    if (a->steps)
        o->steps = a->steps;
    if (a->batch)
        o->batch = a->batch;
    o->train_images = a->train_images;
    o->test_images = a->test_images;
    if (a->downsample)
        o->downsample = a->downsample;
    if (a->threads)
        o->threads = a->threads;
    if (a->lr > 0.0)
        o->lr = a->lr;
    if (a->gain > 0.0)
        o->gain = a->gain;
}

/* ---- progress ----------------------------------------------------------- */

struct progress {
    int kind;
    int crash_stage, crash_epoch; /* DWMTJ_TRAIN_CRASH_AT, -1 none */
    int code;                     /* exit code when the callback stopped the run */
};

static const char *const stage_names[] = {"begin", "tested", "net", "log", "epoch"};

static int crash_at(struct progress *p)
{
    p->crash_stage = p->crash_epoch = -1;
    const char *v = getenv("DWMTJ_TRAIN_CRASH_AT");
    if (!v || !*v)
        return 0;
    const char *colon = strchr(v, ':');
    long e;
    for (int k = 0; colon && k < 5; k++)
        if ((size_t)(colon - v) == strlen(stage_names[k]) &&
            !strncmp(v, stage_names[k], (size_t)(colon - v)) &&
            dwmtj_parse_int(colon + 1, 1, DWMTJ_SNN_TRAIN_MAX_EPOCHS, &e) == 0) {
            p->crash_stage = k;
            p->crash_epoch = (int)e;
            return 0;
        }
    return dwmtj_usage_error(SUB, "DWMTJ_TRAIN_CRASH_AT: not STAGE:EPOCH with STAGE one of "
                                  "begin, tested, net, log, epoch: '%s'", v);
}

static int on_event(const dwmtj_snn_train_event *ev, void *userdata)
{
    struct progress *p = userdata;
    const dwmtj_weights *n = ev->net;
    switch (ev->stage) {
    case DWMTJ_SNN_TRAIN_BEGIN:
        printf("training %s", dwmtj_kind_names[p->kind]);
        for (int l = 0; l <= n->n_layers; l++)
            printf("%c%d", l ? '-' : ' ', n->size[l]);
        if (n->kind != DWMTJ_KIND_LIF)
            printf(", periphery %s", dwmtj_periphery_name(n->periphery));
        if (n->periphery == DWMTJ_PERIPH_CELL && dwmtj_cell_has_cmos_rule(&n->cell))
            printf(" (the cmos macromodel's rule: negative limit %g A, sense delay %g s, clear "
                   "%g A for %g s, write %g s)", n->cell.i_neg, n->cell.t_sense,
                   n->cell.i_clear, n->cell.t_clear, n->cell.t_write);
        printf(", T %d, batch %d, %d training and %d test images, epochs %d..%d\n", n->steps,
               ev->batch, ev->train_images, ev->test_images, ev->first_epoch, ev->epochs);
        break;
    case DWMTJ_SNN_TRAIN_EPOCH:
        printf("epoch %d/%d  loss %.4f  test accuracy %.2f %%  %.1f s\n", ev->epoch, ev->epochs,
               ev->loss, 100.0 * ev->accuracy, ev->seconds);
        break;
    case DWMTJ_SNN_TRAIN_DONE_ALREADY:
        printf("%s: %d epochs done already, nothing to do\n", ev->checkpoint, ev->epoch);
        break;
    case DWMTJ_SNN_TRAIN_REPAIRED:
        fflush(stdout);
        fprintf(stderr, DWMTJ_TOOL ": " SUB ": %s\n", ev->note);
        break;
    default:
        break;
    }
    if (ev->stage == p->crash_stage && ev->epoch == p->crash_epoch)
        raise(SIGKILL); /* a crash right here: no clean-up, no flush */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        dwmtj_error("cannot write to standard output");
        p->code = DWMTJ_EXIT_OUTPUT;
        return 1;
    }
    return 0;
}

int dwmtj_cmd_train(int argc, char **argv)
{
    struct train_args a;
    int help, code;
    if ((code = parse_args(argc, argv, &a, &help)) != 0)
        return code;
    if (help) {
        dwmtj_usage_train(stdout);
        return fflush(stdout) == 0 ? DWMTJ_EXIT_OK : DWMTJ_EXIT_OUTPUT;
    }
    struct progress p = {a.kind, -1, -1, DWMTJ_EXIT_OK};
    if ((code = crash_at(&p)) != 0)
        return code;
    dwmtj_out_signals(); /* an interrupted run leaves no .part file behind */

    dwmtj_snn_train_options o;
    to_options(&a, &o);
    char *err = NULL;
    if (a.periphery == PERIPH_CMOS &&
        dwmtj_infer_cmos_rule(dwmtj_cell_dir(), dwmtj_snn_default_i_max(a.kind), &o.cell,
                              &err) != 0) {
        dwmtj_error("--periphery cmos: %s", err ? err : "the cmos macromodel cannot be read");
        free(err);
        return DWMTJ_EXIT_SIM;
    }
    dwmtj_weights init = {0};
    if (a.init) {
        if (dwmtj_weights_load(&init, a.init, &err) != DWMTJ_W_OK) {
            dwmtj_error("--init: %s", err ? err : "cannot load the network");
            free(err);
            return DWMTJ_EXIT_SIM;
        }
        o.init = &init;
    }
    int rc = dwmtj_snn_train(&o, on_event, &p, &err);
    dwmtj_weights_free(&init);
    const char *msg = err ? err : dwmtj_snn_status_string(rc);
    if (a.init && err && !strncmp(err, "init: ", 6)) {
        dwmtj_error("--init %s: %s", a.init, err + 6);
        free(err);
        return DWMTJ_EXIT_SIM;
    }
    switch (rc) {
    case DWMTJ_SNN_OK:
        code = fflush(stdout) == 0 && !ferror(stdout) ? DWMTJ_EXIT_OK : DWMTJ_EXIT_OUTPUT;
        break;
    case DWMTJ_SNN_ERR_STOPPED: code = p.code; break;
    case DWMTJ_SNN_ERR_USAGE: code = dwmtj_usage_error(SUB, "%s", msg); break;
    case DWMTJ_SNN_ERR_OUTPUT:
        dwmtj_error("%s", msg);
        code = DWMTJ_EXIT_OUTPUT;
        break;
    default:
        dwmtj_error("%s", msg);
        code = DWMTJ_EXIT_SIM;
        break;
    }
    free(err);
    return code;
}
