//! One typed settings struct. Layers, later ones winning: built-in defaults, a TOML file
//! (`--config FILE` or `APP_CONFIG`), environment variables, command-line flags.
//!
//! Environment variables map onto keys generically: `APP_` + the key in upper case, with `__`
//! between a section and its key (`APP_REGISTRY__BASE_URL` sets `registry.base_url`).
//! `DATABASE_URL` is also read as `database_url`. A value is read as TOML when it parses as
//! one (`true`, `42`, `["a", "b"]`) and as a plain string otherwise.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The default database: a SQLite file under the working directory, created on first run.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://var/dinhdanh.db?mode=rwc";

/// A secret string: never printed by `Debug` or `Display`.
#[derive(Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }
    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Every setting of the service, with its default.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address and port to listen on. Port 0 picks a free port.
    pub bind: String,
    /// `sqlite://path?mode=rwc` or `postgres://user@host/db`. Default: `var/dinhdanh.db`.
    pub database_url: String,
    /// Size of the connection pool.
    pub database_max_connections: u32,
    /// HMAC secret signing access tokens (at least 32 bytes). Required unless `demo` is set,
    /// in which case a random one is generated at start-up.
    pub jwt_secret: Option<Secret>,
    /// Lifetime of an access token, in minutes.
    pub jwt_ttl_minutes: i64,
    /// How long an account's state (disabled, role, unit, signed out) is trusted between
    /// checks against the database, in seconds: a change made on another instance, or directly
    /// in the database, takes effect within this time (at most 30). The instance that made the
    /// change applies it at once.
    pub session_check_seconds: u64,
    /// Keys encrypting ID numbers at rest: base64 of 32 bytes each, comma-separated; the
    /// first encrypts, every one decrypts (list the new key first while rotating). Or
    /// `data_keys_file`. Under `demo`, generated into `var/data-keys` when neither is set.
    pub data_keys: Option<Secret>,
    /// A file with one data key per line (`#` comments), instead of `data_keys`.
    pub data_keys_file: Option<PathBuf>,
    /// Key of the blind index (the keyed HMAC that exact search and duplicate detection use):
    /// base64 of 32 bytes, different from every data key. Or `index_key_file`. Under `demo`,
    /// generated into `var/index-key` when neither is set.
    pub index_key: Option<Secret>,
    /// A file holding the index key, instead of `index_key`.
    pub index_key_file: Option<PathBuf>,
    /// Seed demo data into an empty database and start the registry simulator in-process.
    pub demo: bool,
    /// Number of demo students `serve --demo` seeds into an empty database.
    pub demo_students: u32,
    /// Origins allowed to call the API from a browser (CORS). Empty: CORS closed.
    pub cors_allowed_origins: Vec<String>,
    /// Largest JSON request body accepted, in bytes.
    pub max_json_bytes: usize,
    /// Largest uploaded file accepted, in bytes.
    pub max_upload_bytes: usize,
    /// Current school year as `YYYY-YYYY`; default: derived from today's date (a school year
    /// starts on 1 August).
    pub school_year: Option<String>,
    /// Failed logins for one username before further attempts are slowed down (attempts from an
    /// address with no recent failure still get through: the owner is not locked out).
    pub login_max_failures: u32,
    /// Failed logins from one client address, whatever the usernames, before its attempts are
    /// slowed down.
    pub login_max_failures_per_address: u32,
    /// Password checks (argon2id, 19 MiB each) running at once; further attempts wait.
    pub login_max_concurrent_hashes: usize,
    /// How long an attempt waits for a password check before the answer is 429, in milliseconds.
    pub login_hash_wait_ms: u64,
    /// Reverse proxies (addresses or networks such as `10.0.0.0/8`) whose `X-Forwarded-For`
    /// and `X-Forwarded-Proto` headers are believed. Empty: the peer is the client.
    pub trusted_proxies: Vec<String>,
    /// Log filter in `tracing_subscriber::EnvFilter` syntax (`RUST_LOG` wins when set).
    pub log: String,
    /// Number of HTTP worker threads; 0 means one per core.
    pub http_workers: usize,
    /// Progress statistics (`[stats]`).
    pub stats: StatsSettings,
    /// The national population database client and the verification jobs (`[registry]`).
    pub registry: RegistrySettings,
    /// The registry simulator (`[registry_sim]`): `dinhdanh registry-sim`, and `serve --demo`.
    pub registry_sim: RegistrySimSettings,
    /// Spreadsheet imports (`[import]`).
    pub import: ImportSettings,
    /// How long personal data kept for operations lives (`[retention]`).
    pub retention: RetentionSettings,
    /// The clock the application reads (not a setting: the system clock, pinned by tests).
    #[serde(skip)]
    pub clock: crate::domain::clock::Clock,
}

