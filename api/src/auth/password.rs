//! Password hashing with argon2id (PHC strings). A hash or a check needs 19 MiB of working
//! memory: it is taken from a small pool of buffers kept between uses rather than allocated
//! each time, so that a flood of logins (few at a time, see `login_max_concurrent_hashes`) does
//! not leave a freed 19 MiB block in every allocator arena of every thread that ever checked
//! one, and so that the accounts of a province's schools, hashed one after another, do not
//! each allocate, zero and fault in 19 MiB (a third of the hashing's time in a profile).

use std::sync::Mutex;

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// Working memories kept for the next checks (more are allocated, and then dropped, only when
/// more checks than this run at once).
const POOLED: usize = 16;

static MEMORY: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

/// Runs `f` with a working memory from the pool (a new one when the pool is empty), then
/// returns the memory to the pool.
fn with_memory<T>(f: impl FnOnce(&mut Vec<Block>) -> T) -> T {
    let pool = || MEMORY.lock().unwrap_or_else(|e| e.into_inner());
    let mut memory = pool().pop().unwrap_or_default();
    let out = f(&mut memory);
    let mut pool = pool();
    if pool.len() < POOLED {
        pool.push(memory);
    }
    out
}

/// Hashes a password with a random salt (argon2id with the crate's default parameters).
pub fn hash(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    rand::Rng::fill(&mut rand::rng(), &mut salt);
    with_memory(|memory| hash_with(password.as_bytes(), &salt, memory))
}

/// [`hash`] with the given salt and working memory (grown to the parameters' memory cost):
/// the PHC string `Argon2::default().hash_password_with_salt` writes (a test compares them).
fn hash_with(password: &[u8], salt: &[u8], memory: &mut Vec<Block>) -> anyhow::Result<String> {
    let params = Params::default();
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    let argon = Argon2::new(Algorithm::default(), Version::default(), params.clone());
    argon
        .hash_password_into_with_memory(password, salt, &mut out, &mut memory[..blocks])
        .map_err(|e| anyhow::anyhow!("hash: {e}"))?;
    let phc = PasswordHash {
        algorithm: Algorithm::default().ident(),
        version: Some(Version::default().into()),
        params: ParamsString::try_from(&params).map_err(|e| anyhow::anyhow!("hash parameters: {e}"))?,
        salt: Some(Salt::new(salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?),
        hash: Some(Output::new(&out).map_err(|e| anyhow::anyhow!("hash output: {e}"))?),
    };
    Ok(phc.to_string())
}

/// True when the password matches the stored hash. A malformed hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    with_memory(|memory| verify_with(password.as_bytes(), stored, memory))
}

/// [`verify`] with the given working memory (grown to the hash's memory cost when smaller).
fn verify_with(password: &[u8], stored: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(hash) = PasswordHash::new(stored) else { return false };
    let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else { return false };
    let Ok(algorithm) = Algorithm::try_from(hash.algorithm.as_str()) else { return false };
    let version = match hash.version.map(Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let Ok(params) = Params::try_from(&hash) else { return false };
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    let argon = Argon2::new(algorithm, version, params);
    if argon.hash_password_into_with_memory(password, salt.as_ref(), &mut out, &mut memory[..blocks]).is_err() {
        return false;
    }
    // `Output`'s equality is constant-time
    Output::new(&out).is_ok_and(|computed| computed == *expected)
}

/// A valid hash of a random password, verified against when the username does not exist so
/// that a wrong username takes as long as a wrong password.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let mut bytes = [0u8; 24];
        rand::Rng::fill(&mut rand::rng(), &mut bytes);
        let random: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        hash(&random).unwrap_or_default()
    });
    &DECOY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        use argon2::password_hash::PasswordHasher;
        let a = hash("demo").expect("hash");
        let b = hash("demo").expect("hash");
        assert_ne!(a, b, "salted");
        assert!(a.starts_with("$argon2id$"));
        assert!(verify("demo", &a));
        assert!(!verify("Demo", &a));
        assert!(!verify("demo", "not a hash"));
        assert!(!verify("demo", decoy_hash()));
        // what argon2 itself verifies, the pooled check verifies too
        let other = argon2::Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(4096, 3, 1, Some(32)).expect("params"),
        )
        .hash_password_with_salt(b"mat-khau", b"muoi-sau-byte-xx")
        .expect("hash")
        .to_string();
        assert!(verify("mat-khau", &other));
        assert!(!verify("mat-khau!", &other));
        assert!(!verify("demo", &a.replace("$argon2id$", "$argon2x$")));
    }

    #[test]
    fn pooled_hashing_writes_what_argon2_writes() {
        use argon2::password_hash::PasswordHasher;
        let mut memory = Vec::new();
        for (password, salt) in [("demo", b"muoi-sau-byte-xx"), ("Mật khẩu 1 lần", b"\0\x01\x02\x03abcdefghijkl")]
        {
            let expected = Argon2::default().hash_password_with_salt(password.as_bytes(), salt).expect("hash");
            // twice with the same memory: what the first hash left in it changes nothing
            for _ in 0..2 {
                assert_eq!(hash_with(password.as_bytes(), salt, &mut memory).expect("hash"), expected.to_string());
            }
        }
    }
}
