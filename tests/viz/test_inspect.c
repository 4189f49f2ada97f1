/* The inspectors, the hop stepper, the breakpoints and line selection on
 * the scenario library (no SDL): structural facts from the debug
 * description (viz_control_describe: the inspectors' rows, "inspect new
 * Received: ..." for a Received line being added) and from the frame's
 * commands, never from image hashes. Also the star-of-stars layout (no
 * two links cross, hosts grouped around their hub) and the POP3 and IMAP
 * colours of protocol lines. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "viz/control.h"
#include "viz/msgtrack.h"
#include "viz/scene.h"
#include "viz/source_gen.h"
#include "viz/source_scn.h"
#include "viz/theme.h"

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* Occurrences of needle on the inspector's rows ("inspect ..." lines). */
static int count_rows(const char *d, const char *needle)
{
	int n = 0;
	for (const char *l = d; l && *l;) {
		const char *eol = strchr(l, '\n');
		size_t len = eol ? (size_t)(eol - l) : strlen(l);
		if (strncmp(l, "inspect ", 8) == 0)
			for (const char *p = l; (p = strstr(p, needle)) && p < l + len; p++)
				n++;
		l = eol ? eol + 1 : NULL;
	}
	return n;
}

static struct viz_control *open_scenario(const char *name, struct viz_source **src_r)
{
	char path[1024], err[2048];
	snprintf(path, sizeof path, "%s/scenarios/%s", MAILSIM_SOURCE_DIR, name);
	*src_r = viz_scn_source_open(path, 0, 0, err, sizeof err);
	if (!*src_r) {
		fprintf(stderr, "%s\n", err);
		return NULL;
	}
	struct viz_control_opts o = viz_control_opts_default();
	struct viz_control *c = viz_control_new(*src_r, &o, err, sizeof err);
	if (!c)
		fprintf(stderr, "%s\n", err);
	return c;
}

static void key(struct viz_control *c, enum viz_key k)
{
	struct viz_input in = {VIZ_IN_KEY, k, 0, 0};
	viz_control_input(c, &in);
}

static int host_of(struct viz_control *c, const char *name)
{
	return net_host_by_name(viz_scene_world(viz_control_scene(c))->net, name);
}

static void select_host(struct viz_control *c, const char *name)
{
	struct viz_hit h = {VIZ_HIT_HOST, (uint64_t)host_of(c, name), 0};
	viz_control_select(c, h);
}

