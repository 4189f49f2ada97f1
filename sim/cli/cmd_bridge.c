/* `mailsim bridge [FILE] --listen [ADDR:]PORT=HOST[:PORT] ...`: real time
 * mode. Real TCP connections accepted on loopback are spliced into
 * simulated connections from a gateway host of the scenario to the named
 * simulated server (sim/agents/bridge.h), so real clients (telnet, nc,
 * curl, smtplib, poplib, imaplib, swaks, mutt, a student's program) talk to
 * the simulated servers while the scenario runs and the transcript shows
 * every line. Ctrl-C (or --until) ends the run cleanly: the bridge closes,
 * the ledger is printed. With --view the viewer's window drives the run
 * instead of sim_run_realtime (viz/cmd_bridge_view.c), and closing it ends
 * the run as Ctrl-C does. Exit status: 0 ok, 1 the simulation failed or the
 * ledger does not balance, 2 usage or input error. */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/agents/agent_env.h"
#include "sim/agents/bridge.h"
#include "sim/cli/cli_scenario.h"
#include "sim/cli/cmd_bridge.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/observe/ledger.h"
#include "sim/observe/observers.h"
#include "sim/observe/transcript.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/world.h"
#include "viz/viz_cli.h"

#define MAX_LISTEN 32

struct listen_spec {
	char addr[128];
	uint16_t port;
	char host[128];
	uint16_t sim_port;
};

struct bridge_opts {
	const char *file, *via, *trace, *pcap, *ready_file, *maildir, *view_png, *view_text;
	struct listen_spec listen[MAX_LISTEN];
	size_t nlisten;
	double speed;
	sim_time until;
	int has_until, no_transcript, quiet, view;
	unsigned long max_connections;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mailsim bridge [OPTIONS] [FILE] --listen [ADDR:]PORT=HOST[:PORT] ...\n\n"
		"Runs the scenario (the built-in classic one without FILE) in real time and lets\n"
		"real programs in: each connection accepted on ADDR:PORT (ADDR 127.0.0.1 unless\n"
		"given; PORT 0 picks a free one) becomes a simulated connection from the gateway\n"
		"host to the simulated server HOST:PORT (port 25 unless given). telnet, nc, curl\n"
		"(smtp://, pop3://, imap://), Python's smtplib/poplib/imaplib, swaks or mutt then\n"
		"talk to the simulated servers. Ctrl-C ends the run and prints the mail ledger.\n\n"
		"  --listen SPEC      a listener, such as 2525=smtp-1:25 or 127.0.0.1:1110=mx:110\n"
		"                     (repeat for several)\n"
		"  --via HOST         the gateway host the simulated connections start from\n"
		"                     (default: the scenario's first host with role \"ua\")\n"
		"  --speed X          simulated seconds per real second (default 1)\n"
		"  --until TIME       end at simulated TIME (default: run until Ctrl-C)\n"
		"  --max-connections N  real connections at once (default 1000)\n"
		"  --ready-file FILE  write the bound ports there, one per line, once listening\n"
		"  --no-transcript    do not print the protocol transcript\n"
		"  --trace FILE       write a JSON Lines trace\n"
		"  --pcap FILE        write a pcap capture\n"
		"  --maildir DIR      at the end, write every mailbox as a Maildir++ tree\n"
		"  --view             show the run in the viewer's window: real sessions from the\n"
		"                     gateway, their lines and the messages' hops; Space pauses\n"
		"                     simulated time (real clients then wait for their replies);\n"
		"                     closing the window ends the run as Ctrl-C does\n"
		"  --view-png FILE    with --view, save the window's last frame there at the end\n"
		"  --view-text FILE   with --view, write what the window showed as text at the end\n"
		"  -q, --quiet        only the listening lines, the ledger and errors\n"
		"  -h, --help         show this help\n\n"
		"Example: mailsim bridge scenarios/telnet-smtp-1.json --listen 2525=smtp-1:25\n"
		"         then: telnet 127.0.0.1 2525\n");
}

static int parse_port(const char *text, uint16_t *port_r, int allow_zero)
{
	char *end;
	unsigned long v = strtoul(text, &end, 10);
	if (!*text || *end || v > 65535 || (!allow_zero && v == 0))
		return -1;
	*port_r = (uint16_t)v;
	return 0;
}

