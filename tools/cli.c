/* dwmtj command-line tool: options, usage and errors (cli.h). */
#define _POSIX_C_SOURCE 200809L

#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void dwmtj_error(const char *fmt, ...)
{
    va_list ap;
    fputs(DWMTJ_TOOL ": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int dwmtj_usage_hint(const char *sub)
{
    if (sub)
        fprintf(stderr, "Try '" DWMTJ_TOOL " %s --help'.\n", sub);
    else
        fputs("Try '" DWMTJ_TOOL " --help'.\n", stderr);
    return DWMTJ_EXIT_USAGE;
}

int dwmtj_usage_error(const char *sub, const char *fmt, ...)
{
    va_list ap;
    if (sub)
        fprintf(stderr, DWMTJ_TOOL ": %s: ", sub);
    else
        fputs(DWMTJ_TOOL ": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return dwmtj_usage_hint(sub);
}

int dwmtj_parse_number(const char *s, double *out)
{
    if (!s)
        return -1;
    while (isspace((unsigned char)*s))
        s++;
    /* strtod also takes "nan", "inf" and hexadecimal: only decimal here */
    if (!*s || !(isdigit((unsigned char)*s) || *s == '.' || *s == '-' || *s == '+'))
        return -1;
    if ((s[0] == '-' || s[0] == '+') && !(isdigit((unsigned char)s[1]) || s[1] == '.'))
        return -1;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno == ERANGE)
        return -1;
    double scale = 1.0;
    const char *p = end;
    if (strncasecmp(p, "meg", 3) == 0) {
        scale = 1e6;
        p += 3;
    } else if (strncasecmp(p, "mil", 3) == 0) {
        scale = 25.4e-6;
        p += 3;
    } else {
        switch (tolower((unsigned char)*p)) {
        case 'f': scale = 1e-15; p++; break;
        case 'p': scale = 1e-12; p++; break;
        case 'n': scale = 1e-9; p++; break;
        case 'u': scale = 1e-6; p++; break;
        case 'm': scale = 1e-3; p++; break;
        case 'k': scale = 1e3; p++; break;
        case 'g': scale = 1e9; p++; break;
        case 't': scale = 1e12; p++; break;
        default: break;
        }
    }
    /* unit letters after the scale, ignored as in SPICE: "10ns", "1uS" */
    while (isalpha((unsigned char)*p))
        p++;
    while (isspace((unsigned char)*p))
        p++;
    if (*p)
        return -1;
    v *= scale;
    if (!isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int dwmtj_opt(int argc, char **argv, int *i, const char *name, const char **val)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    if (a[n] != '\0')
        return 0;
    if (*i + 1 >= argc) {
        dwmtj_error("%s: option %s needs a value", argv[0], name);
        return -1;
    }
    *val = argv[++*i];
    return 1;
}

int dwmtj_parse_int(const char *s, long lo, long hi, long *out)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno == ERANGE || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int dwmtj_opt_int(const char *sub, const char *opt, const char *v, long lo, long hi, int *out)
{
    long x;
    if (dwmtj_parse_int(v, lo, hi, &x) != 0)
        return dwmtj_usage_error(sub, "%s %s: not an integer in %ld..%ld", opt, v ? v : "", lo,
                                 hi);
    *out = (int)x;
    return 0;
}

int dwmtj_opt_choice(const char *sub, const char *opt, const char *v, const char *const *names,
                     int n, int *out)
{
    char list[256] = "";
    for (int k = 0; k < n; k++) {
        if (v && strcmp(v, names[k]) == 0) {
            *out = k;
            return 0;
        }
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, "%s%s", k ? ", " : "", names[k]);
    }
    return dwmtj_usage_error(sub, "%s %s: not one of %s", opt, v ? v : "", list);
}

int dwmtj_opt_number(const char *sub, const char *opt, const char *v, double lo, double hi,
                     int flags, const char *unit, double *out)
{
    double x;
    if (dwmtj_parse_number(v, &x) != 0)
        return dwmtj_usage_error(sub, "%s %s: not a number", opt, v ? v : "");
    int above = flags & DWMTJ_ABOVE, below = flags & DWMTJ_BELOW;
    if ((above ? x > lo : x >= lo) && (below ? x < hi : x <= hi)) {
        *out = x;
        return 0;
    }
    const char *sp = unit && *unit ? " " : "", *u = unit ? unit : "";
    if (isinf(hi))
        return dwmtj_usage_error(sub, "%s %s: must be %s %g%s%s", opt, v, above ? ">" : ">=", lo,
                                 sp, u);
    return dwmtj_usage_error(sub, "%s %s: must be %s %g and %s %g%s%s", opt, v,
                             above ? ">" : ">=", lo, below ? "<" : "<=", hi, sp, u);
}

void dwmtj_getopt_start(void)
{
    opterr = 0;
#ifdef __GLIBC__
    optind = 0; /* glibc: a full restart, also of a scan left inside "-xy" */
#else
    optind = 1;
#endif
}

static const char *long_name(const struct option *lo, int val)
{
    for (; lo && lo->name; lo++)
        if (lo->val == val && !lo->flag)
            return lo->name;
    return NULL;
}

int dwmtj_getopt_error(const char *sub, int c, char *const *argv, const struct option *lo)
{
    const char *arg = optind > 0 && argv[optind - 1] ? argv[optind - 1] : "";
    const char *name = optopt ? long_name(lo, optopt) : NULL;
    if (c == ':') {
        if (name)
            return dwmtj_usage_error(sub, "option --%s needs a value", name);
        return dwmtj_usage_error(sub, "option -%c needs a value", optopt);
    }
    if (optopt) {
        if (name && strncmp(arg, "--", 2) == 0)
            return dwmtj_usage_error(sub, "option '--%s' takes no value ('%s')", name, arg);
        if (optopt < 256 && isprint(optopt))
            return dwmtj_usage_error(sub, "unknown option '-%c'", optopt);
        return dwmtj_usage_error(sub, "unknown option '%s'", arg);
    }
    /* a long option getopt did not take: unknown, or a prefix of several */
    if (strncmp(arg, "--", 2) != 0)
        return dwmtj_usage_error(sub, "unknown option '%s'", arg);
    const char *given = arg + 2;
    int len = (int)strcspn(given, "=");
    char cands[512] = "";
    int n = 0;
    for (const struct option *o = lo; o && o->name; o++)
        if (strncmp(o->name, given, (size_t)len) == 0) {
            size_t at = strlen(cands);
            snprintf(cands + at, sizeof cands - at, "%s--%s", n ? ", " : "", o->name);
            n++;
        }
    if (n > 1)
        return dwmtj_usage_error(sub, "option '--%.*s' is ambiguous (%s)", len, given, cands);
    return dwmtj_usage_error(sub, "unknown option '--%.*s'", len, given);
}

#ifndef DWMTJ_NETDIR
#define DWMTJ_NETDIR "/usr/local/share/dwmtj4t/networks"
#endif

const char *dwmtj_network_path(char *buf, size_t n, const char *name)
{
    const char *dir = getenv("DWMTJ_NETDIR");
    snprintf(buf, n, "%s/%s", dir && *dir ? dir : DWMTJ_NETDIR, name);
    return buf;
}

int dwmtj_parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (end == s || *end || errno == ERANGE)
        return -1;
    *out = (uint64_t)v;
    return 0;
}
