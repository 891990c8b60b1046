#!/usr/bin/env python3
"""Reads the free-text corpora (hand_written.tsv, generated.tsv) with `dinhdanh check` and with the
open-source parser `vietnamadminunits` (PyPI, MIT) in the same run, and prints both rates.

Not part of CI (it needs `pip install vietnamadminunits==1.0.4` and a built binary):
    cargo build --release -p dinhdanh
    python3 api/src/rules/address/corpus/compare_vietnamadminunits.py [path/to/dinhdanh]

Expected units: `pre:CODE` (June-2025 commune), `post:CODE` (post-2025 commune), `district:CODE`
(pre-2025 district, no commune). vietnamadminunits gets every chance: a `pre` case is parsed in
LEGACY mode; a `post` case in FROM_2025 mode, then LEGACY + its own conversion; a `district` case in
LEGACY mode at district level. dinhdanh reads each text as the one-cell `residenceText` of
`dinhdanh check`, whose output carries the unit codes of both schemes."""
import csv, os, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..', '..', '..', '..'))


def cases(name):
    out = []
    with open(os.path.join(HERE, name), encoding='utf-8') as f:
        for line in f:
            if line.startswith('#') or not line.strip():
                continue
            text, want = line.rstrip('\n').split('\t')[:2]
            out.append((text.replace('\\n', '\n'), want))
    return out


def theirs(text, want):
    from vietnamadminunits import convert_address, parse_address
    kind, code = want.split(':')
    try:
        if kind == 'pre':
            return parse_address(text, mode='LEGACY', level=3).ward_code == code
        if kind == 'district':
            a = parse_address(text, mode='LEGACY', level=2)
            return a.district_code == code and not a.ward_code
        if parse_address(text, mode='FROM_2025', level=2).ward_code == code:
            return True
        return convert_address(text).ward_code == code
    except Exception:
        return False


def ours(binary, all_cases):
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, 'corpus.csv'), os.path.join(tmp, 'corpus.checked.csv')
        with open(src, 'w', newline='', encoding='utf-8') as f:
            w = csv.writer(f)
            w.writerow(['fullName', 'residenceText'])
            for text, _ in all_cases:
                w.writerow(['Nguyễn Văn An', text])
        subprocess.run([binary, 'check', src, '--out', dst], check=False, capture_output=True)
        with open(dst, encoding='utf-8') as f:
            rows = list(csv.DictReader(f))
    result = []
    for (_, want), r in zip(all_cases, rows):
        kind, code = want.split(':')
        if kind == 'pre':
            result.append(r['normScheme'] == 'pre2025' and r['normCommuneCode'] == code)
        elif kind == 'district':
            result.append(r['normScheme'] == 'pre2025' and r['normDistrictCode'] == code and not r['normCommuneCode'])
        else:
            result.append(r['post2025CommuneCode'] == code)
    return result


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'target', 'release', 'dinhdanh')
    sets = [(name, cases(name)) for name in ('hand_written.tsv', 'generated.tsv')]
    everything = [c for _, c in sets for c in c]
    started = time.time()
    our = ours(binary, everything)
    our_secs = time.time() - started
    started = time.time()
    their = [theirs(t, w) for t, w in everything]
    their_secs = time.time() - started
    at = 0
    for name, c in sets:
        n = len(c)
        a, b = sum(our[at:at + n]), sum(their[at:at + n])
        print(f'{name}: {n} addresses; dinhdanh {a} ({100 * a / n:.1f}%), vietnamadminunits {b} ({100 * b / n:.1f}%)')
        at += n
    n = len(everything)
    print(f'all: {n} addresses; dinhdanh {100 * sum(our) / n:.1f}% in {our_secs:.1f} s, '
          f'vietnamadminunits {100 * sum(their) / n:.1f}% in {their_secs:.1f} s')


if __name__ == '__main__':
    main()
