//! A string's UTF-8 text, held inline when it is short. Most strings a program makes are
//! short; one held inline costs no allocation of its own when it is made, and nothing to
//! give back when it is collected.

/// The longest text, in bytes, held inline.
const SHORT: usize = 30;

#[derive(Debug)]
pub enum Text {
    Short { length: u8, bytes: [u8; SHORT] },
    Long(String),
}

impl Text {
    /// The longest text, in bytes, held inline.
    pub const INLINE: usize = SHORT;

    /// `parts` one after another.
    pub fn joined(parts: &[&Text]) -> Text {
        let length: usize = parts.iter().map(|part| part.len()).sum();
        if length > SHORT {
            let mut text = String::with_capacity(length);
            parts.iter().for_each(|part| text.push_str(part.as_str()));
            return Text::Long(text);
        }
        Text::short(parts.iter().map(|part| part.as_bytes()), length)
    }

    /// The text of `parts`, which are whole UTF-8 texts `length` bytes long together, at
    /// most `SHORT`.
    fn short<'a>(parts: impl Iterator<Item = &'a [u8]>, length: usize) -> Text {
        let mut bytes = [0; SHORT];
        let mut at = 0;
        for part in parts {
            if let Some(slot) = bytes.get_mut(at..at + part.len()) {
                slot.copy_from_slice(part);
            }
            at += part.len();
        }
        Text::Short {
            length: u8::try_from(length.min(SHORT)).unwrap_or(0),
            bytes,
        }
    }

    /// Appends `part` (whole UTF-8) in place if the text is inline and stays so; returns
    /// whether it did. Joining short strings this way writes their bytes once, where they
    /// stay: a short text built aside and then moved is read back at once as wider words
    /// than it was written in, and each such read waits for the writes (store forwarding).
    pub fn append_inline(&mut self, part: &[u8]) -> bool {
        let Text::Short { length, bytes } = self else {
            return false;
        };
        let at = usize::from(*length);
        let Some(slot) = bytes.get_mut(at..at + part.len()) else {
            return false;
        };
        slot.copy_from_slice(part);
        *length = u8::try_from(at + part.len()).unwrap_or(*length);
        true
    }

    /// The UTF-8 bytes, which is all that joining, comparing or measuring them needs (a short
    /// text read as a `str` is checked again).
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Text::Short { length, bytes } => bytes.get(..usize::from(*length)).unwrap_or_default(),
            Text::Long(text) => text.as_bytes(),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Text::Short { length, bytes } => bytes
                .get(..usize::from(*length))
                .and_then(|bytes| std::str::from_utf8(bytes).ok())
                .unwrap_or_default(),
            Text::Long(text) => text,
        }
    }

    /// The length in bytes.
    pub fn len(&self) -> usize {
        match self {
            Text::Short { length, .. } => usize::from(*length),
            Text::Long(text) => text.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Replaces the bytes at `at` by `with`, which must be as long as the character there.
    pub fn overwrite(&mut self, at: usize, with: &str) {
        match self {
            Text::Short { bytes, .. } => {
                if let Some(slots) = bytes.get_mut(at..at + with.len()) {
                    slots.copy_from_slice(with.as_bytes());
                }
            }
            Text::Long(text) => {
                if text.is_char_boundary(at) && text.is_char_boundary(at + with.len()) {
                    text.replace_range(at..at + with.len(), with);
                }
            }
        }
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        if text.len() <= SHORT {
            Text::short(std::iter::once(text.as_bytes()), text.len())
        } else {
            Text::Long(text.to_string())
        }
    }
}

impl From<String> for Text {
    fn from(text: String) -> Self {
        if text.len() <= SHORT {
            Text::from(text.as_str())
        } else {
            Text::Long(text)
        }
    }
}

impl From<&String> for Text {
    fn from(text: &String) -> Self {
        Text::from(text.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::{SHORT, Text};

    #[test]
    fn short_texts_are_inline_and_long_ones_are_not() {
        let parts = [Text::from("item-"), Text::from("12"), Text::from("-done")];
        let short = Text::joined(&[&parts[0], &parts[1], &parts[2]]);
        assert!(matches!(short, Text::Short { .. }));
        assert_eq!(short.as_str(), "item-12-done");
        let long = Text::from("λ".repeat(SHORT));
        assert!(matches!(long, Text::Long(_)));
        assert_eq!(long.len(), SHORT * 2);
        assert_eq!(Text::from("").as_str(), "");
    }

    #[test]
    fn appending_inline_stops_at_the_inline_size() {
        let mut text = Text::from("item-");
        assert!(text.append_inline(b"12"));
        assert!(text.append_inline("-λ".as_bytes()));
        assert_eq!(text.as_str(), "item-12-λ");
        assert!(!text.append_inline(&[b'x'; SHORT]));
        assert_eq!(text.as_str(), "item-12-λ");
        assert!(!Text::from("x".repeat(SHORT + 1)).append_inline(b"y"));
    }

    #[test]
    fn overwriting_a_character_keeps_the_rest() {
        for mut text in [Text::from("aλb"), Text::from("aλb".repeat(20))] {
            text.overwrite(1, "μ");
            assert!(text.as_str().starts_with("aμb"));
        }
    }
}
