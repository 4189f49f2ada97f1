/* A small open-addressing hash map from 64-bit ids to 32-bit values, for
 * the scene's lookups by packet id and connection id. Linear probing with
 * backward-shift deletion, so no tombstones pile up over a long run. */
#ifndef VIZ_IDMAP_H
#define VIZ_IDMAP_H

#include <stddef.h>
#include <stdint.h>

struct viz_idmap {
	uint64_t *keys; /* key + 1; 0 marks an empty slot */
	uint32_t *vals;
	size_t cap, count; /* cap is a power of two or 0 */
};

void viz_idmap_init(struct viz_idmap *m);
void viz_idmap_clear(struct viz_idmap *m);
void viz_idmap_release(struct viz_idmap *m);
/* Sets key to val. Returns 0, or -1 on ENOMEM (the map is unchanged). */
int viz_idmap_put(struct viz_idmap *m, uint64_t key, uint32_t val);
/* 1 and *val_r if present, else 0. */
int viz_idmap_get(const struct viz_idmap *m, uint64_t key, uint32_t *val_r);
/* Removes key; 1 if it was present. */
int viz_idmap_del(struct viz_idmap *m, uint64_t key);

#endif
