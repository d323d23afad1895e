//! Response bodies that misbehave (slow, dripping, huge) and statuses, content types and charsets.

use super::support::*;
use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use std::time::Duration;

#[tokio::test]
async fn timeouts_slow_drip_and_huge_bodies() {
    let site = |_: &str, path: &str| -> Response {
        match path {
            "/robots.txt" => not_found(),
            "/" => links(&["/slow", "/drip", "/big", "/fine"]),
            "/slow" => {
                let stream = futures_util::stream::once(async {
                    tokio::time::sleep(Duration::from_secs(10)).await;
                    Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"late"))
                });
                Response::new(Body::from_stream(stream))
            }
            "/drip" => {
                let stream = futures_util::stream::unfold(0u32, |n| async move {
                    if n > 100 {
                        return None;
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    Some((
                        Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"<p>drip</p>")),
                        n + 1,
                    ))
                });
                (
                    [(header::CONTENT_TYPE, "text/html")],
                    Body::from_stream(stream),
                )
                    .into_response()
            }
            "/big" => {
                let head = axum::body::Bytes::from_static(
                    b"<html><title>big</title><a href=\"/after-big\">x</a>",
                );
                let chunk = axum::body::Bytes::from(vec![b'x'; 1024 * 1024]);
                let stream = futures_util::stream::iter(
                    std::iter::once(head)
                        .chain(std::iter::repeat_n(chunk, 30))
                        .map(Ok::<_, std::io::Error>),
                );
                (
                    [(header::CONTENT_TYPE, "text/html")],
                    Body::from_stream(stream),
                )
                    .into_response()
            }
            "/fine" | "/after-big" => links(&[]),
            _ => not_found(),
        }
    };
    let s = serve(site).await;
    let mut c = config(s.port, &format!("{W}/"));
    c.timeout = Duration::from_millis(1500);
    c.max_body = 1024 * 1024;
    let t = std::time::Instant::now();
    let r = crawl(&c).await;
    assert!(t.elapsed() < Duration::from_secs(6), "{:?}", t.elapsed());
    assert_eq!(
        r.page(&format!("{W}/slow")).page.error.as_deref(),
        Some("timeout")
    );
    assert_eq!(
        r.page(&format!("{W}/drip")).page.error.as_deref(),
        Some("timeout")
    );
    let big = r.page(&format!("{W}/big"));
    assert_eq!(big.page.error.as_deref(), Some("too_large"));
    assert_eq!(
        big.page.title.as_deref(),
        Some("big"),
        "the part read is still extracted"
    );
    assert!(s.was_asked("www.site.test/after-big"));
    assert!(r.page(&format!("{W}/fine")).page.error.is_none());
}

#[tokio::test]
async fn statuses_content_types_and_charsets() {
    let site = |_: &str, path: &str| -> Response {
        match path {
            "/robots.txt" => not_found(),
            "/" => links(&["/missing", "/broken", "/cp1252", "/sjis", "/doc.pdf"]),
            "/broken" => (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response(),
            "/cp1252" => (
                [(header::CONTENT_TYPE, "text/html")],
                b"<html><head><meta charset=windows-1252><title>Caf\xe9 M\xfcller \x80</title></head></html>".to_vec(),
            )
                .into_response(),
            "/sjis" => (
                [(header::CONTENT_TYPE, "text/html; charset=Shift_JIS")],
                b"<html><head><title>\x93\xfa\x96\x7b</title></head></html>".to_vec(),
            )
                .into_response(),
            "/doc.pdf" => ([(header::CONTENT_TYPE, "application/pdf")], b"%PDF-1.4 ...".to_vec()).into_response(),
            _ => not_found(),
        }
    };
    let s = serve(site).await;
    let r = crawl(&config(s.port, &format!("{W}/"))).await;
    let m = r.page(&format!("{W}/missing"));
    assert_eq!(
        (m.page.status, m.page.error.as_deref()),
        (Some(404), Some("http_status"))
    );
    assert_eq!(r.page(&format!("{W}/broken")).page.status, Some(500));
    assert!(r.has_error("http_status", "/broken"));
    assert_eq!(
        r.page(&format!("{W}/cp1252")).page.title.as_deref(),
        Some("Café Müller €")
    );
    assert_eq!(
        r.page(&format!("{W}/sjis")).page.title.as_deref(),
        Some("日本")
    );
    let pdf = r.page(&format!("{W}/doc.pdf"));
    assert_eq!(pdf.page.content_type.as_deref(), Some("application/pdf"));
    assert!(pdf.extract.is_none());
    assert!(!r.start_failed);
}
