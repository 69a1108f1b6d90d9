//! Printing Lisp values the way Common Lisp's `PRIN1` and `PRINC` do.
//!
//! Number and character syntax comes from `printer` (pure functions checked against SBCL);
//! this module walks heap structure and decides symbol qualification and escaping. With
//! `*PRINT-PRETTY*`, lists, vectors and structures print as logical blocks
//! ([`pretty_lists`], [`pretty_dispatch`], [`pretty_forms`]) that `printer::pretty` breaks
//! into lines.

mod pretty_dispatch;
mod pretty_forms;
mod pretty_lists;
mod unreadable_arrays;

use super::image::Image;
use super::object::{Object, StructObject};
use super::package::PackageId;
use super::print_circle::{Labels, Mark};
use super::print_object::PrintedInstance;
use super::printer;
use super::printer::pretty::{Document, LineSettings, lay_out};
use super::value::{ObjRef, SymRef, Value};

/// `*PRINT-CASE*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintCase {
    Upcase,
    Downcase,
    Capitalize,
}

/// The printer variables that affect output.
#[derive(Debug, Clone)]
pub struct PrintOptions {
    pub escape: bool,
    pub readably: bool,
    pub base: u32,
    pub radix: bool,
    pub case: PrintCase,
    pub length: Option<usize>,
    pub level: Option<usize>,
    /// `*PACKAGE*`: symbols accessible here print without a prefix.
    pub package: Option<PackageId>,
    /// Hard cap on output size, so circular structure cannot print forever.
    pub max_chars: usize,
    /// `*PRINT-CIRCLE*`: label shared and circular structure with `#n=` / `#n#`.
    pub circle: bool,
    /// With `*PRINT-PRETTY*`: the margins and start column to break lines for.
    pub pretty: Option<LineSettings>,
    /// `*PRINT-ARRAY*`: vectors and arrays other than strings print their elements.
    pub array: bool,
    /// `*PRINT-GENSYM*`: uninterned symbols print with `#:` when escaping.
    pub gensym: bool,
}

impl PrintOptions {
    pub fn prin1(package: Option<PackageId>) -> Self {
        PrintOptions {
            escape: true,
            readably: false,
            base: 10,
            radix: false,
            case: PrintCase::Upcase,
            length: None,
            level: None,
            package,
            max_chars: 16 << 20,
            circle: false,
            pretty: None,
            array: true,
            gensym: true,
        }
    }

    pub fn princ(package: Option<PackageId>) -> Self {
        PrintOptions {
            escape: false,
            ..PrintOptions::prin1(package)
        }
    }
}

/// `PRIN1-TO-STRING` with default printer settings in CL-USER.
pub fn prin1_to_string(image: &Image, value: Value) -> String {
    let options = PrintOptions::prin1(Some(image.pkg.cl_user));
    print_to_string(image, value, &options)
}

pub fn princ_to_string(image: &Image, value: Value) -> String {
    let options = PrintOptions::princ(Some(image.pkg.cl_user));
    print_to_string(image, value, &options)
}

pub fn print_to_string(image: &Image, value: Value, options: &PrintOptions) -> String {
    match &options.pretty {
        Some(settings) => {
            let document = print_to_document(image, value, options);
            match document.only_text() {
                Some(text) => text.to_string(),
                None => lay_out(&document, settings),
            }
        }
        None => {
            let mut printer = Printer::new(image, options, value, None);
            printer.value(value, 0);
            printer.out
        }
    }
}

/// `value` printed as the pretty printer prints it, not yet broken into lines.
pub fn print_to_document(image: &Image, value: Value, options: &PrintOptions) -> Document {
    let mut printer = Printer::new(image, options, value, Some(Document::new()));
    printer.value(value, 0);
    let mut document = printer.document.unwrap_or_default();
    document.text(&printer.out);
    document.end_all_blocks();
    document
}

struct Printer<'a> {
    image: &'a Image,
    options: &'a PrintOptions,
    out: String,
    /// With `*PRINT-CIRCLE*`: the shared structure of the value being printed.
    labels: Option<Labels>,
    /// With `*PRINT-PRETTY*`: the blocks and newlines so far; `out` holds the text after them.
    document: Option<Document>,
    /// How much text has moved from `out` to `document`.
    flushed: usize,
    /// How many DECLARE forms the value being printed is inside.
    inside_declarations: usize,
    /// How many `'X`-style shorthands the value being printed is inside.
    quotes_open: usize,
}

