// The typed API client (openapi-fetch on the generated `paths`), with the bearer token added to
// every call and a 401 ending the session. `unwrap` turns a failed call into an ApiProblem.
// `rawRequest` (multipart uploads) and `download` (binary answers) go around the generated client
// and share the same token and error handling.
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';
import { currentToken, expireSession } from '../auth/session';
import { ApiProblem } from './problem';

const LOGIN_PATH = '/api/v1/auth/login';

function authHeaders(headers: Headers): void {
  const token = currentToken();
  if (token && !headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
}

function checkUnauthorized(url: string, response: Response): void {
  if (response.status === 401 && !new URL(url, window.location.origin).pathname.startsWith(LOGIN_PATH)) {
    expireSession();
  }
}

const auth: Middleware = {
  onRequest({ request }) {
    authHeaders(request.headers);
    return request;
  },
  onResponse({ request, response }) {
    checkUnauthorized(request.url, response);
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: '' });
api.use(auth);

/** The data of a successful openapi-fetch call; throws an ApiProblem otherwise. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (cause) {
    throw ApiProblem.network(cause);
  }
  if (!result.response.ok) throw ApiProblem.fromResponse(result.response, result.error);
  return result.data as T;
}

type Query = Record<string, string | number | boolean | undefined | null>;

function withQuery(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function send(method: string, path: string, init: { query?: Query; json?: unknown; body?: BodyInit }): Promise<Response> {
  const headers = new Headers();
  authHeaders(headers);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(init.json);
  }
  const url = withQuery(path, init.query);
  let response: Response;
  try {
    response = await fetch(url, { method, headers, body });
  } catch (cause) {
    throw ApiProblem.network(cause);
  }
  checkUnauthorized(url, response);
  if (!response.ok) {
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    throw ApiProblem.fromResponse(response, parsed);
  }
  return response;
}

/**
 * A call the generated client cannot make as such (a multipart upload), answered with JSON of
 * the generated type `T`. Everything else goes through `api`, which checks paths and parameters.
 */
export async function rawRequest<T>(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  init: { query?: Query; json?: unknown; body?: BodyInit } = {},
): Promise<T> {
  const response = await send(method, path, init);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** Downloads a file answer (Excel template, report, error workbook) under its server-given name. */
export async function download(path: string, query: Query | undefined, fallbackName: string): Promise<void> {
  const response = await send('GET', path, { query });
  const blob = await response.blob();
  const name = fileNameFrom(response.headers.get('content-disposition')) ?? fallbackName;
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Opens a page the server renders (a printable HTML page) in a new tab, as the browser's print
 * preview source. The tab is opened at once, inside the click, so that no popup blocker stops
 * it; the page follows when it has arrived.
 */
export async function openPage(path: string, query: Query | undefined): Promise<void> {
  const tab = window.open('', '_blank');
  try {
    const response = await send('GET', path, { query });
    const blob = new Blob([await response.blob()], { type: 'text/html;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    if (tab) tab.location.href = url;
    else window.location.assign(url);
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (error) {
    tab?.close();
    throw error;
  }
}

/** The file name of a Content-Disposition header (RFC 6266, `filename*` preferred). */
export function fileNameFrom(header: string | null): string | undefined {
  if (!header) return undefined;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      // fall through to the plain parameter
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(header);
  return plain?.[1]?.trim();
}
