/* SHA-256 (FIPS 180-4), to name the files restart extracts from packed statefiles by their
 * contents. */
#ifndef CKPT_SHA256_H
#define CKPT_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;       /* bytes so far */
	uint8_t block[64];
	size_t fill;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t n);
void sha256_final(struct sha256 *s, uint8_t out[32]);

#endif