const MAX_PRINT_DEPTH: usize = 10_000;
/// Nested deeper than this, pretty output continues on one line: every level's lines are
/// indented further, so laying out deeper structure (a vector containing itself) would
/// print quadratically many spaces.
const MAX_PRETTY_DEPTH: usize = 200;

impl<'a> Printer<'a> {
    fn new(
        image: &'a Image,
        options: &'a PrintOptions,
        value: Value,
        document: Option<Document>,
    ) -> Printer<'a> {
        Printer {
            image,
            options,
            out: String::new(),
            labels: options.circle.then(|| Labels::find(image, value)),
            document,
            flushed: 0,
            inside_declarations: 0,
            quotes_open: 0,
        }
    }
}

impl Printer<'_> {
    /// Whether a list, vector or structure at `depth` prints as a logical block.
    fn lays_out(&self, depth: usize) -> bool {
        self.document.is_some() && depth < MAX_PRETTY_DEPTH
    }

    fn full(&self) -> bool {
        self.out.len() + self.flushed >= self.options.max_chars
    }

    /// What every value printed goes through first: false when nothing more is to be
    /// printed for it (the output is full, too deep, or it was a `#n#` reference).
    fn start_value(&mut self, value: Value, depth: usize) -> bool {
        if self.full() {
            return false;
        }
        // Every nested kind (lists, vectors, structures, quote shorthand...) recurses through
        // here, so this one check bounds the native stack whatever the data's shape, a vector
        // containing itself included.
        if depth >= MAX_PRINT_DEPTH && matches!(value, Value::Cons(_) | Value::Object(_)) {
            self.out.push_str("...");
            return false;
        }
        if let Some(labels) = self.labels.as_mut() {
            match labels.mark(value) {
                Mark::Plain => {}
                Mark::Reference(n) => {
                    self.out.push_str(&format!("#{n}#"));
                    return false;
                }
                Mark::Define(n) => self.out.push_str(&format!("#{n}=")),
            }
        }
        true
    }

    fn value(&mut self, value: Value, depth: usize) {
        if !self.start_value(value, depth) {
            return;
        }
        match value {
            Value::Nil => self.symbol_name_only("NIL", false),
            Value::Fixnum(n) if self.options.base == 10 && !self.options.radix => {
                self.out.push_str(&n.to_string());
            }
            Value::Fixnum(n) => {
                let text = printer::format_fixnum(n, self.options.base, self.options.radix);
                self.out.push_str(&text);
            }
            Value::Char(c) => {
                if self.options.escape {
                    self.out.push_str(&printer::format_char_readably(c));
                } else {
                    self.out.push(c);
                }
            }
            Value::Single(f) => self.out.push_str(&printer::format_single(f)),
            Value::Double(f) => self.out.push_str(&printer::format_double(f)),
            Value::Symbol(sym) => self.symbol(sym),
            Value::Cons(_) if self.lays_out(depth) => self.pretty_list(value, depth),
            Value::Cons(_) => self.list(value, depth),
            Value::Object(_) => self.object(value, depth),
            Value::Unbound => self.out.push_str("#<unbound>"),
        }
    }

    fn symbol(&mut self, sym: SymRef) {
        let image = self.image;
        let symbol = image.heap.symbol(sym);
        let name = symbol.name.clone();
        if !self.options.escape {
            self.cased(&name);
            return;
        }
        match symbol.package {
            None if self.options.gensym || self.options.readably => self.out.push_str("#:"),
            None => {}
            Some(home) if home == image.pkg.keyword => self.out.push(':'),
            Some(home) => {
                let accessible = self
                    .options
                    .package
                    .and_then(|current| image.packages.find_symbol(current, &name))
                    .is_some_and(|(found, _)| found == sym);
                if !accessible {
                    let package = image.packages.get(home);
                    self.symbol_name_only(&package.name.clone(), true);
                    let external = image.packages.find_external(home, &name) == Some(sym);
                    self.out.push_str(if external { ":" } else { "::" });
                }
            }
        }
        self.symbol_name_only(&name, true);
    }

    fn symbol_name_only(&mut self, name: &str, escape_allowed: bool) {
        if self.options.escape && escape_allowed && needs_escape(name, self.options.base) {
            self.out.push('|');
            for c in name.chars() {
                if c == '|' || c == '\\' {
                    self.out.push('\\');
                }
                self.out.push(c);
            }
            self.out.push('|');
        } else {
            self.cased(name);
        }
    }

    fn cased(&mut self, name: &str) {
        match self.options.case {
            PrintCase::Upcase => self.out.push_str(name),
            PrintCase::Downcase => self.out.push_str(&name.to_lowercase()),
            PrintCase::Capitalize => {
                let mut start = true;
                for c in name.chars() {
                    if c.is_alphanumeric() {
                        if start {
                            self.out.extend(c.to_uppercase());
                        } else {
                            self.out.extend(c.to_lowercase());
                        }
                        start = false;
                    } else {
                        self.out.push(c);
                        start = true;
                    }
                }
            }
        }
    }

    fn list(&mut self, value: Value, depth: usize) {
        if let Some(level) = self.options.level
            && depth >= level
        {
            self.out.push('#');
            return;
        }
        if self.quote_shorthand(value, depth) {
            return;
        }
        self.out.push('(');
        let mut rest = value;
        let mut count = 0usize;
        while let Value::Cons(r) = rest {
            if self.full() {
                break;
            }
            if count > 0 {
                self.out.push(' ');
            }
            if self.options.length.is_some_and(|length| count >= length) {
                self.out.push_str("...");
                rest = Value::Nil;
                break;
            }
            let (car, cdr) = self.image.heap.car_cdr(r);
            self.value(car, depth + 1);
            count += 1;
            rest = cdr;
            if self.labels.as_ref().is_some_and(|l| l.is_shared(rest)) || self.is_unquote(rest) {
                break;
            }
        }
        if !rest.is_nil() {
            self.out.push_str(" . ");
            self.value(rest, depth + 1);
        }
        self.out.push(')');
    }

    /// `#S(NAME :SLOT VALUE ...)`, as CL prints structure instances.
    /// A stream's printed form, SBCL's for the composite streams.
    fn stream(&mut self, stream: &super::stream::Stream, r: ObjRef, depth: usize) {
        match stream {
            super::stream::Stream::Socket(socket) => {
                let peer = socket
                    .port
                    .peer_address()
                    .map_or_else(|| "unconnected".to_string(), |peer| peer.to_string());
                let state = if socket.closed { " closed" } else { "" };
                self.out
                    .push_str(&format!("#<SOCKET-STREAM {peer}{state} {{{:X}}}>", r.0))
            }
            super::stream::Stream::TwoWay { input, output } => {
                self.out.push_str("#<TWO-WAY-STREAM :INPUT-STREAM ");
                self.value(*input, depth + 1);
                self.out.push_str(" :OUTPUT-STREAM ");
                self.value(*output, depth + 1);
                self.out.push('>');
            }
            super::stream::Stream::Synonym { symbol } => {
                self.out.push_str("#<SYNONYM-STREAM :SYMBOL ");
                self.value(Value::Symbol(*symbol), depth + 1);
                self.out.push_str(&format!(" {{{:X}}}>", r.0));
            }
            super::stream::Stream::Broadcast { .. } => self
                .out
                .push_str(&format!("#<BROADCAST-STREAM {{{:X}}}>", r.0)),
            super::stream::Stream::Concatenated { streams, .. } => {
                self.out.push_str("#<CONCATENATED-STREAM :STREAMS ");
                if streams.is_empty() {
                    self.out.push_str("NIL");
                } else {
                    self.out.push('(');
                    for (index, stream) in streams.iter().enumerate() {
                        if index > 0 {
                            self.out.push(' ');
                        }
                        self.value(*stream, depth + 1);
                    }
                    self.out.push(')');
                }
                self.out.push_str(&format!(" {{{:X}}}>", r.0));
            }
            super::stream::Stream::Echo { input, output, .. } => {
                self.out.push_str("#<ECHO-STREAM :INPUT-STREAM ");
                self.value(*input, depth + 1);
                self.out.push_str(" :OUTPUT-STREAM ");
                self.value(*output, depth + 1);
                self.out.push_str(&format!(" {{{:X}}}>", r.0));
            }
            _ => self.out.push_str(&format!("#<STREAM {{{:X}}}>", r.0)),
        }
    }

    fn structure(&mut self, instance: &StructObject, depth: usize) {
        if let Some(level) = self.options.level
            && depth >= level
        {
            self.out.push('#');
            return;
        }
        let layout = self.image.list_to_vec(instance.layout).unwrap_or_default();
        self.out.push_str("#S(");
        if let Some(name) = layout.first() {
            self.value(*name, depth + 1);
        }
        for (index, (slot, value)) in layout.iter().skip(2).zip(&instance.slots).enumerate() {
            if self.options.length.is_some_and(|length| index >= length) {
                self.out.push_str(" ...");
                break;
            }
            if let Value::Symbol(name) = slot {
                let name = self.image.symbol_name(*name);
                self.out.push_str(" :");
                self.symbol_name_only(&name, true);
            }
            self.out.push(' ');
            self.value(*value, depth + 1);
            if self.full() {
                break;
            }
        }
        self.out.push(')');
    }

    /// Whether `value` is `(UNQUOTE X)`, which as a list's tail prints `. ,X`.
    fn is_unquote(&self, value: Value) -> bool {
        two_element_list(self.image, value).is_some_and(
            |(head, _)| matches!(head, Value::Symbol(s) if s == self.image.sym.unquote),
        )
    }

    /// `'X`, `#'X`, and backquote syntax for two-element lists headed by those operators.
    fn quote_shorthand(&mut self, value: Value, depth: usize) -> bool {
        self.shorthand(value, depth, self.inside_declarations == 0)
    }

    /// Backquote syntax only, not `'X` or `#'X`.
    fn backquote_shorthand(&mut self, value: Value, depth: usize) -> bool {
        self.shorthand(value, depth, false)
    }

    fn shorthand(&mut self, value: Value, depth: usize, quotes: bool) -> bool {
        let Some(items) = two_element_list(self.image, value) else {
            return false;
        };
        let s = &self.image.sym;
        let Value::Symbol(head) = items.0 else {
            return false;
        };
        let prefix = if !quotes && (head == s.quote || head == s.function) {
            return false;
        } else if head == s.quote {
            "'"
        } else if head == s.function {
            "#'"
        } else if head == s.quasiquote {
            "`"
        } else if head == s.unquote {
            ","
        } else if head == s.unquote_splicing {
            ",@"
        } else {
            return false;
        };
        self.out.push_str(prefix);
        let start = self.out.len();
        let flushed = self.flushed;
        self.quotes_open += 1;
        self.value(items.1, depth + 1);
        self.quotes_open = self.quotes_open.saturating_sub(1);
        // `,` before something printed with a leading `@` or `.` would read as `,@` or `,.`.
        // (Only atoms can start so, and they print without moving text to the document.)
        if prefix == ","
            && flushed == self.flushed
            && matches!(self.out.as_bytes().get(start), Some(b'@' | b'.'))
        {
            self.out.insert(start, ' ');
        }
        true
    }

    /// The nested lists of `#nA` syntax for `items` laid out by `dimensions`.
    fn array_contents(&mut self, dimensions: &[usize], items: &[Value], depth: usize) {
        let Some((size, inner)) = dimensions.split_first() else {
            if let Some(item) = items.first() {
                self.value(*item, depth + 1);
            }
            return;
        };
        let stride: usize = inner.iter().product();
        self.out.push('(');
        for index in 0..*size {
            if index > 0 {
                self.out.push(' ');
            }
            if self.options.length.is_some_and(|length| index >= length) {
                self.out.push_str("...");
                break;
            }
            let part = items
                .get(index * stride..(index + 1) * stride)
                .unwrap_or_default();
            self.array_contents(inner, part, depth + 1);
            if self.full() {
                break;
            }
        }
        self.out.push(')');
    }

    fn string(&mut self, s: &str) {
        if self.options.escape {
            self.out.push('"');
            for c in s.chars() {
                if c == '"' || c == '\\' {
                    self.out.push('\\');
                }
                self.out.push(c);
            }
            self.out.push('"');
        } else {
            self.out.push_str(s);
        }
    }

    fn object(&mut self, value: Value, depth: usize) {
        let Value::Object(r) = value else { return };
        if let Some(printed) = self.image.printed_instances.get(&(r, self.options.escape)) {
            match printed {
                PrintedInstance::Text(text) => self.out.push_str(text),
                PrintedInstance::Pretty(printed) => self.append_printed(printed),
            }
            return;
        }
        let Some(object) = self.image.heap.object(r) else {
            self.out.push_str("#<freed object>");
            return;
        };
        match object {
            Object::String(s) => self.string(s.as_str()),
            Object::Vector(vector) if vector.characters => {
                self.string(&vector.text().unwrap_or_default());
            }
            Object::Bignum(n) => {
                let text = printer::format_integer(n, self.options.base, self.options.radix);
                self.out.push_str(&text);
            }
            Object::Ratio(q) => {
                let text = printer::format_ratio(q, self.options.base, self.options.radix);
                self.out.push_str(&text);
            }
            Object::Vector(vector) if self.arrays_unreadable() => {
                self.unreadable_vector(vector, r);
            }
            Object::Vector(vector) if self.lays_out(depth) => {
                self.pretty_vector(vector.active(), depth);
            }
            Object::Vector(vector) => {
                if let Some(level) = self.options.level
                    && depth >= level
                {
                    self.out.push('#');
                    return;
                }
                self.out.push_str("#(");
                for (index, item) in vector.active().iter().enumerate() {
                    if index > 0 {
                        self.out.push(' ');
                    }
                    if self.options.length.is_some_and(|length| index >= length) {
                        self.out.push_str("...");
                        break;
                    }
                    self.value(*item, depth + 1);
                    if self.full() {
                        break;
                    }
                }
                self.out.push(')');
            }
            Object::Array(array) if self.arrays_unreadable() => {
                self.unreadable_array(&array.dimensions, r);
            }
            Object::Array(array) if self.lays_out(depth) => {
                self.pretty_array(&array.dimensions, &array.items, depth)
            }
            Object::Array(array) => {
                if let Some(level) = self.options.level
                    && depth >= level
                {
                    self.out.push('#');
                    return;
                }
                self.out.push_str(&format!("#{}A", array.dimensions.len()));
                self.array_contents(&array.dimensions, &array.items, depth);
            }
            Object::HashTable(table) => {
                let test = format!("{:?}", table.test).to_uppercase();
                self.out.push_str(&format!(
                    "#<HASH-TABLE :TEST {test} :COUNT {} {{{:X}}}>",
                    table.len(),
                    r.0
                ));
            }
            Object::Closure(closure) => {
                self.out.push_str("#<FUNCTION ");
                let name = closure.proto.name;
                if name.is_nil() {
                    self.out.push_str("(LAMBDA ())");
                } else {
                    self.value(name, depth + 1);
                }
                self.out.push('>');
            }
            Object::Builtin(builtin) => {
                self.out.push_str("#<FUNCTION ");
                self.symbol(builtin.name);
                self.out.push('>');
            }
            Object::Cell(inner) => {
                self.out.push_str("#<CELL ");
                self.value(*inner, depth + 1);
                self.out.push('>');
            }
            Object::Package(id) => {
                let name = self.image.packages.get(*id).name.clone();
                self.out.push_str(&format!("#<PACKAGE \"{name}\">"));
            }
            Object::Condition(condition) if !self.options.escape => {
                self.out.push_str(&condition.message);
            }
            Object::Condition(condition) => {
                let type_name = self.image.symbol_name(condition.type_name);
                self.out.push_str(&format!("#<{type_name} {{{:X}}}>", r.0));
            }
            Object::Stream(stream) => self.stream(stream.as_made(), r, depth),
            Object::Struct(instance) if self.lays_out(depth) => {
                self.pretty_structure(instance, depth)
            }
            Object::Struct(instance) => self.structure(instance, depth),
            Object::Instance(instance) => {
                let name = match self.image.heap.object(match instance.class {
                    Value::Object(c) => c,
                    _ => r,
                }) {
                    Some(Object::Instance(class)) => class.slots.first().copied(),
                    _ => None,
                };
                self.out.push_str("#<");
                match name {
                    Some(name @ Value::Symbol(_)) => self.value(name, depth + 1),
                    _ => self.out.push_str("INSTANCE"),
                }
                self.out
                    .push_str(&format!(" {{{:X}}}>", 0x1000000000 + r.0 as u64 * 16));
            }
            Object::Thread(thread) => {
                let state = if thread.result.is_some() {
                    "FINISHED"
                } else {
                    "RUNNING"
                };
                self.out.push_str(&format!(
                    "#<THREAD {:?} {state} {{{:X}}}>",
                    thread.name, thread.id
                ))
            }
            Object::Lock(lock) => {
                let state = match lock.owner {
                    Some(owner) => format!("owned by thread {owner:X}"),
                    None => "free".to_string(),
                };
                self.out
                    .push_str(&format!("#<LOCK {:?} {state}>", lock.name))
            }
            Object::ConditionVariable(cv) => self.out.push_str(&format!(
                "#<CONDITION-VARIABLE {:?} {{{:X}}}>",
                cv.name, r.0
            )),
            Object::RandomState(_) => self.out.push_str(&format!("#<RANDOM-STATE {{{:X}}}>", r.0)),
            Object::Pathname(pathname) => {
                if self.options.escape {
                    self.out.push_str("#P");
                }
                self.string(&pathname.namestring());
            }
            Object::Port(port) => {
                use super::object::NetworkPort;
                let unknown = || "closed".to_string();
                let (kind, address) = match port {
                    NetworkPort::Listener(port) => ("SOCKET-LISTENER", port.local_address()),
                    NetworkPort::WebSocket(port) => ("WEBSOCKET", port.peer_address()),
                    NetworkPort::WebSocketEndpoint(port) => {
                        ("WEBSOCKET-ENDPOINT", port.local_address())
                    }
                };
                let address = address.map_or_else(unknown, |address| address.to_string());
                self.out
                    .push_str(&format!("#<{kind} {address} {{{:X}}}>", r.0))
            }
        }
    }
}