/* The classic scenario: Juan's message at each hop. */
static void test_message_inspector(void)
{
	struct viz_source *src;
	struct viz_control *c = open_scenario("juan-maria.json", &src);
	REQUIRE(c);
	/* Right after smtp.gmail.com accepted it (1.149552 s). */
	viz_control_seek(c, (sim_time)1149600000);
	viz_control_select_message(c, 0);
	select_host(c, "mta-gmail");
	char *d = viz_control_describe(c);
	REQUIRE(d);
	CHECK(strstr(d, "message 1 <892b7b9e48c57d12.1@gmail.com> held=juan-laptop,mta-gmail\n"));
	CHECK(strstr(d, "inspect sub at mta-gmail, from juan-laptop"));
	/* The Bcc lesson: Pepe is in the envelope, and no header names him. */
	CHECK(strstr(d, "inspect env MAIL FROM:<juan@gmail.com>\n"));
	CHECK(strstr(d, "inspect env RCPT TO:<maria@dominio.de.maria>\n"));
	CHECK(strstr(d, "inspect env RCPT TO:<pepe@gmail.com>\n"));
	CHECK(strstr(d, "inspect addr.c1 From: Juan <juan@gmail.com>\n"));
	CHECK(strstr(d, "inspect absent.c1 Bcc: (not in the header)\n"));
	CHECK(strstr(d, "inspect absent.c1 Cc: (not in the header)\n"));
	CHECK_EQ_INT(count_rows(d, "pepe"), 4); /* RCPT, accepted, delivered, the mailbox: never a header */
	/* The Received line mta-gmail has just added is lit, and it is the only one. */
	CHECK(strstr(d, "inspect new Received: from laptop.juan.example (laptop.juan.example [192.168.1.10]) by "
			"smtp.gmail.com"));
	CHECK_EQ_INT(count_rows(d, "Received:"), 1);
	/* The MIME tree with each part's encoding and file name. */
	CHECK(strstr(d, "inspect part multipart/mixed  7bit\n"));
	CHECK(strstr(d, "inspect part   text/plain  quoted-printable"));
	CHECK(strstr(d, "inspect part   image/jpeg  base64  575 B  foto.jpg\n"));
	CHECK(strstr(d, "inspect part   audio/wav  base64  2044 B  serenata.wav\n"));
	/* The host inspector: the queue with its retry time, the mailboxes. */
	CHECK(strstr(d, "inspect section MTA queue (smtp.gmail.com)\n"));
	CHECK(strstr(d, "inspect text 000010002 <juan@gmail.com> -> <maria@dominio.de.maria>\n"));
	CHECK(strstr(d, "inspect sub   next attempt 1.150 s (under way)\n")); /* the relay is being tried */
	CHECK(strstr(d, "inspect text pepe@gmail.com\n"));
	CHECK(strstr(d, "UID 1 [\\Recent] Una foto y una serenata para vos"));
	free(d);

	/* The same message at Juan's laptop (before any hop): no Received. */
	select_host(c, "juan-laptop");
	d = viz_control_describe(c);
	REQUIRE(d);
	CHECK(strstr(d, "inspect sub at juan-laptop (composed here)"));
	CHECK_EQ_INT(count_rows(d, "Received:"), 0);
	CHECK(strstr(d, "inspect env RCPT TO:<pepe@gmail.com>\n"));
	free(d);

	/* At the end, in María's provider: three Received lines, newest first,
	 * none lit any more. */
	viz_control_seek(c, viz_control_end(c));
	select_host(c, "mx-maria");
	d = viz_control_describe(c);
	REQUIRE(d);
	CHECK_EQ_INT(count_rows(d, "inspect trace Received:"), 3);
	CHECK_EQ_INT(count(d, "inspect new Received:"), 0);
	const char *r1 = strstr(d, "inspect trace Received: from gw.relay.example");
	const char *r2 = strstr(d, "inspect trace Received: from smtp.gmail.com");
	const char *r3 = strstr(d, "inspect trace Received: from laptop.juan.example");
	CHECK(r1 && r2 && r3 && r1 < r2 && r2 < r3);
	/* The envelope at the last hop has María only. */
	CHECK(strstr(d, "inspect env RCPT TO:<maria@dominio.de.maria>\n"));
	CHECK(!strstr(d, "inspect env RCPT TO:<pepe@gmail.com>\n"));
	CHECK(strstr(d, "delivered maria@dominio.de.maria: INBOX"));
	free(d);

	/* The DNS server's zone. */
	viz_control_select_message(c, -1);
	select_host(c, "dns");
	d = viz_control_describe(c);
	REQUIRE(d);
	CHECK(strstr(d, "inspect section DNS zone"));
	CHECK(strstr(d, "inspect text dominio.de.maria MX 10 mx.dominio.de.maria"));
	CHECK(!strstr(d, "inspect title Message"));
	free(d);
	viz_control_free(&c);
	viz_scn_source_free(&src);
}

/* H: from time 0 with nothing inspected, the first hop selects the message;
 * each H then stops at its next hop, its new Received line lit. */
