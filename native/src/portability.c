/* The checks of a statefile against the machine it restarts on (portability.h). */
#include "portability.h"
#include "ckpt.h"
#include "cpu.h"
#include "fdkind.h"
#include "files.h"
#include "json.h"
#include "mem.h"
#include "pack.h"
#include "pathmap.h"
#include "util.h"
#include "statefile.h"
#include "vdso.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

static struct portability_item *add(struct portability_report *r, const char *area, enum portability_status status,
				    char *subject, char *state, const char *remedy)
{
	struct portability_item *it = ARR_PUSH(r->items, r->n, r->cap);
	it->area = area;
	it->status = status;
	it->subject = subject;
	it->state = state;
	it->remedy = remedy ? xstrdup(remedy) : NULL;
	if (status == PORTABILITY_PROBLEM)
		r->problems++;
	return it;
}

static bool listed(const struct portability_report *r, const char *area, const char *subject)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->items[i].area, area) == 0 && strcmp(r->items[i].subject, subject) == 0)
			return true;
	return false;
}

static const char REMEDY_FILE[] =
	"put back the file the program had mapped, or restart on the machine where the statefile was saved, "
	"or run `ckpt pack FILE -o OUT` there and restart OUT, which carries its files";

/* Every backing file that restart maps bytes from, once. */
static void check_mapped_files(const struct statefile_image *img, struct portability_report *r)
{
	for (size_t i = 0; i < img->nprocs; i++) {
		const struct process_image *p = &img->procs[i];
		for (size_t k = 0; k < p->nvmas; k++) {
			const struct ckpt_rec_vma *v = &p->vmas[k].rec;
			if (!mem_relies_on_file(v))
				continue;
			const struct file_image *f = &p->files[v->file];
			if (listed(r, "file", f->path))
				continue;
			char *why;
			enum mem_file_state st = mem_file_state(f, v, &why);
			bool embedded = pack_find_embedded(img, f) != NULL;
			if (st == MEM_FILE_SAME)
				add(r, "file", PORTABILITY_OK, xstrdup(f->path),
				    xstrdup(embedded ? "the same as when saved (and embedded)" : "the same as when saved"), NULL);
			else if (embedded)
				add(r, "file", PORTABILITY_NOTE, xstrdup(f->path),
				    xasprintf("embedded: restart maps the packed copy, as the file here %s", why), NULL);
			else
				add(r, "file", PORTABILITY_PROBLEM, xstrdup(f->path), why, REMEDY_FILE);
			if (embedded)
				free(why);
		}
	}
}

static void check_cpu(const struct statefile_image *img, struct portability_report *r)
{
	struct ckpt_rec_cpu here;
	cpu_describe(&here);
	if (!img->has_cpu) {
		add(r, "cpu", PORTABILITY_NOTE, xstrdup("instruction sets"),
		    xstrdup("not recorded (saved by an older engine); only the xsave layout is checked"), NULL);
		/* What the registers need: the header's XCR0. */
		uint64_t missing = img->hdr.xcr0 & ~here.xcr0 & ~3ull;
		if (missing)
			add(r, "cpu", PORTABILITY_PROBLEM, xstrdup("xsave state"),
			    xasprintf("this CPU does not enable xsave components 0x%llx the saved registers use",
				      (unsigned long long)missing),
			    "restart on a CPU like the one it was saved on");
		return;
	}
	struct cpu_gaps gaps;
	cpu_compare(&img->cpu, &here, &gaps);
	char vendor[13];
	memcpy(vendor, img->cpu.vendor, 12);
	vendor[12] = 0;
	if (gaps.features)
		add(r, "cpu", PORTABILITY_PROBLEM, xstrdup("instruction sets"),
		    xasprintf("this CPU lacks %s, which the saving CPU (%s) had and the program's libraries may use",
			      gaps.features, vendor),
		    "restart on a CPU that has them");
	else
		add(r, "cpu", PORTABILITY_OK, xstrdup("instruction sets"),
		    xasprintf("this CPU has every one the saving CPU (%s) had", vendor), NULL);
	if (gaps.xsave)
		add(r, "cpu", PORTABILITY_PROBLEM, xstrdup("xsave state"),
		    xasprintf("this CPU cannot take the saved registers' %s", gaps.xsave),
		    "restart on a CPU of the same kind as the one it was saved on");
	else
		add(r, "cpu", PORTABILITY_OK, xstrdup("xsave state"),
		    xasprintf("components 0x%llx, laid out as where saved", (unsigned long long)img->cpu.xcr0), NULL);
	cpu_gaps_free(&gaps);
}

