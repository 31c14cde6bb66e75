/*
 * Timers: a process's POSIX timers and its itimers, captured, checked, restored and described
 * (timers.h).  A timer comes back with the time that was left and its period, as if the program
 * had been paused: one due 2 s after the save is due 2 s after the restart.  The overrun count
 * is recorded for `ckpt info` only; the kernel has no way to set it.
 */
#include "timers.h"
#include "notes.h"
#include "remote.h"
#include "statefile.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

#ifndef PR_TIMER_CREATE_RESTORE_IDS
/* Linux 6.17: timer_create takes the wanted id from *timerid.  Older kernels say EINVAL. */
#define PR_TIMER_CREATE_RESTORE_IDS 77
#define PR_TIMER_CREATE_RESTORE_IDS_OFF 0
#define PR_TIMER_CREATE_RESTORE_IDS_ON 1
#endif
#ifndef SIGEV_THREAD_ID
#define SIGEV_THREAD_ID 4
#endif

#define MAX_TIMERS 65536
/* Without PR_TIMER_CREATE_RESTORE_IDS, ids are reached by creating every lower one first. */
#define MAX_ID_WITHOUT_RESTORE_IDS 4096

/* The kernel's struct sigevent on x86-64. */
struct kernel_sigevent {
	uint64_t value;
	int32_t signo;
	int32_t notify;
	int32_t tid;
	int32_t pad[11];
};

struct kernel_itimerspec {
	int64_t interval_sec, interval_nsec, value_sec, value_nsec;
};

struct kernel_itimerval {
	int64_t interval_sec, interval_usec, value_sec, value_usec;
};

static const struct {
	uint32_t kind;
	int which;
	const char *name;
} itimers[] = {
	{CKPT_TIMER_REAL, ITIMER_REAL, "real"},
	{CKPT_TIMER_VIRTUAL, ITIMER_VIRTUAL, "virtual"},
	{CKPT_TIMER_PROF, ITIMER_PROF, "prof"},
};

/* ---- capture ---- */

static uint64_t ns_of(int64_t sec, int64_t frac, int64_t per_sec)
{
	if (sec < 0 || frac < 0)
		return 0;
	return (uint64_t)sec * 1000000000ull + (uint64_t)frac * (1000000000ull / (uint64_t)per_sec);
}

/* The time left and the period of POSIX timer id, and its overrun, asked inside the process. */
static int query_posix(struct inject *in, pid_t pid, struct ckpt_rec_timer *t)
{
	long ret;
	struct kernel_itimerspec its;
	if (inject_syscall(in, SYS_timer_gettime, t->id, in->scratch, 0, 0, 0, 0, &ret) < 0)
		return -1;
	if (ret < 0) {
		errno = (int)-ret;
		return ckpt_fail_errno("cannot read POSIX timer %u of pid %d", t->id, pid);
	}
	if (remote_read(in->tid, in->scratch, &its, sizeof(its)) < 0)
		return -1;
	t->value_ns = ns_of(its.value_sec, its.value_nsec, 1000000000);
	t->interval_ns = ns_of(its.interval_sec, its.interval_nsec, 1000000000);
	if (inject_syscall(in, SYS_timer_getoverrun, t->id, 0, 0, 0, 0, 0, &ret) < 0)
		return -1;
	t->overrun = ret > 0 ? (uint32_t)ret : 0;
	return 0;
}

/* One timer of /proc/PID/timers: "ID: 0", "signal: 12/000...", "notify: signal/pid.42",
 * "ClockID: 1". */
static int parse_proc_timer(const char *block, pid_t pid, struct ckpt_rec_timer *t)
{
	const char *id = status_field(block, "ID"), *sig = status_field(block, "signal"),
		   *notify = status_field(block, "notify"), *clock = status_field(block, "ClockID");
	unsigned long long value;
	char how[16], whom[8];
	int target;
	if (!id || !sig || !notify || !clock || sscanf(sig, "%u/%llx", &t->signo, &value) != 2 ||
	    sscanf(notify, "%15[a-z]/%7[a-z].%d", how, whom, &target) != 3)
		return ckpt_fail("pid %d: the kernel shows its POSIX timers in a form ckpt does not know", pid);
	t->kind = CKPT_TIMER_POSIX;
	t->id = (uint32_t)strtoul(id, NULL, 10);
	t->clockid = (int32_t)strtol(clock, NULL, 10);
	t->sigval = value;
	if (strcmp(how, "none") == 0)
		t->notify = SIGEV_NONE;
	else if (strcmp(how, "signal") == 0)
		t->notify = strcmp(whom, "tid") == 0 ? SIGEV_THREAD_ID : SIGEV_SIGNAL;
	else
		return ckpt_fail("pid %d: POSIX timer %u notifies by \"%s\", which ckpt does not know", pid, t->id, how);
	if (t->notify == SIGEV_THREAD_ID)
		t->notify_tid = (uint32_t)target;
	return 0;
}

