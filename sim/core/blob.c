/* Reference-counted immutable bytes; see blob.h. */
#include "sim/core/blob.h"

#include <stdlib.h>
#include <string.h>

struct blob {
	long refs;
	size_t len;
	uint8_t *data;
};

static long live;

struct blob *blob_take(void *data, size_t len)
{
	struct blob *b = malloc(sizeof *b);
	if (!b) {
		free(data);
		return NULL;
	}
	b->refs = 1;
	b->len = len;
	b->data = data;
	live++;
	return b;
}

struct blob *blob_new(const void *data, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy)
		return NULL;
	if (len)
		memcpy(copy, data, len);
	return blob_take(copy, len);
}

struct blob *blob_ref(struct blob *b)
{
	if (b)
		b->refs++;
	return b;
}

void blob_unref(struct blob **bp)
{
	if (!bp || !*bp)
		return;
	struct blob *b = *bp;
	*bp = NULL;
	if (--b->refs > 0)
		return;
	free(b->data);
	free(b);
	live--;
}

const uint8_t *blob_data(const struct blob *b) { return b->data; }
size_t blob_len(const struct blob *b) { return b->len; }
long blob_live_count(void) { return live; }
