/* MIME builder and parser: round trips over hundreds of seeded random
 * messages, boundary collisions, transfer-encoding choice, RFC 2231 names,
 * every truncation of a message, and the depth and part limits. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "protocols/address.h"
#include "protocols/buf.h"
#include "protocols/compose.h"
#include "protocols/header.h"
#include "protocols/mime.h"
#include "protocols/mime_build.h"
#include "sim/core/rng.h"

/* ---- random messages ---- */

struct spec {
	char type[64];
	int multipart;
	int nkids;
	struct spec *kids[5];
	char *expect; /* decoded body the parser must return */
	size_t elen;
	char fname[256];
	int has_fname;
};

static void spec_free(struct spec *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->nkids; i++)
		spec_free(s->kids[i]);
	free(s->expect);
	free(s);
}

static const char *const fnames[] = {
	"foto.jpg", "serenata.wav", "informe final.pdf", "canción ñandú.mp3", "a\"quote\".txt",
	"résumé-2006-versión-definitiva-con-un-nombre-muy-largo-para-partir.doc", "日本語.txt", "x;y=z.bin",
};

/* Random content of one of several shapes that stress the encoders. */
static char *gen_body(struct rng *r, int text, size_t *len_r)
{
	size_t n = (size_t)rng_below(r, 6) == 0 ? 0 : (size_t)rng_below(r, rng_chance(r, 0.1) ? 5000 : 400);
	char *p = malloc(n + 1);
	int shape = (int)rng_below(r, 7);
	static const char *const words[] = {"hola ", "--", "=_mailsim_", "é", "¿qué? ", "\r\n", "\n", "--b\r\n",
					    "= ", " \r\n", "\t", "From ", ".\r\n", "=3D", "ñ"};
	size_t k = 0;
	while (k < n) {
		if (shape == 0 || !text) { /* random bytes */
			p[k++] = (char)rng_below(r, 256);
		} else if (shape == 1) { /* one long line */
			p[k++] = (char)('a' + rng_below(r, 26));
		} else {
			const char *w = words[rng_below(r, sizeof words / sizeof words[0])];
			size_t wl = strlen(w);
			if (k + wl > n)
				wl = n - k;
			memcpy(p + k, w, wl);
			k += wl;
		}
	}
	p[n] = '\0';
	*len_r = n;
	return p;
}

/* The canonical form the builder stores for text: bare CR/LF become CRLF. */
static char *canon(const char *s, size_t n, size_t *len_r)
{
	char *p = malloc(2 * n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r' || s[i] == '\n') {
			p[k++] = '\r';
			p[k++] = '\n';
			if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
				i++;
		} else {
			p[k++] = s[i];
		}
	}
	*len_r = k;
	return p;
}

static struct mime_build *gen(struct rng *r, int depth, struct spec **spec_r)
{
	struct spec *s = calloc(1, sizeof *s);
	*spec_r = s;
	if (depth < 3 && rng_chance(r, depth == 0 ? 0.7 : 0.35)) {
		static const char *const subs[] = {"mixed", "alternative", "related", "parallel"};
		const char *sub = subs[rng_below(r, 4)];
		snprintf(s->type, sizeof s->type, "multipart/%s", sub);
		s->multipart = 1;
		struct mime_build *m = mime_build_multipart(sub);
		s->nkids = 1 + (int)rng_below(r, 4);
		for (int i = 0; i < s->nkids; i++)
			mime_build_add(m, gen(r, depth + 1, &s->kids[i]));
		return m;
	}
	static const char *const types[] = {"text/plain", "text/html", "application/octet-stream", "image/png",
					    "audio/wav", "text/csv"};
	const char *type = types[rng_below(r, 6)];
	snprintf(s->type, sizeof s->type, "%s", type);
	int text = strncmp(type, "text/", 5) == 0;
	size_t n;
	char *body = gen_body(r, text, &n);
	struct mime_build *b = mime_build_leaf(type, body, n);
	if (text) {
		s->expect = canon(body, n, &s->elen);
		free(body);
	} else {
		s->expect = body;
		s->elen = n;
	}
	if (rng_chance(r, 0.5)) {
		const char *fn = fnames[rng_below(r, sizeof fnames / sizeof fnames[0])];
		snprintf(s->fname, sizeof s->fname, "%s", fn);
		s->has_fname = 1;
		mime_build_disposition(b, rng_chance(r, 0.5) ? "attachment" : "inline", fn);
	}
	if (rng_chance(r, 0.2))
		mime_build_force_cte(b, rng_chance(r, 0.5) ? MIME_CTE_BASE64 : MIME_CTE_QP);
	if (text && rng_chance(r, 0.3))
		mime_build_param(b, "format", "flowed");
	return b;
}

