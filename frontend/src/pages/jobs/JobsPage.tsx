import { App, Button, Card, Flex, Modal, Progress, Table, Tag, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useClasses } from '../../api/queries';
import { isSchoolRole, useSession } from '../../auth/AuthContext';
import { listImports } from '../../features/imports/api';
import { ImportOutcome } from '../../features/imports/ImportOutcome';
import { describeError } from '../../api/problem';
import { ErrorResult } from '../../components/ErrorResult';
import { PageHeader } from '../../components/PageHeader';
import { cancelVerificationJob, getVerificationJob, listVerificationJobItems, listVerificationJobs } from '../../features/verification/api';
import { Link } from 'react-router';
import { jobStatus, type JobItemView, type JobOutcome, type JobStatus, type VerificationJob } from '../../features/verification/contract';
import { useState } from 'react';
import { StatusTag } from '../../components/StatusTag';
import { jobRecordPath } from './jobRecords';
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
/** A job's totals as tags; each non-zero one opens the records behind it. */
const TOTALS: { outcome: JobOutcome; label: string; color: string; count: (j: VerificationJob) => number; always?: boolean }[] = [
  { outcome: 'verified', label: 'Khớp', color: 'success', count: (j) => j.totals.verified, always: true },
  { outcome: 'mismatched', label: 'Sai lệch', color: 'error', count: (j) => j.totals.mismatched, always: true },
  { outcome: 'notFound', label: 'Không có trong CSDLQG', color: 'magenta', count: (j) => j.totals.notFound, always: true },
  { outcome: 'skipped', label: 'Sửa trước khi gửi', color: 'gold', count: (j) => j.totals.skipped },
  { outcome: 'error', label: 'Lỗi', color: 'volcano', count: (j) => j.totals.error },
  { outcome: 'invalid', label: 'CSDLQG từ chối', color: 'volcano', count: (j) => j.totals.invalid },
  { outcome: 'changed', label: 'Đã sửa trong lúc chờ', color: 'warning', count: (j) => j.totals.changed },
  { outcome: 'cancelled', label: 'Đã huỷ', color: 'default', count: (j) => j.totals.cancelled },
  { outcome: 'queued', label: 'Đang chờ', color: 'processing', count: (j) => j.totals.queued },
];

const outcomeLabel = (outcome: JobOutcome) => TOTALS.find((t) => t.outcome === outcome)?.label ?? outcome;

function JobTotalsTags({ job, onOpen }: { job: VerificationJob; onOpen: (outcome: JobOutcome) => void }) {
  return (
    <Flex gap={4} wrap>
      {TOTALS.filter((t) => t.always || t.count(job) > 0).map((t) => {
        const n = t.count(job);
        const tag = (
          <Tag color={t.color} style={{ marginInlineEnd: 0 }}>
            {t.label} {formatNumber(n)}
          </Tag>
        );
        return n > 0 ? (
          <Button
            key={t.outcome}
            type="link"
            size="small"
            style={{ padding: 0, height: 'auto' }}
            onClick={() => onOpen(t.outcome)}
            aria-label={`${t.label} ${formatNumber(n)}: xem các hồ sơ của lượt #${job.id}`}
            data-testid={`job-total-${t.outcome}`}
          >
            {tag}
          </Button>
        ) : (
          <span key={t.outcome}>{tag}</span>
        );
      })}
    </Flex>
  );
}

const RECORDS_PAGE = 20;

/** The records behind one total of a job, with their status now and a link to each. */
function JobRecords({ job, outcome, classNames, onClose }: { job: VerificationJob; outcome: JobOutcome; classNames: Map<number, string>; onClose: () => void }) {
  const [page, setPage] = useState(1);
  const records = useQuery({
    queryKey: ['verification-job-items', job.id, outcome, page, job.status],
    queryFn: () => listVerificationJobItems(job.id, outcome, page, RECORDS_PAGE),
  });
  return (
    <Modal open title={`Lượt #${job.id} · ${outcomeLabel(outcome)}`} onCancel={onClose} footer={null} width={720} destroyOnHidden>
      {records.isError ? (
        <ErrorResult error={records.error} onRetry={() => void records.refetch()} />
      ) : (
        <Table<JobItemView>
          size="small"
          rowKey="personId"
          loading={records.isPending}
          dataSource={records.data?.items ?? []}
          data-testid="job-records"
          pagination={{ current: page, pageSize: RECORDS_PAGE, total: records.data?.total ?? 0, onChange: setPage, hideOnSinglePage: true, showSizeChanger: false }}
          columns={[
            {
              title: 'Họ và tên',
              key: 'name',
              render: (_, r) => (
                <Link to={jobRecordPath(r)} onClick={onClose} data-testid="job-record-link">
                  {r.fullName ?? `Hồ sơ #${r.personId}`}
                </Link>
              ),
            },
            { title: 'Lớp', key: 'class', width: 90, render: (_, r) => (r.classId ? (classNames.get(r.classId) ?? '') : r.kind === 'staff' ? 'Cán bộ' : '') },
            { title: 'Trạng thái hiện nay', key: 'now', width: 200, render: (_, r) => <StatusTag status={r.statusNow} /> },
          ]}
        />
      )}
    </Modal>
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
  const [shown, setShown] = useState<{ job: VerificationJob; outcome: JobOutcome }>();
  const cancel = useMutation({
    mutationFn: cancelVerificationJob,
    onSuccess: () => void client.invalidateQueries({ queryKey: ['verification-jobs'] }),
    onError: (e) => notification.error({ title: describeError(e).title, description: describeError(e).detail }),
  });
  if (jobs.isError) return <ErrorResult error={jobs.error} onRetry={() => void jobs.refetch()} />;
  return (
    <>
      {shown && <JobRecords job={shown.job} outcome={shown.outcome} classNames={classNames} onClose={() => setShown(undefined)} />}
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
          render: (_, j) => <JobTotalsTags job={j} onOpen={(outcome) => setShown({ job: j, outcome })} />,
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
    </>
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
        // the totals, or why the import wrote nothing (failed, expired) or not yet (its commit stopped)
        { title: 'Kết quả', key: 'totals', render: (_, i) => <ImportOutcome item={i} /> },
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
