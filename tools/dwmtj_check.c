/* dwmtj check NETLIST: the lint of a deck with dwmtj4t neurons
 * (dwmtj_lint): what ngspice would only warn about, or run with quietly. */
#define _POSIX_C_SOURCE 200809L

#include "cli.h"
#include "dwmtj_harness.h"
#include "dwmtj_output.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

void dwmtj_usage_check(FILE *f)
{
    fputs("usage: dwmtj check NETLIST [--json] [--strict]\n"
          "\n"
          "Reads NETLIST as dwmtj run does and says what ngspice would only warn about\n"
          "or run with quietly: dwmtj4t parameters it does not have (ngspice runs with\n"
          "the default), strings that are not quoted and values that are not numbers\n"
          "(ngspice stops with 'Undefined parameter'), values no dwmtj4t accepts, legal\n"
          "values outside the range of a physical device (ms=1M is 1e-3 A/m: M is\n"
          "milli), noise slots that make a run slow, monitor outputs on nodes other\n"
          "elements use (the monitor drives them), an IN or GND terminal that nothing\n"
          "else connects to, the structure dwmtj run needs (instance connections,\n"
          "subcircuits) and the transient analysis.  One line per finding:\n"
          "FILE:LINE: error|warning: what.  Nothing is simulated.\n"
          "\n"
          "options:\n"
          "  --json      one JSON object: netlist, errors, warnings, findings\n"
          "  --strict    warnings count as errors for the exit status\n"
          "  -h, --help  this help\n"
          "\n"
          "exit status: 0 no errors (warnings may be printed), 1 errors (or, with\n"
          "--strict, warnings), or the netlist cannot be read, 2 usage.\n",
          f);
}

/* The findings as JSON: each line "WHERE: SEVERITY: WHAT" an object. */
static void json_findings(dwmtj_json *j, const char *report)
{
    dwmtj_json_array(j, "findings");
    for (const char *p = report; *p;) {
        size_t n = strcspn(p, "\n");
        char *line = strndup(p, n);
        if (!line)
            break;
        char *sev = strstr(line, ": error: ");
        if (!sev)
            sev = strstr(line, ": warning: ");
        dwmtj_json_object(j, NULL);
        if (sev) {
            *sev = '\0';
            char *what = strchr(sev + 2, ':');
            *what = '\0';
            dwmtj_json_str(j, "where", line);
            dwmtj_json_str(j, "severity", sev + 2);
            dwmtj_json_str(j, "message", what + 2);
        } else {
            dwmtj_json_str(j, "message", line);
        }
        dwmtj_json_end(j);
        free(line);
        p += n + (p[n] == '\n');
    }
    dwmtj_json_end(j);
}

int dwmtj_cmd_check(int argc, char **argv)
{
    enum { O_JSON = 1000, O_STRICT };
    static const struct option opts[] = {
        { "json", no_argument, NULL, O_JSON },
        { "strict", no_argument, NULL, O_STRICT },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *netlist = NULL;
    int json = 0, strict = 0, c;
    dwmtj_getopt_start();
    while ((c = getopt_long(argc, argv, "-:h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            dwmtj_usage_check(stdout);
            return fflush(stdout) == 0 ? DWMTJ_EXIT_OK : DWMTJ_EXIT_OUTPUT;
        case O_JSON: json = 1; break;
        case O_STRICT: strict = 1; break;
        case 1:
            if (netlist)
                return dwmtj_usage_error("check", "more than one netlist ('%s')", optarg);
            netlist = optarg;
            break;
        default:
            return dwmtj_getopt_error("check", c, argv, opts);
        }
    }
    for (; optind < argc; optind++) {
        if (netlist)
            return dwmtj_usage_error("check", "more than one netlist ('%s')", argv[optind]);
        netlist = argv[optind];
    }
    if (!netlist)
        return dwmtj_usage_error("check", "no netlist given");

    char *err = NULL, *report = NULL;
    dwmtj_spice_deck *d = NULL;
    int rc = dwmtj_spice_read_file(&d, netlist, &err);
    if (rc != DWMTJ_SPICE_OK) {
        dwmtj_error("%s", err ? err : dwmtj_spice_status_string(rc));
        free(err);
        return DWMTJ_EXIT_SIM;
    }
    int errors = 0, warnings = 0;
    rc = dwmtj_lint(d, &report, &errors, &warnings);
    dwmtj_spice_free(d);
    if (rc != DWMTJ_H_OK) {
        dwmtj_error("%s: %s", netlist, dwmtj_h_status_string(rc));
        return DWMTJ_EXIT_SIM;
    }
    /* the structure dwmtj run needs: the harness's reading of the deck */
    dwmtj_netlist *nl = NULL;
    if (dwmtj_netlist_read(&nl, netlist, &err) != DWMTJ_H_OK) {
        size_t n = strlen(report), m = strlen(err ? err : "?");
        char *r = realloc(report, n + m + 16);
        if (r) {
            report = r;
            /* "FILE:LINE: what" becomes "FILE:LINE: error: what" */
            const char *msg = err ? err : "?";
            const char *colon = strstr(msg, ": ");
            if (colon && colon != msg)
                snprintf(report + n, m + 16, "%.*s: error: %s\n", (int)(colon - msg), msg,
                         colon + 2);
            else
                snprintf(report + n, m + 16, "%s: error: %s\n", netlist, msg);
            errors++;
        }
    }
    free(err);
    dwmtj_netlist_free(nl);
    if (json) {
        dwmtj_json j;
        dwmtj_json_init(&j, stdout, 1);
        dwmtj_json_object(&j, NULL);
        dwmtj_json_str(&j, "netlist", netlist);
        dwmtj_json_int(&j, "errors", errors);
        dwmtj_json_int(&j, "warnings", warnings);
        json_findings(&j, report);
        dwmtj_json_end(&j);
        fputc('\n', stdout);
    } else {
        fputs(report, stdout);
        printf("%s: %d error%s, %d warning%s\n", netlist, errors, errors == 1 ? "" : "s",
               warnings, warnings == 1 ? "" : "s");
    }
    free(report);
    if (fflush(stdout) != 0 || ferror(stdout))
        return DWMTJ_EXIT_OUTPUT;
    return errors || (strict && warnings) ? DWMTJ_EXIT_SIM : DWMTJ_EXIT_OK;
}
