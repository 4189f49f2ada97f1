/* The mailstore: users, folders and hierarchy, UIDs and UIDVALIDITY, flags
 * and keywords, expunge, copy, rename (INBOX too), watchers, the POP3 lock,
 * the full-disk capacity, shared bodies, and the Maildir++ export read back
 * by Python's mailbox module as an independent reader. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "sim/agents/mailstore.h"
#include "sim/core/blob.h"

static struct blob *body(const char *text) { return blob_new(text, strlen(text)); }

static void test_users_and_folders(void)
{
	struct mailstore *ms = mailstore_new();
	struct ms_user *m = mailstore_add_user(ms, "maria@dominio.de.maria", "serenata");
	REQUIRE(m != NULL);
	CHECK(mailstore_add_user(ms, "MARIA@dominio.de.maria", "x") == NULL); /* exists */
	CHECK(mailstore_find_user(ms, "Maria@Dominio.De.Maria") == m);
	CHECK_STR(ms_user_login(m), "maria");
	CHECK_STR(ms_user_password(m), "serenata");
	CHECK_EQ_INT(ms_folder_count(m), 1);
	CHECK(ms_folder_find(m, "inbox") != NULL);
	CHECK_STR(ms_folder_name(ms_folder_at(m, 0)), "INBOX");
	struct ms_folder *f;
	CHECK_EQ_INT(ms_folder_create(m, "Sent", &f), MS_OK);
	CHECK_EQ_INT(ms_folder_create(m, "Archive", NULL), MS_OK);
	CHECK_EQ_INT(ms_folder_create(m, "Archive/2006", NULL), MS_OK);
	CHECK_EQ_INT(ms_folder_create(m, "Sent", NULL), MS_ERR_EXISTS);
	CHECK_EQ_INT(ms_folder_create(m, "INBOX", NULL), MS_ERR_EXISTS);
	const char *bad[] = {"", "/x", "x/", "a//b", "a.b", "a*", "a%", "tab\there", "q\"uote"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK_EQ_INT(ms_folder_create(m, bad[i], NULL), MS_ERR_BAD_NAME);
	/* INBOX first, then name order. */
	const char *order[] = {"INBOX", "Archive", "Archive/2006", "Sent"};
	CHECK_EQ_INT(ms_folder_count(m), 4);
	for (size_t i = 0; i < 4; i++)
		CHECK_STR(ms_folder_name(ms_folder_at(m, i)), order[i]);
	/* Every folder has its own UIDVALIDITY. */
	CHECK(ms_folder_uidvalidity(ms_folder_find(m, "Sent")) != ms_folder_uidvalidity(ms_folder_find(m, "INBOX")));
	CHECK_EQ_INT(ms_folder_delete(m, "INBOX"), MS_ERR_INBOX);
	CHECK_EQ_INT(ms_folder_delete(m, "Archive"), MS_ERR_HAS_CHILDREN);
	CHECK_EQ_INT(ms_folder_delete(m, "Nope"), MS_ERR_NOT_FOUND);
	CHECK_EQ_INT(ms_folder_rename(m, "Archive", "Old"), MS_OK);
	CHECK(ms_folder_find(m, "Old/2006") != NULL);
	CHECK(ms_folder_find(m, "Archive") == NULL);
	CHECK_EQ_INT(ms_folder_delete(m, "Old/2006"), MS_OK);
	CHECK_EQ_INT(ms_folder_delete(m, "Old"), MS_OK);
	CHECK_EQ_INT(ms_folder_count(m), 2);
	mailstore_free(&ms);
	CHECK(ms == NULL);
}

struct events {
	char log[512];
};
static void ev_append(void *ctx, struct ms_folder *f, uint32_t uid)
{
	(void)f;
	struct events *e = ctx;
	snprintf(e->log + strlen(e->log), sizeof e->log - strlen(e->log), "A%u ", uid);
}
static void ev_flags(void *ctx, struct ms_folder *f, uint32_t uid)
{
	(void)f;
	struct events *e = ctx;
	snprintf(e->log + strlen(e->log), sizeof e->log - strlen(e->log), "F%u ", uid);
}
static void ev_expunge(void *ctx, struct ms_folder *f, uint32_t uid)
{
	(void)f;
	struct events *e = ctx;
	snprintf(e->log + strlen(e->log), sizeof e->log - strlen(e->log), "X%u ", uid);
}
static void ev_gone(void *ctx, struct ms_folder *f)
{
	(void)f;
	struct events *e = ctx;
	snprintf(e->log + strlen(e->log), sizeof e->log - strlen(e->log), "G ");
}
static const struct ms_watch_fns watch_fns = {ev_append, ev_flags, ev_expunge, ev_gone};

