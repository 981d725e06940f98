/* Decks as data: making, growing, looking up, freeing (dwmtj_spice.h). */
#include "spice_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sp_params_free(dwmtj_spice_param *p, int n)
{
    for (int k = 0; k < n; k++) {
        free(p[k].name);
        free(p[k].text);
    }
    free(p);
}

static void strings_free(char **s, int n)
{
    for (int k = 0; k < n; k++)
        free(s[k]);
    free(s);
}

void sp_card_clear(dwmtj_spice_card *c)
{
    dwmtj_spice_elem *e = &c->el;
    free(e->name);
    strings_free(e->node, e->n_node);
    free(e->ctrl);
    free(e->ref);
    free(e->wave.t);
    free(e->wave.v);
    dwmtj_spice_expr_free(e->expr);
    strings_free(e->vec, e->n_vec > 0 ? e->n_vec : 0);
    sp_params_free(e->param, e->n_param);
    free(e->rest);
    free(c->model.name);
    free(c->model.type);
    sp_params_free(c->model.param, c->model.n_param);
    if (c->sub) {
        sp_scope_clear(c->sub);
        free(c->sub);
    }
    sp_params_free(c->item, c->n_item);
    free(c->text);
    memset(c, 0, sizeof *c);
}

void sp_scope_clear(dwmtj_spice_scope *s)
{
    for (int k = 0; k < s->n_card; k++)
        sp_card_clear(&s->card[k]);
    free(s->card);
    free(s->name);
    strings_free(s->port, s->n_port);
    sp_params_free(s->param, s->n_param);
    dwmtj_spice_scope *parent = s->parent;
    memset(s, 0, sizeof *s);
    s->parent = parent;
}

void dwmtj_spice_free(dwmtj_spice_deck *d)
{
    if (!d)
        return;
    free(d->title);
    strings_free(d->file, d->n_file);
    sp_scope_clear(&d->top);
    free(d);
}

dwmtj_spice_deck *dwmtj_spice_new(const char *title)
{
    dwmtj_spice_deck *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->title = sp_strdup(title ? title : "");
    d->file = malloc(sizeof *d->file);
    if (d->file && (d->file[0] = sp_strdup("(generated)")))
        d->n_file = 1;
    if (!d->title || d->n_file != 1) {
        dwmtj_spice_free(d);
        return NULL;
    }
    return d;
}

dwmtj_spice_card *dwmtj_spice_add(dwmtj_spice_scope *s, int kind)
{
    if (!s || sp_grow((void **)&s->card, &s->cap_card, s->n_card + 1, sizeof *s->card) != 0)
        return NULL;
    dwmtj_spice_card *c = &s->card[s->n_card++];
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->edited = 1;
    c->el.n_vec = -1;
    return c;
}

void dwmtj_spice_remove(dwmtj_spice_scope *s, int k)
{
    if (!s || k < 0 || k >= s->n_card)
        return;
    sp_card_clear(&s->card[k]);
    memmove(&s->card[k], &s->card[k + 1], sizeof *s->card * (size_t)(s->n_card - k - 1));
    s->n_card--;
}

/* Drops the last card of s (a builder that failed half way). */
static dwmtj_spice_card *drop_last(dwmtj_spice_scope *s)
{
    sp_card_clear(&s->card[--s->n_card]);
    return NULL;
}

static int set_nodes(dwmtj_spice_elem *e, int n, const char *const *node)
{
    if (n <= 0)
        return 0;
    if (!(e->node = calloc((size_t)n, sizeof *e->node)))
        return -1;
    e->n_node = n;
    for (int k = 0; k < n; k++)
        if (!(e->node[k] = sp_lower_dup(node[k])))
            return -1;
    return 0;
}

dwmtj_spice_card *dwmtj_spice_add_elem(dwmtj_spice_scope *s, const char *name, int n_node,
                                       const char *const *node, const char *ctrl,
                                       const char *ref, double value, const char *rest)
{
    if (!name || !*name || n_node < 0 || (n_node && !node))
        return NULL;
    dwmtj_spice_card *c = dwmtj_spice_add(s, DWMTJ_SPICE_ELEM);
    if (!c)
        return NULL;
    dwmtj_spice_elem *e = &c->el;
    e->value = value;
    if (!(e->name = sp_lower_dup(name)) || set_nodes(e, n_node, node) != 0 ||
        (ctrl && !(e->ctrl = sp_lower_dup(ctrl))) || (ref && !(e->ref = sp_lower_dup(ref))) ||
        (rest && !(e->rest = sp_strdup(rest))))
        return drop_last(s);
    return c;
}

