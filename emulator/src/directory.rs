//! The tenants the emulator serves: the configured one first, then [`Config::more_tenants`] in
//! order, each with its app registration, its throttling and its own counters. All share the
//! emulator's three listeners, so a tenant costs one entry here and nothing else.

use std::collections::HashMap;

use crate::config::{Config, TenantApp};
use crate::counters::Counters;

/// A tenant's place in the [`Directory`]: 0 is the configured tenant.
pub(crate) type TenantIndex = usize;

#[derive(Debug)]
pub(crate) struct Directory {
    tenants: Vec<Tenant>,
    /// Tenant ids in ASCII lower case, as Entra ID matches them.
    by_id: HashMap<String, TenantIndex>,
}

#[derive(Debug)]
pub(crate) struct Tenant {
    pub(crate) app: TenantApp,
    /// What the tenant's data seed mixes in: nothing for the configured tenant, so that its
    /// data stays byte for byte what the emulator served before it served several tenants.
    pub(crate) salt: Option<String>,
    pub(crate) counters: Counters,
}

impl Directory {
    /// The configured tenant, then `config.more_tenants`; an error names a tenant id given
    /// twice, since calls for it could not tell the two apart.
    pub(crate) fn new(config: &Config) -> Result<Directory, String> {
        let apps = config.tenant_apps();
        let mut tenants = Vec::with_capacity(apps.len());
        let mut by_id = HashMap::with_capacity(apps.len());
        for (index, app) in apps.into_iter().enumerate() {
            if by_id
                .insert(app.tenant_id.to_ascii_lowercase(), index)
                .is_some()
            {
                return Err(format!("tenant '{}' is configured twice", app.tenant_id));
            }
            let salt = (index > 0).then(|| app.tenant_id.clone());
            tenants.push(Tenant {
                app,
                salt,
                counters: Counters::default(),
            });
        }
        Ok(Directory { tenants, by_id })
    }

    /// The tenant with this id, ignoring ASCII case.
    pub(crate) fn find(&self, tenant_id: &str) -> Option<TenantIndex> {
        self.by_id.get(&tenant_id.to_ascii_lowercase()).copied()
    }

    pub(crate) fn get(&self, index: TenantIndex) -> Option<&Tenant> {
        self.tenants.get(index)
    }

    /// Every tenant, the configured one first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Tenant> {
        self.tenants.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenants_are_found_by_id_in_any_case_and_only_the_first_keeps_its_data() {
        let config = Config {
            more_tenants: vec![TenantApp::numbered(1), TenantApp::numbered(2)],
            ..Config::default()
        };
        let directory = Directory::new(&config).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(
            directory.find(&config.tenant_id.to_ascii_uppercase()),
            Some(0)
        );
        assert_eq!(directory.find(&TenantApp::numbered(2).tenant_id), Some(2));
        assert_eq!(directory.find("someone-else"), None);
        let salts: Vec<Option<&str>> = directory.iter().map(|t| t.salt.as_deref()).collect();
        assert_eq!(
            salts,
            [
                None,
                Some(TenantApp::numbered(1).tenant_id.as_str()),
                Some(TenantApp::numbered(2).tenant_id.as_str())
            ]
        );
    }

    #[test]
    fn a_tenant_configured_twice_is_refused() {
        let mut again = TenantApp::numbered(1);
        again.tenant_id = Config::default().tenant_id.to_ascii_uppercase();
        let config = Config {
            more_tenants: vec![again],
            ..Config::default()
        };
        let error = Directory::new(&config).err().unwrap_or_default();
        assert!(error.contains("configured twice"), "{error}");
    }
}
