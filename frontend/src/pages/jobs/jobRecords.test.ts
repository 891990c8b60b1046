import { describe, expect, it } from 'vitest';
import { jobRecordPath } from './jobRecords';

describe('jobRecordPath', () => {
  it.each([
    ['a student in a class opens on the class page', { personId: 199, kind: 'student', classId: 12 }, '/lop/12?record=199'],
    ['a student without a class opens in the students list', { personId: 7, kind: 'student', classId: null }, '/hoc-sinh?record=7'],
    ['a staff member opens in the staff list', { personId: 838, kind: 'staff', classId: null }, '/can-bo?record=838'],
    ['a staff member never opens on a class page', { personId: 839, kind: 'staff', classId: 3 }, '/can-bo?record=839'],
  ] as const)('%s', (_name, record, path) => {
    expect(jobRecordPath(record)).toBe(path);
  });
});
