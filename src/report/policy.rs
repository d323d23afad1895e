//! The `policy` command's renderings of a policy read on its own (text for the terminal, Markdown
//! for a ticket). Every string comes from the policy, so it is hostile until escaped: the same
//! [`escape`](super::escape) functions as the scan report, so `[x](http://evil)` or
//! `<img onerror=…>` in a policy cannot become a link or a tag in a ticket.

use super::escape::{markdown as m, terminal as t};
use crate::model::{Declaration, Policy};
use std::fmt::Write as _;

fn target(d: &Declaration) -> String {
    match (&d.service, &d.company) {
        (Some(s), Some(c)) => format!("{s} ({c})"),
        (Some(s), None) => s.clone(),
        (None, Some(c)) => format!("company: {c}"),
        (None, None) => "free text".to_string(),
    }
}

/// Terminal rendering: declarations, then free-text providers, then negated names.
pub fn render_text(p: &Policy) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "Policy: {}", t(&p.urls.join(", ")));
    let _ = writeln!(
        o,
        "Language: {}",
        t(p.language.as_deref().unwrap_or("unknown"))
    );
    if let Some(e) = &p.error {
        let _ = writeln!(o, "Error: {}", t(e));
    }
    let (negated, declared): (Vec<&Declaration>, Vec<&Declaration>) =
        p.declarations.iter().partition(|d| d.negated);
    let (providers, named): (Vec<&Declaration>, Vec<&Declaration>) = declared
        .into_iter()
        .partition(|d| d.matched_as == "provider");
    let _ = writeln!(o, "\nDeclared ({}):", named.len());
    for d in named {
        let _ = writeln!(
            o,
            "  {}  → {}  [{}]",
            t(&d.name),
            t(&target(d)),
            d.matched_as
        );
        let _ = writeln!(
            o,
            "      § {}",
            if d.section.is_empty() {
                "-".to_string()
            } else {
                t(&d.section)
            }
        );
        let _ = writeln!(o, "      \"{}\"", t(&d.excerpt));
    }
    let _ = writeln!(
        o,
        "\nFree-text providers, not in the catalog ({}):",
        providers.len()
    );
    for d in providers {
        let _ = writeln!(o, "  {}  § {}", t(&d.name), t(&d.section));
        let _ = writeln!(o, "      \"{}\"", t(&d.excerpt));
    }
    let _ = writeln!(o, "\nNegated, disclose nothing ({}):", negated.len());
    for d in negated {
        let _ = writeln!(
            o,
            "  {}  → {}  § {}",
            t(&d.name),
            t(&target(d)),
            t(&d.section)
        );
        let _ = writeln!(o, "      \"{}\"", t(&d.excerpt));
    }
    o
}

/// Markdown rendering for a ticket: one table of all declarations.
pub fn render_md(p: &Policy) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# Privacy policy declarations\n");
    let _ = writeln!(o, "- Documents: {}", m(&p.urls.join(", ")));
    let _ = writeln!(
        o,
        "- Language: {}",
        m(p.language.as_deref().unwrap_or("unknown"))
    );
    if let Some(e) = &p.error {
        let _ = writeln!(o, "- Error: {}", m(e));
    }
    let _ = writeln!(
        o,
        "\n| Name | Service | Company | Matched as | Section | Negated | Excerpt |"
    );
    let _ = writeln!(o, "|---|---|---|---|---|---|---|");
    for d in &p.declarations {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} |",
            m(&d.name),
            m(d.service.as_deref().unwrap_or("")),
            m(d.company.as_deref().unwrap_or("")),
            m(&d.matched_as),
            m(&d.section),
            if d.negated { "yes" } else { "no" },
            m(&d.excerpt)
        );
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_policy_text_cannot_become_markdown_links_or_tags() {
        let p = Policy {
            urls: vec!["https://example.com/privacy".into()],
            declarations: vec![Declaration {
                name: "Acme | Tracker".into(),
                matched_as: "provider".into(),
                section: "Tools [x](http://evil.example)".into(),
                excerpt:
                    "We use <img src=x onerror=alert(1)> and [click](http://evil.example)\nnow"
                        .into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let md = render_md(&p);
        assert!(!md.contains("[x](http"), "{md}");
        assert!(!md.contains("[click](http"), "{md}");
        assert!(!md.contains("<img"), "{md}");
        assert!(md.contains("&lt;img src=x onerror=alert(1)>"), "{md}");
        assert!(md.contains("Acme \\| Tracker"), "{md}");
        // One table row per declaration: the newline in the excerpt does not end it.
        assert_eq!(
            md.lines().filter(|l| l.starts_with("| Acme")).count(),
            1,
            "{md}"
        );
    }
}
