//! How bad an undisclosed service is, by catalog category.
//!
//! - **high**: the service exists to follow or profile visitors — advertising, analytics,
//!   session recording, social tracking, tag managers (they load the trackers), and also
//!   A/B testing, personalization and marketing automation, because they assign visitor ids and
//!   act on behaviour just like analytics (supervisory authorities treat them as consent-bound).
//! - **medium**: embeds and infrastructure that transfer the visitor's IP address (and often
//!   referrer and user agent) to a third party on page load — video, fonts, maps, CDNs, captchas,
//!   chat, forms, hosting, consent managers, payments, reviews, search, scheduling, newsletters,
//!   customer support, error monitoring, e-commerce widgets. German courts have fined sites for
//!   undisclosed Google Fonts (LG München I, 3 O 17493/20), so these are not cosmetic.
//! - **low**: everything else (unknown or uncategorised services).

use crate::model::Severity;

/// Categories whose undisclosed use is high severity.
pub const HIGH_CATEGORIES: &[&str] = &[
    "advertising",
    "analytics",
    "session-recording",
    "social",
    "tag-manager",
    "ab-testing",
    "a/b-testing",
    "personalization",
    "marketing-automation",
];

/// Categories whose undisclosed use is medium severity (third-party IP transfer on load).
pub const MEDIUM_CATEGORIES: &[&str] = &[
    "video",
    "fonts",
    "maps",
    "cdn",
    "captcha",
    "security",
    "security/captcha",
    "chat",
    "forms",
    "hosting",
    "embed",
    "consent",
    "payments",
    "reviews",
    "search",
    "scheduling",
    "newsletter",
    "customer-support",
    "error-monitoring",
    "e-commerce",
];

/// Categories whose scripts track visitors: a script of one of these that loads without consent
/// gating is a `tracking_before_consent` finding.
pub const TRACKER_CATEGORIES: &[&str] = &[
    "analytics",
    "advertising",
    "session-recording",
    "social",
    "tag-manager",
];

/// Severity of an undisclosed service: the worst over its categories.
pub fn for_categories(categories: &[String]) -> Severity {
    let has = |set: &[&str]| categories.iter().any(|c| set.contains(&c.as_str()));
    if has(HIGH_CATEGORIES) {
        Severity::High
    } else if has(MEDIUM_CATEGORIES) {
        Severity::Medium
    } else {
        Severity::Low
    }
}

/// Whether any category is a tracker category.
pub fn is_tracker(categories: &[String]) -> bool {
    categories
        .iter()
        .any(|c| TRACKER_CATEGORIES.contains(&c.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cats(c: &[&str]) -> Vec<String> {
        c.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn worst_category_wins() {
        assert_eq!(for_categories(&cats(&["cdn", "analytics"])), "high");
        assert_eq!(for_categories(&cats(&["fonts"])), "medium");
        assert_eq!(for_categories(&cats(&["payroll"])), "low");
        assert_eq!(for_categories(&[]), "low");
    }
}
