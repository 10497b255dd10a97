//! Several tenants behind one emulator, through the public SDK as a multi-tenant sync would use
//! it: one client per tenant, each signing in with its own app; each decodes its own tenant's
//! rows, and `If-None-Match` works per tenant.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on setup errors")]

use end_to_end::compare_typed;
use graph_emulator::{Config, Emulator, TenantApp};
use reports_sdk::office365::Office365ActiveUserDetailRow;
use reports_sdk::{ApiVersion, Client, Credentials, Fetched, Period};

fn client(emulator: &Emulator, app: &TenantApp) -> Client {
    Client::builder()
        .base_url(emulator.base_url())
        .credentials(Credentials::ClientSecret {
            tenant_id: app.tenant_id.clone(),
            client_id: app.client_id.clone(),
            client_secret: app.client_secret.clone().into(),
            authority_host: Some(emulator.authority_host()),
        })
        .build()
        .unwrap()
}

fn expected(emulator: &Emulator, tenant_id: &str, period: &str) -> graph_emulator::Table {
    emulator
        .expected_for(
            tenant_id,
            <Office365ActiveUserDetailRow as reports_sdk::Report>::META,
            &[("period".to_owned(), period.to_owned())],
            ApiVersion::V1,
        )
        .unwrap()
}

#[tokio::test]
async fn each_tenant_decodes_its_own_rows_and_its_own_not_modified() {
    let config = Config {
        rows: 8,
        more_tenants: (1..=3).map(TenantApp::numbered).collect(),
        ..Config::default()
    };
    let emulator = Emulator::start(config.clone()).await.unwrap();
    let apps = config.tenant_apps();

    let mut tables = Vec::new();
    let mut etags = Vec::new();
    for app in &apps {
        let report = client(&emulator, app)
            .office365_active_user_detail(Period::D7)
            .send()
            .await
            .unwrap();
        let table = expected(&emulator, &app.tenant_id, "D7");
        compare_typed(&report.rows, &table)
            .unwrap_or_else(|err| panic!("{}: {err}", app.tenant_id));
        tables.push(table);
        etags.push(report.info.etag.clone().unwrap());
    }
    for (index, table) in tables.iter().enumerate() {
        for other in &tables[index + 1..] {
            assert_ne!(table.rows, other.rows, "every tenant has its own rows");
        }
    }

    // Each tenant's tag is unchanged for it, and means nothing to the next tenant.
    for (index, app) in apps.iter().enumerate() {
        let client = client(&emulator, app);
        let unchanged = client
            .office365_active_user_detail(Period::D7)
            .if_none_match(etags[index].clone())
            .send()
            .await
            .unwrap();
        assert!(unchanged.is_not_modified(), "{}", app.tenant_id);
        let next = etags[(index + 1) % etags.len()].clone();
        match client
            .office365_active_user_detail(Period::D7)
            .if_none_match(next)
            .send()
            .await
            .unwrap()
        {
            Fetched::Modified(report) => compare_typed(&report.rows, &tables[index]).unwrap(),
            Fetched::NotModified(_) => panic!("{}: another tenant's tag matched", app.tenant_id),
        };
    }
    for app in &apps {
        let stats = emulator.tenant_stats(&app.tenant_id).unwrap();
        assert_eq!(
            (
                stats.report_calls,
                stats.conditional_calls,
                stats.not_modified
            ),
            (3, 2, 1),
            "{}",
            app.tenant_id
        );
    }
    assert_eq!(emulator.stats().not_modified, 4);
}
