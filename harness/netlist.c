/* Netlists: reads an ngspice deck, finds the dwmtj4t neurons and the
 * sources, and rewrites the deck for the harness (dwmtj_harness.h).
 *
 * What is read: the title (first line), '*' comment lines, inline comments
 * (';' anywhere outside double quotes, '$' standing alone between blanks),
 * '+' continuation lines (joined to the card before them; messages give
 * the card's first line), .control ... .endc, .subckt ... .ends, .model,
 * .param, .tran, .end (the rest of the file is ignored; no .end is fine).
 * .include FILE (.inc) is read in place, relative to the directory of the
 * file that includes it (for dwmtj_netlist_parse, of its name), and the
 * instrumented deck carries its cards; .lib is refused ("not supported").
 * Keywords are case-insensitive; names are lower-cased as ngspice does.
 *
 * Neurons: top-level instances "aNAME IN GND A B (NULL | [n1 .. nk]) MODEL"
 * whose MODEL is a .model of type dwmtj4t (%g / %v port modifiers, the
 * ports' defaults, are accepted; others are refused).  Sources for the
 * circuit energy: top-level V, I, B (V= or I=), and E, G (n+ n- nc+ nc-
 * gain), F, H (n+ n- vcontrol gain); other forms of E, F, G, H and sources
 * inside a .subckt are not counted.
 *
 * The instrumented deck (dwmtj_netlist_instrument) is the deck's cards,
 * continuations joined and comments dropped, less .control sections,
 * output requests and analyses other than the first .tran (.save .print
 * .plot .probe .four .meas .op .ac .dc .noise .tf .sens .pz .disto .pss
 * .sp), plus the neurons' probes and monitors, the .tran of the .control
 * section when the deck has no .tran card, its option commands as
 * .options cards, and the .save cards of what dwmtj_analyse reads. */
#define _POSIX_C_SOURCE 200809L

#include "harness_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const dwmtj_h_term_name[4] = { "in", "gnd", "a", "b" };

#define MAX_INCLUDE_DEPTH 16

/* ------------------------------------------------------------------------
 * Small helpers
 * --------------------------------------------------------------------- */

typedef struct {
    char *s;
    size_t len, cap;
    int err;
} sbuf;

static void sb_grow(sbuf *b, size_t add)
{
    if (b->err)
        return;
    if (b->len + add + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (b->len + add + 1 > cap)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->err = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
}

static void sb_putn(sbuf *b, const char *s, size_t n)
{
    sb_grow(b, n);
    if (b->err)
        return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s) { sb_putn(b, s, strlen(s)); }

static void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    char tmp[512];
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->err = 1;
        return;
    }
    if ((size_t)n < sizeof tmp) {
        sb_putn(b, tmp, (size_t)n);
        return;
    }
    sb_grow(b, (size_t)n);
    if (b->err)
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Makes room for element n of the array p (elements of size sz): the
 * array doubles whenever n reaches a power of two, so that appending n
 * elements costs O(n).  Returns the array (maybe moved), or NULL when out
 * of memory (p is then left as it was). */
static void *grown(void *p, int n, size_t sz)
{
    if (n > 0 && (n & (n - 1)) != 0)
        return p;
    return realloc(p, (size_t)(n > 0 ? 2 * n : 1) * sz);
}

static char *xstrndup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static char *xstrdup(const char *s) { return xstrndup(s, strlen(s)); }

