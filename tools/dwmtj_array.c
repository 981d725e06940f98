/* dwmtj array: builds a crossbar of M inputs driving N dwmtj4t neurons
 * (dwmtj_crossbar), runs it through libngspice and reports the energy per
 * spike, spikes per neuron, firing rate and latency. */
#define _POSIX_C_SOURCE 200809L

#include "dwmtj_crossbar.h"
#include "pipeline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void dwmtj_usage_array(FILE *f)
{
    dwmtj_crossbar d;
    dwmtj_crossbar_defaults(&d);
    fprintf(f,
            "usage: dwmtj array [--rows M] [--cols N] [--drive S] [--gmin G] [--gmax G]\n"
            "                   [--levels L] [--rwire R] [--seed S] [--tstop T]\n"
            "                   [--arm reset|clock]\n"
            "                   [--netlist-out FILE] [--json] [--csv FILE]\n"
            "                   [--plot FILE.png] [--cm PATH] [--timeout S]\n"
            "\n"
            "Builds a crossbar of M inputs (word lines carrying pulse trains) driving N\n"
            "dwmtj4t neurons through differential conductance pairs G+ - G- with random\n"
            "weights, runs it through libngspice and reports the energy per spike\n"
            "(device and whole circuit), spikes per neuron, firing rate and latency.\n"
            "Values are SPICE numbers: 1e-6, 1u, 10n, 2meg.\n"
            "\n"
            "options:\n"
            "  --rows M            inputs (default %d)\n"
            "  --cols N            neurons (default %d)\n"
            "  --drive S           input strength in [0, 1]: the probability of a pulse\n"
            "                      in each input slot (default %g)\n"
            "  --gmin G, --gmax G  conductance window in S (default %g to %g)\n"
            "  --levels L          conductance levels, 0 = continuous (default %d)\n"
            "  --rwire R           wire resistance per cell in Ohm, 0 = ideal (default %g)\n"
            "  --seed S            seed of the weights and input pulses (default %llu)\n"
            "  --tstop T           length of the run in s (default %g)\n"
            "  --arm reset|clock   what writes a neuron's domain: reset = its own reset\n"
            "                      (clear, then write, as the cell of doc/cell.md; one\n"
            "                      initial write), clock = one clock shared by all\n"
            "                      neurons every %g s, empty track or not (default %s)\n"
            "  --netlist-out FILE  also write the generated deck to FILE\n"
            "  --json              one JSON object on stdout instead of the text report\n"
            "                      (as for run, plus rows, cols, spikes_per_neuron,\n"
            "                      firing_rate_per_neuron_Hz)\n"
            "  --csv FILE          one row per spike (as for run)\n"
            "  --plot FILE.png     spike raster and energy per spike, drawn by gnuplot\n"
            "  --cm PATH           the dwmtj.cm code model (default: $DWMTJ_CM, else the\n"
            "                      installed one)\n"
            "  --timeout S         stop the simulation after S seconds of wall time\n"
            "  -h, --help          this help\n"
            "\n"
            "exit status: 0 success, 1 the simulation failed, 2 usage (including a bad\n"
            "crossbar value), 3 an output file could not be written.\n",
            d.rows, d.cols, d.drive, d.g_min, d.g_max, d.levels, d.r_wire,
            (unsigned long long)d.seed, d.t_stop, d.t_arm,
            d.arm == DWMTJ_CROSSBAR_ARM_CLOCK ? "clock" : "reset");
}

/* Spikes of neuron k. */
static int spikes_of(const dwmtj_report *r, int k)
{
    int n = 0;
    for (int i = 0; i < r->n_spike; i++)
        n += r->spike[i].neuron == k;
    return n;
}

