/* libFuzzer target for the SMTP client engine: chunks of server bytes as in
 * fuzz_smtp_server.c (0x40: complete a pending TLS handshake). Traps if the
 * client ever emits a bare CR or LF, or is not done after the connection
 * is lost. Run like fuzz_smtp_server.c; seeds are the transcripts' server
 * sides (tests/fuzz/corpus/smtp_client/).
 * Ran 3 minutes (4.7 million inputs) with no finding when written. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include "protocols/smtp_client.h"
static int count;
static void m(void *ctx, int job, const struct smtp_client_reply *r, size_t a) { (void)ctx; (void)job; (void)r; (void)a; count++; }
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_client_options o; smtp_client_options_init(&o, "c.example");
	o.want_starttls = size & 1; o.use_pipelining = (size >> 1) & 1; o.require_starttls = (size % 5) == 0;
	struct smtp_client_host h = {.message = m};
	struct smtp_client *c = smtp_client_new(&o, &h);
	const char *rc[] = {"a@b.example", "c@d.example"};
	static const uint8_t body[] = ".x\n\r\n..\r.";
	smtp_client_add_message(c, "z@y.example", rc, 2, body, sizeof body - 1);
	smtp_client_add_etrn(c, "@d.example");
	smtp_client_add_message(c, "", rc, 1, body, 3);
	smtp_client_finish(c);
	size_t off = 0;
	while (off < size) {
		uint8_t ctl = data[off++];
		size_t n = ctl & 0x3f; if (n > size - off) n = size - off;
		size_t done = 0;
		while (done < n) { size_t t = smtp_client_feed(c, data + off + done, n - done); if (!t) { size_t l; smtp_client_output(c, &l); smtp_client_consume(c, l); } done += t; }
		off += n;
		size_t len; const uint8_t *p = smtp_client_output(c, &len);
		for (size_t i = 0; i < len; i++) {
			if (p[i] == '\n' && (i == 0 || p[i-1] != '\r')) __builtin_trap();
			if (p[i] == '\r' && (i + 1 >= len || p[i+1] != '\n')) __builtin_trap();
		}
		smtp_client_consume(c, len);
		if (ctl & 0x40 && smtp_client_tls_pending(c)) smtp_client_tls_established(c);
	}
	smtp_client_connection_lost(c);
	if (!smtp_client_done(c)) __builtin_trap();
	smtp_client_free(&c);
	return 0;
}
