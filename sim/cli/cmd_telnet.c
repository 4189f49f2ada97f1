/* `mailsim telnet FILE --from HOST --to HOST[:PORT]`: the class note's
 * telnet session, typed by the user. Each line read from stdin travels as
 * a TCP segment over the simulated network from the --from host; the
 * simulated server answers and its bytes are printed as they arrive, the
 * way telnet shows them. The rest of the scenario runs on meanwhile (its
 * timeline, relaying, DNS, delivery), and once the session is over the
 * world runs to its end and the command tells what became of the mail:
 * each mail event since the session began, where every message accepted
 * in the session was stored with its Received chain, and the ledger.
 *
 * Time: the person takes --think (1 s) before each line; after a line the
 * command runs the world until the server's answer has arrived and has
 * been quiet for 1 s of simulated time, or --wait passed with no answer
 * (SMTP message lines after a 354 expect none). So the same input and seed
 * give the same output. Exit status: 0 the session ran, 1 it could not be
 * opened, 2 usage or input error. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "protocols/header.h"
#include "sim/agents/agent_env.h"
#include "sim/agents/mailstore.h"
#include "sim/agents/telnet_conn.h"
#include "sim/cli/cli_scenario.h"
#include "sim/cli/cmd_telnet.h"
#include "sim/cli/text_wrap.h"
#include "sim/core/blob.h"
#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/explain/explain.h"
#include "sim/net/net.h"
#include "sim/observe/ledger.h"
#include "sim/observe/observers.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/world.h"

#define QUIET_AFTER (1000 * SIM_MS)
#define MAX_TYPED_LINE 4096
#define MAX_ACCEPTED 64

struct telnet_opts {
	const char *file, *from, *to, *trace, *pcap;
	uint64_t seed;
	int has_seed, quiet;
	int explain; /* -1: when stdout is a terminal */
	const char *lang;
	sim_time at, think, wait, until;
	int has_until;
};

/* What the session saw and what the world did. */
struct session {
	struct sim *sim;
	const struct net *net;
	struct telnet_conn *conn;
	const char *proto;
	int target;          /* the server's host */
	sim_time last_rx;    /* when server bytes last arrived */
	uint64_t rx_count;   /* server byte pieces so far */
	char line[1024];     /* the server's current line, to spot 354 */
	size_t line_len;
	int smtp_data;       /* between a 354 and the lone "." */
	int collecting;      /* the session has begun: keep mail events */
	char *events;        /* the mail events, formatted */
	size_t events_len, events_cap;
	char accepted[MAX_ACCEPTED][32]; /* queue ids the server gave */
	size_t naccepted;
	int in_session;
	struct explain *ex;      /* explanations after each line, or NULL */
	enum explain_lang lang;
	unsigned char *seen;     /* entries explained once already (shortened) */
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mailsim telnet [OPTIONS] [FILE] --from HOST --to HOST[:PORT]\n\n"
		"Type a protocol session by hand, as in the class note's telnet listing: each\n"
		"line you type is sent from HOST over the simulated network to the server at\n"
		"HOST:PORT (port 25 unless given; 587 submission, 110 POP3, 143 IMAP), and the\n"
		"server's answer is printed as it arrives. The scenario (the built-in classic\n"
		"one without FILE) runs on meanwhile; after the session it runs to its end and\n"
		"the command shows where the mail went, its Received fields and the ledger.\n"
		"Reads lines from the keyboard or from a pipe; end with QUIT (or Ctrl-D).\n\n"
		"  --from HOST      the host you type on (a host name of the scenario, or its fqdn)\n"
		"  --to HOST[:PORT] the server to connect to\n"
		"  --seed N         seed of the run (default: the scenario's)\n"
		"  --at TIME        open the connection at simulated TIME (default 0)\n"
		"  --think TIME     simulated time you take before each line (default 1s)\n"
		"  --wait TIME      longest wait for an answer to a line (default 10s)\n"
		"  --until TIME     stop the world at TIME (default: the scenario's \"until\",\n"
		"                   or when nothing is left to do)\n"
		"  --trace FILE     write a JSON Lines trace of the whole run\n"
		"  --pcap FILE      write a pcap capture of the whole run\n"
		"  --explain        explain each command and reply (on when output is a terminal)\n"
		"  --no-explain     show the session exactly as telnet would\n"
		"  --lang en|es     the explanations' language (default: the locale)\n"
		"  -q, --quiet      only the session: no account of the mail afterwards\n"
		"  -h, --help       show this help\n\n"
		"Example (the class note's session):\n"
		"  mailsim telnet scenarios/telnet-smtp-1.json --from milagro --to smtp-1:25\n");
}

