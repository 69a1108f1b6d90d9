//! TEMPORARY minimal reader (replaced by the real one).
use num_bigint::BigInt;
use num_rational::BigRational;

#[derive(Debug, Clone)]
pub enum PackagePrefix {
    Keyword,
    Uninterned,
    External(String),
    Internal(String),
}
#[derive(Debug, Clone)]
pub struct SymbolToken {
    pub package: Option<PackagePrefix>,
    pub name: String,
}
#[derive(Debug, Clone)]
pub enum Datum {
    Integer(BigInt),
    Ratio(BigRational),
    Single(f32),
    Double(f64),
    Char(char),
    String(String),
    Symbol(SymbolToken),
    List {
        items: Vec<Datum>,
        tail: Option<Box<Datum>>,
    },
    Vector(Vec<Datum>),
    ReadEval(Box<Datum>),
    Backquote(Box<Datum>),
    Unquote(Box<Datum>),
    UnquoteSplicing(Box<Datum>),
}
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    pub read_eval: bool,
}
impl ReadOptions {
    pub fn default_with_eval(read_eval: bool) -> Self {
        ReadOptions { read_eval }
    }
}
#[derive(Debug, Clone, thiserror::Error)]
pub enum ReadError {
    #[error("incomplete: {message}")]
    Incomplete { position: usize, message: String },
    #[error("{message}")]
    Malformed { position: usize, message: String },
}
pub fn parse_symbol_token(raw: &str, _o: &ReadOptions) -> Result<Datum, ReadError> {
    token(raw)
}
fn token(raw: &str) -> Result<Datum, ReadError> {
    if let Ok(n) = raw.parse::<BigInt>() {
        return Ok(Datum::Integer(n));
    }
    if raw.contains('.')
        && let Ok(f) = raw.parse::<f32>()
    {
        return Ok(Datum::Single(f));
    }
    let up = raw.to_uppercase();
    if let Some(k) = up.strip_prefix(':') {
        return Ok(Datum::Symbol(SymbolToken {
            package: Some(PackagePrefix::Keyword),
            name: k.into(),
        }));
    }
    if let Some((p, n)) = up.split_once("::") {
        return Ok(Datum::Symbol(SymbolToken {
            package: Some(PackagePrefix::Internal(p.into())),
            name: n.into(),
        }));
    }
    if let Some((p, n)) = up.split_once(':') {
        return Ok(Datum::Symbol(SymbolToken {
            package: Some(PackagePrefix::External(p.into())),
            name: n.into(),
        }));
    }
    Ok(Datum::Symbol(SymbolToken {
        package: None,
        name: up,
    }))
}
pub fn read_one(
    text: &str,
    start: usize,
    o: &ReadOptions,
) -> Result<Option<(Datum, usize)>, ReadError> {
    let b = text.as_bytes();
    let mut i = start;
    loop {
        while i < b.len() && (b[i] as char).is_whitespace() {
            i += 1;
        }
        if i < b.len() && b[i] == b';' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        break;
    }
    if i >= b.len() {
        return Ok(None);
    }
    read_at(text, i, o).map(Some)
}
fn read_at(text: &str, i: usize, o: &ReadOptions) -> Result<(Datum, usize), ReadError> {
    let b = text.as_bytes();
    let inc = |m: &str| ReadError::Incomplete {
        position: i,
        message: m.into(),
    };
    match b[i] {
        b'(' => {
            let mut items = vec![];
            let mut j = i + 1;
            let mut tail = None;
            loop {
                let mut k = j;
                while k < b.len() && ((b[k] as char).is_whitespace()) {
                    k += 1;
                }
                if k >= b.len() {
                    return Err(inc("list"));
                }
                if b[k] == b';' {
                    let mut e = k;
                    while e < b.len() && b[e] != b'\n' {
                        e += 1;
                    }
                    j = e;
                    continue;
                }
                if k < b.len() && b[k] == b')' {
                    return Ok((Datum::List { items, tail }, k + 1));
                }
                if k + 1 < b.len() && b[k] == b'.' && (b[k + 1] as char).is_whitespace() {
                    let (d, e) = read_one(text, k + 1, o)?.ok_or_else(|| inc("dot"))?;
                    tail = Some(Box::new(d));
                    j = e;
                    continue;
                }
                let (d, e) = read_at(text, k, o)?;
                items.push(d);
                j = e;
            }
        }
        b')' => Err(ReadError::Malformed {
            position: i,
            message: "unmatched close parenthesis".into(),
        }),
        b'\'' => {
            let (d, e) = read_one(text, i + 1, o)?.ok_or_else(|| inc("quote"))?;
            Ok((
                Datum::List {
                    items: vec![
                        Datum::Symbol(SymbolToken {
                            package: None,
                            name: "QUOTE".into(),
                        }),
                        d,
                    ],
                    tail: None,
                },
                e,
            ))
        }
        b'`' => {
            let (d, e) = read_one(text, i + 1, o)?.ok_or_else(|| inc("bq"))?;
            Ok((Datum::Backquote(Box::new(d)), e))
        }
        b',' => {
            if b.get(i + 1) == Some(&b'@') {
                let (d, e) = read_one(text, i + 2, o)?.ok_or_else(|| inc("uq"))?;
                Ok((Datum::UnquoteSplicing(Box::new(d)), e))
            } else {
                let (d, e) = read_one(text, i + 1, o)?.ok_or_else(|| inc("uq"))?;
                Ok((Datum::Unquote(Box::new(d)), e))
            }
        }
        b'"' => {
            let mut s = String::new();
            let mut chars = text[i + 1..].char_indices();
            loop {
                match chars.next() {
                    None => return Err(inc("string")),
                    Some((_, '\\')) => {
                        if let Some((_, c)) = chars.next() {
                            s.push(c)
                        }
                    }
                    Some((k, '"')) => return Ok((Datum::String(s), i + 1 + k + 1)),
                    Some((_, c)) => s.push(c),
                }
            }
        }
        b'#' => match b.get(i + 1) {
            Some(b'\'') => {
                let (d, e) = read_one(text, i + 2, o)?.ok_or_else(|| inc("fn"))?;
                Ok((
                    Datum::List {
                        items: vec![
                            Datum::Symbol(SymbolToken {
                                package: None,
                                name: "FUNCTION".into(),
                            }),
                            d,
                        ],
                        tail: None,
                    },
                    e,
                ))
            }
            Some(b'\\') => {
                let rest = &text[i + 2..];
                let mut end = 0;
                for (k, c) in rest.char_indices() {
                    if k > 0 && (c.is_whitespace() || c == ')' || c == '(') {
                        break;
                    }
                    end = k + c.len_utf8();
                }
                let name = &rest[..end];
                let c = if name.chars().count() == 1 {
                    name.chars().next().unwrap_or(' ')
                } else {
                    match name.to_lowercase().as_str() {
                        "space" => ' ',
                        "newline" => '\n',
                        "tab" => '\t',
                        _ => {
                            return Err(ReadError::Malformed {
                                position: i,
                                message: format!("unknown char {name}"),
                            });
                        }
                    }
                };
                Ok((Datum::Char(c), i + 2 + end))
            }
            _ => Err(ReadError::Malformed {
                position: i,
                message: "unsupported #".into(),
            }),
        },
        _ => {
            let mut e = i;
            while e < b.len() && !(b[e] as char).is_whitespace() && !b"()'\";".contains(&b[e]) {
                e += 1;
            }
            Ok((token(&text[i..e])?, e))
        }
    }
}
