/* Pre-filling a user's folders from a Maildir++ tree
 * (mailstore_import_maildir() in mailstore.h): what mailsim's own export
 * writes, and what Dovecot, Courier, mutt and offlineimap keep.
 *
 * Layout: the root's cur/ and new/ are INBOX; each ".A.B" directory with a
 * cur/ is the folder "A/B". A message file is "<unique>" in new/ (not yet
 * seen by a reader: \Recent) or "<unique>:2,<flags>" in cur/, flags D
 * draft, F flagged, P passed (no IMAP flag, ignored), R answered, S seen,
 * T trashed (\Deleted), and lower-case letters for keywords, named by the
 * folder's dovecot-keywords ("0 $Label1" lines, letter a is 0). Dovecot's
 * dovecot-uidlist ("3 V<uidvalidity> N<uidnext> ..." then "<uid> [ext]
 * :<unique>" lines, or version 1's "<uid> <unique>") keeps UIDs; files it
 * does not list get UIDs after it, in name order, so the result never
 * depends on the order readdir() returns. The subscriptions file lists
 * subscribed folders (all are subscribed when it is missing). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/agents/mailstore.h"
#include "sim/agents/mailstore_internal.h"
#include "sim/core/blob.h"

#define MAILDIR_MAX_FILE (64u << 20)
#define MAILDIR_MAX_FILES 200000

struct md_file {
	char *name;    /* the file name inside cur/ or new/ */
	char *unique;  /* the name without ":2,..." */
	int in_new;
	uint32_t uid;  /* from dovecot-uidlist, 0 if not listed */
};

struct md_folder {
	char *name; /* the mailstore name ("INBOX", "A/B") */
	char *dir;  /* its directory */
};

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int cmp_file(const void *a, const void *b)
{
	const struct md_file *x = a, *y = b;
	if (x->uid != y->uid) {
		if (!x->uid || !y->uid)
			return x->uid ? -1 : 1; /* listed ones first */
		return x->uid < y->uid ? -1 : 1;
	}
	return strcmp(x->name, y->name);
}

static char *join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s/%s", a, b);
	return s;
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Reads a small text file into a NUL-terminated buffer; NULL if missing.
 * *missing_r tells a missing file from an error. */
static char *read_small(const char *path, size_t max, int *missing_r, char *err, size_t errlen)
{
	*missing_r = 0;
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (errno == ENOENT)
			*missing_r = 1;
		else
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		fclose(f);
		return NULL;
	}
	char *data = malloc(max + 1);
	size_t n = data ? fread(data, 1, max + 1, f) : 0;
	int bad = ferror(f);
	fclose(f);
	if (!data || bad || n > max) {
		snprintf(err, errlen, "%s: %s", path, !data ? "out of memory" : bad ? "read error" : "too large");
		free(data);
		return NULL;
	}
	data[n] = 0;
	return data;
}

static void files_free(struct md_file *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].unique);
	}
	free(v);
}

/* Lists cur/ and new/ of a maildir. */
static int list_files(const char *dir, struct md_file **v_r, size_t *n_r, char *err, size_t errlen)
{
	struct md_file *v = NULL;
	size_t n = 0, cap = 0;
	for (int in_new = 0; in_new < 2; in_new++) {
		char *sub = join(dir, in_new ? "new" : "cur");
		DIR *d = sub ? opendir(sub) : NULL;
		if (!d) {
			snprintf(err, errlen, "%s: %s", sub ? sub : dir, sub ? strerror(errno) : "out of memory");
			free(sub);
			files_free(v, n);
			return MS_ERR_IO;
		}
		struct dirent *de;
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			if (n == MAILDIR_MAX_FILES) {
				snprintf(err, errlen, "%s: more than %d messages", sub, MAILDIR_MAX_FILES);
				closedir(d);
				free(sub);
				files_free(v, n);
				return MS_ERR_TOO_MANY;
			}
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 64;
				struct md_file *nv = realloc(v, nc * sizeof *nv);
				if (!nv)
					break;
				v = nv;
				cap = nc;
			}
			char *colon = strchr(de->d_name, ':');
			v[n].name = strdup(de->d_name);
			v[n].unique = strndup(de->d_name, colon ? (size_t)(colon - de->d_name) : strlen(de->d_name));
			v[n].in_new = in_new;
			v[n].uid = 0;
			n++;
			if (!v[n - 1].name || !v[n - 1].unique)
				break;
		}
		closedir(d);
		free(sub);
		if (n && (!v[n - 1].name || !v[n - 1].unique)) {
			snprintf(err, errlen, "%s: out of memory", dir);
			files_free(v, n);
			return MS_ERR_NOMEM;
		}
	}
	*v_r = v;
	*n_r = n;
	return 0;
}

