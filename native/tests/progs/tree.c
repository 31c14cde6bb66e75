/* A parent with children: pipes between them with bytes in flight, groups, exit statuses. */
#include "common.h"

#include <sys/wait.h>

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	int numbers[2], burst[2];
	if (pipe(numbers) < 0 || pipe(burst) < 0)
		return 2;
	pid_t writer = fork();
	if (writer == 0) {
		close(numbers[0]);
		for (int i = 1; i <= 60; i++) {
			if (write(numbers[1], &i, sizeof(i)) != sizeof(i))
				_exit(10);
			nap_ms(15);
		}
		_exit(5);
	}
	pid_t burster = fork();
	if (burster == 0) {
		setpgid(0, 0); /* a group of its own */
		close(burst[0]);
		char block[3000];
		for (size_t i = 0; i < sizeof(block); i++)
			block[i] = (char)('a' + i % 26);
		/* Written at once and read late: these bytes sit in the pipe at the checkpoint. */
		if (write(burst[1], block, sizeof(block)) != sizeof(block))
			_exit(10);
		nap_ms(1500);
		_exit(6);
	}
	close(numbers[1]);
	close(burst[1]);
	nap_ms(100);
	ready(argv[1]);
	long sum = 0;
	int x;
	while (read(numbers[0], &x, sizeof(x)) == sizeof(x))
		sum += x;
	char buf[4096];
	ssize_t n, total = 0;
	uint64_t h = 14695981039346656037ull;
	while ((n = read(burst[0], buf, sizeof(buf))) > 0) {
		h = fnv(h, buf, (size_t)n);
		total += n;
	}
	int s1, s2;
	CHECK(waitpid(writer, &s1, 0) == writer, "wait writer");
	CHECK(waitpid(burster, &s2, 0) == burster, "wait burster");
	printf("sum %ld\nburst %zd bytes %016llx\nstatuses %d %d\n", sum, total, (unsigned long long)h,
	       WEXITSTATUS(s1), WEXITSTATUS(s2));
	return 0;
}
