/* `mailsim run [FILE]`: loads a scenario (the built-in default without
 * FILE), builds it, runs it with the requested observers and prints a short
 * end-of-run report. Exit status: 0 the run met its expectations, 1 it did
 * not (or the kernel failed), 2 usage or input error. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/agents/testapp.h"
#include "sim/cli/cli_scenario.h"
#include "sim/cli/cmd_run.h"
#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/tcp.h"
#include "sim/observe/observers.h"
#include "sim/agents/imap_reader.h"
#include "sim/agents/imapd.h"
#include "sim/agents/mta.h"
#include "sim/observe/ledger.h"
#include "sim/observe/sniffer.h"
#include "sim/observe/transcript.h"
#include "sim/scenario/campaign.h"
#include "sim/scenario/check.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/world.h"

struct run_opts {
	int has_seed, has_until, has_faults_seed, log, quiet, no_transcript, plaintext;
	uint64_t seed, faults_seed;
	sim_time until;
	const char *trace, *pcap, *summary, *maildir;
	const char *file;
};

static void usage(FILE *out)
{
	fprintf(out, "usage: mailsim run [OPTIONS] [FILE]\n\n"
		     "Runs a scenario (the built-in default when FILE is not given) and prints\n"
		     "a short report: time, events, connections, segments, drops,\n"
		     "retransmissions and each client's outcome against its expectation.\n\n"
		     "  --seed N         seed of the run's random numbers (default: the scenario's, or 1)\n"
		     "  --until TIME     stop at simulated TIME, such as 30s (default: the scenario's\n"
		     "                   \"until\", or when nothing is left to do)\n"
		     "  --faults-seed N  add the fault campaign's random schedule N (docs/reliability.md):\n"
		     "                   faults repaired before the scenario's end, then 3 hours for\n"
		     "                   retries; N is also the run's seed unless --seed is given\n"
		     "  --log            print a text log of every packet and connection change\n"
		     "                   (on by default without FILE for scenarios without mail)\n"
		     "  --no-transcript  do not print the protocol transcript (printed by default\n"
		     "                   for scenarios with mail: each SMTP line, DNS lookup and hop)\n"
		     "  --plaintext      show lines sent after STARTTLS (the endpoints' view) instead\n"
		     "                   of [encrypted] (an eavesdropper's view)\n"
		     "  --trace FILE     write a JSON Lines trace (docs/trace-format.md); - for stdout\n"
		     "  --pcap FILE      write a pcap capture for Wireshark or tshark\n"
		     "  --summary FILE   write a JSON summary of the run; - for stdout\n"
		     "  --maildir DIR    write every mailbox at the end as a Maildir++ tree\n"
		     "  -q, --quiet      no report, log or transcript: only the mail ledger (for\n"
		     "                   scenarios with mail), failed expectations and errors\n"
		     "  -h, --help       show this help\n\n"
		     "Exit status: 0 ok, 1 an expectation failed, 2 usage or input error.\n");
}

static int parse_options(int argc, char **argv, struct run_opts *o)
{
	enum { OPT_SEED = 256, OPT_UNTIL, OPT_LOG, OPT_TRACE, OPT_PCAP, OPT_SUMMARY, OPT_MAILDIR, OPT_NO_TRANSCRIPT,
	       OPT_PLAINTEXT, OPT_FAULTS_SEED };
	static const struct option opts[] = {
		{"seed", required_argument, NULL, OPT_SEED},
		{"until", required_argument, NULL, OPT_UNTIL},
		{"faults-seed", required_argument, NULL, OPT_FAULTS_SEED},
		{"log", no_argument, NULL, OPT_LOG},
		{"trace", required_argument, NULL, OPT_TRACE},
		{"pcap", required_argument, NULL, OPT_PCAP},
		{"summary", required_argument, NULL, OPT_SUMMARY},
		{"maildir", required_argument, NULL, OPT_MAILDIR},
		{"no-transcript", no_argument, NULL, OPT_NO_TRANSCRIPT},
		{"plaintext", no_argument, NULL, OPT_PLAINTEXT},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":qh", opts, NULL)) != -1) {
		switch (c) {
		case OPT_SEED:
			if (cli_parse_u64(optarg, &o->seed) < 0) {
				fprintf(stderr, "mailsim run: --seed: \"%s\" is not a whole number from 0 to %llu\n", optarg,
					(unsigned long long)UINT64_MAX);
				return 2;
			}
			o->has_seed = 1;
			break;
		case OPT_FAULTS_SEED:
			if (cli_parse_u64(optarg, &o->faults_seed) < 0) {
				fprintf(stderr, "mailsim run: --faults-seed: \"%s\" is not a whole number from 0 to %llu\n",
					optarg, (unsigned long long)UINT64_MAX);
				return 2;
			}
			o->has_faults_seed = 1;
			break;
		case OPT_UNTIL:
			if (scn_text_duration(optarg, &o->until) < 0 || o->until <= 0) {
				fprintf(stderr, "mailsim run: --until: \"%s\" is not a positive duration (such as 30s or 500ms)\n",
					optarg);
				return 2;
			}
			o->has_until = 1;
			break;
		case OPT_LOG: o->log = 1; break;
		case OPT_TRACE: o->trace = optarg; break;
		case OPT_PCAP: o->pcap = optarg; break;
		case OPT_SUMMARY: o->summary = optarg; break;
		case OPT_MAILDIR: o->maildir = optarg; break;
		case OPT_NO_TRANSCRIPT: o->no_transcript = 1; break;
		case OPT_PLAINTEXT: o->plaintext = 1; break;
		case 'q': o->quiet = 1; break;
		case 'h': usage(stdout); return 0;
		case ':':
			fprintf(stderr, "mailsim run: option '%s' needs a value\n", argv[optind - 1]);
			fprintf(stderr, "Try 'mailsim run --help'.\n");
			return 2;
		default:
			fprintf(stderr, "mailsim run: unknown option '%s'\n", argv[optind - 1]);
			fprintf(stderr, "Try 'mailsim run --help'.\n");
			return 2;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "mailsim run: one scenario file at a time (got %d)\n", argc - optind);
		return 2;
	}
	o->file = optind < argc ? argv[optind] : NULL;
	return -1;
}

static void print_time(FILE *out, sim_time t)
{
	char buf[40];
	fputs(sim_time_format(t, buf, sizeof buf), out);
}

static void print_report(FILE *out, const char *name, uint64_t seed, struct scn_world *w, enum sim_stop_reason why)
{
	struct sim *sim = scn_world_sim(w);
	struct net *net = scn_world_net(w);
	const struct scenario *s = scn_world_scenario(w);
	const struct tcp_stats *ts = tcp_stats(scn_world_tcp(w));
	const struct net_stats *ns = net_stats(net);
	fprintf(out, "%s, seed %llu: ", name, (unsigned long long)seed);
	fputs(why == SIM_REACHED ? "stopped at " : "finished at ", out);
	print_time(out, sim_now(sim));
	fprintf(out, " s after %llu events%s\n", (unsigned long long)sim_events_run(sim),
		why == SIM_REACHED ? " (time limit)" : "");
	fprintf(out, "  tcp: %llu connections opened, %llu failed; %llu segments sent, %llu retransmitted (%llu fast), %llu timeouts\n",
		(unsigned long long)ts->connections_opened, (unsigned long long)ts->connections_failed,
		(unsigned long long)ts->segments_sent, (unsigned long long)ts->retransmissions,
		(unsigned long long)ts->fast_retransmits, (unsigned long long)ts->timeouts);
	uint64_t drops = 0;
	for (int r = 0; r < OBS_DROP_REASON_COUNT; r++)
		drops += ns->drops[r];
	fprintf(out, "  network: %llu packets sent, %llu delivered, %llu dropped", (unsigned long long)ns->packets_sent,
		(unsigned long long)ns->packets_delivered, (unsigned long long)drops);
	const char *sep = " (";
	for (int r = 0; r < OBS_DROP_REASON_COUNT; r++) {
		if (!ns->drops[r])
			continue;
		fprintf(out, "%s%s %llu", sep, obs_drop_reason_name((enum obs_drop_reason)r),
			(unsigned long long)ns->drops[r]);
		sep = ", ";
	}
	fputs(drops ? ")\n" : "\n", out);

	struct testapp *app = scn_world_testapp(w);
	for (size_t i = 0; i < testapp_client_count(app); i++) {
		const struct testapp_client_result *r = testapp_client_result(app, i);
		const struct scn_client *c = &s->clients[i];
		char ip[16];
		fprintf(out, "  client %s: %s -> %s:%u%s: %s", c->name, s->hosts[c->host].name,
			ipv4_format(c->dest_ip, ip), c->port, c->udp ? "/udp" : "", testapp_outcome_name(r->outcome));
		if (r->detail && r->detail[0] && r->outcome != TESTAPP_COMPLETE)
			fprintf(out, " (%s)", r->detail);
		if (c->udp)
			fprintf(out, ", %u datagrams sent, %u echoed", r->datagrams_sent, r->datagrams_received);
		else
			fprintf(out, ", %llu bytes sent, %llu received", (unsigned long long)r->bytes_sent,
				(unsigned long long)r->bytes_received);
		if (r->finished >= 0 && r->started >= 0) {
			fputs(" in ", out);
			print_time(out, r->finished - r->started);
			fputs(" s", out);
		}
		fputc('\n', out);
	}
	for (size_t i = 0; i < s->mta_count; i++) {
		const struct mta_stats *ms = mta_stats(scn_world_mta(w, i));
		fprintf(out,
			"  mta %s (%s): %llu accepted, %llu relayed, %llu delivered, %llu bounced, %zu queued, %llu "
			"recipients refused\n",
			s->hosts[s->mtas[i].host].name, s->mtas[i].hostname, (unsigned long long)ms->accepted,
			(unsigned long long)ms->relayed, (unsigned long long)ms->delivered, (unsigned long long)ms->bounced,
			ms->queued, (unsigned long long)ms->refused_rcpts);
	}
	/* IMAP (mailbox access): servers and the readers' sessions. */
	for (size_t i = 0; i < s->mta_count; i++) {
		struct imapd *d = scn_world_imapd(w, i);
		if (d)
			fprintf(out, "  imapd %s: %llu sessions, %llu logins\n", s->hosts[s->mtas[i].host].name,
				(unsigned long long)imapd_stats(d)->sessions, (unsigned long long)imapd_stats(d)->logins);
	}
	for (size_t i = 0; i < s->mail_count; i++) {
		const struct imap_reader_stats *st = scn_world_imap_stats(w, i);
		if (!st || !s->mail[i].imap)
			continue;
		fprintf(out, "  imap reader %s -> %s: %s, %zu OK, %zu NO, %zu BAD", s->hosts[s->mail[i].imap->host].name,
			s->hosts[s->mail[i].imap->server].name, st->logged_in ? "logged in" : "not logged in", st->ok,
			st->no, st->bad);
		if (st->live_exists || st->live_flags || st->live_expunges)
			fprintf(out, "; told while idling: %zu EXISTS, %zu FETCH, %zu EXPUNGE", st->live_exists,
				st->live_flags, st->live_expunges);
		if (st->last_error[0])
			fprintf(out, "; last error: %s", st->last_error);
		fputc('\n', out);
	}
	for (size_t i = 0; i < s->expect_count; i++) {
		const struct scn_expect *x = &s->expects[i];
		const struct testapp_client_result *r = testapp_client_result(app, (size_t)x->client);
		int ok = r && r->outcome == x->outcome;
		fprintf(out, "  expect %s %s: %s\n", s->clients[x->client].name, testapp_outcome_name(x->outcome),
			ok ? "ok" : "FAILED");
	}
	scn_world_mail_failed_expectations(w, out);
}

