import { describe, expect, it, vi } from 'vitest';
import { ApiProblem, applyProblemToForm, describeError, fieldErrorsToFields, pointerToNamePath, PROBLEM_MESSAGES } from './problem';
import spec from '../../../openapi/openapi.json';

function response(status: number, headers: Record<string, string> = {}): Response {
  return new Response(null, { status, headers });
}

describe('pointerToNamePath', () => {
  it.each([
    ['/fullName', ['fullName']],
    ['/residence/province', ['residence', 'province']],
    ['/records/3/personalId', ['records', 3, 'personalId']],
    ['pageSize', ['pageSize']],
    ['/a~1b/c~0d', ['a/b', 'c~d']],
    ['/records/03', ['records', '03']],
    ['', []],
    ['/', []],
  ])('%s', (pointer, path) => {
    expect(pointerToNamePath(pointer)).toEqual(path);
  });
});

describe('fieldErrorsToFields', () => {
  const fields = [['fullName'], ['residence', 'province'], ['residence']];

  it('puts each error on its field, several on one, and keeps the rest apart', () => {
    const { fields: matched, unmatched } = fieldErrorsToFields(
      [
        { pointer: '/fullName', code: 'length', message: 'Họ tên tối đa 255 ký tự.' },
        { pointer: '/fullName', code: 'chars', message: 'Có ký tự lạ.' },
        { pointer: '/residence/province', code: 'length', message: 'Quá dài.' },
        { pointer: '/residence/commune', code: 'length', message: 'Xã quá dài.' },
        { pointer: '/classId', code: 'unknown', message: 'Không có lớp này.' },
      ],
      fields,
    );
    expect(matched).toEqual([
      { name: ['fullName'], errors: ['Họ tên tối đa 255 ký tự.', 'Có ký tự lạ.'] },
      { name: ['residence', 'province'], errors: ['Quá dài.'] },
      // No field for the commune: its nearest ancestor field owns the error.
      { name: ['residence'], errors: ['Xã quá dài.'] },
    ]);
    expect(unmatched.map((e) => e.pointer)).toEqual(['/classId']);
  });
});

describe('ApiProblem', () => {
  it('reads a problem+json body and maps its code to Vietnamese', () => {
    const p = ApiProblem.fromResponse(response(409, { 'x-request-id': 'abc123' }), {
      type: 'urn:dinhdanh:problem:version_conflict',
      title: 'Hồ sơ vừa được người khác sửa',
      status: 409,
      code: 'version_conflict',
      detail: 'Hồ sơ đã được sửa (phiên bản hiện tại 3); hãy tải lại rồi sửa tiếp.',
    });
    expect(p.code).toBe('version_conflict');
    expect(p.title).toBe(PROBLEM_MESSAGES.version_conflict);
    expect(p.detail).toContain('phiên bản hiện tại 3');
    expect(p.requestId).toBe('abc123');
    expect(p.errors).toEqual([]);
  });

  it('falls back to the HTTP status when the body is not a problem (a proxy page)', () => {
    const p = ApiProblem.fromResponse(response(502), '<html>Bad gateway</html>');
    expect(p.code).toBe('internal');
    expect(describeError(p).title).toBe(PROBLEM_MESSAGES.internal);
    expect(ApiProblem.fromResponse(response(404), undefined).isNotFound).toBe(true);
  });

  it('keeps Retry-After of a throttled login', () => {
    const p = ApiProblem.fromResponse(response(429, { 'retry-after': '30' }), { code: 'too_many_attempts', title: 't', status: 429, type: 'x' });
    expect(p.retryAfterSeconds).toBe(30);
  });

  it('says a network failure in Vietnamese', () => {
    expect(describeError(ApiProblem.network(new TypeError('Failed to fetch'))).title).toBe(PROBLEM_MESSAGES.network);
  });

  it('has a Vietnamese message for every code the API documents', () => {
    // "Every error is `application/problem+json` … with a stable `code`: bad_request, …, unavailable."
    const paragraph = spec.info.description.split('\n\n').find((p) => p.startsWith('Every error is')) ?? '';
    const list = paragraph.slice(paragraph.indexOf('`code`:') + '`code`:'.length).replace(/\(.*?\)/g, '').replace(/\.\s*$/, '');
    const codes = list.split(',').map((c) => c.trim()).filter(Boolean);
    expect(codes.length).toBeGreaterThan(10);
    for (const code of codes) expect(PROBLEM_MESSAGES[code], code).toBeTruthy();
  });
});

describe('applyProblemToForm', () => {
  it('sets field errors on the form and returns nothing when all landed', () => {
    const form = { setFields: vi.fn() };
    const error = new ApiProblem({ status: 422, code: 'validation_failed', errors: [{ pointer: '/fullName', code: 'length', message: 'Họ tên tối đa 255 ký tự.' }] });
    expect(applyProblemToForm(form, error, [['fullName']])).toBeUndefined();
    expect(form.setFields).toHaveBeenCalledWith([{ name: ['fullName'], errors: ['Họ tên tối đa 255 ký tự.'] }]);
  });

  it('returns what no field can show', () => {
    const form = { setFields: vi.fn() };
    const error = new ApiProblem({ status: 422, code: 'validation_failed', detail: 'Hãy sửa các trường được đánh dấu rồi gửi lại.', errors: [{ pointer: '/classId', code: 'x', message: 'Không có lớp này.' }] });
    expect(applyProblemToForm(form, error, [['fullName']])).toEqual({
      title: PROBLEM_MESSAGES.validation_failed,
      detail: 'Hãy sửa các trường được đánh dấu rồi gửi lại.',
      requestId: undefined,
      messages: ['Không có lớp này.'],
    });
  });

  it('returns the problem itself when it has no field errors', () => {
    const form = { setFields: vi.fn() };
    const error = new ApiProblem({ status: 401, code: 'invalid_credentials', detail: 'Tên đăng nhập hoặc mật khẩu không đúng.' });
    expect(applyProblemToForm(form, error, [['username']])?.title).toBe('Sai tên đăng nhập hoặc mật khẩu.');
    expect(form.setFields).not.toHaveBeenCalled();
  });
});
