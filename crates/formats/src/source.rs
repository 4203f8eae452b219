//! Where the files come from: a folder, a zip, or an explicit list of files. Every file can be
//! reopened at a byte offset, so the reader never holds a file in memory: folder files seek,
//! zip entries are inflated again from the start of their data and skipped forward.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

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
}

impl ReadError {
    pub(crate) fn io(path: impl AsRef<Path>, source: io::Error) -> ReadError {
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

    pub(crate) fn list(&self) -> Result<Listing, ReadError> {
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
            Source::Zip(path) => list_zip(path, &mut listing)?,
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
                self.entries.push(Entry { kind, name, loc });
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

fn list_zip(path: &Path, listing: &mut Listing) -> Result<(), ReadError> {
    let file = File::open(path).map_err(|e| ReadError::io(path, e))?;
    let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| zip_err(path, e))?;
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
                Ok(Box::new(BufReader::with_capacity(BUF, f)))
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
                let raw = BufReader::with_capacity(64 * 1024, f.take(*compressed));
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
            Location::Zip { .. } => None,
        }
    }

    pub fn seekable(&self) -> bool {
        matches!(self.loc, Location::File(_))
    }

    pub fn display_path(&self) -> String {
        match &self.loc {
            Location::File(p) => p.display().to_string(),
            Location::Zip { path, .. } => format!("{}!{}", path.display(), self.name),
        }
    }
}
