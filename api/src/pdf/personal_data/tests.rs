//! The report rendered and read back with poppler's `pdftotext` (Debian's `poppler-utils`,
//! installed by `.ci/run`): the Vietnamese text comes out exactly, ID numbers only masked,
//! long histories continue on further pages.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use super::*;

const ID: &str = "031215000001";
const OLD_ID: &str = "031215000009";
const CMND: &str = "031456789";

fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, minute, 0).single().expect("valid time")
}

fn report(changes: usize, accesses: usize) -> PersonalDataReport {
    let held = vec![
        HeldValue {
            field: "fullName".into(),
            value: Some("Nguyễn Thị Ngọc Ánh".into()),
            origin: Origin::Registry,
            at: Some(at(3, 2, 5)),
        },
        HeldValue {
            field: "dateOfBirth".into(),
            value: Some("15/03/2015".into()),
            origin: Origin::Import { file: Some("lop-6a-nam-hoc-2026.xlsx".into()) },
            at: Some(at(2, 1, 15)),
        },
        HeldValue {
            field: "gender".into(), value: Some("Nữ".into()), origin: Origin::Entered, at: Some(at(2, 1, 15))
        },
        HeldValue {
            field: "personalId".into(),
            value: Some(ID.into()),
            origin: Origin::Import { file: None },
            at: Some(at(2, 1, 15)),
        },
        HeldValue {
            field: "residenceCommune".into(),
            value: Some("Phường Lê Chân".into()),
            origin: Origin::AutoFix,
            at: Some(at(2, 1, 16)),
        },
        HeldValue { field: "residenceText".into(), value: None, origin: Origin::Initial, at: None },
    ];
    let mut all_changes = vec![
        Change {
            at: at(2, 1, 15),
            by: "school-a1".into(),
            field: "personalId".into(),
            old: Some(OLD_ID.into()),
            new: Some(ID.into()),
            origin: Origin::Import { file: Some("lop-6a.xlsx".into()) },
        },
        Change {
            at: at(3, 2, 5),
            by: "system".into(),
            field: "fullName".into(),
            old: Some("Nguyễn Thị Ngọc Anh".into()),
            new: Some("Nguyễn Thị Ngọc Ánh".into()),
            origin: Origin::Registry,
        },
    ];
    for i in 0..changes {
        all_changes.push(Change {
            at: at(4, 3, 0) + Duration::minutes(i as i64),
            by: format!("gv-6a-{i}"),
            field: "residenceText".into(),
            old: Some(format!("Số {i} ngõ Hàng Kênh, phường Lê Chân")),
            new: Some(format!("Số {} ngõ Hàng Kênh, phường Lê Chân", i + 1)),
            origin: Origin::Entered,
        });
    }
    let mut all_accesses = vec![
        Access {
            at: at(5, 8, 30),
            by: "school-a1".into(),
            kind: AccessKind::Reveal,
            detail: Some(format!("số định danh {ID}")),
        },
        Access {
            at: at(6, 9, 0),
            by: "district-a".into(),
            kind: AccessKind::Export,
            detail: Some("danh-sach-lop-6a.xlsx".into()),
        },
        Access { at: at(7, 10, 0), by: "school-a1".into(), kind: AccessKind::History, detail: None },
    ];
    for i in 0..accesses {
        all_accesses.push(Access {
            at: at(8, 1, 0) + Duration::minutes(i as i64),
            by: format!("can-bo-{i}"),
            kind: AccessKind::History,
            detail: None,
        });
    }
    PersonalDataReport {
        kind: SubjectKind::Student,
        record_id: 4217,
        full_name: "Nguyễn Thị Ngọc Ánh".into(),
        class_or_position: Some("6A".into()),
        school: School {
            name: "Trường THCS Lê Chân".into(),
            parent: Some("Phòng GDĐT quận Lê Chân".into()),
            address: Some("Số 2 phố Hàng Kênh, phường Lê Chân, thành phố Hải Phòng".into()),
            phone: Some("0225 3857 264".into()),
            email: Some("thcslechan@haiphong.edu.vn".into()),
        },
        held,
        changes: all_changes,
        accesses: all_accesses,
        legal_basis: LegalBasis {
            campaign: "Thu thập, xác thực số định danh cá nhân học sinh năm học 2026-2027".into(),
            directive: format!(
                "Công văn số 1234/SGDĐT-VP ngày 01/10/2026 của Sở Giáo dục và Đào tạo về việc rà soát, xác thực \
                 thông tin định danh của học sinh (ví dụ mẫu: {CMND})."
            ),
        },
        issued_on: NaiveDate::from_ymd_opt(2026, 12, 5).expect("date"),
        issued_by: Some("Văn thư nhà trường".into()),
    }
}

