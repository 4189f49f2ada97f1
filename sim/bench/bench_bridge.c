/* `mailsim bench bridge`: messages per second accepted through the bridge
 * (sim/agents/bridge.h) from Postfix's smtp-source, with 1 and 20
 * concurrent sessions, each message fully processed by our engine (SMTP
 * server, Received field, local delivery into the mailstore, which is
 * counted afterwards). Beside it, in the same run, smtp-source into Postfix's
 * smtp-sink (postfix_ref.h), which accepts and throws away: the goal is at
 * least smtp-sink's throughput.
 *
 * The simulated network is a loopback-class LAN (2 us links, 1 Gb/s; --latency)
 * and the simulation runs in real time (--speed 1, the bridge's default),
 * so what is measured is the bridge and the engines, not a modelled
 * network. One session is a chain of about nine round trips per message
 * (handshake, the server's reverse lookup, HELO, MAIL, RCPT, DATA, the
 * text, QUIT, the close), each crossing the simulated network's two hops
 * both ways in real time: with 20 us links that alone is 0.7 ms a message,
 * twice what smtp-sink needs over the real loopback, whose one-way latency
 * is a few microseconds, so the default models the simulated hops like it.
 * Much faster paces make the simulated servers' timeouts (5 minutes of
 * simulated time) shorter than a loaded machine's scheduling delays.
 * Skipped with a note when smtp-source is not installed. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/agents/bridge.h"
#include "sim/agents/mailstore.h"
#include "sim/bench/bench.h"
#include "sim/bench/postfix_ref.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/observe/ledger.h"
#include "sim/scenario/diag.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/world.h"

#define MAX_RUNS 8

/* bridge-lab's shape, reduced: the gateway "lab" and the server "mx"; the
 * links' latency is filled in (%s, three times). */
static const char SCENARIO[] =
	"{\"title\": \"bench bridge\", \"seed\": 1,"
	" \"hosts\": [{\"name\": \"lab\", \"role\": \"ua\", \"ip\": \"10.0.1.10\", \"fqdn\": \"lab.example.org\"},"
	"  {\"name\": \"mx\", \"role\": \"mta\", \"ip\": \"10.0.2.25\", \"fqdn\": \"mx.example.org\"},"
	"  {\"name\": \"dns\", \"role\": \"dns\", \"ip\": \"10.0.4.53\"},"
	"  {\"name\": \"r\", \"role\": \"router\", \"interfaces\": [{\"name\": \"a\", \"ip\": \"10.0.1.1\"},"
	"   {\"name\": \"b\", \"ip\": \"10.0.2.1\"}, {\"name\": \"c\", \"ip\": \"10.0.4.1\"}]}],"
	" \"links\": [{\"a\": \"lab\", \"b\": \"r\", \"b_iface\": \"a\", \"latency\": \"%s\", \"bandwidth\": \"1Gbps\"},"
	"  {\"a\": \"mx\", \"b\": \"r\", \"b_iface\": \"b\", \"latency\": \"%s\", \"bandwidth\": \"1Gbps\"},"
	"  {\"a\": \"dns\", \"b\": \"r\", \"b_iface\": \"c\", \"latency\": \"%s\", \"bandwidth\": \"1Gbps\"}],"
	" \"dns\": {\"server\": \"dns\", \"auto_records\": true, \"zones\": [{\"origin\": \"example.org\","
	"  \"records\": [{\"name\": \"example.org\", \"type\": \"MX\", \"value\": \"10 mx.example.org\"}]}]},"
	" \"mtas\": [{\"host\": \"mx\", \"domains\": [\"example.org\"], \"disk\": \"4GiB\","
	"  \"users\": [{\"address\": \"maria@example.org\", \"password\": \"x\"}]}]}";

struct run {
	int sessions;
	double wall_s;
	uint64_t stored;      /* messages in maria's INBOX afterwards */
	uint64_t source_count; /* what smtp-source counted */
	int ledger_ok;
	struct postfix_ref ref;
	int ref_done;
	char err[512];
};

struct watch {
	pid_t pid;
	int status;
	int exited;
	int64_t deadline_ns;
	int handler;
};

static void watch_child(struct sim *sim, void *ctx)
{
	struct watch *w = ctx;
	if (waitpid(w->pid, &w->status, WNOHANG) == w->pid) {
		w->exited = 1;
		sim_stop(sim);
		return;
	}
	if (bench_wall_ns() > w->deadline_ns) {
		kill(w->pid, SIGKILL);
		waitpid(w->pid, &w->status, 0);
		w->exited = -1;
		sim_stop(sim);
		return;
	}
	sim_after(sim, 10 * SIM_MS, w->handler, w);
}

