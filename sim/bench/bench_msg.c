/* Message library benchmark (bench_msg.h). Inputs are generated from a
 * fixed seed, written to a temporary directory for the Python side, and
 * each figure is the best of several runs (wall clock, one core). */
#include "sim/bench/bench_msg.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "protocols/buf.h"
#include "protocols/compose.h"
#include "protocols/mime.h"
#include "protocols/mime_build.h"
#include "sim/core/rng.h"

#ifndef MAILSIM_SOURCE_DIR
#define MAILSIM_SOURCE_DIR "."
#endif

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static double mbps(size_t bytes, int64_t ns) { return ns > 0 ? (double)bytes / 1e6 / ((double)ns / 1e9) : 0; }

struct inputs {
	unsigned char *att[3];
	size_t att_len[3];
	char *text;
	struct buf big;       /* the big message */
	struct buf small;     /* all small messages, back to back */
	size_t *small_off;    /* count + 1 offsets into small */
	char (*subjects)[80];
	char (*bodies)[1600];
	size_t count;
};

static const char *const small_words[] = {"hola", "mensaje", "correo", "servidor", "buzón", "cómo", "estás",
					  "the", "quick", "mail", "transfer", "agent", "queue", "retry", "¿qué"};

static void make_small_drafts(struct inputs *in, struct rng *r)
{
	for (size_t i = 0; i < in->count; i++) {
		snprintf(in->subjects[i], sizeof in->subjects[i], "%s %zu: %s", i % 3 ? "Reunión" : "Meeting", i,
			 small_words[rng_below(r, 15)]);
		size_t n = 0, target = 400 + (size_t)rng_below(r, 1000), col = 0;
		char *b = in->bodies[i];
		while (n + 20 < target) {
			const char *w = small_words[rng_below(r, 15)];
			size_t wl = strlen(w);
			memcpy(b + n, w, wl);
			n += wl;
			col += wl;
			b[n++] = col > 60 ? '\n' : ' ';
			if (col > 60)
				col = 0;
		}
		b[n] = '\0';
	}
}

static int build_small_one(struct inputs *in, size_t i, struct buf *out)
{
	char from[80], to[80];
	snprintf(from, sizeof from, "Usuario %zu <u%zu@dominio%zu.example>", i, i, i % 7);
	snprintf(to, sizeof to, "Destino <d%zu@dominio.example>", i % 13);
	struct msg_draft d = {.from = from,
			      .to = to,
			      .subject = in->subjects[i],
			      .date = "Mon, 01 May 2006 10:00:00 -0300",
			      .text = in->bodies[i],
			      .seed = 1,
			      .counter = i};
	char err[100];
	return msg_compose(out, &d, err, sizeof err);
}

static int build_big(struct inputs *in, struct buf *out)
{
	struct mime_build *m = mime_build_multipart("mixed");
	mime_build_add(m, mime_build_leaf("text/plain", in->text, strlen(in->text)));
	static const char *const names[3] = {"foto.jpg", "serenata.wav", "informe.pdf"};
	static const char *const types[3] = {"image/jpeg", "audio/wav", "application/pdf"};
	for (int k = 0; k < 3; k++) {
		struct mime_build *a = mime_build_leaf(types[k], in->att[k], in->att_len[k]);
		if (a)
			mime_build_disposition(a, "attachment", names[k]);
		mime_build_add(m, a);
	}
	buf_puts(out, "From: Juan <juan@dominio.de.juan>\r\nTo: Maria <maria@dominio.de.maria>\r\n"
		      "Subject: big\r\nDate: Mon, 01 May 2006 10:00:00 -0300\r\nMIME-Version: 1.0\r\n");
	struct mime_build_opts o = {.seed = 1};
	int rc = mime_build_write(out, m, &o);
	mime_build_free(&m);
	return rc;
}

static size_t parse_once(const char *s, size_t n)
{
	struct mime_doc *doc = NULL;
	if (mime_parse(s, n, NULL, &doc) < 0)
		return 0;
	size_t nodes = mime_doc_node_count(doc);
	mime_doc_free(&doc);
	return nodes;
}

static int write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	int ok = fwrite(data, 1, n, f) == n;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* Writes the inputs for the Python side into keep (created if needed) or a
 * new temporary directory; returns the directory or NULL. */
