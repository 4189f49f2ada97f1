/* `mailsim bench grade`: batch grading throughput, beside grading one
 * submission the way a lab with real servers would.
 *
 * Ours: --count (300) SMTP transcript submissions, variants of the
 * smtp-by-hand exercise's own submissions, and as many scenario-patch
 * submissions, variants of mx-records' (the reference, the wrong ones, and
 * each with a line dropped, two lines swapped, a line lower-cased or a
 * greeting added; patches with an array element dropped, a number changed
 * or a key removed), written to a temporary folder and graded by
 * grade_batch_run() exactly as `mailsim grade EX --batch DIR --csv F -j N`
 * does (a child process per submission), with -j 1 and -j 2. Figures:
 * wall time, submissions per second, and whether -j 1 and -j 2 wrote the
 * same CSV and summary bytes.
 *
 * The reference (postfix_lab.h, dovecot_ref.h): start a fresh Postfix and
 * Dovecot with throwaway configurations on loopback, replay smtp-by-hand's
 * reference transcript to Postfix's smtpd over a socket, line by line as
 * a student at a telnet would (each command waits for its reply), check
 * over IMAP that the message arrived in the first recipient's INBOX, stop
 * both. Every recipient is a virtual mailbox of this one Postfix
 * (delivered by virtual(8) into the Maildirs Dovecot serves), so the
 * relay leg a real lab would send on to a second MTA is not there: the
 * reference is a lower bound of a real lab's cost. Median of --ref-runs.
 *
 * Goals (issue 8): one submission at least 100 times faster than the
 * reference, a class of 300 in under a minute with -j 2, identical -j 1
 * and -j 2 results. */
#define _DEFAULT_SOURCE /* mkdtemp */
#define _XOPEN_SOURCE 700 /* nftw */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "protocols/buf.h"
#include "sim/agents/mailstore.h"
#include "sim/bench/bench.h"
#include "sim/bench/dovecot_ref.h"
#include "sim/bench/mailbox_client.h"
#include "sim/bench/postfix_lab.h"
#include "sim/grade/grade_batch.h"

#ifndef MAILSIM_SOURCE_DIR
#define MAILSIM_SOURCE_DIR "."
#endif

#define MAX_BASES 32
#define MAX_REF_RUNS 9
#define MAX_LINES 256
#define MAX_RCPT 8
#define DELIVERY_TIMEOUT_S 20.0

struct kind {
	const char *name;     /* "transcript", "patch" */
	const char *exercise; /* its exercise folder's name */
	char ex_path[512];
	char dir[600];
	double wall_s[2];     /* -j 1, -j 2 */
	double cpu_s[2];      /* the graders' CPU time (user + system) */
	int rc[2];
	size_t graded, rejected, errors;
	int identical;
};

struct ref_run {
	double total_s, dovecot_start_s, postfix_start_s, replay_s, delivery_s, postfix_stop_s, dovecot_stop_s;
};

/* ---- generating submissions ---- */

static char *read_file(const char *path, size_t *len_r)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct buf b;
	buf_init(&b, (size_t)1 << 24);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	int bad = ferror(f) || b.err;
	fclose(f);
	if (bad) {
		buf_free(&b);
		return NULL;
	}
	if (buf_append(&b, "", 1) < 0) {
		buf_free(&b);
		return NULL;
	}
	*len_r = b.len - 1;
	return b.data;
}

static int write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	int ok = fwrite(data, 1, len, f) == len;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The exercise's submissions (file names, sorted). Returns the count. */
static int list_bases(const char *ex_path, char *names[MAX_BASES])
{
	char dir[700];
	snprintf(dir, sizeof dir, "%s/submissions", ex_path);
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && n < MAX_BASES)
		if (e->d_name[0] != '.')
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof *names, cmp_str);
	return n;
}

/* Splits text into at most MAX_LINES lines (in place; CRLF or LF). */
static int split_lines(char *text, char *lines[MAX_LINES])
{
	int n = 0;
	char *p = text;
	while (*p && n < MAX_LINES) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		size_t len = strlen(p);
		if (len && p[len - 1] == '\r')
			p[len - 1] = 0;
		lines[n++] = p;
		if (!nl)
			break;
		p = nl + 1;
	}
	return n;
}

/* Variant i of a transcript: the base, then by (i / nbases) % 4 with a
 * greeting line added to the body, a line dropped, two lines swapped or a
 * line lower-cased. */