static void array_extra(dwmtj_json *j, FILE *text, const dwmtj_report *r,
                        const dwmtj_summary *sm, void *userdata)
{
    const dwmtj_crossbar *x = userdata;
    double t = r->t_stop > 0 ? r->t_stop : x->t_stop;
    int nn = r->n_neuron > 0 ? r->n_neuron : x->cols;
    double per_neuron = nn > 0 ? (double)sm->spikes / nn : NAN;
    double rate = t > 0 ? per_neuron / t : NAN;
    if (j) {
        dwmtj_json_int(j, "rows", x->rows);
        dwmtj_json_int(j, "cols", x->cols);
        dwmtj_json_num(j, "spikes_per_neuron", per_neuron);
        dwmtj_json_num(j, "firing_rate_per_neuron_Hz", rate);
        dwmtj_json_array(j, "firing_rate_Hz");
        for (int k = 0; k < r->n_neuron; k++)
            dwmtj_json_num(j, NULL, t > 0 ? spikes_of(r, k) / t : NAN);
        dwmtj_json_end(j);
        dwmtj_json_object(j, "crossbar");
        dwmtj_json_num(j, "drive", x->drive);
        dwmtj_json_num(j, "g_min_S", x->g_min);
        dwmtj_json_num(j, "g_max_S", x->g_max);
        dwmtj_json_int(j, "levels", x->levels);
        dwmtj_json_num(j, "r_wire_ohm", x->r_wire);
        dwmtj_json_u64(j, "seed", x->seed);
        dwmtj_json_num(j, "t_stop_s", x->t_stop);
        dwmtj_json_str(j, "arm", x->arm == DWMTJ_CROSSBAR_ARM_CLOCK ? "clock" : "reset");
        dwmtj_json_end(j);
    }
    if (text) {
        fprintf(text, "\narray %d x %d (inputs x neurons), writes armed by %s\n", x->rows,
                x->cols, x->arm == DWMTJ_CROSSBAR_ARM_CLOCK ? "a shared clock" : "each reset");
        fprintf(text, "  spikes per neuron                   %.2f\n", per_neuron);
        if (isfinite(rate))
            fprintf(text, "  firing rate per neuron              %.4g MHz\n", rate / 1e6);
        else
            fprintf(text, "  firing rate per neuron              -\n");
    }
}

enum {
    O_ROWS = DWMTJ_O_NEXT,
    O_COLS,
    O_LEVELS,
    O_DRIVE,
    O_GMIN,
    O_GMAX,
    O_RWIRE,
    O_TSTOP,
    O_SEED,
    O_NETLIST_OUT,
    O_ARM
};

