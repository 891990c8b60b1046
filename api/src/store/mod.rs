//! Persistence: the only module that touches sea-orm. Every read is scoped to the caller's
//! subtree here, and every change is audited here, in the same transaction as the change.
//! Database errors become domain errors in this module, so SQLite's and PostgreSQL's different
//! texts never reach handlers.

/// Runs `$body`, an expression that reads through `$conn`, planned for the values its statements
/// are given. One statement serves a school and the whole province, and after five runs of a
/// prepared statement PostgreSQL may keep a generic plan, made without the values: the name
/// search's generic plan guessed 48 units under the Department (there were 9,640) and looped
/// over them with an index scan each, 28 s for what a custom plan reads in 0.06 s; a district
/// office's search took 0.63 s and the Department's reasons 117 ms against 76–84 ms (5,000,000
/// students). On PostgreSQL the body runs in a read transaction with
/// `SET LOCAL plan_cache_mode = force_custom_plan` (three round trips more: for the statistics
/// and the lists, not for every statement, as planning each time cost a simple statement 0.05
/// to 0.09 ms more under `pgbench`); on SQLite on `$db` itself.
macro_rules! planned_read {
    ($db:expr, |$conn:ident| $body:expr) => {{
        let db: &sea_orm::DatabaseConnection = $db;
        if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            let txn = sea_orm::TransactionTrait::begin(db).await?;
            sea_orm::ConnectionTrait::execute_unprepared(&txn, "SET LOCAL plan_cache_mode = force_custom_plan").await?;
            let $conn = &txn;
            let out = $body;
            txn.commit().await?;
            out
        } else {
            let $conn = db;
            $body
        }
    }};
}

pub mod access_log;
pub mod accounts;
pub mod audit;
pub mod bulk;
pub mod campaigns;
pub mod class_changes;
pub mod classes;
pub mod counters;
pub mod entities;
pub mod fixes;
pub mod imports;
pub mod people;
pub mod personal_data;
pub mod retention;
pub mod rollovers;
pub mod sealing;
pub mod stats;
pub mod template_exports;
pub mod templates;
pub mod transfers;
pub mod unit_changes;
pub mod unit_imports;
pub mod units;
pub mod users;
pub mod verification;

use sea_orm::{DatabaseConnection, DbErr, SqlErr};

use crate::error::FieldError;

/// What a store call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Missing, deleted or outside the caller's scope: the caller cannot tell which.
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken (a field, when known, and a Vietnamese message).
    #[error("conflict: {message}")]
    Conflict { pointer: Option<String>, message: String },
    /// Optimistic concurrency: the record changed since the caller read it.
    #[error("version conflict (current {current})")]
    VersionConflict { current: i32 },
    /// Input that the store refuses, field by field.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// The record's current state does not allow this action (409 `conflict`, the field error
    /// saying which state and why).
    #[error("not in a state that allows this")]
    State(FieldError),
    /// An id in the body or the query that names nothing the caller sees (404 `not_found`, the
    /// field error naming the field), as a path id that names nothing.
    #[error("names nothing in scope")]
    Missing(FieldError),
    /// The write would bring `error` findings the record did not have (and was not forced).
    #[error("would worsen the record")]
    WouldWorsen(Vec<crate::rules::Finding>),
    /// The write would change what the registry verified, without the caller's confirmation.
    #[error("changes a verified record without confirmation")]
    VerifiedUnconfirmed { fields: Vec<String> },
    /// A dry run of a verification request: what it would send (not an error to the caller).
    #[error("dry run")]
    DryRun(Box<crate::store::verification::SendCounts>),
    /// A verification request whose scope holds nothing to send (the counts say why).
    #[error("nothing to send")]
    NothingToSend(Box<crate::store::verification::SendCounts>),
    /// In scope for reading but not for this change.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// A stored value that does not read back (a JSON column that does not parse, a status no
    /// longer known): never replaced by a default, always an error (logged where it is found).
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Db(DbErr),
}

/// A database error that says the database is busy rather than that the request is wrong:
/// SQLite's write lock (or this process's writer connection) still held when the busy timeout
/// ran out (a long import commit holds it), a PostgreSQL deadlock, lock timeout or
/// serialization failure. The request can be sent again as it is.
pub fn is_busy(err: &DbErr) -> bool {
    use sea_orm::{ConnAcquireErr, RuntimeErr, sqlx};
    // no connection came free in time (the writer connection behind a long commit, or a pool
    // exhausted)
    if matches!(err, DbErr::ConnectionAcquire(ConnAcquireErr::Timeout)) {
        return true;
    }
    let (DbErr::Exec(RuntimeErr::SqlxError(e))
    | DbErr::Query(RuntimeErr::SqlxError(e))
    | DbErr::Conn(RuntimeErr::SqlxError(e))) = err
    else {
        return false;
    };
    match &**e {
        // SQLITE_BUSY (5) and SQLITE_LOCKED (6), with their extended codes; PostgreSQL's
        // serialization failure, deadlock and lock timeout
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            let code = code.as_ref();
            matches!(code, "40001" | "40P01" | "55P03") || code.parse::<i64>().is_ok_and(|n| matches!(n & 0xff, 5 | 6))
        }),
        sqlx::Error::PoolTimedOut => true,
        _ => false,
    }
}

