/* Current drive, ideal write and fire distance of libdwmtj: the neuron as a
 * spiking network sees it (a current into IN, A and B open). */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "dwmtj.h"

/* paper, Eq. for v: g muB P j / (2 e Msat), CODATA 2018 */
static double ref_velocity(const dwmtj_params *p, double i)
{
    double j = i / (p->width * p->thick);
    return 2.0 * 9.2740100783e-24 * p->pol * j / (2.0 * 1.602176634e-19 * p->ms);
}

static void scaled(dwmtj_params *p, dwmtj_derived *d)
{
    ck_assert_int_eq(dwmtj_params_set(p, "scaled"), DWMTJ_OK);
    ck_assert_int_eq(dwmtj_derive(p, d), DWMTJ_OK);
}

START_TEST(test_write)
{
    dwmtj_params p;
    dwmtj_derived d;
    dwmtj_state s;
    scaled(&p, &d);
    dwmtj_state_init(&s, 2e-9);
    ck_assert_int_eq(dwmtj_write(&d, &s, 0), DWMTJ_OK);
    ck_assert_int_eq(s.present, 1);
    ck_assert_int_eq(s.writer, 0);
    ck_assert_double_eq_tol(dwmtj_position(&s), p.xa, 1e-15);
    ck_assert_double_eq_tol(s.x_hi - s.x_lo, p.la, 1e-15);
    ck_assert_double_eq(s.n_write, 1.0);
    ck_assert_double_eq_tol(s.t_write, 2e-9, 1e-20);
    double r[2];
    dwmtj_mtj_resistance(&d, &s, r);
    ck_assert_double_eq_tol(r[0], p.rap_a, 1e-9);
    ck_assert_int_eq(dwmtj_write(&d, &s, 1), DWMTJ_WARN_PRESENT);
    ck_assert_int_eq(s.writer, 0);
    ck_assert_double_eq(s.n_write, 1.0);
}
END_TEST

START_TEST(test_write_errors)
{
    dwmtj_params p;
    dwmtj_derived d;
    dwmtj_state s;
    scaled(&p, &d);
    dwmtj_state_init(&s, 0.0);
    ck_assert_int_eq(dwmtj_write(&d, &s, 2), DWMTJ_ERR_INPUT);
    ck_assert_int_eq(dwmtj_write(NULL, &s, 0), DWMTJ_ERR_NULL);
    ck_assert_int_eq(dwmtj_write(&d, NULL, 0), DWMTJ_ERR_NULL);
    ck_assert_int_eq(s.present, 0);
    dwmtj_state s1;
    ck_assert_int_eq(dwmtj_step_current(&d, 1, &s, 1e-9, NAN, &s1, NULL), DWMTJ_ERR_INPUT);
    ck_assert_int_eq(dwmtj_step_current(&d, 1, &s, -1e-9, 1e-6, &s1, NULL), DWMTJ_ERR_TIME);
    ck_assert(isnan(dwmtj_fire_distance(&d, &s)));
}
END_TEST

/* A constant current moves the domain at the paper's velocity, and no
 * current flows through the open pillars. */
START_TEST(test_current_velocity)
{
    dwmtj_params p;
    dwmtj_derived d;
    dwmtj_state s, s1;
    scaled(&p, &d);
    dwmtj_state_init(&s, 0.0);
    ck_assert_int_eq(dwmtj_write(&d, &s, 0), DWMTJ_OK);
    const double i = 20e-6, h = 0.1e-9;
    ck_assert_int_eq(dwmtj_step_current(&d, 1, &s, 0.0, i, &s1, NULL), DWMTJ_OK);
    s = s1;
    double x0 = dwmtj_position(&s);
    for (int k = 1; k <= 50; k++) {
        ck_assert_int_eq(dwmtj_step_current(&d, 1, &s, k * h, i, &s1, NULL), DWMTJ_OK);
        s = s1;
        ck_assert_double_eq_tol(s.i_mtj[0], 0.0, 1e-15);
        ck_assert_double_eq_tol(s.i_mtj[1], 0.0, 1e-15);
    }
    double v = ref_velocity(&p, i);
    ck_assert_double_eq_tol((dwmtj_position(&s) - x0) / (50 * h * v), 1.0, 1e-9);
}
END_TEST

