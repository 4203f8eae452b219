//! The fast path for .xlsx sheets: the sheet's XML inflated a window at a time and scanned for
//! its cells by a purpose-built tag scanner instead of a general XML parser. A month of REP and
//! statement workbooks is over a gigabyte of sheet XML, which calamine's event reader walks in
//! about twice the time.
//!
//! It gives the cells calamine's cell reader gives (same positions, same values, dates by the
//! cell's number format), and gives up on anything else: a construct it does not read (a cell
//! without its address, an unknown error or cell type, an unknown entity, text that is not
//! UTF-8, damage) ends the scan with [`Unsupported`], and the caller reads the sheet with
//! calamine instead. So the scan can make a sheet faster to read, never read differently.

use std::borrow::Cow;
use std::io::{Cursor, Read};

use calamine::{Cell, DataRef, ExcelDateTime, ExcelDateTimeType};

/// The scan met something it does not read: the sheet is read by calamine instead.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Unsupported(pub &'static str);

/// Sheet XML beyond this is left to calamine (a month's REP sheet is about 65 MB).
const SHEET_LIMIT: u64 = 1 << 30;

/// The sheet is inflated this much at a time: memory holds a window of it, not the sheet.
const WINDOW: usize = 1 << 20;

/// A cell's number format, as far as it decides what a number means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumFmt {
    Other,
    DateTime,
    TimeDelta,
}

/// What the scan needs of a workbook besides the sheet: its sheets, and the tables a cell's
/// value is read with.
pub(crate) struct Book<'b> {
    /// (name, path in the zip), in workbook order.
    pub sheets: Vec<(String, String)>,
    tables: Tables,
    zip: zip::ZipArchive<Cursor<&'b [u8]>>,
}

/// Shared strings, the number format of each cell style, and the date system.
pub(crate) struct Tables {
    strings: Vec<String>,
    formats: Vec<NumFmt>,
    is_1904: bool,
}

impl<'b> Book<'b> {
    /// Opens an .xlsx held in `bytes`; `None` when it is not one this path reads.
    pub fn open(bytes: &'b [u8]) -> Option<Book<'b>> {
        if !bytes.starts_with(b"PK\x03\x04") {
            return None;
        }
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
        let workbook = entry(&mut zip, "xl/workbook.xml", 64 << 20)?;
        let rels = entry(&mut zip, "xl/_rels/workbook.xml.rels", 64 << 20)?;
        let targets = relationships(&rels)?;
        let (sheets, is_1904) = workbook_sheets(&workbook, &targets)?;
        let mut strings = Vec::new();
        if let Some(path) = targets
            .iter()
            .find(|t| t.kind.ends_with("/sharedStrings"))
            .map(|t| t.path.clone())
        {
            let xml = entry(&mut zip, &path, SHEET_LIMIT)?;
            strings = shared_strings(&xml)?;
        }
        let mut formats = Vec::new();
        if let Some(path) = targets
            .iter()
            .find(|t| t.kind.ends_with("/styles"))
            .map(|t| t.path.clone())
        {
            let xml = entry(&mut zip, &path, 64 << 20)?;
            formats = cell_formats(&xml)?;
        }
        Some(Book {
            sheets,
            tables: Tables {
                strings,
                formats,
                is_1904,
            },
            zip,
        })
    }

    /// The cells of the sheet at `path`, inflated as they are read.
    pub fn cells(&mut self, path: &str) -> Option<Cells<'_>> {
        let f = self.zip.by_name(path).ok()?;
        (f.size() <= SHEET_LIMIT).then(|| Cells::new(Box::new(f), &self.tables))
    }
}

/// A zip entry inflated, if it exists and is at most `limit` bytes.
fn entry(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, path: &str, limit: u64) -> Option<Vec<u8>> {
    let f = zip.by_name(path).ok()?;
    let declared = f.size();
    if declared > limit {
        return None;
    }
    // The declared size is the file's word, not a fact: reserve no more than a window for it.
    let mut out = Vec::with_capacity((declared as usize).min(WINDOW * 16));
    f.take(limit + 1).read_to_end(&mut out).ok()?;
    (out.len() as u64 <= limit).then_some(out)
}

struct Target {
    id: String,
    kind: String,
    path: String,
}

