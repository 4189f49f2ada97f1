/* `mailsim bench mailbox`: reading mail, timed per command, mailsim's own
 * POP3 and IMAP server engines in process beside a real Dovecot.
 *
 * U users with M messages each (mailbox_gen.h) are put in one mailstore.
 * For every user, one IMAP session (LOGIN, SELECT INBOX, FETCH 1:* (UID
 * FLAGS ENVELOPE), SEARCH FROM "<a surname>", LOGOUT) then one POP3
 * session (USER, PASS, STAT, LIST, UIDL, RETR of every message, QUIT) are
 * driven through the engines in process (mailbox_engines.h): command bytes
 * fed in, output drained, no network. Each command is timed from the
 * first byte sent to the last byte of its response read, and reported as
 * the median and 99th percentile over the users, and the total.
 *
 * Beside it, in the same run, the first K users (default 20) are written
 * as Maildir and served by a throwaway Dovecot on loopback
 * (dovecot_ref.h); the same client sends the same commands over real
 * sockets, one at a time, so Dovecot's figures are round trips. Dovecot
 * first syncs every user once untimed-as-a-command (it builds its index
 * and cache then; that first sync is reported apart) and is then measured
 * warm, its best case.
 *
 * Every response is checked: FETCH must answer for every message, SEARCH
 * must find exactly the messages whose From has the surname, LIST and UIDL
 * must list every message and the RETRs must return every octet of the
 * mailbox. A run that fails a check is broken (exit 1). Dovecot missing or
 * not starting is not: the report says why and gives mailsim's figures. */
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/agents/mailstore.h"
#include "sim/bench/bench.h"
#include "sim/bench/dovecot_ref.h"
#include "sim/bench/mailbox_client.h"
#include "sim/bench/mailbox_engines.h"
#include "sim/bench/mailbox_gen.h"

#define DEFAULT_DISTINCT 50000
#define DEFAULT_DOVECOT_USERS 20
#define GOAL_RATIO 10.0

enum metric {
	M_IMAP_LOGIN,
	M_SELECT,
	M_FETCH,
	M_SYNC,
	M_SEARCH,
	M_LOGOUT,
	M_POP3_LOGIN,
	M_STAT,
	M_LIST,
	M_UIDL,
	M_RETR_ALL,
	M_QUIT,
	M_DOWNLOAD,
	M_RETR_ONE, /* one sample per message, not per user */
	M_FIRST_SYNC, /* Dovecot only: the sync that builds its index */
	M_COUNT,
};

static const struct {
	const char *key, *label;
	int pop3;
} METRICS[M_COUNT] = {
	[M_IMAP_LOGIN] = {"imap_login", "IMAP connect, greeting, LOGIN", 0},
	[M_SELECT] = {"imap_select", "IMAP SELECT INBOX", 0},
	[M_FETCH] = {"imap_fetch", "IMAP FETCH 1:* (UID FLAGS ENVELOPE)", 0},
	[M_SYNC] = {"imap_sync", "IMAP full sync (SELECT + FETCH)", 0},
	[M_SEARCH] = {"imap_search", "IMAP SEARCH FROM \"surname\"", 0},
	[M_LOGOUT] = {"imap_logout", "IMAP LOGOUT", 0},
	[M_POP3_LOGIN] = {"pop3_login", "POP3 connect, greeting, USER, PASS", 1},
	[M_STAT] = {"pop3_stat", "POP3 STAT", 1},
	[M_LIST] = {"pop3_list", "POP3 LIST", 1},
	[M_UIDL] = {"pop3_uidl", "POP3 UIDL", 1},
	[M_RETR_ALL] = {"pop3_retr_all", "POP3 RETR of every message", 1},
	[M_QUIT] = {"pop3_quit", "POP3 QUIT", 1},
	[M_DOWNLOAD] = {"pop3_download", "POP3 download (STAT..QUIT)", 1},
	[M_RETR_ONE] = {"pop3_retr_one", "POP3 one RETR (per message)", 1},
	[M_FIRST_SYNC] = {"imap_first_sync_cold", "IMAP first sync (Dovecot builds its index)", 0},
};

/* The three figures the issue sets the goal on. */
static const enum metric GOALS[] = {M_SYNC, M_SEARCH, M_DOWNLOAD};

/* A command's time: wall clock, and this process's CPU time (what the
 * in-process engines really cost when the machine is busy; for Dovecot it
 * is only the client's and is not reported). */
struct lap {
	int64_t wall, cpu;
};

struct samples {
	int64_t *ns, *cpu;
	size_t n, cap;
};

