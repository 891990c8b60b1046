//! Typed, zero-copy view of the reference CSV files in `data/admin-units/`, compiled into the
//! binary and parsed once on first use ([`units`]).
//!
//! Every name and code is a `&'static str` slice of the embedded text. Lists are sorted so that
//! the communes of a district, the districts of a province and the communes of a post-2025
//! province are contiguous slices; lookups by code go through hash maps. The name index used to
//! resolve typed addresses is built separately (and lazily) in `index.rs`, so a caller that only
//! needs lists and codes never pays for it.
//!
//! No field of the files contains a quoted comma (checked when the data was committed), so a line
//! is split on `,` directly.

use std::ops::Range;
use std::sync::LazyLock;

use super::fast_hash::FastMap;
use super::keys::{Level, TypeWord, split_official};
use super::{NewUnit, ResolvedResidence, Scheme};

static OLD_UNITS_CSV: &str = include_str!("../../../../data/admin-units/old_units.csv");
static NEW_UNITS_CSV: &str = include_str!("../../../../data/admin-units/new_units.csv");
static OLD_TO_NEW_CSV: &str = include_str!("../../../../data/admin-units/old_to_new.csv");
static ALIASES_CSV: &str = include_str!("../../../../data/admin-units/aliases.csv");

/// The official type of a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnitType {
    /// Tỉnh (province).
    Tinh,
    /// Thành phố trực thuộc trung ương (centrally governed city, province level).
    ThanhPhoTrungUong,
    /// Quận (urban district).
    Quan,
    /// Huyện (rural district).
    Huyen,
    /// Thị xã (district-level town).
    ThiXa,
    /// Thành phố thuộc tỉnh / thuộc thành phố trung ương (district-level city).
    ThanhPho,
    /// Phường (urban ward).
    Phuong,
    /// Xã (rural commune).
    Xa,
    /// Thị trấn (township, pre-2025 only).
    ThiTran,
    /// Đặc khu (special zone, post-2025 only).
    DacKhu,
}

impl UnitType {
    /// The type as written in front of a name ("Thành phố", "Thị trấn").
    pub fn label(self) -> &'static str {
        match self {
            UnitType::Tinh => "Tỉnh",
            UnitType::ThanhPhoTrungUong | UnitType::ThanhPho => "Thành phố",
            UnitType::Quan => "Quận",
            UnitType::Huyen => "Huyện",
            UnitType::ThiXa => "Thị xã",
            UnitType::Phuong => "Phường",
            UnitType::Xa => "Xã",
            UnitType::ThiTran => "Thị trấn",
            UnitType::DacKhu => "Đặc khu",
        }
    }

    /// The level of a unit of this type.
    pub fn level(self) -> Level {
        match self {
            UnitType::Tinh | UnitType::ThanhPhoTrungUong => Level::Province,
            UnitType::Quan | UnitType::Huyen | UnitType::ThiXa | UnitType::ThanhPho => Level::District,
            UnitType::Phuong | UnitType::Xa | UnitType::ThiTran | UnitType::DacKhu => Level::Commune,
        }
    }

    /// The type of a unit from its level and official name ("Phường 15" is a phường whatever
    /// the type column says: the name prefix wins, the column is the fallback).
    fn of(level: Level, name: &str, column: &str) -> UnitType {
        let from_column = match column {
            "tỉnh" => UnitType::Tinh,
            "thành phố trung ương" => UnitType::ThanhPhoTrungUong,
            "quận" => UnitType::Quan,
            "huyện" => UnitType::Huyen,
            "thị xã" => UnitType::ThiXa,
            "phường" => UnitType::Phuong,
            "thị trấn" => UnitType::ThiTran,
            "đặc khu" => UnitType::DacKhu,
            "thành phố" => UnitType::ThanhPho,
            _ => UnitType::Xa,
        };
        let agrees = name.strip_prefix(from_column.label()).is_some_and(|rest| rest.starts_with(' '));
        if agrees {
            return from_column;
        }
        let from_word = split_official(name).0.map(|w| match (w, level) {
            (TypeWord::Tinh, _) => UnitType::Tinh,
            (TypeWord::ThanhPho, Level::Province) => UnitType::ThanhPhoTrungUong,
            (TypeWord::ThanhPho, _) => UnitType::ThanhPho,
            (TypeWord::Quan, _) => UnitType::Quan,
            (TypeWord::Huyen, _) => UnitType::Huyen,
            (TypeWord::ThiXa, _) => UnitType::ThiXa,
            (TypeWord::Phuong, _) => UnitType::Phuong,
            (TypeWord::Xa, _) => UnitType::Xa,
            (TypeWord::ThiTran, _) => UnitType::ThiTran,
            (TypeWord::DacKhu, _) => UnitType::DacKhu,
        });
        from_word.filter(|t| t.level() == level).unwrap_or(from_column)
    }
}

