//! `generated/mod.rs`: the family modules behind their features, the shared enum parameter
//! types and the catalogue of every report compiled in.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::doc_lines;
use crate::Options;
use crate::ir::{Catalog, EnumType};

pub fn root(catalog: &Catalog, options: Options) -> TokenStream {
    // `#[cfg(feature = "<family>")]`, or nothing where families are no features.
    let gate = |family: &str| {
        options
            .feature_gates
            .then(|| quote!(#[cfg(feature = #family)]))
    };
    let modules = catalog.families.iter().map(|family| {
        let module = format_ident!("{}", family.name);
        let gate = gate(&family.name);
        quote! {
            #gate
            pub mod #module;
        }
    });
    let enums = catalog.enums.iter().map(enum_type);
    // Every report's row type, as a path from here, behind its family's feature.
    let rows: Vec<(TokenStream, Option<TokenStream>)> = catalog
        .families
        .iter()
        .flat_map(|family| {
            let module = format_ident!("{}", family.name);
            let gate = gate(&family.name);
            family.reports.iter().map(move |report| {
                let row_type = format_ident!("{}", report.row_type);
                (quote!(#module::#row_type), gate.clone())
            })
        })
        .collect();
    let visits = rows.iter().map(|(row, gate)| {
        quote! {
            #gate
            visitor.visit::<#row>();
        }
    });
    let entries = rows.iter().map(|(row, gate)| {
        quote! {
            #gate
            <#row as crate::runtime::Report>::META
        }
    });
    quote! {
        #(#modules)*

        #(#enums)*

        /// Every report compiled in (by the enabled family features), in spec order.
        pub(crate) static CATALOG: &[&crate::runtime::ReportMeta] = &[#(#entries),*];

        /// Calls `visitor` with the row type of every report compiled in, in spec order: for
        /// code that handles every report alike, with its typed rows.
        #[allow(unused_variables, reason = "with no family feature enabled there is nothing to visit")]
        pub fn visit_reports<V: crate::runtime::ReportVisitor>(visitor: &mut V) {
            #(#visits)*
        }
    }
}

fn enum_type(ty: &EnumType) -> TokenStream {
    let name = format_ident!("{}", ty.name);
    let type_name = &ty.name;
    let wires: Vec<&str> = ty.variants.iter().map(|v| v.wire.as_str()).collect();
    let listed = wires
        .iter()
        .map(|wire| format!("`{wire}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut lines = Vec::new();
    if let Some(doc) = &ty.doc {
        lines.push(doc.clone());
        lines.push(String::new());
    }
    lines.push(format!("Values: {listed}."));
    let docs = doc_lines(&lines);
    let variants: Vec<_> = ty
        .variants
        .iter()
        .map(|v| format_ident!("{}", v.ident))
        .collect();
    let variant_docs = ty
        .variants
        .iter()
        .map(|v| doc_lines(&[format!("`{}`", v.wire)]));
    quote! {
        #docs
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #(#variant_docs #variants,)*
        }

        impl crate::runtime::EnumParameter for #name {
            const NAME: &'static str = #type_name;
            const ALL: &'static [Self] = &[#(#name::#variants),*];
            const WIRE_VALUES: &'static [&'static str] = &[#(#wires),*];

            fn as_str(self) -> &'static str {
                match self {
                    #(#name::#variants => #wires,)*
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(crate::runtime::EnumParameter::as_str(*self))
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = crate::runtime::UnknownName;

            fn from_str(text: &str) -> ::std::result::Result<Self, Self::Err> {
                crate::runtime::parse_enum(text)
            }
        }
    }
}
