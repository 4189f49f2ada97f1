/* Tests of the JSON locator used for scenario error lines: values, keys,
 * array elements, duplicate keys, escapes in keys, nesting, and safety on
 * truncated or hostile text. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sim/scenario/json_locate.h"

static const char doc[] = "{\n"                                    /* 1 */
			  "  \"hosts\": [\n"                          /* 2 */
			  "    { \"name\": \"a\", \"ip\": \"10.0.0.1\" },\n" /* 3 */
			  "    {\n"                                   /* 4 */
			  "      \"name\": \"b\",\n"                   /* 5 */
			  "      \"ip\":\n"                            /* 6 */
			  "        \"10.0.0.2\"\n"                     /* 7 */
			  "    }\n"                                   /* 8 */
			  "  ],\n"                                    /* 9 */
			  "  \"n\\u0061me\": {\"x\": [1, [2, 3], {\"y\": \"}\"}]},\n" /* 10 */
			  "  \"dup\": 1,\n"                           /* 11 */
			  "  \"dup\": 2\n"                            /* 12 */
			  "}\n";

#define K(k) {k, 0, 0}
#define I(i) {NULL, i, 0}

static int line_of(const struct json_path_elem *p, int depth)
{
	struct json_loc loc;
	if (json_locate(doc, strlen(doc), p, depth, &loc) < 0)
		return -1;
	return loc.line;
}

static void test_values_and_keys(void)
{
	struct json_path_elem p1[] = {K("hosts"), I(0), K("ip")};
	CHECK_EQ_INT(line_of(p1, 3), 3);
	struct json_path_elem p2[] = {K("hosts"), I(1), K("ip")};
	CHECK_EQ_INT(line_of(p2, 3), 7); /* the value's line, not the key's */
	struct json_loc loc;
	REQUIRE(json_locate(doc, strlen(doc), p2, 3, &loc) == 0);
	CHECK_EQ_INT(loc.key_line, 6);
	CHECK_EQ_INT(loc.col, 9);
	CHECK(memcmp(doc + loc.value_offset, "\"10.0.0.2\"", 10) == 0);
	struct json_path_elem p3[] = {K("hosts"), I(1)};
	CHECK_EQ_INT(line_of(p3, 2), 4);
	CHECK_EQ_INT(line_of(NULL, 0), 1);
}

static void test_escapes_nesting_duplicates(void)
{
	/* "n\u0061me" is the key "name" once decoded, as cJSON sees it. */
	struct json_path_elem p1[] = {K("name"), K("x"), I(2), K("y")};
	struct json_loc loc;
	REQUIRE(json_locate(doc, strlen(doc), p1, 4, &loc) == 0);
	CHECK_EQ_INT(loc.line, 10);
	CHECK(memcmp(doc + loc.value_offset, "\"}\"", 3) == 0);
	struct json_path_elem p2[] = {K("name"), K("x"), I(1), I(1)};
	REQUIRE(json_locate(doc, strlen(doc), p2, 4, &loc) == 0);
	CHECK(doc[loc.value_offset] == '3');
	struct json_path_elem d0[] = {{"dup", 0, 0}}, d1[] = {{"dup", 0, 1}}, d2[] = {{"dup", 0, 2}};
	CHECK_EQ_INT(line_of(d0, 1), 11);
	CHECK_EQ_INT(line_of(d1, 1), 12);
	CHECK_EQ_INT(line_of(d2, 1), -1);
}

static void test_missing_paths(void)
{
	struct json_path_elem p1[] = {K("hosts"), I(2)};
	CHECK_EQ_INT(line_of(p1, 2), -1);
	struct json_path_elem p2[] = {K("nothere")};
	CHECK_EQ_INT(line_of(p2, 1), -1);
	struct json_path_elem p3[] = {K("hosts"), K("name")}; /* a key into a list */
	CHECK_EQ_INT(line_of(p3, 2), -1);
	struct json_path_elem p4[] = {K("dup"), I(0)}; /* an index into a number */
	CHECK_EQ_INT(line_of(p4, 2), -1);
}

static void test_line_col(void)
{
	int line, col;
	json_line_col("ab\ncd\n", 6, 4, &line, &col);
	CHECK_EQ_INT(line, 2);
	CHECK_EQ_INT(col, 2);
	json_line_col("ab", 2, 99, &line, &col); /* clamped to the end */
	CHECK_EQ_INT(line, 1);
	CHECK_EQ_INT(col, 3);
}

/* Every prefix of the document, and bytes flipped at every position, must
 * be scanned without reading past the end (ASan checks the reads: each
 * prefix is copied into a buffer of exactly its size). */
static void test_truncated_and_garbled(void)
{
	size_t n = strlen(doc);
	struct json_path_elem paths[][4] = {
		{K("hosts"), I(1), K("ip")},
		{K("name"), K("x"), I(2), K("y")},
		{{"dup", 0, 1}},
	};
	int depths[] = {3, 4, 1};
	for (size_t len = 0; len <= n; len++) {
		char *buf = malloc(len ? len : 1);
		memcpy(buf, doc, len);
		for (int k = 0; k < 3; k++) {
			struct json_loc loc;
			if (json_locate(buf, len, paths[k], depths[k], &loc) == 0)
				CHECK(loc.value_offset < len);
		}
		free(buf);
	}
	static const char junk[] = "\"\\{}[],: x";
	for (size_t pos = 0; pos < n; pos++) {
		for (size_t j = 0; j < sizeof junk - 1; j++) {
			char *buf = malloc(n);
			memcpy(buf, doc, n);
			buf[pos] = junk[j];
			for (int k = 0; k < 3; k++) {
				struct json_loc loc;
				if (json_locate(buf, n, paths[k], depths[k], &loc) == 0)
					CHECK(loc.value_offset < n);
			}
			free(buf);
		}
	}
}

static void test_deep_nesting(void)
{
	/* 100,000 nested lists: skipping is iterative, so no stack overflow. */
	size_t depth = 100000;
	char *buf = malloc(2 * depth + 32);
	size_t n = 0;
	n += (size_t)sprintf(buf, "{\"a\": ");
	for (size_t i = 0; i < depth; i++)
		buf[n++] = '[';
	for (size_t i = 0; i < depth; i++)
		buf[n++] = ']';
	n += (size_t)sprintf(buf + n, ", \"b\": 7}");
	struct json_path_elem p[] = {K("b")};
	struct json_loc loc;
	REQUIRE(json_locate(buf, n, p, 1, &loc) == 0);
	CHECK(buf[loc.value_offset] == '7');
	free(buf);
}

int main(void)
{
	RUN(test_values_and_keys);
	RUN(test_escapes_nesting_duplicates);
	RUN(test_missing_paths);
	RUN(test_line_col);
	RUN(test_truncated_and_garbled);
	RUN(test_deep_nesting);
	return harness_done();
}
