//! `graph-reports sync` in a build without the `parquet` feature: a bad command line saying how
//! to get it, before anything is sent.
#![cfg(not(feature = "parquet"))]
#![allow(clippy::unwrap_used, reason = "a test fails loudly on setup errors")]

#[test]
fn sync_says_to_build_with_parquet() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_graph-reports"))
        .args(["sync", "--emulator", "--lake"])
        .arg(std::env::temp_dir().join("graph-reports-never-written"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("--features parquet"), "{stderr}");
    assert!(
        !std::env::temp_dir()
            .join("graph-reports-never-written")
            .exists()
    );
}
