import { describe, expect, it } from 'vitest';
import type { Counters } from '../../features/stats/contract';
import { floorPercent, workItems } from './classWork';

const counters = (c: Partial<Counters>): Counters =>
  ({
    total: 0,
    withPersonalId: 0,
    validPersonalId: 0,
    noErrors: 0,
    sent: 0,
    verified: 0,
    mismatched: 0,
    notFound: 0,
    awaitingEvidence: 0,
    notSent: 0,
    queued: 0,
    sendFailed: 0,
    complete: 0,
    correct: 0,
    clean: 0,
    live: 0,
    ...c,
  }) as Counters;

describe('floorPercent', () => {
  it.each([
    [0, 40, 0],
    [1, 40, 2],
    [39, 40, 97],
    [199, 200, 99],
    [40, 40, 100],
    [0, 0, 0],
  ])('%i of %i is %i%%', (n, total, want) => expect(floorPercent(n, total)).toBe(want));
});

describe('workItems', () => {
  it('lists what needs work with the filter of each, and nothing for a finished class', () => {
    const c = counters({ total: 40, noErrors: 37, notSent: 5, mismatched: 2, notFound: 1, awaitingEvidence: 0, verified: 32 });
    expect(workItems(c)).toEqual([
      { key: 'errors', label: 'lỗi chặn gửi', count: 3, query: 'severity=error' },
      { key: 'notSent', label: 'chưa gửi', count: 5, query: 'status=not_sent' },
      { key: 'mismatched', label: 'không khớp', count: 2, query: 'status=mismatched' },
      { key: 'notFound', label: 'không có trong CSDLQG', count: 1, query: 'status=not_found' },
    ]);
    expect(workItems(counters({ total: 40, noErrors: 40, verified: 40 }))).toEqual([]);
  });
});

describe('gradeFromClassName', () => {
  it.each([
    ['6A2', 6],
    ['10 Toán', 10],
    ['12A1', 12],
    [' 9B', 9],
    ['Lá 1', undefined],
    ['13A', undefined],
    ['123', undefined],
  ])('%s → %s', async (name, want) => {
    const { gradeFromClassName } = await import('./classWork');
    expect(gradeFromClassName(name)).toBe(want);
  });
});
