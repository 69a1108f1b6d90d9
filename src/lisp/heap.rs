//! The heap: arenas for conses, symbols and objects, the allocation limit, and the
//! mark-sweep collector.
//!
//! Collection only happens at safe points chosen by the scheduler (between slices), so Rust
//! code may hold `Value`s freely while it runs. Roots are supplied by the caller.

use std::rc::Rc;

use super::bytecode::Proto;
use super::object::Object;
use super::symbol::Symbol;
use super::value::{ConsRef, ObjRef, SymRef, Value};

/// Allocation failed because the heap limit was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("heap exhausted ({limit} bytes)")]
pub struct HeapExhausted {
    pub limit: usize,
}

const CONS_SIZE: usize = 40;
const SYMBOL_SIZE: usize = 128;

/// The least allocation between two collections unless configured: collections come
/// often enough that garbage never takes much memory (`--collection-interval-kib`).
pub const DEFAULT_COLLECTION_INTERVAL: usize = 1 << 20;

/// Below this many slots an arena keeps its capacity when it empties.
const MIN_ARENA_SLOTS: usize = 4096;

/// A growable slot array with a free list and mark bits.
#[derive(Debug)]
struct Arena<T> {
    slots: Vec<Option<T>>,
    marks: Vec<bool>,
    free: Vec<u32>,
}

impl<T> Arena<T> {
    fn new() -> Self {
        Arena {
            slots: Vec::new(),
            marks: Vec::new(),
            free: Vec::new(),
        }
    }

    fn insert(&mut self, item: T) -> u32 {
        if let Some(index) = self.free.pop() {
            self.slots[index as usize] = Some(item);
            index
        } else {
            self.slots.push(Some(item));
            self.marks.push(false);
            (self.slots.len() - 1) as u32
        }
    }

    fn get(&self, index: u32) -> Option<&T> {
        self.slots.get(index as usize).and_then(Option::as_ref)
    }

    fn get_mut(&mut self, index: u32) -> Option<&mut T> {
        self.slots.get_mut(index as usize).and_then(Option::as_mut)
    }

    /// The item at `target` to change, beside the one at `other` to read; `None` when
    /// either slot is empty or they are the same.
    fn pair_mut(&mut self, target: u32, other: u32) -> Option<(&mut T, &T)> {
        let (target, other) = (target as usize, other as usize);
        if target.max(other) >= self.slots.len() || target == other {
            return None;
        }
        if target < other {
            let (low, high) = self.slots.split_at_mut(other);
            Some((low.get_mut(target)?.as_mut()?, high.first()?.as_ref()?))
        } else {
            let (low, high) = self.slots.split_at_mut(target);
            Some((high.first_mut()?.as_mut()?, low.get(other)?.as_ref()?))
        }
    }

    /// Marks a slot; returns true if it was not marked before.
    fn mark(&mut self, index: u32) -> bool {
        match self.marks.get_mut(index as usize) {
            Some(mark) if !*mark => {
                *mark = true;
                true
            }
            _ => false,
        }
    }

    /// Frees every unmarked slot, clears marks, and shows each item to `on_free` before it
    /// is freed.
    /// Then gives back the free slots at the end, and the memory they took once less than
    /// half of it was needed in the cycle that just ended (the slots it reached): a program
    /// allocating at a steady pace keeps the room it uses again in the next cycle instead of
    /// faulting its pages in afresh, while a burst's room goes at the first collection after
    /// it. The free list is rebuilt with the lowest slot last, where allocation takes from:
    /// live data gathers at the start, so a burst's slots at the end can be given back once
    /// it is garbage.
    fn sweep(&mut self, mut on_free: impl FnMut(&T)) {
        let needed = self.slots.len();
        self.free.clear();
        // Walked from the end, so the first marked slot met ends the live ones: the free
        // slots after it are cut off rather than listed.
        let mut live_end = 0;
        let slots = self.slots.iter_mut().zip(self.marks.iter_mut());
        for (index, (slot, mark)) in slots.enumerate().rev() {
            if *mark {
                *mark = false;
                if live_end == 0 && slot.is_some() {
                    live_end = index + 1;
                }
                continue;
            }
            // Dropped where it lies: moving an item out first would copy it whole.
            if let Some(item) = slot.as_ref() {
                on_free(item);
                *slot = None;
            }
            if live_end != 0 {
                self.free.push(index as u32);
            }
        }
        self.slots.truncate(live_end);
        self.marks.truncate(live_end);
        if self.slots.capacity() > 2 * needed + MIN_ARENA_SLOTS {
            let keep = needed.max(live_end + live_end / 2);
            self.slots.shrink_to(keep);
            self.marks.shrink_to(keep);
            self.free.shrink_to(self.free.len() * 2);
        }
    }

