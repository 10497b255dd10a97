//! What a column means, read from its header and type, so the realistic generator can keep
//! related columns consistent without naming any report: `Has Exchange License` goes with
//! `Exchange License Assign Date`, `Activated` never exceeds `Assigned`, and so on.

use reports_sdk::{ColumnMeta, ColumnType, ReportMeta};

/// The meaning of one column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Role {
    /// `Report Refresh Date`.
    RefreshDate,
    /// `Report Period`: the days the call covers.
    ReportPeriod,
    /// `Report Date`: the day of a per-day row.
    ReportDate,
    /// `User Principal Name`, `Owner Principal Name`.
    PrincipalName,
    /// `Display Name`, `Owner Display Name`: the person's name.
    PersonName,
    /// `Group Display Name`, `Team Name`, `Network Display Name`.
    GroupName,
    /// A header naming tenants.
    TenantName,
    /// `... Id`, `... ID`: a GUID.
    Identifier,
    /// `Site URL`.
    Url,
    /// `Product Type`: an activation product.
    ProductType,
    /// `User State`: whether the user was deleted.
    UserState,
    /// Other text, one of these values.
    Choice(&'static [&'static str]),
    /// A list of the user's licence products (`Assigned Products`).
    Products,
    /// Another list column.
    ListItems,
    /// `Is Deleted`.
    IsDeleted,
    /// `Deleted Date`.
    DeletedDate,
    /// `Has {service} License`.
    HasLicence(String),
    /// `{service} License Assign Date`.
    AssignDate(String),
    /// `{service} Last Activity Date`, or `Last Activity Date` (service empty).
    LastActivity(String),
    /// A day before the period, fixed for the thing the row describes (`Created Date`).
    PastDate,
    /// A day at most a few months before the refresh date (`Last Activated Date`).
    RecentDate,
    /// A timestamp within the period.
    Timestamp,
    /// A mailbox quota in bytes: a fixed size per kind of quota.
    Quota(i64),
    /// Bytes stored.
    Bytes,
    /// Minutes or seconds spent.
    Time,
    /// A count no greater than the count in the column at this index of the report.
    BoundedCount(usize),
    /// Another count.
    Count,
    /// Another yes/no.
    Flag,
    /// `hh:mm:ss`.
    Duration,
    /// A column of a type this emulator does not know yet.
    Other,
}

/// How a smaller count's header becomes the header of the count bounding it: `Activated` <=
/// `Assigned`, `Word Active Users` <= `Word Enabled Users`, `Active Public Teams` <= `Public
/// Teams`, `Active` <= `Total`, `External Member Count` <= `Member Count`, `Storage Used
/// (Byte)` <= `Storage Allocated (Byte)`.
const BOUNDS: &[(&str, &str)] = &[
    ("Used", "Allocated"),
    ("Shared Computer Activation", "Activated"),
    ("Activated", "Assigned"),
    ("Active Users", "Enabled Users"),
    ("Active ", ""),
    ("Active", "Total"),
    ("External ", ""),
];

/// Kinds of quota, largest first, with the sizes Exchange Online gives a standard mailbox.
const QUOTAS: &[(&str, i64)] = &[
    ("Send/Receive", 107_374_182_400),
    ("Send", 106_300_440_576),
    ("Warning", 105_226_698_752),
    ("", 32_212_254_720),
];

/// The role of every column of `meta`, in its order.
pub(crate) fn roles(meta: &ReportMeta) -> Vec<Role> {
    meta.columns
        .iter()
        .map(|column| role(meta, column))
        .collect()
}

fn role(meta: &ReportMeta, column: &ColumnMeta) -> Role {
    let header = column.header;
    match column.ty {
        ColumnType::Date => date_role(header),
        ColumnType::DateTime => Role::Timestamp,
        ColumnType::Boolean => match header {
            "Is Deleted" => Role::IsDeleted,
            _ => match header
                .strip_prefix("Has ")
                .and_then(|rest| rest.strip_suffix(" License"))
            {
                Some(service) => Role::HasLicence(service.to_owned()),
                None => Role::Flag,
            },
        },
        ColumnType::Integer => integer_role(meta, header),
        ColumnType::Duration => Role::Duration,
        ColumnType::String => text_role(header),
        ColumnType::List { .. } if header.contains("Product") => Role::Products,
        ColumnType::List { .. } => Role::ListItems,
        _ => Role::Other,
    }
}

fn date_role(header: &str) -> Role {
    if header == "Report Refresh Date" {
        Role::RefreshDate
    } else if header == "Report Date" {
        Role::ReportDate
    } else if header == "Deleted Date" {
        Role::DeletedDate
    } else if let Some(service) = header.strip_suffix(" License Assign Date") {
        Role::AssignDate(service.to_owned())
    } else if let Some(service) = header.strip_suffix("Last Activity Date") {
        Role::LastActivity(service.trim_end().to_owned())
    } else if header.contains("Activat") {
        Role::RecentDate
    } else {
        Role::PastDate
    }
}

