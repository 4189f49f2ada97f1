/* Mailstore internals shared by mailstore.c and mailstore_maildir.c. */
#ifndef SIM_MAILSTORE_INTERNAL_H
#define SIM_MAILSTORE_INTERNAL_H

#include "sim/agents/mailstore.h"

struct ms_watch {
	const struct ms_watch_fns *fns;
	void *ctx;
};

struct ms_folder {
	struct ms_user *user;
	char *name;
	uint32_t uidvalidity, uidnext;
	int subscribed;
	struct ms_message *msgs; /* ascending UIDs */
	size_t count, cap;
	uint64_t bytes;
	struct ms_watch *watchers;
	size_t nwatch, capwatch;
};

struct ms_user {
	struct mailstore *ms;
	char *address, *password, *login;
	struct ms_folder **folders; /* INBOX first, then by name */
	size_t nfolders, capfolders;
	char *keywords[MS_MAX_KEYWORDS];
	int nkeywords;
	const void *lock_owner;
};

struct mailstore {
	struct ms_user **users;
	size_t nusers, capusers;
	/* Hash indexes of users by address and by login, without case (open
	 * addressing; slots hold user index + 1, 0 is empty; a login shared
	 * by several domains maps to its first user). */
	size_t *by_address, *by_login;
	size_t nslots;
	uint64_t bytes, capacity;
	uint32_t next_uidvalidity;
	int64_t epoch_unix_s;
};

#endif
