/* The viewer's scene and frame, without SDL: packets interpolated along
 * their link at the right place, colours by protocol, SYN/FIN marks,
 * retransmissions, drops shown where they happen and only for a while, a
 * non-overlapping layout for 200 hosts, hit testing, and scrubbing that
 * gives the same scene as running straight to a time. */
#include <math.h>
#include <stdlib.h>

#include "harness.h"
#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/packet.h"
#include "viz/control.h"
#include "viz/describe.h"
#include "viz/frame.h"
#include "viz/scene.h"
#include "viz/theme.h"
#include "viz_fixture.h"

static struct viz_control *open_ctl(const struct viz_source *src)
{
	char err[256] = "";
	struct viz_control_opts o = viz_control_opts_default();
	o.speed = 1;
	struct viz_control *c = viz_control_new(src, &o, err, sizeof err);
	if (!c)
		fprintf(stderr, "control: %s\n", err);
	return c;
}

static int same_rgba(struct viz_rgba a, struct viz_rgba b) { return a.r == b.r && a.g == b.g && a.b == b.b; }

/* The first command with this tag (and index, unless -1) and kind. */
static const struct viz_cmd *find_cmd(const struct viz_frame *f, int kind, int tag, int index)
{
	for (size_t i = 0; i < viz_frame_count(f); i++) {
		const struct viz_cmd *c = viz_frame_cmd(f, i);
		if (c->kind == kind && c->tag == tag && (index < 0 || c->index == index))
			return c;
	}
	return NULL;
}

static void test_classify(void)
{
	CHECK_EQ_INT(viz_proto_classify(IPPROTO_SIM_TCP, 49152, 25, 100), VIZ_P_SMTP);
	CHECK_EQ_INT(viz_proto_classify(IPPROTO_SIM_TCP, 587, 49152, 100), VIZ_P_SMTP);
	CHECK_EQ_INT(viz_proto_classify(IPPROTO_SIM_TCP, 49152, 110, 10), VIZ_P_POP3);
	CHECK_EQ_INT(viz_proto_classify(IPPROTO_SIM_TCP, 143, 49152, 10), VIZ_P_IMAP);
	CHECK_EQ_INT(viz_proto_classify(IPPROTO_SIM_UDP, 40000, 53, 40), VIZ_P_DNS);
	CHECK_EQ_INT(viz_proto_classify(IPPROTO_SIM_TCP, 49152, 9, 1000), VIZ_P_DATA);
	CHECK_EQ_INT(viz_proto_classify(IPPROTO_SIM_TCP, 49152, 25, 0), VIZ_P_CONTROL);
	CHECK_EQ_INT(viz_app_proto(49152, 25), VIZ_P_SMTP);
}

/* The SYN leaves the laptop at 100 ms on a 10 ms link: at 105 ms it is
 * half-way, on the laptop-to-router lane, drawn with an "S". */
static void test_interpolation(void)
{
	struct viz_gen_opts o;
	fixture_small(&o);
	fixture_flow(&o, 0, 1, 25, 2000, 100 * SIM_MS);
	struct viz_source *src = viz_gen_source_new(&o);
	struct viz_control *c = open_ctl(src);
	REQUIRE(c);
	REQUIRE(viz_control_seek(c, 105 * SIM_MS) == 0);
	struct viz_scene *s = viz_control_scene(c);
	char *d = viz_scene_describe(s, viz_control_now(c));
	REQUIRE(d);
	CHECK(strstr(d, "time 0.105000000\n") != NULL);
	CHECK(strstr(d, "host 1 laptop role=UA") != NULL);
	CHECK(strstr(d, "packet id=1 link=0 dir=0 proto=control app=smtp flags=SYN len=0 frac=0.500") != NULL);
	free(d);
	/* At 115 ms it is on the second link, a quarter of the way... no: half
	 * of it (it left the router at 110 ms). */
	REQUIRE(viz_control_seek(c, 115 * SIM_MS) == 0);
	d = viz_scene_describe(s, viz_control_now(c));
	CHECK(strstr(d, "packet id=1 link=1 dir=1 proto=control app=smtp flags=SYN len=0 frac=0.500") != NULL);
	CHECK(strstr(d, "link=0 dir=0") == NULL);
	free(d);

	/* In the frame: the disc sits at the middle of link 1's drawn segment,
	 * one lane off it, and carries the letter S. */
	const struct viz_frame *f = viz_control_frame(c, 1280, 720, NULL);
	const struct viz_cmd *ln = find_cmd(f, VIZ_CMD_LINE, VIZ_TAG_LINK, 1);
	const struct viz_cmd *pk = NULL;
	for (size_t i = 0; i < viz_frame_count(f); i++) {
		const struct viz_cmd *k = viz_frame_cmd(f, i);
		if (k->kind == VIZ_CMD_DISC && k->tag == VIZ_TAG_PACKET)
			pk = k; /* the last disc is the fill */
	}
	REQUIRE(ln && pk);
	float mx = (ln->x + ln->w) / 2, my = (ln->y + ln->h) / 2;
	float dist = sqrtf((pk->x - mx) * (pk->x - mx) + (pk->y - my) * (pk->y - my));
	float len = sqrtf((ln->w - ln->x) * (ln->w - ln->x) + (ln->h - ln->y) * (ln->h - ln->y));
	CHECK(dist > 2 && dist < 20);       /* on its lane, beside the line */
	CHECK(dist < len * 0.05f + 20);
	const struct viz_cmd *letter = find_cmd(f, VIZ_CMD_TEXT, VIZ_TAG_PACKET, -1);
	REQUIRE(letter);
	CHECK_STR(viz_frame_text(f, letter), "S");
	CHECK(same_rgba(pk->color, viz_theme_get(0)->proto[VIZ_P_CONTROL]));
	viz_control_free(&c);
	viz_gen_source_free(&src);
}

