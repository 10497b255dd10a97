//! The client methods of one report: one per parameter form.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::docs::{self, doc_lines};
use crate::ir::{Form, ParameterKind, Report};

pub fn methods(report: &Report) -> TokenStream {
    let methods = report
        .forms
        .iter()
        .enumerate()
        .map(|(index, form)| method(report, index, form));
    quote! {
        impl crate::Client {
            #(#methods)*
        }
    }
}

fn method(report: &Report, form_index: usize, form: &Form) -> TokenStream {
    let name = format_ident!("{}", form.method);
    let row_type = format_ident!("{}", report.row_type);
    let index = Literal::usize_unsuffixed(form_index);
    let mut arguments = Vec::new();
    let mut values = Vec::new();
    for parameter in form.parameters.iter().map(|i| &report.parameters[*i]) {
        let argument = format_ident!("{}", parameter.name);
        match &parameter.kind {
            ParameterKind::Enum(type_name) => {
                let ty = format_ident!("{}", type_name);
                arguments.push(quote!(#argument: super::#ty));
                values.push(quote!(crate::runtime::Argument::enumerated(#argument)));
            }
            ParameterKind::Date => {
                arguments.push(quote!(#argument: ::chrono::NaiveDate));
                values.push(quote!(crate::runtime::Argument::Date(#argument)));
            }
            ParameterKind::String => {
                arguments.push(quote!(#argument: impl ::std::convert::Into<::std::string::String>));
                values.push(quote!(crate::runtime::Argument::String(#argument.into())));
            }
        }
    }
    let docs = doc_lines(&method_docs(report, form));
    quote! {
        #docs
        pub fn #name(&self, #(#arguments),*) -> crate::runtime::ReportRequest<#row_type> {
            crate::runtime::ReportRequest::new(self, #index, [#(#values),*])
        }
    }
}

fn method_docs(report: &Report, form: &Form) -> Vec<String> {
    let mut lines = vec![
        report.summary.clone(),
        String::new(),
        format!(
            "`GET /{{version}}{}`",
            docs::path_template(report, &form.parameters)
        ),
        String::new(),
    ];
    if !form.parameters.is_empty() {
        lines.push("Parameters:".to_owned());
        for parameter in form.parameters.iter().map(|i| &report.parameters[*i]) {
            let doc = parameter.doc.as_deref().unwrap_or("");
            lines.push(
                format!("- `{}`: {doc}", parameter.name)
                    .trim_end()
                    .to_owned(),
            );
        }
        lines.push(String::new());
    }
    lines.push(docs::versions_line(&report.versions));
    lines.push(docs::clouds_line(&report.clouds));
    if report.if_none_match {
        lines.push(
            "Supports `If-None-Match`: an unchanged report answers `304 Not Modified`.".to_owned(),
        );
    }
    lines.push(String::new());
    lines.extend(docs::permissions_lines(&report.permissions));
    lines.push(String::new());
    lines.push(format!(
        "Rows decode into [`{}`]. See the [Microsoft Graph reference]({}).",
        report.row_type, report.docs
    ));
    lines
}
