//! The typed row of one report and its metadata (`impl Report`).

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::docs::{self, doc_lines};
use super::paths::{api_version, cloud, csv_delivery, format};
use crate::ir::{Column, ColumnType, Family, ParameterKind, Report};

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
    let (value_type, decoder) = match column.ty {
        ColumnType::Date => (quote!(::chrono::NaiveDate), "date".to_owned()),
        ColumnType::DateTime => (
            quote!(::chrono::DateTime<::chrono::Utc>),
            "datetime".to_owned(),
        ),
        ColumnType::String => (quote!(::std::string::String), "string".to_owned()),
        ColumnType::Integer => (quote!(i64), "integer".to_owned()),
        ColumnType::Boolean => (quote!(bool), "boolean".to_owned()),
        ColumnType::Duration => (quote!(::std::time::Duration), "duration".to_owned()),
        ColumnType::List { separator } => (
            quote!(::std::vec::Vec<::std::string::String>),
            format!("list::<{}, _>", Literal::character(separator)),
        ),
    };
    let (field_type, decoder, default) = if column.optional {
        let decoder = match column.ty {
            ColumnType::List { separator } => {
                format!("optional_list::<{}, _>", Literal::character(separator))
            }
            _ => format!("optional_{decoder}"),
        };
        (
            quote!(::std::option::Option<#value_type>),
            decoder,
            quote!(default,),
        )
    } else {
        (value_type, decoder, quote!())
    };
    let deserialize_with = format!("crate::runtime::decode::{decoder}");
    let encoder = match column.ty {
        ColumnType::Duration => Some("duration".to_owned()),
        ColumnType::List { separator } => {
            Some(format!("list::<{}, _>", Literal::character(separator)))
        }
        _ => None,
    };
    let serialize_with = match encoder {
        Some(encoder) => {
            let prefix = if column.optional { "optional_" } else { "" };
            let path = format!("crate::runtime::encode::{prefix}{encoder}");
            quote!(serialize_with = #path,)
        }
        None => quote!(),
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
        #[serde(rename = #header, alias = #json, #default deserialize_with = #deserialize_with, #serialize_with)]
        pub #name: #field_type,
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
        let default_format = format(version.default_format);
        let delivery = csv_delivery(version.csv_delivery);
        quote! {
            crate::runtime::VersionMeta {
                version: #name,
                formats: &[#(#formats),*],
                default_format: #default_format,
                csv_delivery: #delivery,
            }
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
        let optional = parameter.optional;
        let default = match &parameter.default {
            Some(default) => quote!(::std::option::Option::Some(#default)),
            None => quote!(::std::option::Option::None),
        };
        quote! {
            crate::runtime::ParameterMeta {
                name: #name,
                kind: #kind,
                quoted: #quoted,
                optional: #optional,
                default: #default,
            }
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
        let optional = column.optional;
        let json_nested = column.json_nested;
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
            crate::runtime::ColumnMeta {
                header: #header,
                field: #field,
                json: #json,
                ty: #ty,
                optional: #optional,
                json_nested: #json_nested,
            }
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
