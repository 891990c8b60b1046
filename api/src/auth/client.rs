//! Who is on the other end of a connection: the client address (for the login throttle and the
//! logs) and whether the client reached us over TLS (for HSTS). Behind a reverse proxy both come
//! from `X-Forwarded-For` / `X-Forwarded-Proto`, but only when the connection comes from a peer
//! listed in the `trusted_proxies` setting; anyone else could write those headers.

use std::net::IpAddr;

/// A trusted proxy: one address or a network (`10.0.0.0/8`, `fd00::/8`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyNet {
    addr: IpAddr,
    prefix: u8,
}

impl ProxyNet {
    /// Parses `ADDR` or `ADDR/PREFIX`.
    pub fn parse(s: &str) -> Option<ProxyNet> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, Some(p.parse::<u8>().ok()?)),
            None => (s.parse::<IpAddr>().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(ProxyNet { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// An IPv4 address mapped into IPv6 (`::ffff:1.2.3.4`) as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The configured trusted proxies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<ProxyNet>);

impl TrustedProxies {
    /// Parses the setting; the entries that do not parse are returned as the error.
    pub fn parse(entries: &[String]) -> Result<TrustedProxies, Vec<String>> {
        let mut nets = Vec::new();
        let mut bad = Vec::new();
        for e in entries {
            match ProxyNet::parse(e) {
                Some(n) => nets.push(n),
                None => bad.push(e.clone()),
            }
        }
        if bad.is_empty() { Ok(TrustedProxies(nets)) } else { Err(bad) }
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    /// The client's address: the peer's, unless the peer is a trusted proxy, in which case the
    /// right-most address of `X-Forwarded-For` that is not itself a trusted proxy (addresses
    /// further left were written by the client and prove nothing).
    pub fn client_addr(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let Some(list) = forwarded_for else { return peer };
        let mut client = peer;
        for hop in list.rsplit(',') {
            let Some(ip) = parse_hop(hop) else { break };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }

    /// True when the client reached a trusted proxy over TLS (`X-Forwarded-Proto: https`).
    pub fn forwarded_https(&self, peer: IpAddr, forwarded_proto: Option<&str>) -> bool {
        self.trusts(canonical(peer))
            && forwarded_proto.and_then(|p| p.split(',').next()).is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
    }
}

/// One hop of `X-Forwarded-For`: an address, possibly `[v6]:port` or `v4:port`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Some(rest) = hop.strip_prefix('[') {
        return rest.split_once(']').and_then(|(a, _)| a.parse().ok()).map(canonical);
    }
    hop.rsplit_once(':').and_then(|(a, _)| a.parse().ok()).map(canonical)
}

/// The client address of a request (see [`TrustedProxies::client_addr`]); the unspecified
/// address when the connection has none (tests calling a service directly).
pub fn client_addr_of(req: &actix_web::HttpRequest, trusted: &TrustedProxies) -> IpAddr {
    let peer = req.peer_addr().map(|a| a.ip()).unwrap_or(IpAddr::from([0, 0, 0, 0]));
    let xff = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
    trusted.client_addr(peer, xff)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn networks_parse_and_match() {
        let cases: &[(&str, &str, bool)] = &[
            ("127.0.0.1", "127.0.0.1", true),
            ("127.0.0.1", "127.0.0.2", false),
            ("10.0.0.0/8", "10.200.3.4", true),
            ("10.0.0.0/8", "11.0.0.1", false),
            ("0.0.0.0/0", "8.8.8.8", true),
            ("fd00::/8", "fd12::1", true),
            ("fd00::/8", "fe80::1", false),
            ("127.0.0.1", "::ffff:127.0.0.1", true),
        ];
        for (net, addr, want) in cases {
            assert_eq!(ProxyNet::parse(net).expect(net).contains(ip(addr)), *want, "{net} ∋ {addr}");
        }
        assert!(ProxyNet::parse("10.0.0.0/33").is_none());
        assert!(ProxyNet::parse("proxy.local").is_none());
        assert_eq!(TrustedProxies::parse(&["x".into(), "10.0.0.1".into()]), Err(vec!["x".to_owned()]));
    }

    #[test]
    fn forwarded_for_is_honoured_only_from_a_trusted_peer() {
        let t = TrustedProxies::parse(&["10.0.0.0/8".into()]).expect("parse");
        let xff = Some("198.51.100.1, 203.0.113.9, 10.0.0.7");
        // from the proxy: the right-most untrusted hop (the left-most was written by the client)
        assert_eq!(t.client_addr(ip("10.0.0.2"), xff), ip("203.0.113.9"));
        // from anyone else: the peer itself
        assert_eq!(t.client_addr(ip("192.0.2.5"), xff), ip("192.0.2.5"));
        assert_eq!(t.client_addr(ip("10.0.0.2"), None), ip("10.0.0.2"));
        assert_eq!(t.client_addr(ip("10.0.0.2"), Some("garbage")), ip("10.0.0.2"));
        assert_eq!(t.client_addr(ip("10.0.0.2"), Some("[2001:db8::1]:443")), ip("2001:db8::1"));
        assert_eq!(t.client_addr(ip("10.0.0.2"), Some("203.0.113.9:5555")), ip("203.0.113.9"));
        assert!(t.forwarded_https(ip("10.0.0.2"), Some("https")));
        assert!(!t.forwarded_https(ip("192.0.2.5"), Some("https")));
        assert!(!t.forwarded_https(ip("10.0.0.2"), Some("http")));
        let none = TrustedProxies::default();
        assert_eq!(none.client_addr(ip("127.0.0.1"), xff), ip("127.0.0.1"));
    }
}
