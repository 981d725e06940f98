/* dwmtj infer: a trained DW-MTJ network on Fashion-MNIST test images at
 * circuit level (crossbars and dwmtj4t neurons in libngspice), against the
 * network's own (algorithm-level) prediction on the same images. */
#define _POSIX_C_SOURCE 200809L

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "dwmtj_output.h"

#include "dwmtj_data.h"
#include "dwmtj_infer.h"
#include "dwmtj_snn.h"
#include "dwmtj_weights.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_MPI
#include <mpi.h>
#endif

#define SUB "infer"

#ifndef DWMTJ_NETDIR
#define DWMTJ_NETDIR "/usr/local/share/dwmtj4t/networks"
#endif
/* trained with the ideal circuit's own rule (--periphery continuous):
 * the network and its circuit agree on every test image (doc/training.md) */
#define DEFAULT_NET "dwmtj-fmnist-continuous.net"

void dwmtj_usage_infer(FILE *f)
{
    fputs("usage: dwmtj infer [--net FILE] [--images N] [--offset K] [--backend B]\n"
          "                   [--json] [--results FILE.csv [--resume | --overwrite]]\n"
          "                   [--levels N] [--g-min S] [--g-max S] [--v-read V]\n"
          "                   [--i-max A] [--batch B]\n"
          "                   [--naive] [--network-clamp edges|continuous]\n"
          "                   [--periphery ideal|behavioural|cmos|cmos-macro]\n"
          "                   [--klu-steps ngspice|exact|neuron] [--allow-unsafe]\n"
          "                   [--no-reference]\n"
          "                   [--tmax S] [--data DIR] [--cm PATH] [--timeout S]\n"
          "\n"
          "Runs a trained DW-MTJ spiking network at circuit level: each layer is a\n"
          "crossbar of differential conductance pairs driven by the input spikes as\n"
          "pulse trains, with dwmtj4t neurons behind their periphery: ideal (a\n"
          "current mirror and the device's clocked write) or the behavioural cell\n"
          "of doc/cell.md at the device's terminals (doc/inference.md).  Test images K..K+N-1 go\n"
          "through the circuit simulator layer by layer; the same images go through the\n"
          "network itself (the algorithm level), and the report gives accuracy,\n"
          "agreement of the two predictions, spikes, energy per inference and per\n"
          "spike, latency per inference and seconds per image.\n"
          "\n"
#ifdef HAVE_MPI
          "Under mpirun (mpirun -np K dwmtj infer ...) the images are shared out over\n"
          "the K processes; rank 0 writes the results and the report, the same as\n"
          "one process's.\n"
          "\n"
#endif
          "options:\n"
          "  --net FILE       trained network (dwmtj weights format); default: the\n"
          "                   shipped DW-MTJ network trained with the ideal circuit's\n"
          "                   rule, $DWMTJ_NETDIR/" DEFAULT_NET "\n"
          "                   (DWMTJ_NETDIR defaults to " DWMTJ_NETDIR ")\n"
          "  --images N       number of test images (default 10)\n"
          "  --offset K       first test image (default 0)\n"
          "  --backend NAME   ngspice (default: the decks through libngspice) or klu\n"
          "                   (the same decks through the exact KLU engine,\n"
          "                   doc/engine.md; ~1000x faster)\n"
          "  --json           the report as JSON on standard output\n"
          "  --results FILE   one CSV row per image, written as each image ends\n"
          "  --resume         continue the run of --results FILE: images already in\n"
          "                   it are not run again (same network and options needed)\n"
          "  --overwrite      replace --results FILE when it is not empty (without\n"
          "                   --resume or --overwrite such a file is refused)\n"
          "  --levels N       conductance levels per device, 2..65536 (default:\n"
          "                   continuous)\n"
          "  --g-min S        conductance window, low end, > 0 (default 1u)\n"
          "  --g-max S        conductance window, high end, above --g-min and at\n"
          "                   most 1 S (default 20u)\n"
          "  --v-read V       input pulse amplitude, 1 mV to 10 V (default 0.1)\n"
          "  --i-max A        drive clamp of the periphery and of the algorithm-level\n"
          "                   reference, > 0 (default 200u, the trained network's)\n"
          "  --periphery P    ideal (the network's idealised mode: a mirror, the\n"
          "                   code model's clocked write, its fire counter) or\n"
          "                   behavioural (the cell of doc/cell.md: spikes read from\n"
          "                   its comparator, writes from each neuron's reset) or\n"
          "                   cmos (the same cell in BSIM4 45 nm transistors,\n"
          "                   doc/cell-cmos.md; ngspice only, slow: about a minute\n"
          "                   per image and 10 neurons; an ideal gain from the\n"
          "                   column pair into it) or cmos-macro (its macromodel,\n"
          "                   both backends: the behavioural cell at the cmos\n"
          "                   cell's clamp, clear, sense delay and fitted write\n"
          "                   width, each block's energy from its static power and\n"
          "                   energy per spike: netlists/cell_cmos_macro.txt, from\n"
          "                   scripts/cmos-macro); default: the one the network\n"
          "                   was trained for (ideal for a version 1 file); the\n"
          "                   cmos cell's files (and the macromodel's) are read\n"
          "                   from $DWMTJ_CELLDIR\n"
          "                   (default " DWMTJ_CELLDIR ")\n"
          "  --klu-steps S    klu backend time points: neuron (default: each neuron on\n"
          "                   its own exact points, every switch of its clamp: the\n"
          "                   continuous circuit's answer; doc/engine.md), exact (the\n"
          "                   same answer on points shared by all neurons, slower)\n"
          "                   or ngspice (ngspice's own points: the ngspice backend's\n"
          "                   discretised circuit, same spikes); a cell's logic at\n"
          "                   the exact points at least (ngspice: the shared ones)\n"
          "  --network-clamp R  how the algorithm-level reference clamps the drive\n"
          "                   within a step: edges (default, the training rule: a\n"
          "                   line between clamped values) or continuous (the\n"
          "                   circuit's: the clamp of the line; doc/inference.md)\n"
          "  --allow-unsafe   run an operating point outside the device's safe\n"
          "                   operating area (track current density above j_max or\n"
          "                   a barrier voltage above v_bd, doc/operating-point.md);\n"
          "                   without it such a point stops before any run, naming\n"
          "                   the quantity and its limit; the report says so\n"
          "  --no-reference   do not run the network itself (the algorithm level):\n"
          "                   no algorithm accuracy and no agreement, the rows'\n"
          "                   algorithm_pred -1; by default it runs, and its own\n"
          "                   seconds per image are reported apart from the circuit's\n"
          "  --batch B        images per parse of a layer's circuit (default 1; a\n"
          "                   deck leaves out the word lines silent in its images;\n"
          "                   at most --images)\n"
          "  --naive          the unoptimised ngspice path (a deck per image and\n"
          "                   layer, device step limit, all vectors saved), for\n"
          "                   benchmarks\n"
          "  --data DIR       the data set (default $DWMTJ_FASHION_MNIST, else\n"
          "                   " DWMTJ_FASHION_DEFAULT_DIR ")\n"
          "  --cm PATH        the code model (default $DWMTJ_CM, else installed)\n"
          "  --timeout S      wall-time limit of one layer's transient\n"
          "  --tmax S         largest time step of the transients, > 0 (default and\n"
          "                   at most: the clock period): ngspice's step, nearer\n"
          "                   the continuous circuit when small (doc/engine.md,\n"
          "                   Parity); the cmos periphery's default is 2 ps\n"
          "  -h, --help       this help\n"
          "\n"
          "exit status: 0 success, 1 failure (network or data set missing or\n"
          "corrupt, a simulation failed, results file of another run), 2 usage,\n"
          "3 an output could not be written.\n",
          f);
}

struct infer_opts {
    const char *net, *results, *data, *cm;
    int images, offset, resume, json;
    int overwrite;  /* --overwrite: replace an existing --results file */
    int clamp_ramp; /* the reference network's drive rule (dwmtj_snn_options) */
    int no_ref;     /* --no-reference: the network itself is not run, no agreement */
    int periphery;  /* DWMTJ_INFER_PERIPH_IDEAL, _BEHAVIOURAL, _CMOS or _CMOS_MACRO:
                       o.periphery resolved for the network */
    dwmtj_infer_options o;
};

enum {
    O_NET = 0x100,
    O_RESULTS,
    O_RESUME,
    O_OVERWRITE,
    O_ALLOW_UNSAFE,
    O_NO_REFERENCE,
    O_DATA,
    O_CM,
    O_JSON,
    O_NAIVE,
    O_BACKEND,
    O_IMAGES,
    O_OFFSET,
    O_LEVELS,
    O_BATCH,
    O_G_MIN,
    O_G_MAX,
    O_V_READ,
    O_I_MAX,
    O_KLU_STEPS,
    O_NETWORK_CLAMP,
    O_PERIPHERY,
    O_TIMEOUT,
    O_TMAX
};

