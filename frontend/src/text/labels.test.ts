import { describe, expect, it } from 'vitest';
import spec from '../../../openapi/openapi.json';
import { FINDING_LABELS } from './findings';
import { hasFeature } from '../api/capabilities';
import { fileNameFrom } from '../api/client';

describe('finding labels', () => {
  it('name every finding code of the API in Vietnamese', () => {
    const codes = spec.components.schemas.Code.enum;
    const missing = codes.filter((code) => !FINDING_LABELS[code]);
    expect(missing, 'add these codes to src/text/findings.ts').toEqual([]);
  });
});

describe('capabilities', () => {
  it('switch a feature on only when every operation it needs exists', () => {
    const known = new Set(['POST /api/v1/fixes', 'POST /api/v1/fixes/{id}/undo', 'POST /api/v1/validate']);
    expect(hasFeature('fixes', known)).toBe(true);
    expect(hasFeature('validate', known)).toBe(true);
    expect(hasFeature('statsProgress', known)).toBe(false);
    // A feature whose endpoint no issue names yet stays off.
    expect(hasFeature('markAwaitingEvidence', new Set(['POST /api/v1/anything']))).toBe(false);
  });

  it('know the foundation API the app was built against', () => {
    expect(__API_OPERATIONS__).toContain('PATCH /api/v1/students/{id}');
    expect(__API_OPERATIONS__).toContain('GET /api/v1/staff/{id}/history');
  });
});

describe('fileNameFrom', () => {
  it.each([
    ['attachment; filename="lop-6a.xlsx"', 'lop-6a.xlsx'],
    ["attachment; filename=\"bao-cao.xlsx\"; filename*=UTF-8''b%C3%A1o-c%C3%A1o.xlsx", 'báo-cáo.xlsx'],
    [null, undefined],
  ])('%s', (header, name) => {
    expect(fileNameFrom(header)).toBe(name);
  });
});
