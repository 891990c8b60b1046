//! `dinhdanh check FILE`: the import's reading and the rules, offline. Reads any layout the
//! import accepts (our template, the MoET export, CSV in UTF-8 or Windows-1258), runs the rules
//! on every row, and writes the same error workbook as the import next to the file
//! (`FILE.checked.xlsx`). No database: rows are not matched to records, only checked (and
//! duplicates within the file found).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::config::ImportSettings;
use crate::import::plan::{self, PlanInput};
use crate::import::{self, RowAction, Totals};
use crate::rules::{PersonKind, Severity};

/// What the check found.
#[derive(Debug, Clone)]
pub struct CheckSummary {
    pub report: PathBuf,
    pub totals: Totals,
    /// Rows with at least one `error` finding or rejected (duplicates).
    pub rows_with_errors: u64,
    pub rows_with_warnings: u64,
    /// Automatic repairs the rules would apply.
    pub fixes: u64,
}

impl std::fmt::Display for CheckSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} dòng: {} dòng có lỗi phải sửa, {} dòng có cảnh báo, {} chỗ tự sửa được. Kết quả: {}",
            self.totals.rows,
            self.rows_with_errors,
            self.rows_with_warnings,
            self.fixes,
            self.report.display()
        )
    }
}

/// `lop-6a.xlsx` → `lop-6a.checked.xlsx`.
pub fn report_path(file: &Path) -> PathBuf {
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "tep".to_owned());
    file.with_file_name(format!("{stem}.checked.xlsx"))
}

/// Checks a file; `progress(done, total)` is called as rows are checked.
pub fn run(
    file: &Path,
    kind: Option<PersonKind>,
    settings: &ImportSettings,
    today: chrono::NaiveDate,
    progress: &mut dyn FnMut(usize, usize),
) -> anyhow::Result<CheckSummary> {
    let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("không đọc được {}: {e}", file.display()))?;
    let filename = file.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let limits = settings.limits();
    let book = std::panic::catch_unwind(|| import::read::read(&filename, &bytes, &limits))
        .map_err(|_| anyhow::anyhow!("không đọc được bảng tính {} (tệp bị hỏng)", file.display()))?
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let meta = import::read_meta(&book);
    let layout = plan::layout(book, meta.as_ref()).map_err(|e| anyhow::anyhow!("{}", e.message()))?;
    let kind = kind
        .or_else(|| {
            meta.as_ref()
                .and_then(|m| m.kind.as_deref())
                .map(|k| if k == "staff" { PersonKind::Staff } else { PersonKind::Student })
        })
        .unwrap_or_default();
    let total = layout.rows.len();
    let none = HashSet::new();
    let none_codes = HashSet::new();
    let input = PlanInput {
        kind,
        today,
        existing: &[],
        classes: &[],
        default_class_id: None,
        outside_keys: &none,
        outside_sector_codes: &none_codes,
        can_create: true,
        require_class: false,
    };
    // record keys of our template refer to records the check cannot see: check the row anyway
    let mut layout = strip_record_keys(layout);
    let rows = plan::plan(&mut layout, &input, &mut |n| progress(n, total));
    let totals = Totals::of(&rows);
    let mut summary = CheckSummary {
        report: report_path(file),
        totals: totals.clone(),
        rows_with_errors: 0,
        rows_with_warnings: 0,
        fixes: 0,
    };
    for r in &rows {
        if r.action == RowAction::Rejected || r.findings.iter().any(|f| f.severity == Severity::Error) {
            summary.rows_with_errors += 1;
        }
        if r.findings.iter().any(|f| f.severity == Severity::Warning) {
            summary.rows_with_warnings += 1;
        }
        summary.fixes += r.findings.iter().filter(|f| f.severity == Severity::Fixed).count() as u64;
    }
    let bytes = super::report::write(&super::report::ReportInput {
        filename: &filename,
        created_at: chrono::Utc::now(),
        status: "Kiểm tra ngoại tuyến (chưa ghi vào hệ thống)",
        totals: &totals,
        sheets: &layout.sheets,
        rows: &rows,
        mask_ids: false,
    })?;
    std::fs::write(&summary.report, bytes)
        .map_err(|e| anyhow::anyhow!("không ghi được {}: {e}", summary.report.display()))?;
    Ok(summary)
}

fn strip_record_keys(mut layout: plan::Layout) -> plan::Layout {
    for row in &mut layout.rows {
        row.values.retain(|(c, _, _)| *c != import::Column::RecordKey);
    }
    layout
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_goes_next_to_the_file() {
        assert_eq!(report_path(Path::new("/tmp/lop-6a.xlsx")), PathBuf::from("/tmp/lop-6a.checked.xlsx"));
        assert_eq!(report_path(Path::new("ds.csv")), PathBuf::from("ds.checked.xlsx"));
    }

    #[test]
    fn a_csv_is_checked_offline_and_the_error_workbook_written() {
        let dir = std::env::temp_dir().join(format!("dinhdanh-check-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("lop.csv");
        std::fs::write(
            &file,
            "Họ và tên,Ngày sinh,Giới tính,Số định danh cá nhân\n\
             Nguyễn Văn An,05/03/2014,Nam,031214001234\n\
             nguyễn văn  an,40000,X,3.1E+11\n\
             Nguyễn Văn An,05/03/2014,Nam,031214001234\n",
        )
        .expect("write");
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("date");
        let mut calls = 0;
        let s = run(&file, None, &ImportSettings::default(), today, &mut |_, _| calls += 1).expect("check");
        assert_eq!(s.totals.rows, 3);
        assert!(s.rows_with_errors >= 2, "{s}");
        assert!(s.fixes >= 1, "{s}");
        assert!(calls >= 1);
        assert!(s.report.exists());
        std::fs::remove_dir_all(&dir).ok();
    }
}