/* dx/di equals a central difference of the position after one step. */
START_TEST(test_current_derivative)
{
    dwmtj_params p;
    dwmtj_derived d;
    dwmtj_state s, s1;
    scaled(&p, &d);
    dwmtj_state_init(&s, 0.0);
    dwmtj_write(&d, &s, 0);
    dwmtj_step_current(&d, 1, &s, 0.0, 10e-6, &s1, NULL);
    s = s1;
    const double i = 12e-6, di = 1e-9, t1 = 0.1e-9;
    double dxdi, xp, xm;
    ck_assert_int_eq(dwmtj_step_current(&d, 1, &s, t1, i, &s1, &dxdi), DWMTJ_OK);
    dwmtj_step_current(&d, 1, &s, t1, i + di, &s1, NULL);
    xp = dwmtj_position(&s1);
    dwmtj_step_current(&d, 1, &s, t1, i - di, &s1, NULL);
    xm = dwmtj_position(&s1);
    double fd = (xp - xm) / (2.0 * di);
    ck_assert(dxdi > 0.0);
    ck_assert_double_eq_tol(dxdi / fd, 1.0, 1e-6);
    /* trapezoid: half of the step's length at the end current */
    ck_assert_double_eq_tol(dxdi / (0.5 * t1 * ref_velocity(&p, 1.0)), 1.0, 1e-9);
}
END_TEST

/* The fire distance shrinks by the displacement and the neuron fires on
 * the step where it reaches zero. */
START_TEST(test_fire_distance)
{
    dwmtj_params p;
    dwmtj_derived d;
    dwmtj_state s, s1;
    scaled(&p, &d);
    dwmtj_state_init(&s, 0.0);
    dwmtj_write(&d, &s, 0);
    /* reader overlap R_AP/(R_P+R_AP) reached at centre offset
     * (l + l_B)/2 - f l_B before the reader (doc/model.md) */
    double f = p.rap_b / (p.rp_b + p.rap_b);
    double expect = (p.xb - p.xa) - (0.5 * (p.la + p.lb) - f * p.lb);
    ck_assert_double_eq_tol(dwmtj_fire_distance(&d, &s) / expect, 1.0, 1e-12);
    dwmtj_step_current(&d, 1, &s, 0.0, 15e-6, &s1, NULL);
    s = s1;
    int k;
    for (k = 1; k < 100000 && s.n_fire == 0; k++) {
        double before = dwmtj_fire_distance(&d, &s), x0 = dwmtj_position(&s);
        ck_assert_int_eq(dwmtj_step_current(&d, 1, &s, k * 0.01e-9, 15e-6, &s1, NULL), DWMTJ_OK);
        double after = dwmtj_fire_distance(&d, &s1);
        ck_assert_double_eq_tol(before - after, dwmtj_position(&s1) - x0, 1e-18);
        if (s1.n_fire > 0)
            ck_assert(after <= 1e-15 && before > 0.0);
        else
            ck_assert(after > 0.0);
        s = s1;
    }
    ck_assert_double_eq(s.n_fire, 1.0);
}
END_TEST

/* Edge currents of a seeded piecewise-linear drive, 0..200 uA. */
static double edge_current(int k)
{
    uint64_t z = (uint64_t)k * 0x9E3779B97F4A7C15ULL + 77;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return 200e-6 * (double)(z >> 11) / 9007199254740992.0;
}

/* With t_rewrite the device itself writes a domain at each clock edge that
 * finds the track empty, and under a current linear between edges the
 * state at every edge does not depend on how the steps subdivide the
 * clock period (one step per period, or seven uneven ones as a simulator
 * takes them): what lets a circuit match the network's one step per dt.
 * The same holds for the network's own recipe (dwmtj_write, then a
 * zero-length step under the edge's current). */
