/* SEARCH programs (RFC 3501 6.4.4): a parser from the criteria grammar to a
 * tree of keys, and an evaluator that reads as little of a message as the
 * keys need (flags and sizes: nothing; header keys: the header section;
 * BODY and TEXT: the MIME tree, once per message).
 *
 *   search         = "SEARCH" [SP "CHARSET" SP astring] 1*(SP search-key)
 *   search-key     = "ALL" / "ANSWERED" / "BCC" SP astring / "BEFORE" SP date /
 *                    "BODY" SP astring / "CC" SP astring / "DELETED" / "FLAGGED" /
 *                    "FROM" SP astring / "KEYWORD" SP flag-keyword / "NEW" /
 *                    "OLD" / "ON" SP date / "RECENT" / "SEEN" /
 *                    "SINCE" SP date / "SUBJECT" SP astring / "TEXT" SP astring /
 *                    "TO" SP astring / "UNANSWERED" / "UNDELETED" / "UNFLAGGED" /
 *                    "UNKEYWORD" SP flag-keyword / "UNSEEN" / "DRAFT" /
 *                    "HEADER" SP header-fld-name SP astring / "LARGER" SP number /
 *                    "NOT" SP search-key / "OR" SP search-key SP search-key /
 *                    "SENTBEFORE" SP date / "SENTON" SP date / "SENTSINCE" SP date /
 *                    "SMALLER" SP number / "UID" SP sequence-set / "UNDRAFT" /
 *                    sequence-set / "(" search-key *(SP search-key) ")"
 */
#include "protocols/imap_search.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/header.h"
#include "protocols/imap_msgview_internal.h"
#include "protocols/imap_seqset.h"
#include "protocols/message.h"
#include "protocols/proto_err.h"

#define DEFAULT_DEPTH 64
#define DEFAULT_KEYS 1000
#define STRING_MAX (64u << 10)
#define TEXT_MAX (256u << 20)

enum key {
	K_AND, K_OR, K_NOT, K_ALL, K_FLAGS, K_KEYWORD, K_UNKEYWORD, K_HEADER, K_BODY, K_TEXT,
	K_BEFORE, K_ON, K_SINCE, K_SENTBEFORE, K_SENTON, K_SENTSINCE, K_LARGER, K_SMALLER, K_UID, K_SEQ,
};

struct node {
	enum key kind;
	const char *name; /* the key as it is written back ("UNSEEN", "FROM") */
	struct node **kids;
	size_t nkids;
	char *field;      /* HEADER's field name, or FROM's "From" */
	char *arg;        /* the string as given */
	size_t arg_len;
	char *needle;     /* arg case-folded */
	size_t needle_len;
	int64_t days;
	uint32_t num;
	uint32_t set_mask, clear_mask; /* K_FLAGS */
	struct imap_seqset *set;
};

struct imap_search {
	struct node *root;
	int implicit_root; /* the root is the top level's implicit AND */
};

struct parser {
	struct imap_cursor *c;
	size_t max_depth, max_keys, max_ranges, keys;
};

static const struct {
	const char *name;
	uint32_t set, clear;
} flag_keys[] = {
	{"ANSWERED", 1 << 1, 0}, {"DELETED", 1 << 3, 0},   {"DRAFT", 1 << 4, 0},   {"FLAGGED", 1 << 2, 0},
	{"RECENT", 1 << 5, 0},   {"SEEN", 1 << 0, 0},      {"NEW", 1 << 5, 1 << 0}, {"OLD", 0, 1 << 5},
	{"UNANSWERED", 0, 1 << 1}, {"UNDELETED", 0, 1 << 3}, {"UNDRAFT", 0, 1 << 4}, {"UNFLAGGED", 0, 1 << 2},
	{"UNSEEN", 0, 1 << 0},
};

static const struct {
	const char *name;
	const char *field;
} header_keys[] = {{"BCC", "Bcc"}, {"CC", "Cc"}, {"FROM", "From"}, {"SUBJECT", "Subject"}, {"TO", "To"}};

