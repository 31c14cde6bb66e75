/*
 * SysV IPC objects of a tree: capture from /proc/sysvipc and the objects themselves, the note,
 * its checks, the restart in ckpt's or a new IPC namespace, the segments' attaches, and ckpt
 * info (sysvipc.h).  What is not given back: the creator's uid and gid (the restarting user's
 * now), the pids and times of last use, and SEM_UNDO adjustments.
 */
#include "sysvipc.h"
#include "notes.h"
#include "pagescan.h"
#include "remote.h"
#include "restore.h"
#include "skeleton.h"
#include "statefile.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MSG_COPY
#define MSG_COPY 040000
#endif

#define MAX_IPC_OBJECTS 65536
#define MAX_SHM_BYTES (1ull << 40)
/* A segment no process of the tree maps is kept in the note itself, which is limited. */
#define MAX_UNMAPPED_SHM_BYTES (16u << 20)
#define MAX_SEMS 32000       /* SEMMSL at most */
#define MAX_SEM_VALUE 32767  /* SEMVMX */
#define MAX_MSG_BYTES (1u << 20)

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

static const char *const kind_names[] = {"?", "shm", "sem", "msg"};
static const char *const next_id_files[] = {NULL, "/proc/sys/kernel/shm_next_id", "/proc/sys/kernel/sem_next_id",
					    "/proc/sys/kernel/msg_next_id"};

/* A message in the blob: its header, then len bytes padded to 8. */
struct msg_hdr {
	uint64_t type, len;
};

/* ---- the tree's mappings of a segment ---- */

static bool maps_segment(const struct ckpt_rec_vma *v, int32_t id)
{
	return (v->flags & CKPT_VMA_SYSVSHM) && (v->flags & CKPT_VMA_SHARED) && id >= 0 && v->shmem_id == (uint64_t)id;
}

static int cmp_range(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;
	return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* Whether the bytes the tree's mappings of segment id store cover all of its size bytes. */
static bool mappings_cover(const struct statefile_image *img, int32_t id, uint64_t size)
{
	uint64_t (*r)[2] = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nvmas; k++) {
			const struct ckpt_rec_vma *v = &img->procs[i].vmas[k].rec;
			if (!maps_segment(v, id) || v->store != CKPT_STORE_FULL)
				continue;
			uint64_t *e = *ARR_PUSH(r, n, cap);
			e[0] = v->pgoff;
			e[1] = v->pgoff + (v->end - v->start);
		}
	if (n)
		qsort(r, n, sizeof(*r), cmp_range);
	uint64_t covered = 0;
	for (size_t i = 0; i < n && r[i][0] <= covered; i++)
		if (r[i][1] > covered)
			covered = r[i][1];
	free(r);
	return covered >= size;
}

static int cmp_range3(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;
	for (int i = 0; i < 2; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

/* Restart attaches a segment whole and trims it: each mapping of it in a process is the start
 * of an attach (offset 0), or continues the mapping before it. */
static int check_attaches(const struct process_image *p, int32_t id, uint64_t size)
{
	for (size_t k = 0; k < p->nvmas; k++) {
		const struct ckpt_rec_vma *v = &p->vmas[k].rec;
		if (!maps_segment(v, id))
			continue;
		const struct ckpt_rec_vma *prev = k ? &p->vmas[k - 1].rec : NULL;
		bool continues = prev && maps_segment(prev, id) && prev->end == v->start &&
				 prev->pgoff + (prev->end - prev->start) == v->pgoff;
		if ((v->pgoff && !continues) || v->pgoff + (v->end - v->start) > ALIGN_UP(size, PAGE))
			return ckpt_fail("pid %u maps SysV segment %d at 0x%llx in a way shmat cannot give back", p->rec.pid, id,
					 (unsigned long long)v->start);
	}
	return 0;
}

/* ---- capture ---- */

/* The pages of a segment that some mapping of the tree has present (its bytes are stored only
 * for those), as a bitmap by page of the segment. */
struct present {
	uint8_t *bits;
	uint64_t npages, count;
	uint64_t vma_start, pgoff;
};

static int mark_present(void *arg, uint64_t start, uint64_t end, uint64_t categories)
{
	struct present *pr = arg;
	for (uint64_t a = start; a < end; a += PAGE) {
		uint64_t page = (pr->pgoff + (a - pr->vma_start)) / PAGE;
		if (page < pr->npages && !(pr->bits[page / 8] & (1u << (page % 8)))) {
			pr->bits[page / 8] |= (uint8_t)(1u << (page % 8));
			pr->count++;
		}
	}
	return 0;
}

static uint64_t pages_present(const struct statefile_image *img, int32_t id, uint64_t size)
{
	struct present pr = {.npages = ALIGN_UP(size, PAGE) / PAGE};
	pr.bits = xcalloc(pr.npages / 8 + 1, 1);
	for (size_t i = 0; i < img->nprocs; i++) {
		const struct process_image *p = &img->procs[i];
		int pagemap = -1;
		for (size_t k = 0; k < p->nvmas; k++) {
			const struct ckpt_rec_vma *v = &p->vmas[k].rec;
			if (!maps_segment(v, id) || v->store != CKPT_STORE_FULL)
				continue;
			if (pagemap < 0 && (pagemap = pagemap_open((pid_t)p->rec.pid)) < 0)
				break;
			pr.vma_start = v->start;
			pr.pgoff = v->pgoff;
			pagemap_for_each_populated(pagemap, (pid_t)p->rec.pid, v->start, v->end, mark_present, &pr);
		}
		if (pagemap >= 0)
			close(pagemap);
	}
	ckpt_clear_error();
	free(pr.bits);
	return pr.count;
}

static bool tree_pid(const struct statefile_image *img, int pid)
{
	for (size_t i = 0; i < img->nprocs && pid > 0; i++)
		if (img->procs[i].rec.pid == (uint32_t)pid)
			return true;
	return false;
}

static bool tree_maps(const struct statefile_image *img, int32_t id)
{
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nvmas; k++)
			if (maps_segment(&img->procs[i].vmas[k].rec, id))
				return true;
	return false;
}

/* The lines of a /proc/sysvipc table after its header; NULL with an error. */
static char *read_table(const char *kind, char **rows)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/sysvipc/%s", kind);
	char *text = read_file(path, NULL);
	if (!text) {
		ckpt_fail_errno("cannot read %s", path);
		return NULL;
	}
	char *nl = strchr(text, '\n');
	*rows = nl ? nl + 1 : text + strlen(text);
	return text;
}

