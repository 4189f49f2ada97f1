/* `mailsim explain [--lang en|es] [--json] [PROTO] WHAT...`: prints the
 * catalogue's explanation of a command, reply code, enhanced status code,
 * response code, DNS type or rcode, or of a whole protocol line; `--list`
 * prints the catalogue's keys. Exit status: 0 found, 1 nothing found, 2
 * usage error. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim/cli/cmd_explain.h"
#include "sim/cli/text_wrap.h"
#include "sim/explain/explain.h"

#define WRAP 76
#define MAX_SHOWN 16

static void usage(FILE *out)
{
	fprintf(out, "usage: mailsim explain [OPTIONS] [PROTO] WHAT...\n"
		     "       mailsim explain --list [PROTO]\n\n"
		     "Explains a command, a reply or a code, in English or Spanish, with its RFC\n"
		     "section. PROTO is smtp, pop3, imap, dns, mail or tcp; without it every\n"
		     "protocol is searched. WHAT can also be a whole protocol line.\n\n"
		     "  mailsim explain 550                       an SMTP reply code\n"
		     "  mailsim explain 5.1.1                     an enhanced status code\n"
		     "  mailsim explain smtp RCPT                 an SMTP command\n"
		     "  mailsim explain pop3 IN-USE               a POP3 response code\n"
		     "  mailsim explain imap UIDVALIDITY          an IMAP response code\n"
		     "  mailsim explain dns NXDOMAIN              a DNS rcode\n"
		     "  mailsim explain smtp 554 5.7.1 Relay access denied    a server line\n"
		     "  mailsim explain -ERR [IN-USE] locked      a POP3 reply (+OK, -ERR)\n"
		     "  mailsim explain --lang es 354             in Spanish\n\n"
		     "  --lang en|es     language (default: from LC_ALL, LC_MESSAGES or LANG)\n"
		     "  --client         WHAT is a line a client sent (default: guessed)\n"
		     "  --json           print the entries as JSON\n"
		     "  --list           list the catalogue's entries (of PROTO)\n"
		     "  --check FILE     check an edited catalogue (data/explanations.json) and say\n"
		     "                   how many entries it has, or what is wrong\n"
		     "  -h, --help       show this help\n\n"
		     "Exit status: 0 explained, 1 nothing found, 2 usage error.\n");
}

static int is_proto(const char *s)
{
	static const char *const p[] = {"smtp", "pop3", "imap", "dns", "mail", "tcp"};
	for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
		if (!strcasecmp(s, p[i]))
			return 1;
	return 0;
}

static void print_entry(FILE *out, const struct explain_entry *e, enum explain_lang lang)
{
	fprintf(out, "%s %s %s (%s)\n", e->proto, e->kind, e->key, e->rfc);
	if (e->syntax)
		fprintf(out, "  %s\n", e->syntax);
	text_wrap(out, e->text[lang], -1, 2, WRAP, NULL);
}

static cJSON *entry_json(const struct explain_entry *e, enum explain_lang lang)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "proto", e->proto);
	cJSON_AddStringToObject(o, "kind", e->kind);
	cJSON_AddStringToObject(o, "key", e->key);
	if (e->syntax)
		cJSON_AddStringToObject(o, "syntax", e->syntax);
	cJSON_AddStringToObject(o, "rfc", e->rfc);
	cJSON_AddStringToObject(o, "lang", explain_lang_name(lang));
	cJSON_AddStringToObject(o, "text", e->text[lang]);
	return o;
}

/* Whether a line of proto reads as sent by the server. */
static int looks_like_server(const char *proto, const char *line)
{
	if (!strcasecmp(proto, "smtp"))
		return isdigit((unsigned char)line[0]) && isdigit((unsigned char)line[1]) &&
		       isdigit((unsigned char)line[2]) && (!line[3] || line[3] == ' ' || line[3] == '-');
	if (!strcasecmp(proto, "pop3"))
		return line[0] == '+' || line[0] == '-';
	if (!strcasecmp(proto, "imap")) {
		if (line[0] == '*' || line[0] == '+')
			return 1;
		const char *sp = strchr(line, ' ');
		return sp && (!strncasecmp(sp + 1, "OK", 2) || !strncasecmp(sp + 1, "NO ", 3) ||
			      !strncasecmp(sp + 1, "BAD", 3));
	}
	return 0;
}

/* The entries for what (a key, else a line); returns how many (may exceed n). */
static size_t lookup(const struct explain *ex, const char *proto, const char *what, int client,
		     const struct explain_entry **out, size_t n)
{
	char key[128];
	snprintf(key, sizeof key, "%s", what);
	size_t len = strlen(key);
	if (len > 2 && key[0] == '[' && key[len - 1] == ']') { /* "[IN-USE]" */
		memmove(key, key + 1, len - 2);
		key[len - 2] = 0;
	}
	size_t found = explain_find_all(ex, proto, key, out, n);
	if (found)
		return found;
	const char *p = proto;
	/* A line without its protocol: a reply says which one it is. */
	if (!p && looks_like_server("smtp", what))
		p = "smtp";
	else if (!p && (!strncmp(what, "+OK", 3) || !strncasecmp(what, "-ERR", 4)))
		p = "pop3";
	else if (!p && (!strncmp(what, "* ", 2) || looks_like_server("imap", what)))
		p = "imap";
	if (!p)
		return 0;
	if (!strcasecmp(p, "dns"))
		return explain_dns(ex, what, out, n);
	return explain_line(ex, p, client ? 1 : !looks_like_server(p, what), what, strlen(what), out, n);
}