/// Spreadsheet import limits (`[import]` in the file, `APP_IMPORT__<KEY>` in the environment).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ImportSettings {
    /// Largest file accepted, in bytes (413 above it).
    pub max_bytes: usize,
    /// Most rows a file may hold, all sheets together (413 above it).
    pub max_rows: usize,
    /// Most sheets a workbook may hold (413 above it).
    pub max_sheets: usize,
    /// Largest total uncompressed size of a workbook's parts, in bytes (zip bombs).
    pub max_uncompressed_bytes: u64,
    /// Columns a sheet may use: a non-empty cell beyond is refused (413) before the sheet is
    /// read further.
    pub max_columns: usize,
    /// Cells a file may hold, all sheets together (each row counts up to its last non-empty
    /// cell; an `.xls` counts the dense grid of each sheet) (413 above it).
    pub max_cells: usize,
    /// Files with more data rows than this are previewed (and committed) by a background job;
    /// the upload answers 202 at once and `GET /imports/{id}` shows the progress.
    pub job_threshold_rows: usize,
    /// A background import whose task has not reported for this long (its server stopped or
    /// crashed) is failed with a reason, never left `processing`.
    pub lease_secs: u64,
    /// How often a background import records its progress (`rowsRead`, also its heartbeat for
    /// the lease), in milliseconds.
    pub progress_interval_ms: u64,
    /// A preview not committed within this many days expires (listed as `expired`).
    pub expire_days: u32,
}

impl Default for ImportSettings {
    fn default() -> ImportSettings {
        ImportSettings {
            max_bytes: 20 * 1024 * 1024,
            max_rows: 200_000,
            max_sheets: 100,
            max_uncompressed_bytes: 512 * 1024 * 1024,
            max_columns: 256,
            max_cells: 6_000_000,
            job_threshold_rows: 2_000,
            lease_secs: 60,
            progress_interval_ms: 250,
            expire_days: 7,
        }
    }
}

impl ImportSettings {
    /// The limits the reader applies.
    pub fn limits(&self) -> crate::import::Limits {
        crate::import::Limits {
            max_bytes: self.max_bytes,
            max_rows: self.max_rows,
            max_sheets: self.max_sheets,
            max_uncompressed_bytes: self.max_uncompressed_bytes,
            max_columns: self.max_columns,
            max_cells: self.max_cells,
            ..crate::import::Limits::default()
        }
    }
}

/// How long personal data kept for operations lives (`[retention]`, `APP_RETENTION__<KEY>`): a
/// daily task (and `dinhdanh purge`) deletes it afterwards and records the counts in the access
/// log. The records themselves, the change audit and the access log are not concerned.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionSettings {
    /// Days an import's planned rows (what the uploaded file said, row by row: the file itself
    /// is never kept) live after its commit (or, uncommitted, after it expired or failed); the
    /// import stays listed with its counts. A discarded preview's rows go at once.
    pub import_days: u32,
    /// Days what an exported template carried is kept, so that an import of it can tell the
    /// file's changes from the record's changes since (three-way import); afterwards such a
    /// file is compared with the current records (a record changed since asks for a decision).
    pub snapshot_days: u32,
    /// Days the body of a request sent to the registry lives after its answer.
    pub verification_days: u32,
}

impl Default for RetentionSettings {
    fn default() -> RetentionSettings {
        RetentionSettings { import_days: 30, snapshot_days: 90, verification_days: 30 }
    }
}

