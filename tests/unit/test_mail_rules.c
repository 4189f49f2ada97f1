/* Mail rules: every condition and action, the forwarding rule, every RFC
 * 3834 reason not to answer, the once-per-period memory, and the vacation
 * reply itself. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "protocols/buf.h"
#include "protocols/header.h"
#include "sim/agents/mail_rules.h"
#include "sim/agents/mailstore.h"

#define USER "maria@dominio.de.maria"

static const char *msg_plain = "Return-Path: <juan@gmail.com>\r\n"
			       "From: Juan <juan@gmail.com>\r\n"
			       "To: =?UTF-8?Q?Mar=C3=ADa?= <maria@dominio.de.maria>\r\n"
			       "Subject: =?UTF-8?Q?=C2=BFVen=C3=ADs_el_s=C3=A1bado=3F?=\r\n"
			       "Message-ID: <m1@gmail.com>\r\n"
			       "References: <m0@gmail.com>\r\n"
			       "\r\n"
			       "Hola\r\n";

static struct mr_cond cond(enum mr_test t, const char *header, const char *value)
{
	struct mr_cond c = {0};
	c.test = t;
	c.header = header ? strdup(header) : NULL;
	c.value = value ? strdup(value) : NULL;
	return c;
}

/* One filter with one condition and one action, on a fresh rules object. */
static struct mr_rules *one_filter(struct mr_cond c, enum mr_action_kind k, const char *arg)
{
	struct mr_rules *r = mr_rules_new();
	r->filters = calloc(1, sizeof *r->filters);
	r->nfilters = 1;
	r->filters[0].name = strdup("f");
	r->filters[0].conds = calloc(1, sizeof(struct mr_cond));
	r->filters[0].conds[0] = c;
	r->filters[0].nconds = 1;
	r->filters[0].actions = calloc(1, sizeof(struct mr_action));
	r->filters[0].actions[0].kind = k;
	r->filters[0].actions[0].arg = arg ? strdup(arg) : NULL;
	r->filters[0].nactions = 1;
	return r;
}

static int moved(struct mr_cond c, const char *msg)
{
	struct mr_rules *r = one_filter(c, MR_MOVE, "X");
	struct mail_rules *h = mail_rules_new();
	mail_rules_set(h, USER, r);
	struct mr_input in = {USER, "juan@gmail.com", (const uint8_t *)msg, strlen(msg), 0};
	struct mr_verdict v;
	int rc = mail_rules_apply(h, &in, &v);
	int yes = rc == 0 && v.nfolders == 1 && strcmp(v.folders[0], "X") == 0;
	mail_rules_free(&h);
	mr_rules_free(&r);
	return yes;
}

