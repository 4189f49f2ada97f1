/* Pre-filling a folder from an mbox file (mailstore_import_mbox() in
 * mailstore.h): the format of /var/mail spools, mutt, Thunderbird and
 * Dovecot's mbox storage.
 *
 * A message starts at a line beginning with "From " and ends before the
 * next one; the empty line a writer puts before each "From " line is not
 * part of the message. Body lines that began with "From " were quoted as
 * ">From " (mboxo) or with one more '>' each time (mboxrd); reading removes
 * one '>' from every line matching ">+From ", which undoes mboxrd exactly
 * and mboxo except for a body line that really began with ">From " (the
 * ambiguity that led to mboxrd). Content-Length (mboxcl) is not used.
 *
 * The status headers that mail readers and Dovecot write are read as
 * metadata and dropped from the stored message: Status (R seen, O old),
 * X-Status (A answered, F flagged, T draft, D deleted), X-Keywords,
 * X-UID, and X-IMAPbase ("UIDVALIDITY UIDNEXT keywords...") on the first
 * message. Messages are stored with CRLF line ends, as they travel. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "protocols/buf.h"
#include "protocols/header.h"
#include "protocols/message.h"
#include "sim/agents/mailstore.h"
#include "sim/agents/mailstore_internal.h"
#include "sim/core/blob.h"

#define MBOX_MAX_BYTES (256u << 20)

/* Reads a whole file (at most max bytes); NULL with err set on failure. */
static char *slurp(const char *path, size_t max, size_t *len_r, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		fclose(f);
		return NULL;
	}
	size_t cap = 65536, n = 0;
	char *data = malloc(cap + 1);
	while (data) {
		if (n == cap) {
			if (cap >= max) {
				snprintf(err, errlen, "%s: larger than %zu MiB", path, max >> 20);
				free(data);
				fclose(f);
				return NULL;
			}
			cap *= 2;
			char *p = realloc(data, cap + 1);
			if (!p) {
				free(data);
				data = NULL;
				break;
			}
			data = p;
		}
		size_t got = fread(data + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	if (!data || bad) {
		snprintf(err, errlen, "%s: %s", path, data ? "read error" : "out of memory");
		free(data);
		return NULL;
	}
	data[n] = 0;
	*len_r = n;
	return data;
}

static int is_from_line(const char *p, size_t n) { return n >= 5 && memcmp(p, "From ", 5) == 0; }

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The asctime date of a "From " line ("From a@b Wed Jun 21 23:30:35 2006",
 * perhaps with a zone before the year or after it), read as UTC. 1 and the
 * Unix time in *t_r, or 0. */
static int from_line_date(const char *p, size_t n, int64_t *t_r)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char line[512];
	snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), p);
	char *tok[16];
	int nt = 0;
	for (char *s = strtok(line, " \t\r"); s && nt < 16; s = strtok(NULL, " \t\r"))
		tok[nt++] = s;
	for (int i = 1; i + 3 < nt; i++) {
		const char *m = strlen(tok[i]) == 3 ? strstr(months, tok[i]) : NULL;
		if (!m || (m - months) % 3)
			continue;
		int mon = (int)(m - months) / 3 + 1, day = atoi(tok[i + 1]), hh, mm, ss = 0;
		if (day < 1 || day > 31 || sscanf(tok[i + 2], "%d:%d:%d", &hh, &mm, &ss) < 2)
			continue;
		long year = 0;
		for (int k = i + 3; k < nt && k < i + 5 && !year; k++) {
			char *end;
			long y = strtol(tok[k], &end, 10);
			if (!*end && y >= 1970 && y < 10000)
				year = y;
		}
		if (!year || hh > 23 || mm > 59 || ss > 60)
			continue;
		*t_r = days_from_civil(year, mon, day) * 86400 + hh * 3600 + mm * 60 + ss;
		return 1;
	}
	return 0;
}

struct mbox_meta {
	uint32_t flags;
	int old;
	uint32_t uid;
	uint32_t base_validity, base_next;
	int has_base;
	char keywords[1024];
};