/// The text poppler extracts, with every run of white space (line breaks inside table cells
/// included) as one space, and the number of pages.
fn extract(pdf: &[u8]) -> (String, usize) {
    let dir = std::env::temp_dir().join(format!("dinhdanh-pdf-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let path = dir.join("bao-cao.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    let out = std::process::Command::new("pdftotext").args(["-enc", "UTF-8"]).arg(&path).arg("-").output();
    let _ = std::fs::remove_dir_all(&dir);
    let out = out.expect("pdftotext runs (apt-get install poppler-utils; .ci/run installs it)");
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let pages = text.matches('\u{c}').count();
    (format!(" {} ", text.split_whitespace().collect::<Vec<_>>().join(" ")), pages)
}

/// Digit runs of 9, 12 or more in a text.
fn id_shaped(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_digit()).filter(|r| r.len() == 9 || r.len() >= 12).map(str::to_owned).collect()
}

#[test]
fn the_report_reads_back_in_vietnamese_with_numbers_masked() {
    let pdf = render(&report(0, 0)).expect("renders");
    assert!(pdf.starts_with(b"%PDF-"));
    let (text, pages) = extract(&pdf);
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "PHÒNG GDĐT QUẬN LÊ CHÂN",
        "TRƯỜNG THCS LÊ CHÂN",
        "Ngày 05 tháng 12 năm 2026",
        "THÔNG BÁO",
        "Về dữ liệu cá nhân nhà trường đang xử lý",
        "Nguyễn Thị Ngọc Ánh",
        "Số định danh cá nhân",
        "0312******01",
        "0312******09 → 0312******01",
        "Nguyễn Thị Ngọc Anh → Nguyễn Thị Ngọc Ánh",
        "Từ CSDL quốc gia về dân cư",
        "Nhập từ tệp Excel",
        "lop-6a-nam-hoc-2026.xlsx",
        "Nhà trường nhập trực tiếp",
        "Hệ thống tự chuẩn hoá",
        "(để trống)",
        // Times in Vietnam: 01:15 UTC is 08:15 in Hải Phòng.
        "02/11/2026 08:15",
        "Xem số định danh đầy đủ: số định danh 0312******01",
        "Xuất dữ liệu ra tệp: danh-sach-lop-6a.xlsx",
        "Thu thập, xác thực số định danh cá nhân học sinh năm học 2026-2027",
        "Công văn số 1234/SGDĐT-VP ngày 01/10/2026",
        "0314***89",
        "Nghị định số 13/2023/NĐ-CP",
        "Luật Bảo vệ dữ liệu cá nhân",
        "thcslechan@haiphong.edu.vn",
        "0225 3857 264",
        "Người lập: Văn thư nhà trường",
        "Trang 1/",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(text.contains(&format!("Trang {pages}/{pages}")), "{pages} pages");
    assert!(id_shaped(&text).is_empty(), "unmasked numbers: {:?}", id_shaped(&text));
    for full in [ID, OLD_ID, CMND] {
        assert!(!text.contains(full), "{full} in:\n{text}");
    }
    // Nor in the file's bytes (streams are compressed, the document information is not).
    assert!(!pdf.windows(ID.len()).any(|w| w == ID.as_bytes()));
}

#[test]
fn long_histories_continue_on_further_pages() {
    let pdf = render(&report(150, 120)).expect("renders");
    let (text, pages) = extract(&pdf);
    assert!(pages >= 5, "{pages} pages");
    assert!(text.contains(&format!("Trang {pages}/{pages}")), "the last page is numbered");
    // Every row is there once, and each table's header repeats on the pages it continues on.
    for i in 0..150 {
        assert_eq!(text.matches(&format!(" gv-6a-{i} ")).count(), 1, "change {i}");
    }
    for i in 0..120 {
        assert_eq!(text.matches(&format!(" can-bo-{i} ")).count(), 1, "access {i}");
    }
    assert!(text.matches("Giá trị cũ → mới").count() >= 3, "the changes' header repeats");
    assert!(text.contains("6. Quyền của chủ thể dữ liệu và liên hệ"));
    assert!(id_shaped(&text).is_empty(), "{:?}", id_shaped(&text));
}

#[test]
fn a_staff_members_report_and_an_empty_history() {
    let mut r = report(0, 0);
    r.kind = SubjectKind::Staff;
    r.class_or_position = Some("Giáo viên".into());
    r.changes.clear();
    r.accesses.clear();
    r.issued_by = None;
    let (text, _) = extract(&render(&r).expect("renders"));
    for expected in [
        "(trả lời yêu cầu của cán bộ, giáo viên, nhân viên)",
        "Cán bộ, giáo viên, nhân viên",
        "Chức vụ",
        "Giáo viên",
        "Chưa có thay đổi nào được ghi nhận.",
        "Chưa có lượt truy cập nào được ghi nhận.",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(!text.contains("Người lập"));
}

#[test]
fn scrub_masks_id_shaped_numbers_only() {
    let cases = [
        ("số 031215000001 đã sửa", "số 0312******01 đã sửa"),
        ("CMND 031456789", "CMND 0314***89"),
        ("điện thoại 02253857264", "điện thoại 02253857264"),
        ("ngày 15/03/2015", "ngày 15/03/2015"),
        ("0312150000011", "0312*******11"),
        ("031215000001031215000002", "0312******************02"),
        ("031215000001,031215000002", "0312******01,0312******02"),
        ("", ""),
    ];
    for (input, expected) in cases {
        assert_eq!(scrub(input), expected, "{input}");
    }
}
