/* Publishing helpers shared by the agents; see agent_env.h. */
#include "sim/agents/agent_env.h"

#include <stdarg.h>
#include <stdio.h>

#include "protocols/message.h"
#include "sim/core/bus.h"
#include "sim/core/sim.h"

void agent_publish_line(const struct agent_env *env, int host, int peer, uint32_t conn_id, const char *proto,
			int from_client, int encrypted, const char *text, size_t len)
{
	struct obs_bus *bus = sim_bus(env->sim);
	if (!bus_wants(bus, OBS_LINE))
		return;
	struct obs_record r = {.type = OBS_LINE, .time = sim_now(env->sim)};
	r.u.line.host = host;
	r.u.line.peer = peer;
	r.u.line.conn_id = conn_id;
	r.u.line.proto = proto;
	r.u.line.from_client = from_client;
	r.u.line.encrypted = encrypted;
	r.u.line.text = text;
	r.u.line.len = len;
	bus_publish(bus, &r);
}

void agent_publish_mail(const struct agent_env *env, int host, int event, const char *queue_id,
			const char *message_id, const char *from, const char *rcpt, const char *text)
{
	struct obs_bus *bus = sim_bus(env->sim);
	if (!bus_wants(bus, OBS_MAIL))
		return;
	struct obs_record r = {.type = OBS_MAIL, .time = sim_now(env->sim)};
	r.u.mail.host = host;
	r.u.mail.event = (enum obs_mail_event)event;
	r.u.mail.queue_id = queue_id;
	r.u.mail.message_id = message_id;
	r.u.mail.from = from;
	r.u.mail.rcpt = rcpt;
	r.u.mail.text = text;
	bus_publish(bus, &r);
}

void agent_publish_note(const struct agent_env *env, int host, uint32_t conn_id, const char *kind, const char *fmt,
			...)
{
	struct obs_bus *bus = sim_bus(env->sim);
	if (!bus_wants(bus, OBS_APP))
		return;
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	struct obs_record r = {.type = OBS_APP, .time = sim_now(env->sim)};
	r.u.app.host = host;
	r.u.app.conn_id = conn_id;
	r.u.app.kind = kind;
	r.u.app.text = text;
	bus_publish(bus, &r);
}

void agent_date_now(const struct agent_env *env, char *out)
{
	int64_t t = msg_time_from_sim(env->epoch_unix_s, sim_now(env->sim));
	if (msg_date_format(out, t, env->zone_min) != 0)
		msg_date_format(out, 0, 0);
}

const char *agent_proto_for_port(uint16_t port)
{
	switch (port) {
	case 25:
	case 587:
	case 2525:
		return "SMTP";
	case 110:
		return "POP3";
	case 143:
		return "IMAP";
	default:
		return "TCP";
	}
}
