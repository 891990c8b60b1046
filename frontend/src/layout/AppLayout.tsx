import { Avatar, Button, Dropdown, Flex, Layout, Menu, Spin, Tag, Typography } from 'antd';
import { LockOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { Suspense, useState } from 'react';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { useAuth, useSession } from '../auth/AuthContext';
import { useMe } from '../api/queries';
import { ROLE_LABELS } from '../text/labels';
import { menuFor, selectedMenuPath } from './menu';

const { Header, Sider, Content } = Layout;

/** The frame of every signed-in page: the role's menu, the unit and school year, the account. */
export function AppLayout() {
  const session = useSession();
  const { logout } = useAuth();
  const me = useMe();
  const navigate = useNavigate();
  const location = useLocation();
  const [collapsed, setCollapsed] = useState(false);
  const entries = menuFor(session.user.role);
  const selected = selectedMenuPath(entries, location.pathname);

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Sider collapsible collapsed={collapsed} onCollapse={setCollapsed} width={208} breakpoint="lg" theme="light"
        style={{ borderInlineEnd: '1px solid #f0f0f0' }}>
        <Flex align="center" gap={8} style={{ height: 56, paddingInline: 20 }}>
          <img src="/favicon.svg" alt="" width={24} height={24} />
          {!collapsed && (
            <Typography.Text strong style={{ fontSize: 16 }}>
              Định danh
            </Typography.Text>
          )}
        </Flex>
        <Menu
          mode="inline"
          selectedKeys={selected ? [selected] : []}
          items={entries.map((e) => ({ key: e.path, icon: e.icon, label: e.label }))}
          onClick={({ key }) => navigate(key)}
          style={{ borderInlineEnd: 'none' }}
        />
      </Sider>
      <Layout>
        <Header
          style={{ background: '#fff', paddingInline: 24, borderBottom: '1px solid #f0f0f0', height: 56, lineHeight: '56px' }}
        >
          <Flex justify="space-between" align="center" style={{ height: '100%' }}>
            <Flex align="center" gap={8} style={{ minWidth: 0 }}>
              <Typography.Text strong ellipsis data-testid="unit-name">
                {session.user.unit.name}
              </Typography.Text>
              <Tag>{ROLE_LABELS[session.user.role]}</Tag>
              {me.data && <Tag color="blue">Năm học {me.data.schoolYear}</Tag>}
            </Flex>
            <Dropdown
              menu={{
                items: [
                  { key: 'password', icon: <LockOutlined />, label: 'Đổi mật khẩu' },
                  { key: 'logout', icon: <LogoutOutlined />, label: 'Đăng xuất' },
                ],
                onClick: ({ key }) => {
                  if (key === 'password') {
                    navigate('/doi-mat-khau');
                    return;
                  }
                  logout();
                  navigate('/dang-nhap', { replace: true });
                },
              }}
            >
              <Button type="text" data-testid="account-menu">
                <Avatar size="small" icon={<UserOutlined />} />
                <span style={{ marginInlineStart: 8 }}>{session.user.displayName}</span>
              </Button>
            </Dropdown>
          </Flex>
        </Header>
        <Content style={{ padding: 24, minWidth: 0 }}>
          <Suspense fallback={<Spin size="large" style={{ display: 'block', margin: '15vh auto' }} />}>
            <Outlet />
          </Suspense>
        </Content>
      </Layout>
    </Layout>
  );
}
