//! Line splitting over a byte stream: LF or CRLF, optional trailing newline, offsets kept so a
//! line can be found again, and a cap on line length so a file without newlines cannot make
//! memory grow with its size.

use std::io::{self, BufRead};

/// Longer lines are cut and flagged; no real 16-file line comes near this.
pub(crate) const MAX_LINE: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Eol {
    Crlf,
    Lf,
    /// The last line of a file without a trailing newline.
    None,
}

pub(crate) struct Line<'a> {
    /// 1-based physical line number.
    pub no: u64,
    pub start: u64,
    /// Offset just past the line terminator.
    pub end: u64,
    pub bytes: &'a [u8],
    pub eol: Eol,
    /// The line was longer than [`MAX_LINE`] and was cut.
    pub overlong: bool,
}

pub(crate) struct Lines<R> {
    inner: R,
    buf: Vec<u8>,
    pos: u64,
    no: u64,
}

impl<R: BufRead> Lines<R> {
    /// `pos`/`no` describe where `inner` stands: byte offset and the number of lines before it.
    pub fn new(inner: R, pos: u64, lines_before: u64) -> Self {
        Lines {
            inner,
            buf: Vec::with_capacity(512),
            pos,
            no: lines_before,
        }
    }

    pub fn pos(&self) -> u64 {
        self.pos
    }

    /// Moves forward to byte `target` (a line start) without splitting lines; the next line
    /// read is numbered `line_at_target`.
    pub fn skip_to(&mut self, target: u64, line_at_target: u64) -> io::Result<()> {
        while self.pos < target {
            let avail = self.inner.fill_buf()?.len();
            if avail == 0 {
                break;
            }
            let n = avail.min((target - self.pos) as usize);
            self.inner.consume(n);
            self.pos += n as u64;
        }
        self.no = line_at_target.saturating_sub(1);
        Ok(())
    }

    pub fn next_line(&mut self) -> io::Result<Option<Line<'_>>> {
        self.buf.clear();
        let start = self.pos;
        let mut found_nl = false;
        let mut overlong = false;
        loop {
            let avail = self.inner.fill_buf()?;
            if avail.is_empty() {
                break;
            }
            let (take, nl) = match memchr::memchr(b'\n', avail) {
                Some(i) => (i + 1, true),
                None => (avail.len(), false),
            };
            let room = MAX_LINE.saturating_sub(self.buf.len());
            if take > room {
                overlong = true;
            }
            self.buf.extend_from_slice(&avail[..take.min(room)]);
            self.inner.consume(take);
            self.pos += take as u64;
            if nl {
                found_nl = true;
                break;
            }
        }
        if self.pos == start {
            return Ok(None);
        }
        self.no += 1;
        let mut bytes = &self.buf[..];
        let eol = if bytes.ends_with(b"\n") {
            bytes = &bytes[..bytes.len() - 1];
            if let Some(b) = bytes.strip_suffix(b"\r") {
                bytes = b;
                Eol::Crlf
            } else {
                Eol::Lf
            }
        } else if found_nl {
            Eol::Lf
        } else {
            Eol::None
        };
        Ok(Some(Line {
            no: self.no,
            start,
            end: self.pos,
            bytes,
            eol,
            overlong,
        }))
    }
}

/// Whether a line holds nothing but blanks (skipped everywhere, like a trailing empty line).
pub(crate) fn is_blank(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | 0x1a))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &[u8]) -> Vec<(u64, u64, u64, Vec<u8>, Eol)> {
        let mut l = Lines::new(input, 0, 0);
        let mut out = Vec::new();
        while let Some(x) = l.next_line().unwrap() {
            out.push((x.no, x.start, x.end, x.bytes.to_vec(), x.eol));
        }
        out
    }

    #[test]
    fn crlf_without_trailing_newline() {
        let v = all(b"A|B\r\n1|2\r\n3|4");
        assert_eq!(v.len(), 3);
        assert_eq!(v[0], (1, 0, 5, b"A|B".to_vec(), Eol::Crlf));
        assert_eq!(v[2], (3, 10, 13, b"3|4".to_vec(), Eol::None));
    }

    #[test]
    fn lf_with_trailing_newline() {
        let v = all(b"A\n1\n");
        assert_eq!(v.len(), 2);
        assert_eq!(v[1], (2, 2, 4, b"1".to_vec(), Eol::Lf));
    }

    #[test]
    fn resumes_at_an_offset() {
        let data = b"A\r\n1\r\n2\r\n";
        let mut l = Lines::new(&data[6..], 6, 2);
        let x = l.next_line().unwrap().unwrap();
        assert_eq!((x.no, x.start, x.bytes), (3, 6, &b"2"[..]));
    }

    #[test]
    fn overlong_lines_are_cut_not_buffered() {
        let mut data = vec![b'x'; MAX_LINE * 3];
        data.extend_from_slice(b"\nok");
        let mut l = Lines::new(&data[..], 0, 0);
        let x = l.next_line().unwrap().unwrap();
        assert!(x.overlong);
        assert_eq!(x.bytes.len(), MAX_LINE);
        assert_eq!(x.end, (MAX_LINE * 3 + 1) as u64);
        let y = l.next_line().unwrap().unwrap();
        assert_eq!((y.no, y.bytes), (2, &b"ok"[..]));
    }
}
