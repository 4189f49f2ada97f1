/* Kind "program": the outcome told to the student, in English or Spanish:
 * how the program ended, the compiler's messages, the tails of its output.
 * No measured times (only the limits), so a report is the same bytes for
 * the same behaviour. See grade_program.h. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/buf.h"
#include "sim/grade/grade_program.h"

#define TAIL_BYTES 1500

#define L(lang, en, es) ((lang) == EXPLAIN_ES ? (es) : (en))

static const char *lang_name(enum grade_program_lang l) { return l == GRADE_PROGRAM_C ? "C" : "Python"; }

static void format_ms(int64_t ms, char *buf, size_t len)
{
	if (ms % 1000 == 0)
		snprintf(buf, len, "%lld s", (long long)(ms / 1000));
	else
		snprintf(buf, len, "%.3g s", (double)ms / 1000.0);
}

static const char *signal_words(int sig, enum explain_lang lang)
{
	switch (sig) {
	case SIGSEGV:
	case SIGBUS: return L(lang, "an invalid memory access", "un acceso inválido a memoria");
	case SIGABRT: return L(lang, "the program aborted", "el programa abortó");
	case SIGFPE: return L(lang, "an arithmetic error such as a division by zero",
			      "un error aritmético como una división por cero");
	case SIGPIPE: return L(lang, "it wrote to a connection the server had closed",
			       "escribió en una conexión que el servidor había cerrado");
	case SIGXFSZ: return L(lang, "a file grew past the size limit", "un archivo superó el límite de tamaño");
	default: return L(lang, "a signal", "una señal");
	}
}

/* How a sandboxed run ended, in one sentence without a subject. */
static void ended(const struct sandbox_outcome *r, enum explain_lang lang, char *buf, size_t len)
{
	char lim[32];
	if (r->exec_failed) {
		snprintf(buf, len, L(lang, "could not be started (%s)", "no pudo iniciarse (%s)"), strerror(r->exec_errno));
		return;
	}
	switch (r->limit) {
	case SANDBOX_LIMIT_WALL:
		format_ms(r->wall_limit_ms, lim, sizeof lim);
		snprintf(buf, len,
			 L(lang, "was stopped at the time limit (%s): it was still running (waiting for a reply that "
				 "never came, or in a loop?)",
			   "fue detenido al llegar al límite de tiempo (%s): seguía ejecutándose (¿esperando una "
			   "respuesta que nunca llegó, o en un ciclo?)"),
			 lim);
		return;
	case SANDBOX_LIMIT_CPU:
		format_ms(r->cpu_limit_ms, lim, sizeof lim);
		snprintf(buf, len,
			 L(lang, "was stopped by the CPU time limit (%s): it computed too long, maybe an endless loop",
			   "fue detenido por el límite de tiempo de CPU (%s): calculó demasiado, quizás un ciclo sin fin"),
			 lim);
		return;
	case SANDBOX_LIMIT_MEMORY:
		snprintf(buf, len,
			 L(lang, "failed, most likely at the memory limit (%llu MiB)",
			   "falló, muy probablemente al llegar al límite de memoria (%llu MiB)"),
			 (unsigned long long)(r->memory_limit >> 20));
		return;
	case SANDBOX_LIMIT_NONE:
		break;
	}
	if (r->exited)
		snprintf(buf, len, L(lang, "exited with status %d", "terminó con estado %d"), r->exit_code);
	else
		snprintf(buf, len, L(lang, "was killed by signal %d (%s)", "fue terminado por la señal %d (%s)"), r->signal,
			 signal_words(r->signal, lang));
}

