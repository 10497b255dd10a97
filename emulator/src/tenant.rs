//! The made-up tenant the realistic data describes: its domain, its people, groups and licence
//! products. Row `n` of every per-user report is the same person, so reports agree with each
//! other the way a real tenant's do.

use crate::random::fact;

/// The tenant's initial domain, where every user principal name lives.
pub const DOMAIN: &str = "contoso.onmicrosoft.com";

/// The tenant's display name, as reports that name tenants show it.
pub const TENANT_NAME: &str = "Contoso";

/// Display names and the mail aliases their owners were given: Entra ID user principal names
/// are written in ASCII, so accented and CJK names have a transliterated alias, as admins
/// create them.
const PEOPLE: &[(&str, &str)] = &[
    ("Adele Vance", "adele.vance"),
    ("Zoë Lindqvist", "zoe.lindqvist"),
    ("José Álvarez", "jose.alvarez"),
    ("李雷", "lei.li"),
    ("Åsa Ålborg", "asa.alborg"),
    ("Megan Bowen", "megan.bowen"),
    ("François Dupont", "francois.dupont"),
    ("Łukasz Nowak", "lukasz.nowak"),
    ("Nestor Wilke", "nestor.wilke"),
    ("Ayşe Yılmaz", "ayse.yilmaz"),
    ("Diego Siciliani", "diego.siciliani"),
    ("王芳", "fang.wang"),
    ("Björn Sørensen", "bjorn.sorensen"),
    ("Lidia Holloway", "lidia.holloway"),
    ("Ngozi Okafor", "ngozi.okafor"),
    ("Patti Fernandez", "patti.fernandez"),
    ("Søren Ødegård", "soren.odegard"),
    ("Pradeep Gupta", "pradeep.gupta"),
    ("Miriam Graham", "miriam.graham"),
    ("Chloé Müller", "chloe.muller"),
];

/// Licence products as the admin center and the reports name them; several hold ` + `, which
/// a list cell joined with a bare `+` must keep inside one item.
pub const PRODUCTS: &[&str] = &[
    "MICROSOFT 365 E3",
    "OFFICE 365 E5",
    "ENTERPRISE MOBILITY + SECURITY E5",
    "MICROSOFT 365 E5",
    "OFFICE 365 E3",
    "MICROSOFT 365 BUSINESS PREMIUM",
    "VISIO PLAN 2",
    "PROJECT PLAN 3",
    "POWER BI PRO",
    "MICROSOFT 365 COPILOT",
    "EXCHANGE ONLINE (PLAN 1)",
    "MICROSOFT DEFENDER FOR ENDPOINT P2 + INTUNE",
];

/// Products as the activation reports name them: the installable apps.
pub const ACTIVATION_PRODUCTS: &[&str] = &[
    "MICROSOFT 365 APPS FOR ENTERPRISE",
    "MICROSOFT 365 APPS FOR BUSINESS",
    "PROJECT CLIENT",
    "VISIO CLIENT",
];

/// Group, team and site names.
const GROUPS: &[&str] = &[
    "Mark 8 Project Team",
    "Sales and Marketing",
    "Retail",
    "Digital Initiative Public Relations",
    "Équipe Île-de-France",
    "U.S. Sales",
    "Contoso Life",
    "Product Support",
    "Leadership",
    "研发中心",
];

/// One person of the tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// As the directory shows it, in any script.
    pub display_name: String,
    /// `alias@contoso.onmicrosoft.com`, ASCII.
    pub principal_name: String,
}

/// The tenant's `index`th user (0-based). Past the named people, names repeat with a number, as
/// large tenants hold several people of one name.
pub fn user(index: usize) -> User {
    let (name, alias) = PEOPLE[index % PEOPLE.len()];
    let round = index / PEOPLE.len();
    if round == 0 {
        User {
            display_name: name.to_owned(),
            principal_name: format!("{alias}@{DOMAIN}"),
        }
    } else {
        User {
            display_name: format!("{name} {}", round + 1),
            principal_name: format!("{alias}{}@{DOMAIN}", round + 1),
        }
    }
}

