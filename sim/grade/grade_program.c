/* Kind "program": compile (C) and run a student's client in the sandbox
 * while the world runs in real time behind a bridge. See grade_program.h. */
#define _POSIX_C_SOURCE 200809L
#include "sim/grade/grade_program.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sim/agents/agent_env.h"
#include "sim/agents/bridge.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/world.h"

/* After the program ends, the world runs on this long at most (real
 * time) for the bridge to pass its last bytes and close its connections. */
#define SETTLE_NS (2000 * 1000000LL)
#define WATCH_INTERVAL (10 * SIM_MS)

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A host by scenario name or fqdn (no case), or -1. */
static int find_host(const struct scenario *s, const struct net *net, const char *name)
{
	int h = net_host_by_name(net, name);
	for (int i = 0; h < 0 && i < net_host_count(net); i++)
		if (strcasecmp(net_host_name(net, i), name) == 0 ||
		    (s->fqdns && (size_t)i < s->host_count && s->fqdns[i] && strcasecmp(s->fqdns[i], name) == 0))
			h = i;
	return h;
}

static int first_host_with_role(const struct scenario *s, const struct net *net, enum scn_role role)
{
	for (size_t i = 0; i < s->host_count; i++)
		if (s->hosts[i].role == role)
			return find_host(s, net, s->hosts[i].name);
	return -1;
}

static int resolve_hosts(struct scn_world *w, const struct grade_program_spec *spec,
			 struct grade_program_outcome *o, char *err, size_t errlen)
{
	const struct scenario *s = scn_world_scenario(w);
	struct net *net = scn_world_net(w);
	o->gateway = spec->via ? find_host(s, net, spec->via) : first_host_with_role(s, net, SCN_ROLE_UA);
	if (o->gateway < 0) {
		if (spec->via)
			snprintf(err, errlen, "program: no host \"%s\" for the bridge's gateway (bridge.via)", spec->via);
		else
			snprintf(err, errlen, "program: the scenario has no \"ua\" host; name the gateway in bridge.via");
		return -1;
	}
	o->server = spec->to ? find_host(s, net, spec->to) : first_host_with_role(s, net, SCN_ROLE_MTA);
	if (o->server < 0) {
		if (spec->to)
			snprintf(err, errlen, "program: no host \"%s\" for the bridge's server (bridge.to)", spec->to);
		else
			snprintf(err, errlen, "program: the scenario has no \"mta\" host; name the server in bridge.to");
		return -1;
	}
	o->server_port = spec->port ? spec->port : 25;
	return 0;
}

/* The language from the file name's extension; 0 when not one taken. */
static enum grade_program_lang language_of(const struct grade_program_spec *spec, struct grade_program_outcome *o)
{
	const char *name = spec->source_name ? spec->source_name : "";
	const char *slash = strrchr(name, '/');
	const char *dot = strrchr(slash ? slash + 1 : name, '.');
	snprintf(o->ext, sizeof o->ext, "%s", dot ? dot : "");
	enum grade_program_lang l = 0;
	if (dot && strcmp(dot, ".c") == 0)
		l = GRADE_PROGRAM_C;
	else if (dot && strcmp(dot, ".py") == 0)
		l = GRADE_PROGRAM_PYTHON;
	return l & spec->languages ? l : 0;
}

static int write_source(const char *dir, const char *name, const struct grade_program_spec *spec, char *err,
			size_t errlen)
{
	char path[600];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wx");
	if (!f) {
		snprintf(err, errlen, "program: cannot write %s", path);
		return -1;
	}
	size_t n = spec->source_len ? fwrite(spec->source, 1, spec->source_len, f) : 0;
	if (fclose(f) != 0 || n != spec->source_len) {
		snprintf(err, errlen, "program: cannot write %s", path);
		return -1;
	}
	return 0;
}

static int compile(const char *dir, struct grade_program_outcome *o, char *err, size_t errlen)
{
	static const char *const argv[] = {"cc", "-O2", "-o", "program", "submission.c", "-lm", NULL};
	struct sandbox_spec sp;
	sandbox_spec_defaults(&sp);
	sp.argv = argv;
	sp.workdir = dir;
	/* The compiler is trusted code on untrusted input: generous but
	 * bounded (a file can make it slow or large). */
	sp.wall_ms = 60000;
	sp.cpu_ms = 30000;
	sp.memory_bytes = 1024ULL << 20;
	sp.nproc = 32;
	sp.fsize_bytes = 64ULL << 20;
	sp.output_cap = 8192;
	if (sandbox_run(&sp, &o->compile, err, errlen) < 0)
		return -1;
	if (!sandbox_outcome_ok(&o->compile))
		o->status = GRADE_PROGRAM_NOT_COMPILED;
	return 0;
}

struct watch {
	struct sandbox *sb;
	struct bridge *b;
	int handler;
	sim_event_id id;
	int done;
	int64_t done_ns;
};

/* Every few simulated milliseconds: drain the program's output, notice
 * its end, and stop the real-time run once the bridge has settled. */
static void watch_tick(struct sim *sim, void *ctx)
{
	struct watch *wt = ctx;
	wt->id = 0;
	if (!wt->done && sandbox_poll(wt->sb, 0)) {
		wt->done = 1;
		wt->done_ns = now_ns();
	}
	if (wt->done && (bridge_stats(wt->b)->active == 0 || now_ns() - wt->done_ns > SETTLE_NS)) {
		sim_stop(sim);
		return;
	}
	wt->id = sim_after(sim, WATCH_INTERVAL, wt->handler, wt);
}

