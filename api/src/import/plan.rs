//! From sheets of cells to a plan: where each sheet's header is, what each data row says, which
//! record it is (record key, else education-sector code, else ID number, else name and date
//! of birth within the class), and what would change: `unchanged`, `update` field by field,
//! `create`, or `rejected` with the column and the reason. The rules run on the new values.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::cells::{self, Cell};
use super::headers::{self, Column, HeaderMap};
use super::threeway::{self, Base, FieldStatus, blank};
use super::{META_SHEET, RawBook, TemplateMeta, column_letter};
use crate::domain::identity::{Identity, IdentityField};
use crate::rules::{self, Finding, Outcome, PersonKind, RecordInput, RuleContext, Severity};

/// How a sheet was understood.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SheetLayout {
    pub name: String,
    /// 1-based row of the header (data starts below it).
    pub header_row: u32,
    /// The header row's texts, column by column.
    pub headers: Vec<String>,
    /// The columns used.
    pub columns: Vec<ColumnUse>,
    /// Headers that are not imported (STT, Ghi chú, what our template adds for reading).
    pub ignored: Vec<String>,
    /// The class the sheet is about (from our template's metadata or the sheet's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_id: Option<i64>,
}

/// A column found by its header.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ColumnUse {
    /// Column letter ("C").
    pub column: String,
    /// The header as written in the file.
    pub header: String,
    pub field: Column,
    #[serde(skip)]
    pub index: usize,
}

/// One data row as read.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRow {
    /// Index into [`Layout::sheets`].
    pub sheet: usize,
    /// 1-based row number in the sheet.
    pub row: u32,
    /// Every cell as displayed, for the error workbook.
    pub cells: Vec<String>,
    /// The understood cells: `(column, index, text)`.
    pub values: Vec<(Column, usize, Option<String>)>,
}

impl SourceRow {
    /// `None`: no such column; `Some(None)`: the cell is blank.
    pub fn get(&self, col: Column) -> Option<Option<&str>> {
        self.values.iter().find(|(c, _, _)| *c == col).map(|(_, _, v)| v.as_deref())
    }
    fn index(&self, col: Column) -> Option<usize> {
        self.values.iter().find(|(c, _, _)| *c == col).map(|(_, i, _)| *i)
    }
}

/// The sheets and rows of a file.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub sheets: Vec<SheetLayout>,
    pub rows: Vec<SourceRow>,
}

/// Why a file has no rows to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayoutError {
    /// No sheet has a header row naming known columns.
    NoHeader,
    /// A sheet's header lacks required columns.
    MissingColumns { sheet: String, columns: Vec<Column> },
}

impl LayoutError {
    /// Vietnamese.
    pub fn message(&self) -> String {
        match self {
            LayoutError::NoHeader => "Không tìm thấy dòng tiêu đề: cần các cột như “Họ và tên”, “Ngày sinh”, \
                 “Giới tính”, “Số định danh cá nhân” (dùng mẫu tải về từ hệ thống hoặc tệp xuất từ CSDL ngành)."
                .to_owned(),
            LayoutError::MissingColumns { sheet, columns } => {
                let names: Vec<String> = columns.iter().map(|c| format!("“{}”", c.label())).collect();
                format!("Trang “{sheet}” thiếu cột bắt buộc {}.", names.join(", "))
            }
        }
    }
}

fn read_cell(col: Column, cell: &Cell) -> Option<String> {
    match col {
        Column::RecordKey | Column::SectorCode | Column::PersonalId => cells::read_id(cell),
        Column::DateOfBirth => cells::read_date(cell),
        _ => cells::read_text(cell),
    }
}

/// Finds each sheet's header and reads its rows. Sheets without a header (instructions) and
/// our metadata sheet are skipped. The book is consumed row by row, so a large file is not
/// held twice.
pub fn layout(book: RawBook, meta: Option<&TemplateMeta>) -> Result<Layout, LayoutError> {
    let mut out = Layout::default();
    for raw in book.sheets.into_iter().filter(|s| s.name != META_SHEET) {
        let head: Vec<Vec<String>> = raw
            .rows
            .iter()
            .take(headers::HEADER_SCAN_ROWS + 1)
            .map(|r| r.iter().map(Cell::display).collect())
            .collect();
        let Some(map) = headers::detect(&head) else { continue };
        let missing = map.missing();
        if !missing.is_empty() {
            return Err(LayoutError::MissingColumns { sheet: raw.name.clone(), columns: missing });
        }
        let sheet_index = out.sheets.len();
        out.sheets.push(sheet_layout(&raw.name, &map, &head, meta));
        for (r, cells_row) in raw.rows.into_iter().enumerate().skip(map.row + 1) {
            let values: Vec<(Column, usize, Option<String>)> = map
                .columns
                .iter()
                .map(|(i, col)| (*col, *i, cells_row.get(*i).and_then(|c| read_cell(*col, c))))
                .collect();
            if values.iter().all(|(c, _, v)| v.is_none() || *c == Column::Class) {
                continue;
            }
            out.rows.push(SourceRow {
                sheet: sheet_index,
                row: u32::try_from(r + 1).unwrap_or(u32::MAX),
                cells: cells_row.into_iter().map(Cell::into_display).collect(),
                values,
            });
        }
    }
    if out.sheets.is_empty() {
        return Err(LayoutError::NoHeader);
    }
    Ok(out)
}

fn sheet_layout(name: &str, map: &HeaderMap, head: &[Vec<String>], meta: Option<&TemplateMeta>) -> SheetLayout {
    let header_texts = |i: usize| {
        // a two-row header: the sub-header when there is one, else the header above it
        let below = head.get(map.row).and_then(|r| r.get(i)).map(|s| s.trim().to_owned()).unwrap_or_default();
        if !below.is_empty() {
            return below;
        }
        map.row
            .checked_sub(1)
            .and_then(|r| head.get(r))
            .and_then(|r| r.get(i))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    };
    let width = head.get(map.row).map_or(0, Vec::len).max(map.columns.iter().map(|(i, _)| i + 1).max().unwrap_or(0));
    SheetLayout {
        name: name.to_owned(),
        header_row: u32::try_from(map.row + 1).unwrap_or(u32::MAX),
        headers: (0..width).map(header_texts).collect(),
        columns: map
            .columns
            .iter()
            .map(|(i, col)| ColumnUse { column: column_letter(*i), header: header_texts(*i), field: *col, index: *i })
            .collect(),
        ignored: map.ignored.iter().map(|(_, t)| t.clone()).collect(),
        class_id: meta.and_then(|m| m.sheet_classes.iter().find(|(s, _)| s == name).map(|(_, c)| *c)),
    }
}