static void transcript_variant(const char *base, size_t i, int nbases, struct buf *out)
{
	char *copy = strdup(base);
	char *lines[MAX_LINES];
	if (!copy)
		return;
	int n = split_lines(copy, lines);
	int how = (int)((i / (size_t)nbases) % 4);
	int drop = -1, swap = -1, lower = -1, greet_after = -1;
	if (n > 1) {
		if (how == 1)
			drop = (int)(i % (size_t)n);
		else if (how == 2)
			swap = (int)(i % (size_t)(n - 1));
		else if (how == 3)
			lower = (int)(i % (size_t)n);
	}
	if (how == 0) {
		/* After the blank line that ends the message header. */
		int in_data = 0;
		for (int k = 0; k < n && greet_after < 0; k++) {
			if (!in_data && strcasecmp(lines[k], "DATA") == 0)
				in_data = 1;
			else if (in_data && lines[k][0] == 0)
				greet_after = k;
		}
	}
	for (int k = 0; k < n; k++) {
		int src = k;
		if (k == drop)
			continue;
		if (swap >= 0 && k == swap)
			src = k + 1;
		else if (swap >= 0 && k == swap + 1)
			src = k - 1;
		if (k == lower) {
			for (char *p = lines[src]; *p; p++)
				*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		}
		buf_printf(out, "%s\n", lines[src]);
		if (k == greet_after)
			buf_printf(out, "Saludos del alumno %03zu\n", i);
	}
	free(copy);
}

static cJSON *first_of(cJSON *j, int type)
{
	if (!j)
		return NULL;
	if (j->type & type)
		return j;
	cJSON *c;
	cJSON_ArrayForEach(c, j)
	{
		cJSON *f = first_of(c, type);
		if (f)
			return f;
	}
	return NULL;
}

/* Variant i of a merge patch: the base, then by (i / nbases) % 4 with one
 * element of the first array dropped, the first number changed or the
 * first object's last key removed. A base that is not JSON (a wrong
 * submission may be just that) is kept as it is. */
static void patch_variant(const char *base, size_t i, int nbases, struct buf *out)
{
	cJSON *root = cJSON_Parse(base);
	int how = (int)((i / (size_t)nbases) % 4);
	if (!root || how == 0) {
		cJSON_Delete(root);
		buf_printf(out, "%s", base);
		return;
	}
	if (how == 1) {
		cJSON *a = first_of(root, cJSON_Array);
		int n = a ? cJSON_GetArraySize(a) : 0;
		if (n > 0)
			cJSON_DeleteItemFromArray(a, (int)(i % (size_t)n));
	} else if (how == 2) {
		cJSON *num = first_of(root, cJSON_Number);
		if (num)
			cJSON_SetNumberValue(num, num->valuedouble + (double)(i % 7) + 1);
	} else {
		cJSON *o = cJSON_IsObject(root) ? first_of(root->child, cJSON_Object) : NULL;
		if (!o)
			o = root;
		cJSON *last = o->child;
		while (last && last->next)
			last = last->next;
		if (last && o != root)
			cJSON_DeleteItemFromObject(o, last->string);
	}
	char *text = cJSON_Print(root);
	if (text)
		buf_printf(out, "%s\n", text);
	free(text);
	cJSON_Delete(root);
}

/* Writes count variants of the exercise's submissions into k->dir.
 * Returns 0, or -1 with err set. */
