/* Rows of text for the inspectors: what the message and host inspectors
 * show, built once without SDL and read both by the frame builder (which
 * draws them) and by the debug description (which tests read), so a test
 * checks exactly what is drawn.
 *
 *   struct viz_rows *r = viz_rows_new();
 *   viz_rows_add(r, VIZ_ROW_SECTION, 0, 0, "Envelope");
 *   viz_rows_add(r, VIZ_ROW_ENV, 0, 0, "RCPT TO:%s", rcpt);
 *   char *text = viz_rows_describe(r, "inspect");  // "inspect env RCPT TO:<...>\n" ...
 *   viz_rows_free(&r);
 *
 * Texts are cut at 400 bytes. */
#ifndef VIZ_ROWS_H
#define VIZ_ROWS_H

#include <stddef.h>
#include <stdint.h>

enum viz_row_kind {
	VIZ_ROW_TITLE,    /* the inspector's title */
	VIZ_ROW_SUB,      /* a dim note under it */
	VIZ_ROW_SECTION,  /* a section heading */
	VIZ_ROW_ENV,      /* an envelope line (column 0) */
	VIZ_ROW_ADDR,     /* an address header field beside it (column 1) */
	VIZ_ROW_ABSENT,   /* a header field that is not there (column 1) */
	VIZ_ROW_FIELD,    /* a header field */
	VIZ_ROW_TRACE,    /* a trace field (Received) added by a hop */
	VIZ_ROW_NEW,      /* a trace field being added now: highlighted */
	VIZ_ROW_PART,     /* a MIME part (depth: its nesting) */
	VIZ_ROW_EVENT,    /* a hop or an event */
	VIZ_ROW_TEXT,     /* anything else */
	VIZ_ROW_WARN,     /* something wrong: a deferral, a full disk */
	VIZ_ROW_KIND_COUNT
};
const char *viz_row_kind_name(enum viz_row_kind k);

struct viz_row {
	uint8_t kind, col, depth;
	char text[400];
};

struct viz_rows;

struct viz_rows *viz_rows_new(void);
void viz_rows_free(struct viz_rows **r);
void viz_rows_clear(struct viz_rows *r);
/* Adds a row; on ENOMEM the row is lost and viz_rows_oom() says so. */
void viz_rows_add(struct viz_rows *r, enum viz_row_kind kind, int col, int depth, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
size_t viz_rows_count(const struct viz_rows *r);
const struct viz_row *viz_rows_get(const struct viz_rows *r, size_t i);
int viz_rows_oom(const struct viz_rows *r);
/* "PREFIX KIND[.cCOL] TEXT\n" per row (depth as leading spaces in TEXT),
 * malloc'd; NULL on ENOMEM. */
char *viz_rows_describe(const struct viz_rows *r, const char *prefix);

#endif
