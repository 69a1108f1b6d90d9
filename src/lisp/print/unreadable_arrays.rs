//! Vectors and arrays printed with `*PRINT-ARRAY*` false: as SBCL does, `#<` then the
//! array's type and an identity, without its elements. Strings are not affected.

use super::super::object::LispVector;
use super::super::value::ObjRef;
use super::Printer;

impl Printer<'_> {
    /// Whether arrays print as `#<...>` rather than with their elements.
    pub(super) fn arrays_unreadable(&self) -> bool {
        !self.options.array && !self.options.readably
    }

    /// `#<(SIMPLE-VECTOR 3) {...}>` or `#<(VECTOR T 3) {...}>` for a vector with a fill
    /// pointer or adjustable.
    pub(super) fn unreadable_vector(&mut self, vector: &LispVector, r: ObjRef) {
        let size = vector.items.len();
        let kind = if vector.fill_pointer.is_some() || vector.adjustable {
            format!("(VECTOR T {size})")
        } else {
            format!("(SIMPLE-VECTOR {size})")
        };
        self.unreadable_array_of(&kind, r);
    }

    /// `#<(SIMPLE-ARRAY T (2 3)) {...}>`.
    pub(super) fn unreadable_array(&mut self, dimensions: &[usize], r: ObjRef) {
        let dimensions = if dimensions.is_empty() {
            "NIL".to_string()
        } else {
            let sizes: Vec<String> = dimensions.iter().map(usize::to_string).collect();
            format!("({})", sizes.join(" "))
        };
        self.unreadable_array_of(&format!("(SIMPLE-ARRAY T {dimensions})"), r);
    }

    fn unreadable_array_of(&mut self, kind: &str, r: ObjRef) {
        let identity = 0x1000000000 + u64::from(r.0) * 16;
        self.out.push_str(&format!("#<{kind} {{{identity:X}}}>"));
    }
}
