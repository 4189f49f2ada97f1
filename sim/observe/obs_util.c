/* Helpers shared by the observers. See obs_util.h. */
#include "sim/observe/obs_util.h"

#include <stdio.h>
#include <string.h>

#include "sim/net/net.h"
#include "sim/net/packet.h"

const char *obs_host_label(const struct net *net, int host)
{
	if (!net || host < 0 || host >= net_host_count(net))
		return "-";
	const char *name = net_host_name(net, host);
	return name ? name : "-";
}

const char *obs_link_label(const struct net *net, int link)
{
	if (!net || link < 0 || link >= net_link_count(net))
		return "-";
	const char *name = net_link_name(net, link);
	return name ? name : "-";
}

char *obs_tcp_flags_tcpdump(uint8_t flags, char *buf)
{
	char *p = buf;
	if (flags & TCP_SYN)
		*p++ = 'S';
	if (flags & TCP_FIN)
		*p++ = 'F';
	if (flags & TCP_PSH)
		*p++ = 'P';
	if (flags & TCP_RST)
		*p++ = 'R';
	if (flags & TCP_ACK)
		*p++ = '.';
	if (p == buf) {
		memcpy(p, "none", 4); /* as tcpdump prints it */
		p += 4;
	}
	*p = '\0';
	return buf;
}

char *obs_tcp_flags_letters(uint8_t flags, char *buf)
{
	static const char letters[] = "FSRPA";
	char *p = buf;
	for (int i = 0; i < 5; i++)
		if (flags & (1u << i))
			*p++ = letters[i];
	*p = '\0';
	return buf;
}

char *obs_fmt_u64(uint64_t v, char *buf)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (int i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return buf;
}

char *obs_fmt_i64(int64_t v, char *buf)
{
	if (v >= 0)
		return obs_fmt_u64((uint64_t)v, buf);
	buf[0] = '-';
	obs_fmt_u64((uint64_t)0 - (uint64_t)v, buf + 1);
	return buf;
}

char *obs_fmt_ip(uint32_t ip, char *buf)
{
	char *p = buf;
	for (int shift = 24; shift >= 0; shift -= 8) {
		unsigned b = (ip >> shift) & 0xff;
		if (b >= 100)
			*p++ = (char)('0' + b / 100);
		if (b >= 10)
			*p++ = (char)('0' + b / 10 % 10);
		*p++ = (char)('0' + b % 10);
		*p++ = shift ? '.' : '\0';
	}
	return buf;
}

/* Length of the valid UTF-8 sequence at s, or 0 if none starts there. */
static size_t utf8_sequence(const unsigned char *s)
{
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	size_t n;
	unsigned min, cp;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2, min = 0x80, cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3, min = 0x800, cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4, min = 0x10000, cp = c & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

size_t obs_utf8_valid_prefix(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;
	while (*p && (n = utf8_sequence(p)) > 0)
		p += n;
	return (size_t)(p - (const unsigned char *)s);
}

char *obs_utf8_sanitize(const char *s, char *out)
{
	const unsigned char *p = (const unsigned char *)s;
	char *o = out;
	while (*p) {
		size_t n = utf8_sequence(p);
		if (n) {
			memcpy(o, p, n);
			o += n;
			p += n;
		} else {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			p++;
		}
	}
	*o = '\0';
	return out;
}

/* Writes the escaped form of c to out (5 bytes); returns its length. */
static size_t escape_char(unsigned char c, char *out)
{
	switch (c) {
	case '\r': memcpy(out, "\\r", 2); return 2;
	case '\n': memcpy(out, "\\n", 2); return 2;
	case '\t': memcpy(out, "\\t", 2); return 2;
	case '\\': memcpy(out, "\\\\", 2); return 2;
	default:
		if (c < 0x20 || c == 0x7f) {
			snprintf(out, 5, "\\x%02x", c);
			return 4;
		}
		out[0] = (char)c;
		return 1;
	}
}

static size_t escaped_length(const unsigned char *s, size_t len)
{
	char tmp[5];
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += escape_char(s[i], tmp);
	return n;
}

char *obs_escape_bytes(const char *text, size_t len, char *buf, size_t size)
{
	size_t o = 0;
	const unsigned char *s = (const unsigned char *)(text ? text : "");
	if (!text)
		len = 0;
	for (size_t i = 0; i < len; i++) {
		char tmp[5];
		size_t n = escape_char(s[i], tmp);
		/* Keep room for "..." and the NUL unless the rest fits whole. */
		if (o + n + 4 > size && o + escaped_length(s + i, len - i) + 1 > size) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		memcpy(buf + o, tmp, n);
		o += n;
	}
	buf[o] = '\0';
	return buf;
}

char *obs_escape_line(const char *text, char *buf, size_t size)
{
	return obs_escape_bytes(text, text ? strlen(text) : 0, buf, size);
}
