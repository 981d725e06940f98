/* Text helpers of spice/: numbers, copies, messages. */
#include "spice_internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The shortest of 15, 16 or 17 digits that reads back as v: a number a
 * user would write (0.1, 7e-10) stays as written, every other one keeps
 * all its bits. */
void sp_num(dwmtj_str *b, double v)
{
    char tmp[40];
    int n = 0;
    for (int digits = 15; digits <= 17; digits++) {
        n = snprintf(tmp, sizeof tmp, "%.*g", digits, v);
        if (strtod(tmp, NULL) == v || v != v)
            break;
    }
    dwmtj_str_putn(b, tmp, (size_t)n);
}

char *sp_strndup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *sp_strdup(const char *s) { return s ? sp_strndup(s, strlen(s)) : NULL; }

char *sp_lower_dup(const char *s)
{
    char *d = sp_strdup(s);
    for (char *p = d; p && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return d;
}

int sp_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

int sp_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

int sp_grow(void **p, int *cap, int need, size_t sz)
{
    if (need <= *cap)
        return 0;
    long n = *cap ? 2L * *cap : 8;
    while (n < need)
        n *= 2;
    if (n > (long)(0x7fffffff / 2))
        return -1;
    void *q = realloc(*p, (size_t)n * sz);
    if (!q)
        return -1;
    *p = q;
    *cap = (int)n;
    return 0;
}

int sp_fail(char **error, int status, const char *file, int line, const char *fmt, ...)
{
    if (!error)
        return status;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    dwmtj_str b = { 0 };
    if (line > 0)
        dwmtj_str_printf(&b, "%s:%d: %s", file ? file : "deck", line, msg);
    else
        dwmtj_str_printf(&b, "%s: %s", file ? file : "deck", msg);
    free(*error);
    *error = b.err ? NULL : b.s;
    if (b.err)
        free(b.s);
    return status;
}

const char *dwmtj_spice_status_string(int status)
{
    switch (status) {
    case DWMTJ_SPICE_OK: return "ok";
    case DWMTJ_SPICE_ERR_NOMEM: return "out of memory";
    case DWMTJ_SPICE_ERR_USAGE: return "bad argument";
    case DWMTJ_SPICE_ERR_FILE: return "a file is missing or unreadable";
    case DWMTJ_SPICE_ERR_SYNTAX: return "malformed card";
    case DWMTJ_SPICE_ERR_LIMIT: return "beyond a limit of the reader";
    case DWMTJ_SPICE_ERR_PARAM: return "unknown or invalid device parameter";
    default: return status > 0 ? "warning" : "unknown status";
    }
}
