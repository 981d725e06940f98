/* dwmtj bench: the same circuits through the ngspice path and the KLU
 * engine in one run (issues 5 and 14; doc/engine.md).  Every timed figure
 * is process CPU time and wall time, the minimum and median of --repeats
 * runs.  It reports seconds per image and ns per synapse-timestep of each
 * backend, the ngspice speedup per image (min / median / max over the
 * images), the engine against two floors of the same synapse work (a
 * vectorised dense matrix-vector product and an event-driven accumulation
 * of the actual input spikes, bench_floor.h) and against the network's own
 * evaluation with the circuit's continuous clamp (the per-neuron floor),
 * optionally two MPI ranks against one, peak memory; then the same for
 * single crossbars of several sizes, with ideal wires and with wire
 * resistance. */
#include "bench_floor.h"
#include "dwmtj_output.h"
#include "dwmtj_data.h"
#include "dwmtj_infer.h"
#include "dwmtj_snn.h"

#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define SUB "bench"
#define MAX_SIZES 8

void dwmtj_usage_bench(FILE *f)
{
    fputs("usage: dwmtj bench [--net FILE] [--images N] [--ngspice-images M]\n"
          "                   [--repeats R] [--ngspice-repeats K] [--floor-seconds S]\n"
          "                   [--ranks2] [--ranks-images N] [--sizes RxC,...]\n"
          "                   [--ngspice-max-synapses S]\n"
          "                   [--r-wire OHM] [--widths H,...]\n"
          "                   [--klu-steps ngspice|exact|neuron] [--json | --markdown]\n"
          "                   [--data DIR] [--cm PATH]\n"
          "\n"
          "Runs the same generated circuits through both backends in one run:\n"
          "first test images of the trained network (--net), then one-layer\n"
          "crossbars of R inputs x C neurons with random weights and inputs, with\n"
          "ideal wires and with --r-wire per cell pitch.  Every figure is process\n"
          "CPU time and wall time, the minimum and the median of repeated runs.\n"
          "For each circuit: seconds per image and ns per synapse-timestep of the\n"
          "klu engine (its setup apart: building the circuits and the first image's\n"
          "extra cost) and of ngspice; the speedup image by image (ngspice's CPU time\n"
          "for the image over the engine's for the same image), with its minimum,\n"
          "median and maximum; the engine against two floors of the same synapse\n"
          "work (the layers, the T steps, the images' input spikes): a vectorised\n"
          "dense matrix-vector product per layer and step, and an event-driven sum\n"
          "of the weight rows of the inputs that spiked; the engine against the\n"
          "network evaluated with the circuit's continuous clamp (a per-neuron\n"
          "exact simulation); peak memory.  Ratios are measured in the same run.\n"
          "\n"
          "options:\n"
          "  --net FILE        trained network (default: the shipped DW-MTJ network)\n"
          "  --images N        images through the klu engine (default 20)\n"
          "  --ngspice-images M  of those, through ngspice too (default 5; 0 = none;\n"
          "                    at most --images)\n"
          "  --repeats R       runs of each timed figure, 1..1000 (default 5)\n"
          "  --ngspice-repeats K  runs of each ngspice image, 1..1000 (default 1: an\n"
          "                    image costs tens of seconds there)\n"
          "  --floor-seconds S wall time of each floor run, > 0 and at most 600 s\n"
          "                    (default 2)\n"
          "  --ranks2          also time dwmtj infer --backend klu under mpirun -np 2\n"
          "                    against mpirun -np 1, whole processes on the same\n"
          "                    test images\n"
          "  --ranks-images N  the images of those runs (default 500: a process\n"
          "                    starts in about 0.6 s, which a short run would mostly\n"
          "                    time)\n"
          "  --widths LIST     also networks IN-H-H-OUT of --net's inputs and outputs\n"
          "                    with random weights for each hidden width H (say\n"
          "                    50,100,200,400,800): growth with the neurons, through\n"
          "                    klu only, on the first min(--images, 8) images\n"
          "  --klu-steps S     the klu engine's time points, as dwmtj infer's (default\n"
          "                    neuron: each neuron on its own exact points)\n"
          "  --sizes LIST      crossbar sizes RxC (default 64x16,256x64,784x100)\n"
          "  --ngspice-max-synapses S  run ngspice on crossbars up to S synapses\n"
          "                    (default 20000)\n"
          "  --r-wire OHM      wire resistance for the wired crossbars, 0 to 1meg\n"
          "                    (default 1; 0 = skip them)\n"
          "  --json            the report as JSON\n"
          "  --markdown        the report as doc/engine.md's table (one row per\n"
          "                    circuit: cpu medians, the crossbar part wall medians)\n"
          "  --data DIR        the data set (default as dwmtj infer)\n"
          "  --cm PATH         the code model (default $DWMTJ_CM, else installed)\n"
          "  -h, --help        this help\n"
          "\n"
          "exit status: 0 success, 1 failure (network or data set missing or\n"
          "corrupt, a simulation failed), 2 usage, 3 an output could not be written.\n",
          f);
}

struct bench_args {
    const char *net, *data, *cm;
    int images, ng_images, json, markdown, repeats, ng_repeats, ranks2;
    int ranks_images; /* test images of the --ranks2 runs */
    int klu_steps;  /* DWMTJ_INFER_STEPS_* */
    double floor_s; /* s, wall time of each floor run */
    long ng_max_syn;
    double r_wire;
    int n_sizes, rows[MAX_SIZES], cols[MAX_SIZES];
    int n_widths, width[MAX_SIZES]; /* hidden widths H of the IN-H-H-OUT nets */
};

/* A comma-separated list of at most MAX_SIZES items "A" (b NULL) or "AxB"
 * with A in 1..hi_a and B in 1..hi_b, into a[], b[] and *n; -1 if it is
 * not one. */
static int parse_list(const char *v, int hi_a, int hi_b, int *a, int *b, int *n)
{
    *n = 0;
    const char *p = v;
    while (*p) {
        int x, y = 1, k = 0;
        if (*n == MAX_SIZES ||
            (b ? sscanf(p, "%dx%d%n", &x, &y, &k) != 2 : sscanf(p, "%d%n", &x, &k) != 1) ||
            x < 1 || y < 1 || x > hi_a || y > hi_b)
            return -1;
        a[*n] = x;
        if (b)
            b[*n] = y;
        ++*n;
        p += k;
        if (*p == ',')
            p++;
        else if (*p)
            return -1;
    }
    return *n ? 0 : -1;
}

static int parse_sizes(const char *v, struct bench_args *a)
{
    return parse_list(v, 4096, 1024, a->rows, a->cols, &a->n_sizes);
}

enum {
    O_NET = 0x100,
    O_DATA,
    O_CM,
    O_JSON,
    O_MARKDOWN,
    O_IMAGES,
    O_NG_IMAGES,
    O_NG_MAX_SYN,
    O_SIZES,
    O_R_WIRE,
    O_REPEATS,
    O_NG_REPEATS,
    O_FLOOR_S,
    O_RANKS2,
    O_RANKS_IMAGES,
    O_KLU_STEPS,
    O_WIDTHS
};

