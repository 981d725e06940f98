/* A growing string for text built in pieces (decks, messages, reports).
 * Once an allocation fails, err is set and every later put is a no-op, so
 * a caller checks once at the end. */
#ifndef DWMTJ_STR_H
#define DWMTJ_STR_H

#include <stdarg.h>
#include <stddef.h>

typedef struct {
    char *s;       /* NUL-terminated once anything was put; NULL before */
    size_t len;    /* bytes in s, without the NUL */
    size_t cap;    /* bytes allocated */
    int err;       /* 1: an allocation failed */
} dwmtj_str;

void dwmtj_str_putn(dwmtj_str *b, const char *s, size_t n);
void dwmtj_str_puts(dwmtj_str *b, const char *s);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void dwmtj_str_printf(dwmtj_str *b, const char *fmt, ...);
void dwmtj_str_vprintf(dwmtj_str *b, const char *fmt, va_list ap);
void dwmtj_str_free(dwmtj_str *b); /* frees s and empties b; NULL is fine */

#endif
