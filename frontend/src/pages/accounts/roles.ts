// Which roles an administrator may give (the server decides; the screen offers only these).
import type { Role } from '../../api/types';

export const ADMIN_ROLES: Role[] = ['school_admin', 'district_admin', 'department_admin'];

export const isAdminRole = (role: Role) => ADMIN_ROLES.includes(role);

/** The roles an administrator may give to accounts of its subtree, as the roles table says. */
export function grantableRoles(role: Role): Role[] {
  switch (role) {
    case 'school_admin':
      return ['school', 'school_admin'];
    case 'district_admin':
      return ['school', 'school_admin', 'district', 'district_admin'];
    case 'department_admin':
      return ['school', 'school_admin', 'district', 'district_admin', 'department', 'department_admin'];
    default:
      return [];
  }
}

/** Usernames as the server takes them: lower-case letters, digits, dot, dash, underscore. */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{2,63}$/;