static void test_conditions(void)
{
	CHECK(moved(cond(MR_CONTAINS, "Subject", "sábado"), msg_plain)); /* RFC 2047 decoded */
	CHECK(moved(cond(MR_CONTAINS, "subject", "VENÍS"), msg_plain) == 0); /* ASCII case only */
	CHECK(moved(cond(MR_CONTAINS, "Subject", "VEN"), msg_plain));
	CHECK(!moved(cond(MR_CONTAINS, "Subject", "domingo"), msg_plain));
	CHECK(moved(cond(MR_IS, "From", "juan <JUAN@gmail.com>"), msg_plain));
	CHECK(!moved(cond(MR_IS, "From", "juan@gmail.com"), msg_plain));
	CHECK(moved(cond(MR_MATCHES, "From", "*@gmail.com>"), msg_plain));
	CHECK(moved(cond(MR_MATCHES, "Message-ID", "<m?@*>"), msg_plain));
	CHECK(!moved(cond(MR_MATCHES, "Message-ID", "<m??@*>"), msg_plain));
	CHECK(moved(cond(MR_MATCHES, "Subject", "\\¿*"), msg_plain)); /* \ quotes */
	CHECK(moved(cond(MR_EXISTS, "References", NULL), msg_plain));
	CHECK(!moved(cond(MR_EXISTS, "List-Id", NULL), msg_plain));
	CHECK(moved(cond(MR_CONTAINS, "*", "m0@gmail"), msg_plain)); /* any field */
	/* Address tests compare the addresses, not the text. */
	struct mr_cond a = cond(MR_IS, "From", "juan@gmail.com");
	a.address = 1;
	CHECK(moved(a, msg_plain));
	a = cond(MR_MATCHES, "To", "*@dominio.de.maria");
	a.address = 1;
	CHECK(moved(a, msg_plain));
	a = cond(MR_CONTAINS, "To", "María");
	a.address = 1;
	CHECK(!moved(a, msg_plain)); /* the display name is not the address */
	/* Sizes. */
	struct mr_cond s = {.test = MR_SIZE_OVER, .size = 100};
	CHECK(moved(s, msg_plain));
	s.size = 100000;
	CHECK(!moved(s, msg_plain));
	s.test = MR_SIZE_UNDER;
	CHECK(moved(s, msg_plain));
	s.size = 10;
	CHECK(!moved(s, msg_plain));
	/* not */
	struct mr_cond n = cond(MR_EXISTS, "List-Id", NULL);
	n.negate = 1;
	CHECK(moved(n, msg_plain));
}

static void test_all_any(void)
{
	struct mr_rules *r = one_filter(cond(MR_CONTAINS, "Subject", "sábado"), MR_MOVE, "X");
	struct mr_filter *f = &r->filters[0];
	f->conds = realloc(f->conds, 2 * sizeof *f->conds);
	f->conds[1] = cond(MR_EXISTS, "List-Id", NULL);
	f->nconds = 2;
	struct mail_rules *h = mail_rules_new();
	mail_rules_set(h, USER, r);
	struct mr_input in = {USER, "juan@gmail.com", (const uint8_t *)msg_plain, strlen(msg_plain), 0};
	struct mr_verdict v;
	CHECK_EQ_INT(mail_rules_apply(h, &in, &v), 0);
	CHECK_STR(v.folders[0], "INBOX"); /* all: the second fails */
	f->any = 1;
	CHECK_EQ_INT(mail_rules_apply(h, &in, &v), 0);
	CHECK_STR(v.folders[0], "X");
	CHECK_EQ_INT(v.nfolders, 1);
	mail_rules_free(&h);
	mr_rules_free(&r);
}

/* A filter that always holds, with the given actions. */
static struct mr_rules *actions(const struct mr_action *acts, size_t n)
{
	struct mr_rules *r = mr_rules_new();
	r->filters = calloc(2, sizeof *r->filters);
	r->nfilters = 1;
	r->filters[0].name = strdup("all");
	r->filters[0].actions = calloc(n, sizeof(struct mr_action));
	for (size_t i = 0; i < n; i++) {
		r->filters[0].actions[i] = acts[i];
		r->filters[0].actions[i].arg = acts[i].arg ? strdup(acts[i].arg) : NULL;
	}
	r->filters[0].nactions = n;
	return r;
}

static void apply(const struct mr_rules *r, struct mr_verdict *v)
{
	struct mail_rules *h = mail_rules_new();
	mail_rules_set(h, USER, r);
	struct mr_input in = {USER, "juan@gmail.com", (const uint8_t *)msg_plain, strlen(msg_plain), 0};
	CHECK_EQ_INT(mail_rules_apply(h, &in, v), 0);
	mail_rules_free(&h);
}

