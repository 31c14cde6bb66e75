/*
 * Unix domain sockets (fdkind.h): socketpairs and connected pairs inside the tree, listening and
 * bound sockets at a path or an abstract name, the messages queued in each and the fds in
 * flight with them (also those no process holds: sk_unix.h).  Capture finds each socket's peer
 * with sock_diag (unix_diag); restart makes every socket in ckpt, then joins the pairs and
 * refills the queues once all exist (restore_ready).  A socket whose peer is outside the tree
 * comes back reporting a reset (a datagram one is connected to its peer's name again, if it can).
 */
#include "fdkind.h"
#include "files.h"
#include "inject.h"
#include "json.h"
#include "portability.h"
#include "remote.h"
#include "sk_common.h"
#include "sk_unix.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#define NAME_MAX_UNIX sizeof(((struct sockaddr_un *)0)->sun_path)
#define UNIX_FLAGS \
	(CKPT_SK_PEER_IN_TREE | CKPT_SK_RESET | CKPT_SK_QUEUES | CKPT_SK_IN_ACCEPT_QUEUE | CKPT_SK_OPTIONS | \
	 CKPT_SK_NAME_GONE | CKPT_SK_FILE_ATTRS)

#ifndef SYS_kcmp
#define SYS_kcmp 312
#endif
#define KCMP_FILE 0

/* The bytes of sun_path that name an address: an abstract name keeps its leading NUL, a path
 * loses its trailing NULs.  Returns their number. */
static size_t name_bytes(const void *sun_path, size_t len, uint8_t out[NAME_MAX_UNIX])
{
	const uint8_t *p = sun_path;
	if (len > NAME_MAX_UNIX)
		len = NAME_MAX_UNIX;
	if (len && p[0])
		len = strnlen((const char *)p, len);
	memcpy(out, p, len);
	return len;
}

/* A name as people read it: a path, or "@name" for an abstract one. */
static char *name_text(const uint8_t *name, size_t len)
{
	if (!len)
		return xstrdup("");
	char *s = xmalloc(len + 1);
	memcpy(s, name, len);
	s[len] = 0;
	if (!name[0])
		s[0] = '@';
	for (size_t i = 1; i < len; i++)
		if (!s[i])
			s[i] = '@';
	return s;
}

static const char *type_name(uint32_t type)
{
	return type == SOCK_STREAM ? "stream" : type == SOCK_DGRAM ? "dgram" : type == SOCK_SEQPACKET ? "seqpacket" : "?";
}

/* ---- sock_diag ---- */

struct unix_diag_info {
	uint8_t type, state;
	bool has_peer;
	uint64_t peer_ino;
	uint8_t name[NAME_MAX_UNIX];
	size_t name_len;
	uint32_t rqueue, wqueue;    /* listening: pending connections and backlog; else queued bytes */
	uint32_t shutdown;
	uint32_t *icons;            /* listening: inodes of the connections waiting to be accepted */
	size_t nicons;
	bool has_vfs;               /* bound to a path: the socket file's inode and device */
	uint64_t vfs_ino;
	dev_t vfs_dev;
};

/* What unix_diag says about the socket with this inode; -1 with errno when it cannot. */
static int diag_query(uint64_t ino, struct unix_diag_info *d)
{
	memset(d, 0, sizeof(*d));
	int nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl < 0)
		return -1;
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req req;
	} msg = {
		.nlh = {.nlmsg_len = sizeof(msg), .nlmsg_type = SOCK_DIAG_BY_FAMILY, .nlmsg_flags = NLM_F_REQUEST},
		.req = {.sdiag_family = AF_UNIX, .udiag_states = ~0u, .udiag_ino = (uint32_t)ino,
			.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN | UDIAG_SHOW_ICONS |
					       UDIAG_SHOW_VFS,
			.udiag_cookie = {~0u, ~0u}},
	};
	size_t cap = 1u << 16;
	uint8_t *buf = xmalloc(cap);
	int rc = -1;
	ssize_t n;
	if (send(nl, &msg, sizeof(msg), 0) != sizeof(msg) || (n = recv(nl, buf, cap, 0)) < 0)
		goto out;
	for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);
			errno = e->error ? -e->error : ENOENT;
			goto out;
		}
		if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct unix_diag_msg)))
			continue;
		const struct unix_diag_msg *m = NLMSG_DATA(h);
		if (m->udiag_ino != (uint32_t)ino)
			continue;
		d->type = m->udiag_type;
		d->state = m->udiag_state;
		size_t alen = h->nlmsg_len - NLMSG_LENGTH(sizeof(*m));
		for (const struct nlattr *a = (const void *)(m + 1); alen >= sizeof(*a) && a->nla_len >= sizeof(*a) &&
								       a->nla_len <= alen;) {
			const uint8_t *v = (const uint8_t *)a + NLA_HDRLEN;
			size_t vlen = a->nla_len - NLA_HDRLEN;
			switch (a->nla_type) {
			case UNIX_DIAG_NAME:
				d->name_len = name_bytes(v, vlen, d->name);
				break;
			case UNIX_DIAG_PEER:
				if (vlen >= 4) {
					uint32_t p;
					memcpy(&p, v, 4);
					d->has_peer = true;
					d->peer_ino = p;
				}
				break;
			case UNIX_DIAG_RQLEN:
				if (vlen >= sizeof(struct unix_diag_rqlen)) {
					struct unix_diag_rqlen q;
					memcpy(&q, v, sizeof(q));
					d->rqueue = q.udiag_rqueue;
					d->wqueue = q.udiag_wqueue;
				}
				break;
			case UNIX_DIAG_ICONS:
				d->nicons = vlen / 4;
				d->icons = xmalloc(vlen ? vlen : 1);
				memcpy(d->icons, v, d->nicons * 4);
				break;
			case UNIX_DIAG_VFS:
				if (vlen >= sizeof(struct unix_diag_vfs)) {
					struct unix_diag_vfs fs;
					memcpy(&fs, v, sizeof(fs));
					d->has_vfs = true;
					d->vfs_ino = fs.udiag_vfs_ino;
					/* The kernel's own encoding: 12 bits of major, 20 of minor. */
					d->vfs_dev = makedev(fs.udiag_vfs_dev >> 20, fs.udiag_vfs_dev & 0xfffff);
				}
				break;
			case UNIX_DIAG_SHUTDOWN:
				if (vlen >= 1)
					d->shutdown = v[0];
				break;
			}
			size_t step = NLA_ALIGN(a->nla_len);
			if (step >= alen)
				break;
			alen -= step;
			a = (const void *)((const uint8_t *)a + step);
		}
		rc = 0;
		break;
	}
	if (rc < 0)
		errno = ENOENT;
out:
	free(buf);
	close(nl);
	return rc;
}

/* ---- the blob ---- */

/* A record read back from a blob that check_saved accepted (or that capture wrote). */
struct unix_view {
	struct ckpt_fd_unix u;
	struct ckpt_sk_options opts; /* size 0: none saved */
	struct ckpt_unix_file file;  /* with CKPT_SK_FILE_ATTRS, else zero */
	const uint8_t *name, *peer_name;
	struct sk_cursor msgs;   /* at the first queued message */
};

static int view_of(const struct fd_image *f, struct unix_view *v)
{
	struct sk_cursor c = {f->data, f->rec.data_len, 0};
	const uint8_t *r = sk_take(&c, sizeof(v->u));
	if (!r)
		return -1;
	memcpy(&v->u, r, sizeof(v->u));
	if (sk_take_options(&c, f->rec.kind_flags, &v->opts) < 0 || v->u.name_len > NAME_MAX_UNIX ||
	    v->u.peer_name_len > NAME_MAX_UNIX)
		return -1;
	memset(&v->file, 0, sizeof(v->file));
	if (f->rec.kind_flags & CKPT_SK_FILE_ATTRS) {
		if (!(r = sk_take(&c, sizeof(v->file))))
			return -1;
		memcpy(&v->file, r, sizeof(v->file));
	}
	v->name = sk_take(&c, v->u.name_len);
	v->peer_name = sk_take(&c, v->u.peer_name_len);
	v->msgs = c;
	return v->name && v->peer_name ? 0 : -1;
}

static void put_record(struct fd_image *f, const struct ckpt_fd_unix *u, const struct ckpt_sk_options *opts,
		       const struct ckpt_unix_file *file, const uint8_t *name, const uint8_t *peer_name,
		       const struct buf *msgs)
{
	struct buf b = {0};
	buf_put(&b, u, sizeof(*u));
	sk_put_options(&b, f->rec.kind_flags, opts);
	if (f->rec.kind_flags & CKPT_SK_FILE_ATTRS)
		buf_put(&b, file, sizeof(*file));
	buf_put(&b, name, u->name_len);
	buf_put(&b, peer_name, u->peer_name_len);
	if (msgs)
		buf_put(&b, msgs->data, msgs->len);
	free(f->data);
	f->data = b.data;
	f->rec.data_len = (uint32_t)b.len;
}

/* ---- capture ---- */

