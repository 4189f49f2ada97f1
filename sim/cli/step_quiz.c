/* The stepper's prediction mode (--predict): before an item is revealed,
 * the question that fits it, if any; the answer is compared with what the
 * run then shows, and scored:
 *   - a server reply (not a continuation line, not message content): its
 *     SMTP code, POP3 +OK or -ERR, or IMAP tagged OK, NO or BAD;
 *   - a new connection: the host it goes to (name or fully qualified name);
 *   - a Received field about to be added: the "from" and "by" names;
 *   - the first TCP segment of a flow after a loss: a retransmission or not.
 * An empty answer skips the question (not scored). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sim/cli/step_internal.h"
#include "sim/core/bus.h"
#include "sim/scenario/scenario.h"

int step_read(struct stepper *st, char *buf, size_t size)
{
	fflush(st->out);
	if (!fgets(buf, (int)size, st->in)) {
		if (st->echo)
			fputc('\n', st->out);
		return -1;
	}
	size_t n = strlen(buf);
	int whole = n && buf[n - 1] == '\n';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = 0;
	if (!whole) { /* drop the rest of an overlong line */
		int c;
		while ((c = fgetc(st->in)) != EOF && c != '\n')
			;
	}
	if (st->echo)
		fprintf(st->out, "%s\n", buf);
	return 0;
}

static void trim(char *s)
{
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	size_t k = 0;
	while (isspace((unsigned char)s[k]))
		k++;
	memmove(s, s + k, n - k + 1);
}

/* Asks question; the trimmed answer in buf. 1 answered, 0 skipped, -1 end of input. */
static int ask(struct stepper *st, const char *question, char *buf, size_t size)
{
	fprintf(st->out, "%s%s%s ", step_color(st, C_BOLD), question, step_color(st, C_RESET));
	if (step_read(st, buf, size) < 0)
		return -1;
	trim(buf);
	if (!*buf) {
		fprintf(st->out, "  %s\n", L(st, "(skipped)", "(salteada)"));
		return 0;
	}
	return 1;
}

static void verdict(struct stepper *st, enum quiz_kind kind, int ok, const char *expected)
{
	st->asked[kind]++;
	st->right[kind] += ok;
	if (ok)
		fprintf(st->out, "  %s%s%s\n", step_color(st, C_OK), L(st, "right!", "¡correcto!"),
			step_color(st, C_RESET));
	else
		fprintf(st->out, "  %s%s%s %s\n", step_color(st, C_FAIL), L(st, "no: it is", "no: es"),
			step_color(st, C_RESET), expected);
}

static int host_matches(const struct stepper *st, int host, const char *answer)
{
	if (host < 0 || (size_t)host >= st->scn->host_count)
		return 0;
	if (!strcasecmp(answer, st->scn->hosts[host].name))
		return 1;
	return st->scn->fqdns && st->scn->fqdns[host] && !strcasecmp(answer, st->scn->fqdns[host]);
}

/* The word after marker in text (lower-cased compare of the marker), into
 * buf; "" if none. */
static void word_after(const char *text, const char *marker, char *buf, size_t size)
{
	buf[0] = 0;
	size_t m = strlen(marker);
	for (const char *p = text; *p; p++) {
		if ((p == text || isspace((unsigned char)p[-1])) && !strncasecmp(p, marker, m) &&
		    isspace((unsigned char)p[m])) {
			p += m;
			while (isspace((unsigned char)*p))
				p++;
			size_t n = strcspn(p, " \t\r\n");
			snprintf(buf, size, "%.*s", (int)(n < size - 1 ? n : size - 1), p);
			return;
		}
	}
}

static int quiz_reply(struct stepper *st, const struct step_item *it, struct step_session *s)
{
	const char *t = it->text;
	char buf[256], expected[64];
	int r;
	if (!strcasecmp(s->proto, "SMTP")) {
		if (s->continuation || !isdigit((unsigned char)t[0]) || strlen(t) < 3)
			return 0;
		snprintf(expected, sizeof expected, "%.3s", t);
		r = ask(st, L(st, "predict: the server's reply code?", "predicción: ¿el código de respuesta del servidor?"),
			buf, sizeof buf);
		if (r > 0)
			verdict(st, QUIZ_REPLY, !strncmp(buf, expected, 3) && !buf[3], expected);
		return r < 0 ? -1 : 0;
	}
	if (!strcasecmp(s->proto, "POP3")) {
		int ok = !strncmp(t, "+OK", 3), err = !strncmp(t, "-ERR", 4);
		if (!ok && !err)
			return 0;
		snprintf(expected, sizeof expected, "%s", ok ? "+OK" : "-ERR");
		r = ask(st, L(st, "predict: +OK or -ERR?", "predicción: ¿+OK o -ERR?"), buf, sizeof buf);
		if (r > 0) {
			const char *a = buf[0] == '+' || buf[0] == '-' ? buf + 1 : buf;
			verdict(st, QUIZ_REPLY, ok ? !strcasecmp(a, "OK") : !strcasecmp(a, "ERR"), expected);
		}
		return r < 0 ? -1 : 0;
	}
	if (!strcasecmp(s->proto, "IMAP")) {
		if (t[0] == '*' || t[0] == '+')
			return 0;
		const char *sp = strchr(t, ' ');
		if (!sp)
			return 0;
		size_t n = strcspn(sp + 1, " ");
		snprintf(expected, sizeof expected, "%.*s", (int)(n < 16 ? n : 16), sp + 1);
		if (strcmp(expected, "OK") && strcmp(expected, "NO") && strcmp(expected, "BAD"))
			return 0;
		r = ask(st, L(st, "predict: OK, NO or BAD?", "predicción: ¿OK, NO o BAD?"), buf, sizeof buf);
		if (r > 0)
			verdict(st, QUIZ_REPLY, !strcasecmp(buf, expected), expected);
		return r < 0 ? -1 : 0;
	}
	return 0;
}