static const struct option infer_options[] = {
    { "net", required_argument, NULL, O_NET },
    { "results", required_argument, NULL, O_RESULTS },
    { "resume", no_argument, NULL, O_RESUME },
    { "overwrite", no_argument, NULL, O_OVERWRITE },
    { "allow-unsafe", no_argument, NULL, O_ALLOW_UNSAFE },
    { "no-reference", no_argument, NULL, O_NO_REFERENCE },
    { "data", required_argument, NULL, O_DATA },
    { "cm", required_argument, NULL, O_CM },
    { "json", no_argument, NULL, O_JSON },
    { "naive", no_argument, NULL, O_NAIVE },
    { "backend", required_argument, NULL, O_BACKEND },
    { "images", required_argument, NULL, O_IMAGES },
    { "offset", required_argument, NULL, O_OFFSET },
    { "levels", required_argument, NULL, O_LEVELS },
    { "batch", required_argument, NULL, O_BATCH },
    { "g-min", required_argument, NULL, O_G_MIN },
    { "g-max", required_argument, NULL, O_G_MAX },
    { "v-read", required_argument, NULL, O_V_READ },
    { "i-max", required_argument, NULL, O_I_MAX },
    { "klu-steps", required_argument, NULL, O_KLU_STEPS },
    { "network-clamp", required_argument, NULL, O_NETWORK_CLAMP },
    { "periphery", required_argument, NULL, O_PERIPHERY },
    { "timeout", required_argument, NULL, O_TIMEOUT },
    { "tmax", required_argument, NULL, O_TMAX },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

static int parse_args(int argc, char **argv, struct infer_opts *a, int *help)
{
    static const char *const backends[] = { "ngspice", "klu" }; /* DWMTJ_INFER_* */
    static const char *const rules[] = { "edges", "continuous" };
    static const char *const peripheries[] = { "ideal", "behavioural", "cmos",
                                                "cmos-macro" }; /* DWMTJ_INFER_PERIPH_* */
    memset(a, 0, sizeof *a);
    dwmtj_infer_defaults(&a->o);
    a->o.cell_dir = dwmtj_cell_dir();
    a->images = 10;
    *help = 0;
    int c, rc = 0;
    const char *v, *g_min_arg = NULL, *g_max_arg = NULL; /* as given, for messages */
    dwmtj_getopt_start();
    while ((c = getopt_long(argc, argv, "-:h", infer_options, NULL)) != -1) {
        v = optarg;
        switch (c) {
        case 'h': *help = 1; return 0;
        case '?':
        case ':': return dwmtj_getopt_error(SUB, c, argv, infer_options);
        case 1: return dwmtj_usage_error(SUB, "unexpected argument '%s'", v);
        case O_NET: a->net = v; break;
        case O_RESULTS: a->results = v; break;
        case O_RESUME: a->resume = 1; break;
        case O_OVERWRITE: a->overwrite = 1; break;
        case O_ALLOW_UNSAFE: a->o.allow_unsafe = 1; break;
        case O_NO_REFERENCE: a->no_ref = 1; break;
        case O_DATA: a->data = v; break;
        case O_CM: a->cm = v; break;
        case O_JSON: a->json = 1; break;
        case O_NAIVE: a->o.naive = 1; break;
        case O_BACKEND:
            rc = dwmtj_opt_choice(SUB, "--backend", v, backends, 2, &a->o.backend);
            break;
        case O_KLU_STEPS:
            rc = dwmtj_opt_choice(SUB, "--klu-steps", v, dwmtj_infer_steps_names,
                                  DWMTJ_INFER_STEPS_COUNT, &a->o.klu_steps);
            break;
        case O_PERIPHERY:
            rc = dwmtj_opt_choice(SUB, "--periphery", v, peripheries, 4, &a->o.periphery);
            break;
        case O_NETWORK_CLAMP:
            rc = dwmtj_opt_choice(SUB, "--network-clamp", v, rules, 2, &a->clamp_ramp);
            break;
        case O_IMAGES: rc = dwmtj_opt_int(SUB, "--images", v, 1, 10000000, &a->images); break;
        case O_OFFSET: rc = dwmtj_opt_int(SUB, "--offset", v, 0, 10000000, &a->offset); break;
        case O_LEVELS: rc = dwmtj_opt_int(SUB, "--levels", v, 2, 65536, &a->o.levels); break;
        case O_BATCH: rc = dwmtj_opt_int(SUB, "--batch", v, 1, 10000000, &a->o.batch); break;
        /* ranges a circuit can take: a conductance (the cell's) of at most
         * 1 S, a read pulse from 1 mV (the sense currents far above
         * ngspice's 1 pA abstol) to 10 V; --g-max > --g-min below */
        case O_G_MIN:
            rc = dwmtj_opt_number(SUB, "--g-min", v, 0.0, INFINITY, DWMTJ_ABOVE, "S",
                                  &a->o.g_min);
            g_min_arg = v;
            break;
        case O_G_MAX:
            rc = dwmtj_opt_number(SUB, "--g-max", v, 0.0, 1.0, DWMTJ_ABOVE, "S", &a->o.g_max);
            g_max_arg = v;
            break;
        case O_V_READ:
            rc = dwmtj_opt_number(SUB, "--v-read", v, 1e-3, 10.0, 0, "V", &a->o.v_read);
            break;
        case O_I_MAX:
            rc = dwmtj_opt_number(SUB, "--i-max", v, 0.0, INFINITY, DWMTJ_ABOVE, "A",
                                  &a->o.i_max);
            break;
        case O_TIMEOUT:
            rc = dwmtj_opt_number(SUB, "--timeout", v, 0.0, INFINITY, DWMTJ_ABOVE, "s",
                                  &a->o.timeout_s);
            break;
        case O_TMAX:
            rc = dwmtj_opt_number(SUB, "--tmax", v, 0.0, 1e-6, DWMTJ_ABOVE, "s", &a->o.tmax);
            break;
        default: return dwmtj_usage_error(SUB, "option %d not handled", c);
        }
        if (rc != 0)
            return rc;
    }
    if (optind < argc)
        return dwmtj_usage_error(SUB, "unexpected argument '%s'", argv[optind]);
    if (!(a->o.g_max > a->o.g_min)) {
        if (g_max_arg)
            return dwmtj_usage_error(SUB, "--g-max %s: must be above --g-min (%g S)", g_max_arg,
                                     a->o.g_min);
        return dwmtj_usage_error(SUB, "--g-min %s: must be below --g-max (%g S)", g_min_arg,
                                 a->o.g_max);
    }
    /* a batch is never more than the run: the buffers are sized by it */
    if (a->o.batch > a->images)
        a->o.batch = a->images;
    if (a->resume && !a->results)
        return dwmtj_usage_error(SUB, "--resume needs --results FILE");
    if (a->overwrite && !a->results)
        return dwmtj_usage_error(SUB, "--overwrite needs --results FILE");
    if (a->resume && a->overwrite)
        return dwmtj_usage_error(SUB, "--resume continues the run of --results FILE, "
                                      "--overwrite starts it anew: not both");
    return 0;
}

/* ---- the results file ----------------------------------------------------- */

/* One image's row; the energies of dwmtj_infer_result. */
struct row {
    int image, label, pred, apred, spikes;
    double energy, e_x, e_d, e_w;
    double e_m, e_c, e_s, e_wd, e_st; /* J, mirror, clear, sense, write driver, static */
    double bal;                       /* 1, energy conservation (energy_balance) */
    double seconds;
};

/* A row's fields in file order: six integers, then the numbers of this
 * table, one list for the header, the reader, the checks and the writer. */
#define ROW_INTS 6
static const char *const row_ints[ROW_INTS] = { "image", "label",  "pred",
                                                "algorithm_pred", "agree", "spikes" };
static const struct row_num {
    const char *name;
    size_t off;    /* of its double in struct row */
    int digits;    /* written %.*g */
    int signed_ok; /* may be negative: what a source of the cell delivers (the read
                      bias absorbs energy where a negative drive pulls B below
                      ground, doc/inference.md) */
} row_nums[] = {
    { "energy_J", offsetof(struct row, energy), 9, 0 },
    { "energy_crossbar_J", offsetof(struct row, e_x), 9, 0 },
    { "energy_device_J", offsetof(struct row, e_d), 9, 0 },
    { "energy_write_J", offsetof(struct row, e_w), 9, 0 },
    { "energy_mirror_J", offsetof(struct row, e_m), 9, 1 },
    { "energy_clear_J", offsetof(struct row, e_c), 9, 1 },
    { "energy_sense_J", offsetof(struct row, e_s), 9, 1 },
    { "energy_write_driver_J", offsetof(struct row, e_wd), 9, 1 },
    { "energy_static_J", offsetof(struct row, e_st), 9, 0 },
    { "energy_balance", offsetof(struct row, bal), 3, 0 },
    { "seconds", offsetof(struct row, seconds), 6, 0 },
};
#define ROW_NUMS ((int)(sizeof row_nums / sizeof *row_nums))
#define ROW_FIELDS (ROW_INTS + ROW_NUMS)

static double *row_num(struct row *r, int k)
{
    return (double *)((char *)r + row_nums[k].off);
}

static double row_value(const struct row *r, int k)
{
    return *(const double *)((const char *)r + row_nums[k].off);
}

/* The header line, the fields' names joined by commas. */
static const char *results_header(void)
{
    static char buf[512];
    if (!buf[0]) {
        size_t at = 0;
        for (int k = 0; k < ROW_FIELDS; k++)
            at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%s", k ? "," : "",
                                   k < ROW_INTS ? row_ints[k] : row_nums[k - ROW_INTS].name);
    }
    return buf;
}

