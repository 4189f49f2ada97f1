/* Date, Message-ID, Received, Return-Path and the Bcc rule (message.h). */
#include "protocols/message.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/header.h"
#include "protocols/proto_err.h"

static const char *const day_names[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const month_names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y_r, int *m_r, int *d_r)
{
	z += 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d_r = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m_r = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y_r = yoe + era * 400 + (*m_r <= 2);
}

int64_t msg_time_from_sim(int64_t epoch_unix_s, int64_t sim_ns)
{
	return epoch_unix_s + floor_div(sim_ns, 1000000000);
}

int msg_date_format(char out[MSG_DATE_MAX], int64_t unix_s, int zone_min)
{
	if (zone_min < -1439 || zone_min > 1439)
		return PROTO_EINVAL;
	int64_t local = unix_s + (int64_t)zone_min * 60;
	int64_t days = floor_div(local, 86400);
	int64_t secs = local - days * 86400;
	int64_t y;
	int m, d;
	civil_from_days(days, &y, &m, &d);
	if (y < 1900 || y > 9999)
		return PROTO_EINVAL;
	int wd = (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
	int az = zone_min < 0 ? -zone_min : zone_min;
	snprintf(out, MSG_DATE_MAX, "%s, %02d %s %04" PRId64 " %02d:%02d:%02d %c%02d%02d", day_names[wd], d,
		 month_names[m - 1], y, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60),
		 zone_min < 0 ? '-' : '+', az / 60, az % 60);
	return 0;
}

/* ---- date parsing ---- */

struct scan {
	const char *s;
	size_t n, i;
};

static void skip_cfws(struct scan *c)
{
	while (c->i < c->n) {
		char ch = c->s[c->i];
		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == ',') {
			c->i++;
		} else if (ch == '(') {
			int depth = 0;
			while (c->i < c->n) {
				if (c->s[c->i] == '(')
					depth++;
				else if (c->s[c->i] == ')' && --depth == 0) {
					c->i++;
					break;
				}
				c->i++;
			}
		} else {
			break;
		}
	}
}

static int scan_num(struct scan *c, int max_digits, int *v_r, int *digits_r)
{
	int v = 0, k = 0;
	while (c->i < c->n && k < max_digits && c->s[c->i] >= '0' && c->s[c->i] <= '9') {
		v = v * 10 + (c->s[c->i] - '0');
		c->i++;
		k++;
	}
	if (digits_r)
		*digits_r = k;
	*v_r = v;
	return k > 0;
}

static size_t scan_word(struct scan *c, char *w, size_t size)
{
	size_t k = 0;
	while (c->i < c->n && ((c->s[c->i] | 0x20) >= 'a' && (c->s[c->i] | 0x20) <= 'z')) {
		if (k + 1 < size)
			w[k++] = (char)(c->s[c->i] | 0x20);
		c->i++;
	}
	w[k] = '\0';
	return k;
}

static int zone_name(const char *w, int *zone_r)
{
	static const struct {
		const char *name;
		int hours;
	} zones[] = {{"ut", 0},   {"utc", 0},  {"gmt", 0},  {"z", 0},    {"est", -5}, {"edt", -4},
		     {"cst", -6}, {"cdt", -5}, {"mst", -7}, {"mdt", -6}, {"pst", -8}, {"pdt", -7}};
	for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++)
		if (strcmp(w, zones[i].name) == 0) {
			*zone_r = zones[i].hours * 60;
			return 1;
		}
	if (w[0] && !w[1]) { /* military zones: RFC 5322 says read as -0000 */
		*zone_r = 0;
		return 1;
	}
	return 0;
}

