/* The command line of `mailsim grade EXERCISE --batch DIR --csv FILE -j N`
 * (grade_batch.h): parses the options and runs grade_batch_run(). Called
 * from sim/cli/cmd_grade.c, which owns the rest of `mailsim grade`. */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/grade/grade_batch.h"

enum { OPT_BATCH = 1000, OPT_CSV, OPT_LANG, OPT_TIMEOUT, OPT_NO_NETNS, OPT_OTHER };

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mailsim grade EXERCISE --batch DIR [--csv FILE] [-j N] [--lang en|es] [--timeout S]\n\n"
		"Grades every file or folder in DIR (names starting with '.' are skipped) as one\n"
		"submission, each in its own process (`mailsim grade EXERCISE DIR/NAME --format json`),\n"
		"and prints a summary: counts, mean, median, a histogram of the scores, the most-failed\n"
		"checks, and the submissions the grader rejected or failed on.\n\n"
		"  --batch DIR    the folder of submissions\n"
		"  --csv FILE     write the grades there: submission,score,max_score,status, a column\n"
		"                 per check (its score), reason (replaced atomically)\n"
		"  -j, --jobs N   grade N submissions at once (default: the number of CPUs, at most %d)\n"
		"  --lang en|es   the language of the reports' texts and of the summary\n"
		"  --timeout S    wall-clock limit per submission, in seconds (default %.0f): a grader\n"
		"                 still running then is killed and the submission gets 0 (status error)\n\n"
		"Exit status: 0 every submission was graded (whatever its score), 1 the grader failed\n"
		"on some (they get 0, status \"error\", with the reason), 2 bad input (no such folder,\n"
		"no submissions, an exercise the grader refuses, an unwritable CSV).\n",
		GRADE_BATCH_MAX_JOBS, GRADE_BATCH_DEFAULT_TIMEOUT_S);
}

int grade_batch_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"batch", required_argument, NULL, OPT_BATCH},	   {"csv", required_argument, NULL, OPT_CSV},
		{"jobs", required_argument, NULL, 'j'},		   {"lang", required_argument, NULL, OPT_LANG},
		{"timeout", required_argument, NULL, OPT_TIMEOUT}, {"format", required_argument, NULL, OPT_OTHER},
		{"output", required_argument, NULL, OPT_OTHER},	   {"check", no_argument, NULL, OPT_OTHER},
		{"no-network-isolation", no_argument, NULL, OPT_NO_NETNS},
		{"help", no_argument, NULL, 'h'},		   {NULL, 0, NULL, 0},
	};
	struct grade_batch_opts o = {0};
	int c;
	char *end;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "j:o:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_BATCH:
			o.batch_dir = optarg;
			break;
		case OPT_CSV:
			o.csv_path = optarg;
			break;
		case 'j': {
			long j = strtol(optarg, &end, 10);
			if (*end || end == optarg || j < 1 || j > GRADE_BATCH_MAX_JOBS) {
				fprintf(stderr, "mailsim grade: -j \"%s\": a number from 1 to %d\n", optarg,
					GRADE_BATCH_MAX_JOBS);
				return 2;
			}
			o.jobs = (int)j;
			break;
		}
		case OPT_LANG:
			if (strcmp(optarg, "en") != 0 && strcmp(optarg, "es") != 0) {
				fprintf(stderr, "mailsim grade: --lang: \"%s\" is not en or es\n", optarg);
				return 2;
			}
			o.lang = optarg;
			break;
		case OPT_TIMEOUT:
			o.timeout_s = strtod(optarg, &end);
			if (*end || end == optarg || !(o.timeout_s > 0 && o.timeout_s <= 86400)) {
				fprintf(stderr, "mailsim grade: --timeout \"%s\": seconds, more than 0, at most 86400\n",
					optarg);
				return 2;
			}
			break;
		case OPT_NO_NETNS:
			/* cmd_grade.c has put it in the environment, which
			 * the children inherit. */
			break;
		case OPT_OTHER:
		case 'o':
			/* The batch always reads JSON reports and writes the CSV. */
			fprintf(stderr, "mailsim grade: %s cannot be used with --batch\n", argv[optind - 1]);
			return 2;
		case 'h':
			usage(stdout);
			return 0;
		default:
			if (optopt)
				fprintf(stderr, "mailsim grade: option '-%c' %s\n", optopt,
					strchr("jo", optopt) ? "needs a value" : "is unknown");
			else
				fprintf(stderr, "mailsim grade: unknown option or missing value: '%s'\n", argv[optind - 1]);
			fprintf(stderr, "Try 'mailsim grade --help'.\n");
			return 2;
		}
	}
	if (!o.batch_dir) {
		fprintf(stderr, "mailsim grade: --csv and -j need --batch DIR\n");
		return 2;
	}
	if (argc - optind != 1) {
		fprintf(stderr, "mailsim grade: %s\n",
			argc - optind < 1 ? "no exercise given"
					  : "--batch takes the exercise only (the submissions are the folder's entries)");
		fprintf(stderr, "Try 'mailsim grade --help'.\n");
		return 2;
	}
	o.exercise = argv[optind];
	return grade_batch_run(&o, stdout, stderr);
}
