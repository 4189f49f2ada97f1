/* Immutable reference-counted byte strings: message bodies are shared by
 * the UA's Sent folder, every MTA queue they pass through and the
 * mailboxes they land in, never copied per hop (a Received line is a new
 * header in front, kept apart from the shared bytes).
 *
 * Ownership: blob_new/blob_take return a blob with one reference;
 * blob_ref adds one; blob_unref drops one and frees at zero.
 *
 * A blob can carry one piece of derived data (its "aux": a reader's parse
 * results, as a mail server keeps in its cache file), owned by the blob and
 * freed with it by the free function given when it was set. The bytes
 * never change, so whatever was derived from them stays true as long as
 * the blob lives. */
#ifndef SIM_BLOB_H
#define SIM_BLOB_H

#include <stddef.h>
#include <stdint.h>

struct blob;

/* A blob holding a copy of len bytes; NULL on ENOMEM. */
struct blob *blob_new(const void *data, size_t len);
/* A blob that takes over data (malloc'd, len bytes); frees data and
 * returns NULL on ENOMEM. */
struct blob *blob_take(void *data, size_t len);
struct blob *blob_ref(struct blob *b);
/* Drops a reference; accepts NULL; sets *b to NULL. */
void blob_unref(struct blob **b);
const uint8_t *blob_data(const struct blob *b);
size_t blob_len(const struct blob *b);
/* The aux data set with free_fn, or NULL if there is none or it was set
 * with another free function (another kind of data). */
void *blob_aux(const struct blob *b, void (*free_fn)(void *aux));
/* Gives aux to the blob (freed by free_fn(aux) when the blob is freed).
 * 0, or -1 (aux not taken) when the blob has aux already. */
int blob_set_aux(struct blob *b, void *aux, void (*free_fn)(void *aux));
/* Aux data alive in the process (leak checks in tests). */
long blob_aux_live_count(void);
/* Blobs alive in the process (leak checks in tests). */
long blob_live_count(void);

#endif
