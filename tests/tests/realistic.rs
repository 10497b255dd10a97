//! The emulator's default data reads like a real tenant's: for every report of the catalogue, in
//! every parameter form, version and format, the rows decoded through the public SDK keep the
//! rules below. The rules are keyed on what a header means, never on a report, so a report
//! added to the catalogue is checked too.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on setup errors")]

use chrono::{NaiveDate, TimeDelta};
use end_to_end::{Case, cases, check, client_for, fetch};
use graph_emulator::{Config, Emulator};
use reports_sdk::{AnyRow, ColumnType, ReportMeta};
use serde_json::Value;

/// How a smaller count's header names the count it may not exceed.
const BOUNDS: &[(&str, &str)] = &[
    ("Used", "Allocated"),
    ("Shared Computer Activation", "Activated"),
    ("Activated", "Assigned"),
    ("Active Users", "Enabled Users"),
    ("Active ", ""),
    ("Active", "Total"),
    ("External ", ""),
];

/// The emulated tenant's users (and groups, sites).
const TENANT_USERS: usize = 30;

/// What the whole run saw, so the rules cannot pass by never meeting their case.
#[derive(Debug, Default)]
struct Seen {
    deleted: usize,
    unlicensed: usize,
    activity_dates: usize,
    bounded_pairs: usize,
    non_ascii_names: usize,
    spaced_plus_products: usize,
    daily_reports: usize,
}

