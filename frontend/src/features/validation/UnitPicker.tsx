// A residence cell that suggests official units as the clerk types (diacritics optional), from
// the lists the rule engine's reading points to (unitPickers.ts); free typing stays possible.
import { AutoComplete, Input } from 'antd';
import { useQueries } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, unwrap } from '../../api/client';
import type { ResolvedResidence } from '../../api/types';
import { searchesFor, type UnitLevel } from './unitPickers';

/** Waits until typing pauses before asking the server. */
function useDebounced(value: string, ms: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

export function UnitPicker({
  level,
  read,
  value,
  onChange,
  id,
}: {
  level: UnitLevel;
  /** The residence as the rules read it so far (scopes the lists). */
  read: ResolvedResidence | null | undefined;
  value?: string;
  onChange?: (value: string) => void;
  id?: string;
}) {
  const [open, setOpen] = useState(false);
  const q = useDebounced(value ?? '', 250);
  const searches = searchesFor(level, read);
  const results = useQueries({
    queries: searches.map((s) => ({
      queryKey: ['admin-units', s.scheme, s.level, s.provinceCode, s.districtCode, q],
      queryFn: () =>
        unwrap(
          api.GET('/api/v1/admin-units', {
            params: { query: { scheme: s.scheme, level: s.level, provinceCode: s.provinceCode, districtCode: s.districtCode, q, limit: 12 } },
          }),
        ),
      enabled: open,
      staleTime: Infinity,
    })),
  });
  const options = searches
    .map((s, i) => ({
      label: s.group,
      title: s.group,
      options: (results[i]?.data?.items ?? []).map((u) => ({
        value: u.name,
        label: (
          <span data-testid="unit-option">
            {u.name}
            {u.within && <span style={{ color: 'rgba(0,0,0,0.62)' }}> · {u.within}</span>}
            {u.becomes && (
              <span style={{ color: 'rgba(0,0,0,0.62)' }}>
                {' '}
                → {u.becomes}
                {u.splitInto > 1 ? ` (chia cho ${u.splitInto} xã mới)` : ''}
              </span>
            )}
          </span>
        ),
      })),
    }))
    .filter((g) => g.options.length > 0);
  return (
    <AutoComplete
      id={id}
      value={value}
      onChange={onChange}
      options={options}
      onOpenChange={setOpen}
      onFocus={() => setOpen(true)}
      popupMatchSelectWidth={false}
    >
      <Input autoComplete="off" />
    </AutoComplete>
  );
}