static void test_actions(void)
{
	struct mr_verdict v;
	{ /* move twice to one folder stores once; flags and keywords gather */
		struct mr_action a[] = {{MR_MOVE, "Listas", 0},   {MR_FLAG, NULL, MS_FLAGGED}, {MR_KEYWORD, "$Lista", 0},
					{MR_MOVE, "listas", 0},   {MR_FLAG, NULL, MS_SEEN},    {MR_KEYWORD, "$lista", 0}};
		struct mr_rules *r = actions(a, 6);
		apply(r, &v);
		CHECK_EQ_INT(v.nfolders, 1);
		CHECK_STR(v.folders[0], "Listas");
		CHECK_EQ_INT(v.flags, MS_FLAGGED | MS_SEEN);
		CHECK_EQ_INT(v.nkeywords, 1);
		CHECK(!v.discarded);
		mr_rules_free(&r);
	}
	{ /* keep plus move: two copies */
		struct mr_action a[] = {{MR_MOVE, "A", 0}, {MR_KEEP, NULL, 0}};
		struct mr_rules *r = actions(a, 2);
		apply(r, &v);
		CHECK_EQ_INT(v.nfolders, 2);
		CHECK_STR(v.folders[1], "INBOX");
		mr_rules_free(&r);
	}
	{ /* discard: nothing stored, nothing sent */
		struct mr_action a[] = {{MR_DISCARD, NULL, 0}};
		struct mr_rules *r = actions(a, 1);
		r->vacation_text = strdup("fuera");
		r->forward = calloc(1, sizeof(char *));
		r->forward[0] = strdup("pepe@gmail.com");
		r->nforward = 1;
		apply(r, &v);
		CHECK(v.discarded);
		CHECK_STR(v.discarded_by, "all");
		CHECK_EQ_INT(v.nfolders, 0);
		CHECK_EQ_INT(v.nforward, 0); /* the forward rule skips discarded mail */
		CHECK(!v.vacation);          /* and so does the vacation responder */
		mr_rules_free(&r);
	}
	{ /* discard then move (Sieve): discard only cancels the implicit keep */
		struct mr_action a[] = {{MR_DISCARD, NULL, 0}, {MR_MOVE, "B", 0}};
		struct mr_rules *r = actions(a, 2);
		apply(r, &v);
		CHECK(!v.discarded);
		CHECK_EQ_INT(v.nfolders, 1);
		mr_rules_free(&r);
	}
	{ /* a filter's forward cancels the implicit keep */
		struct mr_action a[] = {{MR_FORWARD, "pepe@gmail.com", 0}, {MR_FORWARD, "PEPE@gmail.com", 0}};
		struct mr_rules *r = actions(a, 2);
		apply(r, &v);
		CHECK_EQ_INT(v.nfolders, 0);
		CHECK_EQ_INT(v.nforward, 1);
		CHECK(!v.discarded);
		mr_rules_free(&r);
	}
	{ /* stop ends the filters */
		struct mr_action a[] = {{MR_MOVE, "A", 0}, {MR_STOP, NULL, 0}, {MR_MOVE, "C", 0}};
		struct mr_rules *r = actions(a, 3);
		r->filters[1].name = strdup("second");
		r->filters[1].actions = calloc(1, sizeof(struct mr_action));
		r->filters[1].actions[0] = (struct mr_action){MR_MOVE, strdup("D"), 0};
		r->filters[1].nactions = 1;
		r->nfilters = 2;
		apply(r, &v);
		CHECK_EQ_INT(v.nfolders, 1);
		CHECK_STR(v.folders[0], "A");
		mr_rules_free(&r);
	}
	{ /* without a stop, later filters run too */
		struct mr_action a[] = {{MR_MOVE, "A", 0}};
		struct mr_rules *r = actions(a, 1);
		r->filters[1].name = strdup("second");
		r->filters[1].actions = calloc(1, sizeof(struct mr_action));
		r->filters[1].actions[0] = (struct mr_action){MR_MOVE, strdup("D"), 0};
		r->filters[1].nactions = 1;
		r->nfilters = 2;
		apply(r, &v);
		CHECK_EQ_INT(v.nfolders, 2);
		CHECK(v.nnotes >= 2);
		mr_rules_free(&r);
	}
	{ /* no rules: INBOX */
		struct mail_rules *h = mail_rules_new();
		struct mr_input in = {USER, "juan@gmail.com", (const uint8_t *)msg_plain, strlen(msg_plain), 0};
		CHECK_EQ_INT(mail_rules_apply(h, &in, &v), 0);
		CHECK_EQ_INT(v.nfolders, 1);
		CHECK_STR(v.folders[0], "INBOX");
		mail_rules_free(&h);
	}
}

