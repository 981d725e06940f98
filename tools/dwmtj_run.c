/* dwmtj run NETLIST: runs a netlist with dwmtj4t neurons through
 * libngspice and reports spikes, energy and latency per spike. */
#define _POSIX_C_SOURCE 200809L

#include "pipeline.h"

#include <stdlib.h>
#include <string.h>

void dwmtj_usage_run(FILE *f)
{
    fputs("usage: dwmtj run NETLIST [--json] [--csv FILE] [--plot FILE.png] [--cm PATH]\n"
          "                         [--timeout S]\n"
          "\n"
          "Runs NETLIST (an ngspice deck with dwmtj4t neurons and a transient analysis)\n"
          "through libngspice and reports, per neuron, the domains written, depinnings,\n"
          "fires and resets, the mean latency from the first integrating pulse to the\n"
          "fire and the device energy per spike by phase; then the totals: spikes,\n"
          "energy per spike from the model and from the integral of sum V*I at the\n"
          "terminals, the circuit energy per spike (all independent sources) and the\n"
          "mean latency.  A .control section of the deck is not run (its tran command\n"
          "is); the deck is not changed on disk.\n"
          "\n"
          "options:\n"
          "  --json           one JSON object on stdout instead of the text report\n"
          "                   (keys: spikes, energy_per_spike_J, latency_per_spike_s,\n"
          "                   energy_per_spike_vi_J, circuit_energy_per_spike_J,\n"
          "                   reset_latency_s, energy_by_phase_J, neurons, ...;\n"
          "                   undefined numbers are null)\n"
          "  --csv FILE       one row per spike: neuron, times, latency, energy by\n"
          "                   phase, energy from V*I; each row is written to FILE.part\n"
          "                   as soon as its spike is complete (reset, or the next\n"
          "                   write), and FILE.part is renamed to FILE when the run\n"
          "                   is complete\n"
          "  --plot FILE.png  spike raster and energy per spike, drawn by gnuplot\n"
          "  --cm PATH        the dwmtj.cm code model (default: $DWMTJ_CM, else the\n"
          "                   installed one)\n"
          "  --timeout S      stop the simulation after S seconds of wall time\n"
          "                   (SPICE numbers: 90, 1.5k, ...)\n"
          "  -h, --help       this help\n"
          "\n"
          "exit status: 0 success, 1 the simulation failed (input file, netlist,\n"
          "model, convergence, timeout), 2 usage, 3 an output file could not be\n"
          "written.\n",
          f);
}

int dwmtj_cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        DWMTJ_OUTPUT_OPTIONS,
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct dwmtj_outputs o;
    memset(&o, 0, sizeof o);
    const char *netlist = NULL;
    int c;
    dwmtj_getopt_start();
    while ((c = getopt_long(argc, argv, "-:h", opts, NULL)) != -1) {
        if (c == 'h') {
            dwmtj_usage_run(stdout);
            return fflush(stdout) == 0 ? DWMTJ_EXIT_OK : DWMTJ_EXIT_OUTPUT;
        }
        if (c == '?' || c == ':')
            return dwmtj_getopt_error("run", c, argv, opts);
        if (c == 1) { /* the netlist */
            if (netlist)
                return dwmtj_usage_error("run", "more than one netlist ('%s')", optarg);
            netlist = optarg;
            continue;
        }
        if (dwmtj_output_option("run", c, optarg, &o) < 0)
            return DWMTJ_EXIT_USAGE;
    }
    for (; optind < argc; optind++) { /* after "--" */
        if (netlist)
            return dwmtj_usage_error("run", "more than one netlist ('%s')", argv[optind]);
        netlist = argv[optind];
    }
    if (!netlist)
        return dwmtj_usage_error("run", "no netlist given");

    dwmtj_netlist *nl = NULL;
    char *err = NULL;
    int rc = dwmtj_netlist_read(&nl, netlist, &err);
    if (rc != DWMTJ_H_OK) {
        dwmtj_sim_error(netlist, err, rc);
        free(err);
        dwmtj_netlist_free(nl);
        return DWMTJ_EXIT_SIM;
    }
    free(err);
    int code = dwmtj_pipeline(netlist, nl, &o, NULL, NULL);
    dwmtj_netlist_free(nl);
    return code;
}
