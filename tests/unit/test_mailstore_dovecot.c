/* The Maildir export served by Dovecot: a store with hierarchical folders,
 * subscriptions, every flag, more keywords than a Maildir name has letters,
 * UIDs with gaps, UIDVALIDITY/UIDNEXT, internal dates and 8-bit bodies is
 * exported, and Dovecot's doveadm (Debian's dovecot-imapd, run as an
 * unprivileged user with a throwaway configuration in /tmp, no daemon, no
 * authentication) must show the same folders, subscriptions, counts,
 * UIDs, flags, keywords, dates, sizes and bytes.
 *
 * Exits 77 (ctest SKIP_RETURN_CODE) with the reason when doveadm is not
 * installed or cannot run here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "sim/agents/mailstore.h"
#include "sim/core/blob.h"

#define USER "maria@dominio.de.maria"
#define EPOCH 1150944635

static char work[] = "/tmp/mailsim-dovecot-XXXXXX";
static char runas[200]; /* a prefix that drops root, or "" */

/* Runs a doveadm command; its output in a malloc'd string (NULL on
 * failure). */
static char *doveadm(const char *args, size_t *len_r)
{
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "cd '%s' && %s env USER=%s HOME='%s' doveadm -c '%s/dovecot.conf' %s 2>'%s/stderr'",
		 work, runas, USER, work, work, args, work);
	FILE *p = popen(cmd, "r");
	if (!p)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *out = malloc(cap);
	size_t got;
	while (out && (got = fread(out + n, 1, cap - n - 1, p)) > 0) {
		n += got;
		if (n + 1 == cap) {
			char *o = realloc(out, cap * 2);
			if (!o) {
				free(out);
				out = NULL;
				break;
			}
			out = o;
			cap *= 2;
		}
	}
	int st = pclose(p);
	if (!out || st != 0) {
		free(out);
		return NULL;
	}
	out[n] = 0;
	if (len_r)
		*len_r = n;
	return out;
}

