/* `ckpt info`: a validated description of a statefile, as text or JSON. */
#include "ckpt.h"
#include "annotation.h"
#include "elfutil.h"
#include "fdkind.h"
#include "json.h"
#include "locks.h"
#include "tty.h"
#include "procattr.h"
#include "seccomp.h"
#include "pack.h"
#include "statefile.h"
#include "sysvipc.h"
#include "timers.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *acc_name(uint32_t flags)
{
	switch (flags & 3) {
	case 0: return "r";
	case 1: return "w";
	default: return "rw";
	}
}

/* The function containing pc, from the symbol table of whichever mapped ELF file holds it. */
static char *symbol_for(const struct process_image *p, uint64_t pc)
{
	/* The reader checked that mappings are sorted and do not overlap: binary search, so
	 * that many threads times many mappings stays cheap. */
	size_t lo = 0, hi = p->nvmas;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->vmas[mid].rec.end <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == p->nvmas)
		return NULL;
	const struct ckpt_rec_vma *v = &p->vmas[lo].rec;
	if (pc < v->start || v->file == CKPT_NO_INDEX)
		return NULL;
	/* Only the very file that was mapped: the path comes from the statefile, which may be
	 * hostile and name a FIFO or a device, and a changed file would give wrong symbols. */
	const struct file_image *f = &p->files[v->file];
	struct stat st;
	if (stat(f->path, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_dev != f->rec.dev ||
	    (uint64_t)st.st_ino != f->rec.ino || (uint64_t)st.st_size != f->rec.size)
		return NULL;
	uint64_t delta = 0;
	char *name = elf_symbol_at_offset(f->path, pc - v->start + v->pgoff, &delta);
	if (!name)
		return NULL;
	char *s = delta ? xasprintf("%s+0x%llx", name, (unsigned long long)delta) : xstrdup(name);
	free(name);
	return s;
}

static void human_bytes(char *out, size_t n, uint64_t b)
{
	if (b >= (1ull << 30))
		snprintf(out, n, "%.2f GiB", b / (double)(1ull << 30));
	else if (b >= (1ull << 20))
		snprintf(out, n, "%.1f MiB", b / (double)(1ull << 20));
	else if (b >= 1024)
		snprintf(out, n, "%.1f KiB", b / 1024.0);
	else
		snprintf(out, n, "%llu B", (unsigned long long)b);
}

