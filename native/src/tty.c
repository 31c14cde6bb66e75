/*
 * Terminals (tty.h): which character devices are terminals, and pseudo-terminals whose master
 * the tree holds, captured and made again, with the controlling terminal of session leaders.
 */
#include "tty.h"
#include "fdkind.h"
#include "files.h"
#include "json.h"
#include "notes.h"
#include "portability.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define PTS_MAJOR_FIRST 136
#define PTS_MAJOR_LAST 143

static bool is_pts(dev_t rdev)
{
	return major(rdev) >= PTS_MAJOR_FIRST && major(rdev) <= PTS_MAJOR_LAST;
}

static long pts_index(dev_t rdev)
{
	return (long)(major(rdev) - PTS_MAJOR_FIRST) * 256 * 1024 + minor(rdev);
}

uint32_t tty_device_kind(dev_t rdev)
{
	unsigned maj = major(rdev), min = minor(rdev);
	if (maj == 5 && min == 2)
		return CKPT_FD_PTY_MASTER; /* /dev/ptmx: each open is the master of a new pair */
	return is_pts(rdev) || maj == 4 || (maj == 5 && min <= 1) ? CKPT_FD_TTY : CKPT_FD_CHR;
}

/* ---- the slave's input, read and written back ---- */

/* Puts bytes into the slave's input as they were: written to the master with no input
 * processing and no echo, in the saved canonical mode (the lines are the lines again), then
 * the saved termios.  The line discipline takes written bytes in a moment; it is waited for. */
static int feed_input(int master, int slave, const struct termios *saved, const uint8_t *bytes, uint32_t n)
{
	struct termios feed = *saved;
	feed.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXOFF | IUCLC | IMAXBEL);
	feed.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL | ISIG | IEXTEN | ECHOCTL | ECHOKE | ECHOPRT);
	if (tcsetattr(master, TCSANOW, &feed) < 0 || write_all(master, bytes, n) < 0)
		return -1;
	/* In canonical mode the kernel counts whole lines only: up to the last line end. */
	uint32_t whole = n;
	if (saved->c_lflag & ICANON)
		for (whole = n; whole > 0; whole--) {
			uint8_t c = bytes[whole - 1];
			if (c == '\n' || (c && (c == saved->c_cc[VEOL] || c == saved->c_cc[VEOL2])))
				break;
		}
	struct timespec tick = {0, 1000000};
	int avail = 0;
	for (int i = 0; i < 2000 && (ioctl(slave, TIOCINQ, &avail) < 0 || (uint32_t)avail < whole); i++)
		nanosleep(&tick, NULL);
	if (whole < n) {
		struct timespec rest = {0, 20000000}; /* a line begun: nothing counts it */
		nanosleep(&rest, NULL);
	}
	return tcsetattr(master, TCSANOW, saved);
}

/*
 * The slave's unread input, which no call shows without taking it: read with canonical mode
 * off (a line not ended yet is read too), then written back as it was.
 */
static int take_input(int master, int slave, const struct termios *saved, uint8_t **out, uint32_t *n)
{
	struct termios raw = *saved;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ECHONL | ISIG | IEXTEN);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	*out = NULL;
	*n = 0;
	if (tcsetattr(master, TCSANOW, &raw) < 0)
		return -1;
	uint8_t *bytes = xmalloc(CKPT_PTY_MAX_QUEUED);
	uint32_t got = 0;
	ssize_t r;
	while (got < CKPT_PTY_MAX_QUEUED && (r = read(slave, bytes + got, CKPT_PTY_MAX_QUEUED - got)) > 0)
		got += (uint32_t)r;
	if (got && feed_input(master, slave, saved, bytes, got) < 0) {
		free(bytes);
		return -1;
	}
	if (!got && tcsetattr(master, TCSANOW, saved) < 0) {
		free(bytes);
		return -1;
	}
	*out = bytes;
	*n = got;
	return 0;
}

/* ---- capture ---- */