int msg_date_parse(const char *s, size_t n, int64_t *unix_s_r, int *zone_min_r)
{
	struct scan c = {s, n, 0};
	char w[16];
	skip_cfws(&c);
	size_t save = c.i;
	if (scan_word(&c, w, sizeof w) == 0)
		c.i = save; /* no day name */
	skip_cfws(&c);
	int day, year, hour, min, sec = 0, digits;
	if (!scan_num(&c, 2, &day, NULL))
		return PROTO_EINVAL;
	skip_cfws(&c);
	if (c.i < c.n && c.s[c.i] == '-')
		c.i++;
	if (scan_word(&c, w, sizeof w) < 3)
		return PROTO_EINVAL;
	int month = -1;
	for (int i = 0; i < 12; i++) {
		char lower[4] = {(char)(month_names[i][0] | 0x20), month_names[i][1], month_names[i][2], 0};
		if (strncmp(w, lower, 3) == 0)
			month = i + 1;
	}
	if (month < 0)
		return PROTO_EINVAL;
	skip_cfws(&c);
	if (c.i < c.n && c.s[c.i] == '-')
		c.i++;
	if (!scan_num(&c, 4, &year, &digits))
		return PROTO_EINVAL;
	if (digits == 2)
		year += year < 50 ? 2000 : 1900;
	else if (digits == 3)
		year += 1900;
	skip_cfws(&c);
	if (!scan_num(&c, 2, &hour, NULL) || c.i >= c.n || c.s[c.i] != ':')
		return PROTO_EINVAL;
	c.i++;
	if (!scan_num(&c, 2, &min, NULL))
		return PROTO_EINVAL;
	if (c.i < c.n && c.s[c.i] == ':') {
		c.i++;
		if (!scan_num(&c, 2, &sec, NULL))
			return PROTO_EINVAL;
	}
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (year < 1900 || year > 9999 || day < 1 || day > mdays[month - 1] || hour > 23 || min > 59 || sec > 60)
		return PROTO_EINVAL;
	skip_cfws(&c);
	int zone = 0;
	if (c.i < c.n && (c.s[c.i] == '+' || c.s[c.i] == '-')) {
		int neg = c.s[c.i] == '-';
		c.i++;
		int hhmm;
		if (!scan_num(&c, 4, &hhmm, &digits) || digits != 4 || hhmm % 100 > 59)
			return PROTO_EINVAL;
		zone = (hhmm / 100 * 60 + hhmm % 100) * (neg ? -1 : 1);
	} else if (scan_word(&c, w, sizeof w) > 0) {
		if (!zone_name(w, &zone))
			zone = 0;
	}
	int64_t days = days_from_civil(year, month, day);
	*unix_s_r = days * 86400 + hour * 3600 + min * 60 + (sec > 59 ? 59 : sec) - (int64_t)zone * 60;
	*zone_min_r = zone;
	return 0;
}

/* ---- Message-ID ---- */

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

int msg_id_make(char *out, size_t size, uint64_t seed, uint64_t counter, const char *domain)
{
	if (!domain || !*domain || strpbrk(domain, "<>@ \t\r\n"))
		return PROTO_EINVAL;
	uint64_t mix = splitmix64(seed ^ splitmix64(counter + 0x6d61696c73696dULL));
	int k = snprintf(out, size, "<%016" PRIx64 ".%" PRIu64 "@%s>", mix, counter, domain);
	if (k < 0 || (size_t)k >= size)
		return PROTO_EINVAL;
	return 0;
}

/* ---- Received ---- */

int msg_received_format(struct buf *out, const struct msg_received *r, const char *date)
{
	const char *sep = "";
	const struct {
		const char *kw;
		const char *v;
	} parts[] = {{"from", r->from}, {"by", r->by}, {"via", r->via}, {"with", r->with}, {"id", r->id}};
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		if (parts[i].v && *parts[i].v) {
			buf_printf(out, "%s%s %s", sep, parts[i].kw, parts[i].v);
			sep = " ";
		}
	if (r->for_addr && *r->for_addr)
		buf_printf(out, "%sfor <%s>", sep, r->for_addr);
	buf_printf(out, "; %s", date ? date : "");
	return out->err;
}

void msg_received_clear(struct msg_received *r)
{
	free(r->from);
	free(r->by);
	free(r->via);
	free(r->with);
	free(r->id);
	free(r->for_addr);
	free(r->date);
	memset(r, 0, sizeof *r);
}

