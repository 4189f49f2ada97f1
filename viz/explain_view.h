/* The explanations catalogue (sim/explain) in the viewer: what a selected
 * line of the sequence chart means and where its RFC says so, wrapped to
 * fit the details box, in the viewer's language. No SDL, so tests read it
 * through the debug description. */
#ifndef VIZ_EXPLAIN_VIEW_H
#define VIZ_EXPLAIN_VIEW_H

#include <stddef.h>

#include "viz/scene.h"
#include "viz/strings.h"

#define VIZ_EXPLAIN_LINE 160

/* Writes the explanation of chart line e (a protocol line; anything else
 * gives nothing) into out, at most max lines of at most width characters
 * (UTF-8 aware): each entry as "KEY (RFC ...): text". Returns the lines
 * written. The catalogue is loaded once, on first use. */
size_t viz_explain_line(const struct viz_log_entry *e, enum viz_lang lang, char out[][VIZ_EXPLAIN_LINE], size_t max,
			int width);
/* The catalogue keys that explain e ("250", "MAIL", "5.1.1"), up to n;
 * returns how many. */
size_t viz_explain_keys(const struct viz_log_entry *e, const char **keys, size_t n);

#endif