static const struct {
	const char *name;
	enum key kind;
} date_keys[] = {{"BEFORE", K_BEFORE},         {"ON", K_ON},         {"SINCE", K_SINCE},
		 {"SENTBEFORE", K_SENTBEFORE}, {"SENTON", K_SENTON}, {"SENTSINCE", K_SENTSINCE}};

static void node_free(struct node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n->field);
	free(n->arg);
	free(n->needle);
	imap_seqset_free(&n->set);
	free(n);
}

void imap_search_free(struct imap_search **s)
{
	if (!s || !*s)
		return;
	node_free((*s)->root);
	free(*s);
	*s = NULL;
}

/* ---- case folding: ASCII and the Latin-1 letters of UTF-8 ---- */

static int fold(struct buf *out, const char *s, size_t n)
{
	int rc = buf_reserve(out, n);
	if (rc < 0)
		return rc;
	char *d = out->data + out->len;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch >= 'A' && ch <= 'Z') {
			ch += 32;
		} else if (ch == 0xc3 && i + 1 < n) {
			unsigned char nx = (unsigned char)s[i + 1];
			d[i] = (char)ch;
			/* U+00C0..U+00DE (not U+00D7) fold to U+00E0..U+00FE. */
			d[i + 1] = (char)(nx >= 0x80 && nx <= 0x9e && nx != 0x97 ? nx + 0x20 : nx);
			i++;
			continue;
		}
		d[i] = (char)ch;
	}
	out->len += n;
	out->data[out->len] = 0;
	return 0;
}

static int contains(const char *hay, size_t n, const char *needle, size_t m)
{
	if (m == 0)
		return 1;
	if (m > n)
		return 0;
	const char *end = hay + n - m + 1;
	for (const char *p = hay; p < end;) {
		p = memchr(p, needle[0], (size_t)(end - p));
		if (!p)
			return 0;
		if (memcmp(p, needle, m) == 0)
			return 1;
		p++;
	}
	return 0;
}

/* ---- parsing ---- */

static struct node *new_node(struct parser *ps, enum key kind, const char *name, int *rc_r)
{
	if (ps->keys == ps->max_keys) {
		ps->c->err = "too many search keys";
		*rc_r = PROTO_ELIMIT;
		return NULL;
	}
	struct node *n = calloc(1, sizeof *n);
	if (!n) {
		ps->c->err = "out of memory";
		*rc_r = PROTO_ENOMEM;
		return NULL;
	}
	ps->keys++;
	n->kind = kind;
	n->name = name;
	return n;
}

static int add_kid(struct parser *ps, struct node *parent, struct node *kid)
{
	struct node **k = realloc(parent->kids, (parent->nkids + 1) * sizeof *k);
	if (!k) {
		ps->c->err = "out of memory";
		return PROTO_ENOMEM;
	}
	parent->kids = k;
	parent->kids[parent->nkids++] = kid;
	return 0;
}

/* SP astring into n->arg and its folded form into n->needle. */
static int read_string_arg(struct parser *ps, struct node *n)
{
	struct buf s, f;
	buf_init(&s, STRING_MAX);
	buf_init(&f, STRING_MAX);
	int rc = imap_sp(ps->c);
	if (rc == 0)
		rc = imap_read_astring(ps->c, &s);
	if (rc == 0)
		rc = fold(&f, s.data ? s.data : "", s.len);
	if (rc == 0) {
		n->arg_len = s.len;
		n->needle_len = f.len;
		n->arg = buf_steal(&s, NULL);
		n->needle = buf_steal(&f, NULL);
		if (!n->arg || !n->needle)
			rc = PROTO_ENOMEM;
	}
	buf_free(&s);
	buf_free(&f);
	return rc;
}

static int parse_key(struct parser *ps, size_t depth, struct node **n_r);

