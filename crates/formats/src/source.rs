//! Where the files come from: a folder, a zip, or an explicit list of files. Every file can be
//! reopened at a byte offset, so the reader never holds a file in memory: folder files seek,
//! zip entries are inflated again from the start of their data and skipped forward.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use crate::kind::FileKind;

const BUF: usize = 64 * 1024;

/// Hard errors: the input as a whole cannot be read. Problems inside files are rejects.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error("zip {path}: {message}")]
    Zip { path: String, message: String },
    #[error("two {kind} files in the input: {first} and {second}")]
    DuplicateFile {
        kind: FileKind,
        first: String,
        second: String,
    },
    #[error("{0}: neither a folder nor a .zip file")]
    NotASource(String),
    #[error("{file} line {line} changed after it was scanned")]
    Changed { file: String, line: u64 },
    #[error("zip {path}: {message}")]
    ZipLimit { path: String, message: String },
    #[error("the import was cancelled")]
    Cancelled,
}

impl ReadError {
    /// The message a Thai user reads (the English one is `Display`).
    pub fn message_th(&self) -> String {
        match self {
            ReadError::Io { path, .. } => format!("อ่านไฟล์ {} ไม่ได้", base_name(path)),
            ReadError::Zip { path, .. } => format!(
                "ไฟล์ {} ไม่ใช่ zip ที่อ่านได้ (ไฟล์เสียหาย เข้ารหัส หรือบีบอัดแบบที่ไม่รองรับ)",
                base_name(path)
            ),
            ReadError::DuplicateFile {
                kind,
                first,
                second,
            } => {
                format!("มีแฟ้ม {kind} สองแฟ้ม: {first} และ {second}")
            }
            ReadError::NotASource(p) => {
                format!("{} ไม่ใช่โฟลเดอร์หรือไฟล์ .zip", base_name(p))
            }
            ReadError::Changed { file, line } => {
                format!("แฟ้ม {file} บรรทัด {line} เปลี่ยนไประหว่างนำเข้า")
            }
            ReadError::ZipLimit { path, message } => {
                format!("ไฟล์ {} ถูกปฏิเสธเพื่อความปลอดภัย: {message}", base_name(path))
            }
            ReadError::Cancelled => "การนำเข้าถูกยกเลิก".into(),
        }
    }
}

fn base_name(p: &str) -> &str {
    p.rsplit(['/', '\\']).next().unwrap_or(p)
}

/// Bounds on what a zip may expand to, so a small upload cannot keep the server busy for
/// minutes (a "zip bomb"). Entries whose data overlap are always refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipLimits {
    /// Sum of the uncompressed sizes of the entries that are read.
    pub max_total_bytes: u64,
    /// Uncompressed ÷ compressed size of one entry (checked for entries over 1 MiB). HIS
    /// exports deflate 5–20×; deflate's own ceiling is about 1,030×.
    pub max_ratio: u64,
}

impl Default for ZipLimits {
    fn default() -> Self {
        ZipLimits {
            max_total_bytes: 16 << 30,
            max_ratio: 200,
        }
    }
}

/// Set to stop a running read: every read of a file checks it, so a cancelled import stops
/// within one buffer (64 KiB) of work.
#[derive(Debug, Clone, Default)]
pub struct CancelFlag(Arc<AtomicBool>);

impl CancelFlag {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed)
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// A reader that fails once its flag is set.
struct Cancellable<R> {
    inner: R,
    flag: CancelFlag,
}

impl<R: Read> Read for Cancellable<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.flag.is_cancelled() {
            return Err(io::Error::other(CancelledMarker));
        }
        self.inner.read(buf)
    }
}

#[derive(Debug)]
struct CancelledMarker;

impl std::fmt::Display for CancelledMarker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the import was cancelled")
    }
}

impl std::error::Error for CancelledMarker {}

impl ReadError {
    pub(crate) fn io(path: impl AsRef<Path>, source: io::Error) -> ReadError {
        if source.get_ref().is_some_and(|e| e.is::<CancelledMarker>()) {
            return ReadError::Cancelled;
        }
        ReadError::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }
}

/// The input of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The files directly inside a folder (not its subfolders).
    Dir(PathBuf),
    /// A zip; entries anywhere inside it, folders ignored.
    Zip(PathBuf),
    /// Explicit files (e.g. uploads saved under their original names).
    Files(Vec<PathBuf>),
    /// Files held in memory, by name (tests and fuzzing: no file system work per input).
    Memory(Vec<(String, Arc<[u8]>)>),
}

/// Checks, without reading the files, that a source can be read: a zip's directory parses,
/// its entries do not share data and stay within `limits`. Cheap (the zip's directory only).
pub fn check_source(source: &Source, limits: &ZipLimits) -> Result<(), ReadError> {
    source.list(limits, &CancelFlag::default()).map(|_| ())
}

