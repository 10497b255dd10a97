//! The `--help` text.

/// Printed by `--help`.
pub const USAGE: &str = "\
graph-reports: fetch Microsoft Graph usage reports as typed rows.

USAGE:
    graph-reports [FLAGS]
    cargo reports [FLAGS]

It signs in to Microsoft Graph with the Azure SDK's variables: AZURE_TENANT_ID,
AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (an app registration with the Reports.Read.All
application permission; AZURE_AUTHORITY_HOST optional), or GRAPH_TOKEN (a ready access token).
A partial set is an error. With no credentials at all it runs every report against an
embedded local emulator of Graph (synthetic data, nothing leaves the machine) and refuses
--out, so a job whose secret went missing fails instead of writing made-up rows.

FLAGS:
    --report ID        A report to fetch (repeatable, or comma-separated). Default: every report.
    --period VALUE     The report's period (D7, D30, D90, D180: any value of its enum parameter).
    --date YYYY-MM-DD  Use the report's date form (the day to report on).
    --format csv|json  The format Graph serves (json needs the beta API). Default: csv.
    --version v1.0|beta
                       The Graph API version. Default: v1.0 (beta with --format json).
    --cloud NAME       global, us_gov_l4, us_gov_l5 or china. Default: global.
    --base-url URL     Send requests to this endpoint (a proxy); needs credentials.
    --out PATH         Also write the rows: .csv, .json (an array) or .jsonl/.ndjson (one object
                       a line). With several reports, one file each: out.<report id>.csv.
    --emulator         Use the embedded emulator even with credentials set; allows --out.
    --rows N           Rows per report in the emulator (emulator only). Default: 25.
    --strict           Fail a report on its first row that does not decode. Default: skip
                       such a row, list it on stderr (line, column, reason), write the
                       others, and exit with 3.
    -h, --help         Show this text.

Without --period or --date every parameter form of a report is fetched, with the first
value of its enum parameter and, for a date, two days ago. Reports without parameters
ignore both flags.

EXIT CODES:
    0  every report was fetched    1  a report or the sign-in failed
    2  bad command line or credentials (nothing was sent)
    3  every report was fetched, but some rows did not decode and were skipped

EXAMPLES:
    cargo reports
    cargo reports --report office365_services_user_counts --period D30 --out rows.jsonl
    cargo reports --emulator --report teams_user_activity_counts --out demo.csv
    AZURE_TENANT_ID=contoso.onmicrosoft.com AZURE_CLIENT_ID=... AZURE_CLIENT_SECRET=... \
        cargo reports --out reports.csv
    GRAPH_TOKEN=eyJ0... cargo reports --version beta --format json --out reports.csv
";
