/* `mailsim grade EXERCISE SUBMISSION`: grades one submission and prints the
 * report (text, json, junit or gradescope), in English or Spanish. Exit
 * status: 0 every check passed, 1 some failed (a rejected submission
 * too), 2 bad input to the grader (usage, an invalid exercise, a missing
 * submission). `--batch DIR` hands over to the batch grader
 * (sim/grade/grade_batch.h) when this build has it. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/cli/cmd_grade.h"
#include "sim/grade/grade.h"
#include "sim/scenario/diag.h"

#if defined(__has_include)
#if __has_include("sim/grade/grade_batch.h")
#include "sim/grade/grade_batch.h"
#define MAILSIM_HAVE_GRADE_BATCH 1
#endif
#endif

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mailsim grade EXERCISE SUBMISSION [--format text|json|junit|gradescope] [--lang en|es] [-o FILE]\n"
		"       mailsim grade EXERCISE --check\n"
		"       mailsim grade EXERCISE --batch DIR --csv FILE [-j N]\n\n"
		"Grades a student's submission: runs it in the exercise's scenario, checks\n"
		"the outcome and prints points and feedback for every check.\n\n"
		"  EXERCISE           an exercise file (scenarios/exercises/NAME/exercise.json)\n"
		"                     or its folder\n"
		"  SUBMISSION         what the student handed in (a transcript, an .eml, a\n"
		"                     JSON patch or JSON answers, as the exercise says)\n"
		"  --format FORMAT    text (default), json, junit (JUnit XML for CI) or\n"
		"                     gradescope (Gradescope's results.json)\n"
		"  --lang LANG        en (default) or es: feedback, titles and explanations\n"
		"  -o, --output FILE  write the report to FILE instead of standard output\n"
		"  --check            only validate the exercise (and its scenario)\n"
		"  --batch DIR        grade every file or folder in DIR, each in its own process\n"
		"  --csv FILE         with --batch: one row per submission\n"
		"  -j N               with --batch: N submissions at once\n"
		"  -h, --help         show this help\n\n"
		"Exit status: 0 every check passed, 1 some check failed or the submission was\n"
		"rejected, 2 bad usage, an invalid exercise or a missing submission.\n"
		"docs/exercises.md explains exercises and reports.\n");
}

enum { OPT_FORMAT = 1000, OPT_LANG, OPT_CHECK, OPT_BATCH, OPT_CSV };

/* ✓ and ✗ only where they will show: a terminal whose locale is UTF-8. */
static int utf8_terminal(FILE *out)
{
	if (!isatty(fileno(out)))
		return 0;
	const char *vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
	for (int i = 0; i < 3; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return strstr(v, "UTF-8") || strstr(v, "utf-8") || strstr(v, "UTF8") || strstr(v, "utf8");
	}
	return 0;
}

/* An exercise given as its folder means the folder's exercise.json. */
static char *exercise_path(const char *arg)
{
	struct stat st;
	size_t n = strlen(arg);
	if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
		char *p = malloc(n + 16);
		if (p)
			snprintf(p, n + 16, "%s%sexercise.json", arg, n && arg[n - 1] == '/' ? "" : "/");
		return p;
	}
	return strdup(arg);
}

static int print_diag(const char *name, struct scn_diag *d)
{
	for (size_t i = 0; i < scn_diag_kept(d); i++)
		fprintf(stderr, "%s\n", scn_diag_message(d, i));
	if (scn_diag_count(d) > scn_diag_kept(d))
		fprintf(stderr, "%s: ... and %zu more errors\n", name, scn_diag_count(d) - scn_diag_kept(d));
	return 2;
}

/* ---- batch mode: connected to the batch grader (sim/grade/grade_batch.h,
 * written separately) when this build has it. ---- */
static int run_batch(int argc, char **argv)
{
#ifdef MAILSIM_HAVE_GRADE_BATCH
	optind = 1;
	return grade_batch_main(argc, argv);
#else
	(void)argc;
	(void)argv;
	fprintf(stderr, "mailsim grade: --batch: not built in this version\n");
	return 2;
#endif
}

