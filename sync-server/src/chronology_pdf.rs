//! The court-ready chronology as PDF, drawn here with `krilla`: A4, DejaVu Sans embedded (and
//! subset), text selectable and searchable, no external program.
//!
//! Every page carries the child's name, identifier and date of birth, the marking
//! OFFICIAL-SENSITIVE at the top and the bottom, who produced it and when (labelled with the
//! authority's time zone), and "page N of M". The events are a three-column table; a long
//! entry wraps within its column and, when it does not fit, breaks across pages at a line,
//! marked "(continued)" where it picks up.

use std::sync::LazyLock;

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

use crate::reports::{Chronology, ChronologyEntry, dmy, yes_no};

/// DejaVu Sans (Bitstream Vera licence; see `assets/fonts/LICENSE-DejaVu.txt`).
static REGULAR_BYTES: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
/// DejaVu Sans Bold.
static BOLD_BYTES: &[u8] = include_bytes!("../assets/fonts/DejaVuSans-Bold.ttf");

static REGULAR: LazyLock<Option<Font>> = LazyLock::new(|| Font::new(REGULAR_BYTES.into(), 0));
static BOLD: LazyLock<Option<Font>> = LazyLock::new(|| Font::new(BOLD_BYTES.into(), 0));

/// The protective marking on every page.
pub const MARKING: &str = "OFFICIAL-SENSITIVE";

// A4 in points, and the page's frame.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN_X: f32 = 40.0;
const BODY_TOP: f32 = 92.0;
const BODY_BOTTOM: f32 = 782.0;
// The table's columns: date and time, event and source, what happened.
const COL_DATE: f32 = MARGIN_X;
const COL_EVENT: f32 = MARGIN_X + 80.0;
const COL_TEXT: f32 = MARGIN_X + 200.0;
const COL_END: f32 = PAGE_W - MARGIN_X;
const PAD: f32 = 4.0;
const BODY_SIZE: f32 = 8.5;
const LEADING: f32 = 11.5;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Weight {
    Regular,
    Bold,
}

/// One line of text in a cell.
#[derive(Clone)]
struct Line {
    text: String,
    weight: Weight,
}

/// Advances of the embedded fonts, to wrap text to a width.
struct Measure {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
}

impl Measure {
    fn new() -> Option<Self> {
        Some(Measure { regular: FontRef::new(REGULAR_BYTES).ok()?, bold: FontRef::new(BOLD_BYTES).ok()? })
    }

    fn width(&self, text: &str, weight: Weight, size: f32) -> f32 {
        let font = match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        };
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .map(|c| metrics.advance_width(charmap.map(c).unwrap_or_default()).unwrap_or(size * 0.6))
            .sum()
    }

    /// Greedy word wrap to `width`; a word longer than the width is broken between characters.
    /// Each paragraph (`\n`) starts a new line.
    fn wrap(&self, text: &str, weight: Weight, size: f32, width: f32) -> Vec<Line> {
        let line = |text: String| Line { text, weight };
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut current = String::new();
            for word in paragraph.split_whitespace() {
                let candidate =
                    if current.is_empty() { word.to_owned() } else { format!("{current} {word}") };
                if self.width(&candidate, weight, size) <= width {
                    current = candidate;
                    continue;
                }
                if !current.is_empty() {
                    lines.push(line(std::mem::take(&mut current)));
                }
                // The word alone: break it if it is still too wide.
                for c in word.chars() {
                    current.push(c);
                    if self.width(&current, weight, size) > width && current.chars().count() > 1 {
                        current.pop();
                        lines.push(line(std::mem::take(&mut current)));
                        current.push(c);
                    }
                }
            }
            lines.push(line(current));
        }
        lines
    }
}

