/* The fault campaign driver (issue 9, docs/reliability.md): runs each
 * scenario given under many random fault schedules (sim/scenario/campaign.h)
 * and checks, after each run, that the simulation did not fail and that the
 * mail ledger balances: every recipient accepted with 250 delivered,
 * relayed, bounced or discarded exactly once, or still queued with a
 * reason. Duplicates pass only as the RFC 1047 kind the ledger reports
 * (anything else makes it unbalanced).
 *
 *   campaign [--runs N] [--first N] [--notes] FILE...
 *
 * Schedule K of a run uses faults seed K, which is also the run's seed, for
 * K = first .. first+runs-1 (default 1 .. 1000). The environment can lower or
 * raise the count (MAILSIM_CAMPAIGN_RUNS, for the sanitizer build) or pick
 * one seed (MAILSIM_CAMPAIGN_SEED). A failure prints the scenario, the seed
 * and the command that replays it:
 *
 *   mailsim run FILE --faults-seed K
 *
 * Exit status: 0 all passed, 1 a run failed, 2 usage or a scenario that
 * does not load. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/agents/mta.h"
#include "sim/core/sim.h"
#include "sim/observe/ledger.h"
#include "sim/scenario/campaign.h"
#include "sim/scenario/diag.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/world.h"

#define FULL_REPORTS 3 /* failures printed with their ledger */

static int verbose; /* --notes: name the schedules that left mail queued or duplicated */

static struct scenario *load(const char *file)
{
	struct scn_diag *diag = scn_diag_new();
	struct scenario *s = diag ? scenario_load_file(file, diag) : NULL;
	if (!s) {
		fprintf(stderr, "campaign: %s does not load\n", file);
		for (size_t i = 0; diag && i < scn_diag_kept(diag); i++)
			fprintf(stderr, "  %s\n", scn_diag_message(diag, i));
	}
	scn_diag_free(&diag);
	return s;
}

struct tally {
	size_t runs, failures, accepted, duplicates, queued;
};

struct stuck_ctx {
	sim_time now;
	size_t n;
	char what[300];
};

static void find_stuck(void *ctx, const char *queue_id, const char *from, const char *rcpt, sim_time next_attempt,
		       const char *last_error)
{
	(void)from;
	struct stuck_ctx *sc = ctx;
	if (next_attempt == SIM_TIME_NEVER || next_attempt > sc->now - 3600 * SIM_S)
		return;
	if (sc->n++ == 0)
		snprintf(sc->what, sizeof sc->what, "queue entry %s for %s stuck: its attempt began over an hour ago (%s)",
			 queue_id, rcpt, last_error && *last_error ? last_error : "no error yet");
}

/* One schedule: 0 passed, 1 failed (reported), -1 could not run. */
static int run_one(const char *file, sim_time span, uint64_t seed, struct tally *t)
{
	struct scenario *s = load(file);
	if (!s)
		return -1;
	char err[512] = "";
	sim_time until;
	int rc = -1;
	struct scn_world *w = NULL;
	struct obs_ledger *l = NULL;
	if (scn_campaign_add_faults(s, seed, span, &until, err, sizeof err) < 0 ||
	    !(w = scn_world_new(s, seed, err, sizeof err))) {
		fprintf(stderr, "campaign: %s, faults seed %" PRIu64 ": %s\n", file, seed, err);
		goto out;
	}
	if (s->mta_count && !(l = obs_ledger_open(scn_world_sim(w), scn_world_net(w)))) {
		fprintf(stderr, "campaign: out of memory\n");
		goto out;
	}
	enum sim_stop_reason why = scn_world_run(w, until);
	const char *fail = NULL;
	if (why == SIM_FAILED)
		fail = "the simulation failed";
	for (size_t i = 0; l && i < s->mta_count; i++)
		if (obs_ledger_declare_mta(l, scn_world_mta(w, i)) < 0)
			fail = "out of memory declaring the queues";
	if (l && !fail && !obs_ledger_balanced(l))
		fail = "the mail ledger does not balance";
	/* Queued mail must have an attempt ahead of it (or one in progress
	 * for less than an hour at the end, even if the run ran out of events
	 * early): an entry stuck in an attempt that never
	 * ends balances the ledger but will never leave. */
	struct stuck_ctx sc = {until, 0, ""};
	for (size_t i = 0; !fail && i < s->mta_count; i++)
		mta_foreach_queued(scn_world_mta(w, i), find_stuck, &sc);
	if (!fail && sc.n)
		fail = sc.what;
	t->runs++;
	if (l) {
		struct obs_ledger_totals tot;
		obs_ledger_totals(l, &tot);
		t->accepted += tot.accepted;
		t->duplicates += tot.duplicates;
		t->queued += tot.queued;
		if (verbose && (tot.queued || tot.duplicates))
			printf("note %s, faults seed %" PRIu64 ": %zu still queued, %zu RFC 1047 duplicates\n", file, seed,
			       tot.queued, tot.duplicates);
	}
	rc = 0;
	if (fail) {
		rc = 1;
		t->failures++;
		fprintf(stderr, "FAIL %s, faults seed %" PRIu64 ": %s%s%s\n  reproduce: mailsim run %s --faults-seed %" PRIu64 "\n",
			file, seed, fail, why == SIM_FAILED ? ": " : "",
			why == SIM_FAILED && sim_error(scn_world_sim(w)) ? sim_error(scn_world_sim(w)) : "", file, seed);
		if (t->failures <= FULL_REPORTS && l)
			obs_ledger_print(l, stderr);
	}
out:
	obs_ledger_close(&l);
	scn_world_free(&w);
	scenario_free(&s);
	return rc;
}

