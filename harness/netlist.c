/* Netlists: reads an ngspice deck, finds the dwmtj4t neurons and the
 * sources, and rewrites the deck for the harness (dwmtj_harness.h).
 *
 * What is read: the title (first line), '*' comment lines, inline comments
 * (';' anywhere outside double quotes, '$' standing alone between blanks),
 * '+' continuation lines (joined to the card before them; messages give
 * the card's first line), .control ... .endc, .subckt ... .ends, .model,
 * .param, .tran, .end (the rest of the file is ignored; no .end is fine).
 * .include FILE (.inc) is read in place, relative to the directory of the
 * file that includes it (for dwmtj_netlist_parse, of its name), and the
 * instrumented deck carries its cards; .lib is refused ("not supported").
 * Keywords are case-insensitive; names are lower-cased as ngspice does.
 *
 * Neurons: top-level instances "aNAME IN GND A B (NULL | [n1 .. nk]) MODEL"
 * whose MODEL is a .model of type dwmtj4t (%g / %v port modifiers, the
 * ports' defaults, are accepted; others are refused).  Sources for the
 * circuit energy: top-level V, I, B (V= or I=), and E, G (n+ n- nc+ nc-
 * gain), F, H (n+ n- vcontrol gain); other forms of E, F, G, H and sources
 * inside a .subckt are not counted.
 *
 * The parts: netlist_read.c reads lines into cards, netlist_cards.c finds
 * the neurons, sources and parameters in them, netlist_instrument.c
 * writes the instrumented deck; netlist_text.c has the text helpers they
 * share (netlist_internal.h). */
#define _POSIX_C_SOURCE 200809L

#include "netlist_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *const dwmtj_h_term_name[4] = { "in", "gnd", "a", "b" };

static void netlist_free_parts(dwmtj_netlist *nl)
{
    for (int k = 0; k < nl->n_file; k++)
        free(nl->file[k]);
    free(nl->file);
    free(nl->title);
    for (int k = 0; k < nl->n_card; k++)
        free(nl->card[k].text);
    free(nl->card);
    for (int k = 0; k < nl->n_neuron; k++)
        nl_neuron_free(&nl->neuron[k]);
    free(nl->neuron);
    for (int k = 0; k < nl->n_source; k++) {
        free(nl->source[k].name);
        free(nl->source[k].node[0]);
        free(nl->source[k].node[1]);
        free(nl->source[k].current);
    }
    free(nl->source);
    for (int k = 0; k < nl->n_param; k++) {
        free(nl->param_name[k]);
        free(nl->param_value[k]);
    }
    free(nl->param_name);
    free(nl->param_value);
}

void dwmtj_netlist_free(dwmtj_netlist *nl)
{
    if (!nl)
        return;
    netlist_free_parts(nl);
    free(nl);
}

int dwmtj_netlist_parse(dwmtj_netlist **out, const char *name, const char *text, char **error)
{
    if (error)
        *error = NULL;
    if (!out)
        return DWMTJ_H_ERR_USAGE;
    *out = NULL;
    if (!text) {
        if (error)
            *error = nl_xstrdup("dwmtj_netlist_parse: no text");
        return DWMTJ_H_ERR_USAGE;
    }
    if (!name)
        name = "netlist";
    dwmtj_netlist *nl = calloc(1, sizeof *nl);
    if (!nl)
        return DWMTJ_H_ERR_NOMEM;
    nl->tran_card = nl->tran_control = -1;
    reader R = { nl, error, 0, 0, 0 };
    int rc = nl_add_file(nl, name) < 0 ? DWMTJ_H_ERR_NOMEM : nl_read_text(&R, 0, text, 1, 0);
    if (rc == 1)
        rc = DWMTJ_H_OK;
    if (rc == DWMTJ_H_OK && !nl->title)
        nl->title = nl_xstrdup("");
    if (rc == DWMTJ_H_OK && !nl->title)
        rc = DWMTJ_H_ERR_NOMEM;
    if (rc == DWMTJ_H_OK && R.in_control)
        rc = nl_fail(error, DWMTJ_H_ERR_NETLIST, nl->file[R.control_file], R.control_line,
                     ".control without .endc");
    if (rc == DWMTJ_H_OK)
        rc = nl_analyse_cards(nl, error);
    if (rc != DWMTJ_H_OK) {
        if (rc == DWMTJ_H_ERR_NOMEM && error && !*error)
            *error = nl_xstrdup("out of memory");
        dwmtj_netlist_free(nl);
        return rc;
    }
    *out = nl;
    return DWMTJ_H_OK;
}