static const char *find_source(void)
{
	static const char *const dirs[] = {"/usr/sbin/smtp-source", "/usr/lib/postfix/smtp-source",
					   "/usr/libexec/postfix/smtp-source"};
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if (access(dirs[i], X_OK) == 0)
			return dirs[i];
	return NULL;
}

static uint64_t last_counter(int fd)
{
	char buf[65536];
	off_t end = lseek(fd, 0, SEEK_END);
	if (end <= 0)
		return 0;
	off_t from = end > (off_t)sizeof buf - 1 ? end - (off_t)sizeof buf + 1 : 0;
	if (lseek(fd, from, SEEK_SET) < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	uint64_t last = 0;
	for (char *p = buf; *p;) {
		if (*p >= '0' && *p <= '9') {
			last = strtoull(p, &p, 10);
		} else {
			p++;
		}
	}
	return last;
}

static int one_run(const char *source, int sessions, uint64_t messages, uint32_t size, double speed,
		   sim_time latency, struct run *r)
{
	r->sessions = sessions;
	char lat[32], text[sizeof SCENARIO + 64];
	snprintf(lat, sizeof lat, "%lldns", (long long)latency);
	int tl = snprintf(text, sizeof text, SCENARIO, lat, lat, lat);
	struct scn_diag *diag = scn_diag_new();
	struct scenario *s =
		diag && tl > 0 ? scenario_load_text("bench-bridge", text, (size_t)tl, diag) : NULL;
	scn_diag_free(&diag);
	char err[200] = "";
	struct scn_world *w = s ? scn_world_new(s, 1, err, sizeof err) : NULL;
	struct bridge *b = NULL;
	struct obs_ledger *ledger = NULL;
	int rc = -1, fd = -1;
	if (!w) {
		snprintf(r->err, sizeof r->err, "cannot build the world: %s", err[0] ? err : "out of memory");
		goto out;
	}
	struct sim *sim = scn_world_sim(w);
	struct net *net = scn_world_net(w);
	ledger = obs_ledger_open(sim, net);
	int lab = net_host_by_name(net, "lab"), mx = net_host_by_name(net, "mx");
	uint16_t port = 0;
	b = bridge_new(scn_world_env(w), lab, err, sizeof err);
	if (!b || !ledger || bridge_listen(b, "127.0.0.1", 0, net_host_ip(net, mx, 0), 25, &port, err, sizeof err) < 0 ||
	    bridge_start(b, 10 * SIM_MS) < 0) {
		snprintf(r->err, sizeof r->err, "cannot start the bridge: %s", err[0] ? err : "out of memory");
		goto out;
	}
	/* A session's simulated connection finishes closing a simulated round
	 * trip after its real client has hung up and connected again, so a
	 * session can hold two at once: sessions + 16 refused connections at
	 * the start of loaded runs (smtp-source then dies with "lost
	 * connection while reading server greeting"). */
	bridge_set_max_connections(b, 2 * (size_t)sessions + 16);
	char path[] = "/tmp/mailsim-bench-bridge-XXXXXX";
	fd = mkstemp(path);
	if (fd < 0) {
		snprintf(r->err, sizeof r->err, "cannot make a temporary file");
		goto out;
	}
	unlink(path);
	char sess[16], nmsg[24], len[16], addr[32];
	snprintf(sess, sizeof sess, "%d", sessions);
	snprintf(nmsg, sizeof nmsg, "%llu", (unsigned long long)messages);
	snprintf(len, sizeof len, "%u", (unsigned)size);
	snprintf(addr, sizeof addr, "127.0.0.1:%u", (unsigned)port);
	char *argv[] = {(char *)source, "-c", "-s", sess, "-m", nmsg, "-l", len, "-f", "juan@example.org", "-t",
			"maria@example.org", addr, NULL};
	fflush(NULL);
	int64_t t0 = bench_wall_ns();
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0) {
		snprintf(r->err, sizeof r->err, "fork: %s", strerror(errno));
		goto out;
	}
	struct watch wt = {.pid = pid, .deadline_ns = t0 + 300 * (int64_t)1000000000};
	wt.handler = sim_handler(sim, watch_child);
	sim_after(sim, 10 * SIM_MS, wt.handler, &wt);
	sim_set_clock(sim, bridge_clock(b));
	while (!wt.exited) {
		enum sim_stop_reason why = sim_run_realtime(sim, speed, SIM_TIME_NEVER);
		if (why == SIM_FAILED || why == SIM_DRAINED)
			break;
	}
	sim_set_clock(sim, NULL);
	r->wall_s = (double)(bench_wall_ns() - t0) / 1e9;
	if (wt.exited != 1 || !WIFEXITED(wt.status) || WEXITSTATUS(wt.status) != 0) {
		if (!wt.exited) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		/* Say what smtp-source said last (its error line). */
		char tail[200] = "";
		off_t end = lseek(fd, 0, SEEK_END);
		if (end > 0 && lseek(fd, end > 199 ? end - 199 : 0, SEEK_SET) >= 0) {
			ssize_t k = read(fd, tail, sizeof tail - 1);
			tail[k > 0 ? k : 0] = 0;
			for (char *q = tail; *q; q++)
				if (*q == '\r' || *q == '\n')
					*q = ' ';
		}
		const struct bridge_stats *st = bridge_stats(b);
		snprintf(r->err, sizeof r->err,
			 "smtp-source %s (exit %d; the bridge accepted %llu connections, refused %llu, peak %llu): ...%s",
			 wt.exited == -1 ? "ran past 300 s and was killed" : "failed",
			 WIFEXITED(wt.status) ? WEXITSTATUS(wt.status) : -1, (unsigned long long)st->accepted,
			 (unsigned long long)st->refused, (unsigned long long)st->peak_active, tail);
		goto out;
	}
	r->source_count = last_counter(fd);
	bridge_stop_listening(b);
	/* Let the last connections close. */
	scn_world_run(w, sim_now(sim) + 5 * SIM_S);
	struct mailstore *store = scn_world_mailstore(w, 0);
	struct ms_user *u = store ? mailstore_find_user(store, "maria@example.org") : NULL;
	struct ms_folder *inbox = u ? ms_folder_find(u, "INBOX") : NULL;
	r->stored = inbox ? ms_folder_size(inbox) : 0;
	obs_ledger_declare_mta(ledger, scn_world_mta(w, 0));
	r->ledger_ok = obs_ledger_balanced(ledger);
	if (r->stored != messages || !r->ledger_ok) {
		snprintf(r->err, sizeof r->err, "%llu of %llu messages stored, ledger %s",
			 (unsigned long long)r->stored, (unsigned long long)messages,
			 r->ledger_ok ? "balanced" : "not balanced");
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	bridge_free(&b);
	obs_ledger_close(&ledger);
	scn_world_free(&w);
	scenario_free(&s);
	return rc;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mailsim bench bridge [--json] [--messages N] [--size BYTES] [--sessions LIST]\n"
		"                            [--speed X] [--latency TIME] [--no-postfix]\n\n"
		"Messages per second that Postfix's smtp-source delivers through the bridge\n"
		"into a simulated MTA (each message accepted, given a Received field and\n"
		"stored in a mailbox), beside smtp-source into Postfix's smtp-sink, which\n"
		"throws messages away. Needs the postfix package (smtp-source, smtp-sink).\n\n"
		"  --messages N   messages per run (default 2000)\n"
		"  --size BYTES   message size (default 1000)\n"
		"  --sessions L   concurrent sessions, a list (default 1,20)\n"
		"  --speed X      simulated seconds per wall second (default 1: real time)\n"
		"  --latency T    one-way latency of each simulated link (default 2us, about the\n"
		"                 real loopback's; the path has two links each way)\n"
		"  --no-postfix   skip the smtp-sink reference\n"
		"  --json         print one JSON object instead of the report\n");
}

