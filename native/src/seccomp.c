/*
 * seccomp: capture of each thread's mode, filters and no_new_privs, a classic BPF checker and
 * evaluator for those filters, the note, and their restore as the last thing a thread gets
 * (seccomp.h).
 */
#include "seccomp.h"
#include "inject.h"
#include "notes.h"
#include "proctree.h"
#include "remote.h"
#include "statefile.h"
#include "util.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>

#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER 0x420c
#endif
#ifndef PTRACE_SECCOMP_GET_METADATA
#define PTRACE_SECCOMP_GET_METADATA 0x420d
#endif

/* The kernel's limits: instructions of one filter, and of a thread's whole chain, where each
 * filter counts 4 more. */
#define MAX_FILTER_INSNS 4096
#define MAX_CHAIN_INSNS 32768
#define MAX_SECCOMP_RECORDS MAX_THREADS
/* seccomp_data: nr, arch, instruction_pointer, args[6]. */
#define SECCOMP_DATA_SIZE 64

/* Blob layout: for each filter, this header and `count` instructions. */
struct filter_hdr {
	uint32_t flags;
	uint32_t count;
};

/* Walks the filters of a blob: returns the next filter's instructions and header, or NULL. */
static const struct sock_filter *next_filter(const uint8_t *blob, uint32_t len, size_t *pos, struct filter_hdr *h)
{
	if (*pos + sizeof(*h) > len)
		return NULL;
	memcpy(h, blob + *pos, sizeof(*h));
	if (h->count > (len - *pos - sizeof(*h)) / sizeof(struct sock_filter))
		return NULL;
	const struct sock_filter *f = (const struct sock_filter *)(blob + *pos + sizeof(*h));
	*pos += sizeof(*h) + (size_t)h->count * sizeof(struct sock_filter);
	return f;
}

/* ---- capture ---- */

static int read_status(pid_t pid, pid_t tid, uint32_t *mode, bool *nnp)
{
	char what[64];
	snprintf(what, sizeof(what), "task/%d/status", tid);
	char *st = read_proc(pid, what, NULL);
	if (!st)
		return ckpt_fail_errno("cannot read /proc/%d/%s", pid, what);
	const char *m = status_field(st, "Seccomp"), *n = status_field(st, "NoNewPrivs");
	*mode = m ? (uint32_t)atoi(m) : 0;
	*nnp = n && atoi(n) == 1;
	free(st);
	return 0;
}

/* The filters of a stopped thread, first installed first, into a blob. */
static int read_filters(pid_t pid, pid_t tid, struct seccomp_image *s)
{
	struct buf newest_first = {0};
	uint32_t n = 0;
	for (;; n++) {
		long count = ptrace(PTRACE_SECCOMP_GET_FILTER, tid, (void *)(long)n, NULL);
		if (count < 0 && errno == ENOENT)
			break;
		if (count < 0 && (errno == EACCES || errno == EPERM)) {
			buf_free(&newest_first);
			return ckpt_fail("pid %d runs under a seccomp filter, and reading it (PTRACE_SECCOMP_GET_FILTER) needs "
					 "CAP_SYS_ADMIN", pid);
		}
		if (count <= 0 || count > MAX_FILTER_INSNS || n >= MAX_CHAIN_INSNS / 5) {
			buf_free(&newest_first);
			return ckpt_fail_errno("cannot read seccomp filter %u of thread %d", n, tid);
		}
		struct sock_filter *insns = xcalloc((size_t)count, sizeof(*insns));
		if (ptrace(PTRACE_SECCOMP_GET_FILTER, tid, (void *)(long)n, insns) != count) {
			free(insns);
			buf_free(&newest_first);
			return ckpt_fail_errno("cannot read seccomp filter %u of thread %d", n, tid);
		}
		struct { uint64_t filter_off, flags; } meta = {n, 0};
		struct filter_hdr h = {0, (uint32_t)count};
		if (ptrace(PTRACE_SECCOMP_GET_METADATA, tid, (void *)sizeof(meta), &meta) > 0)
			h.flags = (uint32_t)meta.flags & SECCOMP_FILTER_FLAG_LOG;
		buf_put(&newest_first, &h, sizeof(h));
		buf_put(&newest_first, insns, (size_t)count * sizeof(*insns));
		free(insns);
	}
	/* The kernel numbers them from the newest: turn the list around. */
	size_t *starts = xmalloc((n + 1) * sizeof(size_t));
	size_t pos = 0;
	struct filter_hdr h;
	for (uint32_t i = 0; i < n; i++) {
		starts[i] = pos;
		next_filter(newest_first.data, (uint32_t)newest_first.len, &pos, &h);
	}
	starts[n] = pos;
	s->filters = xmalloc(pos ? pos : 1);
	size_t out = 0;
	for (uint32_t i = n; i-- > 0;) {
		memcpy(s->filters + out, newest_first.data + starts[i], starts[i + 1] - starts[i]);
		out += starts[i + 1] - starts[i];
	}
	s->rec.nfilters = n;
	s->rec.data_len = (uint32_t)out;
	free(starts);
	buf_free(&newest_first);
	return 0;
}

