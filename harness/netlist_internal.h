/* What the parts of the netlist code (netlist*.c) share: text helpers
 * (netlist_text.c), the reader of lines (netlist_read.c) and the analysis
 * of the cards (netlist_cards.c).  Not installed; no name here starts
 * with dwmtj_, so the library does not export them. */
#ifndef DWMTJ_NETLIST_INTERNAL_H
#define DWMTJ_NETLIST_INTERNAL_H

#include "harness_internal.h"

#include <stddef.h>

typedef struct {
    char *s;
    size_t len, cap;
    int err;
} sbuf;

void sb_putn(sbuf *b, const char *s, size_t n);
void sb_puts(sbuf *b, const char *s);
void sb_printf(sbuf *b, const char *fmt, ...);

void *nl_grown(void *p, int n, size_t sz);
char *nl_xstrndup(const char *s, size_t n);
char *nl_xstrdup(const char *s);
int nl_ieq(const char *a, const char *b);
int nl_is_blank(char c);
int nl_is_ground(const char *node);
void nl_trim(char *s);
int nl_fail(char **error, int status, const char *file, int line, const char *fmt, ...);

/* Tokens of a card: whitespace separated; with brackets set, '[' and ']'
 * are tokens of their own. */
typedef struct {
    int n;
    char **tok;
} tokens;

void nl_tokens_free(tokens *t);
int nl_tokenize(const char *s, int brackets, tokens *t);
void nl_first_word(const char *s, char *w, size_t n);
const char *nl_after_first_word(const char *s);

typedef struct {
    dwmtj_netlist *nl;
    char **error;
    int in_control;        /* inside .control while reading */
    int control_file, control_line;
} reader;

int nl_add_file(dwmtj_netlist *nl, const char *name);
int nl_read_text(reader *R, int file, const char *text, int is_main, int depth);
int nl_read_whole_file(const char *path, char **text);

int nl_analyse_cards(dwmtj_netlist *nl, char **error);
void nl_neuron_free(dwmtj_nl_neuron *n);

#endif
