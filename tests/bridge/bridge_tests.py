#!/usr/bin/env python3
"""Real clients through `mailsim bridge` (issue 7 items 4 and 5).

usage: bridge_tests.py MAILSIM SRCDIR WORKDIR

Starts the bridge on scenarios/bridge-lab.json with listeners on free
loopback ports, then: curl sends a message with two recipients over SMTP;
Python's smtplib sends with a Bcc (the Bcc recipient gets it, no Bcc field
is stored); swaks sends with pipelining; a relay to another domain goes
through; 200 concurrent smtplib sessions each deliver one message and all
200 arrive exactly once; a client that connects and vanishes, and one that
stalls, hold nobody up; mutt sends a message with a PNG attachment; the
class note's session is typed by hand through nc and through telnet. Then Ctrl-C (SIGINT) ends the bridge cleanly and
its ledger balances."""
import email
import mailbox
import os
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
from email.message import EmailMessage

MAILSIM, SRC, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
SCENARIO = os.path.join(SRC, "scenarios", "bridge-lab.json")
READY = os.path.join(WORK, "ports")
MAILDIR = os.path.join(WORK, "maildir")
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok   %s" % name, flush=True)
    else:
        failed += 1
        print("FAIL %s %s" % (name, detail), flush=True)


# A 1x1 PNG image (the attachment mutt sends).
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a1e3b3d90000000049454e44ae426082")


def typed_session(argv, steps):
    """Runs a line tool (nc, telnet) and types steps [(line, expected reply
    code)], each after the reply to the one before. Returns (all replies as
    expected, what the tool printed)."""
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    os.set_blocking(p.stdout.fileno(), False)
    seen = b""

    def wait_for(code, deadline):
        nonlocal seen
        while time.time() < deadline:
            try:
                chunk = p.stdout.read()
            except BlockingIOError:
                chunk = None
            if chunk:
                seen += chunk
            lines = seen.replace(b"\r", b"").split(b"\n")
            if any(l.startswith(code.encode() + b" ") for l in lines):
                seen = b"\n".join(l for l in lines if not l.startswith(code.encode() + b" ")) + b"\n"
                return True
            time.sleep(0.02)
        return False

    printed = b""
    ok = wait_for("220", time.time() + 20)
    for line, code in steps:
        if not ok:
            break
        p.stdin.write(line.replace("\r\n", "\n").encode() + b"\n")
        p.stdin.flush()
        ok = wait_for(code, time.time() + 20)
    printed = seen
    try:
        p.stdin.close()
    except BrokenPipeError:
        pass
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
    return ok, printed.decode(errors="replace")


out = open(os.path.join(WORK, "bridge.out"), "w")
bridge = subprocess.Popen([MAILSIM, "bridge", SCENARIO, "--listen", "0=mx:25", "--listen", "0=mx:587",
                           "--ready-file", READY, "--no-transcript", "--maildir", MAILDIR,
                           "--max-connections", "400"], stdout=out, stderr=subprocess.STDOUT)
for _ in range(200):
    if os.path.exists(READY) and len(open(READY).read().split()) == 2:
        break
    time.sleep(0.05)
ports = [int(p) for p in open(READY).read().split()]
SMTP, SUBMISSION = ports
print("bridge on ports", ports, flush=True)

