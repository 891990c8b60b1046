import { Navigate, Outlet, useLocation } from 'react-router';
import { Result } from 'antd';
import type { Role } from '../api/types';
import { useAuth } from './AuthContext';
import { sessionExpired } from './session';

/** Screens behind a login; with `roles`, only for those roles (others see a 403 page). */
export function RequireAuth({ roles }: { roles?: Role[] }) {
  const { session } = useAuth();
  const location = useLocation();
  if (!session) {
    // After a refused token (401 anywhere) the login page says the session expired.
    const to = sessionExpired() ? '/dang-nhap?het-han=1' : '/dang-nhap';
    return <Navigate to={to} replace state={{ from: location.pathname + location.search }} />;
  }
  // A one-time password: nothing else until the account has its own password.
  if (session.mustChangePassword && location.pathname !== '/doi-mat-khau') return <Navigate to="/doi-mat-khau" replace />;
  if (roles && !roles.includes(session.user.role)) {
    return (
      <Result
        status="403"
        title="Trang này không dành cho tài khoản của bạn"
        subTitle="Hãy dùng các mục trong thực đơn bên trái."
      />
    );
  }
  return <Outlet />;
}
