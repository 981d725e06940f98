/* The one card reader: deck text into data (dwmtj_spice.h). */
#define _POSIX_C_SOURCE 200809L

#include "spice_internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INCLUDE_DEPTH 16
#define MAX_SUBCKT_DEPTH 64

typedef struct {
    dwmtj_spice_deck *d;
    char **error;
    dwmtj_spice_scope *scope;    /* where cards go now */
    int depth;                   /* .subckt nesting */
    int sub_file, sub_line;      /* the innermost open .subckt */
    dwmtj_spice_card *control;   /* the open .control section, or NULL */
    int ctl_scope_card;          /* its index in the top scope */
    int ctl_file, ctl_line;
} reader;

static const char *fname(const reader *R, int file) { return R->d->file[file]; }

static int add_file(dwmtj_spice_deck *d, const char *name)
{
    char **v = realloc(d->file, sizeof *v * (size_t)(d->n_file + 1));
    if (!v)
        return -1;
    d->file = v;
    if (!(v[d->n_file] = sp_strdup(name)))
        return -1;
    return d->n_file++;
}

/* Removes an inline comment: ';' outside double quotes, or '$' with a
 * blank (or the line's end) on both sides. */
static void strip_comment(char *s)
{
    int quote = 0;
    for (char *p = s; *p; p++) {
        if (*p == '"')
            quote = !quote;
        if (quote)
            continue;
        if (*p == ';' || (*p == '$' && (p == s || sp_blank(p[-1])) && (!p[1] || sp_blank(p[1])))) {
            *p = '\0';
            return;
        }
    }
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (sp_blank(s[n - 1]) || s[n - 1] == '\n'))
        s[--n] = '\0';
    size_t k = 0;
    while (s[k] && sp_blank(s[k]))
        k++;
    if (k)
        memmove(s, s + k, n - k + 1);
}

/* First word of s, lower case, into w. */
static void first_word(const char *s, char *w, size_t n)
{
    size_t k = 0;
    while (*s && sp_blank(*s))
        s++;
    while (*s && !sp_blank(*s) && k + 1 < n)
        w[k++] = (char)tolower((unsigned char)*s++);
    w[k] = '\0';
}

static const char *after_word(const char *s)
{
    while (*s && sp_blank(*s))
        s++;
    while (*s && !sp_blank(*s))
        s++;
    while (*s && sp_blank(*s))
        s++;
    return s;
}

static int is_word(const char *t)
{
    return t && *t && strcmp(t, "(") && strcmp(t, ")") && strcmp(t, "[") && strcmp(t, "]") &&
           strcmp(t, "=");
}

static char *rest_from(const char *text, const sp_tokens *t, int k)
{
    if (k >= t->n)
        return NULL;
    char *r = sp_strdup(text + t->off[k]);
    if (r)
        trim(r);
    return r;
}

/* ---- elements ------------------------------------------------------------ */

static int take_nodes(dwmtj_spice_elem *e, const sp_tokens *t, int from, int n)
{
    if (n <= 0)
        return 0;
    if (!(e->node = calloc((size_t)n, sizeof *e->node)))
        return -1;
    for (int k = 0; k < n; k++) {
        if (!(e->node[k] = sp_lower_dup(t->tok[from + k])))
            return -1;
        e->n_node++;
    }
    return 0;
}

static int number_at(const sp_tokens *t, int k, double *v)
{
    return k < t->n && dwmtj_spice_number_token(t->tok[k], v) == 0;
}

/* [DC] v | [DC v] PWL(t v ...) | [DC v] PULSE(v1 ... per): the whole spec
 * from token k, or 0. */
static int wave(const sp_tokens *t, int k, dwmtj_spice_wave *w)
{
    memset(w, 0, sizeof *w);
    if (k == t->n)
        return 1; /* no value: DC 0 */
    if (sp_ieq(t->tok[k], "dc")) {
        if (!number_at(t, k + 1, &w->dc))
            return 0;
        k += 2;
    } else if (number_at(t, k, &w->dc)) {
        k++;
    }
    if (k == t->n)
        return 1;
    int pwl = sp_ieq(t->tok[k], "pwl"), pulse = sp_ieq(t->tok[k], "pulse");
    if (!(pwl || pulse) || k + 1 >= t->n || strcmp(t->tok[k + 1], "(") != 0 ||
        strcmp(t->tok[t->n - 1], ")") != 0)
        return 0;
    int a = k + 2, b = t->n - 1, m = b - a; /* numbers between the parentheses */
    if (pwl ? m < 2 || m % 2 : m < 1 || m > 7)
        return 0;
    double *v = malloc(sizeof *v * (size_t)m);
    if (!v)
        return -1;
    for (int j = 0; j < m; j++)
        if (!number_at(t, a + j, &v[j])) {
            free(v);
            return 0;
        }
    if (pulse) {
        w->shape = DWMTJ_SPICE_PULSE;
        w->n = m;
        w->v = v;
        return 1;
    }
    w->shape = DWMTJ_SPICE_PWL;
    w->n = m / 2;
    w->t = malloc(sizeof *w->t * (size_t)w->n);
    w->v = malloc(sizeof *w->v * (size_t)w->n);
    if (!w->t || !w->v) {
        free(v);
        return -1;
    }
    for (int j = 0; j < w->n; j++) {
        w->t[j] = v[2 * j];
        w->v[j] = v[2 * j + 1];
    }
    free(v);
    return 1;
}

