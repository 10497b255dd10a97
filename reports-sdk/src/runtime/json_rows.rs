//! Beta JSON items -> one object per row. Most reports serve one flat object per row; a few
//! (Microsoft 365 apps, Teams teams, Forms, Copilot, browser) nest the per-period or per-day
//! values of an item in an array property. Each element of that array is one row: the item's
//! own properties merged with the element's, the element's winning where both have a name. An
//! item without nested values holds no row.

use std::collections::VecDeque;

use serde_json::Value;

use super::decode::check_json;
use super::meta::ReportMeta;

/// The first column of a JSON row that does not decode as the spec says, and its value as JSON
/// text: what a rejected row or an error names (serde_json's own error names neither).
pub(crate) fn culprit(meta: &ReportMeta, row: &Value) -> Option<(String, String)> {
    let Value::Object(row) = row else {
        return None;
    };
    meta.columns.iter().find_map(|column| {
        let value = row.get(column.json).unwrap_or(&Value::Null);
        if row.get(column.json).is_none() && column.optional {
            return None;
        }
        check_json(column, value)
            .err()
            .map(|_| (column.header.to_owned(), value.to_string()))
    })
}

/// The rows of one page's `value` items, in order.
#[cfg_attr(
    not(test),
    allow(dead_code, reason = "pages are split item by item, with `push_rows`")
)]
pub(crate) fn rows_of(meta: &ReportMeta, items: Vec<Value>) -> VecDeque<Value> {
    let mut rows = VecDeque::with_capacity(items.len());
    for item in items {
        push_rows(meta, item, &mut rows);
    }
    rows
}

/// Appends the rows of one `value` item to `rows`: the page parser calls it as each item is
/// read, so an item's rows exist before the next item is parsed.
pub(crate) fn push_rows(meta: &ReportMeta, item: Value, rows: &mut VecDeque<Value>) {
    let Some(property) = meta.json_nested else {
        rows.push_back(item);
        return;
    };
    let Value::Object(mut parent) = item else {
        // Not an object: left for the row decoder to reject with its position.
        rows.push_back(item);
        return;
    };
    match parent.remove(property) {
        Some(Value::Array(elements)) if !elements.is_empty() => {
            for element in elements {
                rows.push_back(merged(&parent, element));
            }
        }
        Some(element @ Value::Object(_)) => rows.push_back(merged(&parent, element)),
        // No nested values: an item with nothing to report for any period or day (a user
        // without activity) holds no row. Keeping it as a row would fail a report on
        // columns it cannot have.
        Some(Value::Array(_) | Value::Null) | None => {
            tracing::debug!(
                report = meta.id,
                property,
                "a JSON item without nested values holds no row"
            );
        }
        // A nested value of another shape is the row decoder's to reject.
        Some(other) => {
            parent.insert(property.to_owned(), other);
            rows.push_back(Value::Object(parent));
        }
    }
}

fn merged(parent: &serde_json::Map<String, Value>, element: Value) -> Value {
    match element {
        Value::Object(element) => {
            let mut row = parent.clone();
            row.extend(element);
            Value::Object(row)
        }
        // An element that is not an object cannot be a row: kept as it is for the decoder to
        // reject.
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::runtime::meta::{ColumnMeta, ColumnType};

    const FLAT: ReportMeta = ReportMeta::new(
        "flat",
        "getFlat",
        &[ColumnMeta::new(
            "Report Period",
            "report_period",
            "reportPeriod",
            ColumnType::Integer,
        )],
    );
    const NESTED: ReportMeta = FLAT.with_json_nested("details");

    #[test]
    fn flat_items_are_rows_as_they_are() {
        let items = vec![json!({"a": 1}), json!({"a": 2})];
        assert_eq!(rows_of(&FLAT, items.clone()), VecDeque::from(items));
    }

    #[test]
    fn each_nested_element_is_a_row_with_the_item_properties() {
        let items = vec![
            json!({"reportRefreshDate": "2024-01-31", "userPrincipalName": "a@x",
                   "details": [{"reportPeriod": 7, "word": true}, {"reportPeriod": 30, "word": false}]}),
            json!({"reportRefreshDate": "2024-01-31", "userPrincipalName": "b@x",
                   "details": {"reportPeriod": 7, "word": true, "userPrincipalName": "inner"}}),
        ];
        let rows = rows_of(&NESTED, items);
        assert_eq!(
            Vec::from(rows),
            [
                json!({"reportRefreshDate": "2024-01-31", "userPrincipalName": "a@x", "reportPeriod": 7, "word": true}),
                json!({"reportRefreshDate": "2024-01-31", "userPrincipalName": "a@x", "reportPeriod": 30, "word": false}),
                json!({"reportRefreshDate": "2024-01-31", "userPrincipalName": "inner", "reportPeriod": 7, "word": true}),
            ]
        );
    }

    #[test]
    fn an_item_without_nested_values_holds_no_row() {
        for nested in [json!([]), json!(null)] {
            let items = vec![
                json!({"userPrincipalName": "a@x", "details": nested}),
                json!({"userPrincipalName": "b@x", "details": [{"reportPeriod": 7}]}),
            ];
            assert_eq!(
                Vec::from(rows_of(&NESTED, items)),
                [json!({"userPrincipalName": "b@x", "reportPeriod": 7})]
            );
        }
        let rows = rows_of(&NESTED, vec![json!({"userPrincipalName": "a@x"})]);
        assert!(rows.is_empty());
    }

    #[test]
    fn shapes_that_are_not_rows_are_passed_on_for_the_decoder_to_reject() {
        let rows = rows_of(
            &NESTED,
            vec![json!(3), json!({"details": [1]}), json!({"details": "x"})],
        );
        assert_eq!(
            Vec::from(rows),
            [json!(3), json!(1), json!({"details": "x"})]
        );
    }
}