/// The status of a pre-2025 commune row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommuneStatus {
    /// In force on 30 June 2025 (the 10,025 communes of the January 2025 list still in force).
    InForce,
    /// In force on 30 June 2025, created in the first half of 2025 (10 communes).
    InForceCreated2025H1,
    /// Merged into another commune in the first half of 2025 (26 rows); see `successor_code`.
    Superseded2025H1,
}

impl CommuneStatus {
    /// True for the 10,035 communes in force on 30 June 2025 (the ones the conversion covers).
    pub fn is_in_force(self) -> bool {
        self != CommuneStatus::Superseded2025H1
    }
}

/// Whether an old commune went whole into a new one or was divided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MergePart {
    /// The whole old commune went into this new commune.
    Whole,
    /// Part of the old commune went into this new commune.
    Partial,
}

/// A pre-2025 province (63).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OldProvince {
    /// Two digits ("31").
    pub code: &'static str,
    /// Official name with its type ("Thành phố Hải Phòng").
    pub name: &'static str,
    /// Tỉnh or thành phố trung ương.
    pub unit_type: UnitType,
    /// The post-2025 province it became (part of).
    pub new_province_code: &'static str,
    districts: Range<usize>,
    communes: Range<usize>,
}

/// A pre-2025 district (696, five of them island districts without communes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OldDistrict {
    /// Three digits ("303").
    pub code: &'static str,
    /// Official name on 30 June 2025 ("Quận Ngô Quyền").
    pub name: &'static str,
    /// Quận, huyện, thị xã or thành phố.
    pub unit_type: UnitType,
    /// Its province (pre-2025 code).
    pub province_code: &'static str,
    communes: Range<usize>,
    island_target: Option<usize>,
    pub(crate) province_pos: u32,
}

impl OldDistrict {
    /// True for the five island districts that had no communes (they map to a post-2025
    /// special zone at district level).
    pub fn is_island_without_communes(&self) -> bool {
        self.island_target.is_some()
    }
}

/// A pre-2025 commune (10,035 in force on 30 June 2025, plus 26 superseded rows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OldCommune {
    /// Five digits ("11311").
    pub code: &'static str,
    /// Official name ("Phường Máy Tơ").
    pub name: &'static str,
    /// Phường, xã or thị trấn.
    pub unit_type: UnitType,
    /// Its district (pre-2025 code).
    pub district_code: &'static str,
    /// Its province (pre-2025 code).
    pub province_code: &'static str,
    /// In force or superseded.
    pub status: CommuneStatus,
    /// The January-2025 name when it changed in the first half of 2025.
    pub former_name: Option<&'static str>,
    /// For a superseded row: the commune it was merged into, when known.
    pub successor_code: Option<&'static str>,
    targets: Range<usize>,
    pub(crate) district_pos: u32,
    pub(crate) province_pos: u32,
}

/// A post-2025 province (34).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProvince {
    /// Two digits; may equal an old code with another meaning ("15" = Lào Cai now).
    pub code: &'static str,
    /// Official name with its type.
    pub name: &'static str,
    /// Tỉnh or thành phố trung ương.
    pub unit_type: UnitType,
    communes: Range<usize>,
}

/// A post-2025 commune (3,321: xã, phường, đặc khu).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCommune {
    /// Five digits; often equal to an old commune code of another place.
    pub code: &'static str,
    /// Official name with its type ("Phường Gia Viên").
    pub name: &'static str,
    /// Phường, xã or đặc khu.
    pub unit_type: UnitType,
    /// Its province (post-2025 code).
    pub province_code: &'static str,
    pub(crate) province_pos: u32,
}

/// One row of the official old→new conversion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversionTarget {
    /// The old province (pre-2025 code).
    pub old_province_code: &'static str,
    /// The old district (pre-2025 code).
    pub old_district_code: &'static str,
    /// The old commune, `None` for the five island districts mapped at district level.
    pub old_commune_code: Option<&'static str>,
    /// The new province (post-2025 code).
    pub new_province_code: &'static str,
    /// The new commune (post-2025 code).
    pub new_commune_code: &'static str,
    /// The new commune's official name.
    pub new_commune_name: &'static str,
    /// Whole or partial transfer.
    pub merge_part: MergePart,
    /// How many new communes the old one went to (1–5).
    pub n_targets: u8,
    /// The target to suggest when a human has not chosen (exactly one per old commune).
    pub is_default: bool,
    /// Why this target is the default (`single_target`, `vietnamadminunits_default`,
    /// `whole_population_target`).
    pub default_rule: &'static str,
}