/* A element in the dwmtj4t form: four plain nodes (each after an optional
 * %g), NULL or [nodes] (optional %v), the model; 0 if not that form. */
static int a_form(const sp_tokens *t, dwmtj_spice_elem *e, int *bad_mod)
{
    int k = 1, nn = 0;
    const char *node[4];
    *bad_mod = -1;
    while (nn < 4 && k < t->n) {
        const char *w = t->tok[k];
        if (w[0] == '%') {
            if (!sp_ieq(w, "%g")) {
                *bad_mod = k;
                return 0;
            }
            k++;
            continue;
        }
        if (!is_word(w) || sp_ieq(w, "null"))
            return 0;
        node[nn++] = w;
        k++;
    }
    if (nn < 4)
        return 0;
    if (k < t->n && t->tok[k][0] == '%') {
        if (!sp_ieq(t->tok[k], "%v")) {
            *bad_mod = k;
            return 0;
        }
        k++;
    }
    int vstart = -1, vn = -1;
    if (k < t->n && sp_ieq(t->tok[k], "null")) {
        k++;
    } else if (k < t->n && strcmp(t->tok[k], "[") == 0) {
        vstart = ++k;
        while (k < t->n && strcmp(t->tok[k], "]") != 0) {
            if (t->tok[k][0] == '%' && !sp_ieq(t->tok[k], "%v")) {
                *bad_mod = k;
                return 0;
            }
            if (!is_word(t->tok[k]))
                return 0;
            k++;
        }
        if (k == t->n)
            return 0;
        vn = k - vstart;
        k++;
        if (vn == 0)
            return 0; /* an empty vector: not a connection */
    } else {
        return 0; /* the vector port needs NULL or [nodes] */
    }
    if (k != t->n - 1 || !is_word(t->tok[k]))
        return 0;
    if (!(e->node = calloc(4, sizeof *e->node)))
        return -1;
    for (int j = 0; j < 4; j++) {
        if (!(e->node[j] = sp_lower_dup(node[j])))
            return -1;
        e->n_node++;
    }
    if (!(e->ref = sp_lower_dup(t->tok[k])))
        return -1;
    e->n_vec = vn < 0 ? -1 : 0;
    if (vn > 0 && !(e->vec = calloc((size_t)vn, sizeof *e->vec)))
        return -1;
    for (int j = vstart; vn > 0 && j < vstart + vn; j++) {
        if (t->tok[j][0] == '%')
            continue;
        if (!(e->vec[e->n_vec] = sp_lower_dup(t->tok[j])))
            return -1;
        e->n_vec++;
    }
    return 1;
}

