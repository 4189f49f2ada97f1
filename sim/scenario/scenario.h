/* A scenario: the validated, semantic model of a scenario JSON file.
 *
 * Loading parses the JSON with cJSON, checks every key and value (errors in
 * a struct scn_diag, each naming the file, line and JSON path and what was
 * expected) and produces this model, which holds plain values and indices
 * and no network objects: `mailsim check` stops here, `mailsim run` hands
 * it to scn_world_new() (world.h) to build the network and start the apps.
 *
 * The model is read-only for its users and owned by the struct scenario;
 * strings live as long as it does. Later issues add sections (DNS zones, MTA
 * settings, users, the mail timeline) as new members here and new section
 * loaders in load.c's table. docs/scenario-reference.md documents the keys. */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "sim/agents/testapp.h"
#include "sim/core/time.h"
#include "sim/net/net.h"
#include "sim/net/tcp.h"

struct scn_diag;

enum scn_role {
	SCN_ROLE_HOST,
	SCN_ROLE_UA,
	SCN_ROLE_MTA,
	SCN_ROLE_DNS,
	SCN_ROLE_MAILBOX,
	SCN_ROLE_ROUTER,
	SCN_ROLE_SNIFFER,
	SCN_ROLE_COUNT
};
const char *scn_role_name(enum scn_role r);

struct scn_iface {
	char *name; /* "eth0", ... */
	uint32_t ip;
	int link; /* the link using it, -1 if none */
};

struct scn_host {
	char *name;
	enum scn_role role;
	char *description; /* "" if none */
	int has_position;
	double x, y; /* layout for viewers, when has_position */
	struct scn_iface *ifaces;
	size_t iface_count;
};

struct scn_link {
	char *name; /* given, or "a-b" from the hosts' names */
	int a, a_iface, b, b_iface;
	struct link_params params;
};

struct scn_route {
	int host, dest, link;
};

enum scn_fault_kind { SCN_FAULT_DOWN, SCN_FAULT_UP, SCN_FAULT_SET };

struct scn_fault {
	sim_time at;
	enum scn_fault_kind kind;
	int link;
	int set_loss, set_latency; /* SCN_FAULT_SET: which to change */
	double loss;
	sim_time latency;
};

struct scn_service {
	enum testapp_service_kind kind;
	int udp; /* 0: TCP, 1: UDP */
	int host;
	uint16_t port;
};

struct scn_client {
	char *name;
	int host;
	int dest_host; /* -1 when given by an address no host owns */
	uint32_t dest_ip;
	uint16_t port;
	int udp;
	sim_time at;
	uint32_t datagrams, datagram_size; /* UDP */
	sim_time interval;                 /* UDP */
	uint64_t bytes;
	uint32_t lines, line_length;
	int echo;
	sim_time timeout;
	int has_expect;
	enum testapp_outcome expect;
};

/* An expectation checked after the run: client's outcome. */
struct scn_expect {
	int client;
	enum testapp_outcome outcome;
};

struct scenario {
	char *file; /* the name used in messages */
	char *title, *description;
	uint64_t seed;
	sim_time until; /* SIM_TIME_NEVER: run until no events are left */
	struct tcp_config tcp;
	struct scn_host *hosts;
	size_t host_count;
	struct scn_link *links;
	size_t link_count;
	struct scn_route *routes;
	size_t route_count;
	struct scn_fault *faults; /* sorted by time, stable */
	size_t fault_count;
	struct scn_service *services;
	size_t service_count;
	struct scn_client *clients;
	size_t client_count;
	struct scn_expect *expects; /* explicit entries and per-client "expect", in that order */
	size_t expect_count;
};

/* Loads text (len bytes, need not be NUL-terminated) named file in
 * messages. Returns the scenario, or NULL with the errors appended to diag
 * (at least one). Never crashes on any input. */
struct scenario *scenario_load_text(const char *file, const char *text, size_t len, struct scn_diag *diag);
/* Reads path and loads it; names it by path in messages. */
struct scenario *scenario_load_file(const char *path, struct scn_diag *diag);
/* Accepts NULL; sets *s to NULL. */
void scenario_free(struct scenario **s);

int scenario_host_by_name(const struct scenario *s, const char *name);
int scenario_link_by_name(const struct scenario *s, const char *name);

#endif
