//! Turns fuzz input into the text of one Lisp form, by decoding bytes as choices in a small
//! grammar: literals of every type, calls to a fixed list of operators with any arguments,
//! and the special forms and macros around them (binding, control transfer, conditions,
//! loops, recursion, multiple values, printing, mutation).
//!
//! Only side-effect-free operators appear, and a function argument is always `#'op` from the
//! same list or a generated `lambda`, never a computed value: no form can touch files, the
//! network, packages or global definitions, or call an operator outside the list. Forms are
//! bounded in nesting and in size; loops and recursion are bounded by the sandbox's fuel and
//! call depth, not here.

use libfuzzer_sys::arbitrary::Unstructured;

/// Nesting of generated forms.
const MAX_DEPTH: usize = 6;
/// Nodes in one generated form.
const MAX_NODES: usize = 400;

/// Functions called with generated arguments (any number and type: most calls fail with a
/// typed error, which is the point).
const OPERATORS: &[&str] = &[
    "+",
    "-",
    "*",
    "/",
    "=",
    "<",
    ">",
    "<=",
    ">=",
    "/=",
    "1+",
    "1-",
    "min",
    "max",
    "abs",
    "floor",
    "ceiling",
    "truncate",
    "round",
    "ffloor",
    "fround",
    "mod",
    "rem",
    "zerop",
    "plusp",
    "minusp",
    "evenp",
    "oddp",
    "numberp",
    "integerp",
    "rationalp",
    "floatp",
    "realp",
    "expt",
    "sqrt",
    "exp",
    "log",
    "sin",
    "cos",
    "atan",
    "float",
    "rational",
    "gcd",
    "lcm",
    "isqrt",
    "numerator",
    "denominator",
    "signum",
    "ash",
    "logand",
    "logior",
    "logxor",
    "lognot",
    "logbitp",
    "integer-length",
    "logcount",
    "cons",
    "car",
    "cdr",
    "first",
    "rest",
    "second",
    "third",
    "nth",
    "nthcdr",
    "list",
    "list*",
    "append",
    "copy-list",
    "copy-tree",
    "last",
    "butlast",
    "consp",
    "listp",
    "atom",
    "null",
    "not",
    "endp",
    "eq",
    "eql",
    "equal",
    "equalp",
    "getf",
    "length",
    "list-length",
    "reverse",
    "nreverse",
    "elt",
    "subseq",
    "vector",
    "aref",
    "svref",
    "copy-seq",
    "fill",
    "replace",
    "search",
    "mismatch",
    "member",
    "assoc",
    "rassoc",
    "acons",
    "pairlis",
    "adjoin",
    "union",
    "intersection",
    "set-difference",
    "subsetp",
    "remove",
    "remove-duplicates",
    "substitute",
    "find",
    "position",
    "count",
    "subst",
    "sublis",
    "tree-equal",
    "make-list",
    "nconc",
    "revappend",
    "stringp",
    "characterp",
    "string",
    "string=",
    "string-equal",
    "string-upcase",
    "string-downcase",
    "string-capitalize",
    "string-trim",
    "char",
    "schar",
    "char-code",
    "code-char",
    "char-upcase",
    "char-downcase",
    "char=",
    "char/=",
    "alpha-char-p",
    "digit-char-p",
    "digit-char",
    "parse-integer",
    "make-hash-table",
    "gethash",
    "remhash",
    "hash-table-count",
    "sxhash",
    "clrhash",
    "make-array",
    "make-string",
    "vectorp",
    "arrayp",
    "array-dimensions",
    "array-total-size",
    "vector-push",
    "vector-push-extend",
    "vector-pop",
    "fill-pointer",
    "symbolp",
    "keywordp",
    "symbol-name",
    "make-symbol",
    "type-of",
    "values",
    "values-list",
    "identity",
    "prin1-to-string",
    "princ-to-string",
    "write-to-string",
    "make-string-output-stream",
    "get-output-stream-string",
    "make-string-input-stream",
    "read-line",
    "read-char",
    "peek-char",
    "make-condition",
    "constantly",
];

/// Operators a generated function argument may name.
const FUNCTIONS: &[&str] = &[
    "+",
    "-",
    "*",
    "<",
    "=",
    "eql",
    "equal",
    "car",
    "cdr",
    "list",
    "cons",
    "1+",
    "identity",
    "string<",
    "char<",
    "max",
    "length",
    "reverse",
    "evenp",
    "null",
    "values",
    "prin1-to-string",
];

