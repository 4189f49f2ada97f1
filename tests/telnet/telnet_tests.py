#!/usr/bin/env python3
"""`mailsim telnet` driven through pipes (issue 7 item 3).

usage: telnet_tests.py MAILSIM SRCDIR

The class note's session typed into telnet-smtp-1 must read as the note
prints it (every server reply of the note, in order), the whole output
must match the committed expected file byte for byte and be the same on a
second run, and bad input gets a clear message and the right exit status,
never a hang."""
import os
import subprocess
import sys

MAILSIM, SRC = sys.argv[1], sys.argv[2]
SCENARIO = os.path.join(SRC, "scenarios", "telnet-smtp-1.json")
EXPECTED = os.path.join(SRC, "tests", "telnet", "note-session.expected")
NOTE_LINES = [
    "HELO milagro.dc.uba.ar",
    "MAIL FROM: <juan@gmail.com>",
    "RCPT TO: <mcarri@dc.uba.ar>",
    "RCPT TO: <pepe@gil.com.ar>",
    "DATA",
    "Subject: Esto es una prueba",
    "Hola Como estás?",
    "Chau!",
    ".",
    "QUIT",
]
# The note's listing, from "Trying" to the end (its IP and reverse name are
# the scenario's; the replies are the note's own).
NOTE_LISTING = """Trying 10.0.2.61...
Connected to smtp-1.dc.uba.ar.
Escape character is '^]'.
220 smtp-1.dc.uba.ar ESMTP
HELO milagro.dc.uba.ar
250 smtp-1.dc.uba.ar
MAIL FROM: <juan@gmail.com>
250 ok
RCPT TO: <mcarri@dc.uba.ar>
250 ok
RCPT TO: <pepe@gil.com.ar>
250 ok
DATA
354 go ahead punk, make my day
Subject: Esto es una prueba
Hola Como estás?
Chau!
.
250 ok 1150944635 qp 24023 by smtp-1.dc.uba.ar
QUIT
221 smtp-1.dc.uba.ar Goodbye.
Connection closed by foreign host.
"""

passed = failed = 0


def run(args, stdin_text, timeout=60):
    p = subprocess.run([MAILSIM, "telnet"] + args, input=stdin_text.encode(), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok   %s" % name)
    else:
        failed += 1
        print("FAIL %s %s" % (name, detail))


typed = "\n".join(NOTE_LINES) + "\n"
args = [SCENARIO, "--from", "milagro", "--to", "smtp-1:25"]
rc, out, err = run(args, typed)
check("note session exits 0", rc == 0, err)
check("note session reads as the note", out.replace("\r\n", "\n").startswith(NOTE_LISTING),
      "\n--- got ---\n" + out[:1500])
check("the world ran on: pepe's copy relayed to mx.gil.com.ar with two Received fields",
      "pepe@gil.com.ar's INBOX on mx-gil" in out and "    2. Received: from milagro.dc.uba.ar" in out, out[-2000:])
check("the ledger follows the hand-typed message (no Message-ID) across hops",
      "message [first accepted by smtp-1.dc.uba.ar as" in out and "path smtp-1 > mx-gil" in out and
      "balanced" in out, out[-800:])
if os.environ.get("MAILSIM_UPDATE_EXPECTED"):
    with open(EXPECTED, "w", encoding="utf-8", newline="") as f:
        f.write(out)
with open(EXPECTED, encoding="utf-8", newline="") as f:
    expected = f.read()
check("whole output equals tests/telnet/note-session.expected", out == expected,
      "(regenerate with MAILSIM_UPDATE_EXPECTED=1 after checking the difference)")
rc2, out2, _ = run(args, typed)
check("same input, same output (deterministic)", rc2 == 0 and out2 == out)

# Ctrl-D without QUIT: telnet closes, the server sees the end, no hang.
rc, out, err = run(args, "HELO milagro.dc.uba.ar\n")
check("end of input without QUIT closes cleanly", rc == 0 and "250 smtp-1.dc.uba.ar" in out, err)

# Errors in the middle of a session: the server answers, the session goes on.
rc, out, err = run(args + ["-q"], "HELO x\nFOO bar\nRCPT TO: <a@b>\nMAIL FROM: <juan@gmail.com>\nQUIT\n")
check("bad commands get 5xx and the session goes on",
      rc == 0 and "500" in out and "503" in out and "221 smtp-1.dc.uba.ar Goodbye." in out, out)

# A line longer than any protocol allows is not sent; the session goes on.
rc, out, err = run(args + ["-q"], "HELO x\n" + "A" * 10000 + "\nQUIT\n")
check("a 10,000-byte line is refused locally with a message",
      rc == 0 and "longer than" in err and "221" in out, err)

# Nobody listens on port 26: the connection is refused, as telnet says.
rc, out, err = run([SCENARIO, "--from", "milagro", "--to", "smtp-1:26"], "")
check("closed port: Connection refused, exit 1", rc == 1 and "Connection refused" in out, out + err)

rc, out, err = run([SCENARIO, "--from", "nosuch", "--to", "smtp-1"], "")
check("unknown --from host: exit 2 and the host list",
      rc == 2 and 'no host "nosuch"' in err and "milagro (milagro.dc.uba.ar)" in err, err)
rc, out, err = run([SCENARIO, "--from", "milagro", "--to", "smtp-1:99999"], "")
check("bad port: exit 2", rc == 2 and "not a port" in err, err)
rc, out, err = run([SCENARIO, "--from", "milagro"], "")
check("missing --to: exit 2 with usage", rc == 2 and "required" in err, err)
rc, out, err = run(["--from", "milagro.dc.uba.ar", "--to", "smtp-1.dc.uba.ar", SCENARIO, "-q"], "QUIT\n")
check("hosts by fqdn", rc == 0 and "221" in out, out + err)

# Explanations below each line, in the language asked for.
rc, out, err = run(args + ["-q", "--explain", "--lang", "es"], "HELO x\nRCPT TO: <a@b>\nQUIT\n")
check("--explain --lang es explains commands and replies in Spanish",
      rc == 0 and "# HELO (RFC 5321 4.1.1.1): El cliente se presenta" in out and "# 503" in out and
      "# QUIT" in out, out)
rc, out, err = run(args + ["-q", "--lang", "xx"], "")
check("--lang xx: exit 2", rc == 2 and "not en or es" in err, err)

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
