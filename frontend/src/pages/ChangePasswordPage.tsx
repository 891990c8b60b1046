import { Alert, App, Button, Card, Flex, Form, Input, Typography } from 'antd';
import { LockOutlined } from '@ant-design/icons';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { applyProblemToForm } from '../api/problem';
import { homePath, useAuth, useSession } from '../auth/AuthContext';
import { useDocumentTitle } from '../components/PageHeader';
import { passwordProblem } from './passwordRules';

interface PasswordForm {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

/**
 * Changing one's own password; the only page open after a sign-in with a one-time password
 * ("mật khẩu một lần"), which the account must replace before anything else.
 */
export default function ChangePasswordPage() {
  const session = useSession();
  const { changePassword } = useAuth();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm<PasswordForm>();
  const [failure, setFailure] = useState<{ title: string; detail?: string; messages: string[] }>();
  const [busy, setBusy] = useState(false);
  useDocumentTitle('Đổi mật khẩu');
  const forced = Boolean(session.mustChangePassword);

  const submit = async (values: PasswordForm) => {
    setBusy(true);
    setFailure(undefined);
    try {
      const next = await changePassword(values.currentPassword, values.newPassword);
      void message.success('Đã đổi mật khẩu.');
      navigate(homePath(next.user.role), { replace: true });
    } catch (error) {
      setFailure(applyProblemToForm(form, error, [['currentPassword'], ['newPassword']]));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Flex justify="center" style={{ padding: 16 }}>
      <Card style={{ width: 440, maxWidth: '100%' }} title="Đổi mật khẩu">
        {forced && (
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 16 }}
            data-testid="password-change-required"
            title="Bạn đang dùng mật khẩu một lần"
            description="Hãy đặt mật khẩu của riêng mình trước khi làm việc. Mật khẩu một lần sẽ không dùng được nữa."
          />
        )}
        {failure && (
          <Alert
            type="error"
            showIcon
            style={{ marginBottom: 16 }}
            title={failure.title}
            description={[failure.detail, ...failure.messages].filter(Boolean).join(' ') || undefined}
          />
        )}
        <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} disabled={busy}>
          <Form.Item label={forced ? 'Mật khẩu một lần' : 'Mật khẩu hiện tại'} name="currentPassword" rules={[{ required: true, message: 'Hãy nhập mật khẩu hiện tại.' }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" autoFocus />
          </Form.Item>
          <Form.Item
            label="Mật khẩu mới"
            name="newPassword"
            extra="Ít nhất 10 ký tự, không phải mật khẩu phổ biến, không trùng tên đăng nhập."
            rules={[
              { required: true, message: 'Hãy nhập mật khẩu mới.' },
              {
                validator: (_, value: string | undefined) => {
                  const problem = passwordProblem(value ?? '', session.user.username);
                  return problem ? Promise.reject(new Error(problem)) : Promise.resolve();
                },
              },
            ]}
          >
            <Input.Password prefix={<LockOutlined />} autoComplete="new-password" />
          </Form.Item>
          <Form.Item
            label="Nhập lại mật khẩu mới"
            name="confirm"
            dependencies={['newPassword']}
            rules={[
              { required: true, message: 'Hãy nhập lại mật khẩu mới.' },
              ({ getFieldValue }) => ({
                validator: (_, value: string | undefined) =>
                  !value || value === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error('Hai lần nhập mật khẩu mới không giống nhau.')),
              }),
            ]}
          >
            <Input.Password prefix={<LockOutlined />} autoComplete="new-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy} data-testid="change-password">
            Đổi mật khẩu
          </Button>
          <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0, fontSize: 12 }}>
            Máy chủ kiểm tra lại các điều kiện này; mật khẩu không bao giờ được lưu ở dạng đọc được.
          </Typography.Paragraph>
        </Form>
      </Card>
    </Flex>
  );
}