/* dovecot-uidlist: assigns UIDs to the files it lists. */
static int read_uidlist(const char *dir, struct md_file *v, size_t n, uint32_t *validity_r, uint32_t *next_r,
			char *err, size_t errlen)
{
	char *path = join(dir, "dovecot-uidlist");
	int missing;
	char *text = path ? read_small(path, 64u << 20, &missing, err, errlen) : NULL;
	if (!text) {
		int rc = path && missing ? 0 : MS_ERR_IO;
		if (!path)
			snprintf(err, errlen, "%s: out of memory", dir);
		free(path);
		return rc;
	}
	int rc = 0;
	long lineno = 0;
	int version = 0;
	for (char *line = text, *nl; line && *line && rc == 0; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = 0;
		lineno++;
		if (lineno == 1) {
			unsigned long v1 = 0, v2 = 0;
			char *p = line;
			version = (int)strtol(p, &p, 10);
			if (version == 1 && sscanf(p, " %lu %lu", &v1, &v2) == 2) {
				*validity_r = (uint32_t)v1;
				*next_r = (uint32_t)v2;
			} else if (version == 3) {
				for (char *t = strtok(p, " "); t; t = strtok(NULL, " ")) {
					if (t[0] == 'V')
						*validity_r = (uint32_t)strtoul(t + 1, NULL, 10);
					else if (t[0] == 'N')
						*next_r = (uint32_t)strtoul(t + 1, NULL, 10);
				}
			} else {
				rc = MS_ERR_IO;
			}
			if (rc == 0 && *validity_r == 0)
				rc = MS_ERR_IO;
			if (rc < 0)
				snprintf(err, errlen, "%s: line 1: not a dovecot-uidlist header (\"3 V<uidvalidity> N<uidnext>\")",
					 path);
			continue;
		}
		if (!*line)
			continue;
		char *end;
		unsigned long uid = strtoul(line, &end, 10);
		const char *name = NULL;
		if (version == 3) {
			char *c = strstr(end, " :");
			name = c ? c + 2 : NULL;
		} else if (*end == ' ') {
			name = end + 1;
		}
		if (end == line || uid == 0 || uid > UINT32_MAX || !name || !*name) {
			snprintf(err, errlen, "%s: line %ld: expected \"<uid> :<file>\"", path, lineno);
			rc = MS_ERR_IO;
			break;
		}
		for (size_t i = 0; i < n; i++)
			if (!v[i].uid && strcmp(v[i].unique, name) == 0)
				v[i].uid = (uint32_t)uid;
	}
	free(text);
	free(path);
	return rc;
}

/* dovecot-keywords: letter number -> the user's keyword bit. */
static int read_keywords(struct ms_user *u, const char *dir, int bit_of[26], char *err, size_t errlen)
{
	for (int i = 0; i < 26; i++)
		bit_of[i] = -1;
	char *path = join(dir, "dovecot-keywords");
	int missing;
	char *text = path ? read_small(path, 1u << 20, &missing, err, errlen) : NULL;
	if (!text) {
		int rc = path && missing ? 0 : MS_ERR_IO;
		free(path);
		return rc;
	}
	int rc = 0;
	long lineno = 0;
	for (char *line = text, *nl; line && *line && rc == 0; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = 0;
		lineno++;
		if (!*line)
			continue;
		char *end;
		long k = strtol(line, &end, 10);
		if (end == line || *end != ' ' || k < 0 || k >= 26 || !end[1]) {
			snprintf(err, errlen, "%s: line %ld: expected \"<0-25> <keyword>\"", path, lineno);
			rc = MS_ERR_IO;
			break;
		}
		int b = ms_keyword(u, end + 1, 1);
		if (b < 0) {
			snprintf(err, errlen, "%s: line %ld: %s", path, lineno, ms_error_text(b));
			rc = b;
			break;
		}
		bit_of[k] = b;
	}
	free(text);
	free(path);
	return rc;
}

