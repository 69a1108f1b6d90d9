//! The sizing parameters a hash table reports (`HASH-TABLE-SIZE`, `HASH-TABLE-REHASH-SIZE`,
//! `HASH-TABLE-REHASH-THRESHOLD`): what `MAKE-HASH-TABLE` was given, or SBCL's defaults.
//! swankd's tables grow as their storage needs; the size reported is a nominal capacity
//! that grows by the rehash size whenever the count passes it, as SBCL's does.

/// SBCL's smallest (and default) `HASH-TABLE-SIZE`.
pub const MIN_SIZE: usize = 7;

/// How a table's size grows when it fills: by a number of entries, or by a factor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RehashSize {
    /// An integer `:REHASH-SIZE` (at least 1): entries to add.
    Add(u64),
    /// A float `:REHASH-SIZE` (above 1.0): the factor to grow by, kept as a single float
    /// as SBCL returns it.
    Scale(f32),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sizing {
    pub size: usize,
    pub rehash_size: RehashSize,
    /// In [0.0, 1.0], as a single float (SBCL coerces what it is given).
    pub rehash_threshold: f32,
}

impl Default for Sizing {
    fn default() -> Self {
        Sizing {
            size: MIN_SIZE,
            rehash_size: RehashSize::Scale(1.5),
            rehash_threshold: 1.0,
        }
    }
}

impl Sizing {
    /// Sizing for a requested `:SIZE` (never below `MIN_SIZE`, as in SBCL).
    pub fn new(size: usize, rehash_size: RehashSize, rehash_threshold: f32) -> Self {
        Sizing {
            size: size.max(MIN_SIZE),
            rehash_size,
            rehash_threshold,
        }
    }

    /// Grows the nominal size until it holds `count` entries.
    pub fn make_room_for(&mut self, count: usize) {
        while self.size < count {
            let grown = match self.rehash_size {
                RehashSize::Add(amount) => self
                    .size
                    .saturating_add(usize::try_from(amount).unwrap_or(usize::MAX)),
                RehashSize::Scale(factor) => (self.size as f64 * f64::from(factor)) as usize,
            };
            self.size = grown.max(self.size.saturating_add(1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_grows_to_hold_the_count() {
        let mut sizing = Sizing::default();
        sizing.make_room_for(100);
        assert!(sizing.size >= 100);
        let mut by_ten = Sizing::new(0, RehashSize::Add(10), 1.0);
        assert_eq!(by_ten.size, MIN_SIZE);
        by_ten.make_room_for(8);
        assert_eq!(by_ten.size, 17);
    }
}
