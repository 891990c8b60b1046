import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../api/types';
import { describeSourceRef, groupReveals, historyValue } from './historyText';

describe('historyValue', () => {
  it.each([
    ['status', 'queued', 'Đang xác thực'],
    ['status', 'verified', 'Đã xác thực'],
    ['status', 'not_found', 'Không có trong CSDLQG'],
    ['status', 'awaiting_evidence', 'Chờ giấy tờ'],
    ['dateOfBirth', '2015-07-17', '17/07/2015'],
    ['dateOfBirth', '17/7/2015', '17/7/2015'],
    ['fullName', 'Lê Tuệ Hân', 'Lê Tuệ Hân'],
  ])('%s %s → %s', (field, value, want) => expect(historyValue(field, value)).toBe(want));
  it('keeps an empty value empty', () => expect(historyValue('status', null)).toBeNull());
});

describe('describeSourceRef', () => {
  it.each([
    ['registry', 'verification-job:12', 'Lượt gửi xác thực số 12'],
    ['manual', 'verification-job:7', 'Lượt gửi xác thực số 7'],
    ['registry', 'person:300', 'Nhận giá trị CSDLQG cho hồ sơ này'],
    ['import', '3f2a9c1e-0b7d-4c55-9a51-2b0f5d7e8a90', 'Lần nhập Excel 3f2a9c1e'],
    ['import', '3f2a9c1e-0b7d-4c55-9a51-2b0f5d7e8a90:undo', 'Hoàn tác: lần nhập Excel 3f2a9c1e'],
    ['auto_fix', '9d1c2b3a-1111-2222-3333-444455556666', 'Đợt sửa tự động 9d1c2b3a'],
    ['seed', 'seed-demo:42', 'Tạo dữ liệu mẫu'],
  ] as const)('%s %s → %s', (source, ref, want) => expect(describeSourceRef(source, ref)).toBe(want));
  it('says nothing without a reference', () => expect(describeSourceRef('manual', null)).toBeUndefined());
});

describe('groupReveals', () => {
  const e = (id: number, action: string, actor: string, at: string): HistoryEntry => ({ id, action, actor, at, source: 'manual' });
  it('collapses consecutive reveals by one person, keeps the rest in order', () => {
    const items = groupReveals([
      e(1, 'create', 'truong', '2026-09-01T01:00:00Z'),
      e(2, 'view_personal_id', 'truong', '2026-09-02T01:00:00Z'),
      e(3, 'view_personal_id', 'truong', '2026-09-02T02:00:00Z'),
      e(4, 'view_personal_id', 'truong', '2026-09-03T02:00:00Z'),
      e(5, 'view_personal_id', 'hieupho', '2026-09-03T03:00:00Z'),
      e(6, 'update', 'truong', '2026-09-04T01:00:00Z'),
      e(7, 'view_personal_id', 'truong', '2026-09-05T01:00:00Z'),
    ]);
    expect(items.map((i) => (i.kind === 'entry' ? i.entry.id : `${i.actor}×${i.count}`))).toEqual([1, 'truong×3', 'hieupho×1', 6, 'truong×1']);
    const group = items[1];
    expect(group?.kind === 'reveals' ? [group.first, group.last] : null).toEqual(['2026-09-02T01:00:00Z', '2026-09-03T02:00:00Z']);
  });
});

describe('recordHref', () => {
  it('keeps the list filters and names the record', async () => {
    const { recordHref } = await import('./personText');
    expect(recordHref('?status=mismatched&page=2', 42)).toBe('?status=mismatched&page=2&record=42');
    expect(recordHref('', 7)).toBe('?record=7');
    expect(recordHref('?record=3&q=an', 9)).toBe('?record=9&q=an');
  });
});
