/*
 * Rewinding a debugged process in place to a snapshot of itself (ckpt_rewind, ckpt.h).
 *
 * Going back in a debug session by restarting the snapshot costs a new process: every page
 * read from the statefile, and the debugger's detach and attach.  When the snapshot was saved
 * from this very process in this session, most of it is still in place: the rewind checks that
 * what it cannot put back is as the snapshot has it (threads, file mappings, files, timers,
 * locks, signals queued), then puts back the rest: the layout of anonymous memory and
 * protections, the break, the pages written since (the tracker's history says which,
 * memtrack.c), the registers, signal handlers and masks, file offsets and thread names.  Anything else that differs is a refusal that names it, and the caller restarts.
 */
#include "ckpt.h"
#include "files.h"
#include "image.h"
#include "inject.h"
#include "mem.h"
#include "memtrack.h"
#include "note_parsers.h"
#include "remote.h"
#include "signals.h"
#include "statefile.h"
#include "threads.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Beyond this, writing the whole of mappings whose writes are not known costs as much as a
 * restart, which then is the better answer. */
#define REWIND_WHOLE_MAX (256ull << 20)

static int cmp_tid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

static int same_threads(pid_t pid, const struct process_image *p)
{
	DIR *d = opendir_proc(pid, "task");
	if (!d)
		return ckpt_fail_errno("cannot list the threads of process %d", pid);
	pid_t *now = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			*ARR_PUSH(now, n, cap) = (pid_t)atoi(e->d_name);
	closedir(d);
	pid_t *saved = xcalloc(p->nthreads ? p->nthreads : 1, sizeof(pid_t));
	for (size_t i = 0; i < p->nthreads; i++)
		saved[i] = (pid_t)p->threads[i].rec.tid;
	qsort(now, n, sizeof(pid_t), cmp_tid);
	qsort(saved, p->nthreads, sizeof(pid_t), cmp_tid);
	int rc = 0;
	if (n != p->nthreads || memcmp(now, saved, n * sizeof(pid_t)) != 0)
		rc = ckpt_fail("the program has %zu threads now and had %zu then, or other ones", n, p->nthreads);
	free(now);
	free(saved);
	return rc;
}

static const char *vma_name(const struct process_image *p, const struct ckpt_rec_vma *v)
{
	if (v->file != CKPT_NO_INDEX && v->file < p->nfiles)
		return p->files[v->file].path;
	return (v->flags & CKPT_VMA_HEAP) ? "[heap]" : (v->flags & CKPT_VMA_STACK) ? "[stack]" : "anonymous memory";
}

/* Flags that the program's own madvise and mlock calls change; the rewind does not put them
 * back, so they must be as saved. */
#define LAYOUT_FLAGS (CKPT_VMA_SHARED | CKPT_VMA_ANON | CKPT_VMA_SYSVSHM | CKPT_VMA_DONTFORK | CKPT_VMA_WIPEONFORK | \
		      CKPT_VMA_LOCKED | CKPT_VMA_LOCKONFAULT | CKPT_VMA_HUGEPAGE | CKPT_VMA_NOHUGEPAGE | CKPT_VMA_DONTDUMP | \
		      CKPT_VMA_SEQUENTIAL | CKPT_VMA_RANDOM | CKPT_VMA_MERGEABLE | CKPT_VMA_DROPPABLE)

/* What the rewind changes in the layout before it writes memory back: ranges the program
 * mapped since (unmapped), private anonymous ranges it unmapped since (mapped again, then
 * written whole) and ranges it mprotected since.  Anything else that differs is a refusal. */
enum layout_op_kind { LAYOUT_UNMAP, LAYOUT_MAP, LAYOUT_PROTECT };

struct layout_op {
	enum layout_op_kind kind;
	uint64_t start, end;
	uint32_t prot;
};

struct layout_plan {
	struct layout_op *ops;
	size_t nops, cap_ops;
};

static void layout_plan_free(struct layout_plan *lp)
{
	free(lp->ops);
	memset(lp, 0, sizeof(*lp));
}

static void add_op(struct layout_plan *lp, enum layout_op_kind kind, uint64_t start, uint64_t end, uint32_t prot)
{
	struct layout_op *last = lp->nops ? &lp->ops[lp->nops - 1] : NULL;
	if (last && last->kind == kind && last->end == start && last->prot == prot)
		last->end = end;
	else
		*ARR_PUSH(lp->ops, lp->nops, lp->cap_ops) = (struct layout_op){kind, start, end, prot};
}

