//! Flowing content onto A4 pages: titles, headings, wrapped paragraphs and ruled tables whose
//! header repeats on every page they continue on. Produces positioned drawing operations;
//! [`super::write`] turns them into a PDF. Distances are in points; the cursor runs down from
//! the top of the page, operations use PDF's upward coordinates.

use super::font::{Style, clean};

/// A4 in points.
pub const PAGE_WIDTH: f32 = 595.28;
pub const PAGE_HEIGHT: f32 = 841.89;
/// 2 cm left and right, 2 cm on top, room for the footer at the bottom.
pub const MARGIN_X: f32 = 56.7;
pub const MARGIN_TOP: f32 = 56.7;
pub const MARGIN_BOTTOM: f32 = 62.0;
/// Baseline of the footer line, from the bottom edge.
pub const FOOTER_BASELINE: f32 = 34.0;

/// Body text size, and line height as a multiple of the size.
pub const BODY: f32 = 10.0;
pub const TABLE: f32 = 8.5;
const LEADING: f32 = 1.35;
const CELL_PADDING: f32 = 3.5;

/// One drawing operation, in PDF coordinates (origin at the bottom left).
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// A line of text starting at `x` on the baseline `y`.
    Text { style: Style, size: f32, x: f32, y: f32, text: String },
    /// A straight line.
    Line { x1: f32, y1: f32, x2: f32, y2: f32, width: f32 },
    /// A filled grey rectangle (`gray`: 0 black, 1 white), bottom-left corner at `x, y`.
    Fill { x: f32, y: f32, width: f32, height: f32, gray: f32 },
}

/// Text alignment within its box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// A table column: its header and its share of the text width.
#[derive(Debug, Clone, Copy)]
pub struct Column<'a> {
    pub header: &'a str,
    pub share: f32,
}

/// A document being laid out.
pub struct Doc {
    pages: Vec<Vec<Op>>,
    /// Distance of the cursor from the top of the current page.
    cursor: f32,
}

impl Default for Doc {
    fn default() -> Doc {
        Doc::new()
    }
}

impl Doc {
    pub fn new() -> Doc {
        Doc { pages: vec![Vec::new()], cursor: MARGIN_TOP }
    }

    /// Width between the margins.
    pub fn text_width() -> f32 {
        PAGE_WIDTH - 2.0 * MARGIN_X
    }

    fn room(&self) -> f32 {
        PAGE_HEIGHT - MARGIN_BOTTOM - self.cursor
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.cursor = MARGIN_TOP;
    }

