use super::*;
use State::{Denied as D, Granted as G, Unset as U};

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

// One test per gcd letter: the default, the update, and what the tag acts on.
fn letter(c: char) -> (Option<State>, Option<State>, State) {
    let l = gcd_letter(c).unwrap_or_else(|| panic!("{c} is a gcd letter"));
    (l.default, l.update, l.effective())
}

#[test]
fn gcd_l_is_not_set() {
    assert_eq!(letter('l'), (None, None, U));
}

#[test]
fn gcd_p_is_denied_by_default() {
    assert_eq!(letter('p'), (Some(D), None, D));
}

#[test]
fn gcd_q_is_denied_by_default_and_update() {
    assert_eq!(letter('q'), (Some(D), Some(D), D));
}

#[test]
fn gcd_t_is_granted_by_default() {
    assert_eq!(letter('t'), (Some(G), None, G));
}

#[test]
fn gcd_r_is_denied_by_default_then_granted() {
    assert_eq!(letter('r'), (Some(D), Some(G), G));
}

#[test]
fn gcd_m_is_denied_by_update_only() {
    assert_eq!(letter('m'), (None, Some(D), D));
}

#[test]
fn gcd_n_is_granted_by_update_only() {
    assert_eq!(letter('n'), (None, Some(G), G));
}

#[test]
fn gcd_u_is_granted_by_default_then_denied() {
    assert_eq!(letter('u'), (Some(G), Some(D), D));
}

#[test]
fn gcd_v_is_granted_by_default_and_update() {
    assert_eq!(letter('v'), (Some(G), Some(G), G));
}

#[test]
fn gcd_unknown_letters_are_unset_not_denied() {
    assert!(gcd_letter('x').is_none());
    assert!(gcd_letter('5').is_none());
    assert_eq!(decode_gcd("11x1p1p1p5"), Some([U, D, D, D]));
}

#[test]
fn gcd_strings_decode_in_type_order() {
    assert_eq!(decode_gcd("11p1p1p1p5"), Some([D, D, D, D]));
    assert_eq!(decode_gcd("13r3r3r3r5"), Some([G, G, G, G]));
    // ad_storage granted by update, analytics denied by update, v2 types granted by default.
    assert_eq!(decode_gcd("11n1m1t1t5"), Some([G, D, G, G]));
    assert_eq!(decode_gcd("13l3l3l3l1"), Some([U, U, U, U]));
    assert_eq!(decode_gcd("11p1"), None);
    assert_eq!(decode_gcd(""), None);
}

#[test]
fn gcs_digits_and_dashes() {
    assert_eq!(decode_gcs("G100"), Some((D, D)));
    assert_eq!(decode_gcs("G111"), Some((G, G)));
    // x is ad_storage, y is analytics_storage.
    assert_eq!(decode_gcs("G101"), Some((D, G)));
    assert_eq!(decode_gcs("G110"), Some((G, D)));
    assert_eq!(decode_gcs("G1--"), Some((U, U)));
    assert_eq!(decode_gcs("G2 00"), None);
    assert_eq!(decode_gcs("G1"), None);
    assert_eq!(decode_gcs("G1x0"), None);
}

#[test]
fn urls_prefer_gcd_and_fall_back_to_gcs() {
    let both = url("https://region1.google-analytics.com/g/collect?v=2&gcs=G100&gcd=11p1p1p1p5");
    assert_eq!(signals_of(&both), Some([D, D, D, D]));
    let gcs_only = url("https://region1.google-analytics.com/g/collect?v=2&gcs=G111");
    assert_eq!(signals_of(&gcs_only), Some([G, G, U, U]));
    let bad_gcd = url("https://region1.google-analytics.com/g/collect?gcd=zz&gcs=G100");
    assert_eq!(signals_of(&bad_gcd), Some([D, D, U, U]));
    assert_eq!(
        signals_of(&url("https://region1.google-analytics.com/g/collect?v=2")),
        None
    );
    assert!(is_denied(&[D, D, U, U]));
    assert!(
        !is_denied(&[D, U, D, D]),
        "analytics unset is no denied ping"
    );
    assert!(!is_denied(&[D, D, G, D]));
    assert!(!has_signal(&[U, U, U, U]));
}

