//! Official administrative units (pre-2025 and post-2025 lists, the old→new conversion and
//! aliases), compiled into the binary from `data/admin-units/`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Which list a unit code belongs to: codes are reused between the lists, so a bare code is
/// ambiguous (DOMAIN.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// 63 provinces, districts and communes in force on 30 June 2025.
    Pre2025,
    /// 34 provinces and communes, no district level, since 1 July 2025.
    Post2025,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Pre2025 => "pre2025",
            Scheme::Post2025 => "post2025",
        }
    }
}

/// A post-2025 unit (province and, where known, commune).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewUnit {
    pub province_code: String,
    pub province_name: String,
    pub commune_code: Option<String>,
    pub commune_name: Option<String>,
}

/// A residence resolved to official units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedResidence {
    /// The scheme of `provinceCode`, `districtCode` and `communeCode`.
    pub scheme: Scheme,
    pub province_code: Option<String>,
    pub district_code: Option<String>,
    pub commune_code: Option<String>,
    pub province_name: Option<String>,
    pub district_name: Option<String>,
    pub commune_name: Option<String>,
    /// For a pre-2025 residence: the post-2025 unit it converts to (the default target where
    /// the commune was split). For a post-2025 residence: the same unit.
    pub post2025: Option<NewUnit>,
    /// Where the pre-2025 commune was split across several new communes: all of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub split_candidates: Vec<NewUnit>,
}