dwmtj_spice_card *dwmtj_spice_add_r(dwmtj_spice_scope *s, const char *name, const char *a,
                                    const char *b, double ohm)
{
    const char *n[2] = { a, b };
    return dwmtj_spice_add_elem(s, name, 2, n, NULL, NULL, ohm, NULL);
}

dwmtj_spice_card *dwmtj_spice_add_wave(dwmtj_spice_scope *s, const char *name, const char *p,
                                       const char *m, const dwmtj_spice_wave *w)
{
    const char *nd[2] = { p, m };
    if (!w || w->n < 0 || (w->shape == DWMTJ_SPICE_PWL && (!w->t || !w->v)) ||
        (w->shape == DWMTJ_SPICE_PULSE && (w->n > 7 || !w->v)))
        return NULL;
    dwmtj_spice_card *c = dwmtj_spice_add_elem(s, name, 2, nd, NULL, NULL, 0.0, NULL);
    if (!c)
        return NULL;
    dwmtj_spice_wave *x = &c->el.wave;
    c->el.has_wave = 1;
    x->shape = w->shape;
    x->dc = w->dc;
    x->n = w->shape == DWMTJ_SPICE_DC ? 0 : w->n;
    if (x->n > 0) {
        if (!(x->v = malloc(sizeof *x->v * (size_t)x->n)))
            return drop_last(s);
        memcpy(x->v, w->v, sizeof *x->v * (size_t)x->n);
        if (x->shape == DWMTJ_SPICE_PWL) {
            if (!(x->t = malloc(sizeof *x->t * (size_t)x->n)))
                return drop_last(s);
            memcpy(x->t, w->t, sizeof *x->t * (size_t)x->n);
        }
    }
    return c;
}

dwmtj_spice_card *dwmtj_spice_add_v(dwmtj_spice_scope *s, const char *name, const char *p,
                                    const char *m, double dc, int n, const double *t,
                                    const double *v)
{
    dwmtj_spice_wave w = { n > 0 ? DWMTJ_SPICE_PWL : DWMTJ_SPICE_DC, dc, n, (double *)t,
                           (double *)v };
    if (n < 0 || (n > 0 && (!t || !v)))
        return NULL;
    return dwmtj_spice_add_wave(s, name, p, m, &w);
}

dwmtj_spice_card *dwmtj_spice_add_b(dwmtj_spice_scope *s, const char *name, const char *p,
                                    const char *m, char mode, dwmtj_spice_expr *e)
{
    const char *nd[2] = { p, m };
    dwmtj_spice_card *c =
        e && (mode == 'v' || mode == 'i') ? dwmtj_spice_add_elem(s, name, 2, nd, NULL, NULL, 0.0, NULL)
                                          : NULL;
    if (!c) {
        dwmtj_spice_expr_free(e);
        return NULL;
    }
    c->el.bmode = mode;
    c->el.expr = e;
    return c;
}

dwmtj_spice_card *dwmtj_spice_add_a(dwmtj_spice_scope *s, const char *name,
                                    const char *const node[4], int n_vec,
                                    const char *const *vec, const char *model)
{
    if (n_vec > 0 && !vec)
        return NULL;
    dwmtj_spice_card *c = dwmtj_spice_add_elem(s, name, 4, node, NULL, model, 0.0, NULL);
    if (!c)
        return NULL;
    dwmtj_spice_elem *e = &c->el;
    if (n_vec < 0)
        return c;
    e->n_vec = 0;
    if (n_vec > 0 && !(e->vec = calloc((size_t)n_vec, sizeof *e->vec)))
        return drop_last(s);
    for (int k = 0; k < n_vec; k++) {
        if (!(e->vec[k] = sp_lower_dup(vec[k])))
            return drop_last(s);
        e->n_vec++;
    }
    return c;
}

dwmtj_spice_card *dwmtj_spice_add_model(dwmtj_spice_scope *s, const char *name,
                                        const char *type)
{
    if (!name || !type)
        return NULL;
    dwmtj_spice_card *c = dwmtj_spice_add(s, DWMTJ_SPICE_MODEL);
    if (!c)
        return NULL;
    if (!(c->model.name = sp_lower_dup(name)) || !(c->model.type = sp_lower_dup(type)))
        return drop_last(s);
    return c;
}

dwmtj_spice_card *dwmtj_spice_add_tran(dwmtj_spice_scope *s, int n, const double *v)
{
    if (n < 2 || n > 4 || !v)
        return NULL;
    dwmtj_spice_card *c = dwmtj_spice_add(s, DWMTJ_SPICE_TRAN);
    if (c) {
        memcpy(c->tran, v, sizeof *v * (size_t)n);
        c->n_tran = n;
    }
    return c;
}