static int parse_args(int argc, char **argv, struct bench_args *a, int *help)
{
    static const struct option opts[] = {
        { "net", required_argument, NULL, O_NET },
        { "data", required_argument, NULL, O_DATA },
        { "cm", required_argument, NULL, O_CM },
        { "json", no_argument, NULL, O_JSON },
        { "markdown", no_argument, NULL, O_MARKDOWN },
        { "images", required_argument, NULL, O_IMAGES },
        { "ngspice-images", required_argument, NULL, O_NG_IMAGES },
        { "ngspice-max-synapses", required_argument, NULL, O_NG_MAX_SYN },
        { "sizes", required_argument, NULL, O_SIZES },
        { "r-wire", required_argument, NULL, O_R_WIRE },
        { "repeats", required_argument, NULL, O_REPEATS },
        { "ngspice-repeats", required_argument, NULL, O_NG_REPEATS },
        { "floor-seconds", required_argument, NULL, O_FLOOR_S },
        { "ranks2", no_argument, NULL, O_RANKS2 },
        { "ranks-images", required_argument, NULL, O_RANKS_IMAGES },
        { "klu-steps", required_argument, NULL, O_KLU_STEPS },
        { "widths", required_argument, NULL, O_WIDTHS },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    memset(a, 0, sizeof *a);
    a->images = 20;
    a->ng_images = 5; /* ngspice's time varies from image to image */
    a->repeats = 5;
    a->ng_repeats = 1;
    a->ranks_images = 500;
    a->floor_s = 2.0;
    a->ng_max_syn = 20000;
    a->r_wire = 1.0;
    a->klu_steps = DWMTJ_INFER_STEPS_NEURON; /* infer's default */
    parse_sizes("64x16,256x64,784x100", a);
    *help = 0;
    int c, rc = 0, x, ng_set = 0;
    dwmtj_getopt_start();
    while ((c = getopt_long(argc, argv, "-:h", opts, NULL)) != -1) {
        const char *v = optarg;
        switch (c) {
        case 'h': *help = 1; break;
        case '?':
        case ':': return dwmtj_getopt_error(SUB, c, argv, opts);
        case 1: return dwmtj_usage_error(SUB, "unexpected argument '%s'", v);
        case O_NET: a->net = v; break;
        case O_DATA: a->data = v; break;
        case O_CM: a->cm = v; break;
        case O_JSON: a->json = 1; break;
        case O_MARKDOWN: a->markdown = 1; break;
        case O_RANKS2: a->ranks2 = 1; break;
        case O_WIDTHS:
            if (parse_list(v, 4096, 1, a->width, NULL, &a->n_widths) != 0)
                return dwmtj_usage_error(SUB, "--widths %s: expected H[,H...] with H in "
                                              "1..4096, at most %d widths",
                                         v, MAX_SIZES);
            break;
        case O_KLU_STEPS:
            rc = dwmtj_opt_choice(SUB, "--klu-steps", v, dwmtj_infer_steps_names,
                                  DWMTJ_INFER_STEPS_COUNT, &a->klu_steps);
            break;
        case O_IMAGES: rc = dwmtj_opt_int(SUB, "--images", v, 1, 10000, &a->images); break;
        case O_NG_IMAGES:
            rc = dwmtj_opt_int(SUB, "--ngspice-images", v, 0, 10000, &a->ng_images);
            ng_set = 1;
            break;
        case O_RANKS_IMAGES:
            rc = dwmtj_opt_int(SUB, "--ranks-images", v, 1, 10000, &a->ranks_images);
            break;
        case O_REPEATS: rc = dwmtj_opt_int(SUB, "--repeats", v, 1, 1000, &a->repeats); break;
        case O_NG_REPEATS:
            rc = dwmtj_opt_int(SUB, "--ngspice-repeats", v, 1, 1000, &a->ng_repeats);
            break;
        case O_FLOOR_S:
            rc = dwmtj_opt_number(SUB, "--floor-seconds", v, 0.0, 600.0, DWMTJ_ABOVE, "s",
                                  &a->floor_s);
            break;
        case O_NG_MAX_SYN:
            if ((rc = dwmtj_opt_int(SUB, "--ngspice-max-synapses", v, 0, 100000000, &x)) == 0)
                a->ng_max_syn = x;
            break;
        case O_SIZES:
            if (parse_sizes(v, a) != 0)
                return dwmtj_usage_error(SUB, "--sizes %s: expected RxC[,RxC...] with R in "
                                              "1..4096, C in 1..1024, at most %d sizes",
                                         v, MAX_SIZES);
            break;
        case O_R_WIRE:
            /* 1 MOhm per cell pitch is far beyond any wire; more is ill-conditioned */
            rc = dwmtj_opt_number(SUB, "--r-wire", v, 0.0, 1e6, 0, "Ohm", &a->r_wire);
            break;
        default: return dwmtj_usage_error(SUB, "option %d not handled", c);
        }
        if (rc != 0)
            return rc;
    }
    if (optind < argc)
        return dwmtj_usage_error(SUB, "unexpected argument '%s'", argv[optind]);
    if (a->json && a->markdown)
        return dwmtj_usage_error(SUB, "--json and --markdown: one report at a time");
    if (a->ng_images > a->images) {
        if (ng_set) /* each ngspice image is compared with the engine's run of it */
            return dwmtj_usage_error(SUB, "--ngspice-images %d: more than --images %d",
                                     a->ng_images, a->images);
        a->ng_images = a->images;
    }
    return 0;
}

static long synapses(const dwmtj_weights *net)
{
    long syn = 0;
    for (int l = 0; l < net->n_layers; l++)
        syn += (long)(net->size[l] + 1) * net->size[l + 1];
    return syn;
}

/* One backend over n images, each run on its own, repeats times. */
struct timing {
    int n, repeats;
    double create_s;   /* s, wall: dwmtj_infer_create (the map, the decks' data) */
    double setup_s;    /* s, wall: create plus what the first run of image 0
                          cost beyond its median (klu: building the circuits) */
    bench_time image;  /* s per image: each repeat's mean over the n images */
    bench_time cross;  /* s per image in the engine's linear groups (wall only;
                          the engine's statistics time wall clock) */
    bench_time neur;   /* s per image in its Newton groups, the neurons (wall
                          only, as cross) */
    double *img_cpu;   /* s, n: each image's median over the repeats */
    double *img_wall;  /* s, n: the same in wall time */
    int klu;           /* 1 for the klu backend */
    dwmtj_engine_stats work; /* klu: the engine's work summed over the counted
                                runs (n x repeats images) */
};

static void timing_free(struct timing *t)
{
    free(t->img_cpu);
    free(t->img_wall);
    t->img_cpu = t->img_wall = NULL;
}

/* Runs images k = 0..n-1 one by one, repeats times (after a warm-up run of
 * image 0 when warm: the engine builds its circuits in the first run), into
 * res[k] and *t.  keep (may be NULL) receives the runner, else it is freed. */
static int run_backend(const dwmtj_weights *net, dwmtj_infer_options o, dwmtj_session *s,
                       const unsigned char *img, const uint64_t *idx, int n, int repeats,
                       int warm, dwmtj_infer_result *res, struct timing *t, dwmtj_infer **keep)
{
    dwmtj_infer *ctx = NULL;
    char *err = NULL;
    memset(t, 0, sizeof *t);
    t->n = n;
    t->repeats = repeats;
    t->klu = o.backend == DWMTJ_INFER_KLU;
    size_t nr = (size_t)n * repeats;
    double *cpu = malloc(sizeof(double) * nr), *wall = malloc(sizeof(double) * nr);
    double *lin = malloc(sizeof(double) * nr);
    double *rc_ = malloc(sizeof(double) * repeats), *rw = malloc(sizeof(double) * repeats);
    double *rl = malloc(sizeof(double) * repeats), *rn = malloc(sizeof(double) * repeats);
    double *rq = malloc(sizeof(double) * repeats);
    t->img_cpu = malloc(sizeof(double) * n);
    t->img_wall = malloc(sizeof(double) * n);
    int ret = -1;
    if (!cpu || !wall || !lin || !rc_ || !rw || !rl || !rn || !rq || !t->img_cpu ||
        !t->img_wall) {
        dwmtj_error("out of memory");
        goto end;
    }
    double w0 = bench_wall_s();
    int rc = dwmtj_infer_create(&ctx, s, net, &o, &err);
    t->create_s = bench_wall_s() - w0;
    if (rc != DWMTJ_H_OK) {
        dwmtj_error("bench: %s", err ? err : dwmtj_h_status_string(rc));
        goto end;
    }
    dwmtj_engine_stats st;
    double first = 0.0;
    if (warm) {
        dwmtj_infer_results_free(res, 1);
        w0 = bench_wall_s();
        rc = dwmtj_infer_run(ctx, img, idx, 1, res);
        first = bench_wall_s() - w0;
        dwmtj_infer_engine_stats(ctx, &st); /* drops the warm-up's share */
    }
    for (int r = 0; r < repeats && rc == DWMTJ_H_OK; r++) {
        double sc = 0.0, sw = 0.0, sl = 0.0, sq = 0.0;
        for (int k = 0; k < n && rc == DWMTJ_H_OK; k++) {
            dwmtj_infer_results_free(res + k, 1); /* of the earlier repeat */
            double c0 = bench_cpu_s(), t0 = bench_wall_s();
            rc = dwmtj_infer_run(ctx, img + (size_t)k * net->size[0], idx + k, 1, res + k);
            double c = bench_cpu_s() - c0, w = bench_wall_s() - t0;
            dwmtj_infer_engine_stats(ctx, &st);
            dwmtj_engine_stats_add(&t->work, &st);
            cpu[(size_t)k * repeats + r] = c;
            wall[(size_t)k * repeats + r] = w;
            lin[(size_t)k * repeats + r] = st.seconds_linear;
            sc += c;
            sw += w;
            sl += st.seconds_linear;
            sq += st.seconds_newton;
        }
        rc_[r] = sc / n;
        rw[r] = sw / n;
        rl[r] = sl / n;
        rq[r] = sq / n;
        rn[r] = NAN;
    }
    if (rc != DWMTJ_H_OK) {
        dwmtj_error("bench: %s", dwmtj_infer_error(ctx));
        goto end;
    }
    for (int k = 0; k < n; k++) {
        t->img_cpu[k] = bench_median(cpu + (size_t)k * repeats, repeats);
        t->img_wall[k] = bench_median(wall + (size_t)k * repeats, repeats);
    }
    t->setup_s = t->create_s + (warm ? fmax(0.0, first - t->img_wall[0]) : 0.0);
    bench_time_of(&t->image, rc_, rw, repeats);
    bench_time_of(&t->cross, rn, rl, repeats);
    bench_time_of(&t->neur, rn, rq, repeats);
    if (!t->klu) /* ngspice: no engine statistics */
        t->cross.wall_min = t->cross.wall_median = t->cross.wall_max = t->neur.wall_min =
            t->neur.wall_median = t->neur.wall_max = NAN;
    int nw = 0;
    const char *w1 = dwmtj_infer_warning(ctx, &nw);
    if (nw > 0)
        fprintf(stderr, "dwmtj bench: warning: %d device warnings, the first: %s\n", nw, w1);
    ret = 0;
    if (keep) {
        *keep = ctx;
        ctx = NULL;
    }
end:
    free(err);
    free(cpu);
    free(wall);
    free(lin);
    free(rc_);
    free(rw);
    free(rl);
    free(rn);
    free(rq);
    dwmtj_infer_free(ctx);
    if (ret != 0)
        timing_free(t);
    return ret;
}

/* The per-neuron floor: the network on the circuit's weights (the map's
 * eff) with the circuit's drive rule (clamp of the continuous current,
 * clamp_ramp = 1, as dwmtj infer --network-clamp continuous), one image at
 * a time on one thread, repeats times: s per image into *t. */
static int neuron_floor(const dwmtj_weights *eff, double i_max, const unsigned char *img,
                        const uint64_t *idx, int n, int repeats, bench_time *t)
{
    dwmtj_snn_ws *ws = NULL;
    int st = dwmtj_snn_ws_create(&ws, eff, 1);
    double *cpu = malloc(sizeof(double) * repeats), *wall = malloc(sizeof(double) * repeats);
    if (st != DWMTJ_SNN_OK || !cpu || !wall) {
        dwmtj_error("network: %s", st != DWMTJ_SNN_OK ? dwmtj_snn_status_string(st)
                                                       : "out of memory");
        goto fail;
    }
    ws->opt.i_max = i_max;
    ws->opt.clamp_ramp = 1;
    ws->opt.threads = 1;
    int key = (int)idx[0], pred;
    st = dwmtj_snn_forward(ws, eff, img, &key, 1, &pred, NULL); /* warm */
    for (int r = 0; r < repeats && st == DWMTJ_SNN_OK; r++) {
        double c0 = bench_cpu_s(), w0 = bench_wall_s();
        for (int k = 0; k < n && st == DWMTJ_SNN_OK; k++) {
            key = (int)idx[k];
            st = dwmtj_snn_forward(ws, eff, img + (size_t)k * eff->size[0], &key, 1, &pred,
                                   NULL);
        }
        cpu[r] = (bench_cpu_s() - c0) / n;
        wall[r] = (bench_wall_s() - w0) / n;
    }
    if (st != DWMTJ_SNN_OK) {
        dwmtj_error("network: %s", dwmtj_snn_status_string(st));
        goto fail;
    }
    bench_time_of(t, cpu, wall, repeats);
    free(cpu);
    free(wall);
    dwmtj_snn_ws_free(ws);
    return 0;
fail:
    free(cpu);
    free(wall);
    dwmtj_snn_ws_free(ws);
    return -1;
}

/* The floors of net over the n images: layer 0's trains are the images'
 * actual input spikes; a hidden layer's are not exposed by dwmtj_infer,
 * so they carry the image's circuit spike count (res[k].spikes, spread
 * evenly over the non-input neurons) at counter-hashed places. */
struct floors {
    bench_time dense, event; /* s per pass over the n images */
    long events;             /* weight rows added per pass (bias rows included) */
    long synapse_steps;      /* per pass */
    int n;                   /* images per pass */
};

static uint64_t mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int time_floors(const dwmtj_weights *net, const unsigned char *img, const uint64_t *idx,
                       int n, const dwmtj_infer_result *res, double seconds, int repeats,
                       struct floors *fl)
{
    int L = net->n_layers, T = net->steps, ret = -1;
    const unsigned char **tr = calloc((size_t)n * L, sizeof *tr);
    bench_floor f;
    memset(&f, 0, sizeof f);
    memset(fl, 0, sizeof *fl);
    if (!tr)
        goto end;
    long neurons = 0;
    for (int l = 1; l <= L; l++)
        neurons += net->size[l];
    for (int k = 0; k < n; k++) {
        double rate = (double)res[k].spikes / ((double)neurons * T);
        for (int l = 0; l < L; l++) {
            unsigned char *s = malloc((size_t)net->size[l] * T);
            if (!(tr[k * L + l] = s))
                goto end;
            if (l == 0) {
                dwmtj_infer_input_spikes(net, img + (size_t)k * net->size[0], idx[k], s);
                continue;
            }
            for (size_t p = 0; p < (size_t)net->size[l] * T; p++) {
                uint64_t h = mix64(idx[k] ^ mix64(((uint64_t)l << 40) ^ p));
                s[p] = (double)(h >> 11) * 0x1p-53 < rate;
            }
        }
    }
    if (bench_floor_build(&f, net, n, tr) != 0)
        goto end;
    if (bench_floor_time(&f, BENCH_FLOOR_DENSE, seconds, repeats, &fl->dense) != 0 ||
        bench_floor_time(&f, BENCH_FLOOR_EVENT, seconds, repeats, &fl->event) != 0)
        goto end;
    fl->events = f.events;
    fl->synapse_steps = f.synapse_steps;
    fl->n = n;
    ret = 0;
end:
    if (ret != 0)
        dwmtj_error("out of memory");
    for (int k = 0; tr && k < n * L; k++)
        free((void *)tr[k]);
    free(tr);
    bench_floor_free(&f);
    return ret;
}

/* mpirun on PATH (or $DWMTJ_MPIRUN) into buf; NULL when there is none. */
static const char *find_mpirun(char *buf, size_t n)
{
    const char *m = getenv("DWMTJ_MPIRUN");
    if (m && *m) {
        snprintf(buf, n, "%s", m);
        return access(buf, X_OK) == 0 ? buf : NULL;
    }
    const char *path = getenv("PATH");
    while (path && *path) {
        size_t len = strcspn(path, ":");
        if (len > 0 && snprintf(buf, n, "%.*s/mpirun", (int)len, path) < (int)n &&
            access(buf, X_OK) == 0)
            return buf;
        path += len + (path[len] == ':');
    }
    return NULL;
}

/* One run of argv (its standard output to /dev/null, its standard error
 * into errf): wall and CPU time (the child's and its waited-for
 * descendants', from wait4).  Returns its exit status, -1 when it could not
 * run or was killed. */
static int run_child(char *const *argv, FILE *errf, double *cpu, double *wall)
{
    double w0 = bench_wall_s();
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0)
            dup2(fd, 1);
        dup2(fileno(errf), 2);
        execv(argv[0], argv);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid)
        return -1;
    *wall = bench_wall_s() - w0;
    *cpu = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
           (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The last n bytes of what errf holds, to our standard error. */
static void show_tail(FILE *errf, long n)
{
    fflush(errf);
    long end = ftell(errf);
    if (end <= 0 || fseek(errf, end > n ? end - n : 0, SEEK_SET) != 0)
        return;
    char buf[4096];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, errf)) > 0)
        fwrite(buf, 1, k, stderr);
}

