#include "dwmtj_str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void grow(dwmtj_str *b, size_t add)
{
    if (b->err || b->len + add + 1 <= b->cap)
        return;
    if (add > (size_t)-1 / 4 - b->len) {
        b->err = 1;
        return;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + add + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        b->err = 1;
        return;
    }
    b->s = s;
    b->cap = cap;
}

void dwmtj_str_putn(dwmtj_str *b, const char *s, size_t n)
{
    grow(b, n);
    if (b->err)
        return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void dwmtj_str_puts(dwmtj_str *b, const char *s) { dwmtj_str_putn(b, s, strlen(s)); }

void dwmtj_str_vprintf(dwmtj_str *b, const char *fmt, va_list ap)
{
    char tmp[256];
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(tmp, sizeof tmp, fmt, aq);
    va_end(aq);
    if (n < 0) {
        b->err = 1;
        return;
    }
    if ((size_t)n < sizeof tmp) {
        dwmtj_str_putn(b, tmp, (size_t)n);
        return;
    }
    grow(b, (size_t)n);
    if (b->err)
        return;
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void dwmtj_str_printf(dwmtj_str *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dwmtj_str_vprintf(b, fmt, ap);
    va_end(ap);
}

void dwmtj_str_free(dwmtj_str *b)
{
    if (!b)
        return;
    free(b->s);
    memset(b, 0, sizeof *b);
}
