//! The client and the values it hands out can cross threads and tasks.

use reports_sdk::Client;

#[test]
fn client_is_cheap_to_clone_and_thread_safe() {
    fn shareable<T: Clone + Send + Sync + 'static>() {}
    shareable::<Client>();
    fn sendable<T: Send>() {}
    sendable::<reports_sdk::ReportRequest<reports_sdk::office365::Office365ActivationCountsRow>>();
    sendable::<reports_sdk::RowStream<reports_sdk::office365::Office365ActivationCountsRow>>();
    sendable::<reports_sdk::Error>();
    fn error_is_std<T: std::error::Error + Send + Sync + 'static>() {}
    error_is_std::<reports_sdk::Error>();
}
