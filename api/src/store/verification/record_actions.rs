//! What a user does with one record's verification: its history, accepting the registry's values,
//! marking it as awaiting evidence, and the evidence slips and mismatch lists of a class.

use super::*;

/// A record's verification history (newest first), for a caller who may read it.
pub async fn history<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    kind: PersonKind,
    person_id: i64,
) -> StoreResult<(PersonRow, Vec<verification_history::Model>)> {
    let row = crate::store::people::get(conn, caller, kind, person_id).await?;
    let items = verification_history::Entity::find()
        .filter(verification_history::Column::PersonId.eq(person_id))
        .order_by_desc(verification_history::Column::Id)
        .all(conn)
        .await?;
    let items = items.into_iter().map(open_history).collect::<StoreResult<Vec<_>>>()?;
    Ok((row, items))
}

/// A verification history row, what was sent opened (see [`crate::store::sealing::open_text`]).
pub fn open_history(mut h: verification_history::Model) -> StoreResult<verification_history::Model> {
    if let Some(sent) = h.sent_values.as_deref() {
        let open = crate::store::sealing::open_text("verification_history", "sent_values", h.id, sent)?.into_owned();
        h.sent_values = Some(open);
    }
    Ok(h)
}

/// The changes that copy the registry's values into a record's entered fields.
pub fn changes_from_registry(values: &RegistryValues) -> PersonChanges {
    use crate::domain::admin_units::{Scheme, units};
    use crate::domain::identity::IdentityField as F;
    let mut c = PersonChanges::default();
    let patch = &mut c.identity;
    if let Some(name) = &values.full_name {
        patch.set(F::FullName, Some(name.clone()));
    }
    if let Some(dob) = &values.date_of_birth {
        let shown = chrono::NaiveDate::parse_from_str(dob, "%Y-%m-%d")
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_else(|_| dob.clone());
        patch.set(F::DateOfBirth, Some(shown));
    }
    if let Some(gender) = &values.gender {
        patch.set(F::Gender, Some(gender.clone()));
    }
    if let Some(r) = &values.residence {
        let u = units();
        let province = u.province_name(Scheme::Post2025, &r.province_code).map(str::to_owned);
        let commune =
            r.commune_code.as_deref().and_then(|code| u.commune_name(Scheme::Post2025, code)).map(str::to_owned);
        if province.is_some() {
            patch.set(F::ResidenceProvince, province);
            patch.set(F::ResidenceDistrict, None);
            patch.set(F::ResidenceCommune, commune);
        }
    }
    c
}

/// Copies the registry's values of a mismatched record into its fields (audited with source
/// `registry`), in the caller's transaction. Returns the updated record.
pub async fn accept_registry_values_in<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    ctx: &AuditCtx,
    row: PersonRow,
) -> StoreResult<people::Model> {
    if !crate::store::people::can_write(caller, &row.unit) {
        return Err(StoreError::Forbidden("Tài khoản chỉ xem được hồ sơ này, không sửa được.".to_owned()));
    }
    let p = &row.person;
    let has_answer = p.status == VerificationStatus::Mismatched.as_str()
        || p.status == VerificationStatus::AwaitingEvidence.as_str();
    let values: Option<RegistryValues> =
        has_answer.then(|| p.registry_values.as_deref().and_then(|v| serde_json::from_str(v).ok())).flatten();
    let Some(values) = values else {
        return Err(StoreError::state(
            "/status",
            "no_registry_values",
            "Hồ sơ này không có giá trị từ CSDL quốc gia để nhận (chỉ hồ sơ sai thông tin có giá trị trả về).",
        ));
    };
    let ctx = ctx.clone().with_source(Source::Registry, Some(format!("person:{}", p.id)));
    let changes = changes_from_registry(&values);
    let updated = crate::store::people::update_in(conn, caller, &ctx, row, changes).await?;
    // The values are taken; clear them so they are not offered again.
    let mut active: people::ActiveModel = updated.into();
    active.registry_values = Set(None);
    Ok(active.update(conn).await?)
}

/// Marks a record as waiting for the family's evidence (the ID-number notice); the registry's
/// differing values and reasons stay on it.
pub async fn mark_awaiting_evidence(
    db: &DatabaseConnection,
    caller: &Caller,
    ctx: &AuditCtx,
    kind: PersonKind,
    id: i64,
) -> StoreResult<people::Model> {
    let txn = crate::store::begin_write(db).await?;
    let after = set_awaiting_evidence_in(&txn, caller, ctx, kind, id, true).await?;
    txn.commit().await?;
    Ok(after)
}

/// Takes the mark back: the record returns to the status it had before it was marked.
pub async fn unmark_awaiting_evidence(
    db: &DatabaseConnection,
    caller: &Caller,
    ctx: &AuditCtx,
    kind: PersonKind,
    id: i64,
) -> StoreResult<people::Model> {
    let txn = crate::store::begin_write(db).await?;
    let after = set_awaiting_evidence_in(&txn, caller, ctx, kind, id, false).await?;
    txn.commit().await?;
    Ok(after)
}

