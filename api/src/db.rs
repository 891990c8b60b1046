//! Connecting to the database chosen by the URL's scheme, and migrating it.
//! SQLite runs in WAL mode with a busy timeout and foreign keys on every pooled connection.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, DbErr};

use crate::config::Settings;

/// A pooled connection idle this long is pinged before it is handed out (one a server, proxy
/// or firewall may have dropped); a busier one is not.
pub const PING_IF_IDLE_FOR: Duration = Duration::from_secs(10);

/// Settings of every PostgreSQL session the pool opens (added to any `options` of the URL).
/// JIT compilation is for long reports: `EXPLAIN ANALYZE` of a name search whose estimate
/// crossed its threshold reported 1.8 s of compiling (summed over its three processes) for an
/// execution of 0.98 s.
pub const POSTGRES_SESSION: [(&str, &str); 1] = [("jit", "off")];

/// Opens a pool on `settings.database_url`, creating the SQLite file's folder when needed.
pub async fn connect(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    connect_url(&settings.database_url, settings.database_max_connections).await
}

/// Opens a pool of at most `max_connections` on any database URL (also the registry
/// simulator's own database), creating the SQLite file's folder when needed.
pub async fn connect_url(url: &str, max_connections: u32) -> anyhow::Result<DatabaseConnection> {
    if let Some(path) = sqlite_file_path(url)
        && let Some(dir) = std::path::Path::new(&path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("cannot create the folder {}: {e}", dir.display()))?;
    }
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(max_connections.max(1))
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        // a connection handed out again within seconds is alive: checking it cost a round trip
        // to the database (PostgreSQL) or to the connection's thread (SQLite) before every
        // statement outside a transaction
        .test_before_acquire_if_idle_for(PING_IF_IDLE_FOR)
        .sqlx_logging(false)
        .map_sqlx_postgres_opts(|opts| opts.options(POSTGRES_SESSION))
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                // a connection's thread hands a query's rows over without waiting for each to
                // be taken (50 by default: a page of records stalled it for every row)
                .row_buffer_size(1024)
                .foreign_keys(true)
                .create_if_missing(true)
        });
    let db = Database::connect(options)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database ({}): {e}", redact_url(url)))?;
    Ok(db)
}

/// Applies every pending migration. On PostgreSQL, several instances may start at once on one
/// database: one migrates while the others wait (see [`migrate_exclusively`]).
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    match db.get_database_backend() {
        DbBackend::Postgres => migrate_exclusively(db).await,
        DbBackend::Sqlite => {
            // the same for processes sharing a SQLite file: a lock file beside it
            let file = db.get_sqlite_connection_pool().connect_options().get_filename().to_path_buf();
            let _lock = lock_beside(&file).await?;
            Migrator::up(db, None).await
        }
        _ => Migrator::up(db, None).await,
    }
}

/// An exclusive lock on `<database file>.migrate-lock` (none for an in-memory database), held
/// until the answer is dropped; waiting for it does not block the runtime.
async fn lock_beside(database: &std::path::Path) -> Result<Option<std::fs::File>, DbErr> {
    if database.as_os_str().is_empty() || database.as_os_str() == ":memory:" {
        return Ok(None);
    }
    let mut path = database.as_os_str().to_owned();
    path.push(".migrate-lock");
    let waited = tokio::task::spawn_blocking(move || {
        let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path)?;
        file.lock()?;
        Ok::<_, std::io::Error>(file)
    })
    .await
    .map_err(|e| DbErr::Custom(format!("waiting for another instance's migrations: {e}")))?;
    waited.map(Some).map_err(|e| DbErr::Custom(format!("locking the database file for migrations: {e}")))
}

/// The advisory lock key that serialises migrations on PostgreSQL ("dinhdanh" in ASCII).
const MIGRATION_LOCK: i64 = 0x6469_6e68_6461_6e68;

/// Migrates while holding a session advisory lock on a connection of its own (outside the
/// pool, so a pool of one connection still migrates): an instance that starts beside another
/// waits until the first has migrated, then finds nothing pending. The lock goes with its
/// connection, also when migrating fails or the process dies.
async fn migrate_exclusively(db: &DatabaseConnection) -> Result<(), DbErr> {
    use sea_orm::sqlx::{Connection, PgConnection};
    let failed = |what: &str, e: sea_orm::sqlx::Error| DbErr::Custom(format!("{what}: {e}"));
    let options = db.get_postgres_connection_pool().connect_options();
    let mut lock =
        PgConnection::connect_with(&options).await.map_err(|e| failed("connecting to lock migrations", e))?;
    sea_orm::sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut lock)
        .await
        .map_err(|e| failed("waiting for another instance's migrations", e))?;
    let migrated = Migrator::up(db, None).await;
    // closing the connection releases the lock whatever the unlock answers
    let _ = sea_orm::sqlx::query("SELECT pg_advisory_unlock($1)").bind(MIGRATION_LOCK).execute(&mut lock).await;
    let _ = lock.close().await;
    migrated
}

