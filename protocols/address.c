/* RFC 5322 address lists (address.h): a tokenizer (atoms, quoted strings,
 * comments, domain literals, specials) and a forgiving parser over it. */
#include "protocols/address.h"

#include <stdlib.h>
#include <string.h>

#include "protocols/codec.h"
#include "protocols/proto_err.h"

#define ADDR_MAX_TOKENS 100000

struct addr_list {
	struct addr *v;
	size_t count, cap;
};

enum tok_type { T_ATOM, T_QSTR, T_COMMENT, T_DLIT, T_SPECIAL };

struct tok {
	enum tok_type type;
	const char *s; /* raw text (for QSTR/COMMENT the inside, escapes still in) */
	size_t n;
	char c; /* the special character */
	int ws_before;
};

struct toks {
	struct tok *v;
	size_t count, cap;
};

static void flag(unsigned *defects_r, unsigned bit)
{
	if (defects_r)
		*defects_r |= bit;
}

static int is_atext(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80)
		return 1;
	return strchr("!#$%&'*+-/=?^_`{|}~.", c) != NULL && c != 0;
}

static int push(struct toks *t, struct tok tk)
{
	if (t->count == t->cap) {
		if (t->cap >= ADDR_MAX_TOKENS)
			return PROTO_ELIMIT;
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct tok *v = realloc(t->v, cap * sizeof *v);
		if (!v)
			return PROTO_ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	t->v[t->count++] = tk;
	return 0;
}

static int tokenize(const char *s, size_t n, struct toks *t, unsigned *defects_r)
{
	size_t i = 0;
	int ws = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			ws = 1;
			i++;
			continue;
		}
		struct tok tk = {.ws_before = ws};
		ws = 0;
		if (c == '"' || c == '(' || c == '[') {
			char close = c == '"' ? '"' : c == '(' ? ')' : ']';
			int depth = 1;
			size_t j = i + 1;
			while (j < n) {
				if (s[j] == '\\' && j + 1 < n && c != '[') {
					j += 2;
					continue;
				}
				if (c == '(' && s[j] == '(')
					depth++;
				else if (s[j] == close && --depth == 0)
					break;
				j++;
			}
			if (j >= n) {
				flag(defects_r, ADDR_D_UNCLOSED);
				j = n;
			}
			tk.type = c == '"' ? T_QSTR : c == '(' ? T_COMMENT : T_DLIT;
			if (c == '[') {
				tk.s = s + i;
				tk.n = (j < n ? j + 1 : n) - i;
			} else {
				tk.s = s + i + 1;
				tk.n = j - i - 1;
			}
			i = j < n ? j + 1 : n;
		} else if (is_atext(c)) {
			size_t j = i;
			while (j < n && is_atext((unsigned char)s[j]))
				j++;
			tk.type = T_ATOM;
			tk.s = s + i;
			tk.n = j - i;
			i = j;
		} else {
			tk.type = T_SPECIAL;
			tk.c = (char)c;
			tk.s = s + i;
			tk.n = 1;
			i++;
		}
		int rc = push(t, tk);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Appends a quoted string's or comment's content without its escapes and folds. */
static void put_unescaped(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n)
			i++;
		else if (s[i] == '\r' || s[i] == '\n')
			continue;
		buf_putc(b, s[i]);
	}
}

/* Display name from tokens [a, b): words joined by single spaces, decoded. */
static int phrase(const struct toks *t, size_t a, size_t b, struct buf *out, unsigned *defects_r)
{
	struct buf raw;
	buf_init(&raw, 1 << 20);
	for (size_t i = a; i < b; i++) {
		const struct tok *k = &t->v[i];
		if (k->type == T_COMMENT)
			continue;
		if (raw.len)
			buf_putc(&raw, ' ');
		if (k->type == T_QSTR)
			put_unescaped(&raw, k->s, k->n);
		else
			buf_append(&raw, k->s, k->n);
	}
	unsigned d = 0;
	int rc = raw.err ? raw.err : codec_hdr_decode(out, raw.data ? raw.data : "", raw.len, &d);
	if (d)
		flag(defects_r, ADDR_D_ENCODING);
	buf_free(&raw);
	return rc;
}

static int dot_atom(const char *s, size_t n)
{
	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_atext((unsigned char)s[i]))
			return 0;
		if (s[i] == '.' && s[i + 1] == '.')
			return 0;
	}
	return 1;
}

