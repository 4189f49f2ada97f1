/* The parts of `mailsim bench mailbox` that decide whether a measured run
 * was correct: the client's reading of IMAP and POP3 responses (literals,
 * split input, dot-stuffing, errors) and the mail generator (deterministic,
 * the SEARCH FROM answer it expects checked against the stored From
 * fields). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harness.h"
#include "protocols/buf.h"
#include "protocols/header.h"
#include "sim/agents/mailstore.h"
#include "sim/bench/mailbox_client.h"
#include "sim/bench/mailbox_gen.h"
#include "sim/core/blob.h"

/* A server that answers with a fixed script, chunk bytes per recv. */
struct fake {
	const char *script;
	size_t len, pos, chunk;
	struct buf sent;
};

static int fake_send(void *ctx, const void *data, size_t len, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	struct fake *f = ctx;
	return buf_append(&f->sent, data, len) < 0 ? -1 : 0;
}

static long fake_recv(void *ctx, struct buf *in, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	struct fake *f = ctx;
	size_t n = f->len - f->pos < f->chunk ? f->len - f->pos : f->chunk;
	if (n == 0)
		return 0;
	buf_append(in, f->script + f->pos, n);
	f->pos += n;
	return (long)n;
}

static struct mbx_client *fake_client(struct fake *f, const char *script, size_t chunk)
{
	f->script = script;
	f->len = strlen(script);
	f->pos = 0;
	f->chunk = chunk;
	buf_init(&f->sent, 1 << 16);
	struct mbx_io io = {.ctx = f, .send = fake_send, .recv = fake_recv};
	return mbx_client_new(&io);
}

static const char IMAP_SCRIPT[] =
	"* OK [CAPABILITY IMAP4rev1] ready\r\n"
	"A1 OK LOGIN done\r\n"
	/* A literal that holds what looks like the tagged line and a CRLF. */
	"* 1 FETCH (UID 7 ENVELOPE (NIL {15}\r\nA2 OK x\r\n* 9 FE NIL))\r\n"
	"* 2 FETCH (UID 8 FLAGS (\\Seen))\r\n"
	"* 3 EXISTS\r\n"
	"A2 OK FETCH done\r\n"
	"* SEARCH 2 4 17\r\n"
	"A3 OK SEARCH done\r\n"
	"A4 NO [TRYCREATE] no such mailbox\r\n"
	"garbage line\r\n";

static void imap_run(size_t chunk)
{
	struct fake f;
	struct mbx_client *c = fake_client(&f, IMAP_SCRIPT, chunk);
	REQUIRE(c != NULL);
	struct mbx_result r;
	CHECK_EQ_INT(mbx_imap_greeting(c, &r), 0);
	CHECK(r.status == 'O');
	CHECK_EQ_INT(mbx_imap_command(c, "LOGIN a b", &r), 0);
	CHECK(r.status == 'O');
	CHECK_EQ_INT(mbx_imap_command(c, "FETCH 1:* (UID FLAGS ENVELOPE)", &r), 0);
	CHECK(r.status == 'O');
	CHECK_EQ_INT(r.fetches, 2);
	CHECK_EQ_INT(r.untagged, 3);
	CHECK_EQ_INT(mbx_imap_command(c, "SEARCH FROM \"x\"", &r), 0);
	CHECK_EQ_INT(r.search_hits, 3);
	CHECK_EQ_INT(r.bytes, strlen("* SEARCH 2 4 17\r\nA3 OK SEARCH done\r\n"));
	CHECK_EQ_INT(mbx_imap_command(c, "SELECT nowhere", &r), 0);
	CHECK(r.status == 'N');
	CHECK(strstr(r.text, "TRYCREATE") != NULL);
	CHECK_EQ_INT(mbx_imap_command(c, "NOOP", &r), -1); /* not a response line */
	CHECK(strstr(mbx_client_error(c), "garbage") != NULL);
	CHECK(strstr(f.sent.data, "A1 LOGIN a b\r\nA2 FETCH 1:* (UID FLAGS ENVELOPE)\r\nA3 SEARCH") == f.sent.data);
	mbx_client_free(&c);
	CHECK(c == NULL);
	buf_free(&f.sent);
}

static void test_imap_whole(void) { imap_run(1 << 20); }
static void test_imap_byte_at_a_time(void) { imap_run(1); }
static void test_imap_odd_chunks(void) { imap_run(7); }

