//! The policy as a visitor sees it: a policy page filled by a script from another host is read
//! from the rendered DOM in browser mode, and static mode says it looks script-rendered; a thin
//! policy page that embeds a policy generator's document (iubenda) is followed in both modes.

mod harness;

use harness::ScanResult;

const START: &str = "http://www.shop.test/";
const PRIVACY: &str = "http://www.shop.test/privacy.html";

fn declared(r: &ScanResult) -> Vec<String> {
    r.report()
        .policy
        .declarations
        .iter()
        .map(|d| d.name.clone())
        .collect()
}

fn names_hotjar(r: &ScanResult) -> bool {
    declared(r).iter().any(|n| n.contains("Hotjar"))
}

#[test]
fn static_mode_says_a_script_rendered_policy_needs_the_browser() {
    let site = harness::site("policy-script");
    let r = site.scan(START).run();
    r.expect_code_in(&[0, 1]);
    let policy = &r.report().policy;
    let error = policy.error.as_deref().unwrap_or_default();
    assert!(
        error.contains("rendered by script")
            && error.contains("--browser")
            && error.contains("embed.policy-host.test"),
        "policy.error: {error:?}{}",
        r.context()
    );
    assert!(!names_hotjar(&r), "static mode cannot run the embed script");
    assert_eq!(policy.sources.len(), 1, "{:?}", policy.sources);
    assert_eq!(policy.sources[0].url, PRIVACY);
    assert_eq!(policy.sources[0].read_with, "http");
}

#[test]
fn browser_mode_reads_the_policy_a_script_rendered() {
    let site = harness::site("policy-script");
    let r = site
        .scan(START)
        .args(&["--browser", "--consent", "none"])
        .run();
    r.expect_code_in(&[0, 1]);
    let policy = &r.report().policy;
    assert!(
        names_hotjar(&r),
        "declarations {:?}{}",
        declared(&r),
        r.context()
    );
    assert_eq!(policy.error, None, "{}", r.context());
    assert_eq!(policy.urls, vec![PRIVACY.to_string()]);
    assert_eq!(policy.sources[0].read_with, "browser");
    assert!(
        site.was_requested("embed.policy-host.test", "/embed.js"),
        "{}",
        site.request_log()
    );
}

#[test]
fn a_thin_policy_page_is_followed_to_its_generator_host_in_static_mode() {
    let site = harness::site("policy-generator");
    let r = site.scan(START).run();
    r.expect_code_in(&[0, 1]);
    let policy = &r.report().policy;
    assert!(
        names_hotjar(&r),
        "declarations {:?}{}",
        declared(&r),
        r.context()
    );
    assert_eq!(
        policy.urls,
        vec![
            PRIVACY.to_string(),
            "https://www.iubenda.com/privacy-policy/4711".to_string()
        ],
        "{}",
        r.context()
    );
    assert_eq!(policy.sources[1].generator.as_deref(), Some("iubenda"));
    assert_eq!(policy.error, None);
}

#[test]
fn a_thin_policy_page_is_followed_to_its_generator_host_in_browser_mode() {
    let site = harness::site("policy-generator");
    let r = site
        .scan(START)
        .args(&["--browser", "--consent", "none"])
        .run();
    r.expect_code_in(&[0, 1]);
    let policy = &r.report().policy;
    assert!(
        names_hotjar(&r),
        "declarations {:?}{}",
        declared(&r),
        r.context()
    );
    assert_eq!(policy.sources.len(), 2, "{:?}", policy.sources);
    assert_eq!(policy.sources[1].generator.as_deref(), Some("iubenda"));
    assert_eq!(policy.sources[1].read_with, "browser");
}
