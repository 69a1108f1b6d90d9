//! `TAGBODY` and `GO`, lowered to blocks and a loop:
//!
//! ```text
//! (block OUT (let ((pc 0)) (%loop (setq pc (block IN (if (= pc 0) (progn seg0 1)
//!                                                     (if (= pc 1) (progn seg1 2) ... (return-from OUT nil))))))))
//! ```
//!
//! `(go TAG)` is `(return-from IN index-of-TAG)`, so it works from closures too.

use super::super::error::{LispError, LispResult};
use super::super::value::Value;
use super::analyze::Analyzer;
use super::ir::{Binding, Node, Primitive};

impl Analyzer<'_> {
    pub(super) fn tagbody(&mut self, items: &[Value]) -> LispResult<Node> {
        let mut segments: Vec<Vec<Value>> = vec![Vec::new()];
        let mut tags: Vec<(Value, u32)> = Vec::new();
        for item in items {
            if matches!(item, Value::Symbol(_) | Value::Fixnum(_) | Value::Nil) {
                tags.push((*item, segments.len() as u32));
                segments.push(Vec::new());
            } else if let Some(segment) = segments.last_mut() {
                segment.push(*item);
            }
        }
        let outer = self.new_var();
        let inner = self.new_var();
        let pc = self.new_var();
        self.mark_assigned(pc);
        self.mark_block_used(outer);
        let body = self.with_tags(&tags, inner, |this| {
            let mut dispatch = Node::ReturnFrom(outer, Box::new(Node::Const(Value::Nil)));
            for (index, segment) in segments.iter().enumerate().rev() {
                let mut forms = segment
                    .iter()
                    .map(|f| this.form(*f))
                    .collect::<LispResult<Vec<_>>>()?;
                forms.push(Node::Const(Value::Fixnum(index as i64 + 1)));
                let test = Node::Primitive(
                    Primitive::NumEq,
                    vec![Node::Var(pc), Node::Const(Value::Fixnum(index as i64))],
                );
                dispatch = Node::If(
                    Box::new(test),
                    Box::new(Node::Progn(forms)),
                    Box::new(dispatch),
                );
            }
            Ok(dispatch)
        })?;
        self.mark_block_used(inner);
        let step = Node::SetVar(pc, Box::new(Node::Block(inner, Box::new(body))));
        let looped = Node::Let(
            vec![(Binding::Lexical(pc), Node::Const(Value::Fixnum(0)))],
            Box::new(Node::Loop(Box::new(step))),
        );
        Ok(Node::Block(outer, Box::new(looped)))
    }

    pub(super) fn go(&mut self, tag: Value) -> LispResult<Node> {
        match self.lookup_tag(tag) {
            Some((block, index)) => Ok(Node::ReturnFrom(
                block,
                Box::new(Node::Const(Value::Fixnum(i64::from(index)))),
            )),
            None => {
                let text = super::super::print::prin1_to_string(self.image(), tag);
                Err(LispError::control(format!(
                    "attempt to GO to nonexistent tag: {text}"
                )))
            }
        }
    }
}
