/* libFuzzer target for the IMAP server engine over a small in-memory store
 * (two users' folders, messages with flags and keywords; changes are noted
 * back to the engine as a real store does). The input is a sequence of
 * chunks: a control byte (length in the low 6 bits; 0x40: afterwards
 * "another session" changes the selected folder: the next byte says
 * append, flag or expunge; 0xc0: the idle timer fires) and that many
 * client bytes. Run by ctest (fuzz.imap_server, 20 s) through
 * tests/fuzz/run-fuzz.sh, seeded from tests/fuzz/corpus/imap_server/
 * (the transcripts' client sides as chunks). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/imap_server.h"

#define NF 4
#define NM 16

struct msg { uint32_t uid, flags; uint64_t kw; };
struct folder { char name[64]; int exists, sub; struct msg m[NM]; int n; uint32_t next; };
struct store {
	struct folder f[NF];
	int sel;
	char kw[8][32];
	int nkw;
	struct imap_server *s;
};
static const char body[] = "From: Juan <juan@uba.ar>\r\nTo: maria@x\r\nSubject: hola\r\nDate: Tue, 20 Jun 2006 23:30:35 -0300\r\n"
			   "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhola\r\n--b--\r\n";

static struct folder *find(struct store *st, const char *name)
{
	for (int i = 0; i < NF; i++)
		if (st->f[i].exists && strcasecmp(st->f[i].name, name) == 0)
			return &st->f[i];
	return NULL;
}
static int login(void *c, const char *u, const char *p) { (void)c; return strcmp(u, "maria") == 0 && strcmp(p, "x") == 0 ? 0 : IMAP_STORE_AUTH; }
static const char *mailbox_at(void *c, size_t i, int *sub)
{
	struct store *st = c;
	for (int k = 0; k < NF; k++)
		if (st->f[k].exists && i-- == 0) { *sub = st->f[k].sub; return st->f[k].name; }
	return NULL;
}
static int create(void *c, const char *name)
{
	struct store *st = c;
	if (find(st, name)) return IMAP_STORE_EXISTS;
	if (strlen(name) >= 64 || strpbrk(name, "%*")) return IMAP_STORE_BAD_NAME;
	for (int k = 0; k < NF; k++)
		if (!st->f[k].exists) { memset(&st->f[k], 0, sizeof st->f[k]); snprintf(st->f[k].name, 64, "%s", name); st->f[k].exists = 1; st->f[k].next = 1; return 0; }
	return IMAP_STORE_TOO_MANY;
}
static int removef(void *c, const char *name)
{
	struct store *st = c;
	struct folder *f = find(st, name);
	if (!f) return IMAP_STORE_NOT_FOUND;
	if (f == &st->f[0]) return IMAP_STORE_INBOX;
	if (st->sel == f - st->f) { st->sel = -1; imap_server_note_gone(st->s); }
	f->exists = 0;
	return 0;
}
static int renamef(void *c, const char *a, const char *b)
{
	struct store *st = c;
	struct folder *f = find(st, a);
	if (!f || f == &st->f[0]) return IMAP_STORE_NOT_FOUND;
	if (find(st, b)) return IMAP_STORE_EXISTS;
	if (st->sel == f - st->f) { st->sel = -1; imap_server_note_gone(st->s); }
	snprintf(f->name, 64, "%s", b);
	return 0;
}
static int subscribe(void *c, const char *n, int on) { struct folder *f = find(c, n); if (!f) return IMAP_STORE_NOT_FOUND; f->sub = on; return 0; }
static int status(void *c, const char *n, struct imap_mailbox_status *s)
{
	struct folder *f = find(c, n);
	if (!f) return IMAP_STORE_NOT_FOUND;
	memset(s, 0, sizeof *s);
	s->messages = (uint32_t)f->n; s->uidnext = f->next; s->uidvalidity = 7;
	return 0;
}
static long add(struct store *st, struct folder *f, uint32_t flags, uint64_t kw)
{
	if (f->n == NM) return IMAP_STORE_FULL;
	f->m[f->n++] = (struct msg){f->next++, flags | IMAP_F_RECENT, kw};
	if (st->sel == f - st->f) imap_server_note_appended(st->s, f->next - 1);
	return f->next - 1;
}
static int append(void *c, const char *n, const uint8_t *d, size_t len, uint32_t fl, uint64_t kw, int64_t date, int z, uint32_t *u, uint32_t *v)
{
	(void)d; (void)len; (void)date; (void)z;
	struct folder *f = find(c, n);
	if (!f) return IMAP_STORE_NOT_FOUND;
	long r = add(c, f, fl, kw);
	if (r < 0) return (int)r;
	*u = (uint32_t)r; *v = 7;
	return 0;
}
static int selectf(void *c, const char *n, struct imap_mailbox_status *s)
{
	struct store *st = c;
	struct folder *f = find(st, n);
	if (!f) return IMAP_STORE_NOT_FOUND;
	st->sel = (int)(f - st->f);
	return status(c, n, s);
}
static void unselect(void *c) { ((struct store *)c)->sel = -1; }
static struct folder *cur(struct store *st) { return st->sel >= 0 ? &st->f[st->sel] : NULL; }
static size_t count(void *c) { struct folder *f = cur(c); return f ? (size_t)f->n : 0; }
static int message_at(void *c, size_t i, struct imap_store_msg *m)
{
	struct folder *f = cur(c);
	if (!f || i >= (size_t)f->n) return IMAP_STORE_NOT_FOUND;
	*m = (struct imap_store_msg){f->m[i].uid, f->m[i].flags, f->m[i].kw, 1150944635, -180, (const uint8_t *)body, sizeof body - 1, NULL};
	return 0;
}
static long index_of(void *c, uint32_t uid)
{
	struct folder *f = cur(c);
	for (int i = 0; f && i < f->n; i++)
		if (f->m[i].uid == uid) return i;
	return -1;
}
static int set_flags(void *c, uint32_t uid, uint32_t fl, uint64_t kw)
{
	struct store *st = c;
	long i = index_of(c, uid);
	if (i < 0) return IMAP_STORE_NOT_FOUND;
	cur(st)->m[i].flags = fl; cur(st)->m[i].kw = kw;
	imap_server_note_flags(st->s, uid);
	return 0;
}
static int take_recent(void *c, uint32_t uid)
{
	long i = index_of(c, uid);
	if (i < 0 || !(cur(c)->m[i].flags & IMAP_F_RECENT)) return 0;
	cur(c)->m[i].flags &= ~(uint32_t)IMAP_F_RECENT;
	return 1;
}
static int copy(void *c, uint32_t uid, const char *d, uint32_t *nu, uint32_t *v)
{
	struct store *st = c;
	struct folder *f = find(st, d);
	long i = index_of(c, uid);
	if (!f || i < 0) return IMAP_STORE_NOT_FOUND;
	long r = add(st, f, cur(st)->m[i].flags, cur(st)->m[i].kw);
	if (r < 0) return (int)r;
	*nu = (uint32_t)r; *v = 7;
	return 0;
}
static void remove_at(struct store *st, int i)
{
	struct folder *f = cur(st);
	uint32_t uid = f->m[i].uid;
	memmove(f->m + i, f->m + i + 1, (size_t)(f->n - i - 1) * sizeof f->m[0]);
	f->n--;
	imap_server_note_expunged(st->s, uid);
}
static long expunge(void *c)
{
	struct store *st = c;
	long n = 0;
	for (int i = 0; cur(st) && i < cur(st)->n;)
		if (cur(st)->m[i].flags & IMAP_F_DELETED) { remove_at(st, i); n++; } else i++;
	return n;
}
static int keyword(void *c, const char *n, int create_it)
{
	struct store *st = c;
	for (int i = 0; i < st->nkw; i++)
		if (strcasecmp(st->kw[i], n) == 0) return i;
	if (!create_it) return IMAP_STORE_NOT_FOUND;
	if (st->nkw == 8 || strlen(n) >= 32) return IMAP_STORE_TOO_MANY;
	snprintf(st->kw[st->nkw], 32, "%s", n);
	return st->nkw++;
}
static const char *keyword_name(void *c, int b) { struct store *st = c; return b >= 0 && b < st->nkw ? st->kw[b] : NULL; }

static const struct imap_store_ops ops = {login, mailbox_at, create, removef, renamef, subscribe, status, append, selectf, unselect,
					  count, message_at, index_of, set_flags, take_recent, copy, expunge, keyword, keyword_name};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store st;
	memset(&st, 0, sizeof st);
	st.sel = -1;
	create(&st, "INBOX");
	create(&st, "Archive");
	for (int i = 0; i < 5; i++)
		add(&st, &st.f[0], (uint32_t)(i & 1), 0);
	struct imap_server_config cfg;
	imap_server_config_init(&cfg, "imap.example.org");
	cfg.max_literal = 4096;
	cfg.max_line = 512;
	cfg.max_output = 1 << 20;
	cfg.alert = size % 2 ? "hola" : NULL;
	struct imap_server_host h = {.store = &ops, .store_ctx = &st};
	st.s = imap_server_new(&cfg, &h);
	size_t off = 0;
	while (off < size) {
		uint8_t ctl = data[off++];
		size_t n = ctl & 0x3f;
		if (n > size - off) n = size - off;
		imap_server_feed(st.s, data + off, n);
		off += n;
		size_t len;
		imap_server_output(st.s, &len);
		imap_server_consume(st.s, len);
		if ((ctl & 0xc0) == 0xc0) {
			imap_server_timeout(st.s);
		} else if ((ctl & 0x40) && off < size && cur(&st)) {
			uint8_t what = data[off++];
			struct folder *f = cur(&st);
			if (what % 3 == 0) add(&st, f, 0, 0);
			else if (f->n && what % 3 == 1) set_flags(&st, f->m[what % f->n].uid, (uint32_t)(what >> 2) & 0x1f, 0);
			else if (f->n) remove_at(&st, what % f->n);
		}
	}
	imap_server_free(&st.s);
	return 0;
}