static int pty_master_capture(pid_t pid, struct fd_image *f, const char *fdinfo)
{
	const char *v = status_field(fdinfo, "tty-index");
	if (!v)
		return ckpt_fail("fd %u of pid %d: the kernel does not show which pseudo-terminal it is", f->rec.fd, pid);
	f->rec.extra = strtoull(v, NULL, 10);
	int master = take_fd(pid, (int)f->rec.fd);
	if (master < 0)
		return ckpt_fail_errno("cannot reach pseudo-terminal fd %u of pid %d", f->rec.fd, pid);
	struct ckpt_fd_pty st = {0};
	struct termios t;
	struct winsize ws;
	int locked = 0, packet = 0, rc = -1;
	if (tcgetattr(master, &t) < 0 || ioctl(master, TIOCGWINSZ, &ws) < 0 || ioctl(master, TIOCGPTLCK, &locked) < 0 ||
	    ioctl(master, TIOCGPKT, &packet) < 0) {
		ckpt_fail_errno("cannot read the state of pseudo-terminal fd %u of pid %d", f->rec.fd, pid);
		goto out;
	}
	st.iflag = t.c_iflag;
	st.oflag = t.c_oflag;
	st.cflag = t.c_cflag;
	st.lflag = t.c_lflag;
	st.line = t.c_line;
	memcpy(st.cc, t.c_cc, sizeof(st.cc));
	st.ispeed = cfgetispeed(&t);
	st.ospeed = cfgetospeed(&t);
	st.rows = ws.ws_row;
	st.cols = ws.ws_col;
	st.xpixel = ws.ws_xpixel;
	st.ypixel = ws.ws_ypixel;
	f->rec.kind_flags = (locked ? CKPT_PTY_LOCKED : 0) | (packet ? CKPT_PTY_PACKET : 0);
	uint8_t *input = NULL;
	/* A locked slave cannot be opened, and nothing has read or written through it. */
	int slave = locked ? -1 : ioctl(master, TIOCGPTPEER, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	struct stat sst;
	if (slave >= 0 && fstat(slave, &sst) == 0) {
		st.uid = sst.st_uid;
		st.gid = sst.st_gid;
		st.mode = sst.st_mode & 0777;
	} else {
		st.uid = (uint32_t)-1; /* the slave cannot be opened: nobody set an owner on it */
		st.gid = (uint32_t)-1;
	}
	if (slave >= 0 && take_input(master, slave, &t, &input, &st.queued) < 0) {
		ckpt_fail_errno("cannot copy the input queued in pseudo-terminal fd %u of pid %d", f->rec.fd, pid);
		close(slave);
		goto out;
	}
	if (slave >= 0)
		close(slave);
	f->rec.data_len = (uint32_t)sizeof(st) + st.queued;
	f->data = xmalloc(f->rec.data_len);
	memcpy(f->data, &st, sizeof(st));
	if (st.queued)
		memcpy(f->data + sizeof(st), input, st.queued);
	free(input);
	rc = 0;
out:
	close(master);
	return rc;
}

static bool is_master_of(const struct fd_image *f, uint64_t index)
{
	return f->rec.kind == CKPT_FD_PTY_MASTER && f->rec.extra == index;
}

static const struct fd_image *find_master(const struct statefile_image *img, uint64_t index)
{
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nfds; k++)
			if (is_master_of(&img->procs[i].fds[k], index))
				return &img->procs[i].fds[k];
	return NULL;
}

/* The controlling terminal (a pts index, -1: none or another kind) and foreground group. */
static long stat_ctty(pid_t pid, uint32_t *fg_pgrp)
{
	char *s = read_proc(pid, "stat", NULL);
	const char *r = s ? strrchr(s, ')') : NULL;
	unsigned long tty_nr = 0;
	int tpgid = -1;
	long index = -1;
	if (r && sscanf(r + 1, " %*c %*d %*d %*d %lu %d", &tty_nr, &tpgid) == 2 && is_pts((dev_t)tty_nr))
		index = pts_index((dev_t)tty_nr);
	*fg_pgrp = tpgid > 0 ? (uint32_t)tpgid : 0;
	free(s);
	return index;
}

/* The pts and /dev/tty fds of the tree's ptys become their slaves; a session leader's
 * controlling terminal is kept; the state of a pty stays on its master's first fd only. */
