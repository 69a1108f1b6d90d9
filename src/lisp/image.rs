//! The global image: the heap, the packages, and the well-known symbols everything refers to.
//!
//! Every green thread and every Emacs request shares one image. Global definitions live in
//! symbol cells, so a redefinition is a single cell write that the next call through the
//! name sees.

use std::rc::Rc;

use super::heap::{Heap, HeapExhausted};
use super::lisp_string::{LispString, Text};
use super::object::Object;
use super::package::{PackageId, Packages};
use super::symbol::Symbol;
use super::value::{SymRef, Value};

macro_rules! well_known_symbols {
    ($($field:ident = $package:ident $name:literal),* $(,)?) => {
        /// Symbols the implementation refers to directly.
        #[derive(Debug, Clone, Copy)]
        pub struct WellKnown { $(pub $field: SymRef,)* }

        impl WellKnown {
            /// Every field points at symbol 0 until `intern_all` fills them in.
            fn placeholder() -> WellKnown {
                WellKnown { $($field: SymRef(0),)* }
            }

            fn intern_all(image: &mut Image) -> Result<WellKnown, HeapExhausted> {
                Ok(WellKnown { $($field: {
                    let package = image.packages_for_boot().$package;
                    let sym = image.intern(&$name, package)?;
                    image.packages.export(package, Rc::from($name));
                    sym
                },)* })
            }
        }
    };
}

well_known_symbols! {
    t = cl "T",
    nil = cl "NIL",
    quote = cl "QUOTE",
    function = cl "FUNCTION",
    if_ = cl "IF",
    progn = cl "PROGN",
    let_ = cl "LET",
    let_star = cl "LET*",
    lambda = cl "LAMBDA",
    setq = cl "SETQ",
    block = cl "BLOCK",
    catch = cl "CATCH",
    throw = cl "THROW",
    unwind_protect = cl "UNWIND-PROTECT",
    tagbody = cl "TAGBODY",
    go = cl "GO",
    return_from = cl "RETURN-FROM",
    defun = cl "DEFUN",
    destructuring_bind = cl "DESTRUCTURING-BIND",
    defmacro = cl "DEFMACRO",
    defvar = cl "DEFVAR",
    defparameter = cl "DEFPARAMETER",
    defconstant = cl "DEFCONSTANT",
    flet = cl "FLET",
    labels = cl "LABELS",
    macrolet = cl "MACROLET",
    symbol_macrolet = cl "SYMBOL-MACROLET",
    declare = cl "DECLARE",
    special = cl "SPECIAL",
    locally = cl "LOCALLY",
    eval_when = cl "EVAL-WHEN",
    the = cl "THE",
    multiple_value_list = cl "MULTIPLE-VALUE-LIST",
    multiple_value_prog1 = cl "MULTIPLE-VALUE-PROG1",
    and_ = cl "AND",
    or_ = cl "OR",
    not_ = cl "NOT",
    optional = cl "&OPTIONAL",
    rest = cl "&REST",
    key = cl "&KEY",
    allow_other_keys = cl "&ALLOW-OTHER-KEYS",
    aux = cl "&AUX",
    body = cl "&BODY",
    whole = cl "&WHOLE",
    environment = cl "&ENVIRONMENT",
    plus = cl "+",
    minus = cl "-",
    less = cl "<",
    greater = cl ">",
    less_equal = cl "<=",
    greater_equal = cl ">=",
    num_equal = cl "=",
    one_plus = cl "1+",
    one_minus = cl "1-",
    car = cl "CAR",
    cdr = cl "CDR",
    cons = cl "CONS",
    eq = cl "EQ",
    length = cl "LENGTH",
    string = cl "STRING",
    simple_string = cl "SIMPLE-STRING",
    base_string = cl "BASE-STRING",
    null = cl "NULL",
    star = cl "*",
    star2 = cl "**",
    star3 = cl "***",
    standard_output = cl "*STANDARD-OUTPUT*",
    error_output = cl "*ERROR-OUTPUT*",
    standard_input = cl "*STANDARD-INPUT*",
    trace_output = cl "*TRACE-OUTPUT*",
    terminal_io = cl "*TERMINAL-IO*",
    query_io = cl "*QUERY-IO*",
    debug_io = cl "*DEBUG-IO*",
    random_state = cl "*RANDOM-STATE*",
    default_pathname_defaults = cl "*DEFAULT-PATHNAME-DEFAULTS*",
    load_pathname = cl "*LOAD-PATHNAME*",
    load_truename = cl "*LOAD-TRUENAME*",
    package_var = cl "*PACKAGE*",
    print_base = cl "*PRINT-BASE*",
    print_radix = cl "*PRINT-RADIX*",
    print_escape = cl "*PRINT-ESCAPE*",
    print_readably = cl "*PRINT-READABLY*",
    print_length = cl "*PRINT-LENGTH*",
    error = cl "ERROR",
    cerror = cl "CERROR",
    invoke_debugger = cl "INVOKE-DEBUGGER",
    print_level = cl "*PRINT-LEVEL*",
    print_case = cl "*PRINT-CASE*",
    print_pretty = cl "*PRINT-PRETTY*",
    print_circle = cl "*PRINT-CIRCLE*",
    print_right_margin = cl "*PRINT-RIGHT-MARGIN*",
    print_miser_width = cl "*PRINT-MISER-WIDTH*",
    print_lines = cl "*PRINT-LINES*",
    print_array = cl "*PRINT-ARRAY*",
    print_gensym = cl "*PRINT-GENSYM*",
    print_pprint_dispatch = cl "*PRINT-PPRINT-DISPATCH*",
    read_base = cl "*READ-BASE*",
    read_eval = cl "*READ-EVAL*",
    features = cl "*FEATURES*",
    quasiquote = swankd "QUASIQUOTE",
    unquote = swankd "UNQUOTE",
    unquote_splicing = swankd "UNQUOTE-SPLICING",
    source_origin = swankd "*SOURCE-ORIGIN*",
    form_start = swankd "*FORM-START*",
    built_in_classes = swankd "*BUILT-IN-CLASSES*",
    class_property = swankd "%CLASS",
    class_epoch = swankd "*CLASS-EPOCH*",
    generic_function_code = swankd "%GENERIC-FUNCTION",
    format_error = swankd "FORMAT-ERROR",
    print_object_to_string = swankd "%PRINT-OBJECT-TO-STRING",
    gf_call_slow = swankd "%GF-CALL-SLOW",
    slot_value_slow = swankd "%SLOT-VALUE-SLOW",
    set_slot_value_slow = swankd "%SET-SLOT-VALUE-SLOW",
    print_object_for_structures = swankd "*PRINT-OBJECT-FOR-STRUCTURES*",
    lazy_report = swankd "%LAZY-REPORT",
    named_lambda = swankd "NAMED-LAMBDA",
    loop_forever = swankd "%LOOP",
    upcase = keyword "UPCASE",
    downcase = keyword "DOWNCASE",
    capitalize = keyword "CAPITALIZE",
    allow_other_keys_kw = keyword "ALLOW-OTHER-KEYS",
}