#define FNV_OFFSET 0xcbf29ce484222325ULL

/* FNV-1a of h continued over the file's bytes; 0 if it cannot be read. */
static uint64_t file_hash_from(uint64_t h, const char *path)
{
    FILE *f = fopen(path, "rb");
    int c;
    if (!f)
        return 0;
    while ((c = getc(f)) != EOF)
        h = (h ^ (uint64_t)(unsigned char)c) * 0x100000001b3ULL;
    fclose(f);
    return h;
}

/* FNV-1a of the network file: ties a results file to its network. */
static uint64_t file_hash(const char *path) { return file_hash_from(FNV_OFFSET, path); }

/* FNV-1a over the files the periphery's cell is built from (the cmos
 * cell's cards and subcircuit, the macromodel's values), in their order:
 * ties a results file to the cell; 0 when there are none. */
static uint64_t cell_hash(const struct infer_opts *a)
{
    const char *const *file = dwmtj_infer_periphery_files(a->periphery);
    uint64_t h = file[0] ? FNV_OFFSET : 0;
    for (int k = 0; file[k] && h; k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", a->o.cell_dir ? a->o.cell_dir : ".", file[k]);
        h = file_hash_from(h, path);
    }
    return h;
}

static void config_line(char *buf, size_t n, uint64_t hash, const struct infer_opts *a)
{
    const dwmtj_infer_options *o = &a->o;
    char tmax_word[40] = ""; /* said only when set, so older files still resume */
    if (o->tmax > 0.0)
        snprintf(tmax_word, sizeof tmax_word, " tmax=%.17g", o->tmax);
    int cellp = a->periphery != DWMTJ_INFER_PERIPH_IDEAL;
    int ks = dwmtj_infer_klu_steps_for(o, a->periphery);
    /* only the cmos and cmos-macro cells are built from files (stop 31:
     * their results files from before do not resume) */
    char cell_word[40] = "";
    uint64_t ch = cell_hash(a);
    if (ch)
        snprintf(cell_word, sizeof cell_word, " cell=%016" PRIx64, ch);
    snprintf(buf, n,
             "# dwmtj infer: net=%016" PRIx64 " g_min=%.17g g_max=%.17g levels=%d v_read=%.17g "
             "i_max=%.17g naive=%d key0=%d periphery=%s%s%s%s%s%s%s energy=lines",
             hash, o->g_min, o->g_max, o->levels, o->v_read, o->i_max, o->naive,
             DWMTJ_SNN_TEST_KEY0, dwmtj_infer_periphery_name(a->periphery), cell_word,
             o->backend == DWMTJ_INFER_KLU ? " backend=klu" : "",
             a->clamp_ramp ? " network_clamp=continuous" : "",
             /* a cell's runs at the shared exact points say none (all of
              * them did before stop 31) */
             o->backend != DWMTJ_INFER_KLU || ks == DWMTJ_INFER_STEPS_NGSPICE ||
                     (cellp && ks == DWMTJ_INFER_STEPS_EXACT)
                 ? ""
             : ks == DWMTJ_INFER_STEPS_EXACT ? " klu_steps=exact"
                                             : " klu_steps=neuron",
             a->no_ref ? " reference=0" : "", tmax_word);
    /* energy=lines: libdwmtj's device energy integrates v.i with both
     * linear on each step (stop 21, doc/model.md); rows of the trapezoid
     * before it are not summed with these: such a file does not resume */
}

/* What the rows of a results file must be for this run: its images
 * first..first+count-1, each once, with the data set's label, classes
 * below the network's outputs. */
struct row_rules {
    int first, count;            /* the run's images (--offset, --images) */
    const unsigned char *labels; /* the test set's labels, by image */
    int classes;                 /* the network's outputs */
    int reference;               /* 0: --no-reference, algorithm_pred -1 */
};

/* A whole decimal int field; 0 on success. */
static int int_field(const char *s, int *v)
{
    char *end;
    errno = 0;
    long x = strtol(s, &end, 10);
    if (end == s || *end || errno == ERANGE || x < INT_MIN || x > INT_MAX ||
        !(isdigit((unsigned char)*s) || *s == '-'))
        return -1;
    *v = (int)x;
    return 0;
}

/* A whole decimal number field (strtod syntax, nan and inf included, so
 * that the rules can name them); 0 on success. */
static int num_field(const char *s, double *v)
{
    char *end;
    if (!*s || isspace((unsigned char)*s))
        return -1;
    *v = strtod(s, &end);
    return end == s || *end ? -1 : 0;
}

/* Parses line into *r; 0, or -1 with what is wrong in why (the row's
 * form: a garbled or cut line). */
static int parse_row(char *line, struct row *r, int *agree, char *why, size_t n)
{
    int *ints[ROW_INTS] = { &r->image, &r->label, &r->pred, &r->apred, agree, &r->spikes };
    char *p = line;
    for (int k = 0; k < ROW_FIELDS; k++) {
        char *field = p;
        size_t len = strcspn(p, ",");
        int last = p[len] == '\0';
        p[len] = '\0';
        p += len + !last;
        if (last != (k == ROW_FIELDS - 1)) {
            snprintf(why, n, "%s than %d fields", last ? "fewer" : "more", ROW_FIELDS);
            return -1;
        }
        int bad = k < ROW_INTS ? int_field(field, ints[k])
                               : num_field(field, row_num(r, k - ROW_INTS));
        if (bad) {
            snprintf(why, n, "%s '%.40s' is not a number",
                     k < ROW_INTS ? row_ints[k] : row_nums[k - ROW_INTS].name, field);
            return -1;
        }
    }
    return 0;
}

/* The values of a parsed row against the rules; 0, or -1 with why. */
static int check_row(const struct row *r, int agree, const struct row_rules *u, char *why,
                     size_t n)
{
    if (r->image < u->first || r->image >= u->first + u->count) {
        snprintf(why, n, "image %d is outside this run's images %d..%d (--offset %d --images %d)",
                 r->image, u->first, u->first + u->count - 1, u->first, u->count);
        return -1;
    }
    if (r->label != u->labels[r->image]) {
        snprintf(why, n, "label %d, but test image %d is labelled %d (another data set?)",
                 r->label, r->image, u->labels[r->image]);
        return -1;
    }
    const int cls[2] = { r->pred, r->apred };
    static const char *const cls_name[2] = { "pred", "algorithm_pred" };
    if (!u->reference && r->apred != -1) {
        snprintf(why, n, "algorithm_pred %d in a run without the network (--no-reference: -1)",
                 r->apred);
        return -1;
    }
    for (int k = 0; k < 1 + u->reference; k++)
        if (cls[k] < 0 || cls[k] >= u->classes) {
            snprintf(why, n, "%s %d is not a class of the network (0..%d)", cls_name[k], cls[k],
                     u->classes - 1);
            return -1;
        }
    if (agree != (r->pred == r->apred)) {
        snprintf(why, n, "agree %d, but pred %d and algorithm_pred %d", agree, r->pred,
                 r->apred);
        return -1;
    }
    if (r->spikes < 0) {
        snprintf(why, n, "spikes %d: must be >= 0", r->spikes);
        return -1;
    }
    for (int k = 0; k < ROW_NUMS; k++) {
        double e = row_value(r, k);
        int signed_ok = row_nums[k].signed_ok;
        if (!(isfinite(e) && (signed_ok || e >= 0.0))) {
            snprintf(why, n, "%s %g: must be a finite number%s", row_nums[k].name, e,
                     signed_ok ? "" : " >= 0");
            return -1;
        }
    }
    /* the parts are written with 9 digits each */
    double sum = r->e_x + r->e_d + r->e_w;
    if (fabs(r->energy - sum) > 1e-8 * fmax(r->energy, sum)) {
        snprintf(why, n, "energy_J %.9g is not the sum of its parts (%.9g)", r->energy, sum);
        return -1;
    }
    return 0;
}