/// Higher-order calls: `{f}` is a function argument, `{a}` a generated form.
const HIGHER_ORDER: &[&str] = &[
    "(mapcar {f} {a})",
    "(mapcar {f} {a} {a})",
    "(mapcan (lambda (x) (list x x)) {a})",
    "(map 'vector {f} {a})",
    "(map 'string #'code-char {a})",
    "(reduce {f} {a})",
    "(reduce {f} {a} :initial-value {a} :from-end t)",
    "(sort (copy-seq {a}) {f})",
    "(stable-sort (copy-seq {a}) {f} :key {f})",
    "(merge 'list {a} {a} {f})",
    "(remove-if {f} {a})",
    "(delete-if-not {f} (copy-seq {a}))",
    "(find-if {f} {a})",
    "(position-if {f} {a} :from-end t)",
    "(count-if {f} {a})",
    "(some {f} {a})",
    "(every {f} {a} {a})",
    "(apply {f} {a})",
    "(apply {f} {a} {a})",
    "(funcall {f} {a})",
    "(funcall {f} {a} {a})",
    "(member {a} {a} :test {f})",
    "(assoc {a} {a} :key {f})",
    "(remove-duplicates {a} :test {f})",
    "(maplist {f} {a})",
    "(let ((h {a}) (acc nil)) (maphash (lambda (k v) (push (cons k v) acc)) h) acc)",
    "(funcall (complement {f}) {a})",
];

/// Format controls: most of FORMAT's directives, with and without modifiers.
const CONTROLS: &[&str] = &[
    "~a",
    "~s",
    "~d",
    "~b",
    "~o",
    "~x",
    "~r",
    "~:r",
    "~@r",
    "~e",
    "~f",
    "~$",
    "~g",
    "~c",
    "~:c",
    "~%",
    "~&",
    "~10a",
    "~10,3f",
    "~5,'0d",
    "~:d",
    "~@d",
    "~{~a~^, ~}",
    "~:{~a~}",
    "~[zero~;one~:;many~]",
    "~:[no~;yes~]",
    "~@[~a~]",
    "~(~a~)",
    "~:@(~a~)",
    "~*~a",
    "~?",
    "~a ~s ~d",
    "~<~a~>",
    "~^~a",
    "~{~}",
    "~10t~a",
    "~v,vd",
    "~#[none~;one~]",
    "~:*~a",
];

/// Literal atoms, boundary values among them.
const ATOMS: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "3",
    "7",
    "10",
    "255",
    "-128",
    "4611686018427387903",
    "-4611686018427387904",
    "4611686018427387904",
    "9223372036854775807",
    "18446744073709551616",
    "-340282366920938463463374607431768211456",
    "1/3",
    "-7/2",
    "0.0",
    "-0.0",
    "1.5",
    "-2.5d0",
    "1.0e38",
    "1.7976931348623157d308",
    "4.9406564584124654d-324",
    "1.0e-45",
    "0.1",
    "\"\"",
    "\"abc\"",
    "\"Hello, World\"",
    "\"☃é\u{1F600}\"",
    "\"a\\\"b\"",
    "\"~a\"",
    "\"12\"",
    "\" -42 \"",
    "#\\a",
    "#\\Z",
    "#\\Space",
    "#\\Newline",
    "#\\0",
    "#\\☃",
    "#\\Nul",
    "nil",
    "t",
    ":key",
    ":test",
    "'sym",
    "'x",
    "'(1 2 3)",
    "'(a . b)",
    "'((a . 1) (b . 2))",
    "'(1 (2 (3)))",
    "'#(1 2 3)",
    "#(\"x\" #\\y)",
    "'(:a 1 :b 2)",
    "(make-hash-table)",
    "(make-hash-table :test #'equal)",
    "(vector 1 \"two\" #\\3)",
    "(make-array 3 :initial-element 0)",
    "(make-array 2 :adjustable t :fill-pointer 0)",
    "(make-string 2 :initial-element #\\q)",
    "(list 1 2 3 4 5)",
    "(make-symbol \"G\")",
    "most-positive-fixnum",
    "most-negative-fixnum",
    "pi",
    "(make-string-output-stream)",
    "(make-string-input-stream \"line one\nline two\")",
];

