//! Whole-table work: re-running the rules after a rule change, bulk inserts (demo seeding,
//! large imports) and the id sequence.

use super::*;

/// What `revalidate` did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RevalidateReport {
    pub scanned: u64,
    /// Records whose findings or normalised values changed.
    pub changed: u64,
    /// Records whose normalised identity changed: their verification no longer applies.
    pub requeued: u64,
}

/// Re-runs the rules on every active record (after a rule change), in chunks of a thousand,
/// updating normalised values, findings and counters where they changed. Entered values are
/// never touched. A record whose normalised identity changed goes back to `not_sent`.
pub async fn revalidate_all(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    mut progress: impl FnMut(u64, u64),
) -> StoreResult<RevalidateReport> {
    const CHUNK: u64 = 1_000;
    let total = people::Entity::find().filter(people::Column::DeletedAt.is_null()).count(db).await?;
    let mut report = RevalidateReport::default();
    let mut after_id = 0i64;
    loop {
        let txn = crate::store::begin_write(db).await?;
        let batch = people::Entity::find()
            .filter(people::Column::DeletedAt.is_null())
            .filter(people::Column::Id.gt(after_id))
            .order_by_asc(people::Column::Id)
            .limit(CHUNK)
            .all(&txn)
            .await?;
        let Some(last) = batch.last() else { break };
        after_id = last.id;
        let class_ids: Vec<i64> = batch.iter().filter_map(|p| p.class_id).collect();
        let grades: HashMap<i64, i32> =
            crate::store::classes::by_ids(&txn, class_ids).await?.into_iter().map(|c| (c.id, c.grade)).collect();
        let mut touched_ids = Vec::new();
        for person in batch {
            report.scanned += 1;
            let kind = kind_of(&person)?;
            let grade = person.class_id.and_then(|c| grades.get(&c).copied());
            let today = crate::domain::clock::date_in_vietnam(now);
            let mut outcome = evaluate(&identity_of(&person)?, kind, grade, person.position.as_deref(), today);
            // The duplicate finding belongs to the store; carry it over, then re-sync below.
            outcome
                .findings
                .extend(parse_outcome(&person)?.findings.into_iter().filter(|f| f.code == Code::IdDuplicate));
            let json = serde_json::to_string(&outcome).unwrap_or_default();
            // compared with the stored outcome opened, as this serialisation writes it
            if json == serde_json::to_string(&parse_outcome(&person)?).unwrap_or_default() {
                continue;
            }
            report.changed += 1;
            let requeue = VerifiedValues::of_outcome(&outcome) != VerifiedValues::of(&person)?;
            touched_ids.extend(person.personal_id_index.clone());
            touched_ids.extend(outcome.normalized.personal_id.as_deref().map(lookup_key));
            let before = person.clone();
            let mut active: people::ActiveModel = person.into();
            apply_outcome(&mut active, &outcome);
            if requeue {
                report.requeued += 1;
                active.version = Set(before.version + 1);
                active.identity_changed_at = Set(now);
                if before.status != VerificationStatus::NotSent.as_str() {
                    active.status = Set(VerificationStatus::NotSent.as_str().to_owned());
                    active.mismatch_fields = Set(None);
                    active.status_at = Set(Some(now));
                }
            }
            let after = active.update(&txn).await?;
            write_finding_rows(&txn, after.id, &outcome).await?;
            crate::store::counters::apply_change(&txn, Some(&before), Some(&after)).await?;
        }
        touched_ids.sort();
        touched_ids.dedup();
        sync_duplicates(&txn, &touched_ids).await?;
        txn.commit().await?;
        progress(report.scanned, total);
    }
    Ok(report)
}

/// A person for [`bulk_insert`]: the id is chosen by the caller (see [`next_id`]).
#[derive(Debug, Clone)]
pub struct BulkPerson {
    pub id: i64,
    pub kind: PersonKind,
    pub unit_id: i64,
    pub class_id: Option<i64>,
    pub position: Option<Position>,
    pub sector_code: Option<String>,
    pub identity: Identity,
    pub outcome: Outcome,
}

