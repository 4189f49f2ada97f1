/* The explanations catalogue: what mailsim tells a student about every
 * command and reply its engines use (SMTP commands, ESMTP keywords, reply
 * codes and enhanced status codes; POP3 commands, status and response
 * codes; IMAP commands, responses and response codes; DNS record types,
 * rcodes and resolver events; mail and TCP events), in English and Spanish,
 * each with its RFC section.
 *
 * The data lives in one JSON file, data/explanations.json, which the build
 * embeds into the binary (explain_builtin()), so it is found from any
 * working directory; explain_load() reads another copy (a teacher's edit).
 * The stepper, `mailsim explain`, and later the telnet mode, the viewer and
 * the grader look lines up here.
 *
 *   struct explain *ex = explain_builtin(err, sizeof err);
 *   const struct explain_entry *e[EXPLAIN_LINE_MAX];
 *   size_t n = explain_line(ex, "SMTP", 0, "550 5.1.1 <x>: User unknown", 27, e, EXPLAIN_LINE_MAX);
 *   // e[0]: smtp reply 550, e[1]: smtp enhanced 5.1.1
 *   printf("%s (%s)\n", e[0]->text[EXPLAIN_ES], e[0]->rfc);
 *   explain_free(&ex);
 *
 * Entries and their strings belong to the catalogue and live until
 * explain_free(). Lookups are linear over a few hundred entries: cheap
 * next to a terminal write. */
#ifndef SIM_EXPLAIN_H
#define SIM_EXPLAIN_H

#include <stddef.h>

enum explain_lang { EXPLAIN_EN, EXPLAIN_ES, EXPLAIN_LANG_COUNT };

struct explain_entry {
	const char *proto;  /* "smtp", "pop3", "imap", "dns", "mail", "tcp" */
	const char *kind;   /* "command", "reply", "enhanced", "keyword", "class", "status", "code", ... */
	const char *key;    /* "RCPT", "550", "5.1.1", "IN-USE", "MX", ... */
	const char *syntax; /* NULL when the entry has none */
	const char *rfc;    /* "RFC 5321 4.1.1.3" */
	const char *text[EXPLAIN_LANG_COUNT];
};

/* The most entries explain_line() and explain_dns() return for one line. */
#define EXPLAIN_LINE_MAX 4

struct explain;

/* Parses and checks a catalogue (len bytes of JSON). name is used in error
 * messages. Every entry needs proto, kind, key, rfc, en and es as non-empty
 * strings (syntax is optional); unknown keys and duplicate (proto, kind,
 * key) triples are errors. NULL with a message in err on error. */
struct explain *explain_load(const char *text, size_t len, const char *name, char *err, size_t errlen);
/* The catalogue built into the binary from data/explanations.json. */
struct explain *explain_builtin(char *err, size_t errlen);
/* Accepts NULL; clears the pointer. */
void explain_free(struct explain **ex);

size_t explain_count(const struct explain *ex);
const struct explain_entry *explain_at(const struct explain *ex, size_t i);

/* The entry (proto, kind, key), keys compared without case; kind NULL
 * matches any kind (the first in file order). NULL if none. */
const struct explain_entry *explain_find(const struct explain *ex, const char *proto, const char *kind,
					 const char *key);
/* Every entry whose key is key (without case) and, unless proto is NULL,
 * whose proto is proto; up to n into out. Returns how many matched (may
 * exceed n). */
size_t explain_find_all(const struct explain *ex, const char *proto, const char *key,
			const struct explain_entry **out, size_t n);

/* Explains one protocol line, as published on the bus (proto "SMTP",
 * "POP3" or "IMAP", any case; from_client: sent by the client). Fills out
 * with up to n entries, most general first: an SMTP reply gives its code
 * (or its class when the code has no entry), its enhanced code and an EHLO
 * keyword; a client line its command (and for MAIL its ESMTP parameters);
 * a POP3 reply +OK/-ERR and its [CODE]; an IMAP line its command (UID and
 * the command it carries), or its status, response and [CODE]. Lines that
 * carry no command or reply (message content) give nothing: the caller
 * knows the context (smtp note "data"). Returns the number filled. */
size_t explain_line(const struct explain *ex, const char *proto, int from_client, const char *text, size_t len,
		    const struct explain_entry **out, size_t n);
/* Explains a DNS transcript record ("QUERY MX dominio.de.maria", "REPLY
 * NXDOMAIN MX x", "ANSWER x MX 10 mx.x"): the event, the rcode, the type. */
size_t explain_dns(const struct explain *ex, const char *text, const struct explain_entry **out, size_t n);

/* "en" or "es" (also "english", "spanish", "español", any case). 0 or -1. */
int explain_lang_parse(const char *s, enum explain_lang *lang_r);
/* The language of the locale: LC_ALL, else LC_MESSAGES, else LANG (the
 * first one set and non-empty); Spanish when it starts with "es". */
enum explain_lang explain_lang_from_env(void);
const char *explain_lang_name(enum explain_lang lang);

#endif
