#!/usr/bin/python3
"""pii_sample.py - print N random findings of pii-scrub with their context,
for a precision check by eye.

usage: pii_sample.py CORPUS.jsonl AUDIT.jsonl [N] [SEED]

AUDIT is pii-scrub's --audit file for CORPUS (offsets are byte offsets into
each record's text).  Each line shows the rule, the file's path and the
finding in [[...]] with 50 bytes on each side (newlines as \u23ce).  This
prints the values themselves: it is a reviewer's tool, not for logs.
"""
import json
import random
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    corpus, audit = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    found = [json.loads(l) for l in open(audit, encoding='utf-8')]
    random.seed(seed)
    pick = sorted(random.sample(range(len(found)), min(n, len(found))))
    want = {found[i]['id'] for i in pick}
    text = {}
    for line in open(corpus, encoding='utf-8'):
        r = json.loads(line)
        if r.get('blob_id') in want:
            text[r['blob_id']] = (r.get('path', ''), r['content'].encode())
    for k, i in enumerate(pick, 1):
        a = found[i]
        path, b = text[a['id']]
        s, e = a['start'], a['end']

        def show(x):
            return x.decode('utf-8', 'replace').replace('\n', '\u23ce')
        print('%3d %-12s %-20s %-36s %s[[%s]]%s' % (
            k, a['kind'], a['rule'], path[-36:], show(b[max(0, s - 50):s]),
            show(b[s:e]), show(b[e:e + 50])))


if __name__ == '__main__':
    main()
