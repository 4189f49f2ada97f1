/* Checks on protocol sessions: reply codes seen or not seen (optionally
 * after a command), no protocol errors, and relay refused for outsiders.
 * Details point at the submission's line that got the reply and add the
 * explanations catalogue's sentence for the reply. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sim/grade/check.h"
#include "sim/grade/obs.h"

static const char *str(const cJSON *c, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The status word of a server line: the SMTP code ("250"), the POP3
 * status ("+OK", "-ERR") or the IMAP status after the tag or "*" ("OK",
 * "NO", "BAD", "PREAUTH", "BYE"); empty when the line has none. */
static void status_of(const struct grade_line *l, char out[16])
{
	out[0] = 0;
	const char *t = l->text;
	if (l->proto[0] == 'I') {
		t += strcspn(t, " ");
		t += strspn(t, " ");
	}
	size_t n = strcspn(t, " -");
	if (l->proto[0] == 'S' && n > 3 && t[3] == '-')
		n = 3;
	if (t[0] == '+' && t[1] == ' ')
		n = 1; /* an IMAP continuation */
	if (n >= 16)
		return;
	memcpy(out, t, n);
	out[n] = 0;
}

/* Does the status word match the pattern ("250", "5xx", "+OK", "NO")? */
static int code_matches(const char *status, const char *pat)
{
	size_t n = strlen(pat);
	if (strlen(status) != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char p = pat[i];
		if ((p == 'x' || p == 'X') && isdigit((unsigned char)status[i]))
			continue;
		if (toupper((unsigned char)p) != toupper((unsigned char)status[i]))
			return 0;
	}
	return 1;
}

/* The command verb of a client line (for IMAP the word after the tag). */
static int verb_is(const struct grade_line *l, const char *verb)
{
	const char *t = l->text;
	if (l->proto[0] == 'I') {
		t += strcspn(t, " ");
		t += strspn(t, " ");
	}
	size_t n = strcspn(t, " :");
	return n == strlen(verb) && strncasecmp(t, verb, n) == 0;
}

/* Walks a session: for every server line, the client line it answers
 * (the last one before it; NULL for the greeting) and that line's
 * position among the client lines. */
struct exch_walk {
	const struct grade_session *s;
	size_t k;
	const struct grade_line *client;
	size_t typed; /* index of client among the client lines */
	size_t nclient;
};

static const struct grade_line *next_reply(struct grade_obs *o, struct exch_walk *w)
{
	while (w->k < w->s->count) {
		const struct grade_line *l = grade_obs_line(o, w->s, w->k++);
		if (l->from_client) {
			w->client = l;
			w->typed = w->nclient++;
			continue;
		}
		return l;
	}
	return NULL;
}

static void describe(struct grade_obs *o, const struct grade_session *s, const struct exch_walk *w,
		     const struct grade_line *reply, struct buf *out)
{
	if (w->client) {
		grade_obs_describe_client(o, s, w->typed, w->client, out);
		buf_printf(out, GL(o->lang, " got `%s`", " recibió `%s`"), reply->text);
	} else {
		buf_printf(out, GL(o->lang, "the greeting was `%s`", "el saludo fue `%s`"), reply->text);
	}
	grade_obs_explain_line(o, reply, out);
}

static void no_session(struct grade_obs *o, const cJSON *spec, struct buf *out)
{
	const cJSON *sess = cJSON_GetObjectItemCaseSensitive(spec, "session");
	if (cJSON_IsObject(sess))
		buf_printf(out, GL(o->lang, "no session from %s to %s was seen", "no se vio ninguna sesión de %s a %s"),
			   str(sess, "from") ? str(sess, "from") : "*", str(sess, "to") ? str(sess, "to") : "*");
	else
		buf_puts(out, GL(o->lang, "your session never got a reply from the server (could it connect?)",
				 "tu sesión nunca recibió respuesta del servidor (¿pudo conectarse?)"));
}

