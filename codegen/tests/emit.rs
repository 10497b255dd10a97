//! The emitter's output for fixture specs built to break it (`tests/fixtures/*.yaml`): a `syn`
//! parse of every file, determinism, and concrete facts about names, types and attributes checked
//! on the parsed output.
//!
//! The fixtures' output itself is checked in, once, where it is compiled:
//! `cargo xtask codegen` writes it (without feature gates) to `reports-sdk/src/runtime/fixtures/`,
//! whose unit tests decode its rows and call its methods. A change to the emitter shows there as
//! a diff to review, like a snapshot; [`checked_in_fixture_output_is_what_the_generator_produces`]
//! fails until it is regenerated.

// `allow-expect-in-tests` covers `#[test]` functions only, not the helpers they share.
#![allow(clippy::expect_used)]

use codegen::{GeneratedFile, Options, SpecSource};
use quote::ToTokens;
use syn::punctuated::Punctuated;

// Named as `cargo xtask codegen` names them, so the output here is byte for byte the checked-in
// one.
const COLUMNS: SpecSource<'static> = SpecSource {
    file: "codegen/tests/fixtures/columns.yaml",
    text: include_str!("fixtures/columns.yaml"),
};

const OPTIONS: SpecSource<'static> = SpecSource {
    file: "codegen/tests/fixtures/options.yaml",
    text: include_str!("fixtures/options.yaml"),
};

const PARAMETERS: SpecSource<'static> = SpecSource {
    file: "codegen/tests/fixtures/parameters.yaml",
    text: include_str!("fixtures/parameters.yaml"),
};

const ALL: [SpecSource<'static>; 3] = [COLUMNS, OPTIONS, PARAMETERS];

/// Where `cargo xtask codegen` writes the fixtures' output, from the workspace root.
const CHECKED_IN: &str = "reports-sdk/src/runtime/fixtures";

fn generate(sources: &[SpecSource<'_>]) -> Vec<GeneratedFile> {
    codegen::generate(sources)
        .unwrap_or_else(|problems| panic!("fixtures must be valid: {problems}"))
}

/// The fixtures' output as the SDK's own code is generated: families gated by features.
fn fixtures() -> Vec<GeneratedFile> {
    generate(&ALL)
}

/// The fixtures' output as it is checked in and compiled: no feature gates.
fn ungated() -> Vec<GeneratedFile> {
    codegen::generate_with(
        &ALL,
        Options {
            feature_gates: false,
        },
    )
    .unwrap_or_else(|problems| panic!("fixtures must be valid: {problems}"))
}

fn output<'a>(files: &'a [GeneratedFile], path: &str) -> &'a GeneratedFile {
    files
        .iter()
        .find(|file| file.path == path)
        .unwrap_or_else(|| panic!("no generated file {path}"))
}

fn parse(file: &GeneratedFile) -> syn::File {
    syn::parse_file(&file.contents)
        .unwrap_or_else(|err| panic!("{} is not a Rust file: {err}", file.path))
}

/// The text of one file generated from every fixture.
fn text(path: &str) -> String {
    output(&fixtures(), path).contents.clone()
}

fn parsed(path: &str) -> syn::File {
    parse(output(&fixtures(), path))
}

/// Token text of `tokens`, for comparing types and paths without caring about spacing.
fn tokens(tokens: &impl ToTokens) -> String {
    tokens.to_token_stream().to_string()
}

fn assert_type(actual: &syn::Type, expected: &str) {
    let expected: syn::Type = syn::parse_str(expected).expect("expected type parses");
    assert_eq!(tokens(actual), tokens(&expected));
}

fn item_struct<'a>(file: &'a syn::File, name: &str) -> &'a syn::ItemStruct {
    file.items
        .iter()
        .find_map(|item| match item {
            syn::Item::Struct(item) if item.ident == name => Some(item),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no struct {name}"))
}

fn item_enum<'a>(file: &'a syn::File, name: &str) -> &'a syn::ItemEnum {
    file.items
        .iter()
        .find_map(|item| match item {
            syn::Item::Enum(item) if item.ident == name => Some(item),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no enum {name}"))
}

fn field<'a>(item: &'a syn::ItemStruct, name: &str) -> &'a syn::Field {
    item.fields
        .iter()
        .find(|field| field.ident.as_ref().is_some_and(|ident| ident == name))
        .unwrap_or_else(|| {
            let names: Vec<String> = item
                .fields
                .iter()
                .filter_map(|field| field.ident.as_ref().map(ToString::to_string))
                .collect();
            panic!("{} has no field {name}; it has {names:?}", item.ident)
        })
}

/// The `#[serde(...)]` arguments of a field, in order: `(key, string value)`.
fn serde_args(field: &syn::Field) -> Vec<(String, Option<String>)> {
    let mut args = Vec::new();
    for attr in field
        .attrs
        .iter()
        .filter(|attr| attr.path().is_ident("serde"))
    {
        let metas = attr
            .parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
            .expect("serde attribute arguments parse");
        for meta in metas {
            match meta {
                syn::Meta::Path(path) => args.push((tokens(&path), None)),
                syn::Meta::NameValue(syn::MetaNameValue {
                    path,
                    value:
                        syn::Expr::Lit(syn::ExprLit {
                            lit: syn::Lit::Str(value),
                            ..
                        }),
                    ..
                }) => args.push((tokens(&path), Some(value.value()))),
                other => panic!("unexpected serde argument {}", tokens(&other)),
            }
        }
    }
    args
}