#[tokio::test]
async fn every_report_every_period_reads_like_a_tenant() {
    // Enough users that some are deleted and some lack a licence.
    let emulator = Emulator::start(Config {
        rows: TENANT_USERS,
        ..Config::default()
    })
    .await
    .unwrap();
    assert!(!emulator.config().quirks, "realistic data is the default");
    let client = client_for(&emulator).build().unwrap();
    let today = emulator.config().today;
    let mut seen = Seen::default();
    let mut failures = Vec::new();
    for &meta in reports_sdk::catalog() {
        for case in cases(meta, today) {
            // The same rows the emulator generated, value by value.
            if let Err(failure) = check(&client, &emulator, &case).await {
                failures.push(failure);
                continue;
            }
            let rows = fetch(&client, &case).await.unwrap().rows;
            if let Err(failure) = rules(meta, &case, &rows, today, &mut seen) {
                failures.push(format!("{}: {failure}", case.label()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing case(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!("{seen:?}");
    assert!(seen.deleted > 0, "{seen:?}");
    assert!(seen.unlicensed > 0, "{seen:?}");
    assert!(seen.activity_dates > 0, "{seen:?}");
    assert!(seen.bounded_pairs > 0, "{seen:?}");
    assert!(seen.non_ascii_names > 0, "{seen:?}");
    assert!(seen.spaced_plus_products > 0, "{seen:?}");
    assert!(seen.daily_reports > 0, "{seen:?}");
}

/// The days a case covers: `(first, last)`, `None` for a report without a period.
fn window(meta: &ReportMeta, case: &Case, refresh: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let arguments = case.argument_pairs();
    if let Some((_, date)) = arguments.iter().find(|(name, _)| name == "date") {
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        return Some((date, date));
    }
    let period = arguments
        .iter()
        .find(|(name, _)| name == "period")
        .map(|(_, value)| value.as_str())
        .or_else(|| {
            meta.parameters
                .iter()
                .find(|parameter| parameter.name == "period")
                .and_then(|parameter| parameter.default)
        })?;
    // `ALL` is served as the longest period.
    let days: i64 = period.trim_start_matches('D').parse().unwrap_or(180);
    Some((refresh - TimeDelta::days(days - 1), refresh))
}

fn date(value: &Value) -> Option<NaiveDate> {
    value
        .as_str()
        .and_then(|text| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
}

fn rules(
    meta: &ReportMeta,
    case: &Case,
    rows: &[AnyRow],
    today: NaiveDate,
    seen: &mut Seen,
) -> Result<(), String> {
    let refresh = today - TimeDelta::days(1);
    let window = window(meta, case, refresh);
    let has = |header: &str| meta.column(header).is_some();
    if has("Report Date") {
        let (first, last) = window.ok_or("a per-day report without a period")?;
        let days = (last - first).num_days() + 1;
        if rows.len() as i64 != days {
            return Err(format!("{} rows for {days} days", rows.len()));
        }
        for (index, row) in rows.iter().enumerate() {
            let wanted = last - TimeDelta::days(index as i64);
            if date(&row["Report Date"]) != Some(wanted) {
                return Err(format!("row {index}: Report Date {}", row["Report Date"]));
            }
        }
        seen.daily_reports += 1;
    }
    for (index, row) in rows.iter().enumerate() {
        row_rules(meta, row, refresh, window, seen).map_err(|err| format!("row {index}: {err}"))?;
        if meta.function.contains("UserCount") {
            users_counted(meta, row).map_err(|err| format!("row {index}: {err}"))?;
        }
    }
    Ok(())
}

fn row_rules(
    meta: &ReportMeta,
    row: &AnyRow,
    refresh: NaiveDate,
    window: Option<(NaiveDate, NaiveDate)>,
    seen: &mut Seen,
) -> Result<(), String> {
    let get = |header: &str| row.get(header).unwrap_or(&Value::Null);
    if meta.column("Report Refresh Date").is_some()
        && date(get("Report Refresh Date")) != Some(refresh)
    {
        return Err(format!(
            "Report Refresh Date {}",
            get("Report Refresh Date")
        ));
    }
    if let (Some(_), Some((first, last))) = (meta.column("Report Period"), window) {
        let days = (last - first).num_days() + 1;
        if get("Report Period").as_i64() != Some(days) {
            return Err(format!(
                "Report Period {} for {days} days",
                get("Report Period")
            ));
        }
    }
    for column in meta.columns {
        let header = column.header;
        let value = get(header);
        if let Some(text) = value.as_str() {
            if text.chars().any(char::is_control) {
                return Err(format!("{header}: control character in {text:?}"));
            }
        }
        match column.ty {
            ColumnType::String if header.ends_with("Principal Name") => {
                let text = value.as_str().unwrap_or_default();
                let (local, domain) = text.split_once('@').ok_or(format!("{header}: {text:?}"))?;
                if local.is_empty() || !domain.contains('.') || text.contains(char::is_whitespace) {
                    return Err(format!("{header}: {text:?} is not name@domain"));
                }
            }
            ColumnType::String
                if header.ends_with("Display Name")
                    && value.as_str().is_some_and(|name| !name.is_ascii()) =>
            {
                seen.non_ascii_names += 1;
            }
            ColumnType::List { separator } if header.contains("Product") => {
                let text = value.as_str().unwrap_or_default();
                let items = column.ty.split_list(text).unwrap_or_default();
                if items.iter().any(|item| item.trim().is_empty()) {
                    return Err(format!("{header}: empty product in {text:?}"));
                }
                if items
                    .iter()
                    .any(|item| item.contains(&format!(" {separator} ")))
                {
                    seen.spaced_plus_products += 1;
                }
            }
            ColumnType::Integer => bounded(meta, row, header, seen)?,
            ColumnType::Boolean => licence_and_deletion(meta, row, header, refresh, seen)?,
            ColumnType::Date if header.ends_with("Last Activity Date") => {
                last_activity(meta, row, header, window, seen)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// A count of users is at most the tenant's users.
fn users_counted(meta: &ReportMeta, row: &AnyRow) -> Result<(), String> {
    for column in meta.columns {
        if column.ty != ColumnType::Integer || column.header == "Report Period" {
            continue;
        }
        if let Some(count) = row[column.header].as_i64() {
            if count > TENANT_USERS as i64 {
                return Err(format!(
                    "{} counts {count} users in a tenant of {TENANT_USERS}",
                    column.header
                ));
            }
        }
    }
    Ok(())
}

/// `Activated` <= `Assigned`, active <= enabled or total, and the like.
fn bounded(meta: &ReportMeta, row: &AnyRow, header: &str, seen: &mut Seen) -> Result<(), String> {
    for (from, to) in BOUNDS {
        if !header.contains(from) {
            continue;
        }
        let bound = header.replacen(from, to, 1);
        if bound == header || meta.column(&bound).is_none() {
            continue;
        }
        if let (Some(small), Some(large)) = (row[header].as_i64(), row[&bound].as_i64()) {
            if small > large {
                return Err(format!("{header} {small} > {bound} {large}"));
            }
            seen.bounded_pairs += 1;
        }
    }
    Ok(())
}

/// `Has X License` goes with `X License Assign Date`, `Is Deleted` with `Deleted Date`.
fn licence_and_deletion(
    meta: &ReportMeta,
    row: &AnyRow,
    header: &str,
    refresh: NaiveDate,
    seen: &mut Seen,
) -> Result<(), String> {
    let dated = match header {
        "Is Deleted" => "Deleted Date".to_owned(),
        _ => match header
            .strip_prefix("Has ")
            .and_then(|rest| rest.strip_suffix(" License"))
        {
            Some(service) => format!("{service} License Assign Date"),
            None => return Ok(()),
        },
    };
    let flag = row[header]
        .as_bool()
        .ok_or(format!("{header}: {}", row[header]))?;
    if header == "Is Deleted" && flag {
        seen.deleted += 1;
    }
    if header != "Is Deleted" && !flag {
        seen.unlicensed += 1;
    }
    if meta.column(&dated).is_none() {
        return Ok(());
    }
    match (flag, date(&row[&dated])) {
        (false, None) => Ok(()),
        (true, Some(day)) if day <= refresh => Ok(()),
        (flag, _) => Err(format!("{header} {flag} with {dated} {}", row[&dated])),
    }
}

/// A last activity falls inside the period, on or after the licence was assigned, on or before
/// the user was deleted, and no later than the overall `Last Activity Date`.
fn last_activity(
    meta: &ReportMeta,
    row: &AnyRow,
    header: &str,
    window: Option<(NaiveDate, NaiveDate)>,
    seen: &mut Seen,
) -> Result<(), String> {
    let Some(day) = date(&row[header]) else {
        return Ok(());
    };
    seen.activity_dates += 1;
    let (first, last) = window.ok_or("an activity date in a report without a period")?;
    if day < first || day > last {
        return Err(format!("{header} {day} outside {first}..={last}"));
    }
    let service = header.trim_end_matches("Last Activity Date").trim_end();
    let assigned = format!("{service} License Assign Date");
    if meta.column(&assigned).is_some() {
        match date(&row[&assigned]) {
            Some(assigned_on) if assigned_on <= day => {}
            other => return Err(format!("{header} {day}, {assigned} {other:?}")),
        }
    }
    if let Some(deleted) = meta
        .column("Deleted Date")
        .and_then(|_| date(&row["Deleted Date"]))
    {
        if day > deleted {
            return Err(format!("{header} {day} after Deleted Date {deleted}"));
        }
    }
    if !service.is_empty() {
        if let Some(overall) = meta
            .column("Last Activity Date")
            .and_then(|_| date(&row["Last Activity Date"]))
        {
            if day > overall {
                return Err(format!("{header} {day} after Last Activity Date {overall}"));
            }
        }
    }
    Ok(())
}
