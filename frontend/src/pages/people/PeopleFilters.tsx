import { Button, Flex, Input, Select } from 'antd';
import { useEffect, useState, type ReactNode } from 'react';
import type { PeopleQuery } from '../../api/queries';
import { findingOptions as groupedFindingOptions, fold } from '../../text/findings';
import { SEVERITY_LABELS, STATUS_LABELS } from '../../text/labels';

const statusOptions = Object.entries(STATUS_LABELS).map(([value, label]) => ({ value, label }));
const severityOptions = Object.entries(SEVERITY_LABELS).map(([value, label]) => ({ value, label }));
const findingOptions = groupedFindingOptions();
/** Typing "ngay sinh" or "cmnd" finds "Ngày sinh…" and "Số CMND…". */
const matchesLabel = (input: string, option?: { label?: unknown }) =>
  typeof option?.label === 'string' && fold(option.label).includes(fold(input.trim()));

/** Search (name without diacritics, or ID/sector code digits) and filters of a people table. */
export function PeopleFilters({
  filters,
  onChange,
  onClear,
  extra,
}: {
  filters: PeopleQuery;
  onChange: (key: 'q' | 'status' | 'findingCode' | 'severity', value: string | undefined) => void;
  onClear: () => void;
  /** Shown after the filters (e.g. the list's export). */
  extra?: ReactNode;
}) {
  const [text, setText] = useState(filters.q ?? '');
  useEffect(() => setText(filters.q ?? ''), [filters.q]);
  const active = Boolean(filters.q || filters.status || filters.findingCode || filters.severity);

  return (
    <Flex gap={8} wrap style={{ marginBottom: 12 }}>
      <Input.Search
        allowClear
        placeholder="Tìm theo tên (gõ không dấu được), số định danh…"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onSearch={(value) => onChange('q', value.trim() || undefined)}
        style={{ width: 300 }}
        aria-label="Tìm kiếm"
        data-testid="people-search"
      />
      <Select
        allowClear
        placeholder="Trạng thái xác thực"
        options={statusOptions}
        value={filters.status}
        onChange={(v?: string) => onChange('status', v)}
        style={{ width: 200 }}
        aria-label="Lọc theo trạng thái"
      />
      <Select
        allowClear
        showSearch={{ filterOption: matchesLabel }}
        placeholder="Loại lỗi"
        options={findingOptions}
        value={filters.findingCode}
        onChange={(v?: string) => onChange('findingCode', v)}
        style={{ width: 260 }}
        popupMatchSelectWidth={340}
        aria-label="Lọc theo loại lỗi"
      />
      <Select
        allowClear
        placeholder="Mức độ"
        options={severityOptions}
        value={filters.severity}
        onChange={(v?: string) => onChange('severity', v)}
        style={{ width: 150 }}
        aria-label="Lọc theo mức độ"
      />
      {active && <Button onClick={onClear}>Bỏ lọc</Button>}
      {extra}
    </Flex>
  );
}