struct stat_figs {
	size_t n;
	double median_us, p99_us, mean_us, max_us, total_s;
};

/* The CPU clock is read outside the wall clock, so the wall time does not
 * include the CPU clock's system call. */
static void lap_start(struct lap *l)
{
	l->cpu = bench_cpu_ns();
	l->wall = bench_wall_ns();
}

static void lap_stop(struct lap *l)
{
	l->wall = bench_wall_ns() - l->wall;
	l->cpu = bench_cpu_ns() - l->cpu;
}

static void lap_add(struct lap *sum, const struct lap *l)
{
	sum->wall += l->wall;
	sum->cpu += l->cpu;
}

/* One side of the comparison: how to open a session, and what it measured. */
struct side {
	const char *name;
	int is_dovecot;
	struct mailstore *store;   /* mailsim */
	struct dovecot_ref *dc;    /* Dovecot */
	uint32_t users;            /* measured */
	struct samples s[M_COUNT];
	uint64_t bytes_received;
	char error[400];
};

struct run {
	const struct mbox_corpus *corpus;
	uint32_t messages;
};

static int add_sample(struct samples *s, struct lap l)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		int64_t *v = realloc(s->ns, cap * sizeof *v);
		if (v)
			s->ns = v;
		int64_t *c = v ? realloc(s->cpu, cap * sizeof *c) : NULL;
		if (!c)
			return -1;
		s->cpu = c;
		s->cap = cap;
	}
	s->ns[s->n] = l.wall;
	s->cpu[s->n++] = l.cpu;
	return 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Nearest-rank percentiles (the median of 20 samples is the 10th). */
static struct stat_figs figures_of(const struct samples *s, int cpu)
{
	struct stat_figs f = {.n = s->n};
	if (!s->n)
		return f;
	int64_t *v = malloc(s->n * sizeof *v);
	if (!v)
		return f;
	memcpy(v, cpu ? s->cpu : s->ns, s->n * sizeof *v);
	qsort(v, s->n, sizeof *v, cmp_i64);
	double total = 0;
	for (size_t i = 0; i < s->n; i++)
		total += (double)v[i];
	size_t r50 = (s->n + 1) / 2, r99 = (size_t)((double)s->n * 0.99 + 0.999999);
	f.median_us = (double)v[r50 - 1] / 1e3;
	f.p99_us = (double)v[(r99 ? r99 : 1) - 1] / 1e3;
	f.mean_us = total / (double)s->n / 1e3;
	f.max_us = (double)v[s->n - 1] / 1e3;
	f.total_s = total / 1e9;
	free(v);
	return f;
}

