// Browser-test harness: the real `dinhdanh` binary started with `serve --demo` on a free port and
// a fresh SQLite file, so it seeds the deterministic Hải Phòng demo (a small one: E2E_DEMO_STUDENTS,
// 1,500 by default; the demo school "Trường THCS Gia Viên" always gets its full size) and its
// accounts; Debian's Chromium driven by playwright-core.
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repo = resolve(here, '..', '..');
const bin = process.env.DINHDANH_BIN ?? join(repo, 'target', 'debug', 'dinhdanh');
export const screenshotDir = resolve(process.env.E2E_SCREENSHOTS_DIR ?? join(here, 'output'));
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const demoStudents = process.env.E2E_DEMO_STUDENTS ?? '1500';

export const VIEWPORT = { width: 1366, height: 768 };

/** The demo accounts `serve --demo` seeds (api/src/demo/mod.rs). */
export const ACCOUNTS = { password: 'demo', school: 'demo-school', district: 'demo-district', department: 'demo-department', admin: 'demo-admin' };

/** Starts the server; resolves once it prints its URL. */
export async function startServer() {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run 'cargo build --bin dinhdanh' (make e2e does)`);
  const dir = mkdtempSync(join(tmpdir(), 'dinhdanh-e2e-'));
  const databaseUrl = `sqlite://${join(dir, 'e2e.db')}?mode=rwc`;
  const child = spawn(bin, ['serve', '--demo', '--bind', '127.0.0.1:0', '--database-url', databaseUrl], {
    env: {
      ...process.env,
      RUST_LOG: process.env.RUST_LOG ?? 'warn',
      APP_LOGIN_MAX_FAILURES: '20',
      APP_DEMO_STUDENTS: demoStudents,
      // The demo's keys and the registry simulator's population, beside the fresh database.
      APP_DATA_KEYS_FILE: join(dir, 'data-keys'),
      APP_INDEX_KEY_FILE: join(dir, 'index-key'),
      APP_REGISTRY_SIM__DATABASE_URL: `sqlite://${join(dir, 'registry-sim.db')}?mode=rwc`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const seeding = Date.now();
  const url = await new Promise((ok, fail) => {
    // Seeding the demo takes a few seconds; a debug build on a busy machine may take a minute.
    const timer = setTimeout(() => fail(new Error(`server did not start in 120 s:\n${output}`)), 120_000);
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
    startSeconds: (Date.now() - seeding) / 1000,
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

/** Logs the demo accounts in through the API (fails when the server seeded no demo). */
export async function tokens(server) {
  const out = {};
  for (const role of ['school', 'district', 'department', 'admin']) {
    out[role] = await apiLogin(server.url, ACCOUNTS[role], ACCOUNTS.password);
    if (!out[role]) throw new Error(`the demo account ${ACCOUNTS[role]} cannot log in: did the server seed the demo?\n${server.log()}`);
  }
  return out;
}

const hasFixed = (p, field) => p.findings.some((f) => f.severity === 'fixed' && (!field || f.field === field));
/** Findings whose repair `/fixes` writes back (every field but the residence). */
export const repairable = (p) => p.findings.filter((f) => f.severity === 'fixed' && f.field !== 'residence');

/**
 * What the flows need, found in the demo data through the API (the demo is deterministic, but
 * the flows do not depend on its exact names): the demo school's classes, one class whose
 * records carry safe repairs (flow 1), a damaged record in another class to fix by hand, and
 * another school's unit and class for URL tampering.
 */
export async function discover(server, tok) {
  const me = (await api(server.url, tok.school, 'GET', '/api/v1/me')).body;
  const classes = (await api(server.url, tok.school, 'GET', '/api/v1/classes')).body.items;
  if (classes.length < 2) throw new Error('the demo school has fewer than two classes in the current school year');
  const byClass = [];
  for (const klass of classes) {
    const page = (await api(server.url, tok.school, 'GET', `/api/v1/students?classId=${klass.id}&pageSize=200`)).body;
    byClass.push({ klass, students: page.items });
  }
  // The class with the most safe repairs to apply (and undo) in flow 1.
  const ranked = [...byClass].sort((a, b) => b.students.filter((p) => repairable(p).length > 0).length - a.students.filter((p) => repairable(p).length > 0).length);
  const fixClass = ranked[0];
  // In another class (the bulk repair must not touch it): a record whose name has a safe repair.
  const editClass = ranked.slice(1).find((c) => c.students.some((p) => hasFixed(p, 'fullName')));
  if (!fixClass || !editClass) throw new Error('the demo school has no damaged names to fix');
  const damaged = editClass.students.find((p) => p.findings.some((f) => f.code === 'name_legacy_encoding')) ?? editClass.students.find((p) => hasFixed(p, 'fullName'));
  const schools = (await api(server.url, tok.department, 'GET', '/api/v1/units?kind=school')).body.items;
  const other = schools.find((u) => u.id !== me.user.unit.id);
  if (!other) throw new Error('the demo has no second school to tamper with');
  const otherClasses = (await api(server.url, tok.department, 'GET', `/api/v1/classes?schoolId=${other.id}`)).body.items;
  const staff = (await api(server.url, tok.school, 'GET', '/api/v1/staff?pageSize=200')).body.items;
  // A third class for the Excel round trip, untouched by the other flows.
  const importClass = byClass.find((c) => c !== fixClass && c !== editClass && c.students.length > 0);
  return {
    me,
    students: byClass.reduce((n, c) => n + c.students.length, 0),
    classes,
    fixClass: { ...fixClass.klass, students: fixClass.students },
    editClass: editClass.klass,
    importClass: importClass && { ...importClass.klass, students: importClass.students },
    damaged,
    staff: staff.find((p) => p.position === 'manager') ?? staff[0],
    other,
    otherClass: otherClasses[0],
  };
}

/** A name as the search box may be typed: lower case, no diacritics (đ → d). */
export function withoutDiacritics(name) {
  return name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase().replace(/\s+/g, ' ').trim();
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
  // No stray tooltip from wherever the last click left the mouse (the header has none).
  await page.mouse.move(VIEWPORT.width / 2, 20);
  await page.waitForTimeout(300); // let antd's animations settle
  // A tooltip still fading out after the move would cover the table: screenshots show none.
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), style: '.ant-tooltip { visibility: hidden !important; }' });
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

/**
 * Picks `option` in the Ant Design select labelled `label` and waits until the URL matches
 * `urlPattern`. A click that lands while the drop-down is still sliding open can be lost, so
 * the pick is retried (at most three times) rather than waited on for the whole timeout.
 */
export async function pickOption(page, label, option, urlPattern) {
  for (let attempt = 1; ; attempt++) {
    const select = page.getByLabel(label);
    if (!(await page.getByTitle(option).isVisible())) await select.click();
    await page.getByTitle(option).click();
    try {
      await page.waitForURL(urlPattern, { timeout: 4_000 });
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

/** The texts of an xlsx's shared strings, by index. */
function sharedStrings(xml) {
  const decode = (t) => t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  return [...xml.matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => decode([...m[1].matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)].map((t) => t[1]).join('')));
}

const escapeXml = (t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Edits cells of an xlsx's first sheet as a clerk would in Excel: in the row whose column A
 * holds `key` (our template's record key), each `column → text` of `cells` becomes that text.
 * Returns the new file's bytes, and the texts of the first sheet's rows for checks.
 */
export function editTemplateRow(bytes, key, cells) {
  const files = unzipSync(new Uint8Array(bytes));
  const strings = sharedStrings(strFromU8(files['xl/sharedStrings.xml']));
  const sheetPath = 'xl/worksheets/sheet1.xml';
  let sheet = strFromU8(files[sheetPath]);
  const cellText = (cell) => {
    const v = /<v>([^<]*)<\/v>/.exec(cell)?.[1];
    if (/t="s"/.test(cell)) return strings[Number(v)];
    return /<t[^>]*>([^<]*)<\/t>/.exec(cell)?.[1] ?? v ?? '';
  };
  const row = [...sheet.matchAll(/<row r="(\d+)"[^>]*>([\s\S]*?)<\/row>/g)].find((m) => {
    const a = new RegExp(`<c r="A${m[1]}"[^>]*?(?:/>|>[\\s\\S]*?</c>)`).exec(m[2]);
    return a && cellText(a[0]) === String(key);
  });
  if (!row) throw new Error(`no row with record key ${key} in the template`);
  const n = row[1];
  let body = row[2];
  for (const [column, text] of Object.entries(cells)) {
    const ref = `${column}${n}`;
    const pattern = new RegExp(`<c r="${ref}"([^>]*?)(?:/>|>[\\s\\S]*?</c>)`);
    const match = pattern.exec(body);
    if (!match) throw new Error(`no cell ${ref}`);
    const style = /s="(\d+)"/.exec(match[1])?.[1];
    body = body.replace(pattern, `<c r="${ref}"${style ? ` s="${style}"` : ''} t="inlineStr"><is><t>${escapeXml(text)}</t></is></c>`);
  }
  sheet = sheet.replace(row[0], row[0].replace(row[2], body));
  files[sheetPath] = strToU8(sheet);
  return Buffer.from(zipSync(files));
}

/** axe-core's script (from npm, not downloaded at run time), injected into the page under test. */
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The phone size the app must stay usable at, beside VIEWPORT. */
export const PHONE = { width: 390, height: 844 };

/**
 * axe-core's serious and critical violations on the page as it stands (WCAG 2.1 A/AA rules), as
 * readable lines: rule, impact, and up to three offending elements.
 */
export async function axeViolations(page) {
  // what is still loading sits under a translucent veil: check the page as it settles
  await page.waitForFunction(() => !document.querySelector('.ant-spin-spinning, .ant-skeleton-active'));
  // colours blended mid-transition (a drawer sliding in) are not what the user reads
  await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))));
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} ${n.failureSummary?.split('\n').slice(1, 2).join('') ?? ''}`),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.targets.join('\n    ')}`);
}
