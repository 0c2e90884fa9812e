//! The one CSV writer for everything the server hands out as CSV: the write-back export, the
//! chronology and Annex A List 7 (and any report added later).
//!
//! Every CSV the server produces is opened in a spreadsheet sooner or later, and its cells hold
//! text typed on a phone in the field. A cell that begins with `=`, `+`, `-` or `@` is read by
//! Excel, LibreOffice and Google Sheets as a formula (CSV injection: `=HYPERLINK(...)` to leak
//! data, `=cmd|...` to run a program), and a leading tab or carriage return lets one slip past
//! naive filters. So this writer neutralises every such cell, in every column, by prefixing an
//! apostrophe, which spreadsheets show as text and do not display. Quoting, commas and line
//! breaks inside cells are the `csv` crate's job.
//!
//! Use [`SafeCsv`] rather than `csv::Writer` directly: then no column can be forgotten.

/// The characters that make a spreadsheet treat a cell as a formula (or hide one).
pub const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The cell as it must be written: unchanged, or with a leading apostrophe when it would
/// otherwise start a formula.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(FORMULA_TRIGGERS) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// A CSV document being written in memory, every cell neutralised.
#[derive(Debug)]
pub struct SafeCsv {
    writer: csv::Writer<Vec<u8>>,
}

impl Default for SafeCsv {
    fn default() -> Self {
        SafeCsv::new()
    }
}

impl SafeCsv {
    /// An empty document.
    pub fn new() -> SafeCsv {
        SafeCsv { writer: csv::Writer::from_writer(Vec::new()) }
    }

    /// Writes one row (the header row too), neutralising every cell.
    pub fn row<I, T>(&mut self, cells: I) -> Result<(), csv::Error>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        let cells: Vec<String> = cells.into_iter().map(|c| neutralise(c.as_ref()).into_owned()).collect();
        self.writer.write_record(&cells)
    }

    /// The finished document's bytes (UTF-8).
    pub fn into_bytes(self) -> Result<Vec<u8>, csv::Error> {
        self.writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
    }

    /// The finished document as a string.
    pub fn into_string(self) -> Result<String, csv::Error> {
        let bytes = self.into_bytes()?;
        // Every cell went in as a `&str`, so the bytes are UTF-8; lossy only to avoid a panic path.
        Ok(String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case::equals_formula("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")")]
    #[case::plus("+44 7700 900123", "'+44 7700 900123")]
    #[case::minus("-1+1", "'-1+1")]
    #[case::at_sign("@SUM(A1)", "'@SUM(A1)")]
    #[case::tab("\t=1", "'\t=1")]
    #[case::carriage_return("\r=1", "'\r=1")]
    #[case::plain_words("Family home", "Family home")]
    #[case::formula_later_in_the_cell("said =1+1", "said =1+1")]
    #[case::empty("", "")]
    #[case::already_an_apostrophe("'quoted", "'quoted")]
    fn a_cell_that_would_start_a_formula_is_prefixed(#[case] cell: &str, #[case] written: &str) {
        assert_eq!(neutralise(cell), written);
    }

    #[test]
    fn every_cell_of_every_row_is_neutralised_and_reads_back_as_text() {
        let mut csv = SafeCsv::new();
        csv.row(["=header", "plain"]).unwrap();
        csv.row(["line one\n=line two", "-5"]).unwrap();
        let text = csv.into_string().unwrap();
        let rows: Vec<Vec<String>> = csv::Reader::from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        assert_eq!(rows, vec![vec!["line one\n=line two".to_owned(), "'-5".to_owned()]]);
        assert!(text.starts_with("'=header,plain\n"), "{text}");
    }
}
