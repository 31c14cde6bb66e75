/* Creates threads and child processes all the time, so that some appear while a dump is
 * freezing the tree: every one must still finish and be counted. */
#include "common.h"

#include <pthread.h>
#include <sys/wait.h>

static void *short_thread(void *arg)
{
	long x = (long)arg, acc = 0;
	for (long i = 0; i < 20000; i++)
		acc += (x * i) % 7;
	return (void *)acc;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	long total = 0, statuses = 0;
	for (int round = 0; round < 120; round++) {
		if (round == 10)
			ready(argv[1]);
		pthread_t t[3];
		for (long i = 0; i < 3; i++)
			pthread_create(&t[i], NULL, short_thread, (void *)(round * 3 + i));
		pid_t c = fork();
		if (c == 0)
			_exit(round % 50);
		for (int i = 0; i < 3; i++) {
			void *r;
			pthread_join(t[i], &r);
			total += (long)r;
		}
		int st;
		CHECK(waitpid(c, &st, 0) == c, "waitpid");
		statuses += WEXITSTATUS(st);
		nap_ms(5);
	}
	printf("threads total %ld\nchild statuses %ld\n", total, statuses);
	return 0;
}
