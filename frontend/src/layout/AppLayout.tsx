import { Avatar, Button, Dropdown, Flex, Grid, Layout, Menu, Spin, Tag, Typography } from 'antd';
import { LockOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { Suspense, useEffect, useState } from 'react';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { useAuth, useSession } from '../auth/AuthContext';
import { useMe } from '../api/queries';
import { ROLE_LABELS } from '../text/labels';
import { menuFor, selectedMenuPath } from './menu';
import { watchScrollRegions } from './scrollRegions';

const { Header, Sider, Content } = Layout;

/** The frame of every signed-in page: the role's menu, the unit and school year, the account. */
export function AppLayout() {
  const session = useSession();
  const { logout } = useAuth();
  const me = useMe();
  const navigate = useNavigate();
  const location = useLocation();
  const [collapsed, setCollapsed] = useState(false);
  // On a phone (under 576 px) the menu keeps only its icons and the header only the unit's name
  // and the account's avatar: the role and the school year are in the account menu.
  const screens = Grid.useBreakpoint();
  const phone = !screens.sm;
  useEffect(() => watchScrollRegions(document.body), []);
  const entries = menuFor(session.user.role);
  const selected = selectedMenuPath(entries, location.pathname);

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Sider collapsible collapsed={collapsed} onCollapse={setCollapsed} width={208} collapsedWidth={phone ? 56 : 80} breakpoint="lg" theme="light"
        style={{ borderInlineEnd: '1px solid #f0f0f0' }}>
        <Flex align="center" gap={8} style={{ height: 56, paddingInline: phone && collapsed ? 16 : 20 }}>
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
      <Layout style={{ minWidth: 0 }}>
        <Header
          style={{ background: '#fff', paddingInline: phone ? 12 : 24, borderBottom: '1px solid #f0f0f0', height: 56, lineHeight: '56px' }}
        >
          <Flex justify="space-between" align="center" style={{ height: '100%' }}>
            <Flex align="center" gap={8} style={{ minWidth: 0 }}>
              <Typography.Text strong ellipsis data-testid="unit-name">
                {session.user.unit.name}
              </Typography.Text>
              {!phone && <Tag>{ROLE_LABELS[session.user.role]}</Tag>}
              {!phone && me.data && <Tag color="blue">Năm học {me.data.schoolYear}</Tag>}
            </Flex>
            <Dropdown
              menu={{
                items: [
                  ...(phone
                    ? [
                        {
                          key: 'who',
                          disabled: true,
                          label: `${ROLE_LABELS[session.user.role]}${me.data ? ` · Năm học ${me.data.schoolYear}` : ''}`,
                        },
                        { type: 'divider' as const },
                      ]
                    : []),
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
              <Button type="text" data-testid="account-menu" aria-label={`Tài khoản: ${session.user.displayName}`}>
                <Avatar size="small" icon={<UserOutlined />} />
                {!phone && <span style={{ marginInlineStart: 8 }}>{session.user.displayName}</span>}
              </Button>
            </Dropdown>
          </Flex>
        </Header>
        <Content style={{ padding: phone ? 12 : 24, minWidth: 0 }}>
          <Suspense fallback={<Spin size="large" style={{ display: 'block', margin: '15vh auto' }} />}>
            <Outlet />
          </Suspense>
        </Content>
      </Layout>
    </Layout>
  );
}
