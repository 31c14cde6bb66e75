/* Access to a ptrace-stopped task: registers and memory. */
#ifndef CKPT_REMOTE_H
#define CKPT_REMOTE_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/user.h>

int remote_get_regs(pid_t tid, struct user_regs_struct *regs);
int remote_set_regs(pid_t tid, const struct user_regs_struct *regs);
int remote_get_fpregs(pid_t tid, struct user_fpregs_struct *fp);
int remote_set_fpregs(pid_t tid, const struct user_fpregs_struct *fp);
/* Reads the XSAVE area; *len is set to its size.  Returns a malloc'ed buffer or NULL. */
uint8_t *remote_get_xstate(pid_t tid, size_t *len);
int remote_set_xstate(pid_t tid, const uint8_t *xstate, size_t len);
/* XCR0 as the kernel records it inside an XSAVE area. */
uint64_t xstate_xcr0_of(const uint8_t *xstate, size_t len);

/* Memory of another process, respecting protections (process_vm_readv/writev). */
int remote_read(pid_t pid, uint64_t addr, void *buf, size_t len);
/* The same without setting an error: for reads that may fail harmlessly. */
int remote_try_read(pid_t pid, uint64_t addr, void *buf, size_t len);
struct addr_range;
/* The runs of pages, one after the other into buf, with as few syscalls as it can; -1 (no
 * error set) when some run cannot be read. */
int remote_try_read_runs(pid_t pid, const struct addr_range *runs, size_t n, uint8_t *buf);
int remote_write(pid_t pid, uint64_t addr, const void *buf, size_t len);
/* Memory through /proc/PID/mem, which can also read PROT_NONE pages. */
int remote_read_force(pid_t pid, uint64_t addr, void *buf, size_t len);

/* waitpid for one task with __WALL, retrying on EINTR. */
int wait_task(pid_t tid, int *status);

#endif