/// A record in scope, as the planner needs it.
#[derive(Debug, Clone, Default)]
pub struct Existing {
    pub id: i64,
    pub class_id: Option<i64>,
    pub sector_code: Option<String>,
    pub identity: Identity,
    pub name_key: Option<String>,
    pub dob: Option<NaiveDate>,
    pub personal_id: Option<String>,
    pub version: i32,
    /// Verified by the national registry: changing what it verified takes the clerk's
    /// confirmation at commit.
    pub verified: bool,
    /// Staff: the stored position (`manager`, `teacher`, `employee`).
    pub position: Option<String>,
    /// Staff: the position the file's template carried (`""`: none), when the server still
    /// keeps it (three-way, as `base` for the identity).
    pub exported_position: Option<String>,
    /// What the file's template carried of the record, when the server still knows (three-way
    /// import).
    pub base: Base,
}

/// A class of the school.
#[derive(Debug, Clone)]
pub struct ClassInfo {
    pub id: i64,
    pub name: String,
    pub grade: i32,
}

/// Everything the planner needs besides the rows.
pub struct PlanInput<'a> {
    pub kind: PersonKind,
    pub today: NaiveDate,
    pub existing: &'a [Existing],
    pub classes: &'a [ClassInfo],
    /// The class new rows go to when neither the row nor the sheet says.
    pub default_class_id: Option<i64>,
    /// Record keys in the file that exist outside the caller's scope.
    pub outside_keys: &'a HashSet<i64>,
    /// Education-sector codes in the file held by records outside the scope.
    pub outside_sector_codes: &'a HashSet<String>,
    /// Whether rows matching nothing may become new records.
    pub can_create: bool,
    /// Whether a new student needs a class (off for the offline check, which knows no classes).
    pub require_class: bool,
}

/// What a row would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowAction {
    Unchanged,
    Update,
    Create,
    Rejected,
}

impl RowAction {
    pub fn as_str(self) -> &'static str {
        match self {
            RowAction::Unchanged => "unchanged",
            RowAction::Update => "update",
            RowAction::Create => "create",
            RowAction::Rejected => "rejected",
        }
    }
    /// Vietnamese, for the error workbook.
    pub fn label(self) -> &'static str {
        match self {
            RowAction::Unchanged => "Không đổi",
            RowAction::Update => "Cập nhật",
            RowAction::Create => "Thêm mới",
            RowAction::Rejected => "Bị từ chối",
        }
    }
}

/// How a row found its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum MatchedBy {
    RecordKey,
    SectorCode,
    PersonalId,
    NameAndDateOfBirth,
}

/// One field's change: old → new (values as entered).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FieldChange {
    /// `fullName`, `dateOfBirth`, `gender`, `personalId`, `residenceProvince`,
    /// `residenceDistrict`, `residenceCommune`, `residenceText`, `sectorCode`, `classId`.
    pub field: String,
    /// Column letter in the file.
    pub column: Option<String>,
    pub old: Option<String>,
    pub new: Option<String>,
    /// `update` (written), `stale` (the file holds what was exported but the record changed
    /// since: the newer value is kept), `conflict` (both changed: written only with
    /// `take: "file"` in the commit's choices), `unchanged`.
    #[serde(default)]
    pub status: FieldStatus,
    /// The `error` findings the new value would bring that the record does not have: the
    /// change is held back unless the commit's choices force it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub would_worsen: Vec<Finding>,
    /// The record is verified: the change is written only when the commit confirms
    /// (`confirmVerifiedChanges`), and the record then needs sending again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub verified: bool,
}

/// Why a row is rejected.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RowError {
    /// The field, when one is to blame.
    pub field: Option<String>,
    /// Column letter in the file.
    pub column: Option<String>,
    /// `record_key_unknown`, `record_key_invalid`, `out_of_scope`, `duplicate_row`,
    /// `ambiguous_match`, `class_unknown`, `class_missing`, `name_required`, `create_not_allowed`,
    /// `sector_code_immutable`, `too_long` (a cell over the field's limit), `invalid_characters`
    /// (a control character in a cell).
    pub code: String,
    /// Vietnamese.
    pub message: String,
}

/// The values a row writes (entered values, not normalised).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RowValues {
    pub sector_code: Option<String>,
    pub full_name: Option<String>,
    pub date_of_birth: Option<String>,
    pub gender: Option<String>,
    pub personal_id: Option<String>,
    pub res_province: Option<String>,
    pub res_district: Option<String>,
    pub res_commune: Option<String>,
    pub res_text: Option<String>,
    /// Staff: the position (`manager`, `teacher`, `employee`) the row's `Chức vụ` cell names,
    /// given to a new record or written over an existing record's (a `position` change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
}

/// Three-way for the position (as [`threeway::classify`] for the identity fields): the file's
/// position `new` differs from the record's `current`; `exported` is what the template carried.
fn position_status(base: &Base, exported: Option<&str>, current: Option<&str>, new: &str) -> FieldStatus {
    match (base, exported) {
        (Base::Unknown, _) => FieldStatus::Update,
        (Base::Exported(_), Some(exported)) => {
            let exported = Some(exported).filter(|e| !e.is_empty());
            if exported == Some(new) {
                FieldStatus::Stale
            } else if exported == current {
                FieldStatus::Update
            } else {
                FieldStatus::Conflict
            }
        }
        // changed since the export, or a snapshot kept before positions were carried
        (Base::ChangedSince, _) | (Base::Exported(_), None) => FieldStatus::Conflict,
    }
}

/// The position a `Chức vụ` cell names, in the words schools use.
pub fn parse_position(text: &str) -> Option<crate::domain::org::Position> {
    use crate::domain::org::Position;
    let key = headers::header_key(text);
    if let Some(p) = Position::parse(&key) {
        return Some(p);
    }
    let starts = |p: &str| key == p || key.starts_with(&format!("{p} "));
    Some(match key.as_str() {
        _ if starts("giao vien") || key == "gv" => Position::Teacher,
        _ if starts("nhan vien") || key == "nv" => Position::Employee,
        _ if starts("can bo quan ly")
            || key == "cbql"
            || starts("hieu truong")
            || starts("pho hieu truong")
            || starts("truong phong")
            || starts("pho truong phong")
            || starts("giam doc")
            || starts("pho giam doc") =>
        {
            Position::Manager
        }
        _ => return None,
    })
}

