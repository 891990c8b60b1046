//! Finding columns by their header text, whatever their order: our own template's headers, the
//! MoET student export's, and the usual variants clerks type. Headers are compared on a key
//! that ignores Unicode normalisation (NFC/NFD), case, diacritics, line breaks, punctuation and
//! spacing.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::text::fold_ascii;

/// A column the import understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum Column {
    /// Our record key (the person's id), written by the template.
    RecordKey,
    /// Education-sector code ("Mã học sinh", "Mã định danh ngành").
    SectorCode,
    FullName,
    DateOfBirth,
    Gender,
    PersonalId,
    ResidenceProvince,
    ResidenceDistrict,
    /// Commune before the 2025 reform (or a commune without saying which).
    ResidenceCommune,
    /// Commune after the 2025 reform.
    ResidenceNewCommune,
    /// A whole address in one cell.
    ResidenceText,
    /// Class name ("6A").
    Class,
    /// Staff position.
    Position,
}

impl Column {
    /// Every column, in template order.
    pub const ALL: [Column; 13] = [
        Column::RecordKey,
        Column::SectorCode,
        Column::FullName,
        Column::DateOfBirth,
        Column::Gender,
        Column::PersonalId,
        Column::ResidenceProvince,
        Column::ResidenceDistrict,
        Column::ResidenceCommune,
        Column::ResidenceNewCommune,
        Column::ResidenceText,
        Column::Class,
        Column::Position,
    ];

    /// The camelCase name (the field names of records and audit rows where they coincide).
    pub fn as_str(self) -> &'static str {
        match self {
            Column::RecordKey => "recordKey",
            Column::SectorCode => "sectorCode",
            Column::FullName => "fullName",
            Column::DateOfBirth => "dateOfBirth",
            Column::Gender => "gender",
            Column::PersonalId => "personalId",
            Column::ResidenceProvince => "residenceProvince",
            Column::ResidenceDistrict => "residenceDistrict",
            Column::ResidenceCommune => "residenceCommune",
            Column::ResidenceNewCommune => "residenceNewCommune",
            Column::ResidenceText => "residenceText",
            Column::Class => "classId",
            Column::Position => "position",
        }
    }

    /// The header our template writes (Vietnamese).
    pub fn template_header(self) -> &'static str {
        match self {
            Column::RecordKey => "Mã hồ sơ (không sửa)",
            Column::SectorCode => "Mã định danh ngành (Mã học sinh)",
            Column::FullName => "Họ và tên",
            Column::DateOfBirth => "Ngày sinh (ngày/tháng/năm)",
            Column::Gender => "Giới tính",
            Column::PersonalId => "Số định danh cá nhân",
            Column::ResidenceProvince => "Tỉnh/Thành phố thường trú",
            Column::ResidenceDistrict => "Quận/Huyện (trước 2025)",
            Column::ResidenceCommune => "Xã/Phường (trước 2025)",
            Column::ResidenceNewCommune => "Xã/Phường (sau 2025)",
            Column::ResidenceText => "Địa chỉ thường trú",
            Column::Class => "Lớp",
            Column::Position => "Chức vụ",
        }
    }

    /// The most characters a cell of this column may hold: the API's limit of the field it
    /// fills (see `domain::limits`).
    pub const fn max_chars(self) -> usize {
        use crate::domain::limits::*;
        match self {
            Column::RecordKey | Column::SectorCode => MAX_SECTOR_CODE,
            Column::FullName => MAX_FULL_NAME,
            Column::DateOfBirth => MAX_DATE_OF_BIRTH,
            Column::Gender => MAX_GENDER,
            Column::PersonalId => MAX_PERSONAL_ID,
            Column::ResidenceProvince
            | Column::ResidenceDistrict
            | Column::ResidenceCommune
            | Column::ResidenceNewCommune
            | Column::Class
            | Column::Position => MAX_RESIDENCE_PART,
            Column::ResidenceText => MAX_RESIDENCE_TEXT,
        }
    }

    /// What a clerk calls the column, for messages.
    pub fn label(self) -> &'static str {
        match self {
            Column::RecordKey => "Mã hồ sơ",
            Column::SectorCode => "Mã định danh ngành",
            Column::FullName => "Họ và tên",
            Column::DateOfBirth => "Ngày sinh",
            Column::Gender => "Giới tính",
            Column::PersonalId => "Số định danh cá nhân",
            Column::ResidenceProvince => "Tỉnh/Thành phố",
            Column::ResidenceDistrict => "Quận/Huyện",
            Column::ResidenceCommune => "Xã/Phường",
            Column::ResidenceNewCommune => "Xã/Phường (sau 2025)",
            Column::ResidenceText => "Địa chỉ thường trú",
            Column::Class => "Lớp",
            Column::Position => "Chức vụ",
        }
    }
}

