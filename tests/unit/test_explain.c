/* The explanations catalogue: it loads, every entry speaks both languages,
 * and every reply code, enhanced status code, response code, DNS type and
 * rcode the engines use has an entry. The engines' sources are scanned at
 * test time (so a new code added to an engine fails this test until it is
 * explained), and a fixed list of what the RFCs and the issue name is
 * cross-checked; a catalogue with entries removed must make both checks
 * fail (the check can fail). Also: line classification and loader errors. */
#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sim/explain/explain.h"

#define MAX_MISSING_SHOWN 20

static struct explain *builtin(void)
{
	char err[256];
	struct explain *ex = explain_builtin(err, sizeof err);
	if (!ex)
		fprintf(stderr, "explain_builtin: %s\n", err);
	return ex;
}

static int missing_count;
static int quiet;

static void need(const struct explain *ex, const char *proto, const char *kind, const char *key, const char *where)
{
	const struct explain_entry *e = explain_find(ex, proto, kind, key);
	if (e && e->text[EXPLAIN_EN][0] && e->text[EXPLAIN_ES][0])
		return;
	if (!quiet && missing_count < MAX_MISSING_SHOWN)
		fprintf(stderr, "no %s %s explanation for \"%s\" (%s)\n", proto, kind, key, where);
	missing_count++;
}

/* ---- scanning the engines ---- */

static char *read_file(const char *path, size_t *len_r)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap + 1);
	size_t n;
	while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			char *nb = realloc(buf, cap * 2 + 1);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (buf)
		buf[len] = 0;
	*len_r = len;
	return buf;
}

/* The first reply code (200..599) in the argument list starting at p,
 * within the line; -1 if none. */
static int code_in_args(const char *p)
{
	for (; *p && *p != '\n' && *p != ';'; p++) {
		if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
		    !isdigit((unsigned char)p[3]) && !isalnum((unsigned char)p[-1]) && p[-1] != '.') {
			int c = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
			if (c >= 200 && c <= 599)
				return c;
		}
	}
	return -1;
}

static void need_code(const struct explain *ex, int code, const char *where)
{
	char key[16];
	snprintf(key, sizeof key, "%d", code);
	need(ex, "smtp", "reply", key, where);
}

/* SMTP reply codes: arguments of the reply helpers, "code = N" and the
 * "case N:" and "{N, ..." rows of the SMTP and MTA sources. */
static void scan_smtp_codes(const struct explain *ex, const char *text, const char *where)
{
	static const char *const calls[] = {"_reply(", "reply_ex(", "fail_pending(", "rcpt_set(", "local_reply("};
	for (const char *p = text; *p; p++) {
		for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
			size_t n = strlen(calls[i]);
			if (!strncmp(p, calls[i], n)) {
				int c = code_in_args(p + n);
				if (c > 0)
					need_code(ex, c, where);
			}
		}
		if (!strncmp(p, "code = ", 7) && p[-1] != '=' && p[-1] != '<' && p[-1] != '>' && p[-1] != '!' &&
		    isdigit((unsigned char)p[7]))
			need_code(ex, atoi(p + 7), where);
		if (!strncmp(p, "case ", 5) && isdigit((unsigned char)p[5]) && code_in_args(p + 5) > 0 &&
		    strchr(":", p[8]))
			need_code(ex, atoi(p + 5), where);
		if (p[0] == '{' && code_in_args(p + 1) > 0 && isdigit((unsigned char)p[1]) && p[4] == ',')
			need_code(ex, atoi(p + 1), where);
	}
}

/* Enhanced status codes: every "c.s.d" string literal. */
static void scan_enhanced(const struct explain *ex, const char *text, const char *where)
{
	for (const char *p = text; *p; p++) {
		if (p[0] != '"' || !strchr("245", p[1]) || p[2] != '.')
			continue;
		const char *q = p + 3;
		int d1 = 0, d2 = 0;
		while (isdigit((unsigned char)*q) && d1 < 4)
			q++, d1++;
		if (!d1 || *q != '.')
			continue;
		q++;
		while (isdigit((unsigned char)*q) && d2 < 4)
			q++, d2++;
		if (!d2 || *q != '"' || d1 > 3 || d2 > 3)
			continue;
		char key[16];
		snprintf(key, sizeof key, "%.*s", (int)(q - p - 1), p + 1);
		need(ex, "smtp", "enhanced", key, where);
	}
}