/* dwmtj infer --backend klu of --ranks-images test images under mpirun -np 1
 * and -np 2, alternately, repeats times each: s per run into t[0], t[1].
 * Returns 0; 1 (and *why) when it cannot run; -1 when a run failed. */
static int time_ranks(const struct bench_args *a, const char *net_path, bench_time t[2],
                      const char **why)
{
    char mpirun[4096], self[4096], n[16];
    if (!a->ranks2) {
        *why = "not asked for (--ranks2)";
        return 1;
    }
    if (!find_mpirun(mpirun, sizeof mpirun)) {
        *why = "no mpirun on PATH";
        return 1;
    }
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0) {
        *why = "cannot find the dwmtj program (/proc/self/exe)";
        return 1;
    }
    self[len] = '\0';
    snprintf(n, sizeof n, "%d", a->ranks_images);
    int R = a->repeats, ret = -1;
    double *c = malloc(sizeof(double) * 4 * R);
    FILE *errf = tmpfile(); /* the runs' messages, shown when one fails */
    if (!c || !errf) {
        dwmtj_error(!c ? "out of memory" : "bench: cannot make a temporary file");
        free(c);
        if (errf)
            fclose(errf);
        return -1;
    }
    for (int r = 0; r < R; r++)
        for (int k = 0; k < 2; k++) {
            /* root in containers; no more ranks than cores is not checked */
            char *argv[24] = { mpirun, "--allow-run-as-root", "--oversubscribe", "-np",
                               k ? "2" : "1", self, "infer", "--backend", "klu", "--net",
                               (char *)net_path, "--images", n, "--json", "--allow-unsafe",
                               "--klu-steps", (char *)dwmtj_infer_steps_names[a->klu_steps] };
            int m = 17; /* speed at the paper's operating point, as the rest of bench */
            if (a->data) {
                argv[m++] = "--data";
                argv[m++] = (char *)a->data;
            }
            argv[m] = NULL;
            double *cpu = c + (size_t)(2 * k) * R, *wall = cpu + R;
            fflush(errf);
            if (fseek(errf, 0, SEEK_SET) != 0 || ftruncate(fileno(errf), 0) != 0) {
                dwmtj_error("bench: cannot reuse the temporary file");
                goto end;
            }
            int st = run_child(argv, errf, &cpu[r], &wall[r]);
            if (st != 0) {
                show_tail(errf, 6000);
                dwmtj_error("bench: %s -np %d %s infer --backend klu --net %s --images %s: "
                            "%s %d", mpirun, k + 1, self, net_path, n,
                            st < 0 ? "did not run or was killed" : "exit status", st);
                goto end;
            }
        }
    bench_time_of(&t[0], c, c + R, R);
    bench_time_of(&t[1], c + 2 * R, c + 3 * R, R);
    ret = 0;
