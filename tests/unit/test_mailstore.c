/* The mailstore: users, folders and hierarchy, UIDs and UIDVALIDITY, flags
 * and keywords, expunge, copy, rename (INBOX too), watchers, the POP3 lock,
 * the full-disk capacity, shared bodies, and the Maildir++ export read back
 * by Python's mailbox module as an independent reader. */
#include <stdlib.h>
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

int main(void)
{
	RUN(test_users_and_folders);
	RUN(test_messages_and_watchers);
	RUN(test_lock_and_capacity);
	RUN(test_maildir_export);
	return harness_done();
}
