import { describe, expect, it } from 'vitest';
import type { Finding, Normalized } from '../../api/types';
import { normalizedText, readField, residenceNow, residenceText } from './fieldView';

const finding = (f: Pick<Finding, 'field' | 'code' | 'severity'> & Partial<Finding>): Finding => ({ message: '', params: {}, ...f });

const residence: NonNullable<Normalized['residence']> = {
  scheme: 'pre2025',
  provinceCode: '31',
  districtCode: '304',
  communeCode: '11341',
  provinceName: 'Thành phố Hải Phòng',
  districtName: 'Quận Ngô Quyền',
  communeName: 'Phường Gia Viên',
  post2025: { provinceCode: '31', provinceName: 'Thành phố Hải Phòng', communeCode: '11359', communeName: 'Phường Gia Viên' },
  splitCandidates: [],
};

const normalized: Normalized = {
  fullName: 'Nguyễn Văn An',
  dateOfBirth: '2015-12-14',
  gender: 'Nữ',
  personalId: '031215012345',
  residence,
};

describe('readField', () => {
  it.each([
    // field, entered, findings → normalized shown, suggestion
    ['a safe repair of the name suggests the normalised name', 'fullName', '  nguyễn  văn AN', [finding({ field: 'fullName', code: 'name_whitespace', severity: 'fixed' })], 'Nguyễn Văn An', 'Nguyễn Văn An'],
    ['an Excel serial date suggests the date as dd/mm/yyyy', 'dateOfBirth', '42352', [finding({ field: 'dateOfBirth', code: 'dob_excel_serial', severity: 'fixed' })], '14/12/2015', '14/12/2015'],
    ['an accepted date spelling is shown as read, without a repair', 'dateOfBirth', '14.12.2015', [], '14/12/2015', undefined],
    ['a value that reads as entered shows nothing', 'gender', 'Nữ', [], undefined, undefined],
    ['lost leading zeros suggest the 12 digits', 'personalId', '31215012345', [finding({ field: 'personalId', code: 'id_leading_zeros_restored', severity: 'fixed' })], '031215012345', '031215012345'],
    ['an error gives no suggestion even when the value reads differently', 'personalId', '031.215.012.345', [finding({ field: 'personalId', code: 'id_birth_year_mismatch', severity: 'warning' })], '031215012345', undefined],
    ['the residence is read, never written back', 'residence', 'Gia Viên, Ngô Quyền, Hải Phòng', [finding({ field: 'residence', code: 'address_unit_inferred', severity: 'fixed' })], 'Phường Gia Viên, Quận Ngô Quyền, Thành phố Hải Phòng', undefined],
  ] as const)('%s', (_, field, entered, findings, shown, suggestion) => {
    const reading = readField(field, entered, normalized, findings);
    expect(reading.normalized).toBe(shown);
    expect(reading.suggestion).toBe(suggestion);
    expect(reading.findings).toEqual(findings);
  });

  it('keeps only the findings of its field', () => {
    const findings = [finding({ field: 'gender', code: 'gender_normalized', severity: 'fixed' }), finding({ field: 'fullName', code: 'name_case', severity: 'fixed' })];
    expect(readField('gender', 'nu', normalized, findings).findings.map((f) => f.code)).toEqual(['gender_normalized']);
  });
});

describe('normalised text', () => {
  it('shows a partial date of birth as it is known', () => {
    expect(normalizedText('dateOfBirth', { dateOfBirthPartial: '1965-03' })).toBe('1965-03');
    expect(normalizedText('dateOfBirth', {})).toBeUndefined();
  });

  it('writes residences in official names, and the unit a pre-2025 one belongs to now', () => {
    expect(residenceText(residence)).toBe('Phường Gia Viên, Quận Ngô Quyền, Thành phố Hải Phòng');
    expect(residenceNow(residence)).toBe('Phường Gia Viên, Thành phố Hải Phòng');
    expect(residenceNow({ ...residence, scheme: 'post2025' })).toBeUndefined();
    expect(residenceText(null)).toBeUndefined();
  });
});
