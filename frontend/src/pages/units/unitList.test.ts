import { describe, expect, it } from 'vitest';
import { canCommit, describeChanges, linesOf, unitImportCounts, type PlannedUnit, type UnitImport } from './unitList';

const line = (row: number, action: PlannedUnit['action'], extra: Partial<PlannedUnit> = {}): PlannedUnit => ({
  row,
  action,
  code: `3130400${row}`,
  name: `Trường ${row}`,
  changes: [],
  reasons: [],
  ...extra,
});

const preview = (lines: PlannedUnit[], status = 'preview'): UnitImport => ({
  id: 1,
  filename: 'ds.xlsx',
  status,
  lines,
  created: lines.filter((l) => l.action === 'create').length,
  updated: lines.filter((l) => l.action === 'update').length,
  closed: lines.filter((l) => l.action === 'close').length,
  unchanged: lines.filter((l) => l.action === 'unchanged').length,
  rejected: lines.filter((l) => l.action === 'rejected').length,
});

describe('the unit list preview', () => {
  const p = preview([line(2, 'create'), line(3, 'rejected', { reasons: ['Không tìm thấy đơn vị quản lý có mã X.'] }), line(4, 'unchanged'), line(5, 'update')]);

  it('counts each action', () => {
    expect(unitImportCounts(p)).toEqual({ create: 1, update: 1, close: 0, unchanged: 1, rejected: 1 });
  });

  it('puts rejected lines first, else keeps file order', () => {
    expect(linesOf(p, 'all').map((l) => l.row)).toEqual([3, 2, 4, 5]);
    expect(linesOf(p, 'create').map((l) => l.row)).toEqual([2]);
  });

  it('commits only a preview that changes something', () => {
    expect(canCommit(p)).toBe(true);
    expect(canCommit(preview([line(2, 'unchanged'), line(3, 'rejected')]))).toBe(false);
    expect(canCommit(preview([line(2, 'create')], 'committed'))).toBe(false);
  });

  it('says what an update changes', () => {
    const u = line(6, 'update', { changes: [{ field: 'name', old: 'Trường A', new: 'Trường B' }, { field: 'phone', old: null, new: '0225' }] });
    expect(describeChanges(u)).toEqual(['Tên: Trường A → Trường B', 'Điện thoại: (trống) → 0225']);
  });
});
