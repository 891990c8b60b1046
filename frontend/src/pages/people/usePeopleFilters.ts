// The list filters of a people table, kept in the URL (so back/forward and shared links keep
// them): q, status, findingCode, severity, page, pageSize, and `record` for the open drawer.
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import type { PeopleQuery } from '../../api/queries';
import type { Severity, VerificationStatus } from '../../api/types';
import { STATUS_LABELS, SEVERITY_LABELS } from '../../text/labels';

export const DEFAULT_PAGE_SIZE = 50;

const isStatus = (v: string | null): v is VerificationStatus => v !== null && v in STATUS_LABELS;
const isSeverity = (v: string | null): v is Severity => v !== null && v in SEVERITY_LABELS;
const positiveInt = (v: string | null) => {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : undefined;
};

export function usePeopleFilters() {
  const [params, setParams] = useSearchParams();

  const filters: PeopleQuery = useMemo(
    () => ({
      q: params.get('q') || undefined,
      status: isStatus(params.get('status')) ? (params.get('status') as VerificationStatus) : undefined,
      // an unknown code in a shared link is refused by the server (422), as before
      findingCode: (params.get('findingCode') || undefined) as PeopleQuery['findingCode'],
      severity: isSeverity(params.get('severity')) ? (params.get('severity') as Severity) : undefined,
      page: positiveInt(params.get('page')) ?? 1,
      pageSize: positiveInt(params.get('pageSize')) ?? DEFAULT_PAGE_SIZE,
    }),
    [params],
  );
  const openRecord = positiveInt(params.get('record'));

  const update = useCallback(
    (changes: Record<string, string | number | undefined>, resetPage = true) => {
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          for (const [key, value] of Object.entries(changes)) {
            if (value === undefined || value === '') next.delete(key);
            else next.set(key, String(value));
          }
          if (resetPage && !('page' in changes)) next.delete('page');
          return next;
        },
        { replace: true },
      );
    },
    [setParams],
  );

  return {
    filters,
    openRecord,
    setFilter: (key: 'q' | 'status' | 'findingCode' | 'severity', value: string | undefined) => update({ [key]: value }),
    setPage: (page: number, pageSize: number) => update({ page, pageSize }, false),
    setOpenRecord: (id: number | undefined) => update({ record: id }, false),
    clear: () => update({ q: undefined, status: undefined, findingCode: undefined, severity: undefined }),
  };
}