static int check_vdso(const struct statefile_image *img, int sf_fd, struct portability_report *r)
{
	char *why;
	int d = vdso_compare(img, sf_fd, &why);
	if (d < 0)
		return -1;
	const char *kernel = img->kernel_release ? img->kernel_release : "?";
	if (d == VDSO_SAME)
		add(r, "vdso", PORTABILITY_OK, xstrdup("[vdso]"), xstrdup("the same as this kernel's"), NULL);
	else if (d == VDSO_PROXIED)
		add(r, "vdso", PORTABILITY_NOTE, xstrdup("[vdso]"), xasprintf("%s (saved on kernel %s)", why, kernel), NULL);
	else
		add(r, "vdso", PORTABILITY_PROBLEM, xstrdup("[vdso]"), xasprintf("%s (saved on kernel %s)", why, kernel),
		    "restart it on the kernel it was saved on (a thread inside a vDSO call: save it again at another moment)");
	free(why);
	return 0;
}

static void check_kernel(const struct statefile_image *img, struct portability_report *r)
{
	struct utsname u;
	uname(&u);
	const char *saved = img->kernel_release ? img->kernel_release : "?";
	if (strcmp(saved, u.release) == 0)
		add(r, "kernel", PORTABILITY_OK, xstrdup(u.release), xstrdup("the kernel it was saved on"), NULL);
	else
		add(r, "kernel", PORTABILITY_NOTE, xstrdup(u.release), xasprintf("saved on kernel %s", saved), NULL);
}

static const char REMEDY_MOVED_FILE[] =
	"create the file where the program had it, or give its new place with --map-path OLD=NEW";
static const char REMEDY_MOVED_DIR[] =
	"create the directory, or give its new place with --map-path OLD=NEW";

/* One path restart opens: here, moved (found under a --map-path), or missing.  what says whose
 * path it is ("fd 3 of pid 42 had it open"). */
/* Whether --map-path names another place for path. */
static bool pathmap_lookup_applies(const struct portability_options *o, const char *path)
{
	char *mapped = pathmap_lookup(o->path_maps, o->npath_maps, path);
	bool applies = mapped != NULL;
	free(mapped);
	return applies;
}

static void check_one_path(struct portability_report *r, const struct portability_options *o, const char *area,
			   const char *path, const char *what, const char *remedy)
{
	struct stat st;
	if (stat(path, &st) == 0) {
		if (!listed(r, area, path))
			add(r, area, PORTABILITY_OK, xstrdup(path), xstrdup("is here"), NULL);
		return;
	}
	int err = errno;
	char *mapped = pathmap_lookup(o->path_maps, o->npath_maps, path);
	if (!mapped) {
		add(r, area, PORTABILITY_PROBLEM, xstrdup(path), xasprintf("is missing here (%s: %s)", what, strerror(err)),
		    remedy);
		return;
	}
	if (stat(mapped, &st) == 0)
		add(r, area, PORTABILITY_NOTE, xstrdup(path), xasprintf("is missing here; %s is used instead (--map-path)", mapped),
		    NULL);
	else
		add(r, area, PORTABILITY_PROBLEM, xstrdup(path),
		    xasprintf("is missing here, and so is %s, where --map-path puts it (%s: %s)", mapped, what, strerror(errno)),
		    "create it there, or correct --map-path");
	free(mapped);
}

/* Files, directories and FIFOs the program had open, and its working directory: restart opens
 * them by path. */
