/* dwmtj command-line tool: numbers from the command line, the progress
 * line, output files written whole or not at all, JSON, CSV, the text
 * report and the gnuplot figure. */
#define _POSIX_C_SOURCE 200809L

#include "dwmtj_output.h"
#include "dwmtj_spice.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const phase_key[DWMTJ_NPHASE] = {
    [DWMTJ_PHASE_IDLE] = "idle",       [DWMTJ_PHASE_WRITE] = "write",
    [DWMTJ_PHASE_INTEGRATE] = "integrate", [DWMTJ_PHASE_FIRE] = "fire",
    [DWMTJ_PHASE_RESET] = "reset"};
/* the order phases are shown in: the order of a cycle */
static const int phase_order[DWMTJ_NPHASE] = {DWMTJ_PHASE_WRITE, DWMTJ_PHASE_INTEGRATE,
                                              DWMTJ_PHASE_FIRE, DWMTJ_PHASE_RESET,
                                              DWMTJ_PHASE_IDLE};

void dwmtj_error(const char *fmt, ...)
{
    va_list ap;
    fputs(DWMTJ_TOOL ": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* ------------------------------------------------------------------------
 * Numbers
 * --------------------------------------------------------------------- */

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

/* ------------------------------------------------------------------------
 * Progress
 * --------------------------------------------------------------------- */

void dwmtj_progress_init(struct dwmtj_progress *p)
{
    p->enabled = isatty(STDERR_FILENO);
    p->last = -1;
}

/* Called from ngspice's background thread; the main thread only waits. */
void dwmtj_progress_cb(double fraction, void *userdata)
{
    struct dwmtj_progress *p = userdata;
    if (!p || !p->enabled || !(fraction >= 0.0))
        return;
    int pc = fraction >= 1.0 ? 100 : (int)(fraction * 100.0);
    if (pc == p->last)
        return;
    p->last = pc;
    fprintf(stderr, "\r run: %d %%", pc);
    fflush(stderr);
}

void dwmtj_progress_done(struct dwmtj_progress *p)
{
    if (p && p->enabled && p->last >= 0) {
        fputs("\r            \r", stderr);
        fflush(stderr);
    }
    if (p)
        p->last = -1;
}

/* ------------------------------------------------------------------------
 * Files written whole or not at all
 * --------------------------------------------------------------------- */

#define NPART 8
static char part_path[NPART][PATH_MAX];
static volatile sig_atomic_t part_used[NPART];

static void on_signal(int sig)
{
    for (int k = 0; k < NPART; k++)
        if (part_used[k])
            unlink(part_path[k]);
    signal(sig, SIG_DFL);
    raise(sig);
}

void dwmtj_out_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static int part_track(const char *path)
{
    if (strlen(path) >= PATH_MAX)
        return -1;
    for (int k = 0; k < NPART; k++)
        if (!part_used[k]) {
            memcpy(part_path[k], path, strlen(path) + 1);
            part_used[k] = 1;
            return k;
        }
    return -1;
}

static void part_untrack(int k)
{
    if (k >= 0 && k < NPART)
        part_used[k] = 0;
}

static char *part_name(const char *path)
{
    size_t n = strlen(path);
    char *p = malloc(n + 6);
    if (p) {
        memcpy(p, path, n);
        memcpy(p + n, ".part", 6);
    }
    return p;
}

int dwmtj_outfile_open(dwmtj_outfile *o, const char *path)
{
    memset(o, 0, sizeof *o);
    o->slot = -1;
    if (!path || !*path) {
        dwmtj_error("empty output file name");
        return -1;
    }
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        dwmtj_error("%s: cannot write: is a directory", path);
        return -1;
    }
    o->path = strdup(path);
    o->part = part_name(path);
    if (!o->path || !o->part) {
        dwmtj_error("%s: out of memory", path);
        dwmtj_outfile_abort(o);
        return -1;
    }
    o->slot = part_track(o->part);
    o->f = fopen(o->part, "w");
    if (!o->f) {
        dwmtj_error("%s: cannot write: %s (writing %s)", path, strerror(errno), o->part);
        part_untrack(o->slot); /* not ours: leave whatever is there */
        o->slot = -1;
        dwmtj_outfile_abort(o);
        return -1;
    }
    return 0;
}

void dwmtj_outfile_abort(dwmtj_outfile *o)
{
    if (o->f)
        fclose(o->f);
    if (o->part && (o->f || o->slot >= 0))
        unlink(o->part);
    part_untrack(o->slot);
    free(o->path);
    free(o->part);
    memset(o, 0, sizeof *o);
    o->slot = -1;
}

int dwmtj_outfile_commit(dwmtj_outfile *o)
{
    if (!o->f)
        return -1;
    int bad = fflush(o->f) != 0 || ferror(o->f);
    int err = errno;
    if (fclose(o->f) != 0 && !bad) {
        bad = 1;
        err = errno;
    }
    o->f = NULL;
    if (bad) {
        dwmtj_error("%s: write failed: %s", o->part, strerror(err));
        unlink(o->part);
        dwmtj_outfile_abort(o);
        return -1;
    }
    if (rename(o->part, o->path) != 0) {
        dwmtj_error("%s: cannot rename to %s: %s", o->part, o->path, strerror(errno));
        unlink(o->part);
        dwmtj_outfile_abort(o);
        return -1;
    }
    part_untrack(o->slot);
    o->slot = -1;
    dwmtj_outfile_abort(o); /* frees; nothing left to remove */
    return 0;
}

int dwmtj_write_file(const char *path, const char *text)
{
    dwmtj_outfile o;
    if (dwmtj_outfile_open(&o, path) != 0)
        return -1;
    fputs(text, o.f);
    return dwmtj_outfile_commit(&o);
}

/* ------------------------------------------------------------------------
 * JSON
 * --------------------------------------------------------------------- */

static char json_closer[DWMTJ_JSON_DEPTH];

void dwmtj_json_init(dwmtj_json *j, FILE *f, int pretty)
{
    memset(j, 0, sizeof *j);
    j->f = f;
    j->pretty = pretty;
}

static void json_indent(dwmtj_json *j)
{
    if (!j->pretty)
        return;
    fputc('\n', j->f);
    for (int k = 0; k < j->depth; k++)
        fputs("  ", j->f);
}

/* Separator, indentation and key of the next member. */
static void json_member(dwmtj_json *j, const char *key)
{
    if (j->count[j->depth]++ > 0)
        fputc(',', j->f);
    if (j->depth > 0)
        json_indent(j);
    if (key) {
        dwmtj_json_write_string(j->f, key);
        fputs(j->pretty ? ": " : ":", j->f);
    }
}

static void json_open(dwmtj_json *j, const char *key, char open, char close)
{
    json_member(j, key);
    fputc(open, j->f);
    if (j->depth + 1 < DWMTJ_JSON_DEPTH) {
        j->depth++;
        j->count[j->depth] = 0;
        json_closer[j->depth] = close;
    }
}

void dwmtj_json_object(dwmtj_json *j, const char *key) { json_open(j, key, '{', '}'); }
void dwmtj_json_array(dwmtj_json *j, const char *key) { json_open(j, key, '[', ']'); }

void dwmtj_json_end(dwmtj_json *j)
{
    if (j->depth <= 0)
        return;
    char close = json_closer[j->depth];
    int had = j->count[j->depth];
    j->depth--;
    if (had)
        json_indent(j);
    fputc(close, j->f);
    if (j->depth == 0 && j->pretty)
        fputc('\n', j->f);
}

void dwmtj_json_num(dwmtj_json *j, const char *key, double v)
{
    json_member(j, key);
    if (isfinite(v))
        fprintf(j->f, "%.10g", v);
    else
        fputs("null", j->f);
}

void dwmtj_json_int(dwmtj_json *j, const char *key, long v)
{
    json_member(j, key);
    fprintf(j->f, "%ld", v);
}

void dwmtj_json_u64(dwmtj_json *j, const char *key, uint64_t v)
{
    json_member(j, key);
    fprintf(j->f, "%llu", (unsigned long long)v);
}

void dwmtj_json_str(dwmtj_json *j, const char *key, const char *s)
{
    json_member(j, key);
    if (s)
        dwmtj_json_write_string(j->f, s);
    else
        fputs("null", j->f);
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static int utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    int n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    unsigned cp = c & (0x3fu >> (n - 1));
    for (int k = 1; k < n; k++) {
        if ((s[k] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

void dwmtj_json_write_string(FILE *f, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    fputc('"', f);
    while (*s) {
        unsigned c = *s;
        switch (c) {
        case '"': fputs("\\\"", f); s++; continue;
        case '\\': fputs("\\\\", f); s++; continue;
        case '\b': fputs("\\b", f); s++; continue;
        case '\f': fputs("\\f", f); s++; continue;
        case '\n': fputs("\\n", f); s++; continue;
        case '\r': fputs("\\r", f); s++; continue;
        case '\t': fputs("\\t", f); s++; continue;
        default: break;
        }
        if (c < 0x20 || c == 0x7f) {
            fprintf(f, "\\u%04x", c);
            s++;
            continue;
        }
        int n = utf8_len(s);
        if (n == 0) {
            fputs("\\ufffd", f);
            s++;
        } else {
            fwrite(s, 1, (size_t)n, f);
            s += n;
        }
    }
    fputc('"', f);
}

/* ------------------------------------------------------------------------
 * Results
 * --------------------------------------------------------------------- */

static double sum_phases(const double e[DWMTJ_NPHASE])
{
    double s = 0.0;
    for (int k = 0; k < DWMTJ_NPHASE; k++)
        s += e[k];
    return s;
}

int dwmtj_neuron_spikes(const dwmtj_report *r, int k, double *latency,
                        double energy[DWMTJ_NPHASE], double *energy_vi)
{
    int n = 0, nl = 0;
    double lat = 0.0, evi = 0.0;
    for (int p = 0; p < DWMTJ_NPHASE; p++)
        energy[p] = 0.0;
    for (int i = 0; i < r->n_spike; i++) {
        const dwmtj_spike *sp = &r->spike[i];
        if (sp->neuron != k)
            continue;
        n++;
        if (isfinite(sp->latency)) {
            lat += sp->latency;
            nl++;
        }
        for (int p = 0; p < DWMTJ_NPHASE; p++)
            energy[p] += sp->energy[p];
        evi += sp->energy_vi;
    }
    *latency = nl ? lat / nl : NAN;
    *energy_vi = n ? evi / n : NAN;
    for (int p = 0; p < DWMTJ_NPHASE; p++)
        energy[p] = n ? energy[p] / n : NAN;
    return n;
}

static void json_phases(dwmtj_json *j, const char *key, const double e[DWMTJ_NPHASE])
{
    dwmtj_json_object(j, key);
    for (int k = 0; k < DWMTJ_NPHASE; k++)
        dwmtj_json_num(j, phase_key[phase_order[k]], e[phase_order[k]]);
    dwmtj_json_end(j);
}

void dwmtj_json_report(dwmtj_json *j, const char *netlist, const char *ngspice_version,
                       const dwmtj_report *r, const dwmtj_summary *sm)
{
    dwmtj_json_str(j, "netlist", netlist);
    dwmtj_json_str(j, "ngspice_version", ngspice_version);
    dwmtj_json_num(j, "t_stop_s", r->t_stop);
    dwmtj_json_int(j, "spikes", sm->spikes);
    dwmtj_json_num(j, "energy_per_spike_J", sm->energy_per_spike);
    dwmtj_json_num(j, "energy_per_spike_sd_J", sm->energy_per_spike_sd);
    json_phases(j, "energy_by_phase_J", sm->energy_phase);
    dwmtj_json_num(j, "energy_per_spike_vi_J", sm->energy_vi_per_spike);
    dwmtj_json_num(j, "circuit_energy_per_spike_J", sm->circuit_energy_per_spike);
    dwmtj_json_num(j, "energy_sources_J", r->energy_sources);
    dwmtj_json_num(j, "latency_per_spike_s", sm->latency);
    dwmtj_json_num(j, "latency_sd_s", sm->latency_sd);
    dwmtj_json_num(j, "reset_latency_s", sm->reset_latency);
    dwmtj_json_array(j, "neurons");
    for (int k = 0; k < r->n_neuron; k++) {
        const dwmtj_neuron_report *nr = &r->neuron[k];
        dwmtj_json_object(j, NULL);
        dwmtj_json_str(j, "name", nr->name);
        dwmtj_json_int(j, "writes", nr->writes);
        dwmtj_json_int(j, "depins", nr->depins);
        dwmtj_json_int(j, "fires", nr->fires);
        dwmtj_json_int(j, "resets", nr->resets);
        dwmtj_json_num(j, "energy_J", sum_phases(nr->energy));
        json_phases(j, "energy_by_phase_J", nr->energy);
        dwmtj_json_num(j, "energy_vi_J", nr->energy_vi);
        dwmtj_json_array(j, "spikes");
        for (int i = 0; i < r->n_spike; i++) {
            const dwmtj_spike *sp = &r->spike[i];
            if (sp->neuron != k)
                continue;
            dwmtj_json_object(j, NULL);
            dwmtj_json_num(j, "t_write_s", sp->t_write);
            dwmtj_json_num(j, "t_first_s", sp->t_first);
            dwmtj_json_num(j, "t_fire_s", sp->t_fire);
            dwmtj_json_num(j, "t_reset_s", sp->t_reset);
            dwmtj_json_num(j, "latency_s", sp->latency);
            dwmtj_json_num(j, "reset_latency_s", sp->reset_latency);
            dwmtj_json_num(j, "energy_J", sum_phases(sp->energy));
            json_phases(j, "energy_by_phase_J", sp->energy);
            dwmtj_json_num(j, "energy_vi_J", sp->energy_vi);
            dwmtj_json_end(j);
        }
        dwmtj_json_end(j);
        dwmtj_json_end(j);
    }
    dwmtj_json_end(j);
}

/* v / unit with prec decimals, or "-" when not finite. */
static const char *fmt(char *buf, size_t n, double v, double unit, int prec)
{
    if (isfinite(v))
        snprintf(buf, n, "%.*f", prec, v / unit);
    else
        snprintf(buf, n, "-");
    return buf;
}

void dwmtj_text_report(FILE *f, const char *netlist, const char *ngspice_version,
                       const dwmtj_report *r, const dwmtj_summary *sm)
{
    char b[8][40];
    fprintf(f, "%s: %d neuron%s, %s us simulated (ngspice %s)\n\n", netlist, r->n_neuron,
            r->n_neuron == 1 ? "" : "s", fmt(b[0], 40, r->t_stop, 1e-6, 3),
            ngspice_version ? ngspice_version : "?");
    int w = 6;
    for (int k = 0; k < r->n_neuron; k++)
        if ((int)strlen(r->neuron[k].name) > w)
            w = (int)strlen(r->neuron[k].name);
    fprintf(f, "%-*s %6s %6s %6s %6s %9s   %s\n", w, "", "", "", "", "", "latency",
            "energy per spike (pJ)");
    fprintf(f, "%-*s %6s %6s %6s %6s %9s %9s %9s %9s %9s %9s %9s\n", w, "neuron", "writes",
            "depins", "fires", "resets", "(ns)", "write", "integrate", "fire", "reset", "idle",
            "total");
    for (int k = 0; k < r->n_neuron; k++) {
        const dwmtj_neuron_report *nr = &r->neuron[k];
        double lat, e[DWMTJ_NPHASE], evi;
        int n = dwmtj_neuron_spikes(r, k, &lat, e, &evi);
        fprintf(f, "%-*s %6d %6d %6d %6d %9s", w, nr->name, nr->writes, nr->depins, nr->fires,
                nr->resets, fmt(b[0], 40, lat, 1e-9, 1));
        for (int p = 0; p < DWMTJ_NPHASE; p++)
            fprintf(f, " %9s", fmt(b[1], 40, e[phase_order[p]], 1e-12, 1));
        fprintf(f, " %9s\n", fmt(b[1], 40, n ? sum_phases(e) : NAN, 1e-12, 1));
    }
    fprintf(f, "\ntotals\n");
    fprintf(f, "  spikes                              %d\n", sm->spikes);
    fprintf(f, "  energy per spike (model)            %s pJ (sd %s pJ)\n",
            fmt(b[0], 40, sm->energy_per_spike, 1e-12, 1),
            fmt(b[1], 40, sm->energy_per_spike_sd, 1e-12, 1));
    fprintf(f, "    by phase: write %s, integrate %s, fire %s, reset %s, idle %s pJ\n",
            fmt(b[0], 40, sm->energy_phase[DWMTJ_PHASE_WRITE], 1e-12, 1),
            fmt(b[1], 40, sm->energy_phase[DWMTJ_PHASE_INTEGRATE], 1e-12, 1),
            fmt(b[2], 40, sm->energy_phase[DWMTJ_PHASE_FIRE], 1e-12, 1),
            fmt(b[3], 40, sm->energy_phase[DWMTJ_PHASE_RESET], 1e-12, 1),
            fmt(b[4], 40, sm->energy_phase[DWMTJ_PHASE_IDLE], 1e-12, 1));
    fprintf(f, "  energy per spike (sum V*I)          %s pJ\n",
            fmt(b[0], 40, sm->energy_vi_per_spike, 1e-12, 1));
    fprintf(f, "  circuit energy per spike (sources)  %s pJ\n",
            fmt(b[0], 40, sm->circuit_energy_per_spike, 1e-12, 1));
    fprintf(f, "  mean latency (first pulse to fire)  %s ns (sd %s ns)\n",
            fmt(b[0], 40, sm->latency, 1e-9, 1), fmt(b[1], 40, sm->latency_sd, 1e-9, 1));
    fprintf(f, "  mean reset latency (fire to reset)  %s ns\n",
            fmt(b[0], 40, sm->reset_latency, 1e-9, 1));
}

/* ------------------------------------------------------------------------
 * CSV
 * --------------------------------------------------------------------- */

static void csv_field_str(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void csv_field_num(FILE *f, double v)
{
    fputc(',', f);
    if (isfinite(v))
        fprintf(f, "%.10g", v);
}

int dwmtj_csv_header(dwmtj_outfile *o)
{
    fputs("neuron,t_write_s,t_first_s,t_fire_s,t_reset_s,latency_s,reset_latency_s", o->f);
    for (int p = 0; p < DWMTJ_NPHASE; p++)
        fprintf(o->f, ",energy_%s_J", phase_key[phase_order[p]]);
    fputs(",energy_J,energy_vi_J\n", o->f);
    if (fflush(o->f) != 0) {
        dwmtj_error("%s: write failed: %s", o->part, strerror(errno));
        return -1;
    }
    return 0;
}

int dwmtj_csv_row(dwmtj_outfile *o, const dwmtj_report *r, const dwmtj_spike *sp)
{
    const char *name = sp->neuron >= 0 && sp->neuron < r->n_neuron ? r->neuron[sp->neuron].name
                                                                   : "?";
    return dwmtj_csv_row_named(o, name, sp);
}

int dwmtj_csv_row_named(dwmtj_outfile *o, const char *name, const dwmtj_spike *sp)
{
    csv_field_str(o->f, name ? name : "?");
    csv_field_num(o->f, sp->t_write);
    csv_field_num(o->f, sp->t_first);
    csv_field_num(o->f, sp->t_fire);
    csv_field_num(o->f, sp->t_reset);
    csv_field_num(o->f, sp->latency);
    csv_field_num(o->f, sp->reset_latency);
    for (int p = 0; p < DWMTJ_NPHASE; p++)
        csv_field_num(o->f, sp->energy[phase_order[p]]);
    csv_field_num(o->f, sum_phases(sp->energy));
    csv_field_num(o->f, sp->energy_vi);
    fputc('\n', o->f);
    if (fflush(o->f) != 0 || ferror(o->f)) {
        dwmtj_error("%s: write failed: %s", o->part, strerror(errno));
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * gnuplot
 * --------------------------------------------------------------------- */

int dwmtj_plot_available(void)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/bin:/bin";
    char *copy = strdup(path);
    if (!copy)
        return -1;
    int found = 0;
    for (char *save = NULL, *dir = strtok_r(copy, ":", &save); dir && !found;
         dir = strtok_r(NULL, ":", &save)) {
        char exe[PATH_MAX];
        struct stat st;
        if (snprintf(exe, sizeof exe, "%s/gnuplot", *dir ? dir : ".") >= (int)sizeof exe)
            continue;
        if (stat(exe, &st) == 0 && S_ISREG(st.st_mode) && access(exe, X_OK) == 0)
            found = 1;
    }
    free(copy);
    if (!found) {
        dwmtj_error("--plot: gnuplot not found on PATH; install gnuplot or leave out --plot");
        return -1;
    }
    return 0;
}

/* s as a gnuplot single-quoted string ('' stands for '). */
static void gp_string(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', f);
        if (*s != '\n' && *s != '\r')
            fputc(*s, f);
    }
    fputc('\'', f);
}

int dwmtj_plot(const char *path, const char *title, const dwmtj_report *r)
{
    char *part = part_name(path);
    if (!part) {
        dwmtj_error("%s: out of memory", path);
        return -1;
    }
    int slot = part_track(part);
    /* gnuplot's stdout away from ours: with a failed "set output" it would
     * write the PNG there */
    FILE *gp = popen("exec gnuplot >/dev/null", "w");
    if (!gp) {
        dwmtj_error("--plot: cannot start gnuplot: %s", strerror(errno));
        part_untrack(slot);
        free(part);
        return -1;
    }
    double tscale = 1e-6; /* plot in us */
    double tstop = r->t_stop > 0 ? r->t_stop / tscale : 1.0;
    fputs("if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
          "  set terminal pngcairo size 1000,800 noenhanced\n"
          "} else {\n"
          "  set terminal png size 1000,800 noenhanced\n"
          "}\n",
          gp);
    fputs("set output ", gp);
    gp_string(gp, part);
    fputs("\n$raster << EOD\n", gp);
    for (int i = 0; i < r->n_spike; i++)
        if (isfinite(r->spike[i].t_fire))
            fprintf(gp, "%.10g %d\n", r->spike[i].t_fire / tscale, r->spike[i].neuron);
    fputs("EOD\n$energy << EOD\n", gp);
    for (int i = 0; i < r->n_spike; i++) {
        const dwmtj_spike *sp = &r->spike[i];
        if (!isfinite(sp->t_fire))
            continue;
        fprintf(gp, "%.10g %.10g ", sp->t_fire / tscale, sum_phases(sp->energy) / 1e-12);
        if (isfinite(sp->energy_vi))
            fprintf(gp, "%.10g\n", sp->energy_vi / 1e-12);
        else
            fputs("NaN\n", gp);
    }
    fputs("EOD\n", gp);
    fputs("set multiplot layout 2,1 title ", gp);
    gp_string(gp, title ? title : path);
    fputs("\nset grid\nset lmargin 14\nset rmargin 4\n", gp);
    fprintf(gp, "set xrange [0:%.10g]\n", tstop);
    fputs("set title 'spike raster'\nset xlabel 'fire time (us)'\nset ylabel 'neuron'\n", gp);
    int nn = r->n_neuron > 0 ? r->n_neuron : 1;
    fprintf(gp, "set yrange [-0.5:%g]\n", nn - 0.5);
    if (r->n_neuron > 0 && r->n_neuron <= 32) {
        fputs("set ytics (", gp);
        for (int k = 0; k < r->n_neuron; k++) {
            if (k)
                fputs(", ", gp);
            gp_string(gp, r->neuron[k].name);
            fprintf(gp, " %d", k);
        }
        fputs(")\n", gp);
    }
    if (r->n_spike == 0) {
        fputs("set label 1 'no spikes' at graph 0.5, graph 0.5 center\n"
              "plot -1 notitle\n"
              "set title 'energy per spike'\nset xlabel 'fire time (us)'\n"
              "set ylabel 'energy (pJ)'\nset ytics autofreq\nset yrange [0:1]\n"
              "plot -1 notitle\n",
              gp);
    } else {
        fputs("plot $raster using 1:2 with points pt 7 ps 0.8 notitle\n"
              "unset label 1\n"
              "set title 'energy per spike'\nset xlabel 'fire time (us)'\n"
              "set ylabel 'energy (pJ)'\nset ytics autofreq\nset yrange [0:*]\n"
              "set key outside top center horizontal\n"
              "plot $energy using 1:2 with points pt 7 ps 0.8 title 'device (model)', \\\n"
              "     $energy using 1:3 with points pt 6 ps 1.0 title 'sum V*I'\n",
              gp);
    }
    fputs("unset multiplot\nset output\nexit\n", gp);
    int werr = fflush(gp) != 0 || ferror(gp);
    int st = pclose(gp);
    int ok = !werr && st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
    struct stat sb;
    if (ok && (stat(part, &sb) != 0 || sb.st_size == 0))
        ok = 0;
    if (!ok) {
        if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 127)
            dwmtj_error("--plot: gnuplot could not be run (not installed?)");
        else
            dwmtj_error("--plot: gnuplot failed to draw %s", path);
        unlink(part);
        part_untrack(slot);
        free(part);
        return -1;
    }
    if (rename(part, path) != 0) {
        dwmtj_error("%s: cannot rename to %s: %s", part, path, strerror(errno));
        unlink(part);
        part_untrack(slot);
        free(part);
        return -1;
    }
    part_untrack(slot);
    free(part);
    return 0;
}
