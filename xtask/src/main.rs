use std::process::ExitCode;

#[cfg(feature = "spec-diff")]
mod spec_diff;

const USAGE: &str = "usage: cargo xtask codegen [--check]
       cargo xtask spec-diff <file.csv|file.json> [--report ID]

  codegen          regenerate reports-sdk/src/generated/ from spec/*.yaml, and the codegen
                   fixtures' output (compiled by the SDK's tests) in reports-sdk/src/runtime/fixtures/
  codegen --check  exit non-zero if the checked-in generated code is stale
  spec-diff FILE   compare a report file Graph served with the spec, printing the YAML to
                   paste when Microsoft changed the report (`cargo xtask spec-diff --help`)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let check = match args.as_slice() {
        ["codegen"] => false,
        ["codegen", "--check"] => true,
        #[cfg(feature = "spec-diff")]
        ["spec-diff", rest @ ..] => return spec_diff::command(rest),
        #[cfg(not(feature = "spec-diff"))]
        ["spec-diff", ..] => {
            eprintln!(
                "error: this xtask was built without its `spec-diff` feature; run `cargo xtask` with default features"
            );
            return ExitCode::from(2);
        }
        ["--help" | "-h" | "help"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let root = xtask::workspace_root();
    let result = xtask::expected_files(&root).and_then(|expected| {
        if check {
            xtask::changes(&root, &expected)
        } else {
            xtask::write(&root, &expected)
        }
    });
    match result {
        Ok(changes) if check && !changes.is_empty() => {
            eprintln!("error: {}", xtask::Failure::Stale(changes));
            ExitCode::FAILURE
        }
        Ok(changes) if check => {
            debug_assert!(changes.is_empty());
            println!("generated code is up to date");
            ExitCode::SUCCESS
        }
        Ok(changes) if changes.is_empty() => {
            println!("generated code already up to date");
            ExitCode::SUCCESS
        }
        Ok(changes) => {
            for change in &changes {
                let (verb, path) = match change {
                    xtask::Change::Added { path } => ("created", path),
                    xtask::Change::Modified { path, .. } => ("updated", path),
                    xtask::Change::Removed { path } => ("deleted", path),
                };
                println!("{verb} {}/{path}", xtask::SDK_SRC_DIR);
            }
            ExitCode::SUCCESS
        }
        Err(failure) => {
            eprintln!("error: {failure}");
            ExitCode::FAILURE
        }
    }
}