/// What a bulk mark (or unmark) did, or would do on a dry run.
#[derive(Debug, Default)]
pub struct BulkOutcome {
    pub changed: Vec<i64>,
    /// The records left alone, and why.
    pub refused: Vec<(i64, StoreError)>,
}

/// Marks (`on`) or unmarks records as awaiting evidence in one transaction; a record that
/// cannot be is reported and left alone. A dry run answers the same and writes nothing.
pub async fn awaiting_evidence_in_bulk(
    db: &DatabaseConnection,
    caller: &Caller,
    ctx: &AuditCtx,
    kind: PersonKind,
    ids: &[i64],
    on: bool,
    dry_run: bool,
) -> StoreResult<BulkOutcome> {
    let txn = crate::store::begin_write(db).await?;
    let mut out = BulkOutcome::default();
    let mut seen = std::collections::HashSet::new();
    for &id in ids.iter().filter(|id| seen.insert(**id)) {
        match set_awaiting_evidence_in(&txn, caller, ctx, kind, id, on).await {
            Ok(_) => out.changed.push(id),
            Err(
                e @ (StoreError::NotFound | StoreError::Forbidden(_) | StoreError::Invalid(_) | StoreError::State(_)),
            ) => {
                out.refused.push((id, e));
            }
            Err(e) => return Err(e),
        }
    }
    if dry_run {
        txn.rollback().await?;
    } else {
        txn.commit().await?;
    }
    Ok(out)
}

/// The body of marking and unmarking, in the caller's transaction; every refusal comes before
/// anything is written.
async fn set_awaiting_evidence_in<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    ctx: &AuditCtx,
    kind: PersonKind,
    id: i64,
    on: bool,
) -> StoreResult<people::Model> {
    let row = crate::store::people::get(conn, caller, kind, id).await?;
    if !crate::store::people::can_write(caller, &row.unit) {
        return Err(StoreError::Forbidden("Tài khoản chỉ xem được hồ sơ này, không sửa được.".to_owned()));
    }
    let status = row.person.status.as_str();
    let fields: Vec<String> = row
        .person
        .mismatch_fields
        .clone()
        .unwrap_or_default()
        .split(',')
        .filter(|f| !f.is_empty())
        .map(str::to_owned)
        .collect();
    let status = if on {
        if status == VerificationStatus::Verified.as_str() || status == VerificationStatus::Queued.as_str() {
            return Err(StoreError::state(
                "/status",
                "not_allowed",
                "Hồ sơ đã xác thực hoặc đang chờ xác thực không cần chờ giấy tờ.",
            ));
        }
        if status == VerificationStatus::AwaitingEvidence.as_str() {
            return Err(StoreError::state(
                "/status",
                "already_awaiting_evidence",
                "Hồ sơ đã ở trạng thái “Chờ giấy tờ”.",
            ));
        }
        VerificationStatus::AwaitingEvidence
    } else {
        if status != VerificationStatus::AwaitingEvidence.as_str() {
            return Err(StoreError::state(
                "/status",
                "not_awaiting_evidence",
                "Hồ sơ không ở trạng thái “Chờ giấy tờ” nên không có gì để bỏ.",
            ));
        }
        status_before_mark(conn, &row.person).await?
    };
    let write = StatusWrite { status, mismatch_fields: fields, registry_values: None };
    let mut after = counters::write_statuses(conn, ctx, vec![(row.person, write)], ctx.at).await?;
    after.pop().ok_or(StoreError::NotFound)
}

/// The status a record awaiting evidence had before it was marked: the audit trail's last
/// change to `awaiting_evidence` says; without one, `mismatched` when the registry's answer is
/// kept on it, else `not_sent`.
async fn status_before_mark<C: ConnectionTrait>(conn: &C, p: &people::Model) -> StoreResult<VerificationStatus> {
    use crate::store::entities::audit_events;
    let last = audit_events::Entity::find()
        .filter(audit_events::Column::Entity.eq("person"))
        .filter(audit_events::Column::EntityId.eq(p.id))
        .filter(audit_events::Column::Field.eq("status"))
        .filter(audit_events::Column::NewValue.eq(VerificationStatus::AwaitingEvidence.as_str()))
        .order_by_desc(audit_events::Column::Id)
        .one(conn)
        .await?;
    let before = last.and_then(|e| e.old_value).and_then(|v| VerificationStatus::parse(&v));
    Ok(match before {
        Some(s @ (VerificationStatus::Mismatched | VerificationStatus::NotFound | VerificationStatus::Error)) => s,
        Some(VerificationStatus::NotSent) if p.mismatch_fields.is_none() => VerificationStatus::NotSent,
        _ if p.mismatch_fields.is_some() || p.registry_values.is_some() => VerificationStatus::Mismatched,
        _ => VerificationStatus::NotSent,
    })
}

