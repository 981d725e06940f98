/* The deck subset the engine reads (dwmtj_engine.h). */
#include "engine_internal.h"
#include "harness_internal.h" /* dwmtj_spice_number */

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NGSPICE_HINT "; run this circuit with --backend ngspice"

int eng_fail(dwmtj_circuit *c, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->error, sizeof c->error, fmt, ap);
    va_end(ap);
    return status;
}

static uint64_t hash_name(const char *s)
{
    return dwmtj_key_from_name(s);
}

int eng_grow(void **p, int *cap, int need, size_t size)
{
    if (need <= *cap)
        return 0;
    int n = *cap ? 2 * *cap : 16;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, (size_t)n * size);
    if (!q)
        return -1;
    *p = q;
    *cap = n;
    return 0;
}

static int rehash(dwmtj_circuit *c, int n_hash)
{
    int *h = malloc(sizeof(int) * (size_t)n_hash);
    if (!h)
        return -1;
    for (int k = 0; k < n_hash; k++)
        h[k] = -1;
    for (int i = 0; i < c->n_nodes; i++) {
        uint64_t k = hash_name(c->node_name[i]) & (uint64_t)(n_hash - 1);
        while (h[k] >= 0)
            k = (k + 1) & (uint64_t)(n_hash - 1);
        h[k] = i;
    }
    free(c->hash);
    c->hash = h;
    c->n_hash = n_hash;
    return 0;
}

int eng_find_node(const dwmtj_circuit *c, const char *name)
{
    if (strcmp(name, "0") == 0 || strcmp(name, "gnd") == 0)
        return 0;
    if (!c->n_hash)
        return -1;
    uint64_t k = hash_name(name) & (uint64_t)(c->n_hash - 1);
    while (c->hash[k] >= 0) {
        if (strcmp(c->node_name[c->hash[k]], name) == 0)
            return c->hash[k];
        k = (k + 1) & (uint64_t)(c->n_hash - 1);
    }
    return -1;
}

int eng_node(dwmtj_circuit *c, const char *name)
{
    int i = eng_find_node(c, name);
    if (i >= 0)
        return i;
    int cap = c->n_nodes; /* capacity tracked by the hash size */
    if ((c->n_nodes + 1) * 2 > c->n_hash && rehash(c, c->n_hash ? 2 * c->n_hash : 1024) != 0)
        return -1;
    char **nn = realloc(c->node_name, sizeof(char *) * (size_t)(cap + 1));
    if (!nn)
        return -1;
    c->node_name = nn;
    if (!(nn[c->n_nodes] = strdup(name)))
        return -1;
    uint64_t k = hash_name(name) & (uint64_t)(c->n_hash - 1);
    while (c->hash[k] >= 0)
        k = (k + 1) & (uint64_t)(c->n_hash - 1);
    c->hash[k] = c->n_nodes;
    return c->n_nodes++;
}

static int is_sep(char ch)
{
    return ch == ' ' || ch == '\t' || ch == ',' || ch == '\r';
}

/* Splits s (modified) at separators; '=' and parentheses are tokens. */
static int split(char *s, char **tok, int max)
{
    int n = 0;
    while (*s) {
        while (*s && is_sep(*s))
            *s++ = '\0';
        if (!*s)
            break;
        if (n == max)
            return -1;
        if (*s == '(' || *s == ')' || *s == '=' || *s == '[' || *s == ']') {
            char ch = *s;
            *s++ = '\0';
            tok[n++] = ch == '(' ? "(" : ch == ')' ? ")" : ch == '=' ? "=" : ch == '[' ? "[" : "]";
            continue;
        }
        tok[n++] = s;
        while (*s && !is_sep(*s) && *s != '(' && *s != ')' && *s != '=' && *s != '[' &&
               *s != ']')
            s++;
    }
    return n;
}

static int number(const char *tok, double *v)
{
    return dwmtj_spice_number_token(tok, v);
}

