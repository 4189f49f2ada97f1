/* A tiny test harness: CHECK records a failure and goes on, REQUIRE stops the
 * test function, RUN runs one test function, and harness_done() prints
 * "N passed, N failed" and gives the exit code for ctest.
 *
 *   static void test_x(void) { CHECK(1 + 1 == 2); }
 *   int main(void) { RUN(test_x); return harness_done(); }
 */
#ifndef TEST_HARNESS_H
#define TEST_HARNESS_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int harness_checks_failed;
static int harness_tests_passed, harness_tests_failed;
static const char *harness_current;

#define CHECK(cond)                                                                                            \
	do {                                                                                                   \
		if (!(cond)) {                                                                                 \
			fprintf(stderr, "%s:%d: %s: CHECK failed: %s\n", __FILE__, __LINE__, harness_current, \
				#cond);                                                                        \
			harness_checks_failed++;                                                               \
		}                                                                                              \
	} while (0)

#define REQUIRE(cond)                                                                                          \
	do {                                                                                                   \
		if (!(cond)) {                                                                                 \
			fprintf(stderr, "%s:%d: %s: REQUIRE failed: %s\n", __FILE__, __LINE__,                \
				harness_current, #cond);                                                       \
			harness_checks_failed++;                                                               \
			return;                                                                                \
		}                                                                                              \
	} while (0)

#define CHECK_EQ_INT(a, b)                                                                                     \
	do {                                                                                                   \
		long long va_ = (long long)(a), vb_ = (long long)(b);                                          \
		if (va_ != vb_) {                                                                              \
			fprintf(stderr, "%s:%d: %s: CHECK failed: %s == %s (%lld != %lld)\n", __FILE__,       \
				__LINE__, harness_current, #a, #b, va_, vb_);                                  \
			harness_checks_failed++;                                                               \
		}                                                                                              \
	} while (0)

#define CHECK_STR(a, b)                                                                                        \
	do {                                                                                                   \
		const char *sa_ = (a), *sb_ = (b);                                                             \
		if (!sa_ || !sb_ || strcmp(sa_, sb_) != 0) {                                                   \
			fprintf(stderr, "%s:%d: %s: CHECK failed: %s == %s (\"%s\" != \"%s\")\n", __FILE__,   \
				__LINE__, harness_current, #a, #b, sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)"); \
			harness_checks_failed++;                                                               \
		}                                                                                              \
	} while (0)

#define RUN(fn)                                                                                                \
	do {                                                                                                   \
		int before_ = harness_checks_failed;                                                           \
		harness_current = #fn;                                                                         \
		fn();                                                                                          \
		if (harness_checks_failed == before_) {                                                        \
			harness_tests_passed++;                                                                \
		} else {                                                                                       \
			harness_tests_failed++;                                                                \
			fprintf(stderr, "FAIL %s\n", #fn);                                                     \
		}                                                                                              \
	} while (0)

static inline int harness_done(void)
{
	printf("%d passed, %d failed\n", harness_tests_passed, harness_tests_failed);
	return harness_tests_failed ? 1 : 0;
}

#endif