/// The workbook's relationships: id, type and the part's path in the zip.
fn relationships(xml: &[u8]) -> Option<Vec<Target>> {
    let mut out = Vec::new();
    let mut tags = Tags::new(xml);
    while let Some(item) = tags.next_item().ok()? {
        if let Item::Open { name, attrs, .. } = item
            && name == b"Relationship"
        {
            let target = attr(attrs, b"Target")?;
            let path = match target.strip_prefix('/') {
                Some(abs) => abs.to_string(),
                None => format!("xl/{target}"),
            };
            out.push(Target {
                id: attr(attrs, b"Id")?.into_owned(),
                kind: attr(attrs, b"Type").unwrap_or_default().into_owned(),
                path,
            });
        }
    }
    Some(out)
}

/// The sheets (name, zip path) in workbook order, and whether dates count from 1904.
fn workbook_sheets(xml: &[u8], targets: &[Target]) -> Option<(Vec<(String, String)>, bool)> {
    let (mut sheets, mut is_1904) = (Vec::new(), false);
    let mut tags = Tags::new(xml);
    while let Some(item) = tags.next_item().ok()? {
        let Item::Open { name, attrs, .. } = item else {
            continue;
        };
        match name {
            b"workbookPr" => {
                is_1904 = matches!(attr(attrs, b"date1904").as_deref(), Some("1" | "true"));
            }
            b"sheet" => {
                let name = attr(attrs, b"name")?.into_owned();
                let id = attr(attrs, b":id")?;
                // A sheet whose part is missing (a chart sheet, say) is left to calamine.
                if let Some(t) = targets.iter().find(|t| t.id == id) {
                    sheets.push((name, t.path.clone()));
                }
            }
            _ => {}
        }
    }
    Some((sheets, is_1904))
}

/// The shared string table: each `<si>`'s text runs joined (phonetic runs left out).
fn shared_strings(xml: &[u8]) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut tags = Tags::new(xml);
    while let Some(item) = tags.next_item().ok()? {
        if let Item::Open {
            name: b"si", empty, ..
        } = item
        {
            if empty {
                out.push(String::new());
            } else {
                out.push(rich_text(&mut tags, b"si").ok()?.into_owned());
            }
        }
    }
    Some(out)
}

/// The number format of every cell style (`cellXfs`), by style index.
fn cell_formats(xml: &[u8]) -> Option<Vec<NumFmt>> {
    let mut custom: Vec<(String, NumFmt)> = Vec::new();
    let mut out = Vec::new();
    let mut in_xfs = false;
    let mut tags = Tags::new(xml);
    while let Some(item) = tags.next_item().ok()? {
        match item {
            Item::Open {
                name: b"numFmt",
                attrs,
                ..
            } => {
                let id = attr(attrs, b"numFmtId")?.into_owned();
                let code = attr(attrs, b"formatCode").unwrap_or_default();
                custom.push((id, custom_format(&code)));
            }
            Item::Open {
                name: b"cellXfs",
                empty,
                ..
            } => in_xfs = !empty,
            Item::Close(b"cellXfs") => in_xfs = false,
            Item::Open {
                name: b"xf", attrs, ..
            } if in_xfs => {
                let f = match attr(attrs, b"numFmtId") {
                    None => NumFmt::Other,
                    Some(id) => custom
                        .iter()
                        .find(|(c, _)| *c == id)
                        .map(|(_, f)| *f)
                        .unwrap_or_else(|| builtin_format(&id)),
                };
                out.push(f);
            }
            _ => {}
        }
    }
    Some(out)
}

/// Excel's built-in number formats that are dates or durations.
fn builtin_format(id: &str) -> NumFmt {
    match id {
        "14" | "15" | "16" | "17" | "18" | "19" | "20" | "21" | "22" | "45" | "47" => {
            NumFmt::DateTime
        }
        "46" => NumFmt::TimeDelta,
        _ => NumFmt::Other,
    }
}

