/* Expressions of B sources: parsed, built, written (dwmtj_spice.h). */
#include "spice_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dwmtj_spice_expr_free(dwmtj_spice_expr *e)
{
    if (!e)
        return;
    for (int k = 0; k < e->n_arg; k++)
        dwmtj_spice_expr_free(e->arg[k]);
    free(e->arg);
    free(e->name);
    free(e->name2);
    free(e);
}

static dwmtj_spice_expr *make(int op, int n, dwmtj_spice_expr **args)
{
    dwmtj_spice_expr *e = calloc(1, sizeof *e);
    if (e && n > 0 && !(e->arg = malloc(sizeof *e->arg * (size_t)n))) {
        free(e);
        e = NULL;
    }
    if (!e) {
        for (int k = 0; k < n; k++)
            dwmtj_spice_expr_free(args[k]);
        return NULL;
    }
    e->op = op;
    e->n_arg = n;
    int bad = 0;
    for (int k = 0; k < n; k++) {
        e->arg[k] = args[k];
        bad |= !args[k];
    }
    if (bad) { /* an operand that failed: the whole fails */
        dwmtj_spice_expr_free(e);
        return NULL;
    }
    return e;
}

dwmtj_spice_expr *dwmtj_spice_x_num(double v)
{
    dwmtj_spice_expr *e = make(DWMTJ_SPICE_X_NUM, 0, NULL);
    if (e)
        e->num = v;
    return e;
}

static dwmtj_spice_expr *named(int op, const char *a, const char *b)
{
    dwmtj_spice_expr *e = make(op, 0, NULL);
    if (!e)
        return NULL;
    e->name = sp_lower_dup(a);
    e->name2 = b ? sp_lower_dup(b) : NULL;
    if (!e->name || (b && !e->name2)) {
        dwmtj_spice_expr_free(e);
        return NULL;
    }
    return e;
}

dwmtj_spice_expr *dwmtj_spice_x_cur(const char *source) { return named(DWMTJ_SPICE_X_I, source, NULL); }

dwmtj_spice_expr *dwmtj_spice_x_volt(const char *node, const char *node2)
{
    return named(DWMTJ_SPICE_X_V, node, node2);
}

dwmtj_spice_expr *dwmtj_spice_x_op(int op, dwmtj_spice_expr *a, dwmtj_spice_expr *b)
{
    dwmtj_spice_expr *args[2] = { a, b };
    if (op == DWMTJ_SPICE_X_NEG) {
        dwmtj_spice_expr_free(b);
        return make(op, 1, args);
    }
    if (op < DWMTJ_SPICE_X_ADD || op > DWMTJ_SPICE_X_POW) {
        dwmtj_spice_expr_free(a);
        dwmtj_spice_expr_free(b);
        return NULL;
    }
    return make(op, 2, args);
}

dwmtj_spice_expr *dwmtj_spice_x_call(const char *fn, int n, dwmtj_spice_expr **args)
{
    dwmtj_spice_expr *e = make(DWMTJ_SPICE_X_CALL, n, args);
    if (e && !(e->name = sp_lower_dup(fn))) {
        dwmtj_spice_expr_free(e);
        return NULL;
    }
    return e;
}

/* ---- parser ------------------------------------------------------------ */

typedef struct {
    const char *s, *p;
    char *why;
    size_t n;
    int failed, depth;
} parser;

static dwmtj_spice_expr *fail(parser *ps, const char *msg)
{
    if (!ps->failed && ps->why && ps->n)
        snprintf(ps->why, ps->n, "%s at column %d ('%.16s')", msg, (int)(ps->p - ps->s) + 1,
                 ps->p);
    ps->failed = 1;
    return NULL;
}

static void blank(parser *ps)
{
    while (*ps->p && isspace((unsigned char)*ps->p))
        ps->p++;
}

static int accept(parser *ps, char c)
{
    blank(ps);
    if (*ps->p != c)
        return 0;
    ps->p++;
    return 1;
}

static dwmtj_spice_expr *sum(parser *ps);

static int name_char(char c) { return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '#'; }

/* The argument of v() or i(): a node or source name, up to ',' or ')'. */
static char *ref_name(parser *ps)
{
    blank(ps);
    const char *a = ps->p;
    while (*ps->p && *ps->p != ',' && *ps->p != ')' && !isspace((unsigned char)*ps->p))
        ps->p++;
    if (ps->p == a)
        return NULL;
    return sp_strndup(a, (size_t)(ps->p - a));
}

