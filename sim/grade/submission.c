/* Reading submissions of every kind; see submission.h. */
#include "sim/grade/submission.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/address.h"
#include "protocols/buf.h"
#include "protocols/codec.h"
#include "protocols/header.h"
#include "protocols/message.h"
#include "sim/grade/check.h"
#include "sim/scenario/scenario.h"

void grade_prepared_clear(struct grade_prepared *p)
{
	for (size_t i = 0; i < p->count; i++)
		free(p->lines[i]);
	free(p->lines);
	free(p->line_no);
	cJSON_Delete(p->scenario);
	cJSON_Delete(p->answers);
	memset(p, 0, sizeof *p);
}

static int add_line(struct grade_prepared *p, const char *s, size_t n, size_t no)
{
	if (p->count % 64 == 0) {
		char **nl = realloc(p->lines, (p->count + 64) * sizeof *nl);
		if (!nl)
			return -1;
		p->lines = nl;
		size_t *nn = realloc(p->line_no, (p->count + 64) * sizeof *nn);
		if (!nn)
			return -1;
		p->line_no = nn;
	}
	char *c = malloc(n + 1);
	if (!c)
		return -1;
	memcpy(c, s, n);
	c[n] = 0;
	p->lines[p->count] = c;
	p->line_no[p->count++] = no;
	return 0;
}

/* Text checks shared by the line kinds: no NUL, valid UTF-8. */
static int text_ok(const char *data, size_t len, enum explain_lang lang, char *reason, size_t rlen)
{
	const char *nul = memchr(data, 0, len);
	if (nul) {
		size_t line = 1;
		for (const char *q = data; q < nul; q++)
			line += *q == '\n';
		snprintf(reason, rlen,
			 GL(lang, "line %zu has a NUL byte: a submission must be text", "la línea %zu tiene un byte NUL: la entrega debe ser texto"),
			 line);
		return 0;
	}
	if (!codec_utf8_valid(data, len)) {
		snprintf(reason, rlen, "%s",
			 GL(lang, "the file is not UTF-8 text", "el archivo no es texto UTF-8"));
		return 0;
	}
	return 1;
}

/* Calls fn for each line (CR before LF dropped; a final line break is not
 * an extra empty line). -1 on ENOMEM, 1 rejected, 0 ok. */
static int split_lines(const char *data, size_t len, enum explain_lang lang, char *reason, size_t rlen,
		       int (*fn)(void *ctx, const char *s, size_t n, size_t no), void *ctx)
{
	size_t no = 0, pos = 0;
	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - data) : len;
		size_t n = end - pos;
		if (n && data[pos + n - 1] == '\r')
			n--;
		no++;
		if (no > GRADE_MAX_LINES) {
			snprintf(reason, rlen, GL(lang, "more than %d lines", "más de %d líneas"), GRADE_MAX_LINES);
			return 1;
		}
		if (n > GRADE_MAX_LINE_LEN) {
			snprintf(reason, rlen,
				 GL(lang, "line %zu is longer than %d characters (RFC 5321 4.5.3.1.6)",
				    "la línea %zu tiene más de %d caracteres (RFC 5321 4.5.3.1.6)"),
				 no, GRADE_MAX_LINE_LEN);
			return 1;
		}
		if (memchr(data + pos, '\r', n)) {
			snprintf(reason, rlen,
				 GL(lang, "line %zu has a carriage return inside it", "la línea %zu tiene un retorno de carro en medio"),
				 no);
			return 1;
		}
		int r = fn(ctx, data + pos, n, no);
		if (r)
			return r;
		pos = nl ? end + 1 : len;
	}
	return 0;
}

static int transcript_line(void *ctx, const char *s, size_t n, size_t no)
{
	return add_line(ctx, s, n, no) < 0 ? -1 : 0;
}

static int prepare_transcript(const char *data, size_t len, enum explain_lang lang, struct grade_prepared *p,
			      char *reason, size_t rlen)
{
	int r = split_lines(data, len, lang, reason, rlen, transcript_line, p);
	if (r)
		return r < 0 ? GRADE_PREP_NOMEM : GRADE_PREP_REJECTED;
	if (p->count == 0) {
		snprintf(reason, rlen, "%s", GL(lang, "the transcript is empty", "la transcripción está vacía"));
		return GRADE_PREP_REJECTED;
	}
	return GRADE_PREP_OK;
}

/* ---- eml ---- */

static int eml_line(void *ctx, const char *s, size_t n, size_t no)
{
	struct grade_prepared *p = ctx;
	/* RFC 5321 4.5.2: a line starting with "." gets another. */
	if (n && s[0] == '.') {
		if (add_line(p, ".", 1, no) < 0)
			return -1;
		char *c = realloc(p->lines[p->count - 1], n + 2);
		if (!c)
			return -1;
		memcpy(c + 1, s, n);
		c[n + 1] = 0;
		p->lines[p->count - 1] = c;
		return 0;
	}
	return add_line(p, s, n, no) < 0 ? -1 : 0;
}

