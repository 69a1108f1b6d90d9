//! The interpreter side of the Swank protocol: the session loop that runs requests on green
//! threads (`session`, `scheduler`), the Swank functions (`rpc` in Rust, `prelude.lisp` in
//! Lisp), and conversion between wire data and Lisp values (`wire_value`).

mod apropos;
mod compile_notes;
mod completion;
mod connection_state;
mod debugger;
mod definitions;
mod direct_reading;
mod host;
mod idle_tidying;
mod listeners;
mod output;
mod package_name;
mod rpc;
mod scheduler;
mod session;
mod sockets;
mod threads;
mod websockets;
mod wire_value;
mod xref;

use std::rc::Rc;
use std::sync::mpsc::Receiver;

use crate::events::ToInterpreter;
use crate::lisp::boot_text::{BootText, boot_text};
use crate::lisp::error::{LispError, LispResult};
use crate::lisp::system::{self, SystemConfig};
use crate::lisp::thread::LispThread;
use crate::lisp::vm::Vm;
use crate::runtime::RuntimeConfig;

pub use session::Session;

/// Lisp sources compiled at boot, each read in its package, and whether every symbol of
/// that package becomes external afterwards.
const LISP_SOURCES: &[(&str, BootText, bool)] = &[
    ("SWANK", boot_text!("src/swank/prelude.lisp"), true),
    (
        "BORDEAUX-THREADS",
        boot_text!("src/swank/threads.lisp"),
        true,
    ),
    ("USOCKET", boot_text!("src/swank/usocket.lisp"), false),
    (
        "SWANKD-WEBSOCKET",
        boot_text!("src/swank/websocket.lisp"),
        false,
    ),
    ("SWANK", boot_text!("src/swank/debugger.lisp"), true),
    ("SWANK", boot_text!("src/swank/inspector.lisp"), true),
    ("SWANK", boot_text!("src/swank/trace.lisp"), true),
    ("SWANK", boot_text!("src/swank/indentation.lisp"), true),
    ("SWANKD", boot_text!("src/swank/modules.lisp"), false),
    (
        "SWANK-MACROSTEP",
        boot_text!("src/swank/macrostep.lisp"),
        false,
    ),
    (
        "SWANK-TRACE-DIALOG",
        boot_text!("src/swank/trace_dialog.lisp"),
        false,
    ),
];

/// Symbols defined by `modules.lisp` in standard packages, and exported from them.
const MODULE_EXPORTS: &[(&str, &[&str])] = &[
    (
        "COMMON-LISP",
        &[
            "REQUIRE",
            "PROVIDE",
            "*MODULES*",
            "BREAK",
            "TRACE",
            "UNTRACE",
        ],
    ),
    ("QUICKLISP-CLIENT", &["QUICKLOAD"]),
    ("ASDF", &["LOAD-SYSTEM", "REQUIRE-SYSTEM"]),
    ("SWANK-LOADER", &["INIT"]),
    (
        "USOCKET",
        &[
            "*WILDCARD-HOST*",
            "*AUTO-PORT*",
            "SOCKET-CONDITION",
            "SOCKET-ERROR",
            "ADDRESS-IN-USE-ERROR",
            "CONNECTION-REFUSED-ERROR",
            "TIMEOUT-ERROR",
            "HOST-UNREACHABLE-ERROR",
            "NS-HOST-NOT-FOUND-ERROR",
            "UNKNOWN-ERROR",
            "USOCKET-SOCKET",
            "USOCKET",
            "STREAM-USOCKET",
            "STREAM-SERVER-USOCKET",
            "SOCKET",
            "SOCKET-STREAM",
            "SOCKET-STATE",
            "SOCKET-LISTEN",
            "SOCKET-ACCEPT",
            "SOCKET-CONNECT",
            "SOCKET-CLOSE",
            "SOCKET-SHUTDOWN",
            "GET-LOCAL-ADDRESS",
            "GET-LOCAL-PORT",
            "GET-LOCAL-NAME",
            "GET-PEER-ADDRESS",
            "GET-PEER-PORT",
            "GET-PEER-NAME",
            "WAIT-FOR-INPUT",
            "WITH-MAPPED-CONDITIONS",
            "WITH-CONNECTED-SOCKET",
            "WITH-SERVER-SOCKET",
            "WITH-CLIENT-SOCKET",
            "WITH-SOCKET-LISTENER",
            "SOCKET-SERVER",
            "TCP-EVENT-LOOP",
            "DEFAULT-TCP-HANDLER",
            "ECHO-TCP-HANDLER",
            "*SERVER*",
            "*REMOTE-HOST*",
            "*REMOTE-PORT*",
        ],
    ),
    (
        "SWANKD-WEBSOCKET",
        &[
            "PUBLISH-WEBSOCKET",
            "ENDPOINT-PORT",
            "STOP-WEBSOCKET",
            "SEND",
            "CLOSE-WEBSOCKET",
            "OPEN-WEBSOCKET",
        ],
    ),
    ("SWANK-MACROSTEP", &["MACROSTEP-EXPAND-1", "MACRO-FORM-P"]),
    (
        "SWANK-TRACE-DIALOG",
        &[
            "CLEAR-TRACE-TREE",
            "DIALOG-TOGGLE-TRACE",
            "DIALOG-TRACE",
            "DIALOG-TRACED-P",
            "DIALOG-UNTRACE",
            "DIALOG-UNTRACE-ALL",
            "INSPECT-TRACE-PART",
            "REPORT-PARTIAL-TREE",
            "REPORT-SPECS",
            "REPORT-TOTAL",
            "REPORT-TRACE-DETAIL",
            "FIND-TRACE",
            "FIND-TRACE-PART",
        ],
    ),
];