/// The registry client and verification workers (`[registry]`, `APP_REGISTRY__<KEY>`).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RegistrySettings {
    /// Base URL of the registry's verification API (`POST {base_url}/v1/verifications`).
    /// Empty: no worker runs (jobs wait), except under `demo`, which starts the simulator
    /// in-process and points here.
    pub base_url: String,
    /// API key sent as `Authorization: Bearer <key>`.
    pub api_key: Option<Secret>,
    /// Records per call (the registry's limit).
    pub batch_size: u32,
    /// Timeout of one call, in milliseconds.
    pub timeout_ms: u64,
    /// Retries of one call after a 5xx, a timeout or a 429 (with exponential backoff and jitter).
    pub max_retries: u32,
    /// First backoff delay, in milliseconds (doubled per retry, with full jitter).
    pub backoff_base_ms: u64,
    /// Largest backoff delay, in milliseconds.
    pub backoff_max_ms: u64,
    /// Calls per second across this instance (token bucket); 0 = unlimited.
    pub rate_limit_per_sec: f64,
    /// Calls in flight at once from this instance.
    pub concurrency: u32,
    /// Consecutive failed calls that open the circuit breaker (jobs pause).
    pub breaker_failure_threshold: u32,
    /// Seconds the breaker stays open before one probe call is let through.
    pub breaker_open_secs: u64,
    /// Times a batch is sent (each with its retries) before its records are marked `error`.
    pub max_attempts: u32,
    /// Seconds an instance holds a claimed batch; after that another instance (or this one
    /// after a restart) resends it with the same idempotency key. Must exceed the time one call
    /// can take with its retries.
    pub lease_secs: u64,
    /// Milliseconds an idle worker waits before looking for work again.
    pub poll_interval_ms: u64,
}

impl Default for RegistrySettings {
    fn default() -> RegistrySettings {
        RegistrySettings {
            base_url: String::new(),
            api_key: None,
            batch_size: 100,
            timeout_ms: 10_000,
            max_retries: 3,
            backoff_base_ms: 200,
            backoff_max_ms: 10_000,
            rate_limit_per_sec: 10.0,
            concurrency: 4,
            breaker_failure_threshold: 5,
            breaker_open_secs: 30,
            max_attempts: 5,
            lease_secs: 120,
            poll_interval_ms: 500,
        }
    }
}

/// Faults and behaviour of the registry simulator (`[registry_sim]`, `APP_REGISTRY_SIM__<KEY>`).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RegistrySimSettings {
    /// Address of `dinhdanh registry-sim` (port 0 picks a free one; `serve --demo` always does).
    pub bind: String,
    /// The simulator's own database, holding the population it answers from (filled by the
    /// demo seeder; never dinhdanh's database). A SQLite file by default.
    pub database_url: String,
    /// Key the simulator requires (`Authorization: Bearer` or `X-Api-Key`); empty: none.
    pub api_key: String,
    /// Most items accepted per call; more answers 413.
    pub max_items: u32,
    /// Latency of every call: uniform between these bounds, in milliseconds.
    pub latency_ms_min: u64,
    pub latency_ms_max: u64,
    /// Share of calls answered 503.
    pub error_rate: f64,
    /// Calls per second accepted before answering 429 with `Retry-After`; 0 = no limit.
    pub rate_limit_per_sec: u32,
    /// The `Retry-After` of a 429, in seconds.
    pub retry_after_secs: u64,
    /// Share of calls that hang for `timeout_ms` before answering (the client times out).
    pub timeout_rate: f64,
    pub timeout_ms: u64,
    /// An outage window, seconds after start-up: every call answers 503 during it.
    pub outage_after_secs: u64,
    /// Length of the outage window; 0 = no outage.
    pub outage_secs: u64,
    /// Share of calls answered with a malformed body.
    pub malformed_rate: f64,
    /// Forgive old/new tone placement in names ("Hoà" = "Hòa"). The real registry's tolerance
    /// is unknown; by default it is not forgiven.
    pub tone_placement_tolerant: bool,
    /// Return the registry's values with a mismatch (the agency is allowed to receive them).
    pub return_registry_values: bool,
}

