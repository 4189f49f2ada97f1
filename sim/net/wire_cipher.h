/* The modelled encryption of STARTTLS on the wire: what a capture or an
 * eavesdropper sees of a packet sent after the TLS handshake. Payload bytes
 * are XORed with a keystream drawn from the run's seed, the connection's
 * addresses and ports, and each byte's TCP sequence number, so the same run
 * shows the same ciphertext and a retransmission shows the same bytes
 * again. No real cryptographic claim is made: it only makes the lesson
 * visible (docs/architecture.md). */
#ifndef SIM_WIRE_CIPHER_H
#define SIM_WIRE_CIPHER_H

#include <stddef.h>
#include <stdint.h>

struct packet;

/* XORs len bytes at out (a copy of p's payload) with p's keystream. */
void wire_encipher(uint64_t seed, const struct packet *p, uint8_t *out, size_t len);

#endif
