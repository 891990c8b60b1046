//! Progress counters kept in step with every change to `people`, so statistics need no full
//! scan. Every write path of the store calls [`apply_change`] in the same transaction as the
//! change, with the row before and after (`None` for a creation or a deletion); it adds the
//! difference to one or two rows of `stat_counters` (one per unit, class, population and school
//! year), of `stat_unit_counters` (the same summed over the unit's classes, so that a province
//! reads one row per unit rather than one per class) and of `stat_reasons` (one per unit,
//! population, finding code, field and severity), and writes nothing when the change moves no
//! count.
//!
//! Bulk paths (the demo seeder, benchmarks, repairs) insert rows directly and then call
//! [`rebuild`], a full recount in SQL. [`drift`] compares the counters with a recount without
//! changing anything. The per-record definitions live in [`person_tally`]; the SQL of the
//! recount states the same definitions and a test holds the two together.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, TimeZone, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter, Statement, Value,
};

use super::audit::{self, AuditCtx, Event};
use super::entities::{classes, people};
use super::{StoreError, StoreResult};
use crate::domain::clock::VIETNAM;
use crate::domain::org::VerificationStatus;
use crate::rules::Severity;
use crate::stats::{MISMATCH_FIELDS, Tally};

/// Staff verified before the school year starting in this year share one bucket.
const FIRST_BUCKET_YEAR: i32 = 2010;
/// Staff verified in or after the school year starting in this year share one bucket.
const LAST_BUCKET_YEAR: i32 = 2100;
/// The bucket of staff verified before [`FIRST_BUCKET_YEAR`].
const OLDER_BUCKET: &str = "older";

/// The row of `stat_counters` a record counts in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CounterKey {
    pub unit_id: i64,
    /// 0 when the record has no class.
    pub class_id: i64,
    /// `student` or `staff`.
    pub kind: String,
    /// The school year the record is current in: the class's year for students, the year of
    /// the verification for verified staff, '' otherwise.
    pub live_year: String,
}

/// The row of `stat_unit_counters` a record counts in: its [`CounterKey`] without the class.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnitKey {
    pub unit_id: i64,
    pub kind: String,
    pub live_year: String,
}

impl CounterKey {
    pub fn unit_key(&self) -> UnitKey {
        UnitKey { unit_id: self.unit_id, kind: self.kind.clone(), live_year: self.live_year.clone() }
    }
}

/// The row of `stat_reasons` a finding counts in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReasonKey {
    pub unit_id: i64,
    pub kind: String,
    pub code: String,
    pub field: String,
    /// `error` or `warning`.
    pub severity: String,
}

fn present(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| !s.is_empty())
}

/// Exactly 12 ASCII digits.
fn is_valid_personal_id(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()))
}

/// The school year (`2026-2027`) that starts on 1 August (Vietnam time) on or before `at`, as
/// staff buckets name it.
pub fn staff_bucket(at: DateTime<Utc>) -> String {
    let date = at.with_timezone(&VIETNAM).date_naive();
    let start = if date.month() >= 8 { date.year() } else { date.year() - 1 };
    if start < FIRST_BUCKET_YEAR {
        OLDER_BUCKET.to_owned()
    } else {
        let start = start.min(LAST_BUCKET_YEAR);
        format!("{}-{}", start, start + 1)
    }
}

/// 1 August of `year`, 00:00 in Vietnam, as a UTC instant.
fn school_year_start(year: i32) -> DateTime<Utc> {
    VIETNAM
        .with_ymd_and_hms(year, 8, 1, 0, 0, 0)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| DateTime::<Utc>::MIN_UTC)
}