impl Default for RegistrySimSettings {
    fn default() -> RegistrySimSettings {
        RegistrySimSettings {
            bind: "127.0.0.1:8090".to_owned(),
            database_url: crate::registry::population::DEFAULT_DATABASE_URL.to_owned(),
            api_key: String::new(),
            max_items: 100,
            latency_ms_min: 0,
            latency_ms_max: 0,
            error_rate: 0.0,
            rate_limit_per_sec: 0,
            retry_after_secs: 1,
            timeout_rate: 0.0,
            timeout_ms: 30_000,
            outage_after_secs: 0,
            outage_secs: 0,
            malformed_rate: 0.0,
            tone_placement_tolerant: false,
            return_registry_values: true,
        }
    }
}

/// Progress statistics settings (`[stats]` in the file, `APP_STATS__<KEY>` in the environment).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct StatsSettings {
    /// Minutes between refreshes of today's snapshot by the background task (one more runs
    /// just before midnight); 0 turns the task off.
    pub snapshot_interval_minutes: u32,
    /// Days of history the projected completion date is measured over.
    pub projection_window_days: u32,
}

impl Default for StatsSettings {
    fn default() -> StatsSettings {
        StatsSettings { snapshot_interval_minutes: 60, projection_window_days: 14 }
    }
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            bind: "127.0.0.1:8080".to_owned(),
            database_url: DEFAULT_DATABASE_URL.to_owned(),
            database_max_connections: 8,
            jwt_secret: None,
            jwt_ttl_minutes: 8 * 60,
            session_check_seconds: 20,
            data_keys: None,
            data_keys_file: None,
            index_key: None,
            index_key_file: None,
            demo: false,
            demo_students: 20_000,
            cors_allowed_origins: Vec::new(),
            max_json_bytes: 4 * 1024 * 1024,
            max_upload_bytes: 20 * 1024 * 1024,
            school_year: None,
            login_max_failures: 5,
            login_max_failures_per_address: 20,
            login_max_concurrent_hashes: 4,
            login_hash_wait_ms: 2_000,
            trusted_proxies: Vec::new(),
            log: "info,sqlx=warn,sea_orm=warn".to_owned(),
            http_workers: 0,
            stats: StatsSettings::default(),
            registry: RegistrySettings::default(),
            registry_sim: RegistrySimSettings::default(),
            import: ImportSettings::default(),
            retention: RetentionSettings::default(),
            clock: crate::domain::clock::Clock::system(),
        }
    }
}

/// What went wrong while reading the settings.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

impl Settings {
    /// Reads the layers: defaults, the file (if any), then the given environment.
    pub fn load(file: Option<&Path>, env: impl IntoIterator<Item = (String, String)>) -> Result<Settings, ConfigError> {
        let mut table = toml::Table::try_from(Settings::default()).map_err(|e| ConfigError::Invalid(e.to_string()))?;
        let file = file.map(Path::to_path_buf).or_else(|| std::env::var_os("APP_CONFIG").map(PathBuf::from));
        if let Some(path) = file {
            let text =
                std::fs::read_to_string(&path).map_err(|source| ConfigError::Read { path: path.clone(), source })?;
            let from_file: toml::Table =
                toml::from_str(&text).map_err(|e| ConfigError::Invalid(format!("{}: {e}", path.display())))?;
            merge(&mut table, from_file);
        }
        for (name, value) in env {
            let key = if name == "DATABASE_URL" {
                "database_url".to_owned()
            } else if let Some(rest) = name.strip_prefix("APP_") {
                if rest == "CONFIG" {
                    continue;
                }
                rest.to_ascii_lowercase()
            } else {
                continue;
            };
            let path: Vec<&str> = key.split("__").collect();
            set_path(&mut table, &path, parse_env_value(&value));
        }
        let settings: Settings = table.try_into().map_err(|e: toml::de::Error| ConfigError::Invalid(e.to_string()))?;
        settings.check()?;
        Ok(settings)
    }

