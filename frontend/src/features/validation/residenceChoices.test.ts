import { describe, expect, it } from 'vitest';
import type { ResolvedResidence } from '../../api/types';
import { residenceChoices } from './residenceChoices';

const hp = (communeCode: string, communeName: string) => ({ provinceCode: '31', provinceName: 'Thành phố Hải Phòng', communeCode, communeName });

describe('residenceChoices', () => {
  it('offers nothing for a post-2025 residence or none', () => {
    expect(residenceChoices(undefined)).toEqual([]);
    expect(residenceChoices({ scheme: 'post2025', provinceCode: '31', communeCode: '11311', post2025: hp('11311', 'Phường Gia Viên') } as ResolvedResidence)).toEqual([]);
  });

  it('offers the one new commune an old one became, with no district', () => {
    const r = { scheme: 'pre2025', provinceCode: '31', districtCode: '304', communeCode: '11341', post2025: hp('11311', 'Phường Gia Viên'), splitCandidates: [] } as unknown as ResolvedResidence;
    expect(residenceChoices(r)).toEqual([
      { key: '31-11311', label: 'Phường Gia Viên, Thành phố Hải Phòng', isDefault: false, cells: { province: 'Thành phố Hải Phòng', district: '', commune: 'Phường Gia Viên' } },
    ]);
  });

  it('offers exactly the candidates of a split commune, the official default first', () => {
    const r = {
      scheme: 'pre2025',
      provinceCode: '31',
      post2025: hp('11350', 'Phường Lê Chân'),
      splitCandidates: [hp('11344', 'Phường An Biên'), hp('11350', 'Phường Lê Chân'), hp('11356', 'Phường Hồng Bàng')],
    } as unknown as ResolvedResidence;
    const choices = residenceChoices(r);
    expect(choices.map((c) => c.cells.commune)).toEqual(['Phường Lê Chân', 'Phường An Biên', 'Phường Hồng Bàng']);
    expect(choices.map((c) => c.isDefault)).toEqual([true, false, false]);
  });

  it('leaves out a province-only conversion (the commune is not known)', () => {
    const r = { scheme: 'pre2025', provinceCode: '30', post2025: { provinceCode: '31', provinceName: 'Thành phố Hải Phòng', communeCode: null, communeName: null } } as unknown as ResolvedResidence;
    expect(residenceChoices(r)).toEqual([]);
  });
});
