//! HS256 access tokens. Claims carry the user, role, unit and the unit's path, so scoping
//! needs no lookup per request; and a token id (`jti`), so that one token can be ended (signing
//! out) while the account's other sessions go on. Whether the account still stands as the token
//! says is checked by [`super::session`].

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::config::Secret;
use crate::domain::access::{Caller, Role};
use crate::error::{ApiError, ErrorCode};

const ISSUER: &str = "dinhdanh";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    usr: String,
    role: Role,
    unit: i64,
    path: String,
    iss: String,
    iat: i64,
    exp: i64,
    /// Random id of this token (what signing out revokes).
    jti: String,
}

/// Which token a request carries: its id and when it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionToken {
    pub id: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// Signing and verifying keys built once from the configured secret.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub ttl_seconds: i64,
    /// Key of the pseudonyms written to the log in place of typed usernames.
    log_key: [u8; 32],
}

impl TokenKeys {
    pub fn new(secret: &Secret, ttl_minutes: i64) -> anyhow::Result<TokenKeys> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.leeway = 30;
        Ok(TokenKeys {
            encoding: EncodingKey::from_secret(secret.expose().as_bytes())
                .map_err(|e| anyhow::anyhow!("JWT signing key: {e}"))?,
            decoding: DecodingKey::from_secret(secret.expose().as_bytes())
                .map_err(|e| anyhow::anyhow!("JWT verifying key: {e}"))?,
            validation,
            ttl_seconds: ttl_minutes * 60,
            log_key: hmac_sha256(secret.expose().as_bytes(), b"dinhdanh log pseudonyms v1")
                .ok_or_else(|| anyhow::anyhow!("log pseudonym key"))?,
        })
    }

    /// A keyed hash of what was typed as a username, for the log: the same text always gives
    /// the same pseudonym (failures can be correlated), but the text itself — sometimes a
    /// password typed in the wrong box — is never written, and cannot be recovered by hashing
    /// guesses without the server's secret.
    pub fn pseudonym(&self, typed: &str) -> String {
        let mac = hmac_sha256(&self.log_key, typed.as_bytes()).unwrap_or_default();
        mac[..8].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// A token for this caller, valid for the configured lifetime.
    pub fn issue(&self, caller: &Caller) -> Result<String, ApiError> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: caller.user_id.to_string(),
            usr: caller.username.clone(),
            role: caller.role,
            unit: caller.unit_id,
            path: caller.unit_path.clone(),
            iss: ISSUER.to_owned(),
            iat: now,
            exp: now + self.ttl_seconds,
            jti: uuid::Uuid::new_v4().simple().to_string(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(ApiError::internal)
    }

    /// The caller a valid token names; 401 problems otherwise.
    pub fn verify(&self, token: &str) -> Result<Caller, ApiError> {
        self.verify_session(token).map(|(caller, _)| caller)
    }

    /// The caller a valid token names and the token's id and expiry; 401 problems otherwise.
    pub fn verify_session(&self, token: &str) -> Result<(Caller, SessionToken), ApiError> {
        let data =
            jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    ApiError::with_detail(ErrorCode::TokenExpired, "Phiên đăng nhập đã hết hạn; hãy đăng nhập lại.")
                }
                _ => ApiError::with_detail(ErrorCode::Unauthenticated, "Mã truy cập không hợp lệ; hãy đăng nhập lại."),
            })?;
        let c = data.claims;
        let user_id = c.sub.parse().map_err(|_| {
            ApiError::with_detail(ErrorCode::Unauthenticated, "Mã truy cập không hợp lệ; hãy đăng nhập lại.")
        })?;
        let expires_at = chrono::DateTime::from_timestamp(c.exp, 0).unwrap_or_default();
        Ok((
            Caller { user_id, username: c.usr, role: c.role, unit_id: c.unit, unit_path: c.path },
            SessionToken { id: c.jti, expires_at },
        ))
    }
}

/// HMAC-SHA-256 (which takes a key of any length: `None` never happens).
fn hmac_sha256(key: &[u8], data: &[u8]) -> Option<[u8; 32]> {
    use hmac::{KeyInit, Mac};
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).ok()?;
    mac.update(data);
    Some(mac.finalize().into_bytes().into())
}

/// A random secret for demo mode.
pub fn random_secret() -> Secret {
    let mut bytes = [0u8; 48];
    rand::Rng::fill(&mut rand::rng(), &mut bytes);
    Secret::new(bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller() -> Caller {
        Caller {
            user_id: 7,
            username: "demo-school".into(),
            role: Role::School,
            unit_id: 17,
            unit_path: "/1/4/17/".into(),
        }
    }

    #[test]
    fn issued_tokens_verify_to_the_same_caller() {
        let keys = TokenKeys::new(&random_secret(), 60).expect("keys");
        let token = keys.issue(&caller()).expect("issue");
        assert_eq!(keys.verify(&token).expect("verify"), caller());
        let (_, first) = keys.verify_session(&token).expect("verify");
        let (_, second) = keys.verify_session(&keys.issue(&caller()).expect("issue")).expect("verify");
        assert_ne!(first.id, second.id, "every token has its own id");
    }

    #[test]
    fn pseudonyms_are_stable_keyed_and_say_nothing_of_the_text() {
        let keys = TokenKeys::new(&Secret::new("k".repeat(40)), 60).expect("keys");
        let other = TokenKeys::new(&Secret::new("j".repeat(40)), 60).expect("keys");
        let p = keys.pseudonym("MatKhau@2024");
        assert_eq!(p, keys.pseudonym("MatKhau@2024"));
        assert_eq!(p.len(), 16);
        assert_ne!(p, keys.pseudonym("MatKhau@2025"));
        assert_ne!(p, other.pseudonym("MatKhau@2024"), "another secret, another pseudonym");
        assert!(!p.contains("MatKhau"));
    }

    #[test]
    fn foreign_expired_and_garbage_tokens_are_refused() {
        let keys = TokenKeys::new(&random_secret(), 60).expect("keys");
        let other = TokenKeys::new(&random_secret(), 60).expect("keys");
        let token = other.issue(&caller()).expect("issue");
        assert_eq!(keys.verify(&token).expect_err("foreign").code, ErrorCode::Unauthenticated);
        let expired = TokenKeys::new(&Secret::new("x".repeat(40)), -10).expect("keys");
        let token = expired.issue(&caller()).expect("issue");
        assert_eq!(expired.verify(&token).expect_err("expired").code, ErrorCode::TokenExpired);
        assert_eq!(keys.verify("abc.def.ghi").expect_err("garbage").code, ErrorCode::Unauthenticated);
    }
}
