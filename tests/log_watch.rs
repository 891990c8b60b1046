//! The servers' logs, watched (issue 13, item 6: logs stay clean). Every application the tests
//! start in this process logs through one tracing subscriber that the harness installs: the
//! production format and filter (`Settings::default().log`), written line by line into one file
//! (`$TMPDIR/dinhdanh-tests/server-log-<pid>.log`, and to stderr when `TEST_LOG` is set) and
//! scanned as it is written. A line leaks when it holds a value the tests registered — a full
//! name or an ID number they sent, a bearer token they were given ([`Watch::register`]; the
//! harness's requests register what they carry) — or any 12-digit number starting with 0 that
//! stands alone (the shape of every ID number the tests and the demo use; UUID parts and hex
//! runs do not count). Leaks are collected; each test app checks them when it is dropped and
//! fails the test ([`Watch::assert_clean`]), so one leak anywhere fails the suite. Server
//! processes of their own (`dinhdanh serve`) feed their captured lines to the same watch.

use std::collections::HashSet;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use tracing_subscriber::fmt::MakeWriter;

/// The registered values, indexed by their first bytes: a line is scanned once, whatever their
/// number (the benches register thousands, and every request logs a line). Also used to look
/// for thousands of ID numbers in a whole database file at once.
pub struct Secrets {
    by_prefix: std::collections::HashMap<[u8; PREFIX], Vec<String>>,
    all: HashSet<String>,
    /// Whether some value starts with this byte: most positions are passed over without a lookup.
    first: [bool; 256],
}

impl Default for Secrets {
    fn default() -> Secrets {
        Secrets { by_prefix: Default::default(), all: Default::default(), first: [false; 256] }
    }
}

/// Bytes of the index key; every registered value is longer (at least 6 characters).
const PREFIX: usize = 4;

impl Secrets {
    /// Adds a value (one shorter than 4 bytes is ignored).
    pub fn insert(&mut self, value: &str) {
        let Some(prefix) = value.as_bytes().first_chunk::<PREFIX>() else { return };
        if self.all.insert(value.to_owned()) {
            self.first[usize::from(prefix[0])] = true;
            self.by_prefix.entry(*prefix).or_default().push(value.to_owned());
        }
    }

    /// Every registered value that `line` contains, each once.
    pub fn found_in<'a>(&'a self, line: &str) -> Vec<&'a str> {
        let mut found: Vec<&str> = Vec::new();
        let bytes = line.as_bytes();
        for (at, window) in bytes.windows(PREFIX).enumerate() {
            if !self.first[usize::from(window[0])] {
                continue;
            }
            let Some(candidates) = self.by_prefix.get(window) else { continue };
            for secret in candidates {
                if bytes[at..].starts_with(secret.as_bytes()) && !found.contains(&secret.as_str()) {
                    found.push(secret);
                }
            }
        }
        found
    }
}

/// What is watched for, and what was found.
#[derive(Default)]
pub struct Watch {
    /// Registered values: exact substrings that must never be logged.
    secrets: RwLock<Secrets>,
    /// Leaks found and not yet reported.
    leaks: Mutex<Vec<String>>,
    /// Where every line goes (none in unit tests).
    file: Mutex<Option<std::io::BufWriter<std::fs::File>>>,
    echo: bool,
}

static WATCH: OnceLock<Arc<Watch>> = OnceLock::new();

/// The process's watch (the file opened on first use).
pub fn watch() -> &'static Arc<Watch> {
    WATCH.get_or_init(|| {
        let dir = std::env::temp_dir().join("dinhdanh-tests");
        let _ = std::fs::create_dir_all(&dir);
        let file = std::fs::File::create(log_path()).ok().map(std::io::BufWriter::new);
        Arc::new(Watch { file: Mutex::new(file), echo: std::env::var_os("TEST_LOG").is_some(), ..Watch::default() })
    })
}

/// The file every line of this process's servers goes to.
pub fn log_path() -> std::path::PathBuf {
    std::env::temp_dir().join("dinhdanh-tests").join(format!("server-log-{}.log", std::process::id()))
}

