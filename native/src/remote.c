/* Registers and memory of ptrace-stopped tasks (remote.h). */
#include "remote.h"
#include "image.h"
#include "util.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static int getregset(pid_t tid, int type, void *buf, size_t *len)
{
	struct iovec iov = {buf, *len};
	if (ptrace(PTRACE_GETREGSET, tid, (void *)(long)type, &iov) < 0)
		return -1;
	*len = iov.iov_len;
	return 0;
}

static int setregset(pid_t tid, int type, const void *buf, size_t len)
{
	struct iovec iov = {(void *)buf, len};
	return ptrace(PTRACE_SETREGSET, tid, (void *)(long)type, &iov) < 0 ? -1 : 0;
}

int remote_get_regs(pid_t tid, struct user_regs_struct *regs)
{
	size_t len = sizeof(*regs);
	if (getregset(tid, NT_PRSTATUS, regs, &len) < 0)
		return ckpt_fail_errno("cannot read registers of thread %d", tid);
	return 0;
}

int remote_set_regs(pid_t tid, const struct user_regs_struct *regs)
{
	if (setregset(tid, NT_PRSTATUS, regs, sizeof(*regs)) < 0)
		return ckpt_fail_errno("cannot set registers of thread %d", tid);
	return 0;
}

int remote_get_fpregs(pid_t tid, struct user_fpregs_struct *fp)
{
	size_t len = sizeof(*fp);
	if (getregset(tid, NT_PRFPREG, fp, &len) < 0)
		return ckpt_fail_errno("cannot read FPU registers of thread %d", tid);
	return 0;
}

int remote_set_fpregs(pid_t tid, const struct user_fpregs_struct *fp)
{
	if (setregset(tid, NT_PRFPREG, fp, sizeof(*fp)) < 0)
		return ckpt_fail_errno("cannot set FPU registers of thread %d", tid);
	return 0;
}

uint64_t xstate_xcr0_of(const uint8_t *xstate, size_t len)
{
	/* The kernel stores XCR0 in the software-reserved bytes of the legacy area (offset 464). */
	uint64_t x = 0;
	if (len >= 472)
		memcpy(&x, xstate + 464, 8);
	return x;
}

uint8_t *remote_get_xstate(pid_t tid, size_t *len)
{
	/* CPUID may under-report under virtualization; the kernel's answer is the real size. */
	size_t n = 64 * 1024;
	uint8_t *buf = xcalloc(1, n);
	size_t got = n;
	if (getregset(tid, NT_X86_XSTATE, buf, &got) < 0 || got < 576) {
		free(buf);
		*len = 0;
		return NULL;
	}
	*len = got;
	return xrealloc(buf, got);
}

int remote_set_xstate(pid_t tid, const uint8_t *xstate, size_t len)
{
	/* No error is set: callers fall back to the legacy FPU state. */
	return setregset(tid, NT_X86_XSTATE, xstate, len);
}

/* process_vm_* take at most IOV_MAX iovecs and may transfer partially. */
#define IOV_BATCH 1024
static int vm_rw(pid_t pid, uint64_t addr, void *buf, size_t len, int write)
{
	size_t done = 0;
	while (done < len) {
		struct iovec local = {(char *)buf + done, len - done};
		struct iovec remote = {(void *)(uintptr_t)(addr + done), len - done};
		ssize_t n = write ? process_vm_writev(pid, &local, 1, &remote, 1, 0)
				  : process_vm_readv(pid, &local, 1, &remote, 1, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EFAULT;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

int remote_read(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	if (vm_rw(pid, addr, buf, len, 0) < 0)
		return ckpt_fail_errno("cannot read %zu bytes at 0x%llx in pid %d", len,
				       (unsigned long long)addr, pid);
	return 0;
}

int remote_try_read(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	return vm_rw(pid, addr, buf, len, 0);
}

int remote_try_read_runs(pid_t pid, const struct addr_range *runs, size_t n, uint8_t *buf)
{
	struct iovec local[IOV_BATCH], remote[IOV_BATCH];
	for (size_t i = 0; i < n;) {
		size_t k = 0, want = 0;
		for (; k < IOV_BATCH && i + k < n; k++) {
			size_t len = (size_t)(runs[i + k].end - runs[i + k].start);
			local[k] = (struct iovec){buf + want, len};
			remote[k] = (struct iovec){(void *)(uintptr_t)runs[i + k].start, len};
			want += len;
		}
		ssize_t got = process_vm_readv(pid, local, k, remote, k, 0);
		if (got < 0 && errno == EINTR)
			continue;
		/* A short read stops at the first run it could not read whole. */
		if (got != (ssize_t)want) {
			errno = got < 0 ? errno : EFAULT;
			return -1;
		}
		buf += want;
		i += k;
	}
	return 0;
}

int remote_write(pid_t pid, uint64_t addr, const void *buf, size_t len)
{
	if (vm_rw(pid, addr, (void *)buf, len, 1) < 0)
		return ckpt_fail_errno("cannot write %zu bytes at 0x%llx in pid %d", len,
				       (unsigned long long)addr, pid);
	return 0;
}

int remote_read_force(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int r = fd < 0 ? -1 : pread_all(fd, buf, len, (off_t)addr);
	int e = errno;
	if (fd >= 0)
		close(fd);
	errno = e;
	if (r < 0)
		return ckpt_fail_errno("cannot read %zu bytes at 0x%llx in pid %d", len, (unsigned long long)addr, pid);
	return 0;
}

int wait_task(pid_t tid, int *status)
{
	for (;;) {
		pid_t r = waitpid(tid, status, __WALL);
		if (r == tid)
			return 0;
		if (r < 0 && errno == EINTR)
			continue;
		return ckpt_fail_errno("waiting for thread %d", tid);
	}
}
