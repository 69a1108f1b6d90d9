//! TEMPORARY number printing (replaced by the real one).
use num_bigint::BigInt;
use num_rational::BigRational;
pub fn format_integer(n: &BigInt, base: u32, _radix: bool) -> String {
    n.to_str_radix(base).to_uppercase()
}
pub fn format_ratio(q: &BigRational, base: u32, _radix: bool) -> String {
    format!(
        "{}/{}",
        q.numer().to_str_radix(base),
        q.denom().to_str_radix(base)
    )
}
pub fn format_single(f: f32) -> String {
    format!("{f:?}")
}
pub fn format_double(f: f64) -> String {
    format!("{f:?}d0")
}
pub fn format_char_readably(c: char) -> String {
    match super::reader::chars::char_name(c) {
        Some(name) => format!("#\\{name}"),
        None => format!("#\\{c}"),
    }
}
