//! Findings from the consent signals of each phase (`consent.signals`): Google Consent Mode and
//! the IAB TCF API.
//!
//! - `consent_mode_ping_after_reject` (low): after "reject all", a Google service only sent
//!   cookieless pings with every storage type denied and set no cookie. That is Consent Mode
//!   "advanced" working as Google designed it; the pings still carry the visitor's IP address,
//!   user agent and page URL to Google, so it is reported, but not as `tracking_after_reject`.
//! - `tracking_after_reject` stays (see `rules`) for anything else after reject: a granted
//!   signal, a ping without any signal, another request, or a cookie.
//! - `consent_mode_missing` (medium): a consent manager is on the site, yet a Google
//!   measurement ping carries no Consent Mode state: Google cannot know the visitor's choice.
//! - `tcf_consent_after_reject` (high): after "reject all", the TCF API still reports purpose
//!   consents, which every TCF vendor reading the TC string takes as consent.

use super::evidence::{cap_pages, list, plural};
use super::Seen;
use crate::model::{
    Finding, FindingKind, GoogleConsentMode, Phase, PhaseSignals, ServiceUse, Severity,
    SignalSource, ThirdParty,
};
use std::collections::{BTreeMap, BTreeSet};

const AFTER_REJECT: Phase = Phase::AfterReject;

fn google_mode<'a>(report: &'a Seen<'_>, phase: Phase) -> Option<&'a GoogleConsentMode> {
    report
        .consent
        .signals
        .get(&phase)?
        .google_consent_mode
        .as_ref()
        .filter(|g| g.source == SignalSource::Requests)
}

fn service_of<'a>(report: &'a Seen<'_>, host: &str) -> Option<&'a str> {
    report
        .third_parties
        .iter()
        .find(|t| t.host == host)
        .and_then(|t| t.service.as_deref())
}

/// `consent.signals` with "whether the tag set cookies in that phase" decided: per phase, the
/// cookies of the services behind the Google hosts (known only after attribution), set (not
/// deleted) in that phase.
pub fn with_cookies(report: &Seen<'_>) -> BTreeMap<Phase, PhaseSignals> {
    let mut signals = report.consent.signals.clone();
    for (phase, s) in signals.iter_mut() {
        let Some(g) = s.google_consent_mode.as_mut() else {
            continue;
        };
        let services: BTreeSet<&str> = g
            .hosts
            .iter()
            .filter_map(|h| service_of(report, &h.host))
            .collect();
        let names: BTreeSet<String> = report
            .cookies
            .iter()
            .filter(|c| {
                !c.deletion
                    && c.phases.contains(phase)
                    && c.service.as_deref().is_some_and(|s| services.contains(s))
            })
            .map(|c| c.name.clone())
            .collect();
        g.cookies = names.into_iter().collect();
    }
    signals
}

