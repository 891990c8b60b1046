//! Laid-out pages to PDF bytes (pdf-writer). Each font is embedded as a subset of the glyphs the
//! document uses, as a CID-keyed TrueType font (Type0, Identity-H) with a `ToUnicode` map from
//! every glyph to its character, so copying and text extraction give the Vietnamese text back
//! exactly. Streams are deflated.

use std::collections::BTreeMap;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::PdfError;
use super::font::{Font, Style};
use super::layout::{Op, PAGE_HEIGHT, PAGE_WIDTH};

/// The glyphs of one font that the document uses, in the subset's order (new id = position).
struct Used {
    style: Style,
    font: &'static Font,
    remapper: subsetter::GlyphRemapper,
    /// New glyph id → the character it shows.
    chars: BTreeMap<u16, char>,
}

impl Used {
    fn new(style: Style) -> Result<Used, PdfError> {
        let font = style.font().ok_or(PdfError::Font)?;
        Ok(Used { style, font, remapper: subsetter::GlyphRemapper::new(), chars: BTreeMap::new() })
    }

    /// The text as 2-byte new glyph ids (Identity-H), recording each glyph's character.
    fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let (glyph, shown) = self.font.glyph(c);
            let new = self.remapper.remap(glyph);
            self.chars.entry(new).or_insert(shown);
            out.extend_from_slice(&new.to_be_bytes());
        }
        out
    }
}

/// Ids handed out in order.
struct Ids(i32);

impl Ids {
    fn next(&mut self) -> Ref {
        self.0 += 1;
        Ref::new(self.0)
    }
}

fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

/// The PDF of laid-out pages, with a title in its document information.
pub fn pdf(pages: &[Vec<Op>], title: &str) -> Result<Vec<u8>, PdfError> {
    let mut used = [Used::new(Style::Regular)?, Used::new(Style::Bold)?];
    let mut ids = Ids(0);
    let catalog = ids.next();
    let tree = ids.next();
    let info = ids.next();
    let font_refs: Vec<Ref> = Style::ALL.iter().map(|_| ids.next()).collect();
    let mut pdf = Pdf::new();

    let mut page_refs = Vec::with_capacity(pages.len());
    for ops in pages {
        let page_ref = ids.next();
        let content_ref = ids.next();
        page_refs.push(page_ref);
        let mut content = Content::new();
        for op in ops {
            match op {
                Op::Text { style, size, x, y, text } => {
                    let slot = if *style == Style::Bold { 1 } else { 0 };
                    let bytes = used[slot].encode(text);
                    content
                        .begin_text()
                        .set_font(Name(style.resource()), *size)
                        .set_text_matrix([1.0, 0.0, 0.0, 1.0, *x, *y])
                        .show(Str(&bytes))
                        .end_text();
                }
                Op::Line { x1, y1, x2, y2, width } => {
                    content.set_line_width(*width).move_to(*x1, *y1).line_to(*x2, *y2).stroke();
                }
                Op::Fill { x, y, width, height, gray } => {
                    content.set_fill_gray(*gray).rect(*x, *y, *width, *height).fill_nonzero().set_fill_gray(0.0);
                }
            }
        }
        let data = deflate(&content.finish().into_vec());
        pdf.stream(content_ref, &data).filter(Filter::FlateDecode);
        let mut page = pdf.page(page_ref);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT)).parent(tree).contents(content_ref);
        let mut resources = page.resources();
        let mut fonts = resources.fonts();
        for (style, font_ref) in Style::ALL.iter().zip(&font_refs) {
            fonts.pair(Name(style.resource()), *font_ref);
        }
        fonts.finish();
        resources.finish();
        page.finish();
    }
    pdf.pages(tree).kids(page_refs.iter().copied()).count(i32::try_from(page_refs.len()).unwrap_or(i32::MAX));
    pdf.catalog(catalog).pages(tree);
    pdf.document_info(info).title(TextStr(title)).producer(TextStr("dinhdanh")).creator(TextStr("dinhdanh"));

    for (used, font_ref) in used.iter().zip(&font_refs) {
        embed(&mut pdf, &mut ids, *font_ref, used)?;
    }
    Ok(pdf.finish())
}

/// A six-letter subset tag from the glyphs kept, as the PDF specification asks for subsets.
fn subset_tag(used: &Used) -> String {
    let mut hash: u32 = 0x811c_9dc5;
    for glyph in used.remapper.remapped_gids() {
        for b in glyph.to_be_bytes() {
            hash = (hash ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
    }
    (0..6)
        .map(|i| {
            let letter = (hash >> (i * 5)) % 26;
            char::from(b'A' + u8::try_from(letter).unwrap_or(0))
        })
        .collect()
}

/// The Type0 font, its CID font, descriptor, subset file and `ToUnicode` map.
fn embed(pdf: &mut Pdf, ids: &mut Ids, font_ref: Ref, used: &Used) -> Result<(), PdfError> {
    let cid_ref = ids.next();
    let descriptor_ref = ids.next();
    let file_ref = ids.next();
    let cmap_ref = ids.next();
    let font = used.font;
    let base = format!("{}+{}", subset_tag(used), font.name);
    let base = Name(base.as_bytes());
    let system = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };

    pdf.type0_font(font_ref)
        .base_font(base)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_ref)
        .to_unicode(cmap_ref);

    let widths: Vec<f32> = used.remapper.remapped_gids().map(|g| font.advance(g)).collect();
    let mut cid = pdf.cid_font(cid_ref);
    cid.subtype(CidFontType::Type2)
        .base_font(base)
        .system_info(system)
        .font_descriptor(descriptor_ref)
        .default_width(0.0)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    cid.widths().consecutive(0, widths);
    cid.finish();

    let face = &font.face;
    let bbox = face.global_bounding_box();
    let mut flags = FontFlags::SERIF | FontFlags::NON_SYMBOLIC;
    if used.style == Style::Bold {
        flags |= FontFlags::FORCE_BOLD;
    }
    pdf.font_descriptor(descriptor_ref)
        .name(base)
        .flags(flags)
        .bbox(Rect::new(font.scale(bbox.x_min), font.scale(bbox.y_min), font.scale(bbox.x_max), font.scale(bbox.y_max)))
        .italic_angle(0.0)
        .ascent(font.scale(face.ascender()))
        .descent(font.scale(face.descender()))
        .cap_height(font.scale(face.capital_height().unwrap_or(face.ascender())))
        .stem_v(if used.style == Style::Bold { 140.0 } else { 80.0 })
        .font_file2(file_ref);

    let subset = subsetter::subset(font.data, 0, &used.remapper).map_err(|e| PdfError::Subset(e.to_string()))?;
    let data = deflate(&subset);
    pdf.stream(file_ref, &data)
        .filter(Filter::FlateDecode)
        .pair(Name(b"Length1"), i32::try_from(subset.len()).unwrap_or(i32::MAX));

    let mut cmap = UnicodeCmap::new(Name(b"Custom"), system);
    for (glyph, c) in &used.chars {
        cmap.pair(*glyph, *c);
    }
    let data = deflate(&cmap.finish().into_vec());
    pdf.cmap(cmap_ref, &data).filter(Filter::FlateDecode);
    Ok(())
}
