//! Absolute paths of the runtime's enum values, so nothing in scope can shadow them.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{ApiVersion, Cloud, Format};

pub fn api_version(version: ApiVersion) -> TokenStream {
    match version {
        ApiVersion::V1 => quote!(crate::runtime::ApiVersion::V1),
        ApiVersion::Beta => quote!(crate::runtime::ApiVersion::Beta),
    }
}

pub fn format(format: Format) -> TokenStream {
    match format {
        Format::Csv => quote!(crate::runtime::Format::Csv),
        Format::Json => quote!(crate::runtime::Format::Json),
    }
}

pub fn cloud(cloud: Cloud) -> TokenStream {
    match cloud {
        Cloud::Global => quote!(crate::runtime::Cloud::Global),
        Cloud::UsGovL4 => quote!(crate::runtime::Cloud::UsGovL4),
        Cloud::UsGovL5 => quote!(crate::runtime::Cloud::UsGovL5),
        Cloud::China => quote!(crate::runtime::Cloud::China),
    }
}
