//! Worksheet rows, one at a time. An .xlsx sheet is streamed cell by cell through calamine's
//! cell reader, so memory does not grow with the sheet's width × height: only the current row
//! and the top rows (report header and column headers, [`Top`]) are held. Other formats (.xls)
//! have no streaming reader; calamine loads them whole and they are walked row by row through
//! the same interface. Either way a row is handed over only if it has a non-empty cell, rows in
//! sheet order, cells addressed by absolute 0-based column.

use std::borrow::Cow;
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::{Cell, Data, DataRef, Range, Reader, Sheets, XlsxError, open_workbook_auto_from_rs};

use crate::cells::{self, HEADER_SEARCH_ROWS, key};
use crate::error::{ReturnReject, ReturnsError};
use crate::xlsx_scan;

static EMPTY: DataRef<'static> = DataRef::Empty;

/// No cell in this column of the row.
const NO_CELL: u32 = u32::MAX;

/// Rows kept by [`Top`]: the rows searched for the column headers, and the two rows below the
/// last of them (sub-column names under a header).
const TOP_ROWS: u32 = HEADER_SEARCH_ROWS + 2;

const DAMAGED: &str = "the file is damaged";

/// How an .xlsx sheet is read (the whole-sheet path stays for .xls and for tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The tag scanner of [`xlsx_scan`], calamine's cell stream for what it does not read.
    Scan,
    #[cfg_attr(not(test), allow(dead_code))]
    Stream,
    #[cfg_attr(not(test), allow(dead_code))]
    Whole,
}

/// Opens a workbook from bytes, finds the first sheet named like one of `wanted` and runs `read`
/// over its rows. Spreadsheet-library errors and panics on malformed input anywhere in the sheet
/// are whole-file errors ([`ReturnsError::NotSpreadsheet`]), whatever `read` returned; an .xlsx
/// whose rows are not in order is read again whole (so `read` may run twice).
pub(crate) fn with_sheet<T>(
    file_name: &str,
    bytes: &[u8],
    wanted: &[&str],
    mode: Mode,
    mut read: impl FnMut(&str, &mut SheetRows<'_>) -> Result<T, ReturnsError>,
) -> Result<T, ReturnsError> {
    if mode == Mode::Scan
        && let Some(done) = scan_sheet(bytes, wanted, &mut read)
    {
        return done;
    }
    let not_sheet = |detail: String| ReturnsError::NotSpreadsheet {
        file_name: file_name.to_string(),
        detail,
    };
    // A damaged file can make the spreadsheet library panic; that is a whole-file error here
    // (the default panic hook still prints the message on stderr).
    let opened = catch_unwind(|| -> Result<_, String> {
        let wb = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| e.to_string())?;
        let names = wb.sheet_names();
        let found = names
            .iter()
            .find(|n| {
                let k = key(n);
                wanted.iter().any(|w| key(w) == k)
            })
            .cloned();
        Ok(match found {
            Some(name) => Ok((wb, name)),
            None => Err(names),
        })
    });
    let (mut wb, name) = match opened {
        Err(_) => return Err(not_sheet(DAMAGED.to_string())),
        Ok(Err(detail)) => return Err(not_sheet(detail)),
        Ok(Ok(Err(found))) => {
            return Err(ReturnsError::NoSheet {
                file_name: file_name.to_string(),
                wanted: wanted.first().copied().unwrap_or_default().to_string(),
                found,
            });
        }
        Ok(Ok(Ok(pair))) => pair,
    };
    if let (Sheets::Xlsx(x), Mode::Scan | Mode::Stream) = (&mut wb, mode) {
        let sheet = name.as_str();
        let reader = catch_unwind(AssertUnwindSafe(move || {
            let x = x; // moved in: the reader borrows the workbook beyond the closure
            x.worksheet_cells_reader(sheet)
        }));
        let streamed = match reader {
            Err(_) => Streamed::Damaged(DAMAGED.to_string()),
            // A chart sheet: the whole-sheet path reads it as empty.
            Ok(Err(XlsxError::NotAWorksheet(_))) => Streamed::Unstreamable,
            Ok(Err(e)) => Streamed::Damaged(calamine::Error::Xlsx(e).to_string()),
            Ok(Ok(mut reader)) => stream(
                Box::new(move || {
                    reader
                        .next_cell()
                        .map_err(|e| calamine::Error::Xlsx(e).to_string())
                }),
                &name,
                &mut read,
            ),
        };
        match streamed {
            Streamed::Done(result) => return result,
            Streamed::Damaged(detail) => return Err(not_sheet(detail)),
            Streamed::Unstreamable => {}
        }
    }
    let range = catch_unwind(AssertUnwindSafe(|| {
        wb.worksheet_range(&name).map_err(|e| e.to_string())
    }));
    let range = match range {
        Err(_) => return Err(not_sheet(DAMAGED.to_string())),
        Ok(Err(detail)) => return Err(not_sheet(detail)),
        Ok(Ok(range)) => range,
    };
    read(&name, &mut SheetRows::whole(&range))
}

