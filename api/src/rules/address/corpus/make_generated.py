#!/usr/bin/env python3
"""Generates generated.tsv: free-text addresses written the ways people write them, from the
official lists in data/admin-units (the expected unit is the official code the text was made
from). Deterministic (fixed seed): `python3 make_generated.py > generated.tsv`.

Columns: text, expected (`pre:COMMUNE` June-2025 code, `post:COMMUNE` post-2025 code), official name."""
import csv, os, random, re, unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, '..', '..', '..', '..', '..', 'data', 'admin-units')
rnd = random.Random(2025)


def fold(s):
    s = unicodedata.normalize('NFD', s).replace('đ', 'd').replace('Đ', 'D')
    return unicodedata.normalize('NFC', ''.join(c for c in s if not unicodedata.combining(c)))


def key(s):
    return re.sub(r'[^a-z0-9]', '', fold(s).lower())


TYPES = ['Thành phố', 'Thị xã', 'Thị trấn', 'Tỉnh', 'Quận', 'Huyện', 'Phường', 'Xã', 'Đặc khu']


def split_type(name):
    for t in TYPES:
        if name.startswith(t + ' '):
            return t, name[len(t) + 1:]
    return '', name


ABBR = {'Thành phố': ['TP.', 'Tp.', 'TP', 'Tp'], 'Thị xã': ['TX.', 'TX', 'Tx.'], 'Thị trấn': ['TT.', 'TT', 'Tt.'],
        'Tỉnh': ['T.', 'Tỉnh', ''], 'Quận': ['Q.', 'Q', 'Q.'], 'Huyện': ['H.', 'H', 'Huyện'], 'Phường': ['P.', 'P', 'F.'],
        'Xã': ['X.', 'Xã', 'xã'], 'Đặc khu': ['Đặc khu']}
PROVINCE_SHORT = {'Thành phố Hồ Chí Minh': ['TP.HCM', 'TPHCM', 'Tp HCM', 'HCM', 'Sài Gòn', 'SG', 'Hồ Chí Minh'],
                  'Thành phố Hà Nội': ['HN', 'Hà Nội', 'TP Hà Nội', 'Ha Noi'],
                  'Thành phố Đà Nẵng': ['ĐN', 'Đà Nẵng', 'TP. Đà Nẵng', 'Da Nang'],
                  'Thành phố Hải Phòng': ['HP', 'Hải Phòng', 'TP Hải Phòng']}
STREETS = ['Lê Lợi', 'Trần Phú', 'Nguyễn Trãi', 'Hùng Vương', 'Quang Trung', 'Lý Thường Kiệt', 'Hai Bà Trưng']
ENGLISH = {'Phường': 'Ward', 'Xã': 'Commune', 'Thị trấn': 'Town', 'Quận': 'District', 'Huyện': 'District',
           'Thị xã': 'Town', 'Thành phố': 'City', 'Tỉnh': 'Province', 'Đặc khu': 'Special Zone'}


def house():
    return rnd.choice([f'Số {rnd.randint(1, 300)} {rnd.choice(STREETS)}', f'{rnd.randint(1, 99)}/{rnd.randint(1, 40)} {rnd.choice(STREETS)}',
                       f'Thôn {rnd.randint(1, 12)}', f'Tổ {rnd.randint(1, 30)}', f'Ngõ {rnd.randint(2, 400)} {rnd.choice(STREETS)}',
                       f'Hẻm {rnd.randint(2, 200)} {rnd.choice(STREETS)}', f'Khu phố {rnd.randint(1, 9)}', f'Xóm {rnd.randint(1, 9)}', ''])


def short(type_, name):
    a = rnd.choice(ABBR.get(type_, ['']))
    if not a:
        return name
    return a + name if a.endswith('.') and rnd.random() < 0.5 else f'{a} {name}'


def province_text(full):
    t, n = split_type(full)
    if full in PROVINCE_SHORT and rnd.random() < 0.6:
        return rnd.choice(PROVINCE_SHORT[full])
    return rnd.choice([full, n, short(t, n)])


