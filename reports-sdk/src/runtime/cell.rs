//! Each column type's decoder and encoder as a pair, for the generated rows'
//! `#[serde(with = "crate::runtime::cell::<type>")]`: serde calls `<path>::deserialize` and
//! `<path>::serialize`.
//!
//! `deserialize` is the type's [`decode`] function. `serialize` is the type's [`encode`]
//! function where the report's text is not serde's own shape (durations, lists), and serde's
//! own `Serialize` otherwise: dates, timestamps, text, integers and booleans serialize exactly
//! as a field without `serialize_with` does.
//!
//! A list column's pair is a type, [`List`] or [`OptionalList`], whose separator is a const
//! parameter: `with = "crate::runtime::cell::List::<'+'>"` makes serde call
//! `List::<'+'>::deserialize`, so one item serves every separator a spec names.

// Only generated rows call these, and some sets of families (none, for one) have no column of a
// given type. The unit-test build compiles the codegen fixtures, whose rows use every pair:
// there, a pair no generated row reaches is still a dead-code warning.
#![cfg_attr(
    not(test),
    allow(
        dead_code,
        reason = "called only by generated rows, which the enabled families may not have (the test build's fixtures call every one)"
    )
)]

use serde::{Deserializer, Serializer};

use super::{decode, encode};

/// One module per type: `deserialize` is the [`decode`] function of the module's name;
/// `serialize` is the [`encode`] function of that name where one is given (`=> encode`), serde's
/// own `Serialize` otherwise.
macro_rules! pairs {
    ($($module:ident: $ty:ty $(=> $encode:ident)?;)*) => {$(
        #[doc = concat!("`", stringify!($ty), "` cells: [`decode::", stringify!($module), "`] and ", pairs!(@encoder $module $($encode)?), ".")]
        pub(crate) mod $module {
            pub(crate) fn deserialize<'de, D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<$ty, D::Error> {
                crate::runtime::decode::$module(deserializer)
            }

            pub(crate) fn serialize<S: ::serde::Serializer>(
                value: &$ty,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                pairs!(@serialize $module value serializer $($encode)?)
            }
        }
    )*};
    (@encoder $module:ident) => { "serde's own `Serialize`, as a field without `serialize_with`" };
    (@encoder $module:ident encode) => { concat!("[`encode::", stringify!($module), "`]") };
    (@serialize $module:ident $value:ident $serializer:ident) => {
        ::serde::Serialize::serialize($value, $serializer)
    };
    (@serialize $module:ident $value:ident $serializer:ident encode) => {
        crate::runtime::encode::$module($value, $serializer)
    };
}

pairs! {
    date: ::chrono::NaiveDate;
    optional_date: ::std::option::Option<::chrono::NaiveDate>;
    datetime: ::chrono::DateTime<::chrono::Utc>;
    optional_datetime: ::std::option::Option<::chrono::DateTime<::chrono::Utc>>;
    string: ::std::string::String;
    optional_string: ::std::option::Option<::std::string::String>;
    integer: i64;
    optional_integer: ::std::option::Option<i64>;
    boolean: bool;
    optional_boolean: ::std::option::Option<bool>;
    duration: ::std::time::Duration => encode;
    optional_duration: ::std::option::Option<::std::time::Duration> => encode;
}

/// `list` cells whose items are joined by `SEPARATOR`: [`decode::list`] and [`encode::list`].
/// Never a value, only a name for serde's `with`.
pub(crate) enum List<const SEPARATOR: char> {}

impl<const SEPARATOR: char> List<SEPARATOR> {
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<String>, D::Error> {
        decode::list::<SEPARATOR, D>(deserializer)
    }

    pub(crate) fn serialize<S: Serializer>(
        items: &[String],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        encode::list::<SEPARATOR, S>(items, serializer)
    }
}

/// Optional `list` cells: [`decode::optional_list`] and [`encode::optional_list`].
pub(crate) enum OptionalList<const SEPARATOR: char> {}

impl<const SEPARATOR: char> OptionalList<SEPARATOR> {
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Vec<String>>, D::Error> {
        decode::optional_list::<SEPARATOR, D>(deserializer)
    }