/* Whether the path a socket of pid was bound to still leads to its socket file, as pid sees
 * it (then *seen is true and st that file's); a path ckpt cannot look at counts as leading
 * there. */
static bool path_leads_to_it(pid_t pid, const struct unix_diag_info *d, struct stat *st, bool *seen)
{
	char *path = xasprintf("/proc/%d/%s/%.*s", pid, d->name[0] == '/' ? "root" : "cwd", (int)d->name_len,
			       (const char *)d->name);
	int found = lstat(path, st);
	*seen = found == 0 && st->st_ino == d->vfs_ino && st->st_dev == d->vfs_dev;
	bool leads = found == 0 ? *seen : errno != ENOENT && errno != ENOTDIR;
	free(path);
	return leads;
}

static int unix_capture(pid_t pid, struct fd_image *f, const char *fdinfo)
{
	struct unix_diag_info d;
	if (diag_query(f->rec.ino, &d) < 0) {
		/* No sock_diag for unix sockets: it cannot be paired, so it is kept as a socket restart
		 * does not rebuild (and says so). */
		ckpt_debug("unix socket fd %u of pid %d: no unix_diag (%s)", f->rec.fd, pid, strerror(errno));
		f->rec.kind = CKPT_FD_SOCKET;
		return 0;
	}
	int fd = take_fd(pid, (int)f->rec.fd);
	if (fd < 0) {
		free(d.icons);
		return ckpt_fail_errno("cannot reach unix socket fd %u of pid %d", f->rec.fd, pid);
	}
	struct ckpt_fd_unix u = {0};
	struct ckpt_sk_options opts;
	struct ckpt_unix_file file = {0};
	int rc = sk_common_capture(fd, &u.sk);
	sk_options_capture(fd, &opts);
	f->rec.kind_flags |= CKPT_SK_OPTIONS;
	struct stat st;
	bool seen = false;
	if (d.name_len && d.name[0] && d.has_vfs && !path_leads_to_it(pid, &d, &st, &seen))
		f->rec.kind_flags |= CKPT_SK_NAME_GONE;
	if (seen) {
		f->rec.kind_flags |= CKPT_SK_FILE_ATTRS;
		file.mode = st.st_mode & 07777;
		file.uid = st.st_uid;
		file.gid = st.st_gid;
	}
	u.sk.type = d.type;
	u.ino = f->rec.ino;
	u.shutdown = d.shutdown & 3;
	u.name_len = (uint32_t)d.name_len;
	uint8_t peer_name[NAME_MAX_UNIX];
	if (d.state == 10 /* TCP_LISTEN */) {
		u.sk.state = CKPT_SKS_LISTENING;
		u.sk.backlog = d.wqueue;
		u.pending = d.rqueue;
	} else if (d.has_peer) {
		u.sk.state = CKPT_SKS_CONNECTED;
		u.peer_ino = d.peer_ino;
		struct sockaddr_un a;
		socklen_t l = sizeof(a);
		if (getpeername(fd, (struct sockaddr *)&a, &l) == 0 && l > offsetof(struct sockaddr_un, sun_path))
			u.peer_name_len = (uint32_t)name_bytes(a.sun_path, l - offsetof(struct sockaddr_un, sun_path), peer_name);
	} else {
		u.sk.state = CKPT_SKS_UNCONNECTED;
	}
	close(fd);
	free(d.icons);
	if (rc == 0)
		put_record(f, &u, &opts, &file, d.name, peer_name, NULL);
	return rc;
}

/* The fd of the tree (any process) whose open file description ours (received into ckpt)
 * shares; NULL when no process of the tree holds it. */
static const struct fd_image *tree_fd_of(const struct statefile_image *img, int ours)
{
	struct stat st;
	if (fstat(ours, &st) < 0)
		return NULL;
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nfds; k++) {
			const struct fd_image *g = &img->procs[i].fds[k];
			if (g->rec.ino == (uint64_t)st.st_ino && g->rec.dev == (uint64_t)st.st_dev &&
			    syscall(SYS_kcmp, getpid(), (pid_t)img->procs[i].rec.pid, KCMP_FILE, ours, (int)g->rec.fd) == 0)
				return g;
		}
	return NULL;
}

struct queue_capture {
	const struct statefile_image *img;
	const char *what;
	struct buf msgs;
	uint32_t count;
};

static int keep_message(const struct sk_peeked *m, void *arg)
{
	struct queue_capture *q = arg;
	uint32_t descs[SK_MAX_FDS_PER_MSG];
	for (size_t i = 0; i < m->nfds; i++) {
		const struct fd_image *g = tree_fd_of(q->img, m->fds[i]);
		if (!g)
			return ckpt_fail("%s has an fd in flight (SCM_RIGHTS) that no process of the tree holds open, "
					 "which ckpt cannot save", q->what);
		descs[i] = g->rec.desc;
	}
	uint8_t name[NAME_MAX_UNIX];
	size_t name_len = 0;
	if (m->name_len > offsetof(struct sockaddr_un, sun_path))
		name_len = name_bytes(m->name + offsetof(struct sockaddr_un, sun_path),
				      m->name_len - offsetof(struct sockaddr_un, sun_path), name);
	sk_put_msg(&q->msgs, name, (uint32_t)name_len, descs, (uint32_t)m->nfds, m->data, (uint32_t)m->len);
	q->count++;
	return 0;
}

static const struct fd_image *unix_fd_by_ino(const struct statefile_image *img, uint64_t ino)
{
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nfds; k++)
			if (img->procs[i].fds[k].rec.kind == CKPT_FD_UNIX && img->procs[i].fds[k].rec.ino == ino)
				return &img->procs[i].fds[k];
	return NULL;
}

/* Whether a listening socket of the tree has a connection from the client with this inode
 * waiting to be accepted (sock_diag lists the clients' inodes). */
static bool waits_at_a_listener(const struct statefile_image *img, uint64_t ino)
{
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nfds; k++) {
			const struct fd_image *g = &img->procs[i].fds[k];
			struct unix_view v;
			if (g->rec.kind != CKPT_FD_UNIX || view_of(g, &v) < 0 || v.u.sk.state != CKPT_SKS_LISTENING)
				continue;
			struct unix_diag_info d;
			if (diag_query(g->rec.ino, &d) < 0)
				continue;
			bool found = false;
			for (size_t j = 0; j < d.nicons && !found; j++)
				found = d.icons[j] == ino;
			free(d.icons);
			if (found)
				return true;
		}
	return false;
}

/* ---- fds in flight that no process may hold (sk_unix.h) ---- */

/* A queue read while installing its fds in flight, kept for the capture of its socket
 * (capture_description): a message of no bytes, once peeked at, is not seen by a second read
 * at an offset.  The fds are ckpt's copies, open until unix_in_flight_remove. */
struct read_queue {
	pid_t pid;
	uint64_t ino;
	struct sk_peeked *msgs;
	size_t n;
};
static struct {
	struct read_queue *q;
	size_t n;
} read_queues;

static struct read_queue *read_queue_of(uint64_t ino)
{
	for (size_t i = 0; i < read_queues.n; i++)
		if (read_queues.q[i].ino == ino)
			return &read_queues.q[i];
	return NULL;
}

static void free_read_queues(pid_t pid)
{
	size_t kept = 0;
	for (size_t i = 0; i < read_queues.n; i++) {
		struct read_queue *q = &read_queues.q[i];
		if (q->pid != pid) {
			read_queues.q[kept++] = *q;
			continue;
		}
		for (size_t k = 0; k < q->n; k++) {
			for (size_t j = 0; j < q->msgs[k].nfds; j++)
				close(q->msgs[k].fds[j]);
			free(q->msgs[k].data);
		}
		free(q->msgs);
	}
	read_queues.n = kept;
	if (!kept) {
		free(read_queues.q);
		read_queues.q = NULL;
	}
}

/* Where the messages that carry fds start in a queue, as SO_PEEK_OFF counts; and the whole
 * queue, for the capture. */
struct fd_offsets {
	uint64_t at;
	uint64_t *offs;
	size_t n;
	struct read_queue *q;
};

static int note_offset(const struct sk_peeked *m, void *arg)
{
	struct fd_offsets *o = arg;
	if (m->nfds) {
		o->offs = xrealloc(o->offs, (o->n + 1) * sizeof(*o->offs));
		o->offs[o->n++] = o->at;
	}
	o->at += m->len;
	struct read_queue *q = o->q;
	q->msgs = xrealloc(q->msgs, (q->n + 1) * sizeof(*q->msgs));
	struct sk_peeked *c = &q->msgs[q->n++];
	*c = *m;
	c->data = xmalloc(m->len ? m->len : 1);
	memcpy(c->data, m->data, m->len);
	for (size_t i = 0; i < m->nfds; i++)
		c->fds[i] = fcntl(m->fds[i], F_DUPFD_CLOEXEC, 0);
	return 0;
}

/* The injected recvmsg's msghdr, iovec, one byte of data and room for the most fds. */
#define IN_FLIGHT_CTL CMSG_SPACE(sizeof(int) * SK_MAX_FDS_PER_MSG)
#define IN_FLIGHT_SCRATCH (128 + IN_FLIGHT_CTL)

