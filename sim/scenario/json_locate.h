/* Finds where a value sits in JSON text, for error messages.
 *
 * cJSON parses scenario files but keeps no positions. After cJSON has
 * accepted a text, the loader knows the JSON path of a bad value
 * (hosts[2].ip); json_locate() walks the same text along that path with a
 * small scanner and returns the offset, line and column where the value (and
 * its key) start. It never builds a tree and never allocates.
 *
 * The scanner is tolerant: on text cJSON would reject it still stops safely
 * at the end of the buffer and reports failure. */
#ifndef SIM_JSON_LOCATE_H
#define SIM_JSON_LOCATE_H

#include <stddef.h>

/* One step of a path: a member key (key != NULL) or an array index. nth
 * selects among duplicate keys (0: the first member with that name). */
struct json_path_elem {
	const char *key;
	size_t index;
	int nth;
};

struct json_loc {
	size_t key_offset;   /* the member's key (== value_offset for array elements and the root) */
	size_t value_offset; /* the first byte of the value */
	int line, col;       /* of value_offset, 1-based; col counts bytes */
	int key_line;        /* line of key_offset */
};

/* Locates the value at path (depth elements; depth 0 is the root value).
 * Returns 0 and fills *loc_r, or -1 if the path does not exist in text. */
int json_locate(const char *text, size_t len, const struct json_path_elem *path, int depth, struct json_loc *loc_r);

/* Line and column (1-based, column in bytes) of offset in text. */
void json_line_col(const char *text, size_t len, size_t offset, int *line_r, int *col_r);

#endif
