//! Function parameters: the generated enum types' common behaviour, and writing arguments into
//! the request path exactly as Graph expects them (`period='D7'`, `date=2024-01-31`).

use std::fmt::{self, Write as _};

use chrono::NaiveDate;

use super::meta::{FormMeta, ReportMeta};

/// Implemented by the generated enum parameter types, such as `Period`.
pub trait EnumParameter: Copy + Send + Sync + 'static {
    /// The Rust type name, e.g. `Period`.
    const NAME: &'static str;
    /// Every value, in spec order.
    const ALL: &'static [Self];
    /// Every value as written in the path, in spec order.
    const WIRE_VALUES: &'static [&'static str];

    /// The value as written in the path, e.g. `D7`.
    fn as_str(self) -> &'static str;
}

/// A string that names no value of an enum parameter type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseEnumError {
    type_name: &'static str,
    value: String,
    expected: &'static [&'static str],
}

impl fmt::Display for ParseEnumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a {}; expected one of: {}",
            self.value,
            self.type_name,
            self.expected.join(", ")
        )
    }
}

impl std::error::Error for ParseEnumError {}

/// Parses a value as written in the path, ignoring ASCII case (`d7` is `D7`).
pub fn parse_enum<T: EnumParameter>(text: &str) -> Result<T, ParseEnumError> {
    T::ALL
        .iter()
        .copied()
        .find(|value| value.as_str().eq_ignore_ascii_case(text.trim()))
        .ok_or_else(|| ParseEnumError {
            type_name: T::NAME,
            value: text.to_owned(),
            expected: T::WIRE_VALUES,
        })
}

/// One argument of a report call, in the order of its form's parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(
    dead_code,
    reason = "which kinds are built depends on the parameters of the compiled-in families"
)]
pub(crate) enum Argument {
    Enum(&'static str),
    Date(NaiveDate),
    String(String),
}

impl Argument {
    pub(crate) fn enumerated<T: EnumParameter>(value: T) -> Self {
        Argument::Enum(value.as_str())
    }
}

/// `/reports/{function}` or `/reports/{function}(name=value,...)`, values percent-encoded where
/// the URL needs it and quoted where the spec says so (OData doubles a quote inside quotes).
pub(crate) fn report_path(report: &ReportMeta, form: &FormMeta, arguments: &[Argument]) -> String {
    let mut path = format!("/reports/{}", report.function);
    if form.parameters.is_empty() {
        return path;
    }
    path.push('(');
    for (position, (index, argument)) in form.parameters.iter().zip(arguments).enumerate() {
        let Some(parameter) = report.parameters.get(*index) else {
            continue;
        };
        if position > 0 {
            path.push(',');
        }
        path.push_str(parameter.name);
        path.push('=');
        let value = match argument {
            Argument::Enum(value) => (*value).to_owned(),
            Argument::Date(date) => date.format("%Y-%m-%d").to_string(),
            Argument::String(value) => value.clone(),
        };
        if parameter.quoted {
            path.push('\'');
            push_encoded(&mut path, &value.replace('\'', "''"));
            path.push('\'');
        } else {
            push_encoded(&mut path, &value);
        }
    }
    path.push(')');
    path
}

fn push_encoded(path: &mut String, value: &str) {
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~'".contains(&byte) {
            path.push(char::from(byte));
        } else {
            let _ = write!(path, "%{byte:02X}");
        }
    }
}
