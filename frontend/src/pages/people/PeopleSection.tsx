import { Alert } from 'antd';
import { useState, type Key, type ReactNode } from 'react';
import { describeError } from '../../api/problem';
import { usePeople, type PeopleQuery } from '../../api/queries';
import type { PersonKind } from '../../api/types';
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

  return (
    <>
      {toolbar?.(selected)}
      <PeopleFilters filters={filters} onChange={setFilter} onClear={clear} />
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
