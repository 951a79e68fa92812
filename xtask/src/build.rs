//! Builds the two WebAssembly targets and lays out `dist/assets`, which the gateway serves.

use crate::proc::{cmd, run};
use crate::{root, Result};
use std::fs;

/// The static files of `www/` that the gateway serves next to the widget.
pub const STATIC_FILES: &[&str] = &["tessera.js", "tessera.d.ts", "checkout.html", "checkout.css", "_headers", "bench/bare-form.html"];
/// Folders of `www/` served whole: the card brand logos.
const STATIC_DIRS: &[&str] = &["brands"];

pub fn all() -> Result {
    widget()?;
    assets()?;
    gateway()
}

fn node_bin(name: &str) -> String {
    root().join("node_modules/.bin").join(name).display().to_string()
}

/// Size flags for the widget's wasm when the standard library's source is installed: std is
/// rebuilt for size, panics abort at once without formatting a message, and no source paths or
/// `Debug` text are kept. Without rust-src the widget still builds, just larger.
const WIDGET_SIZE_RUSTFLAGS: &str = "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none";

/// Whether the pinned toolchain has the standard library's source (`rustup component add rust-src`).
pub fn has_rust_src() -> bool {
    crate::proc::output(cmd("rustc").args(["--print", "sysroot"]).current_dir(root()))
        .map(|sysroot| std::path::Path::new(sysroot.trim()).join("lib/rustlib/src/rust/library/Cargo.lock").exists())
        .unwrap_or(false)
}

pub fn widget() -> Result {
    let root = root();
    // Its own target dir: the size flags must not force the gateway's wasm to rebuild.
    let target_dir = root.join("target/widget");
    let mut build = cmd("cargo");
    build
        .args(["build", "--package", "widget", "--target", "wasm32-unknown-unknown", "--release"])
        .env("CARGO_TARGET_DIR", &target_dir)
        .current_dir(&root);
    if has_rust_src() {
        println!("==> build widget (wasm32, release, std rebuilt for size)");
        // The size flags are unstable options of the pinned stable toolchain.
        build
            .args(["-Zbuild-std=std,panic_abort", "-Zbuild-std-features=optimize_for_size"])
            .env("RUSTC_BOOTSTRAP", "1")
            .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS", WIDGET_SIZE_RUSTFLAGS);
    } else {
        println!("==> build widget (wasm32, release; rust-src missing, so std is not rebuilt for size)");
    }
    run(&mut build)?;
    // Built in a private folder and renamed into place, so a concurrent build (a second
    // `cargo xtask` in another terminal) never reads a half-rewritten glue file.
    let staging = target_dir.join(format!("bindgen-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    fs::create_dir_all(&staging).map_err(|e| e.to_string())?;
    run(cmd("wasm-bindgen")
        .args(["--target", "web", "--no-typescript", "--remove-name-section", "--remove-producers-section", "--out-name", "widget"])
        .arg("--out-dir")
        .arg(&staging)
        .arg(target_dir.join("wasm32-unknown-unknown/release/widget.wasm")))?;
    run(cmd("node").arg(root.join("xtask/shrink-widget.mjs")).arg(&staging))?;
    let out = root.join("dist/assets/widget");
    fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    for file in ["widget_bg.wasm", "widget.js"] {
        fs::rename(staging.join(file), out.join(file)).map_err(|e| format!("moving {file} into {}: {e}", out.display()))?;
    }
    let _ = fs::remove_dir_all(&staging);
    Ok(())
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
    for dir in STATIC_DIRS {
        let to = out.join(dir);
        fs::create_dir_all(&to).map_err(|e| e.to_string())?;
        for entry in fs::read_dir(root.join("www").join(dir)).map_err(|e| e.to_string())? {
            let from = entry.map_err(|e| e.to_string())?.path();
            if let Some(name) = from.file_name() {
                fs::copy(&from, to.join(name)).map_err(|e| format!("copying {}: {e}", from.display()))?;
            }
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