static void test_messages_and_watchers(void)
{
	long blobs_before = blob_live_count();
	struct mailstore *ms = mailstore_new();
	struct ms_user *u = mailstore_add_user(ms, "juan@gmail.com", "pw");
	struct ms_folder *in = ms_folder_find(u, "INBOX");
	struct events a = {{0}}, b = {{0}};
	ms_watch(in, &watch_fns, &a);
	ms_watch(in, &watch_fns, &b);
	struct blob *shared = body("Subject: hola\r\n\r\nHola\r\n");
	CHECK_EQ_INT(ms_append(in, shared, MS_RECENT, 0, 1000), 1);
	CHECK_EQ_INT(ms_append(in, shared, MS_RECENT, 0, 2000), 2); /* the same bytes, not copied */
	struct blob *other = body("Subject: x\r\n\r\nx\r\n");
	CHECK_EQ_INT(ms_append(in, other, 0, 0, 3000), 3);
	blob_unref(&other);
	CHECK(ms_folder_message(in, 0)->body == ms_folder_message(in, 1)->body);
	CHECK_EQ_INT(ms_folder_uidnext(in), 4);
	CHECK_EQ_INT(ms_set_flags(in, 2, MS_SEEN | MS_DELETED, 0), MS_OK);
	CHECK_EQ_INT(ms_set_flags(in, 9, MS_SEEN, 0), MS_ERR_NOT_FOUND);
	int kw = ms_keyword(u, "$Important", 1);
	CHECK_EQ_INT(kw, 0);
	CHECK_EQ_INT(ms_keyword(u, "$important", 0), 0);
	CHECK_EQ_INT(ms_set_flags(in, 3, MS_FLAGGED, 1ull << kw), MS_OK);
	CHECK_EQ_INT(ms_expunge(in), 1);
	CHECK_EQ_INT(ms_folder_size(in), 2);
	CHECK_EQ_INT(ms_folder_index_of(in, 2), -1);
	CHECK_EQ_INT(ms_folder_index_of(in, 3), 1);
	/* UIDs never go back, even after an expunge. */
	CHECK_EQ_INT(ms_append(in, shared, 0, 0, 4000), 4);
	ms_unwatch(in, &watch_fns, &b);
	struct ms_folder *arch;
	ms_folder_create(u, "Archive", &arch);
	uint32_t nu = 0;
	CHECK_EQ_INT(ms_copy(in, 3, arch, &nu), MS_OK);
	CHECK_EQ_INT(nu, 1);
	CHECK(ms_folder_message(arch, 0)->flags == (MS_FLAGGED | MS_RECENT));
	CHECK_EQ_INT(ms_remove(in, 1), MS_OK);
	CHECK_STR(a.log, "A1 A2 A3 F2 F3 X2 A4 X1 ");
	CHECK_STR(b.log, "A1 A2 A3 F2 F3 X2 A4 ");
	/* Renaming INBOX moves its messages and leaves INBOX empty. */
	CHECK_EQ_INT(ms_folder_rename(u, "INBOX", "Old-Inbox"), MS_OK);
	CHECK_EQ_INT(ms_folder_size(ms_folder_find(u, "INBOX")), 0);
	CHECK_EQ_INT(ms_folder_size(ms_folder_find(u, "Old-Inbox")), 2);
	CHECK_EQ_INT(ms_folder_uidnext(ms_folder_find(u, "Old-Inbox")), 5);
	CHECK_EQ_INT(ms_folder_delete(u, "Archive"), MS_OK);
	blob_unref(&shared);
	mailstore_free(&ms);
	CHECK_EQ_INT(blob_live_count(), blobs_before);
}

