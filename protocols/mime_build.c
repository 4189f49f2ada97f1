/* MIME builder (mime_build.h). A multipart is written by first writing its
 * children into a scratch buffer, then drawing boundaries from the seed
 * until one does not occur anywhere in those bytes: that is the proof the
 * delimiter cannot be confused with content. Boundaries start with "=_",
 * which base64 and quoted-printable output can never contain. */
#include "protocols/mime_build.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/codec.h"
#include "protocols/header.h"
#include "protocols/proto_err.h"

#define MAX_CHILDREN 10000

struct kv {
	char *name, *value;
};

struct mime_build {
	char *type; /* "type/subtype", lowercase */
	char *body;
	size_t n;
	int multipart;
	struct mime_build **children;
	size_t nchildren, cap;
	struct kv *params;
	size_t nparams;
	struct kv *headers;
	size_t nheaders;
	char *disposition, *filename;
	int forced;
	enum mime_cte cte;
	int err;
};

static char *xstrdup(const char *s)
{
	size_t n = strlen(s);
	char *p = malloc(n + 1);
	if (p)
		memcpy(p, s, n + 1);
	return p;
}

static int is_text(const char *type) { return strncmp(type, "text/", 5) == 0; }

/* Bare CR or LF become CRLF. Lines are found with memchr, as text bodies
 * are mostly already canonical. */
static char *canonical_text(const char *s, size_t n, size_t *len_r)
{
	size_t extra = 0;
	/* The next CR is looked for again only once q has passed it: searching
	 * the whole rest at every line made long CR-less texts quadratic. */
	const char *cr = n ? memchr(s, '\r', n) : NULL;
	for (const char *q = s, *end = s + n; q < end;) {
		if (cr && cr < q)
			cr = memchr(q, '\r', (size_t)(end - q));
		const char *lf = memchr(q, '\n', (size_t)((cr ? cr : end) - q));
		if (lf) {
			extra++; /* a bare LF before any CR */
			q = lf + 1;
		} else if (cr) {
			if (cr + 1 < end && cr[1] == '\n')
				q = cr + 2;
			else {
				extra++;
				q = cr + 1;
			}
		} else {
			break;
		}
	}
	char *p = malloc(n + extra + 1);
	if (!p)
		return NULL;
	if (!extra) {
		memcpy(p, s, n);
		p[n] = '\0';
		*len_r = n;
		return p;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r') {
			p[k++] = '\r';
			p[k++] = '\n';
			if (i + 1 < n && s[i + 1] == '\n')
				i++;
		} else if (s[i] == '\n') {
			p[k++] = '\r';
			p[k++] = '\n';
		} else {
			p[k++] = s[i];
		}
	}
	p[k] = '\0';
	*len_r = k;
	return p;
}

static struct mime_build *node(const char *type)
{
	struct mime_build *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->type = xstrdup(type);
	if (!p->type) {
		free(p);
		return NULL;
	}
	for (char *c = p->type; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c + 32);
	if (!strchr(p->type, '/') || strpbrk(p->type, " \t\r\n;\"()<>@,:\\[]?="))
		p->err = PROTO_EINVAL;
	return p;
}

struct mime_build *mime_build_leaf(const char *type, const void *body, size_t n)
{
	struct mime_build *p = node(type);
	if (!p)
		return NULL;
	if (is_text(p->type)) {
		p->body = canonical_text(body, n, &p->n);
	} else {
		p->body = malloc(n + 1);
		if (p->body && n)
			memcpy(p->body, body, n);
		p->n = n;
	}
	if (!p->body) {
		mime_build_free(&p);
		return NULL;
	}
	if (strncmp(p->type, "multipart/", 10) == 0)
		p->err = PROTO_EINVAL;
	return p;
}

struct mime_build *mime_build_multipart(const char *subtype)
{
	char type[128];
	if (strlen(subtype) > 100)
		return node("multipart/ invalid");
	strcpy(type, "multipart/");
	strcat(type, subtype);
	struct mime_build *p = node(type);
	if (p)
		p->multipart = 1;
	return p;
}