static char *dup_range(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static int kw_index(const char *s, size_t n)
{
	static const char *const kws[] = {"from", "by", "via", "with", "id", "for"};
	for (int i = 0; i < 6; i++)
		if (strlen(kws[i]) == n) {
			size_t k = 0;
			while (k < n && (s[k] | 0x20) == kws[i][k])
				k++;
			if (k == n)
				return i;
		}
	return -1;
}

int msg_received_parse(const char *v, size_t n, struct msg_received *r)
{
	memset(r, 0, sizeof *r);
	struct buf u;
	buf_init(&u, n + 1);
	if (hdr_unfold(&u, v, n) < 0) {
		buf_free(&u);
		return PROTO_ENOMEM;
	}
	const char *s = u.data ? u.data : "";
	size_t len = u.len;
	/* The date follows the last ';' that is outside comments. */
	size_t semi = len;
	int depth = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && depth > 0)
			depth--;
		else if (s[i] == ';' && depth == 0)
			semi = i;
	}
	struct buf clause[6];
	for (int k = 0; k < 6; k++)
		buf_init(&clause[k], n + 1);
	int cur = -1, any = 0;
	size_t i = 0;
	while (i < semi) {
		while (i < semi && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i >= semi)
			break;
		size_t j = i;
		if (s[i] == '(') {
			int d = 0;
			while (j < semi) {
				if (s[j] == '(')
					d++;
				else if (s[j] == ')' && --d == 0) {
					j++;
					break;
				}
				j++;
			}
		} else {
			while (j < semi && s[j] != ' ' && s[j] != '\t' && s[j] != '(')
				j++;
		}
		int k = s[i] == '(' ? -1 : kw_index(s + i, j - i);
		if (k >= 0) {
			cur = k;
			any = 1;
		} else if (cur >= 0) {
			if (clause[cur].len)
				buf_putc(&clause[cur], ' ');
			buf_append(&clause[cur], s + i, j - i);
		}
		i = j;
	}
	int rc = 0;
	char **dst[6] = {&r->from, &r->by, &r->via, &r->with, &r->id, &r->for_addr};
	for (int k = 0; k < 6; k++) {
		if (clause[k].err)
			rc = PROTO_ENOMEM;
		if (!clause[k].len)
			continue;
		const char *t = clause[k].data;
		size_t tn = clause[k].len;
		if (k == 5) { /* for <addr> */
			const char *lt = memchr(t, '<', tn);
			const char *gt = lt ? memchr(lt, '>', tn - (size_t)(lt - t)) : NULL;
			if (lt && gt) {
				t = lt + 1;
				tn = (size_t)(gt - lt - 1);
			}
		}
		*dst[k] = dup_range(t, tn);
		if (!*dst[k])
			rc = PROTO_ENOMEM;
	}
	if (semi < len) {
		size_t a = semi + 1;
		while (a < len && (s[a] == ' ' || s[a] == '\t'))
			a++;
		r->date = dup_range(s + a, len - a);
		if (!r->date)
			rc = PROTO_ENOMEM;
		else
			r->has_date = msg_date_parse(r->date, strlen(r->date), &r->unix_s, &r->zone_min) == 0;
	}
	for (int k = 0; k < 6; k++)
		buf_free(&clause[k]);
	buf_free(&u);
	if (rc == 0 && !any && semi == len)
		rc = PROTO_EINVAL;
	if (rc < 0)
		msg_received_clear(r);
	return rc;
}

/* ---- Return-Path and Bcc ---- */

int msg_return_path_format(struct buf *out, const char *reverse_path)
{
	buf_printf(out, "<%s>", reverse_path ? reverse_path : "");
	return out->err;
}

int msg_return_path_parse(struct buf *out, const char *v, size_t n)
{
	const char *lt = memchr(v, '<', n);
	const char *gt = lt ? memchr(lt, '>', n - (size_t)(lt - v)) : NULL;
	if (!gt)
		return PROTO_EINVAL;
	const char *a = lt + 1;
	while (a < gt && (*a == ' ' || *a == '\t'))
		a++;
	const char *b = gt;
	while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
		b--;
	buf_append(out, a, (size_t)(b - a));
	return out->err;
}

int msg_strip_bcc(struct buf *out, const char *text, size_t n) { return hdr_strip(out, text, n, "Bcc"); }

static int same_addr(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a, y = *b;
		if (x >= 'A' && x <= 'Z')
			x = (char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (char)(y + 32);
		if (x != y)
			return 0;
	}
	return *a == *b;
}

int msg_recipients(const char *text, size_t n, struct addr_list **list_r)
{
	static const char *const names[] = {"To", "Cc", "Bcc"};
	struct addr_list *out = addr_list_new();
	if (!out)
		return PROTO_ENOMEM;
	int rc = 0;
	for (int k = 0; k < 3 && rc == 0; k++) {
		struct hdr_field f;
		for (int idx = 0; rc == 0 && hdr_find(text, n, names[k], idx, &f); idx++) {
			struct addr_list *l = NULL;
			rc = addr_parse(f.value, f.value_len, &l, NULL);
			for (size_t i = 0; rc == 0 && i < addr_list_count(l); i++) {
				const struct addr *a = addr_list_get(l, i);
				if (!a->mailbox || !*a->mailbox)
					continue;
				int dup = 0;
				for (size_t j = 0; j < addr_list_count(out) && !dup; j++)
					dup = same_addr(addr_list_get(out, j)->mailbox, a->mailbox);
				if (!dup)
					rc = addr_list_add(out, a->name, a->mailbox, NULL);
			}
			addr_list_free(&l);
		}
	}
	if (rc < 0) {
		addr_list_free(&out);
		return rc;
	}
	*list_r = out;
	return 0;
}
