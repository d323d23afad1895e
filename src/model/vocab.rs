//! The report's closed vocabularies as enums: every stage and renderer names a severity, finding
//! kind, party, phase, mode or error kind through these, so a value exists in exactly one place and
//! a typo is a compile error instead of a silently empty filter.
//!
//! Each enum serialises to the snake_case name the report contract has always used, and the JSON
//! Schema (derived with schemars) lists the allowed values. The names compare equal to plain
//! strings (`finding.kind == "undisclosed_service"`), so tests and callers that read a report as
//! text keep working.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Defines a string-valued enum: snake_case (de)serialisation, `as_str`, `ALL`, `Display`,
/// `FromStr` and equality with `str`. `$order` picks the sort order: `by_name` sorts
/// alphabetically by the report name (so sorted report lists keep their historic order), `derived`
/// keeps declaration order.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $order:ident enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name used in the report.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )+
                }
            }
        }

        /// Reads as its report name wherever text is expected (`page.error.as_deref()`,
        /// `kind.starts_with("tracking_")`).
        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                self.as_str()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| {
                        let names: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                        format!("{s:?} is not one of {}", names.join(", "))
                    })
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                self.as_str() == other
            }
        }

        vocabulary!(@order $order $name);
    };
    (@order by_name $name:ident) => {
        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }
        impl Ord for $name {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                self.as_str().cmp(other.as_str())
            }
        }
    };
    (@order derived $name:ident) => {
        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }
        impl Ord for $name {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                (*self as u8).cmp(&(*other as u8))
            }
        }
    };
}

vocabulary! {
    /// How bad a finding is. Ordered: `Info < Low < Medium < High`, so `severity >= threshold`
    /// reads as "at least this bad". Reports list findings worst first.
    derived enum Severity {
        /// Worth knowing, nothing to fix (e.g. a declared service not seen).
        #[default]
        Info = "info",
        /// Cosmetic or company-only disclosure.
        Low = "low",
        /// A third party receives the visitor's IP address on load.
        Medium = "medium",
        /// Tracking or profiling that the policy or consent does not cover.
        High = "high",
    }
}

impl Severity {
    /// Worst first: the order in which reports list and count severities.
    pub const WORST_FIRST: [Severity; 4] = [
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];
}

vocabulary! {
    /// What a finding is about. Sorted by name in the report.
    by_name enum FindingKind {
        /// An observed third-party service the policy does not name.
        #[default]
        UndisclosedService = "undisclosed_service",
        /// The policy names only the service's company.
        DisclosedByCompanyOnly = "disclosed_by_company_only",
        /// The policy names a service the scan did not observe.
        DeclaredNotObserved = "declared_not_observed",
        /// A loaded third-party host no catalog entry explains.
        UnattributedThirdParty = "unattributed_third_party",
        /// A tracker ran before any consent was given.
        TrackingBeforeConsent = "tracking_before_consent",
        /// A tracker ran after "reject all".
        TrackingAfterReject = "tracking_after_reject",
        /// The consent manager lists a service the policy does not name.
        CmpServiceNotInPolicy = "cmp_service_not_in_policy",
        /// After "reject all", a Google tag only sent cookieless Consent Mode pings with every
        /// storage type denied and set no cookie (Consent Mode "advanced").
        ConsentModePingAfterReject = "consent_mode_ping_after_reject",
        /// A consent manager is on the site, yet a Google measurement ping carries no Consent
        /// Mode state.
        ConsentModeMissing = "consent_mode_missing",
        /// After "reject all", the IAB TCF API still reports purpose consents.
        TcfConsentAfterReject = "tcf_consent_after_reject",
    }
}

vocabulary! {
    /// Whether a cookie or script belongs to the scanned site (by registrable domain).
    derived enum Party {
        /// The site's own registrable domain(s).
        #[default]
        First = "first",
        /// Anyone else.
        Third = "third",
    }
}

vocabulary! {
    /// How a cookie was set.
    derived enum SetBy {
        /// A `Set-Cookie` response header.
        #[default]
        Header = "header",
        /// `document.cookie` from a script (browser mode).
        Script = "script",
    }
}

vocabulary! {
    /// Consent phase in which something was observed. Static mode only knows `BeforeConsent`.
    /// Ordered as the phases run, which is the order of `phases` lists in the report.
    derived enum Phase {
        /// Nothing clicked yet.
        #[default]
        BeforeConsent = "before_consent",
        /// After "accept all".
        AfterAccept = "after_accept",
        /// After "reject all".
        AfterReject = "after_reject",
    }
}

vocabulary! {
    /// What shows that a service ran. Ordered weakest first, so the strongest piece of evidence
    /// wins: `CookieNameOnly < Script < Request`.
    derived enum EvidenceStrength {
        /// Only a well-known cookie name (on the site's or another domain): any script, the
        /// site's own included, can write `_ga`, so this alone is weak evidence.
        #[default]
        CookieNameOnly = "cookie_name_only",
        /// Its script: from its hosts, its inline snippet, or a self-hosted path marker.
        Script = "script",
        /// A request to its hosts (or a cookie a response from them set).
        Request = "request",
    }
}

