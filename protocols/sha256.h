/* SHA-256 (FIPS 180-4), for fingerprints of decoded MIME bodies shown by
 * `mailsim msg show` and compared by the tests and the grader. */
#ifndef PROTOCOLS_SHA256_H
#define PROTOCOLS_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t total;
	unsigned char block[64];
	size_t used;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t n);
void sha256_final(struct sha256 *c, unsigned char digest[32]);
/* The digest of data as 64 lowercase hex digits and a NUL. */
void sha256_hex(const void *data, size_t n, char hex[65]);

#endif
