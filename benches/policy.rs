//! Analysing a ~35 KB policy must take < 20 ms (issue 4); reading and analysing a 10 MB policy
//! (plain text, HTML, and one 400 KB paragraph naming services repeatedly) must take < 2 s
//! (issue 11). Run: `cargo bench --bench policy`.

use criterion::{criterion_group, criterion_main, Criterion};
use privacy_inventory::catalog::Catalog;
use privacy_inventory::policy::matcher::NameMatcher;
use privacy_inventory::policy::{analyze_text, analyze_with, html::parse_html, plain::parse_plain};
use std::path::PathBuf;

fn catalog() -> Catalog {
    Catalog::builtin().unwrap_or_else(|e| {
        eprintln!("built-in catalog does not load ({e}); loading data/catalog/*.toml as layers");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/catalog");
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("data/catalog")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().is_some_and(|x| x == "toml") && !p.ends_with("categories.toml")
            })
            .collect();
        files.sort();
        Catalog::from_files(&files).expect("catalog layers load")
    })
}

/// The example policy (34 KB, `../shared/examples/` next to the crate). A missing file fails the
/// benchmark instead of silently measuring something else.
fn policy_text() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/examples/iiot-flow-privacy-policy.txt"
    );
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read the example policy {path}: {e}"))
}

fn bench(c: &mut Criterion) {
    let catalog = catalog();
    let raw = policy_text();
    eprintln!(
        "policy: {} bytes, catalog: {} services",
        raw.len(),
        catalog.services().len()
    );
    let text = parse_plain(&raw, "bench.txt");
    c.bench_function("parse_and_analyze_35kb", |b| {
        b.iter(|| analyze_text(&parse_plain(&raw, "bench.txt"), &catalog))
    });
    c.bench_function("analyze_35kb_with_matcher_build", |b| {
        b.iter(|| analyze_text(&text, &catalog))
    });
    let matcher = NameMatcher::new(&catalog);
    c.bench_function("analyze_35kb_prebuilt_matcher", |b| {
        b.iter(|| analyze_with(&matcher, &text, &catalog))
    });
}

/// About 10 MB of policy-like text: the example repeated under numbered headings.
fn ten_megabytes(raw: &str) -> String {
    let mut out = String::with_capacity(10 * 1024 * 1024 + raw.len());
    let mut i = 0;
    while out.len() < 10 * 1024 * 1024 {
        out.push_str(&format!("# Teil {i}\n"));
        out.push_str(raw);
        out.push('\n');
        i += 1;
    }
    out
}

fn bench_large(c: &mut Criterion) {
    let catalog = catalog();
    let raw = policy_text();
    let big = ten_megabytes(&raw);
    let mut html = String::from("<html><body><main>");
    for line in big.lines() {
        match line.strip_prefix("# ") {
            Some(h) => html.push_str(&format!("<h2>{h}</h2>")),
            None => html.push_str(&format!("<p>{line}</p>")),
        }
    }
    html.push_str("</main></body></html>");
    let mut paragraph = String::new();
    while paragraph.len() < 400_000 {
        paragraph.push_str("wir nutzen Google Analytics und Hotjar, nicht aber andere dienste, ");
    }
    let matcher = NameMatcher::new(&catalog);
    let mut g = c.benchmark_group("large");
    g.sample_size(10);
    g.bench_function("parse_and_analyze_10mb_text", |b| {
        b.iter(|| analyze_with(&matcher, &parse_plain(&big, "big.txt"), &catalog))
    });
    g.bench_function("parse_and_analyze_10mb_html", |b| {
        b.iter(|| analyze_with(&matcher, &parse_html(&html, "big.html"), &catalog))
    });
    g.bench_function("parse_and_analyze_400kb_paragraph", |b| {
        b.iter(|| analyze_with(&matcher, &parse_plain(&paragraph, "p.txt"), &catalog))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench, bench_large
}
criterion_main!(benches);
