//! Texts read only while the image boots: the Lisp sources it loads and the tables it
//! installs. `build.rs` deflates them into the binary; boot inflates each into pages of its
//! own when it reads it and unmaps them afterwards, so a running daemon keeps none of it
//! resident. (A text in the C allocator's heap would leave its room there, held by what
//! boot allocated after it.)

use std::ops::Deref;
use std::ptr::NonNull;

use thiserror::Error;

/// No boot text inflates to more than this; a larger length means a broken build.
const MAX_TEXT_BYTES: usize = 4 << 20;

/// A deflated text and the path it was built from.
#[derive(Debug, Clone, Copy)]
pub struct BootText {
    pub path: &'static str,
    /// The inflated length (u32, little-endian), then the deflated bytes.
    deflated: &'static [u8],
}

/// A boot text that does not inflate to UTF-8 text of its recorded length.
#[derive(Debug, Error)]
#[error("the built-in text {path} cannot be read: {reason}")]
pub struct DamagedBootText {
    path: &'static str,
    reason: String,
}

/// The boot text built from `$path` (relative to the package root, one of `build.rs`'s).
macro_rules! boot_text {
    ($path:literal) => {
        $crate::lisp::boot_text::BootText::new(
            $path,
            include_bytes!(concat!(env!("OUT_DIR"), "/", $path, ".deflate")),
        )
    };
}
pub(crate) use boot_text;

impl BootText {
    pub const fn new(path: &'static str, deflated: &'static [u8]) -> Self {
        BootText { path, deflated }
    }

    /// The text, inflated into pages that go back to the system when it is dropped.
    pub fn text(&self) -> Result<InflatedText, DamagedBootText> {
        let damaged = |reason: String| DamagedBootText {
            path: self.path,
            reason,
        };
        let (length, deflated) = self
            .deflated
            .split_first_chunk::<4>()
            .ok_or_else(|| damaged("no length".into()))?;
        let length = u32::from_le_bytes(*length) as usize;
        if length > MAX_TEXT_BYTES {
            return Err(damaged(format!("a length of {length} bytes")));
        }
        let mut pages = Pages::new(length).ok_or_else(|| {
            damaged(format!(
                "no memory for {length} bytes: {}",
                std::io::Error::last_os_error()
            ))
        })?;
        let written = miniz_oxide::inflate::decompress_slice_iter_to_slice(
            pages.bytes_mut(),
            std::iter::once(deflated),
            false,
            true,
        )
        .map_err(|status| damaged(format!("{status:?}")))?;
        if written != length {
            return Err(damaged(format!("{written} bytes instead of {length}")));
        }
        std::str::from_utf8(pages.bytes()).map_err(|error| damaged(error.to_string()))?;
        Ok(InflatedText { pages })
    }
}

/// A boot text's UTF-8 text.
#[derive(Debug)]
pub struct InflatedText {
    pages: Pages,
}

impl Deref for InflatedText {
    type Target = str;

    fn deref(&self) -> &str {
        // Checked when it was inflated; nothing changes it since.
        std::str::from_utf8(self.pages.bytes()).unwrap_or_default()
    }
}

/// Anonymous pages holding `len` bytes, unmapped when dropped.
#[derive(Debug)]
struct Pages {
    start: NonNull<u8>,
    len: usize,
}

impl Pages {
    /// `None` when the system has no memory to map (or for an empty text, nothing to map).
    fn new(len: usize) -> Option<Pages> {
        if len == 0 {
            return None;
        }
        // SAFETY: a fresh private anonymous mapping; no existing memory is involved, and the
        // result is checked before use.
        let start = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if start == libc::MAP_FAILED {
            return None;
        }
        NonNull::new(start.cast()).map(|start| Pages { start, len })
    }

    fn bytes(&self) -> &[u8] {
        // SAFETY: `start` maps `len` readable bytes (zero-filled at first) for as long as
        // `self` lives, and only `self` hands out references to them.
        unsafe { std::slice::from_raw_parts(self.start.as_ptr(), self.len) }
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `bytes`; `&mut self` makes this the only reference.
        unsafe { std::slice::from_raw_parts_mut(self.start.as_ptr(), self.len) }
    }
}

impl Drop for Pages {
    fn drop(&mut self) {
        // SAFETY: the mapping was made by `Pages::new` with this length, and no reference
        // to it outlives `self`.
        unsafe {
            libc::munmap(self.start.as_ptr().cast(), self.len);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_inflate_to_their_sources() {
        let prelude = boot_text!("src/lisp/prelude.lisp");
        let source = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/lisp/prelude.lisp"
        ));
        let inflated = prelude.text().map(|text| text.to_string());
        assert_eq!(inflated.ok(), source.ok());
    }

    #[test]
    fn damaged_texts_are_errors() {
        for deflated in [
            &[][..],
            &[3, 0, 0, 0, 0xff, 0x00, 0x13],
            &[0xff, 0xff, 0xff, 0xff],
        ] {
            let damaged = BootText::new("damaged", deflated);
            assert!(damaged.text().is_err(), "{deflated:?}");
        }
    }
}
