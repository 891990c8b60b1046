//! The `id_duplicate` finding: kept true for every active record that shares an ID number with
//! another, across all units.

use super::*;
use crate::store::counters::Deltas;

fn duplicate_finding(others: usize) -> Finding {
    let mut f = Finding::new(Field::PersonalId, Code::IdDuplicate);
    f.message = format!(
        "Số định danh cá nhân này đang có ở {others} hồ sơ khác; hãy kiểm tra lại với giấy tờ của người học/người lao động."
    );
    f.params.insert("otherRecords".to_owned(), serde_json::json!(others));
    f
}

/// Makes the `id_duplicate` finding true for every active record holding one of these ID
/// numbers, across all units. The numbers are given by their lookup keys
/// (`personal_id_index`, see [`lookup_key`]); only valid (12-digit) numbers count.
pub async fn sync_duplicates<C: ConnectionTrait>(conn: &C, lookup_keys: &[String]) -> StoreResult<()> {
    let mut deltas = Deltas::default();
    sync_duplicates_counted(conn, lookup_keys, &mut deltas).await?;
    deltas.write(conn).await
}

/// [`sync_duplicates`] adding the counters' deltas to the caller's, for it to write once.
/// Answers the records it changed, as written.
pub async fn sync_duplicates_counted<C: ConnectionTrait>(
    conn: &C,
    lookup_keys: &[String],
    deltas: &mut Deltas,
) -> StoreResult<Vec<people::Model>> {
    let mut changed = Vec::new();
    for key in lookup_keys {
        let holders = people::Entity::find()
            .filter(people::Column::PersonalIdIndex.eq(key.as_str()))
            .filter(people::Column::PersonalIdValid.eq(true))
            .filter(people::Column::DeletedAt.is_null())
            .all(conn)
            .await?;
        let n = holders.len();
        for holder in holders {
            let mut outcome = parse_outcome(&holder)?;
            let had = outcome.findings.iter().any(|f| f.code == Code::IdDuplicate);
            let want = n > 1;
            let others = n.saturating_sub(1);
            let current_others = outcome
                .findings
                .iter()
                .find(|f| f.code == Code::IdDuplicate)
                .and_then(|f| f.params.get("otherRecords"))
                .and_then(serde_json::Value::as_u64);
            if had == want && (!want || current_others == Some(others as u64)) {
                continue;
            }
            outcome.findings.retain(|f| f.code != Code::IdDuplicate);
            if want {
                outcome.findings.push(duplicate_finding(others));
            }
            let id = holder.id;
            let before = holder.clone();
            let mut active: people::ActiveModel = holder.into();
            apply_outcome(&mut active, &outcome);
            let after = active.update(conn).await?;
            write_finding_rows(conn, id, &outcome).await?;
            deltas.change(conn, Some(&before), Some(&after)).await?;
            changed.push(after);
        }
    }
    Ok(changed)
}

/// The lookup keys of the ID numbers held by more than one active record.
pub async fn duplicated_ids<C: ConnectionTrait>(conn: &C) -> StoreResult<Vec<String>> {
    use sea_orm::QuerySelect;
    use sea_orm::sea_query::ExprTrait;
    let rows: Vec<Option<String>> = people::Entity::find()
        .select_only()
        .column(people::Column::PersonalIdIndex)
        .filter(people::Column::DeletedAt.is_null())
        .filter(people::Column::PersonalIdValid.eq(true))
        .group_by(people::Column::PersonalIdIndex)
        .having(Expr::col(people::Column::Id).count().gt(1))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().flatten().collect())
}

/// Those of these lookup keys held by more than one active record (queried in chunks: an
/// import's new numbers, without scanning the whole table). Each key is counted through the
/// index on its own: a join of the keys with `people` let PostgreSQL plan a scan of the whole
/// table when its statistics were older than the import (a fresh database filled by its first
/// imports: seen running 0.9–2.7 s per chunk of 5,000 numbers while 100,000 records were
/// seeded; on the same data afterwards 173 ms, and 58 ms in this form).
pub async fn duplicated_among<C: ConnectionTrait>(conn: &C, lookup_keys: &[String]) -> StoreResult<Vec<String>> {
    let backend = conn.get_database_backend();
    let keys = match backend {
        sea_orm::DatabaseBackend::Postgres => "SELECT DISTINCT json_array_elements_text(CAST($1 AS json)) AS k",
        _ => "SELECT DISTINCT value AS k FROM json_each(?)",
    };
    let sql = format!(
        "SELECT keys.k AS k FROM ({keys}) keys WHERE (SELECT COUNT(*) FROM people p \
         WHERE p.personal_id_index = keys.k AND p.deleted_at IS NULL AND p.personal_id_valid = TRUE) > 1 \
         ORDER BY keys.k"
    );
    let mut out = Vec::new();
    // one statement per few thousand numbers, the numbers as one JSON parameter
    for chunk in lookup_keys.chunks(crate::store::bulk::ROWS_PER_STATEMENT) {
        let list = serde_json::to_string(chunk).map_err(|e| StoreError::Db(sea_orm::DbErr::Json(e.to_string())))?;
        let rows = conn
            .query_all_raw(sea_orm::Statement::from_sql_and_values(backend, sql.clone(), [sea_orm::Value::from(list)]))
            .await?;
        for row in rows {
            out.push(row.try_get::<String>("", "k")?);
        }
    }
    Ok(out)
}
