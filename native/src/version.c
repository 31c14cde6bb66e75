#include "ckpt.h"

#define CKPT_VERSION_STRING "0.1.0"
#define CKPT_FORMAT_VERSION 1

const char *ckpt_version(void) { return CKPT_VERSION_STRING; }
int ckpt_format_version(void) { return CKPT_FORMAT_VERSION; }
