//! One beta JSON page, `{"value":[...],"@odata.nextLink":"..."}`, parsed item by item: each
//! `value` item is turned into its rows (or kept as served, for the raw download) as soon as
//! it is read, so a page never exists twice in memory as one `serde_json::Value` tree.

use std::collections::VecDeque;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::error::{Error, ErrorKind};
use super::error_body::parse_service_error;
use super::json_rows;
use super::meta::ReportMeta;

/// What the items of a page become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PageShape {
    /// Rows, nested items split (see [`json_rows`]): what a row stream decodes.
    Rows,
    /// The items as served: what `bytes` and `write_to` re-emit.
    Items,
}

/// One page of a beta JSON report.
pub(crate) struct JsonPage {
    /// Rows or items, as the session's [`PageShape`] asked.
    pub(crate) rows: VecDeque<Value>,
    pub(crate) next_link: Option<String>,
}

/// Parses one page's bytes. `token` is redacted from an error body served under `200`.
pub(crate) fn parse_page(
    meta: &'static ReportMeta,
    shape: PageShape,
    body: &[u8],
    token: &str,
) -> Result<JsonPage, Error> {
    let mut rows = VecDeque::new();
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let parsed = PageSeed {
        meta,
        shape,
        rows: &mut rows,
    }
    .deserialize(&mut deserializer)
    .and_then(|page| deserializer.end().map(|()| page));
    let not_a_collection = |source: Option<serde_json::Error>| {
        let service = parse_service_error(body, token);
        if service.code.is_some() {
            // An error body under a success status: report it as the error it is.
            return Error::new(ErrorKind::Service, "Graph answered 200 with an error body")
                .with_report(meta.id)
                .with_status(200)
                .with_service(service);
        }
        let error = Error::new(
            ErrorKind::Decode,
            "the JSON page is not a Graph collection (no `value` array), or is not valid JSON",
        )
        .with_report(meta.id);
        match source {
            Some(source) => error.with_source(source),
            None => error,
        }
    };
    match parsed {
        Ok(Tail {
            has_value: true,
            next_link,
        }) => Ok(JsonPage { rows, next_link }),
        Ok(Tail { .. }) => Err(not_a_collection(None)),
        Err(err) => Err(not_a_collection(Some(err))),
    }
}

/// What is left of a page once its items are taken.
struct Tail {
    has_value: bool,
    next_link: Option<String>,
}

/// The page object: `value` is read as a sequence straight into `rows`, `@odata.nextLink` is
/// kept, anything else (`@odata.context`, ...) is skipped without being built.
struct PageSeed<'a> {
    meta: &'static ReportMeta,
    shape: PageShape,
    rows: &'a mut VecDeque<Value>,
}

impl<'de> DeserializeSeed<'de> for PageSeed<'_> {
    type Value = Tail;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Tail, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PageSeed<'_> {
    type Value = Tail;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Graph collection object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tail, A::Error> {
        let mut tail = Tail {
            has_value: false,
            next_link: None,
        };
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "value" => {
                    tail.has_value = true;
                    map.next_value_seed(ItemsSeed {
                        meta: self.meta,
                        shape: self.shape,
                        rows: &mut *self.rows,
                    })?;
                }
                "@odata.nextLink" => tail.next_link = map.next_value()?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(tail)
    }
}

/// The `value` array, one item at a time.
struct ItemsSeed<'a> {
    meta: &'static ReportMeta,
    shape: PageShape,
    rows: &'a mut VecDeque<Value>,
}

impl<'de> DeserializeSeed<'de> for ItemsSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ItemsSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of report items")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<(), A::Error> {
        while let Some(item) = items.next_element::<Value>()? {
            match self.shape {
                PageShape::Rows => json_rows::push_rows(self.meta, item, self.rows),
                PageShape::Items => self.rows.push_back(item),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::runtime::meta::{ColumnMeta, ColumnType};

    static NESTED: ReportMeta = ReportMeta::new(
        "nested",
        "getNested",
        &[ColumnMeta::new(
            "Report Period",
            "report_period",
            "reportPeriod",
            ColumnType::Integer,
        )],
    )
    .with_json_nested("details");

    fn page(shape: PageShape, body: &Value) -> Result<JsonPage, Error> {
        parse_page(&NESTED, shape, body.to_string().as_bytes(), "token-123456")
    }

    #[test]
    fn items_become_rows_and_the_next_link_is_kept() {
        let body = json!({
            "@odata.context": "https://graph.microsoft.com/beta/$metadata#x",
            "value": [{"u": "a", "details": [{"reportPeriod": 7}, {"reportPeriod": 30}]}],
            "@odata.nextLink": "https://graph.microsoft.com/beta/next"
        });
        let rows = page(PageShape::Rows, &body).unwrap();
        assert_eq!(
            Vec::from(rows.rows),
            [
                json!({"u": "a", "reportPeriod": 7}),
                json!({"u": "a", "reportPeriod": 30})
            ]
        );
        assert_eq!(
            rows.next_link.as_deref(),
            Some("https://graph.microsoft.com/beta/next")
        );
        let items = page(PageShape::Items, &body).unwrap();
        assert_eq!(Vec::from(items.rows), [body["value"][0].clone()]);
    }

    #[test]
    fn a_page_without_value_or_with_trailing_bytes_is_an_error() {
        let error = page(PageShape::Rows, &json!({})).err().unwrap();
        assert_eq!(error.kind(), ErrorKind::Decode);
        assert!(error.message().contains("no `value` array"), "{error}");
        let error = parse_page(&NESTED, PageShape::Rows, b"{\"value\":[]} x", "")
            .err()
            .unwrap();
        assert_eq!(error.kind(), ErrorKind::Decode);
        let error = page(PageShape::Rows, &json!({"value": 3})).err().unwrap();
        assert_eq!(error.kind(), ErrorKind::Decode);
        let error = page(PageShape::Rows, &json!({"value": [], "@odata.nextLink": 3}))
            .err()
            .unwrap();
        assert_eq!(error.kind(), ErrorKind::Decode);
    }

    #[test]
    fn an_error_body_under_200_is_a_service_error_with_the_token_redacted() {
        let error = page(
            PageShape::Rows,
            &json!({"error": {"code": "Echo", "message": "Authorization: Bearer token-123456"}}),
        )
        .err()
        .unwrap();
        assert_eq!(error.kind(), ErrorKind::Service);
        assert!(!error.to_string().contains("token-123456"), "{error}");
    }

    #[test]
    fn a_null_next_link_is_the_last_page() {
        let last = page(
            PageShape::Rows,
            &json!({"value": [], "@odata.nextLink": null}),
        )
        .unwrap();
        assert_eq!(last.next_link, None);
    }
}
