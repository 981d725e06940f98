/* Tests of the dwmtj4t XSPICE code model through the real ngspice binary
 * and through libngspice (helpers in ngrun.c).
 *
 * Environment: DWMTJ_CM, the built dwmtj.cm (required); DWMTJ_SRCDIR, the
 * source tree with netlists/ (required); DWMTJ_NGSPICE, the binary
 * (optional, else ngspice from PATH).  `make check' sets all three.
 *
 * Expectations are computed here: the energy from ngspice's own terminal
 * voltages and currents, the DC current from the resistor network solved
 * by Gaussian elimination; the model library only supplies the numbers of
 * its parameter sets. */
#define _XOPEN_SOURCE 700

#include "dwmtj.h"
#include "ngrun.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *cm;      /* absolute path of the code model */
static char *srcdir;  /* absolute path of the source tree */

/* ------------------------------------------------------------------------
 * Netlists
 * --------------------------------------------------------------------- */

/* Write through MTJ_A (3.1 V, 50 ns, via a switch, as in fig3a.cir), then
 * 50 ns pulses of 2.1 ... 2.8 V every 100 ns.  The paper's model
 * (proto-paper, deterministic with sigma = 0, so that tests of the
 * adapter see only the adapter; its write -3.1 V at A, from the track
 * into the pillar): the domain depins on the first, integrates, fires at
 * 2.5 V and resets at 2.7 V.  The thermal model (proto; its write +3.1 V,
 * from the pillar into the track): depins by 1.95 V, fires near 2.45 V
 * and resets by 2.8 V, each at a draw.  Each terminal is fed through a
 * 0 V source so that ngspice reports its current.  %s: the write
 * amplitude, the set and further card parameters, the largest step. */
static const char cycle_fmt[] =
    "* dwmtj4t write, integrate, fire, reset\n"
    "Vw wsrc 0 PULSE(0 %s 10n 10n 10n 30n 1u)\n"
    "Vsw ctl 0 PULSE(0 1 5n 1n 1n 58n 1u)\n"
    "Sw a wsrc ctl 0 wsw\n"
    ".model wsw sw(vt=0.5 vh=0.1 ron=1 roff=1e12)\n"
    "Rsa a 0 100k\n"
    "Rsb b 0 100k\n"
    "Vamp amp 0 PWL(0 0 99.9n 0 100n 2.1 199.9n 2.1 200n 2.2 299.9n 2.2\n"
    "+ 300n 2.3 399.9n 2.3 400n 2.4 499.9n 2.4 500n 2.5 599.9n 2.5\n"
    "+ 600n 2.6 699.9n 2.6 700n 2.7 799.9n 2.7 800n 2.8 899.9n 2.8 900n 0)\n"
    "Vshape shape 0 PULSE(0 1 100n 10n 10n 30n 100n)\n"
    "Bin in 0 V = v(amp)*v(shape)\n"
    "Vmin in nin 0\n"
    "Vmgnd 0 ngnd 0\n"
    "Vma a na 0\n"
    "Vmb b nb 0\n"
    "aneuron nin ngnd na nb [x ra rb e ew ei ef er eidle nw nd nf nr] neuron\n"
    ".model neuron dwmtj4t(set=\"%s\" %s)\n"
    ".tran 0.1n 900n 0 %s\n";

/* The paper's Fig. 4 pulse-number device in the paper's model (as
 * netlists/fig5p_12.cir) on two instances on different nodes, one noise
 * slot per pulse period, up to 3 us. */
static const char twin_fmt[] =
    "* two dwmtj4t neurons, pulse-number encoding\n"
    "Vw wsrc 0 PULSE(0 -3.1 10n 10n 10n 30n 4100n)\n"
    "Vsw ctl 0 PULSE(0 1 5n 1n 1n 58n 4100n)\n"
    "Sw1 a1 wsrc ctl 0 wsw\n"
    "Sw2 a2 wsrc ctl 0 wsw\n"
    ".model wsw sw(vt=0.5 vh=0.1 ron=1 roff=1e12)\n"
    "Rsa1 a1 0 100k\n"
    "Rsb1 b1 0 100k\n"
    "Rsa2 a2 0 100k\n"
    "Rsb2 b2 0 100k\n"
    "Vamp amp 0 PULSE(0 2.4 99.9n 0.1n 0.1n 3999.8n 4100n)\n"
    "Vshape shape 0 PULSE(0 1 100n 10n 10n 30n 100n)\n"
    "Bin1 in1 0 V = v(amp)*v(shape)\n"
    "Bin2 in2 0 V = v(amp)*v(shape)\n"
    "aneuron1 in1 0 a1 b1 [x1 ra1 rb1 e1 ew1 ei1 ef1 er1 eidle1 nw1 nd1 nf1] neuron\n"
    "aneuron2 in2 0 a2 b2 [x2 ra2 rb2 e2 ew2 ei2 ef2 er2 eidle2 nw2 nd2 nf2] neuron\n"
    ".model neuron dwmtj4t(set=\"proto-paper\" j_pin_t0=7.3333e+11 j_pin_t1=7.3333e+11\n"
    "+ j_pin_w=7.6667e+11 j_pin_r=7.6667e+11 eta=0.058 t_slot=100n %s)\n"
    ".tran 1n 3u\n";

/* The cycle deck (cycle_fmt) of the paper's model (thermal 0) or the
 * thermal one, with card parameters par and largest step tmax; free it. */
static char *cycle(int thermal, const char *par, const char *tmax)
{
    size_t n = sizeof cycle_fmt + strlen(par) + strlen(tmax) + 32;
    char *s = malloc(n);
    ck_assert_ptr_nonnull(s);
    snprintf(s, n, cycle_fmt, thermal ? "3.1" : "-3.1", thermal ? "proto" : "proto-paper", par,
             tmax);
    return s;
}

/* cards = fmt with its %s filled in; free it. */
static char *cards(const char *fmt, const char *a, const char *b)
{
    size_t n = strlen(fmt) + strlen(a) + (b ? strlen(b) : 0) + 1;
    char *s = malloc(n);
    ck_assert_ptr_nonnull(s);
    snprintf(s, n, fmt, a, b);
    return s;
}

/* ------------------------------------------------------------------------
 * Reading the data
 * --------------------------------------------------------------------- */

/* First time column c reaches 0.5 (a count monitor increments); -1 never. */
static double first_count(const ngr_table *t, int c)
{
    for (int r = 0; r < t->nrow; r++)
        if (NGR_AT(t, r, c) >= 0.5)
            return NGR_AT(t, r, 0);
    return -1.0;
}

static double last(const ngr_table *t, int c) { return NGR_AT(t, t->nrow - 1, c); }

/* Integral over column 0 of sum_k v_k i_k, columns (v_k, i_k) from c0 on,
 * each linear between the time points of the table (the product of two
 * lines integrated exactly). */
static double energy(const ngr_table *t, int c0, int nterm)
{
    double e = 0.0;
    for (int r = 1; r < t->nrow; r++) {
        double h = NGR_AT(t, r, 0) - NGR_AT(t, r - 1, 0);
        for (int k = 0; k < nterm; k++) {
            double v0 = NGR_AT(t, r - 1, c0 + 2 * k), v1 = NGR_AT(t, r, c0 + 2 * k);
            double i0 = NGR_AT(t, r - 1, c0 + 2 * k + 1), i1 = NGR_AT(t, r, c0 + 2 * k + 1);
            e += h * (2.0 * (v0 * i0 + v1 * i1) + v0 * i1 + v1 * i0) / 6.0;
        }
    }
    return e;
}

static const char *mode_name(int m) { return m == NGR_BIN ? "ngspice" : "libngspice"; }

/* Runs cards in mode m and fails the test, showing the output's tail, if
 * no data came back. */
static void run_ok(int m, const char *net, const char *scale, const char *const *names,
                   int n, ngr_table *t)
{
    char *out = NULL;
    int rc = ngr_run((ngr_mode)m, cm, net, scale, names, n, t, &out);
    ck_assert_msg(rc == 0, "%s run failed; output ends:\n%s", mode_name(m), ngr_tail(out));
    free(out);
}

/* ------------------------------------------------------------------------
 * 1. Loading
 * --------------------------------------------------------------------- */

static const char devhelp_net[] =
    "* devhelp\n.control\ndevhelp dwmtj4t\n.endc\n.end\n";

static void assert_devhelp(const char *out)
{
    ck_assert_msg(strstr(out, "dwmtj4t - four-terminal domain-wall MTJ") != NULL,
                  "devhelp did not describe dwmtj4t:\n%s", ngr_tail(out));
    static const char *const params[] = { "set", "seed", "rap_a", "j_pin_out", "sigma",
                                          "t_slot", "dx_max" };
    for (size_t k = 0; k < sizeof params / sizeof params[0]; k++)
        ck_assert_msg(strstr(out, params[k]) != NULL, "devhelp lacks %s", params[k]);
}