static void iso_time(char *out, size_t n, uint64_t ns)
{
	time_t t = (time_t)(ns / 1000000000ull);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void proc_sizes(const struct process_image *p, uint64_t *stored, uint64_t *mapped)
{
	*stored = *mapped = 0;
	for (size_t i = 0; i < p->nvmas; i++) {
		*stored += p->vmas[i].rec.stored_bytes;
		*mapped += p->vmas[i].rec.end - p->vmas[i].rec.start;
	}
}

/* Locked memory, which a restart needs RLIMIT_MEMLOCK for. */
static uint64_t locked_bytes(const struct process_image *p)
{
	uint64_t n = 0;
	for (size_t i = 0; i < p->nvmas; i++)
		if (p->vmas[i].rec.flags & CKPT_VMA_LOCKED)
			n += p->vmas[i].rec.end - p->vmas[i].rec.start;
	return n;
}

/* Arguments as a list: the NUL-separated command line. */
static void args_json(struct json *j, const struct process_image *p)
{
	json_array_begin(j, "args");
	for (size_t i = 0; i < p->cmdline_len;) {
		const char *a = (const char *)p->cmdline + i;
		size_t l = strnlen(a, p->cmdline_len - i);
		char *arg = xmalloc(l + 1);
		memcpy(arg, a, l);
		arg[l] = 0;
		json_str(j, NULL, arg);
		free(arg);
		i += l + 1;
	}
	json_array_end(j);
}

static char *args_text(const struct process_image *p)
{
	char *s = xmalloc(p->cmdline_len + 1);
	memcpy(s, p->cmdline, p->cmdline_len);
	s[p->cmdline_len] = 0;
	for (size_t i = 0; i + 1 < p->cmdline_len; i++)
		if (!s[i])
			s[i] = ' ';
	return s;
}

static void build_id_hex(char *out, const struct process_image *p)
{
	out[0] = 0;
	if (p->rec.exe_file == CKPT_NO_INDEX)
		return;
	const struct ckpt_rec_file *f = &p->files[p->rec.exe_file].rec;
	for (uint32_t i = 0; i < f->build_id_len; i++)
		snprintf(out + 2 * i, 3, "%02x", f->build_id[i]);
}

static void annotation_json(struct json *j, const struct annotation *a)
{
	if (!a->present) {
		json_null(j, "annotation");
		return;
	}
	char session[17];
	snprintf(session, sizeof(session), "%016llx", (unsigned long long)a->session);
	json_object_begin(j, "annotation");
	json_str(j, "origin", annotation_origin_name(a->origin));
	json_str(j, "label", a->label);
	json_str(j, "note", a->note);
	json_u64(j, "sequence", a->sequence);
	json_str(j, "session", a->session ? session : NULL);
	json_str(j, "parent", a->parent);
	json_object_end(j);
}

static char *render_json(const char *path, const struct statefile_image *img, const struct annotation *ann)
{
	struct buf b = {0};
	struct json j;
	json_init(&j, &b);
	const struct ckpt_rec_header *h = &img->hdr;
	const struct process_image *root = &img->procs[0];
	char when[64];
	iso_time(when, sizeof(when), h->time_ns);
	char *stop_sym = symbol_for(root, h->stop_pc);
	json_object_begin(&j, NULL);
	json_str(&j, "path", path);
	json_u64(&j, "format", h->format_version);
	json_str(&j, "engine", img->engine_version);
	json_str(&j, "kernel", img->kernel_release);
	json_str(&j, "hostname", img->hostname);
	json_str(&j, "time", when);
	json_u64(&j, "time_ns", h->time_ns);
	json_ms(&j, "freeze_ms", h->freeze_ns);
	json_ms(&j, "total_ms", h->total_ns);
	json_bool(&j, "from_debugger", h->flags & CKPT_HDR_FROM_DEBUGGER);
	json_object_begin(&j, "stop");
	json_u64(&j, "tid", h->stop_tid);
	json_hex(&j, "pc", h->stop_pc);
	json_str(&j, "symbol", stop_sym);
	json_str(&j, "function", img->stop_function);
	json_str(&j, "file", img->stop_file);
	json_u64(&j, "line", h->stop_line);
	json_object_end(&j);
	annotation_json(&j, ann);
	json_str(&j, "program", root->exe);
	args_json(&j, root);
	uint64_t tstored = 0, tmapped = 0;
	unsigned nthreads = 0;
	json_array_begin(&j, "processes");
	for (size_t i = 0; i < img->nprocs; i++) {
		const struct process_image *p = &img->procs[i];
		uint64_t stored, mapped;
		proc_sizes(p, &stored, &mapped);
		tstored += stored;
		tmapped += mapped;
		nthreads += (unsigned)p->nthreads;
		json_object_begin(&j, NULL);
		json_u64(&j, "pid", p->rec.pid);
		json_u64(&j, "ppid", p->rec.ppid);
		json_u64(&j, "pgid", p->rec.pgid);
		json_u64(&j, "sid", p->rec.sid);
		json_str(&j, "comm", p->comm);
		json_str(&j, "exe", p->exe);
		char build_id[2 * sizeof(((struct ckpt_rec_file *)0)->build_id) + 1];
		build_id_hex(build_id, p);
		json_str(&j, "exe_build_id", build_id[0] ? build_id : NULL);
		json_str(&j, "cwd", p->cwd);
		args_json(&j, p);
		json_array_begin(&j, "threads");
		for (size_t t = 0; t < p->nthreads; t++) {
			const struct thread_image *th = &p->threads[t];
			char *sym = symbol_for(p, th->regs.rip);
			json_object_begin(&j, NULL);
			json_u64(&j, "tid", th->rec.tid);
			json_hex(&j, "pc", th->regs.rip);
			json_str(&j, "symbol", sym);
			json_str(&j, "name", th->comm);
			json_object_end(&j);
			free(sym);
		}
		json_array_end(&j);
		json_u64(&j, "mappings", p->nvmas);
		json_u64(&j, "stored_bytes", stored);
		json_u64(&j, "mapped_bytes", mapped);
		json_u64(&j, "locked_bytes", locked_bytes(p));
		json_array_begin(&j, "fds");
		for (size_t f = 0; f < p->nfds; f++) {
			const struct fd_image *fd = &p->fds[f];
			json_object_begin(&j, NULL);
			json_u64(&j, "fd", fd->rec.fd);
			json_str(&j, "kind", fd_kind_name(fd->rec.kind));
			json_str(&j, "access", acc_name(fd->rec.open_flags));
			json_str(&j, "path", fd->path);
			json_u64(&j, "pos", fd->rec.pos);
			json_bool(&j, "in_flight", fd->rec.fd_flags & CKPT_FDF_IN_FLIGHT);
			const struct fd_kind *k = fd_kind_of(fd->rec.kind);
			if (k && k->describe_json)
				k->describe_json(fd, &j);
			json_object_end(&j);
		}
		json_array_end(&j);
		timers_json(&j, p);
		locks_json(&j, p);
		tty_json(&j, p);
		procattr_json(&j, p);
		seccomp_json(&j, p);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_array_begin(&j, "zombies");
	for (size_t i = 0; i < img->nzombies; i++) {
		const struct ckpt_rec_tree *z = &img->zombies[i];
		json_object_begin(&j, NULL);
		json_u64(&j, "pid", z->pid);
		json_u64(&j, "ppid", z->ppid);
		json_u64(&j, "pgid", z->pgid);
		json_u64(&j, "sid", z->sid);
		if (WIFEXITED(z->exit_code))
			json_u64(&j, "exit_status", WEXITSTATUS(z->exit_code));
		else
			json_u64(&j, "signal", WTERMSIG(z->exit_code));
		json_object_end(&j);
	}
	json_array_end(&j);
	sysvipc_json(&j, img);
	json_u64(&j, "threads", nthreads);
	json_u64(&j, "stored_bytes", tstored);
	json_u64(&j, "mapped_bytes", tmapped);
	json_u64(&j, "file_bytes", img->file_size);
	json_u64(&j, "allocated_bytes", img->allocated_bytes);
	pack_info_json(img, &j);
	json_object_end(&j);
	buf_put(&b, "\n", 1);
	free(stop_sym);
	buf_put(&b, "", 1);
	return (char *)b.data;
}

/* Origin, label and note; a note's later lines are indented under its first. */
static void annotation_text(struct buf *b, const struct annotation *a)
{
	if (!a->present)
		return;
	buf_printf(b, "Origin:     %s", annotation_origin_name(a->origin));
	if (a->sequence)
		buf_printf(b, ", save %u of its session", a->sequence);
	if (a->parent)
		buf_printf(b, ", after %s", a->parent);
	buf_printf(b, "\n");
	if (*a->label)
		buf_printf(b, "Label:      %s\n", a->label);
	if (*a->note) {
		buf_printf(b, "Note:       ");
		for (const char *c = a->note; *c; c++) {
			buf_put(b, c, 1);
			if (*c == '\n' && c[1])
				buf_printf(b, "            ");
		}
		if (a->note[strlen(a->note) - 1] != '\n')
			buf_put(b, "\n", 1);
	}
}

static char *render_text(const char *path, const struct statefile_image *img, const struct annotation *ann)
{
	struct buf b = {0};
	const struct ckpt_rec_header *h = &img->hdr;
	const struct process_image *root = &img->procs[0];
	char when[64], s1[32], s2[32];
	iso_time(when, sizeof(when), h->time_ns);
	char *args = args_text(root);
	buf_printf(&b, "Statefile:  %s\n", path);
	buf_printf(&b, "Program:    %s\n", root->exe ? root->exe : "?");
	buf_printf(&b, "Arguments:  %s\n", args);
	free(args);
	buf_printf(&b, "Saved:      %s on %s, frozen %.1f ms, total %.1f ms%s\n", when, img->hostname ? img->hostname : "?",
		   h->freeze_ns / 1e6, h->total_ns / 1e6, h->flags & CKPT_HDR_FROM_DEBUGGER ? " (from a debugger)" : "");
	buf_printf(&b, "Kernel:     %s\n", img->kernel_release ? img->kernel_release : "?");
	buf_printf(&b, "Format:     %u (engine %s)\n", h->format_version, img->engine_version ? img->engine_version : "?");
	char *sym = symbol_for(root, h->stop_pc);
	buf_printf(&b, "Stopped at: ");
	if (img->stop_function)
		buf_printf(&b, "%s", img->stop_function);
	else
		buf_printf(&b, "%s", sym ? sym : "??");
	if (img->stop_file)
		buf_printf(&b, " at %s:%u", img->stop_file, h->stop_line);
	buf_printf(&b, " (thread %u, pc 0x%llx)\n", h->stop_tid, (unsigned long long)h->stop_pc);
	free(sym);
	annotation_text(&b, ann);
	uint64_t tstored = 0, tmapped = 0;
	unsigned nthreads = 0;
	for (size_t i = 0; i < img->nprocs; i++) {
		const struct process_image *p = &img->procs[i];
		uint64_t stored, mapped;
		proc_sizes(p, &stored, &mapped);
		tstored += stored;
		tmapped += mapped;
		nthreads += (unsigned)p->nthreads;
		buf_printf(&b, "\nProcess %u (%s): ppid %u, pgid %u, sid %u%s\n", p->rec.pid, p->comm, p->rec.ppid,
			   p->rec.pgid, p->rec.sid, (p->tree_flags & CKPT_TREE_STOPPED) ? ", stopped" : "");
		if (i > 0) {
			char *a = args_text(p);
			buf_printf(&b, "  Program:  %s\n  Arguments: %s\n", p->exe ? p->exe : "?", a);
			free(a);
		}
		buf_printf(&b, "  Threads:  %zu\n", p->nthreads);
		for (size_t t = 0; t < p->nthreads; t++) {
			const struct thread_image *th = &p->threads[t];
			char *s = symbol_for(p, th->regs.rip);
			buf_printf(&b, "    %-8u pc 0x%012llx  %-32s %s\n", th->rec.tid, (unsigned long long)th->regs.rip,
				   s ? s : "??", th->comm);
			free(s);
		}
		human_bytes(s1, sizeof(s1), stored);
		human_bytes(s2, sizeof(s2), mapped);
		buf_printf(&b, "  Mappings: %zu, memory stored %s of %s mapped", p->nvmas, s1, s2);
		uint64_t locked = locked_bytes(p);
		if (locked) {
			human_bytes(s1, sizeof(s1), locked);
			buf_printf(&b, ", %s locked", s1);
		}
		buf_printf(&b, "\n");
		buf_printf(&b, "  Files:    %zu\n", p->nfds);
		for (size_t f = 0; f < p->nfds; f++) {
			const struct fd_image *fd = &p->fds[f];
			buf_printf(&b, "    %-4u %-12s %-2s %s%s", fd->rec.fd, fd_kind_name(fd->rec.kind),
				   acc_name(fd->rec.open_flags), fd->path ? fd->path : "",
				   fd->rec.fd_flags & CKPT_FDF_IN_FLIGHT ? " (in flight only)" : "");
			const struct fd_kind *k = fd_kind_of(fd->rec.kind);
			if (k && k->describe_text)
				k->describe_text(fd, &b, "           ");
			buf_put(&b, "\n", 1);
		}
		procattr_describe(&b, p);
		locks_describe(&b, p);
		tty_describe(&b, p);
		timers_describe(&b, p);
		seccomp_describe(&b, p);
	}
	if (img->nzombies)
		buf_printf(&b, "\nZombies:    %zu (exited, not reaped yet)\n", img->nzombies);
	for (size_t i = 0; i < img->nzombies; i++) {
		const struct ckpt_rec_tree *z = &img->zombies[i];
		buf_printf(&b, "  %-8u ppid %u, pgid %u, sid %u, ", z->pid, z->ppid, z->pgid, z->sid);
		if (WIFEXITED(z->exit_code))
			buf_printf(&b, "exited with status %d\n", WEXITSTATUS(z->exit_code));
		else
			buf_printf(&b, "killed by signal %d%s\n", WTERMSIG(z->exit_code), WCOREDUMP(z->exit_code) ? " (core dumped)" : "");
	}
	sysvipc_describe(&b, img);
	human_bytes(s1, sizeof(s1), tstored);
	human_bytes(s2, sizeof(s2), tmapped);
	buf_printf(&b, "\nTotal:      %zu process%s", img->nprocs, img->nprocs == 1 ? "" : "es");
	if (img->nzombies)
		buf_printf(&b, " and %zu zombie%s", img->nzombies, img->nzombies == 1 ? "" : "s");
	buf_printf(&b, ", %u thread%s; memory stored %s of %s mapped\n", nthreads, nthreads == 1 ? "" : "s", s1, s2);
	human_bytes(s1, sizeof(s1), img->file_size);
	human_bytes(s2, sizeof(s2), img->allocated_bytes);
	buf_printf(&b, "File size:  %s (%s allocated on disk)\n", s1, s2);
	pack_info_text(img, &b);
	buf_put(&b, "", 1);
	return (char *)b.data;
}

char *ckpt_info(const char *path, int json)
{
	ckpt_clear_error();
	/* O_NONBLOCK: opening a FIFO must not wait for a writer; the reader then refuses
	 * anything that is not a regular file. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		ckpt_fail_errno("cannot open %s", path);
		return NULL;
	}
	struct statefile_image img;
	struct annotation ann;
	int r = statefile_read_annotated(fd, &img, &ann);
	close(fd);
	if (r < 0)
		return NULL;
	char *out = json ? render_json(path, &img, &ann) : render_text(path, &img, &ann);
	annotation_free(&ann);
	if (!json)
		/* Strings in a statefile can be hostile: no escape sequences reach a terminal. */
		for (char *c = out; *c; c++)
			if (((unsigned char)*c < 0x20 && *c != '\n' && *c != '\t') || *c == 0x7f)
				*c = '?';
	image_free(&img);
	return out;
}