int seccomp_capture(const struct frozen_proc *fp, struct process_image *p)
{
	for (size_t k = 0; k < fp->ntasks; k++) {
		pid_t tid = fp->tasks[k].tid;
		uint32_t mode = 0;
		bool nnp = false;
		if (read_status(fp->pid, tid, &mode, &nnp) < 0)
			return -1;
		if (mode == SECCOMP_MODE_DISABLED && !nnp)
			continue;
		if (mode > SECCOMP_MODE_FILTER)
			return ckpt_fail("thread %d is in seccomp mode %u, which ckpt does not know", tid, mode);
		struct seccomp_image *s = ARR_PUSH(p->seccomp, p->nseccomp, p->cap_seccomp);
		s->rec.tid = (uint32_t)tid;
		s->rec.mode = mode;
		s->rec.flags = nnp ? CKPT_SECCOMP_NO_NEW_PRIVS : 0;
		if (mode == SECCOMP_MODE_FILTER && read_filters(fp->pid, tid, s) < 0)
			return -1;
	}
	return 0;
}

const struct seccomp_image *seccomp_of_thread(const struct process_image *p, uint32_t tid)
{
	for (size_t i = 0; i < p->nseccomp; i++)
		if (p->seccomp[i].rec.tid == tid)
			return &p->seccomp[i];
	return NULL;
}

bool seccomp_strict(const struct process_image *p, uint32_t tid)
{
	const struct seccomp_image *s = seccomp_of_thread(p, tid);
	return s && s->rec.mode == SECCOMP_MODE_STRICT;
}

void seccomp_write_note(struct buf *notes, const struct process_image *p)
{
	if (!p->nseccomp)
		return;
	struct table_writer tw;
	tw_init(&tw, sizeof(struct ckpt_rec_seccomp));
	for (size_t i = 0; i < p->nseccomp; i++) {
		struct ckpt_rec_seccomp r = p->seccomp[i].rec;
		r.data_off = tw_blob(&tw, p->seccomp[i].filters, r.data_len);
		tw_add(&tw, &r);
	}
	tw_emit(&tw, notes, CKPT_NT_SECCOMP);
}

/* ---- classic BPF, as seccomp accepts it ---- */

static bool insn_allowed(uint16_t code)
{
	switch (code) {
	case BPF_LD | BPF_W | BPF_ABS:
	case BPF_LD | BPF_W | BPF_LEN:
	case BPF_LDX | BPF_W | BPF_LEN:
	case BPF_LD | BPF_IMM:
	case BPF_LDX | BPF_IMM:
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_MEM:
	case BPF_ST:
	case BPF_STX:
	case BPF_MISC | BPF_TAX:
	case BPF_MISC | BPF_TXA:
	case BPF_RET | BPF_K:
	case BPF_RET | BPF_A:
	case BPF_ALU | BPF_NEG:
	case BPF_JMP | BPF_JA:
		return true;
	}
	uint16_t src = code & ~(uint16_t)BPF_X;
	switch (src) {
	case BPF_ALU | BPF_ADD:
	case BPF_ALU | BPF_SUB:
	case BPF_ALU | BPF_MUL:
	case BPF_ALU | BPF_DIV:
	case BPF_ALU | BPF_AND:
	case BPF_ALU | BPF_OR:
	case BPF_ALU | BPF_XOR:
	case BPF_ALU | BPF_LSH:
	case BPF_ALU | BPF_RSH:
	case BPF_JMP | BPF_JEQ:
	case BPF_JMP | BPF_JGT:
	case BPF_JMP | BPF_JGE:
	case BPF_JMP | BPF_JSET:
		return true;
	}
	return false;
}

