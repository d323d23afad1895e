//! The catalog's data types: services, companies and the category vocabulary.

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
    /// Host suffixes, lowercase punycode without scheme, port or path; `google-analytics.com` also
    /// matches `region1.google-analytics.com`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<String>,
    /// Cookie name patterns: exact, or a prefix ending in `*` (`_ga_*`). Case-sensitive, as browsers are.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cookies: Vec<String>,
    /// Inline script substrings (case-sensitive), e.g. `fbq('init'`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signatures: Vec<String>,
    /// URL path markers, e.g. `/matomo.js`, `/wp-content/plugins/borlabs-cookie/`: on a first-party
    /// host they mark a self-hosted tool; on a shared host they pick among the services sharing it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    /// URL rules on hosts it shares with a sibling service: a host suffix and a path prefix
    /// (`facebook.com/tr` is the Meta Pixel's endpoint, `facebook.com/plugins` the social plugins').
    /// They decide which service a request to a shared host (and the cookies its response set)
    /// belongs to, before signatures are tried.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    /// Names a policy may use for it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Product family.
    #[serde(default)]
    pub family: Option<String>,
    /// Hosts may be shared with other services (both must say so), e.g. `www.google.com` serves
    /// reCAPTCHA and Ads; a lookup then returns the first by id unless a path marker decides.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub shared_hosts: bool,
    /// Where the facts come from ("vendor docs: cdn.example.com serves the tag"); required in the
    /// built-in files so every claim can be re-checked, optional in user files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
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
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Names the entity had before a rename or acquisition ("AppNexus", "Rocket Fuel"): a policy
    /// written years ago still names it that way, so they match like aliases.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub formerly: Vec<String>,
    /// Where the facts come from (imprint, privacy policy, press release); required in the built-in
    /// files, optional in user files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// One category of the fixed vocabulary (`data/catalog/categories.toml`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct Category {
    /// Id used in service entries, kebab-case.
    pub id: String,
    /// What services in this category do, for `catalog list` and reports.
    pub description: String,
}

#[derive(serde::Deserialize)]
struct CategoryFile {
    category: Vec<Category>,
}

/// The category vocabulary, embedded at compile time so that a binary and its catalog never disagree.
pub const CATEGORIES_TOML: &str = include_str!("../../data/catalog/categories.toml");

/// The fixed category vocabulary, in file order.
///
/// Panics only if the embedded `categories.toml` is malformed, which the test suite rules out.
pub fn categories() -> &'static [Category] {
    static CATS: std::sync::OnceLock<Vec<Category>> = std::sync::OnceLock::new();
    CATS.get_or_init(|| {
        toml::from_str::<CategoryFile>(CATEGORIES_TOML)
            .map(|f| f.category)
            .expect("data/catalog/categories.toml is valid (checked by tests)")
    })
}

/// Whether `id` is in the category vocabulary.
pub fn is_category(id: &str) -> bool {
    categories().iter().any(|c| c.id == id)
}
