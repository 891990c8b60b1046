//! Full recounts in SQL: rebuilding the counters, reading them, and measuring drift against a
//! recount.

use super::*;

/// The recount of `stat_counters` as a query, with its parameters: the SQL form of
/// [`person_tally`].
fn recount_counters_sql(backend: DbBackend) -> (String, Vec<Value>) {
    let present = |c: &str| format!("(p.{c} IS NOT NULL AND p.{c} <> '')");
    let flag = |cond: String, name: &str| format!("CASE WHEN {cond} THEN 1 ELSE 0 END AS {name}");
    let status = |s: VerificationStatus, name: &str| flag(format!("p.status = '{}'", s.as_str()), name);
    let mismatch = |field: &str, name: &str| {
        // REPLACE is case-sensitive on both backends (LIKE is not on SQLite).
        flag(
            format!(
                "p.status = 'mismatched' AND (',' || COALESCE(p.mismatch_fields, '') || ',') <> \
                 REPLACE(',' || COALESCE(p.mismatch_fields, '') || ',', ',{field},', '')"
            ),
            name,
        )
    };
    let mut values = Vec::new();
    let mut staff_year = String::from("CASE");
    for year in (FIRST_BUCKET_YEAR..=LAST_BUCKET_YEAR).rev() {
        staff_year.push_str(&format!(" WHEN p.verified_at >= ? THEN '{}-{}'", year, year + 1));
        values.push(Value::from(school_year_start(year)));
    }
    staff_year.push_str(&format!(" ELSE '{OLDER_BUCKET}' END"));
    let live_year = format!(
        "CASE WHEN p.kind = 'student' THEN COALESCE(c.school_year, '') \
         WHEN p.status = 'verified' AND p.verified_at IS NOT NULL THEN {staff_year} ELSE '' END"
    );
    let flags = [
        "1 AS total".to_owned(),
        flag(present("personal_id"), "with_personal_id"),
        flag("p.personal_id_valid = TRUE".to_owned(), "valid_personal_id"),
        flag("p.error_count = 0".to_owned(), "no_errors"),
        flag(
            format!(
                "{} AND {} AND {} AND {} AND (({} AND {}) OR {})",
                present("full_name"),
                present("date_of_birth"),
                present("gender"),
                present("personal_id"),
                present("res_province"),
                present("res_commune"),
                present("res_text")
            ),
            "complete",
        ),
        flag("p.error_count = 0 AND p.status = 'verified'".to_owned(), "correct"),
        flag("p.warning_count = 0 AND d.person_id IS NULL".to_owned(), "clean"),
        flag(
            "p.status = 'verified' AND p.verified_at IS NOT NULL AND p.verified_at >= p.identity_changed_at".to_owned(),
            "live",
        ),
        status(VerificationStatus::NotSent, "not_sent"),
        status(VerificationStatus::Queued, "queued"),
        status(VerificationStatus::Verified, "verified"),
        status(VerificationStatus::Mismatched, "mismatched"),
        status(VerificationStatus::NotFound, "not_found"),
        status(VerificationStatus::AwaitingEvidence, "awaiting_evidence"),
        status(VerificationStatus::Error, "send_failed"),
        mismatch(MISMATCH_FIELDS[0], "mm_full_name"),
        mismatch(MISMATCH_FIELDS[1], "mm_date_of_birth"),
        mismatch(MISMATCH_FIELDS[2], "mm_gender"),
        mismatch(MISMATCH_FIELDS[3], "mm_personal_id"),
        mismatch(MISMATCH_FIELDS[4], "mm_residence"),
    ];
    debug_assert_eq!(flags.len(), Tally::COLUMNS.len());
    let sums: Vec<String> = Tally::COLUMNS.iter().map(|c| format!("CAST(SUM(t.{c}) AS BIGINT) AS {c}")).collect();
    let sql = format!(
        "SELECT t.unit_id, t.class_id, t.kind, t.live_year, {sums} FROM (\
           SELECT p.unit_id AS unit_id, COALESCE(p.class_id, 0) AS class_id, p.kind AS kind, {live_year} AS live_year, {flags} \
           FROM people p \
           LEFT JOIN classes c ON c.id = p.class_id \
           LEFT JOIN (SELECT DISTINCT person_id FROM person_findings WHERE code = 'id_duplicate') d ON d.person_id = p.id \
           WHERE p.deleted_at IS NULL\
         ) t GROUP BY t.unit_id, t.class_id, t.kind, t.live_year",
        sums = sums.join(", "),
        flags = flags.join(", "),
    );
    let _ = backend;
    (sql, values)
}

