/* Immutable reference-counted byte strings: message bodies are shared by
 * the UA's Sent folder, every MTA queue they pass through and the
 * mailboxes they land in, never copied per hop (a Received line is a new
 * header in front, kept apart from the shared bytes).
 *
 * Ownership: blob_new/blob_take return a blob with one reference;
 * blob_ref adds one; blob_unref drops one and frees at zero. */
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
/* Blobs alive in the process (leak checks in tests). */
long blob_live_count(void);

#endif
