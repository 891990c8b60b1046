import { describe, expect, it } from 'vitest';
import type { UnitView } from '../../api/types';
import { editsContacts, editsStructure, formValuesOf, newUnitBody, parentChoices, unitPatch, unitRows } from './unitAdmin';

const unit = (id: number, parentId: number | null, kind: UnitView['kind'], name: string, code: string, more: Partial<UnitView> = {}): UnitView => ({
  id,
  parentId,
  kind,
  name,
  code,
  level: kind === 'school' ? 'thcs' : null,
  provinceCode: '31',
  districtCode: null,
  communeCode: null,
  address: null,
  phone: null,
  email: null,
  principal: null,
  closedAt: null,
  ...more,
});

const tree = [
  unit(1, null, 'department', 'Sở GDĐT Hải Phòng', 'SGD31'),
  unit(2, 1, 'district', 'Phòng GDĐT Ngô Quyền', 'PGD-NQ'),
  unit(3, 2, 'school', 'Trường THCS Gia Viên', '31304001', { phone: '0225 111', principal: 'Lê Thị Hà' }),
  unit(4, 2, 'school', 'Trường THCS Lê Lợi', '31304002'),
  unit(5, 1, 'district', 'Phòng GDĐT Lê Chân', 'PGD-LC', { closedAt: '2026-08-01T00:00:00Z' }),
];

describe('who changes what', () => {
  it('follows the roles table: the Department everything but itself, a district office its schools’ contacts', () => {
    const cases: [UnitView['id'], Parameters<typeof editsStructure>[0], number, boolean, boolean][] = [
      // unit, role, own unit, structure, contacts
      [3, 'department_admin', 1, true, true],
      [2, 'department_admin', 1, true, true],
      [1, 'department_admin', 1, false, true],
      [3, 'district_admin', 2, false, true],
      [2, 'district_admin', 2, false, false],
      [3, 'district', 2, false, false],
      [3, 'department', 1, false, false],
      [3, 'school_admin', 3, false, false],
    ];
    for (const [id, role, own, structure, contacts] of cases) {
      expect([editsStructure(role, { id }, own), editsContacts(role, { id }, own)], `${role} on ${id}`).toEqual([structure, contacts]);
    }
  });
});

describe('the list', () => {
  it('indents by depth in tree order', () => {
    expect(unitRows(tree).map((r) => [r.unit.id, r.depth])).toEqual([[1, 0], [2, 1], [3, 2], [4, 2], [5, 1]]);
  });

  it('finds by name or code, diacritics and case optional, keeping the units above', () => {
    const ids = (q: string) => unitRows(tree, q).map((r) => r.unit.id);
    expect(ids('gia vien')).toEqual([1, 2, 3]);
    expect(ids('  GIA   VIÊN ')).toEqual([1, 2, 3]);
    expect(ids('31304002')).toEqual([1, 2, 4]);
    expect(ids('le chan')).toEqual([1, 5]);
    expect(ids('phong')).toEqual([1, 2, 5]);
    expect(ids('khong co')).toEqual([]);
    expect(ids('')).toHaveLength(5);
  });

  it('offers the Department and open district offices as parents', () => {
    expect(parentChoices(tree).map((u) => u.id)).toEqual([1, 2]);
  });
});

describe('what is sent', () => {
  it('a new unit: trimmed, empty contacts left out, no level for an office', () => {
    expect(newUnitBody({ kind: 'school', code: ' 31304009 ', name: ' Trường THCS Mới ', level: 'thcs', parentId: 2, phone: ' ', email: 'a@b.vn' })).toEqual({
      kind: 'school', code: '31304009', name: 'Trường THCS Mới', level: 'thcs', parentId: 2,
      communeCode: undefined, address: undefined, phone: undefined, email: 'a@b.vn', principal: undefined,
    });
    expect(newUnitBody({ kind: 'district', code: 'PGD-X', name: 'Phòng X', level: 'thcs', parentId: 1 }).level).toBeUndefined();
  });

  it('an edit: only what changed, and only what the caller may change', () => {
    const gv = tree[2] as UnitView;
    const v = formValuesOf(gv);
    expect(unitPatch(gv, v, true)).toEqual({});
    expect(unitPatch(gv, { ...v, phone: '0225 999' }, true)).toEqual({ phone: '0225 999' });
    expect(unitPatch(gv, { ...v, principal: '' }, true)).toEqual({ principal: '' });
    expect(unitPatch(gv, { ...v, name: 'Trường THCS Gia Viên mới', parentId: 5, closed: true }, true)).toEqual({
      name: 'Trường THCS Gia Viên mới', parentId: 5, closed: true,
    });
    // a district administrator's form never sends the structure, even if the values moved
    expect(unitPatch(gv, { ...v, name: 'Đổi tên', closed: true, address: 'Số 1 Lạch Tray' }, false)).toEqual({ address: 'Số 1 Lạch Tray' });
    // reopening
    const lc = tree[4] as UnitView;
    expect(unitPatch(lc, { ...formValuesOf(lc), closed: false }, true)).toEqual({ closed: false });
  });
});
