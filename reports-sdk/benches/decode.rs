//! Typed decoding against raw CSV reading, side by side on the same files in one run.
//!
//! `cargo bench -p reports-sdk --bench decode [-- ROWS] [detail|counts] [raw|sdk|serde|stream]`
//!
//! Two shapes of file, as Graph writes them (UTF-8 BOM, CRLF):
//! - `detail`: `getOffice365ActiveUserDetail`, 24 columns, quoted display names with commas,
//!   many empty dates, a `+`-joined product list (about 210 bytes a row);
//! - `counts`: `getOffice365ServicesUserCounts`, 16 columns of counts.
//!
//! Four ways of reading each, every row counted and dropped:
//! - `raw`: a reused `csv::ByteRecord` loop, the least work any CSV reader can do (baseline);
//! - `sdk`: the SDK's generated decoder (`CsvReader` over the bytes, cells read by position);
//! - `serde`: the csv crate deserializing the typed row through serde, matching field names;
//! - `stream`: `.stream()` of the SDK's client from a server on 127.0.0.1 answering `302` to a
//!   download of the same file (generated on the fly when `stream` runs alone, so the peak RSS
//!   printed is the client's).
//!
//! - `stream` also times the same download written to a sink without decoding: the transport's
//!   share of the stream's time.
//!
//! The ways run interleaved, one run of each per round, so a change in the machine's speed hits
//! them alike. Each prints its median time, throughput, and its ratio to `raw` as the median of
//! the ratios within each round.
//! Naming one shape and one way runs only that, and prints the process's peak RSS, e.g.
//! `cargo bench -p reports-sdk --bench decode -- 1000000 detail stream`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark fails loudly on bad input"
)]

use std::hint::black_box;
use std::io::Write as _;
use std::time::{Duration, Instant};

use reports_sdk::office365::{Office365ActiveUserDetailRow, Office365ServicesUserCountsRow};
use reports_sdk::{Client, CsvReader, Period};

const RUNS: usize = 7;

const DETAIL_HEADER: &str = "Report Refresh Date,User Principal Name,Display Name,Is Deleted,Deleted Date,Has Exchange License,Has OneDrive License,Has SharePoint License,Has Skype For Business License,Has Yammer License,Has Teams License,Exchange Last Activity Date,OneDrive Last Activity Date,SharePoint Last Activity Date,Skype For Business Last Activity Date,Yammer Last Activity Date,Teams Last Activity Date,Exchange License Assign Date,OneDrive License Assign Date,SharePoint License Assign Date,Skype For Business License Assign Date,Yammer License Assign Date,Teams License Assign Date,Assigned Products";
const COUNTS_HEADER: &str = "Report Refresh Date,Exchange Active,Exchange Inactive,OneDrive Active,OneDrive Inactive,SharePoint Active,SharePoint Inactive,Skype For Business Active,Skype For Business Inactive,Yammer Active,Yammer Inactive,Teams Active,Teams Inactive,Office 365 Active,Office 365 Inactive,Report Period";

const PRODUCTS: &[&str] = &[
    "MICROSOFT 365 E5+ENTERPRISE MOBILITY + SECURITY E5",
    "OFFICE 365 E3+MICROSOFT TEAMS",
    "MICROSOFT 365 BUSINESS PREMIUM",
    "",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Detail,
    Counts,
}