fn serde_value(field: &syn::Field, key: &str) -> Option<String> {
    serde_args(field)
        .into_iter()
        .find(|(name, _)| name == key)
        .and_then(|(_, value)| value)
}

fn has_serde_flag(field: &syn::Field, key: &str) -> bool {
    serde_args(field)
        .iter()
        .any(|(name, value)| name == key && value.is_none())
}

fn client_methods(file: &syn::File) -> Vec<&syn::ImplItemFn> {
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Impl(item) if item.trait_.is_none() => Some(item),
            _ => None,
        })
        .filter(|item| tokens(&item.self_ty) == tokens(&quote::quote!(crate::Client)))
        .flat_map(|item| &item.items)
        .filter_map(|item| match item {
            syn::ImplItem::Fn(method) => Some(method),
            _ => None,
        })
        .collect()
}

fn client_method<'a>(file: &'a syn::File, name: &str) -> &'a syn::ImplItemFn {
    client_methods(file)
        .into_iter()
        .find(|method| method.sig.ident == name)
        .unwrap_or_else(|| panic!("no client method {name}"))
}

/// `(argument name, argument type)` of a method, without `&self`.
fn arguments(method: &syn::ImplItemFn) -> Vec<(String, &syn::Type)> {
    method
        .sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            syn::FnArg::Typed(typed) => Some((tokens(&typed.pat), &*typed.ty)),
            syn::FnArg::Receiver(_) => None,
        })
        .collect()
}

fn has_doc(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| attr.path().is_ident("doc"))
}

/// The field `name` of the `ReportMeta { .. }` literal that `row`'s `impl Report` declares as
/// `META`.
fn meta_field<'a>(file: &'a syn::File, row: &str, name: &str) -> &'a syn::Expr {
    let meta = file
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Impl(block) if block.trait_.is_some() && tokens(&block.self_ty) == row => {
                Some(block)
            }
            _ => None,
        })
        .flat_map(|block| &block.items)
        .find_map(|item| match item {
            syn::ImplItem::Const(item) if item.ident == "META" => Some(&item.expr),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no impl Report for {row} with a META"));
    let syn::Expr::Reference(reference) = meta else {
        panic!("{row}::META is not a reference: {}", tokens(meta))
    };
    let syn::Expr::Struct(literal) = &*reference.expr else {
        panic!("{row}::META is not a struct literal: {}", tokens(meta))
    };
    literal
        .fields
        .iter()
        .find(|field| matches!(&field.member, syn::Member::Named(ident) if ident == name))
        .map(|field| &field.expr)
        .unwrap_or_else(|| panic!("{row}::META has no field {name}"))
}

/// A metadata value built by a `const` constructor and the methods chained on it, in token text:
/// `ColumnMeta::new(a, b).optional()` has the constructor `crate :: runtime :: ColumnMeta :: new`,
/// the arguments `[a, b]` and the chain `[("optional", [])]`.
#[derive(Debug)]
struct Built {
    constructor: String,
    args: Vec<String>,
    chain: Vec<(String, Vec<String>)>,
}

impl Built {
    fn has(&self, method: &str) -> bool {
        self.chain.iter().any(|(name, _)| name == method)
    }
}

fn built(expr: &syn::Expr) -> Built {
    let mut chain = Vec::new();
    let mut expr = expr;
    while let syn::Expr::MethodCall(call) = expr {
        chain.push((
            call.method.to_string(),
            call.args.iter().map(tokens).collect(),
        ));
        expr = &call.receiver;
    }
    chain.reverse();
    let syn::Expr::Call(call) = expr else {
        panic!("not a constructor call: {}", tokens(expr))
    };
    Built {
        constructor: tokens(&call.func),
        args: call.args.iter().map(tokens).collect(),
        chain,
    }
}

/// The elements of the `&[...]` metadata list `META.<name>` of `row`.
fn built_list(file: &syn::File, row: &str, name: &str) -> Vec<Built> {
    let list = meta_field(file, row, name);
    let syn::Expr::Reference(reference) = list else {
        panic!("{row}::META.{name} is not a reference: {}", tokens(list))
    };
    let syn::Expr::Array(array) = &*reference.expr else {
        panic!("{row}::META.{name} is not an array: {}", tokens(list))
    };
    array.elems.iter().map(built).collect()
}

#[test]
fn checked_in_fixture_output_is_what_the_generator_produces() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(CHECKED_IN);
    let mut checked_in: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .map(|entry| entry.expect("directory entry").file_name())
        .map(|name| name.to_string_lossy().into_owned())
        .collect();
    checked_in.sort();
    let files = ungated();
    let paths: Vec<&str> = files.iter().map(|file| file.path.as_str()).collect();
    assert_eq!(
        paths,
        ["columns.rs", "mod.rs", "options.rs", "parameters.rs"]
    );
    assert_eq!(
        checked_in, paths,
        "{CHECKED_IN} holds other files than the fixtures produce: run `cargo xtask codegen`"
    );
    for file in &files {
        let path = dir.join(&file.path);
        let actual = std::fs::read_to_string(&path)
            .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        assert!(
            actual == file.contents,
            "{CHECKED_IN}/{} is not what the generator produces: run `cargo xtask codegen` and review the diff",
            file.path
        );
    }
}

