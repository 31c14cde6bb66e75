/* The program of the pack tests: computes with steplib (stepper READY NOTES [STEPS]), keeps a
 * small notes file open (for pack --with-files), and prints a result that depends on every
 * step and on the library version it runs with. */
#include "../progs/common.h"

int step_version(void);
unsigned long step(unsigned long v, int ms);

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	int steps = argc > 3 ? atoi(argv[3]) : 30;
	FILE *notes = fopen(argv[2], "r");
	if (!notes)
		return 2;
	char line[128] = "";
	if (!fgets(line, sizeof(line), notes))
		return 2;
	int version = step_version();
	ready(argv[1]);
	unsigned long v = 1;
	for (int i = 0; i < steps; i++)
		v = step(v, 50);
	line[strcspn(line, "\n")] = 0;
	printf("library version %d, result %016lx, version now %d, notes '%s'\n", version, v, step_version(), line);
	return 0;
}
