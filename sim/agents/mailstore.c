/* The mailstore: users, folders, messages and watchers. See mailstore.h.
 * Maildir export lives in mailstore_maildir.c. */
#include "sim/agents/mailstore.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim/agents/mailstore_internal.h"
#include "sim/core/blob.h"

#define MAX_FOLDER_NAME 200
#define MAX_FOLDERS 1000

const char *ms_error_text(int err)
{
	switch (err) {
	case MS_OK:
		return "ok";
	case MS_ERR_NOMEM:
		return "out of memory";
	case MS_ERR_EXISTS:
		return "already exists";
	case MS_ERR_NOT_FOUND:
		return "no such folder or message";
	case MS_ERR_BAD_NAME:
		return "invalid folder name";
	case MS_ERR_FULL:
		return "mailbox host disk full";
	case MS_ERR_INBOX:
		return "INBOX cannot be deleted";
	case MS_ERR_HAS_CHILDREN:
		return "folder has subfolders";
	case MS_ERR_LOCKED:
		return "maildrop locked by another session";
	case MS_ERR_TOO_MANY:
		return "too many folders or keywords";
	case MS_ERR_IO:
		return "write error";
	default:
		return "unknown error";
	}
}

struct mailstore *mailstore_new(void)
{
	struct mailstore *ms = calloc(1, sizeof *ms);
	if (ms)
		ms->next_uidvalidity = 1;
	return ms;
}

static void folder_free(struct ms_folder *f)
{
	for (size_t i = 0; i < f->count; i++)
		blob_unref(&f->msgs[i].body);
	free(f->msgs);
	free(f->watchers);
	free(f->name);
	free(f);
}

static void user_free(struct ms_user *u)
{
	for (size_t i = 0; i < u->nfolders; i++)
		folder_free(u->folders[i]);
	for (int k = 0; k < u->nkeywords; k++)
		free(u->keywords[k]);
	free(u->folders);
	free(u->address);
	free(u->password);
	free(u->login);
	free(u);
}

void mailstore_free(struct mailstore **msp)
{
	if (!msp || !*msp)
		return;
	struct mailstore *ms = *msp;
	for (size_t i = 0; i < ms->nusers; i++)
		user_free(ms->users[i]);
	free(ms->users);
	free(ms->by_address);
	free(ms->by_login);
	free(ms);
	*msp = NULL;
}

void mailstore_set_capacity(struct mailstore *ms, uint64_t bytes) { ms->capacity = bytes; }
uint64_t mailstore_bytes(const struct mailstore *ms) { return ms->bytes; }
void mailstore_set_epoch(struct mailstore *ms, int64_t unix_s) { ms->epoch_unix_s = unix_s; }
int64_t mailstore_epoch(const struct mailstore *ms) { return ms->epoch_unix_s; }

uint64_t mailstore_free_space(const struct mailstore *ms)
{
	if (!ms->capacity)
		return UINT64_MAX;
	return ms->capacity > ms->bytes ? ms->capacity - ms->bytes : 0;
}

static int is_inbox(const char *name) { return strcasecmp(name, "INBOX") == 0; }

/* Folder order: INBOX first, then byte order of the names. */
static int folder_cmp(const char *a, const char *b)
{
	int ia = is_inbox(a), ib = is_inbox(b);
	if (ia || ib)
		return ib - ia;
	return strcmp(a, b);
}

static struct ms_folder *folder_new(struct ms_user *u, const char *name)
{
	struct ms_folder *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->name = strdup(is_inbox(name) ? "INBOX" : name);
	if (!f->name) {
		free(f);
		return NULL;
	}
	f->user = u;
	f->uidvalidity = u->ms->next_uidvalidity++;
	f->uidnext = 1;
	f->subscribed = 1;
	return f;
}

static int folder_insert(struct ms_user *u, struct ms_folder *f)
{
	if (u->nfolders == u->capfolders) {
		size_t cap = u->capfolders ? u->capfolders * 2 : 8;
		struct ms_folder **v = realloc(u->folders, cap * sizeof *v);
		if (!v)
			return MS_ERR_NOMEM;
		u->folders = v;
		u->capfolders = cap;
	}
	size_t i = u->nfolders;
	while (i > 0 && folder_cmp(u->folders[i - 1]->name, f->name) > 0) {
		u->folders[i] = u->folders[i - 1];
		i--;
	}
	u->folders[i] = f;
	u->nfolders++;
	return MS_OK;
}

