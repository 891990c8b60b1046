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
    let mut deltas = Deltas::default();
    for (before, after) in changes {
        deltas.change(conn, *before, *after).await?;
    }
    deltas.write(conn).await
}

/// What a transaction's changes add to the counters, summed per counter row in memory, and
/// written once by [`Deltas::write`] at the end of the transaction: one upsert per distinct
/// row, however many records moved, and every row locked in the same (key) order by every
/// writer, so that writers never deadlock and hold the shared rows only until their commit.
#[derive(Debug, Default, Clone)]
pub struct Deltas {
    counters: BTreeMap<CounterKey, Tally>,
    reasons: BTreeMap<ReasonKey, i64>,
    /// The school year of each class met (read once per transaction).
    years: BTreeMap<i64, Option<String>>,
}

impl Deltas {
    /// Tells the deltas a class's school year, already read by the caller (a record's class and
    /// the one it moves to), so that [`Deltas::change`] need not read it again.
    pub fn know_class(&mut self, class: &classes::Model) {
        self.years.entry(class.id).or_insert_with(|| Some(class.school_year.clone()));
    }

    /// Adds the difference between `before` and `after` (`None` for a creation or a deletion;
    /// a deleted row counts as none), reading the classes' school years as needed.
    pub async fn change<C: ConnectionTrait>(
        &mut self,
        conn: &C,
        before: Option<&people::Model>,
        after: Option<&people::Model>,
    ) -> StoreResult<()> {
        let before = before.filter(|p| p.deleted_at.is_none());
        let after = after.filter(|p| p.deleted_at.is_none());
        let before_year = match before {
            Some(p) => cached_class_year(conn, p, &mut self.years).await?,
            None => None,
        };
        let after_year = match (before, after) {
            (Some(b), Some(a)) if a.class_id == b.class_id && a.kind == b.kind => before_year.clone(),
            (_, Some(a)) => cached_class_year(conn, a, &mut self.years).await?,
            (_, None) => None,
        };
        if let (Some(b), Some(a)) = (before, after)
            && b.outcome == a.outcome
            && b.unit_id == a.unit_id
            && b.kind == a.kind
        {
            // The same findings (a status written by the registry's answer, a class move): the
            // reasons cancel out. When both count in one row, so does what the findings add
            // (`clean`), and the outcome is not read at all; otherwise it is read once.
            let (before_key, _) = tally_with(b, before_year.as_deref(), false);
            let (after_key, _) = tally_with(a, after_year.as_deref(), false);
            let duplicate = before_key != after_key && has_duplicate(&outcome_findings(b)?);
            self.tally(b, before_year.as_deref(), duplicate, -1);
            self.tally(a, after_year.as_deref(), duplicate, 1);
            return Ok(());
        }
        if let Some(p) = before {
            self.sub(p, before_year.as_deref())?;
        }
        if let Some(p) = after {
            self.add(p, after_year.as_deref())?;
        }
        Ok(())
    }

    /// Counts an active record in (`class_year`: its class's school year, students).
    pub fn add(&mut self, p: &people::Model, class_year: Option<&str>) -> StoreResult<()> {
        self.count(p, class_year, 1)
    }

    /// Counts an active record out: the row as it was before a change.
    pub fn sub(&mut self, p: &people::Model, class_year: Option<&str>) -> StoreResult<()> {
        self.count(p, class_year, -1)
    }

    fn count(&mut self, p: &people::Model, class_year: Option<&str>, sign: i64) -> StoreResult<()> {
        // the outcome is parsed once for the tally and the reasons
        let findings = outcome_findings(p)?;
        self.tally(p, class_year, has_duplicate(&findings), sign);
        for key in reasons_with(p, findings) {
            *self.reasons.entry(key).or_default() += sign;
        }
        Ok(())
    }

    /// Adds (`sign` 1) or takes away (-1) what the record counts in its counter row.
    fn tally(&mut self, p: &people::Model, class_year: Option<&str>, duplicate: bool, sign: i64) {
        let (key, tally) = tally_with(p, class_year, duplicate);
        let counter = self.counters.entry(key).or_default();
        if sign > 0 { counter.add(&tally) } else { counter.sub(&tally) }
    }

    /// Whether writing would change nothing.
    pub fn is_empty(&self) -> bool {
        self.counters.values().all(Tally::is_zero) && self.reasons.values().all(|d| *d == 0)
    }