fn integer_role(meta: &ReportMeta, header: &str) -> Role {
    if header == "Report Period" {
        return Role::ReportPeriod;
    }
    if header.contains("Quota") {
        let size = QUOTAS
            .iter()
            .find(|(word, _)| header.contains(word))
            .map_or(0, |(_, size)| *size);
        return Role::Quota(size);
    }
    for (from, to) in BOUNDS {
        if !header.contains(from) {
            continue;
        }
        let bound = header.replacen(from, to, 1);
        let found = meta.columns.iter().position(|column| {
            column.header == bound && column.header != header && column.ty == ColumnType::Integer
        });
        if let Some(index) = found {
            return Role::BoundedCount(index);
        }
    }
    if header.contains("(Byte)") {
        Role::Bytes
    } else if header.contains("Minutes") || header.contains("Seconds") {
        Role::Time
    } else {
        Role::Count
    }
}

fn text_role(header: &str) -> Role {
    if header.ends_with("Principal Name") {
        Role::PrincipalName
    } else if header.contains("Tenant") && header.contains("Name") {
        Role::TenantName
    } else if header == "Display Name" || header == "Owner Display Name" {
        Role::PersonName
    } else if header.ends_with("Display Name") || header.ends_with("Team Name") {
        Role::GroupName
    } else if header.ends_with(" Id") || header.ends_with(" ID") {
        Role::Identifier
    } else if header.contains("URL") {
        Role::Url
    } else if header == "Product Type" {
        Role::ProductType
    } else if header == "User State" {
        Role::UserState
    } else if header == "Site Type" {
        // The counts reports' one row per day covers every site.
        Role::Choice(&["All"])
    } else if header.ends_with("Type") {
        Role::Choice(&["Public", "Private"])
    } else if header.contains("Template") {
        Role::Choice(&["Team Site", "Communication Site", "Group"])
    } else if header.contains("Location") {
        Role::Choice(&["NAM", "EUR", "APC"])
    } else if header.contains("Policy") {
        Role::Choice(&["Full Access", "Limited Access"])
    } else if header.contains("Area") {
        Role::Choice(&["Exchange", "Teams", "SharePoint"])
    } else {
        Role::Choice(&["Other"])
    }
}

/// How many rows a report has, and what each row describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// One row per day of the period, newest first (reports with a `Report Date`).
    Daily,
    /// One row per activation product.
    PerProduct,
    /// One row for the whole tenant (counts with nothing that names a user, group or product).
    Single,
    /// One row per user, group, site or app: as many as the emulator is asked for.
    PerEntity,
}

/// The shape of `meta`'s rows, read from its roles.
pub(crate) fn shape(roles: &[Role]) -> Shape {
    let names_something = roles.iter().any(|role| {
        matches!(
            role,
            Role::PrincipalName
                | Role::PersonName
                | Role::GroupName
                | Role::Identifier
                | Role::Url
                | Role::Timestamp
        )
    });
    if roles.contains(&Role::ReportDate) {
        Shape::Daily
    } else if names_something {
        Shape::PerEntity
    } else if roles.contains(&Role::ProductType) {
        Shape::PerProduct
    } else {
        Shape::Single
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_column_has_a_role_and_licence_columns_pair_up() {
        for meta in reports_sdk::catalog() {
            let roles = roles(meta);
            assert!(!roles.contains(&Role::Other), "{}: {roles:?}", meta.id);
            for role in &roles {
                if let Role::HasLicence(service) = role {
                    let dated = Role::AssignDate(service.clone());
                    assert!(roles.contains(&dated), "{}: {service}", meta.id);
                }
            }
            let daily = shape(&roles) == Shape::Daily;
            assert_eq!(daily, meta.column("Report Date").is_some(), "{}", meta.id);
        }
    }

    #[test]
    fn smaller_counts_are_bounded_by_the_counts_their_headers_name() {
        let bound_of = |header: &str| {
            let meta = reports_sdk::catalog()
                .iter()
                .find(|meta| meta.column(header).is_some())
                .copied();
            let meta = meta.unwrap_or_else(|| panic!("no report has {header:?}"));
            let index = meta.columns.iter().position(|c| c.header == header);
            let roles = roles(meta);
            match index.and_then(|index| roles.get(index)) {
                Some(Role::BoundedCount(bound)) => Some(meta.columns[*bound].header),
                _ => None,
            }
        };
        assert_eq!(bound_of("Activated"), Some("Assigned"));
        assert_eq!(bound_of("Shared Computer Activation"), Some("Activated"));
        assert_eq!(bound_of("Word Active Users"), Some("Word Enabled Users"));
        assert_eq!(bound_of("Active Public Teams"), Some("Public Teams"));
        assert_eq!(bound_of("Active"), Some("Total"));
        assert_eq!(bound_of("External Member Count"), Some("Member Count"));
        assert_eq!(bound_of("Assigned"), None);
    }
}
