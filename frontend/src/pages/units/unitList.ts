// The unit list import's preview as the screen shows it: a label and colour per action, the
// counts in the order a Department reads them, and the lines of one action.
import type { components } from '../../api/schema';

export type UnitImport = components['schemas']['UnitImportView'];
export type PlannedUnit = components['schemas']['PlannedUnit'];
export type UnitAction = components['schemas']['UnitAction'];

export const UNIT_ACTIONS: UnitAction[] = ['create', 'update', 'close', 'unchanged', 'rejected'];

export const UNIT_ACTION_LABELS: Record<UnitAction, string> = {
  create: 'Tạo mới',
  update: 'Cập nhật',
  close: 'Đóng',
  unchanged: 'Không đổi',
  rejected: 'Bị từ chối',
};

export const UNIT_ACTION_COLORS: Record<UnitAction, string> = {
  create: 'green',
  update: 'blue',
  close: 'orange',
  unchanged: 'default',
  rejected: 'red',
};

/** The count of each action, as the preview's summary answers it. */
export function unitImportCounts(i: UnitImport): Record<UnitAction, number> {
  return { create: i.created, update: i.updated, close: i.closed, unchanged: i.unchanged, rejected: i.rejected };
}

/** True when committing would change something (and nothing is committed yet). */
export function canCommit(i: UnitImport): boolean {
  return i.status === 'preview' && i.created + i.updated + i.closed > 0;
}

/** The lines of one action (all when none is chosen), rejected lines first otherwise. */
export function linesOf(i: UnitImport, action: UnitAction | 'all'): PlannedUnit[] {
  if (action !== 'all') return i.lines.filter((l) => l.action === action);
  const rank = (a: UnitAction) => (a === 'rejected' ? 0 : 1);
  return [...i.lines].sort((a, b) => rank(a.action) - rank(b.action) || a.row - b.row);
}

/** What a changed line changes, in words: "Tên: A → B". */
export function describeChanges(line: PlannedUnit): string[] {
  const FIELD: Record<string, string> = {
    name: 'Tên',
    parentId: 'Đơn vị quản lý',
    parentCode: 'Đơn vị quản lý',
    level: 'Cấp học',
    communeCode: 'Xã/Phường',
    address: 'Địa chỉ',
    phone: 'Điện thoại',
    email: 'Email',
    principal: 'Hiệu trưởng',
    closed: 'Trạng thái',
  };
  return line.changes.map((c) => `${FIELD[c.field] ?? c.field}: ${c.old ?? '(trống)'} → ${c.new ?? '(trống)'}`);
}
