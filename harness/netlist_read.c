/* Reading a deck: physical lines to logical cards, with .include files
 * read in place and .control sections marked. */
#define _POSIX_C_SOURCE 200809L

#include "netlist_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INCLUDE_DEPTH 16

int nl_add_file(dwmtj_netlist *nl, const char *name)
{
    char **v = realloc(nl->file, (size_t)(nl->n_file + 1) * sizeof *v);
    if (!v)
        return -1;
    nl->file = v;
    if (!(v[nl->n_file] = nl_xstrdup(name)))
        return -1;
    return nl->n_file++;
}

static int add_card(dwmtj_netlist *nl, char *text, int file, int line, int control)
{
    dwmtj_nl_card *v = nl_grown(nl->card, nl->n_card, sizeof *v);
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
            (*p == '$' && (p == s || nl_is_blank(p[-1])) && (p[1] == '\0' || nl_is_blank(p[1])))) {
            *p = '\0';
            return;
        }
    }
}

int nl_read_whole_file(const char *path, char **text)
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
    return slash ? nl_xstrndup(path, (size_t)(slash - path + 1)) : nl_xstrdup("");
}

/* .include FILE: reads it in place. */
static int do_include(reader *R, int file, int line, const char *card, int depth)
{
    dwmtj_netlist *nl = R->nl;
    const char *fname = nl->file[file];
    const char *arg = nl_after_first_word(card);
    size_t n = strlen(arg);
    if (n >= 2 && ((arg[0] == '"' && arg[n - 1] == '"') || (arg[0] == '\'' && arg[n - 1] == '\''))) {
        arg++;
        n -= 2;
    }
    if (n == 0)
        return nl_fail(R->error, DWMTJ_H_ERR_NETLIST, fname, line, ".include without a file name");
    if (depth >= MAX_INCLUDE_DEPTH)
        return nl_fail(R->error, DWMTJ_H_ERR_NETLIST, fname, line,
                       ".include nested deeper than %d files", MAX_INCLUDE_DEPTH);
    char *path = NULL;
    if (arg[0] == '/') {
        path = nl_xstrndup(arg, n);
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
    if (nl_read_whole_file(path, &text) != 0) {
        int rc = errno == ENOMEM ? DWMTJ_H_ERR_NOMEM
                                 : nl_fail(R->error, DWMTJ_H_ERR_FILE, fname, line,
                                           "cannot read included file %s: %s", path,
                                           strerror(errno));
        free(path);
        return rc;
    }
    int idx = nl_add_file(nl, path);
    free(path);
    int rc = idx < 0 ? DWMTJ_H_ERR_NOMEM : nl_read_text(R, idx, text, 0, depth + 1);
    free(text);
    return rc == 1 ? 0 : rc; /* an .end in an included file ends only that file */
}

/* One finished logical card: .include, .lib, .end, or a card to keep.
 * Returns 1 at .end. */
static int finish_card(reader *R, int file, int line, char *card, int depth)
{
    char w[16];
    nl_first_word(card, w, sizeof w);
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
            return nl_fail(R->error, DWMTJ_H_ERR_NETLIST, R->nl->file[file], line,
                           ".lib is not supported by the harness (use .include)");
        }
        if (strcmp(w, ".control") == 0) {
            R->in_control = 1;
            R->control_file = file;
            R->control_line = line;
        }
    } else if (strcmp(w, ".control") == 0) {
        free(card);
        return nl_fail(R->error, DWMTJ_H_ERR_NETLIST, R->nl->file[file], line,
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
int nl_read_text(reader *R, int file, const char *text, int is_main, int depth)
{
    dwmtj_netlist *nl = R->nl;
    const char *p = text;
    int lineno = 0;
    sbuf cur = { 0 };      /* the logical card being built */
    int cur_line = 0, have = 0, rc = 0;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char *line = nl_xstrndup(p, len);
        p += len + (eol ? 1 : 0);
        lineno++;
        if (!line) {
            rc = DWMTJ_H_ERR_NOMEM;
            break;
        }
        if (is_main && lineno == 1) {
            size_t n = strlen(line);
            while (n > 0 && (line[n - 1] == '\r' || nl_is_blank(line[n - 1])))
                line[--n] = '\0';
            nl->title = line;
            continue;
        }
        nl_trim(line);
        if (line[0] == '*' || line[0] == '\0') {
            free(line);
            continue;
        }
        strip_inline_comment(line);
        nl_trim(line);
        if (line[0] == '+') {
            if (!have) {
                free(line);
                rc = nl_fail(R->error, DWMTJ_H_ERR_NETLIST, nl->file[file], lineno,
                             "continuation line ('+') without a card before it");
                break;
            }
            char *rest = line + 1;
            while (*rest && nl_is_blank(*rest))
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
