// Live validation as the clerk types: the record's current form values go to `POST /validate`
// (nothing is stored) a moment after the last keystroke, and the rules' outcome comes back.
// Off when the server has no `/validate`.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, unwrap } from '../../api/client';
import type { Outcome, RecordInput } from '../../api/types';

export const DEBOUNCE_MS = 400;

/** `value` once it has stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

export interface LiveValidation {
  /** The outcome of the last values checked (kept while newer ones are being checked). */
  outcome?: Outcome;
  /** The values on screen are not checked yet (typing, or the request is out). */
  checking: boolean;
  /** The last check failed (network, server): the caller shows the saved findings instead. */
  error?: unknown;
}

async function validate(record: RecordInput): Promise<Outcome> {
  const response = await unwrap(api.POST('/api/v1/validate', { body: { records: [record] } }));
  const outcome = response.results[0];
  if (!outcome) throw new Error('/validate answered no result for the record');
  return outcome;
}

/** The rules' outcome on `record` as typed; pass `undefined` while there is nothing to check. */
export function useLiveValidation(record: RecordInput | undefined): LiveValidation {
  // Keyed on the text of the values: a new object with the same values is not a new check.
  const text = record === undefined ? undefined : JSON.stringify(record);
  const debounced = useDebounced(text, DEBOUNCE_MS);
  const query = useQuery({
    queryKey: ['validate', debounced],
    queryFn: () => validate(JSON.parse(debounced ?? '{}') as RecordInput),
    enabled: debounced !== undefined,
    placeholderData: keepPreviousData,
    staleTime: Infinity,
    gcTime: 60_000,
    retry: false,
  });
  const active = text !== undefined;
  return {
    outcome: active ? query.data : undefined,
    checking: active && (text !== debounced || query.isFetching),
    error: active && query.isError ? query.error : undefined,
  };
}
