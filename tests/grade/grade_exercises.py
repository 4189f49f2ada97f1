#!/usr/bin/env python3
"""Grades every submission of one exercise (or of all of them) with
`mailsim grade` and compares the reports with the exercise's expected
results (docs/exercises.md, "Expected results"):

    grade_exercises.py MAILSIM EXERCISES_DIR WORKDIR [NAME]

For the exercise folder EXERCISES_DIR/NAME (every folder when NAME is not
given) it checks:

- the layout: exercise.json, README.md in English and Spanish, a reference
  submission (submissions/reference*), at least three other submissions,
  and an expected/*.json for every submission (and no expected file
  without its submission);
- every submission, graded with --format json: the exit status (0 all
  passed, 1 some failed; never 2), the report's shape (score is the sum of
  the checks' scores, max_score the sum of their points, every check of
  exercise.json reported once), and the expected score, max_score, failed
  check ids, status, and substrings of details and of the reason;
- every reference scores full marks;
- determinism: the reference's text report is the same bytes in two runs,
  in English and in Spanish;
- Spanish: with --lang es a failed check's feedback is the exercise's
  Spanish text (JSON), the text report shows it, and titles come out in
  Spanish.

Prints one line per failure and "N passed, M failed"; exit status 1 if any
check failed, 2 on bad arguments.
"""
import json
import os
import re
import subprocess
import sys

failures = 0
passes = 0


def expect(cond, what):
    global failures, passes
    if cond:
        passes += 1
    else:
        failures += 1
        print("FAIL: " + what)
    return cond


def norm(s):
    """Collapse white space, so that a report that wraps long lines still
    contains the feedback text."""
    return re.sub(r"\s+", " ", s).strip()


def stem(name):
    """The submission's name without its last extension: reference.eml ->
    reference; a folder keeps its name."""
    base, ext = os.path.splitext(name)
    return base if ext and base else name


def run_grade(mailsim, exercise, sub, workdir, fmt, lang=None):
    args = [mailsim, "grade", exercise, sub, "--format", fmt]
    if lang:
        args += ["--lang", lang]
    try:
        r = subprocess.run(args, capture_output=True, cwd=workdir, timeout=240)
    except subprocess.TimeoutExpired:
        return None, b"", b"timed out after 240 s"
    return r.returncode, r.stdout, r.stderr


def text_of(t, lang):
    if isinstance(t, dict):
        return t.get(lang)
    return None


def check_layout(exdir, name, ex):
    """The folder's files; returns the list of submission entry names."""
    readme = os.path.join(exdir, "README.md")
    if expect(os.path.isfile(readme), "%s: README.md is missing" % name):
        with open(readme, encoding="utf-8") as f:
            txt = f.read()
        # The statement in both languages: a heading or paragraph per language.
        # The statement in both languages: common words of each.
        en = len(re.findall(r"(?i)\b(the|and|you|must|with)\b", txt))
        es = len(re.findall(r"(?i)\b(el|los|las|que|del|con|tiene)\b", txt))
        expect(en >= 5 and es >= 5, "%s: README.md should hold the statement in English and in Spanish" % name)
    expect(ex.get("id") == name, "%s: exercise.json id is %r, not the folder's name" % (name, ex.get("id")))
    for key in ("title", "statement"):
        t = ex.get(key)
        expect(isinstance(t, dict) and t.get("en") and t.get("es"),
               "%s: exercise.json %s needs both \"en\" and \"es\"" % (name, key))
    for c in ex.get("checks", []):
        fb = c.get("feedback")
        expect(isinstance(fb, dict) and fb.get("en") and fb.get("es") and fb.get("en") != fb.get("es"),
               "%s: check %s needs feedback in English and Spanish" % (name, c.get("id")))
    subdir = os.path.join(exdir, "submissions")
    subs = sorted(os.listdir(subdir)) if os.path.isdir(subdir) else []
    subs = [s for s in subs if not s.startswith(".")]
    refs = [s for s in subs if s.startswith("reference")]
    others = [s for s in subs if not s.startswith("reference")]
    expect(len(refs) >= 1, "%s: no reference submission (submissions/reference.EXT)" % name)
    expect(len(others) >= 3, "%s: %d wrong submissions, at least 3 are needed" % (name, len(others)))
    expdir = os.path.join(exdir, "expected")
    exp_files = sorted(os.listdir(expdir)) if os.path.isdir(expdir) else []
    known = set()
    for s in subs:
        known.add(s + ".json")
        known.add(stem(s) + ".json")
    for e in exp_files:
        expect(e in known, "%s: expected/%s has no submission" % (name, e))
    return subs


def expected_for(exdir, sub):
    """expected/NAME.EXT.json (when two submissions share a stem, such as
    reference.c and reference.py), else expected/NAME.json."""
    for cand in (sub + ".json", stem(sub) + ".json"):
        p = os.path.join(exdir, "expected", cand)
        if os.path.isfile(p):
            return p
    return None