static int read_elem(reader *R, dwmtj_spice_card *c)
{
    sp_tokens t;
    const char *file = fname(R, c->file);
    int tr = sp_tokenize(c->text, &t);
    if (tr == -1)
        return DWMTJ_SPICE_ERR_NOMEM;
    dwmtj_spice_elem *e = &c->el;
    e->n_vec = -1;
    int rc = DWMTJ_SPICE_OK;
    if (!(e->name = sp_lower_dup(t.tok[0]))) {
        rc = DWMTJ_SPICE_ERR_NOMEM;
        goto out;
    }
    char kind = e->name[0];
    int need = strchr("rclvibefghsw", kind) ? 3 : strchr("x", kind) ? 2 : 1;
    if (t.n < need) {
        rc = sp_fail(R->error, DWMTJ_SPICE_ERR_SYNTAX, file, c->line, "%s %s needs %s",
                     kind == 'v' || kind == 'i' || kind == 'b' ? "source" : "element", t.tok[0],
                     need == 2 ? "a subcircuit name" : "two nodes");
        goto out;
    }
    int nm = -1; /* 1: the structure took everything */
    switch (kind) {
    case 'r': case 'c': case 'l':
        if (take_nodes(e, &t, 1, 2) != 0)
            goto nomem;
        if (number_at(&t, 3, &e->value)) {
            e->rest = rest_from(c->text, &t, 4);
        } else {
            e->value = NAN;
            e->rest = rest_from(c->text, &t, 3);
        }
        break;
    case 'v': case 'i': {
        if (take_nodes(e, &t, 1, 2) != 0)
            goto nomem;
        int w = wave(&t, 3, &e->wave);
        if (w < 0)
            goto nomem;
        e->has_wave = w;
        if (!w) {
            free(e->wave.t);
            free(e->wave.v);
            memset(&e->wave, 0, sizeof e->wave);
            e->rest = rest_from(c->text, &t, 3);
        }
        break;
    }
    case 'b': {
        if (take_nodes(e, &t, 1, 2) != 0)
            goto nomem;
        char f = t.n > 3 ? (char)tolower((unsigned char)t.tok[3][0]) : 0;
        if (t.n < 5 || (f != 'v' && f != 'i') || t.tok[3][1] || strcmp(t.tok[4], "=") != 0) {
            rc = sp_fail(R->error, DWMTJ_SPICE_ERR_SYNTAX, file, c->line,
                         "behavioural source %s: expected V=expression or I=expression after "
                         "its two nodes", t.tok[0]);
            goto out;
        }
        e->bmode = f;
        char why[160];
        e->expr = dwmtj_spice_expr_parse(c->text + t.off[4] + 1, why, sizeof why);
        if (!e->expr) /* kept as text: ngspice knows more functions than the parser */
            e->rest = rest_from(c->text, &t, 3);
        break;
    }
    case 'e': case 'g':
        nm = t.n == 6 && number_at(&t, 5, &e->value);
        if (nm) {
            for (int k = 1; k <= 4; k++)
                if (!is_word(t.tok[k]) || strchr(t.tok[k], '{'))
                    nm = 0;
        }
        if (take_nodes(e, &t, 1, nm ? 4 : 2) != 0)
            goto nomem;
        if (!nm)
            e->rest = rest_from(c->text, &t, 3);
        break;
    case 'f': case 'h':
        nm = t.n == 5 && is_word(t.tok[3]) && number_at(&t, 4, &e->value) &&
             !sp_ieq(t.tok[3], "poly");
        if (take_nodes(e, &t, 1, 2) != 0)
            goto nomem;
        if (nm) {
            if (!(e->ctrl = sp_lower_dup(t.tok[3])))
                goto nomem;
        } else {
            e->rest = rest_from(c->text, &t, 3);
        }
        break;
    case 's':
        nm = t.n >= 6 && is_word(t.tok[3]) && is_word(t.tok[4]) && is_word(t.tok[5]);
        if (take_nodes(e, &t, 1, nm ? 4 : 2) != 0)
            goto nomem;
        if (nm ? !(e->ref = sp_lower_dup(t.tok[5])) : 0)
            goto nomem;
        e->rest = rest_from(c->text, &t, nm ? 6 : 3);
        break;
    case 'w':
        nm = t.n >= 5 && is_word(t.tok[3]) && is_word(t.tok[4]);
        if (take_nodes(e, &t, 1, 2) != 0)
            goto nomem;
        if (nm && (!(e->ctrl = sp_lower_dup(t.tok[3])) || !(e->ref = sp_lower_dup(t.tok[4]))))
            goto nomem;
        e->rest = rest_from(c->text, &t, nm ? 5 : 3);
        break;
    case 'x': {
        int j = 1;
        while (j < t.n && !sp_ieq(t.tok[j], "params:") && !(j + 1 < t.n && strcmp(t.tok[j + 1], "=") == 0))
            j++;
        /* tokens 1 .. j-1: the nodes, then the subcircuit */
        if (j < 2) {
            rc = sp_fail(R->error, DWMTJ_SPICE_ERR_SYNTAX, file, c->line,
                         "subcircuit instance %s: no subcircuit name", t.tok[0]);
            goto out;
        }
        if (take_nodes(e, &t, 1, j - 2) != 0 || !(e->ref = sp_lower_dup(t.tok[j - 1])))
            goto nomem;
        if (j < t.n && sp_ieq(t.tok[j], "params:"))
            j++;
        for (; j < t.n; j += 3) {
            if (j + 2 >= t.n || strcmp(t.tok[j + 1], "=") != 0) {
                e->rest = rest_from(c->text, &t, j);
                break;
            }
            const char *v = t.tok[j + 2];
            size_t vl = strlen(v);
            int q = vl >= 2 && v[0] == '"' && v[vl - 1] == '"';
            char *val = q ? sp_strndup(v + 1, vl - 2) : sp_strdup(v);
            int bad = !val || sp_param_push(&e->param, &e->n_param, t.tok[j], val, q) != 0;
            free(val);
            if (bad)
                goto nomem;
        }
        break;
    }
    case 'a': {
        int bad_mod;
        int a = a_form(&t, e, &bad_mod);
        if (a < 0)
            goto nomem;
        if (!a) {
            /* another code model's form: kept as text; a bad port
             * modifier is remembered for the harness's message */
            for (int k = 0; k < e->n_node; k++)
                free(e->node[k]);
            free(e->node);
            e->node = NULL;
            e->n_node = 0;
            for (int k = 0; k < e->n_vec; k++)
                free(e->vec[k]);
            free(e->vec);
            e->vec = NULL;
            e->n_vec = -1;
            free(e->ref);
            e->ref = t.n > 1 ? sp_lower_dup(t.tok[t.n - 1]) : NULL;
            e->rest = rest_from(c->text, &t, 1);
        }
        break;
    }
    default:
        e->rest = rest_from(c->text, &t, 1);
        break;
    }
out:
    sp_tokens_free(&t);
    return rc;
nomem:
    sp_tokens_free(&t);
    return DWMTJ_SPICE_ERR_NOMEM;
}

/* ---- dot cards ------------------------------------------------------------- */

/* NAME = VALUE ... from token k into (p, n); a bare NAME (no '=') is
 * accepted when bare; else 1 (not such a list). */
