// The record form's values and the PATCH built from what the user changed.
import type { NamePath } from '../../api/problem';
import type { Person, PersonPatch, Position } from '../../api/types';

export interface PersonFormValues {
  sectorCode: string;
  fullName: string;
  dateOfBirth: string;
  gender: string;
  personalId: string;
  residence: { province: string; district: string; commune: string };
  residenceText: string;
  position: Position | null;
}

/** Every field of the form, for placing the server's field errors. */
export const PERSON_FORM_FIELDS: NamePath[] = [
  ['sectorCode'],
  ['fullName'],
  ['dateOfBirth'],
  ['gender'],
  ['personalId'],
  ['residence', 'province'],
  ['residence', 'district'],
  ['residence', 'commune'],
  ['residence'],
  ['residenceText'],
  ['position'],
];

/** The form's values of a record; `revealed` is its full ID number once asked for ("Hiện số"). */
export function toFormValues(p: Person, revealed?: string): PersonFormValues {
  return {
    sectorCode: p.sectorCode ?? '',
    fullName: p.fullName ?? '',
    dateOfBirth: p.dateOfBirth ?? '',
    gender: p.gender ?? '',
    personalId: revealed ?? p.personalId ?? '',
    residence: {
      province: p.residence.province ?? '',
      district: p.residence.district ?? '',
      commune: p.residence.commune ?? '',
    },
    residenceText: p.residenceText ?? '',
    position: p.position ?? null,
  };
}

/** A value as entered, or null when emptied (the API clears a field on `null`). */
const entered = (v: string | undefined): string | null => (v === undefined || v.trim() === '' ? null : v);

/**
 * The changes between the loaded record and the form, with the record's `version` so a
 * concurrent change answers 409 instead of being overwritten. `undefined` when nothing changed.
 * The ID number is masked until revealed: it is sent only when the user typed a new one (no
 * reveal of the old one needed), never the masked text left as it was.
 */
export function buildPatch(person: Person, values: PersonFormValues, revealed?: string): PersonPatch | undefined {
  const before = toFormValues(person, revealed);
  const patch: PersonPatch = {};
  let changed = false;
  const scalar = ['sectorCode', 'fullName', 'dateOfBirth', 'gender', 'personalId', 'residenceText'] as const;
  for (const key of scalar) {
    if ((values[key] ?? '') !== before[key]) {
      patch[key] = entered(values[key]);
      changed = true;
    }
  }
  const residence: NonNullable<PersonPatch['residence']> = {};
  for (const part of ['province', 'district', 'commune'] as const) {
    const now = values.residence?.[part] ?? '';
    if (now !== before.residence[part]) {
      residence[part] = entered(now);
      changed = true;
    }
  }
  if (Object.keys(residence).length > 0) patch.residence = residence;
  if (person.kind === 'staff' && (values.position ?? null) !== before.position) {
    patch.position = values.position ?? null;
    changed = true;
  }
  if (!changed) return undefined;
  patch.version = person.version;
  return patch;
}
