//! Shared helpers for the policy tests: the real catalog, and real PDFs written by hand.
#![allow(dead_code)]

use privacy_inventory::catalog::Catalog;
use std::path::PathBuf;

/// The built-in catalog. While the data files are being written on parallel branches the merged
/// data may hold duplicate ids across files; then the files are loaded as layers (later files
/// override earlier ones), and the load error is printed so it is not silent.
pub fn real_catalog() -> Catalog {
    match Catalog::builtin() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("built-in catalog does not load, using data/catalog/*.toml as layers:\n{e}");
            let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/catalog");
            let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
                .expect("data/catalog exists")
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .filter(|p| !p.ends_with("categories.toml"))
                .collect();
            files.sort();
            Catalog::from_files(&files).expect("catalog files load as layers")
        }
    }
}

fn pdf_string(s: &str) -> String {
    let mut out = String::from("(");
    for c in s.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 128 => out.push(c),
            // WinAnsiEncoding octal escapes for the German letters the fixtures use.
            'ä' => out.push_str("\\344"),
            'ö' => out.push_str("\\366"),
            'ü' => out.push_str("\\374"),
            'Ä' => out.push_str("\\304"),
            'Ö' => out.push_str("\\326"),
            'Ü' => out.push_str("\\334"),
            'ß' => out.push_str("\\337"),
            _ => out.push('?'),
        }
    }
    out.push(')');
    out
}

/// A valid one-page PDF (Helvetica, WinAnsiEncoding) with one text line per entry of `lines`,
/// with a correct xref table, so a real parser reads it.
pub fn make_pdf(lines: &[&str]) -> Vec<u8> {
    let mut content = String::from("BT\n/F1 11 Tf\n14 TL\n50 800 Td\n");
    for l in lines {
        content.push_str(&format!("{} Tj\nT*\n", pdf_string(l)));
    }
    content.push_str("ET\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{}endstream", content.len(), content),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_string(),
    ];
    let mut pdf = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{}\nendobj\n", i + 1, body).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

/// A file that claims to be a PDF but is cut off in the middle of its first object.
pub fn broken_pdf() -> Vec<u8> {
    let mut pdf = make_pdf(&["Datenschutz"]);
    pdf.truncate(40);
    pdf.extend_from_slice(b"\nstream\n\x00\x01garbage without end");
    pdf
}

use privacy_inventory::catalog::{Company, Service};

fn service(id: &str, name: &str, company: &str, hosts: &[&str], aliases: &[&str]) -> Service {
    Service {
        id: id.into(),
        name: name.into(),
        company: company.into(),
        categories: vec!["analytics".into()],
        hosts: hosts.iter().map(|s| s.to_string()).collect(),
        cookies: vec![],
        signatures: vec![],
        paths: vec![],
        urls: vec![],
        aliases: aliases.iter().map(|s| s.to_string()).collect(),
        family: None,
        shared_hosts: false,
        source: None,
    }
}

fn company(id: &str, name: &str, aliases: &[&str]) -> Company {
    Company {
        id: id.into(),
        name: name.into(),
        parent: None,
        country: None,
        aliases: aliases.iter().map(|s| s.to_string()).collect(),
        formerly: vec![],
        source: None,
    }
}

/// A small fixed catalog, so fixture expectations do not move with the real data.
pub fn test_catalog() -> Catalog {
    Catalog::from_parts(
        vec![
            service(
                "google-fonts",
                "Google Fonts",
                "google",
                &["fonts.googleapis.com", "fonts.gstatic.com"],
                &["Google Web Fonts"],
            ),
            service(
                "google-analytics",
                "Google Analytics",
                "google",
                &["google-analytics.com"],
                &["GA4"],
            ),
            service(
                "google-maps",
                "Google Maps",
                "google",
                &["maps.googleapis.com"],
                &[],
            ),
            service("youtube", "YouTube", "google", &["youtube.com"], &[]),
            service("hotjar", "Hotjar", "hotjar", &["hotjar.com"], &[]),
            service(
                "meta-pixel",
                "Meta Pixel",
                "meta",
                &["connect.facebook.net"],
                &["Facebook Pixel"],
            ),
            service("instagram", "Instagram", "meta", &["instagram.com"], &[]),
            service("stripe", "Stripe", "stripe", &["js.stripe.com"], &[]),
        ],
        vec![
            company("google", "Google Ireland Limited", &["Google", "Alphabet"]),
            company(
                "meta",
                "Meta Platforms Ireland Limited",
                &["Meta", "Facebook"],
            ),
            company("hotjar", "Hotjar Ltd.", &[]),
            company("stripe", "Stripe Payments Europe, Limited", &[]),
        ],
    )
}

/// (name, service, matched_as, negated) of each declaration, for compact assertions.
pub fn summary(
    decls: &[privacy_inventory::report::model::Declaration],
) -> Vec<(String, Option<String>, String, bool)> {
    decls
        .iter()
        .map(|d| {
            (
                d.name.clone(),
                d.service.clone(),
                d.matched_as.clone(),
                d.negated,
            )
        })
        .collect()
}
