import { describe, expect, it } from 'vitest';
import type { ProgressChild } from './contract';
import { compareFinish, filterRows, riskLabel, unitRows } from './unitTable';

const child = (id: number, name: string, total: number, verified: number, projection?: Partial<NonNullable<ProgressChild['projection']>>): ProgressChild =>
  ({
    unit: { id, kind: 'school', name },
    counters: {
      total,
      verified,
      withPersonalId: total,
      noErrors: total - 2,
      shares: { du: 1, dung: verified / total, sach: 0.9, song: 1 },
    },
    projection: projection ? { windowDays: 14, pointsUsed: 5, targetShare: 1, currentShare: verified / total, projectedToMiss: false, status: 'on_track', ...projection } : null,
  }) as unknown as ProgressChild;

const rows = unitRows([
  child(1, 'Trường THCS Lê Lợi', 400, 100, { projectedCompletion: '2027-01-20', status: 'on_track' }),
  child(2, 'Trường Tiểu học Đằng Giang', 300, 0, { status: 'stalled', projectedToMiss: true }),
  child(3, 'Trường Mầm non Hoa Sen', 120, 120, { status: 'complete', projectedCompletion: '2026-11-30' }),
  child(4, 'Trường THPT Trần Phú', 900, 450, { projectedCompletion: '2026-12-20', status: 'on_track' }),
]);

describe('unitRows', () => {
  it('takes shares, errors, the short name and the projection of each child', () => {
    const r = rows[0]!;
    expect([r.shortName, r.verified, r.errors, r.finish, r.atRisk]).toEqual(['THCS Lê Lợi', 0.25, 2, '2027-01-20', false]);
    expect(rows[1]!.atRisk).toBe(true);
  });
});

describe('compareFinish', () => {
  it('puts finished units first, then by projected date, then those without a projection', () => {
    expect([...rows].sort(compareFinish).map((r) => r.key)).toEqual([3, 4, 1, 2]);
  });
});

describe('filterRows', () => {
  it('finds a unit typed without diacritics', () => {
    expect(filterRows(rows, 'dang giang').map((r) => r.key)).toEqual([2]);
    expect(filterRows(rows, '  ').length).toBe(4);
  });
});

describe('riskLabel', () => {
  it.each([
    [true, 'stalled', 'Có'],
    [false, 'on_track', 'Không'],
    [false, 'complete', 'Không'],
    [false, 'insufficient_data', 'Chưa rõ'],
    [false, null, 'Chưa rõ'],
  ] as const)('%s %s → %s', (atRisk, status, want) => expect(riskLabel({ atRisk, status })).toBe(want));
});
