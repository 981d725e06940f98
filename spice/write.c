/* The one writer: deck data into ngspice text (dwmtj_spice.h). */
#include "spice_internal.h"

#include <stdlib.h>
#include <string.h>

static void nodes(dwmtj_str *b, const dwmtj_spice_elem *e)
{
    for (int k = 0; k < e->n_node; k++)
        dwmtj_str_printf(b, " %s", e->node[k]);
}

/* NAME=VALUE ..., each after a blank (the first of a .model's list right
 * after its parenthesis) */
static void params(dwmtj_str *b, const dwmtj_spice_param *p, int n)
{
    for (int k = 0; k < n; k++) {
        int open = b->len > 0 && b->s[b->len - 1] == '(';
        dwmtj_str_printf(b, open ? "%s" : " %s", p[k].name);
        if (!p[k].text)
            continue;
        if (p[k].quoted)
            dwmtj_str_printf(b, "=\"%s\"", p[k].text);
        else
            dwmtj_str_printf(b, "=%s", p[k].text);
    }
}

static void wave(dwmtj_str *b, const dwmtj_spice_wave *w)
{
    if (w->shape == DWMTJ_SPICE_DC || w->dc != 0.0) {
        dwmtj_str_puts(b, " dc ");
        sp_num(b, w->dc);
    }
    if (w->shape == DWMTJ_SPICE_PWL) {
        dwmtj_str_puts(b, " pwl(");
        for (int k = 0; k < w->n; k++) {
            if (k)
                dwmtj_str_puts(b, " ");
            sp_num(b, w->t[k]);
            dwmtj_str_puts(b, " ");
            sp_num(b, w->v[k]);
        }
        dwmtj_str_puts(b, ")");
    } else if (w->shape == DWMTJ_SPICE_PULSE) {
        dwmtj_str_puts(b, " pulse(");
        for (int k = 0; k < w->n; k++) {
            if (k)
                dwmtj_str_puts(b, " ");
            sp_num(b, w->v[k]);
        }
        dwmtj_str_puts(b, ")");
    }
}

static void elem(dwmtj_str *b, const dwmtj_spice_elem *e)
{
    dwmtj_str_puts(b, e->name);
    nodes(b, e);
    switch (e->name[0]) {
    case 'r': case 'c': case 'l':
        if (e->value == e->value) { /* not NaN: the value was a number */
            dwmtj_str_puts(b, " ");
            sp_num(b, e->value);
        }
        break;
    case 'v': case 'i':
        if (e->has_wave)
            wave(b, &e->wave);
        break;
    case 'b':
        if (e->expr) {
            dwmtj_str_printf(b, " %c = ", e->bmode);
            sp_expr_write(b, e->expr);
        }
        break;
    case 'e': case 'g':
        if (e->n_node == 4) {
            dwmtj_str_puts(b, " ");
            sp_num(b, e->value);
        }
        break;
    case 'f': case 'h':
        if (e->ctrl) {
            dwmtj_str_printf(b, " %s ", e->ctrl);
            sp_num(b, e->value);
        }
        break;
    case 's':
        if (e->ref)
            dwmtj_str_printf(b, " %s", e->ref);
        break;
    case 'w':
        if (e->ctrl && e->ref)
            dwmtj_str_printf(b, " %s %s", e->ctrl, e->ref);
        break;
    case 'x':
        dwmtj_str_printf(b, " %s", e->ref);
        params(b, e->param, e->n_param);
        break;
    case 'a':
        if (e->n_node != 4)
            break; /* not the dwmtj4t form: all in rest */
        if (e->n_vec < 0) {
            dwmtj_str_puts(b, " NULL");
        } else {
            dwmtj_str_puts(b, " [");
            for (int k = 0; k < e->n_vec; k++)
                dwmtj_str_printf(b, k ? " %s" : "%s", e->vec[k]);
            dwmtj_str_puts(b, "]");
        }
        dwmtj_str_printf(b, " %s", e->ref);
        break;
    default:
        break;
    }
    if (e->rest && *e->rest)
        dwmtj_str_printf(b, " %s", e->rest);
}

/* Where each line of the text came from (NULL: not wanted). */
typedef struct {
    dwmtj_spice_origin *o;
    int n, cap, err;
} origins;

/* The lines of b from the last recorded one to its end came from c. */
static void came_from(origins *or, const dwmtj_str *b, const dwmtj_spice_card *c)
{
    if (!or)
        return;
    int lines = 0;
    for (size_t k = 0; k < b->len; k++)
        lines += b->s[k] == '\n';
    while (or->n < lines) {
        if (or->n == or->cap) {
            int cap = or->cap ? 2 * or->cap : 256;
            dwmtj_spice_origin *v = realloc(or->o, sizeof *v * (size_t)cap);
            if (!v) {
                or->err = 1;
                return;
            }
            or->o = v;
            or->cap = cap;
        }
        or->o[or->n++] = c ? (dwmtj_spice_origin){ c->file, c->line }
                           : (dwmtj_spice_origin){ 0, 0 };
    }
}

static void scope(dwmtj_str *b, const dwmtj_spice_scope *s, origins *or);

