//! The one "X is not a Y; expected one of ..." error: a name that is none of a closed set of
//! values (an API version, a format, a cloud, a value of a generated enum parameter).

/// A name that is none of a type's values: from the `FromStr` of [`ApiVersion`](crate::ApiVersion),
/// [`Format`](crate::Format), [`Cloud`](crate::Cloud) and every generated enum parameter type
/// (such as `Period`), and in the message of [`Argument::parse`](crate::Argument::parse).
///
/// ```
/// use reports_sdk::Cloud;
///
/// let error = "mars".parse::<Cloud>().unwrap_err();
/// assert_eq!(error.name(), "mars");
/// assert_eq!(error.expected()[0], "global");
/// assert_eq!(
///     error.to_string(),
///     "\"mars\" is not a cloud; expected one of: global, us_gov_l4, us_gov_l5, china"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    what: String,
    name: String,
    expected: Vec<String>,
}

impl UnknownName {
    /// `name` is not a `what`, whose values are `expected`.
    pub(crate) fn new<S: ToString>(
        what: impl Into<String>,
        name: impl Into<String>,
        expected: impl IntoIterator<Item = S>,
    ) -> Self {
        UnknownName {
            what: what.into(),
            name: name.into(),
            expected: expected
                .into_iter()
                .map(|value| value.to_string())
                .collect(),
        }
    }

    /// The name that was given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What it should have named, e.g. `cloud` or `Period`.
    pub fn what(&self) -> &str {
        &self.what
    }

    /// The values it could have been, in their usual order.
    pub fn expected(&self) -> &[String] {
        &self.expected
    }
}

impl std::fmt::Display for UnknownName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:?} is not a {}; expected one of: {}",
            self.name,
            self.what,
            self.expected.join(", ")
        )
    }
}

impl std::error::Error for UnknownName {}