static void add_fd(struct unix_in_flight *in, int fd)
{
	in->fds = xrealloc(in->fds, (in->n + 1) * sizeof(*in->fds));
	in->fds[in->n++] = fd;
}

/* Peeks, inside the process, at each message of its socket fd (ours: the same socket here)
 * that carries fds, which the kernel then installs in its table. */
static int install_from(struct inject *inj, struct unix_in_flight *in, int fd, int ours, const struct fd_offsets *o,
			const char *what)
{
	uint64_t mh_at = inj->scratch, io_at = mh_at + 64, data_at = io_at + 32, ctl_at = mh_at + 128;
	long ret;
	for (size_t i = 0; i < o->n; i++) {
		int off = (int)o->offs[i];
		struct iovec io = {(void *)(uintptr_t)data_at, 1};
		struct msghdr mh = {.msg_iov = (void *)(uintptr_t)io_at, .msg_iovlen = 1,
				    .msg_control = (void *)(uintptr_t)ctl_at, .msg_controllen = IN_FLIGHT_CTL};
		int flags = MSG_PEEK | MSG_DONTWAIT | MSG_CMSG_CLOEXEC;
		if (o->offs[i] > INT_MAX || setsockopt(ours, SOL_SOCKET, SO_PEEK_OFF, &off, sizeof(off)) < 0)
			return ckpt_fail_errno("cannot read the fds in flight in %s", what);
		if (!inject_allowed(inj, SYS_recvmsg, (uint64_t)fd, mh_at, (uint64_t)flags, 0, 0, 0) ||
		    !inject_allowed(inj, SYS_close, (uint64_t)fd, 0, 0, 0, 0, 0))
			return ckpt_fail("%s has fds in flight, which its seccomp filter does not let ckpt read", what);
		if (remote_write(in->pid, io_at, &io, sizeof(io)) < 0 || remote_write(in->pid, mh_at, &mh, sizeof(mh)) < 0 ||
		    inject_syscall_checked(inj, "recvmsg (fds in flight)", SYS_recvmsg, (uint64_t)fd, mh_at, (uint64_t)flags,
					   0, 0, 0, &ret) < 0 ||
		    remote_read(in->pid, mh_at, &mh, sizeof(mh)) < 0)
			return -1;
		union {
			struct cmsghdr align;
			uint8_t b[IN_FLIGHT_CTL];
		} ctl;
		size_t len = mh.msg_controllen < sizeof(ctl.b) ? mh.msg_controllen : sizeof(ctl.b);
		if (len && remote_read(in->pid, ctl_at, ctl.b, len) < 0)
			return -1;
		mh.msg_control = ctl.b;
		mh.msg_controllen = len;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
				for (size_t k = 0; k < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); k++) {
					int got;
					memcpy(&got, CMSG_DATA(c) + k * sizeof(int), sizeof(int));
					add_fd(in, got);
				}
		if (mh.msg_flags & MSG_CTRUNC)
			return ckpt_fail("%s has a message with more fds in flight than ckpt can take", what);
	}
	return 0;
}

/* The unix socket fd of the process, in ckpt, when fds are in flight in its queue (fdinfo's
 * scm_fds says so; without it, any datagram or connected socket); -1 for any other fd.  A
 * socket not read here keeps its zero-length messages for the capture's own reading, which
 * would not see them once peeked at. */
static int unix_queue_of(pid_t pid, int fd)
{
	char link[64], info[64];
	snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)pid, fd);
	snprintf(info, sizeof(info), "fdinfo/%d", fd);
	char *path = read_link(link), *fdinfo = read_proc(pid, info, NULL);
	const char *scm_fds = fdinfo ? status_field(fdinfo, "scm_fds") : NULL;
	bool sock = path && strncmp(path, "socket:[", 8) == 0 && (!scm_fds || atoi(scm_fds) > 0);
	free(path);
	free(fdinfo);
	int ours = sock ? take_fd(pid, fd) : -1, domain = 0, type = 0;
	socklen_t l = sizeof(domain), tl = sizeof(type);
	struct sockaddr_un peer;
	socklen_t pl = sizeof(peer);
	if (ours >= 0 && (getsockopt(ours, SOL_SOCKET, SO_DOMAIN, &domain, &l) < 0 || domain != AF_UNIX ||
			  getsockopt(ours, SOL_SOCKET, SO_TYPE, &type, &tl) < 0 ||
			  (type != SOCK_DGRAM && getpeername(ours, (struct sockaddr *)&peer, &pl) < 0))) {
		close(ours);
		ours = -1;
	}
	return ours;
}

int unix_in_flight_install(struct unix_in_flight *in, const struct seccomp_image *filter)
{
	in->fds = NULL;
	in->n = 0;
	DIR *d = opendir_proc(in->pid, "fd");
	if (!d)
		return ckpt_fail_errno("cannot list the open files of pid %d", in->pid);
	int *fds = NULL;
	size_t nfds = 0;
	for (struct dirent *de; (de = readdir(d));)
		if (de->d_name[0] != '.') {
			fds = xrealloc(fds, (nfds + 1) * sizeof(*fds));
			fds[nfds++] = atoi(de->d_name);
		}
	closedir(d);
	/* Sockets installed in flight are read too; each socket once (a socket may be in flight
	 * in its own queue). */
	uint64_t *seen = NULL;
	size_t nseen = 0;
	struct inject inj;
	bool injecting = false;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < nfds + in->n; i++) {
		int fd = i < nfds ? fds[i] : in->fds[i - nfds];
		int ours = unix_queue_of(in->pid, fd);
		struct stat st;
		if (ours < 0)
			continue;
		/* A socket another process shares was read there. */
		bool again = fstat(ours, &st) < 0 || read_queue_of((uint64_t)st.st_ino);
		for (size_t k = 0; k < nseen && !again; k++)
			again = seen[k] == (uint64_t)st.st_ino;
		if (again) {
			close(ours);
			continue;
		}
		seen = xrealloc(seen, (nseen + 1) * sizeof(*seen));
		seen[nseen++] = (uint64_t)st.st_ino;
		char *what = xasprintf("unix socket fd %d of pid %d", fd, (int)in->pid);
		read_queues.q = xrealloc(read_queues.q, (read_queues.n + 1) * sizeof(*read_queues.q));
		struct fd_offsets o = {.q = &read_queues.q[read_queues.n++]};
		*o.q = (struct read_queue){.pid = in->pid, .ino = (uint64_t)st.st_ino};
		int own_off = -1;
		socklen_t l = sizeof(own_off);
		getsockopt(ours, SOL_SOCKET, SO_PEEK_OFF, &own_off, &l);
		rc = sk_peek_queue(ours, note_offset, &o, what);
		if (rc == 0 && o.n && !injecting && (rc = inject_begin(&inj, in->tid, in->gadget, IN_FLIGHT_SCRATCH)) == 0) {
			injecting = true;
			inj.filter = filter;
		}
		if (rc == 0 && o.n)
			rc = install_from(&inj, in, fd, ours, &o, what);
		setsockopt(ours, SOL_SOCKET, SO_PEEK_OFF, &own_off, sizeof(own_off));
		close(ours);
		free(o.offs);
		free(what);
	}
	free(fds);
	free(seen);
	if (injecting && inject_end(&inj) < 0)
		rc = -1;
	if (rc < 0)
		unix_in_flight_remove(in); /* the first error stays the one reported */
	return rc;
}

void unix_in_flight_mark(const struct unix_in_flight *in, struct process_image *p)
{
	for (size_t k = 0; k < p->nfds; k++)
		for (size_t i = 0; i < in->n; i++)
			if (p->fds[k].rec.fd == (uint32_t)in->fds[i])
				p->fds[k].rec.fd_flags |= CKPT_FDF_IN_FLIGHT;
}

int unix_in_flight_remove(struct unix_in_flight *in)
{
	int rc = 0;
	struct inject inj;
	if (in->n && (rc = inject_begin(&inj, in->tid, in->gadget, 0)) == 0) {
		long ret;
		for (size_t i = 0; i < in->n && rc == 0; i++)
			rc = inject_syscall(&inj, SYS_close, (uint64_t)in->fds[i], 0, 0, 0, 0, 0, &ret);
		if (inject_end(&inj) < 0)
			rc = -1;
	}
	free(in->fds);
	in->fds = NULL;
	in->n = 0;
	free_read_queues(in->pid);
	return rc;
}

