/* Typical mistake: the message's lines are sent as they are, without
 * dot-stuffing: its line "." ends the DATA early, and the rest of the
 * message reaches the server as commands. */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int sock;
static FILE *in;

static int reply(void)
{
	char line[1024];
	do
		if (!fgets(line, sizeof line, in))
			return -1;
	while (strlen(line) > 3 && line[3] == '-');
	return atoi(line);
}

static int cmd(const char *fmt, const char *arg)
{
	char buf[1100];
	int n = snprintf(buf, sizeof buf, fmt, arg);
	send(sock, buf, (size_t)n, 0);
	send(sock, "\r\n", 2, 0);
	return reply();
}

int main(int argc, char **argv)
{
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *ai;
	if (argc < 3 || getaddrinfo(getenv("MAILSIM_SMTP_HOST"), getenv("MAILSIM_SMTP_PORT"), &hints, &ai) != 0)
		return 2;
	sock = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(sock, ai->ai_addr, ai->ai_addrlen) < 0)
		return 1;
	in = fdopen(dup(sock), "r");
	reply();
	cmd("EHLO %s", "milagro.dc.uba.ar");
	cmd("MAIL FROM:<%s>", argv[1]);
	for (int i = 2; i < argc; i++)
		cmd("RCPT TO:<%s>", argv[i]);
	if (cmd("DATA%s", "") != 354)
		return 1;
	const char *p = getenv("MAILSIM_MESSAGE");
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		send(sock, p, n, 0); /* no dot-stuffing */
		send(sock, "\r\n", 2, 0);
		p += n + (nl ? 1 : 0);
	}
	send(sock, ".\r\n", 3, 0);
	printf("end of data: %d\n", reply());
	printf("quit: %d\n", cmd("QUIT%s", ""));
	close(sock);
	return 0;
}