static size_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a over the lower-cased bytes */
	for (; *s; s++) {
		h ^= (uint64_t)tolower((unsigned char)*s);
		h *= 1099511628211ull;
	}
	return (size_t)(h ^ (h >> 29));
}

static const char *user_key(const struct ms_user *u, int login) { return login ? u->login : u->address; }

/* The slot of name in table (the user's or the empty one ending its probe
 * run). nslots is a power of two, never more than half full. */
static size_t index_slot(const struct mailstore *ms, const size_t *table, int login, const char *name)
{
	size_t k = name_hash(name) & (ms->nslots - 1);
	while (table[k] && strcasecmp(user_key(ms->users[table[k] - 1], login), name) != 0)
		k = (k + 1) & (ms->nslots - 1);
	return k;
}

static void index_put(struct mailstore *ms, size_t i)
{
	for (int login = 0; login < 2; login++) {
		size_t *table = login ? ms->by_login : ms->by_address;
		size_t k = index_slot(ms, table, login, user_key(ms->users[i], login));
		if (!table[k])
			table[k] = i + 1;
	}
}

/* Room in the indexes for one more user. */
static int index_reserve(struct mailstore *ms)
{
	if ((ms->nusers + 1) * 2 <= ms->nslots)
		return MS_OK;
	size_t n = ms->nslots ? ms->nslots * 2 : 64;
	size_t *a = calloc(n, sizeof *a), *l = calloc(n, sizeof *l);
	if (!a || !l) {
		free(a);
		free(l);
		return MS_ERR_NOMEM;
	}
	free(ms->by_address);
	free(ms->by_login);
	ms->by_address = a;
	ms->by_login = l;
	ms->nslots = n;
	for (size_t i = 0; i < ms->nusers; i++)
		index_put(ms, i);
	return MS_OK;
}

struct ms_user *mailstore_add_user(struct mailstore *ms, const char *address, const char *password)
{
	if (!address || !*address || mailstore_find_user(ms, address) || index_reserve(ms) != MS_OK)
		return NULL;
	if (ms->nusers == ms->capusers) {
		size_t cap = ms->capusers ? ms->capusers * 2 : 8;
		struct ms_user **v = realloc(ms->users, cap * sizeof *v);
		if (!v)
			return NULL;
		ms->users = v;
		ms->capusers = cap;
	}
	struct ms_user *u = calloc(1, sizeof *u);
	if (!u)
		return NULL;
	u->ms = ms;
	u->address = strdup(address);
	u->password = strdup(password ? password : "");
	const char *at = strchr(address, '@');
	u->login = at ? strndup(address, (size_t)(at - address)) : strdup(address);
	struct ms_folder *inbox = u->address && u->password && u->login ? folder_new(u, "INBOX") : NULL;
	if (!inbox || folder_insert(u, inbox) != MS_OK) {
		if (inbox)
			folder_free(inbox);
		user_free(u);
		return NULL;
	}
	ms->users[ms->nusers++] = u;
	index_put(ms, ms->nusers - 1);
	return u;
}

struct ms_user *mailstore_find_user(const struct mailstore *ms, const char *address)
{
	if (!ms->nslots || !address)
		return NULL;
	size_t k = index_slot(ms, ms->by_address, 0, address);
	return ms->by_address[k] ? ms->users[ms->by_address[k] - 1] : NULL;
}

struct ms_user *mailstore_find_login(const struct mailstore *ms, const char *name)
{
	struct ms_user *u = mailstore_find_user(ms, name);
	if (u || !ms->nslots || !name)
		return u;
	size_t k = index_slot(ms, ms->by_login, 1, name);
	return ms->by_login[k] ? ms->users[ms->by_login[k] - 1] : NULL;
}