/* Reads the rows of a previous run (*rows malloc'd) and checks each
 * against the rules: -1 with a message naming the file and line when the
 * file is of another run or a row is wrong.  The last line alone may be
 * cut short or garbled (a run killed while writing it): it is dropped
 * with a note, and its image runs again.  A missing file is empty. */
static int read_results(const char *path, const char *config, const struct row_rules *u,
                        struct row **rows, int *n)
{
    *rows = NULL;
    *n = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT)
            return 0;
        dwmtj_error("%s: cannot read: %s", path, strerror(errno));
        return -1;
    }
    int *seen = calloc((size_t)u->count, sizeof *seen); /* line of each image's row */
    char *line = NULL, why[256];
    size_t cap_line = 0;
    ssize_t len;
    int ln = 0, cap = 0, rc = 0;
    if (!seen) {
        dwmtj_error("out of memory");
        rc = -1;
    }
    while (rc == 0 && (len = getline(&line, &cap_line, f)) >= 0) {
        ln++;
        int whole = len > 0 && line[len - 1] == '\n';
        line[strcspn(line, "\r\n")] = '\0';
        if (ln == 1) {
            if (strcmp(line, config) != 0) {
                dwmtj_error("%s: results of another network or options; cannot resume\n"
                            "  file: %s\n  now:  %s", path, line, config);
                rc = -1;
            }
            continue;
        }
        if (ln == 2) {
            if (strcmp(line, results_header()) != 0 || !whole) {
                dwmtj_error("%s:2: not a dwmtj infer results header; cannot resume", path);
                rc = -1;
            }
            continue;
        }
        struct row r;
        int agree, form = parse_row(line, &r, &agree, why, sizeof why);
        if (!whole && form == 0)
            snprintf(why, sizeof why, "no end of line");
        if (form != 0 || !whole) {
            int c = getc(f);
            if (c == EOF && !ferror(f)) { /* the last line: cut short by an interruption */
                dwmtj_error("%s:%d: the last row is incomplete (%s): dropped, its image "
                            "runs again", path, ln, why);
                break;
            }
            dwmtj_error("%s:%d: malformed row: %s; cannot resume", path, ln, why);
            rc = -1;
            break;
        }
        if (check_row(&r, agree, u, why, sizeof why) != 0) {
            dwmtj_error("%s:%d: %s; cannot resume", path, ln, why);
            rc = -1;
            break;
        }
        int *at = &seen[r.image - u->first];
        if (*at) {
            dwmtj_error("%s:%d: image %d again (its row is line %d); cannot resume", path, ln,
                        r.image, *at);
            rc = -1;
            break;
        }
        *at = ln;
        if (*n == cap) {
            cap = cap ? 2 * cap : 256;
            struct row *g = realloc(*rows, sizeof **rows * (size_t)cap);
            if (!g) {
                dwmtj_error("out of memory");
                rc = -1;
                break;
            }
            *rows = g;
        }
        (*rows)[(*n)++] = r;
    }
    if (rc == 0 && ferror(f)) {
        dwmtj_error("%s: cannot read: %s", path, strerror(errno));
        rc = -1;
    }
    fclose(f);
    free(line);
    free(seen);
    if (ln == 1 && rc == 0) {
        dwmtj_error("%s: no header row; cannot resume", path);
        rc = -1;
    }
    if (rc != 0) {
        free(*rows);
        *rows = NULL;
        *n = 0;
    }
    return rc;
}

static void write_row(FILE *f, const struct row *r)
{
    fprintf(f, "%d,%d,%d,%d,%d,%d", r->image, r->label, r->pred, r->apred, r->pred == r->apred,
            r->spikes);
    for (int k = 0; k < ROW_NUMS; k++)
        fprintf(f, ",%.*g", row_nums[k].digits, row_value(r, k));
    fputc('\n', f);
}

/* 1 if path is (or links to) a regular file with something in it: what a
 * new run would replace. */