int dwmtj_netlist_read(dwmtj_netlist **out, const char *path, char **error)
{
    if (error)
        *error = NULL;
    if (!out)
        return DWMTJ_H_ERR_USAGE;
    *out = NULL;
    if (!path) {
        if (error)
            *error = nl_xstrdup("dwmtj_netlist_read: no path");
        return DWMTJ_H_ERR_USAGE;
    }
    char *text = NULL;
    if (nl_read_whole_file(path, &text) != 0) {
        if (errno == ENOMEM)
            return DWMTJ_H_ERR_NOMEM;
        return nl_fail(error, DWMTJ_H_ERR_FILE, path, 0, "cannot read: %s", strerror(errno));
    }
    int rc = dwmtj_netlist_parse(out, path, text, error);
    free(text);
    return rc;
}

int dwmtj_netlist_neuron_count(const dwmtj_netlist *nl) { return nl ? nl->n_neuron : 0; }

const char *dwmtj_netlist_neuron_name(const dwmtj_netlist *nl, int k)
{
    if (!nl || k < 0 || k >= nl->n_neuron)
        return NULL;
    return nl->neuron[k].name;
}

/* A .tran argument: a number, {number}, or a .param name (bare or in
 * braces) whose value is one of these. */
static int eval_value(const dwmtj_netlist *nl, const char *tok, double *v, int depth)
{
    if (depth > 8)
        return -1;
    if (dwmtj_spice_number_token(tok, v) == 0)
        return 0;
    size_t n = strlen(tok);
    char buf[256];
    if (n >= 2 && ((tok[0] == '{' && tok[n - 1] == '}') || (tok[0] == '\'' && tok[n - 1] == '\''))) {
        if (n - 2 >= sizeof buf)
            return -1;
        memcpy(buf, tok + 1, n - 2);
        buf[n - 2] = '\0';
        nl_trim(buf);
        tok = buf;
        if (dwmtj_spice_number_token(tok, v) == 0)
            return 0;
    }
    for (int k = nl->n_param - 1; k >= 0; k--)
        if (nl_ieq(nl->param_name[k], tok))
            return eval_value(nl, nl->param_value[k], v, depth + 1);
    return -1;
}

/* tstep tstop [tstart [tmax]] [uic] after the first word of a card. */
static int tran_args(const dwmtj_netlist *nl, const char *card, double *tstep, double *tstop,
                     double *tmax)
{
    tokens t;
    if (nl_tokenize(card, 0, &t) != 0)
        return DWMTJ_H_ERR_NOMEM;
    double v[4] = { 0.0, 0.0, 0.0, 0.0 };
    int nv = 0, rc = DWMTJ_H_OK;
    for (int k = 1; k < t.n; k++) {
        if (nl_ieq(t.tok[k], "uic"))
            continue;
        if (nv == 4 || eval_value(nl, t.tok[k], &v[nv], 0) != 0) {
            rc = DWMTJ_H_ERR_NETLIST;
            break;
        }
        nv++;
    }
    nl_tokens_free(&t);
    if (rc == DWMTJ_H_OK && (nv < 2 || !(v[1] > 0.0)))
        rc = DWMTJ_H_ERR_NETLIST;
    if (rc == DWMTJ_H_OK) {
        if (tstep)
            *tstep = v[0];
        if (tstop)
            *tstop = v[1];
        if (tmax)
            *tmax = nv > 3 ? v[3] : 0.0;
    }
    return rc;
}

/* tmax is 0 when the deck gives none (ngspice then limits the step to
 * min(tstep, (tstop - tstart) / 50)). */
int dwmtj_netlist_tran(const dwmtj_netlist *nl, double *tstep, double *tstop, double *tmax)
{
    if (!nl)
        return DWMTJ_H_ERR_USAGE;
    int i = nl->tran_card >= 0 ? nl->tran_card : nl->tran_control;
    if (i < 0)
        return DWMTJ_H_ERR_NOANALYSIS;
    return tran_args(nl, nl->card[i].text, tstep, tstop, tmax);
}
