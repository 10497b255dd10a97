//! Data that reads like a real tenant's, the default: the tenant's users and groups
//! ([`crate::tenant`]), licence flags that agree with assign dates, deletion flags with deleted
//! dates, last activity inside the period and after the licence was assigned, smaller counts
//! under the counts that bound them, and as many rows as Graph serves (one per day for per-day
//! reports). Every rule is keyed on a column's meaning ([`crate::roles`]), never on a report.

use chrono::{NaiveDate, NaiveTime, TimeDelta};
use reports_sdk::ReportMeta;

use crate::data::Cell;
use crate::random::{Fnv, SplitMix, fact};
use crate::roles::{Role, Shape, roles, shape};
use crate::tenant::{self, ACTIVATION_PRODUCTS};
use crate::window::Window;

/// Every `DELETED_EVERY`th user or group (from the fifth) has been deleted.
const DELETED_EVERY: usize = 7;

/// Items of list columns other than products: the client versions email apps report.
const CLIENT_VERSIONS: &[&str] = &["Outlook 2016", "Outlook 2019", "Microsoft 365 Apps"];

/// The rows of one call, one cell per column of `meta` in its order. `entities` is how many
/// users, groups or sites a per-entity report lists; `salt` tells tenants apart (`None`: the
/// configured tenant).
pub(crate) fn rows(
    meta: &ReportMeta,
    arguments: &[(String, String)],
    entities: usize,
    window: &Window,
    salt: Option<&str>,
) -> Vec<Vec<Cell>> {
    let roles = roles(meta);
    // The data does not depend on the API version: v1.0 and beta serve the same tenant.
    let mut seed = Fnv::default();
    // Nothing is written for the configured tenant, so its data predates and survives tenants.
    if let Some(salt) = salt {
        seed.write(salt);
    }
    seed.write(meta.id);
    for (name, value) in arguments {
        seed.write(name);
        seed.write(value);
    }
    let mut random = SplitMix(seed.0);
    let shape = shape(&roles);
    let count = match shape {
        Shape::Daily => window.days() as usize,
        Shape::PerProduct => ACTIVATION_PRODUCTS.len(),
        Shape::Single => 1,
        Shape::PerEntity => entities,
    };
    (0..count)
        .map(|index| {
            let row = Row {
                meta,
                roles: &roles,
                arguments,
                window,
                index,
                subject: Subject::new(index, window.refresh_date),
                count_scale: count_scale(meta, shape, &roles, entities),
            };
            row.cells(&mut random)
        })
        .collect()
}

/// The largest count a row of `meta` holds, so counts agree with the tenant's size: a tenant's
/// user counts are at most its users, its activity counts a few dozen per user; one user's
/// activity counts a few dozen, and the devices one user activated a product on at most five,
/// the most Microsoft allows.
fn count_scale(meta: &ReportMeta, shape: Shape, roles: &[Role], entities: usize) -> u64 {
    let entities = entities.max(1) as u64;
    let counts_users = meta.function.contains("UserCount")
        || meta.function.contains("ActivationCounts")
        || meta.function.contains("Distribution");
    match shape {
        Shape::PerEntity if roles.contains(&Role::ProductType) => 5,
        Shape::PerEntity => 60,
        _ if counts_users => entities,
        _ => entities * 40,
    }
}

/// The stable facts of the user (or group) a row describes: the same in every report.
struct Subject {
    index: usize,
    deleted: Option<NaiveDate>,
    created: NaiveDate,
}

impl Subject {
    fn new(index: usize, refresh_date: NaiveDate) -> Subject {
        let deleted = (index % DELETED_EVERY == 4).then(|| {
            let days_ago = fact(&["deleted"], index).below(20) as i64;
            refresh_date - TimeDelta::days(days_ago)
        });
        let created_days_ago = 200 + fact(&["created"], index).below(1500) as i64;
        Subject {
            index,
            deleted,
            created: refresh_date - TimeDelta::days(created_days_ago),
        }
    }

    /// When the user got `service`'s licence, if they hold it: after the account was created,
    /// never for a deleted user.
    fn licence(&self, service: &str, refresh_date: NaiveDate) -> Option<NaiveDate> {
        let mut facts = fact(&["licence", service], self.index);
        if self.deleted.is_some() || !facts.chance(85) {
            return None;
        }
        let age = (refresh_date - self.created).num_days().max(1) as u64;
        Some(refresh_date - TimeDelta::days(facts.below(age) as i64))
    }
}

