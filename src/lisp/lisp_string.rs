//! A simple string's characters, indexed in constant time (amortized) whatever they are.
//!
//! The text is kept as UTF-8, which is what printing, comparing, hashing and reading want
//! (inline when short: `text`), with its length in characters. An ASCII string is indexed
//! by byte. A non-ASCII one gets, at its first indexed access, the byte offset of every
//! `STRIDE`-th character, so finding a character reads at most `STRIDE - 1` others. A change of a character to one of another
//! width in UTF-8 would move the rest of the text; the string then keeps an array of its
//! characters instead, changed in place, and renders the text again only when it is read.
//!
//! The offsets and the array of characters live out of line (`Indexing`), so that a string,
//! and with it every heap object, stays small.
//!
//! Invariant: `text` is set or `wide` is (or both, and then they agree); `offsets`, when
//! set, belongs to the current `text`. Nothing outside this module touches the fields.

mod text;

#[cfg(test)]
use std::cell::Cell;

#[cfg(test)]
thread_local! {
    /// How many passes over a whole string this thread made (tests check they are not
    /// repeated).
    static PASSES: Cell<usize> = const { Cell::new(0) };
}
use std::cell::OnceCell;

pub use text::Text;

/// Characters between two recorded byte offsets of a non-ASCII text.
const STRIDE: usize = 16;

#[derive(Debug)]
pub struct LispString {
    /// The text; unset only while `wide` holds changes not yet rendered.
    text: OnceCell<Text>,
    /// Set for a non-ASCII string once it is indexed or changed in width.
    indexing: OnceCell<Box<Indexing>>,
    /// The length in characters.
    length: usize,
}

#[derive(Debug, Default)]
struct Indexing {
    /// The byte offset in `text` of every `STRIDE`-th character.
    offsets: OnceCell<Box<[usize]>>,
    /// Every character, once a change altered a character's width in UTF-8.
    wide: Option<Box<[char]>>,
}

impl LispString {
    pub fn new(text: impl Into<Text>) -> Self {
        let text = text.into();
        let length = if text.as_bytes().is_ascii() {
            text.len()
        } else {
            text.as_str().chars().count()
        };
        LispString {
            text: OnceCell::from(text),
            indexing: OnceCell::new(),
            length,
        }
    }

    fn wide(&self) -> Option<&[char]> {
        self.indexing
            .get()
            .and_then(|indexing| indexing.wide.as_deref())
    }

    /// Forgets the offsets and the rendered text, which a change of the characters outdated.
    fn forget_text(&mut self) {
        self.text.take();
        if let Some(indexing) = self.indexing.get_mut() {
            indexing.offsets.take();
        }
    }

    /// Appends `part` in place when this string, unchanged since it was made, stays short
    /// enough to hold its text inline (see [`Text::append_inline`]); returns whether it did.
    pub fn append_inline(&mut self, part: &LispString) -> bool {
        if self.indexing.get().is_some() {
            return false;
        }
        let Some(text) = self.text.get_mut() else {
            return false;
        };
        if !text.append_inline(part.text().as_bytes()) {
            return false;
        }
        self.length += part.length;
        true
    }

    /// The text (rendered from the characters if they changed since it was last read).
    pub fn text(&self) -> &Text {
        self.text.get_or_init(|| {
            self.count_pass();
            let text: String = self.wide().unwrap_or_default().iter().collect();
            Text::from(text)
        })
    }

    pub fn as_str(&self) -> &str {
        self.text().as_str()
    }

    /// The length in characters.
    pub fn char_count(&self) -> usize {
        self.length
    }

    /// Whether every character is ASCII, so that character and byte indices agree.
    pub fn is_ascii(&self) -> bool {
        self.wide().is_none()
            && self
                .text
                .get()
                .is_some_and(|text| text.len() == self.length)
    }

    /// The character at `index`, if it is below the length.
    pub fn char_at(&self, index: usize) -> Option<char> {
        if index >= self.length {
            return None;
        }
        if let Some(wide) = self.wide() {
            return wide.get(index).copied();
        }
        let text = self.text();
        if text.len() == self.length {
            return text.as_bytes().get(index).map(|b| char::from(*b));
        }
        text.as_str().get(self.byte_offset(index)..)?.chars().next()
    }

    /// The byte offset in [`as_str`](Self::as_str) of the character at `index`; the text's
    /// length in bytes for an index at or past the end.
    pub fn byte_offset(&self, index: usize) -> usize {
        if self.text().len() == self.length {
            return index.min(self.length);
        }
        let text = self.as_str();
        if index >= self.length {
            return text.len();
        }
        let indexing = self.indexing.get_or_init(Box::default);
        let offsets = indexing.offsets.get_or_init(|| {
            self.count_pass();
            text.char_indices()
                .step_by(STRIDE)
                .map(|(at, _)| at)
                .collect()
        });
        let start = offsets.get(index / STRIDE).copied().unwrap_or(0);
        text.get(start..)
            .and_then(|rest| rest.char_indices().nth(index % STRIDE))
            .map_or(text.len(), |(at, _)| start + at)
    }

