//! The nation's roll-up (issue 16, step 3). Each province runs its own instance and no instance
//! ever holds another province's personal data: an instance exports its statistics (counts of
//! the Department's whole tree, students and staff: [`StatsExport`], `GET /api/v1/stats/export`
//! for the Department's accounts), and `dinhdanh rollup` (see `crate::rollup`) reads each
//! province's export and merges them here into national totals and a workbook. Shares are
//! recomputed from the summed counts, never averaged.

use chrono::{DateTime, NaiveDate, Utc};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::share;
use super::views::{Progress, Shares};

/// The export's format; the roll-up refuses any other.
pub const EXPORT_FORMAT: &str = "dinhdanh-stats/1";

/// What one instance exports: the figures of its Department and of each district office, for
/// students and for staff. Counts only: no record, name or ID number.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatsExport {
    /// `dinhdanh-stats/1`.
    pub format: String,
    /// The province's code after the 2025 reform (e.g. `31`).
    pub province_code: String,
    /// The Department's name.
    pub department: String,
    /// The day (Vietnam) the figures are for.
    pub as_of: NaiveDate,
    pub school_year: String,
    pub generated_at: DateTime<Utc>,
    pub students: Progress,
    pub staff: Progress,
}

/// The counts of one population as the roll-up reads them (the shares are recomputed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    pub total: i64,
    pub with_personal_id: i64,
    pub valid_personal_id: i64,
    pub no_errors: i64,
    pub sent: i64,
    pub verified: i64,
    pub mismatched: i64,
    pub not_found: i64,
    pub awaiting_evidence: i64,
    pub not_sent: i64,
    pub queued: i64,
    pub send_failed: i64,
    pub complete: i64,
    pub correct: i64,
    pub clean: i64,
    pub live: i64,
}

impl Totals {
    fn add(&mut self, o: &Totals) {
        self.total += o.total;
        self.with_personal_id += o.with_personal_id;
        self.valid_personal_id += o.valid_personal_id;
        self.no_errors += o.no_errors;
        self.sent += o.sent;
        self.verified += o.verified;
        self.mismatched += o.mismatched;
        self.not_found += o.not_found;
        self.awaiting_evidence += o.awaiting_evidence;
        self.not_sent += o.not_sent;
        self.queued += o.queued;
        self.send_failed += o.send_failed;
        self.complete += o.complete;
        self.correct += o.correct;
        self.clean += o.clean;
        self.live += o.live;
    }

    pub fn verified_share(&self) -> f64 {
        share(self.verified, self.total)
    }

    pub fn with_id_share(&self) -> f64 {
        share(self.with_personal_id, self.total)
    }

    pub fn shares(&self) -> Shares {
        Shares {
            du: share(self.complete, self.total),
            dung: share(self.correct, self.total),
            sach: share(self.clean, self.total),
            song: share(self.live, self.total),
        }
    }
}

/// One province's export as the roll-up reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Province {
    /// Where it was read from (the instance's address).
    pub source: String,
    pub code: String,
    pub department: String,
    pub as_of: NaiveDate,
    pub school_year: String,
    pub students: Totals,
    pub staff: Totals,
}

#[derive(Deserialize)]
struct CountersOnly {
    counters: Totals,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExportRead {
    format: String,
    province_code: String,
    department: String,
    as_of: NaiveDate,
    school_year: String,
    students: CountersOnly,
    staff: CountersOnly,
}

/// Why a roll-up stopped (Vietnamese: the Ministry's staff read it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RollupError {
    #[error("{origin}: không đọc được số liệu xuất ({reason})")]
    Unreadable { origin: String, reason: String },
    #[error(
        "{origin}: định dạng số liệu \"{found}\" không được hỗ trợ (cần \"{EXPORT_FORMAT}\"): cập nhật dinhdanh của tỉnh hoặc của Bộ"
    )]
    Format { origin: String, found: String },
    #[error("tỉnh mã {code} có hai nguồn ({first} và {second}): mỗi tỉnh chỉ được khai một lần trong danh sách nguồn")]
    Duplicate { code: String, first: String, second: String },
    #[error("danh sách nguồn trống: khai ít nhất một tỉnh")]
    Empty,
}