static void test_lock_and_capacity(void)
{
	struct mailstore *ms = mailstore_new();
	struct ms_user *u = mailstore_add_user(ms, "maria@dominio.de.maria", "pw");
	int s1, s2;
	CHECK_EQ_INT(ms_user_lock(u, &s1), MS_OK);
	CHECK_EQ_INT(ms_user_lock(u, &s2), MS_ERR_LOCKED);
	CHECK_EQ_INT(ms_user_lock(u, &s1), MS_OK); /* the holder again */
	ms_user_unlock(u, &s2);                    /* not the holder: no effect */
	CHECK(ms_user_locked(u));
	ms_user_unlock(u, &s1);
	CHECK_EQ_INT(ms_user_lock(u, &s2), MS_OK);
	mailstore_set_capacity(ms, 100);
	struct blob *b = blob_new("0123456789012345678901234567890123456789", 40);
	struct ms_folder *in = ms_folder_find(u, "INBOX");
	CHECK(ms_append(in, b, 0, 0, 0) > 0);
	CHECK(ms_append(in, b, 0, 0, 0) > 0);
	CHECK_EQ_INT(ms_append(in, b, 0, 0, 0), MS_ERR_FULL);
	CHECK_EQ_INT(mailstore_bytes(ms), 80);
	ms_expunge(in); /* nothing deleted */
	CHECK_EQ_INT(ms_remove(in, 1), MS_OK);
	CHECK(ms_append(in, b, 0, 0, 0) > 0); /* room again */
	blob_unref(&b);
	mailstore_free(&ms);
}

static void test_maildir_export(void)
{
	char dir[] = "/tmp/mailsim-maildir-XXXXXX";
	REQUIRE(mkdtemp(dir) != NULL);
	struct mailstore *ms = mailstore_new();
	struct ms_user *u = mailstore_add_user(ms, "maria@dominio.de.maria", "pw");
	struct ms_folder *in = ms_folder_find(u, "INBOX"), *work;
	ms_folder_create(u, "Work", NULL);
	ms_folder_create(u, "Work/Projects", &work);
	struct blob *m1 = body("From: juan@gmail.com\r\nSubject: foto\r\n\r\nHola\r\n");
	struct blob *m2 = body("From: pepe@gil.com.ar\r\nSubject: otra\r\n\r\nChau\r\n");
	ms_append(in, m1, MS_RECENT, 0, 1150944635ll * 1000000000);
	ms_append(in, m2, MS_SEEN | MS_ANSWERED, 0, 1150944636ll * 1000000000);
	int kw = ms_keyword(u, "$Label1", 1);
	ms_append(work, m1, MS_FLAGGED | MS_SEEN, 1ull << kw, 1150944637ll * 1000000000);
	blob_unref(&m1);
	blob_unref(&m2);
	char err[256] = "";
	CHECK_EQ_INT(mailstore_export_maildir(ms, dir, err, sizeof err), 0);
	char path[512];
	snprintf(path, sizeof path, "%s/maria@dominio.de.maria/new/1150944635.M0P1.mailsim,S=%d", dir,
		 (int)strlen("From: juan@gmail.com\r\nSubject: foto\r\n\r\nHola\r\n"));
	struct stat st;
	CHECK(stat(path, &st) == 0);
	snprintf(path, sizeof path, "%s/maria@dominio.de.maria/.Work.Projects/maildirfolder", dir);
	CHECK(stat(path, &st) == 0);
	/* An independent reader: Python's mailbox module. */
	if (system("python3 -c 'import mailbox' 2>/dev/null") == 0) {
		char cmd[2048];
		snprintf(cmd, sizeof cmd,
			 "python3 -c \"import mailbox,sys\n"
			 "md = mailbox.Maildir('%s/maria@dominio.de.maria', factory=None, create=False)\n"
			 "subs = sorted(md.list_folders())\n"
			 "inbox = sorted((m['Subject'], m.get_subdir(), m.get_flags()) for m in md)\n"
			 "w = md.get_folder('Work.Projects')\n"
			 "work = [(m['Subject'], m.get_flags()) for m in w]\n"
			 "print(subs, inbox, work)\n"
			 "ok = subs == ['Work', 'Work.Projects'] and inbox == [('foto', 'new', ''), ('otra', 'cur', 'RS')]"
			 " and work == [('foto', 'FSa')]\n"
			 "sys.exit(0 if ok else 1)\"",
			 dir);
		CHECK_EQ_INT(system(cmd), 0);
	} else {
		printf("python3 not found: Maildir read-back skipped\n");
	}
	/* A path that cannot be created gives an error, not a crash. */
	CHECK(mailstore_export_maildir(ms, "/proc/mailsim-cannot-write-here", err, sizeof err) < 0);
	CHECK(strstr(err, "/proc/mailsim-cannot-write-here") != NULL);
	mailstore_free(&ms);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	CHECK_EQ_INT(system(path), 0);
}