#define KERNEL_VMAS (CKPT_VMA_VDSO | CKPT_VMA_VVAR | CKPT_VMA_VVAR_VCLOCK | CKPT_VMA_VSYSCALL)

/* Whether [x, ...) of saved mapping a and of present mapping b is the same memory: the same
 * file at the same offset, or anonymous memory ([heap] or not) of the same kind. */
static bool same_memory(const struct process_image *saved, const struct ckpt_rec_vma *a, const struct process_image *now,
			const struct ckpt_rec_vma *b, uint64_t x)
{
	if ((a->flags & LAYOUT_FLAGS) != (b->flags & LAYOUT_FLAGS) || (a->flags & KERNEL_VMAS) != (b->flags & KERNEL_VMAS))
		return false;
	if (a->flags & CKPT_VMA_ANON)
		return !(a->flags & CKPT_VMA_SHARED) || a->shmem_id == b->shmem_id;
	return strcmp(vma_name(saved, a), vma_name(now, b)) == 0 && a->pgoff + (x - a->start) == b->pgoff + (x - b->start);
}

/* Private anonymous memory of the program's own, which a fresh mapping and its saved bytes
 * make again. */
static bool mappable_again(const struct ckpt_rec_vma *v)
{
	return (v->flags & LAYOUT_FLAGS) == CKPT_VMA_ANON && v->store == CKPT_STORE_FULL &&
	       !(v->flags & (KERNEL_VMAS | CKPT_VMA_STACK | CKPT_VMA_GROWSDOWN));
}

