// The one place that turns API errors (RFC 9457 problem+json with a stable `code`) into
// Vietnamese text, and field errors (`errors[].pointer`) into form fields.
import type { FormInstance } from 'antd';
import type { FieldError, Problem } from './types';

/** Vietnamese message per problem `code` (api/src/error.rs holds the server's table). */
export const PROBLEM_MESSAGES: Record<string, string> = {
  bad_request: 'Yêu cầu không hợp lệ.',
  invalid_json: 'Dữ liệu gửi lên không đúng định dạng.',
  invalid_query: 'Bộ lọc hoặc tham số không hợp lệ.',
  unauthenticated: 'Cần đăng nhập để tiếp tục.',
  invalid_credentials: 'Sai tên đăng nhập hoặc mật khẩu.',
  token_expired: 'Phiên đăng nhập đã hết hạn, hãy đăng nhập lại.',
  forbidden: 'Tài khoản của bạn không có quyền thực hiện thao tác này.',
  password_change_required: 'Bạn đang dùng mật khẩu một lần: hãy đổi mật khẩu trước khi tiếp tục.',
  not_found: 'Không tìm thấy dữ liệu, hoặc dữ liệu nằm ngoài phạm vi đơn vị của bạn.',
  method_not_allowed: 'Thao tác này không được hỗ trợ.',
  // Duplicates (a sector code already used) and state conflicts (a repair already undone): the detail says which.
  conflict: 'Không thực hiện được vì xung đột với dữ liệu hiện có.',
  version_conflict: 'Hồ sơ vừa được người khác sửa. Hãy tải lại hồ sơ rồi sửa tiếp.',
  payload_too_large: 'Tệp hoặc dữ liệu gửi lên quá lớn.',
  unsupported_media_type: 'Định dạng tệp hoặc dữ liệu không được hỗ trợ.',
  validation_failed: 'Dữ liệu chưa hợp lệ, hãy sửa các ô được đánh dấu.',
  would_worsen: 'Thay đổi này làm hồ sơ có thêm lỗi chặn gửi xác thực nên chưa được lưu.',
  confirm_verified_changes: 'Hồ sơ đã được CSDL quốc gia xác thực; cần xác nhận trước khi sửa.',
  nothing_to_send: 'Không có hồ sơ nào cần gửi xác thực trong phạm vi đã chọn.',
  too_many_attempts: 'Đăng nhập sai quá nhiều lần, hãy chờ một lúc rồi thử lại.',
  internal: 'Máy chủ gặp lỗi. Hãy thử lại sau; nếu vẫn lỗi, báo quản trị kèm mã yêu cầu.',
  unavailable: 'Dịch vụ tạm thời không sẵn sàng, hãy thử lại sau ít phút.',
  network: 'Không kết nối được tới máy chủ. Hãy kiểm tra mạng rồi thử lại.',
  unknown: 'Đã xảy ra lỗi không xác định.',
};

/** An API call that failed: the problem the server sent, or a network failure (`code: network`). */
export class ApiProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail?: string;
  readonly errors: FieldError[];
  readonly requestId?: string;
  readonly retryAfterSeconds?: number;

  constructor(init: {
    status: number;
    code: string;
    title?: string;
    detail?: string | null;
    errors?: FieldError[];
    requestId?: string | null;
    retryAfterSeconds?: number;
  }) {
    const title = PROBLEM_MESSAGES[init.code] ?? init.title ?? PROBLEM_MESSAGES.unknown ?? '';
    super(init.detail ?? title);
    this.name = 'ApiProblem';
    this.status = init.status;
    this.code = init.code;
    this.title = title;
    this.detail = init.detail ?? undefined;
    this.errors = init.errors ?? [];
    this.requestId = init.requestId ?? undefined;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }

  /** From a response and its parsed body (a problem, or anything else a proxy may send). */
  static fromResponse(response: Response, body: unknown): ApiProblem {
    const problem = isProblem(body) ? body : undefined;
    const retry = Number(response.headers.get('retry-after'));
    return new ApiProblem({
      status: response.status,
      code: problem?.code ?? codeForStatus(response.status),
      title: problem?.title,
      detail: problem?.detail,
      errors: problem?.errors,
      requestId: response.headers.get('x-request-id'),
      retryAfterSeconds: Number.isFinite(retry) && retry > 0 ? retry : undefined,
    });
  }

  static network(cause: unknown): ApiProblem {
    const problem = new ApiProblem({ status: 0, code: 'network' });
    (problem as { cause?: unknown }).cause = cause;
    return problem;
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }
}