try:
    # curl: one message, two recipients.
    msg = os.path.join(WORK, "curl.eml")
    with open(msg, "w") as f:
        f.write("From: juan@example.org\r\nTo: maria@example.org, pepe@example.org\r\n"
                "Subject: from curl\r\nMessage-ID: <curl-1@lab.example.org>\r\n\r\nsent by curl\r\n")
    r = subprocess.run(["curl", "-sS", "--max-time", "30", "smtp://127.0.0.1:%d" % SMTP, "--mail-from",
                        "juan@example.org", "--mail-rcpt", "maria@example.org", "--mail-rcpt", "pepe@example.org",
                        "-T", msg], capture_output=True, text=True)
    check("curl sends one message to two recipients over SMTP", r.returncode == 0, r.stderr)

    # smtplib with a Bcc, on the submission port.
    m = EmailMessage()
    m["From"] = "juan@example.org"
    m["To"] = "maria@example.org"
    m["Bcc"] = "pepe@example.org"
    m["Subject"] = "from smtplib"
    m["Message-ID"] = "<smtplib-1@lab.example.org>"
    m.set_content("sent by smtplib\n")
    with smtplib.SMTP("127.0.0.1", SUBMISSION, timeout=30) as s:
        refused = s.send_message(m)
    check("smtplib sends with a Bcc over submission (587)", refused == {}, refused)

    # A relay to another organisation: lab's network may relay.
    with smtplib.SMTP("127.0.0.1", SMTP, timeout=30) as s:
        s.sendmail("juan@example.org", ["ana@other.example"],
                   "Subject: relayed\r\nMessage-ID: <relay-1@lab.example.org>\r\n\r\nhi ana\r\n")
    check("a message for other.example is accepted for relaying", True)

    # swaks with pipelining.
    if shutil.which("swaks"):
        r = subprocess.run(["swaks", "--server", "127.0.0.1:%d" % SMTP, "--from", "juan@example.org", "--to",
                            "maria@example.org", "--pipeline", "--header", "Subject: from swaks",
                            "--timeout", "30"],
                           capture_output=True, text=True)
        check("swaks sends with PIPELINING", r.returncode == 0 and "PIPELINING" in r.stdout, r.stdout[-800:])
    else:
        check("swaks is installed (scripts/quickstart test installs it)", False)

    # mutt (the note names mail clients) sends a message with an image
    # attachment through the bridge, configured as a student would.
    if shutil.which("mutt"):
        home = os.path.join(WORK, "mutt-home")
        os.makedirs(home, exist_ok=True)
        with open(os.path.join(home, "muttrc"), "w") as f:
            f.write('set smtp_url="smtp://127.0.0.1:%d/"\nset from="juan@example.org"\nset use_from=yes\n'
                    'set realname="Juan"\nset hostname="lab.example.org"\nset record=""\n'
                    'set ssl_starttls=no\nset ssl_force_tls=no\nset charset="utf-8"\n' % SUBMISSION)
        png = os.path.join(home, "foto.png")
        with open(png, "wb") as f:
            f.write(PNG)
        r = subprocess.run(["mutt", "-n", "-F", os.path.join(home, "muttrc"), "-s", "from mutt", "-a", png, "--",
                            "maria@example.org"], input="una foto\n", capture_output=True, text=True,
                           env={"HOME": home, "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TERM": "dumb"},
                           timeout=60)
        check("mutt sends a message with an attachment over submission", r.returncode == 0, r.stdout + r.stderr)
    else:
        check("mutt is installed (scripts/quickstart test installs it)", False)

    # The note's session typed by hand, through nc and through telnet: each
    # line written after the reply to the one before, as a person types.
    for tool in ("nc", "telnet"):
        if not shutil.which(tool):
            check("%s is installed (scripts/quickstart test installs it)" % tool, False)
            continue
        argv = ["nc", "-C", "127.0.0.1", str(SMTP)] if tool == "nc" else ["telnet", "127.0.0.1", str(SMTP)]
        ok, transcript = typed_session(argv, [
            ("HELO milagro.dc.uba.ar", "250"), ("MAIL FROM: <juan@example.org>", "250"),
            ("RCPT TO: <maria@example.org>", "250"), ("DATA", "354"),
            ("Subject: typed with %s\r\n\r\nHola, como estas?\r\n." % tool, "250"), ("QUIT", "221")])
        check("the note's session typed through %s gets every reply" % tool, ok, transcript[-800:])

    # A client that connects and vanishes, and one that stalls mid-command.
    gone = socket.create_connection(("127.0.0.1", SMTP))
    gone.close()
    stalled = socket.create_connection(("127.0.0.1", SMTP))
    stalled.sendall(b"EHLO stall")  # no CRLF, never read
    # 200 concurrent sessions, each delivering one message.
    N = 200
    errors = []
    barrier = threading.Barrier(N)

    def one(i):
        try:
            with smtplib.SMTP("127.0.0.1", SMTP, timeout=120) as s:
                barrier.wait(timeout=60)
                s.sendmail("juan@example.org", ["maria@example.org"],
                           "Subject: load %d\r\nMessage-ID: <load-%d@lab.example.org>\r\n\r\nmessage %d\r\n" %
                           (i, i, i))
        except Exception as e:  # reported below
            errors.append("%d: %r" % (i, e))

    t0 = time.time()
    threads = [threading.Thread(target=one, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check("200 concurrent SMTP sessions through the bridge all get 250", not errors, errors[:3])
    print("  200 sessions took %.1f s of wall time" % (time.time() - t0), flush=True)
    stalled.close()
    time.sleep(1.0)  # let the relay to other.example finish
finally:
    bridge.send_signal(signal.SIGINT)
    try:
        rc = bridge.wait(timeout=30)
    except subprocess.TimeoutExpired:
        bridge.kill()
        rc = "hung"
    out.close()

text = open(os.path.join(WORK, "bridge.out")).read()
check("Ctrl-C ends the bridge cleanly (exit 0)", rc == 0, "exit %s\n%s" % (rc, text[-1500:]))
check("the ledger is printed and balances", "balanced" in text and "interrupted" in text, text[-1500:])


def box(addr):
    path = os.path.join(MAILDIR, addr)
    return [m for m in mailbox.Maildir(path, create=False)] if os.path.isdir(path) else []


maria, pepe, ana = box("maria@example.org"), box("pepe@example.org"), box("ana@other.example")
ids = lambda msgs: [m["Message-ID"] for m in msgs]
check("curl's message reached maria and pepe", "<curl-1@lab.example.org>" in ids(maria) and
      "<curl-1@lab.example.org>" in ids(pepe))
bcc_copy = [m for m in pepe if m["Message-ID"] == "<smtplib-1@lab.example.org>"]
check("the Bcc recipient got smtplib's message, without a Bcc field",
      len(bcc_copy) == 1 and bcc_copy[0]["Bcc"] is None and "<smtplib-1@lab.example.org>" in ids(maria))
check("the relayed message reached ana at other.example with two Received fields",
      any(m["Message-ID"] == "<relay-1@lab.example.org>" and len(m.get_all("Received")) == 2 for m in ana))
if shutil.which("swaks"):
    check("swaks's message arrived", any(m["Subject"] == "from swaks" for m in maria))
if shutil.which("mutt"):
    mutt = [m for m in maria if m["Subject"] == "from mutt"]
    parts = [p for p in mutt[0].walk() if p.get_content_type() == "image/png"] if len(mutt) == 1 else []
    check("mutt's message arrived once, its PNG attachment intact",
          len(parts) == 1 and parts[0].get_payload(decode=True) == PNG and parts[0].get_filename() == "foto.png",
          "%d copies" % len(mutt))
for tool in ("nc", "telnet"):
    if shutil.which(tool):
        check("the message typed through %s arrived" % tool,
              sum(1 for m in maria if m["Subject"] == "typed with %s" % tool) == 1)
load = [i for i in ids(maria) if i and i.startswith("<load-")]
check("all 200 load messages arrived exactly once",
      len(load) == 200 and len(set(load)) == 200, "%d arrived, %d distinct" % (len(load), len(set(load))))
intact = all(m.get_payload().strip() == "message %s" % m["Subject"].split()[1]
             for m in maria if (m["Subject"] or "").startswith("load "))
check("every load message is intact", intact)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
