import { describe, expect, it } from 'vitest';
import type { ResolvedResidence } from '../../api/types';
import { searchesFor } from './unitPickers';

const pre = { scheme: 'pre2025', provinceCode: '31', districtCode: '304', communeCode: null, post2025: { provinceCode: '31', provinceName: 'Thành phố Hải Phòng' } } as unknown as ResolvedResidence;
const preProvinceOnly = { scheme: 'pre2025', provinceCode: '30', post2025: { provinceCode: '31', provinceName: 'Thành phố Hải Phòng' } } as unknown as ResolvedResidence;
const post = { scheme: 'post2025', provinceCode: '31' } as unknown as ResolvedResidence;

const brief = (level: 'province' | 'district' | 'commune', read?: ResolvedResidence) =>
  searchesFor(level, read).map((s) => `${s.scheme}:${s.level}:${s.provinceCode ?? '-'}:${s.districtCode ?? '-'}`);

describe('searchesFor', () => {
  it.each([
    ['a province, nothing read yet: both lists, the new one first', 'province', undefined, ['post2025:province:-:-', 'pre2025:province:-:-']],
    ['a district under a recognised old province', 'district', pre, ['pre2025:district:31:-']],
    ['a district with nothing read: every old district', 'district', undefined, ['pre2025:district:-:-']],
    ['a commune under a recognised old district', 'commune', pre, ['pre2025:commune:-:304']],
    ['a commune of a new province', 'commune', post, ['post2025:commune:31:-']],
    ['a commune of an old province (Hải Dương): its old communes, then the new province’s', 'commune', preProvinceOnly, ['pre2025:commune:30:-', 'post2025:commune:31:-']],
    ['a commune with nothing read: both lists', 'commune', undefined, ['post2025:commune:-:-', 'pre2025:commune:-:-']],
  ] as const)('%s', (_name, level, read, want) => {
    expect(brief(level, read)).toEqual(want);
  });
});
