/* The benchmarks of `mailsim bench`, one row each:
 *
 *   BENCH(name, "one-line summary")
 *
 * declares int bench_<name>_main(int argc, char **argv) (see bench.h) and
 * adds it to the table. To add a benchmark, write sim/bench/bench_<name>.c
 * defining that function and add its row here. No include guard: bench.h
 * and bench.c include this file with different definitions of BENCH. */
BENCH(kernel, "event queue: the hold model, beside a minimal binary heap")
BENCH(tcp, "SMTP-shaped TCP workload over a star of N clients")
BENCH(msg, "mail format: parse and build throughput beside Python's email package")
BENCH(smtp, "SMTP client and server engines in memory: messages per second")
BENCH(mail, "the whole journey: UAs, MTAs, gateways and DNS, beside Postfix's smtp-source")
BENCH(mailbox, "reading mail: IMAP sync and SEARCH, POP3 download, per command, beside Dovecot")
BENCH(viewer, "viewer frame times, headless software rendering at 1920x1080")
BENCH(bridge, "real clients through the bridge: smtp-source messages per second, beside smtp-sink")
BENCH(grade, "batch grading: 300 transcripts and 300 patches, -j 1 and -j 2, beside real Postfix+Dovecot")
BENCH(soak, "a simulated week of campus mail with daily faults: memory per day and the ledger")
