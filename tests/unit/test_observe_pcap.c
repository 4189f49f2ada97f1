/* The pcap writer: synthetic records published on a real kernel's bus are
 * written as Ethernet/IPv4/TCP/UDP frames; the test parses the file and
 * checks every header field, and recomputes each checksum its own way (the
 * one's complement sum over the header or segment, checksum included, must
 * be 0xffff). The file it leaves in the build folder is decoded by tshark
 * in tests/observe.cmake. */
#include <stdint.h>

#include "harness.h"
#include "observe_fixture.h"
#include "pcap_check.h"
#include "sim/observe/observers.h"

#define PCAP_FILE MAILSIM_BINARY_DIR "/observe_pcap_unit.pcap"
#define PCAP_FILE2 MAILSIM_BINARY_DIR "/observe_pcap_unit2.pcap"

static const char helo[] = "HELO laptop\r\n"; /* 13 bytes: an odd payload */

static void check_mac(const unsigned char *m, uint32_t ip)
{
	CHECK(m[0] == 0x02 && m[1] == 0x00);
	CHECK_EQ_INT(rd32(m + 2), ip);
}

/* Publishes the test's records; returns the number that should be
 * captured. */
static int publish(struct fixture *f, uint16_t *udp_word_r)
{
	struct packet *syn = fixture_tcp(IP4(10, 0, 0, 1), 49152, IP4(10, 0, 1, 2), 25, 1000, 0, TCP_SYN, 1460, NULL, 0);
	struct packet *synack = fixture_tcp(IP4(10, 0, 1, 2), 25, IP4(10, 0, 0, 1), 49152, 5000, 1001,
					    TCP_SYN | TCP_ACK, 1460, NULL, 0);
	struct packet *ack = fixture_tcp(IP4(10, 0, 0, 1), 49152, IP4(10, 0, 1, 2), 25, 1001, 5001, TCP_ACK, 0, NULL, 0);
	struct packet *data = fixture_tcp(IP4(10, 0, 0, 1), 49152, IP4(10, 0, 1, 2), 25, 1001, 5001,
					  TCP_PSH | TCP_ACK, 0, helo, sizeof helo - 1);
	if (!syn || !synack || !ack || !data)
		return -1;
	syn->ip_id = 1;
	synack->ip_id = 1;
	synack->window = 29200;
	ack->ip_id = 2;
	data->ip_id = 3;
	data->ttl = 61; /* the writer copies the TTL it is given */

	/* A UDP payload word making the checksum's sum 0xffff, so the computed
	 * checksum is 0 and must go out as 0xffff (RFC 768). */
	struct packet *udp0 = fixture_udp(IP4(10, 0, 1, 1), 40001, IP4(10, 0, 1, 2), 40002, "\0\0", 2);
	static const char q[] = "odd length datagram";
	struct packet *udp1 = fixture_udp(IP4(10, 0, 0, 1), 40000, IP4(10, 0, 1, 2), 40003, q, sizeof q - 1);
	if (!udp0 || !udp1)
		return -1;
	udp0->ip_id = 7;
	unsigned char hdr[12 + 8] = {10, 0, 1, 1, 10, 0, 1, 2, 0, 17, 0, 10, 0x9c, 0x41, 0x9c, 0x42, 0, 10, 0, 0};
	uint32_t s0 = ones_sum(0, hdr, sizeof hdr);
	uint16_t w = (uint16_t)(0xffff - s0);
	udp0->data[0] = (uint8_t)(w >> 8);
	udp0->data[1] = (uint8_t)w;
	*udp_word_r = w;

	fixture_pkt(f, OBS_PKT_SEND, 1 * SIM_MS, syn, HOST_LAPTOP, 0, 0);
	fixture_pkt(f, OBS_PKT_SEND, 7 * SIM_MS, synack, HOST_SERVER, 1, 1);
	fixture_pkt(f, OBS_PKT_SEND, 13 * SIM_MS, ack, HOST_LAPTOP, -1, -1); /* no link: MACs from the topology */
	fixture_pkt(f, OBS_PKT_SEND, 14 * SIM_MS, data, HOST_LAPTOP, 0, 0);
	/* Not captured: hops, arrivals, drops. */
	fixture_pkt(f, OBS_PKT_TX, 14 * SIM_MS, data, HOST_LAPTOP, 0, 0);
	fixture_pkt(f, OBS_PKT_RECV, 20 * SIM_MS, data, HOST_SERVER, -1, -1);
	fixture_drop(f, 21 * SIM_MS, data, HOST_MTA, 1, 0, OBS_DROP_LOSS);
	fixture_link(f, 22 * SIM_MS, 1, 0);
	fixture_pkt(f, OBS_PKT_RETRANSMIT, 1214 * SIM_MS, data, HOST_LAPTOP, 0, 0);
	fixture_pkt(f, OBS_PKT_SEND, 2500 * SIM_MS, udp0, HOST_MTA, 1, 0);
	fixture_pkt(f, OBS_PKT_SEND, 3 * SIM_S + 123, udp1, HOST_LAPTOP, 0, 0);
	packet_free(&syn);
	packet_free(&synack);
	packet_free(&ack);
	packet_free(&data);
	packet_free(&udp0);
	packet_free(&udp1);
	return 7;
}

