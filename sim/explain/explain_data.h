/* The catalogue data/explanations.json, embedded by the build
 * (sim/cli/embed.cmake): NUL-terminated, explain_catalogue_json_len bytes
 * before the NUL. */
#ifndef SIM_EXPLAIN_DATA_H
#define SIM_EXPLAIN_DATA_H

#include <stddef.h>

extern const char explain_catalogue_json[];
extern const size_t explain_catalogue_json_len;

#endif
