/* The instrumented deck (dwmtj_netlist_instrument) is the deck's cards,
 * continuations joined and comments dropped, less .control sections,
 * output requests and analyses other than the first .tran (.save .print
 * .plot .probe .four .meas .op .ac .dc .noise .tf .sens .pz .disto .pss
 * .sp), plus the neurons' probes and monitors, the .tran of the .control
 * section when the deck has no .tran card, its option commands as
 * .options cards, and the .save cards of what dwmtj_analyse reads. */
#define _POSIX_C_SOURCE 200809L

#include "netlist_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Cards the instrumented deck leaves out: output requests and other
 * analyses (the run must end in the transient plot with exactly the saved
 * vectors). */
static int dropped_card(const char *w)
{
    static const char *const drop[] = {
        ".save", ".print", ".plot", ".probe", ".four", ".meas", ".measure",
        ".op", ".ac", ".dc", ".noise", ".tf", ".sens", ".pz", ".disto", ".pss", ".sp",
        ".control", ".endc", ".end", ".width"
    };
    for (size_t k = 0; k < sizeof drop / sizeof drop[0]; k++)
        if (strcmp(w, drop[k]) == 0)
            return 1;
    return 0;
}

/* The .save list, without repeats (a hash set of the names saved). */
typedef struct {
    sbuf *out;
    char **slot;     /* open addressing, cap a power of two, at most half full */
    size_t n, cap;
    int on_line;     /* vectors on the current .save card */
    int err;
} saver;

