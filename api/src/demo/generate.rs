//! The demo world, generated deterministically from a seed: Hải Phòng's Department, its
//! district offices (real pre-2025 districts and codes), schools of every level named after
//! their communes, classes of 30–45 students for the current school year, staff, and people
//! whose truth (what the national registry holds) is kept apart from what the school entered.
//! Pure: no IO; people are produced school by school so a million of them never sit in memory.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use super::damage::{self, Damage, Entered};
use super::names::NameSampler;
use crate::domain::admin_units::{OldCommune, OldDistrict, UnitType, units};
use crate::domain::org::{Position, SchoolLevel};

/// The province the demo models (pre-2025 code).
pub const PROVINCE: &str = "31";
/// The district office and school the demo accounts belong to.
pub const DEMO_DISTRICT: &str = "304";

/// A management unit or school to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedUnit {
    pub code: String,
    pub name: String,
    pub level: Option<SchoolLevel>,
    pub district_code: Option<String>,
    pub commune_code: Option<String>,
    pub address: String,
    pub phone: String,
    pub email: String,
}

/// A class to create: its grade, name and number of students.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedClass {
    pub grade: i32,
    pub name: String,
    pub size: u32,
    /// For preschool groups: the children's age in years at the start of the school year.
    pub age: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedSchool {
    pub unit: PlannedUnit,
    /// Index into [`Plan::districts`].
    pub district: usize,
    pub classes: Vec<PlannedClass>,
    pub staff: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedDistrict {
    pub unit: PlannedUnit,
    pub old_district_code: String,
    pub staff: u32,
}

/// The whole tree to create.
#[derive(Debug, Clone)]
pub struct Plan {
    pub seed: u64,
    pub school_year_start: i32,
    pub department: PlannedUnit,
    pub department_staff: u32,
    pub districts: Vec<PlannedDistrict>,
    pub schools: Vec<PlannedSchool>,
}

impl Plan {
    pub fn students(&self) -> u64 {
        self.schools.iter().flat_map(|s| &s.classes).map(|c| u64::from(c.size)).sum()
    }
}

/// District offices in the order schools are handed out: the demo district first, then the
/// city districts, then the rural ones; the island district without communes is left out.
fn districts_in_order() -> Vec<&'static OldDistrict> {
    let all = units().old_districts_of_province(PROVINCE);
    let mut ordered: Vec<&OldDistrict> = all.iter().filter(|d| !d.is_island_without_communes()).collect();
    ordered.sort_by_key(|d| (d.code != DEMO_DISTRICT, d.unit_type != UnitType::Quan, d.code));
    ordered
}

fn in_force_communes(district: &str) -> Vec<&'static OldCommune> {
    units().old_communes_of_district(district).iter().filter(|c| c.status.is_in_force()).collect()
}

/// "Phường Lạch Tray" → "Lạch Tray".
pub fn bare_name(name: &str) -> &str {
    for prefix in ["Thành phố ", "Thị trấn ", "Thị xã ", "Phường ", "Quận ", "Huyện ", "Tỉnh ", "Xã ", "Đặc khu "]
    {
        if let Some(rest) = name.strip_prefix(prefix) {
            return rest;
        }
    }
    name
}

/// People high schools are named after in Hải Phòng and elsewhere.
const HIGH_SCHOOL_NAMES: &[&str] = &[
    "Thái Phiên",
    "Trần Phú",
    "Ngô Quyền",
    "Lê Quý Đôn",
    "Lê Hồng Phong",
    "Trần Nguyên Hãn",
    "Nguyễn Trãi",
    "Hồng Bàng",
    "Marie Curie",
    "Lương Thế Vinh",
    "Nguyễn Khuyến",
    "Tô Hiệu",
    "Bạch Đằng",
    "Phạm Ngũ Lão",
    "Lý Thường Kiệt",
    "Nguyễn Bỉnh Khiêm",
];

/// School levels handed out in turn, so every district gets a realistic mix.
const LEVEL_CYCLE: [SchoolLevel; 12] = [
    SchoolLevel::Thcs,
    SchoolLevel::TieuHoc,
    SchoolLevel::MamNon,
    SchoolLevel::TieuHoc,
    SchoolLevel::Thpt,
    SchoolLevel::MamNon,
    SchoolLevel::Thcs,
    SchoolLevel::TieuHoc,
    SchoolLevel::MamNon,
    SchoolLevel::LienCap,
    SchoolLevel::TieuHoc,
    SchoolLevel::GdnnGdtx,
];

