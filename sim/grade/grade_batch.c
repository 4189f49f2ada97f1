/* Batch grading (grade_batch.h): lists the submissions, checks the
 * exercise once with an empty submission, grades every submission in a
 * child process (grade_batch_pool.c), turns the children into rows
 * (grade_batch_row.c) and writes the CSV and the summary
 * (grade_batch_out.c). */
#define _POSIX_C_SOURCE 200809L
#include "sim/grade/grade_batch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/grade/grade_batch_internal.h"

#define SELF_EXE "/proc/self/exe"

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The submission names in dir, sorted bytewise, without hidden entries
 * and without the CSV itself (a CSV written into the batch folder must
 * not become a submission on the next run). Returns the count, or -1 with
 * err set. */
static long list_submissions(const char *dir, const char *csv_path, char ***names_r, char *err, size_t errlen)
{
	*names_r = NULL;
	struct stat csv_st;
	int have_csv = csv_path && stat(csv_path, &csv_st) == 0;
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "cannot read the batch folder %s: %s", dir, strerror(errno));
		return -1;
	}
	int dfd = dirfd(d);
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		struct stat st;
		if (have_csv && fstatat(dfd, e->d_name, &st, 0) == 0 && st.st_dev == csv_st.st_dev &&
		    st.st_ino == csv_st.st_ino)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **p = realloc(names, cap * sizeof *p);
			if (!p)
				goto oom;
			names = p;
		}
		names[n] = strdup(e->d_name);
		if (!names[n])
			goto oom;
		n++;
		errno = 0;
	}
	if (errno) {
		snprintf(err, errlen, "cannot read the batch folder %s: %s", dir, strerror(errno));
		closedir(d);
		free_names(names, n);
		return -1;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_name);
	*names_r = names;
	return (long)n;
oom:
	closedir(d);
	free_names(names, n);
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* Can a file be created in the CSV's folder, and is the CSV itself not a
 * folder? Checked before grading, so a teacher does not wait for nothing. */
