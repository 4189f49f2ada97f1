/* The POP3 maildrop over a mailstore; see pop3_maildrop.h. */
#include "sim/agents/pop3_maildrop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/md5.h"
#include "sim/agents/mailstore.h"
#include "sim/core/blob.h"

struct pop3_maildrop {
	struct mailstore *store;
	pop3_maildrop_event_fn event;
	void *ctx;
	struct ms_user *user; /* locked by this maildrop */
	uint32_t *uids;       /* the snapshot: message i is INBOX UID uids[i] */
	size_t nuids;
};

static void emit(struct pop3_maildrop *md, enum pop3_maildrop_event ev, const char *user, size_t n)
{
	if (md->event)
		md->event(md->ctx, ev, user, n);
}

/* "maria" or "maria@dominio.de.maria", without case. */
static struct ms_user *find_user(const struct pop3_maildrop *md, const char *name)
{
	return mailstore_find_login(md->store, name);
}

static struct ms_folder *inbox(const struct pop3_maildrop *md) { return ms_folder_find(md->user, "INBOX"); }

static int md_authenticate(void *ctx, const char *user, const char *pass)
{
	struct pop3_maildrop *md = ctx;
	struct ms_user *u = find_user(md, user);
	int ok = u && strcmp(ms_user_password(u), pass) == 0;
	if (!ok)
		emit(md, POP3_MD_LOGIN_FAILED, user, 0);
	return ok;
}

static int md_apop(void *ctx, const char *user, const char *digest, const char *timestamp)
{
	struct pop3_maildrop *md = ctx;
	struct ms_user *u = find_user(md, user);
	int ok = 0;
	if (u) {
		struct md5 m;
		unsigned char dg[16];
		char hex[33];
		md5_init(&m);
		md5_update(&m, timestamp, strlen(timestamp));
		md5_update(&m, ms_user_password(u), strlen(ms_user_password(u)));
		md5_final(&m, dg);
		for (int i = 0; i < 16; i++)
			snprintf(hex + 2 * i, 3, "%02x", dg[i]);
		ok = strcmp(hex, digest) == 0;
	}
	if (!ok)
		emit(md, POP3_MD_LOGIN_FAILED, user, 0);
	return ok;
}

static int md_lock(void *ctx, const char *user)
{
	struct pop3_maildrop *md = ctx;
	struct ms_user *u = find_user(md, user);
	if (!u)
		return POP3_LOCK_FAILED;
	if (ms_user_lock(u, md) != MS_OK) {
		emit(md, POP3_MD_IN_USE, ms_user_address(u), 0);
		return POP3_LOCK_IN_USE;
	}
	md->user = u;
	struct ms_folder *f = inbox(md);
	size_t n = ms_folder_size(f);
	free(md->uids);
	md->uids = n ? calloc(n, sizeof *md->uids) : NULL;
	if (n && !md->uids) {
		ms_user_unlock(u, md);
		md->user = NULL;
		return POP3_LOCK_FAILED;
	}
	for (size_t i = 0; i < n; i++)
		md->uids[i] = ms_folder_message(f, i)->uid;
	md->nuids = n;
	emit(md, POP3_MD_LOCKED, ms_user_address(u), n);
	return POP3_LOCK_OK;
}

static void md_unlock(void *ctx, const char *user)
{
	(void)user;
	struct pop3_maildrop *md = ctx;
	if (!md->user)
		return;
	ms_user_unlock(md->user, md);
	emit(md, POP3_MD_UNLOCKED, ms_user_address(md->user), 0);
	md->user = NULL;
}

static size_t md_count(void *ctx) { return ((struct pop3_maildrop *)ctx)->nuids; }

/* The message behind number i+1, or NULL if it is gone (an IMAP session
 * may expunge it: IMAP does not take the POP3 lock). */
static const struct ms_message *message_at(const struct pop3_maildrop *md, size_t i)
{
	if (!md->user || i >= md->nuids)
		return NULL;
	struct ms_folder *f = inbox(md);
	long k = ms_folder_index_of(f, md->uids[i]);
	return k < 0 ? NULL : ms_folder_message(f, (size_t)k);
}

static void md_info(void *ctx, size_t i, struct pop3_msg_info *info)
{
	struct pop3_maildrop *md = ctx;
	const struct ms_message *m = message_at(md, i);
	info->size = m ? blob_len(m->body) : 0;
	if (i < md->nuids)
		snprintf(info->uid, sizeof info->uid, "%u.%u", (unsigned)ms_folder_uidvalidity(inbox(md)),
			 (unsigned)md->uids[i]);
}

static const uint8_t *md_get(void *ctx, size_t i, size_t *len_r)
{
	const struct ms_message *m = message_at(ctx, i);
	*len_r = m ? blob_len(m->body) : 0;
	return m ? blob_data(m->body) : NULL;
}

/* UPDATE (RFC 1939 section 6): remove what DELE marked. */
static int md_commit(void *ctx, const size_t *idx, size_t n)
{
	struct pop3_maildrop *md = ctx;
	if (!md->user)
		return -1;
	struct ms_folder *f = inbox(md);
	size_t removed = 0;
	int rc = 0;
	for (size_t k = 0; k < n; k++) {
		if (idx[k] < md->nuids && ms_remove(f, md->uids[idx[k]]) == MS_OK)
			removed++;
		else
			rc = -1; /* gone already: not ours to remove */
	}
	emit(md, POP3_MD_UPDATE, ms_user_address(md->user), removed);
	return rc;
}

struct pop3_maildrop *pop3_maildrop_new(struct mailstore *store, pop3_maildrop_event_fn event, void *ctx)
{
	if (!store)
		return NULL;
	struct pop3_maildrop *md = calloc(1, sizeof *md);
	if (!md)
		return NULL;
	md->store = store;
	md->event = event;
	md->ctx = ctx;
	return md;
}

void pop3_maildrop_free(struct pop3_maildrop **mdp)
{
	if (!mdp || !*mdp)
		return;
	struct pop3_maildrop *md = *mdp;
	md_unlock(md, NULL);
	free(md->uids);
	free(md);
	*mdp = NULL;
}

void pop3_maildrop_host(struct pop3_maildrop *md, struct pop3_server_host *h)
{
	memset(h, 0, sizeof *h);
	h->ctx = md;
	h->authenticate = md_authenticate;
	h->apop = md_apop;
	h->lock = md_lock;
	h->unlock = md_unlock;
	h->count = md_count;
	h->info = md_info;
	h->get = md_get;
	h->commit = md_commit;
}

struct ms_user *pop3_maildrop_user(const struct pop3_maildrop *md) { return md->user; }
void *pop3_maildrop_ctx(const struct pop3_maildrop *md) { return md->ctx; }
