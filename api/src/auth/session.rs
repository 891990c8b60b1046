//! Revocable sessions (issue 12, item 9): on each request the account behind a token is checked
//! — still enabled, same role, same unit, not signed out of this token, password change not
//! pending — against the database, through a small per-process cache. The instance that changes
//! an account forgets what it cached at once; any other instance (or a change made directly in
//! the database) is seen when its cached check is older than `session_check_seconds` (≤ 30 s).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::domain::access::{Caller, Role};
use crate::error::{ApiError, ErrorCode};

/// Cached checks kept before the stale ones are dropped.
const MAX_ENTRIES: usize = 50_000;

/// The only route a token of an account that must change its password may call.
pub const PASSWORD_CHANGE_PATH: &str = "/api/v1/auth/password";

/// The account behind a token, as the database has it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountState {
    pub disabled: bool,
    pub role: Role,
    pub unit_id: i64,
    pub must_change_password: bool,
}

/// What the check of one token found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The account stands as the token says.
    Active,
    /// As `Active`, but the account signed in with a one-time password.
    MustChangePassword,
    /// The token no longer works; the Vietnamese reason.
    Ended(&'static str),
}

/// Judges a token against its account (`None`: the account is gone) and whether the token was
/// revoked by signing out.
pub fn judge(token: &Caller, account: Option<&AccountState>, revoked: bool) -> Verdict {
    let Some(account) = account else {
        return Verdict::Ended("Tài khoản không còn tồn tại; hãy đăng nhập lại.");
    };
    if revoked {
        return Verdict::Ended("Phiên đăng nhập đã kết thúc; hãy đăng nhập lại.");
    }
    if account.disabled {
        return Verdict::Ended("Tài khoản đã bị khóa; hãy liên hệ quản trị viên.");
    }
    if account.role != token.role || account.unit_id != token.unit_id {
        return Verdict::Ended("Vai trò hoặc đơn vị của tài khoản vừa thay đổi; hãy đăng nhập lại.");
    }
    if account.must_change_password { Verdict::MustChangePassword } else { Verdict::Active }
}

/// The answer to a request under this verdict on this path: the caller goes on, or an error.
pub fn admit(verdict: &Verdict, path: &str) -> Result<(), ApiError> {
    match verdict {
        Verdict::Active => Ok(()),
        Verdict::MustChangePassword if path == PASSWORD_CHANGE_PATH => Ok(()),
        Verdict::MustChangePassword => Err(ApiError::with_detail(
            ErrorCode::PasswordChangeRequired,
            "Tài khoản đang dùng mật khẩu một lần: hãy đổi mật khẩu (POST /api/v1/auth/password) trước khi làm việc khác.",
        )),
        Verdict::Ended(reason) => Err(ApiError::with_detail(ErrorCode::Unauthenticated, *reason)),
    }
}

#[derive(Debug, Clone)]
struct Entry {
    user_id: i64,
    checked: Instant,
    verdict: Verdict,
}

/// Recent checks, by token id.
#[derive(Debug)]
pub struct Sessions {
    ttl: Duration,
    entries: Mutex<HashMap<String, Entry>>,
}

impl Sessions {
    pub fn new(ttl: Duration) -> Sessions {
        Sessions { ttl, entries: Mutex::new(HashMap::new()) }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The verdict on this token checked less than the time-to-live ago, if any.
    pub fn cached(&self, token_id: &str, now: Instant) -> Option<Verdict> {
        let entries = self.entries();
        let entry = entries.get(token_id)?;
        (now.duration_since(entry.checked) < self.ttl).then(|| entry.verdict.clone())
    }

    /// Remembers a verdict just checked.
    pub fn remember(&self, token_id: &str, user_id: i64, verdict: Verdict, now: Instant) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries();
        if entries.len() >= MAX_ENTRIES {
            let ttl = self.ttl;
            entries.retain(|_, e| now.duration_since(e.checked) < ttl);
        }
        entries.insert(token_id.to_owned(), Entry { user_id, checked: now, verdict });
    }

    /// Forgets every check of this account's tokens (it was just changed here).
    pub fn forget_user(&self, user_id: i64) {
        self.entries().retain(|_, e| e.user_id != user_id);
    }

    /// Forgets the check of one token (it was just revoked here).
    pub fn forget_token(&self, token_id: &str) {
        self.entries().remove(token_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> Caller {
        Caller { user_id: 7, username: "t".into(), role: Role::School, unit_id: 17, unit_path: "/1/4/17/".into() }
    }

    fn account() -> AccountState {
        AccountState { disabled: false, role: Role::School, unit_id: 17, must_change_password: false }
    }

    #[test]
    fn verdicts() {
        let ended = |v: Verdict| matches!(v, Verdict::Ended(_));
        assert_eq!(judge(&token(), Some(&account()), false), Verdict::Active);
        assert!(ended(judge(&token(), None, false)), "deleted account");
        assert!(ended(judge(&token(), Some(&account()), true)), "signed out");
        assert!(ended(judge(&token(), Some(&AccountState { disabled: true, ..account() }), false)));
        assert!(ended(judge(&token(), Some(&AccountState { role: Role::SchoolAdmin, ..account() }), false)));
        assert!(ended(judge(&token(), Some(&AccountState { unit_id: 18, ..account() }), false)));
        let otp = AccountState { must_change_password: true, ..account() };
        assert_eq!(judge(&token(), Some(&otp), false), Verdict::MustChangePassword);
        assert!(admit(&Verdict::MustChangePassword, PASSWORD_CHANGE_PATH).is_ok());
        let refused = admit(&Verdict::MustChangePassword, "/api/v1/students").expect_err("refused");
        assert_eq!(refused.code, ErrorCode::PasswordChangeRequired);
        assert_eq!(admit(&Verdict::Ended("x"), "/api/v1/me").expect_err("ended").code, ErrorCode::Unauthenticated);
        assert!(admit(&Verdict::Active, "/api/v1/me").is_ok());
    }

    #[test]
    fn cache_expires_and_forgets() {
        let s = Sessions::new(Duration::from_secs(20));
        let t0 = Instant::now();
        s.remember("a", 7, Verdict::Active, t0);
        s.remember("b", 8, Verdict::Active, t0);
        assert_eq!(s.cached("a", t0 + Duration::from_secs(19)), Some(Verdict::Active));
        assert_eq!(s.cached("a", t0 + Duration::from_secs(20)), None, "checked again after the time-to-live");
        s.forget_user(7);
        assert_eq!(s.cached("a", t0), None);
        assert_eq!(s.cached("b", t0), Some(Verdict::Active));
        s.forget_token("b");
        assert_eq!(s.cached("b", t0), None);
        let none = Sessions::new(Duration::ZERO);
        none.remember("a", 7, Verdict::Active, t0);
        assert_eq!(none.cached("a", t0), None, "a zero time-to-live caches nothing");
    }
}
