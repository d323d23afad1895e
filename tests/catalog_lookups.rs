//! A table of real hostnames, URLs, cookie names and script snippets, and the service each must give
//! with the built-in catalog.

use privacy_inventory::catalog::Catalog;

/// (kind, query, expected service id). Kinds: host, url, cookie (first party), cookie3 (third party),
/// script (inline text).
const CASES: &[(&str, &str, &str)] = &[
    // Google: one entry per product, longest suffix first.
    ("host", "www.google-analytics.com", "google-analytics"),
    ("host", "region1.google-analytics.com", "google-analytics"),
    ("host", "analytics.google.com", "google-analytics"),
    ("host", "stats.g.doubleclick.net", "google-analytics"),
    ("host", "www.googletagmanager.com", "google-tag-manager"),
    ("host", "tagmanager.google.com", "google-tag-manager"),
    ("host", "fonts.googleapis.com", "google-fonts"),
    ("host", "fonts.gstatic.com", "google-fonts"),
    ("host", "maps.googleapis.com", "google-maps"),
    ("host", "maps.gstatic.com", "google-maps"),
    ("host", "ajax.googleapis.com", "google-hosted-libraries"),
    ("host", "storage.googleapis.com", "google-cloud-storage"),
    ("host", "www.youtube.com", "youtube"),
    ("host", "www.youtube-nocookie.com", "youtube"),
    ("host", "i.ytimg.com", "youtube"),
    ("host", "rr3---sn-4g5e6nsz.googlevideo.com", "youtube"),
    ("host", "googleads.g.doubleclick.net", "google-ads"),
    ("host", "www.googleadservices.com", "google-ads"),
    ("host", "securepubads.g.doubleclick.net", "google-ad-manager"),
    ("host", "www.googletagservices.com", "google-ad-manager"),
    ("host", "pagead2.googlesyndication.com", "google-adsense"),
    ("host", "ad.doubleclick.net", "google-doubleclick"),
    ("host", "cm.g.doubleclick.net", "google-doubleclick"),
    ("host", "recaptcha.net", "google-recaptcha"),
    ("host", "my-app-default-rtdb.firebaseio.com", "google-firebase"),
    ("host", "firestore.googleapis.com", "google-firebase"),
    ("host", "my-app.firebaseapp.com", "google-firebase-hosting"),
    ("host", "accounts.google.com", "google-identity"),
    ("host", "translate.googleapis.com", "google-translate"),
    ("host", "calendar.google.com", "google-calendar"),
    ("host", "www.googleoptimize.com", "google-optimize"),
    ("host", "fundingchoicesmessages.google.com", "google-funding-choices"),
    ("host", "cse.google.com", "google-programmable-search"),
    ("url", "https://www.google.com/recaptcha/api.js?render=explicit", "google-recaptcha"),
    ("url", "https://www.google.com/maps/embed?pb=!1m18", "google-maps"),
    // Meta, Microsoft, LinkedIn, X, TikTok, Pinterest, Snapchat, Reddit.
    ("url", "https://connect.facebook.net/en_US/fbevents.js", "meta-pixel"),
    ("url", "https://connect.facebook.net/de_DE/sdk.js", "facebook-social-plugins"),
    ("host", "static.xx.fbcdn.net", "facebook-cdn"),
    ("host", "www.instagram.com", "instagram"),
    ("host", "scontent.cdninstagram.com", "instagram"),
    ("host", "www.clarity.ms", "microsoft-clarity"),
    ("host", "c.clarity.ms", "microsoft-clarity"),
    ("host", "bat.bing.com", "microsoft-advertising"),
    ("host", "login.microsoftonline.com", "microsoft-identity"),
    ("host", "js.monitor.azure.com", "azure-application-insights"),
    ("host", "mystore.blob.core.windows.net", "azure-hosting"),
    ("host", "snap.licdn.com", "linkedin-insight-tag"),
    ("host", "px.ads.linkedin.com", "linkedin-insight-tag"),
    ("host", "platform.linkedin.com", "linkedin-plugins"),
    ("host", "static.ads-twitter.com", "x-ads"),
    ("host", "platform.twitter.com", "x-embeds"),
    ("host", "analytics.tiktok.com", "tiktok-pixel"),
    ("host", "ct.pinterest.com", "pinterest-tag"),
    ("host", "assets.pinterest.com", "pinterest-widgets"),
    ("host", "tr.snapchat.com", "snap-pixel"),
    ("host", "sc-static.net", "snap-pixel"),
    ("host", "alb.reddit.com", "reddit-pixel"),
    // Ads, native ads, exchanges.
    ("host", "static.criteo.net", "criteo"),
    ("host", "dis.criteo.com", "criteo"),
    ("host", "trc.taboola.com", "taboola"),
    ("host", "widgets.outbrain.com", "outbrain"),
    ("host", "s.adroll.com", "adroll"),
    ("host", "track.adform.net", "adform"),
    ("host", "c.amazon-adsystem.com", "amazon-advertising"),
    ("host", "js-sec.indexww.com", "index-exchange"),
    ("host", "cdn.doubleverify.com", "doubleverify"),
    ("host", "pixel.adsafeprotected.com", "integral-ad-science"),
    ("host", "www.awin1.com", "awin"),
    ("host", "www.dwin1.com", "awin"),
    ("host", "dpm.demdex.net", "adobe-audience-manager"),
    ("host", "assets.adobedtm.com", "adobe-experience-platform-tags"),
    ("host", "mycompany.sc.omtrdc.net", "adobe-analytics"),
    ("host", "mycompany.tt.omtrdc.net", "adobe-target"),
    // Analytics and session recording.
    ("host", "static.hotjar.com", "hotjar"),
    ("host", "script.hotjar.com", "hotjar"),
    ("host", "cdn.matomo.cloud", "matomo-cloud"),
    ("host", "example.matomo.cloud", "matomo-cloud"),
    ("host", "plausible.io", "plausible"),
    ("host", "cdn.usefathom.com", "fathom"),
    ("host", "code.etracker.com", "etracker"),
    ("host", "services.econda.de", "econda"),
    ("host", "cdn.mouseflow.com", "mouseflow"),
    ("host", "rec.smartlook.com", "smartlook"),
    ("host", "edge.fullstory.com", "fullstory"),
    ("host", "t.contentsquare.net", "contentsquare"),
    ("host", "script.crazyegg.com", "crazy-egg"),
    ("host", "cdn.segment.com", "segment"),
    ("host", "api-js.mixpanel.com", "mixpanel"),
    ("host", "eu.posthog.com", "posthog"),
    ("host", "api2.amplitude.com", "amplitude"),
    ("host", "cdn.heapanalytics.com", "heap"),
    ("host", "static.cloudflareinsights.com", "cloudflare-web-analytics"),
    ("host", "mc.yandex.ru", "yandex-metrica"),
    ("host", "script.ioam.de", "infonline"),
    ("host", "dev.visualwebsiteoptimizer.com", "vwo"),
    ("host", "cdn.optimizely.com", "optimizely"),
    ("host", "try.abtasty.com", "ab-tasty"),
    ("host", "containers.piwik.pro", "piwik-pro"),
    ("host", "stats.wp.com", "jetpack-stats"),
    // Consent managers.
    ("host", "app.usercentrics.eu", "usercentrics"),
    ("host", "consent.cookiebot.com", "cookiebot"),
    ("host", "cdn.cookielaw.org", "onetrust"),
    ("host", "sdk.privacy-center.org", "didomi"),
    ("host", "cmp.osano.com", "osano"),
    ("host", "cdn.iubenda.com", "iubenda"),
    ("host", "cdn-cookieyes.com", "cookieyes"),
    ("host", "cdn.privacy-mgmt.com", "sourcepoint"),
    ("host", "cmp.inmobi.com", "inmobi-choice"),
    ("host", "cdn.consentmanager.net", "consentmanager-net"),
    ("host", "cloud.ccm19.de", "ccm19"),
    ("host", "cdn.kiprotect.com", "klaro"),
    // Marketing, newsletters, CRM.
    ("host", "js.hs-scripts.com", "hubspot"),
    ("host", "js.hsforms.net", "hubspot-forms"),
    ("host", "js-eu1.hs-banner.com", "hubspot-cookie-banner"),
    ("host", "js.usemessages.com", "hubspot-chat"),
    ("host", "mycompany.us21.list-manage.com", "mailchimp"),
    ("host", "chimpstatic.com", "mailchimp"),
    ("host", "sibforms.com", "brevo"),
    ("host", "static.klaviyo.com", "klaviyo"),
    ("host", "eu.cleverreach.com", "cleverreach"),
    ("host", "t.rapidmail.de", "rapidmail"),
    ("host", "munchkin.marketo.net", "marketo"),
    ("host", "pi.pardot.com", "salesforce-pardot"),
    ("host", "mycompany.my.salesforce.com", "salesforce"),
    ("host", "salesiq.zoho.eu", "zoho-salesiq"),
    // Payments and shops.
    ("host", "js.stripe.com", "stripe"),
    ("host", "m.stripe.network", "stripe"),
    ("host", "www.paypal.com", "paypal"),
    ("host", "www.paypalobjects.com", "paypal"),
    ("host", "x.klarnacdn.net", "klarna"),
    ("host", "checkoutshopper-live.adyen.com", "adyen"),
    ("host", "js.mollie.com", "mollie"),
    ("host", "cdn.shopify.com", "shopify"),
    ("host", "pay.google.com", "google-pay"),
    // Video, chat, support, scheduling, reviews, monitoring, captcha.
    ("host", "player.vimeo.com", "vimeo"),
    ("host", "i.vimeocdn.com", "vimeo"),
    ("host", "fast.wistia.net", "wistia"),
    ("host", "assets.calendly.com", "calendly"),
    ("host", "widget.intercom.io", "intercom"),
    ("host", "js.intercomcdn.com", "intercom"),
    ("host", "static.zdassets.com", "zendesk"),
    ("host", "client.crisp.chat", "crisp-chat"),
    ("host", "embed.tawk.to", "tawk-to"),
    ("host", "userlike-cdn-widgets.s3-eu-west-1.amazonaws.com", "userlike"),
    ("host", "widget.trustpilot.com", "trustpilot"),
    ("host", "widgets.trustedshops.com", "trusted-shops"),
    ("host", "www.provenexpert.com", "provenexpert"),
    ("host", "browser.sentry-cdn.com", "sentry"),
    ("host", "o123456.ingest.sentry.io", "sentry"),
    ("host", "js-agent.newrelic.com", "new-relic"),
    ("host", "bam.nr-data.net", "new-relic"),
    ("host", "browser-intake-datadoghq.eu", "datadog-rum"),
    ("host", "js.hcaptcha.com", "hcaptcha"),
    ("host", "api.friendlycaptcha.com", "friendly-captcha"),
    ("host", "challenges.cloudflare.com", "cloudflare-turnstile"),
    ("host", "embed.typeform.com", "typeform"),
    ("host", "disqus.com", "disqus"),
    // CDNs and hosting.
    ("host", "cdnjs.cloudflare.com", "cdnjs"),
    ("host", "cdn.jsdelivr.net", "jsdelivr"),
    ("host", "unpkg.com", "unpkg"),
    ("host", "code.jquery.com", "jquery-cdn"),
    ("host", "d1a2b3c4d5e6f7.cloudfront.net", "amazon-cloudfront"),
    ("host", "my-bucket.s3.amazonaws.com", "amazon-s3"),
    ("host", "global.ssl.fastly.net", "fastly-cdn"),
    ("host", "a248.e.akamaihd.net", "akamai-cdn"),
    ("host", "myzone.b-cdn.net", "bunny-cdn"),
    ("host", "fonts.bunny.net", "bunny-fonts"),
    ("host", "use.fontawesome.com", "font-awesome"),
    ("host", "secure.gravatar.com", "gravatar"),
    ("host", "i0.wp.com", "jetpack-site-accelerator"),
    ("host", "res.cloudinary.com", "cloudinary"),
    ("host", "raw.githubusercontent.com", "github"),
    // First-party paths of self-hosted tools.
    ("url", "https://www.example.com/stats/matomo.js", "matomo"),
    ("url", "https://www.example.com/piwik.js", "matomo"),
    ("url", "https://www.example.com/wp-content/plugins/borlabs-cookie/assets/javascript/borlabs-cookie.min.js", "borlabs-cookie"),
    ("url", "https://www.example.com/wp-content/plugins/complianz-gdpr/cookiebanner/js/complianz.min.js", "complianz"),
    ("url", "https://www.example.com/cdn-cgi/challenge-platform/h/b/scripts/jsd/main.js", "cloudflare-cdn"),
    // Cookies set on the site's own domain.
    ("cookie", "_ga", "google-analytics"),
    ("cookie", "_ga_ABC123XYZ", "google-analytics"),
    ("cookie", "_gid", "google-analytics"),
    ("cookie", "_gat_UA-12345-1", "google-analytics"),
    ("cookie", "_gcl_au", "google-ads"),
    ("cookie", "_fbp", "meta-pixel"),
    ("cookie", "_fbc", "meta-pixel"),
    ("cookie", "_hjSessionUser_123456", "hotjar"),
    ("cookie", "_hjSession_123456", "hotjar"),
    ("cookie", "_pk_id.1.1fff", "matomo"),
    ("cookie", "_pk_ses.1.1fff", "matomo"),
    ("cookie", "_clck", "microsoft-clarity"),
    ("cookie", "_clsk", "microsoft-clarity"),
    ("cookie", "_uetsid", "microsoft-advertising"),
    ("cookie", "_uetvid", "microsoft-advertising"),
    ("cookie", "_ttp", "tiktok-pixel"),
    ("cookie", "_pin_unauth", "pinterest-tag"),
    ("cookie", "_scid", "snap-pixel"),
    ("cookie", "li_sugr", "linkedin-insight-tag"),
    ("cookie", "hubspotutk", "hubspot"),
    ("cookie", "__hstc", "hubspot"),
    ("cookie", "CookieConsent", "cookiebot"),
    ("cookie", "OptanonConsent", "onetrust"),
    ("cookie", "OptanonAlertBoxClosed", "onetrust"),
    ("cookie", "borlabs-cookie", "borlabs-cookie"),
    ("cookie", "cookieyes-consent", "cookieyes"),
    ("cookie", "didomi_token", "didomi"),
    ("cookie", "__stripe_mid", "stripe"),
    ("cookie", "__cf_bm", "cloudflare-cdn"),
    ("cookie", "_shopify_y", "shopify"),
    ("cookie", "_ym_uid", "yandex-metrica"),
    ("cookie", "ajs_anonymous_id", "segment"),
    ("cookie", "cto_bundle", "criteo"),
    ("cookie", "_dd_s", "datadog-rum"),
    ("cookie", "wp_woocommerce_session_abc", "woocommerce"),
    // Cookies on third-party domains the host index does not know: by name.
    ("cookie3", "IDE", "google-doubleclick"),
    ("cookie3", "test_cookie", "google-doubleclick"),
    ("cookie3", "YSC", "youtube"),
    ("cookie3", "VISITOR_INFO1_LIVE", "youtube"),
    ("cookie3", "bcookie", "linkedin-plugins"),
    ("cookie3", "vuid", "vimeo"),
    // Inline script snippets.
    ("script", "window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);} gtag('js', new Date()); gtag('config', 'G-ABCDEF1234');", "google-analytics"),
    ("script", "(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start': new Date().getTime(),event:'gtm.js'});var f=d.getElementsByTagName(s)[0];j.src='https://www.googletagmanager.com/gtm.js?id='+i;})(window,document,'script','dataLayer','GTM-XXXX');", "google-tag-manager"),
    ("script", "!function(f,b,e,v,n,t,s){n=f.fbq=function(){};}(window, document,'script','https://connect.facebook.net/en_US/fbevents.js'); fbq('init', '1234567890'); fbq('track', 'PageView');", "meta-pixel"),
    ("script", "(function(h,o,t,j,a,r){h.hj=h.hj||function(){};h._hjSettings={hjid:123456,hjsv:6};})(window,document,'https://static.hotjar.com/c/hotjar-','.js?sv=');", "hotjar"),
    ("script", "var _paq = window._paq = window._paq || []; _paq.push(['trackPageView']); _paq.push(['enableLinkTracking']);", "matomo"),
    ("script", "(function(c,l,a,r,i,t,y){c[a]=c[a]||function(){(c[a].q=c[a].q||[]).push(arguments)};})(window, document, \"clarity\", \"script\", \"abcdef\"); clarity(\"set\", \"x\", \"y\");", "microsoft-clarity"),
    ("script", "_linkedin_partner_id = \"123456\"; window._linkedin_data_partner_ids = window._linkedin_data_partner_ids || [];", "linkedin-insight-tag"),
    ("script", "!function(e){if(!window.pintrk){window.pintrk=function(){};}}(\"https://s.pinimg.com/ct/core.js\"); pintrk('load', '2612345678901');", "pinterest-tag"),
    ("script", "!function (w, d, t) { w.TiktokAnalyticsObject=t; var ttq=w[t]=w[t]||[]; ttq.load('C4ABCDEF'); ttq.page(); }(window, document, 'ttq');", "tiktok-pixel"),
    ("script", "(function(w,d,t,r,u){var f,n,i;w[u]=w[u]||[]; })(window,document,\"script\",\"//bat.bing.com/bat.js\",\"uetq\");", "microsoft-advertising"),
    ("script", "window.intercomSettings = { api_base: \"https://api-iam.intercom.io\", app_id: \"abc123\" };", "intercom"),
    ("script", "window.$crisp=[];window.CRISP_WEBSITE_ID=\"0000-1111\";", "crisp-chat"),
    ("script", "var Tawk_API=Tawk_API||{}, Tawk_LoadStart=new Date();", "tawk-to"),
    ("script", "var _hsq = window._hsq = window._hsq || []; _hsq.push(['setPath', '/']);", "hubspot"),
    ("script", "Sentry.init({ dsn: 'https://abc@o1.ingest.sentry.io/1' });", "sentry"),
    ("script", "var stripe = Stripe('pk_live_123'); var elements = stripe.elements();", "stripe"),
    ("script", "var _etracker = 1; var et_pagename = 'home';", "etracker"),
    ("script", "window.criteo_q = window.criteo_q || []; criteo_q.push({ event: 'setAccount', account: 123 });", "criteo"),
    ("script", "window.twq || (function(){}); twq('init','o1234'); twq('track','PageView');", "x-ads"),
    ("script", "snaptr('init', 'abc-123', {}); snaptr('track', 'PAGE_VIEW');", "snap-pixel"),
];

