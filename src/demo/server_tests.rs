//! Unit tests of the fixture server on its own: virtual hosts, TLS on the same port, rules.

use super::*;
use std::path::Path;
use std::time::Instant;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn write(root: &Path, rel: &str, body: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, body).unwrap();
}

const ROUTES: &str = r#"
[[route]]
host = "www.site.test"
path = "/"
headers = [["Set-Cookie", "sid=abc; Path=/; HttpOnly"], ["Set-Cookie", "lang=en; Max-Age=3600"]]

[[route]]
path = "/old"
location = "/new"
status = 301

[[route]]
path = "/broken"
status = 500

[[route]]
path = "/slow-headers"
delay_ms = 3000

[[route]]
path = "/drip"
body = "0123456789"
drip = { bytes = 2, interval_ms = 60 }

[[route]]
path = "/big"
generate = { kind = "filler", bytes = 31457280 }

[[route]]
path = "/calendar/*"
generate = { kind = "calendar" }

[[route]]
path = "/latin1"
file = "www.site.test/page.html"
content_type = "text/html; charset=windows-1252"
"#;

async fn site() -> (tempfile::TempDir, FixtureServer) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "_routes.toml", ROUTES.as_bytes());
    write(root, "www.site.test/index.html", b"<h1>site home</h1>");
    write(root, "www.site.test/page.html", b"<p>caf\xe9</p>");
    write(root, "www.site.test/blog/index.html", b"<h1>blog</h1>");
    write(root, "cdn.other.test/lib.js", b"console.log('other');");
    write(root, "www.googletagmanager.com/gtag/js", b"/* tag */");
    let server = FixtureServer::start(SiteSource::Dir(root.to_path_buf()))
        .await
        .unwrap();
    (dir, server)
}

fn client(server: &FixtureServer, hosts: &[&str]) -> reqwest::Client {
    let mut b = reqwest::Client::builder()
        .no_proxy()
        .danger_accept_invalid_certs(true)
        .redirect(reqwest::redirect::Policy::none());
    for h in hosts {
        b = b.resolve(h, server.addr());
    }
    b.build().unwrap()
}