static char *next_row(char **rows)
{
	char *row = *rows;
	if (!*row)
		return NULL;
	char *nl = strchr(row, '\n');
	if (nl) {
		*nl = 0;
		*rows = nl + 1;
	} else {
		*rows = row + strlen(row);
	}
	return row;
}

static struct ipc_image *add_object(struct statefile_image *img, uint32_t kind)
{
	struct ipc_image *o = ARR_PUSH(img->ipc, img->nipc, img->cap_ipc);
	o->rec.kind = kind;
	return o;
}

/* whole_namespace: the tree has an IPC namespace of its own, and all its objects are the tree's. */
static int capture_shm(struct statefile_image *img, bool whole_namespace, uint64_t *blob_bytes)
{
	char *rows, *text = read_table("shm", &rows);
	if (!text)
		return -1;
	int rc = 0;
	for (char *row; rc == 0 && (row = next_row(&rows));) {
		int key, id, cpid, lpid;
		unsigned mode, uid, gid, cuid, cgid;
		unsigned long long size, atime, dtime, ctime, rss = 0, swap = 0;
		unsigned long nattch;
		if (sscanf(row, "%d %d %o %llu %d %d %lu %u %u %u %u %llu %llu %llu %llu %llu", &key, &id, &mode, &size, &cpid,
			   &lpid, &nattch, &uid, &gid, &cuid, &cgid, &atime, &dtime, &ctime, &rss, &swap) < 11)
			continue;
		bool mapped = tree_maps(img, id);
		if (!mapped && !tree_pid(img, cpid) && !tree_pid(img, lpid) && !whole_namespace)
			continue;
		bool attach_ok = true;
		for (size_t i = 0; i < img->nprocs && attach_ok; i++)
			attach_ok = check_attaches(&img->procs[i], id, size) == 0;
		if (!attach_ok) {
			ckpt_clear_error();
			ckpt_warn("SysV shared memory segment %d is mapped in pieces shmat cannot give back; it comes back as "
				  "shared memory without its id", id);
			continue;
		}
		if (!mapped && (mode & CKPT_SHM_DEST)) {
			ckpt_warn("SysV shared memory segment %d was removed and is attached only outside the tree; it is not saved", id);
			continue;
		}
		struct ipc_image *o = add_object(img, CKPT_IPC_SHM);
		o->rec = (struct ckpt_rec_ipc){.kind = CKPT_IPC_SHM, .id = id, .key = key, .mode = mode, .uid = uid, .gid = gid,
					       .cuid = cuid, .cgid = cgid, .size = size};
		/* The tree's mappings store the pages they have present; a page only a process outside
		 * the tree, or one that detached, has touched would be lost: then the segment is kept
		 * whole in the note, if it is small enough. */
		uint64_t resident = (rss + swap) / PAGE, present = mapped ? pages_present(img, id, size) : 0;
		if (mapped && mappings_cover(img, id, size) && (resident <= present || size > MAX_UNMAPPED_SHM_BYTES)) {
			if (resident > present)
				ckpt_warn("SysV shared memory segment %d has pages that no process of the tree has mapped in; they "
					  "come back as zeros", id);
			o->rec.flags = CKPT_IPC_MAPPED;
			continue;
		}
		*blob_bytes += size;
		if (size > MAX_UNMAPPED_SHM_BYTES || *blob_bytes > 2 * MAX_UNMAPPED_SHM_BYTES) {
			rc = ckpt_fail("SysV shared memory segment %d (%llu bytes) is not all in the tree's mappings, and ckpt "
				       "keeps such segments only up to %u MiB", id, size, MAX_UNMAPPED_SHM_BYTES >> 20);
			break;
		}
		void *at = shmat(id, NULL, SHM_RDONLY);
		if (at == (void *)-1) {
			rc = ckpt_fail_errno("cannot read SysV shared memory segment %d", id);
			break;
		}
		o->data = xmalloc(size ? size : 1);
		memcpy(o->data, at, size);
		o->rec.data_len = (uint32_t)size;
		shmdt(at);
	}
	free(text);
	return rc;
}

static int capture_sem(struct statefile_image *img, bool whole_namespace)
{
	char *rows, *text = read_table("sem", &rows);
	if (!text)
		return -1;
	int rc = 0;
	for (char *row; rc == 0 && (row = next_row(&rows));) {
		int key, id;
		unsigned mode, nsems, uid, gid, cuid, cgid;
		if (sscanf(row, "%d %d %o %u %u %u %u %u", &key, &id, &mode, &nsems, &uid, &gid, &cuid, &cgid) != 8 || !nsems ||
		    nsems > MAX_SEMS)
			continue;
		bool ours = whole_namespace;
		for (unsigned i = 0; i < nsems && !ours; i++)
			ours = tree_pid(img, semctl(id, (int)i, GETPID));
		if (!ours)
			continue;
		struct ipc_image *o = add_object(img, CKPT_IPC_SEM);
		o->rec = (struct ckpt_rec_ipc){.kind = CKPT_IPC_SEM, .id = id, .key = key, .mode = mode, .uid = uid, .gid = gid,
					       .cuid = cuid, .cgid = cgid, .size = nsems};
		uint16_t *values = xcalloc(nsems, sizeof(uint16_t));
		union semun arg = {.array = values};
		if (semctl(id, 0, GETALL, arg) < 0) {
			free(values);
			rc = ckpt_fail_errno("cannot read SysV semaphore set %d", id);
			break;
		}
		o->data = (uint8_t *)values;
		o->rec.data_len = nsems * (uint32_t)sizeof(uint16_t);
	}
	free(text);
	return rc;
}