/// The checked-in, compiled output differs from the SDK-shaped one only by the gates, so
/// compiling it compiles every other line the SDK's code would have.
#[test]
fn without_feature_gates_only_the_cfg_attributes_go() {
    let gated = fixtures();
    let ungated = ungated();
    assert_eq!(gated.len(), ungated.len());
    let mut gates = 0;
    for (gated, ungated) in gated.iter().zip(&ungated) {
        assert_eq!(gated.path, ungated.path);
        // `#[cfg(feature = "...")]` stands on its own line before an item or an array element,
        // and before the statement on the same line.
        let mut kept: Vec<String> = Vec::new();
        for line in gated.contents.lines() {
            let rest = line.trim_start();
            let Some(gate) = rest
                .strip_prefix("#[cfg(feature = \"")
                .and_then(|rest| rest.split_once("\")]"))
            else {
                kept.push(line.to_owned());
                continue;
            };
            gates += 1;
            let statement = gate.1.trim_start();
            if !statement.is_empty() {
                let indent = &line[..line.len() - rest.len()];
                kept.push(format!("{indent}{statement}"));
            }
        }
        assert_eq!(
            kept,
            ungated.contents.lines().collect::<Vec<_>>(),
            "{}",
            gated.path
        );
    }
    // A module, a catalogue entry and a visit per report, for 3 families and 6 reports.
    assert_eq!(gates, 3 + 6 + 6);
}

