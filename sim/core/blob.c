/* Reference-counted immutable bytes; see blob.h. */
#include "sim/core/blob.h"

#include <stdlib.h>
#include <string.h>

struct blob {
	long refs;
	size_t len;
	uint8_t *data;
	void *aux;
	void (*aux_free)(void *aux);
};

static long live, aux_live;

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
	b->aux = NULL;
	b->aux_free = NULL;
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
	if (b->aux) {
		b->aux_free(b->aux);
		aux_live--;
	}
	free(b->data);
	free(b);
	live--;
}

const uint8_t *blob_data(const struct blob *b) { return b->data; }
size_t blob_len(const struct blob *b) { return b->len; }
long blob_live_count(void) { return live; }

void *blob_aux(const struct blob *b, void (*free_fn)(void *aux))
{
	return b && b->aux && b->aux_free == free_fn ? b->aux : NULL;
}

int blob_set_aux(struct blob *b, void *aux, void (*free_fn)(void *aux))
{
	if (!b || !aux || !free_fn || b->aux)
		return -1;
	b->aux = aux;
	b->aux_free = free_fn;
	aux_live++;
	return 0;
}

long blob_aux_live_count(void) { return aux_live; }