impl Shape {
    fn name(self) -> &'static str {
        match self {
            Shape::Detail => "detail",
            Shape::Counts => "counts",
        }
    }

    fn header(self) -> &'static str {
        match self {
            Shape::Detail => DETAIL_HEADER,
            Shape::Counts => COUNTS_HEADER,
        }
    }

    /// Row `n` of the file, CRLF-terminated.
    fn row(self, n: usize, out: &mut Vec<u8>) {
        match self {
            Shape::Detail => {
                let day = |offset: usize| format!("2024-01-{:02}", 1 + (n + offset) % 28);
                let maybe = |offset: usize| {
                    if (n + offset) % 3 == 0 {
                        String::new()
                    } else {
                        day(offset)
                    }
                };
                let flag = |offset: usize| {
                    if (n + offset) % 2 == 0 {
                        "True"
                    } else {
                        "False"
                    }
                };
                let _ = write!(
                    out,
                    "2024-01-31,user{n}@contoso.onmicrosoft.com,\"Surname{n}, Given\",{},{},",
                    flag(7),
                    if n % 50 == 0 { day(1) } else { String::new() },
                );
                for license in 0..6 {
                    let _ = write!(out, "{},", flag(license));
                }
                for activity in 0..6 {
                    let _ = write!(out, "{},", maybe(activity));
                }
                for assign in 0..6 {
                    let _ = write!(out, "{},", maybe(assign + 3));
                }
                let _ = write!(out, "{}\r\n", PRODUCTS[n % PRODUCTS.len()]);
            }
            Shape::Counts => {
                out.extend_from_slice(b"2024-01-31");
                for column in 0..14 {
                    let _ = write!(out, ",{}", (n * 31 + column * 7) % 100_000);
                }
                out.extend_from_slice(b",7\r\n");
            }
        }
    }

    /// The whole file: BOM, header, rows.
    fn file(self, rows: usize) -> Vec<u8> {
        let mut file = Vec::new();
        self.start(&mut file);
        for n in 0..rows {
            self.row(n, &mut file);
        }
        file
    }

    fn start(self, out: &mut Vec<u8>) {
        out.extend_from_slice("\u{feff}".as_bytes());
        out.extend_from_slice(self.header().as_bytes());
        out.extend_from_slice(b"\r\n");
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// One way of reading a file: its label, and a run that returns the rows it read.
type Way<'a> = (&'static str, Box<dyn FnMut() -> usize + 'a>);

/// Times every way `RUNS` times, interleaved (one run of each way per round), so a change in
/// the machine's speed during the benchmark (a shared host, a CPU clocking down) hits every
/// way alike. Prints each way's median time and its ratio to the first way (the baseline),
/// as the median of the ratios measured within each round.
fn measure(bytes: usize, mut ways: Vec<Way<'_>>) {
    let expected: Vec<usize> = ways.iter_mut().map(|(_, run)| run()).collect();
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); ways.len()];
    for _ in 0..RUNS {
        for (index, (_, run)) in ways.iter_mut().enumerate() {
            let started = Instant::now();
            let rows = black_box(run());
            samples[index].push(started.elapsed());
            assert_eq!(rows, expected[index]);
        }
    }
    let baseline_is_raw = ways
        .first()
        .is_some_and(|(name, _)| name.ends_with("(raw)"));
    for (index, (name, _)) in ways.iter().enumerate() {
        let time = median(samples[index].clone());
        let ratio = if index == 0 && baseline_is_raw {
            "baseline".to_owned()
        } else if baseline_is_raw {
            let ratios: Vec<f64> = samples[index]
                .iter()
                .zip(&samples[0])
                .map(|(way, raw)| way.as_secs_f64() / raw.as_secs_f64())
                .collect();
            format!("{:.2}x raw", median_f64(ratios))
        } else {
            String::new()
        };
        println!(
            "  {name:<40} {:>9.1} ms {:>8.1} MB/s {:>11.0} rows/s  {ratio}",
            time.as_secs_f64() * 1e3,
            bytes as f64 / 1e6 / time.as_secs_f64(),
            expected[index] as f64 / time.as_secs_f64(),
        );
    }
}

fn median_f64(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn raw(file: &[u8]) -> usize {
    let mut reader = csv::Reader::from_reader(file);
    let mut record = csv::ByteRecord::new();
    let mut count = 0;
    while reader.read_byte_record(&mut record).unwrap() {
        count += 1;
    }
    count
}

fn sdk<R: reports_sdk::Report>(file: &[u8]) -> usize {
    let mut count = 0;
    for row in CsvReader::<R, _>::new(file).unwrap() {
        black_box(row.unwrap());
        count += 1;
    }
    count
}

fn serde<R: reports_sdk::Report>(file: &[u8]) -> usize {
    let body = file.strip_prefix("\u{feff}".as_bytes()).unwrap_or(file);
    let mut count = 0;
    for row in csv::Reader::from_reader(body).deserialize::<R>() {
        black_box(row.unwrap());
        count += 1;
    }
    count
}

/// A Graph stand-in on 127.0.0.1: every report call answers `302` to `/download`, which
/// streams the file in 64 KiB chunks: `file`'s bytes (so timing measures the client, not the
/// server writing rows), or with `None`, `rows` rows of `shape` generated on the fly (so the
/// process's memory is the client's).
async fn serve(shape: Shape, rows: usize, file: Option<bytes::Bytes>) -> String {
    use axum::body::Body;
    use axum::http::{StatusCode, header};
    use axum::response::{IntoResponse, Response};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let location = format!("{base}/download");
    let router = axum::Router::new()
        .route(
            "/download",
            axum::routing::get(move || async move {
                if let Some(file) = file {
                    let chunks: Vec<Result<bytes::Bytes, std::io::Error>> = (0..file.len())
                        .step_by(64 * 1024)
                        .map(|start| Ok(file.slice(start..(start + 64 * 1024).min(file.len()))))
                        .collect();
                    return Response::new(Body::from_stream(futures_util::stream::iter(chunks)));
                }
                let chunks = futures_util::stream::unfold(
                    (0usize, false),
                    move |(next, started)| async move {
                        if started && next >= rows {
                            return None;
                        }
                        let mut chunk = Vec::with_capacity(70 * 1024);
                        if !started {
                            shape.start(&mut chunk);
                        }
                        let mut n = next;
                        while n < rows && chunk.len() < 64 * 1024 {
                            shape.row(n, &mut chunk);
                            n += 1;
                        }
                        Some((Ok::<_, std::io::Error>(chunk), (n, true)))
                    },
                );
                Response::new(Body::from_stream(chunks))
            }),
        )
        .fallback(move || {
            let location = location.clone();
            async move { (StatusCode::FOUND, [(header::LOCATION, location)]).into_response() }
        });
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    base
}

async fn stream(client: &Client, shape: Shape) -> usize {
    use futures_util::StreamExt;
    match shape {
        Shape::Detail => {
            let rows = client
                .office365_active_user_detail(Period::D7)
                .stream()
                .await
                .unwrap();
            rows.map(|row| black_box(row.unwrap())).count().await
        }
        Shape::Counts => {
            let rows = client
                .office365_services_user_counts(Period::D7)
                .stream()
                .await
                .unwrap();
            rows.map(|row| black_box(row.unwrap())).count().await
        }
    }
}

/// Downloads the report as `.stream()` does, into a sink: the transport's share of the
/// stream's time. Returns `rows`, checked against the bytes written.
async fn download_only(client: &Client, shape: Shape, rows: usize) -> usize {
    let mut sink = tokio::io::sink();
    let written = match shape {
        Shape::Detail => client
            .office365_active_user_detail(Period::D7)
            .write_to(&mut sink)
            .await
            .unwrap(),
        Shape::Counts => client
            .office365_services_user_counts(Period::D7)
            .write_to(&mut sink)
            .await
            .unwrap(),
    };
    assert!(written > 0);
    rows
}

/// The process's peak resident set (Linux `VmHWM`), if it can be read.
fn peak_rss() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))
        .map(|line| line.trim_start_matches("VmHWM:").trim().to_owned())
}

