// The school clerk's story (issue 15, "How it is checked"), on a fresh demo of its own: she fixes
// a class of about 40 — picks the new commune of a split one, converts the old addresses in one
// action, confirms and sends the class, resolves a mismatch, prints the evidence slips. The test
// counts her clicks and measures the wall time, both written to e2e/output/clerk-story.txt (and
// quoted in the README's web-app section). Then the conversion's "Hoàn tác" in another class.
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as h from './harness.mjs';

const TIMEOUT = { timeout: 300_000 };
let server;
let tok;
let browser;
let classes = [];

before(async () => {
  server = await h.startServer();
  tok = await h.tokens(server);
  browser = await h.launchBrowser();
  for (const klass of (await get('/api/v1/classes')).items) {
    classes.push({ klass, students: (await get(`/api/v1/students?classId=${klass.id}&pageSize=200`)).items });
  }
});

after(async () => {
  await browser?.close();
  server?.stop();
});

async function get(path) {
  const res = await h.api(server.url, tok.school, 'GET', path);
  assert.equal(res.status, 200, `GET ${path}`);
  return res.body;
}

const has = (p, code) => p.findings.some((f) => f.code === code);
const convertible = (p) => p.findings.some((f) => f.code === 'address_outdated_unit' && f.params.split === false && f.params.newCommuneCode);
/** Classes with a split commune and old addresses to convert, the one nearest 40 students first. */
const candidates = () =>
  classes
    .filter((c) => c.students.some((p) => has(p, 'address_split_unit')) && c.students.filter(convertible).length >= 3)
    .sort((a, b) => Math.abs(a.students.length - 40) - Math.abs(b.students.length - 40));

