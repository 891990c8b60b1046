import type { Counters } from '../../features/stats/contract';

/** A share as a whole percentage, rounded down so that 99.6% never reads as done. */
export const floorPercent = (n: number, total: number) => (total > 0 ? Math.floor((n / total) * 100) : 0);

/** What still needs work in a class, each a link to the class's list filtered on it. */
export function workItems(counters: Counters): { key: string; label: string; count: number; query: string }[] {
  return [
    { key: 'errors', label: 'lỗi chặn gửi', count: counters.total - counters.noErrors, query: 'severity=error' },
    { key: 'notSent', label: 'chưa gửi', count: counters.notSent, query: 'status=not_sent' },
    { key: 'mismatched', label: 'không khớp', count: counters.mismatched, query: 'status=mismatched' },
    { key: 'notFound', label: 'không có trong CSDLQG', count: counters.notFound, query: 'status=not_found' },
    { key: 'awaiting', label: 'chờ giấy tờ', count: counters.awaitingEvidence, query: 'status=awaiting_evidence' },
  ].filter((w) => w.count > 0);
}

/** The grade a class name starts with ("6A2" → 6, "10 Toán" → 10, "Lá 1" → none). */
export function gradeFromClassName(name: string): number | undefined {
  const m = /^\s*(\d{1,2})(?!\d)/.exec(name);
  if (!m) return undefined;
  const grade = Number(m[1]);
  return grade >= 1 && grade <= 12 ? grade : undefined;
}
