/* base64, quoted-printable, RFC 2047 encoded-words, RFC 2231 percent
 * encoding and charset conversion to UTF-8 (see codec.h). The base64 decoder
 * is on the parse hot path of large attachments: its inner loop decodes four
 * characters at a time straight into reserved buffer space. */
#include "protocols/codec.h"

#include <stdint.h>
#include <string.h>

#include "protocols/proto_err.h"

static const char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char hex_upper[] = "0123456789ABCDEF";

/* Decoding table: 0..63 sextets, B64_PAD '=', B64_SPACE CR/LF/SP/TAB, B64_BAD others. */
enum { B64_PAD = 64, B64_SPACE = 65, B64_BAD = 255 };
static unsigned char b64_table[256];
static int b64_table_ready;

static void b64_init(void)
{
	if (b64_table_ready)
		return;
	memset(b64_table, B64_BAD, sizeof b64_table);
	for (int i = 0; i < 64; i++)
		b64_table[(unsigned char)b64_alphabet[i]] = (unsigned char)i;
	b64_table['='] = B64_PAD;
	b64_table['\r'] = b64_table['\n'] = b64_table[' '] = b64_table['\t'] = B64_SPACE;
	b64_table_ready = 1;
}

static void flag(unsigned *defects_r, unsigned bit)
{
	if (defects_r)
		*defects_r |= bit;
}

int codec_b64_encode(struct buf *out, const void *in, size_t n, size_t line_len)
{
	const unsigned char *p = in;
	if (line_len) {
		line_len -= line_len % 4;
		if (!line_len)
			line_len = 4;
	}
	size_t chars = (n + 2) / 3 * 4;
	size_t lines = line_len ? (chars + line_len - 1) / line_len : 0;
	int rc = buf_reserve(out, chars + 2 * lines);
	if (rc < 0)
		return rc;
	char *o = out->data + out->len;
	size_t col = 0;
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		o[0] = b64_alphabet[v >> 18];
		o[1] = b64_alphabet[(v >> 12) & 63];
		o[2] = b64_alphabet[(v >> 6) & 63];
		o[3] = b64_alphabet[v & 63];
		o += 4;
		if (line_len && (col += 4) == line_len) {
			*o++ = '\r';
			*o++ = '\n';
			col = 0;
		}
	}
	if (i < n) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0);
		o[0] = b64_alphabet[v >> 18];
		o[1] = b64_alphabet[(v >> 12) & 63];
		o[2] = i + 1 < n ? b64_alphabet[(v >> 6) & 63] : '=';
		o[3] = '=';
		o += 4;
		col += 4;
	}
	if (line_len && col) {
		*o++ = '\r';
		*o++ = '\n';
	}
	out->len = (size_t)(o - out->data);
	out->data[out->len] = '\0';
	return 0;
}

