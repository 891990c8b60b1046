// The password policy as the server applies it (POST /api/v1/auth/password), checked as the
// user types so that the common mistakes are said before the round trip. The server decides.

/** A few of the passwords the server refuses as common, caught before sending. */
const COMMON = ['1234567890', '12345678910', 'matkhau123', 'password123', 'qwertyuiop', 'abc1234567', '0123456789'];

/** Vietnamese: what is wrong with a new password, or undefined when it may be sent. */
export function passwordProblem(password: string, username: string): string | undefined {
  if (password.length === 0) return undefined;
  if ([...password].length < 10) return 'Mật khẩu mới cần ít nhất 10 ký tự.';
  if (password.trim().toLowerCase() === username.trim().toLowerCase()) return 'Mật khẩu mới không được trùng tên đăng nhập.';
  if (COMMON.includes(password.toLowerCase())) return 'Mật khẩu này quá phổ biến, hãy chọn mật khẩu khác.';
  return undefined;
}