static int check_tree(const struct mime_node *n, const struct spec *s)
{
	char type[160];
	snprintf(type, sizeof type, "%s/%s", mime_node_type(n), mime_node_subtype(n));
	if (strcmp(type, s->type) != 0) {
		fprintf(stderr, "type %s != %s\n", type, s->type);
		return 0;
	}
	if (s->multipart) {
		if ((int)mime_node_child_count(n) != s->nkids) {
			fprintf(stderr, "children %zu != %d\n", mime_node_child_count(n), s->nkids);
			return 0;
		}
		for (int i = 0; i < s->nkids; i++)
			if (!check_tree(mime_node_child(n, (size_t)i), s->kids[i]))
				return 0;
		return 1;
	}
	size_t len;
	const char *body = mime_node_body(n, &len);
	if (!body || len != s->elen || memcmp(body, s->expect, len) != 0) {
		fprintf(stderr, "%s body differs (%zu vs %zu bytes, cte %s)\n", s->type, len, s->elen,
			mime_node_cte_name(n));
		return 0;
	}
	const char *fn = mime_node_filename(n);
	if (s->has_fname != (fn != NULL) || (fn && strcmp(fn, s->fname) != 0)) {
		fprintf(stderr, "filename \"%s\" != \"%s\"\n", fn ? fn : "(none)", s->fname);
		return 0;
	}
	return 1;
}

static void test_round_trip(void)
{
	struct rng r;
	rng_init_stream(&r, 42, "mime-round-trip");
	int ok = 0;
	const int count = 400;
	for (int i = 0; i < count; i++) {
		struct spec *s;
		struct mime_build *root = gen(&r, 0, &s);
		struct buf out;
		buf_init(&out, 1 << 26);
		buf_puts(&out, "From: a@b.c\r\nSubject: round trip\r\nMIME-Version: 1.0\r\n");
		struct mime_build_opts o = {.seed = (uint64_t)i, .allow_8bit = (int)rng_below(&r, 2)};
		int rc = mime_build_write(&out, root, &o);
		CHECK_EQ_INT(rc, 0);
		struct mime_doc *doc = NULL;
		REQUIRE(mime_parse(out.data, out.len, NULL, &doc) == 0);
		unsigned defects = mime_doc_defects(doc);
		int good = rc == 0 && check_tree(mime_doc_root(doc), s);
		if (defects) {
			struct buf d;
			buf_init(&d, 4096);
			mime_defect_names(&d, defects);
			fprintf(stderr, "message %d: defects %s\n", i, d.data);
			buf_free(&d);
			good = 0;
		}
		/* Every line of what we wrote fits in 998 octets. */
		size_t line = 0;
		for (size_t k = 0; k < out.len; k++) {
			if (out.data[k] == '\n')
				line = 0;
			else if (++line > 999)
				good = 0;
		}
		if (!good)
			fprintf(stderr, "round trip failed for message %d\n", i);
		ok += good;
		mime_doc_free(&doc);
		mime_build_free(&root);
		buf_free(&out);
		spec_free(s);
	}
	CHECK_EQ_INT(ok, count);
}

