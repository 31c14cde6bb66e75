/* Leaves a process of its own group outside its tree (a grandchild whose parent exited), so
 * that once it is killed its pid stays taken as a group id: restart must notice that the pid it
 * wanted is not free after all, and go the namespace way. */
#include "common.h"

#include <sys/wait.h>

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	setpgid(0, 0);
	pid_t c = fork();
	if (c == 0) {
		if (fork() == 0) {
			close(1);
			close(2);
			nap_ms(4000); /* keeps the group alive */
			_exit(0);
		}
		_exit(0);
	}
	waitpid(c, NULL, 0);
	ready(argv[1]);
	long acc = 0;
	for (int i = 0; i < 20; i++) {
		acc = acc * 7 + i;
		nap_ms(20);
	}
	printf("acc %ld\n", acc);
	return 0;
}
