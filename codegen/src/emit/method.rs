//! The client methods of one report (one per parameter form) and the request setters of its
//! optional parameters.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::docs::{self, doc_lines};
use crate::ir::{Form, Parameter, ParameterKind, Report};

pub fn methods(report: &Report) -> TokenStream {
    let methods = report
        .forms
        .iter()
        .enumerate()
        .map(|(index, form)| method(report, index, form));
    let setters: Vec<TokenStream> = report
        .optional_parameters()
        .map(|parameter| setter(report, parameter))
        .collect();
    let row_type = format_ident!("{}", report.row_type);
    let setters = (!setters.is_empty()).then(|| {
        quote! {
            impl crate::runtime::ReportRequest<#row_type> {
                #(#setters)*
            }
        }
    });
    quote! {
        impl crate::Client {
            #(#methods)*
        }

        #setters
    }
}

/// The Rust type of a parameter's argument and the runtime `Argument` built from it.
fn argument(parameter: &Parameter) -> (TokenStream, TokenStream) {
    let name = format_ident!("{}", parameter.ident);
    match &parameter.kind {
        ParameterKind::Enum(type_name) => {
            let ty = format_ident!("{}", type_name);
            (
                quote!(#name: super::#ty),
                quote!(crate::runtime::Argument::enumerated(#name)),
            )
        }
        ParameterKind::Date => (
            quote!(#name: ::chrono::NaiveDate),
            quote!(crate::runtime::Argument::Date(#name)),
        ),
        ParameterKind::String => (
            quote!(#name: impl ::std::convert::Into<::std::string::String>),
            quote!(crate::runtime::Argument::String(#name.into())),
        ),
    }
}

fn method(report: &Report, form_index: usize, form: &Form) -> TokenStream {
    let name = format_ident!("{}", form.method);
    let row_type = format_ident!("{}", report.row_type);
    let index = Literal::usize_unsuffixed(form_index);
    let (arguments, values): (Vec<_>, Vec<_>) = form
        .parameters
        .iter()
        .map(|i| argument(&report.parameters[*i]))
        .unzip();
    let docs = doc_lines(&method_docs(report, form));
    // Indexed at compile time: a form that does not exist is a build error, not a fallback.
    quote! {
        #docs
        pub fn #name(&self, #(#arguments),*) -> crate::runtime::ReportRequest<#row_type> {
            const FORM: &crate::runtime::FormMeta =
                &<#row_type as crate::runtime::Report>::META.forms[#index];
            crate::runtime::ReportRequest::new(self, FORM, [#(#values),*])
        }
    }
}

fn setter(report: &Report, parameter: &Parameter) -> TokenStream {
    let name = format_ident!("{}", parameter.ident);
    let wire = &parameter.name;
    let (argument, value) = argument(parameter);
    let mut lines = vec![format!(
        "Sets the optional `{wire}` parameter of [`Client::{method}`](crate::Client::{method}){}",
        parameter
            .doc
            .as_deref()
            .map_or_else(|| ".".to_owned(), |doc| format!(": {doc}")),
        method = report
            .forms
            .first()
            .map_or(report.id.as_str(), |form| form.method.as_str()),
    )];
    lines.push(String::new());
    lines.push(match &parameter.default {
        Some(default) => format!("Left unset, Graph applies its default, `{default}`."),
        None => "Left unset, Graph applies its default.".to_owned(),
    });
    let docs = doc_lines(&lines);
    quote! {
        #docs
        pub fn #name(self, #argument) -> Self {
            self.with_optional(#wire, #value)
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
                format!("- `{}`: {doc}", parameter.ident)
                    .trim_end()
                    .to_owned(),
            );
        }
        lines.push(String::new());
    }
    let optional: Vec<&Parameter> = report.optional_parameters().collect();
    if !optional.is_empty() {
        lines.push("Optional parameters, set on the returned request:".to_owned());
        for parameter in optional {
            let default = parameter
                .default
                .as_deref()
                .map_or_else(String::new, |default| {
                    format!(" (Graph's default: `{default}`)")
                });
            lines.push(format!(
                "- `.{0}(...)` (`{1}`){default}",
                parameter.ident, parameter.name
            ));
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