#[test]
fn every_generated_file_parses_as_a_syn_file() {
    let sources: [&[SpecSource<'_>]; 5] = [
        &ALL,
        &[COLUMNS],
        &[OPTIONS],
        &[PARAMETERS],
        &[SpecSource {
            file: "spec/office365.yaml",
            text: include_str!("../../spec/office365.yaml"),
        }],
    ];
    for sources in sources {
        for file in generate(sources) {
            let parsed = parse(&file);
            assert!(!parsed.items.is_empty(), "{} has no items", file.path);
        }
    }
}

#[test]
fn every_generated_file_starts_with_the_do_not_edit_line() {
    let files = fixtures();
    for (path, source) in [
        ("columns.rs", "codegen/tests/fixtures/columns.yaml"),
        ("options.rs", "codegen/tests/fixtures/options.yaml"),
        ("parameters.rs", "codegen/tests/fixtures/parameters.yaml"),
        ("mod.rs", "codegen/tests/fixtures/*.yaml"),
    ] {
        let expected =
            format!("// generated by `cargo xtask codegen` from {source}; do not edit\n");
        let contents = &output(&files, path).contents;
        assert!(
            contents.starts_with(&expected),
            "{path} starts with {:?}",
            contents.lines().next()
        );
    }
}

#[test]
fn mod_rs_names_the_directory_its_spec_files_share() {
    let header = |sources: &[SpecSource<'_>]| -> String {
        let files = generate(sources);
        output(&files, "mod.rs")
            .contents
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(
        header(&[SpecSource {
            file: "spec/columns.yaml",
            text: COLUMNS.text,
        }]),
        "// generated by `cargo xtask codegen` from spec/*.yaml; do not edit"
    );
    assert_eq!(
        header(&[
            SpecSource {
                file: "elsewhere/columns.yaml",
                text: COLUMNS.text,
            },
            PARAMETERS
        ]),
        "// generated by `cargo xtask codegen` from codegen/tests/fixtures/parameters.yaml, elsewhere/columns.yaml; do not edit"
    );
}

#[test]
fn generating_twice_gives_identical_bytes() {
    let first = fixtures();
    let second = fixtures();
    assert_eq!(first, second);
}

#[test]
fn spec_file_order_does_not_change_the_output() {
    let forward = generate(&[COLUMNS, OPTIONS, PARAMETERS]);
    let backward = generate(&[PARAMETERS, OPTIONS, COLUMNS]);
    for (forward, backward) in forward.iter().zip(&backward) {
        assert_eq!(forward.path, backward.path);
        assert_eq!(
            forward.contents, backward.contents,
            "{} depends on the order of the spec files",
            forward.path
        );
    }
    assert_eq!(forward.len(), backward.len());
}

// A shared enum type takes its doc from the parameter that declares it first, so two spec files
// that document `Period` differently give a mod.rs that depends on their order.
#[test]
fn shared_enum_doc_does_not_depend_on_spec_file_order() {
    let text = PARAMETERS.text.replace(
        "doc: Length of time over which the report is aggregated.",
        "doc: Reporting window.",
    );
    assert_ne!(text, PARAMETERS.text);
    let parameters = SpecSource {
        file: PARAMETERS.file,
        text: &text,
    };
    let enum_docs = |sources: &[SpecSource<'_>]| -> Vec<String> {
        let file = parse(output(&generate(sources), "mod.rs"));
        item_enum(&file, "Period")
            .attrs
            .iter()
            .filter(|attr| attr.path().is_ident("doc"))
            .map(tokens)
            .collect()
    };
    assert_eq!(
        enum_docs(&[COLUMNS, parameters]),
        enum_docs(&[parameters, COLUMNS])
    );
}

#[test]
fn keyword_headers_get_a_trailing_underscore_and_keep_their_header() {
    let file = parsed("columns.rs");
    let row = item_struct(&file, "AwkwardHeadersRow");
    for (header, name) in [
        ("Type", "type_"),
        ("Self", "self_"),
        ("gen", "gen_"),
        ("crate", "crate_"),
    ] {
        let field = field(row, name);
        assert!(
            matches!(field.vis, syn::Visibility::Public(_)),
            "{name} is pub"
        );
        assert_eq!(serde_value(field, "rename").as_deref(), Some(header));
    }
    let contents = &text("columns.rs");
    assert!(contents.contains("    pub type_: ::std::string::String,\n"));
    assert!(contents.contains("rename = \"Type\","));
}

#[test]
fn punctuation_digits_and_mixed_case_headers_become_snake_case_fields() {
    let file = parsed("columns.rs");
    let row = item_struct(&file, "AwkwardHeadersRow");
    for (header, name, json) in [
        ("Windows 10 Mobile", "windows_10_mobile", "windows10Mobile"),
        (
            "Storage Used (Byte)",
            "storage_used_byte",
            "storageUsedByte",
        ),
        ("Peer-to-peer", "peer_to_peer", "peerToPeer"),
        ("10 Mobile", "n10_mobile", "10Mobile"),
        ("iOS", "ios", "iOS"),
        ("User Id", "user_id", "userId"),
        ("OneDrive Active", "one_drive_active", "oneDriveActive"),
    ] {
        let field = field(row, name);
        assert_eq!(serde_value(field, "rename").as_deref(), Some(header));
        assert_eq!(serde_value(field, "alias").as_deref(), Some(json));
    }
}

#[test]
fn field_override_names_the_field_and_keeps_the_header() {
    let file = parsed("columns.rs");
    let row = item_struct(&file, "AwkwardHeadersRow");
    let overridden = field(row, "user_object_id");
    assert_eq!(
        serde_value(overridden, "rename").as_deref(),
        Some("User ID")
    );
    assert_eq!(serde_value(overridden, "alias").as_deref(), Some("userID"));
    // The header it would have collided with keeps the sanitized name.
    assert_eq!(
        serde_value(field(row, "user_id"), "rename").as_deref(),
        Some("User Id")
    );
}

#[test]
fn json_override_becomes_the_alias_and_the_meta_json_name() {
    let file = parsed("columns.rs");
    let row = item_struct(&file, "AwkwardHeadersRow");
    let report_period = field(row, "report_period");
    assert_eq!(
        serde_value(report_period, "alias").as_deref(),
        Some("reportPeriodInDays")
    );
    let column = built_list(&file, "AwkwardHeadersRow", "columns")
        .into_iter()
        .find(|column| column.args.first().map(String::as_str) == Some("\"Report Period\""))
        .expect("a ColumnMeta for Report Period");
    assert_eq!(column.args[2], "\"reportPeriodInDays\"", "{column:?}");
    let contents = &text("columns.rs");
    assert!(!contents.contains("\"reportPeriod\""));
}

#[test]
fn every_column_type_has_its_rust_type_and_decoder() {
    let file = parsed("columns.rs");
    let row = item_struct(&file, "EveryColumnTypeRow");
    // (field, type, the pair in `crate::runtime::cell` its `#[serde(with)]` names)
    let table = [
        ("report_refresh_date", "::chrono::NaiveDate", "date"),
        (
            "last_activity_date",
            "::std::option::Option<::chrono::NaiveDate>",
            "optional_date",
        ),
        (
            "created_date_time",
            "::chrono::DateTime<::chrono::Utc>",
            "datetime",
        ),
        (
            "deleted_date_time",
            "::std::option::Option<::chrono::DateTime<::chrono::Utc>>",
            "optional_datetime",
        ),
        ("user_principal_name", "::std::string::String", "string"),
        (
            "display_name",
            "::std::option::Option<::std::string::String>",
            "optional_string",
        ),
        ("item_count", "i64", "integer"),
        (
            "active_file_count",
            "::std::option::Option<i64>",
            "optional_integer",
        ),
        ("is_deleted", "bool", "boolean"),
        (
            "has_exchange_license",
            "::std::option::Option<bool>",
            "optional_boolean",
        ),
        ("audio_duration", "::std::time::Duration", "duration"),
        (
            "video_duration",
            "::std::option::Option<::std::time::Duration>",
            "optional_duration",
        ),
        (
            "assigned_products",
            "::std::vec::Vec<::std::string::String>",
            "List::<'+'>",
        ),
        (
            "products_used",
            "::std::option::Option<::std::vec::Vec<::std::string::String>>",
            "OptionalList::<'+'>",
        ),
    ];
    let names: Vec<String> = row
        .fields
        .iter()
        .filter_map(|field| field.ident.as_ref().map(ToString::to_string))
        .collect();
    let expected: Vec<&str> = table.iter().map(|(name, ..)| *name).collect();
    assert_eq!(names, expected, "fields in spec order");
    let columns = built_list(&file, "EveryColumnTypeRow", "columns");
    assert_eq!(columns.len(), table.len(), "one ColumnMeta per field");
    for ((name, ty, cell), column) in table.into_iter().zip(&columns) {
        let field = field(row, name);
        assert_type(&field.ty, ty);
        let path = format!("crate::runtime::cell::{cell}");
        // Durations and lists pair a decoder and an encoder (`with`); the other types are
        // written by serde itself and only name their decoder.
        let pairs = cell.contains("duration") || cell.contains("List");
        if pairs {
            assert_eq!(serde_value(field, "with"), Some(path.clone()), "{name}");
            assert_eq!(serde_value(field, "deserialize_with"), None, "{name}");
        } else {
            assert_eq!(
                serde_value(field, "deserialize_with"),
                Some(format!("{path}::deserialize")),
                "{name}"
            );
            assert_eq!(serde_value(field, "with"), None, "{name}");
        }
        assert_eq!(serde_value(field, "serialize_with"), None, "{name}");
        // serde appends `::deserialize` and `::serialize` to a `with` path: both must parse
        // as paths, generics included.
        for function in ["deserialize", "serialize"] {
            let path = format!("{path}::{function}");
            syn::parse_str::<syn::ExprPath>(&path)
                .unwrap_or_else(|err| panic!("{name}: {path} is not a path: {err}"));
        }
        // The column's metadata names the field, and is optional when the field is.
        assert_eq!(column.constructor, "crate :: runtime :: ColumnMeta :: new");
        assert_eq!(column.args[1], format!("\"{name}\""), "{column:?}");
        assert_eq!(
            column.has("optional"),
            ty.starts_with("::std::option::Option<"),
            "{column:?}"
        );
    }
}

#[test]
fn optional_columns_are_option_with_default_and_required_ones_are_not() {
    let catalog = codegen::validate(&ALL).expect("fixtures are valid");
    let files = fixtures();
    let mut optional_seen = 0;
    for family in &catalog.families {
        let file = parse(output(&files, &format!("{}.rs", family.name)));
        for report in &family.reports {
            let row = item_struct(&file, &report.row_type);
            assert_eq!(row.fields.len(), report.columns.len());
            for column in &report.columns {
                let field = field(row, &column.field);
                let is_option = tokens(&field.ty).starts_with(":: std :: option :: Option <");
                assert_eq!(is_option, column.optional, "{:?} is Option", column.header);
                assert_eq!(
                    has_serde_flag(field, "default"),
                    column.optional,
                    "{:?} has #[serde(default)]",
                    column.header
                );
                optional_seen += usize::from(column.optional);
            }
        }
    }
    assert_eq!(
        optional_seen, 13,
        "the fixtures have thirteen optional columns"
    );
}

#[test]
fn every_field_is_renamed_to_its_exact_csv_header() {
    let catalog = codegen::validate(&ALL).expect("fixtures are valid");
    let files = fixtures();
    for family in &catalog.families {
        let file = parse(output(&files, &format!("{}.rs", family.name)));
        for report in &family.reports {
            let row = item_struct(&file, &report.row_type);
            let renames: Vec<Option<String>> = row
                .fields
                .iter()
                .map(|field| serde_value(field, "rename"))
                .collect();
            let headers: Vec<Option<String>> = report
                .columns
                .iter()
                .map(|column| Some(column.header.clone()))
                .collect();
            assert_eq!(renames, headers, "{}", report.row_type);
        }
    }
}

#[test]
fn rows_are_non_exhaustive_and_tolerate_unknown_columns() {
    let file = parsed("columns.rs");
    for name in ["EveryColumnTypeRow", "AwkwardHeadersRow"] {
        let row = item_struct(&file, name);
        assert!(matches!(row.vis, syn::Visibility::Public(_)));
        assert!(
            row.attrs
                .iter()
                .any(|attr| attr.path().is_ident("non_exhaustive")),
            "{name} is #[non_exhaustive]"
        );
        let container: Vec<String> = row
            .attrs
            .iter()
            .filter(|attr| attr.path().is_ident("serde"))
            .map(tokens)
            .collect();
        assert!(
            container.is_empty(),
            "{name} has no serde container attributes: {container:?}"
        );
        for field in &row.fields {
            let args = serde_args(field);
            assert!(!args.iter().any(|(name, _)| name == "flatten"));
        }
    }
}

#[test]
fn one_client_method_per_form_with_typed_arguments() {
    let columns = parsed("columns.rs");
    let options = parsed("options.rs");
    let parameters = parsed("parameters.rs");
    // (file, method, [(argument, type)], row, form index)
    type Expected<'a> = (
        &'a syn::File,
        &'a str,
        &'a [(&'a str, &'a str)],
        &'a str,
        &'a str,
    );
    let table: [Expected<'_>; 8] = [
        (
            &columns,
            "every_column_type",
            &[("period", "super::Period")],
            "EveryColumnTypeRow",
            "0",
        ),
        (&columns, "awkward_headers", &[], "AwkwardHeadersRow", "0"),
        // Every parameter optional: no argument; the setters take them.
        (&options, "app_usage", &[], "AppUsageRow", "0"),
        (
            &options,
            "nested_activity",
            &[("period", "super::Period")],
            "NestedActivityRow",
            "0",
        ),
        (
            &parameters,
            "activity_detail",
            &[("period", "super::Period")],
            "ActivityDetailRow",
            "0",
        ),
        (
            &parameters,
            "activity_detail_by_date",
            &[("date", "::chrono::NaiveDate")],
            "ActivityDetailRow",
            "1",
        ),
        (
            &parameters,
            "scoped_counts",
            &[("period", "super::Period"), ("scope", "super::Scope")],
            "ScopedCountsRow",
            "0",
        ),
        (
            &parameters,
            "scoped_counts_for_team",
            &[
                ("team", "impl ::std::convert::Into<::std::string::String>"),
                ("period", "super::Period"),
            ],
            "ScopedCountsRow",
            "1",
        ),
    ];
    for (file, name, expected_arguments, row, form) in table {
        let method = client_method(file, name);
        assert!(matches!(method.vis, syn::Visibility::Public(_)));
        let actual = arguments(method);
        assert_eq!(actual.len(), expected_arguments.len(), "{name} arguments");
        for ((argument, ty), (expected_argument, expected_ty)) in
            actual.iter().zip(expected_arguments)
        {
            assert_eq!(argument, expected_argument, "{name}");
            assert_type(ty, expected_ty);
        }
        let syn::ReturnType::Type(_, output) = &method.sig.output else {
            panic!("{name} returns nothing");
        };
        assert_type(output, &format!("crate::runtime::ReportRequest<{row}>"));
        let body = tokens(&method.block);
        assert!(
            body.contains(&format!("META . forms [{form}]"))
                && body.contains("ReportRequest :: new (self , FORM ,"),
            "{name} passes its form, number {form}, resolved at compile time: {body}"
        );
    }
    assert_eq!(client_methods(&columns).len(), 2);
    assert_eq!(client_methods(&options).len(), 2);
    assert_eq!(client_methods(&parameters).len(), 4);
}

/// `(row type, setter, argument type, path name, argument built)` of every method in
/// `impl crate::runtime::ReportRequest<Row>` blocks.
fn setters(file: &syn::File) -> Vec<(String, String, String, String, String)> {
    let mut found = Vec::new();
    for item in &file.items {
        let syn::Item::Impl(item) = item else {
            continue;
        };
        let self_ty = tokens(&item.self_ty);
        let Some(row) = self_ty
            .strip_prefix("crate :: runtime :: ReportRequest < ")
            .and_then(|rest| rest.strip_suffix(" >"))
        else {
            continue;
        };
        assert!(item.trait_.is_none(), "setters are inherent methods");
        for inner in &item.items {
            let syn::ImplItem::Fn(method) = inner else {
                panic!("only setters in {self_ty}");
            };
            assert!(matches!(method.vis, syn::Visibility::Public(_)));
            assert!(has_doc(&method.attrs), "{} is documented", method.sig.ident);
            let receiver = method.sig.inputs.first().map(tokens);
            assert_eq!(
                receiver.as_deref(),
                Some("self"),
                "takes the request by value"
            );
            let syn::ReturnType::Type(_, output) = &method.sig.output else {
                panic!("{} returns the request", method.sig.ident);
            };
            assert_type(output, "Self");
            let [(_, ty)] = arguments(method)[..] else {
                panic!("{} takes one argument", method.sig.ident);
            };
            let body = tokens(&method.block);
            let call = body
                .strip_prefix("{ self . with_optional (")
                .and_then(|rest| rest.strip_suffix(") }"))
                .unwrap_or_else(|| {
                    panic!("{} sets an optional parameter: {body}", method.sig.ident)
                });
            let (name, argument) = call.split_once(" , ").expect("name and argument");
            found.push((
                row.to_owned(),
                method.sig.ident.to_string(),
                tokens(ty),
                name.to_owned(),
                argument.to_owned(),
            ));
        }
    }
    found
}

#[test]
fn optional_parameters_get_a_setter_each_on_the_request() {
    let expected = [
        (
            "AppUsageRow",
            "period",
            "super :: UsagePeriod",
            "\"period\"",
            "crate :: runtime :: Argument :: enumerated (period)",
        ),
        (
            "AppUsageRow",
            "app_id",
            "impl :: std :: convert :: Into < :: std :: string :: String >",
            "\"appId\"",
            "crate :: runtime :: Argument :: String (app_id . into ())",
        ),
        (
            "AppUsageRow",
            "since",
            ":: chrono :: NaiveDate",
            "\"since\"",
            "crate :: runtime :: Argument :: Date (since)",
        ),
        (
            "NestedActivityRow",
            "team",
            "impl :: std :: convert :: Into < :: std :: string :: String >",
            "\"team\"",
            "crate :: runtime :: Argument :: String (team . into ())",
        ),
    ]
    .map(|(row, setter, ty, name, argument)| {
        (
            row.to_owned(),
            setter.to_owned(),
            ty.to_owned(),
            name.to_owned(),
            argument.to_owned(),
        )
    });
    assert_eq!(setters(&parsed("options.rs")), expected);
    for file in ["columns.rs", "parameters.rs"] {
        assert_eq!(
            setters(&parsed(file)),
            [],
            "{file} has no optional parameter"
        );
    }
    // The setters' docs name the method and Graph's default where the spec gives one.
    let contents = text("options.rs");
    for line in [
        "    /// Sets the optional `appId` parameter of [`Client::app_usage`](crate::Client::app_usage): The application (client) id to report on.\n",
        "    /// Left unset, Graph applies its default, `every app in the tenant`.\n",
        "    /// Sets the optional `since` parameter of [`Client::app_usage`](crate::Client::app_usage).\n",
        "    /// Left unset, Graph applies its default.\n",
        "    /// - `.period(...)` (`period`) (Graph's default: `D30`)\n",
        "    /// - `.since(...)` (`since`)\n",
    ] {
        assert!(contents.contains(line), "options.rs lacks {line:?}");
    }
}

#[test]
fn per_report_options_reach_the_metadata_and_the_docs() {
    let contents = text("options.rs");
    for expected in [
        // app_usage: ragged rows; CSV in the body (below).
        "ragged_rows: true,",
        "/// API versions: `beta` (CSV; CSV in the response body).",
        // nested_activity: nested JSON; JSON unless CSV is asked for (below).
        "json_nested: ::std::option::Option::Some(\"activityByPeriod\"),",
        "/// API versions: `beta` (CSV, JSON; JSON unless CSV is asked for).",
    ] {
        assert!(contents.contains(expected), "options.rs lacks {expected:?}");
    }
    let file = parsed("options.rs");
    let chains = |row: &str, name: &str| -> Vec<Vec<(String, Vec<String>)>> {
        built_list(&file, row, name)
            .into_iter()
            .map(|built| built.chain)
            .collect()
    };
    let call = |method: &str, args: &[&str]| -> Vec<(String, Vec<String>)> {
        vec![(
            method.to_owned(),
            args.iter().map(|arg| (*arg).to_owned()).collect(),
        )]
    };
    assert_eq!(
        chains("AppUsageRow", "versions"),
        [call("with_csv_in_body", &[])]
    );
    assert_eq!(
        chains("NestedActivityRow", "versions"),
        [call(
            "with_default_format",
            &["crate :: runtime :: Format :: Json"]
        )]
    );
    // Optional parameters in the metadata, with the service's default.
    let parameters: Vec<Built> = ["AppUsageRow", "NestedActivityRow"]
        .into_iter()
        .flat_map(|row| built_list(&file, row, "parameters"))
        .collect();
    assert_eq!(
        parameters
            .iter()
            .filter(|parameter| parameter.has("optional"))
            .count(),
        4,
        "{parameters:#?}"
    );
    let d30 = tokens(&quote::quote!(::std::option::Option::Some("D30")));
    assert!(
        parameters
            .iter()
            .any(|parameter| parameter.chain == call("optional", &[&d30])),
        "{parameters:#?}"
    );
    // A list column with its own separator.
    let services = built_list(&file, "AppUsageRow", "columns")
        .into_iter()
        .find(|column| column.args[0] == "\"Services\"")
        .expect("a ColumnMeta for Services");
    assert!(
        services.args[3].starts_with("crate :: runtime :: ColumnType :: List { separator : ';'"),
        "{services:?}"
    );
    // Only the columns outside `parent_columns` are nested.
    let catalog = codegen::validate(&ALL).expect("fixtures are valid");
    let report = catalog
        .families
        .iter()
        .flat_map(|family| &family.reports)
        .find(|report| report.id == "nested_activity")
        .expect("nested_activity");
    let nested: Vec<String> = report
        .columns
        .iter()
        .filter(|column| column.json_nested)
        .map(|column| format!("{:?}", column.header))
        .collect();
    assert_eq!(
        nested,
        ["\"Report Period\"", "\"Meetings\"", "\"Meeting Duration\""]
    );
    let marked: Vec<String> = built_list(&file, "NestedActivityRow", "columns")
        .into_iter()
        .filter(|column| column.has("json_nested"))
        .map(|column| column.args[0].clone())
        .collect();
    assert_eq!(marked, nested, "one ColumnMeta each");
    // Everything else keeps the defaults.
    let columns = text("columns.rs");
    let columns_file = parsed("columns.rs");
    for report in catalog
        .families
        .iter()
        .filter(|family| family.name == "columns")
        .flat_map(|family| &family.reports)
    {
        for version in built_list(&columns_file, &report.row_type, "versions") {
            assert!(version.chain.is_empty(), "{}: {version:?}", report.id);
        }
    }
    assert!(!columns.contains("ragged_rows: true"));
    assert!(columns.contains("json_nested: ::std::option::Option::None,"));
}

#[test]
fn path_templates_quote_only_quoted_parameters() {
    let contents = &text("parameters.rs");
    for template in [
        "/reports/getActivityDetail(period='{period}')",
        "/reports/getActivityDetail(date={date})",
        "/reports/getScopedCounts(period='{period}',scope='{scope}')",
        "/reports/getScopedCounts(team='{team}',period='{period}')",
    ] {
        assert!(
            contents.contains(&format!("path_template: \"{template}\"")),
            "meta has {template}"
        );
        assert!(
            contents.contains(&format!("/// `GET /{{version}}{template}`")),
            "method docs show {template}"
        );
    }
    let columns = &text("columns.rs");
    assert!(columns.contains("path_template: \"/reports/getAwkwardHeaders\""));
    // Optional parameters are set on the request, never in the template.
    let options = &text("options.rs");
    assert!(options.contains("path_template: \"/reports/getAppUsage\""));
    assert!(options.contains("path_template: \"/reports/getNestedActivity(period='{period}')\""));
}

#[test]
fn mod_rs_gates_each_family_and_shares_enum_types() {
    let file = parsed("mod.rs");
    let modules: Vec<(String, String)> = file
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Mod(module) => {
                let cfg = module
                    .attrs
                    .iter()
                    .find(|attr| attr.path().is_ident("cfg"))
                    .map(|attr| tokens(&attr.meta))
                    .unwrap_or_default();
                Some((module.ident.to_string(), cfg))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        modules,
        [
            (
                "columns".to_owned(),
                "cfg (feature = \"columns\")".to_owned()
            ),
            (
                "options".to_owned(),
                "cfg (feature = \"options\")".to_owned()
            ),
            (
                "parameters".to_owned(),
                "cfg (feature = \"parameters\")".to_owned()
            ),
        ]
    );
    let enums: Vec<String> = file
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Enum(item) => Some(item.ident.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(
        enums,
        ["Period", "Scope", "UsagePeriod"],
        "one type per enum, sorted"
    );
    let variants = |name: &str| -> Vec<String> {
        item_enum(&file, name)
            .variants
            .iter()
            .map(|variant| variant.ident.to_string())
            .collect()
    };
    assert_eq!(variants("Period"), ["D7", "D30", "D90", "D180"]);
    assert_eq!(variants("Scope"), ["All", "Licensed", "Self_", "N7days"]);
    let contents = &text("mod.rs");
    assert!(contents.contains(
        "const WIRE_VALUES: &'static [&'static str] = &[\"ALL\", \"Licensed\", \"self\", \"7days\"];"
    ));
    assert!(contents.contains("Scope::Self_ => \"self\","));
}

#[test]
fn catalogue_lists_every_report_in_spec_order_behind_its_feature() {
    let file = parsed("mod.rs");
    let catalog = file
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Static(item) if item.ident == "CATALOG" => Some(item),
            _ => None,
        })
        .expect("static CATALOG");
    let syn::Expr::Reference(reference) = &*catalog.expr else {
        panic!("CATALOG is a reference to an array");
    };
    let syn::Expr::Array(array) = &*reference.expr else {
        panic!("CATALOG is a reference to an array");
    };
    let entries: Vec<(String, String)> = array
        .elems
        .iter()
        .map(|entry| {
            let syn::Expr::Path(path) = entry else {
                panic!("entry is <Row as Report>::META: {}", tokens(entry));
            };
            let cfg = path
                .attrs
                .iter()
                .find(|attr| attr.path().is_ident("cfg"))
                .map(|attr| tokens(&attr.meta))
                .unwrap_or_default();
            let row = path.qself.as_ref().map(|qself| tokens(&qself.ty));
            (row.unwrap_or_default(), cfg)
        })
        .collect();
    let expected = [
        ("columns :: EveryColumnTypeRow", "columns"),
        ("columns :: AwkwardHeadersRow", "columns"),
        ("options :: AppUsageRow", "options"),
        ("options :: NestedActivityRow", "options"),
        ("parameters :: ActivityDetailRow", "parameters"),
        ("parameters :: ScopedCountsRow", "parameters"),
    ]
    .map(|(row, feature)| (row.to_owned(), format!("cfg (feature = \"{feature}\")")));
    assert_eq!(entries, expected);
}