static int add_res(dwmtj_circuit *c, char **t, int n, int line)
{
    double r;
    if (n != 4 || number(t[3], &r) != 0 || !(r > 0.0) || r != r)
        return eng_fail(c, DWMTJ_E_ERR_SYNTAX,
                        "line %d: resistor %s: expected 'Rname n1 n2 value' with value > 0",
                        line, t[0]);
    if (eng_grow((void **)&c->res, &c->cap_res, c->n_res + 1, sizeof *c->res) != 0)
        return DWMTJ_E_ERR_NOMEM;
    int a = eng_node(c, t[1]), b = eng_node(c, t[2]);
    if (a < 0 || b < 0)
        return DWMTJ_E_ERR_NOMEM;
    c->res[c->n_res++] = (eng_res){ .a = a, .b = b, .g = 1.0 / r };
    return DWMTJ_E_OK;
}

static int add_point(eng_vsrc *s, double t, double v)
{
    if (eng_grow((void **)&s->t, &s->cap, s->n + 1, sizeof(double)) != 0)
        return -1;
    int cap = s->cap;
    double *nv = realloc(s->v, sizeof(double) * (size_t)cap);
    if (!nv)
        return -1;
    s->v = nv;
    s->t[s->n] = t;
    s->v[s->n++] = v;
    return 0;
}

static int add_vsrc(dwmtj_circuit *c, char **t, int n, int line)
{
    if (n < 3)
        return eng_fail(c, DWMTJ_E_ERR_SYNTAX, "line %d: voltage source %s: no nodes", line, t[0]);
    if (eng_grow((void **)&c->vs, &c->cap_vs, c->n_vs + 1, sizeof *c->vs) != 0)
        return DWMTJ_E_ERR_NOMEM;
    eng_vsrc *s = &c->vs[c->n_vs];
    memset(s, 0, sizeof *s);
    s->line = line;
    s->out = -1;
    s->lin_index = -1;
    if (!(s->name = strdup(t[0])) || (s->p = eng_node(c, t[1])) < 0 ||
        (s->m = eng_node(c, t[2])) < 0) {
        free(s->name);
        return DWMTJ_E_ERR_NOMEM;
    }
    c->n_vs++;
    int k = 3;
    double v = 0.0;
    if (k < n && strcmp(t[k], "dc") == 0)
        k++;
    if (k == n)
        return add_point(s, 0.0, 0.0) ? DWMTJ_E_ERR_NOMEM : DWMTJ_E_OK;
    if (number(t[k], &v) == 0 && k + 1 == n)
        return add_point(s, 0.0, v) ? DWMTJ_E_ERR_NOMEM : DWMTJ_E_OK;
    if (strcmp(t[k], "pwl") == 0 && k + 1 < n && strcmp(t[k + 1], "(") == 0 &&
        strcmp(t[n - 1], ")") == 0 && (n - k - 3) % 2 == 0 && n - k - 3 >= 2) {
        for (int j = k + 2; j < n - 1; j += 2) {
            double tt, vv;
            if (number(t[j], &tt) != 0 || number(t[j + 1], &vv) != 0)
                return eng_fail(c, DWMTJ_E_ERR_SYNTAX,
                                "line %d: voltage source %s: PWL point '%s %s' is not two numbers",
                                line, s->name, t[j], t[j + 1]);
            if (s->n && !(tt > s->t[s->n - 1]))
                return eng_fail(c, DWMTJ_E_ERR_SYNTAX,
                                "line %d: voltage source %s: PWL times must increase (%s)", line,
                                s->name, t[j]);
            if (add_point(s, tt, vv) != 0)
                return DWMTJ_E_ERR_NOMEM;
        }
        return DWMTJ_E_OK;
    }
    return eng_fail(c, DWMTJ_E_ERR_UNSUPPORTED,
                    "line %d: voltage source %s: only DC values and PWL(...) waves are "
                    "supported by the klu backend (got '%s')" NGSPICE_HINT,
                    line, s->name, t[k]);
}

static int find_vs(void *ctx, const char *name)
{
    const dwmtj_circuit *c = ctx;
    for (int k = 0; k < c->n_vs; k++)
        if (strcmp(c->vs[k].name, name) == 0)
            return k;
    return -1;
}

/* B sources are resolved after all V sources are known: the expression
 * text waits in pend until then. */
