/* The stepper's display: connections (sessions) recognised from the lines
 * themselves, each item written the way the transcript writes it, and the
 * catalogue's explanations under it. An explanation already given for the
 * previous line of the same connection is not repeated (the six 250 lines
 * of an EHLO reply explain 250 once); DNS, mail and TCP explanations are
 * given the first time each appears in the run. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim/cli/step_internal.h"
#include "sim/cli/text_wrap.h"
#include "sim/core/bus.h"
#include "sim/net/net.h"
#include "sim/observe/obs_util.h"

#define WRAP 78
#define EXPLAIN_INDENT 6
#define TIME_COLUMNS 12 /* "  1.234567  " */

/* The escape sequence for an SGR code, or "" without colour. The buffers
 * rotate so that up to four results can be used in one printf. */
const char *step_color(const struct stepper *st, const char *code)
{
	static char buf[4][16];
	static int next;
	if (!st->color)
		return "";
	char *b = buf[next++ & 3];
	snprintf(b, sizeof buf[0], "\033[%sm", code);
	return b;
}

const char *step_host(const struct stepper *st, int host) { return obs_host_label(st->net, host); }

static void put_time(struct stepper *st, sim_time t)
{
	if (t < 0)
		t = 0;
	fprintf(st->out, "%3lld.%06lld  ", (long long)(t / SIM_S), (long long)(t % SIM_S / 1000));
}

/* ---- sessions ---- */

int step_session_find(const struct stepper *st, const struct step_item *it)
{
	for (size_t i = st->nsessions; i-- > 0;) {
		const struct step_session *s = &st->sessions[i];
		int side;
		if (s->closed)
			continue;
		if (s->host[0] == it->host && s->host[1] == it->peer)
			side = 0;
		else if (s->host[1] == it->host && s->host[0] == it->peer)
			side = 1;
		else
			continue;
		if (s->conn[side] == it->conn_id || s->conn[side] == 0)
			return (int)i;
		return -1; /* the newest connection of these hosts is another one */
	}
	return -1;
}

int step_session_new(struct stepper *st, const struct step_item *it)
{
	if (st->nsessions == st->capsessions) {
		size_t cap = st->capsessions ? st->capsessions * 2 : 16;
		struct step_session *n = realloc(st->sessions, cap * sizeof *n);
		if (!n) {
			st->failed = 1;
			return -1;
		}
		st->sessions = n;
		st->capsessions = cap;
	}
	struct step_session *s = &st->sessions[st->nsessions];
	memset(s, 0, sizeof *s);
	int client = it->from_client ? it->host : it->peer;
	s->host[0] = client;
	s->host[1] = client == it->host ? it->peer : it->host;
	s->conn[client == it->host ? 0 : 1] = it->conn_id;
	s->data_from = -1;
	snprintf(s->proto, sizeof s->proto, "%s", it->proto);
	/* The server's port: from its own end when it published, else the
	 * client's remote port. */
	uint16_t local, remote;
	if (!it->from_client && step_feed_ports(st->feed, it->host, it->conn_id, &local, &remote) == 0)
		s->port = local;
	else if (it->from_client && step_feed_ports(st->feed, it->host, it->conn_id, &local, &remote) == 0)
		s->port = remote;
	return (int)st->nsessions++;
}

/* ---- explanations ---- */

/* The entry's index in the catalogue. */
static size_t entry_index(const struct stepper *st, const struct explain_entry *e)
{
	return (size_t)(e - explain_at(st->ex, 0));
}

/* The whole explanation the first time an entry is given in the run; its
 * first sentence after that (the student has read the rest). */