START_TEST(load_bin_devhelp)
{
    ngr_bin_result r;
    ck_assert_int_eq(ngr_bin_run(cm, devhelp_net, NULL, 30.0, &r), 0);
    ck_assert_msg(r.exited, "ngspice did not exit normally");
    assert_devhelp(r.out);
    ngr_bin_result_free(&r);
}
END_TEST

START_TEST(load_lib_devhelp)
{
    ck_assert_msg(ngr_lib_start(cm) == 0, "libngspice did not load %s", cm);
    ngr_lib_clear();
    ck_assert_int_eq(ngr_lib_cmd("devhelp dwmtj4t"), 0);
    char *out = ngr_lib_output();
    assert_devhelp(out);
    free(out);
    ck_assert(!ngr_lib_exit_requested());
}
END_TEST

/* Full, shortened and NULL monitor vectors parse and run side by side
 * (proto-paper: deterministic, so the three instances on their own nodes
 * move alike). */
START_TEST(load_monitor_shapes)
{
    static const char net[] =
        "* monitor shapes\n"
        "Vw wsrc 0 PULSE(0 -3.1 10n 10n 10n 30n 1u)\n"
        "Vsw ctl 0 PULSE(0 1 5n 1n 1n 58n 1u)\n"
        "Sw1 a1 wsrc ctl 0 wsw\nSw2 a2 wsrc ctl 0 wsw\nSw3 a3 wsrc ctl 0 wsw\n"
        ".model wsw sw(vt=0.5 vh=0.1 ron=1 roff=1e12)\n"
        "Ra1 a1 0 100k\nRb1 b1 0 100k\nRa2 a2 0 100k\nRb2 b2 0 100k\n"
        "Ra3 a3 0 100k\nRb3 b3 0 100k\n"
        "aful 0 0 a1 b1 [x1 ra1 rb1 e1 ew1 ei1 ef1 er1 eidle1 nw1 nd1 nf1 nr1 t1 nsoa1] neuron\n"
        "ashort 0 0 a2 b2 [x2 ra2] neuron\n"
        "anull 0 0 a3 b3 NULL neuron\n"
        ".model neuron dwmtj4t(set=\"proto-paper\")\n"
        ".tran 1n 100n\n";
    static const char *const v[] = { "x1", "ra1", "nw1", "x2", "ra2", "a1", "a3", "t1", "nsoa1" };
    for (int m = NGR_BIN; m <= NGR_LIB; m++) {
        ngr_table t;
        run_ok(m, net, "time", v, 9, &t);
        ck_assert_msg(last(&t, 3) == 1.0, "%s: no domain written", mode_name(m));
        ck_assert_double_eq_tol(last(&t, 1), 0.45, 1e-9);
        double dx = 0, dr = 0, da = 0;
        for (int r = 0; r < t.nrow; r++) {
            dx = fmax(dx, fabs(NGR_AT(&t, r, 1) - NGR_AT(&t, r, 4)));
            dr = fmax(dr, fabs(NGR_AT(&t, r, 2) - NGR_AT(&t, r, 5)));
            da = fmax(da, fabs(NGR_AT(&t, r, 6) - NGR_AT(&t, r, 7)));
        }
        ck_assert_msg(dx < 1e-6 && dr < 1e-6 && da < 1e-6,
                      "%s: instances with 15, 2 and no monitors differ: x %g R_A %g V_A %g",
                      mode_name(m), dx, dr, da);
        /* the last two monitors: no heating in proto-paper, no limits */
        ck_assert_double_eq_tol(last(&t, 8), DWMTJ_T_DEFAULT, 1e-9);
        ck_assert_double_eq(last(&t, 9), 0.0);
        ngr_table_free(&t);
    }
}
END_TEST

static char *fig3a_text(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/netlists/fig3a.cir", srcdir);
    char *s = ngr_read_file(path);
    ck_assert_msg(s != NULL, "cannot read %s", path);
    return s;
}

/* fig3a.dat has named columns (set wr_vecnames, wr_singlescale). */
START_TEST(load_bin_fig3a)
{
    char *net = fig3a_text();
    ngr_bin_result r;
    ck_assert_int_eq(ngr_bin_run(cm, net, "fig3a.dat", 30.0, &r), 0);
    free(net);
    ck_assert_msg(r.exited && r.data.nrow > 100, "fig3a did not run:\n%s", ngr_tail(r.out));
    ck_assert_msg(ngr_column(r.header, "time") == 0, "fig3a.dat: no time column first");
    ck_assert_double_eq_tol(last(&r.data, 0), 1.6e-6, 1e-12);
    static const char *const counts[] = { "v(nw)", "v(nf)", "v(nr)" };
    for (int k = 0; k < 3; k++) {
        int c = ngr_column(r.header, counts[k]);
        ck_assert_msg(c > 0 && c < r.data.ncol, "fig3a.dat: no column %s", counts[k]);
        ck_assert_msg(last(&r.data, c) == 1.0, "%s = %g at the end", counts[k],
                      last(&r.data, c));
    }
    ngr_bin_result_free(&r);
}
END_TEST

/* The netlist as it is, .control section included (it runs on
 * ngSpice_Circ and writes fig3a.dat into the scratch directory). */
START_TEST(load_lib_fig3a)
{
    char *net = fig3a_text();
    ck_assert_int_eq(ngr_lib_start(cm), 0);
    ck_assert_int_eq(ngr_lib_circ(net), 0);
    free(net);
    int n;
    const double *t = ngr_lib_vec("time", &n);
    ck_assert_msg(t && n > 100, "fig3a produced no time vector");
    ck_assert_double_eq_tol(t[n - 1], 1.6e-6, 1e-12);
    static const char *const counts[] = { "nw", "nf", "nr" };
    for (int k = 0; k < 3; k++) {
        int len;
        const double *v = ngr_lib_vec(counts[k], &len);
        ck_assert_msg(v && len == n, "no vector %s", counts[k]);
        ck_assert_msg(v[len - 1] == 1.0, "%s = %g at the end", counts[k], v[len - 1]);
    }
    ck_assert(!ngr_lib_exit_requested());
}
END_TEST

/* ------------------------------------------------------------------------
 * 2. Energy conservation
 * --------------------------------------------------------------------- */

enum { E_NIN = 1, E_E = 9, E_EW, E_EI, E_EF, E_ER, E_EIDLE, E_NW, E_NF, E_NR };
static const char *const energy_vecs[] = {
    "nin", "vmin#branch", "ngnd", "vmgnd#branch", "na", "vma#branch", "nb", "vmb#branch",
    "e", "ew", "ei", "ef", "er", "eidle", "nw", "nf", "nr"
};

/* _i: even ngspice, odd libngspice; _i / 2 even a fine step, odd a coarse
 * one; below 4 the paper's model, else the thermal one */
START_TEST(energy_conserved)
{
    int m = _i % 2 ? NGR_LIB : NGR_BIN;
    char *net = cycle(_i >= 4, "", (_i / 2) % 2 ? "5n" : "0.1n");
    ngr_table t;
    run_ok(m, net, "time", energy_vecs, 17, &t);
    free(net);
    ck_assert_msg(last(&t, E_NW) == 1.0 && last(&t, E_NF) == 1.0 && last(&t, E_NR) == 1.0,
                  "%s: cycle incomplete: writes %g fires %g resets %g", mode_name(m),
                  last(&t, E_NW), last(&t, E_NF), last(&t, E_NR));
    double e_model = 1e-12 * last(&t, E_E);
    double e_spice = energy(&t, E_NIN, 4);
    ck_assert_msg(e_model > 100e-12, "%s: device energy only %g J", mode_name(m), e_model);
    /* the same rule on ngspice's own vectors: to their printed digits */
    ck_assert_msg(fabs(e_model - e_spice) <= 1e-5 * e_spice,
                  "%s: model energy %.6g J, integral of V I %.6g J", mode_name(m), e_model,
                  e_spice);
    double phases = 0.0;
    for (int c = E_EW; c <= E_EIDLE; c++) {
        phases += last(&t, c);
        if (c != E_EIDLE)
            ck_assert_msg(last(&t, c) > 0.0, "%s: no energy in phase column %d",
                          mode_name(m), c);
    }
    ck_assert_double_eq_tol(phases, last(&t, E_E), 1e-6 * last(&t, E_E));
    ngr_table_free(&t);
}
END_TEST

/* ------------------------------------------------------------------------
 * 3. Step-size independence
 * --------------------------------------------------------------------- */

enum { S_X = 1, S_NW, S_ND, S_NF, S_NR };
static const char *const step_vecs[] = { "x", "nw", "nd", "nf", "nr" };
#define FIRE_TOL 0.5e-9 /* s */

/* _i: 0 the paper's model, 1 with its velocity noise; 2, 3 the thermal
 * model with two seeds, whose escapes integrate their rates to a draw made
 * on arrival, so that they do not depend on the step either */
