import { describe, expect, it } from 'vitest';
import spec from '../../../openapi/openapi.json';
import { FINDING_LABELS, findingField, findingOptions, fold } from './findings';
import { HISTORY_SOURCE_LABELS, STATUS_LABELS } from './labels';
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

describe('enumerations of the API', () => {
  it('label every verification status and audit source in Vietnamese', () => {
    const statuses = spec.components.schemas.VerificationStatus.enum;
    expect(statuses.filter((s) => !STATUS_LABELS[s as keyof typeof STATUS_LABELS])).toEqual([]);
    const sources = spec.components.schemas.Source.enum;
    expect(sources.filter((s) => !HISTORY_SOURCE_LABELS[s as keyof typeof HISTORY_SOURCE_LABELS])).toEqual([]);
  });

  it('carry the job and import statuses the screens show', () => {
    expect(spec.components.schemas.JobStatus.enum).toEqual(['queued', 'running', 'paused', 'done', 'cancelled']);
    expect(spec.components.schemas.ImportStatus.enum).toEqual(['processing', 'ready', 'committed', 'undone', 'failed', 'expired']);
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
