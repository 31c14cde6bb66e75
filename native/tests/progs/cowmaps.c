/*
 * Private mappings of memory objects: of a memfd (mapped shared too), of shared anonymous memory
 * (reopened through /proc/self/map_files), and of a deleted file whose fd is kept.  Each has one
 * page the program changed (one of them to zeros) and pages it did not.  After the work (and any
 * restart) the changed pages are as the program left them, the objects' own contents are
 * unchanged by them, and the unchanged pages still show the object: a write to the object
 * afterwards shows through them.
 */
#include "common.h"

#include <sys/mman.h>

#define PG 4096

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	/* A memfd: page 0 written by write(), page 1 by its shared mapping. */
	int mfd = memfd_create("cowmaps", 0);
	CHECK(mfd >= 0 && ftruncate(mfd, 3 * PG) == 0 && pwrite(mfd, "memfd-0", 7, 0) == 7, "memfd");
	char *mshared = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	char *mpriv = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, mfd, 0);
	CHECK(mshared != MAP_FAILED && mpriv != MAP_FAILED, "map the memfd");
	strcpy(mshared + PG, "memfd-1");
	CHECK(mpriv[0] == 'm', "read the private mapping");
	strcpy(mpriv + PG, "private-1");
	memset(mpriv + 2 * PG, 0, 16); /* a changed page that is all zeros */

	/* Shared anonymous memory, and a private mapping of its pages 1 to 3. */
	char *anon = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(anon != MAP_FAILED, "shared anonymous");
	strcpy(anon + PG, "anon-1");
	strcpy(anon + 2 * PG, "anon-2");
	char path[4096];
	snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx", (unsigned long)anon, (unsigned long)anon + 4 * PG);
	int afd = open(path, O_RDWR);
	CHECK(afd >= 0, "open map_files");
	char *apriv = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, afd, PG);
	CHECK(apriv != MAP_FAILED && close(afd) == 0, "private mapping of shared anonymous memory");
	strcpy(apriv + PG, "private-anon");

	/* A deleted file: a read-only private mapping and a writable one, its fd kept. */
	snprintf(path, sizeof(path), "%s/cow.tmp", argv[2]);
	int dfd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(dfd >= 0 && ftruncate(dfd, 3 * PG) == 0 && pwrite(dfd, "file-0", 6, 0) == 6, "file");
	char *dro = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, dfd, 0);
	char *drw = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, dfd, PG);
	CHECK(dro != MAP_FAILED && drw != MAP_FAILED && unlink(path) == 0, "map the file, delete it");
	strcpy(drw + PG, "private-file");

	ready(argv[1]);
	uint64_t h = 1469598103934665603ull;
	for (int i = 0; i < 30; i++) {
		h = fnv(h, &i, sizeof(i));
		nap_ms(20);
	}

	char buf[32] = {0};
	CHECK(strcmp(mpriv, "memfd-0") == 0 && strcmp(mpriv + PG, "private-1") == 0, "memfd: private pages");
	for (int i = 0; i < 16; i++)
		CHECK(mpriv[2 * PG + i] == 0, "memfd: the changed page of zeros");
	CHECK(pread(mfd, buf, 8, PG) == 8 && strcmp(buf, "memfd-1") == 0, "memfd: its contents");
	strcpy(mshared, "memfd-new");
	CHECK(strcmp(mpriv, "memfd-new") == 0, "memfd: an unchanged private page shows the object");
	CHECK(strcmp(mpriv + PG, "private-1") == 0, "memfd: a changed page stays the process's own");

	CHECK(strcmp(apriv, "anon-1") == 0 && strcmp(apriv + PG, "private-anon") == 0, "anon: private pages");
	CHECK(strcmp(anon + 2 * PG, "anon-2") == 0, "anon: its contents");
	strcpy(anon + 3 * PG, "anon-new");
	CHECK(strcmp(apriv + 2 * PG, "anon-new") == 0, "anon: an unchanged private page shows the object");

	CHECK(pwrite(dfd, "file-new", 9, 0) == 9 && strcmp(dro, "file-new") == 0, "file: the read-only mapping shows it");
	CHECK(pwrite(dfd, "file-1", 7, PG) == 7 && strcmp(drw, "file-1") == 0, "file: an unchanged private page");
	CHECK(strcmp(drw + PG, "private-file") == 0, "file: a changed page stays the process's own");
	CHECK(pread(dfd, buf, 1, 2 * PG) == 1 && buf[0] == 0, "file: its contents");

	printf("cowmaps: %llx\n", (unsigned long long)h);
	return 0;
}
