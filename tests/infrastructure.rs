//! Infrastructure processors and the declared ledger, end to end: fixture sites served on
//! loopback, their DNS zones answered by a loopback DNS server (`--dns-server`), the real binary.

mod harness;

use harness::{site, Scan};
use privacy_inventory::model::{DeclaredRecipient, Finding, Report};

fn report_of(case: &str, start: &str) -> (Report, Vec<(String, String)>) {
    let s = site(case);
    let r = s.scan(start).run();
    let report = r.report().clone();
    let asked = s
        .dns
        .as_ref()
        .expect("the fixture has a _dns.toml zone")
        .questions()
        .into_iter()
        .map(|(n, t)| (n, t.to_string()))
        .collect();
    (report, asked)
}

fn undisclosed<'a>(r: &'a Report, service: Option<&str>, company: &str) -> Option<&'a Finding> {
    r.findings.iter().find(|f| {
        f.kind == "undisclosed_service"
            && f.service.as_deref() == service
            && f.company.as_deref() == Some(company)
    })
}

fn ledger_row<'a>(r: &'a Report, name: &str) -> &'a DeclaredRecipient {
    r.declared
        .iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("no ledger row {name:?} in {:#?}", r.declared))
}

#[test]
fn cdn_and_mail_provider_are_flagged_mailchimp_disclosed_hoster_not_flagged() {
    let (r, asked) = report_of("infra-cdn", "http://www.seeblick-pension.test/");
    assert!(
        asked
            .iter()
            .any(|(n, t)| n == "seeblick-pension.test." && t == "MX"),
        "MX of the registrable domain asked: {asked:?}"
    );
    let roles: Vec<(&str, Option<&str>)> = r
        .infrastructure
        .iter()
        .map(|p| (p.role.as_str(), p.service.as_deref()))
        .collect();
    assert_eq!(
        roles,
        vec![
            ("cdn", Some("cloudflare-cdn")),
            ("email", Some("microsoft-365")),
            ("email_sending", Some("mailchimp")),
            ("email_sending", Some("microsoft-365")),
        ],
        "{:#?}",
        r.infrastructure
    );
    let cdn = &r.infrastructure[0];
    let sources: Vec<&str> = cdn.evidence.iter().map(|e| e.source.as_str()).collect();
    assert!(
        sources.contains(&"header") && sources.contains(&"cname"),
        "{cdn:#?}"
    );

    let cf = undisclosed(&r, Some("cloudflare-cdn"), "Cloudflare, Inc.").expect("CDN flagged");
    assert_eq!(cf.severity, "medium");
    assert!(cf.evidence.contains("cf-ray"), "{}", cf.evidence);
    assert!(
        cf.evidence.contains(
            "www.seeblick-pension.test is a CNAME to www.seeblick-pension.test.cdn.cloudflare.net"
        ),
        "{}",
        cf.evidence
    );
    let ms = r
        .findings
        .iter()
        .filter(|f| {
            f.kind == "undisclosed_service" && f.service.as_deref() == Some("microsoft-365")
        })
        .count();
    assert_eq!(ms, 1, "the mail provider is one finding: {:#?}", r.findings);
    let ms = undisclosed(
        &r,
        Some("microsoft-365"),
        "Microsoft Ireland Operations Limited",
    )
    .unwrap();
    assert!(
        ms.evidence.contains("mail.protection.outlook.com"),
        "{}",
        ms.evidence
    );
    assert!(ms
        .hosts
        .contains(&"seeblick-pension-test.mail.protection.outlook.com".to_string()));

    assert!(undisclosed(&r, Some("mailchimp"), "The Rocket Science Group LLC").is_none());
    assert!(r
        .disclosed
        .iter()
        .any(|d| d.service == "mailchimp" && d.hosts == vec!["servers.mcsv.net".to_string()]));
    assert!(
        !r.findings
            .iter()
            .any(|f| f.company.as_deref() == Some("Hetzner Online GmbH")
                && f.kind != "declared_not_observed"),
        "the hoster is not flagged: {:#?}",
        r.findings
    );

    let hetzner = ledger_row(&r, "Hetzner Online GmbH");
    assert_eq!(hetzner.status, "not_observable");
    assert_eq!(
        hetzner.reason.as_deref(),
        Some("hosting behind a CDN: the origin is not visible")
    );
    assert_eq!(ledger_row(&r, "Mailchimp").status, "infrastructure");
    assert!(
        r.settings.dns.starts_with("server 127.0.0.1:"),
        "{}",
        r.settings.dns
    );
}