/// Columns an import cannot do without.
pub const REQUIRED: [Column; 2] = [Column::FullName, Column::DateOfBirth];

/// The comparison key of a header: NFC-insensitive, case-folded, without diacritics; anything
/// that is not a letter or digit becomes one space.
pub fn header_key(text: &str) -> String {
    let folded = fold_ascii(text);
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out.trim().to_owned()
}

/// The key without anything in parentheses ("Tỉnh/Thành phố (Theo địa chỉ thường trú)").
fn without_parentheses(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Exact header keys (after [`header_key`], parentheses removed) and their column.
const EXACT: &[(&str, Column)] = &[
    ("ma ho so", Column::RecordKey),
    ("ma ban ghi", Column::RecordKey),
    ("khoa ho so", Column::RecordKey),
    ("record key", Column::RecordKey),
    ("ma hoc sinh", Column::SectorCode),
    ("ma hs", Column::SectorCode),
    ("ma dinh danh nganh", Column::SectorCode),
    ("ma dinh danh nganh giao duc", Column::SectorCode),
    ("ma dinh danh giao duc", Column::SectorCode),
    ("ma dinh danh bo gd", Column::SectorCode),
    ("ma dinh danh bo gddt", Column::SectorCode),
    ("ma dinh danh bo gd dt", Column::SectorCode),
    ("ma dinh danh hoc sinh", Column::SectorCode),
    ("ma can bo", Column::SectorCode),
    ("ma nhan su", Column::SectorCode),
    ("ma giao vien", Column::SectorCode),
    ("ho ten", Column::FullName),
    ("ho va ten", Column::FullName),
    ("ho ten hoc sinh", Column::FullName),
    ("ho va ten hoc sinh", Column::FullName),
    ("ho ten can bo", Column::FullName),
    ("ho va ten can bo", Column::FullName),
    ("ho ten nguoi hoc", Column::FullName),
    ("ho va ten nguoi hoc", Column::FullName),
    ("ten hoc sinh", Column::FullName),
    ("ngay sinh", Column::DateOfBirth),
    ("ngay thang nam sinh", Column::DateOfBirth),
    ("ngay sinh dd mm yyyy", Column::DateOfBirth),
    ("sinh ngay", Column::DateOfBirth),
    ("gioi tinh", Column::Gender),
    ("gioi", Column::Gender),
    ("so dinh danh ca nhan", Column::PersonalId),
    ("so dinh danh", Column::PersonalId),
    ("ma dinh danh ca nhan", Column::PersonalId),
    ("so ddcn", Column::PersonalId),
    ("ma ddcn", Column::PersonalId),
    ("so cccd", Column::PersonalId),
    ("cccd", Column::PersonalId),
    ("so can cuoc", Column::PersonalId),
    ("so can cuoc cong dan", Column::PersonalId),
    ("so cccd dinh danh", Column::PersonalId),
    ("so cccd so dinh danh", Column::PersonalId),
    ("so dinh danh cccd", Column::PersonalId),
    ("tinh thanh pho", Column::ResidenceProvince),
    ("tinh thanh", Column::ResidenceProvince),
    ("tinh tp", Column::ResidenceProvince),
    ("tinh", Column::ResidenceProvince),
    ("tinh thanh pho thuong tru", Column::ResidenceProvince),
    ("tinh thuong tru", Column::ResidenceProvince),
    ("thuong tru tinh thanh pho", Column::ResidenceProvince),
    ("quan huyen", Column::ResidenceDistrict),
    ("quan huyen thi xa", Column::ResidenceDistrict),
    ("quan huyen thi xa thanh pho", Column::ResidenceDistrict),
    ("huyen", Column::ResidenceDistrict),
    ("quan huyen thuong tru", Column::ResidenceDistrict),
    ("thuong tru quan huyen", Column::ResidenceDistrict),
    ("xa phuong", Column::ResidenceCommune),
    ("phuong xa", Column::ResidenceCommune),
    ("xa phuong thi tran", Column::ResidenceCommune),
    ("phuong xa thi tran", Column::ResidenceCommune),
    ("xa", Column::ResidenceCommune),
    ("xa phuong thuong tru", Column::ResidenceCommune),
    ("thuong tru xa phuong", Column::ResidenceCommune),
    ("xa phuong dac khu", Column::ResidenceCommune),
    ("dia chi thuong tru", Column::ResidenceText),
    ("noi thuong tru", Column::ResidenceText),
    ("thuong tru", Column::ResidenceText),
    ("dia chi", Column::ResidenceText),
    ("noi cu tru", Column::ResidenceText),
    ("lop", Column::Class),
    ("ten lop", Column::Class),
    ("chuc vu", Column::Position),
    ("vi tri viec lam", Column::Position),
];

/// The column a header names, if any.
pub fn match_header(text: &str) -> Option<Column> {
    let full = header_key(text);
    if full.is_empty() {
        return None;
    }
    let bare = header_key(&without_parentheses(text));
    // the reform marker decides between the two commune columns
    let new_scheme = ["sau 2025", "moi", "sau sap nhap", "sau 1 7 2025", "2 cap"].iter().any(|m| full.contains(m))
        && !full.contains("truoc");
    for key in [&bare, &full] {
        if let Some((_, col)) = EXACT.iter().find(|(k, _)| k == key) {
            return Some(if *col == Column::ResidenceCommune && new_scheme {
                Column::ResidenceNewCommune
            } else {
                *col
            });
        }
    }
    // Looser forms: a known prefix followed by words that only qualify it.
    let starts = |p: &str| bare == p || bare.starts_with(&format!("{p} "));
    if starts("ho va ten") || starts("ho ten") {
        return Some(Column::FullName);
    }
    if starts("ngay sinh") || starts("ngay thang nam sinh") {
        return Some(Column::DateOfBirth);
    }
    if starts("so dinh danh ca nhan") || starts("so cccd") || starts("ma dinh danh ca nhan") {
        return Some(Column::PersonalId);
    }
    if starts("ma dinh danh nganh") || starts("ma hoc sinh") {
        return Some(Column::SectorCode);
    }
    if starts("tinh thanh pho") || starts("tinh tp") {
        return Some(Column::ResidenceProvince);
    }
    if starts("quan huyen") {
        return Some(Column::ResidenceDistrict);
    }
    if starts("xa phuong") || starts("phuong xa") {
        return Some(if new_scheme { Column::ResidenceNewCommune } else { Column::ResidenceCommune });
    }
    if starts("gioi tinh") {
        return Some(Column::Gender);
    }
    None
}

/// Where the header row of a sheet is and which column holds what.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HeaderMap {
    /// 0-based row of the header.
    pub row: usize,
    /// `(0-based column index, column)`, first occurrence of each column only.
    pub columns: Vec<(usize, Column)>,
    /// Headers not understood: `(0-based index, text)`.
    pub ignored: Vec<(usize, String)>,
}