    /// Starts a new page unless `height` still fits on this one.
    fn ensure(&mut self, height: f32) {
        if height > self.room() && self.cursor > MARGIN_TOP {
            self.new_page();
        }
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// Vertical space.
    pub fn space(&mut self, points: f32) {
        if self.cursor > MARGIN_TOP {
            self.cursor = (self.cursor + points).min(PAGE_HEIGHT - MARGIN_BOTTOM);
        }
    }

    /// One line of text in the box `x..x + width` with its top at the cursor.
    fn line(&mut self, text: &str, style: Style, size: f32, x: f32, width: f32, align: Align) {
        let measured = style.font().map_or(0.0, |f| f.width(text, size));
        let x = match align {
            Align::Left => x,
            Align::Center => x + (width - measured) / 2.0,
            Align::Right => x + width - measured,
        };
        let y = PAGE_HEIGHT - self.cursor - size * 1.05;
        self.push(Op::Text { style, size, x, y, text: text.to_owned() });
    }

    /// A wrapped block across the text width; continues on the next page when it must.
    pub fn paragraph(&mut self, text: &str, style: Style, size: f32, align: Align) {
        let width = Doc::text_width();
        for line in wrap(text, style, size, width) {
            self.ensure(size * LEADING);
            self.line(&line, style, size, MARGIN_X, width, align);
            self.cursor += size * LEADING;
        }
    }

    /// Two blocks side by side, each line centred in its half (an official letter's heading);
    /// the cursor goes below the taller block.
    pub fn side_by_side(&mut self, left: &[(&str, Style, f32)], right: &[(&str, Style, f32)]) {
        let half = Doc::text_width() / 2.0;
        let start = self.cursor;
        let mut bottom = start;
        for (lines, x) in [(left, MARGIN_X), (right, MARGIN_X + half)] {
            self.cursor = start;
            for (text, style, size) in lines {
                for line in wrap(text, *style, *size, half - 6.0) {
                    self.line(&line, *style, *size, x, half, Align::Center);
                    self.cursor += size * LEADING;
                }
            }
            bottom = bottom.max(self.cursor);
        }
        self.cursor = bottom;
    }

    /// A section heading, kept on the page of what follows it.
    pub fn heading(&mut self, text: &str) {
        let size = 11.5;
        self.space(8.0);
        self.ensure(size * LEADING + 4.0 * BODY * LEADING);
        self.paragraph(text, Style::Bold, size, Align::Left);
        self.cursor += 2.0;
    }

    /// A ruled table: a shaded header row, wrapped cells, rows never split, the header drawn
    /// again at the top of every page the table continues on. `rows` shorter than the columns
    /// leave the remaining cells empty.
    pub fn table(&mut self, columns: &[Column<'_>], rows: &[Vec<String>], header: bool) {
        let total: f32 = columns.iter().map(|c| c.share).sum::<f32>().max(f32::EPSILON);
        let widths: Vec<f32> = columns.iter().map(|c| c.share / total * Doc::text_width()).collect();
        let headers: Vec<String> = columns.iter().map(|c| c.header.to_owned()).collect();
        let header_height = row_height(&headers, &widths, Style::Bold);
        let mut header_due = header;
        for row in rows {
            let height = row_height(row, &widths, Style::Regular);
            let needed = height + if header_due { header_height } else { 0.0 };
            if needed > self.room() && self.cursor > MARGIN_TOP {
                self.new_page();
                header_due = header;
            }
            if header_due {
                self.table_row(&headers, &widths, Style::Bold, Some(0.9));
                header_due = false;
            }
            self.table_row(row, &widths, Style::Regular, None);
        }
        self.cursor += 4.0;
    }

    fn table_row(&mut self, cells: &[String], widths: &[f32], style: Style, shade: Option<f32>) {
        let height = row_height(cells, widths, style);
        let top = PAGE_HEIGHT - self.cursor;
        let right = MARGIN_X + widths.iter().sum::<f32>();
        if let Some(gray) = shade {
            self.push(Op::Fill { x: MARGIN_X, y: top - height, width: right - MARGIN_X, height, gray });
        }
        let mut x = MARGIN_X;
        let start = self.cursor;
        for (i, width) in widths.iter().enumerate() {
            let text = cells.get(i).map(String::as_str).unwrap_or("");
            self.cursor = start + CELL_PADDING;
            for line in wrap(text, style, TABLE, width - 2.0 * CELL_PADDING) {
                self.line(&line, style, TABLE, x + CELL_PADDING, width - 2.0 * CELL_PADDING, Align::Left);
                self.cursor += TABLE * LEADING;
            }
            x += width;
        }
        self.cursor = start + height;
        // Rules: the top and bottom of the row and every column edge.
        let bottom = top - height;
        for y in [top, bottom] {
            self.push(Op::Line { x1: MARGIN_X, y1: y, x2: right, y2: y, width: 0.5 });
        }
        let mut x = MARGIN_X;
        self.push(Op::Line { x1: x, y1: top, x2: x, y2: bottom, width: 0.5 });
        for width in widths {
            x += width;
            self.push(Op::Line { x1: x, y1: top, x2: x, y2: bottom, width: 0.5 });
        }
    }

    /// The pages, each with a footer (`left`, `right` texts from the page number and count).
    pub fn finish(mut self, footer: impl Fn(usize, usize) -> (String, String)) -> Vec<Vec<Op>> {
        let total = self.pages.len();
        for (n, page) in self.pages.iter_mut().enumerate() {
            let (left, right) = footer(n + 1, total);
            let size = 8.0;
            let width = Doc::text_width();
            page.push(Op::Line {
                x1: MARGIN_X,
                y1: FOOTER_BASELINE + 11.0,
                x2: MARGIN_X + width,
                y2: FOOTER_BASELINE + 11.0,
                width: 0.4,
            });
            let left = clean(&left);
            let right = clean(&right);
            let right_width = Style::Regular.font().map_or(0.0, |f| f.width(&right, size));
            let left = fit(&left, Style::Regular, size, width - right_width - 12.0);
            page.push(Op::Text { style: Style::Regular, size, x: MARGIN_X, y: FOOTER_BASELINE, text: left });
            page.push(Op::Text {
                style: Style::Regular,
                size,
                x: MARGIN_X + width - right_width,
                y: FOOTER_BASELINE,
                text: right,
            });
        }
        self.pages
    }
}

/// Height of a table row: its tallest cell.
fn row_height(cells: &[String], widths: &[f32], style: Style) -> f32 {
    let lines = widths
        .iter()
        .enumerate()
        .map(|(i, w)| wrap(cells.get(i).map(String::as_str).unwrap_or(""), style, TABLE, w - 2.0 * CELL_PADDING).len())
        .max()
        .unwrap_or(1)
        .max(1);
    lines as f32 * TABLE * LEADING + 2.0 * CELL_PADDING
}

/// Greedy word wrap to `width`; a word longer than a line is cut between characters. Always
/// at least one line (possibly empty).
pub fn wrap(text: &str, style: Style, size: f32, width: f32) -> Vec<String> {
    let Some(font) = style.font() else { return vec![clean(text)] };
    let text = clean(text);
    let space = font.width(" ", size);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_width = 0.0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let word_width = font.width(word, size);
        if !line.is_empty() && line_width + space + word_width <= width {
            line.push(' ');
            line.push_str(word);
            line_width += space + word_width;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if word_width <= width {
            line.push_str(word);
            line_width = word_width;
            continue;
        }
        // A word wider than the line: cut it.
        line_width = 0.0;
        for c in word.chars() {
            let w = font.width(c.encode_utf8(&mut [0; 4]), size);
            if !line.is_empty() && line_width + w > width {
                lines.push(std::mem::take(&mut line));
                line_width = 0.0;
            }
            line.push(c);
            line_width += w;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// The text cut with `…` to fit one line.
fn fit(text: &str, style: Style, size: f32, width: f32) -> String {
    let Some(font) = style.font() else { return text.to_owned() };
    if font.width(text, size) <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    for c in text.chars() {
        if font.width(&format!("{out}{c}…"), size) > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_every_word_and_fits_the_width() {
        let text = "Trường Trung học cơ sở Nguyễn Bỉnh Khiêm, phường Lê Chân, thành phố Hải Phòng";
        for width in [60.0, 120.0, 250.0, 1000.0] {
            let lines = wrap(text, Style::Regular, BODY, width);
            assert_eq!(lines.join(" "), text, "width {width}");
            let font = Style::Regular.font().expect("font");
            for line in &lines {
                assert!(font.width(line, BODY) <= width || !line.contains(' '), "{line:?} in {width}");
            }
        }
        assert_eq!(wrap("", Style::Regular, BODY, 100.0), vec![String::new()]);
        // A word wider than the column is cut, not lost.
        let long = "Nguyễn-Thị-Phương-Thảo-Nguyễn-Thị-Phương-Thảo";
        let cut = wrap(long, Style::Bold, TABLE, 40.0);
        assert!(cut.len() > 1);
        assert_eq!(cut.concat(), long);
    }

    #[test]
    fn text_is_nfc_and_control_characters_become_spaces() {
        // "Hòa" typed as o + combining grave accent.
        let decomposed = "Nguye\u{302}\u{303}n Va\u{306}n Ho\u{300}a\tA";
        assert_eq!(wrap(decomposed, Style::Regular, BODY, 500.0), vec!["Nguyễn Văn Hòa A".to_owned()]);
    }

    #[test]
    fn long_content_flows_onto_further_pages_with_the_header_repeated() {
        let mut doc = Doc::new();
        let columns = [Column { header: "Thời gian", share: 1.0 }, Column { header: "Người xem", share: 2.0 }];
        let rows: Vec<Vec<String>> =
            (0..120).map(|i| vec![format!("0{}/11/2026", i % 9 + 1), format!("giao-vien-{i}")]).collect();
        doc.table(&columns, &rows, true);
        let pages = doc.finish(|n, total| (String::new(), format!("Trang {n}/{total}")));
        assert!(pages.len() >= 3, "{} pages", pages.len());
        for (n, page) in pages.iter().enumerate() {
            let texts: Vec<&str> = page
                .iter()
                .filter_map(|op| if let Op::Text { text, .. } = op { Some(text.as_str()) } else { None })
                .collect();
            assert_eq!(texts.iter().filter(|t| **t == "Người xem").count(), 1, "header on page {}", n + 1);
            assert!(texts.contains(&format!("Trang {}/{}", n + 1, pages.len()).as_str()));
            for op in page {
                if let Op::Text { y, .. } = op {
                    assert!(*y >= FOOTER_BASELINE && *y < PAGE_HEIGHT - MARGIN_TOP + 1.0, "inside the page: {y}");
                }
            }
        }
        let all: usize = pages
            .iter()
            .flatten()
            .filter(|op| matches!(op, Op::Text { text, .. } if text.starts_with("giao-vien-")))
            .count();
        assert_eq!(all, 120, "every row once");
    }
}
