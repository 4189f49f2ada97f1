#!/usr/bin/env python3
"""Smoke tests of `mailsim bench` (tests/bench.cmake): runs a benchmark with
tiny sizes and checks its JSON has every figure and that the measured run
was a correct one. Never asserts on wall time: benchmarks measure, tests do
not judge speed.

usage: bench_check.py MAILSIM kernel|tcp|smtp|usage
"""
import json
import subprocess
import sys


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def run(mailsim, args, want_rc=0):
    p = subprocess.run([mailsim] + args, capture_output=True, text=True, timeout=600)
    if p.returncode != want_rc:
        fail("%s exited %d, expected %d\nstdout: %s\nstderr: %s"
             % (" ".join(args), p.returncode, want_rc, p.stdout[-2000:], p.stderr[-2000:]))
    return p


def figures(obj, keys, where):
    for k in keys:
        if k not in obj:
            fail("%s: no '%s' in %s" % (where, k, json.dumps(obj)[:500]))
        v = obj[k]
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            fail("%s: '%s' is not a number: %r" % (where, k, v))
        if v < 0:
            fail("%s: '%s' is negative: %r" % (where, k, v))


def check_kernel(mailsim):
    p = run(mailsim, ["bench", "kernel", "--events", "10000", "--queue", "100,1000", "--repeat", "1", "--json"])
    d = json.loads(p.stdout)  # exactly one JSON document, nothing else on stdout
    if d.get("benchmark") != "kernel" or d.get("ok") is not True or d.get("events") != 10000:
        fail("kernel: bad header: %s" % p.stdout[:300])
    figures(d, ["peak_rss_bytes", "kernel_entry_bytes_per_event"], "kernel")
    if [r["queue"] for r in d["runs"]] != [100, 1000]:
        fail("kernel: runs are not Q = 100 and 1000")
    for r in d["runs"]:
        where = "kernel Q=%d" % r["queue"]
        if r.get("same_event_sequence") is not True:
            fail(where + ": the kernel and the reference heap disagree")
        figures(r, ["kernel_time_over_heap_time", "end_time_ns", "peak_rss_bytes_so_far"], where)
        for side in ("kernel", "ref_heap"):
            figures(r[side], ["events_per_second", "ns_per_event", "wall_seconds", "cpu_seconds", "queue_bytes",
                              "queue_bytes_per_pending_event", "entry_bytes_per_event"], where + " " + side)
            if r[side]["pending_events"] != r["queue"]:
                fail(where + " " + side + ": the population did not stay Q")
            if r[side]["events_per_second"] <= 0:
                fail(where + " " + side + ": no events per second")
    # A different seed gives a different event sequence (the seed is used).
    p2 = run(mailsim, ["bench", "kernel", "--events", "10000", "--queue", "100", "--repeat", "1", "--seed", "2",
                       "--json"])
    if json.loads(p2.stdout)["runs"][0]["end_time_ns"] == d["runs"][0]["end_time_ns"]:
        fail("kernel: seeds 1 and 2 ended at the same simulated time")


def check_tcp(mailsim):
    p = run(mailsim, ["bench", "tcp", "--clients", "10,20", "--transactions", "3", "--json"])
    d = json.loads(p.stdout)
    if d.get("benchmark") != "tcp" or d.get("ok") is not True:
        fail("tcp: bad header: %s" % p.stdout[:300])
    figures(d, ["peak_rss_bytes", "cost_growth_first_to_last", "body_bytes"], "tcp")
    if [r["clients"] for r in d["runs"]] != [10, 20]:
        fail("tcp: runs are not N = 10 and 20")
    for r in d["runs"]:
        where = "tcp N=%d" % r["clients"]
        figures(r, ["wall_seconds", "cpu_seconds", "setup_seconds", "simulated_seconds", "events",
                    "events_per_second", "transactions", "transactions_per_wall_second", "ns_per_transaction",
                    "events_per_transaction", "segments_sent", "retransmissions", "idle_malloc_bytes_per_client",
                    "idle_rss_bytes_per_client", "peak_rss_bytes_so_far"], where)
        if r["all_transactions_completed"] is not True or r["transactions"] != r["clients"] * 3:
            fail(where + ": not every transaction completed")
        # Every client talks for ~13 round trips of 10 ms after a start in the first second.
        if not 0.1 < r["simulated_seconds"] < 600:
            fail(where + ": implausible simulated time %r" % r["simulated_seconds"])
        # Each 10,243-byte body alone needs 8 segments of at most 1460 bytes.
        if r["segments_sent"] < r["transactions"] * 8 or r["events"] < r["segments_sent"]:
            fail(where + ": too few segments or events for the bytes moved")
    # Same seed, same simulated run.
    p2 = run(mailsim, ["bench", "tcp", "--clients", "10", "--transactions", "3", "--json"])
    a, b = json.loads(p2.stdout)["runs"][0], d["runs"][0]
    for k in ("events", "simulated_seconds", "segments_sent"):
        if a[k] != b[k]:
            fail("tcp: same seed, different %s (%r vs %r)" % (k, a[k], b[k]))


def check_smtp(mailsim):
    p = run(mailsim, ["bench", "smtp", "--messages", "300", "--size", "5k", "--per-connection", "70", "--json"])
    d = json.loads(p.stdout)
    if d.get("benchmark") != "smtp" or d.get("ok") is not True or d.get("messages") != 300:
        fail("smtp: bad header: %s" % p.stdout[:300])
    figures(d, ["message_bytes", "recipients_per_message", "messages_per_connection", "wall_seconds",
                "cpu_seconds", "messages_per_second", "megabytes_per_second", "peak_rss_bytes"], "smtp")
    if not 4000 < d["message_bytes"] <= 5000:
        fail("smtp: messages of %r octets for --size 5k" % d["message_bytes"])
    run(mailsim, ["bench", "smtp", "--rcpts", "0"], 2)
    run(mailsim, ["bench", "smtp", "--size", "big"], 2)


def check_usage(mailsim):
    p = run(mailsim, ["bench", "--help"])
    for name in ("kernel", "tcp"):
        if "\n  %s " % name not in p.stdout:
            fail("bench --help does not list %s:\n%s" % (name, p.stdout))
    run(mailsim, ["bench"], 2)
    run(mailsim, ["bench", "no-such-benchmark"], 2)
    run(mailsim, ["bench", "kernel", "--events", "ten"], 2)
    run(mailsim, ["bench", "kernel", "--queue", "100,,5"], 2)
    run(mailsim, ["bench", "kernel", "--bogus"], 2)
    run(mailsim, ["bench", "tcp", "--clients", "0"], 2)
    run(mailsim, ["bench", "tcp", "--transactions", "-1"], 2)
    run(mailsim, ["bench", "tcp", "extra"], 2)
    for name in ("kernel", "tcp"):
        if "usage: mailsim bench " + name not in run(mailsim, ["bench", name, "--help"]).stdout:
            fail("bench %s --help prints no usage" % name)


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in ("kernel", "tcp", "smtp", "usage"):
        print(__doc__)
        sys.exit(2)
    {"kernel": check_kernel, "tcp": check_tcp, "smtp": check_smtp, "usage": check_usage}[sys.argv[2]](sys.argv[1])
    print("ok")


main()
