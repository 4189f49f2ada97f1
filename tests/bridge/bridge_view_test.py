#!/usr/bin/env python3
"""`mailsim bridge --view` (issue 7 item 4): the viewer on a live bridge run.

usage: bridge_view_test.py MAILSIM SRCDIR WORKDIR

Run on a display (ctest runs it under xvfb-run; SDL_VIDEODRIVER=dummy works
too). Starts the bridge on scenarios/bridge-lab.json with --view, delivers a
message with Python's smtplib through it while the window's frame loop runs
the simulation, stops the bridge with SIGINT, and checks: a clean exit, the
ledger with the message delivered, the window's last frame saved as a PNG
(of the window's size, not blank), and the window's scene, as text, showing
the real session as the gateway's: its SMTP lines in the log and the
message held by the gateway and the MX."""
import os
import shutil
import signal
import smtplib
import struct
import subprocess
import sys
import time
import zlib

MAILSIM, SRC, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
READY = os.path.join(WORK, "ports")
PNG = os.path.join(WORK, "view.png")
TEXT = os.path.join(WORK, "view.txt")
failed = 0


def check(name, cond, detail=""):
    global failed
    print(("ok   %s" if cond else "FAIL %s") % name, flush=True)
    if not cond:
        failed += 1
        if detail:
            print("     %s" % detail, flush=True)


def png_info(path):
    """(width, height, distinct byte values in the pixel data) of a PNG."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    pos, w, h, idat = 8, 0, 0, b""
    while pos + 8 <= len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    return w, h, len(set(zlib.decompress(idat)))


out = open(os.path.join(WORK, "bridge.out"), "w")
bridge = subprocess.Popen([MAILSIM, "bridge", os.path.join(SRC, "scenarios", "bridge-lab.json"), "--listen",
                           "0=mx:25", "--ready-file", READY, "--view", "--view-png", PNG, "--view-text", TEXT],
                          stdout=out, stderr=subprocess.STDOUT)
rc = "hung"
try:
    for _ in range(600):
        if os.path.exists(READY) and open(READY).read().strip() or bridge.poll() is not None:
            break
        time.sleep(0.05)
    port = int(open(READY).read().split()[0])
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as s:
        refused = s.sendmail("juan@example.org", ["maria@example.org"],
                             "From: juan@example.org\r\nTo: maria@example.org\r\nSubject: seen in the viewer\r\n"
                             "Message-ID: <view-1@lab.example.org>\r\n\r\nhello from a real client\r\n")
    check("smtplib delivers through the bridge while the viewer runs it", refused == {}, refused)
    time.sleep(1.0)  # a few frames more: the session closes on screen
finally:
    if bridge.poll() is None:
        bridge.send_signal(signal.SIGINT)
    try:
        rc = bridge.wait(timeout=60)
    except subprocess.TimeoutExpired:
        bridge.kill()
    out.close()

text = open(os.path.join(WORK, "bridge.out")).read()
check("SIGINT closes the window and ends the bridge cleanly (exit 0)", rc == 0, "exit %s\n%s" % (rc, text[-2000:]))
check("the stop is reported as interrupted", "(interrupted)" in text, text[-800:])
check("the ledger balances", "balanced" in text, text[-800:])
check("the ledger shows the message delivered",
      "message <view-1@lab.example.org> from <juan@example.org>: delivered" in text and
      "maria@example.org: delivered at mx" in text, text[-800:])
info = png_info(PNG) if os.path.exists(PNG) else None
check("the window's last frame is saved as a PNG of the window's size",
      info is not None and info[:2] == (1280, 800), info)
check("the frame is not blank", info is not None and info[2] > 16, info)
scene = open(TEXT).read() if os.path.exists(TEXT) else ""
check("the viewer showed the real client's lines as the gateway's (lab -> mx)",
      "lab → mx SMTP C: mail FROM:<juan@example.org>" in scene and "lab → mx SMTP C: QUIT" in scene, scene[-1500:])
check("the viewer showed the server's replies (mx -> lab)", "mx → lab SMTP S: 250 2.0.0 Ok: queued as" in scene,
      scene[-1500:])
check("the viewer tracked the message's hops (held by lab and mx)",
      "<view-1@lab.example.org> held=lab,mx" in scene, scene[:1500])
check("the viewer saw it stored in the mailbox", "mail delivered" in scene and "maria@example.org: INBOX" in scene,
      scene[-1500:])
print("%d failed" % failed)
sys.exit(1 if failed else 0)