static int capture_msg(struct statefile_image *img, bool whole_namespace)
{
	char *rows, *text = read_table("msg", &rows);
	if (!text)
		return -1;
	int rc = 0;
	for (char *row; rc == 0 && (row = next_row(&rows));) {
		int key, id, lspid, lrpid;
		unsigned mode, uid, gid, cuid, cgid;
		unsigned long cbytes, qnum;
		if (sscanf(row, "%d %d %o %lu %lu %d %d %u %u %u %u", &key, &id, &mode, &cbytes, &qnum, &lspid, &lrpid, &uid,
			   &gid, &cuid, &cgid) != 11)
			continue;
		if (!tree_pid(img, lspid) && !tree_pid(img, lrpid) && !whole_namespace)
			continue;
		struct msqid_ds ds;
		if (msgctl(id, IPC_STAT, &ds) < 0) {
			rc = ckpt_fail_errno("cannot read SysV message queue %d", id);
			break;
		}
		struct ipc_image *o = add_object(img, CKPT_IPC_MSG);
		o->rec = (struct ckpt_rec_ipc){.kind = CKPT_IPC_MSG, .id = id, .key = key, .mode = mode, .uid = uid, .gid = gid,
					       .cuid = cuid, .cgid = cgid, .size = ds.msg_qbytes};
		/* Each message copied where it is, none taken off the queue (MSG_COPY). */
		struct buf blob = {0};
		size_t room = cbytes + 1;
		struct { long type; char text[]; } *m = xmalloc(sizeof(long) + room);
		for (unsigned long i = 0; i < ds.msg_qnum; i++) {
			ssize_t n = msgrcv(id, m, room, (long)i, IPC_NOWAIT | MSG_COPY);
			if (n < 0) {
				rc = ckpt_fail_errno("cannot copy message %lu of SysV message queue %d", i, id);
				break;
			}
			struct msg_hdr h = {(uint64_t)m->type, (uint64_t)n};
			buf_put(&blob, &h, sizeof(h));
			buf_put(&blob, m->text, (size_t)n);
			buf_align(&blob, 8);
			o->rec.nmsgs++;
		}
		free(m);
		o->data = blob.data;
		o->rec.data_len = (uint32_t)blob.len;
	}
	free(text);
	return rc;
}

static bool same_ipc_namespace(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/ipc", pid);
	char *theirs = read_link(path), *ours = read_link("/proc/thread-self/ns/ipc");
	bool same = theirs && ours && strcmp(theirs, ours) == 0;
	free(theirs);
	free(ours);
	return same;
}

int sysvipc_capture_tree(struct statefile_image *img)
{
	pid_t root = (pid_t)img->procs[0].rec.pid;
	int ours = -1;
	if (!same_ipc_namespace(root)) {
		/* A tree in an IPC namespace of its own (a restart's, say): its objects are all there.
		 * This thread enters it for the time of the capture, where it may (CAP_SYS_ADMIN). */
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/ipc", root);
		int theirs = open(path, O_RDONLY | O_CLOEXEC);
		ours = open("/proc/thread-self/ns/ipc", O_RDONLY | O_CLOEXEC);
		bool entered = theirs >= 0 && ours >= 0 && setns(theirs, CLONE_NEWIPC) == 0;
		if (theirs >= 0)
			close(theirs);
		if (!entered) {
			if (ours >= 0)
				close(ours);
			ckpt_warn("pid %d has an IPC namespace of its own, which ckpt may not enter; its SysV IPC objects are "
				  "not saved", root);
			return 0;
		}
	}
	uint64_t blob_bytes = 0;
	bool whole = ours >= 0;
	int rc = capture_shm(img, whole, &blob_bytes) < 0 || capture_sem(img, whole) < 0 || capture_msg(img, whole) < 0 ? -1 : 0;
	if (ours >= 0) {
		if (setns(ours, CLONE_NEWIPC) < 0)
			rc = ckpt_fail_errno("cannot go back to ckpt's own IPC namespace");
		close(ours);
	}
	return rc;
}

void sysvipc_write_note(struct buf *notes, const struct statefile_image *img)
{
	if (!img->nipc)
		return;
	struct table_writer tw;
	tw_init(&tw, sizeof(struct ckpt_rec_ipc));
	for (size_t i = 0; i < img->nipc; i++) {
		struct ckpt_rec_ipc r = img->ipc[i].rec;
		r.data_off = tw_blob(&tw, img->ipc[i].data, r.data_len);
		tw_add(&tw, &r);
	}
	tw_emit(&tw, notes, CKPT_NT_SYSVIPC);
}

/* ---- reading a statefile ---- */

