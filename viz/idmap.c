/* Open-addressing id map (see idmap.h). Keys are stored plus one so that a
 * zero slot means empty and id 0 still works. */
#include "viz/idmap.h"

#include <stdlib.h>

static size_t slot_of(const struct viz_idmap *m, uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return (size_t)k & (m->cap - 1);
}

void viz_idmap_init(struct viz_idmap *m)
{
	m->keys = NULL;
	m->vals = NULL;
	m->cap = m->count = 0;
}

void viz_idmap_clear(struct viz_idmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		m->keys[i] = 0;
	m->count = 0;
}

void viz_idmap_release(struct viz_idmap *m)
{
	free(m->keys);
	free(m->vals);
	viz_idmap_init(m);
}

static int grow(struct viz_idmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 64;
	uint64_t *nk = calloc(ncap, sizeof *nk);
	uint32_t *nv = malloc(ncap * sizeof *nv);
	if (!nk || !nv) {
		free(nk);
		free(nv);
		return -1;
	}
	struct viz_idmap old = *m;
	m->keys = nk;
	m->vals = nv;
	m->cap = ncap;
	m->count = 0;
	for (size_t i = 0; i < old.cap; i++) {
		if (!old.keys[i])
			continue;
		size_t s = slot_of(m, old.keys[i] - 1);
		while (m->keys[s])
			s = (s + 1) & (m->cap - 1);
		m->keys[s] = old.keys[i];
		m->vals[s] = old.vals[i];
		m->count++;
	}
	free(old.keys);
	free(old.vals);
	return 0;
}

int viz_idmap_put(struct viz_idmap *m, uint64_t key, uint32_t val)
{
	if ((m->count + 1) * 4 > m->cap * 3 && grow(m) < 0)
		return -1;
	size_t s = slot_of(m, key);
	while (m->keys[s] && m->keys[s] != key + 1)
		s = (s + 1) & (m->cap - 1);
	if (!m->keys[s])
		m->count++;
	m->keys[s] = key + 1;
	m->vals[s] = val;
	return 0;
}

int viz_idmap_get(const struct viz_idmap *m, uint64_t key, uint32_t *val_r)
{
	if (!m->cap)
		return 0;
	size_t s = slot_of(m, key);
	while (m->keys[s]) {
		if (m->keys[s] == key + 1) {
			*val_r = m->vals[s];
			return 1;
		}
		s = (s + 1) & (m->cap - 1);
	}
	return 0;
}

int viz_idmap_del(struct viz_idmap *m, uint64_t key)
{
	if (!m->cap)
		return 0;
	size_t s = slot_of(m, key);
	while (m->keys[s] && m->keys[s] != key + 1)
		s = (s + 1) & (m->cap - 1);
	if (!m->keys[s])
		return 0;
	m->keys[s] = 0;
	m->count--;
	/* Backward shift: pull later members of the probe run into the hole
	 * when their home slot allows it. */
	size_t hole = s, j = s;
	for (;;) {
		j = (j + 1) & (m->cap - 1);
		if (!m->keys[j])
			break;
		size_t home = slot_of(m, m->keys[j] - 1);
		int movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
		if (movable) {
			m->keys[hole] = m->keys[j];
			m->vals[hole] = m->vals[j];
			m->keys[j] = 0;
			hole = j;
		}
	}
	return 1;
}