static int add_bsrc(dwmtj_circuit *c, const char *card, int line, char ***pend, int *n_pend,
                    int *cap_pend)
{
    char name[128], np[128], nm[128];
    int used = 0;
    if (sscanf(card, "%127s %127s %127s %n", name, np, nm, &used) != 3)
        return eng_fail(c, DWMTJ_E_ERR_SYNTAX, "line %d: B source: expected 'Bname n+ n- I = "
                        "expression'", line);
    const char *p = card + used;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p != 'i' || (p[1] != '=' && p[1] != ' ' && p[1] != '\t'))
        return eng_fail(c, DWMTJ_E_ERR_UNSUPPORTED,
                        "line %d: B source %s: only current sources 'I = expression' are "
                        "supported by the klu backend" NGSPICE_HINT,
                        line, name);
    p++;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p != '=')
        return eng_fail(c, DWMTJ_E_ERR_SYNTAX, "line %d: B source %s: no '=' after I", line,
                        name);
    if (eng_grow((void **)&c->bs, &c->cap_bs, c->n_bs + 1, sizeof *c->bs) != 0 ||
        eng_grow((void **)pend, cap_pend, *n_pend + 1, sizeof **pend) != 0)
        return DWMTJ_E_ERR_NOMEM;
    eng_bsrc *b = &c->bs[c->n_bs];
    memset(b, 0, sizeof *b);
    b->line = line;
    if (!(b->name = strdup(name)) || (b->p = eng_node(c, np)) < 0 ||
        (b->m = eng_node(c, nm)) < 0 || !((*pend)[*n_pend] = strdup(p + 1))) {
        free(b->name);
        return DWMTJ_E_ERR_NOMEM;
    }
    c->n_bs++;
    (*n_pend)++;
    return DWMTJ_E_OK;
}

static int add_model(dwmtj_circuit *c, char **t, int n, int line)
{
    if (n < 3)
        return eng_fail(c, DWMTJ_E_ERR_SYNTAX, "line %d: .model: expected '.model name type(...)'",
                        line);
    if (strcmp(t[2], "dwmtj4t") != 0)
        return DWMTJ_E_OK; /* refused only when an element uses it */
    if (eng_grow((void **)&c->model, &c->cap_model, c->n_model + 1, sizeof *c->model) != 0)
        return DWMTJ_E_ERR_NOMEM;
    eng_model *m = &c->model[c->n_model];
    memset(m, 0, sizeof *m);
    m->line = line;
    dwmtj_params p;
    dwmtj_params_set(&p, "proto");
    const char *mon = "all";
    int k = 3;
    if (k < n && strcmp(t[k], "(") == 0)
        k++;
    /* set= first: the named set, then the other parameters over it */
    for (int j = k; j + 2 < n; j++)
        if (strcmp(t[j], "set") == 0 && strcmp(t[j + 1], "=") == 0) {
            char v[64];
            snprintf(v, sizeof v, "%s", t[j + 2]);
            size_t len = strlen(v);
            if (len >= 2 && v[0] == '"' && v[len - 1] == '"') {
                v[len - 1] = '\0';
                memmove(v, v + 1, len - 1);
            }
            if (dwmtj_params_set(&p, v) != DWMTJ_OK)
                return eng_fail(c, DWMTJ_E_ERR_PARAM,
                                "line %d: .model %s: invalid parameter set = \"%s\"", line, t[1],
                                v);
        }
    for (; k < n && strcmp(t[k], ")") != 0; k += 3) {
        if (k + 2 >= n || strcmp(t[k + 1], "=") != 0)
            return eng_fail(c, DWMTJ_E_ERR_SYNTAX,
                            "line %d: .model %s: expected name=value at '%s'", line, t[1], t[k]);
        const char *key = t[k], *val = t[k + 2];
        if (strcmp(key, "set") == 0)
            continue;
        if (strcmp(key, "monitors") == 0) {
            mon = val;
            continue;
        }
        double v;
        if (number(val, &v) != 0)
            return eng_fail(c, DWMTJ_E_ERR_SYNTAX,
                            "line %d: .model %s: parameter %s = %s is not a number", line, t[1],
                            key, val);
        if (dwmtj_param_set_by_name(&p, key, v) != DWMTJ_OK)
            return eng_fail(c, DWMTJ_E_ERR_PARAM, "line %d: .model %s: unknown parameter %s",
                            line, t[1], key);
    }
    int st = dwmtj_params_check(&p);
    if (st == DWMTJ_OK)
        st = dwmtj_derive(&p, &m->d);
    if (st < 0) {
        const char *which = dwmtj_status_param(st);
        double v = 0.0;
        if (which)
            dwmtj_param_get_by_name(&p, which, &v);
        return eng_fail(c, DWMTJ_E_ERR_PARAM, "line %d: .model %s: invalid parameter %s = %g: %s",
                        line, t[1], which ? which : "?", v, dwmtj_status_string(st));
    }
    char list[256];
    snprintf(list, sizeof list, "%s", mon);
    size_t len = strlen(list);
    if (len >= 2 && list[0] == '"' && list[len - 1] == '"') {
        list[len - 1] = '\0';
        memmove(list, list + 1, len - 1);
    }
    if ((m->n_sel = dwmtj_monitor_select(list, m->sel, NULL, NULL)) < 0)
        return eng_fail(c, DWMTJ_E_ERR_PARAM,
                        "line %d: .model %s: invalid parameter monitors = \"%s\"", line, t[1],
                        list);
    if (!(m->name = strdup(t[1])))
        return DWMTJ_E_ERR_NOMEM;
    c->n_model++;
    return DWMTJ_E_OK;
}

