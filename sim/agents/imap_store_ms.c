/* The IMAP store interface over the mailstore. See imap_store_ms.h. */
#include "sim/agents/imap_store_ms.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/imap_msgview.h"
#include "sim/agents/agent_env.h"
#include "sim/agents/mailstore.h"
#include "sim/core/blob.h"
#include "sim/core/sim.h"

_Static_assert((int)IMAP_F_SEEN == (int)MS_SEEN && (int)IMAP_F_ANSWERED == (int)MS_ANSWERED &&
		       (int)IMAP_F_FLAGGED == (int)MS_FLAGGED && (int)IMAP_F_DELETED == (int)MS_DELETED &&
		       (int)IMAP_F_DRAFT == (int)MS_DRAFT && (int)IMAP_F_RECENT == (int)MS_RECENT,
	       "the IMAP and mailstore flag bits are copied as they are");
_Static_assert(IMAP_MAX_KEYWORDS == MS_MAX_KEYWORDS, "keyword bit ranges match");

/* Parse results live with the message body (blob aux data), not with the
 * session: bodies are immutable and shared, so a body's ENVELOPE, MIME
 * tree and BODYSTRUCTURE stay valid as long as it does, across sessions
 * and for every folder and user holding it, as a server's cache file
 * would keep them. The blob frees the cache when its last holder (a
 * folder's message, a queue) lets it go: on expunge, removal, or when the
 * store is freed. */
struct imap_ms {
	struct mailstore *ms;
	const struct agent_env *env;
	struct ms_user *user;
	struct ms_folder *sel;
	struct imap_server *engine;
	void (*changed)(void *ctx);
	void *changed_ctx;
};

static void notify_done(struct imap_ms *b)
{
	if (b->changed)
		b->changed(b->changed_ctx);
}

static void w_appended(void *ctx, struct ms_folder *f, uint32_t uid)
{
	struct imap_ms *b = ctx;
	(void)f;
	if (b->engine) {
		imap_server_note_appended(b->engine, uid);
		notify_done(b);
	}
}

static void w_flags(void *ctx, struct ms_folder *f, uint32_t uid)
{
	struct imap_ms *b = ctx;
	(void)f;
	if (b->engine) {
		imap_server_note_flags(b->engine, uid);
		notify_done(b);
	}
}

static void w_expunged(void *ctx, struct ms_folder *f, uint32_t uid)
{
	struct imap_ms *b = ctx;
	(void)f;
	if (b->engine) {
		imap_server_note_expunged(b->engine, uid);
		notify_done(b);
	}
}

static void w_gone(void *ctx, struct ms_folder *f)
{
	struct imap_ms *b = ctx;
	(void)f;
	b->sel = NULL; /* the store dropped our watch already */
	if (b->engine) {
		imap_server_note_gone(b->engine);
		notify_done(b);
	}
}

static const struct ms_watch_fns watch_fns = {w_appended, w_flags, w_expunged, w_gone};

static void cache_free_aux(void *aux)
{
	struct imap_msgcache *c = aux;
	imap_msgcache_free(&c);
}

/* The body's parse cache, made on first use; NULL (work without a cache)
 * on ENOMEM or when the body carries another kind of aux data. */
static struct imap_msgcache *cache_for(struct blob *body)
{
	struct imap_msgcache *c = blob_aux(body, cache_free_aux);
	if (c)
		return c;
	c = imap_msgcache_new();
	if (c && blob_set_aux(body, c, cache_free_aux) < 0)
		imap_msgcache_free(&c);
	return c;
}

/* ---- the store operations -------------------------------------------- */

static int map_err(int ms_err)
{
	switch (ms_err) {
	case MS_OK: return IMAP_STORE_OK;
	case MS_ERR_NOMEM: return IMAP_STORE_ENOMEM;
	case MS_ERR_EXISTS: return IMAP_STORE_EXISTS;
	case MS_ERR_NOT_FOUND: return IMAP_STORE_NOT_FOUND;
	case MS_ERR_BAD_NAME: return IMAP_STORE_BAD_NAME;
	case MS_ERR_FULL: return IMAP_STORE_FULL;
	case MS_ERR_INBOX: return IMAP_STORE_INBOX;
	case MS_ERR_HAS_CHILDREN: return IMAP_STORE_HAS_CHILDREN;
	case MS_ERR_LOCKED: return IMAP_STORE_LOCKED;
	case MS_ERR_TOO_MANY: return IMAP_STORE_TOO_MANY;
	default: return IMAP_STORE_IO;
	}
}

