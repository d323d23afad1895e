//! Charset of a response body: BOM, then the `Content-Type` charset, then `<meta charset>` /
//! `http-equiv` in the first 1024 bytes (as browsers prescan), then chardetng sniffing.

use encoding_rs::{Encoding, UTF_8};
use std::borrow::Cow;

/// Bytes of the body a browser prescans for `<meta charset>`.
const PRESCAN: usize = 1024;

/// The `charset` parameter of a Content-Type header value, lowercased.
pub fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case("charset").then(|| {
            v.trim()
                .trim_matches(|c| c == '"' || c == '\'')
                .to_ascii_lowercase()
        })
    })
}

/// `<meta charset=…>` or `<meta http-equiv=content-type content="…; charset=…">` in the first
/// 1024 bytes. A byte-level scan: the prefix may not be valid UTF-8.
pub fn meta_charset(body: &[u8]) -> Option<&'static Encoding> {
    let head = &body[..body.len().min(PRESCAN)];
    let lower: Vec<u8> = head.iter().map(|b| b.to_ascii_lowercase()).collect();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"<meta") {
        let start = from + pos;
        let end = lower[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(cs) = find(tag, b"charset") {
            let rest = &tag[cs + 7..];
            let rest = skip_ws(rest);
            if let Some(rest) = rest.strip_prefix(b"=") {
                let rest = skip_ws(rest);
                let rest = rest
                    .strip_prefix(b"\"")
                    .or_else(|| rest.strip_prefix(b"'"))
                    .unwrap_or(rest);
                let label_end = rest
                    .iter()
                    .position(|&b| {
                        matches!(b, b'"' | b'\'' | b' ' | b';' | b'/' | b'>' | b'\t' | b'\n')
                    })
                    .unwrap_or(rest.len());
                if let Some(enc) = Encoding::for_label(&rest[..label_end]) {
                    // A page that claims UTF-16 in ASCII-compatible bytes is really UTF-8 (HTML spec).
                    if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
                        return Some(UTF_8);
                    }
                    return Some(enc);
                }
            }
        }
        from = end.max(start + 1);
        if from >= lower.len() {
            break;
        }
    }
    None
}

fn skip_ws(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The encoding to decode `body` with, given the header charset (if any) and whether it is HTML.
pub fn detect(body: &[u8], header_charset: Option<&str>, html: bool) -> &'static Encoding {
    if let Some((enc, _)) = Encoding::for_bom(body) {
        return enc;
    }
    if let Some(enc) = header_charset.and_then(|c| Encoding::for_label(c.as_bytes())) {
        return enc;
    }
    if html {
        if let Some(enc) = meta_charset(body) {
            return enc;
        }
    }
    // Most pages are UTF-8: checking validity is far cheaper than sniffing.
    if std::str::from_utf8(body).is_ok() {
        return UTF_8;
    }
    let mut det = chardetng::EncodingDetector::new();
    det.feed(body, true);
    det.guess(None, true)
}

/// Decode `body` to text with [`detect`]; malformed sequences become U+FFFD.
pub fn decode<'a>(body: &'a [u8], header_charset: Option<&str>, html: bool) -> Cow<'a, str> {
    let enc = detect(body, header_charset, html);
    let (text, _, _) = enc.decode(body);
    text
}

/// Decode an owned body without copying (or validating twice) when it is UTF-8 already.
pub fn decode_owned(body: Vec<u8>, header_charset: Option<&str>, html: bool) -> String {
    let declared = if let Some((enc, _)) = Encoding::for_bom(&body) {
        Some(enc)
    } else if let Some(enc) = header_charset.and_then(|c| Encoding::for_label(c.as_bytes())) {
        Some(enc)
    } else if html {
        meta_charset(&body)
    } else {
        None
    };
    let body = match declared {
        Some(enc) if enc != UTF_8 => return enc.decode(&body).0.into_owned(),
        // BOM-less UTF-8 (or undeclared): one validation pass, no copy.
        _ if !body.starts_with(b"\xEF\xBB\xBF") => match String::from_utf8(body) {
            Ok(s) => return s,
            Err(e) => e.into_bytes(),
        },
        _ => body,
    };
    let enc = match declared {
        Some(enc) => enc,
        None => {
            let mut det = chardetng::EncodingDetector::new();
            det.feed(&body, true);
            det.guess(None, true)
        }
    };
    enc.decode(&body).0.into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_meta_and_sniffing() {
        assert_eq!(
            charset_param("text/html; Charset=\"ISO-8859-1\"").as_deref(),
            Some("iso-8859-1")
        );
        let page = b"<html><head><meta charset=\"windows-1252\"></head><body>caf\xe9</body></html>";
        assert!(decode(page, None, true).contains("café"));
        let equiv = b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\">\x93\xfa\x96\x7b";
        assert!(decode(equiv, None, true).contains("日本"));
        // The header wins over meta.
        assert!(decode(page, Some("utf-8"), true).contains('\u{FFFD}'));
        // No declaration: sniffed.
        let sniff = "Grüße aus Köln, schöne Größe, übermäßig"
            .as_bytes()
            .to_vec();
        assert_eq!(
            decode_owned(sniff, None, true),
            "Grüße aus Köln, schöne Größe, übermäßig"
        );
        assert_eq!(decode_owned(b"\xEF\xBB\xBFhi".to_vec(), None, true), "hi");
        assert_eq!(
            decode_owned(b"caf\xe9".to_vec(), Some("utf-8"), true),
            "caf\u{FFFD}"
        );
        let latin1 = b"Gr\xfc\xdfe aus K\xf6ln, sch\xf6ne Gr\xf6\xdfe, \xfcberm\xe4\xdfig";
        assert!(decode(latin1, None, true).contains("Grüße"));
    }
}