static int parse_u64(const char *text, uint64_t *v)
{
	char *end;
	if (!text || !*text || *text == '-')
		return -1;
	unsigned long long n = strtoull(text, &end, 10);
	if (*end)
		return -1;
	*v = n;
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t runs = 1000, first = 1;
	static const struct option opts[] = {
	    {"runs", required_argument, NULL, 'n'}, {"first", required_argument, NULL, 'f'},
	    {"notes", no_argument, NULL, 'v'},           {NULL, 0, NULL, 0}};
	const char *env = getenv("MAILSIM_CAMPAIGN_RUNS");
	if (env && *env && parse_u64(env, &runs) < 0) {
		fprintf(stderr, "campaign: MAILSIM_CAMPAIGN_RUNS=\"%s\" is not a whole number\n", env);
		return 2;
	}
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'v') {
			verbose = 1;
			continue;
		}
		uint64_t *dst = c == 'n' ? &runs : c == 'f' ? &first : NULL;
		if (!dst || parse_u64(optarg, dst) < 0) {
			fprintf(stderr, "usage: campaign [--runs N] [--first N] [--notes] FILE...\n");
			return 2;
		}
	}
	env = getenv("MAILSIM_CAMPAIGN_SEED");
	if (env && *env) {
		if (parse_u64(env, &first) < 0) {
			fprintf(stderr, "campaign: MAILSIM_CAMPAIGN_SEED=\"%s\" is not a whole number\n", env);
			return 2;
		}
		runs = 1;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: campaign [--runs N] [--first N] [--notes] FILE...\n");
		return 2;
	}
	int status = 0;
	for (int i = optind; i < argc; i++) {
		const char *file = argv[i];
		struct scenario *s = load(file);
		char err[512] = "";
		sim_time span = 0;
		if (!s || scn_campaign_span(s, s->seed, &span, err, sizeof err) < 0) {
			if (s)
				fprintf(stderr, "campaign: %s: %s\n", file, err);
			scenario_free(&s);
			status = 2;
			continue;
		}
		scenario_free(&s);
		struct tally t = {0};
		for (uint64_t k = 0; k < runs; k++)
			if (run_one(file, span, first + k, &t) < 0) {
				status = 2;
				break;
			}
		printf("campaign %s: %zu schedules (faults seeds %" PRIu64 "..%" PRIu64 ") over %.3f s, %zu failed; "
		       "%zu recipients accepted, %zu still queued with a reason, %zu RFC 1047 duplicates\n",
		       file, t.runs, first, first + runs - 1, (double)span / SIM_S, t.failures, t.accepted, t.queued,
		       t.duplicates);
		if (t.failures && status == 0)
			status = 1;
	}
	return status;
}