static int holds_data(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

/* Writes the config line, the header and the rows kept into res, an open
 * output file (dwmtj_outfile), and completes it: the stream the rows of
 * this run are then appended to.  A regular file (or a link to one) is
 * replaced whole first and the stream continues the new file; a device or
 * FIFO stays open in place and the stream is res's own (committed at the
 * end).  NULL with a message on failure (res aborted). */
static FILE *start_results(dwmtj_outfile *res, const char *config, const struct row *rows,
                           int n)
{
    fprintf(res->f, "%s\n%s\n", config, results_header());
    for (int k = 0; k < n; k++)
        write_row(res->f, &rows[k]);
    if (!res->part) {
        if (fflush(res->f) == 0)
            return res->f;
        dwmtj_error("%s: cannot write: %s", res->path, strerror(errno));
        return NULL;
    }
    /* after the rename this descriptor is the new file's, at its end */
    int fd = dup(fileno(res->f));
    if (fd < 0) {
        dwmtj_error("%s: cannot write: %s", res->path, strerror(errno));
        dwmtj_outfile_abort(res);
        return NULL;
    }
    if (dwmtj_outfile_commit(res) != 0) {
        close(fd);
        return NULL;
    }
    FILE *f = fdopen(fd, "a");
    if (!f) {
        dwmtj_error("cannot append to the results: %s", strerror(errno));
        close(fd);
    }
    return f;
}

/* ---- the run --------------------------------------------------------------- */

static int load_net(const char *path, dwmtj_weights *net)
{
    char *err = NULL;
    int rc = dwmtj_weights_load(net, path, &err);
    if (rc != DWMTJ_W_OK) {
        dwmtj_error("%s", err ? err : dwmtj_weights_status_string(rc));
        free(err);
        return -1;
    }
    return 0;
}

static int load_test(const char *dir, const dwmtj_weights *net, dwmtj_dataset *d)
{
    char *err = NULL;
    int rc = dwmtj_dataset_load_dir(d, dir, 1, &err);
    if (rc != DWMTJ_DATA_OK) {
        dwmtj_error("%s", err ? err : dwmtj_data_status_string(rc));
        free(err);
        return -1;
    }
    int side = net->input_side > 0 ? net->input_side : d->rows;
    if (side != d->rows && (d->rows % side != 0 ||
                            dwmtj_dataset_downsample(d, d->rows / side, d) != DWMTJ_DATA_OK)) {
        dwmtj_error("the network takes %dx%d images; the data set has %dx%d", side, side,
                    d->rows, d->cols);
        return -1;
    }
    if (d->rows * d->cols != net->size[0]) {
        dwmtj_error("the network has %d inputs; the images have %d pixels", net->size[0],
                    d->rows * d->cols);
        return -1;
    }
    return 0;
}

struct totals {
    int n, correct, a_correct, agree, spikes;
    int n_ref;                        /* rows with the network's class (not --no-reference) */
    double ref_seconds;               /* s, wall time of the network on this rank */
    int n_ref_timed;                  /* images it timed */
    double energy, e_x, e_d, e_w, seconds;
    double e_m, e_c, e_s, e_wd, e_st; /* J, sums of the rows' components */
    double bal;                       /* 1, the worst row's energy_balance */
    int n_timed;
};

static void add_row(struct totals *t, const struct row *r)
{
    t->n++;
    t->correct += r->pred == r->label;
    t->n_ref += r->apred >= 0;
    t->a_correct += r->apred >= 0 && r->apred == r->label;
    t->agree += r->apred >= 0 && r->pred == r->apred;
    t->spikes += r->spikes;
    t->energy += r->energy;
    t->e_x += r->e_x;
    t->e_d += r->e_d;
    t->e_w += r->e_w;
    t->e_m += r->e_m;
    t->e_c += r->e_c;
    t->e_s += r->e_s;
    t->e_wd += r->e_wd;
    t->e_st += r->e_st;
    t->bal = fmax(t->bal, r->bal);
    if (r->seconds > 0.0) {
        t->seconds += r->seconds;
        t->n_timed++;
    }
}

/* The device warnings of the run: how many, and the first. */
struct warned {
    int n;
    char first[1024];
};

/* ranks: processes of the run; wall: s, wall time of the whole run;
 * t_sense: s, the sense delay inside the window (dwmtj_infer_sense_delay). */
static void report(const struct infer_opts *a, const char *net_path, const dwmtj_weights *net,
                   const dwmtj_infer_soa *op, /* as checked before the run */
                   const struct totals *t, const char *ngver, int ranks, double wall,
                   const struct warned *w, double t_sense)
{
    /* a run that warned succeeded: the user is told what it warned */
    if (w->n > 0)
        dwmtj_error("warning: %d device warning%s in the run; the first: %s%s", w->n,
                    w->n == 1 ? "" : "s", w->first,
                    /* ngspice's steps are the deck's to choose; the code model
                     * reports libdwmtj's own text for the status */
                    a->o.backend == DWMTJ_INFER_NGSPICE &&
                            strstr(w->first, dwmtj_status_string(DWMTJ_WARN_UNSEEN))
                        ? "; --tmax S makes ngspice's steps at most S (the clock period by "
                          "default)"
                        : "");
    double n = t->n > 0 ? t->n : 1;
    long syn = 0;
    for (int l = 0; l < net->n_layers; l++)
        syn += (long)(net->size[l] + 1) * net->size[l + 1];
    double spi = t->n_timed ? t->seconds / t->n_timed : NAN;
    /* the network's own cost, apart (rank 0's images: it runs per rank) */
    double rspi = t->n_ref_timed ? t->ref_seconds / t->n_ref_timed : NAN;
    /* latency: the layers run pipelined one clock apart and the decision
     * is taken at the end of the output layer's window; the sense (an
     * ideal comparator) and the writes (the initial one, and each spike's
     * clear and write) happen inside the clock periods */
    double lat = (net->steps + net->n_layers - 1) * net->dt;
    int cellp = a->periphery != DWMTJ_INFER_PERIPH_IDEAL; /* a cell, either level */
    int cmos = a->periphery == DWMTJ_INFER_PERIPH_CMOS;
    int macro = a->periphery == DWMTJ_INFER_PERIPH_CMOS_MACRO;
    int rule = dwmtj_infer_network_rule(&a->o, net); /* the reference's */
    double t_init = cellp ? net->cell.t_start + net->cell.t_write : 0.0;
    double t_dead = cellp ? net->cell.t_clear + net->cell.t_write : 0.0;
    /* what the sources deliver: crossbar drivers and the periphery's */
    const double comp[7] = { t->e_x, t->e_m, t->e_c, t->e_d, t->e_s, t->e_wd, t->e_st };
    static const char *const comp_name[7] = { "crossbar", "mirror", "clear", "device",
                                              "sense", "write_driver", "static" };
    double supplied = t->e_x + t->e_m + t->e_c + t->e_s + t->e_wd + t->e_st;
    double ns_syn = spi / ((double)syn * net->steps) * 1e9;
    if (a->json) {
        dwmtj_json j;
        dwmtj_json_init(&j, stdout, 1);
        dwmtj_json_object(&j, NULL);
        dwmtj_json_str(&j, "backend", ngver ? "ngspice" : "klu");
        dwmtj_json_str(&j, "periphery", dwmtj_infer_periphery_name(a->periphery));
        dwmtj_json_str(&j, "network_rule", dwmtj_periphery_name(rule));
        dwmtj_json_str(&j, "trained_for", dwmtj_periphery_name(net->periphery));
        if (ngver)
            dwmtj_json_str(&j, "ngspice_version", ngver);
        dwmtj_json_str(&j, "net", net_path);
        dwmtj_json_int(&j, "images", t->n);
        dwmtj_json_int(&j, "offset", a->offset);
        dwmtj_json_num(&j, "accuracy", t->correct / n);
        dwmtj_json_num(&j, "algorithm_accuracy", t->n_ref ? t->a_correct / n : NAN);
        dwmtj_json_num(&j, "agreement", t->n_ref ? t->agree / n : NAN);
        dwmtj_json_int(&j, "reference", !a->no_ref);
        dwmtj_json_num(&j, "spikes_per_inference", t->spikes / n);
        dwmtj_json_num(&j, "energy_per_inference_J", t->energy / n);
        dwmtj_json_num(&j, "energy_per_spike_J", t->spikes ? t->energy / t->spikes : NAN);
        dwmtj_json_object(&j, "energy_per_inference_by_part_J");
        dwmtj_json_num(&j, "crossbar", t->e_x / n);
        dwmtj_json_num(&j, "neurons", t->e_d / n);
        dwmtj_json_num(&j, "writes", t->e_w / n);
        dwmtj_json_end(&j);
        /* by component: device is where the periphery's energy goes, the
         * others what each source delivers (supplied = their sum) */
        dwmtj_json_object(&j, "energy_per_inference_by_component_J");
        for (int c = 0; c < 7; c++)
            dwmtj_json_num(&j, comp_name[c], comp[c] / n);
        dwmtj_json_end(&j);
        dwmtj_json_object(&j, "energy_per_spike_by_component_J");
        for (int c = 0; c < 7; c++)
            dwmtj_json_num(&j, comp_name[c], t->spikes ? comp[c] / t->spikes : NAN);
        dwmtj_json_end(&j);
        dwmtj_json_num(&j, "energy_supplied_per_inference_J", supplied / n);
        dwmtj_json_num(&j, "energy_conservation_worst", t->bal);
        dwmtj_json_num(&j, "latency_per_inference_s", lat);
        dwmtj_json_object(&j, "latency_by_part_s");
        dwmtj_json_num(&j, "window", net->steps * net->dt);
        dwmtj_json_num(&j, "pipeline", (net->n_layers - 1) * net->dt);
        dwmtj_json_num(&j, "sense", t_sense);
        dwmtj_json_num(&j, "initial_write_in_window", t_init);
        dwmtj_json_num(&j, "dead_time_per_spike", t_dead);
        dwmtj_json_end(&j);
        dwmtj_json_num(&j, "seconds_per_image", spi);
        dwmtj_json_num(&j, "reference_seconds_per_image", rspi);
        dwmtj_json_num(&j, "ns_per_synapse_timestep", ns_syn);
        dwmtj_json_int(&j, "synapses", syn);
        int cells = 0;
        for (int l = 1; l <= net->n_layers; l++)
            cells += net->size[l];
        dwmtj_json_int(&j, "neurons", cells);
        dwmtj_json_int(&j, "steps", net->steps);
        dwmtj_json_object(&j, "mapping");
        dwmtj_json_num(&j, "g_min_S", a->o.g_min);
        dwmtj_json_num(&j, "g_max_S", a->o.g_max);
        dwmtj_json_int(&j, "levels", a->o.levels);
        dwmtj_json_num(&j, "v_read_V", a->o.v_read);
        dwmtj_json_num(&j, "i_max_A", a->o.i_max);
        dwmtj_json_end(&j);
        dwmtj_json_object(&j, "safe_operating_area");
        dwmtj_json_int(&j, "inside", !op->unsafe);
        dwmtj_json_int(&j, "allow_unsafe", a->o.allow_unsafe);
        dwmtj_json_str(&j, "outside", op->unsafe ? op->what : NULL);
        dwmtj_json_num(&j, "j_drive_A_m2", op->j_drive);
        dwmtj_json_num(&j, "j_clear_A_m2", op->j_clear);
        dwmtj_json_num(&j, "j_write_A_m2", op->j_write);
        dwmtj_json_num(&j, "v_barrier_a_V", op->v_barrier_a);
        dwmtj_json_num(&j, "v_barrier_b_V", op->v_barrier_b);
        dwmtj_json_num(&j, "j_max_A_m2", op->j_max);
        dwmtj_json_num(&j, "v_bd_V", op->v_bd);
        dwmtj_json_end(&j);
        dwmtj_json_int(&j, "naive", a->o.naive);
        dwmtj_json_num(&j, "tmax_s", dwmtj_infer_tmax(&a->o, net));
        dwmtj_json_str(&j, "network_clamp",
                       a->clamp_ramp || rule != DWMTJ_PERIPH_IDEAL ? "continuous"
                                                                             : "edges");
        if (a->o.backend == DWMTJ_INFER_KLU)
            dwmtj_json_str(&j, "klu_steps",
                           dwmtj_infer_steps_names[dwmtj_infer_klu_steps_for(&a->o,
                                                                             a->periphery)]);
        dwmtj_json_int(&j, "ranks", ranks);
        dwmtj_json_num(&j, "wall_seconds", wall);
        dwmtj_json_int(&j, "warnings", w->n);
        dwmtj_json_str(&j, "first_warning", w->n > 0 ? w->first : NULL);
        dwmtj_json_end(&j);
        fputc('\n', stdout);
        return;
    }
    printf("network %s (%d", net_path, net->size[0]);
    for (int l = 1; l <= net->n_layers; l++)
        printf("-%d", net->size[l]);
    if (ngver)
        printf(", T %d, dt %g s), ngspice %s\n", net->steps, net->dt, ngver);
    else
        printf(", T %d, dt %g s), klu engine\n", net->steps, net->dt);
    printf("test images %d..%d: %d\n", a->offset, a->offset + t->n - 1, t->n);
    printf("periphery               %s%s\n", dwmtj_infer_periphery_name(a->periphery),
           cmos    ? " (the transistor-level cell of doc/cell-cmos.md, BSIM4 45 nm, behind an "
                     "ideal gain from the column pair)"
           : macro ? " (the cmos cell's macromodel: the behavioural cell at its clamp, clear, "
                     "sense delay and fitted write width; blocks' energy fitted to transistor-"
                     "level runs, netlists/cell_cmos_macro.txt)"
           : cellp ? " (the cell of doc/cell.md at the device's terminals)"
                 : " (the network's idealised mode: clocked write in the device, fire counter)");
    printf("network's rule          %s%s%s\n", dwmtj_periphery_name(rule),
           a->clamp_ramp && rule == DWMTJ_PERIPH_IDEAL ? ", clamped continuously" : "",
           a->clamp_ramp && rule == DWMTJ_PERIPH_IDEAL
               ? " (--network-clamp continuous: the circuit's clamp)"
           : rule == net->periphery ? " (the one it was trained for)"
                                    : " (the circuit's; the network was trained for another)");
    if (op->unsafe)
        printf("safe operating area     OUTSIDE, run because of --allow-unsafe: %s%s\n", op->what,
               op->unsafe > 1 ? " (and more: --json lists them)" : "");
    else
        printf("safe operating area     inside (track %.3g of j_max %.3g A/m^2, barrier %.3g "
               "of v_bd %.3g V)\n",
               fmax(op->j_drive, fmax(op->j_clear, op->j_write)), op->j_max,
               fmax(op->v_barrier_a, op->v_barrier_b), op->v_bd);
    printf("accuracy (circuit)      %.2f %%\n", 100.0 * t->correct / n);
    if (t->n_ref) {
        printf("accuracy (algorithm)    %.2f %%\n", 100.0 * t->a_correct / n);
        printf("agreement               %.2f %%\n", 100.0 * t->agree / n);
    } else {
        printf("accuracy (algorithm)    not run (--no-reference)\n");
        printf("agreement               not run (--no-reference)\n");
    }
    printf("spikes per inference    %.1f\n", t->spikes / n);
    printf("energy per inference    %.4g J (crossbar %.3g, neurons %.3g, writes %.3g)\n",
           t->energy / n, t->e_x / n, t->e_d / n, t->e_w / n);
    printf("energy per spike        %.4g J\n", t->spikes ? t->energy / t->spikes : NAN);
    printf("by component            per inference  per spike\n");
    for (int c = 0; c < 7; c++)
        printf("  %-21s %-10.4g J   %-10.4g J%s\n", comp_name[c], comp[c] / n,
               t->spikes ? comp[c] / t->spikes : NAN,
               c == 3 && (cmos || macro) ? "  (part of the blocks' energy)"
               : c == 3      ? "  (where the periphery's energy goes)"
               : c == 6 && (cmos || macro) ? "  (inside each block's)"
               : c == 6      ? "  (ideal elements)"
               : (cmos || macro) && c == 1 ? "  (input stage)"
               : (cmos || macro) && c == 5 ? "  (write driver and pulse generators)"
               : !cellp && (c == 1) ? "  (= device: its only source)"
               : !cellp && c == 5 ? "  (ideal writes, by formula)"
                                  : "");
    printf("  %-21s %.4g J\n", "supplied", supplied / n);
    if (cmos)
        printf("energy conservation     devices' terminals vs their monitors within %.2g %% "
               "(worst image)\n", 100.0 * t->bal);
    else if (macro)
        printf("energy conservation     not checked: the macromodel's blocks are fitted to the "
               "cmos cell's supplies\n");
    else if (cellp)
        printf("energy conservation     sources vs devices within %.2g %% (worst image)\n",
               100.0 * t->bal);
    char sense[80];
    if (!cellp || t_sense == 0.0)
        snprintf(sense, sizeof sense, "sense 0, ideal");
    else if (isnan(t_sense))
        snprintf(sense, sizeof sense, "the transistors' sense delay inside the window");
    else
        snprintf(sense, sizeof sense, "the sense's %.3g ns delay inside the window",
                 1e9 * t_sense);
    printf("latency per inference   %.4g s (window %.4g s + pipeline %.4g s; %s; %s)\n", lat,
           net->steps * net->dt, (net->n_layers - 1) * net->dt, sense,
           cellp ? "the writes inside the window" : "writes at the clock edges");
    printf("seconds per image       %.3g s (%.3g ns per synapse-timestep)\n", spi, ns_syn);
    if (t->n_ref_timed)
        printf("reference network       %.3g s per image (not in the circuit's)\n", rspi);
    if (ranks > 1)
        printf("wall time               %.3g s (%d ranks)\n", wall, ranks);
    else
        printf("wall time               %.3g s\n", wall);
    if (w->n > 0)
        printf("device warnings         %d (the first: %s)\n", w->n, w->first);
}

/* ---- ranks (mpirun) ---------------------------------------------------------- */

/* Under an MPI launcher (mpirun -np K) the images to run are shared out in
 * the batches one process would run, in rounds: in a round of G batches
 * per rank, rank r runs the G consecutive batches after those of ranks
 * 0..r-1.  After each round rank 0 gathers the rows in rank order, which
 * is image order, and adds and writes them: the totals and rows are one
 * process's, to the bit (a batch's images share decks, so batches are kept
 * whole).  G starts at 1 and rank 0 sets it after each round so that a
 * round lasts about ROUND_S: a gather per image made the ranks wait on
 * each other (and Open MPI's waits spin) more than they worked.  Ranks
 * other than 0 hold back what they print on stderr, mostly rank 0's
 * messages over again (same files, same options); a rank's messages are
 * shown when its failure is the one that stops the run. */
#define ROUND_S 1.0   /* s, wall time a round of the ranks aims at */
#define ROUND_MAX 4096 /* batches per rank and round, at most */

struct ranks {
    int n, me;
    int per_round; /* G: batches per rank in the next round */
    int mpi;      /* MPI_Init called */
    FILE *held;   /* stderr of a rank > 0, else NULL */
    int real_err; /* the real stderr meanwhile */
};

#ifdef HAVE_MPI
/* Started by a launcher: Open MPI's mpirun and PMIx launchers set these
 * (MPICH's PMI_SIZE); a plain run never pays for MPI_Init. */
static int launched(void)
{
    static const char *const vars[] = { "OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE" };
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return 1;
    }
    return 0;
}
#endif

