import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ImportPreview } from './contract';
import { ImportOutcome } from './ImportOutcome';

// An import as `GET /api/v1/imports` lists it (no rows).
const item = (i: Partial<ImportPreview>): ImportPreview => ({
  id: '5d1c0b7e-2f4a-4c3b-9e8d-7a6b5c4d3e2f',
  status: 'ready',
  population: 'student',
  unitId: 4,
  classId: 12,
  filename: 'lop-6a.xlsx',
  format: 'xlsx',
  createdAt: '2026-11-30T02:00:00Z',
  createdBy: 'demo-school',
  rowsRead: 5000,
  rowsTotal: 5000,
  totals: { rows: 5000, unchanged: 0, update: 0, create: 4990, rejected: 10, changedFields: 0, rowsWithErrors: 0, rowsWithWarnings: 0 },
  sheets: [],
  page: 0,
  pageSize: 0,
  rowsMatching: 0,
  reverted: 0,
  kept: 0,
  newClasses: [],
  rows: [],
  ...i,
});

describe('ImportOutcome', () => {
  it('shows the totals of a preview', () => {
    render(<ImportOutcome item={item({})} />);
    expect(screen.getByText('0 cập nhật, 4.990 thêm, 10 từ chối')).toBeTruthy();
    expect(screen.queryByTestId('import-reason')).toBeNull();
  });

  it('shows why an import failed instead of its empty totals', () => {
    const error = 'Máy chủ dừng giữa chừng khi đang đọc tệp này; hãy tải tệp lên lại.';
    render(<ImportOutcome item={item({ status: 'failed', rowsRead: 2000, error })} />);
    expect(screen.getByTestId('import-reason').textContent).toBe(error);
    expect(screen.queryByText(/cập nhật/)).toBeNull();
  });

  it('shows why a preview expired', () => {
    const error = 'Bản xem trước này đã hết hạn vì quá 7 ngày chưa được xác nhận ghi; không có hồ sơ nào bị thay đổi. Hãy tải tệp lên lại.';
    render(<ImportOutcome item={item({ status: 'expired', error })} />);
    expect(screen.getByTestId('import-reason').textContent).toBe(error);
  });

  it('shows why a commit asked for with the upload did not happen, under the totals', () => {
    const error = 'Máy chủ dừng giữa chừng trước khi ghi xong lần nhập này nên chưa có hồ sơ nào được ghi; hãy xem lại bản xem trước rồi bấm “Ghi vào hệ thống”.';
    render(<ImportOutcome item={item({ error })} />);
    expect(screen.getByText('0 cập nhật, 4.990 thêm, 10 từ chối')).toBeTruthy();
    expect(screen.getByTestId('import-reason').textContent).toBe(error);
  });

  it('says when the rows of a committed import were deleted at the end of their retention time', () => {
    render(<ImportOutcome item={item({ status: 'committed', rowsPurgedAt: '2027-01-05T05:00:00Z' })} />);
    expect(screen.getByText('0 cập nhật, 4.990 thêm, 10 từ chối')).toBeTruthy();
    // in the browser's local time (the same day from UTC−5 to UTC+18)
    expect(screen.getByTestId('import-rows-purged').textContent).toMatch(/xoá lúc \d\d:\d\d 05\/01\/2027 theo thời hạn lưu giữ/);
  });
});
