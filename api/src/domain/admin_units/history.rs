//! Every era of the unit lists, 31 August 2004 → 1 March 2025 (`data/admin-units/history.csv`):
//! each unit as it stood in the statistics office's published snapshots, with the dates it stood
//! so, and every code followed forward to the units in force on 30 June 2025.
//!
//! - The name index: for each level, the loose key of every name a unit ever had (type word set
//!   apart, as in `index.rs`) → the history rows of that name, each with its parents' codes and
//!   its `first_seen..=last_seen` dates, so that a caller can check that three typed names stood
//!   together at one date.
//! - Forward chains: a code → the codes of 30 June 2025 it became. A commune code stays with its
//!   commune through renames and moves between districts, so a code still in the June-2025 list is
//!   its own successor (wherever it moved); a code superseded in the first half of 2025 goes to
//!   its successor; a code that stopped earlier goes to the communes of its district that appear
//!   in the snapshot right after it stopped (the unit it was merged into, renamed), when there
//!   are such. A district or province code that stopped goes to the June-2025 units its
//!   communes (or districts) became: Thành phố Huế (474) → Phú Xuân and Thuận Hóa; Huyện Lộc Hà
//!   → Huyện Thạch Hà; Tỉnh Hà Tây (28) → Hà Nội (01).
//!
//! The keys of every name and the forward chains are computed ahead of time into
//! `history_keys.txt` (one line per row of `history.csv`: type word, tone key, loose key, forward
//! codes), so that start-up only splits lines and fills one hash map per level (`make bench`
//! reports it). A test recomputes the file from `history.csv` and fails when it drifts;
//! `UPDATE_GENERATED=1 cargo test -p dinhdanh --lib history` rewrites it.

use std::sync::LazyLock;

use super::fast_hash::FastMap;
use super::keys::{Level, TypeWord};
#[cfg(test)]
use super::{keys::split_official, tables::units};

static HISTORY_CSV: &str = include_str!("../../../../data/admin-units/history.csv");

/// The precomputed keys and chains of every row of [`HISTORY_CSV`], in its order.
static HISTORY_KEYS: &str = include_str!("history_keys.txt");

/// Every type word, for reading [`HISTORY_KEYS`] back (by [`TypeWord::ascii`]).
const TYPE_WORDS: [TypeWord; 9] = [
    TypeWord::Tinh,
    TypeWord::ThanhPho,
    TypeWord::Quan,
    TypeWord::Huyen,
    TypeWord::ThiXa,
    TypeWord::Phuong,
    TypeWord::Xa,
    TypeWord::ThiTran,
    TypeWord::DacKhu,
];

/// One unit as it stood between two dates (one row of `history.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoricalUnit {
    /// Province, district or commune.
    pub level: Level,
    /// The statistics office's code (kept through renames and moves).
    pub code: &'static str,
    /// The official name then ("Huyện Lộc Hà").
    pub name: &'static str,
    /// The province it stood under then (its own code for a province).
    pub province_code: &'static str,
    /// The district it stood under then (empty above commune level).
    pub district_code: &'static str,
    /// First snapshot it stood so in, as `yyyymmdd`.
    pub first_seen: u32,
    /// Last snapshot it stood so in, as `yyyymmdd`.
    pub last_seen: u32,
    /// The type word of the name ("Huyện").
    pub word: Option<TypeWord>,
    /// Tone key of the name without its type word.
    pub tone: &'static str,
}

/// The history and its indexes. Get it with [`history`].
#[derive(Debug, Default)]
pub struct History {
    rows: Vec<HistoricalUnit>,
    by_loose: [FastMap<&'static str, Vec<u32>>; 3],
    /// For each row: the June-2025 codes of its level it became, as a range of `forward_codes`.
    forward: Vec<(u32, u32)>,
    forward_codes: Vec<&'static str>,
    last_snapshot: u32,
}

fn level_slot(level: Level) -> usize {
    match level {
        Level::Province => 0,
        Level::District => 1,
        Level::Commune => 2,
    }
}

/// `2025-01-01` → `20250101` (0 when malformed; the tests check the file).
pub fn day(iso: &str) -> u32 {
    iso.bytes().filter(u8::is_ascii_digit).fold(0u32, |n, b| n * 10 + u32::from(b - b'0'))
}

/// `20250101` → `01/01/2025`.
pub fn format_day(day: u32) -> String {
    format!("{:02}/{:02}/{}", day % 100, day / 100 % 100, day / 10_000)
}

/// The history, parsed and indexed on first use.
pub fn history() -> &'static History {
    static HISTORY: LazyLock<History> = LazyLock::new(History::build);
    &HISTORY
}