    /// Replaces the character at `index` by `c`; `false` (and no change) if `index` is not
    /// below the length.
    pub fn set_char(&mut self, index: usize, c: char) -> bool {
        if index >= self.length {
            return false;
        }
        if let Some(wide) = self
            .indexing
            .get_mut()
            .and_then(|indexing| indexing.wide.as_mut())
        {
            let Some(slot) = wide.get_mut(index) else {
                return false;
            };
            *slot = c;
            self.forget_text();
            return true;
        }
        let at = self.byte_offset(index);
        let Some(text) = self.text.get_mut() else {
            return false;
        };
        let Some(old) = text.as_str().get(at..).and_then(|rest| rest.chars().next()) else {
            return false;
        };
        if old.len_utf8() == c.len_utf8() {
            // Same width: the other characters stay where they are, and so do the offsets.
            text.overwrite(at, c.encode_utf8(&mut [0; 4]));
            return true;
        }
        let mut wide: Box<[char]> = text.as_str().chars().collect();
        self.count_pass();
        if let Some(slot) = wide.get_mut(index) {
            *slot = c;
        }
        if self.indexing.get().is_none() {
            let _ = self.indexing.set(Box::default());
        }
        if let Some(indexing) = self.indexing.get_mut() {
            indexing.wide = Some(wide);
        }
        self.forget_text();
        true
    }

    /// The bytes this string holds, for the heap's accounting.
    pub fn size(&self) -> usize {
        let text = self.text.get().map_or(0, Text::len);
        if self.indexing.get().is_none() {
            return text;
        }
        let wide = self.wide().map_or(0, |wide| wide.len() * 4);
        let offsets = self
            .indexing
            .get()
            .and_then(|indexing| indexing.offsets.get())
            .map_or(0, |offsets| offsets.len() * 8);
        text + wide + offsets
    }

    #[cfg(test)]
    fn count_pass(&self) {
        PASSES.with(|passes| passes.set(passes.get() + 1));
    }

    #[cfg(not(test))]
    fn count_pass(&self) {}
}

#[cfg(test)]
mod tests {
    use super::{LispString, PASSES};

    /// Passes made by this thread since the last call.
    fn passes() -> usize {
        PASSES.with(|passes| passes.get())
    }

    fn new_string(text: String) -> LispString {
        PASSES.with(|passes| passes.set(0));
        LispString::new(text)
    }

    fn wide_text(n: usize) -> String {
        (0..n).map(|i| if i % 3 == 0 { 'λ' } else { 'a' }).collect()
    }

    #[test]
    fn ascii_strings_are_indexed_by_byte_and_stay_ascii() {
        let mut s = new_string("hello".repeat(1000));
        assert!(s.is_ascii());
        for i in 0..s.char_count() {
            assert!(s.set_char(i, 'x'));
            assert_eq!(s.char_at(i), Some('x'));
        }
        assert!(s.is_ascii());
        assert_eq!(passes(), 0);
        assert_eq!(s.as_str(), "x".repeat(5000));
    }

    #[test]
    fn a_non_ascii_string_is_scanned_once_for_any_number_of_accesses() {
        let text = wide_text(10_000);
        let s = new_string(text.clone());
        assert!(!s.is_ascii());
        let expected: Vec<char> = text.chars().collect();
        for (i, c) in expected.iter().enumerate() {
            assert_eq!(s.char_at(i), Some(*c));
        }
        assert_eq!(s.char_at(10_000), None);
        assert_eq!(passes(), 1);
    }

    #[test]
    fn same_width_changes_keep_the_index() {
        let mut s = new_string(wide_text(1000));
        for i in 0..1000 {
            let c = if i % 3 == 0 { 'μ' } else { 'b' };
            assert!(s.set_char(i, c));
            assert_eq!(s.char_at(i), Some(c));
        }
        assert_eq!(passes(), 1);
        assert!(s.as_str().starts_with("μbbμ"));
    }

    #[test]
    fn width_changes_switch_to_characters_once() {
        let mut s = new_string("a".repeat(1000));
        for i in 0..1000 {
            assert!(s.set_char(i, 'λ'));
            assert_eq!(s.char_at(i), Some('λ'));
        }
        assert_eq!(passes(), 1);
        assert_eq!(s.as_str(), "λ".repeat(1000));
        assert_eq!(passes(), 2);
        assert!(s.set_char(0, 'a'));
        assert_eq!(s.as_str().chars().next(), Some('a'));
        assert_eq!(s.char_count(), 1000);
    }

    /// A string is the most common heap object: it sets the size of every arena slot
    /// unless it is no larger than the other variants held inline.
    #[test]
    fn a_string_makes_no_object_larger() {
        use crate::lisp::object::{LispVector, Object};
        assert!(std::mem::size_of::<LispString>() <= std::mem::size_of::<LispVector>());
        assert!(std::mem::size_of::<Object>() <= 56);
    }

    #[test]
    fn byte_offsets_of_a_non_ascii_text() {
        let mut s = new_string("aλbμc".to_string());
        let offsets: Vec<usize> = (0..6).map(|i| s.byte_offset(i)).collect();
        assert_eq!(offsets, [0, 1, 3, 4, 6, 7]);
        assert_eq!(s.byte_offset(100), 7);
        assert!(!s.set_char(5, 'x'));
        assert_eq!(s.char_at(5), None);
    }
}
