//! Numbers in words and Roman numerals, as FORMAT's `~R` without a radix writes them:
//! `~R` cardinal ("forty-two"), `~:R` ordinal ("forty-second"), `~@R` Roman ("XLII"),
//! `~:@R` old Roman ("XXXXII").

const ONES: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];
const SCALES: [&str; 12] = [
    "",
    " thousand",
    " million",
    " billion",
    " trillion",
    " quadrillion",
    " quintillion",
    " sextillion",
    " septillion",
    " octillion",
    " nonillion",
    " decillion",
];

/// `n` in English words; `None` when it is too large to name (10^36 or more).
pub fn cardinal(n: i128) -> Option<String> {
    if n == 0 {
        return Some("zero".into());
    }
    let mut magnitude = n.unsigned_abs();
    let mut groups = Vec::new();
    while magnitude > 0 {
        groups.push((magnitude % 1000) as usize);
        magnitude /= 1000;
    }
    if groups.len() > SCALES.len() {
        return None;
    }
    let words: Vec<String> = groups
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, group)| **group > 0)
        .map(|(scale, group)| format!("{}{}", below_thousand(*group), SCALES[scale]))
        .collect();
    let text = words.join(" ");
    Some(if n < 0 {
        format!("negative {text}")
    } else {
        text
    })
}

fn below_thousand(n: usize) -> String {
    let hundreds = n / 100;
    let rest = n % 100;
    let rest_words = match rest {
        0 => String::new(),
        1..=19 => ONES[rest].to_string(),
        _ if rest % 10 == 0 => TENS[rest / 10].to_string(),
        _ => format!("{}-{}", TENS[rest / 10], ONES[rest % 10]),
    };
    match (hundreds, rest) {
        (0, _) => rest_words,
        (_, 0) => format!("{} hundred", ONES[hundreds]),
        _ => format!("{} hundred {rest_words}", ONES[hundreds]),
    }
}

/// `n` as an English ordinal ("first", "one hundred twenty-third").
pub fn ordinal(n: i128) -> Option<String> {
    let words = cardinal(n)?;
    let (head, last) = match words.rfind([' ', '-']) {
        Some(at) => (&words[..=at], &words[at + 1..]),
        None => ("", words.as_str()),
    };
    let last = match last {
        "one" => "first".to_string(),
        "two" => "second".to_string(),
        "three" => "third".to_string(),
        "five" => "fifth".to_string(),
        "eight" => "eighth".to_string(),
        "nine" => "ninth".to_string(),
        "twelve" => "twelfth".to_string(),
        word if word.ends_with('y') => format!("{}ieth", &word[..word.len() - 1]),
        word => format!("{word}th"),
    };
    Some(format!("{head}{last}"))
}

/// `n` in Roman numerals, subtractive (`IV`) or old style (`IIII`); `None` outside 1 to
/// 3999 (4999 for old style).
pub fn roman(n: i128, old_style: bool) -> Option<String> {
    let limit = if old_style { 4999 } else { 3999 };
    if !(1..=limit).contains(&n) {
        return None;
    }
    let table: &[(i128, &str)] = if old_style {
        &[
            (1000, "M"),
            (500, "D"),
            (100, "C"),
            (50, "L"),
            (10, "X"),
            (5, "V"),
            (1, "I"),
        ]
    } else {
        &[
            (1000, "M"),
            (900, "CM"),
            (500, "D"),
            (400, "CD"),
            (100, "C"),
            (90, "XC"),
            (50, "L"),
            (40, "XL"),
            (10, "X"),
            (9, "IX"),
            (5, "V"),
            (4, "IV"),
            (1, "I"),
        ]
    };
    let mut rest = n;
    let mut text = String::new();
    for (value, letters) in table {
        while rest >= *value {
            text.push_str(letters);
            rest -= value;
        }
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::{cardinal, ordinal, roman};

    #[test]
    fn numbers_in_words_and_roman_numerals() {
        assert_eq!(cardinal(0).as_deref(), Some("zero"));
        assert_eq!(cardinal(42).as_deref(), Some("forty-two"));
        assert_eq!(
            cardinal(-1001).as_deref(),
            Some("negative one thousand one")
        );
        assert_eq!(
            cardinal(1_234_567).as_deref(),
            Some("one million two hundred thirty-four thousand five hundred sixty-seven")
        );
        assert_eq!(ordinal(1).as_deref(), Some("first"));
        assert_eq!(ordinal(42).as_deref(), Some("forty-second"));
        assert_eq!(ordinal(20).as_deref(), Some("twentieth"));
        assert_eq!(ordinal(112).as_deref(), Some("one hundred twelfth"));
        assert_eq!(roman(1994, false).as_deref(), Some("MCMXCIV"));
        assert_eq!(roman(4, true).as_deref(), Some("IIII"));
        assert_eq!(roman(0, false), None);
    }
}
