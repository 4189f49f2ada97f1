/* The IMAP server's commands on messages: APPEND (RFC 3501 6.3.11) and the
 * selected state's CHECK, CLOSE, EXPUNGE, SEARCH, FETCH, STORE and COPY
 * with their UID forms (6.4). Sequence sets, SEARCH programs and FETCH
 * rendering come from imap_seqset, imap_search and imap_fetch; this file
 * maps the session's sequence numbers to the store's messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/imap_fetch.h"
#include "protocols/imap_search.h"
#include "protocols/imap_seqset.h"
#include "protocols/imap_server_internal.h"
#include "protocols/proto_err.h"

/* A message of the map seen through the store; kw must hold
 * IMAP_MAX_KEYWORDS names. -1 if it is gone (expunged by anybody). */
static int view_at(struct imap_server *s, size_t i, struct imap_store_msg *m, struct imap_msgview *v,
		   const char **kw)
{
	struct imap_seq *e = &s->map[i];
	if (e->flags & SEQ_GONE)
		return -1;
	long si = s->st->index_of(s->sctx, e->uid);
	if (si < 0 || s->st->message_at(s->sctx, (size_t)si, m) < 0)
		return -1;
	/* What the client is shown now is what it has been told. */
	e->flags = (m->flags & IMAP_FLAG_SYSTEM_MASK) | (e->flags & (IMAP_F_RECENT | SEQ_PENDING));
	e->keywords = m->keywords;
	memset(v, 0, sizeof *v);
	v->seq = (uint32_t)(i + 1);
	v->uid = e->uid;
	v->flags = e->flags & (IMAP_FLAG_SYSTEM_MASK | IMAP_F_RECENT);
	size_t nk = 0;
	for (int k = 0; m->keywords && k < IMAP_MAX_KEYWORDS; k++) {
		if (!(m->keywords & (UINT64_C(1) << k)))
			continue;
		const char *name = s->st->keyword_name(s->sctx, k);
		if (name)
			kw[nk++] = name;
	}
	v->keywords = kw;
	v->keyword_count = nk;
	v->internal_date = m->internal_date;
	v->internal_zone_min = m->zone_min;
	v->raw = (const char *)m->data;
	v->raw_len = m->len;
	v->cache = m->cache;
	return 0;
}

/* The map indices the set names, ascending: sequence numbers, or UIDs for
 * the UID commands. -1 (with BAD set) for a number beyond the mailbox. */
static int resolve(struct imap_server *s, struct imap_seqset *set, size_t **idx_r, size_t *n_r)
{
	*idx_r = NULL;
	*n_r = 0;
	size_t cap = 0;
	size_t *idx = NULL;
	if (!s->uid_cmd) {
		uint32_t star = (uint32_t)s->nmap;
		if (imap_seqset_max(set, star) > star) {
			imap_srv_bad(s, "Invalid message sequence number");
			return -1;
		}
		struct imap_seqset_iter it;
		uint32_t n;
		imap_seqset_iter_init(&it, set, star, star);
		while (imap_seqset_iter_next(&it, &n)) {
			if (*n_r == cap) {
				cap = cap ? cap * 2 : 64;
				size_t *v = realloc(idx, cap * sizeof *v);
				if (!v)
					break;
				idx = v;
			}
			idx[(*n_r)++] = n - 1;
		}
	} else {
		uint32_t star = s->nmap ? s->map[s->nmap - 1].uid : 0;
		for (size_t i = 0; i < s->nmap; i++) {
			if (!imap_seqset_contains(set, s->map[i].uid, star))
				continue;
			if (*n_r == cap) {
				cap = cap ? cap * 2 : 64;
				size_t *v = realloc(idx, cap * sizeof *v);
				if (!v)
					break;
				idx = v;
			}
			idx[(*n_r)++] = i;
		}
	}
	*idx_r = idx;
	return 0;
}

static int read_set(struct imap_server *s, struct imap_cursor *c, struct imap_seqset **set_r)
{
	*set_r = NULL;
	if (imap_sp(c) < 0 || imap_seqset_parse(c, 0, set_r) < 0) {
		imap_srv_bad(s, c->err ? c->err : "Expected a sequence set");
		return -1;
	}
	return 0;
}

/* A flag change this session makes itself: the store's note of it must
 * not come back as an unsolicited FETCH. */
