/* Builds a scenario into a runnable simulation. See world.h. */
#include "sim/scenario/world.h"

#include <stdio.h>
#include <stdlib.h>

#include "sim/agents/testapp.h"
#include "sim/net/net.h"
#include "sim/net/tcp.h"
#include "sim/net/udp.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/world_internal.h"

static void apply_fault(struct sim *sim, void *ctx)
{
	(void)sim;
	struct fault_event *fe = ctx;
	struct net *net = fe->w->net;
	int link = fe->w->link_ids[fe->f->link];
	switch (fe->f->kind) {
	case SCN_FAULT_DOWN: net_link_set_up(net, link, 0); break;
	case SCN_FAULT_UP: net_link_set_up(net, link, 1); break;
	case SCN_FAULT_SET:
		if (fe->f->set_loss)
			net_link_set_loss(net, link, fe->f->loss);
		if (fe->f->set_latency)
			net_link_set_latency(net, link, fe->f->latency);
		break;
	}
}

static int build_net(struct scn_world *w, char *err, size_t errlen)
{
	const struct scenario *s = w->s;
	for (size_t i = 0; i < s->host_count; i++) {
		const struct scn_host *h = &s->hosts[i];
		int id = net_add_host(w->net, h->name);
		if (id != (int)i) {
			snprintf(err, errlen, "cannot add host \"%s\" to the network", h->name);
			return -1;
		}
		for (size_t j = 0; j < h->iface_count; j++) {
			if (net_add_iface(w->net, id, h->ifaces[j].ip) != (int)j) {
				snprintf(err, errlen, "cannot add interface %s of host \"%s\"", h->ifaces[j].name, h->name);
				return -1;
			}
		}
	}
	for (size_t i = 0; i < s->link_count; i++) {
		const struct scn_link *l = &s->links[i];
		w->link_ids[i] = net_add_link(w->net, l->a, l->a_iface, l->b, l->b_iface, &l->params);
		if (w->link_ids[i] < 0) {
			snprintf(err, errlen, "cannot add link \"%s\"", l->name);
			return -1;
		}
	}
	for (size_t i = 0; i < s->route_count; i++) {
		const struct scn_route *r = &s->routes[i];
		if (net_add_route(w->net, r->host, r->dest, w->link_ids[r->link]) < 0) {
			snprintf(err, errlen, "cannot add the route from \"%s\" to \"%s\"", s->hosts[r->host].name,
				 s->hosts[r->dest].name);
			return -1;
		}
	}
	char nerr[256] = "";
	if (net_finalize(w->net, nerr, sizeof nerr) < 0) {
		snprintf(err, errlen, "%s: %s", s->file ? s->file : "scenario", nerr);
		return -1;
	}
	return 0;
}

static int start_apps(struct scn_world *w, char *err, size_t errlen)
{
	const struct scenario *s = w->s;
	for (size_t i = 0; i < s->service_count; i++) {
		const struct scn_service *svc = &s->services[i];
		if (testapp_add_service(w->app, svc->kind, svc->udp, svc->host, svc->port) < 0) {
			snprintf(err, errlen, "cannot start the service on %s port %u of \"%s\"", svc->udp ? "UDP" : "TCP",
				 svc->port, s->hosts[svc->host].name);
			return -1;
		}
	}
	for (size_t i = 0; i < s->client_count; i++) {
		const struct scn_client *c = &s->clients[i];
		struct testapp_client_spec spec = {
			.name = c->name,
			.udp = c->udp,
			.datagrams = c->datagrams,
			.datagram_size = c->datagram_size,
			.interval = c->interval,
			.host = c->host,
			.dst_ip = c->dest_ip,
			.dst_port = c->port,
			.start = c->at,
			.bytes = c->bytes,
			.lines = c->lines,
			.line_length = c->line_length,
			.echo = c->echo,
			.timeout = c->timeout,
		};
		if (testapp_add_client(w->app, &spec) != (int)i) {
			snprintf(err, errlen, "cannot start client \"%s\"", c->name);
			return -1;
		}
	}
	return 0;
}

struct scn_world *scn_world_new(const struct scenario *s, uint64_t seed, char *err, size_t errlen)
{
	struct scn_world *w = calloc(1, sizeof *w);
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->s = s;
	w->sim = sim_new(seed);
	w->net = w->sim ? net_new(w->sim) : NULL;
	w->link_ids = calloc(s->link_count + 1, sizeof *w->link_ids);
	w->faults = calloc(s->fault_count + 1, sizeof *w->faults);
	if (!w->net || !w->link_ids || !w->faults) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (build_net(w, err, errlen) < 0)
		goto fail;
	w->tcp = tcp_new(w->net, &s->tcp);
	w->udp = udp_new(w->net);
	w->app = w->tcp && w->udp ? testapp_new(w->sim, w->net, w->tcp, w->udp) : NULL;
	if (!w->tcp || !w->udp || !w->app) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	int h = sim_handler(w->sim, apply_fault);
	for (size_t i = 0; i < s->fault_count; i++) {
		w->faults[i] = (struct fault_event){w, &s->faults[i]};
		if (h < 0 || !sim_at(w->sim, s->faults[i].at, h, &w->faults[i])) {
			snprintf(err, errlen, "cannot schedule the faults");
			goto fail;
		}
	}
	if (start_apps(w, err, errlen) < 0)
		goto fail;
	if (scn_world_mail_start(w, err, errlen) < 0)
		goto fail;
	return w;
fail:
	scn_world_free(&w);
	return NULL;
}

void scn_world_free(struct scn_world **wp)
{
	if (!wp || !*wp)
		return;
	struct scn_world *w = *wp;
	scn_world_mail_free(w);
	testapp_free(&w->app);
	udp_free(&w->udp);
	tcp_free(&w->tcp);
	net_free(&w->net);
	sim_free(&w->sim);
	free(w->faults);
	free(w->link_ids);
	free(w);
	*wp = NULL;
}

enum sim_stop_reason scn_world_run(struct scn_world *w, sim_time until) { return sim_run_until(w->sim, until); }

const struct agent_env *scn_world_env(const struct scn_world *w) { return &w->env; }
struct sim *scn_world_sim(struct scn_world *w) { return w->sim; }
struct net *scn_world_net(struct scn_world *w) { return w->net; }
struct tcp *scn_world_tcp(struct scn_world *w) { return w->tcp; }
struct udp *scn_world_udp(struct scn_world *w) { return w->udp; }
struct testapp *scn_world_testapp(struct scn_world *w) { return w->app; }
const struct scenario *scn_world_scenario(const struct scn_world *w) { return w->s; }

size_t scn_world_failed_expectations(const struct scn_world *w)
{
	size_t failed = scn_world_mail_failed_expectations(w, NULL);
	for (size_t i = 0; i < w->s->expect_count; i++) {
		const struct scn_expect *x = &w->s->expects[i];
		const struct testapp_client_result *r = testapp_client_result(w->app, (size_t)x->client);
		if (!r || r->outcome != x->outcome)
			failed++;
	}
	return failed;
}
