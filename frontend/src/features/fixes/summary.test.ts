import { afterEach, describe, expect, it } from 'vitest';
import { batchSummary, fixScopeKey, lastBatch } from './summary';

const batch = { records: 13, changes: 15, undoneAt: null, reverted: 0, kept: 0 };

describe('batchSummary', () => {
  it('says what a batch changed', () => {
    expect(batchSummary(batch).title).toBe('Đã sửa tự động 15 trường trên 13 hồ sơ.');
  });

  it('speaks of addresses for a conversion, and of addresses kept on its undo', () => {
    const conversion = { ...batch, changes: 39, findingCode: 'address_outdated_unit' };
    expect(batchSummary(conversion).title).toBe('Đã chuyển địa chỉ của 13 hồ sơ sang đơn vị hành chính mới.');
    expect(batchSummary({ ...conversion, undoneAt: '2026-11-30T08:00:00Z', reverted: 36, kept: 3 })).toEqual({
      title: 'Đã hoàn tác: 36 trường trở lại giá trị đã nhập.',
      detail: '3 trường địa chỉ giữ nguyên vì hồ sơ đã được sửa địa chỉ lại sau lần chuyển.',
    });
  });

  it('says when there was nothing to repair', () => {
    expect(batchSummary({ ...batch, records: 0, changes: 0 }).title).toBe('Không có trường nào cần sửa tự động.');
  });

  it('says what an undo put back, and what it kept because it was edited since', () => {
    const undone = { ...batch, undoneAt: '2026-11-30T08:00:00Z', reverted: 14, kept: 1 };
    expect(batchSummary(undone)).toEqual({
      title: 'Đã hoàn tác: 14 trường trở lại giá trị đã nhập.',
      detail: '1 trường giữ nguyên vì đã được sửa lại sau lần sửa tự động.',
    });
    expect(batchSummary({ ...undone, reverted: 1234, kept: 0 })).toEqual({ title: 'Đã hoàn tác: 1.234 trường trở lại giá trị đã nhập.', detail: undefined });
  });
});

describe('lastBatch', () => {
  afterEach(() => sessionStorage.clear());

  it('remembers one batch per population and class for the tab', () => {
    lastBatch.set(fixScopeKey('student', 7), 'a');
    lastBatch.set(fixScopeKey('student'), 'b');
    expect(lastBatch.get(fixScopeKey('student', 7))).toBe('a');
    expect(lastBatch.get(fixScopeKey('student'))).toBe('b');
    expect(lastBatch.get(fixScopeKey('staff'))).toBeUndefined();
    lastBatch.clear(fixScopeKey('student', 7));
    expect(lastBatch.get(fixScopeKey('student', 7))).toBeUndefined();
  });
});