static void set_err(struct mime_build *p, int rc)
{
	if (rc < 0 && !p->err)
		p->err = rc;
}

int mime_build_add(struct mime_build *parent, struct mime_build *child)
{
	if (!child) {
		set_err(parent, PROTO_ENOMEM);
		return PROTO_ENOMEM;
	}
	if (!parent->multipart || parent->nchildren >= MAX_CHILDREN) {
		mime_build_free(&child);
		set_err(parent, parent->multipart ? PROTO_ELIMIT : PROTO_EINVAL);
		return parent->err;
	}
	if (parent->nchildren == parent->cap) {
		size_t cap = parent->cap ? parent->cap * 2 : 4;
		struct mime_build **v = realloc(parent->children, cap * sizeof *v);
		if (!v) {
			mime_build_free(&child);
			set_err(parent, PROTO_ENOMEM);
			return PROTO_ENOMEM;
		}
		parent->children = v;
		parent->cap = cap;
	}
	parent->children[parent->nchildren++] = child;
	return 0;
}

static int add_kv(struct mime_build *p, struct kv **v, size_t *n, const char *name, const char *value)
{
	/* Setting a name again replaces its value. */
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i].name, name) == 0) {
			char *nv = xstrdup(value);
			if (!nv) {
				set_err(p, PROTO_ENOMEM);
				return PROTO_ENOMEM;
			}
			free((*v)[i].value);
			(*v)[i].value = nv;
			return 0;
		}
	struct kv *nvec = realloc(*v, (*n + 1) * sizeof **v);
	if (!nvec) {
		set_err(p, PROTO_ENOMEM);
		return PROTO_ENOMEM;
	}
	*v = nvec;
	nvec[*n].name = xstrdup(name);
	nvec[*n].value = xstrdup(value);
	if (!nvec[*n].name || !nvec[*n].value) {
		free(nvec[*n].name);
		free(nvec[*n].value);
		set_err(p, PROTO_ENOMEM);
		return PROTO_ENOMEM;
	}
	(*n)++;
	return 0;
}

static int valid_token(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= 32 || c >= 127 || strchr("()<>@,;:\\\"/[]?=", c))
			return 0;
	}
	return 1;
}

int mime_build_param(struct mime_build *p, const char *name, const char *value)
{
	if (!valid_token(name) || strchr(name, '*')) {
		set_err(p, PROTO_EINVAL);
		return PROTO_EINVAL;
	}
	char lower[64];
	size_t n = strlen(name);
	if (n >= sizeof lower) {
		set_err(p, PROTO_EINVAL);
		return PROTO_EINVAL;
	}
	for (size_t i = 0; i <= n; i++)
		lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
	return add_kv(p, &p->params, &p->nparams, lower, value);
}

int mime_build_disposition(struct mime_build *p, const char *disposition, const char *filename)
{
	if (!valid_token(disposition)) {
		set_err(p, PROTO_EINVAL);
		return PROTO_EINVAL;
	}
	free(p->disposition);
	free(p->filename);
	p->disposition = xstrdup(disposition);
	p->filename = filename ? xstrdup(filename) : NULL;
	if (!p->disposition || (filename && !p->filename)) {
		set_err(p, PROTO_ENOMEM);
		return PROTO_ENOMEM;
	}
	if (filename)
		return mime_build_param(p, "name", filename);
	return 0;
}

