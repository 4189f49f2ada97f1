/* Word wrapping for terminal text; see text_wrap.h. */
#include "sim/cli/text_wrap.h"

#include <string.h>

static int columns(const char *s, size_t n)
{
	int c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

void text_wrap(FILE *out, const char *text, int first_col, int indent, int width, const char *prefix)
{
	const char *p = text ? text : "";
	int col = first_col;
	if (first_col < 0) {
		fprintf(out, "%*s", indent, "");
		col = indent;
	}
	if (prefix) {
		fputs(prefix, out);
		col += columns(prefix, strlen(prefix));
	}
	int at_start = 1;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		size_t n = strcspn(p, " ");
		int w = columns(p, n);
		if (!at_start && col + 1 + w > width) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
			at_start = 1;
		}
		if (!at_start) {
			fputc(' ', out);
			col++;
		}
		fwrite(p, 1, n, out);
		col += w;
		at_start = 0;
		p += n;
	}
	fputc('\n', out);
}