/// Reads the wanted sheet of an .xlsx through [`xlsx_scan`]; `None` when the scan cannot read
/// the workbook or the sheet (calamine reads it then, and gives the errors).
pub(crate) fn scan_sheet<T>(
    bytes: &[u8],
    wanted: &[&str],
    read: &mut impl FnMut(&str, &mut SheetRows<'_>) -> Result<T, ReturnsError>,
) -> Option<Result<T, ReturnsError>> {
    let mut book = catch_unwind(|| xlsx_scan::Book::open(bytes)).ok()??;
    let (name, path) = book
        .sheets
        .iter()
        .find(|(n, _)| {
            let k = key(n);
            wanted.iter().any(|w| key(w) == k)
        })?
        .clone();
    let mut cells = book.cells(&path)?;
    let next = Box::new(move || cells.next_cell().map_err(|u| u.0.to_string()));
    match stream(next, &name, read) {
        Streamed::Done(result) => Some(result),
        Streamed::Damaged(_) | Streamed::Unstreamable => None,
    }
}

/// What came of streaming a sheet.
enum Streamed<T> {
    Done(Result<T, ReturnsError>),
    Damaged(String),
    /// Rows out of order (or not a worksheet): read the sheet whole instead.
    Unstreamable,
}

/// Runs `read` over streamed cells, then reads what `read` left so that damage anywhere in the
/// sheet is found (as when the sheet was read whole before).
fn stream<'x, T>(
    next: Box<NextCell<'x>>,
    name: &str,
    read: &mut impl FnMut(&str, &mut SheetRows<'_>) -> Result<T, ReturnsError>,
) -> Streamed<T> {
    let mut rows = SheetRows::cells(next);
    let result = read(name, &mut rows);
    while rows.advance() {}
    match rows.failure {
        None => Streamed::Done(result),
        Some(Failure::Damaged(detail)) => Streamed::Damaged(detail),
        Some(Failure::OutOfOrder) => Streamed::Unstreamable,
    }
}

/// The next cell of a streamed sheet; errors are the whole-file error's detail.
type NextCell<'x> = dyn FnMut() -> Result<Option<Cell<DataRef<'x>>>, String> + 'x;

enum Failure {
    Damaged(String),
    OutOfOrder,
}

enum Source<'x> {
    /// Cells as the .xlsx reader gives them, with one cell read ahead.
    Cells {
        next: Box<NextCell<'x>>,
        ahead: Option<Cell<DataRef<'x>>>,
        done: bool,
    },
    /// A sheet loaded whole: `index` is the sheet row of the next slice.
    Whole {
        rows: calamine::Rows<'x, Data>,
        index: u32,
        first_col: u32,
    },
}

/// The rows of one sheet, read forward.
pub(crate) struct SheetRows<'x> {
    source: Source<'x>,
    buf: RowBuf<'x>,
    last: Option<u32>,
    failure: Option<Failure>,
}

impl<'x> SheetRows<'x> {
    fn cells(next: Box<NextCell<'x>>) -> Self {
        Self::new(Source::Cells {
            next,
            ahead: None,
            done: false,
        })
    }

    fn whole(range: &'x Range<Data>) -> Self {
        let (index, first_col) = range.start().unwrap_or_default();
        Self::new(Source::Whole {
            rows: range.rows(),
            index,
            first_col,
        })
    }

    fn new(source: Source<'x>) -> Self {
        SheetRows {
            source,
            buf: RowBuf::default(),
            last: None,
            failure: None,
        }
    }