/// Whether a custom format code shows a date or a duration: a date or time letter outside
/// quotes, escapes and brackets in its first section; `[h]`, `[m]`, `[s]` make a duration.
/// (The rule calamine applies, so both paths read a number the same way.)
fn custom_format(code: &str) -> NumFmt {
    let (mut escaped, mut quoted, mut am_pm, mut elapsed) = (false, false, false, false);
    let mut brackets = 0u8;
    let mut prev = ' ';
    for c in code.chars() {
        if escaped {
            escaped = false;
        } else if c == '_' || c == '\\' {
            escaped = true;
        } else if quoted {
            quoted = c != '"';
        } else {
            match c {
                '"' => quoted = true,
                ';' => return NumFmt::Other,
                '[' => brackets += 1,
                ']' if brackets == 1 && elapsed => return NumFmt::TimeDelta,
                ']' => brackets = brackets.saturating_sub(1),
                'a' | 'A' if !am_pm && brackets == 0 => am_pm = true,
                'p' | 'm' | '/' | 'P' | 'M' if am_pm && brackets == 0 => return NumFmt::DateTime,
                'd' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S'
                    if !am_pm && brackets == 0 =>
                {
                    return NumFmt::DateTime;
                }
                _ => {
                    if !(elapsed && c.eq_ignore_ascii_case(&prev)) {
                        elapsed = prev == '[' && matches!(c, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                    }
                }
            }
        }
        prev = c;
    }
    NumFmt::Other
}

/// One step of the tag scanner.
#[derive(Debug, PartialEq, Eq)]
enum Item<'x> {
    /// `<name attrs>` or, `empty`, `<name attrs/>`; `name` without its namespace prefix.
    Open {
        name: &'x [u8],
        attrs: &'x [u8],
        empty: bool,
    },
    Close(&'x [u8]),
    /// Character data between tags, as written (entities not resolved).
    Text(&'x [u8]),
    /// A CDATA section's content.
    CData(&'x [u8]),
}

/// A forward scanner of XML tags and text; declarations, comments and processing
/// instructions are skipped.
struct Tags<'x> {
    xml: &'x [u8],
    pos: usize,
}

impl<'x> Tags<'x> {
    fn new(xml: &'x [u8]) -> Self {
        Tags { xml, pos: 0 }
    }

    fn next_item(&mut self) -> Result<Option<Item<'x>>, Unsupported> {
        const BROKEN: Unsupported = Unsupported("malformed XML");
        loop {
            let rest = &self.xml[self.pos..];
            if rest.is_empty() {
                return Ok(None);
            }
            if rest[0] != b'<' {
                let end = memchr::memchr(b'<', rest).unwrap_or(rest.len());
                self.pos += end;
                return Ok(Some(Item::Text(&rest[..end])));
            }
            let skip_to =
                |marker: &[u8]| memchr::memmem::find(rest, marker).map(|i| i + marker.len());
            if rest.starts_with(b"<?") {
                self.pos += skip_to(b"?>").ok_or(BROKEN)?;
                continue;
            }
            if rest.starts_with(b"<!--") {
                self.pos += skip_to(b"-->").ok_or(BROKEN)?;
                continue;
            }
            if rest.starts_with(b"<![CDATA[") {
                let end = skip_to(b"]]>").ok_or(BROKEN)?;
                self.pos += end;
                return Ok(Some(Item::CData(&rest[9..end - 3])));
            }
            if rest.starts_with(b"<!") {
                self.pos += skip_to(b">").ok_or(BROKEN)?;
                continue;
            }
            if let Some(close) = rest.strip_prefix(b"</") {
                let end = memchr::memchr(b'>', close).ok_or(BROKEN)?;
                self.pos += end + 3;
                return Ok(Some(Item::Close(local(close[..end].trim_ascii_end()))));
            }
            // A start tag ends at the first '>' outside a quoted attribute value.
            let mut quote = 0u8;
            let mut end = None;
            for (i, &b) in rest.iter().enumerate().skip(1) {
                match b {
                    b'"' | b'\'' if quote == 0 => quote = b,
                    q if q == quote => quote = 0,
                    b'>' if quote == 0 => {
                        end = Some(i);
                        break;
                    }
                    _ => {}
                }
            }
            let end = end.ok_or(BROKEN)?;
            self.pos += end + 1;
            let mut inner = &rest[1..end];
            let empty = inner.last() == Some(&b'/');
            if empty {
                inner = &inner[..inner.len() - 1];
            }
            let name_end = inner
                .iter()
                .position(|b| b.is_ascii_whitespace())
                .unwrap_or(inner.len());
            return Ok(Some(Item::Open {
                name: local(&inner[..name_end]),
                attrs: &inner[name_end..],
                empty,
            }));
        }
    }

    /// Skips to the end of the element named `name` just opened (nested ones included).
    fn skip(&mut self, name: &[u8]) -> Result<(), Unsupported> {
        let mut depth = 1;
        while let Some(item) = self.next_item()? {
            match item {
                Item::Open { name: n, empty, .. } if n == name && !empty => depth += 1,
                Item::Close(n) if n == name => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                _ => {}
            }
        }
        Err(Unsupported("an element is not closed"))
    }
}

/// A tag or attribute name without its namespace prefix.
fn local(name: &[u8]) -> &[u8] {
    match memchr::memchr(b':', name) {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// The attributes of a tag as (name, raw value) pairs, in order; a malformed one ends them.
fn attributes(attrs: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut rest = attrs;
    std::iter::from_fn(move || {
        rest = rest.trim_ascii_start();
        let eq = memchr::memchr(b'=', rest)?;
        let key = rest[..eq].trim_ascii();
        let after = rest[eq + 1..].trim_ascii_start();
        let q = *after.first().filter(|q| matches!(q, b'"' | b'\''))?;
        let len = memchr::memchr(q, &after[1..])?;
        rest = &after[len + 2..];
        Some((key, &after[1..1 + len]))
    })
}

/// The value of the attribute named `name`, or ending with `name` when it starts with `:`
/// (`r:id` by `:id`), entities resolved.
fn attr<'x>(attrs: &'x [u8], name: &[u8]) -> Option<Cow<'x, str>> {
    let prefixed = name.starts_with(b":");
    let (_, value) =
        attributes(attrs).find(|(k, _)| *k == name || (prefixed && k.ends_with(name)))?;
    unescape(value).ok()
}

/// The raw value of the one-letter attribute `name` (`r`, `s`, `t`: read on every cell).
fn raw_attr(attrs: &[u8], name: u8) -> Option<&[u8]> {
    attributes(attrs)
        .find(|(k, _)| *k == [name])
        .map(|(_, v)| v)
}

/// Text with its entities resolved and line ends normalised as an XML parser does; borrowed
/// when there is nothing to resolve.
fn unescape(raw: &[u8]) -> Result<Cow<'_, str>, Unsupported> {
    const NOT_UTF8: Unsupported = Unsupported("text is not UTF-8");
    if memchr::memchr2(b'&', b'\r', raw).is_none() {
        return std::str::from_utf8(raw)
            .map(Cow::Borrowed)
            .map_err(|_| NOT_UTF8);
    }
    let text = std::str::from_utf8(raw).map_err(|_| NOT_UTF8)?;
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(['&', '\r']) {
        out.push_str(&rest[..i]);
        if rest.as_bytes()[i] == b'\r' {
            out.push('\n');
            rest = &rest[i + 1..];
            rest = rest.strip_prefix('\n').unwrap_or(rest);
            continue;
        }
        let end = rest[i..]
            .find(';')
            .ok_or(Unsupported("an entity is not closed"))?;
        let name = &rest[i + 1..i + end];
        let c = match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = name.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = name.strip_prefix('#') {
                    dec.parse().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32)
                    .ok_or(Unsupported("an unknown entity"))?
            }
        };
        out.push(c);
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    Ok(Cow::Owned(out))
}

