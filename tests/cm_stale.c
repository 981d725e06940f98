/* Stand-ins for a dwmtj.cm of another build, for check_session: with
 * CM_STALE_ID it answers the harness's question (CMdwmtjInterface) with an
 * interface no build has; without, it has no answer at all, as a code
 * model built before the question existed, or another code model. */
#include <stdint.h>

#ifdef CM_STALE_ID
uint64_t CMdwmtjInterface(void);

uint64_t CMdwmtjInterface(void)
{
    return 1; /* FNV-1a 64 of anything is never this small in practice */
}
#else
int cm_stale_none(void);

int cm_stale_none(void)
{
    return 0;
}
#endif
