//! A Department's list of district offices and schools (issue 10): finding its columns whatever
//! their headers (compared like the people import's, on `import::headers::header_key`), and
//! planning what importing it changes in the unit tree: create, update (rename, move, new
//! contacts), close, unchanged, or rejected with its reasons. Pure: the store reads the tree,
//! this decides, the store applies.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::org::{SchoolLevel, UnitKind};
use crate::import::headers::header_key;

/// A column of a unit list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UnitColumn {
    Code,
    Name,
    Level,
    Kind,
    Parent,
    Commune,
    Address,
    Phone,
    Email,
    Principal,
    Status,
}

/// The column a header names, if any.
pub fn match_unit_header(text: &str) -> Option<UnitColumn> {
    let key = header_key(text);
    let key = key.as_str();
    let starts = |p: &str| key == p || key.starts_with(&format!("{p} "));
    Some(match key {
        _ if starts("ma don vi quan ly")
            || starts("don vi quan ly")
            || starts("ma don vi cap tren")
            || starts("don vi cap tren")
            || starts("truc thuoc")
            || starts("co quan quan ly")
            || starts("phong gd")
            || starts("phong gddt")
            || starts("ma phong")
            || starts("don vi cha") =>
        {
            UnitColumn::Parent
        }
        _ if starts("ma truong") || starts("ma don vi") || key == "ma" || starts("ma co so") || starts("ma moet") => {
            UnitColumn::Code
        }
        _ if starts("ten truong") || starts("ten don vi") || key == "ten" || starts("ten co so") => UnitColumn::Name,
        _ if starts("cap hoc") || key == "cap" || starts("bac hoc") => UnitColumn::Level,
        _ if starts("loai don vi") || starts("loai hinh don vi") => UnitColumn::Kind,
        _ if starts("xa phuong") || starts("phuong xa") || key == "xa" || starts("ma xa") => UnitColumn::Commune,
        _ if starts("dia chi") => UnitColumn::Address,
        _ if starts("dien thoai") || starts("so dien thoai") || key == "sdt" => UnitColumn::Phone,
        _ if key == "email" || key == "e mail" || starts("thu dien tu") => UnitColumn::Email,
        _ if starts("hieu truong") || starts("nguoi dung dau") || starts("thu truong") || starts("truong phong") => {
            UnitColumn::Principal
        }
        _ if starts("trang thai") || starts("tinh trang") => UnitColumn::Status,
        _ => return None,
    })
}

/// Where each column is, found in the first rows (the row naming a code and a name column).
pub fn detect_columns(rows: &[Vec<String>]) -> Option<(usize, HashMap<UnitColumn, usize>)> {
    for (r, row) in rows.iter().take(crate::import::headers::HEADER_SCAN_ROWS).enumerate() {
        let mut map = HashMap::new();
        for (i, text) in row.iter().enumerate() {
            if let Some(c) = match_unit_header(text) {
                map.entry(c).or_insert(i);
            }
        }
        if map.contains_key(&UnitColumn::Code) && map.contains_key(&UnitColumn::Name) {
            return Some((r, map));
        }
    }
    None
}

/// The level a cell names (`Mầm non`, `Tiểu học`, `THCS`, `THPT`, `Liên cấp`, `GDNN-GDTX`…).
pub fn parse_level(text: &str) -> Option<SchoolLevel> {
    let key = header_key(text);
    Some(match key.as_str() {
        "mam non" | "mau giao" | "nha tre" | "mn" => SchoolLevel::MamNon,
        "tieu hoc" | "th" => SchoolLevel::TieuHoc,
        "thcs" | "trung hoc co so" => SchoolLevel::Thcs,
        "thpt" | "trung hoc pho thong" => SchoolLevel::Thpt,
        "lien cap" | "th thcs" | "thcs thpt" | "th thcs thpt" | "pho thong nhieu cap hoc" => SchoolLevel::LienCap,
        "gdnn gdtx" | "gdtx" | "gdnn" | "trung tam gdnn gdtx" => SchoolLevel::GdnnGdtx,
        _ => return None,
    })
}

/// True when a status cell says the unit is closed (giải thể, sáp nhập, đóng, ngừng hoạt động).
pub fn says_closed(text: &str) -> bool {
    let key = header_key(text);
    key == "dong"
        || key == "closed"
        || ["giai the", "sap nhap", "ngung hoat dong", "da dong", "dong cua"].iter().any(|w| key.contains(w))
}

