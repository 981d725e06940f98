/* Circuit-level inference (infer/): the weight mapping, the input waves,
 * the crossbar's energy against ngspice's own currents, and the shipped
 * small network end to end against the algorithm level. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dwmtj_data.h"
#include "dwmtj_infer.h"
#include "dwmtj_snn.h"
#include "testutil.h"

static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* A DW-MTJ network of the given shape with seeded weights. */
static void make_net(dwmtj_weights *n, int L, const int *size)
{
    ck_assert_int_eq(dwmtj_weights_alloc(n, L, size), 0);
    n->kind = DWMTJ_KIND_DWMTJ;
    n->steps = 40;
    n->gain = 1e-3;
    ck_assert_int_eq(dwmtj_snn_init_weights(n, 5, 2.0), 0);
    for (int l = 0; l < L; l++)
        for (int o = 0; o < size[l + 1]; o++)
            n->b[l][o] = (float)(0.3 * ((double)(mix((uint64_t)(l * 100 + o)) >> 11) /
                                        9007199254740992.0 - 0.5));
}

static char *net_path(const char *file)
{
    static char path[2048];
    const char *src = getenv("DWMTJ_SRCDIR");
    snprintf(path, sizeof path, "%s/networks/%s", src && *src ? src : "..", file);
    return path;
}

/* A shipped small network (196-32-10) and the test set at its 14 x 14
 * pixels. */
static void load_net(dwmtj_weights *net, dwmtj_dataset *d, const char *file)
{
    char *err = NULL;
    ck_assert_msg(dwmtj_weights_load(net, net_path(file), &err) == 0, "%s", err);
    ck_assert_msg(dwmtj_dataset_load_dir(d, NULL, 1, &err) == 0, "%s", err);
    int side = net->input_side > 0 ? net->input_side : d->rows;
    if (side != d->rows)
        ck_assert_int_eq(dwmtj_dataset_downsample(d, d->rows / side, d), 0);
}

/* The one trained for the ideal periphery. */
static void load_small(dwmtj_weights *net, dwmtj_dataset *d)
{
    load_net(net, d, "dwmtj-fmnist-14.net");
}

/* Test images 0..n-1 into idx (and idx32, the network's index, unless
 * NULL), and the default options at the paper's operating point (its
 * 200 uA clamp is outside the SOA) into o. */
static void first_images(dwmtj_infer_options *o, uint64_t *idx, int *idx32, int n)
{
    for (int k = 0; k < n; k++) {
        idx[k] = (uint64_t)k;
        if (idx32)
            idx32[k] = k;
    }
    dwmtj_infer_defaults(o);
    o->allow_unsafe = 1;
}

/* ---- mapping ------------------------------------------------------------- */

START_TEST(test_map_window)
{
    int size[] = { 12, 5, 3 };
    dwmtj_weights n;
    make_net(&n, 2, size);
    dwmtj_infer_options o;
    dwmtj_infer_defaults(&o);
    o.allow_unsafe = 1; /* the paper's 200 uA clamp is outside the SOA */
    dwmtj_infer_map m;
    ck_assert_int_eq(dwmtj_infer_map_build(&n, &o, &m, NULL), DWMTJ_H_OK);
    double span = o.g_max - o.g_min;
    for (int l = 0; l < 2; l++) {
        int nin = size[l], cols = nin + 1, at_max = 0;
        ck_assert_double_eq_tol(m.mirror[l] / (n.gain * m.w_max[l] / (o.v_read * span)), 1.0,
                                1e-12);
        for (int r = 0; r < size[l + 1]; r++)
            for (int i = 0; i < cols; i++) {
                double gp = m.g_plus[l][r * cols + i], gm = m.g_minus[l][r * cols + i];
                double w = i < nin ? n.w[l][r * nin + i] : n.b[l][r];
                ck_assert(gp >= o.g_min - 1e-18 && gp <= o.g_max + 1e-18);
                ck_assert(gm >= o.g_min - 1e-18 && gm <= o.g_max + 1e-18);
                ck_assert(gp == o.g_min || gm == o.g_min); /* one side idle */
                /* the pair's differential current times the mirror is gain * w */
                ck_assert_double_eq_tol(o.v_read * (gp - gm) * m.mirror[l], n.gain * w,
                                        1e-12 * n.gain * m.w_max[l]);
                at_max += fabs(gp - o.g_max) < 1e-18 || fabs(gm - o.g_max) < 1e-18;
            }
        ck_assert_int_eq(at_max, 1); /* only the largest weight uses the whole window */
    }
    dwmtj_infer_map_free(&m);
    dwmtj_infer_map_free(&m); /* twice: harmless */
    dwmtj_weights_free(&n);
}
END_TEST

START_TEST(test_map_levels)
{
    int size[] = { 20, 6 };
    dwmtj_weights n;
    make_net(&n, 1, size);
    dwmtj_infer_options o;
    dwmtj_infer_defaults(&o);
    o.allow_unsafe = 1; /* the paper's 200 uA clamp is outside the SOA */
    o.levels = 5;
    dwmtj_infer_map m;
    ck_assert_int_eq(dwmtj_infer_map_build(&n, &o, &m, NULL), DWMTJ_H_OK);
    double span = o.g_max - o.g_min, wm = m.w_max[0];
    for (int r = 0; r < 6; r++)
        for (int i = 0; i <= 20; i++) {
            double gp = m.g_plus[0][r * 21 + i], gm = m.g_minus[0][r * 21 + i];
            double q = (gp - o.g_min + gm - o.g_min) / span * 4.0;
            ck_assert_double_eq_tol(q, nearbyint(q), 1e-9); /* on one of 5 levels */
            double w = i < 20 ? n.w[0][r * 20 + i] : n.b[0][r];
            double we = i < 20 ? m.eff.w[0][r * 20 + i] : m.eff.b[0][r];
            ck_assert(fabs(we - w) <= wm / 8.0 + 1e-6);
            ck_assert_double_eq_tol((gp - gm) / span * wm, we, 1e-6 * wm);
        }
    dwmtj_infer_map_free(&m);
    dwmtj_weights_free(&n);
}
END_TEST

START_TEST(test_map_errors)
{
    int size[] = { 4, 2 };
    dwmtj_weights n;
    make_net(&n, 1, size);
    dwmtj_infer_options o;
    dwmtj_infer_map m;
    char *err = NULL;
    dwmtj_infer_defaults(&o);
    o.allow_unsafe = 1; /* the paper's 200 uA clamp is outside the SOA */
    n.kind = DWMTJ_KIND_LIF;
    ck_assert_int_eq(dwmtj_infer_map_build(&n, &o, &m, &err), DWMTJ_H_ERR_USAGE);
    ck_assert_msg(err && strstr(err, "LIF"), "%s", err ? err : "(none)");
    free(err);
    n.kind = DWMTJ_KIND_DWMTJ;
    o.g_max = o.g_min;
    ck_assert_int_eq(dwmtj_infer_map_build(&n, &o, &m, &err), DWMTJ_H_ERR_USAGE);
    ck_assert_msg(err && strstr(err, "g_max"), "%s", err ? err : "(none)");
    free(err);
    dwmtj_infer_defaults(&o);
    o.allow_unsafe = 1; /* the paper's 200 uA clamp is outside the SOA */
    o.levels = 1;
    ck_assert_int_eq(dwmtj_infer_map_build(&n, &o, &m, &err), DWMTJ_H_ERR_USAGE);
    ck_assert_msg(err && strstr(err, "levels"), "%s", err ? err : "(none)");
    free(err);
    dwmtj_infer_defaults(&o);
    o.allow_unsafe = 1; /* the paper's 200 uA clamp is outside the SOA */
    o.v_read = -1.0;
    ck_assert_int_eq(dwmtj_infer_map_build(&n, &o, &m, NULL), DWMTJ_H_ERR_USAGE);
    ck_assert_int_eq(dwmtj_infer_map_build(NULL, &o, &m, NULL), DWMTJ_H_ERR_USAGE);
    dwmtj_weights_free(&n);
}
END_TEST

/* ---- input waves ---------------------------------------------------------- */

/* Value at t of the wave through (tp[k], vp[k]), k < n (linear between). */
static double wave_at(const double *tp, const double *vp, int n, double t)
{
    for (int k = 1; k < n; k++)
        if (t <= tp[k] + 1e-21)
            return vp[k - 1] + (vp[k] - vp[k - 1]) * (t - tp[k - 1]) / (tp[k] - tp[k - 1]);
    return vp[n - 1];
}

START_TEST(test_pwl)
{
    enum { T = 60 };
    const double dt = 0.1e-9, v = 0.1;
    unsigned char s[T];
    for (int t = 0; t < T; t++)
        s[t] = (unsigned char)((mix((uint64_t)t * 7 + 1) >> 62) == 0 || (t > 20 && t < 30));
    double tw[T + 1], vw[T + 1], ta[T + 1], va[T + 1];
    int nw = dwmtj_infer_pwl_points(s, T, dt, v, 0, tw, vw);
    int na = dwmtj_infer_pwl_points(s, T, dt, v, 1, ta, va);
    ck_assert_int_eq(na, T + 1);
    ck_assert_int_lt(nw, na); /* the run 21..29 has collinear points */
    for (int k = 0; k <= T; k++) {
        double want = k == 0 ? 0.0 : (s[k - 1] ? v : 0.0);
        ck_assert_double_eq_tol(wave_at(tw, vw, nw, k * dt), want, 1e-12);
        ck_assert_double_eq_tol(wave_at(ta, va, na, k * dt), want, 1e-12);
    }
    /* integral of v^2: midpoint rule on a fine grid */
    double e = 0.0, h = dt / 200.0;
    for (int k = 0; k < T * 200; k++) {
        double x = wave_at(ta, va, na, (k + 0.5) * h);
        e += x * x * h;
    }
    ck_assert_double_eq_tol(dwmtj_infer_pwl_v2(s, T, dt, v) / e, 1.0, 1e-4);
}
END_TEST

