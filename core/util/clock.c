/* clock.c - gl_clock_seconds (ganlab/plugin.h): the one monotonic clock of the core and plugins,
 * for progress lines and timing.csv only; no result depends on it. */
#include <time.h>

#include <ganlab/plugin.h>

double gl_clock_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
