import { describe, expect, it } from 'vitest';
import { grantableRoles, isAdminRole, USERNAME_PATTERN } from './roles';

describe('grantableRoles', () => {
  it('follows the roles table: each administrator gives roles of its level and below', () => {
    expect(grantableRoles('school_admin')).toEqual(['school', 'school_admin']);
    expect(grantableRoles('district_admin')).toEqual(['school', 'school_admin', 'district', 'district_admin']);
    expect(grantableRoles('department_admin')).toHaveLength(6);
    expect(grantableRoles('school')).toEqual([]);
    expect(grantableRoles('department')).toEqual([]);
  });
  it('knows the administrators', () => {
    expect(['school', 'school_admin', 'district', 'district_admin', 'department', 'department_admin'].filter((r) => isAdminRole(r as never))).toEqual([
      'school_admin',
      'district_admin',
      'department_admin',
    ]);
  });
});

describe('USERNAME_PATTERN', () => {
  it.each([
    ['thcs-le-loi', true],
    ['vt.thcs_ll01', true],
    ['ab', false],
    ['Thcs-Le-Loi', false],
    ['thcs lê lợi', false],
  ])('%s → %s', (name, ok) => expect(USERNAME_PATTERN.test(name)).toBe(ok));
});