START_TEST(step_independent)
{
    static const char *const tmax[] = { "0.05n", "0.1n", "1n", "5n" };
    static const char *const par[] = { "", "sigma=0.3 seed=5", "seed=1", "seed=3" };
    const char *model = par[_i];
    double fire[4], counts[4][4];
    for (int k = 0; k < 4; k++) {
        char *net = cycle(_i >= 2, model, tmax[k]);
        ngr_table t;
        run_ok(NGR_BIN, net, "time", step_vecs, 5, &t);
        free(net);
        fire[k] = first_count(&t, S_NF);
        for (int c = 0; c < 4; c++)
            counts[k][c] = last(&t, S_NW + c);
        ngr_table_free(&t);
        ck_assert_msg(fire[k] > 0, "no fire with tmax %s", tmax[k]);
    }
    for (int k = 1; k < 4; k++) {
        ck_assert_msg(fabs(fire[k] - fire[0]) <= FIRE_TOL,
                      "\"%s\": fire at %.4f ns with tmax %s but %.4f ns with tmax %s "
                      "(fires at %.4f %.4f %.4f %.4f ns)", model,
                      1e9 * fire[k], tmax[k], 1e9 * fire[0], tmax[0], 1e9 * fire[0],
                      1e9 * fire[1], 1e9 * fire[2], 1e9 * fire[3]);
        for (int c = 0; c < 4; c++)
            ck_assert_msg(counts[k][c] == counts[0][c],
                          "count %s = %g with tmax %s but %g with %s", step_vecs[1 + c],
                          counts[k][c], tmax[k], counts[0][c], tmax[0]);
    }
    ck_assert(counts[0][0] == 1.0 && counts[0][2] == 1.0 && counts[0][3] == 1.0);
}
END_TEST

/* ------------------------------------------------------------------------
 * 4. Reproducibility
 * --------------------------------------------------------------------- */

enum { T_X1 = 1, T_X2, T_NF1, T_NF2, T_NW1, T_NW2 };
static const char *const twin_vecs[] = { "x1", "x2", "nf1", "nf2", "nw1", "nw2" };

static void twin_run(int m, const char *model, ngr_table *t)
{
    char *net = cards(twin_fmt, model, NULL);
    run_ok(m, net, "time", twin_vecs, 6, t);
    free(net);
    ck_assert_msg(last(t, T_NW1) == 1.0 && last(t, T_NW2) == 1.0, "no write");
    ck_assert_msg(last(t, T_NF1) >= 1.0 && last(t, T_NF2) >= 1.0, "a neuron did not fire");
}

/* Largest |x1 - x2| (um) while both instances hold a domain. */
static double twin_spread(const ngr_table *t)
{
    double d = 0.0;
    for (int r = 0; r < t->nrow; r++) {
        double a = NGR_AT(t, r, T_X1), b = NGR_AT(t, r, T_X2);
        if (a >= 0.0 && b >= 0.0)
            d = fmax(d, fabs(a - b));
    }
    return d;
}

static int same_table(const ngr_table *a, const ngr_table *b)
{
    if (a->nrow != b->nrow || a->ncol != b->ncol)
        return 0;
    return memcmp(a->v, b->v, (size_t)a->nrow * (size_t)a->ncol * sizeof *a->v) == 0;
}

/* Same seed: the binary twice gives the same data; libngspice twice in
 * one process gives the same vectors, and the same fire times as the
 * binary; another seed changes them. */
START_TEST(repro_same_seed)
{
    ngr_table b1, b2, l1, l2, other;
    twin_run(NGR_BIN, "sigma=0.3 seed=7", &b1);
    twin_run(NGR_BIN, "sigma=0.3 seed=7", &b2);
    ck_assert_msg(same_table(&b1, &b2), "two ngspice runs with seed 7 differ");
    twin_run(NGR_LIB, "sigma=0.3 seed=7", &l1);
    twin_run(NGR_LIB, "sigma=0.3 seed=7", &l2);
    ck_assert_msg(same_table(&l1, &l2), "two libngspice runs with seed 7 differ");
    for (int c = T_NF1; c <= T_NF2; c++)
        ck_assert_msg(fabs(first_count(&b1, c) - first_count(&l1, c)) < 1e-12,
                      "fire at %.9g s in ngspice, %.9g s in libngspice", first_count(&b1, c),
                      first_count(&l1, c));
    twin_run(NGR_BIN, "sigma=0.3 seed=8", &other);
    ck_assert_msg(first_count(&other, T_NF1) != first_count(&b1, T_NF1) ||
                      first_count(&other, T_NF2) != first_count(&b1, T_NF2),
                  "seeds 7 and 8 fire at the same times");
    ngr_table_free(&b1);
    ngr_table_free(&b2);
    ngr_table_free(&l1);
    ngr_table_free(&l2);
    ngr_table_free(&other);
}
END_TEST

/* Two instances on different nodes draw different noise; without noise
 * they move together. */
START_TEST(repro_instances_differ)
{
    ngr_table quiet, noisy;
    twin_run(NGR_BIN, "sigma=0", &quiet);
    twin_run(NGR_BIN, "sigma=0.3 seed=7", &noisy);
    double f1 = first_count(&quiet, T_NF1), f2 = first_count(&quiet, T_NF2);
    ck_assert_msg(twin_spread(&quiet) < 1e-6 && fabs(f1 - f2) < 0.1e-9,
                  "identical noiseless neurons differ: %g um, fires %.4f / %.4f ns",
                  twin_spread(&quiet), 1e9 * f1, 1e9 * f2);
    ck_assert_msg(twin_spread(&noisy) > 0.05,
                  "neurons on different nodes moved together (%g um apart at most)",
                  twin_spread(&noisy));
    ngr_table_free(&quiet);
    ngr_table_free(&noisy);
}
END_TEST

/* ------------------------------------------------------------------------
 * 4b. Events inside a step (issue 11, item 2)
 * --------------------------------------------------------------------- */

/* The scaled device with the clocked periphery at 0.3 V DC: it writes at
 * every 100 ns edge, the domain crosses the track in about 24 ns.  A and
 * B sensed through 1 MOhm. */
static const char clocked_fmt[] =
    "* clocked scaled device, 0.3 V DC\n"
    "Vin in 0 DC 0.3\n"
    "Ra a 0 1meg\nRb b 0 1meg\n"
    "aneuron in 0 a b [nw nf nr rb] neuron\n"
    ".model neuron dwmtj4t(set=\"scaled\" t_rewrite=100n monitors=\"nw:nf:nr:rb\" %s)\n"
    ".tran 10n %s\n";

enum { C_NW = 1, C_NF, C_NR, C_RB };
static const char *const clocked_vecs[] = { "nw", "nf", "nr", "rb" };

/* Runs the clocked deck through the binary: .tran 10n STOP 0 TMAX. */
static void clocked_run(const char *model, const char *stop_tmax, ngr_table *t, char **out)
{
    char *net = cards(clocked_fmt, model, stop_tmax);
    int rc = ngr_run(NGR_BIN, cm, net, "time", clocked_vecs, 4, t, out);
    free(net);
    ck_assert_msg(rc == 0, "ngspice run failed; output ends:\n%s", ngr_tail(out ? *out : NULL));
}

/* Cycles (writes) in which some time point shows R_B above (R_P+R_AP)/2,
 * and the number of cycles that fired. */
static void rb_seen(const ngr_table *t, int *seen, int *fired)
{
    dwmtj_params p;
    ck_assert_int_eq(dwmtj_params_set(&p, "scaled"), DWMTJ_OK);
    double mid = 0.5 * (p.rp_b + p.rap_b), nw = -1.0, nf = 0.0;
    int shown = 0;
    *seen = *fired = 0;
    for (int r = 0; r < t->nrow; r++) {
        if (NGR_AT(t, r, C_NW) != nw) { /* a new cycle */
            *seen += shown;
            shown = 0;
            nw = NGR_AT(t, r, C_NW);
        }
        shown |= NGR_AT(t, r, C_RB) > mid;
        *fired += NGR_AT(t, r, C_NF) > nf;
        nf = NGR_AT(t, r, C_NF);
    }
    *seen += shown;
}

/* tmax 10 ns (the domain crosses MTJ_B's 33 nm window in 1.6 ns) and
 * 0.1 ns: 21 writes, 20 fires, 20 resets both times, and every cycle that
 * fired has a time point with R_B above its midpoint.  Before: 0 fires
 * at tmax 10 ns, R_B never above. */
START_TEST(events_clocked_dc)
{
    static const char *const tm[] = { "2u 0 10n", "2u 0 0.1n" };
    for (int k = 0; k < 2; k++) {
        ngr_table t;
        clocked_run("", tm[k], &t, NULL);
        ck_assert_msg(last(&t, C_NW) == 21.0 && last(&t, C_NF) == 20.0 && last(&t, C_NR) == 20.0,
                      "tran 10n %s: %g writes, %g fires, %g resets (want 21, 20, 20)", tm[k],
                      last(&t, C_NW), last(&t, C_NF), last(&t, C_NR));
        int seen, fired;
        rb_seen(&t, &seen, &fired);
        ck_assert_msg(fired == 20 && seen == 20,
                      "tran 10n %s: R_B shown above its midpoint in %d cycles of %d that fired",
                      tm[k], seen, fired);
        ngr_table_free(&t);
    }
}
END_TEST

