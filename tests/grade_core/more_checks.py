#!/usr/bin/env python3
"""Check types and queries no shipped exercise uses: header present/absent
and received_order (right and reversed), and the queries mx_order,
delivered_count and bounced_count, on the received-trail scenario (MX 10
mx, 20 mx2; mx's link down at first, so the trail is smtp.gmail.com ->
mx2 -> mx; one message to maria, nothing bounced).

usage: more_checks.py MAILSIM SRCDIR"""
import json, os, subprocess, sys

mailsim, src = sys.argv[1], sys.argv[2]
ex = os.path.join(src, "tests", "grade_core", "more-checks", "exercise.json")
expect = {
    "right.json": {"mx-order": 2, "delivered": 1, "bounced": 1, "subject-no-bcc": 1, "trail": 3,
                   "trail-reversed": 0, "has-to": 0},
    "wrong.json": {"mx-order": 0, "delivered": 0, "bounced": 0, "subject-no-bcc": 1, "trail": 3,
                   "trail-reversed": 0, "has-to": 0},
}
failures = 0
for sub, scores in expect.items():
    p = subprocess.run([mailsim, "grade", ex, os.path.join(os.path.dirname(ex), sub), "--format", "json"],
                       capture_output=True, timeout=120)
    r = json.loads(p.stdout)
    got = {c["id"]: c["score"] for c in r["checks"]}
    if got != scores or p.returncode != 1:
        failures += 1
        print("FAIL %s: exit %d, scores %s, expected %s" % (sub, p.returncode, got, scores))
    else:
        print("ok   %s: %s of %s" % (sub, r["score"], r["max_score"]))
print("%d failed" % failures)
sys.exit(1 if failures else 0)
