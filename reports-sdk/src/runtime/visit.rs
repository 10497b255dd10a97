//! Working over every report in the catalogue with its typed row, for tools and tests that
//! handle all reports alike (the emulator's end-to-end tests, the command-line tool).

use super::client::Client;
use super::error::{Error, ErrorKind};
use super::meta::{FormMeta, Report, ReportMeta};
use super::parameter::Argument;
use super::request::ReportRequest;

/// Called with the row type of each report, by the generated `reports_sdk::visit_reports`.
pub trait ReportVisitor {
    /// Visits one report; `R::META` says which.
    fn visit<R: Report>(&mut self);
}

impl Client {
    /// A request for report `R` in the parameter form `form` (one of `R::META.forms`), with
    /// `arguments` in that form's order: what a generated method returns, for code that works
    /// from the catalogue rather than calling methods by name.
    pub fn request<R: Report>(
        &self,
        form: &'static FormMeta,
        arguments: Vec<Argument>,
    ) -> Result<ReportRequest<R>, Error> {
        check_arguments(R::META, form, &arguments)?;
        Ok(ReportRequest::new(self, form, arguments))
    }
}

/// Checks that `form` is one of `meta`'s and that `arguments` fit its parameters.
pub(crate) fn check_arguments(
    meta: &'static ReportMeta,
    form: &'static FormMeta,
    arguments: &[Argument],
) -> Result<(), Error> {
    let invalid =
        |message: String| Err(Error::new(ErrorKind::Configuration, message).with_report(meta.id));
    // By value: a `const` metadata reference is not one address everywhere it is used.
    if !meta.forms.contains(form) {
        return invalid(format!(
            "{} is not a form of this report; its forms are {}",
            form.path_template,
            meta.forms
                .iter()
                .map(|form| form.path_template)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if form.parameters.len() != arguments.len() {
        return invalid(format!(
            "{} takes {} argument(s), not {}",
            form.path_template,
            form.parameters.len(),
            arguments.len()
        ));
    }
    for (index, argument) in form.parameters.iter().zip(arguments) {
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