/// Types for `typep`, `coerce`, `typecase` and `check-type`.
const TYPES: &[&str] = &[
    "integer",
    "fixnum",
    "number",
    "float",
    "double-float",
    "single-float",
    "ratio",
    "string",
    "character",
    "list",
    "cons",
    "vector",
    "simple-vector",
    "sequence",
    "symbol",
    "keyword",
    "hash-table",
    "null",
    "t",
    "(integer 0 10)",
    "(or string null)",
    "(member 1 2)",
    "(and integer (satisfies evenp))",
    "(vector t 3)",
    "array",
    "function",
    "condition",
];

/// Condition types for `handler-case` clauses and `error` calls.
const CONDITIONS: &[&str] = &[
    "error",
    "type-error",
    "simple-error",
    "arithmetic-error",
    "division-by-zero",
    "program-error",
    "control-error",
    "undefined-function",
    "unbound-variable",
    "cell-error",
    "storage-condition",
    "condition",
    "warning",
    "serious-condition",
];

/// Variables the generated binding forms use.
const VARIABLES: &[&str] = &["x", "y", "z", "acc"];

/// Generates one form from `data`. Running out of input ends the form with atoms.
pub fn generate(data: &[u8]) -> String {
    let mut generator = Generator {
        input: Unstructured::new(data),
        out: String::new(),
        nodes: 0,
    };
    generator.form(MAX_DEPTH);
    generator.out
}

struct Generator<'a> {
    input: Unstructured<'a>,
    out: String,
    nodes: usize,
}

impl Generator<'_> {
    fn below(&mut self, bound: usize) -> usize {
        // An exhausted input answers 0 for ever: the first choice of everything.
        self.input
            .int_in_range(0..=bound.saturating_sub(1))
            .unwrap_or_default()
    }

    fn pick<'s>(&mut self, items: &[&'s str]) -> &'s str {
        items.get(self.below(items.len())).copied().unwrap_or("nil")
    }

    fn put(&mut self, text: &str) {
        self.out.push_str(text);
    }

    fn form(&mut self, depth: usize) {
        self.nodes += 1;
        if depth == 0 || self.nodes >= MAX_NODES || self.input.is_empty() {
            return self.atom();
        }
        let inner = depth - 1;
        match self.below(16) {
            0 => self.atom(),
            1 => {
                let variable = self.pick(VARIABLES);
                self.put(variable);
            }
            2..=4 => self.call(inner),
            5 => self.template(HIGHER_ORDER, inner),
            6 => self.template(CONTROL_FORMS, inner),
            7 => self.template(BINDING_FORMS, inner),
            8 => self.template(LOOP_FORMS, inner),
            9 => self.template(CONDITION_FORMS, inner),
            10 => self.template(MUTATION_FORMS, inner),
            11 => self.template(PRINTING_FORMS, inner),
            12 => self.template(VALUES_FORMS, inner),
            13 => self.template(TYPE_FORMS, inner),
            14 => self.template(RECURSION_FORMS, inner),
            _ => self.literal(inner),
        }
    }

    fn atom(&mut self) {
        let atom = self.pick(ATOMS);
        self.put(atom);
    }

    /// A quoted literal: a nested list, dotted list or vector of atoms.
    fn literal(&mut self, depth: usize) {
        self.put("'");
        self.datum(depth.min(3));
    }

    fn datum(&mut self, depth: usize) {
        self.nodes += 1;
        let shape = if depth == 0 || self.nodes >= MAX_NODES {
            0
        } else {
            self.below(4)
        };
        match shape {
            0 => {
                let atom = self.pick(ATOMS);
                // Inside a quote, a quoted atom would read as (quote ...): keep it plain.
                self.put(atom.trim_start_matches('\''));
            }
            1 | 2 => {
                self.put(if shape == 1 { "(" } else { "#(" });
                for index in 0..self.below(5) {
                    if index > 0 {
                        self.put(" ");
                    }
                    self.datum(depth - 1);
                }
                self.put(")");
            }
            _ => {
                self.put("(");
                self.datum(depth - 1);
                self.put(" . ");
                self.datum(depth - 1);
                self.put(")");
            }
        }
    }

    fn call(&mut self, depth: usize) {
        let operator = self.pick(OPERATORS);
        self.put("(");
        self.put(operator);
        for _ in 0..self.below(4) {
            self.put(" ");
            self.form(depth);
        }
        self.put(")");
    }

    fn function(&mut self, depth: usize) {
        if self.below(3) == 0 {
            self.put("(lambda (x &optional y) (declare (ignorable x y)) ");
            self.form(depth);
            self.put(")");
        } else {
            let name = self.pick(FUNCTIONS);
            self.put("#'");
            self.put(name);
        }
    }

    /// Expands a template: `{a}` a form, `{f}` a function, `{v}` a variable, `{t}` a type,
    /// `{c}` a condition type, `{k}` a format control.
    fn template(&mut self, templates: &[&str], depth: usize) {
        let template = self.pick(templates);
        let mut rest = template;
        while let Some(start) = rest.find('{') {
            let (before, after) = rest.split_at(start);
            self.put(before);
            let hole = after.get(..3).unwrap_or("");
            match hole {
                "{a}" => self.form(depth),
                "{f}" => self.function(depth),
                "{v}" => {
                    let variable = self.pick(VARIABLES);
                    self.put(variable);
                }
                "{t}" => {
                    let name = self.pick(TYPES);
                    self.put(name);
                }
                "{c}" => {
                    let name = self.pick(CONDITIONS);
                    self.put(name);
                }
                "{k}" => {
                    let control = self.pick(CONTROLS);
                    self.put("\"");
                    self.put(control);
                    self.put("\"");
                }
                _ => {
                    self.put("{");
                    rest = after.get(1..).unwrap_or("");
                    continue;
                }
            }
            rest = after.get(3..).unwrap_or("");
        }
        self.put(rest);
    }
}

