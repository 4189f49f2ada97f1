/* Reading and writing IMAP4rev1 syntax (RFC 3501 sections 4 and 9): the
 * cursor readers every IMAP parser is built from, and the string and date
 * writers every IMAP renderer uses. Each reader consumes a whole element or
 * nothing (the cursor is restored on failure). */
#include "protocols/imap_syntax.h"

#include <string.h>

#include "protocols/proto_err.h"

/* Octets longer than this are never written as quoted strings. */
#define QUOTED_MAX 1000

static const char *const months[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static int fail(struct imap_cursor *c, const uint8_t *start, const char *why)
{
	c->p = start;
	c->err = why;
	return PROTO_EINVAL;
}

static int is_ctl(int ch)
{
	return ch < 0x20 || ch == 0x7f;
}

/* ATOM-CHAR: CHAR (7-bit, not NUL) that is not an atom-special. */
static int is_atom_char(int ch)
{
	if (ch <= 0 || ch > 0x7f || is_ctl(ch))
		return 0;
	return !strchr("(){ %*\"\\]", ch);
}

static int is_astring_char(int ch)
{
	return is_atom_char(ch) || ch == ']';
}

static int is_list_char(int ch)
{
	return is_atom_char(ch) || ch == '%' || ch == '*' || ch == ']';
}

static int lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch;
}

void imap_cursor_init(struct imap_cursor *c, const void *data, size_t len)
{
	c->p = data;
	c->end = c->p + len;
	c->err = NULL;
}

int imap_at_end(const struct imap_cursor *c)
{
	return c->p >= c->end;
}

int imap_peek(const struct imap_cursor *c)
{
	return c->p < c->end ? *c->p : -1;
}

int imap_expect(struct imap_cursor *c, char ch)
{
	if (c->p < c->end && lower(*c->p) == lower((unsigned char)ch)) {
		c->p++;
		return 0;
	}
	switch (ch) {
	case ' ': c->err = "expected a space"; break;
	case '(': c->err = "expected '('"; break;
	case ')': c->err = "expected ')'"; break;
	case '[': c->err = "expected '['"; break;
	case ']': c->err = "expected ']'"; break;
	case '<': c->err = "expected '<'"; break;
	case '>': c->err = "expected '>'"; break;
	case '.': c->err = "expected '.'"; break;
	default: c->err = "unexpected character"; break;
	}
	return PROTO_EINVAL;
}

int imap_sp(struct imap_cursor *c)
{
	return imap_expect(c, ' ');
}

static int is_delim(const struct imap_cursor *c, const uint8_t *q)
{
	return q >= c->end || strchr(" ()[]<", *q) != NULL;
}

int imap_accept_word(struct imap_cursor *c, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(c->end - c->p) < n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (lower(c->p[i]) != lower((unsigned char)w[i]))
			return 0;
	if (!is_delim(c, c->p + n))
		return 0;
	c->p += n;
	return 1;
}

/* Reads 1*byte with ok(byte) and, if stop is given, not in stop. */
static int read_run(struct imap_cursor *c, int (*ok)(int), const char *stop, struct buf *out, const char *why)
{
	const uint8_t *s = c->p;
	while (c->p < c->end && ok(*c->p) && !(stop && *c->p && strchr(stop, *c->p)))
		c->p++;
	if (c->p == s)
		return fail(c, s, why);
	if (buf_append(out, s, (size_t)(c->p - s)) < 0) {
		int rc = out->err;
		c->p = s;
		c->err = "out of memory";
		return rc;
	}
	return 0;
}

static int is_tag_char(int ch)
{
	return is_astring_char(ch) && ch != '+';
}

int imap_read_tag(struct imap_cursor *c, struct buf *out)
{
	return read_run(c, is_tag_char, NULL, out, "missing or malformed tag");
}

int imap_read_atom(struct imap_cursor *c, struct buf *out)
{
	return read_run(c, is_atom_char, NULL, out, "expected an atom");
}

int imap_read_atom_until(struct imap_cursor *c, const char *stop, struct buf *out)
{
	return read_run(c, is_atom_char, stop, out, "expected an atom");
}

