//! `cargo xtask bench`: every benchmark is driven by `tests/bench/run.mjs`, which writes
//! BENCHMARKS.md and BENCHMARKS.json.

use crate::proc::{self, cmd};
use crate::{root, Result};

pub fn run() -> Result {
    proc::run(cmd("node").arg("tests/bench/run.mjs").current_dir(root()))
}