    pub(crate) fn serialize<S: Serializer>(
        items: &Option<Vec<String>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        encode::optional_list::<SEPARATOR, S>(items, serializer)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::{DateTime, NaiveDate, Utc};
    use serde::{Deserialize, Serialize};

    /// Every pair, the way generated rows name them.
    #[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
    struct Paired {
        #[serde(rename = "Day", with = "super::date")]
        day: NaiveDate,
        #[serde(rename = "Maybe Day", with = "super::optional_date", default)]
        maybe_day: Option<NaiveDate>,
        #[serde(rename = "At", with = "super::datetime")]
        at: DateTime<Utc>,
        #[serde(rename = "Maybe At", with = "super::optional_datetime", default)]
        maybe_at: Option<DateTime<Utc>>,
        #[serde(rename = "Code", with = "super::string")]
        code: String,
        #[serde(rename = "Maybe Code", with = "super::optional_string", default)]
        maybe_code: Option<String>,
        #[serde(rename = "Count", with = "super::integer")]
        count: i64,
        #[serde(rename = "Maybe Count", with = "super::optional_integer", default)]
        maybe_count: Option<i64>,
        #[serde(rename = "Flag", with = "super::boolean")]
        flag: bool,
        #[serde(rename = "Maybe Flag", with = "super::optional_boolean", default)]
        maybe_flag: Option<bool>,
        #[serde(rename = "Took", with = "super::duration")]
        took: Duration,
        #[serde(rename = "Maybe Took", with = "super::optional_duration", default)]
        maybe_took: Option<Duration>,
        #[serde(rename = "Products", with = "super::List::<'+'>")]
        products: Vec<String>,
        #[serde(
            rename = "Maybe Products",
            with = "super::OptionalList::<';'>",
            default
        )]
        maybe_products: Option<Vec<String>>,
    }

    /// The same row as generated before the pairs: a decoder each, serde's own `Serialize` but
    /// for durations and lists.
    #[derive(Debug, Serialize)]
    struct Separate {
        #[serde(rename = "Day")]
        day: NaiveDate,
        #[serde(rename = "Maybe Day")]
        maybe_day: Option<NaiveDate>,
        #[serde(rename = "At")]
        at: DateTime<Utc>,
        #[serde(rename = "Maybe At")]
        maybe_at: Option<DateTime<Utc>>,
        #[serde(rename = "Code")]
        code: String,
        #[serde(rename = "Maybe Code")]
        maybe_code: Option<String>,
        #[serde(rename = "Count")]
        count: i64,
        #[serde(rename = "Maybe Count")]
        maybe_count: Option<i64>,
        #[serde(rename = "Flag")]
        flag: bool,
        #[serde(rename = "Maybe Flag")]
        maybe_flag: Option<bool>,
        #[serde(rename = "Took", serialize_with = "crate::runtime::encode::duration")]
        took: Duration,
        #[serde(
            rename = "Maybe Took",
            serialize_with = "crate::runtime::encode::optional_duration"
        )]
        maybe_took: Option<Duration>,
        #[serde(
            rename = "Products",
            serialize_with = "crate::runtime::encode::list::<'+', _>"
        )]
        products: Vec<String>,
        #[serde(
            rename = "Maybe Products",
            serialize_with = "crate::runtime::encode::optional_list::<';', _>"
        )]
        maybe_products: Option<Vec<String>>,
    }

    fn rows() -> [(Paired, Separate); 2] {
        let day = NaiveDate::from_ymd_opt(2024, 1, 31).unwrap();
        let at = day.and_hms_milli_opt(10, 20, 30, 500).unwrap().and_utc();
        let products = vec!["OFFICE E3".to_owned(), "A + B".to_owned()];
        let full = Paired {
            day,
            maybe_day: Some(day),
            at,
            maybe_at: Some(at),
            code: "007, \"x\"".to_owned(),
            maybe_code: Some(" padded ".to_owned()),
            count: -3,
            maybe_count: Some(i64::MAX),
            flag: true,
            maybe_flag: Some(false),
            took: Duration::from_millis(3_723_250),
            maybe_took: Some(Duration::ZERO),
            products: products.clone(),
            maybe_products: Some(products),
        };
        let sparse = Paired {
            maybe_day: None,
            maybe_at: None,
            maybe_code: None,
            maybe_count: None,
            maybe_flag: None,
            maybe_took: None,
            products: Vec::new(),
            maybe_products: None,
            ..full.clone()
        };
        [full, sparse].map(|row| {
            let separate = Separate {
                day: row.day,
                maybe_day: row.maybe_day,
                at: row.at,
                maybe_at: row.maybe_at,
                code: row.code.clone(),
                maybe_code: row.maybe_code.clone(),
                count: row.count,
                maybe_count: row.maybe_count,
                flag: row.flag,
                maybe_flag: row.maybe_flag,
                took: row.took,
                maybe_took: row.maybe_took,
                products: row.products.clone(),
                maybe_products: row.maybe_products.clone(),
            };
            (row, separate)
        })
    }

    fn csv<T: Serialize>(row: &T) -> String {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.serialize(row).unwrap();
        String::from_utf8(writer.into_inner().unwrap()).unwrap()
    }

    #[test]
    fn pairs_serialize_as_the_separate_attributes_did_and_read_back() {
        for (paired, separate) in rows() {
            let json = serde_json::to_value(&paired).unwrap();
            assert_eq!(json, serde_json::to_value(&separate).unwrap());
            assert_eq!(
                serde_json::to_string(&paired).unwrap(),
                serde_json::to_string(&separate).unwrap()
            );
            let text = csv(&paired);
            assert_eq!(text, csv(&separate));

            assert_eq!(serde_json::from_value::<Paired>(json).unwrap(), paired);
            let read: Paired = csv::Reader::from_reader(text.as_bytes())
                .deserialize()
                .next()
                .unwrap()
                .unwrap();
            assert_eq!(read, paired);
        }
    }
}
