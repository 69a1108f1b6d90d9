//! Hash tables that keep insertion order (as SBCL's iteration does).
//!
//! Hashing and key equality depend on the table's test and need the heap, so callers pass the
//! key's hash and an equality predicate; this module only stores entries.

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

/// Entries in insertion order, found through an open-addressing index of their positions.
///
/// The index holds only `u32` positions (4 bytes a bucket), so that a table of a few hundred
/// thousand keys keeps its index in the CPU's cache; each entry keeps its key's hash beside
/// it. A key's first bucket is its hash's low bits; later probes mix in the higher bits (the
/// `perturb` walk), so hashes that agree in their low bits part ways after a few probes.
/// That lets fixnums hash to themselves: consecutive keys take consecutive buckets and
/// entries, as they do in CPython's dict, instead of a cache miss each. A removed key's
/// bucket becomes a tombstone, which a later insertion may reuse; the index is rebuilt
/// when live and dead buckets fill two thirds of it. Removed entries leave holes in
/// `entries` that are squeezed out once they outnumber the live ones.
#[derive(Debug)]
pub struct HashTable {
    pub test: HashTest,
    /// What `HASH-TABLE-SIZE` and the rehash readers report.
    pub sizing: Sizing,
    entries: Vec<Entry>,
    /// Per bucket: the position in `entries` plus one, `EMPTY` or `REMOVED`. Its length is
    /// zero or a power of two.
    index: Vec<u32>,
    /// Buckets that are not `EMPTY`: live ones and tombstones.
    used_buckets: usize,
    count: usize,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    hash: u64,
    /// `None` once the entry is removed.
    pair: Option<(Value, Value)>,
}

const EMPTY: u32 = 0;
/// A bucket whose entry was removed: probes go on past it.
const REMOVED: u32 = u32::MAX;
/// The smallest index a table with entries gets.
const SMALLEST_INDEX: usize = 8;
/// How many of the hash's bits each probe after the first mixes in.
const PERTURB_SHIFT: u32 = 5;

/// The buckets a hash visits, in order. Once the hash's bits are used up the walk is
/// `bucket * 5 + 1` modulo a power of two, which visits every bucket; as the index always
/// has empty buckets, every probe ends.
struct Probe {
    bucket: usize,
    perturb: u64,
    mask: usize,
}

impl Probe {
    fn new(hash: u64, mask: usize) -> Self {
        Probe {
            bucket: hash as usize & mask,
            perturb: hash,
            mask,
        }
    }

    fn advance(&mut self) {
        self.perturb >>= PERTURB_SHIFT;
        self.bucket = (self
            .bucket
            .wrapping_mul(5)
            .wrapping_add(1)
            .wrapping_add(self.perturb as usize))
            & self.mask;
    }
}