/// The next free person id (for bulk inserts that assign ids themselves).
pub async fn next_id<C: ConnectionTrait>(conn: &C) -> StoreResult<i64> {
    use sea_orm::QuerySelect;
    let max: Option<Option<i64>> =
        people::Entity::find().select_only().column_as(people::Column::Id.max(), "m").into_tuple().one(conn).await?;
    Ok(max.flatten().unwrap_or(0) + 1)
}

/// Inserts many people at once (seeding, benchmarks): people rows, their finding rows and
/// one `create` audit row each, in statements of a few hundred rows. The caller owns the
/// transaction and must call [`sync_duplicates`] and `counters::rebuild` afterwards.
pub async fn bulk_insert<C: ConnectionTrait>(conn: &C, ctx: &AuditCtx, rows: Vec<BulkPerson>) -> StoreResult<()> {
    insert_rows(conn, ctx, rows, None).await
}

/// [`bulk_insert`] that also counts every new record into `deltas`, as `counters::apply_change`
/// would (`class_years`: the school year of each class the rows name), for the caller to write
/// once; it must still call [`sync_duplicates`] afterwards, with the deltas written first.
pub async fn bulk_insert_counted<C: ConnectionTrait>(
    conn: &C,
    ctx: &AuditCtx,
    rows: Vec<BulkPerson>,
    class_years: &HashMap<i64, String>,
    deltas: &mut crate::store::counters::Deltas,
) -> StoreResult<()> {
    insert_rows(conn, ctx, rows, Some((class_years, deltas))).await
}

async fn insert_rows<C: ConnectionTrait>(
    conn: &C,
    ctx: &AuditCtx,
    rows: Vec<BulkPerson>,
    mut counted: Option<(&HashMap<i64, String>, &mut crate::store::counters::Deltas)>,
) -> StoreResult<()> {
    let now = ctx.at;
    let mut findings = Vec::new();
    let mut events = Vec::new();
    let mut batch = Vec::with_capacity(rows.len());
    let ring = crate::crypto::installed();
    for mut row in rows {
        findings.extend(finding_rows(row.id, &row.outcome));
        events.push(Event {
            action: "create",
            entity: "person",
            entity_id: Some(row.id),
            field: None,
            old_value: None,
            new_value: Some(row.kind.as_str().to_owned()),
        });
        let identity = row.identity;
        let mut active = new_person_row(
            NewRow {
                kind: row.kind,
                unit_id: row.unit_id,
                class_id: row.class_id,
                position: row.position.map(|p| p.as_str().to_owned()),
                sector_code: row.sector_code,
                identity: &identity,
                outcome: &row.outcome,
            },
            now,
        );
        active.id = Set(row.id);
        let clear = counted.is_some().then(|| active.clone());
        // many rows at once skip the entity's hook: seal here, from the typed outcome
        seal_active_with(&mut active, ring.as_deref(), Some(&mut row.outcome))?;
        if let (Some((years, deltas)), Some(mut clear)) = (counted.as_mut(), clear) {
            // counted as the row reads back opened (the lookup columns come from sealing)
            clear.personal_id_valid = active.personal_id_valid.clone();
            clear.personal_id_index = active.personal_id_index.clone();
            let model = sea_orm::TryIntoModel::try_into_model(clear)?;
            let year = model.class_id.and_then(|c| years.get(&c)).map(String::as_str);
            deltas.add(&model, year)?;
        }
        batch.push(active);
    }
    // one statement per few thousand rows of each table (`store::bulk`)
    crate::store::bulk::insert(conn, &batch).await?;
    crate::store::bulk::insert(conn, &findings).await?;
    audit::record(conn, ctx, events).await
}

/// After inserting rows with explicit ids, PostgreSQL's sequence must move past them.
pub async fn reset_id_sequence<C: ConnectionTrait>(conn: &C) -> StoreResult<()> {
    if conn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        conn.execute_unprepared(
            "SELECT setval(pg_get_serial_sequence('people', 'id'), COALESCE((SELECT MAX(id) FROM people), 0) + 1, false)",
        )
        .await?;
    }
    Ok(())
}