/// Text without control characters (a tab becomes a space), so every character draws.
fn printable(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' => Some('\n'),
            '\t' | '\r' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// One entry as the three columns' lines.
fn entry_cells(measure: &Measure, entry: &ChronologyEntry) -> [Vec<Line>; 3] {
    let wrap = |text: &str, weight: Weight, width: f32| {
        measure.wrap(&printable(text), weight, BODY_SIZE, width - 2.0 * PAD)
    };
    let mut date = wrap(&dmy(entry.date), Weight::Bold, COL_EVENT - COL_DATE);
    if let Some(time) = &entry.time {
        date.extend(wrap(time, Weight::Regular, COL_EVENT - COL_DATE));
    }
    let mut event = wrap(entry.kind.label(), Weight::Bold, COL_TEXT - COL_EVENT);
    if !entry.source.is_empty() {
        event.extend(wrap(&format!("Source: {}", entry.source), Weight::Regular, COL_TEXT - COL_EVENT));
    }
    if entry.on_cover {
        event.extend(wrap("(on duty cover)", Weight::Regular, COL_TEXT - COL_EVENT));
    }
    let width = COL_END - COL_TEXT;
    let mut text = wrap(&entry.summary, Weight::Regular, width);
    for (label, value) in crate::reports::entry_details(entry) {
        text.extend(wrap(&label, Weight::Bold, width));
        text.extend(wrap(&value, Weight::Regular, width));
    }
    if let Some(worker) = &entry.worker {
        let seen = match (entry.seen, entry.seen_alone) {
            (Some(seen), alone) => {
                format!(
                    " Child seen: {}.{}",
                    yes_no(Some(seen)),
                    match alone {
                        Some(a) => format!(" Seen alone: {}.", yes_no(Some(a))),
                        None => String::new(),
                    }
                )
            }
            (None, _) => String::new(),
        };
        text.extend(wrap(&format!("Worker: {worker}.{seen}"), Weight::Regular, width));
    }
    [date, event, text]
}

/// What is drawn on one page's body.
enum Op {
    Title { y: f32, text: &'static str },
    Text { x: f32, y: f32, line: Line },
    Rule { y: f32 },
}

/// Lays out the introduction and the table, page by page.
fn layout(measure: &Measure, chronology: &Chronology) -> Vec<Vec<Op>> {
    let mut pages: Vec<Vec<Op>> = vec![Vec::new()];
    let mut y = BODY_TOP;
    // The introduction, on the first page only.
    let width = COL_END - MARGIN_X;
    pages[0].push(Op::Title { y: y + 4.0, text: "Chronology" });
    y += 20.0;
    for note in crate::reports::chronology_notes(chronology) {
        for line in measure.wrap(&printable(&note), Weight::Regular, BODY_SIZE, width) {
            pages[0].push(Op::Text { x: MARGIN_X, y, line });
            y += LEADING;
        }
    }
    y += 6.0;
    let header = [(COL_DATE, "Date and time"), (COL_EVENT, "Event and source"), (COL_TEXT, "What happened")];
    let table_header = |page: &mut Vec<Op>, y: f32| {
        page.push(Op::Rule { y });
        for (x, label) in header {
            page.push(Op::Text {
                x: x + PAD,
                y: y + LEADING - 2.0,
                line: Line { text: label.to_owned(), weight: Weight::Bold },
            });
        }
        page.push(Op::Rule { y: y + LEADING + 2.0 });
        y + LEADING + 2.0
    };
    y = table_header(pages.last_mut().expect("a page"), y);
    if chronology.entries.is_empty() {
        pages[0].push(Op::Text {
            x: COL_TEXT + PAD,
            y: y + LEADING,
            line: Line { text: "No events.".to_owned(), weight: Weight::Regular },
        });
    }
    for entry in &chronology.entries {
        let mut cells = entry_cells(measure, entry);
        loop {
            let rows = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
            let room = ((BODY_BOTTOM - y - 2.0 * PAD) / LEADING).floor().max(0.0) as usize;
            // Keep a short entry whole, and never leave a lone line of a long one at the foot.
            let fits = rows <= room;
            let worth_splitting = rows > 6 && room >= 3;
            if !fits && !worth_splitting {
                pages.push(Vec::new());
                y = table_header(pages.last_mut().expect("a page"), BODY_TOP);
                continue;
            }
            let take = rows.min(room);
            let page = pages.last_mut().expect("a page");
            for (x, cell) in [COL_DATE, COL_EVENT, COL_TEXT].into_iter().zip(cells.iter_mut()) {
                let drawn: Vec<Line> = cell.drain(..take.min(cell.len())).collect();
                for (i, line) in drawn.into_iter().enumerate() {
                    page.push(Op::Text { x: x + PAD, y: y + PAD + LEADING * (i as f32 + 1.0) - 3.0, line });
                }
            }
            y += take as f32 * LEADING + 2.0 * PAD;
            page.push(Op::Rule { y });
            if cells.iter().all(Vec::is_empty) {
                break;
            }
            pages.push(Vec::new());
            y = table_header(pages.last_mut().expect("a page"), BODY_TOP);
            // The rest of the entry says what it is the rest of.
            let bold = |text: String| Line { text, weight: Weight::Bold };
            cells[0].splice(
                0..0,
                [bold(dmy(entry.date)), Line { text: "(continued)".to_owned(), weight: Weight::Regular }],
            );
            cells[1].insert(0, bold(entry.kind.label().to_owned()));
        }
    }
    pages
}

fn grey(level: u8) -> rgb::Color {
    rgb::Color::new(level, level, level)
}

fn rule(surface: &mut Surface<'_>, x1: f32, x2: f32, y: f32, width: f32) {
    let mut path = PathBuilder::new();
    path.move_to(x1, y);
    path.line_to(x2, y);
    if let Some(path) = path.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke { paint: grey(90).into(), width, ..Default::default() }));
        surface.draw_path(&path);
        surface.set_stroke(None);
    }
}

