#!/usr/bin/env python3
"""Batch grading end to end (tests/grade_batch.cmake): `mailsim grade EX
--batch DIR --csv FILE -j N` over a folder holding the smtp-by-hand
exercise's own submissions plus awkward ones (a name needing CSV quotes, a
file past the size limit, a folder, a FIFO the grader cannot read, a hidden
file), with the real `mailsim grade` as the child. Checks: the CSV against
single-mode `--format json` reports of the same submissions, the summary's
figures against the CSV, -j 1 == -j 2 byte for byte (CSV and summary), the
exit codes, the error rows, and bad input (exit 2, no CSV written).

usage: check_batch.py MAILSIM SOURCE_DIR

Exit code 77 (skipped): this mailsim has no `grade` command or the exercise
is missing (the grader core is built separately, issue 8)."""
import csv
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

TIMEOUT_S = 10


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def run(args, timeout=600):
    return subprocess.run(args, capture_output=True, timeout=timeout)


def g4(x):
    """C's %.4g."""
    return "%.4g" % x


def g10(x):
    return "%.10g" % x


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    mailsim, src = sys.argv[1], sys.argv[2]
    exdir = os.path.join(src, "scenarios", "exercises", "smtp-by-hand")
    ex = os.path.join(exdir, "exercise.json")
    probe = run([mailsim, "grade", "--help"])
    if probe.returncode != 0 or not os.path.exists(ex):
        print("SKIP: no `mailsim grade` or no %s" % ex)
        return 77

    tmp = tempfile.mkdtemp(prefix="grade-batch-test-")
    try:
        return check(mailsim, exdir, ex, tmp)
    finally:
        # The FIFO and everything else go; a FIFO is removed like a file.
        shutil.rmtree(tmp, ignore_errors=True)