static int name_values(const sp_tokens *t, int k, int end, int bare, dwmtj_spice_param **p,
                       int *n)
{
    while (k < end) {
        if (!is_word(t->tok[k]))
            return 1;
        if (k + 1 < end && strcmp(t->tok[k + 1], "=") == 0) {
            if (k + 2 >= end || !is_word(t->tok[k + 2]))
                return 1;
            const char *v = t->tok[k + 2];
            size_t vl = strlen(v);
            int q = vl >= 2 && v[0] == '"' && v[vl - 1] == '"';
            char *val = q ? sp_strndup(v + 1, vl - 2) : sp_strdup(v);
            int bad = !val || sp_param_push(p, n, t->tok[k], val, q) != 0;
            free(val);
            if (bad)
                return -1;
            k += 3;
        } else if (bare) {
            if (sp_param_push(p, n, t->tok[k], NULL, 0) != 0)
                return -1;
            k++;
        } else {
            return 1;
        }
    }
    return 0;
}

static int read_model(reader *R, dwmtj_spice_card *c)
{
    sp_tokens t;
    if (sp_tokenize(c->text, &t) == -1)
        return DWMTJ_SPICE_ERR_NOMEM;
    int rc = DWMTJ_SPICE_OK;
    if (t.n < 3 || !is_word(t.tok[1]) || !is_word(t.tok[2])) {
        rc = sp_fail(R->error, DWMTJ_SPICE_ERR_SYNTAX, fname(R, c->file), c->line,
                     ".model needs a name and a type: .model NAME TYPE(...)");
        goto out;
    }
    if (!(c->model.name = sp_lower_dup(t.tok[1])) || !(c->model.type = sp_lower_dup(t.tok[2]))) {
        rc = DWMTJ_SPICE_ERR_NOMEM;
        goto out;
    }
    int k = 3, end = t.n;
    if (k < t.n && strcmp(t.tok[k], "(") == 0) {
        k++;
        if (strcmp(t.tok[t.n - 1], ")") != 0) {
            rc = sp_fail(R->error, DWMTJ_SPICE_ERR_SYNTAX, fname(R, c->file), c->line,
                         ".model %s: '(' without ')'", t.tok[1]);
            goto out;
        }
        end = t.n - 1;
    }
    int nv = name_values(&t, k, end, 1, &c->model.param, &c->model.n_param);
    if (nv < 0)
        rc = DWMTJ_SPICE_ERR_NOMEM;
    else if (nv > 0)
        rc = sp_fail(R->error, DWMTJ_SPICE_ERR_SYNTAX, fname(R, c->file), c->line,
                     ".model %s: expected NAME=VALUE parameters", t.tok[1]);
out:
    sp_tokens_free(&t);
    return rc;
}

static int read_subckt(reader *R, dwmtj_spice_card *c, dwmtj_spice_scope **inner)
{
    sp_tokens t;
    if (sp_tokenize(c->text, &t) == -1)
        return DWMTJ_SPICE_ERR_NOMEM;
    int rc = DWMTJ_SPICE_OK;
    dwmtj_spice_scope *s = calloc(1, sizeof *s);
    if (!s) {
        rc = DWMTJ_SPICE_ERR_NOMEM;
        goto out;
    }
    c->sub = s;
    s->parent = R->scope;
    if (t.n < 2 || !is_word(t.tok[1])) {
        rc = sp_fail(R->error, DWMTJ_SPICE_ERR_SYNTAX, fname(R, c->file), c->line,
                     ".subckt needs a name");
        goto out;
    }
    if (!(s->name = sp_lower_dup(t.tok[1]))) {
        rc = DWMTJ_SPICE_ERR_NOMEM;
        goto out;
    }
    int k = 2;
    while (k < t.n && !sp_ieq(t.tok[k], "params:") && !(k + 1 < t.n && !strcmp(t.tok[k + 1], "="))) {
        char **p = realloc(s->port, sizeof *p * (size_t)(s->n_port + 1));
        if (!p || !(p[s->n_port] = sp_lower_dup(t.tok[k]))) {
            if (p)
                s->port = p;
            rc = DWMTJ_SPICE_ERR_NOMEM;
            goto out;
        }
        s->port = p;
        s->n_port++;
        k++;
    }
    if (k < t.n && sp_ieq(t.tok[k], "params:"))
        k++;
    int nv = name_values(&t, k, t.n, 0, &s->param, &s->n_param);
    if (nv < 0)
        rc = DWMTJ_SPICE_ERR_NOMEM;
    else if (nv > 0)
        rc = sp_fail(R->error, DWMTJ_SPICE_ERR_SYNTAX, fname(R, c->file), c->line,
                     ".subckt %s: expected NAME=VALUE parameters after its ports", s->name);
out:
    sp_tokens_free(&t);
    *inner = s;
    return rc;
}

/* .param, .options: NAME = VALUE (options also bare NAME); .save and
 * .tran: the words as written.  A .param that is not plain assignments
 * (a function) stays a DOT card. */
