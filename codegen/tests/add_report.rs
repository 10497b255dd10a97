//! Adding a report to a spec file produces a new typed client method, a row struct and a
//! catalogue entry, with no hand-written code, and leaves every existing item unchanged.

// `allow-expect-in-tests` covers `#[test]` functions only, not the helpers they share.
#![allow(clippy::expect_used)]

use codegen::{GeneratedFile, SpecSource};
use quote::ToTokens;

const FILE: &str = "spec/parameters.yaml";
const FIXTURE: &str = include_str!("fixtures/parameters.yaml");

/// A new entry for the end of `reports:` (the fixture's last key).
const NEW_REPORT: &str = "
  - id: device_usage_counts
    function: getDeviceUsageCounts
    summary: Number of active users by device type.
    docs: https://learn.microsoft.com/graph/api/reportroot-getdeviceusagecounts
    versions:
      - version: v1.0
        formats: [csv]
    permissions:
      delegated_work: [Reports.Read.All]
      delegated_personal: []
      application: [Reports.Read.All]
    clouds: [global]
    if_none_match: true
    parameters:
      - name: period
        kind: enum
        enum: Period
        values: [D7, D30, D90, D180]
        quoted: true
    columns:
      - header: Report Refresh Date
        type: date
      - header: Windows Phone
        type: integer
      - header: iOS
        type: integer
      - header: Mac (Desktop)
        type: integer
        optional: true
";

fn generate(text: &str) -> Vec<GeneratedFile> {
    codegen::generate(&[SpecSource { file: FILE, text }])
        .unwrap_or_else(|problems| panic!("{problems}"))
}

fn parse(files: &[GeneratedFile], path: &str) -> syn::File {
    let file = files
        .iter()
        .find(|file| file.path == path)
        .unwrap_or_else(|| panic!("no generated file {path}"));
    syn::parse_file(&file.contents).unwrap_or_else(|err| panic!("{path}: {err}"))
}

fn tokens(tokens: &impl ToTokens) -> String {
    tokens.to_token_stream().to_string()
}

fn same_type(actual: &syn::Type, expected: &str) -> bool {
    let expected: syn::Type = syn::parse_str(expected).expect("expected type parses");
    tokens(actual) == tokens(&expected)
}

/// Before and after adding [`NEW_REPORT`].
fn before_and_after() -> (Vec<GeneratedFile>, Vec<GeneratedFile>) {
    let before = generate(FIXTURE);
    assert!(FIXTURE.ends_with('\n'));
    let after = generate(&format!("{FIXTURE}{NEW_REPORT}"));
    (before, after)
}

/// Methods of `impl crate::Client` blocks.
fn client_methods(file: &syn::File) -> Vec<&syn::ImplItemFn> {
    let client: syn::Type = syn::parse_quote!(crate::Client);
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Impl(item)
                if item.trait_.is_none() && tokens(&item.self_ty) == tokens(&client) =>
            {
                Some(item)
            }
            _ => None,
        })
        .flat_map(|item| &item.items)
        .filter_map(|item| match item {
            syn::ImplItem::Fn(method) => Some(method),
            _ => None,
        })
        .collect()
}

fn structs(file: &syn::File) -> Vec<&syn::ItemStruct> {
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(item) => Some(item),
            _ => None,
        })
        .collect()
}

/// The `<Row as Report>::META` rows listed in `CATALOG`.
fn catalogue(file: &syn::File) -> Vec<String> {
    let catalog = file
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Static(item) if item.ident == "CATALOG" => Some(item),
            _ => None,
        })
        .expect("static CATALOG");
    let syn::Expr::Reference(reference) = &*catalog.expr else {
        panic!("CATALOG is &[...]");
    };
    let syn::Expr::Array(array) = &*reference.expr else {
        panic!("CATALOG is &[...]");
    };
    array
        .elems
        .iter()
        .map(|entry| {
            let syn::Expr::Path(path) = entry else {
                panic!("entry is <Row as Report>::META: {}", tokens(entry));
            };
            assert_eq!(
                path.path.segments.last().map(|s| s.ident.to_string()),
                Some("META".to_owned())
            );
            let qself = path.qself.as_ref().expect("<Row as Report>");
            tokens(&qself.ty)
        })
        .collect()
}

#[test]
fn the_new_report_gets_a_typed_client_method() {
    let (before, after) = before_and_after();
    let before_file = parse(&before, "parameters.rs");
    assert!(
        client_methods(&before_file)
            .iter()
            .all(|method| method.sig.ident != "device_usage_counts"),
        "the method is new"
    );

    let file = parse(&after, "parameters.rs");
    let methods = client_methods(&file);
    let method = methods
        .iter()
        .find(|method| method.sig.ident == "device_usage_counts")
        .expect("fn device_usage_counts in an `impl crate::Client` block");
    assert!(matches!(method.vis, syn::Visibility::Public(_)));
    let inputs: Vec<&syn::FnArg> = method.sig.inputs.iter().collect();
    assert_eq!(inputs.len(), 2, "&self and period");
    assert!(
        matches!(inputs[0], syn::FnArg::Receiver(receiver) if receiver.reference.is_some() && receiver.mutability.is_none())
    );
    let syn::FnArg::Typed(period) = inputs[1] else {
        panic!("period is a typed argument");
    };
    assert_eq!(tokens(&period.pat), "period");
    assert!(
        same_type(&period.ty, "super::Period"),
        "period: {}",
        tokens(&period.ty)
    );
    let syn::ReturnType::Type(_, output) = &method.sig.output else {
        panic!("the method returns a request");
    };
    assert!(
        tokens(output).contains("DeviceUsageCountsRow"),
        "returns {}",
        tokens(output)
    );
    assert!(same_type(
        output,
        "crate::runtime::ReportRequest<DeviceUsageCountsRow>"
    ));
    // The method is documented from the spec.
    let doc: String = method
        .attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .map(tokens)
        .collect();
    assert!(
        doc.contains("Number of active users by device type."),
        "{doc}"
    );
    assert!(
        doc.contains("/reports/getDeviceUsageCounts(period='{period}')"),
        "{doc}"
    );
}

