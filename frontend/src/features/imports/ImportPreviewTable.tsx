import { Card, Col, Flex, Row, Segmented, Statistic, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import { ValueText } from '../../components/ValueText';
import { RECORD_FIELD_LABELS } from '../../text/labels';
import { formatNumber } from '../../text/format';
import type { ImportPreview, ImportPreviewRow, ImportRowAction } from './contract';

export const ACTION_LOOK: Record<ImportRowAction, { label: string; color: string }> = {
  update: { label: 'Cập nhật', color: 'blue' },
  create: { label: 'Thêm mới', color: 'green' },
  unchanged: { label: 'Không đổi', color: 'default' },
  rejected: { label: 'Bị từ chối', color: 'red' },
};

const ORDER: ImportRowAction[] = ['update', 'create', 'rejected', 'unchanged'];


function Changes({ row }: { row: ImportPreviewRow }) {
  if (row.changes.length === 0) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Flex vertical gap={2}>
      {row.changes.map((c) => (
        <span key={c.field} data-testid="import-change">
          <Typography.Text strong>{RECORD_FIELD_LABELS[c.field] ?? c.field}:</Typography.Text> <ValueText value={c.old} /> → <ValueText value={c.new} />
        </span>
      ))}
    </Flex>
  );
}

function Problems({ row }: { row: ImportPreviewRow }) {
  const lines = [
    ...(row.rejections ?? []).map((r) => ({ key: `r-${r.column ?? ''}-${r.reason}`, color: 'red', text: r.column ? `Cột "${r.column}": ${r.reason}` : r.reason })),
    ...row.findings.map((f, i) => ({
      key: `f-${f.code}-${i}`,
      color: f.severity === 'error' ? 'red' : f.severity === 'warning' ? 'orange' : 'blue',
      text: f.message,
    })),
  ];
  if (lines.length === 0) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Flex vertical gap={2}>
      {lines.map((l) => (
        <Typography.Text key={l.key} style={{ color: l.color === 'red' ? '#cf1322' : l.color === 'orange' ? '#d46b08' : '#0958d9' }}>
          {l.text}
        </Typography.Text>
      ))}
    </Flex>
  );
}

/**
 * The preview of an upload before anything is written: totals on top, then each row with what
 * the import would do (update field by field old → new, create, unchanged, rejected with the
 * reason) and what the rules say about the new values.
 */
export function ImportPreviewTable({ preview }: { preview: ImportPreview }) {
  const [show, setShow] = useState<ImportRowAction | 'all'>('all');
  const rows = useMemo(
    () =>
      preview.rows
        .filter((r) => show === 'all' || r.action === show)
        .sort((a, b) => ORDER.indexOf(a.action) - ORDER.indexOf(b.action) || a.row - b.row),
    [preview.rows, show],
  );
  const columns: ColumnsType<ImportPreviewRow> = [
    { title: 'Dòng', key: 'row', width: 90, render: (_, r) => (r.sheet ? `${r.sheet} · ${r.row}` : r.row) },
    { title: 'Họ và tên', dataIndex: 'fullName', width: 200, render: (v?: string | null) => v ?? '' },
    {
      title: 'Kết quả',
      key: 'action',
      width: 120,
      render: (_, r) => (
        <Tag color={ACTION_LOOK[r.action].color} data-action={r.action}>
          {ACTION_LOOK[r.action].label}
        </Tag>
      ),
    },
    { title: 'Thay đổi', key: 'changes', render: (_, r) => <Changes row={r} /> },
    { title: 'Vấn đề', key: 'problems', width: 320, render: (_, r) => <Problems row={r} /> },
  ];
  const t = preview.totals;
  return (
    <>
      <Row gutter={12} style={{ marginBottom: 12 }}>
        {[
          { title: 'Số dòng', value: t.rows },
          { title: ACTION_LOOK.update.label, value: t.update },
          { title: ACTION_LOOK.create.label, value: t.create },
          { title: ACTION_LOOK.unchanged.label, value: t.unchanged },
          { title: ACTION_LOOK.rejected.label, value: t.rejected },
        ].map((s) => (
          <Col key={s.title} flex={1}>
            <Card size="small">
              <Statistic title={s.title} value={s.value} formatter={(v) => formatNumber(Number(v))} />
            </Card>
          </Col>
        ))}
      </Row>
      <Segmented<ImportRowAction | 'all'>
        style={{ marginBottom: 12 }}
        value={show}
        onChange={setShow}
        options={[{ value: 'all', label: 'Tất cả' }, ...ORDER.map((a) => ({ value: a, label: `${ACTION_LOOK[a].label} (${t[a]})` }))]}
      />
      <Table<ImportPreviewRow>
        size="small"
        rowKey={(r) => `${r.sheet ?? ''}:${r.row}`}
        columns={columns}
        dataSource={rows}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        scroll={{ x: 900 }}
        locale={{ emptyText: 'Không có dòng nào.' }}
      />
    </>
  );
}
