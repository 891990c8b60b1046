//! The embedded fonts (DejaVu Serif, regular and bold: full Vietnamese coverage; see
//! `api/assets/fonts/README.md`) and what layout needs from them: a glyph per character and its
//! advance. Text is put in NFC first, so every Vietnamese letter is one precomposed glyph and no
//! shaping is needed; a character the font lacks is shown as `?`.

use std::sync::LazyLock;

use unicode_normalization::UnicodeNormalization;

static REGULAR_DATA: &[u8] = include_bytes!("../../assets/fonts/DejaVuSerif.ttf");
static BOLD_DATA: &[u8] = include_bytes!("../../assets/fonts/DejaVuSerif-Bold.ttf");

static REGULAR: LazyLock<Option<Font>> = LazyLock::new(|| Font::parse(REGULAR_DATA, "DejaVuSerif"));
static BOLD: LazyLock<Option<Font>> = LazyLock::new(|| Font::parse(BOLD_DATA, "DejaVuSerif-Bold"));

/// Regular or bold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Regular,
    Bold,
}

impl Style {
    pub const ALL: [Style; 2] = [Style::Regular, Style::Bold];

    /// The parsed font of this style (`None` only if the embedded file were damaged).
    pub fn font(self) -> Option<&'static Font> {
        match self {
            Style::Regular => REGULAR.as_ref(),
            Style::Bold => BOLD.as_ref(),
        }
    }

    /// The font resource name in a page's resources.
    pub fn resource(self) -> &'static [u8] {
        match self {
            Style::Regular => b"F1",
            Style::Bold => b"F2",
        }
    }
}

/// A parsed font with the metrics layout and embedding need.
pub struct Font {
    pub data: &'static [u8],
    pub face: ttf_parser::Face<'static>,
    /// PostScript name (the subset's base font name adds a tag).
    pub name: &'static str,
    units_per_em: f32,
    question_mark: u16,
}

impl Font {
    fn parse(data: &'static [u8], name: &'static str) -> Option<Font> {
        let face = ttf_parser::Face::parse(data, 0).ok()?;
        let units_per_em = f32::from(face.units_per_em());
        let question_mark = face.glyph_index('?')?.0;
        Some(Font { data, face, name, units_per_em, question_mark })
    }

    /// The glyph of a character, and the character it stands for (`?` when the font has none).
    pub fn glyph(&self, c: char) -> (u16, char) {
        match self.face.glyph_index(c) {
            Some(g) if g.0 != 0 => (g.0, c),
            _ => (self.question_mark, '?'),
        }
    }

    /// Advance of a glyph in thousandths of the font size (PDF glyph space).
    pub fn advance(&self, glyph: u16) -> f32 {
        let units = self.face.glyph_hor_advance(ttf_parser::GlyphId(glyph)).unwrap_or(0);
        f32::from(units) * 1000.0 / self.units_per_em
    }

    /// Width of a text at a size, in points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance(self.glyph(c).0)).sum::<f32>() * size / 1000.0
    }

    /// A font unit in PDF glyph space (thousandths of the size).
    pub fn scale(&self, units: i16) -> f32 {
        f32::from(units) * 1000.0 / self.units_per_em
    }
}

/// Text as layout takes it: NFC, control characters (tabs, line breaks) as spaces.
pub fn clean(text: &str) -> String {
    text.nfc().map(|c| if c.is_control() { ' ' } else { c }).collect()
}
