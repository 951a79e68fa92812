//! Webhook signature verification throughput of `shared::webhook`, natively, on one core.
//! `cargo run --release -p shared --example verify_bench` prints one JSON object.

use shared::webhook::{standard_signature_header, standard_verify, stripe_header, stripe_verify, DEFAULT_TOLERANCE_SECS};
use std::time::Instant;

fn ops_per_sec(mut f: impl FnMut() -> bool) -> u64 {
    // Warm up, then run for about a second.
    for _ in 0..10_000 {
        assert!(f());
    }
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed().as_millis() < 1000 {
        for _ in 0..1000 {
            assert!(f());
        }
        n += 1000;
    }
    n * 1_000_000 / started.elapsed().as_micros().max(1) as u64
}

fn main() {
    let secret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    let now = 1_700_000_000;
    let mut rows = Vec::new();
    for size in [64usize, 1024] {
        // A JSON event of exactly `size` bytes, the same bytes the node benchmark verifies.
        let payload = format!(r#"{{"id":"evt_1","pad":"{}"}}"#, "x".repeat(size - 23)).into_bytes();
        let header = stripe_header(&[secret], now, &payload);
        let stripe = ops_per_sec(|| stripe_verify(&payload, &header, &[secret], now, DEFAULT_TOLERANCE_SECS).is_ok());
        let signature = standard_signature_header(&[secret], "msg_1", now, &payload).unwrap_or_default();
        let ts = now.to_string();
        let standard =
            ops_per_sec(|| standard_verify(&payload, "msg_1", &ts, &signature, &[secret], now, DEFAULT_TOLERANCE_SECS).is_ok());
        rows.push(format!(
            r#"{{"payload_bytes":{size},"stripe_verify_ops_per_sec":{stripe},"standard_verify_ops_per_sec":{standard}}}"#
        ));
    }
    println!(r#"{{"what":"shared::webhook verify, native release build, one thread","results":[{}]}}"#, rows.join(","));
}