/// One row of the list, as read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitLine {
    /// Row number in the file (1-based, as the spreadsheet shows it).
    pub row: usize,
    pub code: String,
    pub name: String,
    pub level: Option<String>,
    pub kind: Option<String>,
    pub parent: Option<String>,
    pub commune: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub principal: Option<String>,
    pub status: Option<String>,
}

/// The lines of a sheet, from the row after the header.
pub fn read_lines(rows: &[Vec<String>]) -> Option<Vec<UnitLine>> {
    let (header, cols) = detect_columns(rows)?;
    let cell = |row: &Vec<String>, c: UnitColumn| {
        cols.get(&c).and_then(|i| row.get(*i)).map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
    };
    Some(
        rows.iter()
            .enumerate()
            .skip(header + 1)
            .filter(|(_, row)| row.iter().any(|t| !t.trim().is_empty()))
            .map(|(i, row)| UnitLine {
                row: i + 1,
                code: cell(row, UnitColumn::Code).unwrap_or_default(),
                name: cell(row, UnitColumn::Name).unwrap_or_default(),
                level: cell(row, UnitColumn::Level),
                kind: cell(row, UnitColumn::Kind),
                parent: cell(row, UnitColumn::Parent),
                commune: cell(row, UnitColumn::Commune),
                address: cell(row, UnitColumn::Address),
                phone: cell(row, UnitColumn::Phone),
                email: cell(row, UnitColumn::Email),
                principal: cell(row, UnitColumn::Principal),
                status: cell(row, UnitColumn::Status),
            })
            .collect(),
    )
}

/// A unit as it stands in the tree (what a line is compared with).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownUnit {
    pub id: i64,
    pub code: String,
    pub kind: UnitKind,
    pub name: String,
    pub level: Option<SchoolLevel>,
    pub parent_code: Option<String>,
    pub commune_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub principal: Option<String>,
    pub closed: bool,
    /// Active records it holds (a unit that holds some cannot be closed).
    pub active_records: u64,
}

/// What importing a line does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitAction {
    Create,
    Update,
    Close,
    Unchanged,
    Rejected,
}

/// One field a line changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnitChange {
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// A planned line: the unit it creates or changes, with the values it ends with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlannedUnit {
    pub row: usize,
    pub code: String,
    pub name: String,
    pub kind: Option<UnitKind>,
    pub level: Option<SchoolLevel>,
    /// The parent's code (the Department's when the line names none).
    pub parent_code: Option<String>,
    pub commune_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub principal: Option<String>,
    pub action: UnitAction,
    /// The existing unit's id (updates, closings, unchanged).
    pub unit_id: Option<i64>,
    pub changes: Vec<UnitChange>,
    /// Why the line is rejected (Vietnamese).
    pub reasons: Vec<String>,
}

/// The province's codes a MoET school code may start with: its own post-2025 code and the
/// pre-2025 codes of the provinces merged into it (for Hải Phòng, 31: `31` and `30` of former
/// Hải Dương).
pub fn accepted_prefixes(province_code: &str) -> Vec<String> {
    let mut out = vec![province_code.to_owned()];
    let Some(new) = crate::domain::admin_units::units().new_province(province_code) else { return out };
    for p in crate::domain::admin_units::province_conversions() {
        if p.new_name == new.name && !out.contains(&p.old_code) {
            out.push(p.old_code.clone());
        }
    }
    out
}

/// Why a code is refused, if it is: a numeric (MoET) code must start with one of the province's
/// codes; any code is 2–32 of letters, digits, `-`, `_`, `.`.
pub fn code_refusal(code: &str, prefixes: &[String]) -> Option<String> {
    if code.is_empty() {
        return Some("Thiếu mã đơn vị.".to_owned());
    }
    if code.len() < 2 || code.len() > 32 || !code.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        return Some(format!("Mã đơn vị “{code}” không hợp lệ (2–32 ký tự: chữ, số, -, _, .)."));
    }
    if code.chars().all(|c| c.is_ascii_digit()) && !prefixes.iter().any(|p| code.starts_with(p.as_str())) {
        return Some(format!(
            "Mã trường {code} không thuộc tỉnh, thành phố này (mã phải bắt đầu bằng {}).",
            prefixes.join(" hoặc ")
        ));
    }
    None
}