/// The text of the element `name` just opened: its `<t>` runs joined, phonetic runs (`rPh`)
/// and their like left out. Borrowed when the text is one run with nothing to resolve.
fn rich_text<'x>(tags: &mut Tags<'x>, name: &[u8]) -> Result<Cow<'x, str>, Unsupported> {
    let mut out: Option<Cow<'x, str>> = None;
    let mut in_t = false;
    while let Some(item) = tags.next_item()? {
        match item {
            Item::Open {
                name: b"t", empty, ..
            } => in_t = !empty,
            Item::Open {
                name: b"rPh",
                empty: false,
                ..
            } => tags.skip(b"rPh")?,
            Item::Close(b"t") => in_t = false,
            Item::Close(n) if n == name => {
                return Ok(excel_escapes(out.unwrap_or(Cow::Borrowed(""))));
            }
            Item::Text(t) if in_t => push_text(&mut out, unescape(t)?),
            Item::CData(t) if in_t => push_text(
                &mut out,
                Cow::Borrowed(
                    std::str::from_utf8(t).map_err(|_| Unsupported("text is not UTF-8"))?,
                ),
            ),
            _ => {}
        }
    }
    Err(Unsupported("a string is not closed"))
}

/// Excel's own escapes in string text (`_x000D_` for a control character), resolved.
fn excel_escapes(s: Cow<'_, str>) -> Cow<'_, str> {
    if !s.contains("_x00") {
        return s;
    }
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"_x00")
            && b.get(i + 6) == Some(&b'_')
            && let Some(v) = std::str::from_utf8(&b[i + 4..i + 6])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(char::from(v));
            i += 7;
            continue;
        }
        let ch = s[i..].chars().next().unwrap_or_default();
        out.push(ch);
        i += ch.len_utf8();
    }
    Cow::Owned(out)
}

