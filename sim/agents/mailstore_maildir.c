/* Maildir++ export of a mailstore, readable by mutt, Python's mailbox module
 * and Dovecot. See mailstore_export_maildir() in mailstore.h.
 *
 * File names are deterministic ("<seconds>.M<micro>P<uid>.mailsim,S=<size>")
 * so the same run exports the same tree. Messages still \Recent and without
 * other flags go to new/ (no info suffix), the rest to cur/ with ":2,"
 * flags: D draft, F flagged, R answered, S seen, T deleted, then keyword
 * letters a-z in the order of each folder's dovecot-keywords file. Each
 * file's mtime is the message's internal date (what Dovecot reports as
 * INTERNALDATE). Reading a Maildir back is mailstore_maildir_read.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>

#include "sim/agents/mailstore.h"
#include "sim/agents/mailstore_internal.h"
#include "sim/core/blob.h"

#define MAILDIR_KEYWORD_LETTERS 26

/* out = a + "/" + b; MS_ERR_IO (with err set) if it does not fit. */
static int path_join(char *out, size_t cap, const char *a, const char *b, char *err, size_t errlen)
{
	int n = snprintf(out, cap, "%s/%s", a, b);
	if (n < 0 || (size_t)n >= cap) {
		snprintf(err, errlen, "%s/%s: path too long", a, b);
		return MS_ERR_IO;
	}
	return 0;
}

static int make_dir(const char *path, char *err, size_t errlen)
{
	if (mkdir(path, 0755) == 0 || errno == EEXIST)
		return 0;
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	return MS_ERR_IO;
}

static int make_maildir(const char *path, char *err, size_t errlen)
{
	char sub[4096];
	if (make_dir(path, err, errlen) < 0)
		return MS_ERR_IO;
	static const char *const parts[] = {"cur", "new", "tmp"};
	for (int i = 0; i < 3; i++) {
		if (path_join(sub, sizeof sub, path, parts[i], err, errlen) < 0 || make_dir(sub, err, errlen) < 0)
			return MS_ERR_IO;
	}
	return 0;
}

static int write_file(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "wb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return MS_ERR_IO;
	}
	int ok = fwrite(data, 1, len, f) == len;
	ok = (fclose(f) == 0) && ok;
	if (!ok) {
		snprintf(err, errlen, "%s: write failed", path);
		return MS_ERR_IO;
	}
	return 0;
}

/* "Archive/2006" -> ".Archive.2006" (Maildir++ folder directory). */
static void folder_dir(const char *name, char *out, size_t cap)
{
	size_t o = 0;
	out[o++] = '.';
	for (const char *p = name; *p && o + 1 < cap; p++)
		out[o++] = *p == MS_FOLDER_DELIMITER ? '.' : *p;
	out[o] = 0;
}

/* Unix seconds and microseconds of a message's internal date. */
static void unix_time(const struct mailstore *ms, const struct ms_message *m, long long *s_r, long long *us_r)
{
	sim_time t = m->internal_date;
	long long s = (long long)(t / 1000000000), ns = (long long)(t % 1000000000);
	if (ns < 0) {
		s--;
		ns += 1000000000;
	}
	s += ms->epoch_unix_s;
	if (s < 0)
		s = ns = 0;
	*s_r = s;
	*us_r = ns / 1000;
}

static void base_name(const struct mailstore *ms, const struct ms_message *m, char *out, size_t cap)
{
	long long s, us;
	unix_time(ms, m, &s, &us);
	snprintf(out, cap, "%lld.M%lldP%u.mailsim,S=%zu", s, us, m->uid, blob_len(m->body));
}

/* Dovecot keeps a dovecot-keywords file per folder, and a Maildir file
 * name has room for 26 keyword letters: each folder numbers the keywords
 * its messages use, in the user's order. letter_of[bit] is that number,
 * or -1 (a keyword past the 26th in one folder is not exported). */
static int folder_keywords(const struct ms_folder *f, int letter_of[MS_MAX_KEYWORDS])
{
	uint64_t used = 0;
	for (size_t i = 0; i < f->count; i++)
		used |= f->msgs[i].keywords;
	int n = 0;
	for (int b = 0; b < MS_MAX_KEYWORDS; b++)
		letter_of[b] = (used & (1ull << b)) && n < MAILDIR_KEYWORD_LETTERS ? n++ : -1;
	return n;
}

static int write_keywords(const struct ms_folder *f, const char *path, const int letter_of[MS_MAX_KEYWORDS],
			  char *err, size_t errlen)
{
	char kw[MAILDIR_KEYWORD_LETTERS * 300], file[4096];
	size_t ko = 0;
	for (int b = 0; b < f->user->nkeywords; b++)
		if (letter_of[b] >= 0)
			ko += (size_t)snprintf(kw + ko, sizeof kw - ko, "%d %.250s\n", letter_of[b], f->user->keywords[b]);
	int rc = path_join(file, sizeof file, path, "dovecot-keywords", err, errlen);
	return rc < 0 ? rc : write_file(file, kw, ko, err, errlen);
}