/// The packages created at boot.
#[derive(Debug, Clone, Copy)]
pub struct BootPackages {
    pub cl: PackageId,
    pub cl_user: PackageId,
    pub keyword: PackageId,
    pub swank: PackageId,
    pub swank_repl: PackageId,
    pub swankd: PackageId,
}

#[derive(Debug)]
pub struct Image {
    pub heap: Heap,
    pub packages: Packages,
    pub pkg: BootPackages,
    pub sym: WellKnown,
    gensym_counter: u64,
    /// What `PRINT-OBJECT` methods printed for the instances inside the value being
    /// printed, by instance and `*PRINT-ESCAPE*` (see `print_object.rs`).
    pub printed_instances: std::collections::HashMap<
        (super::value::ObjRef, bool),
        super::print_object::PrintedInstance,
    >,
    /// The one Lisp object for each package, so that `EQ` compares packages.
    package_objects: std::collections::HashMap<PackageId, Value>,
}

impl Image {
    /// Creates the boot packages and well-known symbols.
    pub fn new(heap_limit: usize) -> Result<Image, HeapExhausted> {
        let mut packages = Packages::default();
        let cl = packages.create("COMMON-LISP", &["CL"]);
        let keyword = packages.create("KEYWORD", &[]);
        let cl_user = packages.create("COMMON-LISP-USER", &["CL-USER"]);
        let swankd = packages.create("SWANKD", &[]);
        let swank = packages.create("SWANK", &[]);
        let swank_repl = packages.create("SWANK-REPL", &[]);
        for user in [cl_user, swankd, swank, swank_repl] {
            packages.use_package(user, cl);
        }
        packages.use_package(swank_repl, swank);
        let pkg = BootPackages {
            cl,
            cl_user,
            keyword,
            swank,
            swank_repl,
            swankd,
        };
        let mut image = Image {
            heap: Heap::new(heap_limit),
            packages,
            pkg,
            sym: WellKnown::placeholder(),
            gensym_counter: 1,
            printed_instances: Default::default(),
            package_objects: Default::default(),
        };
        image.sym = WellKnown::intern_all(&mut image)?;
        super::cl_symbols::intern_standard_symbols(&mut image)?;
        let (nil, t) = (image.sym.nil, image.sym.t);
        for constant in [nil, t] {
            if let Some(symbol) = image.heap.symbol_mut(constant) {
                symbol.constant = true;
                symbol.special = true;
            }
        }
        if let Some(symbol) = image.heap.symbol_mut(t) {
            symbol.value = Value::Symbol(t);
        }
        if let Some(symbol) = image.heap.symbol_mut(nil) {
            symbol.value = Value::Nil;
        }
        Ok(image)
    }