static int quiz_hop(struct stepper *st, const struct step_item *it)
{
	int client = it->from_client ? it->host : it->peer;
	int server = it->from_client ? it->peer : it->host;
	char q[256], buf[256];
	snprintf(q, sizeof q, L(st, "predict: %s opens a connection. To which host?", "predicción: %s abre una conexión. ¿A qué host?"),
		 step_host(st, client));
	int r = ask(st, q, buf, sizeof buf);
	if (r > 0)
		verdict(st, QUIZ_HOP, host_matches(st, server, buf), step_host(st, server));
	return r < 0 ? -1 : 0;
}

static int quiz_received(struct stepper *st, const struct step_item *it)
{
	char want_from[128], want_by[128], q[256], buf[256], from[128], by[128];
	word_after(it->text, "from", want_from, sizeof want_from);
	word_after(it->text, "by", want_by, sizeof want_by);
	if (!*want_from || !*want_by)
		return 0;
	snprintf(q, sizeof q,
		 L(st, "predict: %s adds a Received field. From which name, by which name? (two names)",
		   "predicción: %s agrega un campo Received. ¿From qué nombre, by qué nombre? (dos nombres)"),
		 step_host(st, it->host));
	int r = ask(st, q, buf, sizeof buf);
	if (r <= 0)
		return r < 0 ? -1 : 0;
	word_after(buf, "from", from, sizeof from);
	word_after(buf, "by", by, sizeof by);
	if (!*from || !*by) { /* just two names */
		char *sp = strpbrk(buf, " \t");
		snprintf(from, sizeof from, "%.*s", (int)(sp ? (size_t)(sp - buf) : strlen(buf)), buf);
		if (sp) {
			while (isspace((unsigned char)*sp))
				sp++;
			snprintf(by, sizeof by, "%.*s", (int)strcspn(sp, " \t"), sp);
		}
	}
	char expected[300];
	snprintf(expected, sizeof expected, "from %s by %s", want_from, want_by);
	verdict(st, QUIZ_RECEIVED, !strcasecmp(from, want_from) && !strcasecmp(by, want_by), expected);
	return 0;
}

static int quiz_segment(struct stepper *st, const struct step_item *it)
{
	char q[256], buf[64];
	snprintf(q, sizeof q,
		 L(st, "predict: a segment from %s was lost. Is its next segment a retransmission? (y/n)",
		   "predicción: se perdió un segmento de %s. ¿Su próximo segmento es una retransmisión? (s/n)"),
		 step_host(st, it->host));
	int r = ask(st, q, buf, sizeof buf);
	if (r <= 0)
		return r < 0 ? -1 : 0;
	int yes = strchr("yYsS", buf[0]) != NULL;
	int no = strchr("nN", buf[0]) != NULL;
	const char *expected = it->retransmit ? L(st, "yes", "sí") : "no";
	verdict(st, QUIZ_RETRANSMIT, (yes && it->retransmit) || (no && !it->retransmit), expected);
	return 0;
}

int step_quiz(struct stepper *st, const struct step_item *it)
{
	switch (it->kind) {
	case STEP_LINE: {
		if (it->encrypted && !st->plaintext)
			return 0;
		int si = step_session_find(st, it);
		if (si < 0) {
			if (quiz_hop(st, it) < 0)
				return -1;
			if (it->from_client)
				return 0;
			struct step_session fresh = {.data_from = -1}; /* the greeting */
			snprintf(fresh.proto, sizeof fresh.proto, "%s", it->proto);
			return quiz_reply(st, it, &fresh);
		}
		struct step_session *s = &st->sessions[si];
		if (it->from_client || s->data_from == it->host)
			return 0;
		return quiz_reply(st, it, s);
	}
	case STEP_MAIL:
		return it->mail_event == OBS_MAIL_HEADER ? quiz_received(st, it) : 0;
	case STEP_SEGMENT:
		return quiz_segment(st, it);
	default:
		return 0;
	}
}

void step_quiz_score(const struct stepper *st)
{
	static const char *const names[QUIZ_KINDS][2] = {
		{"replies", "respuestas"},
		{"hops", "saltos"},
		{"Received fields", "campos Received"},
		{"retransmissions", "retransmisiones"},
	};
	int asked = 0, right = 0;
	for (int k = 0; k < QUIZ_KINDS; k++) {
		asked += st->asked[k];
		right += st->right[k];
	}
	fprintf(st->out, "%s: %d/%d", L(st, "score", "puntaje"), right, asked);
	const char *sep = " (";
	for (int k = 0; k < QUIZ_KINDS; k++) {
		if (!st->asked[k])
			continue;
		fprintf(st->out, "%s%s %d/%d", sep, names[k][st->lang], st->right[k], st->asked[k]);
		sep = ", ";
	}
	fputs(asked ? ")\n" : "\n", st->out);
}