static char *lower_dup(const char *s)
{
    char *d = xstrdup(s);
    for (char *p = d; p && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return d;
}

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

static int is_ground(const char *node) { return strcmp(node, "0") == 0 || ieq(node, "gnd"); }

/* *error = "FILE:LINE: message" (or "FILE: message" for line 0). */
static int fail(char **error, int status, const char *file, int line, const char *fmt, ...)
{
    if (!error)
        return status;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sbuf b = { 0 };
    if (line > 0)
        sb_printf(&b, "%s:%d: %s", file, line, msg);
    else
        sb_printf(&b, "%s: %s", file, msg);
    free(*error);
    *error = b.err ? NULL : b.s;
    if (b.err)
        free(b.s);
    return status;
}

/* Tokens of a card: whitespace separated; with brackets set, '[' and ']'
 * are tokens of their own. */
typedef struct {
    int n;
    char **tok;
} tokens;

static void tokens_free(tokens *t)
{
    for (int k = 0; k < t->n; k++)
        free(t->tok[k]);
    free(t->tok);
    t->n = 0;
    t->tok = NULL;
}

static int tokens_push(tokens *t, const char *s, size_t n)
{
    char **v = realloc(t->tok, (size_t)(t->n + 1) * sizeof *v);
    if (!v)
        return -1;
    t->tok = v;
    if (!(v[t->n] = xstrndup(s, n)))
        return -1;
    t->n++;
    return 0;
}

static int tokenize(const char *s, int brackets, tokens *t)
{
    t->n = 0;
    t->tok = NULL;
    const char *p = s;
    while (*p) {
        while (*p && is_blank(*p))
            p++;
        if (!*p)
            break;
        if (brackets && (*p == '[' || *p == ']')) {
            if (tokens_push(t, p, 1) != 0)
                goto nomem;
            p++;
            continue;
        }
        const char *q = p;
        while (*q && !is_blank(*q) && !(brackets && (*q == '[' || *q == ']')))
            q++;
        if (tokens_push(t, p, (size_t)(q - p)) != 0)
            goto nomem;
        p = q;
    }
    return 0;
nomem:
    tokens_free(t);
    return -1;
}

/* First word of a card, lower case, into w (truncated). */
static void first_word(const char *s, char *w, size_t n)
{
    size_t k = 0;
    while (*s && is_blank(*s))
        s++;
    while (*s && !is_blank(*s) && k + 1 < n)
        w[k++] = (char)tolower((unsigned char)*s++);
    w[k] = '\0';
}

/* The text after the first word, trimmed. */
static const char *after_first_word(const char *s)
{
    while (*s && is_blank(*s))
        s++;
    while (*s && !is_blank(*s))
        s++;
    while (*s && is_blank(*s))
        s++;
    return s;
}

/* ------------------------------------------------------------------------
 * Reading: physical lines to logical cards
 * --------------------------------------------------------------------- */

typedef struct {
    dwmtj_netlist *nl;
    char **error;
    int in_control;        /* inside .control while reading */
    int control_file, control_line;
} reader;


static int add_file(dwmtj_netlist *nl, const char *name)
{
    char **v = realloc(nl->file, (size_t)(nl->n_file + 1) * sizeof *v);
    if (!v)
        return -1;
    nl->file = v;
    if (!(v[nl->n_file] = xstrdup(name)))
        return -1;
    return nl->n_file++;
}

static int add_card(dwmtj_netlist *nl, char *text, int file, int line, int control)
{
    dwmtj_nl_card *v = grown(nl->card, nl->n_card, sizeof *v);
    if (!v)
        return -1;
    nl->card = v;
    v[nl->n_card].text = text;
    v[nl->n_card].file = file;
    v[nl->n_card].line = line;
    v[nl->n_card].depth = 0;
    v[nl->n_card].control = control;
    nl->n_card++;
    return 0;
}

/* Removes an inline comment from a physical line (in place): ';' outside
 * double quotes, or '$' with a blank (or the line's end) on both sides. */
static void strip_inline_comment(char *s)
{
    int quote = 0;
    for (char *p = s; *p; p++) {
        if (*p == '"')
            quote = !quote;
        if (quote)
            continue;
        if (*p == ';' ||
            (*p == '$' && (p == s || is_blank(p[-1])) && (p[1] == '\0' || is_blank(p[1])))) {
            *p = '\0';
            return;
        }
    }
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (is_blank(s[n - 1]) || s[n - 1] == '\n'))
        s[--n] = '\0';
    size_t k = 0;
    while (s[k] && is_blank(s[k]))
        k++;
    if (k)
        memmove(s, s + k, n - k + 1);
}

static int read_whole_file(const char *path, char **text)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    sbuf b = { 0 };
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sb_putn(&b, buf, n);
    int bad = ferror(f);
    fclose(f);
    if (!b.s && !b.err)
        sb_puts(&b, "");
    if (bad || b.err) {
        free(b.s);
        if (b.err)
            errno = ENOMEM;
        return -1;
    }
    *text = b.s;
    return 0;
}

/* Directory part of path with its '/', or "" (a copy). */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? xstrndup(path, (size_t)(slash - path + 1)) : xstrdup("");
}

static int read_text(reader *R, int file, const char *text, int is_main, int depth);

/* .include FILE: reads it in place. */
static int do_include(reader *R, int file, int line, const char *card, int depth)
{
    dwmtj_netlist *nl = R->nl;
    const char *fname = nl->file[file];
    const char *arg = after_first_word(card);
    size_t n = strlen(arg);
    if (n >= 2 && ((arg[0] == '"' && arg[n - 1] == '"') || (arg[0] == '\'' && arg[n - 1] == '\''))) {
        arg++;
        n -= 2;
    }
    if (n == 0)
        return fail(R->error, DWMTJ_H_ERR_NETLIST, fname, line, ".include without a file name");
    if (depth >= MAX_INCLUDE_DEPTH)
        return fail(R->error, DWMTJ_H_ERR_NETLIST, fname, line,
                    ".include nested deeper than %d files", MAX_INCLUDE_DEPTH);
    char *path = NULL;
    if (arg[0] == '/') {
        path = xstrndup(arg, n);
    } else {
        char *dir = dir_of(fname);
        sbuf b = { 0 };
        if (dir) {
            sb_puts(&b, dir);
            sb_putn(&b, arg, n);
        }
        free(dir);
        path = b.err ? NULL : b.s;
        if (b.err)
            free(b.s);
    }
    if (!path)
        return DWMTJ_H_ERR_NOMEM;
    char *text = NULL;
    if (read_whole_file(path, &text) != 0) {
        int rc = errno == ENOMEM ? DWMTJ_H_ERR_NOMEM
                                 : fail(R->error, DWMTJ_H_ERR_FILE, fname, line,
                                        "cannot read included file %s: %s", path,
                                        strerror(errno));
        free(path);
        return rc;
    }
    int idx = add_file(nl, path);
    free(path);
    int rc = idx < 0 ? DWMTJ_H_ERR_NOMEM : read_text(R, idx, text, 0, depth + 1);
    free(text);
    return rc == 1 ? 0 : rc; /* an .end in an included file ends only that file */
}