/* SMTP command table rows: {"VERB", */
static void scan_smtp_commands(const struct explain *ex, const char *text, const char *where)
{
	for (const char *p = strstr(text, "commands[] = {"); p && *p && strncmp(p, "};", 2); p++) {
		if (p[0] == '{' && p[1] == '"') {
			char key[32];
			size_t n = strcspn(p + 2, "\"");
			snprintf(key, sizeof key, "%.*s", (int)(n < 31 ? n : 31), p + 2);
			need(ex, "smtp", "command", key, where);
		}
	}
}

/* Bracketed response codes after a status word in a string literal:
 * "-ERR [IN-USE] ..." (POP3), "* OK [UIDVALIDITY %u]" (IMAP). */
static void scan_bracket_codes(const struct explain *ex, const char *text, const char *proto, const char *where)
{
	static const char *const pop3[] = {"+OK [", "-ERR [", NULL};
	static const char *const imap[] = {"OK [", "NO [", "BAD [", "BYE [", "PREAUTH [", NULL};
	const char *const *marks = !strcmp(proto, "pop3") ? pop3 : imap;
	for (const char *const *m = marks; *m; m++) {
		size_t n = strlen(*m);
		for (const char *p = strstr(text, *m); p; p = strstr(p + 1, *m)) {
			const char *c = p + n;
			size_t k = 0;
			while (isupper((unsigned char)c[k]) || c[k] == '-' || c[k] == '/')
				k++;
			if (!k || (c[k] != ']' && c[k] != ' '))
				continue;
			char key[48];
			snprintf(key, sizeof key, "%.*s", (int)(k < 47 ? k : 47), c);
			need(ex, proto, "code", key, where);
		}
	}
}

/* IMAP untagged responses in literals: "* WORD" or "* %u WORD". */
static void scan_imap_untagged(const struct explain *ex, const char *text, const char *where)
{
	for (const char *p = strstr(text, "\"* "); p; p = strstr(p + 1, "\"* ")) {
		const char *w = p + 3;
		if (*w == '%') /* a number: "%u", "%lu", "%zu" */
			w += strcspn(w, " ") + 1;
		else if (isdigit((unsigned char)*w))
			w += strcspn(w, " ") + 1;
		size_t k = 0;
		while (isupper((unsigned char)w[k]))
			k++;
		if (k < 2)
			continue;
		char key[32];
		snprintf(key, sizeof key, "%.*s", (int)(k < 31 ? k : 31), w);
		if (!explain_find(ex, "imap", "status", key))
			need(ex, "imap", "response", key, where);
	}
}

/* DNS types and rcodes of protocols/dns.h's enums. */
static void scan_dns_enums(const struct explain *ex, const char *text, const char *where)
{
	static const struct {
		const char *prefix, *kind;
	} e[] = {{"DNS_T_", "type"}, {"DNS_R_", "rcode"}};
	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(e[i].prefix);
		for (const char *p = strstr(text, e[i].prefix); p; p = strstr(p + 1, e[i].prefix)) {
			const char *c = p + n;
			size_t k = 0;
			while (isupper((unsigned char)c[k]) || isdigit((unsigned char)c[k]))
				k++;
			if (!k || strncmp(c + k, " = ", 3))
				continue;
			char key[32];
			snprintf(key, sizeof key, "%.*s", (int)(k < 31 ? k : 31), c);
			need(ex, "dns", e[i].kind, key, where);
		}
	}
}