fn level_prefix(level: SchoolLevel) -> &'static str {
    match level {
        SchoolLevel::MamNon => "Trường Mầm non",
        SchoolLevel::TieuHoc => "Trường Tiểu học",
        SchoolLevel::Thcs => "Trường THCS",
        SchoolLevel::Thpt => "Trường THPT",
        SchoolLevel::LienCap => "Trường Tiểu học và THCS",
        SchoolLevel::GdnnGdtx => "Trung tâm GDNN-GDTX",
    }
}

/// Classes for a school of this level: (grade, classes per grade, size range).
fn class_layout<R: Rng + ?Sized>(rng: &mut R, level: SchoolLevel) -> Vec<PlannedClass> {
    let mut classes = Vec::new();
    let mut add =
        |grade: i32, count: u32, name: &dyn Fn(u32) -> String, lo: u32, hi: u32, age: Option<i32>, rng: &mut R| {
            for i in 0..count {
                classes.push(PlannedClass { grade, name: name(i), size: rng.random_range(lo..=hi), age });
            }
        };
    match level {
        SchoolLevel::MamNon => {
            for (age, group) in [(3, "Mầm"), (4, "Chồi"), (5, "Lá")] {
                let n = rng.random_range(2..=3);
                add(0, n, &|i| format!("Lớp {group} {}", i + 1), 25, 35, Some(age), rng);
            }
        }
        SchoolLevel::TieuHoc | SchoolLevel::Thcs | SchoolLevel::Thpt | SchoolLevel::GdnnGdtx | SchoolLevel::LienCap => {
            let (grades, per_grade) = match level {
                SchoolLevel::TieuHoc => (1..=5, 3..=5),
                SchoolLevel::Thcs => (6..=9, 3..=5),
                SchoolLevel::Thpt => (10..=12, 4..=6),
                SchoolLevel::GdnnGdtx => (10..=12, 2..=3),
                _ => (1..=9, 1..=2),
            };
            for grade in grades {
                let n = rng.random_range(per_grade.clone());
                add(grade, n, &|i| format!("{grade}A{}", i + 1), 30, 45, None, rng);
            }
        }
    }
    classes
}

fn phone<R: Rng + ?Sized>(rng: &mut R) -> String {
    format!("0225 3{:03} {:03}", rng.random_range(0..1000), rng.random_range(0..1000))
}

fn slug(s: &str) -> String {
    crate::domain::text::fold_ascii(s).chars().filter(char::is_ascii_alphanumeric).collect()
}