/// Where an active record counts and what it adds: the definitions of every counter, per
/// record. `class_year` is the school year of the record's class (students).
pub fn person_tally(p: &people::Model, class_year: Option<&str>) -> StoreResult<(CounterKey, Tally)> {
    let status = p.status.as_str();
    let is = |s: VerificationStatus| i64::from(status == s.as_str());
    let verified = status == VerificationStatus::Verified.as_str();
    let mismatched = status == VerificationStatus::Mismatched.as_str();
    let mismatch = |field: &str| {
        i64::from(mismatched && p.mismatch_fields.as_deref().is_some_and(|m| m.split(',').any(|t| t == field)))
    };
    let complete = present(&p.full_name)
        && present(&p.date_of_birth)
        && present(&p.gender)
        && present(&p.personal_id)
        && ((present(&p.res_province) && present(&p.res_commune)) || present(&p.res_text));
    let duplicate = outcome_findings(p)?.iter().any(|(code, _, _)| code == "id_duplicate");
    let live = verified && p.verified_at.is_some_and(|v| v >= p.identity_changed_at);
    let live_year = if p.kind == "student" {
        class_year.unwrap_or("").to_owned()
    } else {
        match p.verified_at {
            Some(at) if verified => staff_bucket(at),
            _ => String::new(),
        }
    };
    let tally = Tally {
        total: 1,
        with_personal_id: i64::from(present(&p.personal_id)),
        valid_personal_id: i64::from(is_valid_personal_id(&p.norm_personal_id)),
        no_errors: i64::from(p.error_count == 0),
        complete: i64::from(complete),
        correct: i64::from(p.error_count == 0 && verified),
        clean: i64::from(p.warning_count == 0 && !duplicate),
        live: i64::from(live),
        not_sent: is(VerificationStatus::NotSent),
        queued: is(VerificationStatus::Queued),
        verified: is(VerificationStatus::Verified),
        mismatched: is(VerificationStatus::Mismatched),
        not_found: is(VerificationStatus::NotFound),
        awaiting_evidence: is(VerificationStatus::AwaitingEvidence),
        send_failed: is(VerificationStatus::Error),
        mm_full_name: mismatch(MISMATCH_FIELDS[0]),
        mm_date_of_birth: mismatch(MISMATCH_FIELDS[1]),
        mm_gender: mismatch(MISMATCH_FIELDS[2]),
        mm_personal_id: mismatch(MISMATCH_FIELDS[3]),
        mm_residence: mismatch(MISMATCH_FIELDS[4]),
    };
    let key = CounterKey { unit_id: p.unit_id, class_id: p.class_id.unwrap_or(0), kind: p.kind.clone(), live_year };
    Ok((key, tally))
}

/// `(code, field, severity)` of the record's findings, one per (code, field) with the first
/// finding's severity, as `person_findings` holds them.
fn outcome_findings(p: &people::Model) -> StoreResult<Vec<(String, String, String)>> {
    let outcome = super::people::parse_outcome(p)?;
    let mut seen = BTreeSet::new();
    Ok(outcome
        .findings
        .iter()
        .filter(|f| seen.insert((f.code.as_str(), f.field.as_str())))
        .map(|f| (f.code.as_str().to_owned(), f.field.as_str().to_owned(), f.severity.as_str().to_owned()))
        .collect())
}

/// The failure reasons an active record counts under: its error and warning findings.
pub fn person_reasons(p: &people::Model) -> StoreResult<Vec<ReasonKey>> {
    Ok(outcome_findings(p)?
        .into_iter()
        .filter(|(_, _, severity)| severity == Severity::Error.as_str() || severity == Severity::Warning.as_str())
        .map(|(code, field, severity)| ReasonKey { unit_id: p.unit_id, kind: p.kind.clone(), code, field, severity })
        .collect())
}

async fn cached_class_year<C: ConnectionTrait>(
    conn: &C,
    p: &people::Model,
    years: &mut BTreeMap<i64, Option<String>>,
) -> StoreResult<Option<String>> {
    match (p.kind.as_str(), p.class_id) {
        ("student", Some(id)) => {
            if let Some(year) = years.get(&id) {
                return Ok(year.clone());
            }
            let year = class_year(conn, p).await?;
            years.insert(id, year.clone());
            Ok(year)
        }
        _ => Ok(None),
    }
}

async fn class_year<C: ConnectionTrait>(conn: &C, p: &people::Model) -> StoreResult<Option<String>> {
    match (p.kind.as_str(), p.class_id) {
        ("student", Some(id)) => Ok(classes::Entity::find_by_id(id).one(conn).await?.map(|c| c.school_year)),
        _ => Ok(None),
    }
}

/// Applies the difference between `before` and `after` to the counters.
pub async fn apply_change<C: ConnectionTrait>(
    conn: &C,
    before: Option<&people::Model>,
    after: Option<&people::Model>,
) -> StoreResult<()> {
    apply_changes(conn, &[(before, after)]).await
}

