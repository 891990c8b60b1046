import { Alert, App, Button, Input, Space, Table, Tag, Typography } from 'antd';
import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { describeError } from '../../api/problem';
import { useUnits } from '../../api/queries';
import type { UnitView } from '../../api/types';
import { useSession } from '../../auth/AuthContext';
import { PageHeader } from '../../components/PageHeader';
import { SCHOOL_LEVEL_LABELS, UNIT_KIND_LABELS } from '../../text/labels';
import { editsContacts, unitRows, type UnitRow } from './unitAdmin';
import { UnitFormModal } from './UnitFormModal';

/**
 * Quản lý đơn vị: the unit tree as a searchable list; the Department's administrator adds,
 * renames, moves, closes and reopens units, a district administrator keeps its schools'
 * contacts up to date.
 */
export default function UnitAdminPage() {
  const session = useSession();
  const { message } = App.useApp();
  const role = session.user.role;
  const own = session.user.unit.id;
  const units = useUnits();
  const [search, setSearch] = useState('');
  const [editing, setEditing] = useState<UnitView | 'new'>();
  const all = units.data?.items ?? [];
  const rows = useMemo(() => unitRows(all, search), [all, search]);

  return (
    <>
      <PageHeader
        title="Quản lý đơn vị"
        subTitle={role === 'department_admin' ? 'Phòng GDĐT và trường của tỉnh/thành phố' : `Thông tin liên hệ của các trường thuộc ${session.user.unit.name}`}
        extra={
          role === 'department_admin' && (
            <>
              <Link to="/nap-danh-sach-don-vi"><Button>Nạp danh sách đơn vị</Button></Link>
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="new-unit">
                Thêm đơn vị
              </Button>
            </>
          )
        }
      />
      {units.isError && <Alert type="error" showIcon title={describeError(units.error).title} description={describeError(units.error).detail} style={{ marginBottom: 12 }} />}
      <Input.Search
        allowClear
        aria-label="Tìm đơn vị"
        placeholder="Tìm theo tên hoặc mã (gõ không dấu cũng được)"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        style={{ maxWidth: 420, marginBottom: 12 }}
      />
      <Table<UnitRow>
        size="small"
        rowKey={(r) => r.unit.id}
        loading={units.isPending}
        dataSource={rows}
        data-testid="unit-admin-table"
        scroll={{ x: 'max-content' }}
        pagination={rows.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
        locale={{ emptyText: search ? 'Không có đơn vị nào khớp với từ tìm.' : 'Chưa có đơn vị nào.' }}
        columns={[
          {
            title: 'Đơn vị',
            key: 'name',
            render: (_, r) => (
              <span style={{ paddingLeft: Math.min(r.depth, 4) * 20 }} data-testid="unit-admin-name">
                <Link to={`/don-vi/${r.unit.id}`}>{r.unit.name}</Link>
              </span>
            ),
          },
          { title: 'Mã', key: 'code', render: (_, r) => r.unit.code },
          { title: 'Loại', key: 'kind', render: (_, r) => <Tag>{r.unit.level ? SCHOOL_LEVEL_LABELS[r.unit.level] : UNIT_KIND_LABELS[r.unit.kind]}</Tag> },
          {
            title: 'Liên hệ',
            key: 'contacts',
            render: (_, r) => (
              <Typography.Text type="secondary" data-testid="unit-contacts">
                {[r.unit.phone, r.unit.email, r.unit.principal].filter(Boolean).join(' · ')}
              </Typography.Text>
            ),
          },
          {
            title: 'Trạng thái',
            key: 'state',
            render: (_, r) => (r.unit.closedAt ? <Tag color="orange">Đã đóng</Tag> : <Tag color="green">Đang hoạt động</Tag>),
          },
          {
            title: 'Thao tác',
            key: 'actions',
            render: (_, r) =>
              editsContacts(role, r.unit, own) ? (
                <Space size={4}>
                  <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(r.unit)} aria-label={`Sửa ${r.unit.name}`} data-testid="edit-unit">
                    Sửa
                  </Button>
                </Space>
              ) : null,
          },
        ]}
      />
      <UnitFormModal
        open={editing !== undefined}
        unit={editing === 'new' ? undefined : editing}
        units={all}
        role={role}
        ownUnitId={own}
        onClose={() => setEditing(undefined)}
        onSaved={(u, created) => {
          setEditing(undefined);
          void message.success(created ? `Đã thêm ${u.name}.` : `Đã lưu ${u.name}.`);
        }}
      />
    </>
  );
}
