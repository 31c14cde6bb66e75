/* Files: the fd table, with pipes between processes of the tree and the bytes in them. */
#ifndef CKPT_FILES_H
#define CKPT_FILES_H

#include "image.h"

int files_capture(pid_t pid, struct process_image *p);
/* Once every process is captured: finds which fds share an open file description, marks
 * pipes whose other end is outside the tree, and stores the bytes queued in each pipe inside
 * it, once, on its first read end; then what each fd kind's capture_tree adds (fdkind.h). */
int files_capture_tree(struct statefile_image *img);
/* Copies the bytes queued in the pipe or FIFO that src reads, without consuming them (tee), into
 * f->data, and its size into f->rec.pipe_size; errors name fd f of pid. */
int pipe_copy_queued(int src, pid_t pid, struct fd_image *f);
/* Reading a statefile: an fd's owner fields (owner_type, owner, owner_sig) hold. */
int files_check_owner(const struct fd_image *f);
/* Once every image is read: each fd's owner is a process (thread, process group) of the tree. */
int files_check_owners(const struct statefile_image *img);
/* Whether the kernel names this link target (readlink of /proc/PID/fd/N, cwd) as deleted. */
bool deleted_path(const char *path);
/* Refuses, naming it, an fd that restart cannot rebuild (sockets of unknown kinds, kernel objects
 * without a name, deleted files); with allow, marks each one lost (it comes back as /dev/null)
 * and warns. */
int files_check_restorable(struct statefile_image *img, bool allow);
/* Just before a captured tree is killed (ckpt dump --kill): what its fds' kinds need then. */
void files_capture_before_kill(const struct statefile_image *img);


/* ---- restart ---- */
/* Highest fd number any process of the image uses. */
int files_max_fd(const struct statefile_image *img);
/* Warns about the fds whose objects nothing can stand for: they come back as /dev/null. */
void files_warn_lost(const struct statefile_image *img);
/* What ckpt opens for the tree's fds before the skeleton is forked, from fd_base up, for the
 * skeleton to inherit: the tree's pipes, filled with their saved bytes, each shared open file
 * description once, and copies of ckpt's own stdio for fds that pointed outside the tree. */
struct files_restore;
struct files_restore *files_restore_prepare(const struct statefile_image *img, int fd_base);
void files_restore_free(struct files_restore *fr);
/* For the kinds' restore_ready: the fd ckpt holds for a saved open file description (-1 when
 * it has none), and a new fd for the object of a saved fd, as its process will get it. */
int files_restore_desc_fd(const struct files_restore *fr, uint32_t desc);
int files_restore_dup(const struct files_restore *fr, const struct fd_image *f);
/* For mem.c: the memfd or deleted file (kind) ckpt made again for the saved one with this inode
 * (and dev, unless NULL), -1 if none, so that its MAP_SHARED mappings map the very object its fds
 * hold. */
int files_restore_object(const struct files_restore *fr, uint32_t kind, const uint64_t *dev, uint64_t ino);
/* For procattr.c (ghost.c): a new empty directory made at `path` (less " (deleted)") when that is
 * free, else beside it or in the temporary directory, open and removed again, for a deleted
 * working directory no fd holds; -1 with errno. */
int ghost_make_dir(const char *path, uint32_t pid);
/* For mem.c (ghost.c): a new regular file of `size` bytes in the directory of `path`, already
 * unlinked, open read-write: what a MAP_SHARED mapping of a deleted file no fd holds maps again.
 * -1 with an error naming `pid`. */
int ghost_make_unlinked(const char *path, uint32_t pid, uint64_t size);
/* Once the tree's processes exist: gives each description its saved owner (the restored process,
 * thread or process group that O_ASYNC signals, by its outer pid) and signal. */
int files_restore_owners(const struct statefile_image *img, const struct files_restore *fr, const pid_t *outer_pids,
			 pid_t *const *outer_tids);
/* In a skeleton process: builds the saved fd table and closes every other fd but `keep`. */
int files_restore_inside(const struct files_restore *fr, const struct process_image *p, const int *keep, size_t nkeep);

#endif