/* Same seed, same bytes. */
static void test_deterministic(void)
{
	struct buf a, b;
	buf_init(&a, 1 << 20);
	buf_init(&b, 1 << 20);
	for (int k = 0; k < 2; k++) {
		struct rng r;
		rng_init_stream(&r, 7, "det");
		struct spec *s;
		struct mime_build *root = gen(&r, 0, &s);
		struct mime_build_opts o = {.seed = 99};
		CHECK_EQ_INT(mime_build_write(k ? &b : &a, root, &o), 0);
		mime_build_free(&root);
		spec_free(s);
	}
	CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
	buf_free(&a);
	buf_free(&b);
}

/* A body that contains the boundary the seed would give first forces another one. */
static void test_boundary_collision(void)
{
	struct mime_build_opts o = {.seed = 5};
	struct buf first;
	buf_init(&first, 1 << 20);
	struct mime_build *m = mime_build_multipart("mixed");
	mime_build_add(m, mime_build_leaf("text/plain", "x", 1));
	REQUIRE(mime_build_write(&first, m, &o) == 0);
	mime_build_free(&m);
	const char *bp = strstr(first.data, "boundary=\"");
	REQUIRE(bp != NULL);
	char boundary[100];
	sscanf(bp + 10, "%99[^\"]", boundary);
	char body[300];
	snprintf(body, sizeof body, "before\r\n--%s\r\nContent-Type: text/evil\r\n\r\nfake\r\n--%s--\r\n", boundary,
		 boundary);
	m = mime_build_multipart("mixed");
	mime_build_add(m, mime_build_leaf("text/plain", body, strlen(body)));
	mime_build_add(m, mime_build_leaf("text/plain", "second", 6));
	struct buf out;
	buf_init(&out, 1 << 20);
	REQUIRE(mime_build_write(&out, m, &o) == 0);
	CHECK(strstr(out.data, "boundary=\"") && strncmp(strstr(out.data, "boundary=\"") + 10, boundary,
							   strlen(boundary)) != 0);
	struct mime_doc *doc = NULL;
	REQUIRE(mime_parse(out.data, out.len, NULL, &doc) == 0);
	const struct mime_node *root = mime_doc_root(doc);
	CHECK_EQ_INT(mime_node_child_count(root), 2);
	size_t len;
	const char *b = mime_node_body(mime_node_child(root, 0), &len);
	CHECK(b && len == strlen(body) && memcmp(b, body, len) == 0);
	CHECK_EQ_INT(mime_doc_defects(doc), 0);
	mime_doc_free(&doc);
	mime_build_free(&m);
	buf_free(&out);
	buf_free(&first);
}

static void test_cte_choice(void)
{
	CHECK_EQ_INT(mime_build_choose_cte("text/plain", "hello\r\n", 7, 0), MIME_CTE_7BIT);
	CHECK_EQ_INT(mime_build_choose_cte("text/plain", "ol\xc3\xa9\r\n", 6, 0), MIME_CTE_QP);
	CHECK_EQ_INT(mime_build_choose_cte("text/plain", "ol\xc3\xa9\r\n", 6, 1), MIME_CTE_8BIT);
	CHECK_EQ_INT(mime_build_choose_cte("text/plain", "\xc3\xa9\xc3\xa9\xc3\xa9", 6, 0), MIME_CTE_BASE64);
	CHECK_EQ_INT(mime_build_choose_cte("image/png", "\x89PNG\r\n\x1a\n", 8, 1), MIME_CTE_BASE64);
	CHECK_EQ_INT(mime_build_choose_cte("application/json", "{}", 2, 0), MIME_CTE_7BIT);
	CHECK_EQ_INT(mime_build_choose_cte("application/octet-stream", "a\nb", 3, 0), MIME_CTE_BASE64);
	char long_line[1200];
	memset(long_line, 'a', sizeof long_line);
	CHECK_EQ_INT(mime_build_choose_cte("text/plain", long_line, sizeof long_line, 1), MIME_CTE_QP);
	CHECK_EQ_INT(mime_build_choose_cte("message/rfc822", "S: \xc3\xa9\r\n", 7, 0), MIME_CTE_8BIT);
}