int cmd_grade(int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, OPT_FORMAT},
		{"lang", required_argument, NULL, OPT_LANG},
		{"output", required_argument, NULL, 'o'},
		{"check", no_argument, NULL, OPT_CHECK},
		{"batch", required_argument, NULL, OPT_BATCH},
		{"csv", required_argument, NULL, OPT_CSV},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	enum grade_format format = GRADE_FORMAT_TEXT;
	enum explain_lang lang = EXPLAIN_EN;
	const char *output = NULL;
	int check_only = 0, batch = 0, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:j:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			if (grade_format_parse(optarg, &format) < 0) {
				fprintf(stderr, "mailsim grade: --format: \"%s\" is not text, json, junit or gradescope\n", optarg);
				return 2;
			}
			break;
		case OPT_LANG:
			if (explain_lang_parse(optarg, &lang) < 0) {
				fprintf(stderr, "mailsim grade: --lang: \"%s\" is not en or es\n", optarg);
				return 2;
			}
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_CHECK:
			check_only = 1;
			break;
		case OPT_BATCH:
		case OPT_CSV:
		case 'j':
			batch = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			if (optopt)
				fprintf(stderr, "mailsim grade: option '-%c' %s\n", optopt,
					strchr("oj", optopt) ? "needs a value" : "is unknown");
			else
				fprintf(stderr, "mailsim grade: unknown option or missing value: '%s'\n", argv[optind - 1]);
			fprintf(stderr, "Try 'mailsim grade --help'.\n");
			return 2;
		}
	}
	if (batch)
		return run_batch(argc, argv);
	int npos = argc - optind;
	if (npos < 1 || npos > 2 || (npos == 1 && !check_only) || (npos == 2 && check_only)) {
		fprintf(stderr, "mailsim grade: %s\n",
			npos < 1 ? "no exercise given"
			: npos > 2 ? "too many arguments (expected EXERCISE SUBMISSION)"
			: check_only ? "--check takes the exercise only"
				     : "no submission given");
		fprintf(stderr, "Try 'mailsim grade --help'.\n");
		return 2;
	}
	char *path = exercise_path(argv[optind]);
	struct scn_diag *d = scn_diag_new();
	if (!path || !d) {
		free(path);
		scn_diag_free(&d);
		fprintf(stderr, "mailsim grade: out of memory\n");
		return 2;
	}
	int rc = 2;
	struct grade_exercise *ex = grade_exercise_load_file(path, d);
	struct grade_report *r = NULL;
	FILE *out = NULL;
	if (!ex) {
		print_diag(path, d);
		goto done;
	}
	if (check_only) {
		printf("%s: ok (%s, %zu checks)\n", path, grade_kind_name(ex->sub.kind), ex->check_count);
		rc = 0;
		goto done;
	}
	const char *sub = argv[optind + 1];
	struct stat st;
	if (stat(sub, &st) != 0) {
		fprintf(stderr, "mailsim grade: %s: %s\n", sub, strerror(errno));
		goto done;
	}
	if (S_ISDIR(st.st_mode)) {
		fprintf(stderr, "mailsim grade: %s: is a folder (expected the submission's file)\n", sub);
		goto done;
	}
	char err[512] = "";
	r = grade_file(ex, sub, lang, err, sizeof err);
	if (!r) {
		fprintf(stderr, "mailsim grade: %s: %s\n", sub, err[0] ? err : "grading failed");
		goto done;
	}
	out = output ? fopen(output, "w") : stdout;
	if (!out) {
		fprintf(stderr, "mailsim grade: %s: %s\n", output, strerror(errno));
		goto done;
	}
	if (grade_report_write(r, format, out, format == GRADE_FORMAT_TEXT && utf8_terminal(out)) < 0 ||
	    fflush(out) != 0) {
		fprintf(stderr, "mailsim grade: cannot write the report\n");
		goto done;
	}
	rc = grade_report_passed(r) ? 0 : 1;
done:
	if (out && out != stdout && fclose(out) != 0 && rc != 2) {
		fprintf(stderr, "mailsim grade: %s: %s\n", output, strerror(errno));
		rc = 2;
	}
	grade_report_free(&r);
	grade_exercise_free(&ex);
	scn_diag_free(&d);
	free(path);
	return rc;
}