/// Reads one instance's export (the body of `GET /api/v1/stats/export`).
pub fn parse(source: &str, body: &str) -> Result<Province, RollupError> {
    let read: ExportRead = serde_json::from_str(body).map_err(|e| {
        // a body of another format says so rather than failing on a missing field
        match serde_json::from_str::<serde_json::Value>(body).ok().and_then(|v| v["format"].as_str().map(str::to_owned))
        {
            Some(found) if found != EXPORT_FORMAT => RollupError::Format { origin: source.to_owned(), found },
            _ => RollupError::Unreadable { origin: source.to_owned(), reason: e.to_string() },
        }
    })?;
    if read.format != EXPORT_FORMAT {
        return Err(RollupError::Format { origin: source.to_owned(), found: read.format });
    }
    Ok(Province {
        source: source.to_owned(),
        code: read.province_code,
        department: read.department,
        as_of: read.as_of,
        school_year: read.school_year,
        students: read.students.counters,
        staff: read.staff.counters,
    })
}

/// The nation: each province (by code) and the sums.
#[derive(Debug, Clone, PartialEq)]
pub struct National {
    pub provinces: Vec<Province>,
    pub students: Totals,
    pub staff: Totals,
}

/// Merges the provinces' figures; a province given twice stops the roll-up (its figures would
/// count twice).
pub fn merge(mut provinces: Vec<Province>) -> Result<National, RollupError> {
    if provinces.is_empty() {
        return Err(RollupError::Empty);
    }
    provinces.sort_by(|a, b| a.code.cmp(&b.code));
    for pair in provinces.windows(2) {
        if pair[0].code == pair[1].code {
            return Err(RollupError::Duplicate {
                code: pair[0].code.clone(),
                first: pair[0].source.clone(),
                second: pair[1].source.clone(),
            });
        }
    }
    let mut students = Totals::default();
    let mut staff = Totals::default();
    for p in &provinces {
        students.add(&p.students);
        staff.add(&p.staff);
    }
    Ok(National { provinces, students, staff })
}

const HEADERS: [&str; 16] = [
    "Mã tỉnh",
    "Sở GDĐT",
    "Số liệu ngày",
    "Năm học",
    "Học sinh",
    "HS có số định danh",
    "HS đã xác thực",
    "Tỉ lệ HS xác thực",
    "Đủ",
    "Đúng",
    "Sạch",
    "Sống",
    "CBGVNV",
    "CBGVNV có số định danh",
    "CBGVNV đã xác thực",
    "Tỉ lệ CBGVNV xác thực",
];