static dwmtj_spice_expr *primary(parser *ps)
{
    blank(ps);
    char c = *ps->p;
    if (c == '(' || c == '{') {
        ps->p++;
        dwmtj_spice_expr *e = sum(ps);
        if (!e)
            return NULL;
        if (!accept(ps, c == '(' ? ')' : '}')) {
            dwmtj_spice_expr_free(e);
            return fail(ps, c == '(' ? "expected ')'" : "expected '}'");
        }
        return e;
    }
    if (isdigit((unsigned char)c) || (c == '.' && isdigit((unsigned char)ps->p[1]))) {
        double v;
        const char *end;
        if (dwmtj_spice_number(ps->p, &v, &end) != 0)
            return fail(ps, "bad number");
        ps->p = end;
        dwmtj_spice_expr *e = dwmtj_spice_x_num(v);
        return e ? e : fail(ps, "out of memory");
    }
    if (isalpha((unsigned char)c) || c == '_') {
        const char *a = ps->p;
        while (name_char(*ps->p))
            ps->p++;
        size_t len = (size_t)(ps->p - a);
        char word[64];
        snprintf(word, sizeof word, "%.*s", (int)(len < 63 ? len : 63), a);
        for (char *q = word; *q; q++)
            *q = (char)tolower((unsigned char)*q);
        blank(ps);
        if (*ps->p != '(') {
            char *nm = sp_strndup(a, len);
            dwmtj_spice_expr *e = nm ? named(DWMTJ_SPICE_X_NAME, nm, NULL) : NULL;
            free(nm);
            return e ? e : fail(ps, "out of memory");
        }
        ps->p++;
        if ((strcmp(word, "v") == 0 || strcmp(word, "i") == 0)) {
            char *n1 = ref_name(ps), *n2 = NULL;
            if (!n1)
                return fail(ps, "expected a name in v() or i()");
            if (word[0] == 'v' && accept(ps, ',') && !(n2 = ref_name(ps))) {
                free(n1);
                return fail(ps, "expected a second node in v(a, b)");
            }
            if (!accept(ps, ')')) {
                free(n1);
                free(n2);
                return fail(ps, "expected ')'");
            }
            dwmtj_spice_expr *e = named(word[0] == 'v' ? DWMTJ_SPICE_X_V : DWMTJ_SPICE_X_I, n1, n2);
            free(n1);
            free(n2);
            return e ? e : fail(ps, "out of memory");
        }
        dwmtj_spice_expr *args[16];
        int n = 0;
        blank(ps);
        if (*ps->p != ')') {
            do {
                if (n == 16) {
                    for (int k = 0; k < n; k++)
                        dwmtj_spice_expr_free(args[k]);
                    return fail(ps, "more than 16 arguments");
                }
                if (!(args[n] = sum(ps))) {
                    for (int k = 0; k < n; k++)
                        dwmtj_spice_expr_free(args[k]);
                    return NULL;
                }
                n++;
            } while (accept(ps, ','));
        }
        if (!accept(ps, ')')) {
            for (int k = 0; k < n; k++)
                dwmtj_spice_expr_free(args[k]);
            return fail(ps, "expected ')' or ','");
        }
        dwmtj_spice_expr *e = dwmtj_spice_x_call(word, n, args);
        return e ? e : fail(ps, "out of memory");
    }
    return fail(ps, c ? "expected a number, a name or '('" : "unexpected end");
}

static dwmtj_spice_expr *unary(parser *ps);

static dwmtj_spice_expr *power(parser *ps)
{
    dwmtj_spice_expr *a = primary(ps);
    if (!a)
        return NULL;
    blank(ps);
    if (*ps->p == '^' || (ps->p[0] == '*' && ps->p[1] == '*')) {
        ps->p += *ps->p == '^' ? 1 : 2;
        dwmtj_spice_expr *b = unary(ps); /* right associative */
        if (!b) {
            dwmtj_spice_expr_free(a);
            return NULL;
        }
        a = dwmtj_spice_x_op(DWMTJ_SPICE_X_POW, a, b);
        if (!a)
            return fail(ps, "out of memory");
    }
    return a;
}

