/* The monitors of dwmtj4t (dwmtj.h): names, values, the list parser, one
 * definition for the code model and the KLU engine. */
#include "dwmtj.h"

#include <string.h>

static const char *const names[DWMTJ_NMON] = { "x",  "ra", "rb",    "e",  "ew", "ei", "ef",
                                               "er", "eidle", "nw", "nd", "nf", "nr",
                                               "t",  "nsoa" };

const char *dwmtj_monitor_name(int k)
{
    return k >= 0 && k < DWMTJ_NMON ? names[k] : NULL;
}

/* FNV-1a 64 of s and its terminating NUL, continuing h. */
static uint64_t fnv(uint64_t h, const char *s)
{
    do
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    while (*s++);
    return h;
}

uint64_t dwmtj_interface_id(void)
{
    uint64_t h = fnv(0xcbf29ce484222325ULL, DWMTJ_VERSION);
    for (int k = 0; k < dwmtj_param_count(); k++)
        h = fnv(fnv(h, dwmtj_param_name(k)), dwmtj_param_unit(k));
    for (int k = 0; k < DWMTJ_NMON; k++)
        h = fnv(h, names[k]);
    return h;
}

double dwmtj_monitor(const dwmtj_derived *d, const dwmtj_state *s, int k)
{
    double r[2];
    switch (k) {
    case 0: return s->present ? 1e6 * dwmtj_position(s) : DWMTJ_MON_X_NONE;
    case 1: dwmtj_mtj_resistance(d, s, r); return r[0];
    case 2: dwmtj_mtj_resistance(d, s, r); return r[1];
    case 3: return 1e12 * dwmtj_energy_total(s);
    case 4: return 1e12 * s->energy[DWMTJ_PHASE_WRITE];
    case 5: return 1e12 * s->energy[DWMTJ_PHASE_INTEGRATE];
    case 6: return 1e12 * s->energy[DWMTJ_PHASE_FIRE];
    case 7: return 1e12 * s->energy[DWMTJ_PHASE_RESET];
    case 8: return 1e12 * s->energy[DWMTJ_PHASE_IDLE];
    case 9: return s->n_write;
    case 10: return s->n_depin;
    case 11: return s->n_fire;
    case 12: return s->n_reset;
    case 13: return s->temp > 0.0 ? s->temp : d->t_amb;
    case 14: return s->n_soa;
    default: return 0.0;
    }
}

int dwmtj_monitor_select(const char *list, int sel[DWMTJ_NMON], int *bad, int *bad_len)
{
    int n_sel = 0;
    const char *p = !list || strcmp(list, "all") == 0 ? "" : list;
    while (*p) {
        size_t n = strcspn(p, " \t,:");
        if (n > 0) {
            int k = 0;
            while (k < DWMTJ_NMON && !(strlen(names[k]) == n && strncmp(names[k], p, n) == 0))
                k++;
            if (k == DWMTJ_NMON || n_sel == DWMTJ_NMON) {
                if (bad)
                    *bad = (int)(p - list);
                if (bad_len)
                    *bad_len = (int)n;
                return -1;
            }
            sel[n_sel++] = k;
        }
        p += n + strspn(p + n, " \t,:");
    }
    if (n_sel == 0)
        for (; n_sel < DWMTJ_NMON; n_sel++)
            sel[n_sel] = n_sel;
    return n_sel;
}