static void put_entry(struct stepper *st, const struct explain_entry *e)
{
	char prefix[96];
	size_t idx = entry_index(st, e);
	int again = idx < explain_count(st->ex) && st->seen[idx];
	if (idx < explain_count(st->ex))
		st->seen[idx] = 1;
	fputs(step_color(st, C_DIM), st->out);
	if (again) {
		const char *t = e->text[st->lang];
		const char *dot = strstr(t, ". ");
		size_t n = dot ? (size_t)(dot - t) + 1 : strlen(t);
		char *first = malloc(n + 1);
		if (first) {
			memcpy(first, t, n);
			first[n] = 0;
			snprintf(prefix, sizeof prefix, "%s: ", e->key);
			text_wrap(st->out, first, -1, EXPLAIN_INDENT, WRAP, prefix);
			free(first);
		} else {
			st->failed = 1;
		}
	} else {
		snprintf(prefix, sizeof prefix, "%s, %s: ", e->key, e->rfc);
		text_wrap(st->out, e->text[st->lang], -1, EXPLAIN_INDENT, WRAP, prefix);
	}
	fputs(step_color(st, C_RESET), st->out);
}

/* Shows entries not in the session's previous set; remembers the set. */
static void explain_session(struct stepper *st, struct step_session *s, const struct explain_entry **e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int repeat = 0;
		for (size_t k = 0; s && k < s->nlast; k++)
			repeat |= s->last[k] == e[i];
		/* A note (IMAP's tags, message content) is said once a run. */
		size_t idx = entry_index(st, e[i]);
		if (!strcmp(e[i]->kind, "note") && idx < explain_count(st->ex) && st->seen[idx])
			repeat = 1;
		if (!repeat)
			put_entry(st, e[i]);
	}
	if (s) {
		memcpy(s->last, e, n * sizeof *e);
		s->nlast = n;
	}
}

/* Shows entries never shown before in this run. */
static void explain_once(struct stepper *st, const struct explain_entry **e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t idx = entry_index(st, e[i]);
		if (idx < explain_count(st->ex) && st->seen[idx])
			continue;
		put_entry(st, e[i]);
	}
}

/* ---- protocol lines ---- */

static const char *line_color(const struct stepper *st, const struct step_item *it)
{
	if (it->from_client)
		return step_color(st, C_CLIENT);
	const char *t = it->text;
	if (!strcasecmp(it->proto, "SMTP") && isdigit((unsigned char)t[0]))
		return step_color(st, t[0] == '2' ? C_OK : t[0] == '3' ? C_MORE : t[0] == '4' ? C_TEMP : C_FAIL);
	if (!strncmp(t, "+OK", 3))
		return step_color(st, C_OK);
	if (!strncmp(t, "-ERR", 4))
		return step_color(st, C_FAIL);
	const char *sp = strchr(t, ' ');
	if (sp && !strncmp(sp + 1, "NO ", 3))
		return step_color(st, C_TEMP);
	if (sp && !strncmp(sp + 1, "BAD", 3))
		return step_color(st, C_FAIL);
	return "";
}

/* Writes the line's text with control bytes escaped as the transcript does. */
static void put_text(struct stepper *st, const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", st->out);
		else if (*p == '\r' || *p == '\n' || *p == '\t')
			fprintf(st->out, "\\%c", *p == '\r' ? 'r' : *p == '\n' ? 'n' : 't');
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(st->out, "\\x%02x", *p);
		else
			fputc(*p, st->out);
	}
}

static void put_line_head(struct stepper *st, sim_time t, int from, int to, int client)
{
	char col[96];
	snprintf(col, sizeof col, "%s -> %s", step_host(st, from), step_host(st, to));
	put_time(st, t);
	fprintf(st->out, "%-*s  %s ", st->width, col, client ? "C:" : "S:");
}

static void put_elided(struct stepper *st, struct step_session *s, const struct step_item *it)
{
	if (s->data_hidden <= 0)
		return;
	put_line_head(st, it->time, it->host, it->peer, it->from_client);
	fprintf(st->out, "[... %d %s ...]\n", s->data_hidden,
		s->data_hidden == 1 ? L(st, "more line", "línea más") : L(st, "more lines", "líneas más"));
	s->data_hidden = 0;
}