/// Installs the subscriber (once per process): the production filter and format, into the watch.
pub fn install() {
    use tracing_subscriber::layer::SubscriberExt;
    let filter = tracing_subscriber::EnvFilter::new(dinhdanh::config::Settings::default().log);
    let layer =
        tracing_subscriber::fmt::layer().with_ansi(false).with_target(false).with_writer(Lines(watch().clone()));
    let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry().with(filter).with(layer));
}

/// A subscriber writing into `watch` (the unit tests' own).
pub fn subscriber(watch: Arc<Watch>) -> impl tracing::Subscriber + Send + Sync {
    use tracing_subscriber::layer::SubscriberExt;
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_ansi(false).with_target(false).with_writer(Lines(watch)))
}

impl Watch {
    /// A value that must never be logged: a full name, an ID number, a token. Values too short
    /// to be told from ordinary text (under 6 characters) are ignored.
    pub fn register(&self, value: &str) {
        let value = value.trim();
        if value.chars().count() < 6 {
            return;
        }
        if let Ok(mut secrets) = self.secrets.write() {
            secrets.insert(value);
        }
    }

    /// Registers what a request body carries: every `fullName` and `personalId` (at any depth)
    /// and every 12-digit number.
    pub fn register_json(&self, body: &serde_json::Value) {
        match body {
            serde_json::Value::Object(map) => {
                for (key, value) in map {
                    match (key.as_str(), value) {
                        ("fullName" | "personalId", serde_json::Value::String(s)) => self.register(s),
                        _ => self.register_json(value),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| self.register_json(v)),
            serde_json::Value::String(s) if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) => self.register(s),
            _ => {}
        }
    }

    /// Registers a bearer token and its parts (a signature or the claims alone count too).
    pub fn register_token(&self, token: &str) {
        self.register(token);
        for part in token.split('.').filter(|p| p.len() >= 16) {
            self.register(part);
        }
    }

    /// Scans one line (and keeps it in the file); records what leaks.
    pub fn scan(&self, line: &str) {
        if let Ok(mut file) = self.file.lock()
            && let Some(file) = file.as_mut()
        {
            let _ = writeln!(file, "{line}");
        }
        if self.echo {
            eprintln!("{line}");
        }
        let mut found: Vec<String> = id_shaped_numbers(line).into_iter().map(|n| format!("ID number {n}")).collect();
        if let Ok(secrets) = self.secrets.read() {
            found.extend(secrets.found_in(line).into_iter().map(|s| format!("registered value {s:?}")));
        }
        if !found.is_empty()
            && let Ok(mut leaks) = self.leaks.lock()
        {
            leaks.push(format!("{} in: {line}", found.join(", ")));
        }
    }

    /// The leaks found since the last call.
    pub fn take_leaks(&self) -> Vec<String> {
        self.leaks.lock().map(|mut l| std::mem::take(&mut *l)).unwrap_or_default()
    }

    /// Fails (panics) when a line leaked since the last check, unless the thread is already
    /// failing. The file is flushed first, so that it can be read.
    pub fn assert_clean(&self) {
        if let Ok(mut file) = self.file.lock()
            && let Some(file) = file.as_mut()
        {
            let _ = file.flush();
        }
        let leaks = self.take_leaks();
        if !leaks.is_empty() && !std::thread::panicking() {
            panic!(
                "a server logged personal data or a token ({} lines; the whole log: {}):\n{}",
                leaks.len(),
                log_path().display(),
                leaks.join("\n")
            );
        }
    }
}

/// The 12-digit numbers starting with 0 that stand alone in `line` (no digit, letter or `-`
/// either side: not part of a longer number, a UUID or a hex run).
pub fn id_shaped_numbers(line: &str) -> Vec<&str> {
    let bytes = line.as_bytes();
    let joins = |b: u8| b.is_ascii_alphanumeric() || b == b'-';
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let alone = (start == 0 || !joins(bytes[start - 1])) && (i == bytes.len() || !joins(bytes[i]));
        if i - start == 12 && bytes[start] == b'0' && alone {
            out.push(&line[start..i]);
        }
    }
    out
}

/// The writer the fmt layer formats each event into: one buffer per event, scanned whole.
struct Lines(Arc<Watch>);

/// One event's formatted text.
pub struct Line {
    watch: Arc<Watch>,
    buf: Vec<u8>,
}

