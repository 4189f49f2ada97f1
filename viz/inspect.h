/* The inspectors' contents as rows (rows.h), without SDL: the message
 * inspector (the selected message as it is at a host: envelope beside the
 * address fields, every header field with the Received lines a hop adds
 * lit up as they are added, the MIME tree, the journey) and the host
 * inspector (addresses, open TCP connections and their states, and what
 * the source tells of its agents: MTA queue, mailboxes, DNS zone). The
 * frame draws these rows; the debug description prints them. */
#ifndef VIZ_INSPECT_H
#define VIZ_INSPECT_H

#include "sim/core/time.h"
#include "viz/rows.h"
#include "viz/scene.h"
#include "viz/strings.h"

/* Rows for message msg (index in viz_scene_msgs) as it is at host (-1:
 * wherever it is newest) at time now. A Received line added within hl
 * before now is VIZ_ROW_NEW (lit up), older ones VIZ_ROW_TRACE. Adds
 * nothing for a message index out of range. */
void viz_inspect_message(struct viz_rows *out, const struct viz_scene *s, int msg, int host, sim_time now, sim_time hl,
			 enum viz_lang lang);
/* Rows for host at time now (the scene's world is at now). */
void viz_inspect_host(struct viz_rows *out, const struct viz_scene *s, int host, sim_time now, enum viz_lang lang);

#endif
