//! The fast path of a structured residence: the three cells as typed are folded, without
//! allocating, into the key the slow path would see (the tone keys of `keys::tokenize`, tokens
//! joined by a space, cells by a unit separator) and looked up in a table of the spellings the
//! lists give for every unit (official names; without diacritics; with abbreviated type words;
//! the province without its type word), for both schemes.
//!
//! The outcome of a key is the slow path's outcome for the first input met with that key, kept
//! for the life of the process. Two inputs with one key give the slow path the same tokens, so
//! they resolve alike; only the text as typed may differ, and it shows in messages only when the
//! address does not resolve cleanly. An outcome is kept only when the slow path gives the same
//! outcome for the input written in capitals (another text, the same tokens); otherwise the key
//! always goes the slow way. A cell of digits only (a unit code) is never folded.

use std::rc::Rc;
use std::sync::{LazyLock, OnceLock};

use super::ResidenceOutcome;
use crate::domain::admin_units::fast_hash::FastMap;
use crate::domain::admin_units::keys::{for_each_folded, is_mark};
use crate::domain::admin_units::units;
use crate::domain::text::is_zero_width;
use crate::rules::ResidenceInput;

const CAP: usize = 256;
const CELL_SEPARATOR: u8 = 0x1F;

/// A key on the stack.
pub(super) struct KeyBuf {
    bytes: [u8; CAP],
    len: usize,
}

impl KeyBuf {
    pub(super) fn new() -> KeyBuf {
        KeyBuf { bytes: [0; CAP], len: 0 }
    }

    pub(super) fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    fn push(&mut self, c: char) -> Option<()> {
        let n = c.len_utf8();
        let end = self.len.checked_add(n).filter(|&e| e <= CAP)?;
        c.encode_utf8(&mut self.bytes[self.len..end]);
        self.len = end;
        Some(())
    }
}