int mime_build_header(struct mime_build *p, const char *name, const char *value)
{
	if (strpbrk(value, "\r\n")) {
		set_err(p, PROTO_EINVAL);
		return PROTO_EINVAL;
	}
	struct kv *v = realloc(p->headers, (p->nheaders + 1) * sizeof *v);
	if (!v) {
		set_err(p, PROTO_ENOMEM);
		return PROTO_ENOMEM;
	}
	p->headers = v;
	v[p->nheaders].name = xstrdup(name);
	v[p->nheaders].value = xstrdup(value);
	if (!v[p->nheaders].name || !v[p->nheaders].value) {
		free(v[p->nheaders].name);
		free(v[p->nheaders].value);
		set_err(p, PROTO_ENOMEM);
		return PROTO_ENOMEM;
	}
	p->nheaders++;
	return 0;
}

void mime_build_force_cte(struct mime_build *p, enum mime_cte cte)
{
	p->forced = 1;
	p->cte = cte;
}

void mime_build_free(struct mime_build **pp)
{
	struct mime_build *p = pp ? *pp : NULL;
	if (!p)
		return;
	for (size_t i = 0; i < p->nchildren; i++)
		mime_build_free(&p->children[i]);
	free(p->children);
	for (size_t i = 0; i < p->nparams; i++) {
		free(p->params[i].name);
		free(p->params[i].value);
	}
	free(p->params);
	for (size_t i = 0; i < p->nheaders; i++) {
		free(p->headers[i].name);
		free(p->headers[i].value);
	}
	free(p->headers);
	free(p->type);
	free(p->body);
	free(p->disposition);
	free(p->filename);
	free(p);
	*pp = NULL;
}

/* ---- choosing the transfer encoding ---- */

struct scan {
	size_t high, ctl, nul, bare, max_line;
};

/* Counts what decides the encoding; with stop_early, returns as soon as the
 * body is known not to be 7bit data (all a binary type needs to know). */
static void scan_body(const unsigned char *s, size_t n, struct scan *r, int stop_early)
{
	memset(r, 0, sizeof *r);
	size_t line = 0;
	const uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL, high = 0x8080808080808080ULL;
	for (size_t i = 0; i < n; i++) {
		/* Eight printable ASCII octets (32..127) at a time: nothing to count. */
		while (i + 8 <= n) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			if ((((w & low7) + 0x6060606060606060ULL) & ~w & high) != high)
				break;
			line += 8;
			i += 8;
		}
		if (i >= n)
			break;
		unsigned c = s[i];
		if (c == '\r' && i + 1 < n && s[i + 1] == '\n') {
			if (line > r->max_line)
				r->max_line = line;
			line = 0;
			i++;
			continue;
		}
		line++;
		if (c >= 0x80)
			r->high++;
		else if (c == 0)
			r->nul++;
		else if (c == '\r' || c == '\n')
			r->bare++;
		else if (c < 32 && c != '\t')
			r->ctl++;
		else
			continue;
		if (stop_early)
			break;
	}
	if (line > r->max_line)
		r->max_line = line;
}

enum mime_cte mime_build_choose_cte(const char *type, const void *body, size_t n, int allow_8bit)
{
	struct scan r;
	int binary_type = !is_text(type) && strncmp(type, "message/", 8) != 0;
	scan_body(body, n, &r, binary_type);
	int lines_ok = r.max_line <= HDR_LINE_MAX && !r.nul && !r.bare;
	if (lines_ok && !r.high && !r.ctl)
		return MIME_CTE_7BIT;
	if (strncmp(type, "message/", 8) == 0)
		return lines_ok ? MIME_CTE_8BIT : MIME_CTE_BINARY;
	if (!is_text(type))
		return MIME_CTE_BASE64;
	if (allow_8bit && lines_ok && !r.ctl)
		return MIME_CTE_8BIT;
	/* Readable quoted-printable unless a third or more of the octets need escapes. */
	return (r.high + r.ctl + r.nul + r.bare) * 3 <= n ? MIME_CTE_QP : MIME_CTE_BASE64;
}

static const char *cte_word(enum mime_cte c)
{
	switch (c) {
	case MIME_CTE_7BIT: return "7bit";
	case MIME_CTE_8BIT: return "8bit";
	case MIME_CTE_BINARY: return "binary";
	case MIME_CTE_QP: return "quoted-printable";
	case MIME_CTE_BASE64: return "base64";
	default: return "7bit";
	}
}

