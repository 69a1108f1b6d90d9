//! Fuzzes the Lisp reader (`swankd::lisp::reader::read_one`), which reads every form a user
//! evaluates or compiles, and the conversion of what it reads into heap values.
//!
//! Any text reads as a sequence of data ending in `Ok(None)` or a typed `ReadError`, never a
//! panic, and every datum read advances the position to a character boundary within the
//! text, so a caller's read loop always ends. Each datum is converted into the image
//! (`datum_to_value`: a value or a typed `LispError`) and printed with `PRIN1`; what PRIN1
//! prints must read back and print the same again.

#![no_main]

use libfuzzer_sys::fuzz_target;
use swankd::lisp::convert::datum_to_value;
use swankd::lisp::print::prin1_to_string;
use swankd::lisp::reader::{ReadOptions, read_one};
use swankd_fuzz::sandbox::with_sandbox;

/// Data read from one input at most: each may be converted and printed, which costs more.
const MAX_DATA: usize = 64;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    with_sandbox(move |sandbox| {
        let options = ReadOptions::default();
        sandbox.collect_if_wanted();
        let image = &mut sandbox.vm.image;
        let package = image.pkg.cl_user;
        let mut position = 0;
        for _ in 0..MAX_DATA {
            let Ok(Some((datum, end))) = read_one(&text, position, &options) else {
                return;
            };
            assert!(end > position, "no progress at byte {position}");
            assert!(text.is_char_boundary(end), "ended inside a character");
            position = end;
            let Ok(value) = datum_to_value(image, &datum, package) else {
                continue;
            };
            let printed = prin1_to_string(image, value);
            let again = match read_one(&printed, 0, &options) {
                Ok(Some((again, _))) => again,
                other => panic!("PRIN1 printed {printed:?}, which reads as {other:?}"),
            };
            if let Ok(again) = datum_to_value(image, &again, package) {
                assert_eq!(prin1_to_string(image, again), printed, "not a fixed point");
            }
        }
    });
});
