#!/usr/bin/env python3
"""Typical mistake: the whole dialogue is sent at once, without waiting for
the greeting or for any reply (the server did not offer to pipeline, and
even PIPELINING never allows sending before the greeting)."""
import os
import socket
import sys

sender, rcpts = sys.argv[1], sys.argv[2:]
lines = ["EHLO milagro.dc.uba.ar", "MAIL FROM:<%s>" % sender]
lines += ["RCPT TO:<%s>" % r for r in rcpts]
lines.append("DATA")
for line in os.environ["MAILSIM_MESSAGE"].split("\n"):
    lines.append("." + line if line.startswith(".") else line)
lines += [".", "QUIT"]
s = socket.create_connection((os.environ["MAILSIM_SMTP_HOST"], int(os.environ["MAILSIM_SMTP_PORT"])))
s.sendall("".join(l + "\r\n" for l in lines).encode())
# Read whatever comes back until the server closes.
while s.recv(4096):
    pass
s.close()