/* ---- default folders, clone ---- */

static void test_defaults_and_clone(void)
{
	long blobs_before = blob_live_count();
	struct mailstore *a = mailstore_new(), *b = mailstore_new();
	mailstore_set_epoch(a, 1000);
	mailstore_set_epoch(b, 2000);
	struct ms_user *ua = mailstore_add_user(a, "maria@dominio.de.maria", "pw");
	CHECK_EQ_INT(ms_user_add_default_folders(ua), MS_OK);
	CHECK_EQ_INT(ms_user_add_default_folders(ua), MS_OK); /* idempotent */
	const char *order[] = {"INBOX", "Drafts", "Sent", "Trash"};
	REQUIRE(ms_folder_count(ua) == 4);
	for (size_t i = 0; i < 4; i++)
		CHECK_STR(ms_folder_name(ms_folder_at(ua, i)), order[i]);
	struct ms_folder *work;
	ms_folder_create(ua, "Work/2006", &work);
	ms_folder_set_subscribed(work, 0);
	struct blob *m1 = body("Subject: a\r\n\r\na\r\n");
	ms_keyword(ua, "$Other", 1);
	int kw = ms_keyword(ua, "$Label1", 1);
	CHECK_EQ_INT(ms_append_uid(work, 7, m1, MS_SEEN, 1ull << kw, 5 * SIM_S), 7);
	CHECK_EQ_INT(ms_append_uid(work, 7, m1, 0, 0, 0), MS_ERR_EXISTS); /* UIDs only grow */
	CHECK_EQ_INT(ms_folder_set_uids(work, 4242, 3), MS_ERR_EXISTS);  /* below a UID in use */
	CHECK_EQ_INT(ms_folder_set_uids(work, 4242, 20), MS_OK);
	struct ms_user *ub = mailstore_add_user(b, "maria@dominio.de.maria", "pw");
	REQUIRE(ms_user_clone(ub, ua) == MS_OK);
	struct ms_folder *bw = ms_folder_find(ub, "Work/2006");
	REQUIRE(bw != NULL);
	CHECK_EQ_INT(ms_folder_uidvalidity(bw), 4242);
	CHECK_EQ_INT(ms_folder_uidnext(bw), 20);
	CHECK(!ms_folder_subscribed(bw));
	const struct ms_message *m = ms_folder_message(bw, 0);
	CHECK_EQ_INT(m->uid, 7);
	CHECK(m->body == m1); /* shared by reference, not copied */
	CHECK_STR(ms_keyword_name(ub, 1), "$Label1"); /* mapped by name */
	CHECK(m->keywords == 1ull << 1);
	CHECK(m->internal_date == 5 * SIM_S - 1000 * SIM_S); /* the same instant */
	CHECK_EQ_INT(ms_user_clone(ub, ua), MS_ERR_EXISTS); /* folders already filled */
	/* New UIDVALIDITY values stay unique after an import. */
	struct ms_folder *nf;
	ms_folder_create(ub, "Nuevo", &nf);
	CHECK(ms_folder_uidvalidity(nf) > 4242);
	blob_unref(&m1);
	mailstore_free(&a);
	mailstore_free(&b);
	CHECK_EQ_INT(blob_live_count(), blobs_before);
}

/* ---- mbox ---- */

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	REQUIRE(f != NULL);
	fputs(text, f);
	fclose(f);
}

static const char *msg_text(const struct ms_folder *f, size_t i, size_t *len_r)
{
	const struct ms_message *m = ms_folder_message(f, i);
	*len_r = blob_len(m->body);
	return (const char *)blob_data(m->body);
}

