import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Outcome, RecordInput } from '../../api/types';

// The typed client, faked: each call answers the findings of the record it was given.
const post = vi.fn(async (_path: string, init: { body: { records: RecordInput[] } }) => {
  const record = init.body.records[0] ?? {};
  const outcome: Outcome = {
    normalized: { fullName: record.fullName?.trim() ?? null },
    findings: record.fullName?.startsWith(' ')
      ? [{ field: 'fullName', code: 'name_whitespace', severity: 'fixed', message: 'Đã bỏ khoảng trắng thừa.', params: {}, fix: { from: record.fullName, to: record.fullName.trim() } }]
      : [],
  };
  if (record.fullName === 'lỗi mạng') return { error: undefined, response: new Response(null, { status: 503 }) };
  return { data: { results: [outcome] }, response: new Response(null, { status: 200 }) };
});
vi.mock('../../api/client', async (original) => ({ ...(await original<typeof import('../../api/client')>()), api: { POST: post } }));

const { useLiveValidation } = await import('./useLiveValidation');

function wrapper({ children }: { children: ReactNode }) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}

describe('useLiveValidation', () => {
  afterEach(() => post.mockClear());

  it('checks the values once typing pauses, not at every keystroke', async () => {
    const { result, rerender } = renderHook(({ record }: { record?: RecordInput }) => useLiveValidation(record), {
      wrapper,
      initialProps: { record: undefined as RecordInput | undefined },
    });
    expect(result.current).toMatchObject({ checking: false, outcome: undefined });
    for (const name of [' n', ' ng', ' ngu', ' nguyễn']) rerender({ record: { fullName: name } });
    expect(result.current.checking).toBe(true);
    await waitFor(() => expect(result.current.outcome?.findings[0]?.code).toBe('name_whitespace'));
    expect(result.current.checking).toBe(false);
    expect(post).toHaveBeenCalledTimes(1);
    expect(post.mock.calls[0]?.[1].body.records).toEqual([{ fullName: ' nguyễn' }]);
    // The same values again (a new object) are not a new check.
    rerender({ record: { fullName: ' nguyễn' } });
    await new Promise((r) => setTimeout(r, 600));
    expect(post).toHaveBeenCalledTimes(1);
  });

  it('reports a failed check so the saved findings can be shown instead', async () => {
    const { result } = renderHook(() => useLiveValidation({ fullName: 'lỗi mạng' }), { wrapper });
    await waitFor(() => expect(result.current.error).toBeDefined());
    expect(result.current.outcome).toBeUndefined();
  });

  it('does nothing while there is nothing to check', async () => {
    const { result } = renderHook(() => useLiveValidation(undefined), { wrapper });
    await new Promise((r) => setTimeout(r, 600));
    expect(result.current).toMatchObject({ checking: false, outcome: undefined, error: undefined });
    expect(post).not.toHaveBeenCalled();
  });
});