static int read_items(reader *R, dwmtj_spice_card *c)
{
    if (c->kind == DWMTJ_SPICE_SAVE || c->kind == DWMTJ_SPICE_TRAN) {
        const char *p = after_word(c->text);
        while (*p) {
            size_t n = 0;
            while (p[n] && !sp_blank(p[n]))
                n++;
            char *w = sp_strndup(p, n);
            int bad = !w || sp_param_push(&c->item, &c->n_item, w, NULL, 0) != 0;
            free(w);
            if (bad)
                return DWMTJ_SPICE_ERR_NOMEM;
            p += n;
            while (*p && sp_blank(*p))
                p++;
        }
        return DWMTJ_SPICE_OK;
    }
    sp_tokens t;
    if (sp_tokenize(c->text, &t) == -1)
        return DWMTJ_SPICE_ERR_NOMEM;
    int nv = name_values(&t, 1, t.n, c->kind == DWMTJ_SPICE_OPTIONS, &c->item, &c->n_item);
    sp_tokens_free(&t);
    if (nv < 0)
        return DWMTJ_SPICE_ERR_NOMEM;
    if (nv > 0) {
        sp_params_free(c->item, c->n_item);
        c->item = NULL;
        c->n_item = 0;
        if (c->kind == DWMTJ_SPICE_OPTIONS)
            return sp_fail(R->error, DWMTJ_SPICE_ERR_SYNTAX, fname(R, c->file), c->line,
                           ".options: expected NAME or NAME=VALUE");
        c->kind = DWMTJ_SPICE_DOT;
    }
    return DWMTJ_SPICE_OK;
}

/* ---- lines into cards ------------------------------------------------------ */

static int read_text(reader *R, int file, const char *text, int is_main, int depth);

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? sp_strndup(path, (size_t)(slash - path + 1)) : sp_strdup("");
}

static int read_whole(const char *path, char **text, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    dwmtj_str b = { 0 };
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        dwmtj_str_putn(&b, buf, n);
    int bad = ferror(f);
    fclose(f);
    if (!b.s && !b.err)
        dwmtj_str_puts(&b, "");
    if (bad || b.err) {
        free(b.s);
        if (b.err)
            errno = ENOMEM;
        return -1;
    }
    *text = b.s;
    *len = b.len;
    return 0;
}

/* A NUL byte would end the text there (and ngspice's deck with it). */
static int check_nul(reader *R, const char *name, const char *text, size_t len)
{
    const char *z = memchr(text, '\0', len);
    if (!z)
        return DWMTJ_SPICE_OK;
    int line = 1;
    for (const char *p = text; p < z; p++)
        line += *p == '\n';
    return sp_fail(R->error, DWMTJ_SPICE_ERR_SYNTAX, name, line,
                   "a NUL byte (binary data in the netlist?)");
}

static int do_include(reader *R, int file, int line, const char *card, int depth)
{
    const char *arg = after_word(card);
    size_t n = strlen(arg);
    if (n >= 2 && ((arg[0] == '"' && arg[n - 1] == '"') || (arg[0] == '\'' && arg[n - 1] == '\''))) {
        arg++;
        n -= 2;
    }
    if (n == 0)
        return sp_fail(R->error, DWMTJ_SPICE_ERR_SYNTAX, fname(R, file), line,
                       ".include without a file name");
    if (depth >= MAX_INCLUDE_DEPTH)
        return sp_fail(R->error, DWMTJ_SPICE_ERR_LIMIT, fname(R, file), line,
                       ".include nested deeper than %d files", MAX_INCLUDE_DEPTH);
    dwmtj_str p = { 0 };
    if (arg[0] != '/') {
        char *dir = dir_of(fname(R, file));
        if (dir)
            dwmtj_str_puts(&p, dir);
        else
            p.err = 1;
        free(dir);
    }
    dwmtj_str_putn(&p, arg, n);
    if (p.err) {
        free(p.s);
        return DWMTJ_SPICE_ERR_NOMEM;
    }
    char *text = NULL;
    size_t len = 0;
    if (read_whole(p.s, &text, &len) != 0) {
        int rc = errno == ENOMEM ? DWMTJ_SPICE_ERR_NOMEM
                                 : sp_fail(R->error, DWMTJ_SPICE_ERR_FILE, fname(R, file), line,
                                           "cannot read included file %s: %s", p.s,
                                           strerror(errno));
        free(p.s);
        return rc;
    }
    int idx = add_file(R->d, p.s);
    free(p.s);
    int rc = idx < 0 ? DWMTJ_SPICE_ERR_NOMEM : check_nul(R, R->d->file[idx], text, len);
    if (rc == DWMTJ_SPICE_OK)
        rc = read_text(R, idx, text, 0, depth + 1);
    free(text);
    return rc == 1 ? DWMTJ_SPICE_OK : rc; /* .end in an included file ends that file only */
}

static dwmtj_spice_card *new_card(reader *R, int kind, int file, int line, char *text)
{
    dwmtj_spice_card *c = dwmtj_spice_add(R->scope, kind);
    if (!c)
        return NULL;
    c->edited = 0;
    c->file = file;
    c->line = line;
    c->text = text;
    return c;
}

/* One logical card (owned: freed or kept).  Returns 0, 1 at .end, or an
 * error status. */