static void test_mbox_import(void)
{
	char dir[] = "/tmp/mailsim-mbox-XXXXXX", path[512], err[600];
	REQUIRE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/maria.mbox", dir);
	write_text(path, "From juan@gmail.com Wed Jun 21 23:30:35 2006\n"
			 "X-IMAPbase: 1150944635 12 $Label1\n"
			 "Status: RO\n"
			 "X-Status: AF\n"
			 "X-Keywords: $Label1 work\n"
			 "X-UID: 10\n"
			 "From: juan@gmail.com\n"
			 "Subject: uno\n"
			 "\n"
			 ">From here on, quoted\n"
			 ">>From twice\n"
			 ">Fromage is not a From line\n"
			 "\n"
			 "From pepe@gil.com.ar Thu Jun 22 01:02:03 2006\n"
			 "Subject: dos\n"
			 "X-UID: 11\n"
			 "\n"
			 "segundo\n"
			 "\n"
			 "From MAILER-DAEMON Thu Jun 22 01:02:03 2006\n"
			 "Subject: tres\n"
			 "Status: O\n"
			 "X-Status: TD\n"
			 "\n"
			 "tercero\n");
	struct mailstore *ms = mailstore_new();
	struct ms_user *u = mailstore_add_user(ms, "maria@dominio.de.maria", "pw");
	CHECK_EQ_INT(mailstore_import_mbox(u, "INBOX", path, err, sizeof err), 3);
	struct ms_folder *in = ms_folder_find(u, "INBOX");
	REQUIRE(ms_folder_size(in) == 3);
	CHECK_EQ_INT(ms_folder_uidvalidity(in), 1150944635);
	CHECK_EQ_INT(ms_folder_uidnext(in), 13);
	const struct ms_message *m = ms_folder_message(in, 0);
	CHECK_EQ_INT(m->uid, 10);
	CHECK_EQ_INT(m->flags, MS_SEEN | MS_ANSWERED | MS_FLAGGED); /* O: not \Recent */
	CHECK(m->keywords == ((1ull << ms_keyword(u, "$Label1", 0)) | (1ull << ms_keyword(u, "work", 0))));
	CHECK(m->internal_date == 1150932635ll * SIM_S);
	size_t n;
	const char *t = msg_text(in, 0, &n);
	const char *want = "From: juan@gmail.com\r\nSubject: uno\r\n\r\nFrom here on, quoted\r\n>From twice\r\n"
			   ">Fromage is not a From line\r\n";
	CHECK_EQ_INT(n, strlen(want));
	CHECK(n == strlen(want) && memcmp(t, want, n) == 0);
	m = ms_folder_message(in, 1);
	CHECK_EQ_INT(m->uid, 11);
	CHECK_EQ_INT(m->flags, MS_RECENT); /* no Status: new */
	CHECK(m->internal_date == 1150938123ll * SIM_S);
	t = msg_text(in, 1, &n);
	CHECK(n == strlen("Subject: dos\r\n\r\nsegundo\r\n") && memcmp(t, "Subject: dos\r\n\r\nsegundo\r\n", n) == 0);
	m = ms_folder_message(in, 2);
	CHECK_EQ_INT(m->uid, 12);
	CHECK_EQ_INT(m->flags, MS_DRAFT | MS_DELETED);
	/* Into another folder, created; an epoch moves internal dates. */
	mailstore_set_epoch(ms, 1150932635);
	CHECK_EQ_INT(mailstore_import_mbox(u, "Archive/2006", path, err, sizeof err), 3);
	struct ms_folder *ar = ms_folder_find(u, "Archive/2006");
	REQUIRE(ar != NULL);
	CHECK(ms_folder_message(ar, 0)->internal_date == 0);
	/* Bad input: clear errors naming the file, never a crash. */
	snprintf(path, sizeof path, "%s/missing.mbox", dir);
	CHECK(mailstore_import_mbox(u, "INBOX", path, err, sizeof err) < 0);
	CHECK(strstr(err, "missing.mbox") != NULL);
	CHECK(mailstore_import_mbox(u, "INBOX", dir, err, sizeof err) < 0);
	CHECK(strstr(err, "not a regular file") != NULL);
	snprintf(path, sizeof path, "%s/notmbox.txt", dir);
	write_text(path, "Subject: no From line\n\nhola\n");
	CHECK(mailstore_import_mbox(u, "INBOX", path, err, sizeof err) < 0);
	CHECK(strstr(err, "notmbox.txt: line 1: not an mbox file") != NULL);
	CHECK(mailstore_import_mbox(u, "bad.name", path, err, sizeof err) < 0);
	CHECK(strstr(err, "cannot create folder") != NULL);
	snprintf(path, sizeof path, "%s/empty.mbox", dir);
	write_text(path, "");
	CHECK_EQ_INT(mailstore_import_mbox(u, "Vacia", path, err, sizeof err), 0);
	/* Odd but readable: a bare From line, binary junk, no final newline, a
	 * bogus date, an X-UID that goes backwards (a new UID then). */
	snprintf(path, sizeof path, "%s/odd.mbox", dir);
	FILE *f = fopen(path, "wb");
	REQUIRE(f != NULL);
	fputs("From \nFrom x Yesterday at noon\nX-UID: 1\nSubject: s\n\n", f);
	for (int i = 0; i < 300; i++)
		fputc((i * 37) & 0xff, f);
	fclose(f);
	long got = mailstore_import_mbox(u, "Odd", path, err, sizeof err);
	CHECK_EQ_INT(got, 2);
	struct ms_folder *odd = ms_folder_find(u, "Odd");
	REQUIRE(odd && ms_folder_size(odd) == 2);
	CHECK_EQ_INT(ms_folder_message(odd, 0)->uid, 1);
	CHECK_EQ_INT(ms_folder_message(odd, 1)->uid, 2);
	mailstore_free(&ms);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	CHECK_EQ_INT(system(path), 0);
}