/* ms = 1M (SPICE milli: 1e-3 A/m) makes the domain cross the track in
 * 3e-17 s, inside one step: each cycle still counts its fire with its
 * reset, and the code model says once, naming the instance, that the
 * circuit could not see R_B switch. */
START_TEST(events_ms_milli)
{
    ngr_table t;
    char *out = NULL;
    clocked_run("ms=1M", "2u 0 10n", &t, &out);
    ck_assert_msg(last(&t, C_NW) == 21.0 && last(&t, C_NF) == 20.0 && last(&t, C_NR) == 20.0,
                  "ms=1M: %g writes, %g fires, %g resets (want 21, 20, 20)", last(&t, C_NW),
                  last(&t, C_NF), last(&t, C_NR));
    const char *want = "Instance: aneuron   Message: dwmtj4t warning: t = ";
    /* and, once, that ms = 1e-3 A/m is no device's */
    ck_assert_msg(ngr_count(out, want) == 1 && ngr_count(out, "dwmtj4t warning") == 2 &&
                      ngr_count(out, "dwmtj4t warning: parameter ms = 0.001 A/m") == 1 &&
                      strstr(out, dwmtj_status_string(DWMTJ_WARN_UNSEEN)),
                  "expected one warning \"%s...%s\"; output ends:\n%s", want,
                  dwmtj_status_string(DWMTJ_WARN_UNSEEN), ngr_tail(out));
    free(out);
    ngr_table_free(&t);
}
END_TEST

/* A legal but slow noise slot: the warning, once, naming the instance and
 * the parameter, and the run goes on with the noise (issue 11, items 9
 * and 15). */
START_TEST(warn_t_slot)
{
    ngr_table quiet, noisy;
    char *out = NULL;
    clocked_run("", "20n 0 1n", &quiet, NULL);
    clocked_run("sigma=0.3 t_slot=1f", "20n 0 1n", &noisy, &out);
    char want[512];
    snprintf(want, sizeof want,
             "Instance: aneuron   Message: dwmtj4t warning: parameter t_slot = 1e-15: %s",
             dwmtj_status_string(DWMTJ_WARN_T_SLOT));
    ck_assert_msg(ngr_count(out, want) == 1 && ngr_count(out, "dwmtj4t warning") == 1,
                  "expected once: \"%s\"; output ends:\n%s", want, ngr_tail(out));
    ck_assert_msg(noisy.nrow > 0 && last(&noisy, C_NW) == 1.0, "the noisy run did not go on");
    free(out);
    ngr_table_free(&quiet);
    ngr_table_free(&noisy);
}
END_TEST

/* ms=1M is 1e-3 A/m to SPICE (M is milli): legal, far from any device;
 * the code model says so once, naming the parameter and its range. */
START_TEST(warn_range)
{
    ngr_table t;
    char *out = NULL;
    clocked_run("ms=1M", "20n 0 1n", &t, &out);
    ck_assert_msg(ngr_count(out, "dwmtj4t warning: parameter ms = 0.001 A/m: outside "
                                 "10000..3e+06 A/m") == 1 &&
                      ngr_count(out, "dwmtj4t warning: parameter") == 1,
                  "output ends:\n%s", ngr_tail(out));
    free(out);
    ngr_table_free(&t);
}
END_TEST

/* sigma = 0.3 with t_slot = 1e-300: no step can hold the noise of its
 * 1e290 slots.  Before, each step moved the domain without noise and the
 * run gave exactly the sigma = 0 result; now the warning comes, then the
 * step is refused and the run stops with the reason. */
START_TEST(warn_t_slot_tiny)
{
    ngr_table t;
    char *out = NULL;
    char *net = cards(clocked_fmt, "sigma=0.3 t_slot=1e-300", "200n 0 10n");
    int rc = ngr_run(NGR_BIN, cm, net, "time", clocked_vecs, 4, &t, &out);
    free(net);
    ck_assert_msg(ngr_count(out, "dwmtj4t warning: parameter t_slot = 1e-300") == 1,
                  "no t_slot warning; output ends:\n%s", ngr_tail(out));
    ck_assert_msg(strstr(out, dwmtj_status_string(DWMTJ_ERR_STEP_LONG)) != NULL,
                  "the long step was not refused; output ends:\n%s", ngr_tail(out));
    ck_assert_msg(rc != 0 || t.nrow == 0 || last(&t, 0) < 200e-9,
                  "the run went on to the end (%d rows)", t.nrow);
    free(out);
    if (rc == 0)
        ngr_table_free(&t);
}
END_TEST

/* ------------------------------------------------------------------------
 * 5. Bad input
 * --------------------------------------------------------------------- */

/* Values invalid in every set (rap_a = 100 is below every R_P), and the
 * thermal model's own rules on its set, proto. */
static const struct {
    const char *model;  /* .model card parameters */
    const char *msg;    /* the message expected after "Message: " */
} bad[] = {
    { "set=\"proto\" rap_a=100",
      "dwmtj4t: invalid parameter rap_a = 100: MTJ_A R_AP must exceed R_P; simulation stopped" },
    { "set=\"proto\" sigma=-1",
      "dwmtj4t: invalid parameter sigma = -1: noise sigma must be >= 0; simulation stopped" },
    { "set=\"proto\" xa=3e-6",
      "dwmtj4t: invalid parameter xa = 3e-06: MTJ_A must lie inside the track; "
      "simulation stopped" },
    { "set=\"nonsense\"",
      "dwmtj4t: invalid parameter set = \"nonsense\": unknown parameter set (use proto, proto-pn, "
      "proto-paper, scaled or scaled-thermal); simulation stopped" },
    /* issue 11, item 17: an int seed let -1 through and rounded 2.7 to 3 */
    { "set=\"proto\" seed=-1",
      "dwmtj4t: invalid parameter seed = -1: must be an integer from 0 to 2^53; "
      "simulation stopped" },
    { "set=\"proto\" seed=2.7",
      "dwmtj4t: invalid parameter seed = 2.7: must be an integer from 0 to 2^53; "
      "simulation stopped" },
    { "set=\"proto\" seed=1e16",
      "dwmtj4t: invalid parameter seed = 1e+16: must be an integer from 0 to 2^53; "
      "simulation stopped" },
    { "set=\"proto\" temp=-1",
      "dwmtj4t: invalid parameter temp = -1: temperature must be > 0 K (0: the circuit's); "
      "simulation stopped" },
    { "set=\"proto\" eb_edge=0",
      "dwmtj4t: invalid parameter eb_edge = 0: barrier must be > 0 in the thermal model; "
      "simulation stopped" },
    { "set=\"proto\" model=1 r_th=0",
      "dwmtj4t: invalid parameter r_th = 0: thermal resistance must be > 0 in the thermal "
      "model (>= 0 in the paper's, 0: no heating); simulation stopped" },
    { "set=\"proto\" var_r=0.3",
      "dwmtj4t: invalid parameter var_r = 0.3: relative spread must be in [0, 0.25): a larger "
      "one draws negative resistances; simulation stopped" },
    { "set=\"proto\" sigma=0.3",
      "dwmtj4t: invalid parameter sigma = 0.3: sigma is the paper's velocity noise (model = 0); "
      "the thermal model's randomness is its escape: set sigma = 0; simulation stopped" },
    { "set=\"proto\" dev_seed=2.5",
      "dwmtj4t: invalid parameter dev_seed = 2.5: must be an integer from 0 to 2^53; "
      "simulation stopped" },
    /* proto's Curie temperature, 1000 K, must lie above the temperature */
    { "set=\"proto\" temp=5000",
      "dwmtj4t: invalid parameter t_curie = 1000: Curie temperature must be 0 (Ms constant) or "
      "above the temperature and t_max; simulation stopped" },
};
#define NBAD ((int)(sizeof bad / sizeof bad[0]))

static char *bad_net(int k, int control)
{
    static const char fmt[] =
        "* bad parameter\n"
        "Vin in 0 PULSE(0 2 10n 1n 1n 20n 100n)\n"
        "Ra a 0 100k\nRb b 0 100k\n"
        "aneuron7 in 0 a b [x ra rb e] neuron\n"
        ".model neuron dwmtj4t(%s)\n"
        ".tran 1n 100n\n"
        "%s";
    return cards(fmt, bad[k].model,
                 control ? ".control\nrun\nwrdata out.dat v(x)\n.endc\n.end\n" : ".end\n");
}

