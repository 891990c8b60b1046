import { Alert, App, Button, Card, Checkbox, Collapse, Descriptions, Flex, Input, Select, Space, Tag, Typography } from 'antd';
import { CheckOutlined, EyeOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { ApiProblem, describeError } from '../../api/problem';
import { useMe, useUnits } from '../../api/queries';
import type { components } from '../../api/schema';
import { isSchoolRole, useSession } from '../../auth/AuthContext';
import { PageHeader } from '../../components/PageHeader';
import { formatNumber } from '../../text/format';

type Rollover = components['schemas']['RolloverView'];
type RolloverClass = components['schemas']['RolloverClass'];

function stepText(c: RolloverClass): { text: string; color?: string } {
  if (c.step === 'graduate') return { text: 'Ra trường', color: 'gold' };
  if (c.step === 'carry') return { text: `Giữ lớp ${c.nextName ?? c.name}` };
  return { text: `Lên lớp ${c.nextName ?? ''}`, color: 'blue' };
}

/** One class of the plan: where it goes, and its students with "ở lại lớp". */
function ClassPlan({ c, kept, toggle, readOnly }: { c: RolloverClass; kept: Set<number>; toggle: (id: number, on: boolean) => void; readOnly: boolean }) {
  if (c.students.length === 0) return <Typography.Text type="secondary">Lớp không có học sinh.</Typography.Text>;
  return (
    <Flex vertical gap={4}>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        Đánh dấu “ở lại lớp” cho học sinh không lên lớp: năm sau em vẫn ở lớp cùng tên ({c.name}).
      </Typography.Text>
      {c.students.map((s) => (
        <Checkbox key={s.id} checked={kept.has(s.id)} disabled={readOnly} onChange={(e) => toggle(s.id, e.target.checked)}
          data-testid="keep-back">
          {s.fullName || '(chưa có tên)'} — ở lại lớp
        </Checkbox>
      ))}
    </Flex>
  );
}

/** "Lên lớp năm học mới": the year rollover of a school, or of an office's schools in bulk. */
export default function RolloverPage() {
  const session = useSession();
  const me = useMe();
  const { message } = App.useApp();
  const client = useQueryClient();
  const school = isSchoolRole(session.user.role);
  const schools = useUnits({ kind: 'school' });
  const [unitId, setUnitId] = useState<number>(session.user.unit.id);
  const [fromYear, setFromYear] = useState<string>();
  const year = fromYear ?? me.data?.schoolYear ?? '';
  const [plan, setPlan] = useState<Rollover>();
  const [kept, setKept] = useState<Set<number>>(new Set());
  const [error, setError] = useState<{ title: string; detail?: string }>();

  const fail = (e: unknown) => {
    const d = describeError(e);
    setError({ title: d.title, detail: [d.detail, ...(e instanceof ApiProblem ? e.errors.map((x) => x.message) : [])].filter(Boolean).join(' ') || undefined });
  };
  const preview = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/rollovers', { body: { unitId, fromYear: year } })),
    onMutate: () => setError(undefined),
    onSuccess: (p) => {
      setPlan(p);
      setKept(new Set());
    },
    onError: fail,
  });
  const commit = useMutation({
    mutationFn: (id: number) => unwrap(api.POST('/api/v1/rollovers/{id}/commit', { params: { path: { id } }, body: { keepBack: [...kept] } })),
    onMutate: () => setError(undefined),
    onSuccess: (p) => {
      setPlan(p);
      void client.invalidateQueries();
      void message.success(`Đã lên lớp: ${formatNumber(p.classesCreated ?? 0)} lớp mới cho năm học ${p.toYear}.`);
    },
    onError: fail,
  });
  const toggle = (id: number, on: boolean) =>
    setKept((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const committed = plan?.status === 'committed';
  const unitChoices = [
    { value: session.user.unit.id, label: school ? session.user.unit.name : `${session.user.unit.name} (mọi trường trực thuộc)` },
    ...(school ? [] : (schools.data?.items ?? []).filter((u) => !u.closedAt).map((u) => ({ value: u.id, label: `${u.name} (${u.code})` }))),
  ];

  return (
    <>
      <PageHeader title="Lên lớp năm học mới" subTitle="Tạo lớp năm học sau, học sinh theo lớp lên khối trên; khối cuối ra trường." />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Typography.Paragraph>
          Được làm từ ngày 1 tháng 6 của năm học đang kết thúc. Các lớp mới trở thành lớp hiện hành từ ngày 1 tháng 8; lớp năm cũ vẫn
          xem được cho thống kê. Xem trước trước khi áp dụng: có thể đánh dấu học sinh “ở lại lớp”.
        </Typography.Paragraph>
        <Flex gap={8} wrap align="end">
          {!school && (
            <Flex vertical gap={2} style={{ flex: '1 1 240px', minWidth: 0, maxWidth: 480 }}>
              <label htmlFor="rollover-unit">Đơn vị</label>
              <Select id="rollover-unit" showSearch optionFilterProp="label" style={{ width: '100%' }} value={unitId}
                onChange={(v) => { setUnitId(v); setPlan(undefined); }} options={unitChoices} />
            </Flex>
          )}
          <Space direction="vertical" size={2}>
            <label htmlFor="rollover-year">Năm học kết thúc</label>
            <Input id="rollover-year" value={year} style={{ width: 140 }} placeholder="2025-2026"
              onChange={(e) => { setFromYear(e.target.value); setPlan(undefined); }} />
          </Space>
          <Button icon={<EyeOutlined />} onClick={() => preview.mutate()} loading={preview.isPending} disabled={!/^\d{4}-\d{4}$/.test(year)}
            data-testid="rollover-preview">
            Xem trước
          </Button>
        </Flex>
      </Card>
      {error && <Alert type="error" showIcon title={error.title} description={error.detail} style={{ marginBottom: 16 }} data-testid="rollover-error" />}
      {plan && (
        <Card size="small" title={`Năm học ${plan.fromYear} → ${plan.toYear}`} data-testid="rollover-plan"
          extra={committed ? <Tag color="green">Đã áp dụng</Tag> : <Tag>Xem trước</Tag>}>
          {committed && (
            <Descriptions size="small" column={{ xs: 1, sm: 2 }} style={{ marginBottom: 12 }}>
              <Descriptions.Item label="Lớp mới">{formatNumber(plan.classesCreated ?? 0)}</Descriptions.Item>
              <Descriptions.Item label="Học sinh lên lớp">{formatNumber(plan.studentsMoved ?? 0)}</Descriptions.Item>
              <Descriptions.Item label="Ở lại lớp">{formatNumber(plan.keptBack ?? 0)}</Descriptions.Item>
              <Descriptions.Item label="Ra trường">{formatNumber(plan.graduated ?? 0)}</Descriptions.Item>
            </Descriptions>
          )}
          {plan.schools.length === 0 && <Typography.Text type="secondary">Không có lớp nào của năm học {plan.fromYear}.</Typography.Text>}
          {plan.schools.map((s) => (
            <div key={s.schoolId} style={{ marginBottom: 12 }}>
              {plan.schools.length > 1 || !school ? <Typography.Title level={4}>{s.schoolName}</Typography.Title> : null}
              <Collapse
                size="small"
                items={s.classes.map((c) => {
                  const step = stepText(c);
                  const keptHere = c.students.filter((p) => kept.has(p.id)).length;
                  return {
                    key: c.classId,
                    label: (
                      <Space wrap>
                        <strong>{c.name}</strong>
                        <Tag color={step.color}>{step.text}</Tag>
                        <span>{formatNumber(c.students.length)} học sinh</span>
                        {keptHere > 0 && <Tag color="orange">{keptHere} ở lại lớp</Tag>}
                      </Space>
                    ),
                    children: <ClassPlan c={c} kept={kept} toggle={toggle} readOnly={committed} />,
                  };
                })}
              />
            </div>
          ))}
          {!committed && (
            <Flex justify="end">
              <Button type="primary" icon={<CheckOutlined />} loading={commit.isPending} onClick={() => commit.mutate(plan.id)}
                data-testid="rollover-commit">
                Áp dụng lên lớp{kept.size > 0 ? ` (${kept.size} em ở lại lớp)` : ''}
              </Button>
            </Flex>
          )}
        </Card>
      )}
    </>
  );
}
