//! The residence findings: Vietnamese messages naming the units involved, and params that carry
//! the same facts for the UI (codes, names, suggested post-2025 unit, split candidates).

use serde_json::{Value, json};

use super::parse::Part;
use super::resolve::Cand;
use crate::domain::admin_units::{MergePart, OldCommune, ResolvedResidence, Scheme, units};
use crate::rules::{Code, Field, Finding, Fix};

/// Finding params from `"key": value` pairs (each value as `json!` reads it, see [`Param`]);
/// null values are left out. Built straight into the finding's map: no JSON object to copy from.
///
/// The pairs are gathered first and the map built in one go (`BTreeMap::from_iter` sorts them,
/// then fills its nodes without a search per key); keys written in order make the sort a check.
macro_rules! params {
    ($($key:literal : $value:expr),* $(,)?) => {{
        let mut pairs: Vec<(String, Value)> = Vec::with_capacity([$($key),*].len());
        $(
            let value = Param::value(&$value);
            if !value.is_null() {
                pairs.push((String::from($key), value));
            }
        )*
        std::collections::BTreeMap::<String, Value>::from_iter(pairs)
    }};
}

/// A param's value as `json!` gives it, without going through serde's serializer (these are
/// built for every old address).
trait Param {
    fn value(&self) -> Value;
}

impl Param for str {
    fn value(&self) -> Value {
        Value::String(self.to_owned())
    }
}

impl Param for String {
    fn value(&self) -> Value {
        Value::String(self.clone())
    }
}

impl Param for bool {
    fn value(&self) -> Value {
        Value::Bool(*self)
    }
}

impl<T: Param + ?Sized> Param for &T {
    fn value(&self) -> Value {
        (**self).value()
    }
}

impl<T: Param> Param for Option<T> {
    fn value(&self) -> Value {
        self.as_ref().map_or(Value::Null, Param::value)
    }
}

impl<T: Param> Param for [T] {
    fn value(&self) -> Value {
        Value::Array(self.iter().map(Param::value).collect())
    }
}

impl<T: Param, const N: usize> Param for [T; N] {
    fn value(&self) -> Value {
        self.as_slice().value()
    }
}

impl<T: Param> Param for Vec<T> {
    fn value(&self) -> Value {
        self.as_slice().value()
    }
}

/// A finding on the residence with a precise message and params.
fn finding(code: Code, message: String, params: std::collections::BTreeMap<String, Value>) -> Finding {
    let mut f = Finding::new(Field::Residence, code);
    f.message = message;
    f.params = params;
    f
}

/// "A, B, C" from the non-empty names.
pub(super) fn join_names<'a>(names: impl IntoIterator<Item = Option<&'a str>>) -> String {
    let mut out = String::new();
    push_names(&mut out, names);
    out
}

/// Appends [`join_names`] to `out`.
fn push_names<'a>(out: &mut String, names: impl IntoIterator<Item = Option<&'a str>>) {
    let mut first = true;
    for name in names.into_iter().flatten().filter(|n| !n.is_empty()) {
        if !first {
            out.push_str(", ");
        }
        out.push_str(name);
        first = false;
    }
}

/// Codes and names of a candidate unit (for messages and params).
#[derive(Debug, Clone, Default)]
pub(super) struct Described {
    pub scheme: Option<Scheme>,
    pub province: Option<(&'static str, &'static str)>,
    pub district: Option<(&'static str, &'static str)>,
    pub commune: Option<(&'static str, &'static str)>,
}

impl Described {
    pub fn of(c: &Cand) -> Described {
        let u = units();
        let mut out = Described { scheme: Some(c.scheme), ..Described::default() };
        match c.scheme {
            Scheme::Pre2025 => {
                out.province = c.province.map(|i| u.old_province_at(i)).map(|p| (p.code, p.name));
                out.district = c.district.map(|i| u.old_district_at(i)).map(|d| (d.code, d.name));
                out.commune = c.commune.map(|i| u.old_commune_at(i)).map(|x| (x.code, x.name));
            }
            Scheme::Post2025 => {
                out.province = c.province.map(|i| u.new_province_at(i)).map(|p| (p.code, p.name));
                out.commune = c.commune.map(|i| u.new_commune_at(i)).map(|x| (x.code, x.name));
            }
        }
        out
    }