/* The rules the kernel applies to a filter it installs, so that a statefile's filter is refused
 * when it is read rather than half-way through a restart. */
static int check_filter(const struct sock_filter *f, uint32_t n, uint32_t tid)
{
	if (n == 0 || n > MAX_FILTER_INSNS)
		return ckpt_fail("a seccomp filter of thread %u has %u instructions", tid, n);
	for (uint32_t pc = 0; pc < n; pc++) {
		const struct sock_filter *i = &f[pc];
		bool ok = insn_allowed(i->code);
		uint16_t cls = BPF_CLASS(i->code);
		if (i->code == (BPF_LD | BPF_W | BPF_ABS))
			ok &= i->k % 4 == 0 && i->k <= SECCOMP_DATA_SIZE - 4;
		if (i->code == (BPF_LD | BPF_MEM) || i->code == (BPF_LDX | BPF_MEM) || cls == BPF_ST || cls == BPF_STX)
			ok &= i->k < BPF_MEMWORDS;
		if (i->code == (BPF_ALU | BPF_DIV | BPF_K))
			ok &= i->k != 0;
		if (i->code == (BPF_ALU | BPF_LSH | BPF_K) || i->code == (BPF_ALU | BPF_RSH | BPF_K))
			ok &= i->k < 32;
		if (i->code == (BPF_JMP | BPF_JA))
			ok &= i->k < n - pc - 1;
		else if (cls == BPF_JMP)
			ok &= (uint32_t)i->jt < n - pc - 1 && (uint32_t)i->jf < n - pc - 1;
		if (!ok)
			return ckpt_fail("a seccomp filter of thread %u has a bad instruction %u (code 0x%x)", tid, pc, i->code);
	}
	if (BPF_CLASS(f[n - 1].code) != BPF_RET)
		return ckpt_fail("a seccomp filter of thread %u does not end with a return", tid);
	return 0;
}

/* Runs a checked filter on seccomp_data. */
static uint32_t run_filter(const struct sock_filter *f, uint32_t n, const uint8_t data[SECCOMP_DATA_SIZE])
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {0};
	for (uint32_t pc = 0; pc < n; pc++) {
		const struct sock_filter *i = &f[pc];
		uint32_t v = BPF_SRC(i->code) == BPF_X ? x : i->k;
		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS: memcpy(&a, data + i->k, 4); continue;
		case BPF_LD | BPF_W | BPF_LEN: a = SECCOMP_DATA_SIZE; continue;
		case BPF_LDX | BPF_W | BPF_LEN: x = SECCOMP_DATA_SIZE; continue;
		case BPF_LD | BPF_IMM: a = i->k; continue;
		case BPF_LDX | BPF_IMM: x = i->k; continue;
		case BPF_LD | BPF_MEM: a = mem[i->k]; continue;
		case BPF_LDX | BPF_MEM: x = mem[i->k]; continue;
		case BPF_ST: mem[i->k] = a; continue;
		case BPF_STX: mem[i->k] = x; continue;
		case BPF_MISC | BPF_TAX: x = a; continue;
		case BPF_MISC | BPF_TXA: a = x; continue;
		case BPF_RET | BPF_K: return i->k;
		case BPF_RET | BPF_A: return a;
		case BPF_ALU | BPF_NEG: a = -a; continue;
		case BPF_JMP | BPF_JA: pc += i->k; continue;
		}
		if (BPF_CLASS(i->code) == BPF_ALU) {
			switch (BPF_OP(i->code)) {
			case BPF_ADD: a += v; break;
			case BPF_SUB: a -= v; break;
			case BPF_MUL: a *= v; break;
			case BPF_DIV:
				if (!v)
					return 0; /* the kernel's answer to a division by zero: kill */
				a /= v;
				break;
			case BPF_AND: a &= v; break;
			case BPF_OR: a |= v; break;
			case BPF_XOR: a ^= v; break;
			case BPF_LSH: a <<= v & 31; break;
			case BPF_RSH: a >>= v & 31; break;
			}
			continue;
		}
		bool taken = false;
		switch (BPF_OP(i->code)) {
		case BPF_JEQ: taken = a == v; break;
		case BPF_JGT: taken = a > v; break;
		case BPF_JGE: taken = a >= v; break;
		case BPF_JSET: taken = (a & v) != 0; break;
		}
		pc += taken ? i->jt : i->jf;
	}
	return 0;
}

