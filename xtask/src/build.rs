//! Builds the two WebAssembly targets and lays out `dist/assets`, which the gateway serves.

use crate::proc::{cmd, run};
use crate::{root, Result};
use std::fs;

/// Features the Rust wasm32 target emits by default; wasm-opt must be told it may keep them.
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// The static files of `www/` that the gateway serves next to the widget.
pub const STATIC_FILES: &[&str] = &["tessera.js", "tessera.d.ts", "checkout.html", "checkout.css", "_headers", "bench/bare-form.html"];

pub fn all() -> Result {
    widget()?;
    assets()?;
    gateway()
}

fn node_bin(name: &str) -> String {
    root().join("node_modules/.bin").join(name).display().to_string()
}

pub fn widget() -> Result {
    let root = root();
    println!("==> build widget (wasm32, release)");
    run(cmd("cargo")
        .args(["build", "--package", "widget", "--target", "wasm32-unknown-unknown", "--release"])
        .current_dir(&root))?;
    let out = root.join("dist/assets/widget");
    fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    run(cmd("wasm-bindgen")
        .args(["--target", "web", "--no-typescript", "--remove-name-section", "--remove-producers-section", "--out-name", "widget"])
        .arg("--out-dir")
        .arg(&out)
        .arg(root.join("target/wasm32-unknown-unknown/release/widget.wasm")))?;
    let wasm = out.join("widget_bg.wasm");
    // npm's binaryen 132: Debian's older wasm-opt silently breaks Leptos output.
    run(cmd(&node_bin("wasm-opt")).arg("-Oz").args(WASM_FEATURES).arg(&wasm).arg("-o").arg(&wasm))
}

pub fn assets() -> Result {
    let root = root();
    let out = root.join("dist/assets");
    fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    for file in STATIC_FILES {
        let from = root.join("www").join(file);
        if from.exists() {
            let to = out.join(file);
            if let Some(dir) = to.parent() {
                fs::create_dir_all(dir).map_err(|e| e.to_string())?;
            }
            fs::copy(&from, to).map_err(|e| format!("copying {}: {e}", from.display()))?;
        }
    }
    Ok(())
}

pub fn gateway() -> Result {
    let root = root();
    println!("==> build gateway (worker-build, release)");
    let home = std::env::var("HOME").unwrap_or_default();
    run(cmd("worker-build")
        .arg("--release")
        .current_dir(root.join("edge-worker"))
        // worker-build would otherwise download these from outside the package registries.
        .env("WASM_BINDGEN_BIN", format!("{home}/.cargo/bin/wasm-bindgen"))
        .env("WASM_OPT_BIN", node_bin("wasm-opt"))
        .env("ESBUILD_BIN", node_bin("esbuild")))
}
