//! Card-rule throughput of `shared::card`, natively, on one core.
//! `cargo run --release -p shared --example card_bench -- <numbers.txt>` prints one JSON object.
//! The file holds one card number per line; `cargo xtask bench` writes it from its seeded corpus
//! so node's card-validator and shared-as-wasm time exactly the same inputs.

use shared::card::{credit_card_type, CardNumber};
use std::hint::black_box;
use std::time::Instant;

/// Calls per second of `f` over `inputs`, cycling, for about a second after a warm-up.
fn ops_per_sec(inputs: &[String], mut f: impl FnMut(&str) -> usize) -> u64 {
    let mut sink = 0usize;
    for input in inputs.iter().cycle().take(20_000) {
        sink = sink.wrapping_add(f(input));
    }
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed().as_millis() < 1000 {
        for input in inputs {
            sink = sink.wrapping_add(f(black_box(input)));
        }
        n += inputs.len() as u64;
    }
    black_box(sink);
    n * 1_000_000 / started.elapsed().as_micros().max(1) as u64
}

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        eprintln!("usage: card_bench <file with one card number per line>");
        std::process::exit(2)
    });
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2)
    });
    let inputs: Vec<String> = text
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if inputs.is_empty() {
        eprintln!("{path}: no card numbers");
        std::process::exit(2)
    }
    // The same work card-validator's number() does: brand, length and Luhn, brand returned.
    let validate = ops_per_sec(&inputs, |n| match CardNumber::parse(n) {
        Ok(pan) => pan.brand() as usize,
        Err(e) => e as usize,
    });
    let brand = ops_per_sec(&inputs, |n| credit_card_type(n).len());
    println!(
        r#"{{"what":"shared::card, native release build, one thread","inputs":{},"validate_number_ops_per_sec":{validate},"credit_card_type_ops_per_sec":{brand}}}"#,
        inputs.len()
    );
}