static int check_messages(const struct ipc_image *o)
{
	size_t pos = 0;
	uint64_t total = 0;
	for (uint32_t i = 0; i < o->rec.nmsgs; i++) {
		struct msg_hdr h;
		if (o->rec.data_len - pos < sizeof(h))
			return ckpt_fail("SysV message queue %d has fewer messages than it says", o->rec.id);
		memcpy(&h, o->data + pos, sizeof(h));
		if (h.type < 1 || h.type > INT64_MAX || h.len > MAX_MSG_BYTES || ALIGN_UP(h.len, 8) > o->rec.data_len - pos - sizeof(h))
			return ckpt_fail("message %u of SysV message queue %d has type %llu and %llu bytes", i, o->rec.id,
					 (unsigned long long)h.type, (unsigned long long)h.len);
		pos += sizeof(h) + ALIGN_UP(h.len, 8);
		total += h.len;
	}
	if (pos != o->rec.data_len || total > o->rec.size)
		return ckpt_fail("SysV message queue %d holds more than its messages, or more than its limit", o->rec.id);
	return 0;
}

static int check_object(const struct ipc_image *o)
{
	const struct ckpt_rec_ipc *r = &o->rec;
	if (r->kind < CKPT_IPC_SHM || r->kind > CKPT_IPC_MSG)
		return ckpt_fail("a SysV IPC object has an unknown kind %u", r->kind);
	uint32_t modes = r->kind == CKPT_IPC_SHM ? 0777 | CKPT_SHM_DEST | CKPT_SHM_LOCKED : 0777;
	if (r->id < 0 || (r->mode & ~modes) || (r->flags & ~CKPT_IPC_MAPPED) || (r->flags && r->kind != CKPT_IPC_SHM))
		return ckpt_fail("SysV %s %d has a bad id, mode 0%o or flags 0x%x", kind_names[r->kind], r->id, r->mode, r->flags);
	switch (r->kind) {
	case CKPT_IPC_SHM:
		if (!r->size || r->size > MAX_SHM_BYTES || r->data_len != ((r->flags & CKPT_IPC_MAPPED) ? 0 : r->size))
			return ckpt_fail("SysV shared memory segment %d has %llu bytes and %u stored", r->id,
					 (unsigned long long)r->size, r->data_len);
		return 0;
	case CKPT_IPC_SEM:
		if (!r->size || r->size > MAX_SEMS || r->data_len != r->size * sizeof(uint16_t))
			return ckpt_fail("SysV semaphore set %d has %llu semaphores and %u bytes of values", r->id,
					 (unsigned long long)r->size, r->data_len);
		for (uint64_t i = 0; i < r->size; i++) {
			uint16_t v;
			memcpy(&v, o->data + i * 2, 2);
			if (v > MAX_SEM_VALUE)
				return ckpt_fail("semaphore %llu of SysV set %d has value %u", (unsigned long long)i, r->id, v);
		}
		return 0;
	default:
		return check_messages(o);
	}
}

/* (kind, id) or (kind, key) of an object, to find two of a kind with the same one. */
static int cmp_pair(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;
	return x[0] != y[0] ? (x[0] < y[0] ? -1 : 1) : x[1] < y[1] ? -1 : x[1] > y[1];
}

static int check_unique(const struct statefile_image *img)
{
	int64_t (*ids)[2] = xmalloc((img->nipc + 1) * sizeof(*ids)), (*keys)[2] = xmalloc((img->nipc + 1) * sizeof(*keys));
	size_t nkeys = 0;
	for (size_t i = 0; i < img->nipc; i++) {
		const struct ckpt_rec_ipc *r = &img->ipc[i].rec;
		ids[i][0] = r->kind;
		ids[i][1] = r->id;
		if (r->key) {
			keys[nkeys][0] = r->kind;
			keys[nkeys++][1] = r->key;
		}
	}
	if (img->nipc)
		qsort(ids, img->nipc, sizeof(*ids), cmp_pair);
	if (nkeys)
		qsort(keys, nkeys, sizeof(*keys), cmp_pair);
	int rc = 0;
	for (size_t i = 1; i < img->nipc && rc == 0; i++)
		if (ids[i][0] == ids[i - 1][0] && ids[i][1] == ids[i - 1][1])
			rc = ckpt_fail("two SysV %ss have id %lld", kind_names[ids[i][0]], (long long)ids[i][1]);
	for (size_t i = 1; i < nkeys && rc == 0; i++)
		if (keys[i][0] == keys[i - 1][0] && keys[i][1] == keys[i - 1][1])
			rc = ckpt_fail("two SysV %ss have key 0x%x", kind_names[keys[i][0]], (unsigned)keys[i][1]);
	free(ids);
	free(keys);
	return rc;
}

int sysvipc_parse_note(struct image_notes *in, const struct note *n)
{
	if (!in->root)
		return ckpt_fail("a child image carries the tree's SysV IPC note");
	struct statefile_image *img = in->img;
	struct table t;
	if (table_parse(n, sizeof(struct ckpt_rec_ipc), MAX_IPC_OBJECTS, &t) < 0)
		return -1;
	for (uint32_t i = 0; i < t.count; i++) {
		struct ipc_image *o = ARR_PUSH(img->ipc, img->nipc, img->cap_ipc);
		table_rec(&t, i, &o->rec, sizeof(o->rec));
		const uint8_t *data;
		if (table_blob(&t, o->rec.data_off, o->rec.data_len, &data, "SysV IPC contents") < 0)
			return -1;
		o->data = xmalloc(o->rec.data_len ? o->rec.data_len : 1);
		if (o->rec.data_len)
			memcpy(o->data, data, o->rec.data_len);
		if (check_object(o) < 0)
			return -1;
	}
	return check_unique(img);
}

/* One pass over every mapping of the tree, so that a file with many objects and many mappings
 * is checked in n log n: each mapping of a saved segment must be one shmat can give back, and
 * (segment, range) pairs of what the mappings store are collected to check coverage. */
