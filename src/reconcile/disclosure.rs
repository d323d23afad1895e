//! Which declaration (if any) discloses an observed service or host.
//!
//! Negated declarations ("we do not use X") are dropped up front: they disclose nothing.
//! Declarations arrive in document order, so when several disclose the same thing the first
//! one in the policy is the evidence — deterministic and what a reader finds first.

use crate::catalog::Catalog;
use crate::domain::{host_within, normalize_host, registrable_domain};
use crate::model::{Declaration, EvidenceStrength, Policy, ServiceUse};
use unicode_normalization::UnicodeNormalization;

/// How a service is disclosed, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis<'a> {
    /// The service (or one of its aliases) is named.
    Service(&'a Declaration),
    /// A service of the same product family, or the family itself, is named.
    Family(&'a Declaration),
    /// One of its hostnames is named.
    Host(&'a Declaration),
    /// It was seen only through cookie names, and the policy names every one of those cookies
    /// ("our own measurement stores the cookies _ga and _gid"): what was observed is disclosed.
    Cookie(&'a Declaration),
    /// Its company is named together with a purpose word of the service's category ("Google für
    /// die Schriften" discloses Google Fonts).
    Purpose(&'a Declaration),
    /// Only its company is named (catalog company, or a provider sentence naming it).
    CompanyOnly(&'a Declaration),
}

/// The non-negated declarations of a policy, and the services it explicitly denies using.
pub struct Declared<'a> {
    decls: Vec<&'a Declaration>,
    denied: Vec<&'a Declaration>,
}

impl<'a> Declared<'a> {
    /// Keep the declarations that disclose something (not negated), in document order.
    pub fn new(policy: &'a Policy) -> Self {
        Declared {
            decls: policy.declarations.iter().filter(|d| !d.negated).collect(),
            denied: policy
                .declarations
                .iter()
                .filter(|d| d.negated && d.service.is_some())
                .collect(),
        }
    }

    /// The negated declaration of service `id` ("Wir setzen keine Analyse-Tools wie Google
    /// Analytics ein"), if the policy denies using it.
    pub fn denial(&self, id: &str) -> Option<&'a Declaration> {
        self.denied
            .iter()
            .copied()
            .find(|d| d.service.as_deref() == Some(id))
    }

    /// Every non-negated declaration.
    pub fn all(&self) -> &[&'a Declaration] {
        &self.decls
    }

    /// The strongest disclosure of `svc`, if any.
    pub fn for_service(&self, svc: &ServiceUse, catalog: &Catalog) -> Option<Basis<'a>> {
        if let Some(d) = self.find(|d| d.service.as_deref() == Some(svc.id.as_str())) {
            return Some(Basis::Service(d));
        }
        if svc.evidence_strength == Some(EvidenceStrength::CookieNameOnly)
            && !svc.cookies.is_empty()
        {
            let named = |c: &String| self.find(|d| d.matched_as == "cookie" && d.name == *c);
            if svc.cookies.iter().all(|c| named(c).is_some()) {
                return named(&svc.cookies[0]).map(Basis::Cookie);
            }
        }
        // The policy says it does not use this service: a sibling product or its company named
        // elsewhere does not disclose it (only naming it or one of its hosts does).
        let denied = self.denial(&svc.id).is_some();
        let family = catalog.service(&svc.id).and_then(|s| s.family.clone());
        if let Some(family) = family {
            let same_family = |d: &Declaration| {
                let declared_family = d
                    .service
                    .as_deref()
                    .and_then(|id| catalog.service(id))
                    .and_then(|s| s.family.as_deref());
                declared_family == Some(family.as_str()) || slug(&d.name) == family
            };
            if let Some(d) = self.find(same_family).filter(|_| !denied) {
                return Some(Basis::Family(d));
            }
        }
        let names_host = |d: &Declaration| {
            d.matched_as == "host" && svc.hosts.iter().any(|h| host_matches(h, &d.name))
        };
        if let Some(d) = self.find(names_host) {
            return Some(Basis::Host(d));
        }
        if denied {
            return None;
        }
        let company = catalog
            .service(&svc.id)
            .and_then(|s| catalog.company(&s.company));
        let mut company_names: Vec<&str> = vec![svc.company.as_str()];
        if let Some(c) = company {
            company_names.push(c.id.as_str());
            company_names.push(c.name.as_str());
            company_names.extend(c.aliases.iter().map(String::as_str));
            // An old name, or the group the company belongs to, names it too.
            company_names.extend(c.formerly.iter().map(String::as_str));
            company_names.extend(c.parent.as_deref());
        }
        let names_company = |d: &Declaration| match d.matched_as.as_str() {
            // A variant without a service is a company name written differently ("Face book").
            "company" | "variant" if d.service.is_none() => {
                let named = d.company.as_deref().unwrap_or(d.name.as_str());
                company_names.iter().any(|n| {
                    !n.is_empty() && (n.eq_ignore_ascii_case(named) || same_entity(n, named))
                })
            }
            "provider" => company_names
                .iter()
                .any(|n| !n.is_empty() && same_entity(n, &d.name)),
            _ => false,
        };
        // A company named in the section of another of its services ("Google Fonts … Anbieter ist
        // die Google Ireland Limited") is that service's provider: it does not disclose the
        // company's other products (Google Analytics) even by company.
        let provider_of_sibling = |d: &Declaration| {
            !d.section.is_empty()
                && d.company.is_some()
                && self.decls.iter().any(|o| {
                    o.section == d.section
                        && o.company == d.company
                        && o.service.as_deref().is_some_and(|id| id != svc.id)
                })
        };
        let with_purpose = |d: &Declaration| {
            names_company(d) && names_purpose(&d.excerpt, &d.name, &svc.categories)
        };
        if let Some(d) = self.find(with_purpose) {
            return Some(Basis::Purpose(d));
        }
        self.find(|d| names_company(d) && !provider_of_sibling(d))
            .map(Basis::CompanyOnly)
    }

    /// A declaration that explains an unattributed third-party host: the host (or its
    /// registrable domain) named, or a provider/company whose name matches the domain.
    pub fn for_host(&self, host: &str) -> Option<&'a Declaration> {
        if let Some(d) = self.find(|d| d.matched_as == "host" && host_matches(host, &d.name)) {
            return Some(d);
        }
        self.find(|d| {
            d.service.is_none()
                && matches!(
                    d.matched_as.as_str(),
                    "provider" | "company" | "brand" | "variant"
                )
                && name_matches_domain(&d.name, host)
        })
    }

    fn find(&self, pred: impl Fn(&Declaration) -> bool) -> Option<&'a Declaration> {
        self.decls.iter().copied().find(|d| pred(d))
    }
}