static int list(const struct explain *ex, const char *proto)
{
	for (size_t i = 0; i < explain_count(ex); i++) {
		const struct explain_entry *e = explain_at(ex, i);
		if (!proto || !strcasecmp(proto, e->proto))
			printf("%-5s %-10s %s\n", e->proto, e->kind, e->key);
	}
	return 0;
}

/* --check FILE: loads a catalogue as the build would embed it. */
static int check_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "mailsim explain: --check: cannot open %s\n", path);
		return 2;
	}
	size_t cap = 1 << 16, len = 0, n;
	char *text = malloc(cap);
	while (text && (n = fread(text + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			char *t = cap <= (16u << 20) ? realloc(text, cap * 2) : NULL; /* 16 MiB is plenty */
			if (!t) {
				free(text);
				text = NULL;
				break;
			}
			text = t;
			cap *= 2;
		}
	}
	int read_error = ferror(f);
	fclose(f);
	if (!text || read_error) {
		fprintf(stderr, "mailsim explain: --check: cannot read %s (or it is too large)\n", path);
		free(text);
		return 2;
	}
	char err[512];
	struct explain *ex = explain_load(text, len, path, err, sizeof err);
	free(text);
	if (!ex) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	printf("%s: ok (%zu entries)\n", path, explain_count(ex));
	explain_free(&ex);
	return 0;
}

int cmd_explain(int argc, char **argv)
{
	enum { OPT_LANG = 256, OPT_JSON, OPT_LIST, OPT_CLIENT, OPT_CHECK };
	static const struct option opts[] = {
		{"lang", required_argument, NULL, OPT_LANG},
		{"json", no_argument, NULL, OPT_JSON},
		{"list", no_argument, NULL, OPT_LIST},
		{"client", no_argument, NULL, OPT_CLIENT},
		{"check", required_argument, NULL, OPT_CHECK},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	enum explain_lang lang = explain_lang_from_env();
	int json = 0, do_list = 0, client = 0;
	const char *check = NULL;
	/* POP3's "-ERR" (alone or starting a line) is what to explain, not an
	 * option: options are only looked for before it. */
	int nopts = argc;
	for (int i = 1; i < argc; i++) {
		if (!strncasecmp(argv[i], "-ERR", 4) && (!argv[i][4] || argv[i][4] == ' ')) {
			nopts = i;
			break;
		}
	}
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(nopts, argv, "+:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_LANG:
			if (explain_lang_parse(optarg, &lang) < 0) {
				fprintf(stderr, "mailsim explain: --lang: \"%s\" is not en or es\n", optarg);
				return 2;
			}
			break;
		case OPT_JSON: json = 1; break;
		case OPT_LIST: do_list = 1; break;
		case OPT_CLIENT: client = 1; break;
		case OPT_CHECK: check = optarg; break;
		case 'h': usage(stdout); return 0;
		case ':':
			fprintf(stderr, "mailsim explain: option '%s' needs a value\nTry 'mailsim explain --help'.\n",
				argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr, "mailsim explain: unknown option '%s'\nTry 'mailsim explain --help'.\n",
				argv[optind - 1]);
			return 2;
		}
	}
	if (check)
		return check_file(check);
	const char *proto = NULL;
	if (optind < argc && is_proto(argv[optind]) && (do_list || optind + 1 < argc))
		proto = argv[optind++];
	if (!do_list && optind >= argc) {
		fprintf(stderr, "mailsim explain: what should be explained? (such as 550, smtp RCPT, dns MX)\n"
				"Try 'mailsim explain --help'.\n");
		return 2;
	}
	if (do_list && optind < argc) {
		fprintf(stderr, "mailsim explain: --list takes only a protocol (smtp, pop3, imap, dns, mail, tcp)\n");
		return 2;
	}
	char err[256];
	struct explain *ex = explain_builtin(err, sizeof err);
	if (!ex) {
		fprintf(stderr, "mailsim explain: %s\n", err);
		return 2;
	}
	if (do_list) {
		list(ex, proto);
		explain_free(&ex);
		return 0;
	}
	char what[1024] = "";
	size_t o = 0;
	for (int i = optind; i < argc && o < sizeof what - 1; i++)
		o += (size_t)snprintf(what + o, sizeof what - o, "%s%s", i > optind ? " " : "", argv[i]);
	const struct explain_entry *found[MAX_SHOWN];
	size_t n = lookup(ex, proto, what, client, found, MAX_SHOWN);
	if (n > MAX_SHOWN)
		n = MAX_SHOWN;
	int rc = 0;
	if (!n) {
		fprintf(stderr, "mailsim explain: nothing is known about \"%s\"%s%s (try 'mailsim explain --list%s%s')\n",
			what, proto ? " in " : "", proto ? proto : "", proto ? " " : "", proto ? proto : "");
		rc = 1;
	} else if (json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, entry_json(found[i], lang));
		char *text = cJSON_Print(arr);
		cJSON_Delete(arr);
		if (!text) {
			fprintf(stderr, "mailsim explain: out of memory\n");
			rc = 2;
		} else {
			puts(text);
			free(text);
		}
	} else {
		for (size_t i = 0; i < n; i++)
			print_entry(stdout, found[i], lang);
	}
	explain_free(&ex);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "mailsim explain: cannot write the output\n");
		rc = 2;
	}
	return rc;
}
