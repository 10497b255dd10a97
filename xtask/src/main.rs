use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask codegen [--check]

  codegen          regenerate reports-sdk/src/generated/ from spec/*.yaml
  codegen --check  exit non-zero if the checked-in generated code is stale";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["codegen"] => false,
        ["codegen", "--check"] => true,
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
                println!("{verb} {}/{path}", xtask::GENERATED_DIR);
            }
            ExitCode::SUCCESS
        }
        Err(failure) => {
            eprintln!("error: {failure}");
            ExitCode::FAILURE
        }
    }
}
