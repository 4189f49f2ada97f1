/* Finds SMTP's end-of-data mark, CRLF.CRLF, in a byte stream that arrives
 * in chunks of any size (TCP may split the mark anywhere). Used by the
 * server of `mailsim bench tcp`; it scans with memchr for the dot, so a
 * 10 KB body costs a few vectorised passes, never a per-byte callback.
 *
 *   struct eod_scan s;
 *   eod_scan_start(&s);                       // right after "354 ..."
 *   long end = eod_scan_feed(&s, chunk, len); // offset past the mark, or -1
 *
 * The data starts just after a line end, so a "." line at once ends an
 * empty body, as in RFC 5321. A bare LF never takes part in the mark. */
#ifndef SIM_BENCH_EOD_SCAN_H
#define SIM_BENCH_EOD_SCAN_H

#include <stddef.h>
#include <stdint.h>

struct eod_scan {
	uint8_t tail[4]; /* the last bytes seen (at most 4) */
	uint8_t tail_len;
};

/* Starts a new body (as if a CRLF had just been seen). */
void eod_scan_start(struct eod_scan *s);

/* Feeds the next chunk p[0, len). Returns the offset in p just past the
 * mark (bytes after it belong to the next command), or -1 if the mark has
 * not ended yet (s then remembers what it needs from p). */
long eod_scan_feed(struct eod_scan *s, const uint8_t *p, size_t len);

#endif
