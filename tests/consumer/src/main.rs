//! The README's "Using the SDK from another crate" program: Teams activity per user over the
//! last 7 days, decoded while it downloads. Signs in from the environment, as the SDK documents.

use futures_util::StreamExt;
use reports_sdk::{Client, Credentials, Period};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::builder()
        .credentials(Credentials::from_env()?)
        .build()?;
    let mut rows = client
        .teams_user_activity_user_detail(Period::D7)
        .stream()
        .await?;
    while let Some(row) = rows.next().await {
        let row = row?;
        println!(
            "{}: {} chat messages, {} meetings",
            row.user_principal_name, row.private_chat_message_count, row.meeting_count
        );
    }
    Ok(())
}
