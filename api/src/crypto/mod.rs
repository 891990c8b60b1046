//! Personal data at rest: ID numbers are stored encrypted and searched through a blind index.
//! Pure and synchronous; the store decides which columns and JSON paths hold ID numbers.
//!
//! - **Encryption**: AES-256-GCM-SIV (RustCrypto, RFC 8452) with a random 12-byte nonce per
//!   value; being nonce-misuse resistant, even a repeated random nonce would only reveal that
//!   the same value was stored twice in the same place. The associated data names where the
//!   value lives ([`Aad`]: table, column, row key), so a ciphertext copied to another row,
//!   column or table does not decrypt. (XChaCha20-Poly1305 was measured too: 2.5x slower per
//!   12-digit value here, where AES-NI and carry-less multiplication are available.)
//! - **Stored text** ([`format`]): `dd1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>`. `dd1`
//!   is the format version; the key id (8 hex digits derived from the key, never the key)
//!   names the data key that encrypted it, so during a rotation every configured key decrypts
//!   and the first one encrypts.
//! - **Blind index** ([`KeyRing::blind_index`]): HMAC-SHA256 under a separate index key of the
//!   normalised number, truncated to 128 bits, `<index key id>:<base64url>`. Exact search,
//!   duplicate detection across schools and matching the registry's answers compare these,
//!   never the clear number.
//! - **Keys** ([`keys`]): from settings (`data_keys` / `data_keys_file`, `index_key` /
//!   `index_key_file`), never from the database; generated into `var/` by `--demo`; redacted
//!   in `Debug` and `Display`. [`keys::check_start`] decides whether a database holding
//!   encrypted values may start with the configured keys.
//! - **JSON** ([`json`]): encrypts and decrypts the values at known paths of a JSON document
//!   (the rule outcome, audit values, import rows).

mod blind;
pub mod format;
pub mod json;
pub mod keys;

use aes_gcm_siv::aead::AeadInOut;
use aes_gcm_siv::{Aes256GcmSiv, Nonce, Tag};

pub use blind::BlindIndex;
pub use format::{KeyId, is_encrypted, key_id_of};
pub use json::JsonPath;
pub use keys::{KeyError, KeyRing, StartRefusal, StoredKeys, check_start};

/// The key ring the store seals and opens with, installed once at start-up
/// ([`install`]); `None` until then (values are then stored in clear, as before issue 13).
static INSTALLED: std::sync::RwLock<Option<std::sync::Arc<KeyRing>>> = std::sync::RwLock::new(None);

/// Makes `ring` the process's key ring: the store seals every ID number it writes with it
/// from now on. The server, the command-line tools and the test harness call it once the
/// settings are read; every instance in one process must use the same keys.
pub fn install(ring: std::sync::Arc<KeyRing>) {
    if let Ok(mut slot) = INSTALLED.write() {
        *slot = Some(ring);
    }
}

/// Removes the process's key ring: values are written in clear from now on. Only for
/// measuring what encryption costs (the benchmarks run the same work with and without keys in
/// one process); a server never calls it.
pub fn uninstall() {
    if let Ok(mut slot) = INSTALLED.write() {
        *slot = None;
    }
}

/// The installed key ring, if any.
pub fn installed() -> Option<std::sync::Arc<KeyRing>> {
    INSTALLED.read().ok().and_then(|slot| slot.clone())
}

/// Length of a nonce (96 bits, drawn at random for every value).
pub const NONCE_LEN: usize = 12;
/// Length of the authentication tag.
pub const TAG_LEN: usize = 16;

/// Why a stored value could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// The text is not in the encrypted format (a clear value where a sealed one belongs).
    #[error("not an encrypted value")]
    NotEncrypted,
    /// Written by a newer format version than this build reads.
    #[error("encrypted in an unknown format version ({0})")]
    UnknownVersion(String),
    /// The encrypted format is damaged (bad base64, too short, not UTF-8 inside).
    #[error("malformed encrypted value")]
    Malformed,
    /// The key that encrypted it is not configured.
    #[error("encrypted with data key {0}, which is not among the configured data keys")]
    UnknownKey(KeyId),
    /// The tag does not verify: another key with the same id, another row, column or table,
    /// or an altered ciphertext.
    #[error("the value does not decrypt: it was altered or belongs to another row, column or table")]
    Authentication,
}

/// Where a value lives, authenticated with it: the table, the column and the row's key.
/// JSON values add their path (see [`json`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aad<'a> {
    table: &'a str,
    column: &'a str,
    row: String,
}

