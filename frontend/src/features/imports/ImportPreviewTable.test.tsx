import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ImportPreview } from './contract';
import { ImportPreviewTable } from './ImportPreviewTable';

// A preview shaped as issue 4 describes it: totals on top, then per row `unchanged`, `update`
// (field by field, old → new), `create`, or `rejected` (row, column, reason), with findings.
const preview: ImportPreview = {
  id: 7,
  status: 'previewed',
  fileName: 'lop-6a.xlsx',
  totals: { rows: 4, unchanged: 1, update: 1, create: 1, rejected: 1 },
  rows: [
    { row: 2, sheet: '6A', action: 'unchanged', recordId: 10, fullName: 'Nguyễn Văn An', changes: [], findings: [] },
    {
      row: 3,
      sheet: '6A',
      action: 'update',
      recordId: 11,
      fullName: 'Lê Thị Hoà',
      changes: [
        { field: 'dateOfBirth', old: '31/02/2014', new: '15/02/2014' },
        { field: 'personalId', old: null, new: '031314056789' },
      ],
      findings: [{ field: 'personalId', code: 'id_sex_mismatch', severity: 'warning', message: 'Chữ số thứ 4 không khớp giới tính Nữ.', params: {} }],
    },
    { row: 4, sheet: '6A', action: 'create', fullName: 'Phạm Minh Đức', changes: [{ field: 'fullName', old: null, new: 'Phạm Minh Đức' }], findings: [] },
    {
      row: 5,
      sheet: '6A',
      action: 'rejected',
      fullName: 'Trần Văn Bình',
      changes: [],
      rejections: [{ column: 'Số định danh cá nhân', reason: 'Excel đã đổi số thành 3,1E+11: hãy nhập lại dạng văn bản.' }],
      findings: [],
    },
  ],
};

describe('ImportPreviewTable', () => {
  it('shows the totals on top', () => {
    render(<ImportPreviewTable preview={preview} />);
    for (const [title, value] of [['Số dòng', '4'], ['Cập nhật', '1'], ['Thêm mới', '1'], ['Không đổi', '1'], ['Bị từ chối', '1']] as const) {
      const card = screen.getAllByText(title).map((el) => el.closest('.ant-statistic')).find(Boolean);
      expect(card, title).toBeTruthy();
      expect(within(card as HTMLElement).getByText(value)).toBeTruthy();
    }
  });

  it('lists each row with its action, field changes old → new, rejections and findings', () => {
    render(<ImportPreviewTable preview={preview} />);
    const rows = document.querySelectorAll('tbody tr.ant-table-row');
    // Updates first, then creations, rejections, and the unchanged rows last.
    expect([...rows].map((r) => r.querySelector('[data-action]')?.getAttribute('data-action'))).toEqual(['update', 'create', 'rejected', 'unchanged']);
    const update = rows[0] as HTMLElement;
    expect(within(update).getByText('6A · 3')).toBeTruthy();
    const changes = within(update).getAllByTestId('import-change').map((c) => c.textContent);
    expect(changes).toEqual(['Ngày sinh: 31/02/2014 → 15/02/2014', 'Số định danh cá nhân: (trống) → 031314056789']);
    expect(within(update).getByText('Chữ số thứ 4 không khớp giới tính Nữ.')).toBeTruthy();
    const rejected = rows[2] as HTMLElement;
    expect(within(rejected).getByText('Cột "Số định danh cá nhân": Excel đã đổi số thành 3,1E+11: hãy nhập lại dạng văn bản.')).toBeTruthy();
  });

  it('filters the rows by action', () => {
    render(<ImportPreviewTable preview={preview} />);
    fireEvent.click(screen.getByText('Bị từ chối (1)'));
    const rows = document.querySelectorAll('tbody tr.ant-table-row');
    expect(rows).toHaveLength(1);
    expect(within(rows[0] as HTMLElement).getByText('Trần Văn Bình')).toBeTruthy();
  });
});