end:
    free(c);
    fclose(errf);
    return ret;
}

/* A DW-MTJ network of L layers of the given sizes, with the reference
 * network's drive scalars and seeded weights and biases. */
static int random_net(dwmtj_weights *n, const dwmtj_weights *ref, int L, const int *size)
{
    if (dwmtj_weights_alloc(n, L, size) != 0)
        return -1;
    n->kind = DWMTJ_KIND_DWMTJ;
    n->steps = ref->steps;
    n->dt = ref->dt;
    n->gain = ref->gain;
    n->input_rate = ref->input_rate;
    n->seed = 7;
    n->input_side = 0;
    if (dwmtj_snn_init_weights(n, 11, 1.0) != 0)
        return -1;
    for (int l = 0; l < L; l++)
        for (int o = 0; o < size[l + 1]; o++)
            n->b[l][o] = 0.05f;
    return 0;
}

/* A one-layer network of rows inputs and cols neurons. */
static int crossbar_net(dwmtj_weights *n, const dwmtj_weights *ref, int rows, int cols)
{
    int size[2] = { rows, cols };
    return random_net(n, ref, 1, size);
}

/* Everything measured on one circuit (the network or a crossbar). */
struct bench_case {
    long syn, neurons;
    int T, n, m;             /* steps; images through klu, through ngspice */
    struct timing klu, ng, wired;
    int have_ng, have_wired, have_neuron;
    double ng_session_s;     /* s, wall: opening libngspice and the code model */
    bench_time neuron;       /* s per image, the per-neuron floor */
    struct floors fl;
    double *speedup;         /* m: ngspice CPU / klu CPU, image by image */
    double sp_min, sp_median, sp_max;
    int same_class, same_spikes;
};

