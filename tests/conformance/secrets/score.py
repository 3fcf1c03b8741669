#!/usr/bin/python3
"""score.py - score pii-scrub against gitleaks' labelled rule tests.

Runs pii-scrub once over every case of gitleaks-cases.jsonl (one record per
case) with --audit, then counts:

  * a true positive (kind "tp") as found when the findings cover at least
    half of the bytes of its "secret" (the substring gitleaks reports; for
    "user:password" pairs we redact only the password); "strict" counts
    only secrets covered entirely.  A tp without "secret" is found when
    anything in it is found.
  * a clean false positive (kind "fp", other_rule_hits == []) as touched
    when anything in it is redacted.

Groups: "named" = the rules of the providers and kinds pii-scrub's issue
names (AWS, GitHub, GitLab, Slack, Google, OpenAI, Anthropic, Stripe,
Twilio, SendGrid, npm, Hugging Face, private keys, JWT, generic-api-key);
"all" = every tp.  With --min-named, --min-all, --max-fp the script exits 1
when a floor is missed (make test uses the issue's floors).

usage: score.py [--bin PATH] [--cases FILE] [--min-named R] [--min-all R]
                [--max-fp R] [--rules] [--misses RULE] [--json FILE]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

NAMED = ('aws-', 'github-', 'gitlab-', 'slack-', 'gcp-api-key', 'openai-',
         'anthropic-', 'stripe-', 'twilio-', 'sendgrid-', 'npm-',
         'huggingface-', 'private-key', 'jwt', 'generic-api-key')


def named(rule):
    return any(rule == p or (p.endswith('-') and rule.startswith(p))
               for p in NAMED)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    top = os.path.abspath(os.path.join(here, '..', '..', '..'))
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', default=os.path.join(
        os.environ.get('CODESIFT_BIN', os.path.join(top, 'bin')),
        'pii-scrub'))
    ap.add_argument('--cases', default=os.path.join(here,
                                                    'gitleaks-cases.jsonl'))
    ap.add_argument('--min-named', type=float, default=0)
    ap.add_argument('--min-all', type=float, default=0)
    ap.add_argument('--max-fp', type=float, default=1)
    ap.add_argument('--rules', action='store_true',
                    help='print recall per gitleaks rule')
    ap.add_argument('--misses', metavar='RULE',
                    help='print the missed tps (and touched fps) of RULE '
                    '("all" for every rule)')
    ap.add_argument('--json', metavar='FILE', help='write the figures')
    ap.add_argument('args', nargs='*', help='more pii-scrub arguments')
    a = ap.parse_args()

    cases = [json.loads(l) for l in open(a.cases, encoding='utf-8')]
    with tempfile.TemporaryDirectory() as tmp:
        inp = os.path.join(tmp, 'in.jsonl')
        aud = os.path.join(tmp, 'audit.jsonl')
        with open(inp, 'w', encoding='utf-8') as f:
            for i, c in enumerate(cases):
                f.write(json.dumps({'blob_id': str(i), 'content': c['text']},
                                   ensure_ascii=False) + '\n')
        r = subprocess.run([a.bin, '--no-progress', '--audit', aud,
                            '-o', os.path.join(tmp, 'out.jsonl'), inp]
                           + a.args, capture_output=True, text=True)
        if r.returncode != 0:
            sys.stderr.write(r.stderr)
            sys.exit('score.py: pii-scrub exited with status %d'
                     % r.returncode)
        spans = {}
        kinds = {}
        for l in open(aud, encoding='utf-8'):
            e = json.loads(l)
            spans.setdefault(int(e['id']), []).append((e['start'], e['end']))
            kinds.setdefault(int(e['id']), set()).add(e['rule'])

    stats = {}   # rule -> [tp, found, strict, fp, touched]

    def st(rule):
        return stats.setdefault(rule, [0, 0, 0, 0, 0])

    misses = []
    for i, c in enumerate(cases):
        s = st(c['rule_id'])
        found = spans.get(i, [])
        if c['kind'] == 'tp':
            s[0] += 1
            sec = c.get('secret')
            text = c['text'].encode('utf-8')
            if not sec:
                ok = strict = bool(found)
            else:
                b = sec.encode('utf-8')
                at = text.find(b)
                if at < 0:
                    ok = strict = bool(found)
                else:
                    cov = set()
                    for (x, y) in found:
                        cov.update(range(max(x, at), min(y, at + len(b))))
                    ok = 2 * len(cov) >= len(b)
                    strict = len(cov) == len(b)
            s[1] += ok
            s[2] += strict
            if not ok:
                misses.append((c['rule_id'], 'missed', c['text']))
        elif c.get('other_rule_hits') == []:
            s[3] += 1
            if found:
                s[4] += 1
                misses.append((c['rule_id'], 'touched (%s)' %
                               ','.join(sorted(kinds[i])), c['text']))

    def tot(pred):
        t = [0, 0, 0, 0, 0]
        for rule, v in stats.items():
            if pred(rule):
                t = [x + y for x, y in zip(t, v)]
        return t

    g_named = tot(named)
    g_all = tot(lambda r: True)

    def ratio(x, y):
        return x / y if y else 1.0

    res = {
        'named': {'tp': g_named[0], 'found': g_named[1],
                  'recall': ratio(g_named[1], g_named[0]),
                  'strict_recall': ratio(g_named[2], g_named[0])},
        'all': {'tp': g_all[0], 'found': g_all[1],
                'recall': ratio(g_all[1], g_all[0]),
                'strict_recall': ratio(g_all[2], g_all[0])},
        'clean_fp': {'cases': g_all[3], 'touched': g_all[4],
                     'share': ratio(g_all[4], g_all[3]) if g_all[3] else 0},
    }
    if a.rules:
        for rule in sorted(stats):
            v = stats[rule]
            print('%-46s tp %4d found %4d (%5.1f%%)  fp %3d touched %d' % (
                rule, v[0], v[1], 100 * ratio(v[1], v[0]), v[3], v[4]))
    if a.misses:
        for rule, what, text in misses:
            if a.misses in ('all', rule):
                print('%s %s: %s' % (rule, what, json.dumps(text)[:300]))
    print('gitleaks cases: named-provider rules: recall %.2f%% (%d/%d, '
          'strict %.2f%%); all rules: recall %.2f%% (%d/%d, strict '
          '%.2f%%); clean false positives touched: %.2f%% (%d/%d)' % (
              100 * res['named']['recall'], g_named[1], g_named[0],
              100 * res['named']['strict_recall'],
              100 * res['all']['recall'], g_all[1], g_all[0],
              100 * res['all']['strict_recall'],
              100 * res['clean_fp']['share'], g_all[4], g_all[3]))
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(res, f, indent=1)
            f.write('\n')
    bad = []
    if res['named']['recall'] < a.min_named:
        bad.append('named-provider recall below %.2f%%' % (100 * a.min_named))
    if res['all']['recall'] < a.min_all:
        bad.append('overall recall below %.2f%%' % (100 * a.min_all))
    if res['clean_fp']['share'] > a.max_fp:
        bad.append('false-positive share above %.2f%%' % (100 * a.max_fp))
    for b in bad:
        print('score.py: ' + b, file=sys.stderr)
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
