// What a clerk can pick instead of typing when a residence was entered in pre-2025 units: the
// post-2025 commune it converts to, or — where the old commune was split between several new
// communes — exactly those candidates, the official default first. The choice fills the three
// residence cells with the new unit (no district: there is none after 1 July 2025); the rule
// engine then reads it as a current address.
import type { ResolvedResidence } from '../../api/types';

export interface ResidenceChoice {
  key: string;
  /** "Phường Gia Viên, Thành phố Hải Phòng". */
  label: string;
  /** The official default of the conversion table for a split commune. */
  isDefault: boolean;
  cells: { province: string; district: string; commune: string };
}

export function residenceChoices(r: ResolvedResidence | null | undefined): ResidenceChoice[] {
  if (!r || r.scheme !== 'pre2025') return [];
  const defaultCode = r.post2025?.communeCode ?? undefined;
  const units = (r.splitCandidates?.length ?? 0) > 1 ? r.splitCandidates! : r.post2025 ? [r.post2025] : [];
  const choices = units
    .filter((u) => u.communeCode && u.communeName)
    .map((u) => ({
      key: `${u.provinceCode}-${u.communeCode}`,
      label: `${u.communeName}, ${u.provinceName}`,
      isDefault: units.length > 1 && u.communeCode === defaultCode,
      cells: { province: u.provinceName, district: '', commune: u.communeName! },
    }));
  return choices.sort((a, b) => Number(b.isDefault) - Number(a.isDefault));
}
