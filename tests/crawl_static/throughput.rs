//! Rough in-process throughput measurement (ignored by default).

use super::support::*;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use url::Url;

/// Rough in-process throughput: 2,000 pages of ~20 KB with 10 links and a few third-party
/// embeds. Not part of the test run (`cargo test --test crawl_static throughput -- --ignored
/// --nocapture`); the real benchmark lives in bench/.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn throughput() {
    const N: usize = 2000;
    let filler =
        "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.</p>\n"
            .repeat(220);
    let pages: Arc<Vec<axum::body::Bytes>> = Arc::new(
        (0..N)
            .map(|i| {
                let mut b = format!("<!doctype html><html><head><title>Page {i}</title>\
                    <script src=\"https://www.googletagmanager.test/gtag/js?id=G-1\"></script>\
                    <link rel=\"stylesheet\" href=\"https://fonts.api.test/css?family=Roboto\"></head><body>");
                for k in 1..=10 {
                    b.push_str(&format!("<a href=\"/p/{}\">link {k}</a>", (i * 7 + k * 13) % N));
                }
                b.push_str("<iframe src=\"https://www.youtube.test/embed/x\"></iframe>");
                b.push_str(&filler);
                b.push_str("</body></html>");
                axum::body::Bytes::from(b)
            })
            .collect(),
    );
    let base = Url::parse("http://www.site.test/p/1").unwrap();
    let t = std::time::Instant::now();
    for p in pages.iter().take(200) {
        let text = std::str::from_utf8(p).unwrap();
        std::hint::black_box(privacy_inventory::observe::extract::extract_html(
            text, &base,
        ));
    }
    eprintln!(
        "extract_html alone: {:.0} pages/s on one core",
        200.0 / t.elapsed().as_secs_f64()
    );
    let s = serve(move |host: &str, path: &str| -> Response {
        if host != "www.site.test" {
            return "".into_response();
        }
        let i: usize = if path == "/" {
            0
        } else {
            match path.strip_prefix("/p/").and_then(|n| n.parse().ok()) {
                Some(i) if i < N => i,
                _ => return not_found(),
            }
        };
        ([(header::CONTENT_TYPE, "text/html")], pages[i].clone()).into_response()
    })
    .await;
    let mut c = config(s.port, &format!("{W}/"));
    c.max_pages = N + 10;
    c.concurrency = 16;
    let t = std::time::Instant::now();
    let r = crawl(&c).await;
    let el = t.elapsed();
    eprintln!(
        "throughput: {} pages in {:.2?} = {:.0} pages/s",
        r.pages.len(),
        el,
        r.pages.len() as f64 / el.as_secs_f64()
    );
    assert!(r.pages.len() >= N - 10);
}