START_TEST(test_rewrite_clock)
{
    dwmtj_params p;
    dwmtj_derived d, dc;
    scaled(&p, &d);
    const double dt = 0.1e-9;
    p.t_rewrite = dt;
    ck_assert_int_eq(dwmtj_derive(&p, &dc), DWMTJ_OK);
    static const double cut[8] = { 0.0, 0.02, 0.1, 0.31, 0.5, 0.77, 0.9, 1.0 };
    dwmtj_state a, b, n, a1, b1, n1;
    dwmtj_state_init(&a, 0.0);
    dwmtj_state_init(&b, 0.0);
    dwmtj_state_init(&n, 0.0);
    ck_assert_int_eq(dwmtj_step_current(&dc, 1, &a, 0.0, 0.0, &a1, NULL), DWMTJ_OK);
    ck_assert_int_eq(a1.present, 1); /* the edge at t = 0 writes */
    a = b = a1;
    ck_assert_int_eq(dwmtj_write(&d, &n, 0), DWMTJ_OK);
    double i0 = 0.0;
    for (int k = 1; k <= 400; k++) {
        double i1 = edge_current(k), t1 = k * dt;
        ck_assert_int_eq(dwmtj_step_current(&dc, 1, &a, t1, i1, &a1, NULL), DWMTJ_OK);
        for (int m = 1; m < 8; m++) {
            double tm = (k - 1 + cut[m]) * dt, im = i0 + (i1 - i0) * cut[m];
            ck_assert_int_eq(dwmtj_step_current(&dc, 1, &b, m == 7 ? t1 : tm, im, &b1, NULL),
                             DWMTJ_OK);
            b = b1;
        }
        ck_assert_int_eq(dwmtj_step_current(&d, 1, &n, t1, i1, &n1, NULL), DWMTJ_OK);
        if (!n1.present) {
            dwmtj_state w;
            ck_assert_int_eq(dwmtj_write(&d, &n1, 0), DWMTJ_OK);
            ck_assert_int_eq(dwmtj_step_current(&d, 1, &n1, t1, i1, &w, NULL), DWMTJ_OK);
            n1 = w;
        }
        a = a1;
        n = n1;
        ck_assert_int_eq(a.present, 1);
        ck_assert_int_eq(b.present, 1);
        ck_assert_double_eq(b.n_fire, a.n_fire);
        ck_assert_double_eq(n.n_fire, a.n_fire);
        ck_assert_double_eq(b.n_write, a.n_write);
        ck_assert_double_eq(n.n_write, a.n_write);
        ck_assert_double_eq_tol(dwmtj_position(&b), dwmtj_position(&a), 1e-15);
        ck_assert_double_eq_tol(dwmtj_position(&n), dwmtj_position(&a), 1e-15);
        ck_assert_double_eq_tol(b.v, a.v, 1e-9);
        /* writes happen on edges only */
        double e = a.t_write / dt;
        ck_assert_double_eq_tol(e, nearbyint(e), 1e-6);
        i0 = i1;
    }
    ck_assert(a.n_fire >= 10.0);
    ck_assert_double_eq(a.n_write, a.n_reset + 1.0);
}
END_TEST

/* Centres (m, along x) at which the scaled device's domain, written
 * under MTJ_A, leaves MTJ_A's above-midpoint window (depin), enters
 * MTJ_B's (fire) and has its trailing wall past the GND end (reset):
 * an overlap of R_AP/(R_P+R_AP) of a pillar is reached with the centre
 * (l + l_k)/2 - f l_k from the pillar's centre (doc/model.md). */
struct path {
    double depin, fire, reset;
};

static struct path path_of(const dwmtj_params *p)
{
    double l = p->l_nuc > 0.0 ? p->l_nuc : p->la;
    double fa = p->rap_a / (p->rp_a + p->rap_a), fb = p->rap_b / (p->rp_b + p->rap_b);
    struct path c = { p->xa + (0.5 * (l + p->la) - fa * p->la),
                      p->xb - (0.5 * (l + p->lb) - fb * p->lb), p->length + 0.5 * l };
    return c;
}