    fn packages_for_boot(&self) -> BootPackages {
        self.pkg
    }

    /// `INTERN`: the symbol named `name` accessible in `package`, created if needed.
    /// Symbols in KEYWORD are external, constant and bound to themselves.
    pub fn intern(&mut self, name: &str, package: PackageId) -> Result<SymRef, HeapExhausted> {
        if let Some((sym, _)) = self.packages.find_symbol(package, name) {
            return Ok(sym);
        }
        let name: Rc<str> = Rc::from(name);
        let sym = self
            .heap
            .alloc_symbol(Symbol::new(name.clone(), Some(package)))?;
        self.packages.add_present(package, name.clone(), sym);
        if package == self.pkg.keyword {
            self.packages.export(package, name);
            if let Some(symbol) = self.heap.symbol_mut(sym) {
                symbol.value = Value::Symbol(sym);
                symbol.constant = true;
                symbol.special = true;
            }
        }
        Ok(sym)
    }

    /// The symbol that holds the function named `(SETF name)`: a symbol of SWANKD named
    /// `(SETF PACKAGE::NAME)`, the same one for the same `name`.
    pub fn setf_function_symbol(&mut self, name: SymRef) -> Result<SymRef, HeapExhausted> {
        let symbol = self.heap.symbol(name);
        let package = match symbol.package {
            Some(id) => self.packages.get(id).name.clone(),
            None => "#".to_string(),
        };
        let text = format!("(SETF {package}::{})", symbol.name);
        let swankd = self.pkg.swankd;
        self.intern(&text, swankd)
    }

    /// The Lisp object standing for package `id` (always the same one).
    pub fn package_object(&mut self, id: PackageId) -> Result<Value, HeapExhausted> {
        if let Some(object) = self.package_objects.get(&id) {
            return Ok(*object);
        }
        let object = self.heap.alloc(super::object::Object::Package(id))?;
        self.package_objects.insert(id, object);
        Ok(object)
    }

    /// The package objects made so far: garbage-collection roots.
    pub fn package_objects(&self) -> Vec<Value> {
        self.package_objects.values().copied().collect()
    }

    pub fn keyword(&mut self, name: &str) -> Result<SymRef, HeapExhausted> {
        let keyword = self.pkg.keyword;
        self.intern(name, keyword)
    }

    /// A fresh uninterned symbol.
    pub fn make_symbol(&mut self, name: &str) -> Result<SymRef, HeapExhausted> {
        self.heap.alloc_symbol(Symbol::new(Rc::from(name), None))
    }

    pub fn gensym(&mut self, prefix: &str) -> Result<SymRef, HeapExhausted> {
        let name = format!("{prefix}{}", self.gensym_counter);
        self.gensym_counter += 1;
        self.make_symbol(&name)
    }

    pub fn symbol_name(&self, sym: SymRef) -> Rc<str> {
        self.heap.symbol(sym).name.clone()
    }

    pub fn is_keyword(&self, sym: SymRef) -> bool {
        self.heap.symbol(sym).package == Some(self.pkg.keyword)
    }

