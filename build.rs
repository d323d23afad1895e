//! Rebuild the library when catalog data files are added or removed: `include_dir!` only tells
//! rustc about the files it saw, so a new `data/catalog/*.toml` would otherwise be ignored until
//! some source file changed.
fn main() {
    println!("cargo:rerun-if-changed=data/catalog");
}
