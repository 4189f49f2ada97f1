#!/usr/bin/env python3
"""Python's standard `email` package as an independent oracle for mailsim's
message library.

  msg_oracle.py MAILSIM WORKDIR [--count N] [--seed S]

1. mailsim -> Python: N random specs (non-ASCII names and subjects, long
   lines, binary and text attachments, HTML with inline images) are built
   with `mailsim msg build`; Python must parse each with no defects and find
   the same tree, the same file names and the same decoded bytes as the
   inputs and as `mailsim msg show --json`.
2. Python -> mailsim: N messages built with email.message.EmailMessage
   (alternatives, attachments with non-ASCII names, attached messages, both
   LF and CRLF line ends) must be read by `mailsim msg show --json` as the
   same tree, file names and SHA-256 of decoded bytes, without defects
   (bare LF line ends aside, which mailsim notes by design).

Prints a summary and exits 1 on any disagreement."""
import argparse
import email
import email.policy
import hashlib
import json
import os
import random
import subprocess
import sys
from email.message import EmailMessage

NAMES = ["Juan Pérez", "María", "Ana O'Neil", "Perez, Luis", "José \"Pepe\" Núñez", "李小龙", "plain"]
SUBJECTS = ["Hola, ¿cómo estás?", "Foto y serenata", "Re: Fwd: =?not-a-word?=", "ñ" * 50,
            "A fairly long ASCII subject line that will certainly need folding when it is written out", ""]
FILENAMES = ["foto.jpg", "serenata.wav", "informe final.pdf", "canción ñandú.mp3", "a \"quoted\" name.txt",
             "résumé-versión-definitiva-con-un-nombre-muy-largo-que-hay-que-partir.doc", "日本語.txt"]
TYPES = ["image/jpeg", "audio/wav", "application/pdf", "text/plain", "application/octet-stream", "text/csv"]


def run(args, **kw):
    return subprocess.run(args, capture_output=True, **kw)


def show(mailsim, path):
    r = run([mailsim, "msg", "show", path, "--json"])
    if r.returncode != 0:
        raise RuntimeError(f"msg show {path}: exit {r.returncode}: {r.stderr.decode()}")
    return json.loads(r.stdout)


def flatten(node, out):
    out.append(node)
    for c in node["children"]:
        flatten(c, out)
    return out


def rand_text(rng):
    parts = []
    for _ in range(rng.randrange(0, 30)):
        parts.append(rng.choice(["hola", "¿qué tal?", "--", "From here", ".", "=", "ñandú", "x" * 200,
                                 "\n", "\n", "\t", " ", "€", "emoji 🎉"]))
    return "".join(parts)


def rand_bytes(rng, text):
    n = rng.choice([0, 1, 2, 3, 57, 58, 300, 5000])
    if text:
        return "".join(rng.choice("abc xyz\n-=.") for _ in range(n)).encode()
    return bytes(rng.randrange(256) for _ in range(n))


def mailbox(name, addr):
    """A spec address as a careful user writes it: specials in a name quoted."""
    if any(c in name for c in '",.()<>@:;[]\\'):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{addr}>"


def crlf(s):
    return s.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def mailsim_to_python(mailsim, work, rng, count, fails):
    for i in range(count):
        d = os.path.join(work, f"m2p-{i}")
        os.makedirs(d, exist_ok=True)
        from_name = rng.choice(NAMES)
        spec = {"from": mailbox(from_name, f"juan{i}@dominio.de.juan"),
                "to": [mailbox(rng.choice(NAMES), "maria@dominio.de.maria"), "otro@x.org"],
                "subject": rng.choice(SUBJECTS), "seed": i}
        if rng.random() < 0.5:
            spec["cc"] = mailbox(rng.choice(NAMES), "cc@x.org")
        if rng.random() < 0.5:
            spec["bcc"] = "oculto@y.org"
        if rng.random() < 0.3:
            spec["allow_8bit"] = True
        text = rand_text(rng)
        if text or rng.random() < 0.5:
            spec["text"] = text
        html = None
        if rng.random() < 0.4:
            html = "<p>" + rand_text(rng) + "</p>"
            spec["html"] = html
        atts = []
        for k in range(rng.randrange(0, 4)):
            ctype = rng.choice(TYPES)
            data = rand_bytes(rng, ctype.startswith("text/"))
            if ctype.startswith("text/"):
                data = crlf(data.decode()).encode()  # text is canonicalised to CRLF
            fname = rng.choice(FILENAMES)
            path = f"att{k}.bin"
            with open(os.path.join(d, path), "wb") as f:
                f.write(data)
            a = {"path": path, "type": ctype, "filename": fname}
            if html and ctype == "image/jpeg" and rng.random() < 0.5:
                a["cid"] = f"img{k}@x"
            spec["attachments"] = spec.get("attachments", []) + [a]
            atts.append((fname, data, a.get("cid")))
        spec_path = os.path.join(d, "spec.json")
        with open(spec_path, "w", encoding="utf-8") as f:
            json.dump(spec, f, ensure_ascii=False)
        r = run([mailsim, "msg", "build", spec_path])
        if r.returncode != 0:
            fails.append(f"m2p {i}: build failed: {r.stderr.decode()}")
            continue
        eml = os.path.join(d, "out.eml")
        with open(eml, "wb") as f:
            f.write(r.stdout)
        msg = email.message_from_bytes(r.stdout, policy=email.policy.default)
        problems = []
        for part in msg.walk():
            if part.defects:
                problems.append(f"python defects {part.defects} in {part.get_content_type()}")
        if str(msg["subject"] or "") != spec["subject"]:
            problems.append(f"subject {str(msg['subject'])!r} != {spec['subject']!r}")
        frm = msg["from"].addresses[0]
        want_name = from_name
        if frm.display_name != want_name or frm.addr_spec != f"juan{i}@dominio.de.juan":
            problems.append(f"from {frm.display_name!r} <{frm.addr_spec}> != {want_name!r}")
        if "bcc" in spec and str(msg["bcc"]) != "oculto@y.org":
            problems.append("Bcc missing from the sender's copy")
        ours = flatten(show(mailsim, eml)["tree"], [])
        theirs = list(msg.walk())
        if [p.get_content_type() for p in theirs] != [n["type"] for n in ours]:
            problems.append(f"trees differ: {[p.get_content_type() for p in theirs]} vs {[n['type'] for n in ours]}")
        else:
            for p, n in zip(theirs, ours):
                if p.is_multipart():
                    continue
                payload = p.get_payload(decode=True)
                if (p.get_filename() or None) != n["filename"]:
                    problems.append(f"filename {p.get_filename()!r} vs ours {n['filename']!r}")
                if hashlib.sha256(payload).hexdigest() != n["sha256"]:
                    problems.append(f"decoded bytes of {n['section']} differ")
                if n["defects"]:
                    problems.append(f"mailsim defects {n['defects']} in {n['section']}")
        # The inputs come back: attachments by name, text and html as written.
        leaves = [p for p in theirs if not p.is_multipart()]
        for fname, data, _cid in atts:
            if not any(p.get_filename() == fname and p.get_payload(decode=True) == data for p in leaves):
                problems.append(f"attachment {fname!r} not found intact")
        if spec.get("text"):
            want = crlf(spec["text"]).encode()
            if not any(p.get_content_type() == "text/plain" and p.get_filename() is None and
                       p.get_payload(decode=True) == want for p in leaves):
                problems.append("text body not found intact")
        if html:
            if not any(p.get_content_type() == "text/html" and p.get_payload(decode=True) == crlf(html).encode()
                       for p in leaves):
                problems.append("html body not found intact")
        if problems:
            fails.append(f"m2p {i} ({eml}): " + "; ".join(problems))


