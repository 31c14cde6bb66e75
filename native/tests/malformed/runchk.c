/*
 * Runs one command and reports how it ended and what it left behind.
 *
 *   runchk [-t SECONDS] [-m MIB] -o OUT -e ERR -- COMMAND ARGS...
 *
 * runchk makes itself a child subreaper, so every process that the command starts and leaves
 * behind, however it was detached, ends up among runchk's descendants.  After the command
 * exits (or is killed at the time limit), runchk lists those descendants, kills and reaps
 * them, and prints one line:
 *
 *   status=exit:N|signal:N|timeout ms=N left=N [PID:STATE:COMM ...]
 *
 * -m limits the command's address space (RLIMIT_AS), so that a runaway allocation fails
 * inside the command instead of waking the machine's OOM killer.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct proc {
	int pid, ppid;
	char state;
	char comm[32];
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* All processes, from /proc/PID/stat. */
static size_t snapshot(struct proc **out)
{
	size_t n = 0, cap = 256;
	struct proc *ps = malloc(cap * sizeof(*ps));
	DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		int pid = atoi(e->d_name);
		if (pid <= 0)
			continue;
		char path[64], buf[512];
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t r = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (r <= 0)
			continue;
		buf[r] = 0;
		char *open_paren = strchr(buf, '('), *close_paren = strrchr(buf, ')');
		if (!open_paren || !close_paren)
			continue;
		struct proc p = {.pid = pid};
		size_t cl = (size_t)(close_paren - open_paren - 1);
		if (cl >= sizeof(p.comm))
			cl = sizeof(p.comm) - 1;
		memcpy(p.comm, open_paren + 1, cl);
		for (char *c = p.comm; *c; c++)
			if (*c == ' ' || *c == ':')
				*c = '_';
		if (sscanf(close_paren + 2, "%c %d", &p.state, &p.ppid) != 2)
			continue;
		if (n == cap)
			ps = realloc(ps, (cap *= 2) * sizeof(*ps));
		ps[n++] = p;
	}
	if (d)
		closedir(d);
	*out = ps;
	return n;
}

/* Descendants of root, in a snapshot. */
static size_t descendants(struct proc *ps, size_t n, int root, int *out, size_t max)
{
	size_t k = 0;
	out[k++] = root;
	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < n; j++)
			if (ps[j].ppid == out[i] && k < max)
				out[k++] = ps[j].pid;
	/* Drop root itself. */
	memmove(out, out + 1, (k - 1) * sizeof(*out));
	return k - 1;
}

int main(int argc, char **argv)
{
	double limit = 10;
	long mib = 0;
	const char *out = "/dev/null", *err = "/dev/null";
	int opt;
	while ((opt = getopt(argc, argv, "+t:m:o:e:")) != -1) {
		switch (opt) {
		case 't': limit = atof(optarg); break;
		case 'm': mib = atol(optarg); break;
		case 'o': out = optarg; break;
		case 'e': err = optarg; break;
		default: return 2;
		}
	}
	if (optind < argc && strcmp(argv[optind], "--") == 0)
		optind++;
	if (optind >= argc) {
		fprintf(stderr, "usage: runchk [-t SECONDS] [-m MIB] -o OUT -e ERR -- COMMAND ARGS...\n");
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		perror("runchk: PR_SET_CHILD_SUBREAPER");
		return 2;
	}
	double t0 = now();
	pid_t child = fork();
	if (child < 0) {
		perror("runchk: fork");
		return 2;
	}
	if (child == 0) {
		setpgid(0, 0);
		int in = open("/dev/null", O_RDONLY);
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (in < 0 || o < 0 || e < 0 || dup2(in, 0) < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(126);
		if (mib > 0) {
			struct rlimit rl = {(rlim_t)mib << 20, (rlim_t)mib << 20};
			setrlimit(RLIMIT_AS, &rl);
		}
		execvp(argv[optind], argv + optind);
		_exit(127);
	}
	int st = 0, timed_out = 0;
	for (;;) {
		pid_t r = waitpid(child, &st, WNOHANG);
		if (r == child)
			break;
		if (r < 0 && errno != EINTR) {
			perror("runchk: waitpid");
			return 2;
		}
		if (now() - t0 > limit) {
			timed_out = 1;
			kill(-child, SIGKILL);
			kill(child, SIGKILL);
			waitpid(child, &st, 0);
			break;
		}
		usleep(2000);
	}
	double ms = (now() - t0) * 1000;

	/* What is left: every descendant of ours (they were reparented to us). */
	struct proc *ps;
	size_t n = snapshot(&ps);
	int left[4096];
	size_t nleft = descendants(ps, n, getpid(), left, sizeof(left) / sizeof(left[0]));
	char desc[8192] = "";
	size_t dl = 0;
	for (size_t i = 0; i < nleft; i++)
		for (size_t j = 0; j < n; j++)
			if (ps[j].pid == left[i] && dl < sizeof(desc) - 64)
				dl += (size_t)snprintf(desc + dl, sizeof(desc) - dl, " %d:%c:%s", ps[j].pid, ps[j].state, ps[j].comm);
	free(ps);
	/* Clean up: kill what is left and reap it, until nothing is. */
	for (int round = 0; round < 200; round++) {
		n = snapshot(&ps);
		int again[4096];
		size_t m = descendants(ps, n, getpid(), again, sizeof(again) / sizeof(again[0]));
		free(ps);
		for (size_t i = 0; i < m; i++)
			kill(again[i], SIGKILL);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (m == 0)
			break;
		usleep(10000);
	}
	if (timed_out)
		printf("status=timeout");
	else if (WIFEXITED(st))
		printf("status=exit:%d", WEXITSTATUS(st));
	else
		printf("status=signal:%d", WTERMSIG(st));
	printf(" ms=%.0f left=%zu%s\n", ms, nleft, desc);
	return 0;
}