/* A network with more than 16 outputs whose only driven output is the
 * last: the circuit predicts it, as the network does (issue 11, item 5:
 * only the first 16 outputs were looked at, and the circuit said 0). */
START_TEST(test_many_outputs)
{
    int size[] = { 4, 20 };
    dwmtj_weights n;
    make_net(&n, 1, size);
    for (int k = 0; k < 4 * 20; k++)
        n.w[0][k] = 0.0f;
    for (int o = 0; o < 20; o++)
        n.b[0][o] = o == 19 ? 1.0f : -1.0f;
    n.input_side = 2;
    dwmtj_infer_options o;
    dwmtj_infer_defaults(&o);
    o.allow_unsafe = 1; /* the paper's 200 uA clamp is outside the SOA */
    o.backend = DWMTJ_INFER_KLU;
    dwmtj_infer *ctx = NULL;
    char *err = NULL;
    ck_assert_msg(dwmtj_infer_create(&ctx, NULL, &n, &o, &err) == DWMTJ_H_OK, "%s", err);
    unsigned char img[4] = { 0, 50, 100, 200 };
    uint64_t idx = 0;
    dwmtj_infer_result r;
    ck_assert_msg(dwmtj_infer_run(ctx, img, &idx, 1, &r) == DWMTJ_H_OK, "%s",
                  dwmtj_infer_error(ctx));
    ck_assert_int_eq(r.n_out, 20);
    ck_assert_int_gt(r.out_counts[19], 0);
    for (int c = 0; c < 19; c++)
        ck_assert_int_eq(r.out_counts[c], 0);
    ck_assert_int_eq(r.pred, 19);
    dwmtj_snn_ws *ws = NULL;
    int idx32 = 0, apred = -1;
    ck_assert_int_eq(dwmtj_snn_ws_create(&ws, &n, 1), 0);
    ws->opt.threads = 1;
    ck_assert_int_eq(dwmtj_snn_forward(ws, &n, img, &idx32, 1, &apred, NULL), 0);
    ck_assert_int_eq(apred, 19);
    dwmtj_snn_ws_free(ws);
    dwmtj_infer_results_free(&r, 1);
    dwmtj_infer_free(ctx);
    dwmtj_weights_free(&n);
}
END_TEST

/* A device warning of a run reaches the caller (item 9): noise slots below
 * 1 ps (a noisy network with dt = 0.5 ps) warn in every layer's run, and
 * the runner counts them and keeps the first. */
START_TEST(test_device_warnings)
{
    int size[] = { 4, 3 };
    dwmtj_weights n;
    make_net(&n, 1, size);
    n.kind = DWMTJ_KIND_DWMTJ_NOISY;
    n.sigma = 0.3;
    n.dt = 0.5e-12;
    n.input_side = 2;
    dwmtj_infer_options o;
    dwmtj_infer_defaults(&o);
    o.allow_unsafe = 1; /* the paper's 200 uA clamp is outside the SOA */
    o.backend = DWMTJ_INFER_KLU;
    dwmtj_infer *ctx = NULL;
    char *err = NULL;
    ck_assert_msg(dwmtj_infer_create(&ctx, NULL, &n, &o, &err) == DWMTJ_H_OK, "%s", err);
    unsigned char img[8] = { 0, 50, 100, 200, 10, 20, 30, 40 };
    uint64_t idx[2] = { 0, 1 };
    dwmtj_infer_result r[2];
    int count = -1;
    ck_assert_str_eq(dwmtj_infer_warning(ctx, &count), "");
    ck_assert_int_eq(count, 0);
    ck_assert_msg(dwmtj_infer_run(ctx, img, idx, 2, r) == DWMTJ_H_OK, "%s",
                  dwmtj_infer_error(ctx));
    const char *w = dwmtj_infer_warning(ctx, &count);
    ck_assert_int_eq(count, 2); /* one layer, two images */
    ck_assert_msg(strstr(w, "t_slot") && strstr(w, "warning"), "%s", w);
    dwmtj_infer_results_free(r, 2);
    dwmtj_infer_free(ctx);
    dwmtj_weights_free(&n);
}
END_TEST

/* ---- against ngspice ------------------------------------------------------ */

static dwmtj_session *open_session(void)
{
    dwmtj_session *s = NULL;
    int rc = dwmtj_session_open(&s, NULL);
    ck_assert_msg(rc == DWMTJ_H_OK, "session: %s", s ? dwmtj_session_error(s) : "?");
    return s;
}

/* The word lines' energy of a layer deck equals the integral of -v i of
 * ngspice's own sources (exact for piecewise-linear v and i). */
START_TEST(test_crossbar_energy)
{
    int size[] = { 9, 4 };
    dwmtj_weights n;
    make_net(&n, 1, size);
    dwmtj_infer_options o;
    dwmtj_infer_defaults(&o);
    o.allow_unsafe = 1; /* the paper's 200 uA clamp is outside the SOA */
    o.naive = 1; /* every vector saved */
    dwmtj_infer_map m;
    ck_assert_int_eq(dwmtj_infer_map_build(&n, &o, &m, NULL), DWMTJ_H_OK);
    int T = n.steps;
    unsigned char *in = malloc((size_t)9 * T), ones[64];
    for (int k = 0; k < 9 * T; k++)
        in[k] = (unsigned char)((mix((uint64_t)k + 99) >> 62) == 0);
    memset(ones, 1, sizeof ones);
    char *text = NULL;
    ck_assert_int_eq(dwmtj_infer_netlist(&m, &n, &o, 0, in, NULL, &text), DWMTJ_H_OK);
    dwmtj_session *s = open_session();
    ck_assert_msg(dwmtj_session_load(s, "energy.cir", text) == DWMTJ_H_OK, "%s",
                  dwmtj_session_error(s));
    ck_assert_msg(dwmtj_session_run(s, NULL, NULL, 60.0) == DWMTJ_H_OK, "%s",
                  dwmtj_session_error(s));
    const double *t;
    int nt;
    ck_assert_int_eq(dwmtj_session_vector(s, "time", &t, &nt), DWMTJ_H_OK);
    double e_ng = 0.0, e_an = 0.0;
    for (int i = 0; i <= 9; i++) {
        char vn[32], in_name[32];
        const double *vv, *ii;
        int a, b;
        snprintf(vn, sizeof vn, i < 9 ? "v(x%d)" : "v(xb)", i);
        snprintf(in_name, sizeof in_name, i < 9 ? "vx%d#branch" : "vxb#branch", i);
        ck_assert_int_eq(dwmtj_session_vector(s, vn, &vv, &a), DWMTJ_H_OK);
        ck_assert_int_eq(dwmtj_session_vector(s, in_name, &ii, &b), DWMTJ_H_OK);
        ck_assert_int_eq(a, nt);
        ck_assert_int_eq(b, nt);
        for (int k = 0; k + 1 < nt; k++) {
            double h = t[k + 1] - t[k];
            e_ng -= h * (vv[k] * ii[k] / 3 + vv[k] * ii[k + 1] / 6 + vv[k + 1] * ii[k] / 6 +
                         vv[k + 1] * ii[k + 1] / 3);
        }
        double gsum = 0.0;
        for (int r = 0; r < 4; r++)
            gsum += m.g_plus[0][r * 10 + i] + m.g_minus[0][r * 10 + i];
        e_an += gsum * dwmtj_infer_pwl_v2(i < 9 ? in + (size_t)i * T : ones, T, n.dt, o.v_read);
    }
    ck_assert_msg(e_an > 0.0 && fabs(e_ng / e_an - 1.0) < 1e-6, "ngspice %g J, formula %g J",
                  e_ng, e_an);
    dwmtj_session_close(s);
    free(text);
    free(in);
    dwmtj_infer_map_free(&m);
    dwmtj_weights_free(&n);
}
END_TEST

/* Images idx[0..n) of pixels through a runner made for net and o (s: the
 * ngspice session, NULL for klu), the results into res. */
static void infer_images(dwmtj_session *s, const dwmtj_weights *net, const dwmtj_infer_options *o,
                         const unsigned char *pixels, const uint64_t *idx, int n,
                         dwmtj_infer_result *res)
{
    dwmtj_infer *ctx = NULL;
    char *err = NULL;
    ck_assert_msg(dwmtj_infer_create(&ctx, s, net, o, &err) == DWMTJ_H_OK, "%s",
                  err ? err : "");
    ck_assert_msg(dwmtj_infer_run(ctx, pixels, idx, n, res) == DWMTJ_H_OK, "%s",
                  dwmtj_infer_error(ctx));
    dwmtj_infer_free(ctx);
}

/* The shipped small network on test images: circuit against algorithm, and
 * the three ways of running ngspice (a pruned deck per image, one deck per
 * batch with inputs altered, the naive deck) give the same spikes. */