static int generate(struct kind *k, const char *tmp, size_t count, char *err, size_t errlen)
{
	char *bases[MAX_BASES];
	int nb = list_bases(k->ex_path, bases);
	if (nb == 0) {
		snprintf(err, errlen, "no submissions in %s/submissions (is the exercise there?)", k->ex_path);
		return -1;
	}
	char *texts[MAX_BASES] = {0};
	const char *exts[MAX_BASES];
	int rc = 0;
	for (int b = 0; b < nb && rc == 0; b++) {
		char path[1200];
		size_t len;
		snprintf(path, sizeof path, "%s/submissions/%s", k->ex_path, bases[b]);
		texts[b] = read_file(path, &len);
		if (!texts[b]) {
			snprintf(err, errlen, "cannot read %.900s", path);
			rc = -1;
		}
		const char *dot = strrchr(bases[b], '.');
		exts[b] = dot ? dot : "";
	}
	snprintf(k->dir, sizeof k->dir, "%s/%s", tmp, k->name);
	if (rc == 0 && mkdir(k->dir, 0755) < 0) {
		snprintf(err, errlen, "mkdir %s: %s", k->dir, strerror(errno));
		rc = -1;
	}
	for (size_t i = 0; rc == 0 && i < count; i++) {
		int b = (int)(i % (size_t)nb);
		struct buf out;
		buf_init(&out, (size_t)1 << 20);
		if (strcmp(k->name, "transcript") == 0)
			transcript_variant(texts[b], i, nb, &out);
		else
			patch_variant(texts[b], i, nb, &out);
		char path[700];
		snprintf(path, sizeof path, "%s/sub-%03zu%s", k->dir, i, exts[b]);
		if (out.err || write_file(path, out.data ? out.data : "", out.len) < 0) {
			snprintf(err, errlen, "cannot write %s", path);
			rc = -1;
		}
		buf_free(&out);
	}
	for (int b = 0; b < nb; b++) {
		free(texts[b]);
		free(bases[b]);
	}
	return rc;
}

/* ---- grading batches ---- */

static char *slurp_stream(FILE *f, size_t *len_r)
{
	fflush(f);
	long end = ftell(f);
	if (end < 0 || fseek(f, 0, SEEK_SET) != 0)
		return NULL;
	char *text = malloc((size_t)end + 1);
	if (!text)
		return NULL;
	size_t got = fread(text, 1, (size_t)end, f);
	text[got] = 0;
	*len_r = got;
	return text;
}

/* Counts the status column of the CSV. */
static void count_statuses(const char *csv, struct kind *k)
{
	k->graded = k->rejected = k->errors = 0;
	const char *line = strstr(csv, "\r\n");
	while (line && line[2]) {
		line += 2;
		const char *p = line;
		for (int f = 0; f < 3 && p; f++) {
			p = strchr(p, ',');
			if (p)
				p++;
		}
		if (p) {
			k->graded += strncmp(p, "graded,", 7) == 0;
			k->rejected += strncmp(p, "rejected,", 9) == 0;
			k->errors += strncmp(p, "error,", 6) == 0;
		}
		line = strstr(line, "\r\n");
	}
}

/* CPU time of this process's reaped children, seconds. */
static double children_cpu_s(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_CHILDREN, &ru) != 0)
		return 0;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
	       ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
}

static int run_batches(struct kind *k, const char *tmp, double timeout_s, char *err, size_t errlen)
{
	char *csv[2] = {0}, *summary[2] = {0};
	size_t csv_len[2] = {0}, sum_len[2] = {0};
	int rc = 0;
	for (int j = 0; j < 2 && rc == 0; j++) {
		char csv_path[700];
		snprintf(csv_path, sizeof csv_path, "%s/%s-j%d.csv", tmp, k->name, j + 1);
		FILE *out = tmpfile();
		if (!out) {
			snprintf(err, errlen, "tmpfile: %s", strerror(errno));
			rc = -1;
			break;
		}
		struct grade_batch_opts o = {.exercise = k->ex_path, .batch_dir = k->dir, .csv_path = csv_path,
					     .jobs = j + 1, .timeout_s = timeout_s};
		int64_t t0 = bench_wall_ns();
		double c0 = children_cpu_s();
		k->rc[j] = grade_batch_run(&o, out, stderr);
		k->wall_s[j] = (double)(bench_wall_ns() - t0) / 1e9;
		k->cpu_s[j] = children_cpu_s() - c0;
		summary[j] = slurp_stream(out, &sum_len[j]);
		fclose(out);
		csv[j] = read_file(csv_path, &csv_len[j]);
		if (k->rc[j] != 0 || !csv[j] || !summary[j]) {
			snprintf(err, errlen, "grading the %s batch with -j %d exited %d%s", k->name, j + 1, k->rc[j],
				 k->rc[j] == 1 ? " (some submissions errored: see the summary)" : "");
			if (summary[j])
				fputs(summary[j], stderr);
			rc = -1;
		}
	}
	if (rc == 0) {
		count_statuses(csv[0], k);
		k->identical = csv_len[0] == csv_len[1] && memcmp(csv[0], csv[1], csv_len[0]) == 0 &&
			       sum_len[0] == sum_len[1] && memcmp(summary[0], summary[1], sum_len[0]) == 0;
	}
	for (int j = 0; j < 2; j++) {
		free(csv[j]);
		free(summary[j]);
	}
	return rc;
}