static int meta_field(const struct hdr_field *f)
{
	return hdr_name_is(f, "Status") || hdr_name_is(f, "X-Status") || hdr_name_is(f, "X-Keywords") ||
	       hdr_name_is(f, "X-UID") || hdr_name_is(f, "X-IMAPbase") || hdr_name_is(f, "X-IMAP");
}

static void read_meta(const struct hdr_field *f, struct mbox_meta *mm)
{
	char v[1024];
	snprintf(v, sizeof v, "%.*s", (int)(f->value_len < sizeof v ? f->value_len : sizeof v - 1), f->value);
	if (hdr_name_is(f, "Status")) {
		mm->flags |= strchr(v, 'R') ? MS_SEEN : 0;
		mm->old |= strchr(v, 'O') != NULL;
	} else if (hdr_name_is(f, "X-Status")) {
		mm->flags |= (strchr(v, 'A') ? MS_ANSWERED : 0) | (strchr(v, 'F') ? MS_FLAGGED : 0) |
			     (strchr(v, 'T') ? MS_DRAFT : 0) | (strchr(v, 'D') ? MS_DELETED : 0);
	} else if (hdr_name_is(f, "X-Keywords")) {
		/* Keywords past the buffer are dropped (1 KiB of names). */
		size_t o = strlen(mm->keywords), n = strlen(v);
		if (o + n + 2 <= sizeof mm->keywords) {
			mm->keywords[o] = ' ';
			memcpy(mm->keywords + o + 1, v, n + 1);
		}
	} else if (hdr_name_is(f, "X-UID")) {
		mm->uid = (uint32_t)strtoul(v, NULL, 10);
	} else if (hdr_name_is(f, "X-IMAPbase") || hdr_name_is(f, "X-IMAP")) {
		unsigned long a, b;
		if (sscanf(v, "%lu %lu", &a, &b) == 2 && a && a <= UINT32_MAX && b <= UINT32_MAX) {
			mm->has_base = 1;
			mm->base_validity = (uint32_t)a;
			mm->base_next = (uint32_t)b;
		}
	}
}

/* Builds the stored message from the raw lines [p, end) of one message:
 * ">From " unquoted, CRLF line ends, metadata headers read and dropped. */
static struct blob *build_message(const char *p, const char *end, struct mbox_meta *mm)
{
	struct buf raw;
	buf_init(&raw, (size_t)(end - p) + 256);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		size_t n = (size_t)(stop - p);
		if (n && p[n - 1] == '\r')
			n--;
		size_t gt = 0;
		while (gt < n && p[gt] == '>')
			gt++;
		size_t skip = gt && n - gt >= 5 && memcmp(p + gt, "From ", 5) == 0 ? 1 : 0;
		if (buf_append(&raw, p + skip, n - skip) || buf_append(&raw, "\r\n", 2)) {
			buf_free(&raw);
			return NULL;
		}
		p = nl ? nl + 1 : end;
	}
	size_t len = raw.len;
	const char *text = raw.data ? raw.data : "";
	struct buf out;
	buf_init(&out, len + 16);
	size_t pos = 0, prev = 0;
	struct hdr_field f;
	int fail = 0;
	while (!fail && hdr_next(text, len, &pos, &f, NULL) > 0) {
		if (meta_field(&f)) {
			read_meta(&f, mm);
			fail |= buf_append(&out, text + prev, f.offset - prev) != 0;
			prev = f.offset + f.length;
		}
	}
	fail |= buf_append(&out, text + prev, len - prev) != 0;
	buf_free(&raw);
	size_t n;
	char *bytes = fail ? NULL : buf_steal(&out, &n);
	if (!bytes) {
		buf_free(&out);
		return NULL;
	}
	return blob_take(bytes, n);
}

