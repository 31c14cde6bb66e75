/* Calls the vDSO's functions through glibc in a loop (clock_gettime, gettimeofday, time) and
 * checks that their answers agree: restarted on a kernel whose vDSO differs, each call must
 * still reach the right function (the vDSO proxy). */
#include "common.h"

#include <sys/time.h>

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	long calls = 0;
	struct timespec last = {0, 0};
	for (int step = 0; step < 40; step++) {
		if (step == 3)
			ready(argv[1]);
		for (int i = 0; i < 200; i++) {
			struct timespec mono, real;
			struct timeval tv;
			CHECK(clock_gettime(CLOCK_MONOTONIC, &mono) == 0, "clock_gettime(CLOCK_MONOTONIC)");
			CHECK(mono.tv_sec > last.tv_sec || (mono.tv_sec == last.tv_sec && mono.tv_nsec >= last.tv_nsec),
			      "CLOCK_MONOTONIC does not go back");
			last = mono;
			CHECK(clock_gettime(CLOCK_REALTIME, &real) == 0, "clock_gettime(CLOCK_REALTIME)");
			CHECK(gettimeofday(&tv, NULL) == 0, "gettimeofday");
			CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000, "gettimeofday's microseconds");
			CHECK(tv.tv_sec - real.tv_sec >= 0 && tv.tv_sec - real.tv_sec <= 1, "gettimeofday agrees with CLOCK_REALTIME");
			/* time() reads the kernel's coarse seconds, which lag the precise clock by up to a tick. */
			time_t t = time(NULL);
			CHECK(t - real.tv_sec >= -1 && t - real.tv_sec <= 1, "time agrees with CLOCK_REALTIME");
			calls += 4;
		}
		nap_ms(25);
	}
	printf("vdso calls %ld, all consistent\n", calls);
	return 0;
}
