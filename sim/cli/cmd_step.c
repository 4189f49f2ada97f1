/* `mailsim step [OPTIONS] [FILE]`: the terminal stepper. Runs a scenario
 * (the built-in classic without FILE) one protocol line at a time: each
 * line is shown with the catalogue's explanation (sim/explain), then the
 * stepper waits for a key, typed as a line so that it works from a pipe
 * as well as from a terminal:
 *
 *   Enter or n   the next protocol line       h   to the next connection (hop)
 *   m            to the next message event    c   continue to the end
 *   b X          breakpoint on a host, a command or a reply (5xx, 550, -ERR)
 *   b / d [N]    list / delete breakpoints    s [HOST]  a host's state
 *   q            quit                         ?   help
 *
 * --predict asks, before revealing it, for the next reply code, the next
 * hop, the next Received field or whether the next segment after a loss is
 * a retransmission, and prints the score at the end. Colour only when
 * stdout is a terminal and NO_COLOR is not set. Exit status: 0 (also when
 * quit early or at the end of input), 2 usage or input error. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sim/cli/cmd_step.h"
#include "sim/cli/cli_scenario.h"
#include "sim/cli/step_internal.h"
#include "sim/cli/step_state.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/scenario/check.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/world.h"

#define HOST_COLUMN_MAX 16

struct step_opts {
	int has_seed, has_until, predict, plaintext, has_lang;
	uint64_t seed;
	sim_time until;
	enum explain_lang lang;
	const char *file;
};

static void usage(FILE *out)
{
	fprintf(out, "usage: mailsim step [OPTIONS] [FILE]\n\n"
		     "Steps through a scenario (the built-in classic without FILE) one protocol\n"
		     "line at a time, each with an explanation and its RFC section. Keys are typed\n"
		     "as a line (so the stepper also reads a pipe):\n\n"
		     "  Enter, n     show the next protocol line\n"
		     "  h            run to the next connection (the next hop)\n"
		     "  m            run to the next message event (accepted, Received added,\n"
		     "               queued, relayed, delivered, bounced)\n"
		     "  c            continue to the end (or to a breakpoint)\n"
		     "  b X          breakpoint: X a host, a command (RCPT, RETR, FETCH ...) or a\n"
		     "               reply (2xx .. 5xx, 550, +OK, -ERR, OK, NO, BAD); b alone lists\n"
		     "  d [N]        delete breakpoint N (all without N)\n"
		     "  s [HOST]     show a host's state: MTA queue, mailboxes, DNS zone\n"
		     "  q            quit          ?  this help\n\n"
		     "  --predict      before revealing them, ask for the next reply code, the next\n"
		     "                 hop, the next Received field and whether the next segment\n"
		     "                 after a loss is a retransmission; print the score at the end\n"
		     "  --lang en|es   language (default: from LC_ALL, LC_MESSAGES or LANG)\n"
		     "  --seed N       seed of the run (default: the scenario's, or 1)\n"
		     "  --until TIME   stop at simulated TIME (default: the scenario's until)\n"
		     "  --plaintext    show lines sent after STARTTLS instead of [encrypted]\n"
		     "  -h, --help     show this help\n\n"
		     "Colour is used only when the output is a terminal and NO_COLOR is not set.\n"
		     "Exit status: 0 ok (also after q or the end of input), 2 usage or input error.\n");
}

static int parse_options(int argc, char **argv, struct step_opts *o)
{
	enum { OPT_SEED = 256, OPT_UNTIL, OPT_LANG, OPT_PREDICT, OPT_PLAINTEXT };
	static const struct option opts[] = {
		{"seed", required_argument, NULL, OPT_SEED},   {"until", required_argument, NULL, OPT_UNTIL},
		{"lang", required_argument, NULL, OPT_LANG},   {"predict", no_argument, NULL, OPT_PREDICT},
		{"plaintext", no_argument, NULL, OPT_PLAINTEXT}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_SEED: {
			char *end;
			if (!optarg[0] || optarg[0] == '-' || (o->seed = strtoull(optarg, &end, 10), *end)) {
				fprintf(stderr, "mailsim step: --seed: \"%s\" is not a whole number\n", optarg);
				return 2;
			}
			o->has_seed = 1;
			break;
		}
		case OPT_UNTIL:
			if (scn_text_duration(optarg, &o->until) < 0 || o->until <= 0) {
				fprintf(stderr, "mailsim step: --until: \"%s\" is not a positive duration (such as 30s)\n",
					optarg);
				return 2;
			}
			o->has_until = 1;
			break;
		case OPT_LANG:
			if (explain_lang_parse(optarg, &o->lang) < 0) {
				fprintf(stderr, "mailsim step: --lang: \"%s\" is not en or es\n", optarg);
				return 2;
			}
			o->has_lang = 1;
			break;
		case OPT_PREDICT: o->predict = 1; break;
		case OPT_PLAINTEXT: o->plaintext = 1; break;
		case 'h': usage(stdout); return 0;
		case ':':
			fprintf(stderr, "mailsim step: option '%s' needs a value\nTry 'mailsim step --help'.\n",
				argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr, "mailsim step: unknown option '%s'\nTry 'mailsim step --help'.\n", argv[optind - 1]);
			return 2;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "mailsim step: one scenario file at a time (got %d)\n", argc - optind);
		return 2;
	}
	o->file = optind < argc ? argv[optind] : NULL;
	return -1;
}

/* ---- breakpoints ---- */