fn push_text<'x>(out: &mut Option<Cow<'x, str>>, t: Cow<'x, str>) {
    match out {
        None => *out = Some(t),
        Some(s) => s.to_mut().push_str(&t),
    }
}

/// The cells of a sheet, in document order (empty cells skipped). The XML is inflated a window
/// at a time and scanned a row at a time (a row always whole in the window); text values are
/// copied out of it, shared strings borrowed from the table.
pub(crate) struct Cells<'x> {
    src: Box<dyn Read + 'x>,
    buf: Vec<u8>,
    /// Start of what is not scanned yet in `buf`.
    pos: usize,
    eof: bool,
    inflated: u64,
    /// Bytes inflated at a time ([`WINDOW`]; tests make it small).
    window: usize,
    state: State<'x>,
    ready: std::collections::VecDeque<Cell<DataRef<'x>>>,
}

/// Where the scan stands in the sheet.
struct State<'x> {
    tables: &'x Tables,
    in_data: bool,
    done: bool,
    row: u32,
}

impl<'x> Cells<'x> {
    fn new(src: Box<dyn Read + 'x>, tables: &'x Tables) -> Self {
        Cells {
            src,
            buf: Vec::with_capacity(WINDOW * 2),
            pos: 0,
            eof: false,
            inflated: 0,
            window: WINDOW,
            state: State {
                tables,
                in_data: false,
                done: false,
                row: 0,
            },
            ready: std::collections::VecDeque::new(),
        }
    }

    /// The next cell with a value, `None` at the end of the sheet's data.
    pub fn next_cell(&mut self) -> Result<Option<Cell<DataRef<'x>>>, Unsupported> {
        loop {
            if let Some(c) = self.ready.pop_front() {
                return Ok(Some(c));
            }
            if self.state.done {
                return Ok(None);
            }
            let end = self.next_row_end()?;
            let mut tags = Tags {
                xml: &self.buf[..end],
                pos: self.pos,
            };
            self.state.scan(&mut tags, &mut self.ready)?;
            self.pos = tags.pos;
            if !self.state.done && self.eof && self.pos == self.buf.len() {
                return Err(Unsupported("the sheet data is not closed"));
            }
        }
    }

    /// The end in `buf` of the next whole row (or of the sheet data), inflating more as needed.
    fn next_row_end(&mut self) -> Result<usize, Unsupported> {
        let mut from = self.pos;
        loop {
            // `row>` ends a row (`</row>`, `</x:row>`) or opens one without attributes: either
            // way a place between cells.
            let hay = &self.buf[from..];
            if let Some(i) = memchr::memmem::find(hay, b"row>") {
                return Ok(from + i + 4);
            }
            if let Some(i) = memchr::memmem::find(hay, b"sheetData>") {
                return Ok(from + i + 10);
            }
            if self.eof {
                return Ok(self.buf.len());
            }
            // Search again only what may hold a marker cut by the window's end.
            from = self.buf.len().saturating_sub(16).max(self.pos);
            from -= self.inflate()?;
        }
    }

    /// Moves what is not scanned to the front of `buf` and inflates up to a window more;
    /// returns by how much the kept bytes moved.
    fn inflate(&mut self) -> Result<usize, Unsupported> {
        let moved = self.pos;
        self.buf.drain(..moved);
        self.pos = 0;
        let old = self.buf.len();
        self.buf.resize(old + self.window, 0);
        let mut got = 0;
        while got < self.window {
            match self.src.read(&mut self.buf[old + got..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                // A damaged entry (bad deflate data or checksum): calamine says what it is.
                Err(_) => return Err(Unsupported("the sheet cannot be inflated")),
            }
        }
        self.buf.truncate(old + got);
        self.inflated += got as u64;
        if self.inflated > SHEET_LIMIT {
            return Err(Unsupported("the sheet is too large for the scan"));
        }
        Ok(moved)
    }
}