/// `consent_mode_ping_after_reject` for `svc` when everything it did after reject was a
/// denied Consent Mode ping (or loading the tag that sent them) and it set no cookie; None
/// otherwise, and then `tracking_after_reject` decides.
pub fn ping_after_reject(report: &Seen<'_>, svc: &ServiceUse) -> Option<Finding> {
    let g = google_mode(report, AFTER_REJECT)?;
    let loaded: Vec<&ThirdParty> = report
        .third_parties
        .iter()
        .filter(|t| t.loaded && svc.hosts.contains(&t.host) && t.phases.contains(&AFTER_REJECT))
        .collect();
    if loaded.is_empty() {
        return None;
    }
    let misbehaving = g
        .hosts
        .iter()
        .any(|h| h.granted_pings + h.pings_without_signal > 0);
    let mut denied = 0;
    let mut evidence: Option<&str> = None;
    for t in &loaded {
        let h = g.hosts.iter().find(|h| h.host == t.host)?;
        if h.granted_pings + h.pings_without_signal + h.other_requests > 0 {
            return None;
        }
        // A host that only served the tag script is fine only when no Google ping misbehaved.
        if h.denied_pings == 0 && misbehaving {
            return None;
        }
        denied += h.denied_pings;
        if h.denied_pings > 0 && evidence.is_none() {
            evidence = h.evidence.as_deref();
        }
    }
    let phase_denied: usize = g.hosts.iter().map(|h| h.denied_pings).sum();
    let cookies = report.cookies.iter().any(|c| {
        !c.deletion
            && c.service.as_deref() == Some(svc.id.as_str())
            && c.phases.contains(&AFTER_REJECT)
    });
    if phase_denied == 0 || cookies {
        return None;
    }
    let hosts: Vec<String> = loaded.iter().map(|t| t.host.clone()).collect();
    let pages = cap_pages(loaded.iter().flat_map(|t| t.pages.iter().cloned()));
    let how = match report.consent.reject_clicked {
        Some(true) => "After \"reject all\" was clicked",
        _ => "In the reject phase (no reject button could be clicked)",
    };
    let what = if denied > 0 {
        format!(
            "sent {denied} cookieless Consent Mode ping{} to {} with every storage type denied",
            plural(denied),
            list(&hosts, 3)
        )
    } else {
        format!(
            "loaded its tag from {} while Google's pings carried every storage type denied",
            list(&hosts, 3)
        )
    };
    Some(Finding {
        kind: FindingKind::ConsentModePingAfterReject,
        severity: Severity::Low,
        service: Some(svc.id.clone()),
        company: (!svc.company.is_empty()).then(|| svc.company.clone()),
        hosts,
        cookies: Vec::new(),
        pages,
        evidence: format!(
            "{how}, {} ({}) {what} and set no cookie (e.g. {}). Such pings still send the visitor's IP address, user agent and the page URL to Google.",
            svc.name,
            svc.company,
            evidence.unwrap_or(g.evidence.as_str())
        ),
        message: "This is Google Consent Mode \"advanced\": Google's tags keep running after a reject and send cookieless pings. Say so in the privacy policy (Google receives IP address and page URL even when the visitor rejects) and confirm the legal basis with your DPO, or switch to \"basic\" mode (load Google's tags only after consent).".into(),
        ..Default::default()
    })
}

/// `consent_mode_missing`: a consent manager is on the site, yet a Google service's
/// measurement pings carry no Consent Mode state (no `gcs`/`gcd`, or a storage type unset).
pub fn consent_mode_missing(report: &Seen<'_>) -> Vec<Finding> {
    let Some(cmp) = report.consent.cmp.as_deref() else {
        return Vec::new();
    };
    // service id -> (hosts, phases, pings)
    let mut by_service: BTreeMap<&str, (BTreeSet<&str>, BTreeSet<Phase>, usize)> = BTreeMap::new();
    for (phase, signals) in &report.consent.signals {
        let Some(g) = signals
            .google_consent_mode
            .as_ref()
            .filter(|g| g.source == SignalSource::Requests)
        else {
            continue;
        };
        for h in g.hosts.iter().filter(|h| h.pings_without_signal > 0) {
            let Some(svc) = service_of(report, &h.host) else {
                continue;
            };
            let e = by_service.entry(svc).or_default();
            e.0.insert(&h.host);
            e.1.insert(*phase);
            e.2 += h.pings_without_signal;
        }
    }
    let mut out = Vec::new();
    for (id, (hosts, phases, pings)) in by_service {
        let svc = report.services.iter().find(|s| s.id == id);
        let name = svc.map(|s| s.name.as_str()).unwrap_or(id);
        let hosts: Vec<String> = hosts.into_iter().map(str::to_string).collect();
        let phases: Vec<String> = phases.into_iter().map(|p| p.replace('_', " ")).collect();
        let pages = cap_pages(
            report
                .third_parties
                .iter()
                .filter(|t| hosts.contains(&t.host))
                .flat_map(|t| t.pages.iter().cloned()),
        );
        out.push(Finding {
            kind: FindingKind::ConsentModeMissing,
            severity: Severity::Medium,
            service: Some(id.to_string()),
            company: svc.map(|s| s.company.clone()).filter(|c| !c.is_empty()),
            hosts: hosts.clone(),
            pages,
            evidence: format!(
                "Consent manager {cmp} is on the site, but {name} sent {pings} measurement ping{} to {} without a Google Consent Mode state (no gcs/gcd, or a storage type unset) ({}).",
                plural(pings),
                list(&hosts, 3),
                list(&phases, 3)
            ),
            message: format!(
                "Pass the visitor's choice to Google: set gtag('consent','default',{{…}}) with all four types (ad_storage, analytics_storage, ad_user_data, ad_personalization) before {name} loads and let the consent manager send gtag('consent','update',{{…}}); Google requires these signals for visitors in the EEA."
            ),
            ..Default::default()
        });
    }
    out
}