static char *write_inputs(struct inputs *in, char *dir, size_t dir_size, const char *keep)
{
	if (keep) {
		snprintf(dir, dir_size, "%s", keep);
		if (mkdir(dir, 0777) != 0 && errno != EEXIST)
			return NULL;
	} else {
		snprintf(dir, dir_size, "/tmp/mailsim-bench-msg-XXXXXX");
		if (!mkdtemp(dir))
			return NULL;
	}
	char p[512];
	static const char *const names[3] = {"foto.jpg", "serenata.wav", "informe.pdf"};
	for (int k = 0; k < 3; k++) {
		snprintf(p, sizeof p, "%s/%s", dir, names[k]);
		if (write_file(p, in->att[k], in->att_len[k]) < 0)
			return NULL;
	}
	snprintf(p, sizeof p, "%s/text.txt", dir);
	if (write_file(p, in->text, strlen(in->text)) < 0)
		return NULL;
	snprintf(p, sizeof p, "%s/big.eml", dir);
	if (write_file(p, in->big.data, in->big.len) < 0)
		return NULL;
	/* small.bin: for each message a decimal length line, then the bytes. */
	snprintf(p, sizeof p, "%s/small.bin", dir);
	FILE *f = fopen(p, "wb");
	if (!f)
		return NULL;
	int ok = 1;
	for (size_t i = 0; i < in->count; i++) {
		size_t n = in->small_off[i + 1] - in->small_off[i];
		fprintf(f, "%zu\n", n);
		ok &= fwrite(in->small.data + in->small_off[i], 1, n, f) == n;
	}
	if (fclose(f) != 0 || !ok)
		return NULL;
	/* small.json: what each small message is made of, for building. */
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < in->count; i++) {
		cJSON *o = cJSON_CreateObject();
		char buf[80];
		snprintf(buf, sizeof buf, "Usuario %zu <u%zu@dominio%zu.example>", i, i, i % 7);
		cJSON_AddStringToObject(o, "from", buf);
		snprintf(buf, sizeof buf, "Destino <d%zu@dominio.example>", i % 13);
		cJSON_AddStringToObject(o, "to", buf);
		cJSON_AddStringToObject(o, "subject", in->subjects[i]);
		cJSON_AddStringToObject(o, "text", in->bodies[i]);
		cJSON_AddItemToArray(arr, o);
	}
	char *js = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	snprintf(p, sizeof p, "%s/small.json", dir);
	int rc = js ? write_file(p, js, strlen(js)) : -1;
	free(js);
	return rc == 0 ? dir : NULL;
}

static void remove_inputs(const char *dir)
{
	static const char *const files[] = {"foto.jpg", "serenata.wav", "informe.pdf", "text.txt",
					    "big.eml",  "small.bin",    "small.json"};
	char p[512];
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, files[i]);
		unlink(p);
	}
	rmdir(dir);
}

static cJSON *run_python(const char *script, const char *dir, int runs)
{
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "python3 '%s' '%s' --runs %d", script, dir, runs);
	FILE *p = popen(cmd, "r");
	if (!p)
		return NULL;
	struct buf b;
	buf_init(&b, 1 << 20);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
		buf_append(&b, chunk, n);
	int status = pclose(p);
	cJSON *j = status == 0 && b.data ? cJSON_Parse(b.data) : NULL;
	buf_free(&b);
	return j;
}

static double jnum(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: mailsim bench msg [--json] [--runs N] [--count N] [--mb N] [--no-python]\n"
		     "                         [--python-script PATH] [--inputs DIR]\n"
		     "Parse and build throughput of the message library, beside Python's email package.\n"
		     "  --runs N     best of N runs (default 5)\n"
		     "  --count N    small messages (default 10000)\n"
		     "  --mb N       size of the attachment-heavy message in MB (default 10)\n"
		     "  --inputs DIR keep the generated inputs in DIR (for running\n"
		     "               tests/tools/py_email_bench.py DIR by hand)\n");
}

