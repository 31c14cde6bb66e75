/*
 * SysV IPC: the shared memory segments, semaphore sets and message queues of a tree, with
 * their ids, keys, modes and owners, the segments' bytes, the semaphores' values and the
 * queued messages.  They belong to an IPC namespace, not to a process: a tree's objects are
 * all those of its IPC namespace when it has one of its own, else those one of its processes
 * created, maps, or last used (shm cpid/lpid, semaphore sempid, queue lspid/lrpid).
 *
 * At restart the root's skeleton creates them again, each with its saved id (the namespace's
 * kernel/{shm,sem,msg}_next_id), before it forks its children: in ckpt's own IPC namespace when
 * every id and key is free there and ckpt may set next_id, else in a new IPC namespace of the
 * restart's own.  Processes attach their segments again at the saved addresses (shmat).
 */
#ifndef CKPT_SYSVIPC_H
#define CKPT_SYSVIPC_H

#include "image.h"
#include "inject.h"
#include "json.h"
#include "note_parsers.h"

#include <stdbool.h>

/* Capture, once every process of the tree is captured. */
int sysvipc_capture_tree(struct statefile_image *img);
/* The CKPT_NT_SYSVIPC note of the root image, when the tree has SysV objects. */
void sysvipc_write_note(struct buf *notes, const struct statefile_image *img);

int sysvipc_parse_note(struct image_notes *in, const struct note *n);
/* Once every image is read: segments said to be in the mappings are mapped, in whole attaches. */
int sysvipc_check_image(const struct statefile_image *img);

/* ---- restart ---- */
struct restore_ctx;
struct sysv_restore;
/* Chooses the IPC namespace (c->sysv); the restart's step before the skeleton. */
int sysvipc_prepare(struct restore_ctx *c);
/* After a failed attempt in ckpt's own namespace, removes what the restart had made there. */
void sysvipc_finish(struct restore_ctx *c, bool failed);
/* Whether the keeper needs a new IPC namespace (CLONE_NEWIPC). */
bool sysvipc_new_namespace(const struct sysv_restore *s);
/* In the root's skeleton process, before its children: every object, with its id, contents
 * and owner.  Made by a process of the tree, they are the tree's again at the next capture. */
int sysvipc_restore_inside(const struct restore_ctx *c);
/* Whether restart attaches this saved mapping to its restored segment instead of mapping
 * memory there; the segment already holds the bytes. */
bool sysvipc_attaches(const struct statefile_image *img, const struct ckpt_rec_vma *v);
/* Injected in a rebuilt process, in place of mapping p->vmas[k] (one sysvipc_attaches says yes
 * to): the first mapping of an attach attaches the segment; each gets its protection, and the
 * pages it had present (those with data in the statefile sf_fd) are present again. */
int sysvipc_attach(struct inject *in, int sf_fd, const struct statefile_image *img, const struct process_image *p, size_t k);
/* Injected in each rebuilt process after its memory: segments that were removed (IPC_RMID)
 * while attached are removed again by the last process of the tree that attaches them. */
int sysvipc_restore_removed(struct inject *in, const struct statefile_image *img, const struct process_image *p);

void sysvipc_describe(struct buf *b, const struct statefile_image *img);
void sysvipc_json(struct json *j, const struct statefile_image *img);

#endif