static int add_keywords(struct ms_user *u, const char *list, uint64_t *kw_r)
{
	char copy[1024];
	snprintf(copy, sizeof copy, "%s", list);
	for (char *s = strtok(copy, " ,\t"); s; s = strtok(NULL, " ,\t")) {
		int b = ms_keyword(u, s, 1);
		if (b < 0)
			return b;
		*kw_r |= 1ull << b;
	}
	return 0;
}

long mailstore_import_mbox(struct ms_user *u, const char *folder, const char *path, char *err, size_t errlen)
{
	struct ms_folder *f = ms_folder_find(u, folder);
	if (!f) {
		int rc = ms_folder_create(u, folder, &f);
		if (rc != MS_OK) {
			snprintf(err, errlen, "%s: cannot create folder \"%s\": %s", path, folder, ms_error_text(rc));
			return rc;
		}
	}
	size_t len;
	char *data = slurp(path, MBOX_MAX_BYTES, &len, err, errlen);
	if (!data)
		return MS_ERR_IO;
	if (len && !is_from_line(data, len)) {
		snprintf(err, errlen, "%s: line 1: not an mbox file (it must begin with a \"From \" line)", path);
		free(data);
		return MS_ERR_IO;
	}
	const char *end = data + len, *p = data;
	long count = 0, line = 1;
	int64_t epoch = u->ms->epoch_unix_s;
	int rc = 0;
	uint32_t base_next = 0;
	while (p < end && rc == 0) {
		/* p is at a "From " line; find the next one. */
		long from_lineno = line;
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *hdr_start = nl ? nl + 1 : end;
		int64_t t = 0;
		int have_date = from_line_date(p, (size_t)((nl ? nl : end) - p), &t);
		const char *q = hdr_start, *next = end;
		line++;
		while (q < end) {
			const char *qn = memchr(q, '\n', (size_t)(end - q));
			if (is_from_line(q, (size_t)(end - q))) {
				next = q;
				break;
			}
			q = qn ? qn + 1 : end;
			line++;
		}
		/* The separator: one empty line before the next "From ". */
		const char *msg_end = next;
		if (msg_end - hdr_start >= 1 && msg_end[-1] == '\n') {
			const char *e = msg_end - 1;
			if (e > hdr_start && e[-1] == '\r')
				e--;
			if (e == hdr_start || e[-1] == '\n')
				msg_end = e;
		}
		struct mbox_meta mm = {0};
		struct blob *b = build_message(hdr_start, msg_end, &mm);
		if (!b) {
			snprintf(err, errlen, "%s: line %ld: out of memory", path, from_lineno);
			rc = MS_ERR_NOMEM;
			break;
		}
		if (!have_date) {
			struct hdr_field df;
			int zone;
			if (hdr_find((const char *)blob_data(b), blob_len(b), "Date", 0, &df) &&
			    msg_date_parse(df.value, df.value_len, &t, &zone) == 0)
				have_date = 1;
		}
		uint64_t kw = 0;
		rc = add_keywords(u, mm.keywords, &kw);
		if (rc == 0 && count == 0 && mm.has_base && f->count == 0) {
			/* UIDNEXT once the messages are in: their X-UIDs are below it. */
			rc = ms_folder_set_uids(f, mm.base_validity, 0);
			base_next = mm.base_next;
		}
		if (rc == 0) {
			uint32_t flags = mm.flags | (mm.old ? 0 : MS_RECENT);
			sim_time when = have_date ? (t - epoch) * 1000000000LL : 0;
			long uid = mm.uid && mm.uid >= ms_folder_uidnext(f)
					   ? ms_append_uid(f, mm.uid, b, flags, kw, when)
					   : ms_append(f, b, flags, kw, when);
			rc = uid < 0 ? (int)uid : 0;
		}
		blob_unref(&b);
		if (rc < 0) {
			snprintf(err, errlen, "%s: line %ld: message %ld: %s", path, from_lineno, count + 1,
				 ms_error_text(rc));
			break;
		}
		count++;
		p = next;
	}
	free(data);
	if (rc == 0 && base_next)
		ms_folder_set_uids(f, 0, base_next); /* never lowers it */
	return rc < 0 ? rc : count;
}
