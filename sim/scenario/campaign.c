/* Random fault schedules for the fault campaign; see campaign.h. */
#include "sim/scenario/campaign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/rng.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/world.h"

#define MAX_EPISODES 6

int scn_campaign_span(const struct scenario *s, uint64_t run_seed, sim_time *span_r, char *err, size_t errlen)
{
	const sim_time day = 24 * 3600 * SIM_S;
	if (s->until != SIM_TIME_NEVER) {
		*span_r = s->until;
		return 0;
	}
	struct scn_world *w = scn_world_new(s, run_seed, err, errlen);
	if (!w)
		return -1;
	scn_world_run(w, day);
	sim_time end = sim_now(scn_world_sim(w));
	scn_world_free(&w);
	*span_r = end < SIM_S ? SIM_S : end > day ? day : end;
	return 0;
}

/* What an episode breaks. */
enum episode { EP_LINK_DOWN, EP_LINK_SET, EP_CRASH, EP_DNS_DOWN, EP_DNS_SERVFAIL, EP_DISK, EP_CLOCK, EP_COUNT };

static int episode_possible(const struct scenario *s, enum episode e)
{
	switch (e) {
	case EP_LINK_DOWN:
	case EP_LINK_SET: return s->link_count > 0;
	case EP_CRASH:
	case EP_CLOCK: return s->host_count > 0;
	case EP_DNS_DOWN:
	case EP_DNS_SERVFAIL: return s->dns.server >= 0;
	case EP_DISK: return s->mta_count > 0;
	default: return 0;
	}
}

static struct scn_fault blank_fault(sim_time at, enum scn_fault_kind kind)
{
	struct scn_fault f;
	memset(&f, 0, sizeof f);
	f.at = at;
	f.kind = kind;
	f.link = f.host = f.mta = -1;
	return f;
}

/* Fills the fault and its repair of one episode. */
static void make_episode(const struct scenario *s, struct rng *r, enum episode e, sim_time t0, sim_time t1,
			 struct scn_fault *f, struct scn_fault *fix)
{
	switch (e) {
	case EP_LINK_DOWN: {
		int link = (int)rng_below(r, s->link_count);
		*f = blank_fault(t0, SCN_FAULT_DOWN);
		*fix = blank_fault(t1, SCN_FAULT_UP);
		f->link = fix->link = link;
		break;
	}
	case EP_LINK_SET: {
		int link = (int)rng_below(r, s->link_count);
		const struct link_params *p = &s->links[link].params;
		*f = blank_fault(t0, SCN_FAULT_SET);
		*fix = blank_fault(t1, SCN_FAULT_SET);
		f->link = fix->link = link;
		f->set_loss = f->set_latency = fix->set_loss = fix->set_latency = 1;
		f->loss = (double)rng_range(r, 1, 40) / 100; /* 1% to 40% */
		f->latency = p->latency + (sim_time)rng_range(r, 0, 800) * SIM_MS;
		fix->loss = p->loss;
		fix->latency = p->latency;
		break;
	}
	case EP_CRASH: {
		int host = (int)rng_below(r, s->host_count);
		*f = blank_fault(t0, SCN_FAULT_CRASH);
		*fix = blank_fault(t1, SCN_FAULT_RESTART);
		f->host = fix->host = host;
		break;
	}
	case EP_DNS_DOWN:
	case EP_DNS_SERVFAIL:
		*f = blank_fault(t0, e == EP_DNS_DOWN ? SCN_FAULT_DNS_DOWN : SCN_FAULT_DNS_SERVFAIL);
		*fix = blank_fault(t1, SCN_FAULT_DNS_UP);
		f->host = fix->host = s->dns.server;
		break;
	case EP_DISK: {
		int mta = (int)rng_below(r, s->mta_count);
		*f = blank_fault(t0, SCN_FAULT_DISK_FULL);
		*fix = blank_fault(t1, SCN_FAULT_DISK_FREE);
		f->mta = fix->mta = mta;
		f->host = fix->host = s->mtas[mta].host;
		break;
	}
	default: {
		int host = (int)rng_below(r, s->host_count);
		*f = blank_fault(t0, SCN_FAULT_CLOCK);
		*fix = blank_fault(t1, SCN_FAULT_CLOCK);
		f->host = fix->host = host;
		f->skew = (sim_time)rng_range(r, -12 * 3600, 12 * 3600) * SIM_S;
		fix->skew = 0;
		break;
	}
	}
}

static int by_time(const struct scn_fault *a, const struct scn_fault *b) { return (a->at > b->at) - (a->at < b->at); }

int scn_campaign_add_faults(struct scenario *s, uint64_t faults_seed, sim_time span, sim_time *until_r, char *err,
			    size_t errlen)
{
	struct rng r;
	rng_init_stream(&r, faults_seed, "fault-campaign");
	enum episode kinds[EP_COUNT];
	size_t nkinds = 0;
	for (int e = 0; e < EP_COUNT; e++)
		if (episode_possible(s, (enum episode)e))
			kinds[nkinds++] = (enum episode)e;
	size_t episodes = nkinds ? (size_t)rng_range(&r, 1, MAX_EPISODES) : 0;
	size_t old = s->fault_count;
	struct scn_fault *all = realloc(s->faults, (old + 2 * episodes + 1) * sizeof *all);
	if (!all) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->faults = all;
	if (span < 2)
		span = 2;
	for (size_t k = 0; k < episodes; k++) {
		enum episode e = kinds[rng_below(&r, nkinds)];
		/* Half the faults start in the first 30 s, where most scenarios
		 * send their mail, and half are short (up to 10 s), to cut
		 * sessions in the middle rather than only delay them. */
		sim_time early = span < 30 * SIM_S ? span : 30 * SIM_S;
		sim_time t0 = (sim_time)rng_below(&r, (uint64_t)(rng_chance(&r, 0.5) ? early : span) - 1);
		sim_time longest = span - t0;
		if (rng_chance(&r, 0.5) && longest > 10 * SIM_S)
			longest = 10 * SIM_S;
		sim_time t1 = t0 + 1 + (sim_time)rng_below(&r, (uint64_t)longest);
		struct scn_fault *f = &all[s->fault_count], *fix = &all[s->fault_count + 1];
		make_episode(s, &r, e, t0, t1, f, fix);
		char what[64];
		snprintf(what, sizeof what, "campaign episode %zu", k + 1);
		f->description = strdup(what);
		fix->description = strdup(what);
		s->fault_count += 2;
		if (!f->description || !fix->description) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	/* Stable, as the loader's: at equal times the scenario's own faults
	 * come first, then the episodes in the order drawn. */
	for (size_t a = old; a < s->fault_count; a++) {
		struct scn_fault f = s->faults[a];
		size_t b = a;
		while (b > 0 && by_time(&s->faults[b - 1], &f) > 0) {
			s->faults[b] = s->faults[b - 1];
			b--;
		}
		s->faults[b] = f;
	}
	*until_r = span + SCN_CAMPAIGN_GRACE;
	return 0;
}
