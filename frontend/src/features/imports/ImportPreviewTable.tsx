import { Alert, Card, Checkbox, Col, Flex, Row, Segmented, Statistic, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { describeError } from '../../api/problem';
import { ValueText } from '../../components/ValueText';
import { POSITION_LABELS, RECORD_FIELD_LABELS } from '../../text/labels';
import { formatNumber } from '../../text/format';
import { getImport } from './api';
import type { ImportPreview, ImportPreviewRow, ImportRowAction } from './contract';
import type { Position } from '../../api/types';

export const ACTION_LOOK: Record<ImportRowAction, { label: string; color: string }> = {
  update: { label: 'Cập nhật', color: 'blue' },
  create: { label: 'Thêm mới', color: 'green' },
  unchanged: { label: 'Không đổi', color: 'default' },
  rejected: { label: 'Bị từ chối', color: 'red' },
};

const ORDER: ImportRowAction[] = ['update', 'create', 'rejected', 'unchanged'];
const PAGE_SIZE = 50;


/** The clerk's choices on fields: `sheet:row:field` of the changes to write anyway (held back), or to take from the file (conflicts). */
export type Choice = { sheet: string; row: number; field: string };
export type Forced = { keys: Set<string>; toggle: (key: string, choice: Choice, on: boolean) => void };

export const choiceKey = (row: Pick<ImportPreviewRow, 'sheet' | 'row'>, field: string) => JSON.stringify([row.sheet, row.row, field]);

/** What a three-way import does with a field the file changes (no tag for a plain update). */
export const FIELD_STATUS_LOOK: Record<'stale' | 'conflict', { label: string; color: string; hint: string }> = {
  stale: {
    label: 'giữ giá trị mới hơn',
    color: 'gold',
    hint: 'Ô này trong tệp vẫn như lúc xuất mẫu, còn hồ sơ đã được sửa sau đó: giữ giá trị mới hơn, không ghi giá trị cũ trong tệp.',
  },
  conflict: {
    label: 'Sửa ở cả tệp và hệ thống',
    color: 'orange',
    hint: 'Ô này đã được sửa trong tệp và hồ sơ cũng đã được sửa sau khi xuất mẫu: chỉ ghi giá trị trong tệp khi bạn chọn.',
  },
};

/** A value as the clerk reads it: a position in words ("Giáo viên"), anything else as stored. */
const shown = (field: string, value: string | null | undefined) =>
  field === 'position' && value ? (POSITION_LABELS[value as Position] ?? value) : value;

function Changes({ row, forced, taken }: { row: ImportPreviewRow; forced?: Forced; taken?: Forced }) {
  if (row.changes.length === 0) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Flex vertical gap={2}>
      {row.changes.map((c) => {
        const worse = c.wouldWorsen ?? [];
        const key = choiceKey(row, c.field);
        return (
          <span key={c.field} data-testid="import-change">
            <Typography.Text strong>{RECORD_FIELD_LABELS[c.field] ?? c.field}:</Typography.Text> <ValueText value={shown(c.field, c.old)} /> →{' '}
            <ValueText value={shown(c.field, c.new)} />
            {(c.status === 'stale' || c.status === 'conflict') && (
              <Tag color={FIELD_STATUS_LOOK[c.status].color} title={FIELD_STATUS_LOOK[c.status].hint} style={{ marginLeft: 6 }} data-testid={`import-${c.status}`}>
                {FIELD_STATUS_LOOK[c.status].label}
              </Tag>
            )}
            {c.status === 'conflict' && taken && (
              <Checkbox checked={taken.keys.has(key)} data-testid="import-take-file"
                onChange={(e) => taken.toggle(key, { sheet: row.sheet, row: row.row, field: c.field }, e.target.checked)}>
                Lấy giá trị trong tệp
              </Checkbox>
            )}
            {c.verified && <Tag color="purple" style={{ marginLeft: 6 }}>Hồ sơ đã xác thực</Tag>}
            {worse.length > 0 && (
              <span data-testid="import-would-worsen">
                <Tag color="red" style={{ marginLeft: 6 }}>
                  Không ghi: {worse.map((f) => f.message).join(' ')}
                </Tag>
                {forced && (
                  <Checkbox checked={forced.keys.has(key)} onChange={(e) => forced.toggle(key, { sheet: row.sheet, row: row.row, field: c.field }, e.target.checked)}>
                    Vẫn ghi
                  </Checkbox>
                )}
              </span>
            )}
          </span>
        );
      })}
    </Flex>
  );
}

