/* `mailsim snapshot [FILE] --at TIME --out PNG`: renders the viewer at a
 * simulated time into a PNG with SDL's software renderer, with no display;
 * or, with --frames DIR, a numbered PNG sequence from --from to --to for
 * slides and video. The same scenario, seed and options give the same
 * image bytes. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "viz/viz_cli.h"
#include "sim/net/net.h"
#include "viz/cmd_common.h"
#include "viz/control.h"
#include "viz/describe.h"
#include "viz/msgtrack.h"
#include "viz/scene.h"
#include "viz/sdl_app.h"
#include "viz/source_scn.h"

#define MAX_FRAMES 100000

static void usage(FILE *out)
{
	fprintf(out, "usage: mailsim snapshot [OPTIONS] [FILE] --at TIME --out PNG\n"
		     "       mailsim snapshot [OPTIONS] [FILE] --frames DIR --fps N --from T1 --to T2\n\n"
		     "Renders the viewer (the built-in default scenario when FILE is not given) to PNG\n"
		     "with SDL's software renderer; no display is needed.\n\n"
		     "  --at TIME        simulated time to show, such as 105ms or 1.5s\n"
		     "  --out PNG        the image to write\n"
		     "  --frames DIR     write DIR/frame-00001.png ... instead (DIR is created)\n"
		     "  --fps N          frames per second of the sequence (1 to 240)\n"
		     "  --from T1        first frame's simulated time (default 0)\n"
		     "  --to T2          last frame's simulated time\n"
		     "  --speed X        simulated time per second of the sequence, as in the viewer\n"
		     "                   (0.1 to 1000, default 0.1); also how long drops stay visible\n"
		     "  --size WxH       image size (default 1280x720)\n"
		     "  --seed N         seed of the run (default: the scenario's)\n"
		     "  --projector      projector mode (large text, high contrast)\n"
		     "  --lang en|es     language (default en)\n"
		     "  --select WHAT    select host:NAME or link:NAME, as a click would\n"
		     "  --message N      inspect the N-th message (1 is the first one sent)\n"
		     "  --help-overlay   show the keys overlay\n"
		     "  --describe       also print the scene as text (hosts, packets where, log,\n"
		     "                   the inspectors' rows)\n"
		     "  -h, --help       show this help\n\n"
		     "Exit status: 0 ok, 1 rendering or writing failed, 2 usage or input error.\n");
}

static int parse_time(const char *opt, const char *text, sim_time *t_r)
{
	if (sim_time_parse(text, t_r) < 0 || *t_r < 0) {
		fprintf(stderr, "mailsim snapshot: %s: '%s' is not a time such as 105ms or 1.5s\n", opt, text);
		return -1;
	}
	return 0;
}

static int apply_select(struct viz_control *c, const char *what)
{
	const struct viz_world *w = viz_scene_world(viz_control_scene(c));
	struct viz_hit h = {VIZ_HIT_NONE, 0, 0};
	if (strncmp(what, "host:", 5) == 0) {
		int host = net_host_by_name(w->net, what + 5);
		if (host < 0)
			return -1;
		h.kind = VIZ_HIT_HOST;
		h.id = (uint64_t)host;
	} else if (strncmp(what, "link:", 5) == 0) {
		for (int l = 0; l < net_link_count(w->net); l++)
			if (strcmp(viz_scene_link_name(viz_control_scene(c), l), what + 5) == 0 ||
			    strcmp(net_link_name(w->net, l), what + 5) == 0) {
				h.kind = VIZ_HIT_LINK;
				h.id = (uint64_t)l;
			}
		if (h.kind == VIZ_HIT_NONE)
			return -1;
	} else {
		return -1;
	}
	viz_control_select(c, h);
	return 0;
}

int cmd_snapshot(int argc, char **argv)
{
	enum { OPT_AT = 256, OPT_OUT, OPT_FRAMES, OPT_FPS, OPT_FROM, OPT_TO, OPT_SPEED, OPT_SIZE, OPT_SEED,
	       OPT_PROJECTOR, OPT_LANG, OPT_SELECT, OPT_HELP_OVERLAY, OPT_DESCRIBE, OPT_MESSAGE };
	static const struct option opts[] = {
	    {"at", required_argument, NULL, OPT_AT},         {"out", required_argument, NULL, OPT_OUT},
	    {"frames", required_argument, NULL, OPT_FRAMES}, {"fps", required_argument, NULL, OPT_FPS},
	    {"from", required_argument, NULL, OPT_FROM},     {"to", required_argument, NULL, OPT_TO},
	    {"speed", required_argument, NULL, OPT_SPEED},   {"size", required_argument, NULL, OPT_SIZE},
	    {"seed", required_argument, NULL, OPT_SEED},     {"projector", no_argument, NULL, OPT_PROJECTOR},
	    {"lang", required_argument, NULL, OPT_LANG},     {"select", required_argument, NULL, OPT_SELECT},
	    {"help-overlay", no_argument, NULL, OPT_HELP_OVERLAY}, {"describe", no_argument, NULL, OPT_DESCRIBE},
	    {"message", required_argument, NULL, OPT_MESSAGE}, {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct viz_control_opts co = viz_control_opts_default();
	int message = 0;
	int w = 1280, h = 720, has_at = 0, has_to = 0, has_seed = 0, fps = 0, help_overlay = 0, describe = 0;
	sim_time at = 0, from = 0, to = 0;
	uint64_t seed = 0;
	const char *out = NULL, *dir = NULL, *select = NULL;
	optind = 1;
	int ch;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case OPT_MESSAGE: {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > VIZ_MSG_KEEP) {
				fprintf(stderr, "mailsim snapshot: --message: '%s' is not a message number (1 to %d)\n",
					optarg, VIZ_MSG_KEEP);
				return 2;
			}
			message = (int)v;
			break;
		}
		case OPT_AT:
			if (parse_time("--at", optarg, &at) < 0)
				return 2;
			has_at = 1;
			break;
		case OPT_OUT:
			out = optarg;
			break;
		case OPT_FRAMES:
			dir = optarg;
			break;
		case OPT_FPS: {
			char *end;
			errno = 0;
			long v = strtol(optarg, &end, 10);
			if (errno || *end || v < 1 || v > 240) {
				fprintf(stderr, "mailsim snapshot: --fps: '%s' is not a number from 1 to 240\n", optarg);
				return 2;
			}
			fps = (int)v;
			break;
		}
		case OPT_FROM:
			if (parse_time("--from", optarg, &from) < 0)
				return 2;
			break;
		case OPT_TO:
			if (parse_time("--to", optarg, &to) < 0)
				return 2;
			has_to = 1;
			break;
		case OPT_SPEED:
			if (viz_cli_parse_speed(optarg, &co.speed) < 0) {
				fprintf(stderr, "mailsim snapshot: --speed: '%s' is not a speed from 0.1 to 1000\n", optarg);
				return 2;
			}
			break;
		case OPT_SIZE:
			if (viz_cli_parse_size(optarg, &w, &h) < 0) {
				fprintf(stderr, "mailsim snapshot: --size: '%s' is not WxH (64 to 16384 each)\n", optarg);
				return 2;
			}
			break;
		case OPT_SEED:
			if (viz_cli_parse_seed(optarg, &seed) < 0) {
				fprintf(stderr, "mailsim snapshot: --seed: '%s' is not a number\n", optarg);
				return 2;
			}
			has_seed = 1;
			break;
		case OPT_PROJECTOR:
			co.projector = 1;
			break;
		case OPT_LANG:
			if (viz_cli_parse_lang(optarg, &co.lang) < 0) {
				fprintf(stderr, "mailsim snapshot: --lang: '%s' is not en or es\n", optarg);
				return 2;
			}
			break;
		case OPT_SELECT:
			select = optarg;
			break;
		case OPT_HELP_OVERLAY:
			help_overlay = 1;
			break;
		case OPT_DESCRIBE:
			describe = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "mailsim snapshot: one scenario file at most\n");
		return 2;
	}
	if (dir) {
		if (has_at || out || !fps || !has_to || to < from) {
			fprintf(stderr, "mailsim snapshot: --frames needs --fps and --to (not before --from), and no --at or --out\n");
			return 2;
		}
	} else if (!has_at || !out) {
		fprintf(stderr, "mailsim snapshot: give --at TIME and --out PNG (or --frames DIR)\n");
		usage(stderr);
		return 2;
	}
	/* Simulated time per frame: the viewer's pace at this speed. */
	sim_time step = fps ? (sim_time)((double)SIM_S * co.speed / fps) : 0;
	if (dir && step < 1)
		step = 1;
	uint64_t nframes = dir ? (uint64_t)((to - from) / step) + 1 : 1;
	if (nframes > MAX_FRAMES) {
		fprintf(stderr, "mailsim snapshot: %llu frames is more than %d: raise --speed or lower --fps\n",
			(unsigned long long)nframes, MAX_FRAMES);
		return 2;
	}
	const char *file = optind < argc ? argv[optind] : NULL;
	char err[4096] = "";
	struct viz_source *src = viz_cli_source(file, has_seed, seed, err, sizeof err);
	if (!src) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	int rc = 0;
	struct viz_control *c = viz_control_new(src, &co, err, sizeof err);
	struct viz_headless *hl = c ? viz_headless_new(w, h, err, sizeof err) : NULL;
	if (!c || !hl) {
		fprintf(stderr, "mailsim snapshot: %s\n", err);
		rc = 1;
		goto out;
	}
	if (select && apply_select(c, select) < 0) {
		fprintf(stderr, "mailsim snapshot: --select: no %s (use host:NAME or link:NAME)\n", select);
		rc = 2;
		goto out;
	}
	if (help_overlay) {
		struct viz_input in = {VIZ_IN_KEY, VIZ_KEY_HELP, 0, 0};
		viz_control_input(c, &in);
	}
	if (dir && mkdir(dir, 0777) < 0 && errno != EEXIST) {
		fprintf(stderr, "mailsim snapshot: cannot create %s: %s\n", dir, strerror(errno));
		rc = 1;
		goto out;
	}
	for (uint64_t i = 0; i < nframes; i++) {
		sim_time t = dir ? from + (sim_time)i * step : at;
		char path[4096];
		if (dir)
			snprintf(path, sizeof path, "%s/frame-%05llu.png", dir, (unsigned long long)i + 1);
		else
			snprintf(path, sizeof path, "%s", out);
		if (viz_control_seek(c, t) < 0) {
			fprintf(stderr, "mailsim snapshot: cannot rebuild the world\n");
			rc = 1;
			goto out;
		}
		if (message) {
			size_t n = viz_msgs_count(viz_scene_msgs(viz_control_scene(c)));
			if ((size_t)message > n && !dir) {
				fprintf(stderr, "mailsim snapshot: --message: no message %d at that time (%zu sent so far)\n",
					message, n);
				rc = 2;
				goto out;
			}
			viz_control_select_message(c, message - 1);
		}
		if (viz_headless_render(hl, c, err, sizeof err) < 0 ||
		    viz_headless_save(hl, path, err, sizeof err) < 0) {
			fprintf(stderr, "mailsim snapshot: %s\n", err[0] ? err : "cannot rebuild the world");
			rc = 1;
			goto out;
		}
		if (describe) {
			char *d = viz_control_describe(c);
			if (d)
				fputs(d, stdout);
			free(d);
		}
	}
	if (dir)
		printf("%llu frames in %s\n", (unsigned long long)nframes, dir);
out:
	viz_headless_free(&hl);
	viz_control_free(&c);
	viz_scn_source_free(&src);
	return rc;
}
