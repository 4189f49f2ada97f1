/* Test sessions of the IMAP server engine over a real mailstore (included
 * by test_imap_server.c and test_imap_transcript.c): each session has its
 * own engine and store binding; talk() feeds client text and returns what
 * the server answered since the last call. */
#ifndef TEST_IMAP_SESS_H
#define TEST_IMAP_SESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/buf.h"
#include "protocols/imap_server.h"
#include "sim/agents/imap_store_ms.h"
#include "sim/agents/mailstore.h"
#include "sim/core/blob.h"

struct tsess {
	struct imap_ms *b;
	struct imap_server *s;
	struct buf got; /* output since the last talk() */
	int bytewise;
};

static inline void tsess_collect(struct tsess *t)
{
	size_t n;
	const uint8_t *p = imap_server_output(t->s, &n);
	buf_append(&t->got, p, n);
	imap_server_consume(t->s, n);
}

static inline void tsess_changed(void *ctx) { tsess_collect(ctx); }

static inline int tsess_open(struct tsess *t, struct mailstore *ms, const struct imap_server_config *cfg_in)
{
	memset(t, 0, sizeof *t);
	buf_init(&t->got, 256u << 20);
	t->b = imap_ms_new(ms, NULL);
	struct imap_server_config cfg;
	if (cfg_in)
		cfg = *cfg_in;
	else
		imap_server_config_init(&cfg, "imap.test");
	struct imap_server_host h = {.ctx = t, .store = imap_ms_ops(), .store_ctx = t->b};
	t->s = t->b ? imap_server_new(&cfg, &h) : NULL;
	if (!t->s)
		return -1;
	imap_ms_attach(t->b, t->s, tsess_changed, t);
	tsess_collect(t);
	return 0;
}

static inline void tsess_close(struct tsess *t)
{
	imap_server_free(&t->s);
	imap_ms_free(&t->b);
	buf_free(&t->got);
}

/* Feeds raw bytes (whole, or one byte per feed when bytewise). */
static inline void tsess_feed(struct tsess *t, const void *bytes, size_t n)
{
	const uint8_t *p = bytes;
	if (!t->bytewise) {
		imap_server_feed(t->s, p, n);
		tsess_collect(t);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		imap_server_feed(t->s, p + i, 1);
		tsess_collect(t);
	}
}

/* Feeds text (CRLF added when line is set) and returns what the server
 * said since the last call (static storage, valid until the next call on
 * any session). */
static inline const char *tsess_talk(struct tsess *t, const char *text)
{
	static struct buf last;
	tsess_feed(t, text, strlen(text));
	tsess_feed(t, "\r\n", 2);
	buf_free(&last);
	buf_init(&last, 256u << 20);
	buf_append(&last, t->got.data ? t->got.data : "", t->got.len);
	buf_reset(&t->got);
	return last.data ? last.data : "";
}

/* What arrived since the last talk() without feeding anything. */
static inline const char *tsess_pending(struct tsess *t)
{
	static struct buf last;
	tsess_collect(t);
	buf_free(&last);
	buf_init(&last, 256u << 20);
	buf_append(&last, t->got.data ? t->got.data : "", t->got.len);
	buf_reset(&t->got);
	return last.data ? last.data : "";
}

/* A small message from sender with subject. */
static inline long tsess_deliver(struct ms_folder *f, const char *from, const char *subject, uint32_t flags)
{
	char text[1024];
	int n = snprintf(text, sizeof text,
			 "From: %s\r\nTo: maria@dominio.de.maria\r\nSubject: %s\r\n"
			 "Date: Tue, 20 Jun 2006 23:30:35 -0300\r\nMessage-ID: <%s.%u@test>\r\n\r\nHola.\r\n",
			 from, subject, subject, (unsigned)ms_folder_uidnext(f));
	struct blob *b = blob_new(text, (size_t)n);
	long uid = ms_append(f, b, flags, 0, 0);
	blob_unref(&b);
	return uid;
}

#endif
