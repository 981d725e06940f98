/* Text helpers of the netlist code: a growing string buffer, arrays that
 * grow, copies, comparisons, tokens of a card and its error messages. */
#define _POSIX_C_SOURCE 200809L

#include "netlist_internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void sb_putn(sbuf *b, const char *s, size_t n)
{
    sb_grow(b, n);
    if (b->err)
        return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void sb_puts(sbuf *b, const char *s) { sb_putn(b, s, strlen(s)); }

void sb_printf(sbuf *b, const char *fmt, ...)
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
void *nl_grown(void *p, int n, size_t sz)
{
    if (n > 0 && (n & (n - 1)) != 0)
        return p;
    return realloc(p, (size_t)(n > 0 ? 2 * n : 1) * sz);
}

char *nl_xstrndup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *nl_xstrdup(const char *s) { return nl_xstrndup(s, strlen(s)); }

int nl_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

int nl_is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

int nl_is_ground(const char *node) { return strcmp(node, "0") == 0 || nl_ieq(node, "gnd"); }

/* *error = "FILE:LINE: message" (or "FILE: message" for line 0). */
int nl_fail(char **error, int status, const char *file, int line, const char *fmt, ...)
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

void nl_tokens_free(tokens *t)
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
    if (!(v[t->n] = nl_xstrndup(s, n)))
        return -1;
    t->n++;
    return 0;
}

int nl_tokenize(const char *s, int brackets, tokens *t)
{
    t->n = 0;
    t->tok = NULL;
    const char *p = s;
    while (*p) {
        while (*p && nl_is_blank(*p))
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
        while (*q && !nl_is_blank(*q) && !(brackets && (*q == '[' || *q == ']')))
            q++;
        if (tokens_push(t, p, (size_t)(q - p)) != 0)
            goto nomem;
        p = q;
    }
    return 0;
nomem:
    nl_tokens_free(t);
    return -1;
}

/* First word of a card, lower case, into w (truncated). */
void nl_first_word(const char *s, char *w, size_t n)
{
    size_t k = 0;
    while (*s && nl_is_blank(*s))
        s++;
    while (*s && !nl_is_blank(*s) && k + 1 < n)
        w[k++] = (char)tolower((unsigned char)*s++);
    w[k] = '\0';
}

/* The text after the first word, trimmed. */
const char *nl_after_first_word(const char *s)
{
    while (*s && nl_is_blank(*s))
        s++;
    while (*s && !nl_is_blank(*s))
        s++;
    while (*s && nl_is_blank(*s))
        s++;
    return s;
}

void nl_trim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (nl_is_blank(s[n - 1]) || s[n - 1] == '\n'))
        s[--n] = '\0';
    size_t k = 0;
    while (s[k] && nl_is_blank(s[k]))
        k++;
    if (k)
        memmove(s, s + k, n - k + 1);
}