impl Source {
    /// A folder or a `.zip` file.
    pub fn from_path(path: impl Into<PathBuf>) -> Result<Source, ReadError> {
        let path = path.into();
        let meta = std::fs::metadata(&path).map_err(|e| ReadError::io(&path, e))?;
        if meta.is_dir() {
            Ok(Source::Dir(path))
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
        {
            Ok(Source::Zip(path))
        } else {
            Err(ReadError::NotASource(path.display().to_string()))
        }
    }

    pub(crate) fn list(
        &self,
        limits: &ZipLimits,
        cancel: &CancelFlag,
    ) -> Result<Listing, ReadError> {
        let mut listing = Listing::default();
        match self {
            Source::Dir(dir) => {
                let rd = std::fs::read_dir(dir).map_err(|e| ReadError::io(dir, e))?;
                let mut paths = Vec::new();
                for e in rd {
                    let e = e.map_err(|e| ReadError::io(dir, e))?;
                    if e.file_type()
                        .map_err(|er| ReadError::io(e.path(), er))?
                        .is_file()
                    {
                        paths.push(e.path());
                    }
                }
                paths.sort();
                for p in paths {
                    listing.add_file(p)?;
                }
            }
            Source::Files(files) => {
                for p in files {
                    listing.add_file(p.clone())?;
                }
            }
            Source::Zip(path) => list_zip(path, &mut listing, limits)?,
            Source::Memory(files) => {
                for (name, data) in files {
                    listing.add(name.clone(), || Ok(Location::Memory(data.clone())))?;
                }
            }
        }
        for e in &mut listing.entries {
            e.cancel = cancel.clone();
        }
        Ok(listing)
    }
}

/// A file found in the input that is not read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IgnoredFile {
    pub name: String,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub(crate) enum Location {
    File(PathBuf),
    Memory(Arc<[u8]>),
    Zip {
        path: PathBuf,
        data_start: u64,
        compressed: u64,
        size: u64,
        crc: u32,
        deflated: bool,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub kind: FileKind,
    pub name: String,
    pub loc: Location,
    pub cancel: CancelFlag,
}

#[derive(Debug, Default)]
pub(crate) struct Listing {
    pub entries: Vec<Entry>,
    pub ignored: Vec<IgnoredFile>,
}

impl Listing {
    pub fn get(&self, kind: FileKind) -> Option<&Entry> {
        self.entries.iter().find(|e| e.kind == kind)
    }

    fn add(
        &mut self,
        name: String,
        loc: impl FnOnce() -> Result<Location, ReadError>,
    ) -> Result<(), ReadError> {
        match FileKind::from_file_name(&name) {
            Some(Ok(kind)) => {
                if let Some(first) = self.get(kind) {
                    return Err(ReadError::DuplicateFile {
                        kind,
                        first: first.name.clone(),
                        second: name,
                    });
                }
                let loc = loc()?;
                self.entries.push(Entry {
                    kind,
                    name,
                    loc,
                    cancel: CancelFlag::default(),
                });
            }
            Some(Err(kind)) => self.ignored.push(IgnoredFile {
                name,
                reason: format!("{kind} in dBase (.dbf) form is not read; export it as .txt"),
            }),
            None => self.ignored.push(IgnoredFile {
                name,
                reason: "not one of the 16 files (e.g. INS.txt, ins6907.txt)".into(),
            }),
        }
        Ok(())
    }

    fn add_file(&mut self, path: PathBuf) -> Result<(), ReadError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.add(name, || Ok(Location::File(path)))
    }
}

fn zip_err(path: &Path, e: impl std::fmt::Display) -> ReadError {
    ReadError::Zip {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

fn limit_err(path: &Path, message: String) -> ReadError {
    ReadError::ZipLimit {
        path: path.display().to_string(),
        message,
    }
}

fn list_zip(path: &Path, listing: &mut Listing, limits: &ZipLimits) -> Result<(), ReadError> {
    let file = File::open(path).map_err(|e| ReadError::io(path, e))?;
    let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| zip_err(path, e))?;
    // Byte ranges of every entry's data: two entries sharing data is how small zips claim
    // to hold gigabytes many times over; no archiver writes that.
    let mut ranges: Vec<(u64, u64, String)> = Vec::new();
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| zip_err(path, e))?;
        if let Some(start) = entry.data_start() {
            let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
            ranges.push((start, start.saturating_add(entry.compressed_size()), name));
        }
    }
    ranges.sort();
    for w in ranges.windows(2) {
        if w[1].0 < w[0].1 {
            return Err(limit_err(
                path,
                format!("entries {} and {} share the same data", w[0].2, w[1].2),
            ));
        }
    }
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| zip_err(path, e))?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().map_err(|e| zip_err(path, e))?.into_owned();
        let base = name.rsplit(['/', '\\']).next().unwrap_or(&name).to_string();
        // macOS archivers add resource forks named like the real files.
        if name.starts_with("__MACOSX/") || base.starts_with("._") {
            continue;
        }
        let method = entry.compression();
        let encrypted = entry.encrypted();
        let data_start = entry.data_start();
        let (compressed, size, crc) = (entry.compressed_size(), entry.size(), entry.crc32());
        drop(entry);
        listing.add(base, || {
            if encrypted {
                return Err(zip_err(path, format!("{name} is encrypted")));
            }
            let deflated = match method {
                zip::CompressionMethod::Stored => false,
                zip::CompressionMethod::Deflated => true,
                other => {
                    return Err(zip_err(
                        path,
                        format!("{name}: unsupported compression {other:?}"),
                    ));
                }
            };
            let data_start =
                data_start.ok_or_else(|| zip_err(path, format!("{name}: no data offset")))?;
            if size > 1 << 20 && size / compressed.max(1) > limits.max_ratio {
                return Err(limit_err(
                    path,
                    format!(
                        "{name} expands {}× (from {compressed} to {size} bytes); the limit is {}×",
                        size / compressed.max(1),
                        limits.max_ratio
                    ),
                ));
            }
            total = total.saturating_add(size);
            if total > limits.max_total_bytes {
                return Err(limit_err(
                    path,
                    format!(
                        "the files inside expand to more than {} bytes, the configured limit",
                        limits.max_total_bytes
                    ),
                ));
            }
            Ok(Location::Zip {
                path: path.to_path_buf(),
                data_start,
                compressed,
                size,
                crc,
                deflated,
            })
        })?;
    }
    Ok(())
}

