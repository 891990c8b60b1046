import { Navigate, Outlet, useLocation } from 'react-router';
import { Result } from 'antd';
import type { Role } from '../api/types';
import { useAuth } from './AuthContext';

/** Screens behind a login; with `roles`, only for those roles (others see a 403 page). */
export function RequireAuth({ roles }: { roles?: Role[] }) {
  const { session } = useAuth();
  const location = useLocation();
  if (!session) {
    return <Navigate to="/dang-nhap" replace state={{ from: location.pathname + location.search }} />;
  }
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
