/* The one SPICE lexer: a card into tokens (spice_internal.h). */
#include "spice_internal.h"

#include <stdlib.h>
#include <string.h>

void sp_tokens_free(sp_tokens *t)
{
    for (int k = 0; k < t->n; k++)
        free(t->tok[k]);
    free(t->tok);
    free(t->off);
    memset(t, 0, sizeof *t);
}

static int push(sp_tokens *t, const char *s, size_t n, int off)
{
    if (t->n == t->cap) {
        int cap = t->cap ? 2 * t->cap : 16;
        char **tok = realloc(t->tok, sizeof *tok * (size_t)cap);
        if (!tok)
            return -1;
        t->tok = tok;
        int *o = realloc(t->off, sizeof *o * (size_t)cap);
        if (!o)
            return -1;
        t->off = o;
        t->cap = cap;
    }
    if (!(t->tok[t->n] = sp_strndup(s, n)))
        return -1;
    t->off[t->n++] = off;
    return 0;
}

static int single(char c) { return c == '(' || c == ')' || c == '[' || c == ']' || c == '='; }

/* Returns 0, -1 out of memory, -2 an unclosed quote or brace (the token
 * then runs to the end). */
int sp_tokenize(const char *s, sp_tokens *t)
{
    memset(t, 0, sizeof *t);
    const char *p = s;
    int rc = 0;
    while (*p) {
        while (*p && (sp_blank(*p) || *p == ','))
            p++;
        if (!*p)
            break;
        const char *q = p;
        if (single(*p)) {
            q = p + 1;
        } else if (*p == '"' || *p == '\'' || *p == '{') {
            char close = *p == '{' ? '}' : *p;
            int depth = 0;
            for (q = p; *q; q++) {
                if (*p == '{' && *q == '{')
                    depth++;
                else if (*q == close && q > p && (*p != '{' || --depth == 0))
                    break;
            }
            if (*q)
                q++;
            else
                rc = -2;
        } else {
            while (*q && !sp_blank(*q) && *q != ',' && !single(*q))
                q++;
        }
        if (push(t, p, (size_t)(q - p), (int)(p - s)) != 0) {
            sp_tokens_free(t);
            return -1;
        }
        p = q;
    }
    return rc;
}
