#!/usr/bin/env python3
"""Script tests of scenarios and of `mailsim run` / `mailsim check`.

Usage: scenario_tests.py MAILSIM SOURCE_DIR WORK_DIR TEST
TEST is one of: bad, library, demos, determinism, exit-codes, summary.
Each prints what it checked and exits non-zero on the first failure."""
import glob
import json
import os
import subprocess
import sys

mailsim, src, work, test = sys.argv[1:5]
os.makedirs(work, exist_ok=True)
failures = 0


def run(args, cwd=None):
    p = subprocess.run([mailsim] + args, cwd=cwd, capture_output=True, timeout=600)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def fail(msg):
    global failures
    failures += 1
    print("FAIL: " + msg)


def expect(cond, msg):
    if not cond:
        fail(msg)
    return cond


def test_bad():
    """Every malformed scenario gives its own first error line and exit 2,
    from both `check` and `run`."""
    bad = os.path.join(src, "tests", "scenarios", "bad")
    files = sorted(glob.glob(os.path.join(bad, "*.json")))
    expect(len(files) >= 15, "at least 15 malformed scenarios (found %d)" % len(files))
    for path in files:
        name = os.path.basename(path)
        exp_path = path[:-5] + ".expected"
        if not expect(os.path.exists(exp_path), name + ": no .expected file"):
            continue
        with open(exp_path, encoding="utf-8") as f:
            want = f.read().rstrip("\n")
        for cmd in (["check", name], ["run", "--quiet", name]):
            rc, out, err = run(cmd, cwd=bad)
            first = err.split("\n")[0]
            expect(rc == 2, "%s: mailsim %s exit %d, want 2" % (name, cmd[0], rc))
            expect(first == want, "%s: mailsim %s said\n  %s\nwant\n  %s" % (name, cmd[0], first, want))
        print("ok", name)


def test_library():
    """Every scenario of the library (and the built-in one) is valid."""
    files = sorted(glob.glob(os.path.join(src, "scenarios", "*.json")))
    expect(len(files) >= 4, "at least 4 scenarios in scenarios/")
    rc, out, err = run(["check", "--default"] + files)
    expect(rc == 0, "mailsim check scenarios/*.json exit %d:\n%s" % (rc, err))
    expect(out.count(": ok (") == len(files) + 1, "one ok line per file:\n" + out)
    for f in files:
        md = f[:-5] + ".md"
        expect(os.path.exists(md), os.path.basename(f) + " has no companion .md")
    print(out, end="")


def test_demos():
    """Each demo meets the expectations written in it: the lossy 1 MiB
    echo arrives intact, the transfer survives the link outage, the closed
    port refuses, the default scenario completes."""
    for name, must in [("default", ["client hello", "complete"]),
                       ("lossy-transfer", ["client megabyte", "complete, 1048576 bytes sent, 1048576 received"]),
                       ("link-down-up", ["client upload", "complete, 524288 bytes sent"]),
                       ("closed-port", ["client closed", "refused"]),
                       ("slow-modem", ["client upload: laptop -> 10.1.0.2:9: complete", "queue-full"]),
                       ("asymmetric-route", ["client ping", "complete"]),
                       ("udp-vs-tcp", ["client stream: laptop -> 10.0.2.2:7: complete",
                                       "client datagrams: laptop -> 10.0.2.2:7/udp: timeout",
                                       "datagrams came back"])]:
        path = os.path.join(src, "scenarios", name + ".json")
        rc, out, err = run(["run", path])
        expect(rc == 0, "%s: exit %d\n%s%s" % (name, rc, out, err))
        for m in must:
            expect(m in out, "%s: report lacks %r:\n%s" % (name, m, out))
        print(out, end="")
    # The static route sends the laptop's packets over the satellite: the
    # handshake and three echoed lines take about four 260 ms round trips,
    # where the fiber alone would take about 40 ms.
    rc, out, err = run(["run", os.path.join(src, "scenarios", "asymmetric-route.json")])
    took = float(out.split("received in ")[1].split(" s")[0]) if "received in " in out else 0
    expect(1.0 < took < 1.5, "asymmetric-route: the client took %.3f s, want about 1.3 s" % took)
    rc, out, err = run(["run", os.path.join(src, "scenarios", "link-down-up.json")])
    expect("link-down" in out, "link-down-up: no packets dropped on the down link:\n" + out)
    rc, out, err = run(["run", os.path.join(src, "scenarios", "lossy-transfer.json")])
    expect("retransmitted" in out and " 0 retransmitted" not in out, "lossy: no retransmissions:\n" + out)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def test_determinism():
    """Same scenario and seed: byte-identical trace, pcap and summary; a
    different seed with loss on: a different trace."""
    scn = os.path.join(src, "scenarios", "lossy-transfer.json")
    outs = []
    for i, seed in enumerate(["7", "7", "8"]):
        t, p, s = (os.path.join(work, "det%d.%s" % (i, ext)) for ext in ("jsonl", "pcap", "json"))
        rc, out, err = run(["run", "--quiet", "--seed", seed, "--trace", t, "--pcap", p, "--summary", s, scn])
        expect(rc in (0, 1), "run %d exit %d: %s" % (i, rc, err))
        outs.append((read(t), read(p), read(s)))
    expect(len(outs[0][0]) > 1000, "the trace is empty")
    expect(outs[0][0] == outs[1][0], "two runs with seed 7 gave different traces")
    expect(outs[0][1] == outs[1][1], "two runs with seed 7 gave different pcaps")
    expect(outs[0][2] == outs[1][2], "two runs with seed 7 gave different summaries")
    expect(outs[0][0] != outs[2][0], "seeds 7 and 8 gave the same trace on a lossy path")
    # The seed comes from the scenario when not given: 1 for lossy-transfer.
    t1, t2 = os.path.join(work, "s1a.jsonl"), os.path.join(work, "s1b.jsonl")
    run(["run", "--quiet", "--trace", t1, scn])
    run(["run", "--quiet", "--seed", "1", "--trace", t2, scn])
    expect(read(t1) == read(t2), "the scenario's seed 1 and --seed 1 differ")
    # The built-in scenario is scenarios/juan-maria.json, embedded at build time.
    e1, e2 = os.path.join(work, "builtin.jsonl"), os.path.join(work, "file.jsonl")
    run(["run", "--quiet", "--trace", e1])
    run(["run", "--quiet", "--trace", e2, os.path.join(src, "scenarios", "juan-maria.json")])
    expect(len(read(e1)) > 1000 and read(e1) == read(e2), "the built-in scenario differs from scenarios/juan-maria.json")
    print("ok: traces of %d bytes identical for one seed, different for another" % len(outs[0][0]))


