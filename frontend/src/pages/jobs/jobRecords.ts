import type { JobItemView } from '../../features/verification/contract';

/** Where a record of a job opens: its class page for a student in a class, else the people list. */
export function jobRecordPath(r: Pick<JobItemView, 'personId' | 'kind' | 'classId'>): string {
  if (r.kind === 'student' && r.classId) return `/lop/${r.classId}?record=${r.personId}`;
  return `${r.kind === 'staff' ? '/can-bo' : '/hoc-sinh'}?record=${r.personId}`;
}
