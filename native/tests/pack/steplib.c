/* The private shared library of the pack tests, built twice with different STEP_VERSION: a
 * program saved with one and restarted with the other must still compute with the one it was
 * saved with (its packed copy). */
#include <time.h>

#ifndef STEP_VERSION
#define STEP_VERSION 1
#endif

int step_version(void)
{
	return STEP_VERSION;
}

/* One step of the program's computation; it naps inside the library, so that a statefile
 * saved meanwhile has the library's function on its stack. */
unsigned long step(unsigned long v, int ms)
{
	struct timespec ts = {0, ms * 1000000L};
	while (nanosleep(&ts, &ts) != 0)
		;
	return v * 6364136223846793005ul + 1442695040888963407ul * STEP_VERSION;
}