def python_to_mailsim(mailsim, work, rng, count, fails):
    for i in range(count):
        policy = rng.choice([email.policy.default, email.policy.SMTP])
        m = EmailMessage(policy=policy)
        m["From"] = f"{rng.choice(NAMES)} <p{i}@python.org>"
        m["To"] = "María <maria@dominio.de.maria>"
        m["Subject"] = rng.choice(SUBJECTS) or "x"
        m.set_content(rand_text(rng) + "\n", cte=rng.choice([None, "quoted-printable", "base64", "8bit"]))
        if rng.random() < 0.5:
            m.add_alternative("<p>" + rand_text(rng) + "</p>\n", subtype="html")
        for k in range(rng.randrange(0, 4)):
            ctype = rng.choice(TYPES)
            maintype, subtype = ctype.split("/")
            if rng.random() < 0.15:
                inner = EmailMessage()
                inner["Subject"] = "inner"
                inner.set_content("inner text\n")
                m.add_attachment(inner)
            elif maintype == "text":
                m.add_attachment(rand_text(rng) + "\n", subtype=subtype, filename=rng.choice(FILENAMES))
            else:
                m.add_attachment(rand_bytes(rng, False), maintype=maintype, subtype=subtype,
                                 filename=rng.choice(FILENAMES))
        data = m.as_bytes()
        eml = os.path.join(work, f"p2m-{i}.eml")
        with open(eml, "wb") as f:
            f.write(data)
        back = email.message_from_bytes(data, policy=email.policy.default)
        theirs = list(back.walk())
        ours = flatten(show(mailsim, eml)["tree"], [])
        problems = []
        if [p.get_content_type() for p in theirs] != [n["type"] for n in ours]:
            problems.append(f"trees differ: {[p.get_content_type() for p in theirs]} vs {[n['type'] for n in ours]}")
        else:
            for p, n in zip(theirs, ours):
                allowed = {"lf-line-endings"} if policy.linesep == "\n" else set()
                extra = set(n["defects"]) - allowed
                if extra:
                    problems.append(f"mailsim defects {sorted(extra)} in {n['section']}")
                if p.is_multipart() or p.get_content_type() == "message/rfc822":
                    continue
                if (p.get_filename() or None) != n["filename"]:
                    problems.append(f"filename {p.get_filename()!r} vs ours {n['filename']!r}")
                if hashlib.sha256(p.get_payload(decode=True)).hexdigest() != n["sha256"]:
                    problems.append(f"decoded bytes of {n['section']} differ")
        if problems:
            fails.append(f"p2m {i} ({eml}): " + "; ".join(problems))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mailsim")
    ap.add_argument("work")
    ap.add_argument("--count", type=int, default=150)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    rng = random.Random(a.seed)
    fails = []
    mailsim_to_python(a.mailsim, a.work, rng, a.count, fails)
    m2p_fail = len(fails)
    python_to_mailsim(a.mailsim, a.work, rng, a.count, fails)
    print(f"mailsim -> python: {a.count - m2p_fail}/{a.count} agree")
    print(f"python -> mailsim: {a.count - (len(fails) - m2p_fail)}/{a.count} agree")
    for f in fails[:20]:
        print("FAIL", f)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
