import { Alert, Button, Card, Flex, Form, Input, Typography } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useState } from 'react';
import { Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { applyProblemToForm } from '../api/problem';
import { homePath, useAuth } from '../auth/AuthContext';
import { useDocumentTitle } from '../components/PageHeader';

interface LoginForm {
  username: string;
  password: string;
}

export default function LoginPage() {
  const { session, login } = useAuth();
  useDocumentTitle('Đăng nhập');
  const [form] = Form.useForm<LoginForm>();
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const [failure, setFailure] = useState<{ title: string; detail?: string; messages: string[] }>();
  const [busy, setBusy] = useState(false);
  const from = (location.state as { from?: string } | null)?.from;
  const expired = params.has('het-han');

  if (session) return <Navigate to={from ?? homePath(session.user.role)} replace />;

  const submit = async (values: LoginForm) => {
    setBusy(true);
    setFailure(undefined);
    try {
      const next = await login(values.username.trim(), values.password);
      navigate(from ?? homePath(next.user.role), { replace: true });
    } catch (error) {
      setFailure(applyProblemToForm(form, error, [['username'], ['password']]));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Flex align="center" justify="center" style={{ minHeight: '100vh', background: '#f5f7fa', padding: 16 }}>
      <Card style={{ width: 400, maxWidth: '100%' }}>
        <Flex vertical align="center" gap={4} style={{ marginBottom: 24 }}>
          <img src="/favicon.svg" alt="" width={40} height={40} />
          <Typography.Title level={3} style={{ margin: '8px 0 0' }}>
            Định danh
          </Typography.Title>
          <Typography.Text type="secondary" style={{ textAlign: 'center' }}>
            Dữ liệu định danh học sinh, cán bộ — đúng, đủ, sạch, sống
          </Typography.Text>
        </Flex>
        {expired && !failure && (
          <Alert type="warning" showIcon style={{ marginBottom: 16 }} title="Phiên đăng nhập đã hết hạn, hãy đăng nhập lại." />
        )}
        {failure && (
          <Alert
            type="error"
            showIcon
            style={{ marginBottom: 16 }}
            title={failure.title}
            description={[failure.detail, ...failure.messages].filter(Boolean).join(' ') || undefined}
            data-testid="login-error"
          />
        )}
        <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} disabled={busy}>
          <Form.Item label="Tên đăng nhập" name="username" rules={[{ required: true, whitespace: true, message: 'Hãy nhập tên đăng nhập.' }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item label="Mật khẩu" name="password" rules={[{ required: true, message: 'Hãy nhập mật khẩu.' }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            Đăng nhập
          </Button>
        </Form>
      </Card>
    </Flex>
  );
}
