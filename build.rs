//! Deflates the texts swankd reads only while it boots (its Lisp sources and the tables it
//! loads then) into `OUT_DIR`, so that the binary carries them compressed and a running
//! daemon never has them resident (`src/lisp/boot_text.rs` inflates them).

use std::path::Path;

/// Paths from the package root; each becomes `OUT_DIR/PATH.deflate`: its length, then its
/// deflated bytes.
const BOOT_TEXTS: &[&str] = &[
    "src/lisp/prelude.lisp",
    "src/lisp/clos.lisp",
    "src/lisp/builtin_docs.txt",
    "src/swank/prelude.lisp",
    "src/swank/threads.lisp",
    "src/swank/usocket.lisp",
    "src/swank/websocket.lisp",
    "src/swank/debugger.lisp",
    "src/swank/inspector.lisp",
    "src/swank/trace.lisp",
    "src/swank/indentation.lisp",
    "src/swank/modules.lisp",
    "src/swank/macrostep.lisp",
    "src/swank/trace_dialog.lisp",
];

/// miniz's best compression: the texts are deflated once per build.
const LEVEL: u8 = 9;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?;
    for path in BOOT_TEXTS {
        println!("cargo:rerun-if-changed={path}");
        let text = std::fs::read(path)?;
        let target = Path::new(&out).join(format!("{path}.deflate"));
        if let Some(directory) = target.parent() {
            std::fs::create_dir_all(directory)?;
        }
        // The inflated length first (u32, little-endian), so boot can size its buffer.
        let mut deflated = u32::try_from(text.len())?.to_le_bytes().to_vec();
        deflated.extend(miniz_oxide::deflate::compress_to_vec(&text, LEVEL));
        std::fs::write(target, deflated)?;
    }
    Ok(())
}
