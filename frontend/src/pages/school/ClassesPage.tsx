import { Card, Col, Empty, Flex, Progress, Row, Statistic, Tag, Typography } from 'antd';
import { TeamOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { useClasses, useMe } from '../../api/queries';
import type { ClassView } from '../../api/types';
import { useSession } from '../../auth/AuthContext';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { useProgress } from '../../features/stats/api';
import type { Counters } from '../../features/stats/contract';
import { formatNumber } from '../../text/format';
import { floorPercent, workItems } from './classWork';
import { NewClassButton } from './NewClassButton';

const gradeName = (grade: number) => (grade === 0 ? 'Mầm non' : `Khối ${grade}`);

function ClassCard({ c, counters }: { c: ClassView; counters?: Counters }) {
  const pct = (n: number) => (counters ? floorPercent(n, counters.total) : 0);
  const verified = counters ? pct(counters.verified) : 0;
  const work = counters ? workItems(counters) : [];
  return (
    <Card size="small" data-testid="class-card">
      <Flex justify="space-between" align="baseline">
        <Typography.Title level={4} style={{ margin: 0 }}>
          <Link to={`/lop/${c.id}`} data-testid="class-link">
            {c.name}
          </Link>
        </Typography.Title>
        <Typography.Text type="secondary">
          <TeamOutlined /> {formatNumber(c.studentCount)} học sinh
        </Typography.Text>
      </Flex>
      {counters && (
        <div style={{ marginTop: 8 }}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>Có số định danh</Typography.Text>
          <Progress percent={pct(counters.withPersonalId)} size="small" format={(p) => `${p}%`} aria-label={`Lớp ${c.name}: có số định danh`} />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>Đã xác thực</Typography.Text>
          <Progress
            percent={verified}
            size="small"
            strokeColor={verified === 100 && counters.verified === counters.total ? '#52c41a' : undefined}
            format={(p) => `${p}%`}
            aria-label={`Lớp ${c.name}: đã xác thực`}
            data-testid="verified-share"
          />
          {work.length > 0 ? (
            <Flex gap={4} wrap style={{ marginTop: 4 }} data-testid="class-work">
              {work.map((w) => (
                <Link key={w.key} to={`/lop/${c.id}?${w.query}`}>
                  <Tag color={w.key === 'errors' ? 'error' : w.key === 'notSent' ? 'default' : 'warning'} style={{ marginInlineEnd: 0 }}>
                    {formatNumber(w.count)} {w.label}
                  </Tag>
                </Link>
              ))}
            </Flex>
          ) : (
            counters.total > 0 && <Tag color="success" style={{ marginTop: 4 }}>Không còn việc cần làm</Tag>
          )}
        </div>
      )}
    </Card>
  );
}

/** The school's classes of the current school year, grade by grade. */
export default function ClassesPage() {
  const session = useSession();
  const me = useMe();
  const classes = useClasses();
  // Per-class progress bars come from the statistics API (issue 6) once the server has it.
  const progress = useProgress({ unitId: session.user.unit.id, population: 'students' });
  const byClass = new Map((progress.data?.children ?? []).flatMap((ch) => (ch.unit.kind === 'class' ? [[ch.unit.id, ch.counters] as const] : [])));

  return (
    <>
      <PageHeader
        title="Lớp học"
        subTitle={me.data ? `Năm học ${me.data.schoolYear}` : undefined}
        extra={<NewClassButton schoolId={session.user.unit.id} schoolYear={me.data?.schoolYear} />}
      />
      <QueryState
        query={classes}
        what="lớp học"
        isEmpty={(d) => d.items.length === 0}
        empty={<Empty description={`Trường chưa có lớp nào trong năm học ${me.data?.schoolYear ?? 'này'}.`} />}
      >
        {(data) => {
          const grades = [...new Set(data.items.map((c) => c.grade))].sort((a, b) => a - b);
          const students = data.items.reduce((n, c) => n + c.studentCount, 0);
          return (
            <>
              <Row gutter={12} style={{ marginBottom: 16 }}>
                <Col><Card size="small"><Statistic title="Số lớp" value={data.items.length} /></Card></Col>
                <Col><Card size="small"><Statistic title="Số học sinh" value={formatNumber(students)} /></Card></Col>
              </Row>
              {grades.map((g) => (
                <div key={g} style={{ marginBottom: 16 }}>
                  <Typography.Title level={5}>{gradeName(g)}</Typography.Title>
                  <Row gutter={[12, 12]}>
                    {data.items
                      .filter((c) => c.grade === g)
                      .map((c) => (
                        <Col key={c.id} xs={24} sm={12} md={8} xl={6}>
                          <ClassCard c={c} counters={byClass.get(c.id)} />
                        </Col>
                      ))}
                  </Row>
                </div>
              ))}
            </>
          );
        }}
      </QueryState>
    </>
  );
}
