//! A background import outlives the instance that plans it (issue 16, step 3): its uploaded file
//! is kept, sealed, in `import_uploads` until its plan is stored. When the planner stops
//! reporting for a lease (its instance was stopped or killed), the sweeper of any instance
//! claims the import with a conditional heartbeat (one claim wins), reads the kept file again
//! and plans it from the start; a file whose planning was taken over [`MAX_TAKEOVERS`] times is
//! failed with its reason instead. A preview whose commit was asked for with the upload and never
//! written is claimed the same way and committed (the commit claims the import in its own
//! transaction, so no row is ever written twice).

use super::*;
use crate::store::entities::import_uploads;
use sea_orm::sea_query::{ExprTrait, Query};

/// How many times a dead instance's planning is taken over before the import is failed.
pub const MAX_TAKEOVERS: i32 = 2;

const TABLE: &str = "import_uploads";
const COLUMN: &str = "data";

fn seal_upload(id: &str, bytes: &[u8]) -> StoreResult<String> {
    use base64ct::Encoding;
    crate::store::sealing::seal_text(TABLE, COLUMN, id, base64ct::Base64::encode_string(bytes))
}

fn open_upload(id: &str, stored: &str) -> StoreResult<Vec<u8>> {
    use base64ct::Encoding;
    let text = crate::store::sealing::open_text(TABLE, COLUMN, id, stored)?;
    base64ct::Base64::decode_vec(&text).map_err(|e| StoreError::corrupt(format_args!("{TABLE}.{COLUMN} of {id}"), e))
}

/// Keeps the file of an import planned in the background until its plan is stored.
pub(super) async fn keep_upload<C: ConnectionTrait>(
    conn: &C,
    clock: &Clock,
    id: &str,
    bytes: &[u8],
) -> StoreResult<()> {
    import_uploads::ActiveModel {
        import_id: Set(id.to_owned()),
        data: Set(seal_upload(id, bytes)?),
        takeovers: Set(0),
        created_at: Set(clock.now()),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Deletes an import's kept file: its plan is stored, or it failed.
pub(super) async fn drop_upload<C: ConnectionTrait>(conn: &C, id: &str) -> StoreResult<()> {
    import_uploads::Entity::delete_by_id(id.to_owned()).exec(conn).await?;
    Ok(())
}

/// The imports whose kept file may still be planned again, as a subquery of their ids.
pub(super) fn takeable() -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(import_uploads::Column::ImportId)
        .from(import_uploads::Entity)
        .and_where(Expr::col(import_uploads::Column::Takeovers).lt(MAX_TAKEOVERS))
        .to_owned()
}

/// Deletes the kept files of imports no longer being planned (failed by the sweeper, or whose
/// plan was stored by an instance that died before deleting it).
pub(super) async fn drop_finished_uploads<C: ConnectionTrait>(conn: &C) -> StoreResult<u64> {
    let finished = Query::select()
        .column(imports::Column::Id)
        .from(imports::Entity)
        .and_where(Expr::col(imports::Column::Status).ne(status::PROCESSING))
        .to_owned();
    Ok(import_uploads::Entity::delete_many()
        .filter(import_uploads::Column::ImportId.in_subquery(finished))
        .exec(conn)
        .await?
        .rows_affected)
}

fn lease_cutoff(
    clock: &Clock,
    settings: &ImportSettings,
) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    let now = clock.now();
    let lease = chrono::Duration::seconds(i64::try_from(settings.lease_secs).unwrap_or(i64::MAX / 1000));
    (now, now - lease)
}

