/* Several threads; a mutex is held and a condition variable waited on at the checkpoint. */
#include "common.h"

#include <pthread.h>

#define NTHREADS 4
#define ROUNDS 30

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long shared_total;
static int turn;
static __thread long tls_value;

static void *worker(void *arg)
{
	long id = (long)arg;
	tls_value = id * 1000;
	for (int r = 0; r < ROUNDS; r++) {
		pthread_mutex_lock(&lock);
		while (turn % NTHREADS != id)
			pthread_cond_wait(&cond, &lock);
		shared_total = shared_total * 31 + id + r + tls_value;
		turn++;
		nap_ms(5); /* the mutex is held while sleeping */
		pthread_cond_broadcast(&cond);
		pthread_mutex_unlock(&lock);
	}
	return (void *)(tls_value + id);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	pthread_t t[NTHREADS];
	for (long i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	nap_ms(60);
	ready(argv[1]);
	long sum = 0;
	for (int i = 0; i < NTHREADS; i++) {
		void *ret;
		CHECK(pthread_join(t[i], &ret) == 0, "join");
		sum += (long)ret;
	}
	printf("total %ld\njoined %ld\nturns %d\n", shared_total, sum, turn);
	/* Restarted in a pid namespace, the program's /proc must be that namespace's. */
	char self[32] = "";
	ssize_t n = readlink("/proc/self", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = 0;
	printf("/proc agrees with getpid: %s\n", atoi(self) == getpid() ? "yes" : "no");
	return 0;
}
