/* The line engine shared by SMTP, POP3 and IMAP (like curl's pingpong):
 * CRLF framing with hard limits, dot-terminated data blocks with
 * dot-unstuffing (SMTP DATA, POP3 multi-line responses), counted literals
 * (IMAP {n}), and the dot-stuffing encoder for the sending side.
 *
 * Sans-I/O: the owner feeds whatever bytes arrived, in any split, and pulls
 * events. Memory is bounded: the reader never holds more than its buffer
 * limit, so a peer that never sends CRLF cannot grow it.
 *
 *   struct line_reader *lr = line_reader_new(512, 4096);
 *   size_t off = 0;
 *   while (off < n) {
 *       off += line_reader_feed(lr, bytes + off, n - off);
 *       struct line_event ev;
 *       while (line_reader_next(lr, &ev) > 0)
 *           handle(&ev);   // ev.text valid until the next feed/next call
 *   }
 *
 * Line ends: in LINE_MODE_TEXT a line ends at LF; the event says whether a
 * CR came before it (bare_lf is set when not), so each protocol chooses
 * whether to accept bare LF in commands. In LINE_MODE_DOT_DATA only CRLF
 * ends a line, and only CRLF "." CRLF ends the block: a bare LF before or
 * after the dot never does (the 2023 SMTP smuggling attack). */
#ifndef PROTOCOLS_LINE_H
#define PROTOCOLS_LINE_H

#include <stddef.h>
#include <stdint.h>

enum line_mode {
	LINE_MODE_TEXT,     /* command or response lines */
	LINE_MODE_DOT_DATA, /* lines until CRLF.CRLF, dot-unstuffed */
	LINE_MODE_LITERAL,  /* exactly n raw bytes, then back to text */
};

enum line_event_type {
	LINE_EV_LINE,      /* text: one line without its line end */
	LINE_EV_TOO_LONG,  /* a line passed max_line; the rest of it, up to
			      the next line end, is discarded. When the
			      whole line fitted in the buffer, text and len
			      are the line (without its line end); when it
			      overflowed the buffer, text is NULL */
	LINE_EV_DATA,      /* text: one data line, unstuffed, with its CRLF
			      (or a piece of an overlong line, without) */
	LINE_EV_DATA_END,  /* the CRLF.CRLF terminator; back to text mode */
	LINE_EV_LITERAL,   /* text: the next bytes of a literal */
	LINE_EV_LITERAL_END, /* the literal is complete; back to text mode */
};

struct line_event {
	enum line_event_type type;
	const uint8_t *text; /* borrowed: valid until the next call */
	size_t len;
	int bare_lf;   /* LINE: the line ended with LF alone */
	int has_nul;   /* LINE/DATA: the text contains a NUL byte */
	int bare_cr;   /* LINE/DATA: a CR not followed by LF inside the text */
	int long_line; /* DATA: this piece belongs to a line over max_line */
};

struct line_reader;

/* max_line: the longest line (without line end) accepted in text mode and
 * the data line length that sets long_line; buffer: bytes held at most
 * (>= max_line + 2). NULL on ENOMEM or bad limits. */
struct line_reader *line_reader_new(size_t max_line, size_t buffer);
void line_reader_free(struct line_reader **lr);

/* Copies up to len bytes into the reader; returns how many it took (0 when
 * its buffer is full: pull events, then feed the rest). */
size_t line_reader_feed(struct line_reader *lr, const void *bytes, size_t len);
/* 1 and an event, or 0 when more bytes are needed. */
int line_reader_next(struct line_reader *lr, struct line_event *ev_r);
/* Switches mode; literal_len is the byte count for LINE_MODE_LITERAL.
 * Takes effect for bytes not yet consumed. */
void line_reader_set_mode(struct line_reader *lr, enum line_mode mode, uint64_t literal_len);
enum line_mode line_reader_mode(const struct line_reader *lr);
/* Bytes held and not yet consumed. */
size_t line_reader_pending(const struct line_reader *lr);
/* Forgets every buffered byte (after STARTTLS, pipelined plaintext must
 * not survive into the encrypted session). */
void line_reader_discard(struct line_reader *lr);

/* Dot-stuffing for the sender: writes body as a dot-terminated block into
 * out (capacity cap), converting every line end (CRLF, bare LF or bare CR)
 * to CRLF, doubling a leading dot, ending with a CRLF if missing and the
 * ".\r\n" terminator. Returns the length needed; if that exceeds cap,
 * nothing useful was written (call again with a bigger buffer).
 * line_dot_stuffed_size gives the length without writing. */
size_t line_dot_stuff(const uint8_t *body, size_t len, uint8_t *out, size_t cap);
size_t line_dot_stuffed_size(const uint8_t *body, size_t len);

#endif
