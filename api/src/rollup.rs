//! `dinhdanh rollup`: the Ministry's national figures from each province's own instance. Signs
//! in to each instance with the account the province gave the Ministry (a `department` role:
//! it reads statistics, its ID numbers are masked everywhere), reads `GET /api/v1/stats/export`
//! (counts only) and merges them (`stats::rollup`). No instance ever sends another one, or the
//! Ministry, a record.

use std::path::Path;

use anyhow::{Context, bail};
use serde_json::Value;

use crate::stats::rollup::{self, National, Province};

/// One province's instance and the account to read it with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The instance's address (`https://csdl.haiphong.edu.vn`).
    pub url: String,
    pub username: String,
    pub password: String,
}

/// Reads the list of sources: one line per province, `url,username,password file` (the file's
/// first line is the password; a relative path is read from the list's folder); blank lines
/// and lines starting with `#` are skipped.
pub fn read_sources(path: &Path) -> anyhow::Result<Vec<Source>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("không đọc được {}", path.display()))?;
    let folder = path.parent().unwrap_or(Path::new("."));
    let mut sources = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line.split(',').map(str::trim).collect();
        let [url, username, password_file] = parts[..] else {
            bail!("{} dòng {}: cần 3 cột `địa chỉ,tài khoản,tệp mật khẩu`, có {}", path.display(), n + 1, parts.len());
        };
        let file = folder.join(password_file);
        let password = std::fs::read_to_string(&file)
            .with_context(|| {
                format!("{} dòng {}: không đọc được tệp mật khẩu {}", path.display(), n + 1, file.display())
            })?
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned();
        sources.push(Source { url: url.trim_end_matches('/').to_owned(), username: username.to_owned(), password });
    }
    Ok(sources)
}

/// The HTTP client the roll-up reads with (rustls with ring, as the registry client; reqwest
/// is built without a TLS provider of its own).
pub fn client() -> anyhow::Result<reqwest::Client> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Ok(reqwest::Client::builder().timeout(std::time::Duration::from_secs(60)).build()?)
}

/// Signs in to one instance and reads its export.
pub async fn fetch(client: &reqwest::Client, source: &Source) -> anyhow::Result<Province> {
    let login = client
        .post(format!("{}/api/v1/auth/login", source.url))
        .json(&serde_json::json!({"username": source.username, "password": source.password}))
        .send()
        .await
        .with_context(|| format!("{}: không kết nối được", source.url))?;
    let status = login.status();
    let body: Value = login.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        bail!(
            "{}: đăng nhập {} bị từ chối ({status}): {}",
            source.url,
            source.username,
            body["detail"].as_str().unwrap_or("")
        );
    }
    if body["mustChangePassword"] == Value::Bool(true) {
        bail!(
            "{}: tài khoản {} phải đổi mật khẩu trước (đăng nhập một lần trên trang web của tỉnh)",
            source.url,
            source.username
        );
    }
    let token =
        body["accessToken"].as_str().with_context(|| format!("{}: không nhận được phiên đăng nhập", source.url))?;
    let res = client
        .get(format!("{}/api/v1/stats/export", source.url))
        .bearer_auth(token)
        .send()
        .await
        .with_context(|| format!("{}: không đọc được số liệu", source.url))?;
    let status = res.status();
    let text = res.text().await.unwrap_or_default();
    if !status.is_success() {
        bail!(
            "{}: số liệu bị từ chối ({status}): tài khoản {} cần vai trò của Sở (department)",
            source.url,
            source.username
        );
    }
    Ok(rollup::parse(&source.url, &text)?)
}

/// Reads every source (one at a time: a handful of calls) and merges them.
pub async fn run(client: &reqwest::Client, sources: &[Source]) -> anyhow::Result<National> {
    let mut provinces = Vec::with_capacity(sources.len());
    for source in sources {
        provinces.push(fetch(client, source).await?);
    }
    Ok(rollup::merge(provinces)?)
}