static int finish_card(reader *R, int file, int line, char *card, int depth)
{
    char w[32];
    first_word(card, w, sizeof w);
    const char *f = fname(R, file);
    int kind = -1;
    if (card[0] == '.') {
        if (!strcmp(w, ".end")) {
            free(card);
            return 1;
        }
        if (!strcmp(w, ".include") || !strcmp(w, ".inc")) {
            int rc = do_include(R, file, line, card, depth);
            free(card);
            return rc;
        }
        if (!strcmp(w, ".lib")) {
            free(card);
            return sp_fail(R->error, DWMTJ_SPICE_ERR_SYNTAX, f, line,
                           ".lib is not supported (use .include)");
        }
        if (!strcmp(w, ".endc")) {
            free(card);
            return sp_fail(R->error, DWMTJ_SPICE_ERR_SYNTAX, f, line, ".endc without .control");
        }
        if (!strcmp(w, ".ends")) {
            free(card);
            if (R->depth == 0)
                return sp_fail(R->error, DWMTJ_SPICE_ERR_SYNTAX, f, line, ".ends without .subckt");
            R->scope = R->scope->parent;
            R->depth--;
            return DWMTJ_SPICE_OK;
        }
        kind = !strcmp(w, ".model") ? DWMTJ_SPICE_MODEL
               : !strcmp(w, ".subckt") ? DWMTJ_SPICE_SUBCKT
               : !strcmp(w, ".tran") ? DWMTJ_SPICE_TRAN
               : (!strcmp(w, ".options") || !strcmp(w, ".option") || !strcmp(w, ".opt"))
                   ? DWMTJ_SPICE_OPTIONS
               : !strcmp(w, ".save") ? DWMTJ_SPICE_SAVE
               : !strcmp(w, ".param") ? DWMTJ_SPICE_PARAM
                                      : DWMTJ_SPICE_DOT;
    } else {
        kind = DWMTJ_SPICE_ELEM;
    }
    dwmtj_spice_card *c = new_card(R, kind, file, line, card);
    if (!c) {
        free(card);
        return DWMTJ_SPICE_ERR_NOMEM;
    }
    switch (kind) {
    case DWMTJ_SPICE_ELEM: return read_elem(R, c);
    case DWMTJ_SPICE_MODEL: return read_model(R, c);
    case DWMTJ_SPICE_SUBCKT: {
        if (R->depth >= MAX_SUBCKT_DEPTH)
            return sp_fail(R->error, DWMTJ_SPICE_ERR_LIMIT, f, line,
                           ".subckt nested deeper than %d", MAX_SUBCKT_DEPTH);
        dwmtj_spice_scope *inner = NULL;
        int rc = read_subckt(R, c, &inner);
        if (rc == DWMTJ_SPICE_OK) {
            if (R->depth == 0) {
                R->sub_file = file;
                R->sub_line = line;
            }
            R->scope = inner;
            R->depth++;
        }
        return rc;
    }
    case DWMTJ_SPICE_DOT: return DWMTJ_SPICE_OK;
    default: return read_items(R, c);
    }
}

/* A line of a .control section (trimmed, not empty). */
static int control_line(reader *R, int file, int line, char *s)
{
    char w[16];
    first_word(s, w, sizeof w);
    if (!strcmp(w, ".endc")) {
        free(s);
        R->control = NULL;
        return DWMTJ_SPICE_OK;
    }
    if (!strcmp(w, ".control")) {
        free(s);
        return sp_fail(R->error, DWMTJ_SPICE_ERR_SYNTAX, fname(R, file), line,
                       ".control inside a .control section (the one of line %d has no .endc)",
                       R->ctl_line);
    }
    dwmtj_spice_card *c = &R->d->top.card[R->ctl_scope_card];
    int rc = sp_param_push(&c->item, &c->n_item, "line", s, 0) ? DWMTJ_SPICE_ERR_NOMEM : 0;
    free(s);
    return rc;
}

/* Reads the lines of text (file index file); the main deck's first line
 * is the title.  Returns 0, 1 after .end, or an error status. */
