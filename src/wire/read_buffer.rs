//! The buffer socket reads go through before their bytes join a frame decoder: one per
//! thread, not one per connection, so that hundreds of idle connections do not each keep
//! 16 KiB that only the moment of a read needs.

use std::cell::Cell;

/// How many bytes are read from a socket at a time.
pub const READ_CHUNK_BYTES: usize = 16 * 1024;

thread_local! {
    static READ_BUFFER: Cell<Box<[u8]>> = Cell::new(Box::default());
}

/// Runs `read` with this thread's read buffer, [`READ_CHUNK_BYTES`] long. A call made while
/// the buffer is in use (inside `read`) gets a buffer of its own.
pub fn with_read_buffer<T>(read: impl FnOnce(&mut [u8]) -> T) -> T {
    let mut buffer = READ_BUFFER.try_with(|cell| cell.take()).unwrap_or_default();
    if buffer.len() != READ_CHUNK_BYTES {
        buffer = vec![0; READ_CHUNK_BYTES].into_boxed_slice();
    }
    let result = read(&mut buffer);
    let _ = READ_BUFFER.try_with(|cell| cell.set(buffer));
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nested_read_gets_a_buffer_of_its_own_and_the_thread_keeps_one() {
        let seen = with_read_buffer(|outer| {
            outer[0] = 1;
            let inner = with_read_buffer(|inner| {
                inner[0] = 2;
                inner.len()
            });
            (outer[0], outer.len(), inner)
        });
        assert_eq!(seen, (1, READ_CHUNK_BYTES, READ_CHUNK_BYTES));
        let address = with_read_buffer(|buffer| buffer.as_ptr() as usize);
        assert_eq!(with_read_buffer(|buffer| buffer.as_ptr() as usize), address);
    }
}