    /// "Phường Gia Viên, Quận Ngô Quyền, Thành phố Hải Phòng".
    pub fn full(&self) -> String {
        join_names([self.commune.map(|x| x.1), self.district.map(|x| x.1), self.province.map(|x| x.1)])
    }

    /// The parents only: "Quận Ngô Quyền, Thành phố Hải Phòng".
    pub fn parents(&self) -> String {
        join_names([self.district.map(|x| x.1), self.province.map(|x| x.1)])
    }

    pub fn json(&self) -> Value {
        json!({
            "scheme": self.scheme.map(Scheme::as_str),
            "provinceCode": self.province.map(|x| x.0),
            "provinceName": self.province.map(|x| x.1),
            "districtCode": self.district.map(|x| x.0),
            "districtName": self.district.map(|x| x.1),
            "communeCode": self.commune.map(|x| x.0),
            "communeName": self.commune.map(|x| x.1),
        })
    }
}

fn strip_nulls(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).collect()),
        other => other,
    }
}

/// Up to `max` descriptions joined with "; ", and "… (n nơi)" when there are more.
fn list(cands: &[Described], max: usize, show: impl Fn(&Described) -> String) -> String {
    let mut text = cands.iter().take(max).map(show).collect::<Vec<_>>().join("; ");
    if cands.len() > max {
        text.push_str(&format!("; … (tất cả {} nơi)", cands.len()));
    }
    text
}

fn candidates_json(cands: &[Described]) -> Value {
    Value::Array(cands.iter().take(20).map(|c| strip_nulls(c.json())).collect())
}

/// `params` with the candidates moved in (`json!` would serialize them again).
fn with_candidates(
    mut params: std::collections::BTreeMap<String, Value>,
    cands: &[Described],
) -> std::collections::BTreeMap<String, Value> {
    params.insert(String::from("candidates"), candidates_json(cands));
    params
}

/// `address_outdated_unit`: a pre-2025 unit, with the post-2025 unit to use. `read_as` is the
/// commune text when it was not the official name (a former name, an alias).
pub(super) fn outdated(res: &ResolvedResidence, superseded: Option<&OldCommune>, read_as: Option<&str>) -> Finding {
    let new = res.post2025.as_ref();
    // The message in one buffer.
    let mut message = String::with_capacity(256);
    if let Some(s) = superseded {
        message.push_str(s.name);
        message.push_str(" đã được sáp nhập");
        if let Some(n) = res.commune_name.as_deref() {
            message.push_str(" vào ");
            message.push_str(n);
        }
        message.push_str(" trong năm 2025. ");
    } else if let (Some(entered), Some(name)) = (read_as, res.commune_name.as_deref()) {
        message.push_str(&format!("“{entered}” được hiểu là {name} (tên cũ hoặc cách viết khác). "));
    }
    push_names(&mut message, [res.commune_name.as_deref(), res.district_name.as_deref(), res.province_name.as_deref()]);
    message.push_str(" là đơn vị hành chính trước 01/7/2025; nay thuộc ");
    if let Some(n) = new {
        push_names(&mut message, [n.commune_name.as_deref(), Some(n.province_name.as_str())]);
    }
    if !res.split_candidates.is_empty() {
        message.push_str(" (mặc định; đơn vị cũ đã bị chia, cần chọn lại)");
    } else if new.is_some_and(|n| n.commune_code.is_none()) {
        message.push_str(" (chưa xác định phường/xã mới)");
    }
    message.push('.');
    finding(
        Code::AddressOutdatedUnit,
        message,
        params! {
            "enteredCommune": read_as,
            "newCommuneCode": new.and_then(|n| n.commune_code.as_deref()),
            "newCommuneName": new.and_then(|n| n.commune_name.as_deref()),
            "newProvinceCode": new.map(|n| n.province_code.as_str()),
            "newProvinceName": new.map(|n| n.province_name.as_str()),
            "oldCommuneCode": res.commune_code,
            "oldCommuneName": res.commune_name,
            "oldDistrictCode": res.district_code,
            "oldDistrictName": res.district_name,
            "oldProvinceCode": res.province_code,
            "oldProvinceName": res.province_name,
            "split": !res.split_candidates.is_empty(),
            "supersededCommuneCode": superseded.map(|s| s.code),
            "supersededCommuneName": superseded.map(|s| s.name),
        },
    )
}

