//! Evidence slips ("Phiếu bổ sung giấy tờ"): the printable page a school hands to the families of
//! a class whose records the registry could not confirm — one slip per student on its own A5 or
//! A4 page, what to bring, the school's contact, the return deadline, and a tear-off return stub.
//! Pure: the route gathers the records, this renders them.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

/// Paper size of the slips: one slip per page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    #[default]
    A5,
    A4,
}

impl Paper {
    fn css(self) -> &'static str {
        match self {
            Paper::A5 => "A5",
            Paper::A4 => "A4",
        }
    }
}

/// How families reach the school (from the unit list).
#[derive(Debug, Clone, Default)]
pub struct SchoolContact {
    pub name: String,
    pub principal: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

/// One student's slip.
#[derive(Debug, Clone)]
pub struct Slip {
    pub full_name: String,
    /// As dd/mm/yyyy.
    pub date_of_birth: String,
    pub documents: Vec<&'static str>,
}

/// The page title, which the browser also offers as the file name when saving as PDF.
pub fn title(class_name: &str) -> String {
    format!("Phiếu bổ sung giấy tờ — {class_name}")
}

/// What the family must bring, from the registry's last answer (`not_found`, or the mismatched
/// fields).
pub fn documents_to_bring(last_outcome: Option<&str>, fields: &[String]) -> Vec<&'static str> {
    let mut out = Vec::new();
    if last_outcome == Some("not_found") || fields.is_empty() {
        out.push(
            "Thông báo số định danh cá nhân (hoặc Giấy xác nhận thông tin về cư trú) do cơ quan Công an cấp; \
             nếu con chưa được đăng ký khai sinh, xin liên hệ UBND cấp xã để đăng ký khai sinh.",
        );
    }
    for f in fields {
        out.push(match f.as_str() {
            "fullName" => "Giấy khai sinh hoặc Thông báo số định danh cá nhân (để đối chiếu họ và tên).",
            "dateOfBirth" => "Giấy khai sinh (để đối chiếu ngày sinh).",
            "gender" => "Giấy khai sinh (để đối chiếu giới tính).",
            "residence" => "Giấy xác nhận thông tin về cư trú (mẫu CT07) hoặc ảnh chụp thông tin cư trú trên VNeID.",
            _ => "Thông báo số định danh cá nhân.",
        });
    }
    out.dedup();
    out
}

