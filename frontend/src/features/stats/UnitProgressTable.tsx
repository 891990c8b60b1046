import { Card, Input, Progress as Bar, Table, Tag, Tooltip, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { ErrorResult } from '../../components/ErrorResult';
import { formatDate, formatNumber, formatShare } from '../../text/format';
import { useProgress } from './api';
import { statUnitPath, type Population } from './contract';
import { compareFinish, filterRows, riskLabel, unitRows, type UnitRow } from './unitTable';

type Scope = { unitId: number; population: Population };

const pct = (share: number) => <span style={{ whiteSpace: 'nowrap' }}>{formatShare(share)}</span>;

/**
 * The supervisors' table: each child unit with its totals, đủ/đúng/sạch/sống, verified share,
 * errors and projected finish, sortable by any column and filtered by name; `extra` holds the
 * Excel export of the same table.
 */
export function UnitProgressTable({ scope, extra }: { scope: Scope; extra?: React.ReactNode }) {
  const progress = useProgress(scope);
  const [text, setText] = useState('');
  const rows = useMemo(() => unitRows(progress.data?.children ?? []), [progress.data]);
  const shown = filterRows(rows, text);
  const byNumber = (key: keyof UnitRow) => (a: UnitRow, b: UnitRow) => (a[key] as number) - (b[key] as number);
  return (
    <Card
      size="small"
      title="Tiến độ theo đơn vị"
      extra={
        <>
          <Input.Search allowClear placeholder="Lọc theo tên đơn vị" aria-label="Lọc theo tên đơn vị" onChange={(e) => setText(e.target.value)} style={{ width: 220, marginRight: 8 }} />
          {extra}
        </>
      }
    >
      {progress.isError ? (
        <ErrorResult error={progress.error} onRetry={() => void progress.refetch()} />
      ) : (
        <Table<UnitRow>
          size="small"
          rowKey="key"
          loading={progress.isPending}
          dataSource={shown}
          data-testid="unit-progress-table"
          pagination={shown.length > 30 ? { pageSize: 30 } : false}
          scroll={{ x: 1100 }}
          locale={{ emptyText: text ? 'Không có đơn vị nào khớp bộ lọc.' : 'Đơn vị chưa có đơn vị trực thuộc.' }}
          columns={[
            {
              title: 'Đơn vị',
              key: 'name',
              fixed: 'left',
              width: 220,
              sorter: (a, b) => a.name.localeCompare(b.name, 'vi'),
              render: (_, r) => (
                <Tooltip title={r.name}>
                  <Link to={statUnitPath(r.child.unit)} data-testid="unit-progress-link">
                    {r.shortName}
                  </Link>
                </Tooltip>
              ),
            },
            { title: 'Tổng số', dataIndex: 'total', width: 90, align: 'right', sorter: byNumber('total'), render: (n: number) => formatNumber(n) },
            { title: 'Có số ĐDCN', dataIndex: 'withId', width: 100, align: 'right', sorter: byNumber('withId'), render: pct },
            {
              title: 'Đã xác thực',
              dataIndex: 'verified',
              width: 140,
              sorter: byNumber('verified'),
              render: (s: number) => <Bar percent={Math.floor(s * 100)} size="small" format={(p) => `${p}%`} aria-label="Đã xác thực" />,
            },
            { title: 'Đủ', dataIndex: 'du', width: 80, align: 'right', sorter: byNumber('du'), render: pct },
            { title: 'Đúng', dataIndex: 'dung', width: 80, align: 'right', sorter: byNumber('dung'), render: pct },
            { title: 'Sạch', dataIndex: 'sach', width: 80, align: 'right', sorter: byNumber('sach'), render: pct },
            { title: 'Sống', dataIndex: 'song', width: 80, align: 'right', sorter: byNumber('song'), render: pct },
            { title: 'Lỗi chặn gửi', dataIndex: 'errors', width: 110, align: 'right', sorter: byNumber('errors'), render: (n: number) => formatNumber(n) },
            {
              title: 'Dự kiến hoàn thành',
              key: 'finish',
              width: 150,
              sorter: compareFinish,
              render: (_, r) =>
                r.status === 'complete' ? (
                  <Tag color="success">Đã xong</Tag>
                ) : r.finish ? (
                  formatDate(r.finish)
                ) : (
                  <Typography.Text type="secondary">{r.status === 'stalled' ? 'Đứng yên' : 'Chưa đủ số liệu'}</Typography.Text>
                ),
            },
            {
              title: 'Nguy cơ trễ hạn',
              key: 'risk',
              width: 130,
              filters: [
                { text: 'Có', value: 'Có' },
                { text: 'Không', value: 'Không' },
                { text: 'Chưa rõ', value: 'Chưa rõ' },
              ],
              onFilter: (value, r) => riskLabel(r) === value,
              sorter: (a, b) => Number(a.atRisk) - Number(b.atRisk),
              render: (_, r) => {
                const label = riskLabel(r);
                return <Tag color={label === 'Có' ? 'red' : label === 'Chưa rõ' ? 'gold' : undefined}>{label}</Tag>;
              },
            },
          ]}
        />
      )}
    </Card>
  );
}
