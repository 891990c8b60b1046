//! The access log (issue 13): an append-only record of who read personal data — a full ID
//! number revealed, a record's history viewed, a file exported with the records it carried, an
//! import report downloaded, a data-subject report printed, a retention purge — separate from
//! the change audit ([`super::audit`]). Nothing here updates or deletes a row (and the
//! database's triggers refuse it). An entry names the unit whose records were read, which
//! decides who may read the entry: the Department everything, an office (admin) its subtree, a
//! school's principal its school. Entries hold ids, counts and scopes, never an ID number.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionSession, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::audit::AuditCtx;
use super::entities::{access_event_people, access_events};
use super::{StoreError, StoreResult};
use crate::domain::access::{Caller, Tier};

/// What was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccessAction {
    /// A full ID number shown on request (`POST …/reveal`).
    Reveal,
    /// A record's change history read (`GET …/history`).
    HistoryView,
    /// A file exported with the records it carried (a template, a report).
    Export,
    /// An import's report workbook downloaded.
    ImportReport,
    /// A data-subject report printed (`GET …/personal-data-report.pdf`).
    PersonalDataReport,
    /// Personal data kept for operations deleted at the end of its retention time.
    RetentionPurge,
}

impl AccessAction {
    pub const ALL: &'static [AccessAction] = &[
        AccessAction::Reveal,
        AccessAction::HistoryView,
        AccessAction::Export,
        AccessAction::ImportReport,
        AccessAction::PersonalDataReport,
        AccessAction::RetentionPurge,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AccessAction::Reveal => "reveal",
            AccessAction::HistoryView => "history_view",
            AccessAction::Export => "export",
            AccessAction::ImportReport => "import_report",
            AccessAction::PersonalDataReport => "personal_data_report",
            AccessAction::RetentionPurge => "retention_purge",
        }
    }

    pub fn parse(s: &str) -> Option<AccessAction> {
        AccessAction::ALL.iter().copied().find(|a| a.as_str() == s)
    }

    /// Vietnamese label (the Excel export, the data-subject report).
    pub fn label(self) -> &'static str {
        match self {
            AccessAction::Reveal => "Xem số định danh đầy đủ",
            AccessAction::HistoryView => "Xem lịch sử thay đổi",
            AccessAction::Export => "Xuất tệp",
            AccessAction::ImportReport => "Tải báo cáo nhập tệp",
            AccessAction::PersonalDataReport => "In báo cáo dữ liệu cá nhân",
            AccessAction::RetentionPurge => "Xóa dữ liệu hết thời hạn lưu",
        }
    }
}

/// One access to record.
#[derive(Debug, Clone)]
pub struct Access<'a> {
    pub action: AccessAction,
    /// The unit whose records were read (none: the whole database, e.g. a purge).
    pub unit_id: Option<i64>,
    /// The field shown in full (`personalId`), if any.
    pub field: Option<&'a str>,
    /// What was read (a file's scope, a purge's counts); never an ID number.
    pub detail: Option<String>,
    /// The records read.
    pub person_ids: &'a [i64],
}

/// Rows of `access_event_people` per statement.
const CHUNK: usize = 1_000;

/// Appends one entry (and the records it names), in one transaction, at the context's instant.
pub async fn record<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    ctx: &AuditCtx,
    access: Access<'_>,
) -> StoreResult<i64> {
    let mut ids = access.person_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let txn = conn.begin().await?;
    let event = access_events::ActiveModel {
        at: Set(ctx.at),
        user_id: Set(ctx.actor_id),
        username: Set(ctx.actor.clone()),
        request_id: Set(ctx.request_id.clone()),
        action: Set(access.action.as_str().to_owned()),
        unit_id: Set(access.unit_id),
        field: Set(access.field.map(str::to_owned)),
        detail: Set(access.detail),
        person_count: Set(i32::try_from(ids.len()).unwrap_or(i32::MAX)),
        ..Default::default()
    };
    let event_id = access_events::Entity::insert(event).exec(&txn).await?.last_insert_id;
    for chunk in ids.chunks(CHUNK) {
        let rows = chunk
            .iter()
            .map(|&person_id| access_event_people::ActiveModel { event_id: Set(event_id), person_id: Set(person_id) });
        access_event_people::Entity::insert_many(rows).exec_without_returning(&txn).await?;
    }
    txn.commit().await?;
    Ok(event_id)
}

