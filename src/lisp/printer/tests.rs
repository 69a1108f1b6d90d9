//! Printer tests; float cases come from SBCL (see `float_cases.txt`).

use super::*;
use num_bigint::BigInt;
use num_rational::BigRational;

#[test]
fn floats_print_like_sbcl() {
    let cases = include_str!("float_cases.txt");
    let mut checked = 0;
    let mut failures = Vec::new();
    for line in cases
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [kind, bits, expected] = fields[..] else {
            panic!("bad line {line}")
        };
        let printed = match kind {
            "S" => format_single(f32::from_bits(u32::from_str_radix(bits, 16).unwrap())),
            "D" => format_double(f64::from_bits(u64::from_str_radix(bits, 16).unwrap())),
            _ => panic!("bad line {line}"),
        };
        if printed != expected {
            failures.push(format!(
                "{kind} {bits}: expected {expected}, printed {printed}"
            ));
        }
        checked += 1;
    }
    assert!(checked > 500, "only {checked} cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn float_examples() {
    assert_eq!(format_single(1.0), "1.0");
    assert_eq!(format_single(1.5), "1.5");
    assert_eq!(format_single(0.1), "0.1");
    assert_eq!(format_single(100.0), "100.0");
    assert_eq!(format_single(1234567.0), "1234567.0");
    assert_eq!(format_single(1.0e7), "1.0e7");
    assert_eq!(format_single(1.2345678e7), "1.2345678e7");
    assert_eq!(format_single(1.0e-4), "1.0e-4");
    assert_eq!(format_single(0.001), "0.001");
    assert_eq!(format_single(-0.0), "-0.0");
    assert_eq!(format_double(1.0), "1.0d0");
    assert_eq!(format_double(1.0e10), "1.0d10");
    assert_eq!(format_double(0.1), "0.1d0");
    assert_eq!(format_double(-0.0), "-0.0d0");
    assert_eq!(
        format_single(f32::INFINITY),
        "#.SB-EXT:SINGLE-FLOAT-POSITIVE-INFINITY"
    );
    assert_eq!(
        format_double(f64::NEG_INFINITY),
        "#.SB-EXT:DOUBLE-FLOAT-NEGATIVE-INFINITY"
    );
    assert_eq!(format_single(f32::NAN), "#<SINGLE-FLOAT quiet NaN>");
    assert_eq!(format_double(f64::NAN), "#<DOUBLE-FLOAT quiet NaN>");
}

#[test]
fn printed_floats_read_back() {
    use super::super::reader::{Datum, ReadOptions, read_one};
    let options = ReadOptions::default();
    let mut seed: u64 = 7;
    for _ in 0..2000 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let single = f32::from_bits((seed >> 32) as u32);
        let double = f64::from_bits(seed);
        if single.is_finite() {
            let text = format_single(single);
            let (datum, _) = read_one(&text, 0, &options).unwrap().unwrap();
            assert_eq!(datum, Datum::Single(single), "{text}");
        }
        if double.is_finite() {
            let text = format_double(double);
            let (datum, _) = read_one(&text, 0, &options).unwrap().unwrap();
            assert_eq!(datum, Datum::Double(double), "{text}");
        }
    }
}

#[test]
fn integers_and_ratios_with_base_and_radix() {
    let n = |i: i64| BigInt::from(i);
    let q = |a: i64, b: i64| BigRational::new(n(a), n(b));
    assert_eq!(format_integer(&n(31), 10, false), "31");
    assert_eq!(format_integer(&n(31), 16, false), "1F");
    assert_eq!(format_integer(&n(31), 16, true), "#x1F");
    assert_eq!(format_integer(&n(-31), 16, true), "#x-1F");
    assert_eq!(format_integer(&n(5), 2, true), "#b101");
    assert_eq!(format_integer(&n(15), 8, true), "#o17");
    assert_eq!(format_integer(&n(35), 36, true), "#36rZ");
    assert_eq!(format_integer(&n(35), 3, true), "#3r1022");
    assert_eq!(format_integer(&n(-5), 10, true), "-5.");
    assert_eq!(format_integer(&n(7), 99, false), "7");
    assert_eq!(format_ratio(&q(1, 2), 10, false), "1/2");
    assert_eq!(format_ratio(&q(1, 2), 10, true), "#10r1/2");
    assert_eq!(format_ratio(&q(-31, 2), 16, true), "#x-1F/2");
    assert_eq!(format_ratio(&q(-255, 16), 16, false), "-FF/10");
}

#[test]
fn characters_like_sbcl() {
    for (c, printed) in [
        ('a', "#\\a"),
        ('A', "#\\A"),
        ('(', "#\\("),
        ('\\', "#\\\\"),
        (' ', "#\\ "),
        ('\n', "#\\Newline"),
        ('\t', "#\\Tab"),
        ('\r', "#\\Return"),
        ('\0', "#\\Nul"),
        ('\x7f', "#\\Rubout"),
        ('\x08', "#\\Backspace"),
        ('\x0c', "#\\Page"),
        ('\x1b', "#\\Esc"),
        ('\x07', "#\\Bel"),
        ('\u{85}', "#\\Next-Line"),
        ('\u{80}', "#\\C80"),
        ('λ', "#\\GREEK_SMALL_LETTER_LAMDA"),
        ('中', "#\\U4E2D"),
        ('\u{1f5cf}', "#\\UNICODE_PAGE"),
    ] {
        assert_eq!(format_char_readably(c), printed);
    }
}

#[test]
fn printed_characters_read_back() {
    use super::super::reader::{Datum, ReadOptions, read_one};
    let options = ReadOptions::default();
    for code in (0..0x200).chain([0x3bb, 0x2028, 0xfeff, 0x1f514]) {
        let Some(c) = char::from_u32(code) else {
            continue;
        };
        let text = format_char_readably(c);
        let (datum, _) = read_one(&text, 0, &options).unwrap().unwrap();
        assert_eq!(datum, Datum::Char(c), "{text}");
    }
}
