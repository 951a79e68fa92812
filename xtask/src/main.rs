//! `cargo xtask <command>`: Tessera's build, dev, test and bench orchestration.
//!
//! Every command first runs `setup`, which installs only what is missing (the wasm target, the
//! pinned CLIs, the npm packages from the lockfile), so a fresh clone needs nothing else.

mod bench;
mod build;
mod fuzz;
mod proc;
mod receiver;
mod setup;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  dev     set up, build, and run the demo: gateway + widget on 127.0.0.1:$PORT (8787),
          demo shop on 127.0.0.1:$SHOP_PORT (8788)
  test    set up, build, and run every test (Rust unit tests, gateway on workerd, headless Chromium)
  build   build the widget, the gateway and the static assets into dist/
          (`build widget`, `build gateway`, `build assets` for one part)
  bench   measure sizes and speeds and write BENCHMARKS.md
  fuzz    run every cargo-fuzz target (`fuzz --seconds N [target...]`, 600 s each by default)
  setup   install missing tools only";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("dev") => dev(),
        Some("test") => test(&args[1..]),
        Some("build") => setup::run(false).and_then(|()| match args.get(1).map(String::as_str) {
            None => build::all(),
            Some("widget") => build::widget().and_then(|()| build::assets()),
            Some("gateway") => build::gateway(),
            Some("assets") => build::assets(),
            Some(other) => Err(format!("unknown build part {other}: use widget, gateway or assets")),
        }),
        Some("bench") => setup::run(true).and_then(|()| build::all()).and_then(|()| bench::run()),
        Some("setup") => setup::run(true).and_then(|()| setup::dev_vars().map(drop)),
        Some("fuzz") => fuzz::run(&args[1..]),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

pub type Result<T = ()> = std::result::Result<T, String>;

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

fn port_from_env(name: &str, default: u16) -> Result<u16> {
    match std::env::var(name) {
        Ok(v) => v.parse().map_err(|_| format!("{name}={v} is not a port number")),
        Err(_) => Ok(default),
    }
}

fn dev() -> Result {
    setup::run(false)?;
    build::all()?;
    let keys = setup::dev_vars()?;
    let port = port_from_env("PORT", 8787)?;
    let shop_port = port_from_env("SHOP_PORT", 8788)?;
    for (p, var) in [(port, "PORT"), (shop_port, "SHOP_PORT")] {
        if !proc::port_free(p) {
            return Err(format!("port {p} is already in use on 127.0.0.1; stop what is using it or set {var}=<free port>"));
        }
    }
    let hooks_port = port_from_env("WEBHOOK_PORT", 8789)?;
    if !proc::port_free(hooks_port) {
        return Err(format!("port {hooks_port} is already in use on 127.0.0.1; set WEBHOOK_PORT=<free port>"));
    }
    let hooks = receiver::Receiver::start(hooks_port)?;
    let hooks_url = format!("http://127.0.0.1:{hooks_port}");
    let gateway = proc::start_gateway(port, &root().join(".wrangler/state"))?;
    let shop = proc::start_shop(shop_port, port, &keys, &hooks_url)?;
    let mut children = proc::Children::new(vec![gateway, shop]);
    proc::wait_for_http(&format!("http://127.0.0.1:{port}/tessera.js"), 60)?;
    proc::wait_for_http(&format!("http://127.0.0.1:{shop_port}/"), 30)?;
    hooks.set_secret(receiver::register(port, &keys.0, &format!("{hooks_url}/webhooks"))?);
    println!();
    println!("  Tessera is running (real Workers runtime, workerd via wrangler):");
    println!("    demo shop  http://127.0.0.1:{shop_port}/");
    println!("    gateway    http://127.0.0.1:{port}/v1/  (loader: /tessera.js)");
    println!("    webhooks   {hooks_url}/webhooks  (verified with shared::webhook; shown on the shop page)");
    println!("    test card  4242 4242 4242 4242, any future expiry, any CVC (4000 0000 0000 0002 declines)");
    println!("  Press Ctrl-C to stop.");
    children.wait_any();
    Ok(())
}

fn test(extra: &[String]) -> Result {
    setup::run(true)?;
    build::all()?;
    setup::dev_vars()?;
    let root = root();
    println!("==> Rust tests (native)");
    proc::run(proc::cmd("cargo").args(["test", "--workspace", "--exclude", "widget"]).current_dir(&root))?;
    if extra.is_empty() {
        fuzz::all(fuzz::TEST_SECONDS, &fuzz::TARGETS)?;
    }
    println!("==> Gateway (workerd) and browser (headless Chromium) tests");
    let mut node = proc::cmd("node");
    node.args(["--test", "--test-concurrency=2", "--test-timeout=300000"]);
    if extra.is_empty() {
        node.arg("tests/");
    } else {
        node.args(extra);
    }
    proc::run(node.current_dir(&root))
}
