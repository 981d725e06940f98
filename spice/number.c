/* SPICE numbers: a mantissa, an optional exponent, an optional scale
 * factor and optional unit letters, as ngspice's INPevaluate reads them
 * ("1.6u" = 1.6e-6, "100ns" = 1e-7, "5meg" = 5e6, "2mil" = 50.8e-6). */
#include "dwmtj_spice.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int lower(char c) { return tolower((unsigned char)c); }

int dwmtj_spice_number(const char *s, double *value, const char **end)
{
    if (!s || !value)
        return -1;
    const char *p = s;
    char buf[128];
    size_t n = 0;
    if (*p == '+' || *p == '-')
        buf[n++] = *p++;
    int digits = 0;
    while (is_digit(*p)) {
        if (n < 100)
            buf[n++] = *p;
        p++;
        digits++;
    }
    if (*p == '.') {
        if (n < 100)
            buf[n++] = '.';
        p++;
        while (is_digit(*p)) {
            if (n < 100)
                buf[n++] = *p;
            p++;
            digits++;
        }
    }
    if (digits == 0 || digits > 90)
        return -1;
    /* exponent: e/E/d/D followed by digits (with an optional sign) */
    long expo = 0;
    char c = (char)lower(*p);
    if (c == 'e' || c == 'd') {
        const char *q = p + 1;
        int sign = 1;
        if (*q == '+' || *q == '-') {
            sign = *q == '-' ? -1 : 1;
            q++;
        }
        if (is_digit(*q)) {
            while (is_digit(*q)) {
                if (expo < 100000)
                    expo = 10 * expo + (*q - '0');
                q++;
            }
            expo *= sign;
            p = q;
        }
    }
    /* scale factor */
    long scale = 0;
    double factor = 1.0;
    switch (lower(*p)) {
    case 't': scale = 12; p++; break;
    case 'g': scale = 9; p++; break;
    case 'k': scale = 3; p++; break;
    case 'u': scale = -6; p++; break;
    case 'n': scale = -9; p++; break;
    case 'p': scale = -12; p++; break;
    case 'f': scale = -15; p++; break;
    case 'm':
        if (lower(p[1]) == 'e' && lower(p[2]) == 'g') {
            scale = 6;
            p += 3;
        } else if (lower(p[1]) == 'i' && lower(p[2]) == 'l') {
            scale = -6;
            factor = 25.4;
            p += 3;
        } else {
            scale = -3;
            p++;
        }
        break;
    default:
        break;
    }
    /* unit letters, ignored as ngspice does */
    while (isalpha((unsigned char)*p) || *p == '_')
        p++;
    /* mantissa and the combined exponent through strtod: correctly
     * rounded, so "1.6u" is exactly the double 1.6e-6 */
    snprintf(buf + n, sizeof buf - n, "e%ld", expo + scale);
    double v = strtod(buf, NULL) * factor;
    *value = v;
    if (end)
        *end = p;
    return 0;
}

int dwmtj_spice_number_token(const char *tok, double *value)
{
    const char *end;
    double v;
    if (dwmtj_spice_number(tok, &v, &end) != 0 || *end != '\0')
        return -1;
    *value = v;
    return 0;
}
