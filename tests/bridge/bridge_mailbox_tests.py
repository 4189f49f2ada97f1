#!/usr/bin/env python3
"""Real mail readers through `mailsim bridge` (issue 7 item 5): POP3 and IMAP.

usage: bridge_mailbox_tests.py MAILSIM SRCDIR WORKDIR

Starts the bridge on scenarios/bridge-lab.json (mx runs pop3d with APOP on
110 and imapd on 143) with listeners on free loopback ports and the
transcript written to a file, then:

- curl sends one message to two recipients over SMTP, lists and retrieves
  it over POP3 (pop3://.../ and pop3://.../1) and fetches it over IMAP
  (imap://.../INBOX;UID=1);
- Python's poplib runs RFC 1939 section 10's flow with APOP: apop(), stat(),
  list(), retr(), dele(), quit(); a second session started before QUIT is
  refused with -ERR [IN-USE] (the maildrop is locked), one started after
  QUIT sees the message gone, so deletion happened at QUIT, not at DELE;
- imaplib: LOGIN, SELECT, SEARCH FROM, FETCH, STORE +FLAGS (\\Flagged and
  \\Deleted), EXPUNGE, APPEND, and a second session sees the flag, the
  expunge and the appended message;
- mutt, when installed, reads the mailbox over IMAP.

Then Ctrl-C ends the bridge, its ledger balances, and its transcript shows
the POP3 and IMAP lines."""
import hashlib
import imaplib
import os
import poplib
import re
import shutil
import signal
import smtplib
import subprocess
import sys
import time

MAILSIM, SRC, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
SCENARIO = os.path.join(SRC, "scenarios", "bridge-lab.json")
READY = os.path.join(WORK, "ports")
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok   %s" % name, flush=True)
    else:
        failed += 1
        print("FAIL %s %s" % (name, detail), flush=True)


def curl(*args):
    # Bytes decoded by hand: text=True would turn CRLF into LF and hide the
    # line ends the servers sent.
    r = subprocess.run(["curl", "-sS", "--max-time", "30"] + list(args), capture_output=True)
    r.stdout, r.stderr = r.stdout.decode(), r.stderr.decode()
    return r


out = open(os.path.join(WORK, "bridge.out"), "w")
bridge = subprocess.Popen([MAILSIM, "bridge", SCENARIO, "--listen", "0=mx:25", "--listen", "0=mx:110",
                           "--listen", "0=mx:143", "--ready-file", READY],
                          stdout=out, stderr=subprocess.STDOUT)
for _ in range(200):
    if os.path.exists(READY) and len(open(READY).read().split()) == 3:
        break
    time.sleep(0.05)
SMTP, POP3, IMAP = [int(p) for p in open(READY).read().split()]
print("bridge on ports", SMTP, POP3, IMAP, flush=True)

