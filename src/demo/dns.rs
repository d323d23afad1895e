//! A DNS server on loopback for tests: answers from a fixture site's `_dns.toml` zone over UDP,
//! so infrastructure look-ups (`--dns-server 127.0.0.1:PORT`) never leave the machine.
//!
//! It answers exactly the (name, type) asked: records of that type, or an empty NOERROR answer
//! when the name has other records, or NXDOMAIN. That is all the look-ups need, and every answer
//! is a real DNS message built with hickory-proto.

use hickory_resolver::proto::op::{Message, MessageType, ResponseCode};
use hickory_resolver::proto::rr::rdata::{A, AAAA, CNAME, MX, PTR, TXT};
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// File in a fixture site directory that holds its DNS zone.
pub const ZONE_FILE: &str = "_dns.toml";

/// One record of a zone file.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZoneRecord {
    /// Owner name; for PTR records an IP address may stand for its reverse name.
    pub name: String,
    /// A, AAAA, CNAME, MX, TXT or PTR.
    #[serde(rename = "type")]
    pub rtype: String,
    /// Address, target name, "PREF HOST" for MX, or the text of a TXT record.
    pub value: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ZoneFile {
    #[serde(default)]
    record: Vec<ZoneRecord>,
}

/// The zone a server answers from.
#[derive(Debug, Clone, Default)]
pub struct Zone {
    records: Vec<Record>,
}

impl Zone {
    /// Read `dir/_dns.toml`; `Ok(None)` when the site has no zone file.
    pub fn load_dir(dir: &Path) -> Result<Option<Zone>, String> {
        let path = dir.join(ZONE_FILE);
        if !path.is_file() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Zone::parse(&text)
            .map(Some)
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parse zone-file text.
    pub fn parse(text: &str) -> Result<Zone, String> {
        let file: ZoneFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let records = file
            .record
            .iter()
            .map(to_record)
            .collect::<Result<_, _>>()?;
        Ok(Zone { records })
    }

    fn answer(&self, query: &Message) -> Message {
        let mut resp = Message::new();
        resp.set_id(query.id())
            .set_message_type(MessageType::Response)
            .set_op_code(query.op_code())
            .set_recursion_desired(query.recursion_desired())
            .set_recursion_available(true)
            .set_authoritative(true);
        let Some(q) = query.queries().first() else {
            resp.set_response_code(ResponseCode::FormErr);
            return resp;
        };
        resp.add_query(q.clone());
        let name = q.name().to_lowercase();
        let same_name: Vec<&Record> = self
            .records
            .iter()
            .filter(|r| r.name().to_lowercase() == name)
            .collect();
        if same_name.is_empty() {
            resp.set_response_code(ResponseCode::NXDomain);
        }
        for r in same_name
            .into_iter()
            .filter(|r| r.record_type() == q.query_type())
        {
            resp.add_answer(r.clone());
        }
        resp
    }
}

fn to_record(z: &ZoneRecord) -> Result<Record, String> {
    let bad = |what: &str| format!("record {} {}: {what}", z.name, z.rtype);
    let name_of = |s: &str| {
        Name::from_ascii(format!("{}.", s.trim().trim_end_matches('.')))
            .map_err(|e| bad(&format!("bad name {s:?} ({e})")))
    };
    let rtype = z.rtype.to_ascii_uppercase();
    let owner = match (rtype.as_str(), z.name.parse::<IpAddr>()) {
        ("PTR", Ok(ip)) => Name::from(ip),
        _ => name_of(&z.name)?,
    };
    let data = match rtype.as_str() {
        "A" => RData::A(A(z
            .value
            .parse()
            .map_err(|_| bad("not an IPv4 address"))?)),
        "AAAA" => RData::AAAA(AAAA(
            z.value.parse().map_err(|_| bad("not an IPv6 address"))?,
        )),
        "CNAME" => RData::CNAME(CNAME(name_of(&z.value)?)),
        "PTR" => RData::PTR(PTR(name_of(&z.value)?)),
        "MX" => {
            let (pref, host) = z
                .value
                .split_once(' ')
                .ok_or_else(|| bad("MX value is \"PREF HOST\""))?;
            let pref: u16 = pref.parse().map_err(|_| bad("MX preference"))?;
            RData::MX(MX::new(pref, name_of(host)?))
        }
        "TXT" => RData::TXT(TXT::new(vec![z.value.clone()])),
        other => return Err(bad(&format!("unsupported type {other}"))),
    };
    Ok(Record::from_rdata(owner, 60, data))
}

/// A running loopback DNS server; stops when dropped.
pub struct DnsServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    asked: Arc<Mutex<Vec<(String, RecordType)>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl DnsServer {
    /// Serve `zone` on 127.0.0.1 (a free UDP port) from a background thread.
    pub fn start(zone: Zone) -> std::io::Result<DnsServer> {
        let socket = UdpSocket::bind("127.0.0.1:0")?;
        socket.set_read_timeout(Some(Duration::from_millis(100)))?;
        let addr = socket.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let asked = Arc::new(Mutex::new(Vec::new()));
        let (stop2, asked2) = (stop.clone(), asked.clone());
        let thread = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while !stop2.load(Ordering::Relaxed) {
                let Ok((n, peer)) = socket.recv_from(&mut buf) else {
                    continue;
                };
                let Ok(query) = Message::from_vec(&buf[..n]) else {
                    continue;
                };
                if let Some(q) = query.queries().first() {
                    if let Ok(mut a) = asked2.lock() {
                        a.push((q.name().to_lowercase().to_string(), q.query_type()));
                    }
                }
                if let Ok(bytes) = zone.answer(&query).to_vec() {
                    let _ = socket.send_to(&bytes, peer);
                }
            }
        });
        Ok(DnsServer {
            addr,
            stop,
            asked,
            thread: Some(thread),
        })
    }

    /// Address to pass as `--dns-server`.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every question received so far, as ("name.", type).
    pub fn questions(&self) -> Vec<(String, RecordType)> {
        self.asked.lock().map(|a| a.clone()).unwrap_or_default()
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_resolver::proto::op::Query;

    #[test]
    fn answers_exact_type_empty_or_nxdomain() {
        let zone = Zone::parse(
            r#"
            [[record]]
            name = "www.shop.test"
            type = "CNAME"
            value = "shop.test.cdn.cloudflare.net"
            [[record]]
            name = "203.0.113.7"
            type = "PTR"
            value = "static.7.113.0.203.clients.your-server.de"
            "#,
        )
        .unwrap();
        let ask = |name: &str, t: RecordType| {
            let mut m = Message::new();
            m.add_query(Query::query(Name::from_ascii(name).unwrap(), t));
            zone.answer(&m)
        };
        let a = ask("www.shop.test.", RecordType::CNAME);
        assert_eq!(a.answers().len(), 1);
        let a = ask("www.shop.test.", RecordType::A);
        assert_eq!(
            (a.answers().len(), a.response_code()),
            (0, ResponseCode::NoError)
        );
        let a = ask("other.shop.test.", RecordType::A);
        assert_eq!(a.response_code(), ResponseCode::NXDomain);
        let a = ask("7.113.0.203.in-addr.arpa.", RecordType::PTR);
        assert_eq!(a.answers().len(), 1);
        assert!(Zone::parse("[[record]]\nname='x.test'\ntype='SRV'\nvalue='1'").is_err());
    }
}