/* One finished logical card: .include, .lib, .end, or a card to keep.
 * Returns 1 at .end. */
static int finish_card(reader *R, int file, int line, char *card, int depth)
{
    char w[16];
    first_word(card, w, sizeof w);
    if (!R->in_control) {
        if (strcmp(w, ".end") == 0) {
            free(card);
            return 1;
        }
        if (strcmp(w, ".include") == 0 || strcmp(w, ".inc") == 0) {
            int rc = do_include(R, file, line, card, depth);
            free(card);
            return rc;
        }
        if (strcmp(w, ".lib") == 0) {
            free(card);
            return fail(R->error, DWMTJ_H_ERR_NETLIST, R->nl->file[file], line,
                        ".lib is not supported by the harness (use .include)");
        }
        if (strcmp(w, ".control") == 0) {
            R->in_control = 1;
            R->control_file = file;
            R->control_line = line;
        }
    } else if (strcmp(w, ".control") == 0) {
        free(card);
        return fail(R->error, DWMTJ_H_ERR_NETLIST, R->nl->file[file], line,
                    ".control inside a .control section (the one of line %d has no .endc)",
                    R->control_line);
    } else if (strcmp(w, ".endc") == 0) {
        if (add_card(R->nl, card, file, line, 1) != 0) {
            free(card);
            return DWMTJ_H_ERR_NOMEM;
        }
        R->in_control = 0;
        return 0;
    }
    if (add_card(R->nl, card, file, line, R->in_control) != 0) {
        free(card);
        return DWMTJ_H_ERR_NOMEM;
    }
    return 0;
}

/* Reads the lines of text (file index file).  The main deck's first line
 * is the title.  Returns 0, 1 after .end, or an error status. */
static int read_text(reader *R, int file, const char *text, int is_main, int depth)
{
    dwmtj_netlist *nl = R->nl;
    const char *p = text;
    int lineno = 0;
    sbuf cur = { 0 };      /* the logical card being built */
    int cur_line = 0, have = 0, rc = 0;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char *line = xstrndup(p, len);
        p += len + (eol ? 1 : 0);
        lineno++;
        if (!line) {
            rc = DWMTJ_H_ERR_NOMEM;
            break;
        }
        if (is_main && lineno == 1) {
            size_t n = strlen(line);
            while (n > 0 && (line[n - 1] == '\r' || is_blank(line[n - 1])))
                line[--n] = '\0';
            nl->title = line;
            continue;
        }
        trim(line);
        if (line[0] == '*' || line[0] == '\0') {
            free(line);
            continue;
        }
        strip_inline_comment(line);
        trim(line);
        if (line[0] == '+') {
            if (!have) {
                free(line);
                rc = fail(R->error, DWMTJ_H_ERR_NETLIST, nl->file[file], lineno,
                          "continuation line ('+') without a card before it");
                break;
            }
            char *rest = line + 1;
            while (*rest && is_blank(*rest))
                rest++;
            if (*rest) {
                sb_puts(&cur, " ");
                sb_puts(&cur, rest);
            }
            free(line);
            if (cur.err) {
                rc = DWMTJ_H_ERR_NOMEM;
                break;
            }
            continue;
        }
        if (line[0] == '\0') {   /* only a comment */
            free(line);
            continue;
        }
        if (have) {
            rc = cur.err ? DWMTJ_H_ERR_NOMEM : finish_card(R, file, cur_line, cur.s, depth);
            memset(&cur, 0, sizeof cur);
            have = 0;
            if (rc != 0) {
                free(line);
                break;
            }
        }
        sb_puts(&cur, line);
        free(line);
        cur_line = lineno;
        have = 1;
    }
    if (have && rc == 0)
        rc = cur.err ? DWMTJ_H_ERR_NOMEM : finish_card(R, file, cur_line, cur.s, depth);
    else
        free(cur.s);
    return rc;
}

/* ------------------------------------------------------------------------
 * Analysis of the cards
 * --------------------------------------------------------------------- */

typedef struct {
    char *name, *type;   /* lower case */
} model_def;

