#!/usr/bin/env python3
"""Mistake (or mischief): ignores MAILSIM_SMTP_HOST and tries a real server
on the Internet. The sandbox has no network but loopback: it fails at once."""
import socket
import sys

try:
    s = socket.create_connection(("1.1.1.1", 25), timeout=5)
except OSError as e:
    print("cannot connect:", e, file=sys.stderr)
    sys.exit(1)
print("connected to the outside!")
