//! The interpreter side of the Swank protocol: the session loop that runs requests on green
//! threads (`session`, `scheduler`), the Swank functions (`rpc` in Rust, `prelude.lisp` in
//! Lisp), and conversion between wire data and Lisp values (`wire_value`).

mod host;
mod package_name;
mod rpc;
mod scheduler;
mod session;
mod wire_value;

use std::rc::Rc;
use std::sync::mpsc::Receiver;

use crate::events::ToInterpreter;
use crate::lisp::error::LispResult;
use crate::lisp::object::Object;
use crate::lisp::system::{self, SystemConfig};
use crate::lisp::thread::LispThread;
use crate::lisp::vm::Vm;
use crate::runtime::RuntimeConfig;

pub use session::Session;

const SWANK_PRELUDE: &str = include_str!("prelude.lisp");

/// Boots an image with the Swank functions installed.
pub fn boot(config: &SystemConfig) -> LispResult<Vm> {
    let mut vm = system::boot(config)?;
    let mut table = std::mem::take(&mut vm.builtins);
    rpc::install(&mut table, &mut vm.image)?;
    vm.builtins = table;
    load_swank_prelude(&mut vm)?;
    Ok(vm)
}

fn load_swank_prelude(vm: &mut Vm) -> LispResult<()> {
    let swank = vm.image.pkg.swank;
    let mut thread = LispThread::new(0, "boot");
    let package = vm.image.heap.alloc(Object::Package(swank))?;
    vm.bind_special(&mut thread, vm.image.sym.package_var, package);
    for form in system::read_all(vm, SWANK_PRELUDE, swank)? {
        system::eval_to_completion(vm, &mut thread, form)?;
    }
    vm.reset_thread(&mut thread);
    for id in [swank, vm.image.pkg.swank_repl] {
        let names: Vec<Rc<str>> = vm.image.packages.get(id).present.keys().cloned().collect();
        for name in names {
            vm.image.packages.export(id, name);
        }
    }
    Ok(())
}

/// The interpreter thread's main function.
pub fn interpreter_main(
    config: RuntimeConfig,
    receiver: Receiver<ToInterpreter>,
    exit: tokio::sync::oneshot::Sender<i32>,
) {
    let vm = match boot(&SystemConfig::default()) {
        Ok(vm) => vm,
        Err(error) => {
            tracing::error!(?error, "the interpreter failed to boot");
            let _ = exit.send(70);
            return;
        }
    };
    let host = host::SwankHost {
        slime_version: config.slime_version.clone(),
        allow_quit: config.allow_quit,
        ..Default::default()
    };
    let mut session = Session::new(vm, Rc::new(std::cell::RefCell::new(host)), exit);
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
