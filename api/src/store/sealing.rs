//! ID numbers at rest, whole-database work: what the start-up check needs to know
//! ([`stored_keys`], kept in a table; [`scan_keys`] reads the values), and sealing a database written before the keys ([`encrypt_existing`]).
//! Row by row sealing lives with each table (`people::sealed`).

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};

use super::entities::people;
use super::{StoreError, StoreResult};
use crate::crypto::{BlindIndex, KeyId, KeyRing, StoredKeys, key_id_of};

/// The sealed text columns (`table`, `column`): their values start `dd1:<key id>:`.
const SEALED_COLUMNS: &[(&str, &str)] =
    &[("people", "personal_id"), ("people", "norm_personal_id"), ("people", "outcome")];

/// The key ids the database's sealed values use, as the table `sealing_key_ids` lists them:
/// every id in use, and perhaps one that no value uses any more (a process adds its keys' ids,
/// [`register_keys`], before it seals anything, whether it then seals or not). A database from
/// before the table is scanned once ([`scan_keys`]) to fill it. One small read instead of a
/// read of every sealed value (7.7 s of an 8.4 s start at 1,000,000 students).
pub async fn stored_keys(db: &DatabaseConnection) -> StoreResult<StoredKeys> {
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(backend, "SELECT kind, key_id FROM sealing_key_ids".to_owned()))
        .await?;
    let mut out = StoredKeys::default();
    let mut scanned = false;
    for row in rows {
        let kind: String = row.try_get("", "kind")?;
        let id: String = row.try_get("", "key_id")?;
        let parsed = || KeyId::parse(&id).ok_or_else(|| StoreError::Corrupt(format!("sealing_key_ids: {kind} {id:?}")));
        match kind.as_str() {
            "scan" => scanned = true,
            "data" => _ = out.data_key_ids.insert(parsed()?),
            "index" => _ = out.index_key_ids.insert(parsed()?),
            _ => return Err(StoreError::Corrupt(format!("sealing_key_ids: kind {kind:?}"))),
        }
    }
    if !scanned {
        out = scan_keys(db).await?;
        replace_stored_keys(db, &out).await?;
    }
    Ok(out)
}

/// Makes `sealing_key_ids` list exactly `keys` (a [`scan_keys`] result), marked as scanned.
/// A process that registered another id between that scan and this write loses its row (it
/// adds it again at its next start): two processes sealing with different keys while a third
/// scans is not a configuration this supports.
pub async fn replace_stored_keys(db: &DatabaseConnection, keys: &StoredKeys) -> StoreResult<()> {
    use sea_orm::TransactionTrait;
    let backend = db.get_database_backend();
    // key ids print as 8 hex digits: written into the statement as they are
    let mut values = vec!["('scan', '')".to_owned()];
    values.extend(keys.data_key_ids.iter().map(|id| format!("('data', '{id}')")));
    values.extend(keys.index_key_ids.iter().map(|id| format!("('index', '{id}')")));
    let txn = db.begin().await?;
    txn.execute_raw(Statement::from_string(backend, "DELETE FROM sealing_key_ids".to_owned())).await?;
    txn.execute_raw(Statement::from_string(
        backend,
        // two instances starting at once on a database never scanned both scan and write: the
        // second waits for the first's rows and keeps them (the same scan's result)
        format!("INSERT INTO sealing_key_ids (kind, key_id) VALUES {} ON CONFLICT DO NOTHING", values.join(", ")),
    ))
    .await?;
    txn.commit().await?;
    Ok(())
}

/// [`scan_keys`], written over `sealing_key_ids` ([`replace_stored_keys`]) with the ids of the
/// keys `ring` seals with added back ([`register_keys`]): after a pass that sealed everything
/// again, or when the table lists an id the values may no longer use.
pub async fn rescan_keys(db: &DatabaseConnection, ring: &KeyRing) -> StoreResult<StoredKeys> {
    let scanned = scan_keys(db).await?;
    replace_stored_keys(db, &scanned).await?;
    register_keys(db, ring).await?;
    Ok(scanned)
}

/// Adds the ids of the keys `ring` seals with (its first data key, its index key) to
/// `sealing_key_ids`: done at start, after the start-up check, before the process seals anything.
pub async fn register_keys(db: &DatabaseConnection, ring: &KeyRing) -> StoreResult<()> {
    let backend = db.get_database_backend();
    let sql = format!(
        "INSERT INTO sealing_key_ids (kind, key_id) VALUES ('data', '{}'), ('index', '{}') ON CONFLICT DO NOTHING",
        ring.current_key_id(),
        ring.index_key_id()
    );
    db.execute_raw(Statement::from_string(backend, sql)).await?;
    Ok(())
}