    /// The process environment's layers (defaults, `APP_CONFIG` file, `APP_*` variables).
    pub fn from_env(file: Option<&Path>) -> Result<Settings, ConfigError> {
        Settings::load(file, std::env::vars())
    }

    fn check(&self) -> Result<(), ConfigError> {
        if let Some(secret) = &self.jwt_secret
            && secret.expose().len() < 32
        {
            return Err(ConfigError::Invalid("jwt_secret must be at least 32 bytes long".to_owned()));
        }
        crate::crypto::keys::check_inline_settings(self).map_err(|e| ConfigError::Invalid(e.to_string()))?;
        if let Some(year) = &self.school_year
            && parse_school_year(year).is_none()
        {
            return Err(ConfigError::Invalid(format!("school_year must look like 2025-2026, not {year:?}")));
        }
        if self.stats.projection_window_days < 2 {
            return Err(ConfigError::Invalid("stats.projection_window_days must be at least 2".to_owned()));
        }
        let r = &self.registry;
        if r.batch_size == 0 || r.concurrency == 0 || r.max_attempts == 0 {
            return Err(ConfigError::Invalid(
                "registry.batch_size, registry.concurrency and registry.max_attempts must be positive".to_owned(),
            ));
        }
        if r.rate_limit_per_sec < 0.0 || !r.rate_limit_per_sec.is_finite() {
            return Err(ConfigError::Invalid("registry.rate_limit_per_sec must be 0 or more".to_owned()));
        }
        if r.lease_secs.saturating_mul(1000) <= r.timeout_ms {
            return Err(ConfigError::Invalid("registry.lease_secs must exceed registry.timeout_ms".to_owned()));
        }
        for (name, rate) in [
            ("error_rate", self.registry_sim.error_rate),
            ("timeout_rate", self.registry_sim.timeout_rate),
            ("malformed_rate", self.registry_sim.malformed_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(ConfigError::Invalid(format!("registry_sim.{name} must be between 0 and 1")));
            }
        }
        if let Err(bad) = crate::auth::client::TrustedProxies::parse(&self.trusted_proxies) {
            return Err(ConfigError::Invalid(format!(
                "trusted_proxies: not an address or a network (10.0.0.0/8): {}",
                bad.join(", ")
            )));
        }
        if self.login_max_concurrent_hashes == 0 {
            return Err(ConfigError::Invalid("login_max_concurrent_hashes must be positive".to_owned()));
        }
        if self.session_check_seconds > 30 {
            return Err(ConfigError::Invalid("session_check_seconds must be at most 30".to_owned()));
        }
        if self.jwt_ttl_minutes <= 0 {
            return Err(ConfigError::Invalid("jwt_ttl_minutes must be positive".to_owned()));
        }
        Ok(())
    }

    /// The current school year: the configured one, else the one `today` falls in.
    pub fn current_school_year(&self, today: chrono::NaiveDate) -> String {
        self.school_year.clone().unwrap_or_else(|| school_year_of(today))
    }

    /// The current school year by the application's clock.
    pub fn school_year_now(&self) -> String {
        self.current_school_year(self.clock.today())
    }

    /// True when the database URL names PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.database_url.starts_with("postgres://") || self.database_url.starts_with("postgresql://")
    }
}

/// The school year a date falls in: a school year runs from 1 August to 31 July.
pub fn school_year_of(date: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let start = if date.month() >= 8 { date.year() } else { date.year() - 1 };
    format!("{}-{}", start, start + 1)
}

/// `(2025, 2026)` from `"2025-2026"` when the years are consecutive.
pub fn parse_school_year(s: &str) -> Option<(i32, i32)> {
    let (a, b) = s.split_once('-')?;
    let (a, b): (i32, i32) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    (b == a + 1 && (1990..=2200).contains(&a)).then_some((a, b))
}

fn parse_env_value(raw: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_owned()))
}

fn merge(into: &mut toml::Table, from: toml::Table) {
    for (key, value) in from {
        match (into.get_mut(&key), value) {
            (Some(toml::Value::Table(existing)), toml::Value::Table(incoming)) => merge(existing, incoming),
            (_, value) => {
                into.insert(key, value);
            }
        }
    }
}

