/* `mailsim bench smtp`: the SMTP client and server engines talking to each
 * other in memory (no network, no kernel), so the protocol work per hop is
 * measured alone: MAIL, RCPT, DATA with dot-stuffing on one side and
 * framing, unstuffing and the reply logic on the other, PIPELINING on.
 *
 * Bodies are generated from a fixed seed (lines of 20-90 octets, one in
 * ten starting with a dot, so stuffing is exercised). Every message must
 * arrive with exactly its unstuffed size and every recipient must be
 * accepted, or the benchmark fails: a fast broken run is not a figure. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/smtp_client.h"
#include "protocols/smtp_server.h"
#include "sim/bench/bench.h"
#include "sim/core/rng.h"

struct smtp_run {
	uint64_t messages, received, bytes_received, accepted_rcpts, failures;
	int64_t wall_ns, cpu_ns;
};

static void server_message(void *ctx, const struct smtp_envelope *env, const uint8_t *data, size_t len,
			   struct smtp_reply *reply_r)
{
	struct smtp_run *run = ctx;
	(void)env;
	(void)data;
	run->received++;
	run->bytes_received += len;
	reply_r->queue_id = "Q";
}

static void client_rcpt(void *ctx, int job, size_t index, const struct smtp_client_reply *r)
{
	struct smtp_run *run = ctx;
	(void)job;
	(void)index;
	if (r->code / 100 == 2)
		run->accepted_rcpts++;
	else
		run->failures++;
}

static void client_message(void *ctx, int job, const struct smtp_client_reply *r, size_t accepted)
{
	struct smtp_run *run = ctx;
	(void)job;
	(void)accepted;
	if (r->code / 100 != 2)
		run->failures++;
}

/* A body of about size octets in CRLF lines; returns its length. */
static size_t make_body(struct rng *r, uint8_t *b, size_t size)
{
	size_t n = 0;
	static const char head[] = "From: juan@gmail.com\r\nTo: maria@dominio.de.maria\r\nSubject: bench\r\n\r\n";
	memcpy(b, head, sizeof head - 1);
	n = sizeof head - 1;
	while (n + 100 < size) {
		size_t len = 20 + (size_t)rng_below(r, 71);
		for (size_t i = 0; i < len; i++)
			b[n + i] = (uint8_t)('a' + rng_below(r, 26));
		if (rng_below(r, 10) == 0)
			b[n] = '.';
		n += len;
		b[n++] = '\r';
		b[n++] = '\n';
	}
	return n;
}

/* Moves bytes both ways until neither engine has anything to say. */
static void pump(struct smtp_client *c, struct smtp_server *s)
{
	for (;;) {
		size_t n;
		int moved = 0;
		const uint8_t *p = smtp_client_output(c, &n);
		if (n) {
			smtp_server_feed(s, p, n);
			smtp_client_consume(c, n);
			moved = 1;
		}
		p = smtp_server_output(s, &n);
		if (n) {
			smtp_client_feed(c, p, n);
			smtp_server_consume(s, n);
			moved = 1;
		}
		if (!moved)
			return;
	}
}

static int run_smtp(uint64_t messages, uint64_t size, uint64_t rcpts, uint64_t per_conn, uint64_t seed,
		    struct smtp_run *run)
{
	memset(run, 0, sizeof *run);
	run->messages = messages;
	uint8_t *body = malloc(size + 200);
	if (!body)
		return -1;
	struct rng r;
	rng_init_stream(&r, seed, "bench.smtp.body");
	size_t len = make_body(&r, body, size);
	static const char *const all_rcpts[] = {"maria@dominio.de.maria", "mcarri@dc.uba.ar", "pepe@gil.com.ar",
						"postmaster@dominio.de.maria"};
	uint64_t done = 0;
	int64_t w0 = bench_wall_ns(), c0 = bench_cpu_ns();
	while (done < messages) {
		struct smtp_server_config cfg;
		smtp_server_config_init(&cfg, "mx.dominio.de.maria");
		cfg.max_message_size = size + 4096;
		struct smtp_server_host sh = {.ctx = run, .message = server_message};
		struct smtp_server *s = smtp_server_new(&cfg, &sh, "10.0.0.7", NULL);
		struct smtp_client_options o;
		smtp_client_options_init(&o, "mta.gmail.com");
		struct smtp_client_host ch = {.ctx = run, .rcpt = client_rcpt, .message = client_message};
		struct smtp_client *c = smtp_client_new(&o, &ch);
		if (!s || !c) {
			smtp_server_free(&s);
			smtp_client_free(&c);
			free(body);
			return -1;
		}
		for (uint64_t i = 0; i < per_conn && done < messages; i++, done++)
			if (smtp_client_add_message(c, "juan@gmail.com", all_rcpts, rcpts, body, len) < 0)
				run->failures++;
		smtp_client_finish(c);
		pump(c, s);
		if (!smtp_client_done(c) || !smtp_server_should_close(s))
			run->failures++;
		smtp_client_free(&c);
		smtp_server_free(&s);
	}
	run->wall_ns = bench_wall_ns() - w0;
	run->cpu_ns = bench_cpu_ns() - c0;
	int ok = run->failures == 0 && run->received == messages && run->bytes_received == messages * len &&
		 run->accepted_rcpts == messages * rcpts;
	free(body);
	return ok ? 0 : -1;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: mailsim bench smtp [--json] [--messages N] [--size BYTES] [--rcpts R]\n"
		     "                          [--per-connection K] [--seed S]\n\n"
		     "The SMTP client and server engines in memory: N messages of about BYTES octets to R\n"
		     "recipients, K messages per session (RSET between), PIPELINING on.\n\n"
		     "  --messages N         messages sent (default 20k; k and M suffixes allowed)\n"
		     "  --size BYTES         message size (default 20k)\n"
		     "  --rcpts R            recipients per message, 1..4 (default 2)\n"
		     "  --per-connection K   messages per SMTP session (default 100)\n"
		     "  --seed S             seed of the generated body (default 1)\n"
		     "  --json               print one JSON object instead of the report\n");
}