/* A elements keep their model name until all models are read. */
static int add_dev(dwmtj_circuit *c, char **t, int n, int line, char ***mname, int *cap_mname)
{
    /* aname in gnd a b [m0 m1 ...] model */
    int k = 5;
    if (n < 6)
        return eng_fail(c, DWMTJ_E_ERR_SYNTAX,
                        "line %d: A element %s: expected 'Aname in gnd a b [monitors] model'",
                        line, t[0]);
    for (int j = 1; j < 5; j++)
        if (t[j][0] == '%' || t[j][0] == '[')
            return eng_fail(c, DWMTJ_E_ERR_UNSUPPORTED,
                            "line %d: A element %s: port types and vectors on the four terminals "
                            "are not supported by the klu backend" NGSPICE_HINT,
                            line, t[0]);
    if (eng_grow((void **)&c->dev, &c->cap_dev, c->n_dev + 1, sizeof *c->dev) != 0 ||
        eng_grow((void **)mname, cap_mname, c->n_dev + 1, sizeof **mname) != 0)
        return DWMTJ_E_ERR_NOMEM;
    eng_dev *d = &c->dev[c->n_dev];
    memset(d, 0, sizeof *d);
    d->line = line;
    if (!(d->name = strdup(t[0])))
        return DWMTJ_E_ERR_NOMEM;
    c->n_dev++;
    (*mname)[c->n_dev - 1] = NULL;
    for (int j = 0; j < 4; j++)
        if ((d->node[j] = eng_node(c, t[1 + j])) < 0)
            return DWMTJ_E_ERR_NOMEM;
    if (strcmp(t[k], "[") == 0) {
        int end = k + 1;
        while (end < n && strcmp(t[end], "]") != 0)
            end++;
        if (end == n)
            return eng_fail(c, DWMTJ_E_ERR_SYNTAX, "line %d: A element %s: no ']'", line,
                            t[0]);
        d->n_mon = end - k - 1;
        if (d->n_mon && !(d->mon = malloc(sizeof(int) * (size_t)d->n_mon)))
            return DWMTJ_E_ERR_NOMEM;
        for (int j = 0; j < d->n_mon; j++)
            if ((d->mon[j] = eng_node(c, t[k + 1 + j])) < 0)
                return DWMTJ_E_ERR_NOMEM;
        k = end + 1;
    } else if (k + 1 < n) {
        /* a single monitor node without brackets */
        d->n_mon = 1;
        if (!(d->mon = malloc(sizeof(int))) || (d->mon[0] = eng_node(c, t[k])) < 0)
            return DWMTJ_E_ERR_NOMEM;
        k++;
    }
    if (k != n - 1)
        return eng_fail(c, DWMTJ_E_ERR_SYNTAX, "line %d: A element %s: expected the model name "
                        "last", line, t[0]);
    if (!((*mname)[c->n_dev - 1] = strdup(t[k])))
        return DWMTJ_E_ERR_NOMEM;
    return DWMTJ_E_OK;
}