try:
    # --- curl: SMTP with two recipients, then POP3 and IMAP -----------------
    msg = os.path.join(WORK, "curl.eml")
    body = "sent by curl, read back by curl\r\n"
    with open(msg, "w", newline="") as f:
        f.write("From: juan@example.org\r\nTo: maria@example.org, pepe@example.org\r\n"
                "Subject: from curl\r\nMessage-ID: <curl-1@lab.example.org>\r\n\r\n" + body)
    r = curl("smtp://127.0.0.1:%d" % SMTP, "--mail-from", "juan@example.org", "--mail-rcpt",
             "maria@example.org", "--mail-rcpt", "pepe@example.org", "-T", msg)
    check("curl sends one message to two recipients over SMTP", r.returncode == 0, r.stderr)
    time.sleep(0.3)  # local delivery happens a few simulated milliseconds after 250

    # POP3: pepe's maildrop (maria's is kept for imaplib below).
    r = curl("pop3://127.0.0.1:%d/" % POP3, "-u", "pepe:secret")
    listing = r.stdout.split()
    check("curl lists pepe's maildrop over POP3 (one message, its size)",
          r.returncode == 0 and len(listing) == 2 and listing[0] == "1" and int(listing[1]) > len(body),
          "rc %d %r %s" % (r.returncode, r.stdout, r.stderr))
    r = curl("pop3://127.0.0.1:%d/1" % POP3, "-u", "pepe:secret")
    check("curl retrieves message 1 over POP3 (RETR, with the Received field mx added)",
          r.returncode == 0 and "Message-ID: <curl-1@lab.example.org>" in r.stdout and body.strip() in r.stdout
          and "Received: from " in r.stdout and "\r\n" in r.stdout and len(r.stdout) == int(listing[1] if len(listing) == 2 else -1),
          "rc %d %r %s" % (r.returncode, r.stdout[:400], r.stderr))

    # IMAP: maria's INBOX, UID 1 is curl's message.
    r = curl("imap://127.0.0.1:%d/INBOX;UID=1" % IMAP, "-u", "maria:secret")
    check("curl fetches INBOX;UID=1 over IMAP",
          r.returncode == 0 and "Message-ID: <curl-1@lab.example.org>" in r.stdout and body.strip() in r.stdout,
          "rc %d %r %s" % (r.returncode, r.stdout[:400], r.stderr))
    r = curl("imap://127.0.0.1:%d/" % IMAP, "-u", "maria:secret")
    check("curl lists maria's mailboxes over IMAP (LIST shows INBOX)",
          r.returncode == 0 and "INBOX" in r.stdout, "rc %d %r %s" % (r.returncode, r.stdout, r.stderr))

    # --- poplib: RFC 1939 section 10 with APOP, on juan's maildrop --------
    with smtplib.SMTP("127.0.0.1", SMTP, timeout=30) as s:
        for i in (1, 2):
            s.sendmail("maria@example.org", ["juan@example.org"],
                       "From: maria@example.org\r\nTo: juan@example.org\r\nSubject: pop %d\r\n"
                       "Message-ID: <pop-%d@lab.example.org>\r\n\r\nmessage %d for poplib\r\n" % (i, i, i))
    time.sleep(0.3)
    p = poplib.POP3("127.0.0.1", POP3, timeout=30)
    welcome = p.getwelcome().decode()
    stamp = re.search(r"<[^>]*>", welcome)
    check("pop3d's greeting carries an APOP timestamp", welcome.startswith("+OK") and stamp, welcome)
    reply = p.apop("juan", "secret").decode()
    check("poplib logs in with APOP", reply.startswith("+OK"), reply)
    count, size = p.stat()
    check("STAT: two messages", count == 2 and size > 0, (count, size))
    resp, lines, _ = p.list()
    sizes = dict((int(a), int(b)) for a, b in (l.decode().split() for l in lines))
    check("LIST: one line per message, sizes adding up to STAT's",
          resp.startswith(b"+OK") and sorted(sizes) == [1, 2] and sum(sizes.values()) == size, (resp, lines))
    resp, lines, octets = p.retr(1)
    text = b"\r\n".join(lines).decode()
    check("RETR 1: the first message, whole", resp.startswith(b"+OK") and "Subject: pop 1" in text and
          "message 1 for poplib" in text, text[:300])
    check("RETR's octets match LIST's size", abs(octets - sizes[1]) <= 2, (octets, sizes[1]))
    check("DELE 1", p.dele(1).startswith(b"+OK"))
    try:
        p.retr(1)
        check("RETR of a deleted message is refused", False)
    except poplib.error_proto as e:
        check("RETR of a deleted message is refused", str(e).startswith("b'-ERR"), e)
    # A second session while the first holds the maildrop is refused: the
    # maildrop is locked for the whole session (RFC 1939 section 8).
    q = poplib.POP3("127.0.0.1", POP3, timeout=30)
    try:
        q.user("juan")
        q.pass_("secret")
        during = "logged in, STAT %r" % (q.stat(),)
        q.quit()
    except poplib.error_proto as e:
        during = str(e)
        q.close()
    check("a second session during the first is refused: -ERR [IN-USE]", "[IN-USE]" in during, during)
    bye = p.quit().decode()
    check("QUIT: +OK, enters UPDATE", bye.startswith("+OK"), bye)
    q = poplib.POP3("127.0.0.1", POP3, timeout=30)
    digest = hashlib.md5((re.search(r"<[^>]*>", q.getwelcome().decode()).group(0) + "secret").encode()).hexdigest()
    q._shortcmd("APOP juan " + digest)  # APOP by hand: the digest is the RFC's md5(timestamp password)
    n_after = q.stat()[0]
    _, lines, _ = q.retr(1)
    q.quit()
    check("after QUIT a new session sees the message gone (one left, pop 2)",
          n_after == 1 and b"Subject: pop 2" in lines, (n_after, lines[:6]))

    # --- imaplib: maria's INBOX ------------------------------------------
    with smtplib.SMTP("127.0.0.1", SMTP, timeout=30) as s:
        s.sendmail("ana@other.example", ["maria@example.org"],
                   "From: Ana <ana@other.example>\r\nTo: maria@example.org\r\nSubject: from ana\r\n"
                   "Message-ID: <ana-1@lab.example.org>\r\n\r\nhola maria\r\n")
        s.sendmail("pepe@example.org", ["maria@example.org"],
                   "From: pepe@example.org\r\nTo: maria@example.org\r\nSubject: to delete\r\n"
                   "Message-ID: <del-1@lab.example.org>\r\n\r\nplease delete me\r\n")
    time.sleep(0.3)
    m = imaplib.IMAP4("127.0.0.1", IMAP, timeout=30)
    typ, _ = m.login("maria", "secret")
    check("imaplib LOGIN", typ == "OK")
    typ, data = m.select("INBOX")
    exists = int(data[0])
    check("SELECT INBOX: curl's message and the two new ones", typ == "OK" and exists == 3, (typ, data))
    typ, data = m.search(None, "FROM", '"ana@other.example"')
    ana = data[0].split()
    check("SEARCH FROM ana finds exactly her message", typ == "OK" and len(ana) == 1, (typ, data))
    typ, data = m.fetch(ana[0], "(UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY[TEXT])")
    parts = b"".join(x[1] for x in data if isinstance(x, tuple))
    check("FETCH its subject and text", typ == "OK" and b"Subject: from ana" in parts and b"hola maria" in parts,
          data)
    typ, data = m.store(ana[0], "+FLAGS", "(\\Flagged)")
    check("STORE +FLAGS (\\Flagged) answers the new flags", typ == "OK" and b"\\Flagged" in data[0], data)
    typ, data = m.search(None, "FROM", '"pepe@example.org"', "SUBJECT", '"to delete"')
    victim = data[0].split()
    check("SEARCH FROM pepe SUBJECT finds the message to delete", typ == "OK" and len(victim) == 1, data)
    typ, data = m.store(victim[0], "+FLAGS", "(\\Deleted)")
    check("STORE +FLAGS (\\Deleted)", typ == "OK" and b"\\Deleted" in data[0], data)
    typ, data = m.expunge()
    check("EXPUNGE reports the deleted message's sequence number",
          typ == "OK" and data == [victim[0]], (typ, data))
    appended = ("From: maria@example.org\r\nTo: maria@example.org\r\nSubject: appended draft\r\n"
                "Message-ID: <append-1@lab.example.org>\r\n\r\nkept by APPEND\r\n").encode()
    typ, data = m.append("INBOX", "(\\Seen)", None, appended)
    check("APPEND a message (with \\Seen) to INBOX", typ == "OK", (typ, data))
    m.logout()

    m2 = imaplib.IMAP4("127.0.0.1", IMAP, timeout=30)
    m2.login("maria@example.org", "secret")
    typ, data = m2.select("INBOX", readonly=True)
    check("a second session: three messages (one expunged, one appended)", int(data[0]) == 3, data)
    typ, data = m2.search(None, "SUBJECT", '"appended draft"')
    found = data[0].split()
    check("the appended message is found by SEARCH in the second session", len(found) == 1, data)
    if found:
        typ, data = m2.fetch(found[0], "(FLAGS RFC822)")
        whole = b"".join(x[1] for x in data if isinstance(x, tuple))
        flags = b" ".join(x[0] if isinstance(x, tuple) else x for x in data)
        check("its bytes are those appended, its flags kept", whole == appended and b"\\Seen" in flags,
              (data,))
    typ, data = m2.search(None, "FLAGGED")
    check("the \\Flagged flag persisted across sessions", len(data[0].split()) == 1, data)
    typ, data = m2.search(None, "SUBJECT", '"to delete"')
    check("the expunged message is gone", data == [b""], data)
    m2.logout()

    # --- mutt (optional) ---------------------------------------------------
    if shutil.which("mutt"):
        muttrc = os.path.join(WORK, "muttrc")
        with open(muttrc, "w") as f:
            f.write('set folder="imap://maria:secret@127.0.0.1:%d/"\nset spoolfile="+INBOX"\n'
                    'set header_cache=""\nset message_cachedir=""\n' % IMAP)
        r = subprocess.run(["mutt", "-n", "-F", muttrc, "-e", "push q", "-Z"], capture_output=True, text=True,
                           timeout=30, env=dict(os.environ, TERM="dumb", HOME=WORK))
        print("  mutt: rc %d %s" % (r.returncode, (r.stdout + r.stderr).strip()[-200:]), flush=True)
    else:
        print("  mutt is not installed: skipped", flush=True)
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
for what, pattern in [("POP3 APOP", r"lab -> mx .*APOP juan [0-9a-f]{32}"),
                      ("POP3 STAT reply", r"mx -> lab .*\+OK 2 \d+"),
                      ("POP3 DELE", r"lab -> mx .*DELE 1"),
                      ("IMAP LOGIN", r"lab -> mx .*LOGIN maria"),
                      ("IMAP UID FETCH from curl", r"lab -> mx .*UID FETCH 1"),
                      ("IMAP SEARCH", r"lab -> mx .*SEARCH FROM"),
                      ("IMAP EXPUNGE reply", r"mx -> lab .*\* \d+ EXPUNGE"),
                      ("IMAP APPEND", r"lab -> mx .*APPEND INBOX")]:
    check("the transcript shows the %s line" % what, re.search(pattern, text), "")
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
