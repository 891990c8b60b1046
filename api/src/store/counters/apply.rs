//! Keeping the counters in step: the difference a change makes, added to the counter rows in the
//! writer's transaction.

use super::*;

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