/* One step that carries the domain from under MTJ_A past MTJ_B and off
 * the track counts the depin, the fire and the reset, each at the time
 * the constant velocity brings the centre there (issue 11, item 2: the
 * fire was lost when the step passed the reader's window). */
START_TEST(test_sweep_events)
{
    dwmtj_params p;
    dwmtj_derived d;
    dwmtj_state s, s1;
    scaled(&p, &d);
    const double i = 15e-6, v = ref_velocity(&p, i);
    struct path c = path_of(&p);
    dwmtj_state_init(&s, 0.0);
    ck_assert_int_eq(dwmtj_write(&d, &s, 0), DWMTJ_OK);
    ck_assert_int_eq(dwmtj_step_current(&d, 1, &s, 0.0, i, &s1, NULL), DWMTJ_OK);
    s = s1;
    ck_assert_int_eq(dwmtj_step_current(&d, 1, &s, 30e-9, i, &s1, NULL), DWMTJ_OK);
    ck_assert_int_eq(s1.present, 0);
    ck_assert_double_eq(s1.n_depin, 1.0);
    ck_assert_double_eq(s1.n_fire, 1.0);
    ck_assert_double_eq(s1.n_reset, 1.0);
    /* (an event counts within 1e-9 of the pillar's length of its crossing) */
    ck_assert_double_eq_tol(s1.t_depin / ((c.depin - p.xa) / v), 1.0, 1e-8);
    ck_assert_double_eq_tol(s1.t_fire / ((c.fire - p.xa) / v), 1.0, 1e-9);
    ck_assert_double_eq_tol(s1.t_reset / ((c.reset - p.xa) / v), 1.0, 1e-9);
}
END_TEST

/* Counts of run of the clocked device (t_rewrite = 100 ns) under a
 * constant current to 2 us in steps of h (the last one cut at 2 us). */
struct counts {
    double w, dp, f, r, t_fire;
};

static struct counts clocked_run(double sigma, double h)
{
    dwmtj_params p;
    dwmtj_derived d;
    ck_assert_int_eq(dwmtj_params_set(&p, "scaled"), DWMTJ_OK);
    p.t_rewrite = 100e-9;
    p.sigma = sigma;
    ck_assert_int_eq(dwmtj_derive(&p, &d), DWMTJ_OK);
    const double i = 15e-6, t_end = 2e-6;
    dwmtj_state s, s1;
    dwmtj_state_init(&s, 0.0);
    int bad = dwmtj_step_current(&d, 7, &s, 0.0, i, &s1, NULL) != DWMTJ_OK;
    s = s1;
    for (long k = 1; s.t < t_end; k++) {
        double t1 = fmin(k * h, t_end);
        bad += dwmtj_step_current(&d, 7, &s, t1, i, &s1, NULL) != DWMTJ_OK;
        s = s1;
    }
    ck_assert_int_eq(bad, 0);
    struct counts n = { s.n_write, s.n_depin, s.n_fire, s.n_reset, s.t_fire };
    return n;
}

/* The event counts do not depend on the step: from 0.05 ns (2 nm per
 * step) to 5 ns (100 nm, three times the reader's window) and steps that
 * do not land on the clock edges (3 ns, 7 ns: the write happens at the
 * edge inside the step); with and without noise.  The domain written at
 * each edge fires at the time the analytic velocity gives. */
