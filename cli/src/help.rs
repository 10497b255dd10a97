//! The `--help` text.

/// Printed by `--help`.
pub const USAGE: &str = "\
graph-reports: fetch Microsoft Graph usage reports as typed rows.

USAGE:
    graph-reports [FLAGS]
    cargo reports [FLAGS]

With no GRAPH_TOKEN in the environment it runs every report against an embedded local
emulator of Graph (synthetic data, nothing leaves the machine). With GRAPH_TOKEN set to an
access token (Reports.Read.All), it queries Microsoft Graph.

FLAGS:
    --report ID        A report to fetch (repeatable, or comma-separated). Default: every report.
    --period VALUE     The report's period (D7, D30, D90, D180: any value of its enum parameter).
    --date YYYY-MM-DD  Use the report's date form (the day to report on).
    --format csv|json  The format Graph serves (json needs the beta API). Default: csv.
    --version v1.0|beta
                       The Graph API version. Default: v1.0 (beta with --format json).
    --cloud NAME       global, us_gov_l4, us_gov_l5 or china. Default: global.
    --base-url URL     Send requests to this endpoint (a proxy); needs GRAPH_TOKEN.
    --out PATH         Also write the rows: .csv, .json (an array) or .jsonl/.ndjson (one object
                       a line). With several reports, one file each: out.<report id>.csv.
    --rows N           Rows per report in the emulator (emulator only). Default: 25.
    -h, --help         Show this text.

Without --period or --date every parameter form of a report is fetched, with the first
value of its enum parameter and, for a date, two days ago. Reports without parameters
ignore both flags.

EXIT CODES:
    0  every report was fetched    1  a report failed    2  bad command line

EXAMPLES:
    cargo reports
    cargo reports --report office365_services_user_counts --period D30 --out rows.jsonl
    GRAPH_TOKEN=eyJ0... cargo reports --version beta --format json --out reports.csv
";