int imap_read_number64(struct imap_cursor *c, uint64_t *n_r)
{
	const uint8_t *s = c->p;
	uint64_t v = 0;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		unsigned d = *c->p - '0';
		if (v > (UINT64_MAX - d) / 10)
			return fail(c, s, "number too large");
		v = v * 10 + d;
		c->p++;
	}
	if (c->p == s)
		return fail(c, s, "expected a number");
	*n_r = v;
	return 0;
}

int imap_read_number(struct imap_cursor *c, uint32_t *n_r)
{
	const uint8_t *s = c->p;
	uint64_t v;
	int rc = imap_read_number64(c, &v);
	if (rc < 0)
		return rc;
	if (v > UINT32_MAX)
		return fail(c, s, "number too large");
	*n_r = (uint32_t)v;
	return 0;
}

int imap_read_nz_number(struct imap_cursor *c, uint32_t *n_r)
{
	const uint8_t *s = c->p;
	uint32_t v;
	int rc = imap_read_number(c, &v);
	if (rc < 0)
		return rc;
	if (v == 0)
		return fail(c, s, "zero is not allowed here");
	*n_r = v;
	return 0;
}

static int append_or_fail(struct imap_cursor *c, const uint8_t *start, struct buf *out, const void *p, size_t n)
{
	if (buf_append(out, p, n) < 0) {
		c->p = start;
		c->err = out->err == PROTO_ELIMIT ? "string too long" : "out of memory";
		return out->err;
	}
	return 0;
}

static int read_quoted(struct imap_cursor *c, struct buf *out)
{
	const uint8_t *s = c->p;
	size_t mark = out->len;
	c->p++;
	for (;;) {
		const uint8_t *run = c->p;
		while (c->p < c->end && *c->p != '"' && *c->p != '\\' && *c->p != '\r' && *c->p != '\n' && *c->p)
			c->p++;
		if (c->p > run && append_or_fail(c, s, out, run, (size_t)(c->p - run)) < 0) {
			buf_truncate(out, mark);
			return out->err;
		}
		if (c->p >= c->end) {
			buf_truncate(out, mark);
			return fail(c, s, "unterminated quoted string");
		}
		if (*c->p == '"') {
			c->p++;
			return 0;
		}
		if (*c->p != '\\') {
			buf_truncate(out, mark);
			return fail(c, s, "CR, LF or NUL in a quoted string");
		}
		if (c->end - c->p < 2 || (c->p[1] != '"' && c->p[1] != '\\')) {
			buf_truncate(out, mark);
			return fail(c, s, "bad backslash escape in a quoted string");
		}
		if (append_or_fail(c, s, out, c->p + 1, 1) < 0) {
			buf_truncate(out, mark);
			return out->err;
		}
		c->p += 2;
	}
}

static int read_literal(struct imap_cursor *c, struct buf *out)
{
	const uint8_t *s = c->p;
	uint64_t n;
	c->p++;
	if (imap_read_number64(c, &n) < 0)
		return fail(c, s, "malformed literal announcement");
	if (c->p < c->end && *c->p == '+')
		c->p++;
	if (c->end - c->p < 3 || c->p[0] != '}' || c->p[1] != '\r' || c->p[2] != '\n')
		return fail(c, s, "malformed literal announcement");
	c->p += 3;
	if ((uint64_t)(c->end - c->p) < n)
		return fail(c, s, "literal shorter than announced");
	if (memchr(c->p, 0, (size_t)n))
		return fail(c, s, "NUL in a literal");
	if (append_or_fail(c, s, out, c->p, (size_t)n) < 0)
		return out->err;
	c->p += n;
	return 0;
}

int imap_read_string(struct imap_cursor *c, struct buf *out)
{
	int ch = imap_peek(c);
	if (ch == '"')
		return read_quoted(c, out);
	if (ch == '{')
		return read_literal(c, out);
	c->err = "expected a string";
	return PROTO_EINVAL;
}

int imap_read_astring(struct imap_cursor *c, struct buf *out)
{
	int ch = imap_peek(c);
	if (ch == '"' || ch == '{')
		return imap_read_string(c, out);
	return read_run(c, is_astring_char, NULL, out, "expected an atom or a string");
}

int imap_read_nstring(struct imap_cursor *c, struct buf *out, int *is_nil_r)
{
	if (imap_accept_word(c, "NIL")) {
		*is_nil_r = 1;
		return 0;
	}
	int rc = imap_read_string(c, out);
	if (rc == 0)
		*is_nil_r = 0;
	else if (rc == PROTO_EINVAL)
		c->err = "expected a string or NIL";
	return rc;
}