static int add_save(dwmtj_circuit *c, char **t, int n, int line)
{
    for (int k = 1; k < n; k++) {
        if (strcmp(t[k], "v") == 0 && k + 3 < n + 1 && k + 2 < n && strcmp(t[k + 1], "(") == 0 &&
            strcmp(t[k + 3], ")") == 0) {
            char name[300];
            snprintf(name, sizeof name, "v(%s)", t[k + 2]);
            if (eng_grow((void **)&c->save, &c->cap_save, c->n_save + 1, sizeof *c->save) != 0 ||
                !(c->save[c->n_save] = strdup(name)))
                return DWMTJ_E_ERR_NOMEM;
            c->n_save++;
            k += 3;
        } else {
            return eng_fail(c, DWMTJ_E_ERR_UNSUPPORTED,
                            "line %d: .save %s: the klu backend saves node voltages v(node) "
                            "only" NGSPICE_HINT, line, t[k]);
        }
    }
    return DWMTJ_E_OK;
}

static int add_tran(dwmtj_circuit *c, char **t, int n, int line)
{
    double v[4] = { 0.0, 0.0, 0.0, 0.0 };
    int m = 0;
    for (int k = 1; k < n && m < 4; k++) {
        if (strcmp(t[k], "uic") == 0)
            continue;
        if (number(t[k], &v[m++]) != 0)
            return eng_fail(c, DWMTJ_E_ERR_SYNTAX, "line %d: .tran: '%s' is not a number", line,
                            t[k]);
    }
    if (m < 2 || !(v[0] > 0.0) || !(v[1] > 0.0))
        return eng_fail(c, DWMTJ_E_ERR_SYNTAX, "line %d: .tran: expected tstep tstop "
                        "[tstart [tmax]] with tstep, tstop > 0", line);
    if (v[2] != 0.0)
        return eng_fail(c, DWMTJ_E_ERR_UNSUPPORTED, "line %d: .tran: tstart other than 0 is not "
                        "supported by the klu backend" NGSPICE_HINT, line);
    c->tstep = v[0];
    c->tstop = v[1];
    c->tmax = m >= 4 && v[3] > 0.0 ? v[3] : 0.0;
    c->has_tran = 1;
    return DWMTJ_E_OK;
}

static int card_tokens(dwmtj_circuit *c, char **t, int n, int line, char ***mname,
                       int *cap_mname);

