/* Freeing and small queries of the in-memory statefile image (image.h). */
#include "image.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

void process_image_free(struct process_image *p)
{
	free(p->exe);
	free(p->cwd);
	free(p->root);
	free(p->groups);
	free(p->cmdline);
	free(p->auxv);
	for (size_t i = 0; i < p->nthreads; i++) {
		free(p->threads[i].xstate);
		free(p->threads[i].pending);
	}
	free(p->threads);
	for (size_t i = 0; i < p->nvmas; i++) {
		free(p->vmas[i].written);
		free(p->vmas[i].written_populated);
	}
	free(p->vmas);
	for (size_t i = 0; i < p->nfiles; i++)
		free(p->files[i].path);
	free(p->files);
	for (size_t i = 0; i < p->nfds; i++) {
		free(p->fds[i].path);
		free(p->fds[i].data);
	}
	free(p->fds);
	free(p->shared_pending);
	free(p->timers);
	free(p->locks);
	for (size_t i = 0; i < p->nseccomp; i++)
		free(p->seccomp[i].filters);
	free(p->seccomp);
	memset(p, 0, sizeof(*p));
}

void image_free(struct statefile_image *img)
{
	if (!img)
		return;
	for (size_t i = 0; i < img->nprocs; i++)
		process_image_free(&img->procs[i]);
	free(img->procs);
	free(img->zombies);
	for (size_t i = 0; i < img->nipc; i++)
		free(img->ipc[i].data);
	free(img->ipc);
	free(img->engine_version);
	free(img->kernel_release);
	free(img->hostname);
	free(img->stop_function);
	free(img->stop_file);
	for (size_t i = 0; i < img->nembedded; i++)
		free(img->embedded[i].path);
	free(img->embedded);
	memset(img, 0, sizeof(*img));
}

int image_file_index(struct process_image *p, const char *path, const struct ckpt_rec_file *rec)
{
	for (size_t i = 0; i < p->nfiles; i++)
		if (p->files[i].rec.dev == rec->dev && p->files[i].rec.ino == rec->ino &&
		    strcmp(p->files[i].path, path) == 0)
			return (int)i;
	struct file_image *f = ARR_PUSH(p->files, p->nfiles, p->cap_files);
	f->rec = *rec;
	f->path = xstrdup(path);
	return (int)(p->nfiles - 1);
}

uint64_t image_vma_data_size(const struct ckpt_rec_vma *r)
{
	if (r->store == CKPT_STORE_FULL || r->store == CKPT_STORE_COW)
		return r->end - r->start;
	return r->store == CKPT_STORE_HEADER ? 4096 : 0;
}

size_t image_main_thread(const struct process_image *p)
{
	size_t k = 0;
	while (k < p->nthreads && p->threads[k].rec.tid != p->rec.pid)
		k++;
	return k;
}

bool image_has_pid(const struct statefile_image *img, uint64_t pid)
{
	for (size_t i = 0; i < img->nprocs; i++)
		if (img->procs[i].rec.pid == pid)
			return true;
	for (size_t i = 0; i < img->nzombies; i++)
		if (img->zombies[i].pid == pid)
			return true;
	return false;
}