bool seccomp_allows(const struct seccomp_image *s, long nr, const uint64_t args[6], uint64_t ip)
{
	if (!s || s->rec.mode == SECCOMP_MODE_DISABLED)
		return true;
	if (s->rec.mode == SECCOMP_MODE_STRICT)
		return nr == SYS_read || nr == SYS_write || nr == SYS_exit || nr == SYS_rt_sigreturn;
	uint8_t data[SECCOMP_DATA_SIZE];
	int32_t n32 = (int32_t)nr;
	uint32_t arch = AUDIT_ARCH_X86_64;
	memcpy(data, &n32, 4);
	memcpy(data + 4, &arch, 4);
	memcpy(data + 8, &ip, 8);
	memcpy(data + 16, args, 48);
	size_t pos = 0;
	struct filter_hdr h;
	const struct sock_filter *f;
	while ((f = next_filter(s->filters, s->rec.data_len, &pos, &h))) {
		uint32_t action = run_filter(f, h.count, data) & SECCOMP_RET_ACTION_FULL;
		if (action != SECCOMP_RET_ALLOW && action != SECCOMP_RET_LOG)
			return false;
	}
	return true;
}

/* ---- reading a statefile ---- */

static int check_record(const struct seccomp_image *s)
{
	const struct ckpt_rec_seccomp *r = &s->rec;
	if (r->mode > SECCOMP_MODE_FILTER || (r->flags & ~CKPT_SECCOMP_NO_NEW_PRIVS) ||
	    (r->mode == SECCOMP_MODE_FILTER) != (r->nfilters > 0))
		return ckpt_fail("the seccomp record of thread %u has mode %u, flags 0x%x and %u filters", r->tid, r->mode,
				 r->flags, r->nfilters);
	size_t pos = 0;
	uint64_t chain = 0;
	struct filter_hdr h;
	for (uint32_t i = 0; i < r->nfilters; i++) {
		const struct sock_filter *f = next_filter(s->filters, r->data_len, &pos, &h);
		if (!f)
			return ckpt_fail("the seccomp filters of thread %u are cut short", r->tid);
		if (h.flags & ~(uint32_t)SECCOMP_FILTER_FLAG_LOG)
			return ckpt_fail("a seccomp filter of thread %u has flags 0x%x", r->tid, h.flags);
		if (check_filter(f, h.count, r->tid) < 0)
			return -1;
		chain += h.count + 4;
	}
	if (pos != r->data_len)
		return ckpt_fail("the seccomp filters of thread %u have %u bytes more than their filters", r->tid,
				 (unsigned)(r->data_len - pos));
	if (chain > MAX_CHAIN_INSNS + 4)
		return ckpt_fail("the seccomp filters of thread %u have more instructions than the kernel takes", r->tid);
	return 0;
}