/// `address_outdated_unit` for a post-2025 commune typed with its pre-2025 province name.
pub(super) fn outdated_province(entered: &str, res: &ResolvedResidence) -> Finding {
    finding(
        Code::AddressOutdatedUnit,
        format!(
            "“{entered}” là tên tỉnh/thành phố trước 01/7/2025; {} nay thuộc {}.",
            res.commune_name.as_deref().unwrap_or("địa chỉ"),
            res.province_name.as_deref().unwrap_or_default()
        ),
        params! {
            "enteredProvince": entered,
            "newProvinceCode": res.province_code,
            "newProvinceName": res.province_name,
            "newCommuneCode": res.commune_code,
            "newCommuneName": res.commune_name,
            "split": false,
        },
    )
}

/// `address_split_unit`: every post-2025 commune the old one went to, the default named.
pub(super) fn split(res: &ResolvedResidence) -> Finding {
    let u = units();
    let code = res.commune_code.as_deref().unwrap_or_default();
    let targets = u.conversion(code);
    let default = targets.iter().find(|t| t.is_default);
    // The message in one buffer, the candidates straight from the table's names (no copy of a
    // target's unit, no list of names to join).
    let mut message = String::with_capacity(160 + 40 * targets.len());
    message.push_str(res.commune_name.as_deref().unwrap_or_default());
    message.push_str(" (");
    push_names(&mut message, [res.district_name.as_deref(), res.province_name.as_deref()]);
    message.push_str(&format!(") đã được chia vào {} phường/xã mới: ", targets.len()));
    for (i, t) in targets.iter().enumerate() {
        if i > 0 {
            message.push_str(", ");
        }
        message.push_str(t.new_commune_name);
        if t.is_default {
            message.push_str(" (mặc định)");
        }
    }
    message.push_str(". Cần chọn đúng đơn vị theo nơi ở thực tế.");
    let candidates: Vec<Value> = targets
        .iter()
        .map(|t| {
            let mut unit = serde_json::Map::new();
            unit.insert("provinceCode".into(), Value::from(t.new_province_code));
            unit.insert("provinceName".into(), Value::from(u.new_province(t.new_province_code).map_or("", |p| p.name)));
            unit.insert("communeCode".into(), Value::from(t.new_commune_code));
            unit.insert("communeName".into(), Value::from(t.new_commune_name));
            unit.insert("isDefault".into(), Value::Bool(t.is_default));
            let part = match t.merge_part {
                MergePart::Whole => "whole",
                MergePart::Partial => "partial",
            };
            unit.insert("mergePart".into(), Value::from(part));
            Value::Object(unit)
        })
        .collect();
    let mut params = params! {
        "defaultCommuneCode": default.map(|t| t.new_commune_code),
        "defaultCommuneName": default.map(|t| t.new_commune_name),
        "oldCommuneCode": res.commune_code,
        "oldCommuneName": res.commune_name,
    };
    // Moved in, not serialized again as `json!` would.
    params.insert(String::from("candidates"), Value::Array(candidates));
    finding(Code::AddressSplitUnit, message, params)
}

/// `address_incomplete`: resolved above commune level only.
pub(super) fn incomplete(res: &ResolvedResidence) -> Finding {
    let known = join_names([res.district_name.as_deref(), res.province_name.as_deref()]);
    finding(
        Code::AddressIncomplete,
        format!("Địa chỉ thường trú chỉ có {known}, còn thiếu phường/xã."),
        params! { "missing": ["commune"] },
    )
}

/// `address_unit_inferred`: a missing province (and/or pre-2025 district) filled from the commune.
pub(super) fn inferred(res: &ResolvedResidence, province: bool, district: bool, entered: &str) -> Finding {
    let mut added = Vec::new();
    let mut what = Vec::new();
    if district && let Some(d) = res.district_name.as_deref() {
        added.push(d);
        what.push("district");
    }
    if province && let Some(p) = res.province_name.as_deref() {
        added.push(p);
        what.push("province");
    }
    let full = join_names([res.commune_name.as_deref(), res.district_name.as_deref(), res.province_name.as_deref()]);
    let mut f = finding(
        Code::AddressUnitInferred,
        format!("Đã bổ sung {} suy ra từ “{entered}”.", added.join(", ")),
        params! { "inferred": what, "provinceName": res.province_name, "districtName": res.district_name },
    );
    f.fix = Some(Fix { from: entered.to_owned(), to: full });
    f
}