/// The data key ids of the sealed values and the index key ids of the blind indexes the
/// database holds, read from the values themselves (distinct values only: a few rows each,
/// but every sealed column of every record read).
pub async fn scan_keys<C: ConnectionTrait>(conn: &C) -> StoreResult<StoredKeys> {
    let backend = conn.get_database_backend();
    let mut out = StoredKeys::default();
    for (table, column) in SEALED_COLUMNS {
        // JSON columns hold sealed strings inside: find the key ids after each `"dd1:`
        let sql = if *column == "outcome" {
            format!(
                "SELECT DISTINCT SUBSTR({column}, INSTR({column}, '\"dd1:') + 1, 12) AS v FROM {table} \
                 WHERE {column} LIKE '%\"dd1:%'"
            )
        } else {
            format!("SELECT DISTINCT SUBSTR({column}, 1, 12) AS v FROM {table} WHERE {column} LIKE 'dd1:%'")
        };
        let sql = if backend == sea_orm::DatabaseBackend::Postgres {
            sql.replace("INSTR(outcome, ", "STRPOS(outcome, ")
        } else {
            sql
        };
        for row in conn.query_all_raw(Statement::from_string(backend, sql)).await? {
            let v: String = row.try_get("", "v")?;
            if let Some(id) = key_id_of(&format!("{v}:")) {
                out.data_key_ids.insert(id);
            }
        }
    }
    let sql =
        "SELECT DISTINCT SUBSTR(personal_id_index, 1, 8) AS v FROM people WHERE personal_id_index LIKE '________:%'";
    for row in conn.query_all_raw(Statement::from_string(backend, sql.to_owned())).await? {
        let v: String = row.try_get("", "v")?;
        if let Some(id) = KeyId::parse(&v) {
            out.index_key_ids.insert(id);
        }
    }
    Ok(out)
}

/// `n` ids of `table` (a `BIGSERIAL`/`AUTOINCREMENT` primary key `id`) taken before the rows
/// are inserted, so that their sealed values can name their row: PostgreSQL's sequence, or on
/// SQLite (one writer at a time) the ids after the largest.
pub async fn reserve_ids<C: ConnectionTrait>(conn: &C, table: &str, n: usize) -> StoreResult<Vec<i64>> {
    let backend = conn.get_database_backend();
    if backend == sea_orm::DatabaseBackend::Postgres {
        // the sequence is looked up once (MATERIALIZED): named in the select list, the lookup
        // ran for every id and took nine tenths of the time (117 against 17 ms for 35,000)
        let sql = format!(
            "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence('{table}', 'id')::regclass AS seq) \
             SELECT nextval(s.seq) AS id FROM s, generate_series(1, {n})"
        );
        let rows = conn.query_all_raw(Statement::from_string(backend, sql)).await?;
        return rows.iter().map(|r| r.try_get::<i64>("", "id").map_err(StoreError::from)).collect();
    }
    let sql = format!(
        "SELECT MAX(COALESCE((SELECT MAX(id) FROM {table}), 0), \
         COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0)) AS id"
    );
    let last: i64 = match conn.query_one_raw(Statement::from_string(backend, sql)).await? {
        Some(row) => row.try_get("", "id")?,
        None => 0,
    };
    Ok((1..=n as i64).map(|k| last + k).collect())
}

/// What [`encrypt_existing`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct EncryptReport {
    /// Records scanned.
    pub scanned: u64,
    /// Records whose values were sealed (or whose index was rebuilt).
    pub sealed: u64,
    /// Audit events whose ID numbers were sealed.
    pub audit_events: u64,
}

impl std::fmt::Display for EncryptReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} records sealed ({} scanned), {} audit events", self.sealed, self.scanned, self.audit_events)
    }
}

/// True when the record holds a value in clear, or sealed by a data key that no longer
/// encrypts (`ring`'s first), or a lookup key not made by `ring`'s index key.
fn needs_sealing(p: &people::Model, ring: &KeyRing) -> bool {
    let stale = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.is_empty() && !ring.is_current(v));
    stale(&p.personal_id)
        || stale(&p.norm_personal_id)
        || p.personal_id_index.as_deref().is_some_and(|k| BlindIndex::key_id(k) != Some(ring.index_key_id()))
        || outcome_in_clear(&p.outcome)
        || outcome_sealed_by_another_key(&p.outcome, ring)
}