def test_exit_codes():
    d = os.path.join(src, "scenarios", "default.json")
    cases = [
        (["run", "--help"], 0, "usage: mailsim run"),
        (["check", "--help"], 0, "usage: mailsim check"),
        (["run", "--bogus", d], 2, "unknown option"),
        (["run", "--seed", "x", d], 2, "--seed"),
        (["run", "--seed"], 2, "needs a value"),
        (["run", "--until", "0s", d], 2, "--until"),
        (["run", "--until", "soon", d], 2, "--until"),
        (["run", d, d], 2, "one scenario file"),
        (["run", os.path.join(work, "missing.json")], 2, "cannot open"),
        (["run", "--trace", os.path.join(work, "no", "such", "dir", "t.jsonl"), d], 2, "--trace"),
        (["check"], 2, "no scenario file"),
        (["run", os.path.join(src, "tests", "scenarios", "expect-fail.json")], 1,
         "expectation failed: client hopeful: expected complete, got refused"),
        # The hello client needs about 110 ms from 100 ms: at 150 ms it is unfinished.
        (["run", "--until", "150ms", d], 1, "expected complete, got unfinished"),
        (["run", "--quiet", d], 0, None),
        ([], 0, "expect mailbox maria@dominio.de.maria INBOX: ok"),
    ]
    for args, want_rc, want_text in cases:
        rc, out, err = run(args)
        expect(rc == want_rc, "mailsim %s: exit %d, want %d\n%s%s" % (" ".join(args), rc, want_rc, out, err))
        if want_text:
            expect(want_text in out + err, "mailsim %s: output lacks %r:\n%s%s" % (" ".join(args), want_text, out, err))
        print("ok: mailsim %s -> %d" % (" ".join(args), rc))
    rc, out, err = run(["run", "--quiet", d])
    expect(out == "" and err == "", "--quiet printed something:\n" + out + err)


def test_summary():
    """--summary - writes one JSON document with the clients' outcomes."""
    rc, out, err = run(["run", "--quiet", "--summary", "-", os.path.join(src, "scenarios", "closed-port.json")])
    expect(rc == 0, "exit %d: %s" % (rc, err))
    def no_duplicates(pairs):
        keys = [k for k, _ in pairs]
        expect(len(keys) == len(set(keys)), "duplicate keys in the summary: %r" % keys)
        return dict(pairs)

    try:
        doc = json.loads(out, object_pairs_hook=no_duplicates)
    except ValueError as e:
        fail("summary is not JSON: %s\n%s" % (e, out))
        return
    outcomes = {c["name"]: c["outcome"] for c in doc.get("clients", [])}
    expect(outcomes == {"open": "complete", "closed": "refused", "nowhere": "timeout"}, "outcomes: %r" % outcomes)
    expect(doc.get("expectations") == {"total": 3, "failed": 0}, "expectations: %r" % doc.get("expectations"))
    expect(doc.get("seed") == 1, "seed: %r" % doc.get("seed"))
    closed = [c for c in doc.get("clients", []) if c["name"] == "closed"]
    expect(closed and closed[0].get("start_ns") == 200000000 and closed[0].get("end_ns", 0) > 200000000,
           "client closed: %r" % closed)
    print("ok: summary has", sorted(doc.keys()))


def test_pcap():
    """tshark decodes the default scenario's capture: as many frames as the
    report's segments, and no TCP analysis flags on a lossless run."""
    import shutil
    tshark = shutil.which("tshark")
    if not tshark:
        print("SKIP: tshark is not installed (scripts/quickstart test installs it)")
        sys.exit(77)
    cap = os.path.join(work, "default.pcap")
    rc, out, err = run(["run", "--pcap", cap, os.path.join(src, "scenarios", "default.json")])
    expect(rc == 0, "exit %d: %s" % (rc, err))
    segments = int(out.split(" segments sent")[0].rsplit(" ", 1)[1])
    def tshark_count(*args):
        p = subprocess.run([tshark, "-r", cap] + list(args), capture_output=True, timeout=300)
        expect(p.returncode == 0, "tshark failed: " + p.stderr.decode("utf-8", "replace"))
        return len([l for l in p.stdout.decode("utf-8", "replace").split("\n") if l.strip()])
    frames = tshark_count()
    flagged = tshark_count("-Y", "tcp.analysis.flags")
    expect(frames == segments, "tshark read %d frames, the report says %d segments" % (frames, segments))
    expect(flagged == 0, "%d frames with TCP analysis flags in a lossless run" % flagged)
    print("ok: %d frames, %d flagged" % (frames, flagged))


tests = {"pcap": test_pcap, "bad": test_bad, "library": test_library, "demos": test_demos, "determinism": test_determinism,
         "exit-codes": test_exit_codes, "summary": test_summary}
tests[test]()
if failures:
    print("%d failure(s)" % failures)
    sys.exit(1)