/* key *(SP key) up to ')' (in a list) or the end (top level). */
static int parse_keys(struct parser *ps, size_t depth, struct node *and, int in_list)
{
	struct imap_cursor *c = ps->c;
	for (;;) {
		struct node *kid = NULL;
		int rc = parse_key(ps, depth, &kid);
		if (rc < 0)
			return rc;
		if ((rc = add_kid(ps, and, kid)) < 0) {
			node_free(kid);
			return rc;
		}
		if (in_list && imap_peek(c) == ')') {
			c->p++;
			return 0;
		}
		if (!in_list && imap_at_end(c))
			return 0;
		if (imap_sp(c) < 0) {
			c->err = in_list ? "expected ' ' or ')' after search key" : "expected ' ' after search key";
			return PROTO_EINVAL;
		}
		if (in_list && imap_at_end(c)) {
			c->err = "unbalanced parentheses in search";
			return PROTO_EINVAL;
		}
	}
}

static int parse_key_body(struct parser *ps, size_t depth, struct node **n_r)
{
	struct imap_cursor *c = ps->c;
	int rc = 0;
	struct node *n = NULL;
	int ch = imap_peek(c);
	if (ch == '(') {
		c->p++;
		if (!(n = new_node(ps, K_AND, "", &rc)))
			return rc;
		*n_r = n;
		return parse_keys(ps, depth + 1, n, 1);
	}
	if ((ch >= '0' && ch <= '9') || ch == '*') {
		if (!(n = new_node(ps, K_SEQ, "", &rc)))
			return rc;
		*n_r = n;
		return imap_seqset_parse(c, ps->max_ranges, &n->set);
	}
	struct buf word;
	buf_init(&word, 64);
	if (imap_read_atom(c, &word) < 0) {
		buf_free(&word);
		c->err = ch == ')' ? "unbalanced parentheses in search" : "expected a search key";
		return PROTO_EINVAL;
	}
	const char *w = word.data;
	for (size_t i = 0; i < sizeof flag_keys / sizeof flag_keys[0] && !n; i++) {
		if (strcasecmp(w, flag_keys[i].name) == 0) {
			if (!(n = new_node(ps, K_FLAGS, flag_keys[i].name, &rc)))
				goto out;
			n->set_mask = flag_keys[i].set;
			n->clear_mask = flag_keys[i].clear;
		}
	}
	for (size_t i = 0; i < sizeof header_keys / sizeof header_keys[0] && !n; i++) {
		if (strcasecmp(w, header_keys[i].name) == 0) {
			if (!(n = new_node(ps, K_HEADER, header_keys[i].name, &rc)))
				goto out;
			*n_r = n;
			n->field = strdup(header_keys[i].field);
			rc = n->field ? read_string_arg(ps, n) : PROTO_ENOMEM;
			goto out;
		}
	}
	for (size_t i = 0; i < sizeof date_keys / sizeof date_keys[0] && !n; i++) {
		if (strcasecmp(w, date_keys[i].name) == 0) {
			if (!(n = new_node(ps, date_keys[i].kind, date_keys[i].name, &rc)))
				goto out;
			*n_r = n;
			rc = imap_sp(c);
			if (rc == 0)
				rc = imap_read_date(c, &n->days);
			goto out;
		}
	}
	if (n) {
		*n_r = n;
	} else if (strcasecmp(w, "ALL") == 0) {
		n = new_node(ps, K_ALL, "ALL", &rc);
		*n_r = n;
	} else if (strcasecmp(w, "BODY") == 0 || strcasecmp(w, "TEXT") == 0) {
		int body = strcasecmp(w, "BODY") == 0;
		if ((n = new_node(ps, body ? K_BODY : K_TEXT, body ? "BODY" : "TEXT", &rc))) {
			*n_r = n;
			rc = read_string_arg(ps, n);
		}
	} else if (strcasecmp(w, "HEADER") == 0) {
		if ((n = new_node(ps, K_HEADER, "HEADER", &rc))) {
			struct buf name;
			buf_init(&name, 1000);
			*n_r = n;
			rc = imap_sp(c);
			if (rc == 0)
				rc = imap_read_astring(c, &name);
			if (rc == 0 && (name.len == 0 || strpbrk(name.data, ": \t"))) {
				c->err = "bad header field name";
				rc = PROTO_EINVAL;
			}
			if (rc == 0 && !(n->field = buf_steal(&name, NULL)))
				rc = PROTO_ENOMEM;
			buf_free(&name);
			if (rc == 0)
				rc = read_string_arg(ps, n);
		}
	} else if (strcasecmp(w, "KEYWORD") == 0 || strcasecmp(w, "UNKEYWORD") == 0) {
		int un = strcasecmp(w, "UNKEYWORD") == 0;
		if ((n = new_node(ps, un ? K_UNKEYWORD : K_KEYWORD, un ? "UNKEYWORD" : "KEYWORD", &rc))) {
			struct buf kw;
			buf_init(&kw, 1000);
			*n_r = n;
			rc = imap_sp(c);
			if (rc == 0 && imap_peek(c) == '\\') {
				c->err = "KEYWORD takes a keyword, not a system flag";
				rc = PROTO_EINVAL;
			}
			if (rc == 0)
				rc = imap_read_atom(c, &kw);
			if (rc == 0) {
				n->arg_len = kw.len;
				if (!(n->arg = buf_steal(&kw, NULL)))
					rc = PROTO_ENOMEM;
			}
			buf_free(&kw);
		}
	} else if (strcasecmp(w, "LARGER") == 0 || strcasecmp(w, "SMALLER") == 0) {
		int larger = strcasecmp(w, "LARGER") == 0;
		if ((n = new_node(ps, larger ? K_LARGER : K_SMALLER, larger ? "LARGER" : "SMALLER", &rc))) {
			*n_r = n;
			rc = imap_sp(c);
			if (rc == 0)
				rc = imap_read_number(c, &n->num);
		}
	} else if (strcasecmp(w, "UID") == 0) {
		if ((n = new_node(ps, K_UID, "UID", &rc))) {
			*n_r = n;
			rc = imap_sp(c);
			if (rc == 0)
				rc = imap_seqset_parse(c, ps->max_ranges, &n->set);
		}
	} else if (strcasecmp(w, "NOT") == 0) {
		if ((n = new_node(ps, K_NOT, "NOT", &rc))) {
			struct node *kid = NULL;
			*n_r = n;
			rc = imap_sp(c);
			if (rc == 0)
				rc = parse_key(ps, depth + 1, &kid);
			if (kid && add_kid(ps, n, kid) < 0) {
				node_free(kid);
				rc = PROTO_ENOMEM;
			}
		}
	} else if (strcasecmp(w, "OR") == 0) {
		if ((n = new_node(ps, K_OR, "OR", &rc))) {
			*n_r = n;
			for (int i = 0; i < 2 && rc == 0; i++) {
				struct node *kid = NULL;
				rc = imap_sp(c);
				if (rc == 0)
					rc = parse_key(ps, depth + 1, &kid);
				if (kid && add_kid(ps, n, kid) < 0) {
					node_free(kid);
					rc = PROTO_ENOMEM;
				}
			}
		}
	} else {
		c->err = "unknown search key";
		rc = PROTO_EINVAL;
	}
out:
	buf_free(&word);
	return rc;
}