/// One row of `history.csv` without its keys.
struct CsvRow {
    level: Level,
    code: &'static str,
    name: &'static str,
    province_code: &'static str,
    district_code: &'static str,
    first_seen: u32,
    last_seen: u32,
}

/// The rows of `history.csv` (the level column is `province`, `district` or `ward`).
fn csv_rows() -> impl Iterator<Item = CsvRow> {
    HISTORY_CSV.lines().skip(1).filter(|l| !l.is_empty()).filter_map(|line| {
        // The last column (decrees) may hold quoted commas; the first eight never do.
        let mut cols = line.splitn(9, ',');
        let mut next = || cols.next().unwrap_or("");
        let (level, code, name, _type, pc, dc, first, last) =
            (next(), next(), next(), next(), next(), next(), next(), next());
        let level = match level {
            "province" => Level::Province,
            "district" => Level::District,
            "ward" => Level::Commune,
            _ => return None,
        };
        Some(CsvRow {
            level,
            code,
            name,
            province_code: if level == Level::Province { code } else { pc },
            district_code: dc,
            first_seen: day(first),
            last_seen: day(last),
        })
    })
}

impl History {
    /// The rows of `history.csv` with the keys and chains of `history_keys.txt`, line by line.
    fn build() -> History {
        let mut out = History::default();
        out.rows.reserve(14_600);
        out.forward.reserve(14_600);
        out.forward_codes.reserve(16_000);
        let mut keys = HISTORY_KEYS.lines();
        for row in csv_rows() {
            // `word \t tone \t loose \t forward codes`; a missing line (never, the test checks
            // the file) leaves the row without keys.
            let mut cols = keys.next().unwrap_or("").split('\t');
            let mut next = || cols.next().unwrap_or("");
            let (word, tone, loose, forward) = (next(), next(), next(), next());
            let i = u32::try_from(out.rows.len()).unwrap_or(u32::MAX);
            if !loose.is_empty() {
                out.by_loose[level_slot(row.level)].entry(loose).or_default().push(i);
            }
            let start = u32::try_from(out.forward_codes.len()).unwrap_or(u32::MAX);
            out.forward_codes.extend(forward.split(' ').filter(|c| !c.is_empty()));
            out.forward.push((start, u32::try_from(out.forward_codes.len()).unwrap_or(u32::MAX)));
            out.last_snapshot = out.last_snapshot.max(row.last_seen);
            out.rows.push(HistoricalUnit {
                level: row.level,
                code: row.code,
                name: row.name,
                province_code: row.province_code,
                district_code: row.district_code,
                first_seen: row.first_seen,
                last_seen: row.last_seen,
                word: TYPE_WORDS.into_iter().find(|w| w.ascii() == word),
                tone,
            });
        }
        out
    }

    /// What `history_keys.txt` holds, computed from `history.csv` and the June-2025 lists: each
    /// name keyed once (a unit keeps its name through most snapshots), then the forward chains.
    #[cfg(test)]
    fn keys_file() -> String {
        use std::fmt::Write as _;
        let mut keyed: FastMap<&'static str, (Option<TypeWord>, String, String)> = FastMap::default();
        let rows: Vec<CsvRow> = csv_rows().collect();
        let mut out = String::new();
        let units: Vec<HistoricalUnit> = rows
            .iter()
            .map(|r| HistoricalUnit {
                level: r.level,
                code: r.code,
                name: r.name,
                province_code: r.province_code,
                district_code: r.district_code,
                first_seen: r.first_seen,
                last_seen: r.last_seen,
                word: None,
                tone: "",
            })
            .collect();
        let forward = Forward::new(&units).all();
        for (r, fwd) in rows.iter().zip(forward) {
            let (word, tone, loose) = keyed.entry(r.name).or_insert_with(|| {
                let (word, key) = split_official(r.name);
                (word, key.tone, key.loose)
            });
            let word = word.map_or("", TypeWord::ascii);
            let _ = writeln!(out, "{word}\t{tone}\t{loose}\t{}", fwd.join(" "));
        }
        out
    }

    /// Every row, in file order.
    pub fn rows(&self) -> &[HistoricalUnit] {
        &self.rows
    }

    /// The row at a position of [`Self::rows`].
    pub fn row(&self, i: u32) -> &HistoricalUnit {
        &self.rows[i as usize]
    }