static int parse_listen(const char *text, struct listen_spec *l)
{
	const char *eq = strchr(text, '=');
	if (!eq || eq == text || !eq[1])
		return -1;
	char left[128];
	size_t n = (size_t)(eq - text);
	if (n >= sizeof left)
		return -1;
	memcpy(left, text, n);
	left[n] = 0;
	char *colon = strrchr(left, ':');
	snprintf(l->addr, sizeof l->addr, "127.0.0.1");
	if (colon) {
		*colon = 0;
		snprintf(l->addr, sizeof l->addr, "%s", left);
		if (parse_port(colon + 1, &l->port, 1) < 0)
			return -1;
	} else if (parse_port(left, &l->port, 1) < 0) {
		return -1;
	}
	snprintf(l->host, sizeof l->host, "%s", eq + 1);
	l->sim_port = 25;
	colon = strrchr(l->host, ':');
	if (colon) {
		*colon = 0;
		if (parse_port(colon + 1, &l->sim_port, 0) < 0)
			return -1;
	}
	return l->host[0] ? 0 : -1;
}

static int parse_options(int argc, char **argv, struct bridge_opts *o)
{
	enum { OPT_LISTEN = 256, OPT_VIA, OPT_SPEED, OPT_UNTIL, OPT_TRACE, OPT_PCAP, OPT_READY, OPT_NO_TRANSCRIPT,
	       OPT_MAX, OPT_MAILDIR, OPT_VIEW, OPT_VIEW_PNG, OPT_VIEW_TEXT };
	static const struct option opts[] = {
		{"listen", required_argument, NULL, OPT_LISTEN},
		{"via", required_argument, NULL, OPT_VIA},
		{"speed", required_argument, NULL, OPT_SPEED},
		{"until", required_argument, NULL, OPT_UNTIL},
		{"trace", required_argument, NULL, OPT_TRACE},
		{"pcap", required_argument, NULL, OPT_PCAP},
		{"ready-file", required_argument, NULL, OPT_READY},
		{"no-transcript", no_argument, NULL, OPT_NO_TRANSCRIPT},
		{"max-connections", required_argument, NULL, OPT_MAX},
		{"maildir", required_argument, NULL, OPT_MAILDIR},
		{"view", no_argument, NULL, OPT_VIEW},
		{"view-png", required_argument, NULL, OPT_VIEW_PNG},
		{"view-text", required_argument, NULL, OPT_VIEW_TEXT},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	o->speed = 1.0;
	o->max_connections = 1000;
	optind = 1;
	opterr = 0;
	int c;
	char *end;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case OPT_LISTEN:
			if (o->nlisten == MAX_LISTEN) {
				fprintf(stderr, "mailsim bridge: at most %d --listen options\n", MAX_LISTEN);
				return 2;
			}
			if (parse_listen(optarg, &o->listen[o->nlisten]) < 0) {
				fprintf(stderr,
					"mailsim bridge: --listen \"%s\": expected [ADDR:]PORT=HOST[:PORT], such as "
					"2525=smtp-1:25\n",
					optarg);
				return 2;
			}
			o->nlisten++;
			break;
		case OPT_VIA:
			o->via = optarg;
			break;
		case OPT_SPEED:
			o->speed = strtod(optarg, &end);
			if (*end || !(o->speed > 0) || o->speed > 1e6) {
				fprintf(stderr, "mailsim bridge: --speed \"%s\": a number above 0 (1 is real time)\n",
					optarg);
				return 2;
			}
			break;
		case OPT_UNTIL:
			if (sim_time_parse(optarg, &o->until) != 0) {
				fprintf(stderr, "mailsim bridge: --until: \"%s\" is not a time (such as 30s)\n", optarg);
				return 2;
			}
			o->has_until = 1;
			break;
		case OPT_TRACE:
			o->trace = optarg;
			break;
		case OPT_PCAP:
			o->pcap = optarg;
			break;
		case OPT_READY:
			o->ready_file = optarg;
			break;
		case OPT_MAILDIR:
			o->maildir = optarg;
			break;
		case OPT_VIEW:
			o->view = 1;
			break;
		case OPT_VIEW_PNG:
			o->view_png = optarg;
			break;
		case OPT_VIEW_TEXT:
			o->view_text = optarg;
			break;
		case OPT_NO_TRANSCRIPT:
			o->no_transcript = 1;
			break;
		case OPT_MAX:
			o->max_connections = strtoul(optarg, &end, 10);
			if (*end || !o->max_connections || o->max_connections > 100000) {
				fprintf(stderr, "mailsim bridge: --max-connections \"%s\": 1 to 100000\n", optarg);
				return 2;
			}
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "mailsim bridge: unknown or incomplete option \"%s\"\n", argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc)
		o->file = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "mailsim bridge: one scenario file at most (got \"%s\" too)\n", argv[optind]);
		return 2;
	}
	if ((o->view_png || o->view_text) && !o->view) {
		fprintf(stderr, "mailsim bridge: --view-png and --view-text need --view\n");
		return 2;
	}
	if (o->view && (o->speed < 0.1 || o->speed > 1000)) {
		fprintf(stderr, "mailsim bridge: --speed with --view: 0.1 to 1000 (the viewer's range)\n");
		return 2;
	}
	if (!o->nlisten) {
		fprintf(stderr, "mailsim bridge: at least one --listen PORT=HOST[:PORT] is needed\n");
		usage(stderr);
		return 2;
	}
	return -1;
}

