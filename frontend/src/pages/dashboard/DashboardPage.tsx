import { App, Card, Col, Empty, Flex, Pagination, Row, Segmented, Statistic, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { usePeopleCount, useUnits } from '../../api/queries';
import type { UnitView } from '../../api/types';
import { useSession } from '../../auth/AuthContext';
import { UnitProgressTable } from '../../features/stats/UnitProgressTable';
import { PageHeader } from '../../components/PageHeader';
import type { Population } from '../../features/stats/contract';
import { LaggardsPanel, ProgressKpis, ReasonsPanel, ReportButton, SharesPanel, TimelinePanel } from '../../features/stats/StatsPanels';
import { formatNumber } from '../../text/format';
import { SCHOOL_LEVEL_LABELS, UNIT_KIND_LABELS } from '../../text/labels';

function CountCard({ title, value, loading, error, to }: { title: string; value?: number; loading: boolean; error: boolean; to?: string }) {
  const body = (
    <Card size="small" hoverable={Boolean(to)}>
      <Statistic title={title} loading={loading} value={error ? 'Lỗi tải' : formatNumber(value ?? 0)} />
    </Card>
  );
  return to ? <Link to={to}>{body}</Link> : body;
}

/** Counts the foundation API answers already: records, records with errors, staff, schools. */
function RecordCounts({ unitId }: { unitId: number }) {
  const students = usePeopleCount('student', { unitId });
  const withErrors = usePeopleCount('student', { unitId, severity: 'error' });
  const staff = usePeopleCount('staff', { unitId });
  const schools = useUnits({ kind: 'school' });
  return (
    <Row gutter={[12, 12]} style={{ marginBottom: 16 }}>
      <Col xs={12} lg={6}><CountCard title="Hồ sơ học sinh" value={students.data} loading={students.isPending} error={students.isError} to="/hoc-sinh" /></Col>
      <Col xs={12} lg={6}><CountCard title="Học sinh còn lỗi" value={withErrors.data} loading={withErrors.isPending} error={withErrors.isError} to="/hoc-sinh?severity=error" /></Col>
      <Col xs={12} lg={6}><CountCard title="Hồ sơ cán bộ" value={staff.data} loading={staff.isPending} error={staff.isError} to="/can-bo" /></Col>
      <Col xs={12} lg={6}><CountCard title="Trường" value={schools.data?.items.length} loading={schools.isPending} error={schools.isError} to="/don-vi" /></Col>
    </Row>
  );
}

const PAGE = 8;

function ChildUnitList({ units }: { units: UnitView[] }) {
  const [page, setPage] = useState(1);
  if (units.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="Chưa có đơn vị trực thuộc." />;
  return (
    <>
      {units.slice((page - 1) * PAGE, page * PAGE).map((u) => (
        <Flex key={u.id} justify="space-between" align="center" style={{ padding: '6px 0', borderBottom: '1px solid #f0f0f0' }}>
          <Link to={`/don-vi/${u.id}`} data-testid="child-unit">
            {u.name}
          </Link>
          <Tag>{u.level ? SCHOOL_LEVEL_LABELS[u.level] : UNIT_KIND_LABELS[u.kind]}</Tag>
        </Flex>
      ))}
      {units.length > PAGE && (
        <Pagination size="small" current={page} pageSize={PAGE} total={units.length} onChange={setPage} style={{ marginTop: 8 }} />
      )}
    </>
  );
}

function ChildUnits({ unitId }: { unitId: number }) {
  const children = useUnits({ parentId: unitId });
  return (
    <Card title="Đơn vị trực thuộc" size="small" loading={children.isPending}>
      {children.isError ? (
        <Typography.Text type="danger">Không tải được danh sách đơn vị.</Typography.Text>
      ) : (
        <ChildUnitList units={children.data?.items ?? []} />
      )}
    </Card>
  );
}

/** The district office's / Department's overview of its units. */
export default function DashboardPage() {
  const session = useSession();
  const { notification } = App.useApp();
  const [population, setPopulation] = useState<Population>('students');
  const unitId = session.user.unit.id;
  const scope = { unitId, population };
  return (
    <>
      <PageHeader
        title="Tổng quan"
        subTitle={session.user.unit.name}
        extra={
          <>
            <Segmented<Population>
              value={population}
              onChange={setPopulation}
              options={[{ value: 'students', label: 'Học sinh' }, { value: 'staff', label: 'Cán bộ' }]}
            />
            <ReportButton scope={scope} onError={(e) => notification.error({ title: e.title, description: e.detail })} />
          </>
        }
      />
      <RecordCounts unitId={unitId} />
      <ProgressKpis scope={scope} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          <SharesPanel scope={scope} />
        </Col>
        <Col xs={24} xl={8}>
          <ChildUnits unitId={unitId} />
        </Col>
        <Col xs={24} xl={16}>
          <TimelinePanel scope={scope} />
        </Col>
        <Col xs={24} xl={8}>
          <ReasonsPanel scope={scope} />
        </Col>
        <Col span={24}>
          <UnitProgressTable
            scope={scope}
            extra={<ReportButton scope={scope} label="Xuất Excel bảng này" onError={(e) => notification.error({ title: e.title, description: e.detail })} />}
          />
        </Col>
        <Col span={24}>
          <LaggardsPanel scope={scope} />
        </Col>
      </Row>
    </>
  );
}