/// Filters of the access log.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub person_id: Option<i64>,
    pub user_id: Option<i64>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// 1-based.
    pub page: u64,
    pub page_size: u64,
}

/// An entry with the records it names (at most `max_people` of them; `person_count` says how
/// many there were).
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub event: access_events::Model,
    pub person_ids: Vec<i64>,
}

fn scope(caller: &Caller, filter: &LogFilter) -> StoreResult<Condition> {
    if !caller.reads_access_log(&caller.unit_path) {
        return Err(StoreError::Forbidden("Tài khoản của bạn không được xem nhật ký truy cập.".to_owned()));
    }
    let mut cond = Condition::all();
    if caller.role.tier() != Tier::Department {
        cond =
            cond.add(access_events::Column::UnitId.in_subquery(super::people::units_under(caller.subtree_pattern())));
    }
    if let Some(person_id) = filter.person_id {
        cond = cond.add(
            access_events::Column::Id.in_subquery(
                Query::select()
                    .column(access_event_people::Column::EventId)
                    .from(access_event_people::Entity)
                    .and_where(Expr::col(access_event_people::Column::PersonId).eq(person_id))
                    .to_owned(),
            ),
        );
    }
    if let Some(user_id) = filter.user_id {
        cond = cond.add(access_events::Column::UserId.eq(user_id));
    }
    if let Some(from) = filter.from {
        cond = cond.add(access_events::Column::At.gte(from));
    }
    if let Some(to) = filter.to {
        cond = cond.add(access_events::Column::At.lt(to));
    }
    Ok(cond)
}

/// A page of the entries the caller may read, newest first, and the total.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    filter: &LogFilter,
    max_people: u64,
) -> StoreResult<(Vec<LogEntry>, u64)> {
    let cond = scope(caller, filter)?;
    let query = access_events::Entity::find().filter(cond).order_by_desc(access_events::Column::Id);
    let total = query.clone().count(conn).await?;
    let events = query
        .offset(filter.page.saturating_sub(1).saturating_mul(filter.page_size))
        .limit(filter.page_size)
        .all(conn)
        .await?;
    with_people(conn, events, Some(max_people)).await.map(|entries| (entries, total))
}

/// Every entry the caller may read under the filter (page ignored), newest first, at most
/// `limit` of them.
pub async fn all<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    filter: &LogFilter,
    limit: u64,
) -> StoreResult<Vec<LogEntry>> {
    let cond = scope(caller, filter)?;
    let events = access_events::Entity::find()
        .filter(cond)
        .order_by_desc(access_events::Column::Id)
        .limit(limit)
        .all(conn)
        .await?;
    with_people(conn, events, None).await
}

async fn with_people<C: ConnectionTrait>(
    conn: &C,
    events: Vec<access_events::Model>,
    max_people: Option<u64>,
) -> StoreResult<Vec<LogEntry>> {
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        let person_ids = if event.person_count == 0 {
            Vec::new()
        } else {
            access_event_people::Entity::find()
                .filter(access_event_people::Column::EventId.eq(event.id))
                .order_by_asc(access_event_people::Column::PersonId)
                .limit(max_people)
                .all(conn)
                .await?
                .into_iter()
                .map(|r| r.person_id)
                .collect()
        };
        out.push(LogEntry { event, person_ids });
    }
    Ok(out)
}

/// Who viewed a record and when (the data-subject report), oldest first.
pub async fn of_person<C: ConnectionTrait>(conn: &C, person_id: i64) -> StoreResult<Vec<access_events::Model>> {
    Ok(access_events::Entity::find()
        .filter(
            access_events::Column::Id.in_subquery(
                Query::select()
                    .column(access_event_people::Column::EventId)
                    .from(access_event_people::Entity)
                    .and_where(Expr::col(access_event_people::Column::PersonId).eq(person_id))
                    .to_owned(),
            ),
        )
        .order_by_asc(access_events::Column::Id)
        .all(conn)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::AccessAction;

    #[test]
    fn actions_round_trip() {
        for a in AccessAction::ALL {
            assert_eq!(AccessAction::parse(a.as_str()), Some(*a));
            assert_eq!(serde_json::to_value(a).expect("json"), serde_json::json!(a.as_str()));
            assert!(!a.label().is_empty());
        }
        assert_eq!(AccessAction::parse("update"), None);
    }
}