    /// The bytes of slots a sweep walks.
    fn swept_bytes(&self) -> usize {
        self.slots.len() * std::mem::size_of::<Option<T>>()
    }

    fn usage(&self) -> ArenaUsage {
        ArenaUsage {
            slots: self.slots.len(),
            free: self.free.len(),
        }
    }
}

/// How far one arena has grown, and how many of its slots the last collection freed and
/// no allocation has taken since.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArenaUsage {
    pub slots: usize,
    pub free: usize,
}

/// What ROOM reports: the bytes charged against the limit and each arena's fill.
#[derive(Debug, Clone, Copy)]
pub struct HeapUsage {
    pub bytes: usize,
    pub limit: usize,
    pub next_collection: usize,
    pub conses: ArenaUsage,
    pub symbols: ArenaUsage,
    pub objects: ArenaUsage,
}

/// Statistics from one collection.
#[derive(Debug, Clone, Copy, Default)]
pub struct CollectionStats {
    pub freed_bytes: usize,
    pub live_bytes: usize,
}

/// All Lisp data that is not an immediate.
#[derive(Debug)]
pub struct Heap {
    conses: Arena<[Value; 2]>,
    symbols: Arena<Symbol>,
    objects: Arena<Object>,
    bytes: usize,
    /// `bytes` right after the last collection: what was live then.
    live_after_collection: usize,
    limit: usize,
    next_collection: usize,
    collection_interval: usize,
    /// An allocation failed, or the scheduler asked, since the last collection: collect at
    /// the next safe point.
    collection_requested: bool,
    dead_symbol: Symbol,
}

/// Collects the reachable set during marking.
pub struct Marker<'a> {
    heap: &'a mut Heap,
    pending: Vec<Value>,
    protos: Vec<Rc<Proto>>,
}

impl Marker<'_> {
    pub fn value(&mut self, value: Value) {
        self.pending.push(value);
    }

    pub fn values(&mut self, values: &[Value]) {
        self.pending.extend_from_slice(values);
    }

    pub fn proto(&mut self, proto: &Rc<Proto>) {
        self.protos.push(proto.clone());
    }

    fn drain(&mut self) {
        loop {
            if let Some(value) = self.pending.pop() {
                self.visit(value);
            } else if let Some(proto) = self.protos.pop() {
                self.pending.extend_from_slice(&proto.constants);
                self.protos.extend(proto.children.iter().cloned());
            } else {
                break;
            }
        }
    }

    fn visit(&mut self, value: Value) {
        match value {
            Value::Cons(r) => {
                if self.heap.conses.mark(r.0)
                    && let Some([car, cdr]) = self.heap.conses.get(r.0)
                {
                    self.pending.push(*car);
                    self.pending.push(*cdr);
                }
            }
            Value::Symbol(r) => {
                if self.heap.symbols.mark(r.0)
                    && let Some(symbol) = self.heap.symbols.get(r.0)
                {
                    self.pending.push(symbol.value);
                    self.pending.push(symbol.function);
                    self.pending.push(symbol.plist);
                }
            }
            Value::Object(r) => {
                if self.heap.objects.mark(r.0)
                    && let Some(object) = self.heap.objects.get(r.0)
                {
                    let pending = &mut self.pending;
                    object.for_each_child(|child| pending.push(child));
                    if let Object::Closure(closure) = object {
                        self.protos.push(closure.proto.clone());
                    }
                }
            }
            _ => {}
        }
    }
}

impl Heap {
    pub fn new(limit: usize) -> Self {
        let mut heap = Heap {
            conses: Arena::new(),
            symbols: Arena::new(),
            objects: Arena::new(),
            bytes: 0,
            live_after_collection: 0,
            limit,
            next_collection: 0,
            collection_interval: DEFAULT_COLLECTION_INTERVAL,
            collection_requested: false,
            dead_symbol: Symbol::new(Rc::from("DEAD-SYMBOL"), None),
        };
        heap.next_collection = heap.collection_threshold(0, 0);
        heap
    }

    /// Sets the least allocation between two collections (see [`Self::collection_threshold`]).
    pub fn set_collection_interval(&mut self, bytes: usize) {
        self.collection_interval = bytes;
        self.next_collection = self.collection_threshold(self.live_after_collection, 0);
    }

