//! One report call, as returned by a generated client method: settings first, then a terminal
//! call.

use std::marker::PhantomData;

use super::client::Client;
use super::meta::{ApiVersion, FormMeta, Format, Report, ReportMeta};
use super::parameter::{Argument, report_path};

/// A report call with its arguments, not sent yet. Returned by every generated method.
#[must_use = "a report request does nothing until it is sent"]
pub struct ReportRequest<R> {
    client: Client,
    form: &'static FormMeta,
    arguments: Vec<Argument>,
    version: Option<ApiVersion>,
    format: Format,
    if_none_match: Option<String>,
    row: PhantomData<fn() -> R>,
}

impl<R> std::fmt::Debug for ReportRequest<R>
where
    R: Report,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReportRequest")
            .field("report", &R::META.id)
            .field("path", &self.path())
            .field("version", &self.api_version())
            .field("format", &self.format)
            .field("if_none_match", &self.if_none_match)
            .finish()
    }
}

impl<R: Report> ReportRequest<R> {
    pub(crate) fn new<const N: usize>(
        client: &Client,
        form: usize,
        arguments: [Argument; N],
    ) -> Self {
        // The generator emits one method per form with its index, so the index is always valid;
        // falling back to the first form keeps this total without a panic path.
        let form = R::META
            .forms
            .get(form)
            .or_else(|| R::META.forms.first())
            .unwrap_or(&NO_PARAMETERS);
        ReportRequest {
            client: client.clone(),
            form,
            arguments: arguments.into(),
            version: None,
            format: Format::Csv,
            if_none_match: None,
            row: PhantomData,
        }
    }

    /// Asks for this API version instead of the client's.
    pub fn version(mut self, version: ApiVersion) -> Self {
        self.version = Some(version);
        self
    }

    /// Asks for this format (JSON is served by `beta` only). Default: CSV.
    pub fn format(mut self, format: Format) -> Self {
        self.format = format;
        self
    }

    /// Sends `If-None-Match`: if the report's ETag still matches, Graph answers
    /// `304 Not Modified` instead of the report.
    pub fn if_none_match(mut self, etag: impl Into<String>) -> Self {
        self.if_none_match = Some(etag.into());
        self
    }

    /// What the spec says about the report.
    pub fn meta(&self) -> &'static ReportMeta {
        R::META
    }

    /// The API version the request will use.
    pub fn api_version(&self) -> ApiVersion {
        self.version.unwrap_or(self.client.inner.version)
    }

    /// The requested format.
    pub fn requested_format(&self) -> Format {
        self.format
    }

    /// The path after the version, e.g. `/reports/getOffice365ServicesUserCounts(period='D7')`.
    pub fn path(&self) -> String {
        report_path(R::META, self.form, &self.arguments)
    }

    /// The full URL of the report call, e.g.
    /// `https://graph.microsoft.com/v1.0/reports/getOffice365ActivationCounts`.
    pub fn url(&self) -> String {
        let mut url = format!(
            "{}/{}{}",
            self.client.inner.base_url,
            self.api_version(),
            self.path()
        );
        if self.format == Format::Json {
            url.push_str("?$format=application/json");
        }
        url
    }
}

static NO_PARAMETERS: FormMeta = FormMeta {
    method: "",
    parameters: &[],
    path_template: "",
};