#[test]
fn hoster_confirmed_by_ptr_and_undeclared_mail_provider_and_a_five_row_ledger() {
    let (r, _) = report_of("infra-ptr", "http://www.baeckerei-sonne.test/");
    let hetzner = r
        .infrastructure
        .iter()
        .find(|p| p.service.as_deref() == Some("hetzner-hosting"))
        .expect("hoster seen");
    assert_eq!(hetzner.role, "hosting");
    assert_eq!(hetzner.evidence[0].source, "ptr");
    assert_eq!(
        hetzner.evidence[0].value,
        "203.0.113.10 PTR static.10.113.0.203.clients.your-server.de"
    );
    assert!(undisclosed(&r, Some("hetzner-hosting"), "Hetzner Online GmbH").is_none());

    let google = undisclosed(&r, None, "Google Ireland Limited").expect("mail provider flagged");
    assert_eq!(google.severity, "medium");
    assert!(
        google.evidence.starts_with("Google Workspace"),
        "{}",
        google.evidence
    );
    assert_eq!(google.hosts, vec!["aspmx.l.google.com".to_string()]);
    // The verification token beside it is no processor.
    assert!(!r
        .infrastructure
        .iter()
        .any(|p| p.evidence.iter().any(|e| e.value.contains("verification"))));

    let rows: Vec<(&str, &str, Option<&str>)> = r
        .declared
        .iter()
        .map(|d| (d.name.as_str(), d.status.as_str(), d.reason.as_deref()))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("Hetzner Online GmbH", "infrastructure", None),
            ("Kranich Steuerberatung GmbH", "not_observed", None),
            (
                "Mailchimp",
                "not_observable",
                Some("newsletter sending happens by e-mail, not on the website")
            ),
            (
                "Zendesk",
                "not_observable",
                Some("help desk: support tickets are handled off-site")
            ),
            ("jsDelivr", "observed", None),
        ],
        "{:#?}",
        r.declared
    );
    assert_eq!(
        ledger_row(&r, "jsDelivr").hosts,
        vec!["cdn.jsdelivr.net".to_string()]
    );
    // Declared-not-observed findings come from the ledger: the free-text provider is listed.
    let dno: Vec<&str> = r
        .findings
        .iter()
        .filter(|f| f.kind == "declared_not_observed")
        .map(|f| f.evidence.as_str())
        .collect();
    assert_eq!(dno.len(), 3, "{dno:#?}");
    assert!(dno
        .iter()
        .any(|e| e.contains("Kranich Steuerberatung GmbH")));
    assert!(dno
        .iter()
        .any(|e| e.contains("Not observable by a crawl: help desk")));
}

#[test]
fn a_verification_token_alone_is_no_finding() {
    let (r, asked) = report_of("infra-token", "http://www.kanzlei-token.test/");
    assert!(
        asked
            .iter()
            .any(|(n, t)| n == "kanzlei-token.test." && t == "TXT"),
        "{asked:?}"
    );
    assert!(r.infrastructure.is_empty(), "{:#?}", r.infrastructure);
    assert!(r.findings.is_empty(), "{:#?}", r.findings);
    assert!(r.errors.is_empty(), "{:#?}", r.errors);
}

#[test]
fn a_truncated_udp_answer_is_asked_again_over_tcp() {
    let s = site("infra-token");
    let r = s.scan("http://www.kanzlei-token.test/").run();
    let tcp = s.dns.as_ref().unwrap().tcp_questions();
    assert!(r.report().errors.is_empty(), "{:#?}", r.report().errors);
    assert!(
        tcp.iter()
            .any(|(n, t)| n == "kanzlei-token.test." && t.to_string() == "TXT"),
        "the long TXT answer came over TCP: {tcp:?}"
    );
}