struct Row<'a> {
    meta: &'a ReportMeta,
    roles: &'a [Role],
    arguments: &'a [(String, String)],
    window: &'a Window,
    index: usize,
    subject: Subject,
    /// Counts at the top of a row's bound chains stay under this.
    count_scale: u64,
}

impl Row<'_> {
    fn cells(&self, random: &mut SplitMix) -> Vec<Cell> {
        let mut cells: Vec<Option<Cell>> = vec![None; self.roles.len()];
        for column in 0..self.roles.len() {
            self.fill(column, &mut cells, random, 0);
        }
        // The overall last activity is the latest of the per-service ones, where a report has
        // both (Copilot: `Last Activity Date` and `Word Copilot Last Activity Date`, ...).
        let services: Vec<usize> = (0..self.roles.len())
            .filter(|i| matches!(&self.roles[*i], Role::LastActivity(s) if !s.is_empty()))
            .collect();
        if !services.is_empty() {
            let latest = services
                .iter()
                .filter_map(|i| match &cells[*i] {
                    Some(Cell::Date(date)) => Some(*date),
                    _ => None,
                })
                .max();
            for (column, role) in self.roles.iter().enumerate() {
                if matches!(role, Role::LastActivity(s) if s.is_empty()) {
                    cells[column] = Some(latest.map_or(Cell::Empty, Cell::Date));
                }
            }
        }
        cells
            .into_iter()
            .map(|cell| cell.unwrap_or(Cell::Empty))
            .collect()
    }

    /// Generates column `column` (and first any column it depends on) into `cells`.
    fn fill(
        &self,
        column: usize,
        cells: &mut Vec<Option<Cell>>,
        random: &mut SplitMix,
        depth: usize,
    ) {
        if cells[column].is_some() {
            return;
        }
        let cell = match &self.roles[column] {
            // Bounds chain at most a few deep (`Shared Computer Activation` <= `Activated` <=
            // `Assigned`); the depth check only guards against a cycle.
            Role::BoundedCount(bound) if depth < 8 => {
                self.fill(*bound, cells, random, depth + 1);
                match cells[*bound] {
                    Some(Cell::Integer(most)) => {
                        Cell::Integer(most * random.below(101) as i64 / 100)
                    }
                    _ => Cell::Integer(random.below(self.count_scale + 1) as i64),
                }
            }
            role => self.cell(column, role, random),
        };
        cells[column] = Some(cell);
    }

    fn cell(&self, column: usize, role: &Role, random: &mut SplitMix) -> Cell {
        let window = self.window;
        let refresh_date = window.refresh_date;
        let meta_column = &self.meta.columns[column];
        // Optional columns with no rule of their own are sometimes blank, as in tenants' files.
        let plain = matches!(
            role,
            Role::Count | Role::Flag | Role::Choice(_) | Role::Identifier | Role::Time
        );
        if meta_column.optional && plain && random.chance(15) {
            return Cell::Empty;
        }
        match role {
            Role::RefreshDate => Cell::Date(refresh_date),
            Role::ReportPeriod => Cell::Integer(window.days()),
            Role::ReportDate => Cell::Date(window.last_day - TimeDelta::days(self.index as i64)),
            Role::PrincipalName => Cell::Text(self.person(meta_column.header).principal_name),
            Role::PersonName => Cell::Text(self.person(meta_column.header).display_name),
            Role::GroupName => Cell::Text(tenant::group(self.index)),
            Role::TenantName => Cell::Text(tenant::TENANT_NAME.to_owned()),
            Role::Identifier => Cell::Text(self.identifier(meta_column.header)),
            Role::Url => Cell::Text(tenant::site_url(self.index)),
            Role::ProductType => {
                let product = if self.roles.contains(&Role::PrincipalName) {
                    fact(&["activation"], self.index).below(ACTIVATION_PRODUCTS.len() as u64)
                        as usize
                } else {
                    self.index % ACTIVATION_PRODUCTS.len()
                };
                Cell::Text(ACTIVATION_PRODUCTS[product].to_owned())
            }
            Role::UserState => Cell::Text(
                if self.subject.deleted.is_some() {
                    "Deleted"
                } else {
                    "Active"
                }
                .to_owned(),
            ),
            Role::Choice(choices) => {
                // A column named after a parameter holds the value the call asked for.
                let asked = self
                    .arguments
                    .iter()
                    .find(|(name, _)| name == meta_column.json)
                    .map(|(_, value)| value.clone());
                Cell::Text(asked.unwrap_or_else(|| {
                    choices[random.below(choices.len() as u64) as usize].to_owned()
                }))
            }
            Role::Products => {
                let products = if self.subject.deleted.is_some() {
                    Vec::new()
                } else {
                    tenant::assigned_products(self.index)
                };
                Cell::List(products, list_separator(meta_column))
            }
            Role::ListItems => {
                let count = random.below(3) as usize;
                let first = random.below(CLIENT_VERSIONS.len() as u64) as usize;
                let items = (0..count)
                    .map(|offset| CLIENT_VERSIONS[(first + offset) % CLIENT_VERSIONS.len()])
                    .map(str::to_owned)
                    .collect();
                Cell::List(items, list_separator(meta_column))
            }
            Role::IsDeleted => Cell::Boolean(self.subject.deleted.is_some()),
            Role::DeletedDate => self.subject.deleted.map_or(Cell::Empty, Cell::Date),
            Role::HasLicence(service) => {
                Cell::Boolean(self.subject.licence(service, refresh_date).is_some())
            }
            Role::AssignDate(service) => self
                .subject
                .licence(service, refresh_date)
                .map_or(Cell::Empty, Cell::Date),
            Role::LastActivity(service) => self.last_activity(service, random),
            Role::PastDate => Cell::Date(self.subject.created),
            Role::RecentDate => Cell::Date(refresh_date - TimeDelta::days(random.below(90) as i64)),
            Role::Timestamp => {
                let seconds = random.below(window.days() as u64 * 86_400) as i64;
                Cell::DateTime(
                    window.first_day.and_time(NaiveTime::MIN) + TimeDelta::seconds(seconds),
                )
            }
            Role::Quota(bytes) => Cell::Integer(*bytes),
            // Under the smallest quota, so a mailbox's use stays under its warning quota.
            Role::Bytes => Cell::Integer(random.below(30_000_000_000) as i64),
            Role::Time => Cell::Integer(random.below(2_000) as i64),
            Role::BoundedCount(_) | Role::Count => {
                Cell::Integer(random.below(self.count_scale + 1) as i64)
            }
            Role::Flag => Cell::Boolean(random.chance(50)),
            Role::Duration => Cell::Duration(random.below(20_000)),
            Role::Other => Cell::Empty,
        }
    }

    /// The user a name column names: the row's user, or for `Owner ...` columns the owner.
    fn person(&self, header: &str) -> tenant::User {
        if header.starts_with("Owner") {
            tenant::user((self.index * 3 + 1) % 20)
        } else {
            tenant::user(self.index)
        }
    }

    fn identifier(&self, header: &str) -> String {
        if header.contains("Tenant") {
            tenant::guid("tenant", 0)
        } else if header.starts_with("User") {
            tenant::guid("user", self.index)
        } else {
            tenant::guid(header, self.index)
        }
    }

    /// A day in the window, on or after the licence was assigned (for a service whose licence
    /// the report shows), on or before the user was deleted; empty for a user who did not use
    /// it in the period.
    fn last_activity(&self, service: &str, random: &mut SplitMix) -> Cell {
        let window = self.window;
        let mut earliest = window.first_day;
        let licensed = self
            .roles
            .iter()
            .any(|role| matches!(role, Role::HasLicence(s) | Role::AssignDate(s) if s == service));
        if licensed {
            match self.subject.licence(service, window.refresh_date) {
                Some(assigned) => earliest = earliest.max(assigned),
                None => return Cell::Empty,
            }
        }
        let mut latest = window.last_day;
        if let Some(deleted) = self.subject.deleted {
            latest = latest.min(deleted);
        }
        let active = random.chance(80);
        if !active || earliest > latest {
            return Cell::Empty;
        }
        let span = (latest - earliest).num_days() as u64 + 1;
        Cell::Date(earliest + TimeDelta::days(random.below(span) as i64))
    }
}

fn list_separator(column: &reports_sdk::ColumnMeta) -> char {
    match column.ty {
        reports_sdk::ColumnType::List { separator } => separator,
        _ => '+',
    }
}
