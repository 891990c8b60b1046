//! What each exported template carried, kept for `retention.snapshot_days` (three-way import): the
//! export (its id is written into the template's hidden sheet) and, per record, its version and
//! the values as written into the cells. The values are one JSON text column per record, so
//! that sealing them at rest later is one column to encrypt.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::StoreResult;
use super::entities::{template_exports, template_snapshots};
use crate::domain::identity::Identity;
use crate::excel::template::TemplateRecord;
use crate::rules::PersonKind;

/// The values a template row carried, as an untouched row reads back (after masking, when the
/// template masks ID numbers): the commune is the pre-2025 column when filled, else the
/// post-2025 one, as the import reads it. Kept as the JSON of [`Identity`].
pub fn exported_identity(r: &TemplateRecord) -> Identity {
    Identity {
        full_name: r.full_name.clone(),
        date_of_birth: r.date_of_birth.clone(),
        gender: r.gender.clone(),
        personal_id: r.personal_id.clone(),
        res_province: r.province.clone(),
        res_district: r.district.clone(),
        res_commune: r.commune.clone().or_else(|| r.new_commune.clone()),
        res_text: None,
    }
}

/// What a template row carried: its identity values and, for staff, the position its `Chức vụ`
/// cell read (`""` when empty; absent in snapshots kept before it was carried).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Carried {
    #[serde(flatten)]
    pub identity: Identity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
}

/// [`exported_identity`] and the position as the import reads the cell back.
pub fn exported_values(r: &TemplateRecord, kind: PersonKind) -> Carried {
    let position = (kind == PersonKind::Staff).then(|| {
        r.position
            .as_deref()
            .and_then(crate::import::plan::parse_position)
            .map_or(String::new(), |p| p.as_str().to_owned())
    });
    Carried { identity: exported_identity(r), position }
}

/// One export to keep.
pub struct NewExport<'a> {
    pub id: &'a str,
    pub unit_id: i64,
    pub kind: PersonKind,
    pub actor_id: i64,
    pub at: DateTime<Utc>,
    /// `(record id, version, values)`.
    pub records: Vec<(i64, i32, Carried)>,
}

/// Keeps an export and what it carried, in multi-row statements.
pub async fn save<C: ConnectionTrait>(conn: &C, export: NewExport<'_>) -> StoreResult<()> {
    let export_row = template_exports::ActiveModel {
        id: Set(export.id.to_owned()),
        unit_id: Set(export.unit_id),
        kind: Set(export.kind.as_str().to_owned()),
        actor_id: Set(export.actor_id),
        records: Set(i32::try_from(export.records.len()).unwrap_or(i32::MAX)),
        created_at: Set(export.at),
    };
    template_exports::Entity::insert(export_row).exec_without_returning(conn).await?;
    for chunk in export.records.chunks(500) {
        let mut rows = Vec::with_capacity(chunk.len());
        for (person_id, version, values) in chunk {
            // the values carry the full ID number: sealed whole
            let data = super::sealing::seal_text(
                "template_snapshots",
                "data",
                format_args!("{}/{person_id}", export.id),
                serde_json::to_string(values).unwrap_or_else(|_| "{}".to_owned()),
            )?;
            rows.push(template_snapshots::ActiveModel {
                export_id: Set(export.id.to_owned()),
                person_id: Set(*person_id),
                version: Set(*version),
                data: Set(data),
            });
        }
        template_snapshots::Entity::insert_many(rows).exec_without_returning(conn).await?;
    }
    Ok(())
}

/// What an export of this unit and population carried, per record; empty when the export is
/// unknown, swept, or of another unit or population (then the file is compared with the
/// records as they are).
pub async fn carried<C: ConnectionTrait>(
    conn: &C,
    export_id: &str,
    unit_id: i64,
    kind: PersonKind,
) -> StoreResult<HashMap<i64, Carried>> {
    let export = template_exports::Entity::find_by_id(export_id.to_owned())
        .filter(template_exports::Column::UnitId.eq(unit_id))
        .filter(template_exports::Column::Kind.eq(kind.as_str()))
        .one(conn)
        .await?;
    if export.is_none() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, String)> = template_snapshots::Entity::find()
        .select_only()
        .column(template_snapshots::Column::PersonId)
        .column(template_snapshots::Column::Data)
        .filter(template_snapshots::Column::ExportId.eq(export_id))
        .into_tuple()
        .all(conn)
        .await?;
    rows.into_iter()
        .map(|(id, data)| {
            let data =
                super::sealing::open_text("template_snapshots", "data", format_args!("{export_id}/{id}"), &data)?;
            let values: Carried = serde_json::from_str(&data).map_err(|e| {
                super::StoreError::corrupt(format_args!("template_snapshots.data of {export_id}/{id}"), e)
            })?;
            Ok((id, values))
        })
        .collect()
}

/// Deletes the exports made before `before` and what they carried; returns how many exports and
/// how many records' snapshots.
pub async fn sweep<C: ConnectionTrait>(conn: &C, before: DateTime<Utc>) -> StoreResult<(u64, u64)> {
    let old: Vec<String> = template_exports::Entity::find()
        .select_only()
        .column(template_exports::Column::Id)
        .filter(template_exports::Column::CreatedAt.lt(before))
        .into_tuple()
        .all(conn)
        .await?;
    let mut snapshots = 0;
    for chunk in old.chunks(500) {
        snapshots += template_snapshots::Entity::delete_many()
            .filter(template_snapshots::Column::ExportId.is_in(chunk.iter().cloned()))
            .exec(conn)
            .await?
            .rows_affected;
        template_exports::Entity::delete_many()
            .filter(template_exports::Column::Id.is_in(chunk.iter().cloned()))
            .exec(conn)
            .await?;
    }
    Ok((old.len() as u64, snapshots))
}