/* One search-key; on failure *n_r is NULL and nothing is leaked. */
static int parse_key(struct parser *ps, size_t depth, struct node **n_r)
{
	*n_r = NULL;
	if (depth >= ps->max_depth) {
		ps->c->err = "search nested too deeply";
		return PROTO_ELIMIT;
	}
	struct node *n = NULL;
	int rc = parse_key_body(ps, depth, &n);
	if (rc < 0) {
		node_free(n);
		return rc;
	}
	*n_r = n;
	return 0;
}

int imap_search_parse(struct imap_cursor *c, const struct imap_search_limits *limits, struct imap_search **s_r,
		      int *badcharset_r)
{
	struct parser ps = {.c = c};
	ps.max_depth = limits && limits->max_depth ? limits->max_depth : DEFAULT_DEPTH;
	ps.max_keys = limits && limits->max_keys ? limits->max_keys : DEFAULT_KEYS;
	ps.max_ranges = limits ? limits->max_ranges : 0;
	*badcharset_r = 0;
	if (imap_accept_word(c, "CHARSET")) {
		struct buf cs;
		buf_init(&cs, 256);
		int rc = imap_sp(c);
		if (rc == 0)
			rc = imap_read_astring(c, &cs);
		if (rc == 0 && (cs.len == 0 || (strcasecmp(cs.data, "US-ASCII") != 0 && strcasecmp(cs.data, "UTF-8") != 0))) {
			*badcharset_r = 1;
			c->err = "unsupported charset";
			rc = PROTO_EINVAL;
		}
		buf_free(&cs);
		if (rc == 0)
			rc = imap_sp(c);
		if (rc < 0)
			return rc;
	}
	if (imap_at_end(c)) {
		c->err = "missing search criteria";
		return PROTO_EINVAL;
	}
	struct imap_search *s = calloc(1, sizeof *s);
	int rc = 0;
	if (!s || !(s->root = new_node(&ps, K_AND, "", &rc))) {
		free(s);
		c->err = "out of memory";
		return PROTO_ENOMEM;
	}
	s->implicit_root = 1;
	rc = parse_keys(&ps, 0, s->root, 0);
	if (rc < 0) {
		imap_search_free(&s);
		return rc;
	}
	*s_r = s;
	return 0;
}

