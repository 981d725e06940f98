/* What the files of spice/ share; not installed, and no name here starts
 * with dwmtj_, so nothing of it is exported. */
#ifndef SPICE_INTERNAL_H
#define SPICE_INTERNAL_H

#include "dwmtj_spice.h"
#include "dwmtj_str.h"

#include <stddef.h>

/* A number with 17 significant digits (exact round trip). */
void sp_num(dwmtj_str *b, double v);

char *sp_strndup(const char *s, size_t n);
char *sp_strdup(const char *s);        /* NULL for NULL */
char *sp_lower_dup(const char *s);     /* lower-case copy; NULL for NULL */
int sp_ieq(const char *a, const char *b);
int sp_blank(char c);

/* Makes room for need elements of size sz in *p (capacity *cap),
 * doubling; -1 when out of memory (*p is then as it was). */
int sp_grow(void **p, int *cap, int need, size_t sz);

/* *error = "FILE:LINE: message" ("FILE: message" for line 0); returns
 * status. */
#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
int sp_fail(char **error, int status, const char *file, int line, const char *fmt, ...);

/* Frees what a card owns (not the card itself). */
void sp_card_clear(dwmtj_spice_card *c);
void sp_scope_clear(dwmtj_spice_scope *s);
void sp_params_free(dwmtj_spice_param *p, int n);
/* Appends a parameter to the array *p of *n. */
int sp_param_push(dwmtj_spice_param **p, int *n, const char *name, const char *text,
                  int quoted);

/* The expression e as text (spice/expr.c). */
void sp_expr_write(dwmtj_str *b, const dwmtj_spice_expr *e);

/* Tokens of a card (spice/lex.c): words, "strings" (quotes kept), {..}
 * and '..' expressions as one token each, and ( ) [ ] = as tokens of their
 * own; blanks and commas separate.  off[k] is the offset of token k in
 * the card's text. */
typedef struct {
    int n, cap;
    char **tok;
    int *off;
} sp_tokens;

int sp_tokenize(const char *s, sp_tokens *t);
void sp_tokens_free(sp_tokens *t);

#endif