#[test]
fn every_public_item_has_a_doc_comment() {
    let files = fixtures();
    for file in &files {
        let parsed = parse(file);
        for item in &parsed.items {
            match item {
                syn::Item::Struct(item) => {
                    assert!(has_doc(&item.attrs), "{}: struct {}", file.path, item.ident);
                    for field in &item.fields {
                        assert!(
                            has_doc(&field.attrs),
                            "{}: field {}::{}",
                            file.path,
                            item.ident,
                            tokens(&field.ident)
                        );
                    }
                }
                syn::Item::Enum(item) => {
                    assert!(has_doc(&item.attrs), "{}: enum {}", file.path, item.ident);
                    for variant in &item.variants {
                        assert!(has_doc(&variant.attrs), "{}: {}", file.path, variant.ident);
                    }
                }
                syn::Item::Mod(item) => {
                    // An out-of-line module carries its doc inside its own file, once.
                    let inner = files
                        .iter()
                        .find(|other| other.path == format!("{}.rs", item.ident))
                        .map(|other| has_doc(&parse(other).attrs));
                    assert_eq!(inner, Some(true), "{}: mod {}", file.path, item.ident);
                    assert!(
                        !has_doc(&item.attrs),
                        "{}: mod {} documented twice",
                        file.path,
                        item.ident
                    );
                }
                syn::Item::Impl(item) if item.trait_.is_none() => {
                    for inner in &item.items {
                        if let syn::ImplItem::Fn(method) = inner {
                            assert!(
                                has_doc(&method.attrs),
                                "{}: fn {}",
                                file.path,
                                method.sig.ident
                            );
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

#[test]
fn field_docs_show_the_exact_csv_header() {
    let file = parsed("columns.rs");
    let row = item_struct(&file, "AwkwardHeadersRow");
    let field = field(row, "storage_used_byte");
    let doc: Vec<String> = field
        .attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .map(|attr| tokens(&attr.meta))
        .collect();
    assert_eq!(
        doc,
        ["doc = \" CSV column `Storage Used (Byte)` (integer); JSON property `storageUsedByte`.\""]
    );
}
