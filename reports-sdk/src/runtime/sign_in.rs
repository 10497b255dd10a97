//! How a client signs in, as configured outside the program: the Azure SDK's environment
//! variables (`AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET`, `AZURE_AUTHORITY_HOST`)
//! or a ready token (`GRAPH_TOKEN`).

use super::auth::Secret;
use super::error::{Error, ErrorKind};

/// The environment variable holding a ready bearer token.
pub const GRAPH_TOKEN: &str = "GRAPH_TOKEN";
/// The Azure SDK's variables for an app registration with a client secret.
pub const AZURE_TENANT_ID: &str = "AZURE_TENANT_ID";
/// The app registration's Application (client) ID.
pub const AZURE_CLIENT_ID: &str = "AZURE_CLIENT_ID";
/// The client secret's value.
pub const AZURE_CLIENT_SECRET: &str = "AZURE_CLIENT_SECRET";
/// Another Entra ID authority than the cloud's (optional).
pub const AZURE_AUTHORITY_HOST: &str = "AZURE_AUTHORITY_HOST";

/// Variables that mean a credential this SDK signs in with only through `azure_identity`.
const AZURE_IDENTITY_ONLY: &[&str] = &[
    "AZURE_CLIENT_CERTIFICATE_PATH",
    "AZURE_FEDERATED_TOKEN_FILE",
];

/// How a [`Client`](crate::Client) signs in.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// A ready bearer token, used as it is.
    Token(Secret),
    /// An app registration signing in with a client secret (the client-credentials grant),
    /// refreshed as needed; see [`ClientSecretCredential`](crate::ClientSecretCredential).
    ClientSecret {
        /// The directory: its GUID or a verified domain.
        tenant_id: String,
        /// The app registration's Application (client) ID.
        client_id: String,
        /// The secret's value.
        client_secret: Secret,
        /// Another Entra ID authority than the client's cloud's.
        authority_host: Option<String>,
    },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Token(token) => f.debug_tuple("Token").field(token).finish(),
            Credentials::ClientSecret {
                tenant_id,
                client_id,
                client_secret,
                authority_host,
            } => f
                .debug_struct("ClientSecret")
                .field("tenant_id", tenant_id)
                .field("client_id", client_id)
                .field("client_secret", client_secret)
                .field("authority_host", authority_host)
                .finish(),
        }
    }
}