/// Words after a company name in which a purpose word still belongs to it ("Google für die
/// Schriften", "Google for web fonts"). Only after: a purpose before the name ("for measuring
/// our advertising we work with Meta Platforms …") names why the company is involved, not
/// which of its products is used, and stays `disclosed_by_company_only`.
const PURPOSE_AFTER: usize = 6;

/// `excerpt` names `name` with a purpose word of one of `categories` close by.
fn names_purpose(excerpt: &str, name: &str, categories: &[String]) -> bool {
    use crate::policy::lexicon::{folded_words, seq_positions, Lexicon};
    let purposes = &Lexicon::get().purposes;
    let words = folded_words(excerpt);
    let name = folded_words(name);
    let seqs: Vec<&Vec<String>> = categories
        .iter()
        .filter_map(|c| purposes.get(c))
        .flatten()
        .collect();
    let found = seq_positions(&words, &name).any(|at| {
        let lo = at + name.len();
        let hi = (lo + PURPOSE_AFTER).min(words.len());
        let window = &words[lo..hi];
        seqs.iter()
            .any(|seq| seq_positions(window, seq).next().is_some())
    });
    found
}

/// `observed` is the declared host, a subdomain of it, or shares its registrable domain.
fn host_matches(observed: &str, declared: &str) -> bool {
    let declared = normalize_host(declared.trim());
    if declared.is_empty() {
        return false;
    }
    let observed = normalize_host(observed);
    host_within(&observed, &declared)
        || registrable_domain(&observed) == registrable_domain(&declared)
}

/// Lowercase, diacritics removed, words joined by '-': "Google Marketing Platform" →
/// "google-marketing-platform" (how family ids are spelled).
fn slug(name: &str) -> String {
    words(name).join("-")
}