/* addr-spec from tokens [a, b) (comments skipped) into out. */
static void addr_spec(const struct toks *t, size_t a, size_t b, struct buf *out, unsigned *defects_r)
{
	struct buf local;
	buf_init(&local, 1 << 16);
	size_t at = b;
	for (size_t i = a; i < b; i++)
		if (t->v[i].type == T_SPECIAL && t->v[i].c == '@') {
			at = i;
			break;
		}
	for (size_t i = a; i < at; i++) {
		const struct tok *k = &t->v[i];
		if (k->type == T_QSTR)
			put_unescaped(&local, k->s, k->n);
		else if (k->type == T_ATOM)
			buf_append(&local, k->s, k->n);
		else if (k->type == T_SPECIAL)
			flag(defects_r, ADDR_D_SYNTAX);
	}
	if (local.len && !dot_atom(local.data, local.len)) {
		buf_putc(out, '"');
		for (size_t i = 0; i < local.len; i++) {
			if (local.data[i] == '"' || local.data[i] == '\\')
				buf_putc(out, '\\');
			buf_putc(out, local.data[i]);
		}
		buf_putc(out, '"');
	} else {
		buf_append(out, local.data ? local.data : "", local.len);
	}
	buf_free(&local);
	if (at == b) {
		flag(defects_r, ADDR_D_NO_DOMAIN);
		return;
	}
	buf_putc(out, '@');
	size_t dom_start = out->len;
	for (size_t i = at + 1; i < b; i++) {
		const struct tok *k = &t->v[i];
		if (k->type == T_ATOM || k->type == T_DLIT)
			buf_append(out, k->s, k->n);
		else if (k->type != T_COMMENT)
			flag(defects_r, ADDR_D_SYNTAX);
	}
	if (out->len == dom_start)
		flag(defects_r, ADDR_D_NO_DOMAIN);
}

struct addr_list *addr_list_new(void) { return calloc(1, sizeof(struct addr_list)); }

static char *xstrdup(const char *s)
{
	size_t n = strlen(s);
	char *p = malloc(n + 1);
	if (p)
		memcpy(p, s, n + 1);
	return p;
}

