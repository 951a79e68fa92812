//! `cargo xtask fuzz [--seconds N] [target…]`: builds the cargo-fuzz targets in `fuzz/` and runs
//! each for N seconds (600 by default), then reports per target the runs executed, exec/s, the
//! corpus size and crashes. Fails if any target crashes, times out or leaks.
//!
//! cargo-fuzz needs nightly-only compiler flags (`-Zsanitizer=address`); `RUSTC_BOOTSTRAP=1` lets
//! the pinned stable toolchain accept them, and its ASan runtime ships with stable.
//! New inputs go to `fuzz/target/corpus/<target>` (ignored by git); the committed seeds in
//! `fuzz/corpus/<target>` are only read.

use crate::proc::{self, cmd};
use crate::{root, setup, Result};
use std::fs;
use std::path::Path;
use std::process::Stdio;

pub const TARGETS: [&str; 5] = ["form_body", "stripe_signature", "standard_signature", "card_number", "post_message"];
const DEFAULT_SECONDS: u64 = 600;
/// Per target inside `cargo xtask test`: enough to replay the seeds and mutate past them, while
/// build plus runs stay around three minutes of CI.
pub const TEST_SECONDS: u64 = 15;

pub fn run(args: &[String]) -> Result {
    let mut seconds = DEFAULT_SECONDS;
    let mut targets = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => {
                let value = args.next().ok_or("--seconds needs a number")?;
                seconds = value.parse().map_err(|_| format!("--seconds {value}: not a whole number of seconds"))?;
            }
            name => match TARGETS.iter().find(|t| **t == name) {
                Some(target) => targets.push(*target),
                None => return Err(format!("unknown fuzz argument {name}; targets are {}", TARGETS.join(", "))),
            },
        }
    }
    if targets.is_empty() {
        targets = TARGETS.to_vec();
    }
    all(seconds, &targets)
}

/// What libFuzzer reported for one target.
struct Report {
    target: &'static str,
    runs: u64,
    exec_per_sec: u64,
    corpus: u64,
    coverage: u64,
    crashed: bool,
}

pub fn all(seconds: u64, targets: &[&'static str]) -> Result {
    setup::cargo_fuzz()?;
    let dir = root().join("fuzz");
    println!("==> cargo fuzz build (RUSTC_BOOTSTRAP=1, AddressSanitizer)");
    proc::run(cmd("cargo").args(["fuzz", "build"]).env("RUSTC_BOOTSTRAP", "1").current_dir(&dir))?;
    let mut reports = Vec::new();
    for &target in targets {
        println!("==> fuzz {target} for {seconds} s");
        reports.push(run_target(&dir, target, seconds)?);
    }
    println!("\n  target               runs        exec/s   corpus  coverage  crashes");
    for r in &reports {
        println!(
            "  {:<18} {:>10} {:>11} {:>8} {:>9} {:>8}",
            r.target, r.runs, r.exec_per_sec, r.corpus, r.coverage, u8::from(r.crashed)
        );
    }
    let crashed: Vec<&str> = reports.iter().filter(|r| r.crashed).map(|r| r.target).collect();
    if crashed.is_empty() {
        println!("fuzz: {} targets, 0 crashes", reports.len());
        Ok(())
    } else {
        Err(format!("fuzz targets failed: {} (inputs in fuzz/artifacts/, logs in fuzz/target/logs/)", crashed.join(", ")))
    }
}

fn run_target(dir: &Path, target: &'static str, seconds: u64) -> Result<Report> {
    let work = dir.join("target/corpus").join(target);
    let logs = dir.join("target/logs");
    for d in [&work, &logs] {
        fs::create_dir_all(d).map_err(|e| format!("creating {}: {e}", d.display()))?;
    }
    let log_path = logs.join(format!("{target}.log"));
    let log = fs::File::create(&log_path).map_err(|e| format!("creating {}: {e}", log_path.display()))?;
    let status = cmd("cargo")
        .args(["fuzz", "run", target])
        .arg(&work)
        .arg(Path::new("corpus").join(target))
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        // A single input taking 30 s is a hang worth failing on, not a slow machine.
        .args(["-timeout=30", "-print_final_stats=1"])
        .env("RUSTC_BOOTSTRAP", "1")
        .current_dir(dir)
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log)
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("cargo fuzz run {target}: {e}"))?;
    let text = fs::read_to_string(&log_path).unwrap_or_default();
    let stat = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("stat::{name}:")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    };
    // The last status line (`#N DONE cov: C ft: F corp: U/Sb ...`) has the final corpus.
    let status_field = |name: &str| {
        text.lines()
            .rev()
            .find_map(|l| l.split_once(&format!(" {name}: ")).map(|(_, rest)| rest.to_owned()))
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next().and_then(|n| n.parse().ok()))
            .unwrap_or(0)
    };
    let report = Report {
        target,
        runs: stat("number_of_executed_units"),
        exec_per_sec: stat("average_exec_per_sec"),
        corpus: status_field("corp"),
        coverage: status_field("cov"),
        crashed: !status.success(),
    };
    if report.crashed {
        let tail: Vec<&str> = text.lines().rev().take(40).collect();
        eprintln!("--- {target} failed ({status}); last lines of {}:", log_path.display());
        for line in tail.iter().rev() {
            eprintln!("{line}");
        }
        eprintln!("--- reproduce: cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run {target} artifacts/{target}/<file>");
    } else {
        println!("    {} runs, {} exec/s, corpus {}, 0 crashes", report.runs, report.exec_per_sec, report.corpus);
    }
    Ok(report)
}