static int op_login(void *ctx, const char *user, const char *password)
{
	struct imap_ms *b = ctx;
	struct ms_user *u = mailstore_find_login(b->ms, user);
	if (!u || strcmp(ms_user_password(u), password) != 0)
		return IMAP_STORE_AUTH;
	b->user = u;
	return 0;
}

static const char *op_mailbox_at(void *ctx, size_t i, int *subscribed_r)
{
	struct imap_ms *b = ctx;
	struct ms_folder *f = b->user ? ms_folder_at(b->user, i) : NULL;
	if (!f)
		return NULL;
	*subscribed_r = ms_folder_subscribed(f);
	return ms_folder_name(f);
}

static int op_create(void *ctx, const char *name)
{
	struct imap_ms *b = ctx;
	return map_err(ms_folder_create(b->user, name, NULL));
}

static int op_remove(void *ctx, const char *name)
{
	struct imap_ms *b = ctx;
	return map_err(ms_folder_delete(b->user, name));
}

static int op_rename(void *ctx, const char *from, const char *to)
{
	struct imap_ms *b = ctx;
	return map_err(ms_folder_rename(b->user, from, to));
}

static int op_subscribe(void *ctx, const char *name, int on)
{
	struct imap_ms *b = ctx;
	struct ms_folder *f = ms_folder_find(b->user, name);
	if (!f)
		return IMAP_STORE_NOT_FOUND;
	ms_folder_set_subscribed(f, on);
	return 0;
}

static int op_status(void *ctx, const char *name, struct imap_mailbox_status *st)
{
	struct imap_ms *b = ctx;
	struct ms_folder *f = ms_folder_find(b->user, name);
	if (!f)
		return IMAP_STORE_NOT_FOUND;
	memset(st, 0, sizeof *st);
	size_t n = ms_folder_size(f);
	st->messages = (uint32_t)n;
	st->uidnext = ms_folder_uidnext(f);
	st->uidvalidity = ms_folder_uidvalidity(f);
	for (size_t i = 0; i < n; i++) {
		const struct ms_message *m = ms_folder_message(f, i);
		if (m->flags & MS_RECENT)
			st->recent++;
		if (!(m->flags & MS_SEEN)) {
			st->unseen++;
			if (!st->first_unseen)
				st->first_unseen = (uint32_t)(i + 1);
		}
	}
	return 0;
}

static sim_time to_sim(const struct imap_ms *b, int64_t unix_s)
{
	if (unix_s == IMAP_DATE_NOW)
		return b->env && b->env->sim ? sim_now(b->env->sim) : 0;
	int64_t epoch = b->env ? b->env->epoch_unix_s : 0;
	return (unix_s - epoch) * SIM_S;
}

static int op_append(void *ctx, const char *name, const uint8_t *data, size_t len, uint32_t flags, uint64_t keywords,
		     int64_t date, int zone_min, uint32_t *uid_r, uint32_t *uidvalidity_r)
{
	struct imap_ms *b = ctx;
	(void)zone_min; /* the store keeps instants; dates show in the host's zone */
	struct ms_folder *f = ms_folder_find(b->user, name);
	if (!f)
		return IMAP_STORE_NOT_FOUND;
	struct blob *body = blob_new(data, len);
	if (!body)
		return IMAP_STORE_ENOMEM;
	long uid = ms_append(f, body, (flags & IMAP_FLAG_SYSTEM_MASK) | MS_RECENT, keywords, to_sim(b, date));
	blob_unref(&body);
	if (uid < 0)
		return map_err((int)uid);
	*uid_r = (uint32_t)uid;
	*uidvalidity_r = ms_folder_uidvalidity(f);
	return 0;
}

static void op_unselect(void *ctx)
{
	struct imap_ms *b = ctx;
	if (b->sel)
		ms_unwatch(b->sel, &watch_fns, b);
	b->sel = NULL;
}

static int op_select(void *ctx, const char *name, struct imap_mailbox_status *st)
{
	struct imap_ms *b = ctx;
	op_unselect(b);
	struct ms_folder *f = ms_folder_find(b->user, name);
	if (!f)
		return IMAP_STORE_NOT_FOUND;
	int rc = ms_watch(f, &watch_fns, b);
	if (rc < 0)
		return map_err(rc);
	b->sel = f;
	return op_status(b, name, st);
}