static void check_paths(const struct statefile_image *img, const struct portability_options *o,
			struct portability_report *r)
{
	for (size_t i = 0; i < img->nprocs; i++) {
		const struct process_image *p = &img->procs[i];
		for (size_t k = 0; k < p->nfds; k++) {
			const struct fd_image *f = &p->fds[k];
			uint32_t kind = f->rec.kind;
			if (f->rec.fd_flags & CKPT_FDF_LOST) { /* of any kind: a socket, a pidfd... */
				add(r, "open file", PORTABILITY_NOTE, xstrdup(f->path ? f->path : "?"),
				    xasprintf("comes back as /dev/null (fd %u of pid %u; saved with --allow-unrestorable)",
					      f->rec.fd, p->rec.pid),
				    NULL);
				continue;
			}
			if ((kind != CKPT_FD_REG && kind != CKPT_FD_DIR && kind != CKPT_FD_FIFO) || !f->path)
				continue;
			if (f->rec.fd_flags & CKPT_FDF_DELETED) {
				add(r, "open file", PORTABILITY_PROBLEM, xstrdup(f->path),
				    xasprintf("was deleted while fd %u of pid %u had it open, and a deleted file cannot be "
					      "opened again", f->rec.fd, p->rec.pid),
				    NULL);
				continue;
			}
			if (kind == CKPT_FD_REG && !pathmap_lookup_applies(o, f->path) && pack_recreates(img, f->path)) {
				add(r, "open file", PORTABILITY_NOTE, xstrdup(f->path),
				    xasprintf("is missing here: restart makes it again from the packed copy (fd %u of pid %u "
					      "had it open)", f->rec.fd, p->rec.pid),
				    NULL);
				continue;
			}
			char *what = xasprintf("fd %u of pid %u had it open", f->rec.fd, p->rec.pid);
			check_one_path(r, o, "open file", f->path, what, kind == CKPT_FD_DIR ? REMEDY_MOVED_DIR : REMEDY_MOVED_FILE);
			free(what);
		}
		/* After the files: a refusal names the file the program writes before its directory. */
		if (p->cwd && deleted_path(p->cwd)) {
			add(r, "cwd", PORTABILITY_NOTE, xstrdup(p->cwd),
			    xasprintf("pid %u's working directory was deleted: restart makes an empty one again and removes "
				      "it", p->rec.pid),
			    NULL);
		} else if (p->cwd) {
			char *what = xasprintf("pid %u's working directory", p->rec.pid);
			check_one_path(r, o, "cwd", p->cwd, what, REMEDY_MOVED_DIR);
			free(what);
		}
	}
}

void portability_add(struct portability_report *r, const char *area, enum portability_status status, char *subject,
		     char *state, const char *remedy)
{
	if (listed(r, area, subject)) {
		free(subject);
		free(state);
		return;
	}
	add(r, area, status, subject, state, remedy);
}

/* What the kinds of fd that ckpt rebuilds need here (a socket's port, say). */
static void check_fd_kinds(const struct statefile_image *img, struct portability_report *r)
{
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nfds; k++) {
			const struct fd_kind *kind = fd_kind_of(img->procs[i].fds[k].rec.kind);
			if (kind && kind->check_here)
				kind->check_here(&img->procs[i], &img->procs[i].fds[k], r);
		}
}

static void check_user(const struct statefile_image *img, struct portability_report *r)
{
	uint32_t saved = img->procs[0].rec.uid;
	uid_t now = getuid();
	if (saved == (uint32_t)now)
		add(r, "user", PORTABILITY_OK, xasprintf("uid %u", saved), xstrdup("the user it ran as"), NULL);
	else
		add(r, "user", PORTABILITY_NOTE, xasprintf("uid %u", (unsigned)now),
		    xasprintf("it ran as uid %u; restart runs it as uid %u, with that user's rights", saved, (unsigned)now),
		    NULL);
}

int portability_check(const struct statefile_image *img, int sf_fd, const struct portability_options *options,
		      struct portability_report *r)
{
	static const struct portability_options none;
	const struct portability_options *o = options ? options : &none;
	memset(r, 0, sizeof(*r));
	check_mapped_files(img, r);
	check_cpu(img, r);
	if (check_vdso(img, sf_fd, r) < 0) {
		portability_report_free(r);
		return -1;
	}
	check_kernel(img, r);
	check_paths(img, o, r);
	check_fd_kinds(img, r);
	check_user(img, r);
	return 0;
}

