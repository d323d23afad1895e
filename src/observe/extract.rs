//! Streaming discovery of links, scripts, frames, images, styles and hints in one HTML page.
//! (Skeleton: implemented by the extraction work.)

use super::PageExtract;
use url::Url;

/// Extract everything a page references. `html` is already decoded to UTF-8; `base` is the page URL
/// (`<base href>` is honoured inside).
pub fn extract_html(html: &str, base: &Url) -> PageExtract {
    let _ = (html, base);
    PageExtract::default()
}
