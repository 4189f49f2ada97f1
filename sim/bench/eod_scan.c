/* The end-of-data scanner. See eod_scan.h. */
#include "sim/bench/eod_scan.h"

#include <string.h>

static const uint8_t MARK[5] = {'\r', '\n', '.', '\r', '\n'};

void eod_scan_start(struct eod_scan *s)
{
	s->tail[0] = '\r';
	s->tail[1] = '\n';
	s->tail_len = 2;
}

long eod_scan_feed(struct eod_scan *s, const uint8_t *p, size_t len)
{
	/* A mark ending in the first 4 bytes of p may begin in the tail. */
	uint8_t w[8];
	size_t wl = s->tail_len, head = len < 4 ? len : 4;
	memcpy(w, s->tail, wl);
	memcpy(w + wl, p, head);
	for (size_t e = wl + 1; e <= wl + head; e++)
		if (e >= 5 && memcmp(w + e - 5, MARK, 5) == 0)
			return (long)(e - wl);
	/* Any other mark lies wholly inside p, its dot at index 2 .. len-3. */
	const uint8_t *q = p + 2, *end = p + len;
	while (q + 2 < end) {
		const uint8_t *dot = memchr(q, '.', (size_t)(end - 2 - q));
		if (!dot)
			break;
		if (dot[-2] == '\r' && dot[-1] == '\n' && dot[1] == '\r' && dot[2] == '\n')
			return (long)(dot + 3 - p);
		q = dot + 1;
	}
	if (len >= 4) {
		memcpy(s->tail, p + len - 4, 4);
		s->tail_len = 4;
	} else {
		size_t keep = wl + len > 4 ? 4 - len : wl;
		memmove(s->tail, s->tail + wl - keep, keep);
		memcpy(s->tail + keep, p, len);
		s->tail_len = (uint8_t)(keep + len);
	}
	return -1;
}