int seccomp_parse_note(struct image_notes *in, const struct note *n)
{
	struct process_image *p = in->p;
	struct table t;
	if (table_parse(n, sizeof(struct ckpt_rec_seccomp), MAX_SECCOMP_RECORDS, &t) < 0)
		return -1;
	for (uint32_t i = 0; i < t.count; i++) {
		struct seccomp_image *s = ARR_PUSH(p->seccomp, p->nseccomp, p->cap_seccomp);
		table_rec(&t, i, &s->rec, sizeof(s->rec));
		const uint8_t *blob;
		if (table_blob(&t, s->rec.data_off, s->rec.data_len, &blob, "seccomp filters") < 0)
			return -1;
		s->filters = xmalloc(s->rec.data_len ? s->rec.data_len : 1);
		if (s->rec.data_len)
			memcpy(s->filters, blob, s->rec.data_len);
		if (check_record(s) < 0)
			return -1;
	}
	return 0;
}

int seccomp_check_image(const struct process_image *p)
{
	for (size_t i = 0; i < p->nseccomp; i++) {
		uint32_t tid = p->seccomp[i].rec.tid;
		bool found = false;
		for (size_t k = 0; k < p->nthreads && !found; k++)
			found = p->threads[k].rec.tid == tid;
		if (!found)
			return ckpt_fail("a seccomp record of pid %u is for thread %u, which it does not have", p->rec.pid, tid);
		for (size_t j = 0; j < i; j++)
			if (p->seccomp[j].rec.tid == tid)
				return ckpt_fail("thread %u has two seccomp records", tid);
	}
	return 0;
}

/* ---- restart ---- */

/* Every thread of p had the same filters: the kernel's shared ones, most likely (installed
 * before the threads were made, or with TSYNC). */
static bool filters_shared(const struct process_image *p)
{
	if (p->nthreads < 2)
		return false;
	const struct seccomp_image *first = NULL;
	for (size_t k = 0; k < p->nthreads; k++) {
		const struct seccomp_image *s = seccomp_of_thread(p, p->threads[k].rec.tid);
		if (!s || s->rec.mode != SECCOMP_MODE_FILTER)
			return false;
		if (!first)
			first = s;
		else if (s->rec.data_len != first->rec.data_len || memcmp(s->filters, first->filters, s->rec.data_len) != 0)
			return false;
	}
	return true;
}

static int install_filters(struct inject *in, const struct seccomp_image *s, bool tsync)
{
	size_t pos = 0;
	struct filter_hdr h;
	const struct sock_filter *f;
	while ((f = next_filter(s->filters, s->rec.data_len, &pos, &h))) {
		struct { uint16_t len; uint16_t pad[3]; uint64_t filter; } prog = {(uint16_t)h.count, {0}, in->scratch + 16};
		if (remote_write(in->tid, in->scratch, &prog, sizeof(prog)) < 0 ||
		    remote_write(in->tid, in->scratch + 16, f, h.count * sizeof(*f)) < 0)
			return -1;
		long ret;
		uint64_t flags = h.flags | (tsync ? SECCOMP_FILTER_FLAG_TSYNC : 0);
		if (inject_syscall(in, SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, in->scratch, 0, 0, 0, &ret) < 0)
			return -1;
		if (ret == -EACCES)
			return ckpt_fail("cannot give thread %u its seccomp filter back: it ran without no_new_privs, which "
					 "needs CAP_SYS_ADMIN, and this restart does not have it", s->rec.tid);
		if (ret > 0)
			return ckpt_fail("cannot give the threads of thread %u's process their shared seccomp filter: thread %ld "
					 "refuses it", s->rec.tid, ret);
		if (ret < 0) {
			errno = (int)-ret;
			return ckpt_fail_errno("cannot give thread %u its seccomp filter back", s->rec.tid);
		}
	}
	return 0;
}

