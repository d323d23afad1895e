//! A DNS server on loopback for tests: answers from a fixture site's `_dns.toml` zone over UDP,
//! so infrastructure look-ups (`--dns-server 127.0.0.1:PORT`) never leave the machine.
//!
//! It answers exactly the (name, type) asked: records of that type, or an empty NOERROR answer
//! when the name has other records, or NXDOMAIN. That is all the look-ups need, and every answer
//! is a real DNS message built with hickory-proto. An answer too long for a plain UDP message
//! (512 bytes) goes out truncated, and the same port answers over TCP, as real servers do.

use hickory_resolver::proto::op::{Message, MessageType, ResponseCode};
use hickory_resolver::proto::rr::rdata::{A, AAAA, CNAME, MX, PTR, TXT};
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};
use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream, UdpSocket};
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
        // A TXT character-string holds at most 255 bytes: longer values are split, as zone
        // files do (resolvers join the pieces again).
        "TXT" => RData::TXT(TXT::new(
            z.value
                .as_bytes()
                .chunks(255)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect(),
        )),
        other => return Err(bad(&format!("unsupported type {other}"))),
    };
    Ok(Record::from_rdata(owner, 60, data))
}

/// Largest UDP answer without EDNS (RFC 1035).
const UDP_LIMIT: usize = 512;

/// Questions received, as ("name.", type, over TCP).
type Asked = Arc<Mutex<Vec<(String, RecordType, bool)>>>;

/// A running loopback DNS server; stops when dropped.
pub struct DnsServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    asked: Asked,
    threads: Vec<std::thread::JoinHandle<()>>,
}

fn note(asked: &Asked, query: &Message, tcp: bool) {
    if let (Some(q), Ok(mut a)) = (query.queries().first(), asked.lock()) {
        a.push((q.name().to_lowercase().to_string(), q.query_type(), tcp));
    }
}

/// Answer one TCP connection: length-prefixed messages until the client closes it.
fn serve_tcp(mut conn: TcpStream, zone: &Zone, asked: &Asked) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(2)));
    loop {
        let mut len = [0u8; 2];
        if conn.read_exact(&mut len).is_err() {
            return;
        }
        let mut buf = vec![0u8; u16::from_be_bytes(len) as usize];
        if conn.read_exact(&mut buf).is_err() {
            return;
        }
        let Ok(query) = Message::from_vec(&buf) else {
            return;
        };
        note(asked, &query, true);
        let Ok(bytes) = zone.answer(&query).to_vec() else {
            return;
        };
        let mut out = (bytes.len() as u16).to_be_bytes().to_vec();
        out.extend(bytes);
        if conn.write_all(&out).is_err() {
            return;
        }
    }
}

impl DnsServer {
    /// Serve `zone` on 127.0.0.1 (a free port, UDP and TCP) from background threads.
    pub fn start(zone: Zone) -> std::io::Result<DnsServer> {
        let socket = UdpSocket::bind("127.0.0.1:0")?;
        socket.set_read_timeout(Some(Duration::from_millis(100)))?;
        let addr = socket.local_addr()?;
        let listener = TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let stop = Arc::new(AtomicBool::new(false));
        let asked: Asked = Arc::new(Mutex::new(Vec::new()));
        let zone = Arc::new(zone);
        let (stop2, asked2, zone2) = (stop.clone(), asked.clone(), zone.clone());
        let udp = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while !stop2.load(Ordering::Relaxed) {
                let Ok((n, peer)) = socket.recv_from(&mut buf) else {
                    continue;
                };
                let Ok(query) = Message::from_vec(&buf[..n]) else {
                    continue;
                };
                note(&asked2, &query, false);
                let mut answer = zone2.answer(&query);
                if answer.to_vec().is_ok_and(|b| b.len() > UDP_LIMIT) {
                    answer.take_answers();
                    answer.set_truncated(true);
                }
                if let Ok(bytes) = answer.to_vec() {
                    let _ = socket.send_to(&bytes, peer);
                }
            }
        });
        let (stop3, asked3) = (stop.clone(), asked.clone());
        let tcp = std::thread::spawn(move || {
            while !stop3.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((conn, _)) => {
                        let _ = conn.set_nonblocking(false);
                        serve_tcp(conn, &zone, &asked3);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Ok(DnsServer {
            addr,
            stop,
            asked,
            threads: vec![udp, tcp],
        })
    }

    /// Address to pass as `--dns-server`.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every question received so far (UDP and TCP), as ("name.", type).
    pub fn questions(&self) -> Vec<(String, RecordType)> {
        self.asked
            .lock()
            .map(|a| a.iter().map(|(n, t, _)| (n.clone(), *t)).collect())
            .unwrap_or_default()
    }

    /// The questions that came over TCP (after a truncated UDP answer).
    pub fn tcp_questions(&self) -> Vec<(String, RecordType)> {
        self.asked
            .lock()
            .map(|a| {
                a.iter()
                    .filter(|q| q.2)
                    .map(|(n, t, _)| (n.clone(), *t))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
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
