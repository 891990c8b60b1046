//! The name index: for each list (old provinces, districts, communes; new provinces, communes),
//! a hash map from the loose key of a name (see `keys.rs`) to every unit that can be written
//! that way, with the tone key and type word of that spelling so that callers can rank exact
//! matches above accent-free ones.
//!
//! Indexed spellings: the official names (without their type word), the former names of the
//! first half of 2025, the name aliases (spelling variants, former names) and the ASCII-key
//! aliases of `aliases.csv`, and a few well-known abbreviations of provinces that the file lacks
//! ("HP", "TPHCM", "Sài Gòn", "Thừa Thiên Huế"). Superseded communes are indexed by their own
//! names; callers rank them below in-force units and follow their successor.
//!
//! Each list also has a fallback by spelling fold (`keys::fold_token`: final k = c, a lone y = i),
//! for names written with the other spelling ("Krông Pắk", "Kì Anh"); a fold that two units of
//! the list with different loose keys share ("Mi Hòa" / "Mỹ Hòa") is left out, so the fold never
//! merges two real units.
//!
//! Built on first use, separately from the tables.

use std::sync::LazyLock;

use super::fast_hash::FastMap;
use super::keys::{TypeWord, name_key, split_official_folded};
use super::tables::{AdminUnits, AliasKind, AliasLevel, units};

/// How a spelling relates to the unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// An ASCII key or abbreviation (tone key = loose key).
    Alias,
    /// A former name or a spelling variant with diacritics.
    Alternate,
    /// The official name.
    Official,
}

/// One spelling of one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Position of the unit in its list of [`AdminUnits`].
    pub unit: u32,
    /// Tone key of the spelling (without its type word).
    pub tone: Box<str>,
    /// The type word the spelling carries ("Thị trấn" of "Thị trấn Yên Viên"), if any.
    pub word: Option<TypeWord>,
    /// Official, alternate or alias.
    pub source: Source,
}

/// The spellings of one list, by loose key.
#[derive(Debug, Default)]
pub struct LevelIndex {
    by_loose: FastMap<String, Vec<Entry>>,
    /// Official and alternate spellings by spelling fold, with their loose key while building.
    by_fold: FastMap<String, Vec<(Entry, Box<str>)>>,
    /// Folds left out because units with different loose keys share them.
    dropped_folds: Vec<String>,
}

impl LevelIndex {
    /// Every spelling whose loose key is `loose`.
    pub fn get(&self, loose: &str) -> &[Entry] {
        self.by_loose.get(loose).map_or(&[], Vec::as_slice)
    }

    /// Every spelling whose spelling fold is `fold` (see the module documentation): the fallback
    /// when [`LevelIndex::get`] finds nothing.
    pub fn get_folded(&self, fold: &str) -> impl Iterator<Item = &Entry> {
        self.by_fold.get(fold).into_iter().flatten().map(|(e, _)| e)
    }

    /// The folds left out because two units with different loose keys share them.
    pub fn dropped_folds(&self) -> &[String] {
        &self.dropped_folds
    }

    fn add_fold(&mut self, fold: String, loose: &str, entry: Entry) {
        if fold.is_empty() {
            return;
        }
        let list = self.by_fold.entry(fold).or_default();
        if !list.iter().any(|(e, l)| e.unit == entry.unit && **l == *loose) {
            list.push((entry, loose.into()));
        }
    }

    /// Leaves out the folds that would merge two units.
    fn drop_colliding_folds(&mut self) {
        let colliding: Vec<String> = self
            .by_fold
            .iter()
            .filter(|(_, list)| list.iter().any(|(a, la)| list.iter().any(|(b, lb)| a.unit != b.unit && la != lb)))
            .map(|(k, _)| k.clone())
            .collect();
        for k in &colliding {
            self.by_fold.remove(k);
        }
        self.dropped_folds = colliding;
        self.dropped_folds.sort();
    }

