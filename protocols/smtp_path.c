/* RFC 5321 path syntax; see smtp_path.h. Each scanner returns the octets it
 * matched, 0 when nothing matched. */
#include "protocols/smtp_path.h"

#include <string.h>
#include <strings.h>

static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_digit(int c) { return c >= '0' && c <= '9'; }

/* atext, RFC 5322 3.2.3 */
static int is_atext(int c)
{
	return is_alpha(c) || is_digit(c) || (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* Dot-string = Atom *("." Atom) */
static size_t scan_dot_string(const char *s, size_t len)
{
	size_t i = 0;
	for (;;) {
		size_t start = i;
		while (i < len && is_atext((unsigned char)s[i]))
			i++;
		if (i == start)
			return 0;
		if (i < len && s[i] == '.' && i + 1 < len && is_atext((unsigned char)s[i + 1])) {
			i++;
			continue;
		}
		return i;
	}
}

/* Quoted-string = DQUOTE *QcontentSMTP DQUOTE */
static size_t scan_quoted(const char *s, size_t len)
{
	if (len < 2 || s[0] != '"')
		return 0;
	for (size_t i = 1; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"')
			return i + 1;
		if (c == '\\') {
			if (i + 1 >= len || (unsigned char)s[i + 1] < 32 || (unsigned char)s[i + 1] > 126)
				return 0;
			i++;
			continue;
		}
		if (c < 32 || c > 126)
			return 0;
	}
	return 0;
}

/* Domain = sub-domain *("." sub-domain); sub-domain = Let-dig [Ldh-str] */
static size_t scan_domain(const char *s, size_t len)
{
	size_t i = 0;
	for (;;) {
		size_t start = i;
		while (i < len && (is_alpha((unsigned char)s[i]) || is_digit((unsigned char)s[i]) || s[i] == '-'))
			i++;
		if (i == start || s[start] == '-' || s[i - 1] == '-')
			return 0;
		if (i < len && s[i] == '.' && i + 1 < len && s[i + 1] != '.') {
			i++;
			continue;
		}
		return i;
	}
}

/* address-literal = "[" ... "]"; the inside is checked as the general
 * form (dcontent = %d33-90 / %d94-126), which covers IPv4 and IPv6. */
static size_t scan_address_literal(const char *s, size_t len)
{
	if (len < 3 || s[0] != '[')
		return 0;
	for (size_t i = 1; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ']')
			return i > 1 ? i + 1 : 0;
		if (c < 33 || c > 126 || c == '[' || c == '\\')
			return 0;
	}
	return 0;
}

/* Mailbox = Local-part "@" ( Domain / address-literal ); returns 0 unless
 * it matched and respects the length limits. */
static size_t scan_mailbox(const char *s, size_t len)
{
	size_t lp = s[0] == '"' ? scan_quoted(s, len) : scan_dot_string(s, len);
	if (lp == 0 || lp > 64 || lp >= len || s[lp] != '@')
		return 0;
	const char *d = s + lp + 1;
	size_t dlen = len - lp - 1;
	size_t dn = dlen && d[0] == '[' ? scan_address_literal(d, dlen) : scan_domain(d, dlen);
	if (dn == 0 || dn > 255)
		return 0;
	return lp + 1 + dn;
}

int smtp_path_parse(const char *s, size_t len, unsigned flags, char *out, size_t cap)
{
	if (cap < SMTP_PATH_MAX + 1 || len == 0 || s[0] != '<')
		return SMTP_PATH_SYNTAX;
	if (len >= 2 && s[1] == '>') {
		if (!(flags & SMTP_PATH_ALLOW_NULL))
			return SMTP_PATH_SYNTAX;
		out[0] = 0;
		return 2;
	}
	size_t i = 1;
	/* A-d-l = At-domain *( "," At-domain ) ":" */
	if (i < len && s[i] == '@') {
		for (;;) {
			if (i >= len || s[i] != '@')
				return SMTP_PATH_SYNTAX;
			i++;
			size_t dn = scan_domain(s + i, len - i);
			if (dn == 0)
				return SMTP_PATH_SYNTAX;
			i += dn;
			if (i < len && s[i] == ',') {
				i++;
				continue;
			}
			if (i < len && s[i] == ':') {
				i++;
				break;
			}
			return SMTP_PATH_SYNTAX;
		}
	}
	size_t mstart = i, mlen;
	if ((flags & SMTP_PATH_ALLOW_POSTMASTER) && len - i >= 11 && strncasecmp(s + i, "postmaster>", 11) == 0 &&
	    mstart == 1) {
		mlen = 10;
	} else {
		mlen = scan_mailbox(s + i, len - i);
		if (mlen == 0)
			return SMTP_PATH_SYNTAX;
	}
	i += mlen;
	if (i >= len || s[i] != '>')
		return SMTP_PATH_SYNTAX;
	i++;
	if (i > SMTP_PATH_MAX)
		return SMTP_PATH_TOO_LONG;
	memcpy(out, s + mstart, mlen);
	out[mlen] = 0;
	return (int)i;
}

int smtp_mailbox_valid(const char *mailbox, unsigned flags)
{
	size_t len = strlen(mailbox);
	if (len == 0)
		return (flags & SMTP_PATH_ALLOW_NULL) != 0;
	if ((flags & SMTP_PATH_ALLOW_POSTMASTER) && strcasecmp(mailbox, "postmaster") == 0)
		return 1;
	return len + 2 <= SMTP_PATH_MAX && scan_mailbox(mailbox, len) == len;
}

int smtp_domain_valid(const char *s, size_t len)
{
	if (len == 0 || len > 255)
		return 0;
	size_t n = s[0] == '[' ? scan_address_literal(s, len) : scan_domain(s, len);
	return n == len;
}