/// Plans the tree for `students` students. The demo school (the first school of the demo
/// district, a lower secondary school) comes first; the last school is trimmed so the total
/// is exactly `students`.
pub fn plan(students: u32, seed: u64, school_year_start: i32) -> Plan {
    let mut rng = StdRng::seed_from_u64(seed);
    let hp = units().old_province(PROVINCE).map(|p| p.name).unwrap_or("Thành phố Hải Phòng");
    let department = PlannedUnit {
        code: "SGD31".to_owned(),
        name: format!("Sở Giáo dục và Đào tạo {}", bare_name(hp)),
        level: None,
        district_code: None,
        commune_code: None,
        address: "Số 1 Lê Hồng Phong, Ngô Quyền, Hải Phòng".to_owned(),
        phone: "0225 3842 567".to_owned(),
        email: "sogddt@haiphong.edu.vn".to_owned(),
    };
    let ordered = districts_in_order();
    let districts: Vec<PlannedDistrict> = ordered
        .iter()
        .map(|d| PlannedDistrict {
            unit: PlannedUnit {
                code: format!("PGD31{}", d.code),
                name: format!("Phòng Giáo dục và Đào tạo {}", lower_type(d.name)),
                level: None,
                district_code: Some(d.code.to_owned()),
                commune_code: None,
                address: format!("{}, Hải Phòng", d.name),
                phone: phone(&mut rng),
                email: format!("pgd.{}@haiphong.edu.vn", slug(bare_name(d.name))),
            },
            old_district_code: d.code.to_owned(),
            staff: rng.random_range(6..=12),
        })
        .collect();

    let mut schools = Vec::new();
    let mut total: u64 = 0;
    let target = u64::from(students);
    let mut used_names = HashSet::new();
    let mut per_district_seq = vec![0u32; districts.len()];
    let mut i = 0usize;
    while total < target && !districts.is_empty() {
        let district_index = i % districts.len();
        let level = LEVEL_CYCLE[(i / districts.len() + district_index) % LEVEL_CYCLE.len()];
        // The demo school: the first school is a THCS in the demo district.
        let level = if i == 0 { SchoolLevel::Thcs } else { level };
        i += 1;
        let district = &districts[district_index];
        let communes = in_force_communes(&district.old_district_code);
        let Some(commune) = communes.choose(&mut rng).copied() else { continue };
        let base = if level == SchoolLevel::Thpt {
            HIGH_SCHOOL_NAMES.choose(&mut rng).copied().unwrap_or("Hải Phòng")
        } else {
            bare_name(commune.name)
        };
        let mut name = format!("{} {}", level_prefix(level), base);
        let mut n = 2;
        while !used_names.insert(name.clone()) {
            name = format!("{} {} số {n}", level_prefix(level), base);
            n += 1;
        }
        per_district_seq[district_index] += 1;
        let mut classes = class_layout(&mut rng, level);
        let size: u64 = classes.iter().map(|c| u64::from(c.size)).sum();
        if total + size > target {
            trim(&mut classes, target - total);
        }
        total += classes.iter().map(|c| u64::from(c.size)).sum::<u64>();
        let students_here: u32 = classes.iter().map(|c| c.size).sum();
        let per_teacher = if level == SchoolLevel::MamNon { 12 } else { 20 };
        schools.push(PlannedSchool {
            unit: PlannedUnit {
                code: format!("31{}{:03}", district.old_district_code, per_district_seq[district_index]),
                email: format!("{}.{}@haiphong.edu.vn", slug(level_prefix(level)).replace("truong", ""), slug(base)),
                name,
                level: Some(level),
                district_code: Some(district.old_district_code.clone()),
                commune_code: Some(commune.code.to_owned()),
                address: format!(
                    "{}, {}, Hải Phòng",
                    commune.name,
                    lower_type(district_name(&district.old_district_code))
                ),
                phone: phone(&mut rng),
            },
            district: district_index,
            classes,
            staff: students_here / per_teacher + rng.random_range(4..=8),
        });
    }
    Plan { seed, school_year_start, department, department_staff: 25, districts, schools }
}

fn district_name(code: &str) -> &'static str {
    units().old_district(code).map(|d| d.name).unwrap_or("")
}

/// "Quận Ngô Quyền" → "quận Ngô Quyền" (as it reads inside "Phòng GDĐT quận Ngô Quyền").
fn lower_type(name: &str) -> String {
    let mut words = name.splitn(2, ' ');
    match (words.next(), words.next()) {
        (Some(first), Some(rest)) if ["Quận", "Huyện", "Thành", "Thị"].contains(&first) => {
            format!("{} {rest}", first.to_lowercase())
        }
        _ => name.to_owned(),
    }
}

/// Drops classes from the end and shrinks the last one so the sizes add up to `keep`.
fn trim(classes: &mut Vec<PlannedClass>, keep: u64) {
    let mut sum = 0u64;
    let mut cut = classes.len();
    for (i, c) in classes.iter_mut().enumerate() {
        if sum >= keep {
            cut = i;
            break;
        }
        let room = keep - sum;
        if u64::from(c.size) > room {
            c.size = u32::try_from(room).unwrap_or(c.size);
        }
        sum += u64::from(c.size);
    }
    classes.truncate(cut);
}

/// What the national registry holds about a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Truth {
    pub personal_id: String,
    pub full_name: String,
    pub date_of_birth: NaiveDate,
    /// "Nam" or "Nữ".
    pub gender: &'static str,
    /// Post-2025 codes of the permanent residence.
    pub new_province_code: String,
    pub new_commune_code: String,
}

/// A generated person: the truth, what the school entered, and the damage applied.
#[derive(Debug, Clone)]
pub struct Person {
    pub truth: Truth,
    /// False for the few people with no birth registration: the registry does not know them.
    pub registered: bool,
    pub entered: Entered,
    pub damage: Vec<Damage>,
    pub sector_code: String,
    /// Staff only.
    pub position: Option<Position>,
}

/// Birth provinces (ID prefixes) of people living in Hải Phòng, weighted per mille.
const BIRTH_PROVINCES: &[(&str, u32)] = &[
    ("031", 820),
    ("030", 70),
    ("034", 25),
    ("022", 15),
    ("001", 20),
    ("033", 10),
    ("036", 10),
    ("079", 8),
    ("038", 7),
    ("015", 5),
    ("024", 5),
    ("026", 5),
];