static int scan_dir(const struct explain *ex, const char *dir)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", MAILSIM_SOURCE_DIR, dir);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	int files = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *name = de->d_name;
		size_t len = strlen(name);
		if (len < 3 || (strcmp(name + len - 2, ".c") && strcmp(name + len - 2, ".h")))
			continue;
		snprintf(path, sizeof path, "%s/%s/%s", MAILSIM_SOURCE_DIR, dir, name);
		size_t n;
		char *text = read_file(path, &n);
		if (!text)
			continue;
		files++;
		scan_enhanced(ex, text, name);
		if (strstr(name, "smtp") || strstr(name, "mta"))
			scan_smtp_codes(ex, text, name);
		if (!strcmp(name, "smtp_server_cmd.c"))
			scan_smtp_commands(ex, text, name);
		if (strstr(name, "pop3"))
			scan_bracket_codes(ex, text, "pop3", name);
		if (strstr(name, "imap")) {
			scan_bracket_codes(ex, text, "imap", name);
			scan_imap_untagged(ex, text, name);
		}
		if (!strcmp(name, "dns.h"))
			scan_dns_enums(ex, text, name);
		free(text);
	}
	closedir(d);
	return files;
}

/* Returns how many codes the engines use that ex does not explain. */
static int engines_missing(const struct explain *ex)
{
	missing_count = 0;
	int files = scan_dir(ex, "protocols") + scan_dir(ex, "sim/agents");
	return files > 10 ? missing_count : -1;
}