    /// The next row with a non-empty cell; `None` at the end (or once the sheet failed).
    pub fn next_row(&mut self) -> Option<Row<'_>> {
        self.advance().then(|| self.buf.row())
    }

    /// [`Self::next_row`], owned.
    fn next_owned(&mut self) -> Option<RowBuf<'x>> {
        self.advance().then(|| std::mem::take(&mut self.buf))
    }

    /// Assembles the next row with a non-empty cell in `buf`.
    fn advance(&mut self) -> bool {
        self.buf.clear();
        if self.failure.is_some() {
            return false;
        }
        let ok = match self.source {
            Source::Cells { .. } => self.advance_cells(),
            Source::Whole { .. } => self.advance_whole(),
        };
        if ok {
            self.last = Some(self.buf.index);
        }
        ok
    }

    fn advance_cells(&mut self) -> bool {
        let Some(first) = self.take_cell() else {
            return false;
        };
        let row = first.get_position().0;
        if self.last.is_some_and(|last| row <= last) {
            self.failure = Some(Failure::OutOfOrder);
            return false;
        }
        self.buf.index = row;
        self.buf.put(first);
        while let Some(cell) = self.take_cell() {
            if cell.get_position().0 != row {
                // The first cell of the next row (one of an earlier row is caught there).
                if let Source::Cells { ahead, .. } = &mut self.source {
                    *ahead = Some(cell);
                }
                break;
            }
            self.buf.put(cell);
        }
        true
    }

    /// The next non-empty cell, or `None` at the end of the sheet or on a failure (recorded).
    fn take_cell(&mut self) -> Option<Cell<DataRef<'x>>> {
        let Source::Cells { next, ahead, done } = &mut self.source else {
            return None;
        };
        if let Some(cell) = ahead.take() {
            return Some(cell);
        }
        while !*done {
            match catch_unwind(AssertUnwindSafe(&mut *next)) {
                Ok(Ok(Some(cell))) if matches!(cell.get_value(), DataRef::Empty) => {}
                Ok(Ok(Some(cell))) => return Some(cell),
                Ok(Ok(None)) => *done = true,
                Ok(Err(detail)) => {
                    *done = true;
                    self.failure = Some(Failure::Damaged(detail));
                }
                Err(_) => {
                    *done = true;
                    self.failure = Some(Failure::Damaged(DAMAGED.to_string()));
                }
            }
        }
        None
    }

    fn advance_whole(&mut self) -> bool {
        let Source::Whole {
            rows,
            index,
            first_col,
        } = &mut self.source
        else {
            return false;
        };
        for cells in rows.by_ref() {
            let r = *index;
            *index += 1;
            if cells.iter().all(|d| matches!(d, Data::Empty)) {
                continue;
            }
            self.buf.index = r;
            for (c, d) in (*first_col..).zip(cells) {
                if !matches!(d, Data::Empty) {
                    self.buf.put(Cell::new((r, c), borrow(d)));
                }
            }
            return true;
        }
        false
    }
}

/// A loaded cell as the streamed kind (strings borrowed).
fn borrow(d: &Data) -> DataRef<'_> {
    match d {
        Data::Int(i) => DataRef::Int(*i),
        Data::Float(f) => DataRef::Float(*f),
        Data::String(s) => DataRef::SharedString(s),
        Data::Bool(b) => DataRef::Bool(*b),
        Data::DateTime(dt) => DataRef::DateTime(*dt),
        Data::DateTimeIso(s) => DataRef::DateTimeIso(s.clone()),
        Data::DurationIso(s) => DataRef::DurationIso(s.clone()),
        Data::Error(e) => DataRef::Error(e.clone()),
        Data::Empty => DataRef::Empty,
    }
}

/// One row being assembled: its cells in arrival order and, by column, where each is.
#[derive(Default)]
struct RowBuf<'x> {
    index: u32,
    slots: Vec<u32>,
    cells: Vec<Cell<DataRef<'x>>>,
}

impl<'x> RowBuf<'x> {
    fn clear(&mut self) {
        self.slots.clear();
        self.cells.clear();
    }

    /// Adds a cell; a second cell at the same column replaces the first.
    fn put(&mut self, cell: Cell<DataRef<'x>>) {
        let col = cell.get_position().1 as usize;
        if col >= self.slots.len() {
            self.slots.resize(col + 1, NO_CELL);
        }
        match self.slots[col] {
            NO_CELL => {
                self.slots[col] = u32::try_from(self.cells.len()).unwrap_or(NO_CELL);
                self.cells.push(cell);
            }
            i => self.cells[i as usize] = cell,
        }
    }

    fn row(&self) -> Row<'_> {
        Row {
            index: self.index,
            slots: &self.slots,
            cells: &self.cells,
        }
    }
}

/// One worksheet row: cells by absolute 0-based column.
#[derive(Clone, Copy)]
pub(crate) struct Row<'a> {
    /// 0-based sheet row.
    pub index: u32,
    slots: &'a [u32],
    cells: &'a [Cell<DataRef<'a>>],
}

impl<'a> Row<'a> {
    fn empty(index: u32) -> Self {
        Row {
            index,
            slots: &[],
            cells: &[],
        }
    }