static const struct ckpt_rec_vma *vma_at(const struct process_image *p, size_t *k, uint64_t x)
{
	while (*k < p->nvmas && p->vmas[*k].rec.end <= x)
		(*k)++;
	return *k < p->nvmas && p->vmas[*k].rec.start <= x ? &p->vmas[*k].rec : NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Compares the layouts piece by piece (between any two mapping boundaries of either). */
static int plan_layout(const struct process_image *saved, const struct process_image *now, struct layout_plan *lp)
{
	memset(lp, 0, sizeof(*lp));
	size_t nb = 2 * (saved->nvmas + now->nvmas);
	uint64_t *bounds = xmalloc((nb ? nb : 1) * sizeof(uint64_t));
	size_t n = 0;
	for (size_t i = 0; i < saved->nvmas; i++) {
		bounds[n++] = saved->vmas[i].rec.start;
		bounds[n++] = saved->vmas[i].rec.end;
	}
	for (size_t i = 0; i < now->nvmas; i++) {
		bounds[n++] = now->vmas[i].rec.start;
		bounds[n++] = now->vmas[i].rec.end;
	}
	qsort(bounds, n, sizeof(uint64_t), cmp_u64);
	/* The break goes back too: memory that the program's heap holds now beyond the saved
	 * break's page is unmapped by it, so it must not be memory the snapshot has. */
	uint64_t brk_end = (saved->mm.brk + PAGE_SIZE_4K - 1) & ~(PAGE_SIZE_4K - 1);
	size_t ks = 0, kn = 0;
	int rc = 0;
	for (size_t i = 0; i + 1 < n && rc == 0; i++) {
		uint64_t x = bounds[i], y = bounds[i + 1];
		if (x == y)
			continue;
		const struct ckpt_rec_vma *a = vma_at(saved, &ks, x), *b = vma_at(now, &kn, x);
		if (a && b) {
			if (!same_memory(saved, a, now, b, x) ||
			    (saved->mm.brk && (b->flags & CKPT_VMA_HEAP) && !(a->flags & CKPT_VMA_HEAP) && x >= brk_end))
				rc = ckpt_fail("its memory was mapped differently at %#llx (%s then, %s now)", (unsigned long long)x,
					       vma_name(saved, a), vma_name(now, b));
			else if (a->prot != b->prot)
				add_op(lp, LAYOUT_PROTECT, x, y, a->prot);
		} else if (a) {
			if (!mappable_again(a))
				rc = ckpt_fail("a mapping at %#llx (%s) exists only in the snapshot", (unsigned long long)x,
					       vma_name(saved, a));
			add_op(lp, LAYOUT_MAP, x, y, a->prot);
		} else if (b && !(b->flags & (CKPT_VMA_STACK | CKPT_VMA_GROWSDOWN))) {
			/* (A stack that grew since keeps its pages: they are below what it uses.) */
			if (b->flags & (KERNEL_VMAS | CKPT_VMA_SYSVSHM))
				rc = ckpt_fail("a mapping at %#llx (%s) exists only now", (unsigned long long)x, vma_name(now, b));
			add_op(lp, LAYOUT_UNMAP, x, y, 0);
		}
	}
	free(bounds);
	if (rc < 0)
		layout_plan_free(lp);
	return rc;
}

static int put_break(struct inject *in, uint64_t brk)
{
	long ret;
	if (inject_syscall(in, SYS_brk, brk, 0, 0, 0, 0, 0, &ret) < 0)
		return -1;
	return (uint64_t)ret == brk ? 0 : ckpt_fail("cannot put the program break back at %#llx", (unsigned long long)brk);
}

/* Unmaps what is new, puts the break back, maps again what was unmapped and protects as
 * saved: by syscalls injected into the main thread, before memory is written back. */
static int restore_layout(pid_t pid, uint64_t gadget, const struct process_image *p, const struct layout_plan *lp)
{
	struct inject in;
	if (inject_begin(&in, pid, gadget, 0) < 0)
		return -1;
	long ret, before = 0;
	int rc = inject_syscall(&in, SYS_brk, 0, 0, 0, 0, 0, 0, &before);
	/* The kernel shrinks the heap only while it is there, and grows it only into free
	 * space: the break goes back before the unmapping or after it.  Where it grows, the heap
	 * is the kernel's to map, not ours. */
	bool grows = p->mm.brk > (uint64_t)before;
	uint64_t grown_from = 0, grown_to = 0;
	if (rc == 0 && p->mm.brk && !grows)
		rc = put_break(&in, p->mm.brk);
	for (size_t i = 0; i < lp->nops && rc == 0; i++)
		if (lp->ops[i].kind == LAYOUT_UNMAP)
			rc = inject_syscall_checked(&in, "munmap", SYS_munmap, lp->ops[i].start, lp->ops[i].end - lp->ops[i].start,
						    0, 0, 0, 0, &ret);
	if (rc == 0 && p->mm.brk && grows) {
		rc = put_break(&in, p->mm.brk);
		grown_from = ((uint64_t)before + PAGE_SIZE_4K - 1) & ~(PAGE_SIZE_4K - 1);
		grown_to = (p->mm.brk + PAGE_SIZE_4K - 1) & ~(PAGE_SIZE_4K - 1);
	}
	for (size_t i = 0; i < lp->nops && rc == 0; i++) {
		const struct layout_op *op = &lp->ops[i];
		uint64_t parts[2][2] = {{op->start, op->end < grown_from ? op->end : grown_from},
					{op->start > grown_to ? op->start : grown_to, op->end}};
		if (op->kind == LAYOUT_PROTECT)
			rc = inject_syscall_checked(&in, "mprotect", SYS_mprotect, op->start, op->end - op->start, op->prot, 0, 0,
						    0, &ret);
		else if (op->kind == LAYOUT_MAP)
			for (int h = 0; h < 2 && rc == 0; h++)
				if (parts[h][0] < parts[h][1])
					rc = inject_syscall_checked(&in, "mmap", SYS_mmap, parts[h][0], parts[h][1] - parts[h][0],
								    op->prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, (uint64_t)-1,
								    0, &ret);
	}
	if (inject_end(&in) < 0)
		rc = -1;
	return rc;
}

/* Fds whose object is the same one and holds nothing of the program's that changes but the
 * offset: files, devices, terminals, and pipes and connected sockets to the world outside (what
 * went through them is the world's, as on a terminal; a debug adapter run by node gives the
 * program socketpairs for its stdio). */
static bool kept_as_is(const struct ckpt_rec_fd *f)
{
	switch (f->kind) {
	case CKPT_FD_REG: case CKPT_FD_DIR: case CKPT_FD_CHR: case CKPT_FD_BLK: case CKPT_FD_TTY:
		return true;
	case CKPT_FD_PIPE:
		return (f->fd_flags & CKPT_FDF_OUTSIDE) != 0;
	case CKPT_FD_UNIX: case CKPT_FD_INET:
		return (f->kind_flags & CKPT_SK_RESET) && !(f->kind_flags & CKPT_SK_PEER_IN_TREE);
	default:
		return false;
	}
}

static const struct fd_image *find_fd(const struct process_image *p, uint32_t fd)
{
	for (size_t i = 0; i < p->nfds; i++)
		if (p->fds[i].rec.fd == fd)
			return &p->fds[i];
	return NULL;
}

/* The same fds on the same files; *moved counts those whose offset must be put back. */
static int same_files(const struct process_image *saved, const struct process_image *now, size_t *moved)
{
	*moved = 0;
	if (saved->nfds != now->nfds)
		return ckpt_fail("the program has %zu fds now and had %zu then", now->nfds, saved->nfds);
	for (size_t i = 0; i < saved->nfds; i++) {
		const struct fd_image *a = &saved->fds[i], *b = find_fd(now, a->rec.fd);
		if (!b)
			return ckpt_fail("fd %u (%s) was closed since", a->rec.fd, a->path ? a->path : "?");
		if (!kept_as_is(&a->rec))
			return ckpt_fail("fd %u (%s) is a kernel object whose state the rewind cannot put back", a->rec.fd,
					 a->path ? a->path : "?");
		if (a->rec.kind != b->rec.kind || a->rec.dev != b->rec.dev || a->rec.ino != b->rec.ino)
			return ckpt_fail("fd %u is %s now and was %s", a->rec.fd, b->path ? b->path : "?", a->path ? a->path : "?");
		if (a->rec.open_flags != b->rec.open_flags || (a->rec.fd_flags & CKPT_FDF_CLOEXEC) != (b->rec.fd_flags & CKPT_FDF_CLOEXEC))
			return ckpt_fail("the flags of fd %u (%s) changed", a->rec.fd, a->path ? a->path : "?");
		if (a->rec.kind == CKPT_FD_REG && a->rec.pos != b->rec.pos)
			(*moved)++;
	}
	return 0;
}

/* Timers, locks, SysV objects, seccomp, queued signals and private mappings of memory objects: none
 * then and none now, or refused. */
static int nothing_else(pid_t pid, const struct statefile_image *img, const struct process_image *p)
{
	if (img->nzombies || img->nprocs != 1)
		return ckpt_fail("the snapshot holds more than one process");
	pid_t *kids = NULL;
	size_t nkids = proc_children(pid, pid, &kids);
	free(kids);
	if (nkids)
		return ckpt_fail("the program has child processes");
	if (p->ntimers)
		return ckpt_fail("the snapshot has armed timers");
	if (p->nlocks)
		return ckpt_fail("the snapshot holds file locks");
	if (img->nipc)
		return ckpt_fail("the snapshot has SysV IPC objects");
	if (p->shared_pending && p->nshared_pending)
		return ckpt_fail("the snapshot has signals queued");
	for (size_t i = 0; i < p->nthreads; i++)
		if (p->threads[i].npending)
			return ckpt_fail("the snapshot has signals queued for thread %u", p->threads[i].rec.tid);
	char *timers = read_proc(pid, "timers", NULL);
	bool armed = timers && timers[0];
	free(timers);
	if (armed)
		return ckpt_fail("the program has POSIX timers now");
	char what[64];
	for (size_t i = 0; i < p->nthreads; i++) {
		snprintf(what, sizeof(what), "/proc/%d/task/%u/status", pid, p->threads[i].rec.tid);
		char *st = read_file(what, NULL);
		const char *sec = st ? status_field(st, "Seccomp") : NULL;
		const char *pnd = st ? status_field(st, "SigPnd") : NULL;
		const char *shd = st ? status_field(st, "ShdPnd") : NULL;
		bool ok = sec && atoi(sec) == 0 && pnd && strtoull(pnd, NULL, 16) == 0 && shd && strtoull(shd, NULL, 16) == 0;
		free(st);
		if (!ok)
			return ckpt_fail("thread %u has signals queued or a seccomp filter now", p->threads[i].rec.tid);
	}
	for (size_t i = 0; i < p->nseccomp; i++)
		if (p->seccomp[i].rec.mode)
			return ckpt_fail("the snapshot has a seccomp filter");
	/* Its pages changed since would have to show the object again, which writing cannot do. */
	for (size_t i = 0; i < p->nvmas; i++)
		if (p->vmas[i].rec.store == CKPT_STORE_COW)
			return ckpt_fail("the snapshot has a private mapping of a memfd, shared memory or a deleted file");
	return 0;
}

/* Mappings whose saved bytes are the program's: the kernel's own (vDSO, vvar) stay as they are. */
static bool rewritable(const struct ckpt_rec_vma *v)
{
	return v->store == CKPT_STORE_FULL &&
	       !(v->flags & (CKPT_VMA_VDSO | CKPT_VMA_VVAR | CKPT_VMA_VVAR_VCLOCK | CKPT_VMA_VSYSCALL));
}

/* Memory mapped again starts as zeros: all of its saved bytes go back. */
static void add_remapped(struct rewind_plan *plan, const struct layout_plan *lp)
{
	for (size_t i = 0; i < lp->nops; i++)
		if (lp->ops[i].kind == LAYOUT_MAP)
			*ARR_PUSH(plan->pages, plan->npages, plan->cap_pages) = (struct addr_range){lp->ops[i].start,
												     lp->ops[i].end};
	memtrack_rewind_plan_merge(plan);
}

/* Puts the snapshot's bytes back: the runs the plan names, and whole mappings where it cannot. */
static int write_memory(pid_t pid, int sf, const struct process_image *p, const struct rewind_plan *plan,
			uint64_t *written)
{
	uint64_t whole = 0;
	for (size_t k = 0; k < p->nvmas; k++)
		if (plan->whole[k] && rewritable(&p->vmas[k].rec))
			whole += p->vmas[k].rec.end - p->vmas[k].rec.start;
	if (whole > REWIND_WHOLE_MAX)
		return ckpt_fail("%llu MiB of memory whose writes are not known would be written back",
				 (unsigned long long)(whole >> 20));
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	int mem = open(path, O_RDWR | O_CLOEXEC);
	if (mem < 0)
		return ckpt_fail_errno("cannot open %s", path);
	const size_t chunk = 1u << 20;
	uint8_t *buf = xmalloc(chunk);
	int rc = 0;
	size_t run = 0;
	*written = 0;
	for (size_t k = 0; k < p->nvmas && rc == 0; k++) {
		const struct vma_image *v = &p->vmas[k];
		if (!rewritable(&v->rec))
			continue;
		/* The runs of this mapping: all of it, or the plan's, which are in address order. */
		struct addr_range all = {v->rec.start, v->rec.end};
		const struct addr_range *runs = &all;
		size_t nruns = 1;
		if (!plan->whole[k]) {
			while (run < plan->npages && plan->pages[run].end <= v->rec.start)
				run++;
			size_t first = run;
			while (run < plan->npages && plan->pages[run].start < v->rec.end)
				run++;
			runs = plan->pages + first;
			nruns = run - first;
		}
		for (size_t r = 0; r < nruns && rc == 0; r++) {
			for (uint64_t a = runs[r].start; a < runs[r].end && rc == 0;) {
				size_t n = runs[r].end - a < chunk ? (size_t)(runs[r].end - a) : chunk;
				if (pread_all(sf, buf, n, (off_t)(v->file_offset + (a - v->rec.start))) < 0)
					rc = ckpt_fail_errno("cannot read the snapshot's memory at %#llx", (unsigned long long)a);
				else if (pwrite_all(mem, buf, n, (off_t)a) < 0)
					rc = ckpt_fail_errno("cannot write process %d's memory at %#llx", pid, (unsigned long long)a);
				a += n;
				*written += n;
			}
		}
	}
	free(buf);
	close(mem);
	return rc;
}

/* Handlers and file offsets, by syscalls injected into the main thread; rseq, robust
 * lists and tid addresses in each thread. */
static int restore_injected(pid_t pid, uint64_t gadget, const struct process_image *p, const struct process_image *now)
{
	struct inject in;
	if (inject_begin(&in, pid, gadget, 64) < 0)
		return -1;
	int rc = 0;
	long ret;
	for (int sig = 1; sig <= 64 && rc == 0; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		const struct ckpt_rec_sigaction *a = &p->sigactions[sig - 1];
		uint64_t ka[4] = {a->handler, a->flags, a->restorer, a->mask};
		if (remote_write(pid, in.scratch, ka, sizeof(ka)) < 0 ||
		    inject_syscall_checked(&in, "rt_sigaction", SYS_rt_sigaction, (uint64_t)sig, in.scratch, 0, 8, 0, 0, &ret) < 0)
			rc = -1;
	}
	for (size_t i = 0; i < p->nfds && rc == 0; i++) {
		const struct fd_image *f = &p->fds[i], *g = find_fd(now, f->rec.fd);
		if (f->rec.kind == CKPT_FD_REG && g && g->rec.pos != f->rec.pos)
			rc = inject_syscall_checked(&in, "lseek", SYS_lseek, f->rec.fd, f->rec.pos, SEEK_SET, 0, 0, 0, &ret);
	}
	if (inject_end(&in) < 0)
		rc = -1;
	/* Each thread's own registrations, in that thread. */
	for (size_t i = 0; i < p->nthreads && rc == 0; i++) {
		struct inject ti;
		if (inject_begin(&ti, (pid_t)p->threads[i].rec.tid, gadget, 64) < 0)
			return -1;
		rc = threads_rewind_attrs(&ti, &p->threads[i]);
		if (inject_end(&ti) < 0)
			rc = -1;
	}
	return rc;
}

static void restore_names(pid_t pid, const struct process_image *p)
{
	for (size_t i = 0; i < p->nthreads; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/task/%u/comm", pid, p->threads[i].rec.tid);
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (write(fd, p->threads[i].comm, strlen(p->threads[i].comm)) < 0)
				ckpt_debug("thread %u keeps its name", p->threads[i].rec.tid);
			close(fd);
		}
	}
}

