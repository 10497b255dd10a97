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