/* One description: how its peer is reached, and its queue. */
static int capture_description(struct statefile_image *img, const struct process_image *p, struct fd_image *f)
{
	struct unix_view v;
	if (view_of(f, &v) < 0)
		return ckpt_fail("internal error: unix socket fd %u has no record", f->rec.fd);
	uint8_t name[NAME_MAX_UNIX], peer_name[NAME_MAX_UNIX];
	memcpy(name, v.name, v.u.name_len);
	memcpy(peer_name, v.peer_name, v.u.peer_name_len);
	char *what = xasprintf("unix socket fd %u of pid %u", f->rec.fd, p->rec.pid);
	int rc = 0;
	if (v.u.sk.state == CKPT_SKS_CONNECTED) {
		/* A connection not accepted yet has a peer with no inode (0): the socket accept()
		 * will give.  What it sent waits there, and counts as its own unread sends.  A
		 * closed peer has no inode either, but its close shut this end down both ways. */
		struct unix_diag_info d;
		bool waiting = false, peer_closed = false;
		uint32_t unread_sends = 0;
		if (!v.u.peer_ino && diag_query(f->rec.ino, &d) == 0) {
			waiting = d.has_peer;
			peer_closed = d.has_peer && (d.shutdown & 3) == 3;
			unread_sends = d.wqueue;
			free(d.icons);
		}
		if (v.u.peer_ino && unix_fd_by_ino(img, v.u.peer_ino)) {
			f->rec.kind_flags |= CKPT_SK_PEER_IN_TREE;
		} else if (waiting && waits_at_a_listener(img, f->rec.ino)) {
			if (unread_sends)
				rc = ckpt_fail("%s waits to be accepted with bytes sent that ckpt cannot read without "
					       "accepting it", what);
			f->rec.kind_flags |= CKPT_SK_IN_ACCEPT_QUEUE;
		} else if (v.u.peer_ino || (waiting && !peer_closed)) {
			f->rec.kind_flags |= CKPT_SK_RESET;
		}
	}
	struct queue_capture q = {.img = img, .what = what};
	/* A stream socket has a queue once connected; a datagram socket always. */
	if (rc == 0 && (v.u.sk.state == CKPT_SKS_CONNECTED || v.u.sk.type == SOCK_DGRAM)) {
		int fd = take_fd((pid_t)p->rec.pid, (int)f->rec.fd);
		if (fd < 0)
			rc = ckpt_fail_errno("cannot reach %s", what);
		else {
			const struct read_queue *read = read_queue_of(f->rec.ino);
			for (size_t i = 0; read && i < read->n && rc == 0; i++)
				rc = keep_message(&read->msgs[i], &q);
			if (!read)
				rc = sk_peek_queue(fd, keep_message, &q, what);
			close(fd);
		}
	}
	if (rc == 0) {
		v.u.sk.nmsgs = q.count;
		f->rec.kind_flags |= CKPT_SK_QUEUES;
		put_record(f, &v.u, &v.opts, &v.file, name, peer_name, &q.msgs);
	}
	buf_free(&q.msgs);
	free(what);
	return rc;
}

static int unix_capture_tree(struct statefile_image *img)
{
	size_t n;
	struct sk_entry *e = sk_descriptions(img, CKPT_FD_UNIX, &n);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = capture_description(img, e[i].p, (struct fd_image *)e[i].f);
	/* The description's other fds say the same about its peer. */
	for (size_t i = 0; i < n && rc == 0; i++)
		for (size_t j = 0; j < img->nprocs; j++)
			for (size_t k = 0; k < img->procs[j].nfds; k++) {
				struct fd_image *g = &img->procs[j].fds[k];
				if (g != e[i].f && g->rec.kind == CKPT_FD_UNIX && g->rec.desc == e[i].f->rec.desc)
					g->rec.kind_flags = e[i].f->rec.kind_flags & ~CKPT_SK_QUEUES;
			}
	free(e);
	return rc;
}

/* ---- reading a statefile ---- */

static int unix_check_saved(const struct fd_image *f)
{
	struct unix_view v;
	if (f->rec.data_len < sizeof(v.u) || view_of(f, &v) < 0)
		return ckpt_fail("unix socket fd %u has a state of %u bytes, too short for its record and names", f->rec.fd,
				 f->rec.data_len);
	const struct ckpt_fd_unix *u = &v.u;
	uint32_t fl = f->rec.kind_flags;
	if (u->sk.type != SOCK_STREAM && u->sk.type != SOCK_DGRAM && u->sk.type != SOCK_SEQPACKET)
		return ckpt_fail("unix socket fd %u has an unknown type %u", f->rec.fd, u->sk.type);
	if (u->sk.state > CKPT_SKS_CONNECTED || (u->sk.state == CKPT_SKS_LISTENING && u->sk.type == SOCK_DGRAM))
		return ckpt_fail("unix socket fd %u has a state %u its type cannot have", f->rec.fd, u->sk.state);
	if (u->shutdown > 3)
		return ckpt_fail("unix socket fd %u has an unknown shutdown state %u", f->rec.fd, u->shutdown);
	if ((fl & ~UNIX_FLAGS) ||
	    __builtin_popcount(fl & (CKPT_SK_PEER_IN_TREE | CKPT_SK_RESET | CKPT_SK_IN_ACCEPT_QUEUE)) > 1 ||
	    ((fl & (CKPT_SK_PEER_IN_TREE | CKPT_SK_RESET | CKPT_SK_IN_ACCEPT_QUEUE)) && u->sk.state != CKPT_SKS_CONNECTED) ||
	    ((fl & CKPT_SK_PEER_IN_TREE) && !u->peer_ino) ||
	    ((fl & CKPT_SK_IN_ACCEPT_QUEUE) && (u->sk.type == SOCK_DGRAM || !u->peer_name_len)))
		return ckpt_fail("unix socket fd %u has flags 0x%x that do not fit its state", f->rec.fd, fl);
	if (u->name_len && v.name[0] && memchr(v.name, 0, u->name_len))
		return ckpt_fail("unix socket fd %u has a path with a NUL inside", f->rec.fd);
	if ((fl & CKPT_SK_NAME_GONE) && (!u->name_len || !v.name[0]))
		return ckpt_fail("unix socket fd %u has a removed path but is not bound to a path", f->rec.fd);
	if ((fl & CKPT_SK_FILE_ATTRS) && (!u->name_len || !v.name[0] || (fl & CKPT_SK_NAME_GONE)))
		return ckpt_fail("unix socket fd %u has a socket file's mode but no path that leads to it", f->rec.fd);
	if (v.file.mode > 07777 || v.file.uid == UINT32_MAX || v.file.gid == UINT32_MAX || v.file.reserved)
		return ckpt_fail("unix socket fd %u has a socket file mode 0%o or owner %u:%u it cannot have", f->rec.fd,
				 v.file.mode, v.file.uid, v.file.gid);
	if ((u->sk.nmsgs && (!(fl & CKPT_SK_QUEUES) || u->sk.state == CKPT_SKS_LISTENING)) ||
	    (u->sk.state != CKPT_SKS_LISTENING && (u->pending || u->sk.backlog)))
		return ckpt_fail("unix socket fd %u has queued messages or connections its state cannot have", f->rec.fd);
	if (sk_check_common(&u->sk, &v.msgs, NAME_MAX_UNIX, f->rec.fd, "unix") < 0 ||
	    sk_check_options(&v.opts, false, false, f->rec.fd, "unix") < 0)
		return -1;
	if (v.msgs.at != v.msgs.len)
		return ckpt_fail("unix socket fd %u has %zu bytes after its last queued message", f->rec.fd,
				 v.msgs.len - v.msgs.at);
	return 0;
}

/* Whether a queued message of a unix socket of the tree carries an fd of description desc. */
static bool carried_in_flight(const struct statefile_image *img, uint32_t desc)
{
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nfds; k++) {
			const struct fd_image *g = &img->procs[i].fds[k];
			struct unix_view v;
			if (g->rec.kind != CKPT_FD_UNIX || !(g->rec.kind_flags & CKPT_SK_QUEUES) || view_of(g, &v) < 0)
				continue;
			struct sk_cursor c = v.msgs;
			struct sk_msg_view m;
			for (uint32_t n = 0; n < v.u.sk.nmsgs && sk_next_msg(&c, &m) == 0; n++)
				for (uint32_t j = 0; j < m.hdr.nfds; j++) {
					uint32_t d;
					memcpy(&d, m.descs + j * sizeof(uint32_t), sizeof(d));
					if (d == desc)
						return true;
				}
		}
	return false;
}

/* An fd saved as in flight only is carried by a queued message. */
static int unix_check_tree(const struct statefile_image *img)
{
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nfds; k++) {
			const struct fd_image *f = &img->procs[i].fds[k];
			if ((f->rec.fd_flags & CKPT_FDF_IN_FLIGHT) && !carried_in_flight(img, f->rec.desc))
				return ckpt_fail("fd %u of pid %u is saved as in flight, but no queued message carries it", f->rec.fd,
						 img->procs[i].rec.pid);
		}
	return 0;
}

/* ---- restart ---- */

/* Whether restart tries to connect a socket whose peer is outside the tree to that peer's name
 * again: a datagram socket, whose queue can then be written again to its own name. */
static bool connects_to_name_again(const struct unix_view *v, uint32_t kind_flags)
{
	return v->u.sk.type == SOCK_DGRAM && (kind_flags & CKPT_SK_RESET) && v->u.peer_name_len &&
	       (!v->u.sk.nmsgs || v->u.name_len);
}

