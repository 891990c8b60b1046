//! The defects real files carry (DOMAIN.md §4), applied to clean generated records so the demo,
//! the tests and the benchmarks see what schools really send: NFD text, legacy fonts, stray
//! spaces, caps, look-alikes, old tone placement, lost leading zeros, scientific notation, serial
//! dates, swapped day/month, CMND numbers, wrong sex digits, missing fields, abbreviated or
//! accent-free addresses, one-cell addresses. Pure: the caller passes the random source.

use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand::seq::IndexedRandom;
use unicode_normalization::UnicodeNormalization;

use crate::domain::legacy;
use crate::domain::text::fold_ascii;

/// A record's identity fields as a school would enter them (every value text).
pub type Entered = crate::domain::identity::Identity;

/// One kind of damage. The names are stable: tests and the benchmark report count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Damage {
    NameNfd,
    NameTcvn3,
    NameTcvn3Caps,
    NameVni,
    NameSpaces,
    NameAllCaps,
    NameLowerCase,
    NameLookalike,
    NameOtherTonePlacement,
    NameMisspelled,
    DobExcelSerial,
    DobSwapped,
    DobWrongYear,
    DobMissing,
    GenderSpelling,
    GenderWrong,
    GenderMissing,
    IdLostLeadingZero,
    IdScientific,
    IdSeparators,
    IdMissing,
    IdCmnd,
    IdWrongSexDigit,
    IdTypo,
    ResidenceMissing,
    ResidenceAbbreviated,
    ResidenceNoDiacritics,
    ResidenceOneCell,
    ResidenceWrongDistrict,
}

impl Damage {
    pub fn as_str(self) -> &'static str {
        match self {
            Damage::NameNfd => "name_nfd",
            Damage::NameTcvn3 => "name_tcvn3",
            Damage::NameTcvn3Caps => "name_tcvn3_caps",
            Damage::NameVni => "name_vni",
            Damage::NameSpaces => "name_spaces",
            Damage::NameAllCaps => "name_all_caps",
            Damage::NameLowerCase => "name_lower_case",
            Damage::NameLookalike => "name_lookalike",
            Damage::NameOtherTonePlacement => "name_other_tone_placement",
            Damage::NameMisspelled => "name_misspelled",
            Damage::DobExcelSerial => "dob_excel_serial",
            Damage::DobSwapped => "dob_swapped",
            Damage::DobWrongYear => "dob_wrong_year",
            Damage::DobMissing => "dob_missing",
            Damage::GenderSpelling => "gender_spelling",
            Damage::GenderWrong => "gender_wrong",
            Damage::GenderMissing => "gender_missing",
            Damage::IdLostLeadingZero => "id_lost_leading_zero",
            Damage::IdScientific => "id_scientific",
            Damage::IdSeparators => "id_separators",
            Damage::IdMissing => "id_missing",
            Damage::IdCmnd => "id_cmnd",
            Damage::IdWrongSexDigit => "id_wrong_sex_digit",
            Damage::IdTypo => "id_typo",
            Damage::ResidenceMissing => "residence_missing",
            Damage::ResidenceAbbreviated => "residence_abbreviated",
            Damage::ResidenceNoDiacritics => "residence_no_diacritics",
            Damage::ResidenceOneCell => "residence_one_cell",
            Damage::ResidenceWrongDistrict => "residence_wrong_district",
        }
    }

    /// Share of records receiving this damage (per mille), from the shares seen in real
    /// school files. Staff-only or student-only kinds are filtered by the caller.
    pub fn per_mille(self) -> u32 {
        match self {
            Damage::NameNfd => 40,
            Damage::NameTcvn3 => 15,
            Damage::NameTcvn3Caps => 3,
            Damage::NameVni => 10,
            Damage::NameSpaces => 40,
            Damage::NameAllCaps => 40,
            Damage::NameLowerCase => 10,
            Damage::NameLookalike => 5,
            Damage::NameOtherTonePlacement => 20,
            Damage::NameMisspelled => 5,
            Damage::DobExcelSerial => 30,
            Damage::DobSwapped => 15,
            Damage::DobWrongYear => 7,
            Damage::DobMissing => 5,
            Damage::GenderSpelling => 60,
            Damage::GenderWrong => 5,
            Damage::GenderMissing => 4,
            Damage::IdLostLeadingZero => 40,
            Damage::IdScientific => 10,
            Damage::IdSeparators => 20,
            Damage::IdMissing => 20,
            Damage::IdCmnd => 50,
            Damage::IdWrongSexDigit => 4,
            Damage::IdTypo => 7,
            Damage::ResidenceMissing => 20,
            Damage::ResidenceAbbreviated => 40,
            Damage::ResidenceNoDiacritics => 20,
            Damage::ResidenceOneCell => 100,
            Damage::ResidenceWrongDistrict => 5,
        }
    }

    pub const ALL: [Damage; 29] = [
        Damage::NameNfd,
        Damage::NameTcvn3,
        Damage::NameTcvn3Caps,
        Damage::NameVni,
        Damage::NameSpaces,
        Damage::NameAllCaps,
        Damage::NameLowerCase,
        Damage::NameLookalike,
        Damage::NameOtherTonePlacement,
        Damage::NameMisspelled,
        Damage::DobExcelSerial,
        Damage::DobSwapped,
        Damage::DobWrongYear,
        Damage::DobMissing,
        Damage::GenderSpelling,
        Damage::GenderWrong,
        Damage::GenderMissing,
        Damage::IdLostLeadingZero,
        Damage::IdScientific,
        Damage::IdSeparators,
        Damage::IdMissing,
        Damage::IdCmnd,
        Damage::IdWrongSexDigit,
        Damage::IdTypo,
        Damage::ResidenceMissing,
        Damage::ResidenceAbbreviated,
        Damage::ResidenceNoDiacritics,
        Damage::ResidenceOneCell,
        Damage::ResidenceWrongDistrict,
    ];

    /// The field the damage touches; a record gets at most one damage per field.
    fn field(self) -> u8 {
        match self as u8 {
            0..=9 => 0,
            10..=13 => 1,
            14..=16 => 2,
            17..=23 => 3,
            _ => 4,
        }
    }

    /// Only staff carry 9-digit CMND numbers (children never had one).
    fn applies_to(self, staff: bool) -> bool {
        !matches!(self, Damage::IdCmnd) || staff
    }
}