static void test_imap_cut_short(void)
{
	struct fake f;
	struct mbx_client *c = fake_client(&f, "* OK hi\r\n* 1 FETCH (UID {10}\r\nabc", 3);
	struct mbx_result r;
	CHECK_EQ_INT(mbx_imap_greeting(c, &r), 0);
	CHECK_EQ_INT(mbx_imap_command(c, "FETCH 1 UID", &r), -1);
	CHECK(strstr(mbx_client_error(c), "closed") != NULL);
	mbx_client_free(&c);
	buf_free(&f.sent);
	c = fake_client(&f, "HTTP/1.1 400 Bad Request\r\n", 100);
	CHECK_EQ_INT(mbx_imap_greeting(c, &r), -1);
	mbx_client_free(&c);
	buf_free(&f.sent);
}

static const char POP3_SCRIPT[] = "+OK POP3 ready <1.2@x>\r\n"
				  "+OK 2 messages (30 octets)\r\n"
				  "+OK\r\n1 12\r\n2 18\r\n.\r\n"
				  "+OK 18 octets\r\nA: b\r\n\r\n..x\r\n.\r\n"
				  "-ERR no such message\r\n"
				  "+OK\r\nline\r\n";

static void pop3_run(size_t chunk)
{
	struct fake f;
	struct mbx_client *c = fake_client(&f, POP3_SCRIPT, chunk);
	struct mbx_result r;
	CHECK_EQ_INT(mbx_pop3_greeting(c, &r), 0);
	CHECK(r.status == '+');
	CHECK_EQ_INT(mbx_pop3_command(c, "STAT", 0, &r), 0);
	CHECK_STR(r.text, "+OK 2 messages (30 octets)");
	CHECK_EQ_INT(mbx_pop3_command(c, "LIST", 1, &r), 0);
	CHECK_EQ_INT(r.lines, 2);
	CHECK_EQ_INT(mbx_pop3_command(c, "RETR 2", 1, &r), 0);
	CHECK_EQ_INT(r.lines, 3);
	CHECK_EQ_INT(r.octets, strlen("A: b\r\n\r\n.x\r\n")); /* the stuffed dot removed */
	/* -ERR ends a "multi-line" command at its status line. */
	CHECK_EQ_INT(mbx_pop3_command(c, "RETR 9", 1, &r), 0);
	CHECK(r.status == '-');
	/* No terminating dot before the server goes quiet. */
	CHECK_EQ_INT(mbx_pop3_command(c, "UIDL", 1, &r), -1);
	CHECK(strstr(f.sent.data, "STAT\r\nLIST\r\nRETR 2\r\nRETR 9\r\nUIDL\r\n") == f.sent.data);
	mbx_client_free(&c);
	buf_free(&f.sent);
}

static void test_pop3_whole(void) { pop3_run(1 << 20); }
static void test_pop3_byte_at_a_time(void) { pop3_run(1); }