static void assert_one_message(const char *out, int k)
{
    char want[512];
    snprintf(want, sizeof want, "Instance: aneuron7   Message: %s", bad[k].msg);
    ck_assert_msg(ngr_count(out, want) == 1, "expected once: \"%s\"\noutput ends:\n%s", want,
                  ngr_tail(out));
    ck_assert_msg(ngr_count(out, "dwmtj4t:") == 1, "%d dwmtj4t messages; output ends:\n%s",
                  ngr_count(out, "dwmtj4t:"), ngr_tail(out));
}

START_TEST(bad_bin)
{
    char *net = bad_net(_i, 1);
    ngr_bin_result r;
    ck_assert_int_eq(ngr_bin_run(cm, net, "out.dat", 20.0, &r), 0);
    free(net);
    ck_assert_msg(!r.timed_out, "ngspice still ran after 20 s");
    ck_assert_msg(r.exited, "ngspice crashed:\n%s", ngr_tail(r.out));
    assert_one_message(r.out, _i);
    ck_assert_msg(r.data.nrow == 0, "the simulation went on (%d rows)", r.data.nrow);
    /* the operating point fails at once: no gmin or source stepping whose
     * lines would bury the message (issue 11, item 16) */
    ck_assert_msg(!strstr(r.out, "Trying gmin") && !strstr(r.out, "source stepping") &&
                      !strstr(r.out, "Supplies reduced"),
                  "ngspice stepped on a device that cannot run:\n%s", ngr_tail(r.out));
    ngr_bin_result_free(&r);
}
END_TEST

/* In libngspice the run stops, the message arrives through SendChar, the
 * background thread (bg_run) or ngSpice_Command (run) returns, nothing
 * asks to exit, and a good circuit still runs afterwards. */
START_TEST(bad_lib)
{
    int k = _i / 2;
    const char *how = _i % 2 ? "run" : "bg_run";
    ck_assert_int_eq(ngr_lib_start(cm), 0);
    char *net = bad_net(k, 0);
    ngr_lib_clear();
    ck_assert_int_eq(ngr_lib_circ(net), 0);
    free(net);
    if (_i % 2)
        ck_assert_int_eq(ngr_lib_cmd(how), 0);
    else
        ck_assert_msg(ngr_lib_bg(how, 20.0) == 0, "background run did not end");
    char *out = ngr_lib_output();
    assert_one_message(out, k);
    free(out);
    int n;
    const double *x = ngr_lib_vec("x", &n);
    ck_assert_msg(!x || n == 0, "%s: the simulation went on (%d points)", how, n);
    ck_assert_msg(!ngr_lib_exit_requested(), "%s: ngspice asked to exit", how);

    char *good = cycle(0, "", "1n");
    ngr_table t;
    run_ok(NGR_LIB, good, "time", step_vecs, 5, &t);
    free(good);
    ck_assert(last(&t, S_NF) == 1.0);
    ngr_table_free(&t);
    ck_assert(!ngr_lib_exit_requested());
}
END_TEST

/* ------------------------------------------------------------------------
 * 6. DC and AC
 * --------------------------------------------------------------------- */

/* IN at 1 V (AC 1), GND at 0, A through 1 kOhm to 0, B through 2 kOhm to
 * 0.3 V (AC 0).  Each case is a .model card and the parameter overrides
 * it makes on its set. */
static const struct {
    const char *set, *card;
    const char *names[3];
    double values[3];
} dc_case[] = {
    { "proto", "set=\"proto\"", { NULL }, { 0 } },
    { "scaled", "set=\"scaled\"", { NULL }, { 0 } },
    { "proto-paper", "set=\"proto-paper\" rho=3e-6 rp_b=1300 xb=1.5e-6", { "rho", "rp_b", "xb" },
      { 3e-6, 1300, 1.5e-6 } },
    { "proto-paper", "set=\"proto-paper\"", { NULL }, { 0 } },
    /* the thermal model's own sites follow xb; R_AP stays above R_P */
    { "proto", "set=\"proto\" rho=1e-6 rp_b=1000 xb=1.5e-6", { "rho", "rp_b", "xb" },
      { 1e-6, 1000, 1.5e-6 } },
};
#define NDC ((int)(sizeof dc_case / sizeof dc_case[0]))

#define R_A 1e3
#define R_B 2e3
#define V_B 0.3

static char *dc_net(int k)
{
    static const char fmt[] =
        "* dwmtj4t DC operating point\n"
        "Vin in 0 DC 1 AC 1\n"
        "Vmin in nin 0\n"
        "Ra a 0 1k\n"
        "Rb b vb 2k\n"
        "Vb vb 0 DC 0.3 AC 0\n"
        "aneuron nin 0 a b [x ra rb] neuron\n"
        ".model neuron dwmtj4t(%s)\n"
        "%s\n";
    return cards(fmt, dc_case[k].card, ".op");
}

/* Solves A x = b (n <= 4) by Gaussian elimination with pivoting. */
static void solve(int n, double a[4][4], double b[4], double x[4])
{
    for (int c = 0; c < n; c++) {
        int p = c;
        for (int r = c + 1; r < n; r++)
            if (fabs(a[r][c]) > fabs(a[p][c]))
                p = r;
        for (int j = 0; j < n; j++) {
            double s = a[c][j];
            a[c][j] = a[p][j];
            a[p][j] = s;
        }
        double s = b[c];
        b[c] = b[p];
        b[p] = s;
        for (int r = c + 1; r < n; r++) {
            double f = a[r][c] / a[c][c];
            for (int j = c; j < n; j++)
                a[r][j] -= f * a[c][j];
            b[r] -= f * b[c];
        }
    }
    for (int r = n - 1; r >= 0; r--) {
        double s = b[r];
        for (int j = r + 1; j < n; j++)
            s -= a[r][j] * x[j];
        x[r] = s / a[r][r];
    }
}

/* Current into IN and voltages of A, B for IN at v_in, the B source at
 * v_b: nodes PA, PB (track under the MTJ centres), A, B; MTJs at R_P. */
static void expected_dc(int k, double v_in, double v_b, double *i_in, double *va, double *vb)
{
    dwmtj_params p;
    ck_assert_int_eq(dwmtj_params_set(&p, dc_case[k].set), DWMTJ_OK);
    for (int j = 0; j < 3 && dc_case[k].names[j]; j++)
        ck_assert_int_eq(dwmtj_param_set_by_name(&p, dc_case[k].names[j],
                                                 dc_case[k].values[j]), DWMTJ_OK);
    double per_m = p.rho / (p.width * p.thick);
    double g1 = 1.0 / (per_m * p.xa), g2 = 1.0 / (per_m * (p.xb - p.xa));
    double g3 = 1.0 / (per_m * (p.length - p.xb));
    double gma = 1.0 / p.rp_a, gmb = 1.0 / p.rp_b, ga = 1.0 / R_A, gb = 1.0 / R_B;
    enum { PA, PB, A, B };
    double y[4][4] = {
        [PA] = { [PA] = g1 + g2 + gma, [PB] = -g2, [A] = -gma },
        [PB] = { [PA] = -g2, [PB] = g2 + g3 + gmb, [B] = -gmb },
        [A] = { [PA] = -gma, [A] = gma + ga },
        [B] = { [PB] = -gmb, [B] = gmb + gb },
    };
    double rhs[4] = { [PA] = g1 * v_in, [B] = gb * v_b }, v[4];
    solve(4, y, rhs, v);
    *i_in = g1 * (v_in - v[PA]);
    *va = v[A];
    *vb = v[B];
}

static const char *const dc_vecs[] = { "vmin#branch", "a", "b", "x", "ra", "rb" };

static void check_op(int k, const ngr_table *t, const char *who)
{
    double i_in, va, vb;
    expected_dc(k, 1.0, V_B, &i_in, &va, &vb);
    ck_assert_int_eq(t->nrow, 1);
    ck_assert_msg(fabs(NGR_AT(t, 0, 0) - i_in) <= 1e-6 * fabs(i_in),
                  "%s, %s: current into IN %.9g A, network gives %.9g A", who,
                  dc_case[k].card, NGR_AT(t, 0, 0), i_in);
    ck_assert_double_eq_tol(NGR_AT(t, 0, 1), va, 1e-6);
    ck_assert_double_eq_tol(NGR_AT(t, 0, 2), vb, 1e-6);
    ck_assert_double_eq(NGR_AT(t, 0, 3), -1.0);
}

START_TEST(dc_bin_op)
{
    char *net = dc_net(_i);
    ngr_table t;
    run_ok(NGR_BIN, net, NULL, dc_vecs, 6, &t);
    free(net);
    check_op(_i, &t, "ngspice");
    ngr_table_free(&t);
}
END_TEST