static int starts_word(const char *text, const char *word)
{
	size_t n = strlen(word);
	return !strncasecmp(text, word, n) && (text[n] == 0 || text[n] == ' ');
}

/* Within a message or multi-line answer: shows the line or counts it as
 * elided. Returns 1 to stop after it (its first line and its end). */
static int show_block_line(struct stepper *st, struct step_session *s, const struct step_item *it)
{
	const char *t = it->text;
	int end = t[0] == '.' && t[1] == 0;
	int first = s->data_count++ == 0;
	int smtp = !strcasecmp(s->proto, "SMTP");
	if (!end && !first && s->data_message) {
		if (!s->data_in_body) {
			if (!*t)
				s->data_in_body = 1;
		} else if (t[0] == '-' && t[1] == '-' && t[2] != ' ' && t[2] != '-') {
			s->data_in_body = 0; /* a MIME boundary: the part's header follows */
		} else if (s->data_shown < STEP_BODY_LINES) {
			s->data_shown++;
		} else {
			s->data_hidden++;
			return 0;
		}
	}
	put_elided(st, s, it);
	put_line_head(st, it->time, it->host, it->peer, it->from_client);
	put_text(st, t);
	fputc('\n', st->out);
	const struct explain_entry *e = NULL;
	if (end) {
		e = explain_find(st->ex, smtp ? "smtp" : "pop3", "note", smtp ? "end-of-data" : "multiline");
		if (!smtp)
			e = NULL; /* the multi-line note was given on its first line */
		s->data_from = -1;
	} else if (first) {
		e = explain_find(st->ex, smtp ? "smtp" : "pop3", "note", smtp ? "data" : "multiline");
	}
	if (!smtp && s->pop3_capa && !end) {
		char word[64];
		size_t n = strcspn(t, " ");
		snprintf(word, sizeof word, "%.*s", (int)(n < 63 ? n : 63), t);
		const struct explain_entry *c = explain_find(st->ex, "pop3", "capability", word);
		if (c)
			put_entry(st, c);
	}
	if (e)
		put_entry(st, e);
	s->nlast = 0;
	return first || end;
}

static int show_line(struct stepper *st, const struct step_item *it)
{
	int si = step_session_find(st, it);
	if (si < 0) {
		si = step_session_new(st, it);
		if (si < 0)
			return 0;
		struct step_session *ns = &st->sessions[si];
		put_time(st, it->time);
		fprintf(st->out, "%s--- %s %s %s", step_color(st, C_BOLD), step_host(st, ns->host[0]),
			L(st, "connects to", "se conecta a"), step_host(st, ns->host[1]));
		if (ns->port)
			fprintf(st->out, ":%u", (unsigned)ns->port);
		fprintf(st->out, " (%s) ---%s\n", ns->proto, step_color(st, C_RESET));
	}
	struct step_session *s = &st->sessions[si];
	int side = s->host[0] == it->host ? 0 : 1;
	if (!s->conn[side])
		s->conn[side] = it->conn_id;
	if (!s->port) {
		uint16_t local, remote;
		if (side == 1 && step_feed_ports(st->feed, it->host, it->conn_id, &local, &remote) == 0)
			s->port = local;
	}
	st->lines++;
	if (s->data_from == it->host && !(it->encrypted && !st->plaintext))
		return show_block_line(st, s, it);

	const char *t = it->text;
	int smtp = !strcasecmp(s->proto, "SMTP"), pop3 = !strcasecmp(s->proto, "POP3");
	put_line_head(st, it->time, it->host, it->peer, it->from_client);
	const struct explain_entry *e[EXPLAIN_LINE_MAX + 1];
	size_t n = 0;
	if (it->encrypted && !st->plaintext) {
		fputs("[encrypted]\n", st->out);
	} else {
		fprintf(st->out, "%s", line_color(st, it));
		put_text(st, t);
		fprintf(st->out, "%s\n", step_color(st, C_RESET));
		n = explain_line(st->ex, s->proto, it->from_client, t, strlen(t), e, EXPLAIN_LINE_MAX);
	}
	if (it->encrypted) {
		const struct explain_entry *enc = explain_find(st->ex, "smtp", "note", "encrypted");
		if (enc)
			e[n++] = enc;
	}
	explain_session(st, s, e, n);

	/* What this line starts. */
	if (smtp && !it->from_client && !strncmp(t, "354", 3) && (t[3] == 0 || t[3] == ' ')) {
		s->data_from = it->peer;
		s->data_message = 1;
		s->data_count = s->data_in_body = s->data_shown = s->data_hidden = 0;
	}
	if (smtp && !it->from_client)
		s->continuation = strlen(t) > 3 && t[3] == '-';
	if (pop3 && it->from_client) {
		const char *sp = strchr(t, ' ');
		int has_arg = sp && sp[1];
		s->pop3_capa = starts_word(t, "CAPA");
		s->data_message = starts_word(t, "RETR") || starts_word(t, "TOP");
		s->pop3_multi = s->data_message || s->pop3_capa ||
				((starts_word(t, "LIST") || starts_word(t, "UIDL")) && !has_arg);
	} else if (pop3 && s->pop3_multi) {
		s->pop3_multi = 0;
		if (!strncmp(t, "+OK", 3)) {
			s->data_from = it->host;
			s->data_count = s->data_in_body = s->data_shown = s->data_hidden = 0;
		}
	}
	return 1;
}