static int csv_writable(const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "--csv %s is a folder", path);
		return -1;
	}
	const char *slash = strrchr(path, '/');
	char dir[4096];
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (slash == path)
		snprintf(dir, sizeof dir, "/");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	if (access(dir, W_OK | X_OK) != 0) {
		snprintf(err, errlen, "cannot write the CSV into %.400s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* A folder holding exactly one visible entry, a regular file, stands for
 * that file (a learning platform's download gives each student a folder);
 * any other folder is handed to the grader as it is. Returns path, or a
 * new path (path freed), or NULL when out of memory (path freed). */
static char *resolve_folder(char *path)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return path;
	DIR *d = opendir(path);
	if (!d)
		return path;
	char only[256] = "";
	int visible = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && visible < 2) {
		if (e->d_name[0] == '.')
			continue;
		visible++;
		snprintf(only, sizeof only, "%s", e->d_name);
	}
	closedir(d);
	if (visible != 1)
		return path;
	size_t len = strlen(path) + strlen(only) + 2;
	char *file = malloc(len);
	if (!file) {
		free(path);
		return NULL;
	}
	snprintf(file, len, "%s/%s", path, only);
	if (stat(file, &st) != 0 || !S_ISREG(st.st_mode)) {
		free(file);
		return path;
	}
	free(path);
	return file;
}

/* argv for `mailsim grade EXERCISE PATH --format json [--lang L]`; the
 * path is owned by the argv (element 3). */
static char **grade_argv(const struct grade_batch_opts *o, const char *dir, const char *name)
{
	char **argv = calloc(9, sizeof *argv);
	size_t len = strlen(dir) + strlen(name) + 2;
	char *path = malloc(len);
	if (!argv || !path) {
		free(argv);
		free(path);
		return NULL;
	}
	int slash = dir[0] && dir[strlen(dir) - 1] == '/';
	snprintf(path, len, "%s%s%s", dir, slash ? "" : "/", name);
	path = resolve_folder(path);
	if (!path) {
		free(argv);
		return NULL;
	}
	int k = 0;
	argv[k++] = "mailsim";
	argv[k++] = "grade";
	argv[k++] = (char *)o->exercise;
	argv[k++] = path;
	argv[k++] = "--format";
	argv[k++] = "json";
	if (o->lang) {
		argv[k++] = "--lang";
		argv[k++] = (char *)o->lang;
	}
	argv[k] = NULL;
	return argv;
}

static void free_argv(char **argv)
{
	if (!argv)
		return;
	free(argv[3]);
	free(argv);
}

/* Adds id to the columns unless there. Returns 0, or -1 out of memory. */
static int add_column(struct gb_table *t, const char *id)
{
	for (size_t i = 0; i < t->ncolumns; i++)
		if (strcmp(t->columns[i], id) == 0)
			return 0;
	char **p = realloc(t->columns, (t->ncolumns + 1) * sizeof *p);
	if (!p)
		return -1;
	t->columns = p;
	t->columns[t->ncolumns] = strdup(id);
	if (!t->columns[t->ncolumns])
		return -1;
	t->ncolumns++;
	return 0;
}

/* Grades an empty submission: the exercise's check ids and max_score, or
 * 2 with the reason on err when the grader refuses the exercise. */
static int probe_exercise(const struct grade_batch_opts *o, const char *program, double timeout_s,
			  struct gb_table *t, FILE *err)
{
	char dir[] = "/tmp/mailsim-grade-batch-XXXXXX";
	if (!mkdtemp(dir)) {
		fprintf(err, "mailsim grade: cannot make a temporary folder: %s\n", strerror(errno));
		return 2;
	}
	char path[64];
	snprintf(path, sizeof path, "%s/empty", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		fprintf(err, "mailsim grade: cannot create %s: %s\n", path, strerror(errno));
		rmdir(dir);
		return 2;
	}
	close(fd);
	char **argv = grade_argv(o, dir, "empty");
	struct gb_child child = {0};
	char why[300] = "";
	int rc = 2;
	if (!argv) {
		fprintf(err, "mailsim grade: out of memory\n");
		goto out;
	}
	if (gb_pool_run(program, &argv, 1, 1, timeout_s, &child, why, sizeof why) < 0) {
		fprintf(err, "mailsim grade: %s\n", why);
		goto out;
	}
	if (child.started && child.exited && child.exit_code == 2) {
		/* The grader's own message says what is wrong. */
		fprintf(err, "mailsim grade: the exercise %s was refused:\n%s%s", o->exercise,
			child.err[0] ? child.err : "(no message)",
			child.err[0] && child.err[strlen(child.err) - 1] == '\n' ? "" : "\n");
		goto out;
	}
	struct gb_row row = {0};
	if (gb_row_from_child(&row, &child, timeout_s, 0) < 0) {
		fprintf(err, "mailsim grade: out of memory\n");
		gb_row_clear(&row);
		goto out;
	}
	if (row.status == GB_ERROR) {
		fprintf(err, "mailsim grade: cannot check the exercise %s with an empty submission: %s\n",
			o->exercise, row.reason);
		gb_row_clear(&row);
		goto out;
	}
	t->max_score = row.max_score;
	rc = 0;
	for (size_t i = 0; i < row.nchecks && rc == 0; i++)
		if (add_column(t, row.checks[i].id) < 0) {
			fprintf(err, "mailsim grade: out of memory\n");
			rc = 2;
		}
	gb_row_clear(&row);
out:
	gb_child_clear(&child);
	free_argv(argv);
	unlink(path);
	rmdir(dir);
	return rc;
}

static long cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > GRADE_BATCH_MAX_JOBS ? GRADE_BATCH_MAX_JOBS : n;
}

