//! Fuzzes the wire reader (`swankd::wire::reader::read_datum`), which reads the text Emacs
//! sends in every frame, and the message decoder behind it (`swankd::wire::message::decode`).
//!
//! Any text gives a datum or a typed `ReadError`, never a panic, under the default limits and
//! under tight ones. A datum read is printed by the wire printer, and that text must read
//! back to a datum that prints the same (printing is a fixed point after one read), then it
//! is decoded as a message: a typed `EmacsMessage` or a typed `DecodeError`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use swankd::wire::message;
use swankd::wire::printer::print;
use swankd::wire::reader::{ReaderLimits, read_datum};
use swankd::wire::value::dispose;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let tight = ReaderLimits {
        max_depth: 8,
        max_nodes: 64,
    };
    if let Ok(datum) = read_datum(&text, &tight) {
        dispose(datum);
    }
    let Ok(datum) = read_datum(&text, &ReaderLimits::default()) else {
        return;
    };
    let printed = print(&datum);
    match read_datum(&printed, &ReaderLimits::default()) {
        Ok(again) => {
            assert_eq!(print(&again), printed, "printing is not a fixed point");
            dispose(again);
        }
        Err(error) => panic!("the printed datum {printed:?} does not read back: {error}"),
    }
    let _ = message::decode(datum);
});