/* ---- Maildir import, export fidelity, round trip ---- */

static void mkdirs(const char *base, const char *sub)
{
	char p[1024];
	snprintf(p, sizeof p, "mkdir -p '%s/%s/cur' '%s/%s/new' '%s/%s/tmp'", base, sub, base, sub, base, sub);
	REQUIRE(system(p) == 0);
}

static void put(const char *base, const char *rel, const char *text)
{
	char p[1024];
	snprintf(p, sizeof p, "%s/%s", base, rel);
	write_text(p, text);
}

static void test_maildir_import(void)
{
	char dir[] = "/tmp/mailsim-mdin-XXXXXX", err[600], p[1024];
	REQUIRE(mkdtemp(dir) != NULL);
	mkdirs(dir, ".");
	mkdirs(dir, ".Work");
	mkdirs(dir, ".Work.Projects");
	put(dir, "new/1000.A.host", "Subject: nuevo\r\n\r\nx\r\n");
	put(dir, "cur/0999.B.host:2,SRa", "Subject: visto\r\n\r\ny\r\n");
	put(dir, "cur/0998.C.host:2,DFTPb", "Subject: borrador\r\n\r\nz\r\n");
	put(dir, "dovecot-uidlist", "3 V77 N40 Gabc\n30 :0999.B.host\n31 W123 :0998.C.host\n");
	put(dir, "dovecot-keywords", "0 $Label1\n1 Trabajo\n");
	put(dir, ".Work.Projects/cur/5.D.host:2,a", "Subject: proyecto\r\n\r\np\r\n");
	put(dir, ".Work.Projects/dovecot-keywords", "0 Trabajo\n");
	put(dir, "subscriptions", "INBOX\nWork.Projects\n");
	struct mailstore *ms = mailstore_new();
	struct ms_user *u = mailstore_add_user(ms, "maria@dominio.de.maria", "pw");
	CHECK_EQ_INT(mailstore_import_maildir(u, dir, err, sizeof err), 4);
	struct ms_folder *in = ms_folder_find(u, "INBOX");
	REQUIRE(ms_folder_size(in) == 3);
	CHECK_EQ_INT(ms_folder_uidvalidity(in), 77);
	CHECK_EQ_INT(ms_folder_uidnext(in), 41); /* 40 went to the unlisted file */
	/* Listed ones by UID, then the unlisted one after them. */
	const struct ms_message *m = ms_folder_message(in, 0);
	CHECK_EQ_INT(m->uid, 30);
	CHECK_EQ_INT(m->flags, MS_SEEN | MS_ANSWERED);
	CHECK(m->keywords == 1ull << ms_keyword(u, "$Label1", 0));
	m = ms_folder_message(in, 1);
	CHECK_EQ_INT(m->uid, 31);
	CHECK_EQ_INT(m->flags, MS_DRAFT | MS_FLAGGED | MS_DELETED);
	CHECK(m->keywords == 1ull << ms_keyword(u, "Trabajo", 0));
	m = ms_folder_message(in, 2);
	CHECK_EQ_INT(m->uid, 40);
	CHECK_EQ_INT(m->flags, MS_RECENT);
	struct ms_folder *pr = ms_folder_find(u, "Work/Projects");
	REQUIRE(pr && ms_folder_size(pr) == 1);
	CHECK(ms_folder_message(pr, 0)->keywords == 1ull << ms_keyword(u, "Trabajo", 0)); /* per-folder letters */
	CHECK(ms_folder_subscribed(pr));
	CHECK(!ms_folder_subscribed(ms_folder_find(u, "Work")));
	mailstore_free(&ms);
	/* Bad trees: errors with the path and the line. */
	ms = mailstore_new();
	u = mailstore_add_user(ms, "maria@dominio.de.maria", "pw");
	snprintf(p, sizeof p, "%s/.Work", dir);
	char nodir[600];
	snprintf(nodir, sizeof nodir, "%s/nothing", dir);
	CHECK(mailstore_import_maildir(u, nodir, err, sizeof err) < 0);
	CHECK(strstr(err, "not a Maildir") != NULL);
	put(dir, "dovecot-uidlist", "garbage\n");
	CHECK(mailstore_import_maildir(u, dir, err, sizeof err) < 0);
	CHECK(strstr(err, "dovecot-uidlist: line 1") != NULL);
	mailstore_free(&ms);
	ms = mailstore_new();
	u = mailstore_add_user(ms, "maria@dominio.de.maria", "pw");
	put(dir, "dovecot-uidlist", "3 V77 N40\n30 :0999.B.host\nnot a line\n");
	CHECK(mailstore_import_maildir(u, dir, err, sizeof err) < 0);
	CHECK(strstr(err, "dovecot-uidlist: line 3") != NULL);
	mailstore_free(&ms);
	ms = mailstore_new();
	u = mailstore_add_user(ms, "maria@dominio.de.maria", "pw");
	put(dir, "dovecot-uidlist", "3 V77 N40\n");
	put(dir, "dovecot-keywords", "0 ok\nx broken\n");
	CHECK(mailstore_import_maildir(u, dir, err, sizeof err) < 0);
	CHECK(strstr(err, "dovecot-keywords: line 2") != NULL);
	mailstore_free(&ms);
	snprintf(p, sizeof p, "rm -rf '%s'", dir);
	CHECK_EQ_INT(system(p), 0);
}