fn set_path(table: &mut toml::Table, path: &[&str], value: toml::Value) {
    match path {
        [] => {}
        [last] => {
            // A string where the setting expects a number or a bool stays a string and fails
            // to deserialize with a message naming the key, which is what a user needs.
            table.insert((*last).to_owned(), value);
        }
        [first, rest @ ..] => {
            let entry = table.entry((*first).to_owned()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if !entry.is_table() {
                *entry = toml::Value::Table(toml::Table::new());
            }
            if let toml::Value::Table(inner) = entry {
                set_path(inner, rest, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn defaults_need_no_configuration() {
        let s = Settings::load(None, env(&[])).expect("defaults");
        assert_eq!(s, Settings::default());
        assert_eq!(s.database_url, DEFAULT_DATABASE_URL);
        assert!(!s.is_postgres());
    }

    #[test]
    fn the_example_file_parses_and_documents_every_default() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../dinhdanh.example.toml");
        let s = Settings::load(Some(&path), env(&[])).expect("example config parses");
        // The example shows the defaults, with a secret filled in as an example.
        let expected = Settings { jwt_secret: s.jwt_secret.clone(), ..Settings::default() };
        assert_eq!(s, expected);
        assert!(s.jwt_secret.is_some());
    }

    #[test]
    fn environment_overrides_file_and_defaults() {
        let s = Settings::load(
            None,
            env(&[
                ("APP_BIND", "0.0.0.0:9000"),
                ("DATABASE_URL", "postgres://u@h/db"),
                ("APP_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
                ("APP_DEMO", "true"),
                ("APP_CORS_ALLOWED_ORIGINS", r#"["https://so.gd.vn"]"#),
                (
                    "APP_DATA_KEYS",
                    "ERERERERERERERERERERERERERERERERERERERERERE=,IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=",
                ),
                ("APP_INDEX_KEY_FILE", "/etc/dinhdanh/index-key"),
                ("APP_REGISTRY_SIM__DATABASE_URL", "sqlite:///srv/sim.db"),
                ("HOME", "/root"),
            ]),
        )
        .expect("env");
        assert_eq!(s.bind, "0.0.0.0:9000");
        assert!(s.is_postgres());
        assert!(s.demo);
        assert_eq!(s.cors_allowed_origins, vec!["https://so.gd.vn".to_owned()]);
        assert_eq!(format!("{:?}", s.jwt_secret), "Some(Secret(***))");
        assert!(s.data_keys.as_ref().is_some_and(|k| k.expose().contains(',')));
        assert!(!format!("{s:?}").contains("ERERER"), "keys are redacted");
        assert_eq!(s.index_key_file, Some(PathBuf::from("/etc/dinhdanh/index-key")));
        assert_eq!(s.registry_sim.database_url, "sqlite:///srv/sim.db");
    }

    #[test]
    fn bad_values_are_refused_with_the_key_named() {
        let cases = [
            (("APP_JWT_SECRET", "short"), "jwt_secret"),
            (("APP_SCHOOL_YEAR", "2025"), "school_year"),
            (("APP_DEMO", "yes please"), "demo"),
            (("APP_NO_SUCH_KEY", "1"), "no_such_key"),
            (("APP_DATA_KEYS", "c2hvcnQ="), "data_keys"),
            (("APP_INDEX_KEY", "not base64!"), "index_key"),
        ];
        for ((k, v), needle) in cases {
            let err = Settings::load(None, env(&[(k, v)])).expect_err(k).to_string();
            assert!(err.contains(needle), "{k}: {err}");
        }
    }

    #[test]
    fn school_years() {
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).expect("date");
        assert_eq!(school_year_of(d(2026, 11, 29)), "2026-2027");
        assert_eq!(school_year_of(d(2026, 7, 31)), "2025-2026");
        assert_eq!(school_year_of(d(2026, 8, 1)), "2026-2027");
        assert_eq!(parse_school_year("2025-2026"), Some((2025, 2026)));
        assert_eq!(parse_school_year("2025-2027"), None);
    }
}
