/* Reference solution (C): a small SMTP client that sends the message in
 * MAILSIM_MESSAGE from argv[1] to argv[2..] through MAILSIM_SMTP_HOST:PORT,
 * waiting for every reply (RFC 5321: lock-step, no pipelining). */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int sock = -1;
static char inbuf[4096];
static size_t inlen;

static int send_all(const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(sock, p, n, 0);
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads one line (without CRLF) into line; -1 at end of file. */
static int read_line(char *line, size_t cap)
{
	for (;;) {
		char *nl = memchr(inbuf, '\n', inlen);
		if (nl) {
			size_t n = (size_t)(nl - inbuf);
			size_t k = n && inbuf[n - 1] == '\r' ? n - 1 : n;
			if (k >= cap)
				k = cap - 1;
			memcpy(line, inbuf, k);
			line[k] = 0;
			memmove(inbuf, nl + 1, inlen - n - 1);
			inlen -= n + 1;
			return 0;
		}
		if (inlen == sizeof inbuf)
			inlen = 0; /* an absurdly long line: drop it */
		ssize_t r = recv(sock, inbuf + inlen, sizeof inbuf - inlen, 0);
		if (r <= 0)
			return -1;
		inlen += (size_t)r;
	}
}

/* Reads a whole reply (all its "250-" lines and the last "250 " one);
 * returns its code, or -1. */
static int read_reply(char *last, size_t cap)
{
	for (;;) {
		if (read_line(last, cap) < 0)
			return -1;
		if (strlen(last) < 4 || last[3] != '-')
			return atoi(last);
	}
}

static int command(const char *text, int expect_class)
{
	char line[1024];
	if (send_all(text, strlen(text)) < 0 || send_all("\r\n", 2) < 0)
		return -1;
	int code = read_reply(line, sizeof line);
	if (code / 100 != expect_class) {
		fprintf(stderr, "%s -> %s\n", text, line);
		return -1;
	}
	return code;
}

int main(int argc, char **argv)
{
	const char *host = getenv("MAILSIM_SMTP_HOST"), *port = getenv("MAILSIM_SMTP_PORT");
	const char *message = getenv("MAILSIM_MESSAGE");
	if (!host || !port || !message || argc < 3) {
		fprintf(stderr, "usage: MAILSIM_SMTP_HOST=.. MAILSIM_SMTP_PORT=.. MAILSIM_MESSAGE=.. %s FROM TO...\n",
			argv[0]);
		return 2;
	}
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *ai;
	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return 1;
	sock = socket(ai->ai_family, ai->ai_socktype, 0);
	if (sock < 0 || connect(sock, ai->ai_addr, ai->ai_addrlen) < 0) {
		perror("connect");
		return 1;
	}
	freeaddrinfo(ai);
	char line[1024], cmd[1200];
	if (read_reply(line, sizeof line) != 220) { /* the greeting first */
		fprintf(stderr, "greeting: %s\n", line);
		return 1;
	}
	if (command("EHLO milagro.dc.uba.ar", 2) < 0 && command("HELO milagro.dc.uba.ar", 2) < 0)
		return 1;
	snprintf(cmd, sizeof cmd, "MAIL FROM:<%s>", argv[1]);
	if (command(cmd, 2) < 0)
		return 1;
	int accepted = 0;
	for (int i = 2; i < argc; i++) {
		snprintf(cmd, sizeof cmd, "RCPT TO:<%s>", argv[i]);
		if (command(cmd, 2) >= 0)
			accepted++;
	}
	if (accepted) {
		if (command("DATA", 3) < 0)
			return 1;
		/* Each line with CRLF; a line starting with "." gets another
		 * one (dot-stuffing, RFC 5321 4.5.2). */
		const char *p = message;
		while (*p) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			if ((*p == '.' && send_all(".", 1) < 0) || send_all(p, n) < 0 || send_all("\r\n", 2) < 0)
				return 1;
			p += n + (nl ? 1 : 0);
		}
		if (send_all(".\r\n", 3) < 0 || read_reply(line, sizeof line) != 250) {
			fprintf(stderr, "end of data: %s\n", line);
			return 1;
		}
		printf("sent: %s\n", line);
	}
	if (command("QUIT", 2) < 0)
		return 1;
	close(sock);
	return accepted == argc - 2 ? 0 : 1;
}
