import { Alert, Typography } from 'antd';
import { AccessLogTable } from './AccessLogTable';
import { useAccessLog } from './api';
import { describeError } from '../../api/problem';

/** "Ai đã xem hồ sơ này": the access log entries naming one record, newest first. */
export function RecordAccessLog({ personId }: { personId: number }) {
  const log = useAccessLog({ personId, pageSize: 100 });
  if (log.isError) {
    const e = describeError(log.error);
    return <Alert type="error" showIcon title={e.title} description={e.detail} />;
  }
  const items = log.data?.items ?? [];
  return (
    <>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        Mỗi lần xem số định danh đầy đủ, xem lịch sử, xuất tệp hay in báo cáo có hồ sơ này đều được ghi lại và không thể sửa hay xóa.
      </Typography.Paragraph>
      <AccessLogTable items={items} loading={log.isPending} showRecords={false} />
      {log.data && log.data.total > items.length && (
        <Typography.Text type="secondary">Còn {log.data.total - items.length} lượt cũ hơn trong trang Nhật ký truy cập.</Typography.Text>
      )}
    </>
  );
}
