/* libFuzzer target: the exercise loader (issue 8's format: the exercise
 * JSON with its inline scenario, submission spec, checks and questions)
 * and the submission readers of every kind (transcript lines, .eml turned
 * into an SMTP session, the RFC 7386 merge patch with its allow-list,
 * answers), on untrusted bytes. Built and run by run-fuzz.sh with the
 * sources listed in exercise.sources; seeds in corpus/exercise/.
 *
 * The input is the exercise JSON, a 0xFF byte, then the submission. Beyond
 * "no crash": a rejected exercise always has at least one message, each
 * starting with the file name; a submission is either prepared or rejected
 * with a reason, never both and never neither. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/grade/exercise.h"
#include "sim/grade/submission.h"
#include "sim/scenario/diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The run-fuzz.sh build compiles sources, not the CMake-generated file that
 * embeds data/explanations.json; the readers fuzzed here only need the
 * language enum, so an empty catalogue is linked in its place. */
const char explain_catalogue_json[] = "{}";
const size_t explain_catalogue_json_len = 2;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *cut = memchr(data, 0xFF, size);
	size_t ex_len = cut ? (size_t)(cut - data) : size;
	const char *sub = cut ? (const char *)cut + 1 : "";
	size_t sub_len = cut ? size - ex_len - 1 : 0;

	struct scn_diag *d = scn_diag_new();
	if (!d)
		return 0;
	struct grade_exercise *ex = grade_exercise_load_text("e.json", (const char *)data, ex_len, d);
	if (!ex) {
		if (scn_diag_count(d) == 0)
			abort();
		for (size_t i = 0; i < scn_diag_kept(d); i++)
			if (strncmp(scn_diag_message(d, i), "e.json", 6) != 0)
				abort();
	} else {
		for (int lang = 0; lang < 2; lang++) {
			struct grade_prepared p;
			memset(&p, 0, sizeof p);
			char reason[512] = "";
			int rc = grade_submission_prepare(ex, sub, sub_len, (enum explain_lang)lang, &p, reason,
							  sizeof reason);
			if (rc == GRADE_PREP_REJECTED && !reason[0])
				abort(); /* a rejection must say why */
			if (rc == GRADE_PREP_OK && ex->sub.kind == GRADE_KIND_PATCH && !p.scenario)
				abort();
			grade_prepared_clear(&p);
		}
	}
	grade_exercise_free(&ex);
	scn_diag_free(&d);
	return 0;
}
