//! The append-only audit trail. ID numbers are stored in full here (the audit is the record
//! of truth) and must never be written to logs.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::entities::audit_events;
use super::{StoreError, StoreResult};
use crate::domain::access::Caller;

/// Where a change came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Manual,
    Import,
    Registry,
    AutoFix,
    Seed,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Manual => "manual",
            Source::Import => "import",
            Source::Registry => "registry",
            Source::AutoFix => "auto_fix",
            Source::Seed => "seed",
        }
    }

    /// The source a stored name names.
    pub fn parse(s: &str) -> Option<Source> {
        [Source::Manual, Source::Import, Source::Registry, Source::AutoFix, Source::Seed]
            .into_iter()
            .find(|source| source.as_str() == s)
    }
}

/// Who is acting, from where, under which request, and when (by the application's clock):
/// attached to every audit row, and the instant every write of the operation stamps.
#[derive(Debug, Clone)]
pub struct AuditCtx {
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub source: Source,
    /// The import, fix batch or job the change belongs to.
    pub source_ref: Option<String>,
    pub request_id: Option<String>,
}

impl AuditCtx {
    /// A change made by a signed-in user through the API.
    pub fn manual(caller: &Caller, request_id: Option<String>, at: DateTime<Utc>) -> AuditCtx {
        AuditCtx {
            at,
            actor_id: Some(caller.user_id),
            actor: caller.username.clone(),
            source: Source::Manual,
            source_ref: None,
            request_id,
        }
    }
    /// A change made by the system itself (seeding, workers).
    pub fn system(source: Source, source_ref: Option<String>, at: DateTime<Utc>) -> AuditCtx {
        AuditCtx { at, actor_id: None, actor: "system".to_owned(), source, source_ref, request_id: None }
    }
    /// The date in Vietnam at the operation's instant (what the rules call today).
    pub fn today(&self) -> NaiveDate {
        crate::domain::clock::date_in_vietnam(self.at)
    }
    pub fn with_source(mut self, source: Source, source_ref: Option<String>) -> AuditCtx {
        self.source = source;
        self.source_ref = source_ref;
        self
    }
}

/// One audit row to write.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub field: Option<&'a str>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// The field whose old and new values are ID numbers, sealed at rest (issue 13).
pub const SEALED_FIELD: &str = "personalId";

/// True when an event's values are ID numbers (an export's note only names record ids).
fn holds_id_numbers(action: &str, field: Option<&str>) -> bool {
    field == Some(SEALED_FIELD) && action != "export"
}

/// Appends events, a few thousand per statement (`store::bulk`). The old and new values of an ID number are sealed with
/// the installed keys, the table, column and the event's id as associated data (the ids are
/// taken first, [`super::sealing::reserve_ids`]).
pub async fn record<C: ConnectionTrait>(conn: &C, ctx: &AuditCtx, events: Vec<Event<'_>>) -> StoreResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let ring = crate::crypto::installed();
    let sealing = ring.as_ref().filter(|_| {
        events.iter().any(|e| holds_id_numbers(e.action, e.field) && (e.old_value.is_some() || e.new_value.is_some()))
    });
    let ids = match sealing {
        Some(_) => Some(super::sealing::reserve_ids(conn, "audit_events", events.len()).await?),
        None => None,
    };
    let now = ctx.at;
    let mut rows = Vec::with_capacity(events.len());
    for (n, mut e) in events.into_iter().enumerate() {
        let id = ids.as_ref().and_then(|ids| ids.get(n).copied());
        if let (Some(ring), Some(id)) = (sealing, id)
            && holds_id_numbers(e.action, e.field)
        {
            for (column, value) in [("old_value", &mut e.old_value), ("new_value", &mut e.new_value)] {
                if let Some(clear) = value.as_deref() {
                    let aad = crate::crypto::Aad::new("audit_events", column, id);
                    *value = Some(ring.encrypt(&aad, clear).map_err(|e| StoreError::corrupt("audit_events", e))?);
                }
            }
        }
        rows.push(audit_events::ActiveModel {
            id: id.map_or(sea_orm::ActiveValue::NotSet, Set),
            at: Set(now),
            actor_id: Set(ctx.actor_id),
            actor: Set(ctx.actor.clone()),
            action: Set(e.action.to_owned()),
            entity: Set(e.entity.to_owned()),
            entity_id: Set(e.entity_id),
            field: Set(e.field.map(str::to_owned)),
            old_value: Set(e.old_value),
            new_value: Set(e.new_value),
            source: Set(ctx.source.as_str().to_owned()),
            source_ref: Set(ctx.source_ref.clone()),
            request_id: Set(ctx.request_id.clone()),
        });
    }
    super::bulk::insert(conn, &rows).await
}

