import {
  ApartmentOutlined,
  BookOutlined,
  DashboardOutlined,
  IdcardOutlined,
  SyncOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import type { ReactNode } from 'react';
import type { Role } from '../api/types';
import { isSchoolRole } from '../auth/AuthContext';

export interface MenuEntry {
  path: string;
  label: string;
  icon: ReactNode;
}

/** The menu of each role: a school works class by class, an office follows its units. */
export function menuFor(role: Role): MenuEntry[] {
  if (isSchoolRole(role)) {
    return [
      { path: '/lop', label: 'Lớp học', icon: <BookOutlined /> },
      { path: '/hoc-sinh', label: 'Học sinh', icon: <IdcardOutlined /> },
      { path: '/can-bo', label: 'Cán bộ', icon: <TeamOutlined /> },
      { path: '/cong-viec', label: 'Công việc', icon: <SyncOutlined /> },
    ];
  }
  return [
    { path: '/tong-quan', label: 'Tổng quan', icon: <DashboardOutlined /> },
    { path: '/don-vi', label: 'Đơn vị', icon: <ApartmentOutlined /> },
    { path: '/hoc-sinh', label: 'Học sinh', icon: <IdcardOutlined /> },
    { path: '/can-bo', label: 'Cán bộ', icon: <TeamOutlined /> },
  ];
}

/** The menu entry a path belongs to (`/lop/12` → `/lop`). */
export function selectedMenuPath(entries: MenuEntry[], pathname: string): string | undefined {
  return entries.find((e) => pathname === e.path || pathname.startsWith(`${e.path}/`))?.path;
}