/// [`apply_change`] for many records at once: the deltas are summed first, so a batch of
/// status changes costs a few upserts instead of a few per record.
pub async fn apply_changes<C: ConnectionTrait>(
    conn: &C,
    changes: &[(Option<&people::Model>, Option<&people::Model>)],
) -> StoreResult<()> {
    let mut counters: BTreeMap<CounterKey, Tally> = BTreeMap::new();
    let mut reasons: BTreeMap<ReasonKey, i64> = BTreeMap::new();
    let mut years: BTreeMap<i64, Option<String>> = BTreeMap::new();
    for (before, after) in changes {
        let before = before.filter(|p| p.deleted_at.is_none());
        let after = after.filter(|p| p.deleted_at.is_none());
        let before_year = match before {
            Some(p) => cached_class_year(conn, p, &mut years).await?,
            None => None,
        };
        let after_year = match (before, after) {
            (Some(b), Some(a)) if a.class_id == b.class_id && a.kind == b.kind => before_year.clone(),
            (_, Some(a)) => cached_class_year(conn, a, &mut years).await?,
            (_, None) => None,
        };
        if let Some(p) = before {
            let (key, tally) = person_tally(p, before_year.as_deref())?;
            counters.entry(key).or_default().sub(&tally);
            for key in person_reasons(p)? {
                *reasons.entry(key).or_default() -= 1;
            }
        }
        if let Some(p) = after {
            let (key, tally) = person_tally(p, after_year.as_deref())?;
            counters.entry(key).or_default().add(&tally);
            for key in person_reasons(p)? {
                *reasons.entry(key).or_default() += 1;
            }
        }
    }
    let backend = conn.get_database_backend();
    let mut units: BTreeMap<UnitKey, Tally> = BTreeMap::new();
    for (key, delta) in counters.into_iter().filter(|(_, d)| !d.is_zero()) {
        units.entry(key.unit_key()).or_default().add(&delta);
        conn.execute_raw(upsert_counter(backend, &key, &delta)).await?;
    }
    for (key, delta) in units.into_iter().filter(|(_, d)| !d.is_zero()) {
        conn.execute_raw(upsert_unit_counter(backend, &key, &delta)).await?;
    }
    for (key, delta) in reasons.into_iter().filter(|(_, d)| *d != 0) {
        conn.execute_raw(upsert_reason(backend, &key, delta)).await?;
    }
    Ok(())
}