static void test_step_hop(void)
{
	struct viz_source *src;
	struct viz_control *c = open_scenario("juan-maria.json", &src);
	REQUIRE(c);
	CHECK_EQ_INT(viz_control_message(c), -1);
	key(c, VIZ_KEY_STEP_HOP);
	CHECK_EQ_INT(viz_control_message(c), 0);
	CHECK_EQ_INT((int)(viz_control_now(c) / SIM_US), 1149552);
	CHECK(!viz_control_playing(c));
	char *d = viz_control_describe(c);
	REQUIRE(d);
	CHECK(strstr(d, "inspect sub at mta-gmail"));
	CHECK(strstr(d, "inspect new Received: from laptop.juan.example"));
	free(d);
	key(c, VIZ_KEY_STEP_HOP); /* the gateway accepts it */
	d = viz_control_describe(c);
	REQUIRE(d);
	CHECK(strstr(d, "inspect sub at gateway, from mta-gmail"));
	CHECK(strstr(d, "inspect new Received: from smtp.gmail.com"));
	CHECK(strstr(d, "inspect trace Received: from laptop.juan.example"));
	free(d);
	key(c, VIZ_KEY_STEP_HOP); /* mx-maria accepts it and stores it */
	d = viz_control_describe(c);
	REQUIRE(d);
	CHECK(strstr(d, "inspect sub at mx-maria, from gateway"));
	CHECK_EQ_INT(count_rows(d, "Received:"), 3);
	free(d);
	/* M walks the messages: past the last one, none. */
	key(c, VIZ_KEY_NEXT_MESSAGE);
	CHECK_EQ_INT(viz_control_message(c), -1);
	key(c, VIZ_KEY_NEXT_MESSAGE);
	CHECK_EQ_INT(viz_control_message(c), 0);
	key(c, VIZ_KEY_ESCAPE);
	CHECK_EQ_INT(viz_control_message(c), -1);
	viz_control_free(&c);
	viz_scn_source_free(&src);
}

/* Plays until the control pauses by itself (or the run ends). */
static void play_until_pause(struct viz_control *c)
{
	viz_control_set_speed(c, 1000);
	viz_control_set_playing(c, 1);
	for (int i = 0; i < 100000 && viz_control_playing(c); i++)
		viz_control_tick(c, 16 * 1000 * 1000);
}

static const char *last_line(struct viz_control *c)
{
	const struct viz_scene *s = viz_control_scene(c);
	for (size_t i = viz_scene_log_count(s); i-- > 0;)
		if (viz_scene_log(s, i)->kind == VIZ_LOG_LINE)
			return viz_scene_log(s, i)->text;
	return "";
}

static void test_breakpoints(void)
{
	struct viz_source *src;
	struct viz_control *c = open_scenario("open-relay-spam.json", &src);
	REQUIRE(c);
	key(c, VIZ_KEY_BREAK_5XX);
	CHECK_STR(viz_control_breaks(c), "5xx");
	play_until_pause(c);
	CHECK(!viz_control_finished(c));
	CHECK(strncmp(viz_control_break_note(c), "5xx: ", 5) == 0);
	CHECK(strncmp(last_line(c), "554 ", 4) == 0 || strncmp(last_line(c), "55", 2) == 0);
	CHECK(strstr(viz_control_break_note(c), last_line(c)));
	key(c, VIZ_KEY_BREAK_5XX);
	CHECK_STR(viz_control_breaks(c), "");
	viz_control_free(&c);
	viz_scn_source_free(&src);

	c = open_scenario("juan-maria.json", &src);
	REQUIRE(c);
	/* K with nothing selected: the first command of its list, then the next. */
	key(c, VIZ_KEY_BREAK_CMD);
	CHECK_STR(viz_control_breaks(c), "EHLO");
	key(c, VIZ_KEY_BREAK_CMD);
	key(c, VIZ_KEY_BREAK_CMD);
	CHECK_STR(viz_control_breaks(c), "RCPT");
	play_until_pause(c);
	/* The stop comes after the event that sent it: MAIL, both RCPTs and
	 * DATA go out in one pipelined burst (RFC 2920). */
	CHECK(strstr(viz_control_break_note(c), "RCPT: juan-laptop -> mta-gmail RCPT TO:<maria@dominio.de.maria>"));
	CHECK_STR(last_line(c), "DATA");
	/* Playing on stops at the next RCPT: the relay to the gateway. */
	play_until_pause(c);
	CHECK(strstr(viz_control_break_note(c), "RCPT: mta-gmail -> gateway RCPT TO:<maria@dominio.de.maria>"));
	viz_control_set_break(c, VIZ_BREAK_COMMAND, 0, NULL);
	key(c, VIZ_KEY_BREAK_MAILBOX);
	CHECK_STR(viz_control_breaks(c), "mailbox");
	play_until_pause(c);
	/* Pepe's copy was stored before the last stop: María's comes next. */
	CHECK_STR(viz_control_break_note(c), "mailbox: 000010006 maria@dominio.de.maria (INBOX) at mx-maria");
	char *d = viz_control_describe(c);
	REQUIRE(d);
	CHECK(strstr(d, "\nbreaks mailbox\nbreak mailbox: 000010006"));
	free(d);
	play_until_pause(c);
	CHECK(viz_control_finished(c));
	CHECK_STR(viz_control_break_note(c), "");
	/* A seek (replay from zero) never stops at a breakpoint. */
	viz_control_seek(c, 0);
	viz_control_seek(c, viz_control_end(c));
	CHECK_EQ_INT(viz_control_now(c), viz_control_end(c));
	viz_control_free(&c);
	viz_scn_source_free(&src);
}