static void test_rfc2231_filename(void)
{
	const char *name = "canción para María, versión larga con muchas letras acentuadas ñ.wav";
	struct mime_build *p = mime_build_leaf("audio/wav", "RIFF", 4);
	mime_build_disposition(p, "attachment", name);
	struct buf out;
	buf_init(&out, 1 << 20);
	REQUIRE(mime_build_write(&out, p, NULL) == 0);
	CHECK(strstr(out.data, "filename*0*=utf-8''canci%C3%B3n") != NULL);
	CHECK(strstr(out.data, "filename*1*=") != NULL);
	struct mime_doc *doc = NULL;
	REQUIRE(mime_parse(out.data, out.len, NULL, &doc) == 0);
	CHECK_STR(mime_node_filename(mime_doc_root(doc)), name);
	CHECK_STR(mime_node_disposition(mime_doc_root(doc)), "attachment");
	CHECK_EQ_INT(mime_doc_defects(doc), 0);
	mime_doc_free(&doc);
	mime_build_free(&p);
	buf_free(&out);
}

/* Found by fuzz.build: an ASCII name holding "=?" was written as a quoted
 * string, and readers (ours too) decode encoded words there, so the name
 * came back changed with bad-encoded-word defects. It now travels in RFC
 * 2231 form and comes back byte for byte. */
static void test_filename_with_encoded_word_lookalike(void)
{
	const char *names[] = {"=?Con?B?n?ntec1ss?=.png", "=?utf-8?B?SG9sYQ==?=", "a=?b"};
	for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
		struct mime_build *p = mime_build_leaf("image/png", "PNG", 3);
		mime_build_disposition(p, "attachment", names[k]);
		struct buf out;
		buf_init(&out, 1 << 20);
		REQUIRE(mime_build_write(&out, p, NULL) == 0);
		CHECK(strstr(out.data, "filename*=utf-8''") != NULL);
		struct mime_doc *doc = NULL;
		REQUIRE(mime_parse(out.data, out.len, NULL, &doc) == 0);
		CHECK_STR(mime_node_filename(mime_doc_root(doc)), names[k]);
		CHECK_EQ_INT(mime_doc_defects(doc), 0);
		mime_doc_free(&doc);
		mime_build_free(&p);
		buf_free(&out);
	}
}

static char *sample(size_t *len_r)
{
	static const unsigned char jpg[] = {0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 0xff, 0xd9};
	struct msg_attachment att[2] = {{"foto.jpg", "image/jpeg", jpg, sizeof jpg, NULL},
					{"serenata.wav", "audio/wav", "RIFF....WAVE", 12, NULL}};
	struct msg_draft d = {.from = "Juan <juan@dominio.de.juan>",
			      .to = "María <maria@dominio.de.maria>",
			      .subject = "Hola, ¿cómo estás?",
			      .date = "Mon, 01 May 2006 10:00:00 -0300",
			      .text = "Hola María,\nte mando una foto.\n",
			      .html = "<p>Hola Mar&iacute;a</p>",
			      .attachments = att,
			      .n_attachments = 2,
			      .seed = 3};
	struct buf out;
	buf_init(&out, 1 << 20);
	char err[100];
	if (msg_compose(&out, &d, err, sizeof err) < 0)
		return NULL;
	return buf_steal(&out, len_r);
}