impl<'x> State<'x> {
    /// Scans `tags` to their end, queueing the cells with a value.
    fn scan(
        &mut self,
        tags: &mut Tags<'_>,
        ready: &mut std::collections::VecDeque<Cell<DataRef<'x>>>,
    ) -> Result<(), Unsupported> {
        while let Some(item) = tags.next_item()? {
            if self.done {
                return Ok(());
            }
            if !self.in_data {
                if let Item::Open {
                    name: b"sheetData",
                    empty,
                    ..
                } = item
                {
                    self.in_data = !empty;
                    self.done = empty;
                }
                continue;
            }
            match item {
                Item::Open {
                    name: b"row",
                    attrs,
                    empty: false,
                } => {
                    if let Some(r) = raw_attr(attrs, b'r') {
                        self.row = number::<u32>(r)?
                            .checked_sub(1)
                            .ok_or(Unsupported("row 0"))?;
                    }
                }
                // An empty row element holds no cells and, as in calamine, moves nothing.
                Item::Open {
                    name: b"row",
                    empty: true,
                    ..
                } => {}
                Item::Close(b"row") => self.row += 1,
                Item::Close(b"sheetData") => self.done = true,
                Item::Open {
                    name: b"c",
                    empty: true,
                    ..
                } => {}
                Item::Open {
                    name: b"c",
                    attrs,
                    empty: false,
                } => {
                    let r =
                        raw_attr(attrs, b'r').ok_or(Unsupported("a cell without its address"))?;
                    let pos = position(r)?;
                    let value = self.cell_value(tags, attrs)?;
                    if !matches!(value, DataRef::Empty) {
                        ready.push_back(Cell::new(pos, value));
                    }
                }
                Item::Text(t) if t.iter().all(u8::is_ascii_whitespace) => {}
                _ => return Err(Unsupported("an element the scan does not read")),
            }
        }
        Ok(())
    }