/* The address of a saved name; a relative path is taken from the process's saved cwd. */
static int make_addr(const struct process_image *p, const uint8_t *name, size_t len, struct sockaddr_un *a,
		     socklen_t *alen)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (len && !name[0]) {
		memcpy(a->sun_path, name, len);
		*alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
		return 0;
	}
	char path[sizeof(a->sun_path) + 1];
	int n = name[0] == '/' || !p || !p->cwd ? snprintf(path, sizeof(path), "%.*s", (int)len, (const char *)name)
						 : snprintf(path, sizeof(path), "%s/%.*s", p->cwd, (int)len, (const char *)name);
	if (n < 0 || (size_t)n >= sizeof(a->sun_path))
		return ckpt_fail("the unix socket path %.*s is too long to bind again", (int)len, (const char *)name);
	memcpy(a->sun_path, path, (size_t)n);
	*alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)n + 1);
	return 0;
}

/* A socket whose path was removed (CKPT_SK_NAME_GONE) keeps its socket file here while restart
 * joins the tree's sockets, which reach it by path: beside the path, under a name of ckpt's
 * own (removed once the sockets are joined).  a holds the path's address on entry. */
static int aside_addr(const struct fd_image *f, struct sockaddr_un *a, socklen_t *alen)
{
	char *slash = strrchr(a->sun_path, '/');
	size_t dir = slash ? (size_t)(slash - a->sun_path) + 1 : 0, room = sizeof(a->sun_path) - dir;
	int n = snprintf(a->sun_path + dir, room, ".ckpt-%d-%u", (int)getpid(), f->rec.desc);
	if (n < 0 || (size_t)n >= room)
		return ckpt_fail("the directory of the unix socket path %s is too long for restart", a->sun_path);
	*alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + dir + (size_t)n + 1);
	return 0;
}

/* The address at which restart reaches a saved socket's name. */
static int reach_addr(const struct process_image *p, const struct fd_image *f, const struct unix_view *v,
		      struct sockaddr_un *a, socklen_t *alen)
{
	if (make_addr(p, v->name, v->u.name_len, a, alen) < 0)
		return -1;
	return (f->rec.kind_flags & CKPT_SK_NAME_GONE) ? aside_addr(f, a, alen) : 0;
}

/* The directories restart made for removed paths whose directories were removed too, in the
 * order made; removed again once the sockets are joined (unix_restore_ready). */
static struct {
	char **paths;
	size_t n;
} made_dirs;

/* Makes the directories on the way to path that do not exist (only ckpt uses them). */
static int make_missing_dirs(const char *path)
{
	char *d = xstrdup(path);
	int rc = 0;
	for (char *slash = strchr(d + 1, '/'); slash && rc == 0; slash = strchr(slash + 1, '/')) {
		*slash = 0;
		struct stat st;
		if (lstat(d, &st) < 0) {
			if (errno != ENOENT || mkdir(d, 0700) < 0)
				rc = -1;
			else {
				made_dirs.paths = xrealloc(made_dirs.paths, (made_dirs.n + 1) * sizeof(*made_dirs.paths));
				made_dirs.paths[made_dirs.n++] = xstrdup(d);
			}
		}
		*slash = '/';
	}
	free(d);
	return rc;
}

static void remove_made_dirs(void)
{
	while (made_dirs.n) {
		char *d = made_dirs.paths[--made_dirs.n];
		rmdir(d);
		free(d);
	}
	free(made_dirs.paths);
	made_dirs.paths = NULL;
}

/* Binds fd to a path that the program had removed (or put another file at): whatever is at
 * the path now is moved aside for that moment, and the new socket file goes to aside_addr.
 * Directories of the path that are gone too are made for that time. */
static int bind_removed(int fd, const struct process_image *p, const struct fd_image *f, const struct sockaddr_un *a,
			socklen_t alen, const char *shown)
{
	struct sockaddr_un aside = *a;
	socklen_t aside_len;
	if (aside_addr(f, &aside, &aside_len) < 0)
		return -1;
	if (make_missing_dirs(a->sun_path) < 0)
		return ckpt_fail_errno("cannot bind unix socket fd %u of pid %u at %s again: cannot make its directory",
				       f->rec.fd, p->rec.pid, shown);
	char *moved = xasprintf("%s.ckpt-%d", a->sun_path, (int)getpid());
	struct stat st;
	bool occupied = lstat(a->sun_path, &st) == 0;
	int rc = 0;
	/* Never over a file that is already there under the aside name. */
	if (occupied && (lstat(moved, &st) == 0 || rename(a->sun_path, moved) < 0)) {
		free(moved);
		return ckpt_fail_errno("cannot bind unix socket fd %u of pid %u at %s again: cannot move what is there aside",
				       f->rec.fd, p->rec.pid, shown);
	}
	bool bound = bind(fd, (const struct sockaddr *)a, alen) == 0;
	if (!bound || rename(a->sun_path, aside.sun_path) < 0) {
		rc = ckpt_fail_errno("cannot bind unix socket fd %u of pid %u at %s again", f->rec.fd, p->rec.pid, shown);
		if (bound)
			unlink(a->sun_path); /* our socket file, not the program's */
	}
	/* What was at the path goes back, whatever happened. */
	if (occupied && rename(moved, a->sun_path) < 0 && rc == 0)
		rc = ckpt_fail_errno("cannot put %s back after binding unix socket fd %u of pid %u there", shown, f->rec.fd,
				     p->rec.pid);
	free(moved);
	return rc;
}

/* The socket file just bound at a gets its saved mode and owner back.  When the restarting
 * user may not give that owner, one that was the process's own stays the restarting user's,
 * as the restarted process's ids then do; another stays theirs, with a warning. */
static void set_file_attrs(const struct sockaddr_un *a, const struct process_image *p, const struct fd_image *f,
			   const struct ckpt_unix_file *file)
{
	struct stat st;
	if (chmod(a->sun_path, file->mode) < 0 || lstat(a->sun_path, &st) < 0) {
		ckpt_warn("unix socket fd %u of pid %u: cannot set the mode of %s again: %s", f->rec.fd, p->rec.pid,
			  a->sun_path, strerror(errno));
		return;
	}
	if ((st.st_uid == file->uid && st.st_gid == file->gid) || lchown(a->sun_path, file->uid, file->gid) == 0)
		return;
	int err = errno;
	if (err == EPERM && file->uid == p->rec.euid && file->gid == p->rec.egid)
		return;
	ckpt_warn("unix socket fd %u of pid %u: %s stays owned by %u:%u, not %u:%u: %s", f->rec.fd, p->rec.pid,
		  a->sun_path, (unsigned)st.st_uid, (unsigned)st.st_gid, file->uid, file->gid, strerror(err));
}

/* Binds fd to its saved name.  A socket file left at the path by a socket that no longer
 * listens is removed first; a file of another kind, or a live socket, is left alone. */
static int bind_name(int fd, const struct process_image *p, const struct fd_image *f, const struct unix_view *v)
{
	const uint8_t *name = v->name;
	size_t len = v->u.name_len;
	uint32_t type = v->u.sk.type;
	struct sockaddr_un a;
	socklen_t alen;
	if (make_addr(p, name, len, &a, &alen) < 0)
		return -1;
	char *shown = name_text(name, len);
	int rc = 0;
	struct stat st;
	if (f->rec.kind_flags & CKPT_SK_NAME_GONE) {
		rc = bind_removed(fd, p, f, &a, alen, shown);
		free(shown);
		return rc;
	}
	if (a.sun_path[0] && lstat(a.sun_path, &st) == 0) {
		int probe = S_ISSOCK(st.st_mode) ? socket(AF_UNIX, (int)type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0) : -1;
		bool stale = probe >= 0 && connect(probe, (struct sockaddr *)&a, alen) < 0 && errno == ECONNREFUSED;
		if (probe >= 0)
			close(probe);
		if (!S_ISSOCK(st.st_mode))
			rc = ckpt_fail("cannot bind unix socket fd %u of pid %u at %s again: a file that is not a socket is there",
				       f->rec.fd, p->rec.pid, shown);
		else if (!stale)
			rc = ckpt_fail("cannot bind unix socket fd %u of pid %u at %s again: a running socket has it",
				       f->rec.fd, p->rec.pid, shown);
		else
			unlink(a.sun_path);
	}
	if (rc == 0 && bind(fd, (struct sockaddr *)&a, alen) < 0)
		rc = ckpt_fail_errno("cannot bind unix socket fd %u of pid %u at %s again", f->rec.fd, p->rec.pid, shown);
	if (rc == 0 && (f->rec.kind_flags & CKPT_SK_FILE_ATTRS))
		set_file_attrs(&a, p, f, &v->file);
	free(shown);
	return rc;
}