size_t mailstore_user_count(const struct mailstore *ms) { return ms->nusers; }
struct ms_user *mailstore_user_at(const struct mailstore *ms, size_t i) { return i < ms->nusers ? ms->users[i] : NULL; }
const char *ms_user_address(const struct ms_user *u) { return u->address; }
const char *ms_user_password(const struct ms_user *u) { return u->password; }
const char *ms_user_login(const struct ms_user *u) { return u->login; }

int ms_user_add_default_folders(struct ms_user *u)
{
	static const char *const names[] = {"Sent", "Drafts", "Trash"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		int rc = ms_folder_create(u, names[i], NULL);
		if (rc != MS_OK && rc != MS_ERR_EXISTS)
			return rc;
	}
	return MS_OK;
}

int ms_user_lock(struct ms_user *u, const void *owner)
{
	if (u->lock_owner && u->lock_owner != owner)
		return MS_ERR_LOCKED;
	u->lock_owner = owner;
	return MS_OK;
}

void ms_user_unlock(struct ms_user *u, const void *owner)
{
	if (u->lock_owner == owner)
		u->lock_owner = NULL;
}

int ms_user_locked(const struct ms_user *u) { return u->lock_owner != NULL; }

int ms_keyword(struct ms_user *u, const char *name, int create)
{
	for (int k = 0; k < u->nkeywords; k++)
		if (strcasecmp(u->keywords[k], name) == 0)
			return k;
	if (!create)
		return MS_ERR_NOT_FOUND;
	if (u->nkeywords >= MS_MAX_KEYWORDS)
		return MS_ERR_TOO_MANY;
	char *copy = strdup(name);
	if (!copy)
		return MS_ERR_NOMEM;
	u->keywords[u->nkeywords] = copy;
	return u->nkeywords++;
}

const char *ms_keyword_name(const struct ms_user *u, int bit)
{
	return bit >= 0 && bit < u->nkeywords ? u->keywords[bit] : NULL;
}

/* ---- folders ---- */

static int valid_name(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > MAX_FOLDER_NAME || name[0] == MS_FOLDER_DELIMITER || name[n - 1] == MS_FOLDER_DELIMITER)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		/* '.' is Maildir++'s delimiter on disk; % and * are IMAP
		 * wildcards; control characters never belong in a name. */
		if (c < 0x20 || c == 0x7f || c == '.' || c == '%' || c == '*' || c == '"' || c == '\\')
			return 0;
		if (c == MS_FOLDER_DELIMITER && name[i + 1] == MS_FOLDER_DELIMITER)
			return 0;
	}
	return 1;
}

struct ms_folder *ms_folder_find(const struct ms_user *u, const char *name)
{
	if (is_inbox(name))
		return u->folders[0];
	for (size_t i = 1; i < u->nfolders; i++)
		if (strcmp(u->folders[i]->name, name) == 0)
			return u->folders[i];
	return NULL;
}

int ms_folder_create(struct ms_user *u, const char *name, struct ms_folder **f_r)
{
	if (!valid_name(name))
		return MS_ERR_BAD_NAME;
	if (ms_folder_find(u, name))
		return MS_ERR_EXISTS;
	if (u->nfolders >= MAX_FOLDERS)
		return MS_ERR_TOO_MANY;
	struct ms_folder *f = folder_new(u, name);
	if (!f)
		return MS_ERR_NOMEM;
	int rc = folder_insert(u, f);
	if (rc != MS_OK) {
		folder_free(f);
		return rc;
	}
	if (f_r)
		*f_r = f;
	return MS_OK;
}

static void announce_gone(struct ms_folder *f)
{
	for (size_t i = 0; i < f->nwatch; i++)
		if (f->watchers[i].fns->gone)
			f->watchers[i].fns->gone(f->watchers[i].ctx, f);
	f->nwatch = 0;
}

static size_t folder_index(const struct ms_user *u, const struct ms_folder *f)
{
	for (size_t i = 0; i < u->nfolders; i++)
		if (u->folders[i] == f)
			return i;
	return (size_t)-1;
}

static int has_children(const struct ms_user *u, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < u->nfolders; i++)
		if (strncmp(u->folders[i]->name, name, n) == 0 && u->folders[i]->name[n] == MS_FOLDER_DELIMITER)
			return 1;
	return 0;
}

