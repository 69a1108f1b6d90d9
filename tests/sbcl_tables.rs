//! The tables swankd takes from SBCL, the oracle: the symbols COMMON-LISP exports
//! (src/lisp/cl_symbols.txt) and the lambda lists of its builtins
//! (src/lisp/builtin_arglists.txt). Each is still what SBCL says, and swankd uses it.

use std::path::Path;
use std::process::Command;

use swankd::lisp::system::{self, SystemConfig};

#[path = "support/stack.rs"]
mod stack;
use stack::on_interpreter_stack;

const TABLE: &str = include_str!("../src/lisp/builtin_arglists.txt");
const CL_SYMBOLS: &str = include_str!("../src/lisp/cl_symbols.txt");

/// Checks that `table` is what `script` prints under SBCL (when SBCL is installed).
fn check_generated(script: &str, table: &str, file: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(script);
    let output = match Command::new("sbcl").arg("--script").arg(&path).output() {
        Ok(output) => output,
        Err(_) => {
            eprintln!(
                "SBCL is not installed; skipping the oracle check (scripts/test installs it)"
            );
            return;
        }
    };
    assert!(output.status.success(), "{script} failed");
    let generated = String::from_utf8_lossy(&output.stdout);
    assert!(
        generated == table,
        "{file} differs from what SBCL says; regenerate it with `sbcl --script {script} > {file}`"
    );
}

#[test]
fn the_tables_are_what_sbcl_says() {
    check_generated(
        "scripts/builtin-arglists.lisp",
        TABLE,
        "src/lisp/builtin_arglists.txt",
    );
    check_generated(
        "scripts/cl-symbols.lisp",
        CL_SYMBOLS,
        "src/lisp/cl_symbols.txt",
    );
}

#[test]
fn common_lisp_exports_every_standard_symbol() {
    on_interpreter_stack(|| {
        let vm = system::boot(&SystemConfig::default()).unwrap_or_else(|e| panic!("{e:?}"));
        let cl = vm.image.pkg.cl;
        let missing: Vec<&str> = CL_SYMBOLS
            .lines()
            .filter(|name| vm.image.packages.find_external(cl, name).is_none())
            .collect();
        assert!(
            missing.is_empty(),
            "COMMON-LISP does not export {missing:?}"
        );
        assert_eq!(CL_SYMBOLS.lines().count(), 978);
    });
}

#[test]
fn every_common_lisp_operator_swankd_defines_has_an_arglist() {
    on_interpreter_stack(|| {
        let vm = system::boot(&SystemConfig::default()).unwrap_or_else(|e| panic!("{e:?}"));
        let image = &vm.image;
        let cl = image.pkg.cl;
        let mut missing = Vec::new();
        let mut checked = 0;
        for line in TABLE.lines() {
            let Some((name, _)) = line.split_once(' ') else {
                continue;
            };
            let Some(sym) = image.packages.find_external(cl, name) else {
                continue;
            };
            let symbol = image.heap.symbol(sym);
            let defined = !matches!(symbol.function, swankd::lisp::value::Value::Unbound)
                || swankd::lisp::builtin_arglists::is_special_operator_name(name);
            if !defined {
                continue;
            }
            checked += 1;
            if symbol
                .info
                .as_ref()
                .and_then(|i| i.arglist.as_ref())
                .is_none()
            {
                missing.push(name);
            }
        }
        assert!(missing.is_empty(), "no arglist for {missing:?}");
        assert!(checked > 300, "only {checked} operators checked");
        let arglist = |name: &str| {
            let sym = image
                .packages
                .find_external(cl, name)
                .unwrap_or_else(|| panic!("{name} is not in COMMON-LISP"));
            image
                .heap
                .symbol(sym)
                .info
                .as_ref()
                .and_then(|i| i.arglist.clone())
        };
        assert_eq!(arglist("IF").as_deref(), Some("(TEST THEN &OPTIONAL ELSE)"));
        assert_eq!(arglist("GET-INTERNAL-RUN-TIME").as_deref(), Some("NIL"));
    });
}
