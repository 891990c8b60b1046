//! Official administrative units (pre-2025 and post-2025 lists, the old→new conversion and
//! aliases), compiled into the binary from `data/admin-units/` and parsed on first use.
//!
//! - [`units`] gives the typed lists and lookups by code: provinces, districts and communes of
//!   the pre-2025 scheme (63 / 696 / 10,035 in force on 30 June 2025, plus 26 rows superseded in
//!   the first half of 2025), provinces and communes of the post-2025 scheme (34 / 3,321), the
//!   official conversion of every old commune (one target, or 2–5 for the 440 split communes,
//!   with the default one marked) and the aliases. Codes are reused between the schemes: a code
//!   means nothing without its [`Scheme`].
//! - [`ResolvedResidence`] is the normalised residence the rule engine returns;
//!   [`AdminUnits::residence_of_old_commune`] and [`AdminUnits::residence_of_new_commune`] build
//!   it for a known unit (seeding, demo data, tests).
//! - [`keys`] holds the name-matching keys and type words, [`index`] the name index used by
//!   `rules::address` to resolve what a clerk typed.
//!
//! Typical calls (every list is a slice in code order; every lookup is a hash lookup):
//!
//! ```text
//! let u = admin_units::units();
//! for d in u.old_districts_of_province("31") { … }          // Hải Phòng: 303 … 318
//! for c in u.old_communes_of_district("304") { … }          // Quận Ngô Quyền, in force
//! let res = u.residence_of_old_commune("11341");            // what the rule would return
//! let targets = u.conversion("11341");                      // 3 targets, one is_default
//! for c in u.new_communes_of_province("31") { … }           // drop-down of a new province
//! u.province_name(Scheme::Pre2025, "15")                    // "Tỉnh Yên Bái"
//! u.province_name(Scheme::Post2025, "15")                   // "Tỉnh Lào Cai"
//! ```
//!
//! Pure data: no IO at run time.

pub mod fast_hash;
pub mod history;
pub mod index;
pub mod keys;
pub mod search;
mod tables;

pub use keys::Level;
pub use tables::{
    AdminUnits, Alias, AliasKind, AliasLevel, CommuneStatus, ConversionTarget, MergePart, NewCommune, NewProvince,
    OldCommune, OldDistrict, OldProvince, UnitType, units,
};

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
    /// `pre2025` or `post2025`, as stored and serialised.
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
    /// Post-2025 province code.
    pub province_code: String,
    /// Official province name ("Thành phố Hải Phòng").
    pub province_name: String,
    /// Post-2025 commune code, when the commune is known.
    pub commune_code: Option<String>,
    /// Official commune name ("Phường Gia Viên").
    pub commune_name: Option<String>,
}

/// A residence resolved to official units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedResidence {
    /// The scheme of `provinceCode`, `districtCode` and `communeCode`.
    pub scheme: Scheme,
    /// Province code in `scheme`.
    pub province_code: Option<String>,
    /// District code (pre-2025 only; there are no districts after 1 July 2025).
    pub district_code: Option<String>,
    /// Commune code in `scheme`.
    pub commune_code: Option<String>,
    /// Official province name.
    pub province_name: Option<String>,
    /// Official district name (pre-2025 only).
    pub district_name: Option<String>,
    /// Official commune name.
    pub commune_name: Option<String>,
    /// For a pre-2025 residence: the post-2025 unit it converts to (the default target where
    /// the commune was split). For a post-2025 residence: the same unit.
    pub post2025: Option<NewUnit>,
    /// Where the pre-2025 commune was split across several new communes: all of them (the
    /// default one, repeated in `post2025`, included). Empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub split_candidates: Vec<NewUnit>,
}

/// A pre-2025 province and the post-2025 province it became part of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvinceConversion {
    /// Pre-2025 code (2 digits).
    pub old_code: String,
    /// Pre-2025 official name.
    pub old_name: String,
    /// Post-2025 code.
    pub new_code: String,
    /// Post-2025 official name.
    pub new_name: String,
}

static PROVINCE_OLD_TO_NEW_CSV: &str = include_str!("../../../../data/admin-units/province_old_to_new.csv");

/// The 63 pre-2025 provinces with their post-2025 province, in code order.
pub fn province_conversions() -> &'static [ProvinceConversion] {
    static TABLE: std::sync::LazyLock<Vec<ProvinceConversion>> = std::sync::LazyLock::new(|| {
        PROVINCE_OLD_TO_NEW_CSV
            .lines()
            .skip(1)
            .filter_map(|line| {
                let mut cols = line.split(',');
                Some(ProvinceConversion {
                    old_code: cols.next()?.to_owned(),
                    old_name: cols.next()?.to_owned(),
                    new_code: cols.next()?.to_owned(),
                    new_name: cols.next()?.to_owned(),
                })
            })
            .collect()
    });
    &TABLE
}

/// The pre-2025 province with this 2-digit code (e.g. "31" → Hải Phòng), if any.
pub fn old_province(code: &str) -> Option<&'static ProvinceConversion> {
    province_conversions().iter().find(|p| p.old_code == code)
}

#[cfg(test)]
mod province_tests {
    use super::*;

    #[test]
    fn sixty_three_old_provinces_with_their_new_one() {
        assert_eq!(province_conversions().len(), 63);
        let yen_bai = old_province("15").expect("15");
        assert_eq!(yen_bai.old_name, "Tỉnh Yên Bái");
        assert_eq!(yen_bai.new_name, "Tỉnh Lào Cai");
        assert!(old_province("03").is_none());
    }
}