int portability_refuse(const struct portability_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct portability_item *it = &r->items[i];
		if (it->status != PORTABILITY_PROBLEM)
			continue;
		if (strcmp(it->area, "file") == 0 || strcmp(it->area, "open file") == 0 || strcmp(it->area, "cwd") == 0)
			return ckpt_fail("cannot restart: %s %s%s%s", it->subject, it->state, it->remedy ? "; " : "",
					 it->remedy ? it->remedy : "");
		return ckpt_fail("cannot restart: %s: %s%s%s", it->subject, it->state, it->remedy ? "; " : "",
				 it->remedy ? it->remedy : "");
	}
	return 0;
}

void portability_report_free(struct portability_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->items[i].subject);
		free(r->items[i].state);
		free(r->items[i].remedy);
	}
	free(r->items);
	memset(r, 0, sizeof(*r));
}

/* ---- ckpt check ---------------------------------------------------------------------- */

static const char *status_word(enum portability_status s)
{
	return s == PORTABILITY_OK ? "ok" : s == PORTABILITY_NOTE ? "note" : "problem";
}

static char *render_text(const char *path, const struct statefile_image *img, const struct portability_report *r)
{
	struct buf b = {0};
	buf_printf(&b, "Statefile:  %s\nSaved on:   %s, kernel %s\n\n", path, img->hostname ? img->hostname : "?",
		   img->kernel_release ? img->kernel_release : "?");
	for (size_t i = 0; i < r->n; i++) {
		const struct portability_item *it = &r->items[i];
		buf_printf(&b, "  %-8s %-10s %s: %s\n", it->status == PORTABILITY_PROBLEM ? "PROBLEM" : status_word(it->status),
			   it->area, it->subject, it->state);
		if (it->remedy)
			buf_printf(&b, "  %-8s %-10s %s\n", "", "remedy:", it->remedy);
	}
	if (r->problems)
		buf_printf(&b, "\n%u problem%s: restart cannot work here\n", r->problems, r->problems == 1 ? "" : "s");
	else
		buf_printf(&b, "\nrestart can work here\n");
	buf_put(&b, "", 1);
	/* Strings in a statefile can be hostile: no escape sequences reach a terminal. */
	for (char *c = (char *)b.data; *c; c++)
		if (((unsigned char)*c < 0x20 && *c != '\n') || *c == 0x7f)
			*c = '?';
	return (char *)b.data;
}

static char *render_json(const char *path, const struct portability_report *r)
{
	struct buf b = {0};
	struct json j;
	json_init(&j, &b);
	json_object_begin(&j, NULL);
	json_str(&j, "path", path);
	json_bool(&j, "restartable", r->problems == 0);
	json_u64(&j, "problems", r->problems);
	json_array_begin(&j, "checks");
	for (size_t i = 0; i < r->n; i++) {
		const struct portability_item *it = &r->items[i];
		json_object_begin(&j, NULL);
		json_str(&j, "area", it->area);
		json_str(&j, "subject", it->subject);
		json_str(&j, "status", status_word(it->status));
		json_str(&j, "state", it->state);
		json_str(&j, "remedy", it->remedy);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	buf_put(&b, "\n", 2); /* and the NUL */
	return (char *)b.data;
}

char *ckpt_check(const char *path, int json, unsigned *problems)
{
	return ckpt_check_mapped(path, json, NULL, 0, problems);
}

char *ckpt_check_mapped(const char *path, int json, const struct ckpt_path_map *path_maps, size_t npath_maps,
			unsigned *problems)
{
	ckpt_clear_error();
	if (pathmap_validate(path_maps, npath_maps) < 0)
		return NULL;
	struct portability_options o = {.path_maps = path_maps, .npath_maps = npath_maps};
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		ckpt_fail_errno("cannot open %s", path);
		return NULL;
	}
	struct statefile_image img;
	struct portability_report r;
	char *out = NULL;
	if (statefile_read(fd, &img) < 0) {
		close(fd);
		return NULL;
	}
	if (portability_check(&img, fd, &o, &r) == 0) {
		out = json ? render_json(path, &r) : render_text(path, &img, &r);
		if (problems)
			*problems = r.problems;
		portability_report_free(&r);
	}
	close(fd);
	image_free(&img);
	return out;
}
