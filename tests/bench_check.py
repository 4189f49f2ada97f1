#!/usr/bin/env python3
"""Smoke tests of `mailsim bench` (tests/bench.cmake): runs a benchmark with
tiny sizes and checks its JSON has every figure and that the measured run
was a correct one. Never asserts on wall time: benchmarks measure, tests do
not judge speed.

usage: bench_check.py MAILSIM kernel|tcp|smtp|mail|mailbox|mailbox-dovecot|usage

Exit code 77 (skipped): mailbox-dovecot without Dovecot installed.
"""
import json
import os
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


def check_mail(mailsim):
    small = ["bench", "mail", "--messages", "200", "--mtas", "5", "--uas", "50", "--json"]
    p = run(mailsim, small + ["--no-postfix"])
    d = json.loads(p.stdout)
    if d.get("benchmark") != "mail" or d.get("ok") is not True or d.get("messages") != 200:
        fail("mail: bad header: %s" % p.stdout[:300])
    figures(d, ["wall_seconds", "cpu_seconds", "setup_seconds", "simulated_seconds", "events", "events_per_second",
                "messages_per_wall_second", "delivered", "mailbox_bytes", "body_bytes_total", "peak_rss_bytes",
                "peak_rss_over_mailbox_bytes"], "mail")
    if d["all_delivered"] is not True or d["delivered"] != 200:
        fail("mail: not every message was delivered: %s" % p.stdout[:500])
    if (d["mtas"], d["uas"], d["gateways"], d["domains"], d["smtp_hops_per_message"]) != (5, 50, 1, 4, 3):
        fail("mail: wrong topology: %s" % p.stdout[:500])
    # Sizes are 2-50 KB of body; the mailboxes hold that plus headers.
    if not 200 * 2048 <= d["body_bytes_total"] <= 200 * 51200 or d["mailbox_bytes"] <= d["body_bytes_total"]:
        fail("mail: implausible byte counts: %s" % p.stdout[:500])
    # Sends are spread over 600 simulated seconds; a hop takes milliseconds.
    if not 500 < d["simulated_seconds"] < 700 or d["events"] < 200 * 3 * 10:
        fail("mail: implausible simulated time or too few events: %s" % p.stdout[:500])
    if d["postfix"].get("skipped") is not True:
        fail("mail: --no-postfix did not skip the reference")
    # Same seed, same simulated run; another seed, other sizes.
    d2 = json.loads(run(mailsim, small + ["--no-postfix"]).stdout)
    for k in ("events", "simulated_seconds", "mailbox_bytes", "body_bytes_total"):
        if d2[k] != d[k]:
            fail("mail: same seed, different %s (%r vs %r)" % (k, d[k], d2[k]))
    d3 = json.loads(run(mailsim, small + ["--no-postfix", "--seed", "2"]).stdout)
    if d3["body_bytes_total"] == d["body_bytes_total"]:
        fail("mail: seeds 1 and 2 sent the same bytes")
    # The Postfix reference when the tools are there; a note when not.
    d4 = json.loads(run(mailsim, small).stdout)
    pf = d4["postfix"]
    if os.access("/usr/sbin/smtp-source", os.X_OK) and os.access("/usr/sbin/smtp-sink", os.X_OK):
        if pf.get("available") is not True or pf.get("skipped") is not False:
            fail("mail: postfix is installed but the reference did not run: %r" % pf)
        figures(pf, ["wall_seconds", "messages", "body_bytes", "size_bands", "messages_counted_by_sink",
                     "messages_per_wall_second", "mailsim_wall_over_postfix_wall"], "mail postfix")
        if pf["messages"] != 200 or pf["messages_counted_by_sink"] != 200:
            fail("mail: smtp-sink did not count every message: %r" % pf)
        if abs(pf["body_bytes"] - d4["body_bytes_total"]) > 200:
            fail("mail: the reference sent other sizes: %r vs %r" % (pf["body_bytes"], d4["body_bytes_total"]))
    elif pf.get("skipped") is not True or not pf.get("reason"):
        fail("mail: no tools, yet the reference is not reported skipped: %r" % pf)
    for bad in (["--mtas", "1"], ["--mtas", "5", "--uas", "3"], ["--messages", "0"], ["--routers", "300"],
                ["--interval", "x"], ["extra"]):
        run(mailsim, ["bench", "mail", "--no-postfix"] + bad, 2)
    if "usage: mailsim bench mail" not in run(mailsim, ["bench", "mail", "--help"]).stdout:
        fail("bench mail --help prints no usage")


