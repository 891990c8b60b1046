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
  canReveal: true,
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

  it('never sends a masked ID number back, and a new one without revealing the old', () => {
    const masked = { ...person, personalId: '0314***89', personalIdMasked: true };
    expect(toFormValues(masked).personalId).toBe('0314***89');
    expect(buildPatch(masked, toFormValues(masked))).toBeUndefined();
    const other = { ...toFormValues(masked), gender: 'Nữ' };
    expect(buildPatch(masked, other)).toEqual({ gender: 'Nữ', version: 4 });
    expect(buildPatch(masked, { ...toFormValues(masked), personalId: '031214001234' })).toEqual({ personalId: '031214001234', version: 4 });
  });

  it('compares with the revealed number once shown', () => {
    const masked = { ...person, personalId: '0314***89', personalIdMasked: true };
    const revealed = toFormValues(masked, '031456789');
    expect(revealed.personalId).toBe('031456789');
    expect(buildPatch(masked, revealed, '031456789')).toBeUndefined();
    expect(buildPatch(masked, { ...revealed, personalId: '031456788' }, '031456789')).toEqual({ personalId: '031456788', version: 4 });
  });

  it('sends a staff member position change', () => {
    const staff: Person = { ...person, kind: 'staff', position: 'teacher' };
    expect(buildPatch(staff, { ...toFormValues(staff), position: 'manager' })).toEqual({ position: 'manager', version: 4 });
  });
});
