/* B-source expressions: numbers, i(vsource), + - * /, min(), max()
 * (dwmtj_engine.h).  Piecewise linear in the controlling currents when
 * every product and quotient has a constant side. */
#include "engine_internal.h"
#include "harness_internal.h" /* dwmtj_spice_number */

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *p;
    int (*find_vs)(void *, const char *);
    void *ctx;
    char *why;
    size_t n;
    int failed;
} parser;

static eng_expr *node(int op, eng_expr *a, eng_expr *b)
{
    eng_expr *e = calloc(1, sizeof *e);
    if (!e) {
        eng_expr_free(a);
        eng_expr_free(b);
        return NULL;
    }
    e->op = op;
    e->a = a;
    e->b = b;
    return e;
}

static eng_expr *fail(parser *ps, const char *msg)
{
    if (!ps->failed)
        snprintf(ps->why, ps->n, "%s at '%.20s'", msg, ps->p);
    ps->failed = 1;
    return NULL;
}

static void blank(parser *ps)
{
    while (isspace((unsigned char)*ps->p))
        ps->p++;
}

static eng_expr *sum(parser *ps);

static eng_expr *primary(parser *ps)
{
    blank(ps);
    const char *p = ps->p;
    if (*p == '(') {
        ps->p++;
        eng_expr *e = sum(ps);
        blank(ps);
        if (!e)
            return NULL;
        if (*ps->p != ')') {
            eng_expr_free(e);
            return fail(ps, "expected ')'");
        }
        ps->p++;
        return e;
    }
    if (isdigit((unsigned char)*p) || *p == '.') {
        double v;
        const char *end;
        if (dwmtj_spice_number(p, &v, &end) != 0)
            return fail(ps, "bad number");
        ps->p = end;
        eng_expr *e = node(X_NUM, NULL, NULL);
        if (e)
            e->num = v;
        return e;
    }
    if (isalpha((unsigned char)*p)) {
        size_t n = 0;
        while (isalnum((unsigned char)p[n]) || p[n] == '_')
            n++;
        char word[16];
        snprintf(word, sizeof word, "%.*s", (int)(n < 15 ? n : 15), p);
        ps->p += n;
        blank(ps);
        if (*ps->p != '(')
            return fail(ps, "unknown name (the klu backend knows i(), min(), max())");
        ps->p++;
        if (n == 1 && word[0] == 'i') {
            blank(ps);
            size_t k = 0;
            while (ps->p[k] && ps->p[k] != ')' && !isspace((unsigned char)ps->p[k]))
                k++;
            char name[128];
            snprintf(name, sizeof name, "%.*s", (int)(k < 127 ? k : 127), ps->p);
            int src = ps->find_vs(ps->ctx, name);
            if (src < 0)
                return fail(ps, "i() of an unknown voltage source");
            ps->p += k;
            blank(ps);
            if (*ps->p != ')')
                return fail(ps, "expected ')'");
            ps->p++;
            eng_expr *e = node(X_CUR, NULL, NULL);
            if (e)
                e->src = src;
            return e;
        }
        if ((n == 3 && strncmp(word, "min", 3) == 0) || (n == 3 && strncmp(word, "max", 3) == 0)) {
            int op = word[1] == 'i' ? X_MIN : X_MAX;
            eng_expr *a = sum(ps);
            if (!a)
                return NULL;
            blank(ps);
            if (*ps->p != ',') {
                eng_expr_free(a);
                return fail(ps, "expected ','");
            }
            ps->p++;
            eng_expr *b = sum(ps);
            if (!b) {
                eng_expr_free(a);
                return NULL;
            }
            blank(ps);
            if (*ps->p != ')') {
                eng_expr_free(a);
                eng_expr_free(b);
                return fail(ps, "expected ')'");
            }
            ps->p++;
            return node(op, a, b);
        }
        ps->p = p;
        return fail(ps, "function not supported by the klu backend");
    }
    return fail(ps, "expected a number, i(), min() or max()");
}

static eng_expr *unary(parser *ps)
{
    blank(ps);
    if (*ps->p == '-') {
        ps->p++;
        eng_expr *a = unary(ps);
        return a ? node(X_NEG, a, NULL) : NULL;
    }
    if (*ps->p == '+') {
        ps->p++;
        return unary(ps);
    }
    return primary(ps);
}

