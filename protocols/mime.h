/* Parsing MIME messages (RFC 2045-2049) into a tree of entities with
 * decoded bodies, tolerant of real-world mail.
 *
 * mime_parse() copies the message, so the caller may free its text at once;
 * every pointer handed out by the accessors lives as long as the doc.
 * Oddities never make parsing fail: each is recorded as a MIME_D_* bit on
 * the node where it was found. Hostile input is bounded by the limits
 * (nesting depth, number of parts, header fields per part).
 *
 *   struct mime_doc *doc = NULL;
 *   if (mime_parse(text, len, NULL, &doc) == 0) {
 *           const struct mime_node *root = mime_doc_root(doc);
 *           for (size_t i = 0; i < mime_node_child_count(root); i++) ...;
 *   }
 *   mime_doc_free(&doc);
 *
 * Node numbering follows IMAP (RFC 3501 6.4.5): see mime_node_section(). */
#ifndef PROTOCOLS_MIME_H
#define PROTOCOLS_MIME_H

#include <stddef.h>

#include "protocols/buf.h"
#include "protocols/header.h"

/* What a part's Content-Transfer-Encoding says. */
enum mime_cte {
	MIME_CTE_7BIT,
	MIME_CTE_8BIT,
	MIME_CTE_BINARY,
	MIME_CTE_QP,
	MIME_CTE_BASE64,
	MIME_CTE_OTHER, /* an unknown encoding: the body is kept as it is */
};

/* Oddities, per node. The low byte holds header.h's HDR_D_* bits, the next
 * codec.h's CODEC_D_* bits shifted by 8, and the rest these: */
#define MIME_D_HDR(bits) ((unsigned)(bits))
#define MIME_D_CODEC(bits) ((unsigned)(bits) << 8)
enum mime_defect {
	MIME_D_NO_BOUNDARY = 1u << 16,   /* multipart without a boundary parameter: read as text/plain */
	MIME_D_NO_START = 1u << 17,      /* no delimiter line found: the whole body is preamble */
	MIME_D_NO_END = 1u << 18,        /* the closing delimiter is missing */
	MIME_D_BAD_TYPE = 1u << 19,      /* malformed Content-Type: read as the default type */
	MIME_D_BAD_PARAM = 1u << 20,     /* a malformed parameter (skipped or repaired) */
	MIME_D_DUP_FIELD = 1u << 21,     /* a MIME field appears twice: the first one is used */
	MIME_D_BAD_CTE = 1u << 22,       /* unknown Content-Transfer-Encoding: body kept as is */
	MIME_D_COMPOSITE_CTE = 1u << 23, /* multipart or message/rfc822 with an encoding other than 7bit/8bit/binary */
	MIME_D_DEPTH = 1u << 24,         /* nesting limit reached: this node is not descended */
	MIME_D_PARTS = 1u << 25,         /* part limit reached: later parts are dropped */
	MIME_D_FIELDS = 1u << 26,        /* header field limit reached: later fields are ignored */
	MIME_D_8BIT_BODY = 1u << 27,     /* 8-bit octets in a body declared 7bit */
};

struct mime_limits {
	size_t max_depth;  /* nesting of multiparts and messages; 0 means 50 */
	size_t max_parts;  /* nodes in the whole tree; 0 means 10000 */
	size_t max_fields; /* header fields per node; 0 means 1000 */
};

struct mime_doc;
struct mime_node;

/* Parses the message text[0..n). 0 and a new doc in *doc_r, or
 * PROTO_ENOMEM. Never fails because of what the text contains. limits may
 * be NULL for the defaults. */
int mime_parse(const char *text, size_t n, const struct mime_limits *limits, struct mime_doc **doc_r);
void mime_doc_free(struct mime_doc **doc);
const struct mime_node *mime_doc_root(const struct mime_doc *doc);
/* The doc's copy of the message text. */
const char *mime_doc_text(const struct mime_doc *doc, size_t *n_r);
/* Number of nodes in the tree. */
size_t mime_doc_node_count(const struct mime_doc *doc);
/* The OR of every node's defects. */
unsigned mime_doc_defects(const struct mime_doc *doc);