static int side_fail(struct side *sd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int side_fail(struct side *sd, const char *fmt, ...)
{
	if (!sd->error[0]) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(sd->error, sizeof sd->error, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int open_session(struct side *sd, int pop3, struct mbx_io *io, char *err, size_t errlen)
{
	if (sd->is_dovecot)
		return dovecot_ref_connect(sd->dc, pop3 ? DOVECOT_POP3 : DOVECOT_IMAP, io, err, errlen);
	return mbx_engine_open(pop3 ? MBX_ENGINE_POP3 : MBX_ENGINE_IMAP, sd->store, io, err, errlen);
}

static void close_session(struct side *sd, struct mbx_io *io)
{
	if (sd->is_dovecot)
		dovecot_ref_disconnect(io);
	else
		mbx_engine_close(io);
}

/* Runs one command; fails the side unless it answered OK / +OK. */
static int imap_cmd(struct side *sd, struct mbx_client *c, const char *user, const char *cmd,
		    struct mbx_result *r, struct lap *lap_r)
{
	lap_start(lap_r);
	int rc = mbx_imap_command(c, cmd, r);
	lap_stop(lap_r);
	if (rc < 0)
		return side_fail(sd, "%s: %s: %s", user, cmd, mbx_client_error(c));
	sd->bytes_received += r->bytes;
	if (r->status != 'O')
		return side_fail(sd, "%s: %s: %s", user, cmd, r->text);
	return 0;
}

static int pop3_cmd(struct side *sd, struct mbx_client *c, const char *user, const char *cmd, int multiline,
		    struct mbx_result *r, struct lap *lap_r)
{
	lap_start(lap_r);
	int rc = mbx_pop3_command(c, cmd, multiline, r);
	lap_stop(lap_r);
	if (rc < 0)
		return side_fail(sd, "%s: %s: %s", user, cmd, mbx_client_error(c));
	sd->bytes_received += r->bytes;
	if (r->status != '+')
		return side_fail(sd, "%s: %s: %s", user, cmd, r->text);
	return 0;
}

/* Connect, greeting and login: the session's start, timed as one. */
static struct mbx_client *imap_login(struct side *sd, const char *login, const char *password, struct mbx_io *io,
				     struct lap *lap_r)
{
	char err[300], cmd[200];
	lap_start(lap_r);
	if (open_session(sd, 0, io, err, sizeof err) < 0) {
		side_fail(sd, "%s: IMAP session: %s", login, err);
		return NULL;
	}
	struct mbx_client *c = mbx_client_new(io);
	struct mbx_result r;
	if (!c || mbx_imap_greeting(c, &r) < 0 || r.status != 'O') {
		side_fail(sd, "%s: IMAP greeting: %s", login, c ? mbx_client_error(c) : "out of memory");
		mbx_client_free(&c);
		close_session(sd, io);
		return NULL;
	}
	snprintf(cmd, sizeof cmd, "LOGIN \"%s\" \"%s\"", login, password);
	struct lap lap;
	if (imap_cmd(sd, c, login, cmd, &r, &lap) < 0) {
		mbx_client_free(&c);
		close_session(sd, io);
		return NULL;
	}
	lap_stop(lap_r);
	return c;
}

static void logins_of(const struct side *sd, uint32_t u, char *login, size_t cap, char *password, size_t pcap)
{
	if (sd->is_dovecot)
		mbox_user_address(u, login, cap);
	else
		mbox_user_login(u, login, cap);
	mbox_user_password(u, password, pcap);
}

/* Dovecot's first look at a mailbox: it builds its index and cache. */
static int imap_first_sync(struct side *sd, const struct run *run, uint32_t u)
{
	char login[64], password[32];
	logins_of(sd, u, login, sizeof login, password, sizeof password);
	struct mbx_io io = {0};
	struct lap t_login, t_select, t_fetch, t_logout;
	struct mbx_client *c = imap_login(sd, login, password, &io, &t_login);
	if (!c)
		return -1;
	struct mbx_result r;
	int rc = imap_cmd(sd, c, login, "SELECT INBOX", &r, &t_select);
	rc = rc ? rc : imap_cmd(sd, c, login, "FETCH 1:* (UID FLAGS ENVELOPE)", &r, &t_fetch);
	if (rc == 0 && r.fetches != run->messages)
		rc = side_fail(sd, "%s: first FETCH answered for %u of %u messages", login, r.fetches, run->messages);
	rc = rc ? rc : imap_cmd(sd, c, login, "LOGOUT", &r, &t_logout);
	mbx_client_free(&c);
	close_session(sd, &io);
	lap_add(&t_select, &t_fetch);
	if (rc == 0 && add_sample(&sd->s[M_FIRST_SYNC], t_select) < 0)
		rc = side_fail(sd, "out of memory");
	return rc;
}

static int imap_user(struct side *sd, const struct run *run, uint32_t u)
{
	char login[64], password[32], cmd[160];
	logins_of(sd, u, login, sizeof login, password, sizeof password);
	struct mbx_io io = {0};
	struct lap t[M_COUNT] = {{0, 0}};
	struct mbx_client *c = imap_login(sd, login, password, &io, &t[M_IMAP_LOGIN]);
	if (!c)
		return -1;
	struct mbx_result r;
	int rc = imap_cmd(sd, c, login, "SELECT INBOX", &r, &t[M_SELECT]);
	rc = rc ? rc : imap_cmd(sd, c, login, "FETCH 1:* (UID FLAGS ENVELOPE)", &r, &t[M_FETCH]);
	if (rc == 0 && r.fetches != run->messages)
		rc = side_fail(sd, "%s: FETCH 1:* answered for %u of %u messages", login, r.fetches, run->messages);
	const char *term = mbox_corpus_search_term(run->corpus, u);
	snprintf(cmd, sizeof cmd, "SEARCH FROM \"%s\"", term);
	rc = rc ? rc : imap_cmd(sd, c, login, cmd, &r, &t[M_SEARCH]);
	uint32_t want = mbox_corpus_search_hits(run->corpus, u);
	if (rc == 0 && r.search_hits != want)
		rc = side_fail(sd, "%s: SEARCH FROM \"%s\" found %u messages; %u have it in From", login, term,
			       r.search_hits, want);
	rc = rc ? rc : imap_cmd(sd, c, login, "LOGOUT", &r, &t[M_LOGOUT]);
	mbx_client_free(&c);
	close_session(sd, &io);
	if (rc < 0)
		return rc;
	t[M_SYNC] = t[M_SELECT];
	lap_add(&t[M_SYNC], &t[M_FETCH]);
	static const enum metric kept[] = {M_IMAP_LOGIN, M_SELECT, M_FETCH, M_SYNC, M_SEARCH, M_LOGOUT};
	for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
		if (add_sample(&sd->s[kept[i]], t[kept[i]]) < 0)
			return side_fail(sd, "out of memory");
	return 0;
}

static int pop3_user(struct side *sd, const struct run *run, uint32_t u)
{
	char login[64], password[32], cmd[160], err[300];
	logins_of(sd, u, login, sizeof login, password, sizeof password);
	struct lap t[M_COUNT] = {{0, 0}}, lap;
	struct mbx_io io = {0};
	lap_start(&t[M_POP3_LOGIN]);
	if (open_session(sd, 1, &io, err, sizeof err) < 0)
		return side_fail(sd, "%s: POP3 session: %s", login, err);
	struct mbx_client *c = mbx_client_new(&io);
	struct mbx_result r;
	int rc = 0;
	if (!c || mbx_pop3_greeting(c, &r) < 0 || r.status != '+')
		rc = side_fail(sd, "%s: POP3 greeting: %s", login, c ? mbx_client_error(c) : "out of memory");
	snprintf(cmd, sizeof cmd, "USER %s", login);
	rc = rc ? rc : pop3_cmd(sd, c, login, cmd, 0, &r, &lap);
	snprintf(cmd, sizeof cmd, "PASS %s", password);
	rc = rc ? rc : pop3_cmd(sd, c, login, cmd, 0, &r, &lap);
	lap_stop(&t[M_POP3_LOGIN]);
	rc = rc ? rc : pop3_cmd(sd, c, login, "STAT", 0, &r, &t[M_STAT]);
	unsigned long n = 0;
	if (rc == 0 && (sscanf(r.text, "+OK %lu", &n) != 1 || n != run->messages))
		rc = side_fail(sd, "%s: STAT says \"%s\" for %u messages", login, r.text, run->messages);
	rc = rc ? rc : pop3_cmd(sd, c, login, "LIST", 1, &r, &t[M_LIST]);
	if (rc == 0 && r.lines != run->messages)
		rc = side_fail(sd, "%s: LIST listed %u of %u messages", login, r.lines, run->messages);
	rc = rc ? rc : pop3_cmd(sd, c, login, "UIDL", 1, &r, &t[M_UIDL]);
	if (rc == 0 && r.lines != run->messages)
		rc = side_fail(sd, "%s: UIDL listed %u of %u messages", login, r.lines, run->messages);
	uint64_t octets = 0;
	for (uint32_t i = 1; rc == 0 && i <= run->messages; i++) {
		snprintf(cmd, sizeof cmd, "RETR %u", i);
		rc = pop3_cmd(sd, c, login, cmd, 1, &r, &lap);
		octets += r.octets;
		lap_add(&t[M_RETR_ALL], &lap);
		if (rc == 0 && add_sample(&sd->s[M_RETR_ONE], lap) < 0)
			rc = side_fail(sd, "out of memory");
	}
	uint64_t want = mbox_corpus_user_bytes(run->corpus, u);
	if (rc == 0 && octets != want)
		rc = side_fail(sd, "%s: the RETRs returned %" PRIu64 " octets of a %" PRIu64 "-octet maildrop", login,
			       octets, want);
	rc = rc ? rc : pop3_cmd(sd, c, login, "QUIT", 0, &r, &t[M_QUIT]);
	mbx_client_free(&c);
	close_session(sd, &io);
	if (rc < 0)
		return rc;
	static const enum metric parts[] = {M_STAT, M_LIST, M_UIDL, M_RETR_ALL, M_QUIT};
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		lap_add(&t[M_DOWNLOAD], &t[parts[i]]);
	static const enum metric kept[] = {M_POP3_LOGIN, M_STAT, M_LIST, M_UIDL, M_RETR_ALL, M_QUIT, M_DOWNLOAD};
	for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
		if (add_sample(&sd->s[kept[i]], t[kept[i]]) < 0)
			return side_fail(sd, "out of memory");
	return 0;
}

/* Every user of the side: IMAP then POP3. */
static int run_side(struct side *sd, const struct run *run, uint32_t users)
{
	if (sd->is_dovecot)
		for (uint32_t u = 0; u < users; u++)
			if (imap_first_sync(sd, run, u) < 0)
				return -1;
	for (uint32_t u = 0; u < users; u++) {
		if (imap_user(sd, run, u) < 0 || pop3_user(sd, run, u) < 0)
			return -1;
	}
	sd->users = users;
	return 0;
}

static void side_free(struct side *sd)
{
	for (int m = 0; m < M_COUNT; m++) {
		free(sd->s[m].ns);
		free(sd->s[m].cpu);
	}
}

/* "850.3 us", "12.41 ms", "1.203 s". */
static const char *fmt_time(double us, char *out, size_t cap)
{
	if (us < 1000)
		snprintf(out, cap, "%.1f us", us);
	else if (us < 1e6)
		snprintf(out, cap, "%.2f ms", us / 1e3);
	else
		snprintf(out, cap, "%.3f s", us / 1e6);
	return out;
}

static cJSON *figs_json(const struct samples *sm, int with_cpu)
{
	struct stat_figs f = figures_of(sm, 0);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "samples", (double)f.n);
	cJSON_AddNumberToObject(o, "median_us", f.median_us);
	cJSON_AddNumberToObject(o, "p99_us", f.p99_us);
	cJSON_AddNumberToObject(o, "mean_us", f.mean_us);
	cJSON_AddNumberToObject(o, "max_us", f.max_us);
	cJSON_AddNumberToObject(o, "total_seconds", f.total_s);
	if (with_cpu) {
		struct stat_figs c = figures_of(sm, 1);
		cJSON_AddNumberToObject(o, "cpu_median_us", c.median_us);
		cJSON_AddNumberToObject(o, "cpu_p99_us", c.p99_us);
		cJSON_AddNumberToObject(o, "cpu_total_seconds", c.total_s);
	}
	return o;
}

static cJSON *side_json(const struct side *sd, double wall_s)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "users_measured", sd->users);
	cJSON_AddNumberToObject(o, "wall_seconds", wall_s);
	cJSON_AddNumberToObject(o, "response_bytes", (double)sd->bytes_received);
	for (int p = 0; p < 2; p++) {
		cJSON *proto = cJSON_AddObjectToObject(o, p ? "pop3" : "imap");
		for (int m = 0; m < M_COUNT; m++)
			if (METRICS[m].pop3 == p && sd->s[m].n)
				cJSON_AddItemToObject(proto, METRICS[m].key, figs_json(&sd->s[m], !sd->is_dovecot));
	}
	return o;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mailsim bench mailbox [--json] [--users N] [--messages M] [--distinct D]\n"
		"                             [--dovecot-users K] [--seed S] [--no-dovecot]\n\n"
		"Reading mail, per command: for each of N users with M messages, an IMAP session\n"
		"(LOGIN, SELECT INBOX, FETCH 1:* (UID FLAGS ENVELOPE), SEARCH FROM \"surname\",\n"
		"LOGOUT) and a POP3 download (USER, PASS, STAT, LIST, UIDL, RETR each, QUIT),\n"
		"through mailsim's server engines in process. Beside it, the same commands to a\n"
		"throwaway Dovecot on loopback over the first K users' mail written as Maildir\n"
		"(round trips over real sockets; Dovecot warm, after a first sync that builds\n"
		"its index). Prints the median and 99th percentile per command and the totals,\n"
		"and Dovecot's median over mailsim's (goal: at least 10). Every response is\n"
		"checked; a wrong one fails the run (exit 1). Without Dovecot (apt-get install\n"
		"dovecot-imapd dovecot-pop3d) the report says so and gives mailsim's figures.\n\n"
		"  --users N          users (default 1000)\n"
		"  --messages M       messages per user (default 1000)\n"
		"  --distinct D       distinct message bodies, shared between users by\n"
		"                     reference (default %d; at least M)\n"
		"  --dovecot-users K  users served by Dovecot (default %d, or N if fewer)\n"
		"  --seed S           seed of the mail (default 1)\n"
		"  --no-dovecot       skip Dovecot\n"
		"  --json             print one JSON object instead of the report\n",
		DEFAULT_DISTINCT, DEFAULT_DOVECOT_USERS);
}

