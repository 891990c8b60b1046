//! `/admin-units`: the official administrative units, searched by a few letters, for the web
//! app's residence pickers. Public reference data (the same for every caller); nothing stored.

use actix_web::{get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::bounds;
use crate::domain::access::Caller;
use crate::domain::admin_units::search::{FoundUnit, UnitQuery, find_units};
use crate::domain::admin_units::{Level, Scheme};
use crate::error::{ApiError, ApiResult, Problem};

/// A level of the unit tree.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum UnitLevel {
    Province,
    /// Pre-2025 only.
    District,
    Commune,
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AdminUnitsQuery {
    /// `pre2025` (63 provinces, districts, communes in force on 30 June 2025) or `post2025`
    /// (34 provinces and their communes, no districts).
    pub scheme: Scheme,
    /// `province`, `district` (pre-2025 only) or `commune`.
    #[param(inline)]
    pub level: UnitLevel,
    /// Only units of this province (a code of `scheme`, e.g. `31`).
    #[param(max_length = 2)]
    pub province_code: Option<String>,
    /// Only communes of this pre-2025 district (e.g. `304`).
    #[param(max_length = 3)]
    pub district_code: Option<String>,
    /// Letters of the name, diacritics optional ("gia vien"), or digits of the code
    /// (`11341`); empty: all, in code order.
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// At most this many (default 20, at most 100).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
}

/// One administrative unit.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AdminUnit {
    pub code: String,
    /// Official name with its type word ("Phường Gia Viên").
    pub name: String,
    /// Where it is ("Quận Ngô Quyền, Thành phố Hải Phòng"); empty for a province.
    pub within: String,
    /// A pre-2025 commune: the post-2025 commune it became (the official default where it was
    /// split).
    pub becomes: Option<String>,
    /// A pre-2025 commune split between several post-2025 communes: how many (0 otherwise).
    pub split_into: usize,
}

impl From<FoundUnit> for AdminUnit {
    fn from(f: FoundUnit) -> AdminUnit {
        AdminUnit {
            code: f.code.to_owned(),
            name: f.name.to_owned(),
            within: f.within,
            becomes: f.becomes.map(str::to_owned),
            split_into: f.split_into,
        }
    }
}

/// Units found, best first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminUnitList {
    pub items: Vec<AdminUnit>,
}

/// Finds administrative units of one level and list by a few letters of their name
/// (diacritics optional), under a province or district when given: names starting with the
/// letters first. Districts exist only in the pre-2025 list (422 `validation_failed` otherwise).
#[utoipa::path(tag = "reference", params(AdminUnitsQuery), responses(
    (status = 200, body = AdminUnitList),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[get("/admin-units")]
pub async fn find_admin_units(
    _caller: Caller,
    query: web::Query<AdminUnitsQuery>,
) -> ApiResult<web::Json<AdminUnitList>> {
    let q = query.into_inner();
    let level = match q.level {
        UnitLevel::Province => Level::Province,
        UnitLevel::District => Level::District,
        UnitLevel::Commune => Level::Commune,
    };
    if level == Level::District && q.scheme == Scheme::Post2025 {
        return Err(ApiError::field(
            "level",
            "no_districts_after_2025",
            "Từ 01/7/2025 không còn cấp huyện: tìm quận/huyện trong danh sách trước 2025 (scheme=pre2025).",
        ));
    }
    for (name, value, max) in
        [("provinceCode", &q.province_code, 2), ("districtCode", &q.district_code, 3), ("q", &q.q, 100)]
    {
        if value.as_ref().is_some_and(|v| v.chars().count() > max) {
            return Err(ApiError::field(name, "too_long", format!("{name} dài tối đa {max} ký tự.")));
        }
    }
    let text = q.q.unwrap_or_default();
    let items = find_units(&UnitQuery {
        scheme: q.scheme,
        level,
        province_code: q.province_code.as_deref().filter(|s| !s.is_empty()),
        district_code: q.district_code.as_deref().filter(|s| !s.is_empty()),
        text: &text,
        limit: bounds::count("limit", q.limit, 20, 100)? as usize,
    });
    Ok(web::Json(AdminUnitList { items: items.into_iter().map(AdminUnit::from).collect() }))
}
