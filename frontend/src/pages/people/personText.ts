import type { Person } from '../../api/types';

/** The residence as one line: the structured parts, else the free-text address. */
export function residenceLine(p: Pick<Person, 'residence' | 'residenceText'>): string {
  const parts = [p.residence.commune, p.residence.district, p.residence.province].filter((x): x is string => Boolean(x?.trim()));
  return parts.length > 0 ? parts.join(', ') : (p.residenceText ?? '');
}

/** Counts of a record's findings as a short sentence ("2 lỗi, 1 cần kiểm tra"). */
export function qualityText(q: Person['quality']): string {
  const parts: string[] = [];
  if (q.errors > 0) parts.push(`${q.errors} lỗi`);
  if (q.warnings > 0) parts.push(`${q.warnings} cần kiểm tra`);
  if (q.fixed > 0) parts.push(`${q.fixed} đã tự sửa`);
  return parts.join(', ');
}

/** The address of a record on the current list (`?…&record=42`): a real link, so the keyboard and a new tab open it. */
export function recordHref(search: string, id: number): string {
  const params = new URLSearchParams(search);
  params.set('record', String(id));
  return `?${params.toString()}`;
}