static void case_free(struct bench_case *c)
{
    timing_free(&c->klu);
    timing_free(&c->ng);
    timing_free(&c->wired);
    free(c->speedup);
    c->speedup = NULL;
}

/* The speedups image by image and their range. */
static int case_speedups(struct bench_case *c, const dwmtj_infer_result *rk,
                         const dwmtj_infer_result *rn)
{
    c->sp_min = c->sp_median = c->sp_max = NAN;
    if (!c->have_ng || c->m == 0)
        return 0;
    c->speedup = malloc(sizeof(double) * c->m);
    double *v = malloc(sizeof(double) * c->m);
    if (!c->speedup || !v) {
        free(v);
        dwmtj_error("out of memory");
        return -1;
    }
    for (int k = 0; k < c->m; k++) {
        v[k] = c->speedup[k] = c->ng.img_cpu[k] / c->klu.img_cpu[k];
        c->same_class += rk[k].pred == rn[k].pred;
        c->same_spikes += rk[k].spikes == rn[k].spikes;
    }
    c->sp_median = bench_median(v, c->m);
    c->sp_min = v[0];
    c->sp_max = v[c->m - 1];
    free(v);
    return 0;
}

/* One circuit: n images through klu (after a warm-up), the per-neuron
 * floor, m through ngspice, wired_n through klu with r_wire (0 = none),
 * then the floors over the n images. */
static int run_case(const dwmtj_weights *net, const struct bench_args *a, dwmtj_session *s,
                    const unsigned char *img, const uint64_t *idx, int n, int m, int wired_n,
                    double r_wire, struct bench_case *c)
{
    memset(c, 0, sizeof *c);
    c->syn = synapses(net);
    for (int l = 1; l <= net->n_layers; l++)
        c->neurons += net->size[l];
    c->T = net->steps;
    c->n = n;
    c->m = m;
    int ret = -1;
    dwmtj_infer *kctx = NULL;
    dwmtj_infer_result *rk = calloc((size_t)n, sizeof *rk);
    dwmtj_infer_result *rn = calloc((size_t)(m > 0 ? m : 1), sizeof *rn);
    dwmtj_infer_result *rw = calloc((size_t)(wired_n > 0 ? wired_n : 1), sizeof *rw);
    if (!rk || !rn || !rw) {
        dwmtj_error("out of memory");
        goto end;
    }
    dwmtj_infer_options o;
    dwmtj_infer_defaults(&o);
    o.allow_unsafe = 1; /* a benchmark of speed at the paper's operating point */
    o.backend = DWMTJ_INFER_KLU;
    o.klu_steps = a->klu_steps;
    if (run_backend(net, o, NULL, img, idx, n, a->repeats, 1, rk, &c->klu, &kctx) != 0)
        goto end;
    if (neuron_floor(&dwmtj_infer_get_map(kctx)->eff, o.i_max, img, idx, n, a->repeats,
                     &c->neuron) != 0)
        goto end;
    c->have_neuron = 1;
    if (wired_n > 0 && r_wire > 0.0) {
        dwmtj_infer_options ow = o;
        ow.r_wire = r_wire;
        if (run_backend(net, ow, NULL, img, idx, wired_n, a->repeats, 1, rw, &c->wired,
                        NULL) != 0)
            goto end;
        c->have_wired = 1;
    }
    if (m > 0) {
        dwmtj_infer_defaults(&o); /* ngspice */
        o.allow_unsafe = 1; /* a benchmark of speed at the paper's operating point */
        /* an image costs seconds there: no warm-up run, image 0 counts */
        if (run_backend(net, o, s, img, idx, m, a->ng_repeats, 0, rn, &c->ng, NULL) != 0)
            goto end;
        c->have_ng = 1;
    }
    if (case_speedups(c, rk, rn) != 0)
        goto end;
    if (time_floors(net, img, idx, n, rk, a->floor_s, a->repeats, &c->fl) != 0)
        goto end;
    ret = 0;
end:
    dwmtj_infer_free(kctx);
    dwmtj_infer_results_free(rk, n);
    dwmtj_infer_results_free(rn, m);
    dwmtj_infer_results_free(rw, wired_n);
    free(rk);
    free(rn);
    free(rw);
    if (ret != 0)
        case_free(c);
    return ret;
}

/* ---- derived figures ---------------------------------------------------- */

/* s per image -> ns per synapse-timestep */
static double ns_syn(const struct bench_case *c)
{
    return 1e9 / ((double)c->syn * c->T);
}

static bench_time dense_per_image(const struct bench_case *c)
{
    return bench_time_scaled(&c->fl.dense, 1.0 / c->fl.n);
}

static bench_time event_per_image(const struct bench_case *c)
{
    return bench_time_scaled(&c->fl.event, 1.0 / c->fl.n);
}

static double engine_over_neuron(const struct bench_case *c)
{
    return c->have_neuron ? c->klu.image.cpu_median / c->neuron.cpu_median : NAN;
}

/* the engine's statistics time its linear groups by wall clock only */
static double crossbar_over_event(const struct bench_case *c)
{
    return c->klu.cross.wall_median / event_per_image(c).wall_median;
}

static double spread(double lo, double med, double hi)
{
    return (hi - lo) / med;
}

static double peak_rss_kib(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? (double)ru.ru_maxrss : NAN; /* KiB on Linux */
}

/* ---- JSON --------------------------------------------------------------- */

static void json_time(dwmtj_json *j, const char *key, const bench_time *t)
{
    dwmtj_json_object(j, key);
    dwmtj_json_int(j, "runs", t->n);
    dwmtj_json_num(j, "cpu_min", t->cpu_min);
    dwmtj_json_num(j, "cpu_median", t->cpu_median);
    dwmtj_json_num(j, "cpu_max", t->cpu_max);
    dwmtj_json_num(j, "wall_min", t->wall_min);
    dwmtj_json_num(j, "wall_median", t->wall_median);
    dwmtj_json_num(j, "wall_max", t->wall_max);
    dwmtj_json_end(j);
}

static void json_nums(dwmtj_json *j, const char *key, const double *v, int n)
{
    dwmtj_json_array(j, key);
    for (int k = 0; k < n; k++)
        dwmtj_json_num(j, NULL, v[k]);
    dwmtj_json_end(j);
}

