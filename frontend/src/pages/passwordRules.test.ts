import { describe, expect, it } from 'vitest';
import { passwordProblem } from './passwordRules';

describe('passwordProblem', () => {
  it.each([
    ['', 'thcs-le-loi', undefined],
    ['ngan', 'thcs-le-loi', 'Mật khẩu mới cần ít nhất 10 ký tự.'],
    ['thcs-le-loi', 'thcs-le-loi', 'Mật khẩu mới không được trùng tên đăng nhập.'],
    ['THCS-LE-LOI', 'thcs-le-loi', 'Mật khẩu mới không được trùng tên đăng nhập.'],
    ['1234567890', 'thcs-le-loi', 'Mật khẩu này quá phổ biến, hãy chọn mật khẩu khác.'],
    ['Hoa-phượng-đỏ-2026', 'thcs-le-loi', undefined],
    // Ten characters counted as the user sees them, diacritics included.
    ['Đặng-Thùy!', 'thcs-le-loi', undefined],
  ])('%s (user %s) → %s', (password, username, want) => expect(passwordProblem(password, username)).toBe(want));
});
