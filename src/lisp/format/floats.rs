//! FORMAT's float directives laid out as SBCL lays them out: `~w,d,k,overflowchar,padcharF`
//! (fixed), `~w,d,e,k,overflowchar,padchar,exptcharE` (exponential), `~G` (general: fixed
//! followed by blanks when the number suits it, else exponential) and `~d,n,w,padchar$`
//! (monetary). Rationals print as the single floats they convert to.

use super::Directive;
use super::error::{FormatResult, format_error};
use super::fields::{Field, char_param, integer_param, optional_char, optional_integer};
use super::flonum::{Flonum, flonum_to_string, scale_exponent};
use crate::lisp::number::Number;
use crate::lisp::printer;
use crate::lisp::value::Value;

/// The parameters of `~F`, `~E` and `~G` (those a directive lacks stay `None`).
#[derive(Debug, Clone, Copy, Default)]
pub struct FloatParams {
    pub width: Option<i64>,
    pub digits: Option<i64>,
    pub exponent_digits: Option<i64>,
    pub scale: Option<i64>,
    pub overflow: Option<char>,
    pub pad: char,
    pub marker: Option<char>,
    pub sign: bool,
}

/// Widths, digit counts and scale factors beyond this are refused: the exact arithmetic on
/// powers of ten they would ask for could exhaust memory.
const LARGEST_PARAMETER: u64 = 100_000;

fn repeat(c: char, n: i64) -> String {
    std::iter::repeat_n(c, usize::try_from(n).unwrap_or(0)).collect()
}

/// `padding` pad characters, the sign, and the digits with a zero before or after the point
/// where the field had room for one.
fn padded_digits(
    p: &FloatParams,
    padding: i64,
    negative: bool,
    leading_zero: bool,
    digits: &str,
    trailing_zero: bool,
) -> String {
    let mut out = repeat(p.pad, padding);
    if negative {
        out.push('-');
    } else if p.sign {
        out.push('+');
    }
    if leading_zero {
        out.push('0');
    }
    out.push_str(digits);
    if trailing_zero {
        out.push('0');
    }
    out
}

/// Takes the digits' length from the `space` a field has left, and a column for the "0"
/// before the point if there is room for it (or a trailing "0" must go anyway); returns
/// whether the leading "0" is written.
fn fit_leading_point(space: &mut Option<i64>, text: &str, leading: bool, trailing: bool) -> bool {
    let Some(space) = space.as_mut() else {
        return leading;
    };
    *space -= length(text);
    if !leading {
        return false;
    }
    if *space > 0 || trailing {
        *space -= 1;
        true
    } else {
        false
    }
}

fn length(text: &str) -> i64 {
    i64::try_from(text.chars().count()).unwrap_or(i64::MAX)
}

/// An infinity or NaN prints as PRIN1 prints it.
fn unprintable(number: Flonum) -> String {
    match number {
        Flonum::Single(f) => printer::format_single(f),
        Flonum::Double(f) => printer::format_double(f),
    }
}

/// `~F`; the text, and whether it overflowed its width (filled with the overflow character).
pub fn fixed(number: Flonum, p: &FloatParams) -> (String, bool) {
    if !number.is_finite() {
        return (unprintable(number), false);
    }
    let negative = number.is_negative();
    let mut space = p.width;
    if let Some(space) = space.as_mut()
        && (p.sign || negative)
    {
        *space -= 1;
    }
    let laid = flonum_to_string(number.abs(), space, p.digits, p.scale.unwrap_or(0), 0);
    let mut trailing = laid.trailing_point && p.digits != Some(0);
    let leading = fit_leading_point(&mut space, &laid.text, laid.leading_point, trailing);
    if let Some(space) = space.as_mut() {
        if trailing {
            if *space > 0 {
                *space -= 1;
            } else {
                trailing = false;
            }
        }
    }
    if let (Some(width), Some(space), Some(overflow)) = (p.width, space, p.overflow)
        && space < 0
    {
        return (repeat(overflow, width), true);
    }
    let out = padded_digits(
        p,
        space.unwrap_or(0),
        negative,
        leading,
        &laid.text,
        trailing,
    );
    (out, false)
}