const RECOUNT_REASONS_SQL: &str = "SELECT p.unit_id, p.kind, f.code, f.field, f.severity, COUNT(*) AS count \
     FROM person_findings f INNER JOIN people p ON p.id = f.person_id \
     WHERE p.deleted_at IS NULL AND f.severity IN ('error', 'warning') \
     GROUP BY p.unit_id, p.kind, f.code, f.field, f.severity";

/// [`rebuild`] in a transaction of its own, so readers never see the tables half rebuilt.
pub async fn rebuild_atomically(db: &DatabaseConnection) -> StoreResult<()> {
    let txn = crate::store::begin_write(db).await?;
    rebuild(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// Recounts every counter from `people` and `person_findings`, replacing what is stored. Bulk
/// inserts call this afterwards, inside their transaction (or use [`rebuild_atomically`]).
pub async fn rebuild<C: ConnectionTrait>(conn: &C) -> StoreResult<()> {
    let backend = conn.get_database_backend();
    conn.execute_unprepared("DELETE FROM stat_counters").await?;
    let (select, values) = recount_counters_sql(backend);
    let insert = format!(
        "INSERT INTO stat_counters (unit_id, class_id, kind, live_year, {}) {select}",
        Tally::COLUMNS.join(", ")
    );
    conn.execute_raw(statement(backend, &insert, values)).await?;
    conn.execute_unprepared("DELETE FROM stat_unit_counters").await?;
    let sums: Vec<String> = Tally::COLUMNS.iter().map(|c| format!("CAST(SUM({c}) AS BIGINT)")).collect();
    conn.execute_unprepared(&format!(
        "INSERT INTO stat_unit_counters (unit_id, kind, live_year, {}) \
         SELECT unit_id, kind, live_year, {} FROM stat_counters GROUP BY unit_id, kind, live_year",
        Tally::COLUMNS.join(", "),
        sums.join(", ")
    ))
    .await?;
    conn.execute_unprepared("DELETE FROM stat_reasons").await?;
    conn.execute_unprepared(&format!(
        "INSERT INTO stat_reasons (unit_id, kind, code, field, severity, count) {RECOUNT_REASONS_SQL}"
    ))
    .await?;
    Ok(())
}

/// Rebuilds the counters when they are empty but records exist (a database from before the
/// counters, or filled by a bulk path that did not rebuild). Called at start-up.
pub async fn ensure_built(db: &DatabaseConnection) -> StoreResult<bool> {
    let backend = db.get_database_backend();
    let has = |sql: &str| {
        let stmt = Statement::from_string(backend, sql.to_owned());
        async move { db.query_one_raw(stmt).await.map(|row| row.is_some()) }
    };
    if has("SELECT 1 FROM stat_counters LIMIT 1").await? {
        return Ok(false);
    }
    if !has("SELECT 1 FROM people WHERE deleted_at IS NULL LIMIT 1").await? {
        return Ok(false);
    }
    rebuild_atomically(db).await?;
    Ok(true)
}

/// Counter and reason rows, without rows whose counts are all zero.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CounterSet {
    pub counters: BTreeMap<CounterKey, Tally>,
    pub units: BTreeMap<UnitKey, Tally>,
    pub reasons: BTreeMap<ReasonKey, i64>,
}

fn tally_from_row(row: &sea_orm::QueryResult, offset: usize) -> Result<Tally, sea_orm::DbErr> {
    let mut values = Vec::with_capacity(Tally::COLUMNS.len());
    for i in 0..Tally::COLUMNS.len() {
        values.push(row.try_get_by::<i64, _>(offset + i)?);
    }
    Ok(Tally::from_values(&values))
}

async fn read_set<C: ConnectionTrait>(
    conn: &C,
    counters_stmt: Statement,
    reasons_stmt: Statement,
) -> StoreResult<CounterSet> {
    let mut set = CounterSet::default();
    for row in conn.query_all_raw(counters_stmt).await? {
        let key = CounterKey {
            unit_id: row.try_get_by::<i64, _>(0)?,
            class_id: row.try_get_by::<i64, _>(1)?,
            kind: row.try_get_by::<String, _>(2)?,
            live_year: row.try_get_by::<String, _>(3)?,
        };
        let tally = tally_from_row(&row, 4)?;
        if !tally.is_zero() {
            set.counters.insert(key, tally);
        }
    }
    for row in conn.query_all_raw(reasons_stmt).await? {
        let key = ReasonKey {
            unit_id: row.try_get_by::<i64, _>(0)?,
            kind: row.try_get_by::<String, _>(1)?,
            code: row.try_get_by::<String, _>(2)?,
            field: row.try_get_by::<String, _>(3)?,
            severity: row.try_get_by::<String, _>(4)?,
        };
        let count = row.try_get_by::<i64, _>(5)?;
        if count != 0 {
            set.reasons.insert(key, count);
        }
    }
    Ok(set)
}

/// What the counter tables hold now.
pub async fn stored<C: ConnectionTrait>(conn: &C) -> StoreResult<CounterSet> {
    let backend = conn.get_database_backend();
    let counters =
        format!("SELECT unit_id, class_id, kind, live_year, {} FROM stat_counters", Tally::COLUMNS.join(", "));
    let mut set = read_set(
        conn,
        Statement::from_string(backend, counters),
        Statement::from_string(
            backend,
            "SELECT unit_id, kind, code, field, severity, count FROM stat_reasons".to_owned(),
        ),
    )
    .await?;
    let units = format!("SELECT unit_id, kind, live_year, {} FROM stat_unit_counters", Tally::COLUMNS.join(", "));
    for row in conn.query_all_raw(Statement::from_string(backend, units)).await? {
        let key = UnitKey {
            unit_id: row.try_get_by::<i64, _>(0)?,
            kind: row.try_get_by::<String, _>(1)?,
            live_year: row.try_get_by::<String, _>(2)?,
        };
        let tally = tally_from_row(&row, 3)?;
        if !tally.is_zero() {
            set.units.insert(key, tally);
        }
    }
    Ok(set)
}

/// What a full recount gives now (nothing is written).
pub async fn recount<C: ConnectionTrait>(conn: &C) -> StoreResult<CounterSet> {
    let backend = conn.get_database_backend();
    let (select, values) = recount_counters_sql(backend);
    let mut set = read_set(
        conn,
        statement(backend, &select, values),
        Statement::from_string(backend, RECOUNT_REASONS_SQL.to_owned()),
    )
    .await?;
    for (key, tally) in &set.counters {
        set.units.entry(key.unit_key()).or_default().add(tally);
    }
    set.units.retain(|_, t| !t.is_zero());
    Ok(set)
}

/// Differences between the stored counters and a full recount, one line each; empty when they
/// agree.
pub async fn drift<C: ConnectionTrait>(conn: &C) -> StoreResult<Vec<String>> {
    let (stored, fresh) = (stored(conn).await?, recount(conn).await?);
    let mut out = Vec::new();
    let keys: BTreeSet<&CounterKey> = stored.counters.keys().chain(fresh.counters.keys()).collect();
    for key in keys {
        let (s, f) = (stored.counters.get(key), fresh.counters.get(key));
        if s != f {
            out.push(format!("counters {key:?}: stored {s:?}, recount {f:?}"));
        }
    }
    let keys: BTreeSet<&UnitKey> = stored.units.keys().chain(fresh.units.keys()).collect();
    for key in keys {
        let (s, f) = (stored.units.get(key), fresh.units.get(key));
        if s != f {
            out.push(format!("unit counters {key:?}: stored {s:?}, recount {f:?}"));
        }
    }
    let keys: BTreeSet<&ReasonKey> = stored.reasons.keys().chain(fresh.reasons.keys()).collect();
    for key in keys {
        let (s, f) = (stored.reasons.get(key), fresh.reasons.get(key));
        if s != f {
            out.push(format!("reasons {key:?}: stored {s:?}, recount {f:?}"));
        }
    }
    Ok(out)
}