async function poll(what, check) {
  for (let i = 0; i < 240; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.fail(`${what}: not reached in 2 minutes`);
}

async function withPage(fn) {
  const { page, context, problems } = await h.newPage(browser, server.url);
  try {
    await fn(page);
    assert.deepEqual(problems, [], 'the page logged errors');
  } catch (error) {
    await h.screenshot(page, `failed-story-${Date.now()}`).catch(() => undefined);
    throw error;
  } finally {
    await context.close();
  }
}

describe('the school clerk’s story', () => {
  test('a class of 40: picker, bulk conversion, confirm-and-send, a mismatch resolved, slips printed — clicks and wall time', TIMEOUT, () =>
    withPage(async (page) => {
      const chosen = candidates()[0];
      assert.ok(chosen, 'the demo school has a class with a split commune and old addresses');
      const { klass, students } = chosen;
      let clicks = 0;
      const click = async (locator) => {
        clicks += 1;
        await locator.click();
      };
      const started = Date.now();

      await h.loginThroughUi(page, h.ACCOUNTS.school, h.ACCOUNTS.password);
      clicks += 1; // "Đăng nhập"
      await page.waitForURL('**/lop');
      await click(page.locator(`a[href="/lop/${klass.id}"]`).first());
      await page.getByRole('heading', { name: `Lớp ${klass.name}` }).waitFor();

      // 1. A split commune: she finds the child by name (no diacritics) and picks the new commune.
      const split = students.find((p) => has(p, 'address_split_unit'));
      const search = page.getByPlaceholder('Tìm theo tên');
      await search.fill(h.withoutDiacritics(split.normalized.fullName ?? split.fullName));
      await search.press('Enter');
      await click(page.getByTestId('open-record').filter({ hasText: split.fullName.trim() }).first());
      const drawer = page.getByTestId('record-drawer');
      await drawer.getByTestId('record-version').waitFor();
      await click(drawer.getByTestId('residence-choice').first());
      await drawer.getByTestId('residence-choices').waitFor({ state: 'detached' });
      await click(drawer.getByTestId('save-record'));
      const saved = page.getByText(/Đã lưu/).first();
      const confirmVerified = page.locator('.ant-modal-confirm').filter({ hasText: 'Sửa hồ sơ đã xác thực?' });
      await saved.or(confirmVerified).first().waitFor({ timeout: 60_000 });
      if (await confirmVerified.isVisible()) {
        await click(confirmVerified.getByRole('button', { name: 'Vẫn sửa' }));
        await saved.waitFor({ timeout: 60_000 });
      }
      assert.deepEqual((await get(`/api/v1/students/${split.id}`)).findings.filter((f) => f.code === 'address_split_unit'), []);
      await click(drawer.locator('.ant-drawer-close'));
      await click(page.locator('.ant-input-clear-icon').first());
      await page.waitForURL((url) => !url.search.includes('q='));

      // 2. Every old commune with exactly one successor, in one action: preview, then confirm.
      const expected = (await get(`/api/v1/students?classId=${klass.id}&findingCode=address_outdated_unit&pageSize=200`)).items.filter(convertible);
      await click(page.getByTestId('convert-addresses'));
      const preview = page.locator('.ant-modal-confirm').filter({ has: page.getByTestId('conversion-preview') });
      await preview.getByText(`${expected.length} hồ sơ`, { exact: false }).first().waitFor();
      assert.ok((await preview.locator('.ant-list-item').count()) >= 1, 'a sample old → new');
      await h.screenshot(page, '17-chuyen-dia-chi-xem-truoc');
      assert.deepEqual(await h.axeViolations(page), [], 'axe-core on the conversion preview');
      await click(preview.getByRole('button', { name: `Chuyển ${expected.length} hồ sơ` }));
      await page.getByTestId('conversion-result').filter({ hasText: `Đã chuyển địa chỉ của ${expected.length} hồ sơ` }).waitFor();
      const after = (await get(`/api/v1/students?classId=${klass.id}&pageSize=200`)).items;
      assert.equal(after.filter(convertible).length, 0, 'no convertible address is left in the class');

      // 3. Confirm and send: the dry run's counts, then the job, watched from the class.
      await click(page.getByRole('button', { name: 'Gửi xác thực' }));
      const confirm = page.locator('.ant-modal-confirm');
      await confirm.getByText(/hồ sơ được gửi/).waitFor();
      await click(confirm.getByRole('button', { name: /^Gửi \d+ hồ sơ$/ }));
      await page.locator('.ant-notification-notice', { hasText: /Đã gửi xác thực \d+ hồ sơ/ }).waitFor({ timeout: 60_000 });
      let job;
      await poll('the class job is done', async () => {
        job = (await get('/api/v1/verification-jobs')).items.find((j) => j.scope.classId === klass.id);
        return job?.status === 'done';
      });
      assert.ok(job.totals.mismatched >= 2, `the class has mismatched records to resolve: ${JSON.stringify(job.totals)}`);

      // 4. A mismatch: from the class card's "không khớp" link, the record opens on the comparison.
      await click(page.getByRole('menuitem', { name: 'Lớp học' }));
      const card = page.getByTestId('class-card').filter({ has: page.locator(`a[href="/lop/${klass.id}"]`) });
      await click(card.locator(`a[href="/lop/${klass.id}?status=mismatched"]`));
      await page.locator('.ant-table-row').first().waitFor();
      const mismatched = (await get(`/api/v1/students?classId=${klass.id}&status=mismatched&pageSize=200`)).items;
      const [target, waiting] = mismatched;
      await click(page.getByTestId('open-record').filter({ hasText: target.fullName.trim() }).first());
      await drawer.getByTestId('registry-comparison').waitFor();
      await click(drawer.getByTestId('accept-registry-values'));
      await page.getByText('Đã nhận giá trị của CSDLQG và gửi xác thực lại.').waitFor();
      await click(drawer.locator('.ant-drawer-close'));

      // 5. Another waits for the family's papers: marked, and the class's slips printed.
      const row = page.locator('.ant-table-row', { has: page.getByTestId('open-record').filter({ hasText: waiting.fullName.trim() }) });
      await click(row.locator('.ant-checkbox-input'));
      await click(page.getByTestId('more-actions'));
      await click(page.getByRole('menuitem', { name: /Đánh dấu chờ giấy tờ/ }));
      await click(page.locator('.ant-modal-confirm').getByRole('button', { name: /^Đánh dấu \d+ hồ sơ$/ }));
      await page.getByText(/Đã đánh dấu chờ giấy tờ 1 hồ sơ/).waitFor();
      await click(page.getByTestId('more-actions'));
      const [slips] = await Promise.all([page.context().waitForEvent('page'), click(page.getByRole('menuitem', { name: /Phiếu khổ A5/ }))]);
      await slips.waitForFunction(() => document.title.startsWith('Phiếu bổ sung giấy tờ'));
      await slips.getByText('PHIẾU HỒI ÂM').first().waitFor();
      const seconds = (Date.now() - started) / 1000;
      await slips.close();

      const line = `clerk's story: class ${klass.name} (${students.length} students), ${clicks} clicks, ${seconds.toFixed(1)} s wall time (debug build, demo of ${process.env.E2E_DEMO_STUDENTS ?? '1500'} students)`;
      console.log(line);
      mkdirSync(h.screenshotDir, { recursive: true });
      writeFileSync(join(h.screenshotDir, 'clerk-story.txt'), `${line}\n`);
      assert.ok(clicks <= 25, `a class in at most 25 clicks (${clicks})`);
    }));

  test('the conversion’s result offers "Hoàn tác", which puts the old addresses back', TIMEOUT, () =>
    withPage(async (page) => {
      const other = candidates().slice(1).find((c) => c.students.filter(convertible).length >= 2);
      assert.ok(other, 'a second class with old addresses');
      const before = (await get(`/api/v1/students?classId=${other.klass.id}&pageSize=200`)).items;
      await h.loginThroughUi(page, h.ACCOUNTS.school, h.ACCOUNTS.password);
      await page.waitForURL('**/lop');
      await page.goto(`/lop/${other.klass.id}`);
      await page.getByTestId('convert-addresses').click();
      const preview = page.locator('.ant-modal-confirm').filter({ has: page.getByTestId('conversion-preview') });
      await preview.getByRole('button', { name: /^Chuyển \d+ hồ sơ$/ }).click();
      const result = page.getByTestId('conversion-result');
      await result.filter({ hasText: 'Đã chuyển địa chỉ của' }).waitFor();
      await h.screenshot(page, '18-chuyen-dia-chi-ket-qua');
      assert.deepEqual(await h.axeViolations(page), [], 'axe-core on the conversion result');
      await page.getByTestId('conversion-result-undo').click();
      await result.and(page.locator('[data-state="undone"]')).waitFor();
      const back = (await get(`/api/v1/students?classId=${other.klass.id}&pageSize=200`)).items;
      for (const p of before) {
        const now = back.find((q) => q.id === p.id);
        assert.deepEqual(now.residence, p.residence, `record ${p.id}: the address is back as entered`);
      }
      assert.equal(await page.getByTestId('convert-addresses').isEnabled(), true, 'the old addresses can be converted again');
      // The same class on a phone (390 × 844), for the README.
      await page.setViewportSize(h.PHONE);
      await page.getByTestId('open-record').first().waitFor();
      await page.screenshot({ path: join(h.screenshotDir, '16-lop-tren-dien-thoai.png'), style: '.ant-tooltip { visibility: hidden !important; }' });
    }));
});
