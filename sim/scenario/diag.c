/* The list of scenario error messages. See diag.h. */
#include "sim/scenario/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

struct scn_diag {
	char *msgs[SCN_DIAG_MAX];
	size_t kept, count;
};

struct scn_diag *scn_diag_new(void) { return calloc(1, sizeof(struct scn_diag)); }

void scn_diag_clear(struct scn_diag *d)
{
	for (size_t i = 0; i < d->kept; i++)
		free(d->msgs[i]);
	d->kept = d->count = 0;
}

void scn_diag_free(struct scn_diag **d)
{
	if (!d || !*d)
		return;
	scn_diag_clear(*d);
	free(*d);
	*d = NULL;
}

void scn_diag_add(struct scn_diag *d, const char *fmt, ...)
{
	d->count++;
	if (d->kept == SCN_DIAG_MAX)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	char *m = malloc((size_t)n + 1);
	if (!m)
		return;
	va_start(ap, fmt);
	vsnprintf(m, (size_t)n + 1, fmt, ap);
	va_end(ap);
	d->msgs[d->kept++] = m;
}

size_t scn_diag_count(const struct scn_diag *d) { return d->count; }
size_t scn_diag_kept(const struct scn_diag *d) { return d->kept; }
const char *scn_diag_message(const struct scn_diag *d, size_t i) { return i < d->kept ? d->msgs[i] : NULL; }
