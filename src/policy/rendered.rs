//! The policy as a visitor sees it. Many policies are filled in by script (iubenda, Termly, CMS
//! blocks loaded by JavaScript) or live on a policy generator's host. Browser mode reads the
//! rendered DOM through a [`Renderer`]; both modes follow a thin policy page's link to a known
//! generator host (`data/policy/generator_hosts.toml`); static mode says when a page looks
//! filled by script and suggests `--browser`.

use crate::domain::host_within;
use crate::policy::PolicyText;
use serde::Deserialize;
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use url::Url;

/// A policy page with fewer words than this is "thin": the text is probably elsewhere (loaded by
/// script, or behind a link to the generator's host).
pub const THIN_WORDS: usize = 80;

/// A page rendered in the browser.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// Where the tab ended up.
    pub final_url: Url,
    /// The rendered document's HTML.
    pub html: String,
}

/// Renders a page as a visitor's browser shows it (browser mode's live browser).
pub trait Renderer: Sync {
    /// Load `url` and return its rendered HTML; an error for pages that are not HTML (read those
    /// over HTTP) or that failed to load.
    fn render<'a>(
        &'a self,
        url: &'a Url,
    ) -> Pin<Box<dyn Future<Output = Result<Rendered, String>> + Send + 'a>>;
}

#[derive(Debug, Deserialize)]
struct Generators {
    generator: Vec<Generator>,
}

/// A policy generator that hosts sites' policies.
#[derive(Debug, Clone, Deserialize)]
pub struct Generator {
    /// Stable id, reported as the policy source's `generator`.
    pub id: String,
    /// Host suffix.
    pub host: String,
}

/// The embedded generator list.
pub fn generators() -> &'static [Generator] {
    static LIST: OnceLock<Vec<Generator>> = OnceLock::new();
    LIST.get_or_init(|| {
        toml::from_str::<Generators>(include_str!("../../data/policy/generator_hosts.toml"))
            .expect("data/policy/generator_hosts.toml is valid (tested)")
            .generator
    })
}

/// The generator whose host serves `url`, if any.
pub fn generator_of(url: &Url) -> Option<&'static Generator> {
    let host = url.host_str()?.to_ascii_lowercase();
    generators().iter().find(|g| host_within(&host, &g.host))
}

/// What a thin policy page's HTML shows about where its text really is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Thin {
    /// Words of text the page has.
    pub words: usize,
    /// A link (or embed anchor) to a known generator host: follow it.
    pub generator_link: Option<Url>,
    /// Hosts of the page's external scripts (sorted); `inline` when it has inline scripts only.
    pub script_hosts: Vec<String>,
}

/// Whether `text` (read from `html` at `url`) is thin, and what its HTML points to.
pub fn thin_page(text: &PolicyText, html: &str, url: &Url) -> Option<Thin> {
    let words = text.plain().split_whitespace().count();
    if words >= THIN_WORDS {
        return None;
    }
    let ex = crate::observe::extract::extract_html(html, url);
    let generator_link = ex
        .links
        .iter()
        .chain(
            ex.references
                .iter()
                .filter(|r| r.resource_type == crate::observe::ResourceType::Iframe)
                .map(|r| &r.url),
        )
        .filter(|u| generator_of(u).is_some() && u.path().len() > 1)
        .min()
        .cloned();
    let mut script_hosts: Vec<String> = ex
        .scripts
        .iter()
        .map(|s| match &s.src {
            Some(u) => u.host_str().unwrap_or("").to_string(),
            None => "inline".to_string(),
        })
        .collect();
    script_hosts.sort();
    script_hosts.dedup();
    if script_hosts.len() > 1 {
        script_hosts.retain(|h| h != "inline");
    }
    Some(Thin {
        words,
        generator_link,
        script_hosts,
    })
}

/// The message static mode gives for a thin page that has scripts: the text is probably
/// rendered by them.
pub fn script_rendered_hint(url: &Url, thin: &Thin) -> Option<String> {
    if thin.script_hosts.is_empty() {
        return None;
    }
    let from = if thin.script_hosts == ["inline"] {
        "inline scripts".to_string()
    } else {
        format!("scripts from {}", thin.script_hosts.join(", "))
    };
    Some(format!(
        "the policy page {url} has almost no text ({} words) and {from}: it looks rendered by \
         script, so the declarations found may be incomplete; scan with --browser to read the \
         policy as a visitor sees it",
        thin.words
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generator_hosts_parse_and_match_subdomains() {
        assert!(generators().len() >= 5);
        let u = Url::parse("https://www.iubenda.com/privacy-policy/12345").unwrap();
        assert_eq!(generator_of(&u).map(|g| g.id.as_str()), Some("iubenda"));
        let t = Url::parse("https://app.termly.io/document/privacy-policy/abc").unwrap();
        assert_eq!(generator_of(&t).map(|g| g.id.as_str()), Some("termly"));
        let other = Url::parse("https://notiubenda.com/x").unwrap();
        assert!(generator_of(&other).is_none());
    }

    #[test]
    fn thin_page_with_a_script_suggests_the_browser() {
        let url = Url::parse("https://www.shop.test/privacy").unwrap();
        let html = r#"<html><body><h1>Privacy</h1><div id="p"></div>
            <script src="https://embed.policies.test/p.js"></script></body></html>"#;
        let text = crate::policy::html::parse_html(html, url.as_str());
        let thin = thin_page(&text, html, &url).expect("thin");
        assert_eq!(thin.script_hosts, vec!["embed.policies.test".to_string()]);
        assert!(thin.generator_link.is_none());
        let hint = script_rendered_hint(&url, &thin).unwrap();
        assert!(
            hint.contains("--browser") && hint.contains("embed.policies.test"),
            "{hint}"
        );
        // A page with real text is not thin.
        let long = format!("<p>{}</p><script>x()</script>", "word ".repeat(200));
        let text = crate::policy::html::parse_html(&long, url.as_str());
        assert!(thin_page(&text, &long, &url).is_none());
    }

    #[test]
    fn thin_page_links_to_its_generator() {
        let url = Url::parse("https://www.shop.test/privacy").unwrap();
        let html = r#"<a href="https://www.iubenda.com/privacy-policy/777" class="iubenda-embed">Privacy Policy</a>
            <script src="https://cdn.iubenda.com/iubenda.js"></script>"#;
        let text = crate::policy::html::parse_html(html, url.as_str());
        let thin = thin_page(&text, html, &url).unwrap();
        assert_eq!(
            thin.generator_link.unwrap().as_str(),
            "https://www.iubenda.com/privacy-policy/777"
        );
    }
}