const CONTROL_FORMS: &[&str] = &[
    "(if {a} {a} {a})",
    "(when {a} {a} {a})",
    "(unless {a} {a})",
    "(and {a} {a})",
    "(or {a} {a} {a})",
    "(cond ({a} {a}) ({a}) (t {a}))",
    "(case {a} ((1 2) {a}) (#\\a {a}) ((nil) {a}) (otherwise {a}))",
    "(progn {a} {a})",
    "(prog1 {a} {a})",
    "(block b {a} (return-from b {a}) {a})",
    "(catch 'tag {a} (throw 'tag {a}))",
    "(unwind-protect {a} {a})",
    "(tagbody (go end) {a} end)",
    "(block nil (return {a}))",
];

const BINDING_FORMS: &[&str] = &[
    "(let (({v} {a})) {a})",
    "(let* ((x {a}) (y {a})) {a})",
    "(funcall (lambda (x &optional (y {a}) &rest z) (list x y z)) {a})",
    "(funcall (lambda (&key x (y {a} y-p)) (list x y y-p)) :x {a})",
    "(destructuring-bind (x &optional y &rest z) {a} (list x y z))",
    "(flet ((f (x) {a})) (f {a}))",
    "(let ((x {a})) (setq x {a}) x)",
    "(symbol-macrolet ((s (car x))) (let ((x (list {a}))) s))",
    "(macrolet ((m (x) `(list ,x ,x))) (m {a}))",
    "(let ((f (let ((n 0)) (lambda () (incf n))))) (funcall f) (funcall f))",
];

const LOOP_FORMS: &[&str] = &[
    "(dotimes (i {a} {v}) {a})",
    "(dolist (x {a} acc) (push x acc))",
    "(loop for x in {a} collect {a})",
    "(loop for x across {a} sum x)",
    "(loop for i from {a} below {a} by {a} append (list i))",
    "(loop repeat {a} do {a})",
    "(loop for x on {a} count x)",
    "(loop for (k . v) in {a} when k collect v into r finally (return r))",
    "(loop with acc = {a} for i from 0 to 3 maximize i)",
    "(loop for x = {a} then (cdr x) while x nconc (list x))",
    "(do ((i 0 (1+ i)) (acc nil (cons i acc))) ((>= i {a}) acc))",
    "(let ((acc nil) (n 0)) (loop (when (> (incf n) 5) (return acc)) (push {a} acc)))",
];

const CONDITION_FORMS: &[&str] = &[
    "(handler-case {a} ({c} (e) (princ-to-string e)))",
    "(handler-case {a} ({c} () :caught) (:no-error (&rest v) v))",
    "(ignore-errors {a})",
    "(handler-bind (({c} (lambda (e) (declare (ignore e)) {a}))) {a})",
    "(error {k} {a})",
    "(error '{c})",
    "(error 'type-error :datum {a} :expected-type '{t})",
    "(signal {k} {a})",
    "(warn {k} {a})",
    "(cerror \"go on\" {k} {a})",
    "(restart-case {a} (use-value (v) v))",
    "(handler-bind ((error (lambda (e) (declare (ignore e)) (invoke-restart 'use-value {a})))) (restart-case (error \"x\") (use-value (v) v)))",
    "(with-simple-restart (skip \"skip\") {a})",
    "(assert {a})",
    "(let ((x {a})) (check-type x {t}) x)",
    "(ecase {a} (1 :one) (2 :two))",
    "(etypecase {a} (integer 1) (string 2))",
    "(princ-to-string (make-condition '{c}))",
];