static int unix_open(const struct process_image *p, const struct fd_image *f)
{
	struct unix_view v;
	view_of(f, &v); /* check_saved passed */
	int fd = socket(AF_UNIX, (int)v.u.sk.type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return ckpt_fail_errno("cannot make unix socket fd %u of pid %u again", f->rec.fd, p->rec.pid);
	/* Connected sockets are joined to their peers once all exist (unix_restore_ready). */
	if (v.u.sk.state != CKPT_SKS_CONNECTED && v.u.name_len &&
	    bind_name(fd, p, f, &v) < 0) {
		close(fd);
		return -1;
	}
	if (v.u.sk.state == CKPT_SKS_LISTENING && listen(fd, (int)v.u.sk.backlog) < 0) {
		close(fd);
		return ckpt_fail_errno("cannot listen on unix socket fd %u of pid %u again", f->rec.fd, p->rec.pid);
	}
	return fd;
}

/* One saved unix socket during restore_ready. */
struct usock {
	const struct process_image *p;
	const struct fd_image *f;
	struct unix_view v;
	int fd;                /* ckpt's fd for its description */
	int helper;            /* the other end of its pair, when its peer is closed or outside */
	struct usock *peer;    /* its peer, when it is in the tree */
	bool joined;
};

struct unix_restore {
	const struct statefile_image *img;
	const struct files_restore *fr;
	struct usock *s;
	size_t n;
	struct usock **by_ino; /* sorted by inode */
};

static int by_ino(const void *a, const void *b)
{
	const struct usock *x = *(struct usock *const *)a, *y = *(struct usock *const *)b;
	return x->v.u.ino < y->v.u.ino ? -1 : x->v.u.ino > y->v.u.ino;
}

static struct usock *find_ino(const struct unix_restore *r, uint64_t ino)
{
	size_t lo = 0, hi = r->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->by_ino[mid]->v.u.ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->n && r->by_ino[lo]->v.u.ino == ino ? r->by_ino[lo] : NULL;
}

static bool same_name(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return alen && alen == blen && memcmp(a, b, alen) == 0;
}

/* A socket of the tree with this name and type in this state, NULL if none. */
static struct usock *find_named(const struct unix_restore *r, const uint8_t *name, size_t len, uint32_t type,
				uint32_t state)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->s[i].v.u.sk.type == type && r->s[i].v.u.sk.state == state &&
		    same_name(r->s[i].v.name, r->s[i].v.u.name_len, name, len))
			return &r->s[i];
	return NULL;
}

static int fail_on(const struct usock *s, const char *why)
{
	return ckpt_fail("cannot rebuild unix socket fd %u of pid %u: %s", s->f->rec.fd, s->p->rec.pid, why);
}

/* Connects a new socket (with c's own name, if it had one) to listener l; returns it, or -1. */
static int connect_to(const struct unix_restore *r, const struct usock *c, const struct usock *l)
{
	int fd = socket(AF_UNIX, (int)c->v.u.sk.type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct sockaddr_un a;
	socklen_t alen;
	if (fd < 0 || (c->v.u.name_len && bind_name(fd, c->p, c->f, &c->v) < 0) ||
	    reach_addr(l->p, l->f, &l->v, &a, &alen) < 0) {
		if (fd >= 0)
			close(fd);
		return fd < 0 ? ckpt_fail_errno("cannot make a unix socket") : -1;
	}
	if (connect(fd, (struct sockaddr *)&a, alen) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return ckpt_fail_errno("cannot connect unix socket fd %u of pid %u to its listener again", c->f->rec.fd,
				       c->p->rec.pid);
	}
	return fd;
}

/* The connection a listener of ours has just been given by client fd: accept()ed, and checked
 * to be that one (another process may have connected to the path meanwhile). */
static int accept_from(const struct usock *l, int client)
{
	struct stat st;
	if (fstat(client, &st) < 0)
		return -1;
	for (;;) {
		int s = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (s < 0)
			return ckpt_fail_errno("cannot accept a rebuilt connection on unix socket fd %u of pid %u", l->f->rec.fd,
					       l->p->rec.pid);
		struct stat ss;
		struct unix_diag_info d;
		if (fstat(s, &ss) == 0 && diag_query((uint64_t)ss.st_ino, &d) == 0) {
			free(d.icons);
			if (d.peer_ino == (uint64_t)st.st_ino)
				return s;
		}
		close(s); /* someone else's */
	}
}

/* Joins a and b, peers of each other in the tree.  A stream or seqpacket pair that a listener
 * of the tree accepted is made the same way, so that both ends have their names back;
 * others become a socketpair (datagram sockets get their names back with bind). */
static int join_pair(struct unix_restore *r, struct usock *a, struct usock *b)
{
	uint32_t type = a->v.u.sk.type;
	struct usock *client = NULL, *server = NULL, *l = NULL;
	if (type != SOCK_DGRAM) {
		if ((l = find_named(r, b->v.name, b->v.u.name_len, type, CKPT_SKS_LISTENING)) &&
		    same_name(a->v.peer_name, a->v.u.peer_name_len, b->v.name, b->v.u.name_len))
			client = a, server = b;
		else if ((l = find_named(r, a->v.name, a->v.u.name_len, type, CKPT_SKS_LISTENING)) &&
			 same_name(b->v.peer_name, b->v.u.peer_name_len, a->v.name, a->v.u.name_len))
			client = b, server = a;
		else
			l = NULL;
	}
	int ends[2];
	if (l) {
		ends[0] = connect_to(r, client, l);
		ends[1] = ends[0] < 0 ? -1 : accept_from(l, ends[0]);
		if (ends[1] < 0) {
			if (ends[0] >= 0)
				close(ends[0]);
			return -1;
		}
		if (sk_replace(r->fr, client->f->rec.desc, ends[0]) < 0 || sk_replace(r->fr, server->f->rec.desc, ends[1]) < 0)
			return -1;
	} else {
		if (socketpair(AF_UNIX, (int)type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, ends) < 0)
			return ckpt_fail_errno("cannot make a unix socketpair");
		if (sk_replace(r->fr, a->f->rec.desc, ends[0]) < 0 || sk_replace(r->fr, b->f->rec.desc, ends[1]) < 0)
			return -1;
		/* Datagram sockets own their names; a stream socket's name may be its listener's. */
		if (type == SOCK_DGRAM)
			for (int i = 0; i < 2; i++) {
				struct usock *s = i ? b : a;
				if (s->v.u.name_len && bind_name(s->fd, s->p, s->f, &s->v) < 0)
					return -1;
			}
	}
	a->peer = b;
	b->peer = a;
	a->joined = b->joined = true;
	return 0;
}

/* A socket whose peer is closed, or outside the tree: the end of a pair whose other end ckpt
 * keeps for now (to refill the queue, then to close). */
static int pair_with_helper(struct unix_restore *r, struct usock *s)
{
	int ends[2];
	if (socketpair(AF_UNIX, (int)s->v.u.sk.type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, ends) < 0)
		return ckpt_fail_errno("cannot make a unix socketpair");
	s->helper = ends[1];
	s->joined = true;
	return sk_replace(r->fr, s->f->rec.desc, ends[0]);
}

/* Returns 1 when s, connected to a datagram socket outside the tree, is connected to that name
 * again (a socket has it); 0 when not, -1 when its own name cannot be bound again. */
static int reconnect_outside(struct usock *s)
{
	struct sockaddr_un a;
	socklen_t alen;
	if (!connects_to_name_again(&s->v, s->f->rec.kind_flags))
		return 0;
	if (make_addr(s->p, s->v.peer_name, s->v.u.peer_name_len, &a, &alen) < 0) {
		ckpt_clear_error();
		return 0;
	}
	if (connect(s->fd, (struct sockaddr *)&a, alen) < 0)
		return 0;
	if (s->v.u.name_len && bind_name(s->fd, s->p, s->f, &s->v) < 0)
		return -1;
	s->joined = true;
	return 1;
}

static int join(struct unix_restore *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct usock *s = &r->s[i];
		uint32_t fl = s->f->rec.kind_flags;
		if (s->joined || s->v.u.sk.state != CKPT_SKS_CONNECTED || (fl & CKPT_SK_IN_ACCEPT_QUEUE))
			continue;
		if (!(fl & CKPT_SK_PEER_IN_TREE)) {
			int again = reconnect_outside(s);
			if (again < 0 || (again == 0 && pair_with_helper(r, s) < 0))
				return -1;
			continue;
		}
		struct usock *p = find_ino(r, s->v.u.peer_ino);
		if (!p || p->v.u.sk.type != s->v.u.sk.type)
			return fail_on(s, "its peer is not in the statefile");
		if (p == s) {
			/* A datagram socket connected to its own name: bound, then connected to it. */
			struct sockaddr_un a;
			socklen_t alen;
			if (s->v.u.sk.type != SOCK_DGRAM || !s->v.u.name_len)
				return fail_on(s, "it is connected to itself without a name");
			if (bind_name(s->fd, s->p, s->f, &s->v) < 0 || reach_addr(s->p, s->f, &s->v, &a, &alen) < 0)
				return -1;
			if (connect(s->fd, (struct sockaddr *)&a, alen) < 0)
				return ckpt_fail_errno("cannot connect unix socket fd %u of pid %u to its own name again",
						       s->f->rec.fd, s->p->rec.pid);
			s->peer = s;
			s->joined = true;
			continue;
		}
		bool mutual = p->v.u.sk.state == CKPT_SKS_CONNECTED && (p->f->rec.kind_flags & CKPT_SK_PEER_IN_TREE) &&
			      p->v.u.peer_ino == s->v.u.ino;
		if (mutual) {
			if (!p->joined && join_pair(r, s, p) < 0)
				return -1;
			if (p->peer != s)
				return fail_on(s, "it and its peer do not agree");
			continue;
		}
		/* A datagram socket connected to one that is not connected back: by name. */
		if (s->v.u.sk.type != SOCK_DGRAM || !p->v.u.name_len)
			return fail_on(s, "it and its peer do not agree");
		struct sockaddr_un a;
		socklen_t alen;
		if ((s->v.u.name_len && bind_name(s->fd, s->p, s->f, &s->v) < 0) ||
		    reach_addr(p->p, p->f, &p->v, &a, &alen) < 0)
			return -1;
		if (connect(s->fd, (struct sockaddr *)&a, alen) < 0)
			return ckpt_fail_errno("cannot connect unix socket fd %u of pid %u to its peer again", s->f->rec.fd,
					       s->p->rec.pid);
		s->peer = p;
		s->joined = true;
	}
	/* Connections not accepted yet: made again, after the accepted ones, so that the
	 * listener's queue holds only them. */
	for (size_t i = 0; i < r->n; i++) {
		struct usock *s = &r->s[i];
		if (s->joined || !(s->f->rec.kind_flags & CKPT_SK_IN_ACCEPT_QUEUE))
			continue;
		struct usock *l = find_named(r, s->v.peer_name, s->v.u.peer_name_len, s->v.u.sk.type, CKPT_SKS_LISTENING);
		if (!l)
			return fail_on(s, "the listener it waits at is not in the statefile");
		int fd = connect_to(r, s, l);
		if (fd < 0 || sk_replace(r->fr, s->f->rec.desc, fd) < 0)
			return -1;
		s->joined = true;
	}
	return 0;
}

