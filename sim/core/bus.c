/* The observation bus. See bus.h. The union of all subscribers' masks sits at
 * the start of struct obs_bus so bus_wants() is one load and a test. */
#include "sim/core/bus.h"

#include <stdlib.h>

struct subscriber {
	unsigned mask;
	obs_fn fn;
	void *ctx;
};

struct obs_bus {
	unsigned mask; /* must stay first: read by bus_wants() */
	struct subscriber *subs;
	size_t count, cap;
};

struct obs_bus *bus_new(void) { return calloc(1, sizeof(struct obs_bus)); }

void bus_free(struct obs_bus **bus)
{
	if (!bus || !*bus)
		return;
	free((*bus)->subs);
	free(*bus);
	*bus = NULL;
}

static void recompute_mask(struct obs_bus *bus)
{
	bus->mask = 0;
	for (size_t i = 0; i < bus->count; i++)
		bus->mask |= bus->subs[i].mask;
}

int bus_subscribe(struct obs_bus *bus, unsigned mask, obs_fn fn, void *ctx)
{
	if (bus->count == bus->cap) {
		size_t cap = bus->cap ? bus->cap * 2 : 4;
		struct subscriber *s = realloc(bus->subs, cap * sizeof *s);
		if (!s)
			return -1;
		bus->subs = s;
		bus->cap = cap;
	}
	bus->subs[bus->count++] = (struct subscriber){mask & OBS_MASK_ALL, fn, ctx};
	recompute_mask(bus);
	return 0;
}

void bus_unsubscribe(struct obs_bus *bus, obs_fn fn, void *ctx)
{
	size_t out = 0;
	for (size_t i = 0; i < bus->count; i++)
		if (bus->subs[i].fn != fn || bus->subs[i].ctx != ctx)
			bus->subs[out++] = bus->subs[i];
	bus->count = out;
	recompute_mask(bus);
}

void bus_publish(struct obs_bus *bus, const struct obs_record *rec)
{
	unsigned bit = OBS_MASK(rec->type);
	for (size_t i = 0; i < bus->count; i++)
		if (bus->subs[i].mask & bit)
			bus->subs[i].fn(bus->subs[i].ctx, rec);
}

const char *obs_type_name(enum obs_type t)
{
	static const char *const names[OBS_TYPE_COUNT] = {
	    [OBS_PKT_SEND] = "send",        [OBS_PKT_RETRANSMIT] = "retransmit",
	    [OBS_PKT_TX] = "tx",            [OBS_PKT_RECV] = "recv",
	    [OBS_PKT_DROP] = "drop",        [OBS_CONN_STATE] = "conn",
	    [OBS_LINK_STATE] = "link",      [OBS_APP] = "app",
	    [OBS_LINE] = "line",            [OBS_MAIL] = "mail",
	};
	return (unsigned)t < OBS_TYPE_COUNT ? names[t] : "?";
}

const char *obs_mail_event_name(enum obs_mail_event e)
{
	static const char *const names[OBS_MAIL_EVENT_COUNT] = {
	    [OBS_MAIL_SUBMITTED] = "submitted", [OBS_MAIL_ACCEPTED] = "accepted", [OBS_MAIL_HEADER] = "header",
	    [OBS_MAIL_QUEUED] = "queued",       [OBS_MAIL_DEFERRED] = "deferred", [OBS_MAIL_RELAYED] = "relayed",
	    [OBS_MAIL_DELIVERED] = "delivered", [OBS_MAIL_BOUNCED] = "bounced",   [OBS_MAIL_DISCARDED] = "discarded",
	    [OBS_MAIL_FORWARDED] = "forwarded",
	};
	return (unsigned)e < OBS_MAIL_EVENT_COUNT ? names[e] : "?";
}

const char *obs_drop_reason_name(enum obs_drop_reason r)
{
	static const char *const names[OBS_DROP_REASON_COUNT] = {
	    [OBS_DROP_LOSS] = "loss",           [OBS_DROP_QUEUE] = "queue-full",
	    [OBS_DROP_LINK_DOWN] = "link-down", [OBS_DROP_NO_ROUTE] = "no-route",
	    [OBS_DROP_TTL] = "ttl",             [OBS_DROP_TOO_BIG] = "too-big",
	    [OBS_DROP_NO_SOCKET] = "no-socket", [OBS_DROP_HOST_DOWN] = "host-down",
	};
	return (unsigned)r < OBS_DROP_REASON_COUNT ? names[r] : "?";
}