/// The outcome holds a value sealed by a data key other than the one that encrypts.
fn outcome_sealed_by_another_key(text: &str, ring: &KeyRing) -> bool {
    let current = format!("\"{}{}:", crate::crypto::format::PREFIX, ring.current_key_id());
    text.matches("\"dd1:").count() != text.matches(current.as_str()).count()
}

/// The outcome holds a normalised ID number or an ID repair that is not sealed.
fn outcome_in_clear(text: &str) -> bool {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(text) else { return false };
    let sealed = |v: &serde_json::Value| v.is_null() || v.as_str().is_some_and(crate::crypto::is_encrypted);
    if !sealed(doc.pointer("/normalized/personalId").unwrap_or(&serde_json::Value::Null)) {
        return true;
    }
    doc.get("findings").and_then(|f| f.as_array()).is_some_and(|findings| {
        findings
            .iter()
            .filter(|f| f.get("field").and_then(|v| v.as_str()) == Some("personalId"))
            .any(|f| ["from", "to"].iter().any(|k| f.get("fix").and_then(|x| x.get(*k)).is_some_and(|v| !sealed(v))))
    })
}

/// Seals, in place, the ID numbers a database holds in clear (written before it had keys), in
/// transactions of `batch` records, resumable: a record already sealed is skipped, so an
/// interrupted run starts again where it stopped. `progress(done, sealed)` after each batch.
pub async fn encrypt_existing(
    db: &DatabaseConnection,
    ring: &KeyRing,
    batch: u64,
    mut progress: impl FnMut(u64, u64),
) -> StoreResult<EncryptReport> {
    let mut report = EncryptReport::default();
    let mut after_id = 0i64;
    loop {
        // A batch that loses a deadlock to the running service (PostgreSQL aborts one of the
        // two) is read and sealed again: nothing of it was written.
        let mut sealed = seal_batch(db, ring, after_id, batch).await;
        for attempt in 1..=5u64 {
            let Err(StoreError::Db(e)) = &sealed else { break };
            tracing::warn!(error = %e, attempt, after_id, "sealing a batch of records failed; retrying");
            tokio::time::sleep(std::time::Duration::from_millis(50 * attempt)).await;
            sealed = seal_batch(db, ring, after_id, batch).await;
        }
        let Some(done) = sealed? else { break };
        after_id = done.last_id;
        report.scanned += done.scanned;
        report.sealed += done.sealed;
        progress(report.scanned, report.sealed);
    }
    report.audit_events = seal_audit_values(db, ring, batch).await?;
    Ok(report)
}

/// What one batch of [`encrypt_existing`] did.
struct BatchSealed {
    last_id: i64,
    scanned: u64,
    sealed: u64,
}

/// Seals the records of the batch after `after_id` in one transaction; `None` past the last.
async fn seal_batch(
    db: &DatabaseConnection,
    ring: &KeyRing,
    after_id: i64,
    batch: u64,
) -> StoreResult<Option<BatchSealed>> {
    let txn = super::begin_write(db).await?;
    // locked (PostgreSQL; SQLite's write transaction holds the database): a record the service
    // changes meanwhile is re-sealed after that change, never written back as read
    let rows = people::Entity::find()
        .filter(people::Column::Id.gt(after_id))
        .order_by_asc(people::Column::Id)
        .limit(batch.max(1))
        .lock_exclusive()
        .all(&txn)
        .await?;
    let Some(last_id) = rows.last().map(|p| p.id) else {
        // nothing past the last batch: the transaction ends here, not when it is dropped
        txn.rollback().await?;
        return Ok(None);
    };
    let mut done = BatchSealed { last_id, scanned: 0, sealed: 0 };
    for p in rows {
        done.scanned += 1;
        if !needs_sealing(&p, ring) {
            continue;
        }
        let id = p.id;
        let personal_id = super::people::personal_id_of(&p)?;
        let norm = super::people::norm_personal_id_of(&p)?;
        let outcome = super::people::open_outcome_text(id, &p.outcome)?.into_owned();
        let mut active: people::ActiveModel = p.into();
        active.personal_id = Set(personal_id);
        active.norm_personal_id = Set(norm);
        active.outcome = Set(outcome);
        // the entity's hook seals what is set, and rebuilds the index under `ring`'s key
        active.update(&txn).await.map_err(StoreError::from)?;
        done.sealed += 1;
    }
    txn.commit().await?;
    Ok(Some(done))
}

