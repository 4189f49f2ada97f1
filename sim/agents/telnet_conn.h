/* A person at a keyboard with telnet: a raw TCP connection from a host to
 * host:port over the simulated network. What the person types goes out a
 * line at a time (with CRLF) and is published on the bus as the client's
 * line; whatever the server sends is handed to the owner's callback as it
 * arrives, unparsed, exactly as a real telnet shows it. Used by `mailsim
 * telnet`; the protocol is the server's business (SMTP on 25 and 587,
 * POP3 on 110, IMAP on 143, anything on other ports). */
#ifndef SIM_TELNET_CONN_H
#define SIM_TELNET_CONN_H

#include <stddef.h>
#include <stdint.h>

struct agent_env;
struct telnet_conn;

enum telnet_conn_state {
	TELNET_CONNECTING, /* SYN sent */
	TELNET_OPEN,       /* connected */
	TELNET_PEER_CLOSED, /* the server closed its side (after QUIT, LOGOUT) */
	TELNET_CLOSED,     /* the connection is gone */
};

/* Called with each piece of server bytes, in order. */
typedef void (*telnet_bytes_fn)(void *ctx, const uint8_t *bytes, size_t len);

/* Connects host to ip:port. NULL if no connection can be opened (no
 * route, out of memory). */
struct telnet_conn *telnet_conn_open(const struct agent_env *env, int host, uint32_t ip, uint16_t port,
				     telnet_bytes_fn on_bytes, void *ctx);
/* Frees it, aborting the connection if still open. Accepts NULL. */
void telnet_conn_free(struct telnet_conn **t);

/* Sends one typed line (without its line end; CRLF is added). A line with
 * a CR, LF or NUL inside is refused (-1): the person types one line at a
 * time. Returns 0, -1 when refused or the connection is not open, -2 when
 * the send buffer has no room for it yet (run the network, then retry). */
int telnet_conn_send_line(struct telnet_conn *t, const char *line, size_t len);
/* The person closes the connection (telnet's "close"). */
void telnet_conn_close(struct telnet_conn *t);

enum telnet_conn_state telnet_conn_state(const struct telnet_conn *t);
/* Why the connection ended ("reset", "timeout", ...) or NULL. */
const char *telnet_conn_error(const struct telnet_conn *t);
/* Server bytes received so far. */
uint64_t telnet_conn_bytes_received(const struct telnet_conn *t);
/* The protocol named after the port, for the transcript: "SMTP", "POP3",
 * "IMAP" or "TCP". */
const char *telnet_conn_proto(uint16_t port);

#endif