    pub fn cell(&self, col: usize) -> &'a DataRef<'a> {
        match self.slots.get(col) {
            Some(&i) if i != NO_CELL => self.cells[i as usize].get_value(),
            _ => &EMPTY,
        }
    }

    pub fn text(&self, col: usize) -> Cow<'a, str> {
        cells::cell_text(self.cell(col))
    }

    /// One past the last column with a cell.
    pub fn end_col(&self) -> usize {
        self.slots.len()
    }

    /// All cells joined by single spaces (for report-header lines).
    pub fn row_text(&self) -> String {
        let mut out = String::new();
        for c in 0..self.end_col() {
            let t = self.text(c);
            let t = t.trim();
            if !t.is_empty() {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(t);
            }
        }
        out
    }

    /// A reject for the cell at `col` of this row.
    pub fn reject(
        &self,
        sheet: &str,
        col: usize,
        field: &str,
        message: &str,
        th: &str,
    ) -> Box<ReturnReject> {
        let letter = cells::column_letter(col);
        Box::new(ReturnReject {
            sheet: sheet.to_string(),
            row: self.index + 1,
            field: field.to_string(),
            value: self.text(col).into_owned(),
            message: format!("column {letter}: {message}"),
            message_th: format!("คอลัมน์ {letter}: {th}"),
        })
    }
}

/// The top rows of a sheet, kept to find the column headers and read the report header: every
/// row above [`TOP_ROWS`] and the first row at or below it (the rest are streamed).
pub(crate) struct Top<'x> {
    rows: Vec<RowBuf<'x>>,
}

impl<'x> Top<'x> {
    pub fn read(rows: &mut SheetRows<'x>) -> Top<'x> {
        let mut top = Vec::new();
        while let Some(row) = rows.next_owned() {
            let last = row.index >= TOP_ROWS;
            top.push(row);
            if last {
                break;
            }
        }
        Top { rows: top }
    }

    /// Row `r` (empty if the sheet has nothing there, or it was not kept).
    pub fn row(&self, r: u32) -> Row<'_> {
        match self.rows.binary_search_by_key(&r, |b| b.index) {
            Ok(i) => self.rows[i].row(),
            Err(_) => Row::empty(r),
        }
    }