impl RowValues {
    pub fn identity(&self) -> Identity {
        Identity {
            full_name: self.full_name.clone(),
            date_of_birth: self.date_of_birth.clone(),
            gender: self.gender.clone(),
            personal_id: self.personal_id.clone(),
            res_province: self.res_province.clone(),
            res_district: self.res_district.clone(),
            res_commune: self.res_commune.clone(),
            res_text: self.res_text.clone(),
        }
    }
    fn of(identity: &Identity, sector_code: Option<String>) -> RowValues {
        RowValues {
            sector_code,
            full_name: identity.full_name.clone(),
            date_of_birth: identity.date_of_birth.clone(),
            gender: identity.gender.clone(),
            personal_id: identity.personal_id.clone(),
            res_province: identity.res_province.clone(),
            res_district: identity.res_district.clone(),
            res_commune: identity.res_commune.clone(),
            res_text: identity.res_text.clone(),
            position: None,
        }
    }
}

/// One row of the plan.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PlannedRow {
    pub sheet: String,
    pub row: u32,
    pub action: RowAction,
    pub person_id: Option<i64>,
    pub matched_by: Option<MatchedBy>,
    /// The record's class after the import (students).
    pub class_id: Option<i64>,
    /// The record's version at preview time: the commit refuses a record changed since.
    pub version: Option<i32>,
    pub changes: Vec<FieldChange>,
    pub findings: Vec<Finding>,
    pub errors: Vec<RowError>,
    /// What the row writes.
    pub values: RowValues,
    /// Every cell of the row as displayed.
    pub cells: Vec<String>,
    /// `(field, 0-based column)` of the understood cells, to place findings in the report.
    pub columns: Vec<(String, usize)>,
}

/// Counts on top of the preview.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    /// Data rows read.
    pub rows: u64,
    pub unchanged: u64,
    pub update: u64,
    pub create: u64,
    pub rejected: u64,
    /// Fields the commit writes without a choice (status `update`, over `update` rows).
    pub changed_fields: u64,
    /// Accepted rows with at least one `error` finding on their new values.
    pub rows_with_errors: u64,
    /// Accepted rows with at least one `warning` finding.
    pub rows_with_warnings: u64,
    /// Changed fields held back because their new value would bring an `error` finding the
    /// record does not have (written only when forced).
    #[serde(default)]
    pub would_worsen: u64,
    /// Rows changing a verified record (written only with `confirmVerifiedChanges`).
    #[serde(default)]
    pub verified_changes: u64,
    /// Fields the file holds as exported while the record changed since: the newer value is
    /// kept ("giữ giá trị mới hơn").
    #[serde(default)]
    pub stale: u64,
    /// Fields both the file and the record changed since the export: written only when the
    /// commit's choices take the file's value.
    #[serde(default)]
    pub conflict: u64,
}

impl Totals {
    pub fn of(rows: &[PlannedRow]) -> Totals {
        let mut t = Totals::default();
        for r in rows {
            t.add(r);
        }
        t
    }

    /// Counts one more row.
    pub fn add(&mut self, r: &PlannedRow) {
        self.rows += 1;
        match r.action {
            RowAction::Unchanged => self.unchanged += 1,
            RowAction::Update => {
                self.update += 1;
                let count = |status: FieldStatus| r.changes.iter().filter(|c| c.status == status).count() as u64;
                self.changed_fields += count(FieldStatus::Update);
                self.stale += count(FieldStatus::Stale);
                self.conflict += count(FieldStatus::Conflict);
                self.would_worsen += r.changes.iter().filter(|c| !c.would_worsen.is_empty()).count() as u64;
                if r.changes.iter().any(|c| c.verified) {
                    self.verified_changes += 1;
                }
            }
            RowAction::Create => self.create += 1,
            RowAction::Rejected => self.rejected += 1,
        }
        if r.action != RowAction::Rejected {
            if r.findings.iter().any(|f| f.severity == Severity::Error) {
                self.rows_with_errors += 1;
            }
            if r.findings.iter().any(|f| f.severity == Severity::Warning) {
                self.rows_with_warnings += 1;
            }
        }
    }
}

/// Identity fields and the columns they come from.
const FIELDS: [(IdentityField, Column); 7] = [
    (IdentityField::FullName, Column::FullName),
    (IdentityField::DateOfBirth, Column::DateOfBirth),
    (IdentityField::Gender, Column::Gender),
    (IdentityField::PersonalId, Column::PersonalId),
    (IdentityField::ResidenceProvince, Column::ResidenceProvince),
    (IdentityField::ResidenceDistrict, Column::ResidenceDistrict),
    (IdentityField::ResidenceText, Column::ResidenceText),
];

/// A cell's meaning for its field: `None` leaves the field as it is (an empty cell),
/// `Some(None)` clears it (the `(xoá)` marker), `Some(Some(v))` sets it.
fn cell_change(v: Option<&str>) -> Option<Option<String>> {
    match v {
        Some(t) if super::is_clear_marker(t) => Some(None),
        _ => blank(v).map(Some),
    }
}

/// The commune a row gives: the pre-2025 column when filled, else the post-2025 one; with the
/// column it came from (see [`cell_change`]). `None` when neither column is in the file.
fn commune_of(row: &SourceRow) -> Option<(Option<Option<String>>, Option<usize>)> {
    let old = row.get(Column::ResidenceCommune);
    let new = row.get(Column::ResidenceNewCommune);
    if old.is_none() && new.is_none() {
        return None;
    }
    let (i_old, i_new) = (row.index(Column::ResidenceCommune), row.index(Column::ResidenceNewCommune));
    match (cell_change(old.flatten()), cell_change(new.flatten())) {
        (Some(Some(v)), _) => Some((Some(Some(v)), i_old)),
        (_, Some(Some(v))) => Some((Some(Some(v)), i_new)),
        (Some(None), _) => Some((Some(None), i_old)),
        (_, Some(None)) => Some((Some(None), i_new)),
        (None, None) => Some((None, i_old.or(i_new))),
    }
}

/// Applies the row's cells onto an identity: absent columns and empty cells leave fields
/// alone, the `(xoá)` marker clears one; returns the column of each field the row names.
fn apply_row(row: &SourceRow, mut id: Identity) -> (Identity, HashMap<&'static str, usize>) {
    let mut cols = HashMap::new();
    for (field, col) in FIELDS {
        if let Some(v) = row.get(col) {
            if let Some(change) = cell_change(v) {
                *id.slot(field) = change;
            }
            if let Some(i) = row.index(col) {
                cols.insert(field.name(), i);
            }
        }
    }
    if let Some((commune, i)) = commune_of(row) {
        if let Some(change) = commune {
            id.res_commune = change;
        }
        if let Some(i) = i {
            cols.insert(IdentityField::ResidenceCommune.name(), i);
        }
    }
    (id, cols)
}