function Problems({ row }: { row: ImportPreviewRow }) {
  const lines = [
    ...row.errors.map((r) => ({ key: `r-${r.code}-${r.column ?? ''}`, color: 'red', text: r.column ? `Cột ${r.column}: ${r.message}` : r.message })),
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
export function ImportPreviewTable({ preview, forced, taken }: { preview: ImportPreview; forced?: Forced; taken?: Forced }) {
  const t = preview.totals;
  // rows that need a decision (conflicts, held-back values) are all `update` rows: open on them
  const decisions = (t.conflict ?? 0) + (t.wouldWorsen ?? 0);
  const [show, setShow] = useState<ImportRowAction | 'all'>(decisions > 0 ? 'update' : 'all');
  const [page, setPage] = useState(1);
  // A small import carries all its rows: filter and page here. A large one pages on the server.
  const complete = preview.rows.length >= preview.rowsMatching;
  const remote = useQuery({
    queryKey: ['import', preview.id, preview.status, 'rows', show, page],
    queryFn: () => getImport(preview.id, { page, pageSize: PAGE_SIZE, action: show === 'all' ? undefined : show }),
    enabled: !complete,
    placeholderData: keepPreviousData,
  });
  const local = preview.rows.filter((r) => show === 'all' || r.action === show);
  const rows = complete ? local : (remote.data?.rows ?? []);
  const total = complete ? local.length : (remote.data?.rowsMatching ?? 0);
  const pick = (value: ImportRowAction | 'all') => {
    setShow(value);
    setPage(1);
  };
  const columns: ColumnsType<ImportPreviewRow> = [
    { title: 'Dòng', key: 'row', width: 110, render: (_, r) => (r.sheet ? `${r.sheet} · ${r.row}` : r.row) },
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
    { title: 'Thay đổi', key: 'changes', render: (_, r) => <Changes row={r} forced={forced} taken={taken} /> },
    { title: 'Vấn đề', key: 'problems', width: 320, render: (_, r) => <Problems row={r} /> },
  ];
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
      {(t.wouldWorsen ?? 0) > 0 && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          data-testid="import-held-back"
          title={`${t.wouldWorsen} ô có giá trị mới làm hồ sơ có thêm lỗi nên sẽ không được ghi (giữ giá trị đang có), trừ khi bạn chọn “Vẫn ghi”.`}
        />
      )}
      {(t.stale ?? 0) > 0 && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          data-testid="import-stale-total"
          title={`${t.stale} ô trong tệp vẫn là giá trị lúc xuất mẫu, còn hồ sơ đã được sửa sau đó: giữ giá trị mới hơn.`}
        />
      )}
      {(t.conflict ?? 0) > 0 && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          data-testid="import-conflict-total"
          title={`${t.conflict} ô đã được sửa cả trong tệp và trên hệ thống: chỉ ghi giá trị trong tệp ở những ô bạn chọn “Lấy giá trị trong tệp”.`}
        />
      )}
      {remote.isError && <Alert type="error" showIcon title={describeError(remote.error).title} style={{ marginBottom: 12 }} />}
      <Segmented<ImportRowAction | 'all'>
        style={{ marginBottom: 12 }}
        value={show}
        onChange={pick}
        options={[{ value: 'all', label: 'Tất cả' }, ...ORDER.map((a) => ({ value: a, label: `${ACTION_LOOK[a].label} (${t[a]})` }))]}
      />
      <Table<ImportPreviewRow>
        size="small"
        rowKey={(r) => `${r.sheet}:${r.row}`}
        columns={columns}
        dataSource={complete ? rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE) : rows}
        loading={!complete && remote.isFetching}
        pagination={{ current: page, pageSize: PAGE_SIZE, total, hideOnSinglePage: true, showSizeChanger: false, onChange: setPage }}
        scroll={{ x: 900 }}
        locale={{ emptyText: 'Không có dòng nào.' }}
      />
    </>
  );
}