static int own_set_flags(struct imap_server *s, uint32_t uid, uint32_t flags, uint64_t keywords)
{
	s->own_change = 1;
	s->own_uid = uid;
	int rc = s->st->set_flags(s->sctx, uid, flags, keywords);
	s->own_change = 0;
	return rc;
}

static void result_done(struct imap_server *s, const char *verb)
{
	if (s->expunge_issued)
		imap_srv_result(s, "NO", "EXPUNGEISSUED", "Some messages were expunged by another session");
	else
		imap_srv_result(s, "OK", NULL, "%s%s completed", s->uid_cmd ? "UID " : "", verb);
}

/* check = "CHECK" */
void imap_cmd_check(struct imap_server *s, struct imap_cursor *c)
{
	if (imap_srv_end(s, c) == 0)
		imap_srv_result(s, "OK", NULL, "CHECK completed");
}

/* close = "CLOSE": expunges silently (unless read-only), then unselects. */
void imap_cmd_close(struct imap_server *s, struct imap_cursor *c)
{
	if (imap_srv_end(s, c) < 0)
		return;
	if (!s->read_only)
		s->st->expunge(s->sctx);
	imap_srv_unselect(s);
	imap_srv_result(s, "OK", NULL, "CLOSE completed");
}

/* expunge = "EXPUNGE": the EXPUNGE responses come from the store's notes,
 * sent by the dispatcher before the tagged OK. */
void imap_cmd_expunge(struct imap_server *s, struct imap_cursor *c)
{
	if (imap_srv_end(s, c) < 0)
		return;
	if (s->read_only) {
		imap_srv_result(s, "NO", "READ-ONLY", "Mailbox is read-only");
		return;
	}
	long n = s->st->expunge(s->sctx);
	if (n < 0)
		imap_srv_store_error(s, (int)n, 0);
	else
		imap_srv_result(s, "OK", NULL, "EXPUNGE completed");
}

/* search = "SEARCH" [SP "CHARSET" SP astring] 1*(SP search-key) */
void imap_cmd_search(struct imap_server *s, struct imap_cursor *c)
{
	struct imap_search *prog = NULL;
	int badcharset = 0;
	if (imap_sp(c) < 0) {
		imap_srv_bad(s, "Expected search criteria");
		return;
	}
	int rc = imap_search_parse(c, NULL, &prog, &badcharset);
	if (rc < 0) {
		if (badcharset)
			imap_srv_result(s, "NO", "BADCHARSET (US-ASCII UTF-8)", "Unsupported charset");
		else if (rc == PROTO_ENOMEM)
			imap_srv_result(s, "NO", "SERVERBUG", "Out of memory");
		else
			imap_srv_bad(s, c->err);
		return;
	}
	struct imap_search_ctx ctx = {.exists = (uint32_t)s->nmap,
				      .max_uid = s->nmap ? s->map[s->nmap - 1].uid : 0};
	struct buf b;
	buf_init(&b, s->cfg.max_output);
	buf_puts(&b, "* SEARCH");
	const char *kw[IMAP_MAX_KEYWORDS];
	for (size_t i = 0; i < s->nmap; i++) {
		struct imap_store_msg m;
		struct imap_msgview v;
		if (view_at(s, i, &m, &v, kw) < 0)
			continue;
		int hit = imap_search_match(prog, &ctx, &v);
		if (hit < 0) {
			imap_srv_result(s, "NO", "SERVERBUG", "Out of memory");
			goto out;
		}
		if (hit)
			buf_printf(&b, " %u", s->uid_cmd ? v.uid : v.seq);
	}
	buf_puts(&b, "\r\n");
	imap_srv_out_buf(s, &b);
	result_done(s, "SEARCH");
out:
	buf_free(&b);
	imap_search_free(&prog);
}

/* fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" /
 *         fetch-att / "(" fetch-att *(SP fetch-att) ")") */