/// Reads a stored text value into its type (`parse` gives `None` for an unknown value): the one
/// way enum-like columns are read, so an unknown value is [`StoreError::Corrupt`], never a
/// default. `what` names the column and row for the log.
pub fn read_stored<T>(
    what: impl std::fmt::Display,
    value: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> StoreResult<T> {
    parse(value).ok_or_else(|| StoreError::corrupt(what, format_args!("unknown value {value:?}")))
}

/// Reads a stored JSON column into its type; one that does not parse is [`StoreError::Corrupt`].
pub fn read_json<T: serde::de::DeserializeOwned>(what: impl std::fmt::Display, json: &str) -> StoreResult<T> {
    serde_json::from_str(json).map_err(|e| StoreError::corrupt(what, e))
}

impl StoreError {
    /// A stored value of `what` that does not parse; logs it (without the value itself, which
    /// may hold an ID number).
    pub fn corrupt(what: impl std::fmt::Display, err: impl std::fmt::Display) -> StoreError {
        tracing::error!(%what, error = %err, "a stored value does not read back");
        StoreError::Corrupt(format!("{what}: {err}"))
    }
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> StoreError {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::Conflict {
                pointer: None,
                message: "Giá trị này đã tồn tại ở một bản ghi khác.".to_owned(),
            },
            _ => StoreError::Db(err),
        }
    }
}

impl StoreError {
    pub fn state(pointer: &str, code: &str, message: impl Into<String>) -> StoreError {
        StoreError::State(FieldError { pointer: pointer.to_owned(), code: code.to_owned(), message: message.into() })
    }

    pub fn missing(pointer: &str, message: impl Into<String>) -> StoreError {
        StoreError::Missing(FieldError {
            pointer: pointer.to_owned(),
            code: "not_found".to_owned(),
            message: message.into(),
        })
    }

