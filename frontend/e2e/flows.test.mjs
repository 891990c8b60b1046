// End-to-end flows of the web app issue, in Debian's Chromium against the real server seeded with
// a small demo and its in-process registry simulator (see harness.mjs): (1) the clerk fixes, exports,
// imports and sends for verification; (2) the district officer's dashboard, drill-down and report;
// (3) scope: URL tampering is refused. The flows run in order on one server.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as h from './harness.mjs';

const TIMEOUT = { timeout: 180_000 };
const acc = h.ACCOUNTS;
let server;
let browser;
let tok;
let data;
const started = Date.now();

before(async () => {
  server = await h.startServer();
  tok = await h.tokens(server);
  data = await h.discover(server, tok);
  browser = await h.launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
  h.writeSummary([
    `demo: ${process.env.E2E_DEMO_STUDENTS ?? '1500'} students asked, the demo school has ${data?.students} in ${data?.classes.length} classes`,
    `server start with demo seeding: ${server?.startSeconds?.toFixed(1)} s`,
    `e2e wall time: ${((Date.now() - started) / 1000).toFixed(1)} s`,
  ]);
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

const get = async (path) => {
  const res = await h.api(server.url, tok.school, 'GET', path);
  assert.equal(res.status, 200, `GET ${path}`);
  return res.body;
};
const classStudents = async (classId) => (await get(`/api/v1/students?classId=${classId}&pageSize=200`)).items;
/** Fields of a class that carry a repair `/fixes` writes back, as "id:field". */
const repairableFields = (students) => students.flatMap((p) => [...new Set(h.repairable(p).map((f) => `${p.id}:${f.field}`))]);
/** Status tags of repairs the table shows (the residence's are never written back). */
const repairTags = (page) => page.locator('.ant-table-row [data-level="fixed"]:not([data-field="residence"])');

/** The table row whose name link reads `name` exactly as entered. */
const recordLink = (page, name) => page.getByTestId('open-record').filter({ hasText: name.trim() });

/**
 * Waits for the drawer's save to land: "Đã lưu", or first the question a verified record asks
 * ("Sửa hồ sơ đã xác thực?"), answered "Vẫn sửa" (by keyboard when asked: the dialog focuses it).
 */
async function savedThroughConfirm(page, { keyboard = false } = {}) {
  const saved = page.getByText(/Đã lưu/).first();
  const confirm = page.locator('.ant-modal-confirm').filter({ hasText: 'Sửa hồ sơ đã xác thực?' });
  await saved.or(confirm).first().waitFor({ timeout: 60_000 });
  if (await confirm.isVisible()) {
    if (keyboard) await page.keyboard.press('Enter');
    else await confirm.getByRole('button', { name: 'Vẫn sửa' }).click();
    await saved.waitFor({ timeout: 60_000 });
  }
}

async function login(page, username = acc.school) {
  await h.loginThroughUi(page, username, acc.password);
  await page.waitForURL(username === acc.school ? '**/lop' : '**/tong-quan');
}

describe('web app on the demo data', () => {
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
      await page.getByTestId('verification-jobs').waitFor();
      await page.getByTestId('import-jobs').waitFor();
      assert.equal(await page.getByTestId('feature-unavailable').count(), 0, 'every feature is on this server');
      await h.screenshot(page, '10-cong-viec');
    }));

  test('flow 1: the clerk opens a class, sees the damaged records, finds one without diacritics and fixes it inline with live validation', TIMEOUT, () =>
    flow(async (page) => {
      const { damaged, editClass } = data;
      const normalizedName = damaged.normalized.fullName;
      await login(page);
      await page.getByTestId('class-card').first().waitFor();
      // Each card says what still needs work, as links to the class's filtered list.
      await page.getByTestId('class-work').first().waitFor();
      assert.match(await page.getByTestId('class-work').first().innerText(), /lỗi chặn gửi|chưa gửi|không khớp/);
      // The school's deadline and where its pace leads, from the campaign's projection.
      const pace = page.getByTestId('school-pace');
      await pace.getByText(/^Hạn chót \d{2}\/\d{2}\/\d{4} · (còn \d+ ngày|hôm nay|đã quá \d+ ngày)$/).waitFor();
      await pace.getByText(/^Đã xác thực [\d,]+\s?% \(\d+\/\d+\)$/).waitFor();
      await h.screenshot(page, '01-lop-hoc');

      await page.locator(`a[href="/lop/${editClass.id}"]`).click();
      await page.getByRole('heading', { name: `Lớp ${editClass.name}` }).waitFor();
      await page.locator('.ant-table-row').first().waitFor();
      // A selection says its size, can grow to the whole list and be cleared.
      await page.locator('.ant-table-row .ant-checkbox-input').nth(0).check();
      await page.locator('.ant-table-row .ant-checkbox-input').nth(1).check();
      const bar = page.getByTestId('selection-bar');
      await bar.getByText('Đã chọn 2 học sinh').waitFor();
      const everyone = bar.getByRole('button', { name: /^Chọn tất cả \d+ học sinh trong danh sách$/ });
      const count = Number((await everyone.innerText()).match(/\d+/)[0]);
      await everyone.click();
      await bar.getByText(`Đã chọn ${count} học sinh`).waitFor();
      await bar.getByRole('button', { name: 'Bỏ chọn' }).click();
      await bar.waitFor({ state: 'detached' });
      // The damage shows: status tags per field, and the normalised reading under entered values.
      await repairTags(page).first().waitFor();
      assert.ok((await page.getByTestId('normalized-value').count()) > 0, 'normalised values are shown beside the entered ones');
      await h.screenshot(page, '02-hoc-sinh-cua-lop');

      // Name search without diacritics finds the record whatever its entered spelling (TCVN3, caps…).
      const search = page.getByPlaceholder('Tìm theo tên');
      await search.fill(h.withoutDiacritics(normalizedName));
      await search.press('Enter');
      await page.waitForURL(/q=/);
      const link = recordLink(page, damaged.fullName);
      await link.waitFor();
      const row = page.locator('.ant-table-row', { has: link });
      assert.match(await row.innerText(), /\*{3}/, 'the list shows the ID number masked');
      assert.match(await row.getByTestId('normalized-value').first().innerText(), new RegExp(normalizedName));

      // The drawer masks the number too; the account that may edit the record reveals it on
      // purpose ("Hiện số", recorded in the access log).
      await link.click();
      const drawer = page.getByTestId('record-drawer');
      await drawer.locator('#personalId').waitFor();
      if (damaged.personalId) {
        assert.match(await drawer.locator('#personalId').inputValue(), /\*/);
        await drawer.getByTestId('reveal-id').click();
        await drawer.getByTestId('reveal-id').waitFor({ state: 'detached' });
        assert.doesNotMatch(await drawer.locator('#personalId').inputValue(), /\*/);
      }
      // The answer to a parent who asks: the data-subject report, a PDF.
      const [report] = await Promise.all([page.waitForEvent('download'), drawer.getByTestId('personal-data-report').click()]);
      assert.match(report.suggestedFilename(), /^bao-cao-du-lieu-ca-nhan-\d+\.pdf$/);
      assert.equal((await import('node:fs')).readFileSync(await report.path()).subarray(0, 5).toString(), '%PDF-');
      // The saved record's safe repair of the name, with the value it becomes.
      await drawer.getByTestId('findings-fullName').locator('[data-severity="fixed"]').first().waitFor();
      await drawer.getByTestId('suggestion-fullName').getByText(`“${normalizedName}”`).waitFor();

      // Live validation: an impossible date is flagged as it is typed, before any save.
      const dob = drawer.locator('#dateOfBirth');
      const enteredDob = await dob.inputValue();
      await dob.fill('31/02/2015');
      await drawer.getByTestId('findings-dateOfBirth').locator('[data-code="dob_impossible"]').waitFor();
      await drawer.getByLabel('Ngày sinh: Lỗi').waitFor();
      await drawer.getByTestId('live-state').filter({ hasText: 'Đã kiểm tra' }).waitFor();
      await h.screenshot(page, '03-ho-so');

      // A field error from the server (422 with a pointer) lands on its field.
      await dob.fill(enteredDob);
      await drawer.locator('#fullName').fill('A'.repeat(300));
      await drawer.getByTestId('save-record').click();
      await drawer.getByText('Họ tên tối đa 255 ký tự.').waitFor();

      // The fix itself: take the repaired name; live validation then passes the field.
      await drawer.locator('#fullName').fill(damaged.fullName);
      await drawer.getByTestId('suggestion-fullName').getByRole('button', { name: 'Dùng giá trị này' }).click();
      assert.equal(await drawer.locator('#fullName').inputValue(), normalizedName);
      await drawer.getByLabel('Họ và tên: Đạt').waitFor();
      await drawer.getByTestId('findings-fullName').waitFor({ state: 'detached' });
      await drawer.getByTestId('save-record').click();
      await page.getByText(/Đã lưu/).first().waitFor();
      const stored = await get(`/api/v1/students/${damaged.id}`);
      assert.equal(stored.fullName, normalizedName);
      assert.equal(stored.dateOfBirth, damaged.dateOfBirth);
      assert.deepEqual(stored.findings.filter((f) => f.field === 'fullName'), []);
      // The normalised identity did not change, so neither did the version (nor a verification).
      assert.equal(stored.version, damaged.version);

      // The audit trail shows the change, old → new.
      await drawer.getByRole('tab', { name: 'Lịch sử thay đổi' }).click();
      await drawer.getByTestId('history-entry').filter({ hasText: normalizedName }).filter({ hasText: 'Sửa' }).first().waitFor();
      await h.screenshot(page, '04-lich-su-ho-so');

      // Someone else changes the date of birth meanwhile: our next save answers 409 and offers to reload.
      const [y, m, d] = damaged.normalized.dateOfBirth.split('-');
      const otherDob = `${d === '01' ? '02' : '01'}/${m}/${y}`;
      const other = await h.api(server.url, tok.school, 'PATCH', `/api/v1/students/${damaged.id}`, { dateOfBirth: otherDob, version: stored.version });
      assert.equal(other.status, 200);
      assert.ok(other.body.version > stored.version, 'a new date of birth bumps the version');
      await drawer.getByRole('tab', { name: 'Thông tin định danh' }).click();
      await drawer.locator('#gender').fill(stored.gender === 'Nam' ? 'nam' : 'nữ');
      await drawer.getByTestId('save-record').click();
      await drawer.getByTestId('save-error').getByText('Hồ sơ vừa được người khác sửa').waitFor();
      await drawer.getByRole('button', { name: 'Tải lại hồ sơ' }).click();
      await drawer.getByTestId('record-version').filter({ hasText: new RegExp(`^${other.body.version}$`) }).waitFor();
      assert.equal(await drawer.locator('#dateOfBirth').inputValue(), otherDob);
    }));

  test('flow 1: the clerk applies the safe fixes to a selection, then to the class, and undoes them', TIMEOUT, () =>
    flow(async (page) => {
      const klass = data.fixClass;
      const before = await classStudents(klass.id);
      const fields = repairableFields(before);
      const records = before.filter((p) => h.repairable(p).length > 0);
      assert.ok(records.length >= 2, 'the class has records with safe repairs');
      await login(page);
      await page.locator(`a[href="/lop/${klass.id}"]`).click();
      await page.getByRole('heading', { name: `Lớp ${klass.name}` }).waitFor();
      await repairTags(page).first().waitFor();
      assert.equal(await repairTags(page).count(), fields.length, 'one repair tag per repairable field');

      // A selection first: one record.
      const one = records[0];
      const oneRow = page.locator('.ant-table-row', { has: recordLink(page, one.fullName) });
      await oneRow.locator('.ant-checkbox-input').check();
      await page.getByTestId('apply-fixes').click();
      const confirm = page.locator('.ant-popconfirm');
      await confirm.getByText('Sửa tự động 1 hồ sơ đã chọn?').waitFor();
      await confirm.getByRole('button', { name: 'Sửa tự động' }).click();
      const result = page.getByTestId('fix-result');
      await result.filter({ hasText: 'trên 1 hồ sơ' }).waitFor();
      await page.getByTestId('undo-fixes').click();
      await result.and(page.locator('[data-state="undone"]')).waitFor();
      await oneRow.locator('.ant-checkbox-input').uncheck();

      // Then the whole class.
      await page.getByTestId('apply-fixes').click();
      await confirm.getByText('Sửa tự động cả lớp?').waitFor();
      // the confirmation says what the batch will change (its dry run), before anything is written
      await confirm.getByTestId('apply-fixes-counts').filter({ hasText: `Sẽ sửa ${fields.length} giá trị của ${records.length} hồ sơ.` }).waitFor();
      await confirm.getByRole('button', { name: 'Sửa tự động' }).click();
      await result.filter({ hasText: `Đã sửa tự động ${fields.length} trường trên ${records.length} hồ sơ.` }).waitFor();
      await repairTags(page).first().waitFor({ state: 'detached' });
      const fixed = await classStudents(klass.id);
      assert.deepEqual(repairableFields(fixed), [], 'no safe repair is left in the class');
      for (const p of records) {
        const now = fixed.find((q) => q.id === p.id);
        assert.equal(now.fullName, p.normalized.fullName ?? p.fullName, `record ${p.id}: the name is written back normalised`);
      }
      await h.screenshot(page, '05-sua-tu-dong');

      // Undo puts every repaired field back as entered.
      await page.getByTestId('undo-fixes').click();
      await result.and(page.locator('[data-state="undone"]')).filter({ hasText: `Đã hoàn tác: ${fields.length} trường` }).waitFor();
      await page.waitForFunction((n) => document.querySelectorAll('.ant-table-row [data-level="fixed"]:not([data-field="residence"])').length === n, fields.length);
      const undone = await classStudents(klass.id);
      for (const p of before) {
        const now = undone.find((q) => q.id === p.id);
        for (const key of ['fullName', 'dateOfBirth', 'gender', 'personalId']) assert.equal(now[key], p[key], `record ${p.id}: ${key} is back as entered`);
      }
      // The batch's result stays on the class page for the tab (read back from GET /fixes/{id}).
      await page.reload();
      await result.and(page.locator('[data-state="undone"]')).waitFor();
      assert.equal(await page.getByTestId('undo-fixes').count(), 0, 'an undone batch offers no second undo');
    }));

  test('the school filters its students by finding and status, and opens a staff record with its position', TIMEOUT, () =>
    flow(async (page) => {
      const code = 'dob_excel_serial';
      const total = (await get(`/api/v1/students?findingCode=${code}&pageSize=1`)).total;
      const verified = (await get('/api/v1/students?status=verified&pageSize=1')).total;
      await login(page);
      await page.getByRole('menuitem', { name: 'Học sinh' }).click();
      await page.locator('.ant-table-row').first().waitFor();
      // The finding filter is long: typed without diacritics it still finds its label.
      await page.getByLabel('Lọc theo loại lỗi').click();
      await page.keyboard.type('so excel');
      await page.getByTitle('Ngày sinh dạng số Excel (đã chuyển)').click();
      await page.waitForURL(new RegExp(`findingCode=${code}`));
      await page.getByText(`/ ${total} hồ sơ`).waitFor();
      const codes = await page.getByTestId('quality').evaluateAll((els) => els.map((e) => e.dataset.codes));
      assert.equal(codes.length, Math.min(total, 50));
      for (const c of codes) assert.match(c, new RegExp(code));
      // Filters go to the server and into the URL; a filter nothing matches says so.
      await page.getByRole('button', { name: 'Bỏ lọc' }).click();
      await h.pickOption(page, 'Lọc theo trạng thái', 'Đã xác thực', /status=verified/);
      if (verified === 0) await page.getByText('Không có hồ sơ nào khớp bộ lọc.').waitFor();
      else await page.getByText(`/ ${verified} hồ sơ`).waitFor();
      assert.equal(await page.locator('.ant-alert-error').count(), 0);

      const staff = data.staff;
      await page.getByRole('menuitem', { name: 'Cán bộ' }).click();
      // Type only once the staff page stands: typed during the switch, the search went to the
      // students page being left, and the staff list opened unfiltered.
      await page.waitForURL((url) => url.pathname.endsWith('/can-bo') && !url.search.includes('status='));
      await page.locator('.ant-table-row').first().waitFor();
      await page.getByPlaceholder('Tìm theo tên').fill(h.withoutDiacritics(staff.normalized.fullName ?? staff.fullName));
      await page.getByPlaceholder('Tìm theo tên').press('Enter');
      await page.waitForURL((url) => url.pathname.endsWith('/can-bo') && url.searchParams.has('q'));
      const link = recordLink(page, staff.fullName);
      await link.waitFor();
      assert.match(await page.locator('.ant-table-row', { has: link }).innerText(), staff.position === 'manager' ? /Cán bộ quản lý/ : /Giáo viên|Nhân viên/);
      await link.click();
      const drawer = page.getByTestId('record-drawer');
      await drawer.locator('#personalId').waitFor();
      if (staff.personalId) {
        assert.match(await drawer.locator('#personalId').inputValue(), /\*/);
        await drawer.getByTestId('reveal-id').click();
        await drawer.getByTestId('reveal-id').waitFor({ state: 'detached' });
        assert.doesNotMatch(await drawer.locator('#personalId').inputValue(), /\*/);
      }
    }));

  test('setup: the administrator opens a school account; the clerk signs in with the one-time password and must change it first', TIMEOUT, () =>
    flow(async (page) => {
      const username = 'van-thu-thu-nghiem';
      // The Department's administrator opens the account for the demo school, in the app.
      await h.loginThroughUi(page, acc.admin, acc.password);
      await page.waitForURL('**/tong-quan');
      await page.getByRole('menuitem', { name: 'Tài khoản' }).click();
      await page.getByTestId('accounts').locator('.ant-table-row').first().waitFor();
      await page.getByTestId('new-account').click();
      const dialog = page.getByRole('dialog', { name: 'Tạo tài khoản' });
      await dialog.getByLabel('Tên đăng nhập').fill('Văn Thư');
      await dialog.getByLabel('Tên hiển thị').fill('Văn thư (thử nghiệm)');
      assert.match(await dialog.getByLabel('Vai trò').locator('xpath=ancestor::div[contains(@class,"ant-select")][1]').innerText(), /Nhà trường/);
      await dialog.getByLabel('Đơn vị').click();
      await page.keyboard.type(data.me.user.unit.name);
      await page.locator('.ant-select-tree-node-content-wrapper', { hasText: data.me.user.unit.name }).first().click();
      await dialog.getByRole('button', { name: 'Tạo tài khoản' }).click();
      await dialog.getByText('Tên đăng nhập có 3–64 ký tự').waitFor();
      await dialog.getByLabel('Tên đăng nhập').fill(username);
      await dialog.getByRole('button', { name: 'Tạo tài khoản' }).click();
      const oneTime = (await page.getByTestId('one-time-password').innerText()).trim();
      assert.match(oneTime, /^\S{10,}$/, 'a one-time password is shown once');
      await page.getByRole('button', { name: 'Đã ghi lại' }).click();
      await page.getByTestId('accounts').locator('.ant-table-row', { hasText: username }).getByText('Chưa đổi mật khẩu một lần').waitFor();
      await page.getByTestId('account-menu').hover();
      await page.getByRole('menuitem', { name: 'Đăng xuất' }).click();
      await page.waitForURL('**/dang-nhap');

      // The clerk signs in with it.
      await h.loginThroughUi(page, username, oneTime);
      // Nothing but the password change until the account has its own password.
      await page.waitForURL('**/doi-mat-khau');
      await page.getByTestId('password-change-required').waitFor();
      await page.goto('/lop');
      await page.waitForURL('**/doi-mat-khau');
      await page.getByLabel('Mật khẩu một lần').fill(oneTime);
      await page.getByLabel('Mật khẩu mới', { exact: true }).fill('ngan');
      await page.getByLabel('Nhập lại mật khẩu mới').fill('ngan');
      await page.getByTestId('change-password').click();
      await page.getByText('Mật khẩu mới cần ít nhất 10 ký tự.').waitFor();
      const mine = 'Hoa-phượng-đỏ-2026';
      await page.getByLabel('Mật khẩu mới', { exact: true }).fill(mine);
      await page.getByLabel('Nhập lại mật khẩu mới').fill(mine);
      await page.getByTestId('change-password').click();
      await page.waitForURL('**/lop');
      await page.getByTestId('class-card').first().waitFor();
      // The clerk adds a class of this year; its grade comes from the name.
      await page.getByTestId('new-class').click();
      const newClass = page.getByRole('dialog', { name: /Thêm lớp/ });
      await newClass.getByLabel('Tên lớp').fill('9TN');
      assert.equal(await newClass.getByLabel('Khối').inputValue(), '9');
      await newClass.getByRole('button', { name: 'Thêm lớp' }).click();
      await page.getByText('Đã thêm lớp 9TN.').waitFor();
      await page.getByTestId('class-card').filter({ hasText: '9TN' }).waitFor();
      assert.equal(await h.apiLogin(server.url, username, oneTime), undefined, 'the one-time password is spent');
      assert.ok(await h.apiLogin(server.url, username, mine), 'the new password signs in');
    }));

  test('flow 1: export the class template, import an edited one, preview and commit', TIMEOUT, () =>
    flow(async (page) => {
      const klass = data.importClass;
      assert.ok(klass, 'the demo school has a third class for the round trip');
      const student = klass.students.find((p) => p.normalized.dateOfBirth) ?? klass.students[0];
      const year = (student.normalized.dateOfBirth ?? '2015-01-01').slice(0, 4);
      const newDob = student.dateOfBirth === `15/06/${year}` ? `16/06/${year}` : `15/06/${year}`;
      const newName = 'Nguyễn Thị Mai Anh';

      await login(page);
      await page.goto(`/lop/${klass.id}`);
      await page.locator('.ant-table-row').first().waitFor();
      // Export the class's template as the clerk does, from the class page.
      await page.getByTestId('more-actions').click();
      // The variants (all, without an ID number, unverified, with errors) are listed in the menu.
      await page.getByRole('menuitem', { name: 'Chỉ hồ sơ chưa có số định danh' }).waitFor();
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: 'Tất cả hồ sơ' }).click()]);
      assert.match(download.suggestedFilename(), /\.xlsx$/);
      const template = (await import('node:fs')).readFileSync(await download.path());
      // Edit two cells of one student's row, as in Excel.
      const edited = h.editTemplateRow(template, student.id, { C: newName, D: newDob });

      await page.getByTestId('more-actions').click();
      await page.getByRole('menuitem', { name: 'Nhập Excel đã điền' }).click();
      await page.waitForURL(/\/nhap-excel\?lop=/);
      await page.locator('input[type="file"]').setInputFiles({
        name: `lop-${klass.name}.xlsx`,
        mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        buffer: edited,
      });
      // The preview shows exactly those edits, nothing is written yet.
      const changes = page.getByTestId('import-change');
      await changes.first().waitFor();
      assert.deepEqual(
        (await changes.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim()),
        [`Họ và tên: ${student.fullName} → ${newName}`, `Ngày sinh: ${student.dateOfBirth} → ${newDob}`],
      );
      assert.equal(await page.locator('[data-action="update"]').count(), 1);
      assert.equal((await get(`/api/v1/students/${student.id}`)).fullName, student.fullName, 'the preview writes nothing');
      await h.screenshot(page, '12-nhap-excel-xem-truoc');

      const box = await page.getByTestId('import-commit').boundingBox();
      assert.ok(box && box.y + box.height <= page.viewportSize().height, 'the commit button is in view without scrolling');
      await page.getByTestId('import-commit').click();
      await page.getByText('Đã ghi dữ liệu từ tệp').first().waitFor();
      // The next step is offered: back to the class, to send it.
      await page.getByTestId('import-next').filter({ hasText: 'Sang lớp để gửi xác thực' }).waitFor();
      const after = await get(`/api/v1/students/${student.id}`);
      assert.equal(after.fullName, newName);
      assert.equal(after.dateOfBirth, newDob);
      const history = (await get(`/api/v1/students/${student.id}/history`)).items;
      assert.ok(history.some((e) => e.source === 'import' && e.field === 'fullName' && e.newValue === newName), 'the change is audited as an import');
      await h.screenshot(page, '13-nhap-excel-da-ghi');

      // The whole import can be undone while nothing else touched those fields.
      await page.getByTestId('import-undo').click();
      await page.getByText('Đã hoàn tác lượt nhập').first().waitFor();
      const undone = await get(`/api/v1/students/${student.id}`);
      assert.equal(undone.fullName, student.fullName);
      assert.equal(undone.dateOfBirth, student.dateOfBirth);
      // The jobs page lists the import, undone.
      await page.getByRole('menuitem', { name: 'Công việc' }).click();
      const listed = page.getByTestId('import-jobs').locator('.ant-table-row', { hasText: `lop-${klass.name}.xlsx` });
      await listed.getByText('Đã hoàn tác').waitFor();
    }));

  test('flow 1: an old template does not revert a record corrected in the drawer since (giữ giá trị mới hơn)', TIMEOUT, () =>
    flow(async (page) => {
      const klass = data.importClass;
      const current = await classStudents(klass.id);
      // a record the drawer saves without confirmation: not verified, with a full date of birth
      const student = current.find((p) => p.status !== 'verified' && p.normalized.dateOfBirth && p.blockingErrors === 0) ??
        current.find((p) => p.status !== 'verified' && p.normalized.dateOfBirth);
      assert.ok(student, 'the class has an unverified record with a date of birth');
      const [y, m, d] = student.normalized.dateOfBirth.split('-');
      const newer = `${d === '14' ? '13' : '14'}/${m}/${y}`;

      await login(page);
      await page.goto(`/lop/${klass.id}`);
      await page.locator('.ant-table-row').first().waitFor();
      // Monday: the clerk exports the class's template
      await page.getByTestId('more-actions').click();
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: 'Tất cả hồ sơ' }).click()]);
      const template = (await import('node:fs')).readFileSync(await download.path());
      await page.keyboard.press('Escape');

      // Tuesday: the date of birth is corrected in the record drawer
      const search = page.getByPlaceholder('Tìm theo tên');
      await search.fill(student.fullName.trim());
      await search.press('Enter');
      await page.waitForURL(/q=/);
      await recordLink(page, student.fullName).first().click();
      const drawer = page.getByTestId('record-drawer');
      await drawer.locator('#dateOfBirth').waitFor();
      await drawer.locator('#dateOfBirth').fill(newer);
      await drawer.getByTestId('save-record').click();
      await page.getByText(/Đã lưu/).first().waitFor();
      assert.equal((await get(`/api/v1/students/${student.id}`)).dateOfBirth, newer);

      // Friday: Monday's file comes back untouched; the preview says the newer value is kept
      await page.goto(`/nhap-excel?lop=${klass.id}`);
      await page.locator('input[type="file"]').setInputFiles({
        name: `lop-${klass.name}-cu.xlsx`,
        mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        buffer: template,
      });
      const stale = page.getByTestId('import-stale');
      await stale.first().waitFor();
      assert.equal(await stale.count(), 1);
      assert.equal((await stale.first().innerText()).trim(), 'giữ giá trị mới hơn');
      await page.getByTestId('import-stale-total').waitFor();

      await page.getByTestId('import-commit').click();
      await page.getByText('Đã ghi dữ liệu từ tệp').first().waitFor();
      assert.equal((await get(`/api/v1/students/${student.id}`)).dateOfBirth, newer, 'the newer value stands');
    }));

  test('flow 1: send the class for verification and watch the job finish', TIMEOUT, () =>
    flow(async (page) => {
      const klass = data.importClass;
      await login(page);
      await page.goto(`/lop/${klass.id}`);
      await page.locator('.ant-table-row').first().waitFor();
      await page.getByRole('button', { name: 'Gửi xác thực' }).click();
      // A dry run first: the clerk sees what will be sent, then confirms.
      const confirm = page.locator('.ant-modal-confirm');
      await confirm.getByText(/hồ sơ được gửi/).waitFor();
      await confirm.getByRole('button', { name: /^Gửi \d+ hồ sơ$/ }).click();
      // The clerk stays on the class, told what was sent, with the way to the job's progress.
      const sent = page.locator('.ant-notification-notice', { hasText: /Đã gửi xác thực \d+ hồ sơ/ });
      // the job is created with every item in one transaction: slower on a loaded machine
      await sent.waitFor({ timeout: 60_000 });
      assert.match(page.url(), new RegExp(`/lop/${klass.id}`));
      await sent.getByRole('button', { name: 'Xem tiến độ ở trang Công việc' }).click();
      await page.waitForURL('**/cong-viec');
      // The job appears with live progress and finishes against the registry simulator.
      const jobs = page.getByTestId('verification-jobs');
      await jobs.locator('[data-job-status]').first().waitFor();
      await jobs.locator('[data-job-status="done"]').first().waitFor({ timeout: 60_000 });
      const list = await get('/api/v1/verification-jobs');
      const job = list.items.find((j) => j.scope.classId === klass.id);
      assert.ok(job, 'the class job is listed');
      const t = job.totals;
      assert.equal(t.queued, 0);
      assert.equal(t.verified + t.mismatched + t.notFound + t.invalid + t.error + t.changed + t.skipped + t.cancelled, job.total);
      assert.ok(t.verified > 0, 'clean records are verified');
      await h.screenshot(page, '14-cong-viec-xac-thuc');
      // Each total links to its records; one opens in its class.
      const row = jobs.locator(`tr[data-row-key="${job.id}"]`);
      await row.getByTestId('job-total-verified').click();
      const records = page.getByTestId('job-records');
      await records.locator('.ant-table-row').first().waitFor();
      const listed = await get(`/api/v1/verification-jobs/${job.id}/items?outcome=verified&pageSize=20`);
      assert.equal(listed.total, t.verified);
      assert.equal(await records.locator('.ant-table-row').count(), Math.min(20, t.verified));
      const first = listed.items[0];
      await records.getByTestId('job-record-link').first().click();
      await page.waitForURL(new RegExp(`/lop/${klass.id}\\?record=${first.personId}`));
      await page.getByTestId('record-drawer').getByTestId('record-version').waitFor();
      await page.goto('/cong-viec');
      await jobs.locator('[data-job-status="done"]').first().waitFor();

      // The rest of the school, then a mismatched record: our values beside the registry's,
      // and "accept" copies the registry's in and sends the record again.
      const res = await h.api(server.url, tok.school, 'POST', '/api/v1/verification-jobs', { kind: 'student' });
      assert.equal(res.status, 202);
      for (let i = 0; i < 120; i++) {
        const j = await get(`/api/v1/verification-jobs/${res.body.id}`);
        if (j.status === 'done') break;
        await new Promise((r) => setTimeout(r, 500));
      }
      const mismatched = (await get('/api/v1/students?status=mismatched&pageSize=200')).items;
      const full = [];
      for (const p of mismatched) full.push(await get(`/api/v1/students/${p.id}`));
      const target = full.find((p) => p.registryValues && p.classId);
      assert.ok(target, 'the demo school has a mismatched record with the registry values');
      await page.goto(`/lop/${target.classId}`);
      await page.getByPlaceholder('Tìm theo tên').fill(h.withoutDiacritics(target.normalized.fullName ?? target.fullName));
      await page.getByPlaceholder('Tìm theo tên').press('Enter');
      // From the keyboard: the name is a real link; a mismatched record opens on the comparison.
      await recordLink(page, target.fullName).first().focus();
      await page.keyboard.press('Enter');
      const drawer = page.getByTestId('record-drawer');
      await drawer.getByTestId('registry-comparison').waitFor();
      assert.equal(await drawer.getByRole('tab', { name: 'Xác thực' }).getAttribute('aria-selected'), 'true');
      await drawer.getByTestId('verification-history').locator('.ant-table-row').first().waitFor();
      await h.screenshot(page, '15-doi-chieu-csdlqg');
      await drawer.getByTestId('accept-registry-values').click();
      await page.getByText('Đã nhận giá trị của CSDLQG và gửi xác thực lại.').waitFor();
      const history = (await get(`/api/v1/students/${target.id}/history`)).items;
      assert.ok(history.some((e) => e.source === 'registry'), 'the accepted values are audited with source registry');
      // The panel follows the answer by itself: no "Đang xác thực" above a "Khớp" below.
      await drawer.getByTestId('registry-status').filter({ hasText: 'Đã xác thực' }).waitFor({ timeout: 30_000 });
      for (let i = 0; i < 60; i++) {
        if ((await get(`/api/v1/students/${target.id}`)).status === 'verified') break;
        await new Promise((r) => setTimeout(r, 500));
      }
      assert.equal((await get(`/api/v1/students/${target.id}`)).status, 'verified', 'sent again with the registry values, it is verified');

      // Another mismatched record waits for the family's papers: the class's slips open as a
      // print preview named by the class, one slip per page with its return stub.
      const waiting = full.find((p) => p.id !== target.id && p.classId);
      if (waiting) {
        const marked = await h.api(server.url, tok.school, 'POST', `/api/v1/students/${waiting.id}/awaiting-evidence`, {});
        assert.equal(marked.status, 200);
        const klass = data.classes.find((c) => c.id === waiting.classId);
        await page.goto(`/lop/${waiting.classId}`);
        await page.locator('.ant-table-row').first().waitFor();
        await page.getByTestId('more-actions').click();
        const [preview] = await Promise.all([
          page.context().waitForEvent('page'),
          page.getByRole('menuitem', { name: /Phiếu khổ A5/ }).click(),
        ]);
        await preview.waitForFunction(() => document.title.startsWith('Phiếu bổ sung giấy tờ'));
        assert.equal(await preview.title(), `Phiếu bổ sung giấy tờ — ${klass?.name}`);
        await preview.getByText('PHIẾU HỒI ÂM').first().waitFor();
        await preview.close();
      }
    }));

  test('flow 2: the district officer sees the record counts and drills down unit → school → class → record', TIMEOUT, () =>
    flow(async (page) => {
      await login(page, acc.district);
      await page.locator('.ant-statistic', { hasText: 'Hồ sơ học sinh' }).waitFor();
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
        const previous = page.url();
        await children.getByTestId('child-unit').first().click();
        await page.waitForURL((u) => u.href !== previous);
      }
      await h.screenshot(page, '07-don-vi-truong');
      await page.locator('[data-testid="unit-children"]').getByTestId('class-link').first().click();
      await page.waitForURL(/\/lop\/\d+/);
      await page.getByRole('heading', { name: /^Lớp / }).waitFor();
      await page.locator('.ant-table-row').first().waitFor();
      // An office reads; it does not repair.
      assert.equal(await page.getByTestId('apply-fixes').count(), 0);
      await page.getByTestId('open-record').first().click();
      await page.getByTestId('record-drawer').getByRole('tab', { name: 'Lịch sử thay đổi' }).waitFor();
      await h.screenshot(page, '08-don-vi-ho-so');
    }));

  test('flow 2: the dashboard (KPI cards with the deadline, shares per unit, timeline, failure reasons, laggards)', TIMEOUT, () =>
    flow(async (page) => {
      const districtGet = async (path) => {
        const res = await h.api(server.url, tok.district, 'GET', path);
        assert.equal(res.status, 200, `GET ${path}`);
        return res.body;
      };
      const unitId = (await districtGet('/api/v1/me')).user.unit.id;
      const progress = await districtGet(`/api/v1/stats/progress?unitId=${unitId}&population=students`);
      const reasons = await districtGet(`/api/v1/stats/reasons?unitId=${unitId}&population=students`);
      const laggards = await districtGet(`/api/v1/stats/laggards?unitId=${unitId}&population=students&limit=10`);
      assert.ok(progress.counters.total > 0, 'the district holds students');
      assert.ok(progress.campaign, 'the demo seeds a campaign with a deadline');

      await login(page, acc.district);
      // KPI cards: the share with an ID number as the server counts it, and the deadline countdown.
      const withId = Math.round((progress.counters.withPersonalId / progress.counters.total) * 1000) / 10;
      const kpi = page.locator('.ant-statistic', { hasText: 'Có số định danh' });
      await kpi.waitFor();
      assert.match((await kpi.innerText()).replace(/\s+/g, ' '), new RegExp(String(withId).replace('.', '[.,]')));
      await page.locator('.ant-statistic', { hasText: 'Hạn chót' }).getByText(/Còn \d+ ngày/).waitFor();
      // The shares chart and the timeline are drawn (canvas), one bar group per child unit.
      await page.getByTestId('echart').first().locator('canvas').waitFor();
      assert.ok(progress.children.length > 0);
      // Failure reasons: the biggest one with the server's count.
      const top = [...reasons.findingCodes, ...reasons.mismatchFields].sort((a, b) => b.count - a.count)[0];
      assert.ok(top, 'the damaged demo data has failure reasons');
      const reasonsCard = page.locator('.ant-card', { hasText: 'Lý do chưa đạt' });
      await reasonsCard.getByText(top.label).first().waitFor();
      // Laggards with what each must fix, and the unit to call.
      const laggardCard = page.locator('.ant-card', { hasText: 'Đơn vị chậm tiến độ' });
      assert.ok(laggards.items.length > 0, 'the demo has laggards');
      const first = laggards.items[0];
      await laggardCard.getByText(first.unit.name, { exact: true }).waitFor();
      await h.screenshot(page, '11-tong-quan-thong-ke');
      // Drill down from the laggard list to the school.
      await laggardCard.getByText(first.unit.name, { exact: true }).click();
      await page.waitForURL(new RegExp(first.unit.kind === 'class' ? `/lop/${first.unit.id}` : `/don-vi/${first.unit.id}`));
      await page.getByText(first.unit.name).first().waitFor();
    }));

  test('flow 2: download the Excel progress report', TIMEOUT, () =>
    flow(async (page) => {
      await login(page, acc.district);
      const button = page.getByRole('button', { name: 'Tải báo cáo Excel' });
      await button.waitFor();
      const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
      assert.match(download.suggestedFilename(), /\.xlsx$/);
      const path = await download.path();
      const bytes = (await import('node:fs')).readFileSync(path);
      assert.ok(bytes.length > 2000, `the report has content (${bytes.length} bytes)`);
      assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', 'the report is an xlsx (zip) file');

      // The per-unit table: one row per child unit, sorted by projected finish (latest first),
      // exported as it is, and the worst unit opened from it.
      const table = page.getByTestId('unit-progress-table');
      await table.locator('.ant-table-row').first().waitFor();
      const progress = (await h.api(server.url, tok.district, 'GET', '/api/v1/stats/progress?population=students')).body;
      assert.equal(await table.locator('.ant-table-row').count(), Math.min(progress.children.length, 30));
      const finish = table.locator('th', { hasText: 'Dự kiến hoàn thành' });
      await finish.click();
      await finish.click();
      await table.locator('th[aria-sort="descending"]', { hasText: 'Dự kiến hoàn thành' }).waitFor();
      const [exported] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Xuất Excel bảng này' }).click()]);
      assert.match(exported.suggestedFilename(), /\.xlsx$/);
      const worst = table.locator('.ant-table-row').first().getByTestId('unit-progress-link');
      const href = await worst.getAttribute('href');
      await worst.click();
      await page.waitForURL((u) => u.pathname === href);
      // …down to the worst school's class (a district office may group its schools further).
      const children = page.locator('[data-testid="unit-children"]');
      for (let depth = 0; depth < 4; depth++) {
        await children.getByTestId('class-link').or(children.getByTestId('child-unit')).first().waitFor();
        if ((await children.getByTestId('class-link').count()) > 0) break;
        await children.getByTestId('child-unit').first().click();
      }
      await children.getByTestId('class-link').first().click();
      await page.waitForURL(/\/lop\/\d+/);
      await page.locator('.ant-table-row').first().waitFor();

      // The class's list as the district sees it, exported to Excel: masked numbers, in the access log.
      const [list] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-list').click()]);
      assert.equal(list.suggestedFilename(), 'danh-sach-hoc-sinh.xlsx');
      const listBytes = (await import('node:fs')).readFileSync(await list.path());
      assert.equal(listBytes.subarray(0, 2).toString('latin1'), 'PK', 'the list is an xlsx (zip) file');
      const log = (await h.api(server.url, tok.department, 'GET', '/api/v1/access-log?pageSize=20')).body.items;
      assert.ok(log.some((e) => e.action === 'export' && e.username === acc.district && e.detail.startsWith('list: student')), 'the export is in the access log');
    }));

  test('flow 3: a school account cannot reach another school (URL tampering)', TIMEOUT, async () => {
    assert.ok(data.otherClass, 'the other school has a class');
    await flow(async (page) => {
      await login(page);
      await page.goto(`/lop/${data.otherClass.id}`);
      await page.getByText('Không tìm thấy lớp học').waitFor();
      await page.getByText('không thuộc phạm vi đơn vị của tài khoản này').waitFor();
      await h.screenshot(page, '09-ngoai-pham-vi');
      // The unit pages are not a school's at all.
      await page.goto(`/don-vi/${data.other.id}`);
      await page.getByText('Trang này không dành cho tài khoản của bạn').waitFor();
      // A list filtered on the other school's unit is refused by the server, and says so.
      await page.goto(`/hoc-sinh?donVi=${data.other.id}`);
      await page.getByText('Không tìm thấy dữ liệu, hoặc dữ liệu nằm ngoài phạm vi đơn vị của bạn.').waitFor();
      assert.equal(await page.locator('.ant-table-row').count(), 0);
    });
    // And the API itself answers as if the records did not exist.
    assert.equal((await h.api(server.url, tok.school, 'GET', `/api/v1/classes/${data.otherClass.id}`)).status, 404);
    assert.equal((await h.api(server.url, tok.school, 'GET', `/api/v1/units/${data.other.id}`)).status, 404);
    const fix = await h.api(server.url, tok.school, 'POST', '/api/v1/fixes', { classId: data.otherClass.id });
    assert.equal(fix.status, 404, 'nor can it repair another school\'s class');
  });

  test('flow 3: a district officer cannot open a school of another district', TIMEOUT, async () => {
    const visible = new Set((await h.api(server.url, tok.district, 'GET', '/api/v1/units')).body.items.map((u) => u.id));
    const outside = (await h.api(server.url, tok.department, 'GET', '/api/v1/units?kind=school')).body.items.find((u) => !visible.has(u.id));
    assert.ok(outside, 'the demo has a school outside the district');
    await flow(async (page) => {
      await login(page, acc.district);
      await page.goto(`/don-vi/${outside.id}`);
      await page.getByText('Không tìm thấy đơn vị').waitFor();
    });
  });

  test('setup: the Department administrator loads a unit list in the browser, previews it and sees the new schools', TIMEOUT, () =>
    flow(async (page) => {
      const office = 'Phòng GDĐT thử nghiệm E2E';
      const schools = ['Trường THCS Thử Nghiệm Một', 'Trường Tiểu học Thử Nghiệm Hai'];
      const file = h.writeXlsx('Danh sách', [
        ['SỞ GIÁO DỤC VÀ ĐÀO TẠO HẢI PHÒNG'],
        ['DANH SÁCH ĐƠN VỊ'],
        [],
        ['STT', 'Mã trường', 'Tên trường', 'Cấp học', 'Đơn vị quản lý', 'Địa chỉ', 'Điện thoại'],
        ['1', 'PGD-E2E', office, '', '', 'Hải Phòng', '0225 3000 000'],
        ['2', '31999001', schools[0], 'THCS', 'PGD-E2E', 'Hải Phòng', '0225 3000 001'],
        ['3', '31999002', schools[1], 'Tiểu học', 'PGD-E2E', 'Hải Phòng', '0225 3000 002'],
        ['4', '31999003', 'Trường THPT Không Có Phòng', 'THPT', 'PGD-KHONG-CO', 'Hải Phòng', ''],
      ]);
      await h.loginThroughUi(page, acc.admin, acc.password);
      await page.waitForURL('**/tong-quan');
      await page.getByRole('menuitem', { name: 'Nạp danh sách đơn vị' }).click();
      await page.waitForURL('**/nap-danh-sach-don-vi');
      await page.getByTestId('unit-list-upload').waitFor();
      await page.getByTestId('unit-list-upload').locator('input[type=file]').setInputFiles({
        name: 'danh-sach-don-vi.xlsx',
        mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        buffer: file,
      });
      const preview = page.locator('[data-testid="unit-import"][data-status="preview"]');
      await preview.waitFor();
      assert.equal((await page.getByTestId('unit-count-create').innerText()).trim(), 'Tạo mới: 3');
      assert.equal((await page.getByTestId('unit-count-rejected').innerText()).trim(), 'Bị từ chối: 1');
      // the rejected line comes first, with its reason
      await preview.getByText('Không tìm thấy đơn vị quản lý có mã PGD-KHONG-CO.').waitFor();
      await page.getByTestId('unit-import-commit').click();
      await page.locator('[data-testid="unit-import"][data-status="committed"]').waitFor();
      await page.getByRole('button', { name: 'Xem cây đơn vị' }).click();
      await page.waitForURL(/\/don-vi\/\d+$/);
      await page.getByTestId('child-unit').filter({ hasText: office }).click();
      await page.waitForURL((url) => /\/don-vi\/\d+$/.test(url.pathname));
      await page.getByRole('heading', { name: office }).waitFor();
      for (const name of schools) await page.getByTestId('child-unit').filter({ hasText: name }).waitFor();
    }));

  test('the unit list import is only in the Department administrator\'s menu', TIMEOUT, () =>
    flow(async (page) => {
      await login(page, acc.department);
      await page.getByRole('menuitem', { name: 'Tổng quan' }).waitFor();
      assert.equal(await page.getByRole('menuitem', { name: 'Nạp danh sách đơn vị' }).count(), 0);
      await page.goto('/nap-danh-sach-don-vi');
      await page.getByText('Trang này không dành cho tài khoản của bạn').waitFor();
      assert.equal(await page.getByTestId('unit-list-upload').count(), 0);
    }));

  test('an expired session goes back to the login page with a message', TIMEOUT, () =>
    flow(async (page) => {
      await login(page);
      // The token is swapped as the next page loads, not on the open page: a call the open page
      // makes meanwhile would end the session there, before the page under test is loaded.
      await page.addInitScript(() => {
        const key = 'dinhdanh.session';
        const raw = localStorage.getItem(key);
        if (!raw || location.pathname !== '/hoc-sinh') return;
        localStorage.setItem(key, JSON.stringify({ ...JSON.parse(raw), token: 'expired.or.forged' }));
      });
      await page.goto('/hoc-sinh');
      await page.waitForURL(/\/dang-nhap\?het-han=1/);
      await page.getByText('Phiên đăng nhập đã hết hạn, hãy đăng nhập lại.').waitFor();
    }));

  test('privacy: a clerk reveals a number; the Department’s administrator finds it in Nhật ký truy cập and on the record', TIMEOUT, () =>
    flow(async (page) => {
      const p = (await classStudents(data.classes[0].id)).find((s) => s.personalId);
      assert.ok(p, 'a student with an ID number');
      const revealed = await h.api(server.url, tok.school, 'POST', `/api/v1/students/${p.id}/reveal`, { fields: ['personalId'] });
      assert.equal(revealed.status, 200);
      assert.doesNotMatch(revealed.body.personalId, /\*/);
      await h.loginThroughUi(page, acc.admin, acc.password);
      await page.waitForURL('**/tong-quan');
      await page.getByRole('menuitem', { name: 'Nhật ký truy cập' }).click();
      await page.waitForURL('**/nhat-ky-truy-cap');
      await page.getByRole('heading', { name: 'Nhật ký truy cập', level: 3 }).waitFor();
      await page.getByLabel('Mã hồ sơ').fill(String(p.id));
      await page.getByTestId('access-log-filter').click();
      const row = page.getByTestId('access-log-table').locator('.ant-table-row').filter({ hasText: acc.school });
      await row.filter({ hasText: 'Xem số định danh đầy đủ' }).first().waitFor();
      assert.doesNotMatch(await page.getByTestId('access-log-table').innerText(), new RegExp(revealed.body.personalId));
      // the record's own tab says the same
      await page.goto(`/hoc-sinh?record=${p.id}`);
      await page.getByTestId('record-version').waitFor();
      await page.getByRole('tab', { name: 'Ai đã xem hồ sơ này' }).click();
      await page.getByTestId('record-drawer').getByTestId('access-log-table').locator('.ant-table-row').filter({ hasText: acc.school }).first().waitFor();
    }));

  test('units: the Department administrator adds a school under a district office and edits its phone; the district administrator edits its contacts, not its name or code', TIMEOUT, () =>
    flow(async (page) => {
      const office = (await h.api(server.url, tok.district, 'GET', '/api/v1/me')).body.user.unit;
      const school = { code: '31777001', name: 'Trường THCS Thử Nghiệm Đơn Vị' };
      // an Ant Design select with search: type, wait for the one option left, Enter takes it
      const choose = async (select, text) => {
        await select.click();
        await select.fill(text);
        await page.locator('.ant-select-dropdown:visible .ant-select-item-option-active').filter({ hasText: text }).waitFor();
        await select.press('Enter');
      };
      await h.loginThroughUi(page, acc.admin, acc.password);
      await page.waitForURL('**/tong-quan');
      await page.getByRole('menuitem', { name: 'Quản lý đơn vị' }).click();
      await page.waitForURL('**/quan-ly-don-vi');
      await page.getByTestId('unit-admin-name').first().waitFor();
      await page.getByTestId('new-unit').click();
      const dialog = page.getByRole('dialog', { name: 'Thêm đơn vị' });
      await dialog.getByLabel('Mã đơn vị').fill(school.code);
      await dialog.getByLabel('Tên đơn vị').fill(school.name);
      await choose(dialog.getByLabel('Cấp học'), 'THCS');
      await choose(dialog.getByLabel('Đơn vị quản lý'), office.name);
      await choose(dialog.getByLabel('Xã/phường'), 'Gia Viên');
      await dialog.getByLabel('Điện thoại').fill('0225 3777 001');
      await dialog.getByLabel('Hiệu trưởng').fill('Phạm Văn Thử');
      await dialog.getByRole('button', { name: 'Thêm đơn vị' }).click();
      await page.getByText(`Đã thêm ${school.name}.`).waitFor();
      // found again without diacritics, under its office
      await page.getByLabel('Tìm đơn vị').fill(h.withoutDiacritics(school.name));
      const row = page.getByTestId('unit-admin-table').locator('.ant-table-row').filter({ hasText: school.code });
      await row.waitFor();
      await page.getByTestId('unit-admin-table').locator('.ant-table-row').filter({ hasText: office.name }).waitFor();
      // a second school with the same code: the API's refusal, as it words it
      await page.getByTestId('new-unit').click();
      await dialog.getByLabel('Mã đơn vị').fill(school.code);
      await dialog.getByLabel('Tên đơn vị').fill('Trường trùng mã');
      await choose(dialog.getByLabel('Cấp học'), 'THCS');
      await dialog.getByRole('button', { name: 'Thêm đơn vị' }).click();
      await dialog.getByText(`Mã ${school.code} đã có.`).waitFor();
      await dialog.getByRole('button', { name: 'Huỷ' }).click();
      // its phone changes
      await row.getByTestId('edit-unit').click();
      const edit = page.getByRole('dialog', { name: `Sửa đơn vị: ${school.name}` });
      assert.equal(await edit.getByLabel('Mã đơn vị').getAttribute('readonly'), '', 'the code is fixed once created');
      // the stored commune by its name
      await edit.getByText(/^Phường Gia Viên \(\d{5}\)$/).waitFor();
      await edit.getByLabel('Điện thoại').fill('0225 3777 999');
      await edit.getByRole('button', { name: 'Lưu' }).click();
      await page.getByText(`Đã lưu ${school.name}.`).waitFor();
      await row.getByTestId('unit-contacts').filter({ hasText: '0225 3777 999' }).waitFor();
      const created = (await h.api(server.url, tok.admin, 'GET', `/api/v1/units?parentId=${office.id}`)).body.items.find((u) => u.code === school.code);
      assert.equal(created?.phone, '0225 3777 999');
      assert.match(created?.communeCode ?? '', /^\d{5}$/, 'the commune is a post-2025 code');

      // the office's administrator, with an account of its own
      const username = 'quan-tri-phong-e2e';
      const issued = await h.api(server.url, tok.admin, 'POST', '/api/v1/users', { username, role: 'district_admin', unitId: office.id, displayName: 'Quản trị Phòng (thử nghiệm)' });
      assert.equal(issued.status, 201, JSON.stringify(issued.body));
      const mine = 'Cay-bang-la-do-2026';
      const first = await h.apiLogin(server.url, username, issued.body.oneTimePassword);
      const changed = await h.api(server.url, first, 'POST', '/api/v1/auth/password', { currentPassword: issued.body.oneTimePassword, newPassword: mine });
      assert.equal(changed.status < 300, true, JSON.stringify(changed.body));
      await page.evaluate(() => localStorage.clear());
      await h.loginThroughUi(page, username, mine);
      await page.waitForURL('**/tong-quan');
      assert.equal(await page.getByRole('menuitem', { name: 'Nạp danh sách đơn vị' }).count(), 0);
      await page.getByRole('menuitem', { name: 'Quản lý đơn vị' }).click();
      await page.waitForURL('**/quan-ly-don-vi');
      assert.equal(await page.getByTestId('new-unit').count(), 0, 'a district office adds no unit');
      await page.getByLabel('Tìm đơn vị').fill(school.code);
      await row.getByTestId('edit-unit').click();
      await edit.getByTestId('contacts-only').waitFor();
      for (const label of ['Mã đơn vị', 'Tên đơn vị']) assert.equal(await edit.getByLabel(label).getAttribute('readonly'), '', `${label} is read-only`);
      assert.equal(await edit.getByTestId('unit-closed').count(), 0, 'no closing');
      await edit.getByLabel('Địa chỉ').fill('Số 5 Lạch Tray, Hải Phòng');
      await edit.getByLabel('Thư điện tử').fill('thcs-thu-nghiem@haiphong.edu.vn');
      await edit.getByRole('button', { name: 'Lưu' }).click();
      await page.getByText(`Đã lưu ${school.name}.`).waitFor();
      const districtAdmin = await h.apiLogin(server.url, username, mine);
      const after = (await h.api(server.url, districtAdmin, 'GET', `/api/v1/units/${created.id}`)).body;
      assert.deepEqual([after.name, after.address, after.email], [school.name, 'Số 5 Lạch Tray, Hải Phòng', 'thcs-thu-nghiem@haiphong.edu.vn']);
      // and the API refuses a rename from it, whatever the screen offers
      const renamed = await h.api(server.url, districtAdmin, 'PATCH', `/api/v1/units/${created.id}`, { name: 'Đổi tên' });
      assert.equal(renamed.status, 403, JSON.stringify(renamed.body));
      // its own office's row has no edit button
      await page.getByLabel('Tìm đơn vị').fill(h.withoutDiacritics(office.name));
      await page.getByTestId('unit-admin-table').locator('.ant-table-row').filter({ hasText: office.code }).waitFor();
      assert.equal(await page.getByTestId('unit-admin-table').locator('.ant-table-row').filter({ hasText: office.code }).getByTestId('edit-unit').count(), 0);
    }));

  test('accessibility: axe-core finds no serious or critical violation on any page, at 1366×768 and 390×844', TIMEOUT, () =>
    flow(async (page) => {
      const found = [];
      const check = async (label) => {
        const at = `${label} @${page.viewportSize().width}px`;
        for (const line of await h.axeViolations(page)) found.push(`${at}: ${line}`);
        // usable at the size: the page never scrolls sideways (wide tables scroll inside themselves)
        // and the header's items do not overlap
        const layout = await page.evaluate(() => {
          const overflow = document.documentElement.scrollWidth - window.innerWidth;
          const header = document.querySelector('.ant-layout-header');
          const boxes = header ? [...header.querySelectorAll('[data-testid="unit-name"], .ant-tag, [data-testid="account-menu"]')].map((e) => e.getBoundingClientRect()) : [];
          const overlaps = boxes.some((a, i) => boxes.slice(i + 1).some((b) => a.width > 0 && b.width > 0 && a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1));
          return { overflow, overlaps };
        });
        if (layout.overflow > 0) found.push(`${at}: the page scrolls sideways by ${layout.overflow}px`);
        if (layout.overlaps) found.push(`${at}: header items overlap`);
      };
      const visit = async (path, ready, label = path) => {
        await page.goto(path);
        await ready();
        await check(label);
      };
      const heading = (name) => () => page.getByRole('heading', { name, level: 3 }).waitFor();
      const klass = data.classes[0];
      for (const size of [h.VIEWPORT, h.PHONE]) {
        await page.setViewportSize(size);
        await visit('/dang-nhap', () => page.getByRole('button', { name: 'Đăng nhập' }).waitFor());
        await login(page);
        await visit('/lop', heading('Lớp học'));
        await visit(`/lop/${klass.id}`, () => page.getByTestId('open-record').first().waitFor(), '/lop/:id');
        await visit('/hoc-sinh', () => page.getByTestId('open-record').first().waitFor());
        await page.getByTestId('open-record').first().click();
        await page.locator('.ant-drawer-open').waitFor();
        await page.waitForURL(/record=/);
        await page.getByTestId('record-version').waitFor();
        await check('/hoc-sinh?record (the record drawer)');
        await visit('/can-bo', () => page.getByTestId('open-record').first().waitFor());
        await visit('/cong-viec', heading('Công việc'));
        await visit('/chuyen-di', heading('Hồ sơ đã chuyển đi'));
        await visit('/len-lop', heading('Lên lớp năm học mới'));
        // the preview answers a plan, or (before 1 June) the API's Vietnamese refusal
        await page.getByTestId('rollover-preview').click();
        await page.locator('[data-testid="rollover-plan"], [data-testid="rollover-error"]').first().waitFor();
        await page.mouse.move(0, 0); // not the hovered button's colour
        await check('/len-lop (after Xem trước)');
        await visit('/nhap-excel', () => page.locator('h3').first().waitFor());
        await visit('/doi-mat-khau', () => page.getByRole('button').first().waitFor());
        await page.evaluate(() => localStorage.clear());
        // the read-only record panel, as a district officer reads it
        await login(page, acc.district);
        await visit(`/lop/${klass.id}`, () => page.getByTestId('open-record').first().waitFor(), '/lop/:id (district)');
        await page.getByTestId('open-record').first().click();
        await page.getByTestId('record-drawer').getByTestId('record-version').waitFor();
        await check('the read-only record drawer (district)');
        await visit('/len-lop', heading('Lên lớp năm học mới'), '/len-lop (district)');
        await page.evaluate(() => localStorage.clear());
        await login(page, acc.admin);
        await visit('/tong-quan', () => page.locator('canvas').first().waitFor());
        await visit('/don-vi', () => page.locator('.ant-table-row').first().waitFor());
        await visit('/tai-khoan', heading('Tài khoản'));
        await visit('/nap-danh-sach-don-vi', heading('Nạp danh sách đơn vị'));
        await visit('/quan-ly-don-vi', () => page.getByTestId('unit-admin-name').first().waitFor());
        await page.getByTestId('edit-unit').nth(1).click();
        await page.getByRole('dialog').getByLabel('Tên đơn vị').waitFor();
        await check('/quan-ly-don-vi (Sửa đơn vị)');
        await page.getByRole('dialog').getByRole('button', { name: 'Huỷ' }).click();
        await visit('/nhat-ky-truy-cap', heading('Nhật ký truy cập'));
        await page.evaluate(() => localStorage.clear());
      }
      assert.deepEqual(found, [], `axe-core violations:\n${found.join('\n')}`);
    }));

  test('keyboard only: open a record from a class list, edit its date of birth, save; focus always visible', TIMEOUT, () =>
    flow(async (page) => {
      // a record with no blocking error and a date of birth, not waiting in a job (a verified
      // one asks first, answered from the keyboard)
      let klass;
      let target;
      for (const c of [...data.classes].reverse()) {
        target = (await get(`/api/v1/students?classId=${c.id}&pageSize=200`)).items.find(
          (p) => p.quality.errors === 0 && p.status !== 'queued' && p.normalized?.dateOfBirth && p.fullName?.trim(),
        );
        if (target) {
          klass = c;
          break;
        }
      }
      assert.ok(target, 'the demo school has a clean record');
      await login(page);
      await page.goto(`/lop/${klass.id}?q=${encodeURIComponent(target.fullName.trim())}`);
      await page.getByTestId('open-record').first().waitFor();
      const focused = () =>
        page.evaluate(() => {
          const el = document.activeElement;
          const style = el ? getComputedStyle(el) : undefined;
          return {
            testid: el?.getAttribute('data-testid') ?? '',
            id: el?.id ?? '',
            text: el?.textContent?.trim().slice(0, 80) ?? '',
            href: el?.getAttribute('href') ?? '',
            visible: !!style && ((style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none'),
          };
        });
      /** Presses Tab until `want` holds for the focused element (at most `limit` times). */
      const tabTo = async (want, what, limit = 80) => {
        for (let i = 0; i < limit; i++) {
          await page.keyboard.press('Tab');
          const f = await focused();
          if (want(f)) return f;
        }
        throw new Error(`Tab never reached ${what}`);
      };
      const link = await tabTo((f) => f.testid === 'open-record', 'a record link');
      assert.ok(link.visible, `the focused record link shows no focus ring: ${JSON.stringify(link)}`);
      const id = Number(new URL(link.href, server.url).searchParams.get('record'));
      assert.equal(id, target.id, 'the search leaves the chosen record first');
      const before = await get(`/api/v1/students/${id}`);
      await page.keyboard.press('Enter');
      await page.waitForURL(new RegExp(`record=${id}`));
      const drawer = page.getByTestId('record-drawer');
      await drawer.getByTestId('record-version').waitFor();
      await tabTo((f) => f.id === 'dateOfBirth', 'the date of birth');
      const [y, m, d] = (before.normalized?.dateOfBirth ?? '2013-05-14').split('-');
      const next = `${d === '11' ? '12' : '11'}/${m}/${y}`;
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.type(next);
      await drawer.getByTestId('live-state').filter({ hasText: 'Đã kiểm tra' }).waitFor();
      const save = await tabTo((f) => f.testid === 'save-record', 'the save button');
      assert.ok(save.visible, 'the focused save button shows no focus ring');
      await page.keyboard.press('Enter');
      await savedThroughConfirm(page, { keyboard: true });
      const after = await get(`/api/v1/students/${id}`);
      assert.equal(after.dateOfBirth, next);
      assert.ok(after.version > before.version, 'the new date of birth is a new version');
    }));

  test('a split commune: the clerk picks one of its new communes instead of typing it, and the warning goes', TIMEOUT, () =>
    flow(async (page) => {
      const split = (await get('/api/v1/students?findingCode=address_split_unit&pageSize=50')).items.find((p) => p.classId);
      assert.ok(split, 'the demo school has students whose old commune was split');
      const candidates = split.normalized.residence.splitCandidates;
      assert.ok(candidates.length > 1);
      const pick = candidates.find((c) => c.communeCode !== split.normalized.residence.post2025?.communeCode) ?? candidates[0];
      await login(page);
      await page.goto(`/lop/${split.classId}?record=${split.id}`);
      const drawer = page.getByTestId('record-drawer');
      await drawer.getByTestId('record-version').waitFor();
      const choices = drawer.getByTestId('residence-choices');
      await choices.getByText('Xã/phường cũ đã chia cho nhiều xã mới').waitFor();
      assert.equal(await choices.getByTestId('residence-choice').count(), candidates.length, 'exactly its candidates');
      await choices.getByRole('button', { name: new RegExp(`^${pick.communeName}, ${pick.provinceName}`) }).click();
      assert.equal(await drawer.locator('#residence_commune').inputValue(), pick.communeName);
      assert.equal(await drawer.locator('#residence_district').inputValue(), '');
      await drawer.getByTestId('live-state').filter({ hasText: 'Đã kiểm tra' }).waitFor();
      await drawer.getByTestId('residence-choices').waitFor({ state: 'detached' });
      await drawer.getByTestId('save-record').click();
      await savedThroughConfirm(page);
      const after = await get(`/api/v1/students/${split.id}`);
      assert.equal(after.normalized.residence.scheme, 'post2025');
      assert.equal(after.normalized.residence.communeCode, pick.communeCode);
      assert.deepEqual(after.findings.filter((f) => f.code === 'address_split_unit'), []);
      // The cells suggest official units as the clerk types, diacritics optional, scoped to
      // the province read so far.
      const commune = drawer.locator('#residence_commune');
      // the suggestions of the first letters are replaced by those of the whole text: a click
      // that lands while they are replaced can pick nothing (seen once in CI, the cell kept
      // "gia vi"), so the pick is checked and made again, as a clerk would
      const cell = await commune.elementHandle();
      for (let attempt = 1; ; attempt++) {
        await commune.click();
        await commune.fill('gia vi');
        await page.getByTestId('unit-option').filter({ hasText: /^Phường Gia Viên · Thành phố Hải Phòng/ }).first().waitFor();
        await page.getByTestId('unit-option').filter({ hasText: /^Phường Gia Viên/ }).first().click();
        try {
          await page.waitForFunction((el) => el.value === 'Phường Gia Viên', cell, { timeout: 3000 });
          break;
        } catch (e) {
          if (attempt === 3) throw e;
        }
      }
      assert.equal(await commune.inputValue(), 'Phường Gia Viên');
    }));

  test('sign-in lasts across the tabs of the browser; signing out in one signs out the others', TIMEOUT, () =>
    flow(async (page) => {
      await login(page);
      // A second tab of the same browser opens signed in, on a page of its own.
      const second = await page.context().newPage();
      await second.goto('/hoc-sinh');
      await second.getByRole('heading', { name: 'Học sinh', level: 3 }).waitFor();
      assert.ok(!second.url().includes('/dang-nhap'), 'the second tab was sent to the login page');
      // Signing out there: the first tab follows, without a reload.
      await second.getByTestId('account-menu').click();
      await second.getByRole('menuitem', { name: 'Đăng xuất' }).click();
      await second.waitForURL('**/dang-nhap');
      await page.waitForURL('**/dang-nhap**');
      await page.getByLabel('Tên đăng nhập').waitFor();
      // Signing in again in the first tab signs the second one in too.
      await page.getByLabel('Tên đăng nhập').fill(acc.school);
      await page.getByLabel('Mật khẩu').fill(acc.password);
      await page.getByRole('button', { name: 'Đăng nhập' }).click();
      await page.waitForURL('**/lop');
      await second.goto('/can-bo');
      await second.getByRole('heading', { name: 'Cán bộ', level: 3 }).waitFor();
      await second.close();
    }));

  test('transfers: the clerk moves a student to another school of the demo; it leaves the class list and appears in “Chuyển đi”', TIMEOUT, () =>
    flow(async (page) => {
      // a class the other flows do not rely on (else the last one), and the receiving school found through the API
      const used = new Set([data.fixClass.id, data.editClass.id, data.importClass?.id]);
      const klass = data.classes.find((c) => !used.has(c.id)) ?? data.classes.at(-1);
      const dest = data.other;
      await login(page);
      await page.goto(`/lop/${klass.id}`);
      await page.getByTestId('open-record').first().waitFor();
      const before = await classStudents(klass.id);
      await page.getByTestId('open-record').first().click();
      await page.waitForURL(/record=\d+/);
      const id = Number(new URL(page.url()).searchParams.get('record'));
      const student = before.find((p) => p.id === id);
      assert.ok(student, 'the opened record is a student of the class');
      const drawer = page.getByTestId('record-drawer');
      await drawer.getByTestId('record-version').waitFor();
      await drawer.getByTestId('transfer-open').click();
      const dialog = page.getByRole('dialog', { name: 'Chuyển trường' });
      // the receiving school is searched across the province by a few letters, without diacritics
      const pickDest = dialog.getByLabel('Đơn vị nhận');
      const picked = dialog.locator('.ant-select-content-has-value').filter({ hasText: `(${dest.code})` });
      // the list shown when the field opens is replaced by the search's answer: a click that lands
      // while it is being replaced can select nothing (seen once in CI), so the pick is checked
      for (let attempt = 1; ; attempt++) {
        await pickDest.click();
        await pickDest.fill(h.withoutDiacritics(dest.name).split(' ').slice(-2).join(' '));
        await page.locator('.ant-select-item-option').filter({ hasText: `(${dest.code})` }).first().click();
        try {
          await picked.waitFor({ timeout: 3000 });
          break;
        } catch (e) {
          if (attempt === 3) throw e;
        }
      }
      await dialog.getByLabel('Lý do').fill('chuyển theo gia đình');
      await dialog.getByTestId('transfer-confirm').click();
      await page.getByText(/Đã chuyển/).first().waitFor();
      await page.waitForURL((url) => !url.searchParams.has('record'));
      await page.getByTestId('record-drawer').waitFor({ state: 'hidden' });
      // the class list no longer holds it, on screen and through the API
      const after = await classStudents(klass.id);
      assert.equal(after.length, before.length - 1);
      assert.ok(!after.some((p) => p.id === id));
      const moved = (await h.api(server.url, tok.department, 'GET', `/api/v1/students/${id}`)).body;
      assert.equal(moved.unitId, dest.id);
      await page.getByTestId('open-record').first().waitFor();
      if (student.fullName && before.filter((p) => p.fullName === student.fullName).length === 1) {
        await recordLink(page, student.fullName).waitFor({ state: 'detached' });
      }
      // "Chuyển đi" lists it, with the reason
      await page.getByRole('menuitem', { name: 'Chuyển đi' }).click();
      await page.waitForURL('**/chuyen-di');
      const row = page.getByTestId('transfers-table').locator('.ant-table-row').filter({ hasText: 'chuyển theo gia đình' });
      await row.first().waitFor();
      if (student.fullName) assert.match(await row.first().innerText(), new RegExp(student.fullName.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    }));
});