export function isProblem(body: unknown): body is Problem {
  return typeof body === 'object' && body !== null && typeof (body as { code?: unknown }).code === 'string';
}

function codeForStatus(status: number): string {
  switch (status) {
    case 400:
      return 'bad_request';
    case 401:
      return 'unauthenticated';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 413:
      return 'payload_too_large';
    case 422:
      return 'validation_failed';
    case 429:
      return 'too_many_attempts';
    case 503:
      return 'unavailable';
    default:
      return status >= 500 ? 'internal' : 'unknown';
  }
}

/** What to show for any thrown value: a Vietnamese title, the server's detail, the request id. */
export function describeError(error: unknown): { title: string; detail?: string; requestId?: string } {
  if (error instanceof ApiProblem) {
    const detail = error.detail && error.detail !== error.title ? error.detail : undefined;
    return { title: error.title, detail, requestId: error.requestId };
  }
  return { title: PROBLEM_MESSAGES.unknown ?? '', detail: error instanceof Error ? error.message : undefined };
}

/** A form field's name path (antd `NamePath`). */
export type NamePath = (string | number)[];

/**
 * `/residence/province` → `['residence', 'province']`; `/records/3/personalId` →
 * `['records', 3, 'personalId']`; a query parameter name (`pageSize`) → `['pageSize']`.
 * RFC 6901 escapes (`~1`, `~0`) are undone.
 */
export function pointerToNamePath(pointer: string): NamePath {
  const trimmed = pointer.startsWith('/') ? pointer.slice(1) : pointer;
  if (trimmed === '') return [];
  return trimmed.split('/').map((segment) => {
    const unescaped = segment.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^(0|[1-9]\d*)$/.test(unescaped) ? Number(unescaped) : unescaped;
  });
}

const pathKey = (path: NamePath) => path.join('.');

/** Field errors grouped onto the given form fields; errors no field owns are returned apart. */
export function fieldErrorsToFields(
  errors: FieldError[],
  fields: NamePath[],
): { fields: { name: NamePath; errors: string[] }[]; unmatched: FieldError[] } {
  const known = new Map(fields.map((f) => [pathKey(f), f]));
  const grouped = new Map<string, { name: NamePath; errors: string[] }>();
  const unmatched: FieldError[] = [];
  for (const error of errors) {
    const path = pointerToNamePath(error.pointer);
    // The nearest ancestor that is a form field owns the error (`/residence` for a residence form).
    let owner: NamePath | undefined;
    for (let n = path.length; n > 0 && !owner; n--) owner = known.get(pathKey(path.slice(0, n)));
    if (!owner) {
      unmatched.push(error);
      continue;
    }
    const key = pathKey(owner);
    const entry = grouped.get(key) ?? { name: owner, errors: [] };
    entry.errors.push(error.message);
    grouped.set(key, entry);
  }
  return { fields: [...grouped.values()], unmatched };
}

/** The bit of antd's FormInstance this module needs (kept narrow so tests can fake it). */
export type FieldSetter = Pick<FormInstance, 'setFields'>;

/**
 * Puts a failed save onto the form: field errors on their fields. Returns what the form cannot
 * show (the problem's text and unmatched field errors) for an alert or a toast; `undefined` when
 * every message landed on a field.
 */
export function applyProblemToForm(
  form: FieldSetter,
  error: unknown,
  fields: NamePath[],
): { title: string; detail?: string; messages: string[] } | undefined {
  const described = describeError(error);
  if (!(error instanceof ApiProblem) || error.errors.length === 0) {
    return { ...described, messages: [] };
  }
  const { fields: matched, unmatched } = fieldErrorsToFields(error.errors, fields);
  form.setFields(matched);
  if (unmatched.length === 0) return undefined;
  return { ...described, messages: unmatched.map((e) => e.message) };
}
