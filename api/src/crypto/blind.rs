//! The blind index: a keyed HMAC of a normalised ID number, so exact search, duplicate
//! detection across schools and matching the registry's answers compare indexes, never clear
//! numbers. The same number gives the same index under one index key and an unrelated one
//! under another; without the key an index cannot be tested against guessed numbers (there are
//! only 10¹² of them, which is why a plain hash would not do).
//!
//! Text: `<index key id>:<base64url of the first 16 bytes of HMAC-SHA256>`, 31 characters. The
//! key id lets a rebuild under a new index key find the rows it has not done yet, and lets the
//! start-up check notice an index key that does not match the database.

use std::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};
use hmac::Mac;

use super::KeyRing;
use super::format::KeyId;

/// Bytes of the HMAC kept: 128 bits leave no collision among a country's ID numbers.
const INDEX_BYTES: usize = 16;

/// A blind index value, as stored and compared.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlindIndex(String);

impl BlindIndex {
    /// The stored text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The stored text, owned.
    pub fn into_string(self) -> String {
        self.0
    }

    /// The index key that made a stored index (for [`super::check_start`] and rebuilds).
    pub fn key_id(stored: &str) -> Option<KeyId> {
        let (id, mac) = stored.split_once(':')?;
        (mac.len() == 22).then(|| KeyId::parse(id)).flatten()
    }
}

impl fmt::Display for BlindIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for BlindIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlindIndex({})", self.0)
    }
}

impl KeyRing {
    /// The blind index of a normalised ID number (what `norm_personal_id` holds: 12 digits
    /// after safe repairs). The index is exact: callers normalise first, and the same text
    /// always gives the same index under the same index key.
    pub fn blind_index(&self, normalised: &str) -> BlindIndex {
        let key = self.index_key();
        let mut mac = key.mac.clone();
        mac.update(b"dinhdanh/blind-index/personal-id/v1\0");
        mac.update(normalised.as_bytes());
        let out = mac.finalize().into_bytes();
        let encoded = Base64UrlUnpadded::encode_string(&out[..INDEX_BYTES]);
        BlindIndex(format!("{}:{encoded}", key.id))
    }
}
