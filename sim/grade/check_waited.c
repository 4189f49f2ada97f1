/* Check "waited": the client waited for the server's greeting before its
 * first command, and for the whole reply to each command before the next
 * (RFC 5321 section 4.3: lock-step), and for the 354 before the message.
 * With "allow_pipelining": true, commands may be batched as RFC 2920
 * allows once the server advertised PIPELINING in its EHLO reply (a batch
 * still waits for the greeting, EHLO's reply and DATA's 354).
 *
 * Judged from the simulated times of the session's lines: a reply counts
 * as received before a client line only when the server sent it at an
 * earlier simulated time (a reply cannot reach the client in no time, so a
 * client that did not wait is seen sending before the reply left). Meant
 * for clients that type in real time (kind program through the bridge);
 * a transcript is typed by the simulated typist, which always waits. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sim/grade/check.h"
#include "sim/grade/obs.h"

#define MAX_SHOWN 3

/* RFC 2920 section 3.1: the commands that may be followed by others
 * without waiting for their replies. */
static int pipelinable(const char *text)
{
	static const char *const verbs[] = {"MAIL", "RCPT", "RSET", "SEND", "SOML", "SAML", NULL};
	size_t n = strcspn(text, " :");
	for (size_t i = 0; verbs[i]; i++)
		if (n == strlen(verbs[i]) && strncasecmp(text, verbs[i], n) == 0)
			return 1;
	return 0;
}

/* Lines that are no SMTP command (message text that leaked out of a DATA
 * ended too early) are no_protocol_errors' business, not this check's. */
static int smtp_command(const char *text)
{
	static const char *const verbs[] = {"HELO", "EHLO", "MAIL", "RCPT", "DATA", "RSET", "NOOP", "QUIT", "VRFY",
					    "EXPN", "HELP", "STARTTLS", "AUTH", "BDAT", "SEND", "SOML", "SAML", "TURN",
					    NULL};
	size_t n = strcspn(text, " :");
	for (size_t i = 0; verbs[i]; i++)
		if (n == strlen(verbs[i]) && strncasecmp(text, verbs[i], n) == 0)
			return 1;
	return 0;
}

static int verb_is(const char *text, const char *verb)
{
	size_t n = strcspn(text, " :");
	return n == strlen(verb) && strncasecmp(text, verb, n) == 0;
}

/* The last line of a reply: "250 ..." (or a bare "250"), not "250-...". */
static int final_reply_line(const char *t)
{
	return strlen(t) >= 3 && isdigit((unsigned char)t[0]) && (t[3] == 0 || t[3] == ' ');
}

static int advertises_pipelining(const char *t)
{
	return strlen(t) >= 4 && isdigit((unsigned char)t[0]) && strncasecmp(t + 4, "PIPELINING", 10) == 0 &&
	       (t[14] == 0 || t[14] == ' ');
}

void grade_check_waited(const struct grade_check *c, struct grade_obs *o, struct grade_verdict *v)
{
	struct grade_session *s = grade_obs_check_session(o, c->spec);
	if (!s) {
		v->fraction = 0;
		buf_puts(&v->detail, GL(o->lang, "your program never got a reply from the server (did it connect?)",
					"tu programa nunca recibió respuesta del servidor (¿se conectó?)"));
		return;
	}
	const cJSON *ap = cJSON_GetObjectItemCaseSensitive(c->spec, "allow_pipelining");
	int allow = cJSON_IsTrue(ap);
	int offered = 0;
	size_t replies = 0;      /* final reply lines sent before the current client line */
	size_t next_server = 0;  /* the walk over the server lines, in time order */
	size_t commands = 0;     /* client commands (and ends of data) so far */
	size_t barrier = 0;      /* commands whose replies a batch must wait for */
	size_t typed = 0, bad = 0;
	int in_data = 0, data_started = 0;
	const struct grade_line *last_cmd = NULL;
	for (size_t k = 0; k < s->count; k++) {
		const struct grade_line *l = grade_obs_line(o, s, k);
		if (!l->from_client)
			continue;
		/* The replies that left the server before this line. */
		for (; next_server < s->count; next_server++) {
			const struct grade_line *r = grade_obs_line(o, s, next_server);
			if (r->from_client)
				continue;
			if (r->t >= l->t)
				break;
			if (final_reply_line(r->text))
				replies++;
			if (advertises_pipelining(r->text))
				offered = 1;
		}
		size_t this_typed = typed++;
		if (in_data) {
			int end = strcmp(l->text, ".") == 0;
			/* The message waits for 354; its lines do not wait. */
			if (!data_started && replies < commands + 1 && bad++ < MAX_SHOWN) {
				buf_puts(&v->detail, v->detail.len ? "; " : "");
				buf_puts(&v->detail, GL(o->lang, "the message (", "el mensaje ("));
				grade_obs_describe_client(o, s, this_typed, l, &v->detail);
				buf_puts(&v->detail, GL(o->lang, ") was sent before the 354 reply to DATA",
							") fue enviado antes de la respuesta 354 a DATA"));
			}
			data_started = 1;
			if (end) {
				in_data = 0;
				commands++;
				barrier = commands;
				last_cmd = l;
			}
			continue;
		}
		if (!smtp_command(l->text))
			continue;
		int batchable = allow && offered && pipelinable(l->text);
		size_t need = (batchable ? barrier : commands) + 1;
		if (replies < need && bad++ < MAX_SHOWN) {
			buf_puts(&v->detail, v->detail.len ? "; " : "");
			grade_obs_describe_client(o, s, this_typed, l, &v->detail);
			if (replies == 0)
				buf_puts(&v->detail, GL(o->lang, " was sent before the server's greeting",
							" fue enviado antes del saludo del servidor"));
			else if (last_cmd)
				buf_printf(&v->detail,
					   GL(o->lang, " was sent before the reply to `%s`", " fue enviado antes de la respuesta a `%s`"),
					   last_cmd->text);
		}
		commands++;
		if (!batchable)
			barrier = commands;
		last_cmd = l;
		if (verb_is(l->text, "DATA")) {
			in_data = 1;
			data_started = 0;
		}
	}
	if (bad > MAX_SHOWN)
		buf_printf(&v->detail, GL(o->lang, "; and %zu more", "; y %zu más"), bad - MAX_SHOWN);
	v->fraction = bad == 0 && commands > 0;
	if (!commands)
		buf_puts(&v->detail, GL(o->lang, "your program sent no command", "tu programa no envió ningún comando"));
	else if (!bad)
		buf_printf(&v->detail,
			   GL(o->lang, "waited for the greeting and for the reply to each of %zu commands",
			      "esperó el saludo y la respuesta a cada uno de %zu comandos"),
			   commands);
}