impl HeaderMap {
    pub fn index_of(&self, col: Column) -> Option<usize> {
        self.columns.iter().find(|(_, c)| *c == col).map(|(i, _)| *i)
    }
    pub fn has(&self, col: Column) -> bool {
        self.index_of(col).is_some()
    }
    /// Required columns that are missing.
    pub fn missing(&self) -> Vec<Column> {
        REQUIRED.iter().copied().filter(|c| !self.has(*c)).collect()
    }
}

/// Rows looked at for a header.
pub const HEADER_SCAN_ROWS: usize = 30;

/// Finds the header row among the first rows: the one naming the most known columns (at least
/// two). A MoET export has a title block above the header, and sometimes a second header row
/// below a merged "Địa chỉ thường trú" group: cells of the row below fill in columns the
/// header row left blank.
pub fn detect(rows: &[Vec<String>]) -> Option<HeaderMap> {
    let mut best: Option<HeaderMap> = None;
    for (r, row) in rows.iter().take(HEADER_SCAN_ROWS).enumerate() {
        let map = map_row(r, row, rows.get(r + 1));
        if map.columns.len() >= 2 && best.as_ref().is_none_or(|b| map.columns.len() > b.columns.len()) {
            best = Some(map);
        }
    }
    best
}

fn map_row(r: usize, row: &[String], next: Option<&Vec<String>>) -> HeaderMap {
    let mut map = HeaderMap { row: r, ..HeaderMap::default() };
    let mut used_next = false;
    // only a row that is a header itself may borrow sub-headers from the row below
    // and only from a row that is blank under the columns this row names itself (a sub-header
    // row, not data)
    let own: Vec<usize> = row
        .iter()
        .enumerate()
        .filter(|(_, t)| match_header(t).is_some_and(|c| c != Column::ResidenceText))
        .map(|(i, _)| i)
        .collect();
    let next = next.filter(|n| !own.is_empty() && own.iter().all(|i| n.get(*i).is_none_or(|t| t.trim().is_empty())));
    let width = row.len().max(next.map_or(0, Vec::len));
    for i in 0..width {
        let text = row.get(i).map(String::as_str).unwrap_or("");
        let mut col = match_header(text);
        // a group header ("Địa chỉ thường trú", merged over empty cells) above sub-headers
        // ("Tỉnh/Thành phố"…); a header the import does not read ("Ghi chú") never borrows
        if (text.trim().is_empty() || matches!(col, Some(Column::ResidenceText)))
            && let Some(sub) = next.and_then(|n| n.get(i)).and_then(|t| match_header(t))
            && sub != Column::ResidenceText
            && !map.columns.iter().any(|(_, k)| *k == sub)
        {
            col = Some(sub);
            used_next = true;
        }
        match col {
            Some(c) if !map.columns.iter().any(|(_, k)| *k == c) => map.columns.push((i, c)),
            _ if !text.trim().is_empty() => map.ignored.push((i, text.trim().to_owned())),
            _ => {}
        }
    }
    if used_next {
        map.row = r + 1;
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_whatever_their_form() {
        let cases: &[(&str, Option<Column>)] = &[
            ("Họ và tên", Some(Column::FullName)),
            ("HỌ VÀ TÊN", Some(Column::FullName)),
            ("Ho va ten", Some(Column::FullName)),
            ("Họ tên", Some(Column::FullName)),
            ("  Họ   và\ntên ", Some(Column::FullName)),
            ("Ho\u{0323} va\u{0300} te\u{0302}n", Some(Column::FullName)),
            ("Họ và tên học sinh", Some(Column::FullName)),
            ("Ngày sinh", Some(Column::DateOfBirth)),
            ("Ngày sinh (ngày/tháng/năm)", Some(Column::DateOfBirth)),
            ("Ngày/tháng/năm sinh", Some(Column::DateOfBirth)),
            ("Ngày tháng năm sinh", Some(Column::DateOfBirth)),
            ("Giới tính", Some(Column::Gender)),
            ("Số định danh cá nhân", Some(Column::PersonalId)),
            ("Số ĐDCN", Some(Column::PersonalId)),
            ("Số CCCD/Định danh", Some(Column::PersonalId)),
            ("Mã định danh cá nhân", Some(Column::PersonalId)),
            ("Mã học sinh", Some(Column::SectorCode)),
            ("Mã định danh ngành (Mã học sinh)", Some(Column::SectorCode)),
            ("Mã định danh Bộ GD&ĐT", Some(Column::SectorCode)),
            ("Tỉnh/Thành phố (Theo địa chỉ thường trú)", Some(Column::ResidenceProvince)),
            ("Tỉnh/Thành phố thường trú", Some(Column::ResidenceProvince)),
            ("Quận/Huyện (Theo địa chỉ thường trú)", Some(Column::ResidenceDistrict)),
            ("Xã/Phường (Theo địa chỉ thường trú)", Some(Column::ResidenceCommune)),
            ("Xã/Phường (trước 2025)", Some(Column::ResidenceCommune)),
            ("Xã/Phường (sau 2025)", Some(Column::ResidenceNewCommune)),
            ("Xã/Phường mới", Some(Column::ResidenceNewCommune)),
            ("Địa chỉ thường trú", Some(Column::ResidenceText)),
            ("Lớp", Some(Column::Class)),
            ("Mã hồ sơ (không sửa)", Some(Column::RecordKey)),
            ("Tình trạng", None),
            ("Trạng thái xác thực", None),
            ("Ghi chú", None),
            ("STT", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(match_header(text), *want, "{text:?}");
        }
    }

    #[test]
    fn our_template_headers_read_back() {
        for col in Column::ALL {
            assert_eq!(match_header(col.template_header()), Some(col), "{}", col.template_header());
        }
    }

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_header_row_is_found_below_a_title_block() {
        let rows = vec![
            row(&["SỞ GIÁO DỤC VÀ ĐÀO TẠO", "", ""]),
            row(&["DANH SÁCH HỌC SINH LỚP 6A", "", ""]),
            row(&[]),
            row(&["STT", "Ngày sinh", "Họ tên", "Ghi chú", "Giới tính"]),
            row(&["1", "01/02/2014", "Nguyễn An", "", "Nam"]),
        ];
        let map = detect(&rows).expect("header");
        assert_eq!(map.row, 3);
        assert_eq!(map.index_of(Column::FullName), Some(2));
        assert_eq!(map.index_of(Column::DateOfBirth), Some(1));
        assert_eq!(map.index_of(Column::Gender), Some(4));
        assert!(map.missing().is_empty());
        assert_eq!(map.ignored, vec![(0, "STT".to_owned()), (3, "Ghi chú".to_owned())]);
    }

    #[test]
    fn a_group_header_over_residence_parts_uses_the_row_below() {
        let rows = vec![
            row(&["Mã học sinh", "Họ tên", "Ngày sinh", "Địa chỉ thường trú", "", ""]),
            row(&["", "", "", "Tỉnh/Thành phố", "Quận/Huyện", "Xã/Phường"]),
            row(&["123", "A B", "01/01/2014", "Hải Phòng", "Lê Chân", "Dư Hàng"]),
        ];
        let map = detect(&rows).expect("header");
        assert_eq!(map.row, 1, "data starts after the sub-header row");
        assert_eq!(map.index_of(Column::ResidenceProvince), Some(3));
        assert_eq!(map.index_of(Column::ResidenceDistrict), Some(4));
        assert_eq!(map.index_of(Column::ResidenceCommune), Some(5));
    }

    #[test]
    fn data_below_the_header_is_never_taken_for_a_sub_header() {
        // what our template writes: a read-only column whose text may start like a header
        let rows = vec![
            row(&["Mã hồ sơ", "Họ và tên", "Ngày sinh", "Cần sửa", ""]),
            row(&["12", "=1", "01/01/2014", "Họ tên có ký tự không phải chữ cái", "Giới tính"]),
        ];
        let map = detect(&rows).expect("header");
        assert_eq!(map.row, 0);
        assert_eq!(map.columns.len(), 3);
    }

    #[test]
    fn a_missing_required_column_is_named() {
        let rows = vec![row(&["Họ và tên", "Giới tính", "Số định danh cá nhân"])];
        let map = detect(&rows).expect("header");
        assert_eq!(map.missing(), vec![Column::DateOfBirth]);
    }

    #[test]
    fn no_header_in_a_sheet_of_prose() {
        let rows = vec![row(&["Hướng dẫn nhập liệu"]), row(&["1. Không sửa cột Mã hồ sơ."])];
        assert_eq!(detect(&rows), None);
    }
}
