//! Typed decoding against raw CSV reading, side by side on the same file in one run.
//!
//! `cargo bench -p reports-sdk --bench decode [-- ROWS] [raw|serde|sdk]` prints, for each way of
//! reading, the median time of several runs, its throughput, and its ratio to the raw
//! `csv::ByteRecord` loop (the least work any CSV reader can do). Naming one way runs only it,
//! e.g. under `valgrind --tool=callgrind` for instruction counts where wall time is noisy.

#![allow(clippy::unwrap_used, reason = "a benchmark fails loudly on bad input")]

use std::hint::black_box;
use std::time::{Duration, Instant};

use reports_sdk::office365::Office365ServicesUserCountsRow;

const RUNS: usize = 9;

/// A services-user-counts file as Graph writes it: BOM, CRLF, 16 columns.
fn report_file(rows: usize) -> Vec<u8> {
    let mut file = "\u{feff}Report Refresh Date,Exchange Active,Exchange Inactive,OneDrive Active,OneDrive Inactive,SharePoint Active,SharePoint Inactive,Skype For Business Active,Skype For Business Inactive,Yammer Active,Yammer Inactive,Teams Active,Teams Inactive,Office 365 Active,Office 365 Inactive,Report Period\r\n".as_bytes().to_vec();
    for row in 0..rows {
        let mut line = String::from("2024-01-31");
        for column in 0..14 {
            line.push_str(&format!(",{}", (row * 31 + column * 7) % 100_000));
        }
        line.push_str(",7\r\n");
        file.extend_from_slice(line.as_bytes());
    }
    file
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn measure(
    name: &str,
    file: &[u8],
    baseline: Option<Duration>,
    run: impl Fn(&[u8]) -> usize,
) -> Duration {
    let expected = run(file);
    let samples = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            let rows = black_box(run(black_box(file)));
            let elapsed = started.elapsed();
            assert_eq!(rows, expected);
            elapsed
        })
        .collect();
    let time = median(samples);
    let megabytes = file.len() as f64 / 1e6;
    let ratio = baseline.map_or_else(
        || "baseline".to_owned(),
        |baseline| format!("{:.2}x raw", time.as_secs_f64() / baseline.as_secs_f64()),
    );
    println!(
        "{name:<44} {:>9.2} ms {:>8.1} MB/s {:>12.0} rows/s  {ratio}",
        time.as_secs_f64() * 1e3,
        megabytes / time.as_secs_f64(),
        expected as f64 / time.as_secs_f64(),
    );
    time
}

fn main() {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let rows: usize = arguments
        .iter()
        .find_map(|arg| arg.parse().ok())
        .unwrap_or(200_000);
    let only = ["raw", "serde", "sdk"]
        .into_iter()
        .find(|way| arguments.iter().any(|arg| arg == way));
    let runs = |way: &str| only.is_none_or(|only| only == way);
    let file = report_file(rows);
    println!(
        "{rows} rows, {:.1} MB, median of {RUNS} runs each",
        file.len() as f64 / 1e6
    );
    let raw = runs("raw").then(|| {
        measure("csv::ByteRecord, reused (raw)", &file, None, |file| {
            let mut reader = csv::Reader::from_reader(file);
            let mut record = csv::ByteRecord::new();
            let mut count = 0;
            while reader.read_byte_record(&mut record).unwrap() {
                count += 1;
            }
            count
        })
    });
    if runs("serde") {
        measure("csv + serde into the typed row", &file, raw, |file| {
            let body = file.strip_prefix("\u{feff}".as_bytes()).unwrap_or(file);
            let rows: Vec<Office365ServicesUserCountsRow> = csv::Reader::from_reader(body)
                .deserialize()
                .collect::<Result<_, _>>()
                .unwrap();
            rows.len()
        });
    }
    if runs("sdk") {
        measure("reports_sdk::read_csv (whole file)", &file, raw, |file| {
            reports_sdk::read_csv::<Office365ServicesUserCountsRow>(file)
                .unwrap()
                .0
                .len()
        });
    }
}
