//! Integers and ratios in any base from 2 to 36 with upper-case digits, with the radix
//! prefixes `*PRINT-RADIX*` asks for (`#x`, `#o`, `#b`, `#NNr`, or a trailing `.` for
//! decimal integers).

use num_bigint::BigInt;
use num_rational::BigRational;

fn digits(n: &BigInt, base: u32) -> String {
    n.to_str_radix(base).to_uppercase()
}

/// A fixnum's digits in `base` (2..=36), upper-case, with a leading `-` when negative:
/// what `digits` makes of it, without a bignum.
fn fixnum_digits(n: i64, base: u32) -> String {
    const DIGITS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    // 64 binary digits and a sign.
    let mut reversed = [0u8; 65];
    let mut len = 0;
    let mut rest = n.unsigned_abs();
    let base = u64::from(base);
    loop {
        reversed[len] = DIGITS[(rest % base) as usize];
        len += 1;
        rest /= base;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        reversed[len] = b'-';
        len += 1;
    }
    reversed[..len]
        .iter()
        .rev()
        .map(|&byte| char::from(byte))
        .collect()
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

/// A fixnum as [`format_integer`] prints it.
pub fn format_fixnum(n: i64, base: u32, radix: bool) -> String {
    let base = if (2..=36).contains(&base) { base } else { 10 };
    match (radix, base) {
        (false, _) => fixnum_digits(n, base),
        (true, 10) => format!("{}.", fixnum_digits(n, 10)),
        (true, _) => format!("{}{}", prefix(base), fixnum_digits(n, base)),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixnums_print_as_the_same_integers_do() {
        let values = [
            0,
            1,
            -1,
            7,
            35,
            36,
            -36,
            255,
            4096,
            -65_535,
            i64::MAX,
            i64::MIN,
        ];
        for n in values {
            for base in [0, 1, 2, 3, 8, 10, 16, 17, 36, 37] {
                for radix in [false, true] {
                    assert_eq!(
                        format_fixnum(n, base, radix),
                        format_integer(&BigInt::from(n), base, radix),
                        "{n} in base {base}, radix {radix}"
                    );
                }
            }
        }
    }
}