#[test]
fn table_of_real_lookups() {
    let c = Catalog::builtin().unwrap_or_else(|e| panic!("built-in catalog has errors:\n{e}"));
    assert!(CASES.len() >= 150, "only {} cases", CASES.len());
    let mut failures = Vec::new();
    for (kind, query, want) in CASES {
        let got: Option<String> = match *kind {
            "host" => c.lookup_host(query).map(|s| s.id.clone()),
            "url" => {
                let u = url::Url::parse(query).unwrap();
                c.lookup_url(&u)
                    .or_else(|| c.lookup_path(&u))
                    .map(|s| s.id.clone())
            }
            "cookie" => c.lookup_cookie(query, true).map(|s| s.id.clone()),
            "cookie3" => c.lookup_cookie(query, false).map(|s| s.id.clone()),
            "script" => {
                let all = c.lookup_script(query);
                all.iter()
                    .find(|s| s.id == *want)
                    .or(all.first())
                    .map(|s| s.id.clone())
            }
            other => panic!("unknown kind {other}"),
        };
        if got.as_deref() != Some(*want) {
            failures.push(format!("{kind} {query:?}: want {want}, got {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} lookups wrong:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

#[test]
fn the_bare_company_domain_gets_the_company_not_a_guess() {
    let c = Catalog::builtin().unwrap();
    // Every Google product has its own hosts; an unknown *.googleapis.com is Google's, but no product.
    match c.attribute_host("unknown-product.googleapis.com") {
        privacy_inventory::catalog::HostAttribution::Service { service, .. } => {
            // Acceptable only when the catalog claims googleapis.com itself (a generic API entry).
            assert!(
                service.hosts.iter().any(|h| h == "googleapis.com"),
                "{}",
                service.id
            )
        }
        privacy_inventory::catalog::HostAttribution::Company { company, .. } => {
            assert_eq!(company.id, "google")
        }
        other => panic!("{other:?}"),
    }
}
