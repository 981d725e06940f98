/* dwmtj command-line tool: options, usage and errors (cli.h). */
#define _POSIX_C_SOURCE 200809L

#include "cli.h"
#include "dwmtj_spice.h"

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

/* The project's one SPICE number parser (dwmtj_spice.h), so that an
 * option reads as the same number as it does on a card ("20u" is the
 * double nearest to 2e-5 in both); surrounding blanks allowed, finite
 * only. */
int dwmtj_parse_number(const char *s, double *out)
{
    if (!s)
        return -1;
    while (isspace((unsigned char)*s))
        s++;
    double v;
    const char *end;
    if (dwmtj_spice_number(s, &v, &end) != 0)
        return -1;
    while (isspace((unsigned char)*end))
        end++;
    if (*end || !isfinite(v))
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

const char *dwmtj_cell_dir(void)
{
    const char *dir = getenv("DWMTJ_CELLDIR");
    return dir && *dir ? dir : DWMTJ_CELLDIR;
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
