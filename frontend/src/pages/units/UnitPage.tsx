import { Button, Card, Col, Descriptions, Empty, Grid, Row, Table, Tag, Tree, Typography } from 'antd';
import { useMemo } from 'react';
import { Link, Navigate, useNavigate, useParams } from 'react-router';
import { ApiProblem } from '../../api/problem';
import { useClasses, useUnit, useUnits } from '../../api/queries';
import type { ClassView, UnitView } from '../../api/types';
import { useSession } from '../../auth/AuthContext';
import { ErrorResult } from '../../components/ErrorResult';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { buildUnitTree, unitPath, type UnitNode } from '../../components/unitTree';
import { formatNumber } from '../../text/format';
import { SCHOOL_LEVEL_LABELS, UNIT_KIND_LABELS } from '../../text/labels';

interface TreeItem {
  key: number;
  title: string;
  children: TreeItem[];
}
const toTreeItem = (n: UnitNode): TreeItem => ({ key: n.unit.id, title: n.unit.name, children: n.children.map(toTreeItem) });

function UnitTree({ units, selected }: { units: UnitView[]; selected: number }) {
  const navigate = useNavigate();
  const tree = useMemo(() => buildUnitTree(units).map(toTreeItem), [units]);
  const expanded = useMemo(() => unitPath(units, selected).map((u) => u.id), [units, selected]);
  return (
    <Tree<TreeItem>
      treeData={tree}
      selectedKeys={[selected]}
      defaultExpandedKeys={expanded}
      defaultExpandAll={units.length <= 60}
      onSelect={(keys) => keys[0] !== undefined && navigate(`/don-vi/${String(keys[0])}`)}
      blockNode
    />
  );
}

function ChildUnitsTable({ units, parentId }: { units: UnitView[]; parentId: number }) {
  const children = units.filter((u) => u.parentId === parentId);
  return (
    <Table<UnitView>
      size="small"
      rowKey="id"
      dataSource={children}
      pagination={children.length > 20 ? { pageSize: 20 } : false}
      locale={{ emptyText: 'Đơn vị chưa có đơn vị trực thuộc.' }}
      columns={[
        { title: 'Đơn vị', key: 'name', render: (_, u) => <Link to={`/don-vi/${u.id}`} data-testid="child-unit">{u.name}</Link> },
        { title: 'Mã', dataIndex: 'code', width: 120 },
        { title: 'Loại', key: 'kind', width: 140, render: (_, u) => <Tag>{u.level ? SCHOOL_LEVEL_LABELS[u.level] : UNIT_KIND_LABELS[u.kind]}</Tag> },
      ]}
    />
  );
}

function SchoolClasses({ schoolId }: { schoolId: number }) {
  const classes = useClasses(schoolId);
  return (
    <QueryState query={classes} what="lớp học" isEmpty={(d) => d.items.length === 0} empty={<Empty description="Trường chưa có lớp nào trong năm học này." />}>
      {(d) => (
        <Table<ClassView>
          size="small"
          rowKey="id"
          dataSource={d.items}
          pagination={false}
          columns={[
            { title: 'Lớp', key: 'name', render: (_, c) => <Link to={`/lop/${c.id}`} data-testid="class-link">Lớp {c.name}</Link> },
            { title: 'Khối', dataIndex: 'grade', width: 80 },
            { title: 'Học sinh', key: 'count', width: 120, render: (_, c) => formatNumber(c.studentCount) },
          ]}
        />
      )}
    </QueryState>
  );
}

function UnitDetails({ unit, units }: { unit: UnitView; units: UnitView[] }) {
  const path = unitPath(units, unit.id);
  return (
    <>
      <PageHeader
        title={unit.name}
        crumbs={path.map((u) => ({ title: u.name, to: u.id === unit.id ? undefined : `/don-vi/${u.id}` }))}
        extra={
          <>
            <Link to={`/hoc-sinh?donVi=${unit.id}`}><Button>Học sinh</Button></Link>
            <Link to={`/can-bo?donVi=${unit.id}`}><Button>Cán bộ</Button></Link>
          </>
        }
      />
      <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }} style={{ marginBottom: 16 }}>
        <Descriptions.Item label="Loại">{unit.level ? `${UNIT_KIND_LABELS[unit.kind]} ${SCHOOL_LEVEL_LABELS[unit.level]}` : UNIT_KIND_LABELS[unit.kind]}</Descriptions.Item>
        <Descriptions.Item label="Mã">{unit.code}</Descriptions.Item>
        {unit.phone && <Descriptions.Item label="Điện thoại">{unit.phone}</Descriptions.Item>}
        {unit.email && <Descriptions.Item label="Thư điện tử">{unit.email}</Descriptions.Item>}
        {unit.address && <Descriptions.Item label="Địa chỉ">{unit.address}</Descriptions.Item>}
      </Descriptions>
      <div data-testid="unit-children" data-unit-id={unit.id}>
        <Card size="small" title={unit.kind === 'school' ? 'Lớp học năm nay' : 'Đơn vị trực thuộc'}>
          {unit.kind === 'school' ? <SchoolClasses schoolId={unit.id} /> : <ChildUnitsTable units={units} parentId={unit.id} />}
        </Card>
      </div>
    </>
  );
}

/** Drill-down through the unit tree: Department → district office → school → classes. */
export default function UnitPage() {
  const session = useSession();
  const param = useParams().unitId;
  const id = Number(param);
  const units = useUnits();
  const unit = useUnit(id);
  // the tree beside the unit from a tablet's width on, above it on a phone
  const wide = Grid.useBreakpoint().md ?? true;
  if (param === undefined) return <Navigate to={`/don-vi/${session.user.unit.id}`} replace />;
  if (!Number.isInteger(id)) return <ErrorResult error={new ApiProblem({ status: 404, code: 'not_found' })} what="đơn vị" />;
  return (
    <Row gutter={[16, 16]} wrap={!wide}>
      <Col flex={wide ? '260px' : '100%'} style={{ minWidth: 0 }}>
        <Card size="small" title="Cây đơn vị" styles={{ body: { maxHeight: 'calc(100vh - 200px)', overflow: 'auto' } }}>
          {units.isPending ? <Typography.Text type="secondary">Đang tải…</Typography.Text> : units.isError ? (
            <Typography.Text type="danger">Không tải được cây đơn vị.</Typography.Text>
          ) : (
            <UnitTree units={units.data.items} selected={id} />
          )}
        </Card>
      </Col>
      <Col flex={wide ? 'auto' : '100%'} style={{ minWidth: 0 }}>
        <QueryState query={unit} what="đơn vị">
          {(u) => <UnitDetails unit={u} units={units.data?.items ?? [u]} />}
        </QueryState>
      </Col>
    </Row>
  );
}
