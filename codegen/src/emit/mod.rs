//! IR -> token streams, one per output file. No formatting, no I/O.

mod docs;
mod method;
mod module;
mod paths;
mod row;

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use crate::Options;
use crate::ir::{Catalog, Family};

/// An output file before formatting: its path relative to `reports-sdk/src/generated/`, the
/// spec file(s) it comes from, and its tokens.
pub struct EmittedFile {
    pub path: String,
    pub source: String,
    pub tokens: TokenStream,
}

pub fn emit(catalog: &Catalog, options: Options) -> Vec<EmittedFile> {
    let mut files = vec![EmittedFile {
        path: "mod.rs".to_owned(),
        source: root_source(catalog),
        tokens: module::root(catalog, options),
    }];
    files.extend(catalog.families.iter().map(|family| EmittedFile {
        path: format!("{}.rs", family.name),
        source: family.source.clone(),
        tokens: family_file(family),
    }));
    files
}

/// What `mod.rs` comes from: `<dir>/*.yaml` when every spec file sits in one directory (`spec/`,
/// or the codegen fixtures'), else the files one by one.
fn root_source(catalog: &Catalog) -> String {
    let dirs: BTreeSet<&str> = catalog
        .families
        .iter()
        .map(|family| family.source.rsplit_once('/').map_or("", |(dir, _)| dir))
        .collect();
    match dirs.into_iter().collect::<Vec<_>>()[..] {
        [dir] if !dir.is_empty() => format!("{dir}/*.yaml"),
        _ => catalog
            .families
            .iter()
            .map(|family| family.source.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn family_file(family: &Family) -> TokenStream {
    let summary = format!(" {}", family.summary);
    let items = family.reports.iter().map(|report| {
        let row = row::row(family, report);
        let methods = method::methods(report);
        quote! {
            #row
            #methods
        }
    });
    quote! {
        #![doc = #summary]
        #(#items)*
    }
}