static int parse_time_opt(const char *name, const char *text, sim_time *t_r)
{
	if (sim_time_parse(text, t_r) != 0) {
		fprintf(stderr, "mailsim telnet: %s: \"%s\" is not a time (such as 2s, 500ms, 1m)\n", name, text);
		return -1;
	}
	return 0;
}

/* Returns -1 to go on, or the exit status. */
static int parse_options(int argc, char **argv, struct telnet_opts *o)
{
	enum { OPT_FROM = 256, OPT_TO, OPT_SEED, OPT_AT, OPT_THINK, OPT_WAIT, OPT_UNTIL, OPT_TRACE, OPT_PCAP,
	       OPT_EXPLAIN, OPT_NO_EXPLAIN, OPT_LANG };
	static const struct option opts[] = {
		{"from", required_argument, NULL, OPT_FROM},   {"to", required_argument, NULL, OPT_TO},
		{"seed", required_argument, NULL, OPT_SEED},   {"at", required_argument, NULL, OPT_AT},
		{"think", required_argument, NULL, OPT_THINK}, {"wait", required_argument, NULL, OPT_WAIT},
		{"until", required_argument, NULL, OPT_UNTIL}, {"trace", required_argument, NULL, OPT_TRACE},
		{"pcap", required_argument, NULL, OPT_PCAP},   {"quiet", no_argument, NULL, 'q'},
		{"explain", no_argument, NULL, OPT_EXPLAIN},   {"no-explain", no_argument, NULL, OPT_NO_EXPLAIN},
		{"lang", required_argument, NULL, OPT_LANG},
		{"help", no_argument, NULL, 'h'},              {NULL, 0, NULL, 0},
	};
	o->think = SIM_S;
	o->explain = -1;
	o->wait = (10 * SIM_S);
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case OPT_FROM:
			o->from = optarg;
			break;
		case OPT_TO:
			o->to = optarg;
			break;
		case OPT_SEED:
			if (cli_parse_u64(optarg, &o->seed) != 0) {
				fprintf(stderr, "mailsim telnet: --seed: \"%s\" is not a number\n", optarg);
				return 2;
			}
			o->has_seed = 1;
			break;
		case OPT_AT:
			if (parse_time_opt("--at", optarg, &o->at) < 0)
				return 2;
			break;
		case OPT_THINK:
			if (parse_time_opt("--think", optarg, &o->think) < 0)
				return 2;
			break;
		case OPT_WAIT:
			if (parse_time_opt("--wait", optarg, &o->wait) < 0)
				return 2;
			break;
		case OPT_UNTIL:
			if (parse_time_opt("--until", optarg, &o->until) < 0)
				return 2;
			o->has_until = 1;
			break;
		case OPT_TRACE:
			o->trace = optarg;
			break;
		case OPT_PCAP:
			o->pcap = optarg;
			break;
		case OPT_EXPLAIN:
			o->explain = 1;
			break;
		case OPT_NO_EXPLAIN:
			o->explain = 0;
			break;
		case OPT_LANG: {
			enum explain_lang l;
			if (explain_lang_parse(optarg, &l) != 0) {
				fprintf(stderr, "mailsim telnet: --lang: \"%s\" is not en or es\n", optarg);
				return 2;
			}
			o->lang = optarg;
			break;
		}
		case 'q':
			o->quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "mailsim telnet: unknown or incomplete option \"%s\"\n", argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc)
		o->file = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "mailsim telnet: one scenario file at most (got \"%s\" too)\n", argv[optind]);
		return 2;
	}
	if (!o->from || !o->to) {
		fprintf(stderr, "mailsim telnet: --from HOST and --to HOST[:PORT] are required\n");
		usage(stderr);
		return 2;
	}
	if (o->wait <= 0)
		o->wait = (10 * SIM_S);
	return -1;
}

/* Explains one line of the session, below it: in full the first time an
 * entry comes up, by its first sentence after that. */
