/* Loading a deck into ngspice: the deck's lines as sent, kept for the
 * line numbers of messages, and its stop time for progress. */
#define _POSIX_C_SOURCE 200809L

#include "session_internal.h"
#include "harness_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ngspice/sharedspice.h> /* needs bool: session_internal.h above */

void sess_free_deck(dwmtj_session *s)
{
    free(s->warnings);
    s->warnings = NULL;
    for (int k = 0; s->origin && k < s->n_line; k++)
        free(s->origin[k]);
    free(s->origin);
    s->origin = NULL;
    if (s->line)
        free(s->line[0] ? s->line[0] : NULL); /* one block holds all lines */
    free(s->line);
    s->line = NULL;
    s->n_line = 0;
    free(s->name);
    s->name = NULL;
}

/* A ".end" card (not .endc, .ends): ngspice stops reading there. */
static bool is_end(const char *line)
{
    line += strspn(line, " \t");
    return strncasecmp(line, ".end", 4) == 0 && (line[4] == '\0' || isspace((unsigned char)line[4]));
}

/* Splits text into lines for ngSpice_Circ: '\r' dropped, blank lines
 * become "*" (ngspice skips empty lines, which would shift the line
 * numbers it reports), nothing after the first .end, and a .end added if
 * missing.  All lines live in one block, line[0]. */
static int split_deck(dwmtj_session *s, const char *text)
{
    size_t len = strlen(text), n = 2;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    char *buf = malloc(2 * len + n + 16);
    char **line = calloc(n + 1, sizeof *line);
    if (!buf || !line) {
        free(buf);
        free(line);
        return -1;
    }
    int k = 0;
    bool end = false;
    char *w = buf;
    for (const char *p = text; *p && !end;) {
        size_t m = strcspn(p, "\n");
        size_t t = m;
        while (t > 0 && p[t - 1] == '\r')
            t--;
        line[k++] = w;
        if (strspn(p, " \t\r") >= t) {
            *w++ = '*';
        } else {
            memcpy(w, p, t);
            w += t;
        }
        *w++ = '\0';
        end = is_end(line[k - 1]);
        p += m;
        if (*p)
            p++;
    }
    if (!end) {
        line[k++] = w;
        memcpy(w, ".end", 5);
    }
    line[k] = NULL;
    s->line = line;
    s->n_line = k;
    return 0;
}

/* Stop time of the first .tran card, 0 if none or not a plain number
 * (e.g. {tc}); only for progress. */
static double deck_tstop(const dwmtj_session *s)
{
    for (int i = 0; i < s->n_line; i++) {
        const char *p = s->line[i] + strspn(s->line[i], " \t");
        if (strncasecmp(p, ".tran", 5) != 0 || !isspace((unsigned char)p[5]))
            continue;
        char tok[2][64];
        int n = 0;
        p += 5;
        while (n < 2) {
            p += strspn(p, " \t");
            size_t m = strcspn(p, " \t");
            if (m == 0 || m >= sizeof tok[0])
                break;
            snprintf(tok[n++], sizeof tok[0], "%.*s", (int)m, p);
            p += m;
        }
        double v;
        if (n == 2 && dwmtj_spice_number_token(tok[1], &v) == 0 && v > 0 && isfinite(v))
            return v;
        return 0.0;
    }
    return 0.0;
}

static int load(dwmtj_session *s, const char *name, const char *text,
                const dwmtj_spice_deck *d, const dwmtj_spice_origin *origin, int n_origin);

int dwmtj_session_load(dwmtj_session *s, const char *name, const char *text)
{
    return load(s, name, text, NULL, NULL, 0);
}

int dwmtj_session_load_deck(dwmtj_session *s, const dwmtj_spice_deck *d)
{
    int rc = sess_usable(s);
    if (rc != DWMTJ_H_OK)
        return rc;
    if (!d)
        return sess_fail(s, DWMTJ_H_ERR_USAGE, "dwmtj_session_load_deck: no deck");
    char *text = NULL;
    dwmtj_spice_origin *origin = NULL;
    int n = 0;
    if (dwmtj_spice_write_origins(d, &text, &origin, &n) != DWMTJ_SPICE_OK)
        return sess_fail(s, DWMTJ_H_ERR_NOMEM, "out of memory");
    rc = load(s, d->n_file ? d->file[0] : "netlist", text, d, origin, n);
    free(text);
    free(origin);
    return rc;
}

int dwmtj_session_load_netlist(dwmtj_session *s, const dwmtj_netlist *nl)
{
    if (!nl)
        return sess_fail(s, DWMTJ_H_ERR_USAGE, "dwmtj_session_load_netlist: no netlist");
    return dwmtj_session_load_deck(s, nl->deck);
}

/* "FILE:LINE" of each deck line written from a card the user wrote. */
static int keep_origins(dwmtj_session *s, const dwmtj_spice_deck *d,
                        const dwmtj_spice_origin *origin, int n)
{
    if (!(s->origin = calloc((size_t)(s->n_line > 0 ? s->n_line : 1), sizeof *s->origin)))
        return -1;
    for (int k = 0; k < s->n_line && k < n; k++) {
        if (origin[k].line <= 0 || origin[k].file < 0 || origin[k].file >= d->n_file)
            continue;
        size_t len = strlen(d->file[origin[k].file]) + 16;
        if (!(s->origin[k] = malloc(len)))
            return -1;
        snprintf(s->origin[k], len, "%s:%d", d->file[origin[k].file], origin[k].line);
    }
    return 0;
}

static int load(dwmtj_session *s, const char *name, const char *text,
                const dwmtj_spice_deck *d, const dwmtj_spice_origin *origin, int n_origin)
{
    int rc = sess_usable(s);
    if (rc != DWMTJ_H_OK)
        return rc;
    if (!text)
        return sess_fail(s, DWMTJ_H_ERR_USAGE, "dwmtj_session_load: no netlist text");
    /* the previous circuit and its data go (vector data is valid until the
     * next load) */
    if (s->circuit) {
        sess_ng_command("remcirc");
        sess_ng_command("destroy all");
        s->circuit = false;
    }
    sess_log_reset(s);
    sess_free_deck(s);
    s->load_status = LOAD_NONE;
    s->name = strdup(name ? name : "netlist");
    if (!s->name || split_deck(s, text) != 0 ||
        (d && keep_origins(s, d, origin, n_origin) != 0)) {
        sess_free_deck(s);
        return sess_fail(s, DWMTJ_H_ERR_NOMEM, "out of memory");
    }
    if (is_end(s->line[0])) {
        s->load_status = sess_fail(s, DWMTJ_H_ERR_NETLIST, "%s: empty netlist", s->name);
        snprintf(s->load_error, sizeof s->load_error, "%s", s->error);
        return s->load_status;
    }
    s->tstop = deck_tstop(s);

    size_t mark = sess_log_mark(s);
    rc = ngSpice_Circ(s->line);
    s->circuit = true;
    rc = rc != 0 && !sess_is_dead(s)
             ? sess_fail(s, DWMTJ_H_ERR_NETLIST, "%s: ngspice failed on the netlist", s->name)
             : sess_classify(s, mark, PHASE_LOAD);
    s->load_status = rc;
    snprintf(s->load_error, sizeof s->load_error, "%s", s->error);
    return rc;
}
