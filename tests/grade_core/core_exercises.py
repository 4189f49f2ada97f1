#!/usr/bin/env python3
"""The grader core's own exercises (smtp-by-hand, mx-records,
received-trail): every submission graded with --format json matches its
expected/*.json (score, failed ids, detail substrings) and the exit status;
JUnit output parses as XML with one testcase per check; Gradescope output
has the keys Gradescope reads; text output is the same bytes twice."""
import json, os, subprocess, sys
import xml.etree.ElementTree as ET

mailsim, src = sys.argv[1], sys.argv[2]
failures = 0

def fail(msg):
    global failures
    failures += 1
    print("FAIL:", msg)

for name in ("smtp-by-hand", "mx-records", "received-trail"):
    ex = os.path.join(src, "scenarios", "exercises", name)
    subs = os.path.join(ex, "submissions")
    for sub in sorted(os.listdir(subs)):
        path = os.path.join(subs, sub)
        want = json.load(open(os.path.join(ex, "expected", os.path.splitext(sub)[0] + ".json")))
        p = subprocess.run([mailsim, "grade", ex, path, "--format", "json"], capture_output=True, timeout=120)
        r = json.loads(p.stdout)
        failed = [c["id"] for c in r["checks"] if not c["passed"]]
        if r["score"] != want["score"] or r["max_score"] != want["max_score"] or failed != want["failed"]:
            fail("%s/%s: score %s/%s failed %s, expected %s" % (name, sub, r["score"], r["max_score"], failed, want))
        if p.returncode != (0 if not want["failed"] else 1):
            fail("%s/%s: exit %d" % (name, sub, p.returncode))
        details = {c["id"]: c["detail"] for c in r["checks"]}
        for cid, text in want.get("detail_contains", {}).items():
            if text not in details.get(cid, ""):
                fail("%s/%s: %s detail %r lacks %r" % (name, sub, cid, details.get(cid), text))
        x = subprocess.run([mailsim, "grade", ex, path, "--format", "junit"], capture_output=True, timeout=120)
        root = ET.fromstring(x.stdout)
        cases = root.find("testsuite").findall("testcase")
        if len(cases) != len(r["checks"]) or len([c for c in cases if c.find("failure") is not None]) != len(failed):
            fail("%s/%s: junit testcases do not match the checks" % (name, sub))
        g = json.loads(subprocess.run([mailsim, "grade", ex, path, "--format", "gradescope"], capture_output=True,
                                      timeout=120).stdout)
        if g["score"] != r["score"] or any(set(t) < {"name", "score", "max_score", "status", "output"} for t in g["tests"]):
            fail("%s/%s: gradescope keys" % (name, sub))
    ref = [p for p in os.listdir(subs) if p.startswith("reference")][0]
    for lang in ("en", "es"):
        outs = [subprocess.run([mailsim, "grade", ex, os.path.join(subs, ref), "--lang", lang], capture_output=True,
                               timeout=120).stdout for _ in range(2)]
        if outs[0] != outs[1] or not outs[0]:
            fail("%s: text report in %s differs between runs" % (name, lang))

# Bad input to the grader: exit 2.
if subprocess.run([mailsim, "grade", os.path.join(src, "scenarios", "exercises", "smtp-by-hand"), "/nonexistent"],
                  capture_output=True).returncode != 2:
    fail("a missing submission must exit 2")
print("%d failures" % failures)
sys.exit(1 if failures else 0)
