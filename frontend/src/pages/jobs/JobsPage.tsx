import { App, Button, Card, Progress, Table, Tag, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useClasses } from '../../api/queries';
import { isSchoolRole, useSession } from '../../auth/AuthContext';
import { listImports } from '../../features/imports/api';
import { describeError } from '../../api/problem';
import { ErrorResult } from '../../components/ErrorResult';
import { PageHeader } from '../../components/PageHeader';
import { cancelVerificationJob, getVerificationJob, listVerificationJobs } from '../../features/verification/api';
import { Link } from 'react-router';
import { jobStatus, type JobStatus, type VerificationJob } from '../../features/verification/contract';
import { importStatus, type ImportPreview, type ImportStatus } from '../../features/imports/contract';
import { findingLabel } from '../../text/findings';
import { formatDateTime, formatNumber } from '../../text/format';

const STATUS: Record<JobStatus, { label: string; color: string }> = {
  queued: { label: 'Đang chờ', color: 'default' },
  running: { label: 'Đang chạy', color: 'processing' },
  paused: { label: 'Tạm dừng (CSDLQG không phản hồi, sẽ tự chạy tiếp)', color: 'warning' },
  done: { label: 'Đã xong', color: 'success' },
  cancelled: { label: 'Đã huỷ', color: 'default' },
};
const statusLook = (j: VerificationJob) => STATUS[jobStatus(j)] ?? { label: j.status, color: 'default' };

/** What a job covers, in words. */
function scopeText(j: VerificationJob, classNames: Map<number, string>): string {
  const s = j.scope;
  if (s.personIds?.length) return `${formatNumber(s.personIds.length)} hồ sơ đã chọn`;
  if (s.classId) return `Lớp ${classNames.get(s.classId) ?? `(mã ${s.classId})`}`;
  const who = s.kind === 'student' ? 'Học sinh' : s.kind === 'staff' ? 'Cán bộ' : 'Học sinh và cán bộ';
  return `${who} toàn đơn vị`;
}

/** The records a job did not send because of error findings ("sửa trước khi gửi"). */
function FixBeforeSending({ job }: { job: VerificationJob }) {
  const detail = useQuery({ queryKey: ['verification-job', job.id, job.status], queryFn: () => getVerificationJob(job.id) });
  if (detail.isError) return <ErrorResult error={detail.error} onRetry={() => void detail.refetch()} />;
  const items = detail.data?.fixBeforeSending ?? [];
  return (
    <Table
      size="small"
      rowKey="personId"
      loading={detail.isPending}
      dataSource={items}
      pagination={{ pageSize: 10, hideOnSinglePage: true }}
      locale={{ emptyText: 'Không có hồ sơ nào phải sửa trước khi gửi.' }}
      columns={[
        { title: 'Họ và tên', key: 'name', render: (_, r) => <Link to={r.classId ? `/lop/${r.classId}` : r.kind === 'staff' ? '/can-bo' : '/hoc-sinh'}>{r.fullName ?? `#${r.personId}`}</Link> },
        { title: 'Sửa trước khi gửi', key: 'codes', render: (_, r) => r.codes.map((c) => <Tag key={c}>{findingLabel(c)}</Tag>) },
      ]}
    />
  );
}
const ACTIVE: JobStatus[] = ['queued', 'running', 'paused'];
/** How often running jobs are polled. */
const POLL_MS = 1500;

