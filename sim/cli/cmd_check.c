/* `mailsim check FILE...`: validates scenario files without running them.
 * Prints "FILE: ok (...)" per good file on stdout and every error of a bad
 * one on stderr; exits 0 if all are good, 2 otherwise. */
#include <getopt.h>
#include <stdio.h>

#include "sim/cli/cmd_check.h"
#include "sim/cli/default_scenario.h"
#include "sim/scenario/diag.h"
#include "sim/scenario/scenario.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: mailsim check [--quiet] FILE...\n"
		     "       mailsim check --default\n\n"
		     "Validates scenario files without running them: every key, value and\n"
		     "reference is checked, and each error names the file, line and JSON path.\n\n"
		     "  --default   check the built-in default scenario\n"
		     "  -q, --quiet print nothing for good files\n"
		     "  -h, --help  show this help\n\n"
		     "Exit status: 0 all files are valid, 2 some file is not (or bad usage).\n");
}

static const char *plural(size_t n, const char *one, const char *many) { return n == 1 ? one : many; }

static void print_ok(const char *name, const struct scenario *s)
{
	size_t expects = s->expect_count + s->mail_expect_count + (size_t)s->expect_ledger;
	printf("%s: ok (%zu %s, %zu %s, %zu %s, %zu %s, %zu %s, %zu %s", name, s->host_count,
	       plural(s->host_count, "host", "hosts"), s->link_count, plural(s->link_count, "link", "links"),
	       s->route_count, plural(s->route_count, "route", "routes"), s->fault_count,
	       plural(s->fault_count, "fault", "faults"), s->service_count,
	       plural(s->service_count, "service", "services"), s->client_count,
	       plural(s->client_count, "client", "clients"));
	if (s->mta_count || s->ua_count || s->mail_count)
		printf(", %zu %s, %zu %s, %zu mail %s", s->mta_count, plural(s->mta_count, "MTA", "MTAs"), s->ua_count,
		       plural(s->ua_count, "UA", "UAs"), s->mail_count, plural(s->mail_count, "action", "actions"));
	printf(", %zu %s)\n", expects, plural(expects, "expectation", "expectations"));
}

static int check_one(const char *name, struct scenario *s, struct scn_diag *d, int quiet)
{
	if (!s) {
		for (size_t i = 0; i < scn_diag_kept(d); i++)
			fprintf(stderr, "%s\n", scn_diag_message(d, i));
		if (scn_diag_count(d) > scn_diag_kept(d))
			fprintf(stderr, "%s: ... and %zu more errors\n", name, scn_diag_count(d) - scn_diag_kept(d));
		return 2;
	}
	if (!quiet)
		print_ok(name, s);
	scenario_free(&s);
	return 0;
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{"quiet", no_argument, NULL, 'q'},
		{"default", no_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int quiet = 0, builtin = 0, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+qh", opts, NULL)) != -1) {
		switch (c) {
		case 'q': quiet = 1; break;
		case 'd': builtin = 1; break;
		case 'h': usage(stdout); return 0;
		default:
			fprintf(stderr, "mailsim check: unknown option '%s'\n", argv[optind - 1]);
			fprintf(stderr, "Try 'mailsim check --help'.\n");
			return 2;
		}
	}
	if (optind >= argc && !builtin) {
		fprintf(stderr, "mailsim check: no scenario file given\n");
		fprintf(stderr, "Try 'mailsim check --help'.\n");
		return 2;
	}
	int rc = 0;
	struct scn_diag *d = scn_diag_new();
	if (!d) {
		fprintf(stderr, "mailsim check: out of memory\n");
		return 2;
	}
	if (builtin) {
		struct scenario *s = scenario_load_text(CLI_DEFAULT_SCENARIO_NAME, cli_default_scenario,
							cli_default_scenario_len, d);
		if (check_one(CLI_DEFAULT_SCENARIO_NAME, s, d, quiet))
			rc = 2;
	}
	for (int i = optind; i < argc; i++) {
		scn_diag_clear(d);
		struct scenario *s = scenario_load_file(argv[i], d);
		if (check_one(argv[i], s, d, quiet))
			rc = 2;
	}
	scn_diag_free(&d);
	return rc;
}
