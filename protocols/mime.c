/* MIME parser (mime.h). One pass per nesting level: the header section is
 * read with hdr_next(), a multipart body is split at delimiter lines found
 * with memchr line by line, and leaf bodies are decoded eagerly. Nodes,
 * field tables and strings live in an arena freed with the doc; bodies that
 * need no decoding point into the doc's copy of the text. Workload: from
 * 10,000s of small messages a second (the MTAs) to single 10 MB messages
 * with base64 attachments. */
#include "protocols/mime.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/codec.h"
#include "protocols/proto_err.h"

#define ARENA_FIRST 4096
#define ARENA_CHUNK 16384
#define MAX_PARAMS 64

struct mime_param {
	const char *name, *value;
};

struct mime_node {
	struct mime_doc *doc;
	struct mime_node *parent;
	struct mime_node **children;
	size_t nchildren;
	const char *type, *subtype;
	struct mime_param *params;
	size_t nparams;
	const char *disposition;
	struct mime_param *dparams;
	size_t ndparams;
	enum mime_cte cte;
	const char *cte_name;
	struct hdr_field *fields;
	size_t nfields;
	size_t offset, header_len, body_offset, body_len;
	const char *body;
	size_t body_size;
	size_t pre_off, pre_len, epi_off, epi_len;
	size_t depth;
	unsigned defects;
	int is_message, has_pre, has_epi;
};

struct chunk {
	struct chunk *next;
	size_t used, cap;
	alignas(max_align_t) char data[];
};

struct mime_doc {
	const char *text;
	size_t n;
	struct chunk *arena;    /* current chunk first */
	struct chunk *first;    /* the chunk inside this allocation */
	void **blocks;          /* decoded bodies, malloc'd */
	size_t nblocks, capblocks;
	struct mime_node *root;
	size_t nodes;
	struct mime_limits lim;
	int oom;
};

/* ---- arena ---- */

static void *arena_alloc(struct mime_doc *d, size_t n)
{
	n = (n + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
	struct chunk *c = d->arena;
	if (c && c->cap - c->used >= n) {
		void *p = c->data + c->used;
		c->used += n;
		return p;
	}
	size_t cap = n > ARENA_CHUNK / 2 ? n : ARENA_CHUNK;
	struct chunk *nc = malloc(sizeof *nc + cap);
	if (!nc) {
		d->oom = 1;
		return NULL;
	}
	nc->cap = cap;
	nc->used = n;
	if (n > ARENA_CHUNK / 2 && c) { /* a big one: keep filling the current chunk */
		nc->next = c->next;
		c->next = nc;
	} else {
		nc->next = c;
		d->arena = nc;
	}
	return nc->data;
}

static char *arena_str(struct mime_doc *d, const char *s, size_t n, int lower)
{
	char *p = arena_alloc(d, n + 1);
	if (!p)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		p[i] = lower && c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
	}
	p[n] = '\0';
	return p;
}

static int keep_block(struct mime_doc *d, void *p)
{
	if (d->nblocks == d->capblocks) {
		size_t cap = d->capblocks ? d->capblocks * 2 : 8;
		void **v = realloc(d->blocks, cap * sizeof *v);
		if (!v) {
			free(p);
			d->oom = 1;
			return PROTO_ENOMEM;
		}
		d->blocks = v;
		d->capblocks = cap;
	}
	d->blocks[d->nblocks++] = p;
	return 0;
}

/* ---- small lexing helpers ---- */

static int ieq(const char *a, size_t an, const char *b)
{
	size_t bn = strlen(b);
	if (an != bn)
		return 0;
	for (size_t i = 0; i < an; i++) {
		char x = a[i], y = b[i];
		if (x >= 'A' && x <= 'Z')
			x = (char)(x + 32);
		if (x != y)
			return 0;
	}
	return 1;
}

/* Case-insensitive equality of the first n bytes. */
static int name_eq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char x = a[i], y = b[i];
		if (x >= 'A' && x <= 'Z')
			x = (char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (char)(y + 32);
		if (x != y)
			return 0;
	}
	return 1;
}

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* Skips white space and (nested) comments. */
static size_t skip_cfws(const char *s, size_t n, size_t i)
{
	while (i < n) {
		if (is_ws(s[i])) {
			i++;
		} else if (s[i] == '(') {
			int depth = 0;
			for (; i < n; i++) {
				if (s[i] == '\\' && i + 1 < n) {
					i++;
					continue;
				}
				if (s[i] == '(')
					depth++;
				else if (s[i] == ')' && --depth == 0) {
					i++;
					break;
				}
			}
		} else {
			break;
		}
	}
	return i;
}