START_TEST(dc_lib_op_ac)
{
    char *net = dc_net(_i);
    ngr_table t;
    run_ok(NGR_LIB, net, NULL, dc_vecs, 6, &t);
    free(net);
    check_op(_i, &t, "libngspice");
    ngr_table_free(&t);

    /* small signal about that point: IN alone, the B source at AC 0 */
    ngr_lib_clear();
    ck_assert_int_eq(ngr_lib_cmd("ac lin 1 1k 1k"), 0);
    double re, im, i_in, va, vb;
    ck_assert_msg(ngr_lib_complex("vmin#branch", 0, &re, &im) == 0, "no AC current");
    expected_dc(_i, 1.0, 0.0, &i_in, &va, &vb);
    ck_assert_msg(fabs(re - i_in) <= 1e-6 * fabs(i_in) && fabs(im) <= 1e-9 * fabs(i_in),
                  "%s: AC current into IN %.9g%+.3gj A, network gives %.9g A",
                  dc_case[_i].card, re, im, i_in);
}
END_TEST

/* ------------------------------------------------------------------------
 * 7. The thermal model in the circuit: its temperature, operating point
 * and safe operating area (proto)
 * --------------------------------------------------------------------- */

/* proto at rest (no drive; A and B through 100 kOhm): card parameters
 * %s, then the temperature cards %s; the operating point. */
static const char rest_fmt[] =
    "* dwmtj4t at rest\n"
    "Vin in 0 DC 0\n"
    "Ra a 0 100k\nRb b 0 100k\n"
    "aneuron in 0 a b [t] neuron\n"
    ".model neuron dwmtj4t(set=\"proto\" monitors=\"t\" %s)\n"
    "%s\n"
    ".op\n";

/* The circuit's temperature reaches the device (parameter temp = 0):
 * ngspice takes .temp over .options temp in either order, and .temp=T;
 * a card's temp overrides both. */
static const struct {
    const char *card, *temp;
    double want; /* K */
} temp_case[] = {
    { "", ".temp 100", 373.15 },
    { "", ".options temp=50", 323.15 },
    { "", "* no temperature", 300.15 },
    { "temp=350", ".temp 100\n.options temp=50", 350.0 },
    { "", ".temp 100\n.options temp=50", 373.15 },
    { "", ".options temp=50\n.temp=100", 373.15 },
};
#define NTEMP ((int)(sizeof temp_case / sizeof temp_case[0]))

/* _i: case _i / 2; even ngspice, odd libngspice */
START_TEST(temp_circuit)
{
    int k = _i / 2, m = _i % 2 ? NGR_LIB : NGR_BIN;
    char *net = cards(rest_fmt, temp_case[k].card, temp_case[k].temp);
    static const char *const v[] = { "t" };
    ngr_table t;
    run_ok(m, net, NULL, v, 1, &t);
    free(net);
    ck_assert_int_eq(t.nrow, 1);
    double want = temp_case[k].want;
    ck_assert_msg(fabs(NGR_AT(&t, 0, 0) - want) <= 1e-9 * want,
                  "%s, card \"%s\", \"%s\": device at %.6f K, want %.6f K", mode_name(m),
                  temp_case[k].card, temp_case[k].temp, NGR_AT(&t, 0, 0), want);
    ngr_table_free(&t);
}
END_TEST

/* The operating point is dwmtj_dc: the device at the steady temperature
 * of the power it takes, T_amb + r_th P, P = sum v i over its terminals as
 * ngspice solved them (1 V on IN, A through 1 kOhm to 0, B through
 * 2 kOhm to 0.3 V: about 1 mW, 29 K).  _i: even ngspice, odd libngspice;
 * below 2 at 27 C, else at .temp 100. */
START_TEST(dc_temperature)
{
    int m = _i % 2 ? NGR_LIB : NGR_BIN;
    static const char fmt[] =
        "* dwmtj4t DC heating\n"
        "Vin in 0 DC 1\n"
        "Vmin in nin 0\nVmgnd 0 ngnd 0\nVma a na 0\nVmb b nb 0\n"
        "Ra a 0 1k\nRb b vb 2k\nVb vb 0 DC 0.3\n"
        "aneuron nin ngnd na nb [t] neuron\n"
        ".model neuron dwmtj4t(set=\"proto\" monitors=\"t\" %s)\n"
        "%s\n"
        ".op\n";
    char *net = cards(fmt, "", _i < 2 ? "" : ".temp 100");
    static const char *const v[] = { "nin",  "vmin#branch", "ngnd", "vmgnd#branch", "na",
                                     "vma#branch", "nb", "vmb#branch", "t" };
    ngr_table t;
    run_ok(m, net, NULL, v, 9, &t);
    free(net);
    ck_assert_int_eq(t.nrow, 1);
    double p = 0.0;
    for (int k = 0; k < 4; k++)
        p += NGR_AT(&t, 0, 2 * k) * NGR_AT(&t, 0, 2 * k + 1);
    dwmtj_params pr;
    ck_assert_int_eq(dwmtj_params_set(&pr, "proto"), DWMTJ_OK);
    double t_amb = _i < 2 ? 300.15 : 373.15, rise = pr.r_th * p, got = NGR_AT(&t, 0, 8);
    ck_assert_msg(p > 0.5e-3 && p < 2e-3, "%s: device power %g W", mode_name(m), p);
    ck_assert_msg(fabs(got - t_amb - rise) <= 1e-6 * rise,
                  "%s: device at %.9g K at the operating point; T_amb + r_th P = %.9g + "
                  "%.9g K", mode_name(m), got, t_amb, rise);
    ngr_table_free(&t);
}
END_TEST

/* Two 1 ns pulses of 5 V across the proto track, 20 ns apart: the track
 * current density i(IN) / (w d) reaches 3.6e12 A/m^2 on each, above j_max
 * = 3e12 A/m^2 (1 / (rho L) = 7.09e11 A/m^2 per volt), while the
 * temperature stays below t_max (tau = r_th c_th = 3.9 ns). */
static const char soa_net[] =
    "* dwmtj4t past its current limit\n"
    "Vin in 0 PWL(0 0 10n 0 10.1n 5 11.1n 5 11.2n 0 30n 0 30.1n 5 31.1n 5 31.2n 0)\n"
    "Vmin in nin 0\n"
    "Ra a 0 100k\nRb b 0 100k\n"
    "aneuron nin 0 a b [t nsoa] neuron\n"
    ".model neuron dwmtj4t(set=\"proto\" monitors=\"t:nsoa\")\n"
    ".tran 0.05n 50n 0 0.05n\n";

/* The warning, once per instance, names the quantity, its value (between
 * the limit and the plateau's density), the limit and a time within the
 * first pulse; nsoa counts both entries.  _i: ngspice, libngspice. */
START_TEST(soa_current)
{
    int m = _i ? NGR_LIB : NGR_BIN;
    static const char *const v[] = { "vmin#branch", "t", "nsoa" };
    ngr_table t;
    char *out = NULL;
    int rc = ngr_run((ngr_mode)m, cm, soa_net, "time", v, 3, &t, &out);
    ck_assert_msg(rc == 0, "%s run failed; output ends:\n%s", mode_name(m), ngr_tail(out));
    dwmtj_params p;
    ck_assert_int_eq(dwmtj_params_set(&p, "proto"), DWMTJ_OK);
    double j_top = 0.0, t_top = 0.0;
    for (int r = 0; r < t.nrow; r++) {
        j_top = fmax(j_top, fabs(NGR_AT(&t, r, 1)) / (p.width * p.thick));
        t_top = fmax(t_top, NGR_AT(&t, r, 2));
    }
    ck_assert_msg(j_top > 1.1 * p.j_max && t_top < p.t_max,
                  "the deck should pass j_max only: %g A/m^2, %g K", j_top, t_top);
    ck_assert_msg(last(&t, 3) == 2.0, "%s: nsoa = %g, want 2", mode_name(m), last(&t, 3));
    const char *want = "Instance: aneuron   Message: dwmtj4t warning: the device left its safe "
                       "operating area: track current density ";
    const char *w = strstr(out, want);
    ck_assert_msg(w && ngr_count(out, "dwmtj4t warning") == 1,
                  "%s: expected once \"%s...\"; output ends:\n%s", mode_name(m), want,
                  ngr_tail(out));
    double value = 0.0, at = 0.0;
    ck_assert_msg(sscanf(w + strlen(want), "%lg A/m^2 above its limit 3e+12 A/m^2 at t = %lg s",
                         &value, &at) == 2,
                  "%s: warning reads \"%.200s\"", mode_name(m), w);
    ck_assert_msg(value > p.j_max && value <= j_top * (1.0 + 1e-6) && at >= 10e-9 && at <= 11.2e-9,
                  "%s: %g A/m^2 at %g s (plateau %g A/m^2)", mode_name(m), value, at, j_top);
    free(out);
    ngr_table_free(&t);
}
END_TEST

/* The operating point past j_max (4.5 V: 3.2e12 A/m^2; t_max off, so the
 * steady 880 K is not a second entry) counts one entry and says so; the
 * transient from it stays there, no new entry.  (A transient: ngspice -b
 * runs a deck's .op twice with a .control run.) */
