//! `cargo xtask bench`: builds `shared` as wasm for node (the `shared-wasm` crate), then every
//! benchmark is driven by `tests/bench/run.mjs`, which writes BENCHMARKS.md, BENCHMARKS.json and
//! the charts in docs/bench/.

use crate::proc::{self, cmd};
use crate::{root, Result};
use std::fs;

pub fn run() -> Result {
    shared_wasm()?;
    proc::run(cmd("node").arg("tests/bench/run.mjs").current_dir(root()))
}

/// `shared-wasm` for node into the git-ignored dist/bench/shared-wasm.
fn shared_wasm() -> Result {
    let root = root();
    println!("==> build shared-wasm (wasm32, release) for node");
    proc::run(
        cmd("cargo")
            .args([
                "build",
                "--package",
                "shared-wasm",
                "--target",
                "wasm32-unknown-unknown",
                "--release",
            ])
            .current_dir(&root),
    )?;
    let out = root.join("dist/bench/shared-wasm");
    fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    proc::run(
        cmd("wasm-bindgen")
            .args(["--target", "nodejs", "--no-typescript", "--out-dir"])
            .arg(&out)
            .arg(root.join("target/wasm32-unknown-unknown/release/shared_wasm.wasm")),
    )?;
    // The glue is CommonJS, and the root package.json says "type": "module".
    fs::write(out.join("package.json"), "{ \"type\": \"commonjs\" }\n").map_err(|e| e.to_string())
}
