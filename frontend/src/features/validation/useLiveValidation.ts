// Live validation as the clerk types: the record's current form values go to `/validate`
// (nothing is stored) a moment after the last keystroke. Off when the server has no `/validate`.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { rawRequest } from '../../api/client';
import { hasFeature } from '../../api/capabilities';
import type { Finding } from '../../api/types';
import type { ValidateRecord, ValidateResponse } from './contract';

const DEBOUNCE_MS = 400;

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

/** The findings the rules raise on `record` right now; `undefined` while off or not yet known. */
export function useLiveValidation(record: ValidateRecord | undefined): { findings?: Finding[]; available: boolean } {
  const available = hasFeature('validate');
  const debounced = useDebounced(record, DEBOUNCE_MS);
  const query = useQuery({
    queryKey: ['validate', debounced],
    queryFn: () => rawRequest<ValidateResponse>('POST', '/api/v1/validate', { json: { records: [debounced] } }),
    enabled: available && debounced !== undefined,
    staleTime: Infinity,
    retry: false,
  });
  return { findings: query.data?.results[0]?.findings, available };
}