int imap_read_list_mailbox(struct imap_cursor *c, struct buf *out)
{
	int ch = imap_peek(c);
	if (ch == '"' || ch == '{')
		return imap_read_string(c, out);
	return read_run(c, is_list_char, NULL, out, "expected a mailbox pattern");
}

int imap_read_flag(struct imap_cursor *c, struct buf *out)
{
	const uint8_t *s = c->p;
	size_t mark = out->len;
	if (imap_peek(c) != '\\')
		return read_run(c, is_atom_char, NULL, out, "expected a flag");
	c->p++;
	if (append_or_fail(c, s, out, "\\", 1) < 0)
		return out->err;
	if (imap_peek(c) == '*') {
		c->p++;
		if (append_or_fail(c, s, out, "*", 1) < 0) {
			buf_truncate(out, mark);
			return out->err;
		}
		return 0;
	}
	int rc = read_run(c, is_atom_char, NULL, out, "expected a flag");
	if (rc < 0) {
		buf_truncate(out, mark);
		c->p = s;
	}
	return rc;
}

/* ---- dates ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y_r, unsigned *m_r, unsigned *d_r)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	*y_r = (int)(y + (m <= 2));
	*m_r = m;
	*d_r = d;
}

static unsigned month_days(int y, unsigned m)
{
	static const unsigned dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

static int digits(struct imap_cursor *c, int count, unsigned *v_r)
{
	unsigned v = 0;
	for (int i = 0; i < count; i++) {
		if (c->p >= c->end || *c->p < '0' || *c->p > '9')
			return -1;
		v = v * 10 + (unsigned)(*c->p++ - '0');
	}
	*v_r = v;
	return 0;
}

/* "d-Mon-yyyy" / "dd-Mon-yyyy" (and " d-" when space_day). */
static int date_text(struct imap_cursor *c, int space_day, int64_t *days_r)
{
	unsigned d = 0, y = 0, m = 0;
	if (space_day && imap_peek(c) == ' ')
		c->p++;
	if (digits(c, 1, &d) < 0)
		return -1;
	if (imap_peek(c) >= '0' && imap_peek(c) <= '9') {
		unsigned d2 = 0;
		digits(c, 1, &d2);
		d = d * 10 + d2;
	}
	if (imap_expect(c, '-') < 0 || c->end - c->p < 3)
		return -1;
	for (m = 0; m < 12; m++)
		if (lower(c->p[0]) == lower(months[m][0]) && lower(c->p[1]) == lower(months[m][1]) &&
		    lower(c->p[2]) == lower(months[m][2]))
			break;
	if (m == 12)
		return -1;
	c->p += 3;
	if (imap_expect(c, '-') < 0 || digits(c, 4, &y) < 0)
		return -1;
	if (d < 1 || d > month_days((int)y, m + 1))
		return -1;
	*days_r = days_from_civil(y, m + 1, d);
	return 0;
}

int imap_read_date(struct imap_cursor *c, int64_t *days_r)
{
	const uint8_t *s = c->p;
	int quoted = imap_peek(c) == '"';
	int64_t days;
	if (quoted)
		c->p++;
	if (date_text(c, 0, &days) < 0)
		return fail(c, s, "malformed date (expected d-Mon-yyyy)");
	if (quoted && imap_expect(c, '"') < 0)
		return fail(c, s, "malformed date (expected d-Mon-yyyy)");
	*days_r = days;
	return 0;
}

int imap_read_date_time(struct imap_cursor *c, int64_t *unix_s_r, int *zone_min_r)
{
	const uint8_t *s = c->p;
	const char *why = "malformed date-time (expected \"dd-Mon-yyyy hh:mm:ss +zzzz\")";
	int64_t days;
	unsigned hh, mm, ss, zone;
	if (imap_expect(c, '"') < 0 || date_text(c, 1, &days) < 0 || imap_sp(c) < 0 || digits(c, 2, &hh) < 0 ||
	    imap_expect(c, ':') < 0 || digits(c, 2, &mm) < 0 || imap_expect(c, ':') < 0 || digits(c, 2, &ss) < 0 ||
	    imap_sp(c) < 0)
		return fail(c, s, why);
	int sign = imap_peek(c);
	if (sign != '+' && sign != '-')
		return fail(c, s, why);
	c->p++;
	if (digits(c, 4, &zone) < 0 || imap_expect(c, '"') < 0)
		return fail(c, s, why);
	if (hh > 23 || mm > 59 || ss > 60 || zone % 100 > 59)
		return fail(c, s, why);
	int zmin = (int)(zone / 100 * 60 + zone % 100);
	if (sign == '-')
		zmin = -zmin;
	*unix_s_r = days * 86400 + hh * 3600 + mm * 60 + ss - (int64_t)zmin * 60;
	*zone_min_r = zmin;
	return 0;
}

