//! The progress report as an Excel workbook, from the same views the API answers with: a
//! summary sheet (one row per child unit and a total row, shares as percentages coloured red
//! below 50 %, yellow below 90 %, green from 90 %), the failure reasons, and the laggards.
//! Headers are Vietnamese. No personal data: units and counts only.

use chrono::{DateTime, NaiveDate, Utc};
use rust_xlsxwriter::{
    Color, ConditionalFormatCell, ConditionalFormatCellRule, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};

use super::Population;
use super::views::{Counters, Laggards, Progress, Reasons, StatUnit, StatUnitKind};
use crate::domain::clock::VIETNAM;

/// Sheet names (the test and users find the sheets by them).
pub const SUMMARY_SHEET: &str = "Tổng hợp";
pub const REASONS_SHEET: &str = "Lý do";
pub const LAGGARDS_SHEET: &str = "Đơn vị chậm";

/// Row (0-based) of the summary table's header; data rows follow.
pub const SUMMARY_HEADER_ROW: u32 = 7;

/// Shares below this are red.
pub const RED_BELOW: f64 = 0.5;
/// Shares below this (and not red) are yellow; from it on, green.
pub const GREEN_FROM: f64 = 0.9;

/// Columns of the summary table.
pub const SUMMARY_HEADERS: [&str; 19] = [
    "Đơn vị",
    "Cấp",
    "Tổng số",
    "Có số ĐDCN",
    "Số ĐDCN hợp lệ",
    "Không có lỗi",
    "Đã gửi xác thực",
    "Đã xác thực",
    "Sai lệch CSDLQG",
    "Không có trong CSDLQG",
    "Chờ giấy tờ",
    "Chưa gửi",
    "Tỉ lệ đã xác thực",
    "Đủ",
    "Đúng",
    "Sạch",
    "Sống",
    "Dự kiến hoàn thành",
    "Nguy cơ trễ hạn",
];
/// First and last percentage columns of the summary table.
const FIRST_SHARE_COL: u16 = 12;
const LAST_SHARE_COL: u16 = 16;

fn kind_label(kind: StatUnitKind) -> &'static str {
    match kind {
        StatUnitKind::Department => "Sở",
        StatUnitKind::District => "Phòng/đơn vị quản lý",
        StatUnitKind::School => "Trường",
        StatUnitKind::Class => "Lớp",
    }
}

fn date_vn(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

struct Formats {
    title: Format,
    header: Format,
    bold: Format,
    percent: Format,
    percent_bold: Format,
    red: Format,
    yellow: Format,
    green: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xDDEBF7))
                .set_border(FormatBorder::Thin),
            bold: Format::new().set_bold(),
            percent: Format::new().set_num_format("0.0%"),
            percent_bold: Format::new().set_num_format("0.0%").set_bold(),
            red: Format::new().set_background_color(Color::RGB(0xFFC7CE)).set_font_color(Color::RGB(0x9C0006)),
            yellow: Format::new().set_background_color(Color::RGB(0xFFEB9C)).set_font_color(Color::RGB(0x9C5700)),
            green: Format::new().set_background_color(Color::RGB(0xC6EFCE)).set_font_color(Color::RGB(0x006100)),
        }
    }
}