/// Checks a zip entry's CRC-32 when it has been read from its first byte to its last.
struct CrcCheck<R> {
    inner: R,
    hasher: crc32fast::Hasher,
    read: u64,
    size: u64,
    crc: u32,
    done: bool,
}

impl<R: Read> Read for CrcCheck<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.read += n as u64;
        // An entry longer than its declared size is refused at once, not after inflating it all.
        if self.read > self.size {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "zip entry is longer than its declared size",
            ));
        }
        if n == 0 && !buf.is_empty() && !self.done {
            self.done = true;
            let got = std::mem::take(&mut self.hasher).finalize();
            if self.read != self.size || got != self.crc {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "zip entry is damaged (size or CRC-32 mismatch)",
                ));
            }
        }
        Ok(n)
    }
}

pub(crate) type Reader = Box<dyn BufRead + Send>;

impl Entry {
    /// Opens the file positioned at `offset` bytes of its (decompressed) content.
    pub fn open_at(&self, offset: u64) -> Result<Reader, ReadError> {
        match &self.loc {
            Location::File(path) => {
                let mut f = File::open(path).map_err(|e| ReadError::io(path, e))?;
                if offset > 0 {
                    f.seek(SeekFrom::Start(offset))
                        .map_err(|e| ReadError::io(path, e))?;
                }
                let f = Cancellable {
                    inner: f,
                    flag: self.cancel.clone(),
                };
                Ok(Box::new(BufReader::with_capacity(BUF, f)))
            }
            Location::Memory(data) => {
                let mut c = io::Cursor::new(data.clone());
                c.set_position(offset);
                Ok(Box::new(BufReader::new(Cancellable {
                    inner: c,
                    flag: self.cancel.clone(),
                })))
            }
            Location::Zip {
                path,
                data_start,
                compressed,
                size,
                crc,
                deflated,
            } => {
                let mut f = File::open(path).map_err(|e| ReadError::io(path, e))?;
                f.seek(SeekFrom::Start(*data_start))
                    .map_err(|e| ReadError::io(path, e))?;
                let f = Cancellable {
                    inner: f.take(*compressed),
                    flag: self.cancel.clone(),
                };
                let raw = BufReader::with_capacity(64 * 1024, f);
                let content: Box<dyn Read + Send> = if *deflated {
                    Box::new(flate2::bufread::DeflateDecoder::new(raw))
                } else {
                    Box::new(raw)
                };
                let checked = CrcCheck {
                    inner: content,
                    hasher: crc32fast::Hasher::new(),
                    read: 0,
                    size: *size,
                    crc: *crc,
                    done: false,
                };
                let mut r: Reader = Box::new(BufReader::with_capacity(BUF, checked));
                if offset > 0 {
                    let skipped = io::copy(&mut r.as_mut().take(offset), &mut io::sink())
                        .map_err(|e| ReadError::io(path.join(&self.name), e))?;
                    if skipped != offset {
                        return Err(ReadError::Changed {
                            file: self.name.clone(),
                            line: 0,
                        });
                    }
                }
                Ok(r)
            }
        }
    }

    /// Whether jumping forward is cheap (a seek) rather than a read.
    /// The file itself when the entry is a plain file (not inside a zip).
    pub fn plain_path(&self) -> Option<&Path> {
        match &self.loc {
            Location::File(p) => Some(p),
            Location::Zip { .. } | Location::Memory(_) => None,
        }
    }

    pub fn seekable(&self) -> bool {
        matches!(self.loc, Location::File(_) | Location::Memory(_))
    }

    pub fn display_path(&self) -> String {
        match &self.loc {
            Location::File(p) => p.display().to_string(),
            Location::Memory(_) => self.name.clone(),
            Location::Zip { path, .. } => format!("{}!{}", path.display(), self.name),
        }
    }
}
