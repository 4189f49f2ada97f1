#!/usr/bin/env python3
"""Reference solution (Python): a small SMTP client that sends the message in
MAILSIM_MESSAGE from argv[1] to argv[2:] through MAILSIM_SMTP_HOST:PORT,
waiting for every reply (RFC 5321: lock-step, no pipelining)."""
import os
import socket
import sys


class SMTPError(Exception):
    pass


def read_reply(f):
    """One reply, maybe multi-line ("250-..." lines then "250 ...")."""
    lines = []
    while True:
        line = f.readline()
        if not line:
            raise SMTPError("the server closed the connection")
        line = line.decode("utf-8", "replace").rstrip("\r\n")
        lines.append(line)
        if len(line) < 4 or line[3] != "-":
            return int(line[:3]), lines


def command(sock, f, text, expect):
    sock.sendall(text.encode() + b"\r\n")
    code, lines = read_reply(f)
    if code // 100 != expect:
        raise SMTPError("%s -> %s" % (text, lines[-1]))
    return code


def main():
    host = os.environ["MAILSIM_SMTP_HOST"]
    port = int(os.environ["MAILSIM_SMTP_PORT"])
    sender, rcpts = sys.argv[1], sys.argv[2:]
    message = os.environ["MAILSIM_MESSAGE"]
    sock = socket.create_connection((host, port), timeout=30)
    f = sock.makefile("rb")
    code, _ = read_reply(f)  # the greeting comes first
    if code != 220:
        raise SMTPError("greeting %d" % code)
    try:
        command(sock, f, "EHLO milagro.dc.uba.ar", 2)
    except SMTPError:
        command(sock, f, "HELO milagro.dc.uba.ar", 2)
    command(sock, f, "MAIL FROM:<%s>" % sender, 2)
    accepted = 0
    for r in rcpts:
        try:
            command(sock, f, "RCPT TO:<%s>" % r, 2)
            accepted += 1
        except SMTPError as e:
            print("refused:", e, file=sys.stderr)
    if accepted:
        command(sock, f, "DATA", 3)
        data = b""
        for line in message.split("\n"):
            if line.startswith("."):
                line = "." + line  # dot-stuffing (RFC 5321 4.5.2)
            data += line.encode() + b"\r\n"
        sock.sendall(data + b".\r\n")
        code, lines = read_reply(f)
        if code != 250:
            raise SMTPError("end of data -> " + lines[-1])
        print("sent:", lines[-1])
    command(sock, f, "QUIT", 2)
    sock.close()
    return 0 if accepted == len(rcpts) else 1


if __name__ == "__main__":
    sys.exit(main())