/* A click on a line of the sequence chart selects it, shows its details
 * and inspects its message; K then breaks on its command. */
static void test_click_line(void)
{
	struct viz_source *src;
	struct viz_control *c = open_scenario("juan-maria.json", &src);
	REQUIRE(c);
	viz_control_seek(c, (sim_time)1100000000); /* the envelope has been sent */
	const struct viz_frame *f = viz_control_frame(c, 1600, 900, NULL);
	const struct viz_cmd *hit = NULL;
	for (size_t i = 0; i < viz_frame_count(f); i++) {
		const struct viz_cmd *k = viz_frame_cmd(f, i);
		if (k->kind == VIZ_CMD_TEXT && k->tag == VIZ_TAG_SEQ && strstr(viz_frame_text(f, k), "RCPT TO:<pepe"))
			hit = k;
	}
	REQUIRE(hit);
	struct viz_input in = {VIZ_IN_PRESS, VIZ_KEY_NONE, (int)hit->x + 20, (int)hit->y + hit->size / 2};
	viz_control_input(c, &in);
	struct viz_hit h = viz_control_selected(c);
	CHECK_EQ_INT(h.kind, VIZ_HIT_LINE);
	const struct viz_log_entry *e = viz_scene_log_seq(viz_control_scene(c), h.id);
	REQUIRE(e);
	CHECK_STR(e->text, "RCPT TO:<pepe@gmail.com>");
	/* The message is not sent yet (no "." so far): nothing to inspect. */
	CHECK_EQ_INT(viz_control_message(c), -1);
	f = viz_control_frame(c, 1600, 900, NULL);
	int details = 0, lit = 0;
	for (size_t i = 0; i < viz_frame_count(f); i++) {
		const struct viz_cmd *k = viz_frame_cmd(f, i);
		details += k->kind == VIZ_CMD_TEXT && k->tag == VIZ_TAG_SELECTION &&
			   strstr(viz_frame_text(f, k), "C: RCPT TO:<pepe@gmail.com>") != NULL;
		lit += k->kind == VIZ_CMD_FILL_RECT && k->tag == VIZ_TAG_SEQ && k->color.a == 70;
	}
	CHECK_EQ_INT(details, 1);
	CHECK_EQ_INT(lit, 1);
	/* The details box explains the line from the catalogue (RCPT, RFC
	 * 5321 4.1.1.3), and the debug description names the entry. */
	int explained = 0;
	for (size_t i = 0; i < viz_frame_count(f); i++) {
		const struct viz_cmd *k = viz_frame_cmd(f, i);
		explained += k->kind == VIZ_CMD_TEXT && k->tag == VIZ_TAG_SELECTION &&
			     strstr(viz_frame_text(f, k), "RCPT (RFC 5321 4.1.1.3)") != NULL;
	}
	CHECK_EQ_INT(explained, 1);
	char *d = viz_control_describe(c);
	CHECK(d && strstr(d, "selected line ") && strstr(d, "explain RCPT\n"));
	free(d);
	key(c, VIZ_KEY_BREAK_CMD);
	CHECK_STR(viz_control_breaks(c), "RCPT");
	/* Later, a line of the DATA selects its message. */
	viz_control_seek(c, (sim_time)1140000000);
	f = viz_control_frame(c, 1600, 900, NULL);
	hit = NULL;
	for (size_t i = 0; i < viz_frame_count(f); i++) {
		const struct viz_cmd *k = viz_frame_cmd(f, i);
		if (k->kind == VIZ_CMD_TEXT && k->tag == VIZ_TAG_SEQ && strstr(viz_frame_text(f, k), "C: Subject:"))
			hit = k;
	}
	REQUIRE(hit);
	struct viz_input in2 = {VIZ_IN_PRESS, VIZ_KEY_NONE, (int)hit->x + 20, (int)hit->y + hit->size / 2};
	viz_control_input(c, &in2);
	CHECK_EQ_INT(viz_control_selected(c).kind, VIZ_HIT_LINE);
	CHECK_EQ_INT(viz_control_message(c), 0);
	viz_control_free(&c);
	viz_scn_source_free(&src);
}