fn main() {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let rows: usize = arguments
        .iter()
        .find_map(|arg| arg.parse().ok())
        .unwrap_or(200_000);
    let shape_asked = [Shape::Detail, Shape::Counts]
        .into_iter()
        .find(|shape| arguments.iter().any(|arg| arg == shape.name()));
    let way_asked = ["raw", "sdk", "serde", "stream"]
        .into_iter()
        .find(|way| arguments.iter().any(|arg| arg == way));
    let runs = |way: &str| way_asked.is_none_or(|asked| asked == way);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();

    for shape in [Shape::Detail, Shape::Counts] {
        if shape_asked.is_some_and(|asked| asked != shape) {
            continue;
        }
        // The stream alone builds no file, so its peak RSS is the client's.
        let file = if way_asked == Some("stream") {
            Vec::new()
        } else {
            shape.file(rows)
        };
        let bytes = if file.is_empty() {
            shape.file(1000).len() * rows / 1000
        } else {
            file.len()
        };
        println!(
            "{} x {rows} rows, {:.1} MB, median of {RUNS} interleaved runs each:",
            shape.name(),
            bytes as f64 / 1e6
        );
        let mut ways: Vec<Way<'_>> = Vec::new();
        let file = &file;
        if runs("raw") {
            ways.push(("csv::ByteRecord, reused (raw)", Box::new(|| raw(file))));
        }
        if runs("sdk") {
            ways.push((
                "generated decoder (CsvReader)",
                Box::new(move || match shape {
                    Shape::Detail => sdk::<Office365ActiveUserDetailRow>(file),
                    Shape::Counts => sdk::<Office365ServicesUserCountsRow>(file),
                }),
            ));
        }
        if runs("serde") {
            ways.push((
                "csv + serde into the typed row",
                Box::new(move || match shape {
                    Shape::Detail => serde::<Office365ActiveUserDetailRow>(file),
                    Shape::Counts => serde::<Office365ServicesUserCountsRow>(file),
                }),
            ));
        }
        if runs("stream") {
            let served = (!file.is_empty()).then(|| bytes::Bytes::from(file.clone()));
            let base = runtime.block_on(serve(shape, rows, served));
            let client = Client::builder()
                .base_url(base)
                .token("bench")
                .build()
                .unwrap();
            let runtime = &runtime;
            let download = client.clone();
            ways.push((
                ".stream() from 127.0.0.1 (302)",
                Box::new(move || runtime.block_on(stream(&client, shape))),
            ));
            // The same download with no decoding: what the transport alone costs.
            ways.push((
                "  the download alone (write_to a sink)",
                Box::new(move || runtime.block_on(download_only(&download, shape, rows))),
            ));
        }
        measure(bytes, ways);
    }
    if shape_asked.is_some() && way_asked.is_some() {
        println!(
            "peak RSS: {}",
            peak_rss().unwrap_or_else(|| "unknown".to_owned())
        );
    }
}
