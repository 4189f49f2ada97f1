#!/usr/bin/env python3
"""Mistake: reads "the whole mailbox" into memory, growing without end."""
chunks = []
while True:
    chunks.append(bytearray(16 * 1024 * 1024))
