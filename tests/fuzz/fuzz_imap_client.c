/* libFuzzer target for the IMAP client engine: the input is what a server
 * sends, in chunks (a control byte: length in the low 6 bits; 0x40 queues
 * a command with a literal first, 0x80 ends an IDLE), pulled as events
 * after every chunk. Run by ctest (fuzz.imap_client, 20 s), seeded from
 * tests/fuzz/corpus/imap_client/ (server sides of the transcripts). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "protocols/imap_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imap_client_config cfg = {.max_literal = 4096};
	struct imap_client *c = imap_client_new(&cfg);
	size_t off = 0;
	while (off < size) {
		uint8_t ctl = data[off++];
		size_t n = ctl & 0x3f;
		if (n > size - off) n = size - off;
		if (ctl & 0x40)
			imap_client_command(c, "APPEND INBOX {3}\r\nabc", 21);
		if (ctl & 0x80)
			imap_client_done(c);
		imap_client_feed(c, data + off, n);
		off += n;
		struct imap_client_event ev;
		while (imap_client_next(c, &ev) > 0) {
			if (ev.type == IMAP_CEV_UNTAGGED && ev.rest_len) {
				struct imap_cursor cur;
				imap_cursor_init(&cur, ev.rest, ev.rest_len);
				imap_skip_value(&cur);
			}
		}
		size_t len;
		imap_client_output(c, &len);
		imap_client_consume(c, len);
	}
	imap_client_free(&c);
	return 0;
}