/* Everything a store says about a user, as text, for comparisons. */
static void describe(const struct ms_user *u, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < ms_folder_count(u); i++) {
		const struct ms_folder *f = ms_folder_at(u, i);
		o += (size_t)snprintf(out + o, cap - o, "[%s V%u N%u S%d]", ms_folder_name(f), ms_folder_uidvalidity(f),
				      ms_folder_uidnext(f), ms_folder_subscribed(f));
		for (size_t k = 0; k < ms_folder_size(f); k++) {
			const struct ms_message *m = ms_folder_message(f, k);
			o += (size_t)snprintf(out + o, cap - o, " %u:%x:%lld:%zu:", m->uid, m->flags,
					      (long long)m->internal_date, blob_len(m->body));
			for (int b = 0; b < MS_MAX_KEYWORDS; b++)
				if (m->keywords & (1ull << b))
					o += (size_t)snprintf(out + o, cap - o, "%s,", ms_keyword_name(u, b));
			o += (size_t)snprintf(out + o, cap - o, "%.12s", (const char *)blob_data(m->body));
		}
	}
}

static void test_round_trip(void)
{
	char dir[] = "/tmp/mailsim-rt-XXXXXX", err[600], path[600];
	REQUIRE(mkdtemp(dir) != NULL);
	struct mailstore *ms = mailstore_new();
	mailstore_set_epoch(ms, 1150944635);
	struct ms_user *u = mailstore_add_user(ms, "maria@dominio.de.maria", "pw");
	ms_user_add_default_folders(u);
	struct ms_folder *in = ms_folder_find(u, "INBOX"), *deep;
	ms_folder_create(u, "Archivo", NULL);
	ms_folder_create(u, "Archivo/2006/Junio", &deep);
	ms_folder_set_subscribed(ms_folder_find(u, "Trash"), 0);
	/* 30 keywords: more than a Maildir file name has letters, but fewer
	 * than 26 in any one folder, so all survive. */
	char kwname[32];
	for (int k = 0; k < 30; k++) {
		snprintf(kwname, sizeof kwname, "kw%02d", k);
		ms_keyword(u, kwname, 1);
	}
	struct blob *b1 = body("From: juan@gmail.com\r\nSubject: uno\r\n\r\nuno\r\n");
	struct blob *b2 = body("From: pepe@gil.com.ar\r\nSubject: dos\r\n\r\ndos\r\n");
	ms_append(in, b1, MS_RECENT, 0, 3 * SIM_S);
	ms_append(in, b2, MS_SEEN | MS_ANSWERED | MS_FLAGGED, (1ull << 0) | (1ull << 3), 4 * SIM_S + 5000);
	ms_append(in, b1, MS_DELETED | MS_SEEN, 0, -86400 * SIM_S); /* from before the run */
	ms_remove(in, 1);                                          /* a gap in the UIDs */
	ms_append_uid(deep, 41, b2, MS_DRAFT, (1ull << 27) | (1ull << 29), 7 * SIM_S);
	ms_append(ms_folder_find(u, "Sent"), b1, MS_SEEN, 1ull << 28, 8 * SIM_S);
	ms_folder_set_uids(deep, 900, 50);
	CHECK_EQ_INT(mailstore_export_maildir(ms, dir, err, sizeof err), 0);
	struct mailstore *back = mailstore_new();
	mailstore_set_epoch(back, 1150944635);
	struct ms_user *bu = mailstore_add_user(back, "maria@dominio.de.maria", "pw");
	snprintf(path, sizeof path, "%s/maria@dominio.de.maria", dir);
	CHECK_EQ_INT(mailstore_import_maildir(bu, path, err, sizeof err), 4);
	static char want[8192], got[8192];
	describe(u, want, sizeof want);
	describe(bu, got, sizeof got);
	CHECK_STR(got, want);
	/* The same store exported twice gives the same bytes. */
	char dir2[] = "/tmp/mailsim-rt2-XXXXXX", cmd[1200];
	REQUIRE(mkdtemp(dir2) != NULL);
	CHECK_EQ_INT(mailstore_export_maildir(back, dir2, err, sizeof err), 0);
	snprintf(cmd, sizeof cmd, "diff -r '%s' '%s' >/dev/null", dir, dir2);
	CHECK_EQ_INT(system(cmd), 0);
	blob_unref(&b1);
	blob_unref(&b2);
	mailstore_free(&ms);
	mailstore_free(&back);
	snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", dir, dir2);
	CHECK_EQ_INT(system(cmd), 0);
}