    fn add(&mut self, unit: u32, loose: String, tone: &str, word: Option<TypeWord>, source: Source) {
        if loose.is_empty() {
            return;
        }
        let list = self.by_loose.entry(loose).or_default();
        if let Some(e) = list.iter_mut().find(|e| e.unit == unit && &*e.tone == tone && e.word == word) {
            e.source = e.source.max(source);
            return;
        }
        list.push(Entry { unit, tone: tone.into(), word, source });
    }

    fn add_name(&mut self, unit: u32, name: &str, source: Source) {
        let (word, key, fold) = split_official_folded(name);
        let entry = Entry { unit, tone: key.tone.as_str().into(), word, source };
        self.add_fold(fold, &key.loose, entry);
        self.add(unit, key.loose, &key.tone, word, source);
    }

    fn add_ascii(&mut self, unit: u32, alias: &str) {
        let key = name_key(alias);
        self.add(unit, key.loose.clone(), &key.loose, None, Source::Alias);
    }

    /// Number of distinct loose keys.
    pub fn len(&self) -> usize {
        self.by_loose.len()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.by_loose.is_empty()
    }
}

/// The five name indexes.
#[derive(Debug, Default)]
pub struct NameIndex {
    /// Pre-2025 provinces.
    pub old_provinces: LevelIndex,
    /// Pre-2025 districts.
    pub old_districts: LevelIndex,
    /// Pre-2025 communes, in force and superseded.
    pub old_communes: LevelIndex,
    /// Post-2025 provinces.
    pub new_provinces: LevelIndex,
    /// Post-2025 communes.
    pub new_communes: LevelIndex,
}

/// Abbreviations and old names of provinces that people write and `aliases.csv` lacks:
/// (code, ASCII key, applies to the pre-2025 list, applies to the post-2025 list).
const PROVINCE_ABBREVIATIONS: &[(&str, &str, bool, bool)] = &[
    ("01", "hn", false, true),
    ("01", "tphn", true, true),
    ("31", "hp", true, true),
    ("31", "tphp", true, true),
    ("46", "thuathienhue", true, true),
    ("46", "tthue", true, true),
    ("48", "tpdn", true, true),
    ("77", "brvt", true, false),
    ("06", "baccan", true, false),
    ("79", "hcm", false, true),
    ("79", "tphcm", true, true),
    ("79", "hcmc", true, true),
    ("79", "saigon", true, true),
    ("79", "sg", true, true),
];

/// The name index, built on first use (about 20–35 ms of CPU in a release build, on top of the
/// tables).
pub fn name_index() -> &'static NameIndex {
    static INDEX: LazyLock<NameIndex> = LazyLock::new(|| NameIndex::build(units()));
    &INDEX
}