static void test_forward_rule(void)
{
	struct mr_rules *r = mr_rules_new();
	r->forward = calloc(2, sizeof(char *));
	r->forward[0] = strdup("pepe@gmail.com");
	r->forward[1] = strdup("ana@gmail.com");
	r->nforward = 2;
	r->forward_keep = 1;
	struct mr_verdict v;
	apply(r, &v);
	CHECK_EQ_INT(v.nforward, 2);
	CHECK_EQ_INT(v.nfolders, 1);
	CHECK_STR(v.folders[0], "INBOX");
	r->forward_keep = 0;
	apply(r, &v);
	CHECK_EQ_INT(v.nforward, 2);
	CHECK_EQ_INT(v.nfolders, 0);
	CHECK(!v.discarded);
	/* Without a copy, a filter's move still files it. */
	r->filters = calloc(1, sizeof *r->filters);
	r->nfilters = 1;
	r->filters[0].name = strdup("x");
	r->filters[0].actions = calloc(1, sizeof(struct mr_action));
	r->filters[0].actions[0] = (struct mr_action){MR_MOVE, strdup("Archivo"), 0};
	r->filters[0].nactions = 1;
	apply(r, &v);
	CHECK_EQ_INT(v.nfolders, 1);
	CHECK_STR(v.folders[0], "Archivo");
	mr_rules_free(&r);
}

/* ---- vacation ---- */

static const char *refusal(const char *env_from, const char *extra_fields, const char *to)
{
	static char msg[2048];
	snprintf(msg, sizeof msg, "From: juan@gmail.com\r\nTo: %s\r\n%sSubject: hola\r\n\r\nx\r\n", to, extra_fields);
	static struct mr_rules *r;
	if (!r) {
		r = mr_rules_new();
		r->vacation_text = strdup("fuera");
		r->vacation_addresses = calloc(1, sizeof(char *));
		r->vacation_addresses[0] = strdup("mcarri@dc.uba.ar");
		r->nvacation_addresses = 1;
	}
	if (!env_from) {
		mr_rules_free(&r);
		return NULL;
	}
	return mr_vacation_refusal(r, USER, env_from, (const uint8_t *)msg, strlen(msg));
}

