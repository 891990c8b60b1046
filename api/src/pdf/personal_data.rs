//! The data-subject report: what dinhdanh holds about one child or staff member, where each
//! value came from, who changed it and who viewed it, and on what legal basis — the answer a
//! school gives a parent who asks (Decree 13/2023/NĐ-CP; the Law on Personal Data Protection).
//! Pure: the caller gathers a [`PersonalDataReport`] (values as stored, times in UTC) and
//! [`render`] lays it out as a printable A4 PDF in Vietnamese.
//!
//! ID numbers never appear in full: values of the `personalId` field are masked as everywhere
//! else (`0312******01`), and any other text is scrubbed of digit runs shaped like an ID number
//! (12 digits or more) or an old ID card number (9 digits) before it is laid out.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::PdfError;
use super::font::Style;
use super::layout::{Align, BODY, Column, Doc};
use crate::domain::clock::VIETNAM;
use crate::domain::personal_id::mask;

/// Whose data the report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    Student,
    Staff,
}

/// Where a value (or a change) came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Typed in by the school.
    Entered,
    /// From a spreadsheet import (with the file's name when known).
    Import { file: Option<String> },
    /// Taken from the national population database's answer.
    Registry,
    /// A safe automatic repair (spaces, case, Unicode form).
    AutoFix,
    /// Loaded when the system was set up.
    Initial,
}

impl Origin {
    fn label(&self) -> String {
        match self {
            Origin::Entered => "Nhà trường nhập trực tiếp".to_owned(),
            Origin::Import { file: Some(file) } => format!("Nhập từ tệp Excel ({file})"),
            Origin::Import { file: None } => "Nhập từ tệp Excel".to_owned(),
            Origin::Registry => "Từ CSDL quốc gia về dân cư".to_owned(),
            Origin::AutoFix => "Hệ thống tự chuẩn hoá".to_owned(),
            Origin::Initial => "Dữ liệu ban đầu".to_owned(),
        }
    }
}

/// One value held now.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldValue {
    /// The field's API name (`fullName`, `personalId`, `residenceCommune`…).
    pub field: String,
    /// The current value as stored (an ID number in full: the report masks it).
    pub value: Option<String>,
    pub origin: Origin,
    /// When the value was last set.
    pub at: Option<DateTime<Utc>>,
}

/// One change of the record.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub at: DateTime<Utc>,
    /// The account (or `system`) that made it.
    pub by: String,
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
    pub origin: Origin,
}

/// What an access was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessKind {
    /// The full ID number was shown.
    Reveal,
    /// The change history was opened.
    History,
    /// The record was part of an export.
    Export,
    /// An import report holding the record was downloaded.
    ImportReport,
    /// A data-subject report like this one was produced.
    DataSubjectReport,
}

impl AccessKind {
    fn label(self) -> &'static str {
        match self {
            AccessKind::Reveal => "Xem số định danh đầy đủ",
            AccessKind::History => "Xem lịch sử thay đổi",
            AccessKind::Export => "Xuất dữ liệu ra tệp",
            AccessKind::ImportReport => "Tải báo cáo nhập tệp",
            AccessKind::DataSubjectReport => "Lập báo cáo dữ liệu cá nhân",
        }
    }
}

/// One access to the record, from the access log.
#[derive(Debug, Clone, PartialEq)]
pub struct Access {
    pub at: DateTime<Utc>,
    /// The account that viewed it.
    pub by: String,
    pub kind: AccessKind,
    /// What exactly (a file name, the fields revealed…).
    pub detail: Option<String>,
}

/// The school that answers, and how to reach it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct School {
    pub name: String,
    /// The unit above it (`Phòng GDĐT quận Lê Chân`).
    pub parent: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// Why the data is processed: the campaign and its directive.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LegalBasis {
    /// The campaign's name.
    pub campaign: String,
    /// The directive's text (number, date, issuer, purpose), as the Department entered it.
    pub directive: String,
}

/// Everything the report shows.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonalDataReport {
    pub kind: SubjectKind,
    /// The record's id in dinhdanh.
    pub record_id: i64,
    pub full_name: String,
    /// The class (students) or position (staff).
    pub class_or_position: Option<String>,
    pub school: School,
    pub held: Vec<HeldValue>,
    pub changes: Vec<Change>,
    pub accesses: Vec<Access>,
    pub legal_basis: LegalBasis,
    /// The report's date (in Vietnam).
    pub issued_on: NaiveDate,
    /// Who produced it.
    pub issued_by: Option<String>,
}

