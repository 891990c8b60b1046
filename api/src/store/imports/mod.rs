//! Spreadsheet imports: read and plan a file against the records in scope (a preview, stored
//! as JSON), commit it atomically (every accepted row or nothing, each change audited with
//! source `import` and the import id), undo it as a whole (fields changed again since are
//! kept, records created by it are removed unless changed since), or discard it. Files with
//! many rows are planned by a background task that records its progress.
//!
//! This file holds the shared types and lookups; [`start`] reads and plans a file, [`rows`] reads
//! the stored plan back, [`commit`] applies it, [`undo`] reverts or discards it.

mod commit;
mod new_classes;
mod phases;
mod rows;
mod start;
mod takeover;
mod undo;

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::audit::{AuditCtx, Source};
use super::entities::{audit_events, classes, import_rows, imports, people, units};
use super::people::{IdentityField, PersonChanges};
use super::{StoreError, StoreResult};
use crate::config::ImportSettings;
use crate::domain::access::Caller;
use crate::domain::clock::Clock;
use crate::import::plan::{self, ClassInfo, Existing, Layout, LayoutError, PlanInput, SheetLayout};
use crate::import::{self, PlannedRow, ReadError, RowAction, Totals};
use crate::jobs::WorkerEnv;
use crate::rules::PersonKind;
pub use commit::*;
pub use new_classes::{NewClassPlan, of as new_classes_of};
pub use rows::*;
pub use start::*;
pub use takeover::{MAX_TAKEOVERS, Reopened, claim_stale_commits, claim_stale_plans, reopen, uploader};
pub use undo::*;

/// Import statuses.
pub mod status {
    /// A background task is reading and planning the file.
    pub const PROCESSING: &str = "processing";
    /// The preview is ready; nothing is written yet.
    pub const READY: &str = "ready";
    pub const COMMITTED: &str = "committed";
    pub const UNDONE: &str = "undone";
    /// The background task failed (`error` says why).
    pub const FAILED: &str = "failed";
    /// Not committed in time.
    pub const EXPIRED: &str = "expired";
}

/// Why an upload cannot become an import.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("{}", .0.message())]
    Layout(LayoutError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sea_orm::DbErr> for ImportError {
    fn from(e: sea_orm::DbErr) -> ImportError {
        ImportError::Store(e.into())
    }
}

/// What the uploader asked for.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Student or staff; default: what the template says, else students.
    pub kind: Option<PersonKind>,
    /// The class new students go to when the file does not say.
    pub class_id: Option<i64>,
    /// The unit (school) the rows belong to; default: the class's school, the template's, or
    /// the caller's own unit.
    pub unit_id: Option<i64>,
    /// Commit straight after the preview when nothing is in the way.
    pub commit: bool,
}

/// Everything the planner needs from the database, for one unit.
pub(crate) struct Scope {
    kind: PersonKind,
    unit: units::Model,
    class_id: Option<i64>,
    existing: Vec<Existing>,
    classes: Vec<ClassInfo>,
    /// Classes the file names that the school does not have yet ("lớp mới").
    new_classes: Vec<NewClassPlan>,
    outside_keys: HashSet<i64>,
    outside_sector_codes: HashSet<String>,
}

fn kind_of(s: &str) -> PersonKind {
    if s == "staff" { PersonKind::Staff } else { PersonKind::Student }
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".to_owned())
}

/// An import the caller may see (its unit is in the caller's subtree).
pub async fn get<C: ConnectionTrait>(conn: &C, caller: &Caller, id: &str) -> StoreResult<imports::Model> {
    let record = imports::Entity::find_by_id(id.to_owned()).one(conn).await?.ok_or(StoreError::NotFound)?;
    super::units::get_scoped(conn, caller, record.unit_id).await?;
    Ok(record)
}

/// The latest imports of the caller's subtree, newest first (at most `limit`).
pub async fn list_visible<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    limit: u64,
) -> StoreResult<Vec<imports::Model>> {
    let unit_ids: Vec<i64> = units::Entity::find()
        .select_only()
        .column(units::Column::Id)
        .filter(crate::store::units::path_starts_with(units::Column::Path, &caller.unit_path))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(imports::Entity::find()
        .filter(imports::Column::UnitId.is_in(unit_ids))
        .order_by_desc(imports::Column::CreatedAt)
        .limit(limit)
        .all(conn)
        .await?)
}

async fn writable(db: &DatabaseConnection, caller: &Caller, record: &imports::Model) -> StoreResult<()> {
    let unit = super::units::get(db, record.unit_id).await?;
    if !caller.writes_unit(unit.id, &unit.path) {
        return Err(StoreError::Forbidden(
            "Chỉ đơn vị quản lý hồ sơ mới ghi, hoàn tác hoặc huỷ lần nhập này.".to_owned(),
        ));
    }
    Ok(())
}