static int token_char(char c) { return !is_ws(c) && c != ';' && c != '=' && c != '"' && c != '(' && c != '/'; }

/* ---- parameters (RFC 2045 5.1, RFC 2231) ---- */

struct raw_param {
	const char *name;
	size_t name_len;
	const char *value; /* raw; quoted strings still escaped */
	size_t value_len;
	int quoted;
};

static void unescape(struct buf *b, const char *s, size_t n, int quoted)
{
	if (!quoted) {
		buf_append(b, s, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n)
			i++;
		else if (s[i] == '\r' || s[i] == '\n')
			continue;
		buf_putc(b, s[i]);
	}
}

/* Splits "name*3*" into base length, section (-1 if none) and encoded flag. */
static size_t split_2231(const struct raw_param *p, int *section_r, int *encoded_r)
{
	const char *s = p->name;
	size_t n = p->name_len;
	*section_r = -1;
	*encoded_r = 0;
	if (n && s[n - 1] == '*') {
		*encoded_r = 1;
		n--;
	}
	size_t star = n;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '*') {
			star = i;
			break;
		}
	if (star < n) {
		int v = 0;
		size_t k = star + 1;
		if (k == n)
			return star;
		for (; k < n && s[k] >= '0' && s[k] <= '9' && v < 10000; k++)
			v = v * 10 + (s[k] - '0');
		if (k != n)
			return p->name_len; /* not RFC 2231 after all: keep the whole name */
		*section_r = v;
		return star;
	}
	if (*encoded_r)
		return n;
	return p->name_len;
}

