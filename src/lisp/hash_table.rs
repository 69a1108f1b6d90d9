//! Hash tables that keep insertion order (as SBCL's iteration does).
//!
//! Hashing and key equality depend on the table's test and need the heap, so callers pass the
//! key's hash and an equality predicate; this module only stores entries.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::hash_table_sizing::Sizing;
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
    /// What `HASH-TABLE-SIZE` and the rehash readers report.
    pub sizing: Sizing,
    entries: Vec<Option<(Value, Value)>>,
    /// Per entry, the next entry whose key has the same hash (`NO_SLOT` ends the chain).
    next: Vec<u32>,
    /// The newest entry of each key hash. The keys are hashes already, so the map does not
    /// hash them again.
    index: HashMap<u64, u32, BuildHasherDefault<AlreadyHashed>>,
    count: usize,
}

const NO_SLOT: u32 = u32::MAX;

/// A `Hasher` for keys that are hashes: it passes a `u64` through.
#[derive(Debug, Default)]
pub struct AlreadyHashed(u64);

impl Hasher for AlreadyHashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

impl HashTable {
    pub fn new(test: HashTest) -> Self {
        HashTable {
            test,
            sizing: Sizing::default(),
            entries: Vec::new(),
            next: Vec::new(),
            index: HashMap::default(),
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
        let mut slot = self.index.get(&hash).copied().unwrap_or(NO_SLOT);
        while slot != NO_SLOT {
            if matches!(self.entries.get(slot as usize), Some(Some((k, _))) if same_key(*k)) {
                return Some(slot);
            }
            slot = self.next.get(slot as usize).copied().unwrap_or(NO_SLOT);
        }
        None
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
        let older = self.index.insert(hash, slot).unwrap_or(NO_SLOT);
        self.next.push(older);
        self.count += 1;
        self.sizing.make_room_for(self.count);
    }

    pub fn remove_at(&mut self, hash: u64, slot: u32) {
        if let Some(entry) = self.entries.get_mut(slot as usize)
            && entry.take().is_some()
        {
            self.count -= 1;
        }
        let after = self.next.get(slot as usize).copied().unwrap_or(NO_SLOT);
        match self.index.get(&hash).copied() {
            Some(head) if head == slot => {
                if after == NO_SLOT {
                    self.index.remove(&hash);
                } else {
                    self.index.insert(hash, after);
                }
            }
            Some(head) => {
                let mut previous = head;
                while let Some(&following) = self.next.get(previous as usize) {
                    if following == slot {
                        self.next[previous as usize] = after;
                        break;
                    }
                    if following == NO_SLOT {
                        break;
                    }
                    previous = following;
                }
            }
            None => {}
        }
        if self.count == 0 {
            self.clear();
        }
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.next.clear();
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The value stored for fixnum `key` under `hash`, as a fixnum.
    fn find(table: &HashTable, hash: u64, key: i64) -> Option<i64> {
        let slot = table.find(hash, |k| k.eq(Value::Fixnum(key)))?;
        match table.value_at(slot) {
            Some(Value::Fixnum(n)) => Some(n),
            _ => None,
        }
    }

    #[test]
    fn keys_sharing_a_hash_are_found_and_removed_independently() {
        let mut table = HashTable::new(HashTest::Eql);
        for key in 1..=4 {
            table.insert_new(7, Value::Fixnum(key), Value::Fixnum(key * 10));
        }
        table.insert_new(8, Value::Fixnum(5), Value::Fixnum(50));
        let slot_of = |table: &HashTable, key: i64| table.find(7, |k| k.eq(Value::Fixnum(key)));
        // The middle of the chain, then its newest entry, then its oldest.
        for key in [2, 4, 1] {
            let slot = slot_of(&table, key).expect("present");
            table.remove_at(7, slot);
            assert_eq!(find(&table, 7, key), None);
        }
        assert_eq!(find(&table, 7, 3), Some(30));
        assert_eq!(find(&table, 8, 5), Some(50));
        assert_eq!(table.len(), 2);
        let slot = slot_of(&table, 3).expect("present");
        table.remove_at(7, slot);
        assert_eq!(find(&table, 7, 3), None);
        table.insert_new(7, Value::Fixnum(9), Value::Fixnum(90));
        assert_eq!(find(&table, 7, 9), Some(90));
        assert_eq!(find(&table, 8, 5), Some(50));
    }
}
