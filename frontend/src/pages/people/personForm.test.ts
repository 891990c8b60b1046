import { describe, expect, it } from 'vitest';
import type { Person } from '../../api/types';
import { buildPatch, toFormValues } from './personForm';

const person: Person = {
  id: 5,
  kind: 'student',
  unitId: 4,
  unitName: 'Trường THCS Trần Phú',
  classId: 1,
  className: '6A',
  grade: 6,
  fullName: 'TRẦN  thị kiểm thử',
  dateOfBirth: '31/02/2014',
  gender: 'nu',
  personalId: '031456789',
  personalIdMasked: false,
  residence: { province: 'Hải Phòng', district: 'Lê Chân', commune: null },
  residenceText: null,
  normalized: {},
  findings: [],
  quality: { errors: 0, warnings: 0, fixed: 0 },
  status: 'not_sent',
  mismatchFields: [],
  version: 4,
  canEdit: true,
  updatedAt: '2026-11-29T10:00:00Z',
  blockingErrors: 0,
  readyToSend: true,
  changedAfterVerification: false,
};

describe('buildPatch', () => {
  it('is undefined when nothing changed', () => {
    expect(buildPatch(person, toFormValues(person))).toBeUndefined();
  });

  it('sends only the changed fields, as entered, with the version', () => {
    const values = { ...toFormValues(person), dateOfBirth: '15/02/2014', residence: { province: 'Hải Phòng', district: 'Lê Chân', commune: 'Dư Hàng Kênh' } };
    expect(buildPatch(person, values)).toEqual({ dateOfBirth: '15/02/2014', residence: { commune: 'Dư Hàng Kênh' }, version: 4 });
  });

  it('clears an emptied field with null', () => {
    expect(buildPatch(person, { ...toFormValues(person), gender: '  ' })).toEqual({ gender: null, version: 4 });
  });

  it('never sends a masked ID number back', () => {
    const masked = { ...person, personalId: '0314***89', personalIdMasked: true };
    expect(buildPatch(masked, { ...toFormValues(masked), personalId: '' })).toBeUndefined();
  });

  it('sends a staff member position change', () => {
    const staff: Person = { ...person, kind: 'staff', position: 'teacher' };
    expect(buildPatch(staff, { ...toFormValues(staff), position: 'manager' })).toEqual({ position: 'manager', version: 4 });
  });
});
