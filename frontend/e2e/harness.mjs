// Browser-test harness: the real `dinhdanh` binary on a free port with a fresh SQLite database,
// accounts (the demo accounts when `serve --demo` seeds them, else the e2e fixtures), a few
// students created through the API, and Debian's Chromium driven by playwright-core.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repo = resolve(here, '..', '..');
const bin = process.env.DINHDANH_BIN ?? join(repo, 'target', 'debug', 'dinhdanh');
const seedBin = process.env.E2E_SEED_BIN ?? join(repo, 'target', 'debug', 'examples', 'e2e_fixtures');
export const screenshotDir = resolve(process.env.E2E_SCREENSHOTS_DIR ?? join(here, 'output'));
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';

export const VIEWPORT = { width: 1366, height: 768 };

/** Starts the server; resolves once it prints its URL. */
export async function startServer() {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run 'cargo build --bin dinhdanh' (make e2e does)`);
  const dir = mkdtempSync(join(tmpdir(), 'dinhdanh-e2e-'));
  const databaseUrl = `sqlite://${join(dir, 'e2e.db')}?mode=rwc`;
  const child = spawn(bin, ['serve', '--demo', '--bind', '127.0.0.1:0', '--database-url', databaseUrl], {
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn', APP_LOGIN_MAX_FAILURES: '20' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start in 60 s:\n${output}`)), 60_000);
    const onData = (chunk) => {
      output += chunk.toString();
      const m = /running at (http:\/\/[^\s/]+)\//.exec(output);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c) => (output += c.toString()));
    child.on('exit', (code) => fail(new Error(`server exited (${code}):\n${output}`)));
  });
  if (output.includes('not built into this binary')) {
    throw new Error('the server has no web app: build frontend/dist before the binary runs (make e2e)');
  }
  return {
    url,
    databaseUrl,
    log: () => output,
    stop() {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function apiLogin(url, username, password) {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) return undefined;
  return (await res.json()).accessToken;
}

export async function api(url, token, method, path, body) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/**
 * The accounts to test with: the demo accounts when the server seeded them, else the e2e
 * fixtures (tests/examples/e2e_fixtures.rs) written into the same database.
 */
export async function accounts(server) {
  if (await apiLogin(server.url, 'demo-school', 'demo')) {
    return { source: 'demo', password: 'demo', school: 'demo-school', district: 'demo-district', department: 'demo-department' };
  }
  const run = existsSync(seedBin)
    ? spawnSync(seedBin, [server.databaseUrl], { encoding: 'utf8' })
    : spawnSync('cargo', ['run', '-q', '-p', 'dinhdanh-tests', '--example', 'e2e_fixtures', '--', server.databaseUrl], {
        encoding: 'utf8',
        cwd: repo,
      });
  if (run.status !== 0) throw new Error(`seeding the e2e fixtures failed:\n${run.stderr}`);
  const seeded = JSON.parse(run.stdout.trim().split('\n').pop());
  return { source: 'e2e fixtures', password: seeded.password, ...seeded.accounts };
}

/** Records the flows rely on, created through the API as the school account. */
export async function prepareData(server, acc) {
  const school = await apiLogin(server.url, acc.school, acc.password);
  const department = await apiLogin(server.url, acc.department, acc.password);
  const me = (await api(server.url, school, 'GET', '/api/v1/me')).body;
  const classes = (await api(server.url, school, 'GET', '/api/v1/classes')).body.items;
  if (classes.length === 0) throw new Error('the school account has no class in the current school year');
  const klass = classes[0];
  const created = [];
  for (const s of [
    // Damaged the way real files are: an impossible date, a 9-digit CMND, odd spacing.
    { fullName: 'TRẦN  thị kiểm thử', dateOfBirth: '31/02/2014', gender: 'nu', personalId: '031456789', residence: { province: 'Hải Phòng', district: 'Lê Chân', commune: 'Dư Hàng Kênh' } },
    { fullName: 'Nguyễn Văn An', dateOfBirth: '05/09/2014', gender: 'Nam', personalId: '031214012345', residence: { province: 'Hải Phòng', district: 'Lê Chân', commune: 'Dư Hàng Kênh' } },
    { fullName: 'Lê Thị Hoà', dateOfBirth: '12/01/2014', gender: 'Nữ', personalId: '031314056789', residence: { province: 'Hải Phòng', district: 'Ngô Quyền', commune: 'Máy Tơ' } },
  ]) {
    const res = await api(server.url, school, 'POST', '/api/v1/students', { classId: klass.id, ...s });
    if (res.status !== 201) throw new Error(`creating a student failed: ${res.status} ${JSON.stringify(res.body)}`);
    created.push(res.body);
  }
  const staff = await api(server.url, school, 'POST', '/api/v1/staff', {
    position: 'teacher',
    fullName: 'Phạm Thu Hương',
    dateOfBirth: '12/03/1985',
    gender: 'Nữ',
    personalId: '031185012345',
  });
  if (staff.status !== 201) throw new Error(`creating a staff member failed: ${staff.status} ${JSON.stringify(staff.body)}`);
  // Another school's unit and class, found with the Department's account, for URL tampering.
  const schools = (await api(server.url, department, 'GET', '/api/v1/units?kind=school')).body.items;
  const other = schools.find((u) => u.id !== me.user.unit.id);
  if (!other) throw new Error('no second school to tamper with');
  const otherClasses = (await api(server.url, department, 'GET', `/api/v1/classes?schoolId=${other.id}`)).body.items;
  return { me, klass, damaged: created[0], staff: staff.body, other, otherClass: otherClasses[0] };
}

/** The operations of the running server's OpenAPI document. */
export async function serverOperations(url) {
  const spec = await (await fetch(`${url}/api/openapi.json`)).json();
  return new Set(Object.entries(spec.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`)));
}

export async function launchBrowser() {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: apt-get install -y chromium (.ci/run does)`);
  // playwright-core gives every launch a fresh temporary profile (its own --user-data-dir).
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--disable-dev-shm-usage',
    ],
  });
}

/** A fresh page (own storage) that records console errors and uncaught exceptions. */
export async function newPage(browser, baseURL) {
  const context = await browser.newContext({ baseURL, viewport: VIEWPORT, locale: 'vi-VN', acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems = [];
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('console', (m) => {
    // The browser logs every non-2xx fetch; the flows provoke some (404 on tampering) on purpose.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
  });
  return { page, context, problems };
}

export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.waitForTimeout(300); // let antd's animations settle
  await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
}

export async function loginThroughUi(page, username, password) {
  await page.goto('/dang-nhap');
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
}

export function writeSummary(lines) {
  mkdirSync(screenshotDir, { recursive: true });
  writeFileSync(join(screenshotDir, 'summary.txt'), `${lines.join('\n')}\n`);
}