int bench_bridge_main(int argc, char **argv)
{
	uint64_t messages = 2000, size = 1000, sess[MAX_RUNS] = {1, 20};
	int nsess = 2, json = 0, no_postfix = 0;
	double speed = 1;
	sim_time latency = 2 * SIM_US;
	static const struct option opts[] = {
		{"latency", required_argument, NULL, 'L'},
		{"messages", required_argument, NULL, 'm'}, {"size", required_argument, NULL, 'l'},
		{"sessions", required_argument, NULL, 's'}, {"speed", required_argument, NULL, 'x'},
		{"no-postfix", no_argument, NULL, 'p'},     {"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
	};
	optind = 1;
	opterr = 0;
	int c;
	char *end;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (bench_parse_count(optarg, &messages) < 0 || !messages || messages > 1000000) {
				fprintf(stderr, "mailsim bench bridge: --messages: 1 to 1M\n");
				return 2;
			}
			break;
		case 'l':
			if (bench_parse_count(optarg, &size) < 0 || size < 10 || size > 10000000) {
				fprintf(stderr, "mailsim bench bridge: --size: 10 to 10M bytes\n");
				return 2;
			}
			break;
		case 's':
			nsess = bench_parse_counts(optarg, sess, MAX_RUNS);
			for (int i = 0; nsess > 0 && i < nsess; i++)
				if (!sess[i] || sess[i] > 500)
					nsess = -1;
			if (nsess <= 0) {
				fprintf(stderr, "mailsim bench bridge: --sessions: a list of 1..500, such as 1,20\n");
				return 2;
			}
			break;
		case 'x':
			speed = strtod(optarg, &end);
			if (*end || !(speed > 0) || speed > 1e6) {
				fprintf(stderr, "mailsim bench bridge: --speed: a number above 0\n");
				return 2;
			}
			break;
		case 'L':
			if (sim_time_parse(optarg, &latency) < 0 || latency < 0 || latency > SIM_S) {
				fprintf(stderr, "mailsim bench bridge: --latency: a time from 0 to 1s, such as 2us\n");
				return 2;
			}
			break;
		case 'p':
			no_postfix = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mailsim bench bridge: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	const char *source = find_source();
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "benchmark", "bridge");
	cJSON_AddNumberToObject(root, "messages", (double)messages);
	cJSON_AddNumberToObject(root, "size", (double)size);
	cJSON_AddNumberToObject(root, "speed", speed);
	cJSON_AddNumberToObject(root, "link_latency_us", (double)latency / 1e3);
	cJSON_AddNumberToObject(root, "load_average", bench_load_average());
	if (!source) {
		const char *why = "smtp-source not installed (Debian package postfix)";
		if (json) {
			cJSON_AddStringToObject(root, "skipped", why);
			char *t = cJSON_PrintUnformatted(root);
			puts(t);
			free(t);
		} else {
			printf("bench bridge: skipped: %s\n", why);
		}
		cJSON_Delete(root);
		return 0;
	}
	cJSON *runs = cJSON_AddArrayToObject(root, "runs");
	int failed = 0;
	if (!json)
		printf("bench bridge: %llu messages of %llu bytes per run, simulation at %gx real time, links of %g us "
		       "(load %.2f)\n\n"
		       "%8s  %14s  %14s  %10s\n",
		       (unsigned long long)messages, (unsigned long long)size, speed, (double)latency / 1e3,
		       bench_load_average(), "sessions",
		       "bridge msg/s", "smtp-sink msg/s", "ratio");
	uint32_t *sizes = malloc(messages * sizeof *sizes);
	for (uint64_t i = 0; sizes && i < messages; i++)
		sizes[i] = (uint32_t)size;
	for (int i = 0; i < nsess; i++) {
		struct run r = {0};
		int ok = one_run(source, (int)sess[i], messages, (uint32_t)size, speed, latency, &r) == 0;
		char ref_err[256] = "";
		if (!no_postfix && sizes)
			r.ref_done = postfix_ref_run(sizes, messages, (int)sess[i], 300, &r.ref, ref_err, sizeof ref_err) == 0 &&
				     r.ref.available;
		double ours = ok && r.wall_s > 0 ? (double)messages / r.wall_s : 0;
		double theirs = r.ref_done && r.ref.wall_s > 0 ? (double)r.ref.messages / r.ref.wall_s : 0;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "sessions", (double)sess[i]);
		if (ok) {
			cJSON_AddNumberToObject(o, "wall_s", r.wall_s);
			cJSON_AddNumberToObject(o, "messages_per_s", ours);
			cJSON_AddNumberToObject(o, "stored", (double)r.stored);
			cJSON_AddNumberToObject(o, "source_count", (double)r.source_count);
		} else {
			cJSON_AddStringToObject(o, "error", r.err);
			failed = 1;
		}
		if (r.ref_done) {
			cJSON_AddNumberToObject(o, "smtp_sink_wall_s", r.ref.wall_s);
			cJSON_AddNumberToObject(o, "smtp_sink_messages_per_s", theirs);
			if (ours > 0)
				cJSON_AddNumberToObject(o, "ratio", ours / theirs);
		} else {
			cJSON_AddStringToObject(o, "smtp_sink", no_postfix ? "skipped (--no-postfix)"
							   : ref_err[0] ? ref_err : "smtp-sink not installed");
		}
		cJSON_AddItemToArray(runs, o);
		if (!json) {
			char a[32] = "failed", bb[32] = "-", rr[32] = "-";
			if (ok)
				snprintf(a, sizeof a, "%.0f", ours);
			if (r.ref_done)
				snprintf(bb, sizeof bb, "%.0f", theirs);
			if (ok && r.ref_done)
				snprintf(rr, sizeof rr, "%.2fx", ours / theirs);
			printf("%8llu  %14s  %14s  %10s\n", (unsigned long long)sess[i], a, bb, rr);
			if (!ok)
				printf("          bridge run failed: %s\n", r.err);
			else
				printf("          %llu of %llu stored in the mailbox, ledger balanced, %.2f s\n",
				       (unsigned long long)r.stored, (unsigned long long)messages, r.wall_s);
		}
	}
	free(sizes);
	if (json) {
		char *t = cJSON_PrintUnformatted(root);
		puts(t);
		free(t);
	} else {
		printf("\nratio above 1: the bridge, doing all the work, outpaces smtp-sink, which does none.\n");
	}
	cJSON_Delete(root);
	return failed;
}
