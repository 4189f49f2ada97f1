#!/usr/bin/env python3
"""The vacation-forward scenario's outcome, read from its Maildir export and
its transcript by independent means (Python's email and mailbox modules):
each vacationing user got exactly one automatic reply, with Auto-Submitted,
an empty Return-Path, "Re: " and In-Reply-To naming the message answered;
list mail was filed with its keyword, spam discarded, both forwards arrived
with the original envelope sender, and nothing looped.

usage: vacation_forward_check.py MAILSIM SCENARIO WORKDIR"""
import mailbox
from email.header import decode_header, make_header
import os
import shutil
import subprocess
import sys

mailsim, scenario, work = sys.argv[1:4]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
out = os.path.join(work, "maildir")
run = subprocess.run([mailsim, "run", "--maildir", out, scenario], capture_output=True, text=True)
failures = []
passed = []


def expect(cond, what):
    print(("ok: " if cond else "FAILED: ") + what)
    (passed if cond else failures).append(what)


expect(run.returncode == 0, "mailsim run exits 0 (its expectations hold)")
log = run.stdout


def box(user, folder=None):
    md = mailbox.Maildir(os.path.join(out, user), factory=None, create=False)
    return list(md.get_folder(folder) if folder else md)


def auto_replies(msgs):
    return [m for m in msgs if m.get("Auto-Submitted") == "auto-replied"]


maria, juan = box("maria@dominio.de.maria"), box("juan@gmail.com")
for user, msgs, other_subject in (("juan", juan, "¿Venís el sábado?"), ("maria", maria, "Fotos del viaje")):
    replies = auto_replies(msgs)
    expect(len(replies) == 1, f"{user} got exactly one automatic reply ({len(replies)})")
    if replies:
        r = replies[0]
        expect(r.get("Return-Path") == "<>", f"{user}'s auto-reply came with an empty envelope sender")
        subject = str(make_header(decode_header(r["Subject"])))
        expect(subject == "Re: " + other_subject, f"{user}'s auto-reply subject is 'Re: {other_subject}' ({subject!r})")
        originals = [m for m in box("maria@dominio.de.maria" if user == "juan" else "juan@gmail.com")
                     if m.get("Auto-Submitted") is None]
        ids = [m.get("Message-ID") for m in originals]
        expect(r.get("In-Reply-To") in ids, f"{user}'s auto-reply has In-Reply-To naming the message answered")
expect(len(maria) == 3, f"María's INBOX: Juan's two messages and Juan's auto-reply ({len(maria)})")
expect(log.count("vacation: reply to") == 2, "the transcript shows exactly two vacation replies")
expect(log.count("the sender had a vacation reply within the period") == 1, "Juan's second message got no reply")
expect(log.count("vacation: no reply to <>: it is Auto-Submitted") == 2, "each auto-reply met the other responder, which kept quiet")
listas = box("maria@dominio.de.maria", "Listas")
expect(len(listas) == 1 and listas[0]["List-Id"] is not None, "the list mail is in Listas")
kw = open(os.path.join(out, "maria@dominio.de.maria", ".Listas", "dovecot-keywords")).read()
expect(kw == "0 $Lista\n", "its keyword $Lista is exported for Dovecot")
expect(all("a" in m.get_flags() for m in mailbox.Maildir(os.path.join(out, "maria@dominio.de.maria"),
                                                           create=False).get_folder("Listas")),
       "and set on the message (Maildir letter a)")
expect(not any("oferta" in (m["Subject"] or "") for m in maria + listas), "the spam is in no folder")
expect('discarded 000070005 for maria@dominio.de.maria: by maria@dominio.de.maria\'s filter "spam"' in log,
       "the transcript shows the spam discarded by María's filter")
archivo = box("maria@dominio.de.maria", "Archivo.2005")
subjects = sorted(str(make_header(decode_header(m["Subject"]))) for m in archivo)
expect(subjects == ["Feliz Navidad", "Feliz a\u00f1o"], "Archivo/2005 holds the two messages of María's mbox file")
navidad = [m for m in archivo if m["Message-ID"] == "<navidad.2005@gmail.com>"]
expect(len(navidad) == 1 and navidad[0].get_flags() == "RSa", "their Status/X-Status flags (seen, answered) and X-Keywords ($Familia, letter a) are kept")
expect(len(navidad) == 1 and b"\nFrom Juan" in navidad[0].as_bytes() and b">From" not in navidad[0].as_bytes(),
       "and the >From line is unquoted")
pablo, lucia, pepe = box("pablo@dominio.de.maria"), box("lucia@dominio.de.maria"), box("pepe@gmail.com")
expect(len(pablo) == 1 and len(lucia) == 0, "Pablo kept a copy, Lucía none")
expect(sorted(m["Delivered-To"] for m in pepe) == ["lucia@dominio.de.maria", "pablo@dominio.de.maria"],
       "Pepe got both forwarded copies, each with the forwarder's Delivered-To")
expect(all(m["Return-Path"] == "<juan@gmail.com>" for m in pepe), "forwarded with the original envelope sender")
ledger = [l for l in log.splitlines() if l.startswith("ledger:")]
expect(ledger and ledger[0].endswith("+ discarded 1 + queued 0 + forwarded 1: balanced"),
       "the ledger balances, counting one discarded and one forwarded")
print(f"{len(passed)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
