#!/usr/bin/env python3
"""Writes foto.png, the image the mime-image exercise attaches: a 48x32
RGB picture of a sunset over the sea, deterministic, made with Python's own
zlib (no imaging library). Then builds the reference submission with
`mailsim msg build reference-spec.json` if a mailsim binary is given:

    python3 make-media.py [path/to/mailsim]

Run from anywhere: the files land next to this script."""
import os
import struct
import subprocess
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
W, H = 48, 32


def pixel(x, y):
    sun = (x - 24) ** 2 + (y - 18) ** 2 <= 49
    if y >= 20:  # the sea, with a reflection under the sun
        glint = abs(x - 24) < 6 - (y - 20) // 3 and (x + y) % 3 == 0
        return (250, 200, 90) if glint else (20, 60 + y * 2, 140 + y * 2)
    if sun:
        return (255, 210, 60)
    return (250, 120 + y * 3, 60 + y * 2)  # the sky, orange to pink


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png():
    raw = b"".join(b"\x00" + bytes(c for x in range(W) for c in pixel(x, y)) for y in range(H))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main():
    with open(os.path.join(HERE, "foto.png"), "wb") as f:
        f.write(png())
    if len(sys.argv) > 1:
        out = subprocess.run([sys.argv[1], "msg", "build", os.path.join(HERE, "reference-spec.json")],
                             check=True, capture_output=True).stdout
        with open(os.path.join(HERE, "submissions", "reference.eml"), "wb") as f:
            f.write(out)


if __name__ == "__main__":
    main()
