/* dwmtj bench: the same circuits through the ngspice path and the KLU
 * engine in one run (issue 5; doc/engine.md).  Reports images per second
 * and ns per synapse-timestep of each, the speedup, and the ratio to the
 * arithmetic floor, a plain dense matrix-vector product of the same size
 * per time step; then the same for single crossbars of several sizes,
 * with ideal wires and with wire resistance. */
#include "dwmtj_output.h"
#include "dwmtj_data.h"
#include "dwmtj_infer.h"
#include "dwmtj_snn.h"

#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SUB "bench"
#define MAX_SIZES 8

void dwmtj_usage_bench(FILE *f)
{
    fputs("usage: dwmtj bench [--net FILE] [--images N] [--ngspice-images M]\n"
          "                   [--sizes RxC,...] [--ngspice-max-synapses S] [--r-wire OHM]\n"
          "                   [--json] [--data DIR] [--cm PATH]\n"
          "\n"
          "Runs the same generated circuits through both backends in one run:\n"
          "first test images of the trained network (--net), then one-layer\n"
          "crossbars of R inputs x C neurons with random weights and inputs, with\n"
          "ideal wires and with --r-wire per cell pitch.  For each: seconds per\n"
          "image, images per second, ns per synapse-timestep, the speedup of the\n"
          "klu engine over ngspice, and the ratio to the floor: one dense\n"
          "matrix-vector product (doubles) of the same size per time step, timed\n"
          "here.  Ratios are measured in the same run, so a busy machine slows\n"
          "both sides alike.\n"
          "\n"
          "options:\n"
          "  --net FILE        trained network (default: the shipped DW-MTJ network)\n"
          "  --images N        images through the klu engine (default 20)\n"
          "  --ngspice-images M  of those, through ngspice too (default 3; 0 = none)\n"
          "  --sizes LIST      crossbar sizes RxC (default 64x16,256x64,784x100)\n"
          "  --ngspice-max-synapses S  run ngspice on crossbars up to S synapses\n"
          "                    (default 20000)\n"
          "  --r-wire OHM      wire resistance for the wired crossbars, 0 to 1meg\n"
          "                    (default 1; 0 = skip them)\n"
          "  --json            the report as JSON\n"
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
    int images, ng_images, json;
    long ng_max_syn;
    double r_wire;
    int n_sizes, rows[MAX_SIZES], cols[MAX_SIZES];
};

static int parse_sizes(const char *v, struct bench_args *a)
{
    a->n_sizes = 0;
    const char *p = v;
    while (*p) {
        int r, c, n = 0;
        if (a->n_sizes == MAX_SIZES || sscanf(p, "%dx%d%n", &r, &c, &n) != 2 || r < 1 ||
            c < 1 || r > 4096 || c > 1024)
            return -1;
        a->rows[a->n_sizes] = r;
        a->cols[a->n_sizes++] = c;
        p += n;
        if (*p == ',')
            p++;
        else if (*p)
            return -1;
    }
    return a->n_sizes ? 0 : -1;
}

enum {
    O_NET = 0x100,
    O_DATA,
    O_CM,
    O_JSON,
    O_IMAGES,
    O_NG_IMAGES,
    O_NG_MAX_SYN,
    O_SIZES,
    O_R_WIRE
};

static int parse_args(int argc, char **argv, struct bench_args *a, int *help)
{
    static const struct option opts[] = {
        { "net", required_argument, NULL, O_NET },
        { "data", required_argument, NULL, O_DATA },
        { "cm", required_argument, NULL, O_CM },
        { "json", no_argument, NULL, O_JSON },
        { "images", required_argument, NULL, O_IMAGES },
        { "ngspice-images", required_argument, NULL, O_NG_IMAGES },
        { "ngspice-max-synapses", required_argument, NULL, O_NG_MAX_SYN },
        { "sizes", required_argument, NULL, O_SIZES },
        { "r-wire", required_argument, NULL, O_R_WIRE },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    memset(a, 0, sizeof *a);
    a->images = 20;
    a->ng_images = 3; /* ngspice's time varies from image to image */
    a->ng_max_syn = 20000;
    a->r_wire = 1.0;
    parse_sizes("64x16,256x64,784x100", a);
    *help = 0;
    int c, rc = 0, x;
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
        case O_IMAGES: rc = dwmtj_opt_int(SUB, "--images", v, 1, 10000, &a->images); break;
        case O_NG_IMAGES:
            rc = dwmtj_opt_int(SUB, "--ngspice-images", v, 0, 10000, &a->ng_images);
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
    if (a->ng_images > a->images)
        a->ng_images = a->images;
    return 0;
}

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static long synapses(const dwmtj_weights *net)
{
    long syn = 0;
    for (int l = 0; l < net->n_layers; l++)
        syn += (long)(net->size[l] + 1) * net->size[l + 1];
    return syn;
}

/* One backend over n images: seconds per image after the first (which
 * carries the setup: parsing, factoring, the linear map), and the setup. */
struct timing {
    int n;
    double per_image, setup;
    double lin_s, newton_s; /* klu: engine time in the crossbars, the neurons */
};

static int run_backend(const dwmtj_weights *net, dwmtj_infer_options o, dwmtj_session *s,
                       const unsigned char *img, const uint64_t *idx, int n,
                       dwmtj_infer_result *res, struct timing *t)
{
    dwmtj_infer *ctx = NULL;
    char *err = NULL;
    memset(t, 0, sizeof *t);
    int rc = dwmtj_infer_create(&ctx, s, net, &o, &err);
    if (rc != DWMTJ_H_OK) {
        dwmtj_error("bench: %s", err ? err : dwmtj_h_status_string(rc));
        free(err);
        return -1;
    }
    dwmtj_infer_results_free(res, n); /* of an earlier run into the same results */
    double t0 = wall_s();
    rc = dwmtj_infer_run(ctx, img, idx, 1, res);
    double t1 = wall_s();
    dwmtj_engine_stats st;
    dwmtj_infer_engine_stats(ctx, &st); /* drops the first image's share */
    if (rc == DWMTJ_H_OK && n > 1)
        rc = dwmtj_infer_run(ctx, img + net->size[0], idx + 1, n - 1, res + 1);
    double t2 = wall_s();
    if (rc != DWMTJ_H_OK) {
        dwmtj_error("bench: %s", dwmtj_infer_error(ctx));
        dwmtj_infer_free(ctx);
        return -1;
    }
    dwmtj_infer_engine_stats(ctx, &st);
    t->n = n;
    t->per_image = n > 1 ? (t2 - t1) / (n - 1) : t1 - t0;
    t->setup = fmax(0.0, (t1 - t0) - t->per_image);
    int klu = o.backend == DWMTJ_INFER_KLU && n > 1;
    t->lin_s = klu ? st.seconds_linear / (n - 1) : NAN;
    t->newton_s = klu ? st.seconds_newton / (n - 1) : NAN;
    dwmtj_infer_free(ctx);
    return 0;
}

/* The floor: per time step one dense matrix-vector product per layer of
 * the network's size, in doubles; ns per synapse-timestep. */
static double floor_ns(const dwmtj_weights *net)
{
    int L = net->n_layers;
    double *w[DWMTJ_W_MAX_LAYERS] = { 0 }, *x = NULL, *y = NULL;
    int most = 0;
    for (int l = 0; l <= L; l++)
        most = net->size[l] + 1 > most ? net->size[l] + 1 : most;
    x = malloc(sizeof(double) * (size_t)most);
    y = malloc(sizeof(double) * (size_t)most);
    int ok = x && y;
    for (int l = 0; l < L && ok; l++) {
        size_t n = (size_t)(net->size[l] + 1) * net->size[l + 1];
        if (!(w[l] = malloc(sizeof(double) * n)))
            ok = 0;
        for (size_t k = 0; ok && k < n; k++)
            w[l][k] = 1e-6 * (double)((k * 2654435761u) % 1000);
    }
    double ns = NAN;
    if (ok) {
        for (int k = 0; k < most; k++)
            x[k] = (k % 3) ? 0.1 : 0.0;
        volatile double sink = 0.0;
        long reps = 0;
        double t0 = wall_s(), t1 = t0;
        while (t1 - t0 < 0.3) {
            for (int step = 0; step < net->steps; step++)
                for (int l = 0; l < L; l++) {
                    int nin = net->size[l] + 1, nout = net->size[l + 1];
                    for (int o = 0; o < nout; o++) {
                        const double *row = w[l] + (size_t)o * nin;
                        double acc = 0.0;
                        for (int i = 0; i < nin; i++)
                            acc += row[i] * x[i];
                        y[o] = acc;
                    }
                    sink += y[0];
                }
            reps++;
            t1 = wall_s();
        }
        (void)sink;
        ns = 1e9 * (t1 - t0) / ((double)reps * (double)synapses(net) * net->steps);
    }
    for (int l = 0; l < L; l++)
        free(w[l]);
    free(x);
    free(y);
    return ns;
}

/* A one-layer DW-MTJ network of rows inputs and cols neurons, with the
 * reference network's drive scalars and seeded weights and biases. */
static int crossbar_net(dwmtj_weights *n, const dwmtj_weights *ref, int rows, int cols)
{
    int size[2] = { rows, cols };
    if (dwmtj_weights_alloc(n, 1, size) != 0)
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
    for (int o = 0; o < cols; o++)
        n->b[0][o] = 0.05f;
    return 0;
}

struct size_row {
    int rows, cols;
    long syn;
    struct timing klu, wired, ng;
    double floor;
    int same_spikes, compared;
};

static void json_timing(dwmtj_json *j, const char *key, const struct timing *t, long syn,
                        int steps)
{
    dwmtj_json_object(j, key);
    dwmtj_json_int(j, "images", t->n);
    dwmtj_json_num(j, "seconds_per_image", t->per_image);
    dwmtj_json_num(j, "images_per_second", 1.0 / t->per_image);
    dwmtj_json_num(j, "ns_per_synapse_timestep", 1e9 * t->per_image / ((double)syn * steps));
    dwmtj_json_num(j, "setup_seconds", t->setup);
    if (!isnan(t->lin_s)) {
        dwmtj_json_num(j, "crossbar_ns_per_synapse_timestep",
                       1e9 * t->lin_s / ((double)syn * steps));
        dwmtj_json_num(j, "neuron_seconds_per_image", t->newton_s);
    }
    dwmtj_json_end(j);
}

static void text_timing(const char *name, const struct timing *t, long syn, int steps,
                        double fl)
{
    double ns = 1e9 * t->per_image / ((double)syn * steps);
    printf("  %-14s %6d %11.4g %11.4g %13.4g %9.3g", name, t->n, t->per_image,
           1.0 / t->per_image, ns, ns / fl);
    if (!isnan(t->lin_s))
        printf("   (crossbar %.3g ns/syn-step = %.3gx floor)",
               1e9 * t->lin_s / ((double)syn * steps), 1e9 * t->lin_s / ((double)syn * steps) / fl);
    printf("\n");
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
    dwmtj_infer_result *rk = NULL, *rn = NULL;
    struct size_row sz[MAX_SIZES];
    memset(&net, 0, sizeof net);
    memset(sz, 0, sizeof sz);
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
    int rc = dwmtj_session_open(&s, a.cm);
    if (rc != DWMTJ_H_OK) {
        dwmtj_error("%s", s ? dwmtj_session_error(s) : dwmtj_h_status_string(rc));
        goto end;
    }
    int N = a.images, M = a.ng_images, most_in = net.size[0];
    for (int k = 0; k < a.n_sizes; k++)
        most_in = a.rows[k] > most_in ? a.rows[k] : most_in;
    img = malloc((size_t)N * most_in);
    idx = malloc(sizeof(uint64_t) * (size_t)N);
    rk = calloc((size_t)N + 8, sizeof *rk); /* + the wired runs */
    rn = calloc((size_t)N, sizeof *rn);
    if (!img || !idx || !rk || !rn) {
        dwmtj_error("out of memory");
        goto end;
    }
    memcpy(img, d.pixels, (size_t)N * net.size[0]);
    for (int k = 0; k < N; k++)
        idx[k] = DWMTJ_SNN_TEST_KEY0 + (uint64_t)k;
    if (!a.json)
        fprintf(stderr, "bench: network %s, %d images through klu, %d through ngspice\n",
                net_path, N, M);
    dwmtj_infer_options o;
    dwmtj_infer_defaults(&o);
    struct timing tk, tn = { 0 };
    o.backend = DWMTJ_INFER_KLU;
    if (run_backend(&net, o, NULL, img, idx, N, rk, &tk) != 0)
        goto end;
    o.backend = DWMTJ_INFER_NGSPICE;
    if (M > 0 && run_backend(&net, o, s, img, idx, M, rn, &tn) != 0)
        goto end;
    int same_class = 0, same_spikes = 0;
    for (int k = 0; k < M; k++) {
        same_class += rk[k].pred == rn[k].pred;
        same_spikes += rk[k].spikes == rn[k].spikes;
    }
    double fl = floor_ns(&net);
    long syn = synapses(&net);
    /* the crossbars */
    for (int k = 0; k < a.n_sizes; k++) {
        struct size_row *z = &sz[k];
        dwmtj_weights x;
        z->rows = a.rows[k];
        z->cols = a.cols[k];
        if (crossbar_net(&x, &net, z->rows, z->cols) != 0) {
            dwmtj_error("out of memory");
            dwmtj_weights_free(&x);
            goto end;
        }
        z->syn = synapses(&x);
        int n = N < 8 ? N : 8;
        uint64_t h = 12345;
        for (size_t p = 0; p < (size_t)n * z->rows; p++) {
            h = h * 6364136223846793005ULL + 1442695040888963407ULL;
            img[p] = (unsigned char)((h >> 33) % 3 == 0 ? (h >> 40) & 0xFF : 0);
        }
        if (!a.json)
            fprintf(stderr, "bench: crossbar %dx%d\n", z->rows, z->cols);
        dwmtj_infer_options ox;
        dwmtj_infer_defaults(&ox);
        ox.backend = DWMTJ_INFER_KLU;
        int bad = run_backend(&x, ox, NULL, img, idx, n, rk, &z->klu) != 0;
        if (!bad && a.r_wire > 0.0) {
            ox.r_wire = a.r_wire;
            bad = run_backend(&x, ox, NULL, img, idx, n < 3 ? n : 3, rk + n, &z->wired) != 0;
        }
        if (!bad && z->syn <= a.ng_max_syn && M > 0) {
            dwmtj_infer_defaults(&ox);
            bad = run_backend(&x, ox, s, img, idx, 1, rn, &z->ng) != 0;
            z->compared = 1;
            z->same_spikes = rn[0].spikes == rk[0].spikes;
        }
        z->floor = floor_ns(&x);
        dwmtj_weights_free(&x);
        if (bad)
            goto end;
    }
    int T = net.steps;
    if (a.json) {
        dwmtj_json j;
        dwmtj_json_init(&j, stdout, 1);
        dwmtj_json_object(&j, NULL);
        dwmtj_json_str(&j, "ngspice_version", dwmtj_session_ngspice_version(s));
        dwmtj_json_object(&j, "network");
        dwmtj_json_str(&j, "net", net_path);
        dwmtj_json_int(&j, "synapses", syn);
        dwmtj_json_int(&j, "steps", T);
        json_timing(&j, "klu", &tk, syn, T);
        if (M > 0) {
            json_timing(&j, "ngspice", &tn, syn, T);
            dwmtj_json_num(&j, "speedup", tn.per_image / tk.per_image);
            dwmtj_json_int(&j, "same_class", same_class);
            dwmtj_json_int(&j, "same_spikes", same_spikes);
            dwmtj_json_int(&j, "compared", M);
        }
        dwmtj_json_num(&j, "floor_ns_per_synapse_timestep", fl);
        dwmtj_json_num(&j, "klu_over_floor", 1e9 * tk.per_image / ((double)syn * T) / fl);
        dwmtj_json_end(&j);
        dwmtj_json_array(&j, "crossbars");
        for (int k = 0; k < a.n_sizes; k++) {
            const struct size_row *z = &sz[k];
            dwmtj_json_object(&j, NULL);
            dwmtj_json_int(&j, "rows", z->rows);
            dwmtj_json_int(&j, "cols", z->cols);
            dwmtj_json_int(&j, "synapses", z->syn);
            json_timing(&j, "klu", &z->klu, z->syn, T);
            if (a.r_wire > 0.0) {
                dwmtj_json_num(&j, "r_wire_ohm", a.r_wire);
                json_timing(&j, "klu_wired", &z->wired, z->syn, T);
            }
            if (z->compared) {
                json_timing(&j, "ngspice", &z->ng, z->syn, T);
                dwmtj_json_num(&j, "speedup", z->ng.per_image / z->klu.per_image);
                dwmtj_json_int(&j, "same_spikes", z->same_spikes);
            }
            dwmtj_json_num(&j, "floor_ns_per_synapse_timestep", z->floor);
            dwmtj_json_end(&j);
        }
        dwmtj_json_end(&j);
        dwmtj_json_end(&j);
        fputc('\n', stdout);
    } else {
        printf("network %s (%ld synapses, T %d), ngspice %s\n", net_path, syn, T,
               dwmtj_session_ngspice_version(s));
        printf("  %-14s %6s %11s %11s %13s %9s\n", "backend", "images", "s/image", "images/s",
               "ns/syn-step", "x floor");
        text_timing("klu", &tk, syn, T, fl);
        if (M > 0) {
            text_timing("ngspice", &tn, syn, T, fl);
            printf("  speedup of klu over ngspice: %.0fx; same class %d/%d, same spikes %d/%d\n",
                   tn.per_image / tk.per_image, same_class, M, same_spikes, M);
        }
        printf("  floor (dense matrix-vector product per step): %.3g ns per synapse-timestep\n",
               fl);
        printf("\ncrossbars (one layer of dwmtj4t neurons, T %d):\n", T);
        printf("  %-14s %6s %11s %11s %13s %9s\n", "size", "images", "s/image", "images/s",
               "ns/syn-step", "x floor");
        for (int k = 0; k < a.n_sizes; k++) {
            const struct size_row *z = &sz[k];
            char name[64];
            printf("  %dx%d (%ld synapses), floor %.3g ns/syn-step\n", z->rows, z->cols, z->syn,
                   z->floor);
            text_timing("klu", &z->klu, z->syn, T, z->floor);
            if (a.r_wire > 0.0) {
                snprintf(name, sizeof name, "klu %g ohm", a.r_wire);
                text_timing(name, &z->wired, z->syn, T, z->floor);
            }
            if (z->compared) {
                text_timing("ngspice", &z->ng, z->syn, T, z->floor);
                printf("  speedup %.0fx, same spikes %s\n", z->ng.per_image / z->klu.per_image,
                       z->same_spikes ? "yes" : "no");
            }
        }
    }
    code = fflush(stdout) == 0 && !ferror(stdout) ? DWMTJ_EXIT_OK : DWMTJ_EXIT_OUTPUT;
end:
    free(err);
    free(img);
    free(idx);
    if (rk) /* then N is set */
        dwmtj_infer_results_free(rk, N + 8);
    if (rn)
        dwmtj_infer_results_free(rn, N);
    free(rk);
    free(rn);
    dwmtj_session_close(s);
    dwmtj_dataset_free(&d);
    dwmtj_weights_free(&net);
    return code;
}
