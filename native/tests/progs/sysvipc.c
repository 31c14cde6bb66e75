/*
 * SysV IPC across the checkpoint: a keyed shared memory segment that the parent attaches once
 * and its child twice (the second time read-only, at another address), a private segment
 * removed (IPC_RMID) while attached, a segment no process attaches, one that a process which
 * has gone wrote and the parent attaches without touching it, a semaphore set, and a message
 * queue with three messages.  After the checkpoint the child writes into the shared
 * segment and the parent reads it there; ids, keys, modes, contents, attach counts, semaphore
 * values and messages are checked; then everything is removed.
 */
#include "common.h"

#include <errno.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

struct message {
	long type;
	char text[32];
};

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	/* Keys of this run only: other programs on the machine use SysV IPC too. */
	key_t base = (key_t)(0x4b000000 | ((getpid() & 0xffff) << 4));
	int shared = shmget(base + 1, 20000, IPC_CREAT | IPC_EXCL | 0640);
	int removed = shmget(IPC_PRIVATE, 8192, IPC_CREAT | 0600);
	int alone = shmget(base + 2, 5000, IPC_CREAT | IPC_EXCL | 0600);
	int sems = semget(base + 3, 3, IPC_CREAT | IPC_EXCL | 0600);
	int queue = msgget(base + 4, IPC_CREAT | IPC_EXCL | 0620);
	int handed = shmget(base + 5, 4096, IPC_CREAT | IPC_EXCL | 0600);
	CHECK(shared >= 0 && removed >= 0 && alone >= 0 && sems >= 0 && queue >= 0 && handed >= 0, "create the objects");
	/* Written by a process that has gone since; the parent attaches it but never touches it. */
	pid_t writer = fork();
	if (writer == 0) {
		char *w = shmat(handed, NULL, 0);
		CHECK(w != (void *)-1, "writer attach");
		strcpy(w + 100, "written by a process that left");
		_exit(0);
	}
	int wst;
	CHECK(waitpid(writer, &wst, 0) == writer && WIFEXITED(wst) && WEXITSTATUS(wst) == 0, "writer");
	const char *h = shmat(handed, NULL, SHM_RDONLY);
	CHECK(h != (void *)-1, "attach the handed segment");

	char *s = shmat(shared, NULL, 0), *r = shmat(removed, NULL, 0), *a = shmat(alone, NULL, 0);
	CHECK(s != (void *)-1 && r != (void *)-1 && a != (void *)-1, "attach");
	for (int i = 0; i < 20000; i++)
		s[i] = (char)(i * 7);
	strcpy(r, "removed but attached");
	strcpy(a + 4000, "attached by nobody");
	CHECK(shmdt(a) == 0 && shmctl(removed, IPC_RMID, NULL) == 0, "detach one, remove one");
	unsigned short init[3] = {3, 0, 7};
	union semun arg = {.array = init};
	struct sembuf up = {1, 2, 0};
	CHECK(semctl(sems, 0, SETALL, arg) == 0 && semop(sems, &up, 1) == 0, "semaphores");
	struct message m1 = {1, "one"}, m2 = {2, "two!!"}, m3 = {1, "three"};
	CHECK(msgsnd(queue, &m1, 4, 0) == 0 && msgsnd(queue, &m2, 6, 0) == 0 && msgsnd(queue, &m3, 6, 0) == 0, "messages");

	int go[2], done[2];
	CHECK(pipe(go) == 0 && pipe(done) == 0, "pipes");
	pid_t child = fork();
	if (child == 0) {
		/* The inherited attach, and one more of its own, read-only. */
		const char *ro = shmat(shared, NULL, SHM_RDONLY);
		CHECK(ro != (void *)-1, "child attach");
		char x;
		CHECK(read(go[0], &x, 1) == 1, "told to write");
		CHECK(memcmp(ro, s, 20000) == 0, "both attaches of the child see the same bytes");
		strcpy(s + 1000, "the child was here");
		CHECK(strcmp(ro + 1000, "the child was here") == 0, "the read-only attach sees the write");
		CHECK(write(done[1], "d", 1) == 1, "tell the parent");
		_exit(0);
	}
	struct shmid_ds ds;
	for (int i = 0; i < 400 && shmctl(shared, IPC_STAT, &ds) == 0 && ds.shm_nattch < 3; i++)
		nap_ms(5);

	ready(argv[1]);
	for (int step = 0; step < 40; step++)
		nap_ms(20);

	/* Ids and keys: the objects are where the program remembers them. */
	CHECK(shmget(base + 1, 0, 0) == shared && shmget(base + 2, 0, 0) == alone && semget(base + 3, 0, 0) == sems &&
		      msgget(base + 4, 0) == queue, "ids and keys kept");
	CHECK(shmctl(shared, IPC_STAT, &ds) == 0 && ds.shm_segsz == 20000 && (ds.shm_perm.mode & 0777) == 0640 &&
		      ds.shm_nattch == 3, "shared segment: size, mode, three attaches");
	for (int i = 0; i < 20000; i++)
		CHECK(s[i] == (char)(i * 7), "shared segment contents");
	char x = 'g';
	CHECK(write(go[1], &x, 1) == 1 && read(done[0], &x, 1) == 1, "the child wrote");
	CHECK(strcmp(s + 1000, "the child was here") == 0, "the parent sees the child's write");
	int st;
	CHECK(waitpid(child, &st, 0) == child && WIFEXITED(st) && WEXITSTATUS(st) == 0, "child");
	printf("shared segment: id and key kept, 20000 bytes, mode 0640, attached 3 times, shared with the child\n");

	CHECK(shmctl(removed, IPC_STAT, &ds) == 0 && (ds.shm_perm.mode & SHM_DEST) && ds.shm_perm.__key == IPC_PRIVATE &&
		      ds.shm_nattch == 1, "removed segment: still removed, attached once");
	CHECK(strcmp(r, "removed but attached") == 0, "removed segment contents");
	printf("removed segment: still attached and removed, contents kept\n");

	CHECK(shmctl(alone, IPC_STAT, &ds) == 0 && ds.shm_nattch == 0 && ds.shm_segsz == 5000, "unattached segment");
	a = shmat(alone, NULL, SHM_RDONLY);
	CHECK(a != (void *)-1 && strcmp(a + 4000, "attached by nobody") == 0, "unattached segment contents");
	printf("unattached segment: id and key kept, contents kept\n");

	CHECK(strcmp(h + 100, "written by a process that left") == 0, "handed segment contents");
	printf("segment written by a process that left: contents kept\n");

	unsigned short now[3];
	arg.array = now;
	CHECK(semctl(sems, 0, GETALL, arg) == 0, "GETALL");
	struct sembuf take = {0, -3, IPC_NOWAIT};
	CHECK(semop(sems, &take, 1) == 0 && semctl(sems, 0, GETVAL) == 0, "semaphore 0 can be taken 3 times");
	printf("semaphores: %u %u %u\n", now[0], now[1], now[2]);

	struct msqid_ds q;
	CHECK(msgctl(queue, IPC_STAT, &q) == 0 && q.msg_qnum == 3 && (q.msg_perm.mode & 0777) == 0620, "queue");
	struct message got;
	printf("messages:");
	CHECK(msgrcv(queue, &got, sizeof(got.text), 2, IPC_NOWAIT) == 6, "message of type 2");
	printf(" type 2 \"%s\",", got.text);
	for (int i = 0; i < 2; i++) {
		CHECK(msgrcv(queue, &got, sizeof(got.text), 0, IPC_NOWAIT) > 0, "next message");
		printf(" type %ld \"%s\"%s", got.type, got.text, i ? "" : ",");
	}
	CHECK(msgrcv(queue, &got, sizeof(got.text), 0, IPC_NOWAIT) < 0 && errno == ENOMSG, "no more messages");
	printf("; no more\n");

	CHECK(shmctl(shared, IPC_RMID, NULL) == 0 && shmctl(alone, IPC_RMID, NULL) == 0 && shmctl(handed, IPC_RMID, NULL) == 0 &&
		      semctl(sems, 0, IPC_RMID) == 0 && msgctl(queue, IPC_RMID, NULL) == 0, "remove everything");
	return 0;
}
