//! The key ring: the data keys (the first encrypts, all decrypt) and the separate index key of
//! the blind index, read from settings and never from the database. Keys are base64 of 32
//! bytes, given inline (`data_keys`, comma-separated; `index_key`) or in files (`data_keys_file`,
//! one key per line, `#` comments; `index_key_file`). `--demo` generates the files into `var/`
//! on its first start ([`prepare_demo_keys`]). Nothing here prints a key: `Debug` and `Display`
//! show key ids only, and key bytes are wiped when dropped.
//!
//! [`check_start`] is the start-up rule for a database that holds encrypted values: it starts
//! only with keys that can read them.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use aes_gcm_siv::Aes256GcmSiv;
use base64ct::{Base64, Encoding};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroize;

use super::format::KeyId;
use crate::config::Settings;

/// Length of every key, in bytes.
pub const KEY_LEN: usize = 32;
/// Where `--demo` keeps the keys it generates, unless key files are configured.
pub const DEMO_KEY_DIR: &str = "var";
/// The demo's data key file in [`DEMO_KEY_DIR`].
pub const DEMO_DATA_KEYS_FILE: &str = "data-keys";
/// The demo's index key file in [`DEMO_KEY_DIR`].
pub const DEMO_INDEX_KEY_FILE: &str = "index-key";

/// 32 key bytes, wiped when dropped.
struct KeyBytes([u8; KEY_LEN]);

impl Drop for KeyBytes {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// A setting that holds no usable key, named as the user wrote it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{setting}: {message}")]
pub struct KeyError {
    /// The setting (`data_keys`, `index_key_file`…), with the file when one is involved.
    pub setting: String,
    pub message: String,
}

impl KeyError {
    fn new(setting: impl Into<String>, message: impl Into<String>) -> KeyError {
        KeyError { setting: setting.into(), message: message.into() }
    }
}

/// One data key: its id and its cipher.
pub(crate) struct DataKey {
    pub(crate) id: KeyId,
    /// The id as stored in every value it seals.
    pub(crate) id_text: String,
    pub(crate) cipher: Aes256GcmSiv,
}

/// The blind index key: its id and the HMAC keyed with it (cloned for every value).
pub(crate) struct IndexKey {
    pub(crate) id: KeyId,
    pub(crate) mac: Hmac<Sha256>,
}

/// The configured keys. Build it with [`KeyRing::from_settings`] (or [`KeyRing::new`]).
pub struct KeyRing {
    data: Vec<DataKey>,
    index: IndexKey,
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyRing({self})")
    }
}

impl fmt::Display for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<String> = self.data.iter().map(|k| k.id.to_string()).collect();
        write!(f, "data keys [{}] (the first encrypts), index key {}", ids.join(", "), self.index.id)
    }
}

/// HMAC-SHA256 keyed with `key`.
fn hmac(key: &[u8], setting: &str) -> Result<Hmac<Sha256>, KeyError> {
    <Hmac<Sha256> as KeyInit>::new_from_slice(key).map_err(|_| KeyError::new(setting, "key of the wrong length"))
}

/// The id of a key under a label (`data` or `index`), so the same bytes used for both would
/// not even share an id.
fn key_id(mut mac: Hmac<Sha256>, label: &str) -> KeyId {
    mac.update(b"dinhdanh/key-id/v1/");
    mac.update(label.as_bytes());
    let out = mac.finalize().into_bytes();
    KeyId([out[0], out[1], out[2], out[3]])
}

impl KeyRing {
    /// A ring of raw keys: `data[0]` encrypts, every one decrypts; `index` keys the blind index.
    pub fn new(data: &[[u8; KEY_LEN]], index: &[u8; KEY_LEN]) -> Result<KeyRing, KeyError> {
        let data: Vec<KeyBytes> = data.iter().map(|k| KeyBytes(*k)).collect();
        KeyRing::build(data, KeyBytes(*index), "data_keys", "index_key")
    }

    /// A ring of fresh random keys (tests, benchmarks).
    pub fn generate() -> Result<KeyRing, KeyError> {
        KeyRing::build(vec![random_key("data_keys")?], random_key("index_key")?, "data_keys", "index_key")
    }