int grade_batch_run(const struct grade_batch_opts *o, FILE *out, FILE *err)
{
	char why[600];
	if (!o->exercise || !o->batch_dir) {
		fprintf(err, "mailsim grade: --batch needs an exercise and a folder\n");
		return 2;
	}
	if (o->jobs > GRADE_BATCH_MAX_JOBS) {
		fprintf(err, "mailsim grade: -j %d: at most %d\n", o->jobs, GRADE_BATCH_MAX_JOBS);
		return 2;
	}
	if (o->lang && strcmp(o->lang, "en") != 0 && strcmp(o->lang, "es") != 0) {
		fprintf(err, "mailsim grade: --lang %s: en or es\n", o->lang);
		return 2;
	}
	int jobs = o->jobs > 0 ? o->jobs : (int)cpu_count();
	double timeout_s = o->timeout_s > 0 && isfinite(o->timeout_s) ? o->timeout_s : GRADE_BATCH_DEFAULT_TIMEOUT_S;
	const char *program = o->program ? o->program : SELF_EXE;
	struct stat st;
	if (stat(o->batch_dir, &st) != 0) {
		fprintf(err, "mailsim grade: --batch %s: %s\n", o->batch_dir, strerror(errno));
		return 2;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(err, "mailsim grade: --batch %s: not a folder\n", o->batch_dir);
		return 2;
	}
	if (o->csv_path && csv_writable(o->csv_path, why, sizeof why) < 0) {
		fprintf(err, "mailsim grade: %s\n", why);
		return 2;
	}
	char **names = NULL;
	long n = list_submissions(o->batch_dir, o->csv_path, &names, why, sizeof why);
	if (n < 0) {
		fprintf(err, "mailsim grade: %s\n", why);
		return 2;
	}
	if (n == 0) {
		fprintf(err, "mailsim grade: no submissions in %s (hidden entries are skipped)\n", o->batch_dir);
		free(names);
		return 2;
	}
	int es = o->lang && strcmp(o->lang, "es") == 0;
	struct gb_table t = {.exercise = o->exercise, .max_score = NAN, .es = es};
	int rc = probe_exercise(o, program, timeout_s, &t, err);
	char ***argvs = NULL;
	struct gb_child *children = NULL;
	if (rc != 0)
		goto out;
	rc = 2;
	argvs = calloc((size_t)n, sizeof *argvs);
	children = calloc((size_t)n, sizeof *children);
	t.rows = calloc((size_t)n, sizeof *t.rows);
	if (!argvs || !children || !t.rows)
		goto oom;
	for (long i = 0; i < n; i++) {
		argvs[i] = grade_argv(o, o->batch_dir, names[i]);
		if (!argvs[i])
			goto oom;
	}
	if (gb_pool_run(program, (char **const *)argvs, (size_t)n, jobs, timeout_s, children, why, sizeof why) < 0) {
		fprintf(err, "mailsim grade: %s\n", why);
		goto out;
	}
	size_t errors = 0;
	for (long i = 0; i < n; i++) {
		struct gb_row *r = &t.rows[i];
		if (gb_row_from_child(r, &children[i], timeout_s, es) < 0)
			goto oom;
		r->name = names[i];
		names[i] = NULL;
		t.nrows++;
		errors += r->status == GB_ERROR;
		for (size_t c = 0; c < r->nchecks; c++)
			if (add_column(&t, r->checks[c].id) < 0)
				goto oom;
	}
	if (isnan(t.max_score))
		t.max_score = 0;
	if (o->csv_path && gb_write_csv(&t, o->csv_path, why, sizeof why) < 0) {
		fprintf(err, "mailsim grade: %s\n", why);
		rc = 2;
		goto out;
	}
	gb_print_summary(&t, o->batch_dir, out);
	rc = errors ? 1 : 0;
	goto out;
oom:
	fprintf(err, "mailsim grade: out of memory\n");
	rc = 2;
out:
	for (long i = 0; argvs && i < n; i++)
		free_argv(argvs[i]);
	free(argvs);
	for (long i = 0; children && i < n; i++)
		gb_child_clear(&children[i]);
	free(children);
	for (size_t i = 0; i < t.nrows; i++)
		gb_row_clear(&t.rows[i]);
	free(t.rows);
	for (size_t i = 0; i < t.ncolumns; i++)
		free(t.columns[i]);
	free(t.columns);
	free_names(names, (size_t)n);
	return rc;
}
