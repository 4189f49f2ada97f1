/* A position-finding JSON scanner for error messages. See json_locate.h.
 * Whitespace follows cJSON's rule (any byte <= 32) so both agree on where a
 * value starts; a UTF-8 byte order mark at the start is skipped as cJSON
 * does. */
#include "sim/scenario/json_locate.h"

#include <stdint.h>
#include <string.h>

struct scan {
	const char *s;
	size_t len, pos;
};

static void skip_ws(struct scan *sc)
{
	while (sc->pos < sc->len && (unsigned char)sc->s[sc->pos] <= 32)
		sc->pos++;
}

static int peek(const struct scan *sc) { return sc->pos < sc->len ? (unsigned char)sc->s[sc->pos] : -1; }

/* Skips a string starting at its opening quote. */
static int skip_string(struct scan *sc)
{
	if (peek(sc) != '"')
		return -1;
	sc->pos++;
	while (sc->pos < sc->len) {
		char c = sc->s[sc->pos++];
		if (c == '\\')
			sc->pos++;
		else if (c == '"')
			return 0;
	}
	return -1;
}

static int hex4(const char *p, unsigned *v_r)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*v_r = v;
	return 0;
}

static size_t put_utf8(unsigned cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Reads a string and tells whether its decoded text equals want, decoding
 * escapes the way cJSON does so keys such as "n\u0061me" still match. */
static int string_equals(struct scan *sc, const char *want, int *eq_r)
{
	size_t wlen = strlen(want), wpos = 0;
	int eq = 1;
	if (peek(sc) != '"')
		return -1;
	sc->pos++;
	for (;;) {
		if (sc->pos >= sc->len)
			return -1;
		char c = sc->s[sc->pos++];
		char buf[4];
		size_t n = 1;
		if (c == '"')
			break;
		if (c != '\\') {
			buf[0] = c;
		} else {
			if (sc->pos >= sc->len)
				return -1;
			char e = sc->s[sc->pos++];
			switch (e) {
			case 'b': buf[0] = '\b'; break;
			case 'f': buf[0] = '\f'; break;
			case 'n': buf[0] = '\n'; break;
			case 'r': buf[0] = '\r'; break;
			case 't': buf[0] = '\t'; break;
			case 'u': {
				unsigned cp;
				if (sc->pos + 4 > sc->len || hex4(sc->s + sc->pos, &cp) < 0)
					return -1;
				sc->pos += 4;
				if (cp >= 0xD800 && cp < 0xDC00 && sc->pos + 6 <= sc->len && sc->s[sc->pos] == '\\' &&
				    sc->s[sc->pos + 1] == 'u') {
					unsigned lo;
					if (hex4(sc->s + sc->pos + 2, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
						sc->pos += 6;
						cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					}
				}
				n = put_utf8(cp, buf);
				break;
			}
			default: buf[0] = e; break;
			}
		}
		if (eq) {
			if (wpos + n > wlen || memcmp(want + wpos, buf, n) != 0)
				eq = 0;
			else
				wpos += n;
		}
	}
	*eq_r = eq && wpos == wlen;
	return 0;
}

/* Skips one value of any kind. Containers are skipped with a depth counter,
 * not recursion, so hostile nesting cannot exhaust the stack. */
static int skip_value(struct scan *sc)
{
	skip_ws(sc);
	int c = peek(sc);
	if (c < 0)
		return -1;
	if (c == '"')
		return skip_string(sc);
	if (c != '{' && c != '[') {
		size_t start = sc->pos;
		while (sc->pos < sc->len) {
			unsigned char b = (unsigned char)sc->s[sc->pos];
			if (b <= 32 || b == ',' || b == ']' || b == '}')
				break;
			sc->pos++;
		}
		return sc->pos > start ? 0 : -1;
	}
	size_t depth = 0;
	while (sc->pos < sc->len) {
		c = peek(sc);
		if (c == '"') {
			if (skip_string(sc) < 0)
				return -1;
			continue;
		}
		sc->pos++;
		if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (--depth == 0)
				return 0;
		}
	}
	return -1;
}

/* With sc at an object's '{', moves to the nth member named key: sets
 * *key_r to the key's offset and leaves sc at the value. */
static int find_member(struct scan *sc, const char *key, int nth, size_t *key_r)
{
	if (peek(sc) != '{')
		return -1;
	sc->pos++;
	for (;;) {
		skip_ws(sc);
		if (peek(sc) == '}')
			return -1;
		size_t key_at = sc->pos;
		int eq;
		if (string_equals(sc, key, &eq) < 0)
			return -1;
		skip_ws(sc);
		if (peek(sc) != ':')
			return -1;
		sc->pos++;
		skip_ws(sc);
		if (eq && nth-- == 0) {
			*key_r = key_at;
			return 0;
		}
		if (skip_value(sc) < 0)
			return -1;
		skip_ws(sc);
		if (peek(sc) != ',')
			return -1;
		sc->pos++;
	}
}

static int find_element(struct scan *sc, size_t index)
{
	if (peek(sc) != '[')
		return -1;
	sc->pos++;
	skip_ws(sc);
	if (peek(sc) == ']')
		return -1;
	for (size_t i = 0;; i++) {
		skip_ws(sc);
		if (i == index)
			return 0;
		if (skip_value(sc) < 0)
			return -1;
		skip_ws(sc);
		if (peek(sc) != ',')
			return -1;
		sc->pos++;
	}
}

void json_line_col(const char *text, size_t len, size_t offset, int *line_r, int *col_r)
{
	int line = 1, col = 1;
	if (offset > len)
		offset = len;
	for (size_t i = 0; i < offset; i++) {
		if (text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	*line_r = line;
	*col_r = col;
}

int json_locate(const char *text, size_t len, const struct json_path_elem *path, int depth, struct json_loc *loc_r)
{
	struct scan sc = {text, len, 0};
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		sc.pos = 3;
	skip_ws(&sc);
	size_t key_at = sc.pos;
	for (int i = 0; i < depth; i++) {
		if (path[i].key) {
			if (find_member(&sc, path[i].key, path[i].nth, &key_at) < 0)
				return -1;
		} else {
			if (find_element(&sc, path[i].index) < 0)
				return -1;
			key_at = sc.pos;
		}
	}
	if (sc.pos >= len)
		return -1;
	loc_r->key_offset = key_at;
	loc_r->value_offset = sc.pos;
	json_line_col(text, len, sc.pos, &loc_r->line, &loc_r->col);
	int col;
	json_line_col(text, len, key_at, &loc_r->key_line, &col);
	return 0;
}