static void json_backend(dwmtj_json *j, const char *key, const struct timing *t,
                         const struct bench_case *c)
{
    dwmtj_json_object(j, key);
    dwmtj_json_int(j, "images", t->n);
    dwmtj_json_int(j, "repeats", t->repeats);
    dwmtj_json_num(j, "create_seconds", t->create_s);
    dwmtj_json_num(j, "setup_seconds", t->setup_s);
    json_time(j, "seconds_per_image", &t->image);
    bench_time ns = bench_time_scaled(&t->image, ns_syn(c));
    json_time(j, "ns_per_synapse_timestep", &ns);
    if (t->klu) {
        json_time(j, "crossbar_seconds_per_image", &t->cross);
        ns = bench_time_scaled(&t->cross, ns_syn(c));
        json_time(j, "crossbar_ns_per_synapse_timestep", &ns);
        json_time(j, "neuron_part_seconds_per_image", &t->neur);
        ns = bench_time_scaled(&t->neur, 1e9 / ((double)c->neurons * c->T));
        json_time(j, "neuron_part_ns_per_neuron_timestep", &ns);
        double runs = (double)t->n * t->repeats;
        dwmtj_json_object(j, "engine_per_image");
        dwmtj_json_num(j, "time_points", t->work.time_points / runs);
        dwmtj_json_num(j, "newton_iterations", t->work.newton_iterations / runs);
        dwmtj_json_num(j, "block_factorisations", t->work.refactors / runs);
        dwmtj_json_num(j, "groups_dense", t->work.groups_dense / runs);
        dwmtj_json_num(j, "groups_klu", t->work.groups_klu / runs);
        dwmtj_json_num(j, "groups_split", t->work.groups_split / runs);
        dwmtj_json_num(j, "groups_open", t->work.groups_open / runs);
        dwmtj_json_num(j, "groups_folded", t->work.groups_folded / runs);
        dwmtj_json_end(j);
    }
    json_nums(j, "image_cpu_seconds", t->img_cpu, t->n);
    json_nums(j, "image_wall_seconds", t->img_wall, t->n);
    dwmtj_json_end(j);
}

static void json_case(dwmtj_json *j, const struct bench_case *c)
{
    dwmtj_json_int(j, "synapses", c->syn);
    dwmtj_json_int(j, "neurons", c->neurons);
    dwmtj_json_int(j, "steps", c->T);
    json_backend(j, "klu", &c->klu, c);
    if (c->have_wired)
        json_backend(j, "klu_wired", &c->wired, c);
    if (c->have_ng) {
        json_backend(j, "ngspice", &c->ng, c);
        json_nums(j, "speedup_per_image", c->speedup, c->m);
        dwmtj_json_int(j, "same_class", c->same_class);
        dwmtj_json_int(j, "same_spikes", c->same_spikes);
        dwmtj_json_int(j, "compared", c->m);
    }
    dwmtj_json_num(j, "speedup_min", c->sp_min);
    dwmtj_json_num(j, "speedup_median", c->sp_median);
    dwmtj_json_num(j, "speedup_max", c->sp_max);
    dwmtj_json_object(j, "neuron_floor");
    json_time(j, "seconds_per_image", &c->neuron);
    dwmtj_json_end(j);
    bench_time d = dense_per_image(c), e = event_per_image(c);
    bench_time dn = bench_time_scaled(&c->fl.dense, 1e9 / (double)c->fl.synapse_steps);
    bench_time en = bench_time_scaled(&c->fl.event, 1e9 / (double)c->fl.synapse_steps);
    bench_time ee = bench_time_scaled(&c->fl.event, 1e9 / (double)c->fl.events);
    dwmtj_json_object(j, "dense_floor");
    json_time(j, "seconds_per_image", &d);
    json_time(j, "ns_per_synapse_timestep", &dn);
    dwmtj_json_end(j);
    dwmtj_json_object(j, "event_floor");
    json_time(j, "seconds_per_image", &e);
    json_time(j, "ns_per_synapse_timestep", &en);
    json_time(j, "ns_per_event", &ee);
    dwmtj_json_num(j, "events_per_image", (double)c->fl.events / c->fl.n);
    dwmtj_json_end(j);
    dwmtj_json_num(j, "engine_over_neuron_floor", engine_over_neuron(c));
    dwmtj_json_num(j, "engine_over_dense_floor", c->klu.image.cpu_median / d.cpu_median);
    dwmtj_json_num(j, "engine_over_event_floor", c->klu.image.cpu_median / e.cpu_median);
    dwmtj_json_num(j, "crossbar_over_event_floor", crossbar_over_event(c));
}

/* ---- text --------------------------------------------------------------- */

static void text_num(double v)
{
    if (isfinite(v))
        printf(" %11.4g", v);
    else
        printf(" %11s", "-");
}

/* one figure's row; "-" where it is not measured (the engine's crossbar
 * part has wall time only) */
static void text_row(const char *name, const bench_time *t, double k)
{
    printf("  %-34s", name);
    text_num(k * t->cpu_min);
    text_num(k * t->cpu_median);
    text_num(k * t->wall_min);
    text_num(k * t->wall_median);
    printf("\n");
}

static void text_case(const struct bench_case *c)
{
    double ns = ns_syn(c);
    bench_time d = dense_per_image(c), e = event_per_image(c);
    printf("  %-34s %11s %11s %11s %11s\n", "figure", "cpu min", "cpu median", "wall min",
           "wall median");
    text_row("klu s/image", &c->klu.image, 1.0);
    text_row("klu ns/syn-step", &c->klu.image, ns);
    text_row("klu crossbar part ns/syn-step", &c->klu.cross, ns);
    text_row("klu neuron part ns/neuron-step", &c->klu.neur,
             1e9 / ((double)c->neurons * c->T));
    if (c->have_wired)
        text_row("klu wired ns/syn-step", &c->wired.image, ns);
    if (c->have_ng) {
        text_row("ngspice s/image", &c->ng.image, 1.0);
        text_row("ngspice ns/syn-step", &c->ng.image, ns);
    }
    text_row("neuron floor s/image", &c->neuron, 1.0);
    text_row("dense floor ns/syn-step", &c->fl.dense, 1e9 / (double)c->fl.synapse_steps);
    text_row("event floor ns/syn-step", &c->fl.event, 1e9 / (double)c->fl.synapse_steps);
    text_row("event floor ns/event", &c->fl.event, 1e9 / (double)c->fl.events);
    printf("  floors' spread (max-min)/median, cpu: dense %.1f %%, event %.1f %%; "
           "%.0f events (weight rows) per image\n",
           100 * spread(c->fl.dense.cpu_min, c->fl.dense.cpu_median, c->fl.dense.cpu_max),
           100 * spread(c->fl.event.cpu_min, c->fl.event.cpu_median, c->fl.event.cpu_max),
           (double)c->fl.events / c->fl.n);
    const dwmtj_engine_stats *w = &c->klu.work;
    double runs = (double)c->klu.n * c->klu.repeats;
    printf("  klu engine per image: %.0f time points, %.0f Newton iterations, %.0f block "
           "factorisations; Newton groups %.0f dense, %.0f in KLU, %.0f on their own points "
           "(%.0f in closed form, %.0f on folded lines)\n",
           w->time_points / runs, w->newton_iterations / runs, w->refactors / runs,
           w->groups_dense / runs, w->groups_klu / runs, w->groups_split / runs,
           w->groups_open / runs, w->groups_folded / runs);
    printf("  setup (wall): klu %.3g s (create %.3g s)", c->klu.setup_s, c->klu.create_s);
    if (c->have_wired)
        printf(", klu wired %.3g s", c->wired.setup_s);
    if (c->have_ng)
        printf(", ngspice create %.3g s", c->ng.create_s);
    printf("\n");
    if (c->have_ng) {
        printf("  speedup per image (ngspice cpu / klu cpu):");
        for (int k = 0; k < c->m; k++)
            printf(" %.0f", c->speedup[k]);
        printf("\n    min %.0f, median %.0f, max %.0f; same class %d/%d, same spikes %d/%d\n",
               c->sp_min, c->sp_median, c->sp_max, c->same_class, c->m, c->same_spikes, c->m);
    }
    printf("  ratios (cpu medians): klu / neuron floor %.3g, klu / dense floor %.3g, "
           "klu / event floor %.3g;\n    crossbar part / event floor %.3g (wall medians)\n",
           engine_over_neuron(c), c->klu.image.cpu_median / d.cpu_median,
           c->klu.image.cpu_median / e.cpu_median, crossbar_over_event(c));
}

