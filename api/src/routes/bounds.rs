//! Bounds of list parameters and request lists, one place: every page number, page size, limit
//! and id list a client sends is checked here and refused with 422 `validation_failed` (field
//! code `range` or `too_many`) rather than reaching the database as a number no query can use.
//! The same constants feed the OpenAPI document (`minimum`/`maximum`, `maxItems`).

use crate::error::{ApiError, ApiResult};

/// The highest page number any list answers (beyond it a list is empty anyway).
pub const MAX_PAGE: u64 = 1_000_000;
/// Most ids in one request's `personIds`.
pub const MAX_PERSON_IDS: usize = 100_000;

/// A 1-based page number, 1 when absent.
pub fn page(value: Option<u64>) -> ApiResult<u64> {
    in_range("page", value.unwrap_or(1), 1, MAX_PAGE)
}

/// A count parameter (`pageSize`, `limit`): `default` when absent, else within `1..=max`.
pub fn count(name: &str, value: Option<u64>, default: u64, max: u64) -> ApiResult<u64> {
    in_range(name, value.unwrap_or(default), 1, max)
}

fn in_range(name: &str, value: u64, min: u64, max: u64) -> ApiResult<u64> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(ApiError::field(name, "range", format!("{name} phải từ {min} đến {max}.")))
    }
}

/// A list of ids in a body: at most [`MAX_PERSON_IDS`].
pub fn person_ids(pointer: &str, ids: Option<&Vec<i64>>) -> ApiResult<()> {
    match ids {
        Some(ids) if ids.len() > MAX_PERSON_IDS => Err(ApiError::field(
            pointer,
            "too_many",
            format!("Gửi tối đa {MAX_PERSON_IDS} hồ sơ một lần (đã gửi {}); hãy chia nhỏ.", ids.len()),
        )),
        _ => Ok(()),
    }
}

/// A file name fit for a `Content-Disposition` header: ASCII letters, digits, `.`, `-` and
/// `_` only (anything else, control characters included, becomes `_`), at most 150 bytes.
pub fn attachment_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .take(150)
        .collect();
    if out.trim_matches(['.', '_']).is_empty() {
        out = "tep.xlsx".to_owned();
    }
    out
}

/// An uploaded file's name as it is kept: control characters and path separators dropped,
/// surrounding spaces trimmed, at most 200 characters; `tep-tai-len` when nothing is left.
pub fn upload_name(name: &str) -> String {
    let kept: String =
        name.chars().filter(|c| !c.is_control() && !matches!(c, '/' | '\\')).take(200).collect::<String>();
    let kept = kept.trim();
    if kept.is_empty() { "tep-tai-len".to_owned() } else { kept.to_owned() }
}

/// `attachment; filename="…"` for this name.
pub fn content_disposition(name: &str) -> String {
    format!("attachment; filename=\"{}\"", attachment_name(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_counts_out_of_range_are_refused() {
        assert_eq!(page(None).ok(), Some(1));
        assert_eq!(page(Some(MAX_PAGE)).ok(), Some(MAX_PAGE));
        for bad in [0, MAX_PAGE + 1, i64::MAX as u64, u64::MAX] {
            let e = page(Some(bad)).expect_err("out of range");
            assert_eq!(e.errors[0].code, "range");
            assert_eq!(e.errors[0].pointer, "page");
        }
        assert_eq!(count("pageSize", None, 50, 500).ok(), Some(50));
        assert!(count("pageSize", Some(0), 50, 500).is_err());
        assert!(count("pageSize", Some(501), 50, 500).is_err());
    }

    #[test]
    fn attachment_names_keep_only_safe_ascii() {
        for (name, want) in [
            ("ket-qua-lop 6A.xlsx", "ket-qua-lop_6A.xlsx"),
            ("ket-qua-\u{1}\r\n.xlsx", "ket-qua-___.xlsx"),
            ("ket-qua-Lớp-6A.xlsx", "ket-qua-L_p-6A.xlsx"),
            ("\"; filename=x.exe", "___filename_x.exe"),
            ("\u{1}", "tep.xlsx"),
        ] {
            assert_eq!(attachment_name(name), want, "{name:?}");
        }
        assert_eq!(attachment_name(&"a".repeat(400)).len(), 150);
        assert_eq!(upload_name("..\\lớp\u{1}6A\r\n.xlsx "), "..lớp6A.xlsx");
        assert_eq!(upload_name("\u{1}\u{7f}"), "tep-tai-len");
        assert_eq!(upload_name(&"ă".repeat(300)).chars().count(), 200);
    }
}