START_TEST(soa_dc)
{
    int m = _i ? NGR_LIB : NGR_BIN;
    static const char net[] =
        "* dwmtj4t past its current limit at DC\n"
        "Vin in 0 DC 4.5\n"
        "Ra a 0 100k\nRb b 0 100k\n"
        "aneuron in 0 a b [nsoa] neuron\n"
        ".model neuron dwmtj4t(set=\"proto\" t_max=0 monitors=\"nsoa\")\n"
        ".tran 1n 10n\n";
    static const char *const v[] = { "nsoa" };
    ngr_table t;
    char *out = NULL;
    int rc = ngr_run((ngr_mode)m, cm, net, "time", v, 1, &t, &out);
    ck_assert_msg(rc == 0, "%s run failed; output ends:\n%s", mode_name(m), ngr_tail(out));
    ck_assert_msg(NGR_AT(&t, 0, 1) == 1.0 && last(&t, 1) == 1.0,
                  "%s: nsoa = %g at the operating point, %g at the end; want 1", mode_name(m),
                  NGR_AT(&t, 0, 1), last(&t, 1));
    ck_assert_msg(ngr_count(out, "dwmtj4t warning: the device left its safe operating area: "
                                 "track current density") == 1,
                  "%s: output ends:\n%s", mode_name(m), ngr_tail(out));
    free(out);
    ngr_table_free(&t);
}
END_TEST

/* A legal thermal parameter no physical device has: the attempt frequency
 * f0 = 1e13 Hz (range 1e7 .. 1e12 Hz) warns once, naming it and its range,
 * and the run goes on.  _i: ngspice, libngspice. */
START_TEST(warn_range_thermal)
{
    int m = _i ? NGR_LIB : NGR_BIN;
    static const char net[] =
        "* dwmtj4t with an implausible f0\n"
        "Vin in 0 DC 0\n"
        "Ra a 0 100k\nRb b 0 100k\n"
        "aneuron in 0 a b [t] neuron\n"
        ".model neuron dwmtj4t(set=\"proto\" monitors=\"t\" f0=1e13)\n"
        ".tran 1n 10n\n";
    static const char *const v[] = { "t" };
    ngr_table t;
    char *out = NULL;
    int rc = ngr_run((ngr_mode)m, cm, net, "time", v, 1, &t, &out);
    ck_assert_msg(rc == 0 && t.nrow > 1, "%s run failed; output ends:\n%s", mode_name(m),
                  ngr_tail(out));
    ck_assert_msg(ngr_count(out, "Instance: aneuron   Message: dwmtj4t warning: parameter f0 = "
                                 "1e+13 Hz: outside 1e+07..1e+12 Hz") == 1 &&
                      ngr_count(out, "dwmtj4t warning") == 1,
                  "%s: output ends:\n%s", mode_name(m), ngr_tail(out));
    free(out);
    ngr_table_free(&t);
}
END_TEST

/* ------------------------------------------------------------------------
 * The copies of the parameter list: ngspice needs each parameter declared
 * in ifspec.ifs and read by name in cfunc.mod; doc/parameters.md documents
 * it.  All are checked against libdwmtj's one table (names and units).
 * --------------------------------------------------------------------- */

/* The quoted strings or words after "key:" on one line, into out[]. */
static int ifs_fields(const char *line, const char *key, char out[][128], int max)
{
    const char *p = strstr(line, key);
    if (p != line)
        return -1;
    p += strlen(key);
    int n = 0;
    while (*p && *p != '\n' && n < max) {
        p += strspn(p, " \t");
        if (*p == '\n' || !*p)
            break;
        size_t len;
        if (*p == '"') {
            p++;
            len = strcspn(p, "\"\n");
            snprintf(out[n++], 128, "%.*s", (int)len, p);
            p += len + (p[len] == '"');
        } else {
            len = strcspn(p, " \t\n");
            snprintf(out[n++], 128, "%.*s", (int)len, p);
            p += len;
        }
    }
    return n;
}

/* NULL if the copies agree with libdwmtj, else what is wrong (static). */
static const char *copies_differ(const char *ifs, const char *mod, const char *doc)
{
    static char why[512];
    char names[64][128], descs[64][128];
    int n = 0;
    for (const char *l = ifs; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        char f[8][128], d[8][128];
        int k = ifs_fields(l, "Parameter_Name:", f, 8);
        if (k <= 0)
            continue;
        const char *dl = strstr(l, "\nDescription:");
        if (!dl || ifs_fields(dl + 1, "Description:", d, 8) != k) {
            snprintf(why, sizeof why, "ifspec.ifs: Parameter_Name %s has no Description line "
                     "of as many fields", f[0]);
            return why;
        }
        for (int j = 0; j < k && n < 64; j++, n++) {
            memcpy(names[n], f[j], 128);
            memcpy(descs[n], d[j], 128);
        }
    }
    /* every libdwmtj parameter once in ifspec.ifs, with its unit; then
     * read in cfunc.mod and documented */
    for (int k = 0; dwmtj_param_name(k); k++) {
        const char *name = dwmtj_param_name(k), *unit = dwmtj_param_unit(k);
        int at = -1;
        for (int j = 0; j < n; j++)
            if (!strcmp(names[j], name))
                at = j;
        if (at < 0) {
            snprintf(why, sizeof why, "ifspec.ifs lacks parameter %s", name);
            return why;
        }
        char u[64];
        snprintf(u, sizeof u, "[%s]", unit);
        if (strcmp(unit, "1") != 0 && !strstr(descs[at], u)) {
            snprintf(why, sizeof why, "ifspec.ifs: %s: description '%s' lacks its unit %s", name,
                     descs[at], u);
            return why;
        }
        char use[256];
        if (strcmp(name, "seed") == 0)
            snprintf(use, sizeof use, "dwmtj_param_set_by_name(p, \"seed\", PARAM(seed))");
        else
            snprintf(use, sizeof use, "if (!PARAM_NULL(%s)) p->%s = PARAM(%s);", name, name,
                     name);
        if (!strstr(mod, use)) {
            snprintf(why, sizeof why, "cfunc.mod does not read %s ('%s')", name, use);
            return why;
        }
        char row[64], in_row[64];
        snprintf(row, sizeof row, "\n| %s |", name);
        snprintf(in_row, sizeof in_row, "\n| %s,", name);
        char mid[64];
        snprintf(mid, sizeof mid, ", %s |", name);
        if (!strstr(doc, row) && !strstr(doc, in_row) && !strstr(doc, mid)) {
            snprintf(why, sizeof why, "doc/parameters.md has no row for %s", name);
            return why;
        }
    }
    /* and nothing else but the set and the monitor list */
    for (int j = 0; j < n; j++) {
        int ok = !strcmp(names[j], "set") || !strcmp(names[j], "monitors");
        for (int k = 0; !ok && dwmtj_param_name(k); k++)
            ok = !strcmp(names[j], dwmtj_param_name(k));
        for (int i = 0; ok && i < j; i++)
            if (!strcmp(names[i], names[j]))
                ok = 0;
        if (!ok) {
            snprintf(why, sizeof why, "ifspec.ifs: parameter %s is not libdwmtj's, or twice",
                     names[j]);
            return why;
        }
    }
    return NULL;
}

static char *source(const char *rel)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", srcdir, rel);
    char *t = ngr_read_file(path);
    ck_assert_msg(t != NULL, "cannot read %s", path);
    return t;
}

START_TEST(copies_agree)
{
    char *ifs = source("ngspice-codemodel/dwmtj4t/ifspec.ifs");
    char *mod = source("ngspice-codemodel/dwmtj4t/cfunc.mod");
    char *doc = source("doc/parameters.md");
    const char *why = copies_differ(ifs, mod, doc);
    ck_assert_msg(why == NULL, "%s", why);
    /* the check sees a copy that drifted: a parameter gone from each */
    char *p = strstr(ifs, " ms ");
    ck_assert_ptr_nonnull(p);
    memcpy(p, " mz ", 4);
    why = copies_differ(ifs, mod, doc);
    ck_assert_msg(why && strstr(why, "lacks parameter ms"), "%s", why ? why : "(agrees)");
    memcpy(p, " ms ", 4);
    p = strstr(ifs, "[A/m]");
    memcpy(p, "[A/M]", 5);
    why = copies_differ(ifs, mod, doc);
    ck_assert_msg(why && strstr(why, "lacks its unit [A/m]"), "%s", why ? why : "(agrees)");
    memcpy(p, "[A/m]", 5);
    p = strstr(mod, "p->sigma = PARAM(sigma)");
    memcpy(p, "p->sigmb", 8);
    why = copies_differ(ifs, mod, doc);
    ck_assert_msg(why && strstr(why, "does not read sigma"), "%s", why ? why : "(agrees)");
    memcpy(p, "p->sigma", 8);
    ck_assert_ptr_nonnull(strstr(doc, "\n| t_rewrite |"));
    for (p = doc; (p = strstr(p, "\n| t_rewrite |")); p++)
        p[3] = 'T';
    why = copies_differ(ifs, mod, doc);
    ck_assert_msg(why && strstr(why, "no row for t_rewrite"), "%s", why ? why : "(agrees)");
    free(ifs);
    free(mod);
    free(doc);
}
END_TEST