/* ---- evaluation ---- */

struct eval {
	const struct imap_search_ctx *ctx;
	const struct imap_msgview *v;
	struct buf tmp, folded;
	struct buf header_text; /* TEXT: every field decoded and folded */
	struct buf body_text;   /* BODY/TEXT: the text parts, UTF-8, folded */
	int have_header_text, have_body_text;
};

static int64_t floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* Appends every occurrence of the field, decoded and folded, each ending
 * in a NUL, to out. */
static int collect_field(struct eval *e, const char *name, struct buf *out)
{
	size_t pos = 0;
	struct hdr_field f;
	while (hdr_next(e->v->raw, e->v->raw_len, &pos, &f, NULL) > 0) {
		if (!hdr_name_is(&f, name))
			continue;
		buf_reset(&e->tmp);
		int rc = hdr_decode(&e->tmp, f.value, f.value_len, NULL);
		if (rc == 0)
			rc = fold(out, e->tmp.data ? e->tmp.data : "", e->tmp.len);
		if (rc == 0)
			rc = buf_append(out, "", 1);
		if (rc < 0)
			return rc;
	}
	return 0;
}

_Static_assert(sizeof header_keys / sizeof header_keys[0] == IMAP_MSGCACHE_NFIELDS, "one cached field per key");

/* The cached folded occurrences of a SEARCH header key, or NULL when the
 * field is not one of them or there is no cache. */
static const struct buf *cached_field(struct eval *e, const char *name, int *rc_r)
{
	*rc_r = 0;
	size_t i = 0;
	while (i < sizeof header_keys / sizeof header_keys[0] && strcasecmp(header_keys[i].field, name) != 0)
		i++;
	struct imap_msgcache *mc = i < sizeof header_keys / sizeof header_keys[0] ? imap_msgview_cache(e->v) : NULL;
	if (!mc)
		return NULL;
	if (!(mc->have_field & (1u << i))) {
		buf_reset(&mc->field[i]);
		if ((*rc_r = collect_field(e, header_keys[i].field, &mc->field[i])) < 0) {
			buf_reset(&mc->field[i]);
			return NULL;
		}
		mc->have_field |= 1u << i;
	}
	return &mc->field[i];
}

static int header_match(struct eval *e, const struct node *n)
{
	int rc;
	const struct buf *c = cached_field(e, n->field, &rc);
	if (rc < 0)
		return rc;
	if (!c) {
		buf_reset(&e->folded);
		if ((rc = collect_field(e, n->field, &e->folded)) < 0)
			return rc;
		c = &e->folded;
	}
	if (c->len == 0)
		return 0;
	return contains(c->data, c->len, n->needle, n->needle_len);
}

static int collect_header_text(struct eval *e)
{
	size_t pos = 0;
	struct hdr_field f;
	int rc = 0;
	while (rc == 0 && hdr_next(e->v->raw, e->v->raw_len, &pos, &f, NULL) > 0) {
		buf_reset(&e->tmp);
		rc = buf_append(&e->tmp, f.name, f.name_len);
		if (rc == 0)
			rc = buf_puts(&e->tmp, ": ");
		if (rc == 0)
			rc = hdr_decode(&e->tmp, f.value, f.value_len, NULL);
		if (rc == 0)
			rc = buf_putc(&e->tmp, '\n');
		if (rc == 0)
			rc = fold(&e->header_text, e->tmp.data, e->tmp.len);
	}
	e->have_header_text = rc == 0;
	return rc;
}

