//! Rebuild when embedded data changes: `include_dir!` only tells rustc about the files it saw, so
//! a new `data/catalog/*.toml` or demo-site file would otherwise be ignored until a source changed.

fn main() {
    println!("cargo:rerun-if-changed=fixtures/demo-site");
    println!("cargo:rerun-if-changed=data/catalog");
    println!("cargo:rerun-if-changed=data/consent");
    println!("cargo:rerun-if-changed=build.rs");
}
