//! `privacy-inventory demo`: serve the bundled demo site on 127.0.0.1 and scan it, offline.
//! The same loopback server plays fixture sites (and all their third parties) in the tests.

pub mod server;
