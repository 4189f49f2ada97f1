/* Classifying one protocol line or DNS record into catalogue entries
 * (explain_line, explain_dns; contracts in explain.h). Stateless: what
 * needs the session's history (message content, a POP3 listing) is the
 * caller's to add. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "sim/explain/explain.h"

#define WORD_MAX 64

struct words {
	const char *text;
	size_t len;
};

/* Copies the i-th space-separated word (0-based) into buf; "" if none. A
 * word longer than the buffer is cut (it matches no key then). */
static const char *word_at(const struct words *w, int i, char *buf)
{
	size_t p = 0;
	for (int k = 0;; k++) {
		while (p < w->len && w->text[p] == ' ')
			p++;
		size_t start = p;
		while (p < w->len && w->text[p] != ' ')
			p++;
		if (start == p) {
			buf[0] = 0;
			return buf;
		}
		if (k == i) {
			size_t n = p - start < WORD_MAX - 1 ? p - start : WORD_MAX - 1;
			memcpy(buf, w->text + start, n);
			buf[n] = 0;
			return buf;
		}
	}
}

static void add(const struct explain_entry *e, const struct explain_entry **out, size_t n, size_t *k)
{
	if (!e || *k >= n)
		return;
	for (size_t i = 0; i < *k; i++)
		if (out[i] == e)
			return;
	out[(*k)++] = e;
}

/* An enhanced status code: class "." 1*3digit "." 1*3digit. */
static int is_enhanced(const char *s)
{
	if (!(s[0] == '2' || s[0] == '4' || s[0] == '5') || s[1] != '.')
		return 0;
	const char *p = s + 2;
	for (int part = 0; part < 2; part++) {
		int d = 0;
		while (isdigit((unsigned char)*p) && d < 4)
			p++, d++;
		if (d == 0 || d > 3)
			return 0;
		if (part == 0 && *p++ != '.')
			return 0;
	}
	return *p == 0;
}

/* Searches the line for a substring without case, within len. */
static const char *find_ci(const char *text, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (strncasecmp(text + i, needle, n) == 0)
			return text + i;
	return NULL;
}

static void smtp_client(const struct explain *ex, const struct words *w, const struct explain_entry **out, size_t n,
			size_t *k)
{
	char verb[WORD_MAX];
	word_at(w, 0, verb);
	char *colon = strchr(verb, ':'); /* "MAIL FROM:<x>" splits at the space; "RCPT" alone */
	if (colon)
		*colon = 0;
	const struct explain_entry *e = explain_find(ex, "smtp", "command", verb);
	add(e, out, n, k);
	if (e && !strcasecmp(verb, "MAIL")) {
		if (find_ci(w->text, w->len, " SIZE="))
			add(explain_find(ex, "smtp", "keyword", "SIZE"), out, n, k);
		if (find_ci(w->text, w->len, " BODY=8BITMIME"))
			add(explain_find(ex, "smtp", "keyword", "8BITMIME"), out, n, k);
	}
}

static void smtp_server(const struct explain *ex, const struct words *w, const struct explain_entry **out, size_t n,
			size_t *k)
{
	const char *t = w->text;
	if (w->len < 3 || !isdigit((unsigned char)t[0]) || !isdigit((unsigned char)t[1]) ||
	    !isdigit((unsigned char)t[2]) || (w->len > 3 && t[3] != ' ' && t[3] != '-'))
		return;
	char code[4] = {t[0], t[1], t[2], 0};
	const struct explain_entry *e = explain_find(ex, "smtp", "reply", code);
	if (!e) {
		char cls[4] = {t[0], 'x', 'x', 0};
		e = explain_find(ex, "smtp", "class", cls);
	}
	add(e, out, n, k);
	struct words rest = {w->len > 4 ? t + 4 : t + w->len, w->len > 4 ? w->len - 4 : 0};
	char word[WORD_MAX];
	word_at(&rest, 0, word);
	int wi = 0;
	if (is_enhanced(word)) {
		add(explain_find(ex, "smtp", "enhanced", word), out, n, k);
		word_at(&rest, ++wi, word);
	}
	/* An EHLO keyword line ("250-PIPELINING", "250 HELP"). */
	if (!strcmp(code, "250") && wi == 0)
		add(explain_find(ex, "smtp", "keyword", word), out, n, k);
}

