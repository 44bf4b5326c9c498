/* SHA-256, for the content hash that makes importing the same file twice yield the
 * same stored profile. */
#ifndef PV_SHA256_H
#define PV_SHA256_H
#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	size_t nbuf;
	int ni;	/* use the x86 SHA extensions */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t n);
void sha256_final(struct sha256 *s, uint8_t out[32]);
/* The digest as lowercase hex into hex[65]. */
void sha256_final_hex(struct sha256 *s, char hex[65]);
/* Hex digest of data into hex[65]. */
void sha256_hex(const void *data, size_t n, char hex[65]);

#endif