int sysvipc_check_image(const struct statefile_image *img)
{
	int64_t (*segs)[2] = xmalloc((img->nipc + 1) * sizeof(*segs));  /* (id, index) of each segment */
	size_t nsegs = 0;
	for (size_t i = 0; i < img->nipc; i++)
		if (img->ipc[i].rec.kind == CKPT_IPC_SHM) {
			segs[nsegs][0] = img->ipc[i].rec.id;
			segs[nsegs++][1] = (int64_t)i;
		}
	if (nsegs)
		qsort(segs, nsegs, sizeof(*segs), cmp_pair);
	bool *mapped = xcalloc(img->nipc + 1, sizeof(bool));
	uint64_t (*held)[3] = NULL; /* (object index, start, end) in the segment */
	size_t nheld = 0, cap = 0;
	int rc = 0;
	for (size_t i = 0; i < img->nprocs && rc == 0; i++) {
		const struct process_image *p = &img->procs[i];
		for (size_t k = 0; k < p->nvmas && rc == 0; k++) {
			const struct ckpt_rec_vma *v = &p->vmas[k].rec;
			if (!(v->flags & CKPT_VMA_SYSVSHM) || !(v->flags & CKPT_VMA_SHARED) || v->shmem_id > INT32_MAX)
				continue;
			int64_t key[2] = {(int64_t)v->shmem_id, 0};
			int64_t (*hit)[2] = NULL;
			for (size_t lo = 0, hi = nsegs; lo < hi && !hit;) {
				size_t mid = lo + (hi - lo) / 2;
				if (segs[mid][0] == key[0])
					hit = &segs[mid];
				else if (segs[mid][0] < key[0])
					lo = mid + 1;
				else
					hi = mid;
			}
			if (!hit)
				continue;
			const struct ckpt_rec_ipc *r = &img->ipc[(*hit)[1]].rec;
			mapped[(*hit)[1]] = true;
			const struct ckpt_rec_vma *prev = k ? &p->vmas[k - 1].rec : NULL;
			bool continues = prev && maps_segment(prev, r->id) && prev->end == v->start &&
					 prev->pgoff + (prev->end - prev->start) == v->pgoff;
			if ((v->pgoff && !continues) || v->pgoff > MAX_SHM_BYTES ||
			    v->pgoff + (v->end - v->start) > ALIGN_UP(r->size, PAGE)) {
				rc = ckpt_fail("pid %u maps SysV segment %d at 0x%llx in a way shmat cannot give back", p->rec.pid,
					       r->id, (unsigned long long)v->start);
				break;
			}
			if (v->store == CKPT_STORE_FULL) {
				uint64_t *e = *ARR_PUSH(held, nheld, cap);
				e[0] = (uint64_t)(*hit)[1];
				e[1] = v->pgoff;
				e[2] = v->pgoff + (v->end - v->start);
			}
		}
	}
	/* Coverage, per segment: its ranges sorted by start. */
	if (nheld)
		qsort(held, nheld, sizeof(*held), cmp_range3);
	bool *covered = xcalloc(img->nipc + 1, sizeof(bool));
	for (size_t i = 0; i < nheld;) {
		size_t obj = held[i][0];
		uint64_t upto = 0;
		for (; i < nheld && held[i][0] == obj; i++)
			if (held[i][1] <= upto && held[i][2] > upto)
				upto = held[i][2];
		covered[obj] = upto >= img->ipc[obj].rec.size;
	}
	for (size_t i = 0; i < img->nipc && rc == 0; i++) {
		const struct ckpt_rec_ipc *r = &img->ipc[i].rec;
		if (r->kind != CKPT_IPC_SHM)
			continue;
		if ((r->flags & CKPT_IPC_MAPPED) && !covered[i])
			rc = ckpt_fail("SysV shared memory segment %d is said to be in the tree's mappings, which do not hold all "
				       "of it", r->id);
		else if ((r->mode & CKPT_SHM_DEST) && !mapped[i])
			rc = ckpt_fail("SysV shared memory segment %d was removed, yet no process of the tree maps it", r->id);
	}
	free(segs);
	free(mapped);
	free(held);
	free(covered);
	return rc;
}

/* ---- restart ---- */

struct sysv_restore {
	bool new_ns;    /* in a new IPC namespace; else in ckpt's own */
};

static const struct ckpt_rec_ipc *segment(const struct statefile_image *img, uint64_t shmid)
{
	for (size_t i = 0; i < img->nipc; i++)
		if (img->ipc[i].rec.kind == CKPT_IPC_SHM && (uint64_t)img->ipc[i].rec.id == shmid)
			return &img->ipc[i].rec;
	return NULL;
}

/* Whether an object with this id or key exists in our IPC namespace (one we may not even look
 * at counts too). */
static bool taken_here(const struct ckpt_rec_ipc *r)
{
	int rc = -1;
	switch (r->kind) {
	case CKPT_IPC_SHM: {
		struct shmid_ds ds;
		rc = shmctl(r->id, IPC_STAT, &ds);
		if ((rc == 0 || (errno != EINVAL && errno != EIDRM)) || (r->key && (shmget(r->key, 0, 0) >= 0 || errno != ENOENT)))
			return true;
		break;
	}
	case CKPT_IPC_SEM: {
		struct semid_ds ds;
		union semun arg = {.buf = &ds};
		rc = semctl(r->id, 0, IPC_STAT, arg);
		if ((rc == 0 || (errno != EINVAL && errno != EIDRM)) || (r->key && (semget(r->key, 0, 0) >= 0 || errno != ENOENT)))
			return true;
		break;
	}
	case CKPT_IPC_MSG: {
		struct msqid_ds ds;
		rc = msgctl(r->id, IPC_STAT, &ds);
		if ((rc == 0 || (errno != EINVAL && errno != EIDRM)) || (r->key && (msgget(r->key, 0) >= 0 || errno != ENOENT)))
			return true;
		break;
	}
	}
	return false;
}

