/* Writes an output file in its working directory (argv[2]) through an fd it keeps open, then
 * reads the whole file back by its relative name: restarted after the directory moved (ckpt
 * restart --map-path), both the fd and the working directory must be the moved ones. */
#include "common.h"

int main(int argc, char **argv)
{
	if (argc < 3 || chdir(argv[2]) < 0)
		return 2;
	int fd = open("out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return 2;
	for (int i = 0; i < 40; i++) {
		if (i == 3)
			ready(argv[1]);
		char line[32];
		int n = snprintf(line, sizeof(line), "line %d\n", i);
		CHECK(write(fd, line, (size_t)n) == n, "write to the output file");
		nap_ms(25);
	}
	CHECK(close(fd) == 0, "close the output file");
	char buf[4096];
	int in = open("out.txt", O_RDONLY);
	CHECK(in >= 0, "the output file is in the working directory");
	ssize_t len = read(in, buf, sizeof(buf));
	CHECK(len > 0, "read the output file back");
	int lines = 0;
	for (ssize_t i = 0; i < len; i++)
		lines += buf[i] == '\n';
	printf("lines %d\nchecksum %016llx\n", lines, (unsigned long long)fnv(14695981039346656037ull, buf, (size_t)len));
	return 0;
}