    /// Positions of the rows of one level whose name (without type word) has this loose key.
    pub fn named(&self, level: Level, loose: &str) -> &[u32] {
        self.by_loose[level_slot(level)].get(loose).map_or(&[], Vec::as_slice)
    }

    /// The June-2025 codes of its level the unit of a row became: for a commune, the code itself
    /// when still in force (wherever it moved); for a district or province, where its communes
    /// went. Empty when the successor cannot be told from the lists.
    pub fn forward(&self, row: u32) -> &[&'static str] {
        self.forward
            .get(row as usize)
            .and_then(|&(start, end)| self.forward_codes.get(start as usize..end as usize))
            .unwrap_or(&[])
    }

    /// The positions of the rows of a code at one level.
    pub fn rows_of<'a>(&'a self, level: Level, code: &'a str) -> impl Iterator<Item = u32> + 'a {
        self.rows
            .iter()
            .enumerate()
            .filter(move |(_, r)| r.level == level && r.code == code)
            .map(|(i, _)| u32::try_from(i).unwrap_or(u32::MAX))
    }

    /// The last snapshot of the file (`20250301`).
    pub fn last_snapshot(&self) -> u32 {
        self.last_snapshot
    }
}

/// The parent code of a June-2025 commune at one level.
#[cfg(test)]
type ParentOf = fn(&'static str) -> Option<&'static str>;

/// Computes the forward chains (into `history_keys.txt`, by its test).
#[cfg(test)]
struct Forward<'a> {
    rows: &'a [HistoricalUnit],
    /// Every first-seen date, sorted (the snapshots where something changed).
    changes: Vec<u32>,
    by_code: [FastMap<&'static str, Vec<u32>>; 3],
    /// Commune rows by (district, first seen).
    appearing: FastMap<(&'static str, u32), Vec<u32>>,
}

#[cfg(test)]
impl<'a> Forward<'a> {
    fn new(rows: &'a [HistoricalUnit]) -> Forward<'a> {
        let mut changes: Vec<u32> = rows.iter().map(|r| r.first_seen).collect();
        changes.sort_unstable();
        changes.dedup();
        let mut by_code: [FastMap<&'static str, Vec<u32>>; 3] = Default::default();
        let mut appearing: FastMap<(&'static str, u32), Vec<u32>> = FastMap::default();
        for (i, r) in rows.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            by_code[level_slot(r.level)].entry(r.code).or_default().push(i);
            if r.level == Level::Commune {
                appearing.entry((r.district_code, r.first_seen)).or_default().push(i);
            }
        }
        Forward { rows, changes, by_code, appearing }
    }

    /// The June-2025 codes of every row: communes by code; a district or province row by
    /// where the communes under it on its last date went.
    fn all(&self) -> Vec<Vec<&'static str>> {
        let u = units();
        let mut communes: FastMap<&'static str, Vec<&'static str>> = FastMap::default();
        for &code in self.by_code[level_slot(Level::Commune)].keys() {
            communes.insert(code, self.commune(code, 0));
        }
        let mut under: [FastMap<&'static str, Vec<u32>>; 2] = Default::default();
        for (i, r) in self.rows.iter().enumerate() {
            if r.level == Level::Commune {
                let i = u32::try_from(i).unwrap_or(u32::MAX);
                under[0].entry(r.province_code).or_default().push(i);
                under[1].entry(r.district_code).or_default().push(i);
            }
        }
        self.rows
            .iter()
            .map(|r| {
                let (children, parent_of): (&[u32], ParentOf) = match r.level {
                    Level::Commune => return communes.get(r.code).cloned().unwrap_or_default(),
                    Level::Province => (under[0].get(r.code).map_or(&[][..], Vec::as_slice), |c| {
                        units().old_commune(c).map(|c| c.province_code)
                    }),
                    Level::District => (under[1].get(r.code).map_or(&[][..], Vec::as_slice), |c| {
                        units().old_commune(c).map(|c| c.district_code)
                    }),
                };
                let mut out: Vec<&'static str> = Vec::new();
                for &i in children {
                    let child = &self.rows[i as usize];
                    if child.first_seen > r.last_seen || child.last_seen < r.last_seen {
                        continue;
                    }
                    for &c in communes.get(child.code).map_or(&[][..], Vec::as_slice) {
                        if let Some(p) = parent_of(c)
                            && !out.contains(&p)
                        {
                            out.push(p);
                        }
                    }
                }
                if out.is_empty() {
                    // Island districts have no commune: a code still in force is its own successor.
                    let own = match r.level {
                        Level::District => u.old_district(r.code).map(|d| d.code),
                        _ => u.old_province(r.code).map(|p| p.code),
                    };
                    out.extend(own);
                }
                out.sort_unstable();
                out
            })
            .collect()
    }

    /// The last row of a code (latest `last_seen`).
    fn last_row(&self, level: Level, code: &str) -> Option<&HistoricalUnit> {
        self.by_code[level_slot(level)].get(code)?.iter().map(|&i| &self.rows[i as usize]).max_by_key(|r| r.last_seen)
    }

    fn commune(&self, code: &'static str, depth: u8) -> Vec<&'static str> {
        let u = units();
        if let Some(c) = u.old_commune(code) {
            if c.status.is_in_force() {
                return vec![c.code];
            }
            return c
                .successor_code
                .and_then(|s| u.old_commune(s))
                .filter(|s| s.status.is_in_force())
                .map(|s| vec![s.code])
                .unwrap_or_default();
        }
        let Some(last) = self.last_row(Level::Commune, code) else {
            return Vec::new();
        };
        let Some(&next) = self.changes.iter().find(|&&d| d > last.last_seen) else {
            return Vec::new();
        };
        let mut out: Vec<&'static str> = Vec::new();
        if depth >= 4 {
            return out;
        }
        for &i in self.appearing.get(&(last.district_code, next)).map_or(&[][..], Vec::as_slice) {
            let r = &self.rows[i as usize];
            if r.code == code {
                continue;
            }
            for c in self.commune(r.code, depth + 1) {
                if !out.contains(&c) {
                    out.push(c);
                }
            }
        }
        out.sort_unstable();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_precomputed_keys_are_those_of_the_history() {
        let want = History::keys_file();
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/domain/admin_units/history_keys.txt");
        if std::env::var_os("UPDATE_GENERATED").is_some() {
            std::fs::write(path, &want).expect("write history_keys.txt");
            return;
        }
        assert!(
            HISTORY_KEYS == want,
            "history_keys.txt is not what history.csv gives: UPDATE_GENERATED=1 cargo test -p dinhdanh --lib history"
        );
    }

    #[test]
    fn the_file_parses_whole() {
        let h = history();
        assert_eq!(h.rows().len(), 14_580);
        assert!(h.rows().iter().all(|r| r.first_seen >= 20_040_831 && r.first_seen <= r.last_seen));
        assert_eq!(h.last_snapshot(), 20_250_301);
        assert_eq!(format_day(20_250_101), "01/01/2025");
    }

    #[test]
    fn codes_go_forward_to_the_units_of_june_2025() {
        let h = history();
        let named = |level, name: &str| {
            h.rows().iter().position(|r| r.level == level && r.name == name).map(|i| h.forward(i as u32).to_vec())
        };
        // Still in force, wherever it moved: Xã Thạch Lạc, now under Thành phố Hà Tĩnh.
        let thach_lac: Vec<_> = h.rows_of(Level::Commune, "18622").map(|i| h.forward(i).to_vec()).collect();
        assert!(thach_lac.len() == 2 && thach_lac.iter().all(|f| f == &["18622"]), "{thach_lac:?}");
        // Huyện Lộc Hà went into Huyện Thạch Hà, but for Xã Hộ Độ (Thành phố Hà Tĩnh).
        assert_eq!(named(Level::District, "Huyện Lộc Hà"), Some(vec!["436", "445"]));
        // Thành phố Huế (474) was split into Thuận Hóa (474) and Phú Xuân (475).
        assert_eq!(named(Level::District, "Thành phố Huế"), Some(vec!["474", "475"]));
        // Hà Tây went into Hà Nội.
        assert_eq!(named(Level::Province, "Tỉnh Hà Tây"), Some(vec!["01"]));
        // Every unit of the last snapshot still in force is its own successor.
        let u = units();
        for (i, r) in h.rows().iter().enumerate() {
            if r.level == Level::Commune && u.old_commune(r.code).is_some_and(|c| c.status.is_in_force()) {
                assert_eq!(h.forward(i as u32), [r.code]);
            }
        }
    }

    #[test]
    fn names_of_every_era_are_indexed() {
        let h = history();
        let ha_tay: Vec<_> = h.named(Level::Province, "hatay").iter().map(|&i| h.row(i).code).collect();
        assert_eq!(ha_tay, ["28"]);
        let loc_ha: Vec<_> = h.named(Level::District, "locha").iter().map(|&i| h.row(i).code).collect();
        assert!(loc_ha.contains(&"448"), "{loc_ha:?}");
    }
}