int sysvipc_prepare(struct restore_ctx *c)
{
	const struct statefile_image *img = c->img;
	c->sysv = NULL;
	if (!img->nipc)
		return 0;
	struct sysv_restore *s = xcalloc(1, sizeof(*s));
	c->sysv = s;
	for (size_t i = 0; i < img->nipc && !s->new_ns; i++) {
		const struct ckpt_rec_ipc *r = &img->ipc[i].rec;
		s->new_ns = taken_here(r) || access(next_id_files[r->kind], W_OK) < 0;
	}
	ckpt_debug("restart: SysV IPC objects in %s", s->new_ns ? "a new IPC namespace" : "ckpt's own IPC namespace");
	return 0;
}

static void remove_object(const struct ckpt_rec_ipc *r)
{
	switch (r->kind) {
	case CKPT_IPC_SHM: shmctl(r->id, IPC_RMID, NULL); break;
	case CKPT_IPC_SEM: semctl(r->id, 0, IPC_RMID); break;
	case CKPT_IPC_MSG: msgctl(r->id, IPC_RMID, NULL); break;
	}
}

void sysvipc_finish(struct restore_ctx *c, bool failed)
{
	struct sysv_restore *s = c->sysv;
	if (s && failed && !s->new_ns)
		/* Their ids were free when this attempt began: what has them now is the restart's. */
		for (size_t i = 0; i < c->img->nipc; i++)
			remove_object(&c->img->ipc[i].rec);
	free(s);
	c->sysv = NULL;
}

bool sysvipc_new_namespace(const struct sysv_restore *s)
{
	return s && s->new_ns;
}

static int set_next_id(const struct ckpt_rec_ipc *r)
{
	int fd = open(next_id_files[r->kind], O_WRONLY | O_CLOEXEC);
	char text[16];
	int n = snprintf(text, sizeof(text), "%d", r->id);
	int rc = fd < 0 ? -1 : write_all(fd, text, (size_t)n);
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		return ckpt_fail_errno("cannot give SysV %s %d its id back (%s)", kind_names[r->kind], r->id, next_id_files[r->kind]);
	return 0;
}

/* The segment's bytes from the statefile: from the first mapping of the tree that holds each
 * part (every mapping holds the same bytes), holes left as they are. */
static int fill_from_mappings(const struct restore_ctx *c, const struct ckpt_rec_ipc *r, uint8_t *at)
{
	uint64_t (*done)[2] = NULL;
	size_t ndone = 0, cap = 0;
	int rc = 0;
	for (size_t i = 0; i < c->img->nprocs && rc == 0; i++)
		for (size_t k = 0; k < c->img->procs[i].nvmas && rc == 0; k++) {
			const struct vma_image *v = &c->img->procs[i].vmas[k];
			if (!maps_segment(&v->rec, r->id) || v->rec.store != CKPT_STORE_FULL)
				continue;
			uint64_t lo = v->rec.pgoff, hi = lo + v->file_size;
			bool already = false;
			for (size_t d = 0; d < ndone && !already; d++)
				already = done[d][0] <= lo && hi <= done[d][1];
			if (already)
				continue;
			uint64_t *e = *ARR_PUSH(done, ndone, cap);
			e[0] = lo;
			e[1] = hi;
			uint64_t end = v->file_offset + v->file_size, data, stop;
			for (uint64_t off = v->file_offset; off < end && file_next_data(c->sf_fd, off, end, &data, &stop) > 0; off = stop) {
				uint64_t seg_off = lo + (data - v->file_offset);
				if (seg_off >= r->size)
					break;
				uint64_t n = stop - data;
				if (n > r->size - seg_off)
					n = r->size - seg_off;
				if (pread_all(c->sf_fd, at + seg_off, n, (off_t)data) < 0) {
					rc = ckpt_fail_errno("cannot read SysV segment %d from the statefile", r->id);
					break;
				}
			}
		}
	free(done);
	return rc;
}

static int restore_shm(const struct restore_ctx *c, const struct ipc_image *o)
{
	const struct ckpt_rec_ipc *r = &o->rec;
	int id = shmget(r->key, r->size, IPC_CREAT | IPC_EXCL | 0600);
	if (id < 0)
		return ckpt_fail_errno("cannot make SysV shared memory segment %d (%llu bytes) again", r->id,
				       (unsigned long long)r->size);
	if (id != r->id)
		return ckpt_fail("SysV shared memory segment %d came back as %d", r->id, id);
	uint8_t *at = shmat(id, NULL, 0);
	if (at == (void *)-1)
		return ckpt_fail_errno("cannot fill SysV shared memory segment %d", id);
	int rc = 0;
	if (r->flags & CKPT_IPC_MAPPED)
		rc = fill_from_mappings(c, r, at);
	else
		memcpy(at, o->data, r->data_len);
	shmdt(at);
	struct shmid_ds ds;
	if (rc == 0 && shmctl(id, IPC_STAT, &ds) == 0) {
		ds.shm_perm.uid = r->uid;
		ds.shm_perm.gid = r->gid;
		ds.shm_perm.mode = r->mode & 0777;
		if (shmctl(id, IPC_SET, &ds) < 0)
			skeleton_warn_inside(c, "SysV shared memory segment %d keeps the restarting user as its owner: %s", id,
					     strerror(errno));
	}
	if (rc == 0 && (r->mode & CKPT_SHM_LOCKED) && shmctl(id, SHM_LOCK, NULL) < 0)
		skeleton_warn_inside(c, "SysV shared memory segment %d is not locked in memory any more: %s", id, strerror(errno));
	return rc;
}