START_TEST(test_small_network)
{
    dwmtj_weights net;
    dwmtj_dataset d;
    load_small(&net, &d);
    enum { N = 12 };
    uint64_t idx[N];
    int idx32[N], apred[N];
    dwmtj_infer_options o;
    first_images(&o, idx, idx32, N);
    dwmtj_session *s = open_session();
    dwmtj_infer_result r1[N], r4[N], rn[2];
    infer_images(s, &net, &o, d.pixels, idx, N, r1);
    o.batch = 4;
    infer_images(s, &net, &o, d.pixels, idx, N, r4);
    o.batch = 1;
    o.naive = 1;
    infer_images(s, &net, &o, d.pixels, idx, 2, rn);
    /* the algorithm level on the same images */
    dwmtj_snn_ws *ws = NULL;
    ck_assert_int_eq(dwmtj_snn_ws_create(&ws, &net, N), 0);
    ws->opt.threads = 1;
    int counts[N * 10];
    ck_assert_int_eq(dwmtj_snn_forward(ws, &net, d.pixels, idx32, N, apred, counts), 0);
    int agree = 0, same_counts = 0, correct = 0, acorrect = 0;
    for (int k = 0; k < N; k++) {
        agree += r1[k].pred == apred[k];
        correct += r1[k].pred == d.labels[k];
        acorrect += apred[k] == d.labels[k];
        same_counts += memcmp(r1[k].out_counts, counts + 10 * k, sizeof(int) * 10) == 0;
        ck_assert_int_eq(r4[k].pred, r1[k].pred);
        ck_assert_int_eq(r4[k].spikes, r1[k].spikes);
        ck_assert_double_eq_tol(r4[k].energy_device / r1[k].energy_device, 1.0, 1e-6);
        ck_assert(r1[k].energy_crossbar > 0.0 && r1[k].energy_write > 0.0);
        if (k < 2) {
            ck_assert_int_eq(rn[k].pred, r1[k].pred);
            ck_assert_int_eq(rn[k].spikes, r1[k].spikes);
        }
    }
    /* the klu backend on the same decks: same classes and spikes, energy
     * within 1 % (doc/engine.md, parity) */
    dwmtj_infer_result rk[N];
    o.naive = 0;
    o.backend = DWMTJ_INFER_KLU;
    o.klu_steps = DWMTJ_INFER_STEPS_NGSPICE; /* ngspice's points: its discretised circuit */
    infer_images(NULL, &net, &o, d.pixels, idx, N, rk);
    int same_spikes = 0;
    for (int k = 0; k < N; k++) {
        double e1 = r1[k].energy_crossbar + r1[k].energy_device + r1[k].energy_write;
        double ek = rk[k].energy_crossbar + rk[k].energy_device + rk[k].energy_write;
        ck_assert_int_eq(rk[k].pred, r1[k].pred);
        same_spikes += rk[k].spikes == r1[k].spikes;
        ck_assert_msg(fabs(ek / e1 - 1.0) < 0.01, "image %d: energy klu %g J, ngspice %g J", k,
                      ek, e1);
        ck_assert_int_le(abs(rk[k].spikes - r1[k].spikes), 1);
    }
    ck_assert_int_ge(same_spikes, N - 1);
    /* the engine's exact time points solve the continuous circuit, whose
     * drive is the clamp of the line between edge values: the network with
     * that rule (clamp_ramp) must give the same output spikes exactly */
    dwmtj_infer_result rx[N];
    o.klu_steps = DWMTJ_INFER_STEPS_EXACT;
    infer_images(NULL, &net, &o, d.pixels, idx, N, rx);
    dwmtj_snn_ws *wr = NULL;
    int rpred[N], rcounts[N * 10];
    ck_assert_int_eq(dwmtj_snn_ws_create(&wr, &net, N), 0);
    wr->opt.threads = 1;
    wr->opt.clamp_ramp = 1;
    ck_assert_int_eq(dwmtj_snn_forward(wr, &net, d.pixels, idx32, N, rpred, rcounts), 0);
    dwmtj_snn_ws_free(wr);
    /* each neuron on its own exact points: the same circuit's answer, so
     * the same spikes of every neuron, the same writes and membranes, and
     * the same device energy to 1e-9 (libdwmtj's is exact for the lines
     * between points, however far apart) */
    dwmtj_infer_result rq[N];
    o.klu_steps = DWMTJ_INFER_STEPS_NEURON;
    infer_images(NULL, &net, &o, d.pixels, idx, N, rq);
    for (int k = 0; k < N; k++) {
        ck_assert_int_eq(rx[k].pred, rpred[k]);
        ck_assert_int_eq(rq[k].pred, rx[k].pred);
        ck_assert_int_eq(rq[k].writes, rx[k].writes);
        ck_assert_int_eq(rq[k].n_neurons, rx[k].n_neurons);
        for (int q = 0; q < rx[k].n_neurons; q++)
            ck_assert_msg(rq[k].neuron_spikes[q] == rx[k].neuron_spikes[q],
                          "image %d neuron %d: %d spikes on its own points, %d on shared", k, q,
                          rq[k].neuron_spikes[q], rx[k].neuron_spikes[q]);
        tu_assert_rel(rq[k].energy_device, rx[k].energy_device, 1e-9);
        for (int c = 0; c < 10; c++) {
            ck_assert_msg(rx[k].out_counts[c] == rcounts[10 * k + c],
                          "image %d class %d: exact circuit %d spikes, network %d", k, c,
                          rx[k].out_counts[c], rcounts[10 * k + c]);
            ck_assert_double_eq_tol(rq[k].out_membrane[c], rx[k].out_membrane[c], 1e-9);
        }
    }
    fprintf(stderr, "check_infer: klu exact points %.3f s per image, each neuron on its own "
                    "%.3f s\n", rx[0].seconds, rq[0].seconds);
    fprintf(stderr, "check_infer: klu backend: %d/%d images with the same spikes as ngspice, "
                    "%.3f s per image (ngspice %.2f s)\n",
            same_spikes, N, rk[0].seconds, r1[0].seconds);
    fprintf(stderr, "check_infer: small network, %d test images: circuit %d correct, algorithm "
                    "%d, agreement %d, identical output counts %d; %.2f s per image\n",
            N, correct, acorrect, agree, same_counts, r1[0].seconds);
    ck_assert_int_eq(agree, N);
    ck_assert_int_ge(same_counts, N - 1);
    dwmtj_infer_results_free(r1, N);
    dwmtj_infer_results_free(r4, N);
    dwmtj_infer_results_free(rn, 2);
    dwmtj_infer_results_free(rk, N);
    dwmtj_infer_results_free(rx, N);
    dwmtj_infer_results_free(rq, N);
    dwmtj_snn_ws_free(ws);
    dwmtj_session_close(s);
    dwmtj_dataset_free(&d);
    dwmtj_weights_free(&net);
}
END_TEST

/* A network of the continuous clamp (DWMTJ_PERIPH_CONTINUOUS, what dwmtj
 * train --periphery continuous records): its reference follows its own
 * rule, which is the ideal circuit's, so network and circuit (the klu
 * engine's per-neuron exact points) give the same output spikes image by
 * image, as the ideal network evaluated with clamp_ramp does. */
START_TEST(test_continuous_network)
{
    dwmtj_weights net;
    dwmtj_dataset d;
    load_small(&net, &d);
    enum { N = 12 };
    uint64_t idx[N];
    int idx32[N], p_ramp[N], c_ramp[N * 10], p_own[N], c_own[N * 10];
    dwmtj_infer_options o;
    first_images(&o, idx, idx32, N);
    dwmtj_snn_ws *ws = NULL;
    ck_assert_int_eq(dwmtj_snn_ws_create(&ws, &net, N), 0);
    ws->opt.threads = 1;
    ws->opt.clamp_ramp = 1;
    ck_assert_int_eq(dwmtj_snn_forward(ws, &net, d.pixels, idx32, N, p_ramp, c_ramp), 0);
    dwmtj_snn_ws_free(ws);
    net.periphery = DWMTJ_PERIPH_CONTINUOUS;
    o.backend = DWMTJ_INFER_KLU;
    ck_assert_int_eq(dwmtj_infer_periphery(&o, &net), DWMTJ_INFER_PERIPH_IDEAL);
    ck_assert_int_eq(dwmtj_infer_network_rule(&o, &net), DWMTJ_PERIPH_CONTINUOUS);
    dwmtj_infer *ctx = NULL;
    char *err = NULL;
    ck_assert_msg(dwmtj_infer_create(&ctx, NULL, &net, &o, &err) == DWMTJ_H_OK, "%s",
                  err ? err : "");
    const dwmtj_weights *eff = &dwmtj_infer_get_map(ctx)->eff;
    ck_assert_int_eq(eff->periphery, DWMTJ_PERIPH_CONTINUOUS);
    dwmtj_infer_result r[N];
    ck_assert_msg(dwmtj_infer_run(ctx, d.pixels, idx, N, r) == DWMTJ_H_OK, "%s",
                  dwmtj_infer_error(ctx));
    /* the reference as dwmtj infer runs it: eff, default options */
    ck_assert_int_eq(dwmtj_snn_ws_create(&ws, eff, N), 0);
    ws->opt.threads = 1;
    ck_assert_int_eq(dwmtj_snn_forward(ws, eff, d.pixels, idx32, N, p_own, c_own), 0);
    dwmtj_snn_ws_free(ws);
    dwmtj_infer_free(ctx);
    for (int k = 0; k < N; k++) {
        ck_assert_int_eq(p_own[k], p_ramp[k]);
        ck_assert_int_eq(r[k].pred, p_own[k]);
        for (int c = 0; c < 10; c++) {
            ck_assert_int_eq(c_own[10 * k + c], c_ramp[10 * k + c]);
            ck_assert_msg(r[k].out_counts[c] == c_own[10 * k + c],
                          "image %d class %d: circuit %d spikes, network %d", k, c,
                          r[k].out_counts[c], c_own[10 * k + c]);
        }
    }
    /* an ideal network keeps its edge rule in the ideal circuit, and any
     * network takes the cell's in the behavioural one */
    net.periphery = DWMTJ_PERIPH_IDEAL;
    ck_assert_int_eq(dwmtj_infer_network_rule(&o, &net), DWMTJ_PERIPH_IDEAL);
    net.periphery = DWMTJ_PERIPH_CONTINUOUS;
    o.periphery = DWMTJ_INFER_PERIPH_BEHAVIOURAL;
    ck_assert_int_eq(dwmtj_infer_network_rule(&o, &net), DWMTJ_PERIPH_CELL);
    dwmtj_infer_results_free(r, N);
    dwmtj_dataset_free(&d);
    dwmtj_weights_free(&net);
}
END_TEST