/* ---- writing ---- */

/* "; name=value" with quoting, or RFC 2231 for non-ASCII or long values,
 * and for values holding "=?": readers (ours included, like most mail
 * programs) decode RFC 2047 encoded words even inside a quoted filename,
 * so a name such as "=?x?B?y?=.png" must not travel as a quoted string. */
static void put_param(struct buf *v, const char *name, const char *value)
{
	size_t n = strlen(value);
	int ascii = codec_is_ascii_text(value, n);
	if (ascii && n <= 60 && !strstr(value, "=?")) {
		if (valid_token(value)) {
			buf_printf(v, "; %s=%s", name, value);
			return;
		}
		buf_printf(v, "; %s=\"", name);
		for (size_t i = 0; i < n; i++) {
			if (value[i] == '"' || value[i] == '\\')
				buf_putc(v, '\\');
			buf_putc(v, value[i]);
		}
		buf_putc(v, '"');
		return;
	}
	/* RFC 2231: name*0*=utf-8''..; name*1*=...; sections of at most 45
	 * source octets, never splitting a UTF-8 sequence. */
	const size_t chunk = 45;
	size_t i = 0;
	int section = 0;
	if (n <= chunk) {
		buf_printf(v, "; %s*=utf-8''", name);
		codec_pct_encode(v, value, n);
		return;
	}
	while (i < n) {
		size_t e = i + chunk < n ? i + chunk : n;
		while (e < n && e > i + 1 && ((unsigned char)value[e] & 0xC0) == 0x80)
			e--;
		buf_printf(v, "; %s*%d*=%s", name, section, section == 0 ? "utf-8''" : "");
		codec_pct_encode(v, value + i, e - i);
		i = e;
		section++;
	}
}

static const char *hex_seed_boundary(char *b, size_t size, uint64_t seed, uint64_t counter)
{
	uint64_t x = seed + 0x9e3779b97f4a7c15ULL * (counter + 1);
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	x ^= x >> 31;
	snprintf(b, size, "=_mailsim_%016" PRIx64 "_%" PRIu64, x, counter);
	return b;
}