static int ranks_start(struct ranks *k)
{
    memset(k, 0, sizeof *k);
    k->n = 1;
    k->per_round = 1;
    k->real_err = -1;
#ifdef HAVE_MPI
    if (!launched())
        return 0;
    if (MPI_Init(NULL, NULL) != MPI_SUCCESS) {
        dwmtj_error("MPI_Init failed");
        return -1;
    }
    k->mpi = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &k->n);
    MPI_Comm_rank(MPI_COMM_WORLD, &k->me);
    if (k->me > 0 && (k->held = tmpfile()) != NULL) {
        fflush(stderr);
        k->real_err = dup(STDERR_FILENO);
        if (k->real_err < 0 || dup2(fileno(k->held), STDERR_FILENO) < 0) {
            /* then every rank speaks */
            if (k->real_err >= 0)
                close(k->real_err);
            fclose(k->held);
            k->held = NULL;
            k->real_err = -1;
        }
    }
#endif
    return 0;
}

/* Shows (show) or drops what this rank has held back since the last call. */
static void ranks_release(struct ranks *k, int show)
{
    if (!k->held)
        return;
    fflush(stderr);
    int fd = fileno(k->held);
    if (show && lseek(fd, 0, SEEK_SET) == 0) {
        char buf[4096];
        ssize_t r;
        while ((r = read(fd, buf, sizeof buf)) > 0)
            if (write(k->real_err, buf, (size_t)r) != r)
                break;
    }
    /* stderr shares the offset: it writes from the start again */
    if (ftruncate(fd, 0) == 0)
        lseek(fd, 0, SEEK_SET);
}

static void ranks_end(struct ranks *k)
{
    if (k->held) {
        fflush(stderr);
        dup2(k->real_err, STDERR_FILENO);
        close(k->real_err);
        fclose(k->held);
        k->held = NULL;
    }
#ifdef HAVE_MPI
    if (k->mpi)
        MPI_Finalize();
#endif
}

/* Rank 0's decision for all ranks: the exit code to stop with (0: go on),
 * and the rank whose messages say why. */
static int ranks_verdict(struct ranks *k, int code, int who)
{
#ifdef HAVE_MPI
    if (k->n > 1) {
        int v[3] = { code, who, k->per_round };
        MPI_Bcast(v, 3, MPI_INT, 0, MPI_COMM_WORLD);
        code = v[0];
        who = v[1];
        k->per_round = v[2];
    }
#endif
    ranks_release(k, code != 0 && who == k->me);
    return code;
}

/* Every rank's device warnings, summed on rank 0 with the first of the
 * lowest rank that warned (all ranks call it). */