/// The national table: one row per province and the nation's row, shares as percentages.
pub fn workbook(n: &National, generated_at: DateTime<Utc>) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let pct = Format::new().set_num_format("0.0%");
    let ws = wb.add_worksheet();
    ws.set_name("Toàn quốc")?;
    ws.write_string_with_format(0, 0, "Tiến độ xác thực số định danh cá nhân — tổng hợp các tỉnh", &bold)?;
    ws.write_string(1, 0, format!("Tổng hợp lúc {} (UTC)", generated_at.format("%d/%m/%Y %H:%M")))?;
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string_with_format(3, c as u16, *h, &bold)?;
    }
    let mut row = 4u32;
    let mut line = |row: u32, code: &str, name: &str, day: &str, year: &str, s: &Totals, t: &Totals| {
        ws.write_string(row, 0, code)?;
        ws.write_string(row, 1, name)?;
        ws.write_string(row, 2, day)?;
        ws.write_string(row, 3, year)?;
        ws.write_number(row, 4, s.total as f64)?;
        ws.write_number(row, 5, s.with_personal_id as f64)?;
        ws.write_number(row, 6, s.verified as f64)?;
        ws.write_number_with_format(row, 7, s.verified_share(), &pct)?;
        let shares = s.shares();
        for (c, v) in [shares.du, shares.dung, shares.sach, shares.song].into_iter().enumerate() {
            ws.write_number_with_format(row, 8 + c as u16, v, &pct)?;
        }
        ws.write_number(row, 12, t.total as f64)?;
        ws.write_number(row, 13, t.with_personal_id as f64)?;
        ws.write_number(row, 14, t.verified as f64)?;
        ws.write_number_with_format(row, 15, t.verified_share(), &pct)?;
        Ok::<(), XlsxError>(())
    };
    for p in &n.provinces {
        let day = p.as_of.format("%d/%m/%Y").to_string();
        line(row, &p.code, &p.department, &day, &p.school_year, &p.students, &p.staff)?;
        row += 1;
    }
    line(row, "", "Toàn quốc", "", "", &n.students, &n.staff)?;
    ws.set_column_width(1, 40)?;
    ws.set_freeze_panes(4, 2)?;
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn export(code: &str, total: i64, with_id: i64, verified: i64, staff: i64, format: &str) -> String {
        serde_json::json!({
            "format": format,
            "provinceCode": code,
            "department": format!("Sở Giáo dục và Đào tạo {code}"),
            "asOf": "2026-12-05",
            "schoolYear": "2026-2027",
            "generatedAt": "2026-12-05T03:00:00Z",
            "students": {"counters": {
                "total": total, "withPersonalId": with_id, "validPersonalId": with_id, "noErrors": total,
                "sent": verified, "verified": verified, "mismatched": 0, "notFound": 0, "awaitingEvidence": 0,
                "notSent": total - verified, "queued": 0, "sendFailed": 0, "complete": with_id,
                "correct": verified, "clean": total, "live": verified,
                "verifiedShare": 0.5, "shares": {"du": 0, "dung": 0, "sach": 0, "song": 0}
            }, "children": []},
            "staff": {"counters": {
                "total": staff, "withPersonalId": staff, "validPersonalId": staff, "noErrors": staff,
                "sent": 0, "verified": 0, "mismatched": 0, "notFound": 0, "awaitingEvidence": 0,
                "notSent": staff, "queued": 0, "sendFailed": 0, "complete": staff,
                "correct": 0, "clean": staff, "live": 0
            }}
        })
        .to_string()
    }

    #[test]
    fn provinces_add_up_and_shares_are_recomputed_not_averaged() {
        let hp = parse("https://csdl.haiphong.edu.vn", &export("31", 2, 2, 1, 5, EXPORT_FORMAT)).expect("31");
        let hn = parse("https://csdl.hanoi.edu.vn", &export("01", 4, 3, 3, 7, EXPORT_FORMAT)).expect("01");
        let n = merge(vec![hp, hn]).expect("merge");
        assert_eq!(n.provinces.iter().map(|p| p.code.as_str()).collect::<Vec<_>>(), ["01", "31"]);
        assert_eq!((n.students.total, n.students.with_personal_id, n.students.verified), (6, 5, 4));
        assert_eq!(n.staff.total, 12);
        // 1/2 and 3/4 make 4/6, not the mean of 50% and 75%
        assert_eq!(n.students.verified_share(), 0.6667);
        assert_eq!(n.students.shares().du, 0.8333);
        let bytes = workbook(&n, "2026-12-05T03:00:00Z".parse().expect("time")).expect("workbook");
        assert!(bytes.starts_with(b"PK"));
    }

    #[test]
    fn what_cannot_be_merged_is_refused_with_the_reason() {
        let a = || parse("https://a", &export("31", 2, 2, 1, 5, EXPORT_FORMAT)).expect("a");
        let mut b = a();
        b.source = "https://b".into();
        let cases: [(Result<National, RollupError>, &str); 4] = [
            (merge(vec![a(), b]), "tỉnh mã 31 có hai nguồn (https://a và https://b)"),
            (merge(vec![]), "danh sách nguồn trống"),
            (
                parse("https://c", &export("01", 1, 1, 1, 1, "dinhdanh-stats/9")).map(|p| merge(vec![p]).expect("one")),
                "định dạng số liệu \"dinhdanh-stats/9\"",
            ),
            (
                parse("https://d", "<html>đăng nhập</html>").map(|p| merge(vec![p]).expect("one")),
                "https://d: không đọc được số liệu xuất",
            ),
        ];
        for (got, want) in cases {
            let err = got.expect_err(want).to_string();
            assert!(err.contains(want), "{err} lacks {want}");
        }
    }
}
