#!/usr/bin/env python3
"""Smoke tests of `mailsim bench grade` (tests/grade_batch.cmake): a tiny
run, its JSON checked for every figure, for submissions actually graded
(no errors) and for -j 1 == -j 2. Never asserts on wall time.

usage: check_bench.py MAILSIM bench|bench-reference

bench: --count 12 --no-reference. bench-reference: --count 4 with one run
of the Postfix+Dovecot reference, which must deliver. Exit code 77
(skipped): no `mailsim grade` in this build, the exercises missing, or
(bench-reference) the reference cannot run here (not installed, not
root): the JSON says why."""
import json
import subprocess
import sys


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def number(obj, key, where):
    v = obj.get(key)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
        fail("%s: '%s' is not a non-negative number: %r" % (where, key, v))
    return v


def main():
    mailsim, which = sys.argv[1], sys.argv[2]
    if subprocess.run([mailsim, "grade", "--help"], capture_output=True).returncode != 0:
        print("SKIP: this mailsim has no `grade` command")
        return 77
    for bad in (["--count", "0"], ["--ref-runs", "10"], ["--timeout", "x"], ["--nope"], ["extra"]):
        p = subprocess.run([mailsim, "bench", "grade"] + bad, capture_output=True, text=True, timeout=60)
        if p.returncode != 2 or not p.stderr:
            fail("bench grade %s: exit %d, expected 2 with a message" % (" ".join(bad), p.returncode))
    p = subprocess.run([mailsim, "bench", "grade", "--help"], capture_output=True, text=True, timeout=60)
    if p.returncode != 0 or "usage: mailsim bench grade" not in p.stdout:
        fail("bench grade --help prints no usage")
    args = [mailsim, "bench", "grade", "--json"]
    args += ["--count", "12", "--no-reference"] if which == "bench" else ["--count", "4", "--ref-runs", "1"]
    p = subprocess.run(args, capture_output=True, text=True, timeout=280)
    if p.returncode != 0 and "no submissions in" in p.stderr:
        print("SKIP: " + p.stderr.strip())
        return 77
    if p.returncode != 0:
        fail("%s exited %d\nstdout: %s\nstderr: %s" % (" ".join(args), p.returncode, p.stdout[-2000:],
                                                       p.stderr[-3000:]))
    r = json.loads(p.stdout)
    if r.get("benchmark") != "grade" or r.get("submissions") != (12 if which == "bench" else 4):
        fail("unexpected JSON: %r" % r)
    if len(r["batches"]) != 4:
        fail("4 batches expected: %r" % r["batches"])
    for b in r["batches"]:
        for k in ("wall_s", "submissions_per_s", "ms_per_submission", "cpu_ms_per_submission"):
            number(b, k, "batch %s -j %s" % (b.get("kind"), b.get("jobs")))
    for kind in ("transcript", "patch"):
        o = r[kind]
        total = sum(number(o, k, kind) for k in ("graded", "rejected", "errors"))
        if total != r["submissions"] or o["errors"] != 0:
            fail("%s: %r (every submission graded or rejected, none errored)" % (kind, o))
        if o["identical_j1_j2"] is not True:
            fail("%s: -j 1 and -j 2 differ" % kind)
    if r["goals"]["identical_j1_j2"] is not True:
        fail("goals: %r" % r["goals"])
    ref = r["reference"]
    if which == "bench-reference":
        if not ref["available"]:
            print("SKIP: the reference cannot run here: " + ref.get("why", "?"))
            return 77
        for k in ("wall_s", "dovecot_start_s", "postfix_start_s", "replay_s", "delivery_check_s",
                  "postfix_stop_s", "dovecot_stop_s"):
            number(ref, k, "reference")
        number(r, "speedup_per_submission", "speedup")
        if "Postfix" not in ref.get("servers", ""):
            fail("reference servers: %r" % ref)
    elif ref["available"]:
        fail("--no-reference, yet a reference: %r" % ref)
    print("ok: %s" % json.dumps(r)[:300])
    return 0


if __name__ == "__main__":
    sys.exit(main())