int codec_b64_decode(struct buf *out, const char *in, size_t n, enum codec_mode mode, unsigned *defects_r)
{
	b64_init();
	const unsigned char *s = (const unsigned char *)in;
	int rc = buf_reserve(out, n / 4 * 3 + 3);
	if (rc < 0)
		return rc;
	unsigned char *o = (unsigned char *)out->data + out->len;
	unsigned acc = 0;
	int have = 0; /* sextets in acc */
	size_t i = 0;
	int pad = 0;
	while (i < n) {
		/* Fast path: four alphabet characters in a row, at a quad boundary. */
		if (have == 0) {
			while (i + 4 <= n) {
				unsigned a = b64_table[s[i]], b = b64_table[s[i + 1]], c = b64_table[s[i + 2]],
					 d = b64_table[s[i + 3]];
				if ((a | b | c | d) >= 64)
					break;
				unsigned v = a << 18 | b << 12 | c << 6 | d;
				o[0] = (unsigned char)(v >> 16);
				o[1] = (unsigned char)(v >> 8);
				o[2] = (unsigned char)v;
				o += 3;
				i += 4;
			}
			if (i >= n)
				break;
		}
		unsigned t = b64_table[s[i]];
		if (t < 64) {
			acc = acc << 6 | t;
			if (++have == 4) {
				o[0] = (unsigned char)(acc >> 16);
				o[1] = (unsigned char)(acc >> 8);
				o[2] = (unsigned char)acc;
				o += 3;
				have = 0;
				acc = 0;
			}
		} else if (t == B64_PAD) {
			pad = 1;
			break;
		} else if (t == B64_SPACE) {
			if (mode == CODEC_STRICT && s[i] != '\r' && s[i] != '\n')
				goto invalid;
		} else {
			if (mode == CODEC_STRICT)
				goto invalid;
			flag(defects_r, CODEC_D_B64_CHAR);
		}
		i++;
	}
	/* The tail: 2 or 3 leftover sextets make 1 or 2 bytes. */
	if (have == 1) {
		if (mode == CODEC_STRICT)
			goto invalid;
		flag(defects_r, CODEC_D_B64_PAD);
	} else if (have >= 2) {
		int want_pad = 4 - have;
		int got = 0;
		size_t j = i;
		while (j < n && got < want_pad) {
			unsigned t = b64_table[s[j]];
			if (t == B64_PAD)
				got++;
			else if (t != B64_SPACE)
				break;
			j++;
		}
		if (got != want_pad) {
			if (mode == CODEC_STRICT)
				goto invalid;
			flag(defects_r, CODEC_D_B64_PAD);
		}
		if ((have == 2 && (acc & 15)) || (have == 3 && (acc & 3))) {
			if (mode == CODEC_STRICT)
				goto invalid;
		}
		if (have == 2) {
			*o++ = (unsigned char)(acc >> 4);
		} else {
			*o++ = (unsigned char)(acc >> 10);
			*o++ = (unsigned char)(acc >> 2);
		}
		i = j;
		pad = 0;
	} else if (pad) {
		/* Padding where a quad begins. */
		if (mode == CODEC_STRICT)
			goto invalid;
		flag(defects_r, CODEC_D_B64_PAD);
	}
	/* Anything but padding and white space after the end is an oddity. */
	for (; i < n; i++) {
		unsigned t = b64_table[s[i]];
		if (t == B64_SPACE || t == B64_PAD)
			continue;
		if (mode == CODEC_STRICT)
			goto invalid;
		flag(defects_r, CODEC_D_B64_PAD);
		break;
	}
	out->len = (size_t)((char *)o - out->data);
	out->data[out->len] = '\0';
	return 0;
invalid:
	out->len = (size_t)((char *)o - out->data);
	out->data[out->len] = '\0';
	return PROTO_EINVAL;
}

/* ---- quoted-printable ---- */

int codec_qp_encode(struct buf *out, const void *in, size_t n, int binary)
{
	const unsigned char *p = in;
	/* Worst case: every octet escaped, plus a soft break every 25 escapes. */
	if (n > ((size_t)-1) / 4)
		return PROTO_ELIMIT;
	int rc = buf_reserve(out, 3 * n + (n / 25 + 1) * 3 + 8);
	if (rc < 0)
		return rc;
	char *o = out->data + out->len;
	size_t col = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned c = p[i];
		if (!binary && c == '\r' && i + 1 < n && p[i + 1] == '\n') {
			*o++ = '\r';
			*o++ = '\n';
			col = 0;
			i++;
			continue;
		}
		int literal;
		if (c >= 33 && c <= 126 && c != '=') {
			/* A dot at a line start survives naive transports better encoded. */
			literal = col != 0 || c != '.';
		} else if (c == ' ' || c == '\t') {
			/* White space is literal unless it would end a line. */
			int at_eol = i + 1 == n || (!binary && p[i + 1] == '\r' && i + 2 < n && p[i + 2] == '\n');
			literal = !at_eol;
		} else {
			literal = 0;
		}
		size_t w = literal ? 1 : 3;
		if (col + w > 75) {
			*o++ = '=';
			*o++ = '\r';
			*o++ = '\n';
			col = 0;
		}
		if (literal) {
			*o++ = (char)c;
		} else {
			*o++ = '=';
			*o++ = hex_upper[c >> 4];
			*o++ = hex_upper[c & 15];
		}
		col += w;
	}
	out->len = (size_t)(o - out->data);
	out->data[out->len] = '\0';
	return 0;
}

