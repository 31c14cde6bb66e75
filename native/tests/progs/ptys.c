/*
 * Pseudo-terminals whose masters the program holds.  One pair has its termios changed (no
 * echo, another interrupt character), a window size, packet mode, a slave of mode 0600, and
 * input queued for the slave: two whole lines and the start of a third.  A second pair is
 * left locked.  A child leads a session of its own whose controlling terminal is the first
 * pair's slave, with its group in the foreground, and holds it only through /dev/tty.  After
 * the checkpoint each is checked: the state, the queued lines read line by line, the child's
 * terminal, and the hangup the child gets when the parent closes the master.
 *   ptys READY
 */
#include "common.h"

#include <errno.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>

static volatile sig_atomic_t hangups;

static void hangup(int sig)
{
	(void)sig;
	hangups++;
}

static void child(int master, int go)
{
	signal(SIGHUP, hangup);
	CHECK(setsid() > 0, "setsid");
	int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	CHECK(slave >= 0 && ioctl(slave, TIOCSCTTY, 0) == 0, "take the controlling terminal");
	CHECK(tcsetpgrp(slave, getpgrp()) == 0, "foreground");
	int tty = open("/dev/tty", O_RDWR);
	CHECK(tty >= 0, "open /dev/tty");
	close(slave);
	close(master);
	char x;
	CHECK(write(go, "r", 1) == 1, "ready");
	CHECK(read(go, &x, 1) == 1, "told to check");
	pid_t sid = 0;
	CHECK(ioctl(tty, TIOCGSID, &sid) == 0, "TIOCGSID");
	printf("the child: /dev/tty is the controlling terminal of its session: %s, its group in the foreground: %s\n",
	       sid == getpid() ? "yes" : "no", tcgetpgrp(tty) == getpgrp() ? "yes" : "no");
	char line[64];
	ssize_t n = read(tty, line, sizeof(line));
	printf("the child reads through /dev/tty: %.*s", (int)(n > 0 ? n : 0), line);
	fflush(stdout);
	CHECK(write(go, "c", 1) == 1, "checked");
	/* The parent closes the master: the terminal hangs up. */
	struct timespec tick = {0, 1000000};
	while (!hangups)
		nanosleep(&tick, NULL); /* the hangup's signal ends it early */
	printf("the child: hung up when the master closed\n");
	fflush(stdout);
	_exit(0);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	signal(SIGHUP, SIG_IGN);
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	CHECK(master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0, "a pty");
	int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	CHECK(slave >= 0, "open its slave");
	struct termios t;
	CHECK(tcgetattr(slave, &t) == 0, "tcgetattr");
	t.c_lflag &= ~(tcflag_t)ECHO;
	t.c_cc[VINTR] = 030;
	CHECK(tcsetattr(slave, TCSANOW, &t) == 0, "tcsetattr");
	struct winsize ws = {.ws_row = 33, .ws_col = 101};
	CHECK(ioctl(master, TIOCSWINSZ, &ws) == 0, "window size");
	CHECK(fchmod(slave, 0600) == 0, "slave mode");
	int locked = posix_openpt(O_RDWR | O_NOCTTY);
	CHECK(locked >= 0, "a locked pty");

	int go[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, go) == 0, "socketpair");
	pid_t kid = fork();
	if (kid == 0) {
		close(go[0]);
		child(master, go[1]);
	}
	close(go[1]);
	char x;
	CHECK(read(go[0], &x, 1) == 1, "the child is ready");
	static const char queued[] = "line one\nline two\npart";
	CHECK(write(master, queued, sizeof(queued) - 1) == sizeof(queued) - 1, "queue input");
	int on = 1;
	CHECK(ioctl(master, TIOCPKT, &on) == 0, "packet mode");
	for (int i = 0; i < 500; i++) {
		int avail = 0;
		if (ioctl(slave, FIONREAD, &avail) == 0 && avail == 18)
			break;
		nap_ms(2);
	}

	ready(argv[1]);
	for (int step = 0; step < 40; step++)
		nap_ms(20);

	struct termios now;
	struct winsize wnow;
	struct stat st;
	int pkt = -1, lock = -1;
	CHECK(tcgetattr(slave, &now) == 0 && ioctl(slave, TIOCGWINSZ, &wnow) == 0 && fstat(slave, &st) == 0 &&
		      ioctl(master, TIOCGPKT, &pkt) == 0 && ioctl(locked, TIOCGPTLCK, &lock) == 0,
	      "read the state");
	printf("echo %s, interrupt ^%c, canonical %s, window %ux%u, packet mode %s, slave mode %o, second pty %s\n",
	       now.c_lflag & ECHO ? "on" : "off", now.c_cc[VINTR] + '@', now.c_lflag & ICANON ? "on" : "off", wnow.ws_col,
	       wnow.ws_row, pkt ? "on" : "off", (unsigned)(st.st_mode & 0777), lock ? "locked" : "unlocked");
	char line[64];
	for (int i = 0; i < 2; i++) {
		ssize_t n = read(slave, line, sizeof(line));
		printf("queued line %d: %.*s", i + 1, (int)(n > 0 ? n : 0), n > 0 ? line : "(none)\n");
	}
	CHECK(write(master, "ial\n", 4) == 4, "end the third line");
	ssize_t n = read(slave, line, sizeof(line));
	printf("queued line 3, ended after: %.*s", (int)(n > 0 ? n : 0), n > 0 ? line : "(none)\n");
	fflush(stdout);

	CHECK(write(master, "to the child\n", 13) == 13, "write for the child");
	CHECK(write(go[0], "c", 1) == 1, "tell the child");
	CHECK(read(go[0], &x, 1) == 1, "the child checked");
	close(slave);
	close(master);
	int status;
	CHECK(waitpid(kid, &status, 0) == kid && WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child ended");
	return 0;
}