static int restore_sem(const struct restore_ctx *c, const struct ipc_image *o)
{
	const struct ckpt_rec_ipc *r = &o->rec;
	int id = semget(r->key, (int)r->size, IPC_CREAT | IPC_EXCL | 0600);
	if (id < 0)
		return ckpt_fail_errno("cannot make SysV semaphore set %d (%llu semaphores) again", r->id, (unsigned long long)r->size);
	if (id != r->id)
		return ckpt_fail("SysV semaphore set %d came back as %d", r->id, id);
	uint16_t *values = xmalloc(r->data_len);
	memcpy(values, o->data, r->data_len);
	union semun arg = {.array = values};
	int rc = semctl(id, 0, SETALL, arg);
	free(values);
	if (rc < 0)
		return ckpt_fail_errno("cannot give SysV semaphore set %d its values back", id);
	struct semid_ds ds;
	arg.buf = &ds;
	if (semctl(id, 0, IPC_STAT, arg) == 0) {
		ds.sem_perm.uid = r->uid;
		ds.sem_perm.gid = r->gid;
		ds.sem_perm.mode = r->mode & 0777;
		if (semctl(id, 0, IPC_SET, arg) < 0)
			skeleton_warn_inside(c, "SysV semaphore set %d keeps the restarting user as its owner: %s", id, strerror(errno));
	}
	return 0;
}

static int restore_msg(const struct restore_ctx *c, const struct ipc_image *o)
{
	const struct ckpt_rec_ipc *r = &o->rec;
	int id = msgget(r->key, IPC_CREAT | IPC_EXCL | 0600);
	if (id < 0)
		return ckpt_fail_errno("cannot make SysV message queue %d again", r->id);
	if (id != r->id)
		return ckpt_fail("SysV message queue %d came back as %d", r->id, id);
	struct msqid_ds ds;
	if (msgctl(id, IPC_STAT, &ds) < 0)
		return ckpt_fail_errno("cannot read SysV message queue %d", id);
	if (ds.msg_qbytes != r->size) {
		ds.msg_qbytes = r->size;
		/* Above the namespace's msgmnb only with CAP_SYS_RESOURCE. */
		if (msgctl(id, IPC_SET, &ds) < 0) {
			skeleton_warn_inside(c, "SysV message queue %d keeps this system's limit of %lu bytes: %s", id,
					     (unsigned long)(msgctl(id, IPC_STAT, &ds) == 0 ? ds.msg_qbytes : 0), strerror(errno));
		}
	}
	size_t pos = 0;
	for (uint32_t i = 0; i < r->nmsgs; i++) {
		struct msg_hdr h;
		memcpy(&h, o->data + pos, sizeof(h));
		struct { long type; char text[]; } *m = xmalloc(sizeof(long) + h.len + 1);
		m->type = (long)h.type;
		memcpy(m->text, o->data + pos + sizeof(h), h.len);
		int rc = msgsnd(id, m, h.len, IPC_NOWAIT);
		free(m);
		if (rc < 0)
			return ckpt_fail_errno("cannot queue message %u of SysV message queue %d again", i, id);
		pos += sizeof(h) + ALIGN_UP(h.len, 8);
	}
	if (msgctl(id, IPC_STAT, &ds) == 0) {
		ds.msg_perm.uid = r->uid;
		ds.msg_perm.gid = r->gid;
		ds.msg_perm.mode = r->mode & 0777;
		if (msgctl(id, IPC_SET, &ds) < 0)
			skeleton_warn_inside(c, "SysV message queue %d keeps the restarting user as its owner: %s", id, strerror(errno));
	}
	return 0;
}

int sysvipc_restore_inside(const struct restore_ctx *c)
{
	for (size_t i = 0; i < c->img->nipc; i++) {
		const struct ipc_image *o = &c->img->ipc[i];
		if (set_next_id(&o->rec) < 0)
			return -1;
		int rc = o->rec.kind == CKPT_IPC_SHM ? restore_shm(c, o) : o->rec.kind == CKPT_IPC_SEM ? restore_sem(c, o)
													  : restore_msg(c, o);
		if (rc < 0)
			return -1;
	}
	return 0;
}

bool sysvipc_attaches(const struct statefile_image *img, const struct ckpt_rec_vma *v)
{
	return (v->flags & CKPT_VMA_SYSVSHM) && (v->flags & CKPT_VMA_SHARED) && segment(img, v->shmem_id);
}

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

/* The pages the process had present, present again: the segment holds their bytes already,
 * and a capture of the restarted process stores the pages its mappings have present. */
static int populate_as_saved(struct inject *in, int sf_fd, const struct vma_image *vi)
{
	const struct ckpt_rec_vma *v = &vi->rec;
	if (v->store != CKPT_STORE_FULL || !(v->prot & PROT_READ))
		return 0;
	uint64_t end = vi->file_offset + vi->file_size, data, stop;
	for (uint64_t off = vi->file_offset; off < end && file_next_data(sf_fd, off, end, &data, &stop) > 0; off = stop) {
		uint64_t lo = v->start + (data - vi->file_offset) / PAGE * PAGE, hi = v->start + ALIGN_UP(stop - vi->file_offset, PAGE);
		long ret;
		if (inject_syscall(in, SYS_madvise, lo, (hi > v->end ? v->end : hi) - lo, MADV_POPULATE_READ, 0, 0, 0, &ret) < 0)
			return -1;
	}
	return 0;
}