int bench_msg(int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
					     {"runs", required_argument, NULL, 'r'},
					     {"count", required_argument, NULL, 'c'},
					     {"mb", required_argument, NULL, 'm'},
					     {"no-python", no_argument, NULL, 'n'},
					     {"python-script", required_argument, NULL, 'p'},
					     {"inputs", required_argument, NULL, 'i'},
					     {"help", no_argument, NULL, 'h'},
					     {0}};
	int json = 0, runs = 5, python = 1, c;
	long count = 10000, mb = 10;
	const char *script = MAILSIM_SOURCE_DIR "/tests/tools/py_email_bench.py";
	const char *keep = NULL;
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'r': runs = atoi(optarg); break;
		case 'c': count = atol(optarg); break;
		case 'm': mb = atol(optarg); break;
		case 'n': python = 0; break;
		case 'p': script = optarg; break;
		case 'i': keep = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || runs < 1 || runs > 1000 || count < 1 || count > 1000000 || mb < 1 || mb > 1000) {
		usage(stderr);
		return 2;
	}
	struct inputs in = {0};
	in.count = (size_t)count;
	struct rng r;
	rng_init_stream(&r, 1, "bench-msg");
	/* Attachments: pseudo-random bytes, 3/4 of the target so base64 makes it ~mb MB. */
	size_t att_total = (size_t)mb * 1000000 * 3 / 4;
	for (int k = 0; k < 3; k++) {
		in.att_len[k] = att_total / 3;
		in.att[k] = malloc(in.att_len[k]);
		for (size_t i = 0; in.att[k] && i < in.att_len[k]; i += 8) {
			uint64_t v = rng_next(&r);
			memcpy(in.att[k] + i, &v, in.att_len[k] - i < 8 ? in.att_len[k] - i : 8);
		}
	}
	in.text = strdup("Hola María,\n\nte mando las fotos, la serenata y el informe.\n\nJuan\n");
	in.subjects = calloc(in.count, sizeof *in.subjects);
	in.bodies = calloc(in.count, sizeof *in.bodies);
	in.small_off = calloc(in.count + 1, sizeof *in.small_off);
	buf_init(&in.big, (size_t)mb * 4000000 + (1 << 20));
	buf_init(&in.small, (size_t)in.count * 8192);
	if (!in.att[0] || !in.att[1] || !in.att[2] || !in.text || !in.subjects || !in.bodies || !in.small_off) {
		fprintf(stderr, "mailsim bench msg: out of memory\n");
		return 1;
	}
	make_small_drafts(&in, &r);

	int64_t best_big_build = INT64_MAX, best_big_parse = INT64_MAX;
	int64_t best_small_build = INT64_MAX, best_small_parse = INT64_MAX;
	int failed = 0;
	for (int k = 0; k < runs && !failed; k++) {
		buf_reset(&in.big);
		int64_t t0 = now_ns();
		failed |= build_big(&in, &in.big) < 0;
		int64_t t1 = now_ns();
		failed |= parse_once(in.big.data, in.big.len) != 5;
		int64_t t2 = now_ns();
		buf_reset(&in.small);
		for (size_t i = 0; i < in.count && !failed; i++) {
			in.small_off[i] = in.small.len;
			failed |= build_small_one(&in, i, &in.small) < 0;
		}
		in.small_off[in.count] = in.small.len;
		int64_t t3 = now_ns();
		for (size_t i = 0; i < in.count && !failed; i++)
			failed |= parse_once(in.small.data + in.small_off[i], in.small_off[i + 1] - in.small_off[i]) != 1;
		int64_t t4 = now_ns();
		if (t1 - t0 < best_big_build)
			best_big_build = t1 - t0;
		if (t2 - t1 < best_big_parse)
			best_big_parse = t2 - t1;
		if (t3 - t2 < best_small_build)
			best_small_build = t3 - t2;
		if (t4 - t3 < best_small_parse)
			best_small_parse = t4 - t3;
	}
	if (failed) {
		fprintf(stderr, "mailsim bench msg: building or parsing an input failed\n");
		return 1;
	}
	cJSON *py = NULL;
	char dir[256];
	if (keep && !write_inputs(&in, dir, sizeof dir, keep)) {
		fprintf(stderr, "mailsim bench msg: cannot write the inputs into %s: %s\n", keep, strerror(errno));
		return 1;
	}
	if (python) {
		if (keep || write_inputs(&in, dir, sizeof dir, NULL)) {
			py = run_python(script, dir, runs < 3 ? runs : 3);
			if (!keep)
				remove_inputs(dir);
		}
		if (!py)
			fprintf(stderr, "mailsim bench msg: the Python comparison did not run (%s); "
					"use --no-python to skip it\n", script);
	}
	double bb = mbps(in.big.len, best_big_build), bp = mbps(in.big.len, best_big_parse);
	double sb = mbps(in.small.len, best_small_build), sp = mbps(in.small.len, best_small_parse);
	double sbm = (double)in.count / ((double)best_small_build / 1e9);
	double spm = (double)in.count / ((double)best_small_parse / 1e9);
	if (json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "benchmark", "msg");
		cJSON_AddNumberToObject(o, "runs", runs);
		cJSON *big = cJSON_AddObjectToObject(o, "big");
		cJSON_AddNumberToObject(big, "bytes", (double)in.big.len);
		cJSON_AddNumberToObject(big, "parse_mb_per_s", bp);
		cJSON_AddNumberToObject(big, "build_mb_per_s", bb);
		cJSON *small = cJSON_AddObjectToObject(o, "small");
		cJSON_AddNumberToObject(small, "count", (double)in.count);
		cJSON_AddNumberToObject(small, "bytes", (double)in.small.len);
		cJSON_AddNumberToObject(small, "parse_mb_per_s", sp);
		cJSON_AddNumberToObject(small, "build_mb_per_s", sb);
		cJSON_AddNumberToObject(small, "parse_msgs_per_s", spm);
		cJSON_AddNumberToObject(small, "build_msgs_per_s", sbm);
		if (py) {
			cJSON_AddItemToObject(o, "python", py);
			py = NULL;
			const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "python");
			cJSON *ratio = cJSON_AddObjectToObject(o, "ratio");
			double v;
			static const char *const keys[] = {"big_parse", "big_build", "small_parse", "small_build"};
			for (int k = 0; k < 4; k++)
				for (int modern = 0; modern < 2; modern++) {
					char key[96], name[64];
					snprintf(key, sizeof key, "%s_mb_per_s%s", keys[k], modern ? "_modern" : "");
					snprintf(name, sizeof name, "%s%s", keys[k], modern ? "_modern" : "");
					double ours = k == 0 ? bp : k == 1 ? bb : k == 2 ? sp : sb;
					if ((v = jnum(p, key)) > 0)
						cJSON_AddNumberToObject(ratio, name, ours / v);
				}
		} else {
			cJSON_AddNullToObject(o, "python");
		}
		char *s = cJSON_PrintUnformatted(o);
		if (s)
			puts(s);
		free(s);
		cJSON_Delete(o);
	} else {
		printf("mailsim bench msg: best of %d runs, one core\n\n", runs);
		printf("%-34s %10s %17s %17s\n", "", "mailsim", "python compat32", "python modern");
		struct {
			const char *label;
			double ours;
			const char *key;
		} rows[] = {
			{"attachment message, parse (MB/s)", bp, "big_parse_mb_per_s"},
			{"attachment message, build (MB/s)", bb, "big_build_mb_per_s"},
			{"small messages, parse (MB/s)", sp, "small_parse_mb_per_s"},
			{"small messages, build (MB/s)", sb, "small_build_mb_per_s"},
			{"small messages, parse (msgs/s)", spm, "small_parse_msgs_per_s"},
			{"small messages, build (msgs/s)", sbm, "small_build_msgs_per_s"},
		};
		for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
			printf("%-34s %10.1f", rows[i].label, rows[i].ours);
			for (int modern = 0; modern < 2; modern++) {
				char key[96];
				snprintf(key, sizeof key, "%s%s", rows[i].key, modern ? "_modern" : "");
				double theirs = py ? jnum(py, key) : 0;
				if (theirs > 0)
					printf(" %9.1f (%5.1fx)", theirs, rows[i].ours / theirs);
				else
					printf(" %17s", "-");
			}
			putchar('\n');
		}
		printf("\nattachment message: %.1f MB (3 base64 attachments); small: %zu messages, %.1f MB in all\n",
		       (double)in.big.len / 1e6, in.count, (double)in.small.len / 1e6);
	}
	cJSON_Delete(py);
	for (int k = 0; k < 3; k++)
		free(in.att[k]);
	free(in.text);
	free(in.subjects);
	free(in.bodies);
	free(in.small_off);
	buf_free(&in.big);
	buf_free(&in.small);
	return 0;
}

int bench_msg_main(int argc, char **argv) { return bench_msg(argc, argv); }