static void explain(struct session *ss, int from_client, const char *text, size_t len)
{
	const struct explain_entry *e[EXPLAIN_LINE_MAX];
	size_t n = explain_line(ss->ex, ss->proto, from_client, text, len, e, EXPLAIN_LINE_MAX);
	for (size_t i = 0; i < n && i < EXPLAIN_LINE_MAX; i++) {
		size_t idx = 0;
		while (idx < explain_count(ss->ex) && explain_at(ss->ex, idx) != e[i])
			idx++;
		int again = idx < explain_count(ss->ex) && ss->seen[idx];
		if (idx < explain_count(ss->ex))
			ss->seen[idx] = 1;
		const char *t = e[i]->text[ss->lang];
		char prefix[96], first[1024];
		if (again) {
			const char *dot = strstr(t, ". ");
			size_t k = dot ? (size_t)(dot - t) + 1 : strlen(t);
			snprintf(first, sizeof first, "%.*s", (int)k, t);
			t = first;
			snprintf(prefix, sizeof prefix, "# %s: ", e[i]->key);
		} else {
			snprintf(prefix, sizeof prefix, "# %s (%s): ", e[i]->key, e[i]->rfc);
		}
		text_wrap(stdout, t, -1, 6, 78, prefix);
	}
}

static void on_bytes(void *ctx, const uint8_t *b, size_t n)
{
	struct session *ss = ctx;
	if (!ss->ex)
		fwrite(b, 1, n, stdout);
	for (size_t i = 0; i < n; i++) {
		if (b[i] == '\n') {
			size_t len = ss->line_len && ss->line[ss->line_len - 1] == '\r' ? ss->line_len - 1 : ss->line_len;
			if (ss->ex) {
				/* Line by line, each reply line with its explanation. */
				printf("%.*s\n", (int)len, ss->line);
				explain(ss, 0, ss->line, len);
			}
			if (len >= 3 && memcmp(ss->line, "354", 3) == 0 && !strcmp(ss->proto, "SMTP"))
				ss->smtp_data = 1;
			ss->line_len = 0;
		} else if (ss->line_len < sizeof ss->line - 1) {
			ss->line[ss->line_len++] = (char)b[i];
		}
	}
	fflush(stdout);
	ss->last_rx = sim_now(ss->sim);
	ss->rx_count++;
	/* Back to the command loop: the wait for the answer is re-judged. */
	sim_stop(ss->sim);
}