void imap_cmd_fetch(struct imap_server *s, struct imap_cursor *c)
{
	struct imap_seqset *set = NULL;
	struct imap_fetch *f = NULL;
	size_t *idx = NULL, n = 0;
	struct buf b;
	buf_init(&b, s->cfg.max_output);
	if (read_set(s, c, &set) < 0)
		goto out;
	if (imap_sp(c) < 0 || imap_fetch_parse(c, &f) < 0) {
		imap_srv_bad(s, c->err ? c->err : "Expected fetch attributes");
		goto out;
	}
	if (imap_srv_end(s, c) < 0 || resolve(s, set, &idx, &n) < 0)
		goto out;
	int sets_seen = imap_fetch_sets_seen(f) && !s->read_only;
	const char *kw[IMAP_MAX_KEYWORDS];
	for (size_t k = 0; k < n && !s->closing; k++) {
		struct imap_store_msg m;
		struct imap_msgview v;
		unsigned opts = s->uid_cmd ? IMAP_FETCH_ADD_UID : 0;
		if (view_at(s, idx[k], &m, &v, kw) < 0) {
			s->expunge_issued = 1;
			continue;
		}
		if (sets_seen && !(v.flags & IMAP_F_SEEN)) {
			own_set_flags(s, v.uid, m.flags | IMAP_F_SEEN, m.keywords);
			if (view_at(s, idx[k], &m, &v, kw) < 0)
				continue;
			opts |= IMAP_FETCH_ADD_FLAGS;
		}
		buf_reset(&b);
		buf_printf(&b, "* %u FETCH ", v.seq);
		if (imap_fetch_render(f, &v, opts, &b) < 0) {
			imap_srv_result(s, "NO", "LIMIT", "Response too large");
			goto out;
		}
		buf_puts(&b, "\r\n");
		imap_srv_out_buf(s, &b);
	}
	result_done(s, "FETCH");
out:
	buf_free(&b);
	free(idx);
	imap_fetch_free(&f);
	imap_seqset_free(&set);
}

/* store = "STORE" SP sequence-set SP store-att-flags
 * store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag))) */
void imap_cmd_store(struct imap_server *s, struct imap_cursor *c)
{
	struct imap_seqset *set = NULL;
	size_t *idx = NULL, n = 0;
	struct buf item, b;
	buf_init(&item, 64);
	buf_init(&b, 64 * 1024);
	if (read_set(s, c, &set) < 0)
		goto out;
	if (imap_sp(c) < 0 || imap_read_atom(c, &item) < 0) {
		imap_srv_bad(s, "Expected FLAGS, +FLAGS or -FLAGS");
		goto out;
	}
	const char *it = item.data;
	int op = 0; /* 0 replace, 1 add, -1 remove */
	if (*it == '+' || *it == '-')
		op = *it++ == '+' ? 1 : -1;
	int silent = 0;
	if (strcasecmp(it, "FLAGS.SILENT") == 0)
		silent = 1;
	else if (strcasecmp(it, "FLAGS") != 0) {
		imap_srv_bad(s, "Expected FLAGS, +FLAGS or -FLAGS");
		goto out;
	}
	uint32_t flags;
	uint64_t keywords;
	const char *err = NULL;
	if (imap_sp(c) < 0)
		err = "Expected flags";
	else
		err = imap_srv_read_flags(s, c, 1, op >= 0 && !s->read_only, &flags, &keywords);
	if (err) {
		imap_srv_bad(s, err);
		goto out;
	}
	if (imap_srv_end(s, c) < 0)
		goto out;
	if (s->read_only) {
		imap_srv_result(s, "NO", "READ-ONLY", "Mailbox is read-only");
		goto out;
	}
	if (resolve(s, set, &idx, &n) < 0)
		goto out;
	const char *kw[IMAP_MAX_KEYWORDS];
	for (size_t k = 0; k < n; k++) {
		struct imap_store_msg m;
		struct imap_msgview v;
		if (view_at(s, idx[k], &m, &v, kw) < 0) {
			s->expunge_issued = 1;
			continue;
		}
		uint32_t keep = m.flags & ~IMAP_FLAG_SYSTEM_MASK; /* the store's \Recent */
		uint32_t nf = op == 0 ? flags : op > 0 ? (m.flags | flags) : (m.flags & ~flags);
		uint64_t nk = op == 0 ? keywords : op > 0 ? (m.keywords | keywords) : (m.keywords & ~keywords);
		nf = (nf & IMAP_FLAG_SYSTEM_MASK) | keep;
		if (nf != m.flags || nk != m.keywords) {
			int rc = own_set_flags(s, v.uid, nf, nk);
			if (rc < 0) {
				imap_srv_store_error(s, rc, 0);
				goto out;
			}
			if (view_at(s, idx[k], &m, &v, kw) < 0)
				continue;
		}
		if (silent)
			continue;
		buf_reset(&b);
		buf_printf(&b, "* %u FETCH (FLAGS ", v.seq);
		imap_srv_put_flags(s, &b, v.flags, m.keywords);
		if (s->uid_cmd)
			buf_printf(&b, " UID %u", v.uid);
		buf_puts(&b, ")\r\n");
		imap_srv_out_buf(s, &b);
	}
	result_done(s, "STORE");
out:
	free(idx);
	buf_free(&item);
	buf_free(&b);
	imap_seqset_free(&set);
}

