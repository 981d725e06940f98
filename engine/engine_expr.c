/* B-source expressions, compiled from the deck's trees (engine_deck.c):
 * numbers, i(vsource), + - * /, min(), max() and u() of node voltages
 * (dwmtj_engine.h).  A u() is a constant between the logic's events, so
 * it counts as one: piecewise linear in the controlling currents when
 * every product and quotient has a constant side.  A NaN operand makes min() and max() NaN (fmin and fmax
 * would pass the other one on), so that a NaN drive is seen as one. */
#include "engine_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int constant(const eng_expr *e)
{
    if (!e)
        return 1;
    if (e->op == X_CUR)
        return 0;
    return constant(e->a) && constant(e->b);
}

int eng_expr_linear(const eng_expr *e)
{
    if (!e)
        return 1;
    if (e->op == X_MUL && !constant(e->a) && !constant(e->b))
        return 0;
    if (e->op == X_DIV && !constant(e->b))
        return 0;
    return eng_expr_linear(e->a) && eng_expr_linear(e->b);
}

void eng_expr_free(eng_expr *e)
{
    if (!e)
        return;
    eng_expr_free(e->a);
    eng_expr_free(e->b);
    free(e);
}

int eng_expr_has_current(const eng_expr *e)
{
    return e && (e->op == X_CUR || eng_expr_has_current(e->a) || eng_expr_has_current(e->b));
}

/* A step: its state, or for one of logic nodes only its value now (those
 * change only at events). */
static double step_value(const dwmtj_circuit *c, int k)
{
    const eng_u *u = &c->u[k];
    if (u->kind != U_LOGIC)
        return u->state;
    return eng_u_arg(c, u, 0.0) > 0.0 ? 1.0 : 0.0;
}

/* Value of e when the currents are c0 + s (c1 - c0). */
static double eval_at(const dwmtj_circuit *c, const eng_expr *e, const double *c0,
                      const double *c1, double s)
{
    switch (e->op) {
    case X_NUM: return e->num;
    case X_U: return step_value(c, e->u);
    case X_CUR: return c0[e->src] + s * (c1[e->src] - c0[e->src]);
    case X_ADD: return eval_at(c, e->a, c0, c1, s) + eval_at(c, e->b, c0, c1, s);
    case X_SUB: return eval_at(c, e->a, c0, c1, s) - eval_at(c, e->b, c0, c1, s);
    case X_MUL: return eval_at(c, e->a, c0, c1, s) * eval_at(c, e->b, c0, c1, s);
    case X_DIV: return eval_at(c, e->a, c0, c1, s) / eval_at(c, e->b, c0, c1, s);
    case X_NEG: return -eval_at(c, e->a, c0, c1, s);
    case X_MIN: {
        double a = eval_at(c, e->a, c0, c1, s), b = eval_at(c, e->b, c0, c1, s);
        return isnan(a) || isnan(b) ? NAN : a < b ? a : b;
    }
    default: {
        double a = eval_at(c, e->a, c0, c1, s), b = eval_at(c, e->b, c0, c1, s);
        return isnan(a) || isnan(b) ? NAN : a > b ? a : b;
    }
    }
}

double eng_expr_eval(const dwmtj_circuit *c, const eng_expr *e, const double *cur)
{
    return eval_at(c, e, cur, cur, 0.0);
}

/* Switch points of the min/max nodes of e on (s0, s1), on which every
 * operand is linear in s once the points already in pts split it. */
static int kinks_in(const dwmtj_circuit *c, const eng_expr *e, const double *c0,
                    const double *c1, double s0, double s1, double *pts, int np, int max)
{
    if (!e)
        return np;
    np = kinks_in(c, e->a, c0, c1, s0, s1, pts, np, max);
    np = kinks_in(c, e->b, c0, c1, s0, s1, pts, np, max);
    if (e->op != X_MIN && e->op != X_MAX)
        return np;
    double d0 = eval_at(c, e->a, c0, c1, s0) - eval_at(c, e->b, c0, c1, s0);
    double d1 = eval_at(c, e->a, c0, c1, s1) - eval_at(c, e->b, c0, c1, s1);
    if ((d0 < 0.0 && d1 > 0.0) || (d0 > 0.0 && d1 < 0.0)) {
        double s = s0 + (s1 - s0) * d0 / (d0 - d1);
        if (s > s0 && s < s1 && np < max)
            pts[np++] = s;
    }
    return np;
}

