//! The stress mix, behind [`crate::Config::quirks`]: every report gets the asked-for number of
//! rows; text cells hold commas, quotes and CRLF line breaks; list items hold the separator
//! with spaces around it; every value is drawn on its own, with no relation to the others. It
//! is what a decoder must survive, not what a tenant looks like.

use chrono::{NaiveDate, NaiveTime, TimeDelta};
use reports_sdk::{ColumnMeta, ColumnType, ReportMeta};

use crate::data::Cell;
use crate::random::{Fnv, SplitMix};
use crate::window::Window;

/// The items of list columns: product names, one holding the separator with spaces around it
/// as real names do, which must still read back as one item once joined with the bare separator.
const WORDS: &[&str] = &[
    "Microsoft 365 E3",
    "Teams",
    "ENTERPRISE MOBILITY + SECURITY E5",
    "Visio Plan 2",
    "Project Online",
    "Exchange Online (Plan 1)",
];

/// `rows` rows of one call, one cell per column of `meta` in its order; `salt` tells tenants
/// apart (`None`: the configured tenant, whose data mixes in nothing).
pub(crate) fn rows(
    meta: &ReportMeta,
    arguments: &[(String, String)],
    version: &str,
    rows: usize,
    window: &Window,
    salt: Option<&str>,
) -> Vec<Vec<Cell>> {
    let mut seed = Fnv::default();
    if let Some(salt) = salt {
        seed.write(salt);
    }
    seed.write(meta.id);
    seed.write(version);
    for (name, value) in arguments {
        seed.write(name);
        seed.write(value);
    }
    let mut random = SplitMix(seed.0);
    (0..rows)
        .map(|row| {
            meta.columns
                .iter()
                .map(|column| match column.header {
                    "Report Refresh Date" => Cell::Date(window.refresh_date),
                    _ => cell(column, row, &mut random, window.first_day, window.last_day),
                })
                .collect()
        })
        .collect()
}

fn cell(
    column: &ColumnMeta,
    row: usize,
    random: &mut SplitMix,
    first_day: NaiveDate,
    last_day: NaiveDate,
) -> Cell {
    let roll = random.next();
    if column.optional && roll % 5 == 0 {
        return Cell::Empty;
    }
    let span = (last_day - first_day).num_days().max(0) as u64 + 1;
    match column.ty {
        ColumnType::Date => Cell::Date(first_day + TimeDelta::days((roll % span) as i64)),
        ColumnType::DateTime => {
            let seconds = roll % (span * 86_400);
            Cell::DateTime(first_day.and_time(NaiveTime::MIN) + TimeDelta::seconds(seconds as i64))
        }
        ColumnType::String => Cell::Text(match row % 4 {
            // The service quotes values with commas, quotes and line breaks.
            1 => format!("{} {row}, \"quoted\"", column.header),
            3 if row % 8 == 3 => format!("{} {row}\r\nsecond line", column.header),
            _ => format!("{} {row}", column.header),
        }),
        ColumnType::Integer => Cell::Integer((roll % 100_000) as i64),
        ColumnType::Boolean => Cell::Boolean(roll % 2 == 0),
        ColumnType::Duration => Cell::Duration(roll % 400_000),
        ColumnType::List { separator } => {
            let count = (roll % 4) as usize;
            let items = (0..count)
                .map(|offset| WORDS[(row + offset) % WORDS.len()].to_owned())
                .collect();
            Cell::List(items, separator)
        }
        // A future column type is generated as text.
        _ => Cell::Text(format!("{} {row}", column.header)),
    }
}
