/* Words for the scene: event-log lines in the viewer's language, packet
 * and host summaries, and the debug description of a whole scene that
 * tests read instead of pixels:
 *
 *   time 0.101000000
 *   host 0 laptop role=host addr=192.168.1.10 at=0.080,0.500
 *   link 0 home laptop-router up
 *   packet id=3 link=0 dir=0 proto=control flags=SYN frac=0.412 x=... y=...
 *   drop id=9 link=1 reason=loss frac=0.900
 *   conn 1 laptop 192.168.1.10:49152 > 200.0.1.25:7 ESTABLISHED
 *   log 0.100000000 laptop CLOSED -> SYN_SENT ...
 *
 * Packets are listed by id so the text does not depend on when frames
 * were drawn. */
#ifndef VIZ_DESCRIBE_H
#define VIZ_DESCRIBE_H

#include <stddef.h>

#include "sim/core/time.h"
#include "viz/scene.h"
#include "viz/strings.h"

/* "SYN", "SYN,ACK", "FIN,ACK" ... ("-" for none) into buf (24 bytes). */
const char *viz_tcp_flags(uint8_t flags, char *buf, size_t size);
const char *viz_role_label(enum viz_role role);
const char *viz_role_name(enum viz_role role, enum viz_lang lang);
const char *viz_drop_reason_text(int reason, enum viz_lang lang);
/* One event-log line (without its time) into buf. */
void viz_log_format(const struct viz_scene *s, const struct viz_log_entry *e, enum viz_lang lang, char *buf,
		    size_t size);
/* The debug description of s at time t; malloc'd, NUL-terminated; NULL on
 * ENOMEM. */
char *viz_scene_describe(const struct viz_scene *s, sim_time t);

#endif