/// A class name's key: "Lớp 6A", "6a", "6 A" are the same class.
pub fn class_key(name: &str) -> String {
    let k = headers::header_key(name);
    let k = k.strip_prefix("lop ").unwrap_or(&k);
    k.replace(' ', "")
}

fn err(field: Option<&str>, column: Option<usize>, code: &str, message: impl Into<String>) -> RowError {
    RowError {
        field: field.map(str::to_owned),
        column: column.map(column_letter),
        code: code.to_owned(),
        message: message.into(),
    }
}

/// Plans every row into a vector (see [`plan_each`]). `progress` is called every thousand rows
/// with the number done.
pub fn plan(layout: &mut Layout, input: &PlanInput<'_>, progress: &mut dyn FnMut(usize)) -> Vec<PlannedRow> {
    let mut out = Vec::with_capacity(layout.rows.len());
    plan_each(layout, input, progress, &mut |r| out.push(r));
    out
}

/// Plans every row, handing each to `sink` in file order. The layout's rows are consumed as
/// they are planned (their cells move into the plan), so a large file is never held twice.
/// Each row goes through three steps: [`Planner::find_match`] (which record it is, if any),
/// then [`Planner::diff`] (what changes on a matched record) or [`Planner::create`] (whether
/// it may become a new record).
pub fn plan_each(
    layout: &mut Layout,
    input: &PlanInput<'_>,
    progress: &mut dyn FnMut(usize),
    sink: &mut dyn FnMut(PlannedRow),
) {
    let mut planner = Planner::new(input);
    let total = layout.rows.len();
    let sheets = &layout.sheets;
    for (n, source) in layout.rows.iter_mut().enumerate() {
        let cells = std::mem::take(&mut source.cells);
        let row = SourceRow {
            sheet: source.sheet,
            row: source.row,
            cells: Vec::new(),
            values: std::mem::take(&mut source.values),
        };
        if n > 0 && n % 100 == 0 {
            progress(n);
        }
        sink(planner.plan_row(&row, &sheets[row.sheet], cells));
    }
    progress(total);
}

/// What the plan of one file knows: the records in scope indexed every way a row can name
/// them, the classes, the rule context, and the records and new people seen so far.
struct Planner<'a> {
    input: &'a PlanInput<'a>,
    by_id: HashMap<i64, &'a Existing>,
    by_sector: HashMap<String, &'a Existing>,
    by_pid: HashMap<&'a str, Vec<&'a Existing>>,
    by_name_dob: HashMap<(&'a str, NaiveDate), Vec<&'a Existing>>,
    classes: HashMap<String, &'a ClassInfo>,
    ctx: RuleContext,
    /// Matched records: the row that matched each first.
    seen_people: HashMap<i64, u32>,
    /// New people (by ID number, sector code or name and date of birth): their first row.
    seen_new: HashMap<String, u32>,
}

/// A row as read: its class, sector code and identity, and the rule outcome when one was needed
/// to match it.
struct RowFacts {
    /// The class the row's own cell names.
    named_class: Option<i64>,
    /// The row's class: named, else the sheet's, else the default.
    class_id: Option<i64>,
    sector: Option<String>,
    identity: Identity,
    outcome: Option<Outcome>,
}

