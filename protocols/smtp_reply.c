/* SMTP reply parsing; see smtp_reply.h. */
#include "protocols/smtp_reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct smtp_reply_parser {
	int code, lines; /* lines: of the reply in progress */
	char enhanced[16];
	char *text;
	size_t len, cap;
	const char *error;
};

struct smtp_reply_parser *smtp_reply_parser_new(void)
{
	struct smtp_reply_parser *rp = calloc(1, sizeof *rp);
	if (!rp)
		return NULL;
	rp->cap = 256;
	rp->text = malloc(rp->cap);
	if (!rp->text) {
		free(rp);
		return NULL;
	}
	rp->text[0] = 0;
	return rp;
}

void smtp_reply_parser_free(struct smtp_reply_parser **rpp)
{
	if (!rpp || !*rpp)
		return;
	free((*rpp)->text);
	free(*rpp);
	*rpp = NULL;
}

static int bad(struct smtp_reply_parser *rp, const char *why)
{
	rp->error = why;
	rp->lines = 0;
	rp->len = 0;
	rp->text[0] = 0;
	return SMTP_REPLY_BAD;
}

static int text_append(struct smtp_reply_parser *rp, const char *p, size_t n)
{
	if (rp->len + n + 2 > rp->cap) {
		size_t cap = rp->cap;
		while (cap < rp->len + n + 2)
			cap *= 2;
		char *t = realloc(rp->text, cap);
		if (!t)
			return -1;
		rp->text = t;
		rp->cap = cap;
	}
	if (rp->lines > 0)
		rp->text[rp->len++] = '\n';
	memcpy(rp->text + rp->len, p, n);
	rp->len += n;
	rp->text[rp->len] = 0;
	return 0;
}

/* Length of an enhanced status code class "." 1*3digit "." 1*3digit at p,
 * followed by SP or the end, 0 if there is none (RFC 3463 section 2). */
static size_t enhanced_len(const char *p, size_t n, int cls)
{
	if (n < 5 || p[0] != '0' + cls || p[1] != '.')
		return 0;
	size_t i = 2, d = 0;
	while (i < n && p[i] >= '0' && p[i] <= '9' && d < 3)
		i++, d++;
	if (d == 0 || i >= n || p[i] != '.')
		return 0;
	i++;
	d = 0;
	while (i < n && p[i] >= '0' && p[i] <= '9' && d < 3)
		i++, d++;
	if (d == 0 || (i < n && p[i] != ' '))
		return 0;
	return i;
}

int smtp_reply_parser_line(struct smtp_reply_parser *rp, const char *p, size_t n)
{
	if (memchr(p, 0, n) || memchr(p, '\r', n))
		return bad(rp, "NUL or bare CR in a reply");
	if (n < 3 || p[0] < '2' || p[0] > '5' || p[1] < '0' || p[1] > '5' || p[2] < '0' || p[2] > '9' ||
	    (n > 3 && p[3] != ' ' && p[3] != '-'))
		return bad(rp, "malformed reply line");
	int code = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	if (rp->lines > 0 && code != rp->code)
		return bad(rp, "reply code changed inside a multi-line reply");
	if (rp->lines >= SMTP_REPLY_MAX_LINES)
		return bad(rp, "reply has too many lines");
	const char *t = n > 4 ? p + 4 : p + n;
	size_t tn = n > 4 ? n - 4 : 0;
	size_t el = enhanced_len(t, tn, p[0] - '0');
	if (rp->lines == 0) {
		rp->len = 0;
		rp->text[0] = 0;
		snprintf(rp->enhanced, sizeof rp->enhanced, "%.*s", (int)el, t);
	}
	if (el) {
		t += el;
		tn -= el;
		if (tn > 0) {
			t++;
			tn--;
		}
	}
	if (text_append(rp, t, tn) < 0)
		return bad(rp, "out of memory");
	rp->code = code;
	rp->lines++;
	if (n > 3 && p[3] == '-')
		return SMTP_REPLY_MORE;
	rp->lines = 0;
	return SMTP_REPLY_DONE;
}

int smtp_reply_code(const struct smtp_reply_parser *rp) { return rp->code; }
const char *smtp_reply_enhanced(const struct smtp_reply_parser *rp) { return rp->enhanced; }
const char *smtp_reply_text(const struct smtp_reply_parser *rp) { return rp->text; }
const char *smtp_reply_error(const struct smtp_reply_parser *rp) { return rp->error ? rp->error : ""; }