#[test]
fn endpoints_are_classified() {
    let c = |s: &str| classify(&url(s));
    assert_eq!(
        c("https://region1.google-analytics.com/g/collect?v=2"),
        Some(RequestKind::Ping)
    );
    assert_eq!(
        c("https://www.google.com/ccm/collect?en=page_view"),
        Some(RequestKind::Ping)
    );
    assert_eq!(
        c("https://googleads.g.doubleclick.net/pagead/viewthroughconversion/123/?gcs=G100"),
        Some(RequestKind::Ping)
    );
    assert_eq!(
        c("https://www.google.de/pagead/1p-user-list/123/"),
        Some(RequestKind::Ping)
    );
    assert_eq!(
        c("https://www.googletagmanager.com/gtag/js?id=G-X"),
        Some(RequestKind::TagLoad)
    );
    assert_eq!(
        c("https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js"),
        Some(RequestKind::TagLoad)
    );
    assert_eq!(
        c("https://www.google.com/recaptcha/api.js"),
        Some(RequestKind::TagLoad)
    );
    assert_eq!(
        c("https://www.google.com/maps/embed?pb=1"),
        Some(RequestKind::Other)
    );
    assert_eq!(
        c("https://www.googleadservices.com/pagead/conversion/123/?label=x"),
        Some(RequestKind::Ping)
    );
    // /pagead/ requests that never carry a consent state are not pings.
    assert_eq!(
        c("https://googleads.g.doubleclick.net/pagead/id"),
        Some(RequestKind::Other)
    );
    assert_eq!(
        c("https://pagead2.googlesyndication.com/pagead/gen_204?id=x"),
        Some(RequestKind::Other)
    );
    assert_eq!(c("https://www.example.com/g/collect?gcs=G100"), None);
    assert_eq!(c("https://google.example.com/g/collect"), None);
}

#[test]
fn phases_aggregate_the_most_permissive_state_with_evidence() {
    let mut g = GoogleSignals::default();
    let denied = "https://region1.google-analytics.com/g/collect?v=2&gcs=G100&gcd=11p1p1p1p5";
    let granted = "https://region1.google-analytics.com/g/collect?v=2&gcs=G111&gcd=11r1r1r1r5";
    g.add(
        &url("https://www.googletagmanager.com/gtag/js?id=G-X"),
        Phase::BeforeConsent,
    );
    g.add(&url(denied), Phase::BeforeConsent);
    g.add(&url(denied), Phase::AfterAccept);
    g.add(&url(granted), Phase::AfterAccept);
    g.add(
        &url("https://www.google.com/maps/embed"),
        Phase::AfterReject,
    );
    g.add(
        &url("https://www.example.com/g/collect?gcs=G111"),
        Phase::AfterReject,
    );
    let out = g.finish();
    let before = &out[&Phase::BeforeConsent];
    assert_eq!(
        (
            before.ad_storage.as_str(),
            before.analytics_storage.as_str()
        ),
        ("denied", "denied")
    );
    assert_eq!(before.ad_personalization, "denied");
    assert_eq!(before.evidence, denied);
    assert_eq!(before.source, "requests");
    let hosts: Vec<(&str, usize, usize)> = before
        .hosts
        .iter()
        .map(|h| (h.host.as_str(), h.denied_pings, h.tag_loads))
        .collect();
    assert_eq!(
        hosts,
        [
            ("region1.google-analytics.com", 1, 0),
            ("www.googletagmanager.com", 0, 1)
        ]
    );
    let accept = &out[&Phase::AfterAccept];
    assert_eq!(accept.analytics_storage, "granted");
    assert_eq!(accept.evidence, granted);
    assert_eq!(accept.hosts[0].granted_pings, 1);
    assert_eq!(accept.hosts[0].denied_pings, 1);
    // Only a maps embed (no ping, no tag) after reject: no Consent Mode entry at all.
    assert!(!out.contains_key(&Phase::AfterReject));
}

#[test]
fn markup_default_calls_are_read() {
    let body = r#"window.dataLayer = window.dataLayer || [];
      function gtag(){dataLayer.push(arguments);}
      gtag("consent", "default", { "ad_storage": "denied", analytics_storage: 'denied',
        ad_user_data: "denied", 'ad_personalization': 'granted', wait_for_update: 500 });
      gtag('consent', 'default', { ad_storage: 'granted', region: ['US'] });"#;
    let calls = default_calls(body);
    assert_eq!(calls, vec![(false, [D, D, D, G]), (true, [G, U, U, U])]);
    assert!(default_calls("gtag('config', 'G-X')").is_empty());
    let hash = "h".to_string();
    let scripts = vec![Script {
        inline_sha256: Some(hash.clone()),
        pages: vec!["https://www.example.com/".into()],
        ..Default::default()
    }];
    let inline = BTreeMap::from([(hash, body.to_string())]);
    let m = from_markup(&scripts, &inline).expect("default call found");
    assert_eq!(m.ad_personalization, "granted");
    assert_eq!(m.analytics_storage, "denied");
    assert_eq!(m.source, "markup");
    assert_eq!(m.evidence, "https://www.example.com/");
}

#[test]
fn endpoint_data_parses() {
    assert!(endpoints()
        .hosts
        .iter()
        .any(|h| h == "google-analytics.com"));
    assert!(is_google_tag_host("www.google.co.uk"));
    assert!(!is_google_tag_host("googlefonts.example"));
}