/* ---- other items ---- */

static void show_mail(struct stepper *st, const struct step_item *it)
{
	static const char *const names[][2] = {
		[OBS_MAIL_SUBMITTED] = {"submitted", "enviado"}, [OBS_MAIL_ACCEPTED] = {"accepted", "aceptado"},
		[OBS_MAIL_HEADER] = {"adds", "agrega"},        [OBS_MAIL_QUEUED] = {"queued", "encolado"},
		[OBS_MAIL_DEFERRED] = {"deferred", "demorado"}, [OBS_MAIL_RELAYED] = {"relayed", "reenviado"},
		[OBS_MAIL_DELIVERED] = {"delivered", "entregado"}, [OBS_MAIL_BOUNCED] = {"bounced", "rebotado"},
		[OBS_MAIL_DISCARDED] = {"discarded", "descartado"},
	};
	int ev = it->mail_event;
	if (ev < 0 || ev >= OBS_MAIL_EVENT_COUNT)
		return;
	put_time(st, it->time);
	fputs(step_color(st, C_MAIL), st->out);
	if (ev == OBS_MAIL_HEADER) {
		/* The field unfolded, then wrapped under the host's name. */
		char *flat = malloc(strlen(it->text) + 1);
		if (!flat) {
			st->failed = 1;
			return;
		}
		size_t o = 0;
		for (const char *p = it->text; *p; p++) {
			if (*p == '\r')
				continue;
			if (*p == '\n') {
				while (p[1] == ' ' || p[1] == '\t')
					p++;
				flat[o++] = ' ';
				continue;
			}
			flat[o++] = *p;
		}
		flat[o] = 0;
		char prefix[160];
		snprintf(prefix, sizeof prefix, "%s: %s ", step_host(st, it->host), names[ev][st->lang]);
		text_wrap(st->out, flat, TIME_COLUMNS, TIME_COLUMNS + 4, WRAP, prefix);
		free(flat);
	} else {
		fprintf(st->out, "%s: %s %s", step_host(st, it->host), names[ev][st->lang],
			it->queue_id ? it->queue_id : it->message_id ? it->message_id : "-");
		if (it->rcpt)
			fprintf(st->out, " %s %s", L(st, "for", "para"), it->rcpt);
		if (*it->text)
			fprintf(st->out, " (%s)", it->text);
		fputc('\n', st->out);
	}
	fputs(step_color(st, C_RESET), st->out);
	const char *keys[] = {"submitted", "accepted", "header", "queued", "deferred",
			      "relayed",   "delivered", "bounced", "discarded"};
	const struct explain_entry *e = explain_find(st->ex, "mail", "event", keys[ev]);
	if (e)
		explain_once(st, &e, 1);
}

