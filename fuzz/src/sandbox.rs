//! One booted image per fuzzing process, with small limits, and an evaluation that always
//! ends: a fuel budget bounds instructions, `Limits` bounds call depth, stack and macro
//! expansion, and the heap limit bounds memory. Booting takes a while, so the image is
//! booted once and reused; the generated forms never define anything global, so one input
//! does not change what the next one does beyond interned symbols and the collector's state.
//!
//! As in the daemon, the image lives on its own thread with the interpreter's native stack
//! ([`swankd::runtime::INTERPRETER_STACK_BYTES`]): the printer, the compiler and data
//! conversion recurse up to depth limits sized for that stack, not for the 8 MiB of the
//! fuzzer's main thread. [`with_sandbox`] runs a job there and waits for it.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Mutex, OnceLock};

use swankd::lisp::builtins::compile_to_function;
use swankd::lisp::error::LispError;
use swankd::lisp::system::{self, SystemConfig};
use swankd::lisp::thread::LispThread;
use swankd::lisp::value::Value;
use swankd::lisp::vm::{Limits, Outcome, Vm};
use swankd::runtime::INTERPRETER_STACK_BYTES;

/// Instructions one evaluation may run.
pub const FUEL: u64 = 2_000_000;

/// Heap of the image: boot needs some tens of MiB; the rest bounds what a form can allocate.
pub const HEAP_BYTES: usize = 256 << 20;

/// A booted image and a thread to evaluate in.
pub struct Sandbox {
    pub vm: Vm,
    pub thread: LispThread,
}

/// How a bounded evaluation ended.
#[derive(Debug)]
pub enum Ended {
    Values(Vec<Value>),
    Error(LispError),
    OutOfFuel,
    /// The form tried to sleep or wait, which only the scheduler can do.
    Parked,
}

impl Sandbox {
    /// Boots the image. A boot failure is a bug in swankd, not in the input: it panics.
    pub fn boot() -> Sandbox {
        let config = SystemConfig {
            heap_limit: HEAP_BYTES,
            collection_interval: swankd::lisp::heap::DEFAULT_COLLECTION_INTERVAL,
            limits: Limits {
                max_frames: 2_000,
                max_stack: 200_000,
                nested_fuel: 1_000_000,
                max_form_nesting: 500,
                overflow_headroom: 100,
            },
        };
        match system::boot(&config) {
            Ok(vm) => Sandbox {
                vm,
                thread: LispThread::new(1, "fuzz"),
            },
            Err(error) => panic!("the image does not boot: {error:?}"),
        }
    }

    /// Compiles and runs `form` for at most [`FUEL`] instructions. The thread is left clean
    /// for the next evaluation whatever happened.
    pub fn eval(&mut self, form: Value) -> Ended {
        let Sandbox { vm, thread } = self;
        let function = match compile_to_function(vm, thread, form) {
            Ok(function) => function,
            Err(error) => {
                vm.reset_thread(thread);
                return Ended::Error(error);
            }
        };
        if let Err(error) = vm.start_call(thread, function, &[]) {
            vm.reset_thread(thread);
            return Ended::Error(error);
        }
        let depth = thread.frames.len().saturating_sub(1);
        let ended = match vm.run(thread, FUEL, depth) {
            Outcome::Finished(values) => Ended::Values(values),
            Outcome::Yielded => Ended::OutOfFuel,
            Outcome::Parked(_) => Ended::Parked,
            Outcome::Failed(error) => Ended::Error(error),
        };
        vm.reset_thread(thread);
        self.collect_if_wanted();
        ended
    }

    /// Collects garbage when the heap asks for it, with the roots the daemon uses between
    /// slices (every interned symbol and every package): nothing else is live once a thread
    /// is reset. Without it the image fills up over a long run.
    pub fn collect_if_wanted(&mut self) {
        let image = &mut self.vm.image;
        if !image.heap.wants_collection() {
            return;
        }
        let symbols: Vec<_> = image.packages.all_symbols().collect();
        let packages = image.package_objects();
        image.heap.collect(|marker| {
            for sym in symbols {
                marker.value(Value::Symbol(sym));
            }
            marker.values(&packages);
        });
    }
}

/// Jobs between two boots. Every symbol an input interns stays (symbols are roots), so a
/// long run would otherwise grow the image and slow each collection without end.
const REBOOT_EVERY: usize = 2_000;

type Job = Box<dyn FnOnce(&mut Sandbox) + Send>;

/// The thread that owns the sandbox: jobs go in, a signal comes back when each is done.
struct Worker {
    jobs: Sender<Job>,
    done: Receiver<()>,
}

static WORKER: OnceLock<Mutex<Worker>> = OnceLock::new();

fn start_worker() -> Mutex<Worker> {
    let (jobs, job_receiver) = channel::<Job>();
    let (done_sender, done) = channel();
    let spawned = std::thread::Builder::new()
        .name("fuzz-lisp".into())
        .stack_size(INTERPRETER_STACK_BYTES)
        .spawn(move || {
            let mut sandbox = Sandbox::boot();
            for (count, job) in job_receiver.into_iter().enumerate() {
                if count % REBOOT_EVERY == REBOOT_EVERY - 1 {
                    sandbox = Sandbox::boot();
                }
                job(&mut sandbox);
                if done_sender.send(()).is_err() {
                    return;
                }
            }
        });
    if let Err(error) = spawned {
        panic!("cannot start the interpreter thread: {error}");
    }
    Mutex::new(Worker { jobs, done })
}

/// Runs `job` on the sandbox's thread and waits until it is done. A panic in the job aborts
/// the process (libFuzzer's panic hook), which is how the fuzzer sees it.
pub fn with_sandbox(job: impl FnOnce(&mut Sandbox) + Send + 'static) {
    let worker = WORKER.get_or_init(start_worker);
    let worker = worker
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if worker.jobs.send(Box::new(job)).is_err() || worker.done.recv().is_err() {
        panic!("the interpreter thread is gone");
    }
}
