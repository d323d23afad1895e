//! Discovery over real HTTP on 127.0.0.1: the best crawled link, well-known paths, and the error
//! when nothing is found (a site that answers 200 with its home page everywhere).

mod policy_support;

use axum::{http::header, response::IntoResponse, routing::get, Router};
use policy_support::test_catalog;
use privacy_inventory::catalog::Inventory;
use privacy_inventory::config::ScanConfig;
use privacy_inventory::crawl::Fetcher;
use privacy_inventory::observe::{Observations, PolicyLink};
use privacy_inventory::policy::read_for_site;
use url::Url;

const GERMAN: &str = include_str!("../fixtures/policies/de-werkstatt.html");
const HOME: &str = "<html><body><main><h1>Willkommen</h1><p>Wir reparieren Fahrräder.</p></main>\
                    <footer><a href=\"/legal/datenschutz\">Datenschutz</a></footer></body></html>";

async fn serve(app: Router) -> Url {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Url::parse(&format!("http://{addr}/")).unwrap()
}

fn html(body: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body)
}

#[tokio::test]
async fn policy_found_by_footer_link() {
    let start = serve(
        Router::new()
            .route("/", get(|| async { html(HOME) }))
            .route("/legal/datenschutz", get(|| async { html(GERMAN) }))
            .route("/blog/privacy-tips", get(|| async { html("<p>Tipps</p>") })),
    )
    .await;
    let mut obs = Observations::default();
    let link = |p: &str, t: &str| PolicyLink {
        url: start.join(p).unwrap(),
        text: t.into(),
    };
    obs.policy_links
        .insert(link("/legal/datenschutz", "Datenschutz"), 12);
    obs.policy_links
        .insert(link("/blog/privacy-tips", "Privacy tips"), 1);
    let config = ScanConfig::new(start.clone());
    let fetcher = Fetcher::new(&config).unwrap();
    let policy = read_for_site(
        &config,
        &obs,
        &Inventory::default(),
        &fetcher,
        None,
        &test_catalog(),
    )
    .await;
    assert_eq!(policy.error, None);
    assert_eq!(policy.discovered_by.as_deref(), Some("link"));
    assert_eq!(
        policy.urls,
        vec![start.join("/legal/datenschutz").unwrap().to_string()]
    );
    assert_eq!(policy.language.as_deref(), Some("de"));
    assert!(policy
        .declarations
        .iter()
        .any(|d| d.service.as_deref() == Some("google-fonts") && !d.negated));
}

#[tokio::test]
async fn policy_found_at_a_well_known_path() {
    let start = serve(
        Router::new()
            .route("/", get(|| async { html(HOME) }))
            .route("/datenschutz", get(|| async { html(GERMAN) })),
    )
    .await;
    let config = ScanConfig::new(start.clone());
    let fetcher = Fetcher::new(&config).unwrap();
    let policy = read_for_site(
        &config,
        &Observations::default(),
        &Inventory::default(),
        &fetcher,
        None,
        &test_catalog(),
    )
    .await;
    assert_eq!(
        policy.discovered_by.as_deref(),
        Some("well_known"),
        "{:?}",
        policy.error
    );
    assert_eq!(
        policy.urls,
        vec![start.join("/datenschutz").unwrap().to_string()]
    );
    assert!(!policy.declarations.is_empty());
}

#[tokio::test]
async fn soft_404_site_has_no_policy() {
    let start = serve(Router::new().fallback(|| async { html(HOME) })).await;
    let config = ScanConfig::new(start);
    let fetcher = Fetcher::new(&config).unwrap();
    let policy = read_for_site(
        &config,
        &Observations::default(),
        &Inventory::default(),
        &fetcher,
        None,
        &test_catalog(),
    )
    .await;
    assert_eq!(policy.discovered_by, None);
    assert!(policy.declarations.is_empty());
    assert!(policy.error.unwrap().contains("--policy"));
}
