/* Text helpers of the inference module. */
#include "infer_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static void vput(infer_buf *b, const char *fmt, va_list ap)
{
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (b->err || n < 0) {
        b->err = 1;
        return;
    }
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + (size_t)n + 1)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->err = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void infer_printf(infer_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vput(b, fmt, ap);
    va_end(ap);
}

int infer_fail(char **error, int status, const char *fmt, ...)
{
    if (!error)
        return status;
    infer_buf b = { 0 };
    va_list ap;
    va_start(ap, fmt);
    vput(&b, fmt, ap);
    va_end(ap);
    *error = b.err ? (free(b.s), NULL) : b.s;
    return status;
}
