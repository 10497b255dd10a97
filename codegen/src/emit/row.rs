//! The typed row of one report and its metadata (`impl Report`).

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::docs::{self, doc_lines};
use super::paths::{api_version, cloud, format};
use crate::ir::{Column, ColumnType, CsvDelivery, Family, Format, ParameterKind, Report};

pub fn row(family: &Family, report: &Report) -> TokenStream {
    let row_type = format_ident!("{}", report.row_type);
    let main_method = report
        .forms
        .first()
        .map(|form| form.method.as_str())
        .unwrap_or(report.id.as_str());
    let docs = doc_lines(&[
        format!("One row of the `{}` report.", report.function),
        String::new(),
        report.summary.clone(),
        String::new(),
        format!(
            "Returned by [`Client::{main_method}`](crate::Client::{main_method}). Columns are matched by header, so files with extra or reordered columns still decode; the struct is `#[non_exhaustive]` because Microsoft adds columns over time."
        ),
    ]);
    let fields = report.columns.iter().map(field);
    let meta = meta(family, report);
    // Each cell read by its position in the file, resolved once from the header: what makes
    // decoding fast. Types come from the fields.
    let cells = report.columns.iter().enumerate().map(|(index, column)| {
        let name = format_ident!("{}", column.field);
        let index = Literal::usize_unsuffixed(index);
        let read = match (column.ty, column.optional) {
            (ColumnType::List { separator }, false) => {
                quote!(columns.required_list::<#separator>(record, #index))
            }
            (ColumnType::List { separator }, true) => {
                quote!(columns.optional_list::<#separator>(record, #index))
            }
            (_, false) => quote!(columns.required(record, #index)),
            (_, true) => quote!(columns.optional(record, #index)),
        };
        quote!(#name: #read?,)
    });
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, ::serde::Deserialize, ::serde::Serialize)]
        #[non_exhaustive]
        pub struct #row_type {
            #(#fields)*
        }

        impl crate::runtime::Report for #row_type {
            const META: &'static crate::runtime::ReportMeta = &#meta;

            fn decode_csv(
                record: &crate::runtime::CsvRecord<'_>,
                columns: &crate::runtime::CsvColumns,
            ) -> ::std::result::Result<Self, crate::runtime::Error> {
                ::std::result::Result::Ok(Self { #(#cells)* })
            }
        }
    }
}

fn field(column: &Column) -> TokenStream {
    let name = format_ident!("{}", column.field);
    let header = &column.header;
    let json = &column.json;
    let value_type = match column.ty {
        ColumnType::Date => quote!(::chrono::NaiveDate),
        ColumnType::DateTime => quote!(::chrono::DateTime<::chrono::Utc>),
        ColumnType::String => quote!(::std::string::String),
        ColumnType::Integer => quote!(i64),
        ColumnType::Boolean => quote!(bool),
        ColumnType::Duration => quote!(::std::time::Duration),
        ColumnType::List { .. } => quote!(::std::vec::Vec<::std::string::String>),
    };
    let (field_type, default) = if column.optional {
        (
            quote!(::std::option::Option<#value_type>),
            quote!(, default),
        )
    } else {
        (value_type, quote!())
    };
    let path = format!("crate::runtime::cell::{}", cell(column));
    // Values serde writes well by itself (dates, text, numbers, booleans) only need the
    // decoder: `with` would make serde generate a serializing wrapper for every such field, a
    // measurable part of the SDK's build time. Durations and lists pair decoder and encoder.
    let codec = match column.ty {
        ColumnType::Duration | ColumnType::List { .. } => quote!(with = #path),
        _ => {
            let deserialize = format!("{path}::deserialize");
            quote!(deserialize_with = #deserialize)
        }
    };
    let mut lines = vec![format!(
        "CSV column `{header}` ({}{}); JSON property `{json}`.",
        column.ty.spec_name(),
        if column.optional {
            ", may be empty or absent"
        } else {
            ""
        }
    )];
    if let Some(doc) = &column.doc {
        lines.push(String::new());
        lines.push(doc.clone());
    }
    let docs = doc_lines(&lines);
    quote! {
        #docs
        #[serde(rename = #header, alias = #json, #codec #default)]
        pub #name: #field_type,
    }
}

/// The item of `reports-sdk/src/runtime/cell.rs` pairing the column's decoder and encoder, for
/// `#[serde(with = "...")]`: a module per type (`date`, `optional_integer`), or for lists a type
/// whose const parameter is the separator (`List::<'+'>`), so no separator needs its own item.
fn cell(column: &Column) -> String {
    // The runtime names its items after the spec's type names.
    let name = match column.ty {
        ColumnType::List { separator } => {
            let list = if column.optional {
                "OptionalList"
            } else {
                "List"
            };
            return format!("{list}::<{}>", Literal::character(separator));
        }
        other => other.spec_name(),
    };
    if column.optional {
        format!("optional_{name}")
    } else {
        name.to_owned()
    }
}

fn meta(family: &Family, report: &Report) -> TokenStream {
    let id = &report.id;
    let family_name = &family.name;
    let function = &report.function;
    let summary = &report.summary;
    let docs_url = &report.docs;
    let versions = report.versions.iter().map(|version| {
        let name = api_version(version.version);
        let formats = version.formats.iter().map(|f| format(*f));
        // `VersionMeta::new` is CSV by default, through a redirect.
        let default_format = match version.default_format {
            Format::Csv => quote!(),
            other => {
                let other = format(other);
                quote!(.with_default_format(#other))
            }
        };
        let csv_in_body = match version.csv_delivery {
            CsvDelivery::Redirect => quote!(),
            CsvDelivery::Body => quote!(.with_csv_in_body()),
        };
        quote! {
            crate::runtime::VersionMeta::new(#name, &[#(#formats),*]) #default_format #csv_in_body
        }
    });
    let delegated_work = &report.permissions.delegated_work;
    let delegated_personal = &report.permissions.delegated_personal;
    let application = &report.permissions.application;
    let clouds = report.clouds.iter().map(|c| cloud(*c));
    let if_none_match = report.if_none_match;
    let parameters = report.parameters.iter().map(|parameter| {
        let name = &parameter.name;
        let quoted = parameter.quoted;
        let kind = match &parameter.kind {
            ParameterKind::Enum(type_name) => {
                let ty = format_ident!("{}", type_name);
                quote! {
                    crate::runtime::ParameterKind::Enum {
                        type_name: #type_name,
                        values: <super::#ty as crate::runtime::EnumParameter>::WIRE_VALUES,
                    }
                }
            }
            ParameterKind::Date => quote!(crate::runtime::ParameterKind::Date),
            ParameterKind::String => quote!(crate::runtime::ParameterKind::String),
        };
        // Only optional parameters have a default (validation refuses one on a required one).
        let optional = if parameter.optional {
            let default = match &parameter.default {
                Some(default) => quote!(::std::option::Option::Some(#default)),
                None => quote!(::std::option::Option::None),
            };
            quote!(.optional(#default))
        } else {
            quote!()
        };
        quote! {
            crate::runtime::ParameterMeta::new(#name, #kind, #quoted) #optional
        }
    });
    let forms = report.forms.iter().map(|form| {
        let method = &form.method;
        let indexes = form.parameters.iter().map(|i| Literal::usize_unsuffixed(*i));
        let path = docs::path_template(report, &form.parameters);
        quote! {
            crate::runtime::FormMeta { method: #method, parameters: &[#(#indexes),*], path_template: #path }
        }
    });
    let columns = report.columns.iter().map(|column| {
        let header = &column.header;
        let field = &column.field;
        let json = &column.json;
        let optional = column.optional.then(|| quote!(.optional()));
        let json_nested = column.json_nested.then(|| quote!(.json_nested()));
        let ty = match column.ty {
            ColumnType::Date => quote!(crate::runtime::ColumnType::Date),
            ColumnType::DateTime => quote!(crate::runtime::ColumnType::DateTime),
            ColumnType::String => quote!(crate::runtime::ColumnType::String),
            ColumnType::Integer => quote!(crate::runtime::ColumnType::Integer),
            ColumnType::Boolean => quote!(crate::runtime::ColumnType::Boolean),
            ColumnType::Duration => quote!(crate::runtime::ColumnType::Duration),
            ColumnType::List { separator } => {
                quote!(crate::runtime::ColumnType::List { separator: #separator })
            }
        };
        quote! {
            crate::runtime::ColumnMeta::new(#header, #field, #json, #ty) #optional #json_nested
        }
    });
    let json_nested = match &report.json_nested {
        Some(property) => quote!(::std::option::Option::Some(#property)),
        None => quote!(::std::option::Option::None),
    };
    let ragged_rows = report.ragged_rows;
    quote! {
        crate::runtime::ReportMeta {
            id: #id,
            family: #family_name,
            function: #function,
            summary: #summary,
            docs: #docs_url,
            versions: &[#(#versions),*],
            permissions: crate::runtime::Permissions {
                delegated_work: &[#(#delegated_work),*],
                delegated_personal: &[#(#delegated_personal),*],
                application: &[#(#application),*],
            },
            clouds: &[#(#clouds),*],
            if_none_match: #if_none_match,
            parameters: &[#(#parameters),*],
            forms: &[#(#forms),*],
            columns: &[#(#columns),*],
            json_nested: #json_nested,
            ragged_rows: #ragged_rows,
        }
    }
}