static int run_program(struct scn_world *w, const struct grade_program_spec *spec, const char *dir,
		       struct grade_program_outcome *o, char *err, size_t errlen)
{
	struct sim *sim = scn_world_sim(w);
	struct net *net = scn_world_net(w);
	struct bridge *b = bridge_new(scn_world_env(w), o->gateway, err, errlen);
	if (!b)
		return -1;
	uint16_t port = 0;
	if (bridge_listen(b, "127.0.0.1", 0, net_host_ip(net, o->server, 0), o->server_port, &port, err, errlen) < 0 ||
	    bridge_start(b, 10 * SIM_MS) < 0) {
		if (!err[0])
			snprintf(err, errlen, "program: the bridge could not start");
		bridge_free(&b);
		return -1;
	}
	/* argv: the program, then the exercise's arguments. */
	const char *argv[GRADE_PROGRAM_MAX_ARGS + 6];
	size_t na = 0;
	if (o->lang == GRADE_PROGRAM_C) {
		argv[na++] = "./program";
	} else {
		argv[na++] = "python3";
		argv[na++] = "-I"; /* no user site, no PYTHON* variables */
		argv[na++] = "-B";
		argv[na++] = "submission.py";
	}
	for (size_t i = 0; spec->args[i]; i++)
		argv[na++] = spec->args[i];
	argv[na] = NULL;
	char host_var[64], port_var[64];
	snprintf(host_var, sizeof host_var, "MAILSIM_SMTP_HOST=127.0.0.1");
	snprintf(port_var, sizeof port_var, "MAILSIM_SMTP_PORT=%u", (unsigned)port);
	const char *env[GRADE_PROGRAM_MAX_ARGS + 3];
	size_t ne = 0;
	env[ne++] = host_var;
	env[ne++] = port_var;
	for (size_t i = 0; spec->env[i]; i++)
		env[ne++] = spec->env[i];
	env[ne] = NULL;
	struct sandbox_spec sp;
	sandbox_spec_defaults(&sp);
	sp.argv = argv;
	sp.env = env;
	sp.workdir = dir;
	sp.wall_ms = spec->wall_ms;
	sp.cpu_ms = spec->cpu_ms;
	sp.memory_bytes = spec->memory_mb << 20;
	sp.nproc = 16;
	sp.output_cap = 8192;
	struct watch wt = {.b = b, .handler = sim_handler(sim, watch_tick)};
	if (wt.handler < 0 || !(wt.id = sim_after(sim, 0, wt.handler, &wt))) {
		snprintf(err, errlen, "out of memory");
		bridge_free(&b);
		return -1;
	}
	wt.sb = sandbox_start(&sp, err, errlen);
	if (!wt.sb) {
		sim_cancel(sim, wt.id);
		bridge_free(&b);
		return -1;
	}
	sim_set_clock(sim, bridge_clock(b));
	enum sim_stop_reason why = sim_run_realtime(sim, 1.0, spec->until > 0 ? spec->until : SIM_TIME_NEVER);
	sim_set_clock(sim, NULL);
	if (wt.id)
		sim_cancel(sim, wt.id);
	sandbox_finish(&wt.sb, &o->run);
	bridge_stop_listening(b);
	o->connections = bridge_stats(b)->accepted;
	bridge_free(&b);
	if (why == SIM_FAILED) {
		snprintf(err, errlen, "the simulation failed: %s", sim_error(sim) ? sim_error(sim) : "unknown error");
		return -1;
	}
	return 0;
}

int grade_program_run(struct scn_world *w, const struct grade_program_spec *spec, struct grade_program_outcome *o_r,
		      char *err, size_t errlen)
{
	memset(o_r, 0, sizeof *o_r);
	if (errlen)
		err[0] = 0;
	o_r->gateway = o_r->server = -1;
	if (resolve_hosts(w, spec, o_r, err, errlen) < 0)
		return -1;
	o_r->lang = language_of(spec, o_r);
	if (!o_r->lang) {
		o_r->status = GRADE_PROGRAM_WRONG_LANG;
		return 0;
	}
	/* The private network first: the bridge must listen inside it. */
	if (!spec->no_network_isolation && sandbox_isolate_network(err, errlen) < 0)
		return -1;
	o_r->isolated = sandbox_network_isolated();
	char dir[512];
	if (sandbox_workdir_new(dir, sizeof dir, err, errlen) < 0)
		return -1;
	int rc = write_source(dir, o_r->lang == GRADE_PROGRAM_C ? "submission.c" : "submission.py", spec, err, errlen);
	if (rc == 0 && o_r->lang == GRADE_PROGRAM_C)
		rc = compile(dir, o_r, err, errlen);
	if (rc == 0 && o_r->status == GRADE_PROGRAM_RAN)
		rc = run_program(w, spec, dir, o_r, err, errlen);
	if (sandbox_workdir_remove(dir) < 0 && rc == 0) {
		snprintf(err, errlen, "program: could not remove the work dir %s", dir);
		rc = -1;
	}
	return rc;
}

void grade_program_outcome_clear(struct grade_program_outcome *o)
{
	if (!o)
		return;
	sandbox_outcome_clear(&o->compile);
	sandbox_outcome_clear(&o->run);
	memset(o, 0, sizeof *o);
}

int grade_program_outcome_ok(const struct grade_program_outcome *o)
{
	return o->status == GRADE_PROGRAM_RAN && sandbox_outcome_ok(&o->run);
}
