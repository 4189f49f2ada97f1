/* Error codes shared by the protocols/ library. Functions return 0 (or a
 * non-negative count) on success and one of these negative codes on failure,
 * so callers can propagate with `if (rc < 0) return rc;`. */
#ifndef PROTOCOLS_PROTO_ERR_H
#define PROTOCOLS_PROTO_ERR_H

enum proto_err {
	PROTO_ENOMEM = -1, /* an allocation failed */
	PROTO_ELIMIT = -2, /* a size, depth or count limit would be exceeded */
	PROTO_EINVAL = -3, /* the input is not valid for this function */
};

/* A short English description of a proto_err code ("out of memory"). */
const char *proto_strerror(int code);

#endif