function VerificationJobs() {
  const session = useSession();
  const classes = useClasses(isSchoolRole(session.user.role) ? session.user.unit.id : undefined);
  const classNames = new Map((classes.data?.items ?? []).map((c) => [c.id, c.name] as const));
  const { notification } = App.useApp();
  const client = useQueryClient();
  const jobs = useQuery({
    queryKey: ['verification-jobs'],
    queryFn: listVerificationJobs,
    refetchInterval: (q) => (q.state.data?.items.some((j) => ACTIVE.includes(jobStatus(j))) ? POLL_MS : false),
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
      pagination={{ pageSize: 10, hideOnSinglePage: true }}
      locale={{ emptyText: 'Chưa có lượt xác thực nào. Gửi xác thực từ trang của một lớp.' }}
      data-testid="verification-jobs"
      expandable={{
        rowExpandable: (j) => j.totals.skipped > 0,
        expandedRowRender: (j) => <FixBeforeSending job={j} />,
      }}
      columns={[
        { title: 'Phạm vi', key: 'scope', render: (_, j) => `#${j.id} · ${scopeText(j, classNames)}` },
        { title: 'Bắt đầu', key: 'at', width: 150, render: (_, j) => formatDateTime(j.createdAt) },
        { title: 'Trạng thái', key: 'status', width: 200, render: (_, j) => <Tag color={statusLook(j).color} data-job-status={j.status}>{statusLook(j).label}</Tag> },
        {
          title: 'Tiến độ',
          key: 'progress',
          width: 220,
          render: (_, j) => (
            <Progress
              percent={Math.floor(j.progress.percent)}
              aria-label={`Tiến độ lượt xác thực #${j.id}`}
              status={ACTIVE.includes(jobStatus(j)) ? 'active' : undefined}
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
              <Tag color="magenta">Không có trong CSDLQG {formatNumber(j.totals.notFound)}</Tag>
              {j.totals.skipped > 0 && <Tag color="gold">Sửa trước khi gửi {formatNumber(j.totals.skipped)}</Tag>}
              {j.totals.error + j.totals.invalid > 0 && <Tag color="volcano">Lỗi {formatNumber(j.totals.error + j.totals.invalid)}</Tag>}
              {j.totals.changed > 0 && <Tag color="warning">Đã sửa trong lúc chờ {formatNumber(j.totals.changed)}</Tag>}
            </>
          ),
        },
        {
          title: '',
          key: 'actions',
          width: 90,
          render: (_, j) =>
            ACTIVE.includes(jobStatus(j)) ? (
              <Button size="small" danger onClick={() => cancel.mutate(j.id)} loading={cancel.isPending && cancel.variables === j.id}>
                Huỷ
              </Button>
            ) : null,
        },
      ]}
    />
  );
}

const IMPORT_STATUS: Record<ImportStatus, { label: string; color: string }> = {
  processing: { label: 'Đang xử lý', color: 'processing' },
  ready: { label: 'Chờ xác nhận ghi', color: 'gold' },
  committed: { label: 'Đã ghi', color: 'success' },
  undone: { label: 'Đã hoàn tác', color: 'default' },
  failed: { label: 'Thất bại', color: 'error' },
  expired: { label: 'Hết hạn', color: 'default' },
};

function Imports() {
  const imports = useQuery({
    queryKey: ['imports'],
    queryFn: listImports,
    refetchInterval: (q) => (q.state.data?.items.some((i) => i.status === 'processing') ? POLL_MS : false),
  });
  if (imports.isError) return <ErrorResult error={imports.error} onRetry={() => void imports.refetch()} />;
  return (
    <Table<ImportPreview>
      size="small"
      rowKey="id"
      loading={imports.isPending}
      dataSource={imports.data?.items ?? []}
      pagination={{ pageSize: 10, hideOnSinglePage: true }}
      locale={{ emptyText: 'Chưa có lượt nhập Excel nào.' }}
      data-testid="import-jobs"
      columns={[
        { title: 'Tệp', dataIndex: 'filename', ellipsis: true },
        { title: 'Lúc', key: 'at', width: 150, render: (_, i) => formatDateTime(i.createdAt) },
        { title: 'Người nhập', dataIndex: 'createdBy', width: 140 },
        {
          title: 'Trạng thái',
          key: 'status',
          width: 150,
          render: (_, i) => {
            const look = IMPORT_STATUS[importStatus(i)] ?? { label: i.status, color: 'default' };
            return <Tag color={look.color}>{look.label}</Tag>;
          },
        },
        {
          title: 'Tiến độ',
          key: 'progress',
          width: 200,
          render: (_, i) =>
            i.rowsTotal > 0 ? (
              <Progress percent={Math.floor((i.rowsRead / i.rowsTotal) * 100)} size="small" aria-label={`Tiến độ đọc tệp ${i.filename}`} format={() => `${formatNumber(i.rowsRead)}/${formatNumber(i.rowsTotal)}`} />
            ) : (
              <Typography.Text type="secondary">—</Typography.Text>
            ),
        },
        {
          title: 'Kết quả',
          key: 'totals',
          render: (_, i) =>
            `${formatNumber(i.totals.update)} cập nhật, ${formatNumber(i.totals.create)} thêm, ${formatNumber(i.totals.rejected)} từ chối` +
            (i.status === 'undone' ? ` (hoàn tác: ${formatNumber(i.reverted)} trả lại, ${formatNumber(i.kept)} giữ)` : ''),
        },
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
        <VerificationJobs />
      </Card>
      <Card title="Nhập dữ liệu từ Excel" size="small">
        <Imports />
      </Card>
    </>
  );
}