START_TEST(test_sweep_step_invariance)
{
    static const double hs[] = { 0.05e-9, 0.1e-9, 0.5e-9, 1e-9, 2e-9, 5e-9, 3e-9, 7e-9 };
    dwmtj_params p;
    dwmtj_derived d;
    scaled(&p, &d);
    struct path c = path_of(&p);
    double t_fire = 1900e-9 + (c.fire - p.xa) / ref_velocity(&p, 15e-6);
    for (int noisy = 0; noisy < 2; noisy++)
        for (size_t k = 0; k < sizeof hs / sizeof hs[0]; k++) {
            struct counts n = clocked_run(noisy ? 0.3 : 0.0, hs[k]);
            ck_assert_msg(n.w == 21.0 && n.dp == 20.0 && n.f == 20.0 && n.r == 20.0,
                          "sigma %g, h = %g ns: %g writes, %g depins, %g fires, %g resets "
                          "(want 21, 20, 20, 20)",
                          noisy ? 0.3 : 0.0, 1e9 * hs[k], n.w, n.dp, n.f, n.r);
            if (!noisy)
                ck_assert_msg(fabs(n.t_fire / t_fire - 1.0) <= 1e-9,
                              "h = %g ns: last fire at %.12g s, analytic %.12g s", 1e9 * hs[k],
                              n.t_fire, t_fire);
        }
}
END_TEST

/* One step from an empty track at 90 ns to 200 ns over the clock edges at
 * 100 and 200 ns: the domain written at 100 ns fires and is ejected
 * within the step, and the edge at 200 ns writes the next one. */
START_TEST(test_write_fire_reset_one_step)
{
    dwmtj_params p;
    dwmtj_derived d;
    ck_assert_int_eq(dwmtj_params_set(&p, "scaled"), DWMTJ_OK);
    p.t_rewrite = 100e-9;
    ck_assert_int_eq(dwmtj_derive(&p, &d), DWMTJ_OK);
    const double i = 15e-6, v = ref_velocity(&p, i);
    struct path c = path_of(&p);
    dwmtj_state s, s1;
    dwmtj_state_init(&s, 0.0);
    ck_assert_int_eq(dwmtj_step_current(&d, 1, &s, 0.0, i, &s1, NULL), DWMTJ_OK);
    s = s1;
    ck_assert_int_eq(dwmtj_step_current(&d, 1, &s, 90e-9, i, &s1, NULL), DWMTJ_OK);
    s = s1;
    ck_assert_int_eq(s.present, 0);
    ck_assert_double_eq(s.n_fire, 1.0);
    ck_assert_int_eq(dwmtj_step_current(&d, 1, &s, 200e-9, i, &s1, NULL), DWMTJ_OK);
    ck_assert_double_eq(s1.n_write, 3.0);
    ck_assert_double_eq(s1.n_fire, 2.0);
    ck_assert_double_eq(s1.n_reset, 2.0);
    ck_assert_int_eq(s1.present, 1);
    ck_assert_double_eq_tol(s1.t_write, 200e-9, 1e-20);
    ck_assert_double_eq_tol(s1.t_fire / (100e-9 + (c.fire - p.xa) / v), 1.0, 1e-9);
    ck_assert_double_eq_tol(s1.t_reset / (100e-9 + (c.reset - p.xa) / v), 1.0, 1e-9);
    ck_assert_double_eq_tol(dwmtj_position(&s1), p.xa, 1e-15);
}
END_TEST

/* Terminal voltages of a current i into IN with A and B open (each
 * pillar at its track point), from the track's segment resistances. */
static void current_drive(const dwmtj_params *p, double i, double v[4])
{
    double r = p->rho / (p->width * p->thick);
    double r1 = r * p->xa, r2 = r * (p->xb - p->xa), r3 = r * (p->length - p->xb);
    v[0] = (r1 + r2 + r3) * i;
    v[1] = 0.0;
    v[2] = (r2 + r3) * i;
    v[3] = r3 * i;
}

/* The clocked device's next time point: with 15 uA the domain written at
 * an edge would cross MTJ_B's window long before the next edge, so from
 * the first step after the write t_next is the time its centre reaches
 * MTJ_B's; from there (or when the drive cannot carry it across before
 * the edge) the next edge.  The step that writes, from an empty track,
 * leaves the window to the next step. */
