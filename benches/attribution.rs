//! Attribution speed: 100,000 hostnames against the built-in catalog, tables built once.
//! The bar (issue 3): under 100 ms for all of them.

use criterion::{criterion_group, criterion_main, Criterion};
use privacy_inventory::catalog::{attribute, Catalog, HostAttribution};
use privacy_inventory::observe::Observations;
use privacy_inventory::report::model::ThirdParty;
use std::hint::black_box;

/// 100,000 hostnames: a third are subdomains of catalog hosts, a third exact catalog hosts, a third
/// unknown (these take the slowest path: every label probed, then the company walk and the PSL).
fn hostnames(c: &Catalog) -> Vec<String> {
    let known: Vec<&str> = c
        .services()
        .iter()
        .flat_map(|s| s.hosts.iter().map(String::as_str))
        .collect();
    let tlds = ["com", "de", "co.uk", "net", "io", "at"];
    (0..100_000usize)
        .map(|i| match i % 3 {
            0 => format!("edge{}.{}", i % 97, known[i % known.len()]),
            1 => known[(i * 7) % known.len()].to_string(),
            _ => format!("cdn{}.shop{}.{}", i % 13, i % 5000, tlds[i % tlds.len()]),
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let catalog =
        Catalog::builtin().unwrap_or_else(|e| panic!("built-in catalog has errors:\n{e}"));
    let hosts = hostnames(&catalog);
    let mut g = c.benchmark_group("attribution");
    g.sample_size(20);
    g.bench_function("attribute_host x100k", |b| {
        b.iter(|| {
            let mut services = 0usize;
            for h in &hosts {
                if let HostAttribution::Service { .. } = catalog.attribute_host(black_box(h)) {
                    services += 1;
                }
            }
            services
        })
    });
    let third_parties: Vec<ThirdParty> = hosts
        .iter()
        .map(|h| ThirdParty {
            host: h.clone(),
            registrable_domain: privacy_inventory::domain::registrable_domain(h),
            pages: vec!["https://www.example.com/".into()],
            ..Default::default()
        })
        .collect();
    g.bench_function("attribute() 100k third parties", |b| {
        b.iter_batched(
            || Observations {
                first_party_domains: vec!["example.com".into()],
                third_parties: third_parties.clone(),
                ..Default::default()
            },
            |obs| {
                // Returned, so freeing 100k entries is not part of the measurement.
                let inventory = attribute(&obs, &catalog);
                (obs, inventory)
            },
            criterion::BatchSize::LargeInput,
        )
    });
    g.bench_function("catalog build (load + validate + index)", |b| {
        b.iter(|| Catalog::builtin().map(|c| c.services().len()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