static int collect_text_parts(struct eval *e, const struct mime_node *n)
{
	int rc = 0;
	size_t kids = mime_node_child_count(n);
	if (kids > 0) {
		for (size_t i = 0; i < kids && rc == 0; i++)
			rc = collect_text_parts(e, mime_node_child(n, i));
		return rc;
	}
	if (strcmp(mime_node_type(n), "text") != 0 || mime_node_is_multipart(n))
		return 0;
	buf_reset(&e->tmp);
	rc = mime_node_text_utf8(n, &e->tmp, NULL);
	if (rc == 0)
		rc = fold(&e->body_text, e->tmp.data ? e->tmp.data : "", e->tmp.len);
	if (rc == 0)
		rc = buf_putc(&e->body_text, '\n');
	return rc;
}

static int collect_body_text(struct eval *e)
{
	const struct mime_doc *doc;
	struct mime_doc *owned;
	int rc = imap_msgview_mime(e->v, &doc, &owned);
	if (rc < 0)
		return rc;
	buf_reset(&e->tmp);
	rc = collect_text_parts(e, mime_doc_root(doc));
	mime_doc_free(&owned);
	e->have_body_text = rc == 0;
	return rc;
}

static int keyword_set(const struct imap_msgview *v, const char *kw)
{
	for (size_t i = 0; i < v->keyword_count; i++)
		if (strcasecmp(v->keywords[i], kw) == 0)
			return 1;
	return 0;
}

/* The Date header's calendar day in its own zone; 0 if there is none. */
static int sent_day(const struct imap_msgview *v, int64_t *day_r)
{
	struct hdr_field f;
	if (!hdr_find(v->raw, v->raw_len, "Date", 0, &f))
		return 0;
	int64_t t;
	int zone;
	if (msg_date_parse(f.value, f.value_len, &t, &zone) < 0)
		return 0;
	*day_r = floor_div(t + (int64_t)zone * 60, 86400);
	return 1;
}

static int eval_node(struct eval *e, struct node *n)
{
	const struct imap_msgview *v = e->v;
	int rc;
	int64_t day;
	switch (n->kind) {
	case K_AND:
		for (size_t i = 0; i < n->nkids; i++)
			if ((rc = eval_node(e, n->kids[i])) != 1)
				return rc;
		return 1;
	case K_OR:
		for (size_t i = 0; i < n->nkids; i++)
			if ((rc = eval_node(e, n->kids[i])) != 0)
				return rc;
		return 0;
	case K_NOT:
		rc = eval_node(e, n->kids[0]);
		return rc < 0 ? rc : !rc;
	case K_ALL: return 1;
	case K_FLAGS: return (v->flags & n->set_mask) == n->set_mask && (v->flags & n->clear_mask) == 0;
	case K_KEYWORD: return keyword_set(v, n->arg);
	case K_UNKEYWORD: return !keyword_set(v, n->arg);
	case K_HEADER: return header_match(e, n);
	case K_TEXT:
		if (!e->have_header_text && (rc = collect_header_text(e)) < 0)
			return rc;
		if (contains(e->header_text.data, e->header_text.len, n->needle, n->needle_len))
			return 1;
		/* fall through */
	case K_BODY:
		if (!e->have_body_text && (rc = collect_body_text(e)) < 0)
			return rc;
		return contains(e->body_text.data, e->body_text.len, n->needle, n->needle_len);
	case K_BEFORE:
	case K_ON:
	case K_SINCE:
		day = floor_div(v->internal_date + (int64_t)v->internal_zone_min * 60, 86400);
		return n->kind == K_BEFORE ? day < n->days : n->kind == K_ON ? day == n->days : day >= n->days;
	case K_SENTBEFORE:
	case K_SENTON:
	case K_SENTSINCE:
		if (!sent_day(v, &day))
			return 0;
		return n->kind == K_SENTBEFORE ? day < n->days : n->kind == K_SENTON ? day == n->days : day >= n->days;
	case K_LARGER: return v->raw_len > n->num;
	case K_SMALLER: return v->raw_len < n->num;
	case K_UID: return imap_seqset_contains(n->set, v->uid, e->ctx->max_uid);
	case K_SEQ: return imap_seqset_contains(n->set, v->seq, e->ctx->exists);
	}
	return 0;
}

