//! Working over every report in the catalogue with its typed row, for tools and tests that
//! handle all reports alike (the emulator's end-to-end tests, the command-line tool).

use super::client::Client;
use super::error::{Error, ErrorKind};
use super::meta::{Report, ReportMeta};
use super::parameter::Argument;
use super::request::ReportRequest;

/// Called with the row type of each report, by the generated `reports_sdk::visit_reports`.
pub trait ReportVisitor {
    /// Visits one report; `R::META` says which.
    fn visit<R: Report>(&mut self);
}

impl Client {
    /// A request for report `R` in its parameter form number `form` (an index into
    /// `R::META.forms`), with `arguments` in that form's order: what a generated method
    /// returns, for code that works from the catalogue rather than calling methods by name.
    pub fn request<R: Report>(
        &self,
        form: usize,
        arguments: Vec<Argument>,
    ) -> Result<ReportRequest<R>, Error> {
        check_arguments(R::META, form, &arguments)?;
        Ok(ReportRequest::new(self, form, arguments))
    }
}

/// Checks that `meta` has form number `form` and that `arguments` fit its parameters.
pub(crate) fn check_arguments(
    meta: &'static ReportMeta,
    form: usize,
    arguments: &[Argument],
) -> Result<(), Error> {
    let invalid =
        |message: String| Err(Error::new(ErrorKind::Configuration, message).with_report(meta.id));
    let Some(form_meta) = meta.forms.get(form) else {
        return invalid(format!(
            "the report has {} parameter form(s); there is no form {form}",
            meta.forms.len()
        ));
    };
    if form_meta.parameters.len() != arguments.len() {
        return invalid(format!(
            "{} takes {} argument(s), not {}",
            form_meta.path_template,
            form_meta.parameters.len(),
            arguments.len()
        ));
    }
    for (index, argument) in form_meta.parameters.iter().zip(arguments) {
        match meta.parameters.get(*index) {
            Some(parameter) if argument.fits(parameter) => {}
            Some(parameter) => {
                return invalid(format!(
                    "{argument:?} is not a value of parameter `{}`",
                    parameter.name
                ));
            }
            None => return invalid(format!("parameter {index} is not declared")),
        }
    }
    Ok(())
}
