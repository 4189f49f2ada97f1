#!/usr/bin/env python3
"""Python's email package on the inputs of `mailsim bench msg`, for the
side-by-side figures. Run by the benchmark itself (popen) with the
directory it wrote:

  py_email_bench.py DIR [--runs N]

DIR holds big.eml (the attachment-heavy message), its parts (text.txt,
foto.jpg, serenata.wav, informe.pdf), small.bin (the small messages, each a
decimal length line then the bytes) and small.json (what each small message
is made of). Parsing is message_from_bytes() plus get_payload(decode=True)
of every leaf, as mailsim's parser decodes every body; building turns
message objects into bytes. Two configurations are timed: compat32 (the
legacy API, email.mime classes: the package's fastest, the main figures)
and the modern API (policy=default, EmailMessage: the "_modern" figures).
Prints one JSON object; each figure is the best of N runs."""
import argparse
import json
import os
import sys
import time
from email import message_from_bytes
from email.mime.application import MIMEApplication
from email.mime.audio import MIMEAudio
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.header import Header
from email.message import EmailMessage
from email.policy import compat32, default


def parse(data, policy=compat32):
    msg = message_from_bytes(data, policy=policy)
    n = 0
    for part in msg.walk():
        if not part.is_multipart():
            part.get_payload(decode=True)
        n += 1
    return n


def build_big(d):
    m = MIMEMultipart("mixed")
    m["From"] = "Juan <juan@dominio.de.juan>"
    m["To"] = "Maria <maria@dominio.de.maria>"
    m["Subject"] = "big"
    m["Date"] = "Mon, 01 May 2006 10:00:00 -0300"
    m.attach(MIMEText(d["text"], "plain", "utf-8"))
    for name, cls, sub in (("foto.jpg", MIMEImage, "jpeg"), ("serenata.wav", MIMEAudio, "wav"),
                           ("informe.pdf", MIMEApplication, "pdf")):
        part = cls(d[name], sub)
        part.add_header("Content-Disposition", "attachment", filename=name)
        m.attach(part)
    return m.as_bytes()


def build_small(s, i):
    m = MIMEText(s["text"], "plain", "utf-8")
    m["From"] = s["from"]
    m["To"] = s["to"]
    m["Subject"] = Header(s["subject"], "utf-8")
    m["Date"] = "Mon, 01 May 2006 10:00:00 -0300"
    m["Message-ID"] = f"<{i}@bench>"
    return m.as_bytes()


def build_big_modern(d):
    m = EmailMessage()
    m["From"] = "Juan <juan@dominio.de.juan>"
    m["To"] = "Maria <maria@dominio.de.maria>"
    m["Subject"] = "big"
    m["Date"] = "Mon, 01 May 2006 10:00:00 -0300"
    m.set_content(d["text"])
    for name, ctype in (("foto.jpg", "image/jpeg"), ("serenata.wav", "audio/wav"),
                        ("informe.pdf", "application/pdf")):
        maintype, subtype = ctype.split("/")
        m.add_attachment(d[name], maintype=maintype, subtype=subtype, filename=name)
    return m.as_bytes()


def build_small_modern(s, i):
    m = EmailMessage()
    m["From"] = s["from"]
    m["To"] = s["to"]
    m["Subject"] = s["subject"]
    m["Date"] = "Mon, 01 May 2006 10:00:00 -0300"
    m["Message-ID"] = f"<{i}@bench>"
    m.set_content(s["text"])
    return m.as_bytes()


def best(fn, runs):
    t = float("inf")
    out = None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        t = min(t, time.perf_counter() - t0)
    return t, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    rd = lambda name: open(os.path.join(a.dir, name), "rb").read()
    big = rd("big.eml")
    parts = {n: rd(n) for n in ("foto.jpg", "serenata.wav", "informe.pdf")}
    parts["text"] = rd("text.txt").decode()
    raw = rd("small.bin")
    small = []
    i = 0
    while i < len(raw):
        nl = raw.index(b"\n", i)
        n = int(raw[i:nl])
        small.append(raw[nl + 1:nl + 1 + n])
        i = nl + 1 + n
    specs = json.loads(rd("small.json"))
    small_bytes = sum(len(m) for m in small)

    t_bp, _ = best(lambda: parse(big), a.runs)
    t_bb, built = best(lambda: build_big(parts), a.runs)
    t_sp, _ = best(lambda: [parse(m) for m in small], a.runs)
    t_sb, built_small = best(lambda: [build_small(s, k) for k, s in enumerate(specs)], a.runs)
    t_bpm, _ = best(lambda: parse(big, default), a.runs)
    t_bbm, built_m = best(lambda: build_big_modern(parts), a.runs)
    t_spm, _ = best(lambda: [parse(m, default) for m in small], a.runs)
    t_sbm, built_small_m = best(lambda: [build_small_modern(s, k) for k, s in enumerate(specs)], a.runs)
    out = {
        "python": sys.version.split()[0],
        "big_parse_mb_per_s": len(big) / 1e6 / t_bp,
        "big_build_mb_per_s": len(built) / 1e6 / t_bb,
        "small_parse_mb_per_s": small_bytes / 1e6 / t_sp,
        "small_build_mb_per_s": sum(len(m) for m in built_small) / 1e6 / t_sb,
        "small_parse_msgs_per_s": len(small) / t_sp,
        "small_build_msgs_per_s": len(specs) / t_sb,
        "big_parse_mb_per_s_modern": len(big) / 1e6 / t_bpm,
        "big_build_mb_per_s_modern": len(built_m) / 1e6 / t_bbm,
        "small_parse_mb_per_s_modern": small_bytes / 1e6 / t_spm,
        "small_build_mb_per_s_modern": sum(len(m) for m in built_small_m) / 1e6 / t_sbm,
        "small_parse_msgs_per_s_modern": len(small) / t_spm,
        "small_build_msgs_per_s_modern": len(specs) / t_sbm,
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