#[test]
fn the_new_report_gets_a_row_struct_with_its_columns() {
    let (_, after) = before_and_after();
    let file = parse(&after, "parameters.rs");
    let row = structs(&file)
        .into_iter()
        .find(|item| item.ident == "DeviceUsageCountsRow")
        .expect("struct DeviceUsageCountsRow");
    assert!(matches!(row.vis, syn::Visibility::Public(_)));
    let fields: Vec<(String, &syn::Type)> = row
        .fields
        .iter()
        .map(|field| (tokens(&field.ident), &field.ty))
        .collect();
    let expected = [
        ("report_refresh_date", "::chrono::NaiveDate"),
        ("windows_phone", "i64"),
        ("ios", "i64"),
        ("mac_desktop", "::std::option::Option<i64>"),
    ];
    assert_eq!(fields.len(), expected.len());
    for ((name, ty), (expected_name, expected_ty)) in fields.iter().zip(expected) {
        assert_eq!(name, expected_name);
        assert!(same_type(ty, expected_ty), "{name}: {}", tokens(ty));
    }
    // It implements the runtime's `Report` trait, whose META the catalogue lists.
    let report_trait: syn::Path = syn::parse_quote!(crate::runtime::Report);
    assert!(file.items.iter().any(|item| matches!(
        item,
        syn::Item::Impl(item)
            if item.trait_.as_ref().is_some_and(|(_, path, _)| tokens(path) == tokens(&report_trait))
                && tokens(&item.self_ty) == "DeviceUsageCountsRow"
    )));
}

#[test]
fn the_catalogue_lists_the_new_row_type() {
    let (before, after) = before_and_after();
    let old = catalogue(&parse(&before, "mod.rs"));
    let new = catalogue(&parse(&after, "mod.rs"));
    assert_eq!(
        old,
        [
            "parameters :: ActivityDetailRow",
            "parameters :: ScopedCountsRow"
        ]
    );
    let mut expected = old.clone();
    expected.push("parameters :: DeviceUsageCountsRow".to_owned());
    assert_eq!(new, expected);
}

#[test]
fn existing_items_are_unchanged() {
    let (before, after) = before_and_after();
    let paths = |files: &[GeneratedFile]| -> Vec<String> {
        files.iter().map(|file| file.path.clone()).collect()
    };
    assert_eq!(paths(&before), paths(&after), "no file added or removed");

    // The family file: the old items, then the new report's row, `impl Report` and methods.
    let old_items: Vec<String> = parse(&before, "parameters.rs")
        .items
        .iter()
        .map(tokens)
        .collect();
    let new_items: Vec<String> = parse(&after, "parameters.rs")
        .items
        .iter()
        .map(tokens)
        .collect();
    assert_eq!(new_items.len(), old_items.len() + 3);
    assert_eq!(new_items[..old_items.len()], old_items[..]);
    // So the old methods keep their names, arguments and bodies.
    let old_file = parse(&before, "parameters.rs");
    let new_file = parse(&after, "parameters.rs");
    let old_methods: Vec<String> = client_methods(&old_file).iter().map(tokens).collect();
    let new_methods: Vec<String> = client_methods(&new_file).iter().map(tokens).collect();
    assert_eq!(old_methods.len(), 4);
    assert_eq!(new_methods[..old_methods.len()], old_methods[..]);
    assert_eq!(new_methods.len(), old_methods.len() + 1);

    // mod.rs: only the catalogue and the visitor, which list every report, change.
    let without_catalogue = |file: syn::File| -> Vec<String> {
        file.items
            .iter()
            .filter(|item| !matches!(item, syn::Item::Static(item) if item.ident == "CATALOG"))
            .filter(
                |item| !matches!(item, syn::Item::Fn(item) if item.sig.ident == "visit_reports"),
            )
            .map(tokens)
            .collect()
    };
    let visitor = |file: syn::File| -> String {
        file.items
            .iter()
            .find(|item| matches!(item, syn::Item::Fn(item) if item.sig.ident == "visit_reports"))
            .map(tokens)
            .unwrap_or_default()
    };
    assert!(!visitor(parse(&before, "mod.rs")).contains("DeviceUsageCountsRow"));
    assert!(
        visitor(parse(&after, "mod.rs"))
            .contains("visitor . visit :: < parameters :: DeviceUsageCountsRow > ()")
    );
    assert_eq!(
        without_catalogue(parse(&before, "mod.rs")),
        without_catalogue(parse(&after, "mod.rs"))
    );
}
