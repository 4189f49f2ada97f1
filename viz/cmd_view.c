/* `mailsim view [FILE]`: the interactive viewer window on a scenario (the
 * built-in default without FILE). Also decides whether `mailsim` with no
 * arguments opens the viewer (cli_display_available). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz/viz_cli.h"
#include "viz/cmd_common.h"
#include "viz/sdl_app.h"
#include "viz/source_scn.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: mailsim view [OPTIONS] [FILE]\n\n"
		     "Opens the viewer on a scenario (the built-in default when FILE is not given):\n"
		     "hosts by role, links, packets moving at the simulated pace and coloured by\n"
		     "protocol, TCP connections and an event log. Press F1 or ? in the window for\n"
		     "the keys (Space plays and pauses, N steps one event, + and - change speed).\n\n"
		     "  --seed N         seed of the run (default: the scenario's)\n"
		     "  --speed X        initial speed, 0.1 to 1000 times real time (default 0.1)\n"
		     "  --play           start playing (default: paused at time 0)\n"
		     "  --projector      large text and high contrast, for a projector\n"
		     "  --lang en|es     language (default: from LC_ALL, LC_MESSAGES or LANG)\n"
		     "  --size WxH       initial window size (default 1280x800)\n"
		     "  --break-5xx      pause on any 5xx reply (key E)\n"
		     "  --break-cmd VERB pause when a client sends VERB (MAIL, RCPT, RETR, FETCH ...; key K)\n"
		     "  --break-mailbox  pause when a message reaches a mailbox (key D)\n"
		     "  --quit-after N   close after N frames (for scripted tests)\n"
		     "  -h, --help       show this help\n\n"
		     "Exit status: 0 ok, 1 the viewer could not start, 2 usage or input error.\n");
}

int cli_display_available(void) { return viz_sdl_display_available(); }

int cmd_view(int argc, char **argv)
{
	enum { OPT_SEED = 256, OPT_SPEED, OPT_PLAY, OPT_PROJECTOR, OPT_LANG, OPT_SIZE, OPT_QUIT_AFTER,
	       OPT_BREAK_5XX, OPT_BREAK_CMD, OPT_BREAK_MAILBOX };
	static const struct option opts[] = {
	    {"seed", required_argument, NULL, OPT_SEED},     {"speed", required_argument, NULL, OPT_SPEED},
	    {"play", no_argument, NULL, OPT_PLAY},           {"projector", no_argument, NULL, OPT_PROJECTOR},
	    {"lang", required_argument, NULL, OPT_LANG},     {"size", required_argument, NULL, OPT_SIZE},
	    {"quit-after", required_argument, NULL, OPT_QUIT_AFTER}, {"help", no_argument, NULL, 'h'},
	    {"break-5xx", no_argument, NULL, OPT_BREAK_5XX}, {"break-cmd", required_argument, NULL, OPT_BREAK_CMD},
	    {"break-mailbox", no_argument, NULL, OPT_BREAK_MAILBOX},
	    {NULL, 0, NULL, 0},
	};
	struct viz_control_opts co = viz_control_opts_default();
	co.lang = viz_lang_from_env();
	struct viz_window_opts wo = {.width = 1280, .height = 800};
	int has_seed = 0;
	uint64_t seed = 0;
	optind = 1;
	int ch;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case OPT_SEED:
			if (viz_cli_parse_seed(optarg, &seed) < 0) {
				fprintf(stderr, "mailsim view: --seed: '%s' is not a number\n", optarg);
				return 2;
			}
			has_seed = 1;
			break;
		case OPT_SPEED:
			if (viz_cli_parse_speed(optarg, &co.speed) < 0) {
				fprintf(stderr, "mailsim view: --speed: '%s' is not a speed from 0.1 to 1000\n", optarg);
				return 2;
			}
			break;
		case OPT_PLAY:
			co.playing = 1;
			break;
		case OPT_PROJECTOR:
			co.projector = 1;
			break;
		case OPT_LANG:
			if (viz_cli_parse_lang(optarg, &co.lang) < 0) {
				fprintf(stderr, "mailsim view: --lang: '%s' is not en or es\n", optarg);
				return 2;
			}
			break;
		case OPT_SIZE:
			if (viz_cli_parse_size(optarg, &wo.width, &wo.height) < 0) {
				fprintf(stderr, "mailsim view: --size: '%s' is not WxH (64 to 16384 each)\n", optarg);
				return 2;
			}
			break;
		case OPT_QUIT_AFTER:
			wo.max_frames = atoi(optarg);
			if (wo.max_frames < 1) {
				fprintf(stderr, "mailsim view: --quit-after: '%s' is not a positive number\n", optarg);
				return 2;
			}
			break;
		case OPT_BREAK_5XX:
			co.break_5xx = 1;
			break;
		case OPT_BREAK_MAILBOX:
			co.break_mailbox = 1;
			break;
		case OPT_BREAK_CMD:
			if (!optarg[0] || strlen(optarg) > 15 || strchr(optarg, ' ')) {
				fprintf(stderr, "mailsim view: --break-cmd: '%s' is not a command verb\n", optarg);
				return 2;
			}
			co.break_cmd = optarg;
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
		fprintf(stderr, "mailsim view: one scenario file at most\n");
		return 2;
	}
	const char *file = optind < argc ? argv[optind] : NULL;
	char err[4096] = "";
	struct viz_source *src = viz_cli_source(file, has_seed, seed, err, sizeof err);
	if (!src) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	int rc = viz_sdl_run_window(src, &co, &wo, err, sizeof err);
	viz_scn_source_free(&src);
	if (rc < 0) {
		fprintf(stderr, "mailsim view: %s\n", err);
		return 1;
	}
	return 0;
}