/* Data on ports 25, 110, 143 and 53 gets the SMTP, POP3, IMAP and DNS
 * colours; data elsewhere the "other data" colour. */
static void test_colours(void)
{
	struct viz_gen_opts o;
	fixture_small(&o);
	fixture_flow(&o, 0, 1, 25, 20000, 0);
	fixture_flow(&o, 1, 0, 110, 20000, 0);
	fixture_flow(&o, 0, 1, 143, 20000, 0);
	fixture_flow(&o, 0, 1, 9, 20000, 0);
	struct viz_gen_flow *q = fixture_flow(&o, 1, 0, 53, 0, 35 * SIM_MS);
	q->udp = 1;
	struct viz_source *src = viz_gen_source_new(&o);
	struct viz_control *c = open_ctl(src);
	REQUIRE(c);
	/* Handshakes take 40 ms (two links each way); data flows after. */
	const struct viz_theme *th = viz_theme_get(0);
	int seen[VIZ_P_COUNT] = {0};
	struct viz_scene *s = viz_control_scene(c);
	for (sim_time t = 45 * SIM_MS; t <= 65 * SIM_MS; t += 20 * SIM_MS) {
	REQUIRE(viz_control_seek(c, t) == 0);
	const struct viz_frame *f = viz_control_frame(c, 1600, 900, NULL);
	for (size_t i = 0; i < viz_frame_count(f); i++) {
		const struct viz_cmd *k = viz_frame_cmd(f, i);
		if (k->kind != VIZ_CMD_DISC || k->tag != VIZ_TAG_PACKET)
			continue;
		const struct viz_flight *fl = viz_scene_flight(s, (size_t)k->index);
		for (int p = 0; p < VIZ_P_COUNT; p++)
			if (fl->proto == p && same_rgba(k->color, th->proto[p]))
				seen[p]++;
	}
	}
	CHECK(seen[VIZ_P_SMTP] > 0);
	CHECK(seen[VIZ_P_POP3] > 0);
	CHECK(seen[VIZ_P_IMAP] > 0);
	CHECK(seen[VIZ_P_DNS] > 0);
	CHECK(seen[VIZ_P_DATA] > 0);
	CHECK(seen[VIZ_P_CONTROL] > 0);
	/* The projector theme draws the same packets in its own colours. */
	REQUIRE(viz_control_frame(c, 1600, 900, NULL));
	viz_control_free(&c);
	viz_gen_source_free(&src);
}

/* A lossy first link: a lost packet is shown as a drop near the far end of
 * its link for the linger time, then forgotten; the retransmission that
 * follows is marked. */