static int host_by_name(const struct stepper *st, const char *name)
{
	for (size_t h = 0; h < st->scn->host_count; h++)
		if (!strcasecmp(name, st->scn->hosts[h].name) ||
		    (st->scn->fqdns && st->scn->fqdns[h] && !strcasecmp(name, st->scn->fqdns[h])))
			return (int)h;
	return -1;
}

static int is_reply_spec(const char *s)
{
	if (!strcasecmp(s, "+OK") || !strcasecmp(s, "-ERR") || !strcmp(s, "OK") || !strcmp(s, "NO") ||
	    !strcmp(s, "BAD"))
		return 1;
	return strlen(s) == 3 && s[0] >= '2' && s[0] <= '5' &&
	       ((s[1] == 'x' || s[1] == 'X') ? (s[2] == 'x' || s[2] == 'X')
					     : (s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9'));
}

static void add_break(struct stepper *st, const char *spec)
{
	if (st->nbreaks == STEP_MAX_BREAKS || strlen(spec) >= sizeof st->breaks[0].spec) {
		fprintf(st->out, "%s\n", L(st, "too many breakpoints, or too long", "demasiados breakpoints, o muy largo"));
		return;
	}
	struct step_break *b = &st->breaks[st->nbreaks];
	snprintf(b->spec, sizeof b->spec, "%s", spec);
	b->host = host_by_name(st, spec);
	b->type = b->host >= 0 ? BREAK_HOST : is_reply_spec(spec) ? BREAK_REPLY : BREAK_COMMAND;
	static const char *const what[][2] = {{"host", "host"}, {"command", "comando"}, {"reply", "respuesta"}};
	fprintf(st->out, "%s %zu: %s %s\n", L(st, "breakpoint", "breakpoint"), st->nbreaks + 1,
		what[b->type][st->lang], b->spec);
	st->nbreaks++;
}

static void list_breaks(struct stepper *st)
{
	if (!st->nbreaks)
		fprintf(st->out, "%s\n", L(st, "no breakpoints", "no hay breakpoints"));
	for (size_t i = 0; i < st->nbreaks; i++)
		fprintf(st->out, "  %zu: %s\n", i + 1, st->breaks[i].spec);
}

/* The command word of a client line: IMAP's follows the tag. */
static void command_word(const struct step_item *it, char *buf, size_t size)
{
	const char *t = it->text;
	if (!strcasecmp(it->proto, "IMAP") && strchr(t, ' '))
		t = strchr(t, ' ') + 1;
	size_t n = strcspn(t, " :");
	snprintf(buf, size, "%.*s", (int)(n < size - 1 ? n : size - 1), t);
}

static int break_matches(const struct step_break *b, const struct step_item *it)
{
	switch (b->type) {
	case BREAK_HOST:
		return it->host == b->host || (it->kind == STEP_LINE && it->peer == b->host);
	case BREAK_COMMAND: {
		if (it->kind != STEP_LINE || !it->from_client)
			return 0;
		char w[64];
		command_word(it, w, sizeof w);
		return !strcasecmp(w, b->spec);
	}
	case BREAK_REPLY: {
		if (it->kind != STEP_LINE || it->from_client)
			return 0;
		const char *t = it->text, *s = b->spec;
		if (s[0] == '+' || s[0] == '-')
			return !strncasecmp(t, s, strlen(s)) && (t[strlen(s)] == 0 || t[strlen(s)] == ' ');
		if (s[0] >= 'A') { /* IMAP: the tagged status */
			const char *sp = strchr(t, ' ');
			return t[0] != '*' && sp && !strncmp(sp + 1, s, strlen(s)) &&
			       (sp[1 + strlen(s)] == 0 || sp[1 + strlen(s)] == ' ');
		}
		if (strlen(t) < 3 || t[0] != s[0] || (strlen(t) > 3 && t[3] != ' ' && t[3] != '-'))
			return 0;
		return s[1] == 'x' || s[1] == 'X' || (t[1] == s[1] && t[2] == s[2]);
	}
	}
	return 0;
}

/* ---- keys ---- */

static void help(struct stepper *st)
{
	if (st->lang == EXPLAIN_ES)
		fputs("  Enter, n  la próxima línea del protocolo     h  hasta la próxima conexión (salto)\n"
		      "  m         hasta el próximo evento de un mensaje\n"
		      "  c         continuar hasta el final (o un breakpoint)\n"
		      "  b X       breakpoint en un host, un comando (RCPT ...) o una respuesta (5xx, 550, -ERR)\n"
		      "  b         lista los breakpoints    d [N]  borra el breakpoint N (todos sin N)\n"
		      "  s [HOST]  el estado de un host: cola, casillas, zona DNS\n"
		      "  q         salir                    ?      esta ayuda\n",
		      st->out);
	else
		fputs("  Enter, n  the next protocol line             h  run to the next connection (hop)\n"
		      "  m         run to the next message event\n"
		      "  c         continue to the end (or a breakpoint)\n"
		      "  b X       breakpoint on a host, a command (RCPT ...) or a reply (5xx, 550, -ERR)\n"
		      "  b         list breakpoints         d [N]  delete breakpoint N (all without N)\n"
		      "  s [HOST]  a host's state: queue, mailboxes, DNS zone\n"
		      "  q         quit                     ?      this help\n",
		      st->out);
}

/* Reads keys until one moves the run on. 0, or -1 to quit. */
static int prompt(struct stepper *st)
{
	char line[256];
	for (;;) {
		fprintf(st->out, "%s%s%s ", step_color(st, C_BOLD), L(st, "step>", "paso>"), step_color(st, C_RESET));
		if (step_read(st, line, sizeof line) < 0) {
			fprintf(st->out, "%s\n", L(st, "(end of input)", "(fin de la entrada)"));
			return -1;
		}
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		char *arg = p + strcspn(p, " \t");
		if (*arg)
			*arg++ = 0;
		while (*arg == ' ' || *arg == '\t')
			arg++;
		size_t n = strlen(arg);
		while (n && (arg[n - 1] == ' ' || arg[n - 1] == '\t'))
			arg[--n] = 0;
		if (!*p || !strcmp(p, "n")) {
			st->mode = MODE_STEP;
			return 0;
		}
		if (!strcmp(p, "h")) {
			st->mode = MODE_HOP;
			return 0;
		}
		if (!strcmp(p, "m")) {
			st->mode = MODE_MAIL;
			return 0;
		}
		if (!strcmp(p, "c")) {
			st->mode = MODE_CONT;
			return 0;
		}
		if (!strcmp(p, "q"))
			return -1;
		if (!strcmp(p, "?") || !strcmp(p, "help")) {
			help(st);
		} else if (!strcmp(p, "b")) {
			if (*arg)
				add_break(st, arg);
			else
				list_breaks(st);
		} else if (!strcmp(p, "d")) {
			if (!*arg) {
				st->nbreaks = 0;
				fprintf(st->out, "%s\n", L(st, "breakpoints deleted", "breakpoints borrados"));
			} else {
				char *end;
				unsigned long k = strtoul(arg, &end, 10);
				if (*end || k < 1 || k > st->nbreaks) {
					fprintf(st->out, "%s %s\n", L(st, "no breakpoint", "no hay breakpoint"), arg);
				} else {
					memmove(&st->breaks[k - 1], &st->breaks[k], (st->nbreaks - k) * sizeof st->breaks[0]);
					st->nbreaks--;
				}
			}
		} else if (!strcmp(p, "s")) {
			if (!*arg) {
				step_state_hosts(st->out, st->world, st->lang);
			} else {
				int h = host_by_name(st, arg);
				if (h < 0)
					fprintf(st->out, "%s %s\n", L(st, "no such host:", "no existe el host:"), arg);
				else if (step_state_print(st->out, st->world, h, st->lang) < 0)
					st->failed = 1;
			}
		} else {
			fprintf(st->out, "%s '%s' (%s)\n", L(st, "unknown key", "tecla desconocida"), p,
				L(st, "? for help", "? para ayuda"));
		}
	}
}

/* ---- the loop ---- */

/* The next item, running the kernel until one is queued; NULL when the run
 * is over (no events left, or the next one is after until). */
static const struct step_item *next_item(struct stepper *st, sim_time until)
{
	struct sim *sim = scn_world_sim(st->world);
	for (;;) {
		const struct step_item *it = step_feed_peek(st->feed);
		if (it)
			return it;
		sim_time t = sim_next_time(sim);
		if (t == SIM_TIME_NEVER || t > until || sim_error(sim))
			return NULL;
		if (sim_step(sim) == SIM_DRAINED)
			return NULL;
	}
}

static int starts_session(const struct stepper *st, const struct step_item *it)
{
	return it->kind == STEP_LINE && step_session_find(st, it) < 0;
}

static void run(struct stepper *st, sim_time until)
{
	const struct step_item *it;
	while (!st->quit && (it = next_item(st, until))) {
		if (st->mode != MODE_STEP) {
			for (size_t i = 0; i < st->nbreaks; i++) {
				if (break_matches(&st->breaks[i], it)) {
					fprintf(st->out, "%s%s %zu (%s)%s\n", step_color(st, C_BOLD),
						L(st, "breakpoint", "breakpoint"), i + 1, st->breaks[i].spec,
						step_color(st, C_RESET));
					st->mode = MODE_STEP;
					st->force_stop = 1;
					break;
				}
			}
		}
		if (st->mode == MODE_HOP && starts_session(st, it))
			st->mode = MODE_STEP;
		if (st->predict && st->mode == MODE_STEP && step_quiz(st, it) < 0) {
			fprintf(st->out, "%s\n", L(st, "(end of input)", "(fin de la entrada)"));
			st->quit = 1;
			break;
		}
		int stop = step_show(st, it);
		if (it->kind == STEP_MAIL && st->mode == MODE_MAIL) {
			st->mode = MODE_STEP;
			stop = 1;
		}
		stop = (stop && st->mode == MODE_STEP) || st->force_stop;
		st->force_stop = 0;
		step_feed_pop(st->feed);
		if (stop && prompt(st) < 0)
			st->quit = 1;
	}
}

static int host_column(const struct net *net)
{
	int longest = 4;
	for (int h = 0; h < net_host_count(net); h++) {
		int len = (int)strlen(net_host_name(net, h));
		if (len > longest)
			longest = len < HOST_COLUMN_MAX ? len : HOST_COLUMN_MAX;
	}
	return 2 * longest + 4;
}

int cmd_step(int argc, char **argv)
{
	struct step_opts o = {0};
	o.lang = explain_lang_from_env();
	int rc = parse_options(argc, argv, &o);
	if (rc >= 0)
		return rc;
	char err[512] = "";
	struct explain *ex = explain_builtin(err, sizeof err);
	if (!ex) {
		fprintf(stderr, "mailsim step: %s\n", err);
		return 2;
	}
	const char *name;
	struct scenario *s = cli_load_scenario(o.file, &name);
	if (!s) {
		explain_free(&ex);
		return 2;
	}
	uint64_t seed = o.has_seed ? o.seed : s->seed;
	sim_time until = o.has_until ? o.until : s->until;
	struct scn_world *w = scn_world_new(s, seed, err, sizeof err);
	struct stepper st = {0};
	rc = 2;
	if (!w) {
		fprintf(stderr, "mailsim step: %s\n", err);
		goto out;
	}
	st.world = w;
	st.scn = s;
	st.net = scn_world_net(w);
	st.ex = ex;
	st.lang = o.lang;
	st.out = stdout;
	st.in = stdin;
	st.echo = !isatty(STDIN_FILENO);
	const char *nc = getenv("NO_COLOR");
	const char *term = getenv("TERM");
	st.color = isatty(STDOUT_FILENO) && !(nc && *nc) && !(term && !strcmp(term, "dumb"));
	st.predict = o.predict;
	st.plaintext = o.plaintext;
	st.width = host_column(st.net);
	st.seen = calloc(explain_count(ex) + 1, 1);
	st.feed = step_feed_open(scn_world_sim(w), o.predict);
	if (!st.seen || !st.feed) {
		fprintf(stderr, "mailsim step: out of memory\n");
		goto out;
	}
	fprintf(st.out, "%s, seed %llu: %s\n", name, (unsigned long long)seed,
		L(&st, "Enter shows the next protocol line; ? for the keys.",
		  "Enter muestra la próxima línea del protocolo; ? para las teclas."));
	run(&st, until);
	struct sim *sim = scn_world_sim(w);
	if (!st.quit) {
		char when[40];
		fprintf(st.out, "--- %s %s s, %llu %s ---\n", L(&st, "end of the run at", "fin de la corrida a los"),
			sim_time_format(sim_now(sim), when, sizeof when), (unsigned long long)st.lines,
			L(&st, "protocol lines", "líneas de protocolo"));
	}
	if (st.predict)
		step_quiz_score(&st);
	rc = 0;
	if (sim_error(sim)) {
		fprintf(stderr, "mailsim step: the simulation failed: %s\n", sim_error(sim));
		rc = 1;
	}
	if (st.failed || step_feed_failed(st.feed)) {
		fprintf(stderr, "mailsim step: out of memory: some items were not shown\n");
		rc = 2;
	}
	if (fflush(st.out) != 0) {
		fprintf(stderr, "mailsim step: cannot write the output\n");
		rc = 2;
	}
out:
	step_feed_close(&st.feed);
	free(st.seen);
	free(st.sessions);
	scn_world_free(&w);
	scenario_free(&s);
	explain_free(&ex);
	return rc;
}
