#!/usr/bin/env python3
"""A test submission (not an exercise's): a program that tries to leave
things behind. It writes files wherever it can (/tmp, /var/tmp, /dev/shm,
its home, its working directory) and starts a daemon that escapes its
session and writes more a few seconds later. None of it may outlive the
grading or land outside the grader's work dir."""
import os
import sys
import time

marker = os.environ.get("LITTER_MARKER", "mailsim-litter")
for d in ("/tmp", "/var/tmp", "/dev/shm", os.environ.get("HOME", "."), "."):
    try:
        with open(os.path.join(d, marker + "-now"), "w") as f:
            f.write("left behind\n")
    except OSError as e:
        print("cannot write in", d, e, file=sys.stderr)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(3)
        for d in ("/tmp", "/var/tmp"):
            try:
                open(os.path.join(d, marker + "-later"), "w").close()
            except OSError:
                pass
        os._exit(0)
    os._exit(0)
print("littered")
