/* Chart lines explained from the catalogue; see explain_view.h. */
#include "viz/explain_view.h"

#include <stdio.h>
#include <string.h>

#include "sim/explain/explain.h"

/* Loaded once and kept for the process: the catalogue is read-only data
 * (a few hundred entries) and every frame with a selected line needs it. */
static const struct explain *catalogue(void)
{
	static struct explain *ex;
	static int tried;
	if (!tried) {
		char err[256];
		tried = 1;
		ex = explain_builtin(err, sizeof err);
	}
	return ex;
}

static size_t entries(const struct viz_log_entry *e, const struct explain_entry **out, size_t n)
{
	const struct explain *ex = catalogue();
	if (!ex || e->kind != VIZ_LOG_LINE || !e->a[0])
		return 0;
	size_t k = explain_line(ex, e->a, e->b[0] == 'C', e->text, strlen(e->text), out, n);
	return k < n ? k : n;
}

size_t viz_explain_keys(const struct viz_log_entry *e, const char **keys, size_t n)
{
	const struct explain_entry *got[EXPLAIN_LINE_MAX];
	size_t k = entries(e, got, EXPLAIN_LINE_MAX);
	for (size_t i = 0; i < k && i < n; i++)
		keys[i] = got[i]->key;
	return k < n ? k : n;
}

/* Bytes of the longest prefix of s with at most cols characters that ends
 * at a space (or the whole of s when it fits). */
static size_t fit(const char *s, int cols)
{
	int c = 0;
	size_t i = 0, last_space = 0;
	while (s[i]) {
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			if (c == cols)
				return last_space ? last_space : i;
			c++;
		}
		if (s[i] == ' ')
			last_space = i;
		i++;
	}
	return i;
}

size_t viz_explain_line(const struct viz_log_entry *e, enum viz_lang lang, char out[][VIZ_EXPLAIN_LINE], size_t max,
			int width)
{
	const struct explain_entry *got[EXPLAIN_LINE_MAX];
	size_t k = entries(e, got, EXPLAIN_LINE_MAX);
	if (width < 20)
		width = 20;
	if (width > VIZ_EXPLAIN_LINE / 2)
		width = VIZ_EXPLAIN_LINE / 2; /* room for UTF-8 in the buffer */
	enum explain_lang el = lang == VIZ_LANG_ES ? EXPLAIN_ES : EXPLAIN_EN;
	size_t n = 0;
	for (size_t i = 0; i < k && n < max; i++) {
		char text[1200];
		snprintf(text, sizeof text, "%s (%s): %s", got[i]->key, got[i]->rfc, got[i]->text[el]);
		const char *p = text;
		while (*p && n < max) {
			size_t len = fit(p, width);
			snprintf(out[n++], VIZ_EXPLAIN_LINE, "%.*s", (int)len, p);
			p += len;
			while (*p == ' ')
				p++;
		}
	}
	return n;
}