/* Media type and subtype, lowercase ("text", "plain"); the default
 * (text/plain, or message/rfc822 inside multipart/digest) when absent. */
const char *mime_node_type(const struct mime_node *n);
const char *mime_node_subtype(const struct mime_node *n);
int mime_node_is_multipart(const struct mime_node *n);
/* 1 for message/rfc822 (and message/global) nodes whose body was parsed:
 * the encapsulated message is child 0. */
int mime_node_is_message(const struct mime_node *n);

/* Content-Type parameters: names lowercase, values unquoted and decoded to
 * UTF-8 (RFC 2231 continuations and charsets, stray RFC 2047 words). */
size_t mime_node_param_count(const struct mime_node *n);
const char *mime_node_param_name(const struct mime_node *n, size_t i);
const char *mime_node_param_value(const struct mime_node *n, size_t i);
/* The value of the named parameter (any case), or NULL. */
const char *mime_node_param(const struct mime_node *n, const char *name);
/* Content-Disposition: "attachment", "inline" (lowercase) or NULL. */
const char *mime_node_disposition(const struct mime_node *n);
const char *mime_node_disposition_param(const struct mime_node *n, const char *name);
/* The file name: the disposition's filename, else Content-Type's name; NULL if neither. */
const char *mime_node_filename(const struct mime_node *n);

enum mime_cte mime_node_cte(const struct mime_node *n);
/* The encoding as declared, lowercase ("7bit" if absent). */
const char *mime_node_cte_name(const struct mime_node *n);

/* The node's own header fields (for the root: the message's header). */
size_t mime_node_field_count(const struct mime_node *n);
const struct hdr_field *mime_node_field(const struct mime_node *n, size_t i);
/* The first field called name, or NULL. */
const struct hdr_field *mime_node_find_field(const struct mime_node *n, const char *name);

/* The decoded body of a leaf (transfer encoding undone; charset untouched),
 * or the body as it is for a node not descended. NULL and 0 for multiparts
 * and parsed messages. */
const char *mime_node_body(const struct mime_node *n, size_t *len_r);
/* Appends a text part's decoded body converted from its charset to UTF-8. */
int mime_node_text_utf8(const struct mime_node *n, struct buf *out, unsigned *defects_r);

/* Where the node lies in mime_doc_text(): the entity starts at offset, its
 * body (still encoded) at body_offset for body_len bytes. */
size_t mime_node_offset(const struct mime_node *n);
size_t mime_node_header_len(const struct mime_node *n);
size_t mime_node_body_offset(const struct mime_node *n);
size_t mime_node_body_len(const struct mime_node *n);
/* Lines in the encoded body (RFC 3501 BODYSTRUCTURE body-fld-lines). */
size_t mime_node_body_lines(const struct mime_node *n);
/* A multipart's preamble and epilogue (NULL and 0 if none). */
const char *mime_node_preamble(const struct mime_node *n, size_t *len_r);
const char *mime_node_epilogue(const struct mime_node *n, size_t *len_r);

size_t mime_node_child_count(const struct mime_node *n);
const struct mime_node *mime_node_child(const struct mime_node *n, size_t i);
const struct mime_node *mime_node_parent(const struct mime_node *n);
size_t mime_node_depth(const struct mime_node *n);

unsigned mime_node_defects(const struct mime_node *n);

/* The node's IMAP section number ("1", "2.1", ...; "" for a multipart
 * root, whose parts are 1, 2, ...; a single-part root is "1"). */
int mime_node_section(const struct mime_node *n, struct buf *out);

/* Short kebab-case names of the defect bits set in defects, comma
 * separated, in bit order ("lf-line-endings,no-end-boundary"). */
int mime_defect_names(struct buf *out, unsigned defects);
/* The name of one defect bit, or NULL if the bit has none. */
const char *mime_defect_name(unsigned bit);

/* A compact, stable text rendering of the tree, one node per line, as the
 * tests' expected files use:
 *   <indent>type/subtype cte=ENC size=DECODED [file="NAME"] [defects=a,b]
 */
int mime_tree_summary(struct buf *out, const struct mime_doc *doc);

#endif
