/* Status strings of the dwmtj harness (dwmtj_harness.h). */
#include "dwmtj_harness.h"

const char *dwmtj_h_status_string(int status)
{
    switch (status) {
    case DWMTJ_H_OK: return "success";
    case DWMTJ_H_ERR_NOMEM: return "out of memory";
    case DWMTJ_H_ERR_USAGE: return "bad argument";
    case DWMTJ_H_ERR_INIT: return "libngspice failed to initialise";
    case DWMTJ_H_ERR_CODEMODEL: return "the dwmtj.cm code model is missing or failed to load";
    case DWMTJ_H_ERR_FILE: return "a file is missing, unreadable or unwritable";
    case DWMTJ_H_ERR_NETLIST: return "malformed netlist, or ngspice rejected it";
    case DWMTJ_H_ERR_MODEL: return "unknown model, or dwmtj4t rejected a parameter";
    case DWMTJ_H_ERR_CONVERGENCE: return "the analysis did not converge";
    case DWMTJ_H_ERR_EXIT: return "ngspice asked to exit; the session is unusable";
    case DWMTJ_H_ERR_COMMAND: return "an ngspice command failed";
    case DWMTJ_H_ERR_VECTOR: return "a vector the analysis needs is missing";
    case DWMTJ_H_ERR_TIMEOUT: return "the run exceeded its wall-clock limit";
    case DWMTJ_H_ERR_NOANALYSIS: return "the netlist has no transient analysis";
    default: return "unknown status";
    }
}