    fn build(
        data: Vec<KeyBytes>,
        index: KeyBytes,
        data_setting: &str,
        index_setting: &str,
    ) -> Result<KeyRing, KeyError> {
        if data.is_empty() {
            return Err(KeyError::new(data_setting, "holds no key"));
        }
        let mut ring = Vec::with_capacity(data.len());
        for (n, key) in data.iter().enumerate() {
            let id = key_id(hmac(&key.0, data_setting)?, "data");
            if let Some(same) = ring.iter().position(|k: &DataKey| k.id == id) {
                return Err(KeyError::new(
                    data_setting,
                    format!("key {} and key {} are the same key ({id})", same + 1, n + 1),
                ));
            }
            if key.0 == index.0 {
                return Err(KeyError::new(
                    index_setting,
                    format!("is the same as data key {}: the blind index needs a key of its own", n + 1),
                ));
            }
            let cipher = super::cipher(&key.0).ok_or_else(|| KeyError::new(data_setting, "key of the wrong length"))?;
            ring.push(DataKey { id, id_text: id.to_string(), cipher });
        }
        let mac = hmac(&index.0, index_setting)?;
        Ok(KeyRing { data: ring, index: IndexKey { id: key_id(mac.clone(), "index"), mac } })
    }

    /// The ring the settings describe; `None` when no key is configured at all. Keys given
    /// only in part (data keys without an index key, or the reverse), unreadable files and
    /// keys that are not base64 of 32 bytes are errors naming the setting.
    pub fn from_settings(settings: &Settings) -> Result<Option<KeyRing>, KeyError> {
        let data = keys_from(
            settings.data_keys.as_ref().map(|s| s.expose()),
            settings.data_keys_file.as_deref(),
            "data_keys",
            true,
        )?;
        let index = keys_from(
            settings.index_key.as_ref().map(|s| s.expose()),
            settings.index_key_file.as_deref(),
            "index_key",
            false,
        )?;
        match (data, index) {
            (None, None) => Ok(None),
            (Some(_), None) => Err(KeyError::new(
                "index_key",
                "data keys are configured but no index key: set APP_INDEX_KEY or index_key_file too \
                 (the blind index needs a key of its own)",
            )),
            (None, Some(_)) => Err(KeyError::new(
                "data_keys",
                "an index key is configured but no data key: set APP_DATA_KEYS or data_keys_file too",
            )),
            (Some((data, data_setting)), Some((mut index, index_setting))) => {
                let index = index.pop().ok_or_else(|| KeyError::new(index_setting.clone(), "holds no key"))?;
                KeyRing::build(data, index, &data_setting, &index_setting).map(Some)
            }
        }
    }

    /// The key that encrypts.
    pub(crate) fn encrypting_key(&self) -> &DataKey {
        &self.data[0]
    }

    /// The id of the key that encrypts.
    pub fn current_key_id(&self) -> KeyId {
        self.data[0].id
    }

    /// The ids of every data key, the encrypting one first.
    pub fn data_key_ids(&self) -> Vec<KeyId> {
        self.data.iter().map(|k| k.id).collect()
    }

    /// The id of the index key (the prefix of every blind index it makes).
    pub fn index_key_id(&self) -> KeyId {
        self.index.id
    }

    pub(crate) fn data_key(&self, id: KeyId) -> Option<&DataKey> {
        self.data.iter().find(|k| k.id == id)
    }

    pub(crate) fn index_key(&self) -> &IndexKey {
        &self.index
    }
}

/// Checks the inline key settings (base64, 32 bytes) while the settings are read, so a typo
/// fails before anything starts. Key files are read at start-up by [`KeyRing::from_settings`].
pub fn check_inline_settings(settings: &Settings) -> Result<(), KeyError> {
    if let Some(keys) = &settings.data_keys {
        parse_list(keys.expose(), "data_keys")?;
    }
    if let Some(key) = &settings.index_key {
        let keys = parse_list(key.expose(), "index_key")?;
        if keys.len() > 1 {
            return Err(KeyError::new("index_key", "holds more than one key"));
        }
    }
    for (name, inline, file) in [
        ("data_keys", settings.data_keys.is_some(), settings.data_keys_file.is_some()),
        ("index_key", settings.index_key.is_some(), settings.index_key_file.is_some()),
    ] {
        if inline && file {
            return Err(KeyError::new(name, format!("set {name} or {name}_file, not both")));
        }
    }
    Ok(())
}

