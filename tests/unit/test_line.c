/* The shared line engine: text lines, dot-terminated data and literals,
 * each input fed whole and again one byte at a time (TCP splits anywhere),
 * overlong lines, the SMTP smuggling terminators, and dot-stuffing. */
#include <stdlib.h>

#include "harness.h"
#include "protocols/line.h"

/* Feeds input in chunks of size step (0: whole), switching to data or
 * literal mode the way a protocol would (after a line "DATA" or a line
 * ending in {n}), and renders every event into out. */
static void run(const char *input, size_t len, size_t step, size_t max_line, size_t buffer, char *out, size_t cap)
{
	struct line_reader *lr = line_reader_new(max_line, buffer);
	size_t o = 0, off = 0;
	out[0] = 0;
	while (off < len || line_reader_pending(lr)) {
		size_t n = step ? step : len - off;
		if (n > len - off)
			n = len - off;
		size_t took = line_reader_feed(lr, input + off, n);
		off += took;
		struct line_event ev;
		int any = 0;
		while (line_reader_next(lr, &ev) > 0) {
			any = 1;
			switch (ev.type) {
			case LINE_EV_LINE:
				o += (size_t)snprintf(out + o, cap - o, "L%s%s[%.*s]", ev.bare_lf ? "!" : "",
						      ev.has_nul ? "0" : "", (int)ev.len, (const char *)ev.text);
				if (ev.len == 4 && memcmp(ev.text, "DATA", 4) == 0)
					line_reader_set_mode(lr, LINE_MODE_DOT_DATA, 0);
				if (ev.len > 3 && ev.text[ev.len - 1] == '}') {
					const char *brace = memchr(ev.text, '{', ev.len);
					if (brace)
						line_reader_set_mode(lr, LINE_MODE_LITERAL, strtoull(brace + 1, NULL, 10));
				}
				break;
			case LINE_EV_TOO_LONG:
				o += (size_t)snprintf(out + o, cap - o, "TOOLONG");
				break;
			case LINE_EV_DATA:
				o += (size_t)snprintf(out + o, cap - o, "%s", ev.long_line ? "d" : "D");
				for (size_t i = 0; i < ev.len && o + 4 < cap; i++) {
					char c = (char)ev.text[i];
					if (c == '\r')
						o += (size_t)snprintf(out + o, cap - o, "\\r");
					else if (c == '\n')
						o += (size_t)snprintf(out + o, cap - o, "\\n");
					else
						out[o++] = c;
				}
				out[o] = 0;
				break;
			case LINE_EV_DATA_END:
				o += (size_t)snprintf(out + o, cap - o, "END");
				break;
			case LINE_EV_LITERAL:
				o += (size_t)snprintf(out + o, cap - o, "%.*s", (int)ev.len, (const char *)ev.text);
				break;
			case LINE_EV_LITERAL_END:
				o += (size_t)snprintf(out + o, cap - o, "|LEND");
				break;
			}
			out[o < cap ? o : cap - 1] = 0;
		}
		if (!any && took == 0 && off >= len)
			break;
	}
	line_reader_free(&lr);
	CHECK(lr == NULL);
}

/* Renders the same input whole and byte by byte; both must give want. */
static void expect(const char *input, size_t max_line, size_t buffer, const char *want)
{
	char whole[4096], bytewise[4096], threes[4096];
	size_t len = strlen(input);
	run(input, len, 0, max_line, buffer, whole, sizeof whole);
	run(input, len, 1, max_line, buffer, bytewise, sizeof bytewise);
	run(input, len, 3, max_line, buffer, threes, sizeof threes);
	CHECK_STR(whole, want);
	CHECK_STR(bytewise, want);
	CHECK_STR(threes, want);
}

static void test_text_lines(void)
{
	expect("HELO a\r\nQUIT\r\n", 100, 256, "L[HELO a]L[QUIT]");
	expect("HELO a\nQUIT\r\n", 100, 256, "L![HELO a]L[QUIT]");
	expect("\r\n\r\n", 100, 256, "L[]L[]");
	expect("NOOP\r\nincomplete", 100, 256, "L[NOOP]");
}

