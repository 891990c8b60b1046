//! What the data-subject report (issue 13, item 5) shows about one record, gathered from the
//! record, its change audit and the access log: each value held now with where it came from
//! (entered, import, registry) and when, every change with who made it, every access with who
//! read it, the school that answers and the legal basis (the campaign the school works under).
//! Rendering is [`crate::pdf::personal_data`]'s; this module only reads.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::StoreResult;
use super::access_log::{self, AccessAction};
use super::audit::{self, Source};
use super::entities::{audit_events, imports};
use super::people::{self, IdentityField, PersonRow};
use crate::domain::access::Caller;
use crate::pdf::personal_data::{
    Access, AccessKind, Change, HeldValue, LegalBasis, Origin, PersonalDataReport, School, SubjectKind,
};
use crate::rules::PersonKind;

/// The legal basis every report names, beside the campaign.
pub const LAW: &str = "Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân; Luật Bảo vệ dữ liệu cá nhân (có hiệu lực \
                       từ ngày 01/01/2026). Mục đích: rà soát, làm sạch và xác thực thông tin định danh với Cơ sở dữ \
                       liệu quốc gia về dân cư theo chỉ đạo của ngành Giáo dục.";

fn origin(source: &str, source_ref: Option<&str>, files: &std::collections::HashMap<String, String>) -> Origin {
    match Source::parse(source) {
        Some(Source::Import) => {
            Origin::Import { file: source_ref.and_then(|r| files.get(r.split(':').next().unwrap_or(r))).cloned() }
        }
        Some(Source::Registry) => Origin::Registry,
        Some(Source::AutoFix) => Origin::AutoFix,
        Some(Source::Seed) => Origin::Initial,
        Some(Source::Manual) | None => Origin::Entered,
    }
}

fn access_kind(action: &str) -> Option<AccessKind> {
    match AccessAction::parse(action)? {
        AccessAction::Reveal => Some(AccessKind::Reveal),
        AccessAction::HistoryView => Some(AccessKind::History),
        AccessAction::Export => Some(AccessKind::Export),
        AccessAction::ImportReport => Some(AccessKind::ImportReport),
        AccessAction::PersonalDataReport => Some(AccessKind::DataSubjectReport),
        AccessAction::RetentionPurge => None,
    }
}

/// Everything the report on this record shows, as of `today` (in Vietnam).
pub async fn gather<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    row: &PersonRow,
    campaign: Option<(String, NaiveDate)>,
    today: NaiveDate,
) -> StoreResult<PersonalDataReport> {
    let p = &row.person;
    let events = audit::history(conn, "person", p.id).await?;
    let import_ids: Vec<String> = events
        .iter()
        .filter(|e| e.source == Source::Import.as_str())
        .filter_map(|e| e.source_ref.as_deref().map(|r| r.split(':').next().unwrap_or(r).to_owned()))
        .collect();
    let files: std::collections::HashMap<String, String> = if import_ids.is_empty() {
        Default::default()
    } else {
        imports::Entity::find()
            .filter(imports::Column::Id.is_in(import_ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|i| (i.id, i.filename))
            .collect()
    };
    let changes: Vec<Change> = events
        .iter()
        .filter(|e| matches!(e.action.as_str(), "create" | "update") && e.field.is_some())
        .map(|e| Change {
            at: e.at,
            by: e.actor.clone(),
            field: e.field.clone().unwrap_or_default(),
            old: e.old_value.clone(),
            new: e.new_value.clone(),
            origin: origin(&e.source, e.source_ref.as_deref(), &files),
        })
        .collect();
    let last_change = |field: &str| -> Option<&audit_events::Model> {
        events.iter().rev().find(|e| e.field.as_deref() == Some(field) && e.action != "view_personal_id")
    };
    let identity = people::identity_of(p)?;
    let mut held = Vec::new();
    for field in IdentityField::ALL {
        let value = match field {
            IdentityField::PersonalId => people::personal_id_clear(p)?,
            other => identity.get(other).clone(),
        };
        let last = last_change(field.name());
        held.push(HeldValue {
            field: field.name().to_owned(),
            value,
            origin: last.map_or(Origin::Initial, |e| origin(&e.source, e.source_ref.as_deref(), &files)),
            at: last.map(|e| e.at),
        });
    }
    let accesses: Vec<Access> = access_log::of_person(conn, p.id)
        .await?
        .into_iter()
        .filter_map(|e| Some(Access { at: e.at, by: e.username, kind: access_kind(&e.action)?, detail: e.detail }))
        .collect();
    let parent = match row.unit.parent_id {
        Some(id) => Some(super::units::get(conn, id).await?.name),
        None => None,
    };
    let kind = people::kind_of(p)?;
    let class_or_position = match kind {
        PersonKind::Student => row.class.as_ref().map(|c| format!("Lớp {}", c.name)),
        PersonKind::Staff => {
            p.position.as_deref().and_then(crate::domain::org::Position::parse).map(|pos| pos.label().to_owned())
        }
    };
    let (campaign, directive) = match campaign {
        Some((name, deadline)) => (name, format!("{LAW} Hạn hoàn thành: {}.", deadline.format("%d/%m/%Y"))),
        None => ("Rà soát, xác thực thông tin định danh".to_owned(), LAW.to_owned()),
    };
    Ok(PersonalDataReport {
        kind: if kind == PersonKind::Staff { SubjectKind::Staff } else { SubjectKind::Student },
        record_id: p.id,
        full_name: p.full_name.clone().unwrap_or_default(),
        class_or_position,
        school: School {
            name: row.unit.name.clone(),
            parent,
            address: row.unit.address.clone(),
            phone: row.unit.phone.clone(),
            email: row.unit.email.clone(),
        },
        held,
        changes,
        accesses,
        legal_basis: LegalBasis { campaign, directive },
        issued_on: today,
        issued_by: Some(caller.username.clone()),
    })
}

/// When the report was issued, for the access log's detail.
pub fn detail(at: DateTime<Utc>) -> String {
    format!("báo cáo ngày {}", crate::domain::clock::date_in_vietnam(at).format("%d/%m/%Y"))
}