static int pty_capture_tree(struct statefile_image *img)
{
	for (size_t i = 0; i < img->nprocs; i++) {
		struct process_image *p = &img->procs[i];
		uint32_t fg = 0;
		long ctty = stat_ctty((pid_t)p->rec.pid, &fg);
		bool ours = ctty >= 0 && find_master(img, (uint64_t)ctty);
		if (ours && p->rec.pid == p->rec.sid) {
			p->has_ctty = true;
			p->ctty = (struct ckpt_rec_ctty){.pty = (uint32_t)ctty, .fg_pgrp = fg};
		}
		for (size_t k = 0; k < p->nfds; k++) {
			struct fd_image *f = &p->fds[k];
			if (f->rec.kind == CKPT_FD_PTY_MASTER && find_master(img, f->rec.extra) != f) {
				free(f->data);
				f->data = NULL;
				f->rec.data_len = 0;
			}
			if (f->rec.kind != CKPT_FD_TTY || !f->path)
				continue;
			char *end;
			long index = -1;
			if (strncmp(f->path, "/dev/pts/", 9) == 0) {
				index = strtol(f->path + 9, &end, 10);
				if (end == f->path + 9 || *end)
					index = -1;
			} else if (strcmp(f->path, "/dev/tty") == 0 && ours) {
				index = ctty;
				f->rec.kind_flags |= CKPT_PTY_DEV_TTY;
			}
			if (index >= 0 && find_master(img, (uint64_t)index)) {
				f->rec.kind = CKPT_FD_PTY_SLAVE;
				f->rec.extra = (uint64_t)index;
			} else {
				f->rec.kind_flags = 0;
			}
		}
	}
	return 0;
}

void tty_write_note(struct buf *notes, const struct process_image *p)
{
	if (!p->has_ctty)
		return;
	struct table_writer tw;
	tw_init(&tw, sizeof(struct ckpt_rec_ctty));
	tw_add(&tw, &p->ctty);
	tw_emit(&tw, notes, CKPT_NT_CTTY);
}

/* ---- reading a statefile ---- */

static int pty_check_saved(const struct fd_image *f)
{
	if (f->rec.kind == CKPT_FD_PTY_SLAVE) {
		if (f->rec.kind_flags & ~CKPT_PTY_DEV_TTY || f->rec.data_len)
			return ckpt_fail("pseudo-terminal slave fd %u has flags or data a slave does not have", f->rec.fd);
		return 0;
	}
	if (f->rec.kind_flags & ~(CKPT_PTY_LOCKED | CKPT_PTY_PACKET))
		return ckpt_fail("pseudo-terminal master fd %u has flags a master does not have", f->rec.fd);
	if (!f->rec.data_len)
		return 0;
	struct ckpt_fd_pty st;
	if (f->rec.data_len < sizeof(st))
		return ckpt_fail("pseudo-terminal master fd %u has a state record too short", f->rec.fd);
	memcpy(&st, f->data, sizeof(st));
	if (st.queued > CKPT_PTY_MAX_QUEUED)
		return ckpt_fail("pseudo-terminal master fd %u holds %u queued bytes, more than a pty holds (%u)", f->rec.fd,
				 st.queued, CKPT_PTY_MAX_QUEUED);
	if (f->rec.data_len != sizeof(st) + st.queued)
		return ckpt_fail("pseudo-terminal master fd %u holds %u queued bytes, which its record (%u bytes) does not",
				 f->rec.fd, st.queued, f->rec.data_len);
	if (st.mode & ~0777u || st.reserved[0] || st.reserved[1] || st.reserved[2] || st.reserved2)
		return ckpt_fail("pseudo-terminal master fd %u has a mode or reserved fields no pty has", f->rec.fd);
	return 0;
}

/* Every slave and controlling terminal is of a pty the tree holds the master of, whose
 * state is saved once; a foreground group is a group of the session. */