int imap_line_literal(const uint8_t *line, size_t len, uint64_t *n_r, int *non_sync_r)
{
	if (len < 3 || line[len - 1] != '}')
		return 0;
	size_t open = len - 1;
	while (open > 0 && line[open - 1] != '{') {
		if (line[open - 1] == ' ' || line[open - 1] == '"' || line[open - 1] == '}')
			return 0; /* "}" ending an atom, not an announcement */
		open--;
	}
	if (open == 0)
		return 0;
	size_t i = open, end = len - 1;
	int plus = 0;
	if (end > i && line[end - 1] == '+') {
		plus = 1;
		end--;
	}
	if (i == end)
		return PROTO_EINVAL;
	uint64_t v = 0;
	for (; i < end; i++) {
		if (line[i] < '0' || line[i] > '9')
			return PROTO_EINVAL;
		unsigned d = line[i] - '0';
		if (v > ((UINT64_C(1) << 63) - d) / 10)
			return PROTO_EINVAL;
		v = v * 10 + d;
	}
	*n_r = v;
	*non_sync_r = plus;
	return 1;
}

/* ---- writers ---- */

static int can_quote(const uint8_t *s, size_t n)
{
	if (n > QUOTED_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\r' || s[i] == '\n' || s[i] == 0 || s[i] >= 0x80)
			return 0;
	return 1;
}

int imap_write_string(struct buf *out, const void *s, size_t n)
{
	const uint8_t *p = s;
	size_t mark = out->len;
	int rc;
	if (!can_quote(p, n)) {
		rc = buf_printf(out, "{%zu}\r\n", n);
		if (rc == 0)
			rc = buf_append(out, p, n);
	} else {
		rc = buf_reserve(out, n + 2);
		if (rc == 0)
			rc = buf_putc(out, '"');
		size_t run = 0;
		for (size_t i = 0; i < n && rc == 0; i++) {
			if (p[i] == '"' || p[i] == '\\') {
				rc = buf_append(out, p + run, i - run);
				if (rc == 0)
					rc = buf_putc(out, '\\');
				run = i;
			}
		}
		if (rc == 0)
			rc = buf_append(out, p + run, n - run);
		if (rc == 0)
			rc = buf_putc(out, '"');
	}
	if (rc < 0)
		buf_truncate(out, mark);
	return rc;
}

int imap_write_nstring(struct buf *out, const void *s, size_t n)
{
	if (!s)
		return buf_puts(out, "NIL");
	return imap_write_string(out, s, n);
}

int imap_write_astring(struct buf *out, const void *s, size_t n)
{
	const uint8_t *p = s;
	int atom = n > 0;
	for (size_t i = 0; i < n && atom; i++)
		atom = is_astring_char(p[i]);
	/* A bare NIL would read back as nil where an nstring is expected. */
	if (atom && n == 3 && lower(p[0]) == 'n' && lower(p[1]) == 'i' && lower(p[2]) == 'l')
		atom = 0;
	if (atom)
		return buf_append(out, p, n);
	return imap_write_string(out, p, n);
}

int imap_write_date_time(struct buf *out, int64_t unix_s, int zone_min)
{
	int64_t local = unix_s + (int64_t)zone_min * 60;
	int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
	int64_t secs = local - days * 86400;
	int y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	int z = zone_min < 0 ? -zone_min : zone_min;
	return buf_printf(out, "\"%02u-%s-%04d %02d:%02d:%02d %c%02d%02d\"", d, months[m - 1], y, (int)(secs / 3600),
			  (int)(secs / 60 % 60), (int)(secs % 60), zone_min < 0 ? '-' : '+', z / 60, z % 60);
}