impl<'a> Aad<'a> {
    /// `Aad::new("people", "personal_id", 42)`.
    pub fn new(table: &'a str, column: &'a str, row: impl std::fmt::Display) -> Aad<'a> {
        Aad { table, column, row: row.to_string() }
    }

    /// The associated data's bytes: a label, then each part length-prefixed, so no two
    /// different places give the same bytes.
    fn encode(&self, path: &str) -> Vec<u8> {
        const LABEL: &[u8] = b"dinhdanh/aad/v1";
        let parts = [self.table, self.column, path, self.row.as_str()];
        let mut out = Vec::with_capacity(LABEL.len() + parts.iter().map(|p| p.len() + 4).sum::<usize>());
        out.extend_from_slice(LABEL);
        for part in parts {
            out.extend_from_slice(&u32::try_from(part.len()).unwrap_or(u32::MAX).to_be_bytes());
            out.extend_from_slice(part.as_bytes());
        }
        out
    }
}

impl KeyRing {
    /// Encrypts a value for the place `aad` names, with the first data key and a fresh nonce.
    pub fn encrypt(&self, aad: &Aad<'_>, plaintext: &str) -> Result<String, CryptoError> {
        self.seal(aad, "", plaintext.as_bytes())
    }

    /// Decrypts a stored value with the data key its text names.
    pub fn decrypt(&self, aad: &Aad<'_>, stored: &str) -> Result<String, CryptoError> {
        String::from_utf8(self.open(aad, "", stored)?).map_err(|_| CryptoError::Malformed)
    }

    /// True when the value is encrypted with the first (encrypting) key: `rotate-key` skips it.
    pub fn is_current(&self, stored: &str) -> bool {
        key_id_of(stored) == Some(self.current_key_id())
    }

    /// The value re-encrypted with the first key, or `None` when it already is.
    pub fn reencrypt(&self, aad: &Aad<'_>, stored: &str) -> Result<Option<String>, CryptoError> {
        if self.is_current(stored) {
            return Ok(None);
        }
        let clear = self.open(aad, "", stored)?;
        self.seal(aad, "", &clear).map(Some)
    }

    pub(crate) fn seal(&self, aad: &Aad<'_>, path: &str, plaintext: &[u8]) -> Result<String, CryptoError> {
        let key = self.encrypting_key();
        let mut nonce = [0u8; NONCE_LEN];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut nonce);
        // nonce ‖ ciphertext ‖ tag, encrypted in place.
        let mut body = Vec::with_capacity(NONCE_LEN + plaintext.len() + TAG_LEN);
        body.extend_from_slice(&nonce);
        body.extend_from_slice(plaintext);
        let tag = key
            .cipher
            .encrypt_inout_detached(&Nonce::from(nonce), &aad.encode(path), (&mut body[NONCE_LEN..]).into())
            .map_err(|_| CryptoError::Malformed)?;
        body.extend_from_slice(&tag);
        Ok(format::print(&key.id_text, &body))
    }

    pub(crate) fn open(&self, aad: &Aad<'_>, path: &str, stored: &str) -> Result<Vec<u8>, CryptoError> {
        let (key_id, mut body) = format::parse(stored)?;
        let key = self.data_key(key_id).ok_or(CryptoError::UnknownKey(key_id))?;
        let nonce: [u8; NONCE_LEN] =
            body.get(..NONCE_LEN).and_then(|n| n.try_into().ok()).ok_or(CryptoError::Malformed)?;
        let tag_at = body.len().checked_sub(TAG_LEN).filter(|&t| t >= NONCE_LEN).ok_or(CryptoError::Malformed)?;
        let tag = Tag::try_from(&body[tag_at..]).map_err(|_| CryptoError::Malformed)?;
        key.cipher
            .decrypt_inout_detached(&Nonce::from(nonce), &aad.encode(path), (&mut body[NONCE_LEN..tag_at]).into(), &tag)
            .map_err(|_| CryptoError::Authentication)?;
        body.truncate(tag_at);
        body.drain(..NONCE_LEN);
        Ok(body)
    }
}

/// The cipher of one data key (`None` unless the key has the right length).
pub(crate) fn cipher(key: &[u8]) -> Option<Aes256GcmSiv> {
    use aes_gcm_siv::KeyInit;
    Aes256GcmSiv::new_from_slice(key).ok()
}

#[cfg(test)]
mod tests;