/// What a student of the class needs to bring, per record awaiting evidence.
#[derive(Debug, Clone)]
pub struct EvidenceSlip {
    pub person: people::Model,
    /// The mismatch fields of the last answer (empty for a record not found).
    pub fields: Vec<String>,
    /// The last answer's outcome (`mismatched`, `not_found`, …), if any.
    pub last_outcome: Option<String>,
}

/// The records of a class waiting for evidence, with what the registry last said.
pub async fn evidence_requests<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    class_id: i64,
) -> StoreResult<(crate::store::entities::classes::Model, units::Model, Vec<EvidenceSlip>)> {
    let (class, school) = crate::store::classes::get_scoped(conn, caller, class_id).await?;
    let persons = people::Entity::find()
        .filter(people::Column::ClassId.eq(class_id))
        .filter(people::Column::DeletedAt.is_null())
        .filter(people::Column::Status.eq(VerificationStatus::AwaitingEvidence.as_str()))
        .order_by_asc(people::Column::SortKey)
        .all(conn)
        .await?;
    let mut slips = Vec::with_capacity(persons.len());
    for p in persons {
        let last = verification_history::Entity::find()
            .filter(verification_history::Column::PersonId.eq(p.id))
            .order_by_desc(verification_history::Column::Id)
            .one(conn)
            .await?;
        let fields = last
            .as_ref()
            .and_then(|h| h.fields.clone())
            .unwrap_or_default()
            .split(',')
            .filter(|f| !f.is_empty())
            .map(str::to_owned)
            .collect();
        slips.push(EvidenceSlip { person: p, fields, last_outcome: last.map(|h| h.outcome) });
    }
    Ok((class, school, slips))
}

/// Ids of the mismatched records with registry values in a scope (for the bulk accept).
pub async fn mismatched_with_values<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    kind: PersonKind,
    unit_id: Option<i64>,
    class_id: Option<i64>,
) -> StoreResult<Vec<i64>> {
    let forbidden =
        || StoreError::Forbidden("Chỉ đơn vị quản lý hồ sơ mới nhận được giá trị từ CSDLQG cho hồ sơ.".to_owned());
    let pattern = match unit_id {
        Some(id) => {
            let unit = crate::store::units::get_scoped(conn, caller, id).await?;
            if !caller.writes_unit(unit.id, &unit.path) {
                return Err(forbidden());
            }
            format!("{}%", unit.path)
        }
        None => caller.subtree_pattern(),
    };
    if let Some(class_id) = class_id {
        let (_, school) = crate::store::classes::get_scoped(conn, caller, class_id).await?;
        if !caller.writes_unit(school.id, &school.path) {
            return Err(forbidden());
        }
    }
    let mut q = people::Entity::find()
        .select_only()
        .column(people::Column::Id)
        .filter(people::Column::DeletedAt.is_null())
        .filter(people::Column::Kind.eq(kind.as_str()))
        .filter(people::Column::UnitId.in_subquery(crate::store::people::units_under(pattern)))
        .filter(people::Column::Status.eq(VerificationStatus::Mismatched.as_str()))
        .filter(people::Column::RegistryValues.is_not_null());
    if let Some(class_id) = class_id {
        q = q.filter(people::Column::ClassId.eq(class_id));
    }
    // only the records the caller edits (a school its own, an office its own staff)
    q = q.filter(people::Column::UnitId.eq(caller.unit_id));
    Ok(q.order_by_asc(people::Column::Id).into_tuple().all(conn).await?)
}

/// Copies one mismatched record's registry values into it and sends it again in a new job, in
/// one transaction. Returns the job; none when the record cannot be sent (errors left to fix).
pub async fn accept_and_resend(
    db: &DatabaseConnection,
    caller: &Caller,
    ctx: &AuditCtx,
    kind: PersonKind,
    id: i64,
) -> StoreResult<Option<JobView>> {
    let txn = crate::store::begin_write(db).await?;
    let row = crate::store::people::get(&txn, caller, kind, id).await?;
    accept_registry_values_in(&txn, caller, ctx, row).await?;
    let scope = JobScope { person_ids: Some(vec![id]), kind: Some(kind), ..JobScope::default() };
    let view = match create_job_in(&txn, caller, ctx, scope).await {
        Ok(view) => Some(view),
        Err(StoreError::NothingToSend(_)) => None,
        Err(e) => return Err(e),
    };
    txn.commit().await?;
    Ok(view)
}

/// Copies one record's registry values into it in a transaction of its own; a refusal
/// (forbidden, nothing to accept) changes nothing and is returned.
pub async fn accept_registry_values(
    db: &DatabaseConnection,
    caller: &Caller,
    ctx: &AuditCtx,
    kind: PersonKind,
    id: i64,
    dry_run: bool,
) -> StoreResult<()> {
    let txn = crate::store::begin_write(db).await?;
    let row = crate::store::people::get(&txn, caller, kind, id).await?;
    match accept_registry_values_in(&txn, caller, ctx, row).await {
        Ok(_) if dry_run => Ok(txn.rollback().await?),
        Ok(_) => Ok(txn.commit().await?),
        Err(e) => {
            txn.rollback().await?;
            Err(e)
        }
    }
}
