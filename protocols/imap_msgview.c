/* The IMAP message view's lazy parse cache and the flag name helpers shared
 * by FETCH, SEARCH and the server's STORE. */
#include "protocols/imap_msgview.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/header.h"
#include "protocols/imap_msgview_internal.h"
#include "protocols/proto_err.h"

static const char *const flag_names[] = {"\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft", "\\Recent"};

struct imap_msgcache *imap_msgcache_new(void)
{
	struct imap_msgcache *mc = calloc(1, sizeof *mc);
	if (!mc)
		return NULL;
	buf_init(&mc->envelope, IMAP_MSGCACHE_MAX);
	buf_init(&mc->body[0], IMAP_MSGCACHE_MAX);
	buf_init(&mc->body[1], IMAP_MSGCACHE_MAX);
	for (size_t i = 0; i < IMAP_MSGCACHE_NFIELDS; i++)
		buf_init(&mc->field[i], IMAP_MSGCACHE_MAX);
	return mc;
}

static void cache_clear(struct imap_msgcache *mc)
{
	mime_doc_free(&mc->doc);
	buf_reset(&mc->envelope);
	buf_reset(&mc->body[0]);
	buf_reset(&mc->body[1]);
	for (size_t i = 0; i < IMAP_MSGCACHE_NFIELDS; i++)
		buf_reset(&mc->field[i]);
	mc->have_field = 0;
	mc->have_envelope = mc->have_body[0] = mc->have_body[1] = mc->have_body_offset = 0;
}

void imap_msgcache_free(struct imap_msgcache **cache)
{
	if (!cache || !*cache)
		return;
	mime_doc_free(&(*cache)->doc);
	buf_free(&(*cache)->envelope);
	buf_free(&(*cache)->body[0]);
	buf_free(&(*cache)->body[1]);
	for (size_t i = 0; i < IMAP_MSGCACHE_NFIELDS; i++)
		buf_free(&(*cache)->field[i]);
	free(*cache);
	*cache = NULL;
}

struct imap_msgcache *imap_msgview_cache(const struct imap_msgview *v)
{
	struct imap_msgcache *mc = v->cache;
	if (!mc)
		return NULL;
	if (mc->raw != v->raw || mc->raw_len != v->raw_len) {
		cache_clear(mc);
		mc->raw = v->raw;
		mc->raw_len = v->raw_len;
	}
	return mc;
}

int imap_msgview_mime(const struct imap_msgview *v, const struct mime_doc **doc_r, struct mime_doc **owned_r)
{
	struct imap_msgcache *mc = imap_msgview_cache(v);
	*owned_r = NULL;
	if (mc && mc->doc) {
		*doc_r = mc->doc;
		return 0;
	}
	struct mime_doc *doc = NULL;
	int rc = mime_parse(v->raw, v->raw_len, NULL, &doc);
	if (rc < 0)
		return rc;
	if (mc)
		mc->doc = doc;
	else
		*owned_r = doc;
	*doc_r = doc;
	return 0;
}

size_t imap_msgview_body_offset(const struct imap_msgview *v)
{
	struct imap_msgcache *mc = imap_msgview_cache(v);
	if (mc && mc->have_body_offset)
		return mc->body_offset;
	size_t pos = 0;
	struct hdr_field f;
	while (hdr_next(v->raw, v->raw_len, &pos, &f, NULL) > 0)
		;
	if (mc) {
		mc->body_offset = pos;
		mc->have_body_offset = 1;
	}
	return pos;
}

int imap_flag_bit(const char *name, size_t n)
{
	if (n == 0)
		return -1;
	if (name[0] != '\\')
		return 0;
	for (size_t i = 0; i < 5; i++) /* \Recent cannot be set by a client */
		if (strlen(flag_names[i]) == n && strncasecmp(flag_names[i], name, n) == 0)
			return 1 << i;
	return -1;
}

const char *imap_flag_name(uint32_t bit)
{
	for (size_t i = 0; i < 6; i++)
		if (bit == 1u << i)
			return flag_names[i];
	return NULL;
}

int imap_write_flags(struct buf *out, uint32_t flags, const char *const *keywords, size_t keyword_count)
{
	int rc = buf_putc(out, '(');
	int first = 1;
	for (size_t i = 0; i < 6 && rc == 0; i++) {
		if (!(flags & (1u << i)))
			continue;
		if (!first)
			rc = buf_putc(out, ' ');
		if (rc == 0)
			rc = buf_puts(out, flag_names[i]);
		first = 0;
	}
	for (size_t i = 0; i < keyword_count && rc == 0; i++) {
		if (!first)
			rc = buf_putc(out, ' ');
		if (rc == 0)
			rc = buf_puts(out, keywords[i]);
		first = 0;
	}
	if (rc == 0)
		rc = buf_putc(out, ')');
	return rc;
}
