#!/usr/bin/python3
"""charsets-vs-python.py TEST_BLOB - compare swh-fetch's decoders with
Python's codecs (the reference: The Stack v2 decoded with them).

For every codec swh-fetch knows (`TEST_BLOB --list`), feed byte sequences
to `TEST_BLOB --dump CODEC` and to bytes.decode(CODEC) and compare the
UTF-8 results, "invalid" included: all 1- and 2-byte sequences for
multi-byte codecs (plus all EUC-JP 3-byte ones and a seeded sample of
GB18030 4-byte ones), all single bytes and all pairs of high bytes for
single-byte codecs.  Prints one line per codec; exits 1 on any difference.
"""
import random
import subprocess
import sys


def seqs(codec, kind):
    for a in range(256):
        yield bytes([a])
    if kind == "sbcs":
        for a in range(0x80, 256):
            for b in range(0x80, 256):
                yield bytes([a, b])
        return
    for a in range(256):
        for b in range(256):
            yield bytes([a, b])
    if codec == "euc_jp":
        for b in range(256):
            for c in range(256):
                yield bytes([0x8F, b, c])
    if codec == "gb18030":
        rnd = random.Random(2024)
        for _ in range(50000):
            yield bytes([rnd.randrange(0x81, 0xFF), rnd.randrange(0x30, 0x3A),
                         rnd.randrange(0x81, 0xFF), rnd.randrange(0x30, 0x3A)])


def main():
    tool = sys.argv[1]
    listing = subprocess.run([tool, "--list"], check=True, capture_output=True,
                             text=True).stdout.split("\n")
    bad = 0
    for line in filter(None, listing):
        codec, kind = line.split()
        data = list(seqs(codec, kind))
        out = subprocess.run([tool, "--dump", codec], check=True,
                             input="".join(s.hex() + "\n" for s in data),
                             capture_output=True, text=True).stdout.split("\n")
        diffs = []
        for s, got in zip(data, out):
            try:
                want = s.decode(codec).encode("utf-8").hex()
            except UnicodeError:
                want = "ERR"
            if got != want:
                diffs.append((s.hex(), want, got))
        if len(out) != len(data) + 1:
            diffs.append(("lines", len(data), len(out) - 1))
        print("%s %s: %d sequences, %d differences %s" % (
            codec, kind, len(data), len(diffs), diffs[:3]))
        bad += len(diffs) > 0
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
