//! Analysing a ~35 KB policy must take < 20 ms (issue 4). Run: `cargo bench --bench policy`.

use criterion::{criterion_group, criterion_main, Criterion};
use privacy_inventory::catalog::Catalog;
use privacy_inventory::policy::matcher::NameMatcher;
use privacy_inventory::policy::{analyze_text, analyze_with, plain::parse_plain};
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

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