static struct blob *read_message(const char *path, char *err, size_t errlen)
{
	int missing;
	char *data = read_small(path, MAILDIR_MAX_FILE, &missing, err, errlen);
	if (!data) {
		if (missing)
			snprintf(err, errlen, "%s: vanished while reading", path);
		return NULL;
	}
	struct stat st;
	size_t n = stat(path, &st) == 0 ? (size_t)st.st_size : strlen(data);
	struct blob *b = blob_take(data, n);
	if (!b)
		snprintf(err, errlen, "%s: out of memory", path);
	return b;
}

static long import_folder(struct ms_user *u, const struct md_folder *mf, char *err, size_t errlen)
{
	struct ms_folder *f = ms_folder_find(u, mf->name);
	int rc = f ? 0 : ms_folder_create(u, mf->name, &f);
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot create folder \"%s\": %s", mf->dir, mf->name, ms_error_text(rc));
		return rc;
	}
	if (f->count) {
		snprintf(err, errlen, "%s: folder \"%s\" already has messages", mf->dir, mf->name);
		return MS_ERR_EXISTS;
	}
	struct md_file *v;
	size_t n;
	int bit_of[26];
	uint32_t validity = 0, next = 0;
	rc = list_files(mf->dir, &v, &n, err, errlen);
	if (rc < 0)
		return rc;
	rc = read_uidlist(mf->dir, v, n, &validity, &next, err, errlen);
	if (rc == 0)
		rc = read_keywords(u, mf->dir, bit_of, err, errlen);
	if (n)
		qsort(v, n, sizeof *v, cmp_file);
	int64_t epoch = u->ms->epoch_unix_s;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *sub = join(mf->dir, v[i].in_new ? "new" : "cur");
		char *path = sub ? join(sub, v[i].name) : NULL;
		free(sub);
		if (!path) {
			snprintf(err, errlen, "%s: out of memory", mf->dir);
			rc = MS_ERR_NOMEM;
			break;
		}
		/* New files get UIDs from the list's UIDNEXT on, as Dovecot gives. */
		if (!v[i].uid && next > ms_folder_uidnext(f))
			ms_folder_set_uids(f, 0, next);
		uint32_t flags = v[i].in_new ? MS_RECENT : 0;
		uint64_t kw = 0;
		const char *info = strstr(v[i].name, ":2,");
		for (const char *c = info ? info + 3 : ""; *c; c++) {
			switch (*c) {
			case 'D': flags |= MS_DRAFT; break;
			case 'F': flags |= MS_FLAGGED; break;
			case 'R': flags |= MS_ANSWERED; break;
			case 'S': flags |= MS_SEEN; break;
			case 'T': flags |= MS_DELETED; break;
			default:
				if (*c >= 'a' && *c <= 'z' && bit_of[*c - 'a'] >= 0)
					kw |= 1ull << bit_of[*c - 'a'];
				break;
			}
		}
		struct stat st;
		sim_time when = 0;
		if (stat(path, &st) == 0)
			when = ((int64_t)st.st_mtim.tv_sec - epoch) * 1000000000LL + st.st_mtim.tv_nsec / 1000 * 1000;
		struct blob *b = read_message(path, err, errlen);
		if (!b) {
			free(path);
			rc = MS_ERR_IO;
			break;
		}
		long uid = v[i].uid && v[i].uid >= ms_folder_uidnext(f) ? ms_append_uid(f, v[i].uid, b, flags, kw, when)
									 : ms_append(f, b, flags, kw, when);
		blob_unref(&b);
		if (uid < 0) {
			snprintf(err, errlen, "%s: %s", path, ms_error_text((int)uid));
			rc = (int)uid;
		}
		free(path);
	}
	files_free(v, n);
	if (rc == 0 && validity)
		rc = ms_folder_set_uids(f, validity, next > ms_folder_uidnext(f) ? next : ms_folder_uidnext(f));
	return rc < 0 ? rc : (long)f->count;
}

/* ".A.B" -> "A/B"; NULL if it is not a folder name the store accepts. */
static char *folder_name_of(const char *entry)
{
	char *name = strdup(entry + 1);
	if (!name)
		return NULL;
	for (char *p = name; *p; p++)
		if (*p == '.')
			*p = MS_FOLDER_DELIMITER;
	return name;
}

