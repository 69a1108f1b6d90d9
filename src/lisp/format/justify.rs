//! FORMAT's justification `~mincol,colinc,minpad,padchar<...~>`: the text of each segment
//! (separated by `~;`) spread over at least `mincol` columns (widened by `colinc` at a time)
//! with at least `minpad` pad characters between segments, as SBCL lays it out. `~:<` pads
//! before the first segment too, `~@<` after the last. A first segment ended by
//! `~extra,linelength:;` is printed first only when the rest would pass `linelength`.
//! A `~^` stops the justification after the last complete segment.

use super::error::{FormatResult, format_error};
use super::fields::{char_param, integer_param};
use super::{Directive, Formatter, parse_directive};
use crate::lisp::value::Value;

/// The line length `~:;` assumes when it is not given (as in SBCL for string output).
const DEFAULT_LINE_LENGTH: i64 = 72;

/// A segment of the body and the `~;` that ended it, if one did.
pub(super) struct Segment {
    pub(super) chars: Vec<char>,
    pub(super) separator: Option<Directive>,
}

/// The layout parameters of `~<`.
struct Spacing {
    mincol: i64,
    colinc: i64,
    minpad: i64,
    padchar: char,
    pad_left: bool,
    pad_right: bool,
}

/// The overflow text of `~:;`, and when to print it.
struct Overflow {
    text: String,
    extra: i64,
    line_length: i64,
}

impl Formatter<'_> {
    /// `~<body~>`, with `directive` the opening `~<` (its parameters resolved) and `closing`
    /// the `~>`.
    pub(super) fn justify(
        &mut self,
        body: &[char],
        directive: &Directive,
        closing: &Directive,
        args: &[Value],
        index: &mut usize,
    ) -> FormatResult<()> {
        if closing.at {
            return Err(format_error(
                "@ modifier not allowed in close directive of justification block",
            ));
        }
        let spacing = Spacing {
            mincol: integer_param(directive, 0, 0)?,
            colinc: integer_param(directive, 1, 1)?,
            minpad: integer_param(directive, 2, 0)?,
            padchar: char_param(directive, 3, ' ')?,
            pad_left: directive.colon,
            pad_right: directive.at,
        };
        let mut segments = split_segments(body)?.into_iter().peekable();
        let mut overflow = None;
        let mut texts = Vec::new();
        let overflow_first = segments
            .peek()
            .and_then(|segment| segment.separator.as_ref())
            .is_some_and(|separator| separator.colon);
        if overflow_first && let Some(segment) = segments.next() {
            let Some(mut separator) = segment.separator else {
                return Err(format_error("~:; lost its segment"));
            };
            self.resolve_params(&mut separator, args, index)?;
            let extra = integer_param(&separator, 0, 0)?;
            let line_length = integer_param(&separator, 1, DEFAULT_LINE_LENGTH)?;
            match self.segment_text(&segment.chars, args, index)? {
                Some(text) => {
                    overflow = Some(Overflow {
                        text,
                        extra,
                        line_length,
                    })
                }
                None => segments = Vec::new().into_iter().peekable(),
            }
        }
        for segment in segments {
            match self.segment_text(&segment.chars, args, index)? {
                Some(text) => texts.push(text),
                None => break,
            }
        }
        let column = i64::try_from(self.column()).unwrap_or(i64::MAX);
        let text = lay_out(&texts, &spacing, overflow.as_ref(), column)?;
        self.out.push_str(&text);
        Ok(())
    }

    /// A segment's output on its own; `None` when a `~^` in it ended the justification.
    fn segment_text(
        &mut self,
        chars: &[char],
        args: &[Value],
        index: &mut usize,
    ) -> FormatResult<Option<String>> {
        let outer = std::mem::take(&mut self.out);
        let result = self.run(chars, args, index);
        let text = std::mem::replace(&mut self.out, outer);
        Ok((!result?).then_some(text))
    }
}

/// The justified text of `texts`, after `overflow`'s text when the line would pass its
/// length.
fn lay_out(
    texts: &[String],
    spacing: &Spacing,
    overflow: Option<&Overflow>,
    column: i64,
) -> FormatResult<String> {
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let mut gaps =
        count(texts.len()) - 1 + i64::from(spacing.pad_left) + i64::from(spacing.pad_right);
    let chars = gaps.saturating_mul(spacing.minpad)
        + texts
            .iter()
            .map(|text| count(text.chars().count()))
            .sum::<i64>();
    let length = if chars > spacing.mincol {
        if spacing.colinc <= 0 {
            return Err(format_error(format!(
                "the column increment {} is not a positive integer",
                spacing.colinc
            )));
        }
        let steps = (chars - spacing.mincol + spacing.colinc - 1) / spacing.colinc;
        spacing.mincol + steps * spacing.colinc
    } else {
        spacing.mincol
    };
    let mut padding = length - chars + gaps.saturating_mul(spacing.minpad);
    let mut out = String::new();
    if let Some(overflow) = overflow
        && column + length + overflow.extra > overflow.line_length
    {
        out.push_str(&overflow.text);
    }
    let mut pad = |out: &mut String| {
        let this = if gaps == 0 { padding } else { padding / gaps };
        padding -= this;
        gaps -= 1;
        let this = usize::try_from(this).unwrap_or(0);
        out.extend(std::iter::repeat_n(spacing.padchar, this));
    };
    if spacing.pad_left || (!spacing.pad_right && texts.len() <= 1) {
        pad(&mut out);
    }
    if let Some((first, rest)) = texts.split_first() {
        out.push_str(first);
        for text in rest {
            pad(&mut out);
            out.push_str(text);
        }
    }
    if spacing.pad_right {
        pad(&mut out);
    }
    Ok(out)
}

/// The body's segments, split at the `~;` directives at its own nesting level.
pub(super) fn split_segments(chars: &[char]) -> FormatResult<Vec<Segment>> {
    let mut segments = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '~' {
            i += 1;
            continue;
        }
        let (directive, next) = parse_directive(chars, i + 1)?;
        match directive.kind {
            '<' | '{' | '[' | '(' => depth += 1,
            '>' | '}' | ']' | ')' => depth = depth.saturating_sub(1),
            ';' if depth == 0 => {
                segments.push(Segment {
                    chars: chars[start..i].to_vec(),
                    separator: Some(directive),
                });
                start = next;
            }
            _ => {}
        }
        i = next;
    }
    segments.push(Segment {
        chars: chars[start..].to_vec(),
        separator: None,
    });
    Ok(segments)
}
