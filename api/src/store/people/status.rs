//! Writing verification answers onto records (status, mismatch fields, times), audited and
//! counted, in the caller's transaction.

use std::collections::BTreeMap;

use super::*;
use crate::store::counters::apply_changes;

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
        // awaiting evidence keeps the registry's reasons (and its values, left alone below)
        let keeps_reasons = matches!(w.status, VerificationStatus::Mismatched | VerificationStatus::AwaitingEvidence);
        after.mismatch_fields = (keeps_reasons && !w.mismatch_fields.is_empty()).then(|| w.mismatch_fields.join(","));
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