MAILBOX_IMAP = ["imap_login", "imap_select", "imap_fetch", "imap_sync", "imap_search", "imap_logout"]
MAILBOX_POP3 = ["pop3_login", "pop3_stat", "pop3_list", "pop3_uidl", "pop3_retr_all", "pop3_quit", "pop3_download",
                "pop3_retr_one"]
MAILBOX_FIGURES = ["samples", "median_us", "p99_us", "mean_us", "max_us", "total_seconds"]
MAILBOX_CPU = ["cpu_median_us", "cpu_p99_us", "cpu_total_seconds"]


def mailbox_side(side, users, messages, where, cpu):
    """Every command's figures, one sample per user (per message for one RETR)."""
    figures(side, ["users_measured", "wall_seconds", "response_bytes"], where)
    if side["users_measured"] != users:
        fail("%s: %r users measured, expected %d" % (where, side["users_measured"], users))
    for proto, keys in (("imap", MAILBOX_IMAP), ("pop3", MAILBOX_POP3)):
        p = side[proto]
        for k in keys:
            if k not in p:
                fail("%s %s: no %s figures" % (where, proto, k))
            figures(p[k], MAILBOX_FIGURES + (MAILBOX_CPU if cpu else []), "%s %s %s" % (where, proto, k))
            if not cpu and "cpu_median_us" in p[k]:
                fail("%s %s %s: the client's CPU time is not Dovecot's" % (where, proto, k))
            want = users * messages if k == "pop3_retr_one" else users
            if p[k]["samples"] != want:
                fail("%s %s %s: %r samples, expected %d" % (where, proto, k, p[k]["samples"], want))
            if not 0 < p[k]["median_us"] <= p[k]["p99_us"] <= p[k]["max_us"]:
                fail("%s %s %s: median, p99 and max out of order: %r" % (where, proto, k, p[k]))