/* The range of parameter k of a physical device, as libdwmtj warns
 * about it: a value far below any range makes dwmtj_param_implausible
 * name it, with the range and unit, in a set whose model reads it. */
static int lib_range(int k, double *lo, double *hi, const char **unit)
{
    static const char *const sets[] = { "proto", "proto-paper" };
    const char *name = dwmtj_param_name(k);
    for (int s = 0; s < 2; s++) {
        dwmtj_params p;
        dwmtj_params_set(&p, sets[s]);
        if (dwmtj_param_set_by_name(&p, name, -1e300) != DWMTJ_OK)
            return -1;
        int i = 0;
        const char *n;
        while ((n = dwmtj_param_implausible(&p, &i, NULL, lo, hi, unit)))
            if (!strcmp(n, name))
                return 0;
    }
    return -1;
}

/* A number of the ranges table: "−" for minus, "∞", "2^53". */
static double doc_number(const char *s, size_t len)
{
    char b[64];
    snprintf(b, sizeof b, "%.*s", (int)len, s);
    if (!strcmp(b, "∞"))
        return INFINITY;
    if (!strcmp(b, "2^53"))
        return DWMTJ_SEED_MAX;
    int neg = !strncmp(b, "−", strlen("−"));
    char *end;
    double v = strtod(b + (neg ? strlen("−") : 0), &end);
    return *end ? NAN : neg ? -v : v;
}

/* NULL if the "Plausible ranges" table of doc lists every parameter with
 * a range once, with libdwmtj's range and unit; else what is wrong. */
static const char *ranges_differ(const char *doc)
{
    static char why[512];
    const char *t = strstr(doc, "\n## Plausible ranges");
    if (!t || !(t = strstr(t, "\n| --- |")))
        return "doc/parameters.md has no Plausible ranges table";
    int seen[128] = { 0 };
    for (const char *l = strchr(t + 1, '\n') + 1; !strncmp(l, "| ", 2);
         l = strchr(l, '\n') + 1) {
        const char *c1 = l + 2, *c2 = strstr(c1, " | "), *eol = strchr(l, '\n');
        const char *c3 = c2 ? strstr(c2 + 3, " | ") : NULL;
        if (!eol || !c2 || !c3 || c3 > eol) {
            snprintf(why, sizeof why, "ranges table: row '%.60s' is not | names | range | unit |", l);
            return why;
        }
        const char *dots = strstr(c2 + 3, " .. ");
        if (!dots || dots > c3) {
            snprintf(why, sizeof why, "ranges table: row '%.60s' has no range LO .. HI", l);
            return why;
        }
        double lo = doc_number(c2 + 3, (size_t)(dots - c2 - 3));
        double hi = doc_number(dots + 4, (size_t)(c3 - dots - 4));
        char unit[32];
        snprintf(unit, sizeof unit, "%.*s", (int)(strstr(c3 + 3, " |") - c3 - 3), c3 + 3);
        for (const char *n = c1; n < c2;) {
            size_t len = strcspn(n, ", |");
            int k = 0;
            while (dwmtj_param_name(k) && (strlen(dwmtj_param_name(k)) != len ||
                                           strncmp(dwmtj_param_name(k), n, len)))
                k++;
            double a, b;
            const char *u;
            if (!dwmtj_param_name(k) || lib_range(k, &a, &b, &u) != 0) {
                snprintf(why, sizeof why, "ranges table: %.*s is no parameter with a range",
                         (int)len, n);
                return why;
            }
            /* the table writes the library's units with ² and Ω */
            char du[32];
            snprintf(du, sizeof du, "%s", u);
            if (!strcmp(u, "A/m^2"))
                snprintf(du, sizeof du, "A/m²");
            else if (!strcmp(u, "Ohm"))
                snprintf(du, sizeof du, "Ω");
            else if (!strcmp(u, "Ohm m"))
                snprintf(du, sizeof du, "Ω m");
            if (!(lo == a || fabs(lo - a) <= 1e-12 * fabs(a)) ||
                !(hi == b || fabs(hi - b) <= 1e-12 * fabs(b)) || strcmp(unit, du) != 0) {
                snprintf(why, sizeof why, "ranges table: %s %g .. %g %s, libdwmtj %g .. %g %s",
                         dwmtj_param_name(k), lo, hi, unit, a, b, du);
                return why;
            }
            if (seen[k]++) {
                snprintf(why, sizeof why, "ranges table: %s twice", dwmtj_param_name(k));
                return why;
            }
            n += len;
            n += strspn(n, ", ");
        }
    }
    for (int k = 0; dwmtj_param_name(k); k++) {
        double a, b;
        const char *u;
        if (!seen[k] && lib_range(k, &a, &b, &u) == 0) {
            snprintf(why, sizeof why, "ranges table: no row for %s", dwmtj_param_name(k));
            return why;
        }
    }
    return NULL;
}

/* The "Plausible ranges" table of doc/parameters.md is the library's
 * (the X-macro rows of model/dwmtj_params.c): names, ranges, units; and
 * the check sees a row that drifted or went. */
START_TEST(ranges_agree)
{
    char *doc = source("doc/parameters.md");
    const char *why = ranges_differ(doc);
    ck_assert_msg(why == NULL, "%s", why);
    char *p = strstr(doc, "\n| ms | 1e4 .. 3e6 | A/m |");
    ck_assert_ptr_nonnull(p);
    memcpy(p + 15, "4", 1); /* 1e4 .. 4e6 */
    why = ranges_differ(doc);
    ck_assert_msg(why && strstr(why, "ms 10000 .. 4e+06"), "%s", why ? why : "(agrees)");
    memcpy(p + 15, "3", 1);
    p = strstr(strstr(doc, "\n## Plausible ranges"), "\n| eb_wr |");
    ck_assert_ptr_nonnull(p);
    memcpy(p + 3, "zz", 2);
    why = ranges_differ(doc);
    ck_assert_msg(why && strstr(why, "zz_wr is no parameter"), "%s", why ? why : "(agrees)");
    free(doc);
}
END_TEST

/* ------------------------------------------------------------------------
 * Suite
 * --------------------------------------------------------------------- */

static TCase *tcase(Suite *s, const char *name, int timeout)
{
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, timeout);
    suite_add_tcase(s, tc);
    return tc;
}

static Suite *codemodel_suite(void)
{
    Suite *s = suite_create("codemodel");
    TCase *tc = tcase(s, "loading", 60);
    tcase_add_test(tc, load_bin_devhelp);
    tcase_add_test(tc, load_lib_devhelp);
    tcase_add_test(tc, load_monitor_shapes);
    tcase_add_test(tc, load_bin_fig3a);
    tcase_add_test(tc, load_lib_fig3a);
    tcase_add_test(tc, copies_agree);
    tcase_add_test(tc, ranges_agree);

    tc = tcase(s, "energy", 60);
    tcase_add_loop_test(tc, energy_conserved, 0, 8);

    tc = tcase(s, "step_size", 120);
    tcase_add_loop_test(tc, step_independent, 0, 4);

    tc = tcase(s, "reproducibility", 120);
    tcase_add_test(tc, repro_same_seed);
    tcase_add_test(tc, repro_instances_differ);

    tc = tcase(s, "events", 120);
    tcase_add_test(tc, events_clocked_dc);
    tcase_add_test(tc, events_ms_milli);
    tcase_add_test(tc, warn_t_slot);
    tcase_add_test(tc, warn_range);
    tcase_add_test(tc, warn_t_slot_tiny);

    tc = tcase(s, "bad_input", 60);
    tcase_add_loop_test(tc, bad_bin, 0, NBAD);
    tcase_add_loop_test(tc, bad_lib, 0, 2 * NBAD);

    tc = tcase(s, "dc_ac", 60);
    tcase_add_loop_test(tc, dc_bin_op, 0, NDC);
    tcase_add_loop_test(tc, dc_lib_op_ac, 0, NDC);

    tc = tcase(s, "thermal", 60);
    tcase_add_loop_test(tc, temp_circuit, 0, 2 * NTEMP);
    tcase_add_loop_test(tc, dc_temperature, 0, 4);
    tcase_add_loop_test(tc, soa_current, 0, 2);
    tcase_add_loop_test(tc, soa_dc, 0, 2);
    tcase_add_loop_test(tc, warn_range_thermal, 0, 2);
    return s;
}

int main(void)
{
    cm = ngr_env_path("check_codemodel", "DWMTJ_CM", "", "the built dwmtj.cm");
    srcdir = cm ? ngr_env_path("check_codemodel", "DWMTJ_SRCDIR", "", "the source tree") : NULL;
    /* the tests run in a scratch directory: netlists may write files */
    int rc = cm && srcdir ? ngr_run_in_scratch(codemodel_suite) : EXIT_FAILURE;
    free(cm);
    free(srcdir);
    return rc;
}
