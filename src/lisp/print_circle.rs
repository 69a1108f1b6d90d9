//! `*PRINT-CIRCLE*`: finding the conses and vectors a value reaches more than once, so the
//! printer can label them `#N=` and refer back with `#N#` instead of printing a cycle
//! forever or a shared part twice.

use std::collections::HashMap;

use super::image::Image;
use super::object::Object;
use super::value::Value;

/// A cons or vector, by identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Node {
    Cons(u32),
    Object(u32),
}

impl Node {
    pub fn of(value: Value) -> Option<Node> {
        match value {
            Value::Cons(r) => Some(Node::Cons(r.0)),
            Value::Object(r) => Some(Node::Object(r.0)),
            _ => None,
        }
    }
}

/// The shared nodes of a value and the labels given to them as printing proceeds.
#[derive(Debug, Default)]
pub struct Labels {
    /// Shared nodes; `Some(n)` once printed with `#n=`.
    shared: HashMap<Node, Option<usize>>,
    next: usize,
}

/// What to print for a node.
pub enum Mark {
    /// Not shared: print it plainly.
    Plain,
    /// Shared and printed before: `#n#`.
    Reference(usize),
    /// Shared, printed now: `#n=` then the node.
    Define(usize),
}

impl Labels {
    /// Walks `root` (iteratively, visiting each node once) and records which conses and
    /// vectors are reached more than once.
    pub fn find(image: &Image, root: Value) -> Labels {
        let mut seen: HashMap<Node, bool> = HashMap::new();
        let mut pending = vec![root];
        while let Some(value) = pending.pop() {
            let Some(node) = Node::of(value) else {
                continue;
            };
            if let Some(shared) = seen.get_mut(&node) {
                *shared = true;
                continue;
            }
            seen.insert(node, false);
            match value {
                Value::Cons(r) => {
                    let (car, cdr) = image.heap.car_cdr(r);
                    pending.push(cdr);
                    pending.push(car);
                }
                Value::Object(r) => match image.heap.object(r) {
                    Some(Object::Vector(vector)) => {
                        pending.extend(vector.active().iter().rev().copied())
                    }
                    Some(Object::Array(array)) => pending.extend(array.items.iter().rev().copied()),
                    _ => {}
                },
                _ => {}
            }
        }
        Labels {
            shared: seen
                .into_iter()
                .filter(|(_, shared)| *shared)
                .map(|(node, _)| (node, None))
                .collect(),
            next: 1,
        }
    }

    pub fn is_shared(&self, value: Value) -> bool {
        Node::of(value).is_some_and(|node| self.shared.contains_key(&node))
    }

    /// Decides how `value` prints at this point, labelling it on its first appearance.
    pub fn mark(&mut self, value: Value) -> Mark {
        let Some(label) = Node::of(value).and_then(|node| self.shared.get_mut(&node)) else {
            return Mark::Plain;
        };
        match label {
            Some(n) => Mark::Reference(*n),
            None => {
                let n = self.next;
                self.next += 1;
                *label = Some(n);
                Mark::Define(n)
            }
        }
    }
}