old = [r for r in csv.DictReader(open(os.path.join(DATA, 'old_units.csv'))) if r['status'].startswith('in_force') and r['ward_code']]
new = list(csv.DictReader(open(os.path.join(DATA, 'new_units.csv'))))

# Only names that stay unique once folded within their parent (a name without diacritics must
# still name one unit) and districts unique by folded name within the province.
def unique(rows, parent, name):
    seen = {}
    for r in rows:
        k = (r[parent], key(split_type(r[name])[1]))
        seen[k] = seen.get(k, set()) | {r[name.replace('name', 'code')]}
    return {k for k, v in seen.items() if len(v) == 1}

ok_ward = unique(old, 'district_code', 'ward_name')
ok_district = unique({r['district_code']: r for r in old}.values(), 'province_code', 'district_name')
ok_new = unique(new, 'province_code', 'ward_name')
old = [r for r in old if (r['district_code'], key(split_type(r['ward_name'])[1])) in ok_ward
       and (r['province_code'], key(split_type(r['district_name'])[1])) in ok_district]
new = [r for r in new if (r['province_code'], key(split_type(r['ward_name'])[1])) in ok_new]

out = []
for r in rnd.sample(old, 400):
    ct, cn = split_type(r['ward_name'])
    dt, dn = split_type(r['district_name'])
    p = r['province_name']
    form = rnd.randrange(9)
    if form == 0:
        parts = [house(), r['ward_name'], r['district_name'], p]
    elif form == 1:
        parts = [house(), short(ct, cn), short(dt, dn), province_text(p)]
    elif form == 2:
        parts = [fold(x).lower() for x in [house(), r['ward_name'], r['district_name'], p]]
    elif form == 3:
        parts = [' '.join(fold(x).lower() for x in [r['ward_name'], r['district_name'], split_type(p)[1]])]
    elif form == 4:
        parts = [' - '.join([short(ct, cn), dn, province_text(p)])]
    elif form == 5:
        parts = [f'{ct}: {cn} - {dt}: {dn} - {split_type(p)[0] or "Tỉnh"}: {split_type(p)[1]}']
    elif form == 6:
        parts = [house(), f'{fold(cn)} {ENGLISH[ct]}', f'{fold(dn)} {ENGLISH[dt]}', f'{fold(split_type(p)[1])} {ENGLISH[split_type(p)[0] or "Tỉnh"]}', 'Vietnam']
    elif form == 7:
        parts = [house(), cn, dn, province_text(p), rnd.choice(['0912 345 678', '100000', 'ĐT: 0987654321', 'Việt Nam'])]
    else:
        parts = [house(), short(ct, cn).upper(), short(dt, dn).upper(), province_text(p).upper()]
    sep = rnd.choice([', ', ', ', ',', ' , ', ' - ', '\\n']) if form not in (3, 4, 5) else ', '
    text = sep.join(x for x in parts if x)
    out.append((text, 'pre:' + r['ward_code'], f"{r['ward_name']}, {r['district_name']}, {p}"))

for r in rnd.sample(new, 150):
    ct, cn = split_type(r['ward_name'])
    pt, pn = split_type(r['province_name'])
    form = rnd.randrange(4)
    if form == 0:
        parts = [house(), r['ward_name'], r['province_name']]
    elif form == 1:
        parts = [house(), short(ct, cn), province_text(r['province_name'])]
    elif form == 2:
        parts = [fold(x).lower() for x in [house(), r['ward_name'], r['province_name']]]
    else:
        parts = [f'{fold(cn)} {ENGLISH[ct]}', f'{fold(pn)} {ENGLISH[pt or "Tỉnh"]}', 'Vietnam']
    out.append((', '.join(x for x in parts if x), 'post:' + r['ward_code'], f"{r['ward_name']}, {r['province_name']}"))

print('# generated by make_generated.py from data/admin-units (seed 2025): text, expected unit, official name')
for text, want, name in out:
    print(f'{text}\t{want}\t{name}')