    /// The kept rows below row `r`, in order.
    pub fn rows_after(&self, r: u32) -> impl Iterator<Item = Row<'_>> {
        self.rows
            .iter()
            .filter(move |b| b.index > r)
            .map(RowBuf::row)
    }

    /// The row holding the column headers: the first of the top [`HEADER_SEARCH_ROWS`] rows
    /// with a cell that is exactly one of `markers` (compared with [`key`]). Returns the row
    /// and the marker's column.
    pub fn find_header_row(&self, markers: &[&str]) -> Option<(u32, usize)> {
        let keys: Vec<String> = markers.iter().map(|m| key(m)).collect();
        self.rows
            .iter()
            .take_while(|b| b.index < HEADER_SEARCH_ROWS)
            .find_map(|b| {
                let row = b.row();
                (0..row.end_col()).find_map(|c| {
                    let k = key(&row.text(c));
                    keys.contains(&k).then_some((row.index, c))
                })
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(t: &str) -> DataRef<'static> {
        DataRef::String(t.to_string())
    }

    /// A position and value, or a reader error.
    type Given = Result<((u32, u32), DataRef<'static>), &'static str>;

    /// A cell source over a list.
    fn source(cells: Vec<Given>) -> Box<NextCell<'static>> {
        let mut it = cells.into_iter();
        Box::new(move || match it.next() {
            None => Ok(None),
            Some(Ok((pos, v))) => Ok(Some(Cell::new(pos, v))),
            Some(Err(e)) => Err(e.to_string()),
        })
    }

    /// (row, [(col, text)]) of every row.
    fn collect(rows: &mut SheetRows<'_>) -> Vec<(u32, Vec<(usize, String)>)> {
        let mut out = Vec::new();
        while let Some(r) = rows.next_row() {
            let cells = (0..r.end_col())
                .filter(|&c| !matches!(r.cell(c), DataRef::Empty))
                .map(|c| (c, r.text(c).into_owned()))
                .collect();
            out.push((r.index, cells));
        }
        out
    }

    #[test]
    fn rows_from_cells() {
        let mut rows = SheetRows::cells(source(vec![
            Ok(((0, 3), s("a"))),
            // Empty cells (styled but blank) are not cells; a row of them is no row.
            Ok(((0, 5), DataRef::Empty)),
            Ok(((2, 0), DataRef::Empty)),
            // Out of order within a row, and a repeated position (the last one counts).
            Ok(((4, 7), DataRef::Float(1.5))),
            Ok(((4, 1), s("b"))),
            Ok(((4, 7), DataRef::Int(2))),
            Ok(((4, 0), DataRef::SharedString("c"))),
            // Sparse: one far column.
            Ok(((9, 200), s("z"))),
        ]));
        let got = collect(&mut rows);
        assert_eq!(
            got,
            vec![
                (0, vec![(3, "a".into())]),
                (4, vec![(0, "c".into()), (1, "b".into()), (7, "2".into())]),
                (9, vec![(200, "z".into())]),
            ]
        );
        assert!(rows.failure.is_none());
        // The row reuses its buffers; an absent column reads as empty.
        let mut rows = SheetRows::cells(source(vec![Ok(((1, 2), s("x")))]));
        let r = rows.next_row().unwrap();
        assert_eq!(
            (r.end_col(), r.text(0), r.text(9)),
            (3, "".into(), "".into())
        );
        assert!(matches!(r.cell(99), DataRef::Empty));
    }

    #[test]
    fn rows_out_of_order_or_damaged() {
        let ok = |r, c| Ok(((r, c), s("v")));
        // A row going back, or coming again after another row: not streamable.
        for cells in [vec![ok(3, 0), ok(1, 0)], vec![ok(3, 0), ok(4, 0), ok(3, 1)]] {
            let mut rows = SheetRows::cells(source(cells));
            collect(&mut rows);
            assert!(matches!(rows.failure, Some(Failure::OutOfOrder)));
        }
        let mut read = |_: &str, rows: &mut SheetRows<'_>| Ok(rows.next_row().map(|r| r.index));
        let streamed = stream(source(vec![ok(3, 0), ok(4, 0), ok(2, 0)]), "S", &mut read);
        assert!(matches!(streamed, Streamed::Unstreamable));
        // A reader error after what `read` looked at still makes the file an error.
        let streamed = stream(source(vec![ok(3, 0), ok(4, 0), Err("bad")]), "S", &mut read);
        assert!(matches!(streamed, Streamed::Damaged(ref d) if d == "bad"));
        let streamed = stream(source(vec![ok(3, 0), ok(4, 0)]), "S", &mut read);
        assert!(matches!(streamed, Streamed::Done(Ok(Some(3)))));
        // A panicking reader.
        let boom: Box<NextCell<'static>> = Box::new(|| panic!("calamine"));
        let streamed = stream(boom, "S", &mut read);
        assert!(matches!(streamed, Streamed::Damaged(ref d) if d == DAMAGED));
    }

    #[test]
    fn whole_sheet_rows_match_streamed_rows() {
        let cells = [
            ((1, 2), Data::String("h".into())),
            ((1, 4), Data::Float(2.5)),
            ((3, 1), Data::Int(7)),
            ((3, 3), Data::String(String::new())),
            ((6, 2), Data::Bool(true)),
        ];
        let range = Range::from_sparse(
            cells
                .iter()
                .map(|(p, d)| Cell::new(*p, d.clone()))
                .collect(),
        );
        let whole = collect(&mut SheetRows::whole(&range));
        let streamed = collect(&mut SheetRows::cells(source(
            cells
                .iter()
                .map(|(p, d)| {
                    Ok((
                        *p,
                        match d {
                            Data::String(t) => DataRef::String(t.clone()),
                            Data::Float(f) => DataRef::Float(*f),
                            Data::Int(i) => DataRef::Int(*i),
                            Data::Bool(b) => DataRef::Bool(*b),
                            _ => DataRef::Empty,
                        },
                    ))
                })
                .collect(),
        )));
        assert_eq!(whole, streamed);
        assert_eq!(whole.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 3, 6]);
        assert!(collect(&mut SheetRows::whole(&Range::default())).is_empty());
    }

    #[test]
    fn top_rows() {
        let mut cells: Vec<_> = (0..40)
            .map(|r| Ok(((r, 1), s(if r == 5 { "TRAN_ID" } else { "x" }))))
            .collect();
        cells.insert(0, Ok(((0, 0), s("REP"))));
        let mut rows = SheetRows::cells(source(cells));
        let top = Top::read(&mut rows);
        assert_eq!(top.find_header_row(&["TRAN_ID"]), Some((5, 1)));
        assert_eq!(top.find_header_row(&["REP No."]), None);
        assert_eq!(top.row(0).row_text(), "REP x");
        assert_eq!(top.row(99).end_col(), 0);
        let after: Vec<u32> = top.rows_after(14).map(|r| r.index).collect();
        assert_eq!(after, [15, 16, 17]);
        assert_eq!(rows.next_row().map(|r| r.index), Some(18));
    }
}