/// An event as recorded, its ID numbers opened (a clear one, from before the keys, as it is).
pub fn open(mut e: audit_events::Model) -> StoreResult<audit_events::Model> {
    if !holds_id_numbers(&e.action, e.field.as_deref()) {
        return Ok(e);
    }
    let id = e.id;
    for (column, value) in [("old_value", &mut e.old_value), ("new_value", &mut e.new_value)] {
        if let Some(stored) = value.as_deref().filter(|v| crate::crypto::is_encrypted(v)) {
            let ring = crate::crypto::installed().ok_or_else(|| {
                StoreError::corrupt(
                    format_args!("audit_events.{column} of {id}"),
                    "encrypted, and no keys are configured",
                )
            })?;
            let clear = ring
                .decrypt(&crate::crypto::Aad::new("audit_events", column, id), stored)
                .map_err(|err| StoreError::corrupt(format_args!("audit_events.{column} of {id}"), err))?;
            *value = Some(clear);
        }
    }
    Ok(e)
}

/// Events as recorded, their ID numbers opened.
pub fn open_all(events: Vec<audit_events::Model>) -> StoreResult<Vec<audit_events::Model>> {
    events.into_iter().map(open).collect()
}

/// Records that a file was exported (a report, a template, an error workbook): `entity` names what,
/// `entity_id` the unit, `note` the details, `carried` the records the file holds. A file that
/// carries full ID numbers names the records whose numbers it carried (`full_ids`): the event's
/// `field` is `personalId` and its note ends with `số định danh đầy đủ của hồ sơ: 12-40,57` (ids,
/// consecutive ones as ranges). A file that carries records is also an entry of the access log,
/// with their ids.
pub async fn record_export<C: ConnectionTrait + sea_orm::TransactionTrait>(
    conn: &C,
    ctx: &AuditCtx,
    entity: &str,
    entity_id: i64,
    note: String,
    carried: &[i64],
    full_ids: Option<&[i64]>,
) -> StoreResult<()> {
    use super::access_log::{self, Access, AccessAction};
    if !carried.is_empty() {
        let access = Access {
            action: if entity == "import_report" { AccessAction::ImportReport } else { AccessAction::Export },
            unit_id: Some(entity_id),
            field: full_ids.is_some_and(|ids| !ids.is_empty()).then_some("personalId"),
            detail: Some(format!("{entity}: {note}")),
            person_ids: carried,
        };
        access_log::record(conn, ctx, access).await?;
    }
    let (field, note) = match full_ids {
        Some(ids) => (Some("personalId"), format!("{note}; số định danh đầy đủ của hồ sơ: {}", id_ranges(ids))),
        None => (None, note),
    };
    let event =
        Event { action: "export", entity, entity_id: Some(entity_id), field, old_value: None, new_value: Some(note) };
    record(conn, ctx, vec![event]).await
}

/// Ids as ascending ranges: `[3, 1, 2, 7]` → `1-3,7` (none: `không có`).
pub fn id_ranges(ids: &[i64]) -> String {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < ids.len() {
        let start = ids[i];
        while i + 1 < ids.len() && ids[i + 1] == ids[i] + 1 {
            i += 1;
        }
        parts.push(if ids[i] == start { start.to_string() } else { format!("{start}-{}", ids[i]) });
        i += 1;
    }
    if parts.is_empty() { "không có".to_owned() } else { parts.join(",") }
}

/// Every event about one entity, oldest first.
pub async fn history<C: ConnectionTrait>(
    conn: &C,
    entity: &str,
    entity_id: i64,
) -> StoreResult<Vec<audit_events::Model>> {
    open_all(
        audit_events::Entity::find()
            .filter(audit_events::Column::Entity.eq(entity))
            .filter(audit_events::Column::EntityId.eq(entity_id))
            .order_by_asc(audit_events::Column::Id)
            .all(conn)
            .await?,
    )
}

#[cfg(test)]
mod tests {
    use super::id_ranges;

    #[test]
    fn ids_are_written_as_ranges() {
        for (ids, want) in [
            (vec![3, 1, 2, 7], "1-3,7"),
            (vec![5], "5"),
            (vec![5, 5, 6], "5-6"),
            (vec![10, 12, 14, 15, 16], "10,12,14-16"),
            (vec![], "không có"),
        ] {
            assert_eq!(id_ranges(&ids), want, "{ids:?}");
        }
    }
}
