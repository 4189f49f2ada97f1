/* FETCH 1:* (UID FLAGS ENVELOPE) and SEARCH FROM over 1,000 generated
 * messages: checks that every reply is well formed and every search finds
 * exactly the messages it should, and prints how long each took (figures
 * only: nothing here asserts on time). */
#include <stdlib.h>
#include <time.h>

#include "protocols/compose.h"
#include "protocols/imap_fetch.h"
#include "protocols/imap_search.h"
#include "protocols/imap_seqset.h"
#include "tests/unit/harness.h"

#define N_MSG 1000
#define REPS 7 /* the machine is shared: the median of several runs is printed */

static const char *const senders[] = {"Juan <juan@dominio.de.juan>", "Ana Gómez <ana@ejemplo.org>",
				      "pepe@gmail.com", "\"Doe, John\" <jdoe@example.com>"};

static char *raws[N_MSG];
static size_t lens[N_MSG];
static struct imap_msgcache *caches[N_MSG];

/* CPU time, not wall time: the machine is shared and heavily loaded, and
 * this code does no I/O, so CPU time is what it costs. */
static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int make_messages(void)
{
	static const unsigned char jpg[] = {0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 0xff, 0xd9};
	for (int i = 0; i < N_MSG; i++) {
		char subject[80], text[200];
		snprintf(subject, sizeof subject, "Mensaje %d: ¿qué tal?", i);
		snprintf(text, sizeof text, "Hola María,\nesta es la nota %d.\nSaludos\n", i);
		struct msg_attachment att = {"foto.jpg", "image/jpeg", jpg, sizeof jpg, NULL};
		struct msg_draft d = {.from = senders[i % 4],
				      .to = "María <maria@dominio.de.maria>, pepe@gmail.com",
				      .cc = i % 3 ? NULL : "Ana <ana@ejemplo.org>",
				      .subject = subject,
				      .date = "Mon, 01 May 2006 10:00:00 -0300",
				      .text = text,
				      .attachments = i % 5 ? NULL : &att,
				      .n_attachments = i % 5 ? 0 : 1,
				      .seed = 7,
				      .counter = (uint64_t)i};
		struct buf b;
		buf_init(&b, 1 << 20);
		char err[100];
		if (msg_compose(&b, &d, err, sizeof err) < 0)
			return -1;
		raws[i] = buf_steal(&b, &lens[i]);
		if (!raws[i])
			return -1;
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *t)
{
	qsort(t, REPS, sizeof *t, cmp_double);
	return t[REPS / 2];
}

/* cold: every message's cache is emptied before each run. */
static void reset_caches(void)
{
	for (int i = 0; i < N_MSG; i++) {
		imap_msgcache_free(&caches[i]);
		caches[i] = imap_msgcache_new();
	}
}

static struct imap_msgview view(int i, int cached)
{
	struct imap_msgview v = {.seq = (uint32_t)i + 1,
				 .uid = (uint32_t)i * 2 + 1,
				 .flags = i % 2 ? 1 : 0,
				 .internal_date = 1146488400 + i,
				 .raw = raws[i],
				 .raw_len = lens[i],
				 .cache = cached ? caches[i] : NULL};
	return v;
}

static void fetch_all(const char *label, int cached, int cold)
{
	const char *atts = "(UID FLAGS ENVELOPE)";
	struct imap_cursor c;
	imap_cursor_init(&c, atts, strlen(atts));
	struct imap_fetch *f = NULL;
	REQUIRE(imap_fetch_parse(&c, &f) == 0);
	struct imap_seqset *set = imap_seqset_new_range(1, 0);
	REQUIRE(set);
	struct buf out;
	buf_init(&out, 64u << 20);
	double times[REPS];
	int rc = 0;
	for (int rep = 0; rep < REPS; rep++) {
		if (cold)
			reset_caches();
		buf_reset(&out);
		double t0 = now_ms();
		struct imap_seqset_iter it;
		uint32_t seq;
		imap_seqset_iter_init(&it, set, N_MSG, N_MSG);
		while (rc == 0 && imap_seqset_iter_next(&it, &seq)) {
			struct imap_msgview v = view((int)seq - 1, cached);
			rc = buf_printf(&out, "* %u FETCH ", seq);
			if (rc == 0)
				rc = imap_fetch_render(f, &v, 0, &out);
			if (rc == 0)
				rc = buf_puts(&out, "\r\n");
		}
		times[rep] = now_ms() - t0;
	}
	double ms = median(times);
	CHECK(rc == 0);
	/* Every reply is there, and one of each sender's addresses. */
	size_t lines = 0;
	for (size_t i = 0; i < out.len; i++)
		lines += out.data[i] == '\n';
	CHECK_EQ_INT(lines, N_MSG);
	CHECK(strstr(out.data, "(\"Juan\" NIL \"juan\" \"dominio.de.juan\")") != NULL);
	CHECK(strstr(out.data, "(\"=?utf-8?q?Ana_G=C3=B3mez?=\" NIL \"ana\" \"ejemplo.org\")") != NULL);
	CHECK(strstr(out.data, "(\"Doe, John\" NIL \"jdoe\" \"example.com\")") != NULL);
	CHECK(strstr(out.data, "* 1000 FETCH (UID 1999 FLAGS (\\Seen) ENVELOPE (") != NULL);
	printf("FETCH 1:* (UID FLAGS ENVELOPE), %d messages, %s: %.2f ms CPU (%.2f us/message, %zu bytes), median of %d\n",
	       N_MSG, label, ms, ms * 1e3 / N_MSG, out.len, REPS);
	buf_free(&out);
	imap_seqset_free(&set);
	imap_fetch_free(&f);
}

static void search_all(const char *prog, int cached, int want)
{
	struct imap_cursor c;
	imap_cursor_init(&c, prog, strlen(prog));
	struct imap_search *s = NULL;
	int bad;
	REQUIRE(imap_search_parse(&c, NULL, &s, &bad) == 0);
	struct imap_search_ctx ctx = {.exists = N_MSG, .max_uid = N_MSG * 2 - 1};
	int hits = 0;
	double times[REPS];
	for (int rep = 0; rep < REPS; rep++) {
		hits = 0;
		double t0 = now_ms();
		for (int i = 0; i < N_MSG; i++) {
			struct imap_msgview v = view(i, cached);
			int rc = imap_search_match(s, &ctx, &v);
			CHECK(rc >= 0);
			hits += rc == 1;
		}
		times[rep] = now_ms() - t0;
	}
	double ms = median(times);
	CHECK_EQ_INT(hits, want);
	printf("SEARCH %s, %d messages%s: %.2f ms CPU (%.2f us/message), %d hits, median of %d\n", prog, N_MSG,
	       cached ? " (warm cache)" : "", ms, ms * 1e3 / N_MSG, hits, REPS);
	imap_search_free(&s);
}

static void test_bulk(void)
{
	REQUIRE(make_messages() == 0);
	for (int i = 0; i < N_MSG; i++)
		REQUIRE((caches[i] = imap_msgcache_new()) != NULL);
	fetch_all("no cache", 0, 0);
	fetch_all("cold cache", 1, 1);
	fetch_all("warm cache", 1, 0);
	search_all("FROM juan", 0, N_MSG / 4);
	search_all("FROM \"g\xc3\xb3mez\"", 0, N_MSG / 4);
	search_all("OR FROM pepe CC ana", 0, 501); /* 250 + 334 - 83 */
	search_all("SUBJECT \"QU\xc3\x89 TAL\" UNSEEN", 0, N_MSG / 2);
	search_all("BODY \"nota 99.\"", 0, 1);
	search_all("BODY \"nota 99.\"", 1, 1);
	search_all("TEXT maria@dominio", 1, N_MSG);
	for (int i = 0; i < N_MSG; i++) {
		imap_msgcache_free(&caches[i]);
		free(raws[i]);
	}
}

int main(void)
{
	RUN(test_bulk);
	return harness_done();
}