/// The keys of one setting, inline or from its file, with the name to report errors under.
fn keys_from(
    inline: Option<&str>,
    file: Option<&Path>,
    name: &str,
    many: bool,
) -> Result<Option<(Vec<KeyBytes>, String)>, KeyError> {
    let (keys, setting) = match (inline, file) {
        (Some(_), Some(_)) => return Err(KeyError::new(name, format!("set {name} or {name}_file, not both"))),
        (None, None) => return Ok(None),
        (Some(text), None) => (parse_list(text, name)?, name.to_owned()),
        (None, Some(path)) => {
            let setting = format!("{name}_file ({})", path.display());
            (read_key_file(path, &setting)?, setting)
        }
    };
    if !many && keys.len() > 1 {
        return Err(KeyError::new(setting, "holds more than one key"));
    }
    Ok(Some((keys, setting)))
}

/// Comma-separated base64 keys.
fn parse_list(text: &str, setting: &str) -> Result<Vec<KeyBytes>, KeyError> {
    let keys = text
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .enumerate()
        .map(|(n, k)| parse_key(k).map_err(|m| KeyError::new(setting, format!("key {}: {m}", n + 1))))
        .collect::<Result<Vec<_>, _>>()?;
    if keys.is_empty() {
        return Err(KeyError::new(setting, "holds no key"));
    }
    Ok(keys)
}

/// One base64 key of 32 bytes.
fn parse_key(text: &str) -> Result<KeyBytes, String> {
    let mut bytes = Base64::decode_vec(text).map_err(|_| {
        "is not base64 (generate one with `openssl rand -base64 32` or `head -c 32 /dev/urandom | base64`)".to_owned()
    })?;
    let key = <[u8; KEY_LEN]>::try_from(bytes.as_slice())
        .map_err(|_| format!("is {} bytes long, not {KEY_LEN}", bytes.len()))
        .map(KeyBytes);
    bytes.zeroize();
    key
}

/// A key file: one base64 key per line; blank lines and `#` comments are ignored.
fn read_key_file(path: &Path, setting: &str) -> Result<Vec<KeyBytes>, KeyError> {
    let mut text = std::fs::read_to_string(path).map_err(|e| KeyError::new(setting, format!("cannot read: {e}")))?;
    warn_if_readable_by_others(path);
    let keys = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .enumerate()
        .map(|(n, k)| parse_key(k).map_err(|m| KeyError::new(setting, format!("key {}: {m}", n + 1))))
        .collect::<Result<Vec<_>, _>>();
    text.zeroize();
    let keys = keys?;
    if keys.is_empty() {
        return Err(KeyError::new(setting, "holds no key"));
    }
    Ok(keys)
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(file = %path.display(), "a key file can be read by other users: chmod 600 it");
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}

/// A key from the operating system's random source.
fn random_key(setting: &str) -> Result<KeyBytes, KeyError> {
    let mut key = KeyBytes([0u8; KEY_LEN]);
    rand::TryRngCore::try_fill_bytes(&mut rand::rngs::OsRng, &mut key.0)
        .map_err(|e| KeyError::new(setting, format!("no random source to generate a key: {e}")))?;
    Ok(key)
}