    /// Adds the deltas to the counter rows and empties them: multi-row upserts, one row per distinct key, in key
    /// order (so that concurrent writers lock shared rows in the same order and never deadlock),
    /// `stat_counters` then `stat_unit_counters` then `stat_reasons`. Keys whose delta is zero
    /// are not written.
    pub async fn write<C: ConnectionTrait>(&mut self, conn: &C) -> StoreResult<()> {
        let backend = conn.get_database_backend();
        let mut units: BTreeMap<UnitKey, Tally> = BTreeMap::new();
        let counters: Vec<(CounterKey, Tally)> =
            std::mem::take(&mut self.counters).into_iter().filter(|(_, d)| !d.is_zero()).collect();
        for (key, delta) in &counters {
            units.entry(key.unit_key()).or_default().add(delta);
        }
        let units: Vec<(UnitKey, Tally)> = units.into_iter().filter(|(_, d)| !d.is_zero()).collect();
        let reasons: Vec<(ReasonKey, i64)> =
            std::mem::take(&mut self.reasons).into_iter().filter(|(_, d)| *d != 0).collect();
        for chunk in counters.chunks(rows_per_statement(4 + Tally::COLUMNS.len())) {
            conn.execute_raw(upsert_counters(backend, chunk)).await?;
        }
        for chunk in units.chunks(rows_per_statement(3 + Tally::COLUMNS.len())) {
            conn.execute_raw(upsert_unit_counters(backend, chunk)).await?;
        }
        for chunk in reasons.chunks(rows_per_statement(6)) {
            conn.execute_raw(upsert_reasons(backend, chunk)).await?;
        }
        Ok(())
    }
}

/// Bound parameters one statement may carry: below SQLite's historical limit of 999, so that any
/// SQLite build takes it (PostgreSQL allows 65,535).
const MAX_PARAMS: usize = 999;

/// How many rows of `columns` values fit in one statement.
pub(crate) fn rows_per_statement(columns: usize) -> usize {
    (MAX_PARAMS / columns.max(1)).max(1)
}

/// `(?, ?, …), (?, ?, …)`: `rows` groups of `columns` placeholders.
fn value_groups(rows: usize, columns: usize) -> String {
    let group = format!("({})", vec!["?"; columns].join(", "));
    vec![group; rows].join(", ")
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

fn upsert_counters(backend: DbBackend, rows: &[(CounterKey, Tally)]) -> Statement {
    let cols = Tally::COLUMNS;
    let updates: Vec<String> = cols.iter().map(|c| format!("{c} = stat_counters.{c} + excluded.{c}")).collect();
    let sql = format!(
        "INSERT INTO stat_counters (unit_id, class_id, kind, live_year, {}) VALUES {} \
         ON CONFLICT (unit_id, class_id, kind, live_year) DO UPDATE SET {}",
        cols.join(", "),
        value_groups(rows.len(), 4 + cols.len()),
        updates.join(", ")
    );
    let mut values: Vec<Value> = Vec::with_capacity(rows.len() * (4 + cols.len()));
    for (key, delta) in rows {
        values.extend([key.unit_id.into(), key.class_id.into(), key.kind.clone().into(), key.live_year.clone().into()]);
        values.extend(delta.values().into_iter().map(Value::from));
    }
    statement(backend, &sql, values)
}

fn upsert_unit_counters(backend: DbBackend, rows: &[(UnitKey, Tally)]) -> Statement {
    let cols = Tally::COLUMNS;
    let updates: Vec<String> = cols.iter().map(|c| format!("{c} = stat_unit_counters.{c} + excluded.{c}")).collect();
    let sql = format!(
        "INSERT INTO stat_unit_counters (unit_id, kind, live_year, {}) VALUES {} \
         ON CONFLICT (unit_id, kind, live_year) DO UPDATE SET {}",
        cols.join(", "),
        value_groups(rows.len(), 3 + cols.len()),
        updates.join(", ")
    );
    let mut values: Vec<Value> = Vec::with_capacity(rows.len() * (3 + cols.len()));
    for (key, delta) in rows {
        values.extend([key.unit_id.into(), key.kind.clone().into(), key.live_year.clone().into()]);
        values.extend(delta.values().into_iter().map(Value::from));
    }
    statement(backend, &sql, values)
}

fn upsert_reasons(backend: DbBackend, rows: &[(ReasonKey, i64)]) -> Statement {
    let sql = format!(
        "INSERT INTO stat_reasons (unit_id, kind, code, field, severity, count) VALUES {} \
         ON CONFLICT (unit_id, kind, code, field, severity) DO UPDATE SET count = stat_reasons.count + excluded.count",
        value_groups(rows.len(), 6)
    );
    let mut values: Vec<Value> = Vec::with_capacity(rows.len() * 6);
    for (key, delta) in rows {
        values.extend([
            key.unit_id.into(),
            key.kind.clone().into(),
            key.code.clone().into(),
            key.field.clone().into(),
            key.severity.clone().into(),
            (*delta).into(),
        ]);
    }
    statement(backend, &sql, values)
}
