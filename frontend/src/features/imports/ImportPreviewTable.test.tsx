import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render as renderPlain, screen, within } from '@testing-library/react';
import type { ReactElement } from 'react';
import { describe, expect, it } from 'vitest';
import type { ImportPreview, ImportPreviewRow } from './contract';
import { ImportPreviewTable } from './ImportPreviewTable';

// A preview as `POST /api/v1/imports` answers it: totals on top, then per row `unchanged`,
// `update` (field by field, old → new), `create`, or `rejected` (column and reason), with findings.
const render = (ui: ReactElement) => renderPlain(<QueryClientProvider client={new QueryClient()}>{ui}</QueryClientProvider>);

const row = (r: Partial<ImportPreviewRow> & Pick<ImportPreviewRow, 'row' | 'action'>): ImportPreviewRow => ({
  sheet: '6A',
  changes: [],
  findings: [],
  errors: [],
  ...r,
});
const preview: ImportPreview = {
  id: '0f6c2d2e-6a55-4d8f-9c1a-5b0f7a1e2c3d',
  status: 'ready',
  population: 'student',
  unitId: 4,
  classId: 12,
  filename: 'lop-6a.xlsx',
  format: 'xlsx',
  createdAt: '2026-11-30T02:00:00Z',
  createdBy: 'demo-school',
  rowsRead: 4,
  rowsTotal: 4,
  totals: { rows: 4, unchanged: 1, update: 1, create: 1, rejected: 1, changedFields: 2, rowsWithErrors: 0, rowsWithWarnings: 1 },
  sheets: [],
  page: 1,
  pageSize: 50,
  rowsMatching: 4,
  reverted: 0,
  kept: 0,
  rows: [
    row({ row: 2, action: 'unchanged', personId: 10, fullName: 'Nguyễn Văn An' }),
    row({
      row: 3,
      action: 'update',
      personId: 11,
      fullName: 'Lê Thị Hoà',
      changes: [
        { field: 'dateOfBirth', old: '31/02/2014', new: '15/02/2014', column: 'D' },
        { field: 'personalId', old: null, new: '031314******', column: 'F' },
      ],
      findings: [{ field: 'personalId', code: 'id_sex_mismatch', severity: 'warning', message: 'Chữ số thứ 4 không khớp giới tính Nữ.', params: {} }],
    }),
    row({ row: 4, action: 'create', fullName: 'Phạm Minh Đức', changes: [{ field: 'fullName', old: null, new: 'Phạm Minh Đức' }] }),
    row({
      row: 5,
      action: 'rejected',
      fullName: 'Trần Văn Bình',
      errors: [{ code: 'out_of_scope', column: 'A', message: 'Hồ sơ này không thuộc lớp hay trường của bạn.' }],
    }),
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
    // In the file's order, as the clerk sees them in Excel.
    expect([...rows].map((r) => r.querySelector('[data-action]')?.getAttribute('data-action'))).toEqual(['unchanged', 'update', 'create', 'rejected']);
    const update = rows[1] as HTMLElement;
    expect(within(update).getByText('6A · 3')).toBeTruthy();
    const changes = within(update).getAllByTestId('import-change').map((c) => c.textContent);
    expect(changes).toEqual(['Ngày sinh: 31/02/2014 → 15/02/2014', 'Số định danh cá nhân: (trống) → 031314******']);
    expect(within(update).getByText('Chữ số thứ 4 không khớp giới tính Nữ.')).toBeTruthy();
    const rejected = rows[3] as HTMLElement;
    expect(within(rejected).getByText('Cột A: Hồ sơ này không thuộc lớp hay trường của bạn.')).toBeTruthy();
  });

  it('filters the rows by action', () => {
    render(<ImportPreviewTable preview={preview} />);
    fireEvent.click(screen.getByText('Bị từ chối (1)'));
    const rows = document.querySelectorAll('tbody tr.ant-table-row');
    expect(rows).toHaveLength(1);
    expect(within(rows[0] as HTMLElement).getByText('Trần Văn Bình')).toBeTruthy();
  });
});