static void test_drops_and_retransmits(void)
{
	struct viz_gen_opts o;
	fixture_small(&o);
	o.loss = 0.3;
	o.seed = 3;
	fixture_flow(&o, 0, 1, 25, 30000, 0);
	struct viz_source *src = viz_gen_source_new(&o);
	struct viz_control *c = open_ctl(src);
	REQUIRE(c);
	struct viz_scene *s = viz_control_scene(c);
	sim_time linger = viz_scene_drop_linger(s);
	CHECK_EQ_INT(linger, 1500 * SIM_MS); /* 1.5 s of wall time at 1x */
	/* Walk in 1 ms steps until a drop is visible. */
	sim_time t = 0, drop_at = -1;
	char *d = NULL;
	for (; t < 3 * SIM_S && drop_at < 0; t += SIM_MS) {
		REQUIRE(viz_control_seek(c, t) == 0);
		free(d);
		d = viz_scene_describe(s, t);
		if (strstr(d, "drop id="))
			drop_at = t;
	}
	REQUIRE(drop_at >= 0);
	CHECK(strstr(d, "reason=loss frac=0.900") != NULL);
	CHECK(strstr(d, "dropped (lost on the link)") != NULL);
	const struct viz_frame *f = viz_control_frame(c, 1280, 720, NULL);
	CHECK(find_cmd(f, VIZ_CMD_LINE, VIZ_TAG_DROP, -1) != NULL);
	free(d);
	/* Still there just before the linger ends, gone after. */
	REQUIRE(viz_control_seek(c, drop_at + linger - 2 * SIM_MS) == 0);
	d = viz_scene_describe(s, viz_control_now(c));
	CHECK(strstr(d, "drop id=") != NULL);
	free(d);
	REQUIRE(viz_control_seek(c, drop_at + linger + SIM_MS) == 0);
	d = viz_scene_describe(s, viz_control_now(c));
	/* (a later loss may be visible; the first one is not) */
	free(d);
	REQUIRE(viz_control_seek(c, viz_control_end(c)) == 0);
	CHECK(viz_scene_stats(s)->dropped > 0);
	CHECK(viz_scene_stats(s)->retransmits > 0);
	viz_control_free(&c);

	/* Retransmissions are marked: find one in flight. */
	c = open_ctl(src);
	REQUIRE(c);
	s = viz_control_scene(c);
	int marked = 0;
	for (t = 0; t < 5 * SIM_S && !marked; t += SIM_MS) {
		viz_control_seek(c, t);
		for (size_t i = 0; i < viz_scene_flight_count(s); i++) {
			const struct viz_flight *fl = viz_scene_flight(s, i);
			if (fl->retransmit && !fl->dropped && viz_flight_visible(fl, t, linger))
				marked = 1;
		}
	}
	CHECK(marked);
	f = viz_control_frame(c, 1280, 720, NULL);
	int ring = 0;
	for (size_t i = 0; i < viz_frame_count(f); i++) {
		const struct viz_cmd *k = viz_frame_cmd(f, i);
		ring += k->kind == VIZ_CMD_DISC && k->tag == VIZ_TAG_PACKET && same_rgba(k->color, viz_theme_get(0)->retransmit);
	}
	CHECK(ring > 0);
	viz_control_free(&c);
	viz_gen_source_free(&src);
}

/* A link that fails under packets: each is shown dropped where it was. */
static void test_link_down(void)
{
	struct viz_gen_opts o;
	fixture_small(&o);
	fixture_flow(&o, 0, 1, 25, 200000, 0);
	o.fault_link = 1;
	o.fault_down = 65 * SIM_MS + SIM_MS / 2;
	o.fault_up = 400 * SIM_MS;
	struct viz_source *src = viz_gen_source_new(&o);
	struct viz_control *c = open_ctl(src);
	REQUIRE(c);
	REQUIRE(viz_control_seek(c, o.fault_down + SIM_MS) == 0);
	struct viz_scene *s = viz_control_scene(c);
	char *d = viz_scene_describe(s, viz_control_now(c));
	CHECK(strstr(d, "link 1 server-r0 server-r0 down\n") != NULL);
	CHECK(strstr(d, "reason=link-down frac=0.550") != NULL);
	CHECK(strstr(d, "log 0.065500000 link server-r0 down\n") != NULL);
	/* Not all at the same place: they were spread along the link. */
	int fracs = 0;
	for (size_t i = 0; i < viz_scene_flight_count(s); i++) {
		const struct viz_flight *f = viz_scene_flight(s, i);
		if (f->dropped && f->link == 1 && f->drop_frac > 0.01f && f->drop_frac < 0.99f)
			fracs++;
	}
	CHECK(fracs > 0);
	if (harness_checks_failed)
		fprintf(stderr, "%s", d);
	free(d);
	viz_control_free(&c);
	viz_gen_source_free(&src);
}

static int overlap(float ax, float ay, float aw, float ah, float bx, float by, float bw, float bh)
{
	return ax < bx + bw && bx < ax + aw && ay < by + bh && by < ay + ah;
}