fn shade(surface: &mut Surface<'_>, rect: Option<Rect>) {
    let mut path = PathBuilder::new();
    if let Some(rect) = rect {
        path.push_rect(rect);
    }
    if let Some(path) = path.finish() {
        surface.set_stroke(None);
        surface.set_fill(Some(Fill {
            paint: grey(232).into(),
            opacity: NormalizedF32::ONE,
            ..Default::default()
        }));
        surface.draw_path(&path);
    }
}

/// Draws text at a baseline in black.
fn text(surface: &mut Surface<'_>, x: f32, y: f32, font: &Font, size: f32, words: &str) {
    surface.set_stroke(None);
    surface.set_fill(Some(Fill::default()));
    surface.draw_text(Point::from_xy(x, y), font.clone(), size, words, false, TextDirection::LeftToRight);
}

/// The chronology as a PDF document.
pub fn chronology_pdf(chronology: &Chronology) -> Result<Vec<u8>, String> {
    let measure = Measure::new().ok_or("the embedded font could not be read")?;
    let (Some(regular), Some(bold)) = (REGULAR.as_ref(), BOLD.as_ref()) else {
        return Err("the embedded font could not be read".to_owned());
    };
    let pages = layout(&measure, chronology);
    let total = pages.len();
    let mut document = Document::new();
    let title = format!("Chronology: {} ({})", chronology.child_name, chronology.central_id);
    document.set_metadata(
        Metadata::new()
            .title(title)
            .language("en-GB".to_owned())
            .creator("Seen & Heard".to_owned())
            .authors(vec![chronology.produced_by.clone()]),
    );
    let name = printable(&chronology.child_name).replace('\n', " ");
    let identity = format!(
        "Child unique ID: {}    Date of birth: {}",
        printable(&chronology.central_id).replace('\n', " "),
        crate::reports::date_of_birth_words(chronology)
    );
    let produced = crate::reports::produced_words(chronology);
    let centred =
        |words: &str, weight: Weight, size: f32| (PAGE_W - measure.width(words, weight, size)) / 2.0;
    for (index, ops) in pages.into_iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("A4 is a valid size")?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        // Header: the marking, then who the chronology is about.
        text(&mut surface, centred(MARKING, Weight::Bold, 10.0), 30.0, bold, 10.0, MARKING);
        let head_name = measure.wrap(&name, Weight::Bold, 12.0, COL_END - MARGIN_X);
        text(&mut surface, MARGIN_X, 52.0, bold, 12.0, head_name.first().map_or("", |l| l.text.as_str()));
        text(&mut surface, MARGIN_X, 67.0, regular, 9.0, &identity);
        rule(&mut surface, MARGIN_X, COL_END, 76.0, 0.8);
        // The body.
        let mut first_rule = None;
        for op in &ops {
            if let Op::Rule { y } = op {
                first_rule = first_rule.or(Some(*y));
            }
        }
        // Shade the table's header band (the first two rules on the page frame it).
        let rules: Vec<f32> =
            ops.iter().filter_map(|op| if let Op::Rule { y } = op { Some(*y) } else { None }).collect();
        if let [top, bottom, ..] = rules.as_slice() {
            shade(&mut surface, Rect::from_ltrb(MARGIN_X, *top, COL_END, *bottom));
        }
        let mut last_rule = first_rule.unwrap_or(BODY_TOP);
        for op in ops {
            match op {
                Op::Title { y, text: words } => text(&mut surface, MARGIN_X, y, bold, 13.0, words),
                Op::Text { x, y, line } => {
                    let font = match line.weight {
                        Weight::Regular => regular,
                        Weight::Bold => bold,
                    };
                    text(&mut surface, x, y, font, BODY_SIZE, &line.text);
                }
                Op::Rule { y } => {
                    rule(&mut surface, MARGIN_X, COL_END, y, 0.4);
                    last_rule = y;
                }
            }
        }
        // Column lines down the table.
        if let Some(top) = first_rule {
            for x in [MARGIN_X, COL_EVENT, COL_TEXT, COL_END] {
                let mut path = PathBuilder::new();
                path.move_to(x, top);
                path.line_to(x, last_rule);
                if let Some(path) = path.finish() {
                    surface.set_fill(None);
                    surface.set_stroke(Some(Stroke {
                        paint: grey(90).into(),
                        width: 0.4,
                        ..Default::default()
                    }));
                    surface.draw_path(&path);
                    surface.set_stroke(None);
                }
            }
        }
        // Footer: who produced it and when, the page number, the marking again.
        rule(&mut surface, MARGIN_X, COL_END, 794.0, 0.8);
        let footer = measure.wrap(&printable(&produced), Weight::Regular, 8.0, COL_END - MARGIN_X - 80.0);
        for (i, line) in footer.iter().take(2).enumerate() {
            text(&mut surface, MARGIN_X, 806.0 + 10.0 * i as f32, regular, 8.0, &line.text);
        }
        let number = format!("page {} of {}", index + 1, total);
        let number_x = COL_END - measure.width(&number, Weight::Regular, 8.0);
        text(&mut surface, number_x, 806.0, regular, 8.0, &number);
        text(&mut surface, centred(MARKING, Weight::Bold, 9.0), 830.0, bold, 9.0, MARKING);
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| format!("the PDF could not be written: {e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_wraps_within_its_column_and_keeps_every_word() {
        let measure = Measure::new().expect("the embedded fonts");
        let text = format!(
            "First paragraph with ordinary words.\nA web address {} ends it.",
            "https://example.org/".repeat(20)
        );
        let width = COL_END - COL_TEXT - 2.0 * PAD;
        let lines = measure.wrap(&text, Weight::Regular, BODY_SIZE, width);
        assert!(lines.len() > 3, "the long address is broken over lines");
        for line in &lines {
            assert!(measure.width(&line.text, Weight::Regular, BODY_SIZE) <= width, "{}", line.text);
        }
        assert_eq!(lines[0].text, "First paragraph with ordinary words.", "a paragraph starts a line");
        let joined: String = lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join("");
        assert_eq!(joined.replace(' ', ""), text.replace([' ', '\n'], ""), "nothing is lost");
    }

    fn entry(day: u32, facts: String) -> ChronologyEntry {
        ChronologyEntry {
            date: chrono::NaiveDate::from_ymd_opt(2026, 3, day).expect("date"),
            time: Some("10:00".to_owned()),
            kind: crate::reports::ChronologyKind::Visit,
            summary: "Statutory visit at the family home.".to_owned(),
            seen: Some(true),
            seen_alone: Some(true),
            child_words: vec!["I like my school.".to_owned()],
            worker: Some("Sam Social".to_owned()),
            on_cover: false,
            plan_changes: Vec::new(),
            source: "visit record by Sam Social".to_owned(),
            facts,
            concerns: String::new(),
            amendments: Vec::new(),
        }
    }

    #[test]
    fn every_line_of_a_very_long_entry_lands_inside_a_page_body() {
        let measure = Measure::new().expect("the embedded fonts");
        let longest = "word ".repeat(10_000); // 50,000 characters, the most a visit holds
        let mut entries: Vec<ChronologyEntry> = (1..=20).map(|d| entry(d, "Home warm.".to_owned())).collect();
        entries.insert(3, entry(3, longest));
        let chronology = Chronology {
            child_id: shared::ChildId::new(),
            central_id: "CMS-1".to_owned(),
            child_name: "Nia Fernlow".to_owned(),
            date_of_birth: chrono::NaiveDate::from_ymd_opt(2017, 5, 9),
            expected_date_of_birth: None,
            generated_at: chrono::Utc::now(),
            produced_by: "Tara Manager".to_owned(),
            time_zone: "Europe/London".to_owned(),
            filter: None,
            entries,
        };
        let pages = layout(&measure, &chronology);
        assert!(pages.len() > 10, "{} pages", pages.len());
        for page in &pages {
            for op in page {
                if let Op::Text { y, .. } = op {
                    assert!((BODY_TOP..=BODY_BOTTOM).contains(y), "a line at {y} is outside the body");
                }
            }
        }
        let pdf = chronology_pdf(&chronology).expect("the PDF");
        assert!(pdf.starts_with(b"%PDF-"));
    }

    #[test]
    fn control_characters_never_reach_the_page() {
        assert_eq!(printable("a\tb\u{7}c\r\nd"), "a bc \nd");
    }
}