/* ngspice converges to the engine's answer as its step shrinks: at a
 * fiftieth of the clock period (--tmax) the same class and spikes of every
 * neuron as the klu engine's exact per-neuron points on every image, and
 * the energy per inference within 0.1 %, many times nearer than at
 * ngspice's default step (doc/engine.md, Parity: the full network on 10
 * images, 0.023 % at worst against 3.5 % at the default step). */
START_TEST(test_small_step_parity)
{
    dwmtj_weights net;
    dwmtj_dataset d;
    load_small(&net, &d);
    enum { N = 4 };
    uint64_t idx[N];
    dwmtj_infer_options o;
    first_images(&o, idx, NULL, N);
    dwmtj_session *s = open_session();
    dwmtj_infer_result rd[N], rs[N], rq[N];
    infer_images(s, &net, &o, d.pixels, idx, N, rd);
    o.tmax = net.dt / 50.0;
    infer_images(s, &net, &o, d.pixels, idx, N, rs);
    o.tmax = 0.0;
    o.backend = DWMTJ_INFER_KLU;
    o.klu_steps = DWMTJ_INFER_STEPS_NEURON;
    infer_images(NULL, &net, &o, d.pixels, idx, N, rq);
    double err_d = 0.0, err_s = 0.0;
    for (int k = 0; k < N; k++) {
        double eq = rq[k].energy_crossbar + rq[k].energy_device + rq[k].energy_write;
        double es = rs[k].energy_crossbar + rs[k].energy_device + rs[k].energy_write;
        double ed = rd[k].energy_crossbar + rd[k].energy_device + rd[k].energy_write;
        ck_assert_int_eq(rs[k].pred, rq[k].pred);
        ck_assert_int_eq(rs[k].spikes, rq[k].spikes);
        ck_assert_int_eq(rs[k].n_neurons, rq[k].n_neurons);
        for (int q = 0; q < rq[k].n_neurons; q++)
            ck_assert_msg(rs[k].neuron_spikes[q] == rq[k].neuron_spikes[q],
                          "image %d neuron %d: ngspice at a small step %d spikes, klu %d", k, q,
                          rs[k].neuron_spikes[q], rq[k].neuron_spikes[q]);
        tu_assert_rel(es, eq, 1e-3);
        err_s += fabs(es / eq - 1.0);
        err_d += fabs(ed / eq - 1.0);
    }
    fprintf(stderr, "check_infer: ngspice against klu, mean energy error %.3g %% at its "
                    "default step, %.3g %% at a fiftieth of the period\n",
            100.0 * err_d / N, 100.0 * err_s / N);
    ck_assert_msg(err_s < err_d / 10.0, "energy error %g at the small step, %g at the default",
                  err_s / N, err_d / N);
    dwmtj_infer_results_free(rd, N);
    dwmtj_infer_results_free(rs, N);
    dwmtj_infer_results_free(rq, N);
    dwmtj_session_close(s);
    dwmtj_dataset_free(&d);
    dwmtj_weights_free(&net);
}
END_TEST

/* ---- the behavioural cell (doc/cell.md) ------------------------------------ */

/* The cell's deck: the device card without t_rewrite, each neuron's cell
 * elements at its four terminals, and the periphery chosen from the
 * network when not given; the klu backend runs it (a tiny network: each
 * neuron's spikes, writes and clears as the cell's cycle has them). */
START_TEST(test_cell_deck)
{
    int size[] = { 6, 3 };
    dwmtj_weights n;
    make_net(&n, 1, size);
    dwmtj_infer_options o;
    dwmtj_infer_defaults(&o);
    o.allow_unsafe = 1; /* the paper's 200 uA clamp is outside the SOA */
    ck_assert_int_eq(o.periphery, DWMTJ_INFER_PERIPH_NET);
    ck_assert_int_eq(dwmtj_infer_periphery(&o, &n), DWMTJ_INFER_PERIPH_IDEAL);
    n.periphery = DWMTJ_PERIPH_CELL;
    ck_assert_int_eq(dwmtj_infer_periphery(&o, &n), DWMTJ_INFER_PERIPH_BEHAVIOURAL);
    o.periphery = DWMTJ_INFER_PERIPH_IDEAL;
    ck_assert_int_eq(dwmtj_infer_periphery(&o, &n), DWMTJ_INFER_PERIPH_IDEAL);
    o.periphery = DWMTJ_INFER_PERIPH_BEHAVIOURAL;
    n.periphery = DWMTJ_PERIPH_IDEAL;
    dwmtj_infer_map m;
    ck_assert_int_eq(dwmtj_infer_map_build(&n, &o, &m, NULL), DWMTJ_H_OK);
    char *text = NULL;
    ck_assert_int_eq(dwmtj_infer_netlist(&m, &n, &o, 0, NULL, NULL, &text), DWMTJ_H_OK);
    ck_assert_msg(!strstr(text, "t_rewrite"), "t_rewrite in the cell's deck");
    static const char *const want[] = {
        "\nan2 in2 0 na2 nb2 [m2_0 m2_1 m2_2 m2_3] dwn\n", /* the device's four terminals */
        "\nvmi2 mi2 in2 dc 0\n",                  /* the mirror's probe into IN */
        "\nird2 0 nb2 dc 5e-06\n",                /* the read bias into B */
        "\nsww2 in2 nw2 wen2 0 sww\n",         /* the write switch from IN */
        "\nvw2 nw2 na2 dc 1.5\n",                 /* the write source, IN above A */
        "\nsoc2 oc2_d lvdd spk2 0 swos\n",     /* the clear one-shot on spk */
        "\nsow2 ow2_d lvdd clr2 0 swos\n",     /* the write one-shot on clr */
        /* the initial write: its ramps centred on t_start and t_start +
         * t_write, where the logic switches (the network's interval) */
        "\nvst st 0 pulse(0 1 9.95e-11 1e-12 1e-12 1.1989999999999999e-09)\n",
        /* what the run reads: no fire counter (nf, m2_0) */
        ".save v(m2_1) v(m2_2) v(m2_3) v(spk2) v(in2) vmi2#branch v(clr2) v(nb2) vw2#branch\n",
    };
    for (size_t k = 0; k < sizeof want / sizeof *want; k++) {
        if (!strstr(text, want[k]))
            fprintf(stderr, "the deck:\n%s", text);
        ck_assert_msg(strstr(text, want[k]), "no '%s' in the deck", want[k]);
    }
    /* the sense: bridge tap alpha = 100/500, threshold i_read r_th =
     * 5 uA (12 k + 4 k 0.8) = 0.076 V (doc/cell.md), blanked by the clear */
    const char *sense = "bsen2 spk2 0 v = (1 * (u(((v(nb2) - (0.2 * v(in2))) - 0.07600000000000001)) "
                        "* u((0.5 - v(clr2)))))";
    if (!strstr(text, sense))
        fprintf(stderr, "the deck:\n%s", text);
    ck_assert_msg(strstr(text, sense), "no '%s' in the deck", sense);
    free(text);
    /* the engine runs the cell: the same deck, every neuron's spikes read
     * from spk equal to its device's fires, one write at the start and one
     * per fire (but for a last one the window cuts short), the sources'
     * energy the devices' */
    o.backend = DWMTJ_INFER_KLU;
    o.probe_fires = 1;
    n.steps = 100; /* 10 ns: spikes and resets at 200 uA */
    dwmtj_infer *ctx = NULL;
    char *err = NULL;
    ck_assert_msg(dwmtj_infer_create(&ctx, NULL, &n, &o, &err) == DWMTJ_H_OK, "%s", err);
    enum { NI = 2 };
    unsigned char px[NI * 6];
    uint64_t idx[NI] = { 0, 1 };
    for (int k = 0; k < NI * 6; k++)
        px[k] = (unsigned char)(k < 6 ? 255 : 40 * (k - 6));
    dwmtj_infer_result r[NI];
    ck_assert_msg(dwmtj_infer_run(ctx, px, idx, NI, r) == DWMTJ_H_OK, "%s",
                  dwmtj_infer_error(ctx));
    double end = n.steps * n.dt, late = n.cell.t_clear + n.cell.t_write + 3e-9;
    int total = 0;
    for (int k = 0; k < NI; k++)
        for (int q = 0; q < r[k].n_neurons; q++) {
            int f = r[k].neuron_fires[q], w = r[k].neuron_writes[q];
            ck_assert_msg(r[k].neuron_spikes[q] == f, "image %d neuron %d: %d spikes, %d fires",
                          k, q, r[k].neuron_spikes[q], f);
            ck_assert_msg(w == f + 1 || (f > 0 && r[k].neuron_last[q] > end - late && w == f),
                          "image %d neuron %d: %d writes for %d fires", k, q, w, f);
            ck_assert_msg(r[k].energy_balance < 0.01, "image %d: balance %g", k,
                          r[k].energy_balance);
            total += f;
        }
    ck_assert_int_gt(total, 0);
    dwmtj_infer_results_free(r, NI);
    dwmtj_infer_free(ctx);
    o.probe_fires = 0;
    n.steps = 40;
    err = NULL;
    ck_assert_int_eq(dwmtj_infer_check_backend(DWMTJ_INFER_KLU, DWMTJ_INFER_PERIPH_IDEAL, &err),
                     DWMTJ_H_OK);
    ck_assert_ptr_null(err);
    o.periphery = 7;
    o.backend = DWMTJ_INFER_NGSPICE;
    dwmtj_infer_map_free(&m);
    ck_assert_int_eq(dwmtj_infer_map_build(&n, &o, &m, &err), DWMTJ_H_ERR_USAGE);
    ck_assert_msg(err && strstr(err, "periphery = 7"), "%s", err ? err : "(no message)");
    free(err);
    dwmtj_infer_map_free(&m);
    dwmtj_weights_free(&n);
}
END_TEST

