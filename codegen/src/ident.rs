//! The one place that turns spec text (CSV headers, report ids, enum values) into Rust
//! identifiers and JSON property names.

/// Every Rust keyword of the 2024 edition: strict, reserved and weak. `r#` cannot escape
/// `self`/`Self`/`super`/`crate`, so keywords get a trailing `_` instead.
const KEYWORDS: &[&str] = &[
    "abstract",
    "as",
    "async",
    "await",
    "become",
    "box",
    "break",
    "const",
    "continue",
    "crate",
    "do",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "final",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "macro",
    "macro_rules",
    "match",
    "mod",
    "move",
    "mut",
    "override",
    "priv",
    "pub",
    "raw",
    "ref",
    "return",
    "safe",
    "self",
    "Self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "try",
    "type",
    "typeof",
    "union",
    "unsafe",
    "unsized",
    "use",
    "virtual",
    "where",
    "while",
    "yield",
];

pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// Splits text into words: at anything not alphanumeric, and inside a word at a lower-to-upper
/// step (`OneDrive` -> `One`, `Drive`) or at the end of an acronym (`XMLFile` -> `XML`, `File`).
/// A single leading lowercase letter stays with the capitals after it, so `iOS` is one word.
fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    for chunk in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        let chars: Vec<char> = chunk.chars().collect();
        let mut current = String::new();
        for (index, &c) in chars.iter().enumerate() {
            if !current.is_empty() && c.is_ascii_uppercase() {
                let previous = chars[index - 1];
                let next_is_lower = chars.get(index + 1).is_some_and(|n| n.is_ascii_lowercase());
                let lone_leading_lower = current.len() == 1 && previous.is_ascii_lowercase();
                let step_up = (previous.is_ascii_lowercase() || previous.is_ascii_digit())
                    && !lone_leading_lower;
                let acronym_end = previous.is_ascii_uppercase() && next_is_lower;
                if step_up || acronym_end {
                    words.push(std::mem::take(&mut current));
                }
            }
            current.push(c);
        }
        if !current.is_empty() {
            words.push(current);
        }
    }
    words
}

fn escape_keyword(ident: String) -> String {
    if is_keyword(&ident) {
        ident + "_"
    } else {
        ident
    }
}

/// `Storage Used (Byte)` -> `storage_used_byte`, `Type` -> `type_`, `10 Mobile` -> `n10_mobile`.
/// Empty when the text has no letter or digit at all.
pub fn snake_case(text: &str) -> String {
    let joined = words(text)
        .iter()
        .map(|word| word.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    if joined.starts_with(|c: char| c.is_ascii_digit()) {
        return format!("n{joined}");
    }
    escape_keyword(joined)
}

/// `office365_services_user_counts` -> `Office365ServicesUserCounts`, `D7` -> `D7`.
pub fn pascal_case(text: &str) -> String {
    let joined: String = words(text)
        .iter()
        .map(|word| {
            let lower = word.to_ascii_lowercase();
            let mut chars = lower.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect();
    if joined.starts_with(|c: char| c.is_ascii_digit()) {
        return format!("N{joined}");
    }
    escape_keyword(joined)
}

/// The JSON property name Graph's beta endpoints use for a CSV header: the first word with its
/// first letter lowered, every later word with its first letter raised, punctuation dropped.
/// `OneDrive Active` -> `oneDriveActive`, `Office 365 Active` -> `office365Active`.
pub fn camel_case(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .enumerate()
        .map(|(index, word)| {
            let mut chars = word.chars();
            let first = chars.next().unwrap_or_default();
            let first = if index == 0 {
                first.to_ascii_lowercase()
            } else {
                first.to_ascii_uppercase()
            };
            first.to_string() + chars.as_str()
        })
        .collect()
}

/// Whether `text` may stand as a snake_case Rust identifier exactly as written.
pub fn is_snake_ident(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !text.ends_with('_')
        && !text.contains("__")
        && !is_keyword(text)
}

/// Whether `text` may stand as a PascalCase Rust type name exactly as written.
pub fn is_pascal_ident(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphanumeric())
        && !is_keyword(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_table() {
        let table = [
            ("Report Refresh Date", "report_refresh_date"),
            ("iOS", "ios"),
            ("Used iOS", "used_ios"),
            ("ID", "id"),
            ("User Id", "user_id"),
            ("OneDrive Active", "one_drive_active"),
            ("SharePoint", "share_point"),
            ("Windows 10 Mobile", "windows_10_mobile"),
            ("Office 365 Active", "office_365_active"),
            ("Storage Used (Byte)", "storage_used_byte"),
            ("Peer-to-peer", "peer_to_peer"),
            ("Type", "type_"),
            ("Self", "self_"),
            ("gen", "gen_"),
            ("crate", "crate_"),
            ("10 Mobile", "n10_mobile"),
            ("XMLFile Count", "xml_file_count"),
            ("macOS", "mac_os"),
            ("Chrome OS", "chrome_os"),
            ("Has Exchange License", "has_exchange_license"),
            ("Meetings Organized (Count)", "meetings_organized_count"),
            ("", ""),
            ("()", ""),
        ];
        for (text, expected) in table {
            assert_eq!(snake_case(text), expected, "snake_case({text:?})");
        }
    }

    #[test]
    fn pascal_case_table() {
        let table = [
            (
                "office365_services_user_counts",
                "Office365ServicesUserCounts",
            ),
            ("D7", "D7"),
            ("d180", "D180"),
            ("ALL", "All"),
            ("self", "Self_"),
            ("7 days", "N7Days"),
        ];
        for (text, expected) in table {
            assert_eq!(pascal_case(text), expected, "pascal_case({text:?})");
        }
    }

    #[test]
    fn camel_case_table() {
        let table = [
            ("Report Refresh Date", "reportRefreshDate"),
            ("OneDrive Active", "oneDriveActive"),
            ("Office 365 Active", "office365Active"),
            ("Windows 10 Mobile", "windows10Mobile"),
            ("Skype For Business Inactive", "skypeForBusinessInactive"),
            ("Storage Used (Byte)", "storageUsedByte"),
            ("Peer-to-peer", "peerToPeer"),
            ("iOS", "iOS"),
        ];
        for (text, expected) in table {
            assert_eq!(camel_case(text), expected, "camel_case({text:?})");
        }
    }

    #[test]
    fn identifier_checks() {
        assert!(is_snake_ident("office365_activation_counts"));
        assert!(!is_snake_ident("Office365"));
        assert!(!is_snake_ident("type"));
        assert!(!is_snake_ident("a__b"));
        assert!(!is_snake_ident("1abc"));
        assert!(is_pascal_ident("Period"));
        assert!(!is_pascal_ident("Self"));
        assert!(!is_pascal_ident("period"));
    }
}
