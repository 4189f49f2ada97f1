/* The in-process engine sessions of `mailsim bench mailbox`
 * (mailbox_engines.h). */
#include "sim/bench/mailbox_engines.h"

#include <stdio.h>

#include "sim/bench/mailbox_client.h"

#define NOT_MERGED "not measured: engine not merged yet"

const char *mbx_engine_missing(enum mbx_engine e)
{
	(void)e;
	return NOT_MERGED;
}

int mbx_engine_open(enum mbx_engine e, struct mailstore *ms, struct mbx_io *io, char *err, size_t errlen)
{
	(void)ms;
	(void)io;
	snprintf(err, errlen, "%s engine: %s", e == MBX_ENGINE_IMAP ? "IMAP" : "POP3", NOT_MERGED);
	return -1;
}

void mbx_engine_close(struct mbx_io *io) { (void)io; }
