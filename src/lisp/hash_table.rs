//! Hash tables that keep insertion order (as SBCL's iteration does).
//!
//! Hashing and key equality depend on the table's test and need the heap, so callers pass the
//! key's hash and an equality predicate; this module only stores entries.

use std::collections::HashMap;

use super::value::Value;

/// The equality test a table was made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashTest {
    Eq,
    Eql,
    Equal,
    Equalp,
}

#[derive(Debug)]
pub struct HashTable {
    pub test: HashTest,
    entries: Vec<Option<(Value, Value)>>,
    index: HashMap<u64, Vec<u32>>,
    count: usize,
}

impl HashTable {
    pub fn new(test: HashTest) -> Self {
        HashTable {
            test,
            entries: Vec::new(),
            index: HashMap::new(),
            count: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The slot holding a key equal to the one hashed to `hash`.
    pub fn find(&self, hash: u64, same_key: impl Fn(Value) -> bool) -> Option<u32> {
        self.index.get(&hash).and_then(|slots| {
            slots.iter().copied().find(|slot| {
                matches!(self.entries.get(*slot as usize), Some(Some((k, _))) if same_key(*k))
            })
        })
    }

    pub fn value_at(&self, slot: u32) -> Option<Value> {
        self.entries
            .get(slot as usize)
            .copied()
            .flatten()
            .map(|(_, v)| v)
    }

    pub fn set_value_at(&mut self, slot: u32, value: Value) {
        if let Some(Some(entry)) = self.entries.get_mut(slot as usize) {
            entry.1 = value;
        }
    }

    /// Adds an entry for a key known not to be present.
    pub fn insert_new(&mut self, hash: u64, key: Value, value: Value) {
        let slot = self.entries.len() as u32;
        self.entries.push(Some((key, value)));
        self.index.entry(hash).or_default().push(slot);
        self.count += 1;
    }

    pub fn remove_at(&mut self, hash: u64, slot: u32) {
        if let Some(entry) = self.entries.get_mut(slot as usize)
            && entry.take().is_some()
        {
            self.count -= 1;
        }
        if let Some(slots) = self.index.get_mut(&hash) {
            slots.retain(|s| *s != slot);
            if slots.is_empty() {
                self.index.remove(&hash);
            }
        }
        if self.count == 0 {
            self.clear();
        }
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.index.clear();
        self.count = 0;
    }

    pub fn for_each_entry(&self, mut visit: impl FnMut(Value, Value)) {
        for (key, value) in self.entries.iter().flatten() {
            visit(*key, *value);
        }
    }

    /// A snapshot of the live entries in insertion order.
    pub fn entries(&self) -> Vec<(Value, Value)> {
        self.entries.iter().flatten().copied().collect()
    }
}
