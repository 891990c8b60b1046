import { Alert, App, Button, Flex, Typography } from 'antd';
import { useState, type Key, type ReactNode } from 'react';
import { describeError } from '../../api/problem';
import { MAX_SELECTION, matchingIds, usePeople, type PeopleQuery } from '../../api/queries';
import { formatNumber } from '../../text/format';
import { PERSON_KIND_LABELS } from '../../text/labels';
import type { PersonKind } from '../../api/types';
import { ExportListButton } from './ExportListButton';
import { PeopleFilters } from './PeopleFilters';
import { PeopleTable, type PeopleTableProps } from './PeopleTable';
import { PersonDrawer } from './PersonDrawer';
import { usePeopleFilters } from './usePeopleFilters';

/**
 * A filtered, paged list of students or staff within a fixed scope (a class, a unit), with the
 * record drawer. Filters and the open record live in the URL.
 */
export function PeopleSection({
  kind,
  scope,
  show,
  toolbar,
  selectable = false,
  emptyText,
}: {
  kind: PersonKind;
  scope: Pick<PeopleQuery, 'classId' | 'unitId'>;
  show?: PeopleTableProps['show'];
  toolbar?: (selected: Key[]) => ReactNode;
  selectable?: boolean;
  emptyText?: string;
}) {
  const { filters, openRecord, setFilter, setPage, setOpenRecord, clear } = usePeopleFilters();
  const [selected, setSelected] = useState<Key[]>([]);
  const people = usePeople(kind, { ...filters, ...scope });
  const filtered = Boolean(filters.q || filters.status || filters.findingCode || filters.severity);
  const { notification } = App.useApp();
  const [selectingAll, setSelectingAll] = useState(false);
  const total = people.data?.total ?? 0;
  const who = PERSON_KIND_LABELS[kind].toLowerCase();

  const selectAllMatching = async () => {
    setSelectingAll(true);
    try {
      const { page: _page, pageSize: _size, ...query } = filters;
      const { ids, total: all } = await matchingIds(kind, { ...query, ...scope });
      setSelected(ids);
      if (all > ids.length)
        notification.info({ title: `Đã chọn ${formatNumber(ids.length)} trên ${formatNumber(all)} hồ sơ`, description: `Mỗi lần thao tác tối đa ${formatNumber(MAX_SELECTION)} hồ sơ.` });
    } catch (error) {
      notification.error({ title: describeError(error).title, description: describeError(error).detail });
    } finally {
      setSelectingAll(false);
    }
  };

  return (
    <>
      {toolbar?.(selected)}
      {selectable && selected.length > 0 && (
        <Flex gap={12} align="center" wrap data-testid="selection-bar" style={{ marginBottom: 12, padding: '6px 12px', background: '#e6f4ff', borderRadius: 6 }}>
          <Typography.Text strong>
            Đã chọn {formatNumber(selected.length)} {who}
          </Typography.Text>
          {selected.length < Math.min(total, MAX_SELECTION) && (
            <Button size="small" type="link" loading={selectingAll} onClick={() => void selectAllMatching()}>
              Chọn tất cả {formatNumber(total)} {who} {filtered ? 'khớp bộ lọc' : 'trong danh sách'}
            </Button>
          )}
          <Button size="small" onClick={() => setSelected([])}>
            Bỏ chọn
          </Button>
        </Flex>
      )}
      <PeopleFilters
        filters={filters}
        onChange={setFilter}
        onClear={clear}
        extra={<ExportListButton kind={kind} query={{ q: filters.q, status: filters.status, findingCode: filters.findingCode, severity: filters.severity, ...scope }} total={total} />}
      />
      {people.isError && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 12 }}
          title={describeError(people.error).title}
          description={describeError(people.error).detail}
          action={<a onClick={() => void people.refetch()}>Thử lại</a>}
        />
      )}
      <PeopleTable
        page={people.data}
        loading={people.isFetching}
        onOpen={(p) => setOpenRecord(p.id)}
        onPageChange={setPage}
        show={show}
        selection={selectable ? { keys: selected, onChange: setSelected } : undefined}
        emptyText={filtered ? 'Không có hồ sơ nào khớp bộ lọc.' : emptyText}
      />
      <PersonDrawer kind={kind} id={openRecord} onClose={() => setOpenRecord(undefined)} />
    </>
  );
}
