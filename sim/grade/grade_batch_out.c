/* The batch grader's outputs (grade_batch_internal.h): the CSV of grades
 * (RFC 4180) written atomically, and the summary a teacher reads. Both
 * come from the rows alone, in submission order, so they are the same
 * bytes whatever order the children finished in. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/grade/grade_batch_internal.h"

#define TR(es, en_text, es_text) ((es) ? (es_text) : (en_text))
#define BAR_WIDTH 40
#define TOP_CHECKS 10

/* One RFC 4180 field: quoted when it holds a comma, a quote, CR or LF
 * (or starts or ends with a space, which some readers trim). */
static void csv_field(FILE *f, const char *s)
{
	size_t n = strlen(s);
	int quote = strpbrk(s, ",\"\r\n") != NULL || (n && (s[0] == ' ' || s[n - 1] == ' '));
	if (!quote) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			fputc('"', f);
		fputc(*p, f);
	}
	fputc('"', f);
}

static void csv_number(FILE *f, double v)
{
	fprintf(f, "%.10g", v);
}

static const char *status_name(enum gb_status s)
{
	return s == GB_GRADED ? "graded" : s == GB_REJECTED ? "rejected" : "error";
}

static const struct gb_check *find_check(const struct gb_row *r, const char *id)
{
	for (size_t i = 0; i < r->nchecks; i++)
		if (strcmp(r->checks[i].id, id) == 0)
			return &r->checks[i];
	return NULL;
}

void gb_print_csv(const struct gb_table *t, FILE *f)
{
	fputs("submission,score,max_score,status", f);
	for (size_t c = 0; c < t->ncolumns; c++) {
		fputc(',', f);
		csv_field(f, t->columns[c]);
	}
	fputs(",reason\r\n", f);
	for (size_t i = 0; i < t->nrows; i++) {
		const struct gb_row *r = &t->rows[i];
		csv_field(f, r->name);
		fputc(',', f);
		csv_number(f, r->score);
		fputc(',', f);
		if (r->has_max)
			csv_number(f, r->max_score);
		else if (!isnan(t->max_score))
			csv_number(f, t->max_score);
		fprintf(f, ",%s", status_name(r->status));
		for (size_t c = 0; c < t->ncolumns; c++) {
			fputc(',', f);
			const struct gb_check *ch = find_check(r, t->columns[c]);
			/* An error is a zero on every check; a report without
			 * the check leaves the cell empty. */
			if (ch)
				csv_number(f, ch->score);
			else if (r->status == GB_ERROR)
				csv_number(f, 0);
		}
		fputc(',', f);
		csv_field(f, r->reason ? r->reason : "");
		fputs("\r\n", f);
	}
}