impl<'a> Planner<'a> {
    fn new(input: &'a PlanInput<'a>) -> Planner<'a> {
        let mut planner = Planner {
            input,
            by_id: input.existing.iter().map(|e| (e.id, e)).collect(),
            by_sector: HashMap::new(),
            by_pid: HashMap::new(),
            by_name_dob: HashMap::new(),
            classes: input.classes.iter().map(|c| (class_key(&c.name), c)).collect(),
            ctx: RuleContext::new(input.today, input.kind),
            seen_people: HashMap::new(),
            seen_new: HashMap::new(),
        };
        for e in input.existing {
            if let Some(s) = &e.sector_code {
                planner.by_sector.insert(s.trim().to_owned(), e);
            }
            if let Some(p) = &e.personal_id {
                planner.by_pid.entry(p.as_str()).or_default().push(e);
            }
            if let (Some(n), Some(d)) = (&e.name_key, e.dob) {
                planner.by_name_dob.entry((n.as_str(), d)).or_default().push(e);
            }
        }
        planner
    }

    /// The rules on an identity in a class (the class's grade for students).
    fn evaluate(&self, identity: &Identity, class_id: Option<i64>) -> Outcome {
        let grade = match self.input.kind {
            PersonKind::Student => {
                class_id.and_then(|id| self.input.classes.iter().find(|c| c.id == id)).map(|c| c.grade)
            }
            PersonKind::Staff => None,
        };
        rules::check_record(&RecordInput::of_identity(identity, self.input.kind, grade, None), &self.ctx)
    }

    /// Plans one row.
    fn plan_row(&mut self, row: &SourceRow, sheet: &SheetLayout, cells: Vec<String>) -> PlannedRow {
        let mut planned = PlannedRow {
            sheet: sheet.name.clone(),
            row: row.row,
            action: RowAction::Rejected,
            person_id: None,
            matched_by: None,
            class_id: None,
            version: None,
            changes: Vec::new(),
            findings: Vec::new(),
            errors: Vec::new(),
            values: RowValues::default(),
            cells,
            columns: row.values.iter().map(|(c, i, _)| (c.as_str().to_owned(), *i)).collect(),
        };
        // the API's length and character limits, before anything reads the values
        for (column, index, text) in &row.values {
            if let Some(problem) = text.as_deref().and_then(|t| crate::domain::limits::check(t, column.max_chars())) {
                planned.errors.push(err(
                    Some(column.as_str()),
                    Some(*index),
                    problem.code(),
                    problem.message(&format!("Ô “{}”", column.label())),
                ));
            }
        }
        if !planned.errors.is_empty() {
            return planned;
        }
        let named_class = self.named_class(row, &mut planned);
        let mut facts = RowFacts {
            named_class,
            class_id: named_class.or(sheet.class_id).or(self.input.default_class_id),
            sector: blank(row.get(Column::SectorCode).flatten()),
            identity: apply_row(row, Identity::default()).0,
            outcome: None,
        };
        let matched = self.find_match(row, &mut facts, &mut planned);
        if !planned.errors.is_empty() {
            // the cells' own problems still show in the preview and the error workbook
            let outcome = facts.outcome.take().unwrap_or_else(|| self.evaluate(&facts.identity, facts.class_id));
            planned.findings = outcome.findings;
            planned.values = RowValues::of(&facts.identity, facts.sector);
            return planned;
        }
        match matched {
            Some(e) => self.diff(row, e, facts, &mut planned),
            None => self.create(row, facts, &mut planned),
        }
        planned
    }

    /// The class the row's class cell names (students); an unknown class is a row error.
    fn named_class(&self, row: &SourceRow, planned: &mut PlannedRow) -> Option<i64> {
        if self.input.kind != PersonKind::Student {
            return None;
        }
        let text = blank(row.get(Column::Class).flatten())?;
        match self.classes.get(&class_key(&text)) {
            Some(c) => Some(c.id),
            None => {
                planned.errors.push(err(
                    Some("classId"),
                    row.index(Column::Class),
                    "class_unknown",
                    format!("Trường không có lớp “{text}”."),
                ));
                None
            }
        }
    }

    /// Step 1, match: the record the row names by record key or sector code, else the one its
    /// ID number or its name and date of birth single out. Ambiguous or out-of-scope names are
    /// row errors.
    fn find_match(&self, row: &SourceRow, facts: &mut RowFacts, planned: &mut PlannedRow) -> Option<&'a Existing> {
        if let Some(key) = blank(row.get(Column::RecordKey).flatten()) {
            let col = row.index(Column::RecordKey);
            match key.trim_start_matches('#').parse::<i64>() {
                Ok(id) => match self.by_id.get(&id) {
                    Some(e) => {
                        planned.matched_by = Some(MatchedBy::RecordKey);
                        return Some(e);
                    }
                    None if self.input.outside_keys.contains(&id) => planned.errors.push(err(
                        Some("recordKey"),
                        col,
                        "out_of_scope",
                        format!("Hồ sơ mã {id} không thuộc đơn vị đang nhập; tài khoản không được sửa hồ sơ này."),
                    )),
                    None => planned.errors.push(err(
                        Some("recordKey"),
                        col,
                        "record_key_unknown",
                        format!("Không có hồ sơ mã {id} (có thể đã bị xoá); xoá ô Mã hồ sơ nếu đây là hồ sơ mới."),
                    )),
                },
                Err(_) => planned.errors.push(err(
                    Some("recordKey"),
                    col,
                    "record_key_invalid",
                    format!("Mã hồ sơ “{key}” không hợp lệ; không sửa cột này."),
                )),
            }
            return None;
        }
        if let Some(code) = &facts.sector {
            if let Some(e) = self.by_sector.get(code.trim()) {
                planned.matched_by = Some(MatchedBy::SectorCode);
                return Some(e);
            }
            if self.input.outside_sector_codes.contains(code.trim()) {
                planned.errors.push(err(
                    Some("sectorCode"),
                    row.index(Column::SectorCode),
                    "out_of_scope",
                    "Mã định danh ngành này thuộc hồ sơ của đơn vị khác.",
                ));
            }
            return None;
        }
        if !planned.errors.is_empty() {
            return None;
        }
        let outcome = self.evaluate(&facts.identity, facts.class_id);
        let matched = self.match_by_values(row, &outcome, facts.class_id, planned);
        facts.outcome = Some(outcome);
        matched
    }

    /// A record singled out by the row's normalised ID number, else by its name and date of
    /// birth (in the row's class, when it has one).
    fn match_by_values(
        &self,
        row: &SourceRow,
        outcome: &Outcome,
        class_id: Option<i64>,
        planned: &mut PlannedRow,
    ) -> Option<&'a Existing> {
        if let Some(pid) = &outcome.normalized.personal_id {
            match self.by_pid.get(pid.as_str()).map(Vec::as_slice) {
                Some([e]) => {
                    planned.matched_by = Some(MatchedBy::PersonalId);
                    return Some(e);
                }
                Some([_, _, ..]) => {
                    planned.errors.push(err(
                        Some("personalId"),
                        row.index(Column::PersonalId),
                        "ambiguous_match",
                        "Số định danh này có ở nhiều hồ sơ của trường; hãy ghi Mã hồ sơ hoặc Mã định danh ngành.",
                    ));
                    return None;
                }
                _ => {}
            }
        }
        let (Some(name), Some(dob)) = (&outcome.normalized.name_key, outcome.normalized.date_of_birth) else {
            return None;
        };
        let candidates: Vec<&'a Existing> = self
            .by_name_dob
            .get(&(name.as_str(), dob))
            .map(|v| v.iter().copied().filter(|e| class_id.is_none() || e.class_id == class_id).collect())
            .unwrap_or_default();
        match candidates.as_slice() {
            [e] => {
                planned.matched_by = Some(MatchedBy::NameAndDateOfBirth);
                Some(e)
            }
            [_, _, ..] => {
                planned.errors.push(err(
                    Some("fullName"),
                    row.index(Column::FullName),
                    "ambiguous_match",
                    "Có nhiều hồ sơ cùng họ tên và ngày sinh trong lớp; hãy ghi Mã hồ sơ hoặc số định danh.",
                ));
                None
            }
            [] => None,
        }
    }

    /// Step 2, diff: what the row changes on the record it matched (old → new per field), a
    /// sector code it may not change, and the findings on the values after the change.
    fn diff(&mut self, row: &SourceRow, e: &Existing, facts: RowFacts, planned: &mut PlannedRow) {
        if let Some(first) = self.seen_people.insert(e.id, row.row) {
            planned.errors.push(err(
                None,
                None,
                "duplicate_row",
                format!("Dòng này là cùng hồ sơ với dòng {first} ở trên; chỉ giữ một dòng cho mỗi người."),
            ));
            return;
        }
        planned.person_id = Some(e.id);
        planned.version = Some(e.version);
        let (file_identity, cols) = apply_row(row, e.identity.clone());
        let mut class_id = e.class_id;
        let mut class_change = None;
        if let Some(c) = facts.named_class
            && Some(c) != e.class_id
        {
            class_change = Some(FieldChange {
                field: "classId".to_owned(),
                column: row.index(Column::Class).map(column_letter),
                old: e.class_id.map(|c| c.to_string()),
                new: Some(c.to_string()),
                status: FieldStatus::Update,
                would_worsen: Vec::new(),
                verified: false,
            });
            class_id = Some(c);
        }
        // three-way: each field the file changes is `update`, `stale` or `conflict` against what
        // the template carried; only updates are written by default
        let changed: Vec<(IdentityField, Option<String>, FieldStatus)> = e
            .identity
            .fields()
            .zip(file_identity.fields())
            .map(|((field, old), (_, new))| (field, new.clone(), threeway::classify(field, &e.base, new, old)))
            .filter(|(_, _, status)| *status != FieldStatus::Unchanged)
            .collect();
        let updates: Vec<(IdentityField, Option<String>)> = changed
            .iter()
            .filter(|(_, _, status)| status.written_by_default())
            .map(|(field, new, _)| (*field, new.clone()))
            .collect();
        // never worse: a field whose new value brings an error the record does not have is held back
        let evaluate = |identity: &Identity| self.evaluate(identity, class_id).findings;
        let guarded = crate::domain::worsen::hold_back(&e.identity, &updates, &|_| false, &evaluate);
        let before = evaluate(&e.identity);
        for (field, new, status) in &changed {
            let would_worsen = match status {
                FieldStatus::Update => guarded.refused_for(*field).map(<[Finding]>::to_vec).unwrap_or_default(),
                // what taking the file's value would bring, on top of the updates
                FieldStatus::Conflict => {
                    let mut taken = guarded.identity.clone();
                    *taken.slot(*field) = new.clone();
                    crate::domain::worsen::new_errors(&before, &evaluate(&taken))
                }
                FieldStatus::Stale | FieldStatus::Unchanged => Vec::new(),
            };
            planned.changes.push(FieldChange {
                field: field.name().to_owned(),
                column: cols.get(field.name()).map(|i| column_letter(*i)),
                old: e.identity.get(*field).clone(),
                new: new.clone(),
                status: *status,
                would_worsen,
                verified: e.verified && *status != FieldStatus::Stale,
            });
        }
        let new_identity = guarded.identity;
        let mut sector = e.sector_code.clone();
        if let Some(code) = &facts.sector
            && e.sector_code.as_deref().map(str::trim) != Some(code.trim())
        {
            if e.sector_code.is_some() {
                planned.errors.push(err(
                    Some("sectorCode"),
                    row.index(Column::SectorCode),
                    "sector_code_immutable",
                    "Mã định danh ngành khác với mã của hồ sơ; mã này cấp một lần và không sửa qua nhập tệp.",
                ));
                planned.changes.clear();
                return;
            }
            planned.changes.push(FieldChange {
                field: "sectorCode".to_owned(),
                column: row.index(Column::SectorCode).map(column_letter),
                old: None,
                new: Some(code.clone()),
                status: FieldStatus::Update,
                would_worsen: Vec::new(),
                verified: false,
            });
            sector = Some(code.clone());
        }
        planned.changes.extend(class_change);
        let position = self.position_change(row, e);
        planned.changes.extend(position.clone());
        planned.class_id = class_id;
        let outcome = match facts.outcome {
            Some(o) if new_identity == facts.identity && class_id == facts.class_id => o,
            _ => self.evaluate(&new_identity, class_id),
        };
        planned.findings = outcome.findings;
        planned.values = RowValues::of(&new_identity, sector);
        planned.values.position = position.and_then(|c| c.new);
        planned.action = if planned.changes.is_empty() { RowAction::Unchanged } else { RowAction::Update };
    }

    /// Staff: the position a row's `Chức vụ` cell names when it differs from the record's (a
    /// cell the planner cannot read changes nothing), three-way against what the template
    /// carried as the identity fields are (never written back over a newer value by default).
    fn position_change(&self, row: &SourceRow, e: &Existing) -> Option<FieldChange> {
        if self.input.kind != PersonKind::Staff {
            return None;
        }
        let new = row.get(Column::Position).flatten().and_then(parse_position)?.as_str().to_owned();
        let status = position_status(&e.base, e.exported_position.as_deref(), e.position.as_deref(), &new);
        (e.position.as_deref() != Some(new.as_str())).then(|| FieldChange {
            field: "position".to_owned(),
            column: row.index(Column::Position).map(column_letter),
            old: e.position.clone(),
            new: Some(new),
            status,
            would_worsen: Vec::new(),
            verified: false,
        })
    }

    /// Step 3, create: whether a row that matched no record may become a new one (creation
    /// allowed, a name, a class for a student, not the same new person as an earlier row).
    fn create(&mut self, row: &SourceRow, facts: RowFacts, planned: &mut PlannedRow) {
        let RowFacts { class_id, sector, identity, outcome, .. } = facts;
        planned.values = RowValues::of(&identity, sector.clone());
        if self.input.kind == PersonKind::Staff {
            planned.values.position =
                row.get(Column::Position).flatten().and_then(parse_position).map(|p| p.as_str().to_owned());
        }
        let outcome = outcome.unwrap_or_else(|| self.evaluate(&identity, class_id));
        if !self.input.can_create {
            planned.errors.push(err(
                None,
                None,
                "create_not_allowed",
                "Không tìm thấy hồ sơ tương ứng và tài khoản không được thêm hồ sơ mới.",
            ));
        } else if identity.full_name.is_none() {
            planned.errors.push(err(
                Some("fullName"),
                row.index(Column::FullName),
                "name_required",
                "Dòng không khớp hồ sơ nào và chưa có họ tên nên không thêm mới được.",
            ));
        } else if self.input.kind == PersonKind::Student && self.input.require_class && class_id.is_none() {
            planned.errors.push(err(
                Some("classId"),
                row.index(Column::Class),
                "class_missing",
                "Chưa biết lớp của học sinh mới: thêm cột “Lớp” hoặc chọn lớp khi tải tệp lên.",
            ));
        } else {
            let keys = new_person_keys(sector.as_deref(), &outcome, class_id);
            if let Some(first) = keys.iter().find_map(|k| self.seen_new.get(k)) {
                planned.errors.push(err(
                    None,
                    None,
                    "duplicate_row",
                    format!(
                        "Dòng này trùng người với dòng {first} ở trên (cùng số định danh, mã ngành hoặc họ tên và ngày sinh)."
                    ),
                ));
            } else {
                for k in keys {
                    self.seen_new.insert(k, row.row);
                }
                planned.class_id = if self.input.kind == PersonKind::Student { class_id } else { None };
                planned.action = RowAction::Create;
            }
        }
        planned.findings = outcome.findings;
    }
}