static void test_compose_structure(void)
{
	size_t n;
	char *m = sample(&n);
	REQUIRE(m != NULL);
	struct mime_doc *doc = NULL;
	REQUIRE(mime_parse(m, n, NULL, &doc) == 0);
	struct buf s;
	buf_init(&s, 1 << 16);
	mime_tree_summary(&s, doc);
	CHECK_STR(s.data, "multipart/mixed parts=3\n"
			  "  multipart/alternative parts=2\n"
			  "    text/plain cte=quoted-printable size=34\n"
			  "    text/html cte=7bit size=24\n"
			  "  image/jpeg cte=base64 size=13 file=\"foto.jpg\"\n"
			  "  audio/wav cte=7bit size=12 file=\"serenata.wav\"\n");
	struct buf sec;
	buf_init(&sec, 64);
	mime_node_section(mime_node_child(mime_node_child(mime_doc_root(doc), 0), 1), &sec);
	CHECK_STR(sec.data, "1.2");
	buf_free(&sec);
	buf_free(&s);
	mime_doc_free(&doc);
	free(m);
}

static void test_compose_rules(void)
{
	static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	struct msg_attachment att[2] = {{"logo.png", "image/png", png, sizeof png, "logo@juan"},
					{"notas.txt", "text/plain", "a\nb\n", 4, NULL}};
	struct msg_draft d = {.from = "\"Pérez, Juan\" <juan@dominio.de.juan>",
			      .to = "María <maria@dominio.de.maria>, pedro@x.org",
			      .bcc = "oculto@y.org",
			      .subject = "Foto",
			      .date = "Mon, 01 May 2006 10:00:00 -0300",
			      .text = "ver adjunto",
			      .html = "<img src=\"cid:logo@juan\">",
			      .attachments = att,
			      .n_attachments = 2,
			      .seed = 9,
			      .counter = 4};
	struct buf a, b;
	buf_init(&a, 1 << 20);
	buf_init(&b, 1 << 20);
	char err[120] = "";
	REQUIRE(msg_compose(&a, &d, err, sizeof err) == 0);
	REQUIRE(msg_compose(&b, &d, err, sizeof err) == 0);
	CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0); /* deterministic */
	CHECK(strstr(a.data, "\r\nBcc: oculto@y.org\r\n") != NULL); /* the sender's copy keeps Bcc */
	CHECK(strstr(a.data, "From: \"=?utf-8?q?") == NULL);            /* phrase, not quoted words */
	CHECK(strstr(a.data, "Message-ID: <") && strstr(a.data, ".4@dominio.de.juan>"));
	struct mime_doc *doc = NULL;
	REQUIRE(mime_parse(a.data, a.len, NULL, &doc) == 0);
	struct buf s;
	buf_init(&s, 1 << 16);
	mime_tree_summary(&s, doc);
	CHECK_STR(s.data, "multipart/mixed parts=2\n"
			  "  multipart/alternative parts=2\n"
			  "    text/plain cte=7bit size=11\n"
			  "    multipart/related parts=2\n"
			  "      text/html cte=7bit size=25\n"
			  "      image/png cte=base64 size=8 file=\"logo.png\"\n"
			  "  text/plain cte=7bit size=6 file=\"notas.txt\"\n");
	const struct hdr_field *from = mime_node_find_field(mime_doc_root(doc), "from");
	REQUIRE(from != NULL);
	struct addr_list *l = NULL;
	REQUIRE(addr_parse(from->value, from->value_len, &l, NULL) == 0);
	CHECK_STR(addr_list_get(l, 0)->name, "Pérez, Juan");
	addr_list_free(&l);
	mime_doc_free(&doc);
	buf_free(&s);

	/* Errors say what is wrong and write nothing. */
	size_t before = a.len;
	struct msg_draft bad = d;
	bad.to = "Perez, Luis <l@x.org>";
	CHECK(msg_compose(&a, &bad, err, sizeof err) < 0);
	CHECK(strstr(err, "To") != NULL);
	bad = d;
	bad.date = "ayer";
	CHECK(msg_compose(&a, &bad, err, sizeof err) < 0);
	CHECK(strstr(err, "date") != NULL);
	bad = d;
	bad.from = NULL;
	CHECK(msg_compose(&a, &bad, err, sizeof err) < 0);
	char longword[1100];
	memset(longword, 'x', sizeof longword - 1);
	longword[sizeof longword - 1] = '\0';
	bad = d;
	bad.subject = longword;
	CHECK(msg_compose(&a, &bad, err, sizeof err) < 0);
	CHECK_EQ_INT(a.len, before);
	buf_free(&a);
	buf_free(&b);
}