/// Which list an alias belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AliasLevel {
    /// A pre-2025 province.
    OldProvince,
    /// A pre-2025 district.
    OldDistrict,
    /// A pre-2025 commune.
    OldCommune,
    /// A post-2025 commune.
    NewCommune,
}

/// What an alias is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AliasKind {
    /// A lower-case, toneless, spaceless key ("quan9", "hn", "phuongsaidong").
    AsciiKey,
    /// A spelling variant or former name, with diacritics ("Xã Phổng Lăng").
    Name,
}

/// Another way to write a unit (`aliases.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    /// The list of the unit.
    pub level: AliasLevel,
    /// The unit's code in that list.
    pub code: &'static str,
    /// The alias text.
    pub alias: &'static str,
    /// Key or name.
    pub kind: AliasKind,
    /// Where it comes from.
    pub source: &'static str,
}

/// The reference data: all lists and lookups. Get it with [`units`].
#[derive(Debug)]
pub struct AdminUnits {
    old_provinces: Vec<OldProvince>,
    old_districts: Vec<OldDistrict>,
    /// In-force communes sorted by (province, district, code), then the superseded rows.
    old_communes: Vec<OldCommune>,
    n_in_force: usize,
    new_provinces: Vec<NewProvince>,
    new_communes: Vec<NewCommune>,
    /// Commune targets in old-commune order, then the island-district targets.
    targets: Vec<ConversionTarget>,
    /// For each new commune (by index): the indices of the targets pointing at it.
    new_sources: Vec<Vec<u32>>,
    /// For each new commune (by index): the positions of the old districts it took land from.
    new_source_districts: Vec<Vec<u32>>,
    aliases: Vec<Alias>,
    old_province_by_code: FastMap<&'static str, usize>,
    old_district_by_code: FastMap<&'static str, usize>,
    old_commune_by_code: FastMap<&'static str, usize>,
    new_province_by_code: FastMap<&'static str, usize>,
    new_commune_by_code: FastMap<&'static str, usize>,
}

/// The reference data, parsed on first use: about 20 ms of CPU in a release build on the shared
/// development machine (the `rules` criterion benchmark measures resolution), then free.
pub fn units() -> &'static AdminUnits {
    static UNITS: LazyLock<AdminUnits> = LazyLock::new(AdminUnits::parse);
    &UNITS
}

fn columns<const N: usize>(line: &'static str, file: &str) -> [&'static str; N] {
    let mut out = [""; N];
    let mut n = 0;
    for part in line.split(',') {
        if let Some(slot) = out.get_mut(n) {
            *slot = part;
        }
        n += 1;
    }
    // Compiled-in data, checked by the tests below: a malformed line is a build defect.
    assert!(n == N, "{file}: expected {N} columns in {line:?}");
    out
}