static int read_text(reader *R, int file, const char *text, int is_main, int depth)
{
    const char *p = text;
    int lineno = 0, cur_line = 0, rc = 0;
    dwmtj_str cur = { 0 };
    int have = 0;
    while (*p && rc == 0) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char *line = sp_strndup(p, len);
        p += len + (eol ? 1 : 0);
        lineno++;
        if (!line) {
            rc = DWMTJ_SPICE_ERR_NOMEM;
            break;
        }
        if (is_main && lineno == 1) {
            size_t n = strlen(line);
            while (n > 0 && (line[n - 1] == '\r' || sp_blank(line[n - 1])))
                line[--n] = '\0';
            free(R->d->title);
            R->d->title = line;
            continue;
        }
        trim(line);
        if (line[0] == '*' || line[0] == '\0') {
            free(line);
            continue;
        }
        if (R->control) {
            if (have) { /* the card before the .control line */
                rc = cur.err ? DWMTJ_SPICE_ERR_NOMEM : finish_card(R, file, cur_line, cur.s, depth);
                memset(&cur, 0, sizeof cur);
                have = 0;
                if (rc) {
                    free(line);
                    break;
                }
            }
            rc = control_line(R, file, lineno, line);
            continue;
        }
        strip_comment(line);
        trim(line);
        if (line[0] == '+') {
            if (!have) {
                free(line);
                rc = sp_fail(R->error, DWMTJ_SPICE_ERR_SYNTAX, fname(R, file), lineno,
                             "continuation line ('+') without a card before it");
                break;
            }
            const char *r = line + 1;
            while (*r && sp_blank(*r))
                r++;
            if (*r) {
                dwmtj_str_puts(&cur, " ");
                dwmtj_str_puts(&cur, r);
            }
            free(line);
            continue;
        }
        if (line[0] == '\0') {
            free(line);
            continue;
        }
        if (have) {
            rc = cur.err ? DWMTJ_SPICE_ERR_NOMEM : finish_card(R, file, cur_line, cur.s, depth);
            memset(&cur, 0, sizeof cur);
            have = 0;
            if (rc) {
                free(line);
                break;
            }
        }
        char w[16];
        first_word(line, w, sizeof w);
        if (!strcmp(w, ".control")) {
            if (R->depth > 0) {
                free(line);
                rc = sp_fail(R->error, DWMTJ_SPICE_ERR_SYNTAX, fname(R, file), lineno,
                             ".control inside a .subckt");
                break;
            }
            dwmtj_spice_card *c = new_card(R, DWMTJ_SPICE_CONTROL, file, lineno, line);
            if (!c) {
                free(line);
                rc = DWMTJ_SPICE_ERR_NOMEM;
                break;
            }
            R->control = c;
            R->ctl_scope_card = R->d->top.n_card - 1;
            R->ctl_file = file;
            R->ctl_line = lineno;
            continue;
        }
        dwmtj_str_puts(&cur, line);
        free(line);
        cur_line = lineno;
        have = 1;
    }
    if (have && rc == 0)
        rc = cur.err ? DWMTJ_SPICE_ERR_NOMEM : finish_card(R, file, cur_line, cur.s, depth);
    else
        free(cur.s);
    return rc;
}

/* The numbers of every .tran card, .param names resolved. */
static double param_number(const dwmtj_spice_deck *d, const char *tok, int depth, int *ok);

static double param_number(const dwmtj_spice_deck *d, const char *tok, int depth, int *ok)
{
    double v;
    *ok = 0;
    if (depth > 8)
        return 0.0;
    if (dwmtj_spice_number_token(tok, &v) == 0) {
        *ok = 1;
        return v;
    }
    size_t n = strlen(tok);
    if (n >= 2 && ((tok[0] == '{' && tok[n - 1] == '}') || (tok[0] == '\'' && tok[n - 1] == '\''))) {
        char *in = sp_strndup(tok + 1, n - 2);
        if (!in)
            return 0.0;
        trim(in);
        v = param_number(d, in, depth + 1, ok);
        free(in);
        return v;
    }
    const dwmtj_spice_scope *s = &d->top;
    for (int k = s->n_card - 1; k >= 0; k--) {
        if (s->card[k].kind != DWMTJ_SPICE_PARAM)
            continue;
        const dwmtj_spice_param *p = dwmtj_spice_param_of(&s->card[k], tok);
        if (p && p->text)
            return param_number(d, p->text, depth + 1, ok);
    }
    return 0.0;
}

/* tstep tstop [tstart [tmax]] [uic] from words w[0..n-1]; 0 ok, else the
 * index of the bad word + 1. */
static int tran_numbers(const dwmtj_spice_deck *d, const dwmtj_spice_param *w, int n,
                        double v[4], int *nv, int *uic)
{
    *nv = 0;
    *uic = 0;
    for (int k = 0; k < n; k++) {
        if (sp_ieq(w[k].name, "uic")) {
            *uic = 1;
            continue;
        }
        int ok;
        double x = param_number(d, w[k].name, 0, &ok);
        if (!ok || *nv == 4)
            return k + 1;
        v[(*nv)++] = x;
    }
    return 0;
}

static void resolve_tran(dwmtj_spice_deck *d, dwmtj_spice_scope *s)
{
    for (int k = 0; k < s->n_card; k++) {
        dwmtj_spice_card *c = &s->card[k];
        if (c->kind == DWMTJ_SPICE_SUBCKT)
            resolve_tran(d, c->sub);
        if (c->kind == DWMTJ_SPICE_TRAN &&
            tran_numbers(d, c->item, c->n_item, c->tran, &c->n_tran, &c->uic) != 0)
            c->n_tran = 0;
    }
}