static int pty_check_tree(const struct statefile_image *img)
{
	for (size_t i = 0; i < img->nprocs; i++) {
		const struct process_image *p = &img->procs[i];
		for (size_t k = 0; k < p->nfds; k++) {
			const struct fd_image *f = &p->fds[k];
			if (f->rec.kind == CKPT_FD_PTY_SLAVE && !find_master(img, f->rec.extra))
				return ckpt_fail("pseudo-terminal slave fd %u of pid %u is of pty %llu, whose master the tree does "
						 "not hold", f->rec.fd, p->rec.pid, (unsigned long long)f->rec.extra);
			if (f->rec.kind == CKPT_FD_PTY_MASTER && !find_master(img, f->rec.extra)->rec.data_len)
				return ckpt_fail("pseudo-terminal %llu has no saved state", (unsigned long long)f->rec.extra);
		}
		if (!p->has_ctty)
			continue;
		if (!find_master(img, p->ctty.pty))
			return ckpt_fail("the controlling terminal of pid %u is pty %u, whose master the tree does not hold",
					 p->rec.pid, p->ctty.pty);
		bool group = !p->ctty.fg_pgrp;
		for (size_t j = 0; j < img->nprocs && !group; j++)
			group = img->procs[j].rec.pgid == p->ctty.fg_pgrp && img->procs[j].rec.sid == p->rec.sid;
		if (!group)
			return ckpt_fail("the foreground group %u of pid %u's terminal is not a group of its session",
					 p->ctty.fg_pgrp, p->rec.pid);
		if (p->rec.pid != p->rec.sid)
			return ckpt_fail("pid %u has a controlling terminal of its own but does not lead its session", p->rec.pid);
	}
	return 0;
}

int tty_parse_note(struct image_notes *in, const struct note *n)
{
	struct table t;
	if (table_parse(n, sizeof(struct ckpt_rec_ctty), 1, &t) < 0)
		return -1;
	if (t.count != 1)
		return ckpt_fail("the controlling terminal note of pid %u has %u records, not one", in->p->rec.pid, t.count);
	table_rec(&t, 0, &in->p->ctty, sizeof(in->p->ctty));
	in->p->has_ctty = true;
	return 0;
}

/* ---- restart ---- */

/* The pairs made again, by saved index; ckpt holds each master until every fd is open. */
struct pty_made {
	uint64_t index;
	int master;
	bool locked;
};
static struct pty_made *made;
static size_t nmade, cap_made;