int imap_search_match(struct imap_search *s, const struct imap_search_ctx *ctx, const struct imap_msgview *v)
{
	struct eval e = {.ctx = ctx, .v = v};
	buf_init(&e.tmp, TEXT_MAX);
	buf_init(&e.folded, TEXT_MAX);
	buf_init(&e.header_text, TEXT_MAX);
	buf_init(&e.body_text, TEXT_MAX);
	int rc = eval_node(&e, s->root);
	buf_free(&e.tmp);
	buf_free(&e.folded);
	buf_free(&e.header_text);
	buf_free(&e.body_text);
	return rc;
}

static int needs_body(const struct node *n)
{
	if (n->kind == K_BODY || n->kind == K_TEXT)
		return 1;
	for (size_t i = 0; i < n->nkids; i++)
		if (needs_body(n->kids[i]))
			return 1;
	return 0;
}

int imap_search_needs_body(const struct imap_search *s)
{
	return needs_body(s->root);
}

/* ---- writing back ---- */

static int write_days(struct buf *out, int64_t days)
{
	static const char *const mon[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	/* H. Hinnant's civil_from_days. */
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = (int64_t)yoe + era * 400 + (m <= 2);
	return buf_printf(out, "%u-%s-%04lld", d, mon[m - 1], (long long)y);
}

static int write_node(struct buf *out, const struct node *n, int bare)
{
	int rc = 0;
	switch (n->kind) {
	case K_AND:
		if (!bare)
			rc = buf_putc(out, '(');
		for (size_t i = 0; i < n->nkids && rc == 0; i++) {
			if (i)
				rc = buf_putc(out, ' ');
			if (rc == 0)
				rc = write_node(out, n->kids[i], 0);
		}
		if (rc == 0 && !bare)
			rc = buf_putc(out, ')');
		return rc;
	case K_SEQ: return imap_seqset_write(out, n->set, 0);
	default: break;
	}
	rc = buf_puts(out, n->name);
	switch (n->kind) {
	case K_OR:
	case K_NOT:
		for (size_t i = 0; i < n->nkids && rc == 0; i++) {
			rc = buf_putc(out, ' ');
			if (rc == 0)
				rc = write_node(out, n->kids[i], 0);
		}
		break;
	case K_HEADER:
		if (strcmp(n->name, "HEADER") == 0) {
			rc = buf_putc(out, ' ');
			if (rc == 0)
				rc = imap_write_astring(out, n->field, strlen(n->field));
		}
		/* fall through */
	case K_BODY:
	case K_TEXT:
		if (rc == 0)
			rc = buf_putc(out, ' ');
		if (rc == 0)
			rc = imap_write_string(out, n->arg, n->arg_len);
		break;
	case K_KEYWORD:
	case K_UNKEYWORD:
		if (rc == 0)
			rc = buf_printf(out, " %s", n->arg);
		break;
	case K_BEFORE:
	case K_ON:
	case K_SINCE:
	case K_SENTBEFORE:
	case K_SENTON:
	case K_SENTSINCE:
		if (rc == 0)
			rc = buf_putc(out, ' ');
		if (rc == 0)
			rc = write_days(out, n->days);
		break;
	case K_LARGER:
	case K_SMALLER:
		if (rc == 0)
			rc = buf_printf(out, " %u", n->num);
		break;
	case K_UID:
		if (rc == 0)
			rc = buf_putc(out, ' ');
		if (rc == 0)
			rc = imap_seqset_write(out, n->set, 0);
		break;
	default: break;
	}
	return rc;
}

int imap_search_write(struct buf *out, const struct imap_search *s)
{
	return write_node(out, s->root, s->implicit_root);
}
