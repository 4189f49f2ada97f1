/* Submission kind "program" (issue 8): a student's SMTP client, in C or
 * Python, run in the sandbox (sim/grade/sandbox.h) against the exercise's
 * world through the bridge (sim/agents/bridge.h).
 *
 * The grader (core) calls it after building the world and opening its
 * observers, then runs the world on to the exercise's "until" and checks:
 *
 *   struct grade_program_spec spec;
 *   if (grade_program_spec_from_json(ex_sub_json, &spec, err, sizeof err) < 0) ... teacher's error
 *   spec.source = data; spec.source_len = len; spec.source_name = path;
 *   spec.until = ex->until;
 *   struct grade_program_outcome po;
 *   if (grade_program_run(w, &spec, &po, err, sizeof err) < 0) ... grader's failure (exit 2)
 *   scn_world_run(w, ex->until);
 *   ... the student's session: the first one from po.gateway to po.server ...
 *   ... check "program-ran": grade_program_outcome_ok(&po), detail
 *       grade_program_outcome_detail(&po, lang) ...
 *   grade_program_outcome_clear(&po);
 *   grade_program_spec_clear(&spec);
 *
 * What happens: the source is copied into a private work dir; C is compiled
 * there with `cc -O2 -o program submission.c -lm` inside the sandbox (a
 * compiler error ends it: the outcome says "did not compile" with the
 * compiler's messages; the world is left alone); the grader process moves
 * into a private network namespace with only loopback (unless
 * no_network_isolation) and the bridge listens on 127.0.0.1 on a free port,
 * splicing each connection to the simulated server (spec.to:spec.port) from
 * the gateway host (spec.via); the program (`./program` or `python3 -I -B
 * submission.py`, then spec.args) runs in the sandbox with
 * MAILSIM_SMTP_HOST=127.0.0.1 and MAILSIM_SMTP_PORT=<the bridge's port> in
 * its environment (plus spec.env), while the world runs in real time;
 * when the program ends (or is stopped at wall_ms), the world runs on a
 * little so the bridge delivers the program's last bytes and closes its
 * connections, then the bridge is stopped and freed, the work dir removed,
 * and the call returns with the world paused where it was. */
#ifndef SIM_GRADE_GRADE_PROGRAM_H
#define SIM_GRADE_GRADE_PROGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "sim/core/time.h"
#include "sim/explain/explain.h"
#include "sim/grade/sandbox.h"

struct cJSON;
struct scn_world;

enum grade_program_lang { GRADE_PROGRAM_C = 1, GRADE_PROGRAM_PYTHON = 2 };

#define GRADE_PROGRAM_MAX_ARGS 32

struct grade_program_spec {
	unsigned languages;     /* GRADE_PROGRAM_C | GRADE_PROGRAM_PYTHON accepted */
	char *via;              /* gateway host (NULL: the scenario's first "ua" host) */
	char *to;               /* the simulated server (NULL: the first "mta" host) */
	uint16_t port;          /* its port (25) */
	int64_t wall_ms;        /* real time the program may run (20 s) */
	int64_t cpu_ms;         /* its CPU time (10 s) */
	uint64_t memory_mb;     /* its address space (256) */
	char *args[GRADE_PROGRAM_MAX_ARGS + 1]; /* NULL-ended */
	char *env[GRADE_PROGRAM_MAX_ARGS + 1];  /* "NAME=value", NULL-ended */
	/* Set by the caller (borrowed): the submission. The language comes
	 * from source_name's extension (.c, .py). */
	const char *source;
	size_t source_len;
	const char *source_name;
	sim_time until;            /* the real-time run stops here at the latest */
	int no_network_isolation;  /* the documented opt-out (see sandbox.h) */
};

/* Defaults, then the exercise's "submission" object: "languages" (["c",
 * "python"]), "bridge" {"via", "to", "port"}, "wall_limit", "cpu_limit"
 * (durations such as "20s"), "memory_mb", "args" (strings), "env" (object
 * of strings; names of letters, digits and _; MAILSIM_SMTP_HOST/PORT are
 * the grader's). 0, or -1 with "submission.KEY: what is wrong" in err (the
 * teacher's error). The opt-out no_network_isolation is set when the
 * environment has MAILSIM_GRADE_NO_NETWORK_ISOLATION=1. */
int grade_program_spec_from_json(const struct cJSON *sub, struct grade_program_spec *spec_r, char *err,
				 size_t errlen);
void grade_program_spec_clear(struct grade_program_spec *spec);

enum grade_program_status {
	GRADE_PROGRAM_RAN,          /* it ran; run says how it ended */
	GRADE_PROGRAM_NOT_COMPILED, /* cc failed; compile says how */
	GRADE_PROGRAM_WRONG_LANG,   /* not a .c or .py file this exercise takes */
};

struct grade_program_outcome {
	enum grade_program_status status;
	enum grade_program_lang lang;
	struct sandbox_outcome compile; /* C only */
	struct sandbox_outcome run;
	int gateway, server;  /* host numbers: the student's sessions go between them */
	uint16_t server_port;
	uint64_t connections; /* bridge connections the program opened */
	int isolated;         /* the network was private (0: opted out) */
	char ext[16];         /* WRONG_LANG: the file's extension */
};

/* Runs the submission against the world (see above). 0 when the program
 * was handled, whatever its outcome (in *o_r); -1 with err on the
 * grader's own failure (bad hosts, no private network, no bridge, the
 * simulation failed). */
int grade_program_run(struct scn_world *w, const struct grade_program_spec *spec, struct grade_program_outcome *o_r,
		      char *err, size_t errlen);
void grade_program_outcome_clear(struct grade_program_outcome *o);

/* 1 when the program ran, exited with status 0 and no limit stopped it. */
int grade_program_outcome_ok(const struct grade_program_outcome *o);
/* The outcome for the student in lang: how it ended, the compiler's
 * messages or the tails of its output. No times measured, so the same
 * behaviour gives the same text. Caller frees; NULL on ENOMEM. */
char *grade_program_outcome_detail(const struct grade_program_outcome *o, enum explain_lang lang);
/* The reason in one line (for a rejected report or a CSV): "did not
 * compile", "was stopped at the time limit (20 s)...". Returns buf. */
const char *grade_program_outcome_line(const struct grade_program_outcome *o, enum explain_lang lang, char *buf,
				       size_t len);

#endif