int bench_mailbox_main(int argc, char **argv)
{
	uint64_t users = 1000, messages = 1000, distinct = 0, dc_users = UINT64_MAX, seed = 1;
	int json = 0, no_dovecot = 0;
	static const struct option opts[] = {
		{"users", required_argument, NULL, 'u'},    {"messages", required_argument, NULL, 'm'},
		{"distinct", required_argument, NULL, 'd'}, {"dovecot-users", required_argument, NULL, 'k'},
		{"seed", required_argument, NULL, 's'},     {"no-dovecot", no_argument, NULL, 'n'},
		{"json", no_argument, NULL, 'j'},           {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	optind = 1;
	int c, li = 0;
	while ((c = getopt_long(argc, argv, "", opts, &li)) != -1) {
		uint64_t *target = c == 'u'   ? &users
				   : c == 'm' ? &messages
				   : c == 'd' ? &distinct
				   : c == 'k' ? &dc_users
				   : c == 's' ? &seed
					      : NULL;
		if (target) {
			if (bench_parse_count(optarg, target) < 0) {
				fprintf(stderr, "mailsim bench mailbox: --%s: '%s' is not a count\n", opts[li].name,
					optarg);
				return 2;
			}
			continue;
		}
		switch (c) {
		case 'n':
			no_dovecot = 1;
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
		fprintf(stderr, "mailsim bench mailbox: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (!distinct)
		distinct = messages > DEFAULT_DISTINCT ? messages : DEFAULT_DISTINCT;
	if (dc_users == UINT64_MAX) /* not given: 20, or every user if fewer */
		dc_users = users < DEFAULT_DOVECOT_USERS ? users : DEFAULT_DOVECOT_USERS;
	if (users < 1 || users > 100000 || messages < 1 || messages > 100000 || users * messages > 100000000 ||
	    distinct < messages || distinct > 10000000 || dc_users > users) {
		fprintf(stderr, "mailsim bench mailbox: --users and --messages must be 1..100k (at most 100M messages "
				"in all), --distinct at least --messages and at most 10M, --dovecot-users at most "
				"--users\n");
		return 2;
	}

	double load = bench_load_average();
	char err[400];
	int64_t t0 = bench_wall_ns();
	struct mbox_gen_params gp = {(uint32_t)users, (uint32_t)messages, (uint32_t)distinct, seed};
	struct mbox_corpus *corpus = mbox_corpus_new(&gp, err, sizeof err);
	struct mailstore *store = corpus ? mailstore_new() : NULL;
	int64_t t1 = bench_wall_ns();
	if (!store || mbox_corpus_fill(corpus, store, 0, (uint32_t)users, err, sizeof err) < 0) {
		fprintf(stderr, "mailsim bench mailbox: FAILED: making the mail: %s\n", store ? err : "out of memory");
		mailstore_free(&store);
		mbox_corpus_free(&corpus);
		return 1;
	}
	int64_t t2 = bench_wall_ns();
	struct run run = {corpus, (uint32_t)messages};

	/* mailsim, in process. */
	struct side ours = {.name = "mailsim", .store = store};
	int64_t t3 = bench_wall_ns();
	int rc = run_side(&ours, &run, (uint32_t)users);
	double ours_wall = (double)(bench_wall_ns() - t3) / 1e9;
	uint64_t peak_rss = bench_peak_rss_bytes();

	/* Dovecot, over the first dc_users users' mail. */
	struct side dc = {.name = "Dovecot", .is_dovecot = 1};
	char dc_why[600] = "";
	int dc_ran = 0;
	double dc_wall = 0;
	const char *dc_version = "", *dc_user = "";
	double dc_export = 0, dc_start = 0;
	if (rc == 0 && no_dovecot)
		snprintf(dc_why, sizeof dc_why, "--no-dovecot");
	else if (rc == 0 && dc_users == 0)
		snprintf(dc_why, sizeof dc_why, "--dovecot-users 0");
	if (rc == 0 && !dc_why[0]) {
		struct mailstore *sub = mailstore_new();
		if (!sub || mbox_corpus_fill(corpus, sub, 0, (uint32_t)dc_users, err, sizeof err) < 0) {
			snprintf(dc_why, sizeof dc_why, "making the Dovecot users' mail failed: %s",
				 sub ? err : "out of memory");
		} else if (dovecot_ref_start(sub, &dc.dc, dc_why, sizeof dc_why) == 0) {
			dc_ran = 1;
			int64_t t4 = bench_wall_ns();
			if (run_side(&dc, &run, (uint32_t)dc_users) < 0)
				rc = -1;
			dc_wall = (double)(bench_wall_ns() - t4) / 1e9;
			dc_version = dovecot_ref_version(dc.dc);
			dc_user = dovecot_ref_run_as(dc.dc);
			dc_export = dovecot_ref_export_seconds(dc.dc);
			dc_start = dovecot_ref_start_seconds(dc.dc);
		}
		mailstore_free(&sub);
	}

	uint64_t mail_bytes = mbox_corpus_total_bytes(corpus);
	uint64_t distinct_bytes = mbox_corpus_distinct_bytes(corpus);
	uint32_t n_distinct = mbox_corpus_distinct(corpus), multiparts = mbox_corpus_multiparts(corpus);
	if (rc < 0) {
		fprintf(stderr, "mailsim bench mailbox: FAILED: %s: %s\n", ours.error[0] ? ours.name : dc.name,
			ours.error[0] ? ours.error : dc.error);
		dovecot_ref_stop(&dc.dc);
		side_free(&ours);
		side_free(&dc);
		mailstore_free(&store);
		mbox_corpus_free(&corpus);
		return 1;
	}

	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "benchmark", "mailbox");
	cJSON_AddBoolToObject(root, "ok", 1);
	cJSON_AddNumberToObject(root, "load_average_at_start", load);
	cJSON_AddNumberToObject(root, "seed", (double)seed);
	cJSON_AddNumberToObject(root, "users", (double)users);
	cJSON_AddNumberToObject(root, "messages_per_user", (double)messages);
	cJSON_AddNumberToObject(root, "messages", (double)(users * messages));
	cJSON_AddNumberToObject(root, "distinct_bodies", n_distinct);
	cJSON_AddNumberToObject(root, "distinct_body_bytes", (double)distinct_bytes);
	cJSON_AddNumberToObject(root, "multipart_bodies", multiparts);
	cJSON_AddNumberToObject(root, "mailbox_bytes", (double)mail_bytes);
	cJSON_AddNumberToObject(root, "generate_seconds", (double)(t1 - t0) / 1e9);
	cJSON_AddNumberToObject(root, "fill_store_seconds", (double)(t2 - t1) / 1e9);
	cJSON_AddNumberToObject(root, "peak_rss_bytes", (double)peak_rss);
	cJSON_AddItemToObject(root, "mailsim", side_json(&ours, ours_wall));
	cJSON *dj = dc_ran ? side_json(&dc, dc_wall) : cJSON_CreateObject();
	cJSON_AddBoolToObject(dj, "ran", dc_ran);
	if (dc_ran) {
		cJSON_AddStringToObject(dj, "version", dc_version);
		cJSON_AddStringToObject(dj, "runs_as", dc_user);
		cJSON_AddNumberToObject(dj, "maildir_export_seconds", dc_export);
		cJSON_AddNumberToObject(dj, "start_seconds", dc_start);
	} else {
		cJSON_AddStringToObject(dj, "reason", dc_why);
	}
	cJSON_AddItemToObject(root, "dovecot", dj);
	/* Dovecot's median round trip over mailsim's median, by wall time and
	 * by CPU time: on a busy machine the in-process commands are stretched
	 * by waiting for a core, and CPU time is what they cost. */
	cJSON *ratios = cJSON_AddObjectToObject(root, "dovecot_median_over_mailsim_median");
	cJSON *ratios_cpu = cJSON_AddObjectToObject(root, "dovecot_median_over_mailsim_cpu_median");
	for (int m = 0; m < M_COUNT; m++) {
		if (!dc_ran || !ours.s[m].n || !dc.s[m].n)
			continue;
		struct stat_figs a = figures_of(&ours.s[m], 0), cpu = figures_of(&ours.s[m], 1);
		struct stat_figs b = figures_of(&dc.s[m], 0);
		cJSON_AddNumberToObject(ratios, METRICS[m].key, a.median_us > 0 ? b.median_us / a.median_us : 0);
		cJSON_AddNumberToObject(ratios_cpu, METRICS[m].key, cpu.median_us > 0 ? b.median_us / cpu.median_us : 0);
	}
	cJSON *goals = cJSON_AddObjectToObject(root, "goal_10x");
	cJSON *goals_cpu = cJSON_AddObjectToObject(root, "goal_10x_cpu");
	for (size_t g = 0; g < sizeof GOALS / sizeof GOALS[0]; g++) {
		enum metric m = GOALS[g];
		if (!dc_ran) {
			cJSON_AddStringToObject(goals, METRICS[m].key, "no Dovecot figures");
			cJSON_AddStringToObject(goals_cpu, METRICS[m].key, "no Dovecot figures");
			continue;
		}
		struct stat_figs a = figures_of(&ours.s[m], 0), cpu = figures_of(&ours.s[m], 1);
		struct stat_figs b = figures_of(&dc.s[m], 0);
		cJSON_AddBoolToObject(goals, METRICS[m].key, b.median_us >= GOAL_RATIO * a.median_us);
		cJSON_AddBoolToObject(goals_cpu, METRICS[m].key, b.median_us >= GOAL_RATIO * cpu.median_us);
	}

	if (json) {
		dovecot_ref_stop(&dc.dc);
		side_free(&ours);
		side_free(&dc);
		mailstore_free(&store);
		mbox_corpus_free(&corpus);
		return bench_print_json(&root) < 0 ? 1 : 0;
	}
	cJSON_Delete(root);

	char b1[32], b2[32], b3[32], b4[32], b5[32], b6[32], b7[32];
	printf("Mailbox: %s users x %s messages = %s messages, %.1f MB of mail (%s distinct bodies shared by "
	       "reference, %u multipart), seed %" PRIu64 ", load average %.2f\n",
	       bench_fmt_count((double)users, b1, sizeof b1), bench_fmt_count((double)messages, b2, sizeof b2),
	       bench_fmt_count((double)(users * messages), b3, sizeof b3), (double)mail_bytes / 1e6,
	       bench_fmt_count(n_distinct, b4, sizeof b4), multiparts, seed, load);
	printf("mail composed in %.2f s, stored in %.2f s; peak RSS %.1f MB\n", (double)(t1 - t0) / 1e9,
	       (double)(t2 - t1) / 1e9, (double)peak_rss / 1e6);
	printf("mailsim: server engines in process over the mailstore, every user, %.2f s wall\n", ours_wall);
	if (dc_ran)
		printf("Dovecot %s: its own process (as %s) on loopback, first %" PRIu64 " users (Maildir written in "
		       "%.2f s), client over real sockets,\n  warm (after one first sync per user, shown last), %.2f s "
		       "wall; with %" PRIu64 " samples its p99 is its maximum\n",
		       dc_version, dc_user, dc_users, dc_export, dc_wall, dc_users);
	else
		printf("Dovecot: not run: %s\n", dc_why);
	printf("\n%-38s %10s %10s %10s %10s | %10s %10s %10s | %8s %8s\n", "per user (one RETR: per message)",
	       "mailsim", "p99", "CPU", "total", "Dovecot", "p99", "total", "ratio", "ratio");
	printf("%-38s %10s %10s %10s %10s | %10s %10s %10s | %8s %8s\n", "", "median", "", "median", "", "median", "",
	       "", "(wall)", "(CPU)");
	for (int m = 0; m < M_COUNT; m++) {
		int have_dc = dc_ran && dc.s[m].n;
		if (m == M_FIRST_SYNC && !have_dc)
			continue;
		printf("%-38s ", METRICS[m].label);
		struct stat_figs a = figures_of(&ours.s[m], 0), cpu = figures_of(&ours.s[m], 1);
		struct stat_figs b = figures_of(&dc.s[m], 0);
		if (m == M_FIRST_SYNC)
			printf("%10s %10s %10s %10s | ", "-", "-", "-", "-");
		else
			printf("%10s %10s %10s %10s | ", fmt_time(a.median_us, b1, sizeof b1),
			       fmt_time(a.p99_us, b2, sizeof b2), fmt_time(cpu.median_us, b3, sizeof b3),
			       fmt_time(a.total_s * 1e6, b4, sizeof b4));
		if (have_dc)
			printf("%10s %10s %10s | ", fmt_time(b.median_us, b5, sizeof b5), fmt_time(b.p99_us, b6, sizeof b6),
			       fmt_time(b.total_s * 1e6, b7, sizeof b7));
		else
			printf("%10s %10s %10s | ", "-", "-", "-");
		if (have_dc && m != M_FIRST_SYNC && a.median_us > 0 && cpu.median_us > 0)
			printf("%7.1fx %7.1fx\n", b.median_us / a.median_us, b.median_us / cpu.median_us);
		else
			printf("%8s %8s\n", "-", "-");
	}
	printf("\nGoal: the sync, the search and the download each at least %.0fx faster in process than Dovecot's "
	       "round trips (medians;\nby wall time, and by mailsim's CPU time, which a busy machine does not "
	       "stretch):\n",
	       GOAL_RATIO);
	for (size_t g = 0; g < sizeof GOALS / sizeof GOALS[0]; g++) {
		enum metric m = GOALS[g];
		printf("  %-36s ", METRICS[m].label);
		if (!dc_ran) {
			printf("no Dovecot figures\n");
			continue;
		}
		struct stat_figs a = figures_of(&ours.s[m], 0), cpu = figures_of(&ours.s[m], 1);
		struct stat_figs b = figures_of(&dc.s[m], 0);
		double ratio = a.median_us > 0 ? b.median_us / a.median_us : 0;
		double ratio_cpu = cpu.median_us > 0 ? b.median_us / cpu.median_us : 0;
		printf("%.1fx by wall time: %s; %.1fx by CPU time: %s\n", ratio, ratio >= GOAL_RATIO ? "met" : "NOT met",
		       ratio_cpu, ratio_cpu >= GOAL_RATIO ? "met" : "NOT met");
	}
	dovecot_ref_stop(&dc.dc);
	side_free(&ours);
	side_free(&dc);
	mailstore_free(&store);
	mbox_corpus_free(&corpus);
	return 0;
}