/// `~E`, with `scale` (k) defaulting to 1.
pub fn exponential(number: Flonum, p: &FloatParams) -> String {
    if !number.is_finite() {
        return unprintable(number);
    }
    let negative = number.is_negative();
    let (scaled, exponent) = scale_exponent(number.abs());
    let k = p.scale.unwrap_or(1);
    let k = if scaled.to_f64() == 1.0 { k - 1 } else { k };
    let exponent = exponent - k;
    let exponent_text = exponent.unsigned_abs().to_string();
    let exponent_length = match p.exponent_digits {
        Some(e) => length(&exponent_text).max(e),
        None => length(&exponent_text),
    };
    let mut space = p.width.map(|w| w - 2 - exponent_length);
    if let Some(space) = space.as_mut()
        && (p.sign || negative)
    {
        *space -= 1;
    }
    if let (Some(width), Some(overflow), Some(e)) = (p.width, p.overflow, p.exponent_digits)
        && exponent_length > e
    {
        return repeat(overflow, width);
    }
    let fdigits = p.digits.map(|d| if k > 0 { d - k + 1 } else { d });
    let fmin = if k < 0 { 1 } else { fdigits.unwrap_or(0) };
    let laid = flonum_to_string(scaled, space, fdigits, k, fmin);
    let mut trailing = laid.trailing_point && p.digits != Some(0);
    let leading = fit_leading_point(&mut space, &laid.text, laid.leading_point, trailing);
    if let Some(space) = space.as_mut() {
        if trailing && *space <= 0 {
            trailing = false;
        }
    }
    if let (Some(width), Some(space), Some(overflow)) = (p.width, space, p.overflow)
        && space < 0
    {
        return repeat(overflow, width);
    }
    let mut out = padded_digits(
        p,
        space.unwrap_or(0),
        negative,
        leading,
        &laid.text,
        trailing,
    );
    out.push(p.marker.unwrap_or(match number {
        Flonum::Single(_) => 'e',
        Flonum::Double(_) => 'd',
    }));
    out.push(if exponent < 0 { '-' } else { '+' });
    if let Some(e) = p.exponent_digits {
        out.push_str(&repeat('0', e - length(&exponent_text)));
    }
    out.push_str(&exponent_text);
    out
}

/// `~G`: fixed notation followed by blanks where the number's magnitude suits it.
pub fn general(number: Flonum, p: &FloatParams) -> String {
    if !number.is_finite() {
        return unprintable(number);
    }
    let (_, n) = scale_exponent(number.abs());
    let digits = match p.digits {
        Some(d) => d,
        None => {
            let laid = flonum_to_string(number.abs(), None, None, 0, 0);
            let len = length(&laid.text);
            let q = if len == 1 { 1 } else { len - 1 };
            q.max(n.min(7))
        }
    };
    let blanks = p.exponent_digits.map_or(4, |e| e + 2);
    let fraction = digits - n;
    if (0..=digits).contains(&fraction) {
        let fixed_params = FloatParams {
            width: p.width.map(|w| w - blanks),
            digits: Some(fraction),
            scale: None,
            ..*p
        };
        let (mut text, overflowed) = fixed(number, &fixed_params);
        let fill = match (overflowed, p.overflow) {
            (true, Some(overflow)) => overflow,
            _ => ' ',
        };
        text.push_str(&repeat(fill, blanks));
        text
    } else {
        exponential(
            number,
            &FloatParams {
                digits: Some(digits),
                ..*p
            },
        )
    }
}