/* Reads "; a=b; c="d"" from s[i..n) and stores decoded parameters. */
static void parse_params(struct mime_doc *d, const char *s, size_t n, size_t i, struct mime_param **out_r,
			 size_t *count_r, unsigned *defects)
{
	struct raw_param raw[MAX_PARAMS];
	size_t nraw = 0;
	while (i < n) {
		i = skip_cfws(s, n, i);
		if (i >= n)
			break;
		if (s[i] != ';') {
			*defects |= MIME_D_BAD_PARAM;
			while (i < n && s[i] != ';')
				i++;
			continue;
		}
		i = skip_cfws(s, n, i + 1);
		size_t a = i;
		while (i < n && token_char(s[i]))
			i++;
		size_t name_end = i;
		i = skip_cfws(s, n, i);
		if (name_end == a || i >= n || s[i] != '=') {
			if (name_end != a || (i < n && s[i] != ';'))
				*defects |= MIME_D_BAD_PARAM;
			continue;
		}
		i = skip_cfws(s, n, i + 1);
		struct raw_param p = {s + a, name_end - a, s + i, 0, 0};
		if (i < n && s[i] == '"') {
			size_t j = i + 1;
			while (j < n && s[j] != '"') {
				if (s[j] == '\\' && j + 1 < n)
					j++;
				j++;
			}
			if (j >= n)
				*defects |= MIME_D_BAD_PARAM;
			p.value = s + i + 1;
			p.value_len = (j < n ? j : n) - i - 1;
			p.quoted = 1;
			i = j < n ? j + 1 : n;
		} else {
			size_t j = i;
			while (j < n && s[j] != ';')
				j++;
			size_t e = j;
			while (e > i && is_ws(s[e - 1]))
				e--;
			p.value_len = e - i;
			i = j;
		}
		if (nraw == MAX_PARAMS) {
			*defects |= MIME_D_BAD_PARAM;
			continue;
		}
		raw[nraw++] = p;
	}
	/* Assemble: each distinct base name once, 2231 sections joined. */
	struct mime_param *out = nraw ? arena_alloc(d, nraw * sizeof *out) : NULL;
	size_t count = 0;
	int used[MAX_PARAMS] = {0};
	struct buf val, tmp;
	buf_init(&val, 1 << 20);
	buf_init(&tmp, 1 << 20);
	for (size_t k = 0; k < nraw && out; k++) {
		if (used[k])
			continue;
		int sec, enc;
		size_t base = split_2231(&raw[k], &sec, &enc);
		const char *bname = raw[k].name;
		buf_reset(&val);
		int is2231 = sec >= 0 || enc;
		if (!is2231) {
			used[k] = 1;
			/* A later RFC 2231 form of the same name wins over this one. */
			int later = 0;
			for (size_t m = k + 1; m < nraw; m++) {
				int s2, e2;
				size_t b2 = split_2231(&raw[m], &s2, &e2);
				if ((s2 >= 0 || e2) && b2 == base && name_eq(raw[m].name, bname, base))
					later = 1;
			}
			if (later)
				continue;
			buf_reset(&tmp);
			unescape(&tmp, raw[k].value, raw[k].value_len, raw[k].quoted);
			unsigned cd = 0;
			codec_hdr_decode(&val, tmp.data ? tmp.data : "", tmp.len, &cd);
			if (cd & ~CODEC_D_WORD)
				*defects |= MIME_D_CODEC(cd);
		} else {
			/* Gather sections 0, 1, 2 ... of this base name. */
			const char *charset = NULL;
			size_t cslen = 0;
			struct buf bytes;
			buf_init(&bytes, 1 << 20);
			int expect = 0, any = 0;
			for (;;) {
				size_t found = nraw;
				for (size_t m = k; m < nraw; m++) {
					int s2, e2;
					size_t b2 = split_2231(&raw[m], &s2, &e2);
					if (used[m] || b2 != base || !name_eq(raw[m].name, bname, base))
						continue;
					if ((s2 < 0 ? 0 : s2) == expect && (s2 >= 0 || e2)) {
						found = m;
						break;
					}
				}
				if (found == nraw)
					break;
				used[found] = 1;
				any = 1;
				int s2, e2;
				split_2231(&raw[found], &s2, &e2);
				const char *v = raw[found].value;
				size_t vn = raw[found].value_len;
				if (e2) {
					if (expect == 0) {
						const char *q1 = memchr(v, '\'', vn);
						const char *q2 = q1 ? memchr(q1 + 1, '\'', vn - (size_t)(q1 + 1 - v)) : NULL;
						if (q2) {
							charset = v;
							cslen = (size_t)(q1 - v);
							vn -= (size_t)(q2 + 1 - v);
							v = q2 + 1;
						} else {
							*defects |= MIME_D_BAD_PARAM;
						}
					}
					unsigned cd = 0;
					codec_pct_decode(&bytes, v, vn, &cd);
					if (cd)
						*defects |= MIME_D_BAD_PARAM;
				} else {
					unescape(&bytes, v, vn, raw[found].quoted);
				}
				if (s2 < 0)
					break;
				expect++;
			}
			/* Sections left over (a gap in the numbering) are dropped. */
			for (size_t m = k; m < nraw; m++) {
				int s2, e2;
				size_t b2 = split_2231(&raw[m], &s2, &e2);
				if (!used[m] && b2 == base && name_eq(raw[m].name, bname, base) &&
				    (s2 >= 0 || e2)) {
					used[m] = 1;
					*defects |= MIME_D_BAD_PARAM;
				}
			}
			if (!any) {
				used[k] = 1;
				*defects |= MIME_D_BAD_PARAM;
				buf_free(&bytes);
				continue;
			}
			char cs[64] = "";
			if (charset && cslen < sizeof cs) {
				memcpy(cs, charset, cslen);
				cs[cslen] = '\0';
			}
			unsigned cd = 0;
			codec_charset_to_utf8(&val, cs[0] ? cs : "us-ascii", bytes.data ? bytes.data : "", bytes.len,
					      &cd);
			*defects |= MIME_D_CODEC(cd);
			buf_free(&bytes);
		}
		/* A repeated parameter: the first one counts. */
		int dup = 0;
		for (size_t m = 0; m < count; m++)
			if (strlen(out[m].name) == base && name_eq(out[m].name, bname, base))
				dup = 1;
		if (dup) {
			*defects |= MIME_D_BAD_PARAM;
			continue;
		}
		out[count].name = arena_str(d, bname, base, 1);
		out[count].value = arena_str(d, val.data ? val.data : "", val.len, 0);
		if (out[count].name && out[count].value)
			count++;
	}
	buf_free(&val);
	buf_free(&tmp);
	*out_r = out;
	*count_r = count;
}

/* ---- entities ---- */

static const struct {
	const char *name;
	enum mime_cte cte;
} cte_names[] = {
	{"7bit", MIME_CTE_7BIT},  {"8bit", MIME_CTE_8BIT},   {"binary", MIME_CTE_BINARY},
	{"quoted-printable", MIME_CTE_QP}, {"base64", MIME_CTE_BASE64},
};

static struct mime_node *node_new(struct mime_doc *d, struct mime_node *parent)
{
	struct mime_node *nd = arena_alloc(d, sizeof *nd);
	if (!nd)
		return NULL;
	memset(nd, 0, sizeof *nd);
	nd->doc = d;
	nd->parent = parent;
	nd->depth = parent ? parent->depth + 1 : 0;
	nd->cte_name = "7bit";
	d->nodes++;
	return nd;
}