static void test_vacation_refusals(void)
{
	CHECK(refusal("juan@gmail.com", "", USER) == NULL);
	CHECK(refusal("juan@gmail.com", "", "María <MARIA@dominio.de.maria>, pepe@x.org") == NULL);
	CHECK(refusal("juan@gmail.com", "Cc: maria@dominio.de.maria\r\n", "pepe@x.org") == NULL);
	CHECK(refusal("juan@gmail.com", "", "mcarri@dc.uba.ar") == NULL); /* another address of hers */
	CHECK(refusal("juan@gmail.com", "Auto-Submitted: no\r\n", USER) == NULL);
	CHECK(refusal("juan@gmail.com", "Auto-Submitted: No ; comment\r\n", USER) == NULL);
	CHECK(refusal("juan@gmail.com", "Precedence: first-class\r\n", USER) == NULL);
	/* Each reason not to answer. */
	const char *why;
	CHECK((why = refusal("juan@gmail.com", "Auto-Submitted: auto-replied\r\n", USER)) && strstr(why, "Auto-Submitted"));
	CHECK(refusal("juan@gmail.com", "Auto-Submitted: auto-generated\r\n", USER) != NULL);
	CHECK(refusal("juan@gmail.com", "Auto-Submitted: auto-notified; owner-email=\"x@y\"\r\n", USER) != NULL);
	CHECK((why = refusal("", "", USER)) && strstr(why, "empty"));
	CHECK(refusal("MAILER-DAEMON@smtp.gmail.com", "", USER) != NULL);
	CHECK(refusal("listserv@listas.uba.ar", "", USER) != NULL);
	CHECK(refusal("Majordomo@listas.uba.ar", "", USER) != NULL);
	CHECK(refusal("postmaster@gmail.com", "", USER) != NULL);
	CHECK(refusal("owner-redes@listas.uba.ar", "", USER) != NULL);
	CHECK(refusal("redes-request@listas.uba.ar", "", USER) != NULL);
	CHECK((why = refusal(USER, "", USER)) && strstr(why, "the user"));
	const char *lists[] = {"List-Id: <redes.listas.uba.ar>\r\n", "List-Help: <mailto:x@y>\r\n",
			       "List-Subscribe: <mailto:x@y>\r\n", "List-Unsubscribe: <mailto:x@y>\r\n",
			       "List-Post: <mailto:x@y>\r\n", "List-Owner: <mailto:x@y>\r\n", "List-Archive: <http://x>\r\n",
			       "Precedence: bulk\r\n", "Precedence: list\r\n", "Precedence: JUNK\r\n"};
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
		CHECK(refusal("juan@gmail.com", lists[i], USER) != NULL);
	CHECK((why = refusal("juan@gmail.com", "", "todos@dominio.de.maria")) && strstr(why, "To or Cc"));
	refusal(NULL, NULL, NULL);
}

static void test_vacation_memory(void)
{
	struct mr_rules *r = mr_rules_new();
	r->vacation_text = strdup("fuera");
	r->vacation_period = 3600 * SIM_S;
	struct mail_rules *h = mail_rules_new();
	mail_rules_set(h, USER, r);
	struct mr_input in = {USER, "juan@gmail.com", (const uint8_t *)msg_plain, strlen(msg_plain), 0};
	struct mr_verdict v;
	CHECK_EQ_INT(mail_rules_apply(h, &in, &v), 0);
	CHECK(v.vacation);
	in.now = 3599 * SIM_S;
	mail_rules_apply(h, &in, &v);
	CHECK(!v.vacation); /* within the period */
	in.env_from = "JUAN@gmail.com";
	mail_rules_apply(h, &in, &v);
	CHECK(!v.vacation); /* addresses compare without case */
	in.env_from = "pepe@gmail.com";
	mail_rules_apply(h, &in, &v);
	CHECK(v.vacation); /* another sender: its own period */
	in.env_from = "juan@gmail.com";
	in.now = 3600 * SIM_S;
	mail_rules_apply(h, &in, &v);
	CHECK(v.vacation); /* the period is over */
	in.now = 3601 * SIM_S;
	mail_rules_apply(h, &in, &v);
	CHECK(!v.vacation); /* and starts again from the last reply */
	/* A refused message does not use up the period. */
	in.env_from = "ana@gmail.com";
	const char *auto_msg = "Auto-Submitted: auto-replied\r\nTo: maria@dominio.de.maria\r\n\r\nx\r\n";
	in.data = (const uint8_t *)auto_msg;
	in.len = strlen(auto_msg);
	mail_rules_apply(h, &in, &v);
	CHECK(!v.vacation);
	in.data = (const uint8_t *)msg_plain;
	in.len = strlen(msg_plain);
	mail_rules_apply(h, &in, &v);
	CHECK(v.vacation);
	mail_rules_free(&h);
	mr_rules_free(&r);
}

static int has_field(const char *text, const char *name, const char *value)
{
	struct hdr_field f;
	for (int i = 0; hdr_find(text, strlen(text), name, i, &f); i++) {
		struct buf b;
		buf_init(&b, 256);
		hdr_unfold(&b, f.value, f.value_len);
		buf_append(&b, "", 1);
		int same = strcmp(b.data, value) == 0;
		buf_free(&b);
		if (same)
			return 1;
	}
	return 0;
}

