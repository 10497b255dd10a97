//! IR -> token streams, one per output file. No formatting, no I/O.

mod docs;
mod method;
mod module;
mod paths;
mod row;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Catalog, Family};

/// An output file before formatting: its path relative to `reports-sdk/src/generated/`, the
/// spec file(s) it comes from, and its tokens.
pub struct EmittedFile {
    pub path: String,
    pub source: String,
    pub tokens: TokenStream,
}

pub fn emit(catalog: &Catalog) -> Vec<EmittedFile> {
    let mut files = vec![EmittedFile {
        path: "mod.rs".to_owned(),
        source: "spec/*.yaml".to_owned(),
        tokens: module::root(catalog),
    }];
    files.extend(catalog.families.iter().map(|family| EmittedFile {
        path: format!("{}.rs", family.name),
        source: family.source.clone(),
        tokens: family_file(family),
    }));
    files
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