static void set_type(struct mime_doc *d, struct mime_node *nd, const char *t, const char *st)
{
	nd->type = t;
	nd->subtype = st;
	(void)d;
}

/* Content-Type: type "/" subtype *(";" parameter). */
static void parse_content_type(struct mime_doc *d, struct mime_node *nd, const struct hdr_field *f)
{
	const char *s = f->value;
	size_t n = f->value_len;
	size_t i = skip_cfws(s, n, 0);
	size_t a = i;
	while (i < n && token_char(s[i]))
		i++;
	size_t ta = a, te = i;
	i = skip_cfws(s, n, i);
	if (te == ta || i >= n || s[i] != '/') {
		nd->defects |= MIME_D_BAD_TYPE;
		return;
	}
	i = skip_cfws(s, n, i + 1);
	size_t sa = i;
	while (i < n && token_char(s[i]))
		i++;
	if (i == sa) {
		nd->defects |= MIME_D_BAD_TYPE;
		return;
	}
	set_type(d, nd, arena_str(d, s + ta, te - ta, 1), arena_str(d, s + sa, i - sa, 1));
	parse_params(d, s, n, i, &nd->params, &nd->nparams, &nd->defects);
}

static void parse_disposition(struct mime_doc *d, struct mime_node *nd, const struct hdr_field *f)
{
	const char *s = f->value;
	size_t n = f->value_len;
	size_t i = skip_cfws(s, n, 0);
	size_t a = i;
	while (i < n && token_char(s[i]))
		i++;
	if (i == a) {
		nd->defects |= MIME_D_BAD_PARAM;
		return;
	}
	nd->disposition = arena_str(d, s + a, i - a, 1);
	parse_params(d, s, n, i, &nd->dparams, &nd->ndparams, &nd->defects);
}

static void parse_cte(struct mime_doc *d, struct mime_node *nd, const struct hdr_field *f)
{
	size_t i = skip_cfws(f->value, f->value_len, 0);
	size_t a = i;
	while (i < f->value_len && token_char(f->value[i]))
		i++;
	nd->cte_name = arena_str(d, f->value + a, i - a, 1);
	if (!nd->cte_name)
		return;
	for (size_t k = 0; k < sizeof cte_names / sizeof cte_names[0]; k++)
		if (strcmp(nd->cte_name, cte_names[k].name) == 0) {
			nd->cte = cte_names[k].cte;
			return;
		}
	nd->cte = MIME_CTE_OTHER;
	nd->defects |= MIME_D_BAD_CTE;
}

static void parse_entity(struct mime_doc *d, struct mime_node *nd, size_t start, size_t end, int in_digest);

static void decode_leaf(struct mime_doc *d, struct mime_node *nd)
{
	const char *raw = d->text + nd->body_offset;
	size_t n = nd->body_len;
	if (nd->cte == MIME_CTE_BASE64 || nd->cte == MIME_CTE_QP) {
		/* Both decoders write at most n + 4 bytes and reserve no more, so a
		 * buf laid over arena memory of that size never reallocates (and is
		 * never freed: the arena owns it). Big bodies get their own block. */
		size_t room = n + 8;
		char *mem = room <= ARENA_CHUNK / 2 ? arena_alloc(d, room) : malloc(room);
		if (!mem || (room > ARENA_CHUNK / 2 && keep_block(d, mem) < 0)) {
			d->oom = 1;
			nd->body = "";
			return;
		}
		struct buf b = {.data = mem, .len = 0, .cap = room, .max = room - 1, .err = 0};
		unsigned cd = 0;
		int rc = nd->cte == MIME_CTE_BASE64 ? codec_b64_decode(&b, raw, n, CODEC_LENIENT, &cd)
						    : codec_qp_decode(&b, raw, n, CODEC_LENIENT, &cd);
		nd->defects |= MIME_D_CODEC(cd);
		if (rc < 0 || b.data != mem) { /* cannot happen: see above */
			d->oom = 1;
			nd->body = "";
			return;
		}
		nd->body = mem;
		nd->body_size = b.len;
		return;
	}
	nd->body = raw;
	nd->body_size = n;
	if (nd->cte == MIME_CTE_7BIT && codec_has_8bit(raw, n))
		nd->defects |= MIME_D_8BIT_BODY;
}

struct range {
	size_t a, b;
};