static void test_vacation_reply(void)
{
	struct mr_rules *r = mr_rules_new();
	r->vacation_text = strdup("Estoy de vacaciones.\n");
	struct buf out;
	buf_init(&out, 4096);
	CHECK_EQ_INT(mr_vacation_reply(&out, r, USER, "juan@gmail.com", (const uint8_t *)msg_plain, strlen(msg_plain),
				       "Wed, 21 Jun 2006 23:30:35 -0300", "<v1@mx.dominio.de.maria>"),
		     0);
	buf_append(&out, "", 1);
	const char *t = out.data;
	CHECK(has_field(t, "Auto-Submitted", "auto-replied"));
	CHECK(has_field(t, "In-Reply-To", "<m1@gmail.com>"));
	CHECK(has_field(t, "References", "<m0@gmail.com> <m1@gmail.com>"));
	CHECK(has_field(t, "Message-ID", "<v1@mx.dominio.de.maria>"));
	CHECK(has_field(t, "From", USER));
	CHECK(has_field(t, "To", "juan@gmail.com"));
	struct hdr_field f;
	REQUIRE(hdr_find(t, strlen(t), "Subject", 0, &f));
	struct buf s;
	buf_init(&s, 256);
	unsigned d = 0;
	hdr_decode(&s, f.value, f.value_len, &d);
	buf_append(&s, "", 1);
	CHECK_STR(s.data, "Re: ¿Venís el sábado?");
	buf_free(&s);
	CHECK(strstr(t, "Estoy de vacaciones.") != NULL);
	/* A reply to a reply says "Re: " once; a configured subject is used as is. */
	const char *re = "From: juan@gmail.com\r\nTo: maria@dominio.de.maria\r\nSubject: Re: hola\r\n\r\nx\r\n";
	buf_free(&out);
	buf_init(&out, 4096);
	mr_vacation_reply(&out, r, USER, "juan@gmail.com", (const uint8_t *)re, strlen(re), "Wed, 21 Jun 2006 23:30:35 -0300",
			  "<v2@x>");
	buf_append(&out, "", 1);
	CHECK(has_field(out.data, "Subject", "Re: hola"));
	CHECK(!strstr(out.data, "In-Reply-To")); /* the original had no Message-ID */
	r->vacation_subject = strdup("Fuera de la oficina");
	buf_free(&out);
	buf_init(&out, 4096);
	mr_vacation_reply(&out, r, USER, "juan@gmail.com", (const uint8_t *)re, strlen(re), "Wed, 21 Jun 2006 23:30:35 -0300",
			  "<v3@x>");
	buf_append(&out, "", 1);
	CHECK(has_field(out.data, "Subject", "Fuera de la oficina"));
	/* The reply is itself refused by any responder: no loop. */
	CHECK(mr_vacation_refusal(r, "juan@gmail.com", "", (const uint8_t *)out.data, out.len - 1) != NULL);
	CHECK(mr_vacation_refusal(r, "juan@gmail.com", "maria@dominio.de.maria", (const uint8_t *)out.data,
				  out.len - 1) != NULL);
	buf_free(&out);
	mr_rules_free(&r);
}

static void test_flag_names(void)
{
	CHECK_EQ_INT(mr_flag_by_name("\\Seen"), MS_SEEN);
	CHECK_EQ_INT(mr_flag_by_name("\\flagged"), MS_FLAGGED);
	CHECK_EQ_INT(mr_flag_by_name("\\Draft"), MS_DRAFT);
	CHECK_EQ_INT(mr_flag_by_name("\\Recent"), 0);
	CHECK_EQ_INT(mr_flag_by_name("Seen"), 0);
}

int main(void)
{
	RUN(test_conditions);
	RUN(test_all_any);
	RUN(test_actions);
	RUN(test_forward_rule);
	RUN(test_vacation_refusals);
	RUN(test_vacation_memory);
	RUN(test_vacation_reply);
	RUN(test_flag_names);
	return harness_done();
}
