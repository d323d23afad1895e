//! The static crawler against a real loopback server that plays every host through `--resolve`
//! rules (made-up hostnames mapped to 127.0.0.1:PORT). Asserts on what the crawler recorded and on
//! what the server was asked for. One test binary, one module per concern.

#[path = "crawl_static/bodies.rs"]
mod bodies;
#[path = "crawl_static/frontier.rs"]
mod frontier;
#[path = "crawl_static/redirects.rs"]
mod redirects;
#[path = "crawl_static/robots.rs"]
mod robots;
#[path = "crawl_static/subresources.rs"]
mod subresources;
#[path = "crawl_static/support.rs"]
mod support;
