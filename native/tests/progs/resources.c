/*
 * One of each resource restart must bring back: fds (append, offsets, /dev/null, a named FIFO's
 * three access modes and the bytes queued in it, a pipe end's two open file descriptions with
 * their own flags), cwd, umask,
 * rlimits, personality, signal handlers, pending and blocked signals, sigaltstack, shared and
 * private mappings, a child process, the vDSO, rseq, clear_child_tid and the mm fields.
 * argv[2] is a scratch directory it works in.
 */
#include "common.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

static volatile sig_atomic_t usr1_count, usr1_on_altstack, usr2_seen;
static char altstack[65536];

static void on_usr1(int sig)
{
	(void)sig;
	stack_t ss;
	sigaltstack(NULL, &ss);
	if (ss.ss_flags & SS_ONSTACK)
		usr1_on_altstack++;
	usr1_count++;
}

static void on_usr2(int sig)
{
	(void)sig;
	usr2_seen = 1;
}

static void *late_thread(void *arg)
{
	nap_ms(400); /* ends after the checkpoint */
	return arg;
}

static void write_file(const char *name, const char *text)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		exit(2);
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc < 3 || chdir(argv[2]) < 0)
		return 2;
	umask(027);
	char data[20000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)('0' + i % 10);
	data[sizeof(data) - 1] = 0;
	write_file("data.txt", data);
	write_file("shared.txt", "................");

	int logfd = open("log.txt", O_WRONLY | O_CREAT | O_APPEND, 0644);
	int datafd = open("data.txt", O_RDONLY);
	int nullfd = open("/dev/null", O_WRONLY);
	CHECK(logfd >= 0 && datafd >= 0 && nullfd >= 0, "open files");
	CHECK(write(logfd, "before\n", 7) == 7, "log before");
	CHECK(lseek(datafd, 1234, SEEK_SET) == 1234, "seek");

	unlink("fifo");
	CHECK(mkfifo("fifo", 0600) == 0, "mkfifo");
	int fifo_rw = open("fifo", O_RDWR);
	int fifo_rd = open("fifo", O_RDONLY | O_NONBLOCK);
	int fifo_wr = open("fifo", O_WRONLY);
	CHECK(fifo_rw >= 0 && fifo_rd >= 0 && fifo_wr >= 0, "open the FIFO");
	CHECK(write(fifo_wr, data, 3000) == 3000, "fill the FIFO");

	int pp[2];
	CHECK(pipe(pp) == 0, "pipe");
	char pipe_end[32];
	snprintf(pipe_end, sizeof(pipe_end), "/proc/self/fd/%d", pp[1]);
	int pipe_again = open(pipe_end, O_WRONLY); /* the same end, another description */
	int pipe_dup = dup(pp[1]);
	CHECK(pipe_again >= 0 && pipe_dup >= 0 && fcntl(pp[1], F_SETFL, O_NONBLOCK) == 0, "pipe descriptions");

	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = 200;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0, "setrlimit");
	CHECK(personality(PER_LINUX | ADDR_NO_RANDOMIZE) >= 0, "personality");

	stack_t ss = {.ss_sp = altstack, .ss_size = sizeof(altstack)};
	CHECK(sigaltstack(&ss, NULL) == 0, "sigaltstack");
	struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = SA_RESTART | SA_ONSTACK};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_usr2;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR2, &sa, NULL);
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR2); /* pending, blocked, across the checkpoint */

	int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char *priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, datafd, 0);
	int shfd = open("shared.txt", O_RDWR);
	char *shfile = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, shfd, 0);
	close(shfd);
	CHECK(shared != MAP_FAILED && priv != MAP_FAILED && shfile != MAP_FAILED, "mmap");
	priv[0] = 'X';
	memcpy(shfile, "hello", 5);

	pid_t child = fork();
	if (child == 0) {
		for (int i = 0; i < 20; i++) {
			__atomic_add_fetch(&shared[0], 1, __ATOMIC_SEQ_CST);
			nap_ms(30);
		}
		_exit(4);
	}
	pthread_t th;
	pthread_create(&th, NULL, late_thread, (void *)7L);

	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ready(argv[1]);
	for (int i = 0; i < 30; i++) {
		raise(SIGUSR1);
		nap_ms(25);
	}

	char cwd[4096];
	CHECK(getcwd(cwd, sizeof(cwd)) && strcmp(cwd, argv[2]) == 0, "cwd");
	CHECK(umask(0) == 027, "umask");
	getrlimit(RLIMIT_NOFILE, &rl);
	CHECK(rl.rlim_cur == 200, "rlimit");
	CHECK(personality(0xffffffff) == (PER_LINUX | ADDR_NO_RANDOMIZE), "personality kept");
	sigset_t pend;
	sigpending(&pend);
	CHECK(sigismember(&pend, SIGUSR2), "SIGUSR2 still pending");
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	CHECK(usr2_seen, "SIGUSR2 delivered once unblocked");
	char buf[16] = {0};
	CHECK(read(datafd, buf, 10) == 10 && memcmp(buf, data + 1234, 10) == 0, "file offset");
	CHECK(write(logfd, "after\n", 6) == 6 && write(nullfd, "x", 1) == 1, "log after");
	CHECK((fcntl(fifo_rw, F_GETFL) & O_ACCMODE) == O_RDWR &&
		      (fcntl(fifo_rd, F_GETFL) & (O_ACCMODE | O_NONBLOCK)) == (O_RDONLY | O_NONBLOCK) &&
		      (fcntl(fifo_wr, F_GETFL) & O_ACCMODE) == O_WRONLY,
	      "FIFO access modes");
	CHECK((fcntl(pipe_dup, F_GETFL) & O_NONBLOCK) && !(fcntl(pipe_again, F_GETFL) & O_NONBLOCK),
	      "each pipe description keeps its own flags");
	CHECK(write(pipe_again, "p", 1) == 1 && read(pp[0], buf, 1) == 1 && buf[0] == 'p', "pipe end opened again");
	char queued[4000];
	CHECK(read(fifo_rd, queued, sizeof(queued)) == 3000 && memcmp(queued, data, 3000) == 0, "bytes queued in the FIFO");
	int st;
	CHECK(waitpid(child, &st, 0) == child && WIFEXITED(st) && WEXITSTATUS(st) == 4, "child status");
	void *ret;
	CHECK(pthread_join(th, &ret) == 0 && ret == (void *)7L, "thread join");
	CHECK(priv[0] == 'X' && priv[1] == '1', "private file mapping");
	char sh[6] = {0};
	int sfd = open("shared.txt", O_RDONLY);
	CHECK(sfd >= 0 && read(sfd, sh, 5) == 5 && strcmp(sh, "hello") == 0, "shared file mapping");
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(t1.tv_sec > t0.tv_sec || (t1.tv_sec == t0.tv_sec && t1.tv_nsec > t0.tv_nsec), "clock (vDSO)");
	CHECK(sched_getcpu() >= 0, "sched_getcpu (rseq)");
	char cmd[4096];
	int cfd = open("/proc/self/cmdline", O_RDONLY);
	ssize_t n = read(cfd, cmd, sizeof(cmd));
	CHECK(n > 0 && strcmp(cmd, argv[0]) == 0 && strcmp(cmd + strlen(argv[0]) + 1, argv[1]) == 0, "cmdline");
	char env[65536];
	int efd = open("/proc/self/environ", O_RDONLY);
	n = read(efd, env, sizeof(env) - 1);
	env[n > 0 ? n : 0] = 0;
	CHECK(memmem(env, (size_t)(n > 0 ? n : 0), "CKPT_TEST_ENV=resources", 23) != NULL, "environ");
	printf("usr1 %d on-altstack %d\nshared counter %d\nall resources checked\n", usr1_count, usr1_on_altstack,
	       shared[0]);
	return 0;
}
