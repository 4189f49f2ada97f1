/* MD5 (RFC 1321), for POP3's APOP command (RFC 1939 section 7): the client
 * proves it knows the shared secret by sending MD5(timestamp secret) in
 * hex. MD5 is broken for collisions; APOP is modelled because the class
 * note teaches it, not as a security claim. */
#ifndef PROTOCOLS_MD5_H
#define PROTOCOLS_MD5_H

#include <stddef.h>
#include <stdint.h>

struct md5 {
	uint32_t state[4];
	uint64_t total;
	unsigned char block[64];
	size_t used;
};

void md5_init(struct md5 *c);
void md5_update(struct md5 *c, const void *data, size_t n);
void md5_final(struct md5 *c, unsigned char digest[16]);
/* The digest of data as 32 lowercase hex digits and a NUL. */
void md5_hex(const void *data, size_t n, char hex[33]);

#endif
