/* Crashes, restarts and clock skews of a run's hosts. See host_life.h. */
#include "sim/agents/host_life.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/agents/agent_env.h"
#include "sim/net/net.h"
#include "sim/net/tcp.h"
#include "sim/net/udp.h"

struct reg {
	int host;
	struct host_life_hooks hooks;
	void *ctx;
};

struct host_life {
	const struct agent_env *env;
	int nhosts;
	unsigned char *down;
	sim_time *skew;
	struct reg *regs;
	size_t nregs, cap;
	size_t crashes;
};

struct host_life *host_life_new(const struct agent_env *env)
{
	struct host_life *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	l->env = env;
	l->nhosts = net_host_count(env->net);
	l->down = calloc((size_t)l->nhosts + 1, 1);
	l->skew = calloc((size_t)l->nhosts + 1, sizeof *l->skew);
	if (!l->down || !l->skew) {
		host_life_free(&l);
		return NULL;
	}
	return l;
}

void host_life_free(struct host_life **lp)
{
	if (!lp || !*lp)
		return;
	struct host_life *l = *lp;
	free(l->down);
	free(l->skew);
	free(l->regs);
	free(l);
	*lp = NULL;
}

static int known(const struct host_life *l, int host) { return l && host >= 0 && host < l->nhosts; }

int host_life_register(struct host_life *l, int host, const struct host_life_hooks *hooks, void *ctx)
{
	if (!l)
		return 0;
	if (!known(l, host) || !hooks)
		return -1;
	if (l->nregs == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct reg *r = realloc(l->regs, cap * sizeof *r);
		if (!r)
			return -1;
		l->regs = r;
		l->cap = cap;
	}
	l->regs[l->nregs++] = (struct reg){host, *hooks, ctx};
	return 0;
}

void host_life_unregister(struct host_life *l, int host, void *ctx)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nregs; i++) {
		if (l->regs[i].host == host && l->regs[i].ctx == ctx) {
			memmove(&l->regs[i], &l->regs[i + 1], (l->nregs - i - 1) * sizeof *l->regs);
			l->nregs--;
			return;
		}
	}
}

struct conn_count {
	int host;
	size_t n;
};

static void count_conn(void *ctx, const struct tcp_conn *c)
{
	struct conn_count *cc = ctx;
	const char *st = tcp_conn_state_name(c);
	if (tcp_conn_host(c) == cc->host && strcmp(st, "CLOSED") != 0 && strcmp(st, "TIME_WAIT") != 0)
		cc->n++;
}

/* The hooks of host, copied: a hook may register or unregister others. */
static size_t hooks_of(const struct host_life *l, int host, struct reg **out)
{
	size_t n = 0;
	for (size_t i = 0; i < l->nregs; i++)
		n += l->regs[i].host == host;
	*out = n ? malloc(n * sizeof **out) : NULL;
	if (n && !*out)
		return 0;
	size_t k = 0;
	for (size_t i = 0; i < l->nregs; i++)
		if (l->regs[i].host == host)
			(*out)[k++] = l->regs[i];
	return k;
}

static const char *or_none(const char *why) { return why && *why ? why : NULL; }

int host_life_crash(struct host_life *l, int host, const char *why)
{
	if (!known(l, host) || l->down[host])
		return -1;
	const struct agent_env *env = l->env;
	struct conn_count cc = {host, 0};
	if (env->tcp)
		tcp_foreach_conn(env->tcp, count_conn, &cc);
	l->down[host] = 1;
	l->crashes++;
	net_host_set_up(env->net, host, 0);
	agent_publish_note(env, host, 0, "fault",
			   "CRASH: %s stops; %zu TCP connection%s vanish%s without a reset, memory is lost, the disk "
			   "(queue, mailboxes) is kept%s%s",
			   net_host_name(env->net, host), cc.n, cc.n == 1 ? "" : "s", cc.n == 1 ? "es" : "",
			   or_none(why) ? ": " : "", or_none(why) ? why : "");
	struct reg *hooks;
	size_t n = hooks_of(l, host, &hooks);
	for (size_t i = n; i-- > 0;)
		if (hooks[i].hooks.crash)
			hooks[i].hooks.crash(hooks[i].ctx, host);
	free(hooks);
	if (env->tcp)
		tcp_host_reset(env->tcp, host);
	if (env->udp)
		udp_host_reset(env->udp, host);
	return 0;
}

int host_life_restart(struct host_life *l, int host, const char *why)
{
	if (!known(l, host) || !l->down[host])
		return -1;
	const struct agent_env *env = l->env;
	l->down[host] = 0;
	net_host_set_up(env->net, host, 1);
	agent_publish_note(env, host, 0, "fault", "RESTART: %s is up again; its servers listen and its queue resumes%s%s",
			   net_host_name(env->net, host), or_none(why) ? ": " : "", or_none(why) ? why : "");
	struct reg *hooks;
	size_t n = hooks_of(l, host, &hooks);
	for (size_t i = 0; i < n; i++)
		if (hooks[i].hooks.restart)
			hooks[i].hooks.restart(hooks[i].ctx, host);
	free(hooks);
	return 0;
}

int host_life_is_up(const struct host_life *l, int host) { return !known(l, host) || !l->down[host]; }

size_t host_life_crashes(const struct host_life *l) { return l ? l->crashes : 0; }

void host_life_set_skew(struct host_life *l, int host, sim_time skew, const char *why)
{
	if (!known(l, host))
		return;
	l->skew[host] = skew;
	char t[40];
	long long sec = (long long)((skew < 0 ? -skew : skew) / SIM_S);
	if (sec && sec % 3600 == 0)
		snprintf(t, sizeof t, "%lld h", sec / 3600);
	else if (sec && sec % 60 == 0)
		snprintf(t, sizeof t, "%lld min", sec / 60);
	else
		snprintf(t, sizeof t, "%lld s", sec);
	if (skew == 0)
		agent_publish_note(l->env, host, 0, "fault", "CLOCK: %s's clock is right again%s%s",
				   net_host_name(l->env->net, host), or_none(why) ? ": " : "", or_none(why) ? why : "");
	else
		agent_publish_note(l->env, host, 0, "fault",
				   "CLOCK: %s's clock runs %s %s: its Date and Received fields will be off by that%s%s",
				   net_host_name(l->env->net, host), t, skew < 0 ? "behind" : "ahead",
				   or_none(why) ? ": " : "", or_none(why) ? why : "");
}

sim_time host_life_skew(const struct host_life *l, int host) { return known(l, host) ? l->skew[host] : 0; }