/* A left-associative chain of operands at level `mul' (1: * /, 0: + -),
 * each operand the next level down. */
static eng_expr *chain(parser *ps, int mul)
{
    eng_expr *e = mul ? unary(ps) : chain(ps, 1);
    while (e) {
        blank(ps);
        char op = *ps->p;
        if (mul ? op != '*' && op != '/' : op != '+' && op != '-')
            break;
        ps->p++;
        eng_expr *b = mul ? unary(ps) : chain(ps, 1);
        if (!b) {
            eng_expr_free(e);
            return NULL;
        }
        e = node(op == '*' ? X_MUL : op == '/' ? X_DIV : op == '+' ? X_ADD : X_SUB, e, b);
    }
    return e;
}

static eng_expr *sum(parser *ps)
{
    return chain(ps, 0);
}

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

eng_expr *eng_expr_parse(const char *s, int (*find_vs)(void *, const char *), void *ctx,
                         char *why, size_t n)
{
    parser ps = { s, find_vs, ctx, why, n, 0 };
    eng_expr *e = sum(&ps);
    blank(&ps);
    if (e && *ps.p) {
        eng_expr_free(e);
        e = fail(&ps, "unexpected text");
    }
    if (!e && !ps.failed)
        snprintf(why, n, "out of memory");
    if (e && !eng_expr_linear(e)) {
        eng_expr_free(e);
        snprintf(why, n, "a product or quotient of currents (not piecewise linear)");
        return NULL;
    }
    return e;
}

void eng_expr_free(eng_expr *e)
{
    if (!e)
        return;
    eng_expr_free(e->a);
    eng_expr_free(e->b);
    free(e);
}

/* Value of e when the currents are c0 + s (c1 - c0). */
static double eval_at(const eng_expr *e, const double *c0, const double *c1, double s)
{
    switch (e->op) {
    case X_NUM: return e->num;
    case X_CUR: return c0[e->src] + s * (c1[e->src] - c0[e->src]);
    case X_ADD: return eval_at(e->a, c0, c1, s) + eval_at(e->b, c0, c1, s);
    case X_SUB: return eval_at(e->a, c0, c1, s) - eval_at(e->b, c0, c1, s);
    case X_MUL: return eval_at(e->a, c0, c1, s) * eval_at(e->b, c0, c1, s);
    case X_DIV: return eval_at(e->a, c0, c1, s) / eval_at(e->b, c0, c1, s);
    case X_NEG: return -eval_at(e->a, c0, c1, s);
    case X_MIN: return fmin(eval_at(e->a, c0, c1, s), eval_at(e->b, c0, c1, s));
    default: return fmax(eval_at(e->a, c0, c1, s), eval_at(e->b, c0, c1, s));
    }
}

double eng_expr_eval(const eng_expr *e, const double *cur)
{
    return eval_at(e, cur, cur, 0.0);
}

/* Switch points of the min/max nodes of e on (s0, s1), on which every
 * operand is linear in s once the points already in pts split it. */
static int kinks_in(const eng_expr *e, const double *c0, const double *c1, double s0,
                    double s1, double *pts, int np, int max)
{
    if (!e)
        return np;
    np = kinks_in(e->a, c0, c1, s0, s1, pts, np, max);
    np = kinks_in(e->b, c0, c1, s0, s1, pts, np, max);
    if (e->op != X_MIN && e->op != X_MAX)
        return np;
    double d0 = eval_at(e->a, c0, c1, s0) - eval_at(e->b, c0, c1, s0);
    double d1 = eval_at(e->a, c0, c1, s1) - eval_at(e->b, c0, c1, s1);
    if ((d0 < 0.0 && d1 > 0.0) || (d0 > 0.0 && d1 < 0.0)) {
        double s = s0 + (s1 - s0) * d0 / (d0 - d1);
        if (s > s0 && s < s1 && np < max)
            pts[np++] = s;
    }
    return np;
}

int eng_expr_kinks(const eng_expr *e, const double *c0, const double *c1, int n_cur,
                   double *s, int max)
{
    (void)n_cur;
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
            n = kinks_in(e, c0, c1, edges[k], edges[k + 1], s, n, max);
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
