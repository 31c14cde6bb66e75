/* The demo's program: worker threads and a recursive computation with locals to look at. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

struct order {
	int id;
	double amount;
	char customer[16];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cond = PTHREAD_COND_INITIALIZER;
static int done;

static void *worker(void *arg)
{
	pthread_mutex_lock(&lock);
	while (!done)
		pthread_cond_wait(&done_cond, &lock);
	pthread_mutex_unlock(&lock);
	return arg;
}

static double price(const struct order *o, int depth)
{
	double discount = depth * 0.05;
	if (depth == 0)
		return o->amount * (1.0 - discount); /* the demo stops here */
	return price(o, depth - 1) + discount;
}

int main(void)
{
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	struct order o = {.id = 42, .amount = 199.5};
	strcpy(o.customer, "ACME");
	double total = price(&o, 3);
	pthread_mutex_lock(&lock);
	done = 1;
	pthread_cond_broadcast(&done_cond);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	printf("order %d for %s: %.2f\n", o.id, o.customer, total);
	return 0;
}