/// Renumbers `?` placeholders as `$1, $2, …` for PostgreSQL (our SQL has no `?` elsewhere).
pub(crate) fn placeholders(backend: DbBackend, sql: &str) -> String {
    if backend != DbBackend::Postgres {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// A statement with `?` placeholders for either backend.
pub(crate) fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(backend, placeholders(backend, sql), values)
}

fn upsert_counter(backend: DbBackend, key: &CounterKey, delta: &Tally) -> Statement {
    let cols = Tally::COLUMNS;
    let marks = vec!["?"; cols.len()].join(", ");
    let updates: Vec<String> = cols.iter().map(|c| format!("{c} = stat_counters.{c} + excluded.{c}")).collect();
    let sql = format!(
        "INSERT INTO stat_counters (unit_id, class_id, kind, live_year, {}) VALUES (?, ?, ?, ?, {marks}) \
         ON CONFLICT (unit_id, class_id, kind, live_year) DO UPDATE SET {}",
        cols.join(", "),
        updates.join(", ")
    );
    let mut values: Vec<Value> =
        vec![key.unit_id.into(), key.class_id.into(), key.kind.clone().into(), key.live_year.clone().into()];
    values.extend(delta.values().into_iter().map(Value::from));
    statement(backend, &sql, values)
}

fn upsert_unit_counter(backend: DbBackend, key: &UnitKey, delta: &Tally) -> Statement {
    let cols = Tally::COLUMNS;
    let marks = vec!["?"; cols.len()].join(", ");
    let updates: Vec<String> = cols.iter().map(|c| format!("{c} = stat_unit_counters.{c} + excluded.{c}")).collect();
    let sql = format!(
        "INSERT INTO stat_unit_counters (unit_id, kind, live_year, {}) VALUES (?, ?, ?, {marks}) \
         ON CONFLICT (unit_id, kind, live_year) DO UPDATE SET {}",
        cols.join(", "),
        updates.join(", ")
    );
    let mut values: Vec<Value> = vec![key.unit_id.into(), key.kind.clone().into(), key.live_year.clone().into()];
    values.extend(delta.values().into_iter().map(Value::from));
    statement(backend, &sql, values)
}

fn upsert_reason(backend: DbBackend, key: &ReasonKey, delta: i64) -> Statement {
    let sql = "INSERT INTO stat_reasons (unit_id, kind, code, field, severity, count) VALUES (?, ?, ?, ?, ?, ?) \
               ON CONFLICT (unit_id, kind, code, field, severity) DO UPDATE SET count = stat_reasons.count + excluded.count";
    statement(
        backend,
        sql,
        vec![
            key.unit_id.into(),
            key.kind.clone().into(),
            key.code.clone().into(),
            key.field.clone().into(),
            key.severity.clone().into(),
            delta.into(),
        ],
    )
}

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
        flag(
            "LENGTH(p.norm_personal_id) = 12 AND TRIM(p.norm_personal_id, '0123456789') = ''".to_owned(),
            "valid_personal_id",
        ),
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
    let txn = super::begin_write(db).await?;
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

/// Writes a verification answer onto an active record (status, mismatch fields, times), audits
/// the status change and keeps the counters in step, in the caller's transaction. The shape a
/// verification worker follows; tests use it to simulate registry answers.
pub async fn write_status<C: ConnectionTrait>(
    conn: &C,
    ctx: &AuditCtx,
    person_id: i64,
    status: VerificationStatus,
    mismatch_fields: &[&str],
    at: DateTime<Utc>,
) -> StoreResult<people::Model> {
    let before = people::Entity::find_by_id(person_id).one(conn).await?.ok_or(StoreError::NotFound)?;
    if before.deleted_at.is_some() {
        return Err(StoreError::NotFound);
    }
    let write = StatusWrite {
        status,
        mismatch_fields: mismatch_fields.iter().map(|f| (*f).to_owned()).collect(),
        registry_values: None,
    };
    let mut after = write_statuses(conn, ctx, vec![(before, write)], at).await?;
    after.pop().ok_or(StoreError::NotFound)
}

/// A status to write onto one record.
#[derive(Debug, Clone)]
pub struct StatusWrite {
    pub status: VerificationStatus,
    /// For `mismatched`: the fields the registry disagreed on.
    pub mismatch_fields: Vec<String>,
    /// `Some(values)` replaces the registry's values kept on the record (JSON text, or `None` to
    /// clear them); `None` leaves them alone.
    pub registry_values: Option<Option<String>>,
}

/// [`write_status`] for many records at once (the caller read them, in its transaction): one
/// update per record, one audit statement, and the counters' deltas summed.
pub async fn write_statuses<C: ConnectionTrait>(
    conn: &C,
    ctx: &AuditCtx,
    writes: Vec<(people::Model, StatusWrite)>,
    at: DateTime<Utc>,
) -> StoreResult<Vec<people::Model>> {
    let mut pairs = Vec::with_capacity(writes.len());
    let mut events = Vec::with_capacity(writes.len());
    // Records getting the same columns are updated in one statement.
    type Group = (String, Option<String>, Option<Option<String>>, bool);
    let mut groups: BTreeMap<Group, Vec<i64>> = BTreeMap::new();
    for (before, w) in writes {
        if before.deleted_at.is_some() {
            continue;
        }
        let mut after = before.clone();
        after.status = w.status.as_str().to_owned();
        after.mismatch_fields = (w.status == VerificationStatus::Mismatched && !w.mismatch_fields.is_empty())
            .then(|| w.mismatch_fields.join(","));
        after.status_at = Some(at);
        let verified = w.status == VerificationStatus::Verified;
        if verified {
            after.verified_at = Some(at);
        }
        if let Some(values) = &w.registry_values {
            after.registry_values = values.clone();
        }
        groups
            .entry((after.status.clone(), after.mismatch_fields.clone(), w.registry_values, verified))
            .or_default()
            .push(after.id);
        events.push(Event {
            action: "update",
            entity: "person",
            entity_id: Some(after.id),
            field: Some("status"),
            old_value: Some(before.status.clone()),
            new_value: Some(after.status.clone()),
        });
        pairs.push((before, after));
    }
    for ((status, fields, values, verified), ids) in groups {
        for chunk in ids.chunks(500) {
            let mut update = people::Entity::update_many()
                .col_expr(people::Column::Status, Expr::value(status.clone()))
                .col_expr(people::Column::MismatchFields, Expr::value(fields.clone()))
                .col_expr(people::Column::StatusAt, Expr::value(Some(at)));
            if verified {
                update = update.col_expr(people::Column::VerifiedAt, Expr::value(Some(at)));
            }
            if let Some(values) = &values {
                update = update.col_expr(people::Column::RegistryValues, Expr::value(values.clone()));
            }
            update.filter(people::Column::Id.is_in(chunk.to_vec())).exec(conn).await?;
        }
    }
    let refs: Vec<(Option<&people::Model>, Option<&people::Model>)> =
        pairs.iter().map(|(b, a)| (Some(b), Some(a))).collect();
    apply_changes(conn, &refs).await?;
    audit::record(conn, ctx, events).await?;
    Ok(pairs.into_iter().map(|(_, a)| a).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{Code, Field, Finding, Outcome};

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("timestamp")
    }

    fn person() -> people::Model {
        let t = at("2026-09-01T03:00:00Z");
        people::Model {
            id: 1,
            kind: "student".into(),
            unit_id: 17,
            class_id: Some(5),
            position: None,
            sector_code: None,
            full_name: Some("Nguyễn Văn An".into()),
            date_of_birth: Some("01/02/2015".into()),
            gender: Some("Nam".into()),
            personal_id: Some("031215001234".into()),
            res_province: Some("Hải Phòng".into()),
            res_district: None,
            res_commune: Some("Lê Chân".into()),
            res_text: None,
            norm_full_name: None,
            norm_dob: None,
            norm_gender: None,
            norm_personal_id: Some("031215001234".into()),
            res_scheme: None,
            res_province_code: None,
            res_district_code: None,
            res_commune_code: None,
            res_new_province_code: None,
            res_new_commune_code: None,
            name_key: None,
            search_key: None,
            sort_key: None,
            outcome: serde_json::to_string(&crate::rules::Outcome::default()).expect("json"),
            error_count: 0,
            warning_count: 0,
            fixed_count: 0,
            status: "verified".into(),
            mismatch_fields: None,
            registry_values: None,
            status_at: Some(t),
            verified_at: Some(t),
            version: 1,
            identity_changed_at: at("2026-08-20T03:00:00Z"),
            created_at: t,
            updated_at: t,
            deleted_at: None,
        }
    }

    fn with_findings(mut p: people::Model, findings: Vec<Finding>) -> people::Model {
        let outcome = Outcome { findings, ..Outcome::default() };
        p.outcome = serde_json::to_string(&outcome).expect("json");
        p
    }

    #[test]
    fn one_record_counts_by_the_definitions() {
        type Case = (&'static str, fn(people::Model) -> people::Model, fn(&Tally) -> bool);
        let cases: Vec<Case> = vec![
            (
                "a perfect verified record counts everywhere",
                |p| p,
                |t| {
                    t.total == 1
                        && t.with_personal_id == 1
                        && t.valid_personal_id == 1
                        && t.no_errors == 1
                        && t.complete == 1
                        && t.correct == 1
                        && t.clean == 1
                        && t.live == 1
                        && t.verified == 1
                        && t.sent() == 1
                },
            ),
            (
                "a one-cell address completes the residence",
                |mut p| {
                    p.res_province = None;
                    p.res_commune = None;
                    p.res_text = Some("Số 1, Lê Chân, Hải Phòng".into());
                    p
                },
                |t| t.complete == 1,
            ),
            (
                "province without commune is incomplete",
                |mut p| {
                    p.res_commune = None;
                    p
                },
                |t| t.complete == 0,
            ),
            (
                "an empty string is not entered",
                |mut p| {
                    p.gender = Some(String::new());
                    p
                },
                |t| t.complete == 0,
            ),
            (
                "an error finding: not correct, but still clean",
                |mut p| {
                    p.error_count = 1;
                    p
                },
                |t| t.no_errors == 0 && t.correct == 0 && t.clean == 1 && t.live == 1,
            ),
            (
                "a warning: not clean",
                |mut p| {
                    p.warning_count = 2;
                    p
                },
                |t| t.clean == 0 && t.correct == 1,
            ),
            (
                "a duplicate ID: not clean",
                |p| with_findings(p, vec![Finding::new(Field::PersonalId, Code::IdDuplicate)]),
                |t| t.clean == 0,
            ),
            (
                "verified before the last change: not live",
                |mut p| {
                    p.identity_changed_at = at("2026-09-02T00:00:00Z");
                    p
                },
                |t| t.live == 0 && t.verified == 1,
            ),
            (
                "eleven digits are entered but not valid",
                |mut p| {
                    p.norm_personal_id = Some("31215001234".into());
                    p
                },
                |t| t.with_personal_id == 1 && t.valid_personal_id == 0,
            ),
            (
                "mismatched on two fields",
                |mut p| {
                    p.status = "mismatched".into();
                    p.mismatch_fields = Some("dateOfBirth,gender".into());
                    p
                },
                |t| {
                    t.mismatched == 1
                        && t.mm_date_of_birth == 1
                        && t.mm_gender == 1
                        && t.mm_full_name == 0
                        && t.correct == 0
                        && t.live == 0
                },
            ),
            (
                "stale mismatch fields of another status do not count",
                |mut p| {
                    p.status = "not_sent".into();
                    p.mismatch_fields = Some("gender".into());
                    p
                },
                |t| t.mm_gender == 0 && t.not_sent == 1 && t.sent() == 0,
            ),
            (
                "a failed send is neither sent nor not sent",
                |mut p| {
                    p.status = "error".into();
                    p
                },
                |t| t.send_failed == 1 && t.sent() == 0 && t.not_sent == 0,
            ),
        ];
        for (name, make, check) in cases {
            let (_, tally) = person_tally(&make(person()), Some("2026-2027")).expect("outcome");
            assert!(check(&tally), "{name}: {tally:?}");
        }
    }

    #[test]
    fn keys_bucket_students_by_class_year_and_staff_by_verification_year() {
        let (key, _) = person_tally(&person(), Some("2026-2027")).expect("outcome");
        assert_eq!(
            (key.unit_id, key.class_id, key.kind.as_str(), key.live_year.as_str()),
            (17, 5, "student", "2026-2027")
        );
        let mut staff = person();
        staff.kind = "staff".into();
        staff.class_id = None;
        let (key, _) = person_tally(&staff, None).expect("outcome");
        assert_eq!((key.class_id, key.live_year.as_str()), (0, "2026-2027"));
        staff.status = "queued".into();
        assert_eq!(person_tally(&staff, None).expect("outcome").0.live_year, "");
        let cases = [
            ("2026-07-31T16:59:59Z", "2025-2026"),
            ("2026-07-31T17:00:00Z", "2026-2027"),
            ("2009-12-01T00:00:00Z", "older"),
            ("2150-01-01T00:00:00Z", "2100-2101"),
        ];
        for (t, want) in cases {
            assert_eq!(staff_bucket(at(t)), want, "{t}");
        }
        assert_eq!(school_year_start(2026), at("2026-07-31T17:00:00Z"));
    }

    #[test]
    fn reasons_keep_errors_and_warnings_once_per_code_and_field() {
        let mut fixed = Finding::new(Field::FullName, Code::NameCase);
        fixed.severity = Severity::Fixed;
        let p = with_findings(
            person(),
            vec![
                Finding::new(Field::PersonalId, Code::IdMissing),
                Finding::new(Field::PersonalId, Code::IdMissing),
                Finding::new(Field::DateOfBirth, Code::DobAmbiguous),
                fixed,
            ],
        );
        let got: Vec<(String, String)> =
            person_reasons(&p).expect("outcome").into_iter().map(|k| (k.code, k.severity)).collect();
        assert_eq!(got, vec![("id_missing".into(), "error".into()), ("dob_ambiguous".into(), "warning".into())]);
    }

    #[test]
    fn postgres_placeholders_are_numbered() {
        assert_eq!(placeholders(DbBackend::Postgres, "a = ? AND b IN (?, ?)"), "a = $1 AND b IN ($2, $3)");
        assert_eq!(placeholders(DbBackend::Sqlite, "a = ?"), "a = ?");
    }
}