int sysvipc_attach(struct inject *in, int sf_fd, const struct statefile_image *img, const struct process_image *p, size_t k)
{
	const struct ckpt_rec_vma *v = &p->vmas[k].rec;
	const struct ckpt_rec_ipc *seg = segment(img, v->shmem_id);
	long ret;
	if (v->pgoff == 0) {
		/* The whole attach: this mapping and the ones that continue it. */
		uint64_t end = v->end;
		bool exec = v->prot & PROT_EXEC;
		for (size_t n = k + 1; n < p->nvmas && p->vmas[n].rec.start == end && maps_segment(&p->vmas[n].rec, seg->id) &&
				       p->vmas[n].rec.pgoff == end - v->start;
		     n++) {
			end = p->vmas[n].rec.end;
			exec |= p->vmas[n].rec.prot & PROT_EXEC;
		}
		int flags = ((v->flags & CKPT_VMA_MAYWRITE) ? 0 : SHM_RDONLY) | (exec ? SHM_EXEC : 0);
		if (inject_syscall_checked(in, "shmat", SYS_shmat, (uint64_t)seg->id, v->start, (uint64_t)flags, 0, 0, 0, &ret) < 0)
			return -1;
		if ((uint64_t)ret != v->start)
			return ckpt_fail("SysV segment %d was attached at 0x%lx, not 0x%llx", seg->id, ret, (unsigned long long)v->start);
		uint64_t attached = ALIGN_UP(seg->size, PAGE);
		if (end - v->start < attached &&
		    inject_syscall_checked(in, "munmap (part of a SysV segment)", SYS_munmap, end, attached - (end - v->start), 0,
					   0, 0, 0, &ret) < 0)
			return -1;
	}
	if (inject_syscall_checked(in, "mprotect (SysV segment)", SYS_mprotect, v->start, v->end - v->start, v->prot, 0, 0, 0,
				   &ret) < 0)
		return -1;
	return populate_as_saved(in, sf_fd, &p->vmas[k]);
}

int sysvipc_restore_removed(struct inject *in, const struct statefile_image *img, const struct process_image *p)
{
	for (size_t i = 0; i < img->nipc; i++) {
		const struct ckpt_rec_ipc *r = &img->ipc[i].rec;
		if (r->kind != CKPT_IPC_SHM || !(r->mode & CKPT_SHM_DEST))
			continue;
		/* The last process of the tree that maps it, once every earlier one has attached it. */
		const struct process_image *last = NULL;
		for (size_t n = 0; n < img->nprocs; n++)
			for (size_t k = 0; k < img->procs[n].nvmas; k++)
				if (maps_segment(&img->procs[n].vmas[k].rec, r->id))
					last = &img->procs[n];
		long ret;
		if (last == p &&
		    inject_syscall_checked(in, "shmctl(IPC_RMID)", SYS_shmctl, (uint64_t)r->id, IPC_RMID, 0, 0, 0, 0, &ret) < 0)
			return -1;
	}
	return 0;
}

/* ---- ckpt info ---- */

static void describe_one(struct buf *b, const struct ipc_image *o)
{
	const struct ckpt_rec_ipc *r = &o->rec;
	buf_printf(b, "  %-3s %-10d key 0x%08x mode %04o uid %u gid %u, ", kind_names[r->kind], r->id, (unsigned)r->key,
		   r->mode & 0777, r->uid, r->gid);
	switch (r->kind) {
	case CKPT_IPC_SHM:
		buf_printf(b, "%llu bytes%s%s%s\n", (unsigned long long)r->size,
			   (r->flags & CKPT_IPC_MAPPED) ? " (in the mappings)" : "", (r->mode & CKPT_SHM_DEST) ? ", removed" : "",
			   (r->mode & CKPT_SHM_LOCKED) ? ", locked" : "");
		break;
	case CKPT_IPC_SEM:
		buf_printf(b, "%llu semaphore%s:", (unsigned long long)r->size, r->size == 1 ? "" : "s");
		for (uint64_t i = 0; i < r->size && i < 16; i++) {
			uint16_t v;
			memcpy(&v, o->data + i * 2, 2);
			buf_printf(b, " %u", v);
		}
		buf_printf(b, "%s\n", r->size > 16 ? " ..." : "");
		break;
	case CKPT_IPC_MSG:
		buf_printf(b, "%u message%s, limit %llu bytes\n", r->nmsgs, r->nmsgs == 1 ? "" : "s", (unsigned long long)r->size);
		break;
	}
}

void sysvipc_describe(struct buf *b, const struct statefile_image *img)
{
	if (!img->nipc)
		return;
	buf_printf(b, "\nSysV IPC:   %zu object%s\n", img->nipc, img->nipc == 1 ? "" : "s");
	for (size_t i = 0; i < img->nipc; i++)
		describe_one(b, &img->ipc[i]);
}

void sysvipc_json(struct json *j, const struct statefile_image *img)
{
	json_array_begin(j, "sysv_ipc");
	for (size_t i = 0; i < img->nipc; i++) {
		const struct ipc_image *o = &img->ipc[i];
		const struct ckpt_rec_ipc *r = &o->rec;
		json_object_begin(j, NULL);
		json_str(j, "kind", kind_names[r->kind]);
		json_i64(j, "id", r->id);
		json_i64(j, "key", r->key);
		json_u64(j, "mode", r->mode & 0777);
		json_u64(j, "uid", r->uid);
		json_u64(j, "gid", r->gid);
		if (r->kind == CKPT_IPC_SHM) {
			json_u64(j, "bytes", r->size);
			json_bool(j, "removed", r->mode & CKPT_SHM_DEST);
			json_bool(j, "in_mappings", r->flags & CKPT_IPC_MAPPED);
		} else if (r->kind == CKPT_IPC_SEM) {
			json_array_begin(j, "values");
			for (uint64_t i = 0; i < r->size; i++) {
				uint16_t v;
				memcpy(&v, o->data + i * 2, 2);
				json_u64(j, NULL, v);
			}
			json_array_end(j);
		} else {
			json_u64(j, "messages", r->nmsgs);
			json_u64(j, "limit_bytes", r->size);
		}
		json_object_end(j);
	}
	json_array_end(j);
}