#define H16(b) b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b
static const signed char hex_table[256] = {
	H16(-1), H16(-1), H16(-1),
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -1, -1, -1, -1, -1,
	-1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1, H16(-1),
	-1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1, H16(-1),
	H16(-1), H16(-1), H16(-1), H16(-1), H16(-1), H16(-1), H16(-1), H16(-1),
};

/* The value of a hex digit (either case), or -1. */
static int hexval(int c) { return hex_table[(unsigned char)c]; }

/* Nonzero if any byte of w is '=', below 32 or above 126. */
static uint64_t qp_word_special(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t eq = w ^ (ones * '=');
	uint64_t has_eq = (eq - ones) & ~eq & high;
	uint64_t lt32 = (w - ones * 32) & ~w & high;
	uint64_t gt126 = ((w + ones * (127 - 126)) | w) & high;
	return has_eq | lt32 | gt126;
}

/* Index of the lowest-addressed byte flagged in a SWAR mask (bytes above
 * a true hit may be false positives, never below). */
static size_t first_marked_byte(uint64_t m)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && defined(__GNUC__)
	return (size_t)__builtin_ctzll(m) / 8;
#else
	(void)m;
	return 0;
#endif
}

int codec_qp_decode(struct buf *out, const char *in, size_t n, enum codec_mode mode, unsigned *defects_r)
{
	const unsigned char *s = (const unsigned char *)in;
	/* The output is never longer than the input: decode straight into it. */
	int rc = buf_reserve(out, n);
	if (rc < 0)
		return rc;
	unsigned char *o = (unsigned char *)out->data + out->len;
	unsigned bad = 0;
	size_t i = 0;
	while (i < n) {
		/* One line: [i, end) without its line break [brk, end]. */
		const unsigned char *nl = memchr(s + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - s) : n;
		size_t brk = end;
		if (brk > i && s[brk - 1] == '\r' && end < n)
			brk--;
		size_t text_end = brk;
		while (text_end > i && (s[text_end - 1] == ' ' || s[text_end - 1] == '\t'))
			text_end--;
		/* Encoders such as Python's write 77-78 characters; only lines past
		 * SMTP's 998 are worth a defect when reading leniently. */
		if (brk - i > (mode == CODEC_STRICT ? 76u : 998u))
			bad |= CODEC_D_QP_LINE;
		int soft = 0;
		size_t j = i;
		while (j < text_end) {
			/* Eight literal octets at a time while there is no '=' and no
			 * control or 8-bit octet among them (SWAR byte tests). */
			while (j + 8 <= text_end) {
				uint64_t w;
				memcpy(&w, s + j, 8);
				uint64_t m = qp_word_special(w);
				memcpy(o, &w, 8); /* output room: we never write past n */
				if (m) {
					/* Keep the clean octets before the first special one. */
					size_t k = first_marked_byte(m);
					o += k;
					j += k;
					break;
				}
				o += 8;
				j += 8;
			}
			if (j >= text_end)
				break;
			unsigned c = s[j];
			if (c != '=') {
				bad |= (((c - 32u) > 94u) & (c != '\t')) ? CODEC_D_QP_LINE : 0;
				*o++ = (unsigned char)c;
				j++;
				continue;
			}
			if (j + 1 == text_end) {
				soft = 1;
				break;
			}
			int h = j + 2 < text_end ? hexval(s[j + 1]) : -1;
			int l = h >= 0 ? hexval(s[j + 2]) : -1;
			if (h >= 0 && l >= 0) {
				*o++ = (unsigned char)(h << 4 | l);
				j += 3;
			} else {
				bad |= CODEC_D_QP_ESCAPE;
				*o++ = '=';
				j++;
			}
		}
		if (end < n && !soft) {
			memcpy(o, s + brk, end + 1 - brk);
			o += end + 1 - brk;
		}
		i = end < n ? end + 1 : n;
		if (bad && mode == CODEC_STRICT)
			break;
	}
	out->len = (size_t)((char *)o - out->data);
	out->data[out->len] = '\0';
	flag(defects_r, bad);
	return bad && mode == CODEC_STRICT ? PROTO_EINVAL : 0;
}

