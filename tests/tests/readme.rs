//! The README's report table is the catalogue's: a report added to the spec must be listed.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on setup errors")]

#[test]
fn the_readme_lists_every_report_of_the_catalogue() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let missing: Vec<&str> = reports_sdk::catalog()
        .iter()
        .filter(|meta| {
            let row = format!("| `{}` | `{}`", meta.family, meta.id);
            !(readme.contains(&row) && readme.contains(&format!("| `{}` |", meta.function)))
        })
        .map(|meta| meta.id)
        .collect();
    assert!(
        missing.is_empty(),
        "README.md's report table lacks {missing:?}: add a row `| family | id | function | parameters | versions |` each"
    );
}

/// The README's `[dependencies]` block and program for using the SDK from another crate are
/// `tests/consumer`'s, which CI builds alone: the lines a user copies are lines that build.
#[test]
fn the_readme_snippet_for_another_crate_is_the_consumer_crate() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let manifest = std::fs::read_to_string(format!("{root}/tests/consumer/Cargo.toml")).unwrap();
    let program = std::fs::read_to_string(format!("{root}/tests/consumer/src/main.rs")).unwrap();

    let snippet = fenced_block_after(&readme, "```toml\n[dependencies]\n")
        .unwrap_or_else(|| panic!("README.md has no ```toml block starting with [dependencies]"));
    let consumer = manifest
        .split("[dependencies]\n")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .unwrap();
    assert_eq!(
        snippet.trim_end().replace(
            r#"path = "../graph-reports-sdk/reports-sdk""#,
            r#"path = "../../reports-sdk""#
        ),
        consumer.trim_end(),
        "README.md's [dependencies] block and tests/consumer/Cargo.toml's differ"
    );

    let code = fenced_block_after(&readme, "```rust,no_run\nuse futures_util::StreamExt;\nuse reports_sdk::{Client, Credentials, Period};\n")
        .unwrap_or_else(|| panic!("README.md does not show tests/consumer's program"));
    let body = program
        .split_once(
            "use futures_util::StreamExt;\nuse reports_sdk::{Client, Credentials, Period};\n",
        )
        .unwrap()
        .1;
    assert_eq!(
        code, body,
        "README.md's program and tests/consumer/src/main.rs differ"
    );
}

/// The text of the fenced block that opens with `opening`, after the opening, up to its fence.
fn fenced_block_after<'a>(text: &'a str, opening: &str) -> Option<&'a str> {
    let start = text.find(opening)? + opening.len();
    let length = text[start..].find("```")?;
    Some(&text[start..start + length])
}
