//! Per-page cost of streaming extraction on a realistic ~20 KB page (the crawl benchmark's page
//! size): `cargo bench --bench extract`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use privacy_inventory::observe::css::css_references;
use privacy_inventory::observe::extract::extract_html;
use std::hint::black_box;
use url::Url;

/// A shop-like page: head with CMP, analytics, fonts and hints, a nav, ~10 links per section,
/// images with srcset, an inline script, a YouTube embed, a noscript pixel and a footer.
fn page() -> String {
    let mut html = String::from(
        r#"<!doctype html><html lang="de"><head><meta charset="utf-8">
<title>Produkte &amp; Preise – Beispiel GmbH</title>
<link rel="preconnect" href="https://fonts.gstatic.com" crossorigin>
<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Inter:wght@400;700&display=swap">
<link rel="stylesheet" href="/assets/site.css"><link rel="icon" href="/favicon.ico">
<script id="Cookiebot" src="https://consent.cookiebot.com/uc.js" data-cbid="abc" type="text/javascript"></script>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-XYZ"></script>
<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}gtag('js',new Date());gtag('config','G-XYZ');</script>
<script type="text/plain" data-cookieconsent="marketing" src="https://connect.facebook.net/en_US/fbevents.js"></script>
<style>.hero{background:url(/img/hero.jpg)} @font-face{font-family:X;src:url(/f/x.woff2)}</style>
</head><body><header><nav><ul>"#,
    );
    for i in 0..12 {
        html.push_str(&format!(
            "<li class=\"nav-item\"><a class=\"nav-link\" href=\"/kategorie/{i}\">Kategorie {i}</a></li>\n"
        ));
    }
    html.push_str("</ul></nav></header><main>");
    while html.len() < 17_000 {
        let i = html.len();
        html.push_str(&format!(
            r#"<section class="product"><h2>Produkt {i}</h2>
<picture><source srcset="/img/p{i}.webp 1x, /img/p{i}@2x.webp 2x" type="image/webp">
<img src="/img/p{i}.jpg" alt="Produkt {i}" loading="lazy" width="300" height="200"></picture>
<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut
labore et dolore magna aliqua. <a href="/produkt/{i}?ref=list">Mehr erfahren</a></p>
<div style="background-image:url('/img/bg{i}.png')" class="card"><span>ab 19,99&nbsp;€</span></div>
</section>
"#
        ));
    }
    html.push_str(
        r#"<iframe width="560" height="315" data-src="https://www.youtube-nocookie.com/embed/xyz" data-cookieconsent="marketing"></iframe>
<form action="https://forms.hubspot.com/uploads/form/v2/1/2" method="post"><input name="email"></form>
</main><footer><a href="/impressum">Impressum</a> <a href="/datenschutz">Datenschutzerklärung</a>
<a href="/agb">AGB</a><a href="https://www.linkedin.com/company/beispiel">LinkedIn</a></footer>
<noscript><img height="1" width="1" src="https://www.facebook.com/tr?id=1&amp;ev=PageView&amp;noscript=1"></noscript>
</body></html>"#,
    );
    html
}

fn bench(c: &mut Criterion) {
    let html = page();
    let base = Url::parse("https://www.beispiel.de/produkte/").unwrap();
    let mut group = c.benchmark_group("extract");
    group.throughput(Throughput::Bytes(html.len() as u64));
    group.bench_function(format!("extract_html {} bytes", html.len()), |b| {
        b.iter(|| extract_html(black_box(&html), black_box(&base)))
    });
    // Baseline: what a links-only crawler pays for the same page (lol_html, one selector).
    group.bench_function("links_only_baseline", |b| {
        b.iter(|| {
            let mut links = Vec::new();
            let mut rw = lol_html::HtmlRewriter::new(
                lol_html::Settings {
                    element_content_handlers: vec![lol_html::element!("a[href]", |el| {
                        if let Some(h) = el.get_attribute("href") {
                            links.extend(base.join(&h).ok());
                        }
                        Ok(())
                    })],
                    ..lol_html::Settings::new()
                },
                |_: &[u8]| {},
            );
            let _ = rw.write(black_box(html.as_bytes()));
            let _ = rw.end();
            links
        })
    });
    let css = "@import url(https://fonts.googleapis.com/css2?family=Inter);\n".to_string()
        + &".c{background:url(/i.png)} /* c */ @font-face{src:url(/f.woff2)}\n".repeat(300);
    group.throughput(Throughput::Bytes(css.len() as u64));
    group.bench_function(format!("css_references {} bytes", css.len()), |b| {
        b.iter(|| css_references(black_box(&css), black_box(&base)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
