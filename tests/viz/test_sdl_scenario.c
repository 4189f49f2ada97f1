/* Snapshot tests on the scenario library: scenarios/default.json and
 * scenarios/link-down-up.json rendered headless at fixed times, checked
 * through structural facts of the debug description (which hosts, which
 * packets on which link, which log lines) and a few pixels (a packet's
 * colour at its centre, the DOWN badge's red), never whole-image hashes.
 */
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "sim/net/packet.h"
#include "viz/control.h"
#include "viz/describe.h"
#include "viz/scene.h"
#include "viz/sdl_app.h"
#include "viz/sdl_input.h"
#include "viz/source_scn.h"
#include "viz/theme.h"

static unsigned rgb(struct viz_rgba c) { return (unsigned)c.r << 16 | (unsigned)c.g << 8 | c.b; }

static int near(unsigned a, unsigned b, int tol)
{
	for (int s = 0; s < 24; s += 8) {
		int x = (int)((a >> s) & 255), y = (int)((b >> s) & 255);
		if (abs(x - y) > tol)
			return 0;
	}
	return 1;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static struct viz_control *open_scenario(const char *name, struct viz_source **src_r)
{
	char path[512], err[2048] = "";
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

static void test_default(void)
{
	struct viz_source *src;
	struct viz_control *c = open_scenario("default.json", &src);
	REQUIRE(c);
	char err[256];
	struct viz_headless *hl = viz_headless_new(1280, 720, err, sizeof err);
	REQUIRE(hl);
	const struct viz_theme *th = viz_theme_get(0);

	/* 105 ms: the echo client's SYN is on the uplink (link 1), router to
	 * server, drawn with its letter in the control colour. */
	REQUIRE(viz_control_seek(c, 105 * SIM_MS) == 0);
	REQUIRE(viz_headless_render(hl, c, err, sizeof err) == 0);
	char *d = viz_scene_describe(viz_control_scene(c), viz_control_now(c));
	CHECK(strstr(d, "host 0 laptop role=HOST addr=192.168.1.10") != NULL);
	CHECK(strstr(d, "host 1 router role=R") != NULL);
	CHECK(strstr(d, "link 1 uplink router-server up") != NULL);
	CHECK(strstr(d, "link=1 dir=0 proto=control app=data flags=SYN len=0") != NULL);
	CHECK_EQ_INT(count(d, "\npacket "), 1);
	CHECK(strstr(d, "laptop CLOSED → SYN_SENT") != NULL);
	free(d);
	const struct viz_frame *f = viz_control_frame(c, 1280, 720, NULL);
	REQUIRE(viz_headless_render(hl, c, err, sizeof err) == 0);
	const struct viz_cmd *pk = NULL;
	for (size_t i = 0; i < viz_frame_count(f); i++) {
		const struct viz_cmd *k = viz_frame_cmd(f, i);
		if (k->kind == VIZ_CMD_DISC && k->tag == VIZ_TAG_PACKET)
			pk = k;
	}
	REQUIRE(pk);
	/* Beside the letter, inside the disc: the control colour. */
	CHECK(near(viz_headless_pixel(hl, (int)(pk->x - pk->w * 0.7f), (int)pk->y), rgb(th->proto[VIZ_P_CONTROL]), 16));

	/* 1.08 s: the upload is streaming: data on the uplink, both ends
	 * ESTABLISHED, the echo client's story in the log. */
	REQUIRE(viz_control_seek(c, 1080 * SIM_MS) == 0);
	d = viz_scene_describe(viz_control_scene(c), viz_control_now(c));
	CHECK(count(d, "link=1 dir=0 proto=data") >= 5);
	CHECK(strstr(d, "laptop 192.168.1.10:") != NULL);
	CHECK(count(d, " ESTABLISHED\n") >= 2);
	CHECK(strstr(d, "client hello: line 3 of 3 echoed") != NULL);
	free(d);
	/* Going back to 105 ms replays to the same scene as before. */
	REQUIRE(viz_control_seek(c, 105 * SIM_MS) == 0);
	d = viz_scene_describe(viz_control_scene(c), viz_control_now(c));
	CHECK_EQ_INT(count(d, "\npacket "), 1);
	free(d);
	viz_headless_free(&hl);
	viz_control_free(&c);
	viz_scn_source_free(&src);
}

static void test_link_down(void)
{
	struct viz_source *src;
	struct viz_control *c = open_scenario("link-down-up.json", &src);
	REQUIRE(c);
	char err[256];
	struct viz_headless *hl = viz_headless_new(1280, 720, err, sizeof err);
	REQUIRE(hl);
	REQUIRE(viz_control_seek(c, 500 * SIM_MS + 300 * SIM_US) == 0);
	REQUIRE(viz_headless_render(hl, c, err, sizeof err) == 0);
	char *d = viz_scene_describe(viz_control_scene(c), viz_control_now(c));
	CHECK(strstr(d, "link 1 uplink router-server down") != NULL);
	CHECK(count(d, "reason=link-down") >= 3);
	CHECK(count(d, "\npacket ") == 0 || strstr(d, "link=1 dir") == NULL);
	CHECK(strstr(d, "log 0.500000000 link uplink down") != NULL);
	free(d);
	/* The DOWN badge is drawn in the link-down red. */
	const struct viz_frame *f = viz_control_frame(c, 1280, 720, NULL);
	REQUIRE(viz_headless_render(hl, c, err, sizeof err) == 0);
	const struct viz_cmd *badge = NULL;
	for (size_t i = 0; i < viz_frame_count(f); i++) {
		const struct viz_cmd *k = viz_frame_cmd(f, i);
		if (k->kind == VIZ_CMD_FILL_RECT && k->tag == VIZ_TAG_LINK && k->index == 1)
			badge = k;
	}
	REQUIRE(badge);
	CHECK(near(viz_headless_pixel(hl, (int)badge->x + 2, (int)badge->y + 2), rgb(viz_theme_get(0)->link_down), 2));
	/* At 4.5 s the link is back up and the transfer goes on. */
	REQUIRE(viz_control_seek(c, 4500 * SIM_MS) == 0);
	d = viz_scene_describe(viz_control_scene(c), viz_control_now(c));
	CHECK(strstr(d, "link 1 uplink router-server up") != NULL);
	CHECK(strstr(d, "link uplink up") != NULL);
	free(d);
	viz_headless_free(&hl);
	viz_control_free(&c);
	viz_scn_source_free(&src);
}

static const struct viz_log_entry *last_line(const struct viz_scene *s)
{
	for (size_t i = viz_scene_log_count(s); i-- > 0;)
		if (viz_scene_log(s, i)->kind == VIZ_LOG_LINE)
			return viz_scene_log(s, i);
	return NULL;
}

/* The classic mail scenario: Tab steps from protocol line to protocol
 * line, starting with the MTA's greeting and Juan's EHLO. */
static void test_classic_lines(void)
{
	struct viz_source *src;
	struct viz_control *c = open_scenario("juan-maria.json", &src);
	REQUIRE(c);
	struct viz_scene *s = viz_control_scene(c);
	struct viz_input tab = {VIZ_IN_KEY, VIZ_KEY_STEP_LINE, 0, 0};
	viz_control_input(c, &tab);
	CHECK_EQ_INT(viz_scene_stats(s)->lines, 1);
	CHECK(!viz_control_playing(c));
	const struct viz_log_entry *e = last_line(s);
	REQUIRE(e);
	CHECK_STR(e->b, "S:");
	CHECK(strncmp(e->text, "220 ", 4) == 0);
	/* Tab again: the next event that publishes lines (Juan's EHLO among
	 * them). */
	viz_control_input(c, &tab);
	CHECK(viz_scene_stats(s)->lines >= 2);
	e = last_line(s);
	REQUIRE(e);
	CHECK_STR(e->b, "C:");
	CHECK(strncmp(e->text, "EHLO ", 5) == 0);
	viz_control_free(&c);
	viz_scn_source_free(&src);
}

static void sdl_key(struct viz_control *c, SDL_Keycode k)
{
	SDL_Event e;
	memset(&e, 0, sizeof e);
	e.type = SDL_KEYDOWN;
	e.key.keysym.sym = k;
	struct viz_input in;
	if (viz_sdl_translate(&e, 1, 1, &in))
		viz_control_input(c, &in);
}

/* The inspector's keys as synthetic SDL events: H steps to the message's
 * next hop, E, K and D set breakpoints, and the rendered inspector lights
 * the new Received line (the accent colour under it). */
static void test_classic_inspector_keys(void)
{
	struct viz_source *src;
	struct viz_control *c = open_scenario("juan-maria.json", &src);
	REQUIRE(c);
	sdl_key(c, SDLK_h);
	CHECK_EQ_INT(viz_control_message(c), 0);
	sdl_key(c, SDLK_h);
	char *d = viz_control_describe(c);
	REQUIRE(d);
	CHECK(strstr(d, "inspect sub at gateway, from mta-gmail"));
	CHECK(strstr(d, "inspect new Received: from smtp.gmail.com"));
	free(d);
	sdl_key(c, SDLK_e);
	sdl_key(c, SDLK_d);
	sdl_key(c, SDLK_k);
	CHECK_STR(viz_control_breaks(c), "5xx, EHLO, mailbox");
	char err[256];
	struct viz_headless *hl = viz_headless_new(1280, 720, err, sizeof err);
	REQUIRE(hl);
	CHECK_EQ_INT(viz_headless_render(hl, c, err, sizeof err), 0);
	const struct viz_frame *f = viz_control_frame(c, 1280, 720, NULL);
	const struct viz_cmd *lit = NULL;
	int breaks_shown = 0;
	for (size_t i = 0; i < viz_frame_count(f); i++) {
		const struct viz_cmd *k = viz_frame_cmd(f, i);
		if (k->kind == VIZ_CMD_FILL_RECT && k->tag == VIZ_TAG_INSPECT && !lit)
			lit = k;
		breaks_shown += k->kind == VIZ_CMD_TEXT && k->tag == VIZ_TAG_STATUS &&
				strstr(viz_frame_text(f, k), "5xx, EHLO, mailbox") != NULL;
	}
	REQUIRE(lit);
	CHECK_EQ_INT(breaks_shown, 1);
	/* The highlight's top left corner, above the text. */
	unsigned px = viz_headless_pixel(hl, (int)lit->x + 1, (int)lit->y + 1);
	CHECK(near(px, rgb(viz_theme_get(0)->accent), 8));
	viz_headless_free(&hl);
	viz_control_free(&c);
	viz_scn_source_free(&src);
}

int main(void)
{
	RUN(test_classic_inspector_keys);
	RUN(test_classic_lines);
	RUN(test_default);
	RUN(test_link_down);
	packet_pool_drain();
	return harness_done();
}