/* Every prefix of a message parses without harm (the fuzzer's little sibling). */
static void test_truncations(void)
{
	size_t n;
	char *m = sample(&n);
	REQUIRE(m != NULL);
	for (size_t k = 0; k <= n; k++) {
		struct mime_doc *doc = NULL;
		REQUIRE(mime_parse(m, k, NULL, &doc) == 0);
		struct buf s;
		buf_init(&s, 1 << 16);
		mime_tree_summary(&s, doc);
		buf_free(&s);
		if (k < n - 2) /* cut before the final delimiter: a defect is recorded */
			CHECK(mime_doc_defects(doc) != 0);
		mime_doc_free(&doc);
	}
	free(m);
}

static void test_depth_limit(void)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	for (int i = 0; i < 80; i++)
		buf_printf(&b, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i);
	buf_puts(&b, "\r\ndeep\r\n");
	struct mime_doc *doc = NULL;
	REQUIRE(mime_parse(b.data, b.len, NULL, &doc) == 0);
	CHECK(mime_doc_defects(doc) & MIME_D_DEPTH);
	const struct mime_node *n = mime_doc_root(doc);
	size_t depth = 0;
	while (mime_node_child_count(n)) {
		n = mime_node_child(n, 0);
		depth++;
	}
	CHECK_EQ_INT(depth, 50);
	mime_doc_free(&doc);
	struct mime_limits lim = {.max_depth = 5};
	REQUIRE(mime_parse(b.data, b.len, &lim, &doc) == 0);
	CHECK(mime_doc_node_count(doc) == 6);
	mime_doc_free(&doc);
	buf_free(&b);
}

static void test_part_limit(void)
{
	struct buf b;
	buf_init(&b, 1 << 24);
	buf_puts(&b, "Content-Type: multipart/mixed; boundary=x\r\n\r\n");
	for (int i = 0; i < 20000; i++)
		buf_puts(&b, "--x\r\n\r\np\r\n");
	buf_puts(&b, "--x--\r\n");
	struct mime_doc *doc = NULL;
	REQUIRE(mime_parse(b.data, b.len, NULL, &doc) == 0);
	CHECK_EQ_INT(mime_doc_node_count(doc), 10000);
	CHECK(mime_node_defects(mime_doc_root(doc)) & MIME_D_PARTS);
	mime_doc_free(&doc);
	/* Nested: the budget is shared by the whole tree, never exceeded. */
	buf_reset(&b);
	buf_puts(&b, "Content-Type: multipart/mixed; boundary=o\r\n\r\n");
	for (int k = 0; k < 3; k++) {
		buf_puts(&b, "--o\r\nContent-Type: multipart/mixed; boundary=i\r\n\r\n");
		for (int i = 0; i < 6000; i++)
			buf_puts(&b, "--i\r\n\r\np\r\n");
		buf_puts(&b, "--i--\r\n");
	}
	buf_puts(&b, "--o--\r\n");
	REQUIRE(mime_parse(b.data, b.len, NULL, &doc) == 0);
	CHECK_EQ_INT(mime_doc_node_count(doc), 10000);
	CHECK(mime_doc_defects(doc) & MIME_D_PARTS);
	mime_doc_free(&doc);
	buf_free(&b);
}

int main(void)
{
	RUN(test_round_trip);
	RUN(test_deterministic);
	RUN(test_boundary_collision);
	RUN(test_cte_choice);
	RUN(test_rfc2231_filename);
	RUN(test_filename_with_encoded_word_lookalike);
	RUN(test_compose_structure);
	RUN(test_compose_rules);
	RUN(test_truncations);
	RUN(test_depth_limit);
	RUN(test_part_limit);
	return harness_done();
}
