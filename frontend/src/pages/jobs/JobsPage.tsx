import { App, Button, Card, Progress, Table, Tag, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { hasFeature } from '../../api/capabilities';
import { rawRequest } from '../../api/client';
import { describeError } from '../../api/problem';
import { ErrorResult } from '../../components/ErrorResult';
import { FeatureUnavailable } from '../../components/FeatureUnavailable';
import { PageHeader } from '../../components/PageHeader';
import { cancelVerificationJob, listVerificationJobs } from '../../features/verification/api';
import type { JobStatus, VerificationJob } from '../../features/verification/contract';
import type { ImportPreview } from '../../features/imports/contract';
import { formatDateTime, formatNumber } from '../../text/format';

const STATUS: Record<JobStatus, { label: string; color: string }> = {
  queued: { label: 'Đang chờ', color: 'default' },
  running: { label: 'Đang chạy', color: 'processing' },
  paused: { label: 'Tạm dừng (CSDLQG không phản hồi)', color: 'warning' },
  completed: { label: 'Đã xong', color: 'success' },
  cancelled: { label: 'Đã huỷ', color: 'default' },
  failed: { label: 'Thất bại', color: 'error' },
};
const ACTIVE: JobStatus[] = ['queued', 'running', 'paused'];
/** How often running jobs are polled. */
const POLL_MS = 1500;

function VerificationJobs() {
  const { notification } = App.useApp();
  const client = useQueryClient();
  const jobs = useQuery({
    queryKey: ['verification-jobs'],
    queryFn: listVerificationJobs,
    refetchInterval: (q) => (q.state.data?.items.some((j) => ACTIVE.includes(j.status)) ? POLL_MS : false),
  });
  const cancel = useMutation({
    mutationFn: cancelVerificationJob,
    onSuccess: () => void client.invalidateQueries({ queryKey: ['verification-jobs'] }),
    onError: (e) => notification.error({ title: describeError(e).title, description: describeError(e).detail }),
  });
  if (jobs.isError) return <ErrorResult error={jobs.error} onRetry={() => void jobs.refetch()} />;
  return (
    <Table<VerificationJob>
      size="small"
      rowKey="id"
      loading={jobs.isPending}
      dataSource={jobs.data?.items ?? []}
      locale={{ emptyText: 'Chưa có lượt xác thực nào. Gửi xác thực từ trang của một lớp.' }}
      columns={[
        { title: 'Phạm vi', key: 'scope', render: (_, j) => j.scope.label ?? `Lượt #${j.id}` },
        { title: 'Bắt đầu', key: 'at', width: 150, render: (_, j) => formatDateTime(j.createdAt) },
        { title: 'Trạng thái', key: 'status', width: 200, render: (_, j) => <Tag color={STATUS[j.status].color}>{STATUS[j.status].label}</Tag> },
        {
          title: 'Tiến độ',
          key: 'progress',
          width: 220,
          render: (_, j) => (
            <Progress
              percent={j.progress.total > 0 ? Math.round((j.progress.done / j.progress.total) * 100) : 0}
              status={j.status === 'failed' ? 'exception' : ACTIVE.includes(j.status) ? 'active' : undefined}
              format={() => `${formatNumber(j.progress.done)}/${formatNumber(j.progress.total)}`}
              size="small"
            />
          ),
        },
        {
          title: 'Kết quả',
          key: 'totals',
          render: (_, j) => (
            <>
              <Tag color="success">Khớp {formatNumber(j.totals.verified)}</Tag>
              <Tag color="error">Sai lệch {formatNumber(j.totals.mismatched)}</Tag>
              <Tag color="magenta">Không thấy {formatNumber(j.totals.notFound)}</Tag>
              {j.totals.skipped > 0 && <Tag color="gold">Sửa trước khi gửi {formatNumber(j.totals.skipped)}</Tag>}
              {j.totals.error + j.totals.invalid > 0 && <Tag color="volcano">Lỗi {formatNumber(j.totals.error + j.totals.invalid)}</Tag>}
            </>
          ),
        },
        {
          title: '',
          key: 'actions',
          width: 90,
          render: (_, j) =>
            ACTIVE.includes(j.status) ? (
              <Button size="small" danger onClick={() => cancel.mutate(j.id)} loading={cancel.isPending && cancel.variables === j.id}>
                Huỷ
              </Button>
            ) : null,
        },
      ]}
    />
  );
}

function Imports() {
  const imports = useQuery({
    queryKey: ['imports'],
    queryFn: () => rawRequest<{ items: ImportPreview[] }>('GET', '/api/v1/imports'),
    refetchInterval: (q) => (q.state.data?.items.some((i) => i.status === 'running') ? POLL_MS : false),
  });
  if (imports.isError) return <ErrorResult error={imports.error} onRetry={() => void imports.refetch()} />;
  return (
    <Table<ImportPreview>
      size="small"
      rowKey="id"
      loading={imports.isPending}
      dataSource={imports.data?.items ?? []}
      locale={{ emptyText: 'Chưa có lượt nhập Excel nào.' }}
      columns={[
        { title: 'Tệp', dataIndex: 'fileName' },
        { title: 'Lúc', key: 'at', width: 150, render: (_, i) => (i.createdAt ? formatDateTime(i.createdAt) : '') },
        {
          title: 'Tiến độ',
          key: 'progress',
          width: 220,
          render: (_, i) =>
            i.rowsTotal ? <Progress percent={Math.round(((i.rowsRead ?? 0) / i.rowsTotal) * 100)} size="small" /> : <Typography.Text type="secondary">—</Typography.Text>,
        },
        { title: 'Kết quả', key: 'totals', render: (_, i) => `${i.totals.update} cập nhật, ${i.totals.create} thêm, ${i.totals.rejected} từ chối` },
      ]}
    />
  );
}

/** Running and past verification and import jobs, with live progress. */
export default function JobsPage() {
  return (
    <>
      <PageHeader title="Công việc" subTitle="Các lượt gửi xác thực và nhập Excel của trường" />
      <Card title="Gửi xác thực với CSDLQG về dân cư" size="small" style={{ marginBottom: 16 }}>
        {hasFeature('verificationJobs') ? (
          <VerificationJobs />
        ) : (
          <FeatureUnavailable title="Chưa gửi xác thực được" description="Máy chủ này chưa có chức năng gửi hồ sơ sang CSDLQG về dân cư để xác thực." />
        )}
      </Card>
      <Card title="Nhập dữ liệu từ Excel" size="small">
        {hasFeature('importList') ? (
          <Imports />
        ) : (
          <FeatureUnavailable
            compact
            title="Chưa có danh sách các lượt nhập"
            description="Máy chủ này chưa có danh sách các lượt nhập Excel."
          />
        )}
      </Card>
    </>
  );
}
