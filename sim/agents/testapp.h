/* The built-in test application: small TCP and UDP services and clients
 * that exercise the simulated network before the mail protocols exist.
 *
 * Services listen on a TCP or UDP port of a host:
 *   echo     sends every byte back (RFC 862), with back-pressure: while its
 *            send buffer is full it stops reading, so the window closes;
 *   discard  reads and drops everything (RFC 863).
 * A client connects from a host at a given time and either
 *   - sends `bytes` bytes of a deterministic pattern (with echo on, it also
 *     checks that every byte comes back identical and in order), or
 *   - sends `lines` request lines one at a time, waiting for each to be
 *     echoed back before sending the next,
 * then closes, and records its outcome. A UDP client instead sends
 * `datagrams` datagrams of `datagram_size` bytes, one every `interval`; each
 * carries its sequence number, so with echo on the client counts and checks
 * the ones that come back (UDP does not retransmit: a lost one stays lost).
 * A client also has a deadline: if it is not finished by start + timeout it
 * stops and reports a timeout.
 *
 * Only the tcp.h and udp.h APIs are used; progress is published on the
 * observation bus as OBS_APP records (kind "app"), so the text log and the
 * trace show it. */
#ifndef SIM_TESTAPP_H
#define SIM_TESTAPP_H

#include <stddef.h>
#include <stdint.h>

#include "sim/core/time.h"

struct sim;
struct net;
struct tcp;
struct testapp;

enum testapp_service_kind { TESTAPP_ECHO, TESTAPP_DISCARD };

/* How a client ended. The names (testapp_outcome_name) are also the values
 * a scenario's "expect" accepts. */
enum testapp_outcome {
	TESTAPP_UNFINISHED,  /* not started or still running when the run ended */
	TESTAPP_COMPLETE,    /* everything sent (and echoed intact), closed normally */
	TESTAPP_REFUSED,     /* RST to the SYN: nobody listening */
	TESTAPP_RESET,       /* the connection was reset after it opened */
	TESTAPP_TIMEOUT,     /* connect timeout, retransmission give-up, or the client's deadline */
	TESTAPP_MISMATCH,    /* echoed bytes differ, or the peer closed before echoing all */
	TESTAPP_UNREACHABLE, /* no route to the server, or no socket available */
	TESTAPP_OUTCOME_COUNT
};
const char *testapp_outcome_name(enum testapp_outcome o);
/* The outcome called name, or -1. */
int testapp_outcome_from_name(const char *name);

struct testapp_client_spec {
	const char *name;     /* copied */
	int udp;              /* 0: TCP, 1: UDP */
	int host;             /* the client's host */
	uint32_t dst_ip;      /* the server's address */
	uint16_t dst_port;
	sim_time start;       /* when to connect */
	uint64_t bytes;       /* bytes mode: how many to send (0 with lines = 0: connect and close) */
	uint32_t lines;       /* lines mode if > 0: request lines to send */
	uint32_t line_length; /* bytes per line, CRLF included (at least 16) */
	uint32_t datagrams;   /* UDP: how many datagrams */
	uint32_t datagram_size; /* UDP: bytes per datagram (4 to 65507) */
	sim_time interval;    /* UDP: time between datagrams */
	int echo;             /* expect the bytes back and check them (always on in lines mode) */
	sim_time timeout;     /* deadline after start; 0: none */
};

struct testapp_client_result {
	enum testapp_outcome outcome;
	uint64_t bytes_sent, bytes_received;
	uint32_t datagrams_sent, datagrams_received; /* UDP clients */
	sim_time started, finished; /* finished is -1 while unfinished */
	const char *detail;         /* a short explanation ("byte 4096 differs"), "" if none */
};

struct udp;

/* The test application of a run; NULL on ENOMEM. tcp and udp must outlive
 * it. */
struct testapp *testapp_new(struct sim *sim, struct net *net, struct tcp *tcp, struct udp *udp);
/* Stops every service and client silently (aborting open connections).
 * Accepts NULL; sets *app to NULL. Free before tcp. */
void testapp_free(struct testapp **app);

/* Starts a service now on a TCP (udp 0) or UDP (udp 1) port. Returns 0, or
 * -1 if the port is taken or ENOMEM. */
int testapp_add_service(struct testapp *app, enum testapp_service_kind kind, int udp, int host, uint16_t port);
/* The host restarted after a crash (host_life.h; the crash itself closed
 * its connections with TCP_ERR_HOST_DOWN and removed its listeners and
 * bindings): its services listen and bind again. */
void testapp_host_restarted(struct testapp *app, int host);
/* Schedules a client. Returns its number (0, 1, ... in order), or -1. */
int testapp_add_client(struct testapp *app, const struct testapp_client_spec *spec);

size_t testapp_client_count(const struct testapp *app);
const char *testapp_client_name(const struct testapp *app, size_t i);
/* The result so far of client i (valid while app lives). */
const struct testapp_client_result *testapp_client_result(const struct testapp *app, size_t i);

/* The deterministic byte at offset i of a bytes-mode transfer. */
uint8_t testapp_pattern_byte(uint64_t i);

#endif