/* ---- charsets ---- */

int codec_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len;
		unsigned min;
		if (c >= 0xC2 && c <= 0xDF) {
			len = 2;
			min = 0x80;
		} else if (c >= 0xE0 && c <= 0xEF) {
			len = 3;
			min = 0x800;
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4;
			min = 0x10000;
		} else {
			return 0;
		}
		if (i + len > n)
			return 0;
		unsigned cp = c & (0x7F >> len);
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += len;
	}
	return 1;
}

int codec_has_8bit(const char *s, size_t n)
{
	size_t i = 0;
	uint64_t acc = 0;
	for (; i + 32 <= n; i += 32) {
		uint64_t w[4];
		memcpy(w, s + i, 32);
		acc |= w[0] | w[1] | w[2] | w[3];
		if (acc & 0x8080808080808080ULL)
			return 1;
	}
	for (; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 1;
	return (acc & 0x8080808080808080ULL) != 0;
}

int codec_is_ascii_text(const char *str, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)str[i];
		if ((c < 32 && c != '\t') || c > 126)
			return 0;
	}
	return 1;
}

static void put_utf8(struct buf *out, unsigned cp)
{
	char u[4];
	if (cp < 0x80) {
		buf_putc(out, (int)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3F));
		buf_append(out, u, 2);
	} else {
		u[0] = (char)(0xE0 | cp >> 12);
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		buf_append(out, u, 3);
	}
}

/* windows-1252 0x80..0x9F (0 where undefined, read as the C1 control). */
static const unsigned short cp1252_high[32] = {
	0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
	0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
	0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

enum cs { CS_UTF8, CS_LATIN1, CS_LATIN9, CS_CP1252, CS_UNKNOWN };

static int label_is(const char *label, const char *const *names)
{
	for (; *names; names++) {
		const char *a = label, *b = *names;
		while (*a && *b && (*a | 0x20) == (*b | 0x20))
			a++, b++;
		if (!*a && !*b)
			return 1;
	}
	return 0;
}

static enum cs charset_kind(const char *label)
{
	static const char *const utf8[] = {"utf-8", "utf8", "us-ascii", "ascii", "us", "ansi_x3.4-1968", NULL};
	static const char *const latin1[] = {"iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1",
					     "iso-ir-100", "cp819", "ibm819", "iso_8859-1:1987", NULL};
	static const char *const latin9[] = {"iso-8859-15", "iso8859-15", "iso_8859-15", "latin-9", "latin9", NULL};
	static const char *const cp1252[] = {"windows-1252", "cp1252", "x-cp1252", NULL};
	if (!label || !*label || label_is(label, utf8))
		return CS_UTF8;
	if (label_is(label, latin1))
		return CS_LATIN1;
	if (label_is(label, latin9))
		return CS_LATIN9;
	if (label_is(label, cp1252))
		return CS_CP1252;
	return CS_UNKNOWN;
}

static unsigned latin9_map(unsigned c)
{
	switch (c) {
	case 0xA4: return 0x20AC;
	case 0xA6: return 0x0160;
	case 0xA8: return 0x0161;
	case 0xB4: return 0x017D;
	case 0xB8: return 0x017E;
	case 0xBC: return 0x0152;
	case 0xBD: return 0x0153;
	case 0xBE: return 0x0178;
	default: return c;
	}
}

static void single_byte_to_utf8(struct buf *out, enum cs kind, const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned c = s[i];
		if (kind == CS_CP1252 && c >= 0x80 && c < 0xA0 && cp1252_high[c - 0x80])
			c = cp1252_high[c - 0x80];
		else if (kind == CS_LATIN9)
			c = latin9_map(c);
		put_utf8(out, c);
	}
}