fn pos(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

impl NameIndex {
    fn build(u: &AdminUnits) -> NameIndex {
        let mut ix = NameIndex::default();
        for (i, p) in u.old_provinces().iter().enumerate() {
            ix.old_provinces.add_name(pos(i), p.name, Source::Official);
        }
        for (i, d) in u.old_districts().iter().enumerate() {
            ix.old_districts.add_name(pos(i), d.name, Source::Official);
        }
        let communes = u.old_communes().iter().chain(u.superseded_communes());
        for (i, c) in communes.enumerate() {
            ix.old_communes.add_name(pos(i), c.name, Source::Official);
            if let Some(former) = c.former_name {
                ix.old_communes.add_name(pos(i), former, Source::Alternate);
            }
        }
        for (i, p) in u.new_provinces().iter().enumerate() {
            ix.new_provinces.add_name(pos(i), p.name, Source::Official);
        }
        for (i, c) in u.new_communes().iter().enumerate() {
            ix.new_communes.add_name(pos(i), c.name, Source::Official);
        }
        for a in u.aliases() {
            let (level, unit) = match a.level {
                AliasLevel::OldProvince => (&mut ix.old_provinces, u.pos_old_province(a.code)),
                AliasLevel::OldDistrict => (&mut ix.old_districts, u.pos_old_district(a.code)),
                AliasLevel::OldCommune => (&mut ix.old_communes, u.pos_old_commune(a.code)),
                AliasLevel::NewCommune => (&mut ix.new_communes, u.pos_new_commune(a.code)),
            };
            let Some(unit) = unit else { continue };
            match a.kind {
                AliasKind::AsciiKey => level.add_ascii(unit, a.alias),
                AliasKind::Name => level.add_name(unit, a.alias, Source::Alternate),
            }
        }
        for &(code, key, old, new) in PROVINCE_ABBREVIATIONS {
            if old && let Some(p) = u.pos_old_province(code) {
                ix.old_provinces.add_ascii(p, key);
            }
            if new && let Some(p) = u.pos_new_province(code) {
                ix.new_provinces.add_ascii(p, key);
            }
        }
        for level in [
            &mut ix.old_provinces,
            &mut ix.old_districts,
            &mut ix.old_communes,
            &mut ix.new_provinces,
            &mut ix.new_communes,
        ] {
            level.drop_colliding_folds();
        }
        ix
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_units_by_loose_key() {
        let ix = name_index();
        let u = units();
        let hits = ix.old_communes.get("yenvien");
        let names: Vec<_> = hits.iter().map(|e| u.old_commune_at(e.unit).name).collect();
        assert!(names.contains(&"Thị trấn Yên Viên"), "{names:?}");
        assert!(names.contains(&"Xã Yên Viên"), "{names:?}");
        let hp: Vec<_> = ix.new_provinces.get("hp").iter().map(|e| u.new_province_at(e.unit).code).collect();
        assert_eq!(hp, ["31"]);
        // An ASCII alias keeps its digits without leading zeros: "quan09" = "quan9".
        let q9: Vec<_> = ix.old_districts.get("quan9").iter().map(|e| u.old_district_at(e.unit).code).collect();
        assert_eq!(q9, ["769"]);
        assert!(!ix.old_districts.is_empty() && ix.new_communes.len() > 2_000);
    }

    /// The spelling fold never merges two real units: in every list, a fold is either held by
    /// spellings of one loose key or of one unit, or left out; and what is left out is exactly
    /// what the official names collide on.
    #[test]
    fn spelling_folds_never_merge_two_units() {
        let ix = name_index();
        let u = units();
        let levels = [
            ("old provinces", &ix.old_provinces),
            ("old districts", &ix.old_districts),
            ("old communes", &ix.old_communes),
            ("new provinces", &ix.new_provinces),
            ("new communes", &ix.new_communes),
        ];
        for (what, level) in levels {
            for (fold, list) in &level.by_fold {
                let merged = list.iter().any(|(a, la)| list.iter().any(|(b, lb)| a.unit != b.unit && la != lb));
                assert!(!merged, "{what}: {fold} merges {list:?}");
            }
        }
        // Checked against the official names on their own: the pairs that share a fold.
        let mut official: FastMap<String, Vec<(&str, String)>> = FastMap::default();
        for c in u.old_communes() {
            let (_, key, fold) = split_official_folded(c.name);
            official.entry(fold).or_default().push((c.code, key.loose));
        }
        let mut clashes: Vec<&str> = official
            .iter()
            .filter(|(_, v)| v.iter().any(|(a, la)| v.iter().any(|(b, lb)| a != b && la != lb)))
            .map(|(k, _)| k.as_str())
            .collect();
        clashes.sort_unstable();
        for clash in &clashes {
            assert!(ix.old_communes.dropped_folds().iter().any(|d| d == clash), "{clash} is folded");
        }
        // "Xã Mi Hòa" and "Xã Mỹ Hòa", "Xã Quí Quân" and "Xã Quý Quân", "Xã An Quí" and "Xã An Quy".
        for want in ["mihoa", "quiquan", "anqui"] {
            assert!(clashes.contains(&want), "{clashes:?}");
        }
        assert!(ix.new_communes.dropped_folds().iter().any(|d| d == "miqui"), "Mỹ Quí / Mỹ Quý");
        // A folded spelling still finds its unit.
        let pac: Vec<_> = ix.old_districts.get_folded("krongpac").map(|e| u.old_district_at(e.unit).name).collect();
        assert_eq!(pac, ["Huyện Krông Pắc"]);
    }
}