/// `address_ambiguous`: several units fit equally well.
pub(super) fn ambiguous(entered: &str, level_name: &str, cands: &[Described]) -> Finding {
    finding(
        Code::AddressAmbiguous,
        format!(
            "“{entered}” khớp với {} {level_name} khác nhau: {}. Hãy ghi đủ dấu và loại đơn vị (phường/xã/thị trấn, quận/huyện…).",
            cands.len(),
            list(cands, 5, Described::full)
        ),
        with_candidates(params! { "entered": entered }, cands),
    )
}

/// `address_province_unknown`.
pub(super) fn province_unknown(part: &Part) -> Finding {
    finding(
        Code::AddressProvinceUnknown,
        format!("Không tìm thấy tỉnh/thành phố “{}”.", part.raw),
        params! { "entered": part.raw },
    )
}

/// `address_district_unknown`, with the province searched when known.
pub(super) fn district_unknown(part: &Part, within: Option<&Described>) -> Finding {
    let place = within.map(Described::full).filter(|s| !s.is_empty());
    finding(
        Code::AddressDistrictUnknown,
        format!(
            "Không tìm thấy quận/huyện “{}”{}.",
            part.raw,
            place.as_deref().map_or(String::new(), |p| format!(" thuộc {p}"))
        ),
        params! {
            "entered": part.raw,
            "provinceCode": within.and_then(|w| w.province).map(|x| x.0),
            "provinceName": within.and_then(|w| w.province).map(|x| x.1),
        },
    )
}

/// `address_commune_unknown`, with the district/province searched when known.
pub(super) fn commune_unknown(part: &Part, within: Option<&Described>) -> Finding {
    let place = within.map(Described::full).filter(|s| !s.is_empty());
    finding(
        Code::AddressCommuneUnknown,
        format!(
            "Không tìm thấy phường/xã “{}”{}.",
            part.raw,
            place.as_deref().map_or(String::new(), |p| format!(" thuộc {p}"))
        ),
        params! {
            "entered": part.raw,
            "scheme": within.and_then(|w| w.scheme).map(Scheme::as_str),
            "provinceCode": within.and_then(|w| w.province).map(|x| x.0),
            "provinceName": within.and_then(|w| w.province).map(|x| x.1),
            "districtCode": within.and_then(|w| w.district).map(|x| x.0),
            "districtName": within.and_then(|w| w.district).map(|x| x.1),
        },
    )
}

/// `address_hierarchy_mismatch`: `child` (as typed) is not in `parent` (as typed); `actual`
/// lists where units of that name are (named when there is one).
pub(super) fn mismatch(child: &str, parent: &Part, parent_level: &str, actual: &[Described]) -> Finding {
    let where_ = match actual {
        [] => String::new(),
        [one] => format!("; {} thuộc {}", one_name(one), one.parents()),
        many => format!("; có {} nơi mang tên này: {}", many.len(), list(many, 3, Described::full)),
    };
    let (actual_province, actual_district) = match actual {
        [one] => (one.province, one.district),
        _ => (None, None),
    };
    let mut f = finding(
        Code::AddressHierarchyMismatch,
        format!("“{child}” không thuộc “{}”{where_}.", parent.raw),
        params! {
            "entered": child,
            "enteredParent": parent.raw,
            "parentLevel": parent_level,
            "actualProvinceCode": actual_province.map(|x| x.0),
            "actualProvinceName": actual_province.map(|x| x.1),
            "actualDistrictCode": actual_district.map(|x| x.0),
            "actualDistrictName": actual_district.map(|x| x.1),
        },
    );
    f.params.insert(String::from("candidates"), candidates_json(actual));
    f
}

fn one_name(d: &Described) -> &'static str {
    d.commune.or(d.district).or(d.province).map_or("", |x| x.1)
}