/* Copies UTF-8, replacing each ill-formed sequence by U+FFFD. */
static void utf8_repair(struct buf *out, const char *str, size_t n, unsigned *defects_r)
{
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && (unsigned char)str[j] < 0x80)
			j++;
		buf_append(out, str + i, j - i);
		if (j >= n)
			break;
		size_t len = 1;
		unsigned c = (unsigned char)str[j];
		len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
		if (j + len <= n && codec_utf8_valid(str + j, len)) {
			buf_append(out, str + j, len);
			i = j + len;
		} else {
			buf_append(out, "\xEF\xBF\xBD", 3);
			flag(defects_r, CODEC_D_UTF8);
			i = j + 1;
		}
	}
}

int codec_charset_to_utf8(struct buf *out, const char *charset, const char *in, size_t n, unsigned *defects_r)
{
	enum cs kind = charset_kind(charset);
	if (kind == CS_UNKNOWN) {
		flag(defects_r, CODEC_D_CHARSET);
		kind = codec_utf8_valid(in, n) ? CS_UTF8 : CS_LATIN1;
	}
	if (kind == CS_UTF8)
		utf8_repair(out, in, n, defects_r);
	else
		single_byte_to_utf8(out, kind, (const unsigned char *)in, n);
	return out->err;
}

/* ---- RFC 2047 ---- */

/* Recognises an encoded-word at s[0..n): =?charset[*lang]?B|Q?text?=. On
 * success fills the pieces and returns its length, else 0. */