/// Text safe inside HTML elements and attribute values.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// The whole printable page.
pub fn render(class_name: &str, school: &SchoolContact, slips: &[Slip], return_by: NaiveDate, paper: Paper) -> String {
    let class = escape(class_name);
    let deadline = return_by.format("%d/%m/%Y").to_string();
    let mut html = String::with_capacity(4096 + slips.len() * 2048);
    html.push_str(&format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>{title}</title><style>\
@page{{size:{paper};margin:10mm}}\
body{{font-family:'Times New Roman',serif;margin:0;color:#000}}\
.slip{{padding:4mm 2mm;break-after:page;page-break-after:always}}.slip:last-child{{break-after:auto;page-break-after:auto}}\
h1{{font-size:14pt;text-align:center;margin:2mm 0 3mm}}.school{{font-size:11pt;font-weight:bold;margin:0}}\
.contact{{font-size:10pt;margin:0 0 2mm}}p,li{{font-size:11.5pt;line-height:1.35}}ul{{margin:1mm 0 2mm 5mm;padding-left:4mm}}\
.deadline{{font-weight:bold}}.stub{{border-top:1px dashed #000;margin-top:5mm;padding-top:3mm}}\
.cut{{font-size:9pt;text-align:center;margin:-5.5mm 0 2mm}}.cut span{{background:#fff;padding:0 2mm}}\
.sign{{display:flex;justify-content:space-between;margin-top:3mm}}.empty{{margin:12mm}}\
@media screen{{body{{background:#eee}}.slip{{background:#fff;max-width:{width};margin:8mm auto;padding:10mm;box-shadow:0 1px 4px rgba(0,0,0,.2)}}}}\
</style></head><body>",
        title = escape(&title(class_name)),
        paper = paper.css(),
        width = if paper == Paper::A5 { "128mm" } else { "190mm" },
    ));
    if slips.is_empty() {
        html.push_str("<p class=\"empty\">Lớp không có học sinh nào đang chờ bổ sung giấy tờ.</p>");
    }
    let contact: Vec<String> = [
        school.address.as_deref().map(|a| format!("Địa chỉ: {}", escape(a))),
        school.phone.as_deref().map(|p| format!("Điện thoại: {}", escape(p))),
        school.email.as_deref().map(|e| format!("Thư điện tử: {}", escape(e))),
    ]
    .into_iter()
    .flatten()
    .collect();
    for s in slips {
        let name = escape(&s.full_name);
        let dob = escape(&s.date_of_birth);
        html.push_str("<section class=\"slip\">");
        html.push_str(&format!("<p class=\"school\">{}</p>", escape(&school.name)));
        if !contact.is_empty() {
            html.push_str(&format!("<p class=\"contact\">{}</p>", contact.join(" · ")));
        }
        html.push_str("<h1>PHIẾU ĐỀ NGHỊ BỔ SUNG GIẤY TỜ</h1>");
        html.push_str(&format!(
            "<p>Kính gửi phụ huynh học sinh <b>{name}</b>, lớp <b>{class}</b>, ngày sinh {dob}.</p>\
<p>Thông tin của học sinh chưa khớp với Cơ sở dữ liệu quốc gia về dân cư. Xin phụ huynh mang đến \
giáo viên chủ nhiệm (bản chụp hoặc bản sao):</p><ul>"
        ));
        for doc in &s.documents {
            html.push_str(&format!("<li>{}</li>", escape(doc)));
        }
        html.push_str(&format!(
            "</ul><p>Hạn nộp: <span class=\"deadline\">trước ngày {deadline}</span>. Nhà trường xin cảm ơn.</p>"
        ));
        let principal = school.principal.as_deref().map(escape).unwrap_or_default();
        html.push_str(&format!(
            "<div class=\"sign\"><span></span><span>Nhà trường<br>{principal}</span></div>\
<div class=\"stub\"><p class=\"cut\"><span>✂ cắt theo đường này, phụ huynh gửi lại nhà trường</span></p>\
<p><b>PHIẾU HỒI ÂM</b> — học sinh <b>{name}</b>, lớp <b>{class}</b>.</p>\
<p>Tôi đã nhận phiếu và sẽ nộp giấy tờ trước ngày {deadline}.</p>\
<div class=\"sign\"><span>Ngày ..... / ..... / ..........</span><span>Phụ huynh ký, ghi rõ họ tên</span></div></div>"
        ));
        html.push_str("</section>");
    }
    html.push_str("</body></html>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn school() -> SchoolContact {
        SchoolContact {
            name: "Trường THCS Lê Lợi".into(),
            principal: Some("Nguyễn Thị Lan".into()),
            phone: Some("0225 3850 123".into()),
            email: None,
            address: Some("12 Lạch Tray, Ngô Quyền".into()),
        }
    }

    fn slip(name: &str) -> Slip {
        Slip {
            full_name: name.into(),
            date_of_birth: "17/07/2015".into(),
            documents: documents_to_bring(Some("mismatched"), &["dateOfBirth".into()]),
        }
    }

    #[test]
    fn what_to_bring_follows_the_registrys_answer() {
        let cases: [(Option<&str>, &[&str], &[&str]); 4] = [
            (Some("not_found"), &[], &["Thông báo số định danh"]),
            (Some("mismatched"), &["dateOfBirth"], &["Giấy khai sinh (để đối chiếu ngày sinh)."]),
            (Some("mismatched"), &["residence"], &["mẫu CT07"]),
            (Some("mismatched"), &["dateOfBirth", "gender"], &["ngày sinh", "giới tính"]),
        ];
        for (outcome, fields, want) in cases {
            let fields: Vec<String> = fields.iter().map(|f| (*f).to_owned()).collect();
            let got = documents_to_bring(outcome, &fields);
            assert_eq!(got.len(), want.len(), "{outcome:?} {fields:?}: {got:?}");
            for (g, w) in got.iter().zip(want) {
                assert!(g.contains(w), "{g} should mention {w}");
            }
        }
    }

    #[test]
    fn one_slip_per_page_with_contact_deadline_and_stub() {
        let date = NaiveDate::from_ymd_opt(2026, 12, 14).expect("date");
        let html = render("8A4", &school(), &[slip("Lê Tuệ Hân"), slip("Trần <b>An</b>")], date, Paper::A5);
        assert!(html.contains("<title>Phiếu bổ sung giấy tờ — 8A4</title>"));
        assert!(html.contains("size:A5"));
        assert_eq!(html.matches("<section class=\"slip\">").count(), 2);
        assert_eq!(html.matches("PHIẾU HỒI ÂM").count(), 2, "a tear-off stub per slip");
        assert_eq!(html.matches("trước ngày 14/12/2026").count(), 4, "deadline on the slip and on the stub");
        assert!(html.contains("Điện thoại: 0225 3850 123") && html.contains("Địa chỉ: 12 Lạch Tray"));
        assert!(html.contains("Nguyễn Thị Lan"));
        assert!(html.contains("Trần &lt;b&gt;An&lt;/b&gt;"), "names are escaped");
        assert!(!html.contains("Trần <b>An"));
        let a4 = render("8A4", &school(), &[slip("Lê Tuệ Hân")], date, Paper::A4);
        assert!(a4.contains("size:A4"));
        let none = render("8A4", &school(), &[], date, Paper::A5);
        assert!(none.contains("không có học sinh nào"));
    }
}