/* ---- markdown ----------------------------------------------------------- */

static void md_num(double v, const char *fmt)
{
    if (isfinite(v))
        printf(fmt, v);
    else
        printf("–");
    printf(" | ");
}

/* One row of doc/engine.md's table (its header: md_header). */
static void md_row(const char *name, const struct bench_case *c)
{
    bench_time e = event_per_image(c);
    bench_time dn = bench_time_scaled(&c->fl.dense, 1e9 / (double)c->fl.synapse_steps);
    bench_time en = bench_time_scaled(&c->fl.event, 1e9 / (double)c->fl.synapse_steps);
    printf("| %s | %ld | %ld | ", name, c->syn, c->neurons);
    md_num(c->klu.image.cpu_median, "%.3g");
    md_num(c->neuron.cpu_median, "%.3g");
    md_num(engine_over_neuron(c), "**%.2f**");
    md_num(c->klu.cross.wall_median * ns_syn(c), "%.3g");
    md_num(en.wall_median, "%.3g");
    md_num(c->klu.cross.wall_median / e.wall_median, "**%.2f**");
    md_num(c->klu.neur.wall_median * 1e9 / ((double)c->neurons * c->T), "%.0f");
    md_num(dn.cpu_median, "%.3g");
    md_num(c->klu.setup_s, "%.2g");
    md_num(c->have_ng ? c->ng.image.cpu_median : NAN, "%.3g");
    if (c->have_ng)
        printf("%.0f / %.0f / %.0f |\n", c->sp_min, c->sp_median, c->sp_max);
    else
        printf("– |\n");
}

static void md_header(void)
{
    printf("| circuit | synapses | neurons | klu s/image | neuron floor s/image | klu / neuron "
           "floor | crossbar part ns/syn-step (wall) | event floor ns/syn-step (wall) | "
           "crossbar / event floor | neuron part ns/neuron-step (wall) | dense floor "
           "ns/syn-step | klu setup s (wall) | ngspice s/image | speedup min / median / max "
           "|\n");
    printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
}

