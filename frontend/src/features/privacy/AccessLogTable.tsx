import { Table, Tag, Typography } from 'antd';
import { formatDateTime } from '../../text/format';
import { ACCESS_ACTION_LABELS, type AccessLogEntry } from './api';

/** Entries of the access log: when, which account, what, which records. */
export function AccessLogTable({
  items,
  loading,
  pagination,
  showRecords = true,
}: {
  items: AccessLogEntry[];
  loading?: boolean;
  pagination?: false | { current: number; pageSize: number; total: number; onChange: (page: number, size: number) => void };
  showRecords?: boolean;
}) {
  return (
    <Table<AccessLogEntry>
      rowKey="id"
      size="small"
      loading={loading}
      dataSource={items}
      pagination={pagination === undefined ? false : pagination}
      data-testid="access-log-table"
      scroll={{ x: showRecords ? 860 : 520 }}
      columns={[
        { title: 'Thời điểm', dataIndex: 'at', width: 150, render: (at: string) => formatDateTime(at) },
        {
          title: 'Tài khoản',
          dataIndex: 'username',
          render: (username: string, e) => (
            <span>
              {username}
              {e.userId != null && <Typography.Text type="secondary"> (#{e.userId})</Typography.Text>}
            </span>
          ),
        },
        {
          title: 'Thao tác',
          dataIndex: 'action',
          render: (action: AccessLogEntry['action'], e) => (
            <span>
              {ACCESS_ACTION_LABELS[action]}
              {e.field === 'personalId' && <Tag color="orange" style={{ marginInlineStart: 8 }}>số đầy đủ</Tag>}
            </span>
          ),
        },
        ...(showRecords
          ? [
              {
                title: 'Hồ sơ',
                dataIndex: 'personCount',
                render: (count: number, e: AccessLogEntry) =>
                  count === 0 ? '' : count <= 5 ? e.personIds.map((id) => `#${id}`).join(', ') : `${count} hồ sơ`,
              },
              { title: 'Chi tiết', dataIndex: 'detail', ellipsis: true, render: (d: string | null) => d ?? '' },
            ]
          : []),
      ]}
    />
  );
}