fn write_headers(ws: &mut Worksheet, row: u32, headers: &[&str], f: &Format) -> Result<(), XlsxError> {
    for (col, h) in (0u16..).zip(headers) {
        ws.write_string_with_format(row, col, *h, f)?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn write_counters_row(
    ws: &mut Worksheet,
    row: u32,
    unit: &StatUnit,
    c: &Counters,
    completion: Option<NaiveDate>,
    miss: Option<bool>,
    fmt: &Formats,
    bold: bool,
) -> Result<(), XlsxError> {
    let name = match &unit.school_year {
        Some(year) if unit.kind == StatUnitKind::Class => format!("{} ({year})", unit.name),
        _ => unit.name.clone(),
    };
    if bold {
        ws.write_string_with_format(row, 0, name, &fmt.bold)?;
    } else {
        ws.write_string(row, 0, name)?;
    }
    ws.write_string(row, 1, kind_label(unit.kind))?;
    let numbers = [
        c.total,
        c.with_personal_id,
        c.valid_personal_id,
        c.no_errors,
        c.sent,
        c.verified,
        c.mismatched,
        c.not_found,
        c.awaiting_evidence,
        c.not_sent,
    ];
    for (col, n) in (2u16..).zip(numbers) {
        ws.write_number(row, col, n as f64)?;
    }
    let shares = [c.verified_share, c.shares.du, c.shares.dung, c.shares.sach, c.shares.song];
    let pf = if bold { &fmt.percent_bold } else { &fmt.percent };
    for (col, s) in (FIRST_SHARE_COL..).zip(shares) {
        ws.write_number_with_format(row, col, s, pf)?;
    }
    if let Some(d) = completion {
        ws.write_string(row, LAST_SHARE_COL + 1, date_vn(d))?;
    }
    if let Some(miss) = miss {
        ws.write_string(row, LAST_SHARE_COL + 2, if miss { "Có" } else { "Không" })?;
    }
    Ok(())
}

fn summary(
    ws: &mut Worksheet,
    progress: &Progress,
    generated_at: DateTime<Utc>,
    fmt: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name(SUMMARY_SHEET)?;
    ws.write_string_with_format(0, 0, "BÁO CÁO TIẾN ĐỘ LÀM SẠCH VÀ XÁC THỰC DỮ LIỆU ĐỊNH DANH", &fmt.title)?;
    ws.write_string(1, 0, format!("Đơn vị: {}", progress.unit.name))?;
    ws.write_string(2, 0, format!("Đối tượng: {}", population_label(progress.population)))?;
    ws.write_string(3, 0, format!("Năm học: {}", progress.school_year))?;
    ws.write_string(
        4,
        0,
        format!(
            "Số liệu ngày {} (lập lúc {})",
            date_vn(progress.as_of),
            generated_at.with_timezone(&VIETNAM).format("%H:%M %d/%m/%Y")
        ),
    )?;
    if let Some(c) = &progress.campaign {
        ws.write_string(5, 0, format!("Đợt: {} — hạn hoàn thành {}", c.name, date_vn(c.deadline)))?;
    }
    write_headers(ws, SUMMARY_HEADER_ROW, &SUMMARY_HEADERS, &fmt.header)?;
    ws.set_row_height(SUMMARY_HEADER_ROW, 45)?;
    let mut row = SUMMARY_HEADER_ROW + 1;
    for child in &progress.children {
        let p = child.projection.as_ref();
        write_counters_row(
            ws,
            row,
            &child.unit,
            &child.counters,
            p.and_then(|p| p.projected_completion),
            p.map(|p| p.projected_to_miss),
            fmt,
            false,
        )?;
        row += 1;
    }
    let mut total_unit = progress.unit.clone();
    total_unit.name = format!("Tổng cộng: {}", progress.unit.name);
    let p = progress.projection.as_ref();
    write_counters_row(
        ws,
        row,
        &total_unit,
        &progress.counters,
        p.and_then(|p| p.projected_completion),
        p.map(|p| p.projected_to_miss),
        fmt,
        true,
    )?;
    let first = SUMMARY_HEADER_ROW + 1;
    let rules = [
        ConditionalFormatCell::new().set_rule(ConditionalFormatCellRule::LessThan(RED_BELOW)).set_format(&fmt.red),
        ConditionalFormatCell::new()
            .set_rule(ConditionalFormatCellRule::Between(RED_BELOW, GREEN_FROM - 1e-9))
            .set_format(&fmt.yellow),
        ConditionalFormatCell::new()
            .set_rule(ConditionalFormatCellRule::GreaterThanOrEqualTo(GREEN_FROM))
            .set_format(&fmt.green),
    ];
    for rule in &rules {
        ws.add_conditional_format(first, FIRST_SHARE_COL, row, LAST_SHARE_COL, rule)?;
    }
    ws.set_column_width(0, 36)?;
    for col in 1..(SUMMARY_HEADERS.len() as u16) {
        ws.set_column_width(col, 12)?;
    }
    ws.set_freeze_panes(SUMMARY_HEADER_ROW + 1, 1)?;
    Ok(())
}

fn population_label(p: Population) -> &'static str {
    p.label()
}

/// Headers of the reasons sheet's first table (the unit's findings).
pub const REASONS_HEADERS: [&str; 5] = ["Mã lỗi", "Trường thông tin", "Mức độ", "Nội dung", "Số hồ sơ"];

fn reasons_sheet(ws: &mut Worksheet, reasons: &Reasons, fmt: &Formats) -> Result<(), XlsxError> {
    ws.set_name(REASONS_SHEET)?;
    ws.write_string_with_format(0, 0, format!("Lý do hồ sơ chưa đạt — {}", reasons.unit.name), &fmt.title)?;
    write_headers(ws, 2, &REASONS_HEADERS, &fmt.header)?;
    let mut row = 3;
    for f in &reasons.finding_codes {
        ws.write_string(row, 0, &f.code)?;
        ws.write_string(row, 1, super::labels::field_label(&f.field))?;
        ws.write_string(row, 2, if f.severity == crate::rules::Severity::Error { "Lỗi" } else { "Cảnh báo" })?;
        ws.write_string(row, 3, &f.label)?;
        ws.write_number(row, 4, f.count as f64)?;
        row += 1;
    }
    row += 1;
    write_headers(ws, row, &["Trường sai khác với CSDL quốc gia về dân cư", "Số hồ sơ"], &fmt.header)?;
    row += 1;
    for m in &reasons.mismatch_fields {
        ws.write_string(row, 0, &m.label)?;
        ws.write_number(row, 1, m.count as f64)?;
        row += 1;
    }
    if !reasons.children.is_empty() {
        row += 1;
        write_headers(ws, row, &["Đơn vị", "Mã lỗi / trường", "Nội dung", "Số hồ sơ"], &fmt.header)?;
        row += 1;
        for child in &reasons.children {
            for f in &child.finding_codes {
                ws.write_string(row, 0, &child.unit.name)?;
                ws.write_string(row, 1, &f.code)?;
                ws.write_string(row, 2, &f.label)?;
                ws.write_number(row, 3, f.count as f64)?;
                row += 1;
            }
            for m in &child.mismatch_fields {
                ws.write_string(row, 0, &child.unit.name)?;
                ws.write_string(row, 1, format!("mismatch:{}", m.field))?;
                ws.write_string(row, 2, super::labels::mismatch_label(&m.field))?;
                ws.write_number(row, 3, m.count as f64)?;
                row += 1;
            }
        }
    }
    ws.set_column_width(0, 36)?;
    ws.set_column_width(1, 22)?;
    ws.set_column_width(2, 40)?;
    ws.set_column_width(3, 60)?;
    Ok(())
}

fn laggards_sheet(ws: &mut Worksheet, laggards: &Laggards, fmt: &Formats) -> Result<(), XlsxError> {
    ws.set_name(LAGGARDS_SHEET)?;
    ws.write_string_with_format(0, 0, "Đơn vị cần đôn đốc", &fmt.title)?;
    let headers = [
        "Thứ tự",
        "Đơn vị",
        "Tổng số",
        "Đã xác thực",
        "Tỉ lệ đã xác thực",
        "Dự kiến hoàn thành",
        "Nguy cơ trễ hạn",
        "Lý do chính",
        "Đơn vị liên hệ",
        "Điện thoại",
        "Thư điện tử",
    ];
    write_headers(ws, 2, &headers, &fmt.header)?;
    let mut row = 3;
    for l in &laggards.items {
        ws.write_number(row, 0, f64::from(l.rank))?;
        ws.write_string(row, 1, &l.unit.name)?;
        ws.write_number(row, 2, l.counters.total as f64)?;
        ws.write_number(row, 3, l.counters.verified as f64)?;
        ws.write_number_with_format(row, 4, l.counters.verified_share, &fmt.percent)?;
        if let Some(p) = &l.projection {
            if let Some(d) = p.projected_completion {
                ws.write_string(row, 5, date_vn(d))?;
            }
            ws.write_string(row, 6, if p.projected_to_miss { "Có" } else { "Không" })?;
        }
        let reasons: Vec<String> = l.top_reasons.iter().map(|r| format!("{} ({})", r.label, r.count)).collect();
        ws.write_string(row, 7, reasons.join("; "))?;
        if let Some(c) = &l.contact {
            ws.write_string(row, 8, &c.name)?;
            ws.write_string(row, 9, c.phone.as_deref().unwrap_or(""))?;
            ws.write_string(row, 10, c.email.as_deref().unwrap_or(""))?;
        }
        row += 1;
    }
    if row > 3 {
        let rules = [
            ConditionalFormatCell::new().set_rule(ConditionalFormatCellRule::LessThan(RED_BELOW)).set_format(&fmt.red),
            ConditionalFormatCell::new()
                .set_rule(ConditionalFormatCellRule::Between(RED_BELOW, GREEN_FROM - 1e-9))
                .set_format(&fmt.yellow),
            ConditionalFormatCell::new()
                .set_rule(ConditionalFormatCellRule::GreaterThanOrEqualTo(GREEN_FROM))
                .set_format(&fmt.green),
        ];
        for rule in &rules {
            ws.add_conditional_format(3, 4, row - 1, 4, rule)?;
        }
    }
    ws.set_column_width(1, 36)?;
    ws.set_column_width(7, 60)?;
    ws.set_column_width(8, 30)?;
    ws.set_column_width(10, 28)?;
    Ok(())
}

/// The workbook's bytes.
pub fn write(
    progress: &Progress,
    reasons: &Reasons,
    laggards: &Laggards,
    generated_at: DateTime<Utc>,
) -> Result<Vec<u8>, XlsxError> {
    let fmt = Formats::new();
    let mut wb = Workbook::new();
    summary(wb.add_worksheet(), progress, generated_at, &fmt)?;
    reasons_sheet(wb.add_worksheet(), reasons, &fmt)?;
    laggards_sheet(wb.add_worksheet(), laggards, &fmt)?;
    wb.save_to_buffer()
}
