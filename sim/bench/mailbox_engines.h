/* The in-process side of `mailsim bench mailbox`: a session of mailsim's
 * own POP3 or IMAP server engine over a mailstore, behind the benchmark
 * client's transport (mailbox_client.h). No network, simulated or real:
 * send() feeds the command bytes to the engine, recv() hands over what the
 * engine has queued (and 0 once it has nothing more), so the time around
 * a command is the engine's work plus one copy of its output.
 *
 *   struct mbx_io io;
 *   if (mbx_engine_open(MBX_ENGINE_IMAP, store, &io, err, sizeof err) == 0) {
 *       ... mbx_client over io ...
 *       mbx_engine_close(&io);
 *   } */
#ifndef SIM_BENCH_MAILBOX_ENGINES_H
#define SIM_BENCH_MAILBOX_ENGINES_H

#include <stddef.h>

struct mailstore;
struct mbx_io;

enum mbx_engine { MBX_ENGINE_IMAP, MBX_ENGINE_POP3 };

/* Opens a server session over ms (its greeting is queued). 0, or -1 with
 * err set. */
int mbx_engine_open(enum mbx_engine e, struct mailstore *ms, struct mbx_io *io, char *err, size_t errlen);
/* Ends the session (as a lost connection if it was not logged out). */
void mbx_engine_close(struct mbx_io *io);

#endif