fn rows(csv: &'static str) -> impl Iterator<Item = &'static str> {
    csv.lines().skip(1).filter(|l| !l.is_empty())
}

fn none_if_empty(s: &'static str) -> Option<&'static str> {
    (!s.is_empty()).then_some(s)
}

/// Contiguous ranges of equal keys in a sorted list.
fn group_ranges<T, K: Eq + std::hash::Hash>(items: &[T], key: impl Fn(&T) -> K) -> FastMap<K, Range<usize>> {
    let mut out: FastMap<K, Range<usize>> = FastMap::default();
    for (i, item) in items.iter().enumerate() {
        out.entry(key(item)).and_modify(|r| r.end = i + 1).or_insert(i..i + 1);
    }
    out
}

impl AdminUnits {
    fn parse() -> AdminUnits {
        let province_new: FastMap<&str, &str> =
            super::province_conversions().iter().map(|p| (p.old_code.as_str(), p.new_code.as_str())).collect();

        // Old units: provinces and districts from the first row that names them (an in-force
        // row wins for the district name: district 123 was renamed when it became a thị xã).
        let mut old_provinces: Vec<OldProvince> = Vec::with_capacity(63);
        let mut old_districts: Vec<OldDistrict> = Vec::with_capacity(696);
        let mut old_communes: Vec<OldCommune> = Vec::with_capacity(10_061);
        let mut superseded: Vec<OldCommune> = Vec::new();
        let mut seen_province: FastMap<&str, usize> = FastMap::default();
        let mut seen_district: FastMap<&str, usize> = FastMap::default();
        for line in rows(OLD_UNITS_CSV) {
            let [pc, pn, pt, dc, dn, dt, wc, wn, wt, status, former, successor] = columns::<12>(line, "old_units.csv");
            if !seen_province.contains_key(pc) {
                seen_province.insert(pc, old_provinces.len());
                old_provinces.push(OldProvince {
                    code: pc,
                    name: pn,
                    unit_type: UnitType::of(Level::Province, pn, pt),
                    new_province_code: province_new.get(pc).copied().unwrap_or(pc),
                    districts: 0..0,
                    communes: 0..0,
                });
            }
            let superseded_row = status == "superseded_2025H1";
            match seen_district.get(dc) {
                Some(&i) if !superseded_row && old_districts[i].name != dn => {
                    old_districts[i].name = dn;
                    old_districts[i].unit_type = UnitType::of(Level::District, dn, dt);
                }
                Some(_) => {}
                None => {
                    seen_district.insert(dc, old_districts.len());
                    old_districts.push(OldDistrict {
                        code: dc,
                        name: dn,
                        unit_type: UnitType::of(Level::District, dn, dt),
                        province_code: pc,
                        communes: 0..0,
                        island_target: None,
                        province_pos: 0,
                    });
                }
            }
            if wc.is_empty() {
                continue;
            }
            let commune = OldCommune {
                code: wc,
                name: wn,
                unit_type: UnitType::of(Level::Commune, wn, wt),
                district_code: dc,
                province_code: pc,
                status: match status {
                    "superseded_2025H1" => CommuneStatus::Superseded2025H1,
                    s if s.contains("created_2025H1") => CommuneStatus::InForceCreated2025H1,
                    _ => CommuneStatus::InForce,
                },
                former_name: none_if_empty(former),
                successor_code: none_if_empty(successor),
                targets: 0..0,
                district_pos: 0,
                province_pos: 0,
            };
            if superseded_row {
                superseded.push(commune);
            } else {
                old_communes.push(commune);
            }
        }
        old_provinces.sort_by_key(|p| p.code);
        old_districts.sort_by_key(|d| (d.province_code, d.code));
        old_communes.sort_by_key(|c| (c.province_code, c.district_code, c.code));
        superseded.sort_by_key(|c| c.code);
        let n_in_force = old_communes.len();
        old_communes.extend(superseded);

        let districts_of = group_ranges(&old_districts, |d| d.province_code);
        let communes_of_province = group_ranges(&old_communes[..n_in_force], |c| c.province_code);
        let communes_of_district = group_ranges(&old_communes[..n_in_force], |c| c.district_code);
        for p in &mut old_provinces {
            p.districts = districts_of.get(p.code).cloned().unwrap_or(0..0);
            p.communes = communes_of_province.get(p.code).cloned().unwrap_or(0..0);
        }
        for d in &mut old_districts {
            d.communes = communes_of_district.get(d.code).cloned().unwrap_or(0..0);
        }

        // New units.
        let mut new_provinces: Vec<NewProvince> = Vec::with_capacity(34);
        let mut new_communes: Vec<NewCommune> = Vec::with_capacity(3_321);
        for line in rows(NEW_UNITS_CSV) {
            let [pc, pn, pt, wc, wn, wt] = columns::<6>(line, "new_units.csv");
            if new_provinces.last().is_none_or(|p| p.code != pc) && !new_provinces.iter().any(|p| p.code == pc) {
                new_provinces.push(NewProvince {
                    code: pc,
                    name: pn,
                    unit_type: UnitType::of(Level::Province, pn, pt),
                    communes: 0..0,
                });
            }
            new_communes.push(NewCommune {
                code: wc,
                name: wn,
                unit_type: UnitType::of(Level::Commune, wn, wt),
                province_code: pc,
                province_pos: 0,
            });
        }
        new_provinces.sort_by_key(|p| p.code);
        new_communes.sort_by_key(|c| (c.province_code, c.code));
        let communes_of_new = group_ranges(&new_communes, |c| c.province_code);
        for p in &mut new_provinces {
            p.communes = communes_of_new.get(p.code).cloned().unwrap_or(0..0);
        }

        let index_of = |codes: &mut dyn Iterator<Item = &'static str>| -> FastMap<&'static str, usize> {
            codes.enumerate().map(|(i, c)| (c, i)).collect()
        };
        let old_province_by_code = index_of(&mut old_provinces.iter().map(|p| p.code));
        let old_district_by_code = index_of(&mut old_districts.iter().map(|d| d.code));
        let old_commune_by_code = index_of(&mut old_communes.iter().map(|c| c.code));
        let new_province_by_code = index_of(&mut new_provinces.iter().map(|p| p.code));
        let new_commune_by_code = index_of(&mut new_communes.iter().map(|c| c.code));
        let pos = |map: &FastMap<&'static str, usize>, code: &str| {
            map.get(code).map_or(u32::MAX, |&i| u32::try_from(i).unwrap_or(u32::MAX))
        };
        for d in &mut old_districts {
            d.province_pos = pos(&old_province_by_code, d.province_code);
        }
        for c in &mut old_communes {
            c.district_pos = pos(&old_district_by_code, c.district_code);
            c.province_pos = pos(&old_province_by_code, c.province_code);
        }
        for c in &mut new_communes {
            c.province_pos = pos(&new_province_by_code, c.province_code);
        }

        // Conversion: commune rows grouped in old-commune order (file order within a commune),
        // island rows at the end.
        let mut targets: Vec<(usize, ConversionTarget)> = Vec::with_capacity(10_570);
        let mut islands: Vec<ConversionTarget> = Vec::new();
        for line in rows(OLD_TO_NEW_CSV) {
            let [opc, odc, owc, _own, npc, nwc, nwn, part, n, default, rule, _note] =
                columns::<12>(line, "old_to_new.csv");
            let target = ConversionTarget {
                old_province_code: opc,
                old_district_code: odc,
                old_commune_code: none_if_empty(owc),
                new_province_code: npc,
                new_commune_code: nwc,
                new_commune_name: nwn,
                merge_part: if part == "partial" { MergePart::Partial } else { MergePart::Whole },
                n_targets: n.parse().unwrap_or(1),
                is_default: default == "1",
                default_rule: rule,
            };
            if owc.is_empty() {
                islands.push(target);
            } else if let Some(&c) = old_commune_by_code.get(owc) {
                targets.push((c, target));
            }
        }
        targets.sort_by_key(|(c, _)| *c);
        for (c, range) in group_ranges(&targets, |(c, _)| *c) {
            old_communes[c].targets = range;
        }
        let mut targets: Vec<ConversionTarget> = targets.into_iter().map(|(_, t)| t).collect();
        for t in islands {
            if let Some(&d) = old_district_by_code.get(t.old_district_code) {
                old_districts[d].island_target = Some(targets.len());
            }
            targets.push(t);
        }
        let mut new_sources: Vec<Vec<u32>> = vec![Vec::new(); new_communes.len()];
        let mut new_source_districts: Vec<Vec<u32>> = vec![Vec::new(); new_communes.len()];
        for (i, t) in targets.iter().enumerate() {
            if let Some(&n) = new_commune_by_code.get(t.new_commune_code) {
                new_sources[n].push(u32::try_from(i).unwrap_or(u32::MAX));
                let d = pos(&old_district_by_code, t.old_district_code);
                if !new_source_districts[n].contains(&d) {
                    new_source_districts[n].push(d);
                }
            }
        }

        let aliases = rows(ALIASES_CSV)
            .filter_map(|line| {
                let [level, code, alias, kind, source] = columns::<5>(line, "aliases.csv");
                Some(Alias {
                    level: match level {
                        "old_province" => AliasLevel::OldProvince,
                        "old_district" => AliasLevel::OldDistrict,
                        "old_ward" => AliasLevel::OldCommune,
                        "new_ward" => AliasLevel::NewCommune,
                        _ => return None,
                    },
                    code,
                    alias,
                    kind: if kind == "ascii_key" { AliasKind::AsciiKey } else { AliasKind::Name },
                    source,
                })
            })
            .collect();

        AdminUnits {
            old_provinces,
            old_districts,
            old_communes,
            n_in_force,
            new_provinces,
            new_communes,
            targets,
            new_sources,
            new_source_districts,
            aliases,
            old_province_by_code,
            old_district_by_code,
            old_commune_by_code,
            new_province_by_code,
            new_commune_by_code,
        }
    }

    // ----- pre-2025 lists -------------------------------------------------------------------

    /// The 63 pre-2025 provinces, by code.
    pub fn old_provinces(&self) -> &[OldProvince] {
        &self.old_provinces
    }

    /// The pre-2025 province with this code ("31").
    pub fn old_province(&self, code: &str) -> Option<&OldProvince> {
        self.old_province_by_code.get(code).map(|&i| &self.old_provinces[i])
    }

    /// The 696 pre-2025 districts, by province then code.
    pub fn old_districts(&self) -> &[OldDistrict] {
        &self.old_districts
    }

    /// The pre-2025 district with this code ("303").
    pub fn old_district(&self, code: &str) -> Option<&OldDistrict> {
        self.old_district_by_code.get(code).map(|&i| &self.old_districts[i])
    }

    /// The districts of a pre-2025 province, by code (empty for an unknown code).
    pub fn old_districts_of_province(&self, province_code: &str) -> &[OldDistrict] {
        self.old_province(province_code).map_or(&[], |p| &self.old_districts[p.districts.clone()])
    }

    /// The 10,035 communes in force on 30 June 2025, by province, district and code.
    pub fn old_communes(&self) -> &[OldCommune] {
        &self.old_communes[..self.n_in_force]
    }

    /// The 26 rows superseded in the first half of 2025 (not in [`Self::old_communes`]).
    pub fn superseded_communes(&self) -> &[OldCommune] {
        &self.old_communes[self.n_in_force..]
    }

    /// The pre-2025 commune with this code, in force or superseded ("11311").
    pub fn old_commune(&self, code: &str) -> Option<&OldCommune> {
        self.old_commune_by_code.get(code).map(|&i| &self.old_communes[i])
    }

    /// The in-force communes of a pre-2025 district, by code (empty for an island district or an
    /// unknown code).
    pub fn old_communes_of_district(&self, district_code: &str) -> &[OldCommune] {
        self.old_district(district_code).map_or(&[], |d| &self.old_communes[d.communes.clone()])
    }

    /// The in-force communes of a pre-2025 province, by district then code.
    pub fn old_communes_of_province(&self, province_code: &str) -> &[OldCommune] {
        self.old_province(province_code).map_or(&[], |p| &self.old_communes[p.communes.clone()])
    }

    // ----- post-2025 lists ------------------------------------------------------------------

    /// The 34 post-2025 provinces, by code.
    pub fn new_provinces(&self) -> &[NewProvince] {
        &self.new_provinces
    }

    /// The post-2025 province with this code.
    pub fn new_province(&self, code: &str) -> Option<&NewProvince> {
        self.new_province_by_code.get(code).map(|&i| &self.new_provinces[i])
    }

    /// The 3,321 post-2025 communes, by province then code.
    pub fn new_communes(&self) -> &[NewCommune] {
        &self.new_communes
    }

    /// The post-2025 commune with this code.
    pub fn new_commune(&self, code: &str) -> Option<&NewCommune> {
        self.new_commune_by_code.get(code).map(|&i| &self.new_communes[i])
    }

    /// The communes of a post-2025 province, by code (empty for an unknown code).
    pub fn new_communes_of_province(&self, province_code: &str) -> &[NewCommune] {
        self.new_province(province_code).map_or(&[], |p| &self.new_communes[p.communes.clone()])
    }

    // ----- conversion ----------------------------------------------------------------------

    /// All post-2025 targets of an in-force pre-2025 commune (one, or 2–5 for a split commune);
    /// empty for a superseded or unknown code.
    pub fn conversion(&self, old_commune_code: &str) -> &[ConversionTarget] {
        self.old_commune(old_commune_code).map_or(&[], |c| &self.targets[c.targets.clone()])
    }

    /// The target to suggest for an in-force pre-2025 commune (the only one, or the default of
    /// a split commune).
    pub fn default_target(&self, old_commune_code: &str) -> Option<&ConversionTarget> {
        self.conversion(old_commune_code).iter().find(|t| t.is_default)
    }

    /// The special zone an island district without communes became (Bạch Long Vĩ, Cồn Cỏ,
    /// Hoàng Sa, Lý Sơn, Côn Đảo); `None` for any other district.
    pub fn island_district_target(&self, district_code: &str) -> Option<&ConversionTarget> {
        self.old_district(district_code).and_then(|d| d.island_target).map(|i| &self.targets[i])
    }

    /// The conversion rows that point at a post-2025 commune (its pre-2025 sources).
    pub fn sources_of_new_commune(&self, new_commune_code: &str) -> impl Iterator<Item = &ConversionTarget> {
        self.new_commune_by_code
            .get(new_commune_code)
            .map(|&i| self.new_sources[i].as_slice())
            .unwrap_or_default()
            .iter()
            .map(|&t| &self.targets[t as usize])
    }

    /// The post-2025 province a pre-2025 province became (part of).
    pub fn successor_province(&self, old_province_code: &str) -> Option<&NewProvince> {
        self.old_province(old_province_code).and_then(|p| self.new_province(p.new_province_code))
    }

    /// Every alias of `aliases.csv`, in file order.
    pub fn aliases(&self) -> &[Alias] {
        &self.aliases
    }

    // ----- by scheme -----------------------------------------------------------------------

    /// The official name of a province of either scheme.
    pub fn province_name(&self, scheme: Scheme, code: &str) -> Option<&'static str> {
        match scheme {
            Scheme::Pre2025 => self.old_province(code).map(|p| p.name),
            Scheme::Post2025 => self.new_province(code).map(|p| p.name),
        }
    }

    /// The official name of a pre-2025 district (there are no post-2025 districts).
    pub fn district_name(&self, code: &str) -> Option<&'static str> {
        self.old_district(code).map(|d| d.name)
    }

    /// The official name of a commune of either scheme.
    pub fn commune_name(&self, scheme: Scheme, code: &str) -> Option<&'static str> {
        match scheme {
            Scheme::Pre2025 => self.old_commune(code).map(|c| c.name),
            Scheme::Post2025 => self.new_commune(code).map(|c| c.name),
        }
    }

    /// The post-2025 unit a conversion row points at, with names.
    pub fn new_unit_of(&self, target: &ConversionTarget) -> NewUnit {
        NewUnit {
            province_code: target.new_province_code.to_owned(),
            province_name: self.new_province(target.new_province_code).map_or("", |p| p.name).to_owned(),
            commune_code: Some(target.new_commune_code.to_owned()),
            commune_name: Some(target.new_commune_name.to_owned()),
        }
    }

    /// The normalised residence of an in-force pre-2025 commune, exactly as the residence rule
    /// returns it for a clean pre-2025 address (post-2025 default target, split candidates).
    /// For seeding and demo data.
    pub fn residence_of_old_commune(&self, code: &str) -> Option<ResolvedResidence> {
        let c = self.old_commune(code).filter(|c| c.status.is_in_force())?;
        let district = self.old_district(c.district_code)?;
        let province = self.old_province(c.province_code)?;
        let targets = self.conversion(code);
        let default = targets.iter().find(|t| t.is_default)?;
        Some(ResolvedResidence {
            scheme: Scheme::Pre2025,
            province_code: Some(province.code.to_owned()),
            district_code: Some(district.code.to_owned()),
            commune_code: Some(c.code.to_owned()),
            province_name: Some(province.name.to_owned()),
            district_name: Some(district.name.to_owned()),
            commune_name: Some(c.name.to_owned()),
            post2025: Some(self.new_unit_of(default)),
            split_candidates: if targets.len() > 1 {
                targets.iter().map(|t| self.new_unit_of(t)).collect()
            } else {
                Vec::new()
            },
        })
    }

    /// The normalised residence of an island district without communes (district level).
    pub fn residence_of_island_district(&self, code: &str) -> Option<ResolvedResidence> {
        let district = self.old_district(code)?;
        let target = self.island_district_target(code)?;
        let province = self.old_province(district.province_code)?;
        Some(ResolvedResidence {
            scheme: Scheme::Pre2025,
            province_code: Some(province.code.to_owned()),
            district_code: Some(district.code.to_owned()),
            commune_code: None,
            province_name: Some(province.name.to_owned()),
            district_name: Some(district.name.to_owned()),
            commune_name: None,
            post2025: Some(self.new_unit_of(target)),
            split_candidates: Vec::new(),
        })
    }

    /// The normalised residence of a post-2025 commune, exactly as the residence rule returns it.
    pub fn residence_of_new_commune(&self, code: &str) -> Option<ResolvedResidence> {
        let c = self.new_commune(code)?;
        let province = self.new_province(c.province_code)?;
        let unit = NewUnit {
            province_code: province.code.to_owned(),
            province_name: province.name.to_owned(),
            commune_code: Some(c.code.to_owned()),
            commune_name: Some(c.name.to_owned()),
        };
        Some(ResolvedResidence {
            scheme: Scheme::Post2025,
            province_code: Some(province.code.to_owned()),
            district_code: None,
            commune_code: Some(c.code.to_owned()),
            province_name: Some(province.name.to_owned()),
            district_name: None,
            commune_name: Some(c.name.to_owned()),
            post2025: Some(unit),
            split_candidates: Vec::new(),
        })
    }

    // ----- positions, for the name index and the resolver -------------------------------------
    // The index and the resolver refer to units by position in these lists (cheaper than codes
    // on the hot path); positions are stable for the life of the process.

    /// The pre-2025 province at a position of [`Self::old_provinces`].
    pub(crate) fn old_province_at(&self, i: u32) -> &OldProvince {
        &self.old_provinces[i as usize]
    }
    /// The pre-2025 district at a position of [`Self::old_districts`].
    pub(crate) fn old_district_at(&self, i: u32) -> &OldDistrict {
        &self.old_districts[i as usize]
    }
    /// The pre-2025 commune at a position (in-force communes, then superseded rows).
    pub(crate) fn old_commune_at(&self, i: u32) -> &OldCommune {
        &self.old_communes[i as usize]
    }
    /// The post-2025 province at a position of [`Self::new_provinces`].
    pub(crate) fn new_province_at(&self, i: u32) -> &NewProvince {
        &self.new_provinces[i as usize]
    }
    /// The post-2025 commune at a position of [`Self::new_communes`].
    pub(crate) fn new_commune_at(&self, i: u32) -> &NewCommune {
        &self.new_communes[i as usize]
    }
    /// Positions of the old districts a new commune (by position) took land from.
    pub(crate) fn old_districts_into(&self, new_commune: u32) -> &[u32] {
        self.new_source_districts.get(new_commune as usize).map_or(&[], Vec::as_slice)
    }
    /// Position of a pre-2025 province code.
    pub(crate) fn pos_old_province(&self, code: &str) -> Option<u32> {
        self.old_province_by_code.get(code).map(|&i| i as u32)
    }
    /// Position of a pre-2025 district code.
    pub(crate) fn pos_old_district(&self, code: &str) -> Option<u32> {
        self.old_district_by_code.get(code).map(|&i| i as u32)
    }
    /// Position of a pre-2025 commune code (in force or superseded).
    pub(crate) fn pos_old_commune(&self, code: &str) -> Option<u32> {
        self.old_commune_by_code.get(code).map(|&i| i as u32)
    }
    /// Position of a post-2025 province code.
    pub(crate) fn pos_new_province(&self, code: &str) -> Option<u32> {
        self.new_province_by_code.get(code).map(|&i| i as u32)
    }
    /// Position of a post-2025 commune code.
    pub(crate) fn pos_new_commune(&self, code: &str) -> Option<u32> {
        self.new_commune_by_code.get(code).map(|&i| i as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_match_the_official_lists() {
        let u = units();
        assert_eq!(u.old_provinces().len(), 63);
        assert_eq!(u.old_districts().len(), 696);
        assert_eq!(u.old_communes().len(), 10_035);
        assert_eq!(u.superseded_communes().len(), 26);
        assert_eq!(u.new_provinces().len(), 34);
        assert_eq!(u.new_communes().len(), 3_321);
        assert_eq!(u.aliases().len(), 4_321);
        let islands: Vec<_> =
            u.old_districts().iter().filter(|d| d.is_island_without_communes()).map(|d| d.code).collect();
        assert_eq!(islands, ["318", "471", "498", "536", "755"]);
        let split = u.old_communes().iter().filter(|c| u.conversion(c.code).len() > 1).count();
        assert_eq!(split, 440);
        let by_type = |t| u.new_communes().iter().filter(|c| c.unit_type == t).count();
        assert_eq!((by_type(UnitType::Xa), by_type(UnitType::Phuong), by_type(UnitType::DacKhu)), (2_621, 687, 13));
    }

    #[test]
    fn every_in_force_commune_has_exactly_one_default_target() {
        let u = units();
        for c in u.old_communes() {
            let targets = u.conversion(c.code);
            assert!(!targets.is_empty(), "{}", c.code);
            assert_eq!(targets.iter().filter(|t| t.is_default).count(), 1);
            assert!(targets.iter().all(|t| usize::from(t.n_targets) == targets.len()));
            assert!(targets.iter().all(|t| u.new_commune(t.new_commune_code).is_some()));
        }
        for c in u.superseded_communes() {
            assert!(u.conversion(c.code).is_empty());
            assert_eq!(c.status, CommuneStatus::Superseded2025H1);
        }
    }

    #[test]
    fn hai_phong_lists_for_the_demo() {
        let u = units();
        let hp = u.old_province("31").expect("Hải Phòng");
        assert_eq!(hp.name, "Thành phố Hải Phòng");
        assert_eq!(hp.unit_type, UnitType::ThanhPhoTrungUong);
        let districts: Vec<_> = u.old_districts_of_province("31").iter().map(|d| d.code).collect();
        assert_eq!(districts.first(), Some(&"303"));
        assert_eq!(districts.last(), Some(&"318"));
        assert!(u.old_districts_of_province("31").iter().all(|d| d.province_code == "31"));
        let hong_bang = u.old_district("303").expect("303");
        assert_eq!(hong_bang.name, "Quận Hồng Bàng");
        let communes = u.old_communes_of_district("303");
        assert!(!communes.is_empty());
        assert!(communes.iter().all(|c| c.district_code == "303" && c.status.is_in_force()));
        assert!(u.old_communes_of_district("318").is_empty());
        assert_eq!(u.island_district_target("318").map(|t| t.new_commune_name), Some("Đặc khu Bạch Long Vĩ"));
        // Since 2025 Hải Phòng includes former Hải Dương.
        assert_eq!(u.successor_province("30").map(|p| p.code), Some("31"));
        let new_hp = u.new_communes_of_province("31");
        assert!(new_hp.iter().all(|c| c.province_code == "31"));
        assert!(new_hp.len() > 100);
    }

    #[test]
    fn codes_need_their_scheme() {
        let u = units();
        assert_eq!(u.province_name(Scheme::Pre2025, "15"), Some("Tỉnh Yên Bái"));
        assert_eq!(u.province_name(Scheme::Post2025, "15"), Some("Tỉnh Lào Cai"));
        assert_eq!(u.province_name(Scheme::Post2025, "30"), None);
    }

    #[test]
    fn the_name_prefix_wins_over_the_type_column() {
        // Phường 15 of Quận Phú Nhuận is typed "xã" in the source file.
        let u = units();
        assert_eq!(u.old_commune("27076").map(|c| c.unit_type), Some(UnitType::Phuong));
        assert_eq!(u.old_district("123").map(|d| d.name), Some("Thị xã Mộc Châu"));
    }
}