static dwmtj_spice_expr *unary(parser *ps)
{
    if (++ps->depth > DWMTJ_SPICE_X_DEPTH) {
        ps->depth--;
        return fail(ps, "expression nested deeper than 256 levels");
    }
    dwmtj_spice_expr *e;
    blank(ps);
    if (*ps->p == '-' || *ps->p == '+') {
        int neg = *ps->p == '-';
        ps->p++;
        e = unary(ps);
        if (e && neg && !(e = dwmtj_spice_x_op(DWMTJ_SPICE_X_NEG, e, NULL)))
            e = fail(ps, "out of memory");
    } else {
        e = power(ps);
    }
    ps->depth--;
    return e;
}

/* Left-associative chain at level mul (1: * /, 0: + -). */
static dwmtj_spice_expr *chain(parser *ps, int mul)
{
    dwmtj_spice_expr *e = mul ? unary(ps) : chain(ps, 1);
    while (e) {
        blank(ps);
        char op = *ps->p;
        if (mul ? (op != '*' && op != '/') || ps->p[1] == '*' : op != '+' && op != '-')
            break;
        ps->p++;
        dwmtj_spice_expr *b = mul ? unary(ps) : chain(ps, 1);
        if (!b) {
            dwmtj_spice_expr_free(e);
            return NULL;
        }
        int x = op == '*' ? DWMTJ_SPICE_X_MUL : op == '/' ? DWMTJ_SPICE_X_DIV
                : op == '+' ? DWMTJ_SPICE_X_ADD : DWMTJ_SPICE_X_SUB;
        if (!(e = dwmtj_spice_x_op(x, e, b)))
            return fail(ps, "out of memory");
    }
    return e;
}

static dwmtj_spice_expr *sum(parser *ps)
{
    if (++ps->depth > DWMTJ_SPICE_X_DEPTH) {
        ps->depth--;
        return fail(ps, "expression nested deeper than 256 levels");
    }
    dwmtj_spice_expr *e = chain(ps, 0);
    ps->depth--;
    return e;
}

dwmtj_spice_expr *dwmtj_spice_expr_parse(const char *s, char *why, size_t n)
{
    if (why && n)
        why[0] = '\0';
    if (!s) {
        if (why && n)
            snprintf(why, n, "no expression");
        return NULL;
    }
    parser ps = { s, s, why, n, 0, 0 };
    dwmtj_spice_expr *e = sum(&ps);
    blank(&ps);
    if (e && *ps.p) {
        dwmtj_spice_expr_free(e);
        return fail(&ps, "unexpected text");
    }
    return e;
}

/* ---- writer ------------------------------------------------------------ */

void sp_expr_write(dwmtj_str *b, const dwmtj_spice_expr *e)
{
    static const char ops[] = "+-*/^";
    switch (e->op) {
    case DWMTJ_SPICE_X_NUM:
        if (e->num < 0.0 || (e->num == 0.0 && signbit(e->num))) {
            dwmtj_str_puts(b, "(");
            sp_num(b, e->num);
            dwmtj_str_puts(b, ")");
        } else {
            sp_num(b, e->num);
        }
        return;
    case DWMTJ_SPICE_X_NAME:
        dwmtj_str_puts(b, e->name);
        return;
    case DWMTJ_SPICE_X_V:
        if (e->name2)
            dwmtj_str_printf(b, "v(%s, %s)", e->name, e->name2);
        else
            dwmtj_str_printf(b, "v(%s)", e->name);
        return;
    case DWMTJ_SPICE_X_I:
        dwmtj_str_printf(b, "i(%s)", e->name);
        return;
    case DWMTJ_SPICE_X_NEG:
        dwmtj_str_puts(b, "-(");
        sp_expr_write(b, e->arg[0]);
        dwmtj_str_puts(b, ")");
        return;
    case DWMTJ_SPICE_X_CALL:
        dwmtj_str_printf(b, "%s(", e->name);
        for (int k = 0; k < e->n_arg; k++) {
            if (k)
                dwmtj_str_puts(b, ", ");
            sp_expr_write(b, e->arg[k]);
        }
        dwmtj_str_puts(b, ")");
        return;
    default:
        dwmtj_str_puts(b, "(");
        sp_expr_write(b, e->arg[0]);
        dwmtj_str_printf(b, " %c ", ops[e->op - DWMTJ_SPICE_X_ADD]);
        sp_expr_write(b, e->arg[1]);
        dwmtj_str_puts(b, ")");
        return;
    }
}