/// The connection through which this process writes to a SQLite file: a pool of one, so the
/// process's write transactions ([`crate::store::begin_write`]) queue for it in the order they
/// asked (sqlx's pool is fair) and each starts the moment the last one ends. Without it they
/// met at SQLite's write lock, where a loser sleeps in the busy handler (1, 2, 5, 10 ms…)
/// however soon the lock frees, and a busy stream of writers (the verification worker) left
/// the others waiting out their timeouts. Readers keep the main pool. `None` for PostgreSQL
/// (row locks, no single writer) and for in-memory databases. Waiting longer than the busy
/// timeout for it fails as busy (503 `unavailable`), as waiting for the lock did.
pub fn sqlite_writer(db: &DatabaseConnection) -> Option<DatabaseConnection> {
    use std::sync::Arc;
    if db.get_database_backend() != DbBackend::Sqlite {
        return None;
    }
    let options = db.get_sqlite_connection_pool().connect_options();
    let file = options.get_filename().to_string_lossy();
    if file.is_empty() || file == ":memory:" || file.starts_with("file:sqlx-in-memory") {
        return None;
    }
    let mut writers = WRITERS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    // a pool that is gone takes its writer with it
    writers.retain(|(of, _)| of.strong_count() > 0);
    if let Some((_, writer)) = writers.iter().find(|(of, _)| std::ptr::eq(of.as_ptr(), Arc::as_ptr(&options))) {
        return Some(writer.clone());
    }
    let pool = sea_orm::sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(0)
        .acquire_timeout(SQLITE_BUSY_TIMEOUT)
        .idle_timeout(Some(Duration::from_secs(60)))
        .connect_lazy_with((*options).clone());
    let writer = sea_orm::SqlxSqliteConnector::from_sqlx_sqlite_pool(pool);
    writers.push((Arc::downgrade(&options), writer.clone()));
    Some(writer)
}

type Writers = Vec<(std::sync::Weak<sea_orm::sqlx::sqlite::SqliteConnectOptions>, DatabaseConnection)>;
/// The writer connection of each open SQLite pool of the process (see [`sqlite_writer`]).
static WRITERS: std::sync::LazyLock<std::sync::Mutex<Writers>> = std::sync::LazyLock::new(Default::default);

/// Closes `db`'s writer connection, if it has one (a later write opens it again). For what
/// changes the schema on the pool's other connections (migrations run down and up in tests):
/// an open writer connection kept the schema it had read.
pub async fn close_sqlite_writer(db: &DatabaseConnection) {
    if db.get_database_backend() != DbBackend::Sqlite {
        return;
    }
    let options = db.get_sqlite_connection_pool().connect_options();
    let writer = {
        let mut writers = WRITERS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let at = writers.iter().position(|(of, _)| std::ptr::eq(of.as_ptr(), std::sync::Arc::as_ptr(&options)));
        at.map(|at| writers.remove(at).1)
    };
    if let Some(writer) = writer {
        let _ = writer.close().await;
    }
}

/// How long a SQLite write waits for the database (the busy timeout), and a write transaction
/// for this process's writer connection.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// A cheap query that proves the database answers.
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.ping().await
}

/// The file of a `sqlite://` URL, if it names one (not `:memory:`).
fn sqlite_file_path(url: &str) -> Option<String> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| path.to_owned())
}

/// The URL without its password, for messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths() {
        assert_eq!(sqlite_file_path("sqlite://var/dinhdanh.db?mode=rwc").as_deref(), Some("var/dinhdanh.db"));
        assert_eq!(sqlite_file_path("sqlite::memory:"), None);
        assert_eq!(sqlite_file_path("postgres://x@y/z"), None);
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact_url("postgres://app:s3cret@db:5432/dd"), "postgres://app:***@db:5432/dd");
        assert_eq!(redact_url("postgres://app@db/dd"), "postgres://app@db/dd");
    }
}