    /// When to collect next, with `live` bytes surviving and arenas of `swept` bytes: after
    /// as much allocation as the collection cost (marking `live`, sweeping `swept`), but at
    /// least `collection_interval`; so the heap doubles while it grows, a small heap's garbage
    /// stays small, and collecting costs a bounded share of allocating. Never at or beyond
    /// the limit: near it, after half of the remaining room is used, so garbage is always
    /// reclaimed before allocation fails and a heap full of live data is not collected after
    /// every slice.
    fn collection_threshold(&self, live: usize, swept: usize) -> usize {
        let interval = self.collection_interval.max(live).max(swept);
        let relaxed = live.saturating_add(interval);
        if relaxed <= self.limit / 4 * 3 {
            relaxed
        } else {
            live + self.limit.saturating_sub(live) / 2
        }
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Bytes allocated since the last collection (garbage among them until one runs).
    pub fn allocated_since_collection(&self) -> usize {
        self.bytes.saturating_sub(self.live_after_collection)
    }

    fn charge(&mut self, size: usize) -> Result<(), HeapExhausted> {
        if self.bytes + size > self.limit {
            self.collection_requested = true;
            return Err(HeapExhausted { limit: self.limit });
        }
        self.bytes += size;
        Ok(())
    }

    /// True when enough has been allocated since the last collection, or an allocation
    /// failed since then.
    pub fn wants_collection(&self) -> bool {
        self.bytes >= self.next_collection || self.collection_requested
    }

    /// Asks for a collection at the next safe point (the scheduler does when a thread ends
    /// while the heap is near its limit: what it held may be what filled the heap; so does
    /// `swankd:gc`).
    pub fn request_collection(&mut self) {
        self.collection_requested = true;
    }

    /// True when the heap is close enough to its limit that a collection is urgent.
    pub fn near_limit(&self) -> bool {
        self.bytes > self.limit / 4 * 3
    }

    pub fn cons(&mut self, car: Value, cdr: Value) -> Result<Value, HeapExhausted> {
        self.charge(CONS_SIZE)?;
        Ok(Value::Cons(ConsRef(self.conses.insert([car, cdr]))))
    }

    pub fn alloc(&mut self, object: Object) -> Result<Value, HeapExhausted> {
        self.charge(object.approximate_size())?;
        Ok(Value::Object(ObjRef(self.objects.insert(object))))
    }

    pub fn alloc_symbol(&mut self, symbol: Symbol) -> Result<SymRef, HeapExhausted> {
        self.charge(SYMBOL_SIZE + symbol.name.len())?;
        Ok(SymRef(self.symbols.insert(symbol)))
    }

    /// Records growth of an existing object (e.g. a string or vector that was extended).
    /// Fails as an allocation of `size` bytes would, without allocating: checked before
    /// building a large object, so that the memory is never taken from the system.
    pub fn room_for(&mut self, size: usize) -> Result<(), HeapExhausted> {
        if self.bytes.saturating_add(size) > self.limit {
            self.collection_requested = true;
            return Err(HeapExhausted { limit: self.limit });
        }
        Ok(())
    }

    pub fn grew(&mut self, extra: usize) -> Result<(), HeapExhausted> {
        self.charge(extra)
    }

    pub fn car_cdr(&self, r: ConsRef) -> (Value, Value) {
        match self.conses.get(r.0) {
            Some([car, cdr]) => (*car, *cdr),
            None => (Value::Nil, Value::Nil),
        }
    }

    pub fn set_car(&mut self, r: ConsRef, value: Value) {
        if let Some(cell) = self.conses.get_mut(r.0) {
            cell[0] = value;
        }
    }

    pub fn set_cdr(&mut self, r: ConsRef, value: Value) {
        if let Some(cell) = self.conses.get_mut(r.0) {
            cell[1] = value;
        }
    }

    pub fn symbol(&self, r: SymRef) -> &Symbol {
        match self.symbols.get(r.0) {
            Some(symbol) => symbol,
            None => &self.dead_symbol,
        }
    }

    pub fn symbol_mut(&mut self, r: SymRef) -> Option<&mut Symbol> {
        self.symbols.get_mut(r.0)
    }

    pub fn object(&self, r: ObjRef) -> Option<&Object> {
        self.objects.get(r.0)
    }

    pub fn object_mut(&mut self, r: ObjRef) -> Option<&mut Object> {
        self.objects.get_mut(r.0)
    }

    /// The object `target` to change, beside another one, `other`, to read (`None` if they
    /// are the same object).
    pub fn object_beside(
        &mut self,
        target: ObjRef,
        other: ObjRef,
    ) -> Option<(&mut Object, &Object)> {
        self.objects.pair_mut(target.0, other.0)
    }

    /// Runs a full collection. `roots` marks everything the caller keeps alive.
    pub fn collect(&mut self, roots: impl FnOnce(&mut Marker)) -> CollectionStats {
        let before = self.bytes;
        let mut marker = Marker {
            heap: self,
            pending: Vec::new(),
            protos: Vec::new(),
        };
        roots(&mut marker);
        marker.drain();
        let mut freed = 0usize;
        self.conses.sweep(|_| freed += CONS_SIZE);
        self.symbols.sweep(|s| freed += SYMBOL_SIZE + s.name.len());
        self.objects.sweep(|o| freed += o.approximate_size());
        self.bytes = self.bytes.saturating_sub(freed);
        self.live_after_collection = self.bytes;
        let swept =
            self.conses.swept_bytes() + self.symbols.swept_bytes() + self.objects.swept_bytes();
        self.next_collection = self.collection_threshold(self.bytes, swept);
        self.collection_requested = false;
        CollectionStats {
            freed_bytes: before.saturating_sub(self.bytes),
            live_bytes: self.bytes,
        }
    }

    pub fn usage(&self) -> HeapUsage {
        HeapUsage {
            bytes: self.bytes,
            limit: self.limit,
            next_collection: self.next_collection,
            conses: self.conses.usage(),
            symbols: self.symbols.usage(),
            objects: self.objects.usage(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_collection_always_comes_before_the_limit() {
        for limit in [1 << 20, 64 << 20, 2 << 30] {
            let heap = Heap::new(limit);
            for live in [0, limit / 2, limit / 4 * 3, limit - 100] {
                let threshold = heap.collection_threshold(live, live);
                assert!(threshold < limit, "limit {limit}, live {live}: {threshold}");
                assert!(threshold > live, "limit {limit}, live {live}: {threshold}");
            }
        }
        // Far from the limit, the heap may double, and grows by at least the interval.
        let heap = Heap::new(2 << 30);
        assert_eq!(heap.collection_threshold(100 << 20, 0), 200 << 20);
        assert_eq!(
            heap.collection_threshold(1 << 10, 0),
            (1 << 10) + DEFAULT_COLLECTION_INTERVAL
        );
        // Large arenas (mostly free slots) wait for as much allocation as sweeping them.
        assert_eq!(heap.collection_threshold(1 << 20, 80 << 20), 81 << 20);
    }

    /// A small heap's garbage is collected after the interval, not once the heap reaches some
    /// fixed size: a service that allocates a little per request stays small under load.
    #[test]
    fn a_small_heap_collects_after_the_interval() {
        let mut heap = Heap::new(2 << 30);
        heap.set_collection_interval(256 << 10);
        let mut allocated = 0;
        while !heap.wants_collection() {
            assert!(heap.cons(Value::Nil, Value::Nil).is_ok());
            allocated += CONS_SIZE;
        }
        assert!(allocated <= (256 << 10) + CONS_SIZE, "{allocated}");
        heap.collect(|_| {});
        assert!(!heap.wants_collection());
        assert_eq!(heap.usage().conses.slots, 0);
    }

    /// After a burst of garbage the arena gives its slots back, and live data allocated
    /// after a collection goes to the lowest free slots, so a later burst's end can be given
    /// back too.
    #[test]
    fn an_arena_gives_back_the_slots_a_burst_of_garbage_took() {
        let mut heap = Heap::new(1 << 30);
        let mut kept = Vec::new();
        for i in 0..100_000 {
            let cons = heap
                .cons(Value::Fixnum(i), Value::Nil)
                .unwrap_or(Value::Nil);
            if i % 50_000 == 0 {
                kept.push(cons);
            }
        }
        heap.collect(|marker| marker.values(&kept));
        let usage = heap.usage().conses;
        // The second kept cons was allocated half-way: the arena ends just after it.
        assert_eq!(usage.slots, 50_001);
        assert_eq!(usage.free, 49_999);
        let fresh = heap.cons(Value::Nil, Value::Nil).unwrap_or(Value::Nil);
        assert!(matches!(fresh, Value::Cons(ConsRef(1))), "{fresh:?}");
        kept.truncate(1);
        heap.collect(|marker| marker.values(&kept));
        assert_eq!(heap.usage().conses, ArenaUsage { slots: 1, free: 0 });
    }

    #[test]
    fn a_failed_allocation_asks_for_a_collection_that_makes_room_again() {
        let mut heap = Heap::new(1 << 20);
        let mut failed = false;
        for _ in 0..100_000 {
            if heap.cons(Value::Nil, Value::Nil).is_err() {
                failed = true;
                break;
            }
        }
        assert!(failed, "a 1 MiB heap filled up");
        assert!(heap.wants_collection());
        heap.collect(|_| {});
        assert!(!heap.wants_collection());
        assert_eq!(heap.bytes(), 0);
        assert!(heap.cons(Value::Nil, Value::Nil).is_ok());
    }
}