fn is_tone_mark(c: char) -> bool {
    matches!(c, '\u{0300}' | '\u{0301}' | '\u{0303}' | '\u{0309}' | '\u{0323}')
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`' | '\u{00B4}' | '\u{2032}')
}

/// The token being folded, as `keys::tokenize` builds it.
struct Tok {
    start: usize,
    tokens: usize,
    empty: bool,
    tone_mark: Option<char>,
    last_is_letter: bool,
    all_digits: bool,
}

impl Tok {
    fn finish(&mut self, buf: &mut KeyBuf) -> Option<()> {
        if self.empty {
            self.tone_mark = None;
            return Some(());
        }
        if let Some(mark) = self.tone_mark.take() {
            buf.push(mark)?;
        }
        if self.all_digits {
            // Leading zeros go ("07" = "7"), a zero stays a zero.
            let digits = &buf.bytes[self.start..buf.len];
            let zeros = digits.iter().take_while(|&&b| b == b'0').count().min(digits.len() - 1);
            buf.bytes.copy_within(self.start + zeros..buf.len, self.start);
            buf.len -= zeros;
        }
        self.empty = true;
        self.last_is_letter = false;
        self.all_digits = false;
        Some(())
    }

    fn base(&mut self, buf: &mut KeyBuf, c: char) -> Option<()> {
        if self.empty {
            if self.tokens > 0 {
                buf.push(' ')?;
            }
            self.tokens += 1;
            self.empty = false;
            self.all_digits = true;
            self.start = buf.len;
        }
        self.all_digits &= c.is_ascii_digit();
        self.last_is_letter = !c.is_ascii_digit();
        buf.push(if c == 'ð' { 'đ' } else { c })
    }

    fn char(&mut self, buf: &mut KeyBuf, c: char) -> Option<()> {
        if is_mark(c) {
            if self.empty {
                return Some(());
            }
            if is_tone_mark(c) {
                self.tone_mark = Some(c);
                return Some(());
            }
            return buf.push(c);
        }
        if c.is_alphanumeric() {
            // "P8": digits end a word; "8Q10": letters end a number.
            let digit = c.is_ascii_digit();
            if (digit && self.last_is_letter) || (!digit && !self.empty && self.all_digits) {
                self.finish(buf)?;
            }
            return self.base(buf, c);
        }
        if is_apostrophe(c) {
            return Some(());
        }
        self.finish(buf)
    }
}

/// Appends one cell's tone keys (tokens joined by a space) and a cell separator. `None` when the
/// key does not fit, or the cell is a code or holds a comma (a pasted address).
pub(super) fn push_cell(buf: &mut KeyBuf, text: &str) -> Option<()> {
    let trimmed = text.trim();
    if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut tok = Tok { start: 0, tokens: 0, empty: true, tone_mark: None, last_is_letter: false, all_digits: false };
    for original in text.chars() {
        if original == ',' {
            return None;
        }
        if is_zero_width(original) {
            // Dropped before tokenizing (`collapse_whitespace`).
            continue;
        }
        if original.is_ascii() {
            tok.char(buf, original.to_ascii_lowercase())?;
            continue;
        }
        let mut result = Some(());
        for_each_folded(original, |c| {
            if result.is_some() {
                result = tok.char(buf, c);
            }
        });
        result?;
    }
    tok.finish(buf)?;
    let end = buf.len.checked_add(1).filter(|&e| e <= CAP)?;
    buf.bytes[buf.len] = CELL_SEPARATOR;
    buf.len = end;
    Some(())
}

/// The key of a structured residence.
pub(super) fn key_of(input: &ResidenceInput, buf: &mut KeyBuf) -> Option<()> {
    for cell in [&input.province, &input.district, &input.commune] {
        push_cell(buf, cell.as_deref().unwrap_or(""))?;
    }
    Some(())
}

/// The three cells as typed, each followed by a unit separator (absent = empty). `None` when
/// the text does not fit or a cell holds the separator itself (the cells would run together).
fn text_of(input: &ResidenceInput, buf: &mut KeyBuf) -> Option<()> {
    for cell in [&input.province, &input.district, &input.commune] {
        push_text(buf, cell.as_deref().unwrap_or(""))?;
    }
    Some(())
}

/// Appends one cell as typed and a unit separator (see [`text_of`]).
fn push_text(buf: &mut KeyBuf, text: &str) -> Option<()> {
    let text = text.as_bytes();
    if text.contains(&CELL_SEPARATOR) {
        return None;
    }
    let end = buf.len.checked_add(text.len() + 1).filter(|&e| e <= CAP)?;
    buf.bytes[buf.len..end - 1].copy_from_slice(text);
    buf.bytes[end - 1] = CELL_SEPARATOR;
    buf.len = end;
    Some(())
}

/// Keys (or texts) of spellings → their slot in [`Table::outcomes`].
type Slots = FastMap<Box<[u8]>, u32>;

struct Table {
    by_key: Slots,
    /// The same spellings as written (cells each followed by a unit separator) → their slot:
    /// most inputs are typed exactly so and need no folding.
    by_text: Slots,
    /// Boxed: most keys are never met, and an empty slot is then 16 bytes, not an outcome's size.
    outcomes: Vec<OnceLock<Option<Box<ResidenceOutcome>>>>,
}

/// The name without its type word ("Tỉnh Hà Tĩnh" → "Hà Tĩnh").
fn bare(name: &str) -> &str {
    const WORDS: [&str; 9] =
        ["Thành phố ", "Thị trấn ", "Thị xã ", "Đặc khu ", "Tỉnh ", "Phường ", "Quận ", "Huyện ", "Xã "];
    WORDS.iter().find_map(|w| name.strip_prefix(w)).unwrap_or(name)
}

/// The name with its type word abbreviated as clerks do ("TP. Hải Phòng", "P. Lạch Tray", "P8").
fn abbreviated(name: &str) -> String {
    const SHORT: [(&str, &str); 9] = [
        ("Thành phố ", "TP."),
        ("Thị trấn ", "TT."),
        ("Thị xã ", "TX."),
        ("Đặc khu ", "Đặc khu "),
        ("Phường ", "P."),
        ("Quận ", "Q."),
        ("Huyện ", "H."),
        ("Tỉnh ", ""),
        ("Xã ", "X."),
    ];
    for (long, short) in SHORT {
        if let Some(rest) = name.strip_prefix(long) {
            return format!("{short} {rest}");
        }
    }
    name.to_owned()
}

/// How many spellings of a unit's names are indexed: as is, without diacritics, abbreviated, and
/// the province without its type word.
const SPELLINGS: usize = 4;

/// A name in spelling `i` of [`SPELLINGS`] (the last one bares a province only).
fn spelling(name: &str, i: usize, province: bool) -> String {
    match i {
        1 => crate::domain::text::fold_ascii(name),
        2 => abbreviated(name),
        3 if province => bare(name).to_owned(),
        _ => name.to_owned(),
    }
}

/// One cell's share of a table entry, each with its separator: its key (`None` where
/// [`push_cell`] gives none) and its text as written (`None` where [`push_text`] gives none).
struct CellParts {
    key: Option<Vec<u8>>,
    text: Option<Vec<u8>>,
}

impl CellParts {
    fn of(cell: &str) -> CellParts {
        let mut buf = KeyBuf::new();
        let key = push_cell(&mut buf, cell).map(|()| buf.as_bytes().to_vec());
        let mut buf = KeyBuf::new();
        let text = push_text(&mut buf, cell).map(|()| buf.as_bytes().to_vec());
        CellParts { key, text }
    }

    /// The parts of a name in every spelling.
    fn spellings(name: &str, province: bool) -> [CellParts; SPELLINGS] {
        std::array::from_fn(|i| CellParts::of(&spelling(name, i, province)))
    }
}

/// Three cells' parts joined, as [`key_of`] or [`text_of`] would write them at once; `None` when
/// one is missing or they do not fit.
fn joined(parts: [Option<&[u8]>; 3]) -> Option<Box<[u8]>> {
    let [p, d, c] = parts;
    let (p, d, c) = (p?, d?, c?);
    (p.len() + d.len() + c.len() <= CAP).then(|| [p, d, c].concat().into_boxed_slice())
}

/// Every spelling of every unit of both schemes, keyed. A province's and a district's cells are
/// folded once, not once for each of their communes: the table is built before the first row
/// of a `check` and of a server's first residence.
static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let u = units();
    let (mut by_key, mut by_text) = (Slots::default(), Slots::default());
    // 53,386 keys and 53,394 texts: 65,536 buckets each, grown into without a rehash.
    by_key.reserve(56_000);
    by_text.reserve(56_000);
    let mut add = |cells: [&CellParts; 3]| {
        let Some(key) = joined(cells.map(|c| c.key.as_deref())) else { return };
        let next = u32::try_from(by_key.len()).unwrap_or(u32::MAX);
        let at = *by_key.entry(key).or_insert(next);
        if let Some(text) = joined(cells.map(|c| c.text.as_deref())) {
            by_text.entry(text).or_insert(at);
        }
    };
    let mut provinces: FastMap<&str, [CellParts; SPELLINGS]> = FastMap::default();
    let mut districts: FastMap<&str, [CellParts; SPELLINGS]> = FastMap::default();
    for c in u.old_communes() {
        let (Some(d), Some(p)) = (u.old_district(c.district_code), u.old_province(c.province_code)) else { continue };
        let p = provinces.entry(p.code).or_insert_with(|| CellParts::spellings(p.name, true));
        let d = districts.entry(d.code).or_insert_with(|| CellParts::spellings(d.name, false));
        let c = CellParts::spellings(c.name, false);
        for i in 0..SPELLINGS {
            add([&p[i], &d[i], &c[i]]);
        }
    }
    let no_district = CellParts::of("");
    let mut new_provinces: FastMap<&str, [CellParts; SPELLINGS]> = FastMap::default();
    for c in u.new_communes() {
        let Some(p) = u.new_province(c.province_code) else { continue };
        let p = new_provinces.entry(p.code).or_insert_with(|| CellParts::spellings(p.name, true));
        let c = CellParts::spellings(c.name, false);
        for i in 0..SPELLINGS {
            add([&p[i], &no_district, &c[i]]);
        }
    }
    by_key.shrink_to_fit();
    by_text.shrink_to_fit();
    let outcomes = (0..by_key.len()).map(|_| OnceLock::new()).collect();
    Table { by_key, by_text, outcomes }
});

/// Builds the table (for start-up measurements).
pub fn warm_up() -> usize {
    TABLE.by_key.len()
}

fn capitals(input: &ResidenceInput) -> ResidenceInput {
    let up = |v: &Option<String>| v.as_deref().map(str::to_uppercase);
    ResidenceInput { province: up(&input.province), district: up(&input.district), commune: up(&input.commune) }
}

/// The outcome of a structured residence through the table, when its key is there and the
/// outcome does not depend on the text as typed; `slow` is the full resolution.
pub(super) fn lookup(
    input: &ResidenceInput,
    slow: fn(&ResidenceInput) -> ResidenceOutcome,
) -> Option<&'static ResidenceOutcome> {
    let table = &*TABLE;
    let mut buf = KeyBuf::new();
    let exact = text_of(input, &mut buf).and_then(|()| table.by_text.get(buf.as_bytes()));
    let at = match exact {
        Some(&at) => at,
        None => {
            let mut buf = KeyBuf::new();
            key_of(input, &mut buf)?;
            *table.by_key.get(buf.as_bytes())?
        }
    };
    table.outcomes[at as usize]
        .get_or_init(|| {
            let out = slow(input);
            (slow(&capitals(input)) == out).then(|| Box::new(out))
        })
        .as_deref()
}

/// Outcomes kept per thread, by the exact input (the cells and the one-cell text): an address
/// the table does not hold, met again in the same file (a wrong district, a free-text address
/// copied down a class list), is not resolved again. Exact bytes, so the outcome is the one
/// the full resolution gives. Cleared when full, to keep memory flat.
const MEMO_CAP: usize = 256;

struct Memo {
    /// Shared with the callers: an outcome is never copied, whether met again or not.
    outcomes: FastMap<Box<[u8]>, Rc<ResidenceOutcome>>,
    key: Vec<u8>,
}

thread_local! {
    static MEMO: std::cell::RefCell<Memo> =
        std::cell::RefCell::new(Memo { outcomes: FastMap::default(), key: Vec::with_capacity(CAP) });
}

/// `slow()`, the outcome of this exact input, through the thread's memo.
pub(super) fn memoized(
    input: Option<&ResidenceInput>,
    text: Option<&str>,
    slow: impl FnOnce() -> ResidenceOutcome,
) -> Rc<ResidenceOutcome> {
    let cells = input.map_or([None, None, None], |i| [&i.province, &i.district, &i.commune].map(|c| c.as_deref()));
    let parts = [cells[0], cells[1], cells[2], text];
    // An absent cell and an empty one resolve alike; the separator inside a cell would blur the key.
    if parts.iter().flatten().any(|p| p.as_bytes().contains(&CELL_SEPARATOR)) {
        return Rc::new(slow());
    }
    let hit = MEMO.with_borrow_mut(|m| {
        m.key.clear();
        for p in parts {
            m.key.extend_from_slice(p.unwrap_or("").as_bytes());
            m.key.push(CELL_SEPARATOR);
        }
        m.outcomes.get(m.key.as_slice()).cloned()
    });
    if let Some(out) = hit {
        return out;
    }
    let out = Rc::new(slow());
    MEMO.with_borrow_mut(|m| {
        if m.outcomes.len() >= MEMO_CAP {
            m.outcomes.clear();
        }
        let key: Box<[u8]> = m.key.as_slice().into();
        m.outcomes.insert(key, Rc::clone(&out));
    });
    out
}

#[cfg(test)]
mod table_tests {
    use super::*;

    /// The table as it was built before its cells were folded once per unit: every spelling of
    /// every commune's three names, keyed whole.
    fn table_of_whole_spellings() -> (Slots, Slots) {
        let u = units();
        let (mut by_key, mut by_text) = (Slots::default(), Slots::default());
        let mut add = |p: &str, d: &str, c: &str| {
            let cell = |s: &str| Some(s.to_owned());
            let input = ResidenceInput { province: cell(p), district: cell(d), commune: cell(c) };
            let mut buf = KeyBuf::new();
            if key_of(&input, &mut buf).is_some() {
                let next = u32::try_from(by_key.len()).unwrap_or(u32::MAX);
                let at = *by_key.entry(buf.as_bytes().into()).or_insert(next);
                let mut text = KeyBuf::new();
                if text_of(&input, &mut text).is_some() {
                    by_text.entry(text.as_bytes().into()).or_insert(at);
                }
            }
        };
        let fold = crate::domain::text::fold_ascii;
        let mut spellings = |p: &str, d: &str, c: &str| {
            add(p, d, c);
            add(&fold(p), &fold(d), &fold(c));
            add(&abbreviated(p), &abbreviated(d), &abbreviated(c));
            add(bare(p), d, c);
        };
        for c in u.old_communes() {
            let (Some(d), Some(p)) = (u.old_district(c.district_code), u.old_province(c.province_code)) else {
                continue;
            };
            spellings(p.name, d.name, c.name);
        }
        for c in u.new_communes() {
            let Some(p) = u.new_province(c.province_code) else { continue };
            spellings(p.name, "", c.name);
        }
        (by_key, by_text)
    }

    #[test]
    fn the_table_holds_the_keys_and_texts_of_every_spelling_keyed_whole() {
        let (by_key, by_text) = table_of_whole_spellings();
        assert!(by_key.len() > 50_000, "{}", by_key.len());
        assert!(TABLE.by_key == by_key, "keys: {} against {}", TABLE.by_key.len(), by_key.len());
        assert!(TABLE.by_text == by_text, "texts: {} against {}", TABLE.by_text.len(), by_text.len());
        assert_eq!(TABLE.outcomes.len(), by_key.len());
    }
}
