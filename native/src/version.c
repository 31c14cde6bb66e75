#include "ckpt.h"
#include "format.h"

#define CKPT_VERSION_STRING "0.1.0"

const char *ckpt_version(void) { return CKPT_VERSION_STRING; }
int ckpt_format_version(void) { return CKPT_FORMAT_VERSION; }
