//! FORMAT's control strings, prepared once: decoded to characters and, when every directive
//! [stands alone](super::Directive::stands_alone), parsed into a plan of text and directives
//! that runs without parsing again, and when the plan is simple enough, into the steps of a
//! [direct run](super::direct). Programs format with the same few strings over and over.
//!
//! The cache finds a control string by its object first (no hashing of the text), then by
//! its text. Lisp strings can be changed, and a collected string's place reused: an entry
//! found by its object is used only while the object's text is still the entry's.

use std::collections::HashMap;
use std::rc::Rc;

use super::super::lisp_string::Text;
use super::super::value::ObjRef;
use super::direct::{Step, direct_steps};
use super::{Directive, parse_directive};

/// A control string ready to run.
#[derive(Debug)]
pub struct Control {
    pub chars: Rc<[char]>,
    /// The control string parsed, if every directive in it stands alone.
    pub(super) plan: Option<Box<[Piece]>>,
    /// The plan as a [direct run](super::direct), if it is simple enough for one.
    pub(super) direct: Option<Box<[Step]>>,
}

/// A run of text, or a directive, of a plan.
#[derive(Debug)]
pub(super) enum Piece {
    Text(Box<str>),
    Directive(Directive),
}

/// Control strings prepared, by their text and by the string objects that held them.
#[derive(Debug, Default)]
pub struct ControlCache {
    by_text: HashMap<Rc<str>, Rc<Control>>,
    /// Direct-mapped by object.
    by_object: Vec<Option<HeldControl>>,
}

/// A string object, the text it had, and what that text prepared.
type HeldControl = (ObjRef, Rc<str>, Rc<Control>);

/// How many control strings the cache holds before it starts again from empty.
const CACHED_CONTROLS: usize = 256;
/// Slots for control strings found by their object.
const OBJECT_SLOTS: usize = 64;
/// Longer control strings are prepared at every use rather than kept.
const LONGEST_CACHED_CONTROL: usize = 1024;

impl ControlCache {
    /// The control string `text`, held by the string `object` if it is a simple string.
    /// Inlined into FORMAT: most calls find their string by its object, and the check
    /// for that is short beside the call to the rest.
    #[inline]
    pub fn prepared(&mut self, object: Option<ObjRef>, text: &Text) -> Rc<Control> {
        if let Some(object) = object
            && let Some(Some((held_by, held, control))) = self.by_object.get(slot_of(object))
            && *held_by == object
            && held.as_bytes() == text.as_bytes()
        {
            return control.clone();
        }
        self.prepare_and_keep(object, text)
    }

    /// `prepared` for a string not found by its object: found by its text, or prepared now.
    #[inline(never)]
    fn prepare_and_keep(&mut self, object: Option<ObjRef>, text: &Text) -> Rc<Control> {
        let slot = object.map(slot_of);
        let text = text.as_str();
        if text.len() > LONGEST_CACHED_CONTROL {
            return Rc::new(prepare(text));
        }
        let (key, control) = match self.by_text.get_key_value(text) {
            Some((key, control)) => (key.clone(), control.clone()),
            None => {
                if self.by_text.len() >= CACHED_CONTROLS {
                    self.by_text.clear();
                }
                let key: Rc<str> = Rc::from(text);
                let control = Rc::new(prepare(text));
                self.by_text.insert(key.clone(), control.clone());
                (key, control)
            }
        };
        if let (Some(object), Some(slot)) = (object, slot) {
            if self.by_object.is_empty() {
                self.by_object.resize(OBJECT_SLOTS, None);
            }
            if let Some(entry) = self.by_object.get_mut(slot) {
                *entry = Some((object, key, control.clone()));
            }
        }
        control
    }
}

/// The slot in `by_object` of a string object.
fn slot_of(object: ObjRef) -> usize {
    object.0 as usize % OBJECT_SLOTS
}

fn prepare(text: &str) -> Control {
    let chars: Rc<[char]> = text.chars().collect();
    let plan = plan(&chars);
    let direct = plan.as_deref().and_then(direct_steps);
    Control {
        chars,
        plan,
        direct,
    }
}

/// The pieces of `chars`; `None` if a directive does not stand alone or does not parse
/// (the general run reports that where it meets it).
fn plan(chars: &[char]) -> Option<Box<[Piece]>> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c != '~' {
            text.push(c);
            i += 1;
            continue;
        }
        let (directive, next) = parse_directive(chars, i + 1).ok()?;
        if !directive.stands_alone() {
            return None;
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(std::mem::take(&mut text).into()));
        }
        pieces.push(Piece::Directive(directive));
        i = next;
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text.into()));
    }
    Some(pieces.into())
}

#[cfg(test)]
mod tests {
    use super::{ControlCache, ObjRef, Piece, Text};

    #[test]
    fn a_string_of_lone_directives_is_planned() {
        let mut cache = ControlCache::default();
        let control = cache.prepared(None, &Text::from("item-~d of ~A~%"));
        let plan = control.plan.as_deref().unwrap_or_default();
        let kinds: Vec<String> = plan
            .iter()
            .map(|piece| match piece {
                Piece::Text(text) => text.to_string(),
                Piece::Directive(directive) => format!("~{}", directive.kind),
            })
            .collect();
        assert_eq!(kinds, ["item-", "~d", " of ", "~A", "~%"]);
    }

    #[test]
    fn strings_with_clauses_or_bad_directives_run_unplanned() {
        let mut cache = ControlCache::default();
        for text in ["~{~A~}", "~[a~;b~]", "~A~", "x~^y", "~<a~>"] {
            assert!(
                cache.prepared(None, &Text::from(text)).plan.is_none(),
                "{text}"
            );
        }
    }

    #[test]
    fn an_object_whose_text_changed_is_prepared_again() {
        let mut cache = ControlCache::default();
        let object = Some(ObjRef(7));
        let first = cache.prepared(object, &Text::from("~A"));
        assert_eq!(&*first.chars, ['~', 'A']);
        let changed = cache.prepared(object, &Text::from("~S"));
        assert_eq!(&*changed.chars, ['~', 'S']);
        let again = cache.prepared(object, &Text::from("~S"));
        assert!(std::rc::Rc::ptr_eq(&changed, &again));
    }
}