static size_t parse_word(const char *s, size_t n, char *charset, size_t cs_size, char *enc_r, const char **text_r,
			 size_t *text_len_r)
{
	if (n < 8 || s[0] != '=' || s[1] != '?')
		return 0;
	size_t i = 2, cs_start = 2;
	while (i < n && s[i] != '?' && s[i] > ' ' && (unsigned char)s[i] < 127)
		i++;
	if (i >= n || s[i] != '?' || i == cs_start)
		return 0;
	size_t cs_len = i - cs_start;
	for (size_t k = cs_start; k < i; k++)
		if (s[k] == '*') {
			cs_len = k - cs_start; /* RFC 2231 language suffix */
			break;
		}
	if (cs_len == 0 || cs_len >= cs_size)
		return 0;
	memcpy(charset, s + cs_start, cs_len);
	charset[cs_len] = '\0';
	if (i + 3 >= n || s[i + 2] != '?')
		return 0;
	char e = (char)(s[i + 1] | 0x20);
	if (e != 'b' && e != 'q')
		return 0;
	size_t t = i + 3, j = t;
	while (j + 1 < n && !(s[j] == '?' && s[j + 1] == '='))  {
		if (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n')
			return 0;
		j++;
	}
	if (j + 1 >= n)
		return 0;
	*enc_r = e;
	*text_r = s + t;
	*text_len_r = j - t;
	return j + 2;
}

static int decode_word(struct buf *out, struct buf *tmp, const char *charset, char enc, const char *t, size_t tn,
		       unsigned *defects_r)
{
	buf_reset(tmp);
	if (enc == 'b') {
		unsigned d = 0;
		codec_b64_decode(tmp, t, tn, CODEC_LENIENT, &d);
		if (d)
			flag(defects_r, CODEC_D_WORD);
	} else {
		for (size_t k = 0; k < tn; k++) {
			if (t[k] == '_') {
				buf_putc(tmp, ' ');
			} else if (t[k] == '=' && k + 2 < tn && hexval(t[k + 1]) >= 0 && hexval(t[k + 2]) >= 0) {
				buf_putc(tmp, hexval(t[k + 1]) << 4 | hexval(t[k + 2]));
				k += 2;
			} else {
				if (t[k] == '=')
					flag(defects_r, CODEC_D_WORD);
				buf_putc(tmp, t[k]);
			}
		}
	}
	if (tmp->err)
		return tmp->err;
	return codec_charset_to_utf8(out, charset, tmp->data ? tmp->data : "", tmp->len, defects_r);
}

/* Raw header text (no encoded-words): UTF-8 kept, other 8-bit read as Latin-1. */
static void put_raw_text(struct buf *out, const char *s, size_t n, unsigned *defects_r)
{
	if (codec_utf8_valid(s, n)) {
		buf_append(out, s, n);
	} else {
		flag(defects_r, CODEC_D_8BIT_HEADER);
		single_byte_to_utf8(out, CS_LATIN1, (const unsigned char *)s, n);
	}
}

int codec_hdr_decode(struct buf *out, const char *in, size_t n, unsigned *defects_r)
{
	struct buf tmp;
	buf_init(&tmp, n + 16);
	size_t i = 0;
	size_t pending_ws = 0, pending_start = 0; /* white space after an encoded-word */
	int after_word = 0;
	size_t run_start = 0; /* start of raw text not yet copied */
	while (i < n) {
		char c = in[i];
		if (c == '\r' || c == '\n') {
			/* Unfold: a line break is dropped; the white space after it stays. */
			if (!after_word)
				put_raw_text(out, in + run_start, i - run_start, defects_r);
			i++;
			run_start = i;
			continue;
		}
		if (c == ' ' || c == '\t') {
			if (after_word) {
				if (!pending_ws)
					pending_start = i;
				pending_ws++;
				run_start = i + 1;
			}
			i++;
			continue;
		}
		char charset[64];
		char enc;
		const char *t;
		size_t tn;
		size_t wl = c == '=' ? parse_word(in + i, n - i, charset, sizeof charset, &enc, &t, &tn) : 0;
		if (wl) {
			if (!after_word) {
				put_raw_text(out, in + run_start, i - run_start, defects_r);
			}
			/* White space between two encoded-words is dropped. */
			int rc = decode_word(out, &tmp, charset, enc, t, tn, defects_r);
			if (rc < 0) {
				buf_free(&tmp);
				return rc;
			}
			i += wl;
			run_start = i;
			after_word = 1;
			pending_ws = 0;
			continue;
		}
		if (after_word) {
			/* The white space before ordinary text is kept. */
			if (pending_ws) {
				size_t k = pending_start;
				while (k < i) {
					if (in[k] == ' ' || in[k] == '\t')
						buf_putc(out, in[k]);
					k++;
				}
			}
			after_word = 0;
			pending_ws = 0;
			run_start = i;
		}
		if (c == '=' && i + 1 < n && in[i + 1] == '?') {
			/* Looks like a word but is not one (a word inside text, or broken). */
			size_t k = i + 2;
			while (k < n && in[k] != ' ' && in[k] != '\t' && in[k] != '\r' && in[k] != '\n')
				k++;
			if (k >= 2 && in[k - 1] == '=' && in[k - 2] == '?')
				flag(defects_r, CODEC_D_WORD);
		}
		i++;
	}
	if (!after_word)
		put_raw_text(out, in + run_start, n - run_start, defects_r);
	buf_free(&tmp);
	return out->err;
}

static int q_safe(unsigned char c, int phrase)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	if (phrase)
		return c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
	return c > 32 && c < 127 && c != '=' && c != '?' && c != '_' && c != '"' && c != '(' && c != ')' &&
	       c != ',' && c != ';' && c != ':' && c != '<' && c != '>' && c != '@' && c != '\\' && c != '[' &&
	       c != ']' && c != '.';
}

static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 1;
	return len > n ? n : len;
}

/* Encodes s[0..n) as one or more Q words separated by a space; the first
 * word is at most first_len characters long, the others 75. */