START_TEST(test_t_next_clocked)
{
    dwmtj_params p;
    dwmtj_derived d;
    ck_assert_int_eq(dwmtj_params_set(&p, "scaled"), DWMTJ_OK);
    p.t_rewrite = 100e-9;
    ck_assert_int_eq(dwmtj_derive(&p, &d), DWMTJ_OK);
    const double currents[2] = { 15e-6, 1e-6 };
    for (int c = 0; c < 2; c++) {
        double v[4];
        current_drive(&p, currents[c], v);
        dwmtj_state s, s1;
        dwmtj_eval e;
        dwmtj_state_init(&s, 0.0);
        ck_assert_int_eq(dwmtj_step(&d, 1, &s, 0.0, v, &s1, &e), DWMTJ_OK);
        ck_assert_int_eq(s1.present, 1);
        ck_assert_double_eq_tol(e.t_next, 100e-9, 1e-20);
        s = s1;
        ck_assert_int_eq(dwmtj_step(&d, 1, &s, 1e-9, v, &s1, &e), DWMTJ_OK);
        double t_mid = (p.xb - p.xa) / ref_velocity(&p, currents[c]);
        if (c == 1) { /* 135 nm by the edge: nothing to show before it */
            ck_assert_double_eq_tol(e.t_next, 100e-9, 1e-20);
            continue;
        }
        ck_assert_double_eq_tol(e.t_next / t_mid, 1.0, 1e-9);
        s = s1;
        ck_assert_int_eq(dwmtj_step(&d, 1, &s, e.t_next, v, &s1, &e), DWMTJ_OK);
        double r[2];
        dwmtj_mtj_resistance(&d, &s1, r);
        ck_assert_double_eq_tol(r[1] / p.rap_b, 1.0, 1e-6); /* centred under MTJ_B */
        ck_assert_double_eq(s1.n_fire, 1.0);
        ck_assert_double_eq_tol(e.t_next, 100e-9, 1e-20);
    }
}
END_TEST

/* Cycles of a run of the clocked device driven by i_of(k) (A) at edge k
 * of its clock dt, linear between edges, in host steps of at most h_host,
 * each cut at t_next when follow: fires, cycles in which a time point
 * showed R_B above its midpoint, steps that ended before the next edge
 * only because of t_next, and DWMTJ_WARN_UNSEEN statuses. */
struct host_run {
    int fires, shown, extra, unseen, bad;
};

static struct host_run host_run(dwmtj_params p, double dt, double (*i_of)(int), int edges,
                                double h_host, int follow)
{
    dwmtj_derived d;
    p.t_rewrite = dt;
    ck_assert_int_eq(dwmtj_derive(&p, &d), DWMTJ_OK);
    struct host_run h = { 0, 0, 0, 0, 0 };
    double mid = 0.5 * (p.rp_b + p.rap_b), v[4], v0[4];
    dwmtj_state s, s1;
    dwmtj_eval e;
    dwmtj_state_init(&s, 0.0);
    current_drive(&p, i_of(0), v0);
    h.bad += dwmtj_step(&d, 3, &s, 0.0, v0, &s1, &e) != DWMTJ_OK;
    s = s1;
    int shown = 0;
    double nw = s.n_write;
    for (int k = 1; k <= edges; k++) {
        double ta = (k - 1) * dt, tb = k * dt;
        current_drive(&p, i_of(k), v);
        while (s.t < tb) {
            double t1 = fmin(tb, s.t + h_host), lim = follow ? e.t_next : INFINITY;
            int cut = lim < t1 && lim > s.t;
            if (cut)
                t1 = lim;
            double vt[4], c = (t1 - ta) / dt;
            for (int j = 0; j < 4; j++)
                vt[j] = v0[j] + (v[j] - v0[j]) * c;
            int st = dwmtj_step(&d, 3, &s, t1, vt, &s1, &e);
            h.bad += st < 0;
            h.unseen += st == DWMTJ_WARN_UNSEEN;
            h.extra += cut && t1 < tb * (1.0 - 1e-12);
            if (s1.n_write != nw) {
                h.shown += shown;
                shown = 0;
                nw = s1.n_write;
            }
            h.fires += s1.n_fire > s.n_fire;
            double r[2];
            dwmtj_mtj_resistance(&d, &s1, r);
            shown |= r[1] > mid;
            s = s1;
        }
        for (int j = 0; j < 4; j++)
            v0[j] = v[j];
    }
    h.shown += shown;
    return h;
}