int addr_list_add(struct addr_list *l, const char *name, const char *mailbox, const char *group)
{
	if (l->count == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;
		struct addr *v = realloc(l->v, cap * sizeof *v);
		if (!v)
			return PROTO_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	struct addr a = {xstrdup(name ? name : ""), mailbox ? xstrdup(mailbox) : NULL, group ? xstrdup(group) : NULL};
	if (!a.name || (mailbox && !a.mailbox) || (group && !a.group)) {
		free((char *)a.name);
		free((char *)a.mailbox);
		free((char *)a.group);
		return PROTO_ENOMEM;
	}
	l->v[l->count++] = a;
	return 0;
}

size_t addr_list_count(const struct addr_list *l) { return l ? l->count : 0; }

const struct addr *addr_list_get(const struct addr_list *l, size_t i)
{
	return l && i < l->count ? &l->v[i] : NULL;
}

void addr_list_free(struct addr_list **lp)
{
	struct addr_list *l = lp ? *lp : NULL;
	if (!l)
		return;
	for (size_t i = 0; i < l->count; i++) {
		free((char *)l->v[i].name);
		free((char *)l->v[i].mailbox);
		free((char *)l->v[i].group);
	}
	free(l->v);
	free(l);
	*lp = NULL;
}

static int is_special(const struct tok *k, char c) { return k->type == T_SPECIAL && k->c == c; }

/* One mailbox from tokens [a, b). */
static int mailbox(const struct toks *t, size_t a, size_t b, const char *group, struct addr_list *l,
		   unsigned *defects_r)
{
	struct buf name, spec;
	buf_init(&name, 1 << 20);
	buf_init(&spec, 1 << 20);
	size_t lt = b;
	for (size_t i = a; i < b; i++)
		if (is_special(&t->v[i], '<')) {
			lt = i;
			break;
		}
	int rc = 0;
	if (lt < b) {
		rc = phrase(t, a, lt, &name, defects_r);
		size_t gt = lt + 1;
		while (gt < b && !is_special(&t->v[gt], '>'))
			gt++;
		if (gt == b)
			flag(defects_r, ADDR_D_UNCLOSED);
		size_t s = lt + 1;
		if (s < gt && is_special(&t->v[s], '@')) { /* obs-route "@a,@b:" */
			while (s < gt && !is_special(&t->v[s], ':'))
				s++;
			s++;
		}
		if (s < gt)
			addr_spec(t, s, gt, &spec, defects_r);
		for (size_t i = gt + 1; i < b; i++)
			if (t->v[i].type != T_COMMENT)
				flag(defects_r, ADDR_D_SYNTAX);
	} else {
		addr_spec(t, a, b, &spec, defects_r);
		/* Old style "addr (Full Name)": the last comment names the mailbox. */
		for (size_t i = b; i > a; i--)
			if (t->v[i - 1].type == T_COMMENT) {
				struct buf raw;
				buf_init(&raw, 1 << 16);
				put_unescaped(&raw, t->v[i - 1].s, t->v[i - 1].n);
				codec_hdr_decode(&name, raw.data ? raw.data : "", raw.len, NULL);
				buf_free(&raw);
				break;
			}
	}
	if (rc == 0 && (name.err || spec.err))
		rc = name.err ? name.err : spec.err;
	if (rc == 0 && (spec.len || lt < b))
		rc = addr_list_add(l, name.data ? name.data : "", spec.data ? spec.data : "", group);
	buf_free(&name);
	buf_free(&spec);
	return rc;
}

int addr_parse(const char *s, size_t n, struct addr_list **list_r, unsigned *defects_r)
{
	if (n == (size_t)-1)
		n = strlen(s);
	*list_r = NULL;
	struct toks t = {0};
	int rc = tokenize(s, n, &t, defects_r);
	struct addr_list *l = addr_list_new();
	if (!l)
		rc = PROTO_ENOMEM;
	size_t i = 0;
	while (rc == 0 && i < t.count) {
		/* The extent of this address: up to a top-level ',' (or ';' after a group). */
		size_t j = i;
		int angle = 0;
		size_t colon = (size_t)-1;
		while (j < t.count) {
			const struct tok *k = &t.v[j];
			if (is_special(k, '<'))
				angle = 1;
			else if (is_special(k, '>'))
				angle = 0;
			else if (!angle && is_special(k, ':') && colon == (size_t)-1) {
				colon = j;
				break;
			} else if (!angle && (is_special(k, ',') || is_special(k, ';')))
				break;
			j++;
		}
		if (colon != (size_t)-1) {
			struct buf g;
			buf_init(&g, 1 << 20);
			rc = phrase(&t, i, colon, &g, defects_r);
			const char *gname = g.data ? g.data : "";
			size_t before = l->count;
			size_t m = colon + 1;
			int closed = 0;
			while (rc == 0 && m < t.count) {
				size_t e = m;
				angle = 0;
				while (e < t.count) {
					const struct tok *k = &t.v[e];
					if (is_special(k, '<'))
						angle = 1;
					else if (is_special(k, '>'))
						angle = 0;
					else if (!angle && (is_special(k, ',') || is_special(k, ';')))
						break;
					e++;
				}
				if (e > m)
					rc = mailbox(&t, m, e, gname, l, defects_r);
				m = e + 1;
				if (e < t.count && is_special(&t.v[e], ';')) {
					closed = 1;
					break;
				}
			}
			if (!closed)
				flag(defects_r, ADDR_D_UNCLOSED);
			if (rc == 0 && l->count == before)
				rc = addr_list_add(l, "", NULL, gname);
			buf_free(&g);
			/* Skip to after the next ',' following the group. */
			while (m < t.count && !is_special(&t.v[m], ',')) {
				if (t.v[m].type != T_COMMENT)
					flag(defects_r, ADDR_D_SYNTAX);
				m++;
			}
			i = m + 1;
			continue;
		}
		if (j > i)
			rc = mailbox(&t, i, j, NULL, l, defects_r);
		if (j < t.count && is_special(&t.v[j], ';'))
			flag(defects_r, ADDR_D_SYNTAX);
		i = j + 1;
	}
	free(t.v);
	if (rc < 0) {
		addr_list_free(&l);
		return rc;
	}
	*list_r = l;
	return 0;
}

static int plain_phrase(const char *s)
{
	if (!*s || *s == ' ' || s[strlen(s) - 1] == ' ')
		return 0;
	for (const char *p = s; *p; p++) {
		if (*p == ' ' && p[1] == ' ')
			return 0;
		if (*p != ' ' && (!is_atext((unsigned char)*p) || *p == '.'))
			return 0;
	}
	return 1;
}

/* A display or group name as a phrase: plain, quoted or encoded. */
static void put_phrase(struct buf *out, const char *name)
{
	size_t n = strlen(name);
	if (!codec_is_ascii_text(name, n) || strstr(name, "=?")) {
		codec_hdr_encode(out, name, n, 1);
	} else if (plain_phrase(name)) {
		buf_append(out, name, n);
	} else {
		buf_putc(out, '"');
		for (size_t i = 0; i < n; i++) {
			if (name[i] == '"' || name[i] == '\\')
				buf_putc(out, '\\');
			buf_putc(out, name[i]);
		}
		buf_putc(out, '"');
	}
}

int addr_format(struct buf *out, const char *name, const char *mb)
{
	if (name && *name) {
		put_phrase(out, name);
		buf_printf(out, " <%s>", mb);
	} else {
		buf_puts(out, mb);
	}
	return out->err;
}

int addr_list_format(struct buf *out, const struct addr_list *l)
{
	for (size_t i = 0; i < l->count; i++) {
		const struct addr *a = &l->v[i];
		if (i)
			buf_append(out, ", ", 2);
		if (a->group) {
			put_phrase(out, a->group);
			buf_putc(out, ':');
			const char *g = a->group;
			int first = 1;
			for (; i < l->count && l->v[i].group && strcmp(l->v[i].group, g) == 0; i++) {
				if (!l->v[i].mailbox)
					continue;
				buf_append(out, first ? " " : ", ", first ? 1 : 2);
				addr_format(out, l->v[i].name, l->v[i].mailbox);
				first = 0;
			}
			i--;
			buf_putc(out, ';');
		} else {
			addr_format(out, a->name, a->mailbox);
		}
	}
	return out->err;
}