/* The operating point against the safe operating area, by hand for the
 * scaled track (500 x 25 x 1.5 nm, 40 Ohm/nm, MTJ_A's centre 50 nm from
 * IN: R(IN..A) = 2 kOhm; R_P 8 k, R_AP 16 k) and the limits of set
 * scaled-thermal (j_max 3e12 A/m^2, v_bd 1.2 V): the 200 uA clamp is
 * 200u / (25n 1.5n) = 5.33e12 A/m^2, outside; 100 uA is inside for the
 * ideal periphery (its write i_nuc = 100 uA at R_P: 2.67e12, 0.8 V); the
 * cell adds its clear (200 uA: 5.33e12), its write (1.5 V / 10 k = 150 uA:
 * 4e12; 1.5 V 16/18 = 1.333 V on A's barrier) and its read (5 uA x 16 k =
 * 0.08 V); dwmtj_infer_create stops outside unless allow_unsafe. */
START_TEST(test_soa)
{
    int size[] = { 6, 3 };
    dwmtj_weights n;
    make_net(&n, 1, size);
    dwmtj_infer_options o;
    dwmtj_infer_defaults(&o);
    ck_assert_int_eq(o.allow_unsafe, 0);
    o.backend = DWMTJ_INFER_KLU;
    dwmtj_infer_soa op;
    char *err = NULL;
    const double area = 25e-9 * 1.5e-9;
    ck_assert_int_eq(dwmtj_infer_operating_point(&n, &o, &op, &err), DWMTJ_H_OK);
    tu_assert_rel(op.j_drive, 200e-6 / area, 1e-9);
    tu_assert_rel(op.j_write, 100e-6 / area, 1e-9);
    tu_assert_rel(op.v_barrier_a, 100e-6 * 8e3, 1e-9);
    ck_assert_double_eq(op.j_clear, 0.0);
    ck_assert_double_eq(op.v_barrier_b, 0.0);
    tu_assert_rel(op.j_max, 3e12, 1e-12);
    tu_assert_rel(op.v_bd, 1.2, 1e-12);
    ck_assert_int_eq(op.unsafe, 1);
    ck_assert_msg(strstr(op.what, "drive clamp") && strstr(op.what, "5.33e+12") &&
                      strstr(op.what, "j_max 3e+12"),
                  "%s", op.what);
    dwmtj_infer *ctx = NULL;
    ck_assert_int_eq(dwmtj_infer_create(&ctx, NULL, &n, &o, &err), DWMTJ_H_ERR_USAGE);
    ck_assert_ptr_null(ctx);
    ck_assert_msg(err && strstr(err, "safe operating area") && strstr(err, "--allow-unsafe"),
                  "%s", err ? err : "(no message)");
    free(err);
    err = NULL;
    o.allow_unsafe = 1;
    ck_assert_msg(dwmtj_infer_create(&ctx, NULL, &n, &o, &err) == DWMTJ_H_OK, "%s", err);
    ck_assert_int_eq(dwmtj_infer_get_soa(ctx)->unsafe, 1);
    dwmtj_infer_free(ctx);
    o.allow_unsafe = 0;
    o.i_max = 100e-6;
    ck_assert_int_eq(dwmtj_infer_check_soa(&n, &o, &op, &err), DWMTJ_H_OK);
    ck_assert_int_eq(op.unsafe, 0);
    ck_assert_str_eq(op.what, "");
    /* the cell at 100 uA: its clear, its write's current and A's barrier */
    o.periphery = DWMTJ_INFER_PERIPH_BEHAVIOURAL;
    ck_assert_int_eq(dwmtj_infer_check_soa(&n, &o, &op, &err), DWMTJ_H_ERR_USAGE);
    ck_assert_int_eq(op.unsafe, 3);
    tu_assert_rel(op.j_clear, 200e-6 / area, 1e-9);
    tu_assert_rel(op.j_write, 1.5 / 10e3 / area, 1e-9);
    tu_assert_rel(op.v_barrier_a, 1.5 * 16.0 / 18.0, 1e-9);
    tu_assert_rel(op.v_barrier_b, 5e-6 * 16e3, 1e-9);
    ck_assert_msg(err && strstr(err, "of the clear (i_clear)") && strstr(err, "3 quantities"),
                  "%s", err ? err : "(no message)");
    free(err);
    dwmtj_weights_free(&n);
}
END_TEST

/* What a run of the behavioural cell must give, whatever the backend: the
 * network's class and output spikes under the circuit's rule (counts,
 * pred), the spikes read electrically from spk equal to the devices' own
 * fire counts (nf), neuron by neuron; each neuron writes once at the
 * start and once per reset (but for a last reset the window cuts short);
 * the cell's sources deliver what the devices take (1 %); a clear costs
 * i_clear (i_clear R_L + i_read R3) t_clear = 0.804 pJ (R_L = 20 kOhm, R3
 * = 4 kOhm: the track IN..GND and B..GND, doc/cell.md) and a write pulse
 * about v_write Q = 0.25 pJ (doc/cell.md, 1.684e-13 C).  Returns the
 * spikes. */
static int cell_checks(const char *be, const dwmtj_weights *net, const dwmtj_infer_result *r,
                       int N, const int *apred, const int *counts)
{
    double end = net->steps * net->dt, late = net->cell.t_clear + net->cell.t_write + 3e-9;
    int total = 0;
    for (int k = 0; k < N; k++) {
        ck_assert_msg(r[k].pred == apred[k], "%s: image %d: circuit class %d, network (cell "
                      "rule) %d", be, k, r[k].pred, apred[k]);
        for (int c = 0; c < 10; c++)
            ck_assert_msg(r[k].out_counts[c] == counts[10 * k + c],
                          "%s: image %d class %d: circuit %d spikes, network (cell rule) %d", be,
                          k, c, r[k].out_counts[c], counts[10 * k + c]);
        const dwmtj_infer_result *x = &r[k];
        ck_assert_int_eq(x->n_neurons, 42);
        ck_assert_ptr_nonnull(x->neuron_fires);
        int spikes = 0, writes = 0, cut = 0;
        for (int q = 0; q < x->n_neurons; q++) {
            ck_assert_msg(x->neuron_spikes[q] == x->neuron_fires[q],
                          "%s: image %d neuron %d: %d spikes from spk, the device fired %d", be,
                          k, q, x->neuron_spikes[q], x->neuron_fires[q]);
            int w = x->neuron_writes[q], f = x->neuron_fires[q];
            int short_cut = f > 0 && x->neuron_last[q] > end - late;
            ck_assert_msg(w == f + 1 || (short_cut && w == f),
                          "%s: image %d neuron %d: %d writes, %d resets (last spike %g s)", be,
                          k, q, w, f, x->neuron_last[q]);
            cut += short_cut;
            spikes += x->neuron_spikes[q];
            writes += w;
        }
        total += spikes;
        ck_assert_int_eq(spikes, x->spikes);
        ck_assert_int_eq(writes, x->writes);
        ck_assert_msg(x->energy_balance < 0.01, "%s: image %d: sources and devices %.3g apart",
                      be, k, x->energy_balance);
        double in = x->energy_mirror + x->energy_clear + x->energy_sense +
                    x->energy_write_driver + x->energy_static;
        tu_assert_rel(in, x->energy_device, 0.01);
        /* the read bias's i_read V(B) takes the drive's sign (V(B) carries
         * its IR drop over B..GND), so its sum is small either way */
        ck_assert_msg(x->energy_mirror > 0.0 && fabs(x->energy_sense) < 0.01 * x->energy_device,
                      "%s: image %d: mirror %g J, sense %g J", be, k, x->energy_mirror,
                      x->energy_sense);
        ck_assert_double_eq(x->energy_static, 0.0);
        ck_assert_double_eq(x->energy_write, 0.0); /* the writes are the circuit's */
        double e_clr = 200e-6 * (200e-6 * 20e3 + 5e-6 * 4e3) * 1e-9;
        ck_assert_msg(x->energy_clear <= 1.005 * e_clr * spikes &&
                          x->energy_clear >= 0.995 * e_clr * (spikes - cut),
                      "%s: image %d: clears %g J for %d spikes (%d cut), %g J each", be, k,
                      x->energy_clear, spikes, cut, e_clr);
        ck_assert_msg(x->energy_write_driver >= 0.2e-12 * writes &&
                          x->energy_write_driver <= 0.3e-12 * (writes + x->n_neurons),
                      "%s: image %d: write driver %g J for %d writes", be, k,
                      x->energy_write_driver, writes);
    }
    return total;
}

