//! The service catalog: which company runs which host, cookie and script, as data files under
//! `data/catalog/` embedded at compile time, extended by `--catalog FILE`.
//!
//! Data format (TOML), one file per group of services:
//! ```toml
//! [[company]]
//! id = "google"                      # referenced by services
//! name = "Google Ireland Limited"    # the legal entity a policy would name
//! parent = "Alphabet Inc."
//! country = "IE"
//! aliases = ["Google", "Google LLC", "Alphabet"]
//!
//! [[service]]
//! id = "google-analytics"
//! name = "Google Analytics"
//! company = "google"
//! categories = ["analytics"]
//! hosts = ["google-analytics.com", "analytics.google.com"]   # host suffixes
//! cookies = ["_ga", "_ga_*", "_gid"]                          # exact or trailing-* prefix
//! signatures = ["gtag(", "ga('create'"]                        # inline script substrings
//! paths = []                                                  # first-party URL path markers
//! aliases = ["GA4", "Universal Analytics"]                    # names a policy may use (any language)
//! family = "google-marketing-platform"                        # optional product family id
//! shared_hosts = false                                        # hosts may be claimed by another service
//! ```

/// A service as the catalog describes it.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
pub struct Service {
    /// Stable id, kebab-case.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Company id.
    pub company: String,
    /// Categories from the fixed vocabulary.
    pub categories: Vec<String>,
    /// Host suffixes.
    #[serde(default)]
    pub hosts: Vec<String>,
    /// Cookie name patterns.
    #[serde(default)]
    pub cookies: Vec<String>,
    /// Inline script signatures.
    #[serde(default)]
    pub signatures: Vec<String>,
    /// First-party path markers for self-hosted tools.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Names a policy may use for it.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Product family.
    #[serde(default)]
    pub family: Option<String>,
    /// Hosts may be shared with other services.
    #[serde(default)]
    pub shared_hosts: bool,
}

/// A company (legal entity).
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
pub struct Company {
    /// Stable id.
    pub id: String,
    /// Legal name.
    pub name: String,
    /// Parent company.
    #[serde(default)]
    pub parent: Option<String>,
    /// ISO country/region code of the entity.
    #[serde(default)]
    pub country: Option<String>,
    /// Other names a policy may use.
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// What a name found in a policy points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameTarget {
    /// A service id.
    Service(String),
    /// A company id.
    Company(String),
}

/// The loaded catalog.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    services: Vec<Service>,
    companies: Vec<Company>,
}

impl Catalog {
    /// The built-in catalog merged with user files (later files override earlier entries by id).
    pub fn load(user_files: &[std::path::PathBuf]) -> Result<Catalog, String> {
        let _ = user_files;
        Ok(Catalog::default())
    }

    /// A catalog from parts (tests, user files); sorts by id.
    pub fn from_parts(mut services: Vec<Service>, mut companies: Vec<Company>) -> Catalog {
        services.sort_by(|a, b| a.id.cmp(&b.id));
        companies.sort_by(|a, b| a.id.cmp(&b.id));
        Catalog {
            services,
            companies,
        }
    }

    /// All services, sorted by id.
    pub fn services(&self) -> &[Service] {
        &self.services
    }

    /// All companies, sorted by id.
    pub fn companies(&self) -> &[Company] {
        &self.companies
    }

    /// Service by id.
    pub fn service(&self, id: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.id == id)
    }

    /// Company by id.
    pub fn company(&self, id: &str) -> Option<&Company> {
        self.companies.iter().find(|c| c.id == id)
    }

    /// Longest host-suffix match.
    pub fn lookup_host(&self, host: &str) -> Option<&Service> {
        let _ = host;
        None
    }

    /// Every (name as a policy would write it, what it names), for the policy matcher.
    pub fn policy_names(&self) -> Vec<(String, NameTarget)> {
        let mut names = Vec::new();
        for s in &self.services {
            for n in std::iter::once(&s.name).chain(&s.aliases) {
                names.push((n.clone(), NameTarget::Service(s.id.clone())));
            }
        }
        for c in &self.companies {
            for n in std::iter::once(&c.name).chain(&c.aliases) {
                names.push((n.clone(), NameTarget::Company(c.id.clone())));
            }
        }
        names
    }
}

/// Fill `service`/`company` in observations and list the services observed.
pub fn attribute(
    obs: &mut crate::observe::Observations,
    catalog: &Catalog,
) -> Vec<crate::report::model::ServiceUse> {
    let _ = (obs, catalog);
    Vec::new()
}