/// Boots an image with the Swank functions installed.
pub fn boot(config: &SystemConfig) -> LispResult<Vm> {
    let mut vm = system::boot(config)?;
    create_packages(&mut vm);
    let mut table = std::mem::take(&mut vm.builtins);
    rpc::install(&mut table, &mut vm.image)?;
    threads::install(&mut table, &mut vm.image)?;
    listeners::install(&mut table, &mut vm.image)?;
    sockets::install(&mut table, &mut vm.image)?;
    websockets::install(&mut table, &mut vm.image)?;
    debugger::install(&mut table, &mut vm.image)?;
    definitions::install(&mut table, &mut vm.image)?;
    compile_notes::install(&mut table, &mut vm.image)?;
    xref::install(&mut table, &mut vm.image)?;
    apropos::install(&mut table, &mut vm.image)?;
    completion::install(&mut table, &mut vm.image)?;
    vm.builtins = table;
    for (package, text, export) in LISP_SOURCES {
        load_source(&mut vm, package, &text.text()?)?;
        if *export {
            export_all(&mut vm, package);
        }
    }
    export_all(&mut vm, "SWANK-REPL");
    for (package, names) in MODULE_EXPORTS {
        if let Some(id) = vm.image.packages.find(package) {
            for name in *names {
                vm.image.packages.export(id, Rc::from(*name));
            }
        }
    }
    // Again, for what the Swank sources define in COMMON-LISP.
    crate::lisp::builtin_docs::install(&mut vm.image);
    Ok(vm)
}

/// The packages of the libraries swankd stands in for.
fn create_packages(vm: &mut Vm) {
    let packages = &mut vm.image.packages;
    let cl = vm.image.pkg.cl;
    for (name, nicknames) in [
        ("BORDEAUX-THREADS", &["BT"][..]),
        ("QUICKLISP-CLIENT", &["QL"][..]),
        ("ASDF", &[][..]),
        ("USOCKET", &[][..]),
        ("SWANKD-WEBSOCKET", &["WS"][..]),
        ("SWANK-MACROSTEP", &[][..]),
        ("SWANK-TRACE-DIALOG", &[][..]),
    ] {
        let id = packages.create(name, nicknames);
        packages.use_package(id, cl);
    }
    // Uses no package: its INIT must be its own symbol, whatever COMMON-LISP exports.
    packages.create("SWANK-LOADER", &[]);
}

fn load_source(vm: &mut Vm, package: &str, text: &str) -> LispResult<()> {
    let package = vm
        .image
        .packages
        .find(package)
        .ok_or_else(|| LispError::simple(format!("boot: no package {package}")))?;
    let mut thread = LispThread::new(0, "boot");
    let package_object = vm.image.package_object(package)?;
    vm.bind_special(&mut thread, vm.image.sym.package_var, package_object);
    system::load_boot_source(vm, &mut thread, text, package)?;
    vm.reset_thread(&mut thread);
    Ok(())
}

fn export_all(vm: &mut Vm, package: &str) {
    let Some(id) = vm.image.packages.find(package) else {
        return;
    };
    let names: Vec<Rc<str>> = vm.image.packages.get(id).present.keys().cloned().collect();
    for name in names {
        vm.image.packages.export(id, name);
    }
}

/// The interpreter thread's main function.
pub fn interpreter_main(
    config: RuntimeConfig,
    receiver: Receiver<ToInterpreter>,
    exit: tokio::sync::oneshot::Sender<i32>,
) {
    let vm = match boot(&config.system) {
        Ok(vm) => vm,
        Err(error) => {
            tracing::error!(?error, "the interpreter failed to boot");
            let _ = exit.send(70);
            return;
        }
    };
    let host = host::SwankHost {
        slime_version: config.slime_version.clone(),
        unacknowledged_output_limit: config.unacknowledged_output_limit,
        allow_quit: config.allow_quit,
        orphan_errors: config.orphan_errors,
        listeners: config.listeners.clone(),
        sockets: config.sockets.clone(),
        ..Default::default()
    };
    let mut session = Session::new(vm, Rc::new(std::cell::RefCell::new(host)), exit);
    session.idle_spin = config.idle_spin;
    session.idle_tidying = idle_tidying::IdleTidying::new(config.idle_collection_bytes);
    let files: Vec<String> = config
        .files
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    if !files.is_empty() || !config.evals.is_empty() {
        session.start_program(&files, &config.evals);
    }
    session.run(&receiver);
}