/// Claims the background imports whose planner has not reported for a lease and whose file is
/// kept (taken over fewer than [`MAX_TAKEOVERS`] times). The claim is the heartbeat itself,
/// conditional on the lease having passed: of several instances sweeping at once, one wins.
pub async fn claim_stale_plans(
    db: &DatabaseConnection,
    clock: &Clock,
    settings: &ImportSettings,
) -> StoreResult<Vec<String>> {
    let (now, cutoff) = lease_cutoff(clock, settings);
    let stale: Vec<String> = imports::Entity::find()
        .select_only()
        .column(imports::Column::Id)
        .filter(imports::Column::Status.eq(status::PROCESSING))
        .filter(imports::Column::UpdatedAt.lt(cutoff))
        .filter(imports::Column::Id.in_subquery(takeable()))
        .into_tuple()
        .all(db)
        .await?;
    let mut claimed = Vec::new();
    for id in stale {
        let txn = crate::store::begin_write(db).await?;
        let won = imports::Entity::update_many()
            .col_expr(imports::Column::UpdatedAt, Expr::value(now))
            .filter(imports::Column::Id.eq(id.as_str()))
            .filter(imports::Column::Status.eq(status::PROCESSING))
            .filter(imports::Column::UpdatedAt.lt(cutoff))
            .exec(&txn)
            .await?
            .rows_affected
            == 1;
        if won {
            import_uploads::Entity::update_many()
                .col_expr(import_uploads::Column::Takeovers, Expr::col(import_uploads::Column::Takeovers).add(1))
                .filter(import_uploads::Column::ImportId.eq(id.as_str()))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        if won {
            claimed.push(id);
        }
    }
    Ok(claimed)
}

/// Why a commit asked for with the upload has not happened (its server stopped between the plan
/// and the commit).
pub(super) fn commit_interrupted() -> String {
    serde_json::json!({
        "code": "commit_interrupted",
        "message": "Máy chủ dừng giữa chừng trước khi ghi xong lần nhập này nên chưa có hồ sơ nào được ghi; \
                    hãy xem lại bản xem trước rồi bấm “Ghi vào hệ thống”.",
    })
    .to_string()
}

/// Claims the previews whose commit was asked for with the upload and has not happened for a
/// lease. The claim writes the reason (`commit_interrupted`) in the same conditional update,
/// so that a takeover that dies in turn leaves the reason and is not taken over again; the
/// commit clears it.
pub async fn claim_stale_commits(
    db: &DatabaseConnection,
    clock: &Clock,
    settings: &ImportSettings,
) -> StoreResult<Vec<String>> {
    let (now, cutoff) = lease_cutoff(clock, settings);
    let waiting = || {
        Condition::all()
            .add(imports::Column::Status.eq(status::READY))
            .add(imports::Column::CommitRequested.eq(true))
            .add(imports::Column::Error.is_null())
            .add(imports::Column::UpdatedAt.lt(cutoff))
    };
    let stale: Vec<String> = imports::Entity::find()
        .select_only()
        .column(imports::Column::Id)
        .filter(waiting())
        .into_tuple()
        .all(db)
        .await?;
    let mut claimed = Vec::new();
    for id in stale {
        let won = imports::Entity::update_many()
            .col_expr(imports::Column::Error, Expr::value(commit_interrupted()))
            .col_expr(imports::Column::UpdatedAt, Expr::value(now))
            .filter(imports::Column::Id.eq(id.as_str()))
            .filter(waiting())
            .exec(db)
            .await?
            .rows_affected
            == 1;
        if won {
            claimed.push(id);
        }
    }
    Ok(claimed)
}

/// The account that uploaded an import, as the caller its plan and commit run for.
pub async fn uploader(db: &DatabaseConnection, record: &imports::Model) -> StoreResult<Caller> {
    let user = crate::store::users::get(db, record.actor_id).await?.ok_or(StoreError::NotFound)?;
    let unit = crate::store::users::unit_of(db, &user).await?;
    Ok(Caller {
        user_id: user.id,
        username: user.username.clone(),
        role: crate::store::users::role_of(&user)?,
        unit_id: unit.id,
        unit_path: unit.path,
    })
}

/// A claimed import read again from its kept file: what its plan needs.
pub struct Reopened {
    pub caller: Caller,
    pub(crate) scope: Scope,
    pub layout: Layout,
}

/// Reads a claimed import's kept file again and gathers what its plan needs, for the unit,
/// class and population the upload was checked against.
pub async fn reopen(db: &DatabaseConnection, settings: &ImportSettings, id: &str) -> Result<Reopened, ImportError> {
    let record = imports::Entity::find_by_id(id.to_owned()).one(db).await?.ok_or(StoreError::NotFound)?;
    let kept = import_uploads::Entity::find_by_id(id.to_owned()).one(db).await?.ok_or(StoreError::NotFound)?;
    let bytes = open_upload(id, &kept.data)?;
    let caller = uploader(db, &record).await?;
    let (file, meta) = open_file(record.filename.clone(), bytes, settings).await?;
    let ReadFile { layout, meta, .. } = read_file_rows(file, meta, settings).await?;
    let unit = units::Entity::find_by_id(record.unit_id).one(db).await?.ok_or(StoreError::NotFound)?;
    let scope = scope_for(db, (kind_of(&record.kind), unit, record.class_id), &layout, meta.as_ref()).await?;
    Ok(Reopened { caller, scope, layout })
}