/// Seals the audit's ID numbers written in clear or by another data key, in batches.
async fn seal_audit_values(db: &DatabaseConnection, ring: &KeyRing, batch: u64) -> StoreResult<u64> {
    use super::entities::audit_events;
    let mut sealed = 0;
    let mut after_id = 0i64;
    loop {
        let txn = super::begin_write(db).await?;
        let rows = audit_events::Entity::find()
            .filter(audit_events::Column::Field.eq(super::audit::SEALED_FIELD))
            .filter(audit_events::Column::Action.ne("export"))
            .filter(audit_events::Column::Id.gt(after_id))
            .order_by_asc(audit_events::Column::Id)
            .limit(batch.max(1))
            .all(&txn)
            .await?;
        let Some(last) = rows.last() else {
            txn.rollback().await?;
            break;
        };
        after_id = last.id;
        for e in rows {
            let stale = |v: &Option<String>| v.as_deref().is_some_and(|v| !ring.is_current(v));
            if !stale(&e.old_value) && !stale(&e.new_value) {
                continue;
            }
            let id = e.id;
            let open = super::audit::open(e)?;
            let seal = |column: &str, v: Option<String>| -> StoreResult<Option<String>> {
                v.map(|v| {
                    ring.encrypt(&crate::crypto::Aad::new("audit_events", column, id), &v)
                        .map_err(|err| StoreError::corrupt(format_args!("audit_events.{column} of {id}"), err))
                })
                .transpose()
            };
            let old_value = seal("old_value", open.old_value.clone())?;
            let new_value = seal("new_value", open.new_value.clone())?;
            let mut active: audit_events::ActiveModel = open.into();
            active.old_value = Set(old_value);
            active.new_value = Set(new_value);
            active.update(&txn).await?;
            sealed += 1;
        }
        txn.commit().await?;
    }
    Ok(sealed)
}

/// True when some record or audit event still holds an ID number in clear (a cheap probe
/// before [`encrypt_existing`], on every start with keys): answered from two partial indexes
/// that hold exactly such rows (migration `m20261207_000200`, whose predicates are repeated
/// here word for word so that the planners use them), not by reading every record.
pub async fn holds_clear_values<C: ConnectionTrait>(conn: &C) -> StoreResult<bool> {
    let backend = conn.get_database_backend();
    for sql in [
        format!("SELECT id FROM audit_events WHERE {} LIMIT 1", migration::CLEAR_AUDIT),
        format!("SELECT id FROM people WHERE {} LIMIT 1", migration::CLEAR_PEOPLE),
    ] {
        if conn.query_one_raw(sea_orm::Statement::from_string(backend, sql)).await?.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Seals a whole stored text (a JSON document holding ID numbers: an import row, a template
/// snapshot, a verification batch's body, the values sent) for its place: `table`, `column`
/// and the row's key. Without keys it is stored as it is.
pub fn seal_text(table: &str, column: &str, row: impl std::fmt::Display, clear: String) -> StoreResult<String> {
    match crate::crypto::installed() {
        Some(ring) => ring
            .encrypt(&crate::crypto::Aad::new(table, column, row), &clear)
            .map_err(|e| StoreError::corrupt(format_args!("{table}.{column}"), e)),
        None => Ok(clear),
    }
}

/// Opens a text sealed by [`seal_text`]; a clear one (a JSON document written before the keys)
/// reads as it is.
pub fn open_text<'a>(
    table: &str,
    column: &str,
    row: impl std::fmt::Display,
    stored: &'a str,
) -> StoreResult<std::borrow::Cow<'a, str>> {
    if !crate::crypto::is_encrypted(stored) {
        return Ok(std::borrow::Cow::Borrowed(stored));
    }
    // the row key printed once (a commit opens every planned row); the error's text only on error
    let row = row.to_string();
    let what = || format!("{table}.{column} of {row}");
    let ring = crate::crypto::installed()
        .ok_or_else(|| StoreError::corrupt(what(), "encrypted, and no keys are configured (data_keys, index_key)"))?;
    ring.decrypt(&crate::crypto::Aad::new(table, column, &row), stored)
        .map(std::borrow::Cow::Owned)
        .map_err(|e| StoreError::corrupt(what(), e))
}
