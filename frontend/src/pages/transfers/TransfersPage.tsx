import { Table, Tag } from 'antd';
import { useUnits } from '../../api/queries';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { formatDateTime } from '../../text/format';
import { useTransfers, type TransferView } from './api';

/** "Chuyển đi": the records that left the caller's unit (read-only traces). */
export default function TransfersPage() {
  const transfers = useTransfers();
  const units = useUnits();
  const unitName = (id: number | null | undefined) => {
    if (id === null || id === undefined) return <Tag>Ra khỏi tỉnh / đã đóng</Tag>;
    const u = units.data?.items.find((x) => x.id === id);
    return u ? u.name : `Đơn vị số ${id}`;
  };
  return (
    <>
      <PageHeader title="Hồ sơ đã chuyển đi" subTitle="Học sinh và cán bộ đã chuyển khỏi đơn vị; chỉ để xem." />
      <QueryState query={transfers} what="danh sách chuyển đi">
        {(data) => (
          <Table<TransferView>
            rowKey="id"
            size="small"
            data-testid="transfers-table"
            dataSource={data.items}
            scroll={{ x: 'max-content' }}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            locale={{ emptyText: 'Chưa có hồ sơ nào chuyển đi.' }}
            columns={[
              { title: 'Họ tên', dataIndex: 'fullName', render: (v: string | null) => v || '(chưa có tên)' },
              { title: 'Loại', dataIndex: 'kind', render: (k: string) => (k === 'student' ? 'Học sinh' : 'Cán bộ') },
              { title: 'Chuyển đến', dataIndex: 'toUnitId', render: (id: number | null) => unitName(id) },
              { title: 'Lúc', dataIndex: 'at', render: (at: string) => formatDateTime(at) },
              { title: 'Lý do', dataIndex: 'reason' },
              { title: 'Người thực hiện', dataIndex: 'actor' },
            ]}
          />
        )}
      </QueryState>
    </>
  );
}