int sp_param_push(dwmtj_spice_param **p, int *n, const char *name, const char *text,
                  int quoted)
{
    dwmtj_spice_param *q = realloc(*p, sizeof *q * (size_t)(*n + 1));
    if (!q)
        return -1;
    *p = q;
    dwmtj_spice_param *x = &q[*n];
    memset(x, 0, sizeof *x);
    x->name = sp_lower_dup(name);
    x->text = text ? sp_strdup(text) : NULL;
    if (!x->name || (text && !x->text)) {
        free(x->name);
        free(x->text);
        return -1;
    }
    x->quoted = quoted;
    x->numeric = text && !quoted && dwmtj_spice_number_token(text, &x->value) == 0;
    (*n)++;
    return 0;
}

/* The parameter array a card carries. */
static dwmtj_spice_param **params_of(dwmtj_spice_card *c, int **n)
{
    if (c->kind == DWMTJ_SPICE_MODEL) {
        *n = &c->model.n_param;
        return &c->model.param;
    }
    if (c->kind == DWMTJ_SPICE_ELEM) {
        *n = &c->el.n_param;
        return &c->el.param;
    }
    *n = &c->n_item;
    return &c->item;
}

int dwmtj_spice_add_param(dwmtj_spice_card *c, const char *name, const char *text, int quoted)
{
    if (!c || !name)
        return DWMTJ_SPICE_ERR_USAGE;
    int *n;
    dwmtj_spice_param **p = params_of(c, &n);
    c->edited = 1;
    return sp_param_push(p, n, name, text, quoted) ? DWMTJ_SPICE_ERR_NOMEM : DWMTJ_SPICE_OK;
}

int dwmtj_spice_add_number(dwmtj_spice_card *c, const char *name, double value)
{
    dwmtj_str b = { 0 };
    sp_num(&b, value);
    int rc = b.err ? DWMTJ_SPICE_ERR_NOMEM : dwmtj_spice_add_param(c, name, b.s, 0);
    free(b.s);
    return rc;
}

int dwmtj_spice_set_param(dwmtj_spice_card *c, const char *name, const char *text, int quoted)
{
    if (!c || !name)
        return DWMTJ_SPICE_ERR_USAGE;
    int *n;
    dwmtj_spice_param **p = params_of(c, &n);
    for (int k = 0; k < *n; k++)
        if (sp_ieq((*p)[k].name, name)) {
            char *t = text ? sp_strdup(text) : NULL;
            if (text && !t)
                return DWMTJ_SPICE_ERR_NOMEM;
            free((*p)[k].text);
            (*p)[k].text = t;
            (*p)[k].quoted = quoted;
            (*p)[k].numeric = t && !quoted && dwmtj_spice_number_token(t, &(*p)[k].value) == 0;
            c->edited = 1;
            return DWMTJ_SPICE_OK;
        }
    return dwmtj_spice_add_param(c, name, text, quoted);
}

const dwmtj_spice_param *dwmtj_spice_param_of(const dwmtj_spice_card *c, const char *name)
{
    if (!c || !name)
        return NULL;
    int *n;
    dwmtj_spice_param **p = params_of((dwmtj_spice_card *)c, &n);
    for (int k = *n - 1; k >= 0; k--) /* the last one given counts */
        if (sp_ieq((*p)[k].name, name))
            return &(*p)[k];
    return NULL;
}

static const dwmtj_spice_card *find(const dwmtj_spice_scope *s, int kind, const char *name)
{
    for (; s; s = s->parent)
        for (int k = s->n_card - 1; k >= 0; k--) {
            const dwmtj_spice_card *c = &s->card[k];
            if (c->kind != kind)
                continue;
            const char *nm = kind == DWMTJ_SPICE_MODEL ? c->model.name : c->sub->name;
            if (nm && sp_ieq(nm, name))
                return c;
        }
    return NULL;
}

const dwmtj_spice_card *dwmtj_spice_find_model(const dwmtj_spice_scope *s, const char *name)
{
    return name ? find(s, DWMTJ_SPICE_MODEL, name) : NULL;
}

const dwmtj_spice_card *dwmtj_spice_find_subckt(const dwmtj_spice_scope *s, const char *name)
{
    return name ? find(s, DWMTJ_SPICE_SUBCKT, name) : NULL;
}

const char *dwmtj_spice_where(const dwmtj_spice_deck *d, const dwmtj_spice_card *c, char *buf,
                              size_t n)
{
    if (!buf || !n)
        return "";
    if (!d || !c || c->line <= 0 || c->file < 0 || c->file >= d->n_file)
        snprintf(buf, n, "%s", d && d->n_file ? d->file[0] : "(generated)");
    else
        snprintf(buf, n, "%s:%d", d->file[c->file], c->line);
    return buf;
}
