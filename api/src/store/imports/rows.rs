//! The stored plan rows of an import, read back in chunks for the preview pages, the error
//! workbook and the commit.

use super::*;

/// A planned row's JSON as stored: sealed whole ([`crate::store::sealing::seal_text`]), the
/// import and the row's place as its row key.
pub(super) fn seal_row(import_id: &str, seq: i32, data: String) -> StoreResult<String> {
    crate::store::sealing::seal_text("import_rows", "data", format_args!("{import_id}/{seq}"), data)
}

/// A stored planned row's JSON, opened.
fn open_row<'a>(import_id: &str, seq: i32, data: &'a str) -> StoreResult<std::borrow::Cow<'a, str>> {
    crate::store::sealing::open_text("import_rows", "data", format_args!("{import_id}/{seq}"), data)
}

/// Refuses (409, `rows_purged`) what needs an import's planned rows once they were deleted at
/// the end of their retention time (`store::retention`): the import's counts stay, its rows
/// are gone.
pub fn rows_kept(record: &imports::Model) -> StoreResult<()> {
    match record.rows_purged_at {
        None => Ok(()),
        Some(at) => Err(StoreError::State(crate::error::FieldError {
            pointer: "/id".to_owned(),
            code: "rows_purged".to_owned(),
            message: format!(
                "Chi tiết từng dòng của lần nhập này đã được xoá ngày {} vì hết thời hạn lưu dữ liệu cá nhân; \
                 chỉ còn số liệu tổng hợp.",
                crate::domain::clock::date_in_vietnam(at).format("%d/%m/%Y")
            ),
        })),
    }
}

/// Every planned row of an import, in file order (read in chunks).
pub async fn rows_of<C: ConnectionTrait>(conn: &C, id: &str) -> StoreResult<Vec<PlannedRow>> {
    read_rows(conn, id, None).await
}

/// The stored rows of an import (only those of `actions` when given), in file order, read in
/// chunks of 5,000. A row that no longer deserialises is an error, never silently left out.
async fn read_rows<C: ConnectionTrait, T: serde::de::DeserializeOwned>(
    conn: &C,
    id: &str,
    actions: Option<&[RowAction]>,
) -> StoreResult<Vec<T>> {
    const CHUNK: u64 = 5_000;
    let mut out = Vec::new();
    let mut after = -1;
    loop {
        let mut query = import_rows::Entity::find()
            .select_only()
            .column(import_rows::Column::Seq)
            .column(import_rows::Column::Data)
            .filter(import_rows::Column::ImportId.eq(id))
            .filter(import_rows::Column::Seq.gt(after));
        if let Some(actions) = actions {
            query = query.filter(import_rows::Column::Action.is_in(actions.iter().map(|a| a.as_str())));
        }
        let chunk: Vec<(i32, String)> =
            query.order_by_asc(import_rows::Column::Seq).limit(CHUNK).into_tuple().all(conn).await?;
        let Some((last, _)) = chunk.last() else { break };
        after = *last;
        let n = chunk.len();
        for (seq, data) in chunk {
            let data = open_row(id, seq, &data)?;
            out.push(serde_json::from_str(&data).map_err(|e| StoreError::Db(sea_orm::DbErr::Json(e.to_string())))?);
        }
        if (n as u64) < CHUNK {
            break;
        }
    }
    Ok(out)
}

/// What a commit needs of a planned row (the cells and findings stay in the database).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommitRow {
    pub sheet: String,
    pub row: u32,
    pub action: RowAction,
    pub person_id: Option<i64>,
    pub class_id: Option<i64>,
    pub version: Option<i32>,
    pub changes: Vec<import::FieldChange>,
    pub values: plan::RowValues,
}

/// The rows a commit writes (`update` and `create`), in file order, read in chunks.
pub(super) async fn rows_to_commit<C: ConnectionTrait>(conn: &C, id: &str) -> StoreResult<Vec<CommitRow>> {
    read_rows(conn, id, Some(&[RowAction::Update, RowAction::Create])).await
}

/// A page of planned rows (1-based `page`), optionally of one action, with how many match.
pub async fn page_of<C: ConnectionTrait>(
    conn: &C,
    id: &str,
    action: Option<RowAction>,
    page: u64,
    page_size: u64,
) -> StoreResult<(Vec<PlannedRow>, u64)> {
    let mut q = import_rows::Entity::find().filter(import_rows::Column::ImportId.eq(id));
    if let Some(a) = action {
        q = q.filter(import_rows::Column::Action.eq(a.as_str()));
    }
    let total = q.clone().count(conn).await?;
    let rows: Vec<(i32, String)> = q
        .select_only()
        .column(import_rows::Column::Seq)
        .column(import_rows::Column::Data)
        .order_by_asc(import_rows::Column::Seq)
        .offset(page.saturating_sub(1).saturating_mul(page_size))
        .limit(page_size)
        .into_tuple()
        .all(conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (seq, data) in rows {
        out.extend(serde_json::from_str(&open_row(id, seq, &data)?).ok());
    }
    Ok((out, total))
}

/// The sheet layouts of an import.
pub fn sheets_of(record: &imports::Model) -> Vec<SheetLayout> {
    serde_json::from_str(&record.sheets).unwrap_or_default()
}

/// The totals of an import.
pub fn totals_of(record: &imports::Model) -> Totals {
    serde_json::from_str(&record.totals).unwrap_or_default()
}