/* A number: X_NUM or its negation. */
static int number_of(const eng_expr *e, double *v)
{
    if (e->op == X_NEG && e->a->op == X_NUM) {
        *v = -e->a->num;
        return 1;
    }
    *v = e->num;
    return e->op == X_NUM;
}

/* 1 when e is built from numbers, currents, + - and products and
 * quotients by constants only: linear in the currents, without a bend. */
static int plain(const eng_expr *e)
{
    switch (e->op) {
    case X_NUM:
    case X_CUR: return 1;
    case X_ADD:
    case X_SUB:
    case X_MUL:
    case X_DIV: return plain(e->a) && plain(e->b) && eng_expr_linear(e);
    case X_NEG: return plain(e->a);
    default: return 0;
    }
}

int eng_expr_clamp(const eng_expr *e, const eng_expr **x, double *lo, double *hi)
{
    if (e->op != X_MAX && e->op != X_MIN)
        return 0;
    int outer = e->op, inner = outer == X_MAX ? X_MIN : X_MAX;
    double b_out, b_in;
    const eng_expr *in = e->a;
    if (number_of(e->a, &b_out))
        in = e->b;
    else if (!number_of(e->b, &b_out))
        return 0;
    if (in->op != inner)
        return 0;
    *x = in->a;
    if (!number_of(in->b, &b_in)) {
        *x = in->b;
        if (!number_of(in->a, &b_in))
            return 0;
    }
    *lo = outer == X_MAX ? b_out : b_in;
    *hi = outer == X_MAX ? b_in : b_out;
    return *lo <= *hi && plain(*x);
}

int eng_clamp_kinks(const dwmtj_circuit *c, const eng_expr *x, double lo, double hi,
                    const double *c0, const double *c1, double *s, int max)
{
    return eng_line_kinks(eval_at(c, x, c0, c1, 0.0), eval_at(c, x, c0, c1, 1.0), lo, hi, s,
                          max);
}

double eng_clamp(double x, double lo, double hi)
{
    return isnan(x) ? NAN : x > hi ? hi : x < lo ? lo : x;
}

int eng_line_kinks(double x0, double x1, double lo, double hi, double *s, int max)
{
    /* the clamp bends where its line crosses a bound: no search */
    int n = 0;
    for (int k = 0; k < 2; k++) {
        double d0 = x0 - (k ? lo : hi), d1 = x1 - (k ? lo : hi);
        if (((d0 < 0.0 && d1 > 0.0) || (d0 > 0.0 && d1 < 0.0)) && n < max) {
            double sk = d0 / (d0 - d1);
            if (sk > 0.0 && sk < 1.0)
                s[n++] = sk;
        }
    }
    if (n == 2 && s[1] < s[0]) {
        double t = s[0];
        s[0] = s[1];
        s[1] = t;
    }
    return n == 2 && s[1] - s[0] <= 1e-12 ? 1 : n;
}

int eng_expr_kinks(const dwmtj_circuit *c, const eng_expr *e, const double *c0,
                   const double *c1, int n_cur, double *s, int max)
{
    (void)n_cur;
    const eng_expr *x;
    double lo, hi;
    if (eng_expr_clamp(e, &x, &lo, &hi))
        return eng_clamp_kinks(c, x, lo, hi, c0, c1, s, max);
    /* nested min/max: a switch of an inner one bends the outer one's
     * operands; refine until the points split every operand linearly */
    int n = 0;
    for (int pass = 0; pass < 4; pass++) {
        double edges[34];
        int ne = 0;
        edges[ne++] = 0.0;
        for (int k = 0; k < n && ne < 33; k++)
            edges[ne++] = s[k];
        edges[ne++] = 1.0;
        int before = n;
        for (int k = 0; k + 1 < ne; k++)
            n = kinks_in(c, e, c0, c1, edges[k], edges[k + 1], s, n, max);
        qsort(s, (size_t)n, sizeof *s, eng_cmp_double);
        int m = 0;
        for (int k = 0; k < n; k++)
            if (m == 0 || s[k] - s[m - 1] > 1e-12)
                s[m++] = s[k];
        n = m;
        if (n == before)
            break;
    }
    return n;
}

int eng_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