/// Legal forms and filler words that do not tell entities apart.
const LEGAL_FORMS: &[&str] = &[
    "gmbh",
    "mbh",
    "ag",
    "kg",
    "kgaa",
    "ohg",
    "gbr",
    "ug",
    "haftungsbeschrankt",
    "co",
    "ltd",
    "limited",
    "inc",
    "incorporated",
    "llc",
    "llp",
    "lp",
    "plc",
    "corp",
    "corporation",
    "company",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "se",
    "ab",
    "as",
    "oy",
    "aps",
    "pty",
    "the",
    "and",
    "und",
    "ev",
];

/// Lowercase words without diacritics.
fn words(name: &str) -> Vec<String> {
    let folded: String = name
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase();
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The distinguishing words of an entity name ("Acme Analytics GmbH" → ["acme", "analytics"];
/// "e.V." folds to "ev" through the joined check below).
fn core_words(name: &str) -> Vec<String> {
    let mut w = words(name);
    // "e. V." splits into "e" and "v": join single letters first so the legal form is caught.
    let mut merged: Vec<String> = Vec::new();
    for word in w.drain(..) {
        match merged.last_mut() {
            Some(last) if word.len() == 1 && last.len() == 1 => last.push_str(&word),
            _ => merged.push(word),
        }
    }
    merged
        .into_iter()
        .filter(|w| !LEGAL_FORMS.contains(&w.as_str()))
        .collect()
}

/// Two entity names denote the same entity: equal distinguishing words ("Hotjar Ltd." ~
/// "Hotjar Limited"), or equal once joined ("Share Point" ~ "SharePoint").
pub fn same_entity(a: &str, b: &str) -> bool {
    let (a, b) = (core_words(a), core_words(b));
    !a.is_empty() && !b.is_empty() && (a == b || a.concat() == b.concat())
}

/// A provider name matches a host's registrable domain: the domain's label (without the public
/// suffix and hyphens) equals the provider's distinguishing words joined, or their leading words
/// joined ("Acme Analytics GmbH" ~ acme-analytics.com, "Acme Europe GmbH" ~ acme.com). Labels
/// shorter than 4 characters never match by prefix: "ab" would match too much.
pub fn name_matches_domain(name: &str, host: &str) -> bool {
    let reg = registrable_domain(host);
    let label: String = reg
        .split('.')
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let core = core_words(name);
    if label.is_empty() || core.is_empty() {
        return false;
    }
    if core.concat() == label {
        return true;
    }
    label.len() >= 4 && (1..core.len()).any(|n| core[..n].concat() == label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_names_match_domains() {
        assert!(name_matches_domain(
            "Acme Analytics GmbH",
            "cdn.acme-analytics.com"
        ));
        assert!(name_matches_domain("Acme Europe GmbH", "acme.com"));
        assert!(name_matches_domain(
            "Müller Datendienste",
            "muller-datendienste.de"
        ));
        assert!(!name_matches_domain(
            "Acme Analytics GmbH",
            "analytics.example.com"
        ));
        assert!(!name_matches_domain("AB Tools AB", "ab.com"));
        assert!(!name_matches_domain("GmbH", "gmbh.de"));
    }

    #[test]
    fn entity_names_ignore_legal_forms() {
        assert!(same_entity("Hotjar Ltd.", "Hotjar Limited"));
        assert!(same_entity("Google", "Google LLC"));
        assert!(!same_entity("Google", "Google Ireland Limited"));
        assert!(same_entity("Verein e. V.", "Verein"));
    }

    #[test]
    fn a_company_with_a_purpose_word_names_that_service() {
        let fonts = vec!["fonts".to_string()];
        let s = "Die Veranstalter nutzen Google für die Schriften und Google Maps für die Wegbeschreibung.";
        assert!(names_purpose(s, "Google", &fonts));
        assert!(!names_purpose(
            "For fonts we rely on Google.",
            "Google",
            &fonts
        ));
        assert!(!names_purpose(
            "We use services of Google Ireland Limited.",
            "Google Ireland Limited",
            &fonts
        ));
        assert!(!names_purpose(s, "Google", &["analytics".to_string()]));
    }

    #[test]
    fn slugs_are_family_ids() {
        assert_eq!(
            slug("Google Marketing Platform"),
            "google-marketing-platform"
        );
    }
}
