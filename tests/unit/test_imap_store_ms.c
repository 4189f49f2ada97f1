/* The IMAP store binding over the mailstore: the parse cache lives with the
 * message body across sessions (a second session gets the first one's
 * cache, already holding the ENVELOPE), is shared by a copy, and is freed
 * when the last message holding the body is expunged or the store freed;
 * login by address or local part. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "protocols/buf.h"
#include "protocols/imap_fetch.h"
#include "protocols/imap_msgview.h"
#include "protocols/imap_server.h"
#include "sim/agents/imap_store_ms.h"
#include "sim/agents/mailstore.h"
#include "sim/core/blob.h"

static const char msg_a[] = "From: =?UTF-8?Q?Mar=C3=ADa?= <maria@example.org>\r\n"
			    "To: juan@example.com\r\n"
			    "Subject: serenata\r\n"
			    "Date: Fri, 27 Nov 2026 10:00:00 +0000\r\n"
			    "Message-ID: <a@example.org>\r\n"
			    "\r\n"
			    "hola\r\n";
static const char msg_b[] = "From: juan@example.com\r\nSubject: b\r\n\r\nb\r\n";

static long append(struct ms_folder *f, const char *text)
{
	struct blob *b = blob_new(text, strlen(text));
	long uid = b ? ms_append(f, b, 0, 0, 0) : -1;
	blob_unref(&b);
	return uid;
}

/* One session: login, SELECT INBOX, the message's cache and its ENVELOPE. */
static struct imap_msgcache *session(struct mailstore *ms, size_t index, struct buf *env_r)
{
	const struct imap_store_ops *ops = imap_ms_ops();
	struct imap_ms *b = imap_ms_new(ms, NULL);
	struct imap_mailbox_status st;
	struct imap_store_msg m;
	struct imap_msgcache *c = NULL;
	if (b && ops->login(b, "MARIA", "pw") == 0 && ops->select(b, "INBOX", &st) == 0 &&
	    ops->message_at(b, index, &m) == 0) {
		struct imap_msgview v = {.seq = (uint32_t)index + 1, .uid = m.uid, .raw = (const char *)m.data,
					 .raw_len = m.len, .cache = m.cache};
		buf_reset(env_r);
		if (imap_write_envelope(env_r, &v) == 0)
			c = m.cache;
	}
	imap_ms_free(&b);
	CHECK(b == NULL);
	return c;
}

static void test_cache_across_sessions(void)
{
	long blobs0 = blob_live_count(), aux0 = blob_aux_live_count();
	struct mailstore *ms = mailstore_new();
	struct ms_user *u = mailstore_add_user(ms, "maria@example.org", "pw");
	REQUIRE(u != NULL);
	struct ms_folder *inbox = ms_folder_find(u, "INBOX");
	REQUIRE(append(inbox, msg_a) == 1);
	REQUIRE(append(inbox, msg_b) == 2);
	CHECK_EQ_INT(blob_aux_live_count(), aux0);

	struct buf e1, e2;
	buf_init(&e1, 1 << 16);
	buf_init(&e2, 1 << 16);
	struct imap_msgcache *c1 = session(ms, 0, &e1);
	REQUIRE(c1 != NULL);
	CHECK_EQ_INT(blob_aux_live_count(), aux0 + 1); /* kept after the session ended */
	struct imap_msgcache *c2 = session(ms, 0, &e2);
	CHECK(c2 == c1);                               /* the second session reuses it */
	CHECK_EQ_INT(blob_aux_live_count(), aux0 + 1);
	REQUIRE(e1.data && e2.data);
	CHECK_STR(e2.data, e1.data);
	CHECK(strstr(e1.data, "\"serenata\"") != NULL);

	/* A copy shares the body and so the cache. */
	struct ms_folder *arch;
	REQUIRE(ms_folder_create(u, "Archive", &arch) == MS_OK);
	uint32_t cuid;
	REQUIRE(ms_copy(inbox, 1, arch, &cuid) == MS_OK);
	CHECK_EQ_INT(blob_aux_live_count(), aux0 + 1);

	/* Expunging the INBOX message keeps the cache while the copy holds the
	 * body; expunging the copy frees both. */
	REQUIRE(ms_set_flags(inbox, 1, MS_DELETED, 0) == MS_OK);
	CHECK_EQ_INT(ms_expunge(inbox), 1);
	CHECK_EQ_INT(blob_aux_live_count(), aux0 + 1);
	REQUIRE(ms_set_flags(arch, cuid, MS_DELETED, 0) == MS_OK);
	CHECK_EQ_INT(ms_expunge(arch), 1);
	CHECK_EQ_INT(blob_aux_live_count(), aux0);

	/* The other message's cache goes with the store. */
	struct imap_msgcache *cb = session(ms, 0, &e1);
	CHECK(cb != NULL && cb != c2);
	CHECK(e1.data && strstr(e1.data, "\"b\"") != NULL);
	CHECK_EQ_INT(blob_aux_live_count(), aux0 + 1);
	mailstore_free(&ms);
	CHECK_EQ_INT(blob_aux_live_count(), aux0);
	CHECK_EQ_INT(blob_live_count(), blobs0);
	buf_free(&e1);
	buf_free(&e2);
}

static void free_tag(void *aux) { free(aux); }
static void other_free(void *aux) { free(aux); }

static void test_blob_aux(void)
{
	long aux0 = blob_aux_live_count();
	struct blob *b = blob_new("x", 1);
	REQUIRE(b != NULL);
	CHECK(blob_aux(b, free_tag) == NULL);
	void *p = malloc(8);
	REQUIRE(p != NULL);
	CHECK_EQ_INT(blob_set_aux(b, p, free_tag), 0);
	CHECK(blob_aux(b, free_tag) == p);
	CHECK(blob_aux(b, other_free) == NULL); /* another kind of aux */
	void *q = malloc(8);
	CHECK_EQ_INT(blob_set_aux(b, q, other_free), -1); /* not taken */
	free(q);
	struct blob *r = blob_ref(b);
	blob_unref(&b);
	CHECK_EQ_INT(blob_aux_live_count(), aux0 + 1);
	blob_unref(&r);
	CHECK_EQ_INT(blob_aux_live_count(), aux0);
}

int main(void)
{
	RUN(test_cache_across_sessions);
	RUN(test_blob_aux);
	return harness_done();
}