    /// The value of the cell just opened (its `<v>`, inline string, formula skipped), read
    /// up to the cell's end.
    fn cell_value(&self, tags: &mut Tags<'_>, attrs: &[u8]) -> Result<DataRef<'x>, Unsupported> {
        let mut value = DataRef::Empty;
        while let Some(item) = tags.next_item()? {
            match item {
                Item::Close(b"c") => return Ok(value),
                Item::Open {
                    name: b"v",
                    empty: false,
                    ..
                } => {
                    let mut text: Option<Cow<'_, str>> = None;
                    loop {
                        match tags.next_item()? {
                            Some(Item::Text(t)) => push_text(&mut text, unescape(t)?),
                            Some(Item::CData(t)) => push_text(&mut text, Cow::Borrowed(utf8(t)?)),
                            Some(Item::Close(b"v")) => break,
                            _ => return Err(Unsupported("a value is not text")),
                        }
                    }
                    value = self.typed(attrs, text.unwrap_or(Cow::Borrowed("")))?;
                }
                Item::Open {
                    name: b"is",
                    empty: false,
                    ..
                } => value = DataRef::String(rich_text(tags, b"is")?.into_owned()),
                Item::Open {
                    name: b"f",
                    empty: false,
                    ..
                } => {
                    tags.skip(b"f")?;
                    value = DataRef::Empty;
                }
                // Empty value, string and formula elements say nothing (as in calamine).
                Item::Open {
                    name: b"v" | b"is" | b"f",
                    empty: true,
                    ..
                } => {}
                Item::Text(t) if t.iter().all(u8::is_ascii_whitespace) => {}
                _ => return Err(Unsupported("an element the scan does not read")),
            }
        }
        Err(Unsupported("a cell is not closed"))
    }

    /// A `<v>` value by the cell's type (`t`) and style (`s`).
    fn typed(&self, attrs: &[u8], v: Cow<'_, str>) -> Result<DataRef<'x>, Unsupported> {
        let t = self.tables;
        let format = match raw_attr(attrs, b's') {
            Some(s) => t.formats.get(number::<usize>(s).unwrap_or(0)).copied(),
            None => Some(NumFmt::Other),
        };
        let num = |n: f64| {
            let kind = match format {
                Some(NumFmt::DateTime) => ExcelDateTimeType::DateTime,
                Some(NumFmt::TimeDelta) => ExcelDateTimeType::TimeDelta,
                _ => return DataRef::Float(n),
            };
            DataRef::DateTime(ExcelDateTime::new(n, kind, t.is_1904))
        };
        Ok(match raw_attr(attrs, b't') {
            Some(b"s") => {
                let i = number::<usize>(v.as_bytes()).unwrap_or(0);
                let s = t
                    .strings
                    .get(i)
                    .ok_or(Unsupported("a shared string that is not in the table"))?;
                DataRef::SharedString(s)
            }
            Some(b"b") => DataRef::Bool(v != "0"),
            Some(b"e") => DataRef::Error(
                v.parse::<calamine::CellErrorType>()
                    .map_err(|_| Unsupported("an error cell the scan does not know"))?,
            ),
            Some(b"d") => DataRef::DateTimeIso(v.into_owned()),
            Some(b"str") => DataRef::String(v.into_owned()),
            Some(b"n") if v.is_empty() => DataRef::Empty,
            Some(b"n") => num(v
                .parse()
                .map_err(|_| Unsupported("a number cell that is not a number"))?),
            None => match v.parse() {
                Ok(n) => num(n),
                Err(_) => DataRef::String(v.into_owned()),
            },
            Some(_) => return Err(Unsupported("a cell type the scan does not read")),
        })
    }
}

fn utf8(b: &[u8]) -> Result<&str, Unsupported> {
    std::str::from_utf8(b).map_err(|_| Unsupported("text is not UTF-8"))
}
/// A decimal number written in ASCII digits.
fn number<N: std::str::FromStr>(b: &[u8]) -> Result<N, Unsupported> {
    std::str::from_utf8(b)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or(Unsupported("a number that is not one"))
}

/// A cell address (`AB12`) as 0-based (row, column).
fn position(r: &[u8]) -> Result<(u32, u32), Unsupported> {
    const BAD: Unsupported = Unsupported("a cell address that is not one");
    let letters = r.iter().take_while(|b| b.is_ascii_uppercase()).count();
    if letters == 0 || letters > 3 {
        return Err(BAD);
    }
    let col = r[..letters]
        .iter()
        .fold(0u32, |acc, b| acc * 26 + u32::from(b - b'A' + 1));
    let row: u32 = number(&r[letters..])?;
    Ok((row.checked_sub(1).ok_or(BAD)?, col - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each cell's position and value, as `Debug` shows it.
    type Scanned = Vec<((u32, u32), String)>;

    fn cells(xml: &str, strings: &[&str], formats: &[NumFmt]) -> Result<Scanned, Unsupported> {
        let tables = Tables {
            strings: strings.iter().map(|s| s.to_string()).collect(),
            formats: formats.to_vec(),
            is_1904: false,
        };
        let whole = scan_with(xml, &tables, WINDOW)?;
        // Windows smaller than a tag, a row, or a marker give the same cells.
        for window in [1, 2, 5, 16, 17, 64, 333] {
            assert_eq!(scan_with(xml, &tables, window)?, whole, "window {window}");
        }
        Ok(whole)
    }

    fn scan_with(xml: &str, tables: &Tables, window: usize) -> Result<Scanned, Unsupported> {
        let mut c = Cells::new(Box::new(xml.as_bytes()), tables);
        c.window = window;
        let mut out = Vec::new();
        while let Some(cell) = c.next_cell()? {
            out.push((cell.get_position(), format!("{:?}", cell.get_value())));
        }
        Ok(out)
    }

    #[test]
    fn scans_cells_of_every_kind() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:C3"/>
<sheetData><row r="1" spans="1:3"><c r="A1" t="inlineStr"><is><t xml:space="preserve"> a&amp;b </t></is></c><c r="B1" t="s"><v>1</v></c><c r="C1" s="1"><v>45000.5</v></c></row>
<row r="3"><c r="A3"><v>12</v></c><c r="F3" t="e"><v>#N/A</v></c><c r="B3" t="str"><f>A3&amp;"x"</f><v>12x</v></c><c r="C3" t="b"><v>0</v></c><c r="D3" s="0"/><c r="E3" t="inlineStr"><is><r><t>ก</t></r><r><t>ข</t></r><rPh><t>x</t></rPh></is></c></row>
<row><c r="A4"><v>ab</v></c></row></sheetData><mergeCells count="0"/></worksheet>"#;
        let got = cells(xml, &["zero", "one"], &[NumFmt::Other, NumFmt::DateTime]).unwrap();
        let want: Scanned = vec![
            ((0, 0), r#"String(" a&b ")"#.into()),
            ((0, 1), r#"SharedString("one")"#.into()),
            (
                (0, 2),
                format!(
                    "{:?}",
                    DataRef::DateTime(ExcelDateTime::new(
                        45000.5,
                        ExcelDateTimeType::DateTime,
                        false
                    ))
                ),
            ),
            ((2, 0), "Float(12.0)".into()),
            ((2, 5), "Error(NA)".into()),
            ((2, 1), r#"String("12x")"#.into()),
            ((2, 2), "Bool(false)".into()),
            ((2, 4), r#"String("กข")"#.into()),
            ((3, 0), r#"String("ab")"#.into()),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn reads_prefixed_tags_and_bare_rows() {
        let xml = r#"<x:worksheet xmlns:x="main"><x:sheetData><x:row r="2"><x:c r="B2" t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c></x:row><x:row><x:c r="A3"><x:v>7</x:v></x:c></x:row></x:sheetData></x:worksheet>"#;
        let got = cells(xml, &[], &[]).unwrap();
        assert_eq!(
            got,
            vec![
                ((1, 1), r#"String("a")"#.to_string()),
                ((2, 0), "Float(7.0)".to_string())
            ]
        );
    }

    #[test]
    fn gives_up_on_what_it_does_not_read() {
        for (xml, why) in [
            (
                "<sheetData><row><c><v>1</v></c></row></sheetData>",
                "a cell without its address",
            ),
            (
                "<sheetData><row><c r=\"A1\" t=\"e\"><v>#BOGUS</v></c></row></sheetData>",
                "an error cell the scan does not know",
            ),
            (
                "<sheetData><row><c r=\"A1\" t=\"q\"><v>1</v></c></row></sheetData>",
                "a cell type the scan does not read",
            ),
            (
                "<sheetData><row><c r=\"A1\" t=\"s\"><v>5</v></c></row></sheetData>",
                "a shared string that is not in the table",
            ),
            (
                "<sheetData><row><c r=\"A1\"><v>&nbsp;</v></c></row></sheetData>",
                "an unknown entity",
            ),
            (
                "<sheetData><row><c r=\"A1\"><v>1</v>",
                "a cell is not closed",
            ),
            (
                "<sheetData><row><c r=\"A1\"><x/></c></row></sheetData>",
                "an element the scan does not read",
            ),
        ] {
            assert_eq!(cells(xml, &[], &[]).unwrap_err(), Unsupported(why), "{xml}");
        }
    }

    #[test]
    fn custom_formats_read_as_calamine_reads_them() {
        for (code, f) in [
            ("dd/mm/yyyy", NumFmt::DateTime),
            ("[$-th-TH]d mmm yy", NumFmt::DateTime),
            ("[h]:mm:ss", NumFmt::TimeDelta),
            ("#,##0.00", NumFmt::Other),
            ("\"d\"0", NumFmt::Other),
            ("0;[Red]-0", NumFmt::Other),
            ("AM/PM", NumFmt::DateTime),
        ] {
            assert_eq!(custom_format(code), f, "{code}");
        }
        assert_eq!(builtin_format("14"), NumFmt::DateTime);
        assert_eq!(builtin_format("4"), NumFmt::Other);
    }

    #[test]
    fn addresses_and_entities() {
        assert_eq!(position(b"A1"), Ok((0, 0)));
        assert_eq!(position(b"AB12"), Ok((11, 27)));
        assert!(position(b"a1").is_err() && position(b"A0").is_err() && position(b"1").is_err());
        assert_eq!(unescape(b"a&#x41;&#66;&lt;\r\nz").unwrap(), "aAB<\nz");
        assert!(matches!(
            unescape(b"plain").unwrap(),
            Cow::Borrowed("plain")
        ));
    }
}