/* 200 hosts with the automatic layout: no two host boxes overlap, and no
 * two name labels overlap, at two window sizes. */
static void test_layout_200(void)
{
	struct viz_gen_opts *o = malloc(sizeof *o);
	REQUIRE(o);
	viz_gen_opts_big(o);
	struct viz_source *src = viz_gen_source_new(o);
	free(o);
	struct viz_control *c = open_ctl(src);
	REQUIRE(c);
	CHECK_EQ_INT(viz_scene_host_count(viz_control_scene(c)), 200);
	static const int sizes[][2] = {{1920, 1080}, {1280, 720}};
	for (int k = 0; k < 2; k++) {
		const struct viz_frame *f = viz_control_frame(c, sizes[k][0], sizes[k][1], NULL);
		const struct viz_cmd *box[200] = {0}, *label[200] = {0};
		for (size_t i = 0; i < viz_frame_count(f); i++) {
			const struct viz_cmd *cm = viz_frame_cmd(f, i);
			if (cm->tag == VIZ_TAG_HOST && cm->index >= 0 && cm->index < 200 &&
			    (cm->kind == VIZ_CMD_FILL_RECT || (cm->kind == VIZ_CMD_DISC && !box[cm->index])))
				box[cm->index] = cm;
			if (cm->tag == VIZ_TAG_HOST_LABEL && cm->kind == VIZ_CMD_TEXT && !label[cm->index])
				label[cm->index] = cm;
		}
		int missing = 0, overlaps = 0, loverlaps = 0;
		float bx[200], by[200], bw[200], bh[200];
		for (int i = 0; i < 200; i++) {
			if (!box[i]) {
				missing++;
				continue;
			}
			if (box[i]->kind == VIZ_CMD_DISC) {
				bx[i] = box[i]->x - box[i]->w, by[i] = box[i]->y - box[i]->w;
				bw[i] = bh[i] = 2 * box[i]->w;
			} else {
				bx[i] = box[i]->x, by[i] = box[i]->y, bw[i] = box[i]->w, bh[i] = box[i]->h;
			}
		}
		CHECK_EQ_INT(missing, 0);
		for (int i = 0; i < 200; i++)
			for (int j = i + 1; j < 200; j++) {
				if (box[i] && box[j])
					overlaps += overlap(bx[i], by[i], bw[i], bh[i], bx[j], by[j], bw[j], bh[j]);
				if (label[i] && label[j]) {
					const struct viz_text_metrics *m = viz_metrics_approx();
					float wi = (float)m->width(NULL, label[i]->font, label[i]->size, viz_frame_text(f, label[i]));
					float wj = (float)m->width(NULL, label[j]->font, label[j]->size, viz_frame_text(f, label[j]));
					loverlaps += overlap(label[i]->x, label[i]->y, wi, label[i]->size * 1.15f, label[j]->x,
							     label[j]->y, wj, label[j]->size * 1.15f);
				}
			}
		CHECK_EQ_INT(overlaps, 0);
		CHECK_EQ_INT(loverlaps, 0);
		/* Boxes stay inside the window and clear of the right panel. */
		for (int i = 0; i < 200; i++)
			if (box[i])
				CHECK(bx[i] >= 0 && by[i] >= 0 && bx[i] + bw[i] <= sizes[k][0] * 0.7f &&
				      by[i] + bh[i] <= sizes[k][1]);
	}
	viz_control_free(&c);
	viz_gen_source_free(&src);
}