vocabulary! {
    /// One Google Consent Mode type's state. Ordered by permissiveness (`Unset < Denied <
    /// Granted`): over several requests the most permissive wins, because one granted request is
    /// enough to let a tag use storage.
    derived enum ConsentState {
        /// Not set by the site (the tag then behaves as if granted).
        #[default]
        Unset = "unset",
        /// Denied.
        Denied = "denied",
        /// Granted.
        Granted = "granted",
    }
}

vocabulary! {
    /// Where a Google Consent Mode state was read.
    derived enum SignalSource {
        /// Decoded from `gcs`/`gcd` on the Google tag requests the browser made.
        #[default]
        Requests = "requests",
        /// The markup's inline `gtag('consent','default',…)` call (static mode).
        Markup = "markup",
    }
}

vocabulary! {
    /// How pages were fetched.
    derived enum Mode {
        /// HTTP fetch + streaming HTML extraction (fast, default).
        #[default]
        Static = "static",
        /// Real headless Chromium over CDP.
        Browser = "browser",
    }
}

impl clap::ValueEnum for Mode {
    fn value_variants<'a>() -> &'a [Self] {
        Mode::ALL
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

vocabulary! {
    /// What went wrong in an entry of the report's `errors` (and a page's `error`). Sorted by name.
    by_name enum ErrorKind {
        /// No complete response within `--timeout`.
        Timeout = "timeout",
        /// The host name does not resolve.
        Dns = "dns",
        /// TCP connection failed.
        Connect = "connect",
        /// TLS handshake or certificate problem.
        Tls = "tls",
        /// Body larger than `--max-body` (truncated).
        TooLarge = "too_large",
        /// A redirect led back into its own chain.
        RedirectLoop = "redirect_loop",
        /// Too many redirect hops.
        TooManyRedirects = "too_many_redirects",
        /// A redirect left the scan's scope.
        OffScopeRedirect = "off_scope_redirect",
        /// The server answered with an error status.
        HttpStatus = "http_status",
        /// Reading or decompressing the body failed.
        Body = "body",
        /// The URL cannot be requested.
        InvalidUrl = "invalid_url",
        /// Browser mode: the page did not settle in time.
        PageTimeout = "page_timeout",
        /// Browser mode: the browser failed on this page.
        Browser = "browser",
        /// Browser mode: a consent click failed.
        Consent = "consent",
        /// A setting could not be applied.
        Config = "config",
        /// A crawler trap (endless calendar, session ids in URLs) was cut off.
        Trap = "trap",
        /// robots.txt could not be read or disallowed something.
        Robots = "robots",
        /// A sitemap could not be read.
        Sitemap = "sitemap",
        /// A document could not be parsed.
        Parse = "parse",
        /// A `Set-Cookie` header could not be parsed cleanly.
        Cookie = "cookie",
        /// The policy could not be read.
        Policy = "policy",
        /// A bug in the tool (the page was skipped).
        #[default]
        Internal = "internal",
        /// A URL led to an internal address (loopback, private, link-local) that the scan was not
        /// told to reach (`--allow-private`), so it was not contacted.
        PrivateAddressRefused = "private_address_refused",
        /// The scan was stopped (Ctrl-C, SIGTERM) and the report is partial (`incomplete`).
        Interrupted = "interrupted",
        /// The response's headers were larger than the tool accepts (a header flood).
        HeadersTooLarge = "headers_too_large",
        /// A redirect pointed to a scheme that is never fetched (file:, ftp:, javascript:, data:).
        UnsafeRedirect = "unsafe_redirect",
        /// Browser mode: the rendered page could not be read (links, scripts, storage, HTML).
        DomRead = "dom_read",
        /// Browser mode: the browser's storage (cookie jar, cookie names) could not be read.
        StorageRead = "storage_read",
        /// Browser mode: a probe (consent manager detection, its declared services) failed.
        Probe = "probe",
        /// Browser mode: the consent button could not be looked for (the page threw or hung).
        ConsentClick = "consent_click",
        /// Browser mode: the visit overran `--page-timeout` plus the grace; the tab was closed.
        PageUnresponsive = "page_unresponsive",
        /// Browser mode: the page made more requests than are recorded per page.
        RequestsCapped = "requests_capped",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_json_and_from_str() {
        for k in FindingKind::ALL {
            let json = serde_json::to_string(k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
            assert_eq!(serde_json::from_str::<FindingKind>(&json).unwrap(), *k);
            assert_eq!(k.as_str().parse::<FindingKind>().unwrap(), *k);
        }
        for e in ErrorKind::ALL {
            assert_eq!(serde_json::to_value(e).unwrap(), e.as_str());
        }
        for s in EvidenceStrength::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert!("nonsense".parse::<Severity>().is_err());
    }

    #[test]
    fn severity_orders_by_badness_and_kinds_by_name() {
        assert!(Severity::High > Severity::Medium && Severity::Low > Severity::Info);
        let mut kinds = FindingKind::ALL.to_vec();
        kinds.sort();
        let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        assert!(
            Phase::BeforeConsent < Phase::AfterAccept && Phase::AfterAccept < Phase::AfterReject
        );
        assert!(
            EvidenceStrength::CookieNameOnly < EvidenceStrength::Script
                && EvidenceStrength::Script < EvidenceStrength::Request
        );
    }
}
