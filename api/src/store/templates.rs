//! The records a template export carries: one sheet per class of a school (or one class), or
//! the staff of a unit, filtered to unverified records or records with errors if asked.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::StoreResult;
use super::entities::{classes, people, units};
use crate::domain::access::Caller;
use crate::domain::admin_units::Scheme;
use crate::domain::org::{Position, VerificationStatus};
use crate::excel::template::{TemplateRecord, TemplateSheet};
use crate::rules::{PersonKind, Severity};

/// Which records to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Only {
    #[default]
    All,
    /// Not verified yet (any status but `verified`).
    Unverified,
    /// With at least one `error` finding.
    WithErrors,
    /// Without a valid 12-digit personal ID number (missing, a 9-digit CMND, damaged): the list
    /// to hand to parents and the police (CSDL ngành's menu 4.1.8).
    WithoutId,
}

impl Only {
    pub fn label(self) -> &'static str {
        match self {
            Only::All => "tất cả hồ sơ",
            Only::Unverified => "hồ sơ chưa xác thực",
            Only::WithErrors => "hồ sơ còn lỗi",
            Only::WithoutId => "hồ sơ chưa có số định danh",
        }
    }
}

/// A template row from a record.
pub fn record(p: &people::Model) -> StoreResult<TemplateRecord> {
    let outcome = super::people::parse_outcome(p)?;
    let residence = outcome.normalized.residence.as_ref();
    let post2025 = residence.is_some_and(|r| r.scheme == Scheme::Post2025);
    let (commune, new_commune) = if post2025 {
        (None, p.res_commune.clone())
    } else {
        let converted = p
            .res_commune
            .as_ref()
            .and(residence.and_then(|r| r.post2025.as_ref()).and_then(|u| u.commune_name.clone()));
        (p.res_commune.clone(), converted)
    };
    let mut problems: Vec<String> =
        outcome.findings.iter().filter(|f| f.severity != Severity::Fixed).map(|f| f.message.clone()).collect();
    problems.dedup();
    Ok(TemplateRecord {
        key: p.id,
        version: p.version,
        sector_code: p.sector_code.clone(),
        full_name: p.full_name.clone(),
        date_of_birth: p.date_of_birth.clone(),
        gender: p.gender.clone(),
        personal_id: crate::store::people::personal_id_of(p)?,
        province: p.res_province.clone(),
        district: p.res_district.clone(),
        commune,
        new_commune,
        position: p.position.as_deref().and_then(Position::parse).map(|x| x.label().to_owned()),
        status: VerificationStatus::parse(&p.status).map(|s| s.label().to_owned()).unwrap_or_default(),
        problems: problems.join("; "),
    })
}

fn filtered(only: Only) -> impl Fn(&people::Model) -> bool {
    move |p| match only {
        Only::All => true,
        Only::Unverified => p.status != VerificationStatus::Verified.as_str(),
        Only::WithErrors => p.error_count > 0,
        Only::WithoutId => !p.personal_id_valid,
    }
}

async fn people_of<C: ConnectionTrait>(
    conn: &C,
    kind: PersonKind,
    unit_id: i64,
    class_id: Option<i64>,
) -> StoreResult<Vec<people::Model>> {
    let mut q = people::Entity::find()
        .filter(people::Column::Kind.eq(kind.as_str()))
        .filter(people::Column::UnitId.eq(unit_id))
        .filter(people::Column::DeletedAt.is_null());
    if let Some(c) = class_id {
        q = q.filter(people::Column::ClassId.eq(c));
    }
    Ok(q.order_by_asc(people::Column::SortKey).order_by_asc(people::Column::Id).all(conn).await?)
}

/// Students of one class, or of every class of a school in the given school year (classes of
/// other years only when the school has none in it).
pub async fn students<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    class_id: Option<i64>,
    school_id: Option<i64>,
    school_year: &str,
    only: Only,
) -> StoreResult<(units::Model, String, Vec<TemplateSheet>)> {
    let keep = filtered(only);
    if let Some(cid) = class_id {
        let (class, school) = super::classes::get_scoped(conn, caller, cid).await?;
        let records = people_of(conn, PersonKind::Student, school.id, Some(class.id)).await?;
        let sheet = TemplateSheet {
            name: class.name.clone(),
            class_id: Some(class.id),
            records: records.iter().filter(|p| keep(p)).map(record).collect::<StoreResult<_>>()?,
        };
        return Ok((school, format!("Lớp {} ({})", class.name, only.label()), vec![sheet]));
    }
    let school = super::units::get_scoped(conn, caller, school_id.unwrap_or(caller.unit_id)).await?;
    let mut list: Vec<classes::Model> =
        super::classes::list_for_school(conn, caller, school.id, Some(school_year)).await?;
    if list.is_empty() {
        list = super::classes::list_for_school(conn, caller, school.id, None).await?;
    }
    let records = people_of(conn, PersonKind::Student, school.id, None).await?;
    let sheets = list
        .into_iter()
        .map(|c| {
            Ok(TemplateSheet {
                name: c.name.clone(),
                class_id: Some(c.id),
                records: records
                    .iter()
                    .filter(|p| p.class_id == Some(c.id) && keep(p))
                    .map(record)
                    .collect::<StoreResult<_>>()?,
            })
        })
        .collect::<StoreResult<_>>()?;
    Ok((school.clone(), format!("Toàn trường ({})", only.label()), sheets))
}

/// Staff of a unit (default: the caller's).
pub async fn staff<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    unit_id: Option<i64>,
    only: Only,
) -> StoreResult<(units::Model, String, Vec<TemplateSheet>)> {
    let keep = filtered(only);
    let unit = super::units::get_scoped(conn, caller, unit_id.unwrap_or(caller.unit_id)).await?;
    let records = people_of(conn, PersonKind::Staff, unit.id, None).await?;
    let sheet = TemplateSheet {
        name: "Cán bộ".to_owned(),
        class_id: None,
        records: records.iter().filter(|p| keep(p)).map(record).collect::<StoreResult<_>>()?,
    };
    Ok((unit, format!("Cán bộ, giáo viên, nhân viên ({})", only.label()), vec![sheet]))
}

/// Drop-down lists for a template of this unit: every province (post-2025 names, then the
/// pre-2025 ones); when the unit is in a known province, that province's pre-2025 districts
/// and communes and its post-2025 communes.
pub fn dropdown_lists(unit: &units::Model) -> Vec<(crate::import::Column, Vec<String>)> {
    use crate::import::Column;
    let au = crate::domain::admin_units::units();
    let mut provinces: Vec<String> = au.new_provinces().iter().map(|p| p.name.to_owned()).collect();
    for p in au.old_provinces() {
        if !provinces.iter().any(|n| n == p.name) {
            provinces.push(p.name.to_owned());
        }
    }
    let mut lists = vec![(Column::ResidenceProvince, provinces)];
    if let Some(code) = unit.province_code.as_deref() {
        let districts: Vec<String> = au.old_districts_of_province(code).iter().map(|d| d.name.to_owned()).collect();
        let mut communes: Vec<String> = au.old_communes_of_province(code).iter().map(|c| c.name.to_owned()).collect();
        communes.sort();
        communes.dedup();
        let new_code = au.successor_province(code).map_or(code, |p| p.code);
        let mut new_communes: Vec<String> =
            au.new_communes_of_province(new_code).iter().map(|c| c.name.to_owned()).collect();
        new_communes.sort();
        new_communes.dedup();
        lists.push((Column::ResidenceDistrict, districts));
        lists.push((Column::ResidenceCommune, communes));
        lists.push((Column::ResidenceNewCommune, new_communes));
    }
    lists
}
