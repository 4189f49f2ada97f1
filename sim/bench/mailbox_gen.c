/* The mail of `mailsim bench mailbox` (mailbox_gen.h): a corpus of composed
 * messages and the users' INBOXes drawn from it. */
#include "sim/bench/mailbox_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/buf.h"
#include "protocols/compose.h"
#include "protocols/message.h"
#include "sim/agents/mailstore.h"
#include "sim/core/blob.h"
#include "sim/core/rng.h"
#include "sim/core/time.h"

/* Names and surnames with no surname inside another name, surname or
 * domain, so a surname searched for matches exactly its senders. */
static const char *const FIRST[] = {"María", "Juan", "Ana", "José", "Lucía", "Pedro", "Sofía", "Carlos", "Elena",
				    "Tomás", "Laura", "Miguel", "Inés", "Pablo", "Clara", "Diego", "Marta",
				    "Andrés", "Julia", "Nicolás", "Alice", "Bob", "Carol", "Dave", "Erin", "Frank"};
static const char *const FIRST_ASCII[] = {"maria", "juan", "ana", "jose", "lucia", "pedro", "sofia",
					  "carlos", "elena", "tomas", "laura", "miguel", "ines", "pablo",
					  "clara", "diego", "marta", "andres", "julia", "nicolas", "alice",
					  "bob", "carol", "dave", "erin", "frank"};
static const char *const LAST[] = {"Gonzalez", "Fernandez", "Rodriguez", "Lopez", "Martinez", "Sanchez", "Perez",
				   "Gomez", "Diaz", "Romero", "Alvarez", "Torres", "Ruiz", "Moreno", "Navarro",
				   "Dominguez", "Vazquez", "Ramos", "Castillo", "Ortega", "Delgado", "Morales",
				   "Suarez", "Iglesias", "Medina", "Garrido", "Cortes", "Molina", "Smith", "Kowalski",
				   "Rossi", "Dupont", "Schmidt", "Nakamura", "Okafor", "Lindqvist"};
static const char *const DOMAINS[] = {"dominio.de.maria", "gmail.com", "uba.ar", "fi.uba.ar", "example.org",
				      "correo.es", "mail.example.net", "posteo.de"};
static const char *const SUBJ_A[] = {"Reunión del", "Informe de", "Entrega de", "Consulta sobre", "Agenda del",
				     "Notes from", "Question about", "Draft of", "Minutes of", "Invoice for",
				     "Fotos del", "Cambio de", "Update on", "Review of", "Plan for"};
static const char *const SUBJ_B[] = {"lunes", "proyecto", "TP 2", "presupuesto", "viaje a Córdoba", "server move",
				     "the release", "quarterly figures", "laboratorio", "parcial", "congreso",
				     "mail relay", "backup", "año nuevo", "curso de redes"};
static const char *const WORDS[] = {"the", "mail", "server", "message", "and", "we", "will", "send", "it",
				    "tomorrow", "please", "check", "attached", "before", "meeting", "el", "correo",
				    "llega", "mañana", "con", "los", "datos", "que", "pediste", "saludos", "of",
				    "to", "in", "for", "queue", "relay", "DNS", "record", "folder", "inbox"};
#define N(a) (sizeof(a) / sizeof(a)[0])

#define EPOCH_2006 1136073600 /* 2006-01-01T00:00:00Z: the year of the note */
#define YEAR_S (365 * 86400)

struct corpus_msg {
	struct blob *body;
	uint16_t sender; /* first * N(LAST) + last, domain below */
	uint8_t domain;
	int64_t date_s;
};

struct mbox_corpus {
	struct mbox_gen_params p;
	struct corpus_msg *msgs;
	uint32_t *pick; /* users x messages indexes into msgs, per user in date order */
	uint64_t distinct_bytes;
	uint32_t multiparts;
	char (*terms)[32];
};

#define FAIL(...) (snprintf(err, errlen, __VA_ARGS__), -1)

void mbox_user_address(uint32_t i, char *out, size_t cap) { snprintf(out, cap, "user%04u@" MBOX_GEN_DOMAIN, i); }
void mbox_user_login(uint32_t i, char *out, size_t cap) { snprintf(out, cap, "user%04u", i); }
void mbox_user_password(uint32_t i, char *out, size_t cap) { snprintf(out, cap, "pw-%u-secret", i); }