/// The parameters of `~$`.
#[derive(Debug, Clone, Copy)]
pub struct DollarParams {
    pub digits: i64,
    pub integer_digits: i64,
    pub width: i64,
    pub pad: char,
    /// `~:$`: the sign goes before the padding.
    pub sign_first: bool,
    pub sign: bool,
}

/// `~$`.
pub fn dollars(number: Flonum, p: &DollarParams) -> String {
    if !number.is_finite() {
        return unprintable(number);
    }
    let sign = if number.is_negative() {
        "-"
    } else if p.sign {
        "+"
    } else {
        ""
    };
    let laid = flonum_to_string(number.abs(), None, Some(p.digits), 0, 0);
    let point = i64::try_from(laid.point).unwrap_or(0);
    let mut out = String::new();
    if p.sign_first {
        out.push_str(sign);
    }
    out.push_str(&repeat(
        p.pad,
        p.width - length(sign) - p.integer_digits.max(point) - 1 - p.digits,
    ));
    if !p.sign_first {
        out.push_str(sign);
    }
    out.push_str(&repeat('0', p.integer_digits - point));
    out.push_str(&laid.text);
    out
}

impl super::Formatter<'_> {
    /// `~F`, `~E`, `~G` or `~$` of `arg`. A rational prints as the single float it converts
    /// to; a non-number as `~A` would print it in the width (`~$`: right-aligned).
    pub(super) fn float_directive(
        &mut self,
        arg: Value,
        directive: &Directive,
    ) -> FormatResult<String> {
        let kind = directive.kind.to_ascii_uppercase();
        let number = match Number::from_value(&self.vm.image, arg) {
            Some(Number::Single(f)) => Some(Flonum::Single(f)),
            Some(Number::Double(f)) => Some(Flonum::Double(f)),
            Some(other) => Some(Flonum::Single(other.to_f64() as f32)),
            None => None,
        };
        let Some(number) = number else {
            let text = self.vm.princ_string(self.thread, arg);
            let width = if kind == '$' {
                integer_param(directive, 2, 0)?
            } else {
                integer_param(directive, 0, 0)?
            };
            let field = Field {
                mincol: width,
                colinc: 1,
                minpad: 0,
                padchar: ' ',
                pad_left: kind == '$',
            };
            return field.apply(&text);
        };
        if kind == '$' {
            let params = DollarParams {
                digits: integer_param(directive, 0, 2)?,
                integer_digits: integer_param(directive, 1, 1)?,
                width: integer_param(directive, 2, 0)?,
                pad: char_param(directive, 3, ' ')?,
                sign_first: directive.colon,
                sign: directive.at,
            };
            return Ok(dollars(number, &params));
        }
        let params = if kind == 'F' {
            FloatParams {
                width: optional_integer(directive, 0)?,
                digits: optional_integer(directive, 1)?,
                exponent_digits: None,
                scale: optional_integer(directive, 2)?,
                overflow: optional_char(directive, 3)?,
                pad: char_param(directive, 4, ' ')?,
                marker: None,
                sign: directive.at,
            }
        } else {
            FloatParams {
                width: optional_integer(directive, 0)?,
                digits: optional_integer(directive, 1)?,
                exponent_digits: optional_integer(directive, 2)?,
                scale: optional_integer(directive, 3)?,
                overflow: optional_char(directive, 4)?,
                pad: char_param(directive, 5, ' ')?,
                marker: optional_char(directive, 6)?,
                sign: directive.at,
            }
        };
        let magnitudes = [
            params.width,
            params.digits,
            params.exponent_digits,
            params.scale,
        ];
        if magnitudes
            .iter()
            .flatten()
            .any(|n| n.unsigned_abs() > LARGEST_PARAMETER)
        {
            return Err(format_error(format!(
                "{kind} directive parameters beyond {LARGEST_PARAMETER} are not supported"
            )));
        }
        Ok(match kind {
            'F' => fixed(number, &params).0,
            'E' => exponential(number, &params),
            _ => general(number, &params),
        })
    }
}