const MUTATION_FORMS: &[&str] = &[
    "(let ((x {a})) (setf (car x) {a}) x)",
    "(let ((x {a})) (setf (cdr x) {a}) x)",
    "(let ((x {a})) (setf (aref x {a}) {a}) x)",
    "(let ((x {a})) (setf (elt x {a}) {a}) x)",
    "(let ((x {a})) (setf (gethash {a} x) {a}) x)",
    "(let ((x {a})) (setf (char x {a}) {a}) x)",
    "(let ((x {a})) (push {a} x) (pop x))",
    "(let ((x {a})) (incf x {a}) (decf x {a}))",
    "(let ((x {a})) (pushnew {a} x) x)",
    "(let ((x (list {a} {a})) (*print-circle* t)) (rplacd (cdr x) x) (prin1-to-string x))",
    "(let ((x (vector {a} 1))) (setf (aref x 0) x) (prin1-to-string x))",
    "(let ((x {a})) (vector-push-extend {a} x) x)",
    "(let ((x {a})) (setf (getf x :k) {a}) x)",
    "(let ((x {a}) (y {a})) (rotatef x y) (list x y))",
    "(let ((x {a})) (nconc x x))",
];

const PRINTING_FORMS: &[&str] = &[
    "(format nil {k} {a})",
    "(format nil {k} {a} {a} {a})",
    "(with-output-to-string (s) (prin1 {a} s) (princ {a} s) (terpri s))",
    "(with-input-from-string (s {a}) (list (read-line s nil :eof) (read-char s nil :eof)))",
    "(let ((*print-base* {a})) (prin1-to-string {a}))",
    "(let ((*print-radix* t) (*print-base* 16)) (prin1-to-string {a}))",
    "(let ((*print-circle* t)) (prin1-to-string {a}))",
    "(let ((*print-length* 2) (*print-level* 2)) (prin1-to-string {a}))",
    "(let ((*print-escape* nil) (*print-readably* {a})) (prin1-to-string {a}))",
    "(let ((*print-case* {a})) (prin1-to-string {a}))",
    "(write-to-string {a} :base {a} :radix {a} :pretty {a})",
    "(let ((s (make-string-output-stream))) (write-string {a} s) (write-char {a} s) (get-output-stream-string s))",
    "(parse-integer {a} :junk-allowed t :radix {a})",
    "(string-trim {a} {a})",
];

const VALUES_FORMS: &[&str] = &[
    "(multiple-value-list {a})",
    "(multiple-value-bind (x y) {a} (list x y))",
    "(multiple-value-call #'list {a} {a})",
    "(nth-value {a} {a})",
    "(values {a} {a})",
    "(values-list {a})",
    "(multiple-value-prog1 {a} {a})",
    "(multiple-value-list (floor {a} {a}))",
    "(multiple-value-list (gethash {a} {a}))",
];

const TYPE_FORMS: &[&str] = &[
    "(typep {a} '{t})",
    "(coerce {a} '{t})",
    "(typecase {a} ({t} 1) ({t} 2) (t 3))",
    "(subtypep '{t} '{t})",
    "(type-of {a})",
    "(the {t} {a})",
    "(concatenate '{t} {a} {a})",
    "(make-sequence '{t} {a} :initial-element {a})",
    "(map '{t} #'identity {a})",
];

const RECURSION_FORMS: &[&str] = &[
    "(labels ((f (x) (if (and (integerp x) (> x 0)) (cons x (f (1- x))) {a}))) (f {a}))",
    "(labels ((f (x) (f (list x)))) (f {a}))",
    "(labels ((f (n acc) (if (<= n 0) acc (f (1- n) (cons n acc))))) (f {a} nil))",
    "(labels ((even (n) (if (zerop n) t (odd (1- n)))) (odd (n) (if (zerop n) nil (even (1- n))))) (even {a}))",
    "(labels ((f (x) (handler-case (f (1+ x)) (error () x)))) (f 0))",
];