/* Clicks find packets first, then hosts, then links, then the timeline. */
static void test_hit(void)
{
	struct viz_gen_opts o;
	fixture_small(&o);
	fixture_flow(&o, 0, 1, 25, 2000, 100 * SIM_MS);
	struct viz_source *src = viz_gen_source_new(&o);
	struct viz_control *c = open_ctl(src);
	REQUIRE(c);
	REQUIRE(viz_control_seek(c, 105 * SIM_MS) == 0);
	const struct viz_frame *f = viz_control_frame(c, 1280, 720, NULL);
	/* Host 1 (laptop): its box. */
	const struct viz_cmd *hb = find_cmd(f, VIZ_CMD_FILL_RECT, VIZ_TAG_HOST, 1);
	REQUIRE(hb);
	struct viz_hit h = viz_frame_hit(f, (int)(hb->x + 3), (int)(hb->y + 3));
	CHECK_EQ_INT(h.kind, VIZ_HIT_HOST);
	CHECK_EQ_INT(h.id, 1);
	/* The packet (the SYN, id 1). */
	const struct viz_cmd *pk = find_cmd(f, VIZ_CMD_DISC, VIZ_TAG_PACKET, -1);
	REQUIRE(pk);
	h = viz_frame_hit(f, (int)pk->x, (int)pk->y);
	CHECK_EQ_INT(h.kind, VIZ_HIT_PACKET);
	CHECK_EQ_INT(h.id, 1);
	/* Link 1, on the line at its middle (no packet there). */
	const struct viz_cmd *ln = find_cmd(f, VIZ_CMD_LINE, VIZ_TAG_LINK, 1);
	REQUIRE(ln);
	h = viz_frame_hit(f, (int)((ln->x + ln->w) / 2), (int)((ln->y + ln->h) / 2));
	CHECK_EQ_INT(h.kind, VIZ_HIT_LINK);
	CHECK_EQ_INT(h.id, 1);
	/* The timeline: the middle of the track is half the run. */
	float tx, ty, tw, th;
	viz_frame_timeline(f, &tx, &ty, &tw, &th);
	REQUIRE(tw > 100);
	h = viz_frame_hit(f, (int)(tx + tw / 2), (int)(ty + th / 2));
	CHECK_EQ_INT(h.kind, VIZ_HIT_TIMELINE);
	sim_time half = viz_control_end(c) / 2;
	CHECK(llabs(h.time - half) <= viz_control_end(c) / 100);
	/* Empty background. */
	h = viz_frame_hit(f, 5, 200);
	CHECK_EQ_INT(h.kind, VIZ_HIT_NONE);
	viz_control_free(&c);
	viz_gen_source_free(&src);
}

/* Scrubbing: the scene at t is the same whether the run went straight to
 * t, played there in frames, or went past it and came back by replay. */
static void test_scrub_equals_straight(void)
{
	struct viz_gen_opts o;
	fixture_small(&o);
	o.loss = 0.1;
	o.seed = 9;
	fixture_flow(&o, 0, 1, 25, 50000, 0);
	fixture_flow(&o, 1, 0, 143, 20000, 30 * SIM_MS);
	struct viz_gen_flow *q = fixture_flow(&o, 0, 1, 53, 0, 77 * SIM_MS);
	q->udp = 1;
	struct viz_source *src = viz_gen_source_new(&o);
	static const sim_time times[] = {77 * SIM_MS + 3 * SIM_MS, 250 * SIM_MS, 1234 * SIM_MS};
	for (size_t k = 0; k < sizeof times / sizeof times[0]; k++) {
		sim_time t = times[k];
		struct viz_control *a = open_ctl(src), *b = open_ctl(src), *p = open_ctl(src);
		REQUIRE(a && b && p);
		REQUIRE(viz_control_seek(a, t) == 0);
		REQUIRE(viz_control_seek(b, t + 700 * SIM_MS) == 0);
		REQUIRE(viz_control_seek(b, t) == 0);
		CHECK(viz_control_last_replay_ns(b) >= 0);
		/* Played in 16 ms frames with small caps, then to t. */
		viz_control_set_playing(p, 1);
		while (viz_control_now(p) + 16 * SIM_MS < t)
			viz_control_tick(p, 16000000);
		REQUIRE(viz_control_seek(p, t) == 0);
		char *da = viz_scene_describe(viz_control_scene(a), t);
		char *db = viz_scene_describe(viz_control_scene(b), t);
		char *dp = viz_scene_describe(viz_control_scene(p), t);
		REQUIRE(da && db && dp);
		CHECK_STR(da, db);
		CHECK_STR(da, dp);
		CHECK(strstr(da, "packet id=") != NULL || k == 2);
		free(da);
		free(db);
		free(dp);
		viz_control_free(&a);
		viz_control_free(&b);
		viz_control_free(&p);
	}
	viz_gen_source_free(&src);
}

/* Protocol lines and mail events become log lines (published here by
 * hand, as the mail agents publish them): the viewer needs no hook in any
 * agent for them. Bytes that are not printable ASCII are shown as '?'. */