static void print_failed_expectations(FILE *out, struct scn_world *w)
{
	const struct scenario *s = scn_world_scenario(w);
	struct testapp *app = scn_world_testapp(w);
	for (size_t i = 0; i < s->expect_count; i++) {
		const struct scn_expect *x = &s->expects[i];
		const struct testapp_client_result *r = testapp_client_result(app, (size_t)x->client);
		if (r && r->outcome == x->outcome)
			continue;
		fprintf(out, "mailsim run: expectation failed: client %s: expected %s, got %s%s%s%s\n",
			s->clients[x->client].name, testapp_outcome_name(x->outcome),
			r ? testapp_outcome_name(r->outcome) : "nothing", r && r->detail[0] ? " (" : "",
			r ? r->detail : "", r && r->detail[0] ? ")" : "");
	}
	if (scn_world_mail_failed_expectations(w, NULL))
		scn_world_mail_failed_expectations(w, out);
}

static cJSON *clients_json(struct scn_world *w)
{
	const struct scenario *s = scn_world_scenario(w);
	struct testapp *app = scn_world_testapp(w);
	cJSON *list = cJSON_CreateArray();
	for (size_t i = 0; list && i < testapp_client_count(app); i++) {
		const struct testapp_client_result *r = testapp_client_result(app, i);
		const struct scn_client *c = &s->clients[i];
		cJSON *o = cJSON_CreateObject();
		char ip[16];
		cJSON_AddStringToObject(o, "name", c->name);
		cJSON_AddStringToObject(o, "host", s->hosts[c->host].name);
		cJSON_AddStringToObject(o, "server", ipv4_format(c->dest_ip, ip));
		cJSON_AddNumberToObject(o, "port", c->port);
		cJSON_AddStringToObject(o, "proto", c->udp ? "udp" : "tcp");
		cJSON_AddStringToObject(o, "outcome", testapp_outcome_name(r->outcome));
		if (r->detail[0])
			cJSON_AddStringToObject(o, "detail", r->detail);
		if (c->has_expect)
			cJSON_AddStringToObject(o, "expected", testapp_outcome_name(c->expect));
		cJSON_AddNumberToObject(o, "bytes_sent", (double)r->bytes_sent);
		cJSON_AddNumberToObject(o, "bytes_received", (double)r->bytes_received);
		if (c->udp) {
			cJSON_AddNumberToObject(o, "datagrams_sent", r->datagrams_sent);
			cJSON_AddNumberToObject(o, "datagrams_received", r->datagrams_received);
		}
		if (r->started >= 0)
			cJSON_AddNumberToObject(o, "start_ns", (double)r->started);
		if (r->finished >= 0)
			cJSON_AddNumberToObject(o, "end_ns", (double)r->finished);
		cJSON_AddItemToArray(list, o);
	}
	return list;
}