static int add_fmt(struct grade_prepared *p, const char *fmt, const char *arg)
{
	char line[GRADE_MAX_LINE_LEN + 1];
	snprintf(line, sizeof line, fmt, arg);
	return add_line(p, line, strlen(line), 0);
}

static int prepare_eml(const struct grade_exercise *ex, const char *data, size_t len, enum explain_lang lang,
		       struct grade_prepared *p, char *reason, size_t rlen)
{
	const struct grade_submission_spec *sp = &ex->sub;
	int rc = GRADE_PREP_NOMEM;
	struct addr_list *from = NULL, *rcpts = NULL;
	struct buf fv, stripped;
	buf_init(&fv, 4096);
	buf_init(&stripped, (size_t)GRADE_MAX_MAX_BYTES + 1);
	if (len == 0) {
		snprintf(reason, rlen, "%s", GL(lang, "the message is empty", "el mensaje está vacío"));
		rc = GRADE_PREP_REJECTED;
		goto out;
	}
	/* The envelope: given by the exercise, else read from the header. */
	char mail_from[512] = "";
	if (sp->mail_from) {
		snprintf(mail_from, sizeof mail_from, "%s", sp->mail_from);
	} else {
		struct hdr_field f;
		if (hdr_find(data, len, "From", 0, &f) && hdr_unfold(&fv, f.value, f.value_len) == 0 && fv.data &&
		    addr_parse(fv.data, fv.len, &from, NULL) == 0 && addr_list_count(from) > 0 &&
		    addr_list_get(from, 0)->mailbox)
			snprintf(mail_from, sizeof mail_from, "%s", addr_list_get(from, 0)->mailbox);
	}
	size_t nrcpt = sp->rcpt_count;
	if (!sp->rcpt_to) {
		if (msg_recipients(data, len, &rcpts) < 0)
			goto out;
		nrcpt = addr_list_count(rcpts);
	}
	if (nrcpt == 0) {
		snprintf(reason, rlen, "%s",
			 GL(lang, "the message has no To, Cc or Bcc address: there is nobody to send it to",
			    "el mensaje no tiene direcciones en To, Cc ni Bcc: no hay a quién enviarlo"));
		rc = GRADE_PREP_REJECTED;
		goto out;
	}
	int h = grade_exercise_host(ex, sp->from);
	const char *helo = h >= 0 && ex->scenario->fqdns && ex->scenario->fqdns[h] ? ex->scenario->fqdns[h] : sp->from;
	if (add_fmt(p, "HELO %s", helo) < 0 || add_fmt(p, "MAIL FROM:<%s>", mail_from) < 0)
		goto out;
	for (size_t i = 0; i < nrcpt; i++) {
		const char *a = sp->rcpt_to ? sp->rcpt_to[i] : addr_list_get(rcpts, i)->mailbox;
		if (a && add_fmt(p, "RCPT TO:<%s>", a) < 0)
			goto out;
	}
	if (add_fmt(p, "%s", "DATA") < 0)
		goto out;
	/* What a UA sends: the Bcc fields are for the sender's copy only. */
	if (msg_strip_bcc(&stripped, data, len) < 0 || !stripped.data)
		goto out;
	int r = split_lines(stripped.data, stripped.len, lang, reason, rlen, eml_line, p);
	if (r) {
		rc = r < 0 ? GRADE_PREP_NOMEM : GRADE_PREP_REJECTED;
		goto out;
	}
	if (add_fmt(p, "%s", ".") < 0 || add_fmt(p, "%s", "QUIT") < 0)
		goto out;
	rc = GRADE_PREP_OK;
out:
	addr_list_free(&from);
	addr_list_free(&rcpts);
	buf_free(&fv);
	buf_free(&stripped);
	return rc;
}

/* Stripping Bcc removes whole lines, so the message's line numbers would
 * shift; they are recomputed from the original text: each kept line is
 * found in order. */
static void renumber_eml(struct grade_prepared *p, const char *data, size_t len)
{
	size_t pos = 0, no = 0;
	for (size_t i = 0; i < p->count; i++) {
		if (!p->line_no[i])
			continue;
		const char *want = p->lines[i];
		if (want[0] == '.' && want[1] == '.')
			want++; /* the stuffed dot */
		size_t wl = strlen(want);
		p->line_no[i] = 0;
		while (pos < len) {
			const char *nl = memchr(data + pos, '\n', len - pos);
			size_t end = nl ? (size_t)(nl - data) : len;
			size_t n = end - pos;
			if (n && data[pos + n - 1] == '\r')
				n--;
			no++;
			int same = n == wl && memcmp(data + pos, want, n) == 0;
			pos = nl ? end + 1 : len;
			if (same) {
				p->line_no[i] = no;
				break;
			}
		}
	}
}