static void test_lines_and_mail(void)
{
	struct viz_gen_opts o;
	fixture_small(&o);
	struct viz_source *src = viz_gen_source_new(&o);
	struct viz_control *c = open_ctl(src);
	REQUIRE(c);
	struct obs_bus *bus = sim_bus(viz_scene_world(viz_control_scene(c))->sim);
	static const char line[] = "MAIL FROM:<juan@pepe.com>\x01\xff";
	struct obs_record r = {.type = OBS_LINE, .time = 0};
	r.u.line.host = 1;
	r.u.line.peer = 2;
	r.u.line.conn_id = 7;
	r.u.line.proto = "SMTP";
	r.u.line.from_client = 1;
	r.u.line.text = line;
	r.u.line.len = sizeof line - 1;
	bus_publish(bus, &r);
	r.u.line.from_client = 0;
	r.u.line.host = 2;
	r.u.line.peer = 1;
	r.u.line.encrypted = 1;
	bus_publish(bus, &r);
	struct obs_record m = {.type = OBS_MAIL, .time = 0};
	m.u.mail.host = 2;
	m.u.mail.event = OBS_MAIL_ACCEPTED;
	m.u.mail.queue_id = "Q1";
	m.u.mail.rcpt = "maria@dominio.de.maria";
	bus_publish(bus, &m);
	/* A DATA body of 20 lines and its dot: 8 shown, 12 counted, the dot. */
	r.u.line.host = 1;
	r.u.line.peer = 2;
	r.u.line.from_client = 1;
	r.u.line.encrypted = 0;
	for (int i = 0; i < 21; i++) {
		char body[32];
		snprintf(body, sizeof body, i < 20 ? "body line %d" : ".", i);
		r.u.line.text = body;
		r.u.line.len = strlen(body);
		bus_publish(bus, &r);
	}
	char *d = viz_scene_describe(viz_control_scene(c), 0);
	REQUIRE(d);
	CHECK(strstr(d, "SMTP C: body line 7\n") != NULL);
	CHECK(strstr(d, "SMTP C: body line 8\n") == NULL);
	CHECK(strstr(d, "laptop → server SMTP C: ... 12 more lines\nlog 0.000000000 laptop → server SMTP C: .\n") != NULL);
	CHECK(strstr(d, "log 0.000000000 laptop → server SMTP C: MAIL FROM:<juan@pepe.com>??\n") != NULL);
	CHECK(strstr(d, "log 0.000000000 server → laptop SMTP S: (encrypted)\n") != NULL);
	CHECK(strstr(d, "log 0.000000000 server mail accepted Q1 to maria@dominio.de.maria\n") != NULL);
	free(d);
	/* The frame has a sequence chart: the two hosts' lifelines, an SMTP
	 * arrow and its text per line; the event log then leaves lines out. */
	const struct viz_frame *f = viz_control_frame(c, 1280, 720, NULL);
	int arrows = 0, mail_from = 0, dot = 0, heads = 0, log_lines = 0;
	for (size_t i = 0; i < viz_frame_count(f); i++) {
		const struct viz_cmd *k = viz_frame_cmd(f, i);
		if (k->tag == VIZ_TAG_SEQ && k->kind == VIZ_CMD_LINE && same_rgba(k->color, viz_theme_get(0)->proto[VIZ_P_SMTP]))
			arrows++;
		if (k->tag == VIZ_TAG_SEQ && k->kind == VIZ_CMD_TEXT) {
			mail_from += strcmp(viz_frame_text(f, k), "C: MAIL FROM:<juan@pepe.com>??") == 0;
			dot += strcmp(viz_frame_text(f, k), "C: .") == 0;
			heads += strcmp(viz_frame_text(f, k), "laptop") == 0 || strcmp(viz_frame_text(f, k), "server") == 0;
		}
		if (k->tag == VIZ_TAG_LOG && k->kind == VIZ_CMD_TEXT && strstr(viz_frame_text(f, k), "SMTP"))
			log_lines++;
	}
	CHECK(arrows >= 3 * 5); /* each arrow: a shaft and two head strokes */
	CHECK_EQ_INT(dot, 1);
	CHECK_EQ_INT(heads, 2);
	CHECK_EQ_INT(log_lines, 0);
	CHECK(mail_from == 1 || arrows >= 3 * 12); /* the first line may have scrolled away */
	viz_control_free(&c);
	viz_gen_source_free(&src);
}

int main(void)
{
	RUN(test_lines_and_mail);
	RUN(test_classify);
	RUN(test_interpolation);
	RUN(test_colours);
	RUN(test_drops_and_retransmits);
	RUN(test_link_down);
	RUN(test_layout_200);
	RUN(test_hit);
	RUN(test_scrub_equals_straight);
	packet_pool_drain();
	CHECK_EQ_INT(packet_live_count(), 0);
	return harness_done();
}
