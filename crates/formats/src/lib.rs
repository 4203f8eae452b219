//! raidai formats: the NHSO "16 แฟ้ม" (and the FDH 17th file, LAB), read and written.
//!
//! * [`scan`] then [`Import::batches`]: a streaming two-pass reader of a folder or a zip that
//!   validates every line (FDH rules of DOMAIN §1.3, code sets of §1.4, identifiers of §6),
//!   reports each problem as a [`Reject`], and assembles the importable [`Encounter`]s
//!   ([`Visit`] = HN+SEQ, [`Admission`] = AN) batch by batch. An encounter with any reject is
//!   rejected whole; the rest stay importable.
//! * [`FileWriter`] / [`SetWriter`]: the exporter's byte format (header, `|`, CRLF, no newline
//!   after the last record) in windows-874 or UTF-8.
//! * [`generate`]: deterministic synthetic sets, clean or deliberately broken.
//!
//! Pure: no database, no async. Memory is bounded by the number of distinct keys (visits,
//! admissions, HNs: a couple of hundred bytes each) plus one batch, never by file size.
//!
//! Importing a folder or a zip in batches:
//!
//! ```no_run
//! use raidai_formats::{ReadOptions, RejectCsvWriter, Source, scan};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let source = Source::from_path("/data/upload/FDH_20260305-1010.zip")?;
//! let opts = ReadOptions { batch_size: 5_000, ..Default::default() };
//! // Pass 1: validate everything; rejects stream out as they are found.
//! let mut csv = RejectCsvWriter::new(std::fs::File::create("rejects.csv")?)?;
//! let import = scan(&source, &opts, &mut |r| csv.write(&r).expect("write rejects"))?;
//! csv.finish()?;
//! println!("{:?} visits, {:?} admissions", import.report().visits, import.report().admissions);
//! // Pass 2: importable encounters, one batch (one DB transaction) at a time.
//! for batch in import.batches() {
//!     let batch = batch?;
//!     for encounter in &batch.encounters {
//!         let _ = (encounter.key(), encounter.right().inscl.as_str(), encounter.total());
//!     }
//!     // batch.rejected lists the keys of this range that were not importable.
//! }
//! # Ok(()) }
//! ```

pub mod encoding;
mod field;
pub mod generate;
pub mod kind;
mod lines;
pub mod read;
pub mod records;
pub mod reject;
pub mod source;
pub mod visit;
pub mod writer;

pub use encoding::{Detected, EncodingChoice, TextEncoding};
pub use field::clinic_known;
pub use kind::{Col, FileKind, HeaderSet, Layout};
pub use read::{
    Batch, Batches, EncounterStatus, FileReport, Import, ImportReport, ReadAll, ReadOptions, Tally,
    read_all, scan,
};
pub use records::{AnyRecord, Record};
pub use reject::{Reject, RejectCode, RejectCsvWriter, mask_id, write_rejects_csv};
pub use source::{CancelFlag, IgnoredFile, ReadError, Source, ZipLimits, check_source};
pub use visit::{Admission, Encounter, RefusedLine, Visit, VisitKey};
pub use writer::{FileWriter, Patch, SetWriter, WrittenFile};