/// The Vietnamese name of a field.
fn field_label(field: &str) -> &str {
    match field {
        "fullName" => "Họ và tên",
        "dateOfBirth" => "Ngày sinh",
        "gender" => "Giới tính",
        "personalId" => "Số định danh cá nhân",
        "residenceProvince" => "Thường trú: tỉnh, thành phố",
        "residenceDistrict" => "Thường trú: quận, huyện (cũ)",
        "residenceCommune" => "Thường trú: xã, phường",
        "residenceText" => "Địa chỉ thường trú",
        "sectorCode" => "Mã định danh ngành",
        "classId" | "class" => "Lớp",
        "position" => "Chức vụ",
        "status" => "Trạng thái xác thực",
        other => other,
    }
}

/// A value as shown: the ID number masked, empty values said so, any stray ID-shaped number
/// scrubbed.
fn shown(field: &str, value: Option<&str>) -> String {
    match value.map(str::trim) {
        None | Some("") => "(để trống)".to_owned(),
        Some(v) if field == "personalId" => mask(v),
        Some(v) => scrub(v),
    }
}

/// Masks every run of digits shaped like an ID number: 12 digits, an old ID card's 9, or 13 and
/// more (numbers run together). Phone numbers (10–11 digits) and dates are left alone.
pub fn scrub(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.len() == 9 || digits.len() >= 12 {
            out.push_str(&mask(digits));
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

fn time(at: DateTime<Utc>) -> String {
    at.with_timezone(&VIETNAM).format("%d/%m/%Y %H:%M").to_string()
}

fn long_date(d: NaiveDate) -> String {
    format!("Ngày {:02} tháng {:02} năm {}", d.day(), d.month(), d.year())
}

/// The report as PDF bytes.
pub fn render(report: &PersonalDataReport) -> Result<Vec<u8>, PdfError> {
    let mut doc = Doc::new();
    let school = &report.school;
    let parent = school.parent.as_deref().map(|p| p.to_uppercase()).unwrap_or_default();
    let school_name = school.name.to_uppercase();
    let mut left: Vec<(&str, Style, f32)> = Vec::new();
    if !parent.is_empty() {
        left.push((&parent, Style::Regular, 9.5));
    }
    left.push((&school_name, Style::Bold, 9.5));
    doc.side_by_side(
        &left,
        &[("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", Style::Bold, 9.5), ("Độc lập - Tự do - Hạnh phúc", Style::Bold, 9.5)],
    );
    doc.space(6.0);
    doc.paragraph(&long_date(report.issued_on), Style::Regular, BODY, Align::Right);
    doc.space(10.0);
    doc.paragraph("THÔNG BÁO", Style::Bold, 14.0, Align::Center);
    doc.paragraph("Về dữ liệu cá nhân nhà trường đang xử lý", Style::Bold, 12.0, Align::Center);
    let whom = match report.kind {
        SubjectKind::Student => "(trả lời yêu cầu của cha mẹ, người giám hộ học sinh)",
        SubjectKind::Staff => "(trả lời yêu cầu của cán bộ, giáo viên, nhân viên)",
    };
    doc.paragraph(whom, Style::Regular, BODY, Align::Center);
    doc.space(8.0);

    doc.heading("1. Người có dữ liệu");
    let subject = match report.kind {
        SubjectKind::Student => "Học sinh",
        SubjectKind::Staff => "Cán bộ, giáo viên, nhân viên",
    };
    let mut about = vec![
        vec!["Họ và tên".to_owned(), scrub(&report.full_name)],
        vec!["Đối tượng".to_owned(), subject.to_owned()],
        vec!["Đơn vị".to_owned(), scrub(&school.name)],
    ];
    if let Some(c) = &report.class_or_position {
        let label = if report.kind == SubjectKind::Student { "Lớp" } else { "Chức vụ" };
        about.push(vec![label.to_owned(), scrub(c)]);
    }
    about.push(vec!["Mã hồ sơ trên hệ thống".to_owned(), report.record_id.to_string()]);
    let pair = [Column { header: "", share: 1.0 }, Column { header: "", share: 2.2 }];
    doc.table(&pair, &about, false);

    doc.heading("2. Dữ liệu đang lưu giữ và nguồn của từng thông tin");
    let held: Vec<Vec<String>> = report
        .held
        .iter()
        .map(|h| {
            vec![
                field_label(&h.field).to_owned(),
                shown(&h.field, h.value.as_deref()),
                h.origin.label(),
                h.at.map(time).unwrap_or_default(),
            ]
        })
        .collect();
    doc.table(
        &[
            Column { header: "Thông tin", share: 1.25 },
            Column { header: "Giá trị hiện tại", share: 1.8 },
            Column { header: "Nguồn", share: 1.85 },
            Column { header: "Cập nhật lúc", share: 1.05 },
        ],
        &held,
        true,
    );
    doc.paragraph(
        "Số định danh cá nhân chỉ hiển thị dạng che (4 chữ số đầu và 2 chữ số cuối) trong thông báo này.",
        Style::Regular,
        9.0,
        Align::Left,
    );

    doc.heading("3. Lịch sử thay đổi");
    if report.changes.is_empty() {
        doc.paragraph("Chưa có thay đổi nào được ghi nhận.", Style::Regular, BODY, Align::Left);
    } else {
        let rows: Vec<Vec<String>> = report
            .changes
            .iter()
            .map(|c| {
                vec![
                    time(c.at),
                    scrub(&c.by),
                    field_label(&c.field).to_owned(),
                    format!("{} → {}", shown(&c.field, c.old.as_deref()), shown(&c.field, c.new.as_deref())),
                    c.origin.label(),
                ]
            })
            .collect();
        doc.table(
            &[
                Column { header: "Thời gian", share: 1.05 },
                Column { header: "Người thực hiện", share: 1.1 },
                Column { header: "Thông tin", share: 1.1 },
                Column { header: "Giá trị cũ → mới", share: 2.1 },
                Column { header: "Nguồn", share: 1.2 },
            ],
            &rows,
            true,
        );
    }

    doc.heading("4. Những lần dữ liệu được xem, xuất hoặc cung cấp");
    if report.accesses.is_empty() {
        doc.paragraph("Chưa có lượt truy cập nào được ghi nhận.", Style::Regular, BODY, Align::Left);
    } else {
        let rows: Vec<Vec<String>> = report
            .accesses
            .iter()
            .map(|a| {
                let what = match &a.detail {
                    Some(d) => format!("{}: {}", a.kind.label(), scrub(d)),
                    None => a.kind.label().to_owned(),
                };
                vec![time(a.at), scrub(&a.by), what]
            })
            .collect();
        doc.table(
            &[
                Column { header: "Thời gian", share: 1.0 },
                Column { header: "Tài khoản", share: 1.3 },
                Column { header: "Nội dung", share: 3.2 },
            ],
            &rows,
            true,
        );
    }
    doc.paragraph(
        "Kết quả đối chiếu với Cơ sở dữ liệu quốc gia về dân cư chỉ dùng để xác thực thông tin; hệ thống không \
         lưu bản sao dữ liệu dân cư.",
        Style::Regular,
        9.0,
        Align::Left,
    );

    doc.heading("5. Căn cứ và mục đích xử lý");
    let basis = &report.legal_basis;
    if !basis.campaign.trim().is_empty() {
        doc.paragraph(&format!("Đợt thu thập: {}.", scrub(basis.campaign.trim())), Style::Regular, BODY, Align::Left);
    }
    if !basis.directive.trim().is_empty() {
        doc.paragraph(
            &format!("Văn bản chỉ đạo: {}", scrub(basis.directive.trim())),
            Style::Regular,
            BODY,
            Align::Left,
        );
    }
    doc.paragraph(
        "Mục đích: làm sạch, chuẩn hoá và xác thực thông tin định danh của người học, cán bộ với Cơ sở dữ liệu \
         quốc gia về dân cư, phục vụ quản lý giáo dục. Căn cứ: Nghị định số 13/2023/NĐ-CP ngày 17/4/2023 của \
         Chính phủ về bảo vệ dữ liệu cá nhân và Luật Bảo vệ dữ liệu cá nhân (có hiệu lực từ ngày 01/01/2026).",
        Style::Regular,
        BODY,
        Align::Left,
    );

    doc.heading("6. Quyền của chủ thể dữ liệu và liên hệ");
    doc.paragraph(
        "Chủ thể dữ liệu (hoặc cha mẹ, người giám hộ của học sinh) có quyền được biết, yêu cầu chỉnh sửa thông tin \
         chưa đúng và được giải đáp về việc xử lý dữ liệu. Xin liên hệ:",
        Style::Regular,
        BODY,
        Align::Left,
    );
    let mut contact = vec![vec!["Đơn vị".to_owned(), scrub(&school.name)]];
    for (label, value) in [("Địa chỉ", &school.address), ("Điện thoại", &school.phone), ("Thư điện tử", &school.email)]
    {
        if let Some(v) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            contact.push(vec![label.to_owned(), v.to_owned()]);
        }
    }
    doc.table(&pair, &contact, false);
    if let Some(by) = &report.issued_by {
        doc.paragraph(&format!("Người lập: {}", scrub(by)), Style::Regular, 9.0, Align::Right);
    }

    let footer_left = format!("Thông báo dữ liệu cá nhân · {} · Mã hồ sơ {}", scrub(&school.name), report.record_id);
    let pages = doc.finish(|n, total| (footer_left.clone(), format!("Trang {n}/{total}")));
    super::write::pdf(&pages, &format!("Thông báo dữ liệu cá nhân - {}", scrub(&report.full_name)))
}

#[cfg(test)]
mod tests;
