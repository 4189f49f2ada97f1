/* A maildrop host for the POP3 server engine tests (test_pop3_server.c,
 * test_pop3_client.c): users with passwords (also APOP secrets),
 * messages with unique ids, a lock shared by every session on the same
 * host, and a log of what the engine asked ("lock mrose", "commit 1 2",
 * "unlock mrose"). A session's ctx is a struct ph_session naming the host. */
#ifndef TEST_POP3_HOST_H
#define TEST_POP3_HOST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/md5.h"
#include "protocols/pop3_server.h"

#define PH_MAX_USERS 8
#define PH_MAX_MSGS 64

struct ph_msg {
	char *data;
	size_t len;
	char uid[71];
};

struct ph_user {
	char name[64], pass[64];
	struct ph_msg msgs[PH_MAX_MSGS];
	size_t n;
	const void *locked_by;
};

struct ph_host {
	struct ph_user users[PH_MAX_USERS];
	size_t nusers;
	int fail_commit;
	char log[8192];
	char states[512]; /* "FROM->TO" lines */
};

struct ph_session {
	struct ph_host *h;
	struct ph_user *u; /* locked */
};

static void ph_log(struct ph_host *h, const char *fmt, const char *a)
{
	size_t n = strlen(h->log);
	snprintf(h->log + n, sizeof h->log - n, fmt, a);
}

static struct ph_user *ph_user(struct ph_host *h, const char *name)
{
	for (size_t i = 0; i < h->nusers; i++)
		if (strcmp(h->users[i].name, name) == 0)
			return &h->users[i];
	return NULL;
}

static struct ph_user *ph_add_user(struct ph_host *h, const char *name, const char *pass)
{
	struct ph_user *u = &h->users[h->nusers++];
	memset(u, 0, sizeof *u);
	snprintf(u->name, sizeof u->name, "%s", name);
	snprintf(u->pass, sizeof u->pass, "%s", pass);
	return u;
}

static void ph_add_msg(struct ph_user *u, const char *data, size_t len, const char *uid)
{
	struct ph_msg *m = &u->msgs[u->n++];
	m->data = malloc(len + 1);
	memcpy(m->data, data, len);
	m->data[len] = 0;
	m->len = len;
	snprintf(m->uid, sizeof m->uid, "%s", uid);
}

/* A message of exactly size octets (>= 40), CRLF line ends. */
static void ph_add_sized(struct ph_user *u, size_t size, const char *uid)
{
	char *d = malloc(size + 1);
	int k = snprintf(d, size + 1, "Subject: message %zu\r\n\r\n", u->n + 1);
	size_t o = (size_t)k;
	while (size - o > 42) {
		memset(d + o, 'a' + (char)(u->n % 26), 38);
		memcpy(d + o + 38, "\r\n", 2);
		o += 40;
	}
	if (size - o >= 3) {
		memset(d + o, 'z', size - o - 2);
		memcpy(d + size - 2, "\r\n", 2);
	}
	ph_add_msg(u, d, size, uid);
	free(d);
}

static void ph_free(struct ph_host *h)
{
	for (size_t i = 0; i < h->nusers; i++)
		for (size_t k = 0; k < h->users[i].n; k++)
			free(h->users[i].msgs[k].data);
	h->nusers = 0;
}

static int ph_authenticate(void *ctx, const char *user, const char *pass)
{
	struct ph_session *s = ctx;
	struct ph_user *u = ph_user(s->h, user);
	return u && strcmp(u->pass, pass) == 0;
}

static int ph_apop(void *ctx, const char *user, const char *digest, const char *timestamp)
{
	struct ph_session *s = ctx;
	struct ph_user *u = ph_user(s->h, user);
	if (!u)
		return 0;
	char in[512], hex[33];
	snprintf(in, sizeof in, "%s%s", timestamp, u->pass);
	md5_hex(in, strlen(in), hex);
	return strcmp(hex, digest) == 0;
}

static int ph_lock(void *ctx, const char *user)
{
	struct ph_session *s = ctx;
	struct ph_user *u = ph_user(s->h, user);
	if (!u)
		return POP3_LOCK_FAILED;
	if (u->locked_by && u->locked_by != s)
		return POP3_LOCK_IN_USE;
	u->locked_by = s;
	s->u = u;
	ph_log(s->h, "lock %s\n", user);
	return POP3_LOCK_OK;
}

static void ph_unlock(void *ctx, const char *user)
{
	struct ph_session *s = ctx;
	if (s->u && s->u->locked_by == s)
		s->u->locked_by = NULL;
	s->u = NULL;
	ph_log(s->h, "unlock %s\n", user);
}

static size_t ph_count(void *ctx)
{
	struct ph_session *s = ctx;
	return s->u ? s->u->n : 0;
}

static void ph_info(void *ctx, size_t i, struct pop3_msg_info *info)
{
	struct ph_session *s = ctx;
	info->size = s->u->msgs[i].len;
	snprintf(info->uid, sizeof info->uid, "%s", s->u->msgs[i].uid);
}

static const uint8_t *ph_get(void *ctx, size_t i, size_t *len_r)
{
	struct ph_session *s = ctx;
	*len_r = s->u->msgs[i].len;
	return (const uint8_t *)s->u->msgs[i].data;
}

static int ph_commit(void *ctx, const size_t *idx, size_t n)
{
	struct ph_session *s = ctx;
	char line[512] = "commit";
	for (size_t i = 0; i < n; i++)
		snprintf(line + strlen(line), sizeof line - strlen(line), " %zu", idx[i] + 1);
	ph_log(s->h, "%s\n", line);
	if (s->h->fail_commit)
		return -1;
	/* remove from the highest index down so the others stay put */
	for (size_t k = n; k-- > 0;) {
		struct ph_user *u = s->u;
		free(u->msgs[idx[k]].data);
		memmove(&u->msgs[idx[k]], &u->msgs[idx[k] + 1], (u->n - idx[k] - 1) * sizeof u->msgs[0]);
		u->n--;
	}
	return 0;
}

static void ph_state(void *ctx, enum pop3_server_state from, enum pop3_server_state to)
{
	struct ph_session *s = ctx;
	size_t n = strlen(s->h->states);
	snprintf(s->h->states + n, sizeof s->h->states - n, "%s->%s\n", pop3_server_state_name(from),
		 pop3_server_state_name(to));
}

static struct pop3_server_host ph_callbacks(struct ph_session *s)
{
	struct pop3_server_host h = {.ctx = s,
				     .authenticate = ph_authenticate,
				     .apop = ph_apop,
				     .lock = ph_lock,
				     .unlock = ph_unlock,
				     .count = ph_count,
				     .info = ph_info,
				     .get = ph_get,
				     .commit = ph_commit,
				     .state_changed = ph_state};
	return h;
}

#endif