/// Plans the lines against the tree. `department_code` is the root every line without a parent
/// hangs from; `prefixes` are [`accepted_prefixes`].
pub fn plan(lines: &[UnitLine], known: &[KnownUnit], department_code: &str, prefixes: &[String]) -> Vec<PlannedUnit> {
    let by_code: HashMap<&str, &KnownUnit> = known.iter().map(|k| (k.code.as_str(), k)).collect();
    // kinds of the codes the file itself defines (a line may name a parent defined further down)
    let mut file_kinds: HashMap<String, UnitKind> = HashMap::new();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for l in lines {
        *counts.entry(l.code.as_str()).or_default() += 1;
        file_kinds.entry(l.code.clone()).or_insert_with(|| kind_of(l));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(lines.len());
    for l in lines {
        let mut reasons = Vec::new();
        if let Some(r) = code_refusal(&l.code, prefixes) {
            reasons.push(r);
        }
        if !l.code.is_empty() && !seen.insert(l.code.clone()) {
            reasons.push(format!("Mã {} lặp lại (đã có ở dòng trước).", l.code));
        } else if counts.get(l.code.as_str()).copied().unwrap_or(0) > 1 {
            reasons.push(format!("Mã {} xuất hiện nhiều lần trong tệp.", l.code));
        }
        if l.code == department_code {
            reasons.push("Không nhập lại Sở GDĐT qua danh sách đơn vị.".to_owned());
        }
        if l.name.is_empty() {
            reasons.push("Thiếu tên đơn vị.".to_owned());
        } else if l.name.chars().count() > 200 {
            reasons.push("Tên đơn vị dài quá 200 ký tự.".to_owned());
        }
        let kind = kind_of(l);
        let level = match l.level.as_deref() {
            Some(text) => match parse_level(text) {
                Some(level) => Some(level),
                None => {
                    reasons.push(format!(
                        "Cấp học “{text}” không rõ (Mầm non, Tiểu học, THCS, THPT, Liên cấp, GDNN-GDTX)."
                    ));
                    None
                }
            },
            None if kind == UnitKind::School => {
                reasons.push("Trường phải có cấp học.".to_owned());
                None
            }
            None => None,
        };
        let parent_code = l.parent.clone().unwrap_or_else(|| department_code.to_owned());
        let parent_kind = if parent_code == department_code {
            Some(UnitKind::Department)
        } else {
            file_kinds.get(&parent_code).copied().or_else(|| by_code.get(parent_code.as_str()).map(|k| k.kind))
        };
        match parent_kind {
            None => reasons.push(format!("Không tìm thấy đơn vị quản lý có mã {parent_code}.")),
            Some(UnitKind::School) => reasons.push(format!("Đơn vị quản lý {parent_code} là một trường.")),
            Some(_) if parent_code == l.code => reasons.push("Đơn vị không thể tự quản lý chính mình.".to_owned()),
            Some(_) => {}
        }
        let closing = l.status.as_deref().is_some_and(says_closed);
        let existing = by_code.get(l.code.as_str()).copied();
        let mut planned = PlannedUnit {
            row: l.row,
            code: l.code.clone(),
            name: l.name.clone(),
            kind: Some(kind),
            level,
            parent_code: Some(parent_code.clone()),
            commune_code: l.commune.clone(),
            address: l.address.clone(),
            phone: l.phone.clone(),
            email: l.email.clone(),
            principal: l.principal.clone(),
            action: UnitAction::Create,
            unit_id: existing.map(|e| e.id),
            changes: Vec::new(),
            reasons: Vec::new(),
        };
        if let Some(e) = existing {
            if e.kind != kind {
                reasons.push(format!("Mã {} đang là {}, không đổi được loại đơn vị.", e.code, e.kind.label()));
            }
            let mut changes = Vec::new();
            let mut diff = |field: &str, old: Option<&str>, new: Option<&str>| {
                if new.is_some() && old != new {
                    changes.push(UnitChange {
                        field: field.to_owned(),
                        old: old.map(str::to_owned),
                        new: new.map(str::to_owned),
                    });
                }
            };
            diff("name", Some(&e.name), Some(&l.name));
            diff("level", e.level.map(|x| x.as_str()), level.map(|x| x.as_str()));
            diff("parent", e.parent_code.as_deref(), Some(&parent_code));
            diff("communeCode", e.commune_code.as_deref(), l.commune.as_deref());
            diff("address", e.address.as_deref(), l.address.as_deref());
            diff("phone", e.phone.as_deref(), l.phone.as_deref());
            diff("email", e.email.as_deref(), l.email.as_deref());
            diff("principal", e.principal.as_deref(), l.principal.as_deref());
            if closing && !e.closed {
                if e.active_records > 0 {
                    reasons.push(format!(
                        "Còn {} hồ sơ đang hoạt động ở {}: hãy chuyển đi trước khi đóng đơn vị.",
                        e.active_records, e.name
                    ));
                }
                planned.action = UnitAction::Close;
            } else if changes.is_empty() {
                planned.action = UnitAction::Unchanged;
            } else {
                planned.action = UnitAction::Update;
            }
            planned.changes = changes;
        } else if closing {
            reasons.push("Đơn vị chưa có trong hệ thống nên không đóng được.".to_owned());
        }
        if !reasons.is_empty() {
            planned.action = UnitAction::Rejected;
            planned.reasons = reasons;
        }
        out.push(planned);
    }
    // a line whose parent is rejected in this file cannot be applied either
    let rejected: HashSet<String> = out
        .iter()
        .filter(|p| p.action == UnitAction::Rejected && !by_code.contains_key(p.code.as_str()))
        .map(|p| p.code.clone())
        .collect();
    for p in &mut out {
        if p.action != UnitAction::Rejected
            && let Some(parent) = &p.parent_code
            && rejected.contains(parent)
        {
            p.action = UnitAction::Rejected;
            p.reasons.push(format!("Đơn vị quản lý {parent} bị từ chối ở dòng khác của tệp."));
        }
    }
    out
}

/// The kind a line describes: what its kind column says, else a school when it has a level.
fn kind_of(l: &UnitLine) -> UnitKind {
    match l.kind.as_deref().map(header_key) {
        Some(k) if k.contains("truong") || k.contains("school") || k.contains("trung tam") => UnitKind::School,
        Some(k) if k.contains("phong") || k.contains("district") || k.contains("don vi quan ly") => UnitKind::District,
        _ if l.level.is_some() => UnitKind::School,
        _ if header_key(&l.name).starts_with("truong") || header_key(&l.name).starts_with("trung tam") => {
            UnitKind::School
        }
        _ => UnitKind::District,
    }
}

/// Counts per action, for the preview's summary.
pub fn summary(planned: &[PlannedUnit]) -> BTreeMap<UnitAction, usize> {
    let mut out = BTreeMap::new();
    for p in planned {
        *out.entry(p.action).or_default() += 1;
    }
    out
}

impl PartialOrd for UnitAction {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for UnitAction {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (*self as u8).cmp(&(*other as u8))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(cells: &[&[&str]]) -> Vec<Vec<String>> {
        cells.iter().map(|r| r.iter().map(|c| (*c).to_owned()).collect()).collect()
    }

    #[test]
    fn headers_of_real_lists() {
        let cases: &[(&str, Option<UnitColumn>)] = &[
            ("Mã trường", Some(UnitColumn::Code)),
            ("MÃ ĐƠN VỊ", Some(UnitColumn::Code)),
            ("Tên trường", Some(UnitColumn::Name)),
            ("Cấp học", Some(UnitColumn::Level)),
            ("Đơn vị quản lý", Some(UnitColumn::Parent)),
            ("Mã đơn vị quản lý", Some(UnitColumn::Parent)),
            ("Phòng GD&ĐT", Some(UnitColumn::Parent)),
            ("Xã/Phường", Some(UnitColumn::Commune)),
            ("Địa chỉ", Some(UnitColumn::Address)),
            ("Số điện thoại", Some(UnitColumn::Phone)),
            ("E-mail", Some(UnitColumn::Email)),
            ("Hiệu trưởng", Some(UnitColumn::Principal)),
            ("Trạng thái", Some(UnitColumn::Status)),
            ("Ghi chú", None),
        ];
        for (text, want) in cases {
            assert_eq!(match_unit_header(text), *want, "{text}");
        }
        let found = read_lines(&rows(&[
            &["DANH SÁCH CƠ SỞ GIÁO DỤC"],
            &[],
            &["STT", "Mã trường", "Tên trường", "Cấp học", "Đơn vị quản lý"],
            &["1", "31304001", "Trường THCS Lê Lợi", "THCS", "PGD-HB"],
            &["", "", "", "", ""],
        ]))
        .expect("a header");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].row, 4);
        assert_eq!(found[0].parent.as_deref(), Some("PGD-HB"));
    }

    #[test]
    fn levels_and_codes() {
        assert_eq!(parse_level("Mầm non"), Some(SchoolLevel::MamNon));
        assert_eq!(parse_level("THCS"), Some(SchoolLevel::Thcs));
        assert_eq!(parse_level("Liên cấp"), Some(SchoolLevel::LienCap));
        assert_eq!(parse_level("GDNN-GDTX"), Some(SchoolLevel::GdnnGdtx));
        assert_eq!(parse_level("Đại học"), None);
        let p = accepted_prefixes("31");
        assert!(p.contains(&"31".to_owned()) && p.contains(&"30".to_owned()), "Hải Dương merged into Hải Phòng: {p:?}");
        assert!(code_refusal("31304001", &p).is_none());
        assert!(code_refusal("30101002", &p).is_none(), "former Hải Dương");
        assert!(code_refusal("01101001", &p).is_some(), "Hà Nội");
        assert!(code_refusal("PGD-HB", &p).is_none());
        assert!(code_refusal("a b", &p).is_some());
        assert!(says_closed("Giải thể") && says_closed("Đã sáp nhập") && !says_closed("Đang hoạt động"));
    }

    fn known(id: i64, code: &str, kind: UnitKind, name: &str, parent: &str) -> KnownUnit {
        KnownUnit {
            id,
            code: code.into(),
            kind,
            name: name.into(),
            level: (kind == UnitKind::School).then_some(SchoolLevel::Thcs),
            parent_code: Some(parent.into()),
            commune_code: None,
            address: None,
            phone: None,
            email: None,
            principal: None,
            closed: false,
            active_records: 0,
        }
    }

    fn line(row: usize, code: &str, name: &str, level: Option<&str>, parent: Option<&str>) -> UnitLine {
        UnitLine {
            row,
            code: code.into(),
            name: name.into(),
            level: level.map(str::to_owned),
            parent: parent.map(str::to_owned),
            ..UnitLine::default()
        }
    }

    #[test]
    fn planning_a_list_against_the_tree() {
        let tree = [
            known(2, "PGD-HB", UnitKind::District, "Phòng GDĐT Hồng Bàng", "SGDDT-31"),
            known(3, "31304001", UnitKind::School, "Trường THCS Lê Lợi", "PGD-HB"),
            KnownUnit { active_records: 12, ..known(4, "31304002", UnitKind::School, "Trường THCS Cũ", "PGD-HB") },
            known(5, "31304003", UnitKind::School, "Trường THCS Hạ Lý", "PGD-HB"),
        ];
        let lines = [
            line(2, "PGD-HB", "Phòng GDĐT Hồng Bàng", None, None),
            line(3, "31304001", "Trường THCS Lê Lợi (mới)", Some("THCS"), Some("PGD-HB")),
            UnitLine {
                status: Some("Giải thể".into()),
                ..line(4, "31304002", "Trường THCS Cũ", Some("THCS"), Some("PGD-HB"))
            },
            line(5, "30101002", "Trường Tiểu học Cẩm Giàng", Some("Tiểu học"), Some("PGD-CG")),
            line(6, "PGD-CG", "Phòng GDĐT Cẩm Giàng", None, None),
            line(7, "31304009", "Trường THCS Không Cha", Some("THCS"), Some("PGD-XX")),
            line(8, "01101001", "Trường Hà Nội", Some("THCS"), None),
            line(9, "31304010", "Trường A", Some("THCS"), Some("PGD-HB")),
            line(10, "31304010", "Trường A lặp", Some("THCS"), Some("PGD-HB")),
            line(11, "31304011", "Trường Con", Some("THCS"), Some("31304001")),
            line(12, "31304003", "Trường THCS Hạ Lý", Some("THCS"), Some("PGD-HB")),
            line(13, "31304012", "Trường Không Cấp", None, Some("PGD-HB")),
        ];
        let planned = plan(&lines, &tree, "SGDDT-31", &accepted_prefixes("31"));
        let actions: Vec<(usize, UnitAction)> = planned.iter().map(|p| (p.row, p.action)).collect();
        use UnitAction::*;
        assert_eq!(
            actions,
            [
                (2, Unchanged),
                (3, Update),
                (4, Rejected),
                (5, Create),
                (6, Create),
                (7, Rejected),
                (8, Rejected),
                (9, Rejected),
                (10, Rejected),
                (11, Rejected),
                (12, Unchanged),
                // named a school, without a level
                (13, Rejected),
            ]
        );
        assert_eq!(planned[1].changes[0].field, "name");
        assert!(planned[2].reasons[0].contains("12 hồ sơ"), "{:?}", planned[2].reasons);
        assert!(planned[5].reasons[0].contains("PGD-XX"));
        assert!(planned[6].reasons[0].contains("31 hoặc 30"), "{:?}", planned[6].reasons);
        assert!(planned[8].reasons[0].contains("lặp lại"));
        assert!(planned[9].reasons[0].contains("là một trường"));
        assert!(planned[11].reasons[0].contains("cấp học"));
        assert_eq!(summary(&planned)[&Create], 2);
    }
}