static size_t op_count(void *ctx)
{
	struct imap_ms *b = ctx;
	return b->sel ? ms_folder_size(b->sel) : 0;
}

static int op_message_at(void *ctx, size_t index, struct imap_store_msg *m_r)
{
	struct imap_ms *b = ctx;
	const struct ms_message *m = b->sel ? ms_folder_message(b->sel, index) : NULL;
	if (!m)
		return IMAP_STORE_NOT_FOUND;
	int64_t epoch = b->env ? b->env->epoch_unix_s : 0;
	m_r->uid = m->uid;
	m_r->flags = m->flags;
	m_r->keywords = m->keywords;
	m_r->internal_date = epoch + m->internal_date / SIM_S;
	m_r->zone_min = b->env ? b->env->zone_min : 0;
	m_r->data = blob_data(m->body);
	m_r->len = blob_len(m->body);
	m_r->cache = cache_for(m->body);
	return 0;
}

static long op_index_of(void *ctx, uint32_t uid)
{
	struct imap_ms *b = ctx;
	return b->sel ? ms_folder_index_of(b->sel, uid) : -1;
}

static int op_set_flags(void *ctx, uint32_t uid, uint32_t flags, uint64_t keywords)
{
	struct imap_ms *b = ctx;
	if (!b->sel)
		return IMAP_STORE_NOT_FOUND;
	return map_err(ms_set_flags(b->sel, uid, flags, keywords));
}

static int op_take_recent(void *ctx, uint32_t uid)
{
	struct imap_ms *b = ctx;
	long i = b->sel ? ms_folder_index_of(b->sel, uid) : -1;
	if (i < 0)
		return 0;
	const struct ms_message *m = ms_folder_message(b->sel, (size_t)i);
	if (!(m->flags & MS_RECENT))
		return 0;
	ms_set_flags(b->sel, uid, m->flags & ~(uint32_t)MS_RECENT, m->keywords);
	return 1;
}

static int op_copy(void *ctx, uint32_t uid, const char *dest, uint32_t *new_uid_r, uint32_t *uidvalidity_r)
{
	struct imap_ms *b = ctx;
	struct ms_folder *d = ms_folder_find(b->user, dest);
	if (!b->sel || !d)
		return IMAP_STORE_NOT_FOUND;
	int rc = ms_copy(b->sel, uid, d, new_uid_r);
	if (rc < 0)
		return map_err(rc);
	*uidvalidity_r = ms_folder_uidvalidity(d);
	return 0;
}

static long op_expunge(void *ctx)
{
	struct imap_ms *b = ctx;
	return b->sel ? (long)ms_expunge(b->sel) : 0;
}

static int op_keyword(void *ctx, const char *name, int create)
{
	struct imap_ms *b = ctx;
	int k = ms_keyword(b->user, name, create);
	return k < 0 ? map_err(k) : k;
}

static const char *op_keyword_name(void *ctx, int bit)
{
	struct imap_ms *b = ctx;
	return b->user ? ms_keyword_name(b->user, bit) : NULL;
}

static const struct imap_store_ops ops = {
	.login = op_login,
	.mailbox_at = op_mailbox_at,
	.create = op_create,
	.remove = op_remove,
	.rename = op_rename,
	.subscribe = op_subscribe,
	.status = op_status,
	.append = op_append,
	.select = op_select,
	.unselect = op_unselect,
	.count = op_count,
	.message_at = op_message_at,
	.index_of = op_index_of,
	.set_flags = op_set_flags,
	.take_recent = op_take_recent,
	.copy = op_copy,
	.expunge = op_expunge,
	.keyword = op_keyword,
	.keyword_name = op_keyword_name,
};

const struct imap_store_ops *imap_ms_ops(void) { return &ops; }

struct imap_ms *imap_ms_new(struct mailstore *ms, const struct agent_env *env)
{
	if (!ms)
		return NULL;
	struct imap_ms *b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	b->ms = ms;
	b->env = env;
	return b;
}

void imap_ms_free(struct imap_ms **bp)
{
	if (!bp || !*bp)
		return;
	op_unselect(*bp);
	free(*bp);
	*bp = NULL;
}

void imap_ms_attach(struct imap_ms *b, struct imap_server *s, void (*changed)(void *ctx), void *ctx)
{
	b->engine = s;
	b->changed = changed;
	b->changed_ctx = ctx;
}

struct ms_user *imap_ms_user(const struct imap_ms *b) { return b->user; }