static void test_overlong_lines(void)
{
	/* 12 bytes over a limit of 10: reported once, then the reader goes
	 * on with the next line. */
	expect("0123456789AB\r\nNOOP\r\n", 10, 64, "TOOLONGL[NOOP]");
	expect("0123456789\r\nNOOP\r\n", 10, 64, "L[0123456789]L[NOOP]");
	/* A flood with no line end at all never grows the buffer. */
	char flood[5000];
	memset(flood, 'x', sizeof flood - 1);
	flood[sizeof flood - 1] = 0;
	char out[4096];
	run(flood, strlen(flood), 0, 100, 256, out, sizeof out);
	CHECK_STR(out, "TOOLONG");
	run(flood, strlen(flood), 1, 100, 256, out, sizeof out);
	CHECK_STR(out, "TOOLONG");
}

static void test_data_block(void)
{
	expect("DATA\r\nSubject: x\r\n\r\nHola\r\n..dot\r\n.\r\nQUIT\r\n", 100, 256,
	       "L[DATA]DSubject: x\\r\\nD\\r\\nDHola\\r\\nD.dot\\r\\nENDL[QUIT]");
	/* Empty body. */
	expect("DATA\r\n.\r\nQUIT\r\n", 100, 256, "L[DATA]ENDL[QUIT]");
	/* A dot line that is not the terminator. */
	expect("DATA\r\n.x\r\n.\r\n", 100, 256, "L[DATA]Dx\\r\\nEND");
}

static void test_smuggling_terminators(void)
{
	/* None of these ends the data: <LF>.<LF>, <LF>.<CR><LF>, <CR><LF>.<LF>,
	 * <CR>.<CR>: the block only ends at the real CRLF.CRLF. */
	expect("DATA\r\nA\n.\nMAIL FROM:<x>\r\n.\r\n", 100, 256, "L[DATA]DA\\n.\\nMAIL FROM:<x>\\r\\nEND");
	expect("DATA\r\nA\n.\r\nB\r\n.\r\n", 100, 256, "L[DATA]DA\\n.\\r\\nDB\\r\\nEND");
	/* A leading dot is always stuffing and is removed (RFC 5321 4.5.2). */
	expect("DATA\r\nA\r\n.\nB\r\n.\r\n", 100, 256, "L[DATA]DA\\r\\nD\\nB\\r\\nEND");
	expect("DATA\r\nA\r.\rB\r\n.\r\n", 100, 256, "L[DATA]DA\\r.\\rB\\r\\nEND");
}

static void test_long_data_lines(void)
{
	/* A data line longer than max_line arrives in pieces, all flagged. */
	char in[512], want[1024];
	memset(in, 0, sizeof in);
	strcpy(in, "DATA\r\n");
	memset(in + 6, 'y', 40);
	strcpy(in + 46, "\r\nok\r\n.\r\n");
	char out[4096];
	run(in, strlen(in), 0, 16, 32, out, sizeof out);
	/* Expected: pieces of y's (count may vary with buffer), then ok. */
	CHECK(strncmp(out, "L[DATA]d", 8) == 0);
	CHECK(strstr(out, "Dok\\r\\nEND") != NULL);
	size_t ys = 0;
	for (char *p = out; *p; p++)
		ys += *p == 'y';
	CHECK_EQ_INT(ys, 40);
	run(in, strlen(in), 1, 16, 32, want, sizeof want);
	size_t ys1 = 0;
	for (char *p = want; *p; p++)
		ys1 += *p == 'y';
	CHECK_EQ_INT(ys1, 40);
	CHECK(strstr(want, "Dok\\r\\nEND") != NULL);
}

static void test_literals(void)
{
	expect("A1 APPEND INBOX {5}\r\nHe\r\nlX\r\nA2 NOOP\r\n", 100, 256,
	       "L[A1 APPEND INBOX {5}]He\r\nl|LENDL[X]L[A2 NOOP]");
	expect("A1 LOGIN {0}\r\n\r\n", 100, 256, "L[A1 LOGIN {0}]|LENDL[]");
}

static void test_nul_and_discard(void)
{
	char in[] = "NO\0OP\r\n";
	char out[256];
	run(in, sizeof in - 1, 0, 100, 256, out, sizeof out);
	CHECK(strncmp(out, "L0[NO", 5) == 0);
	struct line_reader *lr = line_reader_new(100, 256);
	line_reader_feed(lr, "STARTTLS\r\nMAIL FROM:<a>\r\n", 25);
	struct line_event ev;
	CHECK_EQ_INT(line_reader_next(lr, &ev), 1);
	line_reader_discard(lr); /* pipelined plaintext after STARTTLS */
	CHECK_EQ_INT(line_reader_next(lr, &ev), 0);
	CHECK_EQ_INT(line_reader_pending(lr), 0);
	line_reader_free(&lr);
	CHECK(line_reader_new(10, 5) == NULL);
}

