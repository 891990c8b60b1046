// End-to-end flows of the issue, in Debian's Chromium against the real server (see harness.mjs).
// Steps whose endpoints other issues add (Excel, verification, statistics) are skipped with the
// reason until those endpoints exist; the rest runs on whatever data the server has.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as h from './harness.mjs';

const TIMEOUT = { timeout: 120_000 };
let server;
let browser;
let acc;
let data;
const started = Date.now();

before(async () => {
  server = await h.startServer();
  acc = await h.accounts(server);
  data = await h.prepareData(server, acc);
  browser = await h.launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
  h.writeSummary([`accounts: ${acc?.source}`, `e2e wall time: ${((Date.now() - started) / 1000).toFixed(1)} s`]);
});

/** Runs a flow in its own browser context and fails it on any console error or uncaught exception. */
async function flow(fn) {
  const { page, context, problems } = await h.newPage(browser, server.url);
  try {
    await fn(page);
    assert.deepEqual(problems, [], 'the page logged errors');
  } catch (error) {
    await h.screenshot(page, `failed-${Date.now()}`).catch(() => undefined);
    throw error;
  } finally {
    await context.close();
  }
}

const recordRow = (page, name) => page.locator('tr', { has: page.getByText(name, { exact: true }) });

describe('web app', () => {
  test('login: a wrong password is refused in Vietnamese, the right one opens the role home', TIMEOUT, () =>
    flow(async (page) => {
      await h.loginThroughUi(page, acc.school, 'not-the-password');
      await page.getByTestId('login-error').getByText('Sai tên đăng nhập hoặc mật khẩu').waitFor();
      await h.screenshot(page, '00-dang-nhap-sai');
      await page.getByLabel('Mật khẩu').fill(acc.password);
      await page.getByRole('button', { name: 'Đăng nhập' }).click();
      await page.waitForURL('**/lop');
      // Every entry of the school's menu opens its page.
      for (const [label, heading] of [['Học sinh', 'Học sinh'], ['Cán bộ', 'Cán bộ'], ['Công việc', 'Công việc'], ['Lớp học', 'Lớp học']]) {
        await page.getByRole('menuitem', { name: label }).click();
        await page.getByRole('heading', { name: heading, level: 3 }).waitFor();
      }
      await page.getByRole('menuitem', { name: 'Công việc' }).click();
      await page.getByTestId('feature-unavailable').first().waitFor();
      await h.screenshot(page, '05-cong-viec');
    }));

  test('flow 1: the clerk opens a class, finds a record without diacritics and fixes it inline', TIMEOUT, () =>
    flow(async (page) => {
      await h.loginThroughUi(page, acc.school, acc.password);
      await page.waitForURL('**/lop');
      await page.getByTestId('class-card').first().waitFor();
      await h.screenshot(page, '01-lop-hoc');

      await page.locator(`a[href="/lop/${data.klass.id}"]`).click();
      await page.getByRole('heading', { name: `Lớp ${data.klass.name}` }).waitFor();
      await recordRow(page, 'Nguyễn Văn An').waitFor();
      // Name search without diacritics, on the server (`q`).
      await page.getByPlaceholder('Tìm theo tên').fill('kiem thu');
      await page.getByPlaceholder('Tìm theo tên').press('Enter');
      await page.waitForURL(/q=kiem/);
      await recordRow(page, 'Nguyễn Văn An').waitFor({ state: 'detached' });
      const row = recordRow(page, data.damaged.fullName);
      await row.waitFor();
      assert.match(await row.innerText(), /\*{3}/, 'the list shows the ID number masked');
      await h.screenshot(page, '02-hoc-sinh-cua-lop');

      // The drawer shows the full number to the account that may edit the record.
      await page.getByText(data.damaged.fullName, { exact: true }).click();
      const drawer = page.getByTestId('record-drawer');
      await drawer.locator('#personalId').waitFor();
      assert.equal(await drawer.locator('#personalId').inputValue(), '031456789');

      // A field error from the server (422 with a pointer) lands on its field.
      await drawer.locator('#fullName').fill('A'.repeat(300));
      await drawer.getByTestId('save-record').click();
      await drawer.getByText('Họ tên tối đa 255 ký tự.').waitFor();

      // The fix itself.
      await drawer.locator('#fullName').fill('Trần Thị Kiểm Thử');
      await drawer.locator('#dateOfBirth').fill('15/02/2014');
      await drawer.getByTestId('save-record').click();
      await page.getByText(/Đã lưu/).first().waitFor();
      await drawer.getByTestId('record-version').filter({ hasText: /^2$/ }).waitFor();
      await h.screenshot(page, '03-ho-so');
      const stored = await h.api(server.url, await h.apiLogin(server.url, acc.school, acc.password), 'GET', `/api/v1/students/${data.damaged.id}`);
      assert.equal(stored.body.dateOfBirth, '15/02/2014');
      assert.equal(stored.body.fullName, 'Trần Thị Kiểm Thử');

      // The audit trail shows the change, old → new.
      await drawer.getByRole('tab', { name: 'Lịch sử thay đổi' }).click();
      await drawer.getByTestId('history-entry').filter({ hasText: '31/02/2014' }).filter({ hasText: '15/02/2014' }).waitFor();
      await h.screenshot(page, '04-lich-su-ho-so');

      // Someone else saves meanwhile: our next save answers 409 and offers to reload.
      const token = await h.apiLogin(server.url, acc.school, acc.password);
      const other = await h.api(server.url, token, 'PATCH', `/api/v1/students/${data.damaged.id}`, { gender: 'Nữ', version: 2 });
      assert.equal(other.status, 200);
      await drawer.getByRole('tab', { name: 'Thông tin định danh' }).click();
      await drawer.locator('#gender').fill('nữ');
      await drawer.getByTestId('save-record').click();
      await drawer.getByTestId('save-error').getByText('Hồ sơ vừa được người khác sửa').waitFor();
      await drawer.getByRole('button', { name: 'Tải lại hồ sơ' }).click();
      await drawer.getByTestId('record-version').filter({ hasText: /^3$/ }).waitFor();
      assert.equal(await drawer.locator('#gender').inputValue(), 'Nữ');
    }));

  test('the school filters its students and opens a staff record with its position', TIMEOUT, () =>
    flow(async (page) => {
      await h.loginThroughUi(page, acc.school, acc.password);
      await page.waitForURL('**/lop');
      await page.getByRole('menuitem', { name: 'Học sinh' }).click();
      await recordRow(page, 'Nguyễn Văn An').waitFor();
      // Filters go to the server and into the URL; a filter nothing matches says so.
      await page.getByLabel('Lọc theo trạng thái').click();
      await page.getByTitle('Đã xác thực').click();
      await page.waitForURL(/status=verified/);
      await page.getByText('Không có hồ sơ nào khớp bộ lọc.').waitFor();
      await page.getByRole('button', { name: 'Bỏ lọc' }).click();
      await recordRow(page, 'Nguyễn Văn An').waitFor();
      await page.getByLabel('Lọc theo loại lỗi').click();
      await page.keyboard.type('CMND'); // the list is long and virtual: search it
      await page.getByTitle('Số CMND 9 số (cần số định danh 12 số)').click();
      await page.waitForURL(/findingCode=id_legacy_cmnd/);
      await page.locator('.ant-table-row').or(page.getByText('Không có hồ sơ nào khớp bộ lọc.')).first().waitFor();
      assert.equal(await page.locator('.ant-alert-error').count(), 0);

      await page.getByRole('menuitem', { name: 'Cán bộ' }).click();
      await recordRow(page, data.staff.fullName).waitFor();
      assert.match(await recordRow(page, data.staff.fullName).innerText(), /Giáo viên/);
      await page.getByText(data.staff.fullName, { exact: true }).click();
      const drawer = page.getByTestId('record-drawer');
      await drawer.getByText('Giáo viên').waitFor();
      assert.equal(await drawer.locator('#personalId').inputValue(), '031185012345');
    }));

  test('flow 1: export the template, import an edited one, preview and commit', {
    skip: 'waiting for issue 4: /api/v1/templates and /api/v1/imports are not in openapi/openapi.json yet',
  });

  test('flow 1: send the class for verification and watch the job finish', {
    skip: 'waiting for issue 5: /api/v1/verification-jobs is not in openapi/openapi.json yet',
  });

  test('flow 2: the district officer sees the overview and drills down unit → school → class → record', TIMEOUT, () =>
    flow(async (page) => {
      await h.loginThroughUi(page, acc.district, acc.password);
      await page.waitForURL('**/tong-quan');
      const students = page.locator('.ant-statistic', { hasText: 'Hồ sơ học sinh' });
      await students.waitFor();
      await page.waitForFunction(
        () => [...document.querySelectorAll('.ant-statistic')].some((s) => /Hồ sơ học sinh\s*[1-9]/.test(s.textContent ?? '')),
      );
      await h.screenshot(page, '06-tong-quan');

      await page.getByRole('menuitem', { name: 'Đơn vị' }).click();
      await page.waitForURL(/\/don-vi\/\d+/);
      // Down the tree until a school's classes show (district offices may group schools further).
      for (let depth = 0; depth < 4; depth++) {
        const id = /\/don-vi\/(\d+)/.exec(page.url())?.[1];
        const children = page.locator(`[data-testid="unit-children"][data-unit-id="${id}"]`);
        await children.getByTestId('class-link').or(children.getByTestId('child-unit')).first().waitFor();
        if ((await children.getByTestId('class-link').count()) > 0) break;
        const before = page.url();
        await children.getByTestId('child-unit').first().click();
        await page.waitForURL((u) => u.href !== before);
      }
      await h.screenshot(page, '07-don-vi-truong');
      await page.locator('[data-testid="unit-children"]').getByTestId('class-link').first().click();
      await page.waitForURL(/\/lop\/\d+/);
      await page.getByRole('heading', { name: /^Lớp / }).waitFor();
      await page.locator('.ant-table-row').first().waitFor();
      await page.getByTestId('open-record').first().click();
      await page.getByTestId('record-drawer').getByRole('tab', { name: 'Lịch sử thay đổi' }).waitFor();
      await h.screenshot(page, '08-don-vi-ho-so');
    }));

  test('flow 2: download the Excel progress report', {
    skip: 'waiting for issue 6: /api/v1/stats/report.xlsx is not in openapi/openapi.json yet',
  });

  test('flow 3: a school account cannot reach another school (URL tampering)', TIMEOUT, async () => {
    await flow(async (page) => {
      await h.loginThroughUi(page, acc.school, acc.password);
      await page.waitForURL('**/lop');
      if (data.otherClass) {
        await page.goto(`/lop/${data.otherClass.id}`);
        await page.getByText('Không tìm thấy lớp học').waitFor();
        await page.getByText('không thuộc phạm vi đơn vị của tài khoản này').waitFor();
        await h.screenshot(page, '09-ngoai-pham-vi');
      }
      // The unit pages are not a school's at all.
      await page.goto(`/don-vi/${data.other.id}`);
      await page.getByText('Trang này không dành cho tài khoản của bạn').waitFor();
      // A list filtered on the other school's unit is refused by the server, and says so.
      await page.goto(`/hoc-sinh?donVi=${data.other.id}`);
      await page.getByText('Không tìm thấy dữ liệu, hoặc dữ liệu nằm ngoài phạm vi đơn vị của bạn.').waitFor();
      assert.equal(await page.locator('.ant-table-row').count(), 0);
    });
    // And the API itself answers as if the records did not exist.
    const token = await h.apiLogin(server.url, acc.school, acc.password);
    if (data.otherClass) {
      assert.equal((await h.api(server.url, token, 'GET', `/api/v1/classes/${data.otherClass.id}`)).status, 404);
    }
    assert.equal((await h.api(server.url, token, 'GET', `/api/v1/units/${data.other.id}`)).status, 404);
  });

  test('flow 3: a district officer cannot open a school of another district', TIMEOUT, async () => {
    const district = await h.apiLogin(server.url, acc.district, acc.password);
    const visible = new Set((await h.api(server.url, district, 'GET', '/api/v1/units')).body.items.map((u) => u.id));
    const department = await h.apiLogin(server.url, acc.department, acc.password);
    const outside = (await h.api(server.url, department, 'GET', '/api/v1/units?kind=school')).body.items.find((u) => !visible.has(u.id));
    assert.ok(outside, 'the data has a school outside the district');
    await flow(async (page) => {
      await h.loginThroughUi(page, acc.district, acc.password);
      await page.waitForURL('**/tong-quan');
      await page.goto(`/don-vi/${outside.id}`);
      await page.getByText('Không tìm thấy đơn vị').waitFor();
    });
  });

  test('an expired session goes back to the login page with a message', TIMEOUT, () =>
    flow(async (page) => {
      await h.loginThroughUi(page, acc.school, acc.password);
      await page.waitForURL('**/lop');
      await page.evaluate(() => {
        const key = 'dinhdanh.session';
        const session = JSON.parse(sessionStorage.getItem(key));
        sessionStorage.setItem(key, JSON.stringify({ ...session, token: 'expired.or.forged' }));
      });
      await page.goto('/hoc-sinh');
      await page.waitForURL(/\/dang-nhap\?het-han=1/);
      await page.getByText('Phiên đăng nhập đã hết hạn, hãy đăng nhập lại.').waitFor();
    }));
});
