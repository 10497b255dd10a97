//! Doc comments for generated items, one `#[doc]` line each so the output reads as `///`.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{ApiVersion, Cloud, CsvDelivery, Format, Permissions, Report, Version};

pub fn doc_lines<S: AsRef<str>>(lines: &[S]) -> TokenStream {
    lines
        .iter()
        .map(|line| {
            let line = line.as_ref();
            let text = if line.is_empty() {
                String::new()
            } else {
                format!(" {line}")
            };
            quote! { #[doc = #text] }
        })
        .collect()
}

pub fn version_name(version: ApiVersion) -> &'static str {
    match version {
        ApiVersion::V1 => "v1.0",
        ApiVersion::Beta => "beta",
    }
}

pub fn format_name(format: Format) -> &'static str {
    match format {
        Format::Csv => "CSV",
        Format::Json => "JSON",
    }
}

pub fn cloud_name(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Global => "global",
        Cloud::UsGovL4 => "US Government L4",
        Cloud::UsGovL5 => "US Government L5 (DoD)",
        Cloud::China => "China (21Vianet)",
    }
}

pub fn versions_line(versions: &[Version]) -> String {
    let listed: Vec<String> = versions
        .iter()
        .map(|version| {
            let formats: Vec<&str> = version.formats.iter().map(|f| format_name(*f)).collect();
            let mut notes = formats.join(", ");
            if version.default_format != Format::Csv {
                notes.push_str(&format!(
                    "; {} unless CSV is asked for",
                    format_name(version.default_format)
                ));
            }
            if version.csv_delivery == CsvDelivery::Body {
                notes.push_str("; CSV in the response body");
            }
            format!("`{}` ({notes})", version_name(version.version))
        })
        .collect();
    format!("API versions: {}.", listed.join("; "))
}

pub fn clouds_line(clouds: &[Cloud]) -> String {
    let listed: Vec<&str> = clouds.iter().map(|cloud| cloud_name(*cloud)).collect();
    format!("Clouds: {}.", listed.join(", "))
}

pub fn permissions_lines(permissions: &Permissions) -> Vec<String> {
    let describe = |scopes: &[String]| {
        if scopes.is_empty() {
            "not supported".to_owned()
        } else {
            scopes
                .iter()
                .map(|scope| format!("`{scope}`"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    vec![
        "Permissions:".to_owned(),
        format!(
            "- delegated (work or school account): {}",
            describe(&permissions.delegated_work)
        ),
        format!(
            "- delegated (personal Microsoft account): {}",
            describe(&permissions.delegated_personal)
        ),
        format!("- application: {}", describe(&permissions.application)),
    ]
}

/// The path as Graph documents it, with a placeholder per parameter.
pub fn path_template(report: &Report, parameters: &[usize]) -> String {
    if parameters.is_empty() {
        return format!("/reports/{}", report.function);
    }
    let arguments: Vec<String> = parameters
        .iter()
        .map(|index| {
            let parameter = &report.parameters[*index];
            if parameter.quoted {
                format!("{0}='{{{0}}}'", parameter.name)
            } else {
                format!("{0}={{{0}}}", parameter.name)
            }
        })
        .collect();
    format!("/reports/{}({})", report.function, arguments.join(","))
}
