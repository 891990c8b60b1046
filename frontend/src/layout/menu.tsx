import {
  ApartmentOutlined,
  AuditOutlined,
  BookOutlined,
  ClusterOutlined,
  CloudUploadOutlined,
  DashboardOutlined,
  IdcardOutlined,
  RiseOutlined,
  SwapOutlined,
  SyncOutlined,
  TeamOutlined,
  UserOutlined,
} from '@ant-design/icons';
import type { ReactNode } from 'react';
import type { Role } from '../api/types';
import { isSchoolRole } from '../auth/AuthContext';
import { readsAccessLog } from '../features/privacy/api';
import { isAdminRole } from '../pages/accounts/roles';
import { UNIT_MANAGERS } from '../pages/units/unitAdmin';

export interface MenuEntry {
  path: string;
  label: string;
  icon: ReactNode;
}

/** The menu of each role: a school works class by class, an office follows its units; an administrator also looks after accounts; the roles that read the access log have its page. */
export function menuFor(role: Role): MenuEntry[] {
  const admin: MenuEntry[] = [
    ...(isAdminRole(role) ? [{ path: '/tai-khoan', label: 'Tài khoản', icon: <UserOutlined /> }] : []),
    ...(readsAccessLog(role) ? [{ path: '/nhat-ky-truy-cap', label: 'Nhật ký truy cập', icon: <AuditOutlined /> }] : []),
  ];
  // only the Department's administrator loads the unit list; a district administrator keeps its schools' contacts
  if (role === 'department_admin') admin.unshift({ path: '/nap-danh-sach-don-vi', label: 'Nạp danh sách đơn vị', icon: <CloudUploadOutlined /> });
  if (UNIT_MANAGERS.includes(role)) admin.unshift({ path: '/quan-ly-don-vi', label: 'Quản lý đơn vị', icon: <ClusterOutlined /> });
  if (isSchoolRole(role)) {
    return [
      { path: '/lop', label: 'Lớp học', icon: <BookOutlined /> },
      { path: '/hoc-sinh', label: 'Học sinh', icon: <IdcardOutlined /> },
      { path: '/can-bo', label: 'Cán bộ', icon: <TeamOutlined /> },
      { path: '/cong-viec', label: 'Công việc', icon: <SyncOutlined /> },
      { path: '/chuyen-di', label: 'Chuyển đi', icon: <SwapOutlined /> },
      { path: '/len-lop', label: 'Lên lớp', icon: <RiseOutlined /> },
      ...admin,
    ];
  }
  return [
    { path: '/tong-quan', label: 'Tổng quan', icon: <DashboardOutlined /> },
    { path: '/don-vi', label: 'Đơn vị', icon: <ApartmentOutlined /> },
    { path: '/hoc-sinh', label: 'Học sinh', icon: <IdcardOutlined /> },
    { path: '/can-bo', label: 'Cán bộ', icon: <TeamOutlined /> },
    ...(role === 'district' || role === 'district_admin' ? [{ path: '/len-lop', label: 'Lên lớp', icon: <RiseOutlined /> }] : []),
    ...admin,
  ];
}

/** The menu entry a path belongs to (`/lop/12` → `/lop`). */
export function selectedMenuPath(entries: MenuEntry[], pathname: string): string | undefined {
  return entries.find((e) => pathname === e.path || pathname.startsWith(`${e.path}/`))?.path;
}