def check_report_shape(name, sub, ex, rep):
    """The report JSON of docs/exercises.md, consistent with the exercise."""
    where = "%s/%s" % (name, sub)
    for key in ("exercise", "submission", "lang", "status", "score", "max_score", "checks"):
        if not expect(key in rep, "%s: report has no %r" % (where, key)):
            return False
    expect(rep["exercise"] == ex.get("id"), "%s: report names exercise %r" % (where, rep["exercise"]))
    expect(rep["status"] in ("graded", "rejected"), "%s: status %r" % (where, rep["status"]))
    if rep["status"] == "rejected":
        expect(bool(rep.get("reason")), "%s: a rejected submission needs a reason" % where)
    checks = rep["checks"]
    ids = [c.get("id") for c in checks]
    want = [c.get("id") for c in ex.get("checks", [])]
    # The core adds program-ran (0 points) for kind program.
    got = [i for i in ids if i != "program-ran"]
    expect(got == want, "%s: report checks %s, exercise checks %s" % (where, got, want))
    total = sum(c.get("score", 0) for c in checks)
    points = sum(c.get("points", 0) for c in checks)
    expect(abs(total - rep["score"]) < 1e-6, "%s: score %s is not the sum of the checks' %s" %
           (where, rep["score"], total))
    expect(abs(points - rep["max_score"]) < 1e-6, "%s: max_score %s is not the sum of points %s" %
           (where, rep["max_score"], points))
    for c in checks:
        for key in ("id", "title", "points", "score", "passed", "feedback", "detail"):
            expect(key in c, "%s: check %s has no %r" % (where, c.get("id"), key))
        if "score" in c and "points" in c:
            expect(0 <= c["score"] <= c["points"] + 1e-9, "%s: check %s scored %s of %s" %
                   (where, c.get("id"), c["score"], c["points"]))
            if c.get("passed"):
                expect(abs(c["score"] - c["points"]) < 1e-9,
                       "%s: check %s passed with %s of %s points" % (where, c.get("id"), c["score"], c["points"]))
        if c.get("passed") is False and c.get("id") != "program-ran":
            expect(bool(c.get("detail")), "%s: failed check %s has no detail" % (where, c.get("id")))
    return True


def grade_submission(mailsim, exdir, name, ex, sub, workdir):
    """Grades one submission and compares with its expected results;
    returns its report (or None)."""
    where = "%s/%s" % (name, sub)
    exp_path = expected_for(exdir, sub)
    if not expect(exp_path is not None, "%s: no expected/%s.json" % (where, stem(sub))):
        return None
    with open(exp_path, encoding="utf-8") as f:
        try:
            want = json.load(f)
        except ValueError as e:
            expect(False, "%s: %s is not JSON: %s" % (where, exp_path, e))
            return None
    rc, out, err = run_grade(mailsim, os.path.join(exdir, "exercise.json"),
                             os.path.join(exdir, "submissions", sub), workdir, "json")
    if not expect(rc in (0, 1), "%s: mailsim grade exit %s: %s" % (where, rc, err.decode(errors="replace")[-2000:])):
        return None
    try:
        rep = json.loads(out.decode("utf-8"))
    except ValueError as e:
        expect(False, "%s: the report is not JSON (%s): %r" % (where, e, out[:300]))
        return None
    if not check_report_shape(name, sub, ex, rep):
        return None
    failed = [c["id"] for c in rep["checks"] if not c.get("passed")]
    expect(rc == (0 if not failed else 1), "%s: exit %d with failed checks %s" % (where, rc, failed))
    if "score" in want:
        expect(abs(rep["score"] - want["score"]) < 1e-6,
               "%s: score %s, expected %s (failed: %s)" % (where, rep["score"], want["score"], failed))
    if "max_score" in want:
        expect(abs(rep["max_score"] - want["max_score"]) < 1e-6,
               "%s: max_score %s, expected %s" % (where, rep["max_score"], want["max_score"]))
    if "failed" in want:
        expect(sorted(failed) == sorted(want["failed"]),
               "%s: failed checks %s, expected %s" % (where, sorted(failed), sorted(want["failed"])))
    if "status" in want:
        expect(rep["status"] == want["status"], "%s: status %s, expected %s (reason: %s)" %
               (where, rep["status"], want["status"], rep.get("reason")))
    if "reason_contains" in want:
        expect(want["reason_contains"] in (rep.get("reason") or ""),
               "%s: reason %r does not contain %r" % (where, rep.get("reason"), want["reason_contains"]))
    by_id = {c["id"]: c for c in rep["checks"]}
    for cid, sub_text in (want.get("detail_contains") or {}).items():
        c = by_id.get(cid)
        if expect(c is not None, "%s: detail_contains names check %s, not in the report" % (where, cid)):
            expect(sub_text in (c.get("detail") or ""),
                   "%s: check %s detail %r does not contain %r" % (where, cid, c.get("detail"), sub_text))
    if sub.startswith("reference"):
        expect(not failed and abs(rep["score"] - rep["max_score"]) < 1e-6 and rep["status"] == "graded",
               "%s: the reference scores %s of %s (failed: %s)" % (where, rep["score"], rep["max_score"], failed))
    return rep