const char *grade_program_outcome_line(const struct grade_program_outcome *o, enum explain_lang lang, char *buf,
				       size_t len)
{
	char how[300];
	switch (o->status) {
	case GRADE_PROGRAM_WRONG_LANG:
		snprintf(buf, len,
			 L(lang, "the submission is a \"%s\" file; this exercise takes a program in C (.c) or Python (.py)",
			   "la entrega es un archivo \"%s\"; este ejercicio recibe un programa en C (.c) o Python (.py)"),
			 o->ext);
		break;
	case GRADE_PROGRAM_NOT_COMPILED:
		ended(&o->compile, lang, how, sizeof how);
		snprintf(buf, len, L(lang, "the program did not compile: the compiler %s", "el programa no compiló: el compilador %s"),
			 how);
		break;
	case GRADE_PROGRAM_RAN: {
		ended(&o->run, lang, how, sizeof how);
		char conns[80];
		unsigned long long n = (unsigned long long)o->connections;
		if (lang == EXPLAIN_ES)
			snprintf(conns, sizeof conns, n == 1 ? "abrió %llu conexión" : "abrió %llu conexiones", n);
		else
			snprintf(conns, sizeof conns, n == 1 ? "it opened %llu connection" : "it opened %llu connections", n);
		snprintf(buf, len, L(lang, "the program (%s) %s; %s to the server", "el programa (%s) %s; %s al servidor"),
			 lang_name(o->lang), how, conns);
		break;
	}
	}
	return buf;
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len = p[0] < 0x80 ? 1 : (p[0] & 0xE0) == 0xC0 ? 2 : (p[0] & 0xF0) == 0xE0 ? 3 : (p[0] & 0xF8) == 0xF0 ? 4 : 0;
	if (!len || len > n || (len == 2 && p[0] < 0xC2) || (len == 4 && p[0] > 0xF4))
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	if (len == 3 && ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0)))
		return 0; /* overlong, or a UTF-16 surrogate */
	if (len == 4 && ((p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] >= 0x90)))
		return 0;
	return len;
}

/* The program's bytes as text a report can carry: invalid UTF-8 and
 * control characters other than newline and tab become '?'. */
static void put_clean(struct buf *b, const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i = 0;
	while (i < len) {
		size_t n = utf8_len(p + i, len - i);
		if (n == 1 && (p[i] < 0x20 || p[i] == 0x7F) && p[i] != '\n' && p[i] != '\t')
			n = 0;
		if (n) {
			buf_append(b, p + i, n);
			i += n;
		} else {
			buf_putc(b, '?');
			i++;
		}
	}
}

/* The last TAIL_BYTES of text, from a line start where possible. */
static void put_tail(struct buf *b, const char *label, const char *text, size_t len)
{
	if (!text || !len)
		return;
	const char *p = text;
	if (len > TAIL_BYTES) {
		p = text + len - TAIL_BYTES;
		const char *nl = memchr(p, '\n', TAIL_BYTES);
		if (nl && (size_t)(nl - p) < TAIL_BYTES / 2)
			p = nl + 1;
	}
	buf_printf(b, "\n%s\n", label);
	put_clean(b, p, len - (size_t)(p - text));
	if (len && text[len - 1] != '\n')
		buf_puts(b, "\n");
}

char *grade_program_outcome_detail(const struct grade_program_outcome *o, enum explain_lang lang)
{
	struct buf b;
	buf_init(&b, 64 * 1024);
	char line[600];
	buf_puts(&b, grade_program_outcome_line(o, lang, line, sizeof line));
	if (o->status == GRADE_PROGRAM_NOT_COMPILED) {
		put_tail(&b, L(lang, "The compiler said:", "El compilador dijo:"), o->compile.err, o->compile.err_len);
		put_tail(&b, L(lang, "The compiler said (stdout):", "El compilador dijo (stdout):"), o->compile.out,
			 o->compile.out_len);
	} else if (o->status == GRADE_PROGRAM_RAN) {
		if (!o->isolated)
			buf_puts(&b, L(lang, " (run without network isolation)", " (ejecutado sin aislamiento de red)"));
		put_tail(&b, L(lang, "Its standard error ended with:", "Su salida de errores terminó con:"), o->run.err,
			 o->run.err_len);
		put_tail(&b, L(lang, "Its standard output ended with:", "Su salida estándar terminó con:"), o->run.out,
			 o->run.out_len);
	}
	if (b.err || !b.data) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b, NULL);
}
