#!/usr/bin/env python3
"""`mailsim msg` from the outside: exit codes and error messages for bad
input, the sample message rebuilt byte for byte from its spec, and
`extract` giving back the very files that were attached.

  msg_cli_check.py MAILSIM SOURCE_DIR WORKDIR"""
import json
import os
import subprocess
import sys


def main():
    mailsim, src, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    fails = []

    def run(*args):
        return subprocess.run([mailsim, "msg", *args], capture_output=True)

    def expect(args, code, err_has=None):
        r = run(*args)
        if r.returncode != code or (err_has and err_has not in r.stderr.decode()):
            fails.append(f"msg {' '.join(args)}: exit {r.returncode} (want {code}), stderr {r.stderr.decode()!r}")
        return r

    expect(["--help"], 0)
    expect([], 2)
    expect(["frobnicate"], 2)
    expect(["show"], 2)
    expect(["show", os.path.join(work, "missing.eml")], 2, "cannot open")
    expect(["build", os.path.join(work, "missing.json")], 2, "cannot open")
    bad = {
        "not-json.json": ("{from:", "not valid JSON"),
        "unknown-key.json": (json.dumps({"from": "a@b.c", "colour": "red"}), "colour: unknown key"),
        "no-from.json": (json.dumps({"to": "a@b.c"}), "from: missing"),
        "bad-to.json": (json.dumps({"from": "a@b.c", "to": "Perez, Luis <l@x.org>"}), "bad address list in To"),
        "bad-date.json": (json.dumps({"from": "a@b.c", "date": "yesterday"}), "not an RFC 5322 date"),
        "bad-att.json": (json.dumps({"from": "a@b.c", "attachments": [{"path": "nope.bin"}]}), "cannot open"),
        "att-key.json": (json.dumps({"from": "a@b.c", "attachments": [{"path": "x", "size": 1}]}), "unknown key"),
        "to-type.json": (json.dumps({"from": "a@b.c", "to": 5}), "expected an address"),
        "att-type.json": (json.dumps({"from": "a@b.c", "attachments": [{"path": "att-type.json", "type": "image"}]}),
                          "attachments[0].type: expected a media type"),
    }
    for name, (text, msg) in bad.items():
        p = os.path.join(work, name)
        with open(p, "w") as f:
            f.write(text)
        expect(["build", p], 2, msg)

    sample_dir = os.path.join(src, "docs", "examples", "juan-maria")
    r = expect(["build", os.path.join(sample_dir, "spec.json")], 0)
    with open(os.path.join(sample_dir, "juan-maria.eml"), "rb") as f:
        if f.read() != r.stdout:
            fails.append("docs/examples/juan-maria/juan-maria.eml differs from a fresh build of spec.json")
    eml = os.path.join(work, "sample.eml")
    with open(eml, "wb") as f:
        f.write(r.stdout)
    out = os.path.join(work, "extracted")
    expect(["extract", eml, out], 0)
    for name in ("foto.jpg", "serenata.wav"):
        with open(os.path.join(sample_dir, name), "rb") as a:
            try:
                with open(os.path.join(out, name), "rb") as b:
                    if a.read() != b.read():
                        fails.append(f"extracted {name} differs")
            except OSError as e:
                fails.append(f"extract did not write {name}: {e}")
    text = expect(["show", eml], 0).stdout.decode()
    for want in ("Subject: Hola, ¿cómo estás?", "From: Juan Pérez <juan@dominio.de.juan>", "\"foto.jpg\"",
                 "No defects."):
        if want not in text:
            fails.append(f"msg show lacks {want!r}")
    doc = json.loads(expect(["show", eml, "--json"], 0).stdout)
    if [c["filename"] for c in doc["tree"]["children"]] != [None, "foto.jpg", "serenata.wav"]:
        fails.append("msg show --json: unexpected parts")
    # A hostile file name cannot escape the directory.
    evil = os.path.join(work, "evil.eml")
    with open(evil, "wb") as f:
        f.write(b"Content-Type: text/plain\r\nContent-Disposition: attachment; filename=\"../../etc/x\"\r\n\r\nhi")
    expect(["extract", evil, os.path.join(work, "evil")], 0)
    if not os.path.exists(os.path.join(work, "evil", "x")):
        fails.append("extract of ../../etc/x did not land inside DIR as x")
    for f in fails:
        print("FAIL", f)
    print(f"{len(fails)} failures")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