/* The shipped small networks (trained for the ideal periphery, and for the
 * cell) with the behavioural cell through ngspice and through the klu
 * engine, a few test images: each as cell_checks has it, and the two
 * backends' energy per inference within 2 %. */
START_TEST(test_cell_network)
{
    dwmtj_weights net;
    dwmtj_dataset d;
    char *err = NULL;
    const char *file = _i ? "dwmtj-fmnist-14-cell.net" : "dwmtj-fmnist-14.net";
    load_net(&net, &d, file);
    enum { N = 3 };
    uint64_t idx[N];
    dwmtj_infer_options o;
    first_images(&o, idx, NULL, N);
    dwmtj_session *s = open_session();
    o.periphery = DWMTJ_INFER_PERIPH_BEHAVIOURAL;
    o.probe_fires = 1;
    dwmtj_infer *ctx = NULL;
    ck_assert_msg(dwmtj_infer_create(&ctx, s, &net, &o, &err) == DWMTJ_H_OK, "%s", err);
    dwmtj_infer_result r[N], rk[N];
    ck_assert_msg(dwmtj_infer_run(ctx, d.pixels, idx, N, r) == DWMTJ_H_OK, "%s",
                  dwmtj_infer_error(ctx));
    int nw = 0;
    dwmtj_infer_warning(ctx, &nw);
    ck_assert_msg(nw == 0, "device warnings: %s", dwmtj_infer_warning(ctx, NULL));
    /* the network under the circuit's rule (the map's weights carry the
     * cell's periphery: the reference dwmtj infer compares with) */
    const dwmtj_weights *eff = &dwmtj_infer_get_map(ctx)->eff;
    ck_assert_int_eq(eff->periphery, DWMTJ_PERIPH_CELL);
    dwmtj_snn_ws *ws = NULL;
    int idx32[N], apred[N], counts[N * 10];
    for (int k = 0; k < N; k++)
        idx32[k] = k;
    ck_assert_int_eq(dwmtj_snn_ws_create(&ws, eff, N), 0);
    ws->opt.threads = 1;
    ck_assert_int_eq(dwmtj_snn_forward(ws, eff, d.pixels, idx32, N, apred, counts), 0);
    dwmtj_snn_ws_free(ws);
    dwmtj_infer_free(ctx);
    int total = cell_checks("ngspice", &net, r, N, apred, counts);
    ck_assert_int_gt(total, 0);
    o.backend = DWMTJ_INFER_KLU;
    ck_assert_msg(dwmtj_infer_create(&ctx, NULL, &net, &o, &err) == DWMTJ_H_OK, "%s", err);
    ck_assert_msg(dwmtj_infer_run(ctx, d.pixels, idx, N, rk) == DWMTJ_H_OK, "%s",
                  dwmtj_infer_error(ctx));
    dwmtj_infer_warning(ctx, &nw);
    ck_assert_msg(nw == 0, "klu: device warnings: %s", dwmtj_infer_warning(ctx, NULL));
    dwmtj_infer_free(ctx);
    int total_k = cell_checks("klu", &net, rk, N, apred, counts);
    double worst = 0.0;
    for (int k = 0; k < N; k++) {
        double e1 = r[k].energy_crossbar + r[k].energy_device;
        double ek = rk[k].energy_crossbar + rk[k].energy_device;
        ck_assert_msg(fabs(ek / e1 - 1.0) < 0.02, "image %d: energy klu %g J, ngspice %g J", k,
                      ek, e1);
        worst = fmax(worst, fabs(ek / e1 - 1.0));
    }
    fprintf(stderr, "check_infer: behavioural cell, %s, %d images: %d spikes through ngspice, "
                    "%d through klu, all equal to the devices' fire counts; energy within %.2g "
                    "%%; %.2f s per image (klu %.3f s)\n",
            file, N, total, total_k, 100.0 * worst, r[0].seconds, rk[0].seconds);
    dwmtj_infer_results_free(r, N);
    dwmtj_infer_results_free(rk, N);
    dwmtj_session_close(s);
    dwmtj_dataset_free(&d);
    dwmtj_weights_free(&net);
}
END_TEST

/* The shipped network trained for the cmos cell's macromodel (its rule:
 * negative limit, sense delay, clear, write width) runs as the macromodel
 * by default; on its first test images the circuit through klu gives the
 * class and output spikes of the network under its own rule, and ngspice
 * (at its default step) each image's spikes to within one. */
START_TEST(test_cmos_network)
{
    dwmtj_weights net;
    dwmtj_dataset d;
    char *err = NULL;
    load_net(&net, &d, "dwmtj-fmnist-14-cmos.net");
    ck_assert(net.cell.t_sense > 0.0 && net.cell.i_neg < 20e-6);
    enum { N = 4 };
    uint64_t idx[N];
    int idx32[N], apred[N], counts[N * 10];
    double mem[N * 10];
    dwmtj_infer_options o;
    first_images(&o, idx, idx32, N);
    static char cells[2048];
    const char *src = getenv("DWMTJ_SRCDIR");
    snprintf(cells, sizeof cells, "%s/netlists", src && *src ? src : "..");
    o.cell_dir = cells;
    ck_assert_int_eq(dwmtj_infer_periphery(&o, &net), DWMTJ_INFER_PERIPH_CMOS_MACRO);
    dwmtj_session *s = open_session();
    dwmtj_infer_result r[2][N];
    for (int b = 0; b < 2; b++) {
        o.backend = b ? DWMTJ_INFER_KLU : DWMTJ_INFER_NGSPICE;
        dwmtj_infer *ctx = NULL;
        ck_assert_msg(dwmtj_infer_create(&ctx, b ? NULL : s, &net, &o, &err) == DWMTJ_H_OK,
                      "%s", err);
        ck_assert_msg(dwmtj_infer_run(ctx, d.pixels, idx, N, r[b]) == DWMTJ_H_OK, "%s",
                      dwmtj_infer_error(ctx));
        if (b == 0) {
            const dwmtj_weights *eff = &dwmtj_infer_get_map(ctx)->eff;
            ck_assert_int_eq(eff->periphery, DWMTJ_PERIPH_CELL);
            ck_assert_mem_eq(&eff->cell, &net.cell, sizeof net.cell);
            dwmtj_snn_ws *ws = NULL;
            ck_assert_int_eq(dwmtj_snn_ws_create(&ws, eff, N), 0);
            ws->opt.threads = 1;
            ck_assert_int_eq(dwmtj_snn_forward(ws, eff, d.pixels, idx32, N, apred, counts), 0);
            memcpy(mem, dwmtj_snn_last_membrane(ws), sizeof mem);
            dwmtj_snn_ws_free(ws);
        }
        dwmtj_infer_free(ctx);
    }
    /* klu solves the circuit at its exact points (the clamp's kinks among
     * them): the network's classes and output spikes.  ngspice at its
     * default step (the clock period) cuts the kinks of the -15 uA limit,
     * which the drive crosses often: within a spike per image of klu */
    int total = 0, apart = 0, same = 0;
    double worst = 0.0;
    for (int k = 0; k < N; k++) {
        int d = 0;
        for (int q = 0; q < r[0][k].n_neurons; q++)
            d += abs(r[0][k].neuron_spikes[q] - r[1][k].neuron_spikes[q]);
        ck_assert_msg(d <= 1, "image %d: ngspice and klu %d spikes apart", k, d);
        apart += d;
        ck_assert_msg(r[1][k].pred == apred[k], "klu: image %d: circuit class %d, network %d",
                      k, r[1][k].pred, apred[k]);
        for (int c = 0; c < 10; c++) {
            ck_assert_int_eq(r[1][k].out_counts[c], counts[10 * k + c]);
            /* the summed membranes, the class where no output neuron
             * spikes: with the write's drift stopping 2.5 nm past A's
             * centre in klu and 0.8 nm past it in the network they were
             * 0.4-1.2 of about 30 apart (0.0036 measured now) */
            double dm = fabs(r[1][k].out_membrane[c] - mem[10 * k + c]);
            ck_assert_msg(dm < 0.02, "klu: image %d, output %d: summed membrane %g, network %g",
                          k, c, r[1][k].out_membrane[c], mem[10 * k + c]);
            worst = fmax(worst, dm);
        }
        same += r[0][k].pred == apred[k];
        total += r[1][k].spikes;
    }
    fprintf(stderr, "check_infer: the cmos-trained network as its macromodel, %d images: klu "
                    "%d spikes, classes and output spikes the network's; ngspice %d spikes "
                    "apart, %d of %d classes the network's; summed output membranes within "
                    "%.3g\n", N, total, apart, same, N, worst);
    for (int b = 0; b < 2; b++)
        dwmtj_infer_results_free(r[b], N);
    dwmtj_session_close(s);
    dwmtj_dataset_free(&d);
    dwmtj_weights_free(&net);
}
END_TEST

/* Test images img[0..N-1] of d (at most 8) through net's circuit with the
 * behavioural cell on the klu engine, the devices' fires probed, into r;
 * the network with the cell's rule into apred (N) and counts (N x 10);
 * the engine's turn points into *turns. */