static int add_param(dwmtj_netlist *nl, const char *name, size_t nn, const char *val, size_t nv)
{
    char **a = grown(nl->param_name, nl->n_param, sizeof *a);
    if (!a)
        return -1;
    nl->param_name = a;
    char **b = grown(nl->param_value, nl->n_param, sizeof *b);
    if (!b)
        return -1;
    nl->param_value = b;
    char *n = xstrndup(name, nn), *v = xstrndup(val, nv);
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
    const char *p = after_first_word(s);
    while (*p) {
        while (*p && (is_blank(*p) || *p == ','))
            p++;
        const char *name = p;
        while (*p && (isalnum((unsigned char)*p) || *p == '_'))
            p++;
        size_t nn = (size_t)(p - name);
        while (*p && is_blank(*p))
            p++;
        if (nn == 0 || *p != '=')
            return 0; /* not a plain assignment (e.g. a function): leave it to ngspice */
        p++;
        while (*p && is_blank(*p))
            p++;
        const char *val = p;
        if (*p == '{' || *p == '\'') {
            char close = *p == '{' ? '}' : '\'';
            const char *q = strchr(p + 1, close);
            p = q ? q + 1 : p + strlen(p);
        } else {
            while (*p && !is_blank(*p))
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
    dwmtj_nl_source *v = grown(nl->source, nl->n_source, sizeof *v);
    if (!v)
        return -1;
    nl->source = v;
    dwmtj_nl_source *s = &v[nl->n_source];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->name = lower_dup(name);
    s->node[0] = is_ground(np) ? NULL : lower_dup(np);
    s->node[1] = is_ground(nn) ? NULL : lower_dup(nn);
    nl->n_source++;   /* counted now so that free releases what is set */
    if (!s->name || (!is_ground(np) && !s->node[0]) || (!is_ground(nn) && !s->node[1]))
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
        if (ieq(w, kw[k]))
            return 0;
    return 1;
}

/* Source cards at the top level: V, I, B; E, G (n+ n- nc+ nc- gain) and
 * F, H (n+ n- vcontrol gain).  Other forms of E, F, G, H (value=, poly,
 * table, ...) are not counted. */
static int read_source(dwmtj_netlist *nl, const dwmtj_nl_card *c, char **error)
{
    tokens t;
    if (tokenize(c->text, 0, &t) != 0)
        return DWMTJ_H_ERR_NOMEM;
    int rc = DWMTJ_H_OK, k = -1;
    char kind = (char)tolower((unsigned char)c->text[0]);
    if (t.n < 3) {
        if (kind == 'v' || kind == 'i' || kind == 'b')
            rc = fail(error, DWMTJ_H_ERR_NETLIST, nl->file[c->file], c->line,
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
            rc = fail(error, DWMTJ_H_ERR_NETLIST, nl->file[c->file], c->line,
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
    tokens_free(&t);
    return rc;
}

static int add_neuron(dwmtj_netlist *nl, dwmtj_nl_neuron *n)
{
    dwmtj_nl_neuron *v = grown(nl->neuron, nl->n_neuron, sizeof *v);
    if (!v)
        return -1;
    nl->neuron = v;
    v[nl->n_neuron++] = *n;
    return 0;
}

static void neuron_free(dwmtj_nl_neuron *n)
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
    return mon ? ieq(tok, "%v") : ieq(tok, "%g");
}

/* aNAME IN GND A B (NULL | [n1 .. nk]) MODEL */
static int read_neuron(dwmtj_netlist *nl, int ci, char **error)
{
    const dwmtj_nl_card *c = &nl->card[ci];
    const char *file = nl->file[c->file];
    tokens t;
    if (tokenize(c->text, 1, &t) != 0)
        return DWMTJ_H_ERR_NOMEM;
    dwmtj_nl_neuron n;
    memset(&n, 0, sizeof n);
    n.card = ci;
    int rc = DWMTJ_H_OK, k = 1;
    const char *name = t.tok[0];
    if (strlen(name) >= sizeof n.name) {
        rc = fail(error, DWMTJ_H_ERR_NETLIST, file, c->line,
                  "dwmtj4t instance name %.20s... is longer than %d characters", name,
                  (int)sizeof n.name - 1);
        goto out;
    }
    for (size_t q = 0; name[q]; q++)
        n.name[q] = (char)tolower((unsigned char)name[q]);
    for (int j = 0; j < nl->n_neuron; j++)
        if (strcmp(nl->neuron[j].name, n.name) == 0) {
            rc = fail(error, DWMTJ_H_ERR_NETLIST, file, c->line,
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
            rc = fail(error, DWMTJ_H_ERR_NETLIST, file, c->line,
                      "dwmtj4t instance %s: unbalanced brackets in its connections", name);
            goto out;
        }
    }
    if (open != 0) {
        rc = fail(error, DWMTJ_H_ERR_NETLIST, file, c->line,
                  "dwmtj4t instance %s: unbalanced brackets in its connections ('[' without ']')",
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
                rc = fail(error, DWMTJ_H_ERR_NETLIST, file, c->line,
                          "dwmtj4t instance %s: port type %s is not supported by the harness",
                          name, w);
                goto out;
            }
            continue;
        }
        if (ieq(w, "null"))
            break;
        if (!(n.node[nt++] = xstrdup(w))) {
            rc = DWMTJ_H_ERR_NOMEM;
            goto out;
        }
    }
    if (nt < 4) {
        rc = fail(error, DWMTJ_H_ERR_NETLIST, file, c->line,
                  "dwmtj4t instance %s has %d terminal node%s; it needs 4 (IN GND A B), "
                  "then NULL or [monitor nodes], then the model",
                  name, nt, nt == 1 ? "" : "s");
        goto out;
    }
    for (; k < t.n - 1 && t.tok[k][0] == '%'; k++)
        if (!is_default_modifier(t.tok[k], 1)) {
            rc = fail(error, DWMTJ_H_ERR_NETLIST, file, c->line,
                      "dwmtj4t instance %s: port type %s is not supported by the harness",
                      name, t.tok[k]);
            goto out;
        }
    /* the monitor connection */
    if (k >= t.n - 1) {
        rc = fail(error, DWMTJ_H_ERR_NETLIST, file, c->line,
                  "dwmtj4t instance %s: no monitor connection (NULL or [nodes]) before "
                  "the model %s", name, t.tok[t.n - 1]);
        goto out;
    }
    if (ieq(t.tok[k], "null")) {
        n.n_mon = -1;
        k++;
    } else if (strcmp(t.tok[k], "[") == 0) {
        int j = k + 1;
        while (j < t.n && strcmp(t.tok[j], "]") != 0)
            j++;
        int m = j - k - 1;
        if (m == 0) {
            rc = fail(error, DWMTJ_H_ERR_NETLIST, file, c->line,
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
                    rc = fail(error, DWMTJ_H_ERR_NETLIST, file, c->line,
                              "dwmtj4t instance %s: port type %s is not supported by the "
                              "harness", name, w);
                    goto out;
                }
                continue;
            }
            if (!(n.mon[n.n_mon++] = xstrdup(w))) {
                rc = DWMTJ_H_ERR_NOMEM;
                goto out;
            }
        }
        k = j + 1;
    } else {
        rc = fail(error, DWMTJ_H_ERR_NETLIST, file, c->line,
                  "dwmtj4t instance %s has %s where its fifth connection (NULL or "
                  "[monitor nodes]) or its model belongs; it needs IN GND A B, NULL or "
                  "[nodes], MODEL", name, t.tok[k]);
        goto out;
    }
    if (k != t.n - 1) {
        rc = fail(error, DWMTJ_H_ERR_NETLIST, file, c->line,
                  "dwmtj4t instance %s: %s after the monitor connection; expected only "
                  "the model name", name, k < t.n ? t.tok[k] : "nothing");
        goto out;
    }
    if (!(n.model = xstrdup(t.tok[k]))) {
        rc = DWMTJ_H_ERR_NOMEM;
        goto out;
    }
    if (add_neuron(nl, &n) != 0)
        rc = DWMTJ_H_ERR_NOMEM;
    else
        memset(&n, 0, sizeof n);
out:
    neuron_free(&n);
    tokens_free(&t);
    return rc;
}

static const model_def *find_model(const model_def *m, int n, const char *name)
{
    for (int k = n - 1; k >= 0; k--)
        if (ieq(m[k].name, name))
            return &m[k];
    return NULL;
}

/* Walks the cards: .control, .subckt nesting, models, parameters, .tran,
 * then the neurons and the sources. */
static int analyse_cards(dwmtj_netlist *nl, char **error)
{
    model_def *models = NULL;
    int n_model = 0, depth = 0, rc = DWMTJ_H_OK;
    int sub_file = 0, sub_line = 0;
    nl->tran_card = nl->tran_control = -1;
    for (int i = 0; i < nl->n_card && rc == DWMTJ_H_OK; i++) {
        dwmtj_nl_card *c = &nl->card[i];
        const char *file = nl->file[c->file];
        char w[32];
        first_word(c->text, w, sizeof w);
        if (c->control) {
            if (strcmp(w, "tran") == 0 && nl->tran_control < 0)
                nl->tran_control = i;
            continue;
        }
        if (strcmp(w, ".endc") == 0) {
            rc = fail(error, DWMTJ_H_ERR_NETLIST, file, c->line, ".endc without .control");
        } else if (strcmp(w, ".subckt") == 0) {
            if (depth == 0) {
                sub_file = c->file;
                sub_line = c->line;
            }
            depth++;
        } else if (strcmp(w, ".ends") == 0) {
            if (depth == 0)
                rc = fail(error, DWMTJ_H_ERR_NETLIST, file, c->line, ".ends without .subckt");
            c->depth = depth;
            depth--;
            continue;
        } else if (strcmp(w, ".model") == 0) {
            tokens t;
            if (tokenize(c->text, 0, &t) != 0) {
                rc = DWMTJ_H_ERR_NOMEM;
                break;
            }
            if (t.n < 3 || t.tok[2][0] == '(') {
                rc = fail(error, DWMTJ_H_ERR_NETLIST, file, c->line,
                          ".model needs a name and a type: .model NAME TYPE(...)");
            } else {
                model_def *m = realloc(models, (size_t)(n_model + 1) * sizeof *m);
                size_t tl = strcspn(t.tok[2], "(");
                if (m) {
                    models = m;
                    models[n_model].name = lower_dup(t.tok[1]);
                    models[n_model].type = xstrndup(t.tok[2], tl);
                    n_model++;
                }
                if (!m || !models[n_model - 1].name || !models[n_model - 1].type)
                    rc = DWMTJ_H_ERR_NOMEM;
                else
                    for (char *q = models[n_model - 1].type; *q; q++)
                        *q = (char)tolower((unsigned char)*q);
            }
            tokens_free(&t);
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
        rc = fail(error, DWMTJ_H_ERR_NETLIST, nl->file[sub_file], sub_line,
                  ".subckt without .ends");
    for (int i = 0; i < nl->n_card && rc == DWMTJ_H_OK; i++) {
        const dwmtj_nl_card *c = &nl->card[i];
        if (c->control)
            continue;
        char k = (char)tolower((unsigned char)c->text[0]);
        if (k == 'a') {
            tokens t;
            if (tokenize(c->text, 1, &t) != 0) {
                rc = DWMTJ_H_ERR_NOMEM;
                break;
            }
            const model_def *m = t.n > 1 ? find_model(models, n_model, t.tok[t.n - 1]) : NULL;
            int is_neuron = m && strcmp(m->type, "dwmtj4t") == 0;
            char nm[80];
            snprintf(nm, sizeof nm, "%s", t.n ? t.tok[0] : "");
            tokens_free(&t);
            if (!is_neuron)
                continue;
            if (c->depth > 0)
                rc = fail(error, DWMTJ_H_ERR_NETLIST, nl->file[c->file], c->line,
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

/* ------------------------------------------------------------------------
 * Public: reading and freeing
 * --------------------------------------------------------------------- */

static void netlist_free_parts(dwmtj_netlist *nl)
{
    for (int k = 0; k < nl->n_file; k++)
        free(nl->file[k]);
    free(nl->file);
    free(nl->title);
    for (int k = 0; k < nl->n_card; k++)
        free(nl->card[k].text);
    free(nl->card);
    for (int k = 0; k < nl->n_neuron; k++)
        neuron_free(&nl->neuron[k]);
    free(nl->neuron);
    for (int k = 0; k < nl->n_source; k++) {
        free(nl->source[k].name);
        free(nl->source[k].node[0]);
        free(nl->source[k].node[1]);
        free(nl->source[k].current);
    }
    free(nl->source);
    for (int k = 0; k < nl->n_param; k++) {
        free(nl->param_name[k]);
        free(nl->param_value[k]);
    }
    free(nl->param_name);
    free(nl->param_value);
}

void dwmtj_netlist_free(dwmtj_netlist *nl)
{
    if (!nl)
        return;
    netlist_free_parts(nl);
    free(nl);
}

int dwmtj_netlist_parse(dwmtj_netlist **out, const char *name, const char *text, char **error)
{
    if (error)
        *error = NULL;
    if (!out)
        return DWMTJ_H_ERR_USAGE;
    *out = NULL;
    if (!text) {
        if (error)
            *error = xstrdup("dwmtj_netlist_parse: no text");
        return DWMTJ_H_ERR_USAGE;
    }
    if (!name)
        name = "netlist";
    dwmtj_netlist *nl = calloc(1, sizeof *nl);
    if (!nl)
        return DWMTJ_H_ERR_NOMEM;
    nl->tran_card = nl->tran_control = -1;
    reader R = { nl, error, 0, 0, 0 };
    int rc = add_file(nl, name) < 0 ? DWMTJ_H_ERR_NOMEM : read_text(&R, 0, text, 1, 0);
    if (rc == 1)
        rc = DWMTJ_H_OK;
    if (rc == DWMTJ_H_OK && !nl->title)
        nl->title = xstrdup("");
    if (rc == DWMTJ_H_OK && !nl->title)
        rc = DWMTJ_H_ERR_NOMEM;
    if (rc == DWMTJ_H_OK && R.in_control)
        rc = fail(error, DWMTJ_H_ERR_NETLIST, nl->file[R.control_file], R.control_line,
                  ".control without .endc");
    if (rc == DWMTJ_H_OK)
        rc = analyse_cards(nl, error);
    if (rc != DWMTJ_H_OK) {
        if (rc == DWMTJ_H_ERR_NOMEM && error && !*error)
            *error = xstrdup("out of memory");
        dwmtj_netlist_free(nl);
        return rc;
    }
    *out = nl;
    return DWMTJ_H_OK;
}

int dwmtj_netlist_read(dwmtj_netlist **out, const char *path, char **error)
{
    if (error)
        *error = NULL;
    if (!out)
        return DWMTJ_H_ERR_USAGE;
    *out = NULL;
    if (!path) {
        if (error)
            *error = xstrdup("dwmtj_netlist_read: no path");
        return DWMTJ_H_ERR_USAGE;
    }
    char *text = NULL;
    if (read_whole_file(path, &text) != 0) {
        if (errno == ENOMEM)
            return DWMTJ_H_ERR_NOMEM;
        return fail(error, DWMTJ_H_ERR_FILE, path, 0, "cannot read: %s", strerror(errno));
    }
    int rc = dwmtj_netlist_parse(out, path, text, error);
    free(text);
    return rc;
}

int dwmtj_netlist_neuron_count(const dwmtj_netlist *nl) { return nl ? nl->n_neuron : 0; }

const char *dwmtj_netlist_neuron_name(const dwmtj_netlist *nl, int k)
{
    if (!nl || k < 0 || k >= nl->n_neuron)
        return NULL;
    return nl->neuron[k].name;
}

/* ------------------------------------------------------------------------
 * The transient analysis
 * --------------------------------------------------------------------- */

/* A .tran argument: a number, {number}, or a .param name (bare or in
 * braces) whose value is one of these. */
static int eval_value(const dwmtj_netlist *nl, const char *tok, double *v, int depth)
{
    if (depth > 8)
        return -1;
    if (dwmtj_spice_number_token(tok, v) == 0)
        return 0;
    size_t n = strlen(tok);
    char buf[256];
    if (n >= 2 && ((tok[0] == '{' && tok[n - 1] == '}') || (tok[0] == '\'' && tok[n - 1] == '\''))) {
        if (n - 2 >= sizeof buf)
            return -1;
        memcpy(buf, tok + 1, n - 2);
        buf[n - 2] = '\0';
        trim(buf);
        tok = buf;
        if (dwmtj_spice_number_token(tok, v) == 0)
            return 0;
    }
    for (int k = nl->n_param - 1; k >= 0; k--)
        if (ieq(nl->param_name[k], tok))
            return eval_value(nl, nl->param_value[k], v, depth + 1);
    return -1;
}

/* tstep tstop [tstart [tmax]] [uic] after the first word of a card. */
static int tran_args(const dwmtj_netlist *nl, const char *card, double *tstep, double *tstop,
                     double *tmax)
{
    tokens t;
    if (tokenize(card, 0, &t) != 0)
        return DWMTJ_H_ERR_NOMEM;
    double v[4] = { 0.0, 0.0, 0.0, 0.0 };
    int nv = 0, rc = DWMTJ_H_OK;
    for (int k = 1; k < t.n; k++) {
        if (ieq(t.tok[k], "uic"))
            continue;
        if (nv == 4 || eval_value(nl, t.tok[k], &v[nv], 0) != 0) {
            rc = DWMTJ_H_ERR_NETLIST;
            break;
        }
        nv++;
    }
    tokens_free(&t);
    if (rc == DWMTJ_H_OK && (nv < 2 || !(v[1] > 0.0)))
        rc = DWMTJ_H_ERR_NETLIST;
    if (rc == DWMTJ_H_OK) {
        if (tstep)
            *tstep = v[0];
        if (tstop)
            *tstop = v[1];
        if (tmax)
            *tmax = nv > 3 ? v[3] : 0.0;
    }
    return rc;
}

/* tmax is 0 when the deck gives none (ngspice then limits the step to
 * min(tstep, (tstop - tstart) / 50)). */
int dwmtj_netlist_tran(const dwmtj_netlist *nl, double *tstep, double *tstop, double *tmax)
{
    if (!nl)
        return DWMTJ_H_ERR_USAGE;
    int i = nl->tran_card >= 0 ? nl->tran_card : nl->tran_control;
    if (i < 0)
        return DWMTJ_H_ERR_NOANALYSIS;
    return tran_args(nl, nl->card[i].text, tstep, tstop, tmax);
}

/* ------------------------------------------------------------------------
 * Instrumentation
 * --------------------------------------------------------------------- */

/* Cards the instrumented deck leaves out: output requests and other
 * analyses (the run must end in the transient plot with exactly the saved
 * vectors). */
static int dropped_card(const char *w)
{
    static const char *const drop[] = {
        ".save", ".print", ".plot", ".probe", ".four", ".meas", ".measure",
        ".op", ".ac", ".dc", ".noise", ".tf", ".sens", ".pz", ".disto", ".pss", ".sp",
        ".control", ".endc", ".end", ".width"
    };
    for (size_t k = 0; k < sizeof drop / sizeof drop[0]; k++)
        if (strcmp(w, drop[k]) == 0)
            return 1;
    return 0;
}

/* The .save list, without repeats (a hash set of the names saved). */
typedef struct {
    sbuf *out;
    char **slot;     /* open addressing, cap a power of two, at most half full */
    size_t n, cap;
    int on_line;     /* vectors on the current .save card */
    int err;
} saver;

static size_t name_hash(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* 1 if name is new (and now in the set), 0 if seen, -1 out of memory. */
static int saver_add(saver *s, const char *name)
{
    if (2 * (s->n + 1) > s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 256;
        char **slot = calloc(cap, sizeof *slot);
        if (!slot)
            return -1;
        for (size_t k = 0; k < s->cap; k++)
            if (s->slot[k]) {
                size_t h = name_hash(s->slot[k]) & (cap - 1);
                while (slot[h])
                    h = (h + 1) & (cap - 1);
                slot[h] = s->slot[k];
            }
        free(s->slot);
        s->slot = slot;
        s->cap = cap;
    }
    size_t h = name_hash(name) & (s->cap - 1);
    for (; s->slot[h]; h = (h + 1) & (s->cap - 1))
        if (strcmp(s->slot[h], name) == 0)
            return 0;
    if (!(s->slot[h] = xstrdup(name)))
        return -1;
    s->n++;
    return 1;
}

static void saver_free(saver *s)
{
    for (size_t k = 0; k < s->cap; k++)
        free(s->slot[k]);
    free(s->slot);
}

static void save(saver *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *name = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (!name) {
        s->err = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(name, (size_t)len + 1, fmt, ap);
    va_end(ap);
    int added = saver_add(s, name);
    if (added < 0)
        s->err = 1;
    if (added == 1) {
        if (s->on_line == 0)
            sb_puts(s->out, ".save");
        sb_printf(s->out, " %s", name);
        if (++s->on_line == 8) {
            sb_puts(s->out, "\n");
            s->on_line = 0;
        }
    }
    free(name);
}

static void save_break(saver *s)
{
    if (s->on_line) {
        sb_puts(s->out, "\n");
        s->on_line = 0;
    }
}

int dwmtj_netlist_instrument(const dwmtj_netlist *nl, char **text)
{
    if (!nl || !text)
        return DWMTJ_H_ERR_USAGE;
    *text = NULL;
    if (nl->tran_card < 0 && nl->tran_control < 0)
        return DWMTJ_H_ERR_NOANALYSIS;
    sbuf b = { 0 };
    sb_printf(&b, "%s\n", nl->title);
    int ni = 0; /* next neuron, in card order */
    for (int i = 0; i < nl->n_card; i++) {
        const dwmtj_nl_card *c = &nl->card[i];
        if (c->control)
            continue;
        char w[32];
        first_word(c->text, w, sizeof w);
        if (dropped_card(w) || (strcmp(w, ".tran") == 0 && i != nl->tran_card))
            continue;
        if (ni < nl->n_neuron && nl->neuron[ni].card == i) {
            const dwmtj_nl_neuron *n = &nl->neuron[ni++];
            const char *nm = n->name;
            sb_printf(&b, "%s", nm);
            for (int k = 0; k < 4; k++)
                sb_printf(&b, " " DWMTJ_H_NODE_FMT, nm, dwmtj_h_term_name[k]);
            sb_puts(&b, " [");
            for (int k = 0; k < DWMTJ_H_NMON; k++)
                sb_printf(&b, k ? " " DWMTJ_H_MON_FMT : DWMTJ_H_MON_FMT, nm, k);
            sb_printf(&b, "] %s\n", n->model);
            continue;
        }
        sb_printf(&b, "%s\n", c->text);
    }
    sb_puts(&b, "* dwmtj harness: terminal probes and monitors\n");
    for (int j = 0; j < nl->n_neuron; j++) {
        const dwmtj_nl_neuron *n = &nl->neuron[j];
        for (int k = 0; k < 4; k++)
            sb_printf(&b, DWMTJ_H_PROBE_FMT " %s " DWMTJ_H_NODE_FMT " 0\n", n->name,
                      dwmtj_h_term_name[k], n->node[k], n->name, dwmtj_h_term_name[k]);
        for (int k = 0; k < n->n_mon; k++) {
            if (is_ground(n->mon[k]))
                continue;
            if (k < DWMTJ_H_NMON)
                sb_printf(&b, DWMTJ_H_USERMON_FMT " %s " DWMTJ_H_MON_FMT " 0\n", n->name, k,
                          n->mon[k], n->name, k);
            else /* the code model drives monitors past the 13th at 0 V */
                sb_printf(&b, DWMTJ_H_USERMON_FMT " %s 0 0\n", n->name, k, n->mon[k]);
        }
    }
    /* options and the transient of the .control section */
    for (int i = 0; i < nl->n_card; i++) {
        const dwmtj_nl_card *c = &nl->card[i];
        char w[32];
        first_word(c->text, w, sizeof w);
        if (c->control && (strcmp(w, "option") == 0 || strcmp(w, "options") == 0))
            sb_printf(&b, ".options %s\n", after_first_word(c->text));
    }
    if (nl->tran_card < 0)
        sb_printf(&b, ".tran %s\n", after_first_word(nl->card[nl->tran_control].text));
    saver s = { &b, NULL, 0, 0, 0, 0 };
    save(&s, "time");
    save_break(&s);
    for (int j = 0; j < nl->n_neuron; j++) {
        const char *nm = nl->neuron[j].name;
        for (int k = 0; k < DWMTJ_H_NMON; k++)
            save(&s, "v(" DWMTJ_H_MON_FMT ")", nm, k);
        save_break(&s);
        for (int k = 0; k < 4; k++)
            save(&s, "v(" DWMTJ_H_NODE_FMT ")", nm, dwmtj_h_term_name[k]);
        for (int k = 0; k < 4; k++)
            save(&s, DWMTJ_H_PROBE_FMT "#branch", nm, dwmtj_h_term_name[k]);
        save_break(&s);
    }
    for (int j = 0; j < nl->n_source; j++) {
        const dwmtj_nl_source *src = &nl->source[j];
        save(&s, "%s", src->current);
        for (int k = 0; k < 2; k++)
            if (src->node[k])
                save(&s, "v(%s)", src->node[k]);
    }
    save_break(&s);
    sb_puts(&b, ".end\n");
    saver_free(&s);
    if (b.err || s.err) {
        free(b.s);
        return DWMTJ_H_ERR_NOMEM;
    }
    *text = b.s;
    return DWMTJ_H_OK;
}