/// The keys that tell a new person apart within one file: the sector code, the ID number, or
/// (only when no ID number does) the name and date of birth in the class.
fn new_person_keys(sector: Option<&str>, outcome: &Outcome, class_id: Option<i64>) -> Vec<String> {
    let mut keys = Vec::new();
    if let Some(code) = sector {
        keys.push(format!("s:{}", code.trim()));
    }
    match outcome.normalized.personal_id.as_ref().filter(|p| p.len() == 12) {
        Some(pid) => keys.push(format!("p:{pid}")),
        None => {
            if let (Some(n), Some(d)) = (&outcome.normalized.name_key, outcome.normalized.date_of_birth) {
                keys.push(format!("n:{n}|{d}|{class_id:?}"));
            }
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::read::{FileFormat, RawSheet};

    fn text(s: &str) -> Cell {
        if s.is_empty() { Cell::Empty } else { Cell::Text(s.to_owned()) }
    }

    fn book(rows: Vec<Vec<Cell>>) -> RawBook {
        RawBook { format: FileFormat::Xlsx, encoding: None, sheets: vec![RawSheet { name: "6A".into(), rows }] }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).expect("date")
    }

    #[test]
    fn positions_in_the_words_schools_use() {
        use crate::domain::org::Position;
        for (text, want) in [
            ("Giáo viên", Some(Position::Teacher)),
            ("GV", Some(Position::Teacher)),
            ("giáo viên chủ nhiệm", Some(Position::Teacher)),
            ("Nhân viên", Some(Position::Employee)),
            ("Cán bộ quản lý", Some(Position::Manager)),
            ("Phó Hiệu trưởng", Some(Position::Manager)),
            ("manager", Some(Position::Manager)),
            ("Bảo vệ", None),
            ("", None),
        ] {
            assert_eq!(parse_position(text), want, "{text}");
        }
    }

    fn existing() -> Vec<Existing> {
        vec![Existing {
            id: 7,
            class_id: Some(1),
            sector_code: Some("3100000007".into()),
            identity: Identity {
                full_name: Some("Nguyễn Văn An".into()),
                date_of_birth: Some("05/03/2014".into()),
                gender: Some("Nam".into()),
                personal_id: Some("031214001234".into()),
                ..Identity::default()
            },
            name_key: Some("nguyễn văn an".into()),
            dob: NaiveDate::from_ymd_opt(2014, 3, 5),
            personal_id: Some("031214001234".into()),
            version: 3,
            verified: false,
            position: None,
            exported_position: None,
            base: Base::Unknown,
        }]
    }

    fn run(rows: Vec<Vec<Cell>>, existing: &[Existing]) -> Vec<PlannedRow> {
        run_as(PersonKind::Student, rows, existing)
    }

    fn run_as(kind: PersonKind, rows: Vec<Vec<Cell>>, existing: &[Existing]) -> Vec<PlannedRow> {
        let mut layout = layout(book(rows), None).expect("layout");
        let classes = vec![ClassInfo { id: 1, name: "6A".into(), grade: 6 }];
        let none = HashSet::new();
        let none_s = HashSet::new();
        let input = PlanInput {
            kind,
            today: today(),
            existing,
            classes: &classes,
            default_class_id: Some(1),
            outside_keys: &none,
            outside_sector_codes: &none_s,
            can_create: true,
            require_class: true,
        };
        plan(&mut layout, &input, &mut |_| {})
    }

    #[test]
    fn a_numeric_id_cell_matches_its_record_and_changes_nothing() {
        let rows = vec![
            vec![text("Số định danh cá nhân"), text("Họ và tên"), text("Ngày sinh"), text("Giới tính")],
            vec![Cell::Number(31214001234.0), text("Nguyễn Văn An"), text("05/03/2014"), text("Nam")],
        ];
        let plan = run(rows, &existing());
        let r = &plan[0];
        assert_eq!(r.matched_by, Some(MatchedBy::PersonalId), "{r:?}");
        assert_eq!(r.action, RowAction::Unchanged, "the lost zero is not a change: {r:?}");
    }

    #[test]
    fn a_staff_row_changes_the_position_its_cell_names_and_nothing_else() {
        let mut records = existing();
        records[0].class_id = None;
        records[0].position = Some("teacher".into());
        let header = vec![text("Số định danh cá nhân"), text("Họ và tên"), text("Ngày sinh"), text("Chức vụ")];
        let row =
            |position: &str| vec![text("031214001234"), text("Nguyễn Văn An"), text("05/03/2014"), text(position)];
        for (cell, want) in
            [("Phó Hiệu trưởng", Some(("teacher", "manager"))), ("Giáo viên", None), ("Bảo vệ", None), ("", None)]
        {
            let plan = run_as(PersonKind::Staff, vec![header.clone(), row(cell)], &records);
            let r = &plan[0];
            let change = r.changes.iter().find(|c| c.field == "position");
            let got = change.map(|c| (c.old.as_deref().unwrap_or(""), c.new.as_deref().unwrap_or("")));
            assert_eq!(got, want, "{cell}: {r:?}");
            assert_eq!(r.action, if want.is_some() { RowAction::Update } else { RowAction::Unchanged }, "{cell}");
            assert_eq!(r.values.position.as_deref(), want.map(|w| w.1), "{cell}");
            assert_eq!(change.and_then(|c| c.column.clone()).as_deref(), want.map(|_| "D"));
        }
        // three-way against what the template carried: (carried, record, file) → status
        for (exported, current, file, want) in [
            ("teacher", "manager", "Giáo viên", FieldStatus::Stale),
            ("teacher", "teacher", "Nhân viên", FieldStatus::Update),
            ("", "teacher", "Nhân viên", FieldStatus::Conflict),
            ("teacher", "manager", "Nhân viên", FieldStatus::Conflict),
        ] {
            let mut records = records.clone();
            records[0].base = Base::Exported(records[0].identity.clone());
            records[0].exported_position = Some(exported.into());
            records[0].position = Some(current.into());
            let plan = run_as(PersonKind::Staff, vec![header.clone(), row(file)], &records);
            let change = plan[0].changes.iter().find(|c| c.field == "position").expect("a position change");
            assert_eq!(change.status, want, "{exported}/{current}/{file}: {:?}", plan[0]);
        }
        let mut changed = records.clone();
        changed[0].base = Base::ChangedSince;
        let plan = run_as(PersonKind::Staff, vec![header.clone(), row("Nhân viên")], &changed);
        assert_eq!(
            plan[0].changes.iter().find(|c| c.field == "position").map(|c| c.status),
            Some(FieldStatus::Conflict)
        );
        // a student's file has no position to change
        let plan = run(vec![header, row("Phó Hiệu trưởng")], &records);
        assert!(plan[0].changes.iter().all(|c| c.field != "position"), "{:?}", plan[0]);
    }

    #[test]
    fn name_and_date_match_within_the_class() {
        let rows = vec![
            vec![text("Họ và tên"), text("Ngày sinh"), text("Giới tính")],
            vec![text("NGUYỄN VĂN AN"), text("5/3/2014"), text("Nữ")],
        ];
        let plan = run(rows, &existing());
        let r = &plan[0];
        assert_eq!(r.matched_by, Some(MatchedBy::NameAndDateOfBirth));
        assert_eq!(r.action, RowAction::Update);
        let fields: Vec<&str> = r.changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, vec!["fullName", "dateOfBirth", "gender"]);
        assert_eq!(r.changes[2].old.as_deref(), Some("Nam"));
        assert_eq!(r.changes[2].new.as_deref(), Some("Nữ"));
        assert_eq!(r.changes[2].column.as_deref(), Some("C"));
    }

    #[test]
    fn record_keys_win_and_duplicates_are_rejected() {
        let rows = vec![
            vec![text("Mã hồ sơ"), text("Họ và tên"), text("Ngày sinh")],
            vec![text("7"), text("Nguyễn Văn An"), text("05/03/2014")],
            vec![text("7"), text("Nguyễn Văn An"), text("05/03/2014")],
            vec![text("99"), text("Lê Thị Hoa"), text("01/01/2014")],
        ];
        let plan = run(rows, &existing());
        assert_eq!(plan[0].action, RowAction::Unchanged);
        assert_eq!(plan[0].matched_by, Some(MatchedBy::RecordKey));
        assert_eq!(plan[1].action, RowAction::Rejected);
        assert_eq!(plan[1].errors[0].code, "duplicate_row");
        assert_eq!(plan[2].errors[0].code, "record_key_unknown");
        assert_eq!(plan[2].errors[0].column.as_deref(), Some("A"));
        let t = Totals::of(&plan);
        assert_eq!((t.rows, t.unchanged, t.rejected), (3, 1, 2));
    }

    #[test]
    fn new_rows_are_created_once() {
        let rows = vec![
            vec![text("Họ và tên"), text("Ngày sinh"), text("Số định danh cá nhân")],
            vec![text("Trần Thị Bình"), text("01/02/2014"), text("031314009999")],
            vec![text("Trần Thị Bình"), text("01/02/2014"), text("031314009999")],
            vec![text(""), text("01/02/2014"), text("")],
        ];
        let plan = run(rows, &existing());
        assert_eq!(plan[0].action, RowAction::Create);
        assert_eq!(plan[0].class_id, Some(1));
        assert_eq!(plan[1].errors[0].code, "duplicate_row");
        assert_eq!(plan[2].errors[0].code, "name_required");
    }

    #[test]
    fn namesakes_born_the_same_day_are_two_children_when_their_id_numbers_differ() {
        let rows = vec![
            vec![text("Họ và tên"), text("Ngày sinh"), text("Số định danh cá nhân")],
            vec![text("Trần Thị Bình"), text("01/02/2014"), text("031314009998")],
            vec![text("Trần Thị Bình"), text("01/02/2014"), text("031314009999")],
            vec![text("Lê Văn Tư"), text("01/02/2014"), text("")],
            vec![text("Lê Văn Tư"), text("01/02/2014"), text("")],
        ];
        let plan = run(rows, &[]);
        let actions: Vec<RowAction> = plan.iter().map(|r| r.action).collect();
        assert_eq!(actions, vec![RowAction::Create, RowAction::Create, RowAction::Create, RowAction::Rejected]);
        assert_eq!(plan[3].errors[0].code, "duplicate_row");
    }

    #[test]
    fn an_unknown_class_is_named() {
        let rows = vec![
            vec![text("Lớp"), text("Họ và tên"), text("Ngày sinh")],
            vec![text("Lớp 6a"), text("Trần Bình"), text("01/02/2014")],
            vec![text("9Z"), text("Trần Chi"), text("01/02/2014")],
        ];
        let plan = run(rows, &existing());
        assert_eq!(plan[0].action, RowAction::Create);
        assert_eq!(plan[1].errors[0].code, "class_unknown");
        assert_eq!(plan[1].errors[0].column.as_deref(), Some("A"));
    }

    #[test]
    fn the_commune_comes_from_the_pre_2025_column_first() {
        let rows = vec![
            vec![text("Họ và tên"), text("Ngày sinh"), text("Xã/Phường (trước 2025)"), text("Xã/Phường (sau 2025)")],
            vec![text("A B"), text("01/02/2014"), text("Dư Hàng"), text("Phường An Biên")],
            vec![text("C D"), text("01/02/2014"), text(""), text("Phường An Biên")],
        ];
        let plan = run(rows, &[]);
        assert_eq!(plan[0].values.res_commune.as_deref(), Some("Dư Hàng"));
        assert_eq!(plan[1].values.res_commune.as_deref(), Some("Phường An Biên"));
    }

    #[test]
    fn an_old_template_updates_what_it_changed_keeps_newer_values_and_flags_conflicts() {
        // exported as "Nguyễn Văn Anh", 05/03/2014, Nữ; since then the record was corrected on
        // the web to "Nguyễn Văn An", Nam (the date unchanged)
        let mut records = existing();
        records[0].base = Base::Exported(Identity {
            full_name: Some("Nguyễn Văn Anh".into()),
            date_of_birth: Some("05/03/2014".into()),
            gender: Some("Nữ".into()),
            personal_id: Some("031214001234".into()),
            ..Identity::default()
        });
        let rows = vec![
            vec![text("Mã hồ sơ"), text("Họ và tên"), text("Ngày sinh"), text("Giới tính")],
            // the name as exported, the date changed in the file, the gender changed on both sides
            vec![text("7"), text("Nguyễn Văn Anh"), text("06/03/2014"), text("Khác")],
        ];
        let plan = run(rows, &records);
        let r = &plan[0];
        let statuses: Vec<(&str, FieldStatus)> = r.changes.iter().map(|c| (c.field.as_str(), c.status)).collect();
        assert_eq!(
            statuses,
            vec![
                ("fullName", FieldStatus::Stale),
                ("dateOfBirth", FieldStatus::Update),
                ("gender", FieldStatus::Conflict)
            ]
        );
        assert_eq!(r.action, RowAction::Update);
        // what the row writes by default: only the update
        assert_eq!(r.values.full_name.as_deref(), Some("Nguyễn Văn An"));
        assert_eq!(r.values.date_of_birth.as_deref(), Some("06/03/2014"));
        assert_eq!(r.values.gender.as_deref(), Some("Nam"));
        assert!(!r.changes[2].would_worsen.is_empty(), "taking “Khác” would bring a gender error: {r:?}");
        let t = Totals::of(&plan);
        assert_eq!((t.changed_fields, t.stale, t.conflict), (1, 1, 1));
    }

    #[test]
    fn missing_columns_and_no_header() {
        let b = book(vec![vec![text("Họ và tên"), text("Giới tính")]]);
        assert_eq!(
            layout(b, None).err(),
            Some(LayoutError::MissingColumns { sheet: "6A".into(), columns: vec![Column::DateOfBirth] })
        );
        let b = book(vec![vec![text("Xin chào")]]);
        assert_eq!(layout(b, None).err(), Some(LayoutError::NoHeader));
    }
}
