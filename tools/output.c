/* dwmtj command-line tool: what it writes (dwmtj_output.h): the progress
 * line, output files written whole or not at all, JSON, CSV, the text
 * report and the gnuplot figure. */
#define _POSIX_C_SOURCE 200809L

#include "dwmtj_output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *const phase_key[DWMTJ_NPHASE] = {
    [DWMTJ_PHASE_IDLE] = "idle",       [DWMTJ_PHASE_WRITE] = "write",
    [DWMTJ_PHASE_INTEGRATE] = "integrate", [DWMTJ_PHASE_FIRE] = "fire",
    [DWMTJ_PHASE_RESET] = "reset"};
/* the order phases are shown in: the order of a cycle */
static const int phase_order[DWMTJ_NPHASE] = {DWMTJ_PHASE_WRITE, DWMTJ_PHASE_INTEGRATE,
                                              DWMTJ_PHASE_FIRE, DWMTJ_PHASE_RESET,
                                              DWMTJ_PHASE_IDLE};

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

void dwmtj_out_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = dwmtj_file_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

void dwmtj_outfile_init(dwmtj_outfile *o)
{
    memset(o, 0, sizeof *o);
    o->slot = -1; /* no signal slot: abort must not free slot 0 */
}

int dwmtj_outfile_open_flags(dwmtj_outfile *o, const char *path, int flags)
{
    if (dwmtj_file_open(o, path, flags) != DWMTJ_FILE_OK) {
        dwmtj_error("%s", o->error);
        return -1;
    }
    return 0;
}

int dwmtj_outfile_open(dwmtj_outfile *o, const char *path)
{
    return dwmtj_outfile_open_flags(o, path, 0);
}

int dwmtj_outfile_commit(dwmtj_outfile *o)
{
    if (dwmtj_file_commit(o) != DWMTJ_FILE_OK) {
        dwmtj_error("%s", o->error);
        return -1;
    }
    return 0;
}

void dwmtj_outfile_abort(dwmtj_outfile *o)
{
    dwmtj_file_abort(o);
}

int dwmtj_write_file(const char *path, const char *text)
{
    char err[600];
    if (dwmtj_file_write_text(path, text, 0, err, sizeof err) != DWMTJ_FILE_OK) {
        dwmtj_error("%s", err);
        return -1;
    }
    return 0;
}

int dwmtj_out_holds_data(const char *path)
{
    struct stat st;
    return path && stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

FILE *dwmtj_out_append_start(dwmtj_outfile *o)
{
    if (!o->part) {
        if (fflush(o->f) == 0)
            return o->f;
        dwmtj_error("%s: cannot write: %s", o->path, strerror(errno));
        dwmtj_outfile_abort(o);
        return NULL;
    }
    /* after the rename this descriptor is the new file's, at its end */
    int fd = dup(fileno(o->f));
    if (fd < 0) {
        dwmtj_error("%s: cannot write: %s", o->path, strerror(errno));
        dwmtj_outfile_abort(o);
        return NULL;
    }
    char *path = strdup(o->path);
    if (dwmtj_outfile_commit(o) != 0) {
        close(fd);
        free(path);
        return NULL;
    }
    FILE *f = fdopen(fd, "a");
    if (!f) {
        dwmtj_error("%s: cannot append: %s", path ? path : "results", strerror(errno));
        close(fd);
    }
    free(path);
    return f;
}

int dwmtj_out_append_end(dwmtj_outfile *o, FILE *f)
{
    if (!f)
        return 0;
    if (f == o->f) /* in place: a device or FIFO */
        return dwmtj_outfile_commit(o);
    int bad = fflush(f) != 0 || ferror(f);
    if (!bad)
        (void)fsync(fileno(f)); /* best effort, as the rows are the run's record */
    bad |= fclose(f) != 0;
    if (bad) {
        dwmtj_error("cannot complete the results file: %s", strerror(errno));
        return -1;
    }
    return 0;
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
        dwmtj_json_num(j, "temperature_max_K", nr->temp_max);
        dwmtj_json_int(j, "soa_violations", nr->n_soa);
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
    double tmax = NAN;
    int soa = 0;
    for (int k = 0; k < r->n_neuron; k++) {
        tmax = isnan(tmax) || r->neuron[k].temp_max > tmax ? r->neuron[k].temp_max : tmax;
        soa += r->neuron[k].n_soa;
    }
    fprintf(f, "  highest device temperature          %s K\n", fmt(b[0], 40, tmax, 1.0, 1));
    fprintf(f, "  safe operating area left            %d time%s\n", soa, soa == 1 ? "" : "s");
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
        dwmtj_error("%s: write failed: %s", o->path, strerror(errno));
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
        dwmtj_error("%s: write failed: %s", o->path, strerror(errno));
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

/* gnuplot with its stdin from a new pipe (*in, for us to write) and its
 * stdout on fd; its pid, or -1 with errno set. */
static pid_t gnuplot_start(int fd, FILE **in)
{
    int p[2];
    if (pipe(p) != 0)
        return -1;
    (void)fcntl(p[1], F_SETFD, FD_CLOEXEC);
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t def;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&fa, fd, STDOUT_FILENO);
    posix_spawnattr_init(&at);
    sigemptyset(&def);
    sigaddset(&def, SIGPIPE); /* ours is ignored; gnuplot's need not be */
    posix_spawnattr_setsigdefault(&at, &def);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF);
    char *argv[] = { "gnuplot", NULL };
    pid_t pid;
    int e = posix_spawnp(&pid, "gnuplot", &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(p[0]);
    if (e != 0 || !(*in = fdopen(p[1], "w"))) {
        if (e == 0) {
            e = errno;
            close(p[1]);
            waitpid(pid, NULL, 0);
        } else {
            close(p[1]);
        }
        errno = e;
        return -1;
    }
    return pid;
}

int dwmtj_plot(dwmtj_outfile *o, const char *title, const dwmtj_report *r)
{
    /* gnuplot writes the PNG to its stdout, which is the output file: a
     * .part file or, in place, a device or FIFO */
    FILE *gp = NULL;
    if (!o->f || fflush(o->f) != 0) {
        dwmtj_error("%s: write failed: %s", o->path ? o->path : "--plot", strerror(errno));
        return -1;
    }
    pid_t pid = gnuplot_start(fileno(o->f), &gp);
    if (pid < 0) {
        dwmtj_error("--plot: cannot start gnuplot: %s", strerror(errno));
        return -1;
    }
    const char *path = o->path;
    double tscale = 1e-6; /* plot in us */
    double tstop = r->t_stop > 0 ? r->t_stop / tscale : 1.0;
    fputs("if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
          "  set terminal pngcairo size 1000,800 noenhanced\n"
          "} else {\n"
          "  set terminal png size 1000,800 noenhanced\n"
          "}\n",
          gp);
    fputs("set output\n$raster << EOD\n", gp);
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
    werr |= fclose(gp) != 0;
    int st;
    pid_t w;
    while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
        ;
    int ok = !werr && w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
    struct stat sb;
    /* a file must have the PNG; a device or FIFO cannot tell */
    if (ok && o->part && (fstat(fileno(o->f), &sb) != 0 || sb.st_size == 0))
        ok = 0;
    if (!ok) {
        dwmtj_error("--plot: gnuplot failed to draw %s", path);
        return -1;
    }
    return 0;
}
