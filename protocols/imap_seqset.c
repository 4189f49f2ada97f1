/* IMAP sequence sets: parsing with a cap on the number of elements, and
 * membership and ordered iteration over a sorted, merged copy of the ranges
 * made once per value of "*" (so no question ever expands a range). */
#include "protocols/imap_seqset.h"

#include <stdlib.h>
#include <string.h>

#include "protocols/proto_err.h"

/* One element as written; 0 stands for "*" (0 is never a valid number). */
struct range {
	uint32_t a, b;
};

struct imap_seqset {
	struct range *written;
	size_t n;
	struct range *sorted; /* n slots; sorted_n used, valid for sorted_star */
	size_t sorted_n;
	uint32_t sorted_star;
	int sorted_valid;
};

static int read_value(struct imap_cursor *c, uint32_t *v_r)
{
	if (imap_peek(c) == '*') {
		c->p++;
		*v_r = 0;
		return 0;
	}
	int ch = imap_peek(c);
	if (ch < '0' || ch > '9') {
		c->err = "expected a number or '*' in sequence set";
		return PROTO_EINVAL;
	}
	int rc = imap_read_nz_number(c, v_r);
	if (rc == PROTO_EINVAL)
		c->err = strcmp(c->err, "number too large") == 0 ? "sequence number too large"
								  : "0 is not a valid sequence number";
	return rc;
}

static struct imap_seqset *set_alloc(size_t n)
{
	struct imap_seqset *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->written = malloc(n * sizeof *s->written);
	s->sorted = malloc(n * sizeof *s->sorted);
	if (!s->written || !s->sorted) {
		free(s->written);
		free(s->sorted);
		free(s);
		return NULL;
	}
	return s;
}

int imap_seqset_parse(struct imap_cursor *c, size_t max_ranges, struct imap_seqset **set_r)
{
	const uint8_t *start = c->p;
	if (max_ranges == 0)
		max_ranges = IMAP_SEQSET_MAX_RANGES;
	size_t n = 0, cap = 0;
	struct range *rs = NULL;
	int rc;
	for (;;) {
		struct range r;
		if ((rc = read_value(c, &r.a)) < 0)
			goto fail;
		r.b = r.a;
		if (imap_peek(c) == ':') {
			c->p++;
			if ((rc = read_value(c, &r.b)) < 0)
				goto fail;
		}
		if (n == max_ranges) {
			c->err = "too many ranges in sequence set";
			rc = PROTO_ELIMIT;
			goto fail;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			if (ncap > max_ranges)
				ncap = max_ranges;
			struct range *nr = realloc(rs, ncap * sizeof *rs);
			if (!nr) {
				c->err = "out of memory";
				rc = PROTO_ENOMEM;
				goto fail;
			}
			rs = nr;
			cap = ncap;
		}
		rs[n++] = r;
		if (imap_peek(c) != ',')
			break;
		c->p++;
	}
	struct imap_seqset *s = set_alloc(n);
	if (!s) {
		c->err = "out of memory";
		rc = PROTO_ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < n; i++)
		s->written[i] = rs[i];
	s->n = n;
	free(rs);
	*set_r = s;
	return 0;
fail:
	free(rs);
	c->p = start;
	return rc;
}

int imap_seqset_parse_str(const char *s, size_t n, size_t max_ranges, struct imap_seqset **set_r)
{
	struct imap_cursor c;
	imap_cursor_init(&c, s, n);
	struct imap_seqset *set = NULL;
	int rc = imap_seqset_parse(&c, max_ranges, &set);
	if (rc < 0)
		return rc;
	if (!imap_at_end(&c)) {
		imap_seqset_free(&set);
		return PROTO_EINVAL;
	}
	*set_r = set;
	return 0;
}

struct imap_seqset *imap_seqset_new_range(uint32_t lo, uint32_t hi)
{
	struct imap_seqset *s = set_alloc(1);
	if (!s)
		return NULL;
	s->written[0].a = lo;
	s->written[0].b = hi;
	s->n = 1;
	return s;
}

