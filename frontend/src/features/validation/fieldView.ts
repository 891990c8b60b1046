// How a field reads after the rules: the normalised value as text, whether it differs from what
// was entered, and the value a safe repair writes back ("sẽ sửa thành …"). Shared by the table
// (normalised next to entered) and the record drawer (findings per field).
import type { Finding, FindingField, Normalized, ResolvedResidence } from '../../api/types';
import { formatDate } from '../../text/format';

/** A resolved residence as one line, official names: "Phường Gia Viên, Quận Ngô Quyền, Thành phố Hải Phòng". */
export function residenceText(r: ResolvedResidence | null | undefined): string | undefined {
  if (!r) return undefined;
  const line = [r.communeName, r.districtName, r.provinceName].filter((x): x is string => Boolean(x)).join(', ');
  return line || undefined;
}

/** For a pre-2025 residence: the post-2025 unit it now belongs to, as one line. */
export function residenceNow(r: ResolvedResidence | null | undefined): string | undefined {
  if (!r || r.scheme !== 'pre2025' || !r.post2025) return undefined;
  const line = [r.post2025.communeName, r.post2025.provinceName].filter((x): x is string => Boolean(x)).join(', ');
  return line || undefined;
}

/** The normalised value of a field as the UI shows it (dates dd/mm/yyyy). */
export function normalizedText(field: FindingField, n: Normalized): string | undefined {
  switch (field) {
    case 'fullName':
      return n.fullName ?? undefined;
    case 'dateOfBirth':
      return n.dateOfBirth ? formatDate(n.dateOfBirth) : (n.dateOfBirthPartial ?? undefined);
    case 'gender':
      return n.gender ?? undefined;
    case 'personalId':
      return n.personalId ?? undefined;
    case 'residence':
      return residenceText(n.residence);
  }
}

export interface FieldReading {
  /** The field's findings, worst first is up to the caller (see components/fieldStatus). */
  findings: Finding[];
  /** The normalised value, when it reads differently from what was entered. */
  normalized?: string;
  /**
   * The value a safe repair writes back ("Sửa tự động" or "Dùng giá trị này"): set when the field
   * has a `fixed` finding and its normalised value differs from the entry. The residence is never
   * written back by the repairs, so it has none.
   */
  suggestion?: string;
}

/** What the rules made of one field: `entered` is the value as typed (or as listed). */
export function readField(field: FindingField, entered: string | null | undefined, n: Normalized, findings: readonly Finding[]): FieldReading {
  const mine = findings.filter((f) => f.field === field);
  const value = normalizedText(field, n);
  const differs = value !== undefined && value !== (entered ?? '');
  const repairable = field !== 'residence' && mine.some((f) => f.severity === 'fixed');
  return {
    findings: mine,
    normalized: differs ? value : undefined,
    suggestion: differs && repairable ? value : undefined,
  };
}