static int cross(double ax, double ay, double bx, double by, double cx, double cy, double dx, double dy)
{
	double d1 = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
	double d2 = (bx - ax) * (dy - ay) - (by - ay) * (dx - ax);
	double d3 = (dx - cx) * (ay - cy) - (dy - cy) * (ax - cx);
	double d4 = (dx - cx) * (by - cy) - (dy - cy) * (bx - cx);
	return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

/* Star of stars: hubs around a core, each with its own hosts. */
static void test_star_layout(void)
{
	static const int shapes[][2] = {{4, 3}, {6, 8}, {3, 20}, {9, 19}};
	for (size_t sh = 0; sh < sizeof shapes / sizeof shapes[0]; sh++) {
		struct viz_gen_opts *o = calloc(1, sizeof *o);
		REQUIRE(o);
		o->routers = shapes[sh][0];
		o->leaves = shapes[sh][1];
		o->latency = SIM_MS;
		o->fault_link = -1;
		o->star = 1;
		struct viz_source *src = viz_gen_source_new(o);
		free(o);
		REQUIRE(src);
		char err[256];
		struct viz_control_opts co = viz_control_opts_default();
		struct viz_control *c = viz_control_new(src, &co, err, sizeof err);
		REQUIRE(c);
		const struct viz_scene *s = viz_control_scene(c);
		int n = viz_scene_host_count(s), nl = viz_scene_link_count(s);
		CHECK_EQ_INT(n, shapes[sh][0] * (shapes[sh][1] + 1) + 1);
		int crossings = 0, far = 0;
		for (int i = 0; i < nl; i++)
			for (int j = i + 1; j < nl; j++) {
				int a, b, cc, dd;
				double ax, ay, bx, by, cx, cy, dx, dy;
				viz_scene_link_ends(s, i, &a, &b);
				viz_scene_link_ends(s, j, &cc, &dd);
				viz_scene_host_pos(s, a, &ax, &ay);
				viz_scene_host_pos(s, b, &bx, &by);
				viz_scene_host_pos(s, cc, &cx, &cy);
				viz_scene_host_pos(s, dd, &dx, &dy);
				crossings += cross(ax, ay, bx, by, cx, cy, dx, dy);
			}
		/* Each leaf is nearer its own hub than any other hub. */
		int per = shapes[sh][1] + 1;
		for (int h = 0; h < n - 1; h++) {
			if (h % per == 0)
				continue;
			double x, y, hx, hy;
			viz_scene_host_pos(s, h, &x, &y);
			viz_scene_host_pos(s, h - h % per, &hx, &hy);
			double own = hypot(x - hx, y - hy);
			for (int r = 0; r < shapes[sh][0]; r++) {
				double ox, oy;
				viz_scene_host_pos(s, r * per, &ox, &oy);
				if (r * per != h - h % per && hypot(x - ox, y - oy) < own)
					far++;
			}
		}
		CHECK_EQ_INT(crossings, 0);
		CHECK_EQ_INT(far, 0);
		/* The old layered layout crosses links here: the test can fail. */
		viz_control_free(&c);
		viz_gen_source_free(&src);
	}
}

/* POP3 and IMAP lines get their own colours in the sequence chart. */
static void test_pop3_imap_colours(void)
{
	struct viz_source *src;
	struct viz_control *c = open_scenario("juan-maria.json", &src);
	REQUIRE(c);
	struct viz_scene *s = viz_control_scene(c);
	struct obs_bus *bus = sim_bus(viz_scene_world(s)->sim);
	int laptop = host_of(c, "maria-laptop"), phone = host_of(c, "maria-phone"), mx = host_of(c, "mx-maria");
	struct obs_record r = {.type = OBS_LINE, .time = 0};
	r.u.line = (__typeof__(r.u.line)){laptop, mx, 77, "POP3", 1, 0, "RETR 1", 6};
	bus_publish(bus, &r);
	r.u.line = (__typeof__(r.u.line)){phone, mx, 78, "IMAP", 1, 0, "a1 FETCH 1 BODY[]", 17};
	bus_publish(bus, &r);
	r.u.line = (__typeof__(r.u.line)){mx, phone, 79, "SMTP", 0, 0, "250 ok", 6};
	bus_publish(bus, &r);
	const struct viz_frame *f = viz_control_frame(c, 1600, 900, NULL);
	const struct viz_theme *th = viz_theme_get(0);
	int pop = 0, imap = 0, smtp = 0;
	for (size_t i = 0; i < viz_frame_count(f); i++) {
		const struct viz_cmd *k = viz_frame_cmd(f, i);
		if (k->kind != VIZ_CMD_LINE || k->tag != VIZ_TAG_SEQ || k->index < 0)
			continue;
		const struct viz_log_entry *e = viz_scene_log(s, (size_t)k->index);
		struct viz_rgba want = strcmp(e->a, "POP3") == 0 ? th->proto[VIZ_P_POP3]
				       : strcmp(e->a, "IMAP") == 0 ? th->proto[VIZ_P_IMAP]
								   : th->proto[VIZ_P_SMTP];
		if (memcmp(&k->color, &want, sizeof want) != 0)
			continue;
		pop += strcmp(e->a, "POP3") == 0;
		imap += strcmp(e->a, "IMAP") == 0;
		smtp += strcmp(e->a, "SMTP") == 0;
	}
	CHECK_EQ_INT(pop, 3); /* the arrow and its two heads */
	CHECK_EQ_INT(imap, 3);
	CHECK_EQ_INT(smtp, 3);
	CHECK(memcmp(&th->proto[VIZ_P_POP3], &th->proto[VIZ_P_IMAP], sizeof th->proto[0]) != 0);
	CHECK(memcmp(&th->proto[VIZ_P_POP3], &th->proto[VIZ_P_SMTP], sizeof th->proto[0]) != 0);
	/* Ports 110 and 143 classify as POP3 and IMAP. */
	CHECK_EQ_INT(viz_proto_classify(6, 40000, 110, 10), VIZ_P_POP3);
	CHECK_EQ_INT(viz_proto_classify(6, 143, 40000, 10), VIZ_P_IMAP);
	viz_control_free(&c);
	viz_scn_source_free(&src);
}

int main(void)
{
	RUN(test_message_inspector);
	RUN(test_step_hop);
	RUN(test_breakpoints);
	RUN(test_click_line);
	RUN(test_star_layout);
	RUN(test_pop3_imap_colours);
	return harness_done();
}
