/* Small helpers shared by the observers (internal to sim/observe): names of
 * hosts and links that never fail, TCP flag notations, and escaping of
 * application text for one-line output. */
#ifndef SIM_OBS_UTIL_H
#define SIM_OBS_UTIL_H

#include <stddef.h>
#include <stdint.h>

struct net;

/* The host's name, or "-" for host -1 or any number the network does not
 * know (records are never trusted to be well formed). */
const char *obs_host_label(const struct net *net, int host);
/* The link's "a-b" name, or "-" for an unknown link. */
const char *obs_link_label(const struct net *net, int link);

/* TCP flags in tcpdump's notation: "S", "S.", ".", "P.", "F.", "R", "R."
 * ('.' is ACK; "none" for no flag), into buf (8 bytes). */
char *obs_tcp_flags_tcpdump(uint8_t flags, char *buf);
/* TCP flags as the letters of the set bits in wire order FSRPA ("SA" for
 * SYN+ACK, "" for none), into buf (8 bytes). */
char *obs_tcp_flags_letters(uint8_t flags, char *buf);

/* Decimal text of v into buf (24 bytes); returns buf. The trace formats
 * several integers per record, and snprintf costs more than the rest of
 * the record. */
char *obs_fmt_u64(uint64_t v, char *buf);
char *obs_fmt_i64(int64_t v, char *buf);
/* Dotted quad of ip (host byte order) into buf (16 bytes); returns buf. */
char *obs_fmt_ip(uint32_t ip, char *buf);

/* Length of the longest prefix of s that is valid UTF-8 (RFC 3629: no
 * overlong forms, surrogates or code points above U+10FFFF). */
size_t obs_utf8_valid_prefix(const char *s);
/* Copies s into out (size at least 3 * strlen(s) + 1) with each byte that
 * is not part of valid UTF-8 replaced by U+FFFD, so JSON readers accept
 * any application text. Returns out. */
char *obs_utf8_sanitize(const char *s, char *out);

/* Writes text (NULL taken as "") to buf as one printable line: \r \n \t \\
 * escaped, other control bytes as \xNN, bytes >= 0x80 unchanged (UTF-8).
 * Truncates with "..." to fit size (>= 8). Returns buf. */
char *obs_escape_line(const char *text, char *buf, size_t size);
/* The same for len bytes of text, NUL bytes included (as \x00). */
char *obs_escape_bytes(const char *text, size_t len, char *buf, size_t size);

#endif
