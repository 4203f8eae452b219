//! Writing the 16 files exactly like the DEW exporter: header line, `|` between fields, CRLF
//! before every record and none after the last one; `|`, CR and LF inside a value become spaces.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::encoding::TextEncoding;
use crate::kind::{Col, FileKind, HeaderSet, Layout};
use crate::records::{AnyRecord, PatRecord, Record};
use crate::visit::Encounter;

/// Writes one file: a header, then records, in one encoding.
pub struct FileWriter<W: Write> {
    out: W,
    encoding: TextEncoding,
    cols: Vec<Option<Col>>,
    line: String,
    field: String,
    bytes: Vec<u8>,
    records: u64,
    unmappable: u64,
}

impl<W: Write> FileWriter<W> {
    /// Starts a file with the header of `layout`.
    pub fn new(out: W, layout: &Layout, encoding: TextEncoding) -> io::Result<Self> {
        Self::with_header(out, layout.header, encoding)
    }

    /// Starts a file with any header; names are mapped to columns like the reader does, and
    /// unknown names get blank values.
    pub fn with_header(mut out: W, header: &[&str], encoding: TextEncoding) -> io::Result<Self> {
        let cols = header.iter().map(|h| Col::from_header(h)).collect();
        let mut bytes = Vec::new();
        let unmappable = encoding.encode_into(&header.join("|"), &mut bytes) as u64;
        out.write_all(&bytes)?;
        Ok(FileWriter {
            out,
            encoding,
            cols,
            line: String::new(),
            field: String::new(),
            bytes,
            records: 0,
            unmappable,
        })
    }

    /// Writes one record; columns of the header that the record does not have stay blank.
    pub fn write<R: Record>(&mut self, r: &R) -> io::Result<()> {
        self.write_with(|col, out| r.write_col(col, out))
    }

    /// Writes a record with one column replaced by a raw value (for deliberately broken files).
    pub fn write_override<R: Record>(&mut self, r: &R, col: Col, value: &str) -> io::Result<()> {
        self.write_with(|c, out| {
            if c == col {
                out.push_str(value)
            } else {
                r.write_col(c, out)
            }
        })
    }

    /// Writes one record in another encoding than the file's (for deliberately broken files).
    pub fn write_in<R: Record>(&mut self, r: &R, encoding: TextEncoding) -> io::Result<()> {
        let own = std::mem::replace(&mut self.encoding, encoding);
        let res = self.write(r);
        self.encoding = own;
        res
    }

    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }

    /// Changes the encoding of the lines written from now on (a mixed file is a broken file).
    pub fn set_encoding(&mut self, encoding: TextEncoding) {
        self.encoding = encoding;
    }

    pub fn write_any(&mut self, r: &AnyRecord) -> io::Result<()> {
        self.write_with(|col, out| r.write_col(col, out))
    }

    /// Writes raw values in header order (for tests and deliberately broken files).
    pub fn write_fields(&mut self, fields: &[&str]) -> io::Result<()> {
        self.line.clear();
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                self.line.push('|');
            }
            push_clean(&mut self.line, f);
        }
        self.flush_line()
    }

    /// Writes a line exactly as given (no cleaning): for building broken inputs.
    pub fn write_raw_line(&mut self, line: &str) -> io::Result<()> {
        self.line.clear();
        self.line.push_str(line);
        self.flush_line()
    }

    fn write_with(&mut self, mut f: impl FnMut(Col, &mut String)) -> io::Result<()> {
        self.line.clear();
        for i in 0..self.cols.len() {
            if i > 0 {
                self.line.push('|');
            }
            if let Some(col) = self.cols[i] {
                self.field.clear();
                f(col, &mut self.field);
                push_clean(&mut self.line, &self.field);
            }
        }
        self.flush_line()
    }

    fn flush_line(&mut self) -> io::Result<()> {
        self.bytes.clear();
        self.bytes.extend_from_slice(b"\r\n");
        self.unmappable += self.encoding.encode_into(&self.line, &mut self.bytes) as u64;
        self.out.write_all(&self.bytes)?;
        self.records += 1;
        Ok(())
    }

    pub fn records(&self) -> u64 {
        self.records
    }

    /// Characters the encoding could not hold (written as `?`).
    pub fn unmappable(&self) -> u64 {
        self.unmappable
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

fn push_clean(out: &mut String, value: &str) {
    out.extend(value.chars().map(|c| {
        if matches!(c, '|' | '\r' | '\n') {
            ' '
        } else {
            c
        }
    }));
}

/// A file written by [`SetWriter`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFile {
    pub kind: FileKind,
    pub path: PathBuf,
    pub records: u64,
}

/// Writes a whole set (`INS.txt` … `LAB.txt`) into a folder, one encounter at a time.
pub struct SetWriter {
    dir: PathBuf,
    writers: Vec<Option<FileWriter<BufWriter<File>>>>,
    patch: Option<Patch>,
}

/// A raw value written in place of one column of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patch {
    pub kind: FileKind,
    pub col: Col,
    pub value: String,
}