/* The multipart body [bs, be) split at lines "--boundary" [WSP]. */
static void parse_multipart(struct mime_doc *d, struct mime_node *nd, const char *boundary, size_t bs, size_t be)
{
	const char *t = d->text;
	size_t blen = strlen(boundary);
	struct range small[16];
	struct range *parts = small;
	size_t nparts = 0, cap = 16;
	size_t cur = 0;
	int in_part = 0, closed = 0, found = 0;
	size_t p = bs;
	while (p < be) {
		const char *nl = memchr(t + p, '\n', be - p);
		size_t e = nl ? (size_t)(nl - t) : be;
		if (e - p >= 2 + blen && t[p] == '-' && t[p + 1] == '-' && memcmp(t + p + 2, boundary, blen) == 0) {
			size_t q = p + 2 + blen;
			int close = q + 2 <= e && t[q] == '-' && t[q + 1] == '-';
			if (close)
				q += 2;
			while (q < e && (t[q] == ' ' || t[q] == '\t' || t[q] == '\r'))
				q++;
			if (q == e) {
				size_t lo = in_part ? cur : bs;
				size_t ce = p;
				if (ce > lo && t[ce - 1] == '\n')
					ce--;
				if (ce > lo && t[ce - 1] == '\r')
					ce--;
				if (in_part) {
					if (nparts == cap) {
						size_t ncap = cap * 2;
						struct range *v = parts == small ? malloc(ncap * sizeof *v)
										 : realloc(parts, ncap * sizeof *v);
						if (!v) {
							d->oom = 1;
							break;
						}
						if (parts == small)
							memcpy(v, small, sizeof small);
						parts = v;
						cap = ncap;
					}
					parts[nparts].a = cur;
					parts[nparts].b = ce;
					nparts++;
				} else if (!found) {
					nd->has_pre = p > bs;
					nd->pre_off = bs;
					nd->pre_len = ce - bs;
				}
				found = 1;
				if (close) {
					closed = 1;
					in_part = 0;
					if (e < be) {
						nd->has_epi = 1;
						nd->epi_off = e + 1;
						nd->epi_len = be - e - 1;
					}
					break;
				}
				cur = e < be ? e + 1 : be;
				in_part = 1;
			}
		}
		p = e + 1;
	}
	if (!found) {
		nd->defects |= MIME_D_NO_START;
		nd->has_pre = be > bs;
		nd->pre_off = bs;
		nd->pre_len = be - bs;
	} else if (!closed) {
		nd->defects |= MIME_D_NO_END;
		if (in_part && nparts < (size_t)-1) {
			if (nparts == cap) {
				size_t ncap = cap * 2;
				struct range *v = parts == small ? malloc(ncap * sizeof *v) : realloc(parts, ncap * sizeof *v);
				if (v && parts == small)
					memcpy(v, small, sizeof small);
				if (v) {
					parts = v;
					cap = ncap;
				} else {
					d->oom = 1;
				}
			}
			if (nparts < cap) {
				parts[nparts].a = cur;
				parts[nparts].b = be;
				nparts++;
			}
		}
	}
	if (nparts) {
		size_t room = d->lim.max_parts > d->nodes ? d->lim.max_parts - d->nodes : 0;
		size_t take = nparts;
		if (take > room) {
			take = room;
			nd->defects |= MIME_D_PARTS;
		}
		nd->children = take ? arena_alloc(d, take * sizeof *nd->children) : NULL;
		int digest = strcmp(nd->subtype, "digest") == 0;
		for (size_t k = 0; k < take && nd->children; k++) {
			if (d->nodes >= d->lim.max_parts) { /* earlier parts' descendants used the budget */
				nd->defects |= MIME_D_PARTS;
				break;
			}
			struct mime_node *c = node_new(d, nd);
			if (!c)
				break;
			nd->children[nd->nchildren++] = c;
			parse_entity(d, c, parts[k].a, parts[k].b, digest);
		}
	}
	if (parts != small)
		free(parts);
}