int dwmtj_cmd_bench(int argc, char **argv)
{
    struct bench_args a;
    int help, code = parse_args(argc, argv, &a, &help);
    if (code != 0)
        return code;
    if (help) {
        dwmtj_usage_bench(stdout);
        return fflush(stdout) == 0 ? DWMTJ_EXIT_OK : DWMTJ_EXIT_OUTPUT;
    }
    char def_path[4096];
    const char *net_path = a.net ? a.net : dwmtj_network_path(def_path, sizeof def_path,
                                                               "dwmtj-fmnist.net");
    dwmtj_weights net;
    dwmtj_dataset d = { 0 };
    dwmtj_session *s = NULL;
    char *err = NULL;
    unsigned char *img = NULL;
    uint64_t *idx = NULL;
    struct bench_case nc, sz[MAX_SIZES], wd[MAX_SIZES];
    int n_done = 0, n_wd = 0;
    memset(&net, 0, sizeof net);
    memset(&nc, 0, sizeof nc);
    memset(sz, 0, sizeof sz);
    memset(wd, 0, sizeof wd);
    code = DWMTJ_EXIT_SIM;
    if (dwmtj_weights_load(&net, net_path, &err) != 0) {
        dwmtj_error("%s", err ? err : net_path);
        goto end;
    }
    if (net.kind != DWMTJ_KIND_DWMTJ && net.kind != DWMTJ_KIND_DWMTJ_NOISY) {
        dwmtj_error("%s: not a DW-MTJ network", net_path);
        code = DWMTJ_EXIT_USAGE;
        goto end;
    }
    if (dwmtj_dataset_load_dir(&d, a.data, 1, &err) != 0) {
        dwmtj_error("%s", err ? err : "data set");
        goto end;
    }
    int side = net.input_side > 0 ? net.input_side : d.rows;
    if (side != d.rows &&
        (d.rows % side != 0 || dwmtj_dataset_downsample(&d, d.rows / side, &d) != 0)) {
        dwmtj_error("data set: cannot bring %dx%d images to %dx%d", d.rows, d.cols, side, side);
        goto end;
    }
    if (d.rows * d.cols != net.size[0] || a.images > d.n) {
        dwmtj_error("%s: %d inputs, the data set has %d pixels and %d images", net_path,
                    net.size[0], d.rows * d.cols, d.n);
        goto end;
    }
    double w0 = bench_wall_s();
    int rc = dwmtj_session_open(&s, a.cm);
    double session_s = bench_wall_s() - w0;
    if (rc != DWMTJ_H_OK) {
        dwmtj_error("%s", s ? dwmtj_session_error(s) : dwmtj_h_status_string(rc));
        goto end;
    }
    int N = a.images, M = a.ng_images, most_in = net.size[0];
    for (int k = 0; k < a.n_sizes; k++)
        most_in = a.rows[k] > most_in ? a.rows[k] : most_in;
    img = malloc((size_t)N * most_in);
    idx = malloc(sizeof(uint64_t) * (size_t)N);
    if (!img || !idx) {
        dwmtj_error("out of memory");
        goto end;
    }
    memcpy(img, d.pixels, (size_t)N * net.size[0]);
    for (int k = 0; k < N; k++)
        idx[k] = DWMTJ_SNN_TEST_KEY0 + (uint64_t)k;
    if (!a.json && !a.markdown)
        fprintf(stderr, "bench: network %s, %d images through klu, %d through ngspice, "
                        "%d repeats\n", net_path, N, M, a.repeats);
    if (run_case(&net, &a, s, img, idx, N, M, 0, 0.0, &nc) != 0)
        goto end;
    nc.ng_session_s = session_s;
    bench_time ranks[2];
    const char *ranks_why = NULL;
    if (!a.json && a.ranks2)
        fprintf(stderr, "bench: one rank against two, %d images\n", a.ranks_images);
    int rr = time_ranks(&a, net_path, ranks, &ranks_why);
    if (rr < 0)
        goto end;
    double r2 = rr == 0 ? ranks[0].wall_median / ranks[1].wall_median : NAN;
    /* the hidden widths: the same images, random weights */
    for (int k = 0; k < a.n_widths; k++, n_wd++) {
        int size[4] = { net.size[0], a.width[k], a.width[k], net.size[net.n_layers] };
        dwmtj_weights x;
        if (random_net(&x, &net, 3, size) != 0) {
            dwmtj_error("out of memory");
            dwmtj_weights_free(&x);
            goto end;
        }
        if (!a.json)
            fprintf(stderr, "bench: %d-%d-%d-%d, random weights\n", size[0], size[1], size[2],
                    size[3]);
        int n = N < 8 ? N : 8;
        int bad = run_case(&x, &a, s, img, idx, n, 0, 0, 0.0, &wd[k]) != 0;
        dwmtj_weights_free(&x);
        if (bad)
            goto end;
    }
    /* the crossbars */
    for (int k = 0; k < a.n_sizes; k++, n_done++) {
        dwmtj_weights x;
        if (crossbar_net(&x, &net, a.rows[k], a.cols[k]) != 0) {
            dwmtj_error("out of memory");
            dwmtj_weights_free(&x);
            goto end;
        }
        int n = N < 8 ? N : 8;
        uint64_t h = 12345;
        for (size_t p = 0; p < (size_t)n * a.rows[k]; p++) {
            h = h * 6364136223846793005ULL + 1442695040888963407ULL;
            img[p] = (unsigned char)((h >> 33) % 3 == 0 ? (h >> 40) & 0xFF : 0);
        }
        if (!a.json)
            fprintf(stderr, "bench: crossbar %dx%d\n", a.rows[k], a.cols[k]);
        int m = synapses(&x) <= a.ng_max_syn && M > 0;
        int bad = run_case(&x, &a, s, img, idx, n, m, n < 3 ? n : 3, a.r_wire, &sz[k]) != 0;
        dwmtj_weights_free(&x);
        if (bad)
            goto end;
    }
    double rss = peak_rss_kib();
    if (a.json) {
        dwmtj_json j;
        dwmtj_json_init(&j, stdout, 1);
        dwmtj_json_object(&j, NULL);
        dwmtj_json_str(&j, "ngspice_version", dwmtj_session_ngspice_version(s));
        dwmtj_json_str(&j, "klu_steps", dwmtj_infer_steps_names[a.klu_steps]);
        dwmtj_json_int(&j, "repeats", a.repeats);
        dwmtj_json_int(&j, "ngspice_repeats", a.ng_repeats);
        dwmtj_json_num(&j, "floor_seconds", a.floor_s);
        dwmtj_json_num(&j, "speedup_min", nc.sp_min);
        dwmtj_json_num(&j, "speedup_median", nc.sp_median);
        dwmtj_json_num(&j, "speedup_max", nc.sp_max);
        dwmtj_json_num(&j, "engine_over_neuron_floor", engine_over_neuron(&nc));
        dwmtj_json_num(&j, "crossbar_over_event_floor", crossbar_over_event(&nc));
        dwmtj_json_num(&j, "ranks2_speedup", r2);
        if (rr == 0) {
            dwmtj_json_object(&j, "ranks2");
            dwmtj_json_int(&j, "images", a.ranks_images);
            json_time(&j, "one_rank_seconds", &ranks[0]);
            json_time(&j, "two_ranks_seconds", &ranks[1]);
            dwmtj_json_end(&j);
        } else {
            dwmtj_json_str(&j, "ranks2_reason", ranks_why);
        }
        dwmtj_json_num(&j, "peak_rss_kib", rss);
        dwmtj_json_object(&j, "network");
        dwmtj_json_str(&j, "net", net_path);
        dwmtj_json_num(&j, "ngspice_session_seconds", session_s);
        json_case(&j, &nc);
        dwmtj_json_end(&j);
        dwmtj_json_array(&j, "widths");
        for (int k = 0; k < a.n_widths; k++) {
            dwmtj_json_object(&j, NULL);
            dwmtj_json_int(&j, "hidden", a.width[k]);
            json_case(&j, &wd[k]);
            dwmtj_json_end(&j);
        }
        dwmtj_json_end(&j);
        dwmtj_json_array(&j, "crossbars");
        for (int k = 0; k < a.n_sizes; k++) {
            dwmtj_json_object(&j, NULL);
            dwmtj_json_int(&j, "rows", a.rows[k]);
            dwmtj_json_int(&j, "cols", a.cols[k]);
            if (sz[k].have_wired)
                dwmtj_json_num(&j, "r_wire_ohm", a.r_wire);
            json_case(&j, &sz[k]);
            dwmtj_json_end(&j);
        }
        dwmtj_json_end(&j);
        dwmtj_json_end(&j);
        fputc('\n', stdout);
    } else if (a.markdown) {
        md_header();
        char name[128];
        snprintf(name, sizeof name, "%s", strrchr(net_path, '/') ? strrchr(net_path, '/') + 1
                                                                  : net_path);
        md_row(name, &nc);
        for (int k = 0; k < a.n_widths; k++) {
            snprintf(name, sizeof name, "%d-%d-%d-%d, random", net.size[0], a.width[k],
                     a.width[k], net.size[net.n_layers]);
            md_row(name, &wd[k]);
        }
        for (int k = 0; k < a.n_sizes; k++) {
            snprintf(name, sizeof name, "crossbar %d×%d", a.rows[k], a.cols[k]);
            md_row(name, &sz[k]);
        }
        printf("\nklu time points: %s; %d repeats (ngspice %d); floors >= %g s a run; "
               "speedups over %d images; ",
               dwmtj_infer_steps_names[a.klu_steps], a.repeats, a.ng_repeats, a.floor_s, M);
        if (rr == 0)
            printf("two ranks against one (%d images, wall medians %.3g s, %.3g s): **%.2f**",
                   a.ranks_images, ranks[0].wall_median, ranks[1].wall_median, r2);
        else
            printf("two ranks against one: not measured, %s", ranks_why);
        printf("; peak memory (max RSS) %.0f MiB.\n", rss / 1024.0);
    } else {
        printf("network %s (%ld synapses, T %d), ngspice %s\n", net_path, nc.syn, nc.T,
               dwmtj_session_ngspice_version(s));
        printf("  %d images through klu (%s time points), %d through ngspice; %d repeats "
               "(ngspice %d), floors >= %g s a run; ngspice session %.3g s\n",
               N, dwmtj_infer_steps_names[a.klu_steps], M, a.repeats, a.ng_repeats, a.floor_s,
               session_s);
        text_case(&nc);
        if (rr == 0)
            printf("  two ranks against one (mpirun, dwmtj infer --backend klu, %d images): "
                   "%.3g (wall medians %.3g s, %.3g s)\n",
                   a.ranks_images, r2, ranks[0].wall_median, ranks[1].wall_median);
        else
            printf("  two ranks against one: not measured, %s\n", ranks_why);
        for (int k = 0; k < a.n_widths; k++) {
            printf("\nnetwork %d-%d-%d-%d, random weights (%ld synapses, %ld neurons, T %d), "
                   "%d images\n", net.size[0], a.width[k], a.width[k], net.size[net.n_layers],
                   wd[k].syn, wd[k].neurons, wd[k].T, wd[k].n);
            text_case(&wd[k]);
        }
        for (int k = 0; k < a.n_sizes; k++) {
            printf("\ncrossbar %dx%d (%ld synapses, T %d", a.rows[k], a.cols[k], sz[k].syn,
                   sz[k].T);
            if (sz[k].have_wired)
                printf("; wired: %g ohm per pitch, %d images", a.r_wire, sz[k].wired.n);
            printf("), %d images\n", sz[k].n);
            text_case(&sz[k]);
        }
        printf("\npeak memory (max RSS): %.1f MiB\n", rss / 1024.0);
    }
    code = fflush(stdout) == 0 && !ferror(stdout) ? DWMTJ_EXIT_OK : DWMTJ_EXIT_OUTPUT;
end:
    free(err);
    free(img);
    free(idx);
    case_free(&nc);
    for (int k = 0; k < n_done && k < MAX_SIZES; k++)
        case_free(&sz[k]);
    for (int k = 0; k < n_wd && k < MAX_SIZES; k++)
        case_free(&wd[k]);
    dwmtj_session_close(s);
    dwmtj_dataset_free(&d);
    dwmtj_weights_free(&net);
    return code;
}
