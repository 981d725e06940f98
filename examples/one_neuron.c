/* one_neuron: one dwmtj4t neuron driven by a pulse train, run through the
 * dwmtj harness; prints every spike with its latency and energy.
 *
 * The deck is the paper's Fig. 4 (pulse-number encoding): a 3.1 V, 50 ns
 * write through MTJ_A, then 2.4 V, 50 ns pulses every 100 ns; the neuron
 * fires after about a dozen pulses and resets after more.  Two cycles of
 * 4.1 us each.
 *
 * Build (see README.md):
 *   cc one_neuron.c $(pkg-config --cflags --libs dwmtj-harness) -o one_neuron
 * Run (the code model from $DWMTJ_CM, else the installed dwmtj.cm):
 *   ./one_neuron */
#include <stdio.h>
#include <stdlib.h>

#include "dwmtj_harness.h"

static const char deck[] =
    "* one dwmtj4t neuron, pulse-number encoding\n"
    /* write: close a switch to a -3.1 V driver on MTJ_A for 50 ns per cycle */
    "Vw wsrc 0 PULSE(0 -3.1 10n 10n 10n 30n 4100n)\n"
    "Vsw ctl 0 PULSE(0 1 5n 1n 1n 58n 4100n)\n"
    "Sw a wsrc ctl 0 wsw\n"
    ".model wsw sw(vt=0.5 vh=0.1 ron=1 roff=1e12)\n"
    /* read: both pillars sense through 100 kOhm */
    "Rsa a 0 100k\n"
    "Rsb b 0 100k\n"
    /* integrate: 2.4 V, 50 ns pulses, one per 100 ns after the write slot */
    "Vamp amp 0 PULSE(0 2.4 99.9n 0.1n 0.1n 3999.8n 4100n)\n"
    "Vshape shape 0 PULSE(0 1 100n 10n 10n 30n 100n)\n"
    "Bin in 0 V = v(amp)*v(shape)\n"
    /* the neuron: terminals IN GND A B, no monitors */
    "aneuron in 0 a b NULL neuron\n"
    ".model neuron dwmtj4t(set=\"proto\" j_pin_t0=7.3333e+11 j_pin_t1=7.3333e+11\n"
    "+ j_pin_w=7.6667e+11 j_pin_r=7.6667e+11 eta=0.058)\n"
    ".tran 1n 8200n\n"
    ".end\n";

/* Prints what went wrong and returns 1. */
static int fail(const char *what, int status, const char *message)
{
    fprintf(stderr, "one_neuron: %s: %s\n", what,
            message && *message ? message : dwmtj_h_status_string(status));
    return 1;
}

int main(void)
{
    dwmtj_netlist *nl = NULL;
    dwmtj_session *s = NULL;
    dwmtj_report r = {0};
    char *text = NULL, *err = NULL;
    int rc, code = 1;

    /* find the neurons and add the probes the analysis needs */
    if ((rc = dwmtj_netlist_parse(&nl, "one_neuron", deck, &err)) != DWMTJ_H_OK) {
        code = fail("netlist", rc, err);
        goto out;
    }
    if ((rc = dwmtj_netlist_instrument(nl, &text)) != DWMTJ_H_OK) {
        code = fail("instrument", rc, NULL);
        goto out;
    }
    /* simulate in libngspice */
    if ((rc = dwmtj_session_open(&s, NULL)) != DWMTJ_H_OK) {
        code = fail("libngspice", rc, s ? dwmtj_session_error(s) : NULL);
        goto out;
    }
    if ((rc = dwmtj_session_load(s, "one_neuron", text)) != DWMTJ_H_OK ||
        (rc = dwmtj_session_run(s, NULL, NULL, 60.0)) != DWMTJ_H_OK ||
        (rc = dwmtj_analyse(s, nl, &r)) != DWMTJ_H_OK) {
        code = fail("simulation", rc, dwmtj_session_error(s));
        goto out;
    }

    /* one line per spike */
    printf("spike  fire (us)  latency (ns)  energy (pJ)\n");
    for (int i = 0; i < r.n_spike; i++) {
        const dwmtj_spike *sp = &r.spike[i];
        double e = 0.0;
        for (int p = 0; p < DWMTJ_NPHASE; p++)
            e += sp->energy[p];
        printf("%5d  %9.3f  %12.1f  %11.1f\n", i + 1, sp->t_fire * 1e6, sp->latency * 1e9,
               e * 1e12);
    }

    dwmtj_summary sum;
    dwmtj_summarise(&r, &sum);
    printf("%d spikes, %.1f pJ and %.1f ns per spike\n", sum.spikes,
           sum.energy_per_spike * 1e12, sum.latency * 1e9);
    code = 0;
out:
    dwmtj_report_free(&r);
    dwmtj_session_close(s);
    dwmtj_netlist_free(nl);
    free(text);
    free(err);
    return code;
}
