/* Analysis of the cards: .subckt nesting, models, parameters and .tran,
 * then the dwmtj4t neurons and the sources whose energy is counted. */
#define _POSIX_C_SOURCE 200809L

#include "netlist_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *name, *type;   /* lower case */
} model_def;

static char *lower_dup(const char *s)
{
    char *d = nl_xstrdup(s);
    for (char *p = d; p && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return d;
}

static int add_param(dwmtj_netlist *nl, const char *name, size_t nn, const char *val, size_t nv)
{
    char **a = nl_grown(nl->param_name, nl->n_param, sizeof *a);
    if (!a)
        return -1;
    nl->param_name = a;
    char **b = nl_grown(nl->param_value, nl->n_param, sizeof *b);
    if (!b)
        return -1;
    nl->param_value = b;
    char *n = nl_xstrndup(name, nn), *v = nl_xstrndup(val, nv);
    if (!n || !v) {
        free(n);
        free(v);
        return -1;
    }
    for (char *q = n; *q; q++)
        *q = (char)tolower((unsigned char)*q);
    a[nl->n_param] = n;
    b[nl->n_param] = v;
    nl->n_param++;
    return 0;
}

/* .param a=1 b = {a*2} c='x': records each name and its raw value. */
static int read_params(dwmtj_netlist *nl, const char *s)
{
    const char *p = nl_after_first_word(s);
    while (*p) {
        while (*p && (nl_is_blank(*p) || *p == ','))
            p++;
        const char *name = p;
        while (*p && (isalnum((unsigned char)*p) || *p == '_'))
            p++;
        size_t nn = (size_t)(p - name);
        while (*p && nl_is_blank(*p))
            p++;
        if (nn == 0 || *p != '=')
            return 0; /* not a plain assignment (e.g. a function): leave it to ngspice */
        p++;
        while (*p && nl_is_blank(*p))
            p++;
        const char *val = p;
        if (*p == '{' || *p == '\'') {
            char close = *p == '{' ? '}' : '\'';
            const char *q = strchr(p + 1, close);
            p = q ? q + 1 : p + strlen(p);
        } else {
            while (*p && !nl_is_blank(*p))
                p++;
        }
        if (add_param(nl, name, nn, val, (size_t)(p - val)) != 0)
            return -1;
    }
    return 0;
}

static int add_source(dwmtj_netlist *nl, const char *name, int kind, const char *np,
                      const char *nn)
{
    dwmtj_nl_source *v = nl_grown(nl->source, nl->n_source, sizeof *v);
    if (!v)
        return -1;
    nl->source = v;
    dwmtj_nl_source *s = &v[nl->n_source];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->name = lower_dup(name);
    s->node[0] = nl_is_ground(np) ? NULL : lower_dup(np);
    s->node[1] = nl_is_ground(nn) ? NULL : lower_dup(nn);
    nl->n_source++;   /* counted now so that free releases what is set */
    if (!s->name || (!nl_is_ground(np) && !s->node[0]) || (!nl_is_ground(nn) && !s->node[1]))
        return -1;
    sbuf b = { 0 };
    if (kind == DWMTJ_SRC_V || kind == DWMTJ_SRC_BV || kind == DWMTJ_SRC_E ||
        kind == DWMTJ_SRC_H)
        sb_printf(&b, "%s#branch", s->name);
    else if (kind == DWMTJ_SRC_I)
        sb_printf(&b, "@%s[current]", s->name);
    else
        sb_printf(&b, "@%s[i]", s->name);
    if (b.err) {
        free(b.s);
        return -1;
    }
    s->current = b.s;
    return 0;
}

/* A plain node or source name: no expression, no keyword of the
 * nonlinear forms of E, F, G, H. */
static int plain_name(const char *w)
{
    static const char *const kw[] = { "value", "vol", "cur", "poly", "table", "laplace",
                                      "freq", "and", "or", "nand", "nor", "vccs", "vcvs" };
    if (strpbrk(w, "=({'\""))
        return 0;
    for (size_t k = 0; k < sizeof kw / sizeof kw[0]; k++)
        if (nl_ieq(w, kw[k]))
            return 0;
    return 1;
}

/* Source cards at the top level: V, I, B; E, G (n+ n- nc+ nc- gain) and
 * F, H (n+ n- vcontrol gain).  Other forms of E, F, G, H (value=, poly,
 * table, ...) are not counted. */
static int read_source(dwmtj_netlist *nl, const dwmtj_nl_card *c, char **error)
{
    tokens t;
    if (nl_tokenize(c->text, 0, &t) != 0)
        return DWMTJ_H_ERR_NOMEM;
    int rc = DWMTJ_H_OK, k = -1;
    char kind = (char)tolower((unsigned char)c->text[0]);
    if (t.n < 3) {
        if (kind == 'v' || kind == 'i' || kind == 'b')
            rc = nl_fail(error, DWMTJ_H_ERR_NETLIST, nl->file[c->file], c->line,
                         "source %s needs two nodes", t.n ? t.tok[0] : c->text);
        goto out;
    }
    switch (kind) {
    case 'v': k = DWMTJ_SRC_V; break;
    case 'i': k = DWMTJ_SRC_I; break;
    case 'e':
    case 'g':
        if (t.n == 6 && plain_name(t.tok[3]) && plain_name(t.tok[4]))
            k = kind == 'e' ? DWMTJ_SRC_E : DWMTJ_SRC_G;
        break;
    case 'f':
    case 'h':
        if (t.n == 5 && plain_name(t.tok[3]))
            k = kind == 'f' ? DWMTJ_SRC_F : DWMTJ_SRC_H;
        break;
    case 'b': {
        /* B n+ n- V=expr or I=expr (blanks allowed around '=') */
        const char *w = t.n > 3 ? t.tok[3] : "";
        char f = (char)tolower((unsigned char)w[0]);
        const char *eq = f ? w + 1 : "";
        if (f && *eq == '\0' && t.n > 4)
            eq = t.tok[4];
        if ((f != 'v' && f != 'i') || *eq != '=') {
            rc = nl_fail(error, DWMTJ_H_ERR_NETLIST, nl->file[c->file], c->line,
                         "behavioural source %s: expected V=expression or I=expression "
                         "after its two nodes", t.tok[0]);
            goto out;
        }
        k = f == 'v' ? DWMTJ_SRC_BV : DWMTJ_SRC_BI;
        break;
    }
    default:
        break;
    }
    if (k >= 0 && add_source(nl, t.tok[0], k, t.tok[1], t.tok[2]) != 0)
        rc = DWMTJ_H_ERR_NOMEM;
out:
    nl_tokens_free(&t);
    return rc;
}

static int add_neuron(dwmtj_netlist *nl, dwmtj_nl_neuron *n)
{
    dwmtj_nl_neuron *v = nl_grown(nl->neuron, nl->n_neuron, sizeof *v);
    if (!v)
        return -1;
    nl->neuron = v;
    v[nl->n_neuron++] = *n;
    return 0;
}

void nl_neuron_free(dwmtj_nl_neuron *n)
{
    for (int k = 0; k < 4; k++)
        free(n->node[k]);
    for (int k = 0; k < n->n_mon; k++)
        free(n->mon[k]);
    free(n->mon);
    free(n->model);
}

/* A port type modifier the harness accepts (the ports' defaults). */
static int is_default_modifier(const char *tok, int mon)
{
    return mon ? nl_ieq(tok, "%v") : nl_ieq(tok, "%g");
}

/* aNAME IN GND A B (NULL | [n1 .. nk]) MODEL */
static int read_neuron(dwmtj_netlist *nl, int ci, char **error)
{
    const dwmtj_nl_card *c = &nl->card[ci];
    const char *file = nl->file[c->file];
    tokens t;
    if (nl_tokenize(c->text, 1, &t) != 0)
        return DWMTJ_H_ERR_NOMEM;
    dwmtj_nl_neuron n;
    memset(&n, 0, sizeof n);
    n.card = ci;
    int rc = DWMTJ_H_OK, k = 1;
    const char *name = t.tok[0];
    if (strlen(name) >= sizeof n.name) {
        rc = nl_fail(error, DWMTJ_H_ERR_NETLIST, file, c->line,
                     "dwmtj4t instance name %.20s... is longer than %d characters", name,
                     (int)sizeof n.name - 1);
        goto out;
    }
    for (size_t q = 0; name[q]; q++)
        n.name[q] = (char)tolower((unsigned char)name[q]);
    for (int j = 0; j < nl->n_neuron; j++)
        if (strcmp(nl->neuron[j].name, n.name) == 0) {
            rc = nl_fail(error, DWMTJ_H_ERR_NETLIST, file, c->line,
                         "dwmtj4t instance %s defined twice", name);
            goto out;
        }
    /* brackets: balanced, not nested */
    int open = 0;
    for (int j = 1; j < t.n; j++) {
        if (strcmp(t.tok[j], "[") == 0)
            open++;
        else if (strcmp(t.tok[j], "]") == 0)
            open--;
        if (open < 0 || open > 1) {
            rc = nl_fail(error, DWMTJ_H_ERR_NETLIST, file, c->line,
                         "dwmtj4t instance %s: unbalanced brackets in its connections", name);
            goto out;
        }
    }
    if (open != 0) {
        rc = nl_fail(error, DWMTJ_H_ERR_NETLIST, file, c->line,
                     "dwmtj4t instance %s: unbalanced brackets in its connections "
                     "('[' without ']')",
                     name);
        goto out;
    }
    /* the four terminals */
    int nt = 0;
    for (; k < t.n - 1 && nt < 4; k++) {
        const char *w = t.tok[k];
        if (strcmp(w, "[") == 0 || strcmp(w, "]") == 0)
            break;
        if (w[0] == '%') {
            if (!is_default_modifier(w, 0)) {
                rc = nl_fail(error, DWMTJ_H_ERR_NETLIST, file, c->line,
                             "dwmtj4t instance %s: port type %s is not supported by the harness",
                             name, w);
                goto out;
            }
            continue;
        }
        if (nl_ieq(w, "null"))
            break;
        if (!(n.node[nt++] = nl_xstrdup(w))) {
            rc = DWMTJ_H_ERR_NOMEM;
            goto out;
        }
    }
    if (nt < 4) {
        rc = nl_fail(error, DWMTJ_H_ERR_NETLIST, file, c->line,
                     "dwmtj4t instance %s has %d terminal node%s; it needs 4 (IN GND A B), "
                     "then NULL or [monitor nodes], then the model",
                     name, nt, nt == 1 ? "" : "s");
        goto out;
    }
    for (; k < t.n - 1 && t.tok[k][0] == '%'; k++)
        if (!is_default_modifier(t.tok[k], 1)) {
            rc = nl_fail(error, DWMTJ_H_ERR_NETLIST, file, c->line,
                         "dwmtj4t instance %s: port type %s is not supported by the harness",
                         name, t.tok[k]);
            goto out;
        }
    /* the monitor connection */
    if (k >= t.n - 1) {
        rc = nl_fail(error, DWMTJ_H_ERR_NETLIST, file, c->line,
                     "dwmtj4t instance %s: no monitor connection (NULL or [nodes]) before "
                     "the model %s", name, t.tok[t.n - 1]);
        goto out;
    }
    if (nl_ieq(t.tok[k], "null")) {
        n.n_mon = -1;
        k++;
    } else if (strcmp(t.tok[k], "[") == 0) {
        int j = k + 1;
        while (j < t.n && strcmp(t.tok[j], "]") != 0)
            j++;
        int m = j - k - 1;
        if (m == 0) {
            rc = nl_fail(error, DWMTJ_H_ERR_NETLIST, file, c->line,
                         "dwmtj4t instance %s: empty monitor vector []", name);
            goto out;
        }
        n.mon = calloc((size_t)m, sizeof *n.mon);
        if (!n.mon) {
            rc = DWMTJ_H_ERR_NOMEM;
            goto out;
        }
        for (int q = k + 1; q < j; q++) {
            const char *w = t.tok[q];
            if (w[0] == '%') {
                if (!is_default_modifier(w, 1)) {
                    rc = nl_fail(error, DWMTJ_H_ERR_NETLIST, file, c->line,
                                 "dwmtj4t instance %s: port type %s is not supported by the "
                                 "harness", name, w);
                    goto out;
                }
                continue;
            }
            if (!(n.mon[n.n_mon++] = nl_xstrdup(w))) {
                rc = DWMTJ_H_ERR_NOMEM;
                goto out;
            }
        }
        k = j + 1;
    } else {
        rc = nl_fail(error, DWMTJ_H_ERR_NETLIST, file, c->line,
                     "dwmtj4t instance %s has %s where its fifth connection (NULL or "
                     "[monitor nodes]) or its model belongs; it needs IN GND A B, NULL or "
                     "[nodes], MODEL", name, t.tok[k]);
        goto out;
    }
    if (k != t.n - 1) {
        rc = nl_fail(error, DWMTJ_H_ERR_NETLIST, file, c->line,
                     "dwmtj4t instance %s: %s after the monitor connection; expected only "
                     "the model name", name, k < t.n ? t.tok[k] : "nothing");
        goto out;
    }
    if (!(n.model = nl_xstrdup(t.tok[k]))) {
        rc = DWMTJ_H_ERR_NOMEM;
        goto out;
    }
    if (add_neuron(nl, &n) != 0)
        rc = DWMTJ_H_ERR_NOMEM;
    else
        memset(&n, 0, sizeof n);
out:
    nl_neuron_free(&n);
    nl_tokens_free(&t);
    return rc;
}

static const model_def *find_model(const model_def *m, int n, const char *name)
{
    for (int k = n - 1; k >= 0; k--)
        if (nl_ieq(m[k].name, name))
            return &m[k];
    return NULL;
}

/* Walks the cards: .control, .subckt nesting, models, parameters, .tran,
 * then the neurons and the sources. */
int nl_analyse_cards(dwmtj_netlist *nl, char **error)
{
    model_def *models = NULL;
    int n_model = 0, depth = 0, rc = DWMTJ_H_OK;
    int sub_file = 0, sub_line = 0;
    nl->tran_card = nl->tran_control = -1;
    for (int i = 0; i < nl->n_card && rc == DWMTJ_H_OK; i++) {
        dwmtj_nl_card *c = &nl->card[i];
        const char *file = nl->file[c->file];
        char w[32];
        nl_first_word(c->text, w, sizeof w);
        if (c->control) {
            if (strcmp(w, "tran") == 0 && nl->tran_control < 0)
                nl->tran_control = i;
            continue;
        }
        if (strcmp(w, ".endc") == 0) {
            rc = nl_fail(error, DWMTJ_H_ERR_NETLIST, file, c->line, ".endc without .control");
        } else if (strcmp(w, ".subckt") == 0) {
            if (depth == 0) {
                sub_file = c->file;
                sub_line = c->line;
            }
            depth++;
        } else if (strcmp(w, ".ends") == 0) {
            if (depth == 0)
                rc = nl_fail(error, DWMTJ_H_ERR_NETLIST, file, c->line, ".ends without .subckt");
            c->depth = depth;
            depth--;
            continue;
        } else if (strcmp(w, ".model") == 0) {
            tokens t;
            if (nl_tokenize(c->text, 0, &t) != 0) {
                rc = DWMTJ_H_ERR_NOMEM;
                break;
            }
            if (t.n < 3 || t.tok[2][0] == '(') {
                rc = nl_fail(error, DWMTJ_H_ERR_NETLIST, file, c->line,
                             ".model needs a name and a type: .model NAME TYPE(...)");
            } else {
                model_def *m = realloc(models, (size_t)(n_model + 1) * sizeof *m);
                size_t tl = strcspn(t.tok[2], "(");
                if (m) {
                    models = m;
                    models[n_model].name = lower_dup(t.tok[1]);
                    models[n_model].type = nl_xstrndup(t.tok[2], tl);
                    n_model++;
                }
                if (!m || !models[n_model - 1].name || !models[n_model - 1].type)
                    rc = DWMTJ_H_ERR_NOMEM;
                else
                    for (char *q = models[n_model - 1].type; *q; q++)
                        *q = (char)tolower((unsigned char)*q);
            }
            nl_tokens_free(&t);
        } else if (strcmp(w, ".tran") == 0) {
            if (depth == 0 && nl->tran_card < 0)
                nl->tran_card = i;
        } else if (strcmp(w, ".param") == 0) {
            if (depth == 0 && read_params(nl, c->text) != 0)
                rc = DWMTJ_H_ERR_NOMEM;
        }
        c->depth = depth;
    }
    if (rc == DWMTJ_H_OK && depth > 0)
        rc = nl_fail(error, DWMTJ_H_ERR_NETLIST, nl->file[sub_file], sub_line,
                     ".subckt without .ends");
    for (int i = 0; i < nl->n_card && rc == DWMTJ_H_OK; i++) {
        const dwmtj_nl_card *c = &nl->card[i];
        if (c->control)
            continue;
        char k = (char)tolower((unsigned char)c->text[0]);
        if (k == 'a') {
            tokens t;
            if (nl_tokenize(c->text, 1, &t) != 0) {
                rc = DWMTJ_H_ERR_NOMEM;
                break;
            }
            const model_def *m = t.n > 1 ? find_model(models, n_model, t.tok[t.n - 1]) : NULL;
            int is_neuron = m && strcmp(m->type, "dwmtj4t") == 0;
            char nm[80];
            snprintf(nm, sizeof nm, "%s", t.n ? t.tok[0] : "");
            nl_tokens_free(&t);
            if (!is_neuron)
                continue;
            if (c->depth > 0)
                rc = nl_fail(error, DWMTJ_H_ERR_NETLIST, nl->file[c->file], c->line,
                             "dwmtj4t instance %s is inside a .subckt; the harness needs its "
                             "neurons at the top level", nm);
            else
                rc = read_neuron(nl, i, error);
        } else if (k && strchr("vibefgh", k) && c->depth == 0) {
            rc = read_source(nl, c, error);
        }
    }
    for (int k = 0; k < n_model; k++) {
        free(models[k].name);
        free(models[k].type);
    }
    free(models);
    return rc;
}