static int write_capture(const char *path, uint16_t *udp_word_r)
{
	struct fixture f;
	char err[256] = "";
	if (fixture_init(&f, 42) < 0)
		return -1;
	struct obs_pcap *pc = obs_pcap_open(f.sim, f.net, path, err, sizeof err);
	if (!pc) {
		fprintf(stderr, "%s\n", err);
		fixture_fini(&f);
		return -1;
	}
	int n = publish(&f, udp_word_r);
	if (obs_pcap_close(&pc) < 0)
		n = -1;
	CHECK(pc == NULL);
	/* Closed: a record published now reaches nobody. */
	struct packet *late = fixture_tcp(IP4(10, 0, 0, 1), 1, IP4(10, 0, 1, 2), 2, 0, 0, TCP_SYN, 0, NULL, 0);
	fixture_pkt(&f, OBS_PKT_SEND, 5 * SIM_S, late, HOST_LAPTOP, 0, 0);
	packet_free(&late);
	fixture_fini(&f);
	return n;
}

static void test_frames(void)
{
	uint16_t udp_word = 0;
	int expected = write_capture(PCAP_FILE, &udp_word);
	REQUIRE(expected == 7);
	size_t len = 0;
	unsigned char *buf = fixture_slurp(PCAP_FILE, &len);
	REQUIRE(buf && len >= 24);
	CHECK_EQ_INT(le32(buf), 0xa1b23c4d);
	CHECK(buf[4] == 2 && buf[5] == 0 && buf[6] == 4 && buf[7] == 0);
	CHECK_EQ_INT(le32(buf + 16), 65549);
	CHECK_EQ_INT(le32(buf + 20), 1);

	struct pcap_frame fr[16];
	int n = pcap_frames(buf, len, fr, 16);
	REQUIRE(n == expected);

	static const struct {
		uint32_t sec, nsec;
		uint32_t mac_src, mac_dst, ip_src, ip_dst;
		uint16_t ip_id;
		uint8_t ttl, proto;
		unsigned ip_len;
	} want[7] = {
	    {0, 1000000, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2), IP4(10, 0, 0, 1), IP4(10, 0, 1, 2), 1, 64, 6, 44},
	    {0, 7000000, IP4(10, 0, 1, 2), IP4(10, 0, 1, 1), IP4(10, 0, 1, 2), IP4(10, 0, 0, 1), 1, 64, 6, 44},
	    {0, 13000000, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2), IP4(10, 0, 0, 1), IP4(10, 0, 1, 2), 2, 64, 6, 40},
	    {0, 14000000, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2), IP4(10, 0, 0, 1), IP4(10, 0, 1, 2), 3, 61, 6, 53},
	    {1, 214000000, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2), IP4(10, 0, 0, 1), IP4(10, 0, 1, 2), 3, 61, 6, 53},
	    {2, 500000000, IP4(10, 0, 1, 1), IP4(10, 0, 1, 2), IP4(10, 0, 1, 1), IP4(10, 0, 1, 2), 7, 64, 17, 30},
	    {3, 123, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2), IP4(10, 0, 0, 1), IP4(10, 0, 1, 2), 0, 64, 17, 47},
	};
	for (int i = 0; i < n; i++) {
		const unsigned char *e = fr[i].d, *ip = e + 14;
		CHECK_EQ_INT(fr[i].sec, want[i].sec);
		CHECK_EQ_INT(fr[i].nsec, want[i].nsec);
		CHECK_EQ_INT(fr[i].incl, 14 + want[i].ip_len);
		CHECK_EQ_INT(fr[i].orig, fr[i].incl);
		check_mac(e, want[i].mac_dst);
		check_mac(e + 6, want[i].mac_src);
		CHECK_EQ_INT(rd16(e + 12), 0x0800);
		CHECK_EQ_INT(ip[0], 0x45);
		CHECK_EQ_INT(rd16(ip + 2), want[i].ip_len);
		CHECK_EQ_INT(rd16(ip + 4), want[i].ip_id);
		CHECK_EQ_INT(rd16(ip + 6), 0x4000);
		CHECK_EQ_INT(ip[8], want[i].ttl);
		CHECK_EQ_INT(ip[9], want[i].proto);
		CHECK_EQ_INT(rd32(ip + 12), want[i].ip_src);
		CHECK_EQ_INT(rd32(ip + 16), want[i].ip_dst);
		CHECK_EQ_INT(ones_sum(0, ip, 20), 0xffff);
		CHECK(rd16(ip + 10) != 0);
		CHECK_EQ_INT(l4_sum(ip), 0xffff);
		CHECK(pcap_frame_checksums_ok(&fr[i]));
	}
	/* TCP fields. */
	const unsigned char *t0 = fr[0].d + 34, *t1 = fr[1].d + 34, *t2 = fr[2].d + 34, *t3 = fr[3].d + 34;
	CHECK_EQ_INT(rd16(t0), 49152);
	CHECK_EQ_INT(rd16(t0 + 2), 25);
	CHECK_EQ_INT(rd32(t0 + 4), 1000);
	CHECK_EQ_INT(rd32(t0 + 8), 0);
	CHECK_EQ_INT(t0[12], 6 << 4);
	CHECK_EQ_INT(t0[13], TCP_SYN);
	CHECK_EQ_INT(rd16(t0 + 14), 65535);
	CHECK(t0[20] == 2 && t0[21] == 4 && rd16(t0 + 22) == 1460);
	CHECK_EQ_INT(rd32(t1 + 4), 5000);
	CHECK_EQ_INT(rd32(t1 + 8), 1001);
	CHECK_EQ_INT(t1[13], TCP_SYN | TCP_ACK);
	CHECK_EQ_INT(rd16(t1 + 14), 29200);
	CHECK_EQ_INT(t2[12], 5 << 4);
	CHECK_EQ_INT(t2[13], TCP_ACK);
	CHECK_EQ_INT(t3[13], TCP_PSH | TCP_ACK);
	CHECK(memcmp(t3 + 20, helo, 13) == 0);
	CHECK(memcmp(fr[4].d, fr[3].d, fr[3].incl) == 0); /* the retransmission is the same frame */
	/* UDP fields. */
	const unsigned char *u0 = fr[5].d + 34, *u1 = fr[6].d + 34;
	CHECK_EQ_INT(rd16(u0), 40001);
	CHECK_EQ_INT(rd16(u0 + 2), 40002);
	CHECK_EQ_INT(rd16(u0 + 4), 10);
	CHECK_EQ_INT(rd16(u0 + 6), 0xffff);
	CHECK_EQ_INT(rd16(u0 + 8), udp_word);
	CHECK_EQ_INT(rd16(u1 + 4), 27);
	CHECK(rd16(u1 + 6) != 0);
	CHECK(memcmp(u1 + 8, "odd length datagram", 19) == 0);
	free(buf);
}