static void cell_klu_and_rule(const dwmtj_weights *net, const dwmtj_dataset *d, const int *img,
                              int N, dwmtj_infer_result *r, int *apred, int *counts, int *turns)
{
    enum { MAX = 8 };
    ck_assert_int_le(N, MAX);
    size_t px = (size_t)d->rows * d->cols;
    ck_assert_uint_eq(px, (size_t)net->size[0]);
    unsigned char *pix = malloc((size_t)N * px);
    ck_assert_ptr_nonnull(pix);
    uint64_t idx[MAX];
    int idx32[MAX];
    for (int k = 0; k < N; k++) {
        memcpy(pix + (size_t)k * px, d->pixels + (size_t)img[k] * px, px);
        idx[k] = DWMTJ_SNN_TEST_KEY0 + (uint64_t)img[k];
        idx32[k] = (int)idx[k];
    }
    dwmtj_infer_options o;
    dwmtj_infer_defaults(&o);
    o.allow_unsafe = 1; /* the paper's 200 uA clamp is outside the SOA */
    o.periphery = DWMTJ_INFER_PERIPH_BEHAVIOURAL;
    o.probe_fires = 1;
    o.backend = DWMTJ_INFER_KLU;
    dwmtj_infer *ctx = NULL;
    char *err = NULL;
    ck_assert_msg(dwmtj_infer_create(&ctx, NULL, net, &o, &err) == DWMTJ_H_OK, "%s", err);
    ck_assert_msg(dwmtj_infer_run(ctx, pix, idx, N, r) == DWMTJ_H_OK, "%s",
                  dwmtj_infer_error(ctx));
    dwmtj_engine_stats st;
    dwmtj_infer_engine_stats(ctx, &st);
    *turns = st.turn_points;
    const dwmtj_weights *eff = &dwmtj_infer_get_map(ctx)->eff;
    dwmtj_snn_ws *ws = NULL;
    ck_assert_int_eq(dwmtj_snn_ws_create(&ws, eff, N), 0);
    ws->opt.threads = 1;
    ck_assert_int_eq(dwmtj_snn_forward(ws, eff, pix, idx32, N, apred, counts), 0);
    dwmtj_snn_ws_free(ws);
    dwmtj_infer_free(ctx);
    free(pix);
}

/* Test images on which the cell's rule and the circuit once parted (the
 * whole test set, klu, small cell network): 460, a domain pushed back past
 * IN by a drive that turned inside one step (libdwmtj's step saw only its
 * ends); 283 and 460, spk falling as the domain went back out of B's window
 * towards IN (the rule knew only a fall past B); 344, that fall on a turn
 * inside one of the rule's pieces; 1322 and 1560, the initial write 1.5 ps
 * longer in the circuit than in the network; 1341, the output layer's
 * first write, whose timer ends on a clock edge, a femtosecond into the
 * next step by rounding (the domain then drifted from the empty track's
 * voltages, 0.26 nm further than the network's, and the summed membranes
 * that decide a class without output spikes parted).  Each as cell_checks
 * has it: class and output spikes the rule's, every neuron's spikes its
 * device's fires. */
START_TEST(test_cell_turns)
{
    dwmtj_weights net;
    dwmtj_dataset d;
    load_net(&net, &d, "dwmtj-fmnist-14-cell.net");
    enum { N = 6 };
    const int img[N] = { 283, 344, 460, 1322, 1560, 1341 };
    int apred[N], counts[N * 10], turns;
    dwmtj_infer_result r[N];
    cell_klu_and_rule(&net, &d, img, N, r, apred, counts, &turns);
    ck_assert_int_gt(cell_checks("klu", &net, r, N, apred, counts), 0);
    dwmtj_infer_results_free(r, N);
    dwmtj_weights_free(&net);
    dwmtj_dataset_free(&d);
}
END_TEST

/* A hidden neuron's drive that turns inside one of the engine's steps
 * after taking the domain into B's window (the step began on the
 * window's edge, the engine's point at the device's t_next) counts no
 * fire, while the rule, whose piece ends at the turn, fires; the engine's
 * point at the device's turn (dwmtj_eval.t_turn) shows it.  Image 3125 of
 * the full cell network was such a case until the wall's arrival at B's
 * centre became an event of t_next (doc/model.md): its steps now end
 * there and it takes no turn point; image 154 of the small cell network
 * takes one.  Class and output spikes the rule's. */
START_TEST(test_cell_turn_point)
{
    dwmtj_weights net;
    dwmtj_dataset d;
    load_net(&net, &d, "dwmtj-fmnist-14-cell.net");
    const int img = 154;
    int apred, counts[10], turns;
    dwmtj_infer_result r;
    cell_klu_and_rule(&net, &d, &img, 1, &r, &apred, counts, &turns);
    ck_assert_int_gt(turns, 0);
    ck_assert_msg(r.pred == apred, "image %d: circuit class %d, network (cell rule) %d", img,
                  r.pred, apred);
    for (int c = 0; c < 10; c++)
        ck_assert_int_eq(r.out_counts[c], counts[c]);
    dwmtj_infer_results_free(&r, 1);
    dwmtj_weights_free(&net);
    dwmtj_dataset_free(&d);
}
END_TEST

/* The cmos periphery (doc/cell-cmos.md) on a small network whose
 * neurons all sit at the drive clamp: the klu engine refuses it, naming
 * ngspice and the macromodel; through ngspice each cell's spikes (read
 * from spk) are its device's fires (but for one in the sense's delay at
 * the window's end), the devices' terminal power integrates to their
 * energy monitors (1 %), the input stage's class-A static power (11.1 mW
 * per cell, check_cell_cmos) dominates the inference's energy, and the
 * macromodel follows the transistors (below). */
START_TEST(test_cmos_small)
{
    int size[] = { 4, 2 };
    dwmtj_weights net;
    make_net(&net, 1, size);
    net.steps = 75; /* 7.5 ns: the cmos cycle at the clamp is 4.6 ns, its first spike
                     * at 3.5 ns; no fire within 0.4 ns of the window's end */
    for (int o = 0; o < 2; o++)
        net.b[0][o] = 1.0f; /* 1 mA of drive: at the clamp */
    dwmtj_infer_options o;
    uint64_t idx[1];
    first_images(&o, idx, NULL, 1);
    o.periphery = DWMTJ_INFER_PERIPH_CMOS;
    o.probe_fires = 1;
    static char dir[2048];
    const char *src = getenv("DWMTJ_SRCDIR");
    snprintf(dir, sizeof dir, "%s/netlists", src && *src ? src : "..");
    o.cell_dir = dir;
    char *err = NULL;
    ck_assert_int_eq(dwmtj_infer_check_backend(DWMTJ_INFER_KLU, DWMTJ_INFER_PERIPH_CMOS, &err),
                     DWMTJ_H_ERR_USAGE);
    ck_assert_msg(err && strstr(err, "--backend ngspice") && strstr(err, "BSIM4") &&
                      strstr(err, "--periphery cmos-macro"), "%s", err);
    free(err);
    unsigned char pixels[4] = { 0, 0, 0, 0 };
    dwmtj_session *s = open_session();
    dwmtj_infer_result r[1];
    infer_images(s, &net, &o, pixels, idx, 1, r);
    const dwmtj_infer_result *x = &r[0];
    double window = net.steps * net.dt;
    for (int q = 0; q < x->n_neurons; q++) {
        /* a fire in the window's last 0.15 ns (the sense delay) has no
         * spike yet */
        ck_assert_msg(x->neuron_spikes[q] == x->neuron_fires[q] ||
                          x->neuron_spikes[q] == x->neuron_fires[q] - 1,
                      "cmos neuron %d: %d spikes from spk, %d fires", q, x->neuron_spikes[q],
                      x->neuron_fires[q]);
        ck_assert_int_ge(x->neuron_spikes[q], 1);
        ck_assert_int_ge(x->neuron_writes[q], x->neuron_fires[q]);
    }
    ck_assert_msg(x->energy_balance < 0.01, "terminals %g J, monitors %g J",
                  x->energy_terminals, x->energy_device);
    double parts = x->energy_mirror + x->energy_clear + x->energy_sense + x->energy_write_driver +
                   x->energy_static;
    tu_assert_rel(x->energy, x->energy_crossbar + parts, 1e-12);
    ck_assert_msg(x->energy_mirror > 0.8 * 11.1e-3 * window * 2 &&
                      x->energy_mirror < 1.3 * 11.1e-3 * window * 2,
                  "input stages %g J over %g s", x->energy_mirror, window);
    ck_assert_msg(x->energy_device > 0.0 && x->energy_device < 0.2 * x->energy,
                  "devices %g J of %g J", x->energy_device, x->energy);
    fprintf(stderr, "check_infer: cmos periphery, 4-2 network at the clamp, %g ns: spikes %d "
                    "%d, energy %.4g J (input stages %.4g, sense %.3g, clear %.3g, write %.3g, "
                    "devices %.3g; terminals vs monitors %.2g %%), %.1f s\n",
            window * 1e9, x->neuron_spikes[0], x->neuron_spikes[1], x->energy,
            x->energy_mirror, x->energy_sense, x->energy_clear, x->energy_write_driver,
            x->energy_device, 100.0 * x->energy_balance, x->seconds);
    /* the macromodel (netlists/cell_cmos_macro.txt, fitted to the small
     * network's images, not to this one) through both backends: the same
     * spikes at both; against the transistors, each cell's spikes within
     * one and the energy within 5 % */
    dwmtj_infer_result m[2][1];
    dwmtj_infer_options om = o;
    om.periphery = DWMTJ_INFER_PERIPH_CMOS_MACRO;
    om.probe_fires = 0;
    infer_images(s, &net, &om, pixels, idx, 1, m[0]);
    om.backend = DWMTJ_INFER_KLU;
    infer_images(NULL, &net, &om, pixels, idx, 1, m[1]);
    for (int q = 0; q < x->n_neurons; q++) {
        ck_assert_int_eq(m[0][0].neuron_spikes[q], m[1][0].neuron_spikes[q]);
        ck_assert_msg(abs(m[1][0].neuron_spikes[q] - x->neuron_spikes[q]) <= 1,
                      "neuron %d: macromodel %d spikes, transistors %d", q,
                      m[1][0].neuron_spikes[q], x->neuron_spikes[q]);
    }
    const dwmtj_infer_result *y = &m[1][0];
    fprintf(stderr, "check_infer: cmos macromodel on the same: spikes %d %d, energy %.4g J "
                    "(input stages %.4g, sense %.3g, clear %.3g, write %.3g)\n",
            y->neuron_spikes[0], y->neuron_spikes[1], y->energy, y->energy_mirror,
            y->energy_sense, y->energy_clear, y->energy_write_driver);
    tu_assert_rel(y->energy, x->energy, 0.05);
    tu_assert_rel(m[0][0].energy, y->energy, 1e-6);
    dwmtj_infer_results_free(m[0], 1);
    dwmtj_infer_results_free(m[1], 1);
    dwmtj_infer_results_free(r, 1);
    dwmtj_session_close(s);
    dwmtj_weights_free(&net);
}
END_TEST

