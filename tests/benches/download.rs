//! Downloading a large report from the local emulator through the SDK: the raw file
//! (`bytes()`), typed rows as they stream (`stream()`), and every row collected (`send()`),
//! side by side in one run, with ratios to the raw download.
//!
//! `cargo bench -p end-to-end --bench download [-- ROWS]`

#![allow(clippy::unwrap_used, reason = "a benchmark fails loudly on bad input")]

use std::time::{Duration, Instant};

use end_to_end::client_for;
use graph_emulator::{Config, Emulator};
use reports_sdk::{Client, Period};

const RUNS: usize = 7;

async fn median<F, Fut>(run: F) -> (Duration, usize)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let expected = run().await;
    let mut samples = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        let count = run().await;
        samples.push(started.elapsed());
        assert_eq!(count, expected);
    }
    samples.sort();
    (samples[RUNS / 2], expected)
}

fn line(name: &str, time: Duration, bytes: usize, rows: usize, raw: Option<Duration>) {
    let ratio = raw.map_or_else(
        || "baseline".to_owned(),
        |raw| format!("{:.2}x raw", time.as_secs_f64() / raw.as_secs_f64()),
    );
    println!(
        "{name:<36} {:>9.2} ms {:>8.1} MB/s {:>11.0} rows/s  {ratio}",
        time.as_secs_f64() * 1e3,
        bytes as f64 / 1e6 / time.as_secs_f64(),
        rows as f64 / time.as_secs_f64(),
    );
}

#[tokio::main]
async fn main() {
    let rows: usize = std::env::args()
        .skip(1)
        .find_map(|arg| arg.parse().ok())
        .unwrap_or(100_000);
    let emulator = Emulator::start(Config {
        quirks: true,
        rows,
        ..Config::default()
    })
    .await
    .unwrap();
    let client: Client = client_for(&emulator).build().unwrap();
    let size = client
        .office365_services_user_counts(Period::D7)
        .bytes()
        .await
        .unwrap()
        .bytes
        .len();
    println!(
        "{rows} rows, {:.1} MB per download from the emulator on 127.0.0.1, median of {RUNS} runs",
        size as f64 / 1e6
    );
    let (raw, _) = median(|| async {
        client
            .office365_services_user_counts(Period::D7)
            .bytes()
            .await
            .unwrap()
            .bytes
            .len()
    })
    .await;
    line("bytes(): the raw file", raw, size, rows, None);
    let (streamed, count) = median(|| async {
        let mut stream = client
            .office365_services_user_counts(Period::D7)
            .stream()
            .await
            .unwrap();
        let mut count = 0;
        while let Some(row) = stream.next_row().await {
            row.unwrap();
            count += 1;
        }
        count
    })
    .await;
    assert_eq!(count, rows);
    line(
        "stream(): typed rows as they arrive",
        streamed,
        size,
        rows,
        Some(raw),
    );
    let (sent, count) = median(|| async {
        client
            .office365_services_user_counts(Period::D7)
            .send()
            .await
            .unwrap()
            .rows
            .len()
    })
    .await;
    assert_eq!(count, rows);
    line("send(): every row collected", sent, size, rows, Some(raw));
}