static void check_interrupt(struct sim *sim, void *ctx)
{
	int *handler = ctx;
	if (interrupted)
		sim_stop(sim);
	else
		sim_after(sim, 20 * SIM_MS, *handler, ctx);
}

struct view_ctx {
	struct sim *sim;
	sim_time until;
};

/* The window's question every frame: go on unless Ctrl-C came or --until
 * is reached. */
static int view_keep_running(void *ctx)
{
	const struct view_ctx *v = ctx;
	return !interrupted && sim_now(v->sim) < v->until;
}

int cmd_bridge(int argc, char **argv)
{
	struct bridge_opts o = {0};
	int rc = parse_options(argc, argv, &o);
	if (rc >= 0)
		return rc;
	const char *name;
	struct scenario *s = cli_load_scenario(o.file, &name);
	if (!s)
		return 2;
	char err[512] = "";
	struct bridge *b = NULL;
	struct obs_ledger *ledger = NULL;
	struct obs_transcript *transcript = NULL;
	struct obs_trace *trace = NULL;
	struct obs_pcap *pcap = NULL;
	rc = 2;
	struct scn_world *w = scn_world_new(s, s->seed, err, sizeof err);
	if (!w) {
		fprintf(stderr, "mailsim bridge: %s\n", err);
		goto out;
	}
	struct sim *sim = scn_world_sim(w);
	struct net *net = scn_world_net(w);
	int gateway = -1;
	if (o.via) {
		gateway = cli_find_host(s, net, o.via);
		if (gateway < 0) {
			fprintf(stderr, "mailsim bridge: --via: no host \"%s\" in %s\n", o.via, name);
			goto out;
		}
	} else {
		for (size_t i = 0; gateway < 0 && i < s->host_count; i++)
			if (s->hosts[i].role == SCN_ROLE_UA)
				gateway = cli_find_host(s, net, s->hosts[i].name);
		if (gateway < 0) {
			fprintf(stderr, "mailsim bridge: %s has no host with role \"ua\"; name the gateway with --via HOST\n",
				name);
			goto out;
		}
	}
	if (!(b = bridge_new(scn_world_env(w), gateway, err, sizeof err))) {
		fprintf(stderr, "mailsim bridge: %s\n", err);
		goto out;
	}
	bridge_set_max_connections(b, o.max_connections);
	uint16_t bound[MAX_LISTEN];
	for (size_t i = 0; i < o.nlisten; i++) {
		const struct listen_spec *l = &o.listen[i];
		int h = cli_find_host(s, net, l->host);
		if (h < 0) {
			fprintf(stderr, "mailsim bridge: --listen: no host \"%s\" in %s\n", l->host, name);
			goto out;
		}
		if (bridge_listen(b, l->addr, l->port, net_host_ip(net, h, 0), l->sim_port, &bound[i], err, sizeof err) <
		    0) {
			fprintf(stderr, "mailsim bridge: %s\n", err);
			goto out;
		}
		printf("listening on %s:%u -> %s:%u (%s) via %s\n", l->addr, (unsigned)bound[i], net_host_name(net, h),
		       (unsigned)l->sim_port, agent_proto_for_port(l->sim_port), net_host_name(net, gateway));
	}
	fflush(stdout);
	if (o.ready_file) {
		FILE *f = fopen(o.ready_file, "w");
		if (!f) {
			fprintf(stderr, "mailsim bridge: --ready-file %s: cannot write\n", o.ready_file);
			goto out;
		}
		for (size_t i = 0; i < o.nlisten; i++)
			fprintf(f, "%u\n", (unsigned)bound[i]);
		if (fclose(f) != 0) {
			fprintf(stderr, "mailsim bridge: --ready-file %s: cannot write\n", o.ready_file);
			goto out;
		}
	}
	if (o.trace && !(trace = obs_trace_open(sim, net, o.trace, err, sizeof err))) {
		fprintf(stderr, "mailsim bridge: --trace: %s\n", err);
		goto out;
	}
	if (o.pcap && !(pcap = obs_pcap_open(sim, net, o.pcap, err, sizeof err))) {
		fprintf(stderr, "mailsim bridge: --pcap: %s\n", err);
		goto out;
	}
	if (!o.quiet && !o.no_transcript && !(transcript = obs_transcript_open(sim, net, stdout, NULL))) {
		fprintf(stderr, "mailsim bridge: out of memory\n");
		goto out;
	}
	if (s->mta_count && !(ledger = obs_ledger_open(sim, net))) {
		fprintf(stderr, "mailsim bridge: out of memory\n");
		goto out;
	}
	struct sigaction sa = {0};
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	static int check_handler;
	check_handler = sim_handler(sim, check_interrupt);
	if (check_handler < 0 || bridge_start(b, 10 * SIM_MS) < 0 ||
	    (!o.view && !sim_after(sim, 0, check_handler, &check_handler))) {
		fprintf(stderr, "mailsim bridge: out of memory\n");
		goto out;
	}
	enum sim_stop_reason why = SIM_STOPPED;
	const char *reason = NULL;
	if (o.view) {
		/* The window's frame loop runs the simulation; the bridge's
		 * periodic event polls the real sockets without waiting. */
		struct view_ctx vc = {sim, o.has_until ? o.until : SIM_TIME_NEVER};
		struct viz_bridge_view_opts vo = {o.speed, vc.until, o.view_png, o.view_text, view_keep_running, &vc};
		if (viz_bridge_view(s, w, b, gateway, &vo, err, sizeof err) < 0) {
			fprintf(stderr, "mailsim bridge: --view: %s\n", err);
			rc = 1;
			goto out;
		}
		if (sim_error(sim))
			why = SIM_FAILED;
		reason = interrupted ? "interrupted" : o.has_until && sim_now(sim) >= o.until ? "time is up" : "window closed";
	} else {
		sim_set_clock(sim, bridge_clock(b));
		why = sim_run_realtime(sim, o.speed, o.has_until ? o.until : SIM_TIME_NEVER);
		sim_set_clock(sim, NULL);
		reason = interrupted ? "interrupted" : "time is up";
	}
	bridge_stop_listening(b);
	rc = 0;
	if (why == SIM_FAILED) {
		fprintf(stderr, "mailsim bridge: the simulation failed: %s\n", sim_error(sim) ? sim_error(sim) : "?");
		rc = 1;
	}
	obs_transcript_close(&transcript);
	const struct bridge_stats *st = bridge_stats(b);
	char when[32];
	printf("\nbridge: stopped at %s (%s); %llu connections accepted, %llu refused, %llu still open (closed "
	       "now), peak %llu at once; %llu bytes in, %llu bytes out\n",
	       sim_time_format(sim_now(sim), when, sizeof when), reason,
	       (unsigned long long)st->accepted, (unsigned long long)st->refused, (unsigned long long)st->active,
	       (unsigned long long)st->peak_active, (unsigned long long)st->bytes_in,
	       (unsigned long long)st->bytes_out);
	if (ledger) {
		for (size_t i = 0; i < s->mta_count; i++)
			obs_ledger_declare_mta(ledger, scn_world_mta(w, i));
		obs_ledger_print(ledger, stdout);
		if (!obs_ledger_balanced(ledger))
			rc = 1;
	}
	if (o.maildir && scn_world_export_maildir(w, o.maildir, err, sizeof err) < 0) {
		fprintf(stderr, "mailsim bridge: --maildir: %s\n", err);
		rc = 2;
	}
	fflush(stdout);
out:
	bridge_free(&b);
	obs_transcript_close(&transcript);
	obs_ledger_close(&ledger);
	if (obs_trace_close(&trace) < 0 || obs_pcap_close(&pcap) < 0) {
		fprintf(stderr, "mailsim bridge: writing an output file failed\n");
		rc = 2;
	}
	scn_world_free(&w);
	scenario_free(&s);
	return rc;
}