static void card(dwmtj_str *b, const dwmtj_spice_card *c, origins *or)
{
    if (!c->edited && c->text && c->kind != DWMTJ_SPICE_SUBCKT && c->kind != DWMTJ_SPICE_CONTROL) {
        dwmtj_str_puts(b, c->text);
        return;
    }
    switch (c->kind) {
    case DWMTJ_SPICE_ELEM:
        elem(b, &c->el);
        return;
    case DWMTJ_SPICE_MODEL:
        dwmtj_str_printf(b, ".model %s %s(", c->model.name, c->model.type);
        params(b, c->model.param, c->model.n_param);
        dwmtj_str_puts(b, ")");
        return;
    case DWMTJ_SPICE_SUBCKT: {
        const dwmtj_spice_scope *s = c->sub;
        dwmtj_str_printf(b, ".subckt %s", s->name);
        for (int k = 0; k < s->n_port; k++)
            dwmtj_str_printf(b, " %s", s->port[k]);
        if (s->n_param) {
            dwmtj_str_puts(b, " params:");
            params(b, s->param, s->n_param);
        }
        dwmtj_str_puts(b, "\n");
        came_from(or, b, c);
        scope(b, s, or);
        dwmtj_str_printf(b, ".ends %s", s->name);
        return;
    }
    case DWMTJ_SPICE_TRAN:
        dwmtj_str_puts(b, ".tran");
        if (c->n_tran >= 2) {
            for (int k = 0; k < c->n_tran; k++) {
                dwmtj_str_puts(b, " ");
                sp_num(b, c->tran[k]);
            }
            if (c->uic)
                dwmtj_str_puts(b, " uic");
        } else {
            for (int k = 0; k < c->n_item; k++)
                dwmtj_str_printf(b, " %s", c->item[k].name);
        }
        return;
    case DWMTJ_SPICE_OPTIONS:
        dwmtj_str_puts(b, ".options");
        params(b, c->item, c->n_item);
        return;
    case DWMTJ_SPICE_PARAM:
        dwmtj_str_puts(b, ".param");
        params(b, c->item, c->n_item);
        return;
    case DWMTJ_SPICE_SAVE:
        dwmtj_str_puts(b, ".save");
        for (int k = 0; k < c->n_item; k++)
            dwmtj_str_printf(b, " %s", c->item[k].name);
        return;
    case DWMTJ_SPICE_CONTROL:
        dwmtj_str_puts(b, ".control\n");
        for (int k = 0; k < c->n_item; k++)
            dwmtj_str_printf(b, "%s\n", c->item[k].text);
        dwmtj_str_puts(b, ".endc");
        return;
    default:
        dwmtj_str_puts(b, c->text ? c->text : "*");
        return;
    }
}

static void scope(dwmtj_str *b, const dwmtj_spice_scope *s, origins *or)
{
    for (int k = 0; k < s->n_card; k++) {
        card(b, &s->card[k], or);
        dwmtj_str_puts(b, "\n");
        came_from(or, b, &s->card[k]);
    }
}

static int write_deck(const dwmtj_spice_deck *d, char **text, origins *or)
{
    if (!d || !text)
        return DWMTJ_SPICE_ERR_USAGE;
    *text = NULL;
    dwmtj_str b = { 0 };
    /* the title line is always the title: a blank one would take the
     * first card */
    dwmtj_str_printf(&b, "%s\n", d->title && *d->title ? d->title : "*");
    dwmtj_spice_card title = { .file = 0, .line = 1 };
    came_from(or, &b, &title);
    scope(&b, &d->top, or);
    dwmtj_str_puts(&b, ".end\n");
    came_from(or, &b, NULL);
    if (b.err || (or && or->err)) {
        free(b.s);
        return DWMTJ_SPICE_ERR_NOMEM;
    }
    *text = b.s;
    return DWMTJ_SPICE_OK;
}

int dwmtj_spice_write(const dwmtj_spice_deck *d, char **text)
{
    return write_deck(d, text, NULL);
}

int dwmtj_spice_write_origins(const dwmtj_spice_deck *d, char **text, dwmtj_spice_origin **origin,
                              int *n)
{
    if (!origin || !n)
        return DWMTJ_SPICE_ERR_USAGE;
    origins or = { NULL, 0, 0, 0 };
    int rc = write_deck(d, text, &or);
    if (rc != DWMTJ_SPICE_OK) {
        free(or.o);
        *origin = NULL;
        *n = 0;
        return rc;
    }
    *origin = or.o;
    *n = or.n;
    return DWMTJ_SPICE_OK;
}

int dwmtj_spice_write_card(const dwmtj_spice_card *c, char **text)
{
    if (!c || !text)
        return DWMTJ_SPICE_ERR_USAGE;
    dwmtj_str b = { 0 };
    card(&b, c, NULL);
    if (b.err || !b.s) {
        free(b.s);
        return DWMTJ_SPICE_ERR_NOMEM;
    }
    *text = b.s;
    return DWMTJ_SPICE_OK;
}

int dwmtj_spice_write_numbers(int n, const double *a, const double *b2, char **text)
{
    if (n < 0 || !text || (n > 0 && !a))
        return DWMTJ_SPICE_ERR_USAGE;
    dwmtj_str b = { 0 };
    dwmtj_str_puts(&b, "");
    for (int k = 0; k < n; k++) {
        if (k)
            dwmtj_str_puts(&b, " ");
        sp_num(&b, a[k]);
        if (b2) {
            dwmtj_str_puts(&b, " ");
            sp_num(&b, b2[k]);
        }
    }
    if (b.err) {
        free(b.s);
        return DWMTJ_SPICE_ERR_NOMEM;
    }
    *text = b.s;
    return DWMTJ_SPICE_OK;
}
