//! Function parameters: the generated enum types' common behaviour, and writing arguments into
//! the request path exactly as Graph expects them (`period='D7'`, `date=2024-01-31`).

use std::fmt::Write as _;

use chrono::NaiveDate;

use super::meta::{FormMeta, ParameterKind, ParameterMeta, ReportMeta};
use super::unknown_name::UnknownName;

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

/// Parses a value as written in the path, ignoring ASCII case (`d7` is `D7`).
pub fn parse_enum<T: EnumParameter>(text: &str) -> Result<T, UnknownName> {
    T::ALL
        .iter()
        .copied()
        .find(|value| value.as_str().eq_ignore_ascii_case(text.trim()))
        .ok_or_else(|| UnknownName::new(T::NAME, text, T::WIRE_VALUES))
}

/// One argument of a report call. Generated methods build these from typed values; tools that
/// work from the catalogue build them with [`Argument::parse`] and pass them to
/// [`Client::request`](crate::Client::request).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Argument {
    /// A value of an enum parameter, as written in the path (`D7`).
    Enum(&'static str),
    /// A `date` parameter.
    Date(NaiveDate),
    /// A `string` parameter.
    String(String),
}

impl Argument {
    #[allow(
        dead_code,
        reason = "called by the generated methods of the families enabled, if any"
    )]
    pub(crate) fn enumerated<T: EnumParameter>(value: T) -> Self {
        Argument::Enum(value.as_str())
    }

    /// Reads `text` as a value of `parameter`: one of its values (any case) for an enum,
    /// `YYYY-MM-DD` for a date, anything for a string.
    pub fn parse(parameter: &ParameterMeta, text: &str) -> Result<Argument, String> {
        let text = text.trim();
        match parameter.kind {
            ParameterKind::Enum { type_name, values } => values
                .iter()
                .copied()
                .find(|value| value.eq_ignore_ascii_case(text))
                .map(Argument::Enum)
                .ok_or_else(|| {
                    UnknownName::new(
                        format!("{type_name} (parameter `{}`)", parameter.name),
                        text,
                        values,
                    )
                    .to_string()
                }),
            ParameterKind::Date => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(Argument::Date)
                .map_err(|_| {
                    format!(
                        "{text:?} is not a date (parameter `{}`); write it as YYYY-MM-DD",
                        parameter.name
                    )
                }),
            ParameterKind::String => Ok(Argument::String(text.to_owned())),
        }
    }

    /// Whether this argument can stand for `parameter`.
    pub(crate) fn fits(&self, parameter: &ParameterMeta) -> bool {
        match (self, parameter.kind) {
            (Argument::Enum(value), ParameterKind::Enum { values, .. }) => values.contains(value),
            (Argument::Date(_), ParameterKind::Date) => true,
            (Argument::String(_), ParameterKind::String) => true,
            _ => false,
        }
    }

    /// The value as written in the path, before quoting and escaping.
    pub fn as_path_value(&self) -> String {
        match self {
            Argument::Enum(value) => (*value).to_owned(),
            Argument::Date(date) => date.format("%Y-%m-%d").to_string(),
            Argument::String(value) => value.clone(),
        }
    }
}

/// `/reports/{function}` or `/reports/{function}(name=value,...)`: the form's arguments, then
/// the optional ones set, in the order the report declares its parameters. Values are
/// percent-encoded where the URL needs it and quoted where the spec says so (OData doubles a
/// quote inside quotes).
pub(crate) fn report_path(
    report: &ReportMeta,
    form: &FormMeta,
    arguments: &[Argument],
    optional: &[(&'static str, Argument)],
) -> String {
    let required = form
        .parameters
        .iter()
        .zip(arguments)
        .filter_map(|(index, argument)| Some((report.parameters.get(*index)?, argument)));
    let optional = report.parameters.iter().filter_map(|parameter| {
        optional
            .iter()
            .find(|(name, _)| *name == parameter.name)
            .map(|(_, argument)| (parameter, argument))
    });
    let mut path = format!("/reports/{}", report.function);
    let mut written = 0;
    for (parameter, argument) in required.chain(optional) {
        path.push(if written == 0 { '(' } else { ',' });
        written += 1;
        path.push_str(parameter.name);
        path.push('=');
        let value = argument.as_path_value();
        if parameter.quoted {
            path.push('\'');
            push_encoded(&mut path, &value.replace('\'', "''"));
            path.push('\'');
        } else {
            push_encoded(&mut path, &value);
        }
    }
    if written > 0 {
        path.push(')');
    }
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