static void encode_words(struct buf *out, const unsigned char *s, size_t n, int phrase, size_t first_len)
{
	static const char open[] = "=?utf-8?q?";
	size_t max_text = first_len - (sizeof open - 1) - 2;
	size_t used = 0;
	int open_word = 0;
	size_t i = 0;
	while (i < n) {
		size_t len = utf8_seq_len(s + i, n - i);
		size_t w = 0;
		for (size_t k = 0; k < len; k++)
			w += (s[i + k] == ' ' || q_safe(s[i + k], phrase)) ? 1 : 3;
		if (open_word && used + w > max_text) {
			buf_append(out, "?= ", 3);
			open_word = 0;
			max_text = 75 - (sizeof open - 1) - 2;
		}
		if (!open_word) {
			buf_append(out, open, sizeof open - 1);
			open_word = 1;
			used = 0;
		}
		for (size_t k = 0; k < len; k++) {
			unsigned char c = s[i + k];
			if (c == ' ') {
				buf_putc(out, '_');
			} else if (q_safe(c, phrase)) {
				buf_putc(out, c);
			} else {
				char e[3] = {'=', hex_upper[c >> 4], hex_upper[c & 15]};
				buf_append(out, e, 3);
			}
		}
		used += w;
		i += len;
	}
	if (open_word)
		buf_append(out, "?=", 2);
}

static int needs_encoding(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 127 || (c < 32 && c != '\t'))
			return 1;
		if (c == '=' && i + 1 < n && s[i + 1] == '?')
			return 1;
	}
	return 0;
}

int codec_hdr_encode(struct buf *out, const char *utf8, size_t n, int phrase)
{
	return codec_hdr_encode_room(out, utf8, n, phrase, 75);
}

int codec_hdr_encode_room(struct buf *out, const char *utf8, size_t n, int phrase, size_t room)
{
	const unsigned char *s = (const unsigned char *)utf8;
	size_t start = out->len;
	if (!needs_encoding(utf8, n)) {
		buf_append(out, utf8, n);
		return out->err;
	}
	/* The first encoded word gets what is left of the first line (if that
	 * leaves room for a useful word), so the line stays within 78. */
	int first = 1;
	if (phrase) {
		encode_words(out, s, n, 1, room >= 24 && room <= 75 ? room : 75);
		return out->err;
	}
	/* Words (split at spaces) that are plain stay plain; each maximal run of
	 * words needing encoding, with the spaces inside it, becomes encoded. */
	size_t i = 0;
	while (i < n) {
		size_t ws = i;
		while (ws < n && s[ws] == ' ')
			ws++;
		size_t we = ws;
		while (we < n && s[we] != ' ')
			we++;
		if (!needs_encoding(utf8 + ws, we - ws)) {
			buf_append(out, s + i, we - i);
			i = we;
			continue;
		}
		/* Extend the run over following words that need encoding too. */
		size_t run_end = we;
		for (;;) {
			size_t a = run_end;
			while (a < n && s[a] == ' ')
				a++;
			size_t b = a;
			while (b < n && s[b] != ' ')
				b++;
			if (a == b || !needs_encoding(utf8 + a, b - a))
				break;
			run_end = b;
		}
		buf_append(out, s + i, ws - i); /* leading spaces stay literal */
		size_t left = room > out->len - start ? room - (out->len - start) : 0;
		encode_words(out, s + ws, run_end - ws, 0, first && left >= 24 && left <= 75 ? left : 75);
		first = 0;
		i = run_end;
	}
	return out->err;
}

/* ---- RFC 2231 ---- */

static int attr_char(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	return c == '!' || c == '#' || c == '$' || c == '&' || c == '+' || c == '-' || c == '.' || c == '^' ||
	       c == '_' || c == '`' || c == '|' || c == '~';
}

int codec_pct_encode(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (attr_char(c)) {
			buf_putc(out, c);
		} else {
			char e[3] = {'%', hex_upper[c >> 4], hex_upper[c & 15]};
			buf_append(out, e, 3);
		}
	}
	return out->err;
}

int codec_pct_decode(struct buf *out, const char *s, size_t n, unsigned *defects_r)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			buf_putc(out, hexval(s[i + 1]) << 4 | hexval(s[i + 2]));
			i += 2;
		} else {
			if (s[i] == '%')
				flag(defects_r, CODEC_D_WORD);
			buf_putc(out, s[i]);
		}
	}
	return out->err;
}
