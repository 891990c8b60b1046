//! Printable documents as PDF: a small layout engine for A4 pages ([`layout`]: headings,
//! wrapped paragraphs, ruled tables that continue across pages), the embedded Vietnamese fonts
//! ([`font`]) and the writer ([`write`]: font subsets with a `ToUnicode` map, so the text can be
//! searched, copied and extracted with its diacritics). Pure: bytes in memory, no files, no
//! clock. The documents themselves: [`personal_data`] (the data-subject report).

pub mod font;
pub mod layout;
pub mod personal_data;
mod write;

/// Why a document could not be produced (only a damaged embedded font or a subsetting bug).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    #[error("the embedded font cannot be read")]
    Font,
    #[error("the font cannot be subset: {0}")]
    Subset(String),
}
