/* The in-process engine sessions of `mailsim bench mailbox`
 * (mailbox_engines.h).
 *
 * POP3: the benchmark is the POP3 engine's host, answering its questions
 * from the mailstore as the pop3d agent does (login by local part or
 * address, the INBOX locked for the session, unique-ids
 * "UIDVALIDITY.UID", deletions only at UPDATE).
 *
 * IMAP: the engine over the mailstore through imap_store_ms.h, the binding
 * the imapd agent uses (with its per-session parse cache), and no agent
 * environment: no clock, no network. */
#include "sim/bench/mailbox_engines.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/buf.h"
#include "protocols/imap_server.h"
#include "protocols/pop3_server.h"
#include "sim/agents/imap_store_ms.h"
#include "sim/agents/mailstore.h"
#include "sim/bench/mailbox_client.h"
#include "sim/core/blob.h"

#define HOSTNAME "mx." "bench.example"

struct engine_session {
	enum mbx_engine kind;
	struct mailstore *ms;
	struct pop3_server *pop3;
	struct imap_server *imap;
	struct imap_ms *binding;
	/* POP3: the maildrop, as locked. */
	struct ms_user *user;
	struct ms_folder *inbox;
	uint32_t *uids; /* the snapshot at lock: message n is uids[n - 1] */
	size_t n_uids;
};

/* A user by address, or by local part (the usual POP3/IMAP login). */
static struct ms_user *find_user(struct mailstore *ms, const char *name)
{
	return mailstore_find_login(ms, name);
}

static int pop3_authenticate(void *ctx, const char *user, const char *pass)
{
	struct engine_session *e = ctx;
	struct ms_user *u = find_user(e->ms, user);
	return u && strcmp(ms_user_password(u), pass) == 0;
}

static int pop3_lock(void *ctx, const char *user)
{
	struct engine_session *e = ctx;
	struct ms_user *u = find_user(e->ms, user);
	struct ms_folder *inbox = u ? ms_folder_find(u, "INBOX") : NULL;
	if (!inbox)
		return POP3_LOCK_FAILED;
	if (ms_user_lock(u, e) != MS_OK)
		return POP3_LOCK_IN_USE;
	size_t n = ms_folder_size(inbox);
	e->uids = malloc((n ? n : 1) * sizeof *e->uids);
	if (!e->uids) {
		ms_user_unlock(u, e);
		return POP3_LOCK_FAILED;
	}
	for (size_t i = 0; i < n; i++)
		e->uids[i] = ms_folder_message(inbox, i)->uid;
	e->n_uids = n;
	e->user = u;
	e->inbox = inbox;
	return POP3_LOCK_OK;
}

static void pop3_unlock(void *ctx, const char *user)
{
	(void)user;
	struct engine_session *e = ctx;
	if (e->user)
		ms_user_unlock(e->user, e);
	free(e->uids);
	e->uids = NULL;
	e->n_uids = 0;
	e->user = NULL;
	e->inbox = NULL;
}

static size_t pop3_count(void *ctx) { return ((struct engine_session *)ctx)->n_uids; }

static const struct ms_message *pop3_message(struct engine_session *e, size_t index)
{
	long i = index < e->n_uids ? ms_folder_index_of(e->inbox, e->uids[index]) : -1;
	return i < 0 ? NULL : ms_folder_message(e->inbox, (size_t)i);
}

static void pop3_info(void *ctx, size_t index, struct pop3_msg_info *info_r)
{
	struct engine_session *e = ctx;
	const struct ms_message *m = pop3_message(e, index);
	info_r->size = m ? blob_len(m->body) : 0;
	snprintf(info_r->uid, sizeof info_r->uid, "%u.%u", ms_folder_uidvalidity(e->inbox),
		 index < e->n_uids ? e->uids[index] : 0);
}

static const uint8_t *pop3_get(void *ctx, size_t index, size_t *len_r)
{
	const struct ms_message *m = pop3_message(ctx, index);
	if (!m)
		return NULL;
	*len_r = blob_len(m->body);
	return blob_data(m->body);
}

static int pop3_commit(void *ctx, const size_t *indices, size_t n)
{
	struct engine_session *e = ctx;
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		if (indices[i] >= e->n_uids || ms_remove(e->inbox, e->uids[indices[i]]) != MS_OK)
			rc = -1;
	return rc;
}

static int engine_send(void *ctx, const void *data, size_t len, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	struct engine_session *e = ctx;
	if (e->pop3)
		pop3_server_feed(e->pop3, data, len);
	else
		imap_server_feed(e->imap, data, len);
	return 0;
}

/* Everything the engine has queued; the engine reads further pipelined
 * commands as its output is consumed, so drain until it has nothing. */
static long engine_recv(void *ctx, struct buf *in, char *err, size_t errlen)
{
	struct engine_session *e = ctx;
	long total = 0;
	for (;;) {
		size_t n;
		const uint8_t *out = e->pop3 ? pop3_server_output(e->pop3, &n) : imap_server_output(e->imap, &n);
		if (n == 0)
			return total;
		if (buf_append(in, out, n) < 0) {
			snprintf(err, errlen, "response too large");
			return -1;
		}
		if (e->pop3)
			pop3_server_consume(e->pop3, n);
		else
			imap_server_consume(e->imap, n);
		total += (long)n;
	}
}

static int open_pop3(struct engine_session *e)
{
	struct pop3_server_config cfg;
	pop3_server_config_init(&cfg, HOSTNAME);
	struct pop3_server_host host = {.ctx = e,
					.authenticate = pop3_authenticate,
					.lock = pop3_lock,
					.unlock = pop3_unlock,
					.count = pop3_count,
					.info = pop3_info,
					.get = pop3_get,
					.commit = pop3_commit};
	e->pop3 = pop3_server_new(&cfg, &host);
	return e->pop3 ? 0 : -1;
}

static int open_imap(struct engine_session *e)
{
	e->binding = imap_ms_new(e->ms, NULL);
	if (!e->binding)
		return -1;
	struct imap_server_config cfg;
	imap_server_config_init(&cfg, HOSTNAME);
	struct imap_server_host host = {.ctx = e, .store = imap_ms_ops(), .store_ctx = e->binding};
	e->imap = imap_server_new(&cfg, &host);
	if (!e->imap)
		return -1;
	/* Output is drained after every command: nothing to do on a change. */
	imap_ms_attach(e->binding, e->imap, NULL, NULL);
	return 0;
}

void mbx_engine_close(struct mbx_io *io)
{
	struct engine_session *e = io->ctx;
	if (!e)
		return;
	pop3_server_free(&e->pop3); /* releases a lock still held */
	imap_server_free(&e->imap); /* first: it unselects through the binding */
	imap_ms_free(&e->binding);
	free(e->uids);
	free(e);
	io->ctx = NULL;
}

int mbx_engine_open(enum mbx_engine kind, struct mailstore *ms, struct mbx_io *io, char *err, size_t errlen)
{
	struct engine_session *e = calloc(1, sizeof *e);
	if (!e) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	e->kind = kind;
	e->ms = ms;
	*io = (struct mbx_io){.ctx = e, .send = engine_send, .recv = engine_recv};
	if ((kind == MBX_ENGINE_POP3 ? open_pop3(e) : open_imap(e)) < 0) {
		mbx_engine_close(io);
		snprintf(err, errlen, "starting the %s engine failed (out of memory)",
			 kind == MBX_ENGINE_POP3 ? "POP3" : "IMAP");
		return -1;
	}
	return 0;
}