impl SetWriter {
    /// Creates every file of `headers` (LAB only for FDH) with its header line.
    pub fn create(dir: &Path, headers: HeaderSet, encoding: TextEncoding) -> io::Result<SetWriter> {
        let layouts: Vec<&'static Layout> = FileKind::ALL
            .iter()
            .filter_map(|k| headers.layout(*k))
            .collect();
        Self::with_layouts(dir, &layouts, encoding)
    }

    /// Creates one file per layout given (at most one per kind).
    pub fn with_layouts(
        dir: &Path,
        layouts: &[&Layout],
        encoding: TextEncoding,
    ) -> io::Result<SetWriter> {
        std::fs::create_dir_all(dir)?;
        let mut writers: Vec<Option<FileWriter<BufWriter<File>>>> =
            (0..FileKind::ALL.len()).map(|_| None).collect();
        for l in layouts {
            let path = dir.join(format!("{}.txt", l.kind));
            let f = BufWriter::with_capacity(64 * 1024, File::create(&path)?);
            writers[l.kind as usize] = Some(FileWriter::new(f, l, encoding)?);
        }
        Ok(SetWriter {
            dir: dir.to_path_buf(),
            writers,
            patch: None,
        })
    }

    /// The writer of one file, for raw or extra lines.
    pub fn file(&mut self, kind: FileKind) -> Option<&mut FileWriter<BufWriter<File>>> {
        self.writers[kind as usize].as_mut()
    }

    fn put<R: Record>(&mut self, r: &R) -> io::Result<()> {
        let Some(w) = self.writers[R::KIND as usize].as_mut() else {
            return Ok(());
        };
        match self.patch.take_if(|p| p.kind == R::KIND) {
            Some(p) => w.write_override(r, p.col, &p.value),
            None => w.write(r),
        }
    }

    fn put_all<R: Record>(&mut self, rs: &[R]) -> io::Result<()> {
        rs.iter().try_for_each(|r| self.put(r))
    }

    /// Writes a PAT line. Patients are separate from encounters: one line per HN.
    pub fn patient(&mut self, p: &PatRecord) -> io::Result<()> {
        self.put(p)
    }

    /// Writes every line of an encounter except its patient.
    pub fn encounter(&mut self, e: &Encounter) -> io::Result<()> {
        self.encounter_with(e, None)
    }

    /// Like [`SetWriter::encounter`], with one column of the first record of one file replaced
    /// by a raw value (for deliberately broken files).
    pub fn encounter_with(&mut self, e: &Encounter, patch: Option<&Patch>) -> io::Result<()> {
        let saved = self.patch.take();
        self.patch = patch.cloned();
        let res = self.encounter_inner(e);
        self.patch = saved;
        res
    }

    fn encounter_inner(&mut self, e: &Encounter) -> io::Result<()> {
        match e {
            Encounter::Visit(v) => {
                self.put(&v.opd)?;
                self.put(&v.right)?;
                self.put_all(&v.refers)?;
                self.put_all(&v.diagnoses)?;
                self.put_all(&v.procedures)?;
                self.put_all(&v.bills)?;
                self.put_all(&v.charges)?;
                self.put_all(&v.accidents)?;
                self.put_all(&v.items)?;
                self.put_all(&v.drugs)?;
                self.put_all(&v.labs)
            }
            Encounter::Admission(a) => {
                self.put(&a.ipd)?;
                self.put(&a.right)?;
                self.put_all(&a.refers)?;
                self.put_all(&a.diagnoses)?;
                self.put_all(&a.procedures)?;
                self.put_all(&a.bills)?;
                self.put_all(&a.charges)?;
                self.put_all(&a.accidents)?;
                self.put_all(&a.items)?;
                self.put_all(&a.leaves)?;
                self.put_all(&a.drugs)
            }
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn finish(self) -> io::Result<Vec<WrittenFile>> {
        let mut out = Vec::new();
        for (i, w) in self.writers.into_iter().enumerate() {
            if let Some(w) = w {
                let records = w.records();
                w.finish()?;
                let kind = FileKind::ALL[i];
                out.push(WrittenFile {
                    kind,
                    path: self.dir.join(format!("{kind}.txt")),
                    records,
                });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dew_layout_no_trailing_newline() {
        let l = Layout::find(FileKind::Irf, "std").unwrap();
        let mut w = FileWriter::new(Vec::new(), l, TextEncoding::Utf8).unwrap();
        w.write_fields(&["690000001", "10670", "2"]).unwrap();
        w.write_fields(&["690000002", "10|67\r\n", "1"]).unwrap();
        let out = w.finish().unwrap();
        assert_eq!(
            out,
            b"AN|REFER|REFERTYPE\r\n690000001|10670|2\r\n690000002|10 67  |1"
        );
    }

    #[test]
    fn windows_874_output() {
        let mut w = FileWriter::with_header(Vec::new(), &["HN", "FNAME"], TextEncoding::Windows874)
            .unwrap();
        w.write_fields(&["1", "สมชาย"]).unwrap();
        let out = w.finish().unwrap();
        assert_eq!(&out[..11], b"HN|FNAME\r\n1");
        assert_eq!(out.len(), 12 + 5);
        assert_eq!(out[12], 0xca); // ส in TIS-620
    }
}
