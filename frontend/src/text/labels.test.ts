import { describe, expect, it } from 'vitest';
import spec from '../../../openapi/openapi.json';
import { FINDING_LABELS, findingField, findingOptions, fold } from './findings';
import { hasFeature } from '../api/capabilities';
import { fileNameFrom } from '../api/client';

describe('finding labels', () => {
  it('name every finding code of the API in Vietnamese', () => {
    const codes = spec.components.schemas.Code.enum;
    const missing = codes.filter((code) => !FINDING_LABELS[code]);
    expect(missing, 'add these codes to src/text/findings.ts').toEqual([]);
  });

  it('group every finding code of the API under the field it is about', () => {
    const codes = spec.components.schemas.Code.enum;
    expect(codes.filter((code) => !findingField(code)), 'codes without a field prefix').toEqual([]);
    const offered = findingOptions(codes).flatMap((group) => group.options.map((o) => o.value));
    expect([...offered].sort()).toEqual([...codes].sort());
    expect(findingOptions(codes).map((g) => g.label)).toEqual(['Họ và tên', 'Ngày sinh', 'Giới tính', 'Số định danh cá nhân', 'Nơi thường trú']);
  });

  it('are found when typed without diacritics', () => {
    expect(fold('Ngày sinh dạng số Excel (đã chuyển)')).toContain('ngay sinh dang so excel');
    expect(fold('Số định danh trùng với hồ sơ khác')).toContain('so dinh danh trung');
  });
});

describe('capabilities', () => {
  it('switch a feature on only when every operation it needs exists', () => {
    const known = new Set(['POST /api/v1/fixes', 'GET /api/v1/fixes/{id}', 'POST /api/v1/fixes/{id}/undo', 'POST /api/v1/validate']);
    expect(hasFeature('fixes', known)).toBe(true);
    expect(hasFeature('validate', known)).toBe(true);
    expect(hasFeature('statsProgress', known)).toBe(false);
    expect(hasFeature('fixes', new Set(['POST /api/v1/fixes']))).toBe(false);
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
