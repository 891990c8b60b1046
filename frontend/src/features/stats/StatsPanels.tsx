// The dashboard's statistics panels (issue 6). Each asks the server whether it has the
// endpoint and otherwise shows a "not available on this server" state.
import { Button, Card, Col, Empty, Progress as Bar, Row, Skeleton, Statistic, Table, Tag, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { lazy, Suspense } from 'react';
import { useNavigate } from 'react-router';
import { describeError } from '../../api/problem';
import { ErrorResult } from '../../components/ErrorResult';
import { findingLabel } from '../../text/findings';
import { formatDate, formatNumber, formatShare } from '../../text/format';
import { FIELD_LABELS } from '../../text/labels';
import { downloadStatsReport, useLaggards, useProgress, useReasons, useTimeline } from './api';
import { statUnitPath, type Laggard, type Population, type ProgressChild } from './contract';

const SharesChart = lazy(() => import('./charts'));
const TimelineChart = lazy(() => import('./charts').then((m) => ({ default: m.TimelineChart })));

type Scope = { unitId: number; population: Population };

/** KPI cards from the progress counters: records, with ID, verified, and the deadline countdown. */
export function ProgressKpis({ scope }: { scope: Scope }) {
  const progress = useProgress(scope);
  if (progress.isPending) return <Skeleton active />;
  if (progress.isError) return <ErrorResult error={progress.error} onRetry={() => void progress.refetch()} />;
  const c = progress.data.counters;
  const deadline = progress.data.campaign?.deadline;
  const daysLeft = deadline ? Math.ceil((new Date(deadline).getTime() - Date.now()) / 86_400_000) : undefined;
  const share = (n: number) => (c.total > 0 ? n / c.total : 0);
  return (
    <Row gutter={[12, 12]} style={{ marginBottom: 16 }}>
      <Col xs={12} lg={6}><Card size="small"><Statistic title="Có số định danh" value={formatShare(share(c.withPersonalId))} /><Bar percent={Math.round(share(c.withPersonalId) * 100)} showInfo={false} aria-label="Tỉ lệ có số định danh" /></Card></Col>
      <Col xs={12} lg={6}><Card size="small"><Statistic title="Đã xác thực" value={formatShare(share(c.verified))} /><Bar percent={Math.round(share(c.verified) * 100)} showInfo={false} status="success" aria-label="Tỉ lệ đã xác thực" /></Card></Col>
      <Col xs={12} lg={6}><Card size="small"><Statistic title="Sai lệch / không có trong CSDLQG" value={formatNumber(c.mismatched + c.notFound)} /></Card></Col>
      <Col xs={12} lg={6}><Card size="small"><Statistic title={deadline ? `Hạn chót ${formatDate(deadline)}` : 'Hạn chót'} value={daysLeft === undefined ? 'Chưa đặt' : daysLeft >= 0 ? `Còn ${daysLeft} ngày` : `Quá ${-daysLeft} ngày`} /></Card></Col>
    </Row>
  );
}

/** A bar group (đủ/đúng/sạch/sống) per child unit; a click drills down. */
export function SharesPanel({ scope }: { scope: Scope }) {
  const progress = useProgress(scope);
  const navigate = useNavigate();
  const pick = (child: ProgressChild) =>
    navigate(statUnitPath(child.unit));
  return (
    <Card title="Đúng, đủ, sạch, sống theo đơn vị" size="small">
      {progress.isPending ? (
        <Skeleton active />
      ) : progress.isError ? (
        <ErrorResult error={progress.error} onRetry={() => void progress.refetch()} />
      ) : progress.data.children.length === 0 ? (
        <Empty description="Đơn vị chưa có đơn vị trực thuộc." />
      ) : (
        <Suspense fallback={<Skeleton active />}>
          <SharesChart items={progress.data.children} onPick={pick} />
        </Suspense>
      )}
    </Card>
  );
}

export function TimelinePanel({ scope }: { scope: Scope }) {
  const timeline = useTimeline(scope);
  return (
    <Card title="Tiến độ theo ngày" size="small">
      {timeline.isPending ? (
        <Skeleton active />
      ) : timeline.isError ? (
        <ErrorResult error={timeline.error} onRetry={() => void timeline.refetch()} />
      ) : timeline.data.points.length === 0 ? (
        <Empty description="Chưa có số liệu theo ngày." />
      ) : (
        <Suspense fallback={<Skeleton active />}>
          <TimelineChart timeline={timeline.data} />
        </Suspense>
      )}
    </Card>
  );
}

export function ReasonsPanel({ scope }: { scope: Scope }) {
  const reasons = useReasons(scope);
  const rows =
    reasons.data &&
    [
      ...reasons.data.findingCodes.map((r) => ({ key: `c-${r.code}`, label: r.label || findingLabel(r.code), count: r.count })),
      ...reasons.data.mismatchFields.map((r) => ({ key: `m-${r.field}`, label: r.label || `CSDLQG ghi khác: ${FIELD_LABELS[r.field as keyof typeof FIELD_LABELS] ?? r.field}`, count: r.count })),
    ].sort((a, b) => b.count - a.count);
  const max = rows?.[0]?.count ?? 1;
  return (
    <Card title="Lý do chưa đạt" size="small">
      {reasons.isPending ? (
        <Skeleton active />
      ) : reasons.isError ? (
        <ErrorResult error={reasons.error} onRetry={() => void reasons.refetch()} />
      ) : !rows || rows.length === 0 ? (
        <Empty description="Không có lý do nào: mọi hồ sơ đều đạt." />
      ) : (
        rows.slice(0, 10).map((r) => (
          <div key={r.key} style={{ padding: '4px 0' }}>
            <Typography.Text>{r.label}</Typography.Text> <Typography.Text strong>{formatNumber(r.count)}</Typography.Text>
            <Bar percent={Math.round((r.count / max) * 100)} showInfo={false} size="small" aria-label={r.label} />
          </div>
        ))
      )}
    </Card>
  );
}

export function LaggardsPanel({ scope }: { scope: Scope }) {
  const laggards = useLaggards(scope);
  const navigate = useNavigate();
  return (
    <Card title="Đơn vị chậm tiến độ" size="small">
      {laggards.isError ? (
        <ErrorResult error={laggards.error} onRetry={() => void laggards.refetch()} />
      ) : (
        <Table<Laggard>
          size="small"
          loading={laggards.isPending}
          rowKey={(l) => l.unit.id}
          dataSource={laggards.data?.items ?? []}
          pagination={false}
          locale={{ emptyText: 'Không có đơn vị nào chậm tiến độ.' }}
          columns={[
            { title: 'Đơn vị', key: 'unit', render: (_, l) => <Typography.Link onClick={() => navigate(statUnitPath(l.unit))}>{l.unit.name}</Typography.Link> },
            { title: 'Đã xác thực', key: 'share', width: 140, render: (_, l) => <Bar percent={Math.round(l.verifiedShare * 100)} size="small" aria-label={`${l.unit.name}: đã xác thực`} /> },
            { title: 'Cần sửa', key: 'reasons', render: (_, l) => l.topReasons.map((r) => <Tag key={`${r.kind}-${r.code}`}>{r.label || findingLabel(r.code)}: {formatNumber(r.count)}</Tag>) },
            { title: '', key: 'miss', width: 120, render: (_, l) => (l.projectedToMiss ? <Tag color="red">Có thể trễ hạn</Tag> : null) },
            {
              title: 'Liên hệ',
              key: 'contact',
              width: 220,
              render: (_, l) =>
                l.contact ? (
                  <>
                    <div>{l.contact.principal ? `${l.contact.principal} (${l.contact.unitId === l.unit.id ? 'hiệu trưởng' : l.contact.name})` : l.contact.unitId === l.unit.id ? 'Nhà trường' : l.contact.name}</div>
                    <Typography.Text type="secondary">{[l.contact.phone, l.contact.email].filter(Boolean).join(' · ')}</Typography.Text>
                  </>
                ) : (
                  ''
                ),
            },
          ]}
        />
      )}
    </Card>
  );
}

/** The Excel report of a unit's progress. */
export function ReportButton({ scope, onError, label = 'Tải báo cáo Excel' }: { scope: Scope; onError: (e: { title: string; detail?: string }) => void; label?: string }) {
  return (
    <Button
      icon={<DownloadOutlined />}
      onClick={() => void downloadStatsReport(scope).catch((e: unknown) => onError(describeError(e)))}
    >
      {label}
    </Button>
  );
}
