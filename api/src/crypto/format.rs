//! The stored text of an encrypted value: `dd1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>`,
//! without padding. `dd` and the version number come first so that a reader can tell a sealed
//! value from a clear one (an ID number is digits) and a newer version from a damaged value;
//! the key id says which data key to use. A 12-digit number takes 67 characters.
//!
//! The base64 is strict (no padding, no other alphabet, canonical trailing bits) but not
//! constant-time: what it encodes (nonce, ciphertext, tag) is no secret, and a whole planned
//! import row is opened per row of a commit.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::{CryptoError, NONCE_LEN, TAG_LEN};

/// The version this build writes and reads.
pub const VERSION: &str = "dd1";
/// What every value of this version starts with.
pub const PREFIX: &str = "dd1:";

/// The public name of a key: the first 4 bytes of an HMAC of a fixed label under the key,
/// shown as 8 hex digits. It names a key without revealing it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub(crate) [u8; 4]);

impl KeyId {
    /// From its 8 hex digits.
    pub fn parse(s: &str) -> Option<KeyId> {
        if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let mut out = [0u8; 4];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(KeyId(out))
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// True when the text is a sealed value of any version (`dd<digits>:`), readable or not.
pub fn is_encrypted(s: &str) -> bool {
    version_of(s).is_some()
}

/// The version part (`dd1`) of a sealed value.
fn version_of(s: &str) -> Option<&str> {
    let (version, _) = s.split_once(':')?;
    let digits = version.strip_prefix("dd")?;
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(version)
}

/// The key that sealed a value of this version (what a `SELECT DISTINCT` over a column needs
/// for [`super::check_start`]).
pub fn key_id_of(s: &str) -> Option<KeyId> {
    KeyId::parse(s.strip_prefix(PREFIX)?.get(..8)?)
}

/// `dd1:<key id>:<base64url>` from the key id's 8 hex digits and the sealed bytes.
pub(crate) fn print(key_id: &str, body: &[u8]) -> String {
    let mut out = String::with_capacity(PREFIX.len() + key_id.len() + 1 + body.len().div_ceil(3) * 4);
    out.push_str(PREFIX);
    out.push_str(key_id);
    out.push(':');
    URL_SAFE_NO_PAD.encode_string(body, &mut out);
    out
}

/// The key id and the bytes (nonce ‖ ciphertext ‖ tag) of a sealed value.
pub(crate) fn parse(s: &str) -> Result<(KeyId, Vec<u8>), CryptoError> {
    let Some(version) = version_of(s) else {
        return Err(CryptoError::NotEncrypted);
    };
    if version != VERSION {
        return Err(CryptoError::UnknownVersion(version.to_owned()));
    }
    let rest = &s[PREFIX.len()..];
    let (key_id, body) = rest.split_once(':').ok_or(CryptoError::Malformed)?;
    let key_id = KeyId::parse(key_id).ok_or(CryptoError::Malformed)?;
    let body = URL_SAFE_NO_PAD.decode(body).map_err(|_| CryptoError::Malformed)?;
    if body.len() < NONCE_LEN + TAG_LEN {
        return Err(CryptoError::Malformed);
    }
    Ok((key_id, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_print_and_parse() {
        let id = KeyId([0x0a, 0xb1, 0x00, 0xff]);
        assert_eq!(id.to_string(), "0ab100ff");
        assert_eq!(KeyId::parse("0ab100ff"), Some(id));
        assert_eq!(KeyId::parse("0AB100FF"), Some(id));
        for bad in ["", "0ab100f", "0ab100ff0", "0ab100fg", "+ab100ff"] {
            assert_eq!(KeyId::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn sealed_values_are_told_from_clear_ones() {
        let cases = [
            ("dd1:0ab100ff:AAAA", true),
            ("dd2:0ab100ff:AAAA", true),
            ("dd17:x", true),
            ("031215000001", false),
            ("", false),
            ("dd:0ab100ff:AAAA", false),
            ("ddx:0ab100ff:AAAA", false),
            ("Dd1:0ab100ff:AAAA", false),
            ("0312 1500 0001", false),
        ];
        for (text, sealed) in cases {
            assert_eq!(is_encrypted(text), sealed, "{text}");
        }
    }

    #[test]
    fn the_text_is_base64url_without_padding_as_before() {
        use base64ct::{Base64UrlUnpadded, Encoding};
        // values written before (base64ct) read back, and new ones are the same text
        for len in [NONCE_LEN + TAG_LEN, NONCE_LEN + TAG_LEN + 1, NONCE_LEN + TAG_LEN + 2, 1_000] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 % 256) as u8).collect();
            let before = format!("dd1:0ab100ff:{}", Base64UrlUnpadded::encode_string(&bytes));
            assert_eq!(print("0ab100ff", &bytes), before);
            assert_eq!(parse(&before), Ok((KeyId([0x0a, 0xb1, 0x00, 0xff]), bytes)));
        }
    }

    #[test]
    fn parse_refuses_what_it_cannot_read() {
        let body = URL_SAFE_NO_PAD.encode([7u8; NONCE_LEN + TAG_LEN]);
        let good = format!("dd1:0ab100ff:{body}");
        assert!(parse(&good).is_ok());
        assert_eq!(key_id_of(&good), KeyId::parse("0ab100ff"));
        let cases = [
            ("031215000001".to_owned(), CryptoError::NotEncrypted),
            (format!("dd2:0ab100ff:{body}"), CryptoError::UnknownVersion("dd2".to_owned())),
            (format!("dd1:0ab100f:{body}"), CryptoError::Malformed),
            (format!("dd1:0ab100ff{body}"), CryptoError::Malformed),
            (format!("dd1:0ab100ff:{body}="), CryptoError::Malformed),
            (format!("dd1:0ab100ff:{body}!"), CryptoError::Malformed),
            ("dd1:0ab100ff:AAAA".to_owned(), CryptoError::Malformed),
            // the standard alphabet's '+' and '/', and trailing bits that are not zero
            (format!("dd1:0ab100ff:+{}", &body[1..]), CryptoError::Malformed),
            (format!("dd1:0ab100ff:/{}", &body[1..]), CryptoError::Malformed),
            (format!("dd1:0ab100ff:{}x", &body[..body.len() - 1]), CryptoError::Malformed),
        ];
        for (text, error) in cases {
            assert_eq!(parse(&text).err(), Some(error), "{text}");
        }
    }
}
