//! Prefix parameters read as numbers or characters, and the padded fields of `~A`, `~S`,
//! `~D` and its kin: `mincol,colinc,minpad,padchar` as SBCL's FORMAT-WRITE-FIELD applies
//! them, digit groups with `~:D`'s comma character and interval, `~:C`'s character names.

use super::error::{FormatResult, format_error};
use super::{Directive, Param};
use crate::lisp::error::{ErrorKind, LispError};
use crate::lisp::reader::chars::char_name;
use crate::lisp::value::Value;

/// The integer prefix parameter at `position`, or `default`. A character there is a
/// TYPE-ERROR, as SBCL's arithmetic on it is.
pub fn integer_param(directive: &Directive, position: usize, default: i64) -> FormatResult<i64> {
    match directive.params.get(position) {
        Some(Some(Param::Number(n))) => Ok(*n),
        Some(Some(Param::Char(c))) => Err(LispError::type_error(Value::Char(*c), "INTEGER").into()),
        _ => Ok(default),
    }
}

/// The character prefix parameter at `position`, or `default`; a number there is a
/// TYPE-ERROR, as SBCL's WRITE-CHAR of it is.
pub fn char_param(directive: &Directive, position: usize, default: char) -> FormatResult<char> {
    match directive.params.get(position) {
        Some(Some(Param::Char(c))) => Ok(*c),
        Some(Some(Param::Number(n))) => {
            Err(LispError::type_error(Value::Fixnum(*n), "CHARACTER").into())
        }
        _ => Ok(default),
    }
}

/// The optional integer prefix parameter at `position`.
pub fn optional_integer(directive: &Directive, position: usize) -> FormatResult<Option<i64>> {
    match directive.params.get(position) {
        Some(Some(Param::Number(n))) => Ok(Some(*n)),
        Some(Some(Param::Char(c))) => Err(LispError::type_error(Value::Char(*c), "INTEGER").into()),
        _ => Ok(None),
    }
}

/// The optional character prefix parameter at `position`.
pub fn optional_char(directive: &Directive, position: usize) -> FormatResult<Option<char>> {
    match directive.params.get(position) {
        Some(Some(Param::Char(c))) => Ok(Some(*c)),
        Some(Some(Param::Number(n))) => {
            Err(LispError::type_error(Value::Fixnum(*n), "CHARACTER").into())
        }
        _ => Ok(None),
    }
}

/// How a field is padded.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub mincol: i64,
    pub colinc: i64,
    pub minpad: i64,
    pub padchar: char,
    pub pad_left: bool,
}

impl Field {
    /// `~mincol,colinc,minpad,padcharA` (and `~S`): padded on the left with `@`.
    pub fn of_directive(directive: &Directive) -> FormatResult<Field> {
        Ok(Field {
            mincol: integer_param(directive, 0, 0)?,
            colinc: integer_param(directive, 1, 1)?,
            minpad: integer_param(directive, 2, 0)?,
            padchar: char_param(directive, 3, ' ')?,
            pad_left: directive.at,
        })
    }

    /// `mincol` columns at least, padded with spaces on the left (numbers).
    pub fn right_aligned(mincol: i64, padchar: char) -> Field {
        Field {
            mincol,
            colinc: 1,
            minpad: 0,
            padchar,
            pad_left: true,
        }
    }

    /// `text` padded: `minpad` pad characters, then `colinc` at a time until the field is
    /// `mincol` wide.
    pub fn apply(&self, text: &str) -> FormatResult<String> {
        if self.colinc <= 0 {
            return Err(format_error(format!(
                "The value of colinc is {}, should be a positive integer",
                self.colinc
            )));
        }
        if self.mincol < 0 {
            return Err(format_error(format!(
                "The value of mincol is {}, should be a non-negative integer",
                self.mincol
            )));
        }
        let length = i64::try_from(text.chars().count()).unwrap_or(i64::MAX);
        let mut pads = self.minpad.max(0);
        let mut chars = length + pads;
        while chars < self.mincol {
            chars += self.colinc;
            pads += self.colinc;
        }
        let padding: String =
            std::iter::repeat_n(self.padchar, usize::try_from(pads).unwrap_or(0)).collect();
        Ok(if self.pad_left {
            padding + text
        } else {
            let mut out = text.to_string();
            out.push_str(&padding);
            out
        })
    }
}

/// `digits` (a sign, then digits) with `comma` between groups of `interval` digits,
/// counted from the right.
pub fn group_digits(text: &str, comma: char, interval: i64) -> FormatResult<String> {
    if interval == 0 {
        return Err(LispError::new(
            ErrorKind::DivisionByZero,
            "arithmetic error DIVISION-BY-ZERO signalled",
        )
        .into());
    }
    let interval = usize::try_from(interval)
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format_error(format!("the comma interval {interval} is not positive")))?;
    let (sign, digits) = match text.strip_prefix(['-', '+']) {
        Some(rest) => (&text[..1], rest),
        None => ("", text),
    };
    let count = digits.chars().count();
    let mut grouped = String::from(sign);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (count - i) % interval == 0 {
            grouped.push(comma);
        }
        grouped.push(c);
    }
    Ok(grouped)
}

/// `~:C`: a printing character as itself, any other by its name capitalized (`Space`,
/// `Newline`).
pub fn named_character(c: char) -> String {
    let printing = c != ' ' && !c.is_control();
    if printing {
        return c.to_string();
    }
    match char_name(c) {
        Some(name) => super::capitalize_words(&name),
        None => c.to_string(),
    }
}