#[tokio::test]
async fn serves_each_host_from_its_own_directory() {
    let (_dir, server) = site().await;
    let port = server.port();
    let c = client(
        &server,
        &["www.site.test", "cdn.other.test", "nowhere.test"],
    );

    let r = c
        .get(format!("http://www.site.test:{port}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/html");
    assert_eq!(r.text().await.unwrap(), "<h1>site home</h1>");

    let r = c
        .get(format!("http://cdn.other.test:{port}/lib.js?v=2"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(r.text().await.unwrap(), "console.log('other');");

    let r = c
        .get(format!("http://www.site.test:{port}/blog?x=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 301);
    assert_eq!(r.headers()["location"], "/blog/?x=1");
    let r = c
        .get(format!("http://www.site.test:{port}/blog/"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.text().await.unwrap(), "<h1>blog</h1>");

    let r = c
        .get(format!("http://nowhere.test:{port}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = c
        .get(format!("http://www.site.test:{port}/lib.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        404,
        "files of one host must not leak into another"
    );

    let log = server.requests();
    assert_eq!(log.len(), 6);
    assert_eq!(log[1].host, "cdn.other.test");
    assert_eq!(log[1].path, "/lib.js?v=2");
    assert_eq!(log[1].scheme, "http");
    assert!(log[1].header("host").unwrap().starts_with("cdn.other.test"));
    server.clear_requests();
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn speaks_tls_and_plain_http_on_the_same_port() {
    let (_dir, server) = site().await;
    let port = server.port();
    let c = client(&server, &["www.googletagmanager.com", "www.site.test"]);
    let r = c
        .get(format!(
            "https://www.googletagmanager.com:{port}/gtag/js?id=G-1"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "/* tag */");
    let r = c
        .get(format!("http://www.site.test:{port}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = c
        .get(format!("https://www.site.test:{port}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let schemes: Vec<_> = server.requests().iter().map(|r| r.url()).collect();
    assert_eq!(
        schemes,
        [
            "https://www.googletagmanager.com/gtag/js?id=G-1",
            "http://www.site.test/",
            "https://www.site.test/"
        ]
    );
    assert!(!server.certificate_der().is_empty());
}

#[tokio::test]
async fn rules_set_status_headers_and_bodies() {
    let (_dir, server) = site().await;
    let port = server.port();
    let c = client(&server, &["www.site.test", "cdn.other.test"]);
    let base = format!("http://www.site.test:{port}");

    let r = c.get(format!("{base}/")).send().await.unwrap();
    let cookies: Vec<_> = r.headers().get_all("set-cookie").iter().collect();
    assert_eq!(cookies.len(), 2);
    assert_eq!(cookies[0], "sid=abc; Path=/; HttpOnly");
    assert_eq!(
        r.text().await.unwrap(),
        "<h1>site home</h1>",
        "rule without body serves the file"
    );
    let r = c
        .get(format!("http://cdn.other.test:{port}/"))
        .send()
        .await
        .unwrap();
    assert!(
        r.headers().get("set-cookie").is_none(),
        "host-specific rule leaked"
    );

    let r = c.get(format!("{base}/old")).send().await.unwrap();
    assert_eq!(
        (
            r.status().as_u16(),
            r.headers()["location"].to_str().unwrap()
        ),
        (301, "/new")
    );
    assert_eq!(
        c.get(format!("{base}/broken"))
            .send()
            .await
            .unwrap()
            .status(),
        500
    );

    let r = c.get(format!("{base}/latin1")).send().await.unwrap();
    assert_eq!(
        r.headers()["content-type"],
        "text/html; charset=windows-1252"
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"<p>caf\xe9</p>");

    let r = c
        .get(format!("{base}/calendar/2026-11-29"))
        .send()
        .await
        .unwrap();
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("href=\"/calendar/2026-11-30\""));
    assert_eq!(
        c.get(format!("{base}/calendar/soon"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    let r = c.head(format!("{base}/big")).send().await.unwrap();
    assert_eq!(r.headers()["content-length"], "31457280");
    let r = c.get(format!("{base}/big")).send().await.unwrap();
    assert_eq!(r.bytes().await.unwrap().len(), 31457280);
}

#[tokio::test]
async fn delays_and_drips_are_slow() {
    let (_dir, server) = site().await;
    let port = server.port();
    let c = client(&server, &["www.site.test"]);
    let t = Instant::now();
    let e = c
        .get(format!("http://www.site.test:{port}/slow-headers"))
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();
    assert!(e.is_timeout(), "{e}");
    assert!(t.elapsed() < Duration::from_secs(2));

    let t = Instant::now();
    let r = c
        .get(format!("http://www.site.test:{port}/drip"))
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("content-length").is_none());
    assert_eq!(r.text().await.unwrap(), "0123456789");
    assert!(
        t.elapsed() >= Duration::from_millis(250),
        "{:?}",
        t.elapsed()
    );
}

#[tokio::test]
async fn odd_requests_get_an_answer_and_the_server_lives_on() {
    let (_dir, server) = site().await;
    let port = server.port();
    // Garbage that is neither HTTP nor TLS.
    let mut s = TcpStream::connect(server.addr()).await.unwrap();
    s.write_all(b"\x00\x01garbage\r\n\r\n").await.unwrap();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(2), s.read_to_end(&mut buf)).await;
    // A TLS record header that never completes, then hang up.
    let mut s = TcpStream::connect(server.addr()).await.unwrap();
    s.write_all(&[0x16, 0x03, 0x01]).await.unwrap();
    drop(s);
    // Traversal, missing Host, bad Host.
    for raw in [
        "GET /../../etc/passwd HTTP/1.1\r\nHost: www.site.test\r\n\r\n",
        "GET /%2e%2e/_routes.toml HTTP/1.1\r\nHost: www.site.test\r\n\r\n",
        "GET /_routes.toml HTTP/1.0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: ../..\r\n\r\n",
        "DELETE / HTTP/1.1\r\nHost: www.site.test\r\n\r\n",
    ] {
        let mut s = TcpStream::connect(server.addr()).await.unwrap();
        s.write_all(raw.as_bytes()).await.unwrap();
        let mut buf = vec![0u8; 4096];
        let n = tokio::time::timeout(Duration::from_secs(2), s.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        let head = String::from_utf8_lossy(&buf[..n]).to_string();
        assert!(head.starts_with("HTTP/1."), "{raw:?} → {head}");
        assert!(!head.contains(" 200 "), "{raw:?} must not succeed: {head}");
        assert!(!head.contains("route"), "{raw:?} leaked a file: {head}");
    }
    let c = client(&server, &["www.site.test"]);
    let r = c
        .get(format!("http://www.site.test:{port}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn a_bad_rules_file_is_an_error_at_start() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "_routes.toml", b"[[route]]\npath = \"nope\"\n");
    let e = FixtureServer::start(SiteSource::Dir(dir.path().to_path_buf()))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("must start with '/'"), "{e}");
}

#[test]
fn background_server_serves_synchronous_callers() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.test/index.html", b"hello");
    let server =
        FixtureServer::start_background(SiteSource::Dir(dir.path().to_path_buf())).unwrap();
    let mut s = std::net::TcpStream::connect(server.addr()).unwrap();
    use std::io::{Read, Write};
    s.write_all(b"GET / HTTP/1.0\r\nHost: a.test:1234\r\n\r\n")
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert!(
        out.starts_with("HTTP/1.0 200") && out.ends_with("hello"),
        "{out}"
    );
    assert_eq!(
        server.resolve_all(),
        format!("*:{}:127.0.0.1", server.port())
    );
    assert_eq!(server.requests()[0].host, "a.test");
    drop(server);
}