static int make_pair(const struct process_image *p, const struct fd_image *m)
{
	struct ckpt_fd_pty st;
	memcpy(&st, m->data, sizeof(st));
	int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	int unlock = 0;
	if (master < 0 || ioctl(master, TIOCSPTLCK, &unlock) < 0) {
		if (master >= 0)
			close(master);
		return ckpt_fail_errno("cannot make pseudo-terminal %llu of pid %u again", (unsigned long long)m->rec.extra,
				       p->rec.pid);
	}
	struct termios t = {.c_iflag = st.iflag, .c_oflag = st.oflag, .c_cflag = st.cflag, .c_lflag = st.lflag, .c_line = st.line};
	memcpy(t.c_cc, st.cc, sizeof(t.c_cc));
	cfsetispeed(&t, st.ispeed);
	cfsetospeed(&t, st.ospeed);
	struct winsize ws = {.ws_row = st.rows, .ws_col = st.cols, .ws_xpixel = st.xpixel, .ws_ypixel = st.ypixel};
	int packet = (m->rec.kind_flags & CKPT_PTY_PACKET) != 0;
	int slave = ioctl(master, TIOCGPTPEER, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	int rc = slave < 0 ? -1
		 : st.queued ? feed_input(master, slave, &t, m->data + sizeof(st), st.queued)
			     : tcsetattr(master, TCSANOW, &t);
	if (rc < 0 || ioctl(master, TIOCSWINSZ, &ws) < 0 || ioctl(master, TIOCPKT, &packet) < 0) {
		if (slave >= 0)
			close(slave);
		close(master);
		return ckpt_fail_errno("cannot set the state of pseudo-terminal %llu of pid %u again",
				       (unsigned long long)m->rec.extra, p->rec.pid);
	}
	if (st.uid != (uint32_t)-1) {
		struct stat now;
		if (fstat(slave, &now) == 0 &&
		    ((now.st_uid != st.uid || now.st_gid != st.gid) ? fchown(slave, st.uid, st.gid) : 0) < 0)
			ckpt_warn("pseudo-terminal %llu of pid %u: its slave cannot be given to uid %u, gid %u again (%s)",
				  (unsigned long long)m->rec.extra, p->rec.pid, st.uid, st.gid, strerror(errno));
		if (fchmod(slave, st.mode) < 0)
			ckpt_warn("pseudo-terminal %llu of pid %u: cannot set its slave's mode %o again",
				  (unsigned long long)m->rec.extra, p->rec.pid, st.mode);
	}
	close(slave);
	struct pty_made *pm = ARR_PUSH(made, nmade, cap_made);
	pm->index = m->rec.extra;
	pm->master = master;
	pm->locked = (m->rec.kind_flags & CKPT_PTY_LOCKED) != 0;
	return master;
}

/* The new master of the tree's pty with this saved index, made the first time it is asked for. */
static int pair_master(const struct statefile_image *img, const struct process_image *p, uint64_t index)
{
	for (size_t i = 0; i < nmade; i++)
		if (made[i].index == index)
			return made[i].master;
	return make_pair(p, find_master(img, index));
}

/* The image is needed to find the master: restart reads one statefile at a time. */
static const struct statefile_image *restoring;

/* The masters of a restart that failed before every fd was open are let go. */
static void let_go_of_masters(void)
{
	for (size_t i = 0; i < nmade; i++)
		close(made[i].master);
	free(made);
	made = NULL;
	nmade = cap_made = 0;
}

void tty_restore_prepare(const struct statefile_image *img)
{
	let_go_of_masters();
	restoring = img;
}

static int pty_open(const struct process_image *p, const struct fd_image *f)
{
	int master = pair_master(restoring, p, f->rec.extra);
	if (master < 0)
		return -1;
	int fd;
	if (f->rec.kind == CKPT_FD_PTY_MASTER)
		fd = fcntl(master, F_DUPFD_CLOEXEC, 0);
	else
		fd = ioctl(master, TIOCGPTPEER, (int)(f->rec.open_flags & (O_ACCMODE | O_NONBLOCK)) | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return ckpt_fail_errno("cannot open fd %u of pid %u on pseudo-terminal %llu again", f->rec.fd, p->rec.pid,
				       (unsigned long long)f->rec.extra);
	fcntl(fd, F_SETFL, (int)(f->rec.open_flags & (O_APPEND | O_NONBLOCK | O_ASYNC)));
	return fd;
}

/* Once every fd is open: slaves that were locked are locked again, and ckpt lets go of the
 * masters (each fd of the tree holds its own). */
static int pty_restore_ready(const struct statefile_image *img, const struct files_restore *fr)
{
	(void)img;
	(void)fr;
	int rc = 0;
	for (size_t i = 0; i < nmade; i++) {
		int lock = 1;
		if (made[i].locked && ioctl(made[i].master, TIOCSPTLCK, &lock) < 0 && rc == 0)
			rc = ckpt_fail_errno("cannot lock pseudo-terminal %llu again", (unsigned long long)made[i].index);
	}
	let_go_of_masters();
	return rc;
}

int tty_restore_inside(const struct statefile_image *img, const struct files_restore *fr, const struct process_image *p)
{
	if (!p->has_ctty)
		return 0;
	const struct fd_image *m = find_master(img, p->ctty.pty);
	int master = m ? files_restore_desc_fd(fr, m->rec.desc) : -1;
	/* On the master, TIOCSCTTY and TIOCSPGRP act on its slave. */
	if (master < 0 || ioctl(master, TIOCSCTTY, 0) < 0)
		return ckpt_fail_errno("cannot make pseudo-terminal %u the controlling terminal of pid %u again", p->ctty.pty,
				       p->rec.pid);
	pid_t fg = (pid_t)p->ctty.fg_pgrp;
	if (fg && ioctl(master, TIOCSPGRP, &fg) < 0)
		ckpt_warn("pid %u: cannot make group %u the foreground of its terminal again (%s)", p->rec.pid, p->ctty.fg_pgrp,
			  strerror(errno));
	return 0;
}

/* ckpt check: restart makes the pair again from /dev/ptmx, once per pty. */
static void pty_check_here(const struct process_image *p, const struct fd_image *f, struct portability_report *r)
{
	(void)p;
	if (!f->rec.data_len)
		return;
	char *subject = xasprintf("pseudo-terminal %llu", (unsigned long long)f->rec.extra);
	int fd = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		portability_add(r, "open file", PORTABILITY_OK, subject,
				xstrdup("restart makes the pair again from /dev/ptmx (its /dev/pts number will differ)"), NULL);
	} else {
		portability_add(r, "open file", PORTABILITY_PROBLEM, subject,
				xasprintf("restart makes the pair again from /dev/ptmx, which it cannot open here (%s)",
					  strerror(errno)),
				"mount devpts, or raise its limit on ptys (/proc/sys/kernel/pty/max)");
	}
}

/* ---- ckpt info ---- */

static void pty_describe_text(const struct fd_image *f, struct buf *out, const char *indent)
{
	(void)indent;
	buf_printf(out, " (pty %llu%s", (unsigned long long)f->rec.extra,
		   f->rec.kind_flags & CKPT_PTY_DEV_TTY ? ", opened as /dev/tty" : "");
	if (f->rec.data_len >= sizeof(struct ckpt_fd_pty)) {
		struct ckpt_fd_pty st;
		memcpy(&st, f->data, sizeof(st));
		buf_printf(out, ", %ux%u, %s%s%s, %u bytes of input queued", st.cols, st.rows,
			   st.lflag & ICANON ? "canonical" : "raw", f->rec.kind_flags & CKPT_PTY_LOCKED ? ", locked" : "",
			   f->rec.kind_flags & CKPT_PTY_PACKET ? ", packet mode" : "", st.queued);
	}
	buf_printf(out, ")");
}

static void pty_describe_json(const struct fd_image *f, struct json *j)
{
	json_u64(j, "pty", f->rec.extra);
	if (f->rec.kind == CKPT_FD_PTY_SLAVE) {
		json_bool(j, "dev_tty", f->rec.kind_flags & CKPT_PTY_DEV_TTY);
		return;
	}
	json_bool(j, "locked", f->rec.kind_flags & CKPT_PTY_LOCKED);
	json_bool(j, "packet", f->rec.kind_flags & CKPT_PTY_PACKET);
	if (f->rec.data_len < sizeof(struct ckpt_fd_pty))
		return;
	struct ckpt_fd_pty st;
	memcpy(&st, f->data, sizeof(st));
	json_bool(j, "canonical", st.lflag & ICANON);
	json_bool(j, "echo", st.lflag & ECHO);
	json_u64(j, "rows", st.rows);
	json_u64(j, "cols", st.cols);
	json_u64(j, "queued", st.queued);
}

void tty_describe(struct buf *b, const struct process_image *p)
{
	if (p->has_ctty)
		buf_printf(b, "  Terminal: pty %u (its controlling terminal), foreground group %u\n", p->ctty.pty,
			   p->ctty.fg_pgrp);
}

void tty_json(struct json *j, const struct process_image *p)
{
	if (!p->has_ctty) {
		json_null(j, "ctty");
		return;
	}
	json_object_begin(j, "ctty");
	json_u64(j, "pty", p->ctty.pty);
	json_u64(j, "fg_pgrp", p->ctty.fg_pgrp);
	json_object_end(j);
}

const struct fd_kind pty_master_fd_kind = {
	.kind = CKPT_FD_PTY_MASTER,
	.name = "pty-master",
	.capture = pty_master_capture,
	.check_saved = pty_check_saved,
	.open = pty_open,
	.capture_tree = pty_capture_tree,
	.check_tree = pty_check_tree,
	.describe_text = pty_describe_text,
	.describe_json = pty_describe_json,
	.restore_ready = pty_restore_ready,
	.check_here = pty_check_here,
};

const struct fd_kind pty_slave_fd_kind = {
	.kind = CKPT_FD_PTY_SLAVE,
	.name = "pty-slave",
	.check_saved = pty_check_saved,
	.open = pty_open,
	.describe_text = pty_describe_text,
	.describe_json = pty_describe_json,
};