static void show_segment(struct stepper *st, const struct step_item *it)
{
	char a[16], b[16];
	put_time(st, it->time);
	const char *what;
	const char *key;
	if (it->kind == STEP_DROP) {
		what = L(st, "segment lost", "segmento perdido");
		key = "drop";
	} else if (it->retransmit) {
		what = L(st, "segment sent again (retransmission)", "segmento reenviado (retransmisión)");
		key = "retransmit";
	} else {
		what = L(st, "new segment (not a retransmission)", "segmento nuevo (no es una retransmisión)");
		key = NULL;
	}
	fprintf(st->out, "    %s tcp: %s %s:%u -> %s:%u seq %u, %u bytes", step_host(st, it->host), what,
		ipv4_format(it->src_ip, a), (unsigned)it->src_port, ipv4_format(it->dst_ip, b), (unsigned)it->dst_port,
		it->seq, it->len);
	if (it->kind == STEP_DROP && *it->text)
		fprintf(st->out, " (%s)", it->text);
	fputc('\n', st->out);
	const struct explain_entry *e = key ? explain_find(st->ex, "tcp", "event", key) : NULL;
	if (e)
		explain_once(st, &e, 1);
}

static void show_close(struct stepper *st, const struct step_item *it)
{
	for (size_t i = st->nsessions; i-- > 0;) {
		struct step_session *s = &st->sessions[i];
		int side = s->host[0] == it->host && s->conn[0] == it->conn_id   ? 0
			   : s->host[1] == it->host && s->conn[1] == it->conn_id ? 1
										 : -1;
		if (side < 0)
			continue;
		if (s->closed)
			return;
		put_time(st, it->time);
		fprintf(st->out, "%s--- ", step_color(st, C_BOLD));
		if (it->aborted)
			fprintf(st->out, "%s -> %s %s %s (%s)", step_host(st, s->host[0]), step_host(st, s->host[1]),
				L(st, "aborted at", "abortada en"), step_host(st, it->host), it->text);
		else
			fprintf(st->out, "%s %s %s -> %s", step_host(st, it->host), L(st, "closes", "cierra"),
				step_host(st, s->host[0]), step_host(st, s->host[1]));
		fprintf(st->out, " ---%s\n", step_color(st, C_RESET));
		s->closed = 1; /* a later connection of these hosts is a new session */
		return;
	}
}

int step_show(struct stepper *st, const struct step_item *it)
{
	switch (it->kind) {
	case STEP_LINE:
		return show_line(st, it);
	case STEP_DNS: {
		put_time(st, it->time);
		fprintf(st->out, "    %s%s dns: %s%s\n", step_color(st, C_DNS), step_host(st, it->host), it->text,
			step_color(st, C_RESET));
		const struct explain_entry *e[EXPLAIN_LINE_MAX];
		explain_once(st, e, explain_dns(st->ex, it->text, e, EXPLAIN_LINE_MAX));
		return 0;
	}
	case STEP_NOTE:
		put_time(st, it->time);
		fprintf(st->out, "    %s %s: %s\n", step_host(st, it->host), it->proto, it->text);
		return 0;
	case STEP_MAIL:
		show_mail(st, it);
		return 0;
	case STEP_DROP:
	case STEP_RETRANSMIT:
	case STEP_SEGMENT:
		show_segment(st, it);
		return 0;
	case STEP_CLOSE:
		show_close(st, it);
		return 0;
	}
	return 0;
}