int dwmtj_spice_tran(const dwmtj_spice_deck *d, double v[4], int *n, char **error)
{
    if (error)
        *error = NULL;
    if (!d || !v || !n)
        return DWMTJ_SPICE_ERR_USAGE;
    memset(v, 0, 4 * sizeof *v);
    *n = 0;
    const dwmtj_spice_scope *s = &d->top;
    for (int k = 0; k < s->n_card; k++) {
        const dwmtj_spice_card *c = &s->card[k];
        if (c->kind != DWMTJ_SPICE_TRAN)
            continue;
        if (c->n_tran >= 2) { /* numbers already: built, or resolved when read */
            memcpy(v, c->tran, sizeof c->tran);
            *n = c->n_tran;
            if (!(v[1] > 0.0))
                return sp_fail(error, DWMTJ_SPICE_ERR_SYNTAX, d->file[c->file], c->line,
                               ".tran: TSTOP %g must be > 0", v[1]);
            return DWMTJ_SPICE_OK;
        }
        int uic, bad = tran_numbers(d, c->item, c->n_item, v, n, &uic);
        if (bad)
            return sp_fail(error, DWMTJ_SPICE_ERR_SYNTAX, d->file[c->file], c->line,
                           ".tran: '%s' is not a number (nor a .param of one)",
                           c->item[bad - 1].name);
        if (*n < 2 || !(v[1] > 0.0))
            return sp_fail(error, DWMTJ_SPICE_ERR_SYNTAX, d->file[c->file], c->line,
                           ".tran: expected TSTEP TSTOP [TSTART [TMAX]] with TSTOP > 0");
        return DWMTJ_SPICE_OK;
    }
    for (int k = 0; k < s->n_card; k++) {
        const dwmtj_spice_card *c = &s->card[k];
        if (c->kind != DWMTJ_SPICE_CONTROL)
            continue;
        for (int j = 0; j < c->n_item; j++) {
            char w[8];
            first_word(c->item[j].text, w, sizeof w);
            if (strcmp(w, "tran") != 0)
                continue;
            dwmtj_spice_card tmp;
            memset(&tmp, 0, sizeof tmp);
            tmp.kind = DWMTJ_SPICE_TRAN;
            tmp.text = c->item[j].text;
            reader R = { (dwmtj_spice_deck *)d, NULL, NULL, 0, 0, 0, NULL, 0, 0, 0 };
            if (read_items(&R, &tmp) != DWMTJ_SPICE_OK)
                return DWMTJ_SPICE_ERR_NOMEM;
            int uic, bad = tran_numbers(d, tmp.item, tmp.n_item, v, n, &uic);
            int rc = DWMTJ_SPICE_OK;
            if (bad)
                rc = sp_fail(error, DWMTJ_SPICE_ERR_SYNTAX, d->file[c->file], c->line,
                             "tran in .control: '%s' is not a number", tmp.item[bad - 1].name);
            else if (*n < 2 || !(v[1] > 0.0))
                rc = sp_fail(error, DWMTJ_SPICE_ERR_SYNTAX, d->file[c->file], c->line,
                             "tran in .control: expected TSTEP TSTOP [TSTART [TMAX]]");
            sp_params_free(tmp.item, tmp.n_item);
            return rc;
        }
    }
    return 1;
}

static int read_deck(dwmtj_spice_deck **out, const char *name, const char *text, size_t len,
                     char **error)
{
    if (error)
        *error = NULL;
    if (!out)
        return DWMTJ_SPICE_ERR_USAGE;
    *out = NULL;
    if (!text)
        return sp_fail(error, DWMTJ_SPICE_ERR_USAGE, name, 0, "no text");
    dwmtj_spice_deck *d = calloc(1, sizeof *d);
    if (!d)
        return DWMTJ_SPICE_ERR_NOMEM;
    reader R;
    memset(&R, 0, sizeof R);
    R.d = d;
    R.error = error;
    R.scope = &d->top;
    int rc = add_file(d, name) < 0 ? DWMTJ_SPICE_ERR_NOMEM : check_nul(&R, name, text, len);
    if (rc == DWMTJ_SPICE_OK)
        rc = read_text(&R, 0, text, 1, 0);
    if (rc == 1)
        rc = DWMTJ_SPICE_OK;
    if (rc == DWMTJ_SPICE_OK && !d->title && !(d->title = sp_strdup("")))
        rc = DWMTJ_SPICE_ERR_NOMEM;
    if (rc == DWMTJ_SPICE_OK && R.control)
        rc = sp_fail(error, DWMTJ_SPICE_ERR_SYNTAX, d->file[R.ctl_file], R.ctl_line,
                     ".control without .endc");
    if (rc == DWMTJ_SPICE_OK && R.depth > 0)
        rc = sp_fail(error, DWMTJ_SPICE_ERR_SYNTAX, d->file[R.sub_file], R.sub_line,
                     ".subckt without .ends");
    if (rc == DWMTJ_SPICE_OK)
        resolve_tran(d, &d->top);
    if (rc != DWMTJ_SPICE_OK) {
        if (rc == DWMTJ_SPICE_ERR_NOMEM && error && !*error)
            *error = sp_strdup("out of memory");
        dwmtj_spice_free(d);
        return rc;
    }
    *out = d;
    return DWMTJ_SPICE_OK;
}

int dwmtj_spice_read(dwmtj_spice_deck **d, const char *name, const char *text, char **error)
{
    return read_deck(d, name ? name : "deck", text, text ? strlen(text) : 0, error);
}

int dwmtj_spice_read_file(dwmtj_spice_deck **d, const char *path, char **error)
{
    if (error)
        *error = NULL;
    if (!d || !path)
        return DWMTJ_SPICE_ERR_USAGE;
    *d = NULL;
    char *text = NULL;
    size_t len = 0;
    if (read_whole(path, &text, &len) != 0) {
        if (errno == ENOMEM)
            return DWMTJ_SPICE_ERR_NOMEM;
        return sp_fail(error, DWMTJ_SPICE_ERR_FILE, path, 0, "cannot read: %s", strerror(errno));
    }
    int rc = read_deck(d, path, text, len, error);
    free(text);
    return rc;
}