static void keep_event(struct session *ss, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void keep_event(struct session *ss, const char *fmt, ...)
{
	char text[2048];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	size_t len = (size_t)n < sizeof text ? (size_t)n : sizeof text - 1;
	if (ss->events_len + len + 1 > ss->events_cap) {
		size_t cap = (ss->events_cap + len + 1) * 2;
		char *p = realloc(ss->events, cap);
		if (!p)
			return;
		ss->events = p;
		ss->events_cap = cap;
	}
	memcpy(ss->events + ss->events_len, text, len);
	ss->events_len += len;
	ss->events[ss->events_len] = 0;
}

/* Keeps every mail event from the session's start; remembers the queue
 * ids the server gave the messages typed in the session. */
static void on_record(void *ctx, const struct obs_record *rec)
{
	struct session *ss = ctx;
	if (!ss->collecting || rec->type != OBS_MAIL)
		return;
	const char *host = net_host_name(ss->net, rec->u.mail.host);
	char when[32];
	sim_time_format(rec->time, when, sizeof when);
	const char *what = obs_mail_event_name(rec->u.mail.event);
	const char *text = rec->u.mail.text;
	if (rec->u.mail.event == OBS_MAIL_HEADER && text) {
		/* The whole field on one line: it is shown in full below. */
		const char *nl = strpbrk(text, "\r\n");
		keep_event(ss, "%12s  %s: adds %.*s%s\n", when, host, nl ? (int)(nl - text) : (int)strlen(text), text,
			   nl ? " ..." : "");
		return;
	}
	keep_event(ss, "%12s  %s: %s %s%s%s%s%s\n", when, host, what, rec->u.mail.queue_id ? rec->u.mail.queue_id : "",
		   rec->u.mail.rcpt ? " for " : "", rec->u.mail.rcpt ? rec->u.mail.rcpt : "", text && *text ? ": " : "",
		   text && *text ? text : "");
	if (rec->u.mail.event == OBS_MAIL_ACCEPTED && ss->in_session && rec->u.mail.host == ss->target &&
	    rec->u.mail.queue_id && ss->naccepted < MAX_ACCEPTED) {
		for (size_t i = 0; i < ss->naccepted; i++)
			if (!strcmp(ss->accepted[i], rec->u.mail.queue_id))
				return;
		snprintf(ss->accepted[ss->naccepted++], sizeof ss->accepted[0], "%s", rec->u.mail.queue_id);
	}
}

static void tick(struct sim *sim, void *ctx)
{
	(void)sim;
	(void)ctx;
}

/* Lets simulated time pass (the person thinking), the world running on. */
static void pass_time(struct scn_world *w, int handler, sim_time d)
{
	struct sim *sim = scn_world_sim(w);
	sim_time until = sim_now(sim) + d;
	sim_at(sim, until, handler, NULL); /* so the clock gets there even if idle */
	while (sim_now(sim) < until)
		if (scn_world_run(w, until) == SIM_FAILED)
			return;
}

/* Runs the world until the server has answered and gone quiet, the wait
 * is over with no answer, or the connection is gone. */
static void await_answer(struct scn_world *w, struct session *ss, int handler, sim_time wait)
{
	struct sim *sim = scn_world_sim(w);
	sim_time start = sim_now(sim);
	uint64_t seen = ss->rx_count;
	for (;;) {
		if (telnet_conn_state(ss->conn) == TELNET_CLOSED)
			return;
		sim_time deadline = ss->rx_count > seen ? ss->last_rx + QUIET_AFTER : start + wait;
		if (sim_now(sim) >= deadline)
			return;
		sim_at(sim, deadline, handler, NULL);
		if (scn_world_run(w, deadline) == SIM_FAILED)
			return;
	}
}

/* Whether a Received field of the message names queue id qid ("id QID"). */
static int names_queue_id(const char *text, size_t n, const char *qid)
{
	size_t pos = 0;
	struct hdr_field f;
	unsigned defects = 0;
	size_t ql = strlen(qid);
	while (hdr_next(text, n, &pos, &f, &defects) > 0) {
		if (!hdr_name_is(&f, "Received"))
			continue;
		for (size_t i = 0; i + 3 + ql <= f.value_len; i++)
			if (!memcmp(f.value + i, "id ", 3) && !memcmp(f.value + i + 3, qid, ql) &&
			    (i + 3 + ql == f.value_len || f.value[i + 3 + ql] == ';' || f.value[i + 3 + ql] == ' ' ||
			     f.value[i + 3 + ql] == '\r' || f.value[i + 3 + ql] == '\n'))
				return 1;
	}
	return 0;
}

static void print_received_chain(const char *text, size_t n)
{
	size_t pos = 0;
	struct hdr_field f;
	unsigned defects = 0;
	int k = 0;
	while (hdr_next(text, n, &pos, &f, &defects) > 0) {
		if (!hdr_name_is(&f, "Received"))
			continue;
		/* Unfolded, so each field reads on one line. */
		printf("    %d. Received: ", ++k);
		int space = 0, started = 0;
		for (size_t i = 0; i < f.value_len; i++) {
			char c = f.value[i];
			if (c == '\r' || c == '\n' || c == '\t' || c == ' ') {
				space = started;
				continue;
			}
			if (space)
				putchar(' ');
			space = 0;
			started = 1;
			putchar(c);
		}
		putchar('\n');
	}
}

/* Where each message typed in the session ended up, with its Received
 * fields as the mailbox holds them (newest first, as in the header). */
static void print_where_it_went(struct scn_world *w, const struct session *ss)
{
	const struct scenario *s = scn_world_scenario(w);
	for (size_t a = 0; a < ss->naccepted; a++) {
		int found = 0;
		for (size_t m = 0; m < s->mta_count; m++) {
			struct mailstore *store = scn_world_mailstore(w, m);
			for (size_t u = 0; store && u < mailstore_user_count(store); u++) {
				struct ms_user *user = mailstore_user_at(store, u);
				for (size_t fi = 0; fi < ms_folder_count(user); fi++) {
					struct ms_folder *f = ms_folder_at(user, fi);
					for (size_t i = 0; i < ms_folder_size(f); i++) {
						const struct ms_message *msg = ms_folder_message(f, i);
						const char *text = (const char *)blob_data(msg->body);
						size_t n = blob_len(msg->body);
						if (!names_queue_id(text, n, ss->accepted[a]))
							continue;
						printf("\nThe message accepted as %s is in %s's %s on %s; its Received "
						       "fields, newest first:\n",
						       ss->accepted[a], ms_user_address(user), ms_folder_name(f),
						       net_host_name(ss->net, (int)m >= 0 ? s->mtas[m].host : 0));
						print_received_chain(text, n);
						found = 1;
					}
				}
			}
		}
		if (!found)
			printf("\nThe message accepted as %s is in no mailbox of this scenario (see the events and the "
			       "ledger: relayed out, queued or bounced).\n",
			       ss->accepted[a]);
	}
}

int cmd_telnet(int argc, char **argv)
{
	struct telnet_opts o = {0};
	int rc = parse_options(argc, argv, &o);
	if (rc >= 0)
		return rc;
	const char *name;
	struct scenario *s = cli_load_scenario(o.file, &name);
	if (!s)
		return 2;
	/* The user types the session: the scenario's own typed sessions
	 * (telnet-smtp-1 has the note's) stay out of the way. */
	s->skip_sessions = 1;
	char err[512] = "";
	struct session ss = {0};
	struct obs_ledger *ledger = NULL;
	struct obs_trace *trace = NULL;
	struct obs_pcap *pcap = NULL;
	char line[MAX_TYPED_LINE + 2];
	rc = 2;
	struct scn_world *w = scn_world_new(s, o.has_seed ? o.seed : s->seed, err, sizeof err);
	if (!w) {
		fprintf(stderr, "mailsim telnet: %s\n", err);
		goto out;
	}
	struct sim *sim = scn_world_sim(w);
	struct net *net = scn_world_net(w);
	int from = cli_find_host(s, net, o.from);
	if (from < 0) {
		fprintf(stderr, "mailsim telnet: --from: no host \"%s\" in %s\n", o.from, name);
		cli_list_hosts(s, net);
		goto out;
	}
	char to_name[256];
	snprintf(to_name, sizeof to_name, "%s", o.to);
	uint16_t port = 25;
	char *colon = strrchr(to_name, ':');
	if (colon) {
		uint64_t p;
		if (cli_parse_u64(colon + 1, &p) != 0 || p == 0 || p > 65535) {
			fprintf(stderr, "mailsim telnet: --to: \"%s\" is not a port (1-65535)\n", colon + 1);
			goto out;
		}
		port = (uint16_t)p;
		*colon = 0;
	}
	ss.target = cli_find_host(s, net, to_name);
	if (ss.target < 0) {
		fprintf(stderr, "mailsim telnet: --to: no host \"%s\" in %s\n", to_name, name);
		cli_list_hosts(s, net);
		goto out;
	}
	if (o.trace && !(trace = obs_trace_open(sim, net, o.trace, err, sizeof err))) {
		fprintf(stderr, "mailsim telnet: --trace: %s\n", err);
		goto out;
	}
	if (o.pcap && !(pcap = obs_pcap_open(sim, net, o.pcap, err, sizeof err))) {
		fprintf(stderr, "mailsim telnet: --pcap: %s\n", err);
		goto out;
	}
	ss.sim = sim;
	ss.net = net;
	ss.proto = telnet_conn_proto(port);
	if (o.explain == 1 || (o.explain == -1 && isatty(STDOUT_FILENO))) {
		ss.ex = explain_builtin(err, sizeof err);
		if (!ss.ex) {
			fprintf(stderr, "mailsim telnet: the explanations: %s\n", err);
			goto out;
		}
		ss.seen = calloc(explain_count(ss.ex) + 1, 1);
		if (!ss.seen) {
			fprintf(stderr, "mailsim telnet: out of memory\n");
			goto out;
		}
		ss.lang = explain_lang_from_env();
		if (o.lang)
			explain_lang_parse(o.lang, &ss.lang);
	}
	if (s->mta_count && !(ledger = obs_ledger_open(sim, net))) {
		fprintf(stderr, "mailsim telnet: out of memory\n");
		goto out;
	}
	if (bus_subscribe(sim_bus(sim), OBS_MASK(OBS_MAIL), on_record, &ss) != 0) {
		fprintf(stderr, "mailsim telnet: out of memory\n");
		goto out;
	}
	int handler = sim_handler(sim, tick);
	if (handler < 0) {
		fprintf(stderr, "mailsim telnet: out of memory\n");
		goto out;
	}
	if (o.at > 0)
		pass_time(w, handler, o.at);
	ss.collecting = 1;
	uint32_t ip = net_host_ip(net, ss.target, 0);
	char ipbuf[16];
	printf("Trying %s...\n", ipv4_format(ip, ipbuf));
	fflush(stdout);
	ss.in_session = 1;
	ss.conn = telnet_conn_open(scn_world_env(w), from, ip, port, on_bytes, &ss);
	if (!ss.conn) {
		printf("telnet: Unable to connect to remote host: No route to host\n");
		rc = 1;
		goto out;
	}
	/* The handshake, then the greeting. */
	while (telnet_conn_state(ss.conn) == TELNET_CONNECTING) {
		sim_time next = sim_next_time(sim);
		if (next == SIM_TIME_NEVER || scn_world_run(w, next) == SIM_FAILED)
			break;
	}
	if (telnet_conn_state(ss.conn) != TELNET_OPEN) {
		const char *why = telnet_conn_error(ss.conn);
		printf("telnet: Unable to connect to remote host: %s\n",
		       why && !strcmp(why, "refused") ? "Connection refused" : why ? why : "no answer");
		rc = 1;
		goto out;
	}
	const char *fqdn = s->fqdns && s->fqdns[ss.target] ? s->fqdns[ss.target] : net_host_name(net, ss.target);
	printf("Connected to %s.\nEscape character is '^]'.\n", fqdn);
	fflush(stdout);
	await_answer(w, &ss, handler, o.wait);
	/* On a terminal the user's typing is echoed already; from a pipe,
	 * echo it so the output reads like the class note's listing. */
	int echo = !isatty(STDIN_FILENO);
	while (telnet_conn_state(ss.conn) == TELNET_OPEN) {
		if (!fgets(line, sizeof line, stdin)) {
			telnet_conn_close(ss.conn);
			break;
		}
		size_t len = strlen(line);
		int whole = len && line[len - 1] == '\n';
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		if (!whole && !feof(stdin)) {
			/* Longer than any protocol allows: say so, skip the rest. */
			int ch;
			while ((ch = getchar()) != EOF && ch != '\n')
				;
			fprintf(stderr, "mailsim telnet: a line longer than %d bytes was not sent\n", MAX_TYPED_LINE);
			continue;
		}
		if (echo) {
			printf("%s\n", line);
			fflush(stdout);
		}
		pass_time(w, handler, o.think);
		int sent;
		while ((sent = telnet_conn_send_line(ss.conn, line, len)) == -2 &&
		       telnet_conn_state(ss.conn) == TELNET_OPEN)
			pass_time(w, handler, (100 * SIM_MS));
		if (sent == -1) {
			if (telnet_conn_state(ss.conn) != TELNET_OPEN)
				break;
			fprintf(stderr, "mailsim telnet: that line has a control character (NUL) and was not sent\n");
			continue;
		}
		if (ss.smtp_data) {
			if (strcmp(line, ".") != 0)
				continue; /* message lines get no answer */
			ss.smtp_data = 0;
		} else if (ss.ex) {
			explain(&ss, 1, line, len);
			fflush(stdout);
		}
		await_answer(w, &ss, handler, o.wait);
	}
	/* Let the close finish (the FIN exchange). */
	await_answer(w, &ss, handler, (2 * SIM_S));
	ss.in_session = 0;
	if (telnet_conn_state(ss.conn) != TELNET_OPEN) {
		const char *why = telnet_conn_error(ss.conn);
		printf("%s\n", why && strcmp(why, "ok") ? "Connection closed (reset)." : "Connection closed by foreign host.");
	}
	fflush(stdout);
	sim_time until = o.has_until ? o.until : s->until;
	enum sim_stop_reason why;
	while ((why = scn_world_run(w, until)) == SIM_STOPPED)
		;
	if (why == SIM_FAILED) {
		fprintf(stderr, "mailsim telnet: the simulation failed: %s\n", sim_error(sim) ? sim_error(sim) : "?");
		rc = 1;
		goto out;
	}
	rc = 0;
	if (!o.quiet) {
		char when[32];
		printf("\n--- what the mail system did from the session's start to %s ---\n",
		       sim_time_format(sim_now(sim), when, sizeof when));
		fputs(ss.events ? ss.events : "  (no mail events)\n", stdout);
		print_where_it_went(w, &ss);
		if (ledger) {
			for (size_t i = 0; i < s->mta_count; i++)
				obs_ledger_declare_mta(ledger, scn_world_mta(w, i));
			putchar('\n');
			obs_ledger_print(ledger, stdout);
		}
	}
out:
	if (w)
		bus_unsubscribe(sim_bus(scn_world_sim(w)), on_record, &ss);
	telnet_conn_free(&ss.conn);
	free(ss.events);
	free(ss.seen);
	explain_free(&ss.ex);
	obs_ledger_close(&ledger);
	if (obs_trace_close(&trace) < 0 || obs_pcap_close(&pcap) < 0) {
		fprintf(stderr, "mailsim telnet: writing an output file failed\n");
		rc = 2;
	}
	scn_world_free(&w);
	scenario_free(&s);
	return rc;
}