int ms_folder_delete(struct ms_user *u, const char *name)
{
	if (is_inbox(name))
		return MS_ERR_INBOX;
	struct ms_folder *f = ms_folder_find(u, name);
	if (!f)
		return MS_ERR_NOT_FOUND;
	if (has_children(u, name))
		return MS_ERR_HAS_CHILDREN;
	announce_gone(f);
	size_t i = folder_index(u, f);
	memmove(u->folders + i, u->folders + i + 1, (u->nfolders - i - 1) * sizeof *u->folders);
	u->nfolders--;
	u->ms->bytes -= f->bytes;
	folder_free(f);
	return MS_OK;
}

static int rename_one(struct ms_user *u, struct ms_folder *f, const char *to)
{
	char *copy = strdup(to);
	if (!copy)
		return MS_ERR_NOMEM;
	announce_gone(f);
	size_t i = folder_index(u, f);
	memmove(u->folders + i, u->folders + i + 1, (u->nfolders - i - 1) * sizeof *u->folders);
	u->nfolders--;
	free(f->name);
	f->name = copy;
	f->uidvalidity = u->ms->next_uidvalidity++; /* a different mailbox to clients now */
	return folder_insert(u, f);                 /* cannot fail: the slot is free */
}

int ms_folder_rename(struct ms_user *u, const char *from, const char *to)
{
	if (!valid_name(to) || is_inbox(to))
		return is_inbox(to) ? MS_ERR_EXISTS : MS_ERR_BAD_NAME;
	struct ms_folder *f = ms_folder_find(u, from);
	if (!f)
		return MS_ERR_NOT_FOUND;
	if (ms_folder_find(u, to))
		return MS_ERR_EXISTS;
	if (is_inbox(from)) {
		/* INBOX stays; its messages move to the new folder. */
		struct ms_folder *dst;
		int rc = ms_folder_create(u, to, &dst);
		if (rc != MS_OK)
			return rc;
		struct ms_folder *inbox = u->folders[0];
		dst->msgs = inbox->msgs;
		dst->count = inbox->count;
		dst->cap = inbox->cap;
		dst->bytes = inbox->bytes;
		dst->uidnext = inbox->uidnext;
		inbox->msgs = NULL;
		inbox->count = inbox->cap = 0;
		inbox->bytes = 0;
		for (size_t i = 0; i < inbox->nwatch; i++)
			for (size_t k = dst->count; k-- > 0;)
				if (inbox->watchers[i].fns->expunged)
					inbox->watchers[i].fns->expunged(inbox->watchers[i].ctx, inbox,
									 dst->msgs[k].uid);
		return MS_OK;
	}
	/* Children first would reorder the array under us: collect them. */
	size_t n = strlen(from);
	struct ms_folder *moving[MAX_FOLDERS];
	size_t nmoving = 0;
	for (size_t i = 0; i < u->nfolders; i++) {
		const char *name = u->folders[i]->name;
		if (strcmp(name, from) == 0 || (strncmp(name, from, n) == 0 && name[n] == MS_FOLDER_DELIMITER))
			moving[nmoving++] = u->folders[i];
	}
	for (size_t k = 0; k < nmoving; k++) {
		const char *old = moving[k]->name;
		size_t need = strlen(to) + strlen(old + n) + 1;
		char *next = malloc(need);
		if (!next)
			return MS_ERR_NOMEM;
		snprintf(next, need, "%s%s", to, old + n);
		int rc = rename_one(u, moving[k], next);
		free(next);
		if (rc != MS_OK)
			return rc;
	}
	return MS_OK;
}

