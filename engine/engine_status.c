/* The engine's status strings (dwmtj_engine.h): in every build, with the
 * engine or with its stand-in. */
#include "dwmtj_engine.h"

const char *dwmtj_engine_status_string(int status)
{
    switch (status) {
    case DWMTJ_E_OK: return "ok";
    case DWMTJ_E_ERR_USAGE: return "bad argument or call out of order";
    case DWMTJ_E_ERR_NOMEM: return "out of memory";
    case DWMTJ_E_ERR_SYNTAX: return "malformed card or value";
    case DWMTJ_E_ERR_UNSUPPORTED: return "an element or card the klu backend does not run";
    case DWMTJ_E_ERR_PARAM: return "invalid dwmtj4t parameter";
    case DWMTJ_E_ERR_SINGULAR: return "singular or ill-conditioned matrix";
    case DWMTJ_E_ERR_CONVERGENCE: return "Newton did not converge";
    case DWMTJ_E_ERR_DEVICE: return "the device model refused a step";
    case DWMTJ_E_ERR_VECTOR: return "no such vector or source";
    case DWMTJ_E_ERR_LIMIT: return "the run would exceed a bound on its work";
    case DWMTJ_E_ERR_TIMEOUT: return "the run exceeded its time limit";
    case DWMTJ_E_ERR_VALUE: return "a value is not finite";
    default: return status > 0 ? "warning" : "unknown status";
    }
}