/* What the RFCs and the issue list, whether or not an engine uses it yet. */
static int list_missing(const struct explain *ex)
{
	static const char *const smtp_commands[] = {"HELO", "EHLO", "MAIL", "RCPT", "DATA", "RSET", "NOOP",
						    "QUIT", "VRFY", "EXPN", "HELP", "ETRN", "TURN", "STARTTLS"};
	static const char *const smtp_keywords[] = {"PIPELINING", "8BITMIME", "SIZE", "ENHANCEDSTATUSCODES",
						    "ETRN", "STARTTLS", "VRFY", "HELP"};
	static const char *const smtp_replies[] = {"211", "214", "220", "221", "250", "251", "252", "354", "421",
						   "450", "451", "452", "454", "500", "501", "502", "503", "504",
						   "550", "551", "552", "553", "554", "555"};
	static const char *const pop3_commands[] = {"USER", "PASS", "APOP", "STAT", "LIST", "RETR", "DELE",
						    "NOOP", "RSET", "TOP",  "UIDL", "QUIT", "CAPA"};
	static const char *const pop3_codes[] = {"IN-USE", "AUTH", "LOGIN-DELAY", "SYS/TEMP", "SYS/PERM"};
	static const char *const imap_commands[] = {
		"CAPABILITY", "NOOP", "LOGOUT",  "STARTTLS", "AUTHENTICATE", "LOGIN", "SELECT", "EXAMINE", "CREATE",
		"DELETE",     "RENAME", "SUBSCRIBE", "UNSUBSCRIBE", "LIST", "LSUB", "STATUS", "APPEND", "CHECK",
		"CLOSE",      "EXPUNGE", "SEARCH", "FETCH", "STORE", "COPY", "UID", "IDLE", "DONE"};
	static const char *const imap_status[] = {"OK", "NO", "BAD", "PREAUTH", "BYE"};
	static const char *const imap_responses[] = {"EXISTS", "RECENT", "EXPUNGE", "FETCH",      "FLAGS", "LIST",
						     "LSUB",   "STATUS", "SEARCH",  "CAPABILITY", "+"};
	static const char *const imap_codes[] = {"ALERT",      "PARSE",     "PERMANENTFLAGS", "READ-ONLY",
						 "READ-WRITE", "TRYCREATE", "UIDNEXT",        "UIDVALIDITY",
						 "UNSEEN",     "BADCHARSET", "CAPABILITY"};
	static const char *const dns_types[] = {"A", "NS", "CNAME", "SOA", "PTR", "MX", "TXT", "AAAA"};
	static const char *const dns_rcodes[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"};
	static const char *const mail_events[] = {"submitted", "accepted", "header", "queued", "deferred",
						  "relayed",   "delivered", "bounced", "discarded"};
	static const struct {
		const char *proto, *kind;
		const char *const *keys;
		size_t n;
	} lists[] = {
#define LIST(p, k, a) {p, k, a, sizeof a / sizeof a[0]}
		LIST("smtp", "command", smtp_commands), LIST("smtp", "keyword", smtp_keywords),
		LIST("smtp", "reply", smtp_replies),    LIST("pop3", "command", pop3_commands),
		LIST("pop3", "code", pop3_codes),       LIST("imap", "command", imap_commands),
		LIST("imap", "status", imap_status),    LIST("imap", "response", imap_responses),
		LIST("imap", "code", imap_codes),       LIST("dns", "type", dns_types),
		LIST("dns", "rcode", dns_rcodes),       LIST("mail", "event", mail_events),
#undef LIST
	};
	missing_count = 0;
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
		for (size_t k = 0; k < lists[i].n; k++)
			need(ex, lists[i].proto, lists[i].kind, lists[i].keys[k], "the fixed list");
	need(ex, "pop3", "status", "+OK", "the fixed list");
	need(ex, "pop3", "status", "-ERR", "the fixed list");
	return missing_count;
}

static void test_builtin_loads(void)
{
	struct explain *ex = builtin();
	REQUIRE(ex);
	CHECK(explain_count(ex) >= 200);
	for (size_t i = 0; i < explain_count(ex); i++) {
		const struct explain_entry *e = explain_at(ex, i);
		/* a translation, not a copy of the English */
		if (!strcmp(e->text[EXPLAIN_EN], e->text[EXPLAIN_ES]))
			fprintf(stderr, "entry %s %s %s: es is the same as en\n", e->proto, e->kind, e->key);
		CHECK(strcmp(e->text[EXPLAIN_EN], e->text[EXPLAIN_ES]) != 0);
		CHECK(!strncmp(e->rfc, "RFC ", 4));
	}
	explain_free(&ex);
	CHECK(ex == NULL);
	explain_free(&ex);
}

static void test_engines_explained(void)
{
	struct explain *ex = builtin();
	REQUIRE(ex);
	CHECK_EQ_INT(engines_missing(ex), 0);
	CHECK_EQ_INT(list_missing(ex), 0);
	explain_free(&ex);
}

/* A catalogue with a few entries only: both checks must see what is missing. */
static void test_checks_can_fail(void)
{
	static const char small[] =
		"{\"format\": \"mailsim-explanations\", \"version\": 1, \"entries\": ["
		"{\"proto\": \"smtp\", \"kind\": \"reply\", \"key\": \"250\", \"rfc\": \"RFC 5321 4.2.2\", "
		"\"en\": \"ok\", \"es\": \"bien\"}]}";
	char err[256];
	struct explain *ex = explain_load(small, strlen(small), "small", err, sizeof err);
	REQUIRE(ex);
	quiet = 1;
	CHECK(engines_missing(ex) > 20);
	CHECK(list_missing(ex) > 100);
	quiet = 0;
	explain_free(&ex);
}

static void expect_keys(const struct explain *ex, const char *proto, int client, const char *line, const char *keys)
{
	const struct explain_entry *e[EXPLAIN_LINE_MAX];
	size_t n = explain_line(ex, proto, client, line, strlen(line), e, EXPLAIN_LINE_MAX);
	char got[256] = "";
	size_t o = 0;
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(got + o, sizeof got - o, "%s%s", i ? " " : "", e[i]->key);
	if (strcmp(got, keys))
		fprintf(stderr, "%s %s \"%s\": got [%s], want [%s]\n", proto, client ? "C" : "S", line, got, keys);
	CHECK_STR(got, keys);
}

static void test_lines(void)
{
	struct explain *ex = builtin();
	REQUIRE(ex);
	expect_keys(ex, "SMTP", 1, "HELO milagro.dc.uba.ar", "HELO");
	expect_keys(ex, "SMTP", 1, "MAIL FROM:<juan@gmail.com> SIZE=4492", "MAIL SIZE");
	expect_keys(ex, "SMTP", 1, "mail from: <juan@gmail.com> BODY=8BITMIME", "MAIL 8BITMIME");
	expect_keys(ex, "SMTP", 1, "RCPT TO: <pepe@gil.com.ar>", "RCPT");
	expect_keys(ex, "SMTP", 1, "Subject: Esto es una prueba", "");
	expect_keys(ex, "SMTP", 0, "220 smtp-1.dc.uba.ar ESMTP", "220");
	expect_keys(ex, "SMTP", 0, "250-PIPELINING", "250 PIPELINING");
	expect_keys(ex, "SMTP", 0, "250 HELP", "250 HELP");
	expect_keys(ex, "SMTP", 0, "250 2.1.5 OK", "250 2.1.5");
	expect_keys(ex, "SMTP", 0, "550 5.1.1 <x@y>: Recipient address rejected", "550 5.1.1");
	expect_keys(ex, "SMTP", 0, "554 5.7.1 <x@y>: Relay access denied", "554 5.7.1");
	expect_keys(ex, "SMTP", 0, "599 odd", "5xx");
	expect_keys(ex, "SMTP", 0, "2500 no", "");
	expect_keys(ex, "POP3", 1, "RETR 1", "RETR");
	expect_keys(ex, "POP3", 0, "+OK 2 messages", "+OK");
	expect_keys(ex, "POP3", 0, "-ERR [IN-USE] maildrop locked", "-ERR IN-USE");
	expect_keys(ex, "POP3", 0, "-ERR [SYS/TEMP] try later", "-ERR SYS/TEMP");
	expect_keys(ex, "IMAP", 1, "a001 SELECT INBOX", "tag SELECT");
	expect_keys(ex, "IMAP", 1, "a002 UID FETCH 1:* (FLAGS)", "tag UID FETCH");
	expect_keys(ex, "IMAP", 1, "DONE", "DONE");
	expect_keys(ex, "IMAP", 0, "* 3 EXISTS", "EXISTS");
	expect_keys(ex, "IMAP", 0, "* 2 EXPUNGE", "EXPUNGE");
	expect_keys(ex, "IMAP", 0, "* OK [UIDVALIDITY 3857529045] UIDs valid", "OK UIDVALIDITY");
	expect_keys(ex, "IMAP", 0, "a001 OK [READ-WRITE] SELECT completed", "OK READ-WRITE");
	expect_keys(ex, "IMAP", 0, "a003 NO [TRYCREATE] no such mailbox", "NO TRYCREATE");
	expect_keys(ex, "IMAP", 0, "* SEARCH 2 5", "SEARCH");
	expect_keys(ex, "IMAP", 0, "+ idling", "+");
	expect_keys(ex, "IMAP", 0, "Subject: hello", "");
	expect_keys(ex, "IMAP", 0, "* BYE logging out", "BYE");
	/* hostile lines: no crash, no match */
	expect_keys(ex, "SMTP", 0, "", "");
	expect_keys(ex, "SMTP", 0, "25", "");
	expect_keys(ex, "IMAP", 0, "*", "");
	expect_keys(ex, "FTP", 1, "USER x", "");
	char big[3000];
	memset(big, 'A', sizeof big - 1);
	big[sizeof big - 1] = 0;
	expect_keys(ex, "SMTP", 1, big, "");
	expect_keys(ex, "IMAP", 1, big, "");
	explain_free(&ex);
}

static void expect_dns(const struct explain *ex, const char *text, const char *keys)
{
	const struct explain_entry *e[EXPLAIN_LINE_MAX];
	size_t n = explain_dns(ex, text, e, EXPLAIN_LINE_MAX);
	char got[256] = "";
	size_t o = 0;
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(got + o, sizeof got - o, "%s%s", i ? " " : "", e[i]->key);
	CHECK_STR(got, keys);
}

static void test_dns(void)
{
	struct explain *ex = builtin();
	REQUIRE(ex);
	expect_dns(ex, "QUERY MX dominio.de.maria", "QUERY MX");
	expect_dns(ex, "REPLY NXDOMAIN MX nada.example", "REPLY NXDOMAIN MX");
	expect_dns(ex, "ANSWER 10.1.168.192.in-addr.arpa PTR laptop.juan.example", "ANSWER PTR");
	expect_dns(ex, "MX gil.com.ar: 10 mx.gil.com.ar 10.0.3.25", "MX MX");
	expect_dns(ex, "SERVFAIL QUERY MX x to 10.0.0.1:40123 (fault)", "SERVFAIL MX");
	expect_dns(ex, "", "");
	explain_free(&ex);
}

static void expect_load_error(const char *json, const char *fragment)
{
	char err[256] = "";
	struct explain *ex = explain_load(json, strlen(json), "t.json", err, sizeof err);
	CHECK(ex == NULL);
	if (!strstr(err, fragment))
		fprintf(stderr, "error \"%s\" lacks \"%s\"\n", err, fragment);
	CHECK(strstr(err, fragment) != NULL);
	explain_free(&ex);
}

#define HEAD "{\"format\": \"mailsim-explanations\", \"version\": 1, \"entries\": ["
#define E250 "{\"proto\": \"smtp\", \"kind\": \"reply\", \"key\": \"250\", \"rfc\": \"RFC 5321\", \"en\": \"a\", \"es\": \"b\"}"

static void test_load_errors(void)
{
	expect_load_error("{", "not valid JSON");
	expect_load_error("[]", "format");
	expect_load_error("{\"format\": \"mailsim-explanations\", \"version\": 2, \"entries\": []}", "version");
	expect_load_error(HEAD "]" ", \"extra\": 1}", "unknown key \"extra\"");
	expect_load_error(HEAD "{\"proto\": \"smtp\", \"kind\": \"reply\", \"key\": \"250\", \"rfc\": \"RFC 5321\", "
			       "\"en\": \"a\"}]}",
			  "entries[0]: missing \"es\"");
	expect_load_error(HEAD "{\"proto\": \"smtp\", \"kind\": \"reply\", \"key\": \"250\", \"rfc\": \"RFC 5321\", "
			       "\"en\": \"a\", \"es\": \"\"}]}",
			  "entries[0].es: expected a non-empty string");
	expect_load_error(HEAD "{\"proto\": \"smtp\", \"kind\": \"reply\", \"key\": \"250\", \"rfc\": \"RFC 5321\", "
			       "\"en\": \"a\", \"es\": \"b\", \"fr\": \"c\"}]}",
			  "unknown key \"fr\"");
	expect_load_error(HEAD "{\"proto\": \"ftp\", \"kind\": \"reply\", \"key\": \"250\", \"rfc\": \"RFC 959\", "
			       "\"en\": \"a\", \"es\": \"b\"}]}",
			  "not one of");
	expect_load_error(HEAD E250 ", " E250 "]}", "entries[1]: smtp reply \"250\" is already entries[0]");
	expect_load_error(HEAD "3]}", "entries[0]: expected an object");
	char err[64];
	struct explain *ex = explain_load(HEAD E250 "]}", strlen(HEAD E250 "]}"), NULL, err, sizeof err);
	CHECK(ex && explain_count(ex) == 1);
	CHECK(explain_find(ex, "SMTP", NULL, "250") != NULL);
	CHECK(explain_find(ex, "smtp", "command", "250") == NULL);
	CHECK(explain_at(ex, 1) == NULL);
	explain_free(&ex);
}

static void test_lang(void)
{
	enum explain_lang l = EXPLAIN_EN;
	CHECK(explain_lang_parse("es", &l) == 0 && l == EXPLAIN_ES);
	CHECK(explain_lang_parse("EN", &l) == 0 && l == EXPLAIN_EN);
	CHECK(explain_lang_parse("fr", &l) < 0);
	setenv("LC_ALL", "", 1);
	setenv("LC_MESSAGES", "", 1);
	setenv("LANG", "es_AR.UTF-8", 1);
	CHECK(explain_lang_from_env() == EXPLAIN_ES);
	setenv("LC_ALL", "C", 1);
	CHECK(explain_lang_from_env() == EXPLAIN_EN);
	setenv("LC_ALL", "es_ES.UTF-8", 1);
	CHECK(explain_lang_from_env() == EXPLAIN_ES);
	CHECK_STR(explain_lang_name(EXPLAIN_ES), "es");
}

int main(void)
{
	RUN(test_builtin_loads);
	RUN(test_engines_explained);
	RUN(test_checks_can_fail);
	RUN(test_lines);
	RUN(test_dns);
	RUN(test_load_errors);
	RUN(test_lang);
	return harness_done();
}
