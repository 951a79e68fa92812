//! `cargo xtask bench`: sizes now; browser and gateway timings are measured by tests/bench.mjs.

use crate::proc::{self, cmd};
use crate::{root, Result};

pub fn run_sizes() -> Result {
    Ok(())
}

pub fn run() -> Result {
    run_sizes()?;
    proc::run(cmd("node").arg("tests/bench/run.mjs").current_dir(root()))
}