void grade_check_reply(const struct grade_check *c, struct grade_obs *o, struct grade_verdict *v)
{
	const cJSON *spec = c->spec;
	const char *code = str(spec, "code"), *after = str(spec, "after");
	int want_seen = !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(spec, "seen"));
	struct grade_session *s = grade_obs_check_session(o, spec);
	if (!s) {
		v->fraction = 0;
		no_session(o, spec, &v->detail);
		return;
	}
	struct exch_walk w = {.s = s};
	const struct grade_line *r, *hit = NULL;
	struct exch_walk hit_w = {0};
	struct buf seen;
	buf_init(&seen, 8192);
	size_t considered = 0, asked = 0;
	for (size_t k = 0; after && k < s->count; k++) {
		const struct grade_line *l = grade_obs_line(o, s, k);
		asked += l->from_client && verb_is(l, after);
	}
	while ((r = next_reply(o, &w))) {
		if (after && (!w.client || !verb_is(w.client, after)))
			continue;
		char st[16];
		status_of(r, st);
		if (!st[0])
			continue;
		/* SMTP continuation lines ("250-...") are part of the final
		 * reply; only the final line counts. */
		if (r->proto[0] == 'S' && strlen(r->text) > 3 && r->text[3] == '-')
			continue;
		considered++;
		if (code_matches(st, code) && !hit) {
			hit = r;
			hit_w = w;
		}
		if (considered <= 4) {
			buf_puts(&seen, seen.len ? "; " : "");
			describe(o, s, &w, r, &seen);
		}
	}
	v->fraction = (hit != NULL) == want_seen;
	if (want_seen && hit) {
		describe(o, s, &hit_w, hit, &v->detail);
	} else if (want_seen) {
		buf_printf(&v->detail, GL(o->lang, "no %s reply%s%s%s", "ninguna respuesta %s%s%s%s"), code,
			   after ? GL(o->lang, " to ", " a ") : "", after ? after : "", considered ? ": " : "");
		if (!considered && after && !asked)
			buf_printf(&v->detail, GL(o->lang, " (no `%s` line was typed in the session)",
						  " (en la sesión no se escribió ninguna línea `%s`)"),
				   after);
		else if (!considered)
			buf_puts(&v->detail, after ? GL(o->lang, " (that command was never answered)", " (ese comando nunca tuvo respuesta)")
						   : "");
		else
			buf_puts(&v->detail, seen.data);
		if (considered > 4)
			buf_printf(&v->detail, GL(o->lang, "; and %zu more", "; y %zu más"), considered - 4);
	} else if (hit) {
		describe(o, s, &hit_w, hit, &v->detail);
	} else {
		buf_printf(&v->detail, GL(o->lang, "no %s reply%s%s, as expected", "ninguna respuesta %s%s%s, como se esperaba"),
			   code, after ? GL(o->lang, " to ", " a ") : "", after ? after : "");
	}
	buf_free(&seen);
}

static int is_protocol_error(const struct grade_line *r)
{
	char st[16];
	status_of(r, st);
	switch (r->proto[0]) {
	case 'S':
		return !strcmp(st, "500") || !strcmp(st, "501") || !strcmp(st, "502") || !strcmp(st, "503") ||
		       !strcmp(st, "504") || !strcmp(st, "555");
	case 'P':
		return !strcmp(st, "-ERR");
	case 'I':
		return !strcasecmp(st, "BAD");
	default:
		return 0;
	}
}

void grade_check_no_protocol_errors(const struct grade_check *c, struct grade_obs *o, struct grade_verdict *v)
{
	struct grade_session *s = grade_obs_check_session(o, c->spec);
	if (!s) {
		v->fraction = 0;
		no_session(o, c->spec, &v->detail);
		return;
	}
	struct exch_walk w = {.s = s};
	const struct grade_line *r;
	size_t errors = 0;
	while ((r = next_reply(o, &w))) {
		if (!is_protocol_error(r))
			continue;
		if (errors++ < 5) {
			buf_puts(&v->detail, v->detail.len ? "; " : "");
			describe(o, s, &w, r, &v->detail);
		}
	}
	if (errors > 5)
		buf_printf(&v->detail, GL(o->lang, "; and %zu more", "; y %zu más"), errors - 5);
	v->fraction = errors == 0;
	if (!errors)
		buf_printf(&v->detail, GL(o->lang, "no protocol errors in %zu lines", "ningún error de protocolo en %zu líneas"),
			   s->count);
}

/* relay_refused: the grader's probe (typed from the outsider host, see
 * grade_run.c) must get a 5xx to RCPT, and nothing may reach its
 * recipient. */
void grade_check_relay_refused(const struct grade_check *c, struct grade_obs *o, struct grade_verdict *v)
{
	const cJSON *spec = c->spec;
	const char *rcpt = str(spec, "rcpt");
	size_t ci = (size_t)(c - o->ex->checks);
	struct grade_session *s = NULL;
	if (o->probe_conn && o->probe_conn[ci])
		s = grade_obs_session_of(o, o->probe_conn[ci]);
	if (!s) {
		v->fraction = 0;
		buf_printf(&v->detail, GL(o->lang, "the relay test from %s to %s got no answer (could it connect?)",
					  "la prueba de relay de %s a %s no tuvo respuesta (¿pudo conectarse?)"),
			   str(spec, "from"), str(spec, "to"));
		return;
	}
	struct exch_walk w = {.s = s};
	const struct grade_line *r, *rcpt_reply = NULL;
	struct exch_walk rw = {0};
	while ((r = next_reply(o, &w)))
		if (w.client && verb_is(w.client, "RCPT") && !rcpt_reply) {
			rcpt_reply = r;
			rw = w;
		}
	size_t relayed = 0;
	for (size_t i = 0; i < o->mail_count; i++)
		if ((o->mail[i].ev == OBS_MAIL_RELAYED || o->mail[i].ev == OBS_MAIL_DELIVERED) && rcpt &&
		    !strcasecmp(o->mail[i].rcpt, rcpt))
			relayed++;
	int refused = rcpt_reply && rcpt_reply->text[0] == '5';
	v->fraction = refused && !relayed;
	buf_printf(&v->detail, GL(o->lang, "relay test from %s: ", "prueba de relay desde %s: "), str(spec, "from"));
	if (rcpt_reply)
		describe(o, s, &rw, rcpt_reply, &v->detail);
	else
		buf_puts(&v->detail, GL(o->lang, "RCPT TO was never answered", "RCPT TO nunca tuvo respuesta"));
	if (relayed)
		buf_printf(&v->detail, GL(o->lang, "; mail for %s was relayed or delivered %zu times",
					  "; el correo para %s se reenvió o entregó %zu veces"),
			   rcpt, relayed);
}
