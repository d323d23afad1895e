//! A loopback server that plays a whole site and its third parties, chosen by Host header.
//! (Skeleton: implemented by the harness work.)
