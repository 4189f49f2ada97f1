/* Word wrapping for terminal text (explanations), counting UTF-8
 * characters, not bytes, so Spanish text wraps like English. */
#ifndef SIM_CLI_TEXT_WRAP_H
#define SIM_CLI_TEXT_WRAP_H

#include <stdio.h>

/* Writes text to out in lines of at most width columns (a longer word gets
 * a line of its own), each ended by a newline and each but the first
 * preceded by indent spaces. The first line starts at column first_col,
 * where the caller left the cursor, or, when first_col is negative, after
 * indent spaces; it begins with prefix (NULL: none). */
void text_wrap(FILE *out, const char *text, int first_col, int indent, int width, const char *prefix);

#endif
