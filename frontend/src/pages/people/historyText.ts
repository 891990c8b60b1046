// A record's audit trail in the clerk's words: statuses and sources in Vietnamese, and the
// reveals of a full ID number grouped instead of listed one by one.
import type { AuditSource, HistoryEntry, VerificationStatus } from '../../api/types';
import { formatDate } from '../../text/format';
import { STATUS_LABELS } from '../../text/labels';

/** A stored value as the clerk reads it: a status by its label, an ISO date as dd/mm/yyyy. */
export function historyValue(field: string | null | undefined, value: string | null | undefined): string | null | undefined {
  if (!value) return value;
  if (field === 'status') return STATUS_LABELS[value as VerificationStatus] ?? value;
  if (field === 'dateOfBirth') return formatDate(value);
  return value;
}

/** What caused a change, from the entry's `sourceRef` (`verification-job:12`, `person:300`, `…:undo`). */
export function describeSourceRef(source: AuditSource, ref: string | null | undefined): string | undefined {
  if (!ref) return undefined;
  if (ref.endsWith(':undo')) {
    const undone = describeSourceRef(source, ref.slice(0, -':undo'.length));
    return undone ? `Hoàn tác: ${undone.charAt(0).toLowerCase()}${undone.slice(1)}` : 'Hoàn tác';
  }
  const [kind, id] = ref.includes(':') ? [ref.slice(0, ref.indexOf(':')), ref.slice(ref.indexOf(':') + 1)] : ['', ref];
  switch (kind) {
    case 'verification-job':
      return `Lượt gửi xác thực số ${id}`;
    case 'person':
      return 'Nhận giá trị CSDLQG cho hồ sơ này';
    case 'unit-import':
      return `Lần nhập danh sách đơn vị số ${id}`;
    case 'seed-demo':
      return 'Tạo dữ liệu mẫu';
    default:
      if (source === 'import') return `Lần nhập Excel ${ref.slice(0, 8)}`;
      if (source === 'auto_fix') return `Đợt sửa tự động ${ref.slice(0, 8)}`;
      return undefined;
  }
}

/** One line of the trail: an entry, or consecutive reveals of the full ID number by one person. */
export type HistoryItem =
  | { kind: 'entry'; entry: HistoryEntry }
  | { kind: 'reveals'; actor: string; count: number; first: string; last: string; key: number };

/** Groups runs of `view_personal_id` entries by the same actor (entries newest first or oldest first, kept in order). */
export function groupReveals(entries: HistoryEntry[]): HistoryItem[] {
  const out: HistoryItem[] = [];
  for (const entry of entries) {
    const prev = out[out.length - 1];
    if (entry.action === 'view_personal_id') {
      if (prev?.kind === 'reveals' && prev.actor === entry.actor) {
        prev.count += 1;
        prev.last = entry.at;
        continue;
      }
      out.push({ kind: 'reveals', actor: entry.actor, count: 1, first: entry.at, last: entry.at, key: entry.id });
    } else {
      out.push({ kind: 'entry', entry });
    }
  }
  return out;
}
