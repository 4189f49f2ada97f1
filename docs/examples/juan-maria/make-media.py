#!/usr/bin/env python3
"""Writes the sample's attachments, deterministically and with no libraries
beyond Python's own: foto.jpg (a 64x48 grayscale baseline JPEG of a sunset,
encoded by the small JPEG encoder below) and serenata.wav (a short 8 kHz
tune). Run from anywhere: the files land next to this script."""
import math
import os
import struct
import wave

HERE = os.path.dirname(os.path.abspath(__file__))

ZIGZAG = [0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6,
          7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31,
          39, 46, 53, 60, 61, 54, 47, 55, 62, 63]
QUANT = [16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
         14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
         49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99]
# The example Huffman tables of ITU T.81 Annex K (luminance).
DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
DC_VALS = list(range(12))
AC_BITS = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d]
AC_VALS = [
    0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
    0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0,
    0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28,
    0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
    0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
    0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
    0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
    0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5,
    0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
    0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
    0xf9, 0xfa]
assert sum(DC_BITS) == len(DC_VALS) and sum(AC_BITS) == len(AC_VALS) == 162


def huffman_codes(bits, vals):
    codes, code, k = {}, 0, 0
    for length in range(1, 17):
        for _ in range(bits[length - 1]):
            codes[vals[k]] = (code, length)
            code += 1
            k += 1
        code <<= 1
    return codes


class BitWriter:
    def __init__(self):
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def put(self, value, length):
        for i in range(length - 1, -1, -1):
            self.acc = (self.acc << 1) | ((value >> i) & 1)
            self.n += 1
            if self.n == 8:
                self.out.append(self.acc)
                if self.acc == 0xFF:
                    self.out.append(0)  # byte stuffing
                self.acc = self.n = 0

    def flush(self):
        while self.n:
            self.put(1, 1)  # pad with 1-bits


def category(v):
    v = abs(v)
    n = 0
    while v:
        n += 1
        v >>= 1
    return n


def put_value(w, v, size):
    if size:
        w.put(v if v >= 0 else v + (1 << size) - 1, size)


def fdct(block):
    out = [0.0] * 64
    for u in range(8):
        for v in range(8):
            s = 0.0
            for x in range(8):
                for y in range(8):
                    s += block[y * 8 + x] * math.cos((2 * x + 1) * u * math.pi / 16) * \
                        math.cos((2 * y + 1) * v * math.pi / 16)
            cu = 1 / math.sqrt(2) if u == 0 else 1
            cv = 1 / math.sqrt(2) if v == 0 else 1
            out[v * 8 + u] = 0.25 * cu * cv * s
    return out


def jpeg(width, height, pixel):
    dc = huffman_codes(DC_BITS, DC_VALS)
    ac = huffman_codes(AC_BITS, AC_VALS)
    w = BitWriter()
    prev_dc = 0
    for by in range(0, height, 8):
        for bx in range(0, width, 8):
            block = [pixel(bx + i % 8, by + i // 8) - 128 for i in range(64)]
            coef = fdct(block)
            q = [int(round(coef[ZIGZAG[k]] / QUANT[ZIGZAG[k]])) for k in range(64)]
            diff = q[0] - prev_dc
            prev_dc = q[0]
            size = category(diff)
            w.put(*dc[size])
            put_value(w, diff, size)
            run = 0
            for k in range(1, 64):
                if q[k] == 0:
                    run += 1
                    continue
                while run > 15:
                    w.put(*ac[0xF0])
                    run -= 16
                size = category(q[k])
                w.put(*ac[(run << 4) | size])
                put_value(w, q[k], size)
                run = 0
            if run:
                w.put(*ac[0x00])
    w.flush()

    def segment(marker, payload):
        return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload

    data = b"\xff\xd8"
    data += segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    data += segment(0xDB, bytes([0]) + bytes(QUANT[ZIGZAG[k]] for k in range(64)))
    data += segment(0xC0, struct.pack(">BHHBBBB", 8, height, width, 1, 1, 0x11, 0))
    data += segment(0xC4, bytes([0x00]) + bytes(DC_BITS) + bytes(DC_VALS))
    data += segment(0xC4, bytes([0x10]) + bytes(AC_BITS) + bytes(AC_VALS))
    data += segment(0xDA, bytes([1, 1, 0x00, 0, 63, 0]))
    return data + bytes(w.out) + b"\xff\xd9"


def sunset(x, y):
    """Sky brighter towards the horizon, a sun, and dark sea below it."""
    if y >= 34:
        return 40 + (3 * x + 5 * y) % 12
    if (x - 32) ** 2 + (y - 30) ** 2 <= 81:
        return 250
    return 90 + 4 * y


def serenade(path):
    rate = 8000
    notes = [392, 440, 494, 523, 494, 440, 392, 330]  # G A B C B A G E
    frames = bytearray()
    for f in notes:
        for i in range(rate // 5):
            env = min(1.0, i / 200) * (1 - i / (rate // 5))
            frames.append(128 + int(90 * env * math.sin(2 * math.pi * f * i / rate)))
    with wave.open(path, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(1)
        wav.setframerate(rate)
        wav.writeframes(bytes(frames))


if __name__ == "__main__":
    with open(os.path.join(HERE, "foto.jpg"), "wb") as f:
        f.write(jpeg(64, 48, sunset))
    serenade(os.path.join(HERE, "serenata.wav"))