def check_text_and_spanish(mailsim, exdir, name, ex, ref, wrong, workdir):
    exfile = os.path.join(exdir, "exercise.json")
    refpath = os.path.join(exdir, "submissions", ref)
    outs = {}
    for lang in ("en", "es"):
        runs = [run_grade(mailsim, exfile, refpath, workdir, "text", lang) for _ in range(2)]
        expect(all(r[0] == 0 for r in runs), "%s/%s: text report (%s) exit %s" %
               (name, ref, lang, [r[0] for r in runs]))
        expect(runs[0][1] == runs[1][1] and len(runs[0][1]) > 0,
               "%s/%s: the text report (%s) differs between two runs" % (name, ref, lang))
        outs[lang] = runs[0][1].decode("utf-8", errors="replace")
    expect(outs["en"] != outs["es"], "%s/%s: the English and Spanish text reports are the same" % (name, ref))
    # Titles given by the exercise come out in the report's language.
    es_norm = norm(outs["es"])
    for c in ex.get("checks", []):
        t = text_of(c.get("title"), "es")
        if t and t != text_of(c.get("title"), "en"):
            expect(norm(t) in es_norm, "%s/%s: --lang es text report lacks the title %r" % (name, ref, t))
    if not wrong:
        return
    # A wrong submission's failed checks carry the Spanish feedback.
    wpath = os.path.join(exdir, "submissions", wrong)
    rc, out, err = run_grade(mailsim, exfile, wpath, workdir, "json", "es")
    if not expect(rc == 1, "%s/%s: --lang es exit %s: %s" % (name, wrong, rc, err.decode(errors="replace")[-500:])):
        return
    rep = json.loads(out.decode("utf-8"))
    expect(rep.get("lang") == "es", "%s/%s: report lang %r with --lang es" % (name, wrong, rep.get("lang")))
    fb = {c["id"]: c["feedback"]["es"] for c in ex.get("checks", [])}
    failed = [c for c in rep["checks"] if not c.get("passed") and c["id"] in fb]
    expect(len(failed) > 0, "%s/%s: no failed check to show Spanish feedback" % (name, wrong))
    for c in failed:
        expect(c.get("feedback") == fb[c["id"]], "%s/%s: check %s feedback in --lang es is %r" %
               (name, wrong, c["id"], c.get("feedback")))
    rc, out, err = run_grade(mailsim, exfile, wpath, workdir, "text", "es")
    txt = norm(out.decode("utf-8", errors="replace"))
    if failed:
        expect(norm(fb[failed[0]["id"]]) in txt, "%s/%s: the --lang es text report lacks the feedback of %s" %
               (name, wrong, failed[0]["id"]))


def check_exercise(mailsim, exdir, name, workdir):
    exfile = os.path.join(exdir, "exercise.json")
    if not expect(os.path.isfile(exfile), "%s: no exercise.json" % name):
        return
    with open(exfile, encoding="utf-8") as f:
        try:
            ex = json.load(f)
        except ValueError as e:
            expect(False, "%s: exercise.json is not JSON: %s" % (name, e))
            return
    subs = check_layout(exdir, name, ex)
    reports = {}
    for sub in subs:
        reports[sub] = grade_submission(mailsim, exdir, name, ex, sub, workdir)
    refs = [s for s in subs if s.startswith("reference") and reports.get(s)]
    wrong = [s for s in subs if not s.startswith("reference") and reports.get(s) and
             reports[s]["status"] == "graded" and any(not c.get("passed") for c in reports[s]["checks"])]
    if refs:
        check_text_and_spanish(mailsim, exdir, name, ex, refs[0], wrong[0] if wrong else None, workdir)
    expect(bool(wrong) or not subs, "%s: no graded wrong submission fails a check" % name)


def main():
    if len(sys.argv) not in (4, 5):
        print(__doc__.split("\n\n")[1])
        return 2
    mailsim, root, workdir = sys.argv[1:4]
    root = os.path.abspath(root)
    workdir = os.path.abspath(workdir)
    mailsim = os.path.abspath(mailsim)
    os.makedirs(workdir, exist_ok=True)
    if len(sys.argv) == 5:
        names = [sys.argv[4]]
    else:
        names = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    for name in names:
        check_exercise(mailsim, os.path.join(root, name), name, workdir)
    print("%d passed, %d failed" % (passes, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