static void parse_entity(struct mime_doc *d, struct mime_node *nd, size_t start, size_t end, int in_digest)
{
	const char *t = d->text;
	nd->offset = start;
	struct hdr_field local[32];
	struct hdr_field *fields = local;
	size_t nf = 0, cap = 32;
	size_t pos = start;
	unsigned hd = 0;
	struct hdr_field f;
	const struct hdr_field *ct = NULL, *cte = NULL, *cd = NULL;
	while (hdr_next(t, end, &pos, &f, &hd) > 0) {
		if (nf == d->lim.max_fields) {
			nd->defects |= MIME_D_FIELDS;
			continue;
		}
		if (nf == cap) {
			struct hdr_field *v = arena_alloc(d, cap * 2 * sizeof *v);
			if (!v)
				break;
			memcpy(v, fields, nf * sizeof *v);
			fields = v;
			cap *= 2;
		}
		fields[nf++] = f;
	}
	if (fields == local) {
		nd->fields = nf ? arena_alloc(d, nf * sizeof *fields) : NULL;
		if (nd->fields)
			memcpy(nd->fields, local, nf * sizeof *fields);
	} else {
		nd->fields = fields;
	}
	nd->nfields = nd->fields ? nf : 0;
	/* An empty part ends inside its (empty) header: not worth a defect. */
	nd->defects |= MIME_D_HDR(hd & ~(unsigned)(nd->parent ? HDR_D_NO_BODY : 0));
	nd->header_len = pos - start;
	nd->body_offset = pos;
	nd->body_len = end - pos;
	for (size_t i = 0; i < nd->nfields; i++) {
		const struct hdr_field *h = &nd->fields[i];
		const struct hdr_field **slot = NULL;
		if (h->name_len < 12 || (h->name[0] | 0x20) != 'c' || h->name[7] != '-')
			continue; /* not Content-*: most fields stop here */
		if (hdr_name_is(h, "content-type"))
			slot = &ct;
		else if (hdr_name_is(h, "content-transfer-encoding"))
			slot = &cte;
		else if (hdr_name_is(h, "content-disposition"))
			slot = &cd;
		if (!slot)
			continue;
		if (*slot)
			nd->defects |= MIME_D_DUP_FIELD;
		else
			*slot = h;
	}
	if (ct)
		parse_content_type(d, nd, ct);
	if (!nd->type || !nd->subtype) {
		if (in_digest)
			set_type(d, nd, "message", "rfc822");
		else
			set_type(d, nd, "text", "plain");
	}
	if (cte)
		parse_cte(d, nd, cte);
	if (cd)
		parse_disposition(d, nd, cd);
	if (d->oom)
		return;

	int multipart = strcmp(nd->type, "multipart") == 0;
	int message = strcmp(nd->type, "message") == 0 &&
		      (strcmp(nd->subtype, "rfc822") == 0 || strcmp(nd->subtype, "global") == 0);
	if (!multipart && !message) {
		decode_leaf(d, nd);
		return;
	}
	int identity = nd->cte == MIME_CTE_7BIT || nd->cte == MIME_CTE_8BIT || nd->cte == MIME_CTE_BINARY;
	if (!identity) {
		nd->defects |= MIME_D_COMPOSITE_CTE;
		if (message) {
			decode_leaf(d, nd);
			return;
		}
	}
	if (nd->depth >= d->lim.max_depth) {
		nd->defects |= MIME_D_DEPTH;
		decode_leaf(d, nd);
		return;
	}
	if (message) {
		if (d->nodes >= d->lim.max_parts) {
			nd->defects |= MIME_D_PARTS;
			decode_leaf(d, nd);
			return;
		}
		struct mime_node *c = node_new(d, nd);
		nd->children = c ? arena_alloc(d, sizeof *nd->children) : NULL;
		if (!nd->children)
			return;
		nd->children[0] = c;
		nd->nchildren = 1;
		nd->is_message = 1;
		parse_entity(d, c, nd->body_offset, end, 0);
		return;
	}
	const char *boundary = NULL;
	for (size_t i = 0; i < nd->nparams; i++)
		if (strcmp(nd->params[i].name, "boundary") == 0)
			boundary = nd->params[i].value;
	if (!boundary || !*boundary) {
		nd->defects |= MIME_D_NO_BOUNDARY;
		set_type(d, nd, "text", "plain");
		decode_leaf(d, nd);
		return;
	}
	parse_multipart(d, nd, boundary, nd->body_offset, end);
}