static size_t name_hash(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* 1 if name is new (and now in the set), 0 if seen, -1 out of memory. */
static int saver_add(saver *s, const char *name)
{
    if (2 * (s->n + 1) > s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 256;
        char **slot = calloc(cap, sizeof *slot);
        if (!slot)
            return -1;
        for (size_t k = 0; k < s->cap; k++)
            if (s->slot[k]) {
                size_t h = name_hash(s->slot[k]) & (cap - 1);
                while (slot[h])
                    h = (h + 1) & (cap - 1);
                slot[h] = s->slot[k];
            }
        free(s->slot);
        s->slot = slot;
        s->cap = cap;
    }
    size_t h = name_hash(name) & (s->cap - 1);
    for (; s->slot[h]; h = (h + 1) & (s->cap - 1))
        if (strcmp(s->slot[h], name) == 0)
            return 0;
    if (!(s->slot[h] = nl_xstrdup(name)))
        return -1;
    s->n++;
    return 1;
}

static void saver_free(saver *s)
{
    for (size_t k = 0; k < s->cap; k++)
        free(s->slot[k]);
    free(s->slot);
}

static void save(saver *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *name = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (!name) {
        s->err = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(name, (size_t)len + 1, fmt, ap);
    va_end(ap);
    int added = saver_add(s, name);
    if (added < 0)
        s->err = 1;
    if (added == 1) {
        if (s->on_line == 0)
            sb_puts(s->out, ".save");
        sb_printf(s->out, " %s", name);
        if (++s->on_line == 8) {
            sb_puts(s->out, "\n");
            s->on_line = 0;
        }
    }
    free(name);
}

static void save_break(saver *s)
{
    if (s->on_line) {
        sb_puts(s->out, "\n");
        s->on_line = 0;
    }
}

int dwmtj_netlist_instrument(const dwmtj_netlist *nl, char **text)
{
    if (!nl || !text)
        return DWMTJ_H_ERR_USAGE;
    *text = NULL;
    if (nl->tran_card < 0 && nl->tran_control < 0)
        return DWMTJ_H_ERR_NOANALYSIS;
    sbuf b = { 0 };
    sb_printf(&b, "%s\n", nl->title);
    int ni = 0; /* next neuron, in card order */
    for (int i = 0; i < nl->n_card; i++) {
        const dwmtj_nl_card *c = &nl->card[i];
        if (c->control)
            continue;
        char w[32];
        nl_first_word(c->text, w, sizeof w);
        if (dropped_card(w) || (strcmp(w, ".tran") == 0 && i != nl->tran_card))
            continue;
        if (ni < nl->n_neuron && nl->neuron[ni].card == i) {
            const dwmtj_nl_neuron *n = &nl->neuron[ni++];
            const char *nm = n->name;
            sb_printf(&b, "%s", nm);
            for (int k = 0; k < 4; k++)
                sb_printf(&b, " " DWMTJ_H_NODE_FMT, nm, dwmtj_h_term_name[k]);
            sb_puts(&b, " [");
            for (int k = 0; k < DWMTJ_H_NMON; k++)
                sb_printf(&b, k ? " " DWMTJ_H_MON_FMT : DWMTJ_H_MON_FMT, nm, k);
            sb_printf(&b, "] %s\n", n->model);
            continue;
        }
        sb_printf(&b, "%s\n", c->text);
    }
    sb_puts(&b, "* dwmtj harness: terminal probes and monitors\n");
    for (int j = 0; j < nl->n_neuron; j++) {
        const dwmtj_nl_neuron *n = &nl->neuron[j];
        for (int k = 0; k < 4; k++)
            sb_printf(&b, DWMTJ_H_PROBE_FMT " %s " DWMTJ_H_NODE_FMT " 0\n", n->name,
                      dwmtj_h_term_name[k], n->node[k], n->name, dwmtj_h_term_name[k]);
        for (int k = 0; k < n->n_mon; k++) {
            if (nl_is_ground(n->mon[k]))
                continue;
            if (k < DWMTJ_H_NMON)
                sb_printf(&b, DWMTJ_H_USERMON_FMT " %s " DWMTJ_H_MON_FMT " 0\n", n->name, k,
                          n->mon[k], n->name, k);
            else /* the code model drives monitors past the 13th at 0 V */
                sb_printf(&b, DWMTJ_H_USERMON_FMT " %s 0 0\n", n->name, k, n->mon[k]);
        }
    }
    /* options and the transient of the .control section */
    for (int i = 0; i < nl->n_card; i++) {
        const dwmtj_nl_card *c = &nl->card[i];
        char w[32];
        nl_first_word(c->text, w, sizeof w);
        if (c->control && (strcmp(w, "option") == 0 || strcmp(w, "options") == 0))
            sb_printf(&b, ".options %s\n", nl_after_first_word(c->text));
    }
    if (nl->tran_card < 0)
        sb_printf(&b, ".tran %s\n", nl_after_first_word(nl->card[nl->tran_control].text));
    saver s = { &b, NULL, 0, 0, 0, 0 };
    save(&s, "time");
    save_break(&s);
    for (int j = 0; j < nl->n_neuron; j++) {
        const char *nm = nl->neuron[j].name;
        for (int k = 0; k < DWMTJ_H_NMON; k++)
            save(&s, "v(" DWMTJ_H_MON_FMT ")", nm, k);
        save_break(&s);
        for (int k = 0; k < 4; k++)
            save(&s, "v(" DWMTJ_H_NODE_FMT ")", nm, dwmtj_h_term_name[k]);
        for (int k = 0; k < 4; k++)
            save(&s, DWMTJ_H_PROBE_FMT "#branch", nm, dwmtj_h_term_name[k]);
        save_break(&s);
    }
    for (int j = 0; j < nl->n_source; j++) {
        const dwmtj_nl_source *src = &nl->source[j];
        save(&s, "%s", src->current);
        for (int k = 0; k < 2; k++)
            if (src->node[k])
                save(&s, "v(%s)", src->node[k]);
    }
    save_break(&s);
    sb_puts(&b, ".end\n");
    saver_free(&s);
    if (b.err || s.err) {
        free(b.s);
        return DWMTJ_H_ERR_NOMEM;
    }
    *text = b.s;
    return DWMTJ_H_OK;
}
