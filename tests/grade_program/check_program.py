#!/usr/bin/env python3
"""Kind "program" through `mailsim grade`, beyond what every exercise's
test checks (tests/grade.cmake): the grader and the programs it runs leave
nothing outside the grader's output paths, the opt-out of network
isolation is reported, and the program's outcome is told in Spanish.

    check_program.py MAILSIM SOURCE_DIR WORKDIR

Prints one line per failure and "N passed, M failed"."""
import json
import os
import shutil
import subprocess
import sys
import time

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


def grade(mailsim, exercise, sub, cwd, env=None, extra=()):
    e = dict(os.environ)
    e.update(env or {})
    r = subprocess.run([mailsim, "grade", exercise, sub, "--format", "json"] + list(extra),
                       capture_output=True, cwd=cwd, env=e, timeout=240)
    try:
        rep = json.loads(r.stdout.decode("utf-8"))
    except ValueError:
        rep = None
    return r.returncode, rep, r.stderr.decode("utf-8", "replace")


def check(rep, cid):
    for c in (rep or {}).get("checks", []):
        if c.get("id") == cid:
            return c
    return {}


def main():
    mailsim, src, work = sys.argv[1:4]
    mailsim = os.path.abspath(mailsim)
    src = os.path.abspath(src)
    work = os.path.abspath(work)
    exdir = os.path.join(src, "scenarios", "exercises", "smtp-client-program")
    exercise = os.path.join(exdir, "exercise.json")
    shutil.rmtree(work, ignore_errors=True)
    cwd = os.path.join(work, "cwd")
    tmp = os.path.join(work, "tmp")
    os.makedirs(cwd)
    os.makedirs(tmp)
    marker = "mailsim-litter-%d" % os.getpid()

    # 1. A littering program: nothing of it survives outside the grader's
    # work dir (which is removed), the report goes where it was asked.
    out = os.path.join(work, "report.json")
    env = {"TMPDIR": tmp, "LITTER_MARKER": marker}
    e = dict(os.environ)
    e.update(env)
    r = subprocess.run([mailsim, "grade", exercise, os.path.join(src, "tests", "grade_program", "litter.py"),
                        "--format", "json", "-o", out], capture_output=True, cwd=cwd, env=e, timeout=240)
    expect(r.returncode == 1, "litter.py: exit %d (%s)" % (r.returncode, r.stderr.decode()[-500:]))
    time.sleep(4)  # the daemon would write its "-later" files by now
    leftovers = [os.path.join(d, marker + s) for d in ("/tmp", "/var/tmp", "/dev/shm", cwd, tmp)
                 for s in ("-now", "-later") if os.path.exists(os.path.join(d, marker + s))]
    expect(not leftovers, "litter.py left files behind: %s" % leftovers)
    expect(os.listdir(cwd) == [], "the grader wrote in its working directory: %s" % os.listdir(cwd))
    expect(os.listdir(tmp) == [], "the grader left its work dir behind in TMPDIR: %s" % os.listdir(tmp))
    try:
        with open(out, encoding="utf-8") as f:
            rep = json.load(f)
    except (OSError, ValueError) as err:
        rep = None
        expect(False, "litter.py: no JSON report in -o FILE: %s" % err)
    ran = check(rep, "program-ran")
    expect(ran.get("passed") is True, "litter.py: program-ran %r" % ran)
    expect("littered" in ran.get("detail", ""), "litter.py: its output is not in the detail: %r" % ran.get("detail"))
    expect(check(rep, "local-delivered").get("passed") is False, "litter.py: delivered a message?")

    # 2. The opt-out of network isolation: graded, and said so.
    rc, rep, err = grade(mailsim, exercise, os.path.join(exdir, "submissions", "reference.py"), cwd,
                         {"MAILSIM_GRADE_NO_NETWORK_ISOLATION": "1", "TMPDIR": tmp})
    expect(rc == 0 and rep and rep.get("score") == 10, "opt-out: exit %s, report %s, %s" % (rc, rep, err[-300:]))
    expect("(run without network isolation)" in check(rep, "program-ran").get("detail", ""),
           "opt-out: the detail does not say so: %r" % check(rep, "program-ran").get("detail"))

    # 3. Spanish: the outcome of a program stopped at the time limit.
    rc, rep, err = grade(mailsim, exercise, os.path.join(exdir, "submissions", "wrong-no-quit.py"), cwd,
                         {"TMPDIR": tmp}, ["--lang", "es"])
    ran = check(rep, "program-ran")
    expect(rc == 1 and "fue detenido al llegar al límite de tiempo (10 s)" in ran.get("detail", ""),
           "es: program-ran detail %r (%s)" % (ran.get("detail"), err[-300:]))
    expect(ran.get("feedback", "").startswith("Tu programa no terminó normalmente"),
           "es: program-ran feedback %r" % ran.get("feedback"))
    expect(os.listdir(tmp) == [], "work dirs left in TMPDIR: %s" % os.listdir(tmp))

    # 4. A submission in a language the exercise does not take.
    sh = os.path.join(work, "mine.sh")
    with open(sh, "w") as f:
        f.write("echo hi\n")
    rc, rep, err = grade(mailsim, exercise, sh, cwd, {"TMPDIR": tmp})
    expect(rc == 1 and rep and rep.get("score") == 0 and
           "this exercise takes a program in C (.c) or Python (.py)" in check(rep, "program-ran").get("detail", ""),
           "mine.sh: exit %s, program-ran %r" % (rc, check(rep, "program-ran")))

    shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (passes, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