int seccomp_restore_thread(pid_t outer_pid, pid_t outer_tid, const struct process_image *p, size_t k)
{
	const struct thread_image *t = &p->threads[k];
	const struct seccomp_image *s = seccomp_of_thread(p, t->rec.tid);
	if (!s)
		return 0;
	bool shared = filters_shared(p), is_main = t->rec.tid == p->rec.pid;
	bool filters = s->rec.mode == SECCOMP_MODE_FILTER && (!shared || is_main);
	bool strict = s->rec.mode == SECCOMP_MODE_STRICT, nnp = s->rec.flags & CKPT_SECCOMP_NO_NEW_PRIVS;
	if (!filters && !strict && !nnp)
		return 0;
	/* The trampoline may be gone (the main thread's is unmapped by now): a syscall instruction
	 * of the process itself, with scratch room below the thread's own stack pointer. */
	uint64_t gadget;
	if (inject_find_gadget(outer_pid, &gadget) < 0 || remote_set_regs(outer_tid, &t->regs) < 0)
		return -1;
	size_t longest = 0, pos = 0;
	struct filter_hdr h;
	while (next_filter(s->filters, s->rec.data_len, &pos, &h))
		if (h.count > longest)
			longest = h.count;
	struct inject in;
	if (inject_begin(&in, outer_tid, gadget, 16 + longest * sizeof(struct sock_filter)) < 0)
		return ckpt_fail("cannot restore the seccomp state of thread %u: %s", t->rec.tid, ckpt_last_error());
	long ret;
	int rc = 0;
	if (nnp)
		rc = inject_syscall_checked(&in, "prctl(PR_SET_NO_NEW_PRIVS)", SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0, &ret);
	if (rc == 0 && filters)
		rc = install_filters(&in, s, shared);
	if (rc == 0 && strict)
		rc = inject_syscall_checked(&in, "prctl(PR_SET_SECCOMP, strict)", SYS_prctl, PR_SET_SECCOMP,
					    SECCOMP_MODE_STRICT, 0, 0, 0, 0, &ret);
	if (inject_end(&in) < 0)
		rc = -1;
	return rc;
}

/* ---- ckpt info ---- */

static const char *mode_name(uint32_t mode)
{
	return mode == SECCOMP_MODE_STRICT ? "strict" : mode == SECCOMP_MODE_FILTER ? "filter" : "none";
}

void seccomp_describe(struct buf *b, const struct process_image *p)
{
	if (!p->nseccomp)
		return;
	buf_printf(b, "  Seccomp:  %zu thread%s\n", p->nseccomp, p->nseccomp == 1 ? "" : "s");
	for (size_t i = 0; i < p->nseccomp; i++) {
		const struct seccomp_image *s = &p->seccomp[i];
		buf_printf(b, "    %-8u %s", s->rec.tid, mode_name(s->rec.mode));
		if (s->rec.mode == SECCOMP_MODE_FILTER) {
			buf_printf(b, ", %u filter%s (", s->rec.nfilters, s->rec.nfilters == 1 ? "" : "s");
			size_t pos = 0;
			struct filter_hdr h;
			for (int n = 0; next_filter(s->filters, s->rec.data_len, &pos, &h); n++)
				buf_printf(b, "%s%u%s", n ? ", " : "", h.count, h.flags & SECCOMP_FILTER_FLAG_LOG ? " log" : "");
			buf_printf(b, " instructions)");
		}
		buf_printf(b, "%s\n", s->rec.flags & CKPT_SECCOMP_NO_NEW_PRIVS ? ", no_new_privs" : "");
	}
}

void seccomp_json(struct json *j, const struct process_image *p)
{
	json_array_begin(j, "seccomp");
	for (size_t i = 0; i < p->nseccomp; i++) {
		const struct seccomp_image *s = &p->seccomp[i];
		json_object_begin(j, NULL);
		json_u64(j, "tid", s->rec.tid);
		json_str(j, "mode", mode_name(s->rec.mode));
		json_bool(j, "no_new_privs", s->rec.flags & CKPT_SECCOMP_NO_NEW_PRIVS);
		json_array_begin(j, "filters");
		size_t pos = 0;
		struct filter_hdr h;
		while (next_filter(s->filters, s->rec.data_len, &pos, &h)) {
			json_object_begin(j, NULL);
			json_u64(j, "instructions", h.count);
			json_bool(j, "log", h.flags & SECCOMP_FILTER_FLAG_LOG);
			json_object_end(j);
		}
		json_array_end(j);
		json_object_end(j);
	}
	json_array_end(j);
}