/* The file's mtime is its internal date to Dovecot and mutt. */
static int set_mtime(const char *file, const struct mailstore *ms, const struct ms_message *m, char *err,
		     size_t errlen)
{
	long long s, us;
	unix_time(ms, m, &s, &us);
	struct timeval tv[2] = {{(time_t)s, (suseconds_t)us}, {(time_t)s, (suseconds_t)us}};
	if (utimes(file, tv) == 0)
		return 0;
	snprintf(err, errlen, "%s: %s", file, strerror(errno));
	return MS_ERR_IO;
}

static int export_folder(const struct ms_folder *f, const char *path, char *err, size_t errlen)
{
	if (make_maildir(path, err, errlen) < 0)
		return MS_ERR_IO;
	const struct mailstore *ms = f->user->ms;
	int letter_of[MS_MAX_KEYWORDS];
	int nletters = folder_keywords(f, letter_of);
	char file[4096], base[128];
	/* dovecot-uidlist keeps UIDVALIDITY, UIDNEXT and every UID. */
	size_t cap = 64 + f->count * 160, o = 0;
	char *uidlist = malloc(cap);
	if (!uidlist)
		return MS_ERR_NOMEM;
	o += (size_t)snprintf(uidlist + o, cap - o, "3 V%u N%u\n", f->uidvalidity, f->uidnext);
	for (size_t i = 0; i < f->count; i++) {
		const struct ms_message *m = &f->msgs[i];
		base_name(ms, m, base, sizeof base);
		o += (size_t)snprintf(uidlist + o, cap - o, "%u :%s\n", m->uid, base);
		int in_new = m->flags == MS_RECENT && m->keywords == 0;
		int n;
		if (in_new) {
			n = snprintf(file, sizeof file, "%s/new/%s", path, base);
		} else {
			char info[64];
			size_t k = 0;
			if (m->flags & MS_DRAFT)
				info[k++] = 'D';
			if (m->flags & MS_FLAGGED)
				info[k++] = 'F';
			if (m->flags & MS_ANSWERED)
				info[k++] = 'R';
			if (m->flags & MS_SEEN)
				info[k++] = 'S';
			if (m->flags & MS_DELETED)
				info[k++] = 'T';
			for (int l = 0; l < nletters; l++)
				for (int b = 0; b < MS_MAX_KEYWORDS; b++)
					if (letter_of[b] == l && (m->keywords & (1ull << b)))
						info[k++] = (char)('a' + l);
			info[k] = 0;
			n = snprintf(file, sizeof file, "%s/cur/%s:2,%s", path, base, info);
		}
		int rc = n < 0 || (size_t)n >= sizeof file ? MS_ERR_IO : 0;
		if (rc < 0)
			snprintf(err, errlen, "%s: path too long", path);
		else
			rc = write_file(file, blob_data(m->body), blob_len(m->body), err, errlen);
		if (rc == 0)
			rc = set_mtime(file, ms, m, err, errlen);
		if (rc < 0) {
			free(uidlist);
			return rc;
		}
	}
	int rc = path_join(file, sizeof file, path, "dovecot-uidlist", err, errlen);
	if (rc == 0)
		rc = write_file(file, uidlist, o, err, errlen);
	free(uidlist);
	if (rc == 0 && nletters > 0)
		rc = write_keywords(f, path, letter_of, err, errlen);
	return rc;
}

static int export_user(const struct ms_user *u, const char *dir, char *err, size_t errlen)
{
	char root[4096], path[4096], sub[256], leaf[300];
	int rc = path_join(root, sizeof root, dir, u->address, err, errlen);
	if (rc < 0)
		return rc;
	rc = export_folder(u->folders[0], root, err, errlen);
	if (rc < 0)
		return rc;
	char *subs = malloc(u->nfolders * 256 + 1);
	size_t so = 0;
	if (!subs)
		return MS_ERR_NOMEM;
	if (u->folders[0]->subscribed)
		so += (size_t)sprintf(subs, "INBOX\n");
	for (size_t i = 1; i < u->nfolders; i++) {
		folder_dir(u->folders[i]->name, sub, sizeof sub);
		rc = path_join(path, sizeof path, root, sub, err, errlen);
		if (rc == 0)
			rc = export_folder(u->folders[i], path, err, errlen);
		if (rc < 0)
			break;
		if (u->folders[i]->subscribed)
			so += (size_t)sprintf(subs + so, "%s\n", sub + 1);
		/* Maildir++ marks folders with an empty maildirfolder file. */
		snprintf(leaf, sizeof leaf, "%s/maildirfolder", sub);
		rc = path_join(path, sizeof path, root, leaf, err, errlen);
		if (rc == 0)
			rc = write_file(path, "", 0, err, errlen);
		if (rc < 0)
			break;
	}
	if (rc == 0) {
		rc = path_join(path, sizeof path, root, "subscriptions", err, errlen);
		if (rc == 0)
			rc = write_file(path, subs, so, err, errlen);
	}
	free(subs);
	return rc;
}

int mailstore_export_maildir(const struct mailstore *ms, const char *dir, char *err, size_t errlen)
{
	if (make_dir(dir, err, errlen) < 0)
		return MS_ERR_IO;
	for (size_t i = 0; i < ms->nusers; i++) {
		int rc = export_user(ms->users[i], dir, err, errlen);
		if (rc < 0)
			return rc;
	}
	return 0;
}