int ckpt_rewind(struct ckpt_tracker *tracker, pid_t pid, const char *statefile, struct ckpt_rewind_result *res)
{
	uint64_t t0 = now_ns();
	memset(res, 0, sizeof(*res));
	ckpt_clear_error();
	if (!tracker || pid <= 0 || !statefile)
		return ckpt_fail("rewind: no tracker, process or statefile");
	int sf = open(statefile, O_RDONLY | O_CLOEXEC);
	if (sf < 0)
		return ckpt_fail_errno("cannot open %s", statefile);
	struct statefile_image img = {0};
	struct process_image now = {0};
	struct rewind_plan plan = {0};
	struct layout_plan layout = {0};
	int rc = statefile_read(sf, &img);
	if (rc == 0 && (img.nprocs != 1 || img.procs[0].rec.pid != (uint32_t)pid))
		rc = ckpt_fail("the snapshot is not of process %d alone", pid);
	const struct process_image *p = rc == 0 ? &img.procs[0] : NULL;
	size_t moved = 0;
	/* What cannot be put back must be as it was: checked before anything changes. */
	if (rc == 0)
		rc = nothing_else(pid, &img, p);
	if (rc == 0)
		rc = same_threads(pid, p);
	if (rc == 0)
		rc = mem_capture_vmas(pid, &now, NULL);
	if (rc == 0)
		rc = plan_layout(p, &now, &layout);
	if (rc == 0)
		rc = files_capture(pid, &now);
	if (rc == 0)
		rc = same_files(p, &now, &moved);
	if (rc == 0)
		rc = memtrack_rewind_plan(tracker, pid, sf, p, &plan);
	if (rc == 0)
		add_remapped(&plan, &layout);
	uint64_t gadget = 0;
	if (rc == 0)
		rc = inject_find_gadget(pid, &gadget);
	if (rc == 0) {
		ckpt_debug("rewind: checked in %.3f ms; %zu layout changes, %zu runs of pages to write, %zu offsets to move",
			   (now_ns() - t0) / 1e6, layout.nops, plan.npages, moved);
		/* From here on the process changes: a failure leaves it half rewound, and says so. */
		uint64_t written = 0;
		rc = restore_layout(pid, gadget, p, &layout);
		if (rc == 0)
			rc = write_memory(pid, sf, p, &plan, &written);
		res->written_bytes = written;
		if (rc == 0)
			rc = restore_injected(pid, gadget, p, &now);
		for (size_t i = 0; i < p->nthreads && rc == 0; i++) {
			const struct thread_image *t = &p->threads[i];
			if (signals_restore_mask((pid_t)t->rec.tid, t) < 0 ||
			    threads_rewind((pid_t)t->rec.tid, t, img.hdr.xsave_size) < 0)
				rc = -1;
		}
		if (rc == 0) {
			restore_names(pid, p);
			rc = memtrack_rewound(tracker, pid, sf);
		} else {
			char *why = xstrdup(ckpt_last_error());
			memtrack_forget_file(tracker);
			ckpt_fail("the rewind failed half way, restart the snapshot instead: %s", why);
			free(why);
			res->damaged = 1;
		}
		res->threads = (uint32_t)p->nthreads;
		res->stop_tid = img.hdr.stop_tid;
	}
	memtrack_rewind_plan_free(&plan);
	layout_plan_free(&layout);
	process_image_free(&now);
	image_free(&img);
	close(sf);
	res->total_ns = now_ns() - t0;
	ckpt_debug("rewind: %s in %.3f ms, %llu bytes written", rc == 0 ? "done" : "refused", res->total_ns / 1e6,
		   (unsigned long long)res->written_bytes);
	return rc;
}
