#include <stdio.h>
#include <string.h>
#include "ckpt.h"

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("ckpt %s (statefile format %d)\n", ckpt_version(), ckpt_format_version());
		return 0;
	}
	fprintf(stderr, "usage: ckpt --version\n");
	return 2;
}