/* ---- patch and answers ---- */

static cJSON *parse_json(const char *data, size_t len, enum explain_lang lang, char *reason, size_t rlen)
{
	const char *end = NULL;
	cJSON *v = len ? cJSON_ParseWithLengthOpts(data, len, &end, 0) : NULL;
	size_t off = end ? (size_t)(end - data) : 0;
	if (v)
		while (off < len && (unsigned char)data[off] <= 32)
			off++;
	if (!v || off < len) {
		size_t line = 1;
		for (size_t i = 0; i < off && i < len; i++)
			line += data[i] == '\n';
		snprintf(reason, rlen, GL(lang, "not valid JSON (line %zu)", "no es JSON válido (línea %zu)"), line);
		cJSON_Delete(v);
		return NULL;
	}
	if (!cJSON_IsObject(v)) {
		snprintf(reason, rlen, "%s",
			 GL(lang, "expected a JSON object { ... }", "se esperaba un objeto JSON { ... }"));
		cJSON_Delete(v);
		return NULL;
	}
	return v;
}

static int prepare_patch(const struct grade_exercise *ex, const char *data, size_t len, enum explain_lang lang,
			 struct grade_prepared *p, char *reason, size_t rlen)
{
	cJSON *patch = parse_json(data, len, lang, reason, rlen);
	if (!patch)
		return GRADE_PREP_REJECTED;
	cJSON *doc = cJSON_Duplicate(ex->scenario_json, 1);
	doc = doc ? grade_merge_patch(doc, patch) : NULL;
	cJSON_Delete(patch);
	if (!doc)
		return GRADE_PREP_NOMEM;
	char where[512];
	if (grade_patch_forbidden(ex->scenario_json, doc, ex->sub.allow, ex->sub.allow_count, where, sizeof where)) {
		struct buf allowed;
		buf_init(&allowed, 4096);
		for (size_t i = 0; i < ex->sub.allow_count; i++)
			buf_printf(&allowed, "%s%s", i ? ", " : "", ex->sub.allow[i]);
		snprintf(reason, rlen,
			 GL(lang, "the patch changes %s, which this exercise does not let you change (allowed: %s)",
			    "el parche cambia %s, que este ejercicio no permite cambiar (permitido: %s)"),
			 where, allowed.data ? allowed.data : "");
		buf_free(&allowed);
		cJSON_Delete(doc);
		return GRADE_PREP_REJECTED;
	}
	p->scenario = doc;
	return GRADE_PREP_OK;
}

static int prepare_answers(const char *data, size_t len, enum explain_lang lang, struct grade_prepared *p,
			   char *reason, size_t rlen)
{
	p->answers = parse_json(data, len, lang, reason, rlen);
	return p->answers ? GRADE_PREP_OK : GRADE_PREP_REJECTED;
}

int grade_submission_prepare(const struct grade_exercise *ex, const char *data, size_t len, enum explain_lang lang,
			     struct grade_prepared *p, char *reason, size_t rlen)
{
	memset(p, 0, sizeof *p);
	if (len > ex->sub.max_bytes) {
		snprintf(reason, rlen,
			 GL(lang, "the submission has %zu bytes, more than the limit of %llu",
			    "la entrega tiene %zu bytes, más que el límite de %llu"),
			 len, (unsigned long long)ex->sub.max_bytes);
		return GRADE_PREP_REJECTED;
	}
	if (!text_ok(data, len, lang, reason, rlen))
		return GRADE_PREP_REJECTED;
	int rc;
	switch (ex->sub.kind) {
	case GRADE_KIND_TRANSCRIPT:
		rc = prepare_transcript(data, len, lang, p, reason, rlen);
		break;
	case GRADE_KIND_EML:
		rc = prepare_eml(ex, data, len, lang, p, reason, rlen);
		if (rc == GRADE_PREP_OK)
			renumber_eml(p, data, len);
		break;
	case GRADE_KIND_PATCH:
		rc = prepare_patch(ex, data, len, lang, p, reason, rlen);
		break;
	case GRADE_KIND_ANSWERS:
		rc = prepare_answers(data, len, lang, p, reason, rlen);
		break;
	default:
		snprintf(reason, rlen, "%s",
			 GL(lang, "this kind of submission is not built in this version",
			    "este tipo de entrega no está disponible en esta versión"));
		rc = GRADE_PREP_REJECTED;
		break;
	}
	if (rc != GRADE_PREP_OK)
		grade_prepared_clear(p);
	return rc;
}