static void words(struct buf *b, struct rng *r, size_t bytes)
{
	size_t col = 0, start = b->len;
	while (b->len - start < bytes) {
		const char *w = WORDS[rng_below(r, N(WORDS))];
		size_t n = strlen(w);
		if (col + n + 1 > 72) {
			buf_puts(b, ".\n");
			col = 0;
		} else if (col) {
			buf_putc(b, ' ');
			col++;
		}
		buf_puts(b, w);
		col += n;
	}
	buf_puts(b, ".\n");
}

/* Composes corpus message j (dates grow with j over the year). */
static int compose_one(struct mbox_corpus *c, uint32_t j, struct rng *r, struct buf *out, char *err, size_t errlen)
{
	struct corpus_msg *m = &c->msgs[j];
	uint32_t first = (uint32_t)rng_below(r, N(FIRST)), last = (uint32_t)rng_below(r, N(LAST));
	m->sender = (uint16_t)(first * N(LAST) + last);
	m->domain = (uint8_t)rng_below(r, N(DOMAINS));
	/* Dates grow with j, so a user's selection in corpus order is in date
	 * order: j's date is in its own slice of the year. */
	int64_t slice = YEAR_S / (int64_t)c->p.distinct;
	m->date_s = EPOCH_2006 + (int64_t)j * YEAR_S / (int64_t)c->p.distinct +
		    (int64_t)rng_below(r, slice > 1 ? (uint64_t)slice : 1);
	char from[160], subject[160], date[MSG_DATE_MAX], msgid[96], inreply[96], to[96], cc[160];
	snprintf(from, sizeof from, "%s %s <%s.%s@%s>", FIRST[first], LAST[last], FIRST_ASCII[first], LAST[last],
		 DOMAINS[m->domain]);
	for (char *p = strchr(from, '<'); p && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	int reply = rng_chance(r, 0.25);
	snprintf(subject, sizeof subject, "%s%s %s", reply ? "Re: " : "", SUBJ_A[rng_below(r, N(SUBJ_A))],
		 SUBJ_B[rng_below(r, N(SUBJ_B))]);
	msg_date_format(date, m->date_s, -180);
	snprintf(msgid, sizeof msgid, "<%08x.%u@%s>", (unsigned)(rng_next(r) & 0xffffffffu), j,
		 DOMAINS[m->domain]);
	snprintf(inreply, sizeof inreply, "<%08x.%u@%s>", (unsigned)(rng_next(r) & 0xffffffffu), j,
		 MBOX_GEN_DOMAIN);
	snprintf(to, sizeof to, "equipo-%u@" MBOX_GEN_DOMAIN, (unsigned)rng_below(r, 40));
	snprintf(cc, sizeof cc, "%s %s <%s@%s>", FIRST[rng_below(r, N(FIRST))], LAST[rng_below(r, N(LAST))],
		 FIRST_ASCII[rng_below(r, N(FIRST_ASCII))], DOMAINS[rng_below(r, N(DOMAINS))]);

	struct buf text, html;
	buf_init(&text, 1 << 20);
	buf_init(&html, 1 << 20);
	size_t text_bytes = 300 + (size_t)rng_below(r, 1200);
	if (rng_chance(r, 0.2))
		text_bytes += (size_t)rng_below(r, 4500);
	words(&text, r, text_bytes);
	uint8_t attach[4096];
	struct msg_attachment att = {.filename = "informe.pdf", .type = "application/pdf", .data = attach};
	int alternative = rng_chance(r, 0.15), attached = rng_chance(r, 0.08);
	if (alternative)
		buf_printf(&html, "<html><body><p>%s</p></body></html>\n", text.data);
	if (attached) {
		att.len = 512 + (size_t)rng_below(r, sizeof attach - 512);
		for (size_t i = 0; i < att.len; i++)
			attach[i] = (uint8_t)rng_next(r);
	}
	if (alternative || attached)
		c->multiparts++;
	struct msg_draft d = {.from = from,
			      .to = to,
			      .cc = rng_chance(r, 0.3) ? cc : NULL,
			      .subject = subject,
			      .date = date,
			      .message_id = msgid,
			      .seed = c->p.seed,
			      .counter = j,
			      .text = text.data,
			      .html = alternative ? html.data : NULL,
			      .attachments = attached ? &att : NULL,
			      .n_attachments = attached ? 1 : 0};
	buf_reset(out);
	/* What the final MTA puts in front. */
	buf_printf(out,
		   "Return-Path: <%s.%s@%s>\r\nReceived: from mail.%s (mail.%s [192.0.2.%u])\r\n"
		   "\tby mx." MBOX_GEN_DOMAIN " with ESMTP id %08X%u; %s\r\n",
		   FIRST_ASCII[first], LAST[last], DOMAINS[m->domain], DOMAINS[m->domain], DOMAINS[m->domain],
		   (unsigned)(1 + j % 250), j * 2654435761u, j, date);
	for (char *p = out->data + 14; *p != '>'; p++) /* the Return-Path in lower case */
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (reply)
		buf_printf(out, "In-Reply-To: %s\r\nReferences: %s\r\n", inreply, inreply);
	int rc = text.err || html.err ? -1 : msg_compose(out, &d, err, errlen);
	buf_free(&text);
	buf_free(&html);
	if (rc < 0 || out->err)
		return rc < 0 ? -1 : FAIL("composing message %u: out of memory", j);
	m->body = blob_new(out->data, out->len);
	if (!m->body)
		return FAIL("out of memory");
	c->distinct_bytes += out->len;
	return 0;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* The From field as a search sees it, lower case: "maría gonzalez
 * maria.gonzalez@gmail.com". */
static void sender_text(const struct corpus_msg *m, char *out, size_t cap)
{
	unsigned first = m->sender / N(LAST), last = m->sender % N(LAST);
	snprintf(out, cap, "%s %s %s.%s@%s", FIRST[first], LAST[last], FIRST_ASCII[first], LAST[last],
		 DOMAINS[m->domain]);
	for (char *p = out; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
}

struct mbox_corpus *mbox_corpus_new(const struct mbox_gen_params *p, char *err, size_t errlen)
{
	if (p->users < 1 || p->messages < 1 || p->distinct < p->messages) {
		snprintf(err, errlen, "need at least one user and message, and distinct >= messages");
		return NULL;
	}
	struct mbox_corpus *c = calloc(1, sizeof *c);
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->p = *p;
	uint64_t all = (uint64_t)p->users * p->messages;
	if (c->p.distinct > all)
		c->p.distinct = (uint32_t)all;
	c->msgs = calloc(c->p.distinct, sizeof *c->msgs);
	c->pick = malloc(all * sizeof *c->pick);
	c->terms = calloc(p->users, sizeof *c->terms);
	if (!c->msgs || !c->pick || !c->terms) {
		snprintf(err, errlen, "out of memory for %u users x %u messages", p->users, p->messages);
		mbox_corpus_free(&c);
		return NULL;
	}
	struct rng r;
	rng_init_stream(&r, p->seed, "bench.mailbox.corpus");
	struct buf out;
	buf_init(&out, 1 << 22);
	int rc = 0;
	for (uint32_t j = 0; j < c->p.distinct && rc == 0; j++)
		rc = compose_one(c, j, &r, &out, err, errlen);
	buf_free(&out);
	if (rc < 0) {
		mbox_corpus_free(&c);
		return NULL;
	}
	/* Each user: a stride through the corpus from a random start (all
	 * different while messages <= distinct), sorted into date order. */
	rng_init_stream(&r, p->seed, "bench.mailbox.users");
	uint64_t n = c->p.distinct;
	for (uint32_t u = 0; u < p->users; u++) {
		uint32_t *pick = c->pick + (uint64_t)u * p->messages;
		if (all <= n) {
			for (uint32_t k = 0; k < p->messages; k++)
				pick[k] = (uint32_t)((uint64_t)u * p->messages + k);
		} else {
			uint64_t start = rng_below(&r, n), stride = 1 + rng_below(&r, n - 1 ? n - 1 : 1);
			while (gcd(stride, n) != 1)
				stride++;
			for (uint32_t k = 0; k < p->messages; k++)
				pick[k] = (uint32_t)((start + k * stride) % n);
			qsort(pick, p->messages, sizeof *pick, u32_cmp);
		}
		char text[160];
		sender_text(&c->msgs[pick[p->messages / 2]], text, sizeof text);
		unsigned last = c->msgs[pick[p->messages / 2]].sender % N(LAST);
		snprintf(c->terms[u], sizeof c->terms[u], "%s", LAST[last]);
		for (char *q = c->terms[u]; *q; q++)
			if (*q >= 'A' && *q <= 'Z')
				*q = (char)(*q - 'A' + 'a');
	}
	return c;
}

void mbox_corpus_free(struct mbox_corpus **cp)
{
	struct mbox_corpus *c = *cp;
	if (!c)
		return;
	for (uint32_t j = 0; c->msgs && j < c->p.distinct; j++)
		blob_unref(&c->msgs[j].body);
	free(c->msgs);
	free(c->pick);
	free(c->terms);
	free(c);
	*cp = NULL;
}

/* Flags of user u's message k: mostly read, a few answered or flagged, the
 * newest tenth half unread. */
static uint32_t flags_of(struct rng *r, uint32_t k, uint32_t messages)
{
	uint32_t f = MS_SEEN;
	if (k >= messages - messages / 10 && rng_chance(r, 0.5))
		f = 0;
	if (f && rng_chance(r, 0.1))
		f |= MS_ANSWERED;
	if (rng_chance(r, 0.04))
		f |= MS_FLAGGED;
	return f;
}

int mbox_corpus_fill(const struct mbox_corpus *c, struct mailstore *ms, uint32_t first, uint32_t n, char *err,
		     size_t errlen)
{
	if ((uint64_t)first + n > c->p.users)
		return FAIL("users %u..%u: the corpus has %u users", first, first + n - 1, c->p.users);
	char address[64], password[32];
	for (uint32_t u = first; u < first + n; u++) {
		mbox_user_address(u, address, sizeof address);
		mbox_user_password(u, password, sizeof password);
		struct ms_user *mu = mailstore_add_user(ms, address, password);
		struct ms_folder *inbox = mu ? ms_folder_find(mu, "INBOX") : NULL;
		if (!inbox)
			return FAIL("adding user %s failed", address);
		struct rng r;
		char stream[48];
		snprintf(stream, sizeof stream, "bench.mailbox.flags.%u", u);
		rng_init_stream(&r, c->p.seed, stream);
		const uint32_t *pick = c->pick + (uint64_t)u * c->p.messages;
		for (uint32_t k = 0; k < c->p.messages; k++) {
			const struct corpus_msg *m = &c->msgs[pick[k]];
			long uid = ms_append(inbox, m->body, flags_of(&r, k, c->p.messages), 0,
					     (sim_time)(m->date_s + 60) * SIM_S);
			if (uid < 0)
				return FAIL("appending to %s: %s", address, ms_error_text((int)uid));
		}
	}
	return 0;
}

const char *mbox_corpus_search_term(const struct mbox_corpus *c, uint32_t user)
{
	return user < c->p.users ? c->terms[user] : "";
}

uint32_t mbox_corpus_search_hits(const struct mbox_corpus *c, uint32_t user)
{
	if (user >= c->p.users)
		return 0;
	uint32_t hits = 0;
	char text[160];
	const uint32_t *pick = c->pick + (uint64_t)user * c->p.messages;
	for (uint32_t k = 0; k < c->p.messages; k++) {
		sender_text(&c->msgs[pick[k]], text, sizeof text);
		hits += strstr(text, c->terms[user]) != NULL;
	}
	return hits;
}

uint64_t mbox_corpus_user_bytes(const struct mbox_corpus *c, uint32_t user)
{
	uint64_t n = 0;
	const uint32_t *pick = c->pick + (uint64_t)user * c->p.messages;
	for (uint32_t k = 0; user < c->p.users && k < c->p.messages; k++)
		n += blob_len(c->msgs[pick[k]].body);
	return n;
}

uint64_t mbox_corpus_total_bytes(const struct mbox_corpus *c)
{
	uint64_t n = 0;
	for (uint32_t u = 0; u < c->p.users; u++)
		n += mbox_corpus_user_bytes(c, u);
	return n;
}

uint64_t mbox_corpus_distinct_bytes(const struct mbox_corpus *c) { return c->distinct_bytes; }
uint32_t mbox_corpus_distinct(const struct mbox_corpus *c) { return c->p.distinct; }
uint32_t mbox_corpus_multiparts(const struct mbox_corpus *c) { return c->multiparts; }