int bench_smtp_main(int argc, char **argv)
{
	uint64_t messages = 20000, size = 20000, rcpts = 2, per_conn = 100, seed = 1;
	int json = 0;
	static const struct option opts[] = {
		{"messages", required_argument, NULL, 'n'},
		{"size", required_argument, NULL, 'z'},
		{"rcpts", required_argument, NULL, 'r'},
		{"per-connection", required_argument, NULL, 'k'},
		{"seed", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		uint64_t *dst = c == 'n' ? &messages : c == 'z' ? &size : c == 'r' ? &rcpts : c == 'k' ? &per_conn : &seed;
		switch (c) {
		case 'n':
		case 'z':
		case 'r':
		case 'k':
		case 's':
			if (bench_parse_count(optarg, dst) < 0) {
				fprintf(stderr, "mailsim bench smtp: '%s' is not a count\n", optarg);
				return 2;
			}
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
	if (optind < argc || messages == 0 || per_conn == 0 || rcpts < 1 || rcpts > 4 || size < 200 ||
	    size > 64 * 1024 * 1024) {
		fprintf(stderr, "mailsim bench smtp: need N >= 1, K >= 1, R in 1..4 and BYTES in 200..64M\n");
		return 2;
	}
	struct smtp_run run;
	int rc = run_smtp(messages, size, rcpts, per_conn, seed, &run);
	if (rc < 0)
		fprintf(stderr, "mailsim bench smtp: the run failed: %" PRIu64 " of %" PRIu64 " messages arrived, %" PRIu64
				" failures\n",
			run.received, messages, run.failures);
	double sec = (double)run.wall_ns / 1e9;
	double mps = sec > 0 ? (double)run.received / sec : 0;
	double mbs = sec > 0 ? (double)run.bytes_received / 1e6 / sec : 0;
	if (json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "benchmark", "smtp");
		cJSON_AddNumberToObject(o, "messages", (double)messages);
		cJSON_AddNumberToObject(o, "message_bytes", (double)(run.received ? run.bytes_received / run.received : 0));
		cJSON_AddNumberToObject(o, "recipients_per_message", (double)rcpts);
		cJSON_AddNumberToObject(o, "messages_per_connection", (double)per_conn);
		cJSON_AddNumberToObject(o, "wall_seconds", sec);
		cJSON_AddNumberToObject(o, "cpu_seconds", (double)run.cpu_ns / 1e9);
		cJSON_AddNumberToObject(o, "messages_per_second", mps);
		cJSON_AddNumberToObject(o, "megabytes_per_second", mbs);
		cJSON_AddNumberToObject(o, "peak_rss_bytes", (double)bench_peak_rss_bytes());
		cJSON_AddNumberToObject(o, "load_average", bench_load_average());
		cJSON_AddBoolToObject(o, "ok", rc == 0);
		if (bench_print_json(&o) < 0)
			return 1;
	} else {
		char a[32], b[32];
		printf("SMTP engines in memory: %s messages of %" PRIu64 " octets, %" PRIu64
		       " recipients each, %" PRIu64 " per session\n",
		       bench_fmt_count((double)messages, a, sizeof a), run.received ? run.bytes_received / run.received : 0,
		       rcpts, per_conn);
		printf("  wall %.3f s, cpu %.3f s: %s messages/s, %.1f MB/s of message data\n", sec,
		       (double)run.cpu_ns / 1e9, bench_fmt_count(mps, b, sizeof b), mbs);
		printf("  peak RSS %.1f MiB, load average %.2f\n", (double)bench_peak_rss_bytes() / 1048576.0,
		       bench_load_average());
	}
	return rc < 0 ? 1 : 0;
}