/* The cmos macromodel's file: the shipped one reads; a missing file, an
 * unknown key, a bad value, a key given twice and one left out are each an
 * error naming the file (and the line), as is a run at another i_max than
 * the file was extracted at. */
static const char *macro_good =
    "# a comment\n"
    "i_max 2e-4\nt_clear 1e-9\nt_write 1.2e-9\nt_sense 1.5e-10  # trailing\n"
    "i_clear 2.8e-4\nt_write_eff 2e-9\np_mirror 0.012\np_sense 5e-4\np_clear 0\n"
    "p_write_driver 1e-7\ne_mirror 0\ne_sense 0\ne_clear 4e-12\ne_write_driver 5e-12\n";
/* the same with a negative energy per spike (a spike lowering a block's
 * static draw, as the shipped sense's): accepted; a negative power is not */
static const char *macro_neg_e =
    "i_max 2e-4\nt_clear 1e-9\nt_write 1.2e-9\nt_sense 1.5e-10\n"
    "i_clear 2.8e-4\nt_write_eff 2e-9\np_mirror 0.012\np_sense 5e-4\np_clear 0\n"
    "p_write_driver 1e-7\ne_mirror 0\ne_sense -2e-13\ne_clear 4e-12\ne_write_driver 5e-12\n";

/* A 4-2 network with cell (NULL: make_net's) through the cmos macromodel
 * of dir, whose file is text (NULL: the directory's own, or none). */
static int macro_create_cell(const char *dir, const char *text, double i_max,
                             const dwmtj_cell *cell, char **err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/cell_cmos_macro.txt", dir);
    if (text)
        tu_write(path, text);
    int size[] = { 4, 2 };
    dwmtj_weights net;
    make_net(&net, 1, size);
    if (cell) {
        net.periphery = DWMTJ_PERIPH_CELL;
        net.cell = *cell;
    }
    dwmtj_infer_options o;
    uint64_t idx[1];
    first_images(&o, idx, NULL, 1);
    o.backend = DWMTJ_INFER_KLU;
    o.periphery = DWMTJ_INFER_PERIPH_CMOS_MACRO;
    o.cell_dir = dir;
    o.i_max = i_max;
    dwmtj_infer *ctx = NULL;
    *err = NULL;
    int rc = dwmtj_infer_create(&ctx, NULL, &net, &o, err);
    dwmtj_infer_free(ctx);
    dwmtj_weights_free(&net);
    return rc;
}

static int macro_create(const char *dir, const char *text, double i_max, char **err)
{
    return macro_create_cell(dir, text, i_max, NULL, err);
}

START_TEST(test_macro_file)
{
    char dir[] = "/tmp/check_infer_macro.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    static char shipped[2048];
    const char *src = getenv("DWMTJ_SRCDIR");
    snprintf(shipped, sizeof shipped, "%s/netlists", src && *src ? src : "..");
    char *err = NULL;
    ck_assert_msg(macro_create(shipped, NULL, 200e-6, &err) == DWMTJ_H_OK, "shipped: %s", err);
    free(err);
    ck_assert_int_eq(macro_create(dir, NULL, 200e-6, &err), DWMTJ_H_ERR_FILE);
    ck_assert_msg(err && strstr(err, "cannot read") && strstr(err, dir), "%s", err);
    free(err);
    struct { const char *text; int rc; const char *says; } bad[] = {
        { "i_max 2e-4\nfoo 1\n", DWMTJ_H_ERR_FILE, "cell_cmos_macro.txt:2: unknown key 'foo'" },
        { "i_max 2e-4\nt_sense -1e-10\n", DWMTJ_H_ERR_FILE,
          "cell_cmos_macro.txt:2: t_sense = '-1e-10'" },
        { "i_max 2e-4\nt_sense 1e-10x\n", DWMTJ_H_ERR_FILE, "t_sense = '1e-10x'" },
        { "i_max 2e-4\np_sense -1e-4\n", DWMTJ_H_ERR_FILE,
          "p_sense = '-1e-4' W: must be a finite number >= 0" },
        { "i_max 2e-4\ni_max 2e-4\n", DWMTJ_H_ERR_FILE, ":2: i_max given twice" },
        { "i_max 2e-4 A\n", DWMTJ_H_ERR_FILE, ":1: expected \"KEY VALUE\"" },
        { "i_max 2e-4\n", DWMTJ_H_ERR_FILE, "no t_clear (s)" },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        int rc = macro_create(dir, bad[k].text, 200e-6, &err);
        ck_assert_msg(rc == bad[k].rc && err && strstr(err, bad[k].says) && strstr(err, dir),
                      "case %zu: %d, %s", k, rc, err ? err : "(no message)");
        free(err);
    }
    ck_assert_msg(macro_create(dir, macro_good, 200e-6, &err) == DWMTJ_H_OK, "%s", err);
    free(err);
    ck_assert_msg(macro_create(dir, macro_neg_e, 200e-6, &err) == DWMTJ_H_OK, "%s", err);
    free(err);
    int rc = macro_create(dir, macro_good, 100e-6, &err);
    ck_assert_msg(rc == DWMTJ_H_ERR_USAGE && err && strstr(err, "extracted at i_max") &&
                      strstr(err, "--backend ngspice"), "%d, %s", rc, err ? err : "");
    free(err);
    /* the rule a network trained for the macromodel records (dwmtj train
     * --periphery cmos): doc/cell.md's cell with the file's clear, sense
     * delay and write width and the cmos clamp's 0.3 V over the 20 kOhm
     * track */
    dwmtj_cell cc, def;
    dwmtj_cell_defaults(&def);
    ck_assert_msg(dwmtj_infer_cmos_rule(dir, 200e-6, &cc, &err) == DWMTJ_H_OK, "%s", err);
    ck_assert(cc.t_write == 2e-9 && cc.t_sense == 1.5e-10 && cc.i_clear == 2.8e-4 &&
              cc.t_clear == 1e-9);
    tu_assert_rel(cc.i_neg, 15e-6, 1e-9);
    ck_assert(cc.i_read == def.i_read && cc.v_write == def.v_write && cc.t_start == def.t_start);
    rc = dwmtj_infer_cmos_rule(dir, 100e-6, &cc, &err);
    ck_assert_msg(rc == DWMTJ_H_ERR_USAGE && err && strstr(err, "extracted at i_max"), "%s",
                  err ? err : "");
    free(err);
    /* such a network runs on it; trained for another macromodel it is refused */
    ck_assert_int_eq(dwmtj_infer_cmos_rule(dir, 200e-6, &cc, NULL), DWMTJ_H_OK);
    ck_assert_msg(macro_create_cell(dir, NULL, 200e-6, &cc, &err) == DWMTJ_H_OK, "%s", err);
    free(err);
    cc.t_write = 1.9e-9;
    rc = macro_create_cell(dir, NULL, 200e-6, &cc, &err);
    ck_assert_msg(rc == DWMTJ_H_ERR_USAGE && err &&
                      strstr(err, "trained for a cmos macromodel with cell.t_write (s) = 1.9e-09") &&
                      strstr(err, "gives 2e-09"), "%d, %s", rc, err ? err : "");
    free(err);
    tu_remove_tree(dir);
}
END_TEST

static Suite *infer_suite(void)
{
    Suite *s = suite_create("infer");
    TCase *tc = tcase_create("mapping");
    tcase_add_test(tc, test_map_window);
    tcase_add_test(tc, test_map_levels);
    tcase_add_test(tc, test_map_errors);
    tcase_add_test(tc, test_pwl);
    tcase_add_test(tc, test_many_outputs);
    tcase_add_test(tc, test_device_warnings);
    tcase_add_test(tc, test_cell_deck);
    tcase_add_test(tc, test_soa);
    tcase_add_test(tc, test_macro_file);
    suite_add_tcase(s, tc);
    tc = tcase_create("ngspice");
    tcase_set_timeout(tc, 900); /* ~30 s unloaded; distcheck on a busy machine took longer */
    tcase_add_test(tc, test_crossbar_energy);
    tcase_add_test(tc, test_small_network);
    tcase_add_test(tc, test_small_step_parity);
    tcase_add_test(tc, test_continuous_network);
    tcase_add_loop_test(tc, test_cell_network, 0, 2);
    tcase_add_test(tc, test_cell_turns);
    tcase_add_test(tc, test_cell_turn_point);
    tcase_add_test(tc, test_cmos_network);
    tcase_add_test(tc, test_cmos_small);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(infer_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
