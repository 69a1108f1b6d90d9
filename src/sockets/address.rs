//! Addresses for program listeners: which host names are accepted, and binding with the
//! usocket options (backlog, address reuse).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use tokio::net::{TcpListener, TcpSocket};

use crate::events::SocketError;

/// The IP address `socket-listen` binds for `host`: an IP literal, `localhost`, or `*`
/// (every address). Other names are refused rather than resolved, which could block.
pub fn listen_ip(host: &str) -> Result<IpAddr, SocketError> {
    match host {
        "localhost" => Ok(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        "*" => Ok(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        _ => host.parse().map_err(|_| {
            SocketError::HostNotFound(format!(
                "{host}: socket-listen takes an IP address, localhost or *"
            ))
        }),
    }
}

/// Binds and listens. Must run inside the tokio runtime.
pub fn bind(
    address: SocketAddr,
    backlog: u32,
    reuse_address: bool,
) -> Result<TcpListener, SocketError> {
    let socket = if address.is_ipv4() {
        TcpSocket::new_v4()
    } else {
        TcpSocket::new_v6()
    }
    .map_err(|error| io_error(&address.to_string(), &error))?;
    socket
        .set_reuseaddr(reuse_address)
        .and_then(|()| socket.bind(address))
        .and_then(|()| socket.listen(backlog.max(1)))
        .map_err(|error| io_error(&address.to_string(), &error))
}

/// The usocket-flavoured error for an I/O error on `what`.
pub fn io_error(what: &str, error: &std::io::Error) -> SocketError {
    use std::io::ErrorKind;
    let text = format!("{what}: {error}");
    match error.kind() {
        ErrorKind::AddrInUse => SocketError::AddressInUse(text),
        ErrorKind::ConnectionRefused => SocketError::ConnectionRefused(text),
        ErrorKind::TimedOut => SocketError::Timeout(text),
        _ => SocketError::Other(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_hosts_are_addresses_localhost_or_everything() {
        assert_eq!(listen_ip("localhost"), Ok(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        assert_eq!(listen_ip("*"), Ok(IpAddr::V4(Ipv4Addr::UNSPECIFIED)));
        assert_eq!(listen_ip("::1"), Ok("::1".parse().unwrap()));
        assert!(matches!(
            listen_ip("example.org"),
            Err(SocketError::HostNotFound(_))
        ));
    }
}
