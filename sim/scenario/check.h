/* Validation helpers shared by the scenario section loaders (internal to
 * sim/scenario).
 *
 * A struct scn_ctx follows the loader through the cJSON tree: it keeps the
 * JSON path of the value being checked (push on the way down, pop on the way
 * up), so every error can say "file:line: hosts[2].ip: what was expected",
 * with the line found by json_locate() in the original text.
 *
 * Each object kind has a table of known keys (name, accepted JSON types,
 * required or not, what the value should be). scn_check_keys() reports
 * unknown keys (with the closest known key as a suggestion), duplicate keys,
 * wrong types and missing required keys, so a loader only handles values
 * that passed those checks. Later issues add a key by adding a table row. */
#ifndef SIM_SCENARIO_CHECK_H
#define SIM_SCENARIO_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "sim/core/time.h"
#include "sim/scenario/json_locate.h"

struct cJSON;
struct scn_diag;

#define SCN_MAX_DEPTH 32
/* Largest object the key check accepts: every table is far smaller, so a
 * bigger object is a mistake, and checking it would cost time quadratic in
 * its size (duplicate detection). */
#define SCN_MAX_KEYS 64

/* JSON types a key accepts (bit set). */
enum {
	SCN_STRING = 1,
	SCN_NUMBER = 2,
	SCN_BOOL = 4,
	SCN_OBJECT = 8,
	SCN_ARRAY = 16,
	SCN_NULL = 32,
};

struct scn_key {
	const char *name;
	unsigned types;
	int required;
	const char *what; /* "a duration such as \"5ms\"", for messages */
};

struct scn_ctx {
	const char *file; /* name used in messages */
	const char *text;
	size_t len;
	struct json_path_elem path[SCN_MAX_DEPTH];
	int depth;
	int overflow; /* pushes beyond SCN_MAX_DEPTH, not recorded */
	struct scn_diag *diag;
	int errors;
};

void scn_push_key(struct scn_ctx *ctx, const char *key);
void scn_push_index(struct scn_ctx *ctx, size_t index);
void scn_pop(struct scn_ctx *ctx);

/* Reports an error about the value at the current path (its line). */
void scn_error(struct scn_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reports an error about member key of the object at the current path: at
 * the key's line if present, else at the object's line (missing keys). */
void scn_error_key(struct scn_ctx *ctx, const char *key, int nth, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Checks obj (at the current path) against a table ended by a NULL name.
 * Returns the number of errors reported. Stops early once the diagnostics
 * are full, so hostile input cannot make checking slow. */
int scn_check_keys(struct scn_ctx *ctx, const struct cJSON *obj, const struct scn_key *keys);
/* Reports that the value at the current path is not of the expected kind
 * ("expected a list of hosts, found a string"). */
void scn_error_type(struct scn_ctx *ctx, const struct cJSON *v, const char *what);
const char *scn_json_type_name(const struct cJSON *v);

/* Checks that list (at the current path, holding what) has at most max
 * elements; reports an error and returns -1 if not. */
int scn_check_count(struct scn_ctx *ctx, const struct cJSON *list, int max, const char *what);

/* The closest name to word among names (NULL-ended), or NULL if none is
 * close enough to be a plausible typo. */
const char *scn_suggest(const char *word, const char *const *names);

/* Typed getters for keys that passed scn_check_keys: they return the value
 * if key is present with the right type, else NULL or the default. */
const struct cJSON *scn_get(const struct cJSON *obj, const char *key);
const char *scn_get_string(const struct cJSON *obj, const char *key);

/* Value parsers. Each pushes key, reports a precise error at the value on
 * failure and returns -1, or stores the value and returns 0. They do nothing
 * and return 1 when key is absent (the caller keeps its default). A value of
 * the wrong JSON type gives -1 silently: scn_check_keys reported it, from
 * the key table. */
int scn_parse_duration(struct scn_ctx *ctx, const struct cJSON *obj, const char *key, sim_time *out_r);
/* Bits per second; "unlimited" gives 0. */
int scn_parse_bandwidth(struct scn_ctx *ctx, const struct cJSON *obj, const char *key, uint64_t *out_r);
/* Bytes: an integer or a string with B, KB, MB, GB (powers of 1000) or KiB,
 * MiB, GiB (powers of 1024), within [min, max]. */
int scn_parse_size(struct scn_ctx *ctx, const struct cJSON *obj, const char *key, uint64_t min, uint64_t max,
		   uint64_t *out_r);
int scn_parse_probability(struct scn_ctx *ctx, const struct cJSON *obj, const char *key, double *out_r);
/* An integer within [min, max]. */
int scn_parse_int(struct scn_ctx *ctx, const struct cJSON *obj, const char *key, int64_t min, int64_t max,
		  int64_t *out_r);
int scn_parse_ipv4(struct scn_ctx *ctx, const struct cJSON *obj, const char *key, uint32_t *out_r);
/* A number (any finite value). */
int scn_parse_number(struct scn_ctx *ctx, const struct cJSON *obj, const char *key, double *out_r);
/* One of the NULL-ended names; stores its index. */
int scn_parse_enum(struct scn_ctx *ctx, const struct cJSON *obj, const char *key, const char *const *names,
		   int *out_r);

/* text quoted for a message ("\"text\""), control bytes escaped and long
 * texts shortened; returns buf. */
const char *scn_quote(const char *text, char *buf, size_t size);

/* t in the largest unit that shows it exactly ("10s", "1500ms"); returns
 * buf. */
char *scn_format_duration(sim_time t, char *buf, size_t size);

/* Parsers of bare texts, shared with the command line (--until). */
int scn_text_duration(const char *text, sim_time *out_r);
int scn_text_ipv4(const char *text, uint32_t *ip_r);

#endif