impl HashTable {
    pub fn new(test: HashTest) -> Self {
        HashTable {
            test,
            sizing: Sizing::default(),
            entries: Vec::new(),
            index: Vec::new(),
            used_buckets: 0,
            count: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    fn probe(&self, hash: u64) -> Probe {
        Probe::new(hash, self.index.len().wrapping_sub(1))
    }

    /// The slot holding a key equal to the one hashed to `hash`.
    pub fn find(&self, hash: u64, same_key: impl Fn(Value) -> bool) -> Option<u32> {
        self.find_bucket(hash, same_key)
            .and_then(|bucket| self.index.get(bucket))
            .map(|&position| position - 1)
    }

    /// The index bucket pointing at the entry whose key is the one hashed to `hash`.
    fn find_bucket(&self, hash: u64, same_key: impl Fn(Value) -> bool) -> Option<usize> {
        if self.index.is_empty() {
            return None;
        }
        let mut probe = self.probe(hash);
        loop {
            match *self.index.get(probe.bucket)? {
                EMPTY => return None,
                REMOVED => {}
                position => {
                    if let Some(Entry {
                        hash: entry_hash,
                        pair: Some((key, _)),
                    }) = self.entries.get(position as usize - 1)
                        && *entry_hash == hash
                        && same_key(*key)
                    {
                        return Some(probe.bucket);
                    }
                }
            }
            probe.advance();
        }
    }

    pub fn value_at(&self, slot: u32) -> Option<Value> {
        self.entries
            .get(slot as usize)
            .and_then(|entry| entry.pair)
            .map(|(_, v)| v)
    }

    pub fn set_value_at(&mut self, slot: u32, value: Value) {
        if let Some(Entry {
            pair: Some(pair), ..
        }) = self.entries.get_mut(slot as usize)
        {
            pair.1 = value;
        }
    }

    /// Adds an entry for a key known not to be present.
    pub fn insert_new(&mut self, hash: u64, key: Value, value: Value) {
        if self.entries.len() >= REMOVED as usize - 1 {
            self.squeeze();
        }
        if (self.used_buckets + 1) * 3 > self.index.len() * 2 {
            let size = ((self.count + 1) * 2)
                .next_power_of_two()
                .max(SMALLEST_INDEX);
            self.rebuild_index(size);
        }
        self.entries.push(Entry {
            hash,
            pair: Some((key, value)),
        });
        let position = self.entries.len() as u32;
        self.place(hash, position);
        self.count += 1;
        self.sizing.make_room_for(self.count);
    }

    /// Points the first empty or removed bucket of `hash`'s probe at entry `position` (plus
    /// one).
    fn place(&mut self, hash: u64, position: u32) {
        let mut probe = self.probe(hash);
        while let Some(occupant) = self.index.get_mut(probe.bucket) {
            match *occupant {
                EMPTY => {
                    *occupant = position;
                    self.used_buckets += 1;
                    return;
                }
                REMOVED => {
                    *occupant = position;
                    return;
                }
                _ => probe.advance(),
            }
        }
    }

    /// Makes an index of `size` buckets for the live entries.
    fn rebuild_index(&mut self, size: usize) {
        self.index.clear();
        self.index.resize(size, EMPTY);
        self.used_buckets = 0;
        for position in 0..self.entries.len() {
            let entry = self.entries[position];
            if entry.pair.is_some() {
                self.place(entry.hash, position as u32 + 1);
            }
        }
    }

    pub fn remove_at(&mut self, hash: u64, slot: u32) {
        let Some(bucket) = self.bucket_of(hash, slot) else {
            return;
        };
        if let Some(entry) = self.entries.get_mut(slot as usize)
            && entry.pair.take().is_some()
        {
            self.count -= 1;
        }
        self.index[bucket] = REMOVED;
        if self.count == 0 {
            self.clear();
        } else if self.entries.len() > 2 * self.count + SMALLEST_INDEX {
            self.squeeze();
        }
    }

    /// The index bucket pointing at entry `slot`, found along the probe of its key's `hash`.
    fn bucket_of(&self, hash: u64, slot: u32) -> Option<usize> {
        if self.index.is_empty() {
            return None;
        }
        let target = slot.checked_add(1)?;
        let mut probe = self.probe(hash);
        loop {
            match *self.index.get(probe.bucket)? {
                EMPTY => return None,
                position if position == target => return Some(probe.bucket),
                _ => probe.advance(),
            }
        }
    }

    /// Drops removed entries, keeping the order of the others, and fits the index to them.
    fn squeeze(&mut self) {
        self.entries.retain(|entry| entry.pair.is_some());
        self.entries.shrink_to(self.entries.len() * 2);
        let size = (self.count * 2).next_power_of_two().max(SMALLEST_INDEX);
        self.rebuild_index(size);
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.index.clear();
        self.used_buckets = 0;
        self.count = 0;
    }

    pub fn for_each_entry(&self, mut visit: impl FnMut(Value, Value)) {
        for (key, value) in self.entries.iter().filter_map(|entry| entry.pair) {
            visit(key, value);
        }
    }

    /// A snapshot of the live entries in insertion order.
    pub fn entries(&self) -> Vec<(Value, Value)> {
        self.entries.iter().filter_map(|entry| entry.pair).collect()
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

    /// Random puts and removes of keys with deliberately colliding hashes, against a map.
    #[test]
    fn agrees_with_a_map_under_churn() {
        let mut table = HashTable::new(HashTest::Eql);
        let mut reference = std::collections::HashMap::new();
        let mut seed: u64 = 12345;
        for _ in 0..20_000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let key = ((seed >> 33) % 300) as i64;
            let hash = (key % 37) as u64 * 0x9e37_79b9;
            let present = table.find(hash, |k| k.eq(Value::Fixnum(key)));
            if seed & (1 << 20) == 0 {
                match present {
                    Some(slot) => table.set_value_at(slot, Value::Fixnum(key * 3)),
                    None => table.insert_new(hash, Value::Fixnum(key), Value::Fixnum(key * 3)),
                }
                reference.insert(key, key * 3);
            } else {
                if let Some(slot) = present {
                    table.remove_at(hash, slot);
                }
                reference.remove(&key);
            }
            assert_eq!(table.len(), reference.len());
        }
        for key in 0..300 {
            let hash = (key % 37) as u64 * 0x9e37_79b9;
            assert_eq!(find(&table, hash, key), reference.get(&key).copied());
        }
    }

    /// Hashes that agree in their low bits (fixnums hash to themselves, so multiples of a
    /// power of two do) share a first bucket but part ways as the probe mixes in the high
    /// bits; they are found and removed like any others, among consecutive keys.
    #[test]
    fn hashes_alike_in_their_low_bits_are_found_and_removed() {
        let mut table = HashTable::new(HashTest::Eql);
        let mut reference = std::collections::HashMap::new();
        let keys: Vec<i64> = (0..3000i64)
            .map(|k| k << 24)
            .chain(0..3000)
            .chain((0..3000).map(|k| -k - 1))
            .collect();
        for &key in &keys {
            table.insert_new(key as u64, Value::Fixnum(key), Value::Fixnum(key / 2));
            reference.insert(key, key / 2);
        }
        for &key in keys.iter().step_by(3) {
            let slot = table.find(key as u64, |k| k.eq(Value::Fixnum(key)));
            table.remove_at(key as u64, slot.expect("present"));
            reference.remove(&key);
        }
        for &key in keys.iter().chain(&[1 << 40, 7 << 24, 3001]) {
            assert_eq!(find(&table, key as u64, key), reference.get(&key).copied());
        }
        assert_eq!(table.len(), reference.len());
        assert!(table.used_buckets * 3 <= table.index.len() * 2);
    }

    /// A table used as a queue (new keys in, old keys out) does not grow without bound.
    #[test]
    fn removed_entries_are_squeezed_out() {
        let mut table = HashTable::new(HashTest::Eql);
        for key in 0..100_000i64 {
            table.insert_new(key as u64, Value::Fixnum(key), Value::Nil);
            if key >= 10 {
                let old = key - 10;
                let slot = table.find(old as u64, |k| k.eq(Value::Fixnum(old)));
                table.remove_at(old as u64, slot.expect("present"));
            }
        }
        assert_eq!(table.len(), 10);
        assert!(table.entries.len() <= 2 * 10 + SMALLEST_INDEX + 1);
        assert!(table.index.len() <= 64);
        let keys: Vec<_> = table.entries().into_iter().map(|(k, _)| k).collect();
        assert!(
            keys.iter()
                .zip(99_990..)
                .all(|(k, n)| k.eq(Value::Fixnum(n)))
        );
    }
}