/* A corrupted byte must break the recomputed checksum: proves the check
 * above can fail. The corrupted capture is left for tshark too
 * (tests/observe.cmake checks that it reports a bad TCP checksum). */
static void test_checksum_check_can_fail(void)
{
	size_t len = 0;
	unsigned char *buf = fixture_slurp(PCAP_FILE, &len);
	REQUIRE(buf && len > 24 + 16 + 34 + 20);
	unsigned char *ip = buf + 24 + 16 + 14;
	CHECK_EQ_INT(l4_sum(ip), 0xffff);
	ip[20 + 4] ^= 0x01; /* one bit of the sequence number */
	CHECK(l4_sum(ip) != 0xffff);
	FILE *fp = fopen(MAILSIM_BINARY_DIR "/observe_pcap_corrupt.pcap", "wb");
	CHECK(fp && fwrite(buf, 1, len, fp) == len);
	if (fp)
		fclose(fp);
	ip[12] ^= 0x80;
	CHECK(ones_sum(0, ip, 20) != 0xffff);
	free(buf);
}

static void test_deterministic(void)
{
	uint16_t w;
	REQUIRE(write_capture(PCAP_FILE2, &w) == 7);
	size_t l1 = 0, l2 = 0;
	unsigned char *a = fixture_slurp(PCAP_FILE, &l1), *b = fixture_slurp(PCAP_FILE2, &l2);
	REQUIRE(a && b);
	CHECK(l1 == l2 && memcmp(a, b, l1) == 0);
	free(a);
	free(b);
	remove(PCAP_FILE2);
}

static void test_open_error(void)
{
	struct fixture f;
	REQUIRE(fixture_init(&f, 1) == 0);
	char err[256] = "";
	struct obs_pcap *pc = obs_pcap_open(f.sim, f.net, "/nonexistent-dir/x.pcap", err, sizeof err);
	CHECK(pc == NULL);
	CHECK(strstr(err, "/nonexistent-dir/x.pcap") != NULL);
	CHECK_EQ_INT(obs_pcap_close(&pc), 0); /* NULL is accepted */
	fixture_fini(&f);
}

int main(void)
{
	RUN(test_frames);
	RUN(test_checksum_check_can_fail);
	RUN(test_deterministic);
	RUN(test_open_error);
	CHECK_EQ_INT(packet_live_count(), 0);
	packet_pool_drain();
	return harness_done();
}