static void ranks_warnings(struct ranks *k, struct warned *w)
{
#ifdef HAVE_MPI
    if (k->n > 1) {
        int total = 0;
        MPI_Reduce(&w->n, &total, 1, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
        char *all = NULL;
        if (k->me == 0 && !(all = malloc(sizeof w->first * (size_t)k->n)))
            MPI_Abort(MPI_COMM_WORLD, DWMTJ_EXIT_SIM);
        MPI_Gather(w->first, (int)sizeof w->first, MPI_CHAR, all, (int)sizeof w->first,
                   MPI_CHAR, 0, MPI_COMM_WORLD);
        if (k->me == 0) {
            w->n = total;
            for (int r = 0; r < k->n; r++)
                if (all[(size_t)r * sizeof w->first]) {
                    memcpy(w->first, all + (size_t)r * sizeof w->first, sizeof w->first);
                    break;
                }
            free(all);
        }
    }
#else
    (void)k;
    (void)w;
#endif
}

/* The exit code of the first rank that failed (0: none), on all ranks. */
static int ranks_agree(struct ranks *k, int code)
{
    int who = 0;
#ifdef HAVE_MPI
    if (k->n > 1) {
        int *all = NULL;
        if (k->me == 0 && !(all = malloc(sizeof(int) * (size_t)k->n)))
            MPI_Abort(MPI_COMM_WORLD, DWMTJ_EXIT_SIM);
        MPI_Gather(&code, 1, MPI_INT, all, 1, MPI_INT, 0, MPI_COMM_WORLD);
        if (k->me == 0) {
            while (who < k->n && all[who] == 0)
                who++;
            code = who < k->n ? all[who] : 0;
            free(all);
        }
    }
#endif
    return ranks_verdict(k, code, who);
}

/* One round: each rank's batches (exit code st, the m rows of those that
 * succeeded before any failed, as bytes: every rank is this same program)
 * to rank 0.  On rank 0, *n rows in all[] (room for every rank's rows):
 * those of the batches before the first that failed, in image order; *who
 * that rank and the return value its code (0 and 0 when none failed). */
static int ranks_gather(struct ranks *k, int st, const struct row *mine, int m,
                        struct row *all, int *n, int *who)
{
    *n = 0;
    *who = 0;
    if (k->n == 1) {
        memcpy(all, mine, sizeof *mine * (size_t)m);
        *n = m;
        return st;
    }
#ifdef HAVE_MPI
    int head[2] = { st, m };
    int *heads = NULL, *counts = NULL, *displs = NULL;
    if (k->me == 0 && (!(heads = malloc(sizeof(int) * 2 * (size_t)k->n)) ||
                       !(counts = malloc(sizeof(int) * 2 * (size_t)k->n))))
        MPI_Abort(MPI_COMM_WORLD, DWMTJ_EXIT_SIM);
    MPI_Gather(head, 2, MPI_INT, heads, 2, MPI_INT, 0, MPI_COMM_WORLD);
    if (k->me == 0) {
        displs = counts + k->n;
        int at = 0;
        for (int r = 0; r < k->n; r++) {
            counts[r] = heads[2 * r + 1] * (int)sizeof(struct row);
            displs[r] = at;
            at += counts[r];
        }
    }
    MPI_Gatherv(mine, head[1] * (int)sizeof(struct row), MPI_BYTE, all, counts, displs,
                MPI_BYTE, 0, MPI_COMM_WORLD);
    if (k->me == 0) {
        int r = 0;
        for (; r < k->n && heads[2 * r] == 0; r++)
            *n += heads[2 * r + 1];
        if (r < k->n) /* the failed rank's batches before its failure */
            *n += heads[2 * r + 1];
        st = r < k->n ? heads[2 * r] : 0;
        *who = r < k->n ? r : 0;
        free(heads);
        free(counts);
    }
    return st;
#else
    (void)mine;
    (void)all;
    (void)m;
    return st;
#endif
}

/* Rank 0, after a round of k->per_round batches per rank that took el
 * seconds: the next round's size, aiming at ROUND_S, growing at most 8x a
 * round, with room for its rows in *all (else the size stays). */
static void next_round(struct ranks *k, double el, int B, struct row **all, int *cap)
{
    double want = el > 0.0 ? k->per_round * ROUND_S / el : 8.0 * k->per_round;
    int G = want > 8.0 * k->per_round ? 8 * k->per_round : want < 1.0 ? 1 : (int)want;
    if (G > ROUND_MAX)
        G = ROUND_MAX;
    if (G > *cap) {
        struct row *grown = realloc(*all, sizeof **all * (size_t)G * (size_t)B * (size_t)k->n);
        if (!grown)
            return;
        *all = grown;
        *cap = G;
    }
    k->per_round = G;
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* ---- the command -------------------------------------------------------------- */

int dwmtj_cmd_infer(int argc, char **argv)
{
    double t0 = wall_now();
    struct ranks k;
    if (ranks_start(&k) != 0)
        return DWMTJ_EXIT_SIM;
    struct infer_opts a;
    int help, code = parse_args(argc, argv, &a, &help);
    if (code == 0 && help) {
        if (k.me == 0)
            dwmtj_usage_infer(stdout);
        code = fflush(stdout) == 0 ? DWMTJ_EXIT_OK : DWMTJ_EXIT_OUTPUT;
    }
    if (code != 0 || help) {
        ranks_end(&k);
        return code;
    }
    char def_path[4096];
    const char *net_path = a.net ? a.net
                                 : dwmtj_network_path(def_path, sizeof def_path, DEFAULT_NET);
    dwmtj_weights net;
    dwmtj_dataset d = { 0 };
    dwmtj_session *s = NULL;
    dwmtj_infer *ctx = NULL;
    dwmtj_snn_ws *ws = NULL;
    struct row *rows = NULL, *mine = NULL, *all = NULL;
    dwmtj_infer_result *res = NULL;
    dwmtj_infer_soa soa;       /* the operating point, checked before the run */
    int *apred = NULL, *idx = NULL, *todo = NULL, n_rows = 0, n_todo = 0;
    int cap_round = 0, cap_all = 0; /* batches per rank that mine, all have room for */
    unsigned char *img = NULL;
    uint64_t *idx64 = NULL;
    const dwmtj_weights *eff = NULL;
    int B = a.o.batch, rc, st;
    FILE *out = NULL;          /* where the rows go */
    dwmtj_outfile res_file;    /* the results file until complete */
    dwmtj_outfile_init(&res_file);
    char *err = NULL;
    memset(&net, 0, sizeof net);
    /* Every rank loads the network and the data set and makes its own
     * runner; rank 0 alone reads and writes the results file. */
    code = DWMTJ_EXIT_SIM;
    if (k.me == 0 && a.results && !a.resume && !a.overwrite && holds_data(a.results)) {
        code = dwmtj_usage_error(SUB,
                                 "--results %s: the file is not empty; --resume continues its "
                                 "run, --overwrite replaces it",
                                 a.results);
        goto setup_done;
    }
    if (load_net(net_path, &net) != 0)
        goto setup_done;
    a.periphery = dwmtj_infer_periphery(&a.o, &net);
    /* a periphery the backend cannot run stops here, before any run */
    if (dwmtj_infer_check_backend(a.o.backend, a.periphery, &err) != DWMTJ_H_OK) {
        code = dwmtj_usage_error(SUB, "%s", err ? err : "the backend cannot run the periphery");
        goto setup_done;
    }
    /* and so does an operating point outside the safe area */
    if (dwmtj_infer_check_soa(&net, &a.o, &soa, &err) != DWMTJ_H_OK) {
        code = dwmtj_usage_error(SUB, "%s", err ? err : "outside the safe operating area");
        goto setup_done;
    }
    if (load_test(a.data, &net, &d) != 0)
        goto setup_done;
    if (a.offset + a.images > d.n) {
        code = dwmtj_usage_error(SUB, "--offset %d --images %d: the test set has %d images",
                                 a.offset, a.images, d.n);
        goto setup_done;
    }
    if (k.me == 0 && a.results) {
        char config[512];
        config_line(config, sizeof config, file_hash(net_path), &a);
        /* a file to resume is read back: a regular one */
        int flags = DWMTJ_FILE_SYNC | (a.resume ? DWMTJ_FILE_REGULAR : 0);
        if (dwmtj_outfile_open_flags(&res_file, a.results, flags) != 0) {
            code = DWMTJ_EXIT_OUTPUT;
            goto setup_done;
        }
        struct row_rules rules = { a.offset, a.images, d.labels, net.size[net.n_layers],
                                   !a.no_ref };
        if (a.resume && read_results(a.results, config, &rules, &rows, &n_rows) != 0)
            goto setup_done;
        if (!(out = start_results(&res_file, config, rows, n_rows))) {
            code = DWMTJ_EXIT_OUTPUT;
            goto setup_done;
        }
    }
    rc = DWMTJ_H_OK;
    if (a.o.backend == DWMTJ_INFER_NGSPICE && (rc = dwmtj_session_open(&s, a.cm)) != DWMTJ_H_OK) {
        dwmtj_error("%s", s ? dwmtj_session_error(s) : dwmtj_h_status_string(rc));
        goto setup_done;
    }
    if ((rc = dwmtj_infer_create(&ctx, s, &net, &a.o, &err)) != DWMTJ_H_OK) {
        dwmtj_error("%s", err ? err : dwmtj_h_status_string(rc));
        code = rc == DWMTJ_H_ERR_USAGE ? DWMTJ_EXIT_USAGE : DWMTJ_EXIT_SIM;
        goto setup_done;
    }
    eff = &dwmtj_infer_get_map(ctx)->eff;
    if ((st = dwmtj_snn_ws_create(&ws, eff, B)) != DWMTJ_SNN_OK) {
        dwmtj_error("network: %s", dwmtj_snn_status_string(st));
        goto setup_done;
    }
    ws->opt.i_max = a.o.i_max;
    ws->opt.clamp_ramp = a.clamp_ramp;
    ws->opt.threads = 1;
    res = calloc((size_t)B, sizeof *res);
    apred = calloc((size_t)B, sizeof *apred);
    img = malloc((size_t)B * net.size[0]);
    idx = malloc(sizeof(int) * (size_t)B);
    idx64 = malloc(sizeof(uint64_t) * (size_t)B);
    todo = malloc(sizeof(int) * (size_t)a.images);
    mine = calloc((size_t)B, sizeof *mine);
    if (k.me == 0)
        all = calloc((size_t)B * (size_t)k.n, sizeof *all);
    cap_round = cap_all = 1;
    if (!res || !apred || !img || !idx || !idx64 || !todo || !mine || (k.me == 0 && !all)) {
        dwmtj_error("out of memory");
        goto setup_done;
    }
    code = DWMTJ_EXIT_OK;
setup_done:
    if ((code = ranks_agree(&k, code)) != DWMTJ_EXIT_OK)
        goto end;

    /* the images still to run, in order, from rank 0 */
    struct totals tot = { 0 };
    if (k.me == 0) {
        /* the rows read back are of this run's images, each once */
        unsigned char *done = calloc((size_t)a.images, 1);
        if (!done) {
            dwmtj_error("out of memory");
            code = DWMTJ_EXIT_SIM;
        }
        for (int r = 0; r < n_rows && done; r++) {
            add_row(&tot, &rows[r]);
            done[rows[r].image - a.offset] = 1;
        }
        for (int i = 0; i < a.images && done; i++)
            if (!done[i])
                todo[n_todo++] = a.offset + i;
        free(done);
    }
    if ((code = ranks_agree(&k, code)) != DWMTJ_EXIT_OK)
        goto end;
#ifdef HAVE_MPI
    if (k.n > 1) {
        MPI_Bcast(&n_todo, 1, MPI_INT, 0, MPI_COMM_WORLD);
        MPI_Bcast(todo, n_todo, MPI_INT, 0, MPI_COMM_WORLD);
    }
#endif
    int interactive = k.me == 0 && isatty(fileno(stderr));
    int n_batches = (n_todo + B - 1) / B;
    for (int b0 = 0; b0 < n_batches && code == DWMTJ_EXIT_OK;) {
        /* this round's batches per rank: the last round's shared evenly */
        int G = k.per_round, left = (n_batches - b0 + k.n - 1) / k.n, m = 0, n, who;
        if (G > left)
            G = left;
        double t_round = wall_now();
        st = DWMTJ_EXIT_OK;
        if (G > cap_round) {
            struct row *grown = realloc(mine, sizeof *mine * (size_t)G * (size_t)B);
            if (grown) {
                mine = grown;
                cap_round = G;
            } else {
                dwmtj_error("out of memory");
                st = DWMTJ_EXIT_SIM;
            }
        }
        for (int g = 0; g < G && st == DWMTJ_EXIT_OK; g++) {
            int b = b0 + k.me * G + g;
            if (b >= n_batches)
                break;
            int mb = n_todo - b * B < B ? n_todo - b * B : B;
            for (int i = 0; i < mb; i++) {
                int k0 = todo[b * B + i];
                memcpy(img + (size_t)i * net.size[0], d.pixels + (size_t)k0 * net.size[0],
                       (size_t)net.size[0]);
                idx[i] = DWMTJ_SNN_TEST_KEY0 + k0; /* the keys train's evaluation used */
                idx64[i] = (uint64_t)idx[i];
            }
            const int *image = todo + b * B;
            double t_ref = wall_now();
            if (a.no_ref) {
                for (int i = 0; i < mb; i++)
                    apred[i] = -1;
            } else if ((rc = dwmtj_snn_forward(ws, eff, img, idx, mb, apred, NULL)) !=
                       DWMTJ_SNN_OK) {
                dwmtj_error("network: %s", dwmtj_snn_status_string(rc));
                st = DWMTJ_EXIT_SIM;
            } else {
                tot.ref_seconds += wall_now() - t_ref;
                tot.n_ref_timed += mb;
            }
            dwmtj_infer_results_free(res, B);
            if (st == DWMTJ_EXIT_OK &&
                (rc = dwmtj_infer_run(ctx, img, idx64, mb, res)) != DWMTJ_H_OK) {
                dwmtj_error("image %d..%d: %s", image[0], image[mb - 1], dwmtj_infer_error(ctx));
                st = DWMTJ_EXIT_SIM;
            }
            for (int i = 0; i < mb && st == DWMTJ_EXIT_OK; i++)
                mine[m++] = (struct row){ image[i], d.labels[image[i]], res[i].pred, apred[i],
                                          res[i].spikes, res[i].energy,
                                          res[i].energy_crossbar, res[i].energy_device,
                                          res[i].energy_write, res[i].energy_mirror,
                                          res[i].energy_clear, res[i].energy_sense,
                                          res[i].energy_write_driver, res[i].energy_static,
                                          res[i].energy_balance, res[i].seconds };
        }
        b0 += G * k.n;
        code = ranks_gather(&k, st, mine, m, all, &n, &who);
        if (k.me == 0) {
            for (int i = 0; i < n; i++) {
                add_row(&tot, &all[i]);
                if (out) {
                    write_row(out, &all[i]);
                    if (fflush(out) != 0) {
                        dwmtj_error("%s: cannot write: %s", a.results, strerror(errno));
                        /* one process would have stopped here, before any
                         * later batch failed */
                        code = DWMTJ_EXIT_OUTPUT;
                        who = 0;
                        break;
                    }
                }
            }
            if (interactive && tot.n > 0)
                fprintf(stderr, "\r infer: %d/%d images, accuracy %.1f %%, agreement %.1f %%",
                        tot.n, a.images, 100.0 * tot.correct / tot.n,
                        tot.n_ref ? 100.0 * tot.agree / tot.n : NAN);
            if (k.n > 1)
                next_round(&k, wall_now() - t_round, B, &all, &cap_all);
        }
        code = ranks_verdict(&k, code, who);
    }
    if (interactive)
        fputs("\n", stderr);
    struct warned warned = { 0, "" };
    if (code == DWMTJ_EXIT_OK) { /* the same on every rank: ranks_warnings is collective */
        const char *w = dwmtj_infer_warning(ctx, &warned.n);
        snprintf(warned.first, sizeof warned.first, "%s", w);
        ranks_warnings(&k, &warned);
    }
    if (code != DWMTJ_EXIT_OK || k.me != 0)
        goto end;
    report(&a, net_path, &net, &soa, &tot, s ? dwmtj_session_ngspice_version(s) : NULL, k.n,
           wall_now() - t0, &warned, dwmtj_infer_sense_delay(ctx));
    code = fflush(stdout) == 0 && !ferror(stdout) ? DWMTJ_EXIT_OK : DWMTJ_EXIT_OUTPUT;
end:
    if (out && out == res_file.f) { /* in place: a device or FIFO */
        if (dwmtj_outfile_commit(&res_file) != 0 && code == DWMTJ_EXIT_OK)
            code = DWMTJ_EXIT_OUTPUT;
    } else if (out && fclose(out) != 0 && code == DWMTJ_EXIT_OK) {
        dwmtj_error("%s: cannot write: %s", a.results, strerror(errno));
        code = DWMTJ_EXIT_OUTPUT;
    }
    dwmtj_outfile_abort(&res_file); /* unfinished: no .part left */
    free(err);
    free(rows);
    dwmtj_infer_results_free(res, B);
    free(res);
    free(apred);
    free(img);
    free(idx);
    free(idx64);
    free(todo);
    free(mine);
    free(all);
    dwmtj_snn_ws_free(ws);
    dwmtj_infer_free(ctx);
    dwmtj_session_close(s);
    dwmtj_dataset_free(&d);
    dwmtj_weights_free(&net);
    ranks_end(&k);
    return code;
}