    /// The symbol for a value that is a symbol, counting NIL.
    pub fn as_symbol(&self, value: Value) -> Option<SymRef> {
        match value {
            Value::Symbol(s) => Some(s),
            Value::Nil => Some(self.sym.nil),
            _ => None,
        }
    }

    /// The value that represents a symbol (NIL is `Value::Nil`).
    pub fn symbol_value_of(&self, sym: SymRef) -> Value {
        if sym == self.sym.nil {
            Value::Nil
        } else {
            Value::Symbol(sym)
        }
    }

    pub fn t(&self) -> Value {
        Value::Symbol(self.sym.t)
    }

    pub fn boolean(&self, b: bool) -> Value {
        if b { self.t() } else { Value::Nil }
    }

    pub fn cons(&mut self, car: Value, cdr: Value) -> Result<Value, HeapExhausted> {
        self.heap.cons(car, cdr)
    }

    /// CAR of a list value; `None` if the value is not a list.
    pub fn car(&self, value: Value) -> Option<Value> {
        match value {
            Value::Nil => Some(Value::Nil),
            Value::Cons(r) => Some(self.heap.car_cdr(r).0),
            _ => None,
        }
    }

    pub fn cdr(&self, value: Value) -> Option<Value> {
        match value {
            Value::Nil => Some(Value::Nil),
            Value::Cons(r) => Some(self.heap.car_cdr(r).1),
            _ => None,
        }
    }

    /// Builds a proper list.
    pub fn list(&mut self, items: &[Value]) -> Result<Value, HeapExhausted> {
        self.list_with_tail(items, Value::Nil)
    }

    pub fn list_with_tail(&mut self, items: &[Value], tail: Value) -> Result<Value, HeapExhausted> {
        let mut result = tail;
        for item in items.iter().rev() {
            result = self.heap.cons(*item, result)?;
        }
        Ok(result)
    }

    /// The elements of a proper list, or `None` for a dotted or circular list.
    pub fn list_to_vec(&self, list: Value) -> Option<Vec<Value>> {
        let mut items = Vec::new();
        self.walk_proper_list(list, |item| items.push(item))?;
        Some(items)
    }

    /// Shows each element of a proper list to `visit` and returns how many there were, or
    /// `None` once the list proves dotted or circular (some elements may have been shown).
    pub fn walk_proper_list(&self, list: Value, mut visit: impl FnMut(Value)) -> Option<usize> {
        let mut length = 0usize;
        let mut rest = list;
        // Moves at half speed: meeting it means a cycle, found before memory runs out.
        let mut slow = list;
        loop {
            match rest {
                Value::Nil => return Some(length),
                Value::Cons(r) => {
                    let (car, cdr) = self.heap.car_cdr(r);
                    visit(car);
                    length += 1;
                    rest = cdr;
                    if length % 2 == 0
                        && let Value::Cons(s) = slow
                    {
                        slow = self.heap.car_cdr(s).1;
                    }
                    if matches!((rest, slow), (Value::Cons(fast), Value::Cons(slow)) if fast == slow)
                    {
                        return None;
                    }
                }
                _ => return None,
            }
        }
    }

    pub fn string(&mut self, text: impl Into<Text>) -> Result<Value, HeapExhausted> {
        self.heap.alloc(Object::String(LispString::new(text)))
    }

    /// The text of a string value.
    pub fn as_str(&self, value: Value) -> Option<&str> {
        match value {
            Value::Object(r) => match self.heap.object(r) {
                Some(Object::String(s)) => Some(s.as_str()),
                _ => None,
            },
            _ => None,
        }
    }

    /// The text of any string: a simple string or one with a fill pointer (its active part).
    pub fn string_text(&self, value: Value) -> Option<String> {
        match self.object(value)? {
            Object::String(s) => Some(s.as_str().to_string()),
            Object::Vector(vector) => vector.text(),
            _ => None,
        }
    }

    pub fn object(&self, value: Value) -> Option<&Object> {
        match value {
            Value::Object(r) => self.heap.object(r),
            _ => None,
        }
    }

    pub fn object_mut(&mut self, value: Value) -> Option<&mut Object> {
        match value {
            Value::Object(r) => self.heap.object_mut(r),
            _ => None,
        }
    }
}