size_t ms_folder_count(const struct ms_user *u) { return u->nfolders; }
struct ms_folder *ms_folder_at(const struct ms_user *u, size_t i) { return i < u->nfolders ? u->folders[i] : NULL; }
const char *ms_folder_name(const struct ms_folder *f) { return f->name; }
struct ms_user *ms_folder_user(const struct ms_folder *f) { return f->user; }
uint32_t ms_folder_uidvalidity(const struct ms_folder *f) { return f->uidvalidity; }
uint32_t ms_folder_uidnext(const struct ms_folder *f) { return f->uidnext; }
int ms_folder_subscribed(const struct ms_folder *f) { return f->subscribed; }
void ms_folder_set_subscribed(struct ms_folder *f, int on) { f->subscribed = !!on; }
size_t ms_folder_size(const struct ms_folder *f) { return f->count; }
uint64_t ms_folder_bytes(const struct ms_folder *f) { return f->bytes; }

const struct ms_message *ms_folder_message(const struct ms_folder *f, size_t index)
{
	return index < f->count ? &f->msgs[index] : NULL;
}

long ms_folder_index_of(const struct ms_folder *f, uint32_t uid)
{
	size_t lo = 0, hi = f->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->msgs[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < f->count && f->msgs[lo].uid == uid ? (long)lo : -1;
}

/* ---- messages ---- */

#define NOTIFY(f, cb, uid)                                                                                     \
	do {                                                                                                   \
		for (size_t w_ = 0; w_ < (f)->nwatch; w_++)                                                    \
			if ((f)->watchers[w_].fns->cb)                                                         \
				(f)->watchers[w_].fns->cb((f)->watchers[w_].ctx, (f), (uid));                  \
	} while (0)

long ms_append(struct ms_folder *f, struct blob *body, uint32_t flags, uint64_t keywords, sim_time internal_date)
{
	struct mailstore *ms = f->user->ms;
	size_t size = blob_len(body);
	if (ms->capacity && ms->bytes + size > ms->capacity)
		return MS_ERR_FULL;
	if (f->uidnext == UINT32_MAX)
		return MS_ERR_TOO_MANY;
	if (f->count == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct ms_message *v = realloc(f->msgs, cap * sizeof *v);
		if (!v)
			return MS_ERR_NOMEM;
		f->msgs = v;
		f->cap = cap;
	}
	uint32_t uid = f->uidnext++;
	f->msgs[f->count++] = (struct ms_message){uid, flags, keywords, internal_date, blob_ref(body)};
	f->bytes += size;
	ms->bytes += size;
	NOTIFY(f, appended, uid);
	return uid;
}

int ms_set_flags(struct ms_folder *f, uint32_t uid, uint32_t flags, uint64_t keywords)
{
	long i = ms_folder_index_of(f, uid);
	if (i < 0)
		return MS_ERR_NOT_FOUND;
	struct ms_message *m = &f->msgs[i];
	if (m->flags == flags && m->keywords == keywords)
		return MS_OK;
	m->flags = flags;
	m->keywords = keywords;
	NOTIFY(f, flags_changed, uid);
	return MS_OK;
}

static void remove_index(struct ms_folder *f, size_t i)
{
	uint32_t uid = f->msgs[i].uid;
	size_t size = blob_len(f->msgs[i].body);
	blob_unref(&f->msgs[i].body);
	memmove(f->msgs + i, f->msgs + i + 1, (f->count - i - 1) * sizeof *f->msgs);
	f->count--;
	f->bytes -= size;
	f->user->ms->bytes -= size;
	NOTIFY(f, expunged, uid);
}

int ms_remove(struct ms_folder *f, uint32_t uid)
{
	long i = ms_folder_index_of(f, uid);
	if (i < 0)
		return MS_ERR_NOT_FOUND;
	remove_index(f, (size_t)i);
	return MS_OK;
}

size_t ms_expunge(struct ms_folder *f)
{
	size_t removed = 0;
	for (size_t i = 0; i < f->count;) {
		if (f->msgs[i].flags & MS_DELETED) {
			remove_index(f, i);
			removed++;
		} else {
			i++;
		}
	}
	return removed;
}

size_t ms_folder_trim(struct ms_folder *f, size_t keep)
{
	size_t removed = 0;
	while (f && keep && f->count > keep) {
		remove_index(f, 0);
		removed++;
	}
	return removed;
}

long ms_append_uid(struct ms_folder *f, uint32_t uid, struct blob *body, uint32_t flags, uint64_t keywords,
		   sim_time internal_date)
{
	if (uid == 0 || uid < f->uidnext)
		return MS_ERR_EXISTS;
	uint32_t saved = f->uidnext;
	f->uidnext = uid;
	long rc = ms_append(f, body, flags, keywords, internal_date);
	if (rc < 0)
		f->uidnext = saved;
	return rc;
}

int ms_folder_set_uids(struct ms_folder *f, uint32_t uidvalidity, uint32_t uidnext)
{
	if (f->count && uidnext <= f->msgs[f->count - 1].uid)
		return MS_ERR_EXISTS;
	if (uidvalidity) {
		f->uidvalidity = uidvalidity;
		struct mailstore *ms = f->user->ms;
		if (uidvalidity >= ms->next_uidvalidity)
			ms->next_uidvalidity = uidvalidity + 1;
	}
	if (uidnext > f->uidnext)
		f->uidnext = uidnext;
	return MS_OK;
}

int ms_user_clone(struct ms_user *dst, const struct ms_user *src)
{
	/* Keyword bits differ between users: map src's onto dst's by name. */
	int map[MS_MAX_KEYWORDS];
	for (int k = 0; k < src->nkeywords; k++) {
		map[k] = ms_keyword(dst, src->keywords[k], 1);
		if (map[k] < 0)
			return map[k];
	}
	for (size_t i = 0; i < src->nfolders; i++) {
		const struct ms_folder *sf = src->folders[i];
		struct ms_folder *df = ms_folder_find(dst, sf->name);
		if (!df) {
			int rc = ms_folder_create(dst, sf->name, &df);
			if (rc != MS_OK)
				return rc;
		}
		if (df->count)
			return MS_ERR_EXISTS;
		df->subscribed = sf->subscribed;
		for (size_t k = 0; k < sf->count; k++) {
			const struct ms_message *m = &sf->msgs[k];
			uint64_t kw = 0;
			for (int b = 0; b < src->nkeywords; b++)
				if (m->keywords & (1ull << b))
					kw |= 1ull << map[b];
			/* The same instant, whatever each store's epoch. */
			sim_time when = m->internal_date +
					(src->ms->epoch_unix_s - dst->ms->epoch_unix_s) * (sim_time)1000000000;
			long rc = ms_append_uid(df, m->uid, m->body, m->flags, kw, when);
			if (rc < 0)
				return (int)rc;
		}
		int rc = ms_folder_set_uids(df, sf->uidvalidity, sf->uidnext);
		if (rc != MS_OK)
			return rc;
	}
	return MS_OK;
}

int ms_copy(struct ms_folder *src, uint32_t uid, struct ms_folder *dst, uint32_t *uid_r)
{
	long i = ms_folder_index_of(src, uid);
	if (i < 0)
		return MS_ERR_NOT_FOUND;
	const struct ms_message *m = &src->msgs[i];
	long nu = ms_append(dst, m->body, (m->flags & ~(uint32_t)MS_RECENT) | MS_RECENT, m->keywords,
			    m->internal_date);
	if (nu < 0)
		return (int)nu;
	if (uid_r)
		*uid_r = (uint32_t)nu;
	return MS_OK;
}

int ms_watch(struct ms_folder *f, const struct ms_watch_fns *fns, void *ctx)
{
	if (f->nwatch == f->capwatch) {
		size_t cap = f->capwatch ? f->capwatch * 2 : 4;
		struct ms_watch *v = realloc(f->watchers, cap * sizeof *v);
		if (!v)
			return MS_ERR_NOMEM;
		f->watchers = v;
		f->capwatch = cap;
	}
	f->watchers[f->nwatch++] = (struct ms_watch){fns, ctx};
	return MS_OK;
}

void ms_unwatch(struct ms_folder *f, const struct ms_watch_fns *fns, void *ctx)
{
	for (size_t i = 0; i < f->nwatch; i++) {
		if (f->watchers[i].fns == fns && f->watchers[i].ctx == ctx) {
			memmove(f->watchers + i, f->watchers + i + 1, (f->nwatch - i - 1) * sizeof *f->watchers);
			f->nwatch--;
			return;
		}
	}
}