/* copy = "COPY" SP sequence-set SP mailbox */
void imap_cmd_copy(struct imap_server *s, struct imap_cursor *c)
{
	struct imap_seqset *set = NULL;
	size_t *idx = NULL, n = 0;
	struct buf dest;
	buf_init(&dest, IMAP_NAME_MAX - 1);
	if (read_set(s, c, &set) < 0)
		goto out;
	if (imap_sp(c) < 0 || imap_read_astring(c, &dest) < 0 || dest.len == 0) {
		imap_srv_bad(s, c->err ? c->err : "Expected a mailbox name");
		goto out;
	}
	if (imap_srv_end(s, c) < 0 || resolve(s, set, &idx, &n) < 0)
		goto out;
	struct imap_mailbox_status st;
	int rc = strlen(dest.data) == dest.len ? s->st->status(s->sctx, dest.data, &st) : IMAP_STORE_BAD_NAME;
	if (rc < 0) {
		imap_srv_store_error(s, rc, 1);
		goto out;
	}
	for (size_t k = 0; k < n; k++) {
		struct imap_seq *e = &s->map[idx[k]];
		if (e->flags & SEQ_GONE) {
			s->expunge_issued = 1;
			continue;
		}
		uint32_t nu = 0, uv = 0;
		rc = s->st->copy(s->sctx, e->uid, dest.data, &nu, &uv);
		if (rc == IMAP_STORE_NOT_FOUND && s->st->index_of(s->sctx, e->uid) < 0) {
			s->expunge_issued = 1;
			continue;
		}
		if (rc < 0) {
			imap_srv_store_error(s, rc, 1);
			goto out;
		}
	}
	result_done(s, "COPY");
out:
	free(idx);
	buf_free(&dest);
	imap_seqset_free(&set);
}

/* append = "APPEND" SP mailbox [SP flag-list] [SP date-time] SP literal */
void imap_cmd_append(struct imap_server *s, struct imap_cursor *c)
{
	struct buf name, msg;
	buf_init(&name, IMAP_NAME_MAX - 1);
	buf_init(&msg, (size_t)s->cfg.max_literal + 1);
	uint32_t flags = 0;
	uint64_t keywords = 0;
	int64_t date = IMAP_DATE_NOW;
	int zone = 0;
	if (imap_sp(c) < 0 || imap_read_astring(c, &name) < 0 || name.len == 0 || imap_sp(c) < 0) {
		imap_srv_bad(s, c->err ? c->err : "Expected a mailbox name");
		goto out;
	}
	if (imap_peek(c) == '(') {
		const char *err = imap_srv_read_flags(s, c, 0, 1, &flags, &keywords);
		if (err || imap_sp(c) < 0) {
			imap_srv_bad(s, err ? err : "Expected a space after the flags");
			goto out;
		}
	}
	if (imap_peek(c) == '"') {
		if (imap_read_date_time(c, &date, &zone) < 0 || imap_sp(c) < 0) {
			imap_srv_bad(s, c->err ? c->err : "Bad date-time");
			goto out;
		}
	}
	if (imap_peek(c) != '{') {
		imap_srv_bad(s, "Expected the message as a literal");
		goto out;
	}
	if (imap_read_string(c, &msg) < 0) {
		imap_srv_bad(s, c->err);
		goto out;
	}
	if (imap_srv_end(s, c) < 0)
		goto out;
	if (strlen(name.data) != name.len) {
		imap_srv_store_error(s, IMAP_STORE_BAD_NAME, 0);
		goto out;
	}
	if (msg.len == 0) {
		imap_srv_result(s, "NO", NULL, "Empty message");
		goto out;
	}
	uint32_t uid = 0, uv = 0;
	int rc = s->st->append(s->sctx, name.data, (const uint8_t *)msg.data, msg.len, flags, keywords, date, zone,
			       &uid, &uv);
	if (rc < 0)
		imap_srv_store_error(s, rc, 1);
	else
		imap_srv_result(s, "OK", NULL, "APPEND completed");
out:
	buf_free(&name);
	buf_free(&msg);
}
