/* libFuzzer target for the DNS wire parser (RFC 1035 4.1, with name
 * compression). Any octets: dns_parse must return an error or a message;
 * a parsed message must build again (compressed), parse again, and give
 * the same dig-like text both times (the round trip the resolver and the
 * server rely on). Also feeds the text forms the transcript prints.
 *   tests/fuzz/run-fuzz.sh dns SECONDS
 * Seeds (tests/fuzz/corpus/dns/) are queries and answers of the classic
 * scenario's DNS traffic. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "protocols/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > DNS_UDP_MAX)
		return 0;
	static char text1[65536], text2[65536];
	static uint8_t wire[DNS_UDP_MAX];
	struct dns_msg *m = dns_msg_new(), *again = dns_msg_new();
	if (!m || !again)
		__builtin_trap();
	struct dns_header h;
	int hrc = dns_parse_header(data, size, &h);
	if (dns_parse(data, size, m) == 0) {
		if (hrc != 0)
			__builtin_trap(); /* a message parses but its header does not */
		int n1 = dns_msg_to_text(m, text1, sizeof text1);
		size_t len = 0;
		int brc = dns_build(m, wire, sizeof wire, &len);
		if (brc == 0) {
			if (dns_parse(wire, len, again) != 0)
				__builtin_trap();
			int n2 = dns_msg_to_text(again, text2, sizeof text2);
			/* When every record made it (the same counts), the text must match. */
			if (n1 >= 0 && n2 >= 0 && again->n[0] == m->n[0] && again->n[1] == m->n[1] &&
			    again->n[2] == m->n[2] && (n1 != n2 || memcmp(text1, text2, (size_t)n1) != 0))
				__builtin_trap();
		}
		for (size_t s = 0; s < DNS_SEC_COUNT; s++) {
			size_t count;
			const struct dns_rr *rr = dns_msg_section(m, (enum dns_section)s, &count);
			for (size_t i = 0; i < count; i++) {
				char t[1024];
				if (dns_rdata_to_text(&rr[i], t, sizeof t) >= 0) {
					struct dns_rr back = rr[i];
					(void)dns_rdata_from_text(rr[i].type, t, &back);
				}
			}
		}
	}
	dns_msg_free(&m);
	dns_msg_free(&again);
	return 0;
}