/* POSIX timers first, by id, then the itimers. */
static int cmp_timer(const void *a, const void *b)
{
	const struct ckpt_rec_timer *x = a, *y = b;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

int timers_capture(struct inject *in, pid_t pid, struct process_image *p)
{
	char *list = read_proc(pid, "timers", NULL);
	if (!list)
		return ckpt_fail_errno("cannot read /proc/%d/timers", pid);
	int rc = 0;
	/* Each timer's block starts with its "ID:" line. */
	for (char *b = strstr(list, "ID:"); b && rc == 0;) {
		char *next = strstr(b + 3, "\nID:");
		if (next)
			*next = 0;
		struct ckpt_rec_timer t = {0};
		rc = parse_proc_timer(b, pid, &t);
		if (rc == 0)
			rc = query_posix(in, pid, &t);
		if (rc == 0)
			*ARR_PUSH(p->timers, p->ntimers, p->cap_timers) = t;
		b = next ? next + 1 : NULL;
	}
	free(list);
	for (size_t i = 0; i < ARRAY_LEN(itimers) && rc == 0; i++) {
		long ret;
		struct kernel_itimerval v;
		if (inject_syscall(in, SYS_getitimer, (uint64_t)itimers[i].which, in->scratch, 0, 0, 0, 0, &ret) < 0 ||
		    (ret == 0 && remote_read(in->tid, in->scratch, &v, sizeof(v)) < 0))
			return -1;
		if (ret < 0) {
			errno = (int)-ret;
			return ckpt_fail_errno("cannot read the %s itimer of pid %d", itimers[i].name, pid);
		}
		struct ckpt_rec_timer t = {.kind = itimers[i].kind};
		t.value_ns = ns_of(v.value_sec, v.value_usec, 1000000);
		t.interval_ns = ns_of(v.interval_sec, v.interval_usec, 1000000);
		/* A periodic ITIMER_REAL shows no time left while its SIGALRM waits to be taken: the
		 * kernel arms it again only then. */
		if (t.value_ns || t.interval_ns)
			*ARR_PUSH(p->timers, p->ntimers, p->cap_timers) = t;
	}
	if (p->ntimers)
		qsort(p->timers, p->ntimers, sizeof(*p->timers), cmp_timer);
	return rc;
}

void timers_write_note(struct buf *notes, const struct process_image *p)
{
	if (!p->ntimers)
		return;
	struct table_writer tw;
	tw_init(&tw, sizeof(struct ckpt_rec_timer));
	for (size_t i = 0; i < p->ntimers; i++)
		tw_add(&tw, &p->timers[i]);
	tw_emit(&tw, notes, CKPT_NT_TIMERS);
}

/* ---- reading a statefile ---- */

static bool clock_known(int32_t clock)
{
	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
	case CLOCK_BOOTTIME:
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM:
	case CLOCK_TAI:
		return true;
	default:
		/* The CPU clock of a process or thread: ~pid << 3 | per-thread bit | PROF, VIRT or SCHED
		 * (3 would be a clock device's fd). */
		return clock < 0 && (clock & 3) != 3;
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Times an itimerspec or itimerval can hold, with room to spare. */
#define MAX_TIME_NS (1ull << 62)

int timers_parse_note(struct image_notes *in, const struct note *n)
{
	struct process_image *p = in->p;
	struct table t;
	if (table_parse(n, sizeof(struct ckpt_rec_timer), MAX_TIMERS, &t) < 0)
		return -1;
	uint32_t *ids = xmalloc((t.count + 1) * sizeof(uint32_t));
	size_t nids = 0;
	unsigned itimers_seen = 0;
	int rc = -1;
	for (uint32_t i = 0; i < t.count; i++) {
		struct ckpt_rec_timer *r = ARR_PUSH(p->timers, p->ntimers, p->cap_timers);
		table_rec(&t, i, r, sizeof(*r));
		if (r->value_ns >= MAX_TIME_NS || r->interval_ns >= MAX_TIME_NS) {
			ckpt_fail("timer %u of pid %u has a time no timer can hold", i, p->rec.pid);
			goto out;
		}
		if (r->kind >= CKPT_TIMER_REAL && r->kind <= CKPT_TIMER_PROF) {
			if (itimers_seen & (1u << r->kind) || (!r->value_ns && !r->interval_ns)) {
				ckpt_fail("pid %u has a second or a disarmed itimer record", p->rec.pid);
				goto out;
			}
			itimers_seen |= 1u << r->kind;
			continue;
		}
		if (r->kind != CKPT_TIMER_POSIX) {
			ckpt_fail("timer %u of pid %u has an unknown kind %u", i, p->rec.pid, r->kind);
			goto out;
		}
		if (r->id > INT32_MAX || !clock_known(r->clockid)) {
			ckpt_fail("POSIX timer %u of pid %u has a bad id or an unknown clock %d", r->id, p->rec.pid, r->clockid);
			goto out;
		}
		bool signals = r->notify == SIGEV_SIGNAL || r->notify == SIGEV_THREAD_ID;
		if ((!signals && r->notify != SIGEV_NONE) || (signals && (r->signo < 1 || r->signo > 64)) || r->signo > 64) {
			ckpt_fail("POSIX timer %u of pid %u notifies in a way it cannot (notify %u, signal %u)", r->id, p->rec.pid,
				  r->notify, r->signo);
			goto out;
		}
		ids[nids++] = r->id;
	}
	if (nids)
		qsort(ids, nids, sizeof(*ids), cmp_u32);
	for (size_t i = 1; i < nids; i++)
		if (ids[i] == ids[i - 1]) {
			ckpt_fail("POSIX timer %u of pid %u appears twice", ids[i], p->rec.pid);
			goto out;
		}
	rc = 0;
out:
	free(ids);
	return rc;
}

static bool has_thread(const struct process_image *p, uint32_t tid)
{
	for (size_t k = 0; k < p->nthreads; k++)
		if (p->threads[k].rec.tid == tid)
			return true;
	return false;
}

int timers_check_image(const struct process_image *p)
{
	for (size_t i = 0; i < p->ntimers; i++) {
		const struct ckpt_rec_timer *t = &p->timers[i];
		if (t->kind != CKPT_TIMER_POSIX)
			continue;
		if (t->notify == SIGEV_THREAD_ID && !has_thread(p, t->notify_tid))
			return ckpt_fail("POSIX timer %u of pid %u signals thread %u, which is not one of its threads", t->id,
					 p->rec.pid, t->notify_tid);
		if (t->clockid < 0) {
			/* A CPU clock names its process or thread, 0 for the caller's own. */
			uint32_t whose = (uint32_t)~(t->clockid >> 3);
			bool thread = t->clockid & 4;
			if (whose && (thread ? !has_thread(p, whose) : whose != p->rec.pid))
				return ckpt_fail("POSIX timer %u of pid %u counts the CPU time of %u, which is not the process or "
						 "one of its threads", t->id, p->rec.pid, whose);
		}
	}
	return 0;
}

/* ---- restart ---- */

static int create_one(const struct process_image *p, const struct ckpt_rec_timer *t, int *id)
{
	struct kernel_sigevent sev = {.value = t->sigval, .signo = (int32_t)t->signo, .notify = (int32_t)t->notify,
				      .tid = (int32_t)t->notify_tid};
	if (syscall(SYS_timer_create, t->clockid, &sev, id) < 0)
		return ckpt_fail_errno("cannot create POSIX timer %u of pid %u again (clock %d)", t->id, p->rec.pid, t->clockid);
	return 0;
}

/* Kernels before 6.17 hand out the lowest free id, or the next one in sequence; in a fresh
 * process both give 0, 1, 2... so every lower id is taken first (and given back at the end). */
static int create_in_sequence(const struct process_image *p)
{
	uint32_t top = 0;
	for (size_t i = 0; i < p->ntimers; i++)
		if (p->timers[i].kind == CKPT_TIMER_POSIX && p->timers[i].id > top)
			top = p->timers[i].id;
	if (top >= MAX_ID_WITHOUT_RESTORE_IDS)
		return ckpt_fail("cannot give POSIX timer %u of pid %u its id back: this kernel lacks "
				 "PR_TIMER_CREATE_RESTORE_IDS (Linux 6.17)", top, p->rec.pid);
	bool *fill = xcalloc(top + 1, sizeof(bool));
	int rc = 0;
	for (uint32_t want = 0; want <= top && rc == 0; want++) {
		const struct ckpt_rec_timer *t = NULL;
		for (size_t i = 0; i < p->ntimers && !t; i++)
			if (p->timers[i].kind == CKPT_TIMER_POSIX && p->timers[i].id == want)
				t = &p->timers[i];
		struct ckpt_rec_timer filler = {.kind = CKPT_TIMER_POSIX, .id = want, .clockid = CLOCK_MONOTONIC,
						.notify = SIGEV_NONE};
		int got = -1;
		rc = create_one(p, t ? t : &filler, &got);
		if (rc == 0 && got != (int)want)
			rc = ckpt_fail("cannot give POSIX timer %u of pid %u its id back: this kernel gave id %d (it lacks "
				       "PR_TIMER_CREATE_RESTORE_IDS, Linux 6.17)", want, p->rec.pid, got);
		fill[want] = !t;
	}
	for (uint32_t id = 0; id <= top; id++)
		if (fill[id])
			syscall(SYS_timer_delete, id);
	free(fill);
	return rc;
}

int timers_restore_inside(const struct process_image *p)
{
	bool any = false;
	for (size_t i = 0; i < p->ntimers; i++)
		any |= p->timers[i].kind == CKPT_TIMER_POSIX;
	if (!any)
		return 0;
	/* The old way can be asked for, to test it on kernels that have the new one. */
	if (getenv("CKPT_TEST_TIMER_IDS_IN_SEQUENCE") ||
	    prctl(PR_TIMER_CREATE_RESTORE_IDS, PR_TIMER_CREATE_RESTORE_IDS_ON, 0, 0, 0) < 0) {
		if (!getenv("CKPT_TEST_TIMER_IDS_IN_SEQUENCE") && errno != EINVAL)
			return ckpt_fail_errno("cannot ask for the POSIX timer ids of pid %u", p->rec.pid);
		return create_in_sequence(p);
	}
	int rc = 0;
	for (size_t i = 0; i < p->ntimers && rc == 0; i++) {
		const struct ckpt_rec_timer *t = &p->timers[i];
		if (t->kind != CKPT_TIMER_POSIX)
			continue;
		int id = (int)t->id;
		rc = create_one(p, t, &id);
		if (rc == 0 && id != (int)t->id)
			rc = ckpt_fail("POSIX timer %u of pid %u came back as %d", t->id, p->rec.pid, id);
	}
	prctl(PR_TIMER_CREATE_RESTORE_IDS, PR_TIMER_CREATE_RESTORE_IDS_OFF, 0, 0, 0);
	return rc;
}

static bool timer_signal_in(const struct ckpt_rec_sigqueue *q, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++) {
		siginfo_t si;
		memcpy(&si, q[i].siginfo, sizeof(si));
		if (si.si_code == SI_TIMER && (uint32_t)si.si_timerid == id)
			return true;
	}
	return false;
}

/* Whether the signal of POSIX timer id was pending when saved (restart queues it again). */
static bool timer_signal_pending(const struct process_image *p, uint32_t id)
{
	if (timer_signal_in(p->shared_pending, p->nshared_pending, id))
		return true;
	for (size_t k = 0; k < p->nthreads; k++)
		if (timer_signal_in(p->threads[k].pending, p->threads[k].npending, id))
			return true;
	return false;
}

int timers_restore_arm(struct inject *in, const struct process_image *p)
{
	for (size_t i = 0; i < p->ntimers; i++) {
		const struct ckpt_rec_timer *t = &p->timers[i];
		long ret;
		if (t->kind == CKPT_TIMER_POSIX) {
			/* A one-shot timer whose signal is pending has fired: its signal comes back, the
			 * timer stays as it is now, disarmed. */
			if (!t->value_ns || (!t->interval_ns && t->notify != SIGEV_NONE && timer_signal_pending(p, t->id)))
				continue;
			/* Relative to now, whatever it was armed with. */
			struct kernel_itimerspec its = {(int64_t)(t->interval_ns / 1000000000), (int64_t)(t->interval_ns % 1000000000),
							(int64_t)(t->value_ns / 1000000000), (int64_t)(t->value_ns % 1000000000)};
			if (remote_write(in->tid, in->scratch, &its, sizeof(its)) < 0 ||
			    inject_syscall_checked(in, "timer_settime", SYS_timer_settime, t->id, 0, in->scratch, 0, 0, 0, &ret) < 0)
				return -1;
			continue;
		}
		/* Microseconds, rounded up so that what was armed stays armed.  A periodic ITIMER_REAL
		 * whose SIGALRM was pending is due one period after the restart. */
		uint64_t value_ns = t->value_ns ? t->value_ns : t->interval_ns;
		uint64_t value_us = (value_ns + 999) / 1000, interval_us = (t->interval_ns + 999) / 1000;
		struct kernel_itimerval v = {(int64_t)(interval_us / 1000000), (int64_t)(interval_us % 1000000),
					     (int64_t)(value_us / 1000000), (int64_t)(value_us % 1000000)};
		int which = t->kind == CKPT_TIMER_REAL ? ITIMER_REAL : t->kind == CKPT_TIMER_VIRTUAL ? ITIMER_VIRTUAL : ITIMER_PROF;
		if (remote_write(in->tid, in->scratch, &v, sizeof(v)) < 0 ||
		    inject_syscall_checked(in, "setitimer", SYS_setitimer, (uint64_t)which, in->scratch, 0, 0, 0, 0, &ret) < 0)
			return -1;
	}
	return 0;
}

/* ---- ckpt info ---- */

static const char *clock_name(int32_t clock)
{
	switch (clock) {
	case CLOCK_REALTIME: return "realtime";
	case CLOCK_MONOTONIC: return "monotonic";
	case CLOCK_PROCESS_CPUTIME_ID: return "process-cputime";
	case CLOCK_THREAD_CPUTIME_ID: return "thread-cputime";
	case CLOCK_BOOTTIME: return "boottime";
	case CLOCK_REALTIME_ALARM: return "realtime-alarm";
	case CLOCK_BOOTTIME_ALARM: return "boottime-alarm";
	case CLOCK_TAI: return "tai";
	default: return (clock & 4) ? "thread-cputime" : "process-cputime";
	}
}

static const char *kind_name(const struct ckpt_rec_timer *t)
{
	for (size_t i = 0; i < ARRAY_LEN(itimers); i++)
		if (itimers[i].kind == t->kind)
			return itimers[i].name;
	return "posix";
}

static const char *notify_name(uint32_t notify)
{
	return notify == SIGEV_NONE ? "none" : notify == SIGEV_THREAD_ID ? "thread" : "signal";
}

void timers_describe(struct buf *b, const struct process_image *p)
{
	if (!p->ntimers)
		return;
	buf_printf(b, "  Timers:   %zu\n", p->ntimers);
	for (size_t i = 0; i < p->ntimers; i++) {
		const struct ckpt_rec_timer *t = &p->timers[i];
		if (t->kind == CKPT_TIMER_POSIX) {
			buf_printf(b, "    posix %-4u %-15s %s", t->id, clock_name(t->clockid), notify_name(t->notify));
			if (t->notify != SIGEV_NONE)
				buf_printf(b, " %u", t->signo);
			if (t->notify == SIGEV_THREAD_ID)
				buf_printf(b, " to thread %u", t->notify_tid);
			buf_printf(b, ", value 0x%llx,", (unsigned long long)t->sigval);
		} else {
			buf_printf(b, "    itimer %s,", kind_name(t));
		}
		if (t->value_ns)
			buf_printf(b, " next in %.3f ms", t->value_ns / 1e6);
		else if (t->kind == CKPT_TIMER_REAL)
			buf_printf(b, " due again once its SIGALRM is taken");
		else
			buf_printf(b, " disarmed");
		if (t->interval_ns)
			buf_printf(b, ", every %.3f ms", t->interval_ns / 1e6);
		if (t->kind == CKPT_TIMER_POSIX && t->overrun)
			buf_printf(b, ", overrun %u", t->overrun);
		buf_printf(b, "\n");
	}
}

void timers_json(struct json *j, const struct process_image *p)
{
	json_array_begin(j, "timers");
	for (size_t i = 0; i < p->ntimers; i++) {
		const struct ckpt_rec_timer *t = &p->timers[i];
		json_object_begin(j, NULL);
		json_str(j, "kind", kind_name(t));
		if (t->kind == CKPT_TIMER_POSIX) {
			json_u64(j, "id", t->id);
			json_str(j, "clock", clock_name(t->clockid));
			json_i64(j, "clockid", t->clockid);
			json_str(j, "notify", notify_name(t->notify));
			json_u64(j, "signal", t->signo);
			if (t->notify == SIGEV_THREAD_ID)
				json_u64(j, "thread", t->notify_tid);
			json_hex(j, "value", t->sigval);
			json_u64(j, "overrun", t->overrun);
		}
		json_u64(j, "next_ns", t->value_ns);
		json_u64(j, "interval_ns", t->interval_ns);
		json_object_end(j);
	}
	json_array_end(j);
}
