#include "ckpt.h"
#include "format.h"

#define CKPT_VERSION_STRING "0.1.0"

const char *ckpt_version(void) { return CKPT_VERSION_STRING; }
int ckpt_format_version(void) { return CKPT_FORMAT_VERSION; }

#include <string.h>

size_t ckpt_struct_size(const char *name)
{
	static const struct { const char *name; size_t size; } sizes[] = {
		{"ckpt_patch", sizeof(struct ckpt_patch)},
		{"ckpt_capture_options", sizeof(struct ckpt_capture_options)},
		{"ckpt_capture_result", sizeof(struct ckpt_capture_result)},
		{"ckpt_restart_options", sizeof(struct ckpt_restart_options)},
		{"ckpt_restart_result", sizeof(struct ckpt_restart_result)},
		{"ckpt_child", sizeof(struct ckpt_child)},
	};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (name && strcmp(name, sizes[i].name) == 0)
			return sizes[i].size;
	return 0;
}