static int cmp_lines(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Sorts the lines of text (after dropping the first skip lines) in place
 * into a new string. */
static char *sorted(const char *text, int skip)
{
	char *copy = strdup(text), *lines[4096];
	size_t n = 0;
	for (char *l = strtok(copy, "\n"); l && n < 4096; l = strtok(NULL, "\n"))
		if (skip-- <= 0)
			lines[n++] = l;
	qsort(lines, n, sizeof *lines, cmp_lines);
	size_t total = 1;
	for (size_t i = 0; i < n; i++)
		total += strlen(lines[i]) + 1;
	char *out = malloc(total), *o = out;
	for (size_t i = 0; i < n; i++)
		o += sprintf(o, "%s\n", lines[i]);
	*o = 0;
	free(copy);
	return out;
}

static struct mailstore *build(void)
{
	struct mailstore *ms = mailstore_new();
	mailstore_set_epoch(ms, EPOCH);
	struct ms_user *u = mailstore_add_user(ms, USER, "serenata");
	ms_user_add_default_folders(u);
	struct ms_folder *in = ms_folder_find(u, "INBOX"), *junio, *work_f;
	ms_folder_create(u, "Archivo", NULL);
	ms_folder_create(u, "Archivo/2006", NULL);
	ms_folder_create(u, "Archivo/2006/Junio", &junio);
	ms_folder_create(u, "Trabajo", &work_f);
	ms_folder_set_subscribed(ms_folder_find(u, "Trash"), 0);
	ms_folder_set_subscribed(ms_folder_find(u, "Archivo/2006"), 0);
	char name[32];
	for (int k = 0; k < 30; k++) {
		snprintf(name, sizeof name, k == 0 ? "$Label1" : "kw%02d", k);
		ms_keyword(u, name, 1);
	}
	const char *texts[] = {
	    "From: Juan <juan@gmail.com>\r\nTo: maria@dominio.de.maria\r\nSubject: Una foto\r\n\r\nHola\r\n",
	    "From: pepe@gil.com.ar\r\nSubject: =?UTF-8?Q?Canci=C3=B3n?=\r\n\r\nCanci\xc3\xb3n en 8 bits\r\n",
	    "Subject: borrador\r\n\r\n.\r\n..\r\nFrom x\r\n",
	};
	struct blob *b[3];
	for (int i = 0; i < 3; i++)
		b[i] = blob_new(texts[i], strlen(texts[i]));
	ms_append(in, b[0], MS_RECENT, 0, 3 * SIM_S);
	ms_append(in, b[1], MS_SEEN | MS_ANSWERED, 1ull << 0, 4 * SIM_S);
	ms_append(in, b[2], MS_SEEN, 0, 5 * SIM_S);
	ms_append(in, b[0], MS_FLAGGED | MS_SEEN, (1ull << 0) | (1ull << 29), -3600 * SIM_S);
	ms_remove(in, 3); /* a gap */
	ms_append_uid(junio, 100, b[1], MS_DRAFT | MS_DELETED, (1ull << 27) | (1ull << 28), 60 * SIM_S);
	ms_folder_set_uids(junio, 4000, 150);
	for (int i = 0; i < 26; i++) /* 26 keywords in one folder: every letter used */
		ms_append(work_f, b[i % 3], MS_SEEN, 1ull << i, (100 + i) * SIM_S);
	ms_append(ms_folder_find(u, "Sent"), b[0], MS_SEEN, 0, 7 * SIM_S);
	for (int i = 0; i < 3; i++)
		blob_unref(&b[i]);
	return ms;
}

/* What doveadm should print, from the store. */
static void expected(const struct mailstore *ms, char **list_r, char **subs_r, char **status_r, char **fetch_r)
{
	const struct ms_user *u = mailstore_user_at(ms, 0);
	size_t cap = 1 << 16;
	char *list = calloc(1, cap), *subs = calloc(1, cap), *status = calloc(1, cap), *fetch = calloc(1, cap);
	size_t lo = 0, so = 0, sto = 0, fo = 0;
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {{MS_ANSWERED, "\\Answered"}, {MS_DELETED, "\\Deleted"}, {MS_DRAFT, "\\Draft"},
		     {MS_FLAGGED, "\\Flagged"}, {MS_SEEN, "\\Seen"}};
	for (size_t i = 0; i < ms_folder_count(u); i++) {
		const struct ms_folder *f = ms_folder_at(u, i);
		lo += (size_t)snprintf(list + lo, cap - lo, "%s\n", ms_folder_name(f));
		if (ms_folder_subscribed(f))
			so += (size_t)snprintf(subs + so, cap - so, "%s\n", ms_folder_name(f));
		sto += (size_t)snprintf(status + sto, cap - sto, "%s\t%zu\t%u\t%u\n", ms_folder_name(f), ms_folder_size(f),
					ms_folder_uidnext(f), ms_folder_uidvalidity(f));
		for (size_t k = 0; k < ms_folder_size(f); k++) {
			const struct ms_message *m = ms_folder_message(f, k);
			/* \Recent is a session's, not the disk's: doveadm has no session. */
			char flags[1024] = "";
			for (size_t n = 0; n < sizeof names / sizeof names[0]; n++)
				if (m->flags & names[n].bit)
					snprintf(flags + strlen(flags), sizeof flags - strlen(flags), "%s%s", flags[0] ? " " : "",
						 names[n].name);
			for (int b = 0; b < MS_MAX_KEYWORDS; b++)
				if (m->keywords & (1ull << b))
					snprintf(flags + strlen(flags), sizeof flags - strlen(flags), "%s%s", flags[0] ? " " : "",
						 ms_keyword_name(u, b));
			fo += (size_t)snprintf(fetch + fo, cap - fo, "%s\t%u\t%s\t%lld\t%zu\n", ms_folder_name(f), m->uid, flags,
					       (long long)(EPOCH + m->internal_date / SIM_S), blob_len(m->body));
		}
	}
	*list_r = sorted(list, 0);
	*subs_r = sorted(subs, 0);
	*status_r = sorted(status, 0);
	*fetch_r = sorted(fetch, 0);
	free(list);
	free(subs);
	free(status);
	free(fetch);
}

/* doveadm lists keywords in its own order: sort the flags field. */
static char *normalise_fetch(const char *text)
{
	char *copy = strdup(text), *out = calloc(1, strlen(text) * 2 + 16), *o = out;
	int first = 1;
	for (char *l = strtok(copy, "\n"); l; l = strtok(NULL, "\n")) {
		if (first) {
			first = 0;
			continue;
		}
		char *f[5] = {0};
		int n = 0;
		for (char *p = l; n < 5; n++) {
			f[n] = p;
			char *t = strchr(p, '\t');
			if (!t)
				break;
			*t = 0;
			p = t + 1;
		}
		if (n < 4)
			continue;
		char *words[128];
		int nw = 0;
		for (char *w = strtok_r(f[2], " ", &f[2]); w && nw < 128; w = strtok_r(NULL, " ", &f[2]))
			words[nw++] = w;
		/* System flags first (they start with '\'), each group sorted,
		 * as expected() writes them. */
		qsort(words, (size_t)nw, sizeof *words, cmp_lines);
		char flags[2048] = "";
		for (int i = 0; i < nw; i++)
			if (words[i][0] == '\\')
				snprintf(flags + strlen(flags), sizeof flags - strlen(flags), "%s%s", flags[0] ? " " : "",
					 words[i]);
		for (int i = 0; i < nw; i++)
			if (words[i][0] != '\\')
				snprintf(flags + strlen(flags), sizeof flags - strlen(flags), "%s%s", flags[0] ? " " : "",
					 words[i]);
		o += sprintf(o, "%s\t%s\t%s\t%s\t%s\n", f[0], f[1], flags, f[3], f[4]);
	}
	free(copy);
	char *s = sorted(out, 0);
	free(out);
	return s;
}

static void test_dovecot_reads_the_export(void)
{
	struct mailstore *ms = build();
	char path[600], err[600];
	snprintf(path, sizeof path, "%s/mail", work);
	REQUIRE(mailstore_export_maildir(ms, path, err, sizeof err) == 0);
	if (geteuid() == 0) {
		char cmd[700];
		snprintf(cmd, sizeof cmd, "chown -R nobody:nogroup '%s'", work);
		REQUIRE(system(cmd) == 0);
	}
	char *list = doveadm("mailbox list", NULL);
	if (!list) {
		char cat[700];
		snprintf(cat, sizeof cat, "cat '%s/stderr' >&2", work);
		CHECK(system(cat) == 0);
	}
	REQUIRE(list != NULL);
	char *subs = doveadm("mailbox list -s", NULL);
	char *status = doveadm("-f tab mailbox status 'messages uidnext uidvalidity' '*'", NULL);
	char *fetch = doveadm("-f tab fetch 'mailbox uid flags date.received.unixtime size.physical' all", NULL);
	REQUIRE(subs && status && fetch);
	char *w_list, *w_subs, *w_status, *w_fetch;
	expected(ms, &w_list, &w_subs, &w_status, &w_fetch);
	char *g_list = sorted(list, 0), *g_subs = sorted(subs, 0), *g_status = sorted(status, 1);
	char *g_fetch = normalise_fetch(fetch);
	CHECK_STR(g_list, w_list);
	CHECK_STR(g_subs, w_subs);
	CHECK_STR(g_status, w_status);
	{
		/* expected() has no header line: give it one for the normaliser. */
		char *hdr = malloc(strlen(w_fetch) + 8);
		sprintf(hdr, "h\n%s", w_fetch);
		char *w = normalise_fetch(hdr);
		CHECK_STR(g_fetch, w);
		free(hdr);
		free(w);
	}
	/* The bytes of every message, one by one. */
	const struct ms_user *u = mailstore_user_at(ms, 0);
	for (size_t i = 0; i < ms_folder_count(u); i++) {
		const struct ms_folder *f = ms_folder_at(u, i);
		for (size_t k = 0; k < ms_folder_size(f); k++) {
			const struct ms_message *m = ms_folder_message(f, k);
			char args[600];
			snprintf(args, sizeof args, "-f pager fetch text mailbox '%s' uid %u", ms_folder_name(f), m->uid);
			size_t n;
			char *text = doveadm(args, &n);
			REQUIRE(text != NULL);
			const char *body = strncmp(text, "text:\n", 6) == 0 ? text + 6 : text;
			size_t blen = n - (size_t)(body - text);
			int same = blen == blob_len(m->body) && memcmp(body, blob_data(m->body), blen) == 0;
			if (!same)
				printf("%s uid %u: the bytes differ\n", ms_folder_name(f), m->uid);
			CHECK(same);
			free(text);
		}
	}
	free(list);
	free(subs);
	free(status);
	free(fetch);
	free(w_list);
	free(w_subs);
	free(w_status);
	free(w_fetch);
	free(g_list);
	free(g_subs);
	free(g_status);
	free(g_fetch);
	mailstore_free(&ms);
}

int main(void)
{
	if (system("command -v doveadm >/dev/null 2>&1") != 0) {
		printf("SKIP: doveadm not found (Debian package dovecot-imapd; scripts/quickstart test installs it)\n");
		return 77;
	}
	if (!mkdtemp(work))
		return 1;
	char conf[700];
	snprintf(conf, sizeof conf, "%s/dovecot.conf", work);
	FILE *f = fopen(conf, "w");
	if (!f)
		return 1;
	/* No daemon, no auth: doveadm opens the mail itself as USER, with the
	 * hierarchy separator mailsim uses. */
	fprintf(f,
		"base_dir = %s/run\nstate_dir = %s/state\nlog_path = /dev/stderr\n"
		"mail_location = maildir:%s/mail/%%u:INDEX=MEMORY\nssl = no\n"
		"namespace inbox {\n  inbox = yes\n  separator = /\n}\n",
		work, work, work);
	fclose(f);
	if (geteuid() == 0) {
		if (system("command -v setpriv >/dev/null 2>&1") != 0) {
			printf("SKIP: running as root and setpriv (util-linux) is missing to drop to nobody\n");
			return 77;
		}
		snprintf(runas, sizeof runas, "setpriv --reuid=nobody --regid=nogroup --clear-groups");
		char cmd[700];
		snprintf(cmd, sizeof cmd, "chown -R nobody:nogroup '%s'", work);
		if (system(cmd) != 0)
			return 1;
	}
	/* Can doveadm run at all here? */
	char probe[1700];
	snprintf(probe, sizeof probe, "%s doveadm -c '%s' config -n >/dev/null 2>&1", runas, conf);
	if (system(probe) != 0) {
		printf("SKIP: doveadm cannot run unprivileged with a configuration in /tmp on this machine\n");
		return 77;
	}
	RUN(test_dovecot_reads_the_export);
	char rm[700];
	snprintf(rm, sizeof rm, "rm -rf '%s'", work);
	if (system(rm) != 0)
		printf("could not remove %s\n", work);
	return harness_done();
}