static int write_summary(const char *path, struct obs_summary *sum, struct obs_ledger *ledger, struct scn_world *w,
			 const char *name, uint64_t seed, size_t failed)
{
	cJSON *root = obs_summary_json(sum, scn_world_tcp(w));
	if (root && ledger)
		obs_ledger_add_json(ledger, root);
	if (!root) {
		fprintf(stderr, "mailsim run: cannot build the summary\n");
		return -1;
	}
	(void)seed; /* the summary has it already */
	cJSON_AddStringToObject(root, "scenario", name);
	cJSON_AddItemToObject(root, "clients", clients_json(w));
	cJSON *ex = cJSON_AddObjectToObject(root, "expectations");
	cJSON_AddNumberToObject(ex, "total", (double)scn_world_scenario(w)->expect_count);
	cJSON_AddNumberToObject(ex, "failed", (double)failed);
	char *text = cJSON_Print(root);
	cJSON_Delete(root);
	if (!text) {
		fprintf(stderr, "mailsim run: out of memory writing the summary\n");
		return -1;
	}
	int rc = 0;
	FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
	if (!f) {
		fprintf(stderr, "mailsim run: --summary: cannot create %s: %s\n", path, strerror(errno));
		rc = -1;
	} else {
		if (fputs(text, f) < 0 || fputc('\n', f) < 0)
			rc = -1;
		if (f != stdout ? fclose(f) != 0 : fflush(f) != 0)
			rc = -1;
		if (rc < 0)
			fprintf(stderr, "mailsim run: --summary: cannot write %s\n", path);
	}
	free(text);
	return rc;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = {0};
	int rc = parse_options(argc, argv, &o);
	if (rc >= 0)
		return rc;

	const char *name;
	struct scenario *s = cli_load_scenario(o.file, &name);
	if (!s)
		return 2;

	uint64_t seed = o.has_seed ? o.seed : o.has_faults_seed ? o.faults_seed : s->seed;
	sim_time until = o.has_until ? o.until : s->until;
	char err[512] = "";
	struct scn_world *w = NULL;
	if (o.has_faults_seed) {
		/* As the campaign test does (tests/campaign/campaign.c). */
		sim_time span, cuntil;
		if (scn_campaign_span(s, s->seed, &span, err, sizeof err) < 0 ||
		    scn_campaign_add_faults(s, o.faults_seed, span, &cuntil, err, sizeof err) < 0) {
			fprintf(stderr, "mailsim run: --faults-seed: %s\n", err);
			scenario_free(&s);
			return 2;
		}
		if (!o.has_until)
			until = cuntil;
	}
	w = scn_world_new(s, seed, err, sizeof err);
	struct obs_text_log *log = NULL;
	struct obs_trace *trace = NULL;
	struct obs_pcap *pcap = NULL;
	struct obs_summary *sum = NULL;
	struct obs_ledger *ledger = NULL;
	struct obs_transcript *transcript = NULL;
	int mail = s->mta_count > 0;
	rc = 2;
	if (!w) {
		fprintf(stderr, "mailsim run: %s\n", err);
		goto out;
	}
	struct sim *sim = scn_world_sim(w);
	struct net *net = scn_world_net(w);
	/* The plain `mailsim` demo shows the log: a bare report would teach
	 * nothing. With a FILE the log is asked for with --log. */
	if (o.log || (!o.file && !o.quiet && !mail)) {
		log = obs_text_log_open(sim, net, stdout);
		if (!log) {
			fprintf(stderr, "mailsim run: cannot start the log\n");
			goto out;
		}
	}
	if (o.trace && !(trace = obs_trace_open(sim, net, o.trace, err, sizeof err))) {
		fprintf(stderr, "mailsim run: --trace: %s\n", err);
		goto out;
	}
	if (o.pcap && !(pcap = obs_pcap_open(sim, net, o.pcap, err, sizeof err))) {
		fprintf(stderr, "mailsim run: --pcap: %s\n", err);
		goto out;
	}
	if (o.summary && !(sum = obs_summary_open(sim, net))) {
		fprintf(stderr, "mailsim run: --summary: out of memory\n");
		goto out;
	}
	if (mail && !o.quiet && !o.no_transcript) {
		struct obs_transcript_options to;
		obs_transcript_options_default(&to);
		to.show_plaintext = o.plaintext;
		if (!(transcript = obs_transcript_open(sim, net, stdout, &to))) {
			fprintf(stderr, "mailsim run: cannot start the transcript\n");
			goto out;
		}
	}
	if (mail && !(ledger = obs_ledger_open(sim, net))) {
		fprintf(stderr, "mailsim run: cannot start the mail ledger\n");
		goto out;
	}

	int logged = log != NULL || transcript != NULL;
	enum sim_stop_reason why = scn_world_run(w, until);
	size_t failed = scn_world_failed_expectations(w);
	if (ledger) {
		for (size_t i = 0; i < s->mta_count; i++)
			obs_ledger_declare_mta(ledger, scn_world_mta(w, i));
		if (!obs_ledger_balanced(ledger))
			failed++;
	}
	rc = failed ? 1 : 0;
	if (why == SIM_FAILED) {
		fprintf(stderr, "mailsim run: the simulation failed: %s\n", sim_error(sim) ? sim_error(sim) : "unknown error");
		rc = 1;
	}
	int werr = obs_text_log_close(&log) < 0;
	werr |= obs_transcript_close(&transcript) < 0;
	werr |= obs_trace_close(&trace) < 0;
	werr |= obs_pcap_close(&pcap) < 0;
	if (werr) {
		fprintf(stderr, "mailsim run: writing an output file failed\n");
		rc = 2;
	}
	if (sum && write_summary(o.summary, sum, ledger, w, name, seed, failed) < 0)
		rc = 2;
	if (o.maildir && scn_world_export_maildir(w, o.maildir, err, sizeof err) < 0) {
		fprintf(stderr, "mailsim run: --maildir: %s\n", err);
		rc = 2;
	}
	if (!o.quiet) {
		if (logged)
			fputc('\n', stdout); /* set the report apart from the log */
		print_report(stdout, name, seed, w, why);
	}
	for (size_t i = 0; !o.quiet && i < s->sniffer_count; i++)
		obs_sniffer_print(scn_world_sniffer(w, i), stdout);
	if (ledger) {
		/* The ledger is printed even with --quiet: it is the run's
		 * promise that no accepted mail was lost. */
		if (o.quiet && obs_ledger_balanced(ledger)) {
			struct obs_ledger_totals t;
			obs_ledger_totals(ledger, &t);
			printf("ledger: accepted %zu = delivered %zu + relayed %zu + bounced %zu + discarded %zu + queued "
			       "%zu",
			       t.accepted, t.delivered, t.relayed, t.bounced, t.discarded, t.queued);
			if (t.forwarded) /* as obs_ledger_print() writes it */
				printf(" + forwarded %zu", t.forwarded);
			printf(": balanced\n");
		} else {
			obs_ledger_print(ledger, stdout);
		}
		if (!obs_ledger_balanced(ledger))
			fprintf(stderr, "mailsim run: the mail ledger does not balance (see above)\n");
	}
	print_failed_expectations(stderr, w);
out:
	obs_transcript_close(&transcript);
	obs_ledger_close(&ledger);
	obs_text_log_close(&log);
	obs_trace_close(&trace);
	obs_pcap_close(&pcap);
	obs_summary_close(&sum);
	scn_world_free(&w);
	scenario_free(&s);
	return rc;
}