int mime_parse(const char *text, size_t n, const struct mime_limits *limits, struct mime_doc **doc_r)
{
	*doc_r = NULL;
	size_t text_room = (n + 1 + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
	size_t head = (sizeof(struct mime_doc) + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
	if (n > (size_t)-1 / 2)
		return PROTO_ELIMIT;
	char *mem = malloc(head + text_room + sizeof(struct chunk) + ARENA_FIRST);
	if (!mem)
		return PROTO_ENOMEM;
	struct mime_doc *d = (struct mime_doc *)mem;
	memset(d, 0, sizeof *d);
	char *copy = mem + head;
	if (n)
		memcpy(copy, text, n);
	copy[n] = '\0';
	d->text = copy;
	d->n = n;
	d->first = (struct chunk *)(mem + head + text_room);
	d->first->next = NULL;
	d->first->used = 0;
	d->first->cap = ARENA_FIRST;
	d->arena = d->first;
	d->lim.max_depth = limits && limits->max_depth ? limits->max_depth : 50;
	d->lim.max_parts = limits && limits->max_parts ? limits->max_parts : 10000;
	d->lim.max_fields = limits && limits->max_fields ? limits->max_fields : 1000;
	d->root = node_new(d, NULL);
	if (d->root)
		parse_entity(d, d->root, 0, n, 0);
	if (!d->root || d->oom) {
		mime_doc_free(&d);
		return PROTO_ENOMEM;
	}
	*doc_r = d;
	return 0;
}

void mime_doc_free(struct mime_doc **dp)
{
	struct mime_doc *d = dp ? *dp : NULL;
	if (!d)
		return;
	for (size_t i = 0; i < d->nblocks; i++)
		free(d->blocks[i]);
	free(d->blocks);
	struct chunk *c = d->arena;
	while (c) {
		struct chunk *next = c->next;
		if (c != d->first)
			free(c);
		c = next;
	}
	free(d);
	*dp = NULL;
}

const struct mime_node *mime_doc_root(const struct mime_doc *d) { return d->root; }

const char *mime_doc_text(const struct mime_doc *d, size_t *n_r)
{
	if (n_r)
		*n_r = d->n;
	return d->text;
}

size_t mime_doc_node_count(const struct mime_doc *d) { return d->nodes; }

static unsigned all_defects(const struct mime_node *n)
{
	unsigned v = n->defects;
	for (size_t i = 0; i < n->nchildren; i++)
		v |= all_defects(n->children[i]);
	return v;
}

unsigned mime_doc_defects(const struct mime_doc *d) { return all_defects(d->root); }

/* ---- accessors ---- */

const char *mime_node_type(const struct mime_node *n) { return n->type; }
const char *mime_node_subtype(const struct mime_node *n) { return n->subtype; }
int mime_node_is_multipart(const struct mime_node *n) { return strcmp(n->type, "multipart") == 0 && n->body == NULL; }
int mime_node_is_message(const struct mime_node *n) { return n->is_message; }
size_t mime_node_param_count(const struct mime_node *n) { return n->nparams; }
const char *mime_node_param_name(const struct mime_node *n, size_t i) { return i < n->nparams ? n->params[i].name : NULL; }
const char *mime_node_param_value(const struct mime_node *n, size_t i)
{
	return i < n->nparams ? n->params[i].value : NULL;
}

static const char *find_param(const struct mime_param *v, size_t count, const char *name)
{
	for (size_t i = 0; i < count; i++)
		if (ieq(name, strlen(name), v[i].name))
			return v[i].value;
	return NULL;
}

const char *mime_node_param(const struct mime_node *n, const char *name) { return find_param(n->params, n->nparams, name); }
const char *mime_node_disposition(const struct mime_node *n) { return n->disposition; }
const char *mime_node_disposition_param(const struct mime_node *n, const char *name)
{
	return find_param(n->dparams, n->ndparams, name);
}

const char *mime_node_filename(const struct mime_node *n)
{
	const char *f = find_param(n->dparams, n->ndparams, "filename");
	return f ? f : find_param(n->params, n->nparams, "name");
}

enum mime_cte mime_node_cte(const struct mime_node *n) { return n->cte; }
const char *mime_node_cte_name(const struct mime_node *n) { return n->cte_name; }
size_t mime_node_field_count(const struct mime_node *n) { return n->nfields; }
const struct hdr_field *mime_node_field(const struct mime_node *n, size_t i) { return i < n->nfields ? &n->fields[i] : NULL; }

const struct hdr_field *mime_node_find_field(const struct mime_node *n, const char *name)
{
	for (size_t i = 0; i < n->nfields; i++)
		if (hdr_name_is(&n->fields[i], name))
			return &n->fields[i];
	return NULL;
}

const char *mime_node_body(const struct mime_node *n, size_t *len_r)
{
	if (len_r)
		*len_r = n->body ? n->body_size : 0;
	return n->body;
}

int mime_node_text_utf8(const struct mime_node *n, struct buf *out, unsigned *defects_r)
{
	if (!n->body)
		return 0;
	const char *cs = mime_node_param(n, "charset");
	return codec_charset_to_utf8(out, cs ? cs : "us-ascii", n->body, n->body_size, defects_r);
}

size_t mime_node_offset(const struct mime_node *n) { return n->offset; }
size_t mime_node_header_len(const struct mime_node *n) { return n->header_len; }
size_t mime_node_body_offset(const struct mime_node *n) { return n->body_offset; }
size_t mime_node_body_len(const struct mime_node *n) { return n->body_len; }

size_t mime_node_body_lines(const struct mime_node *n)
{
	const char *s = n->doc->text + n->body_offset;
	size_t lines = 0, left = n->body_len;
	const char *nl;
	while (left && (nl = memchr(s, '\n', left)) != NULL) {
		lines++;
		left -= (size_t)(nl + 1 - s);
		s = nl + 1;
	}
	return lines + (left > 0);
}

const char *mime_node_preamble(const struct mime_node *n, size_t *len_r)
{
	*len_r = n->has_pre ? n->pre_len : 0;
	return n->has_pre ? n->doc->text + n->pre_off : NULL;
}

const char *mime_node_epilogue(const struct mime_node *n, size_t *len_r)
{
	*len_r = n->has_epi ? n->epi_len : 0;
	return n->has_epi ? n->doc->text + n->epi_off : NULL;
}

size_t mime_node_child_count(const struct mime_node *n) { return n->nchildren; }
const struct mime_node *mime_node_child(const struct mime_node *n, size_t i) { return i < n->nchildren ? n->children[i] : NULL; }
const struct mime_node *mime_node_parent(const struct mime_node *n) { return n->parent; }
size_t mime_node_depth(const struct mime_node *n) { return n->depth; }
unsigned mime_node_defects(const struct mime_node *n) { return n->defects; }

static size_t child_index(const struct mime_node *n)
{
	for (size_t i = 0; i < n->parent->nchildren; i++)
		if (n->parent->children[i] == n)
			return i;
	return 0;
}

int mime_node_section(const struct mime_node *n, struct buf *out)
{
	const struct mime_node *p = n->parent;
	int multi = mime_node_is_multipart(n);
	if (!p) {
		if (!multi)
			buf_putc(out, '1');
		return out->err;
	}
	if (p->is_message) {
		mime_node_section(p, out);
		if (!multi)
			buf_puts(out, ".1");
		return out->err;
	}
	size_t before = out->len;
	mime_node_section(p, out);
	if (out->len > before)
		buf_putc(out, '.');
	buf_printf(out, "%zu", child_index(n) + 1);
	return out->err;
}

static const char *const defect_names[32] = {
	"no-header-separator", "header-starts-folded", "header-line-too-long", "header-8bit",
	"lf-line-endings",     "header-name-space",    "no-body",              NULL,
	"base64-invalid-char", "base64-padding",       "qp-bad-escape",        "qp-bad-line",
	"bad-encoded-word",    "unknown-charset",      "invalid-utf8",         "header-8bit-not-utf8",
	"no-boundary-param",   "no-start-boundary",    "no-end-boundary",      "bad-content-type",
	"bad-parameter",       "duplicate-mime-field", "unknown-cte",          "encoded-composite",
	"depth-limit",         "part-limit",           "field-limit",          "8bit-in-7bit-body",
};

const char *mime_defect_name(unsigned bit)
{
	for (int i = 0; i < 32; i++)
		if (bit == 1u << i)
			return defect_names[i];
	return NULL;
}

int mime_defect_names(struct buf *out, unsigned defects)
{
	int first = 1;
	for (int i = 0; i < 32; i++)
		if ((defects & (1u << i)) && defect_names[i]) {
			if (!first)
				buf_putc(out, ',');
			buf_puts(out, defect_names[i]);
			first = 0;
		}
	return out->err;
}

static void summary(struct buf *out, const struct mime_node *n)
{
	for (size_t i = 0; i < n->depth; i++)
		buf_append(out, "  ", 2);
	buf_printf(out, "%s/%s", n->type, n->subtype);
	if (mime_node_is_multipart(n))
		buf_printf(out, " parts=%zu", n->nchildren);
	else if (n->is_message)
		buf_puts(out, " message");
	else
		buf_printf(out, " cte=%s size=%zu", n->cte_name, n->body_size);
	const char *fn = mime_node_filename(n);
	if (fn)
		buf_printf(out, " file=\"%s\"", fn);
	if (n->defects) {
		buf_puts(out, " defects=");
		mime_defect_names(out, n->defects);
	}
	buf_putc(out, '\n');
	for (size_t i = 0; i < n->nchildren; i++)
		summary(out, n->children[i]);
}

int mime_tree_summary(struct buf *out, const struct mime_doc *doc)
{
	summary(out, doc->root);
	return out->err;
}