/// What a damage needs to know about the person besides the entered fields.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    pub date_of_birth: NaiveDate,
    pub staff: bool,
    /// Another district of the same province, for a wrong-district residence.
    pub other_district: Option<&'a str>,
    /// The residence's street part for one-cell addresses ("Số 12 Lạch Tray").
    pub street: String,
}

/// Picks the damages for one record: each kind independently by its share, at most one per
/// field and at most two per record.
pub fn pick<R: Rng + ?Sized>(rng: &mut R, staff: bool) -> Vec<Damage> {
    let mut chosen: Vec<Damage> = Vec::new();
    for d in Damage::ALL {
        if !d.applies_to(staff) || chosen.iter().any(|c| c.field() == d.field()) {
            continue;
        }
        if rng.random_range(0..1000) < d.per_mille() {
            chosen.push(d);
        }
    }
    if chosen.len() > 2 {
        // Keep two, chosen at random, so no field is always favoured.
        let mut kept = Vec::with_capacity(2);
        while kept.len() < 2 {
            let i = rng.random_range(0..chosen.len());
            kept.push(chosen.swap_remove(i));
        }
        kept.sort();
        chosen = kept;
    }
    chosen
}

/// Applies one damage. Returns false when it does not apply to this record (e.g. a
/// look-alike for a name without Đ), leaving the record as it was.
pub fn apply<R: Rng + ?Sized>(rng: &mut R, damage: Damage, e: &mut Entered, ctx: &Context<'_>) -> bool {
    match damage {
        Damage::NameNfd => map_name(e, |n| Some(n.nfd().collect())),
        Damage::NameTcvn3 => map_name(e, |n| Some(legacy::encode_tcvn3(n))),
        Damage::NameTcvn3Caps => map_name(e, |n| Some(legacy::encode_tcvn3_caps(&n.to_uppercase()))),
        Damage::NameVni => map_name(e, |n| Some(legacy::encode_vni(n))),
        Damage::NameSpaces => {
            let style = rng.random_range(0..4);
            map_name(e, |n| {
                Some(match style {
                    0 => format!("  {}", n.replacen(' ', "  ", 1)),
                    1 => format!("{} ", n.replacen(' ', "\u{00A0}", 1)),
                    2 => n.replacen(' ', " \u{200B}", 1),
                    _ => format!("{}\t", n.replace(' ', "  ")),
                })
            })
        }
        Damage::NameAllCaps => map_name(e, |n| Some(n.to_uppercase())),
        Damage::NameLowerCase => map_name(e, |n| Some(n.to_lowercase())),
        Damage::NameLookalike => map_name(e, |n| n.contains('Đ').then(|| n.replace('Đ', "\u{00D0}"))),
        Damage::NameOtherTonePlacement => map_name(e, |n| {
            let moved = modern_tone_placement(n);
            (moved != n).then_some(moved)
        }),
        Damage::NameMisspelled => map_name(e, misspell),
        Damage::DobExcelSerial => {
            map_dob(e, ctx, |d| crate::domain::date::date_to_excel_serial(d).map(|s| s.to_string()))
        }
        Damage::DobSwapped => map_dob(e, ctx, |d| {
            (d.day() <= 12 && d.day() != d.month()).then(|| format!("{:02}/{:02}/{}", d.month(), d.day(), d.year()))
        }),
        Damage::DobWrongYear => {
            let delta = if rng.random_bool(0.5) { 1 } else { -1 };
            map_dob(e, ctx, |d| d.with_year(d.year() + delta).map(|w| w.format("%d/%m/%Y").to_string()))
        }
        Damage::DobMissing => take(&mut e.date_of_birth),
        Damage::GenderSpelling => {
            let male = e.gender.as_deref() == Some("Nam");
            let spellings: &[&str] = if male {
                &["nam", "NAM", "M", "Male", "Trai", " Nam "]
            } else {
                &["nữ", "NỮ", "nu", "Nu", "F", "Nữ ", "Gái"]
            };
            let pick = spellings.choose(rng).copied().unwrap_or("nam");
            set_if_some(&mut e.gender, pick.nfc().collect())
        }
        Damage::GenderWrong => {
            let flipped = match e.gender.as_deref() {
                Some("Nam") => "Nữ",
                Some(_) => "Nam",
                None => return false,
            };
            set_if_some(&mut e.gender, flipped.to_owned())
        }
        Damage::GenderMissing => take(&mut e.gender),
        Damage::IdLostLeadingZero => map_id(e, |id| id.strip_prefix('0').map(str::to_owned)),
        Damage::IdScientific => map_id(e, |id| {
            let n: f64 = id.parse().ok()?;
            Some(format!("{:.2E}", n).replace("E", "E+"))
        }),
        Damage::IdSeparators => {
            let style = rng.random_range(0..4);
            map_id(e, |id| {
                Some(match style {
                    0 => format!("{} {} {}", &id[..3], &id[3..6], &id[6..]),
                    1 => format!("{}.{}.{}.{}", &id[..3], &id[3..6], &id[6..9], &id[9..]),
                    2 => format!("'{id}"),
                    _ => format!("{}-{}", &id[..6], &id[6..]),
                })
            })
        }
        Damage::IdMissing => take(&mut e.personal_id),
        Damage::IdCmnd => {
            let first =
                *[b'0', b'0', b'1', b'0', b'0', b'1', b'0', b'0', b'1', b'0'].choose(rng).unwrap_or(&b'0') as char;
            let rest: String = (0..8).map(|_| char::from(b'0' + rng.random_range(0..10u8))).collect();
            set_if_some(&mut e.personal_id, format!("{first}{rest}"))
        }
        Damage::IdWrongSexDigit => map_id(e, |id| {
            let b = id.as_bytes();
            let d4 = b[3] - b'0';
            let flipped = if d4.is_multiple_of(2) { d4 + 1 } else { d4 - 1 };
            Some(format!("{}{}{}", &id[..3], flipped, &id[4..]))
        }),
        Damage::IdTypo => {
            let pos = rng.random_range(6..12);
            let bump = rng.random_range(1..10u8);
            map_id(e, |id| {
                let mut bytes = id.as_bytes().to_vec();
                bytes[pos] = b'0' + (bytes[pos] - b'0' + bump) % 10;
                String::from_utf8(bytes).ok()
            })
        }
        Damage::ResidenceMissing => {
            let had = e.res_province.is_some() || e.res_commune.is_some();
            e.res_province = None;
            e.res_district = None;
            e.res_commune = None;
            e.res_text = None;
            had
        }
        Damage::ResidenceAbbreviated => [&mut e.res_province, &mut e.res_district, &mut e.res_commune]
            .into_iter()
            .map(|part| match part.as_deref().map(abbreviate) {
                Some(short) if Some(short.as_str()) != part.as_deref() => {
                    *part = Some(short);
                    true
                }
                _ => false,
            })
            .fold(false, |a, b| a | b),
        Damage::ResidenceNoDiacritics => {
            let mut changed = false;
            for part in [&mut e.res_province, &mut e.res_district, &mut e.res_commune] {
                if let Some(v) = part.as_deref() {
                    *part = Some(strip_marks_keep_case(v));
                    changed = true;
                }
            }
            changed
        }
        Damage::ResidenceOneCell => {
            let Some(commune) = e.res_commune.take() else { return false };
            let parts: Vec<String> = [
                Some(ctx.street.clone()),
                Some(abbreviate(&commune)),
                e.res_district.take().map(|d| abbreviate(&d)),
                e.res_province.take().map(|p| short_province(&p)),
            ]
            .into_iter()
            .flatten()
            .collect();
            e.res_text = Some(parts.join(", "));
            true
        }
        Damage::ResidenceWrongDistrict => match (&e.res_district, ctx.other_district) {
            (Some(_), Some(other)) => {
                e.res_district = Some(other.to_owned());
                true
            }
            _ => false,
        },
    }
}

