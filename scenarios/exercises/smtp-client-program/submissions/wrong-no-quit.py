#!/usr/bin/env python3
"""Typical mistake: everything right but the end: no QUIT, and the program
waits for the server to close the connection, which it never does."""
import os
import socket
import sys


def reply(f):
    while True:
        line = f.readline().decode()
        if len(line) < 4 or line[3] != "-":
            return line


s = socket.create_connection((os.environ["MAILSIM_SMTP_HOST"], int(os.environ["MAILSIM_SMTP_PORT"])))
f = s.makefile("rb")
reply(f)
for cmd in ["EHLO milagro.dc.uba.ar", "MAIL FROM:<%s>" % sys.argv[1]] + ["RCPT TO:<%s>" % r for r in sys.argv[2:]] + ["DATA"]:
    s.sendall(cmd.encode() + b"\r\n")
    reply(f)
body = ""
for line in os.environ["MAILSIM_MESSAGE"].split("\n"):
    body += ("." + line if line.startswith(".") else line) + "\r\n"
s.sendall(body.encode() + b".\r\n")
print(reply(f).strip())
# Waits for the server to hang up: it never does, the session is still open.
while s.recv(4096):
    pass