/* ---- the real-server reference ---- */

struct conn {
	int fd;
	struct buf in;
};

/* Reads one whole SMTP reply (through the "NNN " line). Its code, or -1. */
static int smtp_reply(struct conn *c, char *err, size_t errlen)
{
	for (;;) {
		/* A complete last line: "NNN text\r\n". */
		size_t start = 0;
		for (size_t i = 0; i + 1 < c->in.len; i++) {
			if (c->in.data[i] != '\r' || c->in.data[i + 1] != '\n')
				continue;
			if (i - start >= 4 && c->in.data[start + 3] == ' ') {
				int code = atoi(c->in.data + start);
				size_t used = i + 2;
				memmove(c->in.data, c->in.data + used, c->in.len - used);
				buf_truncate(&c->in, c->in.len - used);
				return code;
			}
			start = i + 2;
		}
		char chunk[4096];
		ssize_t n = recv(c->fd, chunk, sizeof chunk, 0);
		if (n <= 0) {
			snprintf(err, errlen, "SMTP reply: %s", n < 0 ? strerror(errno) : "connection closed");
			return -1;
		}
		if (buf_append(&c->in, chunk, (size_t)n) < 0) {
			snprintf(err, errlen, "SMTP reply too long");
			return -1;
		}
	}
}

static int send_line(struct conn *c, const char *line, char *err, size_t errlen)
{
	char b[1100];
	int n = snprintf(b, sizeof b, "%s\r\n", line);
	if (n < 0 || (size_t)n >= sizeof b || send(c->fd, b, (size_t)n, MSG_NOSIGNAL) != n) {
		snprintf(err, errlen, "send: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Replays the transcript's lines to 127.0.0.1:port as typed at a telnet:
 * each command waits for its reply, message lines go straight on until
 * the lone dot. Returns the number of 250 replies to the final dot (the
 * messages accepted), or -1 with err set. */
static int replay(int port, char *const *lines, int n, char *err, size_t errlen)
{
	struct conn c = {.fd = socket(AF_INET, SOCK_STREAM, 0)};
	buf_init(&c.in, 1 << 20);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct timeval tv = {10, 0};
	int accepted = 0, rc = 0;
	if (c.fd < 0 || connect(c.fd, (struct sockaddr *)&a, sizeof a) < 0) {
		snprintf(err, errlen, "connect to 127.0.0.1:%d: %s", port, strerror(errno));
		rc = -1;
		goto out;
	}
	setsockopt(c.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	int one = 1;
	setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (smtp_reply(&c, err, errlen) != 220) {
		rc = -1;
		goto out;
	}
	int in_data = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		if (send_line(&c, lines[i], err, errlen) < 0) {
			rc = -1;
			break;
		}
		if (in_data && strcmp(lines[i], ".") != 0)
			continue;
		int code = smtp_reply(&c, err, errlen);
		if (code < 0) {
			rc = -1;
			break;
		}
		if (in_data)
			accepted += code == 250;
		in_data = !in_data && strcasecmp(lines[i], "DATA") == 0 && code == 354;
	}
out:
	if (c.fd >= 0)
		close(c.fd);
	buf_free(&c.in);
	return rc < 0 ? -1 : accepted;
}

/* The recipients (RCPT TO:<x>) and Subject of a transcript. */
static int transcript_rcpts(char *const *lines, int n, char rcpt[MAX_RCPT][256], char *subject, size_t sublen)
{
	int k = 0;
	subject[0] = 0;
	for (int i = 0; i < n; i++) {
		if (strncasecmp(lines[i], "RCPT TO:", 8) == 0 && k < MAX_RCPT) {
			const char *lt = strchr(lines[i], '<'), *gt = lt ? strchr(lt, '>') : NULL;
			if (lt && gt && gt - lt - 1 > 0 && gt - lt - 1 < 256) {
				snprintf(rcpt[k], 256, "%.*s", (int)(gt - lt - 1), lt + 1);
				k++;
			}
		} else if (strncasecmp(lines[i], "Subject:", 8) == 0 && !subject[0]) {
			const char *s = lines[i] + 8;
			while (*s == ' ')
				s++;
			snprintf(subject, sublen, "%s", s);
		}
	}
	return k;
}

/* Waits until the user's INBOX holds a message (with the subject, when
 * known): 0, or -1 with err set. */
static int wait_delivery(struct dovecot_ref *d, const char *user, const char *subject, char *err, size_t errlen)
{
	struct mbx_io io;
	if (dovecot_ref_connect(d, DOVECOT_IMAP, &io, err, errlen) < 0)
		return -1;
	struct mbx_client *c = mbx_client_new(&io);
	struct mbx_result r;
	char cmd[600];
	int rc = -1;
	if (!c || mbx_imap_greeting(c, &r) < 0)
		goto out;
	snprintf(cmd, sizeof cmd, "LOGIN \"%s\" \"x\"", user);
	if (mbx_imap_command(c, cmd, &r) < 0 || r.status != 'O') {
		snprintf(err, errlen, "IMAP LOGIN as %s: %s", user, r.text);
		goto out;
	}
	if (mbx_imap_command(c, "SELECT INBOX", &r) < 0 || r.status != 'O') {
		snprintf(err, errlen, "IMAP SELECT INBOX: %s", r.text);
		goto out;
	}
	if (subject[0] && !strchr(subject, '"') && !strchr(subject, '\\'))
		snprintf(cmd, sizeof cmd, "SEARCH SUBJECT \"%s\"", subject);
	else
		snprintf(cmd, sizeof cmd, "SEARCH ALL");
	int64_t deadline = bench_wall_ns() + (int64_t)(DELIVERY_TIMEOUT_S * 1e9);
	for (;;) {
		/* NOOP lets Dovecot see new Maildir files. */
		if (mbx_imap_command(c, "NOOP", &r) < 0 || mbx_imap_command(c, cmd, &r) < 0) {
			snprintf(err, errlen, "IMAP: %s", mbx_client_error(c));
			goto out;
		}
		if (r.search_hits > 0) {
			rc = 0;
			break;
		}
		if (bench_wall_ns() > deadline) {
			snprintf(err, errlen, "the message did not reach %s's INBOX within %.0f s", user,
				 DELIVERY_TIMEOUT_S);
			goto out;
		}
		struct timespec ts = {0, 5000000};
		nanosleep(&ts, NULL);
	}
	mbx_imap_command(c, "LOGOUT", &r);
out:
	if (c && rc < 0 && !err[0])
		snprintf(err, errlen, "IMAP: %s", mbx_client_error(c));
	mbx_client_free(&c);
	dovecot_ref_disconnect(&io);
	return rc;
}

static int reference_once(char *const *lines, int n, struct ref_run *run, char *versions, size_t vlen, char *err,
			  size_t errlen)
{
	char rcpt[MAX_RCPT][256], subject[256];
	int nr = transcript_rcpts(lines, n, rcpt, subject, sizeof subject);
	if (nr == 0) {
		snprintf(err, errlen, "the reference transcript has no RCPT TO:<address>");
		return -1;
	}
	memset(run, 0, sizeof *run);
	int64_t t0 = bench_wall_ns();
	struct mailstore *ms = mailstore_new();
	const char *addrs[MAX_RCPT];
	for (int i = 0; ms && i < nr; i++) {
		mailstore_add_user(ms, rcpt[i], "x");
		addrs[i] = rcpt[i];
	}
	struct dovecot_ref *d = NULL;
	struct postfix_lab *p = NULL;
	int rc = -1;
	char why[600] = "";
	int64_t t = bench_wall_ns();
	if (!ms || dovecot_ref_start(ms, &d, why, sizeof why) < 0) {
		snprintf(err, errlen, "Dovecot: %s", ms ? why : "out of memory");
		goto out;
	}
	run->dovecot_start_s = (double)(bench_wall_ns() - t) / 1e9;
	unsigned uid, gid;
	dovecot_ref_owner(d, &uid, &gid);
	t = bench_wall_ns();
	if (postfix_lab_start(addrs, (size_t)nr, dovecot_ref_mail_dir(d), uid, gid, &p, why, sizeof why) < 0) {
		snprintf(err, errlen, "Postfix: %s", why);
		goto out;
	}
	run->postfix_start_s = (double)(bench_wall_ns() - t) / 1e9;
	snprintf(versions, vlen, "Postfix %s, Dovecot %s", postfix_lab_version(p), dovecot_ref_version(d));
	t = bench_wall_ns();
	int accepted = replay(postfix_lab_port(p), lines, n, why, sizeof why);
	run->replay_s = (double)(bench_wall_ns() - t) / 1e9;
	if (accepted < 1) {
		snprintf(err, errlen, "replaying the transcript to Postfix: %s",
			 accepted < 0 ? why : "the message was not accepted");
		goto out;
	}
	t = bench_wall_ns();
	why[0] = 0;
	if (wait_delivery(d, rcpt[0], subject, why, sizeof why) < 0) {
		snprintf(err, errlen, "checking the mailbox: %s", why);
		goto out;
	}
	run->delivery_s = (double)(bench_wall_ns() - t) / 1e9;
	rc = 0;
out:
	run->postfix_stop_s = postfix_lab_stop_timed(&p);
	t = bench_wall_ns();
	dovecot_ref_stop(&d);
	run->dovecot_stop_s = (double)(bench_wall_ns() - t) / 1e9;
	mailstore_free(&ms);
	run->total_s = (double)(bench_wall_ns() - t0) / 1e9;
	return rc;
}

/* Can the reference run here at all? (Else it is skipped, not failed.) */
static int reference_available(char *why, size_t whylen)
{
	if (access("/usr/sbin/postfix", X_OK) < 0 || access("/usr/sbin/dovecot", X_OK) < 0) {
		snprintf(why, whylen, "Postfix or Dovecot is not installed (apt-get install postfix dovecot-imapd)");
		return 0;
	}
	if (geteuid() != 0) {
		snprintf(why, whylen, "Postfix's master must be started as root (it binds, then runs its daemons "
				      "as the postfix user); this benchmark runs as uid %u",
			 (unsigned)geteuid());
		return 0;
	}
	return 1;
}

static int cmp_run(const void *a, const void *b)
{
	double x = ((const struct ref_run *)a)->total_s, y = ((const struct ref_run *)b)->total_s;
	return x < y ? -1 : x > y;
}

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: mailsim bench grade [--json] [--count N] [--exercises DIR] [--ref-runs N] [--no-reference]\n\n"
		   "Batch-grades N (300) generated SMTP transcript submissions (exercise smtp-by-hand)\n"
		   "and N scenario-patch submissions (mx-records) with -j 1 and -j 2, and times the\n"
		   "real-server reference: a fresh Postfix and Dovecot on loopback, the transcript\n"
		   "replayed, the mailbox checked, both stopped (median of --ref-runs, default 3).\n"
		   "  --exercises DIR  where the exercises are (default %s/scenarios/exercises)\n"
		   "  --timeout S      wall limit per graded submission (default 60)\n",
		MAILSIM_SOURCE_DIR);
}

int bench_grade_main(int argc, char **argv)
{
	uint64_t count = 300, ref_runs = 3;
	int json = 0, no_ref = 0;
	double timeout_s = 60;
	const char *ex_dir = MAILSIM_SOURCE_DIR "/scenarios/exercises";
	static const struct option opts[] = {
		{"count", required_argument, NULL, 'n'},    {"exercises", required_argument, NULL, 'e'},
		{"ref-runs", required_argument, NULL, 'r'}, {"no-reference", no_argument, NULL, 'R'},
		{"timeout", required_argument, NULL, 't'},  {"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
	};
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (bench_parse_count(optarg, &count) < 0 || count < 1 || count > 100000) {
				fprintf(stderr, "mailsim bench grade: --count: 1 to 100k\n");
				return 2;
			}
			break;
		case 'r':
			if (bench_parse_count(optarg, &ref_runs) < 0 || ref_runs < 1 || ref_runs > MAX_REF_RUNS) {
				fprintf(stderr, "mailsim bench grade: --ref-runs: 1 to %d\n", MAX_REF_RUNS);
				return 2;
			}
			break;
		case 'e':
			ex_dir = optarg;
			break;
		case 't': {
			char *end;
			timeout_s = strtod(optarg, &end);
			if (*end || !(timeout_s > 0 && timeout_s <= 3600)) {
				fprintf(stderr, "mailsim bench grade: --timeout: seconds, 0 to 3600\n");
				return 2;
			}
			break;
		}
		case 'R':
			no_ref = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	struct kind kinds[2] = {{.name = "transcript", .exercise = "smtp-by-hand"},
				{.name = "patch", .exercise = "mx-records"}};
	char tmp[] = "/tmp/mailsim-bench-grade-XXXXXX";
	if (!mkdtemp(tmp)) {
		fprintf(stderr, "mailsim bench grade: cannot make a temporary folder: %s\n", strerror(errno));
		return 1;
	}
	char err[1000] = "";
	int rc = 0;
	for (int k = 0; k < 2 && rc == 0; k++) {
		snprintf(kinds[k].ex_path, sizeof kinds[k].ex_path, "%s/%s", ex_dir, kinds[k].exercise);
		if (generate(&kinds[k], tmp, (size_t)count, err, sizeof err) < 0 ||
		    run_batches(&kinds[k], tmp, timeout_s, err, sizeof err) < 0)
			rc = 1;
	}

	/* The reference replays smtp-by-hand's reference transcript. */
	struct ref_run runs[MAX_REF_RUNS];
	int ref_ok = 0;
	char ref_why[1000] = "", versions[128] = "";
	if (rc == 0 && !no_ref && !reference_available(ref_why, sizeof ref_why)) {
		no_ref = 1; /* skipped, with the reason printed */
	} else if (rc == 0 && !no_ref) {
		char path[700];
		size_t len;
		snprintf(path, sizeof path, "%s/submissions/reference.txt", kinds[0].ex_path);
		char *text = read_file(path, &len);
		char *lines[MAX_LINES];
		int n = text ? split_lines(text, lines) : 0;
		while (n > 0 && lines[n - 1][0] == 0)
			n--;
		if (!text)
			snprintf(ref_why, sizeof ref_why, "cannot read %s", path);
		ref_ok = text != NULL;
		for (uint64_t r = 0; ref_ok && r < ref_runs; r++)
			if (reference_once(lines, n, &runs[r], versions, sizeof versions, ref_why, sizeof ref_why) < 0)
				ref_ok = 0;
		free(text);
		if (ref_ok)
			qsort(runs, (size_t)ref_runs, sizeof runs[0], cmp_run);
	} else if (no_ref && !ref_why[0]) {
		snprintf(ref_why, sizeof ref_why, "--no-reference");
	}
	nftw(tmp, rm_entry, 32, FTW_DEPTH | FTW_PHYS);
	if (rc != 0) {
		fprintf(stderr, "mailsim bench grade: %s\n", err);
		return 1;
	}
	const struct ref_run *med = ref_ok ? &runs[ref_runs / 2] : NULL;
	double per_sub_s = kinds[0].wall_s[0] / (double)count;
	double speedup = med && per_sub_s > 0 ? med->total_s / per_sub_s : 0;
	double class_s = kinds[0].wall_s[1] > kinds[1].wall_s[1] ? kinds[0].wall_s[1] : kinds[1].wall_s[1];
	int identical = kinds[0].identical && kinds[1].identical;

	if (json) {
		cJSON *root = cJSON_CreateObject();
		cJSON_AddStringToObject(root, "benchmark", "grade");
		cJSON_AddNumberToObject(root, "submissions", (double)count);
		cJSON_AddNumberToObject(root, "load_average", bench_load_average());
		cJSON *batches = cJSON_AddArrayToObject(root, "batches");
		for (int k = 0; k < 2; k++) {
			for (int j = 0; j < 2; j++) {
				cJSON *b = cJSON_CreateObject();
				cJSON_AddStringToObject(b, "kind", kinds[k].name);
				cJSON_AddStringToObject(b, "exercise", kinds[k].exercise);
				cJSON_AddNumberToObject(b, "jobs", j + 1);
				cJSON_AddNumberToObject(b, "wall_s", kinds[k].wall_s[j]);
				cJSON_AddNumberToObject(b, "submissions_per_s", (double)count / kinds[k].wall_s[j]);
				cJSON_AddNumberToObject(b, "ms_per_submission", kinds[k].wall_s[j] * 1e3 / (double)count);
				cJSON_AddNumberToObject(b, "cpu_ms_per_submission",
							kinds[k].cpu_s[j] * 1e3 / (double)count);
				cJSON_AddItemToArray(batches, b);
			}
		}
		for (int k = 0; k < 2; k++) {
			cJSON *o = cJSON_AddObjectToObject(root, kinds[k].name);
			cJSON_AddNumberToObject(o, "graded", (double)kinds[k].graded);
			cJSON_AddNumberToObject(o, "rejected", (double)kinds[k].rejected);
			cJSON_AddNumberToObject(o, "errors", (double)kinds[k].errors);
			cJSON_AddBoolToObject(o, "identical_j1_j2", kinds[k].identical);
		}
		cJSON *ref = cJSON_AddObjectToObject(root, "reference");
		cJSON_AddBoolToObject(ref, "available", ref_ok);
		if (ref_ok) {
			cJSON_AddStringToObject(ref, "servers", versions);
			cJSON_AddNumberToObject(ref, "runs", (double)ref_runs);
			cJSON_AddNumberToObject(ref, "wall_s", med->total_s);
			cJSON_AddNumberToObject(ref, "dovecot_start_s", med->dovecot_start_s);
			cJSON_AddNumberToObject(ref, "postfix_start_s", med->postfix_start_s);
			cJSON_AddNumberToObject(ref, "replay_s", med->replay_s);
			cJSON_AddNumberToObject(ref, "delivery_check_s", med->delivery_s);
			cJSON_AddNumberToObject(ref, "postfix_stop_s", med->postfix_stop_s);
			cJSON_AddNumberToObject(ref, "dovecot_stop_s", med->dovecot_stop_s);
		} else {
			cJSON_AddStringToObject(ref, "why", ref_why);
		}
		cJSON_AddNumberToObject(root, "ms_per_submission_j1", per_sub_s * 1e3);
		if (ref_ok)
			cJSON_AddNumberToObject(root, "speedup_per_submission", speedup);
		cJSON_AddNumberToObject(root, "class_wall_s_j2", class_s);
		cJSON *goals = cJSON_AddObjectToObject(root, "goals");
		if (ref_ok)
			cJSON_AddBoolToObject(goals, "speedup_100x", speedup >= 100);
		cJSON_AddBoolToObject(goals, "class_under_a_minute", class_s < 60);
		cJSON_AddBoolToObject(goals, "identical_j1_j2", identical);
		if (bench_print_json(&root) < 0)
			return 1;
	} else {
		printf("mailsim bench grade: %" PRIu64 " submissions per kind, a child process each (load average %.2f)\n\n",
		       count, bench_load_average());
		printf("  %-10s %-13s %4s %9s %12s %10s %12s\n", "kind", "exercise", "-j", "wall s", "subs/s", "ms/sub",
		       "CPU ms/sub");
		for (int k = 0; k < 2; k++)
			for (int j = 0; j < 2; j++)
				printf("  %-10s %-13s %4d %9.2f %12.1f %10.2f %12.2f\n", kinds[k].name, kinds[k].exercise,
				       j + 1, kinds[k].wall_s[j], (double)count / kinds[k].wall_s[j],
				       kinds[k].wall_s[j] * 1e3 / (double)count, kinds[k].cpu_s[j] * 1e3 / (double)count);
		for (int k = 0; k < 2; k++)
			printf("  %s: %zu graded, %zu rejected, %zu errors; -j 1 and -j 2 %s\n", kinds[k].name,
			       kinds[k].graded, kinds[k].rejected, kinds[k].errors,
			       kinds[k].identical ? "identical (CSV and summary)" : "DIFFER");
		printf("\nReference: one transcript graded with real servers\n");
		if (ref_ok) {
			printf("  %s, median of %" PRIu64 " runs: %.3f s\n", versions, ref_runs, med->total_s);
			printf("  (Dovecot start %.3f, Postfix start %.3f, replay %.3f, delivery check %.3f,\n"
			       "   Postfix stop %.3f, Dovecot stop %.3f)\n",
			       med->dovecot_start_s, med->postfix_start_s, med->replay_s, med->delivery_s,
			       med->postfix_stop_s, med->dovecot_stop_s);
			printf("  mailsim, -j 1: %.2f ms per submission: %.0fx faster (goal: 100x) %s\n", per_sub_s * 1e3,
			       speedup, speedup >= 100 ? "ok" : "MISSED");
		} else {
			printf("  not measured: %s\n", ref_why);
		}
		printf("  a class of %" PRIu64 " with -j 2: %.2f s (goal: under 60 s) %s\n", count, class_s,
		       class_s < 60 ? "ok" : "MISSED");
		printf("  -j 1 and -j 2 identical: %s\n", identical ? "yes" : "NO");
	}
	/* A reference that was wanted and failed is a broken run. */
	return identical && (ref_ok || no_ref) ? 0 : 1;
}