#[test]
fn no_dns_asks_nothing_and_says_so() {
    let s = site("infra-ptr");
    let r = s
        .scan("http://www.baeckerei-sonne.test/")
        .no_dns()
        .run()
        .report()
        .clone();
    assert!(s.dns.as_ref().unwrap().questions().is_empty());
    assert_eq!(r.settings.dns, "off");
    assert!(r.infrastructure.is_empty());
    let hetzner = ledger_row(&r, "Hetzner Online GmbH");
    assert_eq!(hetzner.status, "not_observable");
    assert_eq!(
        hetzner.reason.as_deref(),
        Some("hosting: not checked, DNS look-ups were off (--no-dns)")
    );
    let both = Scan::raw(&[
        "scan",
        "http://www.baeckerei-sonne.test/",
        "--no-dns",
        "--dns-server",
        "127.0.0.1",
    ])
    .run_plain();
    assert_eq!(both.code, Some(2), "{}", both.context());
}

#[test]
fn bad_dns_server_is_a_usage_error() {
    let r = Scan::raw(&[
        "scan",
        "http://www.site.test/",
        "--dns-server",
        "not-an-address",
    ])
    .run_plain();
    assert_eq!(r.code, Some(2), "{}", r.context());
    assert!(r.stderr.contains("--dns-server"), "{}", r.stderr);
}

#[test]
fn catalog_lookup_explains_headers_and_dns_names() {
    let r = Scan::raw(&["catalog", "lookup", "server: cloudflare"]).run_plain();
    assert_eq!(r.code, Some(0), "{}", r.context());
    assert!(
        r.stdout.contains("infrastructure: header \"server\" containing \"cloudflare\": Cloudflare as cdn (service cloudflare-cdn, company cloudflare)"),
        "{}",
        r.stdout
    );
    let r = Scan::raw(&[
        "catalog",
        "lookup",
        "static.10.113.0.203.clients.your-server.de",
    ])
    .run_plain();
    assert!(
        r.stdout
            .contains("PTR name under \"your-server.de\": Hetzner as hosting"),
        "{}",
        r.stdout
    );
    let r = Scan::raw(&["catalog", "lookup", "servers.mcsv.net"]).run_plain();
    assert!(
        r.stdout
            .contains("SPF name under \"servers.mcsv.net\": Mailchimp as email_sending"),
        "{}",
        r.stdout
    );
}

#[test]
fn browser_mode_reads_the_top_document_headers_too() {
    let s = site("infra-cdn");
    let r = s
        .scan("http://www.seeblick-pension.test/")
        .args(&["--browser"])
        .run();
    let rep = r.report();
    assert_eq!(rep.mode, "browser", "{}", r.context());
    let cdn = rep
        .infrastructure
        .iter()
        .find(|p| p.role == "cdn")
        .unwrap_or_else(|| panic!("CDN seen: {:#?}{}", rep.infrastructure, r.context()));
    assert!(
        cdn.evidence
            .iter()
            .any(|e| e.source == "header" && e.value == "cf-ray: 8e2f0c1d2e3f4a5b-FRA"),
        "{cdn:#?}"
    );
}

#[test]
fn a_dns_server_that_never_answers_costs_a_bounded_wait_and_an_error_line() {
    // A bound UDP socket that reads nothing: every query times out.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind UDP");
    let addr = silent.local_addr().unwrap().to_string();
    let s = site("infra-token");
    let r = Scan::raw(&[
        "scan",
        "http://www.kanzlei-token.test/",
        "--insecure",
        "--dns-server",
        &addr,
        "--resolve",
        &s.server.resolve_all(),
    ])
    .run();
    assert_eq!(r.code, Some(0), "{}", r.context());
    let rep = r.report();
    assert!(rep.infrastructure.is_empty());
    assert!(
        rep.errors.iter().any(|e| e.kind == "dns"),
        "the unanswered look-ups are recorded: {:#?}",
        rep.errors
    );
    assert!(rep.findings.is_empty(), "{:#?}", rep.findings);
    assert!(s.dns.as_ref().unwrap().questions().is_empty());
    drop(silent);
}
