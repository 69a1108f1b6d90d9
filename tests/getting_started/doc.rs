//! A Markdown document as tests/getting_started.rs reads it: numbered steps
//! (`## N. Title`), each with its fenced code blocks and the inline code of its
//! prose. Every block handed out is remembered, so that a test can check that
//! none was left unread.

use std::cell::RefCell;
use std::collections::BTreeSet;

/// A fenced code block: its info string (`sh`, `lisp`, or empty) and its text.
#[derive(Debug)]
pub struct Block {
    pub lang: String,
    pub text: String,
}

/// One `## ` section of the document.
#[derive(Debug)]
pub struct Section {
    /// `N` of a `## N. Title` heading; `None` for other headings.
    pub number: Option<u32>,
    pub title: String,
    /// The text outside code blocks, lines joined with spaces (inline code may wrap).
    pub prose: String,
    pub blocks: Vec<Block>,
}

/// The whole document.
pub struct Doc {
    pub sections: Vec<Section>,
    /// (step, block index) of every block handed out by [`Doc::block`].
    taken: RefCell<BTreeSet<(u32, usize)>>,
}

impl Doc {
    pub fn parse(text: &str) -> Doc {
        let mut sections: Vec<Section> = Vec::new();
        let mut fence: Option<Block> = None;
        for line in text.lines() {
            if let Some(block) = fence.as_mut() {
                if line.trim_start().starts_with("```") {
                    let block = fence.take().unwrap();
                    if let Some(section) = sections.last_mut() {
                        section.blocks.push(block);
                    }
                } else {
                    block.text.push_str(line);
                    block.text.push('\n');
                }
            } else if let Some(lang) = line.trim_start().strip_prefix("```") {
                fence = Some(Block {
                    lang: lang.trim().to_owned(),
                    text: String::new(),
                });
            } else if let Some(heading) = line.strip_prefix("## ") {
                let number = heading
                    .split_once(". ")
                    .and_then(|(number, _)| number.parse().ok());
                sections.push(Section {
                    number,
                    title: heading.to_owned(),
                    prose: String::new(),
                    blocks: Vec::new(),
                });
            } else if let Some(section) = sections.last_mut() {
                section.prose.push_str(line.trim());
                section.prose.push(' ');
            }
        }
        assert!(fence.is_none(), "a code block is not closed");
        Doc {
            sections,
            taken: RefCell::new(BTreeSet::new()),
        }
    }

    /// The section `## N. ...`.
    pub fn step(&self, number: u32) -> &Section {
        self.sections
            .iter()
            .find(|section| section.number == Some(number))
            .unwrap_or_else(|| panic!("the document has no step {number}"))
    }

    /// The `index`th code block of step `number`, which must be in language `lang`.
    pub fn block(&self, number: u32, index: usize, lang: &str) -> &str {
        let step = self.step(number);
        let block = step
            .blocks
            .get(index)
            .unwrap_or_else(|| panic!("step {number} ({}) has no code block #{index}", step.title));
        assert_eq!(
            block.lang, lang,
            "step {number}, code block #{index}: expected a ```{lang} block"
        );
        self.taken.borrow_mut().insert((number, index));
        &block.text
    }

    /// The code blocks of numbered steps that no [`Doc::block`] call took, as
    /// "step N, block #I (```lang)".
    pub fn untaken_blocks(&self) -> Vec<String> {
        let taken = self.taken.borrow();
        self.sections
            .iter()
            .flat_map(|section| {
                let number = section.number;
                section
                    .blocks
                    .iter()
                    .enumerate()
                    .map(move |(index, block)| (number, index, block))
            })
            .filter(|(number, index, _)| match number {
                Some(number) => !taken.contains(&(*number, *index)),
                None => true,
            })
            .map(|(number, index, block)| {
                format!("step {number:?}, block #{index} (```{})", block.lang)
            })
            .collect()
    }
}

impl Section {
    /// The inline code spans of the prose, in order.
    pub fn inline_code(&self) -> Vec<&str> {
        self.prose.split('`').skip(1).step_by(2).collect()
    }

    /// The inline code spans that start with `prefix`.
    pub fn inline_code_starting(&self, prefix: &str) -> Vec<&str> {
        self.inline_code()
            .into_iter()
            .filter(|code| code.starts_with(prefix))
            .collect()
    }

    /// The inline code that follows `phrase` in the prose (`phrase` then a span).
    pub fn code_after(&self, phrase: &str) -> &str {
        let pattern = format!("{phrase}`");
        let start = self.prose.find(&pattern).unwrap_or_else(|| {
            panic!(
                "step {:?} no longer says {phrase:?} followed by inline code",
                self.number
            )
        }) + pattern.len();
        let rest = &self.prose[start..];
        &rest[..rest.find('`').expect("an unclosed inline code span")]
    }

    /// The inline code spans before `phrase`, after `after` (both in the prose).
    pub fn codes_between(&self, after: &str, phrase: &str) -> Vec<&str> {
        let start = self
            .prose
            .find(after)
            .unwrap_or_else(|| panic!("step {:?} no longer says {after:?}", self.number));
        let end = start
            + self.prose[start..]
                .find(phrase)
                .unwrap_or_else(|| panic!("step {:?} no longer says {phrase:?}", self.number));
        self.prose[start..end]
            .split('`')
            .skip(1)
            .step_by(2)
            .collect()
    }
}

/// Lines of a block of terminal or REPL text, without the trailing empty line.
pub fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# Title\n\n## 1. First\n\nRun `a b` then\n`c\nd`.\n\n\
                          ```sh\ncmd one\n```\n\n## 2. Second\n\n```\nout\n```\n";

    #[test]
    fn steps_blocks_and_inline_code() {
        let doc = Doc::parse(SAMPLE);
        assert_eq!(doc.step(1).inline_code(), ["a b", "c d"]);
        assert_eq!(doc.block(1, 0, "sh"), "cmd one\n");
        assert_eq!(doc.untaken_blocks(), ["step Some(2), block #0 (```)"]);
        assert_eq!(doc.block(2, 0, ""), "out\n");
        assert!(doc.untaken_blocks().is_empty());
        assert_eq!(doc.step(1).code_after("Run "), "a b");
        assert_eq!(doc.step(1).codes_between("Run", "."), ["a b", "c d"]);
    }
}
