//! Integers and ratios in any base from 2 to 36 with upper-case digits, with the radix
//! prefixes `*PRINT-RADIX*` asks for (`#x`, `#o`, `#b`, `#NNr`, or a trailing `.` for
//! decimal integers).

use num_bigint::BigInt;
use num_rational::BigRational;

fn digits(n: &BigInt, base: u32) -> String {
    n.to_str_radix(base).to_uppercase()
}

fn prefix(base: u32) -> String {
    match base {
        2 => "#b".to_string(),
        8 => "#o".to_string(),
        16 => "#x".to_string(),
        _ => format!("#{base}r"),
    }
}

/// An integer as `PRIN1` prints it with `*PRINT-BASE*` `base` and `*PRINT-RADIX*` `radix`.
/// Bases outside 2..=36 are taken as 10.
pub fn format_integer(n: &BigInt, base: u32, radix: bool) -> String {
    let base = if (2..=36).contains(&base) { base } else { 10 };
    match (radix, base) {
        (false, _) => digits(n, base),
        (true, 10) => format!("{}.", digits(n, 10)),
        (true, _) => format!("{}{}", prefix(base), digits(n, base)),
    }
}

/// A ratio as `PRIN1` prints it; with `radix` every base gets a prefix (`#10r1/2`).
pub fn format_ratio(q: &BigRational, base: u32, radix: bool) -> String {
    let base = if (2..=36).contains(&base) { base } else { 10 };
    let body = format!("{}/{}", digits(q.numer(), base), digits(q.denom(), base));
    if radix {
        format!("{}{body}", prefix(base))
    } else {
        body
    }
}
