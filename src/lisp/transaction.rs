//! Units of change that take effect together or not at all: a file being loaded, a region
//! sent with C-c C-r, a C-c C-c compilation.
//!
//! While a thread runs a unit, its writes to global cells (a symbol's global value, its
//! function or macro) go straight to the symbol, so everything the unit does later (calls,
//! macroexpansion, `boundp`) sees them. Other threads must not: when the thread's slice
//! ends, [`Vm::leave_transaction`] puts back what others saw (the *base*) and parks the
//! thread's own contents; [`Vm::enter_transaction`] swaps them in again at its next slice,
//! first refreshing the base with whatever other threads wrote meanwhile. Committing keeps
//! the unit's contents; rolling back restores the base.
//!
//! Units nest (a `load` inside a region): a nested unit that fails is undone on its own,
//! one that succeeds becomes part of the enclosing unit.
//!
//! Only the value and function cells are covered. Proclamations (`special`, constants),
//! documentation, property lists, packages and interned symbols, and mutation of existing
//! objects (conses, vectors, hash tables) take effect at once and stay on rollback.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use super::heap::Marker;
use super::symbol::FunctionKind;
use super::thread::LispThread;
use super::value::{SymRef, Value};
use super::vm::Vm;

/// Which cell of a symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cell {
    Value,
    Function,
}

/// What a cell holds (the kind matters only for the function cell).
#[derive(Debug, Clone, Copy)]
pub struct Contents {
    pub value: Value,
    pub kind: FunctionKind,
}

/// How to undo a nested unit's write to a cell.
#[derive(Debug, Clone, Copy)]
enum Undo {
    /// No enclosing unit had written the cell: restore what other threads see.
    Base,
    /// An enclosing unit had: restore its contents.
    Enclosing(Contents),
}

type Key = (SymRef, Cell);

#[derive(Debug, Default)]
pub struct Transaction {
    /// For every cell the units wrote: what other threads see.
    base: HashMap<Key, Contents>,
    /// The units' own contents while the thread is not running.
    parked: HashMap<Key, Contents>,
    /// One entry per unit begun and not yet ended, innermost last.
    levels: Vec<HashMap<Key, Undo>>,
}

impl Transaction {
    pub fn mark_roots(&self, marker: &mut Marker) {
        for ((sym, _), contents) in self.base.iter().chain(self.parked.iter()) {
            marker.value(Value::Symbol(*sym));
            marker.value(contents.value);
        }
        for level in &self.levels {
            for undo in level.values() {
                if let Undo::Enclosing(contents) = undo {
                    marker.value(contents.value);
                }
            }
        }
    }
}

impl Vm {
    /// Begins a unit on `thread` (or a nested one inside the current unit).
    pub fn begin_transaction(&mut self, thread: &mut LispThread) {
        let transaction = thread.transaction.get_or_insert_with(Default::default);
        transaction.levels.push(HashMap::new());
    }

    /// Ends the innermost unit: its writes are kept (`commit`; for a nested unit, they join
    /// the enclosing one) or undone. Must run on the thread while it runs.
    pub fn end_transaction(&mut self, thread: &mut LispThread, commit: bool) {
        let Some(transaction) = thread.transaction.as_mut() else {
            return;
        };
        let Some(level) = transaction.levels.pop() else {
            thread.transaction = None;
            return;
        };
        if commit {
            if let Some(enclosing) = transaction.levels.last_mut() {
                for (key, undo) in level {
                    enclosing.entry(key).or_insert(undo);
                }
            }
        } else {
            for ((sym, cell), undo) in level {
                let restore = match undo {
                    Undo::Base => transaction.base.remove(&(sym, cell)),
                    Undo::Enclosing(contents) => Some(contents),
                };
                if let Some(contents) = restore {
                    self.write_cell(sym, cell, contents);
                }
            }
        }
        if transaction.levels.is_empty() {
            thread.transaction = None;
        }
    }

    /// Undoes an unfinished unit of a thread that is running or about to be discarded.
    pub fn abandon_transaction(&mut self, thread: &mut LispThread) {
        if let Some(transaction) = thread.transaction.take()
            && transaction.parked.is_empty()
        {
            for ((sym, cell), contents) in transaction.base {
                self.write_cell(sym, cell, contents);
            }
        }
    }

    /// Writes a global cell on behalf of `thread`, recording what others see if the thread
    /// is in a unit.
    pub fn write_global(
        &mut self,
        thread: &mut LispThread,
        sym: SymRef,
        cell: Cell,
        contents: Contents,
    ) {
        if let Some(transaction) = thread.transaction.as_mut() {
            let key = (sym, cell);
            let current = self.read_cell(sym, cell);
            let undo = match transaction.base.entry(key) {
                Entry::Occupied(_) => Undo::Enclosing(current),
                Entry::Vacant(vacant) => {
                    vacant.insert(current);
                    Undo::Base
                }
            };
            if let Some(level) = transaction.levels.last_mut() {
                level.entry(key).or_insert(undo);
            }
        }
        self.write_cell(sym, cell, contents);
    }

    /// The thread's slice ended: others see the base again.
    pub fn leave_transaction(&mut self, thread: &mut LispThread) {
        let Some(transaction) = thread.transaction.as_mut() else {
            return;
        };
        let keys: Vec<(Key, Contents)> = transaction.base.iter().map(|(k, c)| (*k, *c)).collect();
        for ((sym, cell), base) in keys {
            let own = self.read_cell(sym, cell);
            transaction.parked.insert((sym, cell), own);
            self.write_cell(sym, cell, base);
        }
    }

    /// The thread's slice begins: its own contents come back over what others see now.
    pub fn enter_transaction(&mut self, thread: &mut LispThread) {
        let Some(transaction) = thread.transaction.as_mut() else {
            return;
        };
        let parked: Vec<(Key, Contents)> = transaction.parked.drain().collect();
        for ((sym, cell), own) in parked {
            let others = self.read_cell(sym, cell);
            transaction.base.insert((sym, cell), others);
            self.write_cell(sym, cell, own);
        }
    }

    fn read_cell(&self, sym: SymRef, cell: Cell) -> Contents {
        let symbol = self.image.heap.symbol(sym);
        match cell {
            Cell::Value => Contents {
                value: symbol.value,
                kind: FunctionKind::Function,
            },
            Cell::Function => Contents {
                value: symbol.function,
                kind: symbol.function_kind,
            },
        }
    }

    fn write_cell(&mut self, sym: SymRef, cell: Cell, contents: Contents) {
        if let Some(symbol) = self.image.heap.symbol_mut(sym) {
            match cell {
                Cell::Value => symbol.value = contents.value,
                Cell::Function => {
                    symbol.function = contents.value;
                    symbol.function_kind = contents.kind;
                }
            }
        }
    }
}