fn take(slot: &mut Option<String>) -> bool {
    slot.take().is_some()
}

fn set_if_some(slot: &mut Option<String>, value: String) -> bool {
    if slot.is_some() {
        *slot = Some(value);
        true
    } else {
        false
    }
}

fn map_name(e: &mut Entered, f: impl FnOnce(&str) -> Option<String>) -> bool {
    match e.full_name.as_deref().and_then(f) {
        Some(v) if Some(v.as_str()) != e.full_name.as_deref() => {
            e.full_name = Some(v);
            true
        }
        _ => false,
    }
}

fn map_dob(e: &mut Entered, ctx: &Context<'_>, f: impl FnOnce(NaiveDate) -> Option<String>) -> bool {
    if e.date_of_birth.is_none() {
        return false;
    }
    match f(ctx.date_of_birth) {
        Some(v) => {
            e.date_of_birth = Some(v);
            true
        }
        None => false,
    }
}

fn map_id(e: &mut Entered, f: impl FnOnce(&str) -> Option<String>) -> bool {
    let Some(id) = e.personal_id.as_deref() else { return false };
    if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    match f(id) {
        Some(v) => {
            e.personal_id = Some(v);
            true
        }
        None => false,
    }
}

/// Moves the tone mark of "oa", "oe", "uy" (not after q) from the first to the second vowel:
/// "Hòa" → "Hoà", "Thủy" → "Thuỷ", "Khỏe" → "Khoẻ" — the other placement schools type.
pub fn modern_tone_placement(s: &str) -> String {
    const O_TONED: [(char, usize); 10] =
        [('ò', 0), ('ó', 1), ('ỏ', 2), ('õ', 3), ('ọ', 4), ('Ò', 0), ('Ó', 1), ('Ỏ', 2), ('Õ', 3), ('Ọ', 4)];
    const U_TONED: [(char, usize); 10] =
        [('ù', 0), ('ú', 1), ('ủ', 2), ('ũ', 3), ('ụ', 4), ('Ù', 0), ('Ú', 1), ('Ủ', 2), ('Ũ', 3), ('Ụ', 4)];
    let toned = |base: char, tone: usize| -> Option<char> {
        let table: [char; 5] = match base {
            'a' => ['à', 'á', 'ả', 'ã', 'ạ'],
            'e' => ['è', 'é', 'ẻ', 'ẽ', 'ẹ'],
            'y' => ['ỳ', 'ý', 'ỷ', 'ỹ', 'ỵ'],
            'A' => ['À', 'Á', 'Ả', 'Ã', 'Ạ'],
            'E' => ['È', 'É', 'Ẻ', 'Ẽ', 'Ẹ'],
            'Y' => ['Ỳ', 'Ý', 'Ỷ', 'Ỹ', 'Ỵ'],
            _ => return None,
        };
        Some(table[tone])
    };
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let prev = if i > 0 { Some(chars[i - 1]) } else { None };
        let at_word_end = chars.get(i + 2).is_none_or(|c| !c.is_alphabetic());
        if let (Some(n), true) = (next, at_word_end) {
            let o = O_TONED.iter().find(|(t, _)| *t == c);
            let u = U_TONED.iter().find(|(t, _)| *t == c);
            let after_q = prev.is_some_and(|p| p == 'q' || p == 'Q');
            let base_o = if c.is_uppercase() { 'O' } else { 'o' };
            let base_u = if c.is_uppercase() { 'U' } else { 'u' };
            if let (Some((_, tone)), true) = (o, matches!(n, 'a' | 'e' | 'A' | 'E'))
                && let Some(moved) = toned(n, *tone)
            {
                out.push(base_o);
                out.push(moved);
                i += 2;
                continue;
            }
            if let (Some((_, tone)), true, false) = (u, matches!(n, 'y' | 'Y'), after_q)
                && let Some(moved) = toned(n, *tone)
            {
                out.push(base_u);
                out.push(moved);
                i += 2;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Real misspellings schools make that the registry will not accept: i/y swaps and dropped
/// marks on the given name.
fn misspell(name: &str) -> Option<String> {
    const SWAPS: [(&str, &str); 8] = [
        ("Quý", "Quí"),
        ("Mỹ", "Mĩ"),
        ("Thúy", "Thúi"),
        ("Vy", "Vi"),
        ("Ly", "Li"),
        ("Huy", "Hui"),
        ("Hương", "Huơng"),
        ("Ngân", "Ngan"),
    ];
    let (head, given) = name.rsplit_once(' ')?;
    SWAPS.iter().find(|(a, _)| *a == given).map(|(_, b)| format!("{head} {b}")).or_else(|| {
        // Drop the diacritics of the given name only ("Thảo" → "Thao").
        let plain = strip_marks_keep_case(given);
        (plain != given).then(|| format!("{head} {plain}"))
    })
}

/// Removes all marks but keeps case (đ → d, Đ → D).
pub fn strip_marks_keep_case(s: &str) -> String {
    s.chars()
        .map(|c| {
            let folded = fold_ascii(&c.to_string());
            let base = folded.chars().next().unwrap_or(c);
            if c.is_uppercase() { base.to_ascii_uppercase() } else { base }
        })
        .collect()
}

/// "Phường Lạch Tray" → "P. Lạch Tray", "Quận Ngô Quyền" → "Q. Ngô Quyền", "Thành phố Hải
/// Phòng" → "TP. Hải Phòng", "Phường 8" → "P8".
pub fn abbreviate(name: &str) -> String {
    const TYPES: [(&str, &str); 8] = [
        ("Thành phố ", "TP. "),
        ("Thị trấn ", "TT. "),
        ("Thị xã ", "TX. "),
        ("Phường ", "P. "),
        ("Quận ", "Q. "),
        ("Huyện ", "H. "),
        ("Tỉnh ", ""),
        ("Xã ", "X. "),
    ];
    for (long, short) in TYPES {
        if let Some(rest) = name.strip_prefix(long) {
            if rest.chars().all(|c| c.is_ascii_digit()) && !short.is_empty() {
                return format!("{}{}", short.trim_end_matches(". ").trim_end(), rest.trim_start_matches('0'));
            }
            return format!("{short}{rest}");
        }
    }
    name.to_owned()
}

fn short_province(name: &str) -> String {
    match name {
        "Thành phố Hải Phòng" => "HP".to_owned(),
        other => abbreviate(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn clean() -> Entered {
        Entered {
            full_name: Some("Đặng Thị Thu Hòa".into()),
            date_of_birth: Some("05/03/2014".into()),
            gender: Some("Nữ".into()),
            personal_id: Some("031314001234".into()),
            res_province: Some("Thành phố Hải Phòng".into()),
            res_district: Some("Quận Ngô Quyền".into()),
            res_commune: Some("Phường Lạch Tray".into()),
            res_text: None,
        }
    }

    fn ctx() -> Context<'static> {
        Context {
            date_of_birth: NaiveDate::from_ymd_opt(2014, 3, 5).expect("date"),
            staff: false,
            other_district: Some("Quận Lê Chân"),
            street: "Số 12 Lạch Tray".into(),
        }
    }

    #[test]
    fn each_damage_changes_what_it_names() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        type Check = fn(&Entered) -> bool;
        let cases: [(Damage, Check); 22] = [
            (Damage::NameTcvn3, |e| e.full_name.as_deref() == Some("§Æng ThÞ Thu Hßa")),
            (Damage::NameVni, |e| e.full_name.as_deref().is_some_and(|n| n.starts_with("Ñaëng"))),
            (Damage::NameNfd, |e| e.full_name.as_deref().is_some_and(|n| n.chars().count() > 16)),
            (Damage::NameAllCaps, |e| e.full_name.as_deref() == Some("ĐẶNG THỊ THU HÒA")),
            (Damage::NameLookalike, |e| e.full_name.as_deref() == Some("\u{00D0}ặng Thị Thu Hòa")),
            (Damage::NameOtherTonePlacement, |e| e.full_name.as_deref() == Some("Đặng Thị Thu Hoà")),
            (Damage::NameMisspelled, |e| e.full_name.as_deref() == Some("Đặng Thị Thu Hoa")),
            (Damage::DobExcelSerial, |e| e.date_of_birth.as_deref() == Some("41703")),
            (Damage::DobSwapped, |e| e.date_of_birth.as_deref() == Some("03/05/2014")),
            (Damage::DobMissing, |e| e.date_of_birth.is_none()),
            (Damage::GenderWrong, |e| e.gender.as_deref() == Some("Nam")),
            (Damage::IdLostLeadingZero, |e| e.personal_id.as_deref() == Some("31314001234")),
            (Damage::IdScientific, |e| e.personal_id.as_deref() == Some("3.13E+10")),
            (Damage::IdMissing, |e| e.personal_id.is_none()),
            (Damage::IdCmnd, |e| e.personal_id.as_deref().is_some_and(|p| p.len() == 9)),
            (Damage::IdWrongSexDigit, |e| e.personal_id.as_deref() == Some("031214001234")),
            (Damage::IdTypo, |e| {
                e.personal_id
                    .as_deref()
                    .is_some_and(|p| p.len() == 12 && p.starts_with("031314") && p != "031314001234")
            }),
            (Damage::ResidenceMissing, |e| e.res_province.is_none() && e.res_commune.is_none()),
            (Damage::ResidenceAbbreviated, |e| {
                e.res_commune.as_deref() == Some("P. Lạch Tray") && e.res_province.as_deref() == Some("TP. Hải Phòng")
            }),
            (Damage::ResidenceNoDiacritics, |e| e.res_commune.as_deref() == Some("Phuong Lach Tray")),
            (Damage::ResidenceOneCell, |e| {
                e.res_text.as_deref() == Some("Số 12 Lạch Tray, P. Lạch Tray, Q. Ngô Quyền, HP")
                    && e.res_commune.is_none()
            }),
            (Damage::ResidenceWrongDistrict, |e| e.res_district.as_deref() == Some("Quận Lê Chân")),
        ];
        for (damage, check) in cases {
            let mut e = clean();
            assert!(apply(&mut rng, damage, &mut e, &ctx()), "{damage:?} applies");
            assert!(check(&e), "{damage:?} gave {e:?}");
        }
    }

    #[test]
    fn damages_that_do_not_apply_leave_the_record_alone() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(2);
        let mut e = Entered { full_name: Some("Nguyễn Văn An".into()), ..Entered::default() };
        let before = e.clone();
        assert!(!apply(&mut rng, Damage::NameLookalike, &mut e, &ctx()), "no Đ to replace");
        assert!(!apply(&mut rng, Damage::NameOtherTonePlacement, &mut e, &ctx()));
        assert!(!apply(&mut rng, Damage::IdLostLeadingZero, &mut e, &ctx()), "no ID");
        assert_eq!(e, before);
    }

    #[test]
    fn tone_placement_moves_only_where_it_can() {
        let cases = [
            ("Hòa", "Hoà"),
            ("Thủy", "Thuỷ"),
            ("Khỏe", "Khoẻ"),
            ("Quý", "Quý"),
            ("Hoàng", "Hoàng"),
            ("Thúy Hòa", "Thuý Hoà"),
            ("HÒA", "HOÀ"),
            ("Toàn", "Toàn"),
        ];
        for (input, want) in cases {
            assert_eq!(modern_tone_placement(input), want, "{input}");
        }
    }

    #[test]
    fn picks_at_most_two_damages_and_never_two_on_one_field() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let mut damaged = 0;
        for _ in 0..10_000 {
            let picked = pick(&mut rng, false);
            assert!(picked.len() <= 2);
            assert!(!picked.contains(&Damage::IdCmnd), "children have no CMND");
            if picked.len() == 2 {
                assert_ne!(picked[0].field(), picked[1].field());
            }
            damaged += usize::from(!picked.is_empty());
        }
        // A realistic share of records carries at least one defect.
        assert!((3_500..6_500).contains(&damaged), "{damaged}");
    }

    #[test]
    fn abbreviations() {
        assert_eq!(abbreviate("Phường 8"), "P8");
        assert_eq!(abbreviate("Huyện An Lão"), "H. An Lão");
        assert_eq!(abbreviate("Thị trấn Núi Đối"), "TT. Núi Đối");
        assert_eq!(abbreviate("Xã An Hòa"), "X. An Hòa");
    }
}