/* The hashed lookups agree with a scan: by address and by login, without
 * case, the first user for a login shared by two domains, through the
 * index growing past many users. */
static void test_user_index(void)
{
	struct mailstore *ms = mailstore_new();
	REQUIRE(ms != NULL);
	char addr[64];
	CHECK(mailstore_find_user(ms, "nobody@x") == NULL);
	CHECK(mailstore_find_login(ms, "nobody") == NULL);
	for (int i = 0; i < 700; i++) {
		snprintf(addr, sizeof addr, "User%04d@d%d.example", i, i % 3);
		REQUIRE(mailstore_add_user(ms, addr, "pw") != NULL);
	}
	struct ms_user *first = mailstore_add_user(ms, "pepe@a.example", "1");
	struct ms_user *second = mailstore_add_user(ms, "Pepe@b.example", "2");
	struct ms_user *bare = mailstore_add_user(ms, "postmaster", "3");
	REQUIRE(first && second && bare);
	CHECK(mailstore_add_user(ms, "USER0005@D2.EXAMPLE", "x") == NULL);
	for (int i = 0; i < 700; i++) {
		snprintf(addr, sizeof addr, "user%04d@D%d.EXAMPLE", i, i % 3);
		struct ms_user *u = mailstore_find_user(ms, addr);
		CHECK(u == mailstore_user_at(ms, (size_t)i));
		snprintf(addr, sizeof addr, "USER%04d", i);
		CHECK(mailstore_find_login(ms, addr) == u);
	}
	CHECK(mailstore_find_login(ms, "PEPE") == first);
	CHECK(mailstore_find_login(ms, "pepe@b.example") == second);
	CHECK(mailstore_find_user(ms, "pepe") == NULL);
	CHECK(mailstore_find_login(ms, "Postmaster") == bare);
	CHECK(mailstore_find_user(ms, "user0001@d2.example") == NULL);
	CHECK(mailstore_find_login(ms, "user07000") == NULL);
	CHECK(mailstore_find_login(ms, "") == NULL);
	mailstore_free(&ms);
}

int main(void)
{
	RUN(test_user_index);
	RUN(test_users_and_folders);
	RUN(test_messages_and_watchers);
	RUN(test_lock_and_capacity);
	RUN(test_maildir_export);
	RUN(test_defaults_and_clone);
	RUN(test_mbox_import);
	RUN(test_maildir_import);
	RUN(test_round_trip);
	return harness_done();
}