fn two_element_list(image: &Image, value: Value) -> Option<(Value, Value)> {
    let Value::Cons(r) = value else { return None };
    let (head, rest) = image.heap.car_cdr(r);
    let Value::Cons(r2) = rest else { return None };
    let (second, tail) = image.heap.car_cdr(r2);
    tail.is_nil().then_some((head, second))
}

/// Whether a symbol name must be written with `|...|` to read back as the same symbol.
fn needs_escape(name: &str, base: u32) -> bool {
    // A leading `#` would read as a dispatching macro character.
    if name.is_empty() || name.starts_with('#') || name.chars().all(|c| c == '.') {
        return true;
    }
    if looks_like_number(name, base) {
        return true;
    }
    name.chars().any(|c| {
        c.is_lowercase()
            || c.is_whitespace()
            || matches!(
                c,
                '(' | ')' | '\'' | '"' | ';' | '`' | ',' | '|' | '\\' | ':'
            )
    })
}

fn looks_like_number(name: &str, base: u32) -> bool {
    let body = name.strip_prefix(['+', '-']).unwrap_or(name);
    if body.is_empty() {
        return false;
    }
    let digits_only = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_digit(base.max(10)));
    if digits_only(body) || digits_only(body.strip_suffix('.').unwrap_or("")) {
        return true;
    }
    if let Some((numerator, denominator)) = body.split_once('/') {
        return digits_only(numerator) && digits_only(denominator);
    }
    // Common Lisp floats may use any of the exponent markers E, S, F, D and L.
    let with_e: String = body
        .chars()
        .map(|c| match c {
            's' | 'S' | 'f' | 'F' | 'd' | 'D' | 'l' | 'L' => 'e',
            c => c,
        })
        .collect();
    with_e.parse::<f64>().is_ok() && body.chars().any(|c| c.is_ascii_digit())
}
