/* Word wrapping for terminal text (explanations), counting UTF-8
 * characters, not bytes, so Spanish text wraps like English. */
#ifndef SIM_CLI_TEXT_WRAP_H
#define SIM_CLI_TEXT_WRAP_H

#include <stdio.h>

/* Writes text to out in lines of at most width columns (a longer word gets
 * a line of its own), each line preceded by indent spaces and ended by a
 * newline. The first line starts with prefix (NULL: none) after the indent. */
void text_wrap(FILE *out, const char *text, int indent, int width, const char *prefix);

#endif
