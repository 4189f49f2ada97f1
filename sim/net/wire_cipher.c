/* The wire keystream of modelled TLS; see wire_cipher.h. */
#include "sim/net/wire_cipher.h"

#include "sim/net/packet.h"

static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

void wire_encipher(uint64_t seed, const struct packet *p, uint8_t *out, size_t len)
{
	uint64_t key = mix(seed ^ mix(((uint64_t)p->src_ip << 32 | p->dst_ip) ^
				      mix((uint64_t)p->src_port << 16 | p->dst_port)));
	for (size_t i = 0; i < len; i++) {
		uint32_t pos = p->seq + (uint32_t)i;
		uint64_t block = mix(key ^ (pos >> 3));
		out[i] ^= (uint8_t)(block >> ((pos & 7) * 8));
	}
}
