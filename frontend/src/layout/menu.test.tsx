import { describe, expect, it } from 'vitest';
import type { Role } from '../api/types';
import { menuFor } from './menu';

const paths = (role: Role) => menuFor(role).map((e) => e.path);

describe('the menu of each role', () => {
  it('offers the unit list import to the Department administrator only', () => {
    expect(paths('department_admin')).toContain('/nap-danh-sach-don-vi');
    for (const role of ['school', 'school_admin', 'district', 'district_admin', 'department'] as Role[]) {
      expect(paths(role)).not.toContain('/nap-danh-sach-don-vi');
    }
  });

  it('offers unit management to the Department and district administrators only', () => {
    for (const role of ['department_admin', 'district_admin'] as Role[]) expect(paths(role)).toContain('/quan-ly-don-vi');
    for (const role of ['school', 'school_admin', 'district', 'department'] as Role[]) expect(paths(role)).not.toContain('/quan-ly-don-vi');
  });

  it('offers accounts to administrators only', () => {
    for (const role of ['school_admin', 'district_admin', 'department_admin'] as Role[]) expect(paths(role)).toContain('/tai-khoan');
    for (const role of ['school', 'district', 'department'] as Role[]) expect(paths(role)).not.toContain('/tai-khoan');
  });
});
