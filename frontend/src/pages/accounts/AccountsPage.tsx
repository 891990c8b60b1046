import { Alert, App, Button, Form, Input, Modal, Select, Space, Table, Tag, TreeSelect, Typography } from 'antd';
import { KeyOutlined, LockOutlined, UnlockOutlined, UserAddOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { applyProblemToForm, describeError } from '../../api/problem';
import { useUnits } from '../../api/queries';
import type { components } from '../../api/schema';
import type { Role } from '../../api/types';
import { useSession } from '../../auth/AuthContext';
import { PageHeader } from '../../components/PageHeader';
import { buildUnitTree, type UnitNode } from '../../components/unitTree';
import { formatDateTime } from '../../text/format';
import { ROLE_LABELS } from '../../text/labels';
import { grantableRoles, USERNAME_PATTERN } from './roles';

type Account = components['schemas']['AccountView'];
type Issued = components['schemas']['AccountWithPassword'];

interface NewAccountForm {
  username: string;
  displayName: string;
  role: Role;
  unitId: number;
}

interface UnitOption {
  value: number;
  title: string;
  children: UnitOption[];
}
const toOption = (n: UnitNode): UnitOption => ({ value: n.unit.id, title: n.unit.name, children: n.children.map(toOption) });

/** A one-time password, shown once: the administrator hands it over; it is never shown again. */
function IssuedPassword({ issued, onClose }: { issued: Issued | undefined; onClose: () => void }) {
  return (
    <Modal open={Boolean(issued)} title="Mật khẩu một lần" onOk={onClose} onCancel={onClose} okText="Đã ghi lại" cancelButtonProps={{ style: { display: 'none' } }}>
      {issued && (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Typography.Text>
            Tài khoản <Typography.Text strong>{issued.user.username}</Typography.Text> ({issued.user.unitName})
          </Typography.Text>
          <Typography.Paragraph copyable={{ text: issued.oneTimePassword }} style={{ fontSize: 20, margin: 0 }} data-testid="one-time-password">
            <Typography.Text code>{issued.oneTimePassword}</Typography.Text>
          </Typography.Paragraph>
          <Alert
            type="warning"
            showIcon
            title="Mật khẩu này chỉ hiện một lần"
            description="Hãy giao tận tay người dùng. Ở lần đăng nhập đầu, họ phải đặt mật khẩu của riêng mình."
          />
        </Space>
      )}
    </Modal>
  );
}

/** The accounts an administrator looks after: open one, lock or unlock it, issue a new one-time password. */
export default function AccountsPage() {
  const session = useSession();
  const { notification } = App.useApp();
  const client = useQueryClient();
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const [issued, setIssued] = useState<Issued>();
  const [form] = Form.useForm<NewAccountForm>();
  const [formError, setFormError] = useState<string>();
  const units = useUnits();
  const unitTree = useMemo(() => buildUnitTree(units.data?.items ?? []).map(toOption), [units.data]);
  const roles = grantableRoles(session.user.role);

  const accounts = useQuery({
    queryKey: ['accounts', page],
    queryFn: () => unwrap(api.GET('/api/v1/users', { params: { query: { page, pageSize: 50 } } })),
  });
  const fail = (error: unknown) => notification.error({ title: describeError(error).title, description: describeError(error).detail });
  const refresh = () => void client.invalidateQueries({ queryKey: ['accounts'] });

  const create = useMutation({
    mutationFn: (values: NewAccountForm) => unwrap(api.POST('/api/v1/users', { body: { ...values, username: values.username.trim() } })),
    onSuccess: (answer) => {
      setCreating(false);
      form.resetFields();
      setIssued(answer as Issued);
      refresh();
    },
    onError: (error) => {
      const failure = applyProblemToForm(form, error, [['username'], ['displayName'], ['role'], ['unitId']]);
      setFormError(failure ? [failure.title, failure.detail].filter(Boolean).join(': ') : undefined);
    },
  });
  const toggle = useMutation({
    mutationFn: (a: Account) => unwrap(api.PATCH('/api/v1/users/{id}', { params: { path: { id: a.id } }, body: { disabled: !a.disabled } })),
    onSuccess: refresh,
    onError: fail,
  });
  const reset = useMutation({
    mutationFn: (a: Account) => unwrap(api.POST('/api/v1/users/{id}/reset-password', { params: { path: { id: a.id } } })),
    onSuccess: (answer) => {
      setIssued(answer as Issued);
      refresh();
    },
    onError: fail,
  });

  return (
    <>
      <PageHeader
        title="Tài khoản"
        subTitle={session.user.unit.name}
        extra={
          <Button type="primary" icon={<UserAddOutlined />} onClick={() => setCreating(true)} data-testid="new-account">
            Tạo tài khoản
          </Button>
        }
      />
      {accounts.isError && <Alert type="error" showIcon title={describeError(accounts.error).title} style={{ marginBottom: 12 }} />}
      <Table<Account>
        size="small"
        rowKey="id"
        loading={accounts.isPending}
        dataSource={accounts.data?.items ?? []}
        data-testid="accounts"
        pagination={{ current: page, pageSize: 50, total: accounts.data?.total ?? 0, onChange: setPage, hideOnSinglePage: true }}
        columns={[
          { title: 'Tên đăng nhập', dataIndex: 'username', render: (u: string) => <Typography.Text strong>{u}</Typography.Text> },
          { title: 'Tên hiển thị', dataIndex: 'displayName' },
          { title: 'Vai trò', key: 'role', render: (_, a) => <Tag>{ROLE_LABELS[a.role]}</Tag> },
          { title: 'Đơn vị', dataIndex: 'unitName' },
          {
            title: 'Trạng thái',
            key: 'state',
            render: (_, a) => (
              <Space size={4} wrap>
                {a.disabled ? <Tag color="red">Đã khoá</Tag> : <Tag color="green">Đang dùng</Tag>}
                {a.mustChangePassword && <Tag color="gold">Chưa đổi mật khẩu một lần</Tag>}
              </Space>
            ),
          },
          { title: 'Tạo lúc', key: 'created', render: (_, a) => formatDateTime(a.createdAt) },
          {
            title: '',
            key: 'actions',
            render: (_, a) =>
              a.username === session.user.username ? null : (
                <Space size={4} wrap>
                  <Button size="small" icon={a.disabled ? <UnlockOutlined /> : <LockOutlined />} loading={toggle.isPending && toggle.variables?.id === a.id} onClick={() => toggle.mutate(a)}>
                    {a.disabled ? 'Mở khoá' : 'Khoá'}
                  </Button>
                  <Button size="small" icon={<KeyOutlined />} loading={reset.isPending && reset.variables?.id === a.id} onClick={() => reset.mutate(a)}>
                    Cấp lại mật khẩu
                  </Button>
                </Space>
              ),
          },
        ]}
      />
      <Modal
        open={creating}
        title="Tạo tài khoản"
        okText="Tạo tài khoản"
        cancelText="Huỷ"
        confirmLoading={create.isPending}
        onOk={() => form.submit()}
        onCancel={() => setCreating(false)}
        destroyOnHidden
      >
        {formError && <Alert type="error" showIcon title={formError} style={{ marginBottom: 12 }} />}
        <Form
          form={form}
          layout="vertical"
          requiredMark={false}
          initialValues={{ role: roles[0], unitId: session.user.unit.id }}
          onFinish={(values) => {
            setFormError(undefined);
            create.mutate(values);
          }}
        >
          <Form.Item
            label="Tên đăng nhập"
            name="username"
            extra="Chữ thường không dấu, số, dấu chấm, gạch ngang hoặc gạch dưới (ví dụ thcs-le-loi)."
            rules={[
              { required: true, message: 'Hãy nhập tên đăng nhập.' },
              { pattern: USERNAME_PATTERN, message: 'Tên đăng nhập có 3–64 ký tự: chữ thường không dấu, số, “.”, “-”, “_”.' },
            ]}
          >
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item label="Tên hiển thị" name="displayName" rules={[{ required: true, whitespace: true, message: 'Hãy nhập tên hiển thị.' }]}>
            <Input placeholder="Văn thư Trường THCS Lê Lợi" />
          </Form.Item>
          <Form.Item label="Vai trò" name="role" rules={[{ required: true }]}>
            <Select options={roles.map((r) => ({ value: r, label: ROLE_LABELS[r] }))} aria-label="Vai trò" />
          </Form.Item>
          <Form.Item label="Đơn vị" name="unitId" rules={[{ required: true, message: 'Hãy chọn đơn vị.' }]}>
            <TreeSelect<number> showSearch treeNodeFilterProp="title" treeData={unitTree} loading={units.isPending} aria-label="Đơn vị" />
          </Form.Item>
        </Form>
      </Modal>
      <IssuedPassword issued={issued} onClose={() => setIssued(undefined)} />
    </>
  );
}