def check_mailbox(mailsim):
    small = ["bench", "mailbox", "--users", "4", "--messages", "30", "--no-dovecot", "--json"]
    p = run(mailsim, small)
    d = json.loads(p.stdout)
    if d.get("benchmark") != "mailbox" or d.get("ok") is not True or (d["users"], d["messages_per_user"]) != (4, 30):
        fail("mailbox: bad header: %s" % p.stdout[:300])
    figures(d, ["messages", "distinct_bodies", "distinct_body_bytes", "multipart_bodies", "mailbox_bytes",
                "generate_seconds", "fill_store_seconds", "peak_rss_bytes"], "mailbox")
    if d["messages"] != 120 or d["distinct_bodies"] != 120 or not 120 * 300 < d["mailbox_bytes"] < 120 * 20000:
        fail("mailbox: implausible mail: %s" % p.stdout[:500])
    mailbox_side(d["mailsim"], 4, 30, "mailbox mailsim", True)
    if d["dovecot"].get("ran") is not False or d["dovecot"].get("reason") != "--no-dovecot":
        fail("mailbox: --no-dovecot did not skip Dovecot: %r" % d["dovecot"])
    # Same seed, same mail; another seed, other mail.
    d2 = json.loads(run(mailsim, small).stdout)
    if (d2["mailbox_bytes"], d2["mailsim"]["response_bytes"]) != (d["mailbox_bytes"], d["mailsim"]["response_bytes"]):
        fail("mailbox: same seed, different mail or responses")
    d3 = json.loads(run(mailsim, small + ["--seed", "2"]).stdout)
    if d3["mailbox_bytes"] == d["mailbox_bytes"]:
        fail("mailbox: seeds 1 and 2 made the same mail")
    # Users sharing a corpus smaller than all their messages.
    d4 = json.loads(run(mailsim, ["bench", "mailbox", "--users", "6", "--messages", "20", "--distinct", "50",
                                  "--no-dovecot", "--json"]).stdout)
    if d4["distinct_bodies"] != 50 or d4["messages"] != 120:
        fail("mailbox: --distinct not honoured: %r" % d4["distinct_bodies"])
    mailbox_side(d4["mailsim"], 6, 20, "mailbox shared", True)
    text = run(mailsim, small[:-1]).stdout
    for needle in ("IMAP full sync (SELECT + FETCH)", "IMAP SEARCH FROM", "POP3 download (STAT..QUIT)",
                   "Dovecot: not run: --no-dovecot"):
        if needle not in text:
            fail("mailbox: the report has no '%s':\n%s" % (needle, text))
    for bad in (["--users", "0"], ["--messages", "x"], ["--distinct", "10", "--messages", "20"],
                ["--users", "3", "--dovecot-users", "4"], ["extra"], ["--bogus"]):
        run(mailsim, ["bench", "mailbox", "--no-dovecot"] + bad, 2)
    if "usage: mailsim bench mailbox" not in run(mailsim, ["bench", "mailbox", "--help"]).stdout:
        fail("bench mailbox --help prints no usage")


def check_mailbox_dovecot(mailsim):
    if not all(os.access(f, os.X_OK) for f in ("/usr/sbin/dovecot", "/usr/lib/dovecot/imap", "/usr/lib/dovecot/pop3")):
        d = json.loads(run(mailsim, ["bench", "mailbox", "--users", "2", "--messages", "5", "--json"]).stdout)
        if d["dovecot"].get("ran") is not False or "not installed" not in d["dovecot"].get("reason", ""):
            fail("mailbox: no Dovecot, yet no reason given: %r" % d["dovecot"])
        print("skipped: Dovecot is not installed (apt-get install dovecot-imapd dovecot-pop3d)")
        sys.exit(77)
    p = run(mailsim, ["bench", "mailbox", "--users", "4", "--messages", "25", "--dovecot-users", "3", "--json"])
    d = json.loads(p.stdout)
    dc = d["dovecot"]
    if dc.get("ran") is not True:
        fail("mailbox: Dovecot is installed but did not run: %r" % dc.get("reason"))
    mailbox_side(dc, 3, 25, "mailbox dovecot", False)
    mailbox_side(d["mailsim"], 4, 25, "mailbox mailsim", True)
    figures(dc["imap"]["imap_first_sync_cold"], MAILBOX_FIGURES, "mailbox dovecot first sync")
    figures(dc, ["maildir_export_seconds", "start_seconds"], "mailbox dovecot")
    for k in ("imap_sync", "imap_search", "pop3_download"):
        for ratios in ("dovecot_median_over_mailsim_median", "dovecot_median_over_mailsim_cpu_median"):
            figures(d[ratios], [k], "mailbox " + ratios)
        for goal in ("goal_10x", "goal_10x_cpu"):
            if not isinstance(d[goal].get(k), bool):
                fail("mailbox: %s %s not judged: %r" % (goal, k, d[goal]))


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
    checks = {"kernel": check_kernel, "tcp": check_tcp, "smtp": check_smtp, "mail": check_mail,
              "mailbox": check_mailbox, "mailbox-dovecot": check_mailbox_dovecot, "usage": check_usage}
    if len(sys.argv) != 3 or sys.argv[2] not in checks:
        print(__doc__)
        sys.exit(2)
    checks[sys.argv[2]](sys.argv[1])
    print("ok")


main()
