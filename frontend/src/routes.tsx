// The app's routes. Paths are Vietnamese without diacritics; the server answers index.html
// for any of them (history fallback), so every page can be opened or reloaded directly.
import { lazy } from 'react';
import { createBrowserRouter, Navigate } from 'react-router';
import type { Role } from './api/types';
import { homePath, useAuth } from './auth/AuthContext';
import { RequireAuth } from './auth/RequireAuth';
import { LOG_READERS } from './features/privacy/api';
import { AppLayout } from './layout/AppLayout';
import { UNIT_MANAGERS } from './pages/units/unitAdmin';
import ChangePasswordPage from './pages/ChangePasswordPage';
import LoginPage from './pages/LoginPage';

const ClassesPage = lazy(() => import('./pages/school/ClassesPage'));
const ClassPage = lazy(() => import('./pages/school/ClassPage'));
const StudentsPage = lazy(() => import('./pages/people/PeoplePage').then((m) => ({ default: m.StudentsPage })));
const StaffPage = lazy(() => import('./pages/people/PeoplePage').then((m) => ({ default: m.StaffPage })));
const JobsPage = lazy(() => import('./pages/jobs/JobsPage'));
const ImportPage = lazy(() => import('./pages/imports/ImportPage'));
const DashboardPage = lazy(() => import('./pages/dashboard/DashboardPage'));
const UnitPage = lazy(() => import('./pages/units/UnitPage'));
const TransfersPage = lazy(() => import('./pages/transfers/TransfersPage'));
const RolloverPage = lazy(() => import('./pages/rollover/RolloverPage'));
const NotFoundPage = lazy(() => import('./pages/NotFoundPage'));
const UnitListImportPage = lazy(() => import('./pages/units/UnitListImportPage'));
const UnitAdminPage = lazy(() => import('./pages/units/UnitAdminPage'));
const AccountsPage = lazy(() => import('./pages/accounts/AccountsPage'));
const AccessLogPage = lazy(() => import('./pages/access-log/AccessLogPage'));

const SCHOOL: Role[] = ['school', 'school_admin'];
const OFFICES: Role[] = ['district', 'district_admin', 'department', 'department_admin'];
const ADMINS: Role[] = ['school_admin', 'district_admin', 'department_admin'];

function Home() {
  const { session } = useAuth();
  return <Navigate to={session ? homePath(session.user.role) : '/dang-nhap'} replace />;
}

export const router = createBrowserRouter([
  { path: '/dang-nhap', element: <LoginPage /> },
  {
    element: <RequireAuth />,
    children: [
      // Outside the layout: a one-time password's token opens nothing else (the layout's calls
      // would answer 403 password_change_required).
      { path: 'doi-mat-khau', element: <ChangePasswordPage /> },
      {
        element: <AppLayout />,
        children: [
          { index: true, element: <Home /> },
          { path: 'lop/:classId', element: <ClassPage /> },
          { path: 'hoc-sinh', element: <StudentsPage /> },
          { path: 'can-bo', element: <StaffPage /> },
          { path: 'chuyen-di', element: <TransfersPage /> },
          {
            element: <RequireAuth roles={SCHOOL} />,
            children: [
              { path: 'lop', element: <ClassesPage /> },
              { path: 'cong-viec', element: <JobsPage /> },
              { path: 'nhap-excel', element: <ImportPage /> },
            ],
          },
          {
            element: <RequireAuth roles={OFFICES} />,
            children: [
              { path: 'tong-quan', element: <DashboardPage /> },
              { path: 'don-vi', element: <UnitPage /> },
              { path: 'don-vi/:unitId', element: <UnitPage /> },
            ],
          },
          {
            element: <RequireAuth roles={['school', 'school_admin', 'district', 'district_admin']} />,
            children: [{ path: 'len-lop', element: <RolloverPage /> }],
          },
          {
            element: <RequireAuth roles={ADMINS} />,
            children: [{ path: 'tai-khoan', element: <AccountsPage /> }],
          },
          {
            element: <RequireAuth roles={['department_admin']} />,
            children: [{ path: 'nap-danh-sach-don-vi', element: <UnitListImportPage /> }],
          },
          {
            element: <RequireAuth roles={UNIT_MANAGERS} />,
            children: [{ path: 'quan-ly-don-vi', element: <UnitAdminPage /> }],
          },
          {
            element: <RequireAuth roles={LOG_READERS} />,
            children: [{ path: 'nhat-ky-truy-cap', element: <AccessLogPage /> }],
          },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
]);