/* Fds in flight: the saved descriptions as the tree will hold them. */
static int fds_in_flight(const struct unix_restore *r, const struct usock *s, const struct sk_msg_view *m, int *fds)
{
	for (uint32_t i = 0; i < m->hdr.nfds; i++) {
		uint32_t desc;
		memcpy(&desc, m->descs + i * sizeof(uint32_t), sizeof(desc));
		const struct fd_image *g = NULL;
		for (size_t j = 0; j < r->img->nprocs && !g; j++)
			for (size_t k = 0; k < r->img->procs[j].nfds && !g; k++)
				if (r->img->procs[j].fds[k].rec.desc == desc)
					g = &r->img->procs[j].fds[k];
		fds[i] = g ? files_restore_dup(r->fr, g) : -1;
		if (fds[i] < 0) {
			for (uint32_t k = 0; k < i; k++)
				close(fds[k]);
			return fail_on(s, "an fd in flight in its queue is not in the statefile");
		}
	}
	return 0;
}

/* Sends one message from fd, to s's own name when to_name, with the fds in flight. */
static ssize_t send_one(int fd, const struct sockaddr_un *to, socklen_t tolen, const void *data, size_t len,
			const int *fds, uint32_t nfds)
{
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(sizeof(int) * SK_MAX_FDS_PER_MSG)];
	} ctl;
	struct iovec io = {(void *)data, len};
	struct msghdr mh = {.msg_name = (void *)to, .msg_namelen = to ? tolen : 0, .msg_iov = &io, .msg_iovlen = 1};
	if (nfds) {
		mh.msg_control = ctl.b;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	ssize_t n;
	while ((n = sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	return n;
}

/* Writes s's queued messages into it again, each from its sender: its peer (for a stream or
 * seqpacket socket always), else the tree's socket with the sender's name, else a new socket
 * (the sender's name is then lost). */
static int refill(struct unix_restore *r, struct usock *s)
{
	struct sk_cursor c = s->v.msgs;
	struct sockaddr_un own;
	socklen_t ownlen = 0;
	int spare = -1, rc = 0;
	int peer_fd = s->peer && s->peer->peer == s ? s->peer->fd : s->helper;
	int *fds = xmalloc(sizeof(int) * SK_MAX_FDS_PER_MSG);
	int raised = -1; /* the sender whose buffer we raised, to set back */
	int raised_to = 0;
	for (uint32_t i = 0; i < s->v.u.sk.nmsgs && rc == 0; i++) {
		struct sk_msg_view m;
		sk_next_msg(&c, &m);
		int from = peer_fd;
		bool to_name = false;
		if (s->v.u.sk.type == SOCK_DGRAM) {
			struct usock *named = m.hdr.name_len ? find_named(r, m.name, m.hdr.name_len, SOCK_DGRAM, CKPT_SKS_UNCONNECTED)
							     : NULL;
			if (!named && m.hdr.name_len)
				named = find_named(r, m.name, m.hdr.name_len, SOCK_DGRAM, CKPT_SKS_CONNECTED);
			if (named && named->fd != peer_fd) {
				from = named->fd;
				to_name = true;
			} else if (from < 0) {
				if (spare < 0)
					spare = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
				from = spare;
				to_name = true;
			}
			if (to_name && !ownlen) {
				if (!s->v.u.name_len) {
					rc = fail_on(s, "a message queued in it came from a socket ckpt cannot rebuild, and it has no name to send it to");
					break;
				}
				if (reach_addr(s->p, s->f, &s->v, &own, &ownlen) < 0) {
					rc = -1;
					break;
				}
			}
		}
		if (from < 0) {
			rc = fail_on(s, "nothing can write its queue again");
			break;
		}
		if (fds_in_flight(r, s, &m, fds) < 0) {
			rc = -1;
			break;
		}
		ssize_t n = send_one(from, to_name ? &own : NULL, ownlen, m.data, m.hdr.len, fds, m.hdr.nfds);
		if (n < 0 && errno == EAGAIN && raised != from) {
			/* The sender's buffer holds what is queued at its peer: make room once. */
			int now = 0, want = (int)(SK_MAX_QUEUED + (64u << 10));
			socklen_t l = sizeof(now);
			getsockopt(from, SOL_SOCKET, SO_SNDBUF, &now, &l);
			if (setsockopt(from, SOL_SOCKET, SO_SNDBUFFORCE, &want, sizeof(want)) < 0)
				setsockopt(from, SOL_SOCKET, SO_SNDBUF, &want, sizeof(want));
			raised = from;
			raised_to = now / 2;
			n = send_one(from, to_name ? &own : NULL, ownlen, m.data, m.hdr.len, fds, m.hdr.nfds);
		}
		for (uint32_t k = 0; k < m.hdr.nfds; k++)
			close(fds[k]);
		if (n < 0)
			rc = ckpt_fail_errno("cannot refill the queue of unix socket fd %u of pid %u", s->f->rec.fd, s->p->rec.pid);
		else if ((size_t)n != m.hdr.len)
			rc = fail_on(s, "its queue does not take its saved bytes again");
	}
	if (raised >= 0)
		setsockopt(raised, SOL_SOCKET, SO_SNDBUF, &raised_to, sizeof(raised_to));
	if (spare >= 0)
		close(spare);
	free(fds);
	return rc;
}

static void unix_remove_aside(const struct statefile_image *img);

static int unix_restore_ready(const struct statefile_image *img, const struct files_restore *fr)
{
	struct unix_restore r = {.img = img, .fr = fr};
	struct sk_entry *e = sk_descriptions(img, CKPT_FD_UNIX, &r.n);
	r.s = xcalloc(r.n ? r.n : 1, sizeof(*r.s));
	r.by_ino = xcalloc(r.n ? r.n : 1, sizeof(*r.by_ino));
	for (size_t i = 0; i < r.n; i++) {
		struct usock *s = &r.s[i];
		s->p = e[i].p;
		s->f = e[i].f;
		view_of(s->f, &s->v);
		s->fd = files_restore_desc_fd(fr, s->f->rec.desc);
		s->helper = -1;
		r.by_ino[i] = s;
	}
	free(e);
	qsort(r.by_ino, r.n, sizeof(*r.by_ino), by_ino);
	int rc = join(&r);
	for (size_t i = 0; i < r.n && rc == 0; i++) {
		char what[64];
		snprintf(what, sizeof(what), "unix socket fd %u of pid %u", r.s[i].f->rec.fd, r.s[i].p->rec.pid);
		rc = sk_common_restore(r.s[i].fd, &r.s[i].v.u.sk, &r.s[i].v.opts, true, what);
	}
	for (size_t i = 0; i < r.n && rc == 0; i++)
		if (r.s[i].v.u.sk.nmsgs)
			rc = refill(&r, &r.s[i]);
	for (size_t i = 0; i < r.n; i++) {
		struct usock *s = &r.s[i];
		if (rc == 0 && s->peer && s->peer->peer == s) {
			if (s->v.u.shutdown & 2)
				shutdown(s->fd, SHUT_WR);
			if ((s->v.u.shutdown & 1) && !(s->peer->v.u.shutdown & 2))
				shutdown(s->fd, SHUT_RD);
		}
		if (s->helper >= 0) {
			/* Outside the tree: a byte left unread where the peer was makes the kernel
			 * report a reset (ECONNRESET) once the queue is read; a closed peer only
			 * ends the stream. */
			if ((s->f->rec.kind_flags & CKPT_SK_RESET) && s->v.u.sk.type != SOCK_DGRAM &&
			    send(s->fd, "", 1, MSG_DONTWAIT | MSG_NOSIGNAL) != 1 && rc == 0)
				rc = fail_on(s, "cannot make it report a reset");
			close(s->helper);
		}
		if (rc == 0) {
			sk_restore_peek_off(s->fd, &s->v.u.sk);
			sk_set_status_flags(s->fd, s->f->rec.open_flags);
		}
	}
	unix_remove_aside(img);
	free(r.by_ino);
	free(r.s);
	return rc;
}

/* Once the sockets are joined, or restart gave up: the socket files of removed paths go (see
 * aside_addr: names with ckpt's pid, made by this restart), and the directories made for them. */
static void unix_remove_aside(const struct statefile_image *img)
{
	size_t n;
	struct sk_entry *e = sk_descriptions(img, CKPT_FD_UNIX, &n);
	for (size_t i = 0; i < n; i++) {
		struct unix_view v;
		struct sockaddr_un a;
		socklen_t alen;
		if ((e[i].f->rec.kind_flags & CKPT_SK_NAME_GONE) && view_of(e[i].f, &v) == 0 &&
		    reach_addr(e[i].p, e[i].f, &v, &a, &alen) == 0)
			unlink(a.sun_path);
	}
	free(e);
	remove_made_dirs();
}

/* ---- ckpt info ---- */

static void unix_describe(const struct fd_image *f, struct buf *text, struct json *j)
{
	struct unix_view v;
	if (view_of(f, &v) < 0)
		return;
	const struct ckpt_fd_unix *u = &v.u;
	uint32_t fl = f->rec.kind_flags;
	bool again = connects_to_name_again(&v, fl);
	uint64_t bytes = 0;
	uint32_t nfds = 0;
	struct sk_cursor c = v.msgs;
	for (uint32_t i = 0; i < u->sk.nmsgs; i++) {
		struct sk_msg_view m;
		if (sk_next_msg(&c, &m) < 0)
			break;
		bytes += m.hdr.len;
		nfds += m.hdr.nfds;
	}
	const char *state = u->sk.state == CKPT_SKS_LISTENING ? "listening"
			    : u->sk.state == CKPT_SKS_CONNECTED ? "connected"
								 : "unconnected";
	const char *peer = !(u->sk.state == CKPT_SKS_CONNECTED) ? NULL
			   : fl & CKPT_SK_PEER_IN_TREE			     ? "in the tree"
			   : fl & CKPT_SK_IN_ACCEPT_QUEUE		     ? "waits to be accepted"
			   : fl & CKPT_SK_RESET				     ? "outside the tree"
									     : "closed";
	char *name = name_text(v.name, u->name_len), *peer_name = name_text(v.peer_name, u->peer_name_len);
	if (j) {
		json_object_begin(j, "socket");
		json_str(j, "family", "unix");
		json_str(j, "type", type_name(u->sk.type));
		json_str(j, "state", state);
		json_str(j, "name", u->name_len ? name : NULL);
		json_bool(j, "path_removed", fl & CKPT_SK_NAME_GONE);
		if (fl & CKPT_SK_FILE_ATTRS) {
			json_u64(j, "file_mode", v.file.mode);
			json_u64(j, "file_uid", v.file.uid);
			json_u64(j, "file_gid", v.file.gid);
		}
		json_str(j, "peer_name", u->peer_name_len ? peer_name : NULL);
		json_str(j, "peer", peer);
		if (u->sk.state == CKPT_SKS_LISTENING) {
			json_u64(j, "backlog", u->sk.backlog);
			json_u64(j, "pending", u->pending);
		}
		json_u64(j, "queued_messages", u->sk.nmsgs);
		json_u64(j, "queued_bytes", bytes);
		json_u64(j, "fds_in_flight", nfds);
		json_bool(j, "reports_reset", (fl & CKPT_SK_RESET) && !again);
		json_bool(j, "connects_to_name_again", again);
		json_object_end(j);
	} else {
		buf_printf(text, " unix %s %s", type_name(u->sk.type), state);
		if (u->name_len)
			buf_printf(text, " %s %s%s", u->sk.state == CKPT_SKS_LISTENING ? "at" : "as", name,
				   fl & CKPT_SK_NAME_GONE ? " (path removed)" : "");
		if (u->sk.state == CKPT_SKS_LISTENING)
			buf_printf(text, " (backlog %u, %u waiting)", u->sk.backlog, u->pending);
		if (peer)
			buf_printf(text, " to %s%s%s", u->peer_name_len ? peer_name : "a peer", u->peer_name_len ? ", " : " ", peer);
		if (u->sk.nmsgs)
			buf_printf(text, ", %llu bytes queued in %u message%s", (unsigned long long)bytes, u->sk.nmsgs,
				   u->sk.nmsgs == 1 ? "" : "s");
		if (nfds)
			buf_printf(text, ", %u fds in flight", nfds);
		if (again)
			buf_printf(text, ": connected to that name again at restart, if a socket has it then");
		else if (fl & CKPT_SK_RESET)
			buf_printf(text, ": will report a reset (its peer is outside the tree)");
	}
	free(name);
	free(peer_name);
}

/* ---- ckpt check ---- */

static void unix_check_here(const struct process_image *p, const struct fd_image *f, struct portability_report *rep)
{
	struct unix_view v;
	if (view_of(f, &v) < 0)
		return;
	const struct ckpt_fd_unix *u = &v.u;
	char *name = name_text(v.name, u->name_len);
	if (f->rec.kind_flags & CKPT_SK_RESET) {
		char *peer = name_text(v.peer_name, u->peer_name_len);
		portability_add(rep, "socket", PORTABILITY_NOTE, xasprintf("unix socket fd %u of pid %u", f->rec.fd, p->rec.pid),
				xasprintf("is connected to a peer outside the tree%s%s: %s", u->peer_name_len ? " at " : "", peer,
					  connects_to_name_again(&v, f->rec.kind_flags)
						  ? "restart connects it to that name again if a socket has it then"
						  : "it reports a reset after a restart"),
				NULL);
		free(peer);
	} else if (u->sk.state != CKPT_SKS_CONNECTED && u->name_len && !(f->rec.kind_flags & CKPT_SK_NAME_GONE)) {
		/* The name must be free here, as bind_name will want it (a removed path need not be). */
		struct sockaddr_un a;
		socklen_t alen;
		struct stat st;
		const char *problem = NULL, *remedy = "stop what has the name (the saved program itself, if it still runs)";
		if (make_addr(p, v.name, u->name_len, &a, &alen) < 0) {
			ckpt_clear_error();
			problem = "is too long to be bound again from the saved working directory";
			remedy = "restart with a shorter working directory path";
		} else if (!a.sun_path[0]) {
			int fd = socket(AF_UNIX, (int)u->sk.type | SOCK_CLOEXEC, 0);
			if (fd >= 0 && bind(fd, (struct sockaddr *)&a, alen) < 0 && errno == EADDRINUSE)
				problem = "is taken here";
			if (fd >= 0)
				close(fd);
		} else if (lstat(a.sun_path, &st) == 0) {
			int probe = S_ISSOCK(st.st_mode) ? socket(AF_UNIX, (int)u->sk.type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0) : -1;
			if (!S_ISSOCK(st.st_mode)) {
				problem = "is a file that is not a socket here";
				remedy = "move that file away";
			} else if (probe >= 0 && !(connect(probe, (struct sockaddr *)&a, alen) < 0 && errno == ECONNREFUSED)) {
				problem = "is in use by a running socket";
			}
			if (probe >= 0)
				close(probe);
		}
		portability_add(rep, "socket", problem ? PORTABILITY_PROBLEM : PORTABILITY_OK, xasprintf("unix %s", name),
				problem ? xasprintf("%s (fd %u of pid %u %s it)", problem, f->rec.fd, p->rec.pid,
						    u->sk.state == CKPT_SKS_LISTENING ? "listened at" : "was bound to")
					: xstrdup("is free"),
				problem ? remedy : NULL);
	}
	free(name);
}

static void unix_describe_text(const struct fd_image *f, struct buf *out, const char *indent)
{
	(void)indent;
	unix_describe(f, out, NULL);
}

static void unix_describe_json(const struct fd_image *f, struct json *j)
{
	unix_describe(f, NULL, j);
}

const struct fd_kind unix_fd_kind = {
	.kind = CKPT_FD_UNIX,
	.name = "unix",
	.capture = unix_capture,
	.check_saved = unix_check_saved,
	.open = unix_open,
	.sock_protos = "UNIX*",
	.capture_tree = unix_capture_tree,
	.check_tree = unix_check_tree,
	.restore_ready = unix_restore_ready,
	.restore_abandon = unix_remove_aside,
	.describe_text = unix_describe_text,
	.describe_json = unix_describe_json,
	.check_here = unix_check_here,
};