static void pop3_server(const struct explain *ex, const struct words *w, const struct explain_entry **out, size_t n,
			size_t *k)
{
	char status[WORD_MAX], second[WORD_MAX];
	word_at(w, 0, status);
	if (strcmp(status, "+OK") && strcmp(status, "-ERR"))
		return;
	add(explain_find(ex, "pop3", "status", status), out, n, k);
	word_at(w, 1, second);
	char *close = strchr(second, ']');
	if (second[0] == '[' && close) {
		*close = 0;
		add(explain_find(ex, "pop3", "code", second + 1), out, n, k);
	}
}

static void imap_client(const struct explain *ex, const struct words *w, const struct explain_entry **out, size_t n,
			size_t *k)
{
	char first[WORD_MAX], cmd[WORD_MAX];
	word_at(w, 0, first);
	if (!strcasecmp(first, "DONE") && !word_at(w, 1, cmd)[0]) {
		add(explain_find(ex, "imap", "command", "DONE"), out, n, k);
		return;
	}
	word_at(w, 1, cmd);
	const struct explain_entry *e = explain_find(ex, "imap", "command", cmd);
	if (!e)
		return;
	add(explain_find(ex, "imap", "note", "tag"), out, n, k);
	add(e, out, n, k);
	if (!strcasecmp(cmd, "UID"))
		add(explain_find(ex, "imap", "command", word_at(w, 2, cmd)), out, n, k);
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

static void imap_server(const struct explain *ex, const struct words *w, const struct explain_entry **out, size_t n,
			size_t *k)
{
	char first[WORD_MAX], word[WORD_MAX];
	word_at(w, 0, first);
	if (!strcmp(first, "+")) {
		add(explain_find(ex, "imap", "response", "+"), out, n, k);
		return;
	}
	if (!first[0])
		return;
	int untagged = !strcmp(first, "*");
	int wi = 1;
	word_at(w, wi, word);
	if (untagged && all_digits(word))
		word_at(w, ++wi, word);
	const struct explain_entry *status = explain_find(ex, "imap", "status", word);
	if (!untagged && !status)
		return; /* not a tagged status: a literal's content */
	if (status) {
		add(status, out, n, k);
		char code[WORD_MAX];
		word_at(w, wi + 1, code);
		if (code[0] == '[') {
			size_t m = strcspn(code + 1, "] ");
			code[1 + m] = 0;
			add(explain_find(ex, "imap", "code", code + 1), out, n, k);
		}
		return;
	}
	add(explain_find(ex, "imap", "response", word), out, n, k);
}

size_t explain_line(const struct explain *ex, const char *proto, int from_client, const char *text, size_t len,
		    const struct explain_entry **out, size_t n)
{
	size_t k = 0;
	if (!ex || !proto || !text)
		return 0;
	struct words w = {text, len};
	if (!strcasecmp(proto, "SMTP")) {
		if (from_client)
			smtp_client(ex, &w, out, n, &k);
		else
			smtp_server(ex, &w, out, n, &k);
	} else if (!strcasecmp(proto, "POP3")) {
		char verb[WORD_MAX];
		if (from_client)
			add(explain_find(ex, "pop3", "command", word_at(&w, 0, verb)), out, n, &k);
		else
			pop3_server(ex, &w, out, n, &k);
	} else if (!strcasecmp(proto, "IMAP")) {
		if (from_client)
			imap_client(ex, &w, out, n, &k);
		else
			imap_server(ex, &w, out, n, &k);
	}
	return k;
}

size_t explain_dns(const struct explain *ex, const char *text, const struct explain_entry **out, size_t n)
{
	size_t k = 0;
	if (!ex || !text)
		return 0;
	struct words w = {text, strlen(text)};
	char first[WORD_MAX], word[WORD_MAX];
	word_at(&w, 0, first);
	add(explain_find(ex, "dns", "event", first), out, n, &k);
	const struct explain_entry *rcode = explain_find(ex, "dns", "rcode", first);
	const struct explain_entry *type = NULL;
	/* "MX domain: ..." is the resolver's result: its word 0 is no type. */
	for (int i = 1; word_at(&w, i, word)[0] && i < 8; i++) {
		if (!rcode)
			rcode = explain_find(ex, "dns", "rcode", word);
		if (!type && strcmp(first, "MX") != 0) {
			for (char *p = word; *p; p++)
				if (islower((unsigned char)*p))
					goto next; /* types are upper case; names mostly not */
			type = explain_find(ex, "dns", "type", word);
		}
	next:;
	}
	if (!strcmp(first, "MX"))
		type = explain_find(ex, "dns", "type", "MX");
	add(rcode, out, n, &k);
	add(type, out, n, &k);
	return k;
}
