import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render as renderPlain, screen, within } from '@testing-library/react';
import type { ReactElement } from 'react';
import { describe, expect, it } from 'vitest';
import type { ImportPreview, ImportPreviewRow } from './contract';
import { commitOptions } from './choices';
import { choiceKey, ImportPreviewTable } from './ImportPreviewTable';

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
  newClasses: [],
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

// A class template exported on Monday and imported on Friday: Hân's date was corrected on the web
// since (the file's cell is stale), Bình's name was changed in both places (a conflict).
const threeWay: ImportPreview = {
  ...preview,
  totals: { rows: 2, unchanged: 0, update: 2, create: 0, rejected: 0, changedFields: 0, rowsWithErrors: 0, rowsWithWarnings: 0, stale: 1, conflict: 1 },
  rowsRead: 2,
  rowsTotal: 2,
  rowsMatching: 2,
  rows: [
    row({ row: 2, action: 'update', personId: 20, fullName: 'Lê Tuệ Hân', changes: [{ field: 'dateOfBirth', old: '17/07/2015', new: '23/10/2015', column: 'D', status: 'stale' }] }),
    row({ row: 3, action: 'update', personId: 21, fullName: 'Lê Tuệ Hằng', changes: [{ field: 'fullName', old: 'Lê Tuệ Hằng', new: 'Lê Thị Tuệ Hân', column: 'C', status: 'conflict' }] }),
  ],
};

describe('ImportPreviewTable, three-way', () => {
  it('says a stale cell keeps the newer value and lets the clerk take the file’s value of a conflict', () => {
    const picked: [string, boolean][] = [];
    const taken = { keys: new Set<string>(), toggle: (key: string, _c: unknown, on: boolean) => picked.push([key, on]) };
    render(<ImportPreviewTable preview={threeWay} taken={taken} />);
    expect(screen.getByTestId('import-stale').textContent).toBe('giữ giá trị mới hơn');
    expect(screen.getByTestId('import-stale-total').textContent).toContain('giữ giá trị mới hơn');
    expect(screen.getByTestId('import-conflict-total').textContent).toContain('1 ô đã được sửa cả trong tệp và trên hệ thống');
    // the default view opens on the rows that need a decision
    expect(screen.getByText('Cập nhật (2)').closest('.ant-segmented-item')?.className).toContain('ant-segmented-item-selected');
    const rows = document.querySelectorAll('tbody tr.ant-table-row');
    const conflict = rows[1] as HTMLElement;
    expect(within(conflict).getByTestId('import-conflict').textContent).toBe('Sửa ở cả tệp và hệ thống');
    expect(within(rows[0] as HTMLElement).queryByTestId('import-take-file')).toBeNull();
    fireEvent.click(within(conflict).getByText('Lấy giá trị trong tệp'));
    expect(picked).toEqual([[choiceKey({ sheet: '6A', row: 3 }, 'fullName'), true]]);
  });

  it('names the decisions in the commit body: take the file’s value, force a held-back one', () => {
    const forced = new Map([['a', { sheet: '6A', row: 4, field: 'personalId' }]]);
    const taken = new Map([['b', { sheet: '6A', row: 3, field: 'fullName' }]]);
    expect(commitOptions(true, forced, taken)).toEqual({
      confirmVerifiedChanges: true,
      choices: [
        { sheet: '6A', row: 4, field: 'personalId', force: true },
        { sheet: '6A', row: 3, field: 'fullName', force: false, take: 'file' },
      ],
    });
  });
});