static void test_dot_stuff(void)
{
	struct {
		const char *in, *out;
	} cases[] = {
	    {"", ".\r\n"},
	    {"Hola\r\n", "Hola\r\n.\r\n"},
	    {"Hola", "Hola\r\n.\r\n"},
	    {".\r\n", "..\r\n.\r\n"},
	    {"a\n.b\nc", "a\r\n..b\r\nc\r\n.\r\n"},
	    {"a\r.\rb", "a\r\n..\r\nb\r\n.\r\n"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t out[64];
		size_t n = line_dot_stuff((const uint8_t *)cases[i].in, strlen(cases[i].in), out, sizeof out);
		CHECK_EQ_INT(n, strlen(cases[i].out));
		CHECK_EQ_INT(line_dot_stuffed_size((const uint8_t *)cases[i].in, strlen(cases[i].in)), n);
		CHECK(n < sizeof out && memcmp(out, cases[i].out, n) == 0);
	}
	/* Round trip: what the stuffer writes, the reader gives back. */
	const char *body = "Line one\r\n.leading dot\r\n..two\r\n.\r\nend";
	uint8_t wire[256];
	size_t n = line_dot_stuff((const uint8_t *)body, strlen(body), wire, sizeof wire);
	char in[300] = "DATA\r\n";
	memcpy(in + 6, wire, n);
	in[6 + n] = 0;
	expect(in, 100, 256, "L[DATA]DLine one\\r\\nD.leading dot\\r\\nD..two\\r\\nD.\\r\\nDend\\r\\nEND");
}

/* The plain byte-at-a-time definition of dot-stuffing, to check the fast
 * line_dot_stuff against (SQLite's way: a structure checked against the
 * obvious implementation). */
static size_t reference_stuff(const uint8_t *body, size_t len, uint8_t *out, size_t cap)
{
	size_t o = 0;
	int line_start = 1;
#define PUT(c) (o < cap ? (void)(out[o] = (uint8_t)(c)) : (void)0, o++)
	for (size_t i = 0; i < len; i++) {
		uint8_t c = body[i];
		if (line_start && c == '.')
			PUT('.');
		line_start = 0;
		if (c == '\r' || c == '\n') {
			if (c == '\r' && i + 1 < len && body[i + 1] == '\n')
				i++;
			PUT('\r');
			PUT('\n');
			line_start = 1;
			continue;
		}
		PUT(c);
	}
	if (!line_start) {
		PUT('\r');
		PUT('\n');
	}
	PUT('.');
	PUT('\r');
	PUT('\n');
#undef PUT
	return o;
}

static void test_dot_stuff_matches_reference(void)
{
	uint32_t x = 7;
	uint8_t in[64], a[256], b[256];
	int bad = 0;
	for (int t = 0; t < 200000 && bad < 5; t++) {
		x = x * 1103515245u + 12345u;
		size_t n = (x >> 8) % 40;
		for (size_t i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			in[i] = (uint8_t)".\r\na"[(x >> 16) % 4];
		}
		x = x * 1103515245u + 12345u;
		size_t cap = (x >> 8) % 100; /* small caps: partial writes agree too */
		memset(a, 0xAA, sizeof a);
		memset(b, 0xAA, sizeof b);
		size_t ra = reference_stuff(in, n, a, cap), rb = line_dot_stuff(in, n, b, cap);
		if (ra != rb || memcmp(a, b, sizeof a) != 0 || line_dot_stuffed_size(in, n) != ra)
			bad++;
	}
	CHECK_EQ_INT(bad, 0);
}

int main(void)
{
	RUN(test_text_lines);
	RUN(test_overlong_lines);
	RUN(test_data_block);
	RUN(test_smuggling_terminators);
	RUN(test_long_data_lines);
	RUN(test_literals);
	RUN(test_nul_and_discard);
	RUN(test_dot_stuff);
	RUN(test_dot_stuff_matches_reference);
	return harness_done();
}