/// The `index`th group or team.
pub fn group(index: usize) -> String {
    let name = GROUPS[index % GROUPS.len()];
    match index / GROUPS.len() {
        0 => name.to_owned(),
        round => format!("{name} {}", round + 1),
    }
}

/// The SharePoint address of the `index`th group's site.
pub fn site_url(index: usize) -> String {
    let slug: String = group(index)
        .chars()
        .map(unaccent)
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let slug = if slug.is_empty() {
        format!("site{index}")
    } else {
        slug
    };
    let domain = DOMAIN.trim_end_matches(".onmicrosoft.com");
    format!("https://{domain}.sharepoint.com/sites/{slug}")
}

/// The letter without its accent, for the accented letters of [`GROUPS`]: site addresses are
/// ASCII.
fn unaccent(letter: char) -> char {
    match letter {
        'É' | 'È' => 'E',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'Î' => 'I',
        'î' | 'ï' => 'i',
        other => other,
    }
}

/// A GUID-shaped id, stable for `(kind, index)`.
pub fn guid(kind: &str, index: usize) -> String {
    let mut random = fact(&["guid", kind], index);
    let high = random.next();
    let low = random.next();
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xffff,
        high & 0x0fff,
        0x8000 | (low >> 48 & 0x3fff),
        low & 0xffff_ffff_ffff
    )
}

/// The licence products assigned to the `index`th user: one to three, in catalogue order.
pub fn assigned_products(index: usize) -> Vec<String> {
    let mut random = fact(&["products"], index);
    let count = 1 + random.below(3) as usize;
    let first = random.below(PRODUCTS.len() as u64) as usize;
    let step = 1 + random.below(PRODUCTS.len() as u64 - 1) as usize;
    let mut chosen: Vec<usize> = (0..count)
        .map(|offset| (first + offset * step) % PRODUCTS.len())
        .collect();
    chosen.sort_unstable();
    chosen.dedup();
    chosen
        .into_iter()
        .map(|product| PRODUCTS[product].to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_are_stable_distinct_and_at_the_tenant_domain() {
        let count = PEOPLE.len() * 3;
        let users: Vec<User> = (0..count).map(user).collect();
        assert_eq!(users, (0..count).map(user).collect::<Vec<_>>());
        let mut names: Vec<&str> = users.iter().map(|u| u.principal_name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "every user principal name is unique");
        for user in &users {
            let (alias, domain) = user.principal_name.split_once('@').unwrap_or_default();
            assert_eq!(domain, DOMAIN, "{user:?}");
            assert!(!alias.is_empty() && alias.is_ascii(), "{user:?}");
            assert!(!user.display_name.chars().any(char::is_control), "{user:?}");
        }
        assert!(users.iter().any(|u| !u.display_name.is_ascii()));
        assert!(users.iter().any(|u| u.display_name == "李雷"));
    }

    #[test]
    fn products_hold_a_spaced_plus_and_users_get_one_to_three() {
        assert!(PRODUCTS.iter().any(|p| p.contains(" + ")));
        for index in 0..100 {
            let products = assigned_products(index);
            assert!((1..=3).contains(&products.len()), "{products:?}");
        }
    }

    #[test]
    fn ids_are_guid_shaped_and_stable() {
        let id = guid("user", 3);
        assert_eq!(id, guid("user", 3));
        assert_ne!(id, guid("user", 4));
        let lengths: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(lengths, [8, 4, 4, 4, 12], "{id}");
        assert!(site_url(9).starts_with("https://contoso.sharepoint.com/sites/"));
        assert!(
            site_url(4).ends_with("/sites/EquipeIledeFrance"),
            "{}",
            site_url(4)
        );
    }
}