def check(mailsim, exdir, ex, tmp):
    subs = os.path.join(tmp, "subs")
    os.mkdir(subs)
    regular = []
    for name in sorted(os.listdir(os.path.join(exdir, "submissions"))):
        shutil.copy(os.path.join(exdir, "submissions", name), os.path.join(subs, name))
        regular.append(name)
    with open(os.path.join(exdir, "submissions", "reference.txt"), "rb") as f:
        reference = f.read()
    quoted = 'quote "me", too.txt'
    with open(os.path.join(subs, quoted), "wb") as f:
        f.write(reference)
    regular.append(quoted)
    # Far past the exercise's max_bytes: the grader rejects it.
    with open(os.path.join(subs, "huge.txt"), "wb") as f:
        f.write(b"HELO milagro.dc.uba.ar\n" * 50000)
    regular.append("huge.txt")
    # A folder with one file is graded as that file; with two, the folder
    # itself goes to the grader.
    os.mkdir(os.path.join(subs, "a-folder"))
    shutil.copy(os.path.join(subs, "reference.txt"), os.path.join(subs, "a-folder", "reference.txt"))
    os.mkdir(os.path.join(subs, "b-folder"))
    shutil.copy(os.path.join(subs, "reference.txt"), os.path.join(subs, "b-folder", "one.txt"))
    shutil.copy(os.path.join(subs, "wrong-no-dot.txt"), os.path.join(subs, "b-folder", "two.txt"))
    # Nobody ever writes to it: a grader that opens it waits forever and is
    # killed at the timeout; one that checks first refuses it.
    os.mkfifo(os.path.join(subs, "zz-fifo.txt"))
    with open(os.path.join(subs, ".hidden.txt"), "wb") as f:
        f.write(reference)
    names = sorted(os.listdir(subs), key=lambda s: s.encode())
    names = [n for n in names if not n.startswith(".")]

    out = {}
    for j in (1, 2):
        csv_path = os.path.join(tmp, "grades-j%d.csv" % j)
        if j == 2:
            with open(csv_path, "w") as f:
                f.write("an old file, replaced whole\n")
        p = run([mailsim, "grade", ex, "--batch", subs, "--csv", csv_path, "-j", str(j),
                 "--timeout", str(TIMEOUT_S)])
        with open(csv_path, "rb") as f:
            out[j] = (p.returncode, p.stdout, f.read(), p.stderr)
        leftovers = [n for n in os.listdir(tmp) if n.startswith(".grades")]
        if leftovers:
            fail("temporary files left beside the CSV: %r" % leftovers)
    if out[1][:3] != out[2][:3]:
        fail("-j 1 and -j 2 differ:\n--- j1 (exit %d)\n%s\n%s\n--- j2 (exit %d)\n%s\n%s"
             % (out[1][0], out[1][1].decode(), out[1][2].decode(), out[2][0], out[2][1].decode(),
                out[2][2].decode()))
    rc, summary, csv_bytes, stderr = out[1]
    summary = summary.decode()
    text = csv_bytes.decode()
    if not text.startswith("submission,score,max_score,status,") or not text.endswith("\r\n"):
        fail("the CSV does not start with the header or end with CRLF: %r" % text[:200])
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, rows = rows[0], rows[1:]

    # The single-mode reports: the columns and every graded row's figures.
    reports = {}
    for name in regular:
        p = run([mailsim, "grade", ex, os.path.join(subs, name), "--format", "json"])
        if p.returncode not in (0, 1):
            fail("single grade of %s exited %d: %s" % (name, p.returncode, p.stderr.decode()))
        reports[name] = json.loads(p.stdout)
    ids = [c["id"] for c in reports["reference.txt"]["checks"]]
    if header != ["submission", "score", "max_score", "status"] + ids + ["reason"]:
        fail("CSV header %r, expected the check ids %r" % (header, ids))
    if [r[0] for r in rows] != names:
        fail("CSV rows %r, expected %r (sorted, hidden skipped)" % ([r[0] for r in rows], names))
    byname = {r[0]: dict(zip(header, r)) for r in rows}
    max_score = reports["reference.txt"]["max_score"]
    for name, rep in reports.items():
        row = byname[name]
        if row["status"] != rep["status"] or row["score"] != g10(rep["score"]) or \
           row["max_score"] != g10(rep["max_score"]):
            fail("%s: CSV %r, single report status %s score %s of %s"
                 % (name, row, rep["status"], rep["score"], rep["max_score"]))
        for c in rep["checks"]:
            if row[c["id"]] != g10(c["score"]):
                fail("%s: check %s is %s in the CSV, %s in the report" % (name, c["id"], row[c["id"]], c["score"]))
        if rep["status"] == "rejected" and row["reason"] != rep.get("reason"):
            fail("%s: reason %r, the report says %r" % (name, row["reason"], rep.get("reason")))
    if reports["reference.txt"]["score"] != max_score:
        fail("the reference does not get full marks: %r" % reports["reference.txt"])
    if byname["huge.txt"]["status"] != "rejected" or byname["huge.txt"]["score"] != "0":
        fail("the huge submission: %r (expected rejected, 0)" % byname["huge.txt"])
    if byname[quoted]["score"] != g10(max_score):
        fail("the quoted name's copy of the reference: %r" % byname[quoted])
    fifo = byname["zz-fifo.txt"]
    if fifo["status"] not in ("error", "rejected") or not fifo["reason"] or fifo["score"] != "0":
        fail("the FIFO: %r (expected a 0 with a reason)" % fifo)
    if fifo["status"] == "error" and not ("timed out after %d s" % TIMEOUT_S in fifo["reason"]
                                          or "refused" in fifo["reason"]):
        fail("the FIFO's reason: %r" % fifo["reason"])
    if byname["a-folder"]["status"] != "graded" or byname["a-folder"]["score"] != g10(max_score):
        fail("the folder holding the reference: %r" % byname["a-folder"])
    folder = byname["b-folder"]
    if folder["status"] not in ("error", "rejected") or not folder["reason"]:
        fail("the folder of two files: %r (expected a 0 with the grader's reason)" % folder)
    for r in byname.values():
        if r["status"] == "error":
            if r["score"] != "0" or any(r[i] != "0" for i in ids) or r["max_score"] != g10(max_score):
                fail("error row not all zero with the exercise's max: %r" % r)
    errors = [n for n in names if byname[n]["status"] == "error"]
    rejected = [n for n in names if byname[n]["status"] == "rejected"]
    want_rc = 1 if errors else 0
    if rc != want_rc:
        fail("exit %d with %d error rows (expected %d); stderr: %s" % (rc, len(errors), want_rc, stderr.decode()))

    # The summary against the CSV.
    scores = [float(byname[n]["score"]) for n in names]
    graded = len(names) - len(errors) - len(rejected)
    expect = [
        "Exercise %s: %d submissions in %s\n" % (ex, len(names), subs),
        "  graded %d, rejected %d, errors %d\n" % (graded, len(rejected), len(errors)),
        "  score out of %s: mean %s, median %s, min %s, max %s" % (
            g10(max_score), g4(sum(scores) / len(scores)), g4(statistics.median(scores)), g10(min(scores)),
            g10(max(scores))),
    ]
    for e in expect:
        if e not in summary:
            fail("summary lacks %r:\n%s" % (e, summary))
    bins = [0] * 10
    for s in scores:
        bins[max(0, min(9, int(s / max_score * 10 + 1e-9)))] += 1
    hist = [l for l in summary.splitlines() if l.startswith("  [")]
    if [int(l.split()[1]) for l in hist] != bins:
        fail("histogram %r, expected counts %r" % (hist, bins))
    failed = {}
    for n in names:
        rep = reports.get(n)
        for c in (rep["checks"] if rep else []):
            if not c["passed"]:
                failed[c["id"]] = failed.get(c["id"], 0) + 1
    top = sorted(failed.items(), key=lambda kv: (-kv[1], ids.index(kv[0])))[:10]
    width = max([len(k) for k, _ in top] or [0])
    block = "".join("  %-*s %d\n" % (width, k, v) for k, v in top)
    if top and block not in summary:
        fail("most-failed checks: expected\n%s\nin\n%s" % (block, summary))
    for n in errors + rejected:
        if "  %s: %s\n" % (n, byname[n]["reason"]) not in summary:
            fail("summary does not list %s with its reason:\n%s" % (n, summary))

    # Spanish summary.
    p = run([mailsim, "grade", ex, "--batch", subs, "--lang", "es", "-j", "2", "--timeout", "3"])
    if "Ejercicio" not in p.stdout.decode() or "Distribución de notas" not in p.stdout.decode():
        fail("--lang es summary:\n%s" % p.stdout.decode())

    # Bad input: exit 2 before grading, nothing written.
    bad_csv = os.path.join(tmp, "bad.csv")
    empty = os.path.join(tmp, "empty")
    os.mkdir(empty)
    for args, what in [
        ([os.path.join(tmp, "no-such-exercise.json"), "--batch", subs, "--csv", bad_csv], "a missing exercise"),
        ([ex, "--batch", os.path.join(tmp, "nope"), "--csv", bad_csv], "a missing folder"),
        ([ex, "--batch", empty, "--csv", bad_csv], "an empty folder"),
        ([ex, "--batch", subs, "--csv", os.path.join(tmp, "nope", "x.csv")], "an unwritable CSV"),
        ([ex, "--batch", subs, "-j", "0"], "-j 0"),
        ([ex, "--batch", subs, "--timeout", "-1"], "a negative timeout"),
        ([ex, os.path.join(subs, "reference.txt"), "--batch", subs], "a submission beside --batch"),
        ([ex, "--batch", subs, "--format", "junit"], "--format with --batch"),
    ]:
        p = run([mailsim, "grade"] + args)
        if p.returncode != 2 or not p.stderr:
            fail("%s: exit %d (expected 2 with a message), stderr %r" % (what, p.returncode, p.stderr))
        if os.path.exists(bad_csv):
            fail("%s: a CSV was written" % what)
    print("ok: %d submissions, %d errors, %d rejected, -j 1 == -j 2" % (len(names), len(errors), len(rejected)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
