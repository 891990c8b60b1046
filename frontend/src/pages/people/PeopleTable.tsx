import { Empty, Flex, Table, Tag, Tooltip, Typography } from 'antd';
import { CloseCircleFilled, ExclamationCircleFilled, ToolFilled } from '@ant-design/icons';
import type { ColumnsType } from 'antd/es/table';
import { cloneElement, isValidElement, type Key, type ReactNode } from 'react';
import { useLocation } from 'react-router';
import type { FindingField, Person, PersonPage } from '../../api/types';
import { FieldStatusTag } from '../../components/FieldStatusTag';
import { StatusTag } from '../../components/StatusTag';
import { readField } from '../../features/validation/fieldView';
import { findingLabel } from '../../text/findings';
import { POSITION_LABELS } from '../../text/labels';
import { formatNumber } from '../../text/format';
import { qualityText, recordHref, residenceLine } from './personText';

const ONE_LINE = { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' } as const;

/**
 * A value as entered (spaces kept) with the tag of its field when the rules found something, and
 * the normalised value beneath where it reads differently. `oneLine` cuts long values (addresses)
 * to one line each, the whole value in the tooltip.
 */
function Checked({
  person,
  field,
  entered,
  oneLine = false,
  children,
}: {
  person: Person;
  field: FindingField;
  entered: string | null | undefined;
  oneLine?: boolean;
  children?: ReactNode;
}) {
  const reading = readField(field, entered, person.normalized, person.findings);
  const value = children ?? (entered || <Typography.Text type="secondary">—</Typography.Text>);
  return (
    <Flex vertical gap={0}>
      <Flex gap={4} align="center" wrap={!oneLine}>
        <span style={oneLine ? { ...ONE_LINE, minWidth: 0 } : { whiteSpace: 'pre-wrap' }} title={oneLine ? (entered ?? undefined) : undefined}>
          {value}
        </span>
        <FieldStatusTag field={field} findings={person.findings} hideOk />
      </Flex>
      {reading.normalized && (
        <Typography.Text type="secondary" style={{ fontSize: 12, ...(oneLine ? ONE_LINE : {}) }} title={oneLine ? reading.normalized : undefined}
          data-testid="normalized-value" data-field={field}>
          → {reading.normalized}
        </Typography.Text>
      )}
    </Flex>
  );
}

const COUNT_ICONS = {
  errors: <CloseCircleFilled style={{ color: '#ff4d4f' }} />,
  warnings: <ExclamationCircleFilled style={{ color: '#faad14' }} />,
  fixed: <ToolFilled style={{ color: '#1677ff' }} />,
} as const;

/** The record's findings as counts per severity, with their names (src/text/findings.ts) as a tooltip. */
function Quality({ person }: { person: Person }) {
  if (person.findings.length === 0) return <Tag color="success">Đạt</Tag>;
  const counts = (['errors', 'warnings', 'fixed'] as const).filter((k) => person.quality[k] > 0);
  return (
    <Tooltip
      title={
        <ul style={{ margin: 0, paddingInlineStart: 16 }}>
          {person.findings.map((f, i) => (
            <li key={`${f.code}-${i}`}>{findingLabel(f.code)}</li>
          ))}
        </ul>
      }
    >
      <Flex gap={8} aria-label={qualityText(person.quality)} data-testid="quality" data-codes={person.findings.map((f) => f.code).join(' ')}>
        {counts.map((k) => (
          <span key={k} style={{ whiteSpace: 'nowrap' }}>
            {COUNT_ICONS[k]} {person.quality[k]}
          </span>
        ))}
      </Flex>
    </Tooltip>
  );
}

export interface PeopleTableProps {
  page: PersonPage | undefined;
  loading: boolean;
  onOpen: (person: Person) => void;
  onPageChange: (page: number, pageSize: number) => void;
  /** Extra columns: the class (students across classes), the unit (offices), the position (staff). */
  show?: { className?: boolean; unitName?: boolean; position?: boolean };
  selection?: { keys: Key[]; onChange: (keys: Key[]) => void };
  emptyText?: string;
}

/** Students or staff with per-field status tags; IDs come masked from the list endpoint. */
export function PeopleTable({ page, loading, onOpen, onPageChange, show = {}, selection, emptyText }: PeopleTableProps) {
  const location = useLocation();
  const columns: ColumnsType<Person> = [
    {
      title: 'Họ và tên',
      key: 'fullName',
      fixed: 'left',
      width: 200,
      render: (_, p) => (
        <Checked person={p} field="fullName" entered={p.fullName}>
          <Typography.Link
            href={recordHref(location.search, p.id)}
            onClick={(e) => {
              // A plain click opens the drawer in place; a middle or ctrl-click opens a new tab.
              if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey) return;
              e.preventDefault();
              onOpen(p);
            }}
            data-testid="open-record"
            style={{ whiteSpace: 'pre-wrap' }}
          >
            {p.fullName || '(chưa có tên)'}
          </Typography.Link>
        </Checked>
      ),
    },
    { title: 'Mã ngành', dataIndex: 'sectorCode', width: 105, render: (v?: string | null) => v ?? '' },
    { title: 'Ngày sinh', key: 'dob', width: 110, render: (_, p) => <Checked person={p} field="dateOfBirth" entered={p.dateOfBirth} /> },
    { title: 'Giới tính', key: 'gender', width: 85, render: (_, p) => <Checked person={p} field="gender" entered={p.gender} /> },
    {
      title: 'Số định danh',
      key: 'personalId',
      width: 140,
      render: (_, p) => (
        <Checked person={p} field="personalId" entered={p.personalId}>
          {p.personalId ? <Typography.Text code>{p.personalId}</Typography.Text> : undefined}
        </Checked>
      ),
    },
    {
      title: 'Nơi thường trú',
      key: 'residence',
      width: 225,
      render: (_, p) => <Checked person={p} field="residence" entered={residenceLine(p)} oneLine />,
    },
  ];
  if (show.className) columns.push({ title: 'Lớp', dataIndex: 'className', width: 70 });
  if (show.position)
    columns.push({ title: 'Chức vụ', key: 'position', width: 130, render: (_, p) => (p.position ? POSITION_LABELS[p.position] : '') });
  if (show.unitName) columns.push({ title: 'Đơn vị', dataIndex: 'unitName', width: 200, ellipsis: true });
  columns.push(
    {
      title: 'Kiểm tra',
      key: 'quality',
      width: 85,
      render: (_, p) => <Quality person={p} />,
    },
    {
      title: 'Xác thực',
      key: 'status',
      width: 115,
      render: (_, p) => <StatusTag status={p.status} mismatchFields={p.mismatchFields} />,
    },
  );

  return (
    <Table<Person>
      rowKey="id"
      size="small"
      columns={columns}
      dataSource={page?.items ?? []}
      loading={loading}
      scroll={{ x: 1050 }}
      rowSelection={
        selection
          ? {
              selectedRowKeys: selection.keys,
              onChange: selection.onChange,
              preserveSelectedRowKeys: true,
              // accessible names in Vietnamese (antd says "Select all" / nothing)
              columnTitle: (checkbox) =>
                isValidElement<{ 'aria-label'?: string }>(checkbox) ? cloneElement(checkbox, { 'aria-label': 'Chọn mọi hồ sơ của trang này' }) : checkbox,
              getCheckboxProps: (p) => ({ 'aria-label': `Chọn ${p.fullName?.trim() || `hồ sơ #${p.id}`}` }),
            }
          : undefined
      }
      onRow={(p) => ({ onDoubleClick: () => onOpen(p) })}
      locale={{ emptyText: <Empty description={emptyText ?? 'Không có hồ sơ nào khớp.'} /> }}
      pagination={{
        current: page?.page ?? 1,
        pageSize: page?.pageSize ?? 50,
        total: page?.total ?? 0,
        showSizeChanger: true,
        pageSizeOptions: [20, 50, 100, 200],
        showTotal: (total, [from, to]) => `${formatNumber(from)}–${formatNumber(to)} / ${formatNumber(total)} hồ sơ`,
        onChange: onPageChange,
      }}
    />
  );
}
