import { App, Button, DatePicker, Flex, Form, InputNumber } from 'antd';
import { FileExcelOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { describeError } from '../../api/problem';
import { ErrorResult } from '../../components/ErrorResult';
import { PageHeader } from '../../components/PageHeader';
import { AccessLogTable } from '../../features/privacy/AccessLogTable';
import { downloadAccessLog, useAccessLog, type AccessLogQuery } from '../../features/privacy/api';
import { DATE_FORMAT } from '../../text/format';

interface Filters {
  personId?: number | null;
  userId?: number | null;
  days?: [Dayjs | null, Dayjs | null] | null;
}

function toQuery(f: Filters): Omit<AccessLogQuery, 'page' | 'pageSize'> {
  return {
    personId: f.personId ?? undefined,
    userId: f.userId ?? undefined,
    from: f.days?.[0]?.format('YYYY-MM-DD'),
    to: f.days?.[1]?.format('YYYY-MM-DD'),
  };
}

/** "Nhật ký truy cập": who read personal data in the caller's units, filtered, and as a workbook. */
export default function AccessLogPage() {
  const { message } = App.useApp();
  const [filters, setFilters] = useState<Omit<AccessLogQuery, 'page' | 'pageSize'>>({});
  const [page, setPage] = useState({ current: 1, pageSize: 50 });
  const log = useAccessLog({ ...filters, page: page.current, pageSize: page.pageSize });
  const [exporting, setExporting] = useState(false);

  const exportXlsx = async () => {
    setExporting(true);
    try {
      await downloadAccessLog(filters);
    } catch (error) {
      void message.error(describeError(error).title);
    } finally {
      setExporting(false);
    }
  };

  return (
    <>
      <PageHeader
        title="Nhật ký truy cập"
        subTitle="Ai đã xem số định danh đầy đủ, lịch sử hồ sơ, xuất tệp hay in báo cáo dữ liệu cá nhân. Nhật ký chỉ ghi thêm, không sửa, không xóa."
        extra={
          <Button icon={<FileExcelOutlined />} onClick={() => void exportXlsx()} loading={exporting} data-testid="access-log-export">
            Xuất Excel
          </Button>
        }
      />
      <Form<Filters>
        layout="vertical"
        style={{ marginBottom: 16 }}
        onFinish={(f) => {
          setFilters(toQuery(f));
          setPage((p) => ({ ...p, current: 1 }));
        }}
      >
        {/* wraps on a phone: the page never scrolls sideways */}
        <Flex wrap gap={12} align="end">
          <Form.Item name="personId" label="Mã hồ sơ" style={{ marginBottom: 0 }}>
            <InputNumber min={1} style={{ width: 120 }} />
          </Form.Item>
          <Form.Item name="userId" label="Mã tài khoản" style={{ marginBottom: 0 }}>
            <InputNumber min={1} style={{ width: 120 }} />
          </Form.Item>
          <Form.Item name="days" label="Thời gian" style={{ marginBottom: 0, width: 280, maxWidth: '100%' }}>
            <DatePicker.RangePicker format={DATE_FORMAT} allowEmpty={[true, true]} style={{ width: '100%' }} />
          </Form.Item>
          <Button type="primary" htmlType="submit" data-testid="access-log-filter">
            Lọc
          </Button>
        </Flex>
      </Form>
      {log.isError ? (
        <ErrorResult error={log.error} what="nhật ký truy cập" onRetry={() => void log.refetch()} />
      ) : (
        <AccessLogTable
          items={log.data?.items ?? []}
          loading={log.isPending}
          pagination={{
            current: page.current,
            pageSize: page.pageSize,
            total: log.data?.total ?? 0,
            onChange: (current, pageSize) => setPage({ current, pageSize }),
          }}
        />
      )}
    </>
  );
}