static int card(dwmtj_circuit *c, char *s, int line, char ***pend, int *n_pend, int *cap_pend,
                char ***mname, int *cap_mname)
{
    for (char *p = s; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    if (s[0] == 'b')
        return add_bsrc(c, s, line, pend, n_pend, cap_pend);
    size_t cap = strlen(s) + 8; /* at most one token per character */
    char **t = malloc(sizeof(char *) * cap);
    if (!t)
        return DWMTJ_E_ERR_NOMEM;
    int n = split(s, t, (int)cap);
    int rc = n <= 0 ? DWMTJ_E_OK : card_tokens(c, t, n, line, mname, cap_mname);
    free(t);
    return rc;
}

static int card_tokens(dwmtj_circuit *c, char **t, int n, int line, char ***mname,
                       int *cap_mname)
{
    switch (t[0][0]) {
    case 'r':
        return add_res(c, t, n, line);
    case 'v':
        return add_vsrc(c, t, n, line);
    case 'a':
        return add_dev(c, t, n, line, mname, cap_mname);
    case '.':
        if (strcmp(t[0], ".model") == 0)
            return add_model(c, t, n, line);
        if (strcmp(t[0], ".tran") == 0)
            return add_tran(c, t, n, line);
        if (strcmp(t[0], ".save") == 0)
            return add_save(c, t, n, line);
        if (strcmp(t[0], ".options") == 0 || strcmp(t[0], ".option") == 0 ||
            strcmp(t[0], ".opt") == 0)
            return DWMTJ_E_OK; /* tolerances: the engine solves to its own, tighter ones */
        return eng_fail(c, DWMTJ_E_ERR_UNSUPPORTED,
                        "line %d: card %s is not supported by the klu backend" NGSPICE_HINT, line,
                        t[0]);
    default:
        return eng_fail(c, DWMTJ_E_ERR_UNSUPPORTED,
                        "line %d: element %s is not supported by the klu backend (resistors, V "
                        "sources, B current sources and dwmtj4t only)" NGSPICE_HINT,
                        line, t[0]);
    }
}

int eng_parse(dwmtj_circuit *c, const char *name, const char *text)
{
    (void)name;
    char **pend = NULL, **mname = NULL;
    int n_pend = 0, cap_pend = 0, cap_mname = 0, rc = DWMTJ_E_OK;
    /* node 0, ground, under its own name; "gnd" is found as it too */
    if (rehash(c, 1024) != 0 || !(c->node_name = malloc(sizeof(char *))) ||
        !(c->node_name[0] = strdup("0")))
        return DWMTJ_E_ERR_NOMEM;
    c->n_nodes = 1;
    const char *p = text;
    int line = 0, first = 1, ended = 0;
    char *cur = NULL;
    size_t cur_len = 0;
    int cur_line = 0;
    while (rc == DWMTJ_E_OK) {
        const char *e = p ? strchr(p, '\n') : NULL;
        size_t n = p ? (e ? (size_t)(e - p) : strlen(p)) : 0;
        int at_end = !p || (!*p);
        if (!at_end)
            line++;
        int cont = !at_end && n > 0 && p[0] == '+';
        if (!at_end && first) {
            snprintf(c->title, sizeof c->title, "%.*s", (int)(n < 255 ? n : 255), p);
            first = 0;
        } else if (cont && cur) {
            char *q = realloc(cur, cur_len + n + 2);
            if (!q) {
                rc = DWMTJ_E_ERR_NOMEM;
                break;
            }
            cur = q;
            cur[cur_len++] = ' ';
            memcpy(cur + cur_len, p + 1, n - 1);
            cur_len += n - 1;
            cur[cur_len] = '\0';
        } else {
            if (cur) {
                size_t k = 0;
                while (cur[k] == ' ' || cur[k] == '\t')
                    k++;
                if (strncmp(cur + k, ".end", 4) == 0 &&
                    (cur[k + 4] == '\0' || cur[k + 4] == ' ' || cur[k + 4] == '\r'))
                    ended = 1;
                else if (cur[k] && cur[k] != '*' && cur[k] != '\r')
                    rc = card(c, cur + k, cur_line, &pend, &n_pend, &cap_pend, &mname,
                              &cap_mname);
                free(cur);
                cur = NULL;
            }
            if (at_end || ended)
                break;
            if (!(cur = malloc(n + 1))) {
                rc = DWMTJ_E_ERR_NOMEM;
                break;
            }
            memcpy(cur, p, n);
            cur[n] = '\0';
            cur_len = n;
            cur_line = line;
            /* inline comments: ';' and '$ ' */
            char *semi = strchr(cur, ';');
            if (semi) {
                *semi = '\0';
                cur_len = (size_t)(semi - cur);
            }
        }
        p = e ? e + 1 : NULL;
    }
    free(cur);
    if (rc == DWMTJ_E_OK && !c->has_tran)
        rc = eng_fail(c, DWMTJ_E_ERR_SYNTAX, "%s: no .tran card: the klu backend runs transients "
                      "only", name ? name : "deck");
    /* resolve B-source expressions and device models */
    for (int k = 0; k < n_pend && rc == DWMTJ_E_OK; k++) {
        char why[256];
        c->bs[k].e = eng_expr_parse(pend[k], find_vs, c, why, sizeof why);
        if (!c->bs[k].e)
            rc = eng_fail(c, DWMTJ_E_ERR_UNSUPPORTED, "line %d: B source %s: %s" NGSPICE_HINT,
                          c->bs[k].line, c->bs[k].name, why);
    }
    for (int k = 0; k < c->n_dev && rc == DWMTJ_E_OK; k++) {
        int m = 0;
        while (m < c->n_model && strcmp(c->model[m].name, mname[k]) != 0)
            m++;
        if (m == c->n_model)
            rc = eng_fail(c, DWMTJ_E_ERR_UNSUPPORTED,
                          "line %d: A element %s: model %s is not a dwmtj4t .model of this deck; "
                          "the klu backend runs dwmtj4t only" NGSPICE_HINT,
                          c->dev[k].line, c->dev[k].name, mname[k]);
        c->dev[k].model = m;
        /* the code model's key: node names of in, gnd, a, b */
        uint64_t key = 0;
        for (int j = 0; j < 4 && m < c->n_model; j++)
            key = key * 0x100000001b3ULL ^ dwmtj_key_from_name(c->node_name[c->dev[k].node[j]]);
        c->dev[k].key = key;
    }
    for (int k = 0; k < n_pend; k++)
        free(pend[k]);
    free(pend);
    for (int k = 0; k < c->n_dev; k++)
        free(mname ? mname[k] : NULL);
    free(mname);
    return rc;
}