/// Under `--demo`: a data key file and an index key file, generated (mode 0600) on the first
/// start and reused afterwards. A key given inline is left alone; a configured key file is
/// generated when missing; otherwise the files are `var/data-keys` and `var/index-key`.
/// Returns the files it generated.
pub fn prepare_demo_keys(settings: &mut Settings, dir: &Path) -> Result<Vec<PathBuf>, KeyError> {
    let mut generated = Vec::new();
    if settings.data_keys.is_none() {
        let path = settings.data_keys_file.get_or_insert_with(|| dir.join(DEMO_DATA_KEYS_FILE)).clone();
        if write_new_key_file(&path, "data_keys_file", "data key (the first line encrypts, every line decrypts)")? {
            generated.push(path);
        }
    }
    if settings.index_key.is_none() {
        let path = settings.index_key_file.get_or_insert_with(|| dir.join(DEMO_INDEX_KEY_FILE)).clone();
        if write_new_key_file(&path, "index_key_file", "blind index key")? {
            generated.push(path);
        }
    }
    Ok(generated)
}

/// Writes a fresh key into a new file readable by its owner only; `false` when the file
/// already exists.
fn write_new_key_file(path: &Path, setting: &str, what: &str) -> Result<bool, KeyError> {
    use std::io::Write;
    let setting = format!("{setting} ({})", path.display());
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| KeyError::new(&setting, format!("cannot create its folder: {e}")))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(false),
        Err(e) => return Err(KeyError::new(&setting, format!("cannot create: {e}"))),
    };
    let key = random_key(&setting)?;
    let mut text = format!(
        "# dinhdanh {what}, generated by `serve --demo`.\n\
         # Keep it with the database: without it the encrypted ID numbers cannot be read.\n{}\n",
        Base64::encode_string(&key.0)
    );
    let written = file.write_all(text.as_bytes()).and_then(|()| file.sync_all());
    text.zeroize();
    written.map_err(|e| KeyError::new(&setting, format!("cannot write: {e}")))?;
    Ok(true)
}

/// What the database holds that needs keys, as the start-up check sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredKeys {
    /// The distinct data key ids of the encrypted values ([`super::key_id_of`] of each).
    pub data_key_ids: BTreeSet<KeyId>,
    /// The distinct index key ids of the stored blind indexes ([`super::BlindIndex::key_id`]).
    pub index_key_ids: BTreeSet<KeyId>,
}

impl StoredKeys {
    /// True when the database holds any encrypted value or blind index.
    pub fn holds_encrypted_values(&self) -> bool {
        !self.data_key_ids.is_empty() || !self.index_key_ids.is_empty()
    }
}

/// Why the server refuses to start, with what to set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StartRefusal(pub String);

/// The start-up rule: a database without encrypted values starts with or without keys; one
/// with encrypted values starts only when every data key that sealed them is configured and
/// the configured index key made (some of) its blind indexes.
pub fn check_start(stored: &StoredKeys, ring: Option<&KeyRing>) -> Result<(), StartRefusal> {
    if !stored.holds_encrypted_values() {
        return Ok(());
    }
    let Some(ring) = ring else {
        return Err(StartRefusal(
            "the database holds encrypted ID numbers but no keys are configured: set APP_DATA_KEYS (or \
             data_keys_file) to the data keys and APP_INDEX_KEY (or index_key_file) to the index key this \
             database was written with"
                .to_owned(),
        ));
    };
    let configured = ring.data_key_ids();
    let missing: Vec<String> =
        stored.data_key_ids.iter().filter(|id| !configured.contains(id)).map(KeyId::to_string).collect();
    if !missing.is_empty() {
        let configured: Vec<String> = configured.iter().map(KeyId::to_string).collect();
        return Err(StartRefusal(format!(
            "the database holds ID numbers encrypted with data key {} that the configured data keys ({}) do not \
             include: add it to APP_DATA_KEYS or data_keys_file, after the key that encrypts (old keys stay \
             listed until rotate-key has finished)",
            missing.join(", "),
            configured.join(", ")
        )));
    }
    if !stored.index_key_ids.is_empty() && !stored.index_key_ids.contains(&ring.index_key_id()) {
        let stored_ids: Vec<String> = stored.index_key_ids.iter().map(KeyId::to_string).collect();
        return Err(StartRefusal(format!(
            "the database's blind index was built with index key {}, but the configured index key is {}: set \
             APP_INDEX_KEY (or index_key_file) to the key the index was built with (rotate-key rebuilds it under a \
             new one)",
            stored_ids.join(", "),
            ring.index_key_id()
        )));
    }
    Ok(())
}
