/* Test-side pcap reading and checksum checking, written apart from the
 * writer (sim/observe/pcap.c) so the tests do not trust its code: the
 * Internet checksum is recomputed bytewise in 64 bits, and a header or
 * segment is valid when its sum, checksum field included, is 0xffff. */
#ifndef TEST_PCAP_CHECK_H
#define TEST_PCAP_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct pcap_frame {
	uint32_t sec, nsec, incl, orig;
	const unsigned char *d;
};

static inline uint32_t rd16(const unsigned char *p) { return (uint32_t)p[0] << 8 | p[1]; }
static inline uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint32_t le32(const unsigned char *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint32_t ones_sum(uint64_t acc, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		acc += (i % 2 == 0) ? (uint64_t)p[i] << 8 : p[i];
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint32_t)acc;
}

/* Sum of the pseudo-header and the layer 4 bytes of the IPv4 packet ip. */
static inline uint32_t l4_sum(const unsigned char *ip)
{
	unsigned total = rd16(ip + 2), l4_len = total - 20;
	unsigned char pseudo[12];
	memcpy(pseudo, ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = ip[9];
	pseudo[10] = (unsigned char)(l4_len >> 8);
	pseudo[11] = (unsigned char)l4_len;
	return ones_sum(ones_sum(0, pseudo, 12), ip + 20, l4_len);
}

/* Splits a pcap file into up to max frames; returns the number of frames,
 * or -1 if the header is wrong or a record runs past the end. */
static inline int pcap_frames(const unsigned char *buf, size_t len, struct pcap_frame *fr, int max)
{
	if (len < 24 || le32(buf) != 0xa1b23c4du)
		return -1;
	size_t off = 24;
	int n = 0;
	while (off < len) {
		if (off + 16 > len || n == max)
			return -1;
		struct pcap_frame f = {le32(buf + off), le32(buf + off + 4), le32(buf + off + 8), le32(buf + off + 12),
				       buf + off + 16};
		if (off + 16 + f.incl > len)
			return -1;
		fr[n++] = f;
		off += 16 + f.incl;
	}
	return n;
}

/* 1 if the frame's IPv4 header and TCP or UDP checksums are right. */
static inline int pcap_frame_checksums_ok(const struct pcap_frame *f)
{
	if (f->incl < 34 || rd16(f->d + 12) != 0x0800)
		return 0;
	const unsigned char *ip = f->d + 14;
	if (rd16(ip + 2) + 14u != f->incl)
		return 0;
	return ones_sum(0, ip, 20) == 0xffff && l4_sum(ip) == 0xffff;
}

#endif