/* The stored message's From field contains the term, without case. */
static int from_has(const struct ms_message *m, const char *term)
{
	struct hdr_field hf;
	if (!hdr_find((const char *)blob_data(m->body), blob_len(m->body), "From", 0, &hf))
		return 0;
	char v[400];
	size_t n = hf.value_len < sizeof v - 1 ? hf.value_len : sizeof v - 1;
	memcpy(v, hf.value, n);
	v[n] = 0;
	for (char *p = v; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return strstr(v, term) != NULL;
}

static void check_store(const struct mbox_corpus *c, struct mailstore *ms, uint32_t users, uint32_t messages)
{
	CHECK_EQ_INT(mailstore_user_count(ms), users);
	uint64_t all = 0;
	for (uint32_t u = 0; u < users; u++) {
		char address[64];
		mbox_user_address(u, address, sizeof address);
		struct ms_user *mu = mailstore_find_user(ms, address);
		REQUIRE(mu != NULL);
		char login[32], pw[32];
		mbox_user_login(u, login, sizeof login);
		mbox_user_password(u, pw, sizeof pw);
		CHECK_STR(ms_user_login(mu), login);
		CHECK_STR(ms_user_password(mu), pw);
		struct ms_folder *in = ms_folder_find(mu, "INBOX");
		REQUIRE(ms_folder_size(in) == messages);
		const char *term = mbox_corpus_search_term(c, u);
		CHECK(strlen(term) >= 3);
		uint32_t hits = 0;
		uint64_t bytes = 0;
		for (uint32_t k = 0; k < messages; k++) {
			const struct ms_message *m = ms_folder_message(in, k);
			CHECK_EQ_INT(m->uid, k + 1);
			hits += (uint32_t)from_has(m, term);
			bytes += blob_len(m->body);
			if (k > 0)
				CHECK(m->internal_date >= ms_folder_message(in, k - 1)->internal_date);
			for (uint32_t j = 0; j < k; j++) /* a user never gets a body twice */
				CHECK(ms_folder_message(in, j)->body != m->body);
		}
		CHECK(hits >= 1); /* the term comes from one of the user's messages */
		CHECK_EQ_INT(hits, mbox_corpus_search_hits(c, u));
		CHECK_EQ_INT(bytes, mbox_corpus_user_bytes(c, u));
		all += bytes;
	}
	CHECK_EQ_INT(all, mbox_corpus_total_bytes(c));
}

static void test_generator(void)
{
	char err[200];
	/* Every message different, then a corpus shared between users. */
	struct mbox_gen_params ps[] = {{3, 40, 1000, 1}, {12, 40, 100, 1}};
	for (size_t i = 0; i < 2; i++) {
		struct mbox_corpus *c = mbox_corpus_new(&ps[i], err, sizeof err);
		REQUIRE(c != NULL);
		CHECK_EQ_INT(mbox_corpus_distinct(c), i == 0 ? 120 : 100);
		CHECK(mbox_corpus_multiparts(c) > 0 && mbox_corpus_multiparts(c) < mbox_corpus_distinct(c));
		struct mailstore *ms = mailstore_new();
		CHECK_EQ_INT(mbox_corpus_fill(c, ms, 0, ps[i].users, err, sizeof err), 0);
		check_store(c, ms, ps[i].users, ps[i].messages);
		CHECK(mbox_corpus_fill(c, ms, ps[i].users, 1, err, sizeof err) < 0); /* no such user */
		mailstore_free(&ms);
		mbox_corpus_free(&c);
		CHECK(c == NULL);
	}
	CHECK_EQ_INT(blob_live_count(), 0);
	struct mbox_gen_params bad = {1, 10, 5, 1};
	CHECK(mbox_corpus_new(&bad, err, sizeof err) == NULL);
	struct mbox_corpus *none = NULL;
	mbox_corpus_free(&none); /* accepts NULL */
}

/* Same seed, same bytes; another seed, other mail. */
static void test_generator_deterministic(void)
{
	char err[200];
	struct mbox_gen_params p = {4, 30, 60, 7};
	struct mbox_corpus *a = mbox_corpus_new(&p, err, sizeof err), *b = mbox_corpus_new(&p, err, sizeof err);
	p.seed = 8;
	struct mbox_corpus *other = mbox_corpus_new(&p, err, sizeof err);
	REQUIRE(a && b && other);
	struct mailstore *sa = mailstore_new(), *sb = mailstore_new(), *so = mailstore_new();
	mbox_corpus_fill(a, sa, 0, 4, err, sizeof err);
	mbox_corpus_fill(b, sb, 0, 4, err, sizeof err);
	mbox_corpus_fill(other, so, 0, 4, err, sizeof err);
	int same = 1, same_other = 1;
	for (size_t u = 0; u < 4; u++) {
		struct ms_folder *fa = ms_folder_find(mailstore_user_at(sa, u), "INBOX");
		struct ms_folder *fb = ms_folder_find(mailstore_user_at(sb, u), "INBOX");
		struct ms_folder *fo = ms_folder_find(mailstore_user_at(so, u), "INBOX");
		for (size_t k = 0; k < 30; k++) {
			const struct ms_message *ma = ms_folder_message(fa, k), *mb = ms_folder_message(fb, k),
					       *mo = ms_folder_message(fo, k);
			same &= ma->flags == mb->flags && blob_len(ma->body) == blob_len(mb->body) &&
				memcmp(blob_data(ma->body), blob_data(mb->body), blob_len(ma->body)) == 0;
			same_other &= blob_len(ma->body) == blob_len(mo->body) &&
				      memcmp(blob_data(ma->body), blob_data(mo->body), blob_len(ma->body)) == 0;
		}
		CHECK_STR(mbox_corpus_search_term(a, (uint32_t)u), mbox_corpus_search_term(b, (uint32_t)u));
	}
	CHECK(same);
	CHECK(!same_other);
	mailstore_free(&sa);
	mailstore_free(&sb);
	mailstore_free(&so);
	mbox_corpus_free(&a);
	mbox_corpus_free(&b);
	mbox_corpus_free(&other);
}

int main(void)
{
	RUN(test_imap_whole);
	RUN(test_imap_byte_at_a_time);
	RUN(test_imap_odd_chunks);
	RUN(test_imap_cut_short);
	RUN(test_pop3_whole);
	RUN(test_pop3_byte_at_a_time);
	RUN(test_generator);
	RUN(test_generator_deterministic);
	return harness_done();
}