    pub fn invalid(pointer: &str, code: &str, message: impl Into<String>) -> StoreError {
        StoreError::Invalid(vec![FieldError {
            pointer: pointer.to_owned(),
            code: code.to_owned(),
            message: message.into(),
        }])
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Begins a transaction that writes. On SQLite it takes the write lock at `BEGIN IMMEDIATE`
/// (waiting out the busy timeout), so a transaction that reads before it writes cannot fail
/// with "database is locked" (SQLITE_BUSY_SNAPSHOT) when a worker or another instance committed
/// in between; PostgreSQL ignores the option.
/// On a SQLite file it is taken on the process's writer connection ([`crate::db::sqlite_writer`]),
/// so the process's write transactions queue in order instead of polling the lock.
pub async fn begin_write(db: &sea_orm::DatabaseConnection) -> Result<sea_orm::DatabaseTransaction, DbErr> {
    use sea_orm::TransactionTrait;
    let options = sea_orm::TransactionOptions {
        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
        ..Default::default()
    };
    match crate::db::sqlite_writer(db) {
        Some(writer) => writer.begin_with_options(options).await,
        None => db.begin_with_options(options).await,
    }
}

/// Values per `IN (…)` list sent to the database: SQLite allows 32,766 variables per
/// statement and PostgreSQL 65,535 binds, so a list a client sends is always cut.
pub const IN_CHUNK: usize = 1_000;

/// Ids of the people matching `cond`, ascending; with `only`, among those ids (asked chunk by
/// chunk, never one `IN (…)` longer than [`IN_CHUNK`]).
pub async fn ids_matching<C: sea_orm::ConnectionTrait>(
    conn: &C,
    cond: sea_orm::Condition,
    only: Option<&[i64]>,
) -> StoreResult<Vec<i64>> {
    use crate::store::entities::people;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    let query = |cond: sea_orm::Condition| {
        people::Entity::find()
            .select_only()
            .column(people::Column::Id)
            .filter(cond)
            .order_by_asc(people::Column::Id)
            .into_tuple::<i64>()
    };
    let Some(only) = only else {
        return Ok(query(cond).all(conn).await?);
    };
    let mut wanted = only.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    let mut out = Vec::new();
    for chunk in wanted.chunks(IN_CHUNK) {
        out.extend(query(cond.clone().add(people::Column::Id.is_in(chunk.iter().copied()))).all(conn).await?);
    }
    Ok(out)
}

/// Handle to the database shared by handlers and workers.
#[derive(Clone, Debug)]
pub struct Store {
    pub db: DatabaseConnection,
}

impl Store {
    pub fn new(db: DatabaseConnection) -> Store {
        Store { db }
    }
}

#[cfg(test)]
mod busy_tests {
    use sea_orm::{ConnectOptions, ConnectionTrait, Database};

    async fn pool(url: &str) -> sea_orm::DatabaseConnection {
        let mut options = ConnectOptions::new(url);
        options.max_connections(1).min_connections(1).sqlx_logging(false);
        Database::connect(options).await.expect("connect")
    }

    #[tokio::test]
    async fn a_write_lock_held_elsewhere_is_busy_and_a_constraint_is_not() {
        let dir = std::env::temp_dir().join(format!("dinhdanh-busy-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("dir");
        let url = format!("sqlite://{}?mode=rwc", dir.join("busy.db").display());
        let holder = pool(&url).await;
        holder.execute_unprepared("CREATE TABLE t (x INTEGER PRIMARY KEY)").await.expect("table");
        let other = pool(&url).await;
        other.execute_unprepared("PRAGMA busy_timeout = 0").await.expect("no wait");
        // a long commit elsewhere holds the write lock
        let txn = super::begin_write(&holder).await.expect("begin");
        txn.execute_unprepared("INSERT INTO t (x) VALUES (1)").await.expect("insert");
        let err = other.execute_unprepared("INSERT INTO t (x) VALUES (2)").await.expect_err("locked");
        assert!(super::is_busy(&err), "{err}");
        txn.commit().await.expect("commit");
        // once it is free, a wrong request is not "busy"
        let err = other.execute_unprepared("INSERT INTO t (x) VALUES (1)").await.expect_err("duplicate key");
        assert!(!super::is_busy(&err), "{err}");
        other.execute_unprepared("INSERT INTO t (x) VALUES (2)").await.expect("free again");
        drop((holder, other));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn waiting_too_long_for_a_connection_is_busy() {
        // the writer connection held past the busy timeout answers 503, as the lock did
        assert!(super::is_busy(&sea_orm::DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout)));
        assert!(!super::is_busy(&sea_orm::DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::ConnectionClosed)));
    }

    #[tokio::test]
    async fn the_process_writers_queue_instead_of_meeting_the_lock() {
        let dir = std::env::temp_dir().join(format!("dinhdanh-writers-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("dir");
        let url = format!("sqlite://{}?mode=rwc", dir.join("writers.db").display());
        // a pool of several connections that never waits for the lock: two write transactions
        // meeting at SQLite's lock would fail at once
        let mut options = ConnectOptions::new(&url);
        options
            .max_connections(4)
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(|o| o.busy_timeout(std::time::Duration::ZERO));
        let db = Database::connect(options).await.expect("connect");
        db.execute_unprepared("CREATE TABLE t (x INTEGER PRIMARY KEY)").await.expect("table");
        let first = super::begin_write(&db).await.expect("begin");
        first.execute_unprepared("INSERT INTO t (x) VALUES (1)").await.expect("insert");
        let (asked, asking) = tokio::sync::oneshot::channel();
        let second = {
            let db = db.clone();
            tokio::spawn(async move {
                let _ = asked.send(());
                let txn = super::begin_write(&db).await?;
                // it starts when the first has committed, and sees its row
                let seen = txn
                    .query_one_raw(sea_orm::Statement::from_string(
                        db.get_database_backend(),
                        "SELECT COUNT(*) AS n FROM t",
                    ))
                    .await?
                    .map(|row| row.try_get::<i64>("", "n"))
                    .transpose()?;
                txn.execute_unprepared("INSERT INTO t (x) VALUES (2)").await?;
                txn.commit().await?;
                Ok::<_, sea_orm::DbErr>(seen)
            })
        };
        asking.await.expect("the second writer asked");
        first.commit().await.expect("commit");
        assert_eq!(second.await.expect("task").expect("the second writer waited its turn"), Some(1));
        // a reader is not queued behind writers
        let n: Option<i64> = db
            .query_one_raw(sea_orm::Statement::from_string(db.get_database_backend(), "SELECT COUNT(*) AS n FROM t"))
            .await
            .expect("read")
            .map(|row| row.try_get("", "n"))
            .transpose()
            .expect("n");
        assert_eq!(n, Some(2));
        db.close().await.expect("close");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