static int contains(const char *hay, size_t n, const char *needle, size_t m)
{
	if (m == 0 || m > n)
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

static int write_fields(struct buf *out, const struct mime_build *p, const char *ctype_value, enum mime_cte cte,
			int write_cte)
{
	int rc = hdr_write(out, "Content-Type", ctype_value);
	if (rc == 0 && write_cte)
		rc = hdr_write(out, "Content-Transfer-Encoding", cte_word(cte));
	if (rc == 0 && p->disposition) {
		struct buf v;
		buf_init(&v, 64 * 1024);
		buf_puts(&v, p->disposition);
		if (p->filename)
			put_param(&v, "filename", p->filename);
		rc = v.err ? v.err : hdr_write(out, "Content-Disposition", v.data);
		buf_free(&v);
	}
	for (size_t i = 0; rc == 0 && i < p->nheaders; i++)
		rc = hdr_write(out, p->headers[i].name, p->headers[i].value);
	if (rc == 0)
		rc = buf_append(out, "\r\n", 2);
	return rc;
}

/* About how many octets p will take when written (to reserve once instead
 * of growing a 10 MB buffer by doubling). */
static size_t estimate(const struct mime_build *p)
{
	size_t n = 512;
	if (!p->multipart)
		return n + p->n + p->n / 3 + p->n / 38 + 8;
	for (size_t i = 0; i < p->nchildren; i++)
		n += 100 + estimate(p->children[i]);
	return n;
}

static int write_node(struct buf *out, const struct mime_build *p, const struct mime_build_opts *o,
		      uint64_t *counter)
{
	if (p->err)
		return p->err;
	struct buf ct;
	buf_init(&ct, 64 * 1024);
	buf_puts(&ct, p->type);
	int rc = 0;
	if (p->multipart) {
		struct buf kids;
		buf_init(&kids, out->max);
		size_t guess = estimate(p);
		buf_reserve(&kids, guess < out->max ? guess : out->max);
		kids.err = 0; /* only a hint: a real shortage shows up when writing */
		size_t *ends = calloc(p->nchildren + 1, sizeof *ends);
		if (!ends)
			rc = PROTO_ENOMEM;
		for (size_t i = 0; rc == 0 && i < p->nchildren; i++) {
			rc = write_node(&kids, p->children[i], o, counter);
			ends[i] = kids.len;
		}
		char b[64];
		int found = 0;
		for (int tries = 0; rc == 0 && tries < 1000 && !found; tries++) {
			hex_seed_boundary(b, sizeof b, o->seed, (*counter)++);
			found = !contains(kids.data ? kids.data : "", kids.len, b, strlen(b));
		}
		if (rc == 0 && !found)
			rc = PROTO_ELIMIT;
		if (rc == 0) {
			buf_printf(&ct, "; boundary=\"%s\"", b);
			for (size_t i = 0; i < p->nparams; i++)
				if (strcmp(p->params[i].name, "boundary") != 0)
					put_param(&ct, p->params[i].name, p->params[i].value);
			int eight = 0;
			for (size_t i = 0; i < kids.len && !eight; i++)
				eight = (unsigned char)kids.data[i] >= 0x80 || kids.data[i] == 0;
			rc = ct.err ? ct.err : write_fields(out, p, ct.data, MIME_CTE_8BIT, eight);
			size_t start = 0;
			for (size_t i = 0; rc == 0 && i < p->nchildren; i++) {
				buf_printf(out, "--%s\r\n", b);
				buf_append(out, kids.data + start, ends[i] - start);
				buf_append(out, "\r\n", 2);
				start = ends[i];
			}
			if (rc == 0)
				buf_printf(out, "--%s--\r\n", b);
			if (rc == 0)
				rc = out->err;
		}
		free(ends);
		buf_free(&kids);
		buf_free(&ct);
		return rc;
	}
	enum mime_cte cte = p->forced ? p->cte : mime_build_choose_cte(p->type, p->body, p->n, o->allow_8bit);
	if (p->forced && cte == MIME_CTE_7BIT && mime_build_choose_cte(p->type, p->body, p->n, 0) != MIME_CTE_7BIT)
		rc = PROTO_EINVAL;
	int has_charset = 0;
	for (size_t i = 0; i < p->nparams; i++) {
		put_param(&ct, p->params[i].name, p->params[i].value);
		has_charset |= strcmp(p->params[i].name, "charset") == 0;
	}
	if (is_text(p->type) && !has_charset && codec_has_8bit(p->body, p->n))
		buf_puts(&ct, "; charset=utf-8");
	if (rc == 0)
		rc = ct.err ? ct.err : write_fields(out, p, ct.data, cte, 1);
	if (rc == 0) {
		switch (cte) {
		case MIME_CTE_BASE64: rc = codec_b64_encode(out, p->body, p->n, 76); break;
		case MIME_CTE_QP: rc = codec_qp_encode(out, p->body, p->n, !is_text(p->type)); break;
		default: rc = buf_append(out, p->body, p->n); break;
		}
	}
	buf_free(&ct);
	return rc;
}

int mime_build_write(struct buf *out, const struct mime_build *p, const struct mime_build_opts *o)
{
	struct mime_build_opts def = {0};
	uint64_t counter = 0;
	size_t start = out->len;
	size_t guess = estimate(p);
	int saved = out->err;
	if (guess < out->max - out->len)
		buf_reserve(out, guess); /* a hint: failure shows up when writing */
	out->err = saved;
	int rc = write_node(out, p, o ? o : &def, &counter);
	if (rc < 0)
		buf_truncate(out, start);
	return rc;
}