static double i_15u(int k) { (void)k; return 15e-6; }
static double i_200u(int k) { (void)k; return 200e-6; }
static double i_edges(int k) { return edge_current(k); }

/* The run (100 ns clock, 15 uA, host steps of 10 ns): a host that
 * follows t_next sees R_B above its midpoint in every cycle that fires
 * and gets no warning; one that ignores it misses the fires' R_B and is
 * told so (DWMTJ_WARN_UNSEEN). */
START_TEST(test_t_next_shows_rb)
{
    dwmtj_params p;
    ck_assert_int_eq(dwmtj_params_set(&p, "scaled"), DWMTJ_OK);
    struct host_run f = host_run(p, 100e-9, i_15u, 20, 10e-9, 1);
    ck_assert_int_eq(f.bad, 0);
    ck_assert_int_eq(f.fires, 20);
    ck_assert_int_eq(f.shown, 20);
    ck_assert_int_eq(f.unseen, 0);
    ck_assert_int_eq(f.extra, 20); /* one point per cycle, at MTJ_B */
    struct host_run g = host_run(p, 100e-9, i_15u, 20, 10e-9, 0);
    ck_assert_int_eq(g.bad, 0);
    ck_assert_int_eq(g.fires, 20);
    ck_assert_int_eq(g.shown + g.unseen, 20);
    ck_assert(g.unseen > 0);
}
END_TEST

/* The network's deck (dt = 0.1 ns clock, drive clamped at 200 uA, one
 * host step per dt): the domain moves at most 27 nm per step, less than
 * MTJ_B's 33 nm window, so t_next never asks for a point between edges,
 * with or without noise, and every fire shows on R_B. */
START_TEST(test_t_next_network)
{
    dwmtj_params p;
    ck_assert_int_eq(dwmtj_params_set(&p, "scaled"), DWMTJ_OK);
    for (int c = 0; c < 2; c++) {
        struct host_run f = host_run(p, 0.1e-9, c ? i_edges : i_200u, 2000, 0.1e-9, 1);
        ck_assert_int_eq(f.bad, 0);
        ck_assert(f.fires > 10);
        ck_assert_int_eq(f.shown, f.fires);
        ck_assert_int_eq(f.extra, 0);
        ck_assert_int_eq(f.unseen, 0);
    }
    /* with noise, one slot per step (sigma 0.3, t_slot = dt): a slot that
     * would carry the domain across the window gets its point there, read
     * from the slot's own draw */
    p.sigma = 0.3;
    p.t_slot = 0.1e-9;
    struct host_run f = host_run(p, 0.1e-9, i_200u, 2000, 0.1e-9, 1);
    ck_assert_int_eq(f.bad, 0);
    ck_assert(f.fires > 10);
    ck_assert_int_eq(f.shown, f.fires);
    ck_assert_int_eq(f.unseen, 0);
    ck_assert(f.extra < f.fires);
}
END_TEST

static Suite *drive_suite(void)
{
    Suite *s = suite_create("dwmtj drive");
    TCase *tc = tcase_create("write");
    tcase_add_test(tc, test_write);
    tcase_add_test(tc, test_write_errors);
    suite_add_tcase(s, tc);
    tc = tcase_create("current drive");
    tcase_add_test(tc, test_current_velocity);
    tcase_add_test(tc, test_current_derivative);
    tcase_add_test(tc, test_fire_distance);
    tcase_add_test(tc, test_rewrite_clock);
    suite_add_tcase(s, tc);
    tc = tcase_create("events inside a step");
    tcase_add_test(tc, test_sweep_events);
    tcase_add_test(tc, test_sweep_step_invariance);
    tcase_add_test(tc, test_write_fire_reset_one_step);
    suite_add_tcase(s, tc);
    tc = tcase_create("step limit");
    tcase_add_test(tc, test_t_next_clocked);
    tcase_add_test(tc, test_t_next_shows_rb);
    tcase_add_test(tc, test_t_next_network);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(drive_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
