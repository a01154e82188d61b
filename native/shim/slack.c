/*
 * The timer slack of every program the shim runs. umockdev's preload waits for each answer of
 * the handler in short sleeps (usleep(0) after a call); with the default slack (50 us) each
 * costs more than the model's answer. A slack of 1 ns keeps them short; it only changes how
 * precisely this process's timers expire.
 */
#include "shim.h"
#include <sys/prctl.h>

__attribute__((constructor)) static void vdrm_shim_slack(void)
{
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
}