static void folders_free(struct md_folder *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].dir);
	}
	free(v);
}

/* The subscriptions file: Maildir++ names, one a line (Dovecot 2.3 may
 * start it with a "V\t2" version line and use tabs as separators). */
static int read_subscriptions(struct ms_user *u, const char *root, char *err, size_t errlen)
{
	char *path = join(root, "subscriptions");
	int missing;
	char *text = path ? read_small(path, 1u << 20, &missing, err, errlen) : NULL;
	free(path);
	if (!text)
		return missing ? 0 : MS_ERR_IO;
	for (size_t i = 0; i < u->nfolders; i++)
		u->folders[i]->subscribed = 0;
	for (char *line = text, *nl; line && *line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = 0;
		if (strncmp(line, "V\t", 2) == 0)
			continue;
		for (char *p = line; *p; p++)
			if (*p == '.' || *p == '\t')
				*p = MS_FOLDER_DELIMITER;
		struct ms_folder *f = *line ? ms_folder_find(u, line) : NULL;
		if (f)
			f->subscribed = 1;
	}
	free(text);
	return 0;
}

long mailstore_import_maildir(struct ms_user *u, const char *path, char *err, size_t errlen)
{
	char *cur = join(path, "cur"), *nw = join(path, "new");
	int ok = cur && nw && is_dir(cur) && is_dir(nw);
	free(cur);
	free(nw);
	if (!ok) {
		snprintf(err, errlen, "%s: not a Maildir (it needs cur/ and new/ directories)", path);
		return MS_ERR_IO;
	}
	DIR *d = opendir(path);
	if (!d) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return MS_ERR_IO;
	}
	char **subs = NULL;
	size_t nsubs = 0, cap = 0;
	struct dirent *de;
	int rc = 0;
	while (rc == 0 && (de = readdir(d))) {
		if (de->d_name[0] != '.' || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char *full = join(path, de->d_name), *c = full ? join(full, "cur") : NULL;
		int folder = c && is_dir(c);
		free(c);
		free(full);
		if (!folder)
			continue;
		if (nsubs == cap) {
			size_t nc = cap ? cap * 2 : 16;
			char **nv = realloc(subs, nc * sizeof *nv);
			if (!nv) {
				rc = MS_ERR_NOMEM;
				break;
			}
			subs = nv;
			cap = nc;
		}
		if (!(subs[nsubs] = strdup(de->d_name)))
			rc = MS_ERR_NOMEM;
		else
			nsubs++;
	}
	closedir(d);
	if (rc < 0) {
		snprintf(err, errlen, "%s: out of memory", path);
		for (size_t i = 0; i < nsubs; i++)
			free(subs[i]);
		free(subs);
		return rc;
	}
	if (nsubs)
		qsort(subs, nsubs, sizeof *subs, cmp_str);
	struct md_folder *folders = calloc(nsubs + 1, sizeof *folders);
	size_t nf = 0;
	if (folders) {
		folders[nf].name = strdup("INBOX");
		folders[nf].dir = strdup(path);
		nf++;
		for (size_t i = 0; i < nsubs; i++, nf++) {
			folders[nf].name = folder_name_of(subs[i]);
			folders[nf].dir = join(path, subs[i]);
		}
	}
	for (size_t i = 0; i < nsubs; i++)
		free(subs[i]);
	free(subs);
	long total = 0;
	for (size_t i = 0; folders && i < nf && rc == 0; i++)
		if (!folders[i].name || !folders[i].dir)
			rc = MS_ERR_NOMEM;
	if (!folders || rc < 0) {
		snprintf(err, errlen, "%s: out of memory", path);
		folders_free(folders, nf);
		return MS_ERR_NOMEM;
	}
	/* INBOX, then the folders in name order (a parent before its
	 * children); a ".A.B" without ".A" gives A/B alone. */
	for (size_t i = 0; i < nf && rc == 0; i++) {
		long n = import_folder(u, &folders[i], err, errlen);
		if (n < 0)
			rc = (int)n;
		else
			total += n;
	}
	folders_free(folders, nf);
	if (rc == 0)
		rc = read_subscriptions(u, path, err, errlen);
	return rc < 0 ? rc : total;
}
