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
