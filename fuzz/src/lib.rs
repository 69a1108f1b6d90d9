//! Helpers shared by the fuzz targets in `fuzz_targets/`: a small booted image whose
//! evaluations are bounded ([`sandbox`]), and a generator that turns fuzz input into Lisp
//! forms over a fixed set of side-effect-free operators ([`forms`]).

pub mod forms;
pub mod sandbox;
