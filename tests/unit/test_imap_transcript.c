/* Replays the IMAP transcripts of tests/transcripts/imap/ against the
 * server engine over a real mailstore, fed a line at a time and again one
 * byte at a time. A transcript reads like the RFC's examples:
 *
 *   # a comment
 *   @user mrc secret                        a user (address or login)
 *   @fill INBOX 11 \Seen                    that many plain messages
 *   @eml INBOX 837316465 \Seen msg/x.eml    a message from tests/data, with
 *                                           its internal date (Unix seconds)
 *   C: a001 login mrc secret                a client line (CRLF added)
 *   S: a001 OK Logged in                    a server line
 *
 * Flags are a comma-separated list of \Seen, \Recent, ... or "-". After
 * every block of client lines, the server's output so far must equal the
 * S: lines so far: content and interleaving are both checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harness.h"
#include "imap_sess.h"

static uint32_t parse_flags(const char *s)
{
	static const struct {
		const char *n;
		uint32_t b;
	} t[] = {{"\\Seen", MS_SEEN},       {"\\Answered", MS_ANSWERED}, {"\\Flagged", MS_FLAGGED},
		 {"\\Deleted", MS_DELETED}, {"\\Draft", MS_DRAFT},       {"\\Recent", MS_RECENT}};
	uint32_t f = 0;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strstr(s, t[i].n))
			f |= t[i].b;
	return f;
}

static char *slurp(const char *path, size_t *len_r)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct buf b;
	buf_init(&b, 1 << 24);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	if (len_r)
		*len_r = b.len;
	return buf_steal(&b, NULL);
}

/* Turns LF line ends into CRLF (the store keeps CRLF text). */
static struct blob *crlf_blob(const char *p, size_t n)
{
	struct buf b;
	buf_init(&b, 1 << 24);
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			buf_putc(&b, '\r');
		buf_putc(&b, p[i]);
	}
	struct blob *bl = blob_new(b.data, b.len);
	buf_free(&b);
	return bl;
}

static int run(const char *path, int bytewise)
{
	size_t len = 0;
	char *text = slurp(path, &len);
	if (!text) {
		fprintf(stderr, "cannot read %s\n", path);
		return 0;
	}
	struct mailstore *ms = mailstore_new();
	struct ms_user *user = NULL;
	struct tsess t;
	int opened = 0, ok = 1, lineno = 0;
	struct buf expect, got;
	buf_init(&expect, 1 << 24);
	buf_init(&got, 1 << 24);
	for (char *line = text, *next; line && *line && ok; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		lineno++;
		size_t l = strlen(line);
		if (l && line[l - 1] == '\r')
			line[--l] = 0;
		if (line[0] == '#' || line[0] == 0)
			continue;
		if (line[0] == '@') {
			char a[256] = "", b[256] = "", c[256] = "", d[256] = "";
			sscanf(line, "%255s %255s %255s %255s", a, b, c, d);
			if (strcmp(a, "@user") == 0) {
				char addr[300];
				snprintf(addr, sizeof addr, "%s@example.com", b);
				user = mailstore_add_user(ms, addr, c);
			} else if (strcmp(a, "@fill") == 0 && user) {
				struct ms_folder *f = ms_folder_find(user, b);
				if (!f)
					ms_folder_create(user, b, &f);
				for (int i = 0, n = atoi(c); i < n; i++)
					tsess_deliver(f, "someone@example.com", "filler", parse_flags(d));
			} else if (strcmp(a, "@eml") == 0 && user) {
				/* @eml FOLDER DATE FLAGS PATH */
				char folder[256], flags[256], rel[512];
				long long date = 0;
				sscanf(line, "@eml %255s %lld %255s %511s", folder, &date, flags, rel);
				char full[1024];
				snprintf(full, sizeof full, "%s/tests/data/%s", MAILSIM_SOURCE_DIR, rel);
				size_t n = 0;
				char *eml = slurp(full, &n);
				struct ms_folder *f = ms_folder_find(user, folder);
				if (!eml || !f) {
					fprintf(stderr, "%s:%d: cannot load %s\n", path, lineno, full);
					ok = 0;
				} else {
					struct blob *bl = crlf_blob(eml, n);
					ms_append(f, bl, parse_flags(flags), 0, (sim_time)date * SIM_S);
					blob_unref(&bl);
				}
				free(eml);
			}
			continue;
		}
		if (!opened) {
			if (tsess_open(&t, ms, NULL) < 0) {
				ok = 0;
				break;
			}
			t.bytewise = bytewise;
			opened = 1;
		}
		if (strncmp(line, "C: ", 3) == 0 || strcmp(line, "C:") == 0) {
			const char *c = line[2] ? line + 3 : "";
			tsess_feed(&t, c, strlen(c));
			tsess_feed(&t, "\r\n", 2);
		} else if (strncmp(line, "S: ", 3) == 0 || strcmp(line, "S:") == 0) {
			buf_puts(&expect, line[2] ? line + 3 : "");
			buf_puts(&expect, "\r\n");
		}
		/* Compare once the S: lines of a block are all in. */
		const char *peek = next;
		while (peek && (*peek == '#' || *peek == '\n'))
			peek = strchr(peek, '\n') ? strchr(peek, '\n') + 1 : NULL;
		if (line[0] == 'S' && line[1] == ':' && (!peek || strncmp(peek, "S:", 2) != 0)) {
			tsess_collect(&t);
			buf_append(&got, t.got.data ? t.got.data : "", t.got.len);
			buf_reset(&t.got);
			if (got.len != expect.len || memcmp(got.data, expect.data, got.len) != 0) {
				fprintf(stderr, "%s:%d (%s): server output differs.\n--- expected:\n%s--- got:\n%s---\n",
					path, lineno, bytewise ? "bytewise" : "whole", expect.data ? expect.data : "",
					got.data ? got.data : "");
				ok = 0;
			}
		}
	}
	if (opened && ok) {
		/* Nothing more may have come after the last S: line. */
		tsess_collect(&t);
		buf_append(&got, t.got.data ? t.got.data : "", t.got.len);
		if (got.len != expect.len || memcmp(got.data, expect.data, got.len) != 0) {
			fprintf(stderr, "%s: at the end (%s): server output differs.\n--- expected:\n%s--- got:\n%s---\n",
				path, bytewise ? "bytewise" : "whole", expect.data ? expect.data : "",
				got.data ? got.data : "");
			ok = 0;
		}
	}
	if (opened)
		tsess_close(&t);
	buf_free(&expect);
	buf_free(&got);
	mailstore_free(&ms);
	free(text);
	return ok;
}

static const char *const files[] = {"rfc3501-8.txt", "literals.txt"};

static void test_transcripts(void)
{
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char path[1024];
		snprintf(path, sizeof path, "%s/tests/transcripts/imap/%s", MAILSIM_SOURCE_DIR, files[i]);
		CHECK(run(path, 0));
		CHECK(run(path, 1));
	}
}

int main(void)
{
	RUN(test_transcripts);
	CHECK(blob_live_count() == 0);
	return harness_done();
}