impl Credentials {
    /// An app registration with a client secret, signing in at the client's cloud.
    pub fn client_secret(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> Credentials {
        Credentials::ClientSecret {
            tenant_id: tenant_id.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            authority_host: None,
        }
    }

    /// Reads the process environment: `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and
    /// `AZURE_CLIENT_SECRET` (with `AZURE_AUTHORITY_HOST` if set) sign in as an app; else
    /// `GRAPH_TOKEN` is a ready token. A partial set of the three, or both kinds at once, is
    /// an error naming the variables; none at all is an error saying what to set.
    pub fn from_env() -> Result<Credentials, Error> {
        Self::from_vars(|name| std::env::var(name).ok())?.ok_or_else(|| {
            Error::new(
                ErrorKind::Configuration,
                format!(
                    "no credentials in the environment: set {AZURE_TENANT_ID}, {AZURE_CLIENT_ID} and {AZURE_CLIENT_SECRET} to sign in as an app, or {GRAPH_TOKEN} to a ready access token"
                ),
            )
        })
    }

    /// [`from_env`](Self::from_env) over any source of variables (a test's map, a secrets
    /// store); `Ok(None)` when none of the variables is set. Empty values count as unset.
    pub fn from_vars(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Credentials>, Error> {
        let var = |name: &str| {
            lookup(name)
                .map(|value| value.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let app =
            [AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET].map(|name| (name, var(name)));
        let token = var(GRAPH_TOKEN);
        let set: Vec<&str> = app
            .iter()
            .filter(|(_, value)| value.is_some())
            .map(|(name, _)| *name)
            .collect();
        let missing: Vec<&str> = app
            .iter()
            .filter(|(_, value)| value.is_none())
            .map(|(name, _)| *name)
            .collect();
        let configuration = |message: String| Err(Error::new(ErrorKind::Configuration, message));
        match (app, token) {
            (
                [
                    (_, Some(tenant_id)),
                    (_, Some(client_id)),
                    (_, Some(client_secret)),
                ],
                None,
            ) => Ok(Some(Credentials::ClientSecret {
                tenant_id,
                client_id,
                client_secret: Secret::new(client_secret),
                authority_host: var(AZURE_AUTHORITY_HOST),
            })),
            (_, Some(_)) if !set.is_empty() => configuration(format!(
                "both {GRAPH_TOKEN} and {} are set: unset one, so it is clear which identity reads the reports",
                set.join(", ")
            )),
            (_, Some(token)) => Ok(Some(Credentials::Token(Secret::new(token)))),
            _ if set.is_empty() => Ok(None),
            _ => {
                let other = AZURE_IDENTITY_ONLY.iter().find(|name| var(name).is_some());
                let hint = match other {
                    Some(name) => format!(
                        "; {name} is set: certificates and workload identity sign in through the SDK's `azure-identity` feature"
                    ),
                    None => String::new(),
                };
                configuration(format!(
                    "{} {} set but {} {} not: an app signs in with all three of {AZURE_TENANT_ID}, {AZURE_CLIENT_ID} and {AZURE_CLIENT_SECRET}{hint}",
                    set.join(" and "),
                    if set.len() == 1 { "is" } else { "are" },
                    missing.join(" and "),
                    if missing.len() == 1 { "is" } else { "are" },
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn read(vars: &[(&str, &str)]) -> Result<Option<Credentials>, Error> {
        let vars: BTreeMap<String, String> = vars
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        Credentials::from_vars(|name| vars.get(name).cloned())
    }

    const APP: [(&str, &str); 3] = [
        (AZURE_TENANT_ID, "contoso.onmicrosoft.com"),
        (AZURE_CLIENT_ID, "app-id"),
        (AZURE_CLIENT_SECRET, "the-secret"),
    ];

    #[test]
    fn all_three_azure_variables_sign_in_as_an_app() {
        let mut vars = APP.to_vec();
        assert_eq!(
            read(&vars).unwrap_or_else(|err| panic!("{err}")),
            Some(Credentials::client_secret(
                "contoso.onmicrosoft.com",
                "app-id",
                "the-secret"
            ))
        );
        vars.push((AZURE_AUTHORITY_HOST, "https://login.example"));
        let Some(Credentials::ClientSecret { authority_host, .. }) =
            read(&vars).unwrap_or_else(|err| panic!("{err}"))
        else {
            panic!("not an app sign-in");
        };
        assert_eq!(authority_host.as_deref(), Some("https://login.example"));
    }

    #[test]
    fn a_token_alone_is_used_as_it_is_and_nothing_is_none() {
        assert_eq!(
            read(&[(GRAPH_TOKEN, " eyJ0 \n")]).unwrap_or_else(|err| panic!("{err}")),
            Some(Credentials::Token(Secret::new("eyJ0")))
        );
        assert_eq!(read(&[]).unwrap_or_else(|err| panic!("{err}")), None);
        assert_eq!(
            read(&[(GRAPH_TOKEN, ""), (AZURE_AUTHORITY_HOST, "https://x")])
                .unwrap_or_else(|err| panic!("{err}")),
            None
        );
    }

    #[test]
    fn each_missing_variable_is_named() {
        for (name, _) in APP {
            let vars: Vec<(&str, &str)> = APP.into_iter().filter(|(set, _)| *set != name).collect();
            let error = read(&vars).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Configuration);
            let text = error.to_string();
            assert!(text.contains(&format!("but {name} is not")), "{text}");
            assert!(!text.contains("the-secret"), "{text}");
        }
        let error = read(&[(AZURE_TENANT_ID, "t")]).unwrap_err().to_string();
        assert!(
            error.contains("AZURE_CLIENT_ID and AZURE_CLIENT_SECRET are not"),
            "{error}"
        );
        let error = read(&[
            (AZURE_TENANT_ID, "t"),
            (AZURE_CLIENT_ID, "c"),
            ("AZURE_FEDERATED_TOKEN_FILE", "/f"),
        ])
        .unwrap_err()
        .to_string();
        assert!(error.contains("`azure-identity` feature"), "{error}");
    }

    #[test]
    fn a_token_beside_app_variables_is_ambiguous() {
        let mut vars = APP.to_vec();
        vars.push((GRAPH_TOKEN, "eyJ0"));
        let error = read(&vars).unwrap_err().to_string();
        assert!(
            error.contains("both GRAPH_TOKEN and AZURE_TENANT_ID"),
            "{error}"
        );
        assert!(
            !error.contains("eyJ0") && !error.contains("the-secret"),
            "{error}"
        );
    }

    #[test]
    fn the_secret_and_token_never_show_in_debug() {
        let text = format!(
            "{:?} {:?}",
            Credentials::client_secret("t", "c", "the-secret"),
            Credentials::Token(Secret::new("eyJ0"))
        );
        assert!(
            !text.contains("the-secret") && !text.contains("eyJ0"),
            "{text}"
        );
    }
}