void imap_seqset_free(struct imap_seqset **set)
{
	if (!set || !*set)
		return;
	free((*set)->written);
	free((*set)->sorted);
	free(*set);
	*set = NULL;
}

size_t imap_seqset_count(const struct imap_seqset *set)
{
	return set->n;
}

int imap_seqset_has_star(const struct imap_seqset *set)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->written[i].a == 0 || set->written[i].b == 0)
			return 1;
	return 0;
}

static int range_cmp(const void *x, const void *y)
{
	const struct range *a = x, *b = y;
	return a->a < b->a ? -1 : a->a > b->a;
}

/* Sorted by start, overlapping and adjacent ranges merged, each lo >= 1. */
static void resolve(struct imap_seqset *s, uint32_t star)
{
	if (s->sorted_valid && s->sorted_star == star)
		return;
	size_t m = 0;
	for (size_t i = 0; i < s->n; i++) {
		uint32_t a = s->written[i].a ? s->written[i].a : star;
		uint32_t b = s->written[i].b ? s->written[i].b : star;
		uint32_t lo = a < b ? a : b, hi = a < b ? b : a;
		if (hi == 0)
			continue; /* "*" in an empty mailbox names nothing */
		if (lo == 0)
			lo = 1;
		s->sorted[m].a = lo;
		s->sorted[m].b = hi;
		m++;
	}
	qsort(s->sorted, m, sizeof *s->sorted, range_cmp);
	size_t k = 0;
	for (size_t i = 0; i < m; i++) {
		if (k > 0 && (uint64_t)s->sorted[i].a <= (uint64_t)s->sorted[k - 1].b + 1) {
			if (s->sorted[i].b > s->sorted[k - 1].b)
				s->sorted[k - 1].b = s->sorted[i].b;
		} else {
			s->sorted[k++] = s->sorted[i];
		}
	}
	s->sorted_n = k;
	s->sorted_star = star;
	s->sorted_valid = 1;
}

uint32_t imap_seqset_max(struct imap_seqset *set, uint32_t star)
{
	resolve(set, star);
	return set->sorted_n ? set->sorted[set->sorted_n - 1].b : 0;
}

int imap_seqset_contains(struct imap_seqset *set, uint32_t n, uint32_t star)
{
	resolve(set, star);
	size_t lo = 0, hi = set->sorted_n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (n < set->sorted[mid].a)
			hi = mid;
		else if (n > set->sorted[mid].b)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

void imap_seqset_iter_init(struct imap_seqset_iter *it, struct imap_seqset *set, uint32_t star, uint32_t limit)
{
	resolve(set, star);
	it->set = set;
	it->range = 0;
	it->limit = limit;
	it->next = set->sorted_n ? set->sorted[0].a : 0;
	it->done = set->sorted_n == 0 || limit == 0;
}

int imap_seqset_iter_next(struct imap_seqset_iter *it, uint32_t *n_r)
{
	const struct imap_seqset *s = it->set;
	if (it->done)
		return 0;
	if (it->next > it->limit) {
		it->done = 1;
		return 0;
	}
	*n_r = it->next;
	if (it->next == s->sorted[it->range].b) {
		if (++it->range == s->sorted_n)
			it->done = 1;
		else
			it->next = s->sorted[it->range].a;
	} else {
		it->next++;
	}
	return 1;
}

static int write_value(struct buf *out, uint32_t v)
{
	return v ? buf_printf(out, "%u", v) : buf_putc(out, '*');
}

int imap_seqset_write(struct buf *out, struct imap_seqset *set, uint32_t star)
{
	const struct range *rs = set->written;
	size_t n = set->n;
	if (star) {
		resolve(set, star);
		rs = set->sorted;
		n = set->sorted_n;
	}
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (i)
			rc = buf_putc(out, ',');
		if (rc == 0)
			rc = write_value(out, rs[i].a);
		if (rc == 0 && rs[i].b != rs[i].a) {
			rc = buf_putc(out, ':');
			if (rc == 0)
				rc = write_value(out, rs[i].b);
		}
	}
	return rc;
}
