/* The tricky-message corpus: every tests/data/msg/NAME.eml must parse into
 * the tree (types, encodings, decoded sizes, file names, defects) written
 * by hand in NAME.tree, whole and when cut at every byte (no crash, no
 * read past the end: run under ASan). */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "protocols/buf.h"
#include "protocols/mime.h"

#define CORPUS MAILSIM_SOURCE_DIR "/tests/data/msg"

static char *slurp(const char *path, size_t *len_r)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct buf b;
	buf_init(&b, 1 << 24);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	return buf_steal(&b, len_r);
}

static void test_corpus(void)
{
	DIR *d = opendir(CORPUS);
	REQUIRE(d != NULL);
	struct dirent *e;
	int cases = 0;
	while ((e = readdir(d)) != NULL) {
		size_t nl = strlen(e->d_name);
		if (nl < 5 || strcmp(e->d_name + nl - 4, ".eml") != 0)
			continue;
		char path[1024], tree_path[1024];
		snprintf(path, sizeof path, "%s/%s", CORPUS, e->d_name);
		snprintf(tree_path, sizeof tree_path, "%s/%.*s.tree", CORPUS, (int)(nl - 4), e->d_name);
		size_t len, tlen;
		char *msg = slurp(path, &len);
		char *want = slurp(tree_path, &tlen);
		CHECK(msg != NULL && want != NULL);
		if (!msg || !want) {
			fprintf(stderr, "missing %s or its .tree\n", path);
			free(msg);
			free(want);
			continue;
		}
		struct mime_doc *doc = NULL;
		REQUIRE(mime_parse(msg, len, NULL, &doc) == 0);
		struct buf got;
		buf_init(&got, 1 << 20);
		mime_tree_summary(&got, doc);
		if (strcmp(got.data, want) != 0) {
			fprintf(stderr, "%s:\n--- expected\n%s--- got\n%s", e->d_name, want, got.data);
			CHECK(0);
		}
		buf_free(&got);
		mime_doc_free(&doc);
		/* Every truncation, each in a fresh exact-size allocation. */
		for (size_t k = 0; k < len; k++) {
			char *cut = malloc(k ? k : 1);
			memcpy(cut, msg, k);
			REQUIRE(mime_parse(cut, k, NULL, &doc) == 0);
			buf_init(&got, 1 << 20);
			mime_tree_summary(&got, doc);
			buf_free(&got);
			mime_doc_free(&doc);
			free(cut);
		}
		free(msg);
		free(want);
		cases++;
	}
	closedir(d);
	CHECK(cases >= 40);
	printf("%d corpus messages\n", cases);
}

int main(void)
{
	RUN(test_corpus);
	return harness_done();
}