impl<'a> MakeWriter<'a> for Lines {
    type Writer = Line;
    fn make_writer(&'a self) -> Line {
        Line { watch: self.0.clone(), buf: Vec::with_capacity(256) }
    }
}

impl Write for Line {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Line {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.buf);
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            self.watch.scan(line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logged(watch: &Arc<Watch>, emit: impl FnOnce()) -> Vec<String> {
        tracing::subscriber::with_default(subscriber(watch.clone()), emit);
        watch.take_leaks()
    }

    #[test]
    fn a_leaked_number_name_or_token_is_caught_and_masked_values_are_not() {
        let watch = Arc::new(Watch::default());
        watch.register_json(&serde_json::json!({"fullName": "Nguyễn Thị Thanh Trúc", "personalId": "931214009901"}));
        watch.register_token("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI1In0.c2lnbmF0dXJlLXNpZ25hdHVyZS0xMjM0");

        // a registered number, even one not shaped like the demo's
        let leaks = logged(&watch, || tracing::info!(personal_id = "931214009901", "created"));
        assert_eq!(leaks.len(), 1, "{leaks:?}");
        assert!(leaks[0].contains("931214009901"));
        // any 12-digit number starting with 0, registered or not
        let leaks = logged(&watch, || tracing::warn!("refused 031299999999 for a duplicate"));
        assert_eq!(leaks.len(), 1, "{leaks:?}");
        // a name, inside a span's fields too
        let leaks = logged(&watch, || {
            let span = tracing::info_span!("request", who = "Nguyễn Thị Thanh Trúc");
            let _in = span.enter();
            tracing::info!("answered");
        });
        assert_eq!(leaks.len(), 1, "{leaks:?}");
        // a token's signature alone
        let leaks = logged(&watch, || tracing::info!(header = "c2lnbmF0dXJlLXNpZ25hdHVyZS0xMjM0", "auth"));
        assert_eq!(leaks.len(), 1, "{leaks:?}");

        // masked numbers, request ids, counts and ordinary text are not leaks
        let clean = logged(&watch, || {
            tracing::info!(personal_id = "0312******01", "masked");
            tracing::info!(request_id = "5f0c2e8a-1b2c-4d3e-8f90-012345678901", "uuid");
            tracing::info!(elapsed_us = 1234567890123u64, rows = 100000, "timing");
            tracing::info!("student 42 created by school-a1");
        });
        assert!(clean.is_empty(), "{clean:?}");
    }

    #[test]
    fn registered_values_sharing_a_prefix_are_each_found_once_anywhere_in_a_line() {
        let mut secrets = Secrets::default();
        for v in ["Nguyễn Văn An", "Nguyễn Văn Anh", "Trần Thị Bích", "Lê Minh"] {
            secrets.insert(v);
        }
        secrets.insert("Nguyễn Văn An");
        let line = "a=Nguyễn Văn Anh b=Lê Minh c=Nguyễn Văn Anh";
        let mut found = secrets.found_in(line);
        found.sort_unstable();
        assert_eq!(found, vec!["Lê Minh", "Nguyễn Văn An", "Nguyễn Văn Anh"]);
        assert!(secrets.found_in("Trần Thị Bíc").is_empty(), "a value cut short is not one");
        assert_eq!(secrets.found_in("…Trần Thị Bích"), vec!["Trần Thị Bích"]);
    }

    #[test]
    fn assert_clean_fails_on_a_leak() {
        let watch = Arc::new(Watch::default());
        logged(&watch, || ());
        watch.scan("GET /api/v1/students?q=031214009902 200");
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| watch.assert_clean()));
        assert!(caught.is_err(), "a leak fails the test");
        watch.assert_clean();
    }

    #[test]
    fn id_shaped_numbers_stand_alone() {
        assert_eq!(id_shaped_numbers("id=031214009901, x"), vec!["031214009901"]);
        assert!(id_shaped_numbers("0312140099011").is_empty(), "13 digits");
        assert!(id_shaped_numbers("ab031214009901").is_empty());
        assert!(id_shaped_numbers("-031214009901").is_empty());
        assert!(id_shaped_numbers("131214009901").is_empty(), "not starting with 0");
    }
}
