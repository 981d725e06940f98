/* array_energy: a 16 x 4 crossbar (16 inputs, 4 dwmtj4t neurons) built by
 * dwmtj_crossbar, run through the dwmtj harness; prints the energy per
 * spike of the neurons and of the whole circuit.
 *
 * Build (see README.md):
 *   cc array_energy.c $(pkg-config --cflags --libs dwmtj-harness) -o array_energy
 * Run (the code model from $DWMTJ_CM, else the installed dwmtj.cm):
 *   ./array_energy */
#include <stdio.h>
#include <stdlib.h>

#include "dwmtj_crossbar.h"

static int fail(const char *what, int status, const char *message)
{
    fprintf(stderr, "array_energy: %s: %s\n", what,
            message && *message ? message : dwmtj_h_status_string(status));
    return 1;
}

int main(void)
{
    /* the array: defaults (random weights, scaled neurons, ideal wires),
     * 16 inputs and 4 neurons */
    dwmtj_crossbar x;
    dwmtj_crossbar_defaults(&x);
    x.rows = 16;
    x.cols = 4;
    x.seed = 1;

    dwmtj_netlist *nl = NULL;
    dwmtj_session *s = NULL;
    dwmtj_report r = {0};
    char *deck = NULL, *text = NULL, *err = NULL;
    int rc, code = 1;

    /* generate the deck, find its neurons, add the probes */
    if ((rc = dwmtj_crossbar_netlist(&x, &deck, &err)) != DWMTJ_H_OK) {
        code = fail("crossbar", rc, err);
        goto out;
    }
    if ((rc = dwmtj_netlist_parse(&nl, "array_energy", deck, &err)) != DWMTJ_H_OK) {
        code = fail("netlist", rc, err);
        goto out;
    }
    if ((rc = dwmtj_netlist_instrument(nl, &text)) != DWMTJ_H_OK) {
        code = fail("instrument", rc, NULL);
        goto out;
    }
    /* simulate */
    if ((rc = dwmtj_session_open(&s, NULL)) != DWMTJ_H_OK) {
        code = fail("libngspice", rc, s ? dwmtj_session_error(s) : NULL);
        goto out;
    }
    if ((rc = dwmtj_session_load(s, "array_energy", text)) != DWMTJ_H_OK ||
        (rc = dwmtj_session_run(s, NULL, NULL, 600.0)) != DWMTJ_H_OK ||
        (rc = dwmtj_analyse(s, nl, &r)) != DWMTJ_H_OK) {
        code = fail("simulation", rc, dwmtj_session_error(s));
        goto out;
    }

    dwmtj_summary sum;
    dwmtj_summarise(&r, &sum);
    printf("%d x %d array, %.2f us: %d spikes\n", x.rows, x.cols, r.t_stop * 1e6, sum.spikes);
    for (int k = 0; k < r.n_neuron; k++)
        printf("  %-10s %d fires\n", r.neuron[k].name, r.neuron[k].fires);
    if (sum.spikes > 0) {
        printf("energy per spike: %.1f pJ in the neurons, %.1f pJ for the whole circuit\n",
               sum.energy_per_spike * 1e12, sum.circuit_energy_per_spike * 1e12);
        printf("latency per spike: %.1f ns\n", sum.latency * 1e9);
    } else {
        printf("no spikes: try a stronger drive or a longer run\n");
    }
    code = 0;
out:
    dwmtj_report_free(&r);
    dwmtj_session_close(s);
    dwmtj_netlist_free(nl);
    free(deck);
    free(text);
    free(err);
    return code;
}
