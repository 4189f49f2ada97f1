/* A person typing a protocol session by hand, as in the class note's telnet
 * listing: connects from a host to host:port and types its lines one at a
 * time, each after the server's complete reply (a final "ddd " line, a
 * "+OK"/"-ERR" line, or for IMAP (port 143) the greeting, the tagged reply
 * to the line typed last or a "+" continuation), except the lines of a message after DATA's 354, which
 * are typed without waiting until the lone ".". It closes after its last
 * line has been answered, or when the server closes.
 *
 * The server publishes both directions of the dialogue on the bus, so the
 * transcript shows the session as the note prints it. */
#ifndef SIM_TYPIST_H
#define SIM_TYPIST_H

#include <stddef.h>
#include <stdint.h>

struct agent_env;
struct typist;

/* lines are copied. NULL if no connection can be opened. */
struct typist *typist_start(const struct agent_env *env, int host, uint32_t ip, uint16_t port,
			    const char *const *lines, size_t nlines);
/* Frees it (aborting the connection if still open). Accepts NULL. */
void typist_free(struct typist **t);
/* Lines typed so far, and whether the session is over. */
size_t typist_typed(const struct typist *t);
int typist_done(const struct typist *t);
/* The id of its TCP connection (as on the bus), kept after it closed. */
uint32_t typist_conn_id(const struct typist *t);

#endif