int gb_write_csv(const struct gb_table *t, const char *path, char *err, size_t errlen)
{
	/* The temporary file sits beside the target, so rename() replaces
	 * it in one step; its name starts with '.' so a batch over the same
	 * folder never takes it for a submission. */
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	const char *base = slash ? slash + 1 : path;
	size_t need = dirlen + strlen(base) + 16;
	char *tmp = malloc(need);
	if (!tmp) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(tmp, need, "%.*s.%s.XXXXXX", (int)dirlen, path, base);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create a temporary file beside %s: %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	mode_t mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	FILE *f = fdopen(fd, "w");
	if (!f) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	gb_print_csv(t, f);
	int bad = ferror(f) || fflush(f) != 0 || fsync(fileno(f)) != 0;
	int e = errno;
	if (fclose(f) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	if (!bad && rename(tmp, path) != 0) {
		bad = 1;
		e = errno;
	}
	if (bad) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Names are students' file names: control characters are shown as '?'
 * so a name cannot rewrite the teacher's terminal. */
static void print_name(FILE *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, out);
}

struct failed {
	size_t column;
	size_t count;
};

static int cmp_failed(const void *a, const void *b)
{
	const struct failed *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->column < y->column ? -1 : x->column > y->column;
}

static void print_histogram(const struct gb_table *t, FILE *out)
{
	double max = t->max_score;
	size_t bins[10] = {0}, top = 0;
	for (size_t i = 0; i < t->nrows; i++) {
		double ratio = t->rows[i].score / max;
		int b = (int)floor(ratio * 10.0 + 1e-9);
		b = b < 0 ? 0 : b > 9 ? 9 : b;
		bins[b]++;
	}
	for (int b = 0; b < 10; b++)
		top = bins[b] > top ? bins[b] : top;
	fprintf(out, TR(t->es, "Score distribution (tenths of %.10g):\n", "Distribución de notas (décimos de %.10g):\n"),
		max);
	for (int b = 0; b < 10; b++) {
		char range[64];
		snprintf(range, sizeof range, "%.4g-%.4g%s", max * b / 10.0, max * (b + 1) / 10.0, b == 9 ? "]" : ")");
		fprintf(out, "  [%-14s %4zu ", range, bins[b]);
		size_t w = top ? (bins[b] * BAR_WIDTH + top - 1) / top : 0;
		for (size_t k = 0; k < w; k++)
			fputc('#', out);
		fputc('\n', out);
	}
}

void gb_print_summary(const struct gb_table *t, const char *batch_dir, FILE *out)
{
	int es = t->es;
	size_t graded = 0, rejected = 0, errors = 0;
	double *scores = malloc((t->nrows ? t->nrows : 1) * sizeof *scores);
	double sum = 0;
	for (size_t i = 0; i < t->nrows; i++) {
		const struct gb_row *r = &t->rows[i];
		graded += r->status == GB_GRADED;
		rejected += r->status == GB_REJECTED;
		errors += r->status == GB_ERROR;
		if (scores)
			scores[i] = r->score;
		sum += r->score;
	}
	fprintf(out, TR(es, "Exercise %s: %zu submissions in %s\n", "Ejercicio %s: %zu entregas en %s\n"), t->exercise,
		t->nrows, batch_dir);
	fprintf(out, TR(es, "  graded %zu, rejected %zu, errors %zu\n", "  corregidas %zu, rechazadas %zu, errores %zu\n"),
		graded, rejected, errors);
	if (t->nrows && scores) {
		qsort(scores, t->nrows, sizeof *scores, cmp_double);
		size_t m = t->nrows / 2;
		double median = t->nrows % 2 ? scores[m] : (scores[m - 1] + scores[m]) / 2;
		fprintf(out,
			TR(es, "  score out of %.10g: mean %.4g, median %.4g, min %.10g, max %.10g%s\n",
			   "  nota sobre %.10g: media %.4g, mediana %.4g, mínima %.10g, máxima %.10g%s\n"),
			t->max_score, sum / (double)t->nrows, median, scores[0], scores[t->nrows - 1],
			errors ? TR(es, " (errors count as 0)", " (los errores cuentan como 0)") : "");
	}
	free(scores);
	if (t->nrows && t->max_score > 0) {
		fputc('\n', out);
		print_histogram(t, out);
	}

	/* Most-failed checks, over the rows that have a report. */
	struct failed *f = calloc(t->ncolumns ? t->ncolumns : 1, sizeof *f);
	size_t nf = 0;
	for (size_t c = 0; f && c < t->ncolumns; c++) {
		size_t count = 0;
		for (size_t i = 0; i < t->nrows; i++) {
			const struct gb_check *ch = find_check(&t->rows[i], t->columns[c]);
			count += ch && !ch->passed;
		}
		if (count)
			f[nf++] = (struct failed){c, count};
	}
	fputc('\n', out);
	if (!f || nf == 0) {
		fprintf(out, "%s", TR(es, "Most-failed checks: none failed.\n", "Comprobaciones más falladas: ninguna falló.\n"));
	} else {
		qsort(f, nf, sizeof *f, cmp_failed);
		size_t width = 0;
		for (size_t i = 0; i < nf && i < TOP_CHECKS; i++) {
			size_t w = strlen(t->columns[f[i].column]);
			width = w > width ? w : width;
		}
		fprintf(out,
			TR(es, "Most-failed checks (of %zu graded or rejected):\n",
			   "Comprobaciones más falladas (de %zu corregidas o rechazadas):\n"),
			graded + rejected);
		for (size_t i = 0; i < nf && i < TOP_CHECKS; i++)
			fprintf(out, "  %-*s %zu\n", (int)width, t->columns[f[i].column], f[i].count);
		if (nf > TOP_CHECKS)
			fprintf(out, TR(es, "  (and %zu more)\n", "  (y %zu más)\n"), nf - TOP_CHECKS);
	}
	free(f);

	for (int pass = 0; pass < 2; pass++) {
		enum gb_status want = pass == 0 ? GB_REJECTED : GB_ERROR;
		size_t count = pass == 0 ? rejected : errors;
		if (!count)
			continue;
		fputc('\n', out);
		fputs(pass == 0 ? TR(es, "Rejected (the submission was unusable):\n",
				     "Rechazadas (la entrega no se pudo usar):\n")
				: TR(es, "Errors (graded 0: the grader failed on them):\n",
				     "Errores (nota 0: el corrector falló con ellas):\n"),
		      out);
		for (size_t i = 0; i < t->nrows; i++) {
			const struct gb_row *r = &t->rows[i];
			if (r->status != want)
				continue;
			fputs("  ", out);
			print_name(out, r->name);
			fputs(": ", out);
			print_name(out, r->reason ? r->reason : "");
			fputc('\n', out);
		}
	}
}
