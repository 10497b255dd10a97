//! Reading a report call's path segment: `getX`, `getX(period='D7')`, `getX(date=2024-01-31)`.

/// A parsed report call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportCall {
    /// The Graph function, e.g. `getOffice365ServicesUserCounts`.
    pub function: String,
    /// `(name, value, quoted)` in path order, quotes removed (and `''` undoubled).
    pub arguments: Vec<(String, String, bool)>,
}

/// Parses the last path segment of a report call, already percent-decoded.
pub fn parse_call(segment: &str) -> Result<ReportCall, String> {
    let Some(open) = segment.find('(') else {
        return Ok(ReportCall {
            function: segment.to_owned(),
            arguments: Vec::new(),
        });
    };
    let function = segment[..open].to_owned();
    let inner = segment[open + 1..]
        .strip_suffix(')')
        .ok_or_else(|| format!("{segment:?} does not end with ')'"))?;
    let mut arguments = Vec::new();
    let mut rest = inner;
    while !rest.is_empty() {
        let (name, after) = rest
            .split_once('=')
            .ok_or_else(|| format!("argument {rest:?} has no '='"))?;
        let name = name.trim().to_owned();
        let (value, quoted, after) = if let Some(quoted) = after.strip_prefix('\'') {
            let mut value = String::new();
            let mut chars = quoted.char_indices().peekable();
            let mut end = None;
            while let Some((index, c)) = chars.next() {
                if c == '\'' {
                    if chars.peek().is_some_and(|(_, next)| *next == '\'') {
                        chars.next();
                        value.push('\'');
                    } else {
                        end = Some(index);
                        break;
                    }
                } else {
                    value.push(c);
                }
            }
            let end = end.ok_or_else(|| format!("the value of {name} has no closing quote"))?;
            (value, true, &quoted[end + 1..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_owned(), false, &after[end..])
        };
        arguments.push((name, value, quoted));
        rest = after.trim_start();
        if let Some(next) = rest.strip_prefix(',') {
            rest = next.trim_start();
        } else if !rest.is_empty() {
            return Err(format!("unexpected {rest:?} after an argument"));
        }
    }
    Ok(ReportCall {
        function,
        arguments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_with_and_without_arguments() {
        assert_eq!(
            parse_call("getOffice365ActivationCounts").unwrap(),
            ReportCall {
                function: "getOffice365ActivationCounts".into(),
                arguments: vec![]
            }
        );
        assert_eq!(
            parse_call("getX(period='D7')").unwrap().arguments,
            [("period".to_owned(), "D7".to_owned(), true)]
        );
        assert_eq!(
            parse_call("getX(date=2024-01-31)").unwrap().arguments,
            [("date".to_owned(), "2024-01-31".to_owned(), false)]
        );
        assert_eq!(
            parse_call("getX(name='it''s, here',date=2024-01-31)")
                .unwrap()
                .arguments,
            [
                ("name".to_owned(), "it's, here".to_owned(), true),
                ("date".to_owned(), "2024-01-31".to_owned(), false)
            ]
        );
        assert!(parse_call("getX(period='D7'").is_err());
        assert!(parse_call("getX(period='D7)").is_err());
        assert!(parse_call("getX(period)").is_err());
    }
}
