import { describe, expect, it } from 'vitest';
import { daysBetween, schoolPace } from './schoolPace';

const counters = (verified: number, total: number) => ({ verified, total }) as never;
const campaign = (deadline: string) => ({ deadline }) as never;
const projection = (status: string, projectedCompletion: string | null = null) =>
  ({ status, projectedCompletion, windowDays: 14, pointsUsed: 6, targetShare: 1, currentShare: 0.4, projectedToMiss: status === 'projected_to_miss' }) as never;

describe('daysBetween', () => {
  it.each([
    ['2026-12-05', '2026-12-31', 26],
    ['2026-12-31', '2026-12-31', 0],
    ['2027-01-02', '2026-12-31', -2],
    // across the end of daylight-saving elsewhere and a leap day: whole days all the same
    ['2028-02-28', '2028-03-01', 2],
  ])('%s → %s is %i days', (from, to, days) => expect(daysBetween(from, to)).toBe(days));
});

describe('schoolPace', () => {
  const asOf = '2026-12-05';
  it.each([
    ['no deadline, no data', { asOf, campaign: null, projection: null, counters: counters(0, 548) }, 'Chưa có hạn chót', /Chưa đủ số ngày/, 'info'],
    ['on track', { asOf, campaign: campaign('2026-12-31'), projection: projection('on_track', '2026-12-20'), counters: counters(226, 548) }, 'Hạn chót 31/12/2026 · còn 26 ngày', /dự kiến xong ngày 20\/12\/2026, kịp hạn/, 'success'],
    ['projected to miss', { asOf, campaign: campaign('2026-12-31'), projection: projection('projected_to_miss', '2027-02-10'), counters: counters(60, 548) }, 'Hạn chót 31/12/2026 · còn 26 ngày', /10\/02\/2027, sau hạn chót/, 'error'],
    ['stalled past the deadline', { asOf: '2027-01-03', campaign: campaign('2026-12-31'), projection: projection('stalled'), counters: counters(60, 548) }, 'Hạn chót 31/12/2026 · đã quá 3 ngày', /Đã quá hạn chót/, 'warning'],
    ['deadline today', { asOf: '2026-12-31', campaign: campaign('2026-12-31'), projection: projection('insufficient_data'), counters: counters(1, 548) }, 'Hạn chót 31/12/2026 · hôm nay', /Chưa đủ số ngày/, 'info'],
    ['all verified, whatever the projection says', { asOf, campaign: campaign('2026-12-31'), projection: projection('stalled'), counters: counters(548, 548) }, 'Hạn chót 31/12/2026 · còn 26 ngày', /Mọi hồ sơ đã xác thực/, 'success'],
    ['no students yet', { asOf, campaign: campaign('2026-12-31'), projection: null, counters: counters(0, 0) }, 'Hạn chót 31/12/2026 · còn 26 ngày', /chưa có hồ sơ/, 'info'],
  ] as const)('%s', (_name, progress, deadline, outlook, tone) => {
    const pace = schoolPace(progress as never);
    expect(pace.deadline).toBe(deadline);
    expect(pace.outlook).toMatch(outlook);
    expect(pace.tone).toBe(tone);
  });

  it('states the verified share with its counts', () => {
    expect(schoolPace({ asOf, campaign: null, projection: null, counters: counters(226, 548) } as never).verified).toMatch(/^Đã xác thực 41,2\s?% \(226\/548\)$/);
  });
});