/// `tcf_consent_after_reject`: "reject all" was clicked, yet the TCF API reports consents.
pub fn tcf_consent_after_reject(report: &Seen<'_>) -> Option<Finding> {
    let tcf = report.consent.signals.get(&AFTER_REJECT)?.tcf.as_ref()?;
    if report.consent.reject_clicked != Some(true)
        || !tcf.present
        || tcf.purposes_consented.is_empty()
    {
        return None;
    }
    let purposes: Vec<String> = tcf.purposes_consented.iter().map(u32::to_string).collect();
    let id = match tcf.cmp_id {
        Some(id) => format!("CMP id {id}"),
        None => "CMP id unknown".into(),
    };
    let cmp = match &report.consent.cmp {
        Some(name) => format!("{name}, {id}"),
        None => id,
    };
    // The API runs on the site's own pages: the start page (depth 0) and its host are involved.
    let start = report
        .pages
        .iter()
        .filter(|p| p.depth == 0)
        .map(|p| p.url.as_str())
        .min();
    let hosts: Vec<String> = start
        .and_then(|s| url::Url::parse(s).ok())
        .and_then(|u| u.host_str().map(str::to_string))
        .into_iter()
        .collect();
    Some(Finding {
        kind: FindingKind::TcfConsentAfterReject,
        severity: Severity::High,
        hosts,
        pages: start.map(str::to_string).into_iter().collect(),
        evidence: format!(
            "After \"reject all\" was clicked, the IAB TCF API ({cmp}) still reported consent for purpose{} {} and for {} vendor{} (getTCData{}).",
            plural(purposes.len()),
            list(&purposes, 12),
            tcf.vendors_consented,
            plural(tcf.vendors_consented),
            if tcf.tc_string_present { ", TC string present" } else { "" }
        ),
        message: "Fix the consent manager so that \"reject all\" withdraws every purpose and vendor consent in the TC string, then scan again: until then each TCF vendor on the site treats the visitor as consenting.".into(),
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Consent, ConsentState, Cookie, GoogleTagHost, Mode, Page, Policy, Tcf};

    const GA: &str = "region1.google-analytics.com";

    /// What a browser scan saw: the parts a [`Seen`] borrows.
    #[derive(Default)]
    struct Scan {
        pages: Vec<Page>,
        cookies: Vec<Cookie>,
        third_parties: Vec<ThirdParty>,
        services: Vec<ServiceUse>,
        policy: Policy,
        consent: Consent,
    }

    impl Scan {
        fn seen(&self) -> Seen<'_> {
            Seen {
                mode: Mode::Browser,
                pages: &self.pages,
                cookies: &self.cookies,
                third_parties: &self.third_parties,
                scripts: &[],
                services: &self.services,
                policy: &self.policy,
                consent: &self.consent,
                infrastructure: &[],
                site_host: "",
                dns_off: false,
            }
        }
    }

    /// A browser scan where Google Analytics pinged `GA` after reject as `host` says.
    fn scan(host: GoogleTagHost, cookie_after_reject: bool) -> (Scan, ServiceUse) {
        let svc = ServiceUse {
            id: "google-analytics".into(),
            name: "Google Analytics".into(),
            company: "Google Ireland Limited".into(),
            categories: vec!["analytics".into()],
            hosts: vec![GA.into()],
            ..Default::default()
        };
        let mut r = Scan {
            pages: vec![Page {
                url: "https://www.example.com/".into(),
                depth: 0,
                ..Default::default()
            }],
            services: vec![svc.clone()],
            ..Default::default()
        };
        r.consent.cmp = Some("cookiebot".into());
        r.consent.reject_clicked = Some(true);
        r.consent.phases = vec![Phase::BeforeConsent, Phase::AfterReject];
        r.third_parties.push(ThirdParty {
            host: GA.into(),
            service: Some(svc.id.clone()),
            loaded: true,
            phases: vec![Phase::AfterReject],
            pages: vec!["https://www.example.com/".into()],
            ..Default::default()
        });
        if cookie_after_reject {
            r.cookies.push(Cookie {
                name: "_ga".into(),
                service: Some(svc.id.clone()),
                phases: vec![Phase::AfterReject],
                ..Default::default()
            });
        }
        let g = GoogleConsentMode {
            ad_storage: ConsentState::Denied,
            analytics_storage: ConsentState::Denied,
            evidence: format!("https://{GA}/g/collect?gcs=G100"),
            source: SignalSource::Requests,
            hosts: vec![host],
            ..Default::default()
        };
        r.consent.signals.insert(
            Phase::AfterReject,
            PhaseSignals {
                google_consent_mode: Some(g),
                ..Default::default()
            },
        );
        (r, svc)
    }

    fn host(denied: usize, granted: usize, without: usize, other: usize) -> GoogleTagHost {
        GoogleTagHost {
            host: GA.into(),
            denied_pings: denied,
            granted_pings: granted,
            pings_without_signal: without,
            other_requests: other,
            ..Default::default()
        }
    }

    #[test]
    fn only_denied_pings_are_a_low_ping_finding() {
        let (r, svc) = scan(host(2, 0, 0, 0), false);
        let f = ping_after_reject(&r.seen(), &svc).expect("ping finding");
        assert_eq!(
            (f.kind, f.severity),
            (FindingKind::ConsentModePingAfterReject, Severity::Low)
        );
        assert_eq!(f.hosts, [GA]);
        assert!(
            f.evidence.contains("2 cookieless Consent Mode pings"),
            "{}",
            f.evidence
        );
    }

    #[test]
    fn granted_missing_signals_other_requests_or_cookies_stay_tracking() {
        for (h, cookie, why) in [
            (host(1, 1, 0, 0), false, "a granted ping"),
            (host(1, 0, 1, 0), false, "a ping without signal"),
            (host(1, 0, 0, 1), false, "another request"),
            (host(1, 0, 0, 0), true, "a cookie"),
            (host(0, 0, 0, 0), false, "no ping at all"),
        ] {
            let (r, svc) = scan(h, cookie);
            assert!(ping_after_reject(&r.seen(), &svc).is_none(), "{why}");
        }
    }

    #[test]
    fn missing_consent_mode_needs_a_consent_manager() {
        let (mut r, _) = scan(host(0, 0, 3, 0), false);
        let f = consent_mode_missing(&r.seen());
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].kind, f[0].severity),
            (FindingKind::ConsentModeMissing, Severity::Medium)
        );
        assert!(
            f[0].evidence.contains("3 measurement pings"),
            "{}",
            f[0].evidence
        );
        r.consent.cmp = None;
        assert!(consent_mode_missing(&r.seen()).is_empty());
        let (denied, _) = scan(host(3, 0, 0, 0), false);
        assert!(consent_mode_missing(&denied.seen()).is_empty());
    }

    #[test]
    fn tcf_consents_after_a_clicked_reject() {
        let (mut r, _) = scan(host(0, 0, 0, 0), false);
        let tcf = Tcf {
            present: true,
            cmp_id: Some(7),
            purposes_consented: vec![1],
            vendors_consented: 1,
            ..Default::default()
        };
        fn after_reject(r: &mut Scan) -> &mut PhaseSignals {
            r.consent.signals.get_mut(&Phase::AfterReject).unwrap()
        }
        after_reject(&mut r).tcf = Some(tcf.clone());
        let f = tcf_consent_after_reject(&r.seen()).expect("finding");
        assert_eq!(f.kind, FindingKind::TcfConsentAfterReject);
        assert_eq!(f.hosts, ["www.example.com"]);
        assert_eq!(f.pages, ["https://www.example.com/"]);
        assert!(
            f.evidence.contains("cookiebot, CMP id 7")
                && f.evidence.contains("purpose 1 and for 1 vendor"),
            "{}",
            f.evidence
        );
        r.consent.reject_clicked = Some(false);
        assert!(
            tcf_consent_after_reject(&r.seen()).is_none(),
            "no click, no reject"
        );
        r.consent.reject_clicked = Some(true);
        after_reject(&mut r).tcf = Some(Tcf {
            purposes_consented: vec![],
            ..tcf
        });
        assert!(tcf_consent_after_reject(&r.seen()).is_none());
    }

    #[test]
    fn cookies_of_the_tag_services_are_listed_per_phase() {
        let (mut r, _) = scan(host(1, 0, 0, 0), true);
        r.cookies.push(Cookie {
            name: "CookieConsent".into(),
            service: Some("cookiebot".into()),
            phases: vec![Phase::AfterReject],
            ..Default::default()
        });
        let signals = with_cookies(&r.seen());
        let g = signals[&Phase::AfterReject]
            .google_consent_mode
            .as_ref()
            .unwrap();
        assert_eq!(g.cookies, ["_ga"]);
        assert!(
            r.consent.signals[&Phase::AfterReject]
                .google_consent_mode
                .as_ref()
                .unwrap()
                .cookies
                .is_empty(),
            "the consent stage value is read, not changed"
        );
    }
}