/// Makes unique ID numbers and sector codes across the whole world.
pub struct Registry {
    ids: HashSet<u64>,
    next_sector: u64,
}

impl Default for Registry {
    fn default() -> Self {
        Registry { ids: HashSet::new(), next_sector: 3_100_000_001 }
    }
}

impl Registry {
    fn personal_id<R: Rng + ?Sized>(&mut self, rng: &mut R, dob: NaiveDate, male: bool) -> String {
        let prefix = weighted(rng, BIRTH_PROVINCES);
        let century = (dob.year() - 1900) / 100;
        let d4 = century * 2 + i32::from(!male);
        let yy = dob.year() % 100;
        loop {
            let tail: u32 = rng.random_range(0..1_000_000);
            let id = format!("{prefix}{d4}{yy:02}{tail:06}");
            let key: u64 = id.parse().unwrap_or(0);
            if self.ids.insert(key) {
                return id;
            }
        }
    }

    fn sector_code(&mut self) -> String {
        let code = self.next_sector;
        self.next_sector += 1;
        code.to_string()
    }
}

fn weighted<R: Rng + ?Sized>(rng: &mut R, table: &[(&'static str, u32)]) -> &'static str {
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut x = rng.random_range(0..total);
    for (v, w) in table {
        if x < *w {
            return v;
        }
        x -= w;
    }
    table[0].0
}

/// Generates the people of one school: its students class by class, then its staff.
pub struct SchoolPeople {
    pub students: Vec<(usize, Person)>,
    pub staff: Vec<Person>,
}

/// The random source of one unit: derived from the seed and the unit's index, so the output
/// does not depend on the order units are generated in.
pub fn unit_rng(seed: u64, index: u64) -> StdRng {
    StdRng::seed_from_u64(seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(0x5EED))
}

/// Residence near the unit: mostly its own district, some elsewhere in the city, a few in
/// former Hải Dương.
fn residence<R: Rng + ?Sized>(rng: &mut R, home_district: &str) -> &'static OldCommune {
    let roll = rng.random_range(0..100);
    let district = if roll < 85 {
        home_district.to_owned()
    } else {
        let province = if roll < 97 { PROVINCE } else { "30" };
        let ds: Vec<&OldDistrict> =
            units().old_districts_of_province(province).iter().filter(|d| !d.is_island_without_communes()).collect();
        ds.choose(rng).map(|d| d.code.to_owned()).unwrap_or_else(|| home_district.to_owned())
    };
    let communes = in_force_communes(&district);
    communes
        .choose(rng)
        .copied()
        .or_else(|| in_force_communes(home_district).first().copied())
        .unwrap_or(&units().old_communes()[0])
}

const STREETS: &[&str] = &[
    "Lạch Tray",
    "Lê Lợi",
    "Trần Phú",
    "Điện Biên Phủ",
    "Tô Hiệu",
    "Hai Bà Trưng",
    "Nguyễn Văn Linh",
    "Đà Nẵng",
    "Thôn 3",
    "Tổ dân phố 5",
];

/// One person: truth, clean entry, damage.
#[allow(clippy::too_many_arguments)]
fn person<R: Rng + ?Sized>(
    rng: &mut R,
    names: &NameSampler,
    ids: &mut Registry,
    dob: NaiveDate,
    staff: bool,
    home_district: &str,
    position: Option<Position>,
    other_district: &str,
) -> Person {
    let male = rng.random_bool(if staff { 0.3 } else { 0.515 });
    let full_name = names.full_name(rng, male, !staff);
    let personal_id = ids.personal_id(rng, dob, male);
    let commune = residence(rng, home_district);
    let target = units().default_target(commune.code);
    let (new_province, new_commune) = target
        .map(|t| (t.new_province_code.to_owned(), t.new_commune_code.to_owned()))
        .unwrap_or_else(|| (PROVINCE.to_owned(), String::new()));
    let truth = Truth {
        personal_id: personal_id.clone(),
        full_name: full_name.clone(),
        date_of_birth: dob,
        gender: if male { "Nam" } else { "Nữ" },
        new_province_code: new_province.clone(),
        new_commune_code: new_commune.clone(),
    };
    let old_province_name = units().old_province(commune.province_code).map(|p| p.name).unwrap_or("");
    // A quarter of schools already type the post-2025 address (province + new commune).
    let post2025 = rng.random_range(0..100) < 25 && target.is_some();
    let mut entered = Entered {
        full_name: Some(full_name),
        date_of_birth: Some(format_dob(rng, dob)),
        gender: Some(truth.gender.to_owned()),
        personal_id: Some(personal_id),
        res_province: Some(if post2025 {
            units().new_province(&new_province).map(|p| p.name.to_owned()).unwrap_or_default()
        } else {
            old_province_name.to_owned()
        }),
        res_district: (!post2025).then(|| district_name(commune.district_code).to_owned()),
        res_commune: Some(if post2025 {
            target.map(|t| t.new_commune_name.to_owned()).unwrap_or_default()
        } else {
            commune.name.to_owned()
        }),
        res_text: None,
    };
    let ctx = damage::Context {
        date_of_birth: dob,
        staff,
        other_district: Some(other_district),
        street: format!("Số {} {}", rng.random_range(1..200), STREETS.choose(rng).copied().unwrap_or("Lê Lợi")),
    };
    let mut applied = Vec::new();
    for d in damage::pick(rng, staff) {
        if damage::apply(rng, d, &mut entered, &ctx) {
            applied.push(d);
        }
    }
    let registered = rng.random_range(0..1000) >= 3;
    Person { truth, registered, entered, damage: applied, sector_code: ids.sector_code(), position }
}

/// Dates as schools type them: mostly dd/mm/yyyy, sometimes other common forms.
fn format_dob<R: Rng + ?Sized>(rng: &mut R, d: NaiveDate) -> String {
    match rng.random_range(0..100) {
        0..=79 => d.format("%d/%m/%Y").to_string(),
        80..=89 => format!("{}/{}/{}", d.day(), d.month(), d.year()),
        90..=94 => d.format("%d-%m-%Y").to_string(),
        95..=97 => d.format("%Y-%m-%d").to_string(),
        _ => d.format("%d.%m.%Y").to_string(),
    }
}

fn random_date_in_year<R: Rng + ?Sized>(rng: &mut R, year: i32) -> NaiveDate {
    let start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let days = if NaiveDate::from_ymd_opt(year, 2, 29).is_some() { 366 } else { 365 };
    start + chrono::Days::new(rng.random_range(0..days))
}

/// The people of one school, deterministic for (seed, school index).
pub fn school_people(plan: &Plan, index: usize, ids: &mut Registry, names: &NameSampler) -> SchoolPeople {
    let school = &plan.schools[index];
    let mut rng = unit_rng(plan.seed, 1_000 + index as u64);
    let home = school.unit.district_code.clone().unwrap_or_default();
    let other = other_district_name(plan, school.district);
    let mut students = Vec::new();
    let mut previous_id: Option<String> = None;
    for (ci, class) in school.classes.iter().enumerate() {
        // Grade 1 children turn 6 in the year the school year starts; preschool by group age.
        let base_year = match class.age {
            Some(age) => plan.school_year_start - age,
            None => plan.school_year_start - 5 - class.grade,
        };
        for _ in 0..class.size {
            let year = if rng.random_range(0..100) < 3 { base_year - 1 } else { base_year };
            let dob = random_date_in_year(&mut rng, year);
            let mut p = person(&mut rng, names, ids, dob, false, &home, None, &other);
            // One record in a thousand carries the ID number of another child (a copy-paste).
            if let Some(prev) = &previous_id
                && rng.random_range(0..1000) == 0
                && p.entered.personal_id.is_some()
            {
                p.entered.personal_id = Some(prev.clone());
            }
            previous_id = Some(p.truth.personal_id.clone());
            students.push((ci, p));
        }
    }
    let staff = staff_people(&mut rng, names, ids, school.staff, &home, &other);
    SchoolPeople { students, staff }
}

fn other_district_name(plan: &Plan, index: usize) -> String {
    let other = &plan.districts[(index + 1) % plan.districts.len().max(1)];
    district_name(&other.old_district_code).to_owned()
}

fn staff_people<R: Rng + ?Sized>(
    rng: &mut R,
    names: &NameSampler,
    ids: &mut Registry,
    count: u32,
    home: &str,
    other: &str,
) -> Vec<Person> {
    (0..count)
        .map(|i| {
            let position = match i {
                0..=1 => Position::Manager,
                _ if i % 9 == 8 => Position::Employee,
                _ => Position::Teacher,
            };
            let year = rng.random_range(1966..=2002);
            let dob = random_date_in_year(rng, year);
            person(rng, names, ids, dob, true, home, Some(position), other)
        })
        .collect()
}

/// Staff of a district office (index into [`Plan::districts`]) or, with `None`, of the
/// Department.
pub fn office_staff(plan: &Plan, district: Option<usize>, ids: &mut Registry, names: &NameSampler) -> Vec<Person> {
    let (count, home, salt) = match district {
        Some(i) => (plan.districts[i].staff, plan.districts[i].old_district_code.clone(), 100 + i as u64),
        None => (plan.department_staff, DEMO_DISTRICT.to_owned(), 99),
    };
    let mut rng = unit_rng(plan.seed, salt);
    let other = other_district_name(plan, district.unwrap_or(0));
    staff_people(&mut rng, names, ids, count, &home, &other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_has_exactly_the_students_asked_for_and_the_demo_school_first() {
        for n in [1, 200, 5_000, 20_000] {
            let p = plan(n, 2025, 2026);
            assert_eq!(p.students(), u64::from(n), "n = {n}");
            assert_eq!(p.schools[0].unit.level, Some(SchoolLevel::Thcs));
            assert_eq!(p.schools[0].unit.district_code.as_deref(), Some(DEMO_DISTRICT));
            assert!(p.schools.iter().flat_map(|s| &s.classes).all(|c| c.size >= 1 && c.size <= 45));
        }
        let p = plan(20_000, 2025, 2026);
        assert_eq!(p.districts.len(), 14, "Hải Phòng's districts but the island one");
        assert_eq!(p.districts[0].unit.name, "Phòng Giáo dục và Đào tạo quận Ngô Quyền");
        let codes: HashSet<&str> = p.schools.iter().map(|s| s.unit.code.as_str()).collect();
        assert_eq!(codes.len(), p.schools.len(), "unique school codes");
        let levels: HashSet<SchoolLevel> = p.schools.iter().filter_map(|s| s.unit.level).collect();
        assert!(levels.len() >= 5, "several levels: {levels:?}");
        let demo = &p.schools[0];
        let size: u32 = demo.classes.iter().map(|c| c.size).sum();
        assert!((400..=900).contains(&size), "a realistic school for the clerk: {size}");
    }

    #[test]
    fn generation_is_deterministic_for_a_seed() {
        let p = plan(300, 7, 2026);
        let names = NameSampler::default();
        let a = school_people(&p, 0, &mut Registry::default(), &names);
        let b = school_people(&p, 0, &mut Registry::default(), &names);
        let key =
            |s: &SchoolPeople| s.students.iter().map(|(_, p)| (p.truth.clone(), p.entered.clone())).collect::<Vec<_>>();
        assert_eq!(key(&a), key(&b));
        let other_seed = plan(300, 8, 2026);
        let c = school_people(&other_seed, 0, &mut Registry::default(), &names);
        assert_ne!(key(&a), key(&c));
    }

    #[test]
    fn truth_is_consistent_and_damage_is_realistic() {
        let p = plan(5_000, 2025, 2026);
        let names = NameSampler::default();
        let mut ids = Registry::default();
        let mut damaged = 0usize;
        let mut total = 0usize;
        for i in 0..p.schools.len() {
            let people = school_people(&p, i, &mut ids, &names);
            for (ci, person) in &people.students {
                let t = &person.truth;
                total += 1;
                damaged += usize::from(!person.damage.is_empty());
                // The ID agrees with the birth year and sex (DOMAIN.md §2).
                let d4 = t.personal_id.as_bytes()[3] - b'0';
                assert_eq!(u32::from(d4 % 2 == 1), u32::from(t.gender == "Nữ"), "{t:?}");
                assert_eq!(&t.personal_id[4..6], format!("{:02}", t.date_of_birth.year() % 100));
                let grade = p.schools[i].classes[*ci].grade;
                if grade >= 1 {
                    let age = p.school_year_start - t.date_of_birth.year();
                    assert!((grade + 5..=grade + 6).contains(&age), "grade {grade}, age {age}");
                }
                assert!(!t.new_commune_code.is_empty(), "every truth has a post-2025 commune");
                if person.damage.is_empty() {
                    assert_eq!(person.entered.full_name.as_deref(), Some(t.full_name.as_str()));
                }
            }
        }
        let share = damaged as f64 / total as f64;
        assert!((0.3..0.6).contains(&share), "damaged share {share}");
    }
}