int dwmtj_cmd_array(int argc, char **argv)
{
    static const struct option opts[] = {
        { "rows", required_argument, NULL, O_ROWS },
        { "cols", required_argument, NULL, O_COLS },
        { "levels", required_argument, NULL, O_LEVELS },
        { "drive", required_argument, NULL, O_DRIVE },
        { "gmin", required_argument, NULL, O_GMIN },
        { "gmax", required_argument, NULL, O_GMAX },
        { "rwire", required_argument, NULL, O_RWIRE },
        { "tstop", required_argument, NULL, O_TSTOP },
        { "seed", required_argument, NULL, O_SEED },
        { "netlist-out", required_argument, NULL, O_NETLIST_OUT },
        { "arm", required_argument, NULL, O_ARM },
        DWMTJ_OUTPUT_OPTIONS,
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    dwmtj_crossbar x;
    dwmtj_crossbar_defaults(&x);
    struct dwmtj_outputs o;
    memset(&o, 0, sizeof o);
    const char *netlist_out = NULL;
    int c, idx = -1, rc = 0;
    dwmtj_getopt_start();
    while ((c = getopt_long(argc, argv, "-:h", opts, &idx)) != -1) {
        /* the option's name for messages (idx is set for long options) */
        char opt[40];
        snprintf(opt, sizeof opt, "--%s", idx >= 0 ? opts[idx].name : "?");
        idx = -1;
        switch (c) {
        case 'h':
            dwmtj_usage_array(stdout);
            return fflush(stdout) == 0 ? DWMTJ_EXIT_OK : DWMTJ_EXIT_OUTPUT;
        case '?':
        case ':':
            return dwmtj_getopt_error("array", c, argv, opts);
        case 1:
            return dwmtj_usage_error("array", "unexpected argument '%s'", optarg);
        case O_ROWS: rc = dwmtj_opt_int("array", opt, optarg, 1, 1000000, &x.rows); break;
        case O_COLS: rc = dwmtj_opt_int("array", opt, optarg, 1, 1000000, &x.cols); break;
        case O_LEVELS: rc = dwmtj_opt_int("array", opt, optarg, 0, 1000000, &x.levels); break;
        case O_DRIVE:
        case O_GMIN:
        case O_GMAX:
        case O_RWIRE:
        case O_TSTOP: {
            /* the ranges are dwmtj_crossbar_check's */
            double *num = c == O_DRIVE ? &x.drive : c == O_GMIN ? &x.g_min
                          : c == O_GMAX ? &x.g_max : c == O_RWIRE ? &x.r_wire : &x.t_stop;
            if (dwmtj_parse_number(optarg, num) != 0)
                return dwmtj_usage_error("array", "%s %s: not a number", opt, optarg);
            break;
        }
        case O_SEED:
            if (dwmtj_parse_u64(optarg, &x.seed) != 0)
                return dwmtj_usage_error("array",
                                         "%s %s: not a seed (an unsigned integer, decimal or "
                                         "0x hexadecimal)",
                                         opt, optarg);
            break;
        case O_NETLIST_OUT: netlist_out = optarg; break;
        case O_ARM:
            if (strcmp(optarg, "reset") == 0)
                x.arm = DWMTJ_CROSSBAR_ARM_RESET;
            else if (strcmp(optarg, "clock") == 0)
                x.arm = DWMTJ_CROSSBAR_ARM_CLOCK;
            else
                return dwmtj_usage_error("array", "%s %s: must be reset or clock", opt, optarg);
            break;
        default:
            if (dwmtj_output_option("array", c, optarg, &o) < 0)
                return DWMTJ_EXIT_USAGE;
            break;
        }
        if (rc != 0)
            return rc;
    }
    if (optind < argc)
        return dwmtj_usage_error("array", "unexpected argument '%s'", argv[optind]);

    char *err = NULL;
    if (dwmtj_crossbar_check(&x, &err) != DWMTJ_H_OK) {
        int code = dwmtj_usage_error("array", "%s", err ? err : "invalid crossbar");
        free(err);
        return code;
    }
    free(err);
    err = NULL;
    dwmtj_spice_deck *deck = NULL;
    rc = dwmtj_crossbar_deck(&x, &deck, &err);
    if (rc != DWMTJ_H_OK) {
        dwmtj_error("array: %s", err ? err : dwmtj_h_status_string(rc));
        free(err);
        return rc == DWMTJ_H_ERR_USAGE ? DWMTJ_EXIT_USAGE : DWMTJ_EXIT_SIM;
    }
    free(err);
    err = NULL;
    if (netlist_out) {
        char *text = NULL;
        int bad = dwmtj_spice_write(deck, &text) != DWMTJ_SPICE_OK;
        if (bad)
            dwmtj_error("array: out of memory");
        else
            bad = dwmtj_write_file(netlist_out, text) != 0;
        free(text);
        if (bad) {
            dwmtj_spice_free(deck);
            return DWMTJ_EXIT_OUTPUT;
        }
    }
    /* the circuit goes to the harness as data, not as text read back */
    dwmtj_netlist *nl = NULL;
    rc = dwmtj_netlist_from_deck(&nl, deck, &err);
    if (rc != DWMTJ_H_OK) {
        dwmtj_error("array: generated deck: %s", err ? err : dwmtj_h_status_string(rc));
        free(err);
        return DWMTJ_EXIT_SIM;
    }
    free(err);
    int code = dwmtj_pipeline("array", nl, &o, array_extra, &x);
    dwmtj_netlist_free(nl);
    return code;
}
